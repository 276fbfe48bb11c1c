"""The supply and demand balance, derived demand through the bills of materials, capacity
projects and contracted volumes; today is 2027-01-15, so the horizon is 2027-01 .. 2027-12.

Worked example (catalogue BOMs: LFP cell 2,020 t LFP cathode per GWh, LFP cathode 0.245 t
lithium carbonate per t, lithium carbonate 7.96 t spodumene per t):
demand 2 GWh/month of LFP cells -> 4,040 t cathode -> 989.8 t carbonate -> 7,878.808 t spodumene.
"""

from datetime import date

import pytest
from sqlmodel import select

from matchmaker.models import (
    CapacityProject,
    Contract,
    Demand,
    MatchingRun,
    Offer,
    Proposal,
    ScheduleLine,
    User,
)
from matchmaker.services import monitoring_balance as mb
from matchmaker.services import monitoring_projects as projects
from matchmaker.services.errors import NotFound, PermissionDenied, ValidationError
from matchmaker.services.monitoring_prices import contract_prices
from matchmaker.services.monitoring_settings import SETTINGS
from matchmaker.services.viewer import Viewer

TODAY = date(2027, 1, 15)
LIMITS = {s.key: s.default for s in SETTINGS}  # shortage below 0.9, surplus above 1.5


def listing(model, org, product, qty, region="jiangxi", start="2027-01", end="2027-12", **extra):
    return model(org_id=org.id, product_id=product, region=region, monthly_qty=qty, start=start, end=end, price=1, **extra)


@pytest.fixture
def chain(db, factory):
    factory.catalogue()
    cells = factory.org("Ningde Cells", region="fujian", tiers=["cell"])
    cathode = factory.org("Changsha Cathode", region="hunan", tiers=["material1"])
    carbonate = factory.org("Yichun Carbonate", region="jiangxi", tiers=["material2"])
    db.add(listing(Demand, cells, "lfp-cell", 2, region="fujian"))
    db.add(listing(Demand, cells, "lfp-cathode", 3000, region="fujian"))
    db.add(listing(Offer, cathode, "lfp-cathode", 3000, region="hunan"))
    db.add(listing(Offer, carbonate, "lithium-carbonate", 1000))
    db.add(CapacityProject(org_id=carbonate.id, product_id="lithium-carbonate", region="jiangxi", monthly_capacity=600,
                           investment_cny=1.2e9, start="2027-07"))
    db.commit()
    return {"cells": cells, "cathode": cathode, "carbonate": carbonate}


def test_derived_demand_follows_the_bills_of_materials_down_the_chain(db, chain):
    _, cells = mb.balance(db, TODAY)
    assert cells[("lfp-cathode", "2027-01")].derived == pytest.approx(4040)        # 2 GWh x 2,020
    assert cells[("lithium-carbonate", "2027-01")].derived == pytest.approx(989.8)  # 4,040 x 0.245
    assert cells[("spodumene-sc6", "2027-01")].derived == pytest.approx(7878.808)   # 989.8 x 7.96
    assert cells[("graphite-anode", "2027-01")].derived == pytest.approx(1910)      # 2 x 955


def test_requirement_is_the_larger_of_posted_and_derived_demand_not_their_sum(db, chain):
    _, cells = mb.balance(db, TODAY)
    cathode = cells[("lfp-cathode", "2027-03")]
    assert (cathode.demanded, cathode.derived, cathode.requirement) == (3000, pytest.approx(4040), pytest.approx(4040))
    assert cathode.coverage == pytest.approx(3000 / 4040)  # 0.743


def test_shortage_and_surplus_warnings_against_the_thresholds(db, chain):
    _, cells = mb.balance(db, TODAY)
    found = {(w.kind, w.product_id, w.month): w for w in mb.warnings(cells, LIMITS)}
    assert ("shortage", "lfp-cathode", "2027-01") in found                 # 0.743 < 0.9
    assert found[("shortage", "spodumene-sc6", "2027-01")].coverage == 0   # no supply at all
    # carbonate: 1,000 / 989.8 = 1.010, balanced until the 600 t project starts in July:
    # 1,600 / 989.8 = 1.617 > 1.5
    assert ("surplus", "lithium-carbonate", "2027-06") not in found and ("shortage", "lithium-carbonate", "2027-06") not in found
    july = found[("surplus", "lithium-carbonate", "2027-07")]
    assert (july.supply, july.coverage) == (1600, pytest.approx(1.6165, abs=1e-4))


def test_capacity_projects_count_from_their_start_month(db, chain):
    _, cells = mb.balance(db, TODAY)
    assert [cells[("lithium-carbonate", m)].projects for m in ("2027-06", "2027-07", "2027-12")] == [0, 600, 600]


def test_balance_by_region_pulls_derived_demand_from_that_region_only(db, chain):
    _, fujian = mb.balance(db, TODAY, "fujian")
    _, jiangxi = mb.balance(db, TODAY, "jiangxi")
    assert fujian[("lfp-cathode", "2027-01")].derived == pytest.approx(4040) and fujian[("lfp-cathode", "2027-01")].offered == 0
    carbonate = jiangxi[("lithium-carbonate", "2027-01")]
    assert (carbonate.offered, carbonate.derived, carbonate.coverage) == (1000, 0, None)  # no demand in Jiangxi


def contract(db, chain, key: str, qty: float, price: float, months: tuple[str, ...], **terms) -> None:
    """A contract for LFP cathode from the cathode maker to the cell maker, with its schedule;
    ``terms``: price-term columns (index-linked legs)."""
    staff = db.exec(select(User).where(User.role == "staff")).first()
    run = MatchingRun(request_key=key, created_by=staff.id)
    db.add(run)
    db.flush()
    proposal = Proposal(run_id=run.id, offer_id=2, demand_id=2, supplier_org_id=chain["cathode"].id,
                        buyer_org_id=chain["cells"].id, product_id="lfp-cathode", monthly_qty=qty, proposed_qty=qty,
                        start=months[0], end=months[-1], months=len(months), unit_margin=0, price=price, freight=0,
                        surplus=0)
    db.add(proposal)
    db.flush()
    row = Contract(proposal_id=proposal.id, offer_id=2, demand_id=2, supplier_org_id=chain["cathode"].id,
                   buyer_org_id=chain["cells"].id, product_id="lfp-cathode", origin_region="hunan",
                   delivery_region="fujian", delivery_terms="DAP", monthly_qty=qty, start=months[0], end=months[-1],
                   unit_price=price, **terms)
    db.add(row)
    db.flush()
    db.add_all([ScheduleLine(contract_id=row.id, month=m, qty=qty) for m in months])
    db.commit()


@pytest.fixture
def staff(factory):
    return factory.user(factory.org("Association", tiers=["system"]), "staff@example.cn", role="staff")


def test_contracted_volumes_come_from_contract_schedule_lines(db, chain, staff):
    contract(db, chain, "k1", 1200, 36000, ("2027-02", "2027-03"))
    _, cells = mb.balance(db, TODAY)
    assert [cells[("lfp-cathode", m)].contracted for m in ("2027-01", "2027-02", "2027-03")] == [0, 1200, 1200]


def test_contract_prices_are_quantity_weighted_per_delivery_month(db, chain, staff):
    contract(db, chain, "k1", 1200, 36000, ("2027-02", "2027-03"))
    contract(db, chain, "k2", 800, 38000, ("2027-03",))
    # 2027-03: (1,200 x 36,000 + 800 x 38,000) / 2,000 = 36,800
    assert contract_prices(db, "lfp-cathode") == [("2027-02", 36000), ("2027-03", pytest.approx(36800))]


def test_an_index_linked_contract_counts_at_each_months_price_not_at_its_price_at_signing(db, chain, staff):
    from matchmaker.services.monitoring_prices import _store, series_for

    series = series_for(db, "lfp-cathode", create=True, source="test")  # the smm-lfp index
    _store(db, series, date(2027, 2, 10), 40_000, "")
    _store(db, series, date(2027, 3, 10), 35_000, "")
    db.commit()
    # seller: index - 8 %, buyer: fixed 38,000, freight 400; signed at 37,600 (index 40,000)
    contract(db, chain, "k1", 300, 37_600, ("2027-02", "2027-03"), price_basis="split", freight=400,
             ask_basis="index", ask_index="smm-lfp", ask_adjustment=-8, ask_adjustment_kind="percent",
             bid_basis="fixed", bid_price=38_000)
    contract(db, chain, "k2", 100, 36_000, ("2027-03",))
    # 2027-02: (36,800 + 38,000 + 400) / 2 = 37,600
    # 2027-03: index 35,000 -> ask 32,200: (32,200 + 38,000 + 400) / 2 = 35,300;
    #          with the fixed contract (300 x 35,300 + 100 x 36,000) / 400 = 35,475 (at signing: 37,200)
    assert contract_prices(db, "lfp-cathode") == [("2027-02", pytest.approx(37_600)), ("2027-03", pytest.approx(35_475))]


def test_csv_export_has_one_row_per_product_and_month(db, chain):
    months, cells = mb.balance(db, TODAY)
    lines = mb.balance_csv(months, cells, ["lfp-cathode"]).splitlines()
    assert lines[0] == "product,month,offered,projects,supply,demanded,derived,requirement,contracted,coverage"
    assert lines[1] == "lfp-cathode,2027-01,3000,0,3000,3000,4040,4040,0,0.7426"
    assert len(lines) == 13


def test_members_declare_projects_and_see_only_their_own(db, factory):
    factory.catalogue()
    a, b = factory.org("A"), factory.org("B")
    va = Viewer(user_id=1, org_id=a.id, role="member", org_status="approved")
    vb = Viewer(user_id=2, org_id=b.id, role="member", org_status="approved")
    form = {"product_id": "lithium-carbonate", "region": "sichuan", "monthly_capacity": "2000",
            "investment_cny": "3,000,000,000", "start": "2028-01"}
    project = projects.declare(db, va, form)
    assert (project.org_id, project.investment_cny, project.start) == (a.id, 3e9, "2028-01")
    assert projects.list_projects(db, vb) == []
    with pytest.raises(NotFound):
        projects.withdraw(db, vb, project.id)
    staff = Viewer(user_id=3, org_id=99, role="staff", org_status="approved")
    assert [p.id for p in projects.list_projects(db, staff)] == [project.id]
    with pytest.raises(PermissionDenied):
        projects.declare(db, staff, form)


def test_project_form_is_validated(app, db, factory):
    factory.catalogue()
    viewer = Viewer(user_id=1, org_id=factory.org().id, role="member", org_status="approved")
    with app.test_request_context(), pytest.raises(ValidationError) as error:
        projects.declare(db, viewer, {"product_id": "nope", "region": "atlantis", "monthly_capacity": "-1",
                                      "investment_cny": "", "start": "2028-13"})
    assert set(error.value.errors) == {"product_id", "region", "monthly_capacity", "investment_cny", "start"}
