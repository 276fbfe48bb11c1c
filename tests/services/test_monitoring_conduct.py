"""Conduct flags with hand-computed evidence (today 2027-01-15; defaults: hoarding margin 20 %,
gouging band 25 %, overheating 50 percentage points)."""

from datetime import date

import pytest

from matchmaker.models import CapacityProject, Demand, Offer
from matchmaker.services.monitoring_conduct import conduct_flags, gouging, hoarding, overheating
from matchmaker.services.monitoring_prices import seed_price_series
from matchmaker.services.monitoring_settings import SETTINGS

TODAY = date(2027, 1, 15)
LIMITS = {s.key: s.default for s in SETTINGS}


def listing(model, org, product, qty, price=1.0, start="2027-01", end="2027-12", **extra):
    return model(org_id=org.id, product_id=product, region="hunan", monthly_qty=qty, start=start, end=end, price=price, **extra)


def test_hoarding_demand_for_an_input_beyond_what_own_output_can_use(db, factory):
    factory.catalogue()
    hoarder, honest = factory.org("Hoarder"), factory.org("Honest")
    for org, carbonate in ((hoarder, 500), (honest, 290)):
        db.add(listing(Offer, org, "lfp-cathode", 1000))
        db.add(listing(Demand, org, "lithium-carbonate", carbonate))
    db.commit()
    (flag,) = hoarding(db, TODAY, LIMITS)
    # usable 1,000 t cathode x 0.245 = 245 t; limit 245 x 1.2 = 294 t; 500 - 294 = 206 t excess.
    # Honest: 290 t <= 294 t.
    assert (flag.org_id, flag.product_id) == (hoarder.id, "lithium-carbonate")
    ev = flag.evidence
    assert (ev["month"], ev["demanded"], ev["usable"]) == ("2027-01", 500, pytest.approx(245))
    assert (ev["limit"], ev["excess"]) == (pytest.approx(294), pytest.approx(206))
    assert ev["uses"] == [{"product": "lfp-cathode", "offered": 1000, "projects": 0, "qty_per_unit": 0.245}]


def test_declared_projects_count_as_usable_output(db, factory):
    factory.catalogue()
    org = factory.org("Expanding")
    db.add(listing(Offer, org, "lfp-cathode", 1000))
    db.add(listing(Demand, org, "lithium-carbonate", 500))
    db.add(CapacityProject(org_id=org.id, product_id="lfp-cathode", region="hunan", monthly_capacity=1000,
                           investment_cny=5e8, start="2027-01"))
    db.commit()
    assert hoarding(db, TODAY, LIMITS) == []  # usable 2,000 x 0.245 = 490; limit 588 >= 500


def test_demand_for_a_finished_product_is_not_hoarding(db, factory):
    factory.catalogue()
    db.add(listing(Demand, factory.org("Integrator"), "ess-system", 5))  # no product uses an ESS as input
    db.commit()
    assert hoarding(db, TODAY, LIMITS) == []


def test_a_buyer_with_no_output_on_the_platform_is_not_judged(db, factory):
    factory.catalogue()
    db.add(listing(Demand, factory.org("Storage Integrator"), "lfp-cell", 2))  # sells its ESS elsewhere
    db.commit()
    assert hoarding(db, TODAY, LIMITS) == []


def test_gouging_against_the_latest_reference_price(db, factory):
    factory.catalogue()
    seed_price_series(db)  # latest point 81,000 on 2025-11-03
    org = factory.org()
    db.add(listing(Offer, org, "lithium-carbonate", 100, price=105_000))  # 105,000 / 81,000 = +29.6 % > 25 %
    db.add(listing(Offer, org, "lithium-carbonate", 100, price=100_000))  # +23.5 %: within the band
    db.commit()
    (flag,) = gouging(db, TODAY, LIMITS)
    assert flag.evidence["offer"] == 1 and flag.evidence["reference"] == 81_000
    assert flag.evidence["reference_of"] == "2025-11-03"
    assert flag.evidence["premium_pct"] == pytest.approx(29.63, abs=0.01)


def test_gouging_falls_back_to_the_catalogue_reference_and_skips_index_linked_asks(db, factory):
    factory.catalogue()
    org = factory.org()
    db.add(listing(Offer, org, "lfp-cathode", 100, price=46_000))  # catalogue 36,000: +27.8 %
    db.add(listing(Offer, org, "lfp-cathode", 100, price=None, price_basis="index", index_name="gfex-lc",
                   index_adjustment=50, index_adjustment_kind="percent"))
    db.commit()
    (flag,) = gouging(db, TODAY, LIMITS)
    assert (flag.evidence["reference"], flag.evidence["reference_of"]) == (36_000, "catalogue")
    assert flag.evidence["premium_pct"] == pytest.approx(27.78, abs=0.01)


def test_overheating_capacity_growing_much_faster_than_requirement(db, factory):
    factory.catalogue()
    org = factory.org()
    db.add(listing(Offer, org, "lithium-carbonate", 1000))
    db.add(listing(Demand, org, "lithium-carbonate", 1000))
    db.add(CapacityProject(org_id=org.id, product_id="lithium-carbonate", region="hunan", monthly_capacity=1500,
                           investment_cny=2e9, start="2027-12"))
    db.commit()
    flags = [f for f in overheating(db, TODAY, LIMITS) if f.product_id == "lithium-carbonate"]
    (flag,) = flags
    # supply 1,000 -> 2,500 (+150 %) against requirement 1,000 -> 1,000 (0 %): 150 pp > 50 pp
    ev = flag.evidence
    assert (ev["supply_from"], ev["supply_to"], ev["projects_to"]) == (1000, 2500, 1500)
    assert (ev["capacity_growth_pct"], ev["requirement_growth_pct"]) == (pytest.approx(150), pytest.approx(0))


def test_capacity_growing_with_its_requirement_is_not_overheating(db, factory):
    factory.catalogue()
    org = factory.org()
    db.add(listing(Offer, org, "lithium-carbonate", 1000))
    db.add(listing(Demand, org, "lithium-carbonate", 1000, end="2027-11"))
    db.add(listing(Demand, org, "lithium-carbonate", 2000, start="2027-12"))
    db.add(CapacityProject(org_id=org.id, product_id="lithium-carbonate", region="hunan", monthly_capacity=1500,
                           investment_cny=2e9, start="2027-12"))
    db.commit()
    # supply +150 %, requirement 1,000 -> 2,000 (+100 %): 50 pp is not beyond 50 pp
    assert [f for f in overheating(db, TODAY, LIMITS) if f.product_id == "lithium-carbonate"] == []


def test_conduct_flags_reads_staff_thresholds(db, factory):
    from matchmaker.models import MonitoringThreshold

    factory.catalogue()
    org = factory.org()
    db.add(listing(Offer, org, "lfp-cathode", 100, price=46_000))
    db.add(MonitoringThreshold(key="gouging_band_pct", value=30))
    db.commit()
    assert [f for f in conduct_flags(db, TODAY) if f.rule == "gouging"] == []  # +27.8 % within 30 %
