"""Run the optimizer: validation of options, locks, the LP or MIP path, progress reports."""

from __future__ import annotations

import time

from .arrays import MarketArrays, build_arrays
from .backend import ENGINES, LP_ONLY_ENGINES
from .infeasible import lock_conflict
from .lp import solve_lp
from .market import Market
from .mip import solve_mip
from .progress import ProgressTracker
from .result import Result, SolveOptions


def _locked(data: MarketArrays) -> dict[int, float]:
    """Pair index -> scaled volume of every locked match."""
    market, p = data.market, data.pairs
    offer_ids = [o.id for o in market.offers]
    demand_ids = [d.id for d in market.demands]
    index = {(offer_ids[o], demand_ids[d]): k for k, (o, d) in enumerate(zip(p.offer, p.demand))}
    pairs = [(index[(x.offer, x.demand)], x.monthly_qty) for x in market.locked]
    return {k: qty / data.pair_scale[k] for k, qty in pairs}


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
    tracker = None
    if options.progress is not None:
        tracker = ProgressTracker(options.progress, started, "lp" if market.is_linear else "mip",
                                  options.progress_interval)
        tracker.start()
    try:
        result = _solve(market, options, started, tracker)
    finally:
        if tracker is not None:
            tracker.stop()
    return result if tracker is None else tracker.finish(result)


def _solve(market: Market, options: SolveOptions, started: float,
           tracker: ProgressTracker | None) -> Result:
    deadline = started + options.time_limit
    data = build_arrays(market)
    stats = {"eligible_pairs": len(data.pairs), "build_seconds": 0.0, "solve_seconds": 0.0}
    if len(data.pairs) == 0:
        return Result("optimal", 0.0, 0.0, time.perf_counter() - started, stats=stats)
    locked = _locked(data)
    conflict = lock_conflict(data, locked)
    if conflict:
        return Result("infeasible", 0.0, 0.0, time.perf_counter() - started, reason=conflict, stats=stats)
    path = solve_lp if market.is_linear else solve_mip
    return path(data, locked, options, started, deadline, stats, tracker)
