"""Import of offers or demands from a spreadsheet, its template, and export of listings."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from matchmaker.db import get_session
from matchmaker.i18n import current_language
from matchmaker.services import bulk_export
from matchmaker.services.bulk_import import ImportRefused, import_listings
from matchmaker.services.errors import PermissionDenied
from matchmaker.services.spreadsheet import UnreadableFile
from matchmaker.web.users import today, viewer

bp = Blueprint("bulk", __name__)
KINDS = {"offers": "offer", "demands": "demand"}


def _file_response(content: bytes, fmt: str, stem: str) -> Response:
    response = Response(content, mimetype=bulk_export.FORMATS[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<any(offers, demands):kinds>/import")
@login_required
def form(kinds: str, problems: list | None = None, error: str | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    if not viewer().may_trade:
        raise PermissionDenied()
    return render_template(
        "bulk/import.html", kinds=kinds, kind=KINDS[kinds], problems=problems or [], error=error
    ), status


@bp.post("/<any(offers, demands):kinds>/import")
@login_required
def upload(kinds: str):  # type: ignore[no-untyped-def]
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        return form(kinds, error=_("Choose a CSV or XLSX file."), status=400)
    try:
        created = import_listings(get_session(), viewer(), KINDS[kinds], sent.read(), sent.filename, today())
    except UnreadableFile as refused:
        return form(kinds, error=str(refused.message), status=400)
    except ImportRefused as refused:
        return form(kinds, problems=refused.problems, status=422)
    flash(ngettext("%(num)s listing imported.", "%(num)s listings imported.", len(created)), "success")
    return redirect(url_for("listings.index", kinds=kinds))


@bp.get("/<any(offers, demands):kinds>/import/template.<any(csv, xlsx):fmt>")
@login_required
def template(kinds: str, fmt: str):  # type: ignore[no-untyped-def]
    content = bulk_export.import_template(get_session(), KINDS[kinds], fmt, current_language())
    return _file_response(content, fmt, f"{kinds}-template")


@bp.get("/<any(offers, demands):kinds>/export.<any(csv, xlsx):fmt>")
@login_required
def export(kinds: str, fmt: str):  # type: ignore[no-untyped-def]
    content = bulk_export.export_listings(get_session(), viewer(), KINDS[kinds], fmt, current_language(), today())
    return _file_response(content, fmt, f"{kinds}-{today().isoformat()}")


@bp.get("/contracts/export.<any(csv, xlsx):fmt>")
@login_required
def export_contracts(fmt: str):  # type: ignore[no-untyped-def]
    """Every schedule line of the organisation's contracts (staff: all)."""
    return _file_response(bulk_export.export_contracts(get_session(), viewer(), fmt), fmt, f"contracts-{today().isoformat()}")
