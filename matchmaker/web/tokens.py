"""The organisation's API tokens: create (shown once), list, revoke."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from matchmaker.db import get_session
from matchmaker.services import tokens
from matchmaker.services.errors import ValidationError
from matchmaker.web.users import viewer

bp = Blueprint("tokens", __name__)


def _page(form: object = None, errors: dict | None = None, created: str | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    rows = tokens.list_tokens(get_session(), viewer())
    return render_template(
        "tokens/index.html", tokens=rows, scopes=tokens.SCOPES, form=form or {}, errors=errors or {},
        created=created,
    ), status


@bp.get("/organisation/tokens")
@login_required
def index():  # type: ignore[no-untyped-def]
    return _page()


@bp.post("/organisation/tokens")
@login_required
def create():  # type: ignore[no-untyped-def]
    """The token is in this one answer only (never in a flash message, which lives in the cookie)."""
    try:
        _token, plain = tokens.create_token(get_session(), viewer(), request.form)
    except ValidationError as error:
        return _page(request.form, error.errors, status=400)
    response = _page(created=plain, status=201)
    return response[0], 201, {"Cache-Control": "no-store"}


@bp.post("/organisation/tokens/<id:token_id>/revoke")
@login_required
def revoke(token_id: int):  # type: ignore[no-untyped-def]
    tokens.revoke_token(get_session(), viewer(), token_id)
    flash(_("Token revoked."), "success")
    return redirect(url_for("tokens.index"))
