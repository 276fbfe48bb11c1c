"""Monitoring and early warning: reference price series, thresholds staff set, members' declared
capacity projects, alerts with their workflow state, and bulletins to the whole industry."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from matchmaker.models.base import utcnow


class PriceSeries(SQLModel, table=True):
    """The reference price of one product (CNY per product unit), e.g. a published spot quote."""

    __tablename__ = "price_series"

    id: int | None = Field(default=None, primary_key=True)
    product_id: str = Field(foreign_key="product.id", unique=True, max_length=64)
    source: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)


class PricePoint(SQLModel, table=True):
    """One observation of a series; at most one per day."""

    __tablename__ = "price_point"
    __table_args__ = (UniqueConstraint("series_id", "day", name="uq_price_point_day"),)

    id: int | None = Field(default=None, primary_key=True)
    series_id: int = Field(foreign_key="price_series.id", index=True)
    day: date
    price: float
    note: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)


class MonitoringThreshold(SQLModel, table=True):
    """A staff-set value of a rule (see ``services.monitoring_settings.DEFAULTS``)."""

    __tablename__ = "monitoring_threshold"

    key: str = Field(primary_key=True, max_length=32)
    value: float
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = None


class CapacityProject(SQLModel, table=True):
    """A member's planned expansion: ``monthly_capacity`` product units a month from ``start``."""

    __tablename__ = "capacity_project"

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    product_id: str = Field(foreign_key="product.id", index=True, max_length=64)
    region: str = Field(max_length=32)
    monthly_capacity: float
    investment_cny: float
    start: str = Field(max_length=7)
    note: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)


class Alert(SQLModel, table=True):
    """A finding of a monitoring rule. ``key`` identifies the finding (rule and subject), so the
    same finding is raised once however often the checks run; ``evidence`` is JSON."""

    __tablename__ = "monitoring_alert"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=160)
    kind: str = Field(max_length=16, index=True)
    rule: str = Field(max_length=32)
    product_id: str | None = Field(default=None, max_length=64)
    org_id: int | None = Field(default=None, foreign_key="organisation.id")
    evidence: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    state: str = Field(default="open", max_length=16, index=True)
    owner_id: int | None = Field(default=None, foreign_key="user_account.id")
    comment: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Bulletin(SQLModel, table=True):
    """A notice staff publish to every member, in both languages."""

    __tablename__ = "bulletin"

    id: int | None = Field(default=None, primary_key=True)
    title_zh: str = Field(max_length=200)
    title_en: str = Field(max_length=200)
    body_zh: str = Field(sa_column=Column(Text, nullable=False))
    body_en: str = Field(sa_column=Column(Text, nullable=False))
    author_id: int | None = Field(default=None, foreign_key="user_account.id")
    published_at: datetime = Field(default_factory=utcnow, index=True)
