"""Staff administration through the API: organisations awaiting approval, and catalogue edits,
with the same rules as the admin and catalogue pages."""

import json

import pytest
from sqlmodel import select

from matchmaker.models import AuditRecord, BomLine, Organisation, Product
from matchmaker.services import tokens
from matchmaker.services.viewer import Viewer
from tests.web.api_helpers import bearer


def token(db, user, scope="read-write"):  # type: ignore[no-untyped-def]
    viewer = Viewer(user_id=user.id, org_id=user.org_id, role=user.role, org_status="approved")
    return bearer(tokens.create_token(db, viewer, {"name": "script", "scope": scope})[1])


@pytest.fixture
def world(factory, db):
    factory.catalogue()
    staff = factory.user(factory.org("Association", tiers=["system"]), "staff@example.cn", role="staff")
    member = factory.user(factory.org("Ganzhou Lithium"), "seller@example.cn")
    pending = factory.org("Pending Gamma", status="pending", region="hunan")
    return {"staff": token(db, staff), "member": token(db, member), "read": token(db, staff, "read"),
            "pending": pending, "staff_id": staff.id}


def test_staff_list_the_organisations_awaiting_approval(client, world):
    items = client.get("/api/v1/organisations", headers=world["staff"]).get_json()["items"]
    assert [(o["name"], o["status"], o["region"]) for o in items] == [("Pending Gamma", "pending", "hunan")]
    every = client.get("/api/v1/organisations?status=all", headers=world["staff"]).get_json()["items"]
    assert len(every) == 3


def test_an_unknown_status_filter_names_the_field(client, world):
    response = client.get("/api/v1/organisations?status=banned", headers=world["staff"])
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "status"


def test_approving_is_audited_and_cannot_be_done_twice(client, world, db):
    url = f"/api/v1/organisations/{world['pending'].id}/approve"
    approved = client.post(url, headers=world["staff"])
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    assert approved.get_json()["reviewed_at"] is not None
    record = db.exec(select(AuditRecord).where(AuditRecord.entity == "organisation")).one()
    assert (record.action, record.user_id, json.loads(record.before), json.loads(record.after)) == (
        "organisation_approved", world["staff_id"], {"status": "pending"}, {"status": "approved", "reason": ""})
    assert client.post(url, headers=world["staff"]).status_code == 409


def test_rejecting_needs_a_reason_kept_in_the_audit_trail(client, world, db):
    url = f"/api/v1/organisations/{world['pending'].id}/reject"
    refused = client.post(url, headers=world["staff"], json={"reason": "   "})
    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "reason"
    db.expire_all()
    assert db.get(Organisation, world["pending"].id).status == "pending"
    rejected = client.post(url, headers=world["staff"], json={"reason": "信用代码与营业执照不符"})
    assert rejected.get_json()["status"] == "rejected"
    record = db.exec(select(AuditRecord).where(AuditRecord.action == "organisation_rejected")).one()
    assert json.loads(record.after)["reason"] == "信用代码与营业执照不符"


def test_the_review_page_asks_for_the_same_reason(client, auth, world, db):
    auth.login("staff@example.cn")
    client.post(f"/admin/organisations/{world['pending'].id}/review", data={"decision": "rejected"})
    db.expire_all()
    assert db.get(Organisation, world["pending"].id).status == "pending"
    client.post(f"/admin/organisations/{world['pending'].id}/review", data={"decision": "rejected", "reason": "重复注册"})
    db.expire_all()
    assert db.get(Organisation, world["pending"].id).status == "rejected"


def test_members_get_403_and_read_tokens_cannot_review(client, world):
    org_id = world["pending"].id
    for url in ("/api/v1/organisations", f"/api/v1/organisations/{org_id}"):
        assert client.get(url, headers=world["member"]).status_code == 403
    assert client.post(f"/api/v1/organisations/{org_id}/approve", headers=world["member"]).status_code == 403
    assert client.post(f"/api/v1/organisations/{org_id}/reject", headers=world["member"], json={}).status_code == 403
    assert client.post(f"/api/v1/organisations/{org_id}/approve", headers=world["read"]).status_code == 403
    assert client.patch("/api/v1/products/lithium-carbonate", headers=world["member"],
                        json={"reference_price": 1}).status_code == 403


def test_editing_the_reference_price_keeps_every_other_field_and_the_exact_bill_of_materials(client, world, db):
    db.exec(select(BomLine).where(BomLine.product_id == "lfp-cathode")).one().qty_per_unit = 0.123456789
    db.commit()
    response = client.patch("/api/v1/products/lfp-cathode", headers=world["staff"], json={"reference_price": 38500})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["reference_price"], body["name_en"], body["tier"], body["unit"]) == (
        38500, "LFP cathode active material", "material1", "t")
    assert body["bom"] == [{"input_id": "lithium-carbonate", "qty_per_unit": 0.123456789}]  # not rounded to 0.123457


def test_null_clears_the_reference_price_and_bom_replaces_the_bill_of_materials(client, world, db):
    body = client.patch("/api/v1/products/lfp-cathode", headers=world["staff"], json={
        "reference_price": None, "bom": [{"input_id": "lithium-hydroxide", "qty_per_unit": 0.26}]}).get_json()
    assert body["reference_price"] is None and body["bom"] == [{"input_id": "lithium-hydroxide", "qty_per_unit": 0.26}]


def test_a_bill_of_materials_with_an_unknown_input_is_refused_and_nothing_changes(client, world, db):
    response = client.patch("/api/v1/products/lfp-cathode", headers=world["staff"], json={
        "reference_price": 1, "bom": [{"input_id": "unobtainium", "qty_per_unit": 1}]})
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "bom"
    db.expire_all()
    assert db.get(Product, "lfp-cathode").reference_price == 36000


def test_bad_product_fields_are_named(client, world):
    for body, field in (({"tier": "mine"}, "tier"), ({"tonnes_per_unit": 0}, "tonnes_per_unit"),
                        ({"name_zh": ""}, "name_zh"), ({"colour": "red"}, "colour")):
        response = client.patch("/api/v1/products/lfp-cathode", headers=world["staff"], json=body)
        assert response.status_code == 422 and response.get_json()["error"]["field"] == field, body
    assert client.patch("/api/v1/products/unobtainium", headers=world["staff"], json={}).status_code == 404


def test_staff_add_a_product_whose_id_must_be_new(client, world):
    product = {"id": "sodium-cell", "name_zh": "钠离子电芯", "name_en": "Sodium-ion cell", "tier": "cell",
               "unit": "GWh", "reference_price": 4.2e8, "bom": [{"input_id": "lfp-cathode", "qty_per_unit": 1800}]}
    created = client.post("/api/v1/products", headers=world["staff"], json=product)
    assert created.status_code == 201 and created.get_json()["bom"] == [{"input_id": "lfp-cathode", "qty_per_unit": 1800}]
    again = client.post("/api/v1/products", headers=world["staff"], json=product)
    assert again.status_code == 422 and again.get_json()["error"]["field"] == "id"


def test_editing_a_product_is_audited_under_its_id_with_the_old_and_new_price(client, world, db):
    client.patch("/api/v1/products/lfp-cathode", headers=world["staff"], json={"reference_price": 38500})
    record = db.exec(select(AuditRecord).where(AuditRecord.entity == "product")).one()
    assert (record.action, record.user_id, record.entity_key) == ("product_edited", world["staff_id"], "lfp-cathode")
    assert (json.loads(record.before)["reference_price"], json.loads(record.after)["reference_price"]) == (36000, 38500)
