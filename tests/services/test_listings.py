"""Posting, editing, withdrawing and expiring offers and demands (today is 2027-01-15 in tests)."""

from datetime import date

import pytest
from sqlmodel import select

from matchmaker.models import Demand, Offer
from matchmaker.services import listings
from matchmaker.services.errors import Conflict, NotFound, PermissionDenied, ValidationError
from matchmaker.services.viewer import Viewer

TODAY = date(2027, 1, 15)


@pytest.fixture
def seller(db, factory):
    factory.catalogue()
    org = factory.org("Ganzhou Lithium", certifications={"ISO9001": "2030-12-31", "IATF16949": "2026-12-31"})
    return Viewer(user_id=1, org_id=org.id, role="member", org_status="approved")


def offer_form(**overrides):
    data = {
        "product_id": "lithium-carbonate", "region": "jiangxi", "monthly_qty": "500", "start": "2027-02",
        "end": "2029-12", "min_term_months": "12", "min_monthly_qty": "50", "price_basis": "fixed",
        "price": "74,000", "delivery_terms": "DAP", "delivery_notes": "Rail to Ningde", "certifications": ["ISO9001"],
        "max_buyer_share": "0.5",
    }
    data.update(overrides)
    return data


def demand_form(**overrides):
    data = {
        "product_id": "lithium-carbonate", "region": "fujian", "monthly_qty": "300", "start": "2027-03",
        "end": "2028-02", "price_basis": "index", "index_name": "gfex-lc", "index_adjustment": "-9",
        "index_adjustment_kind": "percent", "price_floor": "60000", "price_ceiling": "90000",
        "delivery_terms": "DDP", "required_certifications": ["ISO9001"], "max_supplier_share": "0.6",
        "max_suppliers": "3", "own_supply": "0",
    }
    data.update(overrides)
    return data


def refused(db, viewer, kind, data):
    with pytest.raises(ValidationError) as info:
        listings.create_listing(db, viewer, kind, data, TODAY)
    return info.value.errors


def test_offer_keeps_every_market_field(db, seller):
    offer = listings.create_listing(db, seller, "offer", offer_form(), TODAY)
    assert (offer.monthly_qty, offer.start, offer.end, offer.price) == (500, "2027-02", "2029-12", 74_000)
    assert (offer.min_term_months, offer.min_monthly_qty, offer.max_buyer_share) == (12, 50, 0.5)
    assert offer.certifications == ["ISO9001"] and offer.org_id == seller.org_id and offer.status == "open"


def test_index_linked_demand(db, seller):
    demand = listings.create_listing(db, seller, "demand", demand_form(), TODAY)
    assert (demand.price_basis, demand.price, demand.index_name, demand.index_adjustment) == ("index", None, "gfex-lc", -9)
    assert (demand.price_floor, demand.price_ceiling, demand.max_suppliers) == (60_000, 90_000, 3)


@pytest.mark.parametrize(("overrides", "field"), [
    ({"monthly_qty": "0"}, "monthly_qty"),
    ({"monthly_qty": "-5"}, "monthly_qty"),
    ({"monthly_qty": "lots"}, "monthly_qty"),
    ({"monthly_qty": "nan"}, "monthly_qty"),
    ({"start": "2027-06", "end": "2027-05"}, "end"),
    ({"start": "2027-13"}, "start"),
    ({"start": "2026-01", "end": "2026-12"}, "end"),  # ended before today
    ({"product_id": "unobtainium"}, "product_id"),
    ({"region": "atlantis"}, "region"),
    ({"max_buyer_share": "0"}, "max_buyer_share"),
    ({"max_buyer_share": "1.5"}, "max_buyer_share"),
    ({"min_term_months": "0"}, "min_term_months"),
    ({"min_term_months": "40"}, "min_term_months"),  # window 2027-02..2029-12 is 35 months
    ({"min_monthly_qty": "600"}, "min_monthly_qty"),
    ({"price": "-1"}, "price"),
    ({"price": ""}, "price"),
    ({"delivery_terms": "FOB-MOON"}, "delivery_terms"),
    ({"delivery_notes": "x" * 501}, "delivery_notes"),
    ({"certifications": ["IATF16949"]}, "certifications"),  # expired 2026-12-31
    ({"certifications": ["MADEUP"]}, "certifications"),
])
def test_bad_offer_field_is_named_and_nothing_is_saved(db, seller, overrides, field):
    assert field in refused(db, seller, "offer", offer_form(**overrides))
    assert db.exec(select(Offer)).all() == []


@pytest.mark.parametrize(("overrides", "field"), [
    ({"max_supplier_share": "0"}, "max_supplier_share"),
    ({"max_supplier_share": "1.01"}, "max_supplier_share"),
    ({"max_suppliers": "0"}, "max_suppliers"),
    ({"own_supply": "-1"}, "own_supply"),
    ({"index_name": "dow-jones"}, "index_name"),
    ({"index_adjustment": "-100"}, "index_adjustment"),
    ({"price_floor": "95000"}, "price_ceiling"),
    ({"price_basis": "barter"}, "price_basis"),
])
def test_bad_demand_field_is_named(db, seller, overrides, field):
    assert field in refused(db, seller, "demand", demand_form(**overrides))
    assert db.exec(select(Demand)).all() == []


def test_a_share_of_exactly_one_is_allowed(db, seller):
    assert listings.create_listing(db, seller, "offer", offer_form(max_buyer_share="1"), TODAY).max_buyer_share == 1


def test_html_in_text_is_stored_as_text(db, seller):
    offer = listings.create_listing(db, seller, "offer", offer_form(delivery_notes="<script>alert(1)</script>"), TODAY)
    assert offer.delivery_notes == "<script>alert(1)</script>"


def test_pending_organisations_and_staff_cannot_post(db, seller):
    for viewer in (Viewer(1, seller.org_id, "member", "pending"), Viewer(1, seller.org_id, "staff", "approved")):
        with pytest.raises(PermissionDenied):
            listings.create_listing(db, viewer, "offer", offer_form(), TODAY)


def test_owner_edits_and_withdraws(db, seller):
    offer = listings.create_listing(db, seller, "offer", offer_form(), TODAY)
    listings.update_listing(db, seller, "offer", offer.id, offer_form(monthly_qty="650"), TODAY)
    assert db.get(Offer, offer.id).monthly_qty == 650
    listings.withdraw_listing(db, seller, "offer", offer.id, TODAY)
    assert db.get(Offer, offer.id).status == "withdrawn"
    with pytest.raises(Conflict):
        listings.update_listing(db, seller, "offer", offer.id, offer_form(), TODAY)


def test_a_refused_edit_leaves_the_listing_unchanged(db, seller):
    offer = listings.create_listing(db, seller, "offer", offer_form(), TODAY)
    with pytest.raises(ValidationError):
        listings.update_listing(db, seller, "offer", offer.id, offer_form(monthly_qty="650", end="2020-01"), TODAY)
    db.expire_all()
    assert db.get(Offer, offer.id).monthly_qty == 500


def test_other_organisations_cannot_see_edit_or_withdraw(db, factory, seller):
    offer = listings.create_listing(db, seller, "offer", offer_form(), TODAY)
    other = Viewer(9, factory.org("Other Co").id, "member", "approved")
    for action in (
        lambda: listings.get_listing(db, other, "offer", offer.id),
        lambda: listings.update_listing(db, other, "offer", offer.id, offer_form(), TODAY),
        lambda: listings.withdraw_listing(db, other, "offer", offer.id, TODAY),
    ):
        with pytest.raises(NotFound):
            action()
    staff = Viewer(10, other.org_id, "staff", "approved")
    assert listings.get_listing(db, staff, "offer", offer.id).id == offer.id


def test_listing_expires_after_its_last_month(db, seller):
    offer = listings.create_listing(db, seller, "offer", offer_form(start="2027-01", end="2027-03", min_term_months="3"), TODAY)
    assert listings.effective_status(offer, date(2027, 3, 31)) == "open"
    assert listings.effective_status(offer, date(2027, 4, 1)) == "expired"
    with pytest.raises(Conflict):
        listings.withdraw_listing(db, seller, "offer", offer.id, date(2027, 4, 1))


def test_close_expired_listings_stores_the_status(db, seller):
    short = listings.create_listing(db, seller, "offer", offer_form(start="2027-01", end="2027-03", min_term_months="1"), TODAY)
    long = listings.create_listing(db, seller, "offer", offer_form(), TODAY)
    assert listings.close_expired_listings(db, date(2027, 4, 1)) == 1
    db.expire_all()
    assert (db.get(Offer, short.id).status, db.get(Offer, long.id).status) == ("expired", "open")


def test_chain_inputs_must_be_own_demands_with_positive_ratios(db, factory, seller):
    from matchmaker.models import OfferInput

    own = listings.create_listing(db, seller, "demand", demand_form(product_id="spodumene-sc6", required_certifications=[]), TODAY)
    other_org = Viewer(9, factory.org("Other").id, "member", "approved")
    foreign = listings.create_listing(db, other_org, "demand", demand_form(required_certifications=[]), TODAY)
    assert "inputs" in refused(db, seller, "offer", offer_form(input_demand=[str(foreign.id)], input_ratio=["1"]))
    assert "inputs" in refused(db, seller, "offer", offer_form(input_demand=[str(own.id)], input_ratio=["0"]))
    assert "inputs" in refused(db, seller, "offer", offer_form(input_demand=[str(own.id)] * 2, input_ratio=["1", "2"]))
    offer = listings.create_listing(db, seller, "offer", offer_form(input_demand=[str(own.id)], input_ratio=["7.96"]), TODAY)
    assert [(i.offer_id, i.demand_id, i.ratio) for i in db.exec(select(OfferInput)).all()] == [(offer.id, own.id, 7.96)]
