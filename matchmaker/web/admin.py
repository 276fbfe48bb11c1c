"""Association staff: reviewing organisations."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from matchmaker.db import get_session
from matchmaker.domain import ORG_STATUSES
from matchmaker.services import orgs
from matchmaker.services.errors import ValidationError
from matchmaker.web.users import staff_required, today, viewer

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/organisations")
@staff_required
def organisations():  # type: ignore[no-untyped-def]
    status = request.args.get("status", "pending")
    status = status if status in ORG_STATUSES or status == "all" else "pending"
    rows = orgs.list_organisations(get_session(), viewer(), None if status == "all" else status)
    return render_template("admin/organisations.html", organisations=rows, status=status)


@bp.get("/organisations/<id:org_id>")
@staff_required
def organisation(org_id: int):  # type: ignore[no-untyped-def]
    db = get_session()
    org = orgs.get_organisation(db, viewer(), org_id)
    return render_template(
        "admin/organisation.html", org=org, certifications=orgs.certifications_of(db, org_id), today=today()
    )


@bp.post("/organisations/<id:org_id>/review")
@staff_required
def review(org_id: int):  # type: ignore[no-untyped-def]
    decision = request.form.get("decision", "")
    try:
        org = orgs.review_organisation(get_session(), viewer(), org_id, decision, request.form.get("reason", ""))
    except ValidationError as error:
        for message in error.errors.values():
            flash(_("Not saved: %(why)s", why=message), "warning")
        return redirect(url_for("admin.organisation", org_id=org_id))
    flash(_("%(name)s: %(status)s", name=org.name, status=ORG_STATUSES[org.status]), "success")
    return redirect(url_for("admin.organisations"))
