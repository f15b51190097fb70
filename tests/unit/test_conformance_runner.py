"""The conformance runner against the reference client and against deliberately faulty clients."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mvm_spec.cli import main
from mvm_spec.conformance.runner import Vector, format_report, load_vectors, run_conformance

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
    assert report.count("failed") == sum(1 for vector in minimal_vectors if "output" in vector.document)
    text = format_report(report)
    assert 'output.tax: expected "0", got "1"' in text
    assert "First differences" in text


def test_client_naming_the_wrong_error_fails(minimal_vectors: list[Vector]) -> None:
    """Rejecting an invalid schedule for the wrong reason is not a pass."""
    report = run_conformance(minimal_vectors, f"{FAULTY} wrong_error")
    rejections = [vector for vector in minimal_vectors if "error" in vector.document]
    assert rejections and report.count("failed") == len(rejections)
    assert "error: expected TaxRateAboveMaximum, got InvalidTaxSchedule" in format_report(report, len(rejections))


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
    assert "Runners the client never answered: tax" in capsys.readouterr().out
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
