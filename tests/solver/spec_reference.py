"""A second reading of docs/market-format (``lithium-market/1``), written from the spec alone.

The checker and the peer benchmark model share this module so that the optimizer under test is
verified against code that never imports ``solver``: a misreading of the spec in the solver then
shows up as a disagreement instead of being copied into its own tests. It reads the raw market
dict (already valid: validation is the solver's job and has its own tests) and fills in the
documented defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def month_index(month: str) -> int:
    """Months as consecutive integers so that inclusive windows are plain ranges."""
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def month_name(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclass(frozen=True)
class Side:
    """An offer or a demand with the spec's defaults applied; windows as month indices."""

    id: str
    org: str
    product: str
    region: str
    monthly_qty: float
    start: int
    end: int
    price: float
    min_term_months: int = 1
    min_monthly_qty: float = 0.0
    remaining: dict[int, float] = field(default_factory=dict)
    certifications: frozenset[str] = frozenset()
    max_share: float | None = None  # max_buyer_share (offer) / max_supplier_share (demand)
    max_suppliers: int | None = None  # demands only
    own_supply: float = 0.0  # demands only
    inputs: tuple[tuple[str, float], ...] = ()  # offers only: (demand id, ratio)

    def months(self) -> range:
        return range(self.start, self.end + 1)

    def free(self, month: int) -> float:
        """What is still free in a month: ``remaining`` when listed, else ``monthly_qty``."""
        return self.remaining.get(month, self.monthly_qty)


def _side(raw: dict[str, Any], is_offer: bool) -> Side:
    remaining = {month_index(k): float(v) for k, v in (raw.get("remaining") or {}).items()}
    if is_offer:
        certs = frozenset(raw.get("certifications") or [])
        share = raw.get("max_buyer_share")
        inputs = tuple((i["demand"], float(i["ratio"])) for i in raw.get("inputs") or [])
    else:
        certs = frozenset(raw.get("required_certifications") or [])
        share = raw.get("max_supplier_share")
        inputs = ()
    max_suppliers = None if is_offer else raw.get("max_suppliers")
    return Side(
        id=raw["id"],
        org=raw["org"],
        product=raw["product"],
        region=raw["region"],
        monthly_qty=float(raw["monthly_qty"]),
        start=month_index(raw["start"]),
        end=month_index(raw["end"]),
        price=float(raw["price"]),
        min_term_months=int(raw.get("min_term_months", 1)),
        min_monthly_qty=float(raw.get("min_monthly_qty", 0)),
        remaining=remaining,
        certifications=certs,
        max_share=None if share is None else float(share),
        max_suppliers=None if max_suppliers is None else int(max_suppliers),
        own_supply=0.0 if is_offer else float(raw.get("own_supply", 0)),
        inputs=inputs,
    )


@dataclass(frozen=True)
class Pair:
    """An eligible (offer, demand) pair: the match it would become at any volume q."""

    offer: str
    demand: str
    start: int
    end: int
    months: int
    freight: float
    margin: float
    min_qty: float  # max of both min_monthly_qty: q is 0 or at least this
    max_qty: float  # min of both monthly_qty: no feasible q exceeds it

    def unit_price(self, offer_price: float) -> float:
        """Buyer and seller split the margin: o.price + freight + m / 2."""
        return offer_price + self.freight + self.margin / 2


@dataclass
class RefMarket:
    offers: dict[str, Side]
    demands: dict[str, Side]
    default_freight: dict[str, float]
    transport: list[dict[str, Any]]
    locked: dict[tuple[str, str], float]
    forbidden: set[tuple[str, str]]

    def __post_init__(self) -> None:
        # (unordered region pair, product or None) -> cost; entries count in either direction.
        self._freight_table: dict[tuple[frozenset[str], str | None], float] = {}
        for entry in self.transport:
            key = (frozenset((entry["from"], entry["to"])), entry.get("product"))
            self._freight_table.setdefault(key, float(entry["cost"]))

    def freight(self, product: str, a: str, b: str) -> float:
        """The spec's lookup order: product entry, general entry, same region 0, default."""
        regions = frozenset((a, b))
        for scope in (product, None):
            if (regions, scope) in self._freight_table:
                return self._freight_table[(regions, scope)]
        if a == b:
            return 0.0
        return self.default_freight[product]

    def pair(self, offer_id: str, demand_id: str) -> Pair | None:
        """The pair if it is eligible, else None (the five rules of "Eligible pairs")."""
        o, d = self.offers[offer_id], self.demands[demand_id]
        if o.product != d.product or o.org == d.org or (o.id, d.id) in self.forbidden:
            return None
        if not d.certifications <= o.certifications:
            return None
        start, end = max(o.start, d.start), min(o.end, d.end)
        months = end - start + 1
        if months < max(o.min_term_months, d.min_term_months):
            return None
        freight = self.freight(o.product, o.region, d.region)
        margin = d.price - o.price - freight
        if margin < 0:
            return None
        min_qty = max(o.min_monthly_qty, d.min_monthly_qty)
        max_qty = min(o.monthly_qty, d.monthly_qty)
        if min_qty > max_qty:
            return None
        return Pair(o.id, d.id, start, end, months, freight, margin, min_qty, max_qty)

    def eligible_pairs(self) -> dict[tuple[str, str], Pair]:
        demands_by_product: dict[str, list[Side]] = {}
        for d in self.demands.values():
            demands_by_product.setdefault(d.product, []).append(d)
        pairs: dict[tuple[str, str], Pair] = {}
        for o in self.offers.values():
            for d in demands_by_product.get(o.product, []):
                p = self.pair(o.id, d.id)
                if p is not None:
                    pairs[(o.id, d.id)] = p
        return pairs

    def linked_offers(self) -> dict[str, list[tuple[str, float]]]:
        """Input demand id -> [(offer id, ratio)] for every chain link."""
        links: dict[str, list[tuple[str, float]]] = {}
        for o in self.offers.values():
            for demand_id, ratio in o.inputs:
                links.setdefault(demand_id, []).append((o.id, ratio))
        return links

    def is_mip(self) -> bool:
        """A file with any minimum volume or supplier count is a mixed-integer program."""
        sides = list(self.offers.values()) + list(self.demands.values())
        return any(s.min_monthly_qty > 0 for s in sides) or any(
            s.max_suppliers is not None for s in self.demands.values()
        )


def read_market(data: dict[str, Any]) -> RefMarket:
    """The raw (valid) market dict as a RefMarket; absent lists are empty."""
    products = data["products"]
    return RefMarket(
        offers={o["id"]: _side(o, True) for o in data.get("offers") or []},
        demands={d["id"]: _side(d, False) for d in data.get("demands") or []},
        default_freight={p["id"]: float(p.get("default_transport_cost", 0)) for p in products},
        transport=list(data.get("transport") or []),
        locked={(x["offer"], x["demand"]): float(x["monthly_qty"]) for x in data.get("locked") or []},
        forbidden={(x["offer"], x["demand"]) for x in data.get("forbidden") or []},
    )
