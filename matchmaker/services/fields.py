"""Reading untrusted form data into typed values, collecting one message per field.

Accepts a werkzeug ``MultiDict`` (``request.form``) or a plain dict (tests, JSON), so the web
forms and any API go through the same checks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from matchmaker.services.errors import ValidationError

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
MAX_NUMBER = 1e12


def month_index(month: str) -> int:
    year, mon = int(month[:4]), int(month[5:7])
    return year * 12 + mon - 1


def months_inclusive(start: str, end: str) -> int:
    return month_index(end) - month_index(start) + 1


def current_month(today: date) -> str:
    return f"{today.year:04d}-{today.month:02d}"


class FormReader:
    def __init__(self, data: Mapping[str, Any]):
        self.data = data
        self.errors: dict[str, object] = {}

    def raw(self, name: str) -> str:
        value = self.data.get(name, "")
        if isinstance(value, list):
            value = value[0] if value else ""
        return "" if value is None else str(value).strip()

    def raw_list(self, name: str) -> list[str]:
        if hasattr(self.data, "getlist"):
            values = self.data.getlist(name)
        else:
            value = self.data.get(name, [])
            values = value if isinstance(value, list) else [value]
        return [str(v).strip() for v in values if v is not None and str(v).strip() != ""]

    def error(self, name: str, message: object) -> None:
        self.errors.setdefault(name, message)

    def text(self, name: str, *, max_len: int, required: bool = True) -> str:
        value = self.raw(name)
        if required and not value:
            self.error(name, _l("This field is required."))
        elif len(value) > max_len:
            self.error(name, _l("At most %(n)s characters.", n=max_len))
        elif any(ord(ch) < 32 for ch in value):
            self.error(name, _l("Control characters are not allowed."))
        return value

    def number(
        self,
        name: str,
        *,
        required: bool = True,
        gt: float | None = None,
        ge: float | None = None,
        le: float | None = None,
        lt: float | None = None,
    ) -> float | None:
        text = self.raw(name).replace(",", "").replace("，", "")
        if not text:
            if required:
                self.error(name, _l("This field is required."))
            return None
        try:
            value = float(text)
        except ValueError:
            self.error(name, _l("Enter a number."))
            return None
        if not math.isfinite(value) or abs(value) > MAX_NUMBER:
            self.error(name, _l("Enter a number."))
        elif gt is not None and value <= gt:
            self.error(name, _l("Must be greater than %(n)s.", n=_fmt(gt)))
        elif ge is not None and value < ge:
            self.error(name, _l("Must be at least %(n)s.", n=_fmt(ge)))
        elif le is not None and value > le:
            self.error(name, _l("Must be at most %(n)s.", n=_fmt(le)))
        elif lt is not None and value >= lt:
            self.error(name, _l("Must be less than %(n)s.", n=_fmt(lt)))
        else:
            return value
        return None

    def integer(
        self, name: str, *, required: bool = True, ge: int | None = None, le: int | None = None
    ) -> int | None:
        text = self.raw(name)
        if not text:
            if required:
                self.error(name, _l("This field is required."))
            return None
        if not re.fullmatch(r"[+-]?\d{1,9}", text):
            self.error(name, _l("Enter a whole number."))
            return None
        value = int(text)
        if ge is not None and value < ge:
            self.error(name, _l("Must be at least %(n)s.", n=ge))
        elif le is not None and value > le:
            self.error(name, _l("Must be at most %(n)s.", n=le))
        else:
            return value
        return None

    def month(self, name: str) -> str | None:
        text = self.raw(name)
        if not text:
            self.error(name, _l("This field is required."))
            return None
        match = MONTH_RE.match(text)
        if not match or not (1 <= int(match.group(2)) <= 12) or not (2000 <= int(match.group(1)) <= 2100):
            self.error(name, _l("Enter a month as YYYY-MM."))
            return None
        return text

    def date(self, name: str, *, required: bool = True) -> date | None:
        text = self.raw(name)
        if not text:
            if required:
                self.error(name, _l("This field is required."))
            return None
        try:
            value = date.fromisoformat(text)
        except ValueError:
            self.error(name, _l("Enter a date as YYYY-MM-DD."))
            return None
        return value

    def choice(self, name: str, choices: Mapping[str, Any] | set[str], message: object = None) -> str:
        value = self.raw(name)
        if not value:
            self.error(name, _l("This field is required."))
        elif value not in choices:
            self.error(name, message or _l("Not one of the choices."))
        return value

    def choice_list(self, name: str, choices: Mapping[str, Any] | set[str]) -> list[str]:
        values = self.raw_list(name)
        unknown = [v for v in values if v not in choices]
        if unknown:
            self.error(name, _l("Not one of the choices."))
        return sorted(set(values) - set(unknown))

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _fmt(value: float) -> str:
    return f"{value:g}"
