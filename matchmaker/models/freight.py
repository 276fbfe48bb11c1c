"""Freight settings staff keep: the rate per tonne-km and fixed per-tonne figures for lanes.

What is not stored is computed (``matchmaker.freight``): an empty ``freight_setting`` means the
default rate, and a lane without an override is priced by distance.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from matchmaker.models.base import utcnow


class FreightSetting(SQLModel, table=True):
    """A staff-set freight parameter by key; ``rate`` is CNY per tonne-km."""

    __tablename__ = "freight_setting"

    key: str = Field(primary_key=True, max_length=32)
    value: float
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="user_account.id")


class FreightOverride(SQLModel, table=True):
    """Freight in CNY per tonne between two provinces, both directions. A lane is stored once,
    with ``region_a <= region_b``; ``region_a == region_b`` prices moves within one province."""

    __tablename__ = "freight_override"
    __table_args__ = (
        UniqueConstraint("region_a", "region_b", name="uq_freight_override_lane"),
        CheckConstraint("region_a <= region_b", name="ck_freight_override_order"),
    )

    id: int | None = Field(default=None, primary_key=True)
    region_a: str = Field(max_length=32)
    region_b: str = Field(max_length=32)
    cny_per_tonne: float
    note: str = Field(default="", max_length=200)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="user_account.id")
