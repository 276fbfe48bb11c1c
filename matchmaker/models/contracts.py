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
    """Price terms: ``fixed`` at ``unit_price``; or ``index``, following the seller's index-linked
    ask: the index value plus ``index_adjustment`` (CNY, or percent when ``index_adjustment_kind``
    is ``percent``), clamped to ``price_floor`` / ``price_ceiling``, plus ``premium`` (freight and
    the buyer's half of the margin, fixed at signing). ``unit_price`` is the price at signing."""

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
    index_name: str | None = Field(default=None, max_length=32)
    index_adjustment: float | None = None
    index_adjustment_kind: str | None = Field(default=None, max_length=8)
    premium: float | None = None
    price_floor: float | None = None
    price_ceiling: float | None = None
    created_at: datetime = Field(default_factory=utcnow)


class ScheduleLine(SQLModel, table=True):
    """The quantity due in one month of a contract."""

    __tablename__ = "schedule_line"
    __table_args__ = (UniqueConstraint("contract_id", "month", name="uq_schedule_line_month"),)

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    month: str = Field(max_length=7, index=True)
    qty: float
