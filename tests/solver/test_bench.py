"""The solver benchmark harness (`make bench`): its table, its checks and its comparisons."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks._report import compare
from benchmarks.solver_bench import main


def _table_rows(markdown: str) -> list[dict[str, str]]:
    """The benchmark table as one dict per market, keyed by column header."""
    lines = [line for line in markdown.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    return [dict(zip(header, (c.strip() for c in line.strip("|").split("|")), strict=True))
            for line in lines[2:]]


def test_small_lp_market_is_solved_checked_and_matched_by_the_peer(tmp_path: Path) -> None:
    out = tmp_path / "solver.md"
    argv = ["--sizes", "100", "--variants", "lp", "--peer-time-limit", "20",
            "--time-limit", "20", "--out", str(out)]

    assert main(argv) == 0

    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "`python -m benchmarks.solver_bench " + " ".join(argv) + "`"
    (row,) = _table_rows(text)
    assert row["market"] == "LP 100"
    assert row["status"] == "optimal" and row["peer status"] == "optimal"
    assert row["viol"] == "0" and row["peer viol"] == "0"
    assert int(row["pairs"].replace(",", "")) > 0
    assert float(row["MB"].replace(",", "")) > 0

    (data,) = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))["rows"]
    assert data["objective_rel_diff"] <= 1e-6
    assert abs(data["ours"]["objective"] - data["peer"]["objective"]) <= 1e-6 * abs(
        data["ours"]["objective"])
    assert data["ours"]["stats"]["eligible_pairs"] == int(row["pairs"].replace(",", ""))


def _row(ours: float, peer: float, peer_status: str = "feasible") -> dict:
    return {
        "variant": "mip", "orgs": 300, "seed": 1,
        "ours": {"status": "feasible", "objective": ours, "bound": 1010.0, "seconds": 60.0,
                 "violations": 0},
        "peer": {"status": peer_status, "objective": peer, "bound": 1020.0, "seconds": 120.0,
                 "violations": 0},
    }


def test_best_known_is_the_better_valid_objective_and_distance_is_in_percent() -> None:
    # Ours 999, peer 1000: best known 1000, ours is 0.1% below; gap (1010 - 999) / 999.
    row = _row(999.0, 1000.0)
    compare(row, {})
    assert row["best_known"] == 1000.0 and row["best_source"] == "peer"
    assert abs(row["to_best_pct"] - 0.1) < 1e-12
    assert abs(row["gap"] - 11 / 999) < 1e-15
    assert abs(row["objective_rel_diff"] - 0.001) < 1e-15
    # The peer stopped at its limit, so 120 s / 60 s = 2 is only a lower bound on the ratio.
    assert row["peer_over_ours"] == 2.0 and row["peer_stopped"]


def test_reference_file_raises_best_known_and_invalid_results_never_count() -> None:
    # The peer's 1005 broke a rule, so it is no best known; the reference's 1002 is.
    row = _row(999.0, 1005.0)
    row["peer"]["violations"] = 2
    compare(row, {"mip-300-s1": 1002.0})
    assert row["best_known"] == 1002.0 and row["best_source"] == "reference"
    assert abs(row["to_best_pct"] - 300 / 1002) < 1e-12


def test_time_limited_lp_peer_has_no_gap() -> None:
    # HiGHS reports its current point's objective as "bound" for an unfinished LP: not a proof.
    row = _row(999.0, 900.0)
    row["variant"] = "lp"
    compare(row, {})
    assert row["peer_gap"] is None and row["gap"] is not None
