"""A database of 100,000 listings for the web benchmark, built from the scenario generator.

The generator gives about 3.2 listings per organisation (3000 organisations: about 9,700), so
its listings are posted again in further rounds until the target is reached, as a platform that
has run for two years would hold them: each round is the same firms re-posting with volumes a few
percent apart; the older half of the rounds have windows two years earlier (most of them expired
by now) and creation dates in the first year; one listing in 25 is withdrawn.

Every generated listing first goes through ``read_listing``, the check the web forms use, and
only the values it returns are written, so each row is one the platform itself would have
stored. Writing is a bulk insert through SQLAlchemy core into the tables the migrations create:
posting 100,000 listings one by one through ``create_listing`` would take many minutes.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import insert, text
from sqlmodel import Session, SQLModel

from matchmaker.db import get_engine
from matchmaker.demo import _form as demo_form
from matchmaker.demo import demo_credit_code
from matchmaker.migrate import upgrade
from matchmaker.models import Certification, Demand, Offer, Organisation
from matchmaker.regions import PROVINCES
from matchmaker.services.catalog import seed_catalogue
from matchmaker.services.fields import current_month, month_index
from matchmaker.services.listings import read_listing
from matchmaker.services.orgs import add_user
from matchmaker.services.viewer import Viewer

PASSWORD = "bench-password-2027"
MEMBER_EMAIL = "member@bench.example.cn"
STAFF_EMAIL = "staff@bench.example.cn"
# Rounds from this one on are the older postings: windows moved back, created in the first year.
HISTORY_SHIFT_MONTHS = -24
WITHDRAWN_SHARE = 1 / 25
CHUNK = 5000


@dataclass
class SeedSummary:
    organisations: int
    offers: int
    demands: int
    refused: int
    member_email: str
    member_org_listings: int
    staff_email: str
    password: str


def _shift(month: str, months: int) -> str:
    index = month_index(month) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _sig(value: float, digits: int = 4) -> float:
    return float(f"{value:.{digits}g}")


def checked_listings(
    session: Session, market: dict[str, Any], org_ids: dict[str, int], today: date
) -> tuple[list[tuple[str, int, dict[str, Any]]], int]:
    """(kind, org id, values) for every generated listing the form check accepts; and how many it refused.

    Chain links are left out: they are their own table and the list pages never read them.
    """
    horizon_start = market.get("generator", {}).get("horizon", [current_month(today)])[0]
    shift = max(0, month_index(current_month(today)) + 1 - month_index(horizon_start))
    accepted: list[tuple[str, int, dict[str, Any]]] = []
    refused = 0
    for kind, key in (("demand", "demands"), ("offer", "offers")):
        for number, item in enumerate(market.get(key, [])):
            org_id = org_ids.get(item["org"])
            if org_id is None:
                refused += 1
                continue
            viewer = Viewer(user_id=0, org_id=org_id, role="member", org_status="approved")
            try:
                values = read_listing(session, viewer, kind, demo_form(kind, item, shift, number), today)
            except Exception:  # noqa: BLE001 - a refused listing is counted, never written
                refused += 1
                continue
            values.pop("inputs", None)
            accepted.append((kind, org_id, values))
    return accepted, refused


def replicate(
    base: list[tuple[str, int, dict[str, Any]]], target: int, now: datetime, seed: int = 1
) -> Iterator[tuple[str, dict[str, Any]]]:
    """``target`` rows (kind, column values) from the checked listings, round after round."""
    rounds = max(1, math.ceil(target / max(1, len(base))))
    rng = random.Random(seed)
    base = list(base)
    rng.shuffle(base)  # offers and demands mixed, so a small target still has both
    produced = 0
    for round_number in range(rounds):
        history = round_number >= (rounds + 1) // 2
        factor = 1 + 0.02 * ((round_number * 7) % 11 - 5)
        for kind, org_id, values in base:
            if produced >= target:
                return
            row = dict(values)
            row["monthly_qty"] = _sig(values["monthly_qty"] * factor)
            row["min_monthly_qty"] = _sig(values["min_monthly_qty"] * factor)
            if history:
                row["start"] = _shift(values["start"], HISTORY_SHIFT_MONTHS)
                row["end"] = _shift(values["end"], HISTORY_SHIFT_MONTHS)
                age_days = rng.uniform(365, 730)
            else:
                age_days = rng.uniform(0, 365)
            created = now - timedelta(days=age_days)
            row.update(
                org_id=org_id, created_at=created, updated_at=created,
                status="withdrawn" if rng.random() < WITHDRAWN_SHARE else "open",
            )
            produced += 1
            yield kind, row


def _insert_orgs(session: Session, market: dict[str, Any], expiry: date) -> dict[str, int]:
    org_ids: dict[str, int] = {}
    orgs: list[tuple[str, Organisation, list[str], int]] = []
    for number, spec in enumerate(market["orgs"], start=1):
        if spec["region"] not in PROVINCES:
            continue
        org = Organisation(
            name=spec.get("name_zh") or spec["name"], credit_code=demo_credit_code(spec["region"], number),
            region=spec["region"], tiers=list(spec["tiers"]), contact_name="基准联系人",
            contact_phone=f"400-900-{number:04d}", contact_email=f"contact{number}@bench.example.cn",
            status="approved",
        )
        session.add(org)
        orgs.append((spec["id"], org, spec.get("certifications", []), number))
    session.flush()
    certifications = []
    for spec_id, org, certs, number in orgs:
        org_ids[spec_id] = org.id  # type: ignore[assignment]
        certifications += [
            {"org_id": org.id, "name": cert, "number": f"{cert}-{number:05d}", "expiry": expiry} for cert in certs
        ]
    if certifications:
        session.execute(insert(Certification), certifications)
    session.commit()
    return org_ids


def _bulk_insert(
    session: Session, rows: Iterator[tuple[str, dict[str, Any]]]
) -> tuple[dict[str, int], dict[int, int]]:
    """Rows written per kind, and per organisation."""
    counts = {"offer": 0, "demand": 0}
    per_org: dict[int, int] = {}
    batches: dict[str, list[dict[str, Any]]] = {"offer": [], "demand": []}
    tables = {"offer": Offer.__table__, "demand": Demand.__table__}  # type: ignore[attr-defined]

    def flush(kind: str) -> None:
        if batches[kind]:
            session.execute(insert(tables[kind]), batches[kind])
            counts[kind] += len(batches[kind])
            batches[kind] = []

    for kind, row in rows:
        batches[kind].append(row)
        per_org[row["org_id"]] = per_org.get(row["org_id"], 0) + 1
        if len(batches[kind]) >= CHUNK:
            flush(kind)
    flush("offer")
    flush("demand")
    session.commit()
    return counts, per_org


def refresh_statistics(app: Flask) -> None:
    """Planner statistics as a running platform has them (PostgreSQL: autovacuum; SQLite: the
    ``PRAGMA optimize`` the pool runs), taken at once instead of waiting for them."""
    engine = get_engine(app)
    if engine.dialect.name == "postgresql":
        tables = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"VACUUM ANALYZE {tables}"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def seed_database(
    app: Flask, *, listings: int = 100_000, orgs: int = 3000, seed: int = 1, today: date | None = None,
    hash_method: str = "scrypt",
) -> SeedSummary:
    """Migrate the app's (empty) database to head and fill it; a member of the busiest
    organisation and a staff user get ``PASSWORD``."""
    from solver.generate import generate_market

    today = today or date.today()
    now = datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=1)
    upgrade(app)
    market = generate_market(orgs=orgs, seed=seed, lp=False)
    with app.app_context(), Session(get_engine(app), expire_on_commit=False) as session:
        seed_catalogue(session)
        org_ids = _insert_orgs(session, market, today + timedelta(days=730))
        base, refused = checked_listings(session, market, org_ids, today)
        counts, per_org = _bulk_insert(session, replicate(base, listings, now, seed))
        member_org = max(per_org, key=lambda org_id: (per_org[org_id], -org_id))
        association = Organisation(
            name="中国锂电产业供需对接协会(基准)", credit_code=demo_credit_code("beijing", 9_999_999),
            region="beijing", tiers=["system"], contact_name="协会秘书处", contact_phone="010-8888-0000",
            contact_email="secretariat@bench.example.cn", status="approved",
        )
        session.add(association)
        session.commit()
        add_user(session, member_org, email=MEMBER_EMAIL, name="bench member", password=PASSWORD,
                 hash_method=hash_method)
        add_user(session, association.id, email=STAFF_EMAIL, name="bench staff", password=PASSWORD,  # type: ignore[arg-type]
                 role="staff", hash_method=hash_method)
    refresh_statistics(app)
    return SeedSummary(
        organisations=len(org_ids), offers=counts["offer"], demands=counts["demand"], refused=refused,
        member_email=MEMBER_EMAIL, member_org_listings=per_org[member_org], staff_email=STAFF_EMAIL, password=PASSWORD,
    )
