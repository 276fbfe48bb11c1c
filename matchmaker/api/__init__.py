"""JSON API v1: the same services and the same confidentiality as the pages.

Authentication is the session cookie of a logged-in user; state-changing requests carry the
CSRF token in an ``X-CSRFToken`` header. Errors are JSON: ``{"error": "validation", "fields":
{"monthly_qty": "Must be greater than 0."}}`` with status 400, and 401/403/404/409 otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from functools import wraps
from typing import Any

from flask import Blueprint, abort, current_app, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from matchmaker.db import get_session
from matchmaker.models import Demand, Offer
from matchmaker.services import listings
from matchmaker.services.errors import ValidationError
from matchmaker.services.queries import ListingFilters, market_view, search_listings
from matchmaker.web.users import today, viewer

bp = Blueprint("api", __name__, url_prefix="/api/v1")
KINDS = {"offers": "offer", "demands": "demand"}
PUBLIC_FIELDS = (
    "id", "product_id", "region", "monthly_qty", "start", "end", "min_term_months", "min_monthly_qty",
    "price_basis", "price", "index_name", "index_adjustment", "index_adjustment_kind", "price_floor",
    "price_ceiling", "delivery_terms", "delivery_notes",
)
OFFER_FIELDS = ("certifications", "max_buyer_share")
DEMAND_FIELDS = ("required_certifications", "max_supplier_share", "max_suppliers", "own_supply")


def api_login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """401 JSON instead of the login page redirect."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            abort(401)
        return view(*args, **kwargs)

    return wrapped


def listing_json(listing: Offer | Demand, org_name: str) -> dict[str, Any]:
    """A listing in full, for its own organisation or staff only (callers check through services)."""
    fields = PUBLIC_FIELDS + (OFFER_FIELDS if isinstance(listing, Offer) else DEMAND_FIELDS)
    data = {name: getattr(listing, name) for name in fields}
    data["org"] = org_name
    data["status"] = listings.effective_status(listing, today())
    return data


def _page_json(page: Any, items: list[Any]) -> dict[str, Any]:
    return {"items": items, "page": page.page, "pages": page.pages, "total": page.total}


@bp.get("/market")
@api_login_required
def market():  # type: ignore[no-untyped-def]
    filters = ListingFilters.from_args(request.args)
    page = market_view(get_session(), viewer(), filters, today(), current_app.config["PAGE_SIZE"])
    rows = [
        {k: v for k, v in asdict(row).items() if k not in ("product_name_zh", "product_name_en")}
        for row in page.items
    ]
    return jsonify(_page_json(page, rows))


@bp.get("/<any(offers, demands):kinds>")
@api_login_required
def index(kinds: str):  # type: ignore[no-untyped-def]
    filters = ListingFilters.from_args(request.args)
    page = search_listings(get_session(), viewer(), KINDS[kinds], filters, today(), current_app.config["PAGE_SIZE"])
    return jsonify(_page_json(page, [listing_json(row.listing, row.org_name) for row in page.items]))


@bp.get("/<any(offers, demands):kinds>/<id:listing_id>")
@api_login_required
def show(kinds: str, listing_id: int):  # type: ignore[no-untyped-def]
    from matchmaker.services.orgs import get_organisation

    db = get_session()
    listing = listings.get_listing(db, viewer(), KINDS[kinds], listing_id)
    return jsonify(listing_json(listing, get_organisation(db, viewer(), listing.org_id).name))


@bp.post("/<any(offers, demands):kinds>")
@api_login_required
def create(kinds: str):  # type: ignore[no-untyped-def]
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError({"body": _l("Send a JSON object.")})
    listing = listings.create_listing(get_session(), viewer(), KINDS[kinds], _as_form(data), today())
    response = jsonify(listing_json(listing, current_user.org_name))
    response.status_code = 201
    return response


def _as_form(data: dict[str, Any]) -> dict[str, Any]:
    """JSON numbers and lists as the text values the form reader takes."""
    return {k: v if isinstance(v, list) else ("" if v is None else str(v)) for k, v in data.items()}
