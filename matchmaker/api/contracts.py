"""API for the parties: proposed matches to answer, and contracts with their monthly schedule.

The same services as the pages: before both accept, a party sees the agreed price and its
counterparty, never the other side's bid or ask; a contract states its price terms, both legs,
to both its parties (``services.contract_terms`` says why); another organisation's proposal or
contract is a 404.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Response, current_app, jsonify
from flask_babel import lazy_gettext as _l

from matchmaker.api import bp, schemas
from matchmaker.api.auth import api_viewer
from matchmaker.api.openapi import operation
from matchmaker.db import get_session
from matchmaker.models import Contract
from matchmaker.services import acceptance, contract_terms, contracts
from matchmaker.services.bulk_export import FORMATS, export_contracts
from matchmaker.web.users import today

CONTRACT_FIELDS = (
    "id", "proposal_id", "product_id", "origin_region", "delivery_region", "delivery_terms", "monthly_qty",
    "start", "end", "price_basis", "unit_price", "freight", "premium",
)


def proposal_json(view: acceptance.PartyProposal) -> dict[str, Any]:
    data = asdict(view)
    data["deadline"] = view.deadline.isoformat() if view.deadline else None
    return data


def contract_json(contract: Contract, names: dict[int, str]) -> dict[str, Any]:
    data = {name: getattr(contract, name) for name in CONTRACT_FIELDS}
    data["supplier"] = names.get(contract.supplier_org_id, "")
    data["buyer"] = names.get(contract.buyer_org_id, "")
    for side in ("ask", "bid"):
        leg = contract_terms.leg(contract, side)
        # keys as the contract columns without their ask_/bid_ prefix
        data[side] = None if leg is None else {key: getattr(leg, name) for name, key in contract_terms.LEG_COLUMNS.items()}
    return data


@bp.get("/proposals")
@operation(_l("Approved proposals the organisation is party to, newest first"), response=schemas.ProposalList)
def proposals():  # type: ignore[no-untyped-def]
    rows = acceptance.party_proposals(get_session(), api_viewer(), today())
    return jsonify({"items": [proposal_json(row) for row in rows]})


@bp.get("/proposals/<id:proposal_id>")
@operation(_l("One proposal as this party sees it"), response=schemas.Proposal, errors=(404,))
def proposal(proposal_id: int):  # type: ignore[no-untyped-def]
    return jsonify(proposal_json(acceptance.party_proposal(get_session(), api_viewer(), proposal_id, today())))


@bp.post("/proposals/<id:proposal_id>/<any(accept, decline):answer>")
@operation(_l("Accept or decline; the contract is created when both parties accept"), response=schemas.Proposal,
           errors=(404, 409))
def answer(proposal_id: int, answer: str):  # type: ignore[no-untyped-def]
    db = get_session()
    acceptance.respond(db, api_viewer(), proposal_id, answer == "accept", today())
    return jsonify(proposal_json(acceptance.party_proposal(db, api_viewer(), proposal_id, today())))


@bp.get("/contracts")
@operation(_l("The organisation's contracts (staff: all)"), response=schemas.ContractList)
def contract_list():  # type: ignore[no-untyped-def]
    db = get_session()
    rows = contracts.list_contracts(db, api_viewer())
    names = contracts.org_names(db, rows)
    return jsonify({"items": [contract_json(row, names) for row in rows]})


@bp.get("/contracts/<id:contract_id>")
@operation(_l("A contract with its monthly delivery schedule"), response=schemas.ContractDetail, errors=(404,))
def contract(contract_id: int):  # type: ignore[no-untyped-def]
    db = get_session()
    row = contracts.get_contract(db, api_viewer(), contract_id)
    data = contract_json(row, contracts.org_names(db, [row]))
    configured = current_app.config.get("PRICE_INDEX_VALUES") or {}
    data["schedule"] = [{"month": m.month, "qty": m.qty, "price": m.price, "price_kind": m.kind}
                        for m in contracts.month_prices(db, row, configured)]
    return jsonify(data)


@bp.get("/contracts/export.<any(csv, xlsx):fmt>")
@operation(_l("Every schedule line of the organisation's contracts (staff: all) as CSV or XLSX"), download=True)
def contracts_export(fmt: str):  # type: ignore[no-untyped-def]
    response = Response(export_contracts(get_session(), api_viewer(), fmt), mimetype=FORMATS[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="contracts.{fmt}"'
    return response
