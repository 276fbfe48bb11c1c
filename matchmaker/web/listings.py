"""Offers and demands: own lists, forms, withdraw; and the anonymous market view."""

from __future__ import annotations

from dataclasses import astuple

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from matchmaker.db import get_session
from matchmaker.i18n import current_language
from matchmaker.models import Demand
from matchmaker.services import catalog, chain, listings, orgs
from matchmaker.services.errors import ValidationError
from matchmaker.services.queries import ListingFilters, market_view, search_listings
from matchmaker.web.page_cache import market_cache
from matchmaker.web.users import today, viewer

bp = Blueprint("listings", __name__)

KINDS = {"offers": "offer", "demands": "demand"}


def _kind(kinds: str) -> str:
    if kinds not in KINDS:
        abort(404)
    return KINDS[kinds]


@bp.get("/<any(offers, demands):kinds>")
@login_required
def index(kinds: str):  # type: ignore[no-untyped-def]
    kind = _kind(kinds)
    db = get_session()
    filters = ListingFilters.from_args(request.args)
    page = search_listings(db, viewer(), kind, filters, today(), current_app.config["PAGE_SIZE"])
    return render_template(
        "listings/index.html", kind=kind, kinds=kinds, page=page, filters=filters,
        products=catalog.list_products(db),
    )


@bp.get("/market")
@login_required
def market():  # type: ignore[no-untyped-def]
    filters = ListingFilters.from_args(request.args)
    who = viewer()
    size = current_app.config["PAGE_SIZE"]
    # Staff see every organisation's rows, members all but their own: the key says which.
    key = ("staff" if who.is_staff else who.org_id, current_language(), astuple(filters), size, today())

    def render() -> str:
        db = get_session()
        page = market_view(db, who, filters, today(), size)
        return render_template("listings/_market_body.html", page=page, filters=filters, products=catalog.list_products(db))

    return render_template("listings/market.html", body=Markup(market_cache(current_app).get_or_render(key, render)))


@bp.get("/<any(offers, demands):kinds>/<id:listing_id>")
@login_required
def show(kinds: str, listing_id: int):  # type: ignore[no-untyped-def]
    kind = _kind(kinds)
    db = get_session()
    listing = listings.get_listing(db, viewer(), kind, listing_id)
    org = orgs.get_organisation(db, viewer(), listing.org_id)
    return render_template(
        "listings/show.html", kind=kind, kinds=kinds, listing=listing, org=org,
        product=catalog.get_product(db, listing.product_id),
        status=listings.effective_status(listing, today()),
        may_edit=listing.org_id == current_user.org_id and viewer().may_trade,
        inputs=[(link, db.get(Demand, link.demand_id)) for link in chain.inputs_of(db, listing_id)] if kind == "offer" else [],
    )


def _form_page(kind: str, kinds: str, form: object, errors: dict, listing_id: int | None, status: int = 200):  # type: ignore[no-untyped-def]
    db = get_session()
    held = sorted(orgs.valid_certification_names(db, current_user.org_id, today()))
    demands = chain.linkable_demands(db, viewer(), today()) if kind == "offer" else []
    return render_template(
        "listings/form.html", kind=kind, kinds=kinds, form=form, errors=errors, listing_id=listing_id,
        products=catalog.list_products(db), held_certifications=held, linkable_demands=demands,
    ), status


@bp.route("/<any(offers, demands):kinds>/new", methods=["GET", "POST"])
@login_required
def create(kinds: str):  # type: ignore[no-untyped-def]
    kind = _kind(kinds)
    if not viewer().may_trade:
        flash(_("Your organisation can post once association staff have approved it."), "warning")
        return redirect(url_for("listings.index", kinds=kinds))
    if request.method == "GET":
        return _form_page(kind, kinds, _blank_form(request.args.get("product_id", "")), {}, None)
    try:
        listing = listings.create_listing(get_session(), viewer(), kind, request.form, today())
    except ValidationError as error:
        return _form_page(kind, kinds, request.form, error.errors, None, 400)
    flash(_("Saved."), "success")
    return redirect(url_for("listings.show", kinds=kinds, listing_id=listing.id))


@bp.route("/<any(offers, demands):kinds>/<id:listing_id>/edit", methods=["GET", "POST"])
@login_required
def edit(kinds: str, listing_id: int):  # type: ignore[no-untyped-def]
    kind = _kind(kinds)
    db = get_session()
    listing = listings.get_listing(db, viewer(), kind, listing_id)
    if listing.org_id != current_user.org_id:
        abort(404)
    if request.method == "GET":
        values = _listing_form(listing)
        if kind == "offer":
            links = chain.inputs_of(db, listing_id)
            values["input_demand"] = [str(link.demand_id) for link in links]
            values["input_ratio"] = [format(link.ratio, ".12g") for link in links]
        return _form_page(kind, kinds, values, {}, listing_id)
    try:
        listings.update_listing(db, viewer(), kind, listing_id, request.form, today())
    except ValidationError as error:
        return _form_page(kind, kinds, request.form, error.errors, listing_id, 400)
    flash(_("Saved."), "success")
    return redirect(url_for("listings.show", kinds=kinds, listing_id=listing_id))


@bp.post("/<any(offers, demands):kinds>/<id:listing_id>/withdraw")
@login_required
def withdraw(kinds: str, listing_id: int):  # type: ignore[no-untyped-def]
    kind = _kind(kinds)
    listings.withdraw_listing(get_session(), viewer(), kind, listing_id, today())
    flash(_("Withdrawn."), "success")
    return redirect(url_for("listings.show", kinds=kinds, listing_id=listing_id))


def _blank_form(product_id: str) -> dict:
    return {
        "product_id": product_id, "price_basis": "fixed", "delivery_terms": "DAP", "min_term_months": "1",
        "index_adjustment_kind": "amount",
    }


def _listing_form(listing: object) -> dict:
    """A stored listing as the form's text values."""
    values = {}
    for name, value in listing.__dict__.items():
        if name.startswith("_"):
            continue
        if isinstance(value, float):
            value = format(value, ".12g")
        values[name] = "" if value is None else value
    return values
