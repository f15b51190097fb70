"""``mvm-spec mutants``: mutation testing of the vector suite (issue 11).

The house rule is that a vector suite which lets a mutated rule pass is missing a vector. This module makes
single-point mutants of the functions of a rendered spec module, replays against each mutant the vectors that reach
its function through the reference client (in process: the mutated function's code object is swapped in place, so
every caller, at any depth, runs it), and stops at the first vector whose answer differs. A mutant no vector tells
apart from the spec is a survivor: either a vector is missing, or the mutant is equivalent (no input tells it
apart), which ``tests/vectors/MUTANTS.md`` must then say, with why.

The mutation operators, each applied at one point of a function body:

=============  =================================================================================================
``compare``    a comparison's operator moved across its boundary (``<`` and ``<=``, ``>`` and ``>=``) or negated
               (``<`` and ``>=``, ``>`` and ``<=``, ``==`` and ``!=``, ``in`` and ``not in``, ``is`` and ``is not``)
``arithmetic`` ``+`` and ``-`` swapped; ``*`` to ``//`` and back; ``%`` to ``//``; ``**`` to ``*``; ``<<`` and ``>>``
               swapped; ``&`` to ``|``, ``|`` to ``&``, ``^`` to ``|`` (augmented assignments too)
``constant``   an integer literal plus and minus one (zero only plus one); ``True`` and ``False`` swapped
``boolean``    ``and`` and ``or`` swapped
``not``        a ``not`` dropped
``call``       ``min`` and ``max`` swapped, ``any`` and ``all`` swapped
``return``     the returned value replaced: negated in a function returning ``bool``, ``None`` in one returning
               ``Optional[...]``, and in a function returning the type of one of its parameters, that parameter
               (a transition that changes nothing)
``raise``      a ``raise`` removed (the rule no longer rejects anything)
``condition``  the condition of an ``if`` whose block ends in a ``raise`` negated (only where ``compare`` or ``not``
               do not already make that mutant)
``loop``       ``break`` and ``continue`` swapped
=============  =================================================================================================

Error messages (f-strings and a raise's arguments), annotations and string literals are left alone: no client is
judged on them. A mutant that makes the spec raise something other than a spec error (a crash, such as adding
bytes to an int), or that runs past the time bound, counts as killed but is reported apart.

A mutant is a change to a definition's text, so it is applied to every rendered module holding that text: a v1
definition to both presets' modules and, unless v2 modifies it, to v2's too; the vectors of all of them hunt it.
The presets' modules differ only in their constants, and some rules are pinned only where a preset makes them
reachable (mainnet's deposits may carry 49,152 bytes of init code, minimal's cannot), so both presets take part;
the cost is small, since most mutants die on their first few vectors.
"""

from __future__ import annotations

import __future__
import ast
import copy
import json
import math
import multiprocessing
import re
import resource
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence, Set
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from types import CodeType, FrameType, ModuleType
from typing import Any, Literal, TypeVar

from .conformance.client import answer
from .conformance.coverage import recording_calls
from .conformance.runner import Vector as ConformanceVector
from .conformance.runner import judge, load_vectors
from .forks import PRESETS, available_forks, load_spec

Status = Literal["killed", "crashed", "timed_out", "survived"]
KILLED: tuple[Status, ...] = ("killed", "crashed", "timed_out")
Classification = Literal["equivalent", "not worth a vector", "open"]

Vector = TypeVar("Vector")


# Generation


@dataclass(frozen=True)
class Mutant:
    """One mutation at one point of one function: the node at ``position`` in ``sites`` order, its ``variant``."""

    function: str  # its name, and the fork whose text it is when that is not the first: "f (v2)"
    line: int  # within the function: its ``def`` line is 1
    operator: str
    original: str
    mutated: str
    position: int
    variant: int

    @property
    def label(self) -> str:
        return f"{self.function}: {self.line}: {self.original} -> {self.mutated}"

    @property
    def key(self) -> tuple[str, str, str]:
        """What an explanation in MUTANTS.md names (with the line only where the function repeats the change)."""
        return self.function, self.original, self.mutated


@dataclass
class Site:
    """A node that may be mutated, and where it hangs in its parent (so it can be replaced)."""

    node: ast.AST
    parent: ast.AST
    field: str
    index: int | None

    def replace(self, replacement: ast.AST) -> None:
        if self.index is None:
            setattr(self.parent, self.field, replacement)
        else:
            getattr(self.parent, self.field)[self.index] = replacement


def sites(function: ast.FunctionDef) -> Iterator[Site]:
    """The nodes of ``function``'s body that may be mutated, in a fixed pre-order.

    Never entered: f-strings and the expression a ``raise`` raises (error messages), and annotations. Nested
    functions are entered through their body only.
    """
    yield from _children(function, ("body",))


def _children(parent: ast.AST, fields: Sequence[str]) -> Iterator[Site]:
    for name in fields:
        value = getattr(parent, name, None)
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for index, child in items:
            if isinstance(child, ast.AST) and not isinstance(child, ast.JoinedStr):
                yield Site(child, parent, name, index)
                yield from _children(child, _entered_fields(child))


def _entered_fields(node: ast.AST) -> tuple[str, ...]:
    if isinstance(node, ast.Raise):
        return ()
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return ("body",)
    if isinstance(node, ast.Lambda):
        return ("body",)
    if isinstance(node, ast.AnnAssign):
        return ("target", "value")
    if isinstance(node, ast.ExceptHandler):
        return ("body",)
    return tuple(node._fields)


COMPARE_SWAPS: dict[type[ast.cmpop], tuple[type[ast.cmpop], ...]] = {
    ast.Lt: (ast.LtE, ast.GtE),
    ast.LtE: (ast.Lt, ast.Gt),
    ast.Gt: (ast.GtE, ast.LtE),
    ast.GtE: (ast.Gt, ast.Lt),
    ast.Eq: (ast.NotEq,),
    ast.NotEq: (ast.Eq,),
    ast.In: (ast.NotIn,),
    ast.NotIn: (ast.In,),
    ast.Is: (ast.IsNot,),
    ast.IsNot: (ast.Is,),
}
ARITHMETIC_SWAPS: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.FloorDiv,
    ast.FloorDiv: ast.Mult,
    ast.Mod: ast.FloorDiv,
    ast.Pow: ast.Mult,
    ast.LShift: ast.RShift,
    ast.RShift: ast.LShift,
    ast.BitAnd: ast.BitOr,
    ast.BitOr: ast.BitAnd,
    ast.BitXor: ast.BitOr,
}
CALL_SWAPS = {"min": "max", "max": "min", "any": "all", "all": "any"}


@dataclass(frozen=True)
class Mutation:
    operator: str
    replacement: ast.AST
    original: str
    mutated: str


def mutations(node: ast.AST, function: ast.FunctionDef) -> list[Mutation]:
    """Every mutation of ``node`` (in ``function``), in a fixed order. Replacements share ``node``'s children."""
    found: list[Mutation] = []

    def add(operator: str, replacement: ast.AST, original: str = "", mutated: str = "") -> None:
        ast.copy_location(replacement, node)
        shown = (original or ast.unparse(node), mutated or ast.unparse(replacement))
        found.append(Mutation(operator, replacement, *shown))

    if isinstance(node, ast.Compare):
        for index, operator in enumerate(node.ops):
            for swapped in COMPARE_SWAPS[type(operator)]:
                operators = [*node.ops[:index], swapped(), *node.ops[index + 1 :]]
                add("compare", ast.Compare(node.left, operators, node.comparators))
    elif isinstance(node, ast.BinOp) and type(node.op) in ARITHMETIC_SWAPS:
        add("arithmetic", ast.BinOp(node.left, ARITHMETIC_SWAPS[type(node.op)](), node.right))
    elif isinstance(node, ast.AugAssign) and type(node.op) in ARITHMETIC_SWAPS:
        add("arithmetic", ast.AugAssign(node.target, ARITHMETIC_SWAPS[type(node.op)](), node.value))
    elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
        add("constant", ast.Constant(not node.value))
    elif isinstance(node, ast.Constant) and isinstance(node.value, int):
        add("constant", ast.Constant(node.value + 1))
        if node.value > 0:
            add("constant", ast.Constant(node.value - 1))
    elif isinstance(node, ast.BoolOp):
        add("boolean", ast.BoolOp(ast.Or() if isinstance(node.op, ast.And) else ast.And(), node.values))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        add("not", node.operand)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CALL_SWAPS:
        add("call", ast.Call(ast.Name(CALL_SWAPS[node.func.id], ast.Load()), node.args, node.keywords))
    elif isinstance(node, ast.Return) and node.value is not None:
        for replacement in _replaced_returns(node.value, function):
            add("return", ast.Return(replacement))
    elif isinstance(node, ast.Raise) and node.exc is not None:
        raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        add("raise", ast.Pass(), f"raise {ast.unparse(raised)}(...)", "pass")
    elif isinstance(node, ast.If) and node.body and isinstance(node.body[-1], ast.Raise):
        if not _negation_made_elsewhere(node.test):
            negated = ast.UnaryOp(ast.Not(), node.test)
            add("condition", ast.If(negated, node.body, node.orelse), f"if {ast.unparse(node.test)}",
                f"if {ast.unparse(negated)}")
    elif isinstance(node, ast.Break):
        add("loop", ast.Continue())
    elif isinstance(node, ast.Continue):
        add("loop", ast.Break())
    return found


def _negation_made_elsewhere(test: ast.expr) -> bool:
    """``not (a < b)`` is ``a >= b``, which ``compare`` makes; ``not (not x)`` is ``x``, which ``not`` makes."""
    is_single_comparison = isinstance(test, ast.Compare) and len(test.ops) == 1
    return is_single_comparison or (isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not))


def _replaced_returns(value: ast.expr, function: ast.FunctionDef) -> list[ast.expr]:
    returns = ast.unparse(function.returns) if function.returns is not None else ""
    replacements: list[ast.expr] = []
    if returns == "bool" and not isinstance(value, ast.Constant) and not _negation_made_elsewhere(value):
        replacements.append(ast.UnaryOp(ast.Not(), value))
    if returns.startswith("Optional[") and not (isinstance(value, ast.Constant) and value.value is None):
        replacements.append(ast.Constant(None))
    same_type = [
        argument.arg
        for argument in function.args.args
        if argument.annotation is not None and ast.unparse(argument.annotation) == returns
    ]
    if same_type and not (isinstance(value, ast.Name) and value.id == same_type[0]):
        replacements.append(ast.Name(same_type[0], ast.Load()))
    return replacements


def module_functions(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    """The module's top-level functions, by name, in the order they are defined."""
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def function_mutants(name: str, function: ast.FunctionDef) -> list[Mutant]:
    """Every mutant of ``function``, in the order of its body."""
    found = []
    for position, site in enumerate(sites(function)):
        for variant, mutation in enumerate(mutations(site.node, function)):
            # Counted from the function's ``def`` line (1), so an edit elsewhere in the spec moves no entry of MUTANTS.md.
            line = getattr(site.node, "lineno", function.lineno) - function.lineno + 1
            found.append(Mutant(name, line, mutation.operator, mutation.original, mutation.mutated, position, variant))
    return found


def generate_mutants(source: str, functions: Sequence[str] | None = None) -> list[Mutant]:
    """Every mutant of the top-level functions of ``source`` (of those named in ``functions``), in source order."""
    return [
        mutant
        for name, function in module_functions(ast.parse(source)).items()
        if functions is None or name in functions
        for mutant in function_mutants(name, function)
    ]


def compile_mutant(function: ast.FunctionDef, mutant: Mutant, filename: str) -> CodeType:
    """The code object of ``function`` with ``mutant`` applied (compiled as the rendered module is)."""
    mutated = copy.deepcopy(function)
    site = list(sites(mutated))[mutant.position]
    mutation = mutations(site.node, mutated)[mutant.variant]
    if (mutation.original, mutation.mutated) != (mutant.original, mutant.mutated):
        raise ValueError(f"{mutant.label} does not match its source (was it generated from another version?)")
    site.replace(mutation.replacement)
    ast.fix_missing_locations(mutated)
    flags = __future__.annotations.compiler_flag  # the rendered modules import annotations from __future__
    code = compile(ast.Module([mutated], []), filename, "exec", flags=flags, dont_inherit=True)
    return next(item for item in code.co_consts if isinstance(item, CodeType) and item.co_name == function.name)


@contextmanager
def applied(modules: Sequence[ModuleType], function_name: str, code: CodeType) -> Iterator[None]:
    """Each module's function runs ``code`` while the block runs: its callers, and anything holding it, see it."""
    functions = [vars(module)[function_name] for module in modules]
    originals = [function.__code__ for function in functions]
    for function in functions:
        function.__code__ = code
    try:
        yield
    finally:
        for function, original in zip(functions, originals):
            function.__code__ = original


# Hunting: replaying vectors against one mutant


class ReplayTimedOut(BaseException):
    """Raised by the alarm: a BaseException, so that no ``except Exception`` in the spec or the EVM swallows it."""


@contextmanager
def time_bound(seconds: float) -> Iterator[None]:
    """Raise ReplayTimedOut in the block after ``seconds`` (the main thread of a process only: it uses SIGALRM).

    The alarm repeats every tenth of a second until the block ends: an exception raised while Python runs a
    destructor is printed and dropped, so one alarm alone could be lost. Disarming is retried until it is done, and
    an alarm handled after it does nothing, so no alarm escapes the block.
    """
    armed = True

    def expire(signum: int, frame: FrameType | None) -> None:
        if armed:
            raise ReplayTimedOut

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.1)
    try:
        yield
    finally:
        while armed:
            try:
                armed = False
                signal.setitimer(signal.ITIMER_REAL, 0)
            except ReplayTimedOut:  # it rang as the block ended: disarm again
                armed = True
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class Failure:
    """How a vector told a mutant apart: a wrong answer (``killed``) or a crash, with a short, stable detail."""

    status: Status
    detail: str


Replay = Callable[[Vector], Failure | None]


@dataclass(frozen=True)
class Verdict:
    status: Status
    vector: str = ""  # the vector that told the mutant apart
    detail: str = ""
    replays: int = 0  # vectors replayed before the verdict


def hunt(
    vectors: Sequence[tuple[str, Vector, float]], replay: Replay[Vector]
) -> Verdict:
    """Replay ``(name, vector, seconds)`` in order until one fails; the mutant must already be applied."""
    for count, (name, vector, seconds) in enumerate(vectors, start=1):
        try:
            with time_bound(seconds):
                failure = replay(vector)
        except ReplayTimedOut:
            return Verdict("timed_out", name, "no answer within its time bound", count)
        except Exception as error:  # the replay's own checks crashed on what the mutant returned
            return Verdict("crashed", name, type(error).__name__, count)
        if failure is not None:
            return Verdict(failure.status, name, failure.detail, count)
    return Verdict("survived", replays=len(vectors))


def hunt_function(
    modules: Sequence[ModuleType],
    function: ast.FunctionDef,
    mutants: Sequence[Mutant],
    vectors: Sequence[tuple[str, Vector, float]],
    replay: Replay[Vector],
) -> list[Verdict]:
    """The verdict on each of ``function``'s ``mutants`` (each applied to every module of ``modules``), in order.

    The vector that killed the last mutant is tried first on the next (mutants of one function tend to die on the
    same vector): the order still depends only on the mutants and vectors, so the verdicts are deterministic.
    """
    order = list(vectors)
    verdicts = []
    for mutant in mutants:
        code = compile_mutant(function, mutant, modules[0].__file__ or "<spec>")
        with applied(modules, function.name, code):
            verdict = hunt(order, replay)
        verdicts.append(verdict)
        if verdict.vector:
            killer = next(index for index, item in enumerate(order) if item[0] == verdict.vector)
            order.insert(0, order.pop(killer))
    return verdicts


# Explanations of survivors (tests/vectors/MUTANTS.md)


@dataclass(frozen=True)
class Explanation:
    classification: Classification
    function: str
    change: tuple[str, str] | None  # (original, mutated); None explains every survivor of the function
    text: str
    line: int | None = None  # where the change was when the entry was written


ENTRY = re.compile(r"^\s*[-*]\s+`(?P<label>[^`]+)`\s*[:—-]?\s*(?P<text>.*)$")
LABEL = re.compile(
    r"^(?P<function>\w+(?: \(\w+\))?)(?::\s*(?P<line>\d+):\s*(?P<original>.+?)\s+->\s+(?P<mutated>.+))?$"
)


def parse_explanations(markdown: str) -> list[Explanation]:
    """The entries of MUTANTS.md: under a heading that starts with "Equivalent", "Not worth a vector" or "Open" (and
    any headings below it), a list item ``- `function: line: original -> mutated`: why`` (or ``- `function`: why``
    for all its survivors)."""
    explanations: list[Explanation] = []
    continued = False  # whether the line before belonged to an entry, so that an indented line goes on with it
    classification: Classification | None = None
    level = 0  # the depth of the heading that named the classification: deeper headings only group entries
    for text in markdown.splitlines():
        if text.startswith("#"):
            depth = len(text) - len(text.lstrip("#"))
            heading = text.lstrip("#").strip().lower()
            named: Classification | None = (
                "equivalent" if heading.startswith("equivalent")
                else "not worth a vector" if heading.startswith("not worth a vector")
                else "open" if heading.startswith("open")
                else None
            )
            if named is not None or depth <= level:
                classification, level = named, depth
            continued = False
            continue
        entry = ENTRY.match(text)
        label = LABEL.match(entry["label"].strip()) if entry else None
        if entry is None and continued and text.startswith("  ") and text.strip():  # the reason's next line
            last = explanations[-1]
            explanations[-1] = replace(last, text=f"{last.text} {text.strip()}".strip())
            continue
        continued = False
        if classification is None or entry is None or label is None:
            continue
        change = (label["original"], label["mutated"]) if label["original"] else None
        number = int(label["line"]) if label["line"] else None
        explanations.append(Explanation(classification, label["function"], change, entry["text"].strip(), number))
        continued = True
    return explanations


def explain(
    mutant: Mutant, explanations: Sequence[Explanation], repeated: Set[tuple[str, str, str]] = frozenset()
) -> Explanation | None:
    """The explanation of ``mutant``: one naming its change first, else one naming its whole function.

    An entry names a change by function, original and mutated text, and its line only where that is needed: when
    the function's text makes the same change in several places (``repeated``), the entry's line must be the
    mutant's; otherwise the line is ignored, so that an edit elsewhere in the spec leaves the entry valid.
    """
    exact = [
        item
        for item in explanations
        if item.change is not None
        and (item.function, *item.change) == mutant.key
        and (mutant.key not in repeated or item.line == mutant.line)
    ]
    whole = [item for item in explanations if item.change is None and item.function == mutant.function]
    return (exact + whole)[0] if exact + whole else None


# Reports


@dataclass
class Report:
    modules: list[str]
    vectors: int
    mutants: list[tuple[Mutant, Verdict]] = field(default_factory=list)
    explanations: list[Explanation] = field(default_factory=list)

    def count(self, *statuses: Status) -> int:
        return sum(1 for _, verdict in self.mutants if verdict.status in statuses)

    def survivors(self) -> list[tuple[Mutant, Explanation | None]]:
        seen = Counter(mutant.key for mutant, _ in self.mutants)
        repeated = {key for key, count in seen.items() if count > 1}
        return [
            (mutant, explain(mutant, self.explanations, repeated))
            for mutant, verdict in self.mutants
            if verdict.status == "survived"
        ]

    def classified(self, classification: Classification | None) -> list[Mutant]:
        """Survivors explained as ``classification`` (None: survivors nothing explains)."""
        return [
            mutant
            for mutant, explanation in self.survivors()
            if (explanation.classification if explanation else None) == classification
        ]

    @property
    def score(self) -> float:
        """Killed mutants over the mutants that are not equivalent (1.0 when there are none)."""
        counted = len(self.mutants) - len(self.classified("equivalent"))
        return self.count(*KILLED) / counted if counted else 1.0

    def stale_explanations(self) -> list[Explanation]:
        """Entries of MUTANTS.md that explain no survivor of this run (a vector now kills it, or the code moved)."""
        used = {id(explanation) for _, explanation in self.survivors() if explanation is not None}
        functions = {mutant.function for mutant, _ in self.mutants}
        return [item for item in self.explanations if id(item) not in used and item.function in functions]

    def to_json(self) -> dict[str, Any]:
        """Everything a run decided and nothing about the machine it ran on: the same inputs give the same file."""
        return {
            "modules": self.modules,
            "vectors": self.vectors,
            "totals": {
                "mutants": len(self.mutants),
                "killed": self.count("killed"),
                "crashed": self.count("crashed"),
                "timed_out": self.count("timed_out"),
                "survived": self.count("survived"),
                "equivalent": len(self.classified("equivalent")),
                "not_worth_a_vector": len(self.classified("not worth a vector")),
                "open": len(self.classified("open")),
                "unexplained": len(self.classified(None)),
            },
            "score": math.floor(self.score * 10_000) / 10_000,
            "survivors": [
                {"label": mutant.label, "classification": explanation.classification if explanation else None}
                for mutant, explanation in self.survivors()
            ],
            "mutants": [asdict(mutant) | {"label": mutant.label} | asdict(verdict) for mutant, verdict in self.mutants],
        }


def format_report(report: Report, seconds: float | None = None, jobs: int = 1) -> str:
    killed = report.count(*KILLED)
    counted = len(report.mutants) - len(report.classified("equivalent"))
    functions = len({mutant.function for mutant, _ in report.mutants})
    lines = [
        f"mutants of {', '.join(report.modules)}",
        f"  {len(report.mutants)} mutants of {functions} definitions, hunted with {report.vectors} vectors",
        f"  killed      {killed:>6}  (a wrong answer {report.count('killed')}, a crash {report.count('crashed')}, "
        f"timed out {report.count('timed_out')})",
        f"  survived    {report.count('survived'):>6}  (equivalent {len(report.classified('equivalent'))}, "
        f"not worth a vector {len(report.classified('not worth a vector'))}, "
        f"open {len(report.classified('open'))}, unexplained {len(report.classified(None))})",
        f"  score       {math.floor(report.score * 1000) / 10:.1f}% of non-equivalent mutants killed "
        f"({killed} / {counted})",
    ]
    if seconds is not None:
        lines.append(f"  time        {seconds:.0f} s on {jobs} process{'es' if jobs > 1 else ''}")
    groups: list[tuple[str, Classification | None]] = [
        ("unexplained", None),
        ("open", "open"),
        ("not worth a vector", "not worth a vector"),
        ("equivalent", "equivalent"),
    ]
    for title, classification in groups:
        mutants = report.classified(classification)
        if mutants:
            lines += ["", f"survivors, {title} ({len(mutants)}):", *(f"  {mutant.label}" for mutant in mutants)]
    stale = report.stale_explanations()
    if stale:
        lines += ["", f"explanations in MUTANTS.md that match no survivor ({len(stale)}):"]
        lines += [f"  {item.function}: {' -> '.join(item.change or ('(every survivor)',))}" for item in stale]
    return "\n".join(lines)


# The run over the rendered spec modules, through the reference client


@dataclass(frozen=True)
class Definition:
    """One function as the Markdown writes it, and every rendered module that holds that text.

    A mutant is a change to the text, so it changes each of those modules at once: v1's definitions are rendered
    into both presets' modules and, where fork v2 does not modify them, into v2's too. A definition v2 modifies is
    another text, labelled with its fork (``is_state_batch_final (v2)``).
    """

    label: str
    name: str
    node: ast.FunctionDef
    modules: tuple[tuple[str, str], ...]  # (fork, preset)


def collect_definitions(modules: Sequence[tuple[str, str, str]]) -> list[Definition]:
    """The definitions of the ``(fork, preset, source)`` modules, in order of first appearance (list the oldest fork
    first: a text is labelled with the fork that first holds it)."""
    found: dict[tuple[str, str], Definition] = {}
    first_fork = modules[0][0] if modules else ""
    for fork, preset, source in modules:
        for name, node in module_functions(ast.parse(source)).items():
            key = (name, ast.dump(node))  # without line numbers: the same text wherever it is rendered
            if key in found:
                known = found[key]
                found[key] = Definition(known.label, name, known.node, (*known.modules, (fork, preset)))
            else:
                label = name if fork == first_fork else f"{name} ({fork})"
                found[key] = Definition(label, name, node, ((fork, preset),))
    return list(found.values())


def definition_mutants(definition: Definition) -> list[Mutant]:
    return [
        replace(mutant, function=definition.label)
        for mutant in function_mutants(definition.name, definition.node)
    ]


def reference_replay(vector: ConformanceVector) -> Failure | None:
    """Ask the reference client (in this process) for ``vector``'s answer, as JSON, and judge it."""
    try:
        reply = json.loads(json.dumps(answer(vector.request(0))))
    except Exception as error:  # a non-spec exception escaped the client: the mutant crashed the spec
        return Failure("crashed", type(error).__name__)
    if "crash" in reply:  # the client's report of an exception that is no spec error, such as a ValueError
        return Failure("crashed", str(reply["crash"]).split(":")[0])
    if "protocol_error" in reply:
        return Failure("crashed", str(reply["protocol_error"])[:200])
    outcome = judge(vector, reply)
    if outcome.status == "passed":
        return None
    return Failure("killed", outcome.differences[0][:200] if outcome.differences else outcome.status)


@dataclass(frozen=True)
class Reach:
    """The spec functions each vector calls, and each vector's time bound."""

    called: dict[str, frozenset[str]]
    seconds: dict[str, float]

    def vectors(self, definition: Definition) -> list[str]:
        """The vectors that reach ``definition`` in one of its modules, in the order to try them.

        Vectors that reach fewer functions come first, then by path: those aimed at a rule come before the long
        histories that pass through it, and the order is fixed.
        """
        modules = {(fork, preset) for fork, preset in definition.modules}
        reaching = [
            path
            for path, called in self.called.items()
            if definition.name in called and tuple(reversed(path.split("/")[:2])) in modules  # "preset/fork/..."
        ]
        return sorted(reaching, key=lambda path: (len(self.called[path]), path))


def measure_reach(vectors: Sequence[ConformanceVector], floor: float, factor: float) -> Reach:
    """Replay every vector once through the unmutated spec, recording the functions it calls and its time.

    A vector's time bound is ``factor`` times its time here (slowed by the recording), at least ``floor``: a mutant
    that runs past it is, in practice, looping.
    """
    called: dict[str, frozenset[str]] = {}
    seconds: dict[str, float] = {}
    for vector in vectors:
        info = vector.document["_info"]
        start = time.perf_counter()
        with recording_calls(load_spec(info["fork"], info["preset"])) as functions:
            failure = reference_replay(vector)
        seconds[vector.path] = max(floor, factor * (time.perf_counter() - start))
        if failure is not None:
            raise ValueError(f"{vector.path} fails against the unmutated spec ({failure.detail}): fix that first")
        called[vector.path] = frozenset(functions)
    return Reach(called, seconds)


def rendered_modules(forks: Sequence[str], presets: Sequence[str]) -> list[tuple[str, str, ModuleType]]:
    """The rendered modules of ``forks`` and ``presets``, oldest fork first."""
    return [(fork, preset, load_spec(fork, preset)) for fork in forks for preset in presets]


def module_source(module: ModuleType) -> str:
    return Path(module.__file__ or "").read_text(encoding="utf-8")


_WORKER: dict[str, Any] = {}  # what one worker process loads once: the modules, the definitions, the vectors


def _start_worker(
    forks: Sequence[str], presets: Sequence[str], runners: Sequence[str] | None, folder: Path, memory_limit: int
) -> None:
    if memory_limit:  # a mutant that asks for a huge allocation fails with MemoryError instead of swapping
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    vectors = load_vectors(folder, list(presets), list(forks), list(runners) if runners else None)
    _load_worker(rendered_modules(forks, presets), vectors)


def _load_worker(
    modules: Sequence[tuple[str, str, ModuleType]], vectors: Sequence[ConformanceVector]
) -> None:
    _WORKER["modules"] = {(fork, preset): module for fork, preset, module in modules}
    definitions = collect_definitions([(fork, preset, module_source(module)) for fork, preset, module in modules])
    _WORKER["definitions"] = {definition.label: definition for definition in definitions}
    _WORKER["vectors"] = {vector.path: vector for vector in vectors}


Task = tuple[str, list[Mutant], list[tuple[str, float]]]


def _hunt_task(task: Task) -> tuple[str, list[Verdict]]:
    label, mutants, plan = task
    definition: Definition = _WORKER["definitions"][label]
    modules = [_WORKER["modules"][key] for key in definition.modules]
    vectors = [(path, _WORKER["vectors"][path], seconds) for path, seconds in plan]
    return label, hunt_function(modules, definition.node, mutants, vectors, reference_replay)


def run_mutants(
    forks: Sequence[str] | None = None,
    presets: Sequence[str] = PRESETS,
    folder: Path = Path("tests/vectors"),
    functions: Sequence[str] | None = None,
    runners: Sequence[str] | None = None,
    jobs: int = 2,
    explanations: Sequence[Explanation] = (),
    floor: float = 2.0,
    factor: float = 20.0,
    memory_limit: int = 4 << 30,
    progress: Callable[[int], None] = lambda done: None,
) -> Report:
    """Mutate every definition of the rendered modules (or those of the named functions), hunt each mutant with
    the vectors of the modules that hold it (or those of the named runners only), and report.

    Mutants of one definition are hunted in order in one process; definitions are spread over ``jobs`` processes
    (each loads the modules and the vectors once). The report is in mutant order, whatever finished first.
    """
    forks = list(forks or available_forks())
    modules = rendered_modules(forks, presets)
    vectors = load_vectors(folder, list(presets), forks, list(runners) if runners else None)
    definitions = collect_definitions([(fork, preset, module_source(module)) for fork, preset, module in modules])
    chosen = [item for item in definitions if functions is None or item.name in functions]
    mutants = {definition.label: definition_mutants(definition) for definition in chosen}
    reach = measure_reach(vectors, floor, factor)
    plans = {item.label: [(path, reach.seconds[path]) for path in reach.vectors(item)] for item in chosen}
    tasks: list[Task] = [(label, mutants[label], plans[label]) for label in mutants if mutants[label] and plans[label]]
    # The longest tasks first, so that the last process is not left alone with a long one (timing only orders).
    tasks.sort(key=lambda task: -len(task[1]) * sum(seconds for _, seconds in task[2]))
    verdicts: dict[str, list[Verdict]] = {
        label: [Verdict("survived", detail="no vector reaches this function")] * len(items)
        for label, items in mutants.items()
        if not plans[label]
    }
    if jobs <= 1:
        _load_worker(modules, vectors)
        for task in tasks:
            label, found = _hunt_task(task)
            verdicts[label] = found
            progress(len(found))
    else:
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: no state shared with this one
        with context.Pool(jobs, _start_worker, (forks, presets, runners, folder, memory_limit)) as pool:
            for label, found in pool.imap_unordered(_hunt_task, tasks):
                verdicts[label] = found
                progress(len(found))
    paths = [relative_module(Path(module.__file__ or "")) for _, _, module in modules]
    report = Report(paths, len(vectors), explanations=list(explanations))
    for label, items in mutants.items():
        report.mutants += list(zip(items, verdicts.get(label, [])))
    return report


def relative_module(path: Path) -> str:
    """The module's path from the repository root (``mvm_spec/forks/...``), the same on every machine."""
    parts = path.parts
    return "/".join(parts[parts.index("mvm_spec") :]) if "mvm_spec" in parts else path.name


def write_report(report: Report, destination: Path) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_text(json.dumps(report.to_json(), indent=2, ensure_ascii=True) + "\n", encoding="utf-8")
