"""Domain errors the web edge turns into HTTP answers (400/403/404/409/429)."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400


class ValidationError(DomainError):
    """Input refused; ``errors`` maps each form field to the message shown beside it."""

    status_code = 400

    def __init__(self, errors: dict[str, object]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class NotFound(DomainError):
    """Also raised for rows that exist but belong to another organisation: existence is a secret too."""

    status_code = 404


class PermissionDenied(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409


class RateLimited(DomainError):
    status_code = 429


class InvalidCredentials(DomainError):
    status_code = 401
