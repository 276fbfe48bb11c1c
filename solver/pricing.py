"""Column generation for the LP: price every eligible pair against the duals of a restricted LP.

At a national optimum only a few percent of the eligible pairs carry volume, so the LP is solved
over a growing set of promising pairs. The duals of the restricted LP, spread over months, price
all pairs at once with prefix sums; their reduced costs also give a proven upper bound on the full
LP (weak duality with each pair's volume bounded), so the loop can stop at the requested gap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .arrays import MarketArrays
from .model import LinearModel


@dataclass
class Pricing:
    reduced_cost: np.ndarray  # per eligible pair, scaled objective units
    bound: float  # proven upper bound on the scaled LP objective


def _family_duals(model: LinearModel, duals: np.ndarray) -> dict[str, tuple]:
    out, offset = {}, 0
    for family in model.families:
        size = len(family.rhs)
        out[family.name] = (family.entity, family.key2, duals[offset : offset + size], family.rhs)
        offset += size
    return out


def _lookup(keys: np.ndarray, values: np.ndarray, query: np.ndarray) -> np.ndarray:
    """values[keys == query] for each query, 0 where the key is absent."""
    if len(keys) == 0:
        return np.zeros(len(query))
    order = np.argsort(keys)
    keys, values = keys[order], values[order]
    at = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    return np.where(keys[at] == query, values[at], 0.0)


def price(data: MarketArrays, model: LinearModel, duals: np.ndarray) -> Pricing:
    fam = _family_duals(model, duals)
    h, base = data.horizon + 1, data.base
    offer_side = np.zeros((len(data.market.offers), h))
    demand_side = np.zeros((len(data.market.demands), h))
    if "offer_capacity" in fam:
        ent, month, y, _ = fam["offer_capacity"]
        np.add.at(offer_side, (ent, month - base), y)
    if "demand_capacity" in fam:
        ent, month, y, _ = fam["demand_capacity"]
        np.add.at(demand_side, (ent, month - base), y)
    if "chain" in fam:
        ent, month, y, _ = fam["chain"]
        chain = np.zeros_like(demand_side)
        np.add.at(chain, (ent, month - base), y)
        demand_side -= chain
        # Each linked offer pays ratio x the input's dual in every month it sells.
        np.add.at(offer_side, data.link_offer, data.link_ratio[:, None] * chain[data.link_demand])
    # A dual at a checkpoint covers the checkpoint month only: prefix sums give term sums.
    offer_cum = np.concatenate([np.zeros((offer_side.shape[0], 1)), np.cumsum(offer_side, 1)], 1)
    demand_cum = np.concatenate([np.zeros((demand_side.shape[0], 1)), np.cumsum(demand_side, 1)], 1)
    p = data.pairs
    s, e = p.start - base, p.end - base + 1
    rc = data.cost - (offer_cum[p.offer, e] - offer_cum[p.offer, s])
    rc -= demand_cum[p.demand, e] - demand_cum[p.demand, s]
    norg = int(max(data.offer_org.max(initial=0), data.demand_org.max(initial=0))) + 1
    if "supplier_share" in fam:
        ent, org, y, _ = fam["supplier_share"]
        rc -= _lookup(ent * norg + org, y, p.demand.astype(np.int64) * norg + data.offer_org[p.offer])
    if "buyer_share" in fam:
        ent, org, y, _ = fam["buyer_share"]
        rc -= _lookup(ent * norg + org, y, p.offer.astype(np.int64) * norg + data.demand_org[p.demand])
    row_part = sum(float(np.dot(y, rhs)) for (_, _, y, rhs) in fam.values())
    # Columns in the model carry their own bounds (a locked pair is fixed at its volume).
    lower, upper = np.zeros(len(p)), data.upper.copy()
    n = len(model.columns)
    lower[model.columns], upper[model.columns] = model.lower[:n], model.upper[:n]
    bound = row_part + float(np.sum(np.where(rc > 0, rc * upper, rc * lower)))
    return Pricing(rc, bound)


def top_per_group(candidates: np.ndarray, group: np.ndarray, score: np.ndarray, k: int) -> np.ndarray:
    """The `k` best-scoring candidates of each group."""
    if len(candidates) == 0:
        return candidates
    g, sc = group[candidates], score[candidates]
    order = np.lexsort((-sc, g))
    g_sorted = g[order]
    first = np.searchsorted(g_sorted, g_sorted, side="left")
    rank = np.arange(len(order)) - first
    return candidates[order[rank < k]]


def initial_columns(data: MarketArrays, locked: np.ndarray, k: int = 4) -> np.ndarray:
    """The best-margin pairs of every offer and every demand, plus the locked ones."""
    every = np.arange(len(data.pairs))
    return np.unique(np.concatenate([
        top_per_group(every, data.pairs.offer, data.cost, k),
        top_per_group(every, data.pairs.demand, data.cost, k),
        locked,
    ]))


def new_columns(data: MarketArrays, pricing: Pricing, current: np.ndarray, k: int, tol: float) -> np.ndarray:
    """Pairs outside `current` that would raise the objective, the best few per offer and demand."""
    rc = pricing.reduced_cost.copy()
    rc[current] = -np.inf
    candidates = np.nonzero(rc > tol)[0]
    score = rc * data.upper
    return np.unique(np.concatenate([
        top_per_group(candidates, data.pairs.offer, score, k),
        top_per_group(candidates, data.pairs.demand, score, k),
    ]))
