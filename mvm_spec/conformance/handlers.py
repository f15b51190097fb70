"""The reference client's handlers: one per (runner, handler), each decoding a request and calling the spec.

A handler takes the rendered spec module and the request's input parts (``pre``, ``input``) and returns the
expected parts (``output`` or ``post``). A rule that rejects the input raises the spec's own error, which the
client reports by class name.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Callable

from ..vectors.codec import (
    decode_account_queries,
    decode_addresses,
    decode_batch_header,
    decode_batched_transactions,
    decode_bytes,
    decode_charter,
    decode_genesis,
    decode_hashes,
    decode_hub,
    decode_l2_block,
    decode_sequencer,
    decode_sequencing_state,
    decode_state_batch_context,
    decode_tax_schedule,
    decode_uint,
    encode_addresses,
    encode_bytes,
    encode_charter,
    encode_hashes,
    encode_hub,
    encode_provider_assignments,
    encode_sequencing_state,
    encode_state_transition_post,
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
        spec.Timestamp(decode_uint(given["now"])),
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


# --- Sequencing (spec/v1/sequencing.md) ---------------------------------------------------------------------------


@handles("dbt", "compute_dynamic_bond_threshold")
def compute_dynamic_bond_threshold(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    threshold = spec.compute_dynamic_bond_threshold(spec.Wei(decode_uint(request["input"]["coinbase_supply"])))
    return {"output": {"threshold": encode_uint(threshold)}}


@handles("eligibility", "is_eligible_sequencer")
def is_eligible_sequencer(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    threshold = spec.compute_dynamic_bond_threshold(spec.Wei(decode_uint(given["coinbase_supply"])))
    eligible = spec.is_eligible_sequencer(decode_sequencer(spec, given["sequencer"]), threshold)
    return {"output": {"eligible": bool(eligible)}}


@handles("selection", "compute_shuffled_index")
def compute_shuffled_index(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    index, count = given["index"], given["count"]
    if not isinstance(index, int) or not isinstance(count, int) or isinstance(index, bool) or isinstance(count, bool):
        raise TypeError("index and count are JSON integers")
    shuffled = spec.compute_shuffled_index(index, count, spec.Hash32(decode_bytes(given["seed"])))
    return {"output": {"shuffled_index": shuffled}}


@handles("selection", "select_epoch_sequencer")
def select_epoch_sequencer(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    selected = spec.select_epoch_sequencer(
        decode_sequencing_state(spec, request["pre"]),
        spec.ChainId(decode_uint(given["chain_id"])),
        spec.Epoch(decode_uint(given["epoch"])),
        spec.Hash32(decode_bytes(given["l1_randomness"])),
    )
    return {"output": {"sequencer": None if selected is None else encode_bytes(selected.address)}}


def apply_sequencing_operation(
    spec: ModuleType, state: Any, operation: str, args: dict[str, Any]
) -> tuple[Any, dict[str, Any]]:
    """One named operation of the deposits runner: the new state and any amounts it returns, encoded."""

    def address(key: str = "address") -> Any:
        return spec.Address(decode_bytes(args[key]))

    def wei(key: str = "amount") -> Any:
        return spec.Wei(decode_uint(args[key]))

    def timestamp() -> Any:
        return spec.Timestamp(decode_uint(args["now"]))

    def chain_id() -> Any:
        return spec.ChainId(decode_uint(args["chain_id"]))

    if operation == "register_sequencer":
        return spec.register_sequencer(state, address(), wei()), {}
    if operation == "increase_sequencer_lock":
        return spec.increase_sequencer_lock(state, address(), wei()), {}
    if operation == "request_sequencer_exit":
        return spec.request_sequencer_exit(state, address(), timestamp()), {}
    if operation == "withdraw_sequencer_stake":
        withdrawn, released = spec.withdraw_sequencer_stake(state, address(), timestamp())
        return withdrawn, {"released": encode_uint(released)}
    if operation == "deposit_into_dac":
        return spec.deposit_into_dac(state, chain_id(), address("recipient"), wei()), {}
    if operation == "withdraw_from_dac":
        return spec.withdraw_from_dac(state, chain_id(), wei()), {}
    if operation == "add_dac_supply":
        return spec.add_dac_supply(state, chain_id()), {}
    if operation == "slash_sequencer":
        ratio = args["slash_ratio_bps"]
        if not isinstance(ratio, int) or isinstance(ratio, bool):
            raise TypeError("slash_ratio_bps is a JSON integer")
        slashed_state, slashed, released = spec.slash_sequencer(state, address(), spec.BasisPoints(ratio))
        return slashed_state, {"slashed": encode_uint(slashed), "released": encode_uint(released)}
    raise ValueError(f"unknown sequencing operation {operation!r}")


def _deposits_handler(operation: str) -> Handler:
    def handle(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
        state, amounts = apply_sequencing_operation(
            spec, decode_sequencing_state(spec, request["pre"]), operation, request["input"]
        )
        encoded = encode_sequencing_state(state)
        return {"post": {"state": encoded, **amounts} if amounts else encoded}

    handle.__name__ = operation
    return handle


SEQUENCING_OPERATIONS = (
    "register_sequencer",
    "increase_sequencer_lock",
    "request_sequencer_exit",
    "withdraw_sequencer_stake",
    "deposit_into_dac",
    "withdraw_from_dac",
    "add_dac_supply",
    "slash_sequencer",
)
for _operation in SEQUENCING_OPERATIONS:
    handles("deposits", _operation)(_deposits_handler(_operation))


@handles("deposits", "apply_operations")
def apply_operations(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    """The operations in order; the first that a rule rejects ends the run with its error."""
    state = decode_sequencing_state(spec, request["pre"])
    for operation in request["input"]["operations"]:
        args = {key: value for key, value in operation.items() if key != "op"}
        state, _ = apply_sequencing_operation(spec, state, operation["op"], args)
    return {"post": encode_sequencing_state(state)}


@handles("compute", "register_compute_provider")
def register_compute_provider(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    providers = spec.register_compute_provider(
        decode_addresses(spec, given["providers"]), spec.Address(decode_bytes(given["address"]))
    )
    return {"output": {"providers": encode_addresses(providers)}}


@handles("compute", "assign_compute_providers")
def assign_compute_providers(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    assignments = spec.assign_compute_providers(
        decode_addresses(spec, given["providers"]),
        [spec.ChainId(decode_uint(chain_id)) for chain_id in given["chain_ids"]],
        spec.Epoch(decode_uint(given["epoch"])),
        spec.Hash32(decode_bytes(given["l1_randomness"])),
    )
    return {"output": {"assignments": encode_provider_assignments(assignments)}}


@handles("compute", "compute_provider_reward")
def compute_provider_reward(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    reward = spec.compute_provider_reward(spec.uint64(decode_uint(request["input"]["blocks_produced"])))
    return {"output": {"reward": encode_uint(reward)}}


@handles("charter", "update")
def charter_update(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    updated = spec.apply_charter_update(
        decode_charter(spec, given["charter"]),
        spec.Address(decode_bytes(given["sender"])),
        decode_charter(spec, given["proposed"]),
    )
    return {
        "output": {"charter": encode_charter(updated), "charter_root": encode_bytes(spec.compute_charter_root(updated))}
    }


@handles("permissions", "is_action_permitted")
def is_action_permitted(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    charter = decode_charter(spec, given["charter"])
    permitted = spec.is_action_permitted(
        charter, spec.Address(decode_bytes(given["signer"])), spec.Action(given["action"])
    )
    return {"output": {"permitted": permitted}}


@handles("permissions", "get_forbidden_opcodes")
def get_forbidden_opcodes(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    forbidden = spec.get_forbidden_opcodes(
        decode_charter(spec, given["charter"]), spec.Address(decode_bytes(given["signer"]))
    )
    return {"output": {"forbidden_opcodes": sorted(forbidden)}}


@handles("output_root", "compute_output_root")
def compute_output_root(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    root = spec.compute_output_root(
        spec.Hash32(decode_bytes(given["evm_state_root"])),
        spec.Hash32(decode_bytes(given["charter_root"])),
        spec.Hash32(decode_bytes(given["block_hash"])),
    )
    return {"output": {"output_root": encode_bytes(root)}}


# --- Execution (spec/v1/execution.md) ------------------------------------------------------------------------------


@handles("state_transition", "apply_block")
def state_transition_apply_block(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    """Build the genesis state of ``pre``, apply ``input.block`` and report the roots, receipts and named accounts."""
    chain_id, alloc, charter, timestamp = decode_genesis(spec, request["pre"])
    state = spec.get_genesis_state(chain_id, alloc, charter, timestamp)
    given = request["input"]
    post_state, receipts = spec.apply_block(state, decode_l2_block(spec, given["block"]))
    queries = decode_account_queries(spec, given["accounts"])
    return {"post": encode_state_transition_post(spec, post_state, receipts, queries)}
