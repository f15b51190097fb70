"""The vector writer: schema validity, byte-identical regeneration, drift detection, reproducible tarballs."""

from __future__ import annotations

import hashlib
import json
import tarfile
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator

import pytest

from mvm_spec.cli import main
from mvm_spec.forks import load_spec
from mvm_spec.vectors.case import CaseBody, CaseError, Part, VectorCase
from mvm_spec.vectors.validation import VectorFormatError, schema_texts, validate_vector
from mvm_spec.vectors.writer import (
    VectorFile,
    case_instances,
    compare_files,
    load_cases,
    render_vector,
    with_schemas_and_manifest,
    write_files,
    write_tarball,
)

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO / "tests" / "vectors"
CASES = REPO / "tests" / "cases"


def generate() -> list[VectorFile]:
    return list(with_schemas_and_manifest([render_vector(*instance) for instance in case_instances(load_cases(CASES))]))


def test_every_committed_vector_matches_its_schema_and_manifest() -> None:
    manifest = json.loads((VECTORS / "manifest.json").read_text())
    listed = set(manifest["files"])
    on_disk = {path.relative_to(VECTORS).as_posix() for path in VECTORS.glob("*/v*/**/*.json")}
    assert listed == on_disk
    for relative, digest in manifest["files"].items():
        raw = (VECTORS / relative).read_bytes()
        assert hashlib.sha256(raw).hexdigest() == digest, relative
        document = json.loads(raw)
        validate_vector(document["_info"]["runner"], document)
    assert manifest["total"] == len(listed) == sum(n for counts in manifest["counts"].values() for n in counts.values())


def test_generation_is_byte_identical_and_matches_disk(tmp_path: Path) -> None:
    first, second = generate(), generate()
    assert first == second
    write_files(tmp_path, first)
    assert compare_files(tmp_path, second) == []
    assert compare_files(VECTORS, first) == []


def test_check_reports_edited_missing_and_stale_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "vectors"
    command = ["vectors", "--cases", str(CASES), "--out", str(out), "--formats-page", str(tmp_path / "formats.md")]
    assert main(command) == 0
    assert main([*command, "--check"]) == 0
    edited = next(out.glob("minimal/v1/tax/compute_tax/*.json"))
    edited.write_text(edited.read_text().replace("\n", "\n ", 1))
    (out / "minimal" / "v1" / "tax" / "compute_tax" / "left_over.json").write_text("{}\n")
    next(out.glob("mainnet/v1/tax/compute_tax/*.json")).unlink()
    capsys.readouterr()
    assert main([*command, "--check"]) == 1
    errors = capsys.readouterr().err
    assert f"differs: minimal/v1/tax/compute_tax/{edited.name}" in errors
    assert "stale (no case emits it): minimal/v1/tax/compute_tax/left_over.json" in errors
    assert "missing: mainnet/v1/tax/compute_tax/" in errors
    assert "make vectors" in errors
    assert main(command) == 0  # regenerating repairs all three
    assert not (out / "minimal" / "v1" / "tax" / "compute_tax" / "left_over.json").exists()


def test_tarball_is_reproducible(tmp_path: Path) -> None:
    files = generate()
    write_tarball(files, tmp_path / "a.tar.gz")
    write_tarball(list(reversed(files)), tmp_path / "b.tar.gz")
    assert (tmp_path / "a.tar.gz").read_bytes() == (tmp_path / "b.tar.gz").read_bytes()
    with tarfile.open(tmp_path / "a.tar.gz") as archive:
        names = archive.getnames()
        assert names == sorted(names)
        assert all(member.mtime == 0 for member in archive.getmembers())
        assert "mvm-spec-vectors/manifest.json" in names


def _case(body: CaseBody) -> VectorCase:
    return VectorCase("tax", "compute_tax", "bad", body, ("v1",), ("minimal",), "", "test::bad")


def test_case_must_yield_an_expected_part_last() -> None:
    spec = load_spec("v1", "minimal")

    def no_result(spec: ModuleType) -> Iterator[Part]:
        yield "input", {}

    def input_after_output(spec: ModuleType) -> Iterator[Part]:
        yield "output", {}
        yield "input", {}

    def unknown_part(spec: ModuleType) -> Iterator[Part]:
        yield "expected", {}

    bodies: list[tuple[CaseBody, str]] = [(no_result, "no expected part"), (input_after_output, "after the expected"), (unknown_part, "unknown part")]
    for body, message in bodies:
        with pytest.raises(CaseError, match=message):
            _case(body).parts(spec)


def test_schema_rejects_wrongly_encoded_parts() -> None:
    good = {"input": {"value": "1", "schedule": []}, "output": {"tax": "0"}}
    validate_vector("tax", good, "compute_tax")
    bad_documents: list[dict[str, Any]] = [
        {"input": {"value": 1, "schedule": []}, "output": {"tax": "0"}},  # amount as a JSON number
        {"input": {"value": "01", "schedule": []}, "output": {"tax": "0"}},  # leading zero
        {"input": {"value": "1", "schedule": []}, "output": {"tax": "0"}, "error": "TaxRateAboveMaximum"},  # both
        {"input": {"value": "1", "schedule": []}, "error": "SomethingElse"},  # not an error of this runner
    ]
    for bad in bad_documents:
        with pytest.raises(VectorFormatError):
            validate_vector("tax", bad, "compute_tax")


def test_published_schemas_are_the_generated_schemas(tmp_path: Path) -> None:
    """The schemas are generated from the spec's types and the envelopes (the runner validates with them);
    ``tests/vectors/schema/`` is where ``mvm-spec vectors`` publishes them, and ``--check`` reports one that drifted."""
    published = {path.name: path.read_text(encoding="utf-8") for path in (VECTORS / "schema").glob("*.json")}
    assert published == schema_texts()
    copies = with_schemas_and_manifest([])
    write_files(tmp_path, copies)
    drifted = tmp_path / "schema" / "tax.json"
    drifted.write_text(drifted.read_text(encoding="utf-8").replace('"tax"', '"taxes"', 1), encoding="utf-8")
    (tmp_path / "schema" / "extra.json").write_text("{}\n", encoding="utf-8")
    assert compare_files(tmp_path, copies) == ["stale (no case emits it): schema/extra.json", "differs: schema/tax.json"]
