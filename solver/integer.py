"""Integer rules: minimum volumes and supplier counts, added to the LP rows of all pairs.

Both are on/off decisions. The big-M of each pair is its own volume bound (capacity over its term
and shares), the tightest one available, because loose big-Ms are what leave a MIP gap open.
"""

from __future__ import annotations

import numpy as np

from .arrays import MarketArrays
from .model import LinearModel, RowFamily


def add_integer_rules(data: MarketArrays, model: LinearModel, locked: dict[int, float]) -> LinearModel:
    p, market = data.pairs, data.market
    n = len(model.cost)
    pairs = model.columns
    upper = model.upper
    new_vars_upper: list[np.ndarray] = []
    families: list[RowFamily] = list(model.families)
    rows, cols, vals = [model.rows], [model.cols], [model.vals]
    next_row, next_col = model.num_rows, n

    def add_rows(name, entity, key2, rhs, r, c, v):
        nonlocal next_row
        families.append(RowFamily(name, entity, key2, rhs))
        rows.append(r + next_row)
        cols.append(c)
        vals.append(v)
        next_row += len(rhs)

    # Minimum volume: q = 0 or q >= minimum, with an on/off variable y per pair.
    least = p.min_qty[pairs] / data.pair_scale[pairs]
    with_min = np.nonzero(least > 0)[0]
    k = len(with_min)
    if k:
        y = next_col + np.arange(k)
        next_col += k
        new_vars_upper.append(np.ones(k))
        idx = np.arange(k)
        # x - U y <= 0
        add_rows("min_volume_on", with_min, np.zeros(k, np.int64), np.zeros(k),
                 np.concatenate([idx, idx]), np.concatenate([with_min, y]),
                 np.concatenate([np.ones(k), -upper[with_min]]))
        # m y - x <= 0
        add_rows("min_volume_least", with_min, np.zeros(k, np.int64), np.zeros(k),
                 np.concatenate([idx, idx]), np.concatenate([with_min, y]),
                 np.concatenate([-np.ones(k), least[with_min]]))

    # Supplier count: z per (demand, supplier org); each pair only flows when its z is on.
    limit = np.array([d.max_suppliers or 0 for d in market.demands], np.int64)
    demand, org = p.demand[pairs].astype(np.int64), data.offer_org[p.offer[pairs]]
    sel = np.nonzero(limit[demand] > 0)[0]
    if len(sel):
        norg = int(org.max()) + 1
        keys, group = np.unique(demand[sel] * norg + org[sel], return_inverse=True)
        group_demand = keys // norg
        orgs_per_demand = np.bincount(group_demand, minlength=len(limit))
        binding = orgs_per_demand[group_demand] > limit[group_demand]
        use = binding[group]
        sel, group = sel[use], group[use]
        if len(sel):
            live = np.unique(group)
            renumber = np.full(len(keys), -1)
            renumber[live] = np.arange(len(live))
            z = next_col + np.arange(len(live))
            next_col += len(live)
            new_vars_upper.append(np.ones(len(live)))
            idx = np.arange(len(sel))
            add_rows("supplier_count_on", sel, np.zeros(len(sel), np.int64), np.zeros(len(sel)),
                     np.concatenate([idx, idx]), np.concatenate([sel, z[renumber[group]]]),
                     np.concatenate([np.ones(len(sel)), -upper[sel]]))
            counted = np.unique(group_demand[live])
            row_of = np.searchsorted(counted, group_demand[live])
            add_rows("supplier_count", counted, np.zeros(len(counted), np.int64),
                     limit[counted].astype(float), row_of, z, np.ones(len(live)))

    extra = next_col - n
    integer = np.concatenate([np.zeros(n, bool), np.ones(extra, bool)])
    return LinearModel(
        columns=model.columns,
        lower=np.concatenate([model.lower, np.zeros(extra)]),
        upper=np.concatenate([model.upper, *new_vars_upper]) if extra else model.upper,
        cost=np.concatenate([model.cost, np.zeros(extra)]),
        families=families,
        rows=np.concatenate(rows),
        cols=np.concatenate(cols),
        vals=np.concatenate(vals),
        integer=integer,
    )
