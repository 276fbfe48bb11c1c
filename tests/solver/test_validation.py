"""Validation: every problem of an invalid file is reported, one line naming object, id and field."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tests.solver.markets import SPEC_EXAMPLE, demand, market, offer, product


def base() -> dict[str, Any]:
    """A small valid market: two products, three regions, two offers, two demands."""
    return market(
        [offer("O1", "s1", 100, 10, region="a"),
         offer("O2", "s2", 100, 12, region="b", inputs=[{"demand": "D2", "ratio": 2}])],
        [demand("D1", "x", 100, 20, region="b"),
         demand("D2", "s2", 100, 5, region="a", product="q")],
        products=[product("p"), product("q", tier="resource")],
        regions=["a", "b", "c"],
        transport=[{"from": "a", "to": "b", "cost": 1}],
    )


def problems_of(data: Any) -> list[str]:
    from solver import MarketError, parse_market

    with pytest.raises(MarketError) as info:
        parse_market(data)
    problems = info.value.problems
    assert problems and all(isinstance(line, str) and line.strip() for line in problems)
    return problems


def assert_reported(problems: list[str], *parts: str) -> None:
    """Some single line names every part (object, id, field...)."""
    assert any(all(p in line for p in parts) for line in problems), (
        f"no line names all of {parts}: {problems}")


def changed(edit) -> dict[str, Any]:
    data = base()
    edit(data)
    return data


def test_the_valid_files_parse():
    from solver import parse_market

    parse_market(base())
    parse_market(copy.deepcopy(SPEC_EXAMPLE))
    parse_market(json.dumps(SPEC_EXAMPLE))


def test_the_two_examples_of_the_spec_are_reported_verbatim():
    def edit(d):
        d["offers"][0]["id"] = "O7"
        d["offers"][0]["monthly_qty"] = -5
        d["transport"] = [{"from": "a", "to": "b", "cost": 1}, {"from": "a", "to": "c", "cost": 1},
                          {"from": "b", "to": "c", "cost": 1}, {"from": "c", "to": "c", "cost": -1}]
    problems = problems_of(changed(edit))
    assert "offer O7: monthly_qty must be > 0, got -5" in problems
    assert "transport[3]: cost must be >= 0, got -1" in problems


def test_every_problem_is_reported_at_once():
    def edit(d):
        d["offers"][0]["monthly_qty"] = -5
        d["demands"][0]["price"] = -1
        d["transport"][0]["cost"] = -1
    problems = problems_of(changed(edit))
    assert len(problems) == 3
    assert_reported(problems, "O1", "monthly_qty")
    assert_reported(problems, "D1", "price")
    assert_reported(problems, "transport[0]", "cost")


def test_unreadable_json_is_one_problem_not_a_traceback():
    problems = problems_of('{"format": "lithium-market/1", "products": [')
    assert len(problems) == 1


def test_format_must_be_lithium_market_1():
    assert_reported(problems_of(changed(lambda d: d.update(format="lithium-market/2"))), "format")
    assert_reported(problems_of(changed(lambda d: d.pop("format"))), "format")


def test_products_must_be_present():
    assert_reported(problems_of(changed(lambda d: d.pop("products"))), "products")


def test_the_top_level_must_be_an_object():
    assert problems_of("[1, 2]")


@pytest.mark.parametrize("kind, index, field", [
    ("offers", 0, "price"), ("offers", 0, "org"), ("offers", 1, "start"),
    ("demands", 0, "monthly_qty"), ("demands", 0, "region"), ("demands", 1, "end"),
    ("products", 0, "tier"), ("products", 1, "unit"),
])
def test_required_fields_must_be_present(kind, index, field):
    data = base()
    object_id = data[kind][index]["id"]
    del data[kind][index][field]
    assert_reported(problems_of(data), object_id, field)


@pytest.mark.parametrize("kind, field, value", [
    ("offers", "monthly_qty", "100"), ("offers", "price", None), ("demands", "start", 202701),
    ("demands", "org", 7), ("offers", "product", ["p"]), ("offers", "monthly_qty", True),
    ("demands", "price", float("nan")), ("offers", "price", float("inf")),
])
def test_required_fields_must_have_the_right_type(kind, field, value):
    data = base()
    data[kind][0][field] = value
    assert_reported(problems_of(data), data[kind][0]["id"], field)


@pytest.mark.parametrize("kind, value", [
    ("offers", {}), ("demands", "D1"), ("transport", 3), ("locked", {"offer": "O1"}),
])
def test_lists_must_be_lists(kind, value):
    assert_reported(problems_of(changed(lambda d: d.update({kind: value}))), kind)


@pytest.mark.parametrize("kind", ["offers", "demands", "transport", "forbidden"])
def test_list_entries_must_be_objects(kind):
    data = base()
    data.setdefault(kind, []).append(["O1", "D1"])
    assert_reported(problems_of(data), f"{kind}[{len(data[kind]) - 1}]")


def test_an_offer_without_id_is_named_by_its_position():
    problems = problems_of(changed(lambda d: d["offers"][1].pop("id")))
    assert_reported(problems, "offer", "[1]", "id")


@pytest.mark.parametrize("kind, entry, field", [
    ("transport", {"from": "a", "to": "c"}, "cost"),
    ("transport", {"to": "c", "cost": 1}, "from"),
    ("locked", {"offer": "O1", "demand": "D1"}, "monthly_qty"),
    ("forbidden", {"offer": "O1"}, "demand"),
])
def test_entries_without_id_name_their_list_position(kind, entry, field):
    data = base()
    data.setdefault(kind, []).append(entry)
    position = f"{kind}[{len(data[kind]) - 1}]"
    assert_reported(problems_of(data), position, field)


@pytest.mark.parametrize("kind", ["products", "offers", "demands"])
def test_ids_are_unique_within_their_list(kind):
    data = base()
    data[kind].append(copy.deepcopy(data[kind][0]))
    assert_reported(problems_of(data), data[kind][0]["id"])


def test_an_offer_and_a_demand_may_share_an_id():
    from solver import parse_market

    data = base()
    data["demands"][0]["id"] = "O1"
    parse_market(data)


@pytest.mark.parametrize("edit, parts", [
    (lambda d: d["offers"][0].update(product="nickel"), ("O1", "product", "nickel")),
    (lambda d: d["demands"][0].update(region="tibet"), ("D1", "region", "tibet")),
    (lambda d: d["transport"][0].update(to="tibet"), ("transport[0]", "tibet")),
    (lambda d: d["transport"][0].update(product="nickel"), ("transport[0]", "nickel")),
    (lambda d: d["offers"][1]["inputs"][0].update(demand="D404"), ("O2", "D404")),
    (lambda d: d.update(locked=[{"offer": "O404", "demand": "D1", "monthly_qty": 1}]),
     ("locked[0]", "O404")),
    (lambda d: d.update(forbidden=[{"offer": "O1", "demand": "D404"}]),
     ("forbidden[0]", "D404")),
])
def test_references_must_exist(edit, parts):
    assert_reported(problems_of(changed(edit)), *parts)


def test_regions_are_free_when_no_list_is_given():
    from solver import parse_market

    data = base()
    del data["regions"]
    data["demands"][0]["region"] = "tibet"
    parse_market(data)


def test_tier_must_be_one_of_the_six():
    assert_reported(problems_of(changed(lambda d: d["products"][0].update(tier="pack"))),
                    "product p", "tier")


@pytest.mark.parametrize("field, value", [
    ("start", "2027-13"), ("start", "2027-1"), ("end", "27-12"), ("end", "2027-00"),
    ("start", "January"),
])
def test_months_must_be_real_yyyy_mm_months(field, value):
    assert_reported(problems_of(changed(lambda d: d["offers"][0].update({field: value}))),
                    "O1", field)


def test_start_must_not_be_after_end():
    problems = problems_of(changed(lambda d: d["demands"][0].update(start="2028-01")))
    assert_reported(problems, "D1", "start")


def test_remaining_keys_must_be_months():
    problems = problems_of(changed(lambda d: d["offers"][0].update(remaining={"2027-13": 5})))
    assert_reported(problems, "O1", "remaining")


@pytest.mark.parametrize("value", [-1, 101])
def test_remaining_values_lie_between_zero_and_monthly_qty(value):
    problems = problems_of(changed(
        lambda d: d["demands"][0].update(remaining={"2027-02": value})))
    assert_reported(problems, "D1", "remaining")


@pytest.mark.parametrize("kind, field, value", [
    ("offers", "monthly_qty", 0), ("demands", "monthly_qty", -1), ("offers", "price", -1),
    ("offers", "min_monthly_qty", -1), ("demands", "own_supply", -5),
])
def test_quantities_and_prices_have_their_signs(kind, field, value):
    data = base()
    data[kind][0][field] = value
    assert_reported(problems_of(data), data[kind][0]["id"], field, str(value))


def test_default_transport_cost_must_not_be_negative():
    problems = problems_of(changed(
        lambda d: d["products"][0].update(default_transport_cost=-3)))
    assert_reported(problems, "product p", "default_transport_cost")


@pytest.mark.parametrize("kind, field, value", [
    ("offers", "min_term_months", 0), ("offers", "min_term_months", 1.5),
    ("demands", "min_term_months", -2), ("demands", "max_suppliers", 0),
    ("demands", "max_suppliers", 2.5),
])
def test_terms_and_supplier_counts_are_whole_numbers_at_least_one(kind, field, value):
    data = base()
    data[kind][0][field] = value
    assert_reported(problems_of(data), data[kind][0]["id"], field)


@pytest.mark.parametrize("kind, field, value", [
    ("offers", "max_buyer_share", 0), ("offers", "max_buyer_share", 1.5),
    ("demands", "max_supplier_share", -0.2), ("demands", "max_supplier_share", 0),
])
def test_shares_lie_in_zero_excluded_to_one(kind, field, value):
    data = base()
    data[kind][0][field] = value
    assert_reported(problems_of(data), data[kind][0]["id"], field)


def test_a_share_of_exactly_one_is_valid():
    from solver import parse_market

    data = base()
    data["offers"][0]["max_buyer_share"] = 1
    data["demands"][0]["max_supplier_share"] = 1.0
    parse_market(data)


def test_inputs_must_name_a_demand_of_the_same_org():
    # D1 belongs to org x, O2 to org s2.
    problems = problems_of(changed(
        lambda d: d["offers"][1]["inputs"].append({"demand": "D1", "ratio": 1})))
    assert_reported(problems, "O2", "D1")


def test_inputs_name_each_demand_once():
    problems = problems_of(changed(
        lambda d: d["offers"][1]["inputs"].append({"demand": "D2", "ratio": 3})))
    assert_reported(problems, "O2", "D2")


@pytest.mark.parametrize("ratio", [0, -1])
def test_input_ratios_are_positive(ratio):
    problems = problems_of(changed(lambda d: d["offers"][1]["inputs"][0].update(ratio=ratio)))
    assert_reported(problems, "O2", "ratio")


@pytest.mark.parametrize("qty", [0, -10])
def test_locked_volume_must_be_positive(qty):
    problems = problems_of(changed(
        lambda d: d.update(locked=[{"offer": "O1", "demand": "D1", "monthly_qty": qty}])))
    assert_reported(problems, "locked[0]", "monthly_qty")


def test_a_pair_is_locked_at_most_once():
    pair = {"offer": "O1", "demand": "D1", "monthly_qty": 10}
    problems = problems_of(changed(lambda d: d.update(locked=[pair, dict(pair)])))
    assert_reported(problems, "O1", "D1")


def test_a_pair_is_forbidden_at_most_once():
    pair = {"offer": "O1", "demand": "D1"}
    problems = problems_of(changed(lambda d: d.update(forbidden=[pair, dict(pair)])))
    assert_reported(problems, "O1", "D1")


def test_a_pair_is_never_both_locked_and_forbidden():
    def edit(d):
        d["locked"] = [{"offer": "O1", "demand": "D1", "monthly_qty": 10}]
        d["forbidden"] = [{"offer": "O1", "demand": "D1"}]
    assert_reported(problems_of(changed(edit)), "O1", "D1")


@pytest.mark.parametrize("edit", [
    # self-dealing: D1 now belongs to O1's org
    lambda d: d["demands"][0].update(org="s1"),
    # certification missing
    lambda d: d["demands"][0].update(required_certifications=["ISO9001"]),
    # overlap of 12 months is shorter than the offer's minimum term
    lambda d: d["offers"][0].update(min_term_months=13),
    # margin 20 - 10 - freight 11 < 0
    lambda d: d["transport"][0].update(cost=11),
    # minimum volume 150 above the demand's 100
    lambda d: d["offers"][0].update(min_monthly_qty=150),
    # different products
    lambda d: d["demands"][0].update(product="q"),
], ids=["same-org", "certification", "min-term", "negative-margin", "min-volume", "product"])
def test_every_locked_pair_is_eligible(edit):
    def lock_and_edit(d):
        d["locked"] = [{"offer": "O1", "demand": "D1", "monthly_qty": 10}]
        edit(d)
    assert_reported(problems_of(changed(lock_and_edit)), "O1", "D1")


@pytest.mark.parametrize("second", [
    {"from": "a", "to": "b", "cost": 1},
    {"from": "b", "to": "a", "cost": 7},
])
def test_one_transport_entry_per_region_pair_and_scope_in_either_direction(second):
    problems = problems_of(changed(lambda d: d["transport"].append(second)))
    assert_reported(problems, "transport")


def test_product_specific_and_general_entries_may_coexist():
    from solver import parse_market

    data = base()
    data["transport"] += [{"from": "b", "to": "a", "product": "p", "cost": 2},
                          {"from": "a", "to": "b", "product": "q", "cost": 3}]
    parse_market(data)


def test_product_scoped_duplicates_are_invalid_too():
    problems = problems_of(changed(lambda d: d["transport"].extend([
        {"from": "a", "to": "c", "product": "p", "cost": 2},
        {"from": "c", "to": "a", "product": "p", "cost": 2}])))
    assert_reported(problems, "transport")


def test_unknown_fields_are_ignored():
    from solver import parse_market

    data = base()
    data["generator"] = {"seed": 1}
    data["offers"][0]["colour"] = "blue"
    data["transport"][0]["note"] = "rail"
    parse_market(data)


def test_lists_other_than_products_may_be_absent():
    from solver import parse_market

    parse_market({"format": "lithium-market/1", "products": [product("p")]})
