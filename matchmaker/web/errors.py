"""Turning domain errors and HTTP errors into pages (or JSON for JSON requests)."""

from __future__ import annotations

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from matchmaker.services.errors import DomainError, RateLimited, ValidationError


def _wants_json() -> bool:
    return (
        request.path.startswith("/api/")
        or request.is_json
        or request.accept_mimetypes.best == "application/json"
    )


def _titles() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        401: _("Please log in first."),
        403: _("You may not do this."),
        404: _("Not found."),
        405: _("This action is not available here."),
        409: _("This cannot be done in the current state."),
        413: _("The request is too large."),
        429: _("Too many attempts. Please wait a minute and try again."),
        500: _("Something went wrong on our side."),
    }


def render_error(status: int, detail: str | None = None) -> Response:
    if request.path.startswith("/api/"):
        from matchmaker.api.errors import api_error

        return api_error(status, detail)
    message = detail or _titles().get(status, _("Error"))
    if _wants_json():
        response = jsonify({"error": message, "status": status})
    else:
        response = make_response(render_template("error.html", status=status, message=message))
    response.status_code = status
    return response


NUL = "\x00"


def _field_with_nul() -> str | None:
    """The first input holding a NUL character: PostgreSQL text cannot store one, and no field of
    the platform needs one, so such input is refused before any view or query sees it."""
    if NUL in request.path:
        return "path"
    fields = list(request.args.items(multi=True))
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        fields += request.form.items(multi=True)
    for key, value in fields:
        if NUL in (key or "") or NUL in (value or ""):
            return key or "field"
    if request.is_json:
        body = request.get_data(cache=True)
        if b"\\u0000" in body or NUL.encode() in body:
            return "body"
    return None


def register(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters():  # type: ignore[no-untyped-def]
        field = _field_with_nul()
        if field is None:
            return None
        message = _("Text must not contain NUL characters.")
        if request.path.startswith("/api/"):
            from matchmaker.api.errors import api_error

            return api_error(400, message, field)
        return render_error(400, message)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):  # type: ignore[no-untyped-def]
        return render_error(400, _("The form expired or was not sent from this site. Please try again."))

    @app.errorhandler(ValidationError)
    def validation_error(error: ValidationError):  # type: ignore[no-untyped-def]
        if _wants_json():
            response = jsonify({"error": "validation", "fields": {k: str(v) for k, v in error.errors.items()}})
            response.status_code = 400
            return response
        return render_error(400, "; ".join(str(v) for v in error.errors.values()))

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):  # type: ignore[no-untyped-def]
        response = render_error(error.status_code)
        if isinstance(error, RateLimited):
            response.headers["Retry-After"] = str(error.args[0] if error.args else 60)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):  # type: ignore[no-untyped-def]
        app.logger.exception("unhandled error")
        return render_error(500)
