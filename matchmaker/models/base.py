"""Column helpers shared by the table modules."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Default factory for timestamps (aware, UTC): evaluated per row, never once at import."""
    return datetime.now(UTC)
