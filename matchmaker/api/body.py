"""Reading a JSON request body into a Pydantic model, with errors in the API's one shape.

``json_body(Model)`` is the only way an API view reads a body: the same schema that the OpenAPI
document shows is the one that checks the request, so the two cannot drift apart. What it settles:

- the body must be a JSON object (400 ``bad_request``, field ``body``, otherwise);
- unknown fields are refused (422 naming them): a misspelt optional field would otherwise be
  silently dropped, and the listing saved without it;
- numbers may be JSON numbers or numeric text (``500``, ``"500"``, ``"74000.5"``), as many ERP
  systems send decimals as text; ``true``/``false`` are not numbers;
- every refused field gets one message in the request's language, naming the field
  (422 ``validation``, ``field`` the first, ``fields`` all of them).

The services still run their own checks after this one (window order, a price when the basis
is fixed, certificates held...), so a body passing the schema can still get a 422 from them, in
the same shape.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel
from pydantic import ValidationError as PydanticError
from pydantic_core import ErrorDetails

from matchmaker.api.errors import BadRequest
from matchmaker.api.schemas import MONTH
from matchmaker.services.errors import ValidationError

M = TypeVar("M", bound=BaseModel)
NUMBER_ERRORS = {"float_type", "float_parsing", "finite_number", "decimal_type", "decimal_parsing"}
INTEGER_ERRORS = {"int_type", "int_parsing", "int_from_float", "int_parsing_size"}


def json_body(model: type[M], *, required: bool = True) -> M:
    """The request body checked against ``model``. Raises BadRequest (400) when the body is not
    a readable JSON object, ValidationError (422, every refused field named) when it does not fit.

    ``required=False``: an empty body counts as ``{}`` (actions whose fields are all optional).
    """
    raw = request.get_data(cache=True)
    if not raw.strip() and not required:
        raw = b"{}"
    elif not request.is_json:
        raise BadRequest("body", _l("Send a JSON object."))
    try:
        return model.model_validate_json(raw)
    except PydanticError as error:
        details = error.errors(include_url=False, include_input=False)
        if any(not d["loc"] for d in details):  # not JSON, or not an object
            raise BadRequest("body", _l("Send a JSON object.")) from None
        raise ValidationError(field_messages(details)) from None


def field_messages(details: list[ErrorDetails]) -> dict[str, object]:
    """One message per top-level field (its first error), in the request's language."""
    messages: dict[str, object] = {}
    for detail in details:
        field = str(detail["loc"][0])
        if field not in messages:
            messages[field] = message_for(field, detail)
    return messages


def message_for(field: str, detail: ErrorDetails) -> str:
    """The common Pydantic error kinds in our words; any other kind gets a general message."""
    kind, ctx = detail["type"], detail.get("ctx") or {}
    for part in detail["loc"][1:]:  # inside the field: certifications[1], inputs[0].ratio
        field += f"[{part}]" if isinstance(part, int) else f".{part}"
    text = _KINDS.get(kind)
    if text is not None:
        return text(field, ctx)
    if kind in NUMBER_ERRORS:
        return _("%(field)s must be a number.", field=field)
    if kind in INTEGER_ERRORS:
        return _("%(field)s must be a whole number.", field=field)
    return _("%(field)s is not valid.", field=field)


def _n(value: Any) -> str:
    return format(value, "g") if isinstance(value, float) else str(value)


def _pattern(field: str, ctx: dict[str, Any]) -> str:
    if ctx.get("pattern") == MONTH:
        return _("%(field)s must be a month as YYYY-MM.", field=field)
    return _("%(field)s does not have the expected form (%(pattern)s).", field=field, pattern=ctx.get("pattern", ""))


def _too_short(field: str, ctx: dict[str, Any]) -> str:
    if ctx.get("min_length") == 1:
        return _("%(field)s must not be empty.", field=field)
    return _("%(field)s needs at least %(n)s characters.", field=field, n=ctx.get("min_length"))


_KINDS: dict[str, Callable[[str, dict[str, Any]], str]] = {
    "missing": lambda f, c: _("%(field)s is required.", field=f),
    "extra_forbidden": lambda f, c: _("%(field)s is not a known field.", field=f),
    "string_type": lambda f, c: _("%(field)s must be text.", field=f),
    "bool_type": lambda f, c: _("%(field)s must be true or false.", field=f),
    "bool_parsing": lambda f, c: _("%(field)s must be true or false.", field=f),
    "list_type": lambda f, c: _("%(field)s must be a list.", field=f),
    "model_type": lambda f, c: _("%(field)s must be an object.", field=f),
    "dict_type": lambda f, c: _("%(field)s must be an object.", field=f),
    "greater_than": lambda f, c: _("%(field)s must be greater than %(n)s.", field=f, n=_n(c.get("gt"))),
    "greater_than_equal": lambda f, c: _("%(field)s must be at least %(n)s.", field=f, n=_n(c.get("ge"))),
    "less_than": lambda f, c: _("%(field)s must be less than %(n)s.", field=f, n=_n(c.get("lt"))),
    "less_than_equal": lambda f, c: _("%(field)s must be at most %(n)s.", field=f, n=_n(c.get("le"))),
    "string_too_short": _too_short,
    "string_too_long": lambda f, c: _("%(field)s has at most %(n)s characters.", field=f, n=c.get("max_length")),
    "too_short": lambda f, c: _("%(field)s needs at least %(n)s items.", field=f, n=c.get("min_length")),
    "too_long": lambda f, c: _("%(field)s has at most %(n)s items.", field=f, n=c.get("max_length")),
    "string_pattern_mismatch": _pattern,
    "enum": lambda f, c: _("%(field)s must be one of: %(choices)s.", field=f, choices=c.get("expected", "")),
    "literal_error": lambda f, c: _("%(field)s must be one of: %(choices)s.", field=f, choices=c.get("expected", "")),
}


def form_values(model: BaseModel) -> dict[str, Any]:
    """The checked body as the text values the services read (what a form would send).

    The services take form data (text) and check it again with their own rules; numbers are
    written back with ``repr`` so they parse to exactly the value the schema accepted. Nested
    objects have no form equivalent: they are left out, for the caller to map.
    """
    out: dict[str, Any] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel) or isinstance(value, list) and any(isinstance(v, BaseModel) for v in value):
            continue
        out[name] = [_text(v) for v in value] if isinstance(value, list) else _text(value)
    return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, float):
        return repr(value)
    return str(value)
