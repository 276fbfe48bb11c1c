"""A newer run supersedes the proposals of older runs still awaiting review.

The market (tests/matching_market.py) yields two proposals per run: O1 -> D1 and O1 -> D2.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import select

from matchmaker import jobs
from matchmaker.db import get_engine
from matchmaker.models import AuditRecord, Proposal
from matchmaker.services import review, runs
from matchmaker.services.review import IllegalTransition
from tests.matching_market import add_proposal, seed_market

TODAY = date(2027, 1, 15)


@pytest.fixture
def market(db, factory):
    return seed_market(db, factory)


def solved_run(app, db, market, key):
    run, _ = runs.start_run(db, market.staff, request_key=key, products=[], time_limit=10, today=TODAY, index_values={})
    assert jobs.execute_run(get_engine(app), run.id) == "finished"
    return run


def states(db, run_id):
    return sorted(p.state for p in db.exec(select(Proposal).where(Proposal.run_id == run_id)))


def test_a_newer_run_supersedes_proposals_awaiting_review(app, db, market):
    old = add_proposal(db, market, market.demand, 300)
    new = solved_run(app, db, market, "new")
    db.refresh(old)
    assert (old.state, old.superseded_by_run_id) == ("superseded", new.id)
    assert states(db, new.id) == ["proposed", "proposed"]


def test_approved_and_answered_proposals_keep_their_state(app, db, market):
    kept = {state: add_proposal(db, market, market.demand, 100, state=state, deadline=date(2027, 1, 22))
            for state in ("approved", "rejected", "forbidden", "declined", "contracted", "expired")}
    solved_run(app, db, market, "new")
    for state, p in kept.items():
        db.refresh(p)
        assert p.state == state and p.superseded_by_run_id is None


def test_a_superseded_proposal_cannot_be_approved(app, db, market):
    old = add_proposal(db, market, market.demand, 300)
    solved_run(app, db, market, "new")
    with pytest.raises(IllegalTransition):
        review.approve(db, market.staff, old.id, TODAY)
    approved, refused = review.approve_many(db, market.staff, [old.id], TODAY)
    assert approved == [] and list(refused) == [old.id]


def test_superseding_is_audited_once_per_older_run(app, db, market):
    first = add_proposal(db, market, market.demand, 300)
    second = add_proposal(db, market, market.demand_b, 100)
    new = solved_run(app, db, market, "new")
    records = db.exec(select(AuditRecord).where(AuditRecord.action == "supersede").order_by(AuditRecord.seq)).all()
    assert [(r.entity, r.entity_id) for r in records] == [("matching_run", first.run_id), ("matching_run", second.run_id)]
    assert json.loads(records[0].before) == {"state": "proposed", "proposals": [first.id]}
    assert json.loads(records[0].after) == {"state": "superseded", "by_run_id": new.id}


def test_a_what_if_run_supersedes_nothing(app, db, market):
    base = solved_run(app, db, market, "base")
    what_if, _ = runs.start_what_if(db, market.staff, request_key="wi", baseline_run_id=base.id, family="shares")
    jobs.execute_run(get_engine(app), what_if.id)
    assert states(db, base.id) == ["proposed", "proposed"]


def test_what_if_proposals_are_left_as_they_are_by_a_newer_run(app, db, market):
    base = solved_run(app, db, market, "base")
    what_if, _ = runs.start_what_if(db, market.staff, request_key="wi", baseline_run_id=base.id, family="shares")
    jobs.execute_run(get_engine(app), what_if.id)
    solved_run(app, db, market, "newer")
    assert states(db, base.id) == ["superseded", "superseded"]
    assert states(db, what_if.id) == ["proposed", "proposed"]


def test_an_older_run_finishing_after_a_newer_one_is_superseded_at_once(app, db, market):
    older, _ = runs.start_run(db, market.staff, request_key="older", products=[], time_limit=10, today=TODAY,
                              index_values={})
    newer = solved_run(app, db, market, "newer")
    jobs.execute_run(get_engine(app), older.id)
    assert states(db, older.id) == ["superseded", "superseded"]
    assert states(db, newer.id) == ["proposed", "proposed"]
    assert {p.superseded_by_run_id for p in db.exec(select(Proposal).where(Proposal.run_id == older.id))} == {newer.id}


def test_a_failed_run_supersedes_nothing(app, db, market):
    old = add_proposal(db, market, market.demand, 300)
    run, _ = runs.start_run(db, market.staff, request_key="f", products=[], time_limit=10, today=TODAY, index_values={})
    jobs.mark_failed(get_engine(app), run.id, "worker lost")
    db.refresh(old)
    assert old.state == "proposed"


def test_review_warns_of_an_approved_proposal_on_the_same_offer_or_demand(app, db, market):
    pending = add_proposal(db, market, market.demand, 300, state="approved", deadline=date(2027, 1, 22))
    new = solved_run(app, db, market, "new")
    proposals = review.proposals_of_run(db, market.staff, new.id)
    overlaps = review.pending_overlaps(db, market.staff, proposals)
    # both new proposals use offer O1, which the pending approval also uses
    assert {pid: [o.id for o in others] for pid, others in overlaps.items()} == {p.id: [pending.id] for p in proposals}


def test_no_warning_once_the_older_approval_is_answered(app, db, market):
    add_proposal(db, market, market.demand, 300, state="contracted")
    add_proposal(db, market, market.demand, 300, state="declined")
    new = solved_run(app, db, market, "new")
    assert review.pending_overlaps(db, market.staff, review.proposals_of_run(db, market.staff, new.id)) == {}
