"""The shipped example markets reproduce their published optimal objectives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest import approx

from tests.solver.checker import check_result

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
