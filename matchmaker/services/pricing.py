"""What a listing's price is today: fixed, or the index value adjusted and clamped."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class PriceFormula(Protocol):
    """A price as listings and contract legs state it (``ListingBase`` and ``contract_terms.Leg``)."""

    @property
    def price_basis(self) -> str: ...
    @property
    def price(self) -> float | None: ...
    @property
    def index_name(self) -> str | None: ...
    @property
    def index_adjustment(self) -> float | None: ...
    @property
    def index_adjustment_kind(self) -> str | None: ...
    @property
    def price_floor(self) -> float | None: ...
    @property
    def price_ceiling(self) -> float | None: ...


class MissingIndex(KeyError):
    """The listing follows an index with no current value."""


def effective_price(listing: PriceFormula, index_values: Mapping[str, float]) -> float:
    """CNY per unit. Index-linked: value + amount, or value * (1 + percent/100), then floor/ceiling.

    Raises MissingIndex when the index has no value in ``index_values``.
    """
    if listing.price_basis == "fixed":
        return float(listing.price or 0.0)
    if listing.index_name not in index_values:
        raise MissingIndex(listing.index_name)
    value = float(index_values[listing.index_name])  # type: ignore[index]
    adjustment = listing.index_adjustment or 0.0
    if listing.index_adjustment_kind == "percent":
        price = value * (1 + adjustment / 100)
    else:
        price = value + adjustment
    if listing.price_floor is not None:
        price = max(price, listing.price_floor)
    if listing.price_ceiling is not None:
        price = min(price, listing.price_ceiling)
    return max(price, 0.0)
