"""Database rows to a ``lithium-market/1`` snapshot: the one place where the web meets the solver.

Only open listings whose window has not ended go in, with windows starting no earlier than the
current month; index-linked prices are evaluated at the index values given. Volume already
contracted goes out as ``remaining`` per month, so a run only offers what is left. Organisations appear
as ``org-<id>`` and listings as ``O<id>`` / ``D<id>``, so a result maps straight back to rows.

Freight goes in as ``transport`` entries per product, only for the lanes between the regions that
product's exported offers and demands use (see ``_transport``); docs/freight.md has the figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, select

from matchmaker.freight import FreightRates, lane
from matchmaker.models import Demand, Offer, OfferInput, Product
from matchmaker.regions import PROVINCES
from matchmaker.services.capacity import contracted_by_month
from matchmaker.services.fields import current_month
from matchmaker.services.freight import current_rates
from matchmaker.services.orgs import valid_certification_names
from matchmaker.services.pricing import MissingIndex, effective_price


@dataclass
class Snapshot:
    market: dict[str, Any]
    skipped: list[str] = field(default_factory=list)


def export_market(session: Session, today: date, index_values: Mapping[str, float]) -> Snapshot:
    """The market as the solver reads it; listings that cannot be priced are listed in ``skipped``."""
    month = current_month(today)
    products = session.exec(select(Product).order_by(Product.id)).all()
    snapshot = Snapshot(market={
        "format": "lithium-market/1",
        "currency": "CNY",
        "products": [{"id": p.id, "name": p.name_en, "tier": p.tier, "unit": p.unit} for p in products],
        "regions": list(PROVINCES),
        "offers": [],
        "demands": [],
    })
    held: dict[int, set[str]] = {}

    def certs_of(org_id: int) -> set[str]:
        if org_id not in held:
            held[org_id] = valid_certification_names(session, org_id, today)
        return held[org_id]

    exported_demands: set[int] = set()
    bought = contracted_by_month(session, "demand")
    sold = contracted_by_month(session, "offer")
    for demand in _open(session, Demand, month):
        row = _common(demand, "D", month, index_values, snapshot.skipped)
        if row is None:
            continue
        _remaining(row, demand, bought)
        row["required_certifications"] = sorted(demand.required_certifications)
        row["own_supply"] = demand.own_supply
        _optional(row, demand, "max_supplier_share", "max_suppliers")
        snapshot.market["demands"].append(row)
        exported_demands.add(demand.id)  # type: ignore[arg-type]
    for offer in _open(session, Offer, month):
        row = _common(offer, "O", month, index_values, snapshot.skipped)
        if row is None:
            continue
        _remaining(row, offer, sold)
        row["certifications"] = sorted(set(offer.certifications) & certs_of(offer.org_id))
        _optional(row, offer, "max_buyer_share")
        links = session.exec(select(OfferInput).where(OfferInput.offer_id == offer.id)).all()
        inputs = [{"demand": f"D{link.demand_id}", "ratio": link.ratio} for link in links if link.demand_id in exported_demands]
        if inputs:
            row["inputs"] = inputs
        snapshot.market["offers"].append(row)
    snapshot.market["transport"] = _transport(products, snapshot.market, current_rates(session))
    return snapshot


def _transport(products: list[Product], market: Mapping[str, Any], rates: FreightRates) -> list[dict[str, Any]]:
    """Freight per unit, per product, on every lane between a region where the product is offered
    and one where it is demanded: every pair the solver can match has its entry, so the
    products' ``default_transport_cost`` (0) never prices a lane the listings use.

    An entry is written only when it changes the answer, so a cost of 0 is left out: within a
    province the spec gives 0, between provinces the default does. A lane within one province has
    a cost only when staff set one for it. A product without tonnes per unit has no entries: its
    freight is 0, as the staff freight page says.
    """
    sources: dict[str, set[str]] = {}
    sinks: dict[str, set[str]] = {}
    for offer in market["offers"]:
        sources.setdefault(offer["product"], set()).add(offer["region"])
    for demand in market["demands"]:
        sinks.setdefault(demand["product"], set()).add(demand["region"])
    entries: list[dict[str, Any]] = []
    for product in products:
        lanes = {lane(a, b) for a in sources.get(product.id, ()) for b in sinks.get(product.id, ())}
        for a, b in sorted(lanes):
            cost = rates.per_unit(a, b, product.tonnes_per_unit)
            if cost:
                entries.append({"from": a, "to": b, "product": product.id, "cost": cost})
    return entries


def _open(session: Session, model: type[Offer | Demand], month: str) -> list[Any]:
    query = select(model).where(model.status == "open", model.end >= month).order_by(model.id)
    return list(session.exec(query))


def _common(
    listing: Offer | Demand, prefix: str, month: str, index_values: Mapping[str, float], skipped: list[str]
) -> dict[str, Any] | None:
    try:
        price = effective_price(listing, index_values)
    except MissingIndex as missing:
        skipped.append(f"{prefix}{listing.id}: no value for index {missing.args[0]}")
        return None
    return {
        "id": f"{prefix}{listing.id}", "org": f"org-{listing.org_id}", "product": listing.product_id,
        "region": listing.region, "monthly_qty": listing.monthly_qty, "start": max(listing.start, month),
        "end": listing.end, "price": price, "min_term_months": listing.min_term_months,
        "min_monthly_qty": listing.min_monthly_qty,
    }


def _remaining(row: dict[str, Any], listing: Offer | Demand, contracted: Mapping[int, Mapping[str, float]]) -> None:
    used = contracted.get(listing.id, {})  # type: ignore[arg-type]
    left = {m: max(0.0, listing.monthly_qty - qty) for m, qty in sorted(used.items()) if row["start"] <= m <= row["end"]}
    if left:
        row["remaining"] = left


def _optional(row: dict[str, Any], listing: Offer | Demand, *names: str) -> None:
    for name in names:
        value = getattr(listing, name)
        if value is not None:
            row[name] = value
