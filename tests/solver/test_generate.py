"""The scenario generator: realistic national markets of a predictable size.

The benchmark is built on the sizes checked here (eligible pairs at 300, 1000 and 3000 orgs), so
the pair counter below is written from the spec's "Eligible pairs" section, independently of the
solver, over the raw market dict.
"""

from __future__ import annotations

import copy
import re
import time
from collections import Counter
from typing import Any

import numpy as np
import pytest

from solver.generate import generate_market
from solver.generate_catalog import load_catalog
from solver.generate_orgs import allocate
from solver.generate_roles import ROLES

HORIZON = ("2027-01", "2030-12")
CERTIFICATIONS = {"ISO9001", "IATF16949", "ISO14001", "GB31241", "GB40165"}
TIERS = {"resource", "material2", "material1", "cell", "system", "recycling"}


# -- an independent eligible-pair counter ----------------------------------------------------
def _month(text: str) -> int:
    return int(text[:4]) * 12 + int(text[5:7]) - 1


def _freight_table(market: dict[str, Any], product: dict[str, Any], regions: list[str]) -> np.ndarray:
    """Freight by the spec's order: product entry, any-product entry, same region, default."""
    where = {r: i for i, r in enumerate(regions)}
    table = np.full((len(regions), len(regions)), float(product.get("default_transport_cost", 0.0)))
    np.fill_diagonal(table, 0.0)
    for scope in (None, product["id"]):  # product entries are applied last: they win
        for entry in market.get("transport", []):
            if entry.get("product") == scope and entry["from"] in where and entry["to"] in where:
                a, b = where[entry["from"]], where[entry["to"]]
                table[a, b] = table[b, a] = entry["cost"]
    return table


def _columns(listings: list[dict[str, Any]], orgs: dict[str, int], regions: dict[str, int],
             certs: dict[str, int], cert_key: str) -> dict[str, np.ndarray]:
    def col(key: str, default: float = 0.0) -> np.ndarray:
        return np.array([x.get(key, default) for x in listings], dtype=float)

    return {
        "org": np.array([orgs.setdefault(x["org"], len(orgs)) for x in listings]),
        "region": np.array([regions[x["region"]] for x in listings], dtype=int),
        "start": np.array([_month(x["start"]) for x in listings]),
        "end": np.array([_month(x["end"]) for x in listings]),
        "term": col("min_term_months", 1), "min": col("min_monthly_qty"),
        "qty": col("monthly_qty"), "price": col("price"),
        "certs": np.array([sum(1 << certs.setdefault(c, len(certs)) for c in x.get(cert_key, []))
                           for x in listings], dtype=np.int64),
    }


def count_eligible_pairs(market: dict[str, Any]) -> int:
    """Eligible pairs of the whole market, forbidden pairs removed."""
    forbidden = {(f["offer"], f["demand"]) for f in market.get("forbidden", [])}
    orgs: dict[str, int] = {}
    certs: dict[str, int] = {}
    total = 0
    for product in market["products"]:
        offers = [o for o in market["offers"] if o["product"] == product["id"]]
        demands = [d for d in market["demands"] if d["product"] == product["id"]]
        if not offers or not demands:
            continue
        names = sorted({x["region"] for x in offers + demands})
        regions = {r: i for i, r in enumerate(names)}
        o = _columns(offers, orgs, regions, certs, "certifications")
        d = _columns(demands, orgs, regions, certs, "required_certifications")
        freight = _freight_table(market, product, names)[o["region"][:, None], d["region"][None, :]]
        overlap = (np.minimum(o["end"][:, None], d["end"][None, :])
                   - np.maximum(o["start"][:, None], d["start"][None, :]) + 1)
        ok = o["org"][:, None] != d["org"][None, :]
        ok &= (o["certs"][:, None] & d["certs"][None, :]) == d["certs"][None, :]
        ok &= overlap >= np.maximum(o["term"][:, None], d["term"][None, :])
        ok &= d["price"][None, :] - o["price"][:, None] - freight >= 0
        ok &= (np.maximum(o["min"][:, None], d["min"][None, :])
               <= np.minimum(o["qty"][:, None], d["qty"][None, :]))
        at_o = {x["id"]: i for i, x in enumerate(offers)}
        at_d = {x["id"]: j for j, x in enumerate(demands)}
        for offer_id, demand_id in forbidden:
            if offer_id in at_o and demand_id in at_d:
                ok[at_o[offer_id], at_d[demand_id]] = False
        total += int(ok.sum())
    return total


@pytest.fixture(scope="module")
def market() -> dict[str, Any]:
    return generate_market(orgs=300, seed=11)


@pytest.fixture(scope="module")
def lp_market() -> dict[str, Any]:
    return generate_market(orgs=300, seed=11, lp=True)


def _listings(market: dict[str, Any]) -> list[dict[str, Any]]:
    return market["offers"] + market["demands"]


# -- determinism and validity -----------------------------------------------------------------
def test_the_same_orgs_and_seed_give_the_same_market(market):
    assert generate_market(orgs=300, seed=11) == market


def test_another_seed_gives_another_market(market):
    assert generate_market(orgs=300, seed=12)["offers"] != market["offers"]


def test_orgs_below_one_are_refused():
    with pytest.raises(ValueError, match="orgs"):
        generate_market(orgs=0, seed=1)


def test_the_market_parses_without_problems(market, lp_market):
    from solver import parse_market  # the solver's own validation, all rules of the spec

    assert parse_market(market) is not None
    assert parse_market(lp_market) is not None


@pytest.mark.parametrize("orgs", [1, 2, 25])
def test_tiny_markets_are_valid_too(orgs):
    from solver import parse_market

    assert parse_market(generate_market(orgs=orgs, seed=4)) is not None


def test_from_25_orgs_every_role_has_at_least_one_org():
    assert [count for _, count in allocate(25)] == [1] * len(ROLES)
    assert sum(count for _, count in allocate(1000)) == 1000


def test_the_pair_counter_agrees_with_the_solver_eligibility(market):
    from solver import parse_market
    from solver.eligibility import eligible_pairs

    assert count_eligible_pairs(market) == len(eligible_pairs(parse_market(market)))


# -- catalogue, regions and freight ---------------------------------------------------------------
def test_every_tier_and_every_catalogue_product_is_traded(market):
    traded = {x["product"] for x in _listings(market)}
    assert traded == {p["id"] for p in market["products"]}
    assert {p["tier"] for p in market["products"]} == TIERS


def test_products_missing_a_reference_price_get_the_assumed_one():
    catalog = load_catalog()
    assert catalog["ev-pack"].reference_price == 700_000_000
    assert catalog["nickel-intermediate"].reference_price == 35_000
    assert catalog["lithium-carbonate"].reference_price == 75_000  # from products.csv


def test_product_entries_carry_name_tier_unit_and_default_freight(market):
    cell = next(p for p in market["products"] if p["id"] == "lfp-cell")
    # 0.35 CNY/t-km x 1,878.57 km (mean of the 14 lanes over 1,500 km: 26,300 / 14) x 5,500 t/GWh
    assert cell == {"id": "lfp-cell", "name": "LFP cells", "name_zh": "磷酸铁锂电芯", "tier": "cell",
                    "unit": "GWh", "default_transport_cost": 3_616_250.0}


def test_ten_provinces_are_the_regions(market):
    assert len(market["regions"]) == 10
    assert {"qinghai", "sichuan", "jiangxi", "fujian", "guangdong"} <= set(market["regions"])


def test_freight_is_035_cny_per_tonne_km_times_tonnes_per_unit(market):
    def cost(a: str, b: str, product: str | None) -> float:
        return next(t["cost"] for t in market["transport"]
                    if {t["from"], t["to"]} == {a, b} and t.get("product") == product)

    assert cost("jiangxi", "hunan", None) == 122.5  # 0.35 x 350 km x 1 t
    assert cost("qinghai", "sichuan", "spodumene-sc6") == 385.0  # 0.35 x 1,100 km x 1 t
    assert cost("sichuan", "fujian", "lfp-cell") == 3_657_500.0  # 0.35 x 1,900 km x 5,500 t/GWh
    assert cost("jiangsu", "zhejiang", "separator") == 980.0  # 0.35 x 280 km x 10 t/Mm2


def test_no_two_transport_entries_share_a_lane_and_scope(market):
    keys = Counter((frozenset((t["from"], t["to"])), t.get("product")) for t in market["transport"])
    assert max(keys.values()) == 1


# -- organisations ------------------------------------------------------------------------------
def test_orgs_are_described_and_every_listing_names_one(market):
    orgs = {o["id"]: o for o in market["orgs"]}
    assert len(orgs) == 300
    assert all(re.fullmatch(r"[a-z]+-[a-z-]+-\d{3,}", org_id) for org_id in orgs)
    assert {x["org"] for x in _listings(market)} <= set(orgs)
    for org in market["orgs"]:
        assert org["region"] in market["regions"]
        assert set(org["tiers"]) <= TIERS and org["roles"] and org["name"] and org["name_zh"]
        assert set(org["certifications"]) <= CERTIFICATIONS


def test_many_orgs_both_buy_and_sell(market):
    sellers = {o["org"] for o in market["offers"]}
    buyers = {d["org"] for d in market["demands"]}
    roles = {o["id"]: o["roles"] for o in market["orgs"]}
    both = sellers & buyers
    assert len(both) > 60
    assert any("cathode-maker" in roles[org] for org in both)
    assert any("cell-maker" in roles[org] for org in both)


# -- bills of materials ---------------------------------------------------------------------------
def test_chain_links_name_demands_of_the_same_org(market):
    demands = {d["id"]: d for d in market["demands"]}
    linked = [o for o in market["offers"] if o.get("inputs")]
    assert len(linked) > 100
    for offer in linked:
        for link in offer["inputs"]:
            assert demands[link["demand"]]["org"] == offer["org"]
            assert link["ratio"] > 0


def test_a_cell_offer_links_the_four_materials_of_its_bill(market):
    demands = {d["id"]: d for d in market["demands"]}
    cell = next(o for o in market["offers"] if o["product"] == "lfp-cell")
    bill = {demands[link["demand"]]["product"]: link["ratio"] for link in cell["inputs"]}
    assert bill == {"lfp-cathode": 2020, "graphite-anode": 955, "separator": 16, "electrolyte": 1100}


def test_some_input_demands_have_captive_own_supply(market):
    linked = {link["demand"] for o in market["offers"] for link in o.get("inputs", [])}
    captive = [d for d in market["demands"] if d.get("own_supply")]
    assert captive and all(d["id"] in linked for d in captive)


# -- windows, prices, certifications, rules ------------------------------------------------------
def test_windows_last_12_to_60_months_inside_the_horizon(market):
    for item in _listings(market):
        months = _month(item["end"]) - _month(item["start"]) + 1
        assert 12 <= months <= 60
        assert HORIZON[0] <= item["start"] and item["end"] <= HORIZON[1]
        assert item.get("min_term_months", 1) <= months


def test_prices_stay_within_16_percent_of_the_reference(market):
    reference = {p.id: p.reference_price for p in load_catalog().values()}
    for item in _listings(market):
        assert abs(item["price"] / reference[item["product"]] - 1) <= 0.165


def test_vehicle_and_device_buyers_require_their_certifications(market):
    required = Counter((d["product"], c) for d in market["demands"]
                       for c in d.get("required_certifications", []))
    assert required[("ev-pack", "IATF16949")] > 0
    assert required[("lfp-cell", "GB31241")] + required[("ncm-cell", "GB31241")] > 0
    assert {c for _, c in required} <= CERTIFICATIONS


def test_remaining_lists_months_of_the_window_with_a_part_of_capacity(market):
    with_remaining = [o for o in market["offers"] if o.get("remaining")]
    assert with_remaining
    for offer in with_remaining:
        for month, free in offer["remaining"].items():
            assert offer["start"] <= month <= offer["end"]
            assert 0 <= free <= offer["monthly_qty"]


def test_forbidden_pairs_are_same_product_different_org(market):
    offers = {o["id"]: o for o in market["offers"]}
    demands = {d["id"]: d for d in market["demands"]}
    assert market["forbidden"] and "locked" not in market
    for pair in market["forbidden"]:
        offer, demand = offers[pair["offer"]], demands[pair["demand"]]
        assert offer["product"] == demand["product"] and offer["org"] != demand["org"]


def test_the_mip_variant_has_minimum_volumes_supplier_counts_and_shares(market):
    fields = Counter(k for item in _listings(market) for k in item)
    for name in ("min_monthly_qty", "max_suppliers", "max_supplier_share", "max_buyer_share"):
        assert fields[name] > 0, name


def test_the_lp_variant_is_the_same_market_without_integer_rules(market, lp_market):
    fields = Counter(k for item in _listings(lp_market) for k in item)
    assert fields["min_monthly_qty"] == 0 and fields["max_suppliers"] == 0
    assert fields["max_supplier_share"] > 0 and fields["max_buyer_share"] > 0
    stripped = copy.deepcopy(market)
    for item in _listings(stripped):
        item.pop("min_monthly_qty", None)
        item.pop("max_suppliers", None)
    stripped["generator"]["lp"] = True
    assert stripped == lp_market


# -- volumes and size -----------------------------------------------------------------------------
def _cells(listings: list[dict[str, Any]]) -> float:
    cells = [x for x in listings if x["product"] in ("lfp-cell", "ncm-cell")]
    return sum(x["monthly_qty"] + x.get("own_supply", 0.0) for x in cells)


def test_a_national_market_buys_about_100_gwh_of_cells_a_month():
    # MIIT 2024: 1,170 GWh a year = 97.5 GWh a month; final demand varies by -10% to +15%.
    national = generate_market(orgs=1000, seed=3, lp=True)
    assert 80 <= _cells(national["demands"]) <= 125


def test_cell_capacity_on_offer_exceeds_what_is_bought_in_most_markets():
    # Overcapacity factor 0.9-1.7 on ~100 GWh: 90-170 GWh a month of cells on offer.
    offered = [_cells(generate_market(orgs=1000, seed=seed)["offers"]) for seed in range(4)]
    assert all(80 <= gwh <= 190 for gwh in offered)
    assert sum(offered) / 4 > 105


def test_a_smaller_platform_carries_a_proportional_slice(market):
    assert 24 <= _cells(market["demands"]) <= 37.5  # 300 orgs: 30% of the national volume


def test_supply_and_demand_are_balanced_within_a_factor_of_two(market):
    for product in market["products"]:
        supply = sum(o["monthly_qty"] for o in market["offers"] if o["product"] == product["id"])
        demand = sum(d["monthly_qty"] + d.get("own_supply", 0) for d in market["demands"]
                     if d["product"] == product["id"])
        assert 0.5 <= supply / demand <= 2.0, product["id"]


def test_about_7000_eligible_pairs_at_300_orgs(market):
    assert 5_500 <= count_eligible_pairs(market) <= 9_000


def test_about_85000_eligible_pairs_at_1000_orgs():
    assert 70_000 <= count_eligible_pairs(generate_market(orgs=1000, seed=5, lp=True)) <= 100_000


def test_about_760000_eligible_pairs_at_3000_orgs_generated_in_seconds():
    started = time.perf_counter()
    market = generate_market(orgs=3000, seed=5, lp=True)
    assert time.perf_counter() - started < 3.0
    assert 650_000 <= count_eligible_pairs(market) <= 870_000
