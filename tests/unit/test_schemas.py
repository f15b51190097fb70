"""The JSON Schemas, generated from the spec's types: no container's fields written by hand, a new field in the
schema the moment the spec declares it, the same schemas from every fork and preset, every refinement in use."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from mvm_spec.forks import load_spec
from mvm_spec.vectors.container_codec import field_types, is_container, parameters_of, type_key
from mvm_spec.vectors.schemas import (
    REFINEMENTS,
    STATE_PARAMETERS,
    TYPES_FROM,
    envelope_texts,
    generate_schemas,
    resolve_type,
    runner_envelopes,
    schema_texts,
)

REPO = Path(__file__).resolve().parents[2]
SPEC = load_spec(*TYPES_FROM)
ENVELOPES = runner_envelopes(SPEC)  # the envelope files with what the handler tables give, placeholders unexpanded


def objects(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object schema with properties in ``node``, with where it is."""
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict):
            yield where, node
        for key, value in node.items():
            yield from objects(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from objects(value, f"{where}/{index}")


def spec_containers(spec: types.ModuleType) -> dict[str, type]:
    return {name: value for name, value in vars(spec).items() if is_container(value) and not name.startswith("_")}


# Objects whose keys happen to be a container's field names but which are no such container.
SAME_NAMES_NOT_A_CONTAINER = {
    ("storage.json", "/allOf/5/then/properties/input"): "verify_content's input: a CID's text and content, hex or repeated",
}


def test_no_envelope_writes_the_fields_of_a_container() -> None:
    """A container's field list is in the spec and nowhere else: no hand-written object lists the fields of one."""
    field_lists = {
        tuple(name for name, _ in field_types(container)): name
        for name, container in spec_containers(SPEC).items()
        if len(field_types(container)) > 1
    }
    for file, envelope in ENVELOPES.items():
        for where, schema in objects(envelope):
            keys = tuple(key for key in schema["properties"] if key != "op")
            if (file, where) in SAME_NAMES_NOT_A_CONTAINER:
                continue
            assert keys not in field_lists, f"{file}{where} writes the fields of {field_lists[keys]} by hand"


def test_no_envelope_writes_the_parameters_of_an_operation() -> None:
    """An operation's arguments are its spec function's parameters: each op_ definition is a placeholder."""
    for file, envelope in ENVELOPES.items():
        for name, entry in envelope.get("$defs", {}).items():
            if name.startswith("op_"):
                assert "$arguments" in entry, f"{file}: {name} is written by hand"
                assert "properties" not in entry


def test_every_placeholder_names_a_type_or_function_of_the_spec() -> None:
    generated = generate_schemas(SPEC)
    text = json.dumps(generated)
    assert "$derived" not in text and "$arguments" not in text and '"$op"' not in text and "$errors" not in text
    sequencer = generated["common.json"]["$defs"]["sequencer"]
    assert sequencer["required"] == [name for name, _ in field_types(SPEC.Sequencer)]
    create_dac = generated["common.json"]["$defs"]["op_create_dac"]
    assert create_dac["required"] == [name for name, _ in parameters_of(SPEC.create_dac, STATE_PARAMETERS)]
    assert generated["common.json"]["$defs"]["hub"]["properties"]["sequencers"] == {
        "type": "array",
        "items": {"$ref": "#/$defs/sequencer"},
    }


def with_new_field(spec: types.ModuleType, name: str, field: str, annotation: Any) -> types.ModuleType:
    """A copy of the rendered module ``spec`` whose container ``name`` declares one more field."""
    fields = [(item, kind) for item, kind in field_types(getattr(spec, name))] + [(field, annotation)]
    changed = types.ModuleType(spec.__name__)
    changed.__dict__.update(vars(spec))
    setattr(changed, name, dataclasses.make_dataclass(name, fields, frozen=True))
    return changed


def validator(schemas: dict[str, dict[str, Any]], runner: str) -> Draft202012Validator:
    registry: Registry[Any] = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas.values()
    )
    return Draft202012Validator(schemas[f"{runner}.json"], registry=registry)


def test_a_new_container_field_is_in_the_schemas_without_touching_their_text() -> None:
    """Declare a field in the spec and the generated schemas require it: no envelope, no refinement changes."""
    envelopes_before = envelope_texts()
    changed = generate_schemas(with_new_field(SPEC, "Sequencer", "nickname", Optional[str]))
    assert envelope_texts() == envelopes_before
    sequencer = changed["common.json"]["$defs"]["sequencer"]
    assert sequencer["required"][-1] == "nickname"
    assert sequencer["properties"]["nickname"] == {"oneOf": [{"type": "string"}, {"type": "null"}]}
    # A vector whose hub has a sequencer without the field no longer validates; with it, it does.
    path = REPO / "tests/vectors/minimal/v1/stakes/register_sequencer/register_first_sequencer.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    assert list(validator(generate_schemas(SPEC), "stakes").iter_errors(document)) == []
    assert list(validator(changed, "stakes").iter_errors(document)) != []
    named = sum(1 for record in dicts(document) if set(record) == {"address", "locked", "exit_requested_at"})
    for record in dicts(document):
        if set(record) == {"address", "locked", "exit_requested_at"}:
            record["nickname"] = None
    assert named >= 1
    assert list(validator(changed, "stakes").iter_errors(document)) == []


def dicts(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in list(node.values()):
            yield from dicts(value)
    elif isinstance(node, list):
        for value in node:
            yield from dicts(value)


@pytest.mark.parametrize("fork, preset", [("v1", "mainnet"), ("v2", "minimal"), ("v2", "mainnet")])
def test_every_fork_and_preset_derives_the_same_schemas(fork: str, preset: str) -> None:
    assert generate_schemas(load_spec(fork, preset)) == generate_schemas(SPEC)


def test_every_refinement_names_a_type_a_field_or_a_parameter() -> None:
    """A refinement left behind by a renamed field or type would silently refine nothing."""
    from mvm_spec.evm import GenesisAccount

    containers = spec_containers(SPEC) | {"GenesisAccount": GenesisAccount}
    reachable: set[str] = set()

    def reach(annotation: Any) -> None:
        if type_key(annotation) in reachable:
            return
        reachable.add(type_key(annotation))
        for argument in typing.get_args(annotation):
            if argument is not Ellipsis:
                reach(argument)
        if is_container(annotation):
            for _, field in field_types(annotation):
                reach(field)

    for envelope in ENVELOPES.values():
        for match in json.dumps(envelope).split('"$derived": "')[1:]:
            reach(resolve_type(SPEC, match.split('"')[0]))
    for key in REFINEMENTS:
        owner, _, member = ("", "", "") if "[" in key else key.partition(".")
        if not member:
            assert key in reachable, key
        elif owner in containers:
            assert member in dict(field_types(containers[owner])), key
        elif member == "return":  # the answer of a table handler
            assert f'"$returns": "{owner}"' in json.dumps(ENVELOPES), key
        else:
            assert member in dict(parameters_of(getattr(SPEC, owner))), key


def test_resolve_type_reads_type_keys() -> None:
    assert type_key(resolve_type(SPEC, "Tuple[Receipt, ...]")) == "Tuple[Receipt, ...]"
    assert type_key(resolve_type(SPEC, "Tuple[Tuple[Address, GenesisAccount], ...]")) == "Tuple[Tuple[Address, GenesisAccount], ...]"


def test_generated_schemas_are_stable_bytes() -> None:
    assert schema_texts() == {name: json.dumps(schema, indent=2, ensure_ascii=True) + "\n" for name, schema in generate_schemas(SPEC).items()}
    assert all(text.endswith("}\n") and text.isascii() for text in schema_texts().values())


def handler_part(runner: str, handler: str, part: str) -> Any:
    envelope = ENVELOPES[f"{runner}.json"]
    for branch in envelope["allOf"]:
        if branch["if"]["properties"]["_info"]["properties"]["handler"]["const"] == handler:
            return branch["then"]["properties"][part]
    raise KeyError((runner, handler))


def test_a_table_handler_and_its_input_schema_read_the_same_signature() -> None:
    """A handler of the table is one line, and its input's and output's schemas are the same function's parameters
    and result: nothing else."""
    from mvm_spec.conformance.handlers import HUB_QUERIES, PURE_FUNCTIONS, STATE_BUILDERS

    table = {key: function for key, (function, _) in (*PURE_FUNCTIONS.items(), *STATE_BUILDERS.items())}
    table |= {key: function for key, (function, _, _) in HUB_QUERIES.items()}
    assert len(table) >= 20
    for (runner, handler), function in table.items():
        assert handler_part(runner, handler, "input")["$arguments"] == function, (runner, handler)
        answer = "post" if (runner, handler) in STATE_BUILDERS else "output"
        assert handler_part(runner, handler, answer)["$returns"] == function, (runner, handler)


def test_the_operations_a_list_may_name_are_the_operations_the_client_runs() -> None:
    from mvm_spec.conformance.handlers import HUB_OPERATION_NAMES, SERVICE_OPERATION_NAMES

    hub_list = ENVELOPES["common.json"]["$defs"]["hub_operation"]["oneOf"]
    named = [option["allOf"][0]["properties"]["op"]["const"] for option in hub_list]
    assert sorted(named) == sorted(HUB_OPERATION_NAMES)
    services = [name.removeprefix("op_") for name in ENVELOPES["services.json"]["$defs"] if name.startswith("op_")]
    assert sorted(services) == sorted(SERVICE_OPERATION_NAMES)


def test_any_spec_function_is_a_handler_in_one_line() -> None:
    """A function no table names yet: call_spec_function decodes its input and encodes its answer from its types."""
    from mvm_spec.conformance.client import answer
    from mvm_spec.conformance.handlers import HANDLERS
    from mvm_spec.vectors.container_codec import call_spec_function

    HANDLERS[("trial", "apply_basis_points")] = call_spec_function("apply_basis_points", "amount")
    try:
        request = {"id": 1, "fork": "v1", "preset": "minimal", "runner": "trial", "handler": "apply_basis_points"}
        names = [name for name, _ in parameters_of(SPEC.apply_basis_points)]
        reply = answer(request | {"input": dict(zip(names, ["1000", 250]))})
        assert reply == {"id": 1, "output": {"amount": str(SPEC.apply_basis_points(SPEC.Wei(1000), SPEC.BasisPoints(250)))}}
    finally:
        del HANDLERS[("trial", "apply_basis_points")]


def test_a_new_runner_costs_one_line_in_a_handler_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """A runner no envelope file names: one line in PURE_FUNCTIONS gives it a handler, a schema (its frame, its
    input and answer from the function's types, its errors from the function's code, a description naming the
    function and its chapter) and a section of the formats page."""
    from mvm_spec.conformance import handlers
    from mvm_spec.vectors.container_codec import call_spec_function
    from mvm_spec.vectors.formats_doc import SchemaSet, runner_section

    line = {("trial", "compute"): ("compute_tax", "tax")}
    monkeypatch.setattr(handlers, "PURE_FUNCTIONS", handlers.PURE_FUNCTIONS | line)
    monkeypatch.setitem(handlers.HANDLERS, ("trial", "compute"), call_spec_function("compute_tax", "tax"))
    monkeypatch.setitem(handlers.ENTRY_FUNCTIONS, ("trial", "compute"), ("compute_tax",))  # as the table's loop does
    assert "trial.json" not in envelope_texts()
    schemas = generate_schemas(SPEC)
    trial = schemas["trial.json"]
    assert trial["description"] == "Runner trial: compute calls compute_tax (spec/v1/l2-chain.md)."
    info = {"spec_version": "0", "fork": "v1", "preset": "minimal", "runner": "trial", "handler": "compute"}
    info |= {"case": "c", "generator": "g", "description": "d"}
    bracket = {"threshold": "100", "rate_bps": 250}
    vector = {"_info": info, "input": {"value": "1000", "schedule": [bracket]}, "output": {"tax": "25"}}
    check = validator(schemas, "trial")
    assert list(check.iter_errors(vector)) == []
    assert list(check.iter_errors(vector | {"output": {"tax": 25}})) != []  # a uint256 is a decimal string
    assert list(check.iter_errors({**vector, "output": None} | {"error": "TaxRateAboveMaximum"})) != []
    rejected = {key: value for key, value in vector.items() if key != "output"} | {"error": "TaxRateAboveMaximum"}
    assert list(check.iter_errors(rejected)) == []
    assert list(check.iter_errors(rejected | {"error": "UnknownDac"})) != []  # compute_tax cannot raise it
    assert list(check.iter_errors(vector | {"pre": {}})) != []  # a pure function's vector has no pre-state
    section = "\n".join(runner_section(SchemaSet({file: json.dumps(schema) for file, schema in schemas.items()}), "trial"))
    assert "### `trial` / `compute`" in section and "| `tax` | uint256 |" in section


def test_every_handler_has_its_parts_from_exactly_one_source(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hand-written handler the envelope does not describe, or an envelope describing a table handler or one the
    client lacks, is an error when the schemas are generated, not a schema that accepts anything."""
    from mvm_spec.conformance import handlers
    from mvm_spec.vectors import schemas

    monkeypatch.setitem(handlers.HANDLERS, ("tax", "by_hand"), lambda spec, request: {})
    with pytest.raises(ValueError, match="tax/by_hand: its envelope does not describe it"):
        generate_schemas(SPEC)
    monkeypatch.delitem(handlers.HANDLERS, ("tax", "by_hand"))
    texts = envelope_texts()
    twice = json.loads(texts["tax.json"]) | {"handlers": {"compute_tax": {"input": {}, "output": {}}}}
    monkeypatch.setattr(schemas, "envelope_texts", lambda: texts | {"tax.json": json.dumps(twice)})
    with pytest.raises(ValueError, match="tax/compute_tax: a handler table serves it"):
        generate_schemas(SPEC)
    stray = json.loads(texts["tax.json"]) | {"handlers": {"gone": {"input": {}, "output": {}}}}
    monkeypatch.setattr(schemas, "envelope_texts", lambda: texts | {"tax.json": json.dumps(stray)})
    with pytest.raises(ValueError, match="handlers the reference client lacks: \\['gone'\\]"):
        generate_schemas(SPEC)


BOUNDS = [0, 1, 9, 10, 99, 100, 1000, 7305, 2**20, 2**30, 2**64 - 1, 2**256 - 1]


@pytest.mark.parametrize("bound", BOUNDS)
def test_a_decimal_pattern_takes_exactly_the_numbers_up_to_its_bound(bound: int) -> None:
    """The pattern of a bounded decimal string: every number from 0 to the bound (those near the edges, and a few
    hundred spread over the range and above), none above, and no leading zero, sign or empty string."""
    import random
    import re

    from mvm_spec.vectors.container_codec import decimal_pattern

    pattern = re.compile(decimal_pattern(bound))
    length = len(str(bound))
    edges = {0, 1, 9, 10, bound - 1, bound, bound + 1, bound * 10, 10 ** (length - 1), 10**length - 1, 10**length}
    draws = random.Random(bound)
    numbers = edges | set(range(200)) | {draws.randrange(2 * bound + 2) for _ in range(500)}
    for number in sorted(number for number in numbers if number >= 0):
        assert bool(pattern.fullmatch(str(number))) == (number <= bound), number
    for text in ["", "00", "01", "-1", "+1", "1.0", " 1", "0x1"]:
        assert pattern.fullmatch(text) is None, text


def test_integer_schemas_are_bounded_by_their_type() -> None:
    """uint64 and uint256 take 2^64 - 1 and 2^256 - 1 but not 2^64 and 2^256 (a client decoding a schema-valid
    value never overflows its type); the lengths of repeated content and arrays are bounded as their decoders are,
    and a repeated pattern is not empty."""
    generated = generate_schemas(SPEC)
    assert "$decimal_at_most" not in json.dumps(generated)
    common = generated["common.json"]["$defs"]
    for name, top in [("uint64", 2**64 - 1), ("uint256", 2**256 - 1)]:
        valid = Draft202012Validator(common[name])
        assert valid.is_valid(str(top)) and not valid.is_valid(str(top + 1)), name
    merkle = validator(generated, "merkle")
    request = {"_info": {"spec_version": "0", "fork": "v1", "preset": "minimal", "runner": "merkle", "handler": "root",
                         "case": "x", "generator": "", "description": ""}, "output": {"root": "0x" + "00" * 32}}
    leaves = {"repeat": ["0x" + "00" * 32], "length": str(2**20)}
    assert merkle.is_valid(request | {"input": {"leaves": leaves}})
    assert not merkle.is_valid(request | {"input": {"leaves": leaves | {"length": str(2**20 + 1)}}})
    storage = validator(generated, "storage")
    content = request | {"_info": request["_info"] | {"runner": "storage", "handler": "cid"}, "output": {"cid": "b"}}
    assert storage.is_valid(content | {"input": {"data": {"repeat": "0x00", "length": str(2**30)}}})
    assert not storage.is_valid(content | {"input": {"data": {"repeat": "0x00", "length": str(2**30 + 1)}}})
    assert not storage.is_valid(content | {"input": {"data": {"repeat": "0x", "length": "1"}}})
