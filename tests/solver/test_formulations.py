"""The two formulations are the same LP: checkpoint rows (used under the integer rules) and the
load form (every LP) reach one optimum; interior point runs on national markets keep every rule."""

from __future__ import annotations

import numpy as np
import pytest
from pytest import approx

import solver.lp
from solver import SolveOptions, parse_market, solve
from solver.arrays import build_arrays
from solver.backend import solve_model
from solver.generate import generate_market
from solver.model import build_model
from solver.model_load import build_load_model
from tests.solver.checker import check_result


@pytest.mark.parametrize("seed", [1, 2])
def test_the_load_form_and_checkpoint_rows_reach_one_optimum(seed: int):
    data = build_arrays(parse_market(generate_market(orgs=100, seed=seed, lp=True)))
    columns = np.arange(len(data.pairs))
    checkpoint = solve_model(build_model(data, columns, {}), "highs", 60)
    load = solve_model(build_load_model(data, columns, {}), "highs", 60, algorithm="barrier")
    assert checkpoint.status == load.status == "optimal"
    assert load.primal_bound == approx(checkpoint.primal_bound, rel=1e-7)


def test_a_national_lp_solved_by_interior_point_keeps_every_rule(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(solver.lp, "BARRIER_PAIRS", 0)
    raw = generate_market(orgs=80, seed=4, lp=True)
    result = solve(parse_market(raw), SolveOptions(time_limit=60, gap=1e-7))
    assert result.stats["algorithm"] == "barrier"
    assert check_result(raw, result.to_dict(), gap=1e-7) == []


def test_locks_hold_under_interior_point(monkeypatch: pytest.MonkeyPatch):
    # Lock the largest match of the optimum at half its volume; the interior point run keeps it.
    raw = generate_market(orgs=60, seed=5, lp=True)
    first = solve(parse_market(raw)).to_dict()
    biggest = max(first["matches"], key=lambda m: m["monthly_qty"])
    raw["locked"] = [{"offer": biggest["offer"], "demand": biggest["demand"],
                      "monthly_qty": biggest["monthly_qty"] / 2}]
    monkeypatch.setattr(solver.lp, "BARRIER_PAIRS", 0)
    result = solve(parse_market(raw), SolveOptions(gap=1e-7)).to_dict()
    assert check_result(raw, result, gap=1e-7) == []
    kept = {(m["offer"], m["demand"]): m["monthly_qty"] for m in result["matches"]}
    assert kept[(biggest["offer"], biggest["demand"])] == approx(biggest["monthly_qty"] / 2)
