"""The conformance runner against the reference client and against deliberately faulty clients."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from eth_hash.auto import keccak

from mvm_spec.cli import main
from mvm_spec.conformance.runner import Vector, find_repository_vectors, format_report, load_vectors, run_conformance

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO / "tests" / "vectors"
FAULTY = f"{sys.executable} {Path(__file__).parent / 'clients' / 'faulty_client.py'}"
REFERENCE = f"{sys.executable} -m mvm_spec.cli client"


@pytest.fixture(scope="module")
def minimal_vectors() -> list[Vector]:
    return load_vectors(VECTORS, presets=["minimal"])


def test_reference_client_passes_every_vector(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["conformance", "--client", REFERENCE, "--vectors", str(VECTORS), "--require-all"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert " 0 failed, 0 unanswered" in printed


def test_client_adding_one_to_tax_fails_with_readable_diff(minimal_vectors: list[Vector]) -> None:
    report = run_conformance(minimal_vectors, f"{FAULTY} tax_plus_one")
    taxed = [vector for vector in minimal_vectors if vector.runner == "tax" and "output" in vector.document]
    assert report.count("failed") == len(taxed)
    text = format_report(report)
    assert 'output.tax: expected "0", got "1"' in text
    assert "First differences" in text


def test_client_naming_the_wrong_error_fails(minimal_vectors: list[Vector]) -> None:
    """Rejecting an invalid schedule for the wrong reason is not a pass."""
    report = run_conformance(minimal_vectors, f"{FAULTY} wrong_error")
    rejections = [vector for vector in minimal_vectors if "error" in vector.document]
    assert rejections and report.count("failed") == len(rejections)
    assert "error: expected TaxRateAboveMaximum, got InvalidTaxSchedule" in format_report(report, len(rejections))


def test_a_client_crashing_on_a_schema_valid_request_fails_the_vector(minimal_vectors: list[Vector]) -> None:
    """The leaky_tax client answers with a spec whose compute_tax raises ValueError from 2^255 on: every tax vector
    whose value is at least 2^255 fits the schema, so each fails as a crash (not as a protocol error), whatever it
    expects, and every other vector passes."""
    taxes = [vector for vector in minimal_vectors if vector.runner == "tax"]
    leaking = [vector for vector in taxes if int(vector.document["input"]["value"]) >= 2**255]
    assert leaking and len(leaking) < len(taxes)
    report = run_conformance(taxes, f"{FAULTY} leaky_tax")
    failed = [outcome for outcome in report.outcomes if outcome.status == "failed"]
    assert [outcome.vector.path for outcome in failed] == [vector.path for vector in leaking]
    for outcome in failed:
        assert outcome.differences == (
            "client crashed on a request that fits the schema: ValueError: planted leak: "
            f"{outcome.vector.document['input']['value']} does not fit",
        )
    assert report.count("passed") == len(taxes) - len(leaking) and not report.client_problem


def test_crashing_client_is_reported_not_raised(minimal_vectors: list[Vector]) -> None:
    report = run_conformance(minimal_vectors, f"{FAULTY} crash_after_2")
    assert report.count("passed") == 2
    assert report.count("unanswered") == len(minimal_vectors) - 2
    text = format_report(report)
    assert "client exited with code 3" in text
    assert "faulty client: simulated crash" in text


def test_garbage_answers_are_reported(minimal_vectors: list[Vector]) -> None:
    report = run_conformance(minimal_vectors[:3], f"{FAULTY} garbage")
    assert report.count("failed") == 3
    assert "answer is not JSON: 'this is not json'" in format_report(report)


def test_silent_client_times_out_instead_of_hanging(minimal_vectors: list[Vector]) -> None:
    report = run_conformance(minimal_vectors[:3], f"{FAULTY} silent", timeout=0.5)
    assert report.count("failed") == 1 and report.count("unanswered") == 2
    assert "no answer within 0.5 s" in format_report(report)


def test_answers_with_wrong_id_fail(minimal_vectors: list[Vector]) -> None:
    report = run_conformance(minimal_vectors[:2], f"{FAULTY} wrong_id")
    assert report.count("failed") == 2
    assert "answer has id 1000, expected 0" in format_report(report)


def test_unanswered_runners_are_listed_and_fail_only_with_require_all(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["conformance", "--client", f"{FAULTY} unsupported", "--vectors", str(VECTORS), "--preset", "minimal"]
    assert main(base) == 0
    runners = ", ".join(sorted({vector.runner for vector in load_vectors(VECTORS, presets=["minimal"])}))
    assert f"Runners the client never answered: {runners}" in capsys.readouterr().out
    assert main([*base, "--require-all"]) == 1


def test_missing_client_program_is_reported(minimal_vectors: list[Vector]) -> None:
    report = run_conformance(minimal_vectors[:1], "/nonexistent/mvm-client")
    assert "could not start client" in format_report(report)


def test_tampered_vector_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "vectors"
    copy.mkdir()
    for path in VECTORS.rglob("*.json"):
        target = copy / path.relative_to(VECTORS)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    victim = next(copy.glob("minimal/v1/tax/compute_tax/*.json"))
    victim.write_text(victim.read_text().replace('"tax"', '"tax" ', 1))
    with pytest.raises(ValueError, match="does not match its sha256"):
        load_vectors(copy)


# Lib_MerkleTree's published default nodes for depths 0-2.
DEFAULT_0 = bytes.fromhex("290decd9548b62a8d60345a988386fc84ba6bc95484008f6362f93160ef3e563")
DEFAULT_1 = bytes.fromhex("633dc4d7da7256660a892f8f1604a44b5432649cc8ec5cb3ced4c4e6ac94dd1d")
DEFAULT_2 = bytes.fromhex("890740a8eb06ce9be422cb8da5cdafc2b58c0a5e24036c578de2a433c828ff7d")
# Merkle root vectors (tests/cases/test_merkle.py) whose trees have an odd level, and those without one.
ODD_ROOT_CASES = {
    "three_leaves",
    "five_leaves",
    "seven_leaves",
    "nine_leaves",
    "three_zero_hash_leaves_give_default_2",
    "five_zero_hash_leaves_give_default_3",
    "duplicate_leaves_are_kept",
    "deepest_padding",
}
EVEN_ROOT_CASES = {
    "one_leaf",
    "two_leaves",
    "four_leaves",
    "eight_leaves",
    "two_zero_hash_leaves_give_default_1",
    "eight_zero_hash_leaves_give_default_3",
    "empty_tree",
    "largest_full_tree",
    "tree_needing_default_16",
}


def test_client_padding_merkle_levels_with_zero_fails_odd_trees(minimal_vectors: list[Vector]) -> None:
    """Padding an odd level with bytes32(0) instead of the default node is caught by every tree with an odd level,
    and only by those: power-of-two trees (and the empty tree) need no padding and pass."""
    merkle = [vector for vector in minimal_vectors if vector.runner == "merkle"]
    report = run_conformance(merkle, f"{FAULTY} zero_padding")
    assert report.count("unanswered") == 0 and not report.client_problem
    failed = {outcome.vector.path for outcome in report.outcomes if outcome.status == "failed"}
    passed = {outcome.vector.path for outcome in report.outcomes if outcome.status == "passed"}
    assert failed == {f"minimal/v1/merkle/root/{name}.json" for name in ODD_ROOT_CASES}
    assert {f"minimal/v1/merkle/root/{name}.json" for name in EVEN_ROOT_CASES} <= passed
    assert len(passed) == len(merkle) - len(ODD_ROOT_CASES)  # proofs and verification are the reference's

    text = format_report(report)
    assert f"First differences ({len(ODD_ROOT_CASES)} of {len(ODD_ROOT_CASES)} failed vectors)" in text
    # Three zero-hash leaves: the spec's root is the published default[2]; the faulty client pairs the odd leaf
    # with zero, giving keccak256(default[1] ++ keccak256(default[0] ++ bytes32(0))).
    wrong = keccak(DEFAULT_1 + keccak(DEFAULT_0 + bytes(32)))
    assert f'output.root: expected "0x{DEFAULT_2.hex()}", got "0x{wrong.hex()}"' in text
    three = next(vector for vector in merkle if vector.path.endswith("/root/three_leaves.json"))
    expected_root = three.document["output"]["root"]
    assert f'output.root: expected "{expected_root}", got "0x' in text


def test_zero_padding_client_fails_conformance_command(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["conformance", "--client", f"{FAULTY} zero_padding", "--vectors", str(VECTORS), "--runner", "merkle"]
    assert main(base) == 1
    printed = capsys.readouterr().out
    assert "output.root: expected" in printed
    assert f" {2 * len(ODD_ROOT_CASES)} failed, 0 unanswered" in printed  # the odd trees, on both presets


def test_conformance_finds_the_repository_vectors_from_any_folder_of_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO / "docs")
    assert main(["conformance", "--client", f"{FAULTY} unsupported", "--preset", "minimal", "--runner", "tax"]) == 0
    assert "conformance: 0 passed, 0 failed, " in capsys.readouterr().out


def test_conformance_outside_a_repository_asks_for_vectors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["conformance", "--client", f"{FAULTY} unsupported"]) == 2
    assert "--vectors DIR" in capsys.readouterr().err
    assert find_repository_vectors(tmp_path) is None
    assert find_repository_vectors(VECTORS / "minimal" / "v1") == VECTORS


def test_client_subprocesses_import_this_checkout() -> None:
    """tests/conftest.py: a client run as a subprocess imports this checkout's mvm_spec, so a faulty client in a
    second worktree tests that worktree's spec, not the one the shared venv's editable install points at."""
    imported = subprocess.run(
        [sys.executable, "-c", "import mvm_spec; print(mvm_spec.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent,  # not a folder holding an mvm_spec: `python -c` puts its cwd first on sys.path
    ).stdout.strip()
    assert Path(imported) == Path(__file__).resolve().parents[2] / "mvm_spec" / "__init__.py"
