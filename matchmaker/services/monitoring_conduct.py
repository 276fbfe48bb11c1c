"""Conduct flags, each with the numbers that raised it.

* **hoarding**: an organisation's demand for an input in a month beyond what its own offers and
  declared projects could use through the bills of materials, by more than ``hoarding_margin_pct``.
  Usable = sum over its products using the input of (offered + project capacity) x BOM quantity.
  Only products that are an input of some bill of materials are checked: demand for a finished
  product is consumption, not stockpiling of an input. An organisation with no offer and no
  project of any product using the input is not judged: its output is not on the platform
  (an energy-storage integrator buying cells sells its systems elsewhere), so nothing is known.
* **gouging**: a fixed-price ask above the product's reference price by more than
  ``gouging_band_pct``; the reference is the latest point of the product's price series, else the
  catalogue's reference price. Index-linked asks follow the index and are not checked.
* **overheating**: supply capacity (offers plus projects) of a product growing from the first
  month of the horizon with both supply and requirement to the last month faster than its
  requirement, by more than ``overheating_pct`` percentage points.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, select

from matchmaker.models import Demand, Offer, Product
from matchmaker.services.monitoring_balance import (
    balance,
    bom_lines,
    horizon,
    listing_volumes,
    project_volumes,
)
from matchmaker.services.monitoring_prices import latest_price
from matchmaker.services.monitoring_settings import thresholds


@dataclass(frozen=True)
class Flag:
    rule: str  # hoarding | gouging | overheating
    subject: str  # what the flag is about, for the alert's identity
    product_id: str
    org_id: int | None
    evidence: dict[str, Any]


def hoarding(session: Session, today: date, limits: dict[str, float]) -> list[Flag]:
    months = horizon(today)
    bom = bom_lines(session)
    users_of: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for product, lines in bom.items():
        for input_id, qty in lines:
            users_of[input_id].append((product, qty))
    buyers = session.exec(select(Demand.org_id).where(Demand.status == "open", Demand.end >= months[0],
                                                      Demand.product_id.in_(list(users_of))).distinct())  # type: ignore[attr-defined]
    flags: list[Flag] = []
    margin = limits["hoarding_margin_pct"]
    for org_id in sorted(buyers):
        demanded = listing_volumes(session, Demand, months, org_id=org_id)
        offered = listing_volumes(session, Offer, months, org_id=org_id)
        projects = project_volumes(session, months, org_id=org_id)
        producing = {(org_id, p): True for (p, _), q in (offered | projects).items() if q > 0}
        worst: dict[str, dict[str, Any]] = {}
        for (input_id, month), qty in demanded.items():
            if input_id not in users_of:
                continue
            uses = [{"product": p, "offered": offered.get((p, month), 0.0), "projects": projects.get((p, month), 0.0),
                     "qty_per_unit": q} for p, q in users_of[input_id]]
            usable = sum((u["offered"] + u["projects"]) * u["qty_per_unit"] for u in uses)
            if not any(producing.get((org_id, p)) for p, _ in users_of[input_id]):
                continue
            limit = usable * (1 + margin / 100)
            if qty > limit and qty - limit > worst.get(input_id, {}).get("excess", 0.0):
                worst[input_id] = {"month": month, "demanded": qty, "usable": usable, "margin_pct": margin,
                                   "limit": limit, "excess": qty - limit,
                                   "uses": [u for u in uses if u["offered"] or u["projects"]]}
        flags += [Flag("hoarding", f"{org_id}:{input_id}", input_id, org_id, ev) for input_id, ev in sorted(worst.items())]
    return flags


def reference_price(session: Session, product: Product) -> tuple[float, str] | None:
    point = latest_price(session, product.id)
    if point is not None:
        return point.price, point.day.isoformat()
    if product.reference_price:
        return product.reference_price, "catalogue"
    return None


def gouging(session: Session, today: date, limits: dict[str, float]) -> list[Flag]:
    month = horizon(today, 1)[0]
    band = limits["gouging_band_pct"]
    flags: list[Flag] = []
    references: dict[str, tuple[float, str] | None] = {}
    offers = session.exec(select(Offer).where(Offer.status == "open", Offer.price_basis == "fixed",
                                              Offer.end >= month).order_by(Offer.id))
    for offer in offers:
        if offer.product_id not in references:
            product = session.get(Product, offer.product_id)
            references[offer.product_id] = reference_price(session, product) if product else None
        reference = references[offer.product_id]
        if reference is None or offer.price is None:
            continue
        premium = (offer.price / reference[0] - 1) * 100
        if premium > band:
            flags.append(Flag("gouging", f"offer:{offer.id}", offer.product_id, offer.org_id, {
                "offer": offer.id, "ask": offer.price, "reference": reference[0], "reference_of": reference[1],
                "premium_pct": premium, "band_pct": band}))
    return flags


def overheating(session: Session, today: date, limits: dict[str, float]) -> list[Flag]:
    months, cells = balance(session, today)
    last = months[-1]
    flags: list[Flag] = []
    for product_id in sorted({p for p, _ in cells}):
        active = [m for m in months if (c := cells.get((product_id, m))) and c.supply > 0 and c.requirement > 0]
        if not active or active[0] == last or (product_id, last) not in cells:
            continue
        first = active[0]
        start, end = cells[(product_id, first)], cells[(product_id, last)]
        capacity_growth = (end.supply / start.supply - 1) * 100
        requirement_growth = (end.requirement / start.requirement - 1) * 100
        if capacity_growth - requirement_growth > limits["overheating_pct"]:
            flags.append(Flag("overheating", product_id, product_id, None, {
                "from": first, "to": last, "supply_from": start.supply, "supply_to": end.supply,
                "projects_to": end.projects, "requirement_from": start.requirement, "requirement_to": end.requirement,
                "capacity_growth_pct": capacity_growth, "requirement_growth_pct": requirement_growth,
                "threshold_pp": limits["overheating_pct"]}))
    return flags


def conduct_flags(session: Session, today: date) -> list[Flag]:
    limits = thresholds(session)
    return hoarding(session, today, limits) + gouging(session, today, limits) + overheating(session, today, limits)
