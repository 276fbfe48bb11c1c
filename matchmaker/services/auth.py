"""Checking passwords, with a limit on failures per account and per client address.

Failures live in the database, so every gunicorn worker counts the same ones. Once an account
or an address has ``max_failures`` failures within ``window`` seconds, further attempts are
refused with RateLimited (429) before the password is even checked.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_
from sqlmodel import Session, select
from werkzeug.security import check_password_hash

from matchmaker.models import LoginFailure, Organisation, User
from matchmaker.services.errors import InvalidCredentials, RateLimited
from matchmaker.services.viewer import Viewer


def authenticate(
    session: Session,
    email: str,
    password: str,
    *,
    address: str,
    now: datetime,
    max_failures: int = 10,
    window_seconds: int = 60,
) -> User:
    """The user for these credentials. Raises RateLimited or InvalidCredentials (recorded)."""
    account = email.strip().lower()[:254]
    address = (address or "unknown")[:64]
    since = now - timedelta(seconds=window_seconds)
    if _failures(session, LoginFailure.account == account, since) >= max_failures or (
        _failures(session, LoginFailure.address == address, since) >= max_failures
    ):
        raise RateLimited(window_seconds)
    user = session.exec(select(User).where(User.email == account)).first()
    # An unknown account costs the same hash check as a wrong password: timing tells nothing.
    stored = user.password_hash if user is not None else _dummy_hash(session)
    if not check_password_hash(stored, password) or user is None or not user.active:
        session.exec(delete(LoginFailure).where(LoginFailure.at < since))  # type: ignore[call-overload]
        session.add(LoginFailure(account=account, address=address, at=now))
        session.commit()
        raise InvalidCredentials()
    return user


def _dummy_hash(session: Session) -> str:
    """Some user's hash (same method and cost as real ones), or a fixed one for an empty table."""
    any_hash = session.exec(select(User.password_hash).limit(1)).first()
    return any_hash or "scrypt:32768:8:1$x$" + "0" * 128


def _failures(session: Session, condition: object, since: datetime) -> int:
    query = select(func.count()).select_from(LoginFailure).where(condition, LoginFailure.at >= since)
    return int(session.exec(query).one())


def clear_failures(session: Session, *, account: str | None = None, address: str | None = None) -> None:
    """Forget failures (staff unlocking an account)."""
    conditions = []
    if account:
        conditions.append(LoginFailure.account == account.strip().lower())
    if address:
        conditions.append(LoginFailure.address == address)
    if conditions:
        session.exec(delete(LoginFailure).where(or_(*conditions)))  # type: ignore[call-overload]
        session.commit()


def viewer_for(session: Session, user_id: int) -> Viewer | None:
    """The Viewer for a logged-in user id, or None for an unknown or deactivated user."""
    row = session.exec(
        select(User, Organisation).join(Organisation, User.org_id == Organisation.id).where(User.id == user_id)
    ).first()
    if row is None or not row[0].active:
        return None
    user, org = row
    return Viewer(user_id=user.id, org_id=org.id, role=user.role, org_status=org.status)  # type: ignore[arg-type]
