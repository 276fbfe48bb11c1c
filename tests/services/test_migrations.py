"""The Alembic migrations build exactly the schema the models describe."""

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from matchmaker import create_app
from matchmaker.config import normalise_database_url
from matchmaker.db import make_engine
from matchmaker.migrate import upgrade
from tests.conftest import make_config


def assert_migrations_match_models(app):
    upgrade(app)
    engine = app.extensions["db_engine"]
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
        tables = set(inspect(conn).get_table_names())
    assert diffs == []
    assert set(SQLModel.metadata.tables) <= tables


def test_sqlite_upgrade_to_head_matches_the_models(tmp_path):
    assert_migrations_match_models(create_app(make_config(DATABASE_URL=f"sqlite:///{tmp_path}/m.db")))


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL not set")
def test_postgresql_upgrade_to_head_matches_the_models(pg_schema):
    url, _ = pg_schema
    schema = "mm_migr_" + uuid.uuid4().hex[:8]
    admin = make_engine(normalise_database_url(url))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        assert_migrations_match_models(create_app(make_config(DATABASE_URL=url, DATABASE_SCHEMA=schema)))
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
