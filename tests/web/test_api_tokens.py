"""API tokens: shown once, stored hashed, scoped, revocable; tokens only for the API and
cookies only for the pages."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from matchmaker.models import ApiToken
from matchmaker.services import tokens
from matchmaker.services.errors import InvalidCredentials, RateLimited
from tests.web.api_helpers import bearer, create_token
from tests.web.test_listing_views import OFFER


@pytest.fixture
def member(client, auth, factory):
    factory.catalogue()
    org = factory.org("Ganzhou Lithium", certifications={"ISO9001": "2030-12-31"})
    user = factory.user(org, "seller@example.cn")
    auth.login("seller@example.cn")
    return user


def test_token_is_shown_once_and_only_its_hash_is_stored(client, db, member):
    token = create_token(client, name="SAP")
    row = db.exec(select(ApiToken)).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row.token_hash and row.prefix == token[:9]
    listing = client.get("/organisation/tokens").get_data(as_text=True)
    assert "SAP" in listing and row.prefix in listing and token not in listing


def test_the_page_refuses_a_token_without_name_or_scope(client, db, member):
    response = client.post("/organisation/tokens", data={"name": "", "scope": "admin"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="name-error"' in page and 'id="scope-error"' in page
    assert db.exec(select(ApiToken)).all() == []


def test_last_used_time_is_recorded(client, auth, db, member):
    token = create_token(client)
    auth.logout()
    assert db.exec(select(ApiToken)).one().last_used_at is None
    assert client.get("/api/v1/offers", headers=bearer(token)).status_code == 200
    db.expire_all()
    assert db.exec(select(ApiToken)).one().last_used_at is not None


def test_last_used_is_written_at_most_once_a_minute(db, member):
    row = ApiToken(org_id=1, created_by=member.id, name="x", token_hash=tokens.hash_token("mm_abc"), prefix="mm_abc")
    db.add(row)
    db.commit()
    t0 = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)
    tokens.authenticate(db, "mm_abc", address="1.2.3.4", now=t0)
    tokens.authenticate(db, "mm_abc", address="1.2.3.4", now=t0 + timedelta(seconds=59))
    assert db.get(ApiToken, row.id).last_used_at.replace(tzinfo=UTC) == t0
    tokens.authenticate(db, "mm_abc", address="1.2.3.4", now=t0 + timedelta(seconds=60))
    assert db.get(ApiToken, row.id).last_used_at.replace(tzinfo=UTC) == t0 + timedelta(seconds=60)


def test_revoked_token_is_refused(client, auth, db, member):
    token = create_token(client)
    token_id = db.exec(select(ApiToken)).one().id
    assert client.get("/api/v1/offers", headers=bearer(token)).status_code == 200
    assert client.post(f"/organisation/tokens/{token_id}/revoke").status_code == 302
    assert client.get("/api/v1/offers", headers=bearer(token)).status_code == 401
    assert client.post(f"/organisation/tokens/{token_id}/revoke").status_code == 409


def test_another_organisations_token_cannot_be_revoked(client, auth, db, factory, member):
    create_token(client, name="Ganzhou SAP link")
    auth.logout()
    factory.user(factory.org("Other Co"), "other@example.cn")
    auth.login("other@example.cn")
    assert client.post("/organisation/tokens/1/revoke").status_code == 404
    assert db.exec(select(ApiToken)).one().revoked_at is None
    assert "Ganzhou SAP link" not in client.get("/organisation/tokens").get_data(as_text=True)


def test_a_deactivated_users_tokens_stop_working(client, db, member):
    token = create_token(client)
    member.active = False
    db.add(member)
    db.commit()
    assert client.get("/api/v1/offers", headers=bearer(token)).status_code == 401


def test_read_token_may_read_but_not_write(client, auth, member):
    token = create_token(client, scope="read")
    auth.logout()
    assert client.get("/api/v1/offers", headers=bearer(token)).status_code == 200
    response = client.post("/api/v1/offers", json=OFFER, headers=bearer(token))
    assert response.status_code == 403
    assert response.get_json()["error"]["message"] == "此令牌只能读取。"
    assert client.get("/api/v1/offers", headers=bearer(token)).get_json()["total"] == 0


def test_read_write_token_may_write(client, auth, member):
    token = create_token(client, scope="read-write")
    auth.logout()
    assert client.post("/api/v1/offers", json=OFFER, headers=bearer(token)).status_code == 201


def test_session_cookie_does_not_authenticate_the_api(client, member):
    assert client.get("/api/v1/offers").status_code == 401
    assert client.post("/api/v1/offers", json=OFFER).status_code == 401


def test_api_needs_no_csrf_token(app, client, auth, member):
    app.config["WTF_CSRF_ENABLED"] = True
    token = create_token_without_csrf(app, client)
    assert client.post("/api/v1/offers", json=OFFER, headers=bearer(token)).status_code == 201


def create_token_without_csrf(app, client):  # type: ignore[no-untyped-def]
    """The page still wants its CSRF token: a form post without one is refused."""
    assert client.post("/organisation/tokens", data={"name": "ERP", "scope": "read-write"}).status_code == 400
    app.config["WTF_CSRF_ENABLED"] = False
    token = create_token(client)
    app.config["WTF_CSRF_ENABLED"] = True
    return token


def test_token_does_not_authenticate_the_pages(client, auth, member):
    token = create_token(client)
    auth.logout()
    for path in ("/offers", "/organisation", "/organisation/tokens"):
        response = client.get(path, headers=bearer(token))
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    assert client.post("/organisation/tokens", data={"name": "x", "scope": "read"}, headers=bearer(token)).status_code == 302


@pytest.mark.parametrize("header", ["Bearer mm_wrong", "Bearer ", "Basic dXNlcjpwYXNz", "mm_token-without-scheme"])
def test_bad_authorization_headers_are_401(client, header):
    response = client.get("/api/v1/market", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_guessing_tokens_is_rate_limited_per_address(db, member):
    t0 = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)
    for i in range(3):
        with pytest.raises(InvalidCredentials):
            tokens.authenticate(db, f"mm_guess{i}", address="5.6.7.8", now=t0, max_failures=3)
    with pytest.raises(RateLimited):
        tokens.authenticate(db, "mm_guess4", address="5.6.7.8", now=t0, max_failures=3)
    with pytest.raises(InvalidCredentials):  # another address is not held back
        tokens.authenticate(db, "mm_guess5", address="9.9.9.9", now=t0, max_failures=3)


def test_rate_limited_answer_is_429_with_retry_after(client):
    for _ in range(20):
        client.get("/api/v1/market", headers={"Authorization": "Bearer mm_guess"})
    response = client.get("/api/v1/market", headers={"Authorization": "Bearer mm_guess"})
    assert response.status_code == 429 and response.headers["Retry-After"] == "60"
    assert response.get_json()["error"]["code"] == "rate_limited"


def test_guessed_tokens_do_not_lock_the_address_out_of_the_login_page(client, auth, member):
    auth.logout()
    for _ in range(25):
        client.get("/api/v1/market", headers={"Authorization": "Bearer mm_guess"})
    assert auth.login("seller@example.cn").status_code == 302
