"""The run review page shows one page of proposals at a time (PAGE_SIZE rows); the state filter,
the bulk approval and the single actions keep to the page; the summary covers the whole run."""

from __future__ import annotations

import pytest
from sqlmodel import select

from matchmaker.models import Demand, Proposal
from tests.matching_market import add_proposal, seed_market

pytestmark = pytest.mark.app_config(MATCHING_EXECUTOR="inline", PAGE_SIZE=3)


@pytest.fixture
def market(db, factory):
    return seed_market(db, factory)


def proposals_in_one_run(db, market, states: list[str]) -> list[Proposal]:
    """One proposal per state, all in the run of the first (ids in the order given), each with a
    demand of its own (a run proposes an offer-demand pair once)."""
    first = add_proposal(db, market, market.demand, 100, state=states[0])
    out = [first]
    for state in states[1:]:
        demand = Demand(org_id=market.demand_b.org_id, product_id="lithium-carbonate", region="fujian",
                        monthly_qty=50, start="2027-01", end="2027-12", price=75_000)
        db.add(demand)
        db.flush()
        p = add_proposal(db, market, demand, 50, state=state)
        p.run_id = first.run_id
        db.add(p)
        out.append(p)
    db.commit()
    return out


def rows(page: str) -> list[str]:
    return [chunk.split('"')[0] for chunk in page.split('<tr id="p')[1:]]


def test_page_2_shows_the_proposals_after_the_first_page(client, auth, db, market):
    ps = proposals_in_one_run(db, market, ["proposed"] * 5)
    auth.login("staff@example.cn")
    first = client.get(f"/matching/runs/{ps[0].run_id}").get_data(as_text=True)
    second = client.get(f"/matching/runs/{ps[0].run_id}?page=2").get_data(as_text=True)
    # 5 proposals, 3 a page: #1-#3, then #4-#5
    assert rows(first) == [str(p.id) for p in ps[:3]]
    assert rows(second) == [str(p.id) for p in ps[3:]]
    assert f'href="/matching/runs/{ps[0].run_id}?page=2"' in first and "第 1 页，共 2 页" in first


def test_the_state_filter_pages_through_the_proposals_in_that_state(client, auth, db, market):
    ps = proposals_in_one_run(db, market, ["rejected", "proposed", "rejected", "rejected", "proposed", "rejected"])
    run_id = ps[0].run_id
    auth.login("staff@example.cn")
    first = client.get(f"/matching/runs/{run_id}?state=rejected").get_data(as_text=True)
    second = client.get(f"/matching/runs/{run_id}?state=rejected&page=2").get_data(as_text=True)
    # 4 rejected (#1, #3, #4, #6): three on page 1, #6 on page 2; the next link keeps the filter
    assert rows(first) == [str(ps[0].id), str(ps[2].id), str(ps[3].id)]
    assert rows(second) == [str(ps[5].id)]
    assert f'href="/matching/runs/{run_id}?state=rejected&amp;page=2"' in first
    # the filter links count the whole run, on every page
    assert "全部 (6)" in second and "(4)" in second and "(2)" in second


def test_a_page_past_the_last_shows_the_last(client, auth, db, market):
    ps = proposals_in_one_run(db, market, ["proposed"] * 4)
    auth.login("staff@example.cn")
    page = client.get(f"/matching/runs/{ps[0].run_id}?page=9").get_data(as_text=True)
    assert rows(page) == [str(ps[3].id)]


def test_the_page_holds_page_size_rows_whatever_the_size_of_the_run(client, auth, db, market):
    ps = proposals_in_one_run(db, market, ["proposed"] * 40)
    auth.login("staff@example.cn")
    page = client.get(f"/matching/runs/{ps[0].run_id}?page=2").get_data(as_text=True)
    # 40 proposals, 3 a page: 3 rows, 3 tick boxes, 3 approve buttons, 14 pages
    assert len(rows(page)) == 3
    assert page.count('name="proposal_ids"') == 3 and page.count('class="approve"') == 3
    assert "第 2 页，共 14 页" in page


def test_bulk_approval_approves_the_ticked_rows_of_this_page_only(client, auth, db, market):
    ps = proposals_in_one_run(db, market, ["proposed"] * 5)
    run_id = ps[0].run_id
    auth.login("staff@example.cn")
    page = client.get(f"/matching/runs/{run_id}?page=2").get_data(as_text=True)
    assert page.count('name="proposal_ids"') == 2  # only this page's rows can be ticked
    assert "只批准本页勾选的行" in page
    response = client.post(f"/matching/runs/{run_id}/approve", data={"proposal_ids": [str(ps[3].id)], "page": "2"})
    assert response.headers["Location"].endswith(f"/matching/runs/{run_id}?page=2")
    db.expire_all()
    # #4 ticked on page 2 is approved; the unticked #5 and every row of page 1 stay proposed
    assert [p.state for p in db.exec(select(Proposal).order_by(Proposal.id))] == ["proposed"] * 3 + ["approved", "proposed"]


def test_bulk_approval_returns_to_the_filtered_page_it_came_from(client, auth, db, market):
    ps = proposals_in_one_run(db, market, ["proposed"] * 5)
    auth.login("staff@example.cn")
    response = client.post(f"/matching/runs/{ps[0].run_id}/approve",
                           data={"proposal_ids": [str(ps[4].id)], "state": "proposed", "page": "2"})
    assert response.headers["Location"].endswith(f"/matching/runs/{ps[0].run_id}?state=proposed&page=2")


def test_acting_on_one_proposal_returns_to_its_page(client, auth, db, market):
    ps = proposals_in_one_run(db, market, ["proposed"] * 5)
    auth.login("staff@example.cn")
    response = client.post(f"/matching/proposals/{ps[4].id}/reject", data={"reason": "credit risk"})
    # #5 is the second row of page 2
    assert response.headers["Location"].endswith(f"/matching/runs/{ps[0].run_id}?page=2#p{ps[4].id}")


@pytest.mark.app_config(MATCHING_EXECUTOR="inline", PAGE_SIZE=1)
def test_the_per_product_summary_covers_the_whole_run_not_the_page(client, auth, market):
    auth.login("staff@example.cn")
    client.post("/matching/runs", data={"request_key": "k", "time_limit": "10"})
    page = client.get("/matching/runs/1").get_data(as_text=True)
    summary = page.split('<table class="summary">')[1].split("</table>")[0]
    # one row on the page, but the summary's matched volume is both proposals:
    # (300 t + 100 t) x 12 months = 4,800 t
    assert len(rows(page)) == 1
    assert summary.count('<td class="num">4,800 吨</td>') == 2


def test_the_summary_of_a_finished_run_is_worked_out_once_not_on_every_page(client, auth, market, monkeypatch):
    from matchmaker.services import explain, review_pages

    review_pages._explained.cache_clear()
    calls = []
    original = explain.product_summary
    monkeypatch.setattr(explain, "product_summary", lambda m, r: calls.append(1) or original(m, r))
    auth.login("staff@example.cn")
    client.post("/matching/runs", data={"request_key": "k", "time_limit": "10"})
    for url in ("/matching/runs/1", "/matching/runs/1?page=2", "/matching/runs/1?state=proposed"):
        assert '<table class="summary">' in client.get(url).get_data(as_text=True)
    assert len(calls) == 1
