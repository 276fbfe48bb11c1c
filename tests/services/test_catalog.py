"""Catalogue seeding from solver/data/products.csv and staff edits."""

import pytest
from sqlmodel import select

from matchmaker.models import BomLine, Product
from matchmaker.services import catalog
from matchmaker.services.errors import PermissionDenied, ValidationError
from matchmaker.services.viewer import Viewer

STAFF = Viewer(user_id=1, org_id=1, role="staff", org_status="approved")
MEMBER = Viewer(user_id=2, org_id=2, role="member", org_status="approved")


def test_seed_loads_every_product_with_its_bill_of_materials(db):
    assert catalog.seed_catalogue(db) == 17
    lfp_cell = db.get(Product, "lfp-cell")
    assert (lfp_cell.tier, lfp_cell.unit, lfp_cell.reference_price) == ("cell", "GWh", 330_000_000)
    bom = {line.input_id: line.qty_per_unit for line in catalog.bom_of(db, "lfp-cell")}
    assert bom == {"lfp-cathode": 2020, "graphite-anode": 955, "separator": 16, "electrolyte": 1100}


def test_seeding_twice_changes_nothing(db):
    catalog.seed_catalogue(db)
    catalog.seed_catalogue(db)
    assert len(db.exec(select(Product)).all()) == 17
    assert len(db.exec(select(BomLine)).all()) == 14  # 1+1+1+2 material lines, 4+4 cell lines, 1 system line


def test_products_are_listed_in_chain_order(db):
    catalog.seed_catalogue(db)
    tiers = [p.tier for p in catalog.list_products(db)]
    assert tiers.index("resource") < tiers.index("material2") < tiers.index("cell") < tiers.index("recycling")


def product_form(**overrides):
    data = {"id": "sodium-ion-cell", "name_zh": "钠离子电芯", "name_en": "Sodium-ion cells", "tier": "cell",
            "unit": "GWh", "reference_price": "300000000", "tonnes_per_unit": "", "bom": "graphite-anode:900; electrolyte:1200"}
    data.update(overrides)
    return data


def test_staff_add_a_product_with_a_bom(db):
    catalog.seed_catalogue(db)
    catalog.save_product(db, STAFF, product_form())
    assert catalog.bom_text(db, "sodium-ion-cell") == "graphite-anode:900; electrolyte:1200"


def test_staff_edit_replaces_the_bom(db):
    catalog.seed_catalogue(db)
    catalog.save_product(db, STAFF, product_form(id="", name_en="LFP cells (edited)", bom="lfp-cathode:2000"), "lfp-cell")
    assert db.get(Product, "lfp-cell").name_en == "LFP cells (edited)"
    assert catalog.bom_text(db, "lfp-cell") == "lfp-cathode:2000"


def test_members_cannot_edit_the_catalogue(db):
    with pytest.raises(PermissionDenied):
        catalog.save_product(db, MEMBER, product_form())


@pytest.mark.parametrize(("overrides", "field"), [
    ({"id": "Bad Id!"}, "id"),
    ({"id": "lfp-cell"}, "id"),
    ({"tier": "gold"}, "tier"),
    ({"reference_price": "-1"}, "reference_price"),
    ({"bom": "unobtainium:3"}, "bom"),
    ({"bom": "graphite-anode:0"}, "bom"),
    ({"bom": "graphite-anode"}, "bom"),
    ({"name_zh": ""}, "name_zh"),
])
def test_bad_product_fields_are_named(db, overrides, field):
    catalog.seed_catalogue(db)
    with pytest.raises(ValidationError) as info:
        catalog.save_product(db, STAFF, product_form(**overrides))
    assert field in info.value.errors
    assert db.get(Product, "sodium-ion-cell") is None
