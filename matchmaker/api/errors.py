"""Every API error has one shape: ``{"error": {"code", "message", "field"}}``.

``field`` names the offending input (``null`` when none does); a validation error with several
bad fields also lists them all in ``fields``. Input problems are 400 (unreadable body) or 422
(a field refused); the others are 401/403/404/409/429. A 500 means a bug, never bad input.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.exceptions import HTTPException

from matchmaker.services.bulk_import import ImportRefused
from matchmaker.services.errors import DomainError, RateLimited, ValidationError
from matchmaker.services.spreadsheet import UnreadableFile

CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "validation", 429: "rate_limited",
    500: "internal",
}


class BadRequest(DomainError):
    """The request cannot be read at all (not JSON, not an object, not a file)."""

    status_code = 400

    def __init__(self, field: str, message: object):
        super().__init__(str(message))
        self.field = field
        self.message = message


def messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        401: _("Send a valid API token as “Authorization: Bearer <token>”."),
        403: _("You may not do this."),
        404: _("Not found."),
        405: _("This action is not available here."),
        409: _("This cannot be done in the current state."),
        413: _("The request is too large."),
        422: _("Some fields were refused."),
        429: _("Too many attempts. Please wait a minute and try again."),
        500: _("Something went wrong on our side."),
    }


def api_error(status: int, message: str | None = None, field: str | None = None, **extra: Any) -> Response:
    body = {"code": CODES.get(status, "error"), "message": message or messages().get(status, _("Error")), "field": field}
    response = jsonify({"error": {**body, **extra}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def register(bp: Blueprint) -> None:
    """Handlers for errors raised inside API views (the app's handlers cover unrouted paths)."""

    @bp.errorhandler(BadRequest)
    def bad_request(error: BadRequest):  # type: ignore[no-untyped-def]
        return api_error(400, str(error.message), error.field)

    @bp.errorhandler(ValidationError)
    def validation(error: ValidationError):  # type: ignore[no-untyped-def]
        fields = {k: str(v) for k, v in error.errors.items()}
        first = next(iter(fields), None)
        return api_error(422, fields.get(first) if first else None, first, fields=fields)  # type: ignore[arg-type]

    @bp.errorhandler(UnreadableFile)
    def unreadable(error: UnreadableFile):  # type: ignore[no-untyped-def]
        return api_error(400, str(error.message), "file")

    @bp.errorhandler(ImportRefused)
    def import_refused(error: ImportRefused):  # type: ignore[no-untyped-def]
        first = error.problems[0]
        return api_error(
            422, ngettext("Nothing was saved: %(num)s problem.", "Nothing was saved: %(num)s problems.",
                          len(error.problems)), "file",
            rows=[p.as_dict() for p in error.problems], first=first.as_dict(),
        )

    @bp.errorhandler(DomainError)
    def domain(error: DomainError):  # type: ignore[no-untyped-def]
        detail = error.args[0] if error.args and not isinstance(error.args[0], int) else None
        response = api_error(error.status_code, str(detail) if detail is not None else None)
        if isinstance(error, RateLimited):
            response.headers["Retry-After"] = str(error.args[0] if error.args else 60)
        return response

    @bp.errorhandler(HTTPException)
    def http(error: HTTPException):  # type: ignore[no-untyped-def]
        return api_error(error.code or 500)
