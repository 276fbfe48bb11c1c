"""People browsing: each of N users asks for a page, reads it for a while, asks again.

wrk can pause between requests (a Lua ``delay``), but measured against the same server its
latencies were wrong in that mode (95th percentile 370 ms for a page this client times at 12 ms),
so the paced load is sent from here: one thread and one keep-alive connection per user, timing
each request from sending to the last byte, connection set-up included when the server closed it.
"""

from __future__ import annotations

import http.client
import math
import random
import threading
import time
import urllib.parse

from benchmarks.web_load import LoadResult
from benchmarks.web_server import USER_AGENT


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list (q in 0..100)."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), math.ceil(q / 100 * len(sorted_values))))
    return sorted_values[rank - 1]


def summarise(latencies_s: list[float], errors: int, seconds: float) -> LoadResult:
    ordered = sorted(latencies_s)
    ms = [value * 1000 for value in ordered]
    return LoadResult(
        requests=len(ordered) + errors, seconds=round(seconds, 2),
        rps=round((len(ordered) + errors) / seconds, 1) if seconds else 0.0,
        p50_ms=round(percentile(ms, 50), 3), p95_ms=round(percentile(ms, 95), 3),
        p99_ms=round(percentile(ms, 99), 3), max_ms=round(ms[-1], 3) if ms else 0.0, errors=errors,
    )


def run_users(
    url: str, cookie: str = "", users: int = 50, seconds: float = 20.0,
    think_s: tuple[float, float] = (0.5, 1.5), seed: int = 1,
) -> LoadResult:
    """``users`` people on ``url`` for ``seconds``; each waits uniform ``think_s`` between pages.

    Users start at random moments within the first pause, not all at once. Errors are answers
    other than 200 and failed connections.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.hostname != "127.0.0.1":
        raise ValueError(f"load is only sent to 127.0.0.1, not {url}")
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"User-Agent": USER_AGENT, **({"Cookie": cookie} if cookie else {})}
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start = time.monotonic()
    deadline = start + seconds

    def user(rng: random.Random) -> None:
        time.sleep(rng.uniform(0, think_s[1]))
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        while time.monotonic() < deadline:
            began = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                connection.close()
                ok = False
            took = time.perf_counter() - began
            with lock:
                if ok:
                    latencies.append(took)
                else:
                    errors[0] += 1
            time.sleep(rng.uniform(*think_s))
        connection.close()

    threads = [threading.Thread(target=user, args=(random.Random(seed * 1000 + n),), daemon=True)
               for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    return summarise(latencies, errors[0], time.monotonic() - start)
