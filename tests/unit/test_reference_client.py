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
    assert answer(bad_input)["protocol_error"].startswith("bad input")


def test_serve_answers_line_by_line() -> None:
    import io

    request = {
        "id": 5,
        "fork": "v1",
        "preset": "minimal",
        "runner": "tax",
        "handler": "compute_tax",
        "input": {"value": "250", "schedule": [{"threshold": "100", "rate_bps": 1000}, {"threshold": "200", "rate_bps": 2000}]},
    }
    sink = io.StringIO()
    serve(io.StringIO(json.dumps(request) + "\nnot json\n"), sink)
    first, second = [json.loads(line) for line in sink.getvalue().splitlines()]
    assert first == {"id": 5, "output": {"tax": "20"}}
    assert second["protocol_error"] == "request is not JSON"
