"""The shipped example markets reproduce their published optimal objectives."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from pytest import approx

from tests.solver.checker import check_result
from tests.solver.markets import SPEC_EXAMPLE

EXAMPLES = Path(__file__).resolve().parents[2] / "solver" / "data" / "examples"
EXPECTED = json.loads((EXAMPLES / "expected.json").read_text())["objective"]


def test_every_example_has_an_expected_objective():
    files = {p.name for p in EXAMPLES.glob("*.json")} - {"expected.json"}
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_reaches_the_expected_optimum(name, solve_checked):
    data = json.loads((EXAMPLES / name).read_text())
    result = solve_checked(data)
    assert result["status"] == "optimal"
    assert result["objective"] == approx(EXPECTED[name], rel=1e-6)
    assert result["bound"] >= EXPECTED[name] * (1 - 1e-6)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_through_load_market_with_default_options(name):
    """The path analysts use: a file on disk, default gap 1e-4 (so within 1e-4 of optimal)."""
    from solver import SolveOptions, load_market, solve

    path = EXAMPLES / name
    result = solve(load_market(path), SolveOptions()).to_dict()
    assert check_result(json.loads(path.read_text()), result, gap=1e-4) == []
    assert result["objective"] == approx(EXPECTED[name], rel=1e-4)


def test_the_spec_example_market_gives_the_spec_example_match(solve_checked):
    # The market and result examples of docs/market-format: the only eligible pair is O1-D1
    # (nobody offers spodumene for D9), locked at 100 a month over the 12-month overlap
    # 2027-03..2028-02; m = 80000 - 74000 - 180 = 5820, price 74000 + 180 + 2910 = 77090.
    result = solve_checked(SPEC_EXAMPLE)
    assert result["status"] == "optimal"
    assert result["matches"] == [
        {"offer": "O1", "demand": "D1", "monthly_qty": approx(100.0), "start": "2027-03",
         "end": "2028-02", "months": 12, "unit_margin": approx(5820.0), "price": approx(77090.0),
         "surplus": approx(6984000.0)}]
    assert result["objective"] == approx(6984000.0, rel=1e-6)


def test_the_spec_example_without_its_lock_is_bound_by_own_supply(solve_checked):
    # Unlocked, O1's spodumene input comes only from D9's own_supply of 1000 t a month:
    # 7.96 * q <= 1000 -> q = 125.628...; the shares (180 and 250) and D1's 300 do not bind.
    # 1000 / 7.96 * 12 * 5820 = 8773869.35...
    data = copy.deepcopy(SPEC_EXAMPLE)
    data["locked"] = []
    result = solve_checked(data)
    assert result["objective"] == approx(1000 / 7.96 * 12 * 5820, rel=1e-6)


ENGINE_CASES = [(name, engine) for name in ("basic.json", "cell-chain.json")
                for engine in ("highs", "glop", "pdlp", "scip")]
ENGINE_CASES += [("business-rules.json", engine) for engine in ("highs", "scip")]


@pytest.mark.parametrize("name, engine", ENGINE_CASES)
def test_every_engine_proves_the_example_optimum(name, engine, solve_checked):
    """SolveOptions.engine picks the backend; whichever it is, a small file is solved to a
    proved optimum (LP engines for the linear examples, MIP engines for every example)."""
    data = json.loads((EXAMPLES / name).read_text())
    result = solve_checked(data, engine=engine, gap=1e-6)
    assert result["status"] == "optimal"
    assert result["objective"] == approx(EXPECTED[name], rel=1e-6)
