"""Derivation and withdrawal proofs against their unavoidable work (spec/v1/bridge.md).

1. ``derive_chain`` over 1,000 sequenced blocks of one signed transfer each, against applying the same 1,000 blocks
   directly with ``apply_block`` from the same genesis: what deriving costs on top of executing (the plan, the
   header rules, the per-epoch producer, the deposit lookup, the drop rule, the output root of every block).
   Goal: <= 1.05.
2. ``verify_withdrawal_proof`` of one message against a batch of 1,024 output roots, against the raw keccak256
   calls the check needs (the withdrawal hash and its data hash, the output root, ten Merkle pairs, the two trie
   keys, and one hash per trie-proof node, each on an input of the same length). Goal: <= 1.5.
"""

from __future__ import annotations

from typing import Any

from eth.vm.forks.cancun.transactions import CancunTransactionBuilder
from eth_keys.datatypes import PrivateKey
from eth_typing import Address

from mvm_spec import evm
from mvm_spec.forks.v1 import mainnet as spec
from mvm_spec.runtime import keccak256

from tests.hub_building import with_sequencing_snapshots

from .common import median_seconds

CHAIN = spec.ChainId(1000000000001089)
SENDERS = [PrivateKey(bytes([index + 1]) * 32) for index in range(4)]
SEQUENCER = spec.Address(bytes([0x5E]) * 20)
PASSER = bytes(spec.MESSAGE_PASSER_ADDRESS)
BLOCKS = 1_000
PER_BATCH = 250


def signed(signer: PrivateKey, nonce: int, to: bytes, value: int, data: bytes, gas: int) -> bytes:
    """A type-2 transaction on chain 1000000000001089 at a fee cap of 10 wei and a tip of 2."""
    unsigned = CancunTransactionBuilder.new_unsigned_dynamic_fee_transaction(
        chain_id=1000000000001089,
        nonce=nonce,
        max_priority_fee_per_gas=2,
        max_fee_per_gas=10,
        gas=gas,
        to=Address(to),
        value=value,
        data=data,
        access_list=(),
    )
    return bytes(unsigned.as_signed_transaction(signer).encode())


def l1_block(number: int) -> Any:
    return spec.L1Block(
        spec.L1BlockNumber(number),
        spec.Timestamp(1_700_000_000 + 12 * number),
        spec.Hash32(keccak256(number.to_bytes(8, "big"))),
        spec.Hash32(bytes(32)),
    )


def hub_with_blocks(count: int) -> Any:
    """A hub whose DAC 1000000000001089 has ``count`` sequenced blocks, each one signed transfer; the 1,000 blocks build on 9 L1
    origins (origins advance every 125 blocks), so no block is forced and no deposit is included."""
    charter = spec.Charter("", "", (), (), spec.Address(bytes(20)))
    hub = spec.get_genesis_hub(charter, l1_block(96))
    alloc = [(spec.Address(key.public_key.to_canonical_address()), evm.GenesisAccount(10**23)) for key in SENDERS]
    hub = spec.create_dac(hub, "bench", charter, alloc, spec.Wei(7))
    hub = spec.register_sequencer(hub, SEQUENCER, spec.MAX_SEQUENCER_LOCK)
    for number in range(97, 106):
        hub = spec.advance_l1_block(hub, l1_block(number))
    hub = with_sequencing_snapshots(spec, hub)  # the sequencer serves from the start, as on a running hub
    blocks = []
    for index in range(count):
        signer = SENDERS[index % len(SENDERS)]
        raw = signed(signer, index // len(SENDERS), bytes([0xC0]) * 20, 1, b"", 21_000)
        blocks.append(
            spec.SequencedBlock(spec.BlockNumber(0), spec.L1BlockNumber(96 + index // 125), spec.Timestamp(0), (raw,))
        )
    for start in range(0, count, PER_BATCH):
        data = spec.encode_transaction_batch(blocks[start : start + PER_BATCH])
        hub = spec.append_transaction_batch(hub, CHAIN, data, start, SEQUENCER)
    return hub


def apply_directly(hub: Any, blocks: list[Any]) -> None:
    state = spec.get_dac_genesis_state(spec.get_dac(hub, CHAIN))
    for block in blocks:
        state = spec.apply_block(state, block)[0]


def withdrawal_fixture() -> tuple[Any, Any, Any, list[int]]:
    """A DAC whose state batch of 1,024 output roots commits, last, the state holding one message; its proof; and
    the lengths of the inputs of every keccak256 call the check needs."""
    key = SENDERS[0]
    hub = hub_with_blocks(0)
    calldata = bytes(12) + bytes([0x7A]) * 20 + b"hi"
    raw = signed(key, 0, PASSER, 5, calldata, 150_000)
    block = spec.SequencedBlock(spec.BlockNumber(0), spec.L1BlockNumber(96), spec.Timestamp(0), (raw,))
    hub = spec.append_transaction_batch(hub, CHAIN, spec.encode_transaction_batch([block]), 0, SEQUENCER)
    state, derived = spec.derive_chain(hub, CHAIN)
    roots = [spec.Hash32(keccak256(index.to_bytes(32, "big"))) for index in range(1_023)] + [derived[0].output_root]
    dac = spec.get_dac(hub, CHAIN)
    header = spec.ChainBatchHeader(
        spec.uint256(0), spec.compute_merkle_root(roots), spec.uint256(1024), spec.uint256(0), b""
    )
    dac = spec.replace(dac, state_batches=spec.BatchChain(headers=(header,)))
    sender = spec.Address(key.public_key.to_canonical_address())
    withdrawal = spec.Withdrawal(spec.uint256(0), sender, spec.Address(bytes([0x7A]) * 20), spec.Wei(5), b"hi")
    withdrawal_hash = spec.hash_withdrawal(CHAIN, withdrawal)
    preimage = spec.OutputRootProof(
        spec.Hash32(state.world.state_root),
        spec.compute_charter_root(state.charter),
        spec.Hash32(evm.get_storage_root(state.world, PASSER)),
        state.recent_block_hashes[0],
        spec.compute_execution_context_root(state),
    )
    account_proof = evm.get_account_proof(state.world, PASSER)
    storage_proof = evm.get_storage_proof(state.world, PASSER, int.from_bytes(withdrawal_hash, "big"))
    proof = spec.WithdrawalProof(
        header, spec.uint64(1023), spec.compute_merkle_proof(roots, 1023), preimage, account_proof, storage_proof
    )
    lengths = [2, 192, 160] + [64] * 10 + [20, 32] + [len(node) for node in (*account_proof, *storage_proof)]
    return dac, withdrawal, proof, lengths


def raw_keccaks(lengths: list[int]) -> None:
    for length in lengths:
        keccak256(bytes(length))


def run() -> list[str]:
    hub = hub_with_blocks(BLOCKS)
    _, derived = spec.derive_chain(hub, CHAIN)
    assert len(derived) == BLOCKS and all(not block.dropped_transactions for block in derived)
    blocks = [block.block for block in derived]
    derive_time = median_seconds(lambda: spec.derive_chain(hub, CHAIN), repeats=3)
    direct_time = median_seconds(lambda: apply_directly(hub, blocks), repeats=3)
    lines = ["bridge: deriving 1,000 blocks vs applying the same blocks directly (median of 3)"]
    lines.append(
        f"  derive_chain {derive_time * 1e3:9.1f} ms   apply_block x {BLOCKS} {direct_time * 1e3:9.1f} ms"
        f"   ratio {derive_time / direct_time:5.2f}"
    )
    dac, withdrawal, proof, lengths = withdrawal_fixture()
    withdrawal_hash = spec.hash_withdrawal(CHAIN, withdrawal)

    def verify_100() -> None:
        for _ in range(100):
            spec.verify_withdrawal_proof(dac, spec.hash_withdrawal(CHAIN, withdrawal), proof)

    def raw_100() -> None:
        for _ in range(100):
            raw_keccaks(lengths)

    verify_time = median_seconds(verify_100)
    raw_time = median_seconds(raw_100)
    lines.append(f"bridge: verifying a withdrawal proof ({len(lengths)} keccak256 calls) vs those raw calls (x100)")
    lines.append(
        f"  verify {verify_time * 1e1:9.3f} ms/proof   raw keccak {raw_time * 1e1:9.3f} ms   ratio {verify_time / raw_time:5.2f}"
    )
    assert withdrawal_hash is not None
    return lines
