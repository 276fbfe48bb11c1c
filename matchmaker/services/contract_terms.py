"""A contract's price terms: the two legs it copies from the listings, and its price each month.

The market file prices a match at ``ask + freight + margin / 2`` with ``margin = bid - ask -
freight``, that is ``(ask + bid + freight) / 2``. A contract keeps that rule for its whole term:
when either side's listing is index-linked, each month is priced ``1/2 x ask + 1/2 x bid + 1/2 x
freight`` with each leg evaluated on that month's value of its own index (adjustment, floor and
ceiling as in the listing, by ``pricing.effective_price``); when both are fixed, the contract is
fixed at the price at signing.

Confidentiality. Members never see another member's prices, but a contract's price terms are
what its two parties signed: a party must be able to check every month's price, so both parties
see both legs and the freight. That discloses, to the counterparty only, the other side's price
formula *for this contract* as copied at signing; it is no more than the monthly prices would
reveal anyway (knowing its own leg and the freight, a party can solve the formula for the other
leg). What stays private: the listing itself (its volume, window, notes, later edits, other
listings), which a contract never links to; and before both accept, the proposal shows only the
agreed price and whether the contract will be index-linked, never the other side's bid, ask or
formula.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from matchmaker.models import Contract, Demand, Offer, Proposal, ScheduleLine
from matchmaker.services.pricing import MissingIndex, effective_price

# Leg attribute (as ``pricing.PriceFormula`` names it) -> contract column suffix.
LEG_COLUMNS = {"price_basis": "basis", "price": "price", "index_name": "index", "index_adjustment": "adjustment",
               "index_adjustment_kind": "adjustment_kind", "price_floor": "floor", "price_ceiling": "ceiling"}


# Money is CNY per unit of the contract's product: the unit each price is stated in, by the
# product's unit (``domain.UNITS``). A unit without its own label is shown as its code.
PRICE_UNITS: dict[str, object] = {
    "t": _l("CNY/t"), "kg": _l("CNY/kg"), "GWh": _l("CNY/GWh"), "MWh": _l("CNY/MWh"),
    "Mm2": _l("CNY/million m²"), "m2": _l("CNY/m²"), "pcs": _l("CNY/piece"),
}


@dataclass(frozen=True)
class Leg:
    """One side's price as the contract states it: fixed at ``price``, or index-linked."""

    price_basis: str
    price: float | None = None
    index_name: str | None = None
    index_adjustment: float | None = None
    index_adjustment_kind: str | None = None
    price_floor: float | None = None
    price_ceiling: float | None = None


@dataclass(frozen=True)
class MonthPrice:
    """The unit price of one schedule month.

    ``kind``: ``fixed``; ``index`` (every index the formula uses has a value published by the
    end of the month); ``estimate`` (at least one index is read at its latest value, published
    before the month began: re-set when the month's value is out); ``pending`` (no value yet,
    ``price`` is None). ``as_of`` is the date of the newest index value used.
    """

    month: str
    qty: float
    price: float | None
    kind: str
    as_of: date | None = None


def leg_from_listing(listing: Offer | Demand, priced: float | None) -> Leg:
    """A copy of the listing's formula; a fixed leg at ``priced`` (what the run priced) when known."""
    if listing.price_basis != "index":
        return Leg("fixed", price=float(priced if priced is not None else listing.price or 0.0))
    return Leg("index", None, listing.index_name, listing.index_adjustment or 0.0, listing.index_adjustment_kind,
               listing.price_floor, listing.price_ceiling)


def terms_for(proposal: Proposal, offer: Offer, demand: Demand, run_prices: Mapping[str, float]) -> dict[str, object]:
    """Contract columns for the price terms of ``proposal``. ``run_prices``: market-file id
    (``O12``, ``D7``) -> the price the run used, so a fixed leg is the one the proposal priced."""
    if offer.price_basis != "index" and demand.price_basis != "index":
        return {"price_basis": "fixed", "freight": proposal.freight}
    ask = leg_from_listing(offer, run_prices.get(f"O{offer.id}"))
    bid = leg_from_listing(demand, run_prices.get(f"D{demand.id}"))
    return {"price_basis": "split", "freight": proposal.freight, **leg_columns("ask", ask), **leg_columns("bid", bid)}


def leg_columns(side: str, leg: Leg) -> dict[str, object]:
    return {f"{side}_{suffix}": getattr(leg, name) for name, suffix in LEG_COLUMNS.items()}


def leg(contract: Contract, side: str) -> Leg | None:
    """The ``ask`` or ``bid`` leg stored on the contract; None when the contract has none."""
    if getattr(contract, f"{side}_basis") is None:
        return None
    return Leg(**{name: getattr(contract, f"{side}_{suffix}") for name, suffix in LEG_COLUMNS.items()})


def split_price(ask: Leg, bid: Leg, freight: float, index_values: Mapping[str, float]) -> float:
    """``(ask + bid + freight) / 2``, each leg at its index's value. Raises MissingIndex."""
    return (effective_price(ask, index_values) + effective_price(bid, index_values) + freight) / 2


def contract_price(contract: Contract, index_values: Mapping[str, float]) -> float:
    """The unit price under ``index_values``. Raises MissingIndex when an index has no value."""
    ask, bid = leg(contract, "ask"), leg(contract, "bid")
    if contract.price_basis == "split" and ask and bid:
        return split_price(ask, bid, contract.freight or 0.0, index_values)
    if contract.price_basis == "premium" and ask:
        return effective_price(ask, index_values) + (contract.premium or 0.0)
    return contract.unit_price


def indices(contract: Contract) -> list[str]:
    """The indices the contract's price follows, seller's first."""
    names = [getattr(contract, f"{side}_index") for side in ("ask", "bid")
             if getattr(contract, f"{side}_basis") == "index"]
    return list(dict.fromkeys(n for n in names if n))


def index_history(session: Session, names: Sequence[str], configured: Mapping[str, float]) -> dict[str, list[tuple[date, float]]]:
    """Dated values of each index: the reference price series monitoring keeps for its product
    (``runs.INDEX_PRODUCTS``). An index with no series but a configured value
    (``PRICE_INDEX_VALUES``) has that one value, undated (``date.min``)."""
    from matchmaker.services.monitoring_prices import points_of
    from matchmaker.services.runs import INDEX_PRODUCTS

    history: dict[str, list[tuple[date, float]]] = {}
    for name in names:
        points = [(p.day, p.price) for p in points_of(session, INDEX_PRODUCTS[name])] if name in INDEX_PRODUCTS else []
        if not points and name in configured:
            points = [(date.min, float(configured[name]))]
        history[name] = points
    return history


def monthly_prices(
    contract: Contract, lines: Sequence[ScheduleLine], history: Mapping[str, Sequence[tuple[date, float]]]
) -> list[MonthPrice]:
    """Each schedule month priced at the newest value of each index published by the month's
    end; a month the series has not reached yet is an estimate at the latest value."""
    names = indices(contract)
    if contract.price_basis == "fixed" or not names:
        return [MonthPrice(line.month, line.qty, contract.unit_price, "fixed") for line in lines]
    out = []
    for line in lines:
        year, month = int(line.month[:4]), int(line.month[5:7])
        first, last = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        values: dict[str, float] = {}
        used: list[date] = []
        for name in names:
            known = [(day, value) for day, value in history.get(name, ()) if day <= last]
            if known:
                day, values[name] = max(known)
                used.append(day)
        try:
            price = contract_price(contract, values)
        except MissingIndex:
            out.append(MonthPrice(line.month, line.qty, None, "pending"))
            continue
        kind = "index" if all(day >= first for day in used) else "estimate"
        as_of = max(used) if used and max(used) != date.min else None
        out.append(MonthPrice(line.month, line.qty, price, kind, as_of))
    return out
