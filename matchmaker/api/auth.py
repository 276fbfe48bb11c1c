"""Bearer tokens, and only bearer tokens, authenticate ``/api/v1``.

The session cookie is ignored here, so a page a member has open cannot be made to call the API
on their behalf (no CSRF token needed); the pages ignore tokens in turn (Flask-Login has no
request loader), so they keep their CSRF protection.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import g, request
from flask_babel import gettext as _

from matchmaker.db import get_session
from matchmaker.services.errors import InvalidCredentials, PermissionDenied
from matchmaker.services.tokens import TokenIdentity, authenticate
from matchmaker.services.viewer import Viewer

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
PUBLIC_ENDPOINTS = {"api.openapi"}


class ReadOnlyToken(PermissionDenied):
    pass


def authenticate_request() -> None:
    """``before_request`` of the API blueprint: 401 without a valid token, 403 for a write with a
    read-only one. Raises; the blueprint's error handlers answer."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    scheme, _sep, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise InvalidCredentials()
    g.api_identity = authenticate(
        get_session(), value.strip(), address=request.remote_addr or "unknown", now=datetime.now(UTC)
    )
    if request.method not in READ_METHODS and not g.api_identity.may_write:
        raise ReadOnlyToken(_("This token may only read."))


def identity() -> TokenIdentity:
    return g.api_identity  # type: ignore[no-any-return]


def api_viewer() -> Viewer:
    return identity().viewer
