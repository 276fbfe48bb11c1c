"""Creating, listing, revoking and checking API tokens.

A token is ``mm_`` and 43 random URL-safe characters; only its SHA-256 hash is stored, so it is
shown once. It acts as the user who created it, with that user's role and organisation as they
are at the time of each call: a deactivated user or a revoked token no longer authenticates.
``read`` tokens may only read; ``read-write`` tokens may also change data.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func
from sqlmodel import Session, select

from matchmaker.models import ApiToken, LoginFailure, Organisation, User
from matchmaker.models.base import utcnow
from matchmaker.services.errors import Conflict, InvalidCredentials, NotFound, RateLimited
from matchmaker.services.fields import FormReader
from matchmaker.services.viewer import Viewer

PREFIX = "mm_"
SCOPES = {"read": _l("Read only"), "read-write": _l("Read and write")}
MAX_TOKENS_PER_ORG = 50
LAST_USED_RESOLUTION = timedelta(minutes=1)
FAILURE_ACCOUNT = "(api token)"  # refused tokens are kept beside failed logins, under "api:" addresses


@dataclass(frozen=True)
class TokenIdentity:
    """Who a bearer token speaks for, rebuilt from the database on every call."""

    viewer: Viewer
    org_name: str
    scope: str
    token_id: int

    @property
    def may_write(self) -> bool:
        return self.scope == "read-write"


def hash_token(plain: str) -> str:
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def list_tokens(session: Session, viewer: Viewer) -> list[ApiToken]:
    """The viewer's organisation's tokens, newest first, revoked ones included (for the record)."""
    query = select(ApiToken).where(ApiToken.org_id == viewer.org_id).order_by(ApiToken.id.desc())  # type: ignore[union-attr]
    return list(session.exec(query))


def create_token(session: Session, viewer: Viewer, data: Mapping[str, Any]) -> tuple[ApiToken, str]:
    """The stored row and the token itself (to show once). Raises ValidationError or Conflict."""
    form = FormReader(data)
    name = form.text("name", max_len=100)
    scope = form.choice("scope", SCOPES)
    form.raise_if_errors()
    active = [t for t in list_tokens(session, viewer) if t.revoked_at is None]
    if len(active) >= MAX_TOKENS_PER_ORG:
        raise Conflict(_l("At most %(n)s active tokens per organisation.", n=MAX_TOKENS_PER_ORG))
    plain = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        org_id=viewer.org_id, created_by=viewer.user_id, name=name, scope=scope,
        token_hash=hash_token(plain), prefix=plain[: len(PREFIX) + 6],
    )
    session.add(token)
    session.commit()
    return token, plain


def revoke_token(session: Session, viewer: Viewer, token_id: int) -> ApiToken:
    """Another organisation's token is NotFound; revoking twice is a Conflict."""
    token = session.get(ApiToken, token_id)
    if token is None or token.org_id != viewer.org_id:
        raise NotFound(token_id)
    if token.revoked_at is not None:
        raise Conflict(token_id)
    token.revoked_at = utcnow()
    session.add(token)
    session.commit()
    return token


def authenticate(
    session: Session, plain: str, *, address: str, now: datetime | None = None, max_failures: int = 20,
    window_seconds: int = 60,
) -> TokenIdentity:
    """Raises InvalidCredentials for an unknown, revoked or orphaned token, and RateLimited once
    the client address has ``max_failures`` refused tokens within ``window_seconds`` (guessing).

    ``last_used_at`` is written at most once a minute per token, so a busy script does not turn
    every read into a write.
    """
    now = now or datetime.now(UTC)
    address = ("api:" + (address or "unknown"))[:64]  # its own counter: guessed tokens do not lock out logins
    since = now - timedelta(seconds=window_seconds)
    failures = select(func.count()).select_from(LoginFailure).where(
        LoginFailure.account == FAILURE_ACCOUNT, LoginFailure.address == address, LoginFailure.at >= since
    )
    if int(session.exec(failures).one()) >= max_failures:
        raise RateLimited(window_seconds)
    row = None if not plain.startswith(PREFIX) or len(plain) > 200 else session.exec(
        select(ApiToken, User, Organisation)
        .join(User, ApiToken.created_by == User.id)
        .join(Organisation, ApiToken.org_id == Organisation.id)
        .where(ApiToken.token_hash == hash_token(plain))
    ).first()
    if row is None or row[0].revoked_at is not None or not row[1].active or row[1].org_id != row[2].id:
        session.exec(delete(LoginFailure).where(LoginFailure.at < since))  # type: ignore[call-overload]
        session.add(LoginFailure(account=FAILURE_ACCOUNT, address=address, at=now))
        session.commit()
        raise InvalidCredentials()
    token, user, org = row
    last = token.last_used_at
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    if last is None or now - last >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        session.add(token)
        session.commit()
    viewer = Viewer(user_id=user.id, org_id=org.id, role=user.role, org_status=org.status)  # type: ignore[arg-type]
    return TokenIdentity(viewer=viewer, org_name=org.name, scope=token.scope, token_id=token.id)  # type: ignore[arg-type]
