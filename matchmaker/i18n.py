"""Language choice and locale-aware formatting for templates.

The language is the one chosen with the switch (kept in the session), else Chinese.
"""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_skeleton
from flask import Flask, current_app, session
from flask_babel import format_date, format_datetime, format_decimal, get_locale

from matchmaker.domain import (
    CERTIFICATIONS,
    DELIVERY_TERMS,
    LISTING_STATUSES,
    ORG_STATUSES,
    PRICE_INDICES,
    ROLES,
    TIERS,
    UNITS,
)
from matchmaker.regions import PROVINCES, region_name


def select_locale() -> str:
    lang = session.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def current_language() -> str:
    return str(get_locale() or "zh")


def fmt_month(month: str | None) -> str:
    """``2027-03`` as ``2027年3月`` or ``Mar 2027``."""
    if not month:
        return ""
    try:
        value = date(int(month[:4]), int(month[5:7]), 1)
    except ValueError:
        return month
    return format_skeleton("yMMM", value, locale=current_language())


def fmt_number(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "—"
    return format_decimal(value, format="#,##0." + "#" * digits if digits else "#,##0")


def fmt_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, "medium")
    return format_date(value, "medium")


def product_name(product: object) -> str:
    """A Product's (or a market row's) name in the UI language."""
    zh = getattr(product, "name_zh", None) or getattr(product, "product_name_zh", "")
    en = getattr(product, "name_en", None) or getattr(product, "product_name_en", "")
    return zh if current_language().startswith("zh") else en


def register_filters(app: Flask) -> None:
    app.jinja_env.filters.update(
        month=fmt_month,
        num=fmt_number,
        day=fmt_date,
        product_name=product_name,
        region=lambda rid: region_name(rid, current_language()),
        tier=lambda tid: TIERS.get(tid, tid),
        cert=lambda cid: CERTIFICATIONS.get(cid, cid),
        terms=lambda tid: DELIVERY_TERMS.get(tid, tid),
        index_name=lambda iid: PRICE_INDICES.get(iid, iid),
        org_status=lambda s: ORG_STATUSES.get(s, s),
        listing_status=lambda s: LISTING_STATUSES.get(s, s),
        role=lambda r: ROLES.get(r, r),
        unit=lambda u: UNITS.get(u, u),
    )
    app.jinja_env.globals.update(
        TIERS=TIERS,
        UNITS=UNITS,
        PROVINCES=PROVINCES,
        CERTIFICATIONS=CERTIFICATIONS,
        DELIVERY_TERMS=DELIVERY_TERMS,
        PRICE_INDICES=PRICE_INDICES,
        current_language=current_language,
        region_label=lambda rid: region_name(rid, current_language()),
        form_list=form_list,
    )


def form_list(form: object, name: str) -> list[str]:
    """All values of a multi-valued field, from a submitted MultiDict or a stored list."""
    if hasattr(form, "getlist"):
        return [str(v) for v in form.getlist(name)]
    value = form.get(name) if hasattr(form, "get") else None  # type: ignore[union-attr]
    if value is None or value == "":
        return []
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
