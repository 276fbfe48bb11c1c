"""Registering organisations and staff review."""

import pytest
from sqlmodel import select
from werkzeug.security import check_password_hash

from matchmaker.models import Certification, Organisation, User
from matchmaker.services import orgs
from matchmaker.services.errors import Conflict, PermissionDenied, ValidationError
from matchmaker.services.viewer import Viewer

VALID_CODE = "91350100M000100Y43"


def registration(**overrides):
    data = {
        "name": "Ganzhou Lithium Co.", "credit_code": VALID_CODE, "region": "jiangxi",
        "tiers": ["material2", "resource"], "contact_name": "Li Wei", "contact_phone": "0797-1234567",
        "contact_email": "sales@ganzhou.example.cn",
        "cert_name": ["ISO9001", ""], "cert_number": ["CN-9001-77", ""], "cert_expiry": ["2028-06-30", ""],
        "user_name": "Li Wei", "email": "Li.Wei@ganzhou.example.cn",
        "password": "long enough pw", "password_confirm": "long enough pw",
    }
    data.update(overrides)
    return data


def errors_of(db, data):
    with pytest.raises(ValidationError) as info:
        orgs.register_organisation(db, data, hash_method="scrypt:1024:8:1")
    return info.value.errors


def test_registration_creates_pending_org_member_and_certificates(db):
    org, user = orgs.register_organisation(db, registration(), hash_method="scrypt:1024:8:1")
    assert org.status == "pending"
    assert org.tiers == ["material2", "resource"]
    assert user.role == "member" and user.email == "li.wei@ganzhou.example.cn"
    assert user.password_hash.startswith("scrypt:")
    assert check_password_hash(user.password_hash, "long enough pw")
    certs = db.exec(select(Certification).where(Certification.org_id == org.id)).all()
    assert [(c.name, c.number, c.expiry.isoformat()) for c in certs] == [("ISO9001", "CN-9001-77", "2028-06-30")]


def test_default_password_hash_is_scrypt(db):
    _, user = orgs.register_organisation(db, registration())
    assert user.password_hash.startswith("scrypt:32768:8:1$")


def test_malformed_credit_code_is_refused_with_its_reason(db):
    assert "check character" in str(errors_of(db, registration(credit_code="91350100M000100Y44"))["credit_code"])
    assert "18" in str(errors_of(db, registration(credit_code="123"))["credit_code"])


def test_every_bad_field_is_reported_at_once(db):
    errors = errors_of(db, registration(
        name="", region="atlantis", tiers=[], contact_email="not-an-email", password="short", email="",
    ))
    assert set(errors) >= {"name", "region", "tiers", "contact_email", "password", "email"}
    assert db.exec(select(Organisation)).all() == []


def test_oversized_name_is_refused(db):
    assert "200" in str(errors_of(db, registration(name="x" * 201))["name"])


def test_passwords_must_match(db):
    assert "password_confirm" in errors_of(db, registration(password_confirm="something else"))


def test_certificate_row_needs_known_name_number_and_date(db):
    errors = errors_of(db, registration(cert_name=["ISO9001", "MADEUP"], cert_number=["", "X"], cert_expiry=["2028-01-01", "2028-01-01"]))
    assert set(errors) == {"cert_0", "cert_1"}


def test_duplicate_code_and_email_are_field_errors(db):
    orgs.register_organisation(db, registration(), hash_method="scrypt:1024:8:1")
    errors = errors_of(db, registration())
    assert set(errors) == {"credit_code", "email"}
    assert len(db.exec(select(User)).all()) == 1


def test_staff_approve_and_members_cannot(db, factory):
    pending = factory.org("New Cathode Co.", status="pending")
    staff = Viewer(user_id=1, org_id=99, role="staff", org_status="approved")
    member = Viewer(user_id=2, org_id=pending.id, role="member", org_status="pending")
    with pytest.raises(PermissionDenied):
        orgs.review_organisation(db, member, pending.id, "approved")
    assert orgs.review_organisation(db, staff, pending.id, "approved").status == "approved"
    with pytest.raises(Conflict):
        orgs.review_organisation(db, staff, pending.id, "approved")
    assert [o.name for o in orgs.list_organisations(db, staff, "approved")] == ["New Cathode Co."]
