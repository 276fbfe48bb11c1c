"""The sweep fails runs whose job died, without waiting for the next run to start.

A run may be silent for its own time limit plus the slack (default 120 s): a 10 s run is taken
for dead after 130 s without a heartbeat, or, never started, 130 s after it was queued.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, SQLModel, select

from matchmaker import create_app, jobs
from matchmaker.db import get_engine
from matchmaker.models import AuditRecord, MatchingRun, Proposal
from matchmaker.services import audit, runs
from tests.conftest import Factory, make_config
from tests.matching_market import seed_market

NOW = datetime(2027, 1, 15, 8, 0, tzinfo=UTC)


@pytest.fixture
def market(db, factory):
    return seed_market(db, factory)


def a_run(db, market, state, *, silent_for, time_limit=10.0, key=None):
    """A run last heard of ``silent_for`` before NOW (a heartbeat if running, its creation if queued)."""
    then = NOW - silent_for
    run = MatchingRun(request_key=key or f"{state}-{silent_for.total_seconds()}", created_by=market.staff.user_id,
                      state=state, time_limit=time_limit, market="{}", created_at=then)
    if state == "running":
        run.created_at = then - timedelta(seconds=5)
        run.started_at = run.heartbeat_at = then
    db.add(run)
    db.commit()
    return run


def fail_records(db):
    return [(r.entity_id, r.before, r.after) for r in db.exec(select(AuditRecord).where(AuditRecord.action == "fail_run"))]


def test_a_running_run_silent_past_its_limit_is_failed_with_the_reason(db, market):
    run = a_run(db, market, "running", silent_for=timedelta(seconds=131))  # 10 s + 120 s slack = 130 s
    assert runs.fail_stale_runs(db, NOW) == 1
    db.refresh(run)
    assert run.state == "failed" and run.finished_at is not None
    assert run.error.startswith("the job stopped without finishing: no progress for more than 130 s")
    assert db.exec(select(Proposal)).all() == []


def test_a_running_run_with_a_fresh_heartbeat_is_left_alone(db, market):
    run = a_run(db, market, "running", silent_for=timedelta(seconds=129))
    assert runs.fail_stale_runs(db, NOW) == 0
    db.refresh(run)
    assert run.state == "running" and fail_records(db) == []


def test_a_queued_run_nobody_started_is_failed_from_its_creation(db, market):
    old = a_run(db, market, "queued", silent_for=timedelta(seconds=131))
    young = a_run(db, market, "queued", silent_for=timedelta(seconds=60))
    assert runs.fail_stale_runs(db, NOW) == 1
    db.refresh(old)
    db.refresh(young)
    assert (old.state, young.state) == ("failed", "queued")
    assert old.error.startswith("the job never started: queued for more than 130 s")


def test_the_limit_grows_with_the_time_limit(db, market):
    run = a_run(db, market, "running", silent_for=timedelta(seconds=400), time_limit=300)  # 300 + 120 = 420 s
    assert runs.fail_stale_runs(db, NOW) == 0
    assert runs.fail_stale_runs(db, NOW + timedelta(seconds=21)) == 1
    db.refresh(run)
    assert run.state == "failed"


def test_the_slack_is_configurable(db, market):
    a_run(db, market, "running", silent_for=timedelta(seconds=40))
    assert runs.fail_stale_runs(db, NOW, slack=timedelta(seconds=30)) == 0  # 10 + 30 = 40 s: not more than 40 s
    assert runs.fail_stale_runs(db, NOW, slack=timedelta(seconds=29)) == 1  # 10 + 29 = 39 s


def test_finished_and_failed_runs_are_never_touched(db, market):
    for state in ("finished", "failed"):
        a_run(db, market, state, silent_for=timedelta(hours=5))
    assert runs.fail_stale_runs(db, NOW) == 0
    assert [r.state for r in db.exec(select(MatchingRun).order_by(MatchingRun.id))] == ["finished", "failed"]


def test_sweeping_twice_fails_and_audits_once(db, market):
    run = a_run(db, market, "running", silent_for=timedelta(minutes=10))
    assert runs.fail_stale_runs(db, NOW) == 1
    assert runs.fail_stale_runs(db, NOW + timedelta(minutes=1)) == 0
    records = fail_records(db)
    assert len(records) == 1 and records[0][:2] == (run.id, '{"state":"running"}')
    assert audit.verify_chain(db) == []


def test_a_sweep_that_read_a_run_before_another_sweep_failed_it_audits_nothing(db, market, app):
    """Two workers read the same stale run; the second one's conditional UPDATE finds it failed."""
    run = a_run(db, market, "running", silent_for=timedelta(minutes=10))
    with Session(get_engine(app), expire_on_commit=False) as other:
        seen = other.get(MatchingRun, run.id)  # the other worker has read it as running
        assert seen.state == "running"
        assert runs.fail_stale_runs(db, NOW) == 1
        # the other worker now decides from its stale copy: its UPDATE matches no row
        assert runs.fail_stale_runs(other, NOW) == 0
    assert len(fail_records(db)) == 1


def test_a_job_still_alive_after_the_sweep_writes_nothing(app, db, market):
    """A slow job that the sweep gave up on finds its run failed and leaves no proposals."""
    run, _ = runs.start_run(db, market.staff, request_key="slow", products=[], time_limit=10,
                            today=date(2027, 1, 15), index_values={})
    run.state = "running"
    db.add(run)
    db.commit()
    runs.fail_stale_runs(db, datetime.now(UTC) + timedelta(minutes=10))
    jobs.write_result(get_engine(app), run.id, {"offers": [], "demands": []},
                      {"matches": [], "status": "optimal", "objective": 0, "bound": 0, "seconds": 1})
    db.refresh(run)
    assert run.state == "failed" and db.exec(select(Proposal)).all() == []


def test_viewing_the_runs_list_or_a_run_sweeps(db, market):
    dead = a_run(db, market, "running", silent_for=timedelta(minutes=10), key="dead")
    dead.heartbeat_at = datetime.now(UTC) - timedelta(minutes=10)
    db.add(dead)
    db.commit()
    assert runs.get_run(db, market.staff, dead.id).state == "failed"
    other = a_run(db, market, "queued", silent_for=timedelta(minutes=10), key="other")
    other.created_at = datetime.now(UTC) - timedelta(minutes=10)
    db.add(other)
    db.commit()
    assert {r.id: r.state for r in runs.list_runs(db, market.staff)}[other.id] == "failed"


@pytest.mark.app_config(MATCHING_STALE_SLACK_SECONDS=5)
def test_the_views_use_the_configured_slack(app, db, market):
    run = a_run(db, market, "running", silent_for=timedelta(seconds=20), key="late")
    run.heartbeat_at = datetime.now(UTC) - timedelta(seconds=20)  # 20 s > 10 s + 5 s
    db.add(run)
    db.commit()
    with app.app_context():
        assert runs.get_run(db, market.staff, run.id).state == "failed"


def test_sweeps_racing_in_eight_threads_fail_each_run_once(shared_app):
    engine = get_engine(shared_app)
    with Session(engine, expire_on_commit=False) as db:
        market = seed_market(db, Factory(db, shared_app))
        dead = [a_run(db, market, "running", silent_for=timedelta(minutes=10), key=f"dead-{i}").id for i in range(3)]
    counts: list[int] = []
    barrier = threading.Barrier(8)

    def sweep() -> None:
        with Session(engine, expire_on_commit=False) as session:
            barrier.wait()
            counts.append(runs.fail_stale_runs(session, NOW))

    threads = [threading.Thread(target=sweep) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    with Session(engine) as db:
        assert sum(counts) == 3 and len(counts) == 8
        assert sorted(entity_id for entity_id, _, _ in fail_records(db)) == sorted(dead)
        assert audit.verify_chain(db) == []


def test_the_timer_sweeps_until_stopped(tmp_path):
    app = create_app(make_config(DATABASE_URL=f"sqlite:///{tmp_path}/timer.db", MATCHING_SWEEP_SECONDS=0.05))
    SQLModel.metadata.create_all(get_engine(app))
    with Session(get_engine(app), expire_on_commit=False) as db:
        market = seed_market(db, Factory(db, app))
        run = a_run(db, market, "running", silent_for=timedelta(minutes=10))
        run.heartbeat_at = datetime.now(UTC) - timedelta(minutes=10)
        db.add(run)
        db.commit()
    sweeper = jobs.ensure_sweeper(app)
    try:
        assert jobs.ensure_sweeper(app) is sweeper  # one timer per process
        deadline = time.monotonic() + 10
        with Session(get_engine(app)) as db:
            while db.get(MatchingRun, run.id).state != "failed":
                assert time.monotonic() < deadline, "the timer never failed the dead run"
                time.sleep(0.05)
                db.expire_all()
    finally:
        sweeper.stop()
    assert jobs.ensure_sweeper(app) is None  # stopped for good
    get_engine(app).dispose()


def test_under_testing_the_timer_is_off_unless_asked_for(app, client):
    client.get("/login")  # the first request is where a web process starts its timer
    assert jobs.ensure_sweeper(app) is None and "matching_sweeper" not in app.extensions


@pytest.mark.app_config(MATCHING_SWEEP_SECONDS=0)
def test_an_interval_of_zero_turns_the_timer_off(app):
    app.testing = False
    assert jobs.ensure_sweeper(app) is None


def test_the_first_request_starts_the_timer(tmp_path):
    app = create_app(make_config(DATABASE_URL=f"sqlite:///{tmp_path}/first.db", MATCHING_SWEEP_SECONDS=3600))
    SQLModel.metadata.create_all(get_engine(app))
    app.test_client().get("/login")
    sweeper = app.extensions["matching_sweeper"]
    try:
        assert sweeper.alive() and sweeper.interval == 3600
    finally:
        sweeper.stop()
    get_engine(app).dispose()


def test_the_sweep_command_for_cron(runner, db, market):
    run = a_run(db, market, "queued", silent_for=timedelta(minutes=10))
    run.created_at = datetime.now(UTC) - timedelta(minutes=10)
    db.add(run)
    db.commit()
    result = runner.invoke(args=["matching", "sweep"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "1 runs failed, 0 reminders sent, 0 proposals expired"
    assert runner.invoke(args=["matching", "sweep"]).output.startswith("0 runs failed")
