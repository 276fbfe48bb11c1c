"""The plain peer model: the market as a user would write it for HiGHS in an afternoon.

It is the yardstick of the solver benchmark and the second formulation of the property tests, so
it is deliberately direct: one variable per eligible pair, one row per offer per month and per
demand per month, one chain-link row per input demand per month, one row per share, and for
mixed-integer files a binary per pair with a minimum volume and per (demand, supplier org) with a
supplier count. Eligibility comes from ``tests.solver.spec_reference``, never from ``solver``.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np

from tests.solver.spec_reference import Pair, RefMarket, month_name, read_market

_scheduler_threads: int | None = None  # thread count of HiGHS's global pool, once created


@dataclass
class PeerResult:
    status: str  # optimal / feasible / infeasible / no_solution, as in lithium-matches/1
    objective: float  # recomputed in original units from the solution
    bound: float  # MIP: HiGHS's dual bound; LP: its last objective (a proof only when optimal)
    seconds: float
    build_seconds: float
    rows: int
    cols: int
    q: dict[tuple[str, str], float] = field(default_factory=dict)


class _Rows:
    """Row-wise sparse matrix with bounds, appended one constraint at a time."""

    def __init__(self) -> None:
        self.starts: list[int] = [0]
        self.index: list[int] = []
        self.value: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []

    def add(self, terms: list[tuple[int, float]], lower: float, upper: float) -> None:
        for col, coef in terms:
            self.index.append(col)
            self.value.append(coef)
        self.starts.append(len(self.index))
        self.lower.append(lower)
        self.upper.append(upper)

    def __len__(self) -> int:
        return len(self.lower)


def _month_rows(ref: RefMarket, pairs: list[Pair], rows: _Rows) -> None:
    """Capacity and demand: per side per month, running matches fit in what is free."""
    running_offer: dict[tuple[str, int], list[int]] = defaultdict(list)
    running_demand: dict[tuple[str, int], list[int]] = defaultdict(list)
    for j, p in enumerate(pairs):
        for t in range(p.start, p.end + 1):
            running_offer[(p.offer, t)].append(j)
            running_demand[(p.demand, t)].append(j)
    for (oid, t), cols in running_offer.items():
        rows.add([(j, 1.0) for j in cols], -np.inf, ref.offers[oid].free(t))
    for (did, t), cols in running_demand.items():
        rows.add([(j, 1.0) for j in cols], -np.inf, ref.demands[did].free(t))

    # Chain links: ratio * sales of linked offers - purchases of D <= own_supply, in every
    # month any linked offer can sell (outside D's window D buys nothing).
    for did, links in ref.linked_offers().items():
        months = {t for oid, _ in links for t in ref.offers[oid].months()}
        for t in sorted(months):
            terms = [(j, ratio) for oid, ratio in links for j in running_offer.get((oid, t), [])]
            if not terms:
                continue
            terms += [(j, -1.0) for j in running_demand.get((did, t), [])]
            rows.add(terms, -np.inf, ref.demands[did].own_supply)


def _share_rows(ref: RefMarket, pairs: list[Pair], rows: _Rows) -> None:
    """Supplier and buyer shares: q summed per counterpart org, whatever the months."""
    per_supplier: dict[tuple[str, str], list[int]] = defaultdict(list)
    per_buyer: dict[tuple[str, str], list[int]] = defaultdict(list)
    for j, p in enumerate(pairs):
        per_supplier[(p.demand, ref.offers[p.offer].org)].append(j)
        per_buyer[(p.offer, ref.demands[p.demand].org)].append(j)
    for (did, _), cols in per_supplier.items():
        d = ref.demands[did]
        if d.max_share is not None:
            rows.add([(j, 1.0) for j in cols], -np.inf, d.max_share * d.monthly_qty)
    for (oid, _), cols in per_buyer.items():
        o = ref.offers[oid]
        if o.max_share is not None:
            rows.add([(j, 1.0) for j in cols], -np.inf, o.max_share * o.monthly_qty)


def _binary_rows(ref: RefMarket, pairs: list[Pair], upper: list[float], rows: _Rows) -> int:
    """Minimum volumes (m*y <= q <= U*y) and supplier counts; returns the number of binaries."""
    n = len(pairs)
    for j, p in enumerate(pairs):
        if p.min_qty > 0:
            rows.add([(j, 1.0), (n, -upper[j])], -np.inf, 0.0)
            rows.add([(j, 1.0), (n, -p.min_qty)], 0.0, np.inf)
            n += 1
    per_supplier: dict[tuple[str, str], list[int]] = defaultdict(list)
    for j, p in enumerate(pairs):
        if ref.demands[p.demand].max_suppliers is not None:
            per_supplier[(p.demand, ref.offers[p.offer].org)].append(j)
    uses: dict[str, list[int]] = defaultdict(list)
    for (did, _), cols in per_supplier.items():
        for j in cols:
            rows.add([(j, 1.0), (n, -upper[j])], -np.inf, 0.0)
        uses[did].append(n)
        n += 1
    for did, zs in uses.items():
        rows.add([(z, 1.0) for z in zs], -np.inf, float(ref.demands[did].max_suppliers or 0))
    return n - len(pairs)


def _status(h: highspy.Highs) -> str:
    model_status = h.getModelStatus()
    if model_status == highspy.HighsModelStatus.kOptimal:
        return "optimal"
    if model_status in (highspy.HighsModelStatus.kInfeasible,
                        highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return "infeasible"
    if h.getInfo().primal_solution_status == 2:  # a feasible point exists
        return "feasible"
    return "no_solution"


def solve_peer(market: dict[str, Any], time_limit: float = 60.0, scale_objective: bool = True,
               threads: int = 1, gap: float = 1e-4) -> PeerResult:
    """Solve ``market`` (a valid raw lithium-market/1 dict) with a direct HiGHS model."""
    t0 = time.perf_counter()
    ref = read_market(market)
    pairs = list(ref.eligible_pairs().values())
    n = len(pairs)
    cost = np.array([p.months * p.margin for p in pairs], dtype=float)
    # Objective scaling centres the costs on 1 (geometric mean): dividing by the largest cost
    # would push the smallest (8 orders of magnitude below in national markets) under HiGHS's
    # dual feasibility tolerance, and those pairs would silently be treated as worthless.
    positive = np.abs(cost[cost != 0])
    scale = float(np.exp(-np.log(positive).mean())) if scale_objective and positive.size else 1.0
    lower = [0.0] * n
    upper = [p.max_qty for p in pairs]
    for j, p in enumerate(pairs):
        if (p.offer, p.demand) in ref.locked:
            lower[j] = upper[j] = ref.locked[(p.offer, p.demand)]

    rows = _Rows()
    _month_rows(ref, pairs, rows)
    _share_rows(ref, pairs, rows)
    binaries = _binary_rows(ref, pairs, upper, rows) if ref.is_mip() else 0

    lp = highspy.HighsLp()
    lp.num_col_ = n + binaries
    lp.num_row_ = len(rows)
    lp.col_cost_ = np.concatenate([cost * scale, np.zeros(binaries)])
    lp.col_lower_ = np.array(lower + [0.0] * binaries, dtype=float)
    lp.col_upper_ = np.array(upper + [1.0] * binaries, dtype=float)
    lp.row_lower_ = np.array(rows.lower, dtype=float)
    lp.row_upper_ = np.array(rows.upper, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.array(rows.starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(rows.index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(rows.value, dtype=float)
    lp.sense_ = highspy.ObjSense.kMaximize
    if binaries:
        lp.integrality_ = [highspy.HighsVarType.kContinuous] * n + [
            highspy.HighsVarType.kInteger] * binaries

    global _scheduler_threads
    if _scheduler_threads not in (None, threads):
        # HiGHS keeps one global thread pool; another thread count needs a fresh pool.
        highspy.Highs.resetGlobalScheduler(True)
    _scheduler_threads = threads
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("threads", int(threads))
    h.setOptionValue("mip_rel_gap", float(gap))
    h.setOptionValue("mip_abs_gap", 0.0)
    h.passModel(lp)
    build_seconds = time.perf_counter() - t0

    t1 = time.perf_counter()
    if lp.num_col_ == 0:
        status = "optimal"
    else:
        if h.run() == highspy.HighsStatus.kError:
            raise RuntimeError(f"HiGHS failed: {h.modelStatusToString(h.getModelStatus())}")
        status = _status(h)
    seconds = time.perf_counter() - t1

    q: dict[tuple[str, str], float] = {}
    objective = bound = 0.0
    if status in ("optimal", "feasible") and n:
        values = h.getSolution().col_value
        q = {(p.offer, p.demand): float(values[j]) for j, p in enumerate(pairs)
             if values[j] > 1e-9}
        objective = float(sum(float(values[j]) * float(cost[j]) for j in range(n)))
        if binaries:
            bound = float(h.getInfo().mip_dual_bound) / scale
        else:
            bound = float(h.getInfo().objective_function_value) / scale
    return PeerResult(status, objective, bound, seconds, build_seconds, len(rows),
                      lp.num_col_, q)


def result_dict(market: dict[str, Any], peer: PeerResult) -> dict[str, Any]:
    """The peer's solution as a lithium-matches/1 result, so the checker can grade it too."""
    ref = read_market(market)
    pairs = ref.eligible_pairs()
    matches = []
    for (oid, did), q in sorted(peer.q.items()):
        p = pairs[(oid, did)]
        matches.append({
            "offer": oid, "demand": did, "monthly_qty": q,
            "start": month_name(p.start), "end": month_name(p.end), "months": p.months,
            "unit_margin": p.margin, "price": p.unit_price(ref.offers[oid].price),
            "surplus": q * p.months * p.margin,
        })
    return {"format": "lithium-matches/1", "status": peer.status, "objective": peer.objective,
            "bound": peer.bound, "seconds": peer.seconds, "matches": matches}
