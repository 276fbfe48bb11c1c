"""API: the caller's own organisation, and the product catalogue with bills of materials."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_babel import lazy_gettext as _l

from matchmaker.api import bp, schemas
from matchmaker.api.auth import api_viewer
from matchmaker.api.openapi import operation
from matchmaker.db import get_session
from matchmaker.models import Product
from matchmaker.services import catalog, orgs
from matchmaker.web.users import today


def product_json(product: Product, bom: list[Any]) -> dict[str, Any]:
    return {
        "id": product.id, "name_zh": product.name_zh, "name_en": product.name_en, "tier": product.tier,
        "unit": product.unit, "reference_price": product.reference_price,
        "bom": [{"input_id": line.input_id, "qty_per_unit": line.qty_per_unit} for line in bom],
    }


@bp.get("/organisation")
@operation(_l("The caller's own organisation and its certificates"), response=schemas.OrganisationOut)
def organisation():  # type: ignore[no-untyped-def]
    db, viewer = get_session(), api_viewer()
    org = orgs.get_organisation(db, viewer, viewer.org_id)
    return jsonify({
        "id": org.id, "name": org.name, "credit_code": org.credit_code, "region": org.region, "tiers": org.tiers,
        "status": org.status, "contact_name": org.contact_name, "contact_phone": org.contact_phone,
        "contact_email": org.contact_email,
        "certifications": [{"name": c.name, "number": c.number, "expiry": c.expiry.isoformat(),
                            "valid": c.expiry >= today()} for c in orgs.certifications_of(db, viewer.org_id)],
    })


@bp.get("/products")
@operation(_l("The product catalogue with bills of materials"), response=schemas.ProductList)
def products():  # type: ignore[no-untyped-def]
    db = get_session()
    return jsonify({"items": [product_json(p, catalog.bom_of(db, p.id)) for p in catalog.list_products(db)]})
