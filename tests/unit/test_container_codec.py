"""The encoding derived from the spec's container types: the same JSON as every vector, the schemas' shapes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional, Tuple

import pytest

from mvm_spec.forks import load_spec
from mvm_spec.runtime import container
from mvm_spec.vectors.container_codec import decode_container, decode_value, encode_value, schema_of
from mvm_spec.vectors.validation import schema_texts

REPO = Path(__file__).resolve().parents[2]
SPEC = load_spec("v1", "minimal")
SCHEMAS = {name: json.loads(text) for name, text in schema_texts().items()}

# Each container (or sequence of one) and the hand-written definition of the schemas that describes it.
DEFINITIONS: dict[str, tuple[Any, str]] = {
    "Charter": (SPEC.Charter, "common.json#/$defs/charter"),
    "Tuple[TaxBracket, ...]": (Tuple[SPEC.TaxBracket, ...], "common.json#/$defs/tax_schedule"),
    "ChainBatchHeader": (SPEC.ChainBatchHeader, "common.json#/$defs/batch_header"),
    "Hub": (SPEC.Hub, "common.json#/$defs/hub"),
    "L1Block": (SPEC.L1Block, "common.json#/$defs/l1_block"),
    "Deposit": (SPEC.Deposit, "common.json#/$defs/deposit"),
    "PendingDeposit": (SPEC.PendingDeposit, "common.json#/$defs/pending_deposit"),
    "EnqueuedDeposit": (SPEC.EnqueuedDeposit, "common.json#/$defs/enqueued_deposit"),
    "SequencedBlock": (SPEC.SequencedBlock, "common.json#/$defs/sequenced_block"),
    "DacGenesis": (SPEC.DacGenesis, "common.json#/$defs/dac_genesis"),
    "ProvenWithdrawal": (SPEC.ProvenWithdrawal, "common.json#/$defs/proven_withdrawal"),
    "DacRecord": (SPEC.DacRecord, "common.json#/$defs/dac_record"),
    "Sequencer": (SPEC.Sequencer, "common.json#/$defs/sequencer"),
    "ComputeProvider": (SPEC.ComputeProvider, "common.json#/$defs/compute_provider"),
    "Withdrawal": (SPEC.Withdrawal, "common.json#/$defs/withdrawal"),
    "WithdrawalProof": (SPEC.WithdrawalProof, "common.json#/$defs/withdrawal_proof"),
    "L2Block": (SPEC.L2Block, "common.json#/$defs/l2_block"),
    "Tuple[Receipt, ...]": (Tuple[SPEC.Receipt, ...], "common.json#/$defs/receipts"),
    "Challenge": (SPEC.Challenge, "common.json#/$defs/challenge"),
    "CommittedOutputRoot": (SPEC.CommittedOutputRoot, "common.json#/$defs/committed_output_root"),
    "Tuple[Payout, ...]": (Tuple[SPEC.Payout, ...], "common.json#/$defs/payouts"),
    "SequencingSnapshot": (SPEC.SequencingSnapshot, "common.json#/$defs/sequencing_snapshot"),
    "Ranger": (SPEC.Ranger, "common.json#/$defs/ranger"),
    "Validation": (SPEC.Validation, "common.json#/$defs/validation"),
    "Service": (SPEC.Service, "services.json#/$defs/service"),
    "ServiceCall": (SPEC.ServiceCall, "services.json#/$defs/service_call"),
    "Marketplace": (SPEC.Marketplace, "services.json#/$defs/marketplace"),
}
ENCODINGS = ("uint256", "uint64", "bytes", "bytes20", "bytes32")


def shape(schema: Any, home: str) -> Any:
    """What a schema says a value's JSON is, without the refinements (descriptions, enums of codes, bounds on
    lengths) a hand-written schema adds: the form two schemas must share to describe the same encoding."""
    if "$ref" in schema:
        file, _, pointer = schema["$ref"].partition("#")
        file, name = file or home, pointer.removeprefix("/$defs/")
        if file == "common.json" and name in ENCODINGS:
            return name
        if name in ("small_uint", "basis_points"):
            return "number"
        return shape(SCHEMAS[file]["$defs"][name], file)
    if "allOf" in schema:
        return shape(schema["allOf"][0], home)
    if "oneOf" in schema:
        return ("one of", tuple(shape(option, home) for option in schema["oneOf"]))
    if "enum" in schema and all(isinstance(value, int) for value in schema["enum"]) or schema.get("type") == "integer":
        return "number"
    if schema.get("type") == "array" and "prefixItems" in schema:
        return ("array of", tuple(shape(item, home) for item in schema["prefixItems"]))
    if schema.get("type") == "array":
        return ("array", shape(schema["items"], home))
    if schema.get("type") == "object":
        assert schema["required"] == list(schema["properties"]) and schema["additionalProperties"] is False
        return ("object", tuple((key, shape(value, home)) for key, value in schema["properties"].items()))
    return schema["type"]


@pytest.mark.parametrize("name", DEFINITIONS)
def test_derived_schema_has_the_shape_of_the_hand_written_one(name: str) -> None:
    annotation, ref = DEFINITIONS[name]
    file = ref.partition("#")[0]
    assert shape(schema_of(annotation), "common.json") == shape({"$ref": ref}, file)


def test_every_hub_of_the_vectors_decodes_and_encodes_to_the_same_json() -> None:
    hubs = 0
    for path in sorted((REPO / "tests" / "vectors" / "minimal" / "v1").glob("*/*/*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        for part in ("pre", "post"):
            if isinstance(document.get(part), dict) and "hub" in document[part]:
                hub = document[part]["hub"]
                assert encode_value(decode_container(SPEC, "Hub", hub)) == hub, path
                hubs += 1
    assert hubs > 500


def test_plain_rules_and_bounded_codes() -> None:
    bracket = SPEC.TaxBracket(threshold=SPEC.Wei(2**200), rate_bps=SPEC.BasisPoints(250))
    assert encode_value(bracket) == {"threshold": str(2**200), "rate_bps": 250}
    sequencer = SPEC.Sequencer(address=SPEC.Address(b"\x01" * 20), locked=SPEC.Wei(5), exit_requested_at=None)
    assert encode_value(sequencer) == {"address": "0x" + "01" * 20, "locked": "5", "exit_requested_at": None}
    assert decode_container(SPEC, "Sequencer", encode_value(sequencer)) == sequencer
    header = {"batch_index": "0", "batch_root": "0x" + "00" * 32, "batch_size": "1", "prev_total_elements": "0", "extra_data": "0x"}
    chain = SPEC.BatchChain(headers=(decode_container(SPEC, "ChainBatchHeader", header),))
    assert encode_value(chain) == [header]  # a BatchChain is a bare array of its headers
    with pytest.raises(TypeError):
        decode_container(SPEC, "TaxBracket", {"threshold": "1", "rate_bps": "250"})  # a code as a string
    with pytest.raises(TypeError):
        decode_container(SPEC, "TaxBracket", {"threshold": "1", "rate_bps": True})
    with pytest.raises(ValueError):
        decode_container(SPEC, "TaxBracket", {"threshold": 1, "rate_bps": 250})  # an amount as a number
    with pytest.raises(TypeError):
        decode_container(SPEC, "Validation", {"ranger": "0x" + "00" * 20, "header": header, "rewarded": 1})


@container
class Ticket:
    """A container no hand-written code knows: its encoding, decoding and schema come from its fields alone."""

    holder: SPEC.Address  # type: ignore[name-defined]
    price: SPEC.Wei  # type: ignore[name-defined]
    rate_bps: SPEC.BasisPoints  # type: ignore[name-defined]
    seats: Tuple[SPEC.uint64, ...]  # type: ignore[name-defined]
    note: Optional[str]


def test_a_new_container_costs_no_codec() -> None:
    ticket = Ticket(SPEC.Address(b"\xaa" * 20), SPEC.Wei(10**20), SPEC.BasisPoints(5), (SPEC.uint64(1), SPEC.uint64(2)), None)
    encoded = encode_value(ticket)
    assert encoded == {"holder": "0x" + "aa" * 20, "price": str(10**20), "rate_bps": 5, "seats": ["1", "2"], "note": None}
    assert decode_value(SPEC, Ticket, encoded) == ticket
    assert list(schema_of(Ticket)["properties"]) == ["holder", "price", "rate_bps", "seats", "note"]
    assert schema_of(Ticket)["properties"]["note"] == {"oneOf": [{"type": "string"}, {"type": "null"}]}
