"""Staff's matching analysis through the API: what-if runs, re-runs with approved matches
locked, approving several proposals, the result file and two runs compared (the market of
``tests.matching_market``: one seller, 400 t/month; buyers D1 at a 5,000 margin, D2 at 4,000)."""

import json

import pytest
from sqlmodel import select

from matchmaker.models import AuditRecord, MatchingRun, Proposal
from matchmaker.services import tokens
from tests.matching_market import add_proposal, seed_market
from tests.web.api_helpers import bearer

pytestmark = pytest.mark.app_config(MATCHING_EXECUTOR="inline")


def token(db, viewer, scope="read-write"):  # type: ignore[no-untyped-def]
    return bearer(tokens.create_token(db, viewer, {"name": "script", "scope": scope})[1])


@pytest.fixture
def market(db, factory):
    return seed_market(db, factory)


@pytest.fixture
def staff(db, market):
    return token(db, market.staff)


def start(client, staff, key="erp-1"):  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/runs", headers=staff, json={"request_key": key, "time_limit": 10})
    assert response.status_code == 201
    return response.get_json()["id"]


def test_a_what_if_run_and_the_comparison_show_what_a_rule_costs(client, db, market, staff):
    market.demand.min_monthly_qty = 350  # more than D1 wants (300 t): D1 cannot match at all
    db.add(market.demand)
    db.commit()
    first = start(client, staff)
    what_if = client.post(f"/api/v1/runs/{first}/what-if", headers=staff, json={"request_key": "w1", "relax": "min_volumes"})
    assert what_if.status_code == 201
    run = what_if.get_json()
    assert (run["baseline_run_id"], run["relaxed"], run["state"]) == (first, "min_volumes", "finished")
    compared = client.get(f"/api/v1/runs/compare?a={first}&b={run['id']}", headers=staff).get_json()
    freight = db.exec(select(Proposal).where(Proposal.run_id == first)).one().freight  # CNY/t Jiangxi -> Fujian
    # With the minimum, O1 sells D2 300 t: 300 x 12 x (4,000 - freight). Without it, D1 takes
    # 300 t at 5,000 and D2 the last 100 t at 4,000, each less freight: the rule costs
    # 300 x 12 x 5,000 + 100 x 12 x 4,000 - 300 x 12 x 4,000 - 100 x 12 x freight = 8,400,000 - 1,200 x freight.
    assert (compared["surplus_a"], compared["surplus_b"], compared["difference"]) == pytest.approx((
        3600 * (4000 - freight), 3600 * (5000 - freight) + 1200 * (4000 - freight), 8_400_000 - 1200 * freight))
    pairs = {(p["offer_id"], p["demand_id"]): (p["qty_a"], p["qty_b"]) for p in compared["pairs"]}
    assert pairs == {(market.offer.id, market.demand.id): (0, 300), (market.offer.id, market.demand_b.id): (300, 100)}
    [carbonate] = compared["products"]
    assert carbonate["product_id"] == "lithium-carbonate" and carbonate["b"]["matched"] == pytest.approx(4800)  # 400 x 12


def test_a_repeated_request_key_returns_the_same_what_if_run(client, db, market, staff):
    first = start(client, staff)
    body = {"request_key": "w1", "relax": "shares"}
    created = client.post(f"/api/v1/runs/{first}/what-if", headers=staff, json=body).get_json()
    again = client.post(f"/api/v1/runs/{first}/what-if", headers=staff, json=body)
    assert again.status_code == 200 and again.get_json()["id"] == created["id"]
    assert len(db.exec(select(AuditRecord).where(AuditRecord.action == "start_what_if")).all()) == 1


def test_an_unknown_rule_family_is_refused_naming_the_field(client, market, staff):
    first = start(client, staff)
    response = client.post(f"/api/v1/runs/{first}/what-if", headers=staff, json={"request_key": "w", "relax": "prices"})
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "relax"
    assert client.post("/api/v1/runs/99/what-if", headers=staff, json={"request_key": "w", "relax": "shares"}).status_code == 404


def test_a_rerun_locks_the_approved_matches(client, db, market, staff):
    first = start(client, staff)
    d2 = db.exec(select(Proposal).where(Proposal.run_id == first, Proposal.demand_id == market.demand_b.id)).one()
    assert client.post(f"/api/v1/proposals/{d2.id}/approve", headers=staff, json={}).status_code == 200
    rerun = client.post(f"/api/v1/runs/{first}/rerun", headers=staff, json={"request_key": "erp-2"})
    assert rerun.status_code == 201
    run = rerun.get_json()
    assert (run["locked_from_run_id"], run["time_limit"]) == (first, 10)  # the first run's time limit kept
    locked = json.loads(db.get(MatchingRun, run["id"]).market)["locked"]
    assert locked == [{"offer": f"O{market.offer.id}", "demand": f"D{market.demand_b.id}", "monthly_qty": 100.0}]


def test_staff_approve_several_proposals_and_hear_why_others_were_not(client, db, market, staff):
    a = add_proposal(db, market, market.demand, 300)
    b = add_proposal(db, market, market.demand_b, 100)
    db.get(Proposal, b.id).run_id = a.run_id
    db.commit()
    other = add_proposal(db, market, market.demand_b, 50)
    response = client.post(f"/api/v1/runs/{a.run_id}/approve", headers=staff,
                           json={"proposal_ids": [a.id, b.id, other.id]})
    body = response.get_json()
    assert body["approved"] == [a.id, b.id] and list(body["refused"]) == [str(other.id)]
    db.expire_all()
    assert db.get(Proposal, other.id).state == "proposed"


def test_the_result_file_of_a_finished_run(client, db, market, staff):
    first = start(client, staff)
    response = client.get(f"/api/v1/runs/{first}/result.json", headers=staff)
    assert response.mimetype == "application/json" and response.get_json()["format"] == "lithium-matches/1"


def test_a_run_without_a_result_has_no_result_file_and_cannot_be_compared(client, db, market, staff):
    first = start(client, staff)
    queued = MatchingRun(request_key="queued", created_by=market.staff.user_id, market="{}")
    db.add(queued)
    db.commit()
    assert client.get(f"/api/v1/runs/{queued.id}/result.json", headers=staff).status_code == 409
    assert client.get(f"/api/v1/runs/compare?a={first}&b={queued.id}", headers=staff).status_code == 409


def test_a_comparison_without_a_run_names_the_missing_one(client, market, staff):
    response = client.get("/api/v1/runs/compare?a=1", headers=staff)
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "b"


def test_members_get_403_and_read_tokens_cannot_start_runs(client, db, market, staff):
    first = start(client, staff)
    seller = token(db, market.seller)
    assert client.post(f"/api/v1/runs/{first}/what-if", headers=seller, json={}).status_code == 403
    assert client.post(f"/api/v1/runs/{first}/rerun", headers=seller, json={}).status_code == 403
    assert client.post(f"/api/v1/runs/{first}/approve", headers=seller, json={}).status_code == 403
    assert client.get(f"/api/v1/runs/{first}/result.json", headers=seller).status_code == 403
    assert client.get(f"/api/v1/runs/compare?a={first}&b={first}", headers=seller).status_code == 403
    read = token(db, market.staff, "read")
    assert client.post(f"/api/v1/runs/{first}/what-if", headers=read,
                       json={"request_key": "w", "relax": "shares"}).status_code == 403


def test_the_explanation_names_what_keeps_each_match_from_being_larger(client, db, market, staff):
    first = start(client, staff)
    body = client.get(f"/api/v1/runs/{first}/explain", headers={**staff, "Accept-Language": "en"}).get_json()
    # O1 (400 t) sells D1 its 300 t first, then D2 the last 100 t: the offer is full all year
    # and D1 covered; the matched volume is the offer's 400 x 12 = 4,800 t.
    [carbonate] = body["products"]
    assert (carbonate["offered"], carbonate["demanded"], carbonate["matched"]) == pytest.approx((4800, 7200, 4800))
    reasons = {(p["offer_id"], p["demand_id"]): p["reasons"] for p in body["pairs"]}
    assert reasons[(market.offer.id, market.demand.id)] == [
        "offer capacity full in 2027-01–2027-12", "demand fully covered in 2027-01–2027-12"]
    # only the offer is full: D2 still wants 200 t a month
    assert reasons[(market.offer.id, market.demand_b.id)] == ["offer capacity full in 2027-01–2027-12"]
