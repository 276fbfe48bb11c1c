"""Staff edits of text-keyed entities are audited: a catalogue product (keyed by its slug) and a
reference price series (keyed by its product's slug) each write one record in the same commit,
in ``entity_key``; records written before that column existed keep their hash."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import text
from sqlmodel import select

from matchmaker.models import AuditRecord
from matchmaker.services import audit, catalog
from matchmaker.services import monitoring_prices as prices
from matchmaker.services.errors import ValidationError
from matchmaker.services.viewer import Viewer

STAFF = Viewer(user_id=1, org_id=1, role="staff", org_status="approved")


def records(db, entity: str | None = None) -> list[AuditRecord]:
    query = select(AuditRecord).order_by(AuditRecord.seq)
    if entity:
        query = query.where(AuditRecord.entity == entity)
    return list(db.exec(query))


def edit_form(db, product_id: str, **changes: str) -> dict[str, str]:
    product = catalog.get_product(db, product_id)
    form = {"name_zh": product.name_zh, "name_en": product.name_en, "tier": product.tier, "unit": product.unit,
            "reference_price": format(product.reference_price, ".12g") if product.reference_price else "",
            "tonnes_per_unit": format(product.tonnes_per_unit, ".12g") if product.tonnes_per_unit else "", "bom": catalog.bom_text(db, product_id)}
    return {**form, **changes}


def test_a_record_written_before_the_key_existed_hashes_as_it_always_did():
    # The digest the previous release computed for this record (record_hash without entity_key).
    old = AuditRecord(seq=3, at=datetime(2026, 11, 2, 8, 30, 0, 123456), user_id=7, action="approve",
                      entity="proposal", entity_id=12, before='{"state":"proposed"}', after='{"state":"approved"}',
                      prev_hash="ab" * 32, hash="")
    assert audit.record_hash(old, "ab" * 32) == "3d2ba52a4ee1ddb2a892c08d4ccf7243ff5ba2e34fcbfa73d0f1235aa4f5d872"


def test_the_text_key_is_part_of_the_hash_when_set():
    keyed = AuditRecord(seq=1, at=datetime(2026, 11, 2), user_id=1, action="product_edited", entity="product",
                        entity_key="lfp-cathode", before="null", after="null", prev_hash=audit.GENESIS, hash="")
    other = keyed.model_copy(update={"entity_key": "lfp-cell"})
    assert audit.record_hash(keyed, audit.GENESIS) != audit.record_hash(other, audit.GENESIS)


def test_editing_a_product_writes_one_record_with_the_fields_before_and_after(db):
    catalog.seed_catalogue(db)
    catalog.save_product(db, STAFF, edit_form(db, "lfp-cathode", reference_price="38500"), "lfp-cathode")
    [entry] = records(db)
    assert (entry.user_id, entry.action, entry.entity, entry.entity_id, entry.entity_key) == (
        1, "product_edited", "product", None, "lfp-cathode")
    before, after = json.loads(entry.before), json.loads(entry.after)
    assert (before["reference_price"], after["reference_price"]) == (36000, 38500)
    assert before["bom"] == after["bom"] == {"lithium-carbonate": 0.245}
    assert audit.verify_chain(db) == []
    assert audit.history(db, "product", "lfp-cathode") == [entry]


def test_adding_a_product_writes_one_record_with_nothing_before(db):
    catalog.seed_catalogue(db)
    catalog.save_product(db, STAFF, {"id": "sodium-ion-cell", "name_zh": "钠离子电芯", "name_en": "Sodium-ion cells",
                                     "tier": "cell", "unit": "GWh", "reference_price": "", "tonnes_per_unit": "",
                                     "bom": "electrolyte:1200"})
    [entry] = records(db)
    assert (entry.action, entry.entity_key, entry.before) == ("product_added", "sodium-ion-cell", "null")
    assert json.loads(entry.after)["bom"] == {"electrolyte": 1200}


def test_a_refused_product_edit_writes_no_record(db):
    catalog.seed_catalogue(db)
    with pytest.raises(ValidationError):
        catalog.save_product(db, STAFF, edit_form(db, "lfp-cathode", bom="unobtainium:3"), "lfp-cathode")
    db.rollback()
    assert records(db) == []


def test_an_edited_product_record_is_detected(db):
    catalog.seed_catalogue(db)
    catalog.save_product(db, STAFF, edit_form(db, "lfp-cathode", reference_price="38500"), "lfp-cathode")
    catalog.save_product(db, STAFF, edit_form(db, "lfp-cell", reference_price="320000000"), "lfp-cell")
    assert audit.verify_chain(db) == []
    db.execute(text("UPDATE audit_record SET entity_key = 'lfp-cell' WHERE seq = 1"))
    db.commit()
    assert audit.verify_chain(db) == ["record 1: content does not match its hash (edited)"]


def test_adding_a_price_point_writes_one_record_with_the_value_it_replaced(db):
    catalog.seed_catalogue(db)
    prices.add_point(db, STAFF, "lfp-cathode", {"day": "2026-10-01", "price": "38000", "note": "SMM"})
    prices.add_point(db, STAFF, "lfp-cathode", {"day": "2026-10-01", "price": "38200", "note": "SMM, corrected"})
    first, second = records(db, "price_series")
    assert (first.action, first.entity_key, first.before) == ("price_point_set", "lfp-cathode", "null")
    assert json.loads(first.after) == {"day": "2026-10-01", "price": 38000, "note": "SMM"}
    assert json.loads(second.before) == {"day": "2026-10-01", "price": 38000, "note": "SMM"}
    assert json.loads(second.after)["price"] == 38200
    assert audit.verify_chain(db) == []


def test_a_csv_import_writes_one_record_with_the_count_and_the_date_range(db):
    catalog.seed_catalogue(db)
    prices.add_point(db, STAFF, "lfp-cathode", {"day": "2026-09-01", "price": "38000", "note": ""})
    raw = b"date,price,note\n2026-09-01,38100,\n2026-09-15,38300,\n2026-10-01,38600,\n"
    assert prices.import_csv(db, STAFF, "lfp-cathode", raw) == 3
    entries = [r for r in records(db, "price_series") if r.action == "price_points_imported"]
    [entry] = entries
    assert json.loads(entry.before) == {"points": 1}
    after = json.loads(entry.after)
    # 3 rows, 1 of them (2026-09-01) replacing the point already stored: 1 + 3 - 1 = 3 points.
    assert (after["points"], after["imported"], after["replaced"]) == (3, 3, 1)
    assert (after["first_day"], after["last_day"]) == ("2026-09-01", "2026-10-01")
    assert len(after["file_sha256"]) == 64
    assert audit.verify_chain(db) == []


def test_a_refused_csv_import_writes_no_record(db):
    catalog.seed_catalogue(db)
    with pytest.raises(ValidationError):
        prices.import_csv(db, STAFF, "lfp-cathode", b"date,price\n2026-09-01,abc\n")
    db.rollback()
    assert records(db) == []
