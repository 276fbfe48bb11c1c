"""Comparison figures and the markdown table of the solver benchmark.

Kept apart from the runner so that what a figure means is written once, next to the column that
shows it (see ``LEGEND``).
"""

from __future__ import annotations

import math
from typing import Any

SOLVED = ("optimal", "feasible")

LEGEND = """\
Columns: *pairs* eligible pairs; *matched* pairs carrying volume in our result; *rows*, *cols*,
*nnz* of our final model; *model* its formulation and algorithm (LP) or engines (MIP); *build s*/*solve s*
our model building and engine seconds; *total s* our parse + solve seconds; *gap* (bound -
objective) / objective; *MB* peak resident memory of the fresh process that solved (VmHWM,
includes the interpreter, OR-Tools and the market dict); *viol* violations found by the
independent checker `tests.solver.checker` (must be 0). *peer* columns: the plain HiGHS model of
`benchmarks/peer.py` (seconds include reading the market and building); its gap is blank when an
LP stopped before optimality (no proven bound). *peer/ours* peer seconds over ours (≥ when the
peer stopped at its time limit); *obj diff* |ours - peer| / max(|ours|, |peer|); *to best* our
distance to the best known objective (the best valid objective of this run, or of
`--reference`), in %.
"""

COLUMNS = ("market", "pairs", "matched", "rows", "cols", "nnz", "model", "build s", "solve s", "total s",
           "status", "objective", "gap", "MB", "viol", "peer status", "peer objective",
           "peer gap", "peer s", "peer rows", "peer MB", "peer viol", "peer/ours", "obj diff",
           "to best")


def _model(stats: dict[str, Any]) -> str:
    """`load/barrier` for an LP, `scip+highs` for a MIP portfolio."""
    if stats.get("form"):
        return f"{stats['form']}/{stats.get('algorithm', '?')}"
    return "+".join(stats.get("engines", [])) or "–"


def market_key(variant: str, orgs: int, seed: int) -> str:
    """Key of a market in a ``--reference`` file of best known objectives."""
    return f"{variant}-{orgs}-s{seed}"


def _gap(run: dict[str, Any] | None, proven: bool = True) -> float | None:
    if not run or run.get("status") not in SOLVED or not proven:
        return None
    objective, bound = run.get("objective"), run.get("bound")
    if bound is None or not objective or not math.isfinite(bound):
        return None
    return (bound - objective) / abs(objective)


def _valid(run: dict[str, Any] | None) -> bool:
    return bool(run) and run.get("status") in SOLVED and run.get("violations") == 0


def compare(row: dict[str, Any], reference: dict[str, float]) -> None:
    """Add the comparison figures of one market's row (ours vs peer vs best known) in place."""
    ours, peer = row["ours"], row.get("peer")
    row["gap"] = _gap(ours)
    # A time-limited LP has no proven bound: HiGHS reports the objective of its current point.
    row["peer_gap"] = _gap(peer, proven=row["variant"] == "mip" or
                           (peer or {}).get("status") == "optimal")
    row["peer_over_ours"] = None
    row["peer_stopped"] = bool(peer) and peer.get("status") != "optimal"
    if peer and "seconds" in peer and ours.get("seconds"):
        row["peer_over_ours"] = peer["seconds"] / ours["seconds"]
    row["objective_rel_diff"] = None
    if peer and ours.get("status") in SOLVED and peer.get("status") in SOLVED:
        a, b = ours["objective"], peer["objective"]
        row["objective_rel_diff"] = abs(a - b) / max(abs(a), abs(b), 1e-12)

    known = [(run["objective"], name) for name, run in (("ours", ours), ("peer", peer))
             if _valid(run)]
    key = market_key(row["variant"], row["orgs"], row["seed"])
    if key in reference:
        known.append((float(reference[key]), "reference"))
    row["best_known"], row["best_source"] = max(known) if known else (None, None)
    row["to_best_pct"] = None
    if row["best_known"] and ours.get("status") in SOLVED:
        row["to_best_pct"] = 100 * (row["best_known"] - ours["objective"]) / abs(
            row["best_known"])


def _num(x: Any, fmt: str) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    return format(x, fmt)


def _cells(row: dict[str, Any]) -> list[str]:
    ours, peer, stats = row["ours"], row.get("peer") or {}, row["ours"].get("stats", {})
    ratio = _num(row["peer_over_ours"], ".1f")
    if row["peer_stopped"] and ratio != "–":
        ratio = "≥" + ratio
    return [
        f"{row['variant'].upper()} {row['orgs']}",
        _num(stats.get("eligible_pairs"), ","),
        _num(ours.get("matches") if ours.get("status") in SOLVED else None, ","),
        _num(stats.get("rows"), ","),
        _num(stats.get("columns"), ","),
        _num(stats.get("nonzeros"), ","),
        _model(stats),
        _num(stats.get("build_seconds"), ".2f"),
        _num(stats.get("solve_seconds"), ".2f"),
        _num(ours.get("seconds"), ".2f"),
        ours.get("status", "–"),
        _num(ours.get("objective") if ours.get("status") in SOLVED else None, ".6e"),
        _num(row["gap"], ".1e"),
        _num(ours.get("peak_mb"), ",.0f"),
        _num(ours.get("violations"), "d"),
        peer.get("status", "–"),
        _num(peer.get("objective") if peer.get("status") in SOLVED else None, ".6e"),
        _num(row["peer_gap"], ".1e"),
        _num(peer.get("seconds"), ".2f"),
        _num(peer.get("rows"), ","),
        _num(peer.get("peak_mb"), ",.0f"),
        _num(peer.get("violations"), "d"),
        ratio,
        _num(row["objective_rel_diff"], ".1e"),
        _num(row["to_best_pct"], ".3f") + ("%" if row["to_best_pct"] is not None else ""),
    ]


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |",
             "|" + "|".join("---" for _ in COLUMNS) + "|"]
    lines += ["| " + " | ".join(_cells(row)) + " |" for row in rows]
    return "\n".join(lines)


def errors(rows: list[dict[str, Any]]) -> list[str]:
    """Runs that did not finish normally or failed the checker: each one line for the report."""
    out = []
    for row in rows:
        name = f"{row['variant'].upper()} {row['orgs']}"
        for who in ("ours", "peer"):
            run = row.get(who)
            if not run:
                continue
            if "error" in run:
                out.append(f"{name} {who}: {run['status']}: {run['error']}")
            for problem in run.get("problems", []):
                out.append(f"{name} {who}: checker: {problem}")
    return out
