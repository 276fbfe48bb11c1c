"""Supply and demand balance per product and month, nationally or in one province.

* **offered**: monthly capacity of open offers whose window covers the month;
* **projects**: declared capacity projects started by the month (future capacity);
* **demanded**: monthly volume of open demands covering the month;
* **contracted**: schedule lines of platform contracts due that month;
* **derived**: what the requirement for downstream products implies through the bills of
  materials (LFP cells -> LFP cathode -> lithium carbonate -> spodumene);
* **requirement**: the larger of demanded and derived. A cathode maker's posted demand for
  lithium carbonate and the carbonate implied by cathode demand describe the same tonnes seen
  from two tiers, so they are not added; the larger shows what the chain will need.

``coverage`` = (offered + projects) / requirement; a shortage warning fires when coverage falls
below ``shortage_coverage`` and a surplus warning when it exceeds ``surplus_coverage``.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, select

from matchmaker.models import BomLine, CapacityProject, Contract, Demand, Offer, ScheduleLine
from matchmaker.services.fields import current_month, month_index
from matchmaker.services.monitoring_settings import thresholds

HORIZON_MONTHS = 12
Volumes = dict[tuple[str, str], float]  # (product_id, month) -> units per month


def month_at(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def horizon(today: date, months: int = HORIZON_MONTHS) -> list[str]:
    first = month_index(current_month(today))
    return [month_at(first + k) for k in range(months)]


@dataclass
class Cell:
    product_id: str
    month: str
    offered: float = 0.0
    projects: float = 0.0
    demanded: float = 0.0
    contracted: float = 0.0
    derived: float = 0.0
    derived_from: dict[str, float] = field(default_factory=dict)

    @property
    def supply(self) -> float:
        return self.offered + self.projects

    @property
    def requirement(self) -> float:
        return max(self.demanded, self.derived)

    @property
    def coverage(self) -> float | None:
        return self.supply / self.requirement if self.requirement > 0 else None


@dataclass(frozen=True)
class Warning:
    kind: str  # shortage | surplus
    product_id: str
    month: str
    region: str | None
    coverage: float
    supply: float
    requirement: float
    threshold: float


def _spread(rows: list[tuple[str, str, str, float]], months: list[str]) -> Volumes:
    """(product, start, end, monthly qty) rows as volume per product-month of the horizon."""
    volumes: Volumes = defaultdict(float)
    for product_id, start, end, qty in rows:
        for month in months:
            if start <= month <= end:
                volumes[(product_id, month)] += qty
    return volumes


def listing_volumes(session: Session, model: type[Offer | Demand], months: list[str],
                    region: str | None = None, org_id: int | None = None) -> Volumes:
    query = select(model.product_id, model.start, model.end, model.monthly_qty).where(
        model.status == "open", model.end >= months[0], model.start <= months[-1])
    if region:
        query = query.where(model.region == region)
    if org_id is not None:
        query = query.where(model.org_id == org_id)
    return _spread(list(session.exec(query)), months)  # type: ignore[arg-type]


def project_volumes(session: Session, months: list[str], region: str | None = None,
                    org_id: int | None = None) -> Volumes:
    query = select(CapacityProject.product_id, CapacityProject.start, CapacityProject.monthly_capacity)
    if region:
        query = query.where(CapacityProject.region == region)
    if org_id is not None:
        query = query.where(CapacityProject.org_id == org_id)
    return _spread([(p, s, "9999-12", q) for p, s, q in session.exec(query)], months)


def contracted_volumes(session: Session, months: list[str], region: str | None = None) -> Volumes:
    """Schedule lines of contracts, by the supplier's region when a region is asked for."""
    query = (select(Contract.product_id, ScheduleLine.month, ScheduleLine.qty)
             .join(Contract, ScheduleLine.contract_id == Contract.id)
             .where(ScheduleLine.month >= months[0], ScheduleLine.month <= months[-1]))
    if region:
        query = query.where(Contract.origin_region == region)
    volumes: Volumes = defaultdict(float)
    for product_id, month, qty in session.exec(query):
        volumes[(product_id, month)] += qty
    return volumes


def bom_lines(session: Session) -> dict[str, list[tuple[str, float]]]:
    """product -> [(input, qty per unit)]."""
    lines: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for line in session.exec(select(BomLine)):
        lines[line.product_id].append((line.input_id, line.qty_per_unit))
    return lines


def downstream_order(bom: dict[str, list[tuple[str, float]]], products: set[str]) -> list[str]:
    """Products ordered so each comes before its inputs (a cycle, which the catalogue should not
    hold, is broken by visiting each product once)."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(product: str, path: set[str]) -> None:
        if product in seen or product in path:
            return
        path.add(product)
        users = [p for p, lines in bom.items() if any(i == product for i, _ in lines)]
        for user in users:
            visit(user, path)
        seen.add(product)
        order.append(product)

    for product in sorted(products | set(bom) | {i for lines in bom.values() for i, _ in lines}):
        visit(product, set())
    return order


def derive(cells: dict[tuple[str, str], Cell], bom: dict[str, list[tuple[str, float]]],
           months: list[str]) -> None:
    """Fill ``derived`` top-down: each product's requirement pulls its inputs."""
    for product in downstream_order(bom, {p for p, _ in cells}):
        for month in months:
            cell = cells.get((product, month))
            if cell is None or cell.requirement == 0:
                continue
            for input_id, qty in bom.get(product, []):
                target = cells.setdefault((input_id, month), Cell(input_id, month))
                target.derived += qty * cell.requirement
                target.derived_from[product] = target.derived_from.get(product, 0.0) + qty * cell.requirement


def balance(session: Session, today: date, region: str | None = None,
            months: list[str] | None = None) -> tuple[list[str], dict[tuple[str, str], Cell]]:
    months = months or horizon(today)
    sources = {
        "offered": listing_volumes(session, Offer, months, region),
        "demanded": listing_volumes(session, Demand, months, region),
        "projects": project_volumes(session, months, region),
        "contracted": contracted_volumes(session, months, region),
    }
    cells: dict[tuple[str, str], Cell] = {}
    for name, volumes in sources.items():
        for (product_id, month), qty in volumes.items():
            cell = cells.setdefault((product_id, month), Cell(product_id, month))
            setattr(cell, name, getattr(cell, name) + qty)
    derive(cells, bom_lines(session), months)
    return months, cells


def warnings(cells: dict[tuple[str, str], Cell], limits: dict[str, float], region: str | None = None) -> list[Warning]:
    found: list[Warning] = []
    for (product_id, month), cell in sorted(cells.items()):
        coverage = cell.coverage
        if coverage is None:
            continue
        if coverage < limits["shortage_coverage"]:
            found.append(Warning("shortage", product_id, month, region, coverage, cell.supply, cell.requirement,
                                 limits["shortage_coverage"]))
        elif coverage > limits["surplus_coverage"]:
            found.append(Warning("surplus", product_id, month, region, coverage, cell.supply, cell.requirement,
                                 limits["surplus_coverage"]))
    return found


def balance_warnings(session: Session, today: date, region: str | None = None) -> list[Warning]:
    _, cells = balance(session, today, region)
    return warnings(cells, thresholds(session), region)


def regions_with_activity(session: Session) -> list[str]:
    regions: set[str] = set()
    for model in (Offer, Demand):
        regions.update(session.exec(select(model.region).where(model.status == "open").distinct()))
    regions.update(session.exec(select(CapacityProject.region).distinct()))
    return sorted(regions)


CSV_COLUMNS = ["product", "month", "offered", "projects", "supply", "demanded", "derived", "requirement",
               "contracted", "coverage"]


def balance_csv(months: list[str], cells: dict[tuple[str, str], Cell], products: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for product_id in products:
        for month in months:
            c = cells.get((product_id, month)) or Cell(product_id, month)
            coverage = "" if c.coverage is None else f"{c.coverage:.4f}"
            writer.writerow([product_id, month, f"{c.offered:g}", f"{c.projects:g}", f"{c.supply:g}", f"{c.demanded:g}",
                             f"{c.derived:g}", f"{c.requirement:g}", f"{c.contracted:g}", coverage])
    return out.getvalue()
