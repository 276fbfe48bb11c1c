"""Checks that span objects: unique ids, references that resolve, locks that can hold at all.

They run after every object was read on its own, so one pass reports both kinds of problem.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .eligibility import why_not_eligible
from .market import Lock, Market


@dataclass
class RawEntries:
    """What the cross-checks need beyond the `Market`: every id as written and list positions."""

    product_ids: list[object]
    offer_ids: list[object]
    demand_ids: list[object]
    transport: list[tuple[str, object]]
    locked: list[tuple[str, Lock]]
    forbidden: list[tuple[str, tuple[str, str]]]


def _duplicates(problems: list[str], kind: str, ids: list[object]) -> None:
    for ident, count in Counter(i for i in ids if isinstance(i, str)).items():
        if count > 1:
            problems.append(f"{kind} {ident}: id must be unique, found {count} times")


def check_references(problems: list[str], market: Market, raw: RawEntries) -> None:
    _duplicates(problems, "product", raw.product_ids)
    _duplicates(problems, "offer", raw.offer_ids)
    _duplicates(problems, "demand", raw.demand_ids)
    product_ids = {i for i in raw.product_ids if isinstance(i, str)}
    offer_ids = {i for i in raw.offer_ids if isinstance(i, str)}
    demand_ids = {i for i in raw.demand_ids if isinstance(i, str)}
    regions = set(market.regions) if market.regions is not None else None

    def region_known(where: str, field: str, region: str) -> None:
        if regions is not None and region not in regions:
            problems.append(f"{where}: {field} {region!r} is not in regions")

    seen_routes: dict[tuple[frozenset[str], str | None], str] = {}
    for label, route in raw.transport:
        region_known(label, "from", route.from_region)
        region_known(label, "to", route.to_region)
        if route.product is not None and route.product not in product_ids:
            problems.append(f"{label}: product {route.product!r} does not exist")
        key = (frozenset((route.from_region, route.to_region)), route.product)
        if key in seen_routes:
            scope = route.product or "any product"
            problems.append(
                f"{label}: duplicates {seen_routes[key]} for {route.from_region}-{route.to_region}"
                f" ({scope})"
            )
        else:
            seen_routes[key] = label

    for kind, listings in (("offer", market.offers), ("demand", market.demands)):
        for listing in listings:
            where = f"{kind} {listing.id}"
            if listing.product not in product_ids:
                problems.append(f"{where}: product {listing.product!r} does not exist")
            region_known(where, "region", listing.region)

    demands = {d.id: d for d in market.demands}
    for offer in market.offers:
        named = Counter(link.demand for link in offer.inputs)
        for position, link in enumerate(offer.inputs):
            field = f"offer {offer.id}: inputs[{position}].demand"
            if link.demand not in demand_ids:
                problems.append(f"{field} {link.demand!r} does not exist")
            elif link.demand in demands and demands[link.demand].org != offer.org:
                problems.append(
                    f"{field} {link.demand!r} belongs to {demands[link.demand].org!r},"
                    f" not to {offer.org!r}"
                )
            if named[link.demand] > 1 and position == max(
                i for i, x in enumerate(offer.inputs) if x.demand == link.demand
            ):
                problems.append(f"{field} {link.demand!r} is named more than once")

    _check_pairs(problems, market, raw, offer_ids, demand_ids)


def _check_pairs(
    problems: list[str], market: Market, raw: RawEntries, offer_ids: set, demand_ids: set
) -> None:
    offers = {o.id: o for o in market.offers}
    demands = {d.id: d for d in market.demands}
    lists = {
        "locked": [(label, (lock.offer, lock.demand)) for label, lock in raw.locked],
        "forbidden": raw.forbidden,
    }
    seen: dict[str, dict[tuple[str, str], str]] = {"locked": {}, "forbidden": {}}
    for kind, entries in lists.items():
        for label, pair in entries:
            missing = False
            if pair[0] not in offer_ids:
                problems.append(f"{label}: offer {pair[0]!r} does not exist")
                missing = True
            if pair[1] not in demand_ids:
                problems.append(f"{label}: demand {pair[1]!r} does not exist")
                missing = True
            if pair in seen[kind]:
                problems.append(f"{label}: pair {pair[0]}-{pair[1]} is already in {seen[kind][pair]}")
            else:
                seen[kind][pair] = label
            if kind == "forbidden" and pair in seen["locked"]:
                problems.append(
                    f"{label}: pair {pair[0]}-{pair[1]} is also locked in {seen['locked'][pair]}"
                )
            if kind == "locked" and not missing and pair[0] in offers and pair[1] in demands:
                reason = why_not_eligible(market, offers[pair[0]], demands[pair[1]])
                if reason:
                    problems.append(f"{label}: pair {pair[0]}-{pair[1]} is not eligible: {reason}")
