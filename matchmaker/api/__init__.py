"""JSON API v1: the same services and the same confidentiality as the pages.

Authentication is an organisation's API token, ``Authorization: Bearer mm_…`` (see
``matchmaker.api.auth``); session cookies do not count here, so there is no CSRF token. Bodies
are read with ``json_body`` against the schemas of ``matchmaker.api.schemas`` (see
``matchmaker.api.body``). Errors are ``{"error": {"code", "message", "field"}}`` (see
``matchmaker.api.errors``).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from flask_babel import lazy_gettext as _l
from sqlmodel import select

from matchmaker.api import errors, schemas
from matchmaker.api.auth import api_viewer, authenticate_request, identity
from matchmaker.api.body import form_values, json_body
from matchmaker.api.errors import BadRequest
from matchmaker.api.openapi import build, operation
from matchmaker.db import get_session
from matchmaker.extensions import csrf
from matchmaker.models import Demand, Offer, OfferInput
from matchmaker.services import listings
from matchmaker.services.bulk_export import FORMATS, export_listings
from matchmaker.services.bulk_import import import_listings
from matchmaker.services.queries import ListingFilters, market_view, search_listings
from matchmaker.web.users import today

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
bp.before_request(authenticate_request)
errors.register(bp)

KINDS = {"offers": "offer", "demands": "demand"}
BODIES: dict[str, type[schemas.ListingIn]] = {"offers": schemas.OfferIn, "demands": schemas.DemandIn}
PUBLIC_FIELDS = (
    "id", "product_id", "region", "monthly_qty", "start", "end", "min_term_months", "min_monthly_qty",
    "price_basis", "price", "index_name", "index_adjustment", "index_adjustment_kind", "price_floor",
    "price_ceiling", "delivery_terms", "delivery_notes",
)
OFFER_FIELDS = ("certifications", "max_buyer_share")
DEMAND_FIELDS = ("required_certifications", "max_supplier_share", "max_suppliers", "own_supply")


def listing_json(
    listing: Offer | Demand, org_name: str, links: dict[int, list[dict[str, Any]]] | None = None
) -> dict[str, Any]:
    """A listing in full, for its own organisation or staff only (callers check through services).
    An offer carries its chain links (``inputs``); a page passes them in ``links``, read at once."""
    fields = PUBLIC_FIELDS + (OFFER_FIELDS if isinstance(listing, Offer) else DEMAND_FIELDS)
    data = {name: getattr(listing, name) for name in fields}
    data["org"] = org_name
    data["status"] = listings.effective_status(listing, today())
    if isinstance(listing, Offer):
        data["inputs"] = (links if links is not None else _links([listing.id])).get(listing.id, [])  # type: ignore[arg-type]
    return data


def _links(offer_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The chain links of these offers, by offer, in one query."""
    query = select(OfferInput).where(OfferInput.offer_id.in_(offer_ids or [0])).order_by(OfferInput.id)  # type: ignore[attr-defined]
    out: dict[int, list[dict[str, Any]]] = {}
    for link in get_session().exec(query):
        out.setdefault(link.offer_id, []).append({"demand_id": link.demand_id, "ratio": link.ratio})
    return out


def _page_json(page: Any, items: list[Any]) -> dict[str, Any]:
    return {"items": items, "page": page.page, "pages": page.pages, "total": page.total}


@bp.get("/market")
@operation(_l("The anonymous market view: other organisations' listings as bands, no prices"), response=schemas.MarketPage, query=True)
def market():  # type: ignore[no-untyped-def]
    filters = ListingFilters.from_args(request.args)
    page = market_view(get_session(), api_viewer(), filters, today(), current_app.config["PAGE_SIZE"])
    rows = [
        {k: v for k, v in asdict(row).items() if k not in ("product_name_zh", "product_name_en")}
        for row in page.items
    ]
    return jsonify(_page_json(page, rows))


@bp.get("/<any(offers, demands):kinds>")
@operation(_l("Own listings (staff: all), newest first, 25 a page"), response={"offers": schemas.OfferPage, "demands": schemas.DemandPage}, query=True)
def index(kinds: str):  # type: ignore[no-untyped-def]
    filters = ListingFilters.from_args(request.args)
    page = search_listings(
        get_session(), api_viewer(), KINDS[kinds], filters, today(), current_app.config["PAGE_SIZE"]
    )
    links = _links([row.listing.id for row in page.items]) if kinds == "offers" else {}
    return jsonify(_page_json(page, [listing_json(row.listing, row.org_name, links) for row in page.items]))


@bp.get("/<any(offers, demands):kinds>/<id:listing_id>")
@operation(_l("One listing in full"), response={"offers": schemas.Offer, "demands": schemas.Demand}, errors=(404,))
def show(kinds: str, listing_id: int):  # type: ignore[no-untyped-def]
    from matchmaker.services.orgs import get_organisation

    db = get_session()
    listing = listings.get_listing(db, api_viewer(), KINDS[kinds], listing_id)
    return jsonify(listing_json(listing, get_organisation(db, api_viewer(), listing.org_id).name))


@bp.post("/<any(offers, demands):kinds>")
@operation(_l("Post a listing"), body={"offers": schemas.OfferIn, "demands": schemas.DemandIn}, response={"offers": schemas.Offer, "demands": schemas.Demand}, status=201, errors=(400, 422))
def create(kinds: str):  # type: ignore[no-untyped-def]
    listing = listings.create_listing(get_session(), api_viewer(), KINDS[kinds], _listing_body(kinds), today())
    response = jsonify(listing_json(listing, identity().org_name))
    response.status_code = 201
    return response


@bp.put("/<any(offers, demands):kinds>/<id:listing_id>")
@operation(_l("Replace every field of an open listing"), body={"offers": schemas.OfferIn, "demands": schemas.DemandIn}, response={"offers": schemas.Offer, "demands": schemas.Demand}, errors=(400, 404, 409, 422))
def update(kinds: str, listing_id: int):  # type: ignore[no-untyped-def]
    """Replaces every field, as the edit form does."""
    listing = listings.update_listing(
        get_session(), api_viewer(), KINDS[kinds], listing_id, _listing_body(kinds), today())
    return jsonify(listing_json(listing, identity().org_name))


@bp.post("/<any(offers, demands):kinds>/<id:listing_id>/withdraw")
@operation(_l("Withdraw an open listing"), response={"offers": schemas.Offer, "demands": schemas.Demand}, errors=(404, 409))
def withdraw(kinds: str, listing_id: int):  # type: ignore[no-untyped-def]
    listing = listings.withdraw_listing(get_session(), api_viewer(), KINDS[kinds], listing_id, today())
    return jsonify(listing_json(listing, identity().org_name))


@bp.post("/<any(offers, demands):kinds>/import")
@operation(_l("Import listings from CSV or XLSX: all rows or none"), response=schemas.ImportResult, status=201, upload=True, errors=(400, 422))
def bulk_import(kinds: str):  # type: ignore[no-untyped-def]
    """A CSV or XLSX file as multipart field ``file``, or as the raw body (``?filename=x.xlsx``)."""
    sent = request.files.get("file")
    content, name = (sent.read(), sent.filename or "") if sent else (request.get_data(), request.args.get("filename", ""))
    if not content:
        raise BadRequest("file", _l("Choose a CSV or XLSX file."))
    created = import_listings(get_session(), api_viewer(), KINDS[kinds], content, name, today())
    response = jsonify({"created": len(created), "ids": [listing.id for listing in created]})
    response.status_code = 201
    return response


@bp.get("/<any(offers, demands):kinds>/export.<any(csv, xlsx):fmt>")
@operation(_l("Export own listings (staff: all) as CSV or XLSX"), download=True)
def bulk_export(kinds: str, fmt: str):  # type: ignore[no-untyped-def]
    lang = request.args.get("lang", "zh")
    content = export_listings(get_session(), api_viewer(), KINDS[kinds], fmt, lang, today())
    response = Response(content, mimetype=FORMATS[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{kinds}.{fmt}"'
    return response


@bp.get("/openapi.json")
@operation(_l("This document (no token needed)"))
def openapi():  # type: ignore[no-untyped-def]
    return jsonify(build(current_app))


def _listing_body(kinds: str) -> dict[str, Any]:
    """The body checked against OfferIn/DemandIn, handed to the listing service as the form
    values it reads (the service then applies the forms' cross-field checks). An offer's
    ``inputs`` become the page's parallel ``input_demand``/``input_ratio`` fields."""
    body = json_body(BODIES[kinds])
    values = form_values(body)
    if isinstance(body, schemas.OfferIn):
        values["input_demand"] = [str(link.demand_id) for link in body.inputs]
        values["input_ratio"] = [repr(link.ratio) for link in body.inputs]
    return values


from matchmaker.api import admin as _admin  # noqa: F401  (registers its routes on bp)
from matchmaker.api import contracts as _contracts  # noqa: F401  (registers its routes on bp)
from matchmaker.api import matching as _matching  # noqa: F401  (registers its routes on bp)
from matchmaker.api import matching_staff as _matching_staff  # noqa: F401  (registers its routes on bp)
from matchmaker.api import monitoring as _monitoring  # noqa: F401  (registers its routes on bp)
from matchmaker.api import profile as _profile  # noqa: F401  (registers its routes on bp)
