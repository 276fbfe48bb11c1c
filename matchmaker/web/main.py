"""Home page, the organisation's own profile, and the language switch."""

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
from flask_login import current_user, login_required

from matchmaker.db import get_session
from matchmaker.services import orgs
from matchmaker.services.errors import ValidationError
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
def organisation(form: object = None, errors: dict | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    db = get_session()
    org = orgs.get_organisation(db, viewer(), current_user.org_id)
    return render_template(
        "main/organisation.html", org=org, certifications=orgs.certifications_of(db, org.id), today=today(),
        form=form or {}, errors=errors or {},
    ), status


@bp.post("/organisation/certifications")
@login_required
def add_certification():  # type: ignore[no-untyped-def]
    try:
        orgs.add_certification(get_session(), viewer(), request.form)
    except ValidationError as error:
        return organisation(request.form, error.errors, 400)
    flash(_("Saved."), "success")
    return redirect(url_for("main.organisation"))


@bp.post("/organisation/certifications/<id:cert_id>/delete")
@login_required
def remove_certification(cert_id: int):  # type: ignore[no-untyped-def]
    orgs.remove_certification(get_session(), viewer(), cert_id)
    flash(_("Removed."), "success")
    return redirect(url_for("main.organisation"))


@bp.post("/language")
def set_language():  # type: ignore[no-untyped-def]
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next"), default="/"))
