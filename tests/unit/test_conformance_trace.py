"""``mvm-spec conformance --trace``: for a failed state_transition vector, where the client's execution first
departs from the spec's (mvm_spec/conformance/trace_comparison.py).

The faulty clients (tests/unit/clients/execution_faulty_client.py) trace the execution they run, mistake included.
Where each first diverges is worked out by hand from the code it runs: the message passer, whose instructions
spec/v1/execution.md lists one per line (get_message_passer_code).
"""

from __future__ import annotations

import copy
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from mvm_spec.cli import main
from mvm_spec.conformance.client import answer
from mvm_spec.conformance.runner import Report, Vector, run_conformance
from mvm_spec.conformance.trace_comparison import compare_traces

ROOT = Path(__file__).parents[2]
VECTORS = ROOT / "tests" / "vectors"
APPLY_BLOCK = "minimal/v1/state_transition/apply_block"
FAULTY_CLIENT = f"{sys.executable} {Path(__file__).parent / 'clients' / 'execution_faulty_client.py'}"
# Two transactions from ALICE to the message passer (no deposits): a message with 0.001 MT, then an empty one.
PASSER_VECTOR = "message_to_the_passer_burns_its_value"
# The passer's first ADD is at pc 0x41 (nonce + 1), the 50th instruction it runs on a well-formed message:
# CALLDATASIZE PUSH1 DUP2 LT PUSH1 JUMPI (not taken) PUSH0 CALLDATALOAD DUP1 PUSH1 SHR PUSH1 JUMPI (not taken)
# PUSH1 MSTORE PUSH1 SWAP1 SUB DUP1 PUSH1 PUSH1 CALLDATACOPY DUP1 PUSH1 KECCAK256 PUSH1 MSTORE CHAINID PUSH0
# MSTORE PUSH0 SLOAD DUP1 PUSH1 MSTORE CALLER PUSH1 MSTORE CALLVALUE PUSH1 MSTORE PUSH1 PUSH0 KECCAK256 PUSH1
# DUP2 SSTORE SWAP1 PUSH1 ADD: steps 0 to 49. Step 50 (PUSH0, pc 0x42) is the first to see its result.
FIRST_ADD_STEP, AFTER_FIRST_ADD = 49, 50


def vector(name: str) -> Vector:
    path = f"{APPLY_BLOCK}/{name}.json"
    return Vector(path, json.loads((VECTORS / path).read_text(encoding="utf-8")))


def spec_trace(name: str) -> list[list[dict[str, Any]]]:
    trace = answer(vector(name).request(0) | {"trace": True})["trace"]
    assert isinstance(trace, list)
    return trace


def run_traced(names: list[str], command: str) -> Report:
    report = run_conformance([vector(name) for name in names], command, timeout=60, trace=True)
    assert not report.client_problem, report.client_problem
    return report


# --- Comparing two traces ------------------------------------------------------------------------------------------


def test_identical_traces_agree_to_the_end() -> None:
    trace = spec_trace(PASSER_VECTOR)
    comparison = compare_traces(trace, copy.deepcopy(trace), deposit_count=0)
    assert (comparison.execution, comparison.step, comparison.fields) == (None, None, ())
    assert "agrees with the spec's to the end of every execution (2)" in comparison.lines[0]


def test_a_changed_stack_is_the_first_divergence_with_the_steps_before_it() -> None:
    trace = spec_trace(PASSER_VECTOR)
    client = copy.deepcopy(trace)
    client[1][AFTER_FIRST_ADD]["stack"][-1] = "0x7"
    client[1][AFTER_FIRST_ADD + 5]["gas"] = "0x1"  # a later difference is not the first
    comparison = compare_traces(trace, client, deposit_count=0)
    assert (comparison.execution, comparison.step, comparison.fields) == (1, AFTER_FIRST_ADD, ("stack",))
    assert comparison.lines[0] == "trace: first divergence in execution 1 (transaction 1), step 50 (stack differs):"
    text = "\n".join(comparison.lines)
    # The three steps before it, the last of them the ADD at pc 0x41.
    assert f"    {FIRST_ADD_STEP:>5}  depth 1 pc 65 ADD" in text and f"    {FIRST_ADD_STEP - 3:>5}  " not in text
    assert '"0x7"' in text and "client  depth 1 pc 66 PUSH0" in text


def test_encodings_eip_3155_leaves_open_are_no_divergence_and_left_out_fields_are_named() -> None:
    trace = spec_trace(PASSER_VECTOR)
    client = copy.deepcopy(trace)
    for lines in client:
        for line in lines:
            if "pc" in line:
                line["gas"] = "0x" + line["gas"][2:].upper().rjust(8, "0")  # upper case, leading zeros
                line["stack"] = [item.upper().replace("0X", "0x") for item in line["stack"]]
                del line["refund"]
    comparison = compare_traces(trace, client, deposit_count=0)
    assert comparison.execution is None
    assert comparison.lines[-1] == "  (not compared, the client's steps leave them out: refund)"


def test_a_shorter_trace_and_a_missing_execution_are_divergences() -> None:
    trace = spec_trace(PASSER_VECTOR)
    stops_early = copy.deepcopy(trace)
    del stops_early[0][60:-1]  # keep 60 steps and the summary
    comparison = compare_traces(trace, stops_early, deposit_count=0)
    assert (comparison.execution, comparison.step, comparison.fields) == (0, None, ("steps",))
    assert "the client's trace stops after 60 steps (spec 63, client 60)" in comparison.lines[0]
    assert "step 60, only in the spec's trace" in comparison.lines[-1]
    one_execution = compare_traces(trace, trace[:1], deposit_count=0)
    assert (one_execution.execution, one_execution.fields) == (1, ("execution",))
    malformed = compare_traces(trace, {"steps": []}, deposit_count=0)
    assert malformed.lines[0].startswith("trace: the client's trace is malformed")


def test_a_summary_difference_after_agreeing_steps_names_the_field() -> None:
    trace = spec_trace("marginal_tax_across_brackets")  # three taxed transfers: no steps, a tax each
    client = copy.deepcopy(trace)
    client[2][-1]["mvmTax"] = "0x0"
    comparison = compare_traces(trace, client, deposit_count=0)
    assert (comparison.execution, comparison.step, comparison.fields) == (2, None, ("mvmTax",))
    assert comparison.lines[0] == (
        "trace: every step of execution 2 (transaction 2) agrees (0 steps); its summary differs:"
    )


# --- Faulty clients, end to end ----------------------------------------------------------------------------------


def test_a_client_computing_add_wrong_is_caught_at_the_step_after_its_first_add() -> None:
    report = run_traced([PASSER_VECTOR], f"{FAULTY_CLIENT} add_plus_one")
    [outcome] = report.outcomes
    assert outcome.status == "failed"
    assert outcome.trace_comparison[0] == (
        f"trace: first divergence in execution 0 (transaction 0), step {AFTER_FIRST_ADD} (stack differs):"
    )
    # nonce 0 + 1 is 1; the client pushed 2. The rest of the stack (data length 8, the withdrawal hash) agrees.
    stack_line = outcome.trace_comparison[1]
    assert stack_line.startswith('  stack: spec ["0x8", "0x5ea553d0') and stack_line.endswith('", "0x2"]')
    assert '", "0x1"], client ["0x8", "0x5ea553d0' in stack_line


def test_a_client_without_the_tax_agrees_step_by_step_and_differs_in_the_tax() -> None:
    report = run_traced(["marginal_tax_across_brackets"], f"{FAULTY_CLIENT} no_tax")
    [outcome] = report.outcomes
    # The first transfer owes 1 wei of tax (the vector's first receipt); the client charges none.
    assert outcome.trace_comparison[0].startswith("trace: every step of execution 0 (transaction 0) agrees")
    assert '  mvmTax: spec "0x1", client "0x0"' in outcome.trace_comparison


def test_a_client_not_burning_withdrawn_value_diverges_after_execution() -> None:
    # Each summary's state root is taken before the passer's balance is burnt: the first agrees, the second
    # (after the client kept the first message's 0.001 MT in the passer) does not.
    report = run_traced([PASSER_VECTOR], f"{FAULTY_CLIENT} no_passer_burn")
    [outcome] = report.outcomes
    assert outcome.trace_comparison[0] == (
        "trace: every step of execution 1 (transaction 1) agrees (63 steps); its summary differs:"
    )
    assert outcome.trace_comparison[1].startswith("  stateRoot: spec ")


def test_a_client_that_does_not_trace_is_told_so(tmp_path: Path) -> None:
    script = tmp_path / "untraced_client.py"
    script.write_text(
        "import json, sys\n"
        "for line in sys.stdin:\n"
        "    request = json.loads(line)\n"
        "    traced = 'trace' in request\n"
        "    reply = {'id': request['id'], 'error': 'X'} if traced else {'id': request['id'], 'post': {}}\n"
        "    print(json.dumps(reply), flush=True)\n",
        encoding="utf-8",
    )
    report = run_traced([PASSER_VECTOR], f"{sys.executable} {script}")
    assert report.outcomes[0].trace_comparison == (
        "trace: the client gave error X when asked for a trace (docs/protocol.md#traces)",
    )


def test_conformance_trace_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    relative = f"{APPLY_BLOCK}/{PASSER_VECTOR}.json"
    raw = (VECTORS / relative).read_bytes()
    (tmp_path / relative).parent.mkdir(parents=True)
    (tmp_path / relative).write_bytes(raw)
    (tmp_path / "manifest.json").write_text(json.dumps({"files": {relative: hashlib.sha256(raw).hexdigest()}}))
    status = main(["conformance", "--client", f"{FAULTY_CLIENT} add_plus_one", "--vectors", str(tmp_path), "--trace"])
    out = capsys.readouterr().out
    assert status == 1
    assert f"    trace: first divergence in execution 0 (transaction 0), step {AFTER_FIRST_ADD} (stack differs):" in out
    assert f"           {FIRST_ADD_STEP}  depth 1 pc 65 ADD" in out
