"""A page to read the API's OpenAPI document, rendered on the server (no script, no CDN).

The document's summaries and descriptions are shown in the language asked for with ``?lang=zh|en``
(the page offers both), else in the page's own language; the page around them keeps the
reader's language.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request
from flask_babel import force_locale

from matchmaker.api.openapi import build
from matchmaker.i18n import current_language

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
    doc_lang = request.args.get("lang", "")
    if doc_lang not in current_app.config["LANGUAGES"]:
        doc_lang = current_language()
    with force_locale(doc_lang):
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
    return render_template("api_docs/index.html", info=doc["info"], operations=operations, schemas=schemas,
                           enums=enums, doc_lang=doc_lang, doc_languages={"zh": "中文", "en": "English"})
