"""``matchmaker audit verify`` and ``matchmaker audit anchor``: the audit chain held against heads
known from outside the database (the anchor file, or a head copied by hand).

Exit status of ``verify``: 0 intact, 1 tampering (one line per problem, the first bad record
named), 3 no anchor at all while ``--require-anchor`` asks for one.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # the ORM is loaded by the commands that need it, not by 'matchmaker solve'
    from matchmaker.services.audit_anchor import Anchor

NO_ANCHOR_EXIT = 3


def _head_option(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> list[Anchor]:
    from matchmaker.services.audit_anchor import parse_head

    try:
        return [parse_head(value) for value in values]
    except ValueError as error:
        raise click.BadParameter(str(error).removeprefix("--head: ")) from error


@click.group("audit")
def audit_group() -> None:
    """The audit trail of matching, review, acceptance and contracts."""


@audit_group.command("verify")
@click.option("--head", "heads", multiple=True, callback=_head_option, metavar="SEQ:HASH",
              help="A head printed earlier by 'matchmaker audit anchor' (repeatable).")
@click.option("--require-anchor", is_flag=True,
              help=f"Exit with status {NO_ANCHOR_EXIT} when there is neither an anchor file nor --head.")
def audit_verify_command(heads: list[Anchor], require_anchor: bool) -> None:
    """Check the SHA-256 chain of the audit records in the configured database, and hold it against
    the anchor file and any --head: exit status 1 and one line per problem when a record was
    edited, deleted or moved, including the newest ones."""
    from sqlmodel import Session

    from matchmaker import create_app
    from matchmaker.db import get_engine
    from matchmaker.services import audit, audit_anchor

    app = create_app()
    anchor_file = audit_anchor.read(audit_anchor.anchor_path(app))
    with Session(get_engine(app)) as session:
        report = audit.verify(session, [*anchor_file.anchors, *heads])
    for line in anchor_file.warnings:
        click.echo(f"warning: {line}", err=True)
    problems = [f.message for f in report.findings]
    for line in problems:
        click.echo(line, err=True)
    if problems:
        if report.first_bad is not None:
            click.echo(f"first bad record: {report.first_bad}", err=True)
        sys.exit(1)
    click.echo(f"audit chain intact: {report.count} records")
    if not anchor_file.exists:
        click.echo(f"no anchor file at {anchor_file.path} yet: the chain was checked on its own, and a deletion "
                   "of the newest records would go unnoticed (start one with 'matchmaker audit anchor')", err=True)
    head = report.head.seq if report.head else 0
    if report.newest_anchor is not None:
        click.echo(f"anchored up to record {report.newest_anchor}"
                   + (f"; records {report.newest_anchor + 1}-{head} came after the newest anchor"
                      if head > report.newest_anchor else ""))
    if require_anchor and not anchor_file.exists and not heads:
        sys.exit(NO_ANCHOR_EXIT)


@audit_group.command("anchor")
@click.option("--print-only", is_flag=True, help="Print the head without appending it to the anchor file.")
def audit_anchor_command(print_only: bool) -> None:
    """Print the current head as SEQ:HASH (copy it somewhere the database host cannot reach: an
    off-site log, a printed bulletin) and append it to the anchor file. Refuses, with exit status
    1, when the chain fails verification: a tampered head must not be vouched for."""
    from sqlmodel import Session

    from matchmaker import create_app
    from matchmaker.db import get_engine
    from matchmaker.services import audit, audit_anchor

    app = create_app()
    path = audit_anchor.anchor_path(app)
    anchor_file = audit_anchor.read(path)
    with Session(get_engine(app)) as session:
        report = audit.verify(session, anchor_file.anchors)
    problems = [f.message for f in report.findings]
    if problems:
        for line in problems:
            click.echo(line, err=True)
        click.echo("the chain fails verification: nothing anchored", err=True)
        sys.exit(1)
    if report.head is None:
        click.echo("no audit records yet: nothing to anchor")
        return
    click.echo(f"{report.head.seq}:{report.head.hash}")
    if not print_only:
        audit_anchor.append(path, report.head.seq, report.head.hash)
        click.echo(f"appended to {path}", err=True)
