"""Cost of the MVM permission hook and of the adapter (mvm_spec/evm.py) against plain py-evm Cancun.

1. An opcode-heavy transaction: a loop of 24,000 opcodes run with a forbidden set of 50 opcodes the loop never
   uses, derived from a charter by the spec's ``get_forbidden_opcodes``. Baseline: py-evm's ``CancunState``
   decoding, applying and persisting the same transaction from the same state. The hook swaps the opcode table
   once per frame, so the goal is a ratio of ~1.0 (the adapter's decoding checks are the only extra work).
2. 1,000 value transfers through ``execute_transaction``, one world after the other, against two baselines: py-evm
   applying them to one ``CancunState`` block-style (``lock_changes`` between transactions, one state root at the
   end), and py-evm computing and persisting a state root after each, as the adapter must: a world *is* a root.

Each time is the median of 5 runs in this process. Not registered in ``benchmarks/__main__.py``: run it with
``python -c "from benchmarks import permissions; print('\\n'.join(permissions.run()))"``.
"""

from __future__ import annotations

from collections.abc import Sequence

from eth.db.account import AccountDB
from eth.db.atomic import AtomicDB
from eth.vm.execution_context import ExecutionContext
from eth.vm import opcode_values as op
from eth.vm.forks.cancun import CancunVM
from eth.vm.forks.cancun.state import CancunState
from eth.vm.forks.cancun.transactions import CancunTransactionBuilder
from eth_keys.datatypes import PrivateKey
from eth_typing import Address, BlockNumber, Hash32

from mvm_spec import evm
from mvm_spec.forks.v1 import mainnet as spec

from .common import median_seconds

KEY = PrivateKey(bytes([0x01]) * 32)
SENDER = Address(KEY.public_key.to_canonical_address())
LOOP_ADDRESS = Address(bytes([0x10]) * 20)
BLOCK = evm.BlockContext(
    number=1,
    timestamp=1_700_000_000,
    coinbase=bytes([0xCB]) * 20,
    gas_limit=30_000_000,
    base_fee=7,
    prev_randao=bytes(32),
    chain_id=1000000000001089,
)
ITERATIONS = 2_000
TRANSFERS = 1_000


def loop_code(iterations: int) -> bytes:
    """Count down from ``iterations``, squaring and storing the counter in memory: 12 opcodes per iteration."""
    start = 3  # after PUSH2 iterations
    body = [op.JUMPDEST, op.PUSH1, 1, op.SWAP1, op.SUB, op.DUP1, op.DUP1, op.MUL, op.PUSH1, 0, op.MSTORE, op.DUP1]
    return bytes([op.PUSH2, *iterations.to_bytes(2, "big"), *body, op.PUSH1, start, op.JUMPI, op.POP, op.STOP])


LOOP_OPCODES = {
    op.JUMPDEST,
    op.PUSH1,
    op.PUSH2,
    op.SWAP1,
    op.SUB,
    op.DUP1,
    op.MUL,
    op.MSTORE,
    op.JUMPI,
    op.POP,
    op.STOP,
}


def charter_forbidden_set(count: int = 50) -> frozenset[int]:
    """A charter that denies SENDER ``count`` opcodes the loop never runs, turned into opcodes by the spec."""
    unused = [opcode for opcode in range(0x0B, 0x100) if opcode not in LOOP_OPCODES and not 0x60 <= opcode <= 0x9F]
    rules = tuple(spec.PermissionRule((spec.Address(SENDER),), spec.DENY, spec.Action(a)) for a in unused[:count])
    charter = spec.Charter("bench", "bench", rules, (), spec.Address(bytes(20)))
    forbidden = spec.get_forbidden_opcodes(charter, spec.Address(SENDER))
    assert len(forbidden) == count and not forbidden & LOOP_OPCODES
    return forbidden


def signed_call(nonce: int, to: bytes, value: int = 0, gas: int = 1_000_000) -> bytes:
    unsigned = CancunTransactionBuilder.new_unsigned_dynamic_fee_transaction(
        chain_id=BLOCK.chain_id,
        nonce=nonce,
        max_priority_fee_per_gas=1,
        max_fee_per_gas=10,
        gas=gas,
        to=Address(to),
        value=value,
        data=b"",
        access_list=(),
    )
    return bytes(unsigned.as_signed_transaction(KEY).encode())


def plain_genesis(alloc: dict[Address, evm.GenesisAccount]) -> tuple[AtomicDB, Hash32]:
    db = AtomicDB()
    accounts = AccountDB(db)
    for address, account in alloc.items():
        accounts.set_balance(address, account.balance)
        accounts.set_nonce(address, account.nonce)
        accounts.set_code(address, account.code)
    accounts.persist()
    return db, accounts.state_root


def plain_context() -> ExecutionContext:
    return ExecutionContext(
        coinbase=Address(BLOCK.coinbase),
        timestamp=BLOCK.timestamp,
        block_number=BlockNumber(BLOCK.number),
        difficulty=0,
        mix_hash=Hash32(BLOCK.prev_randao),
        gas_limit=BLOCK.gas_limit,
        prev_hashes=(),
        chain_id=BLOCK.chain_id,
        base_fee_per_gas=BLOCK.base_fee,
        excess_blob_gas=0,
    )


def plain_single(db: AtomicDB, root: Hash32, raw: bytes) -> tuple[bytes, int]:
    """What the adapter does for one transaction, with py-evm alone: decode, apply, persist."""
    state = CancunState(db, plain_context(), root)
    transaction = CancunTransactionBuilder.decode(raw)
    state.lock_changes()
    computation = state.apply_transaction(transaction)
    gas_used = CancunVM.finalize_gas_used(transaction, computation)
    state.persist()
    return state.state_root, gas_used


def plain_block(db: AtomicDB, root: Hash32, raws: Sequence[bytes]) -> bytes:
    """py-evm applying transactions as a block does: one state, one state root at the end."""
    state = CancunState(db, plain_context(), root)
    for raw in raws:
        state.lock_changes()
        state.apply_transaction(CancunTransactionBuilder.decode(raw))
    state.persist()
    return state.state_root


def plain_per_transaction(db: AtomicDB, root: Hash32, raws: Sequence[bytes]) -> bytes:
    """py-evm doing what a pure world needs: a fresh state and a persisted state root per transaction."""
    for raw in raws:
        root = Hash32(plain_single(db, root, raw)[0])
    return root


def adapter_block(world: evm.EvmWorld, raws: Sequence[bytes], forbidden: frozenset[int]) -> bytes:
    evm._decode.cache_clear()  # each run recovers every sender, as py-evm does: no help from the previous run
    for raw in raws:
        world = evm.execute_transaction(world, raw, BLOCK, forbidden).world
    return world.state_root


def ratio_line(label: str, measured: float, baseline: float) -> str:
    return f"  {label:<52} {measured * 1e3:>9.2f}  {baseline * 1e3:>9.2f}  {measured / baseline:>6.2f}"


def run() -> list[str]:
    forbidden = charter_forbidden_set()
    alloc = {SENDER: evm.GenesisAccount(10**24), LOOP_ADDRESS: evm.GenesisAccount(0, 1, loop_code(ITERATIONS))}
    world = evm.genesis_world(alloc)
    db, root = plain_genesis(alloc)
    loop_tx = signed_call(0, LOOP_ADDRESS)
    permissioned = evm.execute_transaction(world, loop_tx, BLOCK, forbidden)
    same = (permissioned.world.state_root, permissioned.gas_used) == plain_single(db, root, loop_tx)
    assert permissioned.success and same, "the loop must not touch the charter's opcodes"

    lines = [
        f"permissions: the MVM hook vs plain py-evm Cancun (median of 5; {len(forbidden)} forbidden opcodes)",
        f"  {'':<52} {'mvm ms':>9}  {'py-evm ms':>9}  {'ratio':>6}",
    ]
    plain_time = median_seconds(lambda: plain_single(db, root, loop_tx))
    hook_time = median_seconds(lambda: adapter_block(world, [loop_tx], forbidden))
    bare_time = median_seconds(lambda: adapter_block(world, [loop_tx], frozenset()))
    opcodes = 1 + 12 * ITERATIONS + 2
    lines.append(ratio_line(f"loop of {opcodes:,} opcodes, charter of {len(forbidden)}", hook_time, plain_time))
    lines.append(ratio_line("same loop, no charter", bare_time, plain_time))

    transfers = [signed_call(nonce, bytes([0xEE, nonce % 100]) * 10, value=1, gas=21_000) for nonce in range(TRANSFERS)]
    assert adapter_block(world, transfers, forbidden) == plain_block(db, root, transfers)
    assert adapter_block(world, transfers, forbidden) == plain_per_transaction(db, root, transfers)
    block_time = median_seconds(lambda: plain_block(db, root, transfers))
    rooted_time = median_seconds(lambda: plain_per_transaction(db, root, transfers))
    adapter_time = median_seconds(lambda: adapter_block(world, transfers, forbidden))
    lines.append(ratio_line(f"{TRANSFERS:,} transfers vs a py-evm block (one root)", adapter_time, block_time))
    lines.append(ratio_line(f"{TRANSFERS:,} transfers vs py-evm with a root per transfer", adapter_time, rooted_time))
    lines.append(
        f"  ({adapter_time / TRANSFERS * 1e6:.0f} us per transfer through the adapter, "
        f"{block_time / TRANSFERS * 1e6:.0f} in a py-evm block)"
    )
    return lines


if __name__ == "__main__":
    print("\n".join(run()))
