"""The state_transition vectors catch the two classic execution mistakes, and only the vectors that should.

Each faulty client (tests/unit/clients/execution_faulty_client.py) answers like the reference client except for
one swapped rule; running the committed vectors against it must fail exactly the vectors that exercise that rule
and pass all the others (so the vectors are neither blind to the mistake nor failing for unrelated reasons).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mvm_spec.conformance.runner import Vector, format_report, load_vectors, run_conformance

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO / "tests" / "vectors"
CLIENT = f"{sys.executable} {Path(__file__).parent / 'clients' / 'execution_faulty_client.py'}"
PREFIX = "minimal/v1/state_transition/apply_block/"

# The vectors in which a frame reached by a call into a contract executes an opcode the charter denies the signer.
NESTED_DENIAL_CASES = {
    "factory_create_denied_to_non_deployer",
    "factory_create2_denied_to_non_deployer",
    "call_into_denied_sstore_fails_inner_frame_only",
    "delegatecall_into_denied_sstore_fails_inner_frame_only",
    "callcode_into_denied_sstore_fails_inner_frame_only",
    "staticcall_into_denied_address_fails_inner_frame_only",
    "denied_sstore_two_frames_down",
}
# The vectors in which some transaction owes a tax, and the one whose sender is short only of the tax.
TAXED_CASES = {
    "marginal_tax_across_brackets",
    "exact_funds_including_tax",
    "contract_receives_exactly_msg_value",
    "failed_call_keeps_the_tax_and_returns_the_value",
    "metis_dao_sets_tax_rates_for_the_rest_of_the_block",
}
SHORT_OF_TAX_ONLY = "insufficient_funds_by_one_wei_because_of_tax"


@pytest.fixture(scope="module")
def vectors() -> list[Vector]:
    return load_vectors(VECTORS, presets=["minimal"], runners=["state_transition"])


def case_name(vector: Vector) -> str:
    return vector.path.removeprefix(PREFIX).removesuffix(".json")


def failed_cases(vectors: list[Vector], mode: str) -> set[str]:
    report = run_conformance(vectors, f"{CLIENT} {mode}", timeout=30)
    assert not report.client_problem and report.count("unanswered") == 0, format_report(report)
    return {case_name(outcome.vector) for outcome in report.outcomes if outcome.status == "failed"}


def test_the_named_cases_are_vectors(vectors: list[Vector]) -> None:
    names = {case_name(vector) for vector in vectors}
    assert NESTED_DENIAL_CASES | TAXED_CASES | {SHORT_OF_TAX_ONLY} <= names
    taxed = {
        case_name(vector)
        for vector in vectors
        if any(receipt["tax"] != "0" for receipt in vector.document.get("post", {}).get("receipts", []))
    }
    assert taxed == TAXED_CASES


def test_client_enforcing_permissions_only_at_the_envelope_fails_the_nested_denial_vectors(
    vectors: list[Vector],
) -> None:
    """A client that checks SUBMIT_TX and CREATE when admitting a transaction but runs contract calls without the
    permission hook fails every vector where a called frame reaches a denied opcode, and no other: a creation
    transaction's init code (checked, since it has no recipient) and the envelope rules still pass."""
    assert failed_cases(vectors, "envelope_only_permissions") == NESTED_DENIAL_CASES


def test_client_without_tax_fails_the_tax_vectors(vectors: list[Vector]) -> None:
    """A client that knows nothing of the tax fails every vector where a tax is owed, and the one where only the
    tax makes the sender's funds insufficient; zero-tax vectors (value 0, value at a threshold) still pass."""
    assert failed_cases(vectors, "no_tax") == TAXED_CASES | {SHORT_OF_TAX_ONLY}


def test_faulty_client_report_names_the_wrong_balance(vectors: list[Vector]) -> None:
    """The no-tax client's failure says which account is off: the treasury expected the tax and got nothing."""
    chosen = [vector for vector in vectors if case_name(vector) == "exact_funds_including_tax"]
    text = format_report(run_conformance(chosen, f"{CLIENT} no_tax", timeout=30))
    assert 'post.receipts[0].tax: expected "100000000000000", got "0"' in text
    assert 'post.accounts[2].balance: expected "100000000000000", got "0"' in text  # the treasury
