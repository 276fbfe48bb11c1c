"""Capacity and demand hold month by month, and the surplus is weighted by the contract term."""

from __future__ import annotations

from pytest import approx

from tests.solver.markets import demand, market, offer, volumes


def test_one_offer_serves_consecutive_windows_at_full_volume(solve_checked):
    # O1: 100/month all 2027 at 10. D1 buys Jan-Jun at 20 (m=10), D2 Jul-Dec at 18 (m=8).
    # The windows never share a month, so both matches run at 100:
    # 100*6*10 + 100*6*8 = 6000 + 4800 = 10800.
    data = market(
        [offer("O1", "s", 100, 10)],
        [demand("D1", "a", 100, 20, start="2027-01", end="2027-06"),
         demand("D2", "b", 100, 18, start="2027-07", end="2027-12")],
    )
    result = solve_checked(data)
    assert result["objective"] == approx(10800, rel=1e-6)
    assert volumes(result) == {("O1", "D1"): approx(100), ("O1", "D2"): approx(100)}


def test_overlapping_windows_share_the_capacity_of_their_common_months(solve_checked):
    # O1: 100/month all 2027 at 10. D1 Jan-Jun at 20: 6 months * 10 = 60 per unit of q.
    # D2 Apr-Dec at 18: 9 months * 8 = 72 per unit. Apr-Jun both run: q1 + q2 <= 100.
    # Best: q2 = 100, q1 = 0 -> 7200 (ignoring the overlap would wrongly give 13200).
    data = market(
        [offer("O1", "s", 100, 10)],
        [demand("D1", "a", 100, 20, start="2027-01", end="2027-06"),
         demand("D2", "b", 100, 18, start="2027-04", end="2027-12")],
    )
    result = solve_checked(data)
    assert result["objective"] == approx(7200, rel=1e-6)
    assert volumes(result) == {("O1", "D2"): approx(100)}


def test_remaining_in_one_month_caps_the_constant_volume_of_the_whole_term(solve_checked):
    # O1 has only 40 free in 2027-03; a match runs at one volume for its whole term,
    # so q <= 40 all year: 40 * 12 * (20 - 10) = 4800.
    data = market(
        [offer("O1", "s", 100, 10, remaining={"2027-03": 40})],
        [demand("D1", "a", 100, 20)],
    )
    result = solve_checked(data)
    assert result["objective"] == approx(4800, rel=1e-6)
    assert volumes(result) == {("O1", "D1"): approx(40)}


def test_demand_remaining_caps_purchases_like_offer_remaining(solve_checked):
    # D1 still needs only 30 in 2027-06: q <= 30 -> 30 * 12 * 10 = 3600.
    data = market(
        [offer("O1", "s", 100, 10)],
        [demand("D1", "a", 100, 20, remaining={"2027-06": 30})],
    )
    result = solve_checked(data)
    assert result["objective"] == approx(3600, rel=1e-6)
    assert volumes(result) == {("O1", "D1"): approx(30)}


def test_remaining_outside_the_term_does_not_limit_the_match(solve_checked):
    # O1 is sold out in 2027-01 (remaining 0) and 2026-12 lies outside its window.
    # D1 (Jan-Dec, m=20, 12 months = 240/unit) cannot run because January is full;
    # D2 (Feb-Dec, m=10, 11 months = 110/unit) never touches January: q = 100 -> 11000.
    data = market(
        [offer("O1", "s", 100, 10, remaining={"2027-01": 0, "2026-12": 0})],
        [demand("D1", "a", 100, 30),
         demand("D2", "b", 100, 20, start="2027-02")],
    )
    result = solve_checked(data)
    assert result["objective"] == approx(11000, rel=1e-6)
    assert volumes(result) == {("O1", "D2"): approx(100)}


def test_a_demand_is_filled_at_most_to_its_monthly_qty(solve_checked):
    # D1 wants 100; O1 (80 at 10, m=10) fills 80, O2 (80 at 12, m=8) the last 20:
    # 12 * (80*10 + 20*8) = 12 * 960 = 11520.
    data = market(
        [offer("O1", "s1", 80, 10), offer("O2", "s2", 80, 12)],
        [demand("D1", "a", 100, 20)],
    )
    result = solve_checked(data)
    assert result["objective"] == approx(11520, rel=1e-6)
    assert volumes(result) == {("O1", "D1"): approx(80), ("O2", "D1"): approx(20)}


def test_surplus_is_volume_times_months_times_margin(solve_checked):
    # O1: 100/month over 2027-2028 at 10. D1 Jan-Mar 2027 at 25: m=15 but 3 months = 45/unit.
    # D2 over 2027-2028 at 15: m=5 over 24 months = 120/unit. They overlap Jan-Mar 2027,
    # so the long contract wins: 100 * 24 * 5 = 12000 (the best margin alone would pick D1).
    data = market(
        [offer("O1", "s", 100, 10, end="2028-12")],
        [demand("D1", "a", 100, 25, end="2027-03"),
         demand("D2", "b", 100, 15, end="2028-12")],
    )
    result = solve_checked(data)
    assert result["objective"] == approx(12000, rel=1e-6)
    [match] = result["matches"]
    assert (match["offer"], match["demand"]) == ("O1", "D2")
    assert (match["start"], match["end"], match["months"]) == ("2027-01", "2028-12", 24)
    assert match["surplus"] == approx(100 * 24 * 5, rel=1e-6)
