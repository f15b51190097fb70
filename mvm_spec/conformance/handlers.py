"""The reference client's handlers: one per (runner, handler), each decoding a request and calling the spec.

A handler takes the rendered spec module and the request's input parts (``pre``, ``input``) and returns the
expected parts (``output`` or ``post``). A rule that rejects the input raises the spec's own error, which the
client reports by class name.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Callable

from ..tracing import trace_block
from ..vectors.codec import (
    decode_account_queries,
    decode_addresses,
    decode_batch_header,
    decode_block_progress,
    decode_bytes,
    decode_charter,
    decode_committed_output_root,
    decode_content,
    decode_content_store,
    decode_genesis,
    decode_genesis_alloc,
    decode_hashes,
    decode_hub,
    decode_l1_block,
    decode_l2_block,
    decode_marketplace,
    decode_optional_address,
    decode_resolver,
    decode_sequencer,
    decode_storage_request,
    decode_tax_schedule,
    decode_uint,
    decode_withdrawal,
    decode_withdrawal_proof,
    encode_addresses,
    encode_bytes,
    encode_charter,
    encode_content_store,
    encode_derivation_output,
    encode_hashes,
    encode_hub,
    encode_marketplace,
    encode_payouts,
    encode_provider_assignments,
    encode_state_transition_post,
    encode_uint,
)
from ..vectors.container_codec import call_spec_function

Handler = Callable[[ModuleType, dict[str, Any]], dict[str, Any]]
HANDLERS: dict[tuple[str, str], Handler] = {}


def handles(runner: str, handler: str) -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        HANDLERS[(runner, handler)] = function
        return function

    return register


# Pure spec functions whose input keys are their parameters: one line each, (runner, handler) -> (function, the
# output's key); decoding and encoding follow the function's annotations (container_codec.call_spec_function).
PURE_FUNCTIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("tax", "compute_tax"): ("compute_tax", "tax"),
    ("charter", "charter_root"): ("compute_charter_root", "charter_root"),
    ("batch", "header_hash"): ("hash_batch_header", "hash"),
    ("dbt", "compute_dynamic_bond_threshold"): ("compute_dynamic_bond_threshold", "threshold"),
    ("compute", "compute_provider_reward"): ("compute_provider_reward", "reward"),
}
for (_runner, _handler), (_function, _answer_key) in PURE_FUNCTIONS.items():
    handles(_runner, _handler)(call_spec_function(_function, _answer_key))


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


@handles("batch", "verify_committed_output_root")
def verify_committed_output_root(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    dac = spec.get_dac(decode_hub(spec, request["pre"]["hub"]), spec.ChainId(decode_uint(given["chain_id"])))
    valid = spec.verify_committed_output_root(
        dac.state_batches,
        decode_batch_header(spec, given["header"]),
        spec.Hash32(decode_bytes(given["output_root"])),
        given["index"],
        decode_hashes(spec, given["siblings"]),
    )
    return {"output": {"valid": valid}}


@handles("finality", "is_state_batch_final")
def is_state_batch_final(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    final = spec.is_state_batch_final(
        decode_hub(spec, request["pre"]["hub"]),
        spec.ChainId(decode_uint(given["chain_id"])),
        decode_batch_header(spec, given["header"]),
    )
    return {"output": {"final": bool(final)}}


@handles("registry", "genesis")
def registry_genesis(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    hub = spec.get_genesis_hub(decode_charter(spec, given["rangers_charter"]), decode_l1_block(spec, given["l1_block"]))
    return {"post": {"hub": encode_hub(hub)}}


# --- Hub operations (hub.md, sequencing.md, bridge.md) --------------------------------------------------------------
# Every runner whose state is the hub takes its pre-state as `pre.hub` and reports `post.hub`, with any amount an
# operation returns beside it. `apply_operations` runs a list of operations in order; the first a rule rejects ends
# the run with its error.


def apply_hub_operation(spec: ModuleType, hub: Any, operation: str, args: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """One named hub operation: the new hub and any amounts it returns, encoded."""

    def address(key: str = "address") -> Any:
        return spec.Address(decode_bytes(args[key]))

    def wei(key: str = "amount") -> Any:
        return spec.Wei(decode_uint(args[key]))

    def chain_id() -> Any:
        return spec.ChainId(decode_uint(args["chain_id"]))

    def start() -> int:
        return decode_uint(args["should_start_at_element"])

    if operation == "advance_l1_block":
        return spec.advance_l1_block(hub, decode_l1_block(spec, args["block"])), {}
    if operation == "create_dac":
        charter = decode_charter(spec, args["charter"])
        alloc = decode_genesis_alloc(spec, args["alloc"])
        return spec.create_dac(hub, args["label"], charter, alloc, wei("base_fee_per_gas")), {}
    if operation == "set_default_taxrates":
        taxrates = decode_tax_schedule(spec, args["taxrates"])
        return spec.set_default_taxrates(hub, address("sender"), taxrates), {}
    if operation == "register_sequencer":
        return spec.register_sequencer(hub, address(), wei()), {}
    if operation == "increase_sequencer_lock":
        return spec.increase_sequencer_lock(hub, address(), wei()), {}
    if operation == "request_sequencer_exit":
        return spec.request_sequencer_exit(hub, address()), {}
    if operation == "withdraw_sequencer_stake":
        withdrawn, released = spec.withdraw_sequencer_stake(hub, address())
        return withdrawn, {"released": encode_uint(released)}
    if operation == "slash_sequencer":
        ratio = args["slash_ratio_bps"]
        if not isinstance(ratio, int) or isinstance(ratio, bool):
            raise TypeError("slash_ratio_bps is a JSON integer")
        slashed_hub, slashed = spec.slash_sequencer(hub, address(), spec.BasisPoints(ratio))
        return slashed_hub, {"slashed": encode_uint(slashed)}
    if operation == "register_compute_provider":
        return spec.register_compute_provider(hub, address()), {}
    if operation == "deposit_into_dac":
        if not isinstance(args["from_contract"], bool):
            raise TypeError("from_contract is a JSON boolean")
        deposited = spec.deposit_into_dac(
            hub,
            chain_id(),
            address("l1_sender"),
            args["from_contract"],
            decode_optional_address(spec, args["to"]),
            wei("mint"),
            wei("value"),
            spec.uint64(decode_uint(args["gas_limit"])),
            decode_bytes(args["data"]),
        )
        return deposited, {}
    if operation == "append_transaction_batch":
        batch_data = decode_bytes(args["batch_data"])
        appended = spec.append_transaction_batch(
            hub, chain_id(), batch_data, start(), address("sequencer")
        )
        return appended, {}
    if operation == "append_state_batch":
        roots = decode_hashes(spec, args["output_roots"])
        appended = spec.append_state_batch(
            hub, chain_id(), roots, start(), address("proposer")
        )
        return appended, {}
    if operation == "delete_state_batches":
        return spec.delete_state_batches(hub, chain_id(), decode_batch_header(spec, args["header"])), {}
    if operation == "prove_withdrawal":
        withdrawal = decode_withdrawal(spec, args["withdrawal"])
        return spec.prove_withdrawal(hub, chain_id(), withdrawal, decode_withdrawal_proof(spec, args["proof"])), {}
    if operation == "withdraw_pending_deposit":
        ticket = spec.uint64(decode_uint(args["ticket"]))
        withdrawn_hub, refunded = spec.withdraw_pending_deposit(hub, chain_id(), address("l1_sender"), ticket)
        return withdrawn_hub, {"refunded": encode_uint(refunded)}
    if operation == "finalize_withdrawal":
        finalized, paid = spec.finalize_withdrawal(hub, chain_id(), decode_withdrawal(spec, args["withdrawal"]))
        return finalized, {"paid": encode_uint(paid)}
    if operation == "open_challenge":
        disputed = decode_committed_output_root(spec, args["disputed"])
        agreed = decode_committed_output_root(spec, args["agreed"])
        return spec.open_challenge(hub, chain_id(), disputed, agreed, address("challenger")), {}
    if operation == "post_middle_root":
        root = spec.Hash32(decode_bytes(args["root"]))
        return spec.post_middle_root(hub, chain_id(), decode_uint(args["index"]), address("sender"), root), {}
    if operation == "answer_middle_root":
        if not isinstance(args["agree"], bool):
            raise TypeError("agree is a JSON boolean")
        answered = spec.answer_middle_root(hub, chain_id(), decode_uint(args["index"]), address("sender"), args["agree"])
        return answered, {}
    if operation == "prove_step":
        witness = decode_block_progress(spec, args["witness"])
        proven, payouts = spec.prove_step(hub, chain_id(), decode_uint(args["index"]), address("sender"), witness)
        return proven, {"payouts": encode_payouts(payouts)}
    if operation == "resolve_challenge_timeout":
        resolved, payouts = spec.resolve_challenge_timeout(hub, chain_id(), decode_uint(args["index"]))
        return resolved, {"payouts": encode_payouts(payouts)}
    if operation == "register_ranger":
        return spec.register_ranger(hub, address(), wei("bond")), {}
    if operation == "request_ranger_exit":
        return spec.request_ranger_exit(hub, address()), {}
    if operation == "withdraw_ranger_bond":
        withdrawn, released = spec.withdraw_ranger_bond(hub, address())
        return withdrawn, {"payouts": encode_payouts([spec.Payout(address(), released)])}
    if operation == "fund_ranger_rewards":
        return spec.fund_ranger_rewards(hub, wei()), {}
    if operation == "validate_state_batch":
        header = decode_batch_header(spec, args["header"])
        return spec.validate_state_batch(hub, chain_id(), header, address("ranger")), {}
    if operation == "claim_validation_reward":
        claimed, paid = spec.claim_validation_reward(hub, chain_id(), address("ranger"), decode_uint(args["batch_index"]))
        return claimed, {"payouts": encode_payouts([spec.Payout(address("ranger"), paid)])}
    raise ValueError(f"unknown hub operation {operation!r}")


def apply_hub_operations(spec: ModuleType, hub: Any, operations: list[dict[str, Any]]) -> Any:
    for operation in operations:
        args = {key: value for key, value in operation.items() if key != "op"}
        hub, _ = apply_hub_operation(spec, hub, operation["op"], args)
    return hub


def _hub_operation_handler(operation: str) -> Handler:
    def handle(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
        hub, amounts = apply_hub_operation(spec, decode_hub(spec, request["pre"]["hub"]), operation, request["input"])
        return {"post": {"hub": encode_hub(hub), **amounts}}

    handle.__name__ = operation
    return handle


def _apply_operations(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    hub = apply_hub_operations(spec, decode_hub(spec, request["pre"]["hub"]), request["input"]["operations"])
    return {"post": {"hub": encode_hub(hub)}}


HUB_OPERATIONS: dict[str, tuple[str, ...]] = {
    "registry": ("create_dac", "set_default_taxrates"),
    "batch": ("append_transaction_batch", "append_state_batch", "delete_state_batches"),
    "stakes": (
        "register_sequencer",
        "increase_sequencer_lock",
        "request_sequencer_exit",
        "withdraw_sequencer_stake",
        "slash_sequencer",
    ),
    "compute": ("register_compute_provider",),
    "bridge": (
        "advance_l1_block",
        "deposit_into_dac",
        "withdraw_pending_deposit",
        "prove_withdrawal",
        "finalize_withdrawal",
    ),
}
for _runner, _operations in HUB_OPERATIONS.items():
    for _operation in _operations:
        handles(_runner, _operation)(_hub_operation_handler(_operation))
for _runner in ("stakes", "bridge"):
    handles(_runner, "apply_operations")(_apply_operations)


@handles("challenge", "get_block_trace")
def block_trace(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    """The roots of every point of the true trace of block ``input.block_number`` of DAC ``input.chain_id``."""
    given = request["input"]
    trace = spec.get_block_trace(
        decode_hub(spec, request["pre"]["hub"]), spec.ChainId(decode_uint(given["chain_id"])), decode_uint(given["block_number"])
    )
    steps = len(trace) - 1
    return {"output": {"roots": encode_hashes([spec.hash_trace_point(point, index, steps) for index, point in enumerate(trace)])}}


@handles("challenge", "apply_operations")
@handles("rangers", "apply_operations")
def operations_with_payouts(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    """Run the operations in order; the post-state is the hub and every payout made on L1 (settlements, bonds
    withdrawn, rewards), in order."""
    hub = decode_hub(spec, request["pre"]["hub"])
    payouts: list[dict[str, Any]] = []
    for operation in request["input"]["operations"]:
        args = {key: value for key, value in operation.items() if key != "op"}
        hub, amounts = apply_hub_operation(spec, hub, operation["op"], args)
        payouts.extend(amounts.get("payouts", []))
    return {"post": {"hub": encode_hub(hub), "payouts": payouts}}


# --- Services (spec/v1/services.md) ---------------------------------------------------------------------------------
# The marketplace is its own state beside the hub, which its operations read only for the L1 clock and the DAC
# registry: `pre` holds both, an `advance_l1_block` operation moves the hub's clock, and `post` reports the
# marketplace and every payout made on L1, in order.


def apply_service_operation(
    spec: ModuleType, hub: Any, market: Any, operation: str, args: dict[str, Any]
) -> tuple[Any, Any, list[dict[str, Any]]]:
    """One named marketplace operation (or the hub's ``advance_l1_block``): the new hub and marketplace, and the
    payouts it made, encoded."""

    def address(key: str) -> Any:
        return spec.Address(decode_bytes(args[key]))

    def service_id() -> Any:
        return spec.ServiceId(decode_bytes(args["service_id"]))

    def terms() -> tuple[Any, Any, Any]:
        return spec.Wei(decode_uint(args["price"])), address("fee_recipient"), spec.uint64(decode_uint(args["timeout"]))

    if operation == "advance_l1_block":
        return spec.advance_l1_block(hub, decode_l1_block(spec, args["block"])), market, []
    if operation == "register_service":
        return hub, spec.register_service(market, address("provider"), service_id(), *terms()), []
    if operation == "update_service":
        return hub, spec.update_service(market, address("sender"), service_id(), *terms()), []
    if operation == "deregister_service":
        return hub, spec.deregister_service(market, address("sender"), service_id()), []
    if operation == "call_service":
        called = spec.call_service(
            hub,
            market,
            address("caller"),
            spec.ChainId(decode_uint(args["chain_id"])),
            service_id(),
            spec.Wei(decode_uint(args["max_price"])),
            spec.Hash32(decode_bytes(args["request_hash"])),
        )
        return hub, called, []
    if operation == "fulfil_service_call":
        result_hash = spec.Hash32(decode_bytes(args["result_hash"]))
        fulfilled, payouts = spec.fulfil_service_call(hub, market, address("sender"), decode_uint(args["call_id"]), result_hash)
        return hub, fulfilled, encode_payouts(payouts)
    if operation == "refund_service_call":
        refunded, payouts = spec.refund_service_call(hub, market, decode_uint(args["call_id"]))
        return hub, refunded, encode_payouts(payouts)
    raise ValueError(f"unknown marketplace operation {operation!r}")


@handles("services", "apply_operations")
def service_operations(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    """Run the operations in order on the hub and the marketplace; the first a rule rejects ends the run."""
    hub = decode_hub(spec, request["pre"]["hub"])
    market = decode_marketplace(spec, request["pre"]["marketplace"])
    payouts: list[dict[str, Any]] = []
    for operation in request["input"]["operations"]:
        args = {key: value for key, value in operation.items() if key != "op"}
        hub, market, paid = apply_service_operation(spec, hub, market, operation["op"], args)
        payouts.extend(paid)
    return {"post": {"marketplace": encode_marketplace(market), "payouts": payouts}}


@handles("derivation", "derive_chain")
def derive_chain(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    """Run ``input.operations`` on the hub (their errors are the hub's), then derive chain ``input.chain_id``."""
    given = request["input"]
    hub = apply_hub_operations(spec, decode_hub(spec, request["pre"]["hub"]), given["operations"])
    state, blocks = spec.derive_chain(hub, spec.ChainId(decode_uint(given["chain_id"])))
    return {"output": encode_derivation_output(spec, state, blocks)}


# --- Sequencing (spec/v1/sequencing.md) ---------------------------------------------------------------------------


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


@handles("selection", "get_epoch_sequencers")
def get_epoch_sequencers(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    """Run ``input.operations`` on the hub (their errors are the hub's), then ask for the succession of DAC
    ``input.chain_id`` in ``input.epoch``."""
    given = request["input"]
    hub = apply_hub_operations(spec, decode_hub(spec, request["pre"]["hub"]), given["operations"])
    succession = spec.get_epoch_sequencers(
        hub, spec.ChainId(decode_uint(given["chain_id"])), spec.Epoch(decode_uint(given["epoch"]))
    )
    return {"output": {"sequencers": [encode_bytes(address) for address in succession]}}


@handles("selection", "get_current_sequencer")
def get_current_sequencer(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    """Run ``input.operations`` on the hub (their errors are the hub's), then ask who may append batches of DAC
    ``input.chain_id`` in the hub's current L1 block."""
    given = request["input"]
    hub = apply_hub_operations(spec, decode_hub(spec, request["pre"]["hub"]), given["operations"])
    serving = spec.get_current_sequencer(hub, spec.ChainId(decode_uint(given["chain_id"])))
    return {"output": {"sequencer": None if serving is None else encode_bytes(serving)}}


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


@handles("compute", "get_block_producer")
def get_block_producer(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    producer = spec.get_block_producer(
        decode_hub(spec, request["pre"]["hub"]),
        spec.ChainId(decode_uint(given["chain_id"])),
        spec.L1BlockNumber(decode_uint(given["l1_origin"])),
    )
    return {"output": {"producer": encode_bytes(producer)}}


@handles("charter", "decode")
def charter_decode(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    return {"output": {"charter": encode_charter(spec.decode_charter(decode_bytes(request["input"]["data"])))}}


@handles("charter", "encode_call")
def charter_encode_call(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    encode = {"setTax": spec.encode_tax_call, "setGovernance": spec.encode_governance_call}[given["function"]]
    return {"output": {"data": encode_bytes(encode(decode_charter(spec, given["charter"])))}}


@handles("charter", "update")
def charter_update(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    updated = spec.apply_charter_call(
        decode_charter(spec, given["charter"]),
        spec.Address(decode_bytes(given["sender"])),
        decode_bytes(given["data"]),
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
        spec.Hash32(decode_bytes(given["message_passer_root"])),
        spec.Hash32(decode_bytes(given["block_hash"])),
        spec.Hash32(decode_bytes(given["context_root"])),
    )
    return {"output": {"output_root": encode_bytes(root)}}


# --- Execution (spec/v1/execution.md) ------------------------------------------------------------------------------


@handles("state_transition", "apply_block")
def state_transition_apply_block(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    """Build the genesis state of ``pre``, take it through ``input.parents`` (if any) with ``state_transition``,
    apply ``input.block`` and report the roots, receipts and named accounts; with ``"trace": true``, also the
    trace of ``input.block`` (docs/protocol.md#traces)."""
    chain_id, alloc, charter, timestamp, base_fee_per_gas = decode_genesis(spec, request["pre"])
    state = spec.get_genesis_state(chain_id, alloc, charter, timestamp, base_fee_per_gas)
    given = request["input"]
    for parent in given.get("parents", []):
        state = spec.state_transition(state, decode_l2_block(spec, parent))
    block = decode_l2_block(spec, given["block"])
    queries = decode_account_queries(spec, given["accounts"])
    if request.get("trace") is not True:
        post_state, receipts = spec.apply_block(state, block)
        return {"post": encode_state_transition_post(spec, post_state, receipts, queries)}
    post_state, receipts, trace = trace_block(spec, state, block)
    return {"post": encode_state_transition_post(spec, post_state, receipts, queries), "trace": trace}


@handles("storage", "cid")
def storage_cid(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    data = decode_content(given["data"])
    if "layout" in given:
        layout = given["layout"]
        cid = spec.compute_cid_with_layout(data, spec.uint64(layout["chunk_size"]), spec.uint64(layout["max_links"]))
    else:
        cid = spec.compute_cid(data)
    return {"output": {"cid": spec.format_cid(cid)}}


@handles("storage", "parse_cid")
def storage_parse_cid(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    return {"output": {"cid": encode_bytes(spec.parse_cid(request["input"]["text"]))}}


@handles("storage", "verify_content")
def storage_verify_content(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    spec.verify_content(spec.parse_cid(given["cid"]), decode_content(given["data"]))
    return {"output": {"valid": True}}


@handles("storage", "seal_cid")
def storage_seal_cid(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    handle = spec.seal_cid(decode_resolver(spec, given["resolver"]), spec.parse_cid(given["cid"]))
    return {"output": {"handle": encode_bytes(handle)}}


@handles("storage", "open_handle")
def storage_open_handle(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    cid = spec.open_handle(decode_resolver(spec, given["resolver"]), spec.Handle(decode_bytes(given["handle"])))
    return {"output": {"cid": spec.format_cid(cid)}}


@handles("storage", "serve_request")
def storage_serve_request(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    store, answer = spec.serve_storage_request(
        decode_resolver(spec, given["resolver"]),
        decode_charter(spec, given["charter"]),
        decode_content_store(spec, request["pre"]["store"]),
        decode_storage_request(spec, given["request"]),
        spec.Timestamp(decode_uint(given["now"])),
    )
    return {"post": {"store": encode_content_store(spec, store), "answer": encode_bytes(answer)}}
