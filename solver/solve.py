"""Run the optimizer: status mapping, time limit, progress, and the result file."""

from __future__ import annotations

import threading
import time

import numpy as np

from .arrays import MarketArrays, build_arrays
from .backend import ENGINES, LP_ONLY_ENGINES, EngineResult, solve_model
from .infeasible import elastic_reason, lock_conflict
from .integer import add_integer_rules
from .market import Market, month_label
from .model import build_model
from .model_load import build_load_model
from .result import Match, Progress, Result, SolveOptions

# Above this many eligible pairs the load form with interior point wins (docs/benchmarks.md).
LOAD_FORM_PAIRS = 30000
LP_ENGINE = "highs"
MIP_ENGINES = ["scip", "highs"]  # the first alone with one thread, both side by side with two
MIP_COST_FACTOR = 1e4


def _locked(data: MarketArrays) -> dict[int, float]:
    """Pair index -> scaled volume of every locked match."""
    market, p = data.market, data.pairs
    offer_ids = [o.id for o in market.offers]
    demand_ids = [d.id for d in market.demands]
    index = {(offer_ids[o], demand_ids[d]): k for k, (o, d) in enumerate(zip(p.offer, p.demand))}
    return {index[(x.offer, x.demand)]: x.monthly_qty / data.pair_scale[index[(x.offer, x.demand)]] for x in market.locked}


def _matches(data: MarketArrays, columns: np.ndarray, x: np.ndarray) -> list[Match]:
    market, p = data.market, data.pairs
    q = x * data.pair_scale[columns]
    keep = x > 1e-9
    out = []
    for k in np.nonzero(keep)[0]:
        pair = columns[k]
        offer, demand = market.offers[p.offer[pair]], market.demands[p.demand[pair]]
        months = int(p.end[pair] - p.start[pair] + 1)
        margin = float(p.margin[pair])
        out.append(Match(
            offer=offer.id,
            demand=demand.id,
            monthly_qty=float(q[k]),
            start=month_label(int(p.start[pair])),
            end=month_label(int(p.end[pair])),
            months=months,
            unit_margin=margin,
            price=float(offer.price + p.freight[pair] + margin / 2),
            surplus=float(q[k] * months * margin),
        ))
    out.sort(key=lambda m: (m.offer, m.demand))
    return out


def _finish(data, columns, run: EngineResult, bound_scaled, started, stats, gap: float) -> Result:
    """The result in market units; `optimal` only when the reported numbers show the gap."""
    matches = _matches(data, columns, run.x)
    objective = float(sum(m.surplus for m in matches))
    if not np.isfinite(bound_scaled):
        # No bound from the engine yet: every pair at its own volume bound still bounds the total.
        bound_scaled = float(np.sum(data.cost * data.upper))
    bound = max(float(bound_scaled) * data.obj_scale, objective)
    status = run.status
    if status == "optimal" and bound - objective > gap * max(abs(objective), 1e-9):
        status = "feasible"
    return Result(status, objective, bound, time.perf_counter() - started, matches, stats=stats)


def solve(market: Market, options: SolveOptions | None = None) -> Result:
    """Solve a validated market; never raises for infeasible locks or time-outs (see status).

    Raises ValueError for an unknown engine, or an LP-only engine on a market with integer rules.
    """
    options = options or SolveOptions()
    if options.engine is not None:
        if options.engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {options.engine!r}")
        if options.engine in LP_ONLY_ENGINES and not market.is_linear:
            raise ValueError(f"engine {options.engine!r} solves only linear programs; this market has"
                             " minimum volumes or supplier counts")
    started = time.perf_counter()
    deadline = started + options.time_limit
    data = build_arrays(market)
    stats = {"eligible_pairs": len(data.pairs), "build_seconds": 0.0, "solve_seconds": 0.0}
    if len(data.pairs) == 0:
        return Result("optimal", 0.0, 0.0, time.perf_counter() - started, stats=stats)
    locked = _locked(data)
    conflict = lock_conflict(data, locked)
    if conflict:
        return Result("infeasible", 0.0, 0.0, time.perf_counter() - started, reason=conflict, stats=stats)

    def report(phase: str, objective: float | None, bound: float | None) -> None:
        if options.progress:
            scale = data.obj_scale
            options.progress(Progress(phase, time.perf_counter() - started,
                                      None if objective is None else objective * scale,
                                      None if bound is None else bound * scale))

    if not market.is_linear:
        return _solve_mip(data, locked, options, started, deadline, stats, report)
    return _solve_lp(data, locked, options, started, deadline, stats, report)


def _infeasible(data, locked, started, stats) -> Result:
    reason = (lock_conflict(data, locked, deep=True) or elastic_reason(data, locked)
              or "the locked matches cannot all hold together")
    return Result("infeasible", 0.0, 0.0, time.perf_counter() - started, reason=reason, stats=stats)


def _lp_strategy(pairs: int) -> tuple[str, str]:
    """Formulation and algorithm, chosen by measurement (docs/benchmarks.md).

    Small markets: checkpoint rows and dual simplex. National markets: load form (four matrix
    entries per pair) and interior point with crossover, several times faster than simplex there.
    """
    return ("checkpoint", "dual_simplex") if pairs <= LOAD_FORM_PAIRS else ("load", "barrier")


def _solve_lp(data, locked, options, started, deadline, stats, report) -> Result:
    engine = options.engine or LP_ENGINE
    columns = np.arange(len(data.pairs))
    form, algorithm = _lp_strategy(len(columns))
    t0 = time.perf_counter()
    model = (build_load_model if form == "load" else build_model)(data, columns, locked)
    stats["build_seconds"] = time.perf_counter() - t0
    run = solve_model(model, engine, deadline - time.perf_counter(), options.gap, options.threads,
                      algorithm=algorithm)
    stats.update(solve_seconds=run.seconds, form=form, algorithm=algorithm, rows=model.num_rows,
                 columns=len(model.cost), nonzeros=len(model.vals))
    if run.status == "infeasible":
        return _infeasible(data, locked, started, stats)
    if run.x is None:
        return Result("no_solution", 0.0, float("inf"), time.perf_counter() - started, stats=stats)
    run.x = run.x[: len(columns)]
    report("lp", run.primal_bound, run.dual_bound)
    bound = run.primal_bound if run.status == "optimal" else run.dual_bound
    return _finish(data, columns, run, bound, started, stats, options.gap)


def _portfolio(model, engines: list[str], seconds: float, gap: float) -> EngineResult:
    """Run engines side by side, one core each: the best solution and the tightest bound win.

    SCIP and HiGHS each lead on different national markets within a minute (docs/benchmarks.md),
    and neither uses a second core for branch and bound through OR-Tools.
    """
    runs: dict[str, EngineResult] = {}

    def run(engine: str) -> None:
        runs[engine] = solve_model(model, engine, seconds, gap, 1)

    threads = [threading.Thread(target=run, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results = [runs[e] for e in engines if e in runs]
    if any(r.status == "infeasible" for r in results):
        return next(r for r in results if r.status == "infeasible")
    solved = [r for r in results if r.x is not None]
    best = max(solved, key=lambda r: r.primal_bound) if solved else results[0]
    best.dual_bound = min(r.dual_bound for r in results)
    if any(r.status == "optimal" for r in results):  # `_finish` re-checks the gap on the numbers
        best.status = "optimal"
    return best


def _solve_mip(data, locked, options, started, deadline, stats, report) -> Result:
    engines = [options.engine] if options.engine else MIP_ENGINES[: max(1, options.threads)]
    columns = np.arange(len(data.pairs))
    t0 = time.perf_counter()
    model = add_integer_rules(data, build_model(data, columns, locked), locked)
    # Branch and bound prunes nodes on absolute objective differences (about 1e-6): an objective
    # near 1 would make a gap of 1e-7 relative invisible to it.
    model.cost *= MIP_COST_FACTOR
    stats["build_seconds"] = time.perf_counter() - t0
    # Headroom: the engine measures its gap on the scaled objective before volumes are cleaned.
    run = _portfolio(model, engines, deadline - time.perf_counter(), options.gap / 2)
    run.primal_bound /= MIP_COST_FACTOR
    run.dual_bound /= MIP_COST_FACTOR
    stats.update(solve_seconds=run.seconds, columns=len(model.cost), rows=model.num_rows,
                 nonzeros=len(model.vals), integers=int(model.integer.sum()), engines=engines)
    if run.status == "infeasible":
        return _infeasible(data, locked, started, stats)
    if run.x is None:
        return Result("no_solution", 0.0, run.dual_bound * data.obj_scale,
                      time.perf_counter() - started, stats=stats)
    run.x = run.x[: len(columns)]
    report("mip", run.primal_bound, run.dual_bound)
    return _finish(data, columns, run, run.dual_bound, started, stats, options.gap)
