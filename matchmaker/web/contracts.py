"""The parties' pages: proposals to answer, contracts to read, print and export."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required

from matchmaker.db import get_session
from matchmaker.services import acceptance, catalog, contract_terms, contracts
from matchmaker.services.errors import Conflict
from matchmaker.web.errors import render_error
from matchmaker.web.users import today, viewer

bp = Blueprint("contracts", __name__)


@bp.get("/proposals")
@login_required
def proposals():  # type: ignore[no-untyped-def]
    db = get_session()
    return render_template("contracts/proposals.html", proposals=acceptance.party_proposals(db, viewer(), today()),
                           products={p.id: p for p in catalog.list_products(db)})


@bp.get("/proposals/<id:proposal_id>")
@login_required
def proposal(proposal_id: int):  # type: ignore[no-untyped-def]
    db = get_session()
    view = acceptance.party_proposal(db, viewer(), proposal_id, today())
    return render_template("contracts/proposal.html", p=view, product=catalog.get_product(db, view.product_id),
                           may_answer=view.state == "approved" and view.own_response == "pending"
                           and not view.expired and viewer().may_trade)


@bp.post("/proposals/<id:proposal_id>/<any(accept, decline):answer>")
@login_required
def answer(proposal_id: int, answer: str):  # type: ignore[no-untyped-def]
    db = get_session()
    try:
        result = acceptance.respond(db, viewer(), proposal_id, answer == "accept", today())
    except Conflict as error:
        return render_error(409, str(error.args[0]) if error.args else None)
    if result.state == "contracted":
        flash(_("Both parties accepted: a contract was created."), "info")
    elif answer == "accept":
        flash(_("Accepted. The contract is created when the other party accepts too."), "info")
    else:
        flash(_("Declined."), "info")
    return redirect(url_for("contracts.proposal", proposal_id=proposal_id), code=303)


@bp.get("/contracts")
@login_required
def index():  # type: ignore[no-untyped-def]
    """``?format=csv``: every schedule line of the viewer's contracts."""
    db = get_session()
    if request.args.get("format") == "csv":
        return _csv(contracts.contracts_csv(db, viewer(), configured=_configured_index()), "contracts.csv")
    rows = contracts.list_contracts(db, viewer())
    return render_template("contracts/index.html", contracts=rows, names=contracts.org_names(db, rows),
                           products={p.id: p for p in catalog.list_products(db)})


@bp.get("/contracts/<id:contract_id>")
@login_required
def show(contract_id: int):  # type: ignore[no-untyped-def]
    db = get_session()
    contract = contracts.get_contract(db, viewer(), contract_id)
    return render_template("contracts/show.html", c=contract, names=contracts.org_names(db, [contract]),
                           product=catalog.get_product(db, contract.product_id),
                           ask=contract_terms.leg(contract, "ask"), bid=contract_terms.leg(contract, "bid"),
                           months=contracts.month_prices(db, contract, _configured_index()))


def _configured_index() -> dict[str, float]:
    return current_app.config.get("PRICE_INDEX_VALUES") or {}


def _csv(text: str, name: str) -> Response:
    return Response("\ufeff" + text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/contracts/<id:contract_id>.csv")
@login_required
def export_one(contract_id: int):  # type: ignore[no-untyped-def]
    return _csv(contracts.contracts_csv(get_session(), viewer(), contract_id, _configured_index()),
                f"contract-{contract_id}.csv")
