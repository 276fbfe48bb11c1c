"""Running a matching job outside the request: a thread in this process by default, an RQ
worker when ``REDIS_URL`` is set (``rq worker matching`` with the same environment).

``execute_run`` is the job either way. It claims the run (queued -> running) in one statement, so
a job delivered twice solves once; it writes progress to the run row as the solver reports it;
and it writes every proposal together with the final state in one transaction, so a job that
dies midway leaves no partial proposals, only a run that is (or will be found) failed.

``Sweeper`` is the timer of the web process that finds such runs (and reminds and expires
proposals) without waiting for someone to look: see ``services/lifecycle.py``.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from matchmaker.models import Demand, MatchingRun, Offer, Proposal
from matchmaker.models.base import utcnow
from matchmaker.services import audit, lifecycle
from matchmaker.services.capacity import begin_immediate

QUEUE = "matching"
PROGRESS_INTERVAL = 0.5


def solver_threads() -> int:
    """Two by default: with one, the MIP portfolio is SCIP alone, which on a busy 2-core machine
    found nothing better than the empty match in 30 s at 300 organisations; the second thread
    repairs the LP optimum and gives a good match at once. ``MATCHMAKER_SOLVER_THREADS`` (read by
    web processes and RQ workers alike) lowers or raises it; the solver releases the GIL, so the
    pages stay responsive either way."""
    try:
        return max(1, int(os.environ.get("MATCHMAKER_SOLVER_THREADS", "2")))
    except ValueError:
        return 2
_threads: list[threading.Thread] = []
_engines: dict[tuple[str, str | None], Engine] = {}


def redis_url(config: Any) -> str | None:
    return config.get("REDIS_URL", os.environ.get("REDIS_URL")) or None


def submit(app: Any, run_id: int, time_limit: float) -> str:
    """Starts the job for ``run_id``; returns how: ``inline`` (tests), ``thread`` or ``rq``."""
    from matchmaker.db import get_engine

    executor = app.config.get("MATCHING_EXECUTOR")
    url = redis_url(app.config)
    if executor == "inline":
        execute_run(get_engine(app), run_id)
        return "inline"
    if url and executor != "thread":
        enqueue(url, str(app.config["DATABASE_URL"]), app.config.get("DATABASE_SCHEMA"), run_id, time_limit)
        return "rq"
    thread = threading.Thread(target=execute_run, args=(get_engine(app), run_id), daemon=True,
                              name=f"matching-run-{run_id}")
    _threads.append(thread)
    thread.start()
    return "thread"


def enqueue(url: str, database_url: str, schema: str | None, run_id: int, time_limit: float) -> None:
    from redis import Redis
    from rq import Callback, Queue

    queue = Queue(QUEUE, connection=Redis.from_url(url))
    job_id = f"matching-run-{run_id}"
    existing = queue.fetch_job(job_id)
    if existing is not None and existing.get_status() in ("queued", "started", "deferred", "scheduled"):
        return
    queue.enqueue(
        "matchmaker.jobs.execute_run_at", database_url, schema, run_id,
        job_id=job_id, job_timeout=int(time_limit) + 300,
        on_failure=Callback(_rq_failed), meta={"run_id": run_id, "database_url": database_url, "schema": schema},
    )


def _rq_failed(job: Any, connection: Any, exc_type: Any, value: Any, traceback: Any) -> None:
    meta = job.meta
    mark_failed(_engine_for(meta["database_url"], meta["schema"]), meta["run_id"], f"{exc_type.__name__}: {value}")


def _engine_for(database_url: str, schema: str | None) -> Engine:
    from matchmaker.db import make_engine

    key = (database_url, schema)
    if key not in _engines:
        _engines[key] = make_engine(database_url, schema)
    return _engines[key]


def execute_run_at(database_url: str, schema: str | None, run_id: int) -> str:
    """The RQ entry point: workers get the database by URL, not a Flask app."""
    return execute_run(_engine_for(database_url, schema), run_id)


def wait_for_threads(timeout: float = 60.0) -> None:
    """For tests and shutdown: let in-process jobs finish."""
    deadline = time.monotonic() + timeout
    while _threads:
        _threads.pop().join(max(0.0, deadline - time.monotonic()))


def execute_run(engine: Engine, run_id: int) -> str:
    """Solves the run's market and writes its proposals; returns the run's final state."""
    from solver import MarketError, SolveOptions, parse_market, solve

    with Session(engine) as session:
        claimed = session.execute(
            update(MatchingRun).where(MatchingRun.id == run_id, MatchingRun.state == "queued")  # type: ignore[arg-type]
            .values(state="running", started_at=utcnow(), heartbeat_at=utcnow())
        ).rowcount
        session.commit()
        run = session.get(MatchingRun, run_id)
        if not claimed or run is None:
            return run.state if run else "missing"
        market_text, time_limit = run.market, run.time_limit
    try:
        market_data = json.loads(market_text)
        market = parse_market(market_data)
        result = solve(market, SolveOptions(time_limit=time_limit, gap=1e-4, threads=solver_threads(),
                                             progress=_progress_writer(engine, run_id)))
        write_result(engine, run_id, market_data, result.to_dict())
    except MarketError as error:
        mark_failed(engine, run_id, "\n".join(error.problems))
        return "failed"
    except BaseException as error:
        mark_failed(engine, run_id, f"{type(error).__name__}: {error}")
        if isinstance(error, Exception):
            return "failed"
        raise
    return "finished"


def _progress_writer(engine: Engine, run_id: int):  # type: ignore[no-untyped-def]
    last = [0.0]

    def report(progress: Any) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_INTERVAL:
            return
        last[0] = now
        with Session(engine) as session:
            session.execute(
                update(MatchingRun).where(MatchingRun.id == run_id, MatchingRun.state == "running")  # type: ignore[arg-type]
                .values(phase=progress.phase[:32], elapsed=progress.seconds, objective=progress.objective,
                        bound=progress.bound, gap=progress.gap, heartbeat_at=utcnow())
            )
            session.commit()

    return report


def write_result(engine: Engine, run_id: int, market: dict[str, Any], result: dict[str, Any]) -> None:
    """Every proposal and the run's final state, in one transaction."""
    offers = {o["id"]: o for o in market["offers"]}
    demands = {d["id"]: d for d in market["demands"]}
    locked = {(x["offer"], x["demand"]) for x in market.get("locked", [])}
    with Session(engine) as session:
        begin_immediate(session)  # the audit chain is appended to under the write lock
        run = session.get(MatchingRun, run_id)
        if run is None or run.state != "running":
            return
        for m in result["matches"]:
            offer, demand = offers[m["offer"]], demands[m["demand"]]
            offer_row = session.get(Offer, int(m["offer"][1:]))
            demand_row = session.get(Demand, int(m["demand"][1:]))
            assert offer_row is not None and demand_row is not None
            session.add(Proposal(
                run_id=run_id, offer_id=offer_row.id, demand_id=demand_row.id,
                supplier_org_id=offer_row.org_id, buyer_org_id=demand_row.org_id, product_id=offer["product"],
                monthly_qty=m["monthly_qty"], proposed_qty=m["monthly_qty"], start=m["start"], end=m["end"],
                months=m["months"], unit_margin=m["unit_margin"], price=m["price"],
                freight=round(demand["price"] - offer["price"] - m["unit_margin"], 2), surplus=m["surplus"],
                locked=(m["offer"], m["demand"]) in locked,
            ))
        run.state = "finished"
        run.status = result["status"]
        run.objective = result["objective"]
        run.bound = result["bound"]
        run.elapsed = result["seconds"]
        run.gap = _gap(result["objective"], result["bound"])
        run.error = result.get("reason")
        run.result = json.dumps(result, ensure_ascii=False, indent=1)
        run.finished_at = utcnow()
        run.heartbeat_at = run.finished_at
        session.add(run)
        audit.record(session, None, "finish_run", "matching_run", run_id, {"state": "running"},
                     {"state": "finished", "status": run.status, "objective": run.objective,
                      "proposals": len(result["matches"])})
        lifecycle.supersede_older(session, run, run.finished_at)
        session.commit()


def _gap(objective: float, bound: float | None) -> float | None:
    if bound is None:
        return None
    return max(0.0, (bound - objective) / max(abs(objective), 1e-9))


def mark_failed(engine: Engine, run_id: int, message: str) -> None:
    with Session(engine) as session:
        begin_immediate(session)
        run = session.get(MatchingRun, run_id)
        if run is None or run.state not in ("queued", "running"):
            return
        before = {"state": run.state}
        run.state, run.error, run.finished_at = "failed", message[:4000], utcnow()
        run.heartbeat_at = run.finished_at
        session.add(run)
        audit.record(session, None, "fail_run", "matching_run", run_id, before, {"state": "failed", "error": run.error})
        session.commit()


SWEEP_SECONDS = 60.0
_sweeper_lock = threading.Lock()
log = logging.getLogger(__name__)


class Sweeper:
    """A daemon thread that runs the sweep every ``interval`` seconds until stopped. One sweep
    at a time in this process (the next waits for the last to end); across processes the sweep's
    conditional UPDATEs make a second, simultaneous sweep change and record nothing."""

    def __init__(self, app: Any, interval: float):
        self.app, self.interval = app, interval
        self.pid = os.getpid()
        self.sweeps = 0
        self.stopped = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="matching-sweeper")

    def start(self) -> Sweeper:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Ends the timer for good in this process (``ensure_sweeper`` does not restart it)."""
        self.stopped = True
        self._stop.set()
        self._thread.join(timeout)

    def alive(self) -> bool:
        return self._thread.is_alive() and self.pid == os.getpid()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                run_sweep(self.app)
            except Exception:  # a failed sweep must not end the timer; the next one retries
                log.exception("matching sweep failed")
            self.sweeps += 1


def run_sweep(app: Any) -> lifecycle.SweepReport:
    """One sweep of ``app``'s database in its own session (timer and ``flask matching sweep``)."""
    from matchmaker.db import get_engine

    now = utcnow()
    with Session(get_engine(app), expire_on_commit=False) as session:
        return lifecycle.sweep(session, now, lifecycle.today_in(app.config, now),
                               lifecycle.SweepSettings.from_config(app.config))


def ensure_sweeper(app: Any) -> Sweeper | None:
    """Starts this process's sweeper on first use (so a gunicorn worker forked from a preloaded
    app gets its own). ``MATCHING_SWEEP_SECONDS`` (default 60) sets the interval, 0 turns it off;
    under TESTING it runs only when a test sets that key."""
    interval = app.config.get("MATCHING_SWEEP_SECONDS", None if app.testing else SWEEP_SECONDS)
    if not interval:
        return None
    current = _current_sweeper(app)
    if current is not None:
        return None if current.stopped else current
    with _sweeper_lock:  # two first requests at once start one timer
        current = _current_sweeper(app)
        if current is not None:
            return None if current.stopped else current
        sweeper = app.extensions["matching_sweeper"] = Sweeper(app, float(interval)).start()
    return sweeper


def _current_sweeper(app: Any) -> Sweeper | None:
    """This process's sweeper, running or stopped on purpose; None when there is none (or only
    the dead copy a forked worker inherited)."""
    sweeper: Sweeper | None = app.extensions.get("matching_sweeper")
    if sweeper is not None and sweeper.pid == os.getpid() and (sweeper.stopped or sweeper.alive()):
        return sweeper
    return None
