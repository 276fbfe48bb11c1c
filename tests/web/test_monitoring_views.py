"""The monitoring pages as staff and members use them (today is 2027-01-15)."""

import io
import json
from datetime import date
from xml.etree import ElementTree as ET

import pytest
from sqlmodel import Session, select

from matchmaker.models import Alert, AuditRecord, CapacityProject, Demand, Offer
from matchmaker.services.monitoring_prices import seed_price_series

STAFF_PAGES = ["/monitoring/", "/monitoring/balance", "/monitoring/balance/lithium-carbonate", "/monitoring/prices",
               "/monitoring/conduct", "/monitoring/alerts", "/monitoring/thresholds"]


@pytest.fixture
def world(factory, db):
    factory.catalogue()
    seed_price_series(db)
    cells = factory.org("Ningde Cells", region="fujian", tiers=["cell"])
    seller = factory.org("Yichun Carbonate", region="jiangxi")
    factory.user(cells, "cells@example.cn")
    factory.user(seller, "seller@example.cn")
    factory.user(factory.org("Association", tiers=["system"]), "staff@example.cn", role="staff")
    window = {"start": "2027-01", "end": "2027-12"}
    db.add(Demand(org_id=cells.id, product_id="lfp-cell", region="fujian", monthly_qty=2, price=3.3e8, **window))
    db.add(Offer(org_id=seller.id, product_id="lithium-carbonate", region="jiangxi", monthly_qty=1000, price=123456, **window))
    db.commit()
    return {"cells": cells, "seller": seller}


def test_members_and_visitors_are_kept_out_of_the_staff_pages(client, auth, world):
    for url in STAFF_PAGES:
        assert client.get(url).status_code == 302
    auth.login("cells@example.cn")
    for url in STAFF_PAGES:
        assert client.get(url).status_code == 403, url
    assert client.post("/monitoring/checks").status_code == 403


def test_dashboard_shows_every_tier_the_price_history_with_flags_and_open_alerts(client, auth, world):
    auth.login("staff@example.cn")
    client.post("/monitoring/checks")
    page = client.get("/monitoring/").get_data(as_text=True)
    for tier in ("资源", "二级材料", "一级材料", "电芯", "系统"):
        assert tier in page, tier
    assert "<svg" in page and page.count('class="flag"') == 10  # the surge and the fall, see the price rules
    assert "2021-11-30" in page and "+40.4%" in page  # the three-month surge with its numbers
    assert 'id="open-alert-count"' in page


def test_balance_shows_derived_demand_and_exports_csv(client, auth, world):
    auth.login("staff@example.cn")
    client.post("/language", data={"lang": "en"})
    page = client.get("/monitoring/balance/lithium-carbonate").get_data(as_text=True)
    assert "989.8" in page  # 2 GWh x 2,020 t cathode x 0.245 t carbonate
    assert "<svg" in page
    csv = client.get("/monitoring/balance?format=csv")
    assert csv.mimetype == "text/csv"
    rows = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert "lithium-carbonate,2027-01,1000,0,1000,0,989.8,989.8,0,1.0103" in rows


def test_balance_by_province(client, auth, world):
    auth.login("staff@example.cn")
    jiangxi = client.get("/monitoring/balance?region=jiangxi&format=csv").get_data(as_text=True)
    assert "lithium-carbonate,2027-01,1000,0,1000,0,0,0,0," in jiangxi  # supply there, the cell demand is in Fujian


def test_staff_add_a_price_point_and_import_a_csv_with_row_numbered_errors(client, auth, world, db):
    auth.login("staff@example.cn")
    response = client.post("/monitoring/prices/lithium-carbonate/points", data={"day": "2025-12-01", "price": "120000"})
    assert response.status_code == 303
    assert db.exec(select(Alert).where(Alert.key == "price:change_1m:lithium-carbonate:2025-12-01")).first()
    bad = client.post("/monitoring/prices/lfp-cathode/import", content_type="multipart/form-data",
                      data={"file": (io.BytesIO(b"date,price\n2025-01-01,36000\n2025-02-30,1\n"), "p.csv")})
    assert bad.status_code == 400 and "第 3 行" in bad.get_data(as_text=True)
    good = client.post("/monitoring/prices/lfp-cathode/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(b"date,price\n2025-01-01,36000\n"), "p.csv")})
    assert good.status_code == 303
    imported = db.exec(select(AuditRecord).where(AuditRecord.action == "price_points_imported")).one()
    assert (imported.entity_key, json.loads(imported.after)["imported"]) == ("lfp-cathode", 1)


def test_alert_workflow_and_staff_inbox(client, auth, world, db):
    auth.login("staff@example.cn")
    client.post("/monitoring/checks")
    alert = db.exec(select(Alert).where(Alert.rule == "gouging")).one()  # 123,456 against 81,000: +52.4 %
    page = client.get(f"/monitoring/alerts/{alert.id}").get_data(as_text=True)
    assert "123,456" in page and "81,000" in page and "+52.4%" in page
    assert "监测系统发出了一条预警" in client.get("/inbox").get_data(as_text=True)
    assert client.post(f"/monitoring/alerts/{alert.id}/acknowledge").status_code == 303
    assert client.post(f"/monitoring/alerts/{alert.id}/resolve", data={"comment": ""}).status_code == 400
    client.post(f"/monitoring/alerts/{alert.id}/resolve", data={"comment": "已约谈,报价下调。"})
    page = client.get(f"/monitoring/alerts/{alert.id}").get_data(as_text=True)
    assert "已办结" in page and "已约谈,报价下调。" in page and page.count("<tr>") >= 4  # raised, acknowledged, resolved
    assert client.post(f"/monitoring/alerts/{alert.id}/acknowledge").status_code == 409


def test_thresholds_are_validated_and_saved(client, auth, world):
    auth.login("staff@example.cn")
    form = {"change_1m_pct": "15", "change_3m_pct": "30", "band_months": "6", "band_pct": "40",
            "shortage_coverage": "0.9", "surplus_coverage": "1.5", "hoarding_margin_pct": "20",
            "gouging_band_pct": "60", "overheating_pct": "50"}
    assert client.post("/monitoring/thresholds", data={**form, "band_months": "2.5"}).status_code == 400
    assert client.post("/monitoring/thresholds", data=form).status_code == 303
    client.post("/monitoring/checks")
    assert "gouging" not in client.get("/monitoring/conduct").get_data(as_text=True)  # +52.4 % is within 60 %


def test_members_declare_projects_that_staff_see_in_the_balance(client, auth, world, db):
    auth.login("seller@example.cn")
    response = client.post("/projects", data={"product_id": "lithium-carbonate", "region": "jiangxi",
                                              "monthly_capacity": "500", "investment_cny": "800000000", "start": "2027-06"})
    assert response.status_code == 303
    assert client.post("/projects", data={"product_id": "lithium-carbonate"}).status_code == 400
    auth.logout()
    auth.login("cells@example.cn")
    assert "800,000,000" not in client.get("/projects").get_data(as_text=True)
    auth.logout()
    auth.login("staff@example.cn")
    assert "Yichun Carbonate" in client.get("/projects").get_data(as_text=True)
    csv = client.get("/monitoring/balance?format=csv").get_data(as_text=True)
    assert "lithium-carbonate,2027-06,1000,500,1500," in csv


def test_bulletins_reach_every_member_in_both_languages_and_the_feed(client, auth, world):
    auth.login("staff@example.cn")
    response = client.post("/bulletins/new", data={"title_zh": "碳酸锂价格预警", "body_zh": "一个月上涨25%。",
                                                   "title_en": "Lithium carbonate price warning", "body_en": "Up 25% in a month."})
    assert response.status_code == 303
    auth.logout()
    auth.login("cells@example.cn")
    assert "碳酸锂价格预警" in client.get("/bulletins").get_data(as_text=True)
    client.post("/language", data={"lang": "en"})
    assert "Up 25% in a month." in client.get("/bulletins/1").get_data(as_text=True)
    assert client.post("/bulletins/new", data={}).status_code == 403
    auth.logout()
    feed = client.get("/bulletins/feed/zh.atom")
    assert feed.mimetype == "application/atom+xml"
    entry = ET.fromstring(feed.data).find("{http://www.w3.org/2005/Atom}entry")
    assert entry.find("{http://www.w3.org/2005/Atom}title").text == "碳酸锂价格预警"


def test_demo_staff_find_the_surge_the_fall_and_conduct_flags_with_evidence(tmp_path):
    from matchmaker.db import get_engine
    from matchmaker.demo import DEMO_PASSWORD, build_demo_app

    app, summary = build_demo_app(tmp_path / "demo.db", orgs=30, seed=2027, today=date(2026, 11, 26))
    with Session(get_engine(app)) as db:
        rules = {a.rule for a in db.exec(select(Alert))}
        assert db.exec(select(CapacityProject)).all()
    assert {"change_1m", "change_3m", "hoarding", "gouging"} <= rules
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    staff = next(login for login in summary.logins if login.role == "staff")
    client.post("/login", data={"email": staff.email, "password": DEMO_PASSWORD})
    conduct = client.get("/monitoring/conduct").get_data(as_text=True)
    assert "囤积" in conduct and "哄抬价格" in conduct and "按物料清单可用量" in conduct


def test_periodic_check_command_raises_the_alerts_once(runner, world, db):
    first = runner.invoke(args=["monitoring", "check"])
    assert first.exit_code == 0 and first.output.strip() != "0 new alerts"
    assert runner.invoke(args=["monitoring", "check"]).output.strip() == "0 new alerts"
    assert db.exec(select(Alert).where(Alert.rule == "gouging")).first() is not None
