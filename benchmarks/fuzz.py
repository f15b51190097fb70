"""The fuzzer's request rate against the reference client, beside the raw call rate of the spec function.

A fuzzed request costs a Hypothesis draw, the spec's own answer in process, and a round trip through the client
over JSON lines (the reference client, `mvm-spec client`, in a subprocess). Goal (issue 11): >= 500 requests per
second on the cheap runners (tax, merkle).
"""

from __future__ import annotations

import sys
import time

from mvm_spec.forks.v1 import minimal as spec
from mvm_spec.fuzz import fuzz

REFERENCE = f"{sys.executable} -m mvm_spec.cli client"


def raw_rate(call: object, count: int = 2000) -> float:
    started = time.perf_counter()
    for _ in range(count):
        call()  # type: ignore[operator]
    return count / (time.perf_counter() - started)


def run() -> list[str]:
    report = fuzz(REFERENCE, [("tax", "compute_tax"), ("merkle", "root")], examples=2000)
    schedule = [
        spec.TaxBracket(spec.Wei(10**6), spec.BasisPoints(100)),
        spec.TaxBracket(spec.Wei(10**9), spec.BasisPoints(250)),
    ]
    leaves = [spec.Hash32(bytes([index]) * 32) for index in range(20)]
    raw = {
        ("tax", "compute_tax"): raw_rate(lambda: spec.compute_tax(spec.Wei(10**12), schedule)),
        ("merkle", "root"): raw_rate(lambda: spec.compute_merkle_root(leaves)),
    }
    lines = ["fuzz: requests per second against the reference client (2,000 drawn requests each)"]
    lines.append(f"  {'target':<20} {'fuzz req/s':>10} {'spec calls/s':>13}")
    for result in report.results:
        key = (result.runner, result.handler)
        lines.append(f"  {result.runner + '/' + result.handler:<20} {result.rate:>10.0f} {raw[key]:>13.0f}")
    return lines
