"""``mvm-spec fuzz``: live differential fuzzing of a client against the spec, over the conformance protocol.

For each runner and handler chosen, Hypothesis draws request inputs (from the strategies below: the tax, Merkle and
permission laws in tests/property/ draw from the same ones, decoded by the reference client's decoder, so each law
holds over what is fuzzed), the spec answers each in this process, and the client answers the same request over JSON
lines (docs/protocol.md). The first disagreement is shrunk by Hypothesis to a minimal request and printed as a
ready vector file, in the format of ``tests/vectors`` (its expected part is the spec's answer), so a client team
can add it to its own regression suite. The strategies reach beyond valid inputs on purpose: rejections are rules
too, and which error wins when two rules break is where ports differ.

A drawn request the spec itself crashes on (the reference client's ``crash`` answer: an exception that is no spec
error, on a request that fits the runner's schema) is a finding too, a leak in the spec, shrunk the same way with
no client involved; a drawn request outside the schema (a ``protocol_error``) is discarded.

Hypothesis comes with the project's development extra (``pip install mvm-spec[dev]``; ``make install`` has it).
"""

from __future__ import annotations

import json
import tempfile
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from hypothesis import HealthCheck, Phase, given, reject, seed, settings
from hypothesis import strategies as st

from .conformance.client import answer
from .conformance.runner import ClientProcess, Vector, judge, load_vectors
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
# Lists of Merkle leaves (tests/property/test_hub_laws.py draws its trees from these too).
leaf_lists = st.lists(hashes, max_size=40)


def merkle_root_inputs(spec: Any) -> st.SearchStrategy[dict[str, Any]]:
    return leaf_lists.map(lambda leaves: {"leaves": leaves})


def merkle_proof_inputs(spec: Any) -> st.SearchStrategy[dict[str, Any]]:
    return st.lists(hashes, max_size=20).flatmap(
        lambda leaves: st.integers(-1, len(leaves) + 1).map(lambda index: {"leaves": leaves, "index": index})
    )


# The pieces of permission requests (tests/property/test_permission_laws.py draws its charters, signers and actions
# from these too): a few signers, so that rules often name the signer asked about, and actions at the edges of the
# opcode range and the three non-opcode actions.
SIGNERS = [_hex(bytes([number]) * 20) for number in (1, 2, 3, 4)]
ACTIONS = [0x00, 0x55, 0xF0, 0xF1, 0xF5, 0xFF, 0x100, 0x101, 0x102, 0x103]
signer_texts = st.sampled_from(SIGNERS)
action_numbers = st.sampled_from(ACTIONS)
permission_rules = st.fixed_dictionaries(
    {
        "addresses": st.lists(signer_texts, max_size=3, unique=True),
        "operation": st.sampled_from([0, 1]),
        "action": action_numbers,
    }
)
permission_charters = st.lists(permission_rules, max_size=6).map(
    lambda rules: {
        "vision": "",
        "mission": "",
        "permissions": rules,
        "taxrates": [],
        "management_contract": _hex(bytes(20)),
        "tax_exempt": [],
    }
)


def permission_inputs(spec: Any) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"charter": permission_charters, "signer": signer_texts, "action": action_numbers})


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


# --- Every other handler: its own vectors, mutated -------------------------------------------------------------


def _mutations(value: Any) -> list[Any]:
    """The changes a port most often gets wrong, for one JSON value of a vector's input."""
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1, max(value - 1, 0), 0, 2**53 - 1]
    if isinstance(value, str) and value.isdecimal():
        number = int(value)
        return [str(n) for n in (number + 1, max(number - 1, 0), 0, 1, UINT64_MAX, UINT64_MAX + 1, UINT256_MAX, UINT256_MAX + 1)]
    if isinstance(value, str) and value.startswith("0x"):
        data = bytes.fromhex(value[2:]) if len(value) % 2 == 0 else b""
        flipped = data[:-1] + bytes([data[-1] ^ 0x01]) if data else b"\x01"
        return [_hex(flipped), _hex(data[:-1]), _hex(data + b"\x00"), _hex(bytes(len(data))), "0x"]
    if isinstance(value, str):
        return [value + "\u00e9", ""]
    if isinstance(value, list):
        return [value[1:], value[:-1], [*value, value[-1]], []] if value else [[]]
    return []


def _mutation_points(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths to every value of ``value`` that :func:`_mutations` can change (lists and leaves, not objects)."""
    points = [] if isinstance(value, dict) or value is None else [path]
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        items = ()
    for key, child in items:
        points += _mutation_points(child, (*path, key))
    return points


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy: Any = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replaced(value[path[0]], path[1:], new)
    return copy


@st.composite
def mutated_vector_parts(draw: st.DrawFn, documents: list[dict[str, Any]]) -> dict[str, Any]:
    """A request made from one of a handler's own vectors with one or two values of its ``input`` changed. Its
    ``pre`` is kept as it is: a state the spec reached (an unreachable state has no specified answer)."""
    document = draw(st.sampled_from(documents))
    parts = {part: document[part] for part in ("pre", "input") if part in document}
    for _ in range(draw(st.integers(1, 2))):
        points = [point for point in _mutation_points(parts["input"]) if _mutations(_value_at(parts["input"], point))]
        if not points:
            break
        point = draw(st.sampled_from(points))
        new = draw(st.sampled_from(_mutations(_value_at(parts["input"], point))))
        parts = parts | {"input": _replaced(parts["input"], point, new)}
    return parts


MAX_RECOMBINED_OPERATIONS = 8


@st.composite
def recombined_operations(draw: st.DrawFn, documents: list[dict[str, Any]]) -> dict[str, Any]:
    """A request of a runner that runs a list of operations (``input.operations``): one of its vectors' ``pre`` and
    a new list of up to MAX_RECOMBINED_OPERATIONS operations drawn from every operation its vectors run, in any
    order, repeated or left out, one of them possibly with a value changed. So the search reaches sequences no
    vector has (an exit before a lock increase, a second withdrawal, a deposit after a slash) from states the spec
    reached."""
    document = draw(st.sampled_from(documents))
    pool = [operation for other in documents for operation in other["input"]["operations"]]
    operations = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=MAX_RECOMBINED_OPERATIONS))
    if draw(st.booleans()):
        position = draw(st.integers(0, len(operations) - 1))
        changed = draw(mutated_vector_parts([{"input": operations[position]}]))["input"]
        operations = [*operations[:position], changed, *operations[position + 1 :]]
    parts = {part: document[part] for part in ("pre",) if part in document}
    return parts | {"input": {**document["input"], "operations": operations}}


def _value_at(value: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


def vector_targets(folder: Path | None, fork: str, preset: str) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Every handler with vectors in ``folder`` (of ``fork`` and ``preset``), with its vector documents."""
    if folder is None:
        return {}
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for vector in load_vectors(folder, presets=[preset], forks=[fork]):
        grouped.setdefault((vector.runner, vector.document["_info"]["handler"]), []).append(vector.document)
    return grouped


def request_parts(
    spec: Any, runner: str, handler: str, documents: list[dict[str, Any]] | None
) -> st.SearchStrategy[dict[str, Any]]:
    """The strategy of requests for one handler: drawn from its strategy where it has one, else its own vectors."""
    if (runner, handler) in TARGETS:
        return TARGETS[(runner, handler)](spec).map(lambda drawn: {"input": drawn})
    if not documents:
        raise KeyError(f"{runner}/{handler} has no strategy and no vectors to mutate")
    if all(isinstance(document["input"].get("operations"), list) for document in documents):
        return st.one_of(mutated_vector_parts(documents), recombined_operations(documents))
    return mutated_vector_parts(documents)


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
    discarded: int = 0  # drawn requests outside the format, which the spec's handler cannot read
    differences: tuple[str, ...] = ()
    vector: dict[str, Any] | None = None  # the minimal disagreement, as a vector file
    spec_crash: str = ""  # the spec's own crash on a schema-valid request (a leak), shrunk
    crash_request: dict[str, Any] | None = None  # that minimal request, as the runner sends it

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

    @property
    def spec_crashes(self) -> list[TargetResult]:
        return [result for result in self.results if result.crash_request is not None]


class _Disagreement(Exception):
    pass


class Unreadable(ValueError):
    """A drawn request the spec's handler cannot read: outside the format, so no client owes it an answer."""


class SpecCrash(Exception):
    """A drawn request that fits the runner's schema and on which the spec raised an exception that is no spec
    error (the reference client's ``crash`` answer): a leak in the spec, not a client's fault."""

    def __init__(self, request: dict[str, Any], crash: str) -> None:
        super().__init__(crash)
        self.request, self.crash = request, crash


def reference_vector(fork: str, preset: str, runner: str, handler: str, parts: dict[str, Any]) -> Vector:
    """The vector the spec makes of one request (its ``input``, and ``pre`` where the runner has state) with the
    spec's own answer as the expected part."""
    head = {"id": 0, "fork": fork, "preset": preset, "runner": runner, "handler": handler}
    reply = json.loads(json.dumps(answer(head | parts)))  # as a file holds it: spec integer types become plain ints
    if "crash" in reply:
        raise SpecCrash(head | parts, reply["crash"])
    expected = {part: reply[part] for part in ("output", "post", "error") if part in reply}
    if not expected:
        raise Unreadable(f"the reference client did not answer {runner}/{handler}: {reply}")
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
    document = {"_info": info} | {part: parts[part] for part in ("pre", "input") if part in parts} | expected
    return Vector(f"{preset}/{fork}/{runner}/{handler}/fuzz_{handler}.json", document)


def fuzz(
    command: str,
    targets: list[tuple[str, str]],
    examples: int = 200,
    random_seed: int = 0,
    fork: str = "v1",
    preset: str = "minimal",
    timeout: float = 10.0,
    vectors: Path | None = None,
) -> FuzzReport:
    """Fuzz the client ``command`` on each target; stop a target at its first disagreement, shrunk. A target without
    a strategy of its own is fuzzed with its vectors in ``vectors``, mutated."""
    spec = load_spec(fork, preset)
    documents = vector_targets(vectors, fork, preset)
    strategies = {target: request_parts(spec, *target, documents.get(target)) for target in targets}
    report = FuzzReport()
    with tempfile.TemporaryFile() as stderr_file:
        client = ClientProcess(command, stderr_file)
        run = _Run(client, fork, preset, examples, random_seed, timeout)
        try:
            for runner, handler in targets:
                result = TargetResult(runner, handler)
                report.results.append(result)
                _fuzz_target(run, strategies[(runner, handler)], result)
                if result.differences and result.vector is None:  # the client stopped answering
                    report.client_problem = result.differences[0]
                    break
        finally:
            client.stop()
    return report


@dataclass(frozen=True)
class _Run:
    """One fuzzing session's client and settings, the same for every target."""

    client: ClientProcess
    fork: str
    preset: str
    examples: int
    random_seed: int
    timeout: float


# Requests in flight while searching: the client answers on the other core while the next inputs are drawn.
PIPELINE_DEPTH = 32


def _fuzz_target(run: _Run, strategy: st.SearchStrategy[dict[str, Any]], result: TargetResult) -> None:
    """Search with requests pipelined; on a disagreement, replay the same draws one at a time so Hypothesis shrinks."""
    started = time.perf_counter()
    try:
        try:
            found = _search(run, strategy, result)
        except SpecCrash as crash:
            minimal = _shrink_spec_crash(run, strategy, result) or crash
            result.spec_crash, result.crash_request = minimal.crash, minimal.request
            found = None
        if found is not None:
            vector, differences = _shrink(run, strategy, result) or found
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


def _readable_reference_vector(fork: str, preset: str, result: TargetResult, parts: dict[str, Any]) -> Vector:
    """The spec's vector of a drawn request; a request outside the format is discarded (Hypothesis draws another)."""
    try:
        return reference_vector(fork, preset, result.runner, result.handler, parts)
    except Unreadable:
        result.discarded += 1
        reject()


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


def _search(run: _Run, strategy: st.SearchStrategy[dict[str, Any]], result: TargetResult) -> tuple[Vector, tuple[str, ...]] | None:
    """The first disagreement among ``run.examples`` draws, not shrunk, with up to PIPELINE_DEPTH requests in flight."""
    client, fork, preset, timeout = run.client, run.fork, run.preset, run.timeout
    pending: deque[tuple[int, Vector]] = deque()
    found: list[tuple[Vector, tuple[str, ...]]] = []
    stopped: list[Exception] = []  # once the search stops, every later call (Hypothesis replays one) stops alike

    def settle_oldest() -> None:
        request_id, vector = pending.popleft()
        differences = _differences(client, request_id, vector, timeout)
        if differences:
            found.append((vector, differences))
            raise _Disagreement("; ".join(differences))

    @_hypothesis(run.examples, run.random_seed, (Phase.generate,))
    @given(strategy)
    def draw(parts: dict[str, Any]) -> None:
        if stopped:
            raise stopped[0]
        try:
            vector = _readable_reference_vector(fork, preset, result, parts)  # rejects a request outside the format
        except SpecCrash as crash:
            stopped.append(crash)
            raise
        try:
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
        if stopped and not isinstance(stopped[0], (_Disagreement, SpecCrash)):
            raise stopped[0] from None
    while pending:  # answers still owed for requests sent after the disagreement: read them to keep ids in step
        pending.popleft()
        if client.receive(timeout) is None:
            raise _ClientGone(f"client exited with code {client.process.wait()}")
    if stopped and isinstance(stopped[0], SpecCrash):
        raise stopped[0]
    return found[0] if found else None


def _shrink(run: _Run, strategy: st.SearchStrategy[dict[str, Any]], result: TargetResult) -> tuple[Vector, tuple[str, ...]] | None:
    """Replay the search's draws (same seed) one request at a time and let Hypothesis shrink the first failure."""
    client, fork, preset, timeout = run.client, run.fork, run.preset, run.timeout
    failing: list[tuple[Vector, tuple[str, ...]]] = []

    @_hypothesis(run.examples, run.random_seed, (Phase.generate, Phase.shrink))
    @given(strategy)
    def check(parts: dict[str, Any]) -> None:
        try:
            vector = _readable_reference_vector(fork, preset, result, parts)
        except SpecCrash:  # another finding than the disagreement being shrunk
            reject()
        differences = _differences(client, _send(client, result, vector), vector, timeout)
        if differences:
            failing.append((vector, differences))
            raise _Disagreement("; ".join(differences))

    try:
        check()
    except _Disagreement:
        return failing[-1]  # Hypothesis replays the minimal failing example last
    return None  # the client answered differently this time: the caller keeps the search's own example


def _shrink_spec_crash(run: _Run, strategy: st.SearchStrategy[dict[str, Any]], result: TargetResult) -> SpecCrash | None:
    """Replay the search's draws (same seed) through the spec alone and let Hypothesis shrink the first request it
    crashes on; the client is not asked."""
    crashes: list[SpecCrash] = []

    @_hypothesis(run.examples, run.random_seed, (Phase.generate, Phase.shrink))
    @given(strategy)
    def check(parts: dict[str, Any]) -> None:
        try:
            _readable_reference_vector(run.fork, run.preset, result, parts)
        except SpecCrash as crash:
            crashes.append(crash)
            raise

    try:
        check()
    except SpecCrash:
        return crashes[-1]  # Hypothesis replays the minimal failing example last
    return None


class _Unsupported(Exception):
    pass


class _ClientGone(Exception):
    pass


def format_fuzz_report(report: FuzzReport) -> str:
    lines = [f"{'target':<36} {'requests':>9} {'req/s':>8}  result"]
    for result in report.results:
        if result.unsupported:
            verdict = "unsupported by the client"
        elif result.crash_request is not None:
            verdict = f"SPEC CRASHES: {result.spec_crash}"
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
        lines.append(json.dumps(result.vector, indent=2, ensure_ascii=True))  # as the files: a lone surrogate prints
    for result in report.spec_crashes:
        lines.append(
            f"\nminimal request that fits the {result.runner} schema and crashes the spec itself "
            f"({result.spec_crash}), as the runner sends it:"
        )
        lines.append(json.dumps(result.crash_request, ensure_ascii=True))
    if report.client_problem:
        lines.append(f"\nclient problem: {report.client_problem}")
    return "\n".join(lines)
