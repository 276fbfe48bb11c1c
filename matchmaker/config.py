"""Configuration defaults and how the environment overrides them.

Order: these defaults, then ``MATCHMAKER_*`` environment variables (``MATCHMAKER_SECRET_KEY``,
values parsed as JSON when they can be), then ``DATABASE_URL``, then the ``test_config`` dict.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

DEFAULTS: dict[str, object] = {
    "SECRET_KEY": None,
    "DATABASE_URL": None,
    # PostgreSQL schema to work in (search_path); lets tests use a throw-away schema.
    "DATABASE_SCHEMA": None,
    "PASSWORD_HASH_METHOD": "scrypt",
    "LOGIN_MAX_FAILURES": 10,
    "LOGIN_FAILURE_WINDOW_SECONDS": 60,
    "PAGE_SIZE": 25,
    "BABEL_DEFAULT_LOCALE": "zh",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "LANGUAGES": ["zh", "en"],
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "WTF_CSRF_TIME_LIMIT": None,
    "MAX_CONTENT_LENGTH": 1024 * 1024,
}


def normalise_database_url(url: str) -> str:
    """Route plain PostgreSQL URLs to psycopg 3, the driver we install."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_config(app: Flask, test_config: dict[str, object] | None) -> None:
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("MATCHMAKER")
    if os.environ.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    if test_config is not None:
        app.config.from_mapping(test_config)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = "sqlite:///" + str(Path(app.instance_path) / "matchmaker.db")
    app.config["DATABASE_URL"] = normalise_database_url(str(app.config["DATABASE_URL"]))
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))


def _instance_secret_key(instance: Path) -> str:
    """A key kept in the instance folder, so sessions survive restarts without configuration."""
    instance.mkdir(parents=True, exist_ok=True)
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
