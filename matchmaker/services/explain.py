"""Why the optimizer proposed what it did, and what it adds over matching by hand.

Everything here reads a run's market file and result file only, so an explanation always
describes exactly what was solved. ``binding`` names the constraints that stop a match from
being larger; ``product_summary`` sets the matched volume against what was offered and demanded
and the optimizer's surplus against ``greedy``: the match staff would make by hand, upstream
tiers first and the best margin first.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from solver import parse_market
from solver.eligibility import Freight, why_not_eligible
from solver.market import Market, month_index, month_label

EPS = 1e-6
TIER_ORDER = ("resource", "material2", "material1", "cell", "system", "recycling")
RELAXABLE: dict[str, object] = {
    "supplier_counts": _l("supplier counts"),
    "shares": _l("supplier and buyer shares"),
    "min_volumes": _l("minimum monthly volumes"),
}


def relax(market: dict[str, Any], family: str) -> dict[str, Any]:
    """The same market without one rule family; raises KeyError for an unknown family."""
    fields = {"supplier_counts": ("max_suppliers",), "shares": ("max_supplier_share", "max_buyer_share"),
              "min_volumes": ("min_monthly_qty",)}[family]
    out = {**market, "offers": [dict(o) for o in market["offers"]], "demands": [dict(d) for d in market["demands"]]}
    for row in (*out["offers"], *out["demands"]):
        for name in fields:
            row.pop(name, None)
    return out


def _ranges(months: list[int]) -> str:
    """2027-01..2027-06, 2027-09 — consecutive months joined."""
    parts: list[str] = []
    for m in sorted(months):
        if parts and parts[-1][1] == m - 1:
            parts[-1] = (parts[-1][0], m)  # type: ignore[call-overload]
        else:
            parts.append((m, m))  # type: ignore[arg-type]
    return ", ".join(month_label(a) if a == b else f"{month_label(a)}–{month_label(b)}" for a, b in parts)  # type: ignore[misc]


def binding(market_data: dict[str, Any], result: dict[str, Any]) -> dict[tuple[str, str], list[object]]:
    """(offer id, demand id) -> the reasons, in words, why that match is no larger."""
    market = parse_market(market_data)
    offers = {o.id: o for o in market.offers}
    demands = {d.id: d for d in market.demands}
    matches = result.get("matches", [])
    sold: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    bought: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    by_org_for_demand: dict[tuple[str, str], float] = defaultdict(float)
    by_org_for_offer: dict[tuple[str, str], float] = defaultdict(float)
    suppliers: dict[str, set[str]] = defaultdict(set)
    for m in matches:
        o, d = offers[m["offer"]], demands[m["demand"]]
        for month in range(month_index(m["start"]), month_index(m["end"]) + 1):  # type: ignore[arg-type, operator]
            sold[o.id][month] += m["monthly_qty"]
            bought[d.id][month] += m["monthly_qty"]
        by_org_for_demand[(d.id, o.org)] += m["monthly_qty"]
        by_org_for_offer[(o.id, d.org)] += m["monthly_qty"]
        suppliers[d.id].add(o.org)
    locked = {(x.offer, x.demand) for x in market.locked}
    out: dict[tuple[str, str], list[object]] = {}
    for m in matches:
        o, d = offers[m["offer"]], demands[m["demand"]]
        term = range(month_index(m["start"]), month_index(m["end"]) + 1)  # type: ignore[arg-type, operator]
        reasons: list[object] = []
        if (o.id, d.id) in locked:
            reasons.append(_l("locked by staff"))
        full = [t for t in term if sold[o.id][t] >= o.free(t) - EPS]
        if full:
            reasons.append(_l("offer capacity full in %(months)s", months=_ranges(full)))
        full = [t for t in term if bought[d.id][t] >= d.free(t) - EPS]
        if full:
            reasons.append(_l("demand fully covered in %(months)s", months=_ranges(full)))
        least = max(o.min_monthly_qty, d.min_monthly_qty)
        if least > 0 and abs(m["monthly_qty"] - least) <= EPS:
            reasons.append(_l("at the minimum monthly volume %(qty)s", qty=format(least, "g")))
        if d.max_supplier_share and by_org_for_demand[(d.id, o.org)] >= d.max_supplier_share * d.monthly_qty - EPS:
            reasons.append(_l("the buyer's share limit for one supplier (%(share)s)", share=format(d.max_supplier_share, "g")))
        if o.max_buyer_share and by_org_for_offer[(o.id, d.org)] >= o.max_buyer_share * o.monthly_qty - EPS:
            reasons.append(_l("the seller's share limit for one buyer (%(share)s)", share=format(o.max_buyer_share, "g")))
        if d.max_suppliers and len(suppliers[d.id]) >= d.max_suppliers:
            reasons.append(_l("the buyer's limit of %(n)s suppliers is reached", n=d.max_suppliers))
        for link in o.inputs:
            source = demands.get(link.demand)
            if source is None:
                continue
            linked = [x for x in market.offers if any(i.demand == link.demand for i in x.inputs)]
            tight = [t for t in term if sum(next(i.ratio for i in x.inputs if i.demand == link.demand) * sold[x.id][t]
                                            for x in linked) >= bought[source.id][t] + source.own_supply - EPS]
            if tight:
                reasons.append(_l("limited by the input bought through %(demand)s in %(months)s",
                                  demand=link.demand, months=_ranges(tight)))
        out[(o.id, d.id)] = reasons
    return out


@dataclass
class Greedy:
    """The match by hand: per pair the volume, and per product the surplus."""

    volumes: dict[tuple[str, str], float] = field(default_factory=dict)
    surplus: dict[str, float] = field(default_factory=lambda: defaultdict(float))


def greedy(market: Market) -> Greedy:
    """Upstream tiers first; within a product the best unit margin first; each pair as large as
    every rule allows given what earlier pairs took (locked pairs are taken first, as agreed)."""
    freight = Freight(market)
    offers = {o.id: o for o in market.offers}
    demands = {d.id: d for d in market.demands}
    sold: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    bought: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    used_input: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    to_org: dict[tuple[str, str], float] = defaultdict(float)
    from_org: dict[tuple[str, str], float] = defaultdict(float)
    suppliers: dict[str, set[str]] = defaultdict(set)
    out = Greedy()

    def take(o: Any, d: Any, q: float, margin: float) -> None:
        start, end = max(o.start, d.start), min(o.end, d.end)
        for t in range(start, end + 1):
            sold[o.id][t] += q
            bought[d.id][t] += q
            for link in o.inputs:
                used_input[link.demand][t] += link.ratio * q
        to_org[(o.id, d.org)] += q
        from_org[(d.id, o.org)] += q
        suppliers[d.id].add(o.org)
        out.volumes[(o.id, d.id)] = q
        out.surplus[o.product] += q * (end - start + 1) * margin

    def margin_of(o: Any, d: Any) -> float:
        return d.price - o.price - freight.cost(o.product, o.region, d.region)

    for lock in market.locked:
        o, d = offers[lock.offer], demands[lock.demand]
        take(o, d, lock.monthly_qty, margin_of(o, d))
    tier = {p.id: TIER_ORDER.index(p.tier) if p.tier in TIER_ORDER else 99 for p in market.products.values()}
    demands_of: dict[str, list[Any]] = defaultdict(list)
    for d in market.demands:
        demands_of[d.product].append(d)
    pairs = [(o, d) for o in market.offers for d in demands_of[o.product]
             if (o.id, d.id) not in out.volumes and why_not_eligible(market, o, d, freight) is None]
    pairs.sort(key=lambda p: (tier[p[0].product], -margin_of(*p), p[0].id, p[1].id))
    for o, d in pairs:
        start, end = max(o.start, d.start), min(o.end, d.end)
        term = range(start, end + 1)
        caps = [min(o.free(t) - sold[o.id][t], d.free(t) - bought[d.id][t]) for t in term]
        for link in o.inputs:
            source = demands.get(link.demand)
            if source is not None:
                caps += [(bought[source.id][t] + source.own_supply - used_input[link.demand][t]) / link.ratio for t in term]
        if o.max_buyer_share:
            caps.append(o.max_buyer_share * o.monthly_qty - to_org[(o.id, d.org)])
        if d.max_supplier_share:
            caps.append(d.max_supplier_share * d.monthly_qty - from_org[(d.id, o.org)])
        if d.max_suppliers and o.org not in suppliers[d.id] and len(suppliers[d.id]) >= d.max_suppliers:
            continue
        q = min(caps)
        if q <= EPS or q < max(o.min_monthly_qty, d.min_monthly_qty) - EPS:
            continue
        take(o, d, q, margin_of(o, d))
    return out


@dataclass
class ProductSummary:
    product: str
    unit: str
    offered: float  # units over the windows, after contracts
    demanded: float
    matched: float  # units over the terms of the proposed matches
    surplus: float
    greedy_surplus: float


def product_summary(market_data: dict[str, Any], result: dict[str, Any]) -> list[ProductSummary]:
    market = parse_market(market_data)
    by_hand = greedy(market)
    rows: dict[str, ProductSummary] = {}
    for p in market.products.values():
        rows[p.id] = ProductSummary(p.id, p.unit, 0.0, 0.0, 0.0, 0.0, by_hand.surplus.get(p.id, 0.0))
    for o in market.offers:
        rows[o.product].offered += sum(o.free(t) for t in range(o.start, o.end + 1))
    for d in market.demands:
        rows[d.product].demanded += sum(d.free(t) for t in range(d.start, d.end + 1))
    offer_product = {o.id: o.product for o in market.offers}
    for m in result.get("matches", []):
        row = rows[offer_product[m["offer"]]]
        row.matched += m["monthly_qty"] * m["months"]
        row.surplus += m["surplus"]
    return [r for r in rows.values() if r.offered or r.demanded]


@dataclass
class PairComparison:
    offer: str
    demand: str
    qty_a: float
    qty_b: float
    surplus_a: float
    surplus_b: float


def compare(result_a: dict[str, Any], result_b: dict[str, Any]) -> list[PairComparison]:
    """Every pair matched in either run, with its volume and surplus in each (0 when absent)."""
    a = {(m["offer"], m["demand"]): m for m in result_a.get("matches", [])}
    b = {(m["offer"], m["demand"]): m for m in result_b.get("matches", [])}
    rows = []
    for key in sorted(set(a) | set(b)):
        ma, mb = a.get(key, {}), b.get(key, {})
        rows.append(PairComparison(key[0], key[1], ma.get("monthly_qty", 0.0), mb.get("monthly_qty", 0.0),
                                   ma.get("surplus", 0.0), mb.get("surplus", 0.0)))
    return rows
