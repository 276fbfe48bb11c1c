"""The market as numpy arrays, scaled for the LP, computed once per solve.

Prices run from about 6,000 CNY/t to 600,000,000 CNY/GWh and volumes from fractions of a GWh to
thousands of tonnes, so each product's volumes are measured in a unit near its typical listing and
the objective is divided by one constant: the LP then sees coefficients of moderate size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .eligibility import Pairs, eligible_pairs
from .market import Market


@dataclass
class MarketArrays:
    market: Market
    pairs: Pairs
    base: int  # month index of column 0 in the monthly arrays
    horizon: int  # months in the monthly arrays (one spare month at the end)
    offer_free: np.ndarray  # (offers, horizon) free volume, scaled; 0 outside the window
    demand_free: np.ndarray  # (demands, horizon)
    offer_scale: np.ndarray  # units of the product per scaled unit
    demand_scale: np.ndarray
    offer_org: np.ndarray  # org number
    demand_org: np.ndarray
    link_offer: np.ndarray  # chain links: offer index, demand index, ratio in scaled units
    link_demand: np.ndarray
    link_ratio: np.ndarray
    own_supply: np.ndarray  # per demand, scaled
    remaining_offer: tuple[np.ndarray, np.ndarray]  # (listing, month) with a partial capacity
    remaining_demand: tuple[np.ndarray, np.ndarray]
    pair_scale: np.ndarray  # product scale of each pair
    cost: np.ndarray  # objective coefficient of each pair per scaled unit, after obj_scale
    upper: np.ndarray  # upper bound of each pair's scaled volume
    obj_scale: float  # CNY per unit of the scaled objective

    @property
    def is_input(self) -> np.ndarray:
        flags = np.zeros(len(self.market.demands), dtype=bool)
        flags[self.link_demand] = True
        return flags


def _product_scales(market: Market) -> dict[str, float]:
    """A power of ten near the median listing volume of each product."""
    volumes: dict[str, list[float]] = {}
    for listing in (*market.offers, *market.demands):
        volumes.setdefault(listing.product, []).append(listing.monthly_qty)
    return {
        product: float(10.0 ** np.round(np.log10(np.median(v)))) for product, v in volumes.items()
    }


def _free_matrix(listings, scales: np.ndarray, base: int, horizon: int) -> np.ndarray:
    free = np.zeros((len(listings), horizon))
    for i, x in enumerate(listings):
        free[i, x.start - base : x.end - base + 1] = x.monthly_qty
        for month, units in x.remaining.items():
            if x.start <= month <= x.end:
                free[i, month - base] = units
    return free / scales[:, None]


def _remaining_cells(listings) -> tuple[np.ndarray, np.ndarray]:
    cells = [(i, m) for i, x in enumerate(listings) for m in x.remaining if x.start <= m <= x.end]
    if not cells:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    index, month = zip(*cells)
    return np.asarray(index, np.int64), np.asarray(month, np.int64)


def range_min(matrix: np.ndarray, rows: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """min(matrix[r, lo:hi+1]) for every r, lo, hi, with a sparse table (log2 horizon levels)."""
    levels = [matrix]
    width = 1
    while width * 2 <= matrix.shape[1]:
        prev = levels[-1]
        nxt = prev.copy()
        nxt[:, : prev.shape[1] - width] = np.minimum(prev[:, :-width], prev[:, width:])
        levels.append(nxt)
        width *= 2
    length = hi - lo + 1
    k = np.floor(np.log2(np.maximum(length, 1))).astype(np.int64)
    out = np.empty(len(rows))
    for level in np.unique(k):
        sel = k == level
        table = levels[level]
        r, a, b = rows[sel], lo[sel], hi[sel] - (1 << level) + 1
        out[sel] = np.minimum(table[r, a], table[r, b])
    return out


def build_arrays(market: Market) -> MarketArrays:
    pairs = eligible_pairs(market)
    listings = (*market.offers, *market.demands)
    base = min((x.start for x in listings), default=0)
    horizon = max((x.end for x in listings), default=0) - base + 2
    scales = _product_scales(market)
    offer_scale = np.array([scales[o.product] for o in market.offers])
    demand_scale = np.array([scales[d.product] for d in market.demands])
    orgs: dict[str, int] = {}
    offer_org = np.array([orgs.setdefault(o.org, len(orgs)) for o in market.offers], np.int64)
    demand_org = np.array([orgs.setdefault(d.org, len(orgs)) for d in market.demands], np.int64)
    demand_index = {d.id: j for j, d in enumerate(market.demands)}
    links = [
        (i, demand_index[link.demand], link.ratio * offer_scale[i] / demand_scale[demand_index[link.demand]])
        for i, o in enumerate(market.offers)
        for link in o.inputs
    ]
    link_offer, link_demand, link_ratio = (
        (np.array([x[k] for x in links], dtype) for k, dtype in ((0, np.int64), (1, np.int64), (2, float)))
    )
    offer_free = _free_matrix(market.offers, offer_scale, base, horizon)
    demand_free = _free_matrix(market.demands, demand_scale, base, horizon)

    pair_scale = offer_scale[pairs.offer]
    raw_cost = pairs.months * pairs.margin * pair_scale
    obj_scale = float(np.max(raw_cost)) if len(raw_cost) and np.max(raw_cost) > 0 else 1.0
    upper = np.minimum(
        range_min(offer_free, pairs.offer, pairs.start - base, pairs.end - base),
        range_min(demand_free, pairs.demand, pairs.start - base, pairs.end - base),
    )
    # Shares cap a single pair too: a tighter bound helps both the LP and the MIP.
    buyer_cap = np.array([o.monthly_qty * (o.max_buyer_share or np.inf) for o in market.offers])
    supplier_cap = np.array([d.monthly_qty * (d.max_supplier_share or np.inf) for d in market.demands])
    if len(pairs):
        upper = np.minimum(upper, np.minimum(buyer_cap[pairs.offer], supplier_cap[pairs.demand]) / pair_scale)
    return MarketArrays(
        market=market,
        pairs=pairs,
        base=base,
        horizon=horizon,
        offer_free=offer_free,
        demand_free=demand_free,
        offer_scale=offer_scale,
        demand_scale=demand_scale,
        offer_org=offer_org,
        demand_org=demand_org,
        link_offer=link_offer,
        link_demand=link_demand,
        link_ratio=link_ratio,
        own_supply=np.array([d.own_supply for d in market.demands]) / np.maximum(demand_scale, 1e-300),
        remaining_offer=_remaining_cells(market.offers),
        remaining_demand=_remaining_cells(market.demands),
        pair_scale=pair_scale,
        cost=raw_cost / obj_scale,
        upper=upper,
        obj_scale=obj_scale,
    )
