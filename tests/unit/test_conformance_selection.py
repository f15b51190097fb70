"""A client that picks each epoch's sequencer uniformly (ignoring stake), or gets the fallbacks wrong, fails the
selection vectors.

tests/unit/clients/uniform_selection_client.py answers like the reference client except that it accepts the first
candidate drawn (in every draw) instead of accepting it with probability locked / MAX_SEQUENCER_LOCK. The weighted-pool vectors
(tests/cases/test_sequencing.py, four sequencers staking 20/35/60/100% of the maximum lock, epochs 0-19) must catch
it; vectors where at most one sequencer is eligible, and every other handler, cannot and must not.

The vectors are rendered in memory from the cases, exactly as ``mvm-spec vectors`` writes them (``mvm-spec vectors
--check`` keeps tests/vectors/ byte-identical to that), so this test does not depend on the files being regenerated.
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

UNIFORM = f"{sys.executable} {Path(__file__).parent / 'clients' / 'uniform_selection_client.py'}"
REFERENCE = f"{sys.executable} -m mvm_spec.cli client"


@pytest.fixture(scope="module")
def selection_vectors() -> list[Vector]:
    importlib.import_module("tests.cases.test_sequencing")  # registers the selection cases
    cases = sorted(
        (case for case in REGISTRY if case.runner == "selection"), key=lambda case: (case.handler, case.name)
    )
    rendered = [render_vector(case, fork, preset) for case, fork, preset in case_instances(cases)]
    return [Vector(item.relative_path, json.loads(item.text)) for item in rendered]


def failed_paths(vectors: list[Vector], client: str) -> set[str]:
    report = run_conformance(vectors, client)
    assert report.count("unanswered") == 0 and not report.client_problem, format_report(report)
    return {outcome.vector.path for outcome in report.outcomes if outcome.status == "failed"}


def test_reference_client_passes_selection(selection_vectors: list[Vector]) -> None:
    assert failed_paths(selection_vectors, REFERENCE) == set()


def test_uniform_selection_fails_the_weighted_pool_vectors(selection_vectors: list[Vector]) -> None:
    failed = failed_paths(selection_vectors, UNIFORM)
    for preset in ("minimal", "mainnet"):
        weighted = {
            vector.path
            for vector in selection_vectors
            if vector.path.startswith(f"{preset}/") and "/weighted_pool_epoch_" in vector.path
        }
        assert len(weighted) == 20
        caught = failed & weighted
        # Several draws need more than one attempt and a uniform client gets those wrong; a succession draws up to
        # 1 + MAX_SEQUENCER_FALLBACKS times, so most of the 20 epochs catch it today.
        assert len(caught) >= 5, f"{preset}: only {len(caught)} of 20 weighted epochs catch a uniform choice"
    # Only vectors that draw among two or more candidates can fail: successions, and who serves now.
    assert all("/get_epoch_sequencers/" in path or "/get_current_sequencer/" in path for path in failed)
    assert not any("unsequenced" in path or "only_eligible" in path or "unknown_chain" in path for path in failed)


def test_uniform_selection_report_names_the_sequencer(selection_vectors: list[Vector]) -> None:
    weighted = [vector for vector in selection_vectors if "/weighted_pool_epoch_" in vector.path]
    text = format_report(run_conformance(weighted, UNIFORM), max_differences=40)
    assert 'output.sequencers[' in text and ': expected "0x' in text
    assert "conformance: " in text and " 0 unanswered" in text


@pytest.mark.parametrize(
    ("mode", "catching"),
    [
        ("no_fallback", {"silent_first_choice_is_replaced_at_the_timeout", "second_fallback_after_a_second_silence"}),
        ("timeout_ignores_batches", {"a_batch_restarts_the_timeout"}),
        ("exiting_keeps_serving", {"exiting_sequencer_sequences_nothing"}),
        ("unbound_fallbacks", set()),  # which of the two twins catches it depends on the draw
    ],
)
def test_fallback_mistakes_fail_the_selection_vectors(selection_vectors: list[Vector], mode: str, catching: set[str]) -> None:
    """Each mistake in replacing a silent or exiting sequencer, or in binding fallback slots, fails at least one
    selection vector (and the named ones), and only vectors about successions or who serves now."""
    failed = failed_paths(selection_vectors, f"{UNIFORM} {mode}")
    assert failed, f"no selection vector catches a client with mistake {mode}"
    assert all("/get_epoch_sequencers/" in path or "/get_current_sequencer/" in path for path in failed)
    names = {path.rsplit("/", 1)[-1].removesuffix(".json") for path in failed}
    assert catching <= names, f"{mode}: {sorted(catching - names)} did not catch it"
    if mode == "unbound_fallbacks":
        assert any("fallback_slots_count_against_the_stake" in name for name in names)
