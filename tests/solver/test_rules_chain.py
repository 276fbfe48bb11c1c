"""Chain links: an offer sells only what its inputs, bought or owned, cover in every month."""

from __future__ import annotations

from pytest import approx

from tests.solver.markets import demand, market, offer, product, volumes

# Org C makes cathode (product "cat") from lithium carbonate (product "li"): 0.5 t li per t cat.
PRODUCTS = [product("li"), product("cat", tier="material1")]


def cathode_offer(qty: float = 200, **fields) -> dict:
    return offer("O2", "C", qty, 10, product="cat", inputs=[{"demand": "D1", "ratio": 0.5}],
                 **fields)


def test_own_supply_alone_bounds_sales_when_no_input_is_offered(solve_checked):
    # Nobody sells li; C owns 20 t a month: 0.5 * s <= 20 -> s <= 40.
    # 40 * 12 * (20 - 10) = 4800.
    data = market(
        [cathode_offer()],
        [demand("D1", "C", 100, 9, product="li", own_supply=20),
         demand("D2", "B", 200, 20, product="cat")],
        products=PRODUCTS,
    )
    result = solve_checked(data)
    assert result["objective"] == approx(4800, rel=1e-6)
    assert volumes(result) == {("O2", "D2"): approx(40)}


def test_without_inputs_or_own_supply_a_linked_offer_sells_nothing(solve_checked):
    data = market(
        [cathode_offer()],
        [demand("D1", "C", 100, 9, product="li"),
         demand("D2", "B", 200, 20, product="cat")],
        products=PRODUCTS,
    )
    result = solve_checked(data)
    assert result["objective"] == approx(0, abs=1e-9)
    assert result["matches"] == []


def test_an_input_bought_at_zero_margin_is_bought_to_enable_sales(solve_checked):
    # L sells 30 t li at 9, C bids 9: m = 0, no surplus of its own. But cathode sales s obey
    # 0.5 * s <= q_li + 20, so s = 100 needs q_li = 30 exactly (L has only 30):
    # objective = 100 * 12 * (20 - 10) = 12000, with the zero-surplus li match listed.
    data = market(
        [offer("O1", "L", 30, 9, product="li"), cathode_offer()],
        [demand("D1", "C", 100, 9, product="li", own_supply=20),
         demand("D2", "B", 200, 20, product="cat")],
        products=PRODUCTS,
    )
    result = solve_checked(data)
    assert result["objective"] == approx(12000, rel=1e-6)
    assert volumes(result) == {("O1", "D1"): approx(30), ("O2", "D2"): approx(100)}


def test_months_outside_the_input_demands_window_have_only_own_supply(solve_checked):
    # C buys li only Jan-Jun (D1), from L at 5 (m=4, 30 t max). Cathode sells all year.
    # D2 buys cathode all year (s2, 12 months * 10 = 120/unit), D3 Jan-Jun (s3, 60/unit).
    #   Jul-Dec: 0.5 * s2 <= 0 + 20            -> s2 <= 40
    #   Jan-Jun: 0.5 * (s2 + s3) <= q_li + 20  -> s2 + s3 <= 100 with q_li = 30
    # s2 = 40, s3 = 60, q_li = 30: 40*120 + 60*60 + 30*6*4 = 4800 + 3600 + 720 = 9120.
    # (Ignoring months outside D1's window would allow s2 = 100: 12720.)
    data = market(
        [offer("O1", "L", 30, 5, product="li", end="2027-06"), cathode_offer()],
        [demand("D1", "C", 100, 9, product="li", own_supply=20, end="2027-06"),
         demand("D2", "B", 200, 20, product="cat"),
         demand("D3", "E", 100, 20, product="cat", end="2027-06")],
        products=PRODUCTS,
    )
    result = solve_checked(data)
    assert result["objective"] == approx(9120, rel=1e-6)
    assert volumes(result) == {("O1", "D1"): approx(30), ("O2", "D2"): approx(40),
                               ("O2", "D3"): approx(60)}


def test_offers_linked_to_one_demand_share_its_inputs(solve_checked):
    # C owns 30 t li a month (D1 own_supply, nothing offered). O2 cathode needs 0.5 li per unit
    # and earns 10 (20 per t of li); O3 anode needs 1.0 li per unit and earns 25 (25 per t li).
    # 0.5 * s2 + 1.0 * s3 <= 30: all li to O3, s3 = 30: 30 * 12 * 25 = 9000.
    data = market(
        [cathode_offer(),
         offer("O3", "C", 100, 10, product="an", inputs=[{"demand": "D1", "ratio": 1.0}])],
        [demand("D1", "C", 100, 9, product="li", own_supply=30),
         demand("D2", "B", 200, 20, product="cat"),
         demand("D3", "B", 200, 35, product="an")],
        products=PRODUCTS + [product("an", tier="material1")],
    )
    result = solve_checked(data)
    assert result["objective"] == approx(9000, rel=1e-6)
    assert volumes(result) == {("O3", "D3"): approx(30)}
