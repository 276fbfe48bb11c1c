"""The audit trail: one record per action, written in the action's own transaction, chained by
SHA-256 so that ``verify_chain`` notices a record edited, deleted or moved.

Appending reads the last record, so two writers must not append at once: on PostgreSQL a
transaction-level advisory lock serialises them, on SQLite the caller's immediate transaction
already does. The unique ``seq`` is the last line of defence either way.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from matchmaker.models import AuditRecord
from matchmaker.models.base import utcnow

GENESIS = "0" * 64
ADVISORY_LOCK_KEY = 4_711_004


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _stamp(at: datetime) -> str:
    """SQLite returns naive datetimes and PostgreSQL aware ones: hash the UTC wall time only."""
    return at.replace(tzinfo=None).isoformat(timespec="microseconds")


def record_hash(record: AuditRecord, prev_hash: str) -> str:
    body = _canonical([record.seq, _stamp(record.at), record.user_id, record.action, record.entity,
                       record.entity_id, record.before, record.after, prev_hash])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def record(
    session: Session, user_id: int | None, action: str, entity: str, entity_id: int | None,
    before: Any, after: Any,
) -> AuditRecord:
    """Adds the next record to the session; the caller commits it with the change it describes."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
    last = session.exec(select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(1)).first()  # type: ignore[attr-defined]
    prev_hash = last.hash if last else GENESIS
    entry = AuditRecord(
        seq=(last.seq + 1) if last else 1, at=utcnow(), user_id=user_id, action=action, entity=entity,
        entity_id=entity_id, before=_canonical(before), after=_canonical(after), prev_hash=prev_hash, hash="",
    )
    entry.hash = record_hash(entry, prev_hash)
    session.add(entry)
    session.flush()
    return entry


def verify_records(records: Iterable[AuditRecord]) -> list[str]:
    """Problems in the chain, one line each; empty when intact. ``records`` in ``seq`` order."""
    problems: list[str] = []
    prev_hash = GENESIS
    expected_seq = 1
    for entry in records:
        if entry.seq != expected_seq:
            problems.append(f"record {entry.seq}: expected sequence number {expected_seq} (a record is missing or moved)")
        if entry.prev_hash != prev_hash:
            problems.append(f"record {entry.seq}: does not follow the previous record (deleted or reordered)")
        if record_hash(entry, entry.prev_hash) != entry.hash:
            problems.append(f"record {entry.seq}: content does not match its hash (edited)")
        prev_hash = entry.hash
        expected_seq = entry.seq + 1
    return problems


def verify_chain(session: Session) -> list[str]:
    return verify_records(session.exec(select(AuditRecord).order_by(AuditRecord.seq)))


def history(session: Session, entity: str, entity_id: int) -> list[AuditRecord]:
    query = select(AuditRecord).where(AuditRecord.entity == entity, AuditRecord.entity_id == entity_id)
    return list(session.exec(query.order_by(AuditRecord.seq)))
