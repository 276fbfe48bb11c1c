"""Capacity projects members declare: planned expansions staff see as future capacity."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from matchmaker.models import CapacityProject, Product
from matchmaker.regions import PROVINCES
from matchmaker.services import audit
from matchmaker.services.errors import NotFound, PermissionDenied
from matchmaker.services.fields import FormReader
from matchmaker.services.viewer import Viewer


def declare(session: Session, viewer: Viewer, data: Mapping[str, Any]) -> CapacityProject:
    """Members of approved organisations only. Raises PermissionDenied or ValidationError."""
    if not viewer.may_trade:
        raise PermissionDenied()
    form = FormReader(data)
    product_id = form.raw("product_id")
    if not product_id or session.get(Product, product_id) is None:
        form.error("product_id", _l("Not one of the choices."))
    project = CapacityProject(
        org_id=viewer.org_id, product_id=product_id, region=form.choice("region", PROVINCES),
        monthly_capacity=form.number("monthly_capacity", gt=0) or 0.0,
        investment_cny=form.number("investment_cny", ge=0) or 0.0,
        start=form.month("start") or "", note=form.text("note", max_len=500, required=False),
    )
    form.raise_if_errors()
    session.add(project)
    session.flush()
    audit.record(session, viewer.user_id, "project_declared", "capacity_project", project.id, None,
                 {"product_id": project.product_id, "monthly_capacity": project.monthly_capacity, "start": project.start})
    session.commit()
    return project


def withdraw(session: Session, viewer: Viewer, project_id: int) -> None:
    """The declaring organisation only; another's project reads as not found."""
    project = session.get(CapacityProject, project_id)
    if project is None or project.org_id != viewer.org_id:
        raise NotFound(project_id)
    audit.record(session, viewer.user_id, "project_withdrawn", "capacity_project", project.id,
                 {"product_id": project.product_id, "monthly_capacity": project.monthly_capacity}, None)
    session.delete(project)
    session.commit()


def list_projects(session: Session, viewer: Viewer) -> list[CapacityProject]:
    """Staff see every project; a member sees its own organisation's."""
    query = select(CapacityProject)
    if not viewer.is_staff:
        query = query.where(CapacityProject.org_id == viewer.org_id)
    return list(session.exec(query.order_by(CapacityProject.start, CapacityProject.id)))
