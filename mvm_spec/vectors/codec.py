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
