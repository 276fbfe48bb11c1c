"""The LP in load form: one load variable per listing and month, each pair in two rows per side.

A pair's volume runs from its start month to its end month, so it raises its listing's load at the
start and lowers it the month after the end. Balance rows `load[t] - load[t-1] = starting -
ending` carry that, capacity becomes a bound on the load, and chain links compare loads month by
month. Every pair then has four matrix entries whatever its term, and pricing a pair needs only the
balance duals at its start month and the month after its end.
"""

from __future__ import annotations

import numpy as np

from .arrays import MarketArrays
from .model import LinearModel, _Builder, add_share_rows, spread


def build_load_model(data: MarketArrays, columns: np.ndarray, locked: dict[int, float]) -> LinearModel:
    p, market = data.pairs, data.market
    n = len(columns)
    pos = np.arange(n)
    offer, demand = p.offer[columns].astype(np.int64), p.demand[columns].astype(np.int64)
    start, end = p.start[columns].astype(np.int64), p.end[columns].astype(np.int64)
    base, horizon = data.base, data.horizon
    b = _Builder(data, columns)
    loads_lower: list[np.ndarray] = []
    loads_upper: list[np.ndarray] = []
    next_col = n
    load_index: dict[str, np.ndarray] = {}

    def balance(name: str, listings, used: np.ndarray, free: np.ndarray, entity_cols: np.ndarray):
        """Load variables over the whole window of every listing that has a column."""
        nonlocal next_col
        ids = np.unique(used)
        lo = np.array([listings[i].start for i in ids], np.int64) - base
        hi = np.array([listings[i].end for i in ids], np.int64) - base
        count = hi - lo + 1
        owner, month = spread(lo, count)
        ent = ids[owner]
        k = len(ent)
        index = np.full((len(listings), horizon + 1), -1, np.int64)
        index[ent, month] = np.arange(k)
        load_var = next_col + np.arange(k)
        load_index[name] = np.where(index >= 0, index + next_col, -1)
        next_col += k
        loads_lower.append(np.zeros(k))
        loads_upper.append(free[ent, month])
        # Row r = (ent, month): load[t] - load[t-1] + ending(t-1) - starting(t) = 0
        prev = index[ent, month - 1]
        has_prev = month > lo[owner]
        row_ids = np.arange(k)
        s = index[entity_cols, start - base]
        after = index[entity_cols, np.minimum(end - base + 1, horizon)]
        has_after = after >= 0
        rows = np.concatenate([row_ids, row_ids[has_prev], s, after[has_after]])
        cols = np.concatenate([load_var, load_var[prev[has_prev]], pos, pos[has_after]])
        vals = np.concatenate([np.ones(k), -np.ones(has_prev.sum()), -np.ones(n), np.ones(has_after.sum())])
        b.add(name, ent, month + base, np.zeros(k), rows, cols, vals, equality=True)

    balance("offer_balance", market.offers, offer, data.offer_free, offer)
    balance("demand_balance", market.demands, demand, data.demand_free, demand)

    # Chain links: ratio x seller load - input demand load <= own supply, in each month the
    # seller has a load (its whole window once it has any pair).
    off_idx, dem_idx = load_index["offer_balance"], load_index["demand_balance"]
    has_load = off_idx.max(axis=1, initial=-1)[data.link_offer] >= 0 if len(data.link_offer) else []
    if np.any(has_load):
        link_o, link_d = data.link_offer[has_load], data.link_demand[has_load]
        ratio = data.link_ratio[has_load]
        lo = np.array([market.offers[o].start for o in link_o], np.int64) - base
        hi = np.array([market.offers[o].end for o in link_o], np.int64) - base
        link, month = spread(lo, hi - lo + 1)
        keys, row = np.unique(link_d[link] * (horizon + 1) + month, return_inverse=True)
        ent, key_month = keys // (horizon + 1), keys % (horizon + 1)
        buyer = dem_idx[ent, key_month]
        bought = buyer >= 0
        b.add("chain", ent, key_month + base, data.own_supply[ent],
              np.concatenate([row, np.nonzero(bought)[0]]),
              np.concatenate([off_idx[link_o[link], month], buyer[bought]]),
              np.concatenate([ratio[link], -np.ones(int(bought.sum()))]))

    add_share_rows(b, data, offer, demand)

    lower = np.concatenate([np.zeros(n), *loads_lower])
    upper = np.concatenate([data.upper[columns], *loads_upper])
    for pair, qty in locked.items():
        k = int(np.searchsorted(columns, pair))
        lower[k] = upper[k] = qty
    rows, cols, vals = (np.concatenate(x) for x in zip(*b.parts))
    cost = np.concatenate([data.cost[columns], np.zeros(len(lower) - n)])
    return LinearModel(columns, lower, upper, cost, b.families, rows, cols, vals,
                       integer=np.zeros(len(lower), bool))
