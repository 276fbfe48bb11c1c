"""The audit trail: one record per action, written in the action's own transaction, chained by
SHA-256 so that ``verify_chain`` notices a record edited, deleted or moved.

Appending reads the last record, so two writers must not append at once: on PostgreSQL a
transaction-level advisory lock serialises them, on SQLite the caller's immediate transaction
already does. The unique ``seq`` is the last line of defence either way.

A chain cannot tell that its newest records were deleted, so each committed head is also appended
to the anchor file outside the database (``audit_anchor``), and ``check`` holds the chain against
those heads.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from matchmaker.models import AuditRecord
from matchmaker.models.base import utcnow
from matchmaker.services import audit_anchor
from matchmaker.services.audit_anchor import Anchor

GENESIS = "0" * 64
ADVISORY_LOCK_KEY = 4_711_004


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _stamp(at: datetime) -> str:
    """SQLite returns naive datetimes and PostgreSQL aware ones: hash the UTC wall time only."""
    return at.replace(tzinfo=None).isoformat(timespec="microseconds")


def record_hash(record: AuditRecord, prev_hash: str) -> str:
    """The text key joins the hashed content only when set: records written before the column
    existed (and every record of an integer-keyed entity) hash exactly as they always did."""
    fields: list[Any] = [record.seq, _stamp(record.at), record.user_id, record.action, record.entity,
                         record.entity_id, record.before, record.after, prev_hash]
    if record.entity_key is not None:
        fields.append({"entity_key": record.entity_key})
    return hashlib.sha256(_canonical(fields).encode("utf-8")).hexdigest()


def _identity(entity_id: int | str | None) -> dict[str, Any]:
    """Integer ids go to ``entity_id``, text keys (a product's slug) to ``entity_key``."""
    if isinstance(entity_id, str):
        return {"entity_id": None, "entity_key": entity_id}
    return {"entity_id": entity_id, "entity_key": None}


def record(
    session: Session, user_id: int | None, action: str, entity: str, entity_id: int | str | None,
    before: Any, after: Any,
) -> AuditRecord:
    """Adds the next record to the session; the caller commits it with the change it describes,
    and the commit appends the new head to the anchor file. ``entity_id`` is the entity's integer
    id, or its text key for entities named by a slug (catalogue products)."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
    last = session.exec(select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(1)).first()  # type: ignore[attr-defined]
    prev_hash = last.hash if last else GENESIS
    entry = AuditRecord(
        seq=(last.seq + 1) if last else 1, at=utcnow(), user_id=user_id, action=action, entity=entity,
        **_identity(entity_id), before=_canonical(before), after=_canonical(after), prev_hash=prev_hash, hash="",
    )
    entry.hash = record_hash(entry, prev_hash)
    session.add(entry)
    session.flush()
    audit_anchor.watch(session, bind.engine, entry.seq, entry.hash)
    return entry


@dataclass(frozen=True)
class Finding:
    """One problem, about record ``seq``."""

    seq: int
    message: str


@dataclass
class Report:
    count: int = 0
    head: AuditRecord | None = None
    newest_anchor: int | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def first_bad(self) -> int | None:
        return min((f.seq for f in self.findings), default=None)


MAX_MISSING_LINES = 20


def _anchored(anchor: Anchor) -> str:
    return "anchored by --head" if anchor.origin == "--head" else f"anchored at {anchor.at}"


def check(records: Iterable[AuditRecord], anchors: Sequence[Anchor] = ()) -> Report:
    """The chain in ``seq`` order, held against heads known from outside the database: an anchor
    behind the head is fine (the newest records were committed after it); an anchored record
    that is gone, or whose hash differs, means the chain was cut short or rewritten."""
    report = Report()
    waiting: dict[int, list[Anchor]] = {}
    for anchor in anchors:
        waiting.setdefault(anchor.seq, []).append(anchor)
    report.newest_anchor = max(waiting, default=None)
    prev_hash = GENESIS
    expected_seq = 1
    for entry in records:
        report.count += 1
        report.head = entry
        if entry.seq != expected_seq:
            report.findings.append(Finding(entry.seq, f"record {entry.seq}: expected sequence number {expected_seq} (a record is missing or moved)"))
        if entry.prev_hash != prev_hash:
            report.findings.append(Finding(entry.seq, f"record {entry.seq}: does not follow the previous record (deleted or reordered)"))
        if record_hash(entry, entry.prev_hash) != entry.hash:
            report.findings.append(Finding(entry.seq, f"record {entry.seq}: content does not match its hash (edited)"))
        for anchor in waiting.pop(entry.seq, []):
            if anchor.hash != entry.hash:
                report.findings.append(Finding(entry.seq, f"record {entry.seq}: hash differs from the head {_anchored(anchor)} "
                                                          f"({anchor.origin}): the chain was rewritten up to here"))
        prev_hash = entry.hash
        expected_seq = entry.seq + 1
    report.findings.extend(_missing(waiting, report.head.seq if report.head else 0))
    report.findings.sort(key=lambda f: f.seq)
    return report


def _missing(waiting: dict[int, list[Anchor]], last_seq: int) -> list[Finding]:
    """Anchored records that are no longer there: every record after the chain's end up to the
    newest anchor (each anchored head vouches for all records before it), and any other anchored
    one the chain skips."""
    if not waiting:
        return []
    seqs = sorted(set(range(last_seq + 1, max(waiting) + 1)) | set(waiting))
    findings: list[Finding] = []
    for seq in seqs[:MAX_MISSING_LINES]:
        covering = waiting[min(s for s in waiting if s >= seq)][0]
        findings.append(Finding(seq, f"record {seq} is missing ({_anchored(covering)})"))
    if len(seqs) > MAX_MISSING_LINES:
        findings.append(Finding(seqs[MAX_MISSING_LINES], f"… and {len(seqs) - MAX_MISSING_LINES} more missing records, up to record {seqs[-1]}"))
    return findings


def verify_records(records: Iterable[AuditRecord]) -> list[str]:
    """Problems in the chain, one line each; empty when intact. ``records`` in ``seq`` order."""
    return [finding.message for finding in check(records).findings]


def verify_chain(session: Session) -> list[str]:
    return verify_records(session.exec(select(AuditRecord).order_by(AuditRecord.seq)))


def verify(session: Session, anchors: Sequence[Anchor] = ()) -> Report:
    return check(session.exec(select(AuditRecord).order_by(AuditRecord.seq)), anchors)


def history(session: Session, entity: str, entity_id: int | str) -> list[AuditRecord]:
    identity = _identity(entity_id)
    column = AuditRecord.entity_key if identity["entity_key"] is not None else AuditRecord.entity_id
    query = select(AuditRecord).where(AuditRecord.entity == entity, column == entity_id)
    return list(session.exec(query.order_by(AuditRecord.seq)))
