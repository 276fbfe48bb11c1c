"""`matchmaker solve` as analysts run it: exit status, where the result goes, problem lines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.solver.checker import check_result
from tests.solver.markets import demand, market, offer

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "solver" / "data" / "examples"
EXIT_STATUS = {"optimal": 0, "feasible": 0, "infeasible": 1, "no_solution": 3}


def command() -> list[str]:
    if (ROOT / "matchmaker" / "__main__.py").exists():
        return [sys.executable, "-m", "matchmaker"]
    return [str(Path(sys.executable).parent / "matchmaker")]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*command(), *args], check=False, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def strict_json(text: str) -> Any:
    """JSON as any other platform reads it: NaN and Infinity are not JSON."""
    def reject(name: str) -> None:
        raise ValueError(f"{name} is not valid JSON")
    return json.loads(text, parse_constant=reject)


def write(tmp_path: Path, data: Any, name: str = "market.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def assert_no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout


def test_solve_prints_the_result_json_and_exits_0():
    expected = json.loads((EXAMPLES / "expected.json").read_text())["objective"]["basic.json"]
    proc = run("solve", str(EXAMPLES / "basic.json"))
    assert proc.returncode == 0, proc.stderr
    result = strict_json(proc.stdout)
    assert result["status"] == "optimal"
    assert result["objective"] == pytest.approx(expected, rel=1e-4)
    assert check_result(json.loads((EXAMPLES / "basic.json").read_text()), result) == []


def test_solve_writes_the_result_file_with_o(tmp_path):
    out = tmp_path / "result.json"
    proc = run("solve", str(EXAMPLES / "cell-chain.json"), "-o", str(out), "--time-limit", "30",
               "--gap", "1e-6", "--threads", "2")
    assert proc.returncode == 0, proc.stderr
    result = strict_json(out.read_text())
    assert result["format"] == "lithium-matches/1"
    assert check_result(json.loads((EXAMPLES / "cell-chain.json").read_text()), result,
                        gap=1e-6) == []
    assert '"matches"' not in proc.stdout  # the result went to the file, not standard output


def test_infeasible_locks_exit_1_with_the_reason_in_the_result(tmp_path):
    # O1 has 50 a month; locks 40 + 20 = 60.
    data = market(
        [offer("O1", "s", 50, 10)],
        [demand("D1", "a", 100, 20), demand("D2", "b", 100, 20)],
        locked=[{"offer": "O1", "demand": "D1", "monthly_qty": 40},
                {"offer": "O1", "demand": "D2", "monthly_qty": 20}],
    )
    proc = run("solve", str(write(tmp_path, data)))
    assert proc.returncode == 1, proc.stderr
    result = strict_json(proc.stdout)
    assert result["status"] == "infeasible"
    assert "O1" in result["reason"]


def test_an_invalid_file_exits_2_with_one_stderr_line_per_problem(tmp_path):
    data = market(
        [offer("O7", "s", -5, 10)],
        [demand("D1", "a", 100, -1)],
        transport=[{"from": "r1", "to": "r2", "cost": -1}],
    )
    out = tmp_path / "result.json"
    proc = run("solve", str(write(tmp_path, data)), "-o", str(out))
    assert proc.returncode == 2
    assert_no_traceback(proc)
    assert not out.exists()  # nothing solved, nothing written
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert any("offer O7: monthly_qty must be > 0, got -5" in line for line in lines), lines
    assert any("D1" in line and "price" in line for line in lines), lines
    assert any("transport[0]: cost must be >= 0, got -1" in line for line in lines), lines
    assert len(lines) == 3, lines


def test_unreadable_json_exits_2_without_traceback(tmp_path):
    proc = run("solve", str(write(tmp_path, '{"format": "lithium-market/1", "products": [')))
    assert proc.returncode == 2
    assert_no_traceback(proc)
    assert proc.stderr.strip()


def test_a_missing_file_exits_2_without_traceback(tmp_path):
    proc = run("solve", str(tmp_path / "absent.json"))
    assert proc.returncode == 2
    assert_no_traceback(proc)


@pytest.fixture(scope="module")
def national_market(tmp_path_factory) -> Path:
    """A generated 300-org mixed-integer market: too big to prove optimal in seconds."""
    market_file = tmp_path_factory.mktemp("national") / "national.json"
    gen = run("generate", "--orgs", "300", "--seed", "3", "-o", str(market_file))
    assert gen.returncode == 0, gen.stderr
    return market_file


def test_no_solution_in_time_exits_3_with_strict_json(national_market):
    # A 300-org national market cannot even be built in a millisecond.
    proc = run("solve", str(national_market), "--time-limit", "0.001")
    assert_no_traceback(proc)
    assert proc.returncode == 3, proc.stderr
    result = strict_json(proc.stdout)
    assert result["status"] == "no_solution"
    assert result["matches"] == []


def test_a_time_limited_feasible_result_exits_0_and_holds(national_market):
    # The national MIP is not proved optimal (gap 0) within 3 s, but has a solution by then.
    proc = run("solve", str(national_market), "--time-limit", "3", "--gap", "0")
    result = strict_json(proc.stdout)
    assert result["status"] == "feasible"
    assert proc.returncode == EXIT_STATUS["feasible"]
    assert check_result(json.loads(national_market.read_text()), result) == []


def test_an_lp_only_engine_on_a_market_with_integer_rules_is_refused_by_name():
    # business-rules.json has minimum volumes and supplier counts: GLOP cannot solve it.
    from solver import SolveOptions, load_market, solve

    market = load_market(EXAMPLES / "business-rules.json")
    with pytest.raises(ValueError, match="glop"):
        solve(market, SolveOptions(engine="glop"))
