"""The storage vectors catch the classic content-id mistakes, and only the vectors that should.

Each faulty client (tests/unit/clients/storage_faulty_client.py) answers like the reference client except for one
swapped rule. Run against the storage vectors (rendered in memory from the cases, as ``mvm-spec vectors`` writes
them), it must fail the vectors that exercise that rule and no other.
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

CLIENT = f"{sys.executable} {Path(__file__).parent / 'clients' / 'storage_faulty_client.py'}"
REFERENCE = f"{sys.executable} -m mvm_spec.cli client"


@pytest.fixture(scope="module")
def vectors() -> list[Vector]:
    importlib.import_module("tests.cases.test_storage")
    cases = sorted((case for case in REGISTRY if case.runner == "storage"), key=lambda case: case.name)
    rendered = [render_vector(case, fork, preset) for case, fork, preset in case_instances(cases)]
    return [Vector(item.relative_path, json.loads(item.text)) for item in rendered]


def failed(vectors: list[Vector], client: str) -> set[str]:
    """The failed vectors, as '<runner>/<handler>/<case>' (each must fail on both presets alike)."""
    report = run_conformance(vectors, client, timeout=120)
    assert report.count("unanswered") == 0 and not report.client_problem, format_report(report)
    paths = [outcome.vector.path for outcome in report.outcomes if outcome.status == "failed"]
    names = {"/".join(path.split("/")[2:]).removesuffix(".json") for path in paths}
    assert len(paths) == 2 * len(names), "a fault fails a vector on one preset only"
    return names


def test_reference_client_passes(vectors: list[Vector]) -> None:
    assert failed(vectors, REFERENCE) == set()


def test_cidv0_client_fails_every_content_id_it_prints(vectors: list[Vector]) -> None:
    """Every vector whose expected answer holds a CID's text (a CIDv1 in base32: `bafk...` raw, `bafy...` DAG-PB)."""

    def prints_a_cid(value: object) -> bool:
        if isinstance(value, str):
            return value.startswith(("bafk", "bafy"))
        if isinstance(value, dict):
            return any(prints_a_cid(item) for item in value.values())
        return isinstance(value, list) and any(prints_a_cid(item) for item in value)

    printing = {
        "/".join(vector.path.split("/")[2:]).removesuffix(".json")
        for vector in vectors
        if prints_a_cid({part: vector.document.get(part) for part in ("output", "post")})
    }
    assert len(printing) > 20
    assert failed(vectors, f"{CLIENT} cidv0") == printing


def test_client_with_another_chunk_size_fails_the_multi_chunk_ids(vectors: list[Vector]) -> None:
    assert failed(vectors, f"{CLIENT} chunks_of_1_mib") == {
        "storage/cid/one_byte_over_a_chunk",
        "storage/cid/a_full_node_of_174_chunks",
        "storage/cid/one_byte_over_a_full_node",
        "storage/verify_content/multi_chunk_content_matches",
    }


def test_unbalanced_client_fails_each_tree_with_a_lone_child(vectors: list[Vector]) -> None:
    assert failed(vectors, f"{CLIENT} lone_child_lifted") == {
        "storage/cid/one_byte_over_a_full_node",
        "storage/cid/small_layout_second_level",
        "storage/cid/small_layout_third_level",
        "storage/cid/one_byte_chunks_binary_tree_of_three",
        "storage/cid/one_byte_chunks_binary_tree_of_five",
    }
