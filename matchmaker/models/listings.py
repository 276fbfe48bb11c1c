"""Offers (sell side) and demands (buy side): every field of the market file, plus terms.

Prices are CNY per product unit; months are ``YYYY-MM`` and windows are inclusive. A price is
either fixed or index-linked: index value plus ``index_adjustment`` (an amount in CNY, or a
percentage when ``index_adjustment_kind`` is ``percent``; negative for a discount), clamped to
``price_floor`` and ``price_ceiling`` when given. The status stored is ``open`` or
``withdrawn``; an open listing whose window has ended reads as ``expired``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from matchmaker.models.base import utcnow


def listing_indexes(table: str) -> tuple[Index, ...]:
    """What the list pages need to answer in milliseconds at 100,000 listings.

    Pages read the newest open listings in index order and stop after one page; counts of open
    listings (all, by product, by region) are answered from covering indexes alone.
    """
    return (
        Index(f"ix_{table}_status_created", "status", "created_at", "id"),
        # The market view filtered by region: one region's open listings, newest first.
        Index(f"ix_{table}_region_created", "region", "status", "created_at", "id"),
        Index(f"ix_{table}_org_created", "org_id", "created_at", "id"),
        Index(f"ix_{table}_status_end_org", "status", "end", "org_id", "start"),
        Index(f"ix_{table}_product_open", "product_id", "status", "end", "org_id", "region", "start"),
        Index(f"ix_{table}_region_open", "region", "status", "end", "org_id", "start"),
    )


class ListingBase(SQLModel):
    org_id: int = Field(foreign_key="organisation.id")
    product_id: str = Field(foreign_key="product.id", max_length=64)
    region: str = Field(max_length=32)
    monthly_qty: float
    start: str = Field(max_length=7)
    end: str = Field(max_length=7)
    min_term_months: int = 1
    min_monthly_qty: float = 0.0
    price_basis: str = Field(default="fixed", max_length=8)
    price: float | None = None
    index_name: str | None = Field(default=None, max_length=32)
    index_adjustment: float | None = None
    index_adjustment_kind: str | None = Field(default=None, max_length=8)
    price_floor: float | None = None
    price_ceiling: float | None = None
    delivery_terms: str = Field(default="DAP", max_length=8)
    delivery_notes: str = Field(default="", max_length=500)
    status: str = Field(default="open", max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Offer(ListingBase, table=True):
    """Capacity a supplier offers each month of its window."""

    __tablename__ = "offer"
    __table_args__ = listing_indexes("offer")

    id: int | None = Field(default=None, primary_key=True)
    certifications: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    max_buyer_share: float | None = None


class Demand(ListingBase, table=True):
    """Volume a buyer wants each month of its window."""

    __tablename__ = "demand"
    __table_args__ = listing_indexes("demand")

    id: int | None = Field(default=None, primary_key=True)
    required_certifications: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    max_supplier_share: float | None = None
    max_suppliers: int | None = None
    own_supply: float = 0.0


class OfferInput(SQLModel, table=True):
    """Chain link: per unit the offer sells, ``ratio`` units bought through ``demand_id``."""

    __tablename__ = "offer_input"

    id: int | None = Field(default=None, primary_key=True)
    offer_id: int = Field(foreign_key="offer.id", index=True)
    demand_id: int = Field(foreign_key="demand.id")
    ratio: float
