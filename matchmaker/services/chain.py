"""Chain links of an offer: per unit it sells, ``ratio`` units bought through one of the same
organisation's demands (a cathode maker's offer needs lithium carbonate bought on the platform)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete
from sqlmodel import Session, select

from matchmaker.models import Demand, OfferInput, Product
from matchmaker.services.fields import FormReader, current_month
from matchmaker.services.viewer import Viewer

MAX_LINKS = 5


def read_inputs(session: Session, viewer: Viewer, form: FormReader) -> list[tuple[int, float]]:
    """Rows ``input_demand``/``input_ratio`` (parallel lists, blank rows skipped); errors go to
    the ``inputs`` field."""
    rows = zip(_all(form, "input_demand"), _all(form, "input_ratio") + [""] * MAX_LINKS, strict=False)
    links: list[tuple[int, float]] = []
    for demand_text, ratio_text in rows:
        if not demand_text:
            continue
        demand = session.get(Demand, int(demand_text)) if demand_text.isdigit() and len(demand_text) < 10 else None
        if demand is None or demand.org_id != viewer.org_id:
            form.error("inputs", _l("Choose one of your demands."))
            return []
        try:
            ratio = float(ratio_text.replace(",", ""))
        except ValueError:
            ratio = 0.0
        if not 0 < ratio < 1e9:
            form.error("inputs", _l("Each ratio must be a number greater than 0."))
            return []
        if any(existing == demand.id for existing, _ in links):
            form.error("inputs", _l("Each demand at most once."))
            return []
        links.append((demand.id, ratio))  # type: ignore[arg-type]
    if len(links) > MAX_LINKS:
        form.error("inputs", _l("At most %(n)s inputs.", n=MAX_LINKS))
        return []
    return links


def _all(form: FormReader, name: str) -> list[str]:
    """Every value of a repeated field, blanks kept so parallel lists stay aligned."""
    if hasattr(form.data, "getlist"):
        return [str(v).strip() for v in form.data.getlist(name)]
    raw = form.data.get(name, [])
    return [str(v).strip() for v in (raw if isinstance(raw, list) else [raw])]


def save_inputs(session: Session, offer_id: int, links: list[tuple[int, float]]) -> None:
    """Replace the offer's links (the caller commits)."""
    session.exec(delete(OfferInput).where(OfferInput.offer_id == offer_id))  # type: ignore[call-overload]
    for demand_id, ratio in links:
        session.add(OfferInput(offer_id=offer_id, demand_id=demand_id, ratio=ratio))


def inputs_of(session: Session, offer_id: int) -> list[OfferInput]:
    return list(session.exec(select(OfferInput).where(OfferInput.offer_id == offer_id).order_by(OfferInput.id)))


def linkable_demands(session: Session, viewer: Viewer, today: date) -> list[tuple[Demand, Product]]:
    """The viewer's open demands an offer can name as inputs."""
    query = (
        select(Demand, Product)
        .join(Product, Demand.product_id == Product.id)
        .where(Demand.org_id == viewer.org_id, Demand.status == "open", Demand.end >= current_month(today))
        .order_by(Demand.id)
    )
    return [(demand, product) for demand, product in session.exec(query).all()]
