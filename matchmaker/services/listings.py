"""Posting, editing and withdrawing offers and demands.

Only members of approved organisations post; only the posting organisation edits or withdraws;
another organisation's listing is NotFound here (its existence is confidential too). Every field
is checked before anything is written, so a refused form never leaves a half-saved listing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from matchmaker.domain import CERTIFICATIONS, DELIVERY_TERMS, PRICE_INDICES
from matchmaker.models import Demand, Offer, Product
from matchmaker.models.base import utcnow
from matchmaker.regions import PROVINCES
from matchmaker.services.chain import read_inputs, save_inputs
from matchmaker.services.errors import Conflict, NotFound, PermissionDenied
from matchmaker.services.fields import FormReader, current_month, month_index, months_inclusive
from matchmaker.services.orgs import valid_certification_names
from matchmaker.services.viewer import Viewer

Kind = Literal["offer", "demand"]
MODELS: dict[str, type[Offer | Demand]] = {"offer": Offer, "demand": Demand}
MAX_WINDOW_MONTHS = 240


def model_for(kind: str) -> type[Offer | Demand]:
    if kind not in MODELS:
        raise NotFound(kind)
    return MODELS[kind]


def effective_status(listing: Offer | Demand, today: date) -> str:
    """``expired`` for an open listing whose last month has passed; the stored status otherwise."""
    if listing.status == "open" and listing.end < current_month(today):
        return "expired"
    return listing.status


def read_listing(
    session: Session, viewer: Viewer, kind: str, data: Mapping[str, Any], today: date
) -> dict[str, Any]:
    """Every field of the form, typed and checked. Raises ValidationError naming each bad field."""
    form = FormReader(data)
    values: dict[str, Any] = {}
    product_id = form.raw("product_id")
    if not product_id:
        form.error("product_id", _l("This field is required."))
    elif session.get(Product, product_id) is None:
        form.error("product_id", _l("Unknown product."))
    values["product_id"] = product_id
    values["region"] = form.choice("region", PROVINCES, _l("Unknown region."))
    values["monthly_qty"] = form.number("monthly_qty", gt=0)
    values["start"] = form.month("start")
    values["end"] = form.month("end")
    window = None
    if values["start"] and values["end"]:
        if values["end"] < values["start"]:
            form.error("end", _l("The window must not end before it starts."))
        elif values["end"] < current_month(today):
            form.error("end", _l("The window has already ended."))
        else:
            window = months_inclusive(values["start"], values["end"])
            if window > MAX_WINDOW_MONTHS:
                form.error("end", _l("A window of at most %(n)s months.", n=MAX_WINDOW_MONTHS))
    values["min_term_months"] = form.integer("min_term_months", required=False, ge=1, le=MAX_WINDOW_MONTHS) or 1
    if window is not None and values["min_term_months"] > window:
        form.error("min_term_months", _l("Longer than the window (%(n)s months).", n=window))
    values["min_monthly_qty"] = form.number("min_monthly_qty", required=False, ge=0) or 0.0
    if values["monthly_qty"] is not None and values["min_monthly_qty"] > values["monthly_qty"]:
        form.error("min_monthly_qty", _l("Cannot exceed the monthly quantity."))
    _read_price(form, values)
    values["delivery_terms"] = form.choice("delivery_terms", DELIVERY_TERMS)
    values["delivery_notes"] = form.text("delivery_notes", max_len=500, required=False)
    if kind == "offer":
        values["certifications"] = form.choice_list("certifications", CERTIFICATIONS)
        held = valid_certification_names(session, viewer.org_id, today)
        missing = [c for c in values["certifications"] if c not in held]
        if missing and "certifications" not in form.errors:
            form.error(
                "certifications",
                _l("Your organisation holds no valid certificate for: %(names)s",
                   names=", ".join(CERTIFICATIONS[c] for c in missing)),
            )
        values["max_buyer_share"] = form.number("max_buyer_share", required=False, gt=0, le=1)
        values["inputs"] = read_inputs(session, viewer, form)
    else:
        values["required_certifications"] = form.choice_list("required_certifications", CERTIFICATIONS)
        values["max_supplier_share"] = form.number("max_supplier_share", required=False, gt=0, le=1)
        values["max_suppliers"] = form.integer("max_suppliers", required=False, ge=1, le=1000)
        values["own_supply"] = form.number("own_supply", required=False, ge=0) or 0.0
    form.raise_if_errors()
    return values


def _read_price(form: FormReader, values: dict[str, Any]) -> None:
    basis = form.choice("price_basis", {"fixed", "index"})
    values["price_basis"] = basis
    for name in ("price", "index_name", "index_adjustment", "index_adjustment_kind", "price_floor", "price_ceiling"):
        values[name] = None
    if basis == "fixed":
        values["price"] = form.number("price", ge=0)
    elif basis == "index":
        values["index_name"] = form.choice("index_name", PRICE_INDICES)
        kind = form.choice("index_adjustment_kind", {"amount", "percent"})
        values["index_adjustment_kind"] = kind
        if kind == "percent":
            values["index_adjustment"] = form.number("index_adjustment", required=False, gt=-100, lt=100) or 0.0
        else:
            values["index_adjustment"] = form.number("index_adjustment", required=False) or 0.0
        values["price_floor"] = form.number("price_floor", required=False, ge=0)
        values["price_ceiling"] = form.number("price_ceiling", required=False, ge=0)
        floor, ceiling = values["price_floor"], values["price_ceiling"]
        if floor is not None and ceiling is not None and ceiling < floor:
            form.error("price_ceiling", _l("The ceiling must not be below the floor."))


def create_listing(
    session: Session, viewer: Viewer, kind: str, data: Mapping[str, Any], today: date
) -> Offer | Demand:
    """Raises PermissionDenied (not an approved member) or ValidationError."""
    model = model_for(kind)
    if not viewer.may_trade:
        raise PermissionDenied()
    values = read_listing(session, viewer, kind, data, today)
    links = values.pop("inputs", None)
    listing = model(org_id=viewer.org_id, status="open", **values)
    session.add(listing)
    if links:
        session.flush()
        save_inputs(session, listing.id, links)  # type: ignore[arg-type]
    session.commit()
    return listing


def get_listing(session: Session, viewer: Viewer, kind: str, listing_id: int) -> Offer | Demand:
    """A listing in full: the viewer's own organisation's, or any for staff. Raises NotFound."""
    listing = session.get(model_for(kind), listing_id)
    if listing is None or not (viewer.is_staff or listing.org_id == viewer.org_id):
        raise NotFound(listing_id)
    return listing


def _own_open_listing(
    session: Session, viewer: Viewer, kind: str, listing_id: int, today: date
) -> Offer | Demand:
    listing = session.get(model_for(kind), listing_id)
    if listing is None or listing.org_id != viewer.org_id:
        raise NotFound(listing_id)
    if not viewer.may_trade:
        raise PermissionDenied()
    if effective_status(listing, today) != "open":
        raise Conflict(listing_id)
    return listing


def update_listing(
    session: Session, viewer: Viewer, kind: str, listing_id: int, data: Mapping[str, Any], today: date
) -> Offer | Demand:
    """Raises NotFound, PermissionDenied, Conflict (withdrawn or expired) or ValidationError."""
    listing = _own_open_listing(session, viewer, kind, listing_id, today)
    values = read_listing(session, viewer, kind, data, today)
    links = values.pop("inputs", None)
    for name, value in values.items():
        setattr(listing, name, value)
    if links is not None:
        save_inputs(session, listing.id, links)  # type: ignore[arg-type]
    listing.updated_at = utcnow()
    session.add(listing)
    session.commit()
    return listing


def withdraw_listing(
    session: Session, viewer: Viewer, kind: str, listing_id: int, today: date
) -> Offer | Demand:
    """Raises NotFound, PermissionDenied or Conflict (already withdrawn or expired)."""
    listing = _own_open_listing(session, viewer, kind, listing_id, today)
    listing.status = "withdrawn"
    listing.updated_at = utcnow()
    session.add(listing)
    session.commit()
    return listing


def close_expired_listings(session: Session, today: date) -> int:
    """Store ``expired`` on open listings whose window has ended (a periodic job); returns how many.

    Reads never depend on it: ``effective_status`` and the list queries already treat them as closed.
    """
    closed = 0
    month = current_month(today)
    for model in (Offer, Demand):
        result = session.execute(
            model.__table__.update()  # type: ignore[attr-defined]
            .where(model.status == "open", model.end < month)
            .values(status="expired", updated_at=utcnow())
        )
        closed += result.rowcount or 0
    session.commit()
    return closed


def window_months(listing: Offer | Demand) -> int:
    return month_index(listing.end) - month_index(listing.start) + 1
