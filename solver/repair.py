"""Turn the LP optimum into a solution that keeps the integer rules, by only lowering volumes.

On national markets branch and bound can spend its whole minute without a useful solution, while
the LP optimum is already close: dropping the pairs it uses below their minimum volume and the
suppliers beyond a demand's count leaves every capacity, demand and share row satisfied (volumes
only fall). Only chain links can break, because an input demand may now buy less; the sellers
linked to it are scaled down until it holds, which may push more pairs under their minimum, so
the steps repeat until nothing changes.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from .arrays import MarketArrays


def _keep_top_suppliers(data: MarketArrays, q: np.ndarray) -> None:
    p, market = data.pairs, data.market
    value = q * p.months * p.margin
    per_demand: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for k in np.nonzero(q > 0)[0]:
        per_demand[int(p.demand[k])][int(data.offer_org[p.offer[k]])] += value[k]
    for j, orgs in per_demand.items():
        limit = market.demands[j].max_suppliers
        if limit is not None and len(orgs) > limit:
            keep = set(sorted(orgs, key=lambda g: -orgs[g])[:limit])
            for k in np.nonzero((p.demand == j) & (q > 0))[0]:
                if int(data.offer_org[p.offer[k]]) not in keep:
                    q[k] = 0.0


def _chain_factors(data: MarketArrays, q: np.ndarray) -> dict[int, float]:
    """For each offer whose inputs run short in some month, the factor that makes them suffice."""
    p, base, h = data.pairs, data.base, data.horizon + 1
    n_dem = len(data.market.demands)
    sales = np.zeros((len(data.market.offers), h))
    buys = np.zeros((n_dem, h))
    for k in np.nonzero(q > 0)[0]:
        s, e = p.start[k] - base, p.end[k] - base + 1
        sales[p.offer[k], s:e] += q[k]
        buys[p.demand[k], s:e] += q[k]
    need = np.zeros((n_dem, h))
    # link_ratio is per scaled unit; in market units the ratio is the declared one.
    for o, d, ratio in zip(data.link_offer, data.link_demand, data.link_ratio):
        need[d] += ratio * data.demand_scale[d] / data.offer_scale[o] * sales[o]
    own = data.own_supply * data.demand_scale
    factors: dict[int, float] = {}
    for d in np.unique(data.link_demand):
        short = need[d] > (buys[d] + own[d]) * (1 + 1e-12) + 1e-12
        if short.any():
            f = float(np.min((buys[d, short] + own[d]) / need[d, short]))
            for o in data.link_offer[data.link_demand == d]:
                factors[int(o)] = min(factors.get(int(o), 1.0), f * (1 - 1e-9))
    return factors


def repair(data: MarketArrays, q: np.ndarray) -> np.ndarray:
    """Volumes (market units, one per eligible pair) that keep every rule, never above `q`."""
    q = np.where(q > 0, q, 0.0).copy()
    _keep_top_suppliers(data, q)
    p = data.pairs
    for _ in range(100):
        below = (q > 0) & (q < p.min_qty * (1 - 1e-12))
        q[below] = 0.0
        factors = _chain_factors(data, q)
        if not factors and not below.any():
            return q
        for o, f in factors.items():
            q[p.offer == o] *= f
    return np.zeros_like(q)
