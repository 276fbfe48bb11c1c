"""Catalogue pages: everyone logged in reads, staff add and edit."""

from matchmaker.models import Product


def test_catalogue_lists_products_with_bills_of_materials(client, auth, factory):
    factory.catalogue()
    factory.user(factory.org(), "m@example.cn")
    auth.login("m@example.cn")
    page = client.get("/catalogue/?tier=cell").get_data(as_text=True)
    assert "磷酸铁锂电芯" in page and "2,020 吨 磷酸铁锂正极材料" in page
    assert "电池级碳酸锂" not in page  # filtered to cells


def test_members_cannot_open_the_product_forms(client, auth, factory):
    factory.catalogue()
    factory.user(factory.org(), "m@example.cn")
    auth.login("m@example.cn")
    assert client.get("/catalogue/new").status_code == 403
    assert client.post("/catalogue/lfp-cell/edit", data={"name_zh": "x"}).status_code == 403


def test_staff_edit_a_product_through_the_form(client, auth, factory, db):
    factory.catalogue()
    factory.user(factory.org("Association", tiers=["system"]), "s@example.cn", role="staff")
    auth.login("s@example.cn")
    form = client.get("/catalogue/lfp-cell/edit").get_data(as_text=True)
    assert 'value="lfp-cathode:2020; graphite-anode:955; separator:16; electrolyte:1100"' in form
    response = client.post("/catalogue/lfp-cell/edit", data={
        "name_zh": "磷酸铁锂电芯", "name_en": "LFP cells", "tier": "cell", "unit": "GWh",
        "reference_price": "320000000", "tonnes_per_unit": "5500", "bom": "lfp-cathode:2000",
    })
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Product, "lfp-cell").reference_price == 320_000_000
    bad = client.post("/catalogue/new", data={"id": "Bad Id", "name_zh": "", "tier": "cell", "unit": "GWh"})
    assert bad.status_code == 400 and 'id="id-error"' in bad.get_data(as_text=True)
