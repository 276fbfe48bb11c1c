"""Language choice and locale-aware formatting for templates.

The language is the one chosen with the switch (kept in the session), else Chinese. The JSON
API (``/api/``) has no session: there it is ``?lang=zh|en``, else the ``Accept-Language`` header,
else Chinese.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache

from babel import Locale
from babel.dates import format_skeleton
from babel.numbers import NumberPattern, parse_pattern
from babel.support import NullTranslations
from flask import Flask, current_app, request, session
from flask.globals import _cv_app
from flask_babel import format_date, format_datetime, get_locale, get_translations

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
from matchmaker.services.contract_terms import PRICE_UNITS


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if request and request.path.startswith("/api/"):
        lang = request.args.get("lang") or request.accept_languages.best_match(languages)
    else:
        lang = session.get("lang")
    if lang in languages:
        return lang  # type: ignore[no-any-return]
    return current_app.config["BABEL_DEFAULT_LOCALE"]  # type: ignore[no-any-return]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def _request_locale() -> tuple[Locale | None, str]:
    """The request's Locale and its name, looked up once per request.

    A list page formats a few hundred names, months and numbers, and each flask_babel lookup walks
    several context proxies: done per call, that was a tenth of the page's time. The choice is
    made once per request anyway (the switch redirects), so keeping it on ``g`` changes nothing.
    ``g`` is reached through the app context itself, not the ``flask.g`` proxy: this runs a
    few hundred times a page.
    """
    ctx = _cv_app.get(None)
    if ctx is None:
        locale = get_locale()
        return locale, str(locale or "zh")
    kept = ctx.g.__dict__.get("ui_locale")
    if kept is None:
        locale = get_locale()
        kept = ctx.g.ui_locale = (locale, str(locale or "zh"))
    return kept  # type: ignore[no-any-return]


def current_language() -> str:
    return _request_locale()[1]


def _request_translations() -> NullTranslations:
    """The request's message catalogue, looked up once per request (as the locale is).

    Flask-Babel's template ``_()`` finds the catalogue again on every call, walking the request
    context and the locale selector: with about 120 strings a list page, a fifth of its time.
    """
    ctx = _cv_app.get(None)
    if ctx is None:
        return get_translations()
    kept = ctx.g.__dict__.get("ui_translations")
    if kept is None:
        kept = ctx.g.ui_translations = get_translations()
    return kept  # type: ignore[no-any-return]


_TRANSLATED: dict[tuple[int, str], tuple[Mapping[str, object], dict[str, str]]] = {}


def translated(mapping: Mapping[str, object]) -> dict[str, str]:
    """A mapping of lazily translated labels (TIERS, UNITS…) as plain strings in the UI language.

    Each lazy label translates itself on every use, through the whole Flask-Babel lookup; the
    catalogues never change while the process runs, so one translation per language is enough.
    Keyed by the mapping's identity: only the module-level constants of ``domain`` come here.
    """
    language = current_language()
    entry = _TRANSLATED.get((id(mapping), language))
    if entry is None or entry[0] is not mapping:
        entry = (mapping, {key: str(label) for key, label in mapping.items()})
        _TRANSLATED[(id(mapping), language)] = entry
    return entry[1]


def fmt_month(month: str | None) -> str:
    """``2027-03`` as ``2027年3月`` or ``Mar 2027``."""
    if not month:
        return ""
    return _month_label(month, current_language())


@lru_cache(maxsize=4096)
def _month_label(month: str, language: str) -> str:
    """Babel matches the skeleton to a pattern on every call; months and languages are few."""
    try:
        value = date(int(month[:4]), int(month[5:7]), 1)
    except ValueError:
        return month
    return format_skeleton("yMMM", value, locale=language)


@lru_cache(maxsize=16)
def _number_pattern(digits: int) -> NumberPattern:
    return parse_pattern("#,##0." + "#" * digits if digits else "#,##0")


def fmt_number(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "—"
    locale, language = _request_locale()
    return _number_pattern(digits).apply(value, locale or language)


def fmt_money(value: float | None) -> str:
    """A price or an amount of money, always with two decimals (``33,904.40``, not ``33,904.4``):
    a money column reads as fen, and a trailing zero dropped looks like a digit missing.
    Quantities keep ``fmt_number``, which drops trailing zeros."""
    if value is None:
        return "—"
    locale, language = _request_locale()
    return _MONEY_PATTERN.apply(value, locale or language)


_MONEY_PATTERN = parse_pattern("#,##0.00")


def price_unit(unit: str) -> str:
    """What a price of a product in ``unit`` is stated in (``元/吨``, ``CNY/t``; the labels are
    ``contract_terms.PRICE_UNITS``), through the per-language cache: list pages ask once a row, and
    each lazy label would otherwise walk the whole Flask-Babel lookup."""
    label = translated(PRICE_UNITS).get(unit)
    if label is not None:
        return label
    return _request_translations().ugettext("CNY/%(unit)s") % {"unit": unit}


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
        money=fmt_money,
        day=fmt_date,
        product_name=product_name,
        region=lambda rid: region_name(rid, current_language()),
        tier=lambda tid: translated(TIERS).get(tid, tid),
        cert=lambda cid: translated(CERTIFICATIONS).get(cid, cid),
        terms=lambda tid: translated(DELIVERY_TERMS).get(tid, tid),
        index_name=lambda iid: translated(PRICE_INDICES).get(iid, iid),
        org_status=lambda s: translated(ORG_STATUSES).get(s, s),
        listing_status=lambda s: translated(LISTING_STATUSES).get(s, s),
        role=lambda r: translated(ROLES).get(r, r),
        unit=lambda u: translated(UNITS).get(u, u),
    )
    # After Flask-Babel's own (babel.init_app runs first): the same callables, with the
    # catalogue found once per request instead of once per string.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _request_translations().ugettext(s),
        ngettext=lambda s, p, n: _request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: _request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _request_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals.update(
        TIERS=TIERS,
        UNITS=UNITS,
        PROVINCES=PROVINCES,
        CERTIFICATIONS=CERTIFICATIONS,
        DELIVERY_TERMS=DELIVERY_TERMS,
        PRICE_INDICES=PRICE_INDICES,
        current_language=current_language,
        translated=translated,
        region_label=lambda rid: region_name(rid, current_language()),
        form_list=form_list,
        price_unit=price_unit,
    )


def form_list(form: object, name: str) -> list[str]:
    """All values of a multi-valued field, from a submitted MultiDict or a stored list."""
    if hasattr(form, "getlist"):
        return [str(v) for v in form.getlist(name)]
    value = form.get(name) if hasattr(form, "get") else None  # type: ignore[union-attr]
    if value is None or value == "":
        return []
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
