"""Deadlines of approved proposals: one reminder per party when near, expiry when passed.

Approved on 2027-01-15 with 7 days to answer, a proposal's deadline is 2027-01-22. With the
default of 2 days, the parties that have not answered are reminded from 2027-01-20 on, once; on
2027-01-23 an unanswered proposal expires and both parties and staff are told.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from matchmaker.models import AuditRecord, Notification, Proposal
from matchmaker.services import acceptance, lifecycle, notifications, review
from matchmaker.services.errors import NotFound
from matchmaker.services.review import IllegalTransition
from tests.matching_market import add_proposal, seed_market

NOW = datetime(2027, 1, 20, 2, 0, tzinfo=UTC)
DEADLINE = date(2027, 1, 22)


@pytest.fixture
def market(db, factory):
    return seed_market(db, factory)


@pytest.fixture
def approved(db, market):
    return add_proposal(db, market, market.demand, 300, state="approved", deadline=DEADLINE)


def notices(db, kind):
    return [(n.org_id, n.proposal_id) for n in db.exec(select(Notification).where(Notification.kind == kind)
                                                       .order_by(Notification.id))]


def remind(db, today, days=2):
    return lifecycle.remind_deadlines(db, today, days, NOW)


def test_no_reminder_while_the_deadline_is_more_than_two_days_away(db, approved):
    assert remind(db, date(2027, 1, 19)) == 0  # 3 days left
    assert notices(db, "deadline_near") == []


def test_two_days_before_the_deadline_both_parties_are_reminded(db, market, approved):
    assert remind(db, date(2027, 1, 20)) == 2
    assert notices(db, "deadline_near") == [(market.seller.org_id, approved.id), (market.buyer.org_id, approved.id)]


def test_each_party_is_reminded_once(db, market, approved):
    remind(db, date(2027, 1, 20))
    assert remind(db, date(2027, 1, 21)) == 0
    assert remind(db, date(2027, 1, 22)) == 0  # the last day to answer
    assert len(notices(db, "deadline_near")) == 2
    db.refresh(approved)
    assert approved.supplier_reminded_at is not None and approved.buyer_reminded_at is not None


def test_a_party_that_has_answered_is_not_reminded(db, market, approved):
    acceptance.respond(db, market.buyer, approved.id, True, date(2027, 1, 16))
    assert remind(db, date(2027, 1, 20)) == 1
    assert notices(db, "deadline_near") == [(market.seller.org_id, approved.id)]


def test_the_reminder_window_is_configurable(db, approved):
    assert remind(db, date(2027, 1, 17), days=5) == 2  # 5 days left
    assert lifecycle.SweepSettings.from_config({"DEADLINE_REMINDER_DAYS": 5}).reminder_days == 5
    assert lifecycle.SweepSettings.from_config({}).reminder_days == 2


def test_only_approved_proposals_are_reminded(db, market):
    for state in ("proposed", "declined", "contracted", "superseded"):
        add_proposal(db, market, market.demand, 100, state=state, deadline=DEADLINE)
    assert remind(db, date(2027, 1, 21)) == 0


def test_opening_an_inbox_reminds_only_its_organisation(db, market, approved):
    lifecycle.sweep_deadlines(db, market.buyer.org_id, date(2027, 1, 21), lifecycle.SweepSettings(), NOW)
    assert notices(db, "deadline_near") == [(market.buyer.org_id, approved.id)]
    inbox = notifications.inbox(db, market.buyer)
    assert [(n.kind, n.proposal_id, n.deadline, n.unread) for n in inbox] == [
        ("deadline_near", approved.id, DEADLINE, True)]
    assert notifications.inbox(db, market.seller) == []  # the seller has not looked yet


def test_after_the_deadline_an_unanswered_proposal_expires(db, market, approved):
    assert lifecycle.expire_overdue(db, date(2027, 1, 22), NOW) == 0  # the last day to answer
    assert lifecycle.expire_overdue(db, date(2027, 1, 23), NOW) == 1
    db.refresh(approved)
    assert approved.state == "expired"
    assert notices(db, "proposal_expired") == [(market.seller.org_id, approved.id), (market.buyer.org_id, approved.id),
                                               (None, approved.id)]


def test_a_half_accepted_proposal_expires_too(db, market, approved):
    acceptance.respond(db, market.buyer, approved.id, True, date(2027, 1, 16))
    assert lifecycle.expire_overdue(db, date(2027, 1, 23), NOW) == 1
    db.refresh(approved)
    assert (approved.state, approved.buyer_response, approved.supplier_response) == ("expired", "accepted", "pending")


def test_expiry_is_audited_once_however_often_the_sweep_runs(db, approved):
    lifecycle.expire_overdue(db, date(2027, 1, 23), NOW)
    assert lifecycle.expire_overdue(db, date(2027, 1, 24), NOW) == 0
    records = db.exec(select(AuditRecord).where(AuditRecord.action == "expire")).all()
    assert [(r.entity, r.entity_id, r.user_id) for r in records] == [("proposal", approved.id, None)]
    assert '"state":"approved"' in records[0].before and '"state":"expired"' in records[0].after
    assert len(notices(db, "proposal_expired")) == 3


@pytest.mark.parametrize("state", ["proposed", "rejected", "forbidden", "declined", "contracted", "superseded"])
def test_only_an_approved_proposal_can_expire(db, market, state):
    assert state not in review.TRANSITIONS["expire"]
    p = add_proposal(db, market, market.demand, 300, state=state, deadline=date(2027, 1, 10))
    assert lifecycle.expire_overdue(db, date(2027, 1, 23), NOW) == 0
    db.refresh(p)
    assert p.state == state


@pytest.mark.parametrize("accept", [True, False])
def test_an_expired_proposal_can_no_longer_be_answered(db, market, approved, accept):
    lifecycle.expire_overdue(db, date(2027, 1, 23), NOW)
    with pytest.raises(IllegalTransition):
        acceptance.respond(db, market.buyer, approved.id, accept, date(2027, 1, 15))
    db.refresh(approved)
    assert approved.state == "expired" and approved.buyer_response == "pending"


@pytest.mark.parametrize("action", ["approve", "reject", "forbid", "reduce"])
def test_staff_cannot_act_on_an_expired_proposal(db, market, approved, action):
    lifecycle.expire_overdue(db, date(2027, 1, 23), NOW)
    act = {"approve": lambda: review.approve(db, market.staff, approved.id, date(2027, 1, 23)),
           "reject": lambda: review.reject(db, market.staff, approved.id, "late"),
           "forbid": lambda: review.forbid(db, market.staff, approved.id, "late"),
           "reduce": lambda: review.reduce(db, market.staff, approved.id, 100)}[action]
    with pytest.raises(IllegalTransition):
        act()


def test_the_parties_still_see_an_expired_proposal_marked_so(db, market, approved):
    lifecycle.expire_overdue(db, date(2027, 1, 23), NOW)
    view = acceptance.party_proposal(db, market.seller, approved.id, date(2027, 1, 23))
    assert view.state == "expired" and view.expired
    with pytest.raises(NotFound):
        acceptance.party_proposal(db, market.outsider, approved.id, date(2027, 1, 23))


def test_the_sweep_reminds_and_expires_with_the_configured_today(db, market, approved):
    late = add_proposal(db, market, market.demand_b, 100, state="approved", deadline=date(2027, 1, 19))
    report = lifecycle.sweep(db, NOW, lifecycle.today_in({"TODAY": "2027-01-20"}, NOW), lifecycle.SweepSettings())
    assert (report.failed_runs, report.reminders, report.expired) == (0, 2, 1)
    db.refresh(late)
    assert late.state == "expired" and db.get(Proposal, approved.id).state == "approved"


def test_today_is_counted_in_china(db):
    # 2027-01-20 17:00 UTC is already 2027-01-21 01:00 in Beijing
    assert lifecycle.today_in({}, datetime(2027, 1, 20, 17, 0, tzinfo=UTC)) == date(2027, 1, 21)
