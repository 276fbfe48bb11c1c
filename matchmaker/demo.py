"""``make demo``: a fresh database with a realistic market, three demo logins, a local server.

The market comes from the scenario generator (``solver.generate.generate_market``) and goes in
through the same services as the web forms, so every demo listing passed the server-side checks.
The demo keeps its own SQLite file (``instance/demo.db``) and never touches ``DATABASE_URL``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlmodel import Session, select

from matchmaker import create_app
from matchmaker.db import get_engine
from matchmaker.demo_monitoring import seed_monitoring
from matchmaker.migrate import upgrade
from matchmaker.models import Certification, Organisation
from matchmaker.regions import DIVISION_CODES, PROVINCES
from matchmaker.services.catalog import seed_catalogue
from matchmaker.services.credit_code import check_character
from matchmaker.services.errors import ValidationError
from matchmaker.services.fields import current_month, month_index
from matchmaker.services.listings import create_listing
from matchmaker.services.orgs import add_user
from matchmaker.services.viewer import Viewer

DEMO_PASSWORD = "matchmaker-demo"
DEMO_DATABASE = Path(__file__).resolve().parent.parent / "instance" / "demo.db"
INDEX_LINKED = {"lithium-carbonate": "gfex-lc", "lithium-hydroxide": "smm-lioh", "spodumene-sc6": "smm-spodumene"}


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str
    organisation: str


@dataclass
class DemoSummary:
    organisations: int
    offers: int
    demands: int
    skipped: list[str]
    logins: list[DemoLogin]


def demo_credit_code(region: str, number: int) -> str:
    """A well-formed code for a generated firm: enterprise (91), its province, a serial number."""
    first17 = f"91{DIVISION_CODES.get(region, '11')}0000MA{number:07d}"
    return first17 + check_character(first17)


def _shift(month: str, months: int) -> str:
    index = month_index(month) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def seed_demo(session: Session, market: dict[str, Any], today: date, hash_method: str = "scrypt") -> DemoSummary:
    """Organisations, certifications, listings and demo logins from a generated market.

    Months are moved forward when the generator's horizon already began, so the demo always
    shows open listings. Listings the services refuse are reported in ``skipped``, not hidden.
    """
    seed_catalogue(session)
    horizon_start = market.get("generator", {}).get("horizon", [current_month(today)])[0]
    shift = max(0, month_index(current_month(today)) + 1 - month_index(horizon_start))
    expiry = today + timedelta(days=730)
    org_ids: dict[str, int] = {}
    orgs_by_id: dict[str, dict[str, Any]] = {}
    for number, spec in enumerate(market["orgs"], start=1):
        if spec["region"] not in PROVINCES:
            continue
        org = Organisation(
            name=spec.get("name_zh") or spec["name"], credit_code=demo_credit_code(spec["region"], number),
            region=spec["region"], tiers=list(spec["tiers"]), contact_name="演示联系人",
            contact_phone=f"400-800-{number:04d}", contact_email=f"contact{number}@demo.example.cn", status="approved",
        )
        session.add(org)
        session.flush()
        for cert in spec.get("certifications", []):
            session.add(Certification(org_id=org.id, name=cert, number=f"{cert}-{number:04d}", expiry=expiry))
        org_ids[spec["id"]] = org.id  # type: ignore[assignment]
        orgs_by_id[spec["id"]] = spec
    session.commit()

    skipped: list[str] = []
    created: dict[tuple[str, str], int] = {}
    for kind, key in (("demand", "demands"), ("offer", "offers")):
        for number, item in enumerate(market.get(key, [])):
            if item["org"] not in org_ids:
                skipped.append(f"{kind} {item['id']}: unknown org")
                continue
            viewer = Viewer(user_id=0, org_id=org_ids[item["org"]], role="member", org_status="approved")
            form = _form(kind, item, shift, number)
            links = [(created.get(("demand", link["demand"])), link["ratio"]) for link in item.get("inputs", [])]
            form["input_demand"] = [str(demand_id) for demand_id, _ in links if demand_id]
            form["input_ratio"] = [str(ratio) for demand_id, ratio in links if demand_id]
            try:
                listing = create_listing(session, viewer, kind, form, today)
            except ValidationError as error:
                session.rollback()
                skipped.append(f"{kind} {item['id']}: {error}")
                continue
            created[(kind, item["id"])] = listing.id  # type: ignore[assignment]

    staff = _association(session, hash_method)
    seed_monitoring(session, today)  # after the staff login (alerts reach its inbox), before the pair (index values)
    logins = [*_member_logins(session, market, org_ids, orgs_by_id, today, hash_method), staff]
    offers = sum(1 for kind, _ in created if kind == "offer")
    return DemoSummary(len(org_ids), offers, len(created) - offers, skipped, logins)


def _form(kind: str, item: dict[str, Any], shift: int, number: int) -> dict[str, Any]:
    """A generated listing as the form a member would have sent."""
    form: dict[str, Any] = {
        "product_id": item["product"], "region": item["region"], "monthly_qty": str(item["monthly_qty"]),
        "start": _shift(item["start"], shift), "end": _shift(item["end"], shift),
        "min_term_months": str(item.get("min_term_months", 1)), "min_monthly_qty": str(item.get("min_monthly_qty", 0)),
        "delivery_terms": ("DAP", "EXW", "DDP", "FCA")[number % 4], "price_basis": "fixed", "price": str(item["price"]),
    }
    if item["product"] in INDEX_LINKED and number % 2 == 0:
        # Long-term lithium contracts are mostly index-linked: index x (1 - discount) with a floor.
        form.update(price_basis="index", index_name=INDEX_LINKED[item["product"]], index_adjustment="-8",
                    index_adjustment_kind="percent", price_floor=str(round(item["price"] * 0.7)))
    if kind == "offer":
        form["certifications"] = list(item.get("certifications", []))
        if item.get("max_buyer_share") is not None:
            form["max_buyer_share"] = str(item["max_buyer_share"])
    else:
        form["required_certifications"] = list(item.get("required_certifications", []))
        for name in ("max_supplier_share", "max_suppliers", "own_supply"):
            if item.get(name) is not None:
                form[name] = str(item[name])
    return form


def _association(session: Session, hash_method: str) -> DemoLogin:
    """The association (with its staff login) and an organisation awaiting approval."""
    association = Organisation(
        name="中国锂电产业供需对接协会(演示)", credit_code=demo_credit_code("beijing", 9_999_999),
        region="beijing", tiers=["system"], contact_name="协会秘书处", contact_phone="010-8888-0000",
        contact_email="secretariat@demo.example.cn", status="approved",
    )
    pending = Organisation(
        name="宜宾新锂材料有限公司(待审核)", credit_code=demo_credit_code("sichuan", 9_999_998),
        region="sichuan", tiers=["material2"], contact_name="张敏", contact_phone="0831-555-0101",
        contact_email="zhang.min@demo.example.cn", status="pending",
    )
    session.add(association)
    session.add(pending)
    session.commit()
    return _login(session, "staff", "staff@demo.example.cn", association.id, "staff", hash_method)  # type: ignore[arg-type]


def _member_logins(
    session: Session, market: dict[str, Any], org_ids: dict[str, int], orgs_by_id: dict[str, dict[str, Any]],
    today: date, hash_method: str,
) -> list[DemoLogin]:
    """The supplier and cell maker logins: a pair the first run over the demo market proposes to
    match, so that one visitor can walk the whole loop (both acceptances) with the demo logins."""
    pair = matched_pair(session, today)
    if pair is None:  # a market too small for a match with a cell maker: the generator's roles
        sellers_of = {o["org"] for o in market.get("offers", []) if o["product"] == "lithium-carbonate"}
        supplier = next((oid for oid in org_ids if oid in sellers_of), next(iter(org_ids)))
        cell_buyers = {d["org"] for d in market.get("demands", [])}
        cell_maker = next(
            (oid for oid, spec in orgs_by_id.items() if "cell" in spec["tiers"] and oid in cell_buyers),
            next(oid for oid in org_ids if oid != supplier),
        )
        pair = (org_ids[supplier], org_ids[cell_maker])
    return [_login(session, "supplier", "supplier@demo.example.cn", pair[0], "member", hash_method),
            _login(session, "cell maker", "cellmaker@demo.example.cn", pair[1], "member", hash_method)]


def matched_pair(session: Session, today: date, time_limit: float = 20) -> tuple[int, int] | None:
    """(supplier org, cell maker org) of the match with the largest surplus that a run over the
    open market would propose to a cell maker; None when it proposes none."""
    from matchmaker.services import runs
    from solver import SolveOptions, parse_market, solve

    market, _ = runs.build_market(session, today, runs.current_index_values(session, {}), [], None)
    result = solve(parse_market(market), SolveOptions(time_limit=time_limit, gap=1e-4))
    orgs = {o["id"]: o["org"] for o in market["offers"] + market["demands"]}  # listing id -> "org-<id>"
    cell_makers = {f"org-{org.id}" for org in session.exec(select(Organisation)) if "cell" in org.tiers}
    for match in sorted(result.matches, key=lambda m: -m.surplus):
        supplier, buyer = orgs.get(match.offer, ""), orgs.get(match.demand, "")
        if buyer in cell_makers and supplier != buyer:
            return int(supplier.removeprefix("org-")), int(buyer.removeprefix("org-"))
    return None


def _login(session: Session, label: str, email: str, org_id: int, role: str, hash_method: str) -> DemoLogin:
    add_user(session, org_id, email=email, name=label, password=DEMO_PASSWORD, role=role,  # type: ignore[arg-type]
             hash_method=hash_method)
    org = session.get(Organisation, org_id)
    return DemoLogin(label, email, DEMO_PASSWORD, org.name if org else "")


def build_demo_app(
    database: Path | None = None, *, orgs: int = 60, seed: int = 2027, today: date | None = None
) -> tuple[Flask, DemoSummary]:
    """A new demo database (any old one is deleted) migrated to head and seeded."""
    from solver.generate import generate_market

    database = database or DEMO_DATABASE
    database.parent.mkdir(parents=True, exist_ok=True)
    database.unlink(missing_ok=True)
    app = create_app({"DATABASE_URL": f"sqlite:///{database}"})
    upgrade(app)
    market = generate_market(orgs=orgs, seed=seed, lp=False)
    with Session(get_engine(app), expire_on_commit=False) as session:
        summary = seed_demo(session, market, today or date.today(), app.config["PASSWORD_HASH_METHOD"])
    return app, summary


def run_demo(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Build the demo, print the logins, serve until interrupted."""
    from werkzeug.serving import run_simple

    app, summary = build_demo_app()
    print(f"Matchmaker demo: {summary.organisations} organisations, {summary.offers} offers, {summary.demands} demands")
    if summary.skipped:
        print(f"  {len(summary.skipped)} generated listings refused by validation, e.g. {summary.skipped[0]}")
    print(f"  open http://{host}:{port}/ and log in as:")
    for login in summary.logins:
        print(f"    {login.role:<11} {login.email:<28} password: {login.password}   ({login.organisation})")
    run_simple(host, port, app, threaded=True, use_reloader=False)
