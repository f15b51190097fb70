"""The spec errors a handler may answer, read from the spec's code: what a runner's schema lists as its ``error``.

An envelope names no error: ``{"$errors": "batch"}`` (a runner) or ``{"$errors": "batch.append_state_batch"}`` (one
handler) is expanded by ``schemas.py`` into the errors derived here, so a new rule's error is in the schemas of the
runners that can reach it the moment the spec raises it.

- A handler's *entry functions* are the spec functions the client calls to answer it: those its registration
  declares (``handlers.ENTRY_FUNCTIONS``: a table's function, the operations a list may name, or the short list a
  hand-written handler gives beside it) and those the encodings of their arguments and results call
  (``container_codec.codec_calls``: a CID given as text is read by ``parse_cid``).
- The errors a spec function may raise are the error classes its ``raise`` statements name, and the errors of every
  spec function (or class) it names, transitively (a function it hands the adapter as a callback counts as called),
  but those an enclosing ``try`` catches: ``except SpecError`` catches all, ``except InvalidCharter`` a family.
  An exception of the adapter (``AbiDecodingError``, ``EvmMissingData``) is no spec error until spec code catches it
  and raises one, which is a ``raise`` statement like any other; the adapter itself raises no spec error by name
  (a test reads ``evm.py`` and ``runtime.py`` for one).
- The name listed is the class named in the ``raise``, the one a client reports: a family (``InvalidCharter``) is
  never raised, so its members are listed, not it.

Spec code is every function and class of the rendered module but what it imports from ``mvm_spec.runtime``; a
function a test puts in its place is read from its own source.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import textwrap
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any, Iterator

from .. import runtime


@dataclass(frozen=True)
class _Event:
    """A ``raise`` of an error class (``raised``) or a reference to a spec definition (``named``), with the
    exception classes each enclosing ``try`` of the same function catches around it, innermost last."""

    raised: str
    named: str
    caught: tuple[tuple[type, ...], ...]


class UnreadableRaise(ValueError):
    """Spec code raises in a form this reader does not follow (``raise error`` of a variable, a bare ``raise``)."""


def _spec_definitions(spec: ModuleType) -> dict[str, Any]:
    """Name -> every function and class the spec defines (not what it imports from the runtime)."""
    imported = set(runtime.__all__)
    return {
        name: value
        for name, value in vars(spec).items()
        if name not in imported and not name.startswith("__") and (inspect.isfunction(value) or inspect.isclass(value))
    }


def _module_nodes(spec: ModuleType) -> dict[str, ast.AST]:
    """The rendered module's top-level ``def``s and ``class``es, by name, parsed once."""
    try:
        tree = ast.parse(inspect.getsource(spec))
    except (OSError, TypeError):
        return {}
    return {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}


def _node_of(value: Any, name: str, module_nodes: dict[str, ast.AST], spec: ModuleType) -> ast.AST | None:
    """The parsed definition of ``value``: the module's own, or (a stand-in a test puts in) its own source."""
    code = getattr(value, "__code__", None)
    if name in module_nodes and (
        (code is not None and code.co_filename == getattr(spec, "__file__", None))
        or (code is None and getattr(value, "__module__", None) == spec.__name__)
    ):
        return module_nodes[name]
    try:  # a function's own code: not what a wrapper's __wrapped__ names
        return ast.parse(textwrap.dedent(inspect.getsource(code if code is not None else value)))
    except (OSError, TypeError):
        return None  # a class made at run time (a dataclass a test builds): no code, nothing raised
    except SyntaxError:
        return None  # a lambda a faulty test client swaps in: its source line is not a definition; it raises nothing


def _is_exception(spec: ModuleType, name: str) -> bool:
    value = getattr(spec, name, getattr(builtins, name, None))
    return isinstance(value, type) and issubclass(value, BaseException)


def _resolve(spec: ModuleType, expression: ast.expr, where: str) -> tuple[type, ...]:
    """The exception classes an ``except`` clause names."""
    if isinstance(expression, ast.Tuple):
        return tuple(cls for item in expression.elts for cls in _resolve(spec, item, where))
    if isinstance(expression, ast.Name):
        value = getattr(spec, expression.id, getattr(builtins, expression.id, None))
        if isinstance(value, type) and issubclass(value, BaseException):
            return (value,)
    raise UnreadableRaise(f"{where}: cannot read the exception classes of `except {ast.unparse(expression)}`")


def _events(spec: ModuleType, node: ast.AST, names: set[str], where: str) -> Iterator[_Event]:
    """Every raise and every reference to a spec definition in ``node``, with the ``try``s around it."""

    def visit(item: ast.AST, caught: tuple[tuple[type, ...], ...]) -> Iterator[_Event]:
        if isinstance(item, (ast.Try, ast.TryStar)):
            handlers = [handler.type for handler in item.handlers]
            catches = tuple(
                cls
                for handler in handlers
                for cls in (_resolve(spec, handler, where) if handler is not None else (BaseException,))
            )
            for statement in item.body:
                yield from visit(statement, (*caught, catches))
            for part in (*item.handlers, *item.orelse, *item.finalbody):
                yield from visit(part, caught)
            return
        if isinstance(item, ast.Raise):
            exception = item.exc.func if isinstance(item.exc, ast.Call) else item.exc
            if item.exc is None or not isinstance(exception, ast.Name) or not _is_exception(spec, exception.id):
                shown = ast.unparse(item)
                raise UnreadableRaise(f"{where}: `{shown}` names no exception class; raise an error class by its name")
            yield _Event(exception.id, "", caught)
            for child in ast.iter_child_nodes(item.exc):  # its arguments may call spec functions too
                yield from visit(child, caught)
            if item.cause is not None:
                yield from visit(item.cause, caught)
            return
        if isinstance(item, ast.Name) and item.id in names:
            yield _Event("", item.id, caught)
        for child in ast.iter_child_nodes(item):
            yield from visit(child, caught)

    yield from visit(node, ())


@cache
def raisable_errors(spec: ModuleType) -> dict[str, frozenset[str]]:
    """Spec function (or class) name -> the names of the spec errors calling it may raise."""
    definitions = _spec_definitions(spec)
    module_nodes = _module_nodes(spec)
    names = set(definitions)
    events: dict[str, list[_Event]] = {}
    for name, value in definitions.items():
        node = _node_of(value, name, module_nodes, spec)
        events[name] = [] if node is None else list(_events(spec, node, names, f"{spec.__name__}.{name}"))
    error_class = spec.SpecError

    def escapes(error: str, caught: tuple[tuple[type, ...], ...]) -> bool:
        return not any(issubclass(getattr(spec, error), catches) for catches in caught)

    raised: dict[str, frozenset[str]] = {name: frozenset() for name in definitions}
    changed = True
    while changed:  # a fixed point: recursion and mutual calls settle once no set grows
        changed = False
        for name, found in events.items():
            errors = set(raised[name])
            for event in found:
                if event.raised:
                    value = getattr(spec, event.raised, None)
                    if isinstance(value, type) and issubclass(value, error_class) and escapes(event.raised, event.caught):
                        errors.add(event.raised)
                elif event.named != name:
                    errors |= {error for error in raised[event.named] if escapes(error, event.caught)}
            if len(errors) > len(raised[name]):
                raised[name] = frozenset(errors)
                changed = True
    return raised


def entry_functions(spec: ModuleType, runner: str, handler: str) -> tuple[str, ...]:
    """The spec functions the client calls to answer ``handler`` of ``runner``: those its registration declares and
    those the encodings of their arguments and results call."""
    from ..conformance.handlers import ENTRY_FUNCTIONS
    from .container_codec import codec_calls

    declared = ENTRY_FUNCTIONS[(runner, handler)]
    return tuple(dict.fromkeys([*declared, *(call for name in declared for call in codec_calls(spec, name))]))


def handler_errors(spec: ModuleType, runner: str, handler: str) -> tuple[str, ...]:
    """The spec errors ``handler`` of ``runner`` may answer, sorted."""
    raised = raisable_errors(spec)
    return tuple(sorted({error for function in entry_functions(spec, runner, handler) for error in raised[function]}))


def runner_errors(spec: ModuleType, runner: str) -> tuple[str, ...]:
    """The spec errors any handler of ``runner`` may answer, sorted."""
    from ..conformance.handlers import HANDLERS

    handlers = [handler for name, handler in HANDLERS if name == runner]
    if not handlers:
        raise KeyError(f"no handler of a runner {runner!r}")
    return tuple(sorted({error for handler in handlers for error in handler_errors(spec, runner, handler)}))


def errors_schema(spec: ModuleType, target: str) -> Any:
    """The schema of the ``error`` of ``target`` (``"runner"`` or ``"runner.handler"``): one of the errors it may
    answer, or ``false`` where it answers none."""
    runner, _, handler = target.partition(".")
    names = handler_errors(spec, runner, handler) if handler else runner_errors(spec, runner)
    return {"enum": list(names)} if names else False
