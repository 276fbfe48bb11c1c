"""Fixtures for the web platform: ``app``, ``client``, ``runner``, ``db``, ``auth`` and ``factory``.

Every test runs on in-memory SQLite; when ``TEST_DATABASE_URL`` is set it runs again on that
PostgreSQL server, in a schema created for this test session and dropped afterwards. An
unreachable server then fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import text
from sqlmodel import Session, SQLModel

from matchmaker import create_app
from matchmaker.db import get_engine, make_engine
from matchmaker.models import Certification, Organisation, User
from matchmaker.services.catalog import seed_catalogue
from matchmaker.services.credit_code import check_character
from matchmaker.services.orgs import add_user

TEST_TODAY = "2027-01-15"
PASSWORD = "correct horse battery"
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[tuple[str, str]]:
    url = os.environ["TEST_DATABASE_URL"]
    schema = "mm_test_" + uuid.uuid4().hex[:10]
    engine = make_engine(_normalise(url))
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:  # noqa: BLE001 - any connection problem must fail loudly
        pytest.fail(f"TEST_DATABASE_URL is set but PostgreSQL is unreachable: {error}")
    yield url, schema
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def _normalise(url: str) -> str:
    from matchmaker.config import normalise_database_url

    return normalise_database_url(url)


@pytest.fixture(scope="session", autouse=True)
def _session_audit_anchor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Apps made by module-scoped fixtures (before any test's own folder exists) anchor audit
    heads in a folder of the test session, never in the repository's instance folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MATCHMAKER_AUDIT_ANCHOR_PATH", str(tmp_path_factory.mktemp("anchor") / "audit-anchor.log"))
        yield


@pytest.fixture(autouse=True)
def audit_anchor_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every app, job and subprocess of a test anchors audit heads in the test's own folder."""
    path = tmp_path / "audit-anchor.log"
    monkeypatch.setenv("MATCHMAKER_AUDIT_ANCHOR_PATH", str(path))
    return path


def make_config(**overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": "sqlite://",
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        "WTF_CSRF_ENABLED": False,
        "TODAY": TEST_TODAY,
    }
    config.update(overrides)
    return config


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest) -> Iterator[Flask]:
    overrides: dict[str, Any] = {}
    marker = request.node.get_closest_marker("app_config")
    if marker:
        overrides = {**overrides, **marker.kwargs}
    yield from _app_on(request, "sqlite://", overrides)


@pytest.fixture(params=BACKENDS)
def shared_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """An app on a database several connections share (file SQLite, or PostgreSQL): for tests
    that race threads, which in-memory SQLite cannot show."""
    yield from _app_on(request, f"sqlite:///{tmp_path}/shared.db", {})


def _app_on(request: pytest.FixtureRequest, sqlite_url: str, overrides: dict[str, Any]) -> Iterator[Flask]:
    if request.param == "postgresql":
        url, schema = request.getfixturevalue("pg_schema")
        overrides = {"DATABASE_URL": url, "DATABASE_SCHEMA": schema, **overrides}
    else:
        overrides = {"DATABASE_URL": sqlite_url, **overrides}
    app = create_app(make_config(**overrides))
    engine = get_engine(app)
    SQLModel.metadata.create_all(engine)
    yield app
    if request.param == "postgresql":
        tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    with Session(get_engine(app), expire_on_commit=False) as session:
        yield session


class Factory:
    """Builds organisations, users and the catalogue directly, bypassing the forms."""

    def __init__(self, db: Session, app: Flask):
        self.db = db
        self.app = app
        self.count = 0

    def credit_code(self) -> str:
        self.count += 1
        first17 = f"91350100MA{self.count:07d}"
        return first17 + check_character(first17)

    def catalogue(self) -> None:
        seed_catalogue(self.db)

    def org(
        self,
        name: str = "Ganzhou Lithium",
        *,
        status: str = "approved",
        region: str = "jiangxi",
        tiers: list[str] | None = None,
        certifications: dict[str, str] | None = None,
    ) -> Organisation:
        org = Organisation(
            name=name, credit_code=self.credit_code(), region=region, tiers=tiers or ["material2"],
            contact_name="Li Wei", contact_phone="0797-1234567", contact_email="contact@example.cn",
            status=status,
        )
        self.db.add(org)
        self.db.flush()
        for cert, expiry in (certifications or {}).items():
            self.db.add(Certification(org_id=org.id, name=cert, number=f"{cert}-001", expiry=date.fromisoformat(expiry)))
        self.db.commit()
        return org

    def user(self, org: Organisation, email: str, role: str = "member") -> User:
        return add_user(
            self.db, org.id, email=email, name=email.split("@")[0], password=PASSWORD, role=role,  # type: ignore[arg-type]
            hash_method=self.app.config["PASSWORD_HASH_METHOD"],
        )


@pytest.fixture
def factory(db: Session, app: Flask) -> Factory:
    return Factory(db, app)


class AuthActions:
    def __init__(self, client: FlaskClient):
        self.client = client

    def login(self, email: str, password: str = PASSWORD, **extra: str):  # type: ignore[no-untyped-def]
        return self.client.post("/login", data={"email": email, "password": password, **extra})

    def logout(self):  # type: ignore[no-untyped-def]
        return self.client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "app_config(**values): extra config for the app fixture")
