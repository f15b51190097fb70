"""Issue 11's timing goals: emitting every vector, and replaying every vector through the reference client.

Goals: ``mvm-spec vectors`` in under 3 minutes, and a full conformance replay (``mvm-spec conformance --client
"mvm-spec client"``, every vector of both presets and both forks) in under 1 minute. Each is run once as the
command a user types, in a subprocess, and timed by the wall clock (what the goal is about), with the machine's
load average beside it: the 2-core machine is shared, and a busy neighbour moves these times more than any change
of ours. The vectors are written to a temporary folder, so the repository's are left as they are.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOALS = {"vectors": 180.0, "replay": 60.0}  # seconds (issue 11)


def timed(command: list[str]) -> float:
    """Wall-clock seconds of ``command``, run from the repository's root; raises if it fails."""
    started = time.perf_counter()
    subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def vector_count() -> int:
    manifest = json.loads((REPO / "tests" / "vectors" / "manifest.json").read_text(encoding="utf-8"))
    return int(manifest["total"])


def run() -> list[str]:
    cli = [sys.executable, "-m", "mvm_spec.cli"]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        load = os.getloadavg()[0]
        out = Path(folder) / "vectors"
        emit = cli + ["vectors", "--cases", "tests/cases", "--out", str(out), "--formats-page", str(Path(folder) / "f.md")]
        rows.append(("vectors", "mvm-spec vectors (every case, both presets and forks)", timed(emit), load))
    load = os.getloadavg()[0]
    client = f"{sys.executable} -m mvm_spec.cli client"
    replay = cli + ["conformance", "--client", client, "--vectors", "tests/vectors", "--require-all"]
    rows.append(("replay", f"full replay through the reference client ({vector_count():,} vectors)", timed(replay), load))
    lines = ["vectors: issue 11's timing goals, wall clock of one run each (load = 1-minute load average before it)"]
    lines.append(f"  {'what':<62} {'seconds':>8} {'goal':>6} {'load':>5}")
    for key, what, seconds, load in rows:
        verdict = "met" if seconds <= GOALS[key] else "MISSED"
        lines.append(f"  {what:<62} {seconds:>8.1f} {GOALS[key]:>6.0f} {load:>5.2f}  {verdict}")
    return lines


if __name__ == "__main__":
    print("\n".join(run()))
