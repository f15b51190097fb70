"""The JSON encoding of spec values in vectors and in the client protocol.

Integers are decimal strings (uint64 and uint256 values exceed the 2^53 that JSON numbers hold exactly in many
languages), except small codes and indices whose schemas bound them to at most 2^53 - 1 (basis points, permission
operations and actions, Merkle indices), which are JSON numbers. Bytes are 0x-prefixed lowercase hex. Cases encode with these functions and the
reference client decodes with them, so both sides of a vector agree on one encoding.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Sequence

# Where a value's JSON is not its container's fields as an object: (the spec value, its JSON). The formats page
# (docs/formats.md) lists them for client implementers.
ENCODING_EXCEPTIONS: tuple[tuple[str, str], ...] = (
    ("`BatchChain` (a DAC's `transaction_batches`, `state_batches`)", "a bare array of its `headers`"),
    (
        "`Tuple[Tuple[Address, GenesisAccount], ...]` (a genesis allocation)",
        "an array of objects: `address` then the account's fields; `storage` as `[slot, value]` pairs",
    ),
    ("`SequencingSnapshot.supplies` (`Tuple[Tuple[ChainId, Wei], ...]`)", "an array of `{chain_id, supply}` objects"),
    (
        "an `L2State`'s `world` (in a `BlockProgress` witness)",
        "`{state_root, preimages}`: the root and every trie node and code under it",
    ),
    ("a `ContentStore`", "an array of `{cid, data}`, the CID as its text (`format_cid`)"),
    (
        "a function returning a tuple (`withdraw_sequencer_stake`, `slash_sequencer`, `finalize_withdrawal`, ...)",
        "keys of the `post` object beside the state (`released`, `slashed`, `paid`, `refunded`, `payouts`)",
    ),
    ("`get_forbidden_opcodes` (a set)", "an array of JSON numbers, sorted"),
)


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
        "tax_exempt": encode_hashes(charter.tax_exempt),
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
        tax_exempt=tuple(spec.Address(decode_bytes(account)) for account in data["tax_exempt"]),
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


# --- The hub (spec/v1/hub.md) and the bridge (spec/v1/bridge.md) ---------------------------------------------------
# A hub is its L1 blocks, its DACs (genesis, supply, deposits, sequenced blocks, batches, withdrawals), its
# sequencers and its compute providers. A deposit's `to` is null for a contract creation.


def encode_l1_block(block: Any) -> dict[str, Any]:
    return {
        "number": encode_uint(block.number),
        "timestamp": encode_uint(block.timestamp),
        "prev_randao": encode_bytes(block.prev_randao),
        "parent_beacon_block_root": encode_bytes(block.parent_beacon_block_root),
    }


def decode_l1_block(spec: ModuleType, data: dict[str, Any]) -> Any:
    return spec.L1Block(
        number=spec.L1BlockNumber(decode_uint(data["number"])),
        timestamp=spec.Timestamp(decode_uint(data["timestamp"])),
        prev_randao=spec.Hash32(decode_bytes(data["prev_randao"])),
        parent_beacon_block_root=spec.Hash32(decode_bytes(data["parent_beacon_block_root"])),
    )


def encode_optional_address(address: Any) -> str | None:
    return None if address is None else encode_bytes(address)


def decode_optional_address(spec: ModuleType, data: Any) -> Any:
    return None if data is None else spec.Address(decode_bytes(data))


def encode_deposit(deposit: Any) -> dict[str, Any]:
    return {
        "sender": encode_bytes(deposit.sender),
        "to": encode_optional_address(deposit.to),
        "mint": encode_uint(deposit.mint),
        "value": encode_uint(deposit.value),
        "gas_limit": encode_uint(deposit.gas_limit),
        "data": encode_bytes(deposit.data),
    }


def decode_deposit(spec: ModuleType, data: dict[str, Any]) -> Any:
    return spec.Deposit(
        sender=spec.Address(decode_bytes(data["sender"])),
        to=decode_optional_address(spec, data["to"]),
        mint=spec.Wei(decode_uint(data["mint"])),
        value=spec.Wei(decode_uint(data["value"])),
        gas_limit=spec.uint64(decode_uint(data["gas_limit"])),
        data=decode_bytes(data["data"]),
    )


def encode_pending_deposit(pending: Any) -> dict[str, Any]:
    return {
        "ticket": encode_uint(pending.ticket),
        "l1_sender": encode_bytes(pending.l1_sender),
        "l1_block_number": encode_uint(pending.l1_block_number),
        "deposit": encode_deposit(pending.deposit),
    }


def decode_pending_deposit(spec: ModuleType, data: dict[str, Any]) -> Any:
    return spec.PendingDeposit(
        ticket=spec.uint64(decode_uint(data["ticket"])),
        l1_sender=spec.Address(decode_bytes(data["l1_sender"])),
        l1_block_number=spec.L1BlockNumber(decode_uint(data["l1_block_number"])),
        deposit=decode_deposit(spec, data["deposit"]),
    )


def encode_enqueued_deposit(enqueued: Any) -> dict[str, Any]:
    return {
        "nonce": encode_uint(enqueued.nonce),
        "l1_block_number": encode_uint(enqueued.l1_block_number),
        "deposit": encode_deposit(enqueued.deposit),
    }


def decode_enqueued_deposit(spec: ModuleType, data: dict[str, Any]) -> Any:
    return spec.EnqueuedDeposit(
        nonce=spec.uint64(decode_uint(data["nonce"])),
        l1_block_number=spec.L1BlockNumber(decode_uint(data["l1_block_number"])),
        deposit=decode_deposit(spec, data["deposit"]),
    )


def encode_sequenced_block(block: Any) -> dict[str, Any]:
    return {
        "number": encode_uint(block.number),
        "l1_origin": encode_uint(block.l1_origin),
        "timestamp": encode_uint(block.timestamp),
        "transactions": [encode_bytes(raw) for raw in block.transactions],
    }


def decode_sequenced_block(spec: ModuleType, data: dict[str, Any]) -> Any:
    return spec.SequencedBlock(
        number=spec.BlockNumber(decode_uint(data["number"])),
        l1_origin=spec.L1BlockNumber(decode_uint(data["l1_origin"])),
        timestamp=spec.Timestamp(decode_uint(data["timestamp"])),
        transactions=tuple(decode_bytes(raw) for raw in data["transactions"]),
    )


def encode_dac_genesis(genesis: Any) -> dict[str, Any]:
    return {
        "l1_block_number": encode_uint(genesis.l1_block_number),
        "timestamp": encode_uint(genesis.timestamp),
        "charter": encode_charter(genesis.charter),
        "alloc": encode_genesis_alloc(genesis.alloc),
        "base_fee_per_gas": encode_uint(genesis.base_fee_per_gas),
    }


def decode_dac_genesis(spec: ModuleType, data: dict[str, Any]) -> Any:
    return spec.DacGenesis(
        l1_block_number=spec.L1BlockNumber(decode_uint(data["l1_block_number"])),
        timestamp=spec.Timestamp(decode_uint(data["timestamp"])),
        charter=decode_charter(spec, data["charter"]),
        alloc=tuple(decode_genesis_alloc(spec, data["alloc"])),
        base_fee_per_gas=spec.Wei(decode_uint(data["base_fee_per_gas"])),
    )


def encode_proven_withdrawal(proven: Any) -> dict[str, Any]:
    return {
        "withdrawal_hash": encode_bytes(proven.withdrawal_hash),
        "batch_index": encode_uint(proven.batch_index),
        "batch_header_hash": encode_bytes(proven.batch_header_hash),
    }


def decode_proven_withdrawal(spec: ModuleType, data: dict[str, Any]) -> Any:
    return spec.ProvenWithdrawal(
        withdrawal_hash=spec.Hash32(decode_bytes(data["withdrawal_hash"])),
        batch_index=spec.uint256(decode_uint(data["batch_index"])),
        batch_header_hash=spec.Hash32(decode_bytes(data["batch_header_hash"])),
    )


def encode_dac_record(dac: Any) -> dict[str, Any]:
    return {
        "chain_id": encode_uint(dac.chain_id),
        "label": dac.label,
        "genesis": encode_dac_genesis(dac.genesis),
        "coinbase_supply": encode_uint(dac.coinbase_supply),
        "pending_deposits": [encode_pending_deposit(pending) for pending in dac.pending_deposits],
        "tickets_issued": encode_uint(dac.tickets_issued),
        "deposits": [encode_enqueued_deposit(enqueued) for enqueued in dac.deposits],
        "blocks": [encode_sequenced_block(block) for block in dac.blocks],
        "transaction_batches": [encode_batch_header(header) for header in dac.transaction_batches.headers],
        "state_batches": [encode_batch_header(header) for header in dac.state_batches.headers],
        "proven_withdrawals": [encode_proven_withdrawal(proven) for proven in dac.proven_withdrawals],
        "finalized_withdrawals": encode_hashes(dac.finalized_withdrawals),
        "challenges": [encode_challenge(challenge) for challenge in dac.challenges],
        "validations": [encode_validation(validation) for validation in dac.validations],
    }


def decode_dac_record(spec: ModuleType, data: dict[str, Any]) -> Any:
    def chain(headers: Sequence[dict[str, Any]]) -> Any:
        return spec.BatchChain(headers=tuple(decode_batch_header(spec, header) for header in headers))

    return spec.DacRecord(
        chain_id=spec.ChainId(decode_uint(data["chain_id"])),
        label=data["label"],
        genesis=decode_dac_genesis(spec, data["genesis"]),
        coinbase_supply=spec.Wei(decode_uint(data["coinbase_supply"])),
        pending_deposits=tuple(decode_pending_deposit(spec, pending) for pending in data["pending_deposits"]),
        tickets_issued=spec.uint64(decode_uint(data["tickets_issued"])),
        deposits=tuple(decode_enqueued_deposit(spec, enqueued) for enqueued in data["deposits"]),
        blocks=tuple(decode_sequenced_block(spec, block) for block in data["blocks"]),
        transaction_batches=chain(data["transaction_batches"]),
        state_batches=chain(data["state_batches"]),
        proven_withdrawals=tuple(decode_proven_withdrawal(spec, proven) for proven in data["proven_withdrawals"]),
        finalized_withdrawals=tuple(decode_hashes(spec, data["finalized_withdrawals"])),
        challenges=tuple(decode_challenge(spec, challenge) for challenge in data["challenges"]),
        validations=tuple(decode_validation(spec, validation) for validation in data["validations"]),
    )


def encode_compute_provider(provider: Any) -> dict[str, Any]:
    return {"address": encode_bytes(provider.address), "registered_at": encode_uint(provider.registered_at)}


def decode_compute_provider(spec: ModuleType, data: dict[str, Any]) -> Any:
    return spec.ComputeProvider(
        address=spec.Address(decode_bytes(data["address"])),
        registered_at=spec.L1BlockNumber(decode_uint(data["registered_at"])),
    )


def encode_hub(hub: Any) -> dict[str, Any]:
    return {
        "l1_blocks": [encode_l1_block(block) for block in hub.l1_blocks],
        "dacs": [encode_dac_record(dac) for dac in hub.dacs],
        "sequencers": [encode_sequencer(sequencer) for sequencer in hub.sequencers],
        "compute_providers": [encode_compute_provider(provider) for provider in hub.compute_providers],
        "sequencing_snapshots": [encode_sequencing_snapshot(snapshot) for snapshot in hub.sequencing_snapshots],
        "rangers": [encode_ranger(ranger) for ranger in hub.rangers],
        "ranger_reward_pool": encode_uint(hub.ranger_reward_pool),
        "default_taxrates": encode_tax_schedule(hub.default_taxrates),
    }


def decode_hub(spec: ModuleType, data: dict[str, Any]) -> Any:
    return spec.Hub(
        l1_blocks=tuple(decode_l1_block(spec, block) for block in data["l1_blocks"]),
        dacs=tuple(decode_dac_record(spec, dac) for dac in data["dacs"]),
        sequencers=tuple(decode_sequencer(spec, sequencer) for sequencer in data["sequencers"]),
        compute_providers=tuple(decode_compute_provider(spec, provider) for provider in data["compute_providers"]),
        sequencing_snapshots=tuple(decode_sequencing_snapshot(spec, item) for item in data["sequencing_snapshots"]),
        rangers=tuple(decode_ranger(spec, ranger) for ranger in data["rangers"]),
        ranger_reward_pool=spec.Wei(decode_uint(data["ranger_reward_pool"])),
        default_taxrates=tuple(decode_tax_schedule(spec, data["default_taxrates"])),
    )


def encode_sequencing_snapshot(snapshot: Any) -> dict[str, Any]:
    return {
        "epoch": encode_uint(snapshot.epoch),
        "randomness": encode_bytes(snapshot.randomness),
        "sequencers": [encode_sequencer(sequencer) for sequencer in snapshot.sequencers],
        "supplies": [{"chain_id": encode_uint(chain_id), "supply": encode_uint(supply)} for chain_id, supply in snapshot.supplies],
    }


def decode_sequencing_snapshot(spec: ModuleType, data: dict[str, Any]) -> Any:
    return spec.SequencingSnapshot(
        epoch=spec.Epoch(decode_uint(data["epoch"])),
        randomness=spec.Hash32(decode_bytes(data["randomness"])),
        sequencers=tuple(decode_sequencer(spec, sequencer) for sequencer in data["sequencers"]),
        supplies=tuple(
            (spec.ChainId(decode_uint(item["chain_id"])), spec.Wei(decode_uint(item["supply"]))) for item in data["supplies"]
        ),
    )


def encode_withdrawal(withdrawal: Any) -> dict[str, Any]:
    return {
        "nonce": encode_uint(withdrawal.nonce),
        "sender": encode_bytes(withdrawal.sender),
        "target": encode_bytes(withdrawal.target),
        "value": encode_uint(withdrawal.value),
        "data": encode_bytes(withdrawal.data),
    }


def decode_withdrawal(spec: ModuleType, data: dict[str, Any]) -> Any:
    return spec.Withdrawal(
        nonce=spec.uint256(decode_uint(data["nonce"])),
        sender=spec.Address(decode_bytes(data["sender"])),
        target=spec.Address(decode_bytes(data["target"])),
        value=spec.Wei(decode_uint(data["value"])),
        data=decode_bytes(data["data"]),
    )


def encode_withdrawal_proof(proof: Any) -> dict[str, Any]:
    preimage = proof.output_root_proof
    return {
        "batch_header": encode_batch_header(proof.batch_header),
        "output_index": encode_uint(proof.output_index),
        "output_root_siblings": encode_hashes(proof.output_root_siblings),
        "output_root_proof": {
            "state_root": encode_bytes(preimage.state_root),
            "charter_root": encode_bytes(preimage.charter_root),
            "message_passer_root": encode_bytes(preimage.message_passer_root),
            "block_hash": encode_bytes(preimage.block_hash),
            "context_root": encode_bytes(preimage.context_root),
        },
        "account_proof": [encode_bytes(node) for node in proof.account_proof],
        "storage_proof": [encode_bytes(node) for node in proof.storage_proof],
    }


def decode_withdrawal_proof(spec: ModuleType, data: dict[str, Any]) -> Any:
    preimage = data["output_root_proof"]
    return spec.WithdrawalProof(
        batch_header=decode_batch_header(spec, data["batch_header"]),
        output_index=spec.uint64(decode_uint(data["output_index"])),
        output_root_siblings=tuple(decode_hashes(spec, data["output_root_siblings"])),
        output_root_proof=spec.OutputRootProof(
            state_root=spec.Hash32(decode_bytes(preimage["state_root"])),
            charter_root=spec.Hash32(decode_bytes(preimage["charter_root"])),
            message_passer_root=spec.Hash32(decode_bytes(preimage["message_passer_root"])),
            block_hash=spec.Hash32(decode_bytes(preimage["block_hash"])),
            context_root=spec.Hash32(decode_bytes(preimage["context_root"])),
        ),
        account_proof=tuple(decode_bytes(node) for node in data["account_proof"]),
        storage_proof=tuple(decode_bytes(node) for node in data["storage_proof"]),
    )


def encode_derived_block(spec: ModuleType, derived: Any) -> dict[str, Any]:
    """One block of a derived chain, as the derivation runner reports it: header, contents, trace, output root."""
    return {
        "l1_origin": encode_uint(derived.l1_origin),
        "is_forced": bool(derived.is_forced),
        "block": encode_l2_block(derived.block),
        "dropped_transactions": [
            {"index": int(dropped.index), "error": dropped.error} for dropped in derived.dropped_transactions
        ],
        "skipped_deposits": [
            {"nonce": encode_uint(skipped.nonce), "error": skipped.error} for skipped in derived.skipped_deposits
        ],
        "receipts": encode_receipts(derived.receipts),
        "output_root": encode_bytes(derived.output_root),
    }


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
    return {
        "number": encode_uint(block.number),
        "timestamp": encode_uint(block.timestamp),
        "producer": encode_bytes(block.producer),
        "gas_limit": encode_uint(block.gas_limit),
        "base_fee_per_gas": encode_uint(block.base_fee_per_gas),
        "prev_randao": encode_bytes(block.prev_randao),
        "parent_beacon_block_root": encode_bytes(block.parent_beacon_block_root),
        "deposits": [encode_enqueued_deposit(deposit) for deposit in block.deposits],
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
        deposits=tuple(decode_enqueued_deposit(spec, deposit) for deposit in data["deposits"]),
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


# --- The challenge game (spec/v1/challenge.md) ----------------------------------------------------------------


def encode_optional_hash(value: Any) -> str | None:
    return None if value is None else encode_bytes(value)


def encode_challenge(challenge: Any) -> dict[str, Any]:
    return {
        "status": int(challenge.status),
        "batch_index": encode_uint(challenge.batch_index),
        "block_number": encode_uint(challenge.block_number),
        "challenger": encode_bytes(challenge.challenger),
        "defender": encode_bytes(challenge.defender),
        "bond": encode_uint(challenge.bond),
        "lower": encode_uint(challenge.lower),
        "lower_root": encode_bytes(challenge.lower_root),
        "upper": encode_uint(challenge.upper),
        "upper_root": encode_bytes(challenge.upper_root),
        "middle_root": encode_optional_hash(challenge.middle_root),
        "challenger_clock": encode_uint(challenge.challenger_clock),
        "defender_clock": encode_uint(challenge.defender_clock),
        "last_move_at": encode_uint(challenge.last_move_at),
    }


def decode_challenge(spec: ModuleType, data: dict[str, Any]) -> Any:
    status = data["status"]
    if not isinstance(status, int) or isinstance(status, bool):
        raise TypeError("a challenge's status is a JSON integer")
    middle = data["middle_root"]
    return spec.Challenge(
        status=spec.ChallengeStatus(status),
        batch_index=spec.uint64(decode_uint(data["batch_index"])),
        block_number=spec.BlockNumber(decode_uint(data["block_number"])),
        challenger=spec.Address(decode_bytes(data["challenger"])),
        defender=spec.Address(decode_bytes(data["defender"])),
        bond=spec.Wei(decode_uint(data["bond"])),
        lower=spec.uint64(decode_uint(data["lower"])),
        lower_root=spec.Hash32(decode_bytes(data["lower_root"])),
        upper=spec.uint64(decode_uint(data["upper"])),
        upper_root=spec.Hash32(decode_bytes(data["upper_root"])),
        middle_root=None if middle is None else spec.Hash32(decode_bytes(middle)),
        challenger_clock=spec.uint64(decode_uint(data["challenger_clock"])),
        defender_clock=spec.uint64(decode_uint(data["defender_clock"])),
        last_move_at=spec.Timestamp(decode_uint(data["last_move_at"])),
    )


def encode_committed_output_root(committed: Any) -> dict[str, Any]:
    return {
        "header": encode_batch_header(committed.header),
        "index": encode_uint(committed.index),
        "output_root": encode_bytes(committed.output_root),
        "siblings": encode_hashes(committed.siblings),
    }


def decode_committed_output_root(spec: ModuleType, data: Any) -> Any:
    if data is None:
        return None
    return spec.CommittedOutputRoot(
        header=decode_batch_header(spec, data["header"]),
        index=spec.uint64(decode_uint(data["index"])),
        output_root=spec.Hash32(decode_bytes(data["output_root"])),
        siblings=tuple(decode_hashes(spec, data["siblings"])),
    )


def decode_receipts(spec: ModuleType, data: Sequence[dict[str, Any]]) -> tuple[Any, ...]:
    def log(entry: dict[str, Any]) -> Any:
        topics = tuple(decode_hashes(spec, entry["topics"]))
        return spec.Log(spec.Address(decode_bytes(entry["address"])), topics, decode_bytes(entry["data"]))

    return tuple(
        spec.Receipt(
            spec.uint8(receipt["status"]),
            spec.uint64(decode_uint(receipt["cumulative_gas_used"])),
            tuple(log(entry) for entry in receipt["logs"]),
            spec.Wei(decode_uint(receipt["tax"])),
        )
        for receipt in data
    )


def encode_block_progress(progress: Any) -> dict[str, Any]:
    """A block part-way through execution; its world as its state root and every trie node and code under it."""
    from mvm_spec.evm import export_world

    state = progress.state
    return {
        "state": {
            "chain_id": encode_uint(state.chain_id),
            "world": {
                "state_root": encode_bytes(state.world.state_root),
                "preimages": [encode_bytes(preimage) for preimage in export_world(state.world)],
            },
            "charter": encode_charter(state.charter),
            "coinbase_supply": encode_uint(state.coinbase_supply),
            "latest_block_number": encode_uint(state.latest_block_number),
            "latest_timestamp": encode_uint(state.latest_timestamp),
            "latest_base_fee_per_gas": encode_uint(state.latest_base_fee_per_gas),
            "latest_gas_used": encode_uint(state.latest_gas_used),
            "recent_block_hashes": encode_hashes(state.recent_block_hashes),
        },
        "receipts": encode_receipts(progress.receipts),
        "included": [encode_bytes(raw) for raw in progress.included],
    }


def decode_block_progress(spec: ModuleType, data: dict[str, Any]) -> Any:
    from mvm_spec.evm import import_world

    given = data["state"]
    world = given["world"]
    state = spec.L2State(
        chain_id=spec.ChainId(decode_uint(given["chain_id"])),
        world=import_world(decode_bytes(world["state_root"]), [decode_bytes(item) for item in world["preimages"]]),
        charter=decode_charter(spec, given["charter"]),
        coinbase_supply=spec.Wei(decode_uint(given["coinbase_supply"])),
        latest_block_number=spec.BlockNumber(decode_uint(given["latest_block_number"])),
        latest_timestamp=spec.Timestamp(decode_uint(given["latest_timestamp"])),
        latest_base_fee_per_gas=spec.Wei(decode_uint(given["latest_base_fee_per_gas"])),
        latest_gas_used=spec.uint64(decode_uint(given["latest_gas_used"])),
        recent_block_hashes=tuple(decode_hashes(spec, given["recent_block_hashes"])),
    )
    receipts = decode_receipts(spec, data["receipts"])
    return spec.BlockProgress(state, receipts, tuple(decode_bytes(raw) for raw in data["included"]))


def encode_payouts(payouts: Sequence[Any]) -> list[dict[str, Any]]:
    return [{"recipient": encode_bytes(payout.recipient), "amount": encode_uint(payout.amount)} for payout in payouts]


# --- Rangers (spec/v1/rangers.md) -----------------------------------------------------------------------------


def encode_ranger(ranger: Any) -> dict[str, Any]:
    return {
        "address": encode_bytes(ranger.address),
        "bond": encode_uint(ranger.bond),
        "registered_at": encode_uint(ranger.registered_at),
        "exit_requested_at": encode_optional_uint(ranger.exit_requested_at),
        "strikes": encode_uint(ranger.strikes),
    }


def decode_ranger(spec: ModuleType, data: dict[str, Any]) -> Any:
    exit_at = data["exit_requested_at"]
    return spec.Ranger(
        address=spec.Address(decode_bytes(data["address"])),
        bond=spec.Wei(decode_uint(data["bond"])),
        registered_at=spec.L1BlockNumber(decode_uint(data["registered_at"])),
        exit_requested_at=None if exit_at is None else spec.Timestamp(decode_uint(exit_at)),
        strikes=spec.uint64(decode_uint(data["strikes"])),
    )


def encode_validation(validation: Any) -> dict[str, Any]:
    return {
        "ranger": encode_bytes(validation.ranger),
        "header": encode_batch_header(validation.header),
        "rewarded": validation.rewarded,
    }


def decode_validation(spec: ModuleType, data: dict[str, Any]) -> Any:
    if not isinstance(data["rewarded"], bool):
        raise TypeError("rewarded is a JSON boolean")
    return spec.Validation(
        spec.Address(decode_bytes(data["ranger"])), decode_batch_header(spec, data["header"]), data["rewarded"]
    )


# --- storage (spec/v1/storage.md) --------------------------------------------------------------------------------


def decode_content(data: Any) -> bytes:
    """Data given as 0x-hex, or, for data too long to write out, as ``{"repeat": hex, "length": decimal}``: the
    bytes ``repeat`` repeated and cut to ``length`` bytes."""
    if isinstance(data, str):
        return decode_bytes(data)
    pattern, length = decode_bytes(data["repeat"]), decode_uint(data["length"])
    if not pattern:
        raise ValueError("a repeated pattern needs at least one byte")
    return (pattern * (length // len(pattern) + 1))[:length]


def encode_repeated_content(pattern: bytes, length: int) -> dict[str, str]:
    return {"repeat": encode_bytes(pattern), "length": encode_uint(length)}


def encode_content_store(spec: ModuleType, store: Any) -> list[dict[str, str]]:
    return [{"cid": spec.format_cid(stored.cid), "data": encode_bytes(stored.data)} for stored in store.objects]


def decode_content_store(spec: ModuleType, data: Sequence[dict[str, str]]) -> Any:
    objects = tuple(
        spec.StoredObject(cid=spec.parse_cid(item["cid"]), data=decode_bytes(item["data"])) for item in data
    )
    return spec.ContentStore(objects=objects)


def encode_resolver(resolver: Any) -> dict[str, str]:
    return {"chain_id": encode_uint(resolver.chain_id), "storage_secret": encode_bytes(resolver.storage_secret)}


def decode_resolver(spec: ModuleType, data: dict[str, str]) -> Any:
    return spec.Resolver(
        chain_id=spec.ChainId(decode_uint(data["chain_id"])), storage_secret=spec.Bytes32(decode_bytes(data["storage_secret"]))
    )


def encode_storage_request(request: Any) -> dict[str, Any]:
    return {
        "chain_id": encode_uint(request.chain_id),
        "operation": int(request.operation),
        "payload": encode_bytes(request.payload),
        "valid_until": encode_uint(request.valid_until),
        "v": int(request.v),
        "r": encode_uint(request.r),
        "s": encode_uint(request.s),
    }


def decode_storage_request(spec: ModuleType, data: dict[str, Any]) -> Any:
    return spec.StorageRequest(
        chain_id=spec.ChainId(decode_uint(data["chain_id"])),
        operation=spec.uint8(data["operation"]),
        payload=decode_bytes(data["payload"]),
        valid_until=spec.Timestamp(decode_uint(data["valid_until"])),
        v=spec.uint8(data["v"]),
        r=spec.uint256(decode_uint(data["r"])),
        s=spec.uint256(decode_uint(data["s"])),
    )


# --- Services (spec/v1/services.md) ------------------------------------------------------------------------------


def encode_service(service: Any) -> dict[str, Any]:
    return {
        "service_id": encode_bytes(service.service_id),
        "provider": encode_bytes(service.provider),
        "price": encode_uint(service.price),
        "fee_recipient": encode_bytes(service.fee_recipient),
        "timeout": encode_uint(service.timeout),
        "active": bool(service.active),
    }


def decode_service(spec: ModuleType, data: dict[str, Any]) -> Any:
    if not isinstance(data["active"], bool):
        raise TypeError("a service's active is a JSON boolean")
    return spec.Service(
        service_id=spec.ServiceId(decode_bytes(data["service_id"])),
        provider=spec.Address(decode_bytes(data["provider"])),
        price=spec.Wei(decode_uint(data["price"])),
        fee_recipient=spec.Address(decode_bytes(data["fee_recipient"])),
        timeout=spec.uint64(decode_uint(data["timeout"])),
        active=data["active"],
    )


def encode_service_call(call: Any) -> dict[str, Any]:
    return {
        "service_id": encode_bytes(call.service_id),
        "chain_id": encode_uint(call.chain_id),
        "caller": encode_bytes(call.caller),
        "provider": encode_bytes(call.provider),
        "fee_recipient": encode_bytes(call.fee_recipient),
        "price": encode_uint(call.price),
        "deadline": encode_uint(call.deadline),
        "request_hash": encode_bytes(call.request_hash),
        "status": int(call.status),
        "result_hash": encode_optional_hash(call.result_hash),
    }


def decode_service_call(spec: ModuleType, data: dict[str, Any]) -> Any:
    status, result = data["status"], data["result_hash"]
    if not isinstance(status, int) or isinstance(status, bool):
        raise TypeError("a call's status is a JSON integer")
    return spec.ServiceCall(
        service_id=spec.ServiceId(decode_bytes(data["service_id"])),
        chain_id=spec.ChainId(decode_uint(data["chain_id"])),
        caller=spec.Address(decode_bytes(data["caller"])),
        provider=spec.Address(decode_bytes(data["provider"])),
        fee_recipient=spec.Address(decode_bytes(data["fee_recipient"])),
        price=spec.Wei(decode_uint(data["price"])),
        deadline=spec.Timestamp(decode_uint(data["deadline"])),
        request_hash=spec.Hash32(decode_bytes(data["request_hash"])),
        status=spec.CallStatus(status),
        result_hash=None if result is None else spec.Hash32(decode_bytes(result)),
    )


def encode_marketplace(market: Any) -> dict[str, Any]:
    return {
        "services": [encode_service(service) for service in market.services],
        "calls": [encode_service_call(call) for call in market.calls],
        "escrow": encode_uint(market.escrow),
    }


def decode_marketplace(spec: ModuleType, data: dict[str, Any]) -> Any:
    return spec.Marketplace(
        services=tuple(decode_service(spec, service) for service in data["services"]),
        calls=tuple(decode_service_call(spec, call) for call in data["calls"]),
        escrow=spec.Wei(decode_uint(data["escrow"])),
    )
