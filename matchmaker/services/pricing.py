"""What a listing's price is today: fixed, or the index value adjusted and clamped."""

from __future__ import annotations

from collections.abc import Mapping

from matchmaker.models.listings import ListingBase


class MissingIndex(KeyError):
    """The listing follows an index with no current value."""


def effective_price(listing: ListingBase, index_values: Mapping[str, float]) -> float:
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
