"""``mvm-spec fuzz``: live differential fuzzing of a client against the spec, over the conformance protocol.

For each runner and handler chosen, Hypothesis draws request inputs (from the strategies below, which the property
tests draw from too), the spec answers each in this process, and the client answers the same request over JSON
lines (docs/protocol.md). The first disagreement is shrunk by Hypothesis to a minimal request and printed as a
ready vector file, in the format of ``tests/vectors`` (its expected part is the spec's answer), so a client team
can add it to its own regression suite. The strategies reach beyond valid inputs on purpose: rejections are rules
too, and which error wins when two rules break is where ports differ.

Hypothesis comes with the project's development extra (``pip install mvm-spec[dev]``; ``make install`` has it).
"""

from __future__ import annotations

import json
import tempfile
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from .conformance.client import answer
from .conformance.runner import ClientProcess, Vector, judge
from .forks import load_spec

UINT256_MAX = 2**256 - 1
UINT64_MAX = 2**64 - 1

# Amounts over the whole uint256 range, with the edges and small values a port gets wrong most often.
amounts = st.one_of(st.integers(0, UINT256_MAX), st.integers(0, 10**6), st.sampled_from([0, 1, 2**255, UINT256_MAX]))
# Tax rates in basis points: every valid one, and the edges.
rates = st.one_of(st.integers(0, 10_000), st.sampled_from([0, 1, 9_999, 10_000]))


@st.composite
def valid_brackets(draw: st.DrawFn, max_brackets: int) -> list[tuple[int, int]]:
    """A valid tax schedule: increasing thresholds, rates at most 100%."""
    thresholds = sorted(draw(st.sets(amounts, max_size=max_brackets)))
    return [(threshold, draw(rates)) for threshold in thresholds]


@st.composite
def any_brackets(draw: st.DrawFn, max_brackets: int) -> list[tuple[int, int]]:
    """A schedule that may break the rules: one bracket too many, thresholds out of order or equal, a rate over 100%."""
    if draw(st.booleans()):
        return draw(valid_brackets(max_brackets))
    size = draw(st.integers(0, max_brackets + 1))
    return [(draw(amounts), draw(st.one_of(rates, st.integers(10_001, 65_535)))) for _ in range(size)]


def _hex(data: bytes) -> str:
    return "0x" + data.hex()


def tax_inputs(spec: Any) -> st.SearchStrategy[dict[str, Any]]:
    schedules = any_brackets(int(spec.MAX_TAX_BRACKETS))
    return st.builds(
        lambda value, brackets: {
            "value": str(value),
            "schedule": [{"threshold": str(threshold), "rate_bps": rate} for threshold, rate in brackets],
        },
        amounts,
        schedules,
    )


hashes = st.binary(min_size=32, max_size=32).map(_hex)


def merkle_root_inputs(spec: Any) -> st.SearchStrategy[dict[str, Any]]:
    return st.lists(hashes, max_size=40).map(lambda leaves: {"leaves": leaves})


def merkle_proof_inputs(spec: Any) -> st.SearchStrategy[dict[str, Any]]:
    return st.lists(hashes, max_size=20).flatmap(
        lambda leaves: st.integers(-1, len(leaves) + 1).map(lambda index: {"leaves": leaves, "index": index})
    )


SIGNERS = [_hex(bytes([number]) * 20) for number in (1, 2, 3)]
ACTIONS = [0x00, 0x55, 0xF0, 0xF1, 0xF5, 0xFF, 0x100, 0x101, 0x102, 0x103]


def permission_inputs(spec: Any) -> st.SearchStrategy[dict[str, Any]]:
    rule = st.fixed_dictionaries(
        {
            "addresses": st.lists(st.sampled_from(SIGNERS), max_size=3, unique=True),
            "operation": st.sampled_from([0, 1]),
            "action": st.sampled_from(ACTIONS),
        }
    )
    charter = st.lists(rule, max_size=5).map(
        lambda rules: {
            "vision": "",
            "mission": "",
            "permissions": rules,
            "taxrates": [],
            "management_contract": _hex(bytes(20)),
            "tax_exempt": [],
        }
    )
    return st.fixed_dictionaries(
        {"charter": charter, "signer": st.sampled_from(SIGNERS), "action": st.sampled_from(ACTIONS)}
    )


def cid_inputs(spec: Any) -> st.SearchStrategy[dict[str, Any]]:
    layout = st.fixed_dictionaries({"chunk_size": st.integers(0, 9), "max_links": st.integers(1, 5)})
    with_layout = st.builds(lambda data, shape: {"data": _hex(data), "layout": shape}, st.binary(max_size=200), layout)
    default = st.binary(max_size=300).map(lambda data: {"data": _hex(data)})
    return st.one_of(with_layout, default)


def _cid_texts(spec: Any) -> st.SearchStrategy[str]:
    valid = st.binary(max_size=40).map(lambda data: spec.format_cid(spec.compute_cid(data)))
    alphabet = "abcdefghijklmnopqrstuvwxyz234567ABQm="

    def mutated(text: str, position: int, character: str, cut: bool) -> str:
        position %= len(text)
        return text[:position] if cut else text[:position] + character + text[position + 1 :]

    changed = st.builds(mutated, valid, st.integers(0, 80), st.sampled_from(alphabet), st.booleans())
    return st.one_of(valid, changed, st.text(alphabet, max_size=70))


def parse_cid_inputs(spec: Any) -> st.SearchStrategy[dict[str, Any]]:
    return _cid_texts(spec).map(lambda text: {"text": text})


def shuffle_inputs(spec: Any) -> st.SearchStrategy[dict[str, Any]]:
    return st.integers(0, 70).flatmap(
        lambda count: st.fixed_dictionaries(
            {"index": st.integers(-1, count + 1), "count": st.just(count), "seed": hashes}
        )
    )


# (runner, handler) -> the strategy of a request's "input" part, given the spec module it is drawn for.
TARGETS: dict[tuple[str, str], Callable[[Any], st.SearchStrategy[dict[str, Any]]]] = {
    ("tax", "compute_tax"): tax_inputs,
    ("merkle", "root"): merkle_root_inputs,
    ("merkle", "proof"): merkle_proof_inputs,
    ("permissions", "is_action_permitted"): permission_inputs,
    ("selection", "compute_shuffled_index"): shuffle_inputs,
    ("storage", "cid"): cid_inputs,
    ("storage", "parse_cid"): parse_cid_inputs,
}


@dataclass
class TargetResult:
    runner: str
    handler: str
    requests: int = 0
    seconds: float = 0.0
    unsupported: bool = False
    differences: tuple[str, ...] = ()
    vector: dict[str, Any] | None = None  # the minimal disagreement, as a vector file

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class FuzzReport:
    results: list[TargetResult] = field(default_factory=list)
    client_problem: str = ""

    @property
    def disagreements(self) -> list[TargetResult]:
        return [result for result in self.results if result.vector is not None]


class _Disagreement(Exception):
    pass


def reference_vector(fork: str, preset: str, runner: str, handler: str, given: dict[str, Any]) -> Vector:
    """The vector the spec makes of one request: its input and the spec's own answer as the expected part."""
    reply = answer({"id": 0, "fork": fork, "preset": preset, "runner": runner, "handler": handler, "input": given})
    expected = {part: reply[part] for part in ("output", "post", "error") if part in reply}
    if not expected:  # an input the spec's handler cannot even read: a strategy bug, not a client's
        raise ValueError(f"the reference client did not answer {runner}/{handler}: {reply}")
    info = {
        "spec_version": "0.1.0",
        "fork": fork,
        "preset": preset,
        "runner": runner,
        "handler": handler,
        "case": f"fuzz_{handler}",
        "generator": "mvm-spec fuzz",
        "description": "",
    }
    return Vector(f"{preset}/{fork}/{runner}/{handler}/fuzz_{handler}.json", {"_info": info, "input": given} | expected)


def fuzz(
    command: str,
    targets: list[tuple[str, str]],
    examples: int = 200,
    random_seed: int = 0,
    fork: str = "v1",
    preset: str = "minimal",
    timeout: float = 10.0,
) -> FuzzReport:
    """Fuzz the client ``command`` on each target; stop a target at its first disagreement, shrunk."""
    spec = load_spec(fork, preset)
    report = FuzzReport()
    with tempfile.TemporaryFile() as stderr_file:
        client = ClientProcess(command, stderr_file)
        try:
            for runner, handler in targets:
                result = TargetResult(runner, handler)
                report.results.append(result)
                _fuzz_target(client, spec, result, fork, preset, examples, random_seed, timeout)
                if result.differences and result.vector is None:  # the client stopped answering
                    report.client_problem = result.differences[0]
                    break
        finally:
            client.stop()
    return report


# Requests in flight while searching: the client answers on the other core while the next inputs are drawn.
PIPELINE_DEPTH = 32


def _fuzz_target(
    client: ClientProcess,
    spec: Any,
    result: TargetResult,
    fork: str,
    preset: str,
    examples: int,
    random_seed: int,
    timeout: float,
) -> None:
    """Search with requests pipelined; on a disagreement, replay the same draws one at a time so Hypothesis shrinks."""
    started = time.perf_counter()
    try:
        found = _search(client, spec, result, fork, preset, examples, random_seed, timeout)
        if found is not None:
            vector, differences = _shrink(client, spec, result, fork, preset, examples, random_seed, timeout) or found
            document = dict(vector.document)
            document["_info"] = document["_info"] | {"description": f"Found by mvm-spec fuzz: {differences[0]}"}
            result.differences, result.vector = differences, document
    except _Unsupported:
        result.unsupported = True
    except (_ClientGone, TimeoutError, json.JSONDecodeError) as error:
        result.differences = (f"client stopped answering properly: {error or type(error).__name__}",)
    result.seconds = time.perf_counter() - started


def _hypothesis(examples: int, random_seed: int, phases: tuple[Phase, ...]) -> Callable[[Any], Any]:
    def decorate(test: Any) -> Any:
        configured = settings(
            max_examples=examples,
            database=None,
            deadline=None,
            phases=phases,
            suppress_health_check=list(HealthCheck),
        )(test)
        return seed(random_seed)(configured)

    return decorate


def _differences(client: ClientProcess, request_id: int, vector: Vector, timeout: float) -> tuple[str, ...]:
    """Read the client's answer to ``request_id`` and compare it with the spec's; () when they agree."""
    line = client.receive(timeout)
    if line is None:
        raise _ClientGone(f"client exited with code {client.process.wait()}")
    reply = json.loads(line)
    if reply.get("unsupported") is True:
        raise _Unsupported
    if reply.get("id") != request_id:
        raise _ClientGone(f"answer has id {reply.get('id')!r}, expected {request_id}")
    outcome = judge(vector, reply)
    return outcome.differences if outcome.status == "failed" else ()


def _send(client: ClientProcess, result: TargetResult, vector: Vector) -> int:
    result.requests += 1
    if not client.send(vector.request(result.requests)):
        raise _ClientGone(f"client exited with code {client.process.wait()}")
    return result.requests


def _search(
    client: ClientProcess,
    spec: Any,
    result: TargetResult,
    fork: str,
    preset: str,
    examples: int,
    random_seed: int,
    timeout: float,
) -> tuple[Vector, tuple[str, ...]] | None:
    """The first disagreement among ``examples`` draws, not shrunk, with up to PIPELINE_DEPTH requests in flight."""
    pending: deque[tuple[int, Vector]] = deque()
    found: list[tuple[Vector, tuple[str, ...]]] = []
    stopped: list[Exception] = []  # once the search stops, every later call (Hypothesis replays one) stops alike

    def settle_oldest() -> None:
        request_id, vector = pending.popleft()
        differences = _differences(client, request_id, vector, timeout)
        if differences:
            found.append((vector, differences))
            raise _Disagreement("; ".join(differences))

    @_hypothesis(examples, random_seed, (Phase.generate,))
    @given(TARGETS[(result.runner, result.handler)](spec))
    def draw(given_input: dict[str, Any]) -> None:
        if stopped:
            raise stopped[0]
        try:
            vector = reference_vector(fork, preset, result.runner, result.handler, given_input)
            pending.append((_send(client, result, vector), vector))
            if len(pending) > PIPELINE_DEPTH:
                settle_oldest()
        except Exception as error:
            stopped.append(error)
            raise

    try:
        draw()
        while pending:
            settle_oldest()
    except Exception:
        if not stopped and not found:
            raise
        if stopped and not isinstance(stopped[0], _Disagreement):
            raise stopped[0] from None
    while pending:  # answers still owed for requests sent after the disagreement: read them to keep ids in step
        pending.popleft()
        if client.receive(timeout) is None:
            raise _ClientGone(f"client exited with code {client.process.wait()}")
    return found[0] if found else None


def _shrink(
    client: ClientProcess,
    spec: Any,
    result: TargetResult,
    fork: str,
    preset: str,
    examples: int,
    random_seed: int,
    timeout: float,
) -> tuple[Vector, tuple[str, ...]] | None:
    """Replay the search's draws (same seed) one request at a time and let Hypothesis shrink the first failure."""
    failing: list[tuple[Vector, tuple[str, ...]]] = []

    @_hypothesis(examples, random_seed, (Phase.generate, Phase.shrink))
    @given(TARGETS[(result.runner, result.handler)](spec))
    def check(given_input: dict[str, Any]) -> None:
        vector = reference_vector(fork, preset, result.runner, result.handler, given_input)
        differences = _differences(client, _send(client, result, vector), vector, timeout)
        if differences:
            failing.append((vector, differences))
            raise _Disagreement("; ".join(differences))

    try:
        check()
    except _Disagreement:
        return failing[-1]  # Hypothesis replays the minimal failing example last
    return None  # the client answered differently this time: the caller keeps the search's own example


class _Unsupported(Exception):
    pass


class _ClientGone(Exception):
    pass


def format_fuzz_report(report: FuzzReport) -> str:
    lines = [f"{'target':<36} {'requests':>9} {'req/s':>8}  result"]
    for result in report.results:
        if result.unsupported:
            verdict = "unsupported by the client"
        elif result.vector is not None:
            verdict = f"DISAGREES: {result.differences[0]}"
        elif result.differences:
            verdict = result.differences[0]
        else:
            verdict = "agrees"
        name = f"{result.runner}/{result.handler}"
        lines.append(f"{name:<36} {result.requests:>9} {result.rate:>8.0f}  {verdict}")
    for result in report.disagreements:
        lines.append(f"\nminimal disagreement on {result.runner}/{result.handler}, as a vector file:")
        lines.append(json.dumps(result.vector, indent=2, ensure_ascii=False))
    if report.client_problem:
        lines.append(f"\nclient problem: {report.client_problem}")
    return "\n".join(lines)
