"""Matching runs, the proposals they produce, and the pairs staff have ruled out.

A run keeps the market file it solved (``market``), so a proposal can always be traced back to
the exact offers and demands the optimizer saw. Progress is written to the run row by the job.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from matchmaker.models.base import utcnow


class MatchingRun(SQLModel, table=True):
    """One solve of a market snapshot. ``request_key`` makes starting a run idempotent."""

    __tablename__ = "matching_run"

    id: int | None = Field(default=None, primary_key=True)
    request_key: str = Field(max_length=64, unique=True)
    created_by: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)
    products: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    time_limit: float = 30.0
    locked_from_run_id: int | None = Field(default=None, foreign_key="matching_run.id")
    # A what-if run re-solves ``baseline_run_id``'s market with one rule family left out
    # (``relaxed``: supplier_counts, shares or min_volumes); its proposals are never reviewed.
    baseline_run_id: int | None = Field(default=None, foreign_key="matching_run.id")
    relaxed: str | None = Field(default=None, max_length=16)
    market: str = Field(default="", sa_column=Column(Text, nullable=False))
    skipped: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # queued -> running -> finished | failed; queued or running -> failed also by the sweep, when
    # the job has been silent past its time limit plus slack (see services/runs.py)
    state: str = Field(default="queued", max_length=16, index=True)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    heartbeat_at: datetime | None = None
    elapsed: float | None = None
    phase: str | None = Field(default=None, max_length=32)
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    status: str | None = Field(default=None, max_length=16)
    error: str | None = Field(default=None, sa_column=Column(Text))
    result: str | None = Field(default=None, sa_column=Column(Text))


class Proposal(SQLModel, table=True):
    """A match the optimizer proposed, as staff review it and the parties answer it.

    ``price`` is the split-margin unit price of the result; ``freight`` is per unit.
    ``state``: proposed -> approved | rejected | forbidden | superseded (a newer run finished);
    rejected -> forbidden; approved -> contracted | declined | expired (deadline passed unanswered).
    The ``*_reminded_at`` stamps make the "deadline near" notice go out once per party.
    """

    __tablename__ = "proposal"
    __table_args__ = (UniqueConstraint("run_id", "offer_id", "demand_id", name="uq_proposal_run_pair"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="matching_run.id", index=True)
    offer_id: int = Field(foreign_key="offer.id", index=True)
    demand_id: int = Field(foreign_key="demand.id", index=True)
    supplier_org_id: int = Field(foreign_key="organisation.id", index=True)
    buyer_org_id: int = Field(foreign_key="organisation.id", index=True)
    product_id: str = Field(foreign_key="product.id", max_length=64)
    monthly_qty: float
    proposed_qty: float
    start: str = Field(max_length=7)
    end: str = Field(max_length=7)
    months: int
    unit_margin: float
    price: float
    freight: float
    surplus: float
    locked: bool = False
    state: str = Field(default="proposed", max_length=16, index=True)
    reason: str = Field(default="", max_length=500)
    supplier_response: str = Field(default="pending", max_length=16)
    buyer_response: str = Field(default="pending", max_length=16)
    deadline: date | None = None
    supplier_reminded_at: datetime | None = None
    buyer_reminded_at: datetime | None = None
    superseded_by_run_id: int | None = Field(default=None, foreign_key="matching_run.id")
    updated_at: datetime = Field(default_factory=utcnow)


class ForbiddenPair(SQLModel, table=True):
    """An offer and a demand staff never want matched; every later run sends it as ``forbidden``."""

    __tablename__ = "forbidden_pair"
    __table_args__ = (UniqueConstraint("offer_id", "demand_id", name="uq_forbidden_pair"),)

    id: int | None = Field(default=None, primary_key=True)
    offer_id: int = Field(foreign_key="offer.id")
    demand_id: int = Field(foreign_key="demand.id")
    reason: str = Field(default="", max_length=500)
    created_by: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)
