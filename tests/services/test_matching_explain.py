"""Explaining a run: which constraints bind, and what the optimizer adds over matching by hand."""

from __future__ import annotations

import pytest

from matchmaker.services.explain import binding, greedy, product_summary, relax
from solver import parse_market, solve

PRODUCT = {"id": "lithium-carbonate", "tier": "material2", "unit": "t"}


def market(offers, demands, **extra):  # type: ignore[no-untyped-def]
    return {"format": "lithium-market/1", "products": [PRODUCT], "offers": offers, "demands": demands, **extra}


def listing(id_, org, qty, start, end, price, **extra):  # type: ignore[no-untyped-def]
    return {"id": id_, "org": org, "product": "lithium-carbonate", "region": "jiangxi", "monthly_qty": qty,
            "start": start, "end": end, "price": price, **extra}


# One seller with 400 t/month over 2027-2028; D1 wants 300 t in 2027 only at a margin of 5,000,
# D2 wants 300 t over both years at a margin of 3,500.
LONG_BEATS_RICH = market(
    [listing("O1", "seller", 400, "2027-01", "2028-12", 71_000)],
    [listing("D1", "buyer-1", 300, "2027-01", "2027-12", 76_000),
     listing("D2", "buyer-2", 300, "2027-01", "2028-12", 74_500)],
)


def solved(data):  # type: ignore[no-untyped-def]
    return solve(parse_market(data)).to_dict()


def test_greedy_takes_the_best_margin_first():
    # D1 first: 300 t x 12 x 5,000 = 18,000,000; D2 gets the last 100 t: 100 x 24 x 3,500 = 8,400,000
    by_hand = greedy(parse_market(LONG_BEATS_RICH))
    assert by_hand.volumes == {("O1", "D1"): 300, ("O1", "D2"): 100}
    assert by_hand.surplus["lithium-carbonate"] == pytest.approx(26_400_000)


def test_the_summary_shows_what_the_optimizer_adds():
    # The optimizer fills the longer contract: 300 x 24 x 3,500 + 100 x 12 x 5,000 = 31,200,000
    [row] = product_summary(LONG_BEATS_RICH, solved(LONG_BEATS_RICH))
    assert row.surplus == pytest.approx(31_200_000) and row.greedy_surplus == pytest.approx(26_400_000)
    assert row.offered == 400 * 24 and row.demanded == 300 * 12 + 300 * 24
    assert row.matched == pytest.approx(300 * 24 + 100 * 12)


def test_binding_names_full_capacity_and_covered_demand():
    reasons = {k: [str(r) for r in v] for k, v in binding(LONG_BEATS_RICH, solved(LONG_BEATS_RICH)).items()}
    assert reasons[("O1", "D1")] == ["offer capacity full in 2027-01–2027-12"]
    assert reasons[("O1", "D2")] == ["offer capacity full in 2027-01–2027-12",
                                     "demand fully covered in 2027-01–2028-12"]


def test_binding_names_shares_minimums_and_chain_links():
    data = market(
        [listing("O1", "seller", 400, "2027-01", "2027-12", 71_000, max_buyer_share=0.25),
         listing("O2", "maker", 100, "2027-01", "2027-12", 60_000, inputs=[{"demand": "D9", "ratio": 2}])],
        [listing("D1", "buyer", 300, "2027-01", "2027-12", 76_000, min_monthly_qty=40),
         listing("D9", "maker", 10, "2027-01", "2027-12", 1, own_supply=70)],
    )
    reasons = {k: [str(r) for r in v] for k, v in binding(data, solved(data)).items()}
    # O1 may sell one buyer 0.25 x 400 = 100 t; O2 can make (0 bought + 70 own) / 2 = 35 t,
    # below D1's minimum of 40, so it gets nothing
    assert reasons == {("O1", "D1"): ["the seller's share limit for one buyer (0.25)"]}


def test_relaxing_a_rule_family_removes_its_fields_only():
    data = market([listing("O1", "s", 10, "2027-01", "2027-12", 1, min_monthly_qty=5, max_buyer_share=0.5)],
                  [listing("D1", "b", 10, "2027-01", "2027-12", 2, max_suppliers=1)])
    assert "min_monthly_qty" not in relax(data, "min_volumes")["offers"][0]
    assert relax(data, "shares")["offers"][0].get("max_buyer_share") is None
    assert "max_suppliers" not in relax(data, "supplier_counts")["demands"][0]
    assert data["offers"][0]["min_monthly_qty"] == 5  # the original is untouched


def test_two_results_side_by_side():
    from matchmaker.services.explain import compare

    a = solved(LONG_BEATS_RICH)
    b = solved({**LONG_BEATS_RICH, "forbidden": [{"offer": "O1", "demand": "D2"}]})
    rows = {(r.offer, r.demand): (r.qty_a, r.qty_b) for r in compare(a, b)}
    assert rows == {("O1", "D1"): (pytest.approx(100), pytest.approx(300)), ("O1", "D2"): (pytest.approx(300), 0.0)}
