"""Progress while a solve runs: what the engines log, turned into `Progress` in CNY, at most once a
`SolveOptions.progress_interval`, on a thread of its own.

The engines call back from inside their solve loop; the caller's callback may write to a database.
So engine lines only update a snapshot under a lock, and a separate thread hands the snapshot on,
once an interval: a slow or failing callback can neither stall an engine nor fail the solve. The
thread reports even when no engine has said anything new (the simplex logs every 5 s only), so a
watcher sees the phase and the elapsed time move. The last report is the result's own figures.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable

from .progress_log import Observation, parser_for
from .result import Progress, Result

log = logging.getLogger(__name__)

# Outcomes whose objective is not a surplus reached (see Result.status).
_NO_OBJECTIVE = ("infeasible", "no_solution")


class ProgressTracker:
    """One solve's progress. `phase` is the path ("lp" or "mip"); engines add what they are doing
    ("mip: search"). Objectives are best-so-far on a MIP (every incumbent and every bound is
    proven, the portfolio's members included) and latest-so-far on an LP (iterates close in on
    the optimum from both sides)."""

    def __init__(self, callback: Callable[[Progress], None], started: float, phase: str,
                 interval: float = 1.0) -> None:
        self.callback = callback
        self.started = started
        self.phase = phase
        self.interval = interval
        self._lock = threading.Lock()
        self._stage: str | None = None
        self._objective: float | None = None
        self._bound: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failed = False

    # -- from the engines ---------------------------------------------------------------------

    def observe(self, objective: float | None = None, bound: float | None = None,
                stage: str | None = None, best: bool = True) -> None:
        """Record figures in CNY; with `best`, keep the highest objective and lowest bound seen."""
        with self._lock:
            if stage is not None:
                self._stage = stage
            if objective is not None:
                keep = best and self._objective is not None and self._objective >= objective
                self._objective = self._objective if keep else objective
            if bound is not None:
                keep = best and self._bound is not None and self._bound <= bound
                self._bound = self._bound if keep else bound

    def listener(self, engine: str, scale: float, mip: bool) -> Callable[[list[str]], None] | None:
        """A MathOpt message callback for one solve by `engine` (branch and bound with `mip`);
        `scale` takes the engine's objective to CNY. None for an engine whose log is not
        understood."""
        parser = parser_for(engine, mip)
        if parser is None:
            return None

        def on_lines(lines: list[str]) -> None:
            for line in lines:
                try:
                    seen: Observation | None = parser.parse(line)
                except Exception:  # a line in an unforeseen shape: no figures from it, same solve
                    log.debug("unparsed %s log line %r", engine, line, exc_info=True)
                    continue
                if seen is not None:
                    self.observe(None if seen.objective is None else seen.objective * scale,
                                 None if seen.bound is None else seen.bound * scale,
                                 seen.stage, best=mip)

        return on_lines

    # -- to the caller ------------------------------------------------------------------------

    def snapshot(self) -> Progress:
        with self._lock:
            phase = self.phase if self._stage is None else f"{self.phase}: {self._stage}"
            objective, bound = self._objective, self._bound
        if objective is not None and bound is not None:
            bound = max(bound, objective)  # members' tolerances may cross by a hair
        return Progress(phase, time.perf_counter() - self.started, objective, bound)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="solver-progress", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._deliver(self.snapshot())

    def _deliver(self, progress: Progress) -> None:
        try:
            self.callback(progress)
        except Exception:
            if not self._failed:  # once per solve: the callback is likely to fail the same way
                log.warning("progress callback failed; the solve goes on", exc_info=True)
            self._failed = True

    def stop(self) -> None:
        """End the interval reports (idempotent); none is delivered after this returns."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def finish(self, result: Result) -> Result:
        """Report the result itself, last (after `stop`)."""
        self.stop()
        solved = result.status not in _NO_OBJECTIVE
        bound = result.bound if solved and math.isfinite(result.bound) else None
        # Read the clock again: an interval report may have come after the result's own reading.
        seconds = max(result.seconds, time.perf_counter() - self.started)
        self._deliver(Progress(self.phase, seconds, result.objective if solved else None, bound))
        return result
