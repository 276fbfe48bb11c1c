"""Reading and validating a market file, reporting every problem at once.

Analysts fix files by hand, so one run must list everything wrong, one line each, naming the
object, its id (or its position in its list) and the field.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from .market import (
    FORMAT,
    TIERS,
    Demand,
    InputLink,
    Lock,
    Market,
    MarketError,
    Offer,
    Product,
    Transport,
    month_index,
)
from .references import RawEntries, check_references

_MISSING = object()


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


class Reader:
    """Typed field access on one JSON object that records problems instead of raising."""

    def __init__(self, problems: list[str], where: str, obj: dict[str, Any]):
        self.problems, self.where, self.obj = problems, where, obj

    def problem(self, field: str, message: str) -> None:
        self.problems.append(f"{self.where}: {field} {message}")

    def text(self, field: str, default: Any = _MISSING) -> str | None:
        value = self.obj.get(field, _MISSING)
        if value is _MISSING or value is None:
            if default is _MISSING:
                self.problem(field, "is required")
            return None if default is _MISSING else default
        if not isinstance(value, str) or not value:
            self.problem(field, f"must be a non-empty string, got {_show(value)}")
            return None
        return value

    def number(self, field: str, default: Any = _MISSING, *, positive: bool = False) -> float | None:
        """A finite number, `> 0` when `positive`, else `>= 0`."""
        value = self.obj.get(field, _MISSING)
        if value is _MISSING or value is None:
            if default is _MISSING:
                self.problem(field, "is required")
            return None if default is _MISSING else default
        if not _is_number(value):
            self.problem(field, f"must be a number, got {_show(value)}")
            return None
        if positive and value <= 0:
            self.problem(field, f"must be > 0, got {_show(value)}")
            return None
        if not positive and value < 0:
            self.problem(field, f"must be >= 0, got {_show(value)}")
            return None
        return float(value)

    def whole(self, field: str, default: int | None) -> int | None:
        value = self.obj.get(field, _MISSING)
        if value is _MISSING or value is None:
            return default
        if not _is_number(value) or value != int(value) or value < 1:
            self.problem(field, f"must be a whole number >= 1, got {_show(value)}")
            return default
        return int(value)

    def share(self, field: str) -> float | None:
        value = self.obj.get(field, _MISSING)
        if value is _MISSING or value is None:
            return None
        if not _is_number(value) or not 0 < value <= 1:
            self.problem(field, f"must be in (0, 1], got {_show(value)}")
            return None
        return float(value)

    def month(self, field: str) -> int | None:
        value = self.obj.get(field, _MISSING)
        if value is _MISSING or value is None:
            self.problem(field, "is required")
            return None
        index = month_index(value)
        if index is None:
            self.problem(field, f"must be a YYYY-MM month, got {_show(value)}")
        return index

    def strings(self, field: str) -> frozenset[str]:
        value = self.obj.get(field, _MISSING)
        if value is _MISSING or value is None:
            return frozenset()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(field, f"must be a list of strings, got {_show(value)}")
            return frozenset()
        return frozenset(value)


def _objects(problems: list[str], data: dict[str, Any], key: str, required: bool = False):
    """The entries of a top-level list, with their default labels (`offers[3]`)."""
    value = data.get(key)
    if value is None:
        if required:
            problems.append(f"market: {key} is required")
        return []
    if not isinstance(value, list):
        problems.append(f"market: {key} must be a list, got {_show(value)}")
        return []
    entries = []
    for position, obj in enumerate(value):
        label = f"{key}[{position}]"
        if not isinstance(obj, dict):
            problems.append(f"{label}: must be an object, got {_show(obj)}")
            continue
        entries.append((label, obj))
    return entries


def _labelled(kind: str, label: str, obj: dict[str, Any]) -> str:
    """`offer O7` when the id is a usable string, else the list position."""
    ident = obj.get("id")
    return f"{kind} {ident}" if isinstance(ident, str) and ident else label


def _product(problems: list[str], label: str, obj: dict[str, Any]) -> Product | None:
    r = Reader(problems, _labelled("product", label, obj), obj)
    ident, unit = r.text("id"), r.text("unit")
    tier = r.text("tier")
    if tier is not None and tier not in TIERS:
        r.problem("tier", f"must be one of {', '.join(TIERS)}, got {_show(tier)}")
        tier = None
    name = obj.get("name") if isinstance(obj.get("name"), str) else ident
    default_cost = r.number("default_transport_cost", 0.0)
    if None in (ident, unit, tier, default_cost):
        return None
    return Product(ident, name, tier, unit, default_cost)


def _transport(problems: list[str], label: str, obj: dict[str, Any]) -> Transport | None:
    r = Reader(problems, label, obj)
    start, end, cost = r.text("from"), r.text("to"), r.number("cost")
    product = r.text("product", None)
    if None in (start, end, cost):
        return None
    return Transport(start, end, cost, product)


def _listing_fields(r: Reader) -> dict[str, Any] | None:
    """Fields common to offers and demands; None when any of them is unusable."""
    fields = {
        "id": r.text("id"),
        "org": r.text("org"),
        "product": r.text("product"),
        "region": r.text("region"),
        "monthly_qty": r.number("monthly_qty", positive=True),
        "start": r.month("start"),
        "end": r.month("end"),
        "price": r.number("price"),
        "min_term_months": r.whole("min_term_months", 1),
        "min_monthly_qty": r.number("min_monthly_qty", 0.0),
    }
    if fields["start"] is not None and fields["end"] is not None and fields["start"] > fields["end"]:
        r.problem("end", f"must not be before start, got {r.obj['start']} .. {r.obj['end']}")
        fields["end"] = None
    fields["remaining"] = _remaining(r, fields["monthly_qty"])
    if any(value is None for value in fields.values()):
        return None
    return fields


def _remaining(r: Reader, monthly_qty: float | None) -> dict[int, float] | None:
    value = r.obj.get("remaining")
    if value is None:
        return {}
    if not isinstance(value, dict):
        r.problem("remaining", f"must be an object of month: units, got {_show(value)}")
        return None
    remaining: dict[int, float] = {}
    for key, units in value.items():
        month = month_index(key)
        if month is None:
            r.problem("remaining", f"keys must be YYYY-MM months, got {_show(key)}")
        elif not _is_number(units) or units < 0 or (monthly_qty is not None and units > monthly_qty):
            r.problem(f"remaining[{key}]", f"must be between 0 and monthly_qty, got {_show(units)}")
        else:
            remaining[month] = float(units)
    return remaining if len(remaining) == len(value) else None


def _inputs(r: Reader) -> tuple[InputLink, ...] | None:
    value = r.obj.get("inputs")
    if value is None:
        return ()
    if not isinstance(value, list):
        r.problem("inputs", f"must be a list, got {_show(value)}")
        return None
    links = []
    for position, entry in enumerate(value):
        sub = Reader(r.problems, f"{r.where}", entry if isinstance(entry, dict) else {})
        sub_field = f"inputs[{position}]"
        if not isinstance(entry, dict):
            r.problem(sub_field, f"must be an object, got {_show(entry)}")
            continue
        demand = entry.get("demand")
        ratio = entry.get("ratio")
        if not isinstance(demand, str) or not demand:
            sub.problem(f"{sub_field}.demand", f"must be a demand id, got {_show(demand)}")
        elif not _is_number(ratio) or ratio <= 0:
            sub.problem(f"{sub_field}.ratio", f"must be > 0, got {_show(ratio)}")
        else:
            links.append(InputLink(demand, float(ratio)))
    return tuple(links) if len(links) == len(value) else None


def _offer(problems: list[str], label: str, obj: dict[str, Any]) -> Offer | None:
    r = Reader(problems, _labelled("offer", label, obj), obj)
    before = len(problems)
    fields = _listing_fields(r)
    extra = {
        "certifications": r.strings("certifications"),
        "max_buyer_share": r.share("max_buyer_share"),
        "inputs": _inputs(r),
    }
    if fields is None or len(problems) > before:
        return None
    return Offer(**fields, **extra)


def _demand(problems: list[str], label: str, obj: dict[str, Any]) -> Demand | None:
    r = Reader(problems, _labelled("demand", label, obj), obj)
    before = len(problems)
    fields = _listing_fields(r)
    extra = {
        "required_certifications": r.strings("required_certifications"),
        "max_supplier_share": r.share("max_supplier_share"),
        "max_suppliers": r.whole("max_suppliers", None),
        "own_supply": r.number("own_supply", 0.0),
    }
    if fields is None or len(problems) > before:
        return None
    return Demand(**fields, **extra)


def _pair(problems: list[str], label: str, obj: dict[str, Any], with_qty: bool):
    r = Reader(problems, label, obj)
    offer, demand = r.text("offer"), r.text("demand")
    qty = r.number("monthly_qty", positive=True) if with_qty else 0.0
    if None in (offer, demand, qty):
        return None
    return Lock(offer, demand, qty) if with_qty else (offer, demand)


def parse_market(data: dict[str, Any] | str | bytes) -> Market:
    """Build a `Market` from parsed JSON or JSON text.

    Raises MarketError listing every problem found, one line each.
    """
    problems: list[str] = []
    if isinstance(data, (str, bytes)):
        try:
            data = json.loads(data)
        except (ValueError, RecursionError) as exc:
            raise MarketError([f"market: not readable JSON: {exc}"]) from None
    if not isinstance(data, dict):
        raise MarketError([f"market: must be a JSON object, got {type(data).__name__}"])
    if data.get("format") != FORMAT:
        problems.append(f"market: format must be {_show(FORMAT)}, got {_show(data.get('format'))}")
    regions = data.get("regions")
    if regions is not None and not (
        isinstance(regions, list) and all(isinstance(x, str) for x in regions)
    ):
        problems.append(f"market: regions must be a list of strings, got {_show(regions)}")
        regions = None

    product_entries = _objects(problems, data, "products", required=True)
    transport_entries = _objects(problems, data, "transport")
    offer_entries = _objects(problems, data, "offers")
    demand_entries = _objects(problems, data, "demands")
    locked_entries = _objects(problems, data, "locked")
    forbidden_entries = _objects(problems, data, "forbidden")
    products = [_product(problems, *e) for e in product_entries]
    transport = [(e[0], _transport(problems, *e)) for e in transport_entries]
    offers = [_offer(problems, *e) for e in offer_entries]
    demands = [_demand(problems, *e) for e in demand_entries]
    locked = [(e[0], _pair(problems, *e, True)) for e in locked_entries]
    forbidden = [(e[0], _pair(problems, *e, False)) for e in forbidden_entries]
    currency = data.get("currency") if isinstance(data.get("currency"), str) else "CNY"

    market = Market(
        currency=currency,
        products={p.id: p for p in products if p is not None},
        regions=tuple(regions) if regions is not None else None,
        transport=tuple(t for _, t in transport if t is not None),
        offers=tuple(o for o in offers if o is not None),
        demands=tuple(d for d in demands if d is not None),
        locked=tuple(x for _, x in locked if x is not None),
        forbidden=frozenset(x for _, x in forbidden if x is not None),
    )
    raw = RawEntries(
        product_ids=[obj.get("id") for _, obj in product_entries],
        offer_ids=[obj.get("id") for _, obj in offer_entries],
        demand_ids=[obj.get("id") for _, obj in demand_entries],
        transport=[(label, t) for label, t in transport if t is not None],
        locked=[(label, x) for label, x in locked if x is not None],
        forbidden=[(label, x) for label, x in forbidden if x is not None],
    )
    check_references(problems, market, raw)
    if problems:
        raise MarketError(problems)
    return market


def load_market(path: str | Path) -> Market:
    """Read a market file; unreadable files are reported like any other problem."""
    try:
        text = Path(path).read_bytes()
    except OSError as exc:
        raise MarketError([f"market: cannot read {path}: {exc.strerror}"]) from None
    return parse_market(text)
