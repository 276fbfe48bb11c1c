"""The OpenAPI 3.1 document of ``/api/v1``, built from the routes and schemas in the code.

Every API view carries ``@operation(...)``: its summary, body and answer schemas. Summaries
and descriptions are translated: the document is in the request's language (``?lang=zh|en``,
else ``Accept-Language``, else zh; see ``matchmaker.i18n.select_locale``). The builder
walks the app's URL map, so a route cannot be added without appearing in the document (a test
checks that every API route is documented). Routes taking ``offers`` or ``demands`` are written
out once per side, so each side has its own body schema.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import product
from typing import Any, TypeVar

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from pydantic import BaseModel

from matchmaker.api import schemas

F = TypeVar("F", bound=Callable[..., Any])
Schema = type[BaseModel] | dict[str, type[BaseModel]] | None
Query = tuple[tuple[str, str | dict[str, Any]], ...]
ARGUMENT = re.compile(r"<(?:(?P<conv>[a-z_]+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>[a-z_]+)>")
EXPANDED = {"kinds"}
ERROR_TEXT = {
    400: _l("The request cannot be read"), 401: _l("No valid API token"), 403: _l("Not allowed (or a read-only token)"),
    404: _l("Not found (also another organisation's row)"), 409: _l("Not possible in the current state"),
    413: _l("The body is over 1 MB"), 422: _l("A field or row was refused"),
    429: _l("Too many refused tokens from this address"),
}
LIST_QUERY = (
    ("q", "string"), ("product_id", "string"), ("tier", "string"), ("region", "string"),
    ("window_from", "string"), ("window_to", "string"), ("status", "string"), ("side", "string"),
    ("page", "integer"),
)


def operation(
    summary: object, *, body: Schema = None, body_required: bool = True, response: Schema = None, status: int = 200,
    repeat: bool = False,
    errors: tuple[int, ...] = (), query: bool | Query = False, upload: bool = False, download: bool = False,
) -> Callable[[F], F]:
    """Describes one API view for the document (nothing changes at run time). ``query=True``
    documents the listing filters; a tuple of (name, type or JSON schema) documents other ones.
    ``repeat=True``: a repeated ``request_key`` answers 200 with what the first request made."""

    def mark(view: F) -> F:
        view._openapi = {  # type: ignore[attr-defined]
            "summary": summary, "body": body, "body_required": body_required, "response": response, "status": status, "repeat": repeat, "errors": errors,
            "query": query, "upload": upload, "download": download,
        }
        return view

    return mark


def _pick(schema: Schema, kinds: str | None) -> type[BaseModel] | None:
    if isinstance(schema, dict):
        return schema[kinds or ""]
    return schema


def _expansions(rule: str) -> list[tuple[str, dict[str, str]]]:
    """(OpenAPI path, fixed arguments) for each value of the expanded arguments."""
    choices: list[list[tuple[str, str]]] = []
    for match in ARGUMENT.finditer(rule):
        if match["name"] in EXPANDED:
            choices.append([(match["name"], v.strip()) for v in (match["args"] or "").split(",")])
    out = []
    for combo in product(*choices):
        fixed = dict(combo)

        def replace(match: re.Match[str], fixed: dict[str, str] = fixed) -> str:
            return fixed.get(match["name"]) or "{" + match["name"] + "}"

        out.append((ARGUMENT.sub(replace, rule), fixed))
    return out


def _parameters(rule: str) -> list[dict[str, Any]]:
    params = []
    for match in ARGUMENT.finditer(rule):
        if match["name"] in EXPANDED:
            continue
        if match["conv"] == "id":
            schema: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
        elif match["conv"] == "any":
            schema = {"type": "string", "enum": [v.strip() for v in (match["args"] or "").split(",")]}
        else:
            schema = {"type": "string"}
        params.append({"name": match["name"], "in": "path", "required": True, "schema": schema})
    return params


def _content(ref: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": ref}}


def build(app: Flask) -> dict[str, Any]:
    components: dict[str, Any] = {}
    error_ref = schemas.schema_of(schemas.Error, components)
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith("api."):
            continue
        meta = getattr(app.view_functions[rule.endpoint], "_openapi", None)
        if meta is None:
            raise LookupError(f"API route {rule.rule} has no @operation")
        for path, fixed in _expansions(rule.rule):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                op: dict[str, Any] = {
                    "operationId": f"{rule.endpoint.removeprefix('api.')}_{'_'.join(fixed.values())}".rstrip("_"),
                    "summary": str(meta["summary"]), "parameters": _parameters(rule.rule), "responses": {},
                }
                if meta["query"]:
                    pairs = LIST_QUERY if meta["query"] is True else meta["query"]
                    op["parameters"] += [{"name": n, "in": "query", "required": False,
                                          "schema": t if isinstance(t, dict) else {"type": t}} for n, t in pairs]
                if rule.endpoint in PUBLIC:
                    op["security"] = []
                body = _pick(meta["body"], fixed.get("kinds"))
                if body is not None:
                    op["requestBody"] = {"required": meta["body_required"],
                                         "content": _content(schemas.schema_of(body, components))}
                if meta["upload"]:
                    op["requestBody"] = {"required": True, "content": {
                        "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
                            "file": {"type": "string", "format": "binary"}}}},
                    }}
                answer = _pick(meta["response"], fixed.get("kinds"))
                if meta["download"]:
                    op["responses"][str(meta["status"])] = {"description": _("The file"), "content": {
                        "text/csv": {"schema": {"type": "string"}},
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                            "schema": {"type": "string", "format": "binary"}},
                    }}
                elif answer is not None:
                    op["responses"][str(meta["status"])] = {
                        "description": _("OK"), "content": _content(schemas.schema_of(answer, components))}
                else:
                    op["responses"][str(meta["status"])] = {"description": _("OK")}
                if meta["repeat"]:  # a repeated request_key answers 200 with what the first request made
                    op["responses"]["200"] = op["responses"][str(meta["status"])]
                codes = set(meta["errors"]) | {400}  # any input with a NUL character is refused
                if rule.endpoint not in PUBLIC:
                    codes |= {401, 429}
                if method != "GET":
                    codes |= {403}
                if "requestBody" in op:
                    codes |= {413}
                for code in sorted(codes):
                    op["responses"][str(code)] = {"description": str(ERROR_TEXT.get(code, code)), "content": _content(error_ref)}
                paths.setdefault(path, {})[method.lower()] = op
    return _text({
        "openapi": "3.1.0",
        "info": {"title": _("Matchmaker API"), "version": "1", "description": _(
            "Lithium battery supply chain matching platform. Send an organisation's API token as "
            "`Authorization: Bearer <token>`; cookies do not count here.")},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    })


# Pydantic leaves a bound on an optional number (``Integer | None = Field(ge=1)``) under its own
# name inside the ``anyOf`` member; JSON Schema readers (Schemathesis, Swagger) only know these.
JSON_SCHEMA_BOUNDS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}


def _text(node: Any) -> Any:
    """The document with every lazily translated description turned into text now, under the
    request's locale (the reference page builds it inside ``force_locale``)."""
    if isinstance(node, dict):
        numeric = node.get("type") in ("integer", "number")
        return {(JSON_SCHEMA_BOUNDS.get(key, key) if numeric else key): _text(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_text(value) for value in node]
    if isinstance(node, LazyString):
        return str(node)
    return node


PUBLIC = {"api.openapi"}
