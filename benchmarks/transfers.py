"""Block execution cost (spec/v1/execution.md, apply_block): 1,000 taxed value transfers, mainnet preset.

The spec applies one block of 1,000 transfers (100 senders × 10 nonces, each value 0.01-0.02 owing a 1% tax)
through ``apply_block``. The baselines apply the same 1,000 raw transactions with py-evm's own ``CancunState``,
moving each tax by hand first, so both sides do the same EVM work:

(a) one state root per transaction: ``state.persist()`` after each, as the adapter (``mvm_spec.evm``) does, since
    every spec value is an immutable world named by its root;
(b) one state root per block: ``lock_changes()`` between transactions and a single ``make_state_root()`` at the
    end, as a block-building client (``CancunVM``) does.

What the two ratios show. The adapter keeps one py-evm state open across the operations of a block and computes a
state root only when one is asked for (the block hash), so the spec pays for one root per block like (b); what
remains over (b) is the spec's own work per transaction: its validity reads, the tax transfer and the balance
bookkeeping of the native-token supply (with the read of the message passer's balance, burnt after each). (a) shows
what naming every world by an eagerly computed root would cost. Signatures are recovered outside the timing on both
sides (the adapter caches its decoded transactions; the baselines reuse decoded objects), so neither side pays
secp256k1 recovery, which would otherwise dominate both.
"""

from __future__ import annotations

from eth.db.atomic import AtomicDB
from eth.db.account import AccountDB
from eth.vm.execution_context import ExecutionContext
from eth.vm.forks.cancun.state import CancunState
from eth.vm.forks.cancun.transactions import CancunTransactionBuilder
from eth_keys.datatypes import PrivateKey
from eth_typing import Address, BlockNumber, Hash32

from mvm_spec import evm
from mvm_spec.forks.v1 import mainnet as spec

from .common import median_seconds

CHAIN_ID = 1000000000001089
SENDERS, PER_SENDER = 100, 10
FUNDS = 10**21
BASE_FEE, TIP, MAX_FEE = 7, 2, 10
GAS = 21_000
PRODUCER = bytes([0xCB]) * 20
TIMESTAMP = 1_700_000_012
RANDAO = bytes([0x11]) * 32
SCHEDULE = (spec.TaxBracket(spec.Wei(0), spec.BasisPoints(100)),)  # 1% of every value
TREASURY = bytes(spec.METIS_DAO_ADDRESS)


def keys() -> list[PrivateKey]:
    return [PrivateKey((index + 1).to_bytes(32, "big")) for index in range(SENDERS)]


def transfers() -> list[tuple[bytes, int]]:
    """(raw transaction, tax) for 1,000 transfers, senders interleaved: nonce n of every sender, then n + 1."""
    signers = keys()
    out = []
    for nonce in range(PER_SENDER):
        for index, signer in enumerate(signers):
            value = 10**16 + index * 10**13 + nonce
            unsigned = CancunTransactionBuilder.new_unsigned_dynamic_fee_transaction(
                chain_id=CHAIN_ID,
                nonce=nonce,
                max_priority_fee_per_gas=TIP,
                max_fee_per_gas=MAX_FEE,
                gas=GAS,
                to=Address((0x10_0000 + index).to_bytes(20, "big")),
                value=value,
                data=b"",
                access_list=(),
            )
            out.append((bytes(unsigned.as_signed_transaction(signer).encode()), value // 100))
    return out


def alloc() -> list[tuple[bytes, evm.GenesisAccount]]:
    return [(bytes(signer.public_key.to_canonical_address()), evm.GenesisAccount(FUNDS)) for signer in keys()]


def genesis_state() -> spec.L2State:
    charter = spec.Charter("Benchmark DAC", "", (), SCHEDULE, spec.Address())
    accounts = [(spec.Address(address), account) for address, account in alloc()]
    chain_id, time = spec.ChainId(CHAIN_ID), spec.Timestamp(TIMESTAMP - 12)
    return spec.get_genesis_state(chain_id, accounts, charter, time, spec.Wei(BASE_FEE))


def block(raws: list[bytes]) -> spec.L2Block:
    return spec.L2Block(
        spec.BlockNumber(1),
        spec.Timestamp(TIMESTAMP),
        spec.Address(PRODUCER),
        spec.uint64(30_000_000),
        spec.Wei(BASE_FEE),
        spec.Hash32(RANDAO),
        spec.Hash32(bytes(32)),
        (),
        tuple(raws),
    )


def plain_pyevm(decoded: list[tuple[object, int]], root_per_transaction: bool) -> bytes:
    db = AtomicDB()
    accounts = AccountDB(db)
    for address, account in alloc():
        accounts.set_balance(Address(address), account.balance)
    # Every genesis holds the message passer and the EIP-4788 beacon-roots contract (nonce 1, their code); the block's
    # beacon-roots update writes two slots of the latter (a zero parent beacon root writes only the time).
    for address, code in (
        (spec.MESSAGE_PASSER_ADDRESS, spec.get_message_passer_code()),
        (evm.BEACON_ROOTS_ADDRESS, evm.BEACON_ROOTS_CODE),
    ):
        accounts.set_nonce(Address(address), 1)
        accounts.set_code(Address(address), code)
    accounts.set_storage(Address(evm.BEACON_ROOTS_ADDRESS), TIMESTAMP % 8191, TIMESTAMP)
    accounts.persist()
    context = ExecutionContext(
        coinbase=Address(PRODUCER),
        timestamp=TIMESTAMP,
        block_number=BlockNumber(1),
        difficulty=0,
        mix_hash=Hash32(RANDAO),
        gas_limit=30_000_000,
        prev_hashes=(),
        chain_id=CHAIN_ID,
        base_fee_per_gas=BASE_FEE,
        excess_blob_gas=0,
    )
    state = CancunState(db, context, accounts.state_root)
    for transaction, tax in decoded:
        state.lock_changes()
        sender = transaction.sender  # type: ignore[attr-defined]  # py-evm's transaction objects are untyped here
        state.delta_balance(sender, -tax)
        state.delta_balance(Address(TREASURY), tax)
        state.apply_transaction(transaction)  # type: ignore[arg-type]
        if root_per_transaction:
            state.persist()
    return bytes(state.make_state_root())


def run() -> list[str]:
    batch = transfers()
    raws = [raw for raw, _ in batch]
    decoded: list[tuple[object, int]] = []
    for raw, tax in batch:
        transaction = CancunTransactionBuilder.decode(raw)
        transaction.sender  # recover once, outside the timing (cached on the object)
        decoded.append((transaction, tax))
    pre, the_block = genesis_state(), block(raws)
    state, receipts = spec.apply_block(pre, the_block)  # also warms the adapter's decoded-transaction cache
    assert all(receipt.status == 1 for receipt in receipts) and sum(int(r.tax) for r in receipts) == sum(
        tax for _, tax in batch
    )
    per_block_root = plain_pyevm(decoded, root_per_transaction=False)
    assert state.world.state_root == plain_pyevm(decoded, root_per_transaction=True) == per_block_root

    spec_time = median_seconds(lambda: spec.apply_block(pre, the_block), repeats=3)
    per_transaction = median_seconds(lambda: plain_pyevm(decoded, root_per_transaction=True), repeats=3)
    per_block = median_seconds(lambda: plain_pyevm(decoded, root_per_transaction=False), repeats=3)
    count = len(raws)
    return [
        f"transfers: apply_block of {count} taxed value transfers vs plain py-evm CancunState (median of 3)",
        f"  {'what':<44}  {'ms':>9}  {'us/tx':>8}  {'spec ratio':>10}",
        f"  {'spec apply_block (root per transaction)':<44}  {spec_time * 1e3:>9.1f}  {spec_time / count * 1e6:>8.0f}"
        f"  {1:>10.2f}",
        f"  {'(a) py-evm, a state root per transaction':<44}  {per_transaction * 1e3:>9.1f}"
        f"  {per_transaction / count * 1e6:>8.0f}  {spec_time / per_transaction:>10.2f}",
        f"  {'(b) py-evm, one state root per block':<44}  {per_block * 1e3:>9.1f}"
        f"  {per_block / count * 1e6:>8.0f}  {spec_time / per_block:>10.2f}",
    ]


if __name__ == "__main__":
    print("\n".join(run()))
