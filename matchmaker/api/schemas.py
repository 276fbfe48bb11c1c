"""Pydantic schemas of the API's bodies and answers: the OpenAPI document is generated from them.

Bodies are checked twice: first against these schemas (``matchmaker.api.body.json_body``: types,
bounds, choices, unknown fields), then by the services with the forms' rules (cross-field checks
such as the window's order or a price for a fixed basis). The choices come from the same tables
the services use (regions, terms, indices).
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from flask_babel import lazy_gettext
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from matchmaker.domain import CERTIFICATIONS, DELIVERY_TERMS, PRICE_INDICES
from matchmaker.regions import PROVINCES


def _l(text: str) -> str:
    """A description in the reader's language: stays lazy inside the schema, and the OpenAPI
    builder turns it into text under the request's locale."""
    return lazy_gettext(text)  # type: ignore[return-value]


MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"

Region = Enum("Region", {k: k for k in PROVINCES}, type=str)  # type: ignore[misc]
DeliveryTerms = Enum("DeliveryTerms", {k: k for k in DELIVERY_TERMS}, type=str)  # type: ignore[misc]
PriceIndex = Enum("PriceIndex", {k.replace("-", "_"): k for k in PRICE_INDICES}, type=str)  # type: ignore[misc]
Certification = Enum("Certification", {k: k for k in CERTIFICATIONS}, type=str)  # type: ignore[misc]


def _not_a_bool(value: Any) -> Any:
    """JSON ``true`` is not the number 1 here (Pydantic would take it as one)."""
    if isinstance(value, bool):
        raise PydanticCustomError("float_type", "Input should be a valid number")
    return value


def _not_a_bool_int(value: Any) -> Any:
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


Number = Annotated[float, BeforeValidator(_not_a_bool)]
Integer = Annotated[int, BeforeValidator(_not_a_bool_int)]


class Body(BaseModel):
    """A request body: unknown fields refused, no NaN or infinity."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class PriceBasis(str, Enum):
    fixed = "fixed"
    index = "index"


class AdjustmentKind(str, Enum):
    amount = "amount"
    percent = "percent"


class ListingIn(Body):
    """Prices in CNY per product unit; months ``YYYY-MM``, window inclusive."""

    model_config = ConfigDict(json_schema_extra={
        "description": _l("Prices in CNY per product unit; months YYYY-MM, the window inclusive.")})

    product_id: str = Field(min_length=1, max_length=64, description=_l("A catalogue product id, e.g. lithium-carbonate"))
    region: Region  # type: ignore[valid-type]
    monthly_qty: Number = Field(gt=0, le=1e12)
    start: str = Field(pattern=MONTH)
    end: str = Field(pattern=MONTH, description=_l("Not before start, at most 240 months after it"))
    min_term_months: Integer | None = Field(default=None, ge=1, le=240)
    min_monthly_qty: Number | None = Field(default=None, ge=0, le=1e12, description=_l("At most monthly_qty"))
    price_basis: PriceBasis
    price: Number | None = Field(default=None, ge=0, le=1e12, description=_l("Required when price_basis is fixed"))
    index_name: PriceIndex | None = Field(default=None, description=_l("Required when price_basis is index"))  # type: ignore[valid-type]
    index_adjustment: Number | None = Field(default=None, ge=-1e12, le=1e12,
                                            description=_l("percent: between -100 and 100"))
    index_adjustment_kind: AdjustmentKind | None = Field(default=None, description=_l("Required when price_basis is index"))
    price_floor: Number | None = Field(default=None, ge=0, le=1e12)
    price_ceiling: Number | None = Field(default=None, ge=0, le=1e12, description=_l("Not below price_floor"))
    delivery_terms: DeliveryTerms  # type: ignore[valid-type]
    delivery_notes: str | None = Field(default=None, max_length=500)


class InputLink(Body):
    demand_id: Integer = Field(ge=1, le=2**31 - 1, description=_l("One of the organisation's own demands"))
    ratio: Number = Field(gt=0, lt=1e9, description=_l("Units bought through that demand per unit sold"))


class OfferIn(ListingIn):
    certifications: list[Certification] = Field(  # type: ignore[valid-type]
        default_factory=list, max_length=20, description=_l("Each held by the organisation, valid today"))
    max_buyer_share: Number | None = Field(default=None, gt=0, le=1)
    inputs: list[InputLink] = Field(default_factory=list, max_length=5, description=_l(
        "Chain links: inputs bought through the organisation's own demands, each demand at most once"))


class DemandIn(ListingIn):
    required_certifications: list[Certification] = Field(default_factory=list, max_length=20)  # type: ignore[valid-type]
    max_supplier_share: Number | None = Field(default=None, gt=0, le=1)
    max_suppliers: Integer | None = Field(default=None, ge=1, le=1000)
    own_supply: Number | None = Field(default=None, ge=0, le=1e12)


class _ListingOut(BaseModel):
    id: int
    org: str = Field(description=_l("The organisation's name (own listings, or any for staff)"))
    status: str = Field(description=_l("open, expired or withdrawn"))


class Offer(_ListingOut, OfferIn):
    model_config = ConfigDict(extra="ignore")  # an answer: not "additionalProperties: false"


class Demand(_ListingOut, DemandIn):
    model_config = ConfigDict(extra="ignore")


class _Page(BaseModel):
    page: int
    pages: int
    total: int


class OfferPage(_Page):
    items: list[Offer]


class DemandPage(_Page):
    items: list[Demand]


class MarketRow(BaseModel):
    """Anonymous: no organisation, no price, the volume as a band."""

    model_config = ConfigDict(json_schema_extra={
        "description": _l("Anonymous: no organisation, no price, the volume as a band.")})

    side: str
    product_id: str
    unit: str
    tier: str
    region: str
    band_low: float
    band_high: float
    start: str
    end: str


class MarketPage(_Page):
    items: list[MarketRow]


class ImportResult(BaseModel):
    created: int
    ids: list[int]


class RowProblem(BaseModel):
    row: int = Field(description=_l("Row number as the spreadsheet shows it; the header is row 1"))
    field: str
    message: str


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None
    fields: dict[str, str] | None = Field(default=None, description=_l("Every refused field (422 validation)"))
    rows: list[RowProblem] | None = Field(default=None, description=_l("Every refused row (422 import)"))


class Error(BaseModel):
    error: ErrorDetail


def schema_of(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    """A ``$ref`` to the model, its definitions added to ``components``."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in schema.pop("$defs", {}).items():
        components[name] = definition
    components[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


class Proposal(BaseModel):
    """A proposed match as one party sees it: the agreed price, no bid, ask or margin."""

    model_config = ConfigDict(json_schema_extra={
        "description": _l("A proposed match as one party sees it: the agreed price, no bid, ask or margin.")})

    id: int
    role: str = Field(description=_l("supplier or buyer"))
    counterparty: str
    product_id: str
    monthly_qty: float
    start: str
    end: str
    months: int
    price: float
    origin_region: str
    delivery_region: str
    deadline: str | None = Field(description=_l("Last day to answer, YYYY-MM-DD"))
    own_response: str
    other_response: str
    state: str
    expired: bool
    price_basis: str = Field(description=_l(
        "fixed; or split: index-linked, re-set monthly as half the ask formula, half the bid formula and half the freight"))


class ProposalList(BaseModel):
    items: list[Proposal]


class PriceLeg(BaseModel):
    """One side's price in a contract (``fixed`` at ``price``, or ``index``-linked), see docs/api.md."""

    model_config = ConfigDict(json_schema_extra={
        "description": _l("One side's price in a contract: fixed at price, or linked to an index with an adjustment, a floor and a ceiling.")})

    basis: str
    price: float | None
    index: str | None
    adjustment: float | None
    adjustment_kind: str | None
    floor: float | None
    ceiling: float | None


class Contract(BaseModel):
    id: int
    proposal_id: int
    supplier: str
    buyer: str
    product_id: str
    origin_region: str
    delivery_region: str
    delivery_terms: str
    monthly_qty: float
    start: str
    end: str
    price_basis: str = Field(description=_l(
        "fixed; split: each month half the ask formula, half the bid formula and half the freight; "
        "premium: the seller's formula plus a fixed premium (contracts signed before the split)"))
    unit_price: float = Field(description=_l("Price at signing, CNY per unit"))
    freight: float | None
    premium: float | None
    ask: PriceLeg | None
    bid: PriceLeg | None


class ContractList(BaseModel):
    items: list[Contract]


class ScheduleLine(BaseModel):
    month: str
    qty: float
    price: float | None = Field(description=_l(
        "Unit price that month, at the newest index value published by the month's end; null before any"))
    price_kind: str = Field(description=_l(
        "fixed, index, estimate (at the latest value, re-set when the month's value is published) or pending"))


class ContractDetail(Contract):
    schedule: list[ScheduleLine]


class RunIn(Body):
    request_key: str = Field(min_length=1, max_length=64, description=_l("Any unique text; a repeat returns the same run"))
    products: list[str] = Field(default_factory=list, max_length=200, description=_l("Product ids; empty for all"))
    time_limit: Number = Field(default=30, ge=1, le=600, description=_l("Seconds"))


class Run(BaseModel):
    id: int
    state: str = Field(description=_l("queued, running, finished or failed"))
    products: list[str]
    time_limit: float
    locked_from_run_id: int | None
    phase: str | None
    elapsed: float | None
    objective: float | None
    bound: float | None
    gap: float | None
    status: str | None
    error: str | None
    skipped: list[str]
    created_at: str | None
    started_at: str | None
    finished_at: str | None


class RunList(BaseModel):
    items: list[Run]


class ReviewedProposal(BaseModel):
    """A proposal as staff see it: both parties, margin, freight and surplus."""

    model_config = ConfigDict(json_schema_extra={
        "description": _l("A proposal as staff see it: both parties, margin, freight and surplus.")})

    id: int
    run_id: int
    offer_id: int
    demand_id: int
    supplier: str
    buyer: str
    product_id: str
    monthly_qty: float
    proposed_qty: float
    start: str
    end: str
    months: int
    unit_margin: float
    price: float
    freight: float
    surplus: float
    locked: bool
    state: str
    reason: str
    supplier_response: str
    buyer_response: str
    deadline: str | None


class RunDetail(Run):
    proposals: list[ReviewedProposal]


class ReviewIn(Body):
    reason: str | None = Field(default=None, max_length=500, description=_l("reject (required) and forbid"))
    monthly_qty: Number | None = Field(default=None, gt=0, le=1e12, description=_l("reduce (required)"))


class CertificateOut(BaseModel):
    name: str
    number: str
    expiry: str
    valid: bool


class OrganisationOut(BaseModel):
    id: int
    name: str
    credit_code: str
    region: str
    tiers: list[str]
    status: str
    contact_name: str
    contact_phone: str
    contact_email: str
    certifications: list[CertificateOut]


class BomLineOut(BaseModel):
    input_id: str
    qty_per_unit: float


class ProductOut(BaseModel):
    id: str
    name_zh: str
    name_en: str
    tier: str
    unit: str
    reference_price: float | None
    bom: list[BomLineOut]


class ProductList(BaseModel):
    items: list[ProductOut]
