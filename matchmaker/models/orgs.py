"""Organisations, their certifications and their users."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from matchmaker.models.base import utcnow


class Organisation(SQLModel, table=True):
    """A firm on the platform, or the association itself (whose users are staff).

    Only an approved organisation may post offers and demands.
    """

    __tablename__ = "organisation"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    credit_code: str = Field(max_length=18, unique=True)
    region: str = Field(max_length=32)
    tiers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    contact_name: str = Field(max_length=100)
    contact_phone: str = Field(max_length=40)
    contact_email: str = Field(max_length=254)
    status: str = Field(default="pending", max_length=16, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    reviewed_at: datetime | None = None


class Certification(SQLModel, table=True):
    """A certificate an organisation holds; only unexpired ones count when matching."""

    __tablename__ = "certification"

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=32)
    number: str = Field(max_length=64)
    expiry: date


class User(SQLModel, table=True):
    """A login. Belongs to exactly one organisation; staff belong to the association's."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=100)
    role: str = Field(default="member", max_length=16)
    password_hash: str = Field(max_length=255)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
