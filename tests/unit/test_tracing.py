"""The spec's traces of a block (mvm_spec/tracing.py), as the reference client answers ``"trace": true`` and
``mvm-spec trace`` prints them.

Tracing is tooling, not a rule: for every state_transition vector the answer with a trace is the answer without
one, and the trace agrees with what the vector expects (one execution per receipt, its gas, status and tax). The
reasons a trace gives for a permission are worked out by hand from the charter's rules.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mvm_spec.cli import main
from mvm_spec.conformance.client import answer
from mvm_spec.conformance.runner import Vector, load_vectors
from mvm_spec.forks import load_spec
from mvm_spec.tracing import permission_explainer

VECTORS = Path(__file__).parents[1] / "vectors"
APPLY_BLOCK = "minimal/v1/state_transition/apply_block"
STEP_FIELDS = ["pc", "op", "gas", "gasCost", "memSize", "stack", "depth", "returnData", "refund", "opName"]
MVM_STEP_FIELDS = ["mvmPermission", "mvmRule"]
SUMMARY_FIELDS = ["stateRoot", "output", "gasUsed", "pass"]
ALICE, BOB, CAROL = (bytes([tag]) * 20 for tag in (0xA1, 0xB0, 0xC0))
CALL, SSTORE, CREATE, ADD = 0xF1, 0x55, 0xF0, 0x01


def vector(name: str) -> Vector:
    path = f"{APPLY_BLOCK}/{name}.json"
    return Vector(path, json.loads((VECTORS / path).read_text(encoding="utf-8")))


def traced_answer(item: Vector) -> dict[str, Any]:
    return answer(item.request(0) | {"trace": True})


def test_tracing_changes_no_answer_and_each_trace_matches_its_receipts() -> None:
    vectors = load_vectors(VECTORS, runners=["state_transition"])
    assert len(vectors) > 200  # both presets
    for index, item in enumerate(vectors):
        plain, with_trace = answer(item.request(index)), traced_answer(item)
        assert {part: value for part, value in with_trace.items() if part != "trace"} | {"id": index} == plain
        if "post" not in item.document:
            assert "trace" not in with_trace, item.path  # a rejected block has no trace
            continue
        receipts = item.document["post"]["receipts"]
        assert len(with_trace["trace"]) == len(receipts), item.path
        gas_before = 0
        for lines, receipt in zip(with_trace["trace"], receipts):
            *steps, summary = lines
            for step in steps:
                fields = [name for name in step if name != "error"]
                assert fields == STEP_FIELDS + MVM_STEP_FIELDS, item.path
                assert step["mvmPermission"] in ("allowed", "denied")
            gas_used, gas_before = int(receipt["cumulative_gas_used"]) - gas_before, int(receipt["cumulative_gas_used"])
            assert int(summary["gasUsed"], 16) == gas_used and summary["pass"] is (receipt["status"] == 1)
            assert int(summary["mvmTax"], 16) == int(receipt["tax"]), item.path
            if summary.get("mvmSkipped"):
                assert steps == [] and gas_used == 0
            else:
                assert list(summary)[:4] == SUMMARY_FIELDS and list(summary)[-2:] == ["mvmTax", "mvmExecutionTax"]


def test_a_denied_opcode_names_the_rule_that_denies_it() -> None:
    # The vector's charter has one rule, permissions[0]: DENY SSTORE to the first transaction's signer. OUTER calls
    # MIDDLE, which DELEGATECALLs INNER (code 0x600160005500: PUSH1 1, PUSH1 0, SSTORE at pc 4, STOP).
    first, second = traced_answer(vector("denied_sstore_two_frames_down"))["trace"]
    denied = [step for step in first if step.get("mvmPermission") == "denied"]
    assert [(step["depth"], step["pc"], step["op"], step["mvmRule"]) for step in denied] == [
        (3, 4, SSTORE, "permissions[0]")
    ]
    # The second signer is not listed: SSTORE is open to it, and its SSTORE at depth 3 runs.
    [store] = [step for step in second if step.get("op") == SSTORE and step.get("depth") == 3]
    assert store["mvmPermission"] == "allowed" and store["mvmRule"] == "open"


def test_a_skipped_deposit_has_only_a_summary() -> None:
    trace = traced_answer(vector("deposit_from_an_outsider_is_skipped_and_keeps_its_mint"))["trace"]
    assert trace[0] == [
        {"output": "0x", "gasUsed": "0x0", "pass": False, "mvmTax": "0x0", "mvmExecutionTax": "0x0", "mvmSkipped": True}
    ]


@pytest.mark.parametrize("preset", ["minimal", "mainnet"])
def test_permission_reasons_by_hand(preset: str) -> None:
    spec = load_spec("v1", preset)

    def rule(operation: Any, addresses: tuple[bytes, ...], action: int) -> Any:
        listed = tuple(spec.Address(address) for address in addresses)
        return spec.PermissionRule(listed, operation, spec.Action(action))

    rules = (
        rule(spec.ALLOW, (ALICE,), CALL),  # 0: CALL only for ALICE
        rule(spec.DENY, (BOB,), SSTORE),  # 1: no SSTORE for BOB ...
        rule(spec.ALLOW, (ALICE, BOB), SSTORE),  # 2: ... though this allows him: DENY beats ALLOW
        rule(spec.DENY, (CAROL,), CREATE),  # 3: no CREATE for CAROL, open to the others
    )
    charter = spec.Charter("v", "m", rules, (), spec.Address(bytes(20)))
    explain = permission_explainer(spec)
    expected = {
        (ALICE, CALL): "permissions[0]",
        (BOB, CALL): "unlisted",
        (BOB, SSTORE): "permissions[1]",
        (ALICE, SSTORE): "permissions[2]",
        (CAROL, SSTORE): "unlisted",
        (CAROL, CREATE): "permissions[3]",
        (ALICE, CREATE): "open",
        (ALICE, ADD): "open",
    }
    for (signer, opcode), reason in expected.items():
        assert explain(charter, signer, opcode) == reason, (signer.hex(), opcode)
        by_a_deny_rule = reason.startswith("permissions[") and rules[int(reason[12:-1])].operation == spec.DENY
        denied = reason == "unlisted" or by_a_deny_rule
        assert denied is not spec.is_action_permitted(charter, spec.Address(signer), spec.Action(opcode))


def test_mvm_spec_trace_prints_the_trace_as_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    path = VECTORS / APPLY_BLOCK / "message_to_the_passer_burns_its_value.json"
    trace = traced_answer(vector("message_to_the_passer_burns_its_value"))["trace"]
    assert main(["trace", str(path)]) == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert printed == [line for lines in trace for line in lines]
    assert main(["trace", str(path), "--execution", "1"]) == 0
    assert [json.loads(line) for line in capsys.readouterr().out.splitlines()] == trace[1]


def test_mvm_spec_trace_refuses_what_it_cannot_trace(capsys: pytest.CaptureFixture[str]) -> None:
    rejected = VECTORS / APPLY_BLOCK / "nonce_too_low_rejected.json"
    assert main(["trace", str(rejected)]) == 1
    assert "NonceMismatch" in capsys.readouterr().err
    tax_vector = next((VECTORS / "minimal/v1/tax/compute_tax").glob("*.json"))
    assert main(["trace", str(tax_vector)]) == 2
    assert "only state_transition vectors" in capsys.readouterr().err
