"""Redirect targets taken from user input stay on this site."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None, default: str) -> str:
    """``target`` when it is a local path (``/offers?page=2``); ``default`` for anything else.

    Refuses absolute URLs, scheme-relative ``//host``, backslash tricks and control characters.
    """
    if not target or len(target) > 500:
        return default
    if any(ord(ch) < 32 for ch in target) or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
