"""The state_transition vectors catch the classic execution mistakes, and only the vectors that should.

Each faulty client (tests/unit/clients/execution_faulty_client.py) answers like the reference client except for
one swapped rule; running the minimal preset's vectors against it must fail exactly the vectors that exercise that
rule and pass all the others (so the vectors are neither blind to the mistake nor failing for unrelated reasons).

The vectors are rendered in memory from the cases, exactly as ``mvm-spec vectors`` writes them (``mvm-spec vectors
--check`` keeps tests/vectors/ byte-identical to that), so this test does not depend on the files being regenerated.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from mvm_spec.conformance.runner import Vector, format_report, run_conformance
from mvm_spec.vectors.case import REGISTRY
from mvm_spec.vectors.writer import case_instances, render_vector

CLIENT = f"{sys.executable} {Path(__file__).parent / 'clients' / 'execution_faulty_client.py'}"
REFERENCE = f"{sys.executable} -m mvm_spec.cli client"
PREFIX = "minimal/v1/state_transition/apply_block/"
MESSAGE_PASSER = "0x4200000000000000000000000000000000000016"

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
# The vectors in which some transaction or deposit owes a tax, and the two whose sender is short only of the tax.
TAXED_CASES = {
    "marginal_tax_across_brackets",
    "exact_funds_including_tax",
    "contract_receives_exactly_msg_value",
    "failed_call_keeps_the_tax_and_returns_the_value",
    "metis_dao_sets_tax_rates_for_the_rest_of_the_block",
    "metis_dao_deposit_sets_tax_rates_for_the_rest_of_the_block",
    "taxed_deposit_pays_its_tax_to_the_treasury",
    "supply_counts_mints_burnt_fees_and_withdrawn_value",
    "forwarded_value_is_taxed_again",
    "inner_call_short_of_its_tax_fails_as_without_the_value",
    "exempt_router_forwards_untaxed",
    "reverted_inner_transfer_returns_its_tax",
    "create_endowment_is_taxed",
    "create2_endowment_is_taxed",
    "create_endowment_short_of_its_tax_fails_as_without_the_value",
    "create2_endowment_short_of_its_tax_fails_as_without_the_value",
    "selfdestruct_pays_the_tax_out_of_what_it_sends",
    "deposit_paying_through_a_forwarder_is_taxed_at_depth",
}
# The vectors in which a frame below the top one moves value to another account and keeps it, or is refused for
# want of the tax: a client taxing only the top frame's value answers them differently.
INTERNAL_TAX_CASES = {
    "forwarded_value_is_taxed_again",
    "inner_call_short_of_its_tax_fails_as_without_the_value",
    "create_endowment_is_taxed",
    "create2_endowment_is_taxed",
    "create_endowment_short_of_its_tax_fails_as_without_the_value",
    "create2_endowment_short_of_its_tax_fails_as_without_the_value",
    "selfdestruct_pays_the_tax_out_of_what_it_sends",
    "deposit_paying_through_a_forwarder_is_taxed_at_depth",
}
SHORT_OF_TAX_ONLY = {"insufficient_funds_by_one_wei_because_of_tax", "deposit_short_of_its_tax_by_one_wei_is_skipped"}
# The vectors with a post in which some deposit mints MT (whether or not its call runs).
MINTING_CASES = {
    "value_deposit_mints_and_pays_no_gas",
    "deposit_calling_a_contract",
    "creation_deposit_deploys_at_the_senders_next_address",
    "reverting_deposit_keeps_its_mint_and_nonce_increment",
    "deposit_reaching_a_forbidden_opcode_halts_its_frame",
    "taxed_deposit_pays_its_tax_to_the_treasury",
    "deposit_paying_through_a_forwarder_is_taxed_at_depth",
    "deposit_from_an_outsider_is_skipped_and_keeps_its_mint",
    "creation_deposit_from_a_non_deployer_is_skipped_and_keeps_its_mint",
    "deposit_short_of_its_tax_by_one_wei_is_skipped",
    "unauthorized_charter_update_by_deposit_is_skipped",
    "deposit_to_the_passer_withdraws_at_once",
    "message_passer_admits_a_signer_the_charter_forbids_everything",
    "supply_counts_mints_burnt_fees_and_withdrawn_value",
    "deposit_minting_up_to_the_largest_supply_accepted",
    "creation_deposit_with_a_whole_word_of_init_code",
}
# The vectors whose error only a deposit's mint causes: past the largest supply, past the bond capacity.
MINT_ERROR_CASES = {"deposit_minting_past_the_largest_supply_rejected", "deposit_beyond_any_bond_rejected"}
# The vectors with a post in which the message passer records a message carrying value.
WITHDRAWING_CASES = {
    "message_to_the_passer_burns_its_value",
    "deposit_to_the_passer_withdraws_at_once",
    "message_passer_admits_a_signer_the_charter_forbids_everything",
    "contract_calling_the_passer",
    "supply_counts_mints_burnt_fees_and_withdrawn_value",
    "contract_withdrawing_through_the_passer_pays_no_tax",
}


@pytest.fixture(scope="module")
def vectors() -> list[Vector]:
    importlib.import_module("tests.cases.test_state_transition")  # registers the state_transition cases
    cases = sorted((case for case in REGISTRY if case.runner == "state_transition"), key=lambda case: case.name)
    instances = [(case, fork, preset) for case, fork, preset in case_instances(cases) if preset == "minimal"]
    rendered = [render_vector(case, fork, preset) for case, fork, preset in instances]
    return [Vector(item.relative_path, json.loads(item.text)) for item in rendered]


def case_name(vector: Vector) -> str:
    return vector.path.removeprefix(PREFIX).removesuffix(".json")


def failed_cases(vectors: list[Vector], mode: str) -> set[str]:
    """The cases the faulty client in ``mode`` fails (the reference client for mode ``reference``)."""
    command = REFERENCE if mode == "reference" else f"{CLIENT} {mode}"
    report = run_conformance(vectors, command, timeout=30)
    assert not report.client_problem and report.count("unanswered") == 0, format_report(report)
    return {case_name(outcome.vector) for outcome in report.outcomes if outcome.status == "failed"}


def posts(vectors: list[Vector]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(case, block, post) of every vector that expects a post."""
    return [
        (case_name(vector), vector.document["input"]["block"], vector.document["post"])
        for vector in vectors
        if "post" in vector.document
    ]


def test_the_named_cases_are_vectors(vectors: list[Vector]) -> None:
    names = {case_name(vector) for vector in vectors}
    named = NESTED_DENIAL_CASES | TAXED_CASES | INTERNAL_TAX_CASES | SHORT_OF_TAX_ONLY | MINTING_CASES | WITHDRAWING_CASES
    assert named <= names
    taxed = {name for name, _, post in posts(vectors) if any(receipt["tax"] != "0" for receipt in post["receipts"])}
    assert taxed == TAXED_CASES
    minting = {name for name, block, _ in posts(vectors) if any(d["deposit"]["mint"] != "0" for d in block["deposits"])}
    assert minting == MINTING_CASES
    withdrawing = {
        name
        for name, _, post in posts(vectors)
        if any(
            log["address"] == MESSAGE_PASSER and int(log["data"][2 + 2 * 0x80 : 2 + 2 * 0xA0], 16) > 0
            for receipt in post["receipts"]
            for log in receipt["logs"]
        )
    }
    assert withdrawing == WITHDRAWING_CASES


def test_reference_client_passes_every_vector(vectors: list[Vector]) -> None:
    assert failed_cases(vectors, "reference") == set()


def test_client_enforcing_permissions_only_at_the_envelope_fails_the_nested_denial_vectors(
    vectors: list[Vector],
) -> None:
    """A client that checks SUBMIT_TX and CREATE when admitting a transaction but runs contract calls without the
    permission hook fails every vector where a called frame reaches a denied opcode, and no other: a creation
    transaction's init code (checked, since it has no recipient), the envelope rules, the exempt message passer and
    deposits (whose calls it still checks) pass."""
    assert failed_cases(vectors, "envelope_only_permissions") == NESTED_DENIAL_CASES


def test_client_without_tax_fails_the_tax_vectors(vectors: list[Vector]) -> None:
    """A client that knows nothing of the tax fails every vector where a tax is owed, and the two where only the
    tax makes the sender's funds insufficient (a transaction then valid, a deposit then run); zero-tax vectors
    (value 0, value at a threshold) still pass."""
    assert failed_cases(vectors, "no_tax") == TAXED_CASES | SHORT_OF_TAX_ONLY


def test_client_taxing_only_the_top_frame_fails_the_vectors_taxing_deeper_frames(vectors: list[Vector]) -> None:
    """A client that taxes a transaction's or deposit's own value only (the rule before the tax held at every
    depth) fails every vector in which a deeper frame moves value and keeps it or is refused for want of the tax,
    and no other: a forward that reverts, an exempt router, a message to the passer and a CALLCODE owe no inner
    tax either way."""
    assert failed_cases(vectors, "top_level_tax_only") == INTERNAL_TAX_CASES


def test_client_ignoring_exemptions_fails_the_exemption_vector(vectors: list[Vector]) -> None:
    """A client that taxes an exempt router's payments fails the vector where one pays out, and no other."""
    assert failed_cases(vectors, "no_exemptions") == {"exempt_router_forwards_untaxed"}


# The vectors with a call to the charter that a client updating the charter only by top-level transactions (no
# charter calls inside the EVM) answers differently: the charter call's gas, a contract's call updating (or failing
# to), and the value or the 0/1 the charter's address gives back. A DELEGATECALL of it runs no charter call either
# way, and refused top-level updates are refused by the same rule.
CHARTER_CALL_CASES = {
    "charter_update_admits_a_submitter_for_the_rest_of_the_block",
    "metis_dao_sets_tax_rates_for_the_rest_of_the_block",
    "metis_dao_deposit_sets_tax_rates_for_the_rest_of_the_block",
    "voting_contract_updates_the_charter_at_depth",
    "charter_update_undone_by_its_reverting_caller",
    "contract_not_managing_the_charter_cannot_update_it",
    "static_call_to_the_charter_fails",
    "charter_call_with_value_at_depth_fails",
    "second_update_judged_against_the_first",
    "refused_charter_call_one_byte_into_its_32nd_word",
    "refused_charter_call_of_one_whole_word_pays_for_one_word",
}


def test_client_updating_the_charter_only_at_the_top_fails_the_charter_call_vectors(vectors: list[Vector]) -> None:
    """A client for which the charter's address is an account without code inside the EVM (updates only by a
    transaction or deposit addressed to it, for no gas of their own) fails every vector with a charter call, and
    no other."""
    assert failed_cases(vectors, "top_level_charter_updates") == CHARTER_CALL_CASES


# The vectors whose transaction holds a number beyond its type: a client that does not check the ranges answers
# another rule (or fails on the number), and the vectors at the edge of each type pass either way.
OUT_OF_RANGE_CASES = {
    "nonce_beyond_uint64_is_no_transaction",
    "gas_limit_beyond_uint64_is_no_transaction",
    "value_beyond_uint256_is_no_transaction",
    "fee_cap_beyond_uint256_is_no_transaction",
    "priority_fee_beyond_uint256_is_no_transaction",
    "legacy_gas_price_beyond_uint256_is_no_transaction",
}


def test_client_not_checking_field_ranges_fails_the_out_of_range_vectors(vectors: list[Vector]) -> None:
    assert failed_cases(vectors, "no_field_ranges") == OUT_OF_RANGE_CASES


def test_client_on_py_evm_as_is_fails_the_cancun_corrections(vectors: list[Vector]) -> None:
    """py-evm 0.12.1b1 without the adapter's corrections gets exactly the EIP-7610 collisions and 0 ** 0 wrong; its
    other MODEXP answers for an empty base happen to be right (0 ** e % m is 0 for e > 0, and 1 % 1 is 0)."""
    assert failed_cases(vectors, "py_evm_as_is") == {
        "creation_onto_an_address_with_only_storage_collides",
        "create2_onto_an_address_with_only_storage_collides",
        "modexp_of_an_empty_base_to_the_zero_is_one",
    }


def test_client_ignoring_the_mint_fails_the_minting_vectors(vectors: list[Vector]) -> None:
    """A client that applies deposits without their mint fails every vector with a post in which a deposit mints,
    whether its call runs or is skipped, and those a mint alone makes invalid; no other: a deposit refused for
    another reason is refused all the same."""
    assert failed_cases(vectors, "no_mint") == MINTING_CASES | MINT_ERROR_CASES


def test_client_not_burning_withdrawn_value_fails_the_withdrawing_vectors(vectors: list[Vector]) -> None:
    """A client that leaves the value of L2->L1 messages in the passer fails every vector where a message carries
    value, and no other: messages without value, and malformed messages whose value stays with their sender, pass."""
    assert failed_cases(vectors, "no_passer_burn") == WITHDRAWING_CASES


def test_faulty_client_report_names_the_wrong_balance(vectors: list[Vector]) -> None:
    """The no-tax client's failure says which account is off: the treasury expected the tax and got nothing."""
    chosen = [vector for vector in vectors if case_name(vector) == "exact_funds_including_tax"]
    text = format_report(run_conformance(chosen, f"{CLIENT} no_tax", timeout=30))
    assert 'post.receipts[0].tax: expected "100000000000000", got "0"' in text
    assert 'post.accounts[2].balance: expected "100000000000000", got "0"' in text  # the treasury


def test_report_names_the_unburnt_passer_balance_and_supply(vectors: list[Vector]) -> None:
    chosen = [vector for vector in vectors if case_name(vector) == "deposit_to_the_passer_withdraws_at_once"]
    text = format_report(run_conformance(chosen, f"{CLIENT} no_passer_burn", timeout=30))
    assert 'post.accounts[1].balance: expected "0", got "400000000000000000"' in text  # the passer
    assert "post.coinbase_supply: expected " in text
