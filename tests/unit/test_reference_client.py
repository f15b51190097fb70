"""Every registered vector case, replayed in-process through the reference client, gives the case's answer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mvm_spec.conformance.client import answer, serve
from mvm_spec.conformance.runner import Vector, judge
from mvm_spec.forks import load_spec
from mvm_spec.vectors.writer import case_instances, load_cases

CASES_DIR = Path(__file__).resolve().parents[1] / "cases"
INSTANCES = case_instances(load_cases(CASES_DIR))


@pytest.mark.parametrize(
    "case, fork, preset", INSTANCES, ids=[f"{c.runner}-{c.name}-{f}-{p}" for c, f, p in INSTANCES]
)
def test_reference_client_reproduces_case(case: Any, fork: str, preset: str) -> None:
    parts = case.parts(load_spec(fork, preset))
    info = {"fork": fork, "preset": preset, "runner": case.runner, "handler": case.handler}
    vector = Vector("in-memory", {"_info": info, **parts})
    outcome = judge(vector, answer(vector.request(7)))
    assert outcome.status == "passed", outcome.differences


def test_unknown_runner_fork_or_preset_is_unsupported() -> None:
    request = {"id": 1, "fork": "v1", "preset": "minimal", "runner": "nope", "handler": "x", "input": {}}
    assert answer(request) == {"id": 1, "unsupported": True}
    assert answer(request | {"runner": "tax", "handler": "compute_tax", "fork": "v99"})["unsupported"] is True


def test_malformed_requests_get_protocol_errors_not_crashes() -> None:
    assert "protocol_error" in answer({"id": 1})
    bad_input = {"id": 2, "fork": "v1", "preset": "minimal", "runner": "tax", "handler": "compute_tax", "input": {}}
    assert answer(bad_input) == {
        "id": 2,
        "protocol_error": "bad input: does not match the tax schema at input: 'value' is a required property",
    }
    # A negative value is outside uint256's schema (decimal digits, no sign): the protocol error names the place.
    negative = bad_input | {"input": {"value": "-1", "schedule": []}}
    assert answer(negative)["protocol_error"].startswith("bad input: does not match the tax schema at input/value: ")


TAX_REQUEST = {"id": 3, "fork": "v1", "preset": "minimal", "runner": "tax", "handler": "compute_tax"}


def test_a_leak_on_a_request_that_fits_the_schema_is_a_crash_not_a_protocol_error() -> None:
    """The rule "an input that fits the schemas gives an output or a named error": a planted compute_tax raising
    ValueError from 2^255 on. Below it the spec answers; at 2^255 the request fits the schema (a uint256), so the
    answer is a crash naming the exception, not "bad input"."""
    from tests.unit.clients.faulty_client import LEAK_FROM, leaking_compute_tax

    below = TAX_REQUEST | {"input": {"value": str(LEAK_FROM - 1), "schedule": []}}
    at = TAX_REQUEST | {"input": {"value": str(LEAK_FROM), "schedule": []}}
    with leaking_compute_tax():
        assert answer(below) == {"id": 3, "output": {"tax": "0"}}
        reply = answer(at)
    assert set(reply) == {"id", "crash"}
    assert reply["crash"] == f"ValueError: planted leak: {LEAK_FROM} does not fit"
    assert answer(at) == {"id": 3, "output": {"tax": "0"}}  # the spec itself, once the leak is gone


def test_a_crash_names_the_spec_function_it_left() -> None:
    """A non-spec exception raised below the rendered spec (here by a planted validate_tax_schedule that builds
    Wei(-1)) names the innermost spec function it passed through, compute_tax: where a reader starts looking."""
    from mvm_spec.conformance.mutants import swapped

    spec = load_spec("v1", "minimal")
    with swapped(spec, "validate_tax_schedule", lambda schedule: spec.Wei(-1)):
        reply = answer(TAX_REQUEST | {"input": {"value": "5", "schedule": []}})
    assert reply["crash"].startswith("ValueError: Wei out of range: -1 (raised in compute_tax, v1/minimal.py:")
