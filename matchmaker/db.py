"""One engine per app, one Session per request, closed at teardown.

Services receive the Session and own the commit; views get it from ``get_session()``.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, create_engine

import matchmaker.models  # noqa: F401  (registers every table on the metadata)


def make_engine(url: str, schema: str | None = None) -> Engine:
    """SQLite gets foreign keys switched on; ``:memory:`` one shared connection (StaticPool)."""
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False}
        if ":memory:" in url or url in ("sqlite://", "sqlite:///"):
            kwargs["poolclass"] = StaticPool
    elif schema:
        kwargs["connect_args"] = {"options": f"-csearch_path={schema}"}
        kwargs["pool_pre_ping"] = True
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "checkin", _sqlite_optimize)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA analysis_limit=1000")
    cursor.close()


def _sqlite_optimize(dbapi_connection: Any, _record: Any) -> None:
    """Keep planner statistics current, as SQLite advises: without them the list pages pick the
    wrong index and take seconds instead of milliseconds at 100,000 listings. Costs microseconds
    when nothing changed; PostgreSQL's autovacuum does the same on its own."""
    if dbapi_connection is None:
        return
    try:
        dbapi_connection.execute("PRAGMA optimize")
    except Exception:
        logging.getLogger(__name__).debug("PRAGMA optimize failed", exc_info=True)


def init_app(app: Flask) -> None:
    app.extensions["db_engine"] = make_engine(
        str(app.config["DATABASE_URL"]), app.config.get("DATABASE_SCHEMA")
    )
    app.teardown_appcontext(close_session)


def get_engine(app: Flask | None = None) -> Engine:
    return (app or current_app).extensions["db_engine"]


def get_session() -> Session:
    """The request's Session, opened on first use."""
    if "db_session" not in g:
        g.db_session = Session(get_engine(), expire_on_commit=False)
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def create_all(app: Flask) -> None:
    """Tables straight from the models: for tests and throw-away databases; production uses Alembic."""
    SQLModel.metadata.create_all(get_engine(app))
