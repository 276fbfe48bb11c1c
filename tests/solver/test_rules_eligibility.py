"""Which pairs can match: product, orgs, forbidden pairs, certifications, terms, freight, margin."""

from __future__ import annotations

import pytest
from pytest import approx

from tests.solver.markets import demand, market, offer, product, volumes


def test_an_org_is_never_matched_with_itself(solve_checked):
    # O1 (org x, ask 10) would give m=10 to D1 (org x) but is the same org.
    # Only O2 (org y, ask 18) can serve: 100 * 12 * 2 = 2400.
    data = market(
        [offer("O1", "x", 100, 10), offer("O2", "y", 100, 18)],
        [demand("D1", "x", 100, 20)],
    )
    result = solve_checked(data)
    assert result["objective"] == approx(2400, rel=1e-6)
    assert volumes(result) == {("O2", "D1"): approx(100)}


def test_a_forbidden_pair_is_never_matched(solve_checked):
    # Same numbers as above with different orgs, but staff ruled out O1-D1: 2400.
    data = market(
        [offer("O1", "s1", 100, 10), offer("O2", "s2", 100, 18)],
        [demand("D1", "a", 100, 20)],
        forbidden=[{"offer": "O1", "demand": "D1"}],
    )
    result = solve_checked(data)
    assert result["objective"] == approx(2400, rel=1e-6)
    assert volumes(result) == {("O2", "D1"): approx(100)}


def test_the_seller_must_hold_every_required_certification_spelled_exactly(solve_checked):
    # D1 requires ISO9001 and IATF16949. O1 holds only ISO9001, O3 writes "iso9001" (case
    # differs): both ineligible though cheaper. O2 holds both plus GB31241: 100*12*(20-15)=6000.
    data = market(
        [offer("O1", "s1", 100, 10, certifications=["ISO9001"]),
         offer("O2", "s2", 100, 15, certifications=["GB31241", "IATF16949", "ISO9001"]),
         offer("O3", "s3", 100, 10, certifications=["iso9001", "IATF16949"])],
        [demand("D1", "a", 100, 20, required_certifications=["ISO9001", "IATF16949"])],
    )
    result = solve_checked(data)
    assert result["objective"] == approx(6000, rel=1e-6)
    assert volumes(result) == {("O2", "D1"): approx(100)}


def test_overlap_must_last_the_longer_of_both_minimum_terms(solve_checked):
    # D1 runs Jul 2027 - Jun 2028, both offers run through 2027: overlap Jul-Dec = 6 months.
    # O2 (ask 10) wants 7 months: ineligible. O1 (ask 12) wants exactly 6: eligible.
    # 100 * 6 * (20 - 12) = 4800.
    data = market(
        [offer("O1", "s1", 100, 12, min_term_months=6),
         offer("O2", "s2", 100, 10, min_term_months=7)],
        [demand("D1", "a", 100, 20, start="2027-07", end="2028-06")],
    )
    result = solve_checked(data)
    assert result["objective"] == approx(4800, rel=1e-6)
    assert volumes(result) == {("O1", "D1"): approx(100)}


def test_the_demand_minimum_term_applies_too(solve_checked):
    # Overlap of 6 months < the demand's 7: nothing can match, objective 0.
    data = market(
        [offer("O1", "s1", 100, 12)],
        [demand("D1", "a", 100, 20, start="2027-07", end="2028-06", min_term_months=7)],
    )
    result = solve_checked(data)
    assert result["status"] == "optimal"
    assert result["objective"] == approx(0, abs=1e-9)
    assert result["matches"] == []


def test_minimum_volume_above_the_other_sides_quantity_makes_a_pair_ineligible(solve_checked):
    # O1 (ask 10) insists on >= 150 a month but D1 wants only 100: ineligible.
    # O2 (ask 16) serves: 100 * 12 * 4 = 4800.
    data = market(
        [offer("O1", "s1", 200, 10, min_monthly_qty=150), offer("O2", "s2", 100, 16)],
        [demand("D1", "a", 100, 20)],
    )
    result = solve_checked(data)
    assert result["objective"] == approx(4800, rel=1e-6)
    assert volumes(result) == {("O2", "D1"): approx(100)}


def test_products_must_be_the_same(solve_checked):
    # O1 sells q, D1 wants p: nothing matches.
    data = market(
        [offer("O1", "s1", 100, 10, product="q")],
        [demand("D1", "a", 100, 20)],
        products=[product("p"), product("q")],
    )
    result = solve_checked(data)
    assert result["objective"] == approx(0, abs=1e-9)
    assert result["matches"] == []


def test_no_eligible_pair_is_optimal_with_objective_zero(solve_checked):
    # The only ask exceeds the only bid: m = 20 - 25 < 0.
    data = market([offer("O1", "s1", 100, 25)], [demand("D1", "a", 100, 20)])
    result = solve_checked(data)
    assert result["status"] == "optimal"
    assert result["objective"] == approx(0, abs=1e-9)
    assert result["matches"] == []


def test_empty_market_is_optimal_with_objective_zero(solve_checked):
    result = solve_checked(market([], []))
    assert result["status"] == "optimal"
    assert result["objective"] == approx(0, abs=1e-9)
    assert result["matches"] == []


# Freight lookup: product P (default 7 between different regions), regions a, b, c.
# O1 sells from `a` at 10, D1 buys at 20, 10 units a month for 12 months:
# objective = 10 * 12 * m with m = 20 - 10 - freight.
FREIGHT_CASES = {
    "product entry beats general entry, either direction": (
        "b", [{"from": "a", "to": "b", "cost": 3},
              {"from": "b", "to": "a", "product": "p", "cost": 5}], 5),
    "general entry beats default, either direction": (
        "b", [{"from": "b", "to": "a", "cost": 3}], 3),
    "general entry beats default for an entry naming another product": (
        "b", [{"from": "a", "to": "b", "product": "q", "cost": 1},
              {"from": "a", "to": "b", "cost": 4}], 4),
    "same region without entry is free, not the default": ("a", [], 0),
    "an entry within one region comes before the same-region zero": (
        "a", [{"from": "a", "to": "a", "cost": 3}, {"from": "a", "to": "b", "cost": 1}], 3),
    "different regions without entry use the default": (
        "c", [{"from": "a", "to": "b", "cost": 1}], 7),
    "an entry for another product does not apply": (
        "b", [{"from": "a", "to": "b", "product": "q", "cost": 1}], 7),
}


@pytest.mark.parametrize("case", FREIGHT_CASES)
def test_freight_lookup_order(solve_checked, case):
    demand_region, transport, freight = FREIGHT_CASES[case]
    data = market(
        [offer("O1", "s1", 10, 10, region="a")],
        [demand("D1", "x", 10, 20, region=demand_region)],
        products=[product("p", default_transport_cost=7), product("q")],
        regions=["a", "b", "c"],
        transport=transport,
    )
    result = solve_checked(data)
    margin = 20 - 10 - freight
    assert result["objective"] == approx(10 * 12 * margin, rel=1e-6)
    [match] = result["matches"]
    assert match["unit_margin"] == approx(margin)
    assert match["price"] == approx(10 + freight + margin / 2)


def test_freight_that_eats_the_whole_margin_makes_the_pair_ineligible(solve_checked):
    # default freight 11 between regions: m = 20 - 10 - 11 = -1 < 0.
    data = market(
        [offer("O1", "s1", 10, 10, region="a")],
        [demand("D1", "x", 10, 20, region="b")],
        products=[product("p", default_transport_cost=11)],
    )
    result = solve_checked(data)
    assert result["objective"] == approx(0, abs=1e-9)
    assert result["matches"] == []


def test_unit_price_splits_the_margin_after_freight(solve_checked):
    # ask 100, bid 160, freight 20: m = 40; buyer pays 100 + 20 + 40/2 = 140 per unit.
    data = market(
        [offer("O1", "s1", 5, 100, region="a")],
        [demand("D1", "x", 5, 160, region="b")],
        transport=[{"from": "a", "to": "b", "cost": 20}],
    )
    result = solve_checked(data)
    [match] = result["matches"]
    assert match["unit_margin"] == approx(40)
    assert match["price"] == approx(140)
    assert match["surplus"] == approx(5 * 12 * 40)
    assert result["objective"] == approx(2400, rel=1e-6)
