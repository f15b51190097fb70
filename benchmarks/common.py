"""Timing helpers: the median of repeats, so one slow run (a GC pause, a busy core) does not decide a ratio."""

from __future__ import annotations

import statistics
import time
from typing import Callable


def median_seconds(action: Callable[[], object], repeats: int = 5) -> float:
    action()  # warm-up: caches, lazy imports and the allocator settle before anything is timed
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def interleaved_cpu_seconds(actions: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """The least CPU time (``time.process_time``) each action took over ``repeats`` rounds, the actions run in turn
    in every round after one warm-up each.

    For a machine shared with other work: CPU time does not count the time another process holds the core, running
    the actions in turn exposes them to the same load, and the least of many runs is the one least disturbed (load
    only ever adds time). A ratio of two such minimums moved by a few percent between sessions where medians of
    wall-clock time moved by 15 %.
    """
    for action in actions.values():
        action()
    best = {name: float("inf") for name in actions}
    for _ in range(repeats):
        for name, action in actions.items():
            started = time.process_time()
            action()
            best[name] = min(best[name], time.process_time() - started)
    return best
