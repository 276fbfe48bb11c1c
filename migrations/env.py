"""Alembic environment: the schema is ``SQLModel.metadata``; the database is the app's.

``matchmaker.migrate.upgrade(app)`` passes the app's engine in ``config.attributes["engine"]``;
from the command line the app is created to find the configured database.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlmodel import SQLModel

import matchmaker.models  # noqa: F401  (registers the tables)

config = context.config
if config.config_file_name is not None and config.attributes.get("engine") is None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def _engine():  # type: ignore[no-untyped-def]
    engine = config.attributes.get("engine")
    if engine is None:
        from matchmaker import create_app

        engine = create_app().extensions["db_engine"]
    return engine


def run_migrations_offline() -> None:
    context.configure(
        url=str(_engine().url), target_metadata=target_metadata, literal_binds=True, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    with _engine().connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
