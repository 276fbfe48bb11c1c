"""Security and audit records: failed logins (kept in the database so every gunicorn worker sees
them) and the hash-chained audit trail of matching, review, acceptance and contracts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from matchmaker.models.base import utcnow


class LoginFailure(SQLModel, table=True):
    __tablename__ = "login_failure"

    id: int | None = Field(default=None, primary_key=True)
    account: str = Field(max_length=254, index=True)
    address: str = Field(max_length=64, index=True)
    at: datetime = Field(default_factory=utcnow, index=True)


class AuditRecord(SQLModel, table=True):
    """Who did what, when, with the state before and after; each record's ``hash`` covers its
    content and the previous record's hash, so an edit, deletion or reordering breaks the chain."""

    __tablename__ = "audit_record"

    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(unique=True)
    at: datetime = Field(default_factory=utcnow)
    user_id: int | None = Field(default=None)
    action: str = Field(max_length=32)
    entity: str = Field(max_length=32)
    entity_id: int | None = None
    # Entities keyed by text (a catalogue product's slug) name themselves here instead of in
    # ``entity_id``; hashed only when set, so records written before the column keep their hash.
    entity_key: str | None = Field(default=None, max_length=100)
    before: str = Field(default="null", sa_column=Column(Text, nullable=False))
    after: str = Field(default="null", sa_column=Column(Text, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
