"""Locked matches are kept at exactly their volume; locks that cannot all hold are infeasible."""

from __future__ import annotations

from pytest import approx

from tests.solver.checker import check_result
from tests.solver.conftest import solve_dict
from tests.solver.markets import demand, market, offer, product, volumes


def lock(offer_id: str, demand_id: str, qty: float) -> dict:
    return {"offer": offer_id, "demand": demand_id, "monthly_qty": qty}


def test_a_locked_match_is_kept_even_when_it_is_not_the_best_use(solve_checked):
    # O1 (100 at 10); D1 bids 20 (m=10), D2 bids 14 (m=4). Free choice: all 100 to D1 (12000).
    # O1-D2 is locked at 30, so D1 gets the other 70: 12*(70*10 + 30*4) = 9840.
    data = market(
        [offer("O1", "s", 100, 10)],
        [demand("D1", "a", 100, 20), demand("D2", "b", 100, 14)],
        locked=[lock("O1", "D2", 30)],
    )
    result = solve_checked(data)
    assert result["objective"] == approx(9840, rel=1e-6)
    assert volumes(result) == {("O1", "D1"): approx(70), ("O1", "D2"): approx(30)}


def test_a_locked_match_does_not_grow_beyond_its_volume(solve_checked):
    # O1-D1 (the best pair) is locked at 30; the other 70 go to D2:
    # 12*(30*10 + 70*4) = 12*580 = 6960.
    data = market(
        [offer("O1", "s", 100, 10)],
        [demand("D1", "a", 100, 20), demand("D2", "b", 100, 14)],
        locked=[lock("O1", "D1", 30)],
    )
    result = solve_checked(data)
    assert result["objective"] == approx(6960, rel=1e-6)
    assert volumes(result) == {("O1", "D1"): approx(30), ("O1", "D2"): approx(70)}


def test_a_locked_zero_margin_match_is_listed(solve_checked):
    # m = 20 - 20 = 0 is eligible; the lock adds nothing to the objective but is a match.
    data = market([offer("O1", "s", 100, 20)], [demand("D1", "a", 100, 20)],
                  locked=[lock("O1", "D1", 25)])
    result = solve_checked(data)
    assert result["objective"] == approx(0, abs=1e-6)
    assert volumes(result) == {("O1", "D1"): approx(25)}


def assert_infeasible(data: dict, *names: str) -> str:
    result = solve_dict(data)
    assert result["status"] == "infeasible"
    assert check_result(data, result) == []
    reason = result["reason"]
    for name in names:
        assert name in reason, f"{name!r} not named in reason {reason!r}"
    return reason


def test_locks_above_capacity_are_infeasible_and_the_reason_names_it():
    # O1 has 50 a month; locks of 40 + 20 = 60 > 50.
    data = market(
        [offer("O1", "s", 50, 10)],
        [demand("D1", "a", 100, 20), demand("D2", "b", 100, 20)],
        locked=[lock("O1", "D1", 40), lock("O1", "D2", 20)],
    )
    reason = assert_infeasible(data, "O1")
    assert "capacity" in reason


def test_a_lock_above_remaining_names_the_month():
    # The spec's own example: offer O1 capacity in 2027-01: locked 60 > 50.
    data = market(
        [offer("O1", "s", 100, 10, remaining={"2027-01": 50})],
        [demand("D1", "a", 100, 20)],
        locked=[lock("O1", "D1", 60)],
    )
    assert_infeasible(data, "O1", "2027-01")


def test_locks_above_a_demands_quantity_are_infeasible():
    # D1 wants 100; locks of 70 + 70 from two offers.
    data = market(
        [offer("O1", "s1", 100, 10), offer("O2", "s2", 100, 10)],
        [demand("D1", "a", 100, 20)],
        locked=[lock("O1", "D1", 70), lock("O2", "D1", 70)],
    )
    assert_infeasible(data, "D1")


def test_a_lock_below_the_minimum_volume_is_infeasible():
    # D1 accepts no match under 40 a month; the lock says 30.
    data = market(
        [offer("O1", "s", 100, 10)],
        [demand("D1", "a", 100, 20, min_monthly_qty=40)],
        locked=[lock("O1", "D1", 30)],
    )
    assert_infeasible(data, "O1")


def test_a_lock_above_the_supplier_share_is_infeasible():
    # D1 takes at most 0.5 * 100 = 50 from org s; the lock says 60.
    data = market(
        [offer("O1", "s", 100, 10)],
        [demand("D1", "a", 100, 20, max_supplier_share=0.5)],
        locked=[lock("O1", "D1", 60)],
    )
    assert_infeasible(data, "D1")


def test_a_lock_above_the_buyer_share_is_infeasible():
    # O1 lets org a take at most 0.3 * 100 = 30; the lock says 40.
    data = market(
        [offer("O1", "s", 100, 10, max_buyer_share=0.3)],
        [demand("D1", "a", 100, 20)],
        locked=[lock("O1", "D1", 40)],
    )
    assert_infeasible(data, "O1")


def test_an_optimal_result_with_locks_bounds_the_locked_optimum(solve_checked):
    # Free optimum 100 * 12 * 10 = 12000 (all of O1 to D1); with O1-D1 locked at 30 the best
    # is 6960 (above), so a proof of optimality within 1e-9 needs bound <= 6960 * (1 + 1e-9).
    data = market(
        [offer("O1", "s", 100, 10)],
        [demand("D1", "a", 100, 20), demand("D2", "b", 100, 14)],
        locked=[lock("O1", "D1", 30)],
    )
    result = solve_dict(data, gap=1e-9)
    assert result["status"] == "optimal"
    assert result["bound"] == approx(6960, rel=1e-6)


LI_CAT = [product("li"), product("cat", tier="material1")]


def cathode_lock(qty: float) -> dict:
    """Org C's cathode offer O2 (0.5 t li per t) with D2 locked at ``qty``."""
    return {"offer": offer("O2", "C", 200, 10, product="cat",
                           inputs=[{"demand": "D1", "ratio": 0.5}]),
            "buyer": demand("D2", "B", 200, 20, product="cat"),
            "lock": lock("O2", "D2", qty)}


def test_a_lock_whose_inputs_cannot_be_bought_is_infeasible_and_names_the_chain_link():
    # 100 t cathode need 50 t li a month; nobody sells li and C owns 20.
    c = cathode_lock(100)
    data = market([c["offer"]],
                  [demand("D1", "C", 100, 9, product="li", own_supply=20), c["buyer"]],
                  products=LI_CAT, locked=[c["lock"]])
    assert_infeasible(data, "D1")


def test_a_lock_outside_the_input_window_is_infeasible():
    # C buys li only Jan-Jun (own supply 0); the cathode lock runs all year: in July its
    # 0.5 * 10 = 5 t of li cannot come from anywhere.
    c = cathode_lock(10)
    data = market([c["offer"], offer("O1", "L", 100, 5, product="li")],
                  [demand("D1", "C", 100, 9, product="li", end="2027-06"), c["buyer"]],
                  products=LI_CAT, locked=[c["lock"]])
    reason = assert_infeasible(data, "D1")
    assert not any(f"2027-0{m}" in reason for m in range(1, 7)), "Jan-Jun are covered"


def test_two_locked_supplier_orgs_break_a_single_supplier_limit():
    data = market(
        [offer("O1", "s1", 100, 10), offer("O2", "s2", 100, 10)],
        [demand("D1", "a", 100, 20, max_suppliers=1)],
        locked=[lock("O1", "D1", 10), lock("O2", "D1", 10)],
    )
    assert_infeasible(data, "D1")


def test_locks_that_break_a_chain_link_only_together_name_a_constraint():
    # The cathode lock needs 50 t li a month; L has 60 t but 30 are locked to another buyer X,
    # so C can buy at most 30 (< 50): the chain link of D1 (or O1's capacity) cannot hold.
    c = cathode_lock(100)
    data = market([c["offer"], offer("O1", "L", 60, 5, product="li")],
                  [demand("D1", "C", 100, 9, product="li"),
                   demand("D3", "X", 100, 9, product="li"), c["buyer"]],
                  products=LI_CAT, locked=[c["lock"], lock("O1", "D3", 30)])
    reason = assert_infeasible(data)
    assert "D1" in reason or "O1" in reason, reason


def test_a_lock_needing_more_inputs_than_the_supplier_share_allows_names_it():
    # 100 t cathode need 50 t li; org L (O1 and O3) may supply D1 at most 0.4 * 100 = 40.
    c = cathode_lock(100)
    data = market([c["offer"], offer("O1", "L", 60, 5, product="li"),
                   offer("O3", "L", 60, 5, product="li")],
                  [demand("D1", "C", 100, 9, product="li", max_supplier_share=0.4), c["buyer"]],
                  products=LI_CAT, locked=[c["lock"]])
    assert_infeasible(data, "D1")
