"""A job process killed in the middle of a solve (SIGKILL: no cleanup code runs) leaves no
proposals, and its run is marked failed once it has been silent past its time limit."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, SQLModel, select

from matchmaker import create_app
from matchmaker.db import get_engine
from matchmaker.models import MatchingRun, Proposal
from matchmaker.services import runs
from solver.generate import generate_market
from tests.conftest import Factory, make_config

ROOT = Path(__file__).resolve().parents[2]


def test_a_killed_job_leaves_no_proposals_and_is_failed(tmp_path):
    url = f"sqlite:///{tmp_path}/kill.db"
    app = create_app(make_config(DATABASE_URL=url))
    engine = get_engine(app)
    SQLModel.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as db:
        staff = Factory(db, app).user(Factory(db, app).org("Association", tiers=["system"]), "s@example.cn", role="staff")
        # a national market with minimum volumes and supplier counts: a MIP that takes a while
        run = MatchingRun(request_key="kill", created_by=staff.id, time_limit=60,
                          market=json.dumps(generate_market(orgs=300, seed=5, lp=False)))
        db.add(run)
        db.commit()
    code = f"from matchmaker.jobs import execute_run_at; execute_run_at({url!r}, None, {run.id})"
    job = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        with Session(engine) as db:
            while db.get(MatchingRun, run.id).state != "running":
                assert time.monotonic() < deadline and job.poll() is None, "the job never started solving"
                time.sleep(0.1)
                db.expire_all()
        time.sleep(1.0)  # in the middle of the solve
        assert job.poll() is None, "the solve finished before it could be killed"
    finally:
        job.send_signal(signal.SIGKILL)
        job.wait(10)
    with Session(engine) as db:
        assert db.get(MatchingRun, run.id).state == "running"
        assert db.exec(select(Proposal)).all() == []
        later = datetime.now(UTC) + timedelta(seconds=60) + runs.STALE_GRACE + timedelta(seconds=1)
        assert runs.fail_stale_runs(db, later) == 1
        assert db.get(MatchingRun, run.id).state == "failed"
    engine.dispose()
