"""Operator commands for ``flask --app wsgi ...``: schema, catalogue, staff accounts, expiry,
the matching sweep.

See docs/operations.md for when to run each.
"""

from __future__ import annotations

from datetime import date

import click
from flask import Flask
from sqlmodel import Session, select

from matchmaker.db import get_engine
from matchmaker.models import Organisation
from matchmaker.services.errors import ValidationError


def register(app: Flask) -> None:
    @app.cli.command("init-db")
    def init_db() -> None:
        """Create or upgrade the schema to the newest migration."""
        from matchmaker.migrate import upgrade

        upgrade(app)
        click.echo("database at the newest migration")

    @app.cli.command("seed-catalogue")
    def seed_catalogue() -> None:
        """Load or refresh the product catalogue from solver/data/products.csv."""
        from matchmaker.services.catalog import seed_catalogue as seed

        with Session(get_engine(app)) as session:
            click.echo(f"{seed(session)} products")

    @app.cli.command("add-staff")
    @click.argument("email")
    @click.argument("name")
    @click.option("--role", type=click.Choice(["staff", "admin"]), default="staff")
    @click.option("--association", default="中国锂电产业协会", show_default=True,
                  help="Name of the association's organisation (created when missing).")
    @click.option("--credit-code", default=None, help="The association's credit code, when creating it.")
    @click.password_option()
    def add_staff(email: str, name: str, role: str, association: str, credit_code: str | None, password: str) -> None:
        """Create an association staff (or admin) login; staff approve organisations."""
        from matchmaker.services.credit_code import is_valid, normalise
        from matchmaker.services.orgs import add_user

        with Session(get_engine(app), expire_on_commit=False) as session:
            org = session.exec(select(Organisation).where(Organisation.name == association)).first()
            if org is None:
                if not credit_code or not is_valid(credit_code):
                    raise click.UsageError("a new association needs a valid --credit-code")
                org = Organisation(
                    name=association, credit_code=normalise(credit_code), region="beijing", tiers=[],
                    contact_name=name, contact_phone="", contact_email=email, status="approved",
                )
                session.add(org)
                session.commit()
            try:
                add_user(session, org.id, email=email, name=name, password=password, role=role,  # type: ignore[arg-type]
                         hash_method=app.config["PASSWORD_HASH_METHOD"])
            except ValidationError as error:
                raise click.ClickException(str(error)) from error
        click.echo(f"{role} {email} added to {association}")

    @app.cli.command("close-expired")
    def close_expired() -> None:
        """Store 'expired' on listings whose window has ended (pages already hide them; run daily)."""
        from matchmaker.services.listings import close_expired_listings

        with Session(get_engine(app)) as session:
            click.echo(f"{close_expired_listings(session, date.today())} listings closed")

    @app.cli.group("matching")
    def matching_group() -> None:
        """Matching runs and proposals."""

    @matching_group.command("sweep")
    def matching_sweep() -> None:
        """Fail runs whose job died, send deadline reminders, expire unanswered proposals (cron:
        every few minutes; safe to run beside the web processes' own timer)."""
        from matchmaker.jobs import run_sweep

        report = run_sweep(app)
        click.echo(f"{report.failed_runs} runs failed, {report.reminders} reminders sent, "
                   f"{report.expired} proposals expired")
