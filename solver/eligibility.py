"""Which offer-demand pairs can match, and why a pair cannot.

National markets have hundreds of thousands of candidate pairs per product, so enumeration is
vectorised per product with numpy; `why_not_eligible` is the readable twin used for locks and for
explaining proposals, and both follow the five rules of the spec in the same order.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from .market import Demand, Market, Offer


class Freight:
    """Freight per unit by the spec's lookup order: product route, any-product route, same region,
    the product's default."""

    def __init__(self, market: Market):
        self._routes: dict[tuple[frozenset[str], str | None], float] = {
            (frozenset((t.from_region, t.to_region)), t.product): t.cost for t in market.transport
        }
        self._defaults = {p.id: p.default_transport_cost for p in market.products.values()}

    def cost(self, product: str, origin: str, destination: str) -> float:
        route = frozenset((origin, destination))
        for scope in (product, None):
            cost = self._routes.get((route, scope))
            if cost is not None:
                return cost
        if origin == destination:
            return 0.0
        return self._defaults.get(product, 0.0)

    def matrix(self, product: str, regions: list[str]) -> np.ndarray:
        """Freight between every two of `regions` for one product."""
        return np.array([[self.cost(product, a, b) for b in regions] for a in regions])


def overlap(offer: Offer, demand: Demand) -> tuple[int, int]:
    return max(offer.start, demand.start), min(offer.end, demand.end)


def why_not_eligible(
    market: Market, offer: Offer, demand: Demand, freight: Freight | None = None
) -> str | None:
    """The first eligibility rule the pair breaks, in words, or None when it can match."""
    if offer.product != demand.product:
        return f"different products ({offer.product}, {demand.product})"
    if offer.org == demand.org:
        return f"same organisation ({offer.org})"
    if (offer.id, demand.id) in market.forbidden:
        return "the pair is forbidden"
    missing = sorted(demand.required_certifications - offer.certifications)
    if missing:
        return f"seller lacks certifications {', '.join(missing)}"
    start, end = overlap(offer, demand)
    term = max(offer.min_term_months, demand.min_term_months)
    if end - start + 1 < term:
        return f"windows overlap {max(0, end - start + 1)} months, minimum term is {term}"
    cost = (freight or Freight(market)).cost(offer.product, offer.region, demand.region)
    margin = demand.price - offer.price - cost
    if margin < 0:
        return f"bid {demand.price:g} is below ask {offer.price:g} plus freight {cost:g}"
    least = max(offer.min_monthly_qty, demand.min_monthly_qty)
    if least > min(offer.monthly_qty, demand.monthly_qty):
        return f"minimum monthly volume {least:g} exceeds what one side can take"
    return None


@dataclass
class Pairs:
    """Every eligible pair as parallel arrays (index into market.offers / market.demands)."""

    offer: np.ndarray  # int32
    demand: np.ndarray  # int32
    start: np.ndarray  # int32 month index
    end: np.ndarray  # int32 month index, inclusive
    margin: np.ndarray  # float64, CNY per unit
    freight: np.ndarray  # float64, CNY per unit
    min_qty: np.ndarray  # float64, 0 when no minimum

    def __len__(self) -> int:
        return len(self.offer)

    @property
    def months(self) -> np.ndarray:
        return self.end - self.start + 1


def _cert_masks(names: list[frozenset[str]], universe: dict[str, int]) -> list[int]:
    return [sum(1 << universe[c] for c in certs if c in universe) for certs in names]


def eligible_pairs(market: Market) -> Pairs:
    """All eligible pairs, vectorised per product; forbidden pairs removed."""
    freight = Freight(market)
    offers_by_product: dict[str, list[int]] = defaultdict(list)
    demands_by_product: dict[str, list[int]] = defaultdict(list)
    for i, o in enumerate(market.offers):
        offers_by_product[o.product].append(i)
    for j, d in enumerate(market.demands):
        demands_by_product[d.product].append(j)
    required = sorted({c for d in market.demands for c in d.required_certifications})
    universe = {c: k for k, c in enumerate(required)}
    # Certification sets become bitmasks (Python ints: any number of certification names).
    offer_masks = _cert_masks([o.certifications for o in market.offers], universe)
    demand_masks = _cert_masks([d.required_certifications for d in market.demands], universe)
    org_ids: dict[str, int] = {}
    parts: list[tuple[np.ndarray, ...]] = []
    for product, o_idx in offers_by_product.items():
        d_idx = demands_by_product.get(product)
        if not d_idx:
            continue
        offers = [market.offers[i] for i in o_idx]
        demands = [market.demands[j] for j in d_idx]
        regions = sorted({x.region for x in offers} | {x.region for x in demands})
        where = {r: k for k, r in enumerate(regions)}
        cost = freight.matrix(product, regions)

        def column(values, dtype=np.float64):
            return np.asarray(values, dtype=dtype)

        o_org = column([org_ids.setdefault(o.org, len(org_ids)) for o in offers], np.int64)
        d_org = column([org_ids.setdefault(d.org, len(org_ids)) for d in demands], np.int64)
        o_start, o_end = column([o.start for o in offers], np.int64), column([o.end for o in offers], np.int64)
        d_start, d_end = column([d.start for d in demands], np.int64), column([d.end for d in demands], np.int64)
        o_term = column([o.min_term_months for o in offers], np.int64)
        d_term = column([d.min_term_months for d in demands], np.int64)
        o_min, d_min = column([o.min_monthly_qty for o in offers]), column([d.min_monthly_qty for d in demands])
        o_qty, d_qty = column([o.monthly_qty for o in offers]), column([d.monthly_qty for d in demands])
        o_reg = column([where[o.region] for o in offers], np.int64)
        d_reg = column([where[d.region] for d in demands], np.int64)
        o_price, d_price = column([o.price for o in offers]), column([d.price for d in demands])

        start = np.maximum(o_start[:, None], d_start[None, :])
        end = np.minimum(o_end[:, None], d_end[None, :])
        pair_freight = cost[o_reg[:, None], d_reg[None, :]]
        margin = d_price[None, :] - o_price[:, None] - pair_freight
        least = np.maximum(o_min[:, None], d_min[None, :])
        ok = (o_org[:, None] != d_org[None, :])
        ok &= end - start + 1 >= np.maximum(o_term[:, None], d_term[None, :])
        ok &= margin >= 0
        ok &= least <= np.minimum(o_qty[:, None], d_qty[None, :])
        om = [offer_masks[i] for i in o_idx]
        dm = [demand_masks[j] for j in d_idx]
        if any(dm):
            certified = np.array([[(m & o) == m for m in dm] for o in om], dtype=bool)
            ok &= certified
        oi, dj = np.nonzero(ok)
        parts.append((
            np.asarray(o_idx, dtype=np.int32)[oi],
            np.asarray(d_idx, dtype=np.int32)[dj],
            start[oi, dj].astype(np.int32),
            end[oi, dj].astype(np.int32),
            margin[oi, dj],
            pair_freight[oi, dj],
            least[oi, dj],
        ))
    if not parts:
        empty_i, empty_f = np.zeros(0, np.int32), np.zeros(0)
        return Pairs(empty_i, empty_i, empty_i, empty_i, empty_f, empty_f, empty_f)
    arrays = [np.concatenate(column) for column in zip(*parts)]
    pairs = Pairs(*arrays)
    if market.forbidden:
        offer_ids = [o.id for o in market.offers]
        demand_ids = [d.id for d in market.demands]
        keep = np.array(
            [(offer_ids[o], demand_ids[d]) not in market.forbidden for o, d in zip(pairs.offer, pairs.demand)],
            dtype=bool,
        )
        pairs = Pairs(*(getattr(pairs, f)[keep] for f in ("offer", "demand", "start", "end", "margin", "freight", "min_qty")))
    return pairs
