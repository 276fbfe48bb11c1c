"""The logged-in user as Flask-Login sees it, rebuilt from the database on every request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from flask import abort, current_app
from flask_login import UserMixin, current_user, login_required
from sqlmodel import select

from matchmaker.db import get_session
from matchmaker.models import Organisation, User
from matchmaker.services.viewer import Viewer

F = TypeVar("F", bound=Callable[..., Any])


class CurrentUser(UserMixin):
    """Plain values, not ORM rows: nothing lazy-loads after the request's Session is closed."""

    def __init__(self, user: User, org: Organisation):
        self.id = user.id
        self.email = user.email
        self.name = user.name
        self.role = user.role
        self.org_id = org.id
        self.org_name = org.name
        self.org_status = org.status
        self.viewer = Viewer(user_id=user.id, org_id=org.id, role=user.role, org_status=org.status)  # type: ignore[arg-type]

    @property
    def is_staff(self) -> bool:
        return self.viewer.is_staff


def load_user(user_id: str) -> CurrentUser | None:
    if not user_id.isdigit():
        return None
    row = get_session().exec(
        select(User, Organisation).join(Organisation, User.org_id == Organisation.id).where(User.id == int(user_id))
    ).first()
    if row is None or not row[0].active:
        return None
    return CurrentUser(*row)


def viewer() -> Viewer:
    return cast(CurrentUser, current_user).viewer


def staff_required(view: F) -> F:
    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_staff:
            abort(403)
        return view(*args, **kwargs)

    return cast(F, wrapped)


def today() -> date:
    """Today in China; ``TODAY`` in the config pins it (tests of expiry)."""
    pinned = current_app.config.get("TODAY")
    if pinned:
        return date.fromisoformat(str(pinned))
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()
