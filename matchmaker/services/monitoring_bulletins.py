"""Bulletins: industry situation and warnings staff publish in Chinese and English to every
member, also as an Atom feed per language (feed readers do not log in, and bulletins are
published to the whole industry, so the feed is public)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from xml.etree import ElementTree as ET

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from matchmaker.models import Bulletin
from matchmaker.services import audit
from matchmaker.services.errors import NotFound, PermissionDenied
from matchmaker.services.fields import FormReader
from matchmaker.services.viewer import Viewer

ATOM = "http://www.w3.org/2005/Atom"


def publish(session: Session, viewer: Viewer, data: Mapping[str, Any]) -> Bulletin:
    """Staff only, both languages required. Raises PermissionDenied or ValidationError."""
    if not viewer.is_staff:
        raise PermissionDenied()
    form = FormReader(data)
    bulletin = Bulletin(
        title_zh=form.text("title_zh", max_len=200), title_en=form.text("title_en", max_len=200),
        body_zh=_body(form, "body_zh"), body_en=_body(form, "body_en"), author_id=viewer.user_id,
    )
    form.raise_if_errors()
    session.add(bulletin)
    session.flush()
    audit.record(session, viewer.user_id, "bulletin_published", "bulletin", bulletin.id, None,
                 {"title_zh": bulletin.title_zh, "title_en": bulletin.title_en})
    session.commit()
    return bulletin


def _body(form: FormReader, name: str) -> str:
    """Multi-line text: line breaks allowed, other control characters not."""
    value = form.raw(name).replace("\r\n", "\n")
    if not value:
        form.error(name, _l("This field is required."))
    elif len(value) > 20000:
        form.error(name, _l("At most %(n)s characters.", n=20000))
    elif any(ord(ch) < 32 and ch not in "\n\t" for ch in value):
        form.error(name, _l("Control characters are not allowed."))
    return value


def list_bulletins(session: Session, limit: int = 50) -> list[Bulletin]:
    return list(session.exec(select(Bulletin).order_by(Bulletin.published_at.desc(), Bulletin.id.desc()).limit(limit)))  # type: ignore[attr-defined]


def get_bulletin(session: Session, bulletin_id: int) -> Bulletin:
    bulletin = session.get(Bulletin, bulletin_id)
    if bulletin is None:
        raise NotFound(bulletin_id)
    return bulletin


def atom_feed(bulletins: list[Bulletin], lang: str, feed_url: str, entry_url: Any, title: str) -> bytes:
    """``entry_url(bulletin)`` gives each entry's page; ``lang`` is ``zh`` or ``en``."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "zh-CN" if lang == "zh" else "en"})
    ET.SubElement(feed, f"{{{ATOM}}}id").text = feed_url
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "href": feed_url})
    updated = max((b.published_at for b in bulletins), default=None)
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _stamp(updated) if updated else "1970-01-01T00:00:00Z"
    for b in bulletins:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        url = entry_url(b)
        ET.SubElement(entry, f"{{{ATOM}}}id").text = url
        ET.SubElement(entry, f"{{{ATOM}}}title").text = b.title_zh if lang == "zh" else b.title_en
        ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "alternate", "href": url})
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _stamp(b.published_at)
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        ET.SubElement(author, f"{{{ATOM}}}name").text = title
        ET.SubElement(entry, f"{{{ATOM}}}content", {"type": "text"}).text = b.body_zh if lang == "zh" else b.body_en
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8")


def _stamp(value: Any) -> str:
    return value.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
