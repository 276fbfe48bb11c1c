"""Browser test plumbing: Debian Chromium through Playwright, and the app served from a thread.

Each test module defines its own `live_server` fixture (its seed data differs) with `serve`;
`page` opens a fresh browser on whatever that module serves."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import SQLModel
from werkzeug.serving import make_server

from matchmaker import create_app
from matchmaker.db import get_engine
from tests.conftest import PASSWORD, make_config

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """CI sets REQUIRE_BROWSER=1 (and installs chromium): there a missing browser fails the run."""
    if CHROMIUM.exists() or os.environ.get("REQUIRE_BROWSER"):
        return
    skip = pytest.mark.skip(reason="Debian chromium is not installed (apt-get install chromium)")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


def browser_app(tmp_path: Path, **overrides: object) -> Flask:
    """The app on a fresh SQLite file with CSRF switched on, tables created."""
    app = create_app(make_config(DATABASE_URL=f"sqlite:///{tmp_path}/e2e.db", WTF_CSRF_ENABLED=True,
                                 **overrides))
    SQLModel.metadata.create_all(get_engine(app))
    return app


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """The app on a free localhost port, served from a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def page(live_server: str):  # type: ignore[no-untyped-def]
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=live_server)
        page = context.new_page()
        page.set_default_timeout(20_000)
        yield page
        context.close()
        browser.close()


def log_in(page, email: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url("**/")


def log_out(page) -> None:  # type: ignore[no-untyped-def]
    page.click("form[action='/logout'] button")
    page.wait_for_url("**/login")
