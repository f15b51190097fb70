"""``mvm-spec fuzz`` finds a planted bug, shrinks it to the minimal request, and writes a vector that pins it.

The faulty clients are those the conformance-runner tests use (tests/unit/clients/faulty_client.py): one pads odd
Merkle levels with zero instead of Lib_MerkleTree's default nodes, one adds 1 to every tax. The minimal requests
are worked out by hand from each bug: three leaves is the smallest tree with an odd level (one or two leaves, and
every power of two, are padded nowhere), and any tax at all shows the extra wei, so the empty schedule on value 0.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from mvm_spec.cli import main
from mvm_spec.conformance.runner import Vector, run_conformance
from mvm_spec.fuzz import TARGETS, fuzz
from mvm_spec.vectors.validation import validate_vector

FAULTY = f"{sys.executable} {Path(__file__).parent / 'clients' / 'faulty_client.py'}"
REFERENCE = f"{sys.executable} -m mvm_spec.cli client"


def test_the_reference_client_agrees_on_every_target() -> None:
    report = fuzz(REFERENCE, sorted(TARGETS), examples=40)
    assert not report.disagreements and not report.client_problem
    assert all(result.requests == 40 and not result.unsupported for result in report.results)


def test_a_zero_padding_merkle_bug_shrinks_to_three_zero_leaves() -> None:
    report = fuzz(f"{FAULTY} zero_padding", [("merkle", "root"), ("tax", "compute_tax")], examples=200)
    (found,) = report.disagreements
    assert (found.runner, found.handler) == ("merkle", "root")
    assert found.vector is not None and found.vector["input"] == {"leaves": ["0x" + "00" * 32] * 3}
    assert report.results[1].vector is None  # the other target agrees: the bug is only where it is
    validate_vector("merkle", found.vector, "root")
    vector = Vector("minimal/v1/merkle/root/fuzz_root.json", found.vector)
    assert run_conformance([vector], REFERENCE).count("passed") == 1
    assert run_conformance([vector], f"{FAULTY} zero_padding").count("failed") == 1


def test_a_tax_bug_shrinks_to_the_smallest_request(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    command = ["fuzz", "--client", f"{FAULTY} tax_plus_one", "--target", "tax/compute_tax", "--out", str(tmp_path)]
    assert main(command) == 1
    written = json.loads((tmp_path / "tax_compute_tax_fuzz.json").read_text(encoding="utf-8"))
    assert written["input"] == {"value": "0", "schedule": []} and written["output"] == {"tax": "0"}
    assert "DISAGREES: output.tax" in capsys.readouterr().out


def test_unknown_targets_are_named() -> None:
    assert main(["fuzz", "--client", REFERENCE, "--target", "tax/nothing"]) == 2


def test_a_wrong_error_name_found_mid_search_shrinks_to_one_bracket_over_100_percent() -> None:
    # Requests are pipelined while searching, so the first rejection is answered many draws after it was sent;
    # the replay must still shrink it. The smallest broken schedule has one bracket, and one bracket can break
    # only one rule, the rate cap: threshold 0, rate 10,001.
    report = fuzz(f"{FAULTY} wrong_error", [("tax", "compute_tax")], examples=300)
    (found,) = report.disagreements
    assert found.vector is not None
    assert found.vector["input"] == {"value": "0", "schedule": [{"threshold": "0", "rate_bps": 10001}]}
    assert found.vector["error"] == "TaxRateAboveMaximum"
    assert found.requests > 1


def test_a_client_that_dies_or_declines_is_reported_not_fuzzed() -> None:
    report = fuzz(f"{FAULTY} crash_after_2", [("tax", "compute_tax"), ("merkle", "root")], examples=100)
    assert "client exited with code 3" in report.client_problem
    assert len(report.results) == 1 and report.results[0].vector is None
    declined = fuzz(f"{FAULTY} unsupported", [("tax", "compute_tax"), ("merkle", "root")], examples=100)
    assert [result.unsupported for result in declined.results] == [True, True]
    assert not declined.disagreements and not declined.client_problem


def test_a_handler_without_a_strategy_is_fuzzed_from_its_own_vectors_mutated() -> None:
    # charter/charter_root has no strategy of its own; its vectors, mutated, reach rejections, where the faulty
    # client names the parent error InvalidTaxSchedule instead of the specific one.
    vectors = Path(__file__).parents[2] / "tests" / "vectors"
    report = fuzz(f"{FAULTY} wrong_error", [("charter", "charter_root")], examples=200, vectors=vectors)
    (found,) = report.disagreements
    assert found.vector is not None and found.vector["error"] != "InvalidTaxSchedule"
    validate_vector("charter", found.vector, "charter_root")
    vector = Vector("minimal/v1/charter/charter_root/fuzz_charter_root.json", found.vector)
    assert run_conformance([vector], REFERENCE).count("passed") == 1
    assert run_conformance([vector], f"{FAULTY} wrong_error").count("failed") == 1


def test_mutations_are_the_edges_a_port_gets_wrong() -> None:
    from mvm_spec.fuzz import _mutations

    assert _mutations("5") == ["6", "4", "0", "1", str(2**64 - 1), str(2**64), str(2**256 - 1), str(2**256)]
    assert _mutations("0x0102") == ["0x0103", "0x01", "0x010200", "0x0000", "0x"]
    assert _mutations(7) == [8, 6, 0, 2**53 - 1] and _mutations(True) == [False]
    assert _mutations([1, 2]) == [[2], [1], [1, 2, 2], []] and _mutations({}) == []


def test_the_command_fuzzes_every_handler_of_a_runner(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fuzz", "--client", REFERENCE, "--target", "output_root", "--examples", "10"]) == 0
    assert "output_root/compute_output_root" in capsys.readouterr().out


def test_operation_lists_are_recombined_into_sequences_no_vector_has() -> None:
    """A runner that runs lists of operations is fuzzed with new lists made of its vectors' operations, from their
    pre-states: the draws include lists no vector runs, and the reference client agrees on them."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from mvm_spec.fuzz import recombined_operations, vector_targets

    vectors = Path(__file__).parents[2] / "tests" / "vectors"
    documents = vector_targets(vectors, "v1", "minimal")[("stakes", "apply_operations")]
    known = {json.dumps(document["input"]["operations"], sort_keys=True) for document in documents}
    pool = [json.dumps(operation, sort_keys=True) for document in documents for operation in document["input"]["operations"]]
    drawn: list[dict[str, object]] = []

    @settings(max_examples=60, database=None, deadline=None)
    @given(recombined_operations(documents))
    def collect(parts: dict[str, object]) -> None:
        drawn.append(parts)

    collect()
    lists = [json.dumps(parts["input"]["operations"], sort_keys=True) for parts in drawn]  # type: ignore[index]
    assert any(listed not in known for listed in lists), "every drawn list is a vector's own"
    assert all(len(parts["input"]["operations"]) <= 8 for parts in drawn)  # type: ignore[index]
    unchanged = [parts for parts in drawn if all(json.dumps(op, sort_keys=True) in pool for op in parts["input"]["operations"])]  # type: ignore[index]
    assert unchanged, "most draws recombine the vectors' operations as they are"
    report = fuzz(REFERENCE, [("stakes", "apply_operations")], examples=60, vectors=vectors)
    (result,) = report.results
    assert not report.disagreements and not report.client_problem and result.requests > 30


def test_a_spec_leak_is_a_finding_shrunk_to_its_smallest_request(capsys: pytest.CaptureFixture[str]) -> None:
    """The spec the fuzzer asks (in this process) with a planted leak: compute_tax raising ValueError from 2^255
    on. The client (the real spec, in its own process) is not at fault, so there is no disagreement; the leak is
    reported with the smallest request that fits the schema and crashes: the value 2^255 exactly (the strategy
    draws it among its edges) and the empty schedule."""
    from tests.unit.clients.faulty_client import LEAK_FROM, leaking_compute_tax

    with leaking_compute_tax():
        report = fuzz(REFERENCE, [("tax", "compute_tax"), ("merkle", "root")], examples=200)
    (crashed,) = report.spec_crashes
    assert not report.disagreements and not report.client_problem
    assert (crashed.runner, crashed.handler) == ("tax", "compute_tax")
    assert crashed.crash_request is not None
    assert crashed.crash_request["input"] == {"value": str(LEAK_FROM), "schedule": []}
    assert crashed.spec_crash == f"ValueError: planted leak: {LEAK_FROM} does not fit"
    assert report.results[1].crash_request is None and report.results[1].requests == 200  # merkle/root went on
    with leaking_compute_tax():
        assert main(["fuzz", "--client", REFERENCE, "--target", "tax/compute_tax", "--examples", "100"]) == 1
    assert "SPEC CRASHES: ValueError: planted leak" in capsys.readouterr().out


def test_a_request_outside_the_schema_is_discarded_not_a_finding() -> None:
    """A drawn request the schema rejects (here a negative value, where uint256 is decimal digits without a sign)
    is no one's answer to give: the reference answers a protocol error and the fuzzer draws another."""
    from mvm_spec.fuzz import Unreadable, reference_vector

    parts = {"input": {"value": "-1", "schedule": []}}
    with pytest.raises(Unreadable, match="protocol_error"):
        reference_vector("v1", "minimal", "tax", "compute_tax", parts)
