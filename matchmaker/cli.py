"""The `matchmaker` command: solve and generate market files, run the demo.

Analysts use it without the web platform, so nothing here opens a database unless a command
needs one, and a bad market file yields problem lines and exit status 2, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from importlib import resources
from pathlib import Path

import click

from matchmaker.cli_audit import audit_group
from solver import MarketError, Result, SolveOptions, load_market, solve


def _write_atomically(path: Path, text: str) -> None:
    """A half-written result file would be mistaken for a finished run."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


@click.group()
def cli() -> None:
    """锂电产业链供需对接平台 Matchmaker."""


@cli.command("solve")
@click.argument("market_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the result here instead of standard output.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=60.0,
              show_default=True, help="Seconds.")
@click.option("--gap", type=click.FloatRange(min=0), default=1e-4, show_default=True,
              help="Relative gap at which a result counts as optimal.")
@click.option("--threads", type=click.IntRange(min=1), default=1, show_default=True)
def solve_command(market_file: Path, output: Path | None, time_limit: float, gap: float,
                  threads: int) -> None:
    """Solve MARKET_FILE (lithium-market/1) and write a lithium-matches/1 result."""
    try:
        market = load_market(market_file)
    except MarketError as exc:
        for line in exc.problems:
            click.echo(line, err=True)
        sys.exit(2)
    result = solve(market, SolveOptions(time_limit=time_limit, gap=gap, threads=threads))
    text = json.dumps(result.to_dict(), ensure_ascii=False, indent=1)
    if output is None:
        click.echo(text)
    else:
        _write_atomically(output, text + "\n")
    if result.reason:
        click.echo(f"{result.status}: {result.reason}", err=True)
    sys.exit(result.exit_code)


@cli.command("generate")
@click.option("--orgs", type=click.IntRange(min=2), required=True, help="Number of organisations.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--lp", is_flag=True, help="Only linear rules: no minimum volumes, no supplier counts.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
def generate_command(orgs: int, seed: int, lp: bool, output: Path | None) -> None:
    """Write a realistic national market (lithium-market/1) built from public figures."""
    from solver.generate import generate_market

    text = json.dumps(generate_market(orgs=orgs, seed=seed, lp=lp), ensure_ascii=False)
    if output is None:
        click.echo(text)
    else:
        _write_atomically(output, text + "\n")


def print_result_table(result: Result, currency: str = "CNY") -> None:
    """A readable table of matches, for people rather than programs."""
    click.echo(f"status {result.status}  objective {result.objective:,.0f} {currency}"
               f"  bound {result.bound:,.0f}  {result.seconds:.2f} s")
    header = f"{'offer':<10}{'demand':<10}{'monthly qty':>14}{'term':>18}{'months':>8}" \
             f"{'unit price':>16}{'surplus':>18}"
    click.echo(header)
    click.echo("-" * len(header))
    for m in result.matches:
        click.echo(f"{m.offer:<10}{m.demand:<10}{m.monthly_qty:>14,.3f}{m.start + '..' + m.end:>18}"
                   f"{m.months:>8}{m.price:>16,.0f}{m.surplus:>18,.0f}")


@cli.command("demo")
def demo_command() -> None:
    """Solve the cell-chain example, then serve the web platform on http://127.0.0.1:8000 with a
    fresh demo market (about 60 generated organisations) and the demo logins printed."""
    example = resources.files("solver") / "data" / "examples" / "cell-chain.json"
    with resources.as_file(example) as path:
        market = load_market(path)
    click.echo(f"Cell-chain example: {len(market.offers)} offers, {len(market.demands)} demands")
    print_result_table(solve(market), market.currency)
    from matchmaker.demo import run_demo

    run_demo(host="127.0.0.1", port=8000)


cli.add_command(audit_group)


if __name__ == "__main__":
    cli()
