"""The repaired LP optimum: volumes only fall, until minimum volumes, supplier counts and chain
links all hold (the MIP portfolio's fallback on national markets)."""

from __future__ import annotations

import numpy as np
from pytest import approx

from solver import parse_market
from solver.arrays import build_arrays
from solver.repair import repair
from tests.solver.markets import demand, market, offer, product


def _volumes(data, q: np.ndarray) -> dict[tuple[str, str], float]:
    m, p = data.market, data.pairs
    return {(m.offers[o].id, m.demands[d].id): float(v) for o, d, v in zip(p.offer, p.demand, q)}


def _chain_market() -> dict:
    # Cathode maker C buys li through D1 (own supply 10 a month) and sells cathode through O2,
    # needing 0.5 t li per t cathode. O1 sells li with a minimum of 50 a month.
    return market(
        [offer("O1", "L", 100, 10, product="li", min_monthly_qty=50),
         offer("O2", "C", 200, 100, product="cat", inputs=[{"demand": "D1", "ratio": 0.5}])],
        [demand("D1", "C", 100, 20, product="li", own_supply=10),
         demand("D2", "B", 200, 200, product="cat")],
        products=[product("li"), product("cat", tier="material1")],
    )


def test_a_pair_below_its_minimum_is_dropped_and_the_chain_it_fed_shrinks():
    # O1-D1 at 40 < 50 goes to 0; C then has only its own 10 t li: 0.5 x sales <= 10, so the
    # cathode sale of 80 falls to 20 (factor 10 / (0.5 x 80) = 0.25).
    data = build_arrays(parse_market(_chain_market()))
    q = np.array([40.0 if k == ("O1", "D1") else 80.0 for k in _volumes(data, np.zeros(2))])
    fixed = _volumes(data, repair(data, q))
    assert fixed[("O1", "D1")] == 0
    assert fixed[("O2", "D2")] == approx(20, rel=1e-6)


def test_volumes_that_keep_every_rule_are_left_alone():
    # O1-D1 at 60 >= 50; 0.5 x 80 = 40 <= 60 + 10.
    data = build_arrays(parse_market(_chain_market()))
    q = np.array([60.0 if k == ("O1", "D1") else 80.0 for k in _volumes(data, np.zeros(2))])
    assert _volumes(data, repair(data, q)) == {("O1", "D1"): 60.0, ("O2", "D2"): 80.0}


def test_a_demand_keeps_only_its_most_valuable_suppliers():
    # D1 allows one supplier org; s1's 30 x 12 x (20 - 10) = 3600 beats s2's 40 x 12 x (20 - 15)
    # = 2400, so s2's pair is dropped.
    data = build_arrays(parse_market(market(
        [offer("O1", "s1", 100, 10), offer("O2", "s2", 100, 15)],
        [demand("D1", "a", 100, 20, max_suppliers=1)],
    )))
    q = np.array([30.0 if k == ("O1", "D1") else 40.0 for k in _volumes(data, np.zeros(2))])
    assert _volumes(data, repair(data, q)) == {("O1", "D1"): 30.0, ("O2", "D1"): 0.0}


def test_the_two_thread_portfolio_returns_a_result_that_keeps_every_rule():
    # SCIP and the repaired LP optimum side by side on a generated 60-org MIP market.
    from solver import SolveOptions, solve
    from solver.generate import generate_market
    from tests.solver.checker import check_result

    raw = generate_market(orgs=60, seed=3, lp=False)
    result = solve(parse_market(raw), SolveOptions(time_limit=30, threads=2)).to_dict()
    assert result["status"] in ("optimal", "feasible")
    assert check_result(raw, result) == []


def test_re_solving_without_the_dropped_pairs_beats_a_single_repair():
    # D3 (60 at 20) needs certification X, which only O1 (s1, 100 at 10, minimum 60) holds. The
    # LP gives O1 -> D3 60 x 10 = 600, O1 -> D2 40 x 5 = 200 and O2 (s2, 100 at 14) -> D2 60 x 1
    # = 60 a month. One repair drops O1 -> D2 (40 < 60): 600 + 60 = 660 a month. Re-solving
    # without it lets O2 fill D2: 600 + 100 x 1 = 700 a month, x 12 months = 8,400.
    from solver.mip import MIP_COST_FACTOR, _lp_repair

    data = build_arrays(parse_market(market(
        [offer("O1", "s1", 100, 10, min_monthly_qty=60, certifications=["X"]),
         offer("O2", "s2", 100, 14)],
        [demand("D3", "c", 60, 20, required_certifications=["X"]), demand("D2", "b", 100, 15)],
    )))
    lp = {("O1", "D3"): 60.0, ("O1", "D2"): 40.0, ("O2", "D2"): 60.0}
    q = np.array([lp.get(k, 0.0) for k in _volumes(data, np.zeros(len(data.pairs)))])
    single = repair(data, q)
    assert float(np.sum(single * data.pairs.months * data.pairs.margin)) == approx(660 * 12)
    best = _lp_repair(data, 30.0)
    assert best.primal_bound / MIP_COST_FACTOR * data.obj_scale == approx(700 * 12)
