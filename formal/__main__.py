"""``python -m formal``: prove every Z3 claim and confirm every CrossHair contract; exit 0 only if all hold.

Z3 claims (formal/z3_tax.py) run in this process. Each CrossHair contract (formal/crosshair_targets.py) runs in its
own ``crosshair check --analysis_kind=PEP316 --report_all`` subprocess, two at a time. CrossHair exits 0 when it
merely found no counterexample in time, so its report is parsed instead: a contract passes only if CrossHair prints
"Confirmed over all paths." for each of its ``post:`` lines and nothing else.

Tools in the report: ``z3`` (full model), ``z3+abp-lemmas`` (apply_basis_points abstracted by its proven lemmas,
see formal/z3_tax.py), ``crosshair`` (spec code as written), ``crosshair+uint-model`` (the fixed-width integer
constructors replaced by the model in formal/crosshair_uint_model.py, loaded with ``--extra_plugin``).

``--diagnose`` runs, without gating, the contracts CrossHair cannot confirm: the constructor-bound ones without the
uint model plugin, and formal.crosshair_targets.NOT_CLAIMED.
"""

from __future__ import annotations

import argparse
import inspect
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from formal import crosshair_targets, z3_bridge, z3_challenge, z3_rangers, z3_sequencing, z3_services, z3_tax
from formal.z3_tax import Outcome

REPO_ROOT = Path(__file__).resolve().parent.parent
PLUGIN = REPO_ROOT / "formal" / "crosshair_plugin.py"
CONFIRMED = "Confirmed over all paths."
PER_CONDITION_TIMEOUT = 20.0  # CPU seconds per post condition; the claimed ones need under 2
SUBPROCESS_TIMEOUT = 150.0
CROSSHAIR_HASH_SEED = "0"
Z3_TIMEOUT_MS = 30_000
REPORT_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+): (?P<kind>\w+): (?P<message>.*)$")


@dataclass(frozen=True)
class CrossHairJob:
    target: Callable[..., Any]
    with_uint_model: bool
    per_condition_timeout: float = PER_CONDITION_TIMEOUT

    @property
    def tool(self) -> str:
        return "crosshair+uint-model" if self.with_uint_model else "crosshair"


def crosshair_command() -> list[str]:
    """The venv's ``crosshair`` script next to this interpreter, else ``python -m crosshair``."""
    script = Path(sys.executable).parent / "crosshair"
    return [str(script)] if script.exists() else [sys.executable, "-m", "crosshair"]


def post_condition_lines(target: Callable[..., Any]) -> list[int]:
    """The source line numbers of ``target``'s ``post:`` conditions: CrossHair reports one result per line."""
    source, first = inspect.getsourcelines(target)
    return [first + offset for offset, text in enumerate(source) if text.strip().startswith("post:")]


def run_crosshair(job: CrossHairJob) -> Outcome:
    name, started = job.target.__name__, time.perf_counter()
    command = [*crosshair_command(), "check"]
    if job.with_uint_model:  # --extra_plugin takes several files: keep it away from the target argument
        command += ["--extra_plugin", str(PLUGIN)]
    command += [
        "--analysis_kind=PEP316",
        "--report_all",
        f"--per_condition_timeout={job.per_condition_timeout}",
        f"{job.target.__module__}.{name}",
    ]
    python_path = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))
    # CrossHair's path exploration follows set and dict order, so a random hash seed makes "confirmed over all
    # paths" a matter of luck (seen: one seed in five never confirms compute_tax_four_brackets). A fixed seed makes
    # the gate's verdict reproducible.
    env = {**os.environ, "PYTHONPATH": python_path, "PYTHONHASHSEED": CROSSHAIR_HASH_SEED}
    try:
        done = subprocess.run(
            command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT
        )
    except subprocess.TimeoutExpired:
        return Outcome(name, job.tool, False, "TIMEOUT", time.perf_counter() - started, f"> {SUBPROCESS_TIMEOUT}s")
    seconds = time.perf_counter() - started
    result, detail = judge_report(job.target, done.returncode, done.stdout, done.stderr)
    return Outcome(name, job.tool, result == "confirmed", result, seconds, detail)


def judge_report(target: Callable[..., Any], returncode: int, stdout: str, stderr: str) -> tuple[str, str]:
    """("confirmed", "") only if every post line of ``target`` is reported confirmed and nothing else is reported."""
    expected = post_condition_lines(target)
    if not expected:
        return "ERROR", "target has no post: condition"
    source_file = Path(inspect.getsourcefile(target) or "").resolve()
    reports: dict[int, str] = {}
    others: list[str] = []
    for raw in filter(None, map(str.strip, stdout.splitlines())):
        match = REPORT_LINE.match(raw)
        if match and Path(match["path"]).resolve() == source_file and int(match["line"]) in expected:
            reports[int(match["line"])] = f"{match['kind']}: {match['message']}"
        else:
            others.append(raw)
    if returncode not in (0, 1) or not (reports or others):
        tail = (stderr.strip().splitlines() or ["(no output)"])[-1]
        return "ERROR", f"crosshair exit {returncode}: {tail}"
    problems = [f"line {line}: {reports.get(line, 'no report')}" for line in expected]
    problems = [text for text, line in zip(problems, expected) if reports.get(line) != f"info: {CONFIRMED}"]
    problems += others
    refuted = any(report.startswith("error") for report in reports.values()) or any(": error:" in o for o in others)
    if returncode == 1 or refuted:
        return "COUNTEREXAMPLE", "; ".join(problems)
    if problems:
        return "NOT CONFIRMED", "; ".join(problems)
    return "confirmed", ""


def print_outcome(outcome: Outcome) -> None:
    print(f"{outcome.name:<56} {outcome.tool:<21} {outcome.result:<14} {outcome.seconds:6.2f}s", flush=True)
    if outcome.detail:
        print(f"    {outcome.detail}", flush=True)


def run_crosshair_jobs(jobs: Sequence[CrossHairJob], workers: int) -> list[Outcome]:
    outcomes: list[Outcome] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for outcome in pool.map(run_crosshair, jobs):
            print_outcome(outcome)
            outcomes.append(outcome)
    return outcomes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m formal", description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--jobs", type=int, default=2, help="CrossHair subprocesses run at once (default 2)")
    parser.add_argument("--diagnose", action="store_true", help="run the unconfirmable contracts; never gates")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    if args.diagnose:
        print("formal --diagnose: contracts NOT claimed by the gate (expected: NOT CONFIRMED)", flush=True)
        timeout = 10.0
        jobs = [CrossHairJob(target, False, timeout) for target in crosshair_targets.WITH_UINT_MODEL]
        jobs += [CrossHairJob(target, False, timeout) for target in crosshair_targets.NOT_CLAIMED]
        run_crosshair_jobs(jobs, args.jobs)
        print(f"formal --diagnose: done in {time.perf_counter() - started:.1f}s (informational, exit 0)")
        return 0

    outcomes: list[Outcome] = []
    modules = (z3_tax, z3_sequencing, z3_bridge, z3_challenge, z3_rangers, z3_services)
    for claim in [claim for module in modules for claim in module.CLAIMS]:
        outcome = z3_tax.prove(claim, Z3_TIMEOUT_MS)
        print_outcome(outcome)
        outcomes.append(outcome)
    jobs = [CrossHairJob(target, False) for target in crosshair_targets.AS_WRITTEN]
    jobs += [CrossHairJob(target, True) for target in crosshair_targets.WITH_UINT_MODEL]
    outcomes += run_crosshair_jobs(jobs, args.jobs)

    print("legend: z3+abp-lemmas = apply_basis_points abstracted by its proven lemmas; crosshair+uint-model = uint")
    print("        constructors modelled (formal/crosshair_uint_model.py), everything else run as written")
    failed = [outcome.name for outcome in outcomes if not outcome.proven]
    elapsed = time.perf_counter() - started
    print(f"formal: {len(outcomes) - len(failed)}/{len(outcomes)} claims proven in {elapsed:.1f}s", flush=True)
    if failed:
        print(f"formal: FAILED: {', '.join(failed)}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
