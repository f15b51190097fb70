"""The reference client's handlers: one per (runner, handler), each decoding a request and calling the spec.

A handler takes the rendered spec module and the request's input parts (``pre``, ``input``) and returns the
expected parts (``output`` or ``post``). A rule that rejects the input raises the spec's own error, which the
client reports by class name.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Callable

from ..vectors.codec import (
    decode_batch_header,
    decode_batched_transactions,
    decode_bytes,
    decode_charter,
    decode_hashes,
    decode_hub,
    decode_state_batch_context,
    decode_tax_schedule,
    decode_uint,
    encode_bytes,
    encode_hashes,
    encode_hub,
    encode_uint,
)

Handler = Callable[[ModuleType, dict[str, Any]], dict[str, Any]]
HANDLERS: dict[tuple[str, str], Handler] = {}


def handles(runner: str, handler: str) -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        HANDLERS[(runner, handler)] = function
        return function

    return register


@handles("tax", "compute_tax")
def compute_tax(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    schedule = decode_tax_schedule(spec, given["schedule"])
    tax = spec.compute_tax(spec.Wei(decode_uint(given["value"])), schedule)
    return {"output": {"tax": encode_uint(tax)}}


@handles("charter", "charter_root")
def charter_root(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    charter = decode_charter(spec, request["input"]["charter"])
    return {"output": {"charter_root": encode_bytes(spec.compute_charter_root(charter))}}


@handles("merkle", "root")
def merkle_root(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    leaves = decode_hashes(spec, request["input"]["leaves"])
    return {"output": {"root": encode_bytes(spec.compute_merkle_root(leaves))}}


@handles("merkle", "proof")
def merkle_proof(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    siblings = spec.compute_merkle_proof(decode_hashes(spec, given["leaves"]), given["index"])
    return {"output": {"siblings": encode_hashes(siblings)}}


@handles("merkle", "verify")
def merkle_verify(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    valid = spec.verify_merkle_proof(
        spec.Hash32(decode_bytes(given["root"])),
        spec.Hash32(decode_bytes(given["leaf"])),
        given["index"],
        decode_hashes(spec, given["siblings"]),
        given["total_leaves"],
    )
    return {"output": {"valid": valid}}


@handles("batch", "header_hash")
def batch_header_hash(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    header = decode_batch_header(spec, request["input"]["header"])
    return {"output": {"hash": encode_bytes(spec.hash_batch_header(header))}}


@handles("batch", "append_transaction_batch")
def append_transaction_batch(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    hub = spec.append_transaction_batch(
        decode_hub(spec, request["pre"]),
        spec.ChainId(decode_uint(given["chain_id"])),
        decode_batched_transactions(spec, given["transactions"]),
        decode_uint(given["should_start_at_element"]),
        spec.Timestamp(decode_uint(given["timestamp"])),
        spec.Address(decode_bytes(given["sequencer"])),
        spec.Address(decode_bytes(given["selected_sequencer"])),
    )
    return {"post": encode_hub(hub)}


@handles("batch", "append_state_batch")
def append_state_batch(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    hub = spec.append_state_batch(
        decode_hub(spec, request["pre"]),
        decode_hashes(spec, given["output_roots"]),
        decode_uint(given["should_start_at_element"]),
        decode_state_batch_context(spec, given["context"]),
        spec.Address(decode_bytes(given["selected_sequencer"])),
    )
    return {"post": encode_hub(hub)}


@handles("batch", "delete_state_batches")
def delete_state_batches(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    hub = spec.delete_state_batches(
        decode_hub(spec, request["pre"]),
        spec.ChainId(decode_uint(given["chain_id"])),
        decode_batch_header(spec, given["header"]),
        spec.Timestamp(decode_uint(given["now"])),
    )
    return {"post": encode_hub(hub)}


@handles("batch", "verify_committed_output_root")
def verify_committed_output_root(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    dac = spec.get_dac(decode_hub(spec, request["pre"]), spec.ChainId(decode_uint(given["chain_id"])))
    valid = spec.verify_committed_output_root(
        dac.state_batches,
        decode_batch_header(spec, given["header"]),
        spec.Hash32(decode_bytes(given["output_root"])),
        given["index"],
        decode_hashes(spec, given["siblings"]),
    )
    return {"output": {"valid": valid}}


@handles("registry", "genesis")
def registry_genesis(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    charter = decode_charter(spec, request["input"]["rangers_charter"])
    return {"post": encode_hub(spec.get_genesis_hub(charter))}


@handles("registry", "create_dac")
def registry_create_dac(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    hub = spec.create_dac(decode_hub(spec, request["pre"]), given["label"], decode_charter(spec, given["charter"]))
    return {"post": encode_hub(hub)}
