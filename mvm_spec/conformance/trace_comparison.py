"""Where a client's execution first departs from the spec's: the first differing step of two traces.

``mvm-spec conformance --trace`` asks the client again, with ``"trace": true``, for every ``state_transition``
vector it failed, and compares its trace with the spec's (docs/protocol.md#traces), execution by execution (the
block's deposits, then its transactions) and step by step. The first step whose compared fields differ is where the
client's EVM first computed something else; the steps before it agree, and a few are shown for context. When
every step agrees, the summaries are compared (state root, output, gas, tax), and when those agree too the
divergence is after execution: in what the spec does around the EVM, or in the block's commitments.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

# The fields compared, in EIP-3155's order. Not compared: opName (names vary between clients: SHA3 or KECCAK256)
# and error (free text); memory and storage, which the spec does not trace.
STEP_FIELDS = (
    "pc",
    "op",
    "gas",
    "gasCost",
    "memSize",
    "stack",
    "depth",
    "returnData",
    "refund",
    "mvmPermission",
    "mvmRule",
)
SUMMARY_FIELDS = ("stateRoot", "output", "gasUsed", "pass", "mvmTax", "mvmExecutionTax", "mvmSkipped")
# Compared by value, so that an encoding choice EIP-3155 leaves open ("0x05", upper case) is not a divergence.
HEX_NUMBER_FIELDS = frozenset({"gas", "gasCost", "gasUsed", "mvmTax", "mvmExecutionTax"})
HEX_STRING_FIELDS = frozenset({"returnData", "stateRoot", "output"})
# A state root can differ though every step agrees: steps do not show all that changes the state.
STATE_ROOT_HINT = (
    "  (steps do not show everything that changes the state root: balances moved by value, gas and tax, nonces, "
    "what ran before this execution's first step (the block's EIP-4788 system call, which is not traced) or after "
    "the previous execution's summary (the message passer's balance burnt))"
)
CONTEXT_STEPS = 3  # agreeing steps shown before the first divergence
STACK_ITEMS_SHOWN = 3  # the top of the stack, in a step's one-line description


@dataclass(frozen=True)
class TraceComparison:
    """The first divergence of a client's trace from the spec's: in which execution (index in the block's
    receipts) and step (index in that execution's steps), which fields, and the report's lines. ``execution`` is
    None when the traces agree or one cannot be read; ``step`` is None when the steps agree or one trace runs
    out of them (``fields`` then names the missing part)."""

    execution: int | None
    step: int | None
    fields: tuple[str, ...]
    lines: tuple[str, ...]


def compare_traces(spec_trace: list[list[dict[str, Any]]], client_trace: Any, deposit_count: int) -> TraceComparison:
    """Where ``client_trace`` first differs from ``spec_trace``, or that it does not."""
    problem = _malformed(client_trace)
    if problem:
        return TraceComparison(None, None, (), (f"trace: the client's trace is malformed: {problem}",))
    not_compared: set[str] = set()
    for execution, spec_lines in enumerate(spec_trace):
        label = _execution_label(execution, deposit_count)
        if execution >= len(client_trace):
            line = f"trace: the client's trace ends before {label} (it traced {len(client_trace)} of {len(spec_trace)})"
            return TraceComparison(execution, None, ("execution",), (line,))
        spec_steps, spec_summary = _split(spec_lines)
        client_steps, client_summary = _split(client_trace[execution])
        for step, (expected, got) in enumerate(zip(spec_steps, client_steps)):
            not_compared |= {name for name in STEP_FIELDS if name in expected and name not in got}
            fields = _differing(STEP_FIELDS, expected, got)
            if fields:
                lines = _step_divergence(label, spec_steps, step, got, fields)
                return TraceComparison(execution, step, fields, lines + _not_compared(not_compared))
        if len(spec_steps) != len(client_steps):
            lines = _length_divergence(label, spec_steps, client_steps)
            return TraceComparison(execution, None, ("steps",), lines + _not_compared(not_compared))
        if client_summary is None:
            line = f"trace: every step of {label} agrees ({len(spec_steps)} steps), but the client gave no summary"
            return TraceComparison(execution, None, ("summary",), (line, *_not_compared(not_compared)))
        fields = _differing(SUMMARY_FIELDS, spec_summary or {}, client_summary)
        if fields:
            summary_lines = [f"trace: every step of {label} agrees ({len(spec_steps)} steps); its summary differs:"]
            summary_lines += [_field_line(name, (spec_summary or {})[name], client_summary[name]) for name in fields]
            if "stateRoot" in fields:
                summary_lines.append(STATE_ROOT_HINT)
            return TraceComparison(execution, None, fields, tuple(summary_lines) + _not_compared(not_compared))
    if len(client_trace) > len(spec_trace):
        line = f"trace: the client traced {len(client_trace)} executions, the spec {len(spec_trace)}"
        return TraceComparison(len(spec_trace), None, ("execution",), (line,))
    line = (
        f"trace: the client's trace agrees with the spec's to the end of every execution ({len(spec_trace)}): the "
        "divergence is after execution (the block's roots, receipts, supply or accounts)"
    )
    return TraceComparison(None, None, (), (line, *_not_compared(not_compared)))


def _malformed(trace: Any) -> str:
    if not isinstance(trace, list):
        return f"expected a list of executions, got {type(trace).__name__}"
    for index, lines in enumerate(trace):
        if not isinstance(lines, list) or not all(isinstance(line, dict) for line in lines):
            return f"execution {index} is not a list of JSON objects"
    return ""


def _split(lines: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """An execution's steps (the objects with a ``pc``) and its summary (the last object without one)."""
    steps = [line for line in lines if "pc" in line]
    summaries = [line for line in lines if "pc" not in line]
    return steps, summaries[-1] if summaries else None


def _execution_label(execution: int, deposit_count: int) -> str:
    if execution < deposit_count:
        return f"execution {execution} (deposit {execution})"
    return f"execution {execution} (transaction {execution - deposit_count})"


def _normalized(name: str, value: Any) -> Any:
    try:
        if name in HEX_NUMBER_FIELDS and isinstance(value, str):
            return int(value, 16)
        if name == "stack" and isinstance(value, list):
            return [int(item, 16) if isinstance(item, str) else item for item in value]
        if name in HEX_STRING_FIELDS and isinstance(value, str):
            return value.lower().removeprefix("0x")
    except ValueError:
        pass
    return value


def _differing(names: tuple[str, ...], expected: dict[str, Any], got: dict[str, Any]) -> tuple[str, ...]:
    """The fields both objects carry whose values differ (a field the client leaves out is not compared)."""
    return tuple(
        name
        for name in names
        if name in expected and name in got and _normalized(name, expected[name]) != _normalized(name, got[name])
    )


def _field_line(name: str, expected: Any, got: Any) -> str:
    return f"  {name}: spec {json.dumps(expected)}, client {json.dumps(got)}"


def _describe(step: dict[str, Any]) -> str:
    """One line for a step: where it is, what it runs, its gas and the top of its stack."""
    stack = step.get("stack")
    if not isinstance(stack, list):
        stack = []
    shown = ", ".join(str(item) for item in stack[-STACK_ITEMS_SHOWN:])
    top = f"[..., {shown}]" if len(stack) > STACK_ITEMS_SHOWN else f"[{shown}]"
    name = step.get("opName", f"op {step.get('op')}")
    denied = " DENIED" if step.get("mvmPermission") == "denied" else ""
    return (
        f"depth {step.get('depth')} pc {step.get('pc')} {name}{denied} gas {step.get('gas')} "
        f"cost {step.get('gasCost')} stack {top}"
    )


def _context(spec_steps: list[dict[str, Any]], end: int) -> list[str]:
    start = max(0, end - CONTEXT_STEPS)
    if start == end:
        return []
    return ["  steps before it (the same in both traces):"] + [
        f"    {index:>5}  {_describe(spec_steps[index])}" for index in range(start, end)
    ]


def _step_divergence(
    label: str, spec_steps: list[dict[str, Any]], step: int, got: dict[str, Any], fields: tuple[str, ...]
) -> tuple[str, ...]:
    expected = spec_steps[step]
    verb = "differs" if len(fields) == 1 else "differ"
    lines = [f"trace: first divergence in {label}, step {step} ({', '.join(fields)} {verb}):"]
    lines += [_field_line(name, expected.get(name), got.get(name)) for name in fields]
    lines += _context(spec_steps, step)
    lines += [f"  step {step}:", f"    spec    {_describe(expected)}", f"    client  {_describe(got)}"]
    return tuple(lines)


def _length_divergence(
    label: str, spec_steps: list[dict[str, Any]], client_steps: list[dict[str, Any]]
) -> tuple[str, ...]:
    shorter = "client's" if len(client_steps) < len(spec_steps) else "spec's"
    common = min(len(spec_steps), len(client_steps))
    lines = [
        f"trace: the steps of {label} agree as far as they go, but the {shorter} trace stops after {common} steps "
        f"(spec {len(spec_steps)}, client {len(client_steps)}):"
    ]
    lines += _context(spec_steps, common)
    longer = spec_steps if len(spec_steps) > common else client_steps
    owner = "spec" if longer is spec_steps else "client"
    lines.append(f"  step {common}, only in the {owner}'s trace: {_describe(longer[common])}")
    return tuple(lines)


def _not_compared(names: set[str]) -> tuple[str, ...]:
    if not names:
        return ()
    ordered = [name for name in STEP_FIELDS if name in names]
    return (f"  (not compared, the client's steps leave them out: {', '.join(ordered)})",)
