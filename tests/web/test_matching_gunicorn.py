"""Fifty acceptances at once against one offer, through gunicorn with 4 worker processes on
PostgreSQL: the row locks, not luck, keep the offer from being promised twice.

The offer has 400 t/month; fifty approved proposals of 50 t/month each wait only for the
supplier's acceptance, so 400 / 50 = 8 can become contracts. Runs when TEST_DATABASE_URL is set
(and then fails, not skips, if PostgreSQL cannot be reached).
"""

from __future__ import annotations

import http.cookiejar
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, SQLModel, select

from matchmaker import create_app
from matchmaker.db import get_engine
from matchmaker.models import Contract, Demand, Offer, ScheduleLine
from matchmaker.services import audit
from matchmaker.services.capacity import remaining_by_month
from tests.conftest import PASSWORD, TEST_TODAY, Factory, make_config
from tests.matching_market import add_proposal, seed_market

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL not set"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def seeded(pg_schema):
    url, schema = pg_schema
    app = create_app(make_config(DATABASE_URL=url, DATABASE_SCHEMA=schema))
    engine = get_engine(app)
    SQLModel.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as db:
        market = seed_market(db, Factory(db, app))
        big = Demand(org_id=market.buyer.org_id, product_id="lithium-carbonate", region="fujian", monthly_qty=5000,
                     start="2027-01", end="2027-12", price=76_000)
        db.add(big)
        db.commit()
        ids = [add_proposal(db, market, big, 50, state="approved", deadline=date(2027, 1, 22),
                            buyer_response="accepted").id for _ in range(50)]
    yield app, market, ids
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def gunicorn(pg_schema):
    url, schema = pg_schema
    port = _free_port()
    env = {**os.environ, "MATCHMAKER_DATABASE_URL": url, "MATCHMAKER_DATABASE_SCHEMA": schema,
           "MATCHMAKER_SECRET_KEY": "gunicorn-test", "MATCHMAKER_TODAY": TEST_TODAY,
           "MATCHMAKER_WTF_CSRF_ENABLED": "false", "MATCHMAKER_PASSWORD_HASH_METHOD": "scrypt:1024:8:1"}
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "4", "-b", f"127.0.0.1:{port}", "--timeout", "60", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/login", timeout=5)
            break
        except OSError:  # refused while starting, or a worker still booting
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("gunicorn did not start: " + process.stderr.read().decode()[-2000:])  # type: ignore[union-attr]
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(10)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def test_fifty_concurrent_acceptances_never_exceed_the_offer(seeded, gunicorn):
    app, market, ids = seeded
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    login = urllib.parse.urlencode({"email": "seller@example.cn", "password": PASSWORD}).encode()
    try:
        opener.open(gunicorn + "/login", data=login)
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 302
    answers: list[tuple[int, str]] = []
    ready = threading.Barrier(len(ids))

    def accept(proposal_id: int) -> None:
        ready.wait()
        try:
            response = opener.open(f"{gunicorn}/proposals/{proposal_id}/accept", data=b"", timeout=60)
            answers.append((response.status, ""))
        except urllib.error.HTTPError as error:
            answers.append((error.code, error.read().decode()))

    threads = [threading.Thread(target=accept, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)

    codes = sorted(code for code, _ in answers)
    assert codes == [303] * 8 + [409] * 42
    assert all("余量不足" in body and "2027-01" in body for code, body in answers if code == 409)
    with Session(get_engine(app)) as db:
        offer = db.get(Offer, market.offer.id)
        assert len(db.exec(select(Contract)).all()) == 8
        for month in (f"2027-{m:02d}" for m in range(1, 13)):
            contracted = sum(line.qty for line in db.exec(select(ScheduleLine).where(ScheduleLine.month == month)))
            assert contracted == 400
            assert remaining_by_month(db, "offer", offer)[month] + contracted == offer.monthly_qty
        assert audit.verify_chain(db) == []
