"""Name a constraint that the locked matches break.

Nothing but locks can make a valid market infeasible (all volumes at zero satisfy every rule), so
checking the locked volumes alone against each rule finds the reason staff need to see.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from .arrays import MarketArrays
from .backend import solve_model
from .market import month_label
from .model import LinearModel, build_model


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def lock_conflict(data: MarketArrays, locked: dict[int, float], deep: bool = False) -> str | None:
    """The first rule the locked volumes break on their own, or None."""
    if not locked:
        return None
    market, p = data.market, data.pairs
    offers, demands = market.offers, market.demands
    volume = {k: v * data.pair_scale[k] for k, v in locked.items()}
    tol = 1e-9

    for k, q in volume.items():
        if p.min_qty[k] > 0 and q < p.min_qty[k] * (1 - tol):
            o, d = offers[p.offer[k]], demands[p.demand[k]]
            return f"locked {o.id}-{d.id}: monthly_qty {_fmt(q)} is below the minimum {_fmt(p.min_qty[k])}"

    load: dict[tuple[str, int, int], float] = defaultdict(float)
    for k, q in volume.items():
        for month in range(int(p.start[k]), int(p.end[k]) + 1):
            load[("offer", int(p.offer[k]), month)] += q
            load[("demand", int(p.demand[k]), month)] += q
    for (kind, i, month), q in sorted(load.items()):
        listing = offers[i] if kind == "offer" else demands[i]
        free = listing.free(month)
        if q > free * (1 + tol) + 1e-12:
            word = "capacity" if kind == "offer" else "demand"
            return f"{kind} {listing.id} {word} in {month_label(month)}: locked {_fmt(q)} > {_fmt(free)}"

    supplier: dict[tuple[int, str], float] = defaultdict(float)
    buyer: dict[tuple[int, str], float] = defaultdict(float)
    suppliers: dict[int, set[str]] = defaultdict(set)
    for k, q in volume.items():
        o, d = offers[p.offer[k]], demands[p.demand[k]]
        supplier[(int(p.demand[k]), o.org)] += q
        buyer[(int(p.offer[k]), d.org)] += q
        suppliers[int(p.demand[k])].add(o.org)
    for (j, org), q in sorted(supplier.items()):
        d = demands[j]
        if d.max_supplier_share is not None and q > d.max_supplier_share * d.monthly_qty * (1 + tol):
            cap = d.max_supplier_share * d.monthly_qty
            return f"demand {d.id} supplier share of {org}: locked {_fmt(q)} > {_fmt(cap)}"
    for (i, org), q in sorted(buyer.items()):
        o = offers[i]
        if o.max_buyer_share is not None and q > o.max_buyer_share * o.monthly_qty * (1 + tol):
            cap = o.max_buyer_share * o.monthly_qty
            return f"offer {o.id} buyer share of {org}: locked {_fmt(q)} > {_fmt(cap)}"
    for j, orgs in sorted(suppliers.items()):
        d = demands[j]
        if d.max_suppliers is not None and len(orgs) > d.max_suppliers:
            return f"demand {d.id} supplier count: {len(orgs)} locked suppliers > {d.max_suppliers}"
    return _chain_conflict(data, volume, deep)


def _chain_conflict(data: MarketArrays, volume: dict[int, float], deep: bool) -> str | None:
    """Locked sales need inputs: more than the input demand can possibly buy is a conflict."""
    market, p = data.market, data.pairs
    offers, demands = market.offers, market.demands
    need: dict[tuple[int, int], float] = defaultdict(float)
    index = {d.id: j for j, d in enumerate(demands)}
    for k, q in volume.items():
        o = offers[p.offer[k]]
        for link in o.inputs:
            for month in range(int(p.start[k]), int(p.end[k]) + 1):
                need[(index[link.demand], month)] += link.ratio * q
    if not need:
        return None
    # The most an input demand could buy in a month: its own free volume, and (deep) what its
    # eligible pairs could deliver at their bounds.
    reach = None
    if deep:
        reach = np.zeros((len(demands), data.horizon + 1))
        upper = data.upper * data.pair_scale
        for k in range(len(p)):
            reach[p.demand[k], p.start[k] - data.base : p.end[k] - data.base + 1] += upper[k]
    for (j, month), q in sorted(need.items()):
        d = demands[j]
        free = d.free(month) if d.start <= month <= d.end else 0.0
        if reach is not None:
            free = min(free, reach[j, month - data.base])
        if q > (free + d.own_supply) * (1 + 1e-9) + 1e-12:
            return (
                f"demand {d.id} chain link in {month_label(month)}: locked sales need {_fmt(q)}"
                f" of input, at most {_fmt(free)} can be bought plus own supply {_fmt(d.own_supply)}"
            )
    return None


def elastic_reason(data: MarketArrays, locked: dict[int, float]) -> str | None:
    """Locks that only conflict through other pairs (an input bought from a supplier whose
    capacity is locked elsewhere): give every row a penalised slack, keep the locks, and name the
    row that has to give the most."""
    market = data.market
    base = build_model(data, np.arange(len(data.pairs)), locked)
    n, m = len(base.cost), base.num_rows
    elastic = LinearModel(
        columns=base.columns,
        lower=np.concatenate([base.lower, np.zeros(m)]),
        upper=np.concatenate([base.upper, np.full(m, np.inf)]),
        cost=np.concatenate([np.zeros(n), -np.ones(m)]),
        families=base.families,
        rows=np.concatenate([base.rows, np.arange(m)]),
        cols=np.concatenate([base.cols, n + np.arange(m)]),
        vals=np.concatenate([base.vals, -np.ones(m)]),
    )
    run = solve_model(elastic, "highs", 60.0)
    if run.x is None:
        return None
    slack = run.x[n:]
    worst = int(np.argmax(slack))
    if slack[worst] <= 1e-9:
        return None
    org_names = {int(data.offer_org[i]): o.org for i, o in enumerate(market.offers)}
    org_names.update({int(data.demand_org[j]): d.org for j, d in enumerate(market.demands)})
    offset = 0
    for family in base.families:
        if worst < offset + len(family.rhs):
            k = worst - offset
            entity, key2 = int(family.entity[k]), int(family.key2[k])
            return _describe(family.name, market, entity, key2, org_names)
        offset += len(family.rhs)
    return None


def _describe(family: str, market, entity: int, key2: int, org_names: dict[int, str]) -> str:
    if family == "offer_capacity":
        return f"offer {market.offers[entity].id} capacity in {month_label(key2)}: the locked matches need more than is free"
    if family == "demand_capacity":
        return f"demand {market.demands[entity].id} in {month_label(key2)}: the locked matches exceed what is wanted"
    if family == "chain":
        return (f"demand {market.demands[entity].id} chain link in {month_label(key2)}: locked sales"
                " need more input than its eligible suppliers can deliver")
    if family == "supplier_share":
        return (f"demand {market.demands[entity].id} supplier share of {org_names[key2]}: the locked"
                " matches need more than the share allows")
    return (f"offer {market.offers[entity].id} buyer share of {org_names[key2]}: the locked matches"
            " need more than the share allows")
