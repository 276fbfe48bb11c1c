"""Importing offers or demands from a CSV or XLSX file: all rows or none.

Every row is checked with the same rules as the form (``listings.read_listing``) before anything
is written; if any row is refused, each problem is reported with its row number (as the
spreadsheet shows it, the header being row 1) and its field, and nothing is saved. Then all
rows are written in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from matchmaker.models import Demand, Offer
from matchmaker.services import listings
from matchmaker.services.errors import DomainError, PermissionDenied, ValidationError
from matchmaker.services.spreadsheet import (
    LIST_FIELDS,
    UnreadableFile,
    header_index,
    normalise_header,
    read_rows,
    split_list,
)
from matchmaker.services.viewer import Viewer

MAX_ROWS = 5000
REQUIRED_COLUMNS = ("product_id", "region", "monthly_qty", "start", "end", "price_basis", "delivery_terms")


@dataclass(frozen=True)
class RowProblem:
    row: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}


class ImportRefused(DomainError):
    """At least one row (or the header) is refused; nothing was written (422)."""

    status_code = 422

    def __init__(self, problems: list[RowProblem]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems

    @property
    def rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})


def import_listings(
    session: Session, viewer: Viewer, kind: str, content: bytes, filename: str, today: date
) -> list[Offer | Demand]:
    """The listings created. Raises PermissionDenied, UnreadableFile or ImportRefused."""
    model = listings.model_for(kind)
    if not viewer.may_trade:
        raise PermissionDenied()
    rows = iter(read_rows(content, filename))
    header = _read_header(kind, rows)
    problems: list[RowProblem] = []
    valid: list[dict[str, Any]] = []
    for number, cells in rows:
        if not any(cells):
            continue
        if len(valid) + len({p.row for p in problems}) >= MAX_ROWS:
            raise ImportRefused([RowProblem(number, "file", str(_l("At most %(n)s rows per file.", n=MAX_ROWS)))])
        data = _row_data(header, cells)
        try:
            values = listings.read_listing(session, viewer, kind, data, today)
        except ValidationError as error:
            problems.extend(RowProblem(number, field, str(message)) for field, message in error.errors.items())
            continue
        values.pop("inputs", None)
        valid.append(values)
    if problems:
        raise ImportRefused(problems)
    if not valid:
        raise ImportRefused([RowProblem(2, "file", str(_l("The file has no rows to import.")))])
    created = [model(org_id=viewer.org_id, status="open", **values) for values in valid]
    session.add_all(created)
    session.commit()
    return created


def _read_header(kind: str, rows: Any) -> list[str | None]:
    """Field of each column (None for an ignored export-only column). Unknown or repeated
    headers and missing required columns are refused on row 1."""
    first = next(rows, None)
    if first is None:
        raise UnreadableFile(_l("The file is empty."))
    index = header_index(kind)
    fields: list[str | None] = []
    problems: list[RowProblem] = []
    for cell in first[1]:
        name = index.get(normalise_header(cell)) if cell else None
        if cell and name is None:
            problems.append(RowProblem(1, cell, str(_l("Unknown column."))))
        elif name is not None and name in fields:
            problems.append(RowProblem(1, cell, str(_l("This column appears twice."))))
        fields.append(None if name in ("id", "status", "org") else name)
    for required in REQUIRED_COLUMNS:
        if required not in fields:
            problems.append(RowProblem(1, required, str(_l("This column is missing."))))
    if problems:
        raise ImportRefused(problems)
    return fields


def _row_data(header: list[str | None], cells: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, cell in zip(header, cells, strict=False):
        if name is None:
            continue
        data[name] = split_list(cell) if name in LIST_FIELDS else cell
    return data
