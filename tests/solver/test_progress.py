"""Progress while a solve runs: the engines' log lines become `Progress` in CNY, reported at an
interval, the result's own figures last; a failing callback never fails the solve."""

from __future__ import annotations

import time
from itertools import pairwise

import pytest
from pytest import approx

from solver import Progress, SolveOptions, parse_market, solve
from solver.generate import generate_market
from solver.progress import ProgressTracker

# Engine objective -> CNY of the recorded lines below: the LP's obj_scale (generated market of 600
# orgs, seed 1, LP), and the MIP's obj_scale / MIP_COST_FACTOR (100 orgs, seed 1).
LP_SCALE = 1680096000.0
MIP_SCALE = 5325540000.0 / 1e4


def _tracker() -> ProgressTracker:
    return ProgressTracker(lambda p: None, time.perf_counter(), "mip")


def _read(engine: str, scale: float, lines: list[str], mip: bool = True, tracker=None) -> Progress:
    tracker = tracker or _tracker()
    on_lines = tracker.listener(engine, scale, mip)
    assert on_lines is not None
    on_lines(lines)
    return tracker.snapshot()


# -- parsing recorded lines ------------------------------------------------------------------------

def test_highs_dual_simplex_line_gives_a_bound_on_the_maximum():
    # HiGHS minimises the negated surplus: -90.164542207 is a bound of 90.164542207 x 1.680096e9.
    seen = _read("highs", LP_SCALE, [
        "  Iteration        Objective     Infeasibilities num(sum)",
        "      11293    -9.0164542207e+01 Pr: 1731(2550.38); Du: 0(3.09812e-06) 6s",
    ], mip=False)
    assert seen.objective is None
    assert seen.bound == approx(151_485_086_703.8, rel=1e-10)
    assert seen.phase == "mip: simplex"


def test_highs_simplex_phase_one_line_gives_no_figures():
    seen = _read("highs", LP_SCALE, ["          0     0.0000000000e+00 Ph1: 0(0) 1s"], mip=False)
    assert (seen.objective, seen.bound) == (None, None)


def test_highs_optimal_simplex_line_gives_objective_and_bound():
    seen = _read("highs", LP_SCALE, [
        "      15538    -8.8962961833e+01 Pr: 0(0); Du: 0(1.82555e-14) 9s"], mip=False)
    assert seen.objective == approx(149_466_316_323.8, rel=1e-10)
    assert seen.bound == approx(149_466_316_323.8, rel=1e-10)


def test_highs_interior_point_counts_only_near_feasible_iterates():
    # Recorded at 300 orgs (obj_scale 1732896000): iteration 3 is far from feasible, 15 is dual
    # feasible only (its dual objective bounds the LP), 32 is both.
    far = _read("highs", 1732896000.0, [
        "    3    8.85906935e+01  -9.09358668e+03   4.39e-02   4.54e-02  2.04e+00       0s"], mip=False)
    assert (far.objective, far.bound, far.phase) == (None, None, "mip: interior point")
    dual = _read("highs", 1732896000.0, [
        "   15   -2.48254314e+01  -4.51343351e+01   3.75e-06   1.44e-13  5.64e-01       1s"], mip=False)
    assert dual.objective is None
    assert dual.bound == approx(45.1343351 * 1732896000.0)  # 78,213,108,757
    near = _read("highs", 1732896000.0, [
        "   32   -3.06558333e+01  -3.06560807e+01   4.30e-16   3.19e-16  7.82e-06       1s"], mip=False)
    assert near.objective == approx(30.6558333 * 1732896000.0)  # 53,123,370,902
    assert near.bound == approx(30.6560807 * 1732896000.0)  # 53,123,799,621


def test_highs_branch_and_bound_rows_are_in_the_maximised_objective():
    seen = _read("highs", MIP_SCALE, [
        "        Nodes      |    B&B Tree     |            Objective Bounds              |  Dynamic Constraints |       Work      ",
        " J       0       0         0   0.00%   inf             397.6276479        Large        0      0      0         0     0.0s",
        " R       0       0         0   0.00%   17038.810664    15413.500079      10.54%        0      0      0       402     0.1s",
        "         0       0         0   0.00%   294066.056327   4653.200271     6219.65%        0      0      3      4661     2.8s",
    ])
    # Best of the three rows: solution 15413.500079 x 532554 and bound 17038.810664 x 532554 (the
    # third row is from another market, kept here to show that a worse row changes nothing).
    assert seen.objective == approx(8_208_521_121.07, rel=1e-10)
    assert seen.bound == approx(9_074_086_774.36, rel=1e-10)
    assert seen.phase == "mip: search"


def test_in_branch_and_bound_highs_lp_lines_are_node_relaxations_and_give_nothing():
    seen = _read("highs", MIP_SCALE, [
        "      15538    -8.8962961833e+01 Pr: 0(0); Du: 0(1.82555e-14) 9s"])
    assert (seen.objective, seen.bound) == (None, None)


def test_scip_node_table_is_read_by_its_header():
    seen = _read("scip", MIP_SCALE, [
        "presolving:",
        " time | node  | left  |LP iter|LP it/n|mem/heur|mdpt |vars |cons |rows |cuts |sepa|confs|strbr|  dualbound   | primalbound  |  gap   | compl. ",
        "t 0.1s|     1 |     0 |     0 |     - | trivial|   0 | 933 |1021 |   0 |   0 |  0 |   0 |   0 | 7.056212e+04 | 3.037135e+02 |  Large | unknown",
        "  0.2s|     1 |     0 |   842 |     - |    12M |   0 | 933 |1022 |1021 |   0 |  0 |   1 |   0 | 1.703881e+04 | 3.037135e+02 |5510.16%| unknown",
        "r 0.2s|     1 |     0 |   842 |     - |shifting|   0 | 933 |1022 |1021 |   0 |  0 |   1 |   0 | 1.703881e+04 | 9.130139e+03 |  86.62%| unknown",
    ])
    assert seen.objective == approx(9.130139e3 * 532554)  # 4,862,292,045
    assert seen.bound == approx(1.703881e4 * 532554)  # 9,074,086,421
    assert seen.gap == approx((1.703881e4 - 9.130139e3) / 9.130139e3)


def test_scip_rows_before_any_header_and_unknown_lines_give_nothing():
    seen = _read("scip", MIP_SCALE, [
        "t 0.1s|     1 |     0 |     0 |     - | trivial|   0 | 933 |1021 |   0 |   0 |  0 |   0 |   0 | 7.056212e+04 | 3.037135e+02 |  Large | unknown",
        "SCIP Status        : solving was interrupted [gap limit reached]",
        "| | |", "", "\x00\xff garbage | 1e400 | nan",
    ])
    assert (seen.objective, seen.bound) == (None, None)


def test_portfolio_reports_the_best_solution_and_the_tightest_bound_of_its_members():
    tracker = _tracker()
    _read("highs", MIP_SCALE, [
        " R       0       0         0   0.00%   17038.810664    15413.500079      10.54%        0      0      0       402     0.1s",
    ], tracker=tracker)
    seen = _read("scip", MIP_SCALE, [
        " time | node  | left  |LP iter|LP it/n|mem/heur|mdpt |vars |cons |rows |cuts |sepa|confs|strbr|  dualbound   | primalbound  |  gap   | compl. ",
        "r 0.2s|     1 |     0 |   842 |     - |shifting|   0 | 933 |1022 |1021 |   0 |  0 |   1 |   0 | 1.703881e+04 | 9.130139e+03 |  86.62%| unknown",
    ], tracker=tracker)
    assert seen.objective == approx(15413.500079 * 532554)  # HiGHS's solution
    assert seen.bound == approx(1.703881e4 * 532554)  # SCIP's bound


def test_a_line_the_parser_chokes_on_is_skipped_and_the_next_still_read(monkeypatch):
    from solver import progress
    from solver.progress_log import Observation

    class Choking:
        def parse(self, line: str) -> Observation | None:
            if line == "bad":
                raise IndexError("unforeseen column")
            return Observation(objective=float(line))

    monkeypatch.setattr(progress, "parser_for", lambda engine, mip: Choking())
    seen = _read("scip", 2.0, ["bad", "21.5"])
    assert seen.objective == 43.0


def test_engines_without_a_known_log_report_phase_and_time_only():
    assert _tracker().listener("glop", LP_SCALE, mip=False) is None


# -- whole solves ---------------------------------------------------------------------------------

def _solve_reporting(orgs: int, lp: bool, interval: float) -> tuple[list[Progress], object]:
    reports: list[Progress] = []
    market = parse_market(generate_market(orgs, 1, lp=lp))
    result = solve(market, SolveOptions(time_limit=60, threads=1, progress=reports.append,
                                        progress_interval=interval))
    return reports, result


def test_mip_reports_improving_solutions_while_solving_and_the_result_last():
    # 100 orgs: SCIP needs one to two seconds, so reports every 0.02 s come many times even when
    # a loaded machine starves the reporting thread (at 0.2 s, CI once saw a single one).
    reports, result = _solve_reporting(100, lp=False, interval=0.02)
    during, last = reports[:-1], reports[-1]
    assert len(during) >= 2
    assert all(a.seconds < b.seconds for a, b in pairwise(reports))
    found = [p.objective for p in during if p.objective is not None]
    assert found, "no solution read from the engine's log while it solved"
    # SCIP prints seven significant digits, so a solution may read a hair above its exact value.
    assert all(b >= a * (1 - 1e-6) for a, b in zip(found, found[1:] + [last.objective]))
    assert all(p.phase.startswith("mip") for p in reports)
    assert (last.phase, last.objective, last.bound) == ("mip", result.objective, result.bound)
    assert result.status == "optimal"


def test_lp_reports_its_phase_while_solving():
    # 300 orgs: about a second of dual simplex after presolve; HiGHS logs an iteration only every
    # 5 s, so the reports in between carry the phase and the elapsed time.
    reports, result = _solve_reporting(300, lp=True, interval=0.2)
    during, last = reports[:-1], reports[-1]
    assert len(during) >= 2
    assert all(a.seconds < b.seconds for a, b in pairwise(reports))
    assert {"lp: presolve", "lp: simplex"} & {p.phase for p in during}
    assert (last.phase, last.objective, last.bound) == ("lp", result.objective, result.bound)
    assert last.gap == 0.0


def test_a_callback_that_raises_does_not_break_the_solve():
    market = parse_market(generate_market(100, 1, lp=True))
    calls: list[Progress] = []

    def broken(progress: Progress) -> None:
        calls.append(progress)
        raise RuntimeError("database is locked")

    quiet = solve(market, SolveOptions(time_limit=60))
    noisy = solve(market, SolveOptions(time_limit=60, progress=broken, progress_interval=0.01))
    assert (noisy.status, noisy.objective) == (quiet.status, quiet.objective)
    assert len(calls) >= 2  # it kept being called after raising, the last time with the result
    assert calls[-1].objective == noisy.objective


@pytest.mark.parametrize("status", ["infeasible", "no_solution"])
def test_final_report_of_an_outcome_without_a_solution_has_no_figures(status):
    from solver.result import Result

    reports: list[Progress] = []
    tracker = ProgressTracker(reports.append, time.perf_counter(), "mip")
    tracker.observe(5.0, 10.0)
    tracker.finish(Result(status, 0.0, float("inf"), 1.5))
    assert (reports[-1].objective, reports[-1].bound) == (None, None)
    assert reports[-1].seconds >= 1.5
