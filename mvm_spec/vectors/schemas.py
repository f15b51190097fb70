"""The JSON Schemas of the vector formats, generated from the spec's types (``mvm-spec vectors`` writes them to
``tests/vectors/schema/``; ``--check`` fails when they are stale).

A schema file is its envelope with every placeholder expanded. A runner's envelope is generated
(``runner_envelopes``): the frame every runner shares, and one branch per handler of the reference client
(``conformance/handlers.py``) with the parts it takes and gives and its errors. The parts of a handler that a line of
the client's handler tables serves (a pure function, a state builder, a query of the hub, one hub operation or a
list of them) follow from that line, so a new runner of such handlers costs its cases and one line per handler. The
runner's file, ``envelopes/<runner>.json``, is optional and written by hand: a description (else one naming each
handler's function and its chapter), the parts of the handlers written by hand (``"handlers"``), and definitions of
its own (``"$defs"``). ``common.json`` holds the encodings the runners share; the hub operations' definitions are
generated into it from ``HUB_OPERATION_NAMES``. No container's field list is in an envelope. Where one describes a
spec value it holds a placeholder, expanded here:

- ``{"$derived": "Hub"}`` (any ``type_key``: ``"Tuple[Receipt, ...]"``, ``"ProviderAssignment"``) is
  ``container_codec.schema_of`` of that type: its fields, by their annotations, in declaration order. As an entry
  of ``$defs`` it is that type's shared definition, which every other schema refers to by ``$ref`` wherever the type
  appears; elsewhere it is the type's definition by reference, or in full when it has none;
- ``{"$arguments": "create_dac"}`` is the object of a spec function's parameters, but the runner's state (``hub``,
  ``market``), by their annotations (and ``container_codec.PARAMETER_CODECS``): the input of a handler the handler
  table serves with ``call_spec_function``, or an operation's arguments; with ``"$op": true`` also the ``op`` key
  naming it, as in a list of operations, and with ``"$first"`` the keys given there before the parameters;
- ``{"$decimal_at_most": "2^64 - 1"}`` (``2^k``, ``2^k - 1`` or digits) is a decimal string from 0 to that bound:
  ``container_codec.decimal_pattern``, the exact pattern of the bound, which no one should write by hand;
- ``{"$returns": "compute_tax"}`` is the output of the handler the handler table serves with that function: one
  key, the table's, holding the result by the function's return annotation;
- ``{"$errors": "batch.append_state_batch"}`` (a handler) or ``{"$errors": "batch"}`` (any handler of a runner) is
  the ``error`` a vector may expect: one of the spec errors the handler's entry functions may raise, as
  ``errors.py`` reads them from the spec's code, or ``false`` where they raise none. No envelope names an error.

What a type cannot say (a description, a bound, the codes a status takes) is in ``REFINEMENTS`` below, by
``type_key``, ``"Container.field"``, ``"function.parameter"`` or ``"function.return"`` (a table handler's answer). The spec module the types are read from is ``TYPES_FROM``; every fork and
preset declares the same fields (a test checks that each derives the same schemas).
"""

from __future__ import annotations

import copy
import inspect
import json
import re
import typing
from functools import cache
from importlib import resources
from types import ModuleType
from typing import Any, Mapping

from .container_codec import PARAMETER_CODECS, arguments_schema, decimal_schema, refined, schema_of
from .errors import errors_schema

ENVELOPE_PACKAGE = "mvm_spec.vectors"
ENVELOPE_FOLDER = "envelopes"
TYPES_FROM = ("v1", "minimal")
STATE_PARAMETERS = ("hub", "market")  # a runner's state, which an operation's arguments do not repeat

_UINT64 = {"$ref": "common.json#/$defs/uint64"}
_ERROR_NAME = {"$ref": "common.json#/$defs/error_name"}
_CID_TEXT = "A CID's text: multibase base32 (`b...`); a client must not assume it is valid"

# What a type cannot say, by type_key (the whole value), "Container.field" (one field) or "function.parameter" (an
# operation's argument): a description (always first), or keys that replace the derived ones: a narrower bound, an
# enum of codes, a narrower encoding (a "$ref" replaces the derived schema), such as uint64 where the spec's
# annotation is a plain ``int`` whose values a uint64 holds.
REFINEMENTS: dict[str, dict[str, Any]] = {
    "Hub": {
        "description": "The L1 side (Hub): L1 blocks oldest first (the last is the current one), DACs in order of "
        "creation, sequencers and compute providers in registration order, and the snapshots of the sequencer draws "
        "of this epoch and the next, the rangers in registration order and the MT in the ranger reward pool, and "
        "MetisDAO's default tax schedule for new DACs."
    },
    "Hub.l1_blocks": {"minItems": 1},
    "Tuple[Tuple[Address, GenesisAccount], ...]": {
        "description": "A genesis allocation: accounts in order, each address at most once."
    },
    "Tuple[Address, GenesisAccount]": {"description": "One allocated account (GenesisAccount)."},
    "Tuple[Tuple[int, int], ...]": {"description": "Storage as [slot, value] pairs of decimal strings."},
    "Optional[Address]": {"description": "An address, or null."},
    "Deposit.to": {"description": "The recipient, or null for a contract creation."},
    "L1Block": {"description": "An L1 block as the hub sees it (L1Block)."},
    "Deposit": {"description": "An L1 -> L2 message (Deposit)."},
    "PendingDeposit": {
        "description": "A deposit waiting in its DAC's queue, with its ticket, its L1 sender and the L1 block it "
        "was made in (PendingDeposit)."
    },
    "EnqueuedDeposit": {
        "description": "A deposit with its nonce and the L1 block it is included from (EnqueuedDeposit)."
    },
    "SequencedBlock": {"description": "A block a sequencer ordered (SequencedBlock)."},
    "DacGenesis": {"description": "A DAC's recorded genesis (DacGenesis)."},
    "ProvenWithdrawal": {"description": "A proven L2 -> L1 message (ProvenWithdrawal)."},
    "DacRecord": {"description": "What the hub knows of one DAC (DacRecord)."},
    "Sequencer": {"description": "A registered sequencer (Sequencer)."},
    "Sequencer.exit_requested_at": {
        "description": "When the sequencer asked to exit (seconds), or null while it is active."
    },
    "ComputeProvider": {"description": "A registered compute provider (ComputeProvider)."},
    "Withdrawal": {"description": "An L2 -> L1 message (Withdrawal)."},
    "WithdrawalProof": {
        "description": "What prove_withdrawal checks (WithdrawalProof); trie proofs are RLP-encoded nodes, root first."
    },
    "OutputRootProof": {"description": "An output root's preimage (OutputRootProof)."},
    "L2Block": {"description": "An L2 block (L2Block): header, deposits (run first) and signed transactions."},
    "Receipt": {"description": "A receipt (Receipt)."},
    "Receipt.status": {"enum": [0, 1]},
    "Log": {"description": "A log entry (Log)."},
    "Log.topics": {"maxItems": 4},
    "Challenge": {"description": "One challenge game (Challenge)."},
    "Challenge.status": {"enum": [0, 1, 2, 3]},
    "CommittedOutputRoot": {"description": "An output root and where a state batch commits it (CommittedOutputRoot)."},
    "BlockProgress": {
        "description": "A block part-way through execution (BlockProgress): the L2 state, its EVM world as a state "
        "root and the preimages (trie nodes and codes) under it, the receipts so far and the batched transactions "
        "included so far."
    },
    "Tuple[Payout, ...]": {"description": "MT paid on L1 by settlements, in order (Payout)."},
    "SequencingSnapshot": {
        "description": "What the draw of sequencers for an epoch uses (SequencingSnapshot): the RANDAO value of the "
        "L1 block that started the epoch before, the sequencer pool and each DAC's supply then."
    },
    "Ranger": {"description": "A registered ranger (Ranger)."},
    "Validation": {"description": "A ranger's validation of a state batch (Validation)."},
    "Service": {"description": "A registered service (Service)."},
    "ServiceCall": {
        "description": "A call of a service (ServiceCall); status 0 open, 1 fulfilled, 2 refunded; result_hash null "
        "until fulfilled."
    },
    "ServiceCall.status": {"maximum": 2},
    "StoredObject.cid": {"description": _CID_TEXT},
    "seal_cid.cid": {"description": _CID_TEXT},
    "DroppedTransaction.error": _ERROR_NAME,
    "SkippedDeposit.error": _ERROR_NAME,
    # Operations' indices, typed int in the spec: a challenge's index, a state batch's, a service call's.
    "post_middle_root.index": _UINT64,
    "answer_middle_root.index": _UINT64,
    "prove_step.index": _UINT64,
    "resolve_challenge_timeout.index": _UINT64,
    "claim_validation_reward.batch_index": _UINT64,
    "fulfil_service_call.call_id": _UINT64,
    "refund_service_call.call_id": _UINT64,
    # What a query answers, where its type does not say it all (the answer of a table handler, by its function).
    "get_epoch_sequencers.return": {
        "description": "The DAC's succession for the epoch: the first choice, then its fallbacks in order; empty "
        "when the DAC is unsequenced."
    },
    "get_current_sequencer.return": {
        "description": "The sequencer serving the DAC in the current L1 block, or null if none may append."
    },
    "assign_compute_providers.return": {"description": "One per DAC, in chain-id order."},
    "open_handle.return": {"description": _CID_TEXT},
    "get_block_producer.return": {
        "description": "The compute provider assigned to the DAC in the L1 epoch of l1_origin, or METIS_DAO_ADDRESS "
        "when none is."
    },
    "Marketplace": {
        "description": "The marketplace (Marketplace): services in registration order, calls in the order made (a "
        "call's id is its position), MT escrowed for the open calls."
    },
}


def envelope_texts() -> dict[str, str]:
    """File name -> text of every envelope (``common.json`` and one ``<runner>.json`` per runner)."""
    folder = resources.files(ENVELOPE_PACKAGE) / ENVELOPE_FOLDER
    return {item.name: item.read_text(encoding="utf-8") for item in folder.iterdir() if item.name.endswith(".json")}


def resolve_type(spec: ModuleType, key: str) -> Any:
    """The annotation a ``type_key`` names in the rendered module ``spec`` (``Tuple[Receipt, ...]``)."""
    from ..evm import GenesisAccount

    namespace = {"Tuple": typing.Tuple, "Optional": typing.Optional, "GenesisAccount": GenesisAccount, "int": int}
    return eval(key, {"__builtins__": {}}, {**vars(spec), **namespace})  # the package's own envelopes, not input


def shared_definitions(envelopes: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """type_key -> (file, name) of every type an envelope's ``$defs`` defines by ``$derived``."""
    shared: dict[str, tuple[str, str]] = {}
    for file, envelope in sorted(envelopes.items()):
        for name, entry in envelope.get("$defs", {}).items():
            if isinstance(entry, dict) and "$derived" in entry:
                if entry["$derived"] in shared:
                    raise ValueError(f"{entry['$derived']} is defined twice: {shared[entry['$derived']]} and {file}")
                shared[entry["$derived"]] = (file, name)
    return shared


PLACEHOLDER_KEYS = ("$derived", "$arguments", "$op", "$first", "$returns", "$errors", "$decimal_at_most")


def parse_bound(text: str) -> int:
    """The bound a ``$decimal_at_most`` names: ``2^k``, ``2^k - 1`` or decimal digits."""
    power, minus_one = text.removesuffix(" - 1"), text.endswith(" - 1")
    if power.startswith("2^") and power[2:].isdecimal():
        return int(2 ** int(power[2:])) - (1 if minus_one else 0)
    if text.isdecimal():
        return int(text)
    raise ValueError(f"$decimal_at_most {text!r}: give 2^k, 2^k - 1 or digits")


def _described(node: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with the keys a placeholder adds to it (a description, first, as a hand-written schema has it)."""
    extra = {key: value for key, value in node.items() if key not in PLACEHOLDER_KEYS}
    description = {"description": extra.pop("description")} if "description" in extra else {}
    return {**description, **schema, **extra}


def _expand(spec: ModuleType, node: Any, refs: Mapping[str, str], own: str = "") -> Any:
    """``node`` with its placeholders expanded; ``own`` is the type a ``$defs`` entry defines (so not a $ref)."""
    if isinstance(node, list):
        return [_expand(spec, item, refs) for item in node]
    if not isinstance(node, dict):
        return node
    if "$decimal_at_most" in node:
        return _described(node, decimal_schema(parse_bound(node["$decimal_at_most"])))
    if "$derived" in node:
        annotation, named = resolve_type(spec, node["$derived"]), node["$derived"] != own
        return _described(node, schema_of(annotation, refs=refs, refinements=REFINEMENTS, named=named))
    if "$returns" in node:
        key, value = _answer_schema(spec, node["$returns"], refs)
        return _object_of({key: _described(node, value)})
    if "$errors" in node:
        if len(node) != 1:
            raise ValueError(f"an $errors placeholder takes no other key: {node!r}")
        return errors_schema(spec, node["$errors"])
    if "$arguments" in node:
        function = getattr(spec, node["$arguments"])
        derived = arguments_schema(function, STATE_PARAMETERS, refs=refs, refinements=REFINEMENTS)
        first = {"op": {"const": node["$arguments"]}} if node.get("$op") else {}
        first |= _expand(spec, node.get("$first", {}), refs)
        return _described(node, _object_of({**first, **derived["properties"]}))
    expanded = {}
    for key, value in node.items():
        if key == "$defs":
            expanded[key] = {
                name: _expand(spec, entry, refs, own=entry.get("$derived", "") if isinstance(entry, dict) else "")
                for name, entry in value.items()
            }
        else:
            expanded[key] = _expand(spec, value, refs)
    return expanded


def _object_of(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": list(properties), "additionalProperties": False, "properties": properties}


def _answer_schema(spec: ModuleType, function_name: str, refs: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
    """The key a table handler answers under (``handlers.PURE_FUNCTIONS``, ``HUB_QUERIES``, ``STATE_BUILDERS``)
    and the schema of the function's result by its return annotation."""
    from ..conformance.handlers import HUB_QUERIES, PURE_FUNCTIONS, STATE_BUILDERS

    keys = {function: key for function, key in (*PURE_FUNCTIONS.values(), *STATE_BUILDERS.values())}
    keys |= {function: key for function, key, _ in HUB_QUERIES.values()}
    annotation = typing.get_type_hints(getattr(spec, function_name))["return"]
    codec = PARAMETER_CODECS.get((function_name, "return"))
    if codec is not None:
        derived = codec.schema(annotation, refs, REFINEMENTS)
    else:
        derived = schema_of(annotation, refs=refs, refinements=REFINEMENTS)
    return keys[function_name], refined(derived, REFINEMENTS.get(f"{function_name}.return"))


def _local_refs(node: Any, file: str) -> Any:
    """References into ``file`` written as its own ``#/$defs/...``, as a hand-written schema would."""
    if isinstance(node, list):
        return [_local_refs(item, file) for item in node]
    if not isinstance(node, dict):
        return node
    local = {}
    for key, value in node.items():
        if key == "$ref" and value.startswith(file + "#"):
            local[key] = "#" + value.removeprefix(file + "#")
        else:
            local[key] = _local_refs(value, file)
    return local


# --- What the envelopes do not write: a runner's frame, the table handlers' parts, the hub operations -------------

COMMON = "common.json"
SCHEMA_ID = "https://mvm-spec.invalid/schema/{file}"
WRITTEN_KEYS = ("description", "handlers", "$defs")  # what a runner's envelope file may give
PARTS = ("pre", "input", "output", "post")  # a handler's parts, in the order a branch lists them
_HUB = {"$ref": f"{COMMON}#/$defs/hub"}
_HUB_STATE = {"$ref": f"{COMMON}#/$defs/hub_state"}
_HUB_OPERATIONS = {"$ref": f"{COMMON}#/$defs/hub_operations"}
_PAYOUTS = {"$ref": f"{COMMON}#/$defs/payouts"}
_UINT256 = {"$ref": f"{COMMON}#/$defs/uint256"}


def table_function(runner: str, handler: str) -> str | None:
    """The spec function a handler-table line serves ``runner``/``handler`` with, or None when none does (a
    hand-written handler, or a list of hub operations)."""
    from ..conformance.handlers import HUB_OPERATIONS, HUB_QUERIES, PURE_FUNCTIONS, STATE_BUILDERS

    key = (runner, handler)
    for table in (PURE_FUNCTIONS, STATE_BUILDERS, HUB_QUERIES):
        if key in table:
            return str(table[key][0])
    return handler if handler in HUB_OPERATIONS.get(runner, ()) else None


def table_handler_parts(spec: ModuleType, runner: str, handler: str) -> dict[str, Any] | None:
    """The parts of a handler that a line of the reference client's handler tables serves (``handlers.py``), as
    placeholders; None for a handler written by hand, whose parts its runner's envelope gives."""
    from ..conformance.handlers import HUB_OPERATION_LISTS, HUB_OPERATIONS, HUB_QUERIES, PURE_FUNCTIONS, STATE_BUILDERS
    from ..conformance.handlers import hub_after_operations

    key = (runner, handler)
    if key in PURE_FUNCTIONS or key in STATE_BUILDERS:
        function = str(table_function(runner, handler))
        answer = "output" if key in PURE_FUNCTIONS else "post"
        return {"input": {"$arguments": function}, answer: {"$returns": function}}
    if key in HUB_QUERIES:
        function, state = str(table_function(runner, handler)), HUB_QUERIES[key][2]
        first = {"$first": {"operations": _HUB_OPERATIONS}} if state is hub_after_operations else {}
        return {"pre": _HUB_STATE, "input": {"$arguments": function, **first}, "output": {"$returns": function}}
    if handler in HUB_OPERATIONS.get(runner, ()):
        beside = returned_beside_the_hub(spec, handler)
        return {"pre": _HUB_STATE, "input": {"$ref": f"{COMMON}#/$defs/op_{handler}"}, "post": _object_of({"hub": _HUB, **beside})}
    if key in HUB_OPERATION_LISTS:
        payouts = {"payouts": _PAYOUTS} if HUB_OPERATION_LISTS[key] else {}
        return {"pre": _HUB_STATE, "input": _object_of({"operations": _HUB_OPERATIONS}), "post": _object_of({"hub": _HUB, **payouts})}
    return None


def returned_beside_the_hub(spec: ModuleType, operation: str) -> dict[str, Any]:
    """The keys a hub operation's ``post`` has beside the hub, as ``handlers.apply_operation`` encodes them: an
    amount under its key, or the payouts it made."""
    from ..conformance.handlers import AMOUNT_KEYS, PAID_TO

    if operation in AMOUNT_KEYS:
        return {AMOUNT_KEYS[operation]: _UINT256}
    returns = typing.get_type_hints(getattr(spec, operation))["return"]
    return {"payouts": _PAYOUTS} if operation in PAID_TO or typing.get_origin(returns) is tuple else {}


def hub_operation_definitions() -> dict[str, Any]:
    """``common.json``'s definitions of every hub operation (``handlers.HUB_OPERATION_NAMES``): its arguments
    (``op_<name>``), the same with the ``op`` key naming it as a list holds it, and the one of them a list item is."""
    from ..conformance.handlers import HUB_OPERATION_NAMES

    definitions: dict[str, Any] = {}
    for name in HUB_OPERATION_NAMES:
        definitions[f"op_{name}"] = {"$arguments": name, "description": f"The arguments of the hub operation {name}."}
        definitions[f"op_{name}_in_list"] = {"$arguments": name, "$op": True}
    definitions["hub_operation"] = {
        "description": "One hub operation: `op` names it, the other keys are its arguments (the op_<name> definitions).",
        "oneOf": [
            {"allOf": [_object_named(name), {"$ref": f"{COMMON}#/$defs/op_{name}_in_list"}]} for name in HUB_OPERATION_NAMES
        ],
    }
    return definitions


def _object_named(operation: str) -> dict[str, Any]:
    return {"type": "object", "required": ["op"], "properties": {"op": {"const": operation}}}


def defined_in(spec: ModuleType, name: str) -> str:
    """The chapter that defines ``name``, as the rendered module's comment above its definition says."""
    source = inspect.getsource(spec)
    found = re.search(rf"^# (spec/\S+?):\d+\n(?:def|class) {re.escape(name)}\b", source, flags=re.MULTILINE)
    if found is None:
        raise ValueError(f"{name} is not a definition of {spec.__name__}")
    return found.group(1)


def generated_description(spec: ModuleType, runner: str, handlers: list[str]) -> str:
    """The description of a runner whose envelope gives none: each handler and the spec function it calls."""
    described = []
    for handler in handlers:
        function = table_function(runner, handler)
        named = f"calls {function} ({defined_in(spec, function)})" if function else "runs a list of hub operations"
        described.append(f"{handler} {named}")
    return f"Runner {runner}: " + "; ".join(described) + "."


def runner_envelope(spec: ModuleType, runner: str, written: Mapping[str, Any]) -> dict[str, Any]:
    """A runner's whole envelope: the frame every runner shares, one ``if``/``then`` branch per handler it has in
    the reference client (``handlers.HANDLERS``), each listing its parts and its errors, the parts of a table
    handler generated (``table_handler_parts``) and those of a hand-written one from ``written``, the runner's
    envelope file (``{}`` when it has none), which may also give a description and ``$defs``."""
    from ..conformance.handlers import HANDLERS

    if unknown := set(written) - set(WRITTEN_KEYS):
        raise ValueError(f"envelope {runner}.json: unknown keys {sorted(unknown)}; it may give {WRITTEN_KEYS}")
    handlers = sorted(handler for name, handler in HANDLERS if name == runner)
    by_hand = written.get("handlers", {})
    if stray := set(by_hand) - set(handlers):
        raise ValueError(f"envelope {runner}.json describes handlers the reference client lacks: {sorted(stray)}")
    parts = {}
    for handler in handlers:
        generated = table_handler_parts(spec, runner, handler)
        if (generated is None) == (handler not in by_hand):
            whose = "a handler table serves it" if generated is not None else "its envelope does not describe it"
            raise ValueError(f"{runner}/{handler}: {whose}")
        parts[handler] = generated if generated is not None else by_hand[handler]
        if stray_parts := set(parts[handler]) - set(PARTS):
            raise ValueError(f"{runner}/{handler}: unknown parts {sorted(stray_parts)}")
    answers = [part for part in ("output", "post") if any(part in given for given in parts.values())]
    envelope = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID.format(file=f"{runner}.json"),
        "title": f"Runner {runner}",
        "description": written.get("description") or generated_description(spec, runner, handlers),
        "type": "object",
        "required": ["_info"],
        "properties": {
            "_info": {"allOf": [{"$ref": f"{COMMON}#/$defs/info"}, {"properties": {"handler": {"enum": handlers}}}]},
            "error": {"$errors": runner},
        },
        "oneOf": [{"required": [part]} for part in (*answers, "error")],
        "allOf": [_handler_branch(runner, handler, parts[handler]) for handler in handlers],
    }
    return envelope | ({"$defs": written["$defs"]} if "$defs" in written else {})


def _handler_branch(runner: str, handler: str, parts: Mapping[str, Any]) -> dict[str, Any]:
    """The rule for the vectors of one handler: exactly its parts (``pre`` and ``input`` required) and its errors."""
    given = {part: parts[part] for part in PARTS if part in parts}
    return {
        "if": {"properties": {"_info": {"properties": {"handler": {"const": handler}}}}},
        "then": {
            "type": "object",
            "required": [*(part for part in ("pre", "input") if part in given), "_info"],
            "additionalProperties": False,
            "properties": {"_info": True, **given, "error": {"$errors": f"{runner}.{handler}"}},
        },
    }


def runner_envelopes(spec: ModuleType) -> dict[str, dict[str, Any]]:
    """File name -> envelope, placeholders unexpanded: ``common.json`` with the hub operations' definitions, and
    one per runner of the reference client, from its envelope file or, for a runner of table handlers only, from
    nothing but the tables."""
    from ..conformance.handlers import HANDLERS

    written = {file: json.loads(text) for file, text in envelope_texts().items()}
    common, generated = written.pop(COMMON), hub_operation_definitions()
    if clash := set(common["$defs"]) & set(generated):
        raise ValueError(f"{COMMON} writes what is generated: {sorted(clash)}")
    common["$defs"] |= generated
    runners = sorted({runner for runner, _ in HANDLERS})
    if stray := set(written) - {f"{runner}.json" for runner in runners}:
        raise ValueError(f"envelopes of no runner of the reference client: {sorted(stray)}")
    envelopes = {f"{runner}.json": runner_envelope(spec, runner, written.get(f"{runner}.json", {})) for runner in runners}
    return {COMMON: common, **envelopes}


def generate_schemas(spec: ModuleType) -> dict[str, dict[str, Any]]:
    """File name -> the JSON Schema of that file: its envelope with every placeholder expanded from ``spec``."""
    envelopes = runner_envelopes(spec)
    shared = shared_definitions(envelopes)
    generated = {}
    for file, envelope in sorted(envelopes.items()):
        refs = {key: f"{home}#/$defs/{name}" for key, (home, name) in shared.items()}
        generated[file] = _local_refs(_expand(spec, copy.deepcopy(envelope), refs), file)
    return generated


def to_json(schema: Any) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=True) + "\n"


@cache
def schema_texts() -> dict[str, str]:
    """File name -> text of every published schema, generated from the spec's types and the envelopes."""
    from ..forks import load_spec

    return {file: to_json(schema) for file, schema in generate_schemas(load_spec(*TYPES_FROM)).items()}
