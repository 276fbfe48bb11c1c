"""Matching runs: the snapshot they solve, the job that solves it, and what a dying job leaves."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from matchmaker import jobs
from matchmaker.db import get_engine
from matchmaker.models import ForbiddenPair, FreightOverride, MatchingRun, Proposal
from matchmaker.services import runs
from matchmaker.services.errors import PermissionDenied, ValidationError
from tests.matching_market import seed_market

TODAY = date(2027, 1, 15)


@pytest.fixture
def market(db, factory):
    return seed_market(db, factory)


def start(db, market, key="k1", **kwargs):
    options = {"products": [], "time_limit": 10.0, "today": TODAY, "index_values": {}, **kwargs}
    return runs.start_run(db, market.staff, request_key=key, **options)


def test_a_run_snapshots_the_open_listings_as_a_market_file(db, market):
    run, created = start(db, market)
    data = json.loads(run.market)
    assert created and run.state == "queued"
    assert data["format"] == "lithium-market/1"
    assert [o["id"] for o in data["offers"]] == [f"O{market.offer.id}"]
    assert [d["id"] for d in data["demands"]] == [f"D{market.demand.id}", f"D{market.demand_b.id}"]
    assert data["locked"] == [] and data["forbidden"] == []


def test_only_the_chosen_products_go_in(db, market):
    run, _ = start(db, market, products=["spodumene-sc6"])
    data = json.loads(run.market)
    assert data["offers"] == [] and data["demands"] == []


def test_freight_of_products_left_out_stays_out(db, market):
    """Jiangxi -> Fujian lithium carbonate costs freight once the seeded 0 lane is removed;
    a run of spodumene alone carries no lane of lithium carbonate."""
    for lane in db.exec(select(FreightOverride)).all():
        db.delete(lane)
    db.commit()
    everything, _ = start(db, market, key="all")
    spodumene, _ = start(db, market, key="spodumene", products=["spodumene-sc6"])
    assert {t["product"] for t in json.loads(everything.market)["transport"]} == {"lithium-carbonate"}
    assert json.loads(spodumene.market)["transport"] == []


def test_starting_the_same_run_twice_returns_the_first(db, market):
    first, created = start(db, market)
    again, created_again = start(db, market)
    assert created and not created_again and again.id == first.id
    assert len(db.exec(select(MatchingRun)).all()) == 1


def test_only_staff_start_runs(db, market):
    with pytest.raises(PermissionDenied):
        runs.start_run(db, market.seller, request_key="x", products=[], time_limit=5, today=TODAY, index_values={})


@pytest.mark.parametrize("limit", [0, 601])
def test_time_limit_is_bounded(db, market, limit):
    with pytest.raises(ValidationError) as error:
        start(db, market, time_limit=limit)
    assert "time_limit" in error.value.errors


def test_the_job_writes_proposals_and_the_outcome(app, db, market):
    run, _ = start(db, market)
    assert jobs.execute_run(get_engine(app), run.id) == "finished"
    db.refresh(run)
    proposals = db.exec(select(Proposal).order_by(Proposal.demand_id)).all()
    # O1 (400 t) fills D1 first (margin 76,000 - 71,000 = 5,000), the last 100 t go to D2 (4,000):
    # 300 x 12 x 5,000 + 100 x 12 x 4,000 = 18,000,000 + 4,800,000 = 22,800,000.
    assert run.state == "finished" and run.status == "optimal"
    assert run.objective == pytest.approx(22_800_000)
    assert [(p.demand_id, p.monthly_qty, p.price) for p in proposals] == [
        (market.demand.id, pytest.approx(300), pytest.approx(73_500)),
        (market.demand_b.id, pytest.approx(100), pytest.approx(73_000)),
    ]
    assert proposals[0].supplier_org_id == market.offer.org_id and proposals[0].freight == 0
    assert json.loads(run.result)["format"] == "lithium-matches/1"


def test_a_job_delivered_twice_solves_once(app, db, market):
    run, _ = start(db, market)
    assert jobs.execute_run(get_engine(app), run.id) == "finished"
    assert jobs.execute_run(get_engine(app), run.id) == "finished"
    assert len(db.exec(select(Proposal)).all()) == 2


def test_a_crash_while_writing_proposals_leaves_none_and_fails_the_run(app, db, market, monkeypatch):
    run, _ = start(db, market)
    real = jobs.Proposal
    calls = []

    def failing(**fields):  # the second proposal cannot be built
        calls.append(fields)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(**fields)

    monkeypatch.setattr(jobs, "Proposal", failing)
    assert jobs.execute_run(get_engine(app), run.id) == "failed"
    db.refresh(run)
    assert run.state == "failed" and "disk full" in run.error
    assert db.exec(select(Proposal)).all() == []


def test_a_solver_crash_fails_the_run(app, db, market, monkeypatch):
    import solver

    run, _ = start(db, market)
    monkeypatch.setattr(solver, "solve", lambda *a, **k: (_ for _ in ()).throw(MemoryError("out of memory")))
    assert jobs.execute_run(get_engine(app), run.id) == "failed"
    db.refresh(run)
    assert run.state == "failed" and "out of memory" in run.error


def test_progress_is_written_to_the_run_row(app, db, market, monkeypatch):
    import solver
    from solver import Progress

    run, _ = start(db, market)
    seen = {}
    real_solve = solver.solve

    def solve_with_report(m, options):
        options.progress(Progress("search", 1.5, 900.0, 1000.0))
        with jobs.Session(get_engine(app)) as other:
            row = other.get(MatchingRun, run.id)
            seen.update(state=row.state, elapsed=row.elapsed, objective=row.objective, gap=row.gap)
        return real_solve(m, options)

    monkeypatch.setattr(solver, "solve", solve_with_report)
    jobs.execute_run(get_engine(app), run.id)
    assert seen == {"state": "running", "elapsed": 1.5, "objective": 900.0, "gap": pytest.approx(100 / 900)}


def test_an_interrupted_job_is_marked_failed_and_the_interrupt_goes_on(app, db, market, monkeypatch):
    import solver

    run, _ = start(db, market)
    monkeypatch.setattr(solver, "solve", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        jobs.execute_run(get_engine(app), run.id)
    db.refresh(run)
    assert run.state == "failed" and db.exec(select(Proposal)).all() == []


def test_a_killed_job_is_found_and_marked_failed(db, market):
    run, _ = start(db, market)
    run.state = "running"
    run.heartbeat_at = datetime.now(UTC) - timedelta(seconds=run.time_limit + 121)
    db.add(run)
    db.commit()
    assert runs.fail_stale_runs(db, datetime.now(UTC)) == 1
    db.refresh(run)
    assert run.state == "failed" and db.exec(select(Proposal)).all() == []


def test_a_running_job_with_a_recent_heartbeat_is_left_alone(db, market):
    run, _ = start(db, market)
    run.state = "running"
    run.heartbeat_at = datetime.now(UTC) - timedelta(seconds=5)
    db.add(run)
    db.commit()
    assert runs.fail_stale_runs(db, datetime.now(UTC)) == 0


def test_forbidden_pairs_go_into_the_snapshot_and_are_respected(app, db, market):
    db.add(ForbiddenPair(offer_id=market.offer.id, demand_id=market.demand.id, created_by=market.staff.user_id))
    db.commit()
    run, _ = start(db, market)
    assert json.loads(run.market)["forbidden"] == [{"offer": f"O{market.offer.id}", "demand": f"D{market.demand.id}"}]
    jobs.execute_run(get_engine(app), run.id)
    assert [p.demand_id for p in db.exec(select(Proposal))] == [market.demand_b.id]


def test_an_invalid_snapshot_fails_with_its_problem_lines(app, db, market):
    run, _ = start(db, market)
    run.market = json.dumps({"format": "lithium-market/2", "products": []})
    db.add(run)
    db.commit()
    assert jobs.execute_run(get_engine(app), run.id) == "failed"
    db.refresh(run)
    assert run.error.startswith("market: format must be")


def test_index_values_come_from_the_config_or_the_reference_prices(db, market):
    from matchmaker.services.monitoring_prices import series_for

    series = series_for(db, "lithium-carbonate", create=True, source="test")
    from matchmaker.models import PricePoint

    db.add(PricePoint(series_id=series.id, day=date(2027, 1, 10), price=80_000))
    db.commit()
    values = runs.current_index_values(db, {"gfex-lc": 75_000})
    assert values["gfex-lc"] == 75_000 and values["smm-lc"] == 80_000 and "smm-lioh" not in values


def test_start_finish_and_failure_of_runs_are_in_the_audit_chain(app, db, market):
    from matchmaker.models import AuditRecord
    from matchmaker.services import audit

    first, _ = start(db, market, key="a")
    jobs.execute_run(get_engine(app), first.id)
    second, _ = start(db, market, key="b")
    jobs.mark_failed(get_engine(app), second.id, "worker lost")
    actions = [(r.action, r.entity_id) for r in db.exec(select(AuditRecord).order_by(AuditRecord.seq))]
    assert actions == [("start_run", first.id), ("finish_run", first.id), ("start_run", second.id),
                       ("fail_run", second.id)]
    assert audit.verify_chain(db) == []


def test_an_rq_job_that_fails_marks_its_run_failed(app, db, market):
    run, _ = start(db, market)

    from types import SimpleNamespace

    job = SimpleNamespace(meta={"run_id": run.id, "database_url": str(app.config["DATABASE_URL"]), "schema": None})
    jobs._engines[(job.meta["database_url"], None)] = get_engine(app)
    try:
        jobs._rq_failed(job, None, TimeoutError, TimeoutError("job exceeded its timeout"), None)
    finally:
        jobs._engines.pop((job.meta["database_url"], None))
    db.refresh(run)
    assert run.state == "failed" and run.error == "TimeoutError: job exceeded its timeout"
