"""The spec's per-opcode traces of a block: EIP-3155 step and summary objects with the MVM's fields.

Tooling, not a rule: :func:`trace_block` runs the spec's own ``apply_block`` with the adapter's tracer on
(:func:`mvm_spec.evm.tracing`), which changes no result, and arranges what the tracer recorded as the conformance
protocol's ``trace``: one list per receipt of the block (its deposits, then its transactions), each the steps of
that execution followed by its summary. The fields are documented in docs/protocol.md#traces.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Sequence

from . import evm

Trace = list[list[dict[str, Any]]]  # per receipt of the block: its step objects, then its summary object


def permission_explainer(spec: ModuleType) -> evm.PermissionExplainer:
    """What decided an opcode's permission for a signer under a charter of ``spec``, as a trace names it:
    ``permissions[i]``, the charter's i-th rule (the first DENY rule for the opcode listing the signer, else the
    first ALLOW rule listing it), ``unlisted`` (ALLOW rules name the opcode and none lists the signer: denied) or
    ``open`` (no rule for the opcode lists the signer and none allows it to a list: allowed). The decision itself
    is the permission hook's; this names its reason, reading the rules as ``is_action_permitted`` does."""

    def explain(charter: Any, signer: bytes, opcode: int) -> str:
        if charter is None:
            return "open"
        naming = [(index, rule) for index, rule in enumerate(charter.permissions) if rule.action == opcode]
        for operation in (spec.DENY, spec.ALLOW):  # a DENY listing the signer beats any ALLOW
            for index, rule in naming:
                if rule.operation == operation and signer in rule.addresses:
                    return f"permissions[{index}]"
        return "unlisted" if any(rule.operation == spec.ALLOW for _, rule in naming) else "open"

    return explain


def trace_block(spec: ModuleType, state: Any, block: Any) -> tuple[Any, tuple[Any, ...], Trace]:
    """``spec.apply_block(state, block)`` (the new state and the receipts) and the trace of the block."""
    with evm.tracing(permission_explainer(spec)) as tracer:
        post_state, receipts = spec.apply_block(state, block)
    return post_state, receipts, arrange_by_receipt(tracer.executions, receipts, len(block.deposits))


def arrange_by_receipt(
    executions: Sequence[evm.TracedExecution], receipts: Sequence[Any], deposit_count: int
) -> Trace:
    """One list per receipt: the execution's steps and its summary, with the receipt's tax (``mvmTax``).

    A deposit whose call a rule skipped ran nothing: its receipt records no gas (an executed call records at least
    four fifths of its intrinsic gas, refunds being capped at a fifth), and its list holds only a summary marked
    ``mvmSkipped``. Every other receipt has exactly one execution, in order.
    """
    remaining = iter(executions)
    trace: Trace = []
    gas_before = 0
    for index, receipt in enumerate(receipts):
        gas_used, gas_before = int(receipt.cumulative_gas_used) - gas_before, int(receipt.cumulative_gas_used)
        if index < deposit_count and gas_used == 0:
            skipped = {"output": "0x", "gasUsed": "0x0", "pass": False, "mvmTax": hex(receipt.tax)}
            trace.append([skipped | {"mvmExecutionTax": "0x0", "mvmSkipped": True}])
            continue
        execution = next(remaining, None)
        if execution is None:
            raise RuntimeError(f"receipt {index} has no traced execution: the block ran outside the tracer")
        summary = {name: value for name, value in execution.summary.items() if not name.startswith("mvm")}
        summary |= {"mvmTax": hex(receipt.tax), "mvmExecutionTax": execution.summary["mvmExecutionTax"]}
        trace.append([*execution.steps, summary])
    if next(remaining, None) is not None:
        raise RuntimeError("more executions were traced than the block has receipts")
    return trace
