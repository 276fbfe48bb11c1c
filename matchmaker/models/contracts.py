"""Contracts both parties accepted, and their monthly schedule lines.

Deliveries and lot traceability will hang off schedule lines later, so each line is a row with
its own id rather than a JSON list on the contract.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from matchmaker.models.base import utcnow


class Contract(SQLModel, table=True):
    """The price terms, by ``price_basis``:

    * ``fixed``: both the ask and the bid were fixed; every month is priced at ``unit_price``.
    * ``split``: at least one side was index-linked. Each month's unit price is
      ``1/2 x ask + 1/2 x bid + 1/2 x freight``, the market file's split of the margin, with each
      leg (``ask_*`` the seller's, ``bid_*`` the buyer's) a copy of its listing's formula made at
      signing: fixed at ``*_price``, or the month's value of ``*_index`` plus ``*_adjustment`` (CNY,
      or percent when ``*_adjustment_kind`` is ``percent``), clamped to ``*_floor`` / ``*_ceiling``.
    * ``premium``: contracts signed before migration 0010: the seller's formula (the ``ask_*`` leg)
      plus ``premium`` (freight and the buyer's half of the margin, fixed at signing).

    ``unit_price`` is the price at signing. ``freight`` is per unit, from the proposal.
    """

    __tablename__ = "contract"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", unique=True)
    offer_id: int = Field(foreign_key="offer.id", index=True)
    demand_id: int = Field(foreign_key="demand.id", index=True)
    supplier_org_id: int = Field(foreign_key="organisation.id", index=True)
    buyer_org_id: int = Field(foreign_key="organisation.id", index=True)
    product_id: str = Field(foreign_key="product.id", max_length=64)
    origin_region: str = Field(max_length=32)
    delivery_region: str = Field(max_length=32)
    delivery_terms: str = Field(max_length=8)
    monthly_qty: float
    start: str = Field(max_length=7)
    end: str = Field(max_length=7)
    price_basis: str = Field(default="fixed", max_length=8)
    unit_price: float
    freight: float | None = None
    premium: float | None = None
    ask_basis: str | None = Field(default=None, max_length=8)
    ask_price: float | None = None
    ask_index: str | None = Field(default=None, max_length=32)
    ask_adjustment: float | None = None
    ask_adjustment_kind: str | None = Field(default=None, max_length=8)
    ask_floor: float | None = None
    ask_ceiling: float | None = None
    bid_basis: str | None = Field(default=None, max_length=8)
    bid_price: float | None = None
    bid_index: str | None = Field(default=None, max_length=32)
    bid_adjustment: float | None = None
    bid_adjustment_kind: str | None = Field(default=None, max_length=8)
    bid_floor: float | None = None
    bid_ceiling: float | None = None
    created_at: datetime = Field(default_factory=utcnow)


class ScheduleLine(SQLModel, table=True):
    """The quantity due in one month of a contract."""

    __tablename__ = "schedule_line"
    __table_args__ = (UniqueConstraint("contract_id", "month", name="uq_schedule_line_month"),)

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    month: str = Field(max_length=7, index=True)
    qty: float
