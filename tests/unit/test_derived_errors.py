"""The errors a handler may answer, read from the spec's code (mvm_spec/vectors/errors.py): a raise anywhere below an
entry function is its handler's, a try takes out what it catches, the handlers declare every spec function they
call, and the adapter raises no spec error of its own."""

from __future__ import annotations

import importlib.util
import inspect
import json
import re
import textwrap
import types
from functools import wraps
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from mvm_spec.conformance.coverage import recorded_call
from mvm_spec.conformance.handlers import ENTRY_FUNCTIONS, HANDLERS, HUB_OPERATION_NAMES, SERVICE_OPERATION_NAMES
from mvm_spec.conformance.runner import load_vectors
from mvm_spec.forks import load_spec
from mvm_spec.vectors.errors import (
    UnreadableRaise,
    entry_functions,
    handler_errors,
    raisable_errors,
    runner_errors,
)
from mvm_spec.vectors.schemas import envelope_texts, generate_schemas, runner_envelopes

REPO = Path(__file__).resolve().parents[2]
SPEC = load_spec("v1", "minimal")

SYNTHETIC = '''
from mvm_spec.runtime import AbiDecodingError

class SpecError(Exception):
    pass

class Family(SpecError):
    pass

class Member(Family):
    pass

class Other(SpecError):
    pass

class Decoded(SpecError):
    pass

class Unrelated(SpecError):
    pass

def leaf(x):
    if x:
        raise Member("a member of the family")
    raise Other("another")

def middle(x):
    return leaf(x)

def catches_the_family(x):
    try:
        return middle(x)
    except Family:
        return None

def catches_everything(x):
    try:
        middle(x)
    except SpecError:
        raise Unrelated("what the handler raises escapes")

def turns_the_adapter_error_into_a_spec_error(data):
    try:
        return data.decode()
    except AbiDecodingError as error:
        raise Decoded(str(error)) from None

def hands_a_callback(items):
    return sorted(items, key=leaf)

def nested_try(x):
    def inner():
        try:
            return leaf(x)
        except Other:
            return None

    return inner()

def recursive(x):
    return recursive(x - 1) if x else leaf(x)

def raises_nothing(x):
    return x + 1
'''


def synthetic_module(tmp_path: Path, source: str = SYNTHETIC, name: str = "synthetic_spec") -> types.ModuleType:
    """A throwaway spec module read from its own file, as a rendered fork is."""
    path = tmp_path / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    loader = importlib.util.spec_from_file_location(name, path)
    assert loader is not None and loader.loader is not None
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    return module


def test_a_raise_reaches_every_caller_but_what_a_try_catches(tmp_path: Path) -> None:
    raised = raisable_errors(synthetic_module(tmp_path))
    assert raised["leaf"] == {"Member", "Other"}
    assert raised["middle"] == {"Member", "Other"}  # transitively
    assert raised["catches_the_family"] == {"Other"}  # except Family takes out its members only
    assert raised["catches_everything"] == {"Unrelated"}  # the handler's own raise is not caught by its try
    assert raised["turns_the_adapter_error_into_a_spec_error"] == {"Decoded"}
    assert raised["hands_a_callback"] == {"Member", "Other"}  # a function named, not called, counts
    assert raised["nested_try"] == {"Member"}
    assert raised["recursive"] == {"Member", "Other"}
    assert raised["raises_nothing"] == frozenset()
    assert raised["Member"] == frozenset()  # an error class raises nothing itself


def test_a_raise_the_reader_cannot_follow_is_refused(tmp_path: Path) -> None:
    unreadable = SYNTHETIC + "\ndef reraises(error):\n    raise error\n"
    with pytest.raises(UnreadableRaise, match="reraises"):
        raisable_errors(synthetic_module(tmp_path, unreadable, "unreadable_spec"))


def test_the_rendered_spec_reads_as_its_vectors_show() -> None:
    raised = raisable_errors(SPEC)
    assert "MalformedCharterUpdate" in raised["decode_charter"]  # AbiDecodingError, caught and named
    assert "IncompleteStepWitness" in raised["prove_step"]  # EvmMissingData, caught and named
    assert "RangerFundsOverflow" in raised["fund_ranger_rewards"]
    # get_evm_charter_calls hands the EVM a callback that catches every spec error of a charter call.
    assert not raised["get_evm_charter_calls"]
    # A transaction a rule rejects is left out of the block: derivation goes on, naming no error of the transaction.
    assert "InvalidTransactionEncoding" in raised["apply_transaction"]
    assert "InvalidTransactionEncoding" not in raised["derive_chain"]


def with_stand_in(spec: types.ModuleType, name: str, function: Callable[..., Any], **extra: Any) -> types.ModuleType:
    """A copy of the rendered module ``spec`` whose ``name`` is ``function`` (and with the ``extra`` members)."""
    changed = types.ModuleType(spec.__name__)
    changed.__dict__.update(vars(spec))
    changed.__dict__.update(extra, **{name: function})
    return changed


def test_a_new_error_of_an_operation_is_an_error_of_every_runner_that_can_run_it() -> None:
    new_error = type("RangerNameTooLong", (SPEC.SpecError,), {})

    def register_ranger(hub: Any, address: Any, bond: Any) -> Any:
        if len(address) > 20:
            raise RangerNameTooLong("a new rule")  # type: ignore[name-defined]  # read, never run: names of the spec
        return get_dac(hub, address)  # type: ignore[name-defined]

    changed = with_stand_in(SPEC, "register_ranger", register_ranger, RangerNameTooLong=new_error)
    assert "RangerNameTooLong" in handler_errors(changed, "rangers", "apply_operations")
    assert "UnknownChainId" in raisable_errors(changed)["register_ranger"]  # what get_dac raises
    assert "RangerNameTooLong" in runner_errors(changed, "stakes")  # a list may name any hub operation
    assert "RangerNameTooLong" not in runner_errors(changed, "tax")
    assert "RangerNameTooLong" not in runner_errors(SPEC, "rangers")


def test_a_codec_that_reads_a_cid_adds_parse_cid() -> None:
    assert entry_functions(SPEC, "storage", "seal_cid") == ("seal_cid", "parse_cid")
    assert "InvalidCid" in handler_errors(SPEC, "storage", "seal_cid")


def recording(spec: types.ModuleType, called: set[str]) -> types.ModuleType:
    """A copy of ``spec`` whose functions note their name when a handler calls them (the spec's own calls go to
    the module's functions, unrecorded)."""
    proxy = types.ModuleType(spec.__name__)
    proxy.__dict__.update(vars(spec))
    for name, value in vars(spec).items():
        if inspect.isfunction(value) and value.__module__ == spec.__name__:
            setattr(proxy, name, recorded_call(name, value, called))
    return proxy


def test_every_handler_calls_only_the_spec_functions_it_declares() -> None:
    """Run every handler on its vectors (every fork, preset minimal) with a spec that notes each function the
    handler calls: none is undeclared, and each declared function is called by some vector, but the operations a
    list may name (an operation a list can hold is the list's, whether a vector names it or not)."""
    called: dict[tuple[str, str], set[str]] = {key: set() for key in HANDLERS}
    for number, vector in enumerate(load_vectors(REPO / "tests/vectors", presets=["minimal"])):
        info = vector.document["_info"]
        spec, key = load_spec(info["fork"], info["preset"]), (info["runner"], info["handler"])
        try:
            HANDLERS[key](recording(spec, called[key]), vector.request(number))
        except spec.SpecError:
            pass
    operations = {*HUB_OPERATION_NAMES, *SERVICE_OPERATION_NAMES}
    for key, names in sorted(called.items()):
        assert names, f"{key}: no vector"
        assert names <= set(entry_functions(SPEC, *key)), f"{key} calls {sorted(names - set(entry_functions(SPEC, *key)))}"
        assert set(ENTRY_FUNCTIONS[key]) - operations <= names, f"{key} never calls {set(ENTRY_FUNCTIONS[key]) - names}"


def test_a_handler_declaration_names_spec_functions() -> None:
    functions = {name for name, value in vars(SPEC).items() if inspect.isfunction(value)}
    assert set(ENTRY_FUNCTIONS) == set(HANDLERS)
    for key, declared in ENTRY_FUNCTIONS.items():
        assert declared and set(declared) <= functions, key


ADAPTER = ("mvm_spec/runtime.py", "mvm_spec/evm.py", "mvm_spec/mpt.py", "mvm_spec/ipfs.py")


def test_the_adapter_raises_no_spec_error_by_name() -> None:
    """Spec code reaches the adapter (runtime.py and what it imports) but the adapter raises only its own exceptions,
    which a spec function catches and names (a raise errors.py reads). An adapter that raised a spec error by name
    would answer an error no spec function shows: this test fails, and the name needs a place in errors.py."""
    names = {name for name, value in vars(SPEC).items() if isinstance(value, type) and issubclass(value, SPEC.SpecError)}
    assert "SpecError" in names and len(names) > 100
    pattern = re.compile(r"\b(" + "|".join(sorted(names)) + r")\b")
    for path in ADAPTER:
        found = pattern.findall((REPO / path).read_text(encoding="utf-8"))
        assert not found, f"{path} names spec errors {sorted(set(found))}"
    assert pattern.search(textwrap.dedent("raise spec.UnknownChainId('x')"))  # the pattern does find a name


# --- The schemas: every error list is derived ----------------------------------------------------------------------


def error_nodes(node: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    """Every ``error`` property schema in ``node``, with where it is."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict) and "error" in value:
                yield f"{where}/properties/error", value["error"]
            yield from error_nodes(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from error_nodes(value, f"{where}/{index}")


def error_names(spec: types.ModuleType) -> set[str]:
    return {name for name, value in vars(spec).items() if isinstance(value, type) and issubclass(value, spec.SpecError)}


def test_no_envelope_names_an_error() -> None:
    """Each ``error`` an envelope describes is a placeholder, and no enum anywhere in an envelope lists an error."""
    names = error_names(SPEC)
    assembled = {file: json.dumps(envelope) for file, envelope in runner_envelopes(SPEC).items()}
    for file, text in (*envelope_texts().items(), *assembled.items()):
        envelope = json.loads(text)
        for where, schema in error_nodes(envelope):
            runner = file.removesuffix(".json")
            assert isinstance(schema, dict) and set(schema) == {"$errors"}, f"{file}{where} is written by hand"
            assert schema["$errors"].partition(".")[0] == runner, f"{file}{where} names another runner's errors"
        assert not names & set(re.findall(r'"([A-Z][A-Za-z0-9]*)"', text)), f"{file} names an error"


def test_every_handler_of_a_runner_has_its_derived_errors() -> None:
    """A runner's schema has one ``error`` per handler (in its branch) and the runner's (the union of them)."""
    for file, envelope in runner_envelopes(SPEC).items():
        if file == "common.json":
            continue
        runner = file.removesuffix(".json")
        placeholders = [schema["$errors"] for _, schema in error_nodes(envelope)]
        handlers = sorted(handler for name, handler in HANDLERS if name == runner)
        expected = [runner, *(f"{runner}.{handler}" for handler in handlers)]
        assert sorted(placeholders) == sorted(expected), file
        assert ["error"] in [option.get("required") for option in envelope["oneOf"]], f"{file}: no error option"


def validator(schemas: dict[str, dict[str, Any]], runner: str) -> Draft202012Validator:
    registry: Registry[Any] = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas.values()
    )
    return Draft202012Validator(schemas[f"{runner}.json"], registry=registry)


def test_a_new_error_of_an_operation_is_in_the_schemas_without_touching_their_text() -> None:
    """A rule the spec adds to an operation: every runner whose handlers can run it accepts a vector expecting its
    error, with no envelope changed; a runner that cannot run it does not."""
    envelopes_before = envelope_texts()
    new_error = type("RangerNameTooLong", (SPEC.SpecError,), {})

    @wraps(SPEC.register_ranger)  # its parameters, which the schemas read
    def register_ranger(hub: Any, address: Any, bond: Any) -> Any:
        raise RangerNameTooLong("a new rule")  # type: ignore[name-defined]  # read, never run

    changed = generate_schemas(with_stand_in(SPEC, "register_ranger", register_ranger, RangerNameTooLong=new_error))
    assert envelope_texts() == envelopes_before
    path = REPO / "tests/vectors/minimal/v1/rangers/apply_operations"
    document = json.loads(next(iter(sorted(path.glob("*.json")))).read_text(encoding="utf-8"))
    expecting = {key: value for key, value in document.items() if key != "post"} | {"error": "RangerNameTooLong"}
    assert list(validator(generate_schemas(SPEC), "rangers").iter_errors(expecting)) != []
    assert list(validator(changed, "rangers").iter_errors(expecting)) == []
    assert "RangerNameTooLong" in changed["stakes.json"]["properties"]["error"]["enum"]  # any hub operation
    assert "RangerNameTooLong" not in json.dumps(changed["tax.json"])
    branches = {rule["if"]["properties"]["_info"]["properties"]["handler"]["const"]: rule for rule in changed["stakes.json"]["allOf"]}
    assert "RangerNameTooLong" not in json.dumps(branches["register_sequencer"])


def test_every_error_a_vector_expects_is_derived_for_its_handler() -> None:
    """The derived lists hold every error a vector names (else it would fail its schema); checked here by name, so
    a hole in the derivation says which handler and error."""
    for path in sorted((REPO / "tests/vectors").glob("*/*/*/*/*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        if "error" not in document:
            continue
        info = document["_info"]
        derived = handler_errors(load_spec(info["fork"], info["preset"]), info["runner"], info["handler"])
        assert document["error"] in derived, f"{path.relative_to(REPO)}: {document['error']} is not derived"
