"""The API walked with each organisation's token: no route leaks another organisation's secrets.

The cookie walk in ``test_confidentiality`` only sees 401s under ``/api/v1`` (cookies do not
count there), so this walk repeats it for every API rule with a bearer token instead.
"""

import pytest
from sqlmodel import select

from matchmaker.models import User
from matchmaker.services import tokens
from matchmaker.services.viewer import Viewer
from tests.web.test_confidentiality import SECRETS_OF_B, body_text, leaks, urls, world  # noqa: F401  (fixture)


def token_for(db, email: str) -> str:
    user = db.exec(select(User).where(User.email == email)).one()
    viewer = Viewer(user_id=user.id, org_id=user.org_id, role=user.role, org_status="approved")
    return tokens.create_token(db, viewer, {"name": "walk", "scope": "read-write"})[1]


def api_walk(client, app, world, db, token):  # noqa: F811
    for method, url in urls(app, world, db):
        if not url.startswith("/api/"):
            continue
        for lang in ("zh", "en"):
            response = client.open(url, method=method, json={}, headers={
                "Authorization": f"Bearer {token}", "Accept-Language": lang,
            })
            assert response.status_code < 500, (method, url)
            assert response.is_json or (response.status_code == 200 and "/export." in url), (method, url)
            yield method, url, body_text(response)


@pytest.mark.parametrize("who", ["a@example.cn", "c@example.cn"])
def test_no_api_route_leaks_another_organisations_secrets(client, app, world, db, who):  # noqa: F811
    token = token_for(db, who)
    problems = [(m, u, found) for m, u, body in api_walk(client, app, world, db, token) if (found := leaks(body))]
    assert problems == []


def test_the_api_walk_can_see_the_secrets_staff_may_see(client, app, world, db):  # noqa: F811
    """Staff read every listing in full, so the walk finds B's listing secrets: the check works."""
    token = token_for(db, "staff@example.cn")
    found = set()
    for _, _, body in api_walk(client, app, world, db, token):
        found.update(leaks(body))
    assert {"name", "offer price", "demand price", "index floor", "index ceiling", "monthly volume", "notes"} <= found


def test_the_tokens_page_shows_only_the_organisations_own_tokens(client, auth, world, db):  # noqa: F811
    token_for(db, "b@example.cn")
    auth.login("a@example.cn")
    page = client.get("/organisation/tokens").get_data(as_text=True)
    assert "walk" not in page
