"""Monitoring data for ``make demo``: the published lithium carbonate prices, approximate
spodumene (SC6) and lithium hydroxide series (so that every index a demo listing follows has a
value and a demo run leaves no index-linked listing out), a few declared capacity projects, one cathode maker buying far more carbonate than its cathode offer can use
(hoarding), one ask far above the reference price (gouging), a bulletin, and the checks run once
so that staff find the alerts waiting in their inbox.

Everything goes in through the same services as the web forms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from matchmaker.models import Offer, Organisation, PricePoint, User
from matchmaker.services import monitoring_alerts, monitoring_bulletins, monitoring_projects
from matchmaker.services.fields import current_month, month_index
from matchmaker.services.listings import create_listing
from matchmaker.services.monitoring_balance import horizon, listing_volumes, month_at
from matchmaker.services.monitoring_prices import (
    latest_price,
    parse_price_csv,
    seed_price_series,
    series_for,
)
from matchmaker.services.viewer import Viewer

DATA = Path(__file__).resolve().parents[1] / "solver" / "data"
# Reference series for the indices of runs.INDEX_PRODUCTS beyond lithium carbonate: (product, file, source).
# Approximate points from public quotes, orders of magnitude for the demo; each row's note says where from.
REFERENCE_SERIES = (
    ("spodumene-sc6", "spodumene-sc6-price-points.csv",
     "SMM, Fastmarkets: SC6 CIF China quotes in USD at about 7.2 CNY/USD, approximate (see solver/data/README.md)"),
    ("lithium-hydroxide", "lithium-hydroxide-price-points.csv",
     "SMM battery-grade lithium hydroxide, approximate (see solver/data/README.md)"),
)
# (product, province, capacity per month, investment CNY, months from now)
PROJECTS = (
    ("lithium-carbonate", "sichuan", 2500.0, 3.5e9, 4),
    ("lithium-carbonate", "jiangxi", 2000.0, 2.8e9, 8),
    ("lfp-cathode", "hubei", 6000.0, 1.8e9, 6),
)
BULLETIN = {
    "title_zh": "碳酸锂价格大幅波动风险提示",
    "body_zh": "电池级碳酸锂价格曾由2020年3月的约4.9万元/吨涨至2022年11月的60.5万元/吨,2023年底又回落至10万元/吨以下。"
               "请会员企业合理安排长协数量与价格条款,避免囤积和追涨。",
    "title_en": "Risk notice: large swings in lithium carbonate prices",
    "body_en": "Battery-grade lithium carbonate rose from about 49,000 CNY/t in March 2020 to 605,000 in November 2022 "
               "and fell back under 100,000 by the end of 2023. Members should plan long-term volumes and price terms "
               "with care and avoid stockpiling and chasing prices.",
}


@dataclass
class MonitoringSummary:
    price_points: int
    projects: int
    alerts: int


def _member(session: Session, tier: str, skip: set[int]) -> Organisation | None:
    orgs = session.exec(select(Organisation).where(Organisation.status == "approved").order_by(Organisation.id))
    return next((o for o in orgs if tier in o.tiers and o.id not in skip), None)


def _viewer(org: Organisation) -> Viewer:
    return Viewer(user_id=0, org_id=org.id, role="member", org_status="approved")  # type: ignore[arg-type]


def _listing(product: str, region: str, qty: float, price: float, start: str, end: str) -> dict[str, str]:
    return {"product_id": product, "region": region, "monthly_qty": f"{qty:g}", "start": start, "end": end,
            "min_term_months": "1", "min_monthly_qty": "0", "delivery_terms": "DAP", "price_basis": "fixed",
            "price": f"{price:g}"}


def seed_reference_series(session: Session, data: Path = DATA) -> int:
    """The approximate series of ``REFERENCE_SERIES`` (idempotent: a day already stored is kept)."""
    stored = 0
    for product, name, source in REFERENCE_SERIES:
        series = series_for(session, product, create=True, source=source)
        known = {p.day for p in session.exec(select(PricePoint).where(PricePoint.series_id == series.id))}  # type: ignore[union-attr]
        for day, price, note in parse_price_csv((data / name).read_text(encoding="utf-8")):
            if day not in known:
                session.add(PricePoint(series_id=series.id, day=day, price=price, note=note))  # type: ignore[union-attr, arg-type]
                stored += 1
    session.commit()
    return stored


def seed_monitoring(session: Session, today: date) -> MonitoringSummary:
    points = seed_price_series(session) + seed_reference_series(session)
    first = month_index(current_month(today)) + 1
    start, end = month_at(first + 1), month_at(first + 12)  # when the generated listings begin
    used: set[int] = set()
    projects = 0
    for product, region, capacity, investment, offset in PROJECTS:
        tier = "material2" if product == "lithium-carbonate" else "material1"
        org = _member(session, tier, used)
        if org is None:
            continue
        used.add(org.id)  # type: ignore[arg-type]
        monitoring_projects.declare(session, _viewer(org), {
            "product_id": product, "region": region, "monthly_capacity": f"{capacity:g}",
            "investment_cny": f"{investment:g}", "start": month_at(first + offset)})
        projects += 1
    hoarder = _member(session, "material1", used)
    if hoarder is not None:
        # Its cathode offers (the generated ones and 200 t more) use 0.245 t of carbonate per t;
        # it asks for twice that plus 400 t a month.
        create_listing(session, _viewer(hoarder), "offer", _listing("lfp-cathode", hoarder.region, 200, 36000, start, end), today)
        offered = listing_volumes(session, Offer, horizon(today), org_id=hoarder.id)
        usable = max((q for (p, _), q in offered.items() if p == "lfp-cathode"), default=0.0) * 0.245
        create_listing(session, _viewer(hoarder), "demand",
                       _listing("lithium-carbonate", hoarder.region, round(2 * usable + 400), 78000, start, end), today)
        used.add(hoarder.id)  # type: ignore[arg-type]
    gouger = _member(session, "material2", used)
    reference = latest_price(session, "lithium-carbonate")
    if gouger is not None and reference is not None:
        create_listing(session, _viewer(gouger), "offer",
                       _listing("lithium-carbonate", gouger.region, 150, round(reference.price * 1.45), start, end), today)
    staff = session.exec(select(User).where(User.role == "staff").order_by(User.id)).first()
    if staff is not None:
        monitoring_bulletins.publish(session, Viewer(user_id=staff.id, org_id=staff.org_id, role="staff",  # type: ignore[arg-type]
                                                     org_status="approved"), BULLETIN)
    alerts = monitoring_alerts.run_checks(session, None, today)
    return MonitoringSummary(points, projects, alerts)
