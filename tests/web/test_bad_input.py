"""Whatever arrives in a form, the answer is a page with messages or a redirect: never a 500,
never a half-saved row."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from matchmaker.models import Offer, Organisation

LISTING_FIELDS = [
    "product_id", "region", "monthly_qty", "start", "end", "min_term_months", "min_monthly_qty",
    "price_basis", "price", "index_name", "index_adjustment", "index_adjustment_kind", "price_floor",
    "price_ceiling", "delivery_terms", "delivery_notes", "certifications", "max_buyer_share",
    "input_demand", "input_ratio",
]
REGISTRATION_FIELDS = [
    "name", "credit_code", "region", "tiers", "contact_name", "contact_phone", "contact_email",
    "cert_name", "cert_number", "cert_expiry", "user_name", "email", "password", "password_confirm",
]
nasty = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "-1", "0", "1e309", "nan", "inf", "2027-13", "2027-02", "9" * 40, "<b>x</b>",
                     "lithium-carbonate", "jiangxi", "fixed", "index", "DAP", "ISO9001", "1,000", "０"]),
)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(st.fixed_dictionaries({}, optional={name: nasty for name in LISTING_FIELDS}))
def test_offer_form_never_fails_on_bad_input(client, auth, factory, db, data):
    if not db.get(Organisation, 1):
        factory.catalogue()
        factory.user(factory.org(certifications={"ISO9001": "2030-01-01"}), "m@example.cn")
    auth.login("m@example.cn")
    before = db.exec(select(func.count()).select_from(Offer)).one()
    response = client.post("/offers/new", data=data)
    assert response.status_code in (302, 400)
    after = db.exec(select(func.count()).select_from(Offer)).one()
    assert after == before + (1 if response.status_code == 302 else 0)


@SETTINGS
@given(st.fixed_dictionaries({}, optional={name: nasty for name in REGISTRATION_FIELDS}))
def test_registration_never_fails_on_bad_input(client, db, data):
    before = db.exec(select(func.count()).select_from(Organisation)).one()
    response = client.post("/register", data=data)
    assert response.status_code in (302, 400)
    assert db.exec(select(func.count()).select_from(Organisation)).one() == before + (response.status_code == 302)
    client.post("/logout")


def test_absurd_ids_in_urls_are_404(client, auth, factory):
    factory.user(factory.org(), "m@example.cn")
    auth.login("m@example.cn")
    for url in ("/offers/99999999999999999999999", "/offers/0", "/demands/2147483648/edit"):
        assert client.get(url).status_code == 404
    assert client.post("/organisation/certifications/99999999999999999999/delete").status_code == 404
