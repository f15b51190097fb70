"""The JSON encoding of spec values in vectors and in the client protocol.

Integers are decimal strings (uint64 and uint256 values exceed the 2^53 that JSON numbers hold exactly in many
languages), except small codes and indices whose schemas bound them to at most 2^53 - 1 (basis points, permission
operations and actions, Merkle indices), which are JSON numbers. Bytes are 0x-prefixed lowercase hex. Cases encode with these functions and the
reference client decodes with them, so both sides of a vector agree on one encoding.

A spec container's encoder and decoder here is one line over ``container_codec``, which derives both (and the
schema) from the container's field types, with its exceptions named once there (a witness's EVM world as its root
and preimages, the content store as a bare array of CIDs' texts and data, a genesis allocation's entries as
objects); what is still written out is what no container type says: a runner's answer objects (the
state_transition runner's post, the derivation runner's head) and the state_transition runner's genesis.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Sequence, Tuple


def encode_uint(value: int) -> str:
    return str(int(value))


def decode_uint(text: Any) -> int:
    if not isinstance(text, str) or not text.isdecimal() or (len(text) > 1 and text[0] == "0"):
        raise ValueError(f"expected a decimal string without leading zeros, got {text!r}")
    return int(text)


def encode_bytes(value: bytes) -> str:
    return "0x" + bytes(value).hex()


def decode_bytes(text: Any) -> bytes:
    if not isinstance(text, str) or not text.startswith("0x"):
        raise ValueError(f"expected 0x-prefixed hex, got {text!r}")
    return bytes.fromhex(text[2:])


def encode_tax_schedule(schedule: Sequence[Any]) -> list[dict[str, Any]]:
    return [container_codec.encode_value(bracket) for bracket in schedule]


def decode_tax_schedule(spec: ModuleType, data: Sequence[dict[str, Any]]) -> list[Any]:
    return [container_codec.decode_container(spec, "TaxBracket", bracket) for bracket in data]


def encode_hashes(hashes: Sequence[bytes]) -> list[str]:
    return [encode_bytes(item) for item in hashes]


def decode_hashes(spec: ModuleType, data: Sequence[Any]) -> list[Any]:
    return [spec.Hash32(decode_bytes(item)) for item in data]


def encode_charter(charter: Any) -> dict[str, Any]:
    return container_codec.encode_value(charter)  # type: ignore[no-any-return]


def decode_charter(spec: ModuleType, data: dict[str, Any]) -> Any:
    return container_codec.decode_container(spec, "Charter", data)


def encode_batch_header(header: Any) -> dict[str, Any]:
    return container_codec.encode_value(header)  # type: ignore[no-any-return]


def decode_batch_header(spec: ModuleType, data: dict[str, Any]) -> Any:
    return container_codec.decode_container(spec, "ChainBatchHeader", data)


# --- The hub (spec/v1/hub.md) and the bridge (spec/v1/bridge.md) ---------------------------------------------------
# A hub is its L1 blocks, its DACs (genesis, supply, deposits, sequenced blocks, batches, withdrawals), its
# sequencers and its compute providers. A deposit's `to` is null for a contract creation.


def encode_l1_block(block: Any) -> dict[str, Any]:
    return container_codec.encode_value(block)  # type: ignore[no-any-return]


def decode_l1_block(spec: ModuleType, data: dict[str, Any]) -> Any:
    return container_codec.decode_container(spec, "L1Block", data)


def encode_optional_address(address: Any) -> str | None:
    return None if address is None else encode_bytes(address)


def decode_optional_address(spec: ModuleType, data: Any) -> Any:
    return None if data is None else spec.Address(decode_bytes(data))


def encode_deposit(deposit: Any) -> dict[str, Any]:
    return container_codec.encode_value(deposit)  # type: ignore[no-any-return]


def decode_deposit(spec: ModuleType, data: dict[str, Any]) -> Any:
    return container_codec.decode_container(spec, "Deposit", data)


def encode_pending_deposit(pending: Any) -> dict[str, Any]:
    return container_codec.encode_value(pending)  # type: ignore[no-any-return]


def decode_pending_deposit(spec: ModuleType, data: dict[str, Any]) -> Any:
    return container_codec.decode_container(spec, "PendingDeposit", data)


def encode_enqueued_deposit(enqueued: Any) -> dict[str, Any]:
    return container_codec.encode_value(enqueued)  # type: ignore[no-any-return]


def decode_enqueued_deposit(spec: ModuleType, data: dict[str, Any]) -> Any:
    return container_codec.decode_container(spec, "EnqueuedDeposit", data)


def encode_sequenced_block(block: Any) -> dict[str, Any]:
    return container_codec.encode_value(block)  # type: ignore[no-any-return]


def decode_sequenced_block(spec: ModuleType, data: dict[str, Any]) -> Any:
    return container_codec.decode_container(spec, "SequencedBlock", data)


def encode_dac_genesis(genesis: Any) -> dict[str, Any]:
    return container_codec.encode_value(genesis)  # type: ignore[no-any-return]


def decode_dac_genesis(spec: ModuleType, data: dict[str, Any]) -> Any:
    return container_codec.decode_container(spec, "DacGenesis", data)


def encode_proven_withdrawal(proven: Any) -> dict[str, Any]:
    return container_codec.encode_value(proven)  # type: ignore[no-any-return]


def decode_proven_withdrawal(spec: ModuleType, data: dict[str, Any]) -> Any:
    return container_codec.decode_container(spec, "ProvenWithdrawal", data)


def encode_dac_record(dac: Any) -> dict[str, Any]:
    return container_codec.encode_value(dac)  # type: ignore[no-any-return]


def decode_dac_record(spec: ModuleType, data: dict[str, Any]) -> Any:
    return container_codec.decode_container(spec, "DacRecord", data)


def encode_compute_provider(provider: Any) -> dict[str, Any]:
    return container_codec.encode_value(provider)  # type: ignore[no-any-return]


def decode_compute_provider(spec: ModuleType, data: dict[str, Any]) -> Any:
    return container_codec.decode_container(spec, "ComputeProvider", data)


def encode_hub(hub: Any) -> dict[str, Any]:
    return container_codec.encode_value(hub)  # type: ignore[no-any-return]


def decode_hub(spec: ModuleType, data: dict[str, Any]) -> Any:
    return container_codec.decode_container(spec, "Hub", data)


def encode_sequencing_snapshot(snapshot: Any) -> dict[str, Any]:
    return container_codec.encode_value(snapshot)  # type: ignore[no-any-return]


def decode_sequencing_snapshot(spec: ModuleType, data: dict[str, Any]) -> Any:
    return container_codec.decode_container(spec, "SequencingSnapshot", data)


def encode_withdrawal(withdrawal: Any) -> dict[str, Any]:
    return container_codec.encode_value(withdrawal)  # type: ignore[no-any-return]


def decode_withdrawal(spec: ModuleType, data: dict[str, Any]) -> Any:
    return container_codec.decode_container(spec, "Withdrawal", data)


def encode_withdrawal_proof(proof: Any) -> dict[str, Any]:
    return container_codec.encode_value(proof)  # type: ignore[no-any-return]


def decode_withdrawal_proof(spec: ModuleType, data: dict[str, Any]) -> Any:
    return container_codec.decode_container(spec, "WithdrawalProof", data)


def encode_derived_block(spec: ModuleType, derived: Any) -> dict[str, Any]:
    """One block of a derived chain, as the derivation runner reports it: its origin first, then the block, what
    was dropped or skipped, the receipts and the output root (container_codec.TYPE_CODECS["DerivedBlock"])."""
    return container_codec.encode_value(derived)  # type: ignore[no-any-return]


def encode_derivation_output(spec: ModuleType, state: Any, blocks: Sequence[Any]) -> dict[str, Any]:
    """What the derivation runner reports: the head (number, state root, native supply) and every derived block."""
    head = {
        "number": encode_uint(state.latest_block_number),
        "state_root": encode_bytes(state.world.state_root),
        "coinbase_supply": encode_uint(state.coinbase_supply),
    }
    return {"head": head, "blocks": [encode_derived_block(spec, block) for block in blocks]}


# --- Sequencing (spec/v1/sequencing.md) --------------------------------------------------------------------------
# A sequencer's exit time is null while it is active. Chain ids, epochs, times and amounts are decimal strings;
# shuffle indices and counts, and slash ratios in basis points, are JSON numbers.


def encode_optional_uint(value: Any) -> str | None:
    return None if value is None else encode_uint(value)


def encode_sequencer(sequencer: Any) -> dict[str, Any]:
    return container_codec.encode_value(sequencer)  # type: ignore[no-any-return]


def decode_sequencer(spec: ModuleType, data: dict[str, Any]) -> Any:
    return container_codec.decode_container(spec, "Sequencer", data)


def encode_addresses(addresses: Sequence[bytes]) -> list[str]:
    return [encode_bytes(address) for address in addresses]


def decode_addresses(spec: ModuleType, data: Sequence[Any]) -> list[Any]:
    return [spec.Address(decode_bytes(item)) for item in data]


def encode_provider_assignments(assignments: Sequence[Any]) -> list[dict[str, Any]]:
    return [container_codec.encode_value(assignment) for assignment in assignments]


# --- Execution (spec/v1/execution.md): runner state_transition -------------------------------------------------------
# The pre-state is a genesis: chain id, genesis time, allocation and charter, from which a client builds the state
# with get_genesis_state. Storage is a list of [slot, value] pairs of decimal strings; a receipt's status (0 or 1)
# is a JSON number. `input.accounts` names the accounts (and storage slots) whose values `post.accounts` reports.


STORAGE_PAIRS = Tuple[Tuple[int, int], ...]  # (slot, value) pairs: an array of [slot, value] arrays
ACCOUNT_WITH_ADDRESS = "Tuple[Address, GenesisAccount]"  # one entry of a genesis allocation, by its type_key


def encode_storage(pairs: Sequence[tuple[int, int]]) -> list[list[str]]:
    return container_codec.encode_value(pairs, STORAGE_PAIRS)  # type: ignore[no-any-return]


def encode_genesis_alloc(alloc: Sequence[tuple[bytes, Any]]) -> list[dict[str, Any]]:
    """An allocation as an array of objects, each the address then the account's fields (an encoding exception)."""
    return [container_codec.TYPE_CODECS[ACCOUNT_WITH_ADDRESS].encode(entry) for entry in alloc]


def decode_genesis_alloc(spec: ModuleType, data: Sequence[dict[str, Any]]) -> list[tuple[Any, Any]]:
    return [container_codec.TYPE_CODECS[ACCOUNT_WITH_ADDRESS].decode(spec, entry) for entry in data]


def encode_genesis(
    chain_id: int, timestamp: int, alloc: Sequence[tuple[bytes, Any]], charter: Any, base_fee_per_gas: int
) -> dict[str, Any]:
    return {
        "chain_id": encode_uint(chain_id),
        "genesis_timestamp": encode_uint(timestamp),
        "alloc": encode_genesis_alloc(alloc),
        "charter": encode_charter(charter),
        "base_fee_per_gas": encode_uint(base_fee_per_gas),
    }


def decode_genesis(spec: ModuleType, data: dict[str, Any]) -> tuple[Any, list[tuple[Any, Any]], Any, Any, Any]:
    """(chain_id, alloc, charter, timestamp, base_fee_per_gas): the arguments of ``get_genesis_state``."""
    return (
        spec.ChainId(decode_uint(data["chain_id"])),
        decode_genesis_alloc(spec, data["alloc"]),
        decode_charter(spec, data["charter"]),
        spec.Timestamp(decode_uint(data["genesis_timestamp"])),
        spec.Wei(decode_uint(data["base_fee_per_gas"])),
    )


def encode_l2_block(block: Any) -> dict[str, Any]:
    return container_codec.encode_value(block)  # type: ignore[no-any-return]


def decode_l2_block(spec: ModuleType, data: dict[str, Any]) -> Any:
    return container_codec.decode_container(spec, "L2Block", data)


def encode_account_queries(queries: Sequence[tuple[bytes, Sequence[int]]]) -> list[dict[str, Any]]:
    return [
        {"address": encode_bytes(address), "storage": [encode_uint(slot) for slot in slots]}
        for address, slots in queries
    ]


def decode_account_queries(spec: ModuleType, data: Sequence[dict[str, Any]]) -> list[tuple[Any, tuple[int, ...]]]:
    return [
        (spec.Address(decode_bytes(item["address"])), tuple(decode_uint(slot) for slot in item["storage"]))
        for item in data
    ]


def encode_receipts(receipts: Sequence[Any]) -> list[dict[str, Any]]:
    return [container_codec.encode_value(receipt) for receipt in receipts]


def encode_accounts(world: Any, queries: Sequence[tuple[bytes, Sequence[int]]]) -> list[dict[str, Any]]:
    """Balance, nonce and the named storage slots of each queried account of an EVM world."""
    from ..evm import get_balance, get_nonce, get_storage  # the adapter's readers; the spec exports no storage read

    return [
        {
            "address": encode_bytes(address),
            "balance": encode_uint(get_balance(world, address)),
            "nonce": encode_uint(get_nonce(world, address)),
            "storage": encode_storage([(slot, get_storage(world, address, slot)) for slot in slots]),
        }
        for address, slots in queries
    ]


def encode_state_transition_post(
    spec: ModuleType, state: Any, receipts: Sequence[Any], queries: Sequence[tuple[bytes, Sequence[int]]]
) -> dict[str, Any]:
    """What a client must reproduce after ``apply_block``: the roots, the supply, the receipts, the named accounts."""
    return {
        "state_root": encode_bytes(state.world.state_root),
        "charter_root": encode_bytes(spec.compute_charter_root(state.charter)),
        "block_hash": encode_bytes(state.recent_block_hashes[0]),
        "output_root": encode_bytes(spec.get_state_output_root(state)),
        "coinbase_supply": encode_uint(state.coinbase_supply),
        "receipts": encode_receipts(receipts),
        "accounts": encode_accounts(state.world, queries),
    }


# --- The challenge game (spec/v1/challenge.md) ----------------------------------------------------------------


def encode_optional_hash(value: Any) -> str | None:
    return None if value is None else encode_bytes(value)


def encode_challenge(challenge: Any) -> dict[str, Any]:
    return container_codec.encode_value(challenge)  # type: ignore[no-any-return]


def decode_challenge(spec: ModuleType, data: dict[str, Any]) -> Any:
    return container_codec.decode_container(spec, "Challenge", data)


def encode_committed_output_root(committed: Any) -> dict[str, Any]:
    return container_codec.encode_value(committed)  # type: ignore[no-any-return]


def decode_committed_output_root(spec: ModuleType, data: Any) -> Any:
    return None if data is None else container_codec.decode_container(spec, "CommittedOutputRoot", data)


def decode_receipts(spec: ModuleType, data: Sequence[dict[str, Any]]) -> tuple[Any, ...]:
    return tuple(container_codec.decode_container(spec, "Receipt", receipt) for receipt in data)


def encode_block_progress(progress: Any) -> dict[str, Any]:
    """A block part-way through execution; its world as its state root and every trie node and code under it
    (container_codec.FIELD_CODECS[("L2State", "world")])."""
    return container_codec.encode_value(progress)  # type: ignore[no-any-return]


def decode_block_progress(spec: ModuleType, data: dict[str, Any]) -> Any:
    return container_codec.decode_container(spec, "BlockProgress", data)


def encode_payouts(payouts: Sequence[Any]) -> list[dict[str, Any]]:
    return [container_codec.encode_value(payout) for payout in payouts]


# --- Rangers (spec/v1/rangers.md) -----------------------------------------------------------------------------


def encode_ranger(ranger: Any) -> dict[str, Any]:
    return container_codec.encode_value(ranger)  # type: ignore[no-any-return]


def decode_ranger(spec: ModuleType, data: dict[str, Any]) -> Any:
    return container_codec.decode_container(spec, "Ranger", data)


def encode_validation(validation: Any) -> dict[str, Any]:
    return container_codec.encode_value(validation)  # type: ignore[no-any-return]


def decode_validation(spec: ModuleType, data: dict[str, Any]) -> Any:
    return container_codec.decode_container(spec, "Validation", data)


# --- storage (spec/v1/storage.md) --------------------------------------------------------------------------------


MAX_REPEATED_CONTENT_BYTES = 2**30  # 1 GiB: content longer than this is outside the protocol (no one could hold it)


def decode_content(data: Any) -> bytes:
    """Data given as 0x-hex, or, for data too long to write out, as ``{"repeat": hex, "length": decimal}``: the
    bytes ``repeat`` repeated and cut to ``length`` bytes, at most MAX_REPEATED_CONTENT_BYTES."""
    if isinstance(data, str):
        return decode_bytes(data)
    pattern, length = decode_bytes(data["repeat"]), decode_uint(data["length"])
    if not pattern:
        raise ValueError("a repeated pattern needs at least one byte")
    if length > MAX_REPEATED_CONTENT_BYTES:
        raise ValueError(f"{length} bytes of repeated content, at most {MAX_REPEATED_CONTENT_BYTES} (1 GiB)")
    return (pattern * (length // len(pattern) + 1))[:length]


def encode_repeated_content(pattern: bytes, length: int) -> dict[str, str]:
    return {"repeat": encode_bytes(pattern), "length": encode_uint(length)}


def encode_content_store(spec: ModuleType, store: Any) -> list[dict[str, str]]:
    """The store as a bare array of ``{cid, data}``, the CID as its text (container_codec's exceptions)."""
    return container_codec.encode_value(store)  # type: ignore[no-any-return]


def decode_content_store(spec: ModuleType, data: Sequence[dict[str, str]]) -> Any:
    return container_codec.decode_container(spec, "ContentStore", data)


def encode_resolver(resolver: Any) -> dict[str, Any]:
    return container_codec.encode_value(resolver)  # type: ignore[no-any-return]


def decode_resolver(spec: ModuleType, data: dict[str, Any]) -> Any:
    return container_codec.decode_container(spec, "Resolver", data)


def encode_storage_request(request: Any) -> dict[str, Any]:
    return container_codec.encode_value(request)  # type: ignore[no-any-return]


def decode_storage_request(spec: ModuleType, data: dict[str, Any]) -> Any:
    return container_codec.decode_container(spec, "StorageRequest", data)


# --- Services (spec/v1/services.md) ------------------------------------------------------------------------------


def encode_service(service: Any) -> dict[str, Any]:
    return container_codec.encode_value(service)  # type: ignore[no-any-return]


def decode_service(spec: ModuleType, data: dict[str, Any]) -> Any:
    return container_codec.decode_container(spec, "Service", data)


def encode_service_call(call: Any) -> dict[str, Any]:
    return container_codec.encode_value(call)  # type: ignore[no-any-return]


def decode_service_call(spec: ModuleType, data: dict[str, Any]) -> Any:
    return container_codec.decode_container(spec, "ServiceCall", data)


def encode_marketplace(market: Any) -> dict[str, Any]:
    return container_codec.encode_value(market)  # type: ignore[no-any-return]


def decode_marketplace(spec: ModuleType, data: dict[str, Any]) -> Any:
    return container_codec.decode_container(spec, "Marketplace", data)


# Imported last: the derived codec uses this module's primitives (encode_uint, decode_bytes, ...).
from . import container_codec  # noqa: E402
