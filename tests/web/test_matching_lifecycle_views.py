"""The lifecycle through the pages: superseded proposals, overlap warnings, reminders, expiry.

TODAY is pinned to 2027-01-15 (tests/conftest.py); runs are solved inline.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from matchmaker.models import Notification, Proposal
from tests.matching_market import add_proposal, seed_market

pytestmark = pytest.mark.app_config(MATCHING_EXECUTOR="inline")


@pytest.fixture
def market(db, factory):
    return seed_market(db, factory)


def start_run(client, key):
    response = client.post("/matching/runs", data={"request_key": key, "time_limit": "10"})
    assert response.status_code == 303
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_an_older_run_shows_its_proposals_superseded_and_refuses_to_approve_them(client, auth, db, market):
    old = add_proposal(db, market, market.demand, 300)
    auth.login("staff@example.cn")
    new_run = start_run(client, "new")
    page = client.get(f"/matching/runs/{old.run_id}").get_data(as_text=True)
    assert '<span class="badge superseded">已被取代</span>' in page
    assert f'href="/matching/runs/{new_run}">#{new_run}</a>' in page and 'id="superseded"' in page
    assert 'name="proposal_ids"' not in page  # nothing left to tick for approval
    response = client.post(f"/matching/proposals/{old.id}/approve")
    assert response.status_code == 409 and "已被取代" in response.get_data(as_text=True)


def test_a_new_proposal_sharing_an_offer_with_a_pending_approval_is_flagged(client, auth, db, market):
    pending = add_proposal(db, market, market.demand, 300, state="approved", deadline=date(2027, 1, 22))
    auth.login("staff@example.cn")
    new_run = start_run(client, "new")
    page = client.get(f"/matching/runs/{new_run}").get_data(as_text=True)
    assert page.count(f"与撮合建议 #{pending.id} 涉及同一供应") == 2  # both new proposals use offer O1
    assert f'href="/matching/runs/{pending.run_id}#p{pending.id}"' in page


def test_the_proposals_of_a_run_can_be_filtered_by_state(client, auth, db, market):
    auth.login("staff@example.cn")
    run_id = start_run(client, "new")
    first = db.exec(select(Proposal).where(Proposal.run_id == run_id).order_by(Proposal.id)).first()
    client.post(f"/matching/proposals/{first.id}/reject", data={"reason": "credit risk"})
    page = client.get(f"/matching/runs/{run_id}?state=rejected").get_data(as_text=True)
    assert f'id="p{first.id}"' in page and page.count('<tr id="p') == 1
    assert 'id="state-filter"' in page and "全部 (2)" in page


def test_opening_the_inbox_gives_a_reminder_once(client, auth, db, market):
    p = add_proposal(db, market, market.demand, 300, state="approved", deadline=date(2027, 1, 17))  # 2 days left
    auth.login("buyer@example.cn")
    for _ in range(2):
        page = client.get("/inbox").get_data(as_text=True)
        assert page.count("撮合建议的答复期限即将到期。") == 1
    assert [(n.org_id, n.kind) for n in db.exec(select(Notification))] == [(market.buyer.org_id, "deadline_near")]
    assert f'href="/proposals/{p.id}"' in page


@pytest.mark.app_config(MATCHING_EXECUTOR="inline", DEADLINE_REMINDER_DAYS=1)
def test_the_reminder_window_comes_from_the_config(client, auth, db, market):
    add_proposal(db, market, market.demand, 300, state="approved", deadline=date(2027, 1, 17))  # 2 days > 1
    auth.login("buyer@example.cn")
    assert "撮合建议的答复期限即将到期。" not in client.get("/inbox").get_data(as_text=True)


def test_an_overdue_proposal_is_expired_when_an_inbox_is_opened(client, auth, db, market):
    p = add_proposal(db, market, market.demand, 300, state="approved", deadline=date(2027, 1, 14))
    auth.login("staff@example.cn")
    page = client.get("/inbox").get_data(as_text=True)
    assert "一项撮合建议已过期" in page and f'href="/matching/runs/{p.run_id}#p{p.id}"' in page
    auth.logout()
    auth.login("seller@example.cn")
    assert "一项撮合建议已过期" in client.get("/inbox").get_data(as_text=True)
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "已过答复期限" in page and 'action="/proposals/' not in page
