"""The checker itself: it accepts a correct result and names each kind of broken rule.

Every solver test leans on ``check_result``, so a lax checker would let wrong results pass
silently. Each test here breaks one rule in an otherwise valid result (the peer model's optimum
of a shipped example) and expects the checker to say so.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks.peer import result_dict, solve_peer
from tests.solver.checker import check_result

EXAMPLES = Path(__file__).resolve().parents[2] / "solver" / "data" / "examples"


def load(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / name).read_text())


@pytest.fixture(scope="module")
def rules() -> tuple[dict[str, Any], dict[str, Any]]:
    market = load("business-rules.json")
    return market, result_dict(market, solve_peer(market, gap=1e-9))


@pytest.fixture(scope="module")
def chain() -> tuple[dict[str, Any], dict[str, Any]]:
    market = load("cell-chain.json")
    return market, result_dict(market, solve_peer(market, gap=1e-9))


def match(result: dict[str, Any], offer: str, demand: str) -> dict[str, Any]:
    return next(m for m in result["matches"] if (m["offer"], m["demand"]) == (offer, demand))


def set_qty(m: dict[str, Any], qty: float) -> None:
    """Change a volume and keep the match's own surplus consistent with it."""
    m["monthly_qty"] = qty
    m["surplus"] = qty * m["months"] * m["unit_margin"]


def refresh_objective(result: dict[str, Any]) -> None:
    result["objective"] = sum(m["surplus"] for m in result["matches"])
    result["bound"] = max(result["bound"], result["objective"])


def broken(base: tuple[dict[str, Any], dict[str, Any]], edit) -> list[str]:
    market, result = copy.deepcopy(base)
    edit(result)
    return check_result(market, result)


def says(problems: list[str], *parts: str) -> bool:
    return any(all(p in line for p in parts) for line in problems)


@pytest.mark.parametrize("name", ["basic.json", "business-rules.json", "cell-chain.json"])
def test_a_correct_result_has_no_problems(name):
    market = load(name)
    assert check_result(market, result_dict(market, solve_peer(market, gap=1e-9)), gap=1e-6) == []


def test_volume_above_capacity_is_reported(rules):
    # O1 sells 180 to D1 and 300 to D3 out of 800: 700 more breaks its capacity.
    def edit(r):
        set_qty(match(r, "O1", "D3"), 1000)
        refresh_objective(r)
    assert says(broken(rules, edit), "offer O1", "2027-01")


def test_volume_above_demand_is_reported(rules):
    def edit(r):
        set_qty(match(r, "O3", "D2"), 400.5)
        refresh_objective(r)
    problems = broken(rules, edit)
    assert says(problems, "offer O3") or says(problems, "demand D2")


def test_supplier_share_is_reported(rules):
    # D1 takes 180 + 270 = 450 from anode-a, exactly its 0.5 * 900; one more unit breaks it.
    def edit(r):
        set_qty(match(r, "O1", "D1"), 181)
        set_qty(match(r, "O2", "D1"), 449)
        refresh_objective(r)
    assert says(broken(rules, edit), "demand D1", "anode-a")


def test_buyer_share_is_reported(rules):
    # O1 sells 180 + 300 = 480 to cell-maker-x, exactly its 0.6 * 800.
    def edit(r):
        set_qty(match(r, "O1", "D1"), 181)
        set_qty(match(r, "O4", "D1"), 269)
        refresh_objective(r)
    assert says(broken(rules, edit), "offer O1", "cell-maker-x")


def test_minimum_volume_is_reported(rules):
    def edit(r):
        set_qty(match(r, "O2", "D1"), 150)  # O2 accepts no match under 200
        refresh_objective(r)
    assert says(broken(rules, edit), "O2->D1", "minimum")


def test_supplier_count_is_reported(rules):
    # D1 has anode-a and anode-b, its limit of two; anode-c makes three.
    def edit(r):
        extra = copy.deepcopy(match(r, "O1", "D1"))
        extra.update(offer="O3", unit_margin=1500.0, price=31250.0)
        set_qty(extra, 1)
        set_qty(match(r, "O2", "D1"), 449)
        r["matches"].append(extra)
        refresh_objective(r)
    assert says(broken(rules, edit), "demand D1", "max_suppliers")


def test_a_forbidden_pair_is_reported(rules):
    def edit(r):
        extra = copy.deepcopy(match(r, "O1", "D3"))
        extra.update(offer="O4")
        r["matches"].append(extra)
    assert says(broken(rules, edit), "O4->D3", "not eligible")


def test_a_pair_listed_twice_is_reported(rules):
    assert says(broken(rules, lambda r: r["matches"].append(dict(r["matches"][0]))), "twice")


@pytest.mark.parametrize("field, value", [
    ("start", "2027-02"), ("end", "2028-11"), ("months", 23), ("unit_margin", 2999.0),
    ("price", 30600.0), ("surplus", 1.0),
])
def test_wrong_match_fields_are_reported(rules, field, value):
    assert says(broken(rules, lambda r: match(r, "O1", "D1").update({field: value})), field)


def test_objective_not_the_total_surplus_is_reported(rules):
    assert says(broken(rules, lambda r: r.update(objective=r["objective"] * 1.001)), "objective")


def test_bound_below_objective_is_reported(rules):
    assert says(broken(rules, lambda r: r.update(bound=r["objective"] * 0.99)), "bound")


def test_optimal_with_a_wide_gap_is_reported_when_a_gap_is_required(rules):
    market, result = copy.deepcopy(rules)
    result["bound"] = result["objective"] * 1.01
    assert check_result(market, result) == []
    assert says(check_result(market, result, gap=1e-4), "gap")


def test_chain_link_shortfall_is_reported(chain):
    # changsha-cathode sells 2500 t cathode needing 0.245 * 2500 = 612.5 t lithium carbonate:
    # 600 bought + 100 own. Buying only 500 leaves 512.5 + ... short.
    def edit(r):
        set_qty(match(r, "O1", "D1"), 500)
        refresh_objective(r)
    assert says(broken(chain, edit), "chain link D1", "2027-01")


def test_a_lock_not_kept_is_reported(rules):
    market, result = copy.deepcopy(rules)
    market["locked"] = [{"offer": "O1", "demand": "D1", "monthly_qty": 100}]
    assert says(check_result(market, result), "locked O1->D1")


def test_an_infeasible_result_needs_a_reason():
    market = load("basic.json")
    result = {"format": "lithium-matches/1", "status": "infeasible", "objective": 0.0,
              "bound": 0.0, "seconds": 0.0, "matches": []}
    assert says(check_result(market, result), "reason")
    result["reason"] = "offer O1 capacity in 2027-01: locked 60 > 50"
    assert check_result(market, result) == []


def test_missing_or_negative_seconds_are_reported(rules):
    assert says(broken(rules, lambda r: r.pop("seconds")), "seconds")
    assert says(broken(rules, lambda r: r.update(seconds=-1.0)), "seconds")


def test_an_unknown_status_is_reported():
    result = {"format": "lithium-matches/1", "status": "solved", "seconds": 0.0, "matches": []}
    assert says(check_result(load("basic.json"), result), "status")
