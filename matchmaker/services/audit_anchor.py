"""The audit anchor: an append-only file outside the database remembering the chain's head.

The hash chain alone notices an edited, moved or deleted record, except the newest ones: delete
the last records and what is left is still a perfect chain. So after every transaction that wrote
audit records commits, the new head (sequence number, hash, time) is appended here, and
``matchmaker audit verify`` holds the chain against these lines.

One line per head, ``SEQ HASH ANCHORED_AT``, written with a single ``write()`` on a descriptor
opened with ``O_APPEND``: the kernel places every write at the end of the file, so several
gunicorn workers and RQ workers can append to the same file without locking and without
interleaving their lines. Each append is followed by ``fsync``: audit actions happen at human
pace, so the few milliseconds are cheap, and a head lost in a power cut would leave recent
records unprotected. A crash between the database commit and the append only leaves the anchor
behind the head, which verification accepts; an anchored head the chain no longer contains is
tampering.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import weakref
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event

if TYPE_CHECKING:
    from flask import Flask
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)

FILE_NAME = "audit-anchor.log"
ENVIRONMENT_KEY = "MATCHMAKER_AUDIT_ANCHOR_PATH"
_HASH = re.compile(r"[0-9a-f]{64}")
_PENDING = "audit_anchor_pending"
_WATCHED = "audit_anchor_watched"
_paths: weakref.WeakKeyDictionary[Engine, Path] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Anchor:
    """A head known from outside the database: ``origin`` says where (an anchor file line, or
    ``--head`` given by hand), ``at`` when it was anchored."""

    seq: int
    hash: str
    at: str
    origin: str


@dataclass
class AnchorFile:
    path: Path
    exists: bool
    anchors: list[Anchor] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def anchor_path(app: Flask) -> Path:
    """``AUDIT_ANCHOR_PATH``, else ``audit-anchor.log`` in the instance folder."""
    configured = app.config.get("AUDIT_ANCHOR_PATH")
    return Path(configured) if configured else Path(app.instance_path) / FILE_NAME


def register(app: Flask) -> None:
    """Remember the app's anchor path for its engine: matching jobs run in threads without an
    app context, and their commits must reach the same anchor."""
    from matchmaker.db import get_engine

    _paths[get_engine(app)] = anchor_path(app)


def _path_for(engine: Engine) -> Path:
    """An engine made without an app (an RQ worker) anchors where an app started with the same
    environment would: ``MATCHMAKER_AUDIT_ANCHOR_PATH``, else the instance folder."""
    known = _paths.get(engine)
    if known is not None:
        return known
    if os.environ.get(ENVIRONMENT_KEY):
        return Path(os.environ[ENVIRONMENT_KEY])
    return _default_path()


@functools.cache
def _default_path() -> Path:
    from flask import Flask

    return Path(Flask("matchmaker").instance_path) / FILE_NAME


def format_line(seq: int, hash_: str, at: datetime) -> str:
    stamp = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"{seq} {hash_} {stamp}\n"


def append(path: Path, seq: int, hash_: str, at: datetime | None = None) -> str:
    """Appends one head with a single write; returns the line. Raises OSError."""
    line = format_line(seq, hash_, at or datetime.now(UTC))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        size = os.fstat(fd).st_size
        # A crash mid-write may have left a line without its newline: start a fresh line.
        prefix = "\n" if size and os.pread(fd, 1, size - 1) != b"\n" else ""
        os.write(fd, (prefix + line).encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return line


def parse_line(text: str, origin: str) -> Anchor:
    """Raises ValueError naming what is wrong with the line."""
    parts = text.split()
    if len(parts) != 3 or not parts[0].isdigit() or not _HASH.fullmatch(parts[1]):
        raise ValueError(f"{origin}: expected 'SEQUENCE HASH TIME', got {text.strip()[:80]!r}")
    return Anchor(int(parts[0]), parts[1], parts[2], origin)


def parse_head(text: str) -> Anchor:
    """``SEQ:HASH`` as printed by ``matchmaker audit anchor``. Raises ValueError."""
    seq, _, hash_ = text.strip().partition(":")
    if not seq.isdigit() or int(seq) < 1 or not _HASH.fullmatch(hash_.lower()):
        raise ValueError(f"--head: expected SEQUENCE:HASH (e.g. 12:{'0' * 8}…, 64 hex digits), got {text!r}")
    return Anchor(int(seq), hash_.lower(), "given by hand", "--head")


def read(path: Path) -> AnchorFile:
    """Every readable line. An unreadable line is a warning, not tampering: a crash while
    writing leaves a torn line (completed by the next append's newline), and someone who can
    edit this file could rewrite it whole anyway; the remaining lines still count."""
    if not path.exists():
        return AnchorFile(path, exists=False)
    result = AnchorFile(path, exists=True)
    lines = path.read_text(encoding="ascii", errors="replace").split("\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        origin = f"{path} line {number}"
        try:
            result.anchors.append(parse_line(line, origin))
        except ValueError as error:
            torn = " (torn by a crash while writing?)" if number == len(lines) or len(line) < 90 else ""
            result.warnings.append(f"{error}{torn}; ignored")
    return result


def watch(session: Session, engine: Engine, seq: int, hash_: str) -> None:
    """Called for every audit record added to ``session``: remembers the newest one, and once per
    session installs the listeners that anchor it after the commit (or forget it on rollback)."""
    session.info[_PENDING] = (seq, hash_, _path_for(engine))
    if session.info.get(_WATCHED):
        return
    session.info[_WATCHED] = True
    event.listen(session, "after_commit", _after_commit)
    event.listen(session, "after_soft_rollback", _after_rollback)
    event.listen(session, "after_transaction_end", _after_transaction_end)


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the outer transaction may still roll back
    pending = session.info.pop(_PENDING, None)
    if pending is None:
        return
    seq, hash_, path = pending
    try:
        append(path, seq, hash_)
    except OSError:
        # The records are committed; the anchor only falls behind, which verify accepts.
        log.exception("could not append audit head %s to %s", seq, path)


def _after_rollback(session: Session, _previous: Any) -> None:
    """Even a savepoint rollback forgets the head: anchoring nothing is safe, anchoring a record
    that was rolled back would look like tampering."""
    session.info.pop(_PENDING, None)


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # closed without commit
        session.info.pop(_PENDING, None)
