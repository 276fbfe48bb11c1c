"""The in-app inbox of notices about proposals and contracts."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required

from matchmaker.db import get_session
from matchmaker.models.base import utcnow
from matchmaker.services import lifecycle, notifications
from matchmaker.web.users import today, viewer

bp = Blueprint("inbox", __name__)


@bp.app_context_processor
def unread() -> dict[str, object]:
    """``inbox_unread()`` for the navigation; queried only when a page asks."""

    def count() -> int:
        if not current_user.is_authenticated:
            return 0
        return notifications.unread_count(get_session(), viewer())

    return {"inbox_unread": count}


@bp.get("/inbox")
@login_required
def index():  # type: ignore[no-untyped-def]
    """Reminders that have come due and expiries are written first, so the inbox is current even
    when no sweep has run since (see services/lifecycle.py)."""
    db = get_session()
    me = viewer()
    lifecycle.sweep_deadlines(db, None if me.is_staff else me.org_id, today(),
                              lifecycle.SweepSettings.from_config(current_app.config), utcnow())
    return render_template("inbox/index.html", notices=notifications.inbox(db, me), is_staff_inbox=me.is_staff)


@bp.post("/inbox/read")
@login_required
def mark_read():  # type: ignore[no-untyped-def]
    notifications.mark_all_read(get_session(), viewer())
    return redirect(url_for("inbox.index"), code=303)
