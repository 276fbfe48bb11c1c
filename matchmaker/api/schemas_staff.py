"""Pydantic schemas of the staff API (monitoring, administration, matching analysis) and of the
bulletins every member reads. As in ``schemas``, they describe what the services accept; the
services still make the same checks as the pages. Descriptions are ``_l(...)`` as there, so the
OpenAPI document shows them in the reader's language; a model's description is repeated in
``json_schema_extra`` because Pydantic would otherwise publish its (English) docstring.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, GetJsonSchemaHandler, create_model
from pydantic_core import CoreSchema

from matchmaker.api.schemas import Body, BomLineOut, Integer, Number, OrganisationOut, Run, _l
from matchmaker.domain import TIERS, UNITS

Tier = Enum("Tier", {k: k for k in TIERS}, type=str)  # type: ignore[misc]
Unit = Enum("Unit", {k: k for k in UNITS}, type=str)  # type: ignore[misc]


class RelaxedFamily(str, Enum):
    """The rule families a what-if run may leave out (``services.explain.RELAXABLE``)."""

    supplier_counts = "supplier_counts"
    shares = "shares"
    min_volumes = "min_volumes"

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: CoreSchema, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        """An enum has no ``json_schema_extra``: the translated description replaces the docstring here."""
        json_schema = handler(schema)
        handler.resolve_ref_schema(json_schema)["description"] = _l(
            "The rule families a what-if run may leave out: supplier_counts, shares or min_volumes.")
        return json_schema


# Reference prices ---------------------------------------------------------------------------


class PriceSeriesOut(BaseModel):
    product_id: str
    unit: str
    source: str
    points: int = Field(description=_l("How many points the series holds"))
    first_day: str | None = Field(description=_l("YYYY-MM-DD"))
    last_day: str | None = Field(description=_l("YYYY-MM-DD"))
    latest_price: float | None = Field(description=_l("CNY per product unit on last_day"))


class PriceSeriesList(BaseModel):
    items: list[PriceSeriesOut]


class PricePointOut(BaseModel):
    day: str = Field(description=_l("YYYY-MM-DD"))
    price: float = Field(description=_l("CNY per product unit"))
    note: str


class PriceMoveOut(BaseModel):
    """An abnormal move: the rule that fired on a point, against the reference it compares with."""

    model_config = ConfigDict(json_schema_extra={
        "description": _l("An abnormal move: the rule that fired on a point, against the reference it compares with.")})

    rule: str = Field(description=_l("change_1m, change_3m or band"))
    rule_name: str
    day: str
    price: float
    reference: float
    reference_day: str | None = Field(description=_l("null for band (its reference is an average of several months)"))
    change_pct: float
    threshold_pct: float


class ContractPriceOut(BaseModel):
    month: str = Field(description=_l("YYYY-MM"))
    price: float = Field(description=_l("Quantity-weighted average unit price of platform contracts delivering then"))


class PriceSeriesDetail(BaseModel):
    product_id: str
    unit: str
    source: str
    points: list[PricePointOut]
    moves: list[PriceMoveOut]
    contract_prices: list[ContractPriceOut]


class PricePointIn(Body):
    """A second point on a day already stored replaces the first."""

    model_config = ConfigDict(json_schema_extra={
        "description": _l("A second point on a day already stored replaces the first.")})

    day: date
    price: Number = Field(gt=0, le=1e12, description=_l("CNY per product unit"))
    note: str = Field(default="", max_length=200)


class PriceImportResult(BaseModel):
    product_id: str
    imported: int


# Alerts and bulletins -----------------------------------------------------------------------


class AlertOut(BaseModel):
    id: int
    kind: str = Field(description=_l("price, balance or conduct"))
    rule: str
    rule_name: str
    description: str = Field(description=_l("The finding in words, in the reader's language"))
    product_id: str | None
    org_id: int | None
    org: str | None = Field(description=_l("The organisation concerned (conduct alerts)"))
    state: str = Field(description=_l("open, acknowledged or resolved"))
    owner_id: int | None
    owner: str | None
    comment: str
    evidence: dict[str, Any] = Field(description=_l("The numbers the rule fired on"))
    created_at: str
    updated_at: str


class AlertList(BaseModel):
    items: list[AlertOut]


class AlertStepOut(BaseModel):
    """One audit record of the alert: raised, assigned, acknowledged, resolved."""

    model_config = ConfigDict(json_schema_extra={
        "description": _l("One audit record of the alert: raised, assigned, acknowledged, resolved.")})

    at: str
    user_id: int | None
    user: str | None
    action: str
    state: str | None
    owner_id: int | None
    comment: str | None


class AlertDetail(AlertOut):
    history: list[AlertStepOut]


class AlertOwnerIn(Body):
    owner_id: Integer | None = Field(default=None, ge=1, le=2**31 - 1,
                                 description=_l("A staff user's id; left out, the caller takes the alert"))


class AlertStepIn(Body):
    comment: str | None = Field(default=None, max_length=1000, description=_l("Required to resolve"))


class BulletinOut(BaseModel):
    id: int
    title: str = Field(description=_l("In the reader's language"))
    body: str = Field(description=_l("In the reader's language"))
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    published_at: str


class BulletinList(BaseModel):
    items: list[BulletinOut]


class BulletinIn(Body):
    title_zh: str = Field(min_length=1, max_length=200)
    title_en: str = Field(min_length=1, max_length=200)
    body_zh: str = Field(min_length=1, max_length=20000)
    body_en: str = Field(min_length=1, max_length=20000)


# Organisations and products -----------------------------------------------------------------


class OrganisationReviewOut(OrganisationOut):
    created_at: str
    reviewed_at: str | None


class OrganisationReviewList(BaseModel):
    items: list[OrganisationReviewOut]


class RejectIn(Body):
    reason: str = Field(min_length=1, max_length=500, description=_l("Kept in the audit trail"))


class BomLineIn(Body):
    input_id: str = Field(max_length=64)
    qty_per_unit: Number = Field(gt=0, lt=1e12)


class ProductPatch(Body):
    """Only the fields sent change; ``null`` clears the reference price or tonnes per unit;
    ``bom`` replaces the whole bill of materials."""

    model_config = ConfigDict(json_schema_extra={"description": _l(
        "Only the fields sent change; null clears the reference price or tonnes per unit; "
        "bom replaces the whole bill of materials.")})

    name_zh: str | None = Field(default=None, min_length=1, max_length=200)
    name_en: str | None = Field(default=None, min_length=1, max_length=200)
    tier: Tier | None = None  # type: ignore[valid-type]
    unit: Unit | None = None  # type: ignore[valid-type]
    reference_price: Number | None = Field(default=None, ge=0, le=1e12, description=_l("CNY per product unit"))
    tonnes_per_unit: Number | None = Field(default=None, gt=0, le=1e12)
    bom: list[BomLineIn] | None = Field(default=None, max_length=50)


class ProductIn(Body):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    tier: Tier  # type: ignore[valid-type]
    unit: Unit  # type: ignore[valid-type]
    reference_price: Number | None = Field(default=None, ge=0, le=1e12)
    tonnes_per_unit: Number | None = Field(default=None, gt=0, le=1e12)
    bom: list[BomLineIn] = Field(default_factory=list, max_length=50)


class ProductDetail(BaseModel):
    id: str
    name_zh: str
    name_en: str
    tier: str
    unit: str
    reference_price: float | None
    tonnes_per_unit: float | None
    bom: list[BomLineOut]


# Matching analysis --------------------------------------------------------------------------


class StaffRun(Run):
    baseline_run_id: int | None = Field(description=_l("The run a what-if run re-solves"))
    relaxed: str | None = Field(description=_l("The rule family a what-if run leaves out"))


class WhatIfIn(Body):
    request_key: str = Field(min_length=1, max_length=64, description=_l("Any unique text; a repeat returns the same run"))
    relax: RelaxedFamily


class RerunIn(Body):
    request_key: str = Field(min_length=1, max_length=64, description=_l("Any unique text; a repeat returns the same run"))
    products: list[str] | None = Field(default=None, description=_l("Product ids; left out, the run's own"))
    time_limit: Number | None = Field(default=None, ge=1, le=600, description=_l("Seconds; left out, the run's own"))


class ApproveManyIn(Body):
    proposal_ids: list[Integer] = Field(min_length=1, max_length=1000)


class ApproveManyOut(BaseModel):
    approved: list[int]
    refused: dict[str, str] = Field(description=_l("Proposal id -> why it was not approved"))


class ProductSummaryOut(BaseModel):
    offered: float = Field(description=_l("Units over the windows, after contracts"))
    demanded: float
    matched: float = Field(description=_l("Units over the terms of the proposed matches"))
    surplus: float = Field(description=_l("CNY"))
    greedy_surplus: float = Field(description=_l("CNY of the match by hand: upstream first, best margin first"))


class ProductComparisonOut(BaseModel):
    product_id: str
    unit: str
    a: ProductSummaryOut | None
    b: ProductSummaryOut | None


class PairComparisonOut(BaseModel):
    offer_id: int
    demand_id: int
    qty_a: float = Field(description=_l("Monthly quantity in run a (0 when not matched)"))
    qty_b: float
    surplus_a: float
    surplus_b: float


class RunComparison(BaseModel):
    a: StaffRun
    b: StaffRun
    surplus_a: float = Field(description=_l("Run a's objective, CNY"))
    surplus_b: float
    difference: float = Field(description=_l("surplus_b - surplus_a"))
    products: list[ProductComparisonOut]
    pairs: list[PairComparisonOut]


class PairExplanation(BaseModel):
    offer_id: int
    demand_id: int
    reasons: list[str] = Field(description=_l("Why this match is no larger, in the reader's language"))


class ProductSummaryRow(ProductSummaryOut):
    product_id: str
    unit: str


class RunExplanation(BaseModel):
    products: list[ProductSummaryRow]
    pairs: list[PairExplanation]


# Monitoring thresholds and checks -------------------------------------------------------------


def _threshold_fields(optional: bool) -> dict[str, Any]:
    from matchmaker.services.monitoring_settings import SETTINGS

    if optional:
        return {s.key: (Number | None, Field(default=None, ge=s.low, le=s.high, description=s.label))
                for s in SETTINGS}
    return {s.key: (float, Field(description=s.label)) for s in SETTINGS}


Thresholds = create_model("Thresholds", **_threshold_fields(False))  # type: ignore[call-overload]
ThresholdsPatch = create_model("ThresholdsPatch", __base__=Body, **_threshold_fields(True))  # type: ignore[call-overload]


class ChecksRun(BaseModel):
    raised: int = Field(description=_l("New alerts; a finding raised before is never raised again"))
