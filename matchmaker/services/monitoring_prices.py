"""Reference price series: points entered by staff or imported from CSV, and the abnormal-move
rules that turn them into alerts.

The rules (thresholds in ``monitoring_settings``; documented in docs/monitoring.md):

* ``change_1m`` / ``change_3m``: a point compared with the series' value one (three) months
  earlier; fires when the change exceeds the threshold in either direction.
* ``band``: a point compared with the average of the series' values at each of the previous
  ``band_months`` months; fires when it deviates from that average by more than ``band_pct``.

Published series are irregular (a quote here, a monthly average there), so "the value N months
earlier" is read off the straight line between the two points around that day; a rule is silent
where the series does not yet reach back far enough.
"""

from __future__ import annotations

import calendar
import csv
import hashlib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlmodel import Session, select

from matchmaker.models import Contract, PricePoint, PriceSeries, Product, ScheduleLine
from matchmaker.services import audit
from matchmaker.services.errors import NotFound, PermissionDenied, ValidationError
from matchmaker.services.fields import FormReader
from matchmaker.services.viewer import Viewer

SEED_CSV = Path(__file__).resolve().parents[2] / "solver" / "data" / "lithium-carbonate-price-points.csv"
MAX_IMPORT_BYTES = 1_000_000
MAX_IMPORT_ROWS = 5000
RULES: dict[str, object] = {
    "change_1m": _l("Change over 1 month"),
    "change_3m": _l("Change over 3 months"),
    "band": _l("Deviation from the rolling band"),
}


@dataclass(frozen=True)
class Point:
    day: date
    price: float


@dataclass(frozen=True)
class PriceMove:
    """One fired rule: ``price`` on ``day`` against ``reference`` (the value ``reference_day``,
    or for the band the average of the months before)."""

    rule: str
    day: date
    price: float
    reference: float
    reference_day: date | None
    change_pct: float
    threshold_pct: float


def months_before(day: date, months: int) -> date:
    """The same day of the month ``months`` earlier, or that month's last day (31 March -> 28 February)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def value_at(points: Sequence[Point], day: date) -> float | None:
    """The series on ``day``: a point on that day, else the straight line between its neighbours;
    None outside the series."""
    if not points or day < points[0].day or day > points[-1].day:
        return None
    for before, after in pairwise(points):
        if before.day <= day <= after.day:
            if day == before.day:
                return before.price
            span = (after.day - before.day).days
            return before.price + (after.price - before.price) * (day - before.day).days / span
    return points[-1].price


def abnormal_moves(points: Sequence[Point], limits: Mapping[str, float]) -> list[PriceMove]:
    """Every rule that fires on every point, oldest first. ``points`` sorted by day."""
    moves: list[PriceMove] = []
    for point in points:
        for rule, months, key in (("change_1m", 1, "change_1m_pct"), ("change_3m", 3, "change_3m_pct")):
            then = months_before(point.day, months)
            earlier = value_at(points, then)
            if earlier:
                change = (point.price / earlier - 1) * 100
                if abs(change) > limits[key]:
                    moves.append(PriceMove(rule, point.day, point.price, earlier, then, change, limits[key]))
        window = [value_at(points, months_before(point.day, k)) for k in range(1, int(limits["band_months"]) + 1)]
        if all(v is not None for v in window):
            average = sum(window) / len(window)  # type: ignore[arg-type]
            deviation = (point.price / average - 1) * 100 if average else 0.0
            if abs(deviation) > limits["band_pct"]:
                moves.append(PriceMove("band", point.day, point.price, average, None, deviation, limits["band_pct"]))
    return moves


def series_for(session: Session, product_id: str, *, create: bool = False, source: str = "") -> PriceSeries | None:
    series = session.exec(select(PriceSeries).where(PriceSeries.product_id == product_id)).first()
    if series is None and create:
        if session.get(Product, product_id) is None:
            raise NotFound(product_id)
        series = PriceSeries(product_id=product_id, source=source)
        session.add(series)
        session.flush()
    return series


def points_of(session: Session, product_id: str) -> list[Point]:
    series = series_for(session, product_id)
    if series is None:
        return []
    rows = session.exec(select(PricePoint).where(PricePoint.series_id == series.id).order_by(PricePoint.day))
    return [Point(r.day, r.price) for r in rows]


def point_rows(session: Session, product_id: str) -> list[PricePoint]:
    series = series_for(session, product_id)
    if series is None:
        return []
    return list(session.exec(select(PricePoint).where(PricePoint.series_id == series.id).order_by(PricePoint.day)))


@dataclass(frozen=True)
class SeriesView:
    """One series as staff read it: its points in a date range, the abnormal moves among them
    (each rule sees the whole series, so a move just inside the range still compares with the
    months before it), and the platform's contract prices over the same months."""

    product: Product
    source: str
    points: list[PricePoint]
    moves: list[PriceMove]
    contract_prices: list[tuple[str, float]]


def list_series(session: Session, viewer: Viewer) -> list[tuple[PriceSeries, list[Point]]]:
    """Every series with its points, by product id. Staff only (raises PermissionDenied): the
    pages show reference prices beside platform contract prices, which members do not see."""
    if not viewer.is_staff:
        raise PermissionDenied()
    series = session.exec(select(PriceSeries).order_by(PriceSeries.product_id))
    return [(s, points_of(session, s.product_id)) for s in series]


def read_series(session: Session, viewer: Viewer, product_id: str, since: date | None = None,
                until: date | None = None) -> SeriesView:
    """Staff only. Raises PermissionDenied, or NotFound for an unknown product (a product without
    a series has no points yet)."""
    if not viewer.is_staff:
        raise PermissionDenied()
    product = session.get(Product, product_id)
    if product is None:
        raise NotFound(product_id)
    from matchmaker.services.monitoring_settings import thresholds

    def inside(day: date) -> bool:
        return (since is None or day >= since) and (until is None or day <= until)

    series = series_for(session, product_id)
    rows = point_rows(session, product_id)
    moves = abnormal_moves([Point(r.day, r.price) for r in rows], thresholds(session))
    first, last = (since.isoformat()[:7] if since else ""), (until.isoformat()[:7] if until else "9999-12")
    return SeriesView(product, series.source if series else "", [r for r in rows if inside(r.day)],
                      [m for m in moves if inside(m.day)],
                      [(m, v) for m, v in contract_prices(session, product_id) if first <= m <= last])


def latest_price(session: Session, product_id: str) -> Point | None:
    points = points_of(session, product_id)
    return points[-1] if points else None


def _store(session: Session, series: PriceSeries, day: date, price: float, note: str) -> dict[str, Any] | None:
    """A second value for a day already stored replaces the first; returns the replaced point
    (for the audit record), None for a new day."""
    row = session.exec(select(PricePoint).where(PricePoint.series_id == series.id, PricePoint.day == day)).first()
    replaced = {"day": day.isoformat(), "price": row.price, "note": row.note} if row else None
    row = row or PricePoint(series_id=series.id, day=day, price=price)  # type: ignore[arg-type]
    row.price, row.note = price, note
    session.add(row)
    return replaced


def _point_count(session: Session, series: PriceSeries) -> int:
    return session.exec(select(func.count()).select_from(PricePoint).where(PricePoint.series_id == series.id)).one()


def add_point(session: Session, viewer: Viewer, product_id: str, data: Mapping[str, Any]) -> None:
    """Staff only. Raises PermissionDenied, NotFound or ValidationError; commits the point with its
    audit record (``price_point_set``, keyed by the product id: before is the value it replaced,
    if any), then checks the rules."""
    if not viewer.is_staff:
        raise PermissionDenied()
    form = FormReader(data)
    day = form.date("day")
    price = form.number("price", gt=0)
    note = form.text("note", max_len=200, required=False)
    form.raise_if_errors()
    series = series_for(session, product_id, create=True)
    replaced = _store(session, series, day, price, note)  # type: ignore[arg-type]
    audit.record(session, viewer.user_id, "price_point_set", "price_series", product_id, replaced,
                 {"day": day.isoformat(), "price": price, "note": note})  # type: ignore[union-attr]
    session.commit()
    _check(session, product_id)


def parse_price_csv(text: str) -> list[tuple[date, float, str]]:
    """Rows ``date,price[,note]`` (the seed file's ``date,cny_per_t,basis`` too), header first.

    Raises ValidationError with one line per bad row, numbered as a spreadsheet shows them."""
    problems: list[object] = []
    rows: list[tuple[date, float, str]] = []
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in next(reader, [])]
    if len(header) < 2 or header[0] != "date":
        raise ValidationError({"file": _l("The first line must be the header: date,price,note")})
    seen: set[date] = set()
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(rows) + len(problems) >= MAX_IMPORT_ROWS:
            problems.append(_l("At most %(n)s rows.", n=MAX_IMPORT_ROWS))
            break
        try:
            day = date.fromisoformat(row[0].strip())
        except (ValueError, IndexError):
            problems.append(_l("Row %(row)s: the date must be YYYY-MM-DD.", row=line))
            continue
        try:
            price = float(row[1].strip().replace(",", ""))
        except (ValueError, IndexError):
            price = float("nan")
        if not (0 < price < 1e12):
            problems.append(_l("Row %(row)s: the price must be a number greater than 0.", row=line))
            continue
        if day in seen:
            problems.append(_l("Row %(row)s: the date %(day)s appears twice.", row=line, day=day.isoformat()))
            continue
        seen.add(day)
        note = row[2].strip()[:200] if len(row) > 2 else ""
        rows.append((day, price, note))
    if problems:
        raise ValidationError({"file": problems})
    if not rows:
        raise ValidationError({"file": _l("The file has no rows.")})
    return rows


def import_csv(session: Session, viewer: Viewer, product_id: str, raw: bytes) -> int:
    """All rows or none, with one audit record for the whole file (``price_points_imported``:
    the series' point count before and after, the rows imported, how many replaced a stored
    day, their date range and the file's SHA-256). Staff only; raises PermissionDenied,
    NotFound or ValidationError."""
    if not viewer.is_staff:
        raise PermissionDenied()
    if len(raw) > MAX_IMPORT_BYTES:
        raise ValidationError({"file": _l("The file is larger than 1 MB.")})
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError({"file": _l("The file must be UTF-8 text.")}) from None
    rows = parse_price_csv(text)
    series = series_for(session, product_id, create=True)
    before = _point_count(session, series)  # type: ignore[arg-type]
    replaced = sum(_store(session, series, day, price, note) is not None for day, price, note in rows)  # type: ignore[arg-type]
    session.flush()
    days = [day for day, _, _ in rows]
    audit.record(session, viewer.user_id, "price_points_imported", "price_series", product_id, {"points": before},
                 {"points": _point_count(session, series), "imported": len(rows), "replaced": replaced,  # type: ignore[arg-type]
                  "first_day": min(days).isoformat(), "last_day": max(days).isoformat(),
                  "file_sha256": hashlib.sha256(raw).hexdigest()})
    session.commit()
    _check(session, product_id)
    return len(rows)


def seed_price_series(session: Session, csv_path: Path = SEED_CSV) -> int:
    """The lithium carbonate series from the published points (idempotent)."""
    rows = parse_price_csv(csv_path.read_text(encoding="utf-8"))
    series = series_for(session, "lithium-carbonate", create=True, source="SMM, MIIT, GFEX, Wuxi (see solver/data/README.md)")
    for day, price, note in rows:
        _store(session, series, day, price, note)  # type: ignore[arg-type]
    session.commit()
    return len(rows)


def contract_prices(session: Session, product_id: str,
                    configured: Mapping[str, float] | None = None) -> list[tuple[str, float]]:
    """Per month, the quantity-weighted average unit price platform contracts charge for that
    month's deliveries. An index-linked contract counts at its price *for the month*
    (``contract_terms.monthly_prices``: the month's index value, or the latest value for a month
    not yet published, as its parties see it), not at its price at signing: a monitoring chart
    set beside the reference price must follow the index the way the contracts do, or a fall in
    the index would show as contracts suddenly priced above the market. Months with no index
    value at all are left out. ``configured``: index values from the configuration."""
    from matchmaker.services.contract_terms import index_history, indices, monthly_prices

    contracts = {c.id: c for c in session.exec(select(Contract).where(Contract.product_id == product_id))}
    if not contracts:
        return []
    lines: dict[int, list[ScheduleLine]] = {}
    for line in session.exec(select(ScheduleLine).where(ScheduleLine.contract_id.in_(contracts))  # type: ignore[attr-defined]
                             .order_by(ScheduleLine.month)):
        lines.setdefault(line.contract_id, []).append(line)
    names = sorted({name for c in contracts.values() for name in indices(c)})
    history = index_history(session, names, configured or {}) if names else {}
    totals: dict[str, list[float]] = {}
    for contract_id, contract_lines in lines.items():
        for month in monthly_prices(contracts[contract_id], contract_lines, history):
            if month.price is None:
                continue
            acc = totals.setdefault(month.month, [0.0, 0.0])
            acc[0] += month.qty * month.price
            acc[1] += month.qty
    return [(m, v / q) for m, (v, q) in sorted(totals.items()) if q > 0]


def _check(session: Session, product_id: str) -> None:
    from matchmaker.services.monitoring_alerts import raise_price_alerts

    raise_price_alerts(session, product_id)
