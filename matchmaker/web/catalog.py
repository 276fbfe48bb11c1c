"""The product catalogue: everyone logged in reads it, staff add and edit."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from matchmaker.db import get_session
from matchmaker.domain import TIERS
from matchmaker.services import catalog
from matchmaker.services.errors import ValidationError
from matchmaker.web.users import staff_required, viewer

bp = Blueprint("catalog", __name__, url_prefix="/catalogue")


@bp.get("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    tier = request.args.get("tier", "")
    db = get_session()
    products = catalog.list_products(db, tier if tier in TIERS else None)
    boms = {p.id: catalog.bom_of(db, p.id) for p in products}
    names = {p.id: p for p in catalog.list_products(db)}
    return render_template("catalog/index.html", products=products, boms=boms, names=names, tier=tier)


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def create():  # type: ignore[no-untyped-def]
    if request.method == "GET":
        return render_template("catalog/form.html", form={"tier": "material1", "unit": "t"}, errors={}, product_id=None)
    try:
        product = catalog.save_product(get_session(), viewer(), request.form)
    except ValidationError as error:
        return render_template("catalog/form.html", form=request.form, errors=error.errors, product_id=None), 400
    flash(_("Saved."), "success")
    return redirect(url_for("catalog.index", _anchor=product.id))


@bp.route("/<product_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(product_id: str):  # type: ignore[no-untyped-def]
    db = get_session()
    product = catalog.get_product(db, product_id)
    if request.method == "GET":
        form = {
            "name_zh": product.name_zh, "name_en": product.name_en, "tier": product.tier, "unit": product.unit,
            "reference_price": "" if product.reference_price is None else format(product.reference_price, ".12g"),
            "tonnes_per_unit": "" if product.tonnes_per_unit is None else format(product.tonnes_per_unit, ".12g"),
            "bom": catalog.bom_text(db, product_id),
        }
        return render_template("catalog/form.html", form=form, errors={}, product_id=product_id)
    try:
        catalog.save_product(db, viewer(), request.form, product_id)
    except ValidationError as error:
        return render_template("catalog/form.html", form=request.form, errors=error.errors, product_id=product_id), 400
    flash(_("Saved."), "success")
    return redirect(url_for("catalog.index", _anchor=product_id))
