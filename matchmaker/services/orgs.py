"""Registering organisations and their first user; staff review of organisations."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select
from werkzeug.security import generate_password_hash

from matchmaker.domain import CERTIFICATIONS, ROLES, TIERS
from matchmaker.models import Certification, Organisation, User
from matchmaker.models.base import utcnow
from matchmaker.regions import PROVINCES
from matchmaker.services import audit, credit_code
from matchmaker.services.errors import Conflict, NotFound, PermissionDenied, ValidationError
from matchmaker.services.fields import FormReader
from matchmaker.services.viewer import Viewer

EMAIL_RE = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
MIN_PASSWORD = 10

CREDIT_CODE_MESSAGES = {
    "length": _l("A unified social credit code has 18 characters."),
    "alphabet": _l("Only digits and capital letters except I, O, Z, S and V."),
    "division": _l("Characters 3 to 8 are the administrative division code: digits only."),
    "checksum": _l("The check character does not match: please check the code."),
}


def read_credit_code(form: FormReader, name: str = "credit_code") -> str:
    code = credit_code.normalise(form.raw(name))
    if not code:
        form.error(name, _l("This field is required."))
        return code
    problem = credit_code.problem(code)
    if problem:
        form.error(name, CREDIT_CODE_MESSAGES[problem])
    return code


def read_email(form: FormReader, name: str = "email") -> str:
    email = form.text(name, max_len=254).lower()
    if email and name not in form.errors and not EMAIL_RE.match(email):
        form.error(name, _l("Enter an email address."))
    return email


def read_certifications(form: FormReader) -> list[tuple[str, str, date]]:
    """Rows ``cert_name``/``cert_number``/``cert_expiry`` (parallel lists); blank rows are skipped."""
    columns = [_values(form, "cert_name"), _values(form, "cert_number"), _values(form, "cert_expiry")]
    length = max(len(column) for column in columns)
    if length > 20:
        form.error("cert_0", _l("At most %(n)s certificates.", n=20))
        return []
    names, numbers, expiries = (column + [""] * (length - len(column)) for column in columns)
    rows: list[tuple[str, str, date]] = []
    for i in range(length):
        name, number, expiry = names[i], numbers[i], expiries[i]
        if not (name or number or expiry):
            continue
        field = f"cert_{i}"
        if name not in CERTIFICATIONS:
            form.error(field, _l("Choose a certification."))
            continue
        if not number or len(number) > 64:
            form.error(field, _l("Enter the certificate number (at most 64 characters)."))
            continue
        try:
            expiry_date = date.fromisoformat(expiry)
        except ValueError:
            form.error(field, _l("Enter the expiry date as YYYY-MM-DD."))
            continue
        rows.append((name, number, expiry_date))
    return rows


def _values(form: FormReader, name: str) -> list[str]:
    """Every value of a repeated field, blanks kept so the parallel lists stay aligned."""
    if hasattr(form.data, "getlist"):
        return [str(v).strip() for v in form.data.getlist(name)]
    raw = form.data.get(name, [])
    return [str(v).strip() for v in (raw if isinstance(raw, list) else [raw])]


def register_organisation(
    session: Session, data: Mapping[str, Any], *, hash_method: str = "scrypt"
) -> tuple[Organisation, User]:
    """A new organisation, pending staff approval, with its first user (a member).

    Raises ValidationError naming each bad field, including a credit code or email already used.
    """
    form = FormReader(data)
    name = form.text("name", max_len=200)
    code = read_credit_code(form)
    region = form.choice("region", PROVINCES, _l("Unknown region."))
    tiers = form.choice_list("tiers", TIERS)
    if not tiers and "tiers" not in form.errors:
        form.error("tiers", _l("Choose at least one tier."))
    contact_name = form.text("contact_name", max_len=100)
    contact_phone = form.text("contact_phone", max_len=40)
    contact_email = read_email(form, "contact_email")
    certs = read_certifications(form)
    user_name = form.text("user_name", max_len=100)
    email = read_email(form, "email")
    password = form.raw("password")
    if len(password) < MIN_PASSWORD:
        form.error("password", _l("At least %(n)s characters.", n=MIN_PASSWORD))
    elif len(password) > 200:
        form.error("password", _l("At most %(n)s characters.", n=200))
    elif password != form.raw("password_confirm"):
        form.error("password_confirm", _l("The two passwords differ."))
    if code and "credit_code" not in form.errors and _code_taken(session, code):
        form.error("credit_code", _l("An organisation with this code is already registered."))
    if email and "email" not in form.errors and _email_taken(session, email):
        form.error("email", _l("This email already has an account."))
    form.raise_if_errors()

    org = Organisation(
        name=name, credit_code=code, region=region, tiers=tiers, contact_name=contact_name,
        contact_phone=contact_phone, contact_email=contact_email, status="pending",
    )
    session.add(org)
    session.flush()
    for cert_name, number, expiry in certs:
        session.add(Certification(org_id=org.id, name=cert_name, number=number, expiry=expiry))
    user = User(
        org_id=org.id, email=email, name=user_name, role="member",
        password_hash=generate_password_hash(password, method=hash_method),
    )
    session.add(user)
    session.commit()
    return org, user


def add_user(
    session: Session, org_id: int, *, email: str, name: str, password: str, role: str = "member",
    hash_method: str = "scrypt",
) -> User:
    """A further login for an existing organisation (demo, admin tools). Raises ValidationError."""
    if role not in ROLES:
        raise ValidationError({"role": _l("Not one of the choices.")})
    email = email.strip().lower()
    if _email_taken(session, email):
        raise ValidationError({"email": _l("This email already has an account.")})
    if session.get(Organisation, org_id) is None:
        raise NotFound(org_id)
    user = User(
        org_id=org_id, email=email, name=name, role=role,
        password_hash=generate_password_hash(password, method=hash_method),
    )
    session.add(user)
    session.commit()
    return user


def _code_taken(session: Session, code: str) -> bool:
    return session.exec(select(Organisation.id).where(Organisation.credit_code == code)).first() is not None


def _email_taken(session: Session, email: str) -> bool:
    return session.exec(select(User.id).where(User.email == email)).first() is not None


def get_organisation(session: Session, viewer: Viewer, org_id: int) -> Organisation:
    """Own organisation for members, any for staff; raises NotFound otherwise."""
    org = session.get(Organisation, org_id)
    if org is None or not (viewer.is_staff or viewer.org_id == org_id):
        raise NotFound(org_id)
    return org


def certifications_of(session: Session, org_id: int) -> list[Certification]:
    return list(
        session.exec(
            select(Certification).where(Certification.org_id == org_id).order_by(Certification.name)
        )
    )


def valid_certification_names(session: Session, org_id: int, today: date) -> set[str]:
    return {c.name for c in certifications_of(session, org_id) if c.expiry >= today}


def list_organisations(
    session: Session, viewer: Viewer, status: str | None = None
) -> list[Organisation]:
    """Staff only (raises PermissionDenied): the organisations to review, oldest first."""
    if not viewer.is_staff:
        raise PermissionDenied()
    query = select(Organisation).order_by(Organisation.created_at, Organisation.id)
    if status:
        query = query.where(Organisation.status == status)
    return list(session.exec(query))


def review_organisation(
    session: Session, viewer: Viewer, org_id: int, decision: str, reason: str = ""
) -> Organisation:
    """Approve or reject an organisation. A rejection needs a reason (the organisation will ask
    why); decision and reason go into the audit trail. Raises PermissionDenied, ValidationError,
    NotFound, Conflict (already in that state)."""
    if not viewer.is_staff:
        raise PermissionDenied()
    if decision not in ("approved", "rejected"):
        raise ValidationError({"decision": _l("Not one of the choices.")})
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound(org_id)
    if org.status == decision:
        raise Conflict(org_id)
    reason = (reason or "").strip()
    if (decision == "rejected" and not reason) or len(reason) > 500:
        raise ValidationError({"reason": _l("Give a reason (at most 500 characters).")})
    before = {"status": org.status}
    org.status = decision
    org.reviewed_at = utcnow()
    session.add(org)
    audit.record(session, viewer.user_id, f"organisation_{decision}", "organisation", org.id, before,
                 {"status": decision, "reason": reason})
    session.commit()
    return org


def add_certification(session: Session, viewer: Viewer, data: Mapping[str, Any]) -> Certification:
    """A certificate for the viewer's own organisation. Raises ValidationError naming the field."""
    form = FormReader(data)
    name = form.choice("cert_name", CERTIFICATIONS, _l("Choose a certification."))
    number = form.text("cert_number", max_len=64)
    expiry = form.date("cert_expiry")
    form.raise_if_errors()
    cert = Certification(org_id=viewer.org_id, name=name, number=number, expiry=expiry)  # type: ignore[arg-type]
    session.add(cert)
    session.commit()
    return cert


def remove_certification(session: Session, viewer: Viewer, cert_id: int) -> None:
    """Raises NotFound for another organisation's certificate."""
    cert = session.get(Certification, cert_id)
    if cert is None or cert.org_id != viewer.org_id:
        raise NotFound(cert_id)
    session.delete(cert)
    session.commit()
