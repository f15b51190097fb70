"""``mvm-spec conformance``: feed the vectors to a client over JSON lines and report how it did.

The client is started once. Each vector becomes one request line; the client must answer each with one line, in
order. A client that crashes, prints something that is not JSON, answers with the wrong id or stays silent past
the timeout is reported as such — the runner itself never hangs and never fails with a traceback.
"""

from __future__ import annotations

import hashlib
import json
import queue
import shlex
import subprocess
import tempfile
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from ..vectors.case import EXPECTED_PARTS, INPUT_PARTS

Status = Literal["passed", "failed", "unanswered"]


@dataclass(frozen=True)
class Vector:
    path: str  # relative to the vectors folder
    document: dict[str, Any]

    @property
    def runner(self) -> str:
        return str(self.document["_info"]["runner"])

    def request(self, request_id: int) -> dict[str, Any]:
        info = self.document["_info"]
        head = {"id": request_id, "fork": info["fork"], "preset": info["preset"], "runner": info["runner"]}
        inputs = {part: self.document[part] for part in INPUT_PARTS if part in self.document}
        return head | {"handler": info["handler"]} | inputs

    def expected(self) -> dict[str, Any]:
        return {part: self.document[part] for part in EXPECTED_PARTS if part in self.document}


@dataclass(frozen=True)
class Outcome:
    vector: Vector
    status: Status
    differences: tuple[str, ...] = ()
    trace_comparison: tuple[str, ...] = ()  # with --trace, for a failed state_transition vector: where it diverged


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    client_problem: str = ""  # why the client stopped answering, if it did
    client_stderr: str = ""

    def count(self, status: Status) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    def runners_never_answered(self) -> list[str]:
        runners = {outcome.vector.runner for outcome in self.outcomes}
        answered = {outcome.vector.runner for outcome in self.outcomes if outcome.status != "unanswered"}
        return sorted(runners - answered)


def find_repository_vectors(start: Path) -> Path | None:
    """``tests/vectors`` of the repository ``start`` is in (the nearest folder at or above it that has one with a
    manifest), so ``mvm-spec conformance`` finds the vectors from any folder of a checkout."""
    for folder in (start.resolve(), *start.resolve().parents):
        candidate = folder / "tests" / "vectors"
        if (candidate / "manifest.json").is_file():
            return candidate
    return None


def load_vectors(
    folder: Path, presets: list[str] | None = None, forks: list[str] | None = None, runners: list[str] | None = None
) -> list[Vector]:
    """The vectors the manifest lists (checked against their sha256), filtered, in manifest order."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    vectors = []
    for relative, digest in manifest["files"].items():
        preset, fork, runner = relative.split("/")[:3]
        if (presets and preset not in presets) or (forks and fork not in forks) or (runners and runner not in runners):
            continue
        raw = (folder / relative).read_bytes()
        if hashlib.sha256(raw).hexdigest() != digest:
            raise ValueError(f"{relative} does not match its sha256 in manifest.json (edited or corrupted vectors?)")
        vectors.append(Vector(relative, json.loads(raw)))
    return vectors


def diff_json(expected: Any, actual: Any, path: str) -> list[str]:
    """Readable differences: one ``path: expected X, got Y`` line per differing leaf."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        lines = []
        for key in expected:
            if key not in actual:
                lines.append(f"{path}.{key}: missing (expected {json.dumps(expected[key])})")
            else:
                lines += diff_json(expected[key], actual[key], f"{path}.{key}")
        lines += [f"{path}.{key}: unexpected (got {json.dumps(actual[key])})" for key in actual if key not in expected]
        return lines
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [line for index, pair in enumerate(zip(expected, actual)) for line in diff_json(*pair, f"{path}[{index}]")]
    if expected != actual or type(expected) is not type(actual):
        return [f"{path}: expected {json.dumps(expected)}, got {json.dumps(actual)}"]
    return []


def judge(vector: Vector, answer: dict[str, Any]) -> Outcome:
    """Compare one answer with what the vector expects."""
    if answer.get("unsupported") is True:
        return Outcome(vector, "unanswered")
    expected = vector.expected()
    if "protocol_error" in answer:
        return Outcome(vector, "failed", (f"client reported a protocol error: {answer['protocol_error']}",))
    if "crash" in answer:
        return Outcome(vector, "failed", (f"client crashed on a request that fits the schema: {answer['crash']}",))
    if "error" in expected:
        if "error" not in answer:
            got = {part: answer[part] for part in EXPECTED_PARTS if part in answer}
            return Outcome(vector, "failed", (f"error: expected {expected['error']}, got {json.dumps(got)}",))
        if answer["error"] != expected["error"]:
            return Outcome(vector, "failed", (f"error: expected {expected['error']}, got {answer['error']}",))
        return Outcome(vector, "passed")
    if "error" in answer:
        return Outcome(vector, "failed", (f"expected a result, got error {answer['error']}",))
    differences = [line for part in expected for line in diff_json(expected[part], answer.get(part), part)]
    return Outcome(vector, "failed" if differences else "passed", tuple(differences))


class ClientProcess:
    """A running client: send a line, wait (bounded) for the next line of its stdout."""

    def __init__(self, command: str, stderr_file: IO[bytes]) -> None:
        self.process = subprocess.Popen(
            shlex.split(command),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr_file,
            text=True,
            bufsize=1,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None  # set by Popen(stdout=PIPE)
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)  # end of output: the client exited or closed stdout

    def ask(self, request: dict[str, Any], timeout: float) -> str | None:
        """The client's next line, or None if it ended; raises TimeoutError if it stays silent."""
        return self.receive(timeout) if self.send(request) else None

    def send(self, request: dict[str, Any]) -> bool:
        """Write one request line; False if the client no longer reads."""
        assert self.process.stdin is not None  # set by Popen(stdin=PIPE)
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            return False
        return True

    def receive(self, timeout: float) -> str | None:
        """The client's next line, or None if it ended; raises TimeoutError if it stays silent."""
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError from None

    def stop(self) -> int | None:
        try:
            if self.process.stdin:
                self.process.stdin.close()
        except OSError:
            pass
        try:
            return self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def run_conformance(vectors: list[Vector], command: str, timeout: float = 10.0, trace: bool = False) -> Report:
    """Run ``vectors`` against the client ``command``; with ``trace``, also compare the client's trace of every
    failed ``state_transition`` vector with the spec's (asked as one more request, right after the vector's)."""
    report = Report()
    traced_request_ids = iter(range(len(vectors), 2 * len(vectors)))  # ids are unique in a run
    with tempfile.TemporaryFile() as stderr_file:
        try:
            client = ClientProcess(command, stderr_file)
        except OSError as error:
            report.client_problem = f"could not start client {command!r}: {error}"
            report.outcomes = [Outcome(vector, "unanswered") for vector in vectors]
            return report
        for request_id, vector in enumerate(vectors):
            if report.client_problem:
                report.outcomes.append(Outcome(vector, "unanswered"))
                continue
            try:
                line = client.ask(vector.request(request_id), timeout)
            except TimeoutError:
                report.client_problem = f"no answer within {timeout:g} s (to {vector.path}); client stopped"
                client.process.kill()
                report.outcomes.append(Outcome(vector, "failed", (report.client_problem,)))
                continue
            if line is None:
                report.client_problem = (
                    f"client exited with code {client.process.wait()} before answering {vector.path}"
                )
                report.outcomes.append(Outcome(vector, "unanswered"))
                continue
            outcome = _judge_line(vector, request_id, line)
            if trace and outcome.status == "failed" and vector.runner == "state_transition":
                comparison, report.client_problem = _compare_traced(client, vector, next(traced_request_ids), timeout)
                outcome = Outcome(vector, outcome.status, outcome.differences, comparison)
            report.outcomes.append(outcome)
        exit_code = client.stop()
        if not report.client_problem and exit_code not in (0, None):
            report.client_problem = f"client exited with code {exit_code} after answering"
        stderr_file.seek(0)
        report.client_stderr = stderr_file.read().decode(errors="replace")
    return report


def _compare_traced(
    client: ClientProcess, vector: Vector, request_id: int, timeout: float
) -> tuple[tuple[str, ...], str]:
    """Ask the client for its trace of ``vector``'s block, and compare it with the spec's: the report's lines, and
    the client's problem if it stopped answering (as for any request)."""
    from .client import answer  # the spec itself, in this process
    from .trace_comparison import compare_traces

    request = vector.request(request_id) | {"trace": True}
    try:
        line = client.ask(request, timeout)
    except TimeoutError:
        client.process.kill()
        problem = f"no answer within {timeout:g} s (to the traced request for {vector.path}); client stopped"
        return (f"trace: {problem}",), problem
    if line is None:
        problem = f"client exited with code {client.process.wait()} before answering the traced request"
        return (f"trace: {problem}",), problem
    try:
        client_answer = json.loads(line)
    except json.JSONDecodeError:
        return (f"trace: the answer to the traced request is not JSON: {line.strip()[:120]!r}",), ""
    if not isinstance(client_answer, dict) or client_answer.get("id") != request_id:
        return (f"trace: the answer to the traced request is not its answer: {line.strip()[:120]!r}",), ""
    spec_answer = answer(request)
    if "trace" not in spec_answer:
        return (f"trace: the spec rejects this block ({spec_answer.get('error')}): no spec trace to compare",), ""
    if "trace" not in client_answer:
        given = f"error {client_answer['error']}" if "error" in client_answer else "no trace"
        return (f"trace: the client gave {given} when asked for a trace (docs/protocol.md#traces)",), ""
    deposit_count = len(vector.document["input"]["block"]["deposits"])
    return compare_traces(spec_answer["trace"], client_answer["trace"], deposit_count).lines, ""


def _judge_line(vector: Vector, request_id: int, line: str) -> Outcome:
    try:
        answer = json.loads(line)
    except json.JSONDecodeError:
        return Outcome(vector, "failed", (f"answer is not JSON: {line.strip()[:120]!r}",))
    if not isinstance(answer, dict):
        return Outcome(vector, "failed", (f"answer is not a JSON object: {line.strip()[:120]!r}",))
    if answer.get("id") != request_id:
        return Outcome(vector, "failed", (f"answer has id {answer.get('id')!r}, expected {request_id}",))
    return judge(vector, answer)


def format_report(report: Report, max_differences: int = 10) -> str:
    statuses: tuple[Status, ...] = ("passed", "failed", "unanswered")
    per_runner: dict[str, Counter[str]] = {}
    for outcome in report.outcomes:
        per_runner.setdefault(outcome.vector.runner, Counter())[outcome.status] += 1
    width = max([len("runner"), *map(len, per_runner)])
    lines = [f"{'runner':<{width}}  {'passed':>8}  {'failed':>8}  {'unanswered':>10}"]
    for runner in sorted(per_runner):
        counts = per_runner[runner]
        lines.append(f"{runner:<{width}}  {counts['passed']:>8}  {counts['failed']:>8}  {counts['unanswered']:>10}")
    failures = [outcome for outcome in report.outcomes if outcome.status == "failed"]
    if failures:
        lines += ["", f"First differences ({min(len(failures), max_differences)} of {len(failures)} failed vectors):"]
        for outcome in failures[:max_differences]:
            lines.append(f"  {outcome.vector.path}")
            lines += [f"    {difference}" for difference in outcome.differences]
            lines += [f"    {line}" for line in outcome.trace_comparison]
    if report.client_problem:
        lines += ["", f"Client problem: {report.client_problem}"]
    if report.client_stderr.strip() and (failures or report.client_problem):
        tail = report.client_stderr.strip().splitlines()[-15:]
        lines += ["", "Client stderr (last lines):", *(f"  {line}" for line in tail)]
    never = report.runners_never_answered()
    if never:
        lines += ["", f"Runners the client never answered: {', '.join(never)}"]
    lines += ["", f"conformance: {report.count('passed')} passed, {report.count('failed')} failed, "
              f"{report.count('unanswered')} unanswered"]
    return "\n".join(lines)
