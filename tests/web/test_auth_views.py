"""Registration, login, logout, rate limit, session renewal, safe redirects and CSRF."""

import pytest
from flask import session
from sqlmodel import select

from matchmaker.models import Organisation
from tests.conftest import PASSWORD


def registration(**overrides):
    data = {
        "name": "Yichun <b>Lithium</b>", "credit_code": "91350100M000100Y43", "region": "jiangxi",
        "tiers": ["material2"], "contact_name": "Wang Fang", "contact_phone": "0795-7654321",
        "contact_email": "office@yichun.example.cn", "user_name": "Wang Fang", "email": "wang@yichun.example.cn",
        "password": "a long password", "password_confirm": "a long password",
        "cert_name": ["ISO9001"], "cert_number": ["Q-1"], "cert_expiry": ["2029-01-01"],
    }
    data.update(overrides)
    return data


def test_register_logs_in_and_waits_for_approval(client, db):
    response = client.post("/register", data=registration())
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Yichun &lt;b&gt;Lithium&lt;/b&gt;" in page and "<b>Lithium</b>" not in page
    assert db.exec(select(Organisation)).one().status == "pending"
    assert client.get("/offers/new").status_code == 302  # sent back: not approved yet


def test_register_shows_the_message_beside_the_field(client):
    response = client.post("/register", data=registration(credit_code="91350100M000100Y44", contact_email="x"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="credit_code-error"' in page and 'id="contact_email-error"' in page
    assert 'value="91350100M000100Y44"' in page  # what was typed stays in the form
    assert "a long password" not in page  # passwords are never echoed


def test_login_and_logout(client, auth, factory):
    factory.user(factory.org(), "buyer@example.cn")
    assert auth.login("buyer@example.cn").status_code == 302
    assert client.get("/organisation").status_code == 200
    assert client.get("/logout").status_code == 405  # no state change on GET
    assert auth.logout().status_code == 302
    assert client.get("/organisation").status_code == 302


def test_wrong_password_is_401_without_saying_which_part(client, auth, factory):
    factory.user(factory.org(), "buyer@example.cn")
    response = auth.login("buyer@example.cn", "wrong")
    assert response.status_code == 401
    assert response.get_data(as_text=True).count('class="flash error"') == 1


def test_eleventh_attempt_in_a_minute_is_429(client, auth, factory):
    factory.user(factory.org(), "buyer@example.cn")
    for _ in range(10):
        assert auth.login("buyer@example.cn", "wrong").status_code == 401
    response = auth.login("buyer@example.cn")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "60"


def test_ten_failures_from_one_address_block_it_for_every_account(client, auth, factory):
    factory.user(factory.org(), "buyer@example.cn")
    for i in range(10):
        client.post("/login", data={"email": f"guess{i}@example.cn", "password": "x"}, environ_base={"REMOTE_ADDR": "10.1.1.1"})
    blocked = client.post("/login", data={"email": "buyer@example.cn", "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.1.1.1"})
    elsewhere = client.post("/login", data={"email": "buyer@example.cn", "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.2.2.2"})
    assert (blocked.status_code, elsewhere.status_code) == (429, 302)


def test_login_starts_a_new_session_keeping_only_the_language(client, auth, factory):
    factory.user(factory.org(), "buyer@example.cn")
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
        sess["lang"] = "en"
    with client:
        auth.login("buyer@example.cn")
        assert "planted" not in session
        assert session["lang"] == "en"


@pytest.mark.parametrize(("next_url", "expected"), [
    ("/market?side=offer", "/market?side=offer"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_next_redirect_stays_on_site(client, auth, factory, next_url, expected):
    factory.user(factory.org(), "buyer@example.cn")
    response = auth.login("buyer@example.cn", next=next_url)
    assert response.headers["Location"] == expected


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_forms_without_csrf_token_are_refused(client, factory):
    factory.user(factory.org(), "buyer@example.cn")
    refused = client.post("/login", data={"email": "buyer@example.cn", "password": PASSWORD})
    assert refused.status_code == 400
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    accepted = client.post("/login", data={"email": "buyer@example.cn", "password": PASSWORD, "csrf_token": token})
    assert accepted.status_code == 302


def test_staff_approve_organisations_members_may_not(client, auth, factory, db):
    pending = factory.org("Pending Cells", status="pending")
    factory.user(factory.org("Association", tiers=["system"]), "staff@example.cn", role="staff")
    factory.user(factory.org("Member Co"), "member@example.cn")
    auth.login("member@example.cn")
    assert client.post(f"/admin/organisations/{pending.id}/review", data={"decision": "approved"}).status_code == 403
    assert client.get("/admin/organisations").status_code == 403
    auth.logout()
    auth.login("staff@example.cn")
    assert "Pending Cells" in client.get("/admin/organisations").get_data(as_text=True)
    assert client.post(f"/admin/organisations/{pending.id}/review", data={"decision": "approved"}).status_code == 302
    db.expire_all()
    assert db.get(Organisation, pending.id).status == "approved"
