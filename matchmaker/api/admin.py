"""API of association staff's administration: organisations awaiting approval (approve, reject
with a reason) and the product catalogue (add a product, edit one). The same services as the
admin and catalogue pages; members get 403 on every route here."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_babel import lazy_gettext as _l

from matchmaker.api import bp, schemas_staff
from matchmaker.api.auth import api_viewer
from matchmaker.api.body import json_body
from matchmaker.api.monitoring import require_staff
from matchmaker.api.openapi import operation
from matchmaker.db import get_session
from matchmaker.domain import ORG_STATUSES
from matchmaker.models import Organisation, Product
from matchmaker.services import catalog, orgs
from matchmaker.services.errors import ValidationError
from matchmaker.web.users import today

STATUS_QUERY = (("status", {"type": "string", "enum": [*ORG_STATUSES, "all"], "default": "pending"}),)


def organisation_json(org: Organisation) -> dict[str, Any]:
    certs = orgs.certifications_of(get_session(), org.id)  # type: ignore[arg-type]
    return {
        "id": org.id, "name": org.name, "credit_code": org.credit_code, "region": org.region, "tiers": org.tiers,
        "status": org.status, "contact_name": org.contact_name, "contact_phone": org.contact_phone,
        "contact_email": org.contact_email, "created_at": org.created_at.isoformat(),
        "reviewed_at": org.reviewed_at.isoformat() if org.reviewed_at else None,
        "certifications": [{"name": c.name, "number": c.number, "expiry": c.expiry.isoformat(),
                            "valid": c.expiry >= today()} for c in certs],
    }


@bp.get("/organisations")
@operation(_l("Organisations by review status, oldest first (staff; status pending unless given)"),
           response=schemas_staff.OrganisationReviewList, query=STATUS_QUERY, errors=(403, 422))
def organisation_list():  # type: ignore[no-untyped-def]
    require_staff()
    status = request.args.get("status") or "pending"
    if status not in ORG_STATUSES and status != "all":
        raise ValidationError({"status": _l("Not one of the choices.")})
    rows = orgs.list_organisations(get_session(), api_viewer(), None if status == "all" else status)
    return jsonify({"items": [organisation_json(org) for org in rows]})


@bp.get("/organisations/<id:org_id>")
@operation(_l("One organisation with its certificates (staff; members read their own at /organisation)"),
           response=schemas_staff.OrganisationReviewOut, errors=(403, 404))
def organisation_show(org_id: int):  # type: ignore[no-untyped-def]
    require_staff()
    return jsonify(organisation_json(orgs.get_organisation(get_session(), api_viewer(), org_id)))


@bp.post("/organisations/<id:org_id>/approve")
@operation(_l("Approve an organisation (staff): its members may then post offers and demands"),
           response=schemas_staff.OrganisationReviewOut, errors=(404, 409))
def organisation_approve(org_id: int):  # type: ignore[no-untyped-def]
    return jsonify(organisation_json(orgs.review_organisation(get_session(), api_viewer(), org_id, "approved")))


@bp.post("/organisations/<id:org_id>/reject")
@operation(_l("Reject an organisation with a reason (staff); the reason is kept in the audit trail"),
           body=schemas_staff.RejectIn, response=schemas_staff.OrganisationReviewOut, errors=(404, 409, 422))
def organisation_reject(org_id: int):  # type: ignore[no-untyped-def]
    require_staff()
    body = json_body(schemas_staff.RejectIn)
    org = orgs.review_organisation(get_session(), api_viewer(), org_id, "rejected", body.reason)
    return jsonify(organisation_json(org))


def product_json(product: Product) -> dict[str, Any]:
    return {
        "id": product.id, "name_zh": product.name_zh, "name_en": product.name_en, "tier": product.tier,
        "unit": product.unit, "reference_price": product.reference_price, "tonnes_per_unit": product.tonnes_per_unit,
        "bom": [{"input_id": line.input_id, "qty_per_unit": line.qty_per_unit}
                for line in catalog.bom_of(get_session(), product.id)],
    }


def _bom_text(lines: list[Any]) -> str:
    """The BOM in the form's notation; ``repr`` keeps every digit (the form's ``:g`` would round)."""
    return "; ".join(f"{line.input_id}:{line.qty_per_unit!r}" for line in lines)


def _number(value: float | None) -> str:
    return "" if value is None else repr(value)


@bp.post("/products")
@operation(_l("Add a product to the catalogue (staff)"), body=schemas_staff.ProductIn,
           response=schemas_staff.ProductDetail, status=201, errors=(422,))
def product_create():  # type: ignore[no-untyped-def]
    require_staff()
    body = json_body(schemas_staff.ProductIn)
    form = {"id": body.id, "name_zh": body.name_zh, "name_en": body.name_en, "tier": body.tier.value,
            "unit": body.unit.value, "reference_price": _number(body.reference_price),
            "tonnes_per_unit": _number(body.tonnes_per_unit), "bom": _bom_text(body.bom)}
    response = jsonify(product_json(catalog.save_product(get_session(), api_viewer(), form)))
    response.status_code = 201
    return response


@bp.patch("/products/<product_id>")
@operation(_l("Edit a product (staff): only the fields sent change; bom replaces the bill of materials"),
           body=schemas_staff.ProductPatch, response=schemas_staff.ProductDetail, errors=(404, 422))
def product_update(product_id: str):  # type: ignore[no-untyped-def]
    """Starts from the product as the edit form shows it, so the catalogue's checks (names
    required, inputs that exist, no product its own input) apply to the result."""
    require_staff()
    body = json_body(schemas_staff.ProductPatch)
    db = get_session()
    product = catalog.get_product(db, product_id)
    form = {"name_zh": product.name_zh, "name_en": product.name_en, "tier": product.tier, "unit": product.unit,
            "reference_price": _number(product.reference_price), "tonnes_per_unit": _number(product.tonnes_per_unit),
            "bom": _bom_text(catalog.bom_of(db, product_id))}
    for name in body.model_fields_set:
        value = getattr(body, name)
        if name == "bom":
            form["bom"] = _bom_text(value or [])
        elif name in ("reference_price", "tonnes_per_unit"):
            form[name] = _number(value)
        else:
            form[name] = "" if value is None else str(getattr(value, "value", value))
    return jsonify(product_json(catalog.save_product(db, api_viewer(), form, product_id)))
