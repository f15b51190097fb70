"""The bridge and derivation vectors catch the classic bridge mistakes, and only the vectors that should.

Each faulty client (tests/unit/clients/bridge_faulty_client.py) answers like the reference client except for one
swapped rule. Run against the bridge, derivation and batch vectors (rendered in memory from the cases, as
``mvm-spec vectors`` writes them), it must fail exactly the vectors that exercise that rule: not blind to the
mistake, and not failing for unrelated reasons.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pytest

from mvm_spec.conformance.runner import Vector, format_report, run_conformance
from mvm_spec.vectors.case import REGISTRY
from mvm_spec.vectors.writer import case_instances, render_vector

CLIENT = f"{sys.executable} {Path(__file__).parent / 'clients' / 'bridge_faulty_client.py'}"
REFERENCE = f"{sys.executable} -m mvm_spec.cli client"
RUNNERS = ("bridge", "derivation", "batch")

# The vectors whose proof is forged in some way the spec's checks refuse.
FORGED_PROOFS = {
    "bridge/prove_withdrawal/withdrawal_proof_with_another_preimage",
    "bridge/prove_withdrawal/withdrawal_proof_against_an_unknown_batch",
    "bridge/prove_withdrawal/withdrawal_proof_on_another_chain",
    "bridge/prove_withdrawal/withdrawal_proof_with_a_sibling_too_many",
    "bridge/prove_withdrawal/withdrawal_proof_missing_a_trie_node",
    "bridge/prove_withdrawal/withdrawal_proof_with_a_tampered_storage_node",
    "bridge/prove_withdrawal/withdrawal_never_made",
    "bridge/prove_withdrawal/withdrawal_proof_against_a_forged_message_passer_root",
    "bridge/prove_withdrawal/withdrawal_proof_whose_account_is_not_an_account",
    "bridge/prove_withdrawal/withdrawal_proof_whose_slot_is_not_a_word",
}
EARLY_PAYOUT = {"bridge/finalize_withdrawal/withdrawal_one_second_before_its_batch_is_final"}
ALIASED = {
    "bridge/deposit_into_dac/deposit_from_a_contract_is_aliased",
    "derivation/derive_chain/charter_update_from_an_unentitled_l1_contract_is_skipped",
}
ALIASED_ON_MAINNET = {  # MetisDAO's L1 governance is a contract on mainnet only
    "derivation/derive_chain/metis_dao_sets_tax_rates_from_l1",
    "bridge/apply_operations/treasury_withdraws_its_taxes_from_l1",
}


@pytest.fixture(scope="module")
def vectors() -> list[Vector]:
    for module in ("test_bridge", "test_derivation", "test_batch"):
        importlib.import_module(f"tests.cases.{module}")
    cases = sorted((case for case in REGISTRY if case.runner in RUNNERS), key=lambda case: (case.runner, case.name))
    rendered = [render_vector(case, fork, preset) for case, fork, preset in case_instances(cases)]
    return [Vector(item.relative_path, json.loads(item.text)) for item in rendered]


def failed(vectors: list[Vector], client: str) -> set[str]:
    """The failed vectors, as '<preset>:<runner>/<handler>/<case>'."""
    report = run_conformance(vectors, client, timeout=60)
    assert report.count("unanswered") == 0 and not report.client_problem, format_report(report)
    paths = [outcome.vector.path for outcome in report.outcomes if outcome.status == "failed"]
    return {f"{path.split('/')[0]}:{'/'.join(path.split('/')[2:]).removesuffix('.json')}" for path in paths}


def on_both(names: set[str]) -> set[str]:
    return {f"{preset}:{name}" for preset in ("minimal", "mainnet") for name in names}


def test_reference_client_passes(vectors: list[Vector]) -> None:
    assert failed(vectors, REFERENCE) == set()


def test_client_skipping_the_proof_fails_every_forged_proof(vectors: list[Vector]) -> None:
    assert failed(vectors, f"{CLIENT} no_proof_check") == on_both(FORGED_PROOFS)


def test_client_skipping_finality_fails_the_early_payout(vectors: list[Vector]) -> None:
    assert failed(vectors, f"{CLIENT} no_finality_check") == on_both(EARLY_PAYOUT)


def test_client_without_aliasing_fails_the_contract_deposits(vectors: list[Vector]) -> None:
    expected = on_both(ALIASED) | {f"mainnet:{name}" for name in ALIASED_ON_MAINNET}
    assert failed(vectors, f"{CLIENT} no_alias") == expected


def test_client_without_forced_blocks_fails_forced_inclusion(vectors: list[Vector]) -> None:
    """Every vector in which the sequencing window lapses: derivation's forced blocks, and batches numbered after
    them (minimal preset only: mainnet's window is 3,600 L1 blocks)."""
    failures = failed(vectors, f"{CLIENT} no_forced_blocks")
    assert "minimal:derivation/derive_chain/deposit_is_forced_in_when_the_sequencer_is_silent" in failures
    assert "minimal:derivation/derive_chain/forced_blocks_follow_l1_time" in failures
    assert "minimal:derivation/derive_chain/producer_is_the_provider_of_the_origins_epoch" in failures
    assert not any(name.startswith("mainnet:") for name in failures)
    assert "minimal:derivation/derive_chain/no_forced_block_inside_the_sequencing_window" not in failures


def test_client_judging_capacity_on_the_mint_alone_fails_the_jamming_deposit(vectors: list[Vector]) -> None:
    """A client that forgets what is already locked for the DAC accepts the deposit no stake could ever release."""
    expected = on_both({"bridge/deposit_into_dac/deposit_beyond_the_remaining_bond_capacity"})
    assert failed(vectors, f"{CLIENT} mint_alone_capacity") == expected


def test_client_without_the_drain_bound_fails_the_per_block_vectors(vectors: list[Vector]) -> None:
    """A client that lets a whole queue leave in one L1 block fails the two vectors where a fifth deposit of the
    block must wait (minimal preset only: mainnet's bound, 64, needs more deposits than its vectors hold)."""
    expected = {
        "minimal:bridge/apply_operations/drain_moves_at_most_max_deposits_per_l1_block",
        "minimal:bridge/apply_operations/deposits_of_one_l1_block_are_counted_across_calls",
    }
    assert failed(vectors, f"{CLIENT} no_drain_bound") == expected
