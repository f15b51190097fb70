"""Emitting vectors: run every registered case for every fork and preset, write JSON, schemas and a manifest.

Output is a pure function of the spec and the cases: keys keep the order the case yielded them, files end in a
newline, the manifest lists files in sorted order with their sha256, and nothing records a time or a machine. So
``mvm-spec vectors`` run twice writes identical bytes, and ``--check`` compares a fresh run with what is on disk.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib
import io
import json
import sys
import tarfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from .. import __version__
from ..forks import load_spec
from .case import REGISTRY, VectorCase
from .validation import schema_texts, validate_vector

MANIFEST = "manifest.json"
SCHEMA_DIR = "schema"


@dataclass(frozen=True)
class VectorFile:
    relative_path: str  # "<preset>/<fork>/<runner>/<handler>/<case>.json", or schema/..., or manifest.json
    text: str


def to_json(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"


def load_cases(cases_dir: Path) -> list[VectorCase]:
    """Import every ``test_*.py`` under ``cases_dir`` (which registers its cases) and return the registry.

    Modules are imported under the dotted name pytest gives them (``tests.cases.test_tax``), so a process that
    runs pytest and the generator registers each case once.
    """
    package_root = cases_dir.resolve()
    while (package_root / "__init__.py").exists():
        package_root = package_root.parent
    if str(package_root) not in sys.path:
        sys.path.insert(0, str(package_root))
    for path in sorted(cases_dir.resolve().rglob("test_*.py")):
        importlib.import_module(".".join(path.relative_to(package_root).with_suffix("").parts))
    return sorted(REGISTRY, key=lambda case: (case.runner, case.handler, case.name))


def vector_path(case: VectorCase, fork: str, preset: str) -> str:
    return f"{preset}/{fork}/{case.runner}/{case.handler}/{case.name}.json"


def render_vector(case: VectorCase, fork: str, preset: str) -> VectorFile:
    """One case's vector for one fork and preset, validated against its runner's schema."""
    info = {
        "spec_version": __version__,
        "fork": fork,
        "preset": preset,
        "runner": case.runner,
        "handler": case.handler,
        "case": case.name,
        "generator": case.source,
        "description": case.description,
    }
    document = {"_info": info, **case.parts(load_spec(fork, preset))}
    validate_vector(case.runner, document)
    return VectorFile(vector_path(case, fork, preset), to_json(document))


def case_instances(cases: Iterable[VectorCase]) -> list[tuple[VectorCase, str, str]]:
    return [(case, fork, preset) for case in cases for fork in case.forks for preset in case.presets]


def render_manifest(files: list[VectorFile]) -> VectorFile:
    counts: Counter[tuple[str, str]] = Counter()
    for item in files:
        preset, _, runner = item.relative_path.split("/")[:3]
        counts[(runner, preset)] += 1
    manifest = {
        "spec_version": __version__,
        "format": "see schema/<runner>.json; docs/vectors.md",
        "counts": {
            runner: {preset: counts[(runner, preset)] for preset in sorted({p for r, p in counts if r == runner})}
            for runner in sorted({runner for runner, _ in counts})
        },
        "total": len(files),
        "files": {
            item.relative_path: hashlib.sha256(item.text.encode()).hexdigest()
            for item in sorted(files, key=lambda item: item.relative_path)
        },
    }
    return VectorFile(MANIFEST, to_json(manifest))


def with_schemas_and_manifest(vectors: list[VectorFile]) -> list[VectorFile]:
    schemas = [VectorFile(f"{SCHEMA_DIR}/{name}", text) for name, text in sorted(schema_texts().items())]
    return [*vectors, *schemas, render_manifest(vectors)]


def existing_files(out_dir: Path) -> dict[str, str]:
    if not out_dir.exists():
        return {}
    return {
        path.relative_to(out_dir).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(out_dir.rglob("*.json"))
    }


def write_files(out_dir: Path, files: list[VectorFile]) -> tuple[int, int]:
    """Write ``files`` under ``out_dir`` and delete JSON files no case emits any more; returns (written, removed)."""
    wanted = {item.relative_path: item.text for item in files}
    removed = 0
    for relative, _ in existing_files(out_dir).items():
        if relative not in wanted:
            (out_dir / relative).unlink()
            removed += 1
    written = 0
    for relative, text in wanted.items():
        path = out_dir / relative
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written += 1
    for folder in sorted((p for p in out_dir.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    return written, removed


def compare_files(out_dir: Path, files: list[VectorFile]) -> list[str]:
    """Differences between the freshly generated ``files`` and what is on disk (the vector drift check)."""
    on_disk = existing_files(out_dir)
    wanted = {item.relative_path: item.text for item in files}
    problems = [f"missing: {path}" for path in sorted(wanted.keys() - on_disk.keys())]
    problems += [f"stale (no case emits it): {path}" for path in sorted(on_disk.keys() - wanted.keys())]
    problems += [f"differs: {path}" for path in sorted(wanted.keys() & on_disk.keys()) if wanted[path] != on_disk[path]]
    return problems


def write_tarball(files: list[VectorFile], destination: Path, prefix: str = "mvm-spec-vectors") -> None:
    """A reproducible release archive: sorted names, fixed owner and mtime, gzip without a timestamp."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for item in sorted(files, key=lambda item: item.relative_path):
            data = item.text.encode()
            member = tarfile.TarInfo(f"{prefix}/{item.relative_path}")
            member.size, member.mtime, member.mode = len(data), 0, 0o644
            member.uid = member.gid = 0
            member.uname = member.gname = ""
            archive.addfile(member, io.BytesIO(data))
    with destination.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as compressed:
        compressed.write(buffer.getvalue())
