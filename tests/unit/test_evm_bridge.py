"""The adapter's bridge pieces (mvm_spec/evm.py, mvm_spec/runtime.py): minting and burning, exempt code addresses,
deposits, Merkle-Patricia proofs, and the L2->L1 message passer's bytecode.

Every expected value is worked out independently of the function under test: by hand (gas, addresses, RLP), with
eth-abi and keccak (withdrawal hashes), with a fresh py-trie (storage roots), or by running the same message through
plain py-evm ``CancunState`` as a signed transaction.
"""

from __future__ import annotations

import random
from typing import Any, Mapping, TypeVar

import pytest
import rlp  # type: ignore[import-untyped]  # pyrlp ships no type information
from eth._utils.address import generate_contract_address
from eth.db.account import AccountDB
from eth.db.atomic import AtomicDB
from eth.vm import opcode_values as op
from eth.vm.execution_context import ExecutionContext
from eth.vm.forks.cancun import CancunVM
from eth.vm.forks.cancun.state import CancunState
from eth.vm.forks.cancun.transactions import CancunTransactionBuilder
from eth_abi.abi import encode as abi_encode
from eth_hash.auto import keccak
from eth_typing import Address, BlockNumber, Hash32
from trie.hexary import HexaryTrie

from mvm_spec import evm, runtime
from tests.unit.test_evm_adapter import (
    BLOCK,
    CHAIN_ID,
    CLEARING_STORE,
    COINBASE,
    ETHER,
    INNER,
    LOG_TOP,
    NO_CHARTER,
    OUTER,
    RECIPIENT,
    SENDER,
    TIP,
    TRANSIENT,
    asm,
    call,
    deploying,
    dynamic_fee_tx,
    push,
    store_one,
    word,
)

EXEMPT = Address(bytes([0xE0]) * 20)  # where exempt code lives in these tests
PASSER = Address(bytes([0x42]) * 20)  # where the message passer is deployed in these tests
L1_TARGET = bytes([0x71]) * 20
BLANK_ROOT = keccak(rlp.encode(b""))  # the empty trie: keccak256(0x80)
EMPTY_CODE_HASH = keccak(b"")
FORBID_SSTORE = frozenset({op.SSTORE})
_Address = TypeVar("_Address", bound=bytes)


# --- Plain py-evm, for reference ---------------------------------------------------------------------------------


def pyevm(alloc: Mapping[_Address, evm.GenesisAccount], raw: bytes) -> tuple[Any, int, CancunState]:
    """Run one signed transaction on a plain py-evm ``CancunState`` in BLOCK: (computation, gas used, state)."""
    db = AtomicDB()
    accounts = AccountDB(db)
    for address, account in alloc.items():
        accounts.set_balance(Address(address), account.balance)
        accounts.set_nonce(Address(address), account.nonce)
        accounts.set_code(Address(address), account.code)
        for slot, value in account.storage:
            accounts.set_storage(Address(address), slot, value)
    accounts.persist()
    context = ExecutionContext(
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
    state = CancunState(db, context, accounts.state_root)
    transaction = CancunTransactionBuilder.decode(raw)
    computation = state.apply_transaction(transaction)
    return computation, CancunVM.finalize_gas_used(transaction, computation), state


def calldata_gas(data: bytes) -> int:
    return sum(16 if byte else 4 for byte in data)


def account_rlp(nonce: int, balance: int, storage_root: bytes = BLANK_ROOT, code: bytes = b"") -> bytes:
    """An account as the state trie stores it (the yellow paper's RLP of [nonce, balance, storageRoot, codeHash])."""
    return bytes(rlp.encode([nonce, balance, storage_root, keccak(code)]))


def account_is_absent(world: evm.EvmWorld, address: bytes) -> bool:
    proof = evm.get_account_proof(world, address)
    return runtime.trie_get_from_proof(world.state_root, keccak(address), proof) == b""


# --- Mint and burn -----------------------------------------------------------------------------------------------


def test_mint_adds_to_a_balance_and_creates_the_account() -> None:
    world = evm.genesis_world({SENDER: evm.GenesisAccount(ETHER)})
    minted = evm.mint(world, RECIPIENT, 5)
    assert evm.get_balance(minted, RECIPIENT) == 5 and evm.get_balance(minted, SENDER) == ETHER
    expected = evm.genesis_world({SENDER: evm.GenesisAccount(ETHER), RECIPIENT: evm.GenesisAccount(5)})
    assert minted.state_root == expected.state_root
    again = evm.mint(minted, SENDER, 7)
    assert evm.get_balance(again, SENDER) == ETHER + 7
    assert evm.get_balance(world, RECIPIENT) == 0 and account_is_absent(world, RECIPIENT)  # the input is intact


def test_minting_nothing_changes_nothing() -> None:
    world = evm.genesis_world({SENDER: evm.GenesisAccount(ETHER)})
    assert evm.mint(world, RECIPIENT, 0) is world
    assert account_is_absent(evm.mint(world, RECIPIENT, 0), RECIPIENT)
    with pytest.raises(ValueError):
        evm.mint(world, RECIPIENT, -1)


def test_burn_removes_from_a_balance_and_removes_an_emptied_account() -> None:
    world = evm.genesis_world({SENDER: evm.GenesisAccount(ETHER), RECIPIENT: evm.GenesisAccount(5)})
    partly = evm.burn(world, RECIPIENT, 2)
    assert evm.get_balance(partly, RECIPIENT) == 3
    emptied = evm.burn(world, RECIPIENT, 5)
    assert emptied.state_root == evm.genesis_world({SENDER: evm.GenesisAccount(ETHER)}).state_root  # EIP-161
    assert account_is_absent(emptied, RECIPIENT)
    assert evm.get_balance(world, RECIPIENT) == 5  # the input is intact


def test_burning_an_account_with_a_nonce_or_code_to_zero_keeps_it() -> None:
    world = evm.genesis_world({SENDER: evm.GenesisAccount(9, nonce=1), OUTER: evm.GenesisAccount(4, code=b"\x00")})
    burnt = evm.burn(evm.burn(world, SENDER, 9), OUTER, 4)
    expected = evm.genesis_world({SENDER: evm.GenesisAccount(0, nonce=1), OUTER: evm.GenesisAccount(0, code=b"\x00")})
    assert burnt.state_root == expected.state_root


def test_burn_needs_the_balance() -> None:
    world = evm.genesis_world({RECIPIENT: evm.GenesisAccount(5)})
    assert evm.burn(world, RECIPIENT, 0) is world and evm.burn(world, INNER, 0) is world
    with pytest.raises(ValueError):
        evm.burn(world, RECIPIENT, 6)
    with pytest.raises(ValueError):
        evm.burn(world, INNER, 1)
    with pytest.raises(ValueError):
        evm.burn(world, RECIPIENT, -1)


# --- Exempt code addresses ---------------------------------------------------------------------------------------


def exempt_world(exempt: bytes, outer: bytes = b"", inner: bytes = b"") -> evm.EvmWorld:
    """A funded SENDER, and contracts (nonce 1) at EXEMPT, OUTER and INNER."""
    code = {EXEMPT: exempt, OUTER: outer, INNER: inner}
    alloc = {SENDER: evm.GenesisAccount(ETHER)}
    alloc.update({address: evm.GenesisAccount(0, 1, contract) for address, contract in code.items() if contract})
    return evm.genesis_world(alloc)


def run(
    world: evm.EvmWorld,
    raw: bytes,
    forbidden: frozenset[int] = NO_CHARTER,
    exempt: frozenset[bytes] = frozenset(),
) -> evm.ExecutionResult:
    return evm.execute_transaction(world, raw, BLOCK, forbidden, exempt)


def test_exempt_code_runs_the_plain_table_when_called_directly() -> None:
    world = exempt_world(exempt=store_one(), inner=store_one())
    assert not run(world, dynamic_fee_tx(0, INNER), FORBID_SSTORE).success  # the same code, not exempt
    assert not run(world, dynamic_fee_tx(0, EXEMPT), FORBID_SSTORE).success  # exempt code, but no exemption given
    result = run(world, dynamic_fee_tx(0, EXEMPT), FORBID_SSTORE, frozenset({EXEMPT}))
    assert result.success and evm.get_storage(result.world, EXEMPT, 0) == 1
    plain = run(world, dynamic_fee_tx(0, EXEMPT))
    assert (result.world, result.gas_used) == (plain.world, plain.gas_used)
    assert result.gas_used == 21_000 + 3 + 3 + 22_100  # two PUSH1s and a cold SSTORE 0 -> 1


def test_exempt_code_runs_the_plain_table_when_called_by_a_restricted_contract() -> None:
    world = exempt_world(exempt=store_one(), outer=asm(call(op.CALL, EXEMPT), LOG_TOP, op.STOP))
    denied = run(world, dynamic_fee_tx(0, OUTER), FORBID_SSTORE)
    assert denied.success and denied.logs == ((OUTER, (), word(0)),)  # the nested frame failed
    allowed = run(world, dynamic_fee_tx(0, OUTER), FORBID_SSTORE, frozenset({EXEMPT}))
    assert allowed.success and allowed.logs == ((OUTER, (), word(1)),)
    assert evm.get_storage(allowed.world, EXEMPT, 0) == 1 and evm.get_storage(denied.world, EXEMPT, 0) == 0
    assert allowed == run(world, dynamic_fee_tx(0, OUTER))  # exactly what no charter at all does


def test_frames_that_exempt_code_calls_are_restricted_again() -> None:
    # The exempt contract calls INNER (an SSTORE, not exempt), logs the result, then SSTOREs itself.
    exempt_code = asm(call(op.CALL, INNER), LOG_TOP, push(1), push(5), op.SSTORE, op.STOP)
    world = exempt_world(exempt=exempt_code, inner=store_one())
    result = run(world, dynamic_fee_tx(0, EXEMPT), FORBID_SSTORE, frozenset({EXEMPT}))
    assert result.success and result.logs == ((EXEMPT, (), word(0)),)  # INNER's frame hit the forbidden SSTORE
    assert evm.get_storage(result.world, EXEMPT, 5) == 1 and evm.get_storage(result.world, INNER, 0) == 0
    both = run(world, dynamic_fee_tx(0, EXEMPT), FORBID_SSTORE, frozenset({EXEMPT, INNER}))
    assert both.logs == ((EXEMPT, (), word(1)),) and evm.get_storage(both.world, INNER, 0) == 1


@pytest.mark.parametrize("opcode", [op.DELEGATECALL, op.CALLCODE])
def test_exempt_code_borrowed_by_another_contract_is_restricted(opcode: int) -> None:
    """The exemption holds only for the exempt account running its own code in its own context: a contract that
    DELEGATECALLs or CALLCODEs exempt code runs it in its own storage, and there a forbidden SSTORE halts the frame
    (so no contract can borrow the exemption to write its storage). Without a charter the same call succeeds."""
    world = exempt_world(exempt=store_one(), outer=asm(call(opcode, EXEMPT), LOG_TOP, op.STOP))
    result = run(world, dynamic_fee_tx(0, OUTER), FORBID_SSTORE, frozenset({EXEMPT}))
    assert result.logs == ((OUTER, (), word(0)),)
    assert evm.get_storage(result.world, OUTER, 0) == 0 and evm.get_storage(result.world, EXEMPT, 0) == 0
    plain = run(world, dynamic_fee_tx(0, OUTER))
    assert plain.logs == ((OUTER, (), word(1)),) and evm.get_storage(plain.world, OUTER, 0) == 1


def test_an_exemption_that_is_never_reached_changes_nothing() -> None:
    world = exempt_world(exempt=store_one(), outer=asm(call(op.CALL, INNER), LOG_TOP, op.STOP), inner=store_one())
    for forbidden in (NO_CHARTER, FORBID_SSTORE):
        with_exemption = run(world, dynamic_fee_tx(0, OUTER), forbidden, frozenset({EXEMPT}))
        assert with_exemption == run(world, dynamic_fee_tx(0, OUTER), forbidden)
    with pytest.raises(ValueError):
        run(world, dynamic_fee_tx(0, OUTER), FORBID_SSTORE, frozenset({b"\x01"}))  # not an address


# --- Deposits ----------------------------------------------------------------------------------------------------


def deposit(
    world: evm.EvmWorld,
    to: bytes | None,
    *,
    value: int = 0,
    data: bytes = b"",
    gas_limit: int = 200_000,
    intrinsic_gas: int | None = None,
    sender: bytes = SENDER,
    forbidden: frozenset[int] = NO_CHARTER,
    exempt: frozenset[bytes] = frozenset(),
) -> evm.ExecutionResult:
    """A deposit whose intrinsic gas is a transaction's: 21,000 + calldata (+ 32,000 and 2 a word to create)."""
    if intrinsic_gas is None:
        intrinsic_gas = 21_000 + calldata_gas(data) + (32_000 + 2 * ((len(data) + 31) // 32) if to is None else 0)
    return evm.execute_deposit(world, BLOCK, sender, to, value, gas_limit, intrinsic_gas, data, forbidden, exempt)


def test_value_deposit_to_an_account_without_code() -> None:
    world = evm.genesis_world({SENDER: evm.GenesisAccount(ETHER)})
    data = b"\x00\x01\x02\x00"
    result = deposit(world, RECIPIENT, value=1234, data=data)
    assert result.success and result.gas_used == 21_000 + 2 * 4 + 2 * 16
    assert result.logs == () and result.contract_address is None and result.supply_change == 0
    after = result.world
    assert evm.get_nonce(after, SENDER) == 1
    assert (evm.get_balance(after, SENDER), evm.get_balance(after, RECIPIENT)) == (ETHER - 1234, 1234)
    expected = evm.genesis_world({SENDER: evm.GenesisAccount(ETHER - 1234, 1), RECIPIENT: evm.GenesisAccount(1234)})
    assert after.state_root == expected.state_root  # nothing else changed: no fee, no coinbase account
    assert evm.get_nonce(world, SENDER) == 0 and evm.get_balance(world, SENDER) == ETHER  # the input is intact


def test_a_deposit_needs_no_balance_for_gas_and_no_account() -> None:
    world = evm.genesis_world({})
    result = deposit(world, RECIPIENT, gas_limit=10**9)
    assert result.success and result.gas_used == 21_000
    assert result.world.state_root == evm.genesis_world({SENDER: evm.GenesisAccount(0, 1)}).state_root


def test_deposit_calling_a_contract_costs_what_the_same_transaction_costs() -> None:
    alloc = {SENDER: evm.GenesisAccount(ETHER), INNER: evm.GenesisAccount(0, 1, store_one())}
    result = deposit(evm.genesis_world(alloc), INNER, data=b"\x01")
    assert result.success and evm.get_storage(result.world, INNER, 0) == 1
    assert result.gas_used == 21_000 + 16 + 3 + 3 + 22_100  # one data byte, two PUSH1s, a cold SSTORE 0 -> 1
    _, reference_gas, _ = pyevm(alloc, dynamic_fee_tx(0, INNER, b"\x01"))
    assert result.gas_used == reference_gas


def test_deposit_warms_what_a_transaction_warms() -> None:
    """EIP-2929/3651: sender, target, precompiles and coinbase are warm (BALANCE 100), anything else cold (2,600)."""
    cold = bytes([0xDD]) * 20
    code = asm(
        *(asm(source, op.BALANCE, op.POP) for source in (op.COINBASE, op.CALLER, op.ADDRESS, push(1), push(cold))),
        op.STOP,
    )
    alloc = {SENDER: evm.GenesisAccount(ETHER), INNER: evm.GenesisAccount(0, 1, code)}
    result = deposit(evm.genesis_world(alloc), INNER)
    warm_reads = 3 * (2 + 100 + 2) + (3 + 100 + 2)  # COINBASE, CALLER, ADDRESS, then PUSH1 1 (a precompile)
    assert result.success and result.gas_used == 21_000 + warm_reads + (3 + 2_600 + 2)
    assert result.gas_used == pyevm(alloc, dynamic_fee_tx(0, INNER))[1]


def test_deposit_sees_gas_price_zero_and_the_sender_as_origin() -> None:
    code = asm(op.GASPRICE, LOG_TOP, op.ORIGIN, LOG_TOP, op.CALLER, LOG_TOP, op.CALLVALUE, LOG_TOP, op.STOP)
    world = evm.genesis_world({SENDER: evm.GenesisAccount(ETHER), INNER: evm.GenesisAccount(0, 1, code)})
    result = deposit(world, INNER, value=3)
    sender_word = bytes(12) + SENDER
    assert [data for _, _, data in result.logs] == [word(0), sender_word, sender_word, word(3)]
    signed = run(world, dynamic_fee_tx(0, INNER))
    assert signed.logs[0][2] == word(BLOCK.base_fee + TIP)  # a transaction sees its effective gas price


def test_deposit_pays_no_fee_and_burns_nothing() -> None:
    alloc = {SENDER: evm.GenesisAccount(ETHER), INNER: evm.GenesisAccount(0, 1, store_one())}
    world = evm.genesis_world(alloc)
    assert BLOCK.base_fee > 0
    result = deposit(world, INNER)
    assert evm.get_balance(result.world, COINBASE) == 0 and account_is_absent(result.world, COINBASE)
    assert evm.get_balance(result.world, SENDER) == ETHER and result.supply_change == 0
    signed = run(world, dynamic_fee_tx(0, INNER))  # the same call as a transaction pays the coinbase its tip
    assert evm.get_balance(signed.world, COINBASE) == signed.gas_used * TIP and signed.gas_used == result.gas_used
    funded_coinbase = evm.mint(world, COINBASE, 10)
    assert evm.get_balance(deposit(funded_coinbase, INNER).world, COINBASE) == 10


def test_a_reverting_deposit_keeps_the_nonce_increment_and_returns_the_value() -> None:
    reverting = asm(push(1), push(3), op.SSTORE, push(0), push(0), op.REVERT)
    world = evm.genesis_world({SENDER: evm.GenesisAccount(ETHER), INNER: evm.GenesisAccount(0, 1, reverting)})
    result = deposit(world, INNER, value=500)
    assert not result.success and result.logs == () and result.supply_change == 0
    assert result.gas_used == 21_000 + 3 + 3 + 22_100 + 3 + 3  # REVERT returns the frame's remaining gas
    after = result.world
    assert evm.get_nonce(after, SENDER) == 1 and evm.get_balance(after, SENDER) == ETHER
    assert evm.get_balance(after, INNER) == 0 and evm.get_storage(after, INNER, 3) == 0


def test_creation_deposit_deploys_at_the_senders_next_address() -> None:
    runtime_code = asm(push(7), push(0), op.SSTORE, op.STOP)
    init_code = deploying(runtime_code)
    alloc = {SENDER: evm.GenesisAccount(ETHER, nonce=5)}
    result = deposit(evm.genesis_world(alloc), None, value=11, data=init_code)
    created = generate_contract_address(SENDER, 5)
    assert result.success and result.contract_address == created
    after = result.world
    assert evm.get_code(after, created) == runtime_code and evm.get_balance(after, created) == 11
    assert evm.get_nonce(after, created) == 1 and evm.get_nonce(after, SENDER) == 6
    # The init-code charge is part of the intrinsic gas passed in and charged once: as a creation transaction.
    _, reference_gas, _ = pyevm(alloc, dynamic_fee_tx(5, None, init_code, value=11))
    code_deposit = 200 * len(runtime_code)
    init_run = 3 + 3 + 3 + 3 + (3 + 3 + 3) + 3  # PUSH1 DUP1 PUSH1 PUSH1, CODECOPY (3, 3 a word, 3 memory), PUSH1
    intrinsic = 21_000 + 32_000 + calldata_gas(init_code) + 2 * 1
    assert result.gas_used == reference_gas == intrinsic + init_run + code_deposit


def test_creation_deposit_counts_the_init_code_charge_once() -> None:
    init_code = bytes(64)  # two words of STOP
    world = evm.genesis_world({SENDER: evm.GenesisAccount(ETHER)})
    intrinsic = 21_000 + 32_000 + 64 * 4 + 2 * 2
    result = deposit(world, None, data=init_code, intrinsic_gas=intrinsic)
    assert result.success and result.gas_used == intrinsic  # the STOP at 0 runs for free; the code is empty
    with pytest.raises(ValueError):
        deposit(world, None, data=init_code, intrinsic_gas=3)  # less than the init-code charge it must include


@pytest.mark.filterwarnings("ignore:SELFDESTRUCT opcode present:DeprecationWarning")
def test_a_creation_that_destroys_itself_burns_its_value() -> None:
    """EIP-6780: created and destroyed in the same deposit, to itself: the value leaves the supply."""
    world = evm.genesis_world({SENDER: evm.GenesisAccount(ETHER)})
    result = deposit(world, None, value=777, data=asm(op.ADDRESS, op.SELFDESTRUCT))
    assert result.success and result.supply_change == -777
    assert evm.get_balance(result.world, SENDER) == ETHER - 777
    assert account_is_absent(result.world, generate_contract_address(SENDER, 0))


def test_a_forbidden_opcode_halts_the_deposit_frame_unless_the_code_is_exempt() -> None:
    alloc = {SENDER: evm.GenesisAccount(ETHER), INNER: evm.GenesisAccount(0, 1, store_one())}
    world = evm.genesis_world(alloc)
    denied = deposit(world, INNER, value=9, gas_limit=100_000, forbidden=FORBID_SSTORE)
    assert not denied.success and denied.gas_used == 100_000  # INVALID-like: the frame's gas is consumed
    assert evm.get_nonce(denied.world, SENDER) == 1 and evm.get_storage(denied.world, INNER, 0) == 0
    assert evm.get_balance(denied.world, SENDER) == ETHER
    allowed = deposit(world, INNER, value=9, forbidden=FORBID_SSTORE, exempt=frozenset({INNER}))
    assert allowed.success and evm.get_storage(allowed.world, INNER, 0) == 1
    assert allowed.world == deposit(world, INNER, value=9).world


def test_deposit_refunds_are_cancuns() -> None:
    alloc = {SENDER: evm.GenesisAccount(ETHER), INNER: evm.GenesisAccount(0, 1, CLEARING_STORE, ((9, 4),))}
    result = deposit(evm.genesis_world(alloc), INNER)
    consumed = 21_000 + 3 + 3 + 2_900 + 2_100  # PUSH1s, SSTORE 4 -> 0 (cold: 2,100 + 2,900)
    refund = min(4_800, consumed // 5)  # EIP-3529: clearing refunds 4,800, capped at a fifth
    assert result.success and result.gas_used == consumed - refund
    assert result.gas_used == pyevm(alloc, dynamic_fee_tx(0, INNER))[1]


def test_transient_storage_is_cleared_after_a_deposit() -> None:
    world = evm.genesis_world({SENDER: evm.GenesisAccount(ETHER), OUTER: evm.GenesisAccount(0, 1, TRANSIENT)})
    first = deposit(world, OUTER)
    second = deposit(first.world, OUTER)
    assert first.logs == second.logs == ((OUTER, (), word(0)),)  # TLOAD sees 0 each time


def test_deposits_and_transactions_chain_and_replay() -> None:
    alloc = {SENDER: evm.GenesisAccount(ETHER), INNER: evm.GenesisAccount(0, 1, store_one())}
    genesis = evm.genesis_world(alloc)
    first = deposit(genesis, RECIPIENT, value=5)  # not hashed yet
    second = run(first.world, dynamic_fee_tx(1, INNER))  # continues the open state
    branch = deposit(first.world, OUTER, value=6)  # replays `first` from genesis
    assert evm.get_balance(second.world, RECIPIENT) == 5 and evm.get_storage(second.world, INNER, 0) == 1
    assert evm.get_balance(branch.world, OUTER) == 6 and evm.get_storage(branch.world, INNER, 0) == 0
    assert evm.get_nonce(branch.world, SENDER) == 2
    assert first.world.state_root == deposit(genesis, RECIPIENT, value=5).world.state_root


def test_deposit_arguments_are_checked() -> None:
    world = evm.genesis_world({SENDER: evm.GenesisAccount(10)})
    with pytest.raises(ValueError):
        deposit(world, RECIPIENT, value=11)  # the sender must hold the value
    with pytest.raises(ValueError):
        deposit(world, RECIPIENT, gas_limit=20_999, intrinsic_gas=21_000)


# --- Merkle-Patricia proofs --------------------------------------------------------------------------------------


def many_accounts() -> dict[bytes, evm.GenesisAccount]:
    """Enough accounts for a state trie several nodes deep, one with storage."""
    alloc = {bytes([i]) * 20: evm.GenesisAccount(1000 + i, nonce=i % 3) for i in range(1, 80)}
    alloc[INNER] = evm.GenesisAccount(5, 1, b"\x60\x00", ((1, 7), (2, 0x1234), (2**256 - 1, 1)))
    return alloc


def test_account_proof_proves_the_account() -> None:
    world = evm.genesis_world(many_accounts())
    address = bytes([9]) * 20
    proof = evm.get_account_proof(world, address)
    assert len(proof) >= 2 and all(isinstance(node, bytes) for node in proof)
    assert keccak(proof[0]) == world.state_root  # root first
    value = runtime.trie_get_from_proof(world.state_root, keccak(address), proof)
    assert value == account_rlp(nonce=0, balance=1009)
    contract = runtime.trie_get_from_proof(world.state_root, keccak(INNER), evm.get_account_proof(world, INNER))
    assert contract == account_rlp(1, 5, evm.get_storage_root(world, INNER), b"\x60\x00")


def test_an_absent_account_proves_empty() -> None:
    world = evm.genesis_world(many_accounts())
    absent = bytes([0xAB]) * 20
    assert runtime.trie_get_from_proof(world.state_root, keccak(absent), evm.get_account_proof(world, absent)) == b""
    assert evm.get_storage_root(world, absent) == BLANK_ROOT


def test_a_bad_proof_proves_nothing() -> None:
    world = evm.genesis_world(many_accounts())
    address = bytes([9]) * 20
    key = keccak(address)
    proof = evm.get_account_proof(world, address)
    tampered = bytearray(proof[-1])
    tampered[-1] ^= 1  # the last byte of the account's code hash
    bad_proofs = [
        proof[:-1] + (bytes(tampered),),
        proof[:-1],  # the leaf dropped
        proof[1:],  # the root dropped
        (),
        proof[:-1] + (b"\xf8",),  # not RLP
        proof[:-1] + (proof[-1] + b"\x00",),  # trailing bytes: not one RLP item
    ]
    for bad in bad_proofs:
        with pytest.raises(runtime.TrieProofError):
            runtime.trie_get_from_proof(world.state_root, key, bad)
    other_root = evm.mint(world, address, 1).state_root
    with pytest.raises(runtime.TrieProofError):
        runtime.trie_get_from_proof(other_root, key, proof)  # a proof against another root
    with pytest.raises(runtime.TrieProofError):
        runtime.trie_get_from_proof(world.state_root[:31], key, proof)
    assert issubclass(runtime.TrieProofError, ValueError)


def mutated(node: bytes, rng: random.Random) -> bytes:
    """``node`` with one random change: a flipped bit, or a decoded item dropped, added, or replaced."""
    if rng.random() < 0.3:
        flipped = bytearray(node)
        flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
        return bytes(flipped)
    items = rlp.decode(node)
    junk = rng.choice([b"", b"\x00", bytes([0x20]) + bytes(rng.randrange(40)), [b"\x20", b"x"], [b""] * 17])
    index = rng.randrange(len(items))
    change = rng.randrange(3)
    if change == 0:
        del items[index]
    elif change == 1:
        items.insert(index, junk)
    else:
        items[index] = junk
    return bytes(rlp.encode(items))


def test_any_change_to_a_proof_is_caught_or_proves_something_else() -> None:
    """Random one-node changes, re-rooted half the time (so the root node hash-links and the change is reached):
    the verifier either raises TrieProofError or returns a byte string, never another exception."""
    world = evm.genesis_world(many_accounts())
    rng = random.Random(4788)
    outcomes = {"error": 0, "value": 0}
    for _ in range(400):
        address = bytes([rng.randrange(1, 90)]) * 20
        proof = list(evm.get_account_proof(world, address))
        if rng.random() < 0.5:
            proof[0] = mutated(proof[0], rng)
            root = keccak(proof[0])
        else:
            index = rng.randrange(len(proof))
            proof[index] = mutated(proof[index], rng)
            root = world.state_root
        try:
            value = runtime.trie_get_from_proof(root, keccak(address), proof)
        except runtime.TrieProofError:
            outcomes["error"] += 1
        else:
            assert isinstance(value, bytes)
            outcomes["value"] += 1
    assert outcomes["error"] > 0 and outcomes["value"] > 0


def test_a_proof_of_one_key_does_not_prove_another() -> None:
    world = evm.genesis_world(many_accounts())
    proof = evm.get_account_proof(world, bytes([9]) * 20)
    with pytest.raises(runtime.TrieProofError):  # the path of another key leaves the proven nodes
        runtime.trie_get_from_proof(world.state_root, keccak(bytes([10]) * 20), proof)


def test_storage_root_is_the_root_of_the_slots_trie() -> None:
    world = evm.genesis_world(many_accounts())
    independent: Any = HexaryTrie({})  # py-trie's methods are unannotated
    for slot, value in ((1, 7), (2, 0x1234), (2**256 - 1, 1)):
        independent.set(keccak(slot.to_bytes(32, "big")), rlp.encode(value))
    assert evm.get_storage_root(world, INNER) == independent.root_hash
    assert evm.get_storage_root(world, bytes([9]) * 20) == BLANK_ROOT  # an account without storage


def test_storage_proof_proves_set_and_unset_slots() -> None:
    world = evm.genesis_world(many_accounts())
    root = evm.get_storage_root(world, INNER)
    for slot, value in ((1, 7), (2, 0x1234), (2**256 - 1, 1)):
        proof = evm.get_storage_proof(world, INNER, slot)
        assert runtime.trie_get_from_proof(root, keccak(word(slot)), proof) == rlp.encode(value)
    assert runtime.trie_get_from_proof(root, keccak(word(3)), evm.get_storage_proof(world, INNER, 3)) == b""
    no_storage = bytes([9]) * 20
    assert evm.get_storage_proof(world, no_storage, 1) == ()  # the empty trie proves every key absent
    assert runtime.trie_get_from_proof(BLANK_ROOT, keccak(word(1)), ()) == b""
    with pytest.raises(ValueError):
        evm.get_storage_proof(world, INNER, 2**256)


def test_proofs_of_a_derived_world_and_of_its_parent() -> None:
    genesis = evm.genesis_world(many_accounts())
    funded = evm.mint(genesis, SENDER, ETHER)  # not hashed yet: the proof hashes it
    proof = evm.get_account_proof(funded, SENDER)
    assert runtime.trie_get_from_proof(funded.state_root, keccak(SENDER), proof) == account_rlp(0, ETHER)
    assert account_is_absent(genesis, SENDER)  # the parent still proves it absent


def test_proofs_leave_out_nodes_embedded_in_their_parent() -> None:
    """Short keys make nodes under 32 bytes, which live inside their parent; eth_getProof does not list them."""
    db: dict[bytes, bytes] = {}
    trie: Any = HexaryTrie(db)  # py-trie's methods are unannotated
    trie.set(b"\x01\x01", b"a")
    trie.set(b"\x01\x02", b"b")
    full = trie.get_proof(b"\x01\x02")
    assert len(full) > 1  # py-trie lists the embedded nodes too...
    assert all(len(rlp.encode(node)) < 32 for node in full[1:])  # ...which are all under 32 bytes: inline
    proof = evm._proof(db, trie.root_hash, b"\x01\x02")
    assert proof == (db[trie.root_hash],)
    assert runtime.trie_get_from_proof(trie.root_hash, b"\x01\x02", proof) == b"b"


def test_rlp_decode() -> None:
    assert runtime.rlp_decode(b"\x80") == b""
    assert runtime.rlp_decode(b"\xc0") == []
    assert runtime.rlp_decode(bytes.fromhex("c88363617483646f67")) == [b"cat", b"dog"]
    assert runtime.rlp_decode(account_rlp(1, 2)) == [b"\x01", b"\x02", BLANK_ROOT, EMPTY_CODE_HASH]
    # empty, two non-canonical lengths, a trailing byte, a list and a string cut short
    for bad in (b"", b"\x81\x01", b"\xb8\x01a", b"\x01\x02", b"\xc1", b"\x83ab"):
        with pytest.raises(runtime.RlpDecodingError):
            runtime.rlp_decode(bad)
    assert issubclass(runtime.RlpDecodingError, ValueError)


# --- The L2->L1 message passer ----------------------------------------------------------------------------------
#
# Calldata: word 0 is the L1 target (an address: its upper 12 bytes must be 0), the rest is the message data.
# Slot 0 is the message nonce. For each message it stores slot withdrawal_hash := 1 and slot 0 := nonce + 1, logs
# LOG1(topic0 = withdrawal_hash, data = the six words below ++ data) and returns withdrawal_hash, where
#   withdrawal_hash = keccak256(abi.encode(chainid, nonce, caller, target, callvalue, keccak256(data))).
# Memory: 0x00 chainid | 0x20 nonce | 0x40 caller | 0x60 target | 0x80 callvalue | 0xa0 data_hash | 0xc0 data.
# It accepts value and keeps it (the spec burns the passer's balance after each transaction). Stack: top first.
#
#   pc    bytes       instruction        stack after
#   0x00  36          CALLDATASIZE       [cds]
#   0x01  6020        PUSH1 0x20         [32, cds]
#   0x03  81          DUP2               [cds, 32, cds]
#   0x04  10          LT                 [cds < 32, cds]
#   0x05  6051        PUSH1 0x51         [revert, cds < 32, cds]
#   0x07  57          JUMPI              [cds]                          short calldata: revert
#   0x08  5f          PUSH0              [0, cds]
#   0x09  35          CALLDATALOAD       [word0, cds]
#   0x0a  80          DUP1               [word0, word0, cds]
#   0x0b  60a0        PUSH1 0xa0         [160, word0, word0, cds]
#   0x0d  1c          SHR                [word0 >> 160, word0, cds]
#   0x0e  6051        PUSH1 0x51         [revert, word0 >> 160, word0, cds]
#   0x10  57          JUMPI              [target, cds]                  dirty upper 12 bytes: revert
#   0x11  6060        PUSH1 0x60         [0x60, target, cds]
#   0x13  52          MSTORE             [cds]                          mem[0x60] = target
#   0x14  6020        PUSH1 0x20         [32, cds]
#   0x16  90          SWAP1              [cds, 32]
#   0x17  03          SUB                [len]                          len = cds - 32
#   0x18  80          DUP1               [len, len]
#   0x19  6020        PUSH1 0x20         [32, len, len]
#   0x1b  60c0        PUSH1 0xc0         [0xc0, 32, len, len]
#   0x1d  37          CALLDATACOPY       [len]                          mem[0xc0:] = data
#   0x1e  80          DUP1               [len, len]
#   0x1f  60c0        PUSH1 0xc0         [0xc0, len, len]
#   0x21  20          KECCAK256          [data_hash, len]
#   0x22  60a0        PUSH1 0xa0         [0xa0, data_hash, len]
#   0x24  52          MSTORE             [len]                          mem[0xa0] = data_hash
#   0x25  46          CHAINID            [chainid, len]
#   0x26  5f          PUSH0              [0, chainid, len]
#   0x27  52          MSTORE             [len]                          mem[0x00] = chainid
#   0x28  5f          PUSH0              [0, len]
#   0x29  54          SLOAD              [nonce, len]
#   0x2a  80          DUP1               [nonce, nonce, len]
#   0x2b  6020        PUSH1 0x20         [0x20, nonce, nonce, len]
#   0x2d  52          MSTORE             [nonce, len]                   mem[0x20] = nonce
#   0x2e  33          CALLER             [caller, nonce, len]
#   0x2f  6040        PUSH1 0x40         [0x40, caller, nonce, len]
#   0x31  52          MSTORE             [nonce, len]                   mem[0x40] = caller
#   0x32  34          CALLVALUE          [callvalue, nonce, len]
#   0x33  6080        PUSH1 0x80         [0x80, callvalue, nonce, len]
#   0x35  52          MSTORE             [nonce, len]                   mem[0x80] = callvalue
#   0x36  60c0        PUSH1 0xc0         [0xc0, nonce, len]
#   0x38  5f          PUSH0              [0, 0xc0, nonce, len]
#   0x39  20          KECCAK256          [hash, nonce, len]             hash = keccak256(mem[0x00:0xc0])
#   0x3a  6001        PUSH1 0x01         [1, hash, nonce, len]
#   0x3c  81          DUP2               [hash, 1, hash, nonce, len]
#   0x3d  55          SSTORE             [hash, nonce, len]             storage[hash] = 1
#   0x3e  90          SWAP1              [nonce, hash, len]
#   0x3f  6001        PUSH1 0x01         [1, nonce, hash, len]
#   0x41  01          ADD                [nonce + 1, hash, len]
#   0x42  5f          PUSH0              [0, nonce + 1, hash, len]
#   0x43  55          SSTORE             [hash, len]                    storage[0] = nonce + 1
#   0x44  80          DUP1               [hash, hash, len]
#   0x45  91          SWAP2              [len, hash, hash]
#   0x46  60c0        PUSH1 0xc0         [0xc0, len, hash, hash]
#   0x48  01          ADD                [0xc0 + len, hash, hash]
#   0x49  5f          PUSH0              [0, 0xc0 + len, hash, hash]
#   0x4a  a1          LOG1               [hash]                         log mem[0x00 : 0xc0 + len], topic hash
#   0x4b  5f          PUSH0              [0, hash]
#   0x4c  52          MSTORE             []                             mem[0x00] = hash
#   0x4d  6020        PUSH1 0x20         [32]
#   0x4f  5f          PUSH0              [0, 32]
#   0x50  f3          RETURN             []                             return hash
#   0x51  5b          JUMPDEST           [...]                          revert:
#   0x52  5f          PUSH0              [0, ...]
#   0x53  5f          PUSH0              [0, 0, ...]
#   0x54  fd          REVERT                                            revert with no data

MESSAGE_PASSER_CODE = bytes.fromhex(
    "36602081106051575f358060a01c6051576060526020900380602060c0378060c02060a052465f525f5480602052"
    "336040523460805260c05f2060018155906001015f55809160c0015fa15f5260205ff35b5f5ffd"
)
PASSER_REVERT = 0x51

MESSAGE_PASSER_ASSEMBLY = asm(
    op.CALLDATASIZE,
    push(0x20),
    op.DUP2,
    op.LT,
    push(PASSER_REVERT),
    op.JUMPI,
    op.PUSH0,
    op.CALLDATALOAD,
    op.DUP1,
    push(0xA0),
    op.SHR,
    push(PASSER_REVERT),
    op.JUMPI,
    push(0x60),
    op.MSTORE,
    push(0x20),
    op.SWAP1,
    op.SUB,
    op.DUP1,
    push(0x20),
    push(0xC0),
    op.CALLDATACOPY,
    op.DUP1,
    push(0xC0),
    op.SHA3,  # KECCAK256
    push(0xA0),
    op.MSTORE,
    op.CHAINID,
    op.PUSH0,
    op.MSTORE,
    op.PUSH0,
    op.SLOAD,
    op.DUP1,
    push(0x20),
    op.MSTORE,
    op.CALLER,
    push(0x40),
    op.MSTORE,
    op.CALLVALUE,
    push(0x80),
    op.MSTORE,
    push(0xC0),
    op.PUSH0,
    op.SHA3,  # KECCAK256
    push(0x01),
    op.DUP2,
    op.SSTORE,
    op.SWAP1,
    push(0x01),
    op.ADD,
    op.PUSH0,
    op.SSTORE,
    op.DUP1,
    op.SWAP2,
    push(0xC0),
    op.ADD,
    op.PUSH0,
    op.LOG1,
    op.PUSH0,
    op.MSTORE,
    push(0x20),
    op.PUSH0,
    op.RETURN,
    op.JUMPDEST,  # PASSER_REVERT
    op.PUSH0,
    op.PUSH0,
    op.REVERT,
)


def test_the_listing_assembles_to_the_code() -> None:
    assert MESSAGE_PASSER_ASSEMBLY == MESSAGE_PASSER_CODE and len(MESSAGE_PASSER_CODE) == 0x55
    assert MESSAGE_PASSER_CODE[PASSER_REVERT] == op.JUMPDEST
    assert op.JUMPDEST not in MESSAGE_PASSER_CODE[:PASSER_REVERT]  # the only 0x5b byte: no other jump target


def withdrawal_hash(nonce: int, caller: bytes, target: bytes, value: int, data: bytes) -> bytes:
    """Independently: keccak256(abi.encode(uint256 chainid, uint256 nonce, address caller, address target,
    uint256 value, bytes32 keccak256(data))), with eth-abi."""
    types = ["uint256", "uint256", "address", "address", "uint256", "bytes32"]
    return bytes(keccak(abi_encode(types, [CHAIN_ID, nonce, caller, target, value, keccak(data)])))


def message_words(nonce: int, caller: bytes, target: bytes, value: int, data: bytes) -> bytes:
    """What the passer logs before the data: the six ABI words (addresses left-padded)."""
    types = ["uint256", "uint256", "address", "address", "uint256", "bytes32"]
    return bytes(abi_encode(types, [CHAIN_ID, nonce, caller, target, value, keccak(data)]))


def passer_world(extra: dict[bytes, evm.GenesisAccount] | None = None) -> evm.EvmWorld:
    """A funded SENDER, the message passer at PASSER, and ``extra``."""
    alloc = {SENDER: evm.GenesisAccount(ETHER), PASSER: evm.GenesisAccount(0, 1, MESSAGE_PASSER_CODE)}
    return evm.genesis_world({**alloc, **(extra or {})})


def message(target: bytes, data: bytes) -> bytes:
    return bytes(12) + target + data


def test_one_message() -> None:
    data = b"withdraw \x00\x01 to L1"
    result = run(passer_world(), dynamic_fee_tx(0, PASSER, message(L1_TARGET, data), value=0))
    expected = withdrawal_hash(0, SENDER, L1_TARGET, 0, data)
    assert result.success
    assert evm.get_storage(result.world, PASSER, int.from_bytes(expected)) == 1
    assert evm.get_storage(result.world, PASSER, 0) == 1
    assert result.logs == ((PASSER, (expected,), message_words(0, SENDER, L1_TARGET, 0, data) + data),)


def test_the_passer_returns_the_withdrawal_hash() -> None:
    alloc = {SENDER: evm.GenesisAccount(ETHER), PASSER: evm.GenesisAccount(0, 1, MESSAGE_PASSER_CODE)}
    computation, _, _ = pyevm(alloc, dynamic_fee_tx(0, PASSER, message(L1_TARGET, b"x")))
    assert computation.is_success and computation.output == withdrawal_hash(0, SENDER, L1_TARGET, 0, b"x")


def test_two_messages_count_up() -> None:
    world = passer_world()
    first = run(world, dynamic_fee_tx(0, PASSER, message(L1_TARGET, b"a")))
    second = run(first.world, dynamic_fee_tx(1, PASSER, message(L1_TARGET, b"a")))  # the same message again
    hashes = [withdrawal_hash(nonce, SENDER, L1_TARGET, 0, b"a") for nonce in (0, 1)]
    assert hashes[0] != hashes[1] and first.success and second.success
    assert evm.get_storage(second.world, PASSER, 0) == 2
    assert [evm.get_storage(second.world, PASSER, int.from_bytes(h)) for h in hashes] == [1, 1]
    assert second.logs[0][1] == (hashes[1],)
    assert evm.get_storage(first.world, PASSER, 0) == 1  # the first world is intact
    assert evm.get_storage(first.world, PASSER, int.from_bytes(hashes[1])) == 0


def test_a_message_without_data() -> None:
    result = run(passer_world(), dynamic_fee_tx(0, PASSER, message(L1_TARGET, b"")))
    expected = withdrawal_hash(0, SENDER, L1_TARGET, 0, b"")
    assert result.success and result.logs == ((PASSER, (expected,), message_words(0, SENDER, L1_TARGET, 0, b"")),)


@pytest.mark.parametrize(
    "calldata",
    [
        pytest.param(b"", id="empty"),
        pytest.param(bytes(31), id="31-bytes"),
        pytest.param(b"\x01" + bytes(11) + L1_TARGET + b"data", id="dirty-first-byte"),
        pytest.param(bytes(11) + b"\x01" + L1_TARGET, id="dirty-twelfth-byte"),
    ],
)
def test_malformed_calldata_reverts(calldata: bytes) -> None:
    world = passer_world()
    result = run(world, dynamic_fee_tx(0, PASSER, calldata, value=5))
    assert not result.success and result.logs == ()
    assert evm.get_storage(result.world, PASSER, 0) == 0 and evm.get_balance(result.world, PASSER) == 0
    assert result.gas_used < 50_000  # a REVERT, not an exceptional halt: the frame's gas comes back


def test_value_stays_in_the_passer() -> None:
    result = run(passer_world(), dynamic_fee_tx(0, PASSER, message(L1_TARGET, b"v"), value=10**15))
    expected = withdrawal_hash(0, SENDER, L1_TARGET, 10**15, b"v")
    assert result.success and result.logs[0][1] == (expected,)
    assert evm.get_balance(result.world, PASSER) == 10**15
    assert evm.get_storage(result.world, PASSER, int.from_bytes(expected)) == 1


def relay(value: int) -> bytes:
    """A contract that sends message(L1_TARGET, b"hi") to PASSER with ``value`` and logs what it returned."""
    payload = message(L1_TARGET, b"hi")  # 34 bytes: two words, stored at 0 and 32
    return asm(
        push(payload[:32]),
        push(0),
        op.MSTORE,
        push(payload[32:].ljust(32, b"\x00")),
        push(32),
        op.MSTORE,
        push(32),  # return size
        push(0),  # return offset
        push(len(payload)),
        push(0),
        push(value),
        push(PASSER),
        op.GAS,
        op.CALL,
        op.POP,
        push(32),
        push(0),
        op.LOG0,  # the returned word, copied over memory[0:32] by CALL
        op.STOP,
    )


def test_called_from_a_contract_the_caller_is_that_contract() -> None:
    world = passer_world({OUTER: evm.GenesisAccount(100, 1, relay(40))})
    result = run(world, dynamic_fee_tx(0, OUTER))
    expected = withdrawal_hash(0, OUTER, L1_TARGET, 40, b"hi")
    assert result.success
    assert result.logs == (
        (PASSER, (expected,), message_words(0, OUTER, L1_TARGET, 40, b"hi") + b"hi"),
        (OUTER, (), expected),  # the passer returned the hash
    )
    assert evm.get_balance(result.world, PASSER) == 40


def test_the_passer_works_whatever_a_charter_forbids_when_exempt() -> None:
    world = passer_world({OUTER: evm.GenesisAccount(0, 1, relay(0))})
    everything_it_uses = frozenset(MESSAGE_PASSER_CODE) - {op.JUMPDEST}  # opcodes and push data alike
    direct = dynamic_fee_tx(0, PASSER, message(L1_TARGET, b"a"))
    assert not run(world, direct, everything_it_uses).success
    exempt = run(world, direct, everything_it_uses, frozenset({PASSER}))
    assert exempt.success and exempt.world == run(world, direct).world
    nested = run(world, dynamic_fee_tx(0, OUTER), frozenset({op.SSTORE, op.LOG1}), frozenset({PASSER}))
    assert nested.success and len(nested.logs) == 2
    assert evm.get_storage(nested.world, PASSER, 0) == 1


def test_the_withdrawal_slot_has_a_storage_proof() -> None:
    first = run(passer_world(), dynamic_fee_tx(0, PASSER, message(L1_TARGET, b"proof me")))
    second = run(first.world, dynamic_fee_tx(1, PASSER, message(L1_TARGET, b"and me")))
    world = second.world
    storage_root = evm.get_storage_root(world, PASSER)
    account = runtime.trie_get_from_proof(world.state_root, keccak(PASSER), evm.get_account_proof(world, PASSER))
    assert account == account_rlp(1, 0, storage_root, MESSAGE_PASSER_CODE)  # the account proves the storage root
    hashes = [
        withdrawal_hash(0, SENDER, L1_TARGET, 0, b"proof me"),
        withdrawal_hash(1, SENDER, L1_TARGET, 0, b"and me"),
    ]
    for withdrawal in hashes:
        proof = evm.get_storage_proof(world, PASSER, int.from_bytes(withdrawal))
        assert runtime.trie_get_from_proof(storage_root, keccak(withdrawal), proof) == rlp.encode(1)
    nonce_proof = evm.get_storage_proof(world, PASSER, 0)
    assert runtime.trie_get_from_proof(storage_root, keccak(word(0)), nonce_proof) == rlp.encode(2)
    never = withdrawal_hash(2, SENDER, L1_TARGET, 0, b"never sent")
    never_proof = evm.get_storage_proof(world, PASSER, int.from_bytes(never))
    assert runtime.trie_get_from_proof(storage_root, keccak(never), never_proof) == b""
    independent: Any = HexaryTrie({})  # the storage trie, rebuilt from the three slots the passer wrote
    for slot, value in ((0, 2), (int.from_bytes(hashes[0]), 1), (int.from_bytes(hashes[1]), 1)):
        independent.set(keccak(word(slot)), rlp.encode(value))
    assert storage_root == independent.root_hash
