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
