"""The parties' side: each sees only the approved proposals it is party to, and answers them.

Before both accept, a party never sees the other side's bid or ask, only the agreed unit price
of its own match; the contract then states both price legs (see ``contract_terms`` on why).
When the second party accepts, the contract is created in the same transaction, after the
remaining capacity and demand are re-checked under ``lock_listings``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_
from sqlmodel import Session, select

from matchmaker.models import (
    Contract,
    Demand,
    MatchingRun,
    Offer,
    Organisation,
    Proposal,
    ScheduleLine,
)
from matchmaker.models.base import utcnow
from matchmaker.services import audit
from matchmaker.services.contract_terms import terms_for
from matchmaker.services.errors import Conflict, NotFound, PermissionDenied
from matchmaker.services.notifications import notify
from matchmaker.services.review import (
    check_capacity,
    check_transition,
    locked_proposal,
    rolls_back,
    snapshot,
    term_months,
)
from matchmaker.services.viewer import Viewer

VISIBLE_TO_PARTIES = ("approved", "contracted", "declined", "expired")


@dataclass(frozen=True)
class PartyProposal:
    """A proposal as one party sees it: no bid, ask, margin, freight or surplus.

    ``price_basis`` is what the contract will be: ``fixed``, or ``split`` when either listing is
    index-linked (re-set monthly; ``contract_terms``). A party must know that before it accepts;
    the formulas themselves are stated in the contract only.
    """

    id: int
    role: str  # supplier | buyer
    counterparty: str
    product_id: str
    monthly_qty: float
    start: str
    end: str
    months: int
    price: float
    origin_region: str
    delivery_region: str
    deadline: date | None
    own_response: str
    other_response: str
    state: str
    expired: bool
    price_basis: str


def _party_view(session: Session, viewer: Viewer, p: Proposal, today: date) -> PartyProposal:
    supplier = p.supplier_org_id == viewer.org_id
    other = session.get(Organisation, p.buyer_org_id if supplier else p.supplier_org_id)
    offer, demand = session.get(Offer, p.offer_id), session.get(Demand, p.demand_id)
    return PartyProposal(
        id=p.id, role="supplier" if supplier else "buyer", counterparty=other.name if other else "",  # type: ignore[arg-type]
        product_id=p.product_id, monthly_qty=p.monthly_qty, start=p.start, end=p.end, months=p.months,
        price=p.price, origin_region=offer.region, delivery_region=demand.region,  # type: ignore[union-attr]
        deadline=p.deadline, own_response=p.supplier_response if supplier else p.buyer_response,
        other_response=p.buyer_response if supplier else p.supplier_response, state=p.state,
        expired=p.state == "expired" or (p.state == "approved" and p.deadline is not None and p.deadline < today),
        price_basis="split" if "index" in (offer.price_basis, demand.price_basis) else "fixed",  # type: ignore[union-attr]
    )


def party_proposals(session: Session, viewer: Viewer, today: date) -> list[PartyProposal]:
    query = select(Proposal).where(
        Proposal.state.in_(VISIBLE_TO_PARTIES),  # type: ignore[attr-defined]
        or_(Proposal.supplier_org_id == viewer.org_id, Proposal.buyer_org_id == viewer.org_id),
    ).order_by(Proposal.id.desc())  # type: ignore[union-attr]
    return [_party_view(session, viewer, p, today) for p in session.exec(query)]


def party_proposal(session: Session, viewer: Viewer, proposal_id: int, today: date) -> PartyProposal:
    """Raises NotFound for a proposal the viewer's organisation is not party to, or not yet approved."""
    p = session.get(Proposal, proposal_id)
    if p is None or p.state not in VISIBLE_TO_PARTIES or viewer.org_id not in (p.supplier_org_id, p.buyer_org_id):
        raise NotFound(proposal_id)
    return _party_view(session, viewer, p, today)


@rolls_back
def respond(session: Session, viewer: Viewer, proposal_id: int, accept: bool, today: date) -> Proposal:
    """Records the viewer's organisation's answer; creates the contract when both accepted.

    Raises NotFound (not a party), PermissionDenied (not a trading member), IllegalTransition
    (not approved, or already answered), Conflict (deadline passed) or CapacityConflict.
    """
    party_proposal(session, viewer, proposal_id, today)
    if not viewer.may_trade:
        raise PermissionDenied()
    proposal = locked_proposal(session, proposal_id)
    action = "accept" if accept else "decline"
    check_transition(proposal, action)
    side = "supplier_response" if proposal.supplier_org_id == viewer.org_id else "buyer_response"
    if getattr(proposal, side) != "pending":
        raise Conflict(_l("Your organisation has already answered this proposal."))
    if proposal.deadline is not None and proposal.deadline < today:
        raise Conflict(_l("The deadline to answer this proposal has passed."))
    before = snapshot(proposal)
    other_org = proposal.buyer_org_id if side == "supplier_response" else proposal.supplier_org_id
    if accept:
        check_capacity(session, proposal, proposal.monthly_qty)
    setattr(proposal, side, "accepted" if accept else "declined")
    proposal.updated_at = utcnow()
    contract = None
    if not accept:
        proposal.state = "declined"
        notify(session, other_org, "proposal_declined", proposal_id=proposal.id)
        notify(session, None, "proposal_declined", proposal_id=proposal.id)
    elif proposal.supplier_response == proposal.buyer_response == "accepted":
        proposal.state = "contracted"
        contract = create_contract(session, proposal)
    else:
        notify(session, other_org, "acceptance_needed", proposal_id=proposal.id)
    session.add(proposal)
    audit.record(session, viewer.user_id, action, "proposal", proposal.id, before, snapshot(proposal))
    if contract is not None:
        audit.record(session, viewer.user_id, "create_contract", "contract", contract.id, None,
                     {"proposal_id": proposal.id, "monthly_qty": contract.monthly_qty, "start": contract.start,
                      "end": contract.end, "unit_price": contract.unit_price,
                      "price_basis": contract.price_basis})
    session.commit()
    return proposal


def create_contract(session: Session, proposal: Proposal) -> Contract:
    """The contract and one schedule line per month of the term, in the caller's transaction.

    Fixed ask and fixed bid make a fixed contract at the agreed price. When either is
    index-linked, the contract copies both formulas and the freight and is priced each month at
    ``1/2 x ask + 1/2 x bid + 1/2 x freight`` (``contract_terms``); a fixed leg keeps the price
    the run used, so at the run's index values the formula gives exactly the agreed price.
    """
    offer, demand = session.get(Offer, proposal.offer_id), session.get(Demand, proposal.demand_id)
    run = session.get(MatchingRun, proposal.run_id)
    market = json.loads(run.market or "{}") if run else {}
    run_prices = {row["id"]: row["price"] for key in ("offers", "demands") for row in market.get(key, [])
                  if "id" in row and "price" in row}
    terms = terms_for(proposal, offer, demand, run_prices)  # type: ignore[arg-type]
    contract = Contract(
        proposal_id=proposal.id, offer_id=proposal.offer_id, demand_id=proposal.demand_id,  # type: ignore[arg-type]
        supplier_org_id=proposal.supplier_org_id, buyer_org_id=proposal.buyer_org_id, product_id=proposal.product_id,
        origin_region=offer.region, delivery_region=demand.region, delivery_terms=demand.delivery_terms,  # type: ignore[union-attr]
        monthly_qty=proposal.monthly_qty, start=proposal.start, end=proposal.end, unit_price=proposal.price,
        **terms,  # type: ignore[arg-type]
    )
    session.add(contract)
    session.flush()
    for month in term_months(proposal.start, proposal.end):
        session.add(ScheduleLine(contract_id=contract.id, month=month, qty=proposal.monthly_qty))  # type: ignore[arg-type]
    for org_id in (proposal.supplier_org_id, proposal.buyer_org_id):
        notify(session, org_id, "contract_created", proposal_id=proposal.id, contract_id=contract.id)
    return contract
