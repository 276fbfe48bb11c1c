"""API tokens: how a script or an ERP acts for an organisation on ``/api/v1``.

Only the SHA-256 hash of a token is stored, so a copy of the database cannot call the API; the
token itself is shown once, when it is created. A token acts as the user who created it, so
the API obeys the same rules as that user's pages.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from matchmaker.models.base import utcnow


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    created_by: int = Field(foreign_key="user_account.id")
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=12)
    scope: str = Field(default="read", max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
