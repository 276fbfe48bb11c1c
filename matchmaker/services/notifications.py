"""The in-app inbox: what happened to a proposal or contract that an organisation must know.

Stored notices are written in the transaction of the action they report. "Deadline near" and
"expired" are written by the sweep (``services/lifecycle.py``): once per party and proposal, so
a reminder stays in the inbox as a record that it was given, and can be marked read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlmodel import Session, select

from matchmaker.models import Notification, Proposal
from matchmaker.models.base import utcnow
from matchmaker.services.viewer import Viewer

KINDS: dict[str, object] = {
    "proposal_approved": _l("A proposed match was approved by association staff: please accept or decline it."),
    "acceptance_needed": _l("The other party accepted a match: your acceptance is needed."),
    "deadline_near": _l("The deadline to answer a proposed match is near."),
    "contract_created": _l("Both parties accepted: a contract was created."),
    "proposal_declined": _l("A proposed match was declined."),
    "proposal_expired": _l("A proposed match expired: its deadline passed without both answers."),
}


@dataclass(frozen=True)
class Notice:
    kind: str
    proposal_id: int | None
    contract_id: int | None
    at: datetime | date
    unread: bool
    run_id: int | None = None
    deadline: date | None = None

    @property
    def message(self) -> object:
        return KINDS[self.kind]


def notify(session: Session, org_id: int | None, kind: str, *, proposal_id: int | None = None,
           contract_id: int | None = None) -> None:
    """Adds a notice to the caller's transaction; ``org_id`` None addresses association staff."""
    assert kind in KINDS
    session.add(Notification(org_id=org_id, kind=kind, proposal_id=proposal_id, contract_id=contract_id))


def _mine(viewer: Viewer):  # type: ignore[no-untyped-def]
    return Notification.org_id.is_(None) if viewer.is_staff else Notification.org_id == viewer.org_id  # type: ignore[union-attr]


def inbox(session: Session, viewer: Viewer, limit: int = 100) -> list[Notice]:
    """Stored notices, newest first, with the run (for staff links) and deadline of their proposal."""
    stored = list(session.exec(select(Notification).where(_mine(viewer))
                               .order_by(Notification.id.desc()).limit(limit)))  # type: ignore[union-attr]
    ids = {n.proposal_id for n in stored if n.proposal_id}
    proposals = {p.id: p for p in session.exec(select(Proposal).where(Proposal.id.in_(ids)))} if ids else {}  # type: ignore[union-attr, attr-defined]
    notices = []
    for n in stored:
        p = proposals.get(n.proposal_id)
        notices.append(Notice(n.kind, n.proposal_id, n.contract_id, n.created_at, n.read_at is None,
                              p.run_id if p is not None and viewer.is_staff else None,
                              p.deadline if p is not None else None))
    return notices


def unread_count(session: Session, viewer: Viewer) -> int:
    rows = session.exec(select(Notification.id).where(_mine(viewer), Notification.read_at.is_(None)))  # type: ignore[union-attr]
    return len(rows.all())


def mark_all_read(session: Session, viewer: Viewer) -> None:
    session.execute(update(Notification).where(_mine(viewer), Notification.read_at.is_(None))  # type: ignore[arg-type, union-attr]
                    .values(read_at=utcnow()))
    session.commit()
