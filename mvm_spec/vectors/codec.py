"""The JSON encoding of spec values in vectors and in the client protocol.

Integers are decimal strings (uint64 and uint256 values exceed the 2^53 that JSON numbers hold exactly in many
languages), except small codes and indices whose schemas bound them to at most 2^53 - 1 (basis points, permission
operations and actions, Merkle indices), which are JSON numbers. Bytes are 0x-prefixed lowercase hex. Cases encode with these functions and the
reference client decodes with them, so both sides of a vector agree on one encoding.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Sequence


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
    return [{"threshold": encode_uint(bracket.threshold), "rate_bps": int(bracket.rate_bps)} for bracket in schedule]


def decode_tax_schedule(spec: ModuleType, data: Sequence[dict[str, Any]]) -> list[Any]:
    return [
        spec.TaxBracket(threshold=spec.Wei(decode_uint(item["threshold"])), rate_bps=spec.BasisPoints(item["rate_bps"]))
        for item in data
    ]


def encode_hashes(hashes: Sequence[bytes]) -> list[str]:
    return [encode_bytes(item) for item in hashes]


def decode_hashes(spec: ModuleType, data: Sequence[Any]) -> list[Any]:
    return [spec.Hash32(decode_bytes(item)) for item in data]


def encode_charter(charter: Any) -> dict[str, Any]:
    return {
        "vision": charter.vision,
        "mission": charter.mission,
        "permissions": [
            {"addresses": encode_hashes(rule.addresses), "operation": int(rule.operation), "action": int(rule.action)}
            for rule in charter.permissions
        ],
        "taxrates": encode_tax_schedule(charter.taxrates),
        "management_contract": encode_bytes(charter.management_contract),
    }


def decode_charter(spec: ModuleType, data: dict[str, Any]) -> Any:
    rules = tuple(
        spec.PermissionRule(
            addresses=tuple(spec.Address(decode_bytes(address)) for address in rule["addresses"]),
            operation=spec.PermissionOperation(rule["operation"]),
            action=spec.Action(rule["action"]),
        )
        for rule in data["permissions"]
    )
    return spec.Charter(
        vision=data["vision"],
        mission=data["mission"],
        permissions=rules,
        taxrates=tuple(decode_tax_schedule(spec, data["taxrates"])),
        management_contract=spec.Address(decode_bytes(data["management_contract"])),
    )


def encode_batch_header(header: Any) -> dict[str, Any]:
    return {
        "batch_index": encode_uint(header.batch_index),
        "batch_root": encode_bytes(header.batch_root),
        "batch_size": encode_uint(header.batch_size),
        "prev_total_elements": encode_uint(header.prev_total_elements),
        "extra_data": encode_bytes(header.extra_data),
    }


def decode_batch_header(spec: ModuleType, data: dict[str, Any]) -> Any:
    return spec.ChainBatchHeader(
        batch_index=spec.uint256(decode_uint(data["batch_index"])),
        batch_root=spec.Hash32(decode_bytes(data["batch_root"])),
        batch_size=spec.uint256(decode_uint(data["batch_size"])),
        prev_total_elements=spec.uint256(decode_uint(data["prev_total_elements"])),
        extra_data=decode_bytes(data["extra_data"]),
    )


def encode_hub(hub: Any) -> dict[str, Any]:
    return {
        "dacs": [
            {
                "chain_id": encode_uint(dac.chain_id),
                "label": dac.label,
                "charter": encode_charter(dac.charter),
                "transaction_batches": [encode_batch_header(header) for header in dac.transaction_batches.headers],
                "state_batches": [encode_batch_header(header) for header in dac.state_batches.headers],
            }
            for dac in hub.dacs
        ]
    }


def decode_hub(spec: ModuleType, data: dict[str, Any]) -> Any:
    def chain(headers: Sequence[dict[str, Any]]) -> Any:
        return spec.BatchChain(headers=tuple(decode_batch_header(spec, header) for header in headers))

    return spec.Hub(
        dacs=tuple(
            spec.DacRecord(
                chain_id=spec.ChainId(decode_uint(dac["chain_id"])),
                label=dac["label"],
                charter=decode_charter(spec, dac["charter"]),
                transaction_batches=chain(dac["transaction_batches"]),
                state_batches=chain(dac["state_batches"]),
            )
            for dac in data["dacs"]
        )
    )


def encode_state_batch_context(context: Any) -> dict[str, Any]:
    return {
        "chain_id": encode_uint(context.chain_id),
        "timestamp": encode_uint(context.timestamp),
        "proposer": encode_bytes(context.proposer),
        "last_block_hash": encode_bytes(context.last_block_hash),
        "last_block_number": encode_uint(context.last_block_number),
    }


def decode_state_batch_context(spec: ModuleType, data: dict[str, Any]) -> Any:
    return spec.StateBatchContext(
        chain_id=spec.ChainId(decode_uint(data["chain_id"])),
        timestamp=spec.Timestamp(decode_uint(data["timestamp"])),
        proposer=spec.Address(decode_bytes(data["proposer"])),
        last_block_hash=spec.Hash32(decode_bytes(data["last_block_hash"])),
        last_block_number=spec.BlockNumber(decode_uint(data["last_block_number"])),
    )


def encode_batched_transactions(transactions: Sequence[Any]) -> list[dict[str, Any]]:
    return [
        {
            "block_number": encode_uint(transaction.block_number),
            "timestamp": encode_uint(transaction.timestamp),
            "raw_transaction": encode_bytes(transaction.raw_transaction),
        }
        for transaction in transactions
    ]


def decode_batched_transactions(spec: ModuleType, data: Sequence[dict[str, Any]]) -> list[Any]:
    return [
        spec.BatchedTransaction(
            block_number=spec.BlockNumber(decode_uint(item["block_number"])),
            timestamp=spec.Timestamp(decode_uint(item["timestamp"])),
            raw_transaction=decode_bytes(item["raw_transaction"]),
        )
        for item in data
    ]


# --- Sequencing (spec/v1/sequencing.md) --------------------------------------------------------------------------
# A sequencer's exit time is null while it is active. Chain ids, epochs, times and amounts are decimal strings;
# shuffle indices and counts, and slash ratios in basis points, are JSON numbers.


def encode_optional_uint(value: Any) -> str | None:
    return None if value is None else encode_uint(value)


def encode_sequencer(sequencer: Any) -> dict[str, Any]:
    return {
        "address": encode_bytes(sequencer.address),
        "locked": encode_uint(sequencer.locked),
        "exit_requested_at": encode_optional_uint(sequencer.exit_requested_at),
    }


def decode_sequencer(spec: ModuleType, data: dict[str, Any]) -> Any:
    exit_requested_at = data["exit_requested_at"]
    return spec.Sequencer(
        address=spec.Address(decode_bytes(data["address"])),
        locked=spec.Wei(decode_uint(data["locked"])),
        exit_requested_at=None if exit_requested_at is None else spec.Timestamp(decode_uint(exit_requested_at)),
    )


def encode_sequencing_state(state: Any) -> dict[str, Any]:
    return {
        "sequencers": [encode_sequencer(sequencer) for sequencer in state.sequencers],
        "dacs": [
            {
                "chain_id": encode_uint(dac.chain_id),
                "coinbase_supply": encode_uint(dac.coinbase_supply),
                "pending_deposits": [
                    {"recipient": encode_bytes(deposit.recipient), "amount": encode_uint(deposit.amount)}
                    for deposit in dac.pending_deposits
                ],
            }
            for dac in state.dacs
        ],
    }


def decode_sequencing_state(spec: ModuleType, data: dict[str, Any]) -> Any:
    return spec.SequencingState(
        sequencers=tuple(decode_sequencer(spec, item) for item in data["sequencers"]),
        dacs=tuple(
            spec.DacSupply(
                chain_id=spec.ChainId(decode_uint(dac["chain_id"])),
                coinbase_supply=spec.Wei(decode_uint(dac["coinbase_supply"])),
                pending_deposits=tuple(
                    spec.PendingDeposit(
                        recipient=spec.Address(decode_bytes(deposit["recipient"])),
                        amount=spec.Wei(decode_uint(deposit["amount"])),
                    )
                    for deposit in dac["pending_deposits"]
                ),
            )
            for dac in data["dacs"]
        ),
    )


def encode_addresses(addresses: Sequence[bytes]) -> list[str]:
    return [encode_bytes(address) for address in addresses]


def decode_addresses(spec: ModuleType, data: Sequence[Any]) -> list[Any]:
    return [spec.Address(decode_bytes(item)) for item in data]


def encode_provider_assignments(assignments: Sequence[Any]) -> list[dict[str, Any]]:
    return [
        {"chain_id": encode_uint(assignment.chain_id), "provider": encode_bytes(assignment.provider)}
        for assignment in assignments
    ]


# --- Execution (spec/v1/execution.md): runner state_transition -------------------------------------------------------
# The pre-state is a genesis: chain id, genesis time, allocation and charter, from which a client builds the state
# with get_genesis_state. Storage is a list of [slot, value] pairs of decimal strings; a receipt's status (0 or 1)
# is a JSON number. `input.accounts` names the accounts (and storage slots) whose values `post.accounts` reports.


def encode_storage(pairs: Sequence[tuple[int, int]]) -> list[list[str]]:
    return [[encode_uint(slot), encode_uint(value)] for slot, value in pairs]


def decode_storage(data: Sequence[Sequence[Any]]) -> tuple[tuple[int, int], ...]:
    pairs = []
    for pair in data:
        if len(pair) != 2:
            raise ValueError(f"a storage entry is [slot, value], got {pair!r}")
        pairs.append((decode_uint(pair[0]), decode_uint(pair[1])))
    return tuple(pairs)


def encode_genesis_alloc(alloc: Sequence[tuple[bytes, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "address": encode_bytes(address),
            "balance": encode_uint(account.balance),
            "nonce": encode_uint(account.nonce),
            "code": encode_bytes(account.code),
            "storage": encode_storage(account.storage),
        }
        for address, account in alloc
    ]


def decode_genesis_alloc(spec: ModuleType, data: Sequence[dict[str, Any]]) -> list[tuple[Any, Any]]:
    return [
        (
            spec.Address(decode_bytes(item["address"])),
            spec.GenesisAccount(
                balance=decode_uint(item["balance"]),
                nonce=decode_uint(item["nonce"]),
                code=decode_bytes(item["code"]),
                storage=decode_storage(item["storage"]),
            ),
        )
        for item in data
    ]


def encode_genesis(chain_id: int, timestamp: int, alloc: Sequence[tuple[bytes, Any]], charter: Any) -> dict[str, Any]:
    return {
        "chain_id": encode_uint(chain_id),
        "genesis_timestamp": encode_uint(timestamp),
        "alloc": encode_genesis_alloc(alloc),
        "charter": encode_charter(charter),
    }


def decode_genesis(spec: ModuleType, data: dict[str, Any]) -> tuple[Any, list[tuple[Any, Any]], Any, Any]:
    """(chain_id, alloc, charter, timestamp): the arguments of ``get_genesis_state``, in its order but for time."""
    return (
        spec.ChainId(decode_uint(data["chain_id"])),
        decode_genesis_alloc(spec, data["alloc"]),
        decode_charter(spec, data["charter"]),
        spec.Timestamp(decode_uint(data["genesis_timestamp"])),
    )


def encode_l2_block(block: Any) -> dict[str, Any]:
    return {
        "number": encode_uint(block.number),
        "timestamp": encode_uint(block.timestamp),
        "producer": encode_bytes(block.producer),
        "gas_limit": encode_uint(block.gas_limit),
        "base_fee_per_gas": encode_uint(block.base_fee_per_gas),
        "prev_randao": encode_bytes(block.prev_randao),
        "parent_beacon_block_root": encode_bytes(block.parent_beacon_block_root),
        "transactions": [encode_bytes(raw) for raw in block.transactions],
    }


def decode_l2_block(spec: ModuleType, data: dict[str, Any]) -> Any:
    return spec.L2Block(
        number=spec.BlockNumber(decode_uint(data["number"])),
        timestamp=spec.Timestamp(decode_uint(data["timestamp"])),
        producer=spec.Address(decode_bytes(data["producer"])),
        gas_limit=spec.uint64(decode_uint(data["gas_limit"])),
        base_fee_per_gas=spec.Wei(decode_uint(data["base_fee_per_gas"])),
        prev_randao=spec.Hash32(decode_bytes(data["prev_randao"])),
        parent_beacon_block_root=spec.Hash32(decode_bytes(data["parent_beacon_block_root"])),
        transactions=tuple(decode_bytes(raw) for raw in data["transactions"]),
    )


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
    return [
        {
            "status": int(receipt.status),
            "cumulative_gas_used": encode_uint(receipt.cumulative_gas_used),
            "logs": [
                {
                    "address": encode_bytes(log.address),
                    "topics": encode_hashes(log.topics),
                    "data": encode_bytes(log.data),
                }
                for log in receipt.logs
            ],
            "tax": encode_uint(receipt.tax),
        }
        for receipt in receipts
    ]


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
