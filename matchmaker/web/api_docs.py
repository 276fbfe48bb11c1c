"""A page to read the API's OpenAPI document, rendered on the server (no script, no CDN)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template

from matchmaker.api.openapi import build

bp = Blueprint("api_docs", __name__)


def _schema_name(schema: dict[str, Any] | None) -> str:
    ref = (schema or {}).get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref else ""


def _type_text(prop: dict[str, Any]) -> str:
    """A property's type in a few characters: ``number``, ``Region``, ``list of Certification``."""
    if "$ref" in prop:
        return _schema_name(prop)
    if "anyOf" in prop:
        return " | ".join(_type_text(p) for p in prop["anyOf"])
    if prop.get("type") == "array":
        return "[" + _type_text(prop.get("items", {})) + "]"
    if "enum" in prop:
        return " / ".join(str(v) for v in prop["enum"])
    return str(prop.get("type", ""))


@bp.get("/api-docs")
def index():  # type: ignore[no-untyped-def]
    doc = build(current_app)
    operations = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            body = op.get("requestBody", {}).get("content", {})
            operations.append({
                "method": method.upper(), "path": path, "summary": op["summary"], "id": op["operationId"],
                "parameters": op["parameters"], "public": op.get("security") == [],
                "body": _schema_name(body.get("application/json", {}).get("schema")),
                "upload": "multipart/form-data" in body,
                "responses": [(code, answer["description"], _schema_name(
                    answer.get("content", {}).get("application/json", {}).get("schema"))) for code, answer in op["responses"].items()],
            })
    schemas = {
        name: [(prop_name, _type_text(prop), prop_name in schema.get("required", []), prop.get("description", ""))
               for prop_name, prop in schema.get("properties", {}).items()]
        for name, schema in sorted(doc["components"]["schemas"].items()) if "properties" in schema
    }
    enums = {name: schema["enum"] for name, schema in sorted(doc["components"]["schemas"].items()) if "enum" in schema}
    return render_template("api_docs/index.html", info=doc["info"], operations=operations, schemas=schemas, enums=enums)
