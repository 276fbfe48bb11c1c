"""Builders for the tiny hand-checked markets of the rule tests.

Defaults keep each test to the fields its rule is about: one product ``p`` (tier material2,
unit t), every listing in region ``r1`` over the twelve months of 2027, and no optional fields.
"""

from __future__ import annotations

from typing import Any

YEAR = {"start": "2027-01", "end": "2027-12"}


def offer(id: str, org: str, qty: float, price: float, **fields: Any) -> dict[str, Any]:
    return {"id": id, "org": org, "product": "p", "region": "r1", "monthly_qty": qty,
            "price": price, **YEAR, **fields}


def demand(id: str, org: str, qty: float, price: float, **fields: Any) -> dict[str, Any]:
    return {"id": id, "org": org, "product": "p", "region": "r1", "monthly_qty": qty,
            "price": price, **YEAR, **fields}


def product(id: str = "p", **fields: Any) -> dict[str, Any]:
    return {"id": id, "name": id, "tier": "material2", "unit": "t", **fields}


def market(offers: list[dict[str, Any]], demands: list[dict[str, Any]], *,
           products: list[dict[str, Any]] | None = None, **lists: Any) -> dict[str, Any]:
    """A lithium-market/1 dict; ``lists`` adds transport, locked, forbidden, regions."""
    return {"format": "lithium-market/1", "currency": "CNY",
            "products": products if products is not None else [product()],
            "offers": offers, "demands": demands, **lists}


def volumes(result: dict[str, Any]) -> dict[tuple[str, str], float]:
    """The monthly volume of each listed match, keyed (offer, demand)."""
    return {(m["offer"], m["demand"]): m["monthly_qty"] for m in result["matches"]}
