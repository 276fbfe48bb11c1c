"""Where a run is solved: a thread of this process by default, an RQ worker when REDIS_URL is set.

The RQ test runs when ``TEST_REDIS_URL`` is set (e.g. redis://127.0.0.1:6379/15) and then fails,
not skips, if that server cannot be reached.
"""

from __future__ import annotations

import os
from datetime import date

import pytest
from sqlmodel import Session, SQLModel, select

from matchmaker import create_app, jobs
from matchmaker.db import get_engine
from matchmaker.models import MatchingRun, Proposal
from matchmaker.services import runs
from tests.conftest import Factory, make_config
from tests.matching_market import seed_market


@pytest.fixture
def file_app(tmp_path):
    app = create_app(make_config(DATABASE_URL=f"sqlite:///{tmp_path}/jobs.db", REDIS_URL=""))
    SQLModel.metadata.create_all(get_engine(app))
    yield app
    get_engine(app).dispose()


def _queued_run(app) -> int:
    with Session(get_engine(app), expire_on_commit=False) as db:
        market = seed_market(db, Factory(db, app))
        run, _ = runs.start_run(db, market.staff, request_key="r", products=[], time_limit=10,
                                today=date(2027, 1, 15), index_values={})
        return run.id  # type: ignore[return-value]


def _outcome(app, run_id):
    with Session(get_engine(app)) as db:
        return db.get(MatchingRun, run_id).state, len(db.exec(select(Proposal)).all())


def test_by_default_a_run_is_solved_in_a_thread(file_app):
    run_id = _queued_run(file_app)
    assert jobs.submit(file_app, run_id, 10) == "thread"
    jobs.wait_for_threads()
    assert _outcome(file_app, run_id) == ("finished", 2)


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="TEST_REDIS_URL not set")
def test_with_redis_a_run_is_solved_by_an_rq_worker(file_app):
    from redis import Redis
    from rq import Queue, SimpleWorker

    url = os.environ["TEST_REDIS_URL"]
    connection = Redis.from_url(url)
    try:
        connection.ping()
    except Exception as error:  # noqa: BLE001 - any connection problem must fail loudly
        pytest.fail(f"TEST_REDIS_URL is set but Redis is unreachable: {error}")
    queue = Queue(jobs.QUEUE, connection=connection)
    queue.empty()
    file_app.config["REDIS_URL"] = url
    run_id = _queued_run(file_app)
    assert jobs.submit(file_app, run_id, 10) == "rq"
    assert jobs.submit(file_app, run_id, 10) == "rq"  # the same job id: queued once
    assert queue.count == 1
    assert _outcome(file_app, run_id) == ("queued", 0)  # nothing runs in the request
    SimpleWorker([queue], connection=connection).work(burst=True)
    assert _outcome(file_app, run_id) == ("finished", 2)
