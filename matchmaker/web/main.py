"""Home page, the organisation's own profile, and the language switch."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session
from flask_login import current_user, login_required

from matchmaker.db import get_session
from matchmaker.services import orgs
from matchmaker.services.queries import ListingFilters, market_view, search_listings
from matchmaker.web.safe import safe_next
from matchmaker.web.users import today, viewer

bp = Blueprint("main", __name__)


@bp.get("/")
def index():  # type: ignore[no-untyped-def]
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    db = get_session()
    filters = ListingFilters()
    summary = {
        "offers": search_listings(db, viewer(), "offer", filters, today(), page_size=5),
        "demands": search_listings(db, viewer(), "demand", filters, today(), page_size=5),
        "market": market_view(db, viewer(), filters, today(), page_size=1),
    }
    return render_template("main/dashboard.html", **summary)


@bp.get("/organisation")
@login_required
def organisation():  # type: ignore[no-untyped-def]
    db = get_session()
    org = orgs.get_organisation(db, viewer(), current_user.org_id)
    return render_template(
        "main/organisation.html", org=org, certifications=orgs.certifications_of(db, org.id), today=today()
    )


@bp.post("/language")
def set_language():  # type: ignore[no-untyped-def]
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next"), default="/"))
