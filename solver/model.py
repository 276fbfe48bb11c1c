"""The LP rows for a set of pair columns, built as coordinate arrays, never as expressions.

A pair's volume is constant over its term, so a listing's monthly load only rises at the start
month of one of its pairs (or where `remaining` lowers what is free). Checking capacity at those
checkpoint months is the same as checking every month, and the model then grows with the number
of pairs rather than pairs x months. Chain links are checked where the seller's load rises or
where the linked demand's purchases fall (the month after one of its pairs ends).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .arrays import MarketArrays


@dataclass
class RowFamily:
    """One constraint family: a key per row (what it is about) and its right-hand side."""

    name: str
    entity: np.ndarray  # listing index, or demand/offer index for shares
    key2: np.ndarray  # month index (absolute) for monthly families, org number for shares
    rhs: np.ndarray
    equality: bool = False  # rows `= rhs` instead of `<= rhs`


@dataclass
class LinearModel:
    """max cost.x  s.t.  A x <= rhs,  lower <= x <= upper (x scaled pair volumes)."""

    columns: np.ndarray  # pair index of each column
    lower: np.ndarray
    upper: np.ndarray
    cost: np.ndarray
    families: list[RowFamily]
    rows: np.ndarray  # coordinate triplets of A
    cols: np.ndarray
    vals: np.ndarray
    integer: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))

    @property
    def num_rows(self) -> int:
        return int(sum(len(f.rhs) for f in self.families))


def spread(first: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(owner i, position) for every position in [first[i], first[i] + count[i])."""
    owner = np.repeat(np.arange(len(first)), count)
    offset = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    return owner, np.repeat(first, count) + offset


def _expand(keys: np.ndarray, entity: np.ndarray, lo: np.ndarray, hi: np.ndarray, stride: int):
    """For each entry, the positions of the checkpoint keys of its entity inside [lo, hi]."""
    first = np.searchsorted(keys, entity * stride + lo, side="left")
    last = np.searchsorted(keys, entity * stride + hi, side="right")
    return spread(first, last - first)


class _Builder:
    def __init__(self, data: MarketArrays, columns: np.ndarray):
        self.data, self.columns = data, columns
        self.families: list[RowFamily] = []
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.next_row = 0
        self.stride = data.base + data.horizon + 2

    def add(self, name, entity, key2, rhs, row_of_entry, col_of_entry, val_of_entry,
            equality: bool = False) -> None:
        self.families.append(RowFamily(name, entity, key2, rhs, equality))
        self.parts.append((row_of_entry + self.next_row, col_of_entry, val_of_entry))
        self.next_row += len(rhs)

    def monthly(self, name: str, entries, checkpoints, free_matrix) -> None:
        """Rows `sum of entries running in month k <= rhs` at checkpoint months of each entity.

        entries: (entity, start, end, column, coefficient); checkpoints: (entity, month).
        """
        entity, start, end, col, coef = entries
        keys = np.unique(checkpoints[0] * self.stride + checkpoints[1])
        owner, row = _expand(keys, entity, start, end, self.stride)
        used = np.zeros(len(keys), bool)
        used[row] = True
        if name == "chain":  # a chain row with no seller volume in it always holds
            used[:] = False
            used[row[coef[owner] > 0]] = True
        renumber = np.cumsum(used) - 1
        keys = keys[used]
        ent, month = keys // self.stride, keys % self.stride
        rhs = free_matrix(ent, month)
        keep = used[row]
        self.add(name, ent, month, rhs, renumber[row[keep]], col[owner[keep]], coef[owner[keep]])

    def grouped(self, name: str, entity, key2, col, coef, rhs_of) -> None:
        """One row per (entity, key2) group: sum of its columns <= rhs."""
        if len(entity) == 0:
            return
        keys, row = np.unique(entity * (int(key2.max()) + 1) + key2, return_inverse=True)
        ent, k2 = keys // (int(key2.max()) + 1), keys % (int(key2.max()) + 1)
        self.add(name, ent, k2, rhs_of(ent), row, col, coef)


def add_share_rows(b: _Builder, data: MarketArrays, offer: np.ndarray, demand: np.ndarray) -> None:
    """Share rows over the columns whose offer and demand indices are given, in column order."""
    market, pos, ones = data.market, np.arange(len(offer)), np.ones(len(offer))
    # Supplier share: no one supplier org provides more than share x the demand's monthly_qty.
    sup_share = np.array([d.max_supplier_share or 0.0 for d in market.demands])
    dem_qty = np.array([d.monthly_qty for d in market.demands])
    sel = sup_share[demand] > 0 if len(demand) else np.zeros(0, bool)
    b.grouped(
        "supplier_share", demand[sel], data.offer_org[offer[sel]], pos[sel], ones[sel],
        lambda j: sup_share[j] * dem_qty[j] / data.demand_scale[j],
    )
    # Buyer share: no one buyer org takes more than share x the offer's monthly_qty.
    buy_share = np.array([o.max_buyer_share or 0.0 for o in market.offers])
    off_qty = np.array([o.monthly_qty for o in market.offers])
    sel = buy_share[offer] > 0 if len(offer) else np.zeros(0, bool)
    b.grouped(
        "buyer_share", offer[sel], data.demand_org[demand[sel]], pos[sel], ones[sel],
        lambda i: buy_share[i] * off_qty[i] / data.offer_scale[i],
    )


def build_model(data: MarketArrays, columns: np.ndarray, locked: dict[int, float]) -> LinearModel:
    """The LP over the pair columns `columns`; `locked` maps pair index -> fixed scaled volume."""
    p = data.pairs
    n = len(columns)
    pos = np.arange(n)
    offer, demand = p.offer[columns].astype(np.int64), p.demand[columns].astype(np.int64)
    start, end = p.start[columns].astype(np.int64), p.end[columns].astype(np.int64)
    ones = np.ones(n)
    b = _Builder(data, columns)

    # Capacity: what an offer sells in a month never exceeds what is free that month.
    rem_i, rem_m = data.remaining_offer
    b.monthly(
        "offer_capacity",
        (offer, start, end, pos, ones),
        (np.concatenate([offer, rem_i]), np.concatenate([start, rem_m])),
        lambda e, m: data.offer_free[e, m - data.base],
    )
    # Demand: what a demand buys in a month never exceeds what it still wants that month.
    rem_j, rem_m = data.remaining_demand
    b.monthly(
        "demand_capacity",
        (demand, start, end, pos, ones),
        (np.concatenate([demand, rem_j]), np.concatenate([start, rem_m])),
        lambda e, m: data.demand_free[e, m - data.base],
    )
    # Chain links: ratio x sales of linked offers <= purchases of the input demand + own supply.
    if len(data.link_offer):
        order = np.argsort(offer, kind="stable")
        by_offer = offer[order]
        first = np.searchsorted(by_offer, data.link_offer, "left")
        last = np.searchsorted(by_offer, data.link_offer, "right")
        link, col_sorted = spread(first, last - first)
        sell_col = order[col_sorted]
        is_input = data.is_input[demand]
        buy_col = pos[is_input]
        entity = np.concatenate([data.link_demand[link], demand[buy_col]])
        entries = (
            entity,
            np.concatenate([start[sell_col], start[buy_col]]),
            np.concatenate([end[sell_col], end[buy_col]]),
            np.concatenate([sell_col, buy_col]),
            np.concatenate([data.link_ratio[link], -np.ones(len(buy_col))]),
        )
        checkpoints = (
            np.concatenate([data.link_demand[link], demand[buy_col]]),
            np.concatenate([start[sell_col], end[buy_col] + 1]),
        )
        b.monthly("chain", entries, checkpoints, lambda e, m: data.own_supply[e])
    add_share_rows(b, data, offer, demand)

    lower = np.zeros(n)
    upper = data.upper[columns].copy()
    if locked:
        where = {int(c): k for k, c in enumerate(columns)}
        for pair, qty in locked.items():
            lower[where[pair]] = upper[where[pair]] = qty
    if b.parts:
        rows, cols, vals = (np.concatenate(x) for x in zip(*b.parts))
    else:
        rows, cols, vals = np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    return LinearModel(columns, lower, upper, data.cost[columns].copy(), b.families, rows, cols, vals)
