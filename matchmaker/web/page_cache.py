"""Rendered market-view pages kept for a few seconds, per organisation, language and filters.

Fifty people reading the market ask for the same few pages many times a second, and each one
costs the server 10-15 ms of queries and templates. The market body (filters, count, table,
pager) holds nothing but anonymous rows, yet it leaves out the viewer's own organisation's
listings, so a page is kept per viewing organisation (all staff share one: they see every
organisation's rows), per language, per filter and page, per day and per page size, and never
for another key.

Freshness: any change to offers, demands or products in this process (a flush or an ORM
``UPDATE``/``DELETE``) drops every kept page at once; a change made by another gunicorn worker
or process shows after at most ``MARKET_CACHE_SECONDS`` (default 5; 0 turns the cache off).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction

from matchmaker.models import Demand, Offer, Product

DEFAULT_SECONDS = 5.0
MAX_ENTRIES = 2048
WATCHED = (Offer, Demand, Product)

# Bumped on every change to a watched table in this process; pages kept under an older
# generation are never served. Module-wide, so a change seen by any app's session counts.
_generation = itertools.count(1)
_current = next(_generation)


def _bump() -> None:
    global _current
    _current = next(_generation)


class PageCache:
    """Rendered pages by key, each for ``seconds`` and only within one generation of the data."""

    def __init__(self, seconds: float, max_entries: int = MAX_ENTRIES) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._pages: dict[Hashable, tuple[float, int, str]] = {}
        self._lock = threading.Lock()

    def get_or_render(self, key: Hashable, render: Callable[[], str]) -> str:
        if self.seconds <= 0:
            return render()
        now = time.monotonic()
        kept = self._pages.get(key)
        if kept is not None and kept[0] > now and kept[1] == _current:
            return kept[2]
        generation = _current  # read before rendering: a change meanwhile makes the page stale
        page = render()
        with self._lock:
            if len(self._pages) >= self.max_entries:
                self._drop_stale(now)
            self._pages[key] = (now + self.seconds, generation, page)
        return page

    def _drop_stale(self, now: float) -> None:
        for key in [k for k, (until, gen, _) in self._pages.items() if until <= now or gen != _current]:
            del self._pages[key]
        while len(self._pages) >= self.max_entries:
            del self._pages[next(iter(self._pages))]


def market_cache(app: Flask) -> PageCache:
    """The app's own cache (tests make many apps in one process, each with its own database)."""
    cache = app.extensions.get("market_page_cache")
    if cache is None:
        cache = PageCache(float(app.config.get("MARKET_CACHE_SECONDS", DEFAULT_SECONDS)))
        app.extensions["market_page_cache"] = cache
    return cache  # type: ignore[no-any-return]


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    if any(isinstance(obj, WATCHED) for obj in itertools.chain(session.new, session.dirty, session.deleted)):
        session.info["market_changed"] = True
        _bump()


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    # Again at commit: a page rendered between the flush and the commit still showed the old rows.
    if session.info.pop("market_changed", False):
        _bump()


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous: Any) -> None:
    session.info.pop("market_changed", None)


@event.listens_for(Session, "do_orm_execute")
def _bulk_change(state: Any) -> None:
    if (state.is_update or state.is_delete) and state.bind_mapper is not None \
            and state.bind_mapper.class_ in WATCHED:
        state.session.info["market_changed"] = True
        _bump()
