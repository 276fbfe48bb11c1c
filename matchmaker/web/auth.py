"""Registration, login and logout."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from matchmaker.db import get_session
from matchmaker.models.base import utcnow
from matchmaker.services import auth as auth_service
from matchmaker.services import orgs
from matchmaker.services.errors import InvalidCredentials, ValidationError
from matchmaker.web.safe import safe_next
from matchmaker.web.users import CurrentUser, load_user

bp = Blueprint("auth", __name__)


@bp.route("/register", methods=["GET", "POST"])
def register():  # type: ignore[no-untyped-def]
    if request.method == "GET":
        return render_template("auth/register.html", form={}, errors={})
    try:
        _org, user = orgs.register_organisation(
            get_session(), request.form, hash_method=current_app.config["PASSWORD_HASH_METHOD"]
        )
    except ValidationError as error:
        return render_template("auth/register.html", form=request.form, errors=error.errors), 400
    _start_session(load_user(str(user.id)))
    flash(_("Your organisation is registered. Association staff will review it before you can post."), "success")
    return redirect(url_for("main.index"))


@bp.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    next_url = request.values.get("next", "")
    if request.method == "GET":
        return render_template("auth/login.html", next_url=next_url, email="", error=None)
    email = request.form.get("email", "")
    try:
        user = auth_service.authenticate(
            get_session(),
            email,
            request.form.get("password", ""),
            address=request.remote_addr or "unknown",
            now=utcnow(),
            max_failures=current_app.config["LOGIN_MAX_FAILURES"],
            window_seconds=current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"],
        )
    except InvalidCredentials:
        return render_template(
            "auth/login.html", next_url=next_url, email=email, error=_("Wrong email or password.")
        ), 401
    _start_session(load_user(str(user.id)))
    return redirect(safe_next(next_url, default=url_for("main.index")))


def _start_session(user: CurrentUser | None) -> None:
    """A fresh session at login: nothing from before survives except the language chosen."""
    if user is None:
        return
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user)


@bp.post("/logout")
@login_required
def logout():  # type: ignore[no-untyped-def]
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("auth.login"))


@bp.app_context_processor
def inject_user_flags():  # type: ignore[no-untyped-def]
    return {"is_staff": bool(current_user.is_authenticated and current_user.is_staff)}
