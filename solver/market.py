"""The `lithium-market/1` format as frozen dataclasses.

Months are held as integers (year * 12 + month - 1) so that windows, overlaps and terms are plain
integer arithmetic; `month_label` turns them back into `YYYY-MM` only at the edges.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FORMAT = "lithium-market/1"
RESULT_FORMAT = "lithium-matches/1"
TIERS = ("resource", "material2", "material1", "cell", "system", "recycling")

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class MarketError(ValueError):
    """A market file that is not valid `lithium-market/1`; `problems` has one line per problem."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def month_index(text: str) -> int | None:
    """The month as an integer, or None when `text` is not a real `YYYY-MM` month."""
    match = _MONTH.match(text) if isinstance(text, str) else None
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        return None
    return year * 12 + month - 1


def month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclass(frozen=True)
class Product:
    id: str
    name: str
    tier: str
    unit: str
    default_transport_cost: float = 0.0


@dataclass(frozen=True)
class Transport:
    from_region: str
    to_region: str
    cost: float
    product: str | None = None


@dataclass(frozen=True)
class InputLink:
    """Chain link: each unit the offer sells needs `ratio` units bought through `demand`."""

    demand: str
    ratio: float


@dataclass(frozen=True)
class Listing:
    """What offers and demands share: a monthly volume over an inclusive window at a price."""

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

    def free(self, month: int) -> float:
        """What is still free in `month` after earlier contracts."""
        return self.remaining.get(month, self.monthly_qty)


@dataclass(frozen=True)
class Offer(Listing):
    certifications: frozenset[str] = frozenset()
    max_buyer_share: float | None = None
    inputs: tuple[InputLink, ...] = ()


@dataclass(frozen=True)
class Demand(Listing):
    required_certifications: frozenset[str] = frozenset()
    max_supplier_share: float | None = None
    max_suppliers: int | None = None
    own_supply: float = 0.0


@dataclass(frozen=True)
class Lock:
    offer: str
    demand: str
    monthly_qty: float


@dataclass(frozen=True)
class Market:
    currency: str
    products: dict[str, Product]
    regions: tuple[str, ...] | None
    transport: tuple[Transport, ...]
    offers: tuple[Offer, ...]
    demands: tuple[Demand, ...]
    locked: tuple[Lock, ...]
    forbidden: frozenset[tuple[str, str]]

    @property
    def is_linear(self) -> bool:
        """Minimum volumes and supplier counts are the only rules that need integer variables."""
        return not any(x.min_monthly_qty > 0 for x in (*self.offers, *self.demands)) and not any(
            d.max_suppliers is not None for d in self.demands
        )
