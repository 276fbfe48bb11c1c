"""Size and time of a matching run's review page on a generated market.

Seeds a fresh SQLite database with the listings of ``generate_market(orgs, seed)`` (one round of
``web_seed``: each organisation's listings once), solves one matching run over them in this
process (as the inline executor does), then asks for the run's page as staff a few times and
prints the proposals in the run, the rows on the page, the bytes, the time of the first request
and the median of all (the first works out the run's summary, later ones reuse it).

    .venv/bin/python -m benchmarks.review_page_bench --orgs 300 --time-limit 20
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlmodel import Session, func, select

from benchmarks.web_seed import _bulk_insert, _insert_orgs, checked_listings, replicate
from matchmaker import create_app
from matchmaker.db import get_engine
from matchmaker.demo import demo_credit_code
from matchmaker.jobs import execute_run
from matchmaker.migrate import upgrade
from matchmaker.models import MatchingRun, Organisation, Proposal
from matchmaker.services import runs
from matchmaker.services.catalog import seed_catalogue
from matchmaker.services.orgs import add_user
from matchmaker.services.viewer import Viewer

STAFF_EMAIL, PASSWORD = "staff@bench.example.cn", "bench-password-2027"


def seed(app: Flask, orgs: int, seed: int, today: date) -> Viewer:
    """The generated market's organisations and listings (each listing once, as ``web_seed``
    checks and writes them) and a staff user; returns the staff viewer."""
    from solver.generate import generate_market

    upgrade(app)
    market = generate_market(orgs=orgs, seed=seed, lp=False)
    now = datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=1)
    with app.app_context(), Session(get_engine(app), expire_on_commit=False) as session:
        seed_catalogue(session)
        org_ids = _insert_orgs(session, market, today + timedelta(days=730))
        base, _refused = checked_listings(session, market, org_ids, today)
        _bulk_insert(session, replicate(base, len(base), now, seed))
        association = Organisation(
            name="协会(基准)", credit_code=demo_credit_code("beijing", 9_999_999), region="beijing",
            tiers=["system"], contact_name="秘书处", contact_phone="010-8888-0000",
            contact_email="secretariat@bench.example.cn", status="approved")
        session.add(association)
        session.commit()
        staff = add_user(session, association.id, email=STAFF_EMAIL, name="bench staff", password=PASSWORD,  # type: ignore[arg-type]
                         role="staff", hash_method="scrypt:1024:8:1")
        return Viewer(user_id=staff.id, org_id=association.id, role="staff", org_status="approved")  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{Path(tmp) / 'review.db'}",
                          "WTF_CSRF_ENABLED": False, "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
                          "MATCHING_EXECUTOR": "inline"})
        today = date.today()
        viewer = seed(app, args.orgs, args.seed, today)
        engine = get_engine(app)
        with app.app_context(), Session(engine) as session:
            run, _created = runs.start_run(session, viewer, request_key="bench", products=[], time_limit=args.time_limit,
                                           today=today, index_values=app.config.get("PRICE_INDEX_VALUES") or {})
            run_id = run.id
        started = time.perf_counter()
        state = execute_run(engine, run_id)  # type: ignore[arg-type]
        solve_seconds = time.perf_counter() - started
        with Session(engine) as session:
            proposals = session.exec(select(func.count()).select_from(Proposal).where(Proposal.run_id == run_id)).one()
            status = session.get(MatchingRun, run_id).status  # type: ignore[union-attr]
        client = app.test_client()
        client.post("/login", data={"email": STAFF_EMAIL, "password": PASSWORD})
        times, size, rows = [], 0, 0
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get(f"/matching/runs/{run_id}")
            times.append(time.perf_counter() - started)
            body = response.get_data()
            size, rows = len(body), body.count(b'<tr id="p')
            assert response.status_code == 200, response.status_code
        print(f"orgs {args.orgs}, seed {args.seed}: run {state} ({status}) in {solve_seconds:.1f} s, "
              f"{proposals} proposals; page: {rows} rows, {size / 1024:.0f} KiB, "
              f"first {times[0] * 1000:.0f} ms, median {statistics.median(times) * 1000:.0f} ms of {args.repeat}")


if __name__ == "__main__":
    main()
