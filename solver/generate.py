"""Realistic national scenarios for the matcher: `generate_market(orgs, seed, lp)`.

A generated market is what the benchmark and the web demo run on, so it has the shape the real
platform will see: every tier of the chain, bills of materials as chain links, freight between ten
provinces, certifications, contract windows and business rules. Everything it assumes is listed
in docs/generator.md. The same (orgs, seed) gives the same market with and without `lp`: the LP
variant only drops the fields that make the problem mixed-integer.
"""

from __future__ import annotations

import random
from typing import Any

from .generate_catalog import (
    REGION_IDS,
    CatalogProduct,
    default_transport_cost,
    load_catalog,
    transport_entries,
)
from .generate_orgs import Org, make_orgs
from .generate_roles import FINAL_DEMAND, national_volumes

HORIZON_START = (2027, 1)
HORIZON_MONTHS = 48
TIER_ORDER = ("resource", "material2", "material1", "cell", "system", "recycling")
# Window lengths (months) and how often each is posted. Capacity is offered for long stretches;
# buyers post yearly to four-year orders. (weights, chance of starting with the horizon)
WINDOW_LENGTHS = (12, 18, 24, 36, 48)
OFFER_WINDOWS = ((1, 0, 2, 3, 5), 0.6)
DEMAND_WINDOWS = ((3, 1, 3, 2, 2), 0.45)
# A platform of this many orgs carries the whole national volume; smaller ones a proportional slice.
NATIONAL_ORGS = 1000
# Asks and bids as a share of the reference price: asks a little below, bids a little above, so
# that a good share of pairs clears after freight.
ASK_SPREAD = (-0.12, 0.10)
BID_SPREAD = (-0.08, 0.14)
OFFERS_PER_SELLER = (1, 1, 2, 2, 3)
DEMANDS_PER_BUYER = (1, 2, 2, 3)


def _sig(value: float, digits: int = 4) -> float:
    """Round to significant digits: volumes and prices as people post them."""
    return float(f"{value:.{digits}g}")


def _month(offset: int) -> str:
    year, month = HORIZON_START
    index = year * 12 + month - 1 + offset
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


class _Builder:
    """Accumulates listings; one instance per generated market."""

    def __init__(self, catalog: dict[str, CatalogProduct], rng: random.Random):
        self.catalog = catalog
        self.rng = rng
        self.offers: list[dict[str, Any]] = []
        self.demands: list[dict[str, Any]] = []

    # -- pieces shared by offers and demands ------------------------------------------------
    def window(self, kind: tuple[tuple[int, ...], float]) -> tuple[int, int]:
        weights, at_start = kind
        length = self.rng.choices(WINDOW_LENGTHS, weights)[0]
        if self.rng.random() < at_start:
            start = 0
        else:
            start = 3 * self.rng.randint(0, (HORIZON_MONTHS - length) // 3)
        return start, start + length - 1

    def listing(self, org: Org, product: str, qty: float, price: float, window: tuple[int, int]):
        start, end = window
        item: dict[str, Any] = {
            "org": org.id,
            "product": product,
            "region": org.region,
            "monthly_qty": _sig(qty),
            "start": _month(start),
            "end": _month(end),
            "price": _sig(price),
        }
        if self.rng.random() < 0.4:
            item["min_term_months"] = min(end - start + 1, self.rng.choice((6, 12, 12, 24)))
        return item

    def price(self, product: str, spread: tuple[float, float]) -> float:
        return self.catalog[product].reference_price * (1 + self.rng.uniform(*spread))

    def split(self, total: float, parts: int) -> list[float]:
        weights = [self.rng.uniform(0.5, 1.5) for _ in range(parts)]
        return [total * w / sum(weights) for w in weights]

    # -- offers and demands -------------------------------------------------------------------
    def demand(self, org: Org, product: str, qty: float, price: float, window: tuple[int, int],
               own_supply: float = 0.0) -> str:
        item = {"id": f"D{len(self.demands) + 1}", **self.listing(org, product, qty, price, window)}
        required = [c for c, p in org.role.requires.items() if self.rng.random() < p]
        if required:
            item["required_certifications"] = sorted(required)
        if self.rng.random() < 0.25:
            item["min_monthly_qty"] = _sig(item["monthly_qty"] * self.rng.uniform(0.1, 0.3))
        if self.rng.random() < 0.25:
            item["max_supplier_share"] = self.rng.choice((0.3, 0.4, 0.5, 0.6, 0.7))
        if self.rng.random() < 0.12:
            item["max_suppliers"] = self.rng.randint(2, 5)
        if own_supply > 0:
            item["own_supply"] = _sig(own_supply)
        self.demands.append(item)
        return str(item["id"])

    def offer(self, org: Org, product: str, qty: float, bill: tuple[tuple[str, float], ...],
              utilisation: float) -> None:
        """An offer of capacity and, for a product with a bill of materials, one linked demand per
        input, sized for the share of capacity the org expects to sell (`utilisation`)."""
        window = self.window(OFFER_WINDOWS)
        trader_bid: float | None = None
        if bill and bill[0][0] == product:  # a trader resells what it buys: ask above its own bid
            trader_bid = self.price(product, (-0.10, 0.04))
            ask = trader_bid * self.rng.uniform(1.01, 1.06)
        else:
            ask = self.price(product, ASK_SPREAD)
        item = self.listing(org, product, qty, ask, window)
        if org.certifications:
            item["certifications"] = list(org.certifications)
        if self.rng.random() < 0.3:
            item["min_monthly_qty"] = _sig(item["monthly_qty"] * self.rng.uniform(0.05, 0.25))
        if self.rng.random() < 0.2:
            item["max_buyer_share"] = self.rng.choice((0.3, 0.4, 0.5, 0.6))
        if self.rng.random() < 0.06:
            # Capacity already contracted in the first months of the window.
            months = range(window[0], min(window[1], window[0] + self.rng.randint(1, 6) - 1) + 1)
            item["remaining"] = {
                _month(m): _sig(item["monthly_qty"] * self.rng.uniform(0.0, 0.8)) for m in months
            }
        links = []
        for position, (input_id, ratio) in enumerate(bill):
            need = item["monthly_qty"] * ratio * utilisation * self.rng.uniform(0.9, 1.1)
            captive = self.rng.uniform(0.2, 0.6) if org.integrated and position == 0 else 0.0
            wanted = need * (1 - captive)
            bid_price = trader_bid if trader_bid is not None else self.price(input_id, BID_SPREAD)
            demand_id = self.demand(org, input_id, wanted, bid_price, window, need * captive)
            links.append({"demand": demand_id, "ratio": ratio})
        if links:
            item["inputs"] = links
        self.offers.append({"id": f"O{len(self.offers) + 1}", **item})


def _volumes(orgs: list[Org], catalog: dict[str, CatalogProduct], rng: random.Random,
             scale: float) -> tuple[dict[str, float], dict[str, float]]:
    """Monthly volume of each org (its role's national volume, scaled, shared by org weight) and
    the overcapacity of each product.

    Offers are capacity: each product's is its national volume times a random overcapacity factor
    (0.9-1.7: China's chain ran well below capacity in 2024-2025, a few products are tight).
    Final demand is its national volume times 0.9-1.15. Makers size their input demands on what
    they expect to sell, not on capacity, so each product's demand stays near its national volume
    and supply is usually long: each demand is a small part of what is on offer.
    """
    national = national_volumes(catalog)
    capacity = {pid: rng.uniform(0.9, 1.7) for pid in catalog}
    demand_factor = {pid: rng.uniform(0.9, 1.15) for pid in FINAL_DEMAND}
    totals: dict[tuple[str, str], float] = {}
    for org in orgs:
        key = (org.role.key, org.buys or "")
        totals[key] = totals.get(key, 0.0) + org.weight
    volume: dict[str, float] = {}
    for org in orgs:
        role = org.role
        share = org.weight / totals[(role.key, org.buys or "")]
        if role.sells:
            base = national[role.sells] * role.route_share * capacity[role.sells]
        else:
            base = FINAL_DEMAND[org.buys] * demand_factor[org.buys]
        volume[org.id] = base * scale * share
    return volume, capacity


def _forbidden(builder: _Builder, count: int) -> list[dict[str, str]]:
    """A few pairs staff ruled out (a quality dispute, a sanctions check): same product, other org."""
    rng = builder.rng
    by_product: dict[str, list[dict[str, Any]]] = {}
    for d in builder.demands:
        by_product.setdefault(d["product"], []).append(d)
    pairs: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for _ in range(count * 5):
        if len(pairs) >= count or not builder.offers:
            break
        offer = rng.choice(builder.offers)
        candidates = by_product.get(offer["product"], [])
        if not candidates:
            continue
        demand = rng.choice(candidates)
        key = (offer["id"], demand["id"])
        if demand["org"] != offer["org"] and key not in seen:
            seen.add(key)
            pairs.append({"offer": key[0], "demand": key[1]})
    return pairs


def _strip_integer_rules(listings: list[dict[str, Any]]) -> None:
    for item in listings:
        item.pop("min_monthly_qty", None)
        item.pop("max_suppliers", None)


def generate_market(orgs: int, seed: int, lp: bool = False) -> dict[str, Any]:
    """A JSON-ready `lithium-market/1` market with `orgs` organisations, the same for the same
    arguments. With `lp`, no minimum volumes and no supplier counts, so the optimum is a linear
    program. Raises ValueError when `orgs` < 1."""
    if orgs < 1:
        raise ValueError(f"orgs must be >= 1, got {orgs}")
    rng = random.Random(f"lithium-market/1 orgs={orgs} seed={seed}")
    catalog = load_catalog()
    scale = min(1.0, orgs / NATIONAL_ORGS)
    members = make_orgs(orgs, rng)
    volume, capacity = _volumes(members, catalog, rng, scale)
    builder = _Builder(catalog, rng)
    for org in members:
        role = org.role
        if role.sells:
            org.tiers.add(catalog[role.sells].tier)
            bill = role.bill(catalog)
            org.tiers.update(catalog[p].tier for p, _ in bill)
            parts = rng.choice(OFFERS_PER_SELLER)
            for qty in builder.split(volume[org.id], parts):
                builder.offer(org, role.sells, qty, bill, 1 / capacity[role.sells])
        else:
            org.tiers.add(catalog[org.buys].tier)
            parts = rng.choice(DEMANDS_PER_BUYER)
            for qty in builder.split(volume[org.id], parts):
                bid = builder.price(org.buys, BID_SPREAD)
                builder.demand(org, org.buys, qty, bid, builder.window(DEMAND_WINDOWS))
    forbidden = _forbidden(builder, orgs // 200 + 1)
    if lp:
        _strip_integer_rules(builder.offers)
        _strip_integer_rules(builder.demands)
    return {
        "format": "lithium-market/1",
        "currency": "CNY",
        "generator": {"orgs": orgs, "seed": seed, "lp": lp, "horizon": [_month(0), _month(HORIZON_MONTHS - 1)]},
        "products": [
            {"id": p.id, "name": p.name, "name_zh": p.name_zh, "tier": p.tier, "unit": p.unit,
             "default_transport_cost": default_transport_cost(p)}
            for p in catalog.values()
        ],
        "regions": list(REGION_IDS),
        "transport": transport_entries(catalog),
        "offers": builder.offers,
        "demands": builder.demands,
        "forbidden": forbidden,
        "orgs": [org.describe(TIER_ORDER) for org in members],
    }
