"""Freight between provinces: distance-based estimates, staff overrides, and the audited settings."""

from __future__ import annotations

import json
import math

import pytest
from sqlmodel import select

from matchmaker.freight import CAPITALS, ROAD_FACTOR, FreightRates, great_circle_km, road_km
from matchmaker.models import AuditRecord, FreightOverride
from matchmaker.regions import PROVINCES
from matchmaker.services import freight
from matchmaker.services.audit import verify_chain
from matchmaker.services.errors import NotFound, PermissionDenied, ValidationError
from matchmaker.services.viewer import Viewer

NANCHANG = (28.682, 115.858)  # capital of Jiangxi
CHENGDU = (30.573, 104.066)  # capital of Sichuan


def haversine_km(p: tuple[float, float], q: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*p, *q))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def test_every_province_has_its_capital():
    assert set(CAPITALS) == set(PROVINCES)
    for capital in CAPITALS.values():
        assert 18 < capital.lat < 54 and 73 < capital.lon < 135  # inside China's bounding box


def test_jiangxi_to_sichuan_worked_to_the_cent():
    km = haversine_km(NANCHANG, CHENGDU)  # 1,158.43 km as the crow flies
    assert km == pytest.approx(1158.43, abs=0.01)
    assert great_circle_km("jiangxi", "sichuan") == pytest.approx(km)
    assert ROAD_FACTOR == 1.25
    # 1,158.43 km x 1.25 = 1,448.04 road km; x 0.35 CNY/t-km = 506.81 CNY per tonne
    rates = FreightRates()
    assert rates.per_unit("jiangxi", "sichuan", 1) == round(km * 1.25 * 0.35, 2) == 506.81
    # LFP cells weigh 5,500 t per GWh: 506.8129... x 5,500 = 2,787,471.06 CNY per GWh
    assert rates.per_unit("jiangxi", "sichuan", 5500) == round(km * 1.25 * 0.35 * 5500, 2) == 2_787_471.06
    # separator: 10 t per million m2
    assert rates.per_unit("jiangxi", "sichuan", 10) == 5068.13


def test_freight_is_the_same_both_ways_and_zero_within_a_province():
    rates = FreightRates()
    assert rates.per_tonne("sichuan", "jiangxi") == rates.per_tonne("jiangxi", "sichuan")
    assert road_km("qinghai", "qinghai") == 0
    assert rates.per_unit("qinghai", "qinghai", 1) == 0


def test_the_rate_scales_freight():
    # 1,448.04 road km x 0.50 = 724.02 CNY per tonne
    assert FreightRates(rate=0.5).per_unit("jiangxi", "sichuan", 1) == 724.02


def test_an_override_wins_over_the_distance_in_both_directions():
    rates = FreightRates(overrides={("jiangxi", "sichuan"): 420.0})
    assert rates.per_tonne("jiangxi", "sichuan") == 420.0
    assert rates.per_tonne("sichuan", "jiangxi") == 420.0
    assert rates.per_unit("sichuan", "jiangxi", 10) == 4200.0
    assert rates.per_tonne("jiangxi", "hunan") == pytest.approx(road_km("jiangxi", "hunan") * 0.35)


def test_an_override_within_a_province_replaces_zero():
    assert FreightRates(overrides={("xinjiang", "xinjiang"): 300.0}).per_unit("xinjiang", "xinjiang", 1) == 300.0


def test_a_product_without_tonnes_per_unit_has_no_freight_figure():
    assert FreightRates().per_unit("jiangxi", "sichuan", None) is None


def test_the_road_factor_matches_the_generators_road_distances():
    """Calibration: the 45 map-service road distances of the scenario generator are, on average,
    1.24 times the great-circle distance between the same capitals."""
    from solver.generate_catalog import ROAD_KM

    ratios = [km / great_circle_km(a, b) for (a, b), km in ROAD_KM.items()]
    assert sum(ratios) / len(ratios) == pytest.approx(ROAD_FACTOR, abs=0.02)


# --- settings in the database -------------------------------------------------------------


@pytest.fixture
def staff(db, factory):
    factory.catalogue()
    association = factory.org("中国锂电产业协会", tiers=["system"])
    user = factory.user(association, "staff@example.cn", role="staff")
    return Viewer(user_id=user.id, org_id=association.id, role="staff", org_status="approved")  # type: ignore[arg-type]


@pytest.fixture
def member(db, factory):
    org = factory.org("Ganzhou Lithium")
    user = factory.user(org, "member@example.cn")
    return Viewer(user_id=user.id, org_id=org.id, role="member", org_status="approved")  # type: ignore[arg-type]


def audit_actions(db) -> list[str]:
    return [r.action for r in db.exec(select(AuditRecord).order_by(AuditRecord.seq))]


def test_the_rate_defaults_to_035_and_staff_change_it_audited(db, staff):
    assert freight.current_rates(db).rate == 0.35
    freight.save_rate(db, staff, {"rate": "0.42"})
    assert freight.current_rates(db).rate == 0.42
    freight.save_rate(db, staff, {"rate": "0.42"})  # unchanged: nothing to audit
    record = db.exec(select(AuditRecord).where(AuditRecord.action == "freight_rate_set")).one()
    assert (json.loads(record.before), json.loads(record.after)) == ({"rate": 0.35}, {"rate": 0.42})
    assert record.user_id == staff.user_id
    assert verify_chain(db) == []


@pytest.mark.parametrize("value", ["", "abc", "-0.1", "25", "nan"])
def test_a_bad_rate_is_refused_naming_the_field(db, staff, value):
    with pytest.raises(ValidationError) as refused:
        freight.save_rate(db, staff, {"rate": value})
    assert list(refused.value.errors) == ["rate"]
    assert freight.current_rates(db).rate == 0.35


def test_overrides_are_stored_once_per_lane_whichever_way_round(db, staff):
    freight.save_override(db, staff, {"region_a": "sichuan", "region_b": "jiangxi", "cny_per_tonne": "420"})
    freight.save_override(db, staff, {"region_a": "jiangxi", "region_b": "sichuan", "cny_per_tonne": "450",
                                      "note": "carrier quote 2026-11"})
    rows = db.exec(select(FreightOverride)).all()
    assert [(r.region_a, r.region_b, r.cny_per_tonne, r.note) for r in rows] == [
        ("jiangxi", "sichuan", 450.0, "carrier quote 2026-11")]
    rates = freight.current_rates(db)
    assert rates.per_tonne("sichuan", "jiangxi") == rates.per_tonne("jiangxi", "sichuan") == 450.0
    assert audit_actions(db) == ["freight_override_set", "freight_override_set"]
    before = json.loads(db.exec(select(AuditRecord).order_by(AuditRecord.seq.desc())).first().before)  # type: ignore[union-attr]
    assert before["cny_per_tonne"] == 420.0


def test_removing_an_override_prices_the_lane_by_distance_again(db, staff):
    row = freight.save_override(db, staff, {"region_a": "jiangxi", "region_b": "sichuan", "cny_per_tonne": "420"})
    freight.remove_override(db, staff, row.id)  # type: ignore[arg-type]
    assert freight.current_rates(db).per_unit("jiangxi", "sichuan", 1) == 506.81
    assert audit_actions(db) == ["freight_override_set", "freight_override_removed"]
    with pytest.raises(NotFound):
        freight.remove_override(db, staff, row.id)  # type: ignore[arg-type]


def test_a_bad_override_names_each_field_and_writes_nothing(db, staff):
    with pytest.raises(ValidationError) as refused:
        freight.save_override(db, staff, {"region_a": "atlantis", "region_b": "", "cny_per_tonne": "-5", "note": "x" * 201})
    assert set(refused.value.errors) == {"region_a", "region_b", "cny_per_tonne", "note"}
    assert db.exec(select(FreightOverride)).all() == []
    assert audit_actions(db) == []


def test_only_staff_change_freight(db, staff, member):
    with pytest.raises(PermissionDenied):
        freight.save_rate(db, member, {"rate": "1"})
    with pytest.raises(PermissionDenied):
        freight.save_override(db, member, {"region_a": "jiangxi", "region_b": "sichuan", "cny_per_tonne": "1"})
    row = freight.save_override(db, staff, {"region_a": "jiangxi", "region_b": "sichuan", "cny_per_tonne": "420"})
    with pytest.raises(PermissionDenied):
        freight.remove_override(db, member, row.id)  # type: ignore[arg-type]


def test_products_without_weight_are_listed(db, staff):
    names = [p.id for p in freight.products_without_weight(db)]
    assert names == []  # the seeded catalogue gives every product its tonnes per unit
    from matchmaker.models import Product

    db.add(Product(id="bms", name_zh="电池管理系统", name_en="Battery management system", tier="system", unit="set"))
    db.commit()
    assert [p.id for p in freight.products_without_weight(db)] == ["bms"]
