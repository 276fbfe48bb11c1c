"""From engine output to a `Result` in market units, shared by the LP and MIP paths."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from .arrays import MarketArrays
from .backend import EngineResult
from .infeasible import elastic_reason, lock_conflict
from .market import month_label
from .result import Match, Result


def matches_of(data: MarketArrays, columns: np.ndarray, x: np.ndarray) -> list[Match]:
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


def finish(data: MarketArrays, columns: np.ndarray, run: EngineResult, bound_scaled: float,
           started: float, stats: dict[str, Any], gap: float) -> Result:
    """The result in market units; `optimal` only when the reported numbers show the gap."""
    matches = matches_of(data, columns, run.x)
    objective = float(sum(m.surplus for m in matches))
    if not np.isfinite(bound_scaled):
        # No bound from the engine yet: every pair at its own volume bound still bounds the total.
        bound_scaled = float(np.sum(data.cost * data.upper))
    bound = max(float(bound_scaled) * data.obj_scale, objective)
    status = run.status
    if status == "optimal" and bound - objective > gap * max(abs(objective), 1e-9):
        status = "feasible"
    return Result(status, objective, bound, time.perf_counter() - started, matches, stats=stats)


def infeasible_result(data: MarketArrays, locked: dict[int, float], started: float,
                      stats: dict[str, Any]) -> Result:
    reason = (lock_conflict(data, locked, deep=True) or elastic_reason(data, locked)
              or "the locked matches cannot all hold together")
    return Result("infeasible", 0.0, 0.0, time.perf_counter() - started, reason=reason, stats=stats)
