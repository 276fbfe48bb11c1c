"""Monitoring through the API: staff keep the reference price series and work the alerts;
every member reads the bulletins. Members get 403 where the pages give them 403."""

import io
import json

import pytest
from sqlmodel import select

from matchmaker.models import Alert, AuditRecord, Offer, PricePoint, User
from matchmaker.services import tokens
from matchmaker.services.viewer import Viewer
from tests.web.api_helpers import bearer


def token(db, user, scope="read-write"):  # type: ignore[no-untyped-def]
    viewer = Viewer(user_id=user.id, org_id=user.org_id, role=user.role, org_status="approved")
    return bearer(tokens.create_token(db, viewer, {"name": "script", "scope": scope})[1])


@pytest.fixture
def world(factory, db):
    factory.catalogue()
    seller = factory.org("Yichun Carbonate", region="jiangxi")
    staff = factory.user(factory.org("Association", tiers=["system"]), "staff@example.cn", role="staff")
    member = factory.user(seller, "seller@example.cn")
    # 123,456 against the catalogue's 75,000 a tonne: +64.6 %, a price-gouging flag when checks run
    db.add(Offer(org_id=seller.id, product_id="lithium-carbonate", region="jiangxi", monthly_qty=1000,
                 price=123456, start="2027-01", end="2027-12"))
    db.commit()
    return {"staff": token(db, staff), "member": token(db, member), "read": token(db, staff, "read"),
            "staff_id": staff.id}


def add(client, headers, day, price, product="lithium-carbonate"):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/prices/{product}/points", headers=headers, json={"day": day, "price": price})


@pytest.fixture
def series(client, world):
    """100,000 on 1 January and 1 February 2025, then 120,000 on 1 March: +20 % in a month,
    beyond the 15 % threshold. Three months back and the six-month band reach before the series,
    so those rules stay silent."""
    for day, price in (("2025-01-01", 100000), ("2025-02-01", 100000), ("2025-03-01", 120000)):
        assert add(client, world["staff"], day, price).status_code == 201


def test_staff_read_a_series_with_its_abnormal_move(client, world, series):
    body = client.get("/api/v1/prices/lithium-carbonate", headers=world["staff"]).get_json()
    assert [(p["day"], p["price"]) for p in body["points"]] == [
        ("2025-01-01", 100000), ("2025-02-01", 100000), ("2025-03-01", 120000)]
    assert [(m["rule"], m["day"], m["reference"], m["reference_day"], round(m["change_pct"], 6)) for m in body["moves"]] \
        == [("change_1m", "2025-03-01", 100000, "2025-02-01", 20.0)]


def test_a_new_point_raises_the_price_alert_as_on_the_page(client, world, db, series):
    assert db.exec(select(Alert).where(Alert.key == "price:change_1m:lithium-carbonate:2025-03-01")).one()


def test_the_series_list_gives_extent_and_latest_price(client, world, series):
    items = client.get("/api/v1/prices", headers=world["staff"]).get_json()["items"]
    assert items == [{"product_id": "lithium-carbonate", "unit": "t", "source": "", "points": 3,
                      "first_day": "2025-01-01", "last_day": "2025-03-01", "latest_price": 120000}]


def test_date_filters_limit_the_points_and_the_moves_but_rules_still_see_the_months_before(client, world, series):
    since = client.get("/api/v1/prices/lithium-carbonate?from=2025-02-15", headers=world["staff"]).get_json()
    assert [p["day"] for p in since["points"]] == ["2025-03-01"]
    assert [m["reference_day"] for m in since["moves"]] == ["2025-02-01"]  # compared with a point outside the range
    until = client.get("/api/v1/prices/lithium-carbonate?to=2025-02-01", headers=world["staff"]).get_json()
    assert [p["day"] for p in until["points"]] == ["2025-01-01", "2025-02-01"] and until["moves"] == []


def test_a_bad_date_filter_names_the_field(client, world):
    response = client.get("/api/v1/prices/lithium-carbonate?from=2025-13-01", headers=world["staff"])
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "from"


def test_a_second_point_on_a_day_replaces_the_first(client, world, db, series):
    add(client, world["staff"], "2025-03-01", 101000)
    body = client.get("/api/v1/prices/lithium-carbonate", headers=world["staff"]).get_json()
    assert [p["price"] for p in body["points"]] == [100000, 100000, 101000]


def test_a_point_without_a_positive_price_is_refused_naming_the_field(client, world, db):
    response = add(client, world["staff"], "2025-01-01", 0)
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "price"
    assert add(client, world["staff"], "2025-02-30", 1).get_json()["error"]["field"] == "day"
    assert db.exec(select(PricePoint)).all() == []


def test_a_point_for_an_unknown_product_is_404(client, world):
    assert add(client, world["staff"], "2025-01-01", 1, product="unobtainium").status_code == 404


def test_csv_import_is_all_rows_or_none_with_the_bad_row_named(client, world, db):
    bad = client.post("/api/v1/prices/lfp-cathode/import", headers=world["staff"],
                      data=b"date,price\n2025-01-01,36000\n2025-02-30,1\n", content_type="text/csv")
    error = bad.get_json()["error"]
    assert bad.status_code == 422 and error["field"] == "file" and "3" in error["message"]
    assert db.exec(select(PricePoint)).all() == []
    good = client.post("/api/v1/prices/lfp-cathode/import", headers=world["staff"], content_type="multipart/form-data",
                       data={"file": (io.BytesIO(b"date,price\n2025-01-01,36000\n2025-02-01,37000\n"), "p.csv")})
    assert good.status_code == 201 and good.get_json() == {"product_id": "lfp-cathode", "imported": 2}


def test_members_get_403_on_prices_and_alerts(client, world):
    member = world["member"]
    for url in ("/api/v1/prices", "/api/v1/prices/lithium-carbonate", "/api/v1/alerts", "/api/v1/alerts/1"):
        assert client.get(url, headers=member).status_code == 403, url
    assert add(client, member, "2025-01-01", "not a number").status_code == 403  # 403 before the body is read
    assert client.post("/api/v1/alerts/1/resolve", headers=member, json={"comment": "x"}).status_code == 403


def test_a_read_token_cannot_add_a_point(client, world):
    assert add(client, world["read"], "2025-01-01", 1).status_code == 403


@pytest.fixture
def gouging(client, world, db):
    from matchmaker.services.monitoring_alerts import run_checks
    from matchmaker.web.users import today

    with client.application.test_request_context():
        run_checks(db, None, today())
    return db.exec(select(Alert).where(Alert.rule == "gouging")).one()


def test_alerts_filter_by_kind_and_state(client, world, gouging):
    conduct = client.get("/api/v1/alerts?kind=conduct&state=open", headers=world["staff"]).get_json()["items"]
    assert [a["id"] for a in conduct] == [gouging.id]
    assert client.get("/api/v1/alerts?kind=price", headers=world["staff"]).get_json()["items"] == []
    response = client.get("/api/v1/alerts?state=closed", headers=world["staff"])
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "state"


def test_an_alert_shows_its_evidence_in_numbers_and_words(client, world, gouging):
    alert = client.get(f"/api/v1/alerts/{gouging.id}", headers=world["staff"]).get_json()
    assert alert["evidence"]["ask"] == 123456 and alert["evidence"]["reference"] == 75000
    assert round(alert["evidence"]["premium_pct"], 1) == 64.6  # 123,456 / 75,000 - 1
    assert "+64.6%" in alert["description"] and alert["org"] == "Yichun Carbonate"
    assert [step["action"] for step in alert["history"]] == ["alert_raised"]


def test_staff_take_an_alert_and_the_step_is_audited(client, world, db, gouging):
    taken = client.post(f"/api/v1/alerts/{gouging.id}/owner", headers=world["staff"])
    assert taken.status_code == 200 and taken.get_json()["owner_id"] == world["staff_id"]
    record = db.exec(select(AuditRecord).where(AuditRecord.action == "alert_assigned")).one()
    assert (record.entity_id, json.loads(record.after)["owner_id"]) == (gouging.id, world["staff_id"])


def test_resolving_needs_a_comment_and_is_audited(client, world, db, gouging):
    url = f"/api/v1/alerts/{gouging.id}/resolve"
    refused = client.post(url, headers=world["staff"], json={})
    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "comment"
    resolved = client.post(url, headers=world["staff"], json={"comment": "已约谈,报价下调。"}).get_json()
    assert (resolved["state"], resolved["comment"], resolved["owner_id"]) == ("resolved", "已约谈,报价下调。", world["staff_id"])
    assert [s["action"] for s in resolved["history"]] == ["alert_raised", "alert_resolved"]
    assert json.loads(db.exec(select(AuditRecord).where(AuditRecord.action == "alert_resolved")).one().after)["comment"] \
        == "已约谈,报价下调。"
    assert client.post(url, headers=world["staff"], json={"comment": "again"}).status_code == 409


def test_an_alert_given_to_a_member_is_refused_naming_the_field(client, world, db, gouging):
    member = db.exec(select(User).where(User.email == "seller@example.cn")).one()
    response = client.post(f"/api/v1/alerts/{gouging.id}/owner", headers=world["staff"], json={"owner_id": member.id})
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "owner_id"


def test_staff_publish_a_bulletin_that_every_member_reads_in_both_languages(client, world):
    published = client.post("/api/v1/bulletins", headers=world["staff"], json={
        "title_zh": "碳酸锂价格预警", "title_en": "Lithium carbonate price warning",
        "body_zh": "本月价格上涨20%。", "body_en": "Prices rose 20% this month."})
    assert published.status_code == 201
    bulletin_id = published.get_json()["id"]
    listed = client.get("/api/v1/bulletins", headers=world["member"]).get_json()["items"]
    assert [b["title"] for b in listed] == ["碳酸锂价格预警"]  # Chinese by default
    one = client.get(f"/api/v1/bulletins/{bulletin_id}", headers=world["member"]).get_json()
    assert (one["body"], one["body_en"]) == ("本月价格上涨20%。", "Prices rose 20% this month.")


def test_bulletins_are_published_by_staff_only_and_need_both_languages(client, world):
    body = {"title_zh": "标题", "title_en": "Title", "body_zh": "正文", "body_en": "Body"}
    assert client.post("/api/v1/bulletins", headers=world["member"], json=body).status_code == 403
    response = client.post("/api/v1/bulletins", headers=world["staff"], json={**body, "title_en": ""})
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "title_en"
    assert client.get("/api/v1/bulletins", headers=world["member"]).get_json()["items"] == []


def test_running_the_checks_raises_each_finding_once(client, world):
    assert client.post("/api/v1/alerts/check", headers=world["staff"]).get_json() == {"raised": 1}  # the gouging offer
    assert client.post("/api/v1/alerts/check", headers=world["staff"]).get_json() == {"raised": 0}
    assert client.post("/api/v1/alerts/check", headers=world["member"]).status_code == 403


def test_a_lower_threshold_makes_a_smaller_move_an_alert(client, world, db):
    """+10 % in a month is below the default 15 %; at 8 % it fires."""
    add(client, world["staff"], "2025-01-01", 100000)
    add(client, world["staff"], "2025-02-01", 110000)
    assert db.exec(select(Alert).where(Alert.kind == "price")).all() == []
    changed = client.patch("/api/v1/thresholds", headers=world["staff"], json={"change_1m_pct": 8})
    assert changed.status_code == 200 and changed.get_json()["change_1m_pct"] == 8
    assert changed.get_json()["band_months"] == 6  # the values not sent keep theirs
    record = db.exec(select(AuditRecord).where(AuditRecord.action == "threshold_set")).one()
    assert (json.loads(record.before), json.loads(record.after)) == ({"change_1m_pct": 15.0}, {"change_1m_pct": 8.0})
    client.post("/api/v1/alerts/check", headers=world["staff"])
    assert db.exec(select(Alert.key).where(Alert.kind == "price")).all() == ["price:change_1m:lithium-carbonate:2025-02-01"]


def test_thresholds_out_of_range_are_refused_naming_the_field(client, world):
    response = client.patch("/api/v1/thresholds", headers=world["staff"], json={"band_months": 2.5})
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "band_months"
    response = client.patch("/api/v1/thresholds", headers=world["staff"], json={"change_3m_pct": 0})
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "change_3m_pct"
    assert client.get("/api/v1/thresholds", headers=world["member"]).status_code == 403


def test_each_point_added_is_audited_under_the_product_with_the_value_it_replaced(client, world, db, series):
    add(client, world["staff"], "2025-03-01", 101000)
    rows = db.exec(select(AuditRecord).where(AuditRecord.entity == "price_series").order_by(AuditRecord.seq)).all()
    assert [(r.action, r.entity_key, r.user_id) for r in rows] == [("price_point_set", "lithium-carbonate", world["staff_id"])] * 4
    assert (json.loads(rows[-1].before)["price"], json.loads(rows[-1].after)["price"]) == (120000, 101000)
