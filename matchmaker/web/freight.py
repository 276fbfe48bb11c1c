"""Staff page of freight: the rate per tonne-km, figures for particular lanes, and a lane checker."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from matchmaker.db import get_session
from matchmaker.freight import CAPITALS, ROAD_FACTOR, road_km
from matchmaker.i18n import current_language
from matchmaker.regions import PROVINCES, region_name
from matchmaker.services import catalog
from matchmaker.services import freight as service
from matchmaker.services.errors import Conflict, ValidationError
from matchmaker.web.users import staff_required, viewer

bp = Blueprint("freight", __name__, url_prefix="/freight")


def _page(form: Any, errors: dict[str, object], status: int = 200):  # type: ignore[no-untyped-def]
    """The page; ``form`` holds what was typed when a form comes back with ``errors``."""
    db = get_session()
    rates = service.current_rates(db)
    values = {"rate": f"{rates.rate:g}", **{k: v for k, v in form.items()}}
    return render_template(
        "freight/index.html", form=values, errors=errors, rates=rates, lanes=service.list_overrides(db),
        check=_check(rates), unweighted=service.products_without_weight(db), road_factor=ROAD_FACTOR,
        capitals=CAPITALS, options=[(rid, region_name(rid, current_language())) for rid in PROVINCES],
    ), status


def _check(rates):  # type: ignore[no-untyped-def]
    """The lane chosen in the checker (``?from=&to=``) priced for every product, or None."""
    a, b = request.args.get("from", ""), request.args.get("to", "")
    if a not in PROVINCES or b not in PROVINCES:
        return None
    products = catalog.list_products(get_session())
    return {"from": a, "to": b, "road_km": road_km(a, b), "per_tonne": rates.per_tonne(a, b),
            "override": rates.override(a, b),
            "products": [(p, rates.per_unit(a, b, p.tonnes_per_unit)) for p in products]}


@bp.get("")
@staff_required
def index():  # type: ignore[no-untyped-def]
    return _page({}, {})


@bp.post("/rate")
@staff_required
def save_rate():  # type: ignore[no-untyped-def]
    try:
        service.save_rate(get_session(), viewer(), request.form)
    except ValidationError as error:
        return _page(request.form.to_dict(), error.errors, 400)
    flash(_("Saved."), "success")
    return redirect(url_for("freight.index"), code=303)


@bp.post("/lanes")
@staff_required
def save_lane():  # type: ignore[no-untyped-def]
    try:
        service.save_override(get_session(), viewer(), request.form)
    except ValidationError as error:
        return _page(request.form.to_dict(), error.errors, 400)
    except Conflict as error:
        return _page(request.form.to_dict(), {"region_b": error.args[0]}, 409)
    flash(_("Saved."), "success")
    return redirect(url_for("freight.index"), code=303)


@bp.post("/lanes/<id:override_id>/remove")
@staff_required
def remove_lane(override_id: int):  # type: ignore[no-untyped-def]
    service.remove_override(get_session(), viewer(), override_id)
    flash(_("Removed: the lane is priced by distance again."), "success")
    return redirect(url_for("freight.index"), code=303)
