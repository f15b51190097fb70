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
    decode_batch_header,
    decode_bytes,
    decode_charter,
    decode_content,
    decode_content_store,
    decode_genesis,
    decode_hashes,
    decode_hub,
    decode_l2_block,
    decode_marketplace,
    decode_resolver,
    decode_sequencer,
    decode_storage_request,
    decode_uint,
    encode_bytes,
    encode_charter,
    encode_content_store,
    encode_derivation_output,
    encode_hashes,
    encode_hub,
    encode_marketplace,
    encode_payouts,
    encode_state_transition_post,
    encode_uint,
)
from ..vectors.container_codec import call_spec_function, decode_arguments, parameters_of
from ..vectors.schemas import STATE_PARAMETERS

Handler = Callable[[ModuleType, dict[str, Any]], dict[str, Any]]
HANDLERS: dict[tuple[str, str], Handler] = {}
# The spec functions each handler calls (its entry points), as its registration declares them: the errors they may
# raise are the errors its vectors may name (vectors/errors.py writes them into the runner's schema). A test runs
# every handler on its vectors and checks that it calls no other spec function.
ENTRY_FUNCTIONS: dict[tuple[str, str], tuple[str, ...]] = {}


def handles(runner: str, handler: str, calls: tuple[str, ...]) -> Callable[[Handler], Handler]:
    """Register a handler, with the spec functions it ``calls`` (a function's own calls are the spec's to say)."""

    def register(function: Handler) -> Handler:
        HANDLERS[(runner, handler)] = function
        ENTRY_FUNCTIONS[(runner, handler)] = calls
        return function

    return register


# The hub operations a list may name (and each its own handler's): spec functions of the hub, whose other
# parameters are the operation's keys, decoded by their annotations (container_codec.decode_arguments).
HUB_OPERATION_NAMES = (
    "advance_l1_block",
    "create_dac",
    "set_default_taxrates",
    "register_sequencer",
    "increase_sequencer_lock",
    "request_sequencer_exit",
    "withdraw_sequencer_stake",
    "slash_sequencer",
    "register_compute_provider",
    "deposit_into_dac",
    "append_transaction_batch",
    "append_state_batch",
    "delete_state_batches",
    "prove_withdrawal",
    "withdraw_pending_deposit",
    "finalize_withdrawal",
    "open_challenge",
    "post_middle_root",
    "answer_middle_root",
    "prove_step",
    "resolve_challenge_timeout",
    "register_ranger",
    "request_ranger_exit",
    "withdraw_ranger_bond",
    "fund_ranger_rewards",
    "validate_state_batch",
    "claim_validation_reward",
)
# The marketplace's operations (spec/v1/services.md), which a services list names beside the hub's advance_l1_block.
SERVICE_OPERATION_NAMES = (
    "register_service",
    "update_service",
    "deregister_service",
    "call_service",
    "fulfil_service_call",
    "refund_service_call",
)
# Spec functions that answer without changing a state and whose input keys are their parameters: one line each,
# (runner, handler) -> (function, the output's key); decoding and encoding follow the function's annotations
# (container_codec.call_spec_function, with its PARAMETER_CODECS for the indices that are JSON numbers and the CIDs
# given as text).
PURE_FUNCTIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("tax", "compute_tax"): ("compute_tax", "tax"),
    ("charter", "charter_root"): ("compute_charter_root", "charter_root"),
    ("charter", "decode"): ("decode_charter", "charter"),
    ("permissions", "is_action_permitted"): ("is_action_permitted", "permitted"),
    ("permissions", "get_forbidden_opcodes"): ("get_forbidden_opcodes", "forbidden_opcodes"),
    ("output_root", "compute_output_root"): ("compute_output_root", "output_root"),
    ("merkle", "root"): ("compute_merkle_root", "root"),
    ("merkle", "proof"): ("compute_merkle_proof", "siblings"),
    ("merkle", "verify"): ("verify_merkle_proof", "valid"),
    ("batch", "header_hash"): ("hash_batch_header", "hash"),
    ("dbt", "compute_dynamic_bond_threshold"): ("compute_dynamic_bond_threshold", "threshold"),
    ("selection", "compute_shuffled_index"): ("compute_shuffled_index", "shuffled_index"),
    ("compute", "assign_compute_providers"): ("assign_compute_providers", "assignments"),
    ("compute", "compute_provider_reward"): ("compute_provider_reward", "reward"),
    ("storage", "parse_cid"): ("parse_cid", "cid"),
    ("storage", "seal_cid"): ("seal_cid", "handle"),
    ("storage", "open_handle"): ("open_handle", "cid"),
}
for (_runner, _handler), (_function, _answer_key) in PURE_FUNCTIONS.items():
    handles(_runner, _handler, calls=(_function,))(call_spec_function(_function, _answer_key))

# Spec functions that build a state from their parameters: their answer is the `post`, under the state's name.
STATE_BUILDERS: dict[tuple[str, str], tuple[str, str]] = {
    ("registry", "genesis"): ("get_genesis_hub", "hub"),
}
for (_runner, _handler), (_function, _answer_key) in STATE_BUILDERS.items():
    handles(_runner, _handler, calls=(_function,))(call_spec_function(_function, _answer_key, part="post"))


def pre_hub(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    """The state argument of a query of the hub: ``pre.hub``."""
    return {"hub": decode_hub(spec, request["pre"]["hub"])}


def hub_after_operations(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    """The state argument of a query after ``input.operations`` (whose errors are the hub's): the hub they leave."""
    return {"hub": apply_hub_operations(spec, pre_hub(spec, request)["hub"], request["input"]["operations"])}


# Queries of the hub, one line each: (runner, handler) -> (function, the output's key, how the hub is found).
HUB_QUERIES: dict[tuple[str, str], tuple[str, str, Callable[[ModuleType, dict[str, Any]], dict[str, Any]]]] = {
    ("finality", "is_state_batch_final"): ("is_state_batch_final", "final", pre_hub),
    ("compute", "get_block_producer"): ("get_block_producer", "producer", pre_hub),
    ("selection", "get_epoch_sequencers"): ("get_epoch_sequencers", "sequencers", hub_after_operations),
    ("selection", "get_current_sequencer"): ("get_current_sequencer", "sequencer", hub_after_operations),
}
# What finding the hub calls, by how the query finds it.
QUERY_STATE_CALLS: dict[Handler, tuple[str, ...]] = {pre_hub: (), hub_after_operations: HUB_OPERATION_NAMES}
for (_runner, _handler), (_function, _answer_key, _state) in HUB_QUERIES.items():
    _calls = (_function, *QUERY_STATE_CALLS[_state])
    handles(_runner, _handler, calls=_calls)(call_spec_function(_function, _answer_key, _state))


@handles("batch", "verify_committed_output_root", calls=("get_dac", "verify_committed_output_root"))
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


# --- Hub operations (hub.md, sequencing.md, bridge.md) --------------------------------------------------------------
# Every runner whose state is the hub takes its pre-state as `pre.hub` and reports `post.hub`, with any amount an
# operation returns beside it. `apply_operations` runs a list of operations in order; the first a rule rejects ends
# the run with its error.


# What an operation returns beside the new state, as the post reports it: an amount under its key, or an amount
# paid on L1 to the address of one of its arguments, as a payout (an operation returning payouts lists them).
AMOUNT_KEYS = {
    "withdraw_sequencer_stake": "released",
    "slash_sequencer": "slashed",
    "withdraw_pending_deposit": "refunded",
    "finalize_withdrawal": "paid",
}
PAID_TO = {"withdraw_ranger_bond": "address", "claim_validation_reward": "ranger"}
# The same, as the formats page lists it among the encoding exceptions.
RETURNED_BESIDE_THE_STATE = (
    "a function returning a tuple (`withdraw_sequencer_stake`, `slash_sequencer`, `finalize_withdrawal`, ...)",
    "keys of the `post` object beside the state (`released`, `slashed`, `paid`, `refunded`, `payouts`)",
)
STATE_OF_TYPE = {"Hub": "hub", "Marketplace": "market"}  # which state an operation's result replaces


def apply_operation(
    spec: ModuleType, states: dict[str, Any], operation: str, args: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One named operation on the runner's states (``hub``, and ``market`` for the services): the states after it
    and what it returns beside them, encoded (``AMOUNT_KEYS``, ``PAID_TO``, or its ``payouts``)."""
    arguments = decode_arguments(spec, operation, args, skip=STATE_PARAMETERS) | states
    function = getattr(spec, operation)
    result = function(*(arguments[name] for name, _ in parameters_of(function)))  # in order: a stand-in may rename
    state, returned = result if isinstance(result, tuple) else (result, None)
    after = states | {STATE_OF_TYPE[type(state).__name__]: state}
    if operation in AMOUNT_KEYS:
        return after, {AMOUNT_KEYS[operation]: encode_uint(returned)}
    if operation in PAID_TO:
        return after, {"payouts": encode_payouts([spec.Payout(arguments[PAID_TO[operation]], returned)])}
    return after, ({"payouts": encode_payouts(returned)} if returned is not None else {})


def apply_hub_operation(spec: ModuleType, hub: Any, operation: str, args: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """One named hub operation: the new hub and any amounts it returns, encoded."""
    if operation not in HUB_OPERATION_NAMES:
        raise ValueError(f"unknown hub operation {operation!r}")
    states, returned = apply_operation(spec, {"hub": hub}, operation, args)
    return states["hub"], returned


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
        handles(_runner, _operation, calls=(_operation,))(_hub_operation_handler(_operation))


@handles("challenge", "get_block_trace", calls=("get_block_trace", "hash_trace_point"))
def block_trace(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    """The roots of every point of the true trace of block ``input.block_number`` of DAC ``input.chain_id``."""
    given = request["input"]
    trace = spec.get_block_trace(
        decode_hub(spec, request["pre"]["hub"]), spec.ChainId(decode_uint(given["chain_id"])), decode_uint(given["block_number"])
    )
    steps = len(trace) - 1
    return {"output": {"roots": encode_hashes([spec.hash_trace_point(point, index, steps) for index, point in enumerate(trace)])}}


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


# Handlers that run a list of hub operations (`input.operations`), one line each: (runner, handler) -> whether the
# post lists, beside the hub, every payout the operations made on L1, in order.
HUB_OPERATION_LISTS: dict[tuple[str, str], bool] = {
    ("stakes", "apply_operations"): False,
    ("bridge", "apply_operations"): False,
    ("challenge", "apply_operations"): True,
    ("rangers", "apply_operations"): True,
}
for (_runner, _handler), _with_payouts in HUB_OPERATION_LISTS.items():
    handles(_runner, _handler, calls=HUB_OPERATION_NAMES)(operations_with_payouts if _with_payouts else _apply_operations)


# --- Services (spec/v1/services.md) ---------------------------------------------------------------------------------
# The marketplace is its own state beside the hub, which its operations read only for the L1 clock and the DAC
# registry: `pre` holds both, an `advance_l1_block` operation moves the hub's clock, and `post` reports the
# marketplace and every payout made on L1, in order.


def apply_service_operation(
    spec: ModuleType, hub: Any, market: Any, operation: str, args: dict[str, Any]
) -> tuple[Any, Any, list[dict[str, Any]]]:
    """One named marketplace operation (or the hub's ``advance_l1_block``): the new hub and marketplace, and the
    payouts it made, encoded."""
    if operation not in (*SERVICE_OPERATION_NAMES, "advance_l1_block"):
        raise ValueError(f"unknown marketplace operation {operation!r}")
    states, returned = apply_operation(spec, {"hub": hub, "market": market}, operation, args)
    return states["hub"], states["market"], returned.get("payouts", [])


@handles("services", "apply_operations", calls=(*SERVICE_OPERATION_NAMES, "advance_l1_block"))
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


@handles("derivation", "derive_chain", calls=(*HUB_OPERATION_NAMES, "derive_chain"))
def derive_chain(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    """Run ``input.operations`` on the hub (their errors are the hub's), then derive chain ``input.chain_id``."""
    given = request["input"]
    hub = apply_hub_operations(spec, decode_hub(spec, request["pre"]["hub"]), given["operations"])
    state, blocks = spec.derive_chain(hub, spec.ChainId(decode_uint(given["chain_id"])))
    return {"output": encode_derivation_output(spec, state, blocks)}


# --- Sequencing (spec/v1/sequencing.md) ---------------------------------------------------------------------------


@handles("eligibility", "is_eligible_sequencer", calls=("compute_dynamic_bond_threshold", "is_eligible_sequencer"))
def is_eligible_sequencer(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    threshold = spec.compute_dynamic_bond_threshold(spec.Wei(decode_uint(given["coinbase_supply"])))
    eligible = spec.is_eligible_sequencer(decode_sequencer(spec, given["sequencer"]), threshold)
    return {"output": {"eligible": bool(eligible)}}


@handles("charter", "encode_call", calls=("encode_tax_call", "encode_governance_call"))
def charter_encode_call(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    encode = {"setTax": spec.encode_tax_call, "setGovernance": spec.encode_governance_call}[given["function"]]
    return {"output": {"data": encode_bytes(encode(decode_charter(spec, given["charter"])))}}


@handles("charter", "update", calls=("apply_charter_call", "compute_charter_root"))
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


# --- Execution (spec/v1/execution.md) ------------------------------------------------------------------------------


@handles(
    "state_transition",
    "apply_block",
    calls=("get_genesis_state", "state_transition", "apply_block", "compute_charter_root", "get_state_output_root"),
)
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


@handles("storage", "cid", calls=("compute_cid_with_layout", "compute_cid", "format_cid"))
def storage_cid(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    data = decode_content(given["data"])
    if "layout" in given:
        layout = given["layout"]
        cid = spec.compute_cid_with_layout(data, spec.uint64(layout["chunk_size"]), spec.uint64(layout["max_links"]))
    else:
        cid = spec.compute_cid(data)
    return {"output": {"cid": spec.format_cid(cid)}}


@handles("storage", "verify_content", calls=("parse_cid", "verify_content"))
def storage_verify_content(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    spec.verify_content(spec.parse_cid(given["cid"]), decode_content(given["data"]))
    return {"output": {"valid": True}}


@handles("storage", "serve_request", calls=("serve_storage_request",))
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
