"""What every member sees of monitoring: bulletins (with an Atom feed per language) and their
own organisation's declared capacity projects."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import login_required

from matchmaker.db import get_session
from matchmaker.models import Organisation
from matchmaker.regions import PROVINCES
from matchmaker.services import catalog
from matchmaker.services import monitoring_bulletins as bulletins
from matchmaker.services import monitoring_projects as projects
from matchmaker.services.errors import ValidationError
from matchmaker.web.users import staff_required, viewer

bp = Blueprint("bulletins", __name__)


@bp.get("/bulletins")
@login_required
def index():  # type: ignore[no-untyped-def]
    return render_template("monitoring/bulletins.html", bulletins=bulletins.list_bulletins(get_session()))


@bp.get("/bulletins/<id:bulletin_id>")
@login_required
def show(bulletin_id: int):  # type: ignore[no-untyped-def]
    return render_template("monitoring/bulletin.html", bulletin=bulletins.get_bulletin(get_session(), bulletin_id))


@bp.route("/bulletins/new", methods=["GET", "POST"])
@staff_required
def new():  # type: ignore[no-untyped-def]
    errors: dict = {}
    if request.method == "POST":
        try:
            bulletin = bulletins.publish(get_session(), viewer(), request.form)
        except ValidationError as error:
            errors = error.errors
        else:
            flash(_("Bulletin published."), "success")
            return redirect(url_for("bulletins.show", bulletin_id=bulletin.id), code=303)
    return render_template("monitoring/bulletin_form.html", form=request.form, errors=errors), 400 if errors else 200


@bp.get("/bulletins/feed/<any(zh, en):lang>.atom")
def feed(lang: str):  # type: ignore[no-untyped-def]
    with force_locale(lang):
        title = _("Matchmaker bulletins")
    body = bulletins.atom_feed(
        bulletins.list_bulletins(get_session()), lang, url_for("bulletins.feed", lang=lang, _external=True),
        lambda b: url_for("bulletins.show", bulletin_id=b.id, _external=True), title,
    )
    return Response(body, mimetype="application/atom+xml")


@bp.get("/projects")
@login_required
def project_index(errors: dict | None = None, form: object = None, status: int = 200):  # type: ignore[no-untyped-def]
    db = get_session()
    rows = projects.list_projects(db, viewer())
    orgs = {oid: o.name for oid in {p.org_id for p in rows} if (o := db.get(Organisation, oid))}
    return render_template("monitoring/projects.html", projects=rows, orgs=orgs, errors=errors or {}, form=form or {},
                           products={p.id: p for p in catalog.list_products(db)}, provinces=PROVINCES,
                           may_declare=viewer().may_trade), status


@bp.post("/projects")
@login_required
def declare():  # type: ignore[no-untyped-def]
    if not viewer().may_trade:
        abort(403)
    try:
        projects.declare(get_session(), viewer(), request.form)
    except ValidationError as error:
        return project_index(error.errors, request.form, 400)
    flash(_("Saved."), "success")
    return redirect(url_for("bulletins.project_index"), code=303)


@bp.post("/projects/<id:project_id>/withdraw")
@login_required
def withdraw(project_id: int):  # type: ignore[no-untyped-def]
    projects.withdraw(get_session(), viewer(), project_id)
    flash(_("Removed."), "success")
    return redirect(url_for("bulletins.project_index"), code=303)
