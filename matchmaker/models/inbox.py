"""In-app notifications. ``org_id`` is the receiving organisation; ``None`` means association staff."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from matchmaker.models.base import utcnow


class Notification(SQLModel, table=True):
    __tablename__ = "notification"

    id: int | None = Field(default=None, primary_key=True)
    org_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    kind: str = Field(max_length=32)
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id")
    contract_id: int | None = Field(default=None, foreign_key="contract.id")
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None
