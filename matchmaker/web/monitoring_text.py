"""Alerts and flags in words: which rule fired and on which numbers, in the UI language."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from matchmaker.i18n import fmt_month, fmt_number


def _pct(value: float) -> str:
    return f"{value:+.1f}"


def describe(rule: str, ev: dict[str, Any], names: dict[str, str] | None = None) -> str:
    names = names or {}
    num = fmt_number
    if rule in ("change_1m", "change_3m"):
        return _("%(price)s CNY on %(day)s against %(reference)s CNY on %(reference_day)s: %(change)s%% "
                 "(threshold ±%(threshold)s%%).", price=num(ev["price"], 0), day=ev["day"],
                 reference=num(ev["reference"], 0), reference_day=ev["reference_day"],
                 change=_pct(ev["change_pct"]), threshold=num(ev["threshold_pct"]))
    if rule == "band":
        return _("%(price)s CNY on %(day)s against %(reference)s CNY, the average of the months before: "
                 "%(change)s%% (threshold ±%(threshold)s%%).", price=num(ev["price"], 0), day=ev["day"],
                 reference=num(ev["reference"], 0), change=_pct(ev["change_pct"]), threshold=num(ev["threshold_pct"]))
    if rule in ("shortage", "surplus"):
        return _("Worst month %(month)s: supply %(supply)s against requirement %(requirement)s, coverage "
                 "%(coverage)s (threshold %(threshold)s); months crossing: %(months)s.",
                 month=fmt_month(ev["month"]), supply=num(ev["supply"]), requirement=num(ev["requirement"]),
                 coverage=num(ev["coverage"]), threshold=num(ev["threshold"]),
                 months=", ".join(fmt_month(m) for m in ev["months"]))
    if rule == "hoarding":
        uses = "; ".join(_("%(product)s: (offered %(offered)s + projects %(projects)s) × %(qty)s",
                           product=names.get(u["product"], u["product"]), offered=num(u["offered"]),
                           projects=num(u["projects"]), qty=num(u["qty_per_unit"], 4)) for u in ev["uses"])
        return _("Demand %(demanded)s in %(month)s against %(usable)s usable through the bills of materials "
                 "(%(uses)s); limit with a %(margin)s%% margin %(limit)s, excess %(excess)s.",
                 demanded=num(ev["demanded"]), month=fmt_month(ev["month"]), usable=num(ev["usable"]),
                 uses=uses or _("no own offers or projects using it"), margin=num(ev["margin_pct"]),
                 limit=num(ev["limit"]), excess=num(ev["excess"]))
    if rule == "gouging":
        source = _("catalogue reference") if ev["reference_of"] == "catalogue" else ev["reference_of"]
        return _("Offer #%(offer)s asks %(ask)s CNY against the reference %(reference)s CNY (%(source)s): "
                 "%(premium)s%%, band %(band)s%%.", offer=ev["offer"], ask=num(ev["ask"]),
                 reference=num(ev["reference"]), source=source, premium=_pct(ev["premium_pct"]),
                 band=num(ev["band_pct"]))
    if rule == "overheating":
        return _("Supply capacity %(supply_from)s → %(supply_to)s (%(capacity_growth)s%%, of which projects "
                 "%(projects)s) against requirement %(requirement_from)s → %(requirement_to)s "
                 "(%(requirement_growth)s%%), %(start)s to %(end)s; threshold %(threshold)s percentage points.",
                 supply_from=num(ev["supply_from"]), supply_to=num(ev["supply_to"]),
                 capacity_growth=_pct(ev["capacity_growth_pct"]), projects=num(ev["projects_to"]),
                 requirement_from=num(ev["requirement_from"]), requirement_to=num(ev["requirement_to"]),
                 requirement_growth=_pct(ev["requirement_growth_pct"]), start=fmt_month(ev["from"]),
                 end=fmt_month(ev["to"]), threshold=num(ev["threshold_pp"]))
    return ""
