"""A v2 client replays v1's vectors that v2 does not re-emit (docs/vectors.md, "Forks"), and they pass under v2.

Fork v2 overlays v1 with the fast fraud-proof window, and its cases emit vectors only for the runners whose answers
it can change (challenge, finality, rangers, services); every other v1 vector, and the v1-only cases of those
runners, are v2's too: the test replays each through the reference client with ``"fork": "v2"``, against the v2
spec modules, and expects the v1 answer. The vectors v2 re-emits with another answer are exactly the two rules v2
changes, worked out here from spec/v2/README.md rather than read from the vectors: a batch that a quorum of rangers
validated is final once its fast window is over (``fast_window_with_a_quorum``: v1 false, v2 true), and such a
batch can no longer be challenged (``challenge_after_fast_finality``: v1 opens the game, v2 refuses it with
``OutsideFraudProofWindow``); and the same two after one of the quorum's rangers was removed for strikes, since a
validation counts once made (``quorum_counts_validators_that_left``,
``challenge_after_fast_finality_and_a_validator_struck_out``); each in both presets. Under v2, their v1 vectors
fail and the v2 ones pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mvm_spec.compiler.diff import diff_forks
from mvm_spec.conformance.client import answer
from mvm_spec.conformance.runner import Vector, judge, load_vectors

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO / "tests" / "vectors"
ALL = load_vectors(VECTORS)


def case_key(vector: Vector) -> str:
    """``<preset>/<runner>/<handler>/<case>``: the same case's vector in either fork."""
    preset, _fork, rest = vector.path.split("/", 2)
    return f"{preset}/{rest}"


V1 = {case_key(vector): vector for vector in ALL if vector.document["_info"]["fork"] == "v1"}
V2 = {case_key(vector): vector for vector in ALL if vector.document["_info"]["fork"] == "v2"}
INHERITED = sorted(V1.keys() - V2.keys())

# What v2 changes, by hand from spec/v2/README.md (see the module's docstring): preset, runner, handler, case.
CHANGED_BY_V2 = {
    f"{preset}/{vector}.json"
    for preset in ("minimal", "mainnet")
    for vector in (
        "finality/is_state_batch_final/fast_window_with_a_quorum",
        "challenge/apply_operations/challenge_after_fast_finality",
        "finality/is_state_batch_final/quorum_counts_validators_that_left",
        "challenge/apply_operations/challenge_after_fast_finality_and_a_validator_struck_out",
    )
}


def as_fork(vector: Vector, fork: str) -> Vector:
    return Vector(vector.path, vector.document | {"_info": vector.document["_info"] | {"fork": fork}})


def replayed(vector: Vector, fork: str) -> str:
    """The reference client's verdict on ``vector`` asked with ``fork``: "passed", or its first difference."""
    outcome = judge(as_fork(vector, fork), answer(as_fork(vector, fork).request(0)))
    return "passed" if outcome.status == "passed" else f"{outcome.status}: {outcome.differences[:1]}"


RUNNERS = sorted({"/".join(key.split("/")[:2]) for key in INHERITED})


@pytest.mark.parametrize("preset_runner", RUNNERS)
def test_every_inherited_v1_vector_passes_under_v2(preset_runner: str) -> None:
    keys = [key for key in INHERITED if key.startswith(preset_runner + "/")]
    failures = {key: verdict for key in keys if (verdict := replayed(V1[key], "v2")) != "passed"}
    assert not failures, failures


def test_the_runners_v2_leaves_alone_are_inherited_whole() -> None:
    """v2 re-emits only the runners its rules reach; every v1 vector of another runner is inherited."""
    v2_runners = {key.split("/")[1] for key in V2}
    assert v2_runners == {"challenge", "finality", "rangers", "services"}
    others = [key for key in V1 if key.split("/")[1] not in v2_runners]
    assert others and set(others) <= set(INHERITED)
    assert {key.split("/")[1] for key in others} >= {"tax", "state_transition", "bridge", "derivation", "storage"}


def test_v2_re_emits_with_another_answer_exactly_the_rules_it_changes() -> None:
    changed = {key for key in V1.keys() & V2.keys() if V1[key].expected() != V2[key].expected()}
    assert changed == CHANGED_BY_V2
    for key in sorted(CHANGED_BY_V2):
        assert replayed(V1[key], "v2") != "passed", key  # v1's answer is no longer v2's
        assert replayed(V2[key], "v2") == "passed", key
        assert replayed(V2[key], "v1") != "passed", key  # and the rule is new: v1 gives its own answer


def test_the_vectors_v2_re_emits_unchanged_pass_under_either_fork() -> None:
    unchanged = [key for key in V1.keys() & V2.keys() if key not in CHANGED_BY_V2]
    assert unchanged
    failures = {key: verdict for key in unchanged if (verdict := replayed(V1[key], "v2")) != "passed"}
    assert not failures, failures


def test_mvm_spec_diff_words_them_as_inherited() -> None:
    diff = diff_forks(REPO / "spec", "v1", "v2", VECTORS)
    assert diff.vectors_inherited == tuple(INHERITED) and diff.vectors_removed == ()
    assert set(diff.vectors_changed) == CHANGED_BY_V2
