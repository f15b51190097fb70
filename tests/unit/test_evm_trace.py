"""The adapter's per-opcode traces (mvm_spec/evm.py, ``tracing``): EIP-3155 steps with the MVM's fields.

Every expected value is worked out by hand from the opcode semantics and the EIPs: Cancun's gas schedule (3 for
PUSH1 and ADD, 0 for STOP, 2,600 for a CALL to a cold account, EIP-2929; 3 per memory word, EIP-150's memory
formula), EIP-150's all-but-one-64th rule, EIP-3529's refund of 4,800 for clearing a storage slot, and EIP-3155's
encodings (``gas`` and ``gasCost`` hex numbers, ``stack`` hex numbers bottom first, ``depth`` counted from 1). A
transaction gets its gas limit less 21,000 of intrinsic gas.
"""

from __future__ import annotations

import re
from contextlib import nullcontext
from typing import Any

import pytest
from eth.vm import opcode_values as op

from mvm_spec import evm
from tests.unit.test_evm_adapter import (
    BLOCK,
    ETHER,
    GAS,
    INNER,
    NO_CHARTER,
    OUTER,
    RECIPIENT,
    SENDER,
    asm,
    call,
    create,
    deploying,
    differential_programs,
    dynamic_fee_tx,
    push,
    world_with,
)

TOP_GAS = GAS - 21_000  # 279,000: what the top frame starts with
CHARTER = object()  # stands for the charter a transaction begins under: the adapter only hands it to the explainer
HEX_NUMBER = re.compile(r"^0x(0|[1-9a-f][0-9a-f]*)$")  # EIP-3155's Hex-Number: no leading zeros
HEX_STRING = re.compile(r"^0x([0-9a-f]{2})*$")
STEP_KEYS = [
    "pc",
    "op",
    "gas",
    "gasCost",
    "memSize",
    "stack",
    "depth",
    "returnData",
    "refund",
    "opName",
    "mvmPermission",
    "mvmRule",
]


def open_to_all(charter: Any, signer: bytes, opcode: int) -> str:
    return "open"


def charter_calls() -> evm.CharterCalls:
    """Charter calls that never happen in these programs: they carry the charter the explainer is given."""
    return evm.CharterCalls(bytes(20), CHARTER, lambda charter, caller, value, data: None, lambda data: 0)


def traced(
    world: evm.EvmWorld,
    raw: bytes,
    forbidden: frozenset[int] = NO_CHARTER,
    exempt: frozenset[bytes] = frozenset(),
    explain: evm.PermissionExplainer = open_to_all,
) -> tuple[evm.ExecutionResult, evm.TracedExecution]:
    with evm.tracing(explain) as tracer:
        result = evm.execute_transaction(world, raw, BLOCK, forbidden, exempt, None, charter_calls())
    assert len(tracer.executions) == 1
    return result, tracer.executions[0]


def column(execution: evm.TracedExecution, name: str) -> list[Any]:
    return [step[name] for step in execution.steps]


# --- One frame ---------------------------------------------------------------------------------------------------


def test_push_push_add_stop_by_hand() -> None:
    world = world_with(outer=asm(push(2), push(3), op.ADD, op.STOP))
    result, trace = traced(world, dynamic_fee_tx(0, OUTER))
    assert column(trace, "pc") == [0, 2, 4, 5]
    assert column(trace, "op") == [0x60, 0x60, 0x01, 0x00]
    assert column(trace, "opName") == ["PUSH1", "PUSH1", "ADD", "STOP"]
    assert column(trace, "gasCost") == ["0x3", "0x3", "0x3", "0x0"]
    assert column(trace, "gas") == [hex(TOP_GAS), hex(TOP_GAS - 3), hex(TOP_GAS - 6), hex(TOP_GAS - 9)]
    assert column(trace, "stack") == [[], ["0x2"], ["0x2", "0x3"], ["0x5"]]
    assert column(trace, "depth") == [1, 1, 1, 1]
    assert column(trace, "memSize") == [0, 0, 0, 0]
    assert column(trace, "refund") == [0, 0, 0, 0]
    assert column(trace, "returnData") == ["0x"] * 4
    assert column(trace, "mvmPermission") == ["allowed"] * 4
    assert column(trace, "mvmRule") == ["open"] * 4
    assert trace.summary == {
        "stateRoot": "0x" + result.world.state_root.hex(),
        "output": "0x",
        "gasUsed": hex(21_000 + 9),
        "pass": True,
        "mvmExecutionTax": "0x0",
    }


def test_fields_are_named_ordered_and_encoded_as_eip_3155_says() -> None:
    # MSTORE a word, then return it: memory, a wide stack value and output all appear.
    code = asm(push(0x0100), push(0), op.MSTORE, push(32), push(0), op.RETURN)
    result, trace = traced(world_with(outer=code), dynamic_fee_tx(0, OUTER))
    for step in trace.steps:
        assert list(step) == STEP_KEYS  # EIP-3155's required fields in its order, then opName, then ours
        assert isinstance(step["pc"], int) and isinstance(step["op"], int) and isinstance(step["depth"], int)
        assert isinstance(step["memSize"], int) and isinstance(step["refund"], int)
        assert HEX_NUMBER.match(step["gas"]) and HEX_NUMBER.match(step["gasCost"])
        assert all(HEX_NUMBER.match(item) for item in step["stack"])
        assert HEX_STRING.match(step["returnData"])
    assert column(trace, "stack")[2] == ["0x100", "0x0"]
    # MSTORE at 0 grows memory to one word (3 gas) on top of its 3; memSize counts bytes, before the step.
    assert column(trace, "gasCost")[2] == "0x6"
    assert column(trace, "memSize") == [0, 0, 0, 32, 32, 32]
    assert list(trace.summary) == ["stateRoot", "output", "gasUsed", "pass", "mvmExecutionTax"]
    assert trace.summary["output"] == "0x" + (0x0100).to_bytes(32, "big").hex()
    assert HEX_STRING.match(trace.summary["stateRoot"]) and len(trace.summary["stateRoot"]) == 66
    assert trace.summary["pass"] is True and result.success


def test_forbidden_opcode_shows_the_denial_the_rule_and_no_step_after_it() -> None:
    asked: list[tuple[Any, bytes, int]] = []

    def explain(charter: Any, signer: bytes, opcode: int) -> str:
        asked.append((charter, signer, opcode))
        return "permissions[3]" if opcode == op.SSTORE else "open"

    code = asm(push(1), push(0), op.SSTORE, op.STOP)
    result, trace = traced(world_with(outer=code), dynamic_fee_tx(0, OUTER), frozenset({op.SSTORE}), explain=explain)
    assert column(trace, "pc") == [0, 2, 4]  # the frame halts at SSTORE: no STOP after an error (EIP-3155)
    denial = trace.steps[2]
    assert denial["op"] == op.SSTORE and denial["mvmPermission"] == "denied" and denial["mvmRule"] == "permissions[3]"
    assert denial["error"] == "ForbiddenOpcode" and denial["gasCost"] == "0x0"
    assert list(denial) == [*STEP_KEYS[:10], "error", "mvmPermission", "mvmRule"]
    assert column(trace, "mvmPermission")[:2] == ["allowed", "allowed"]
    # The frame's gas is consumed, as INVALID's: the transaction uses its whole gas limit.
    assert trace.summary["pass"] is False and trace.summary["gasUsed"] == hex(GAS)
    assert trace.summary["error"] == "ForbiddenOpcode" and not result.success
    # The explainer is asked once per opcode, with the charter the transaction began under and its signer.
    assert asked == [(CHARTER, bytes(SENDER), op.PUSH1), (CHARTER, bytes(SENDER), op.SSTORE)]


def test_forbidden_stop_forbids_the_instruction_and_leaves_the_implicit_stop_allowed() -> None:
    forbidden = frozenset({op.STOP})
    _, runs_off = traced(world_with(outer=asm(push(1))), dynamic_fee_tx(0, OUTER), forbidden)
    # PUSH1 1 is two bytes; the STOP after them is at pc 2, not an instruction of the code.
    assert column(runs_off, "pc") == [0, 2] and column(runs_off, "op") == [0x60, 0x00]
    assert runs_off.steps[1]["mvmPermission"] == "allowed" and runs_off.steps[1]["mvmRule"] == "implicitStop"
    assert runs_off.summary["pass"] is True
    _, explicit = traced(world_with(outer=asm(push(1), op.STOP)), dynamic_fee_tx(0, OUTER), forbidden)
    assert column(explicit, "pc") == [0, 2] and explicit.steps[1]["mvmPermission"] == "denied"
    assert explicit.summary["pass"] is False


def test_undefined_and_invalid_opcodes_are_steps_that_fail() -> None:
    for opcode, name in ((0x0C, "UNDEFINED"), (0xFE, "INVALID")):
        _, trace = traced(world_with(outer=bytes([opcode])), dynamic_fee_tx(0, OUTER))
        assert [(step["pc"], step["op"], step["opName"]) for step in trace.steps] == [(0, opcode, name)]
        assert trace.steps[0]["error"] == "InvalidInstruction" and trace.summary["pass"] is False


def test_a_transfer_to_an_account_without_code_has_no_step() -> None:
    # As geth, which runs no code for an account without any (py-evm runs the implicit STOP).
    _, trace = traced(world_with(), dynamic_fee_tx(0, RECIPIENT, value=5, gas=21_000))
    assert trace.steps == ()
    assert trace.summary["gasUsed"] == hex(21_000) and trace.summary["pass"] is True


# --- Frames ------------------------------------------------------------------------------------------------------


def test_a_call_increments_depth_and_its_cost_includes_the_gas_it_gives() -> None:
    returns_one = asm(push(1), push(0), op.MSTORE, push(32), push(0), op.RETURN)
    outer = asm(call(op.CALL, INNER, gas=50_000), op.STOP)
    _, trace = traced(world_with(outer=outer, inner=returns_one), dynamic_fee_tx(0, OUTER))
    # Outer: five PUSH1 0 (pc 0..8), PUSH20 INNER (pc 10), PUSH2 50000 (pc 31), CALL (pc 34), STOP (pc 35).
    assert column(trace, "depth") == [1] * 8 + [2] * 6 + [1]
    assert column(trace, "pc") == [0, 2, 4, 6, 8, 10, 31, 34, 0, 2, 4, 5, 7, 9, 35]
    call_step, first_inner, after = trace.steps[7], trace.steps[8], trace.steps[14]
    gas_at_call = TOP_GAS - 7 * 3
    assert call_step["opName"] == "CALL" and call_step["gas"] == hex(gas_at_call)
    # INNER is cold (2,600) and the 50,000 asked for is below all but a 64th of what is left, so it is given.
    assert call_step["gasCost"] == hex(2_600 + 50_000)
    assert first_inner["gas"] == hex(50_000) and first_inner["stack"] == [] and first_inner["memSize"] == 0
    # Inner: PUSH1 3, PUSH1 3, MSTORE 3 + 3 for one word of memory, PUSH1 3, PUSH1 3, RETURN 0.
    assert column(trace, "gasCost")[8:14] == ["0x3", "0x3", "0x6", "0x3", "0x3", "0x0"]
    # Back in OUTER: the call cost 2,600 and the 18 the callee used; 1 is pushed; the word returned is visible.
    assert after["gas"] == hex(gas_at_call - 2_600 - 18)
    assert after["stack"] == ["0x1"] and after["returnData"] == "0x" + (1).to_bytes(32, "big").hex()


def test_a_creation_is_a_frame_one_deeper_given_all_but_a_64th() -> None:
    runtime = asm(op.STOP)
    outer = asm(create(op.CREATE, deploying(runtime)), op.STOP)
    _, trace = traced(world_with(outer=outer), dynamic_fee_tx(0, OUTER))
    index = column(trace, "opName").index("CREATE")
    create_step, first_child = trace.steps[index], trace.steps[index + 1]
    assert first_child["depth"] == 2 and first_child["pc"] == 0 and trace.steps[-1]["depth"] == 1
    # CREATE: 32,000, plus 2 per word of init code (EIP-3860: 12 bytes, one word); memory is already one word.
    # The child gets all but a 64th of the rest (EIP-150), and the step's cost counts it.
    left = int(create_step["gas"], 16) - 32_000 - 2
    given = left - left // 64
    assert first_child["gas"] == hex(given)
    assert create_step["gasCost"] == hex(32_000 + 2 + given)


@pytest.mark.parametrize("inner_ends", ["returns", "reverts"])
def test_refund_is_the_transactions_counter_and_a_failed_frame_takes_its_refund_back(inner_ends: str) -> None:
    clear_slot = asm(op.PUSH0, op.PUSH0, op.SSTORE)  # slot 0 (genesis 1) := 0
    ending = asm(op.STOP) if inner_ends == "returns" else asm(op.PUSH0, op.PUSH0, op.REVERT)
    outer = asm(call(op.CALL, INNER, gas=50_000), op.STOP)
    world = evm.genesis_world(
        {
            SENDER: evm.GenesisAccount(ETHER),
            OUTER: evm.GenesisAccount(0, 1, outer),
            INNER: evm.GenesisAccount(0, 1, clear_slot + ending, storage=((0, 1),)),
        }
    )
    _, trace = traced(world, dynamic_fee_tx(0, OUTER))
    inner_steps = [step for step in trace.steps if step["depth"] == 2]
    # EIP-3529: clearing a slot refunds SSTORE_RESET_GAS - COLD_SLOAD_COST + ACCESS_LIST_STORAGE_KEY_COST = 4,800,
    # counted from the step after SSTORE (a step shows the counter before it runs): STOP, or PUSH0 PUSH0 REVERT.
    after_sstore = 1 if inner_ends == "returns" else 3
    assert [step["refund"] for step in inner_steps] == [0, 0, 0] + [4_800] * after_sstore
    assert trace.steps[-1]["refund"] == (4_800 if inner_ends == "returns" else 0)


def test_steps_of_an_exempt_frame_name_the_exemption_and_borrowed_code_stays_permissioned() -> None:
    store = asm(push(1), push(0), op.SSTORE, op.STOP)
    forbidden, exempt = frozenset({op.SSTORE}), frozenset({bytes(INNER)})
    world = world_with(outer=asm(call(op.CALL, INNER), op.POP, call(op.DELEGATECALL, INNER), op.STOP), inner=store)
    _, trace = traced(world, dynamic_fee_tx(0, OUTER), forbidden, exempt)
    runs_at_depth_two: list[list[dict[str, Any]]] = []
    for previous, step in zip((None, *trace.steps), trace.steps):
        if step["depth"] == 2:
            if previous is None or previous["depth"] == 1:
                runs_at_depth_two.append([])
            runs_at_depth_two[-1].append(step)
    called, borrowed = runs_at_depth_two
    assert [step["mvmRule"] for step in called] == ["exempt"] * 4
    assert called[2]["op"] == op.SSTORE and called[2]["mvmPermission"] == "allowed"
    assert [step["op"] for step in borrowed] == [op.PUSH1, op.PUSH1, op.SSTORE]
    assert borrowed[2]["mvmPermission"] == "denied" and borrowed[2]["mvmRule"] == "open"  # the test's explainer
    assert all(step["mvmRule"] == "open" for step in trace.steps if step["depth"] == 1)


def test_a_deposit_is_traced_like_a_transaction() -> None:
    world = world_with(outer=asm(push(2), push(3), op.ADD, op.STOP))
    with evm.tracing(open_to_all) as tracer:
        result = evm.execute_deposit(world, BLOCK, bytes(SENDER), OUTER, 0, 100_000, 21_000, b"", NO_CHARTER)
    [trace] = tracer.executions
    assert column(trace, "gas") == [hex(79_000), hex(78_997), hex(78_994), hex(78_991)]
    assert column(trace, "stack")[-1] == ["0x5"]
    assert trace.summary["gasUsed"] == hex(21_009) and trace.summary["pass"] is True and result.success


# --- Tooling, not a rule -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("alloc", "raws"), differential_programs())
def test_tracing_changes_no_result(alloc: dict[bytes, evm.GenesisAccount], raws: list[bytes]) -> None:
    def run_all(traced_run: bool) -> list[evm.ExecutionResult]:
        world, results = evm.genesis_world(alloc), []
        with evm.tracing(open_to_all) if traced_run else nullcontext():
            for raw in raws:
                results.append(evm.execute_transaction(world, raw, BLOCK, NO_CHARTER))
                world = results[-1].world
        return results

    plain, with_trace = run_all(False), run_all(True)
    assert [(r.world.state_root, r.success, r.gas_used, r.logs, r.contract_address) for r in plain] == [
        (r.world.state_root, r.success, r.gas_used, r.logs, r.contract_address) for r in with_trace
    ]


def test_only_executions_while_tracing_are_recorded_each_with_the_root_it_leaves() -> None:
    world = world_with(outer=asm(push(2), push(3), op.ADD, op.STOP))
    with evm.tracing(open_to_all) as tracer:
        first = evm.execute_transaction(world, dynamic_fee_tx(0, OUTER), BLOCK, NO_CHARTER).world
        second = evm.execute_transaction(first, dynamic_fee_tx(1, OUTER), BLOCK, NO_CHARTER).world
    evm.execute_transaction(world, dynamic_fee_tx(0, OUTER), BLOCK, NO_CHARTER)  # after the block: not recorded
    assert [execution.summary["stateRoot"] for execution in tracer.executions] == [
        "0x" + first.state_root.hex(),
        "0x" + second.state_root.hex(),
    ]
    assert first.state_root != second.state_root
