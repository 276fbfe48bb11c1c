"""The web benchmark's harness: seeding, reading wrk's output, the paced users' figures, login.

Nothing here is timed; the benchmark itself is ``make bench-web``.
"""

from __future__ import annotations

import os
import time
from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from benchmarks.web_bench import table
from benchmarks.web_load import LoadResult, parse_wrk_output, wrk_script
from benchmarks.web_seed import replicate, seed_database
from benchmarks.web_server import cookie_header, csrf_token, process_tree_cpu_seconds
from benchmarks.web_users import percentile, summarise
from matchmaker import create_app
from matchmaker.db import get_engine
from matchmaker.models import Demand, Offer, Organisation, User
from matchmaker.services.listings import read_listing
from matchmaker.services.viewer import Viewer

WRK_STDOUT = """\
Running 20s test @ http://127.0.0.1:40123/offers
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   480.12ms   60.30ms 900.00ms   70.00%
    Req/Sec    52.00     12.00    80.00     65.00%
  2080 requests in 20.00s, 30.10MB read
Requests/sec:    104.00
Transfer/sec:      1.50MB
WRK_RESULT {"requests": 2080, "duration_us": 20000000, "bytes": 31562752, "connect": 0, "read": 3, \
"write": 0, "status": 2, "timeout": 1, "not_ok": 5, "p50_us": 470123, "p95_us": 612500, "p99_us": 880000, \
"mean_us": 480120.0, "max_us": 900000}
"""


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """500 listings from a 100-organisation market in a fresh SQLite file."""
    path = tmp_path_factory.mktemp("web-bench") / "bench.db"
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "test", "TODAY": "2026-11-26"})
    summary = seed_database(app, listings=500, orgs=100, today=date(2026, 11, 26), hash_method="scrypt:1024:8:1")
    yield app, summary
    get_engine(app).dispose()


def test_seeding_writes_the_requested_number_of_offers_and_demands(seeded) -> None:  # type: ignore[no-untyped-def]
    app, summary = seeded
    with Session(get_engine(app)) as session:
        offers = session.scalar(select(func.count()).select_from(Offer))
        demands = session.scalar(select(func.count()).select_from(Demand))
    assert (offers, demands) == (summary.offers, summary.demands)
    assert offers + demands == 500
    assert offers > 0 and demands > 0


def test_every_seeded_listing_passes_the_form_check(seeded) -> None:  # type: ignore[no-untyped-def]
    """Read back as the form would send it, each row is accepted by read_listing unchanged."""
    app, _summary = seeded
    today = date(2026, 11, 26)
    with app.test_request_context(), Session(get_engine(app)) as session:
        for model, kind in ((Offer, "offer"), (Demand, "demand")):
            for row in session.exec(select(model).where(model.end >= "2026-11").limit(40)).all():
                form = {k: ("" if v is None else v) for k, v in row.model_dump().items()}
                form = {k: (v if isinstance(v, list) else str(v)) for k, v in form.items()}
                viewer = Viewer(user_id=0, org_id=row.org_id, role="member", org_status="approved")
                values = read_listing(session, viewer, kind, form, today)
                assert values["monthly_qty"] == row.monthly_qty


def test_seeding_leaves_a_member_with_listings_and_a_staff_login(seeded) -> None:  # type: ignore[no-untyped-def]
    app, summary = seeded
    with Session(get_engine(app)) as session:
        member = session.exec(select(User).where(User.email == summary.member_email)).one()
        staff = session.exec(select(User).where(User.email == summary.staff_email)).one()
        own = session.scalar(select(func.count()).select_from(Offer).where(Offer.org_id == member.org_id))
        own += session.scalar(select(func.count()).select_from(Demand).where(Demand.org_id == member.org_id))
        association = session.get(Organisation, staff.org_id)
    assert (member.role, staff.role) == ("member", "staff")
    assert own == summary.member_org_listings > 0
    assert association is not None and association.status == "approved"


def test_replicated_rounds_vary_volume_and_older_rounds_move_back_two_years() -> None:
    from datetime import UTC, datetime

    base = [("offer", 7, {"monthly_qty": 100.0, "min_monthly_qty": 10.0, "start": "2027-01", "end": "2028-12"})]
    now = datetime(2026, 11, 26, tzinfo=UTC)
    rows = [row for _kind, row in replicate(base, 4, now)]
    # 4 rounds, volume factor 1 + 0.02 * ((7r mod 11) - 5) for r = 0..3: 0.90, 1.04, 0.96, 1.10
    assert [r["monthly_qty"] for r in rows] == [90.0, 104.0, 96.0, 110.0]
    assert [r["min_monthly_qty"] for r in rows] == [9.0, 10.4, 9.6, 11.0]
    # rounds 2 and 3 are the older half: windows 24 months earlier, posted 1 to 2 years ago
    assert [(r["start"], r["end"]) for r in rows] == [("2027-01", "2028-12")] * 2 + [("2025-01", "2026-12")] * 2
    year_ago = datetime(2025, 11, 26, tzinfo=UTC)
    assert all(year_ago <= r["created_at"] <= now for r in rows[:2])
    assert all(r["created_at"] <= year_ago for r in rows[2:])
    assert all(r["org_id"] == 7 for r in rows)


def test_wrk_output_gives_throughput_percentiles_and_every_kind_of_error() -> None:
    result = parse_wrk_output(WRK_STDOUT)
    assert result == LoadResult(requests=2080, seconds=20.0, rps=104.0, p50_ms=470.123, p95_ms=612.5,
                                p99_ms=880.0, max_ms=900.0, errors=0 + 3 + 0 + 1 + 5)


def test_wrk_output_without_the_result_line_is_an_error() -> None:
    with pytest.raises(ValueError, match="no WRK_RESULT"):
        parse_wrk_output("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_the_wrk_script_sends_the_session_cookie_and_pauses_only_when_asked() -> None:
    script = wrk_script('session=abc"def')
    assert 'wrk.headers["Cookie"] = "session=abc\\"def"' in script
    assert "function delay()" not in script
    assert "math.random(500, 1500)" in wrk_script("", think_ms=(500, 1500))


def test_paced_figures_use_nearest_rank_percentiles() -> None:
    values = [float(v) for v in range(1, 101)]  # 1..100 ms
    assert (percentile(values, 50), percentile(values, 95), percentile(values, 99)) == (50.0, 95.0, 99.0)
    result = summarise([v / 1000 for v in values], errors=2, seconds=10.0)
    assert (result.requests, result.rps, result.p95_ms, result.max_ms, result.errors) == (102, 10.2, 95.0, 100.0, 2)


def test_login_form_token_and_cookie_header() -> None:
    page = '<form><input type="hidden" name="csrf_token" value="Ijk0&amp;YzE.abc"></form>'
    assert csrf_token(page) == "Ijk0&YzE.abc"
    assert cookie_header({"session": "x.y", "lang": "en"}) == "session=x.y; lang=en"
    with pytest.raises(ValueError):
        csrf_token("<form></form>")


def test_table_marks_pages_over_the_target_with_the_distance() -> None:
    rows = [{"database": "sqlite", "page": "market", "path": "/market",
             "load": "conn", "rps": 98.0, "p50_ms": 400.0, "p95_ms": 612.5, "p99_ms": 700.0, "max_ms": 800.0,
             "errors": 0, "cpu_ms": 11.04}]
    text = table(rows, 50)
    assert "| sqlite | market | `/market` | 50 conn | 98 | 400.0 | 612.5 | 700.0 | 800 | 0 | 11.0 | no (+512 ms) |" in text


def test_server_cpu_is_read_from_proc_and_grows_with_work() -> None:
    before = process_tree_cpu_seconds(os.getpid())
    started = time.process_time()
    while time.process_time() - started < 0.3:
        sum(i * i for i in range(1000))
    assert process_tree_cpu_seconds(os.getpid()) - before >= 0.25
