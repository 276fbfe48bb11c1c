"""The matching loop through the pages: staff run and review, parties answer, contracts appear.

Runs are solved inline here (MATCHING_EXECUTOR=inline), so a test reads the finished run at once;
the thread and RQ executors are tested in tests/services/test_matching_jobs.py.
"""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from matchmaker.models import Contract, MatchingRun, Proposal
from tests.matching_market import add_proposal, seed_market

pytestmark = pytest.mark.app_config(MATCHING_EXECUTOR="inline")


@pytest.fixture
def market(db, factory):
    return seed_market(db, factory)


def start_run(client, key="form-1", **extra):
    return client.post("/matching/runs", data={"request_key": key, "time_limit": "10", **extra})


def test_staff_start_a_run_and_see_the_proposals(client, auth, db, market):
    auth.login("staff@example.cn")
    response = start_run(client)
    assert response.status_code == 303 and response.headers["Location"].endswith("/matching/runs/1")
    page = client.get("/matching/runs/1").get_data(as_text=True)
    # O1 -> D1: 300 t at 73,500 (surplus 300 x 12 x 5,000 = 18,000,000); O1 -> D2: 100 t at 73,000
    assert "Ningde Cathode" in page and "Xiamen Cathode" in page
    assert "73,500" in page and "18,000,000" in page and "73,000" in page
    assert "最优" in page  # status optimal, in Chinese by default


def test_the_same_form_sent_twice_starts_one_run(client, auth, db, market):
    auth.login("staff@example.cn")
    start_run(client)
    start_run(client)
    assert len(db.exec(select(MatchingRun)).all()) == 1


def test_the_market_file_of_a_run_can_be_downloaded(client, auth, market):
    auth.login("staff@example.cn")
    start_run(client)
    response = client.get("/matching/runs/1/market.json")
    assert "attachment" in response.headers["Content-Disposition"]
    assert json.loads(response.get_data(as_text=True))["format"] == "lithium-market/1"
    assert json.loads(client.get("/matching/runs/1/result.json").get_data(as_text=True))["format"] == "lithium-matches/1"


def test_a_bad_time_limit_is_shown_on_the_form(client, auth, market):
    auth.login("staff@example.cn")
    response = start_run(client, time_limit="0")
    assert response.status_code == 400 and "秒之间" in response.get_data(as_text=True)


def test_members_cannot_run_or_review(client, auth, db, market):
    p = add_proposal(db, market, market.demand, 300)
    auth.login("seller@example.cn")
    assert client.get("/matching").status_code == 403
    assert start_run(client).status_code == 403
    assert client.post(f"/matching/proposals/{p.id}/approve").status_code == 403


def test_review_actions(client, auth, db, market):
    a = add_proposal(db, market, market.demand, 300)
    b = add_proposal(db, market, market.demand_b, 100)
    auth.login("staff@example.cn")
    assert client.post(f"/matching/proposals/{a.id}/reduce", data={"monthly_qty": "250"}).status_code == 303
    assert client.post(f"/matching/proposals/{a.id}/approve").status_code == 303
    assert client.post(f"/matching/proposals/{b.id}/reject", data={"reason": "credit risk"}).status_code == 303
    db.refresh(a)
    db.refresh(b)
    assert (a.state, a.monthly_qty, b.state, b.reason) == ("approved", 250, "rejected", "credit risk")


def test_an_illegal_transition_is_a_409_with_the_reason(client, auth, db, market):
    p = add_proposal(db, market, market.demand, 300, state="rejected")
    auth.login("staff@example.cn")
    response = client.post(f"/matching/proposals/{p.id}/approve")
    assert response.status_code == 409 and "已驳回" in response.get_data(as_text=True)


def test_bulk_approval(client, auth, db, market):
    a = add_proposal(db, market, market.demand, 300)
    b = add_proposal(db, market, market.demand_b, 100)
    other_run = add_proposal(db, market, market.demand_b, 50)
    b.run_id = a.run_id
    db.add(b)
    db.commit()
    auth.login("staff@example.cn")
    client.post(f"/matching/runs/{a.run_id}/approve", data={"proposal_ids": [str(a.id), str(b.id), str(other_run.id)]})
    db.expire_all()
    assert [p.state for p in db.exec(select(Proposal).order_by(Proposal.id))] == ["approved", "approved", "proposed"]


def test_rerun_locks_the_approved_matches(client, auth, db, market):
    auth.login("staff@example.cn")
    start_run(client)
    first = db.exec(select(Proposal).where(Proposal.demand_id == market.demand_b.id)).one()
    client.post(f"/matching/proposals/{first.id}/approve")
    db.expire_all()
    client.post("/matching/runs/1/rerun", data={"request_key": "form-2", "time_limit": "10"})
    run = db.get(MatchingRun, 2)
    locked = json.loads(run.market)["locked"]
    assert locked == [{"offer": f"O{market.offer.id}", "demand": f"D{market.demand_b.id}", "monthly_qty": 100.0}]
    second = db.exec(select(Proposal).where(Proposal.run_id == 2, Proposal.demand_id == market.demand_b.id)).one()
    assert second.locked and second.monthly_qty == 100
    # the match is answered where it was approved: approving its locked copy would contract it twice
    response = client.post(f"/matching/proposals/{second.id}/approve")
    assert response.status_code == 409 and "#1" in response.get_data(as_text=True)


def test_both_parties_accept_and_see_the_contract(client, auth, db, market):
    p = add_proposal(db, market, market.demand, 300, state="approved", deadline=__import__("datetime").date(2027, 1, 22))
    auth.login("buyer@example.cn")
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "73,500" in page and "Ganzhou Lithium" in page
    assert "71,000" not in page and "76,000" not in page  # neither the ask nor the buyer's own bid
    client.post(f"/proposals/{p.id}/accept")
    auth.logout()
    auth.login("seller@example.cn")
    assert "71,000" not in client.get(f"/proposals/{p.id}").get_data(as_text=True)
    response = client.post(f"/proposals/{p.id}/accept")
    assert response.status_code == 303
    contract = db.exec(select(Contract)).one()
    page = client.get(f"/contracts/{contract.id}").get_data(as_text=True)
    assert "2027年1月" in page and "2027年12月" in page and page.count("300 吨") == 12
    csv = client.get(f"/contracts/{contract.id}.csv").get_data(as_text=True)
    assert len(csv.strip().splitlines()) == 13
    assert "合同已生成" in client.get("/inbox").get_data(as_text=True)


def test_other_organisations_see_nothing(client, auth, db, market):
    p = add_proposal(db, market, market.demand, 300, state="approved", deadline=__import__("datetime").date(2027, 1, 22))
    auth.login("outsider@example.cn")
    assert client.get(f"/proposals/{p.id}").status_code == 404
    assert client.post(f"/proposals/{p.id}/accept").status_code == 404
    assert "Ningde" not in client.get("/proposals").get_data(as_text=True)


def test_a_proposal_under_review_is_not_shown_to_parties(client, auth, db, market):
    p = add_proposal(db, market, market.demand, 300)
    auth.login("buyer@example.cn")
    assert client.get(f"/proposals/{p.id}").status_code == 404


def test_a_capacity_conflict_is_a_409_with_a_clear_message(client, auth, db, market):
    from datetime import date

    a = add_proposal(db, market, market.demand, 300, state="approved", deadline=date(2027, 1, 22), buyer_response="accepted")
    b = add_proposal(db, market, market.demand_b, 200, state="approved", deadline=date(2027, 1, 22), buyer_response="accepted")
    auth.login("seller@example.cn")
    client.post(f"/proposals/{a.id}/accept")
    response = client.post(f"/proposals/{b.id}/accept")
    assert response.status_code == 409 and "余量不足" in response.get_data(as_text=True)


def test_pages_in_english(client, auth, market):
    auth.login("staff@example.cn")
    client.post("/language", data={"lang": "en"})
    start_run(client)
    page = client.get("/matching/runs/1").get_data(as_text=True)
    assert "Proposed matches" in page and "optimal" in page and "Surplus over the term" in page


def test_the_run_page_explains_and_summarises(client, auth, market):
    auth.login("staff@example.cn")
    client.post("/language", data={"lang": "en"})
    start_run(client)
    page = client.get("/matching/runs/1").get_data(as_text=True)
    # O1 -> D1 takes 300 t, then the offer is full; D2 gets the last 100 t. The greedy match by
    # hand does the same here: 22,800,000 both ways, nothing added.
    assert "offer capacity full in 2027-01–2027-12" in page and "demand fully covered in 2027-01–2027-12" in page
    assert page.count("22,800,000") >= 3


def test_a_what_if_run_shows_what_a_rule_costs(client, auth, db, market):
    market.demand.min_monthly_qty = 350  # more than D1 wants (300 t): D1 cannot match at all
    db.add(market.demand)
    db.commit()
    auth.login("staff@example.cn")
    start_run(client)
    # With D1's minimum of 350 t it is left out; O1 sells D2 300 t: 300 x 12 x 4,000 = 14,400,000.
    # Without minimum volumes, D1 takes 300 t at 5,000 and D2 100 t: 22,800,000, so the rule costs 8,400,000.
    response = client.post("/matching/runs/1/what-if", data={"request_key": "w1", "relax": "min_volumes"})
    assert response.headers["Location"].endswith("/matching/runs/2")
    page = client.get("/matching/compare?a=1&b=2").get_data(as_text=True)
    assert "14,400,000" in page and "22,800,000" in page and 'id="total-difference">8,400,000<' in page
    what_if = db.exec(select(Proposal).where(Proposal.run_id == 2)).first()
    assert client.post(f"/matching/proposals/{what_if.id}/approve").status_code == 409


def test_a_run_whose_job_stopped_is_shown_failed_with_the_reason(client, auth, db, market):
    from datetime import UTC, datetime, timedelta

    # silent for 5 minutes: more than its 10 s time limit plus the default 120 s slack
    db.add(MatchingRun(request_key="dead", created_by=market.staff.user_id, state="running", time_limit=10,
                       heartbeat_at=datetime.now(UTC) - timedelta(minutes=5), market="{}"))
    db.commit()
    auth.login("staff@example.cn")
    page = client.get("/matching/runs/1").get_data(as_text=True)
    assert '<span class="badge failed" id="run-state">失败</span>' in page
    assert "the job stopped without finishing: no progress for more than 130 s" in page


def test_staff_inbox_links_a_declined_proposal_to_its_run(client, auth, db, market):
    from datetime import date

    p = add_proposal(db, market, market.demand, 300, state="approved", deadline=date(2027, 1, 22))
    auth.login("seller@example.cn")
    client.post(f"/proposals/{p.id}/decline")
    auth.logout()
    auth.login("staff@example.cn")
    page = client.get("/inbox").get_data(as_text=True)
    assert "一项撮合建议被拒绝" in page and f'href="/matching/runs/{p.run_id}#p{p.id}"' in page


@pytest.mark.parametrize(("lang", "shown"), [("zh", "整数模型：分支定界搜索"), ("en", "MIP: search")])
def test_a_running_run_shows_the_solver_phase_in_the_page_language(client, auth, db, market, lang, shown):
    from datetime import UTC, datetime

    db.add(MatchingRun(request_key="live", created_by=market.staff.user_id, state="running", time_limit=60,
                       phase="mip: search", elapsed=12.5, heartbeat_at=datetime.now(UTC), market="{}"))
    db.commit()
    auth.login("staff@example.cn")
    client.post("/language", data={"lang": lang})
    page = client.get("/matching/runs/1").get_data(as_text=True)
    assert f'<dd id="run-phase">{shown}</dd>' in page


def test_the_per_product_summary_gives_each_volume_its_products_unit(client, auth, market):
    auth.login("staff@example.cn")
    start_run(client)
    summary = client.get("/matching/runs/1").get_data(as_text=True).split('<table class="summary">')[1].split("</table>")[0]
    # offered 400 t x 12 months = 4,800 t; demanded 2 x 300 t x 12 = 7,200 t; matched: all of the offer
    assert summary.count('<td class="num">4,800 吨</td>') == 2 and '<td class="num">7,200 吨</td>' in summary


def test_compared_runs_give_each_pairs_product_and_volumes_in_its_unit(client, auth, db, market):
    market.demand.min_monthly_qty = 350  # D1 left out of run 1, not of the what-if run without minimum volumes
    db.add(market.demand)
    db.commit()
    auth.login("staff@example.cn")
    start_run(client)
    client.post("/matching/runs/1/what-if", data={"request_key": "w1", "relax": "min_volumes"})
    page = client.get("/matching/compare?a=1&b=2").get_data(as_text=True)
    pairs = page.split('<table class="compare-pairs">')[1].split("</table>")[0]
    # O1 -> D1: nothing in run 1, 300 t in run 2; O1 -> D2: 300 t, then 100 t
    assert pairs.count("<td>电池级碳酸锂</td>") == 2
    assert '<td class="num">0 吨</td><td class="num">300 吨</td>' in pairs
    assert '<td class="num">300 吨</td><td class="num">100 吨</td>' in pairs
