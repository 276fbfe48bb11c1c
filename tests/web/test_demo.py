"""The demo database: generated organisations and listings, and logins that work."""

from datetime import date

import pytest

from matchmaker.demo import DEMO_PASSWORD, build_demo_app, demo_credit_code
from matchmaker.services.credit_code import is_valid


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return build_demo_app(tmp_path_factory.mktemp("demo") / "demo.db", orgs=15, seed=3, today=date(2026, 11, 26))


def test_demo_credit_codes_are_valid_and_carry_the_province():
    code = demo_credit_code("jiangxi", 42)
    assert is_valid(code) and code[2:4] == "36"


def test_every_generated_listing_passes_validation(demo):
    _, summary = demo
    assert summary.organisations == 15
    assert summary.offers > 0 and summary.demands > 0
    assert summary.skipped == []


@pytest.mark.parametrize("index", [0, 1, 2])
def test_each_demo_login_works_and_sees_its_pages(demo, index):
    app, summary = demo
    login = summary.logins[index]
    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    assert client.post("/login", data={"email": login.email, "password": DEMO_PASSWORD}).status_code == 302
    market = client.get("/market").get_data(as_text=True)
    assert "badge offer" in market and "badge demand" in market
    offers = client.get("/offers").get_data(as_text=True)
    assert client.get("/").status_code == 200
    if login.role == "staff":
        assert "待审核" in client.get("/admin/organisations").get_data(as_text=True)
    elif login.role == "supplier":
        assert "/offers/" in offers


def test_generated_chain_links_are_kept(demo):
    from sqlmodel import Session, select

    from matchmaker.db import get_engine
    from matchmaker.models import Demand, Offer, OfferInput

    app, _ = demo
    with Session(get_engine(app)) as session:
        links = session.exec(select(OfferInput)).all()
        assert links, "the generator links processors' offers to their input demands"
        for link in links:
            assert session.get(Offer, link.offer_id).org_id == session.get(Demand, link.demand_id).org_id


def test_a_run_over_the_demo_market_leaves_no_listing_out(demo):
    """Every index a demo listing follows has a reference price (spodumene and lithium hydroxide
    included), so the market a run would solve skips nothing, index-linked listings included."""
    from sqlmodel import Session, select

    from matchmaker.db import get_engine
    from matchmaker.models import Demand, Offer
    from matchmaker.services import runs

    app, _ = demo
    with app.app_context(), Session(get_engine(app)) as session:
        values = runs.current_index_values(session, {})
        market, skipped = runs.build_market(session, date(2026, 11, 26), values, [], None)
        linked = {listing.index_name for model in (Offer, Demand)
                  for listing in session.exec(select(model).where(model.price_basis == "index"))}
    assert skipped == []
    assert {"smm-spodumene", "smm-lioh"} <= linked <= set(values)
    assert any(row["product"] == "spodumene-sc6" for row in market["offers"] + market["demands"])
    assert 4_000 < values["smm-spodumene"] < 10_000  # SC6 in CNY/t, about 6,000 in 2025


def test_a_run_proposes_a_match_between_the_supplier_and_the_cell_maker_logins(demo):
    """One visitor walks the whole loop with the printed logins: staff run and approve, then the
    supplier and the cell maker each accept the same proposal."""
    from sqlmodel import Session, select

    from matchmaker.db import get_engine
    from matchmaker.models import Proposal, User

    app, summary = demo
    app.config.update(WTF_CSRF_ENABLED=False, MATCHING_EXECUTOR="inline")
    client = app.test_client()
    client.post("/login", data={"email": "staff@demo.example.cn", "password": DEMO_PASSWORD})
    assert client.post("/matching/runs", data={"request_key": "demo-loop", "time_limit": "20"}).status_code == 303
    with Session(get_engine(app)) as session:
        org_of = {u.email: u.org_id for u in session.exec(select(User))}
        pairs = {(p.supplier_org_id, p.buyer_org_id) for p in session.exec(select(Proposal))}
    assert [login.role for login in summary.logins] == ["supplier", "cell maker", "staff"]
    assert (org_of["supplier@demo.example.cn"], org_of["cellmaker@demo.example.cn"]) in pairs
