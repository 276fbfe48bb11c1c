"""Getting a token the way a member does (through the tokens page) and calling the API with it."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

TOKEN_RE = re.compile(r"<code>(mm_[A-Za-z0-9_-]{43})</code>")


def create_token(client: FlaskClient, name: str = "ERP", scope: str = "read-write") -> str:
    """Posts the form on /organisation/tokens as the logged-in user; returns the token shown."""
    response = client.post("/organisation/tokens", data={"name": name, "scope": scope})
    assert response.status_code == 201, response.get_data(as_text=True)
    match = TOKEN_RE.search(response.get_data(as_text=True))
    assert match
    return match.group(1)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
