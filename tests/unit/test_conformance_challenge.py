"""The challenge vectors catch the classic fraud-proof mistakes, and only the vectors that should.

Each faulty client (tests/unit/clients/challenge_faulty_client.py) answers like the reference client except for one
swapped rule. Run against the challenge and stakes vectors (rendered in memory from the cases, as ``mvm-spec
vectors`` writes them), it must fail the vectors that exercise that rule and no vector of an unrelated rule.
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

CLIENT = f"{sys.executable} {Path(__file__).parent / 'clients' / 'challenge_faulty_client.py'}"
REFERENCE = f"{sys.executable} -m mvm_spec.cli client"

TIMEOUTS = {
    "challenge/apply_operations/defender_times_out",
    "challenge/apply_operations/challenger_times_out_on_its_answer",
    "challenge/apply_operations/game_outlives_the_window",
    "challenge/apply_operations/second_challenge_becomes_moot",
    "challenge/apply_operations/move_in_a_moot_challenge",
    "challenge/apply_operations/challenge_of_a_deleted_batch",
    "challenge/apply_operations/second_fraud_is_slashed_again",
    "challenge/apply_operations/lost_game_stays_lost_when_a_later_game_deletes_the_batch",
}


@pytest.fixture(scope="module")
def vectors() -> list[Vector]:
    importlib.import_module("tests.cases.test_challenge")
    cases = sorted((case for case in REGISTRY if case.runner == "challenge"), key=lambda case: case.name)
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


def test_client_letting_the_late_party_win_fails_every_timeout(vectors: list[Vector]) -> None:
    assert failed(vectors, f"{CLIENT} timeout_wins") == on_both(TIMEOUTS)


def test_client_settling_without_the_step_fails_the_defender_s_win(vectors: list[Vector]) -> None:
    assert failed(vectors, f"{CLIENT} no_step_check") == on_both(
        {
            "challenge/apply_operations/wrong_challenger_loses_its_bond",
            "challenge/apply_operations/witness_of_another_state",
            "challenge/apply_operations/witness_missing_trie_nodes",
            "challenge/apply_operations/parent_witness_missing_trie_nodes",
        }
    )


def test_client_trusting_the_witness_fails_the_invented_state(vectors: list[Vector]) -> None:
    assert failed(vectors, f"{CLIENT} no_witness_check") == on_both({"challenge/apply_operations/witness_of_another_state"})


def test_client_checking_the_window_at_deletion_fails_the_long_game(vectors: list[Vector]) -> None:
    # On mainnet the later game of lost_game_stays_lost... also ends past the window: two 3.5-day clocks after the
    # first game's, where the minimal preset's clocks are short.
    later_game = "mainnet:challenge/apply_operations/lost_game_stays_lost_when_a_later_game_deletes_the_batch"
    assert failed(vectors, f"{CLIENT} window_at_deletion") == on_both({"challenge/apply_operations/game_outlives_the_window"}) | {later_game}


def test_client_releasing_slashed_stake_fails_every_slash(vectors: list[Vector]) -> None:
    failures = failed(vectors, f"{CLIENT} slash_releases")
    assert on_both({"challenge/apply_operations/second_fraud_is_slashed_again"}) <= failures
    assert on_both({"challenge/apply_operations/challenger_proves_a_forged_root"}) <= failures
    assert not any("wrong_challenger" in name or "get_block_trace" in name for name in failures)
