"""The in-app inbox: what happened to a proposal or contract that an organisation must know.

Stored notices are written in the transaction of the action they report. "Deadline near" is not
stored: it is read from the proposals themselves, so it appears and disappears with the facts
(and viewing the inbox never writes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, update
from sqlmodel import Session, select

from matchmaker.models import Notification, Proposal
from matchmaker.models.base import utcnow
from matchmaker.services.viewer import Viewer

DEADLINE_NEAR = timedelta(days=3)
KINDS: dict[str, object] = {
    "proposal_approved": _l("A proposed match was approved by association staff: please accept or decline it."),
    "acceptance_needed": _l("The other party accepted a match: your acceptance is needed."),
    "deadline_near": _l("The deadline to answer a proposed match is near."),
    "contract_created": _l("Both parties accepted: a contract was created."),
    "proposal_declined": _l("A proposed match was declined."),
}


@dataclass(frozen=True)
class Notice:
    kind: str
    proposal_id: int | None
    contract_id: int | None
    at: datetime | date
    unread: bool
    run_id: int | None = None

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


def inbox(session: Session, viewer: Viewer, today: date, limit: int = 100) -> list[Notice]:
    """Deadline reminders first, then stored notices newest first."""
    notices: list[Notice] = []
    if not viewer.is_staff:
        pending = session.exec(select(Proposal).where(
            Proposal.state == "approved",
            or_(Proposal.supplier_org_id == viewer.org_id, Proposal.buyer_org_id == viewer.org_id),
            Proposal.deadline >= today, Proposal.deadline <= today + DEADLINE_NEAR,  # type: ignore[operator]
        ).order_by(Proposal.deadline))
        for p in pending:
            own = p.supplier_response if p.supplier_org_id == viewer.org_id else p.buyer_response
            if own == "pending":
                notices.append(Notice("deadline_near", p.id, None, p.deadline, True))  # type: ignore[arg-type]
    stored = session.exec(select(Notification).where(_mine(viewer))
                          .order_by(Notification.id.desc()).limit(limit))  # type: ignore[union-attr]
    stored = list(stored)
    runs: dict[int, int] = {}
    if viewer.is_staff:
        ids = {n.proposal_id for n in stored if n.proposal_id}
        if ids:
            runs = {p.id: p.run_id for p in session.exec(select(Proposal).where(Proposal.id.in_(ids)))}  # type: ignore[union-attr, misc]
    notices += [Notice(n.kind, n.proposal_id, n.contract_id, n.created_at, n.read_at is None,
                       runs.get(n.proposal_id)) for n in stored]  # type: ignore[arg-type]
    return notices


def unread_count(session: Session, viewer: Viewer) -> int:
    rows = session.exec(select(Notification.id).where(_mine(viewer), Notification.read_at.is_(None)))  # type: ignore[union-attr]
    return len(rows.all())


def mark_all_read(session: Session, viewer: Viewer) -> None:
    session.execute(update(Notification).where(_mine(viewer), Notification.read_at.is_(None))  # type: ignore[arg-type, union-attr]
                    .values(read_at=utcnow()))
    session.commit()
