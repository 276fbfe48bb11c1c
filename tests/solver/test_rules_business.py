"""Business rules: minimum volumes, supplier and buyer shares, supplier counts."""

from __future__ import annotations

from pytest import approx

from tests.solver.markets import demand, market, offer, volumes


def test_offer_minimum_volume_allows_only_one_of_two_buyers(solve_checked):
    # O1: 100 a month, each match 0 or >= 60. D1 (70 at 20, m=10), D2 (70 at 19, m=9).
    # Without the minimum: 70 + 30 -> 12*(700 + 270) = 11640. With it, two matches need 120:
    # only one runs, the better one at 70 -> 70 * 12 * 10 = 8400.
    data = market(
        [offer("O1", "s", 100, 10, min_monthly_qty=60)],
        [demand("D1", "a", 70, 20), demand("D2", "b", 70, 19)],
    )
    result = solve_checked(data)
    assert result["objective"] == approx(8400, rel=1e-6)
    assert volumes(result) == {("O1", "D1"): approx(70)}


def test_demand_minimum_volume_applies_to_every_supplier(solve_checked):
    # D1 wants 100, each match 0 or >= 50. O1 (60 at 10, m=10), O2 (60 at 12, m=8).
    # Without the minimum: 60 + 40 -> 12*(600 + 320) = 11040. With it: 50 + 50 (both >= 50)
    # -> 12*(500 + 400) = 10800, better than O1 alone (7200) or O2 alone (5760).
    data = market(
        [offer("O1", "s1", 60, 10), offer("O2", "s2", 60, 12)],
        [demand("D1", "a", 100, 20, min_monthly_qty=50)],
    )
    result = solve_checked(data)
    assert result["objective"] == approx(10800, rel=1e-6)
    assert volumes(result) == {("O1", "D1"): approx(50), ("O2", "D1"): approx(50)}


def test_supplier_share_caps_one_supplier_org(solve_checked):
    # D1 (100 at 20) takes at most 0.6 * 100 = 60 from any one org.
    # O1 (s1 at 10): 60, O2 (s2 at 15): 40 -> 12*(60*10 + 40*5) = 9600.
    data = market(
        [offer("O1", "s1", 100, 10), offer("O2", "s2", 100, 15)],
        [demand("D1", "a", 100, 20, max_supplier_share=0.6)],
    )
    result = solve_checked(data)
    assert result["objective"] == approx(9600, rel=1e-6)
    assert volumes(result) == {("O1", "D1"): approx(60), ("O2", "D1"): approx(40)}


def test_supplier_share_sums_an_orgs_offers_whatever_their_months(solve_checked):
    # D1 (100 at 20, share 0.6): org s1 sells O1 Jan-Jun at 10 (60/unit) and O3 Jul-Dec at 12
    # (48/unit); org s2 sells O2 all year at 17 (36/unit). With a = q1:
    #   share s1: q1 + q3 <= 60;  share s2: q2 <= 60;  Jan-Jun: q1 + q2 <= 100.
    # Best q3 = 60 - a, q2 = min(60, 100 - a): 2880 + 12a + 36*min(60, 100 - a), max at a = 40:
    # q1 = 40, q3 = 20, q2 = 60 -> 2400 + 960 + 2160 = 5520.
    # (A per-month share would allow q1 = q3 = 60, q2 = 40: 7920.)
    data = market(
        [offer("O1", "s1", 100, 10, end="2027-06"),
         offer("O3", "s1", 100, 12, start="2027-07"),
         offer("O2", "s2", 100, 17)],
        [demand("D1", "a", 100, 20, max_supplier_share=0.6)],
    )
    result = solve_checked(data)
    assert result["objective"] == approx(5520, rel=1e-6)
    assert volumes(result) == {("O1", "D1"): approx(40), ("O3", "D1"): approx(20),
                               ("O2", "D1"): approx(60)}


def test_supplier_share_is_of_the_declared_monthly_qty_not_remaining(solve_checked):
    # D1 declares 100 but needs only 80 in January; share 0.5 -> 50 per org (not 40).
    # O1 (s1 at 10): 50, O2 (s2 at 15): 30 -> 12*(500 + 150) = 7800 (with 40: 7200).
    data = market(
        [offer("O1", "s1", 100, 10), offer("O2", "s2", 100, 15)],
        [demand("D1", "a", 100, 20, max_supplier_share=0.5, remaining={"2027-01": 80})],
    )
    result = solve_checked(data)
    assert result["objective"] == approx(7800, rel=1e-6)
    assert volumes(result) == {("O1", "D1"): approx(50), ("O2", "D1"): approx(30)}


def test_buyer_share_caps_one_buyer_org_across_its_demands(solve_checked):
    # O1 (100 at 10, buyer share 0.5): org a (D1 at 20, D3 at 18) takes at most 50 together;
    # D1 is better for it. Org b (D2 at 15) takes the other 50: 12*(50*10 + 50*5) = 9000.
    data = market(
        [offer("O1", "s", 100, 10, max_buyer_share=0.5)],
        [demand("D1", "a", 100, 20), demand("D3", "a", 100, 18), demand("D2", "b", 100, 15)],
    )
    result = solve_checked(data)
    assert result["objective"] == approx(9000, rel=1e-6)
    assert volumes(result) == {("O1", "D1"): approx(50), ("O1", "D2"): approx(50)}


def test_supplier_count_counts_orgs_not_offers(solve_checked):
    # D1 (100 at 20) accepts one supplier org. Org s1: O1 (60 at 10) + O3 (30 at 14)
    # -> 12*(600 + 180) = 9360; org s2: O2 (60 at 11) -> 12*540 = 6480. Without the count:
    # 60 from O1 + 40 from O2 = 11520. With it, org s1: 9360.
    data = market(
        [offer("O1", "s1", 60, 10), offer("O2", "s2", 60, 11), offer("O3", "s1", 30, 14)],
        [demand("D1", "a", 100, 20, max_suppliers=1)],
    )
    result = solve_checked(data)
    assert result["objective"] == approx(9360, rel=1e-6)
    assert volumes(result) == {("O1", "D1"): approx(60), ("O3", "D1"): approx(30)}


def test_supplier_count_keeps_the_best_orgs(solve_checked):
    # Three orgs of 40 at 10, 11, 12 for D1 (100 at 20, max 2 suppliers):
    # without the count 40 + 40 + 20 -> 11040; with it the two cheapest: 12*(400 + 360) = 9120.
    data = market(
        [offer("O1", "s1", 40, 10), offer("O2", "s2", 40, 11), offer("O3", "s3", 40, 12)],
        [demand("D1", "a", 100, 20, max_suppliers=2)],
    )
    result = solve_checked(data)
    assert result["objective"] == approx(9120, rel=1e-6)
    assert volumes(result) == {("O1", "D1"): approx(40), ("O2", "D1"): approx(40)}


def test_buyer_share_is_of_the_declared_monthly_qty_not_remaining(solve_checked):
    # O1 declares 100 but has only 60 free in March; buyer share 0.5 -> 50 per org (not 30).
    # D1 (org a at 20, m=10) takes 50, D2 (org b at 15, m=5) the last 10 of March's 60:
    # 12 * (50*10 + 10*5) = 6600 (a share of remaining would give 30 + 30: 5400).
    data = market(
        [offer("O1", "s", 100, 10, max_buyer_share=0.5, remaining={"2027-03": 60})],
        [demand("D1", "a", 100, 20), demand("D2", "b", 100, 15)],
    )
    result = solve_checked(data)
    assert result["objective"] == approx(6600, rel=1e-6)
    assert volumes(result) == {("O1", "D1"): approx(50), ("O1", "D2"): approx(10)}
