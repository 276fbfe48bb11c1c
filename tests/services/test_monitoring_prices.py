"""Reference price series and the abnormal-move rules, with the numbers worked by hand.

"The value N months earlier" is read off the straight line between the two points around that
day: e.g. on 2021-08-30, between 88,000 (2021-06-04) and 200,000 (2021-11-30), 87 of 179 days
along: 88,000 + 112,000 x 87/179 = 142,435.8.
"""

from datetime import date

import pytest
from flask_babel import force_locale
from sqlmodel import select

from matchmaker.models import Alert, AuditRecord, Notification, PricePoint
from matchmaker.services import monitoring_prices as prices
from matchmaker.services.errors import PermissionDenied, ValidationError
from matchmaker.services.monitoring_alerts import raise_price_alerts
from matchmaker.services.monitoring_prices import Point, abnormal_moves, months_before, value_at
from matchmaker.services.monitoring_settings import SETTINGS, save_thresholds, thresholds
from matchmaker.services.viewer import Viewer

LIMITS = {s.key: s.default for s in SETTINGS}  # 15 % / 30 % / 6 months / 40 %
STAFF = Viewer(user_id=1, org_id=1, role="staff", org_status="approved")
MEMBER = Viewer(user_id=2, org_id=2, role="member", org_status="approved")


def seeded_points() -> list[Point]:
    return [Point(d, p) for d, p, _ in prices.parse_price_csv(prices.SEED_CSV.read_text(encoding="utf-8"))]


def test_months_before_keeps_the_day_or_takes_the_month_end():
    assert months_before(date(2021, 11, 30), 3) == date(2021, 8, 30)
    assert months_before(date(2022, 3, 31), 1) == date(2022, 2, 28)
    assert months_before(date(2023, 1, 15), 2) == date(2022, 11, 15)


def test_value_at_interpolates_between_points_and_is_silent_outside():
    points = [Point(date(2024, 1, 1), 100.0), Point(date(2024, 1, 11), 200.0)]
    assert value_at(points, date(2024, 1, 1)) == 100.0
    assert value_at(points, date(2024, 1, 5)) == pytest.approx(140.0)  # 100 + 100 x 4/10
    assert value_at(points, date(2023, 12, 31)) is None
    assert value_at(points, date(2024, 1, 12)) is None


def test_one_month_rule_fires_beyond_its_threshold_only():
    # 2024-02-01 at 120 against 100 on 2024-01-01: +20 % > 15 %; 2024-03-01 at 130 against 120: +8.3 %
    points = [Point(date(2024, 1, 1), 100.0), Point(date(2024, 2, 1), 120.0), Point(date(2024, 3, 1), 130.0)]
    moves = [m for m in abnormal_moves(points, LIMITS) if m.rule == "change_1m"]
    assert [(m.day, m.reference, round(m.change_pct, 1)) for m in moves] == [(date(2024, 2, 1), 100.0, 20.0)]


def test_three_month_rule_catches_a_steady_climb_the_monthly_rule_misses():
    # +10 % a month: never beyond 15 % in one month, but 133.1 / 100 = +33.1 % over three (> 30 %)
    points = [Point(date(2024, m, 1), 100.0 * 1.1 ** (m - 1)) for m in range(1, 5)]
    moves = abnormal_moves(points, LIMITS)
    assert [(m.rule, m.day, round(m.change_pct, 1)) for m in moves] == [("change_3m", date(2024, 4, 1), 33.1)]


def test_rolling_band_rule_against_the_average_of_the_previous_months():
    # Flat at 100 for six months, then 150: the average of 2024-01..06 is 100, deviation +50 % > 40 %
    points = [Point(date(2024, m, 1), 100.0) for m in range(1, 8)] + [Point(date(2024, 8, 1), 150.0)]
    band = [m for m in abnormal_moves(points, {**LIMITS, "change_1m_pct": 1000, "change_3m_pct": 1000})]
    assert [(m.rule, m.day, m.reference, round(m.change_pct, 1)) for m in band] == [("band", date(2024, 8, 1), 100.0, 50.0)]


def test_a_fall_fires_as_well_as_a_rise():
    points = [Point(date(2024, 1, 1), 100.0), Point(date(2024, 2, 1), 80.0)]
    (move,) = abnormal_moves(points, LIMITS)
    assert (move.rule, round(move.change_pct, 1)) == ("change_1m", -20.0)


def test_seeded_series_flags_the_2021_2022_surge():
    moves = {(m.rule, m.day): m for m in abnormal_moves(seeded_points(), LIMITS)}
    # 200,000 on 2021-11-30 against 142,435.8 on 2021-08-30 (interpolated, see above): +40.4 %
    surge = moves[("change_3m", date(2021, 11, 30))]
    assert surge.reference == pytest.approx(142_435.8, abs=0.1) and surge.change_pct == pytest.approx(40.41, abs=0.01)
    # 497,500 on 2022-03-31 against 2022-02-28: 200,000 + 297,500 x 90/121 = 421,281.0: +18.1 % in a month
    march = moves[("change_1m", date(2022, 3, 31))]
    assert march.reference == pytest.approx(421_281.0, abs=0.1) and march.change_pct == pytest.approx(18.09, abs=0.01)
    # and against 2021-12-31: 200,000 + 297,500 x 31/121 = 276,219.0: +80.1 % in three months
    assert moves[("change_3m", date(2022, 3, 31))].change_pct == pytest.approx(80.11, abs=0.01)


def test_seeded_series_flags_the_2023_fall():
    moves = {(m.rule, m.day): m for m in abnormal_moves(seeded_points(), LIMITS)}
    # 357,500 on 2023-03-05 against 2023-02-05: 605,000 - 145,000 x 86/96 = 475,104.2: -24.8 %
    assert moves[("change_1m", date(2023, 3, 5))].reference == pytest.approx(475_104.2, abs=0.1)
    assert moves[("change_1m", date(2023, 3, 5))].change_pct == pytest.approx(-24.75, abs=0.01)
    # 200,000 on 2023-04-28 against 2023-01-28: 605,000 - 145,000 x 78/96 = 487,187.5: -58.9 %
    assert moves[("change_3m", date(2023, 4, 28))].reference == pytest.approx(487_187.5, abs=0.1)
    assert moves[("change_3m", date(2023, 4, 28))].change_pct == pytest.approx(-58.95, abs=0.01)


def test_seeded_series_is_quiet_outside_the_surge_and_the_fall():
    days = {m.day for m in abnormal_moves(seeded_points(), LIMITS)}
    assert days == {date(2021, 11, 30), date(2022, 3, 31), date(2023, 3, 5), date(2023, 4, 28)}


def test_a_wider_threshold_set_by_staff_silences_the_rule(db, factory):
    factory.catalogue()
    save_thresholds(db, STAFF, {**{s.key: f"{s.default:g}" for s in SETTINGS}, "change_3m_pct": "90"})
    moves = abnormal_moves(seeded_points(), thresholds(db))
    assert not [m for m in moves if m.rule == "change_3m"]  # the largest three-month move is -58.9 %


def test_seeding_raises_alerts_that_reach_the_staff_inbox_with_an_audit_record(db, factory):
    factory.catalogue()
    assert prices.seed_price_series(db) == 14
    assert prices.seed_price_series(db) == 14  # idempotent
    assert len(db.exec(select(PricePoint)).all()) == 14
    raised = raise_price_alerts(db, "lithium-carbonate")
    assert raised == 10 and raise_price_alerts(db, "lithium-carbonate") == 0  # raised once
    keys = set(db.exec(select(Alert.key)))
    assert "price:change_3m:lithium-carbonate:2021-11-30" in keys and "price:change_1m:lithium-carbonate:2023-03-05" in keys
    staff_notices = db.exec(select(Notification).where(Notification.org_id.is_(None))).all()
    assert len(staff_notices) == 10 and {n.kind for n in staff_notices} == {"monitoring_alert"}
    assert len(db.exec(select(AuditRecord).where(AuditRecord.action == "alert_raised")).all()) == 10


def test_staff_add_a_point_and_the_rules_run_at_once(db, factory):
    factory.catalogue()
    prices.add_point(db, STAFF, "lithium-carbonate", {"day": "2024-01-01", "price": "100000"})
    prices.add_point(db, STAFF, "lithium-carbonate", {"day": "2024-02-01", "price": "125000", "note": "spot"})
    (alert,) = db.exec(select(Alert)).all()
    assert (alert.rule, alert.product_id) == ("change_1m", "lithium-carbonate")  # +25 % > 15 %
    prices.add_point(db, STAFF, "lithium-carbonate", {"day": "2024-02-01", "price": "101000"})
    assert [p.price for p in prices.points_of(db, "lithium-carbonate")] == [100000, 101000]  # a day is replaced


def test_members_cannot_enter_prices(db, factory):
    factory.catalogue()
    with pytest.raises(PermissionDenied):
        prices.add_point(db, MEMBER, "lithium-carbonate", {"day": "2024-01-01", "price": "1"})
    with pytest.raises(PermissionDenied):
        prices.import_csv(db, MEMBER, "lithium-carbonate", b"date,price\n2024-01-01,1\n")


def test_csv_import_reports_every_bad_row_by_number_and_saves_nothing(app, db, factory):
    factory.catalogue()
    text = b"date,price,note\n2024-01-01,100000,ok\n2024-13-01,5,bad month\n2024-02-01,-3,negative\n2024-01-01,9,again\n"
    with app.test_request_context(), pytest.raises(ValidationError) as error:
        prices.import_csv(db, STAFF, "lithium-carbonate", text)
    with app.test_request_context(), force_locale("en"):
        lines = [str(p) for p in error.value.errors["file"]]
    assert lines == ["Row 3: the date must be YYYY-MM-DD.", "Row 4: the price must be a number greater than 0.",
                     "Row 5: the date 2024-01-01 appears twice."]
    assert db.exec(select(PricePoint)).all() == []


def test_csv_import_accepts_the_published_file_format(db, factory):
    factory.catalogue()
    assert prices.import_csv(db, STAFF, "lfp-cathode", b"\xef\xbb\xbfdate,cny_per_t,basis\n2025-01-02,36000,SMM\n") == 1
    assert prices.points_of(db, "lfp-cathode") == [Point(date(2025, 1, 2), 36000.0)]
