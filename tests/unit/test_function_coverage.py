"""Every public spec function is reached by some vector, and every leaf error is expected by one (issue 11).

All vectors of the minimal preset are replayed through the reference spec with each function of the rendered
module wrapped (mvm_spec/conformance/coverage.py). A function no vector reaches is a rule a client can get wrong
unseen: it needs a vector, or a line below saying why no client computes it. Fork v2 holds only what it changes,
so for v2 only its own new and modified definitions must be reached.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mvm_spec.compiler.forks import load_fork_sources, read_fork
from mvm_spec.conformance.coverage import Coverage, measure
from mvm_spec.conformance.runner import load_vectors

ROOT = Path(__file__).resolve().parents[2]

# Functions of v1 that no vector reaches, each with the reason no client needs one.
UNREACHED_BY_DESIGN = {
    "get_batch_validators": "used only by fork v2's fast finality (`is_state_batch_final`), reached by v2's vectors",
    "get_max_challenge_moves": "a bound stated for readers of the game, checked by a law (test_challenge_laws.py); no rule calls it",
    "get_genesis_marketplace": "the empty marketplace, which every services vector's `pre` writes out",
    "get_open_call_total": "the escrow's conservation law stated as a function, checked by test_services_laws.py; no rule calls it",
}
# Error names of v1 that no vector expects, each with its reason (none today: MerkleTreeTooLarge, the last, has
# vectors on trees given as repeated leaves).
UNEXPECTED_BY_DESIGN: dict[str, str] = {}


@pytest.fixture(scope="module")
def coverage() -> dict[tuple[str, str], Coverage]:
    return measure(load_vectors(ROOT / "tests" / "vectors", ["minimal"], None, None))


def test_every_v1_function_is_reached(coverage: dict[tuple[str, str], Coverage]) -> None:
    assert coverage[("v1", "minimal")].uncalled == set(UNREACHED_BY_DESIGN)


def test_every_v1_error_is_expected(coverage: dict[tuple[str, str], Coverage]) -> None:
    assert coverage[("v1", "minimal")].unraised == set(UNEXPECTED_BY_DESIGN)


def test_v2_reaches_what_it_changes(coverage: dict[tuple[str, str], Coverage]) -> None:
    v2 = next(fork for fork in load_fork_sources(ROOT / "spec") if fork.name == "v2")
    functions = coverage[("v2", "minimal")].functions
    changed = {definition.name for definition in read_fork(v2) if definition.name in functions}
    assert changed and changed <= coverage[("v2", "minimal")].called


def test_unreached_reasons_are_not_stale(coverage: dict[tuple[str, str], Coverage]) -> None:
    """A function listed above that a vector now reaches, or that no longer exists, must leave the list."""
    assert set(UNREACHED_BY_DESIGN) <= coverage[("v1", "minimal")].functions


def test_conformance_reports_what_a_client_has_not_shown(capsys: pytest.CaptureFixture[str]) -> None:
    """A client that passes only the merkle vectors is told it reached the Merkle functions and nothing of execution."""
    from mvm_spec.cli import main

    client = f"{sys.executable} -m mvm_spec.cli client"
    vectors = str(ROOT / "tests" / "vectors")
    assert (
        main(
            [
                "conformance",
                "--client",
                client,
                "--vectors",
                vectors,
                "--preset",
                "minimal",
                "--runner",
                "merkle",
                "--coverage",
            ]
        )
        == 0
    )
    shown = capsys.readouterr().out
    reached, missing = shown.split("functions not reached:")
    assert "v1/minimal: functions " in reached and "compute_merkle_root" not in missing
    assert "apply_block" in missing and "EmptyMerkleTree" not in shown.split("errors not expected:")[1]
