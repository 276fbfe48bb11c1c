"""Staff review of proposed matches: approve, reject, forbid the pair, reduce the volume.

A proposal moves only along ``TRANSITIONS``; anything else is an IllegalTransition (409).
Approving and reducing re-check remaining capacity under ``lock_listings`` and write their audit
record and notices in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from typing import Any, TypeVar, cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_
from sqlmodel import Session, select

from matchmaker.models import ForbiddenPair, MatchingRun, Proposal
from matchmaker.models.base import utcnow
from matchmaker.services import audit
from matchmaker.services.capacity import lock_listings, shortfall
from matchmaker.services.errors import Conflict, NotFound, PermissionDenied, ValidationError
from matchmaker.services.fields import month_index
from matchmaker.services.notifications import notify
from matchmaker.services.viewer import Viewer

ACCEPTANCE_DAYS = 7
# action -> the states it may start from. Party actions (accept, decline) live in acceptance.py;
# the system's (supersede when a newer run finishes, expire after the deadline) in lifecycle.py.
TRANSITIONS: dict[str, set[str]] = {
    "approve": {"proposed"},
    "reject": {"proposed"},
    "forbid": {"proposed", "rejected"},
    "reduce": {"proposed"},
    "accept": {"approved"},
    "decline": {"approved"},
    "supersede": {"proposed"},
    "expire": {"approved"},
}
STATES: dict[str, object] = {
    "proposed": _l("proposed"), "approved": _l("approved"), "rejected": _l("rejected"),
    "forbidden": _l("forbidden"), "declined": _l("declined"), "contracted": _l("contracted"),
    "superseded": _l("superseded"), "expired": _l("expired"),
}
ACTIONS: dict[str, object] = {
    "approve": _l("approve"), "reject": _l("reject"), "forbid": _l("forbid the pair"),
    "reduce": _l("reduce the volume"), "accept": _l("accept"), "decline": _l("decline"),
    "supersede": _l("supersede"), "expire": _l("expire"),
}


class IllegalTransition(Conflict):
    def __init__(self, action: str, state: str):
        super().__init__(_l("Not possible: %(action)s a proposal that is %(state)s.",
                            action=ACTIONS[action], state=STATES.get(state, state)))
        self.action, self.state = action, state


class CapacityConflict(Conflict):
    """The volume no longer fits what the offer or demand has left after signed contracts."""


F = TypeVar("F", bound=Callable[..., Any])


def rolls_back(action: F) -> F:
    """A refused action ends its transaction, releasing the locks it took."""

    @wraps(action)
    def wrapped(session: Session, *args: Any, **kwargs: Any) -> Any:
        try:
            return action(session, *args, **kwargs)
        except BaseException:
            session.rollback()
            raise

    return cast(F, wrapped)


def term_months(start: str, end: str) -> list[str]:
    first, last = month_index(start), month_index(end)
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(first, last + 1)]


def check_transition(proposal: Proposal, action: str) -> None:
    if proposal.state not in TRANSITIONS[action]:
        raise IllegalTransition(action, proposal.state)


def snapshot(p: Proposal) -> dict[str, Any]:
    """What the audit trail keeps of a proposal before and after an action."""
    return {"state": p.state, "monthly_qty": p.monthly_qty, "reason": p.reason, "deadline": p.deadline,
            "supplier_response": p.supplier_response, "buyer_response": p.buyer_response}


def _staff_proposal(session: Session, viewer: Viewer, proposal_id: int) -> Proposal:
    if not viewer.is_staff:
        raise PermissionDenied()
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(proposal_id)
    run = session.get(MatchingRun, proposal.run_id)
    if run is not None and run.relaxed:
        raise Conflict(_l("A what-if run only shows what a rule costs: its proposals are not reviewed."))
    if proposal.locked:
        raise Conflict(_l("This match was locked because staff approved it in run #%(id)s; answer it there.",
                          id=run.locked_from_run_id if run else ""))
    return proposal


def locked_proposal(session: Session, proposal_id: int) -> Proposal:
    """The proposal re-read after its offer and demand are locked, and locked itself: the state
    it is in now, which a finishing run (supersede) or the sweep (expire) cannot change under us."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(proposal_id)
    lock_listings(session, proposal.offer_id, proposal.demand_id)
    return session.exec(select(Proposal).where(Proposal.id == proposal_id).with_for_update()
                        .execution_options(populate_existing=True)).one()


def check_capacity(session: Session, proposal: Proposal, qty: float) -> None:
    """Raises CapacityConflict naming the side and month that no longer has room for ``qty``."""
    from matchmaker.models import Demand, Offer

    months = term_months(proposal.start, proposal.end)
    offer, demand = session.get(Offer, proposal.offer_id), session.get(Demand, proposal.demand_id)
    for side, listing, label in (("offer", offer, _l("the offer")), ("demand", demand, _l("the demand"))):
        short = shortfall(session, side, listing, qty, months)  # type: ignore[arg-type]
        if short:
            raise CapacityConflict(_l("Not enough left on %(side)s: in %(month)s only %(left)s remain after signed contracts.",
                                      side=label, month=short.split(": ")[0], left=short.split(": ")[1]))


@rolls_back
def approve(session: Session, viewer: Viewer, proposal_id: int, today: date,
            acceptance_days: int = ACCEPTANCE_DAYS) -> Proposal:
    """Raises PermissionDenied, NotFound, IllegalTransition or CapacityConflict."""
    _staff_proposal(session, viewer, proposal_id)
    proposal = locked_proposal(session, proposal_id)
    check_transition(proposal, "approve")
    check_capacity(session, proposal, proposal.monthly_qty)
    before = snapshot(proposal)
    proposal.state = "approved"
    proposal.deadline = today + timedelta(days=acceptance_days)
    proposal.updated_at = utcnow()
    session.add(proposal)
    audit.record(session, viewer.user_id, "approve", "proposal", proposal.id, before, snapshot(proposal))
    for org_id in (proposal.supplier_org_id, proposal.buyer_org_id):
        notify(session, org_id, "proposal_approved", proposal_id=proposal.id)
    session.commit()
    return proposal


def approve_many(session: Session, viewer: Viewer, proposal_ids: list[int], today: date,
                 acceptance_days: int = ACCEPTANCE_DAYS) -> tuple[list[int], dict[int, str]]:
    """Each proposal in its own transaction: the ones that fit are approved, the others are
    returned with the reason (``{id: message}``)."""
    approved: list[int] = []
    refused: dict[int, str] = {}
    for proposal_id in proposal_ids:
        try:
            approve(session, viewer, proposal_id, today, acceptance_days)
            approved.append(proposal_id)
        except (Conflict, NotFound) as error:
            session.rollback()
            refused[proposal_id] = str(error.args[0]) if error.args else ""
    return approved, refused


@rolls_back
def reject(session: Session, viewer: Viewer, proposal_id: int, reason: str) -> Proposal:
    """Raises ValidationError without a reason."""
    _staff_proposal(session, viewer, proposal_id)
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise ValidationError({"reason": _l("Give a reason (at most 500 characters).")})
    proposal = locked_proposal(session, proposal_id)
    check_transition(proposal, "reject")
    before = snapshot(proposal)
    proposal.state, proposal.reason, proposal.updated_at = "rejected", reason, utcnow()
    session.add(proposal)
    audit.record(session, viewer.user_id, "reject", "proposal", proposal.id, before, snapshot(proposal))
    session.commit()
    return proposal


@rolls_back
def forbid(session: Session, viewer: Viewer, proposal_id: int, reason: str) -> Proposal:
    """Rejects the proposal and rules the pair out of every later run."""
    _staff_proposal(session, viewer, proposal_id)
    proposal = locked_proposal(session, proposal_id)
    check_transition(proposal, "forbid")
    reason = (reason or "").strip()[:500]
    before = snapshot(proposal)
    proposal.state, proposal.reason, proposal.updated_at = "forbidden", reason or proposal.reason, utcnow()
    session.add(proposal)
    exists = session.exec(select(ForbiddenPair).where(
        ForbiddenPair.offer_id == proposal.offer_id, ForbiddenPair.demand_id == proposal.demand_id)).first()
    if exists is None:
        session.add(ForbiddenPair(offer_id=proposal.offer_id, demand_id=proposal.demand_id, reason=reason,
                                  created_by=viewer.user_id))
    audit.record(session, viewer.user_id, "forbid", "proposal", proposal.id, before, snapshot(proposal))
    session.commit()
    return proposal


@rolls_back
def reduce(session: Session, viewer: Viewer, proposal_id: int, monthly_qty: float) -> Proposal:
    """A smaller monthly volume, at least both sides' minimum. Raises ValidationError,
    IllegalTransition or CapacityConflict."""
    from matchmaker.models import Demand, Offer

    _staff_proposal(session, viewer, proposal_id)
    proposal = locked_proposal(session, proposal_id)
    check_transition(proposal, "reduce")
    offer, demand = session.get(Offer, proposal.offer_id), session.get(Demand, proposal.demand_id)
    minimum = max(offer.min_monthly_qty, demand.min_monthly_qty, 0.0)  # type: ignore[union-attr]
    if not (monthly_qty > 0 and monthly_qty >= minimum and monthly_qty < proposal.monthly_qty):
        raise ValidationError({"monthly_qty": _l("Between %(low)s and less than %(high)s.",
                                                 low=format(minimum, "g"), high=format(proposal.monthly_qty, "g"))})
    check_capacity(session, proposal, monthly_qty)
    before = snapshot(proposal)
    proposal.monthly_qty = monthly_qty
    proposal.surplus = monthly_qty * proposal.months * proposal.unit_margin
    proposal.updated_at = utcnow()
    session.add(proposal)
    audit.record(session, viewer.user_id, "reduce", "proposal", proposal.id, before, snapshot(proposal))
    session.commit()
    return proposal


def proposals_of_run(session: Session, viewer: Viewer, run_id: int) -> list[Proposal]:
    if not viewer.is_staff:
        raise PermissionDenied()
    return list(session.exec(select(Proposal).where(Proposal.run_id == run_id).order_by(Proposal.id)))


def pending_overlaps(session: Session, viewer: Viewer, proposals: list[Proposal]) -> dict[int, list[Proposal]]:
    """For each proposal awaiting review, the approved proposals of other runs still waiting for
    the parties that share its offer or its demand. A newer run sees only contracted volume, so
    approving both could promise the same tonnes twice if both are accepted; staff decide which
    to keep (acceptance re-checks capacity, so the second contract would be refused at worst)."""
    if not viewer.is_staff:
        raise PermissionDenied()
    waiting = [p for p in proposals if p.state == "proposed" and not p.locked]
    if not waiting:
        return {}
    offers, demands = {p.offer_id for p in waiting}, {p.demand_id for p in waiting}
    approved = list(session.exec(select(Proposal).where(
        Proposal.state == "approved",
        or_(Proposal.offer_id.in_(offers), Proposal.demand_id.in_(demands)),  # type: ignore[attr-defined]
    ).order_by(Proposal.id)))
    out: dict[int, list[Proposal]] = {}
    for p in waiting:
        clash = [a for a in approved if a.run_id != p.run_id and (a.offer_id == p.offer_id or a.demand_id == p.demand_id)]
        if clash:
            out[p.id] = clash  # type: ignore[index]
    return out
