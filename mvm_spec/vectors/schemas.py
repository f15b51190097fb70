"""The JSON Schemas of the vector formats, generated from the spec's types (``mvm-spec vectors`` writes them to
``tests/vectors/schema/``; ``--check`` fails when they are stale).

A schema file is its envelope, ``envelopes/<file>.json``, written by hand: a runner's handlers, the parts each
takes and gives, the keys of its ``input`` and ``output``, its errors, and the encodings ``common.json`` shares. No
container's field list is in an envelope. Where one describes a spec value it holds a placeholder, expanded here:

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
``type_key`` or ``"Container.field"``. The spec module the types are read from is ``TYPES_FROM``; every fork and
preset declares the same fields (a test checks that each derives the same schemas).
"""

from __future__ import annotations

import copy
import json
import typing
from functools import cache
from importlib import resources
from types import ModuleType
from typing import Any, Mapping

from .container_codec import PARAMETER_CODECS, arguments_schema, decimal_schema, schema_of
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
        return keys[function_name], codec.schema(annotation, refs, REFINEMENTS)
    return keys[function_name], schema_of(annotation, refs=refs, refinements=REFINEMENTS)


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


def generate_schemas(spec: ModuleType) -> dict[str, dict[str, Any]]:
    """File name -> the JSON Schema of that file: its envelope with every placeholder expanded from ``spec``."""
    envelopes = {file: json.loads(text) for file, text in envelope_texts().items()}
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
