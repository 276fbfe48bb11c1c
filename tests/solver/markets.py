"""Builders for the tiny hand-checked markets of the rule tests.

Defaults keep each test to the fields its rule is about: one product ``p`` (tier material2,
unit t), every listing in region ``r1`` over the twelve months of 2027, and no optional fields.
"""

from __future__ import annotations

from typing import Any

YEAR = {"start": "2027-01", "end": "2027-12"}

# The market example of docs/market-format, verbatim.
SPEC_EXAMPLE: dict[str, Any] = {
    "format": "lithium-market/1",
    "currency": "CNY",
    "products": [
        {"id": "lithium-carbonate", "name": "Battery-grade lithium carbonate", "tier": "material2",
         "unit": "t", "default_transport_cost": 0},
        {"id": "spodumene-sc6", "name": "Spodumene concentrate SC6", "tier": "resource",
         "unit": "t"},
    ],
    "regions": ["jiangxi", "fujian", "sichuan"],
    "transport": [
        {"from": "jiangxi", "to": "fujian", "cost": 180.0},
        {"from": "sichuan", "to": "jiangxi", "product": "spodumene-sc6", "cost": 420.0},
    ],
    "offers": [
        {"id": "O1", "org": "ganzhou-lithium", "product": "lithium-carbonate", "region": "jiangxi",
         "monthly_qty": 500, "start": "2027-01", "end": "2029-12", "price": 74000,
         "min_term_months": 12, "min_monthly_qty": 50, "certifications": ["ISO9001"],
         "max_buyer_share": 0.5, "remaining": {"2027-01": 300},
         "inputs": [{"demand": "D9", "ratio": 7.96}]},
    ],
    "demands": [
        {"id": "D1", "org": "ningde-cathode", "product": "lithium-carbonate", "region": "fujian",
         "monthly_qty": 300, "start": "2027-03", "end": "2028-02", "price": 80000,
         "min_term_months": 12, "min_monthly_qty": 30, "required_certifications": ["ISO9001"],
         "max_supplier_share": 0.6, "max_suppliers": 3},
        {"id": "D9", "org": "ganzhou-lithium", "product": "spodumene-sc6", "region": "jiangxi",
         "monthly_qty": 4000, "start": "2027-01", "end": "2029-12", "price": 6500,
         "own_supply": 1000},
    ],
    "locked": [{"offer": "O1", "demand": "D1", "monthly_qty": 100}],
    "forbidden": [],
}


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
