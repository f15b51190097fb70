"""The py-evm adapter (mvm_spec/evm.py): pure worlds, transaction decoding, and the permission hook.

The hook is checked against its definition: a frame that reaches a forbidden opcode ends exactly as if that byte
were INVALID (0xfe), at every depth and in init code. With no forbidden opcode the adapter must be plain py-evm
Cancun bit for bit; the differential tests run the same transactions through py-evm's own CancunState, block-style
(one state, ``lock_changes`` between transactions, as ``VM.apply_transaction`` does).
"""

from __future__ import annotations

from typing import Any, Callable

import pytest
from eth._utils.address import generate_contract_address, generate_safe_contract_address
from eth.constants import SECPK1_N
from eth.db.account import AccountDB
from eth.db.atomic import AtomicDB
from eth.vm import opcode_values as op
from eth.vm.execution_context import ExecutionContext
from eth.vm.forks.cancun import CancunVM
from eth.vm.forks.cancun.constants import BEACON_ROOTS_CONTRACT_CODE, HISTORY_BUFFER_LENGTH
from eth.vm.forks.cancun.state import CancunState
from eth.vm.forks.cancun.transactions import CancunTransactionBuilder
from eth_hash.auto import keccak
from eth_keys.datatypes import PrivateKey
from eth_typing import Address, BlockNumber, Hash32

from mvm_spec import evm
from tests.signing import sign_blob, sign_dynamic_fee, sign_legacy

CHAIN_ID = 1000000000001089
KEY = PrivateKey(bytes([0x01]) * 32)
SENDER = Address(KEY.public_key.to_canonical_address())
OTHER_KEY = PrivateKey(bytes([0x02]) * 32)
OUTER, INNER, RECIPIENT = (Address(bytes([tag]) * 20) for tag in (0xA0, 0xB0, 0xC0))
COINBASE = Address(bytes([0xCB]) * 20)
BLOCK = evm.BlockContext(
    number=7,
    timestamp=1_700_000_000,
    coinbase=COINBASE,
    gas_limit=30_000_000,
    base_fee=7,
    prev_randao=bytes([0x11]) * 32,
    chain_id=CHAIN_ID,
    parent_beacon_block_root=bytes([0xBE]) * 32,
)
ETHER = 10**18
GAS = 300_000
MAX_FEE, TIP = 10, 2  # effective gas price: min(10, 7 + 2) = 9
NO_CHARTER: frozenset[int] = frozenset()
INVALID = 0xFE  # the designated invalid instruction (py-evm has no constant for it)


# --- Building code and transactions ----------------------------------------------------------------------------


def push(value: int | bytes) -> bytes:
    """The shortest PUSHn of ``value`` (bytes are pushed at their own length)."""
    data = value if isinstance(value, bytes) else value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")
    return bytes([op.PUSH1 - 1 + len(data)]) + data


def asm(*parts: int | bytes) -> bytes:
    """Assemble opcodes (ints) and already-assembled pieces (bytes)."""
    return b"".join(bytes([part]) if isinstance(part, int) else part for part in parts)


def call(opcode: int, target: bytes, gas: int = 50_000) -> bytes:
    """``opcode`` (CALL, CALLCODE, DELEGATECALL or STATICCALL) to ``target`` without data; leaves its 0/1 result."""
    value = push(0) if opcode in (op.CALL, op.CALLCODE) else b""
    return asm(push(0), push(0), push(0), push(0), value, push(target), push(gas), opcode)


LOG_TOP = asm(push(0), op.MSTORE, push(32), push(0), op.LOG0)  # log the word on top of the stack as data


def store_one(action: int = op.SSTORE) -> bytes:
    """slot 0 := 1, with ``action`` in place of SSTORE (INVALID gives the reference behaviour)."""
    return asm(push(1), push(0), action, op.STOP)


def return_address(action: int = op.ADDRESS) -> bytes:
    """Return ADDRESS, with ``action`` in place of ADDRESS."""
    return asm(action, push(0), op.MSTORE, push(32), push(0), op.RETURN)


def create(opcode: int, init_code: bytes, salt: int = 0) -> bytes:
    """CREATE or CREATE2 of ``init_code`` (at most 32 bytes); leaves the new address or 0."""
    assert len(init_code) <= 32
    load = asm(push(init_code.ljust(32, b"\x00")), push(0), op.MSTORE)
    salted = push(salt) if opcode == op.CREATE2 else b""
    return asm(load, salted, push(len(init_code)), push(0), push(0), opcode)


def deploying(runtime: bytes) -> bytes:
    """Init code that returns ``runtime`` (shorter than 256 bytes), which follows its 11 bytes."""
    prefix = asm(push(len(runtime)), op.DUP1, push(11), push(0), op.CODECOPY, push(0), op.RETURN)
    assert len(prefix) == 11
    return prefix + runtime


def dynamic_fee_tx(
    nonce: int, to: bytes | None, data: bytes = b"", value: int = 0, gas: int = GAS, key: PrivateKey = KEY
) -> bytes:
    return sign_dynamic_fee(
        key, nonce, to, value=value, data=data, gas=gas, max_fee=MAX_FEE, tip=TIP, chain_id=CHAIN_ID
    )


def legacy_tx(
    nonce: int, to: bytes | None, data: bytes = b"", value: int = 0, gas: int = GAS, chain_id: int | None = CHAIN_ID
) -> bytes:
    return sign_legacy(KEY, nonce, to, value=value, data=data, gas=gas, gas_price=MAX_FEE, chain_id=chain_id)


def world_with(**code: bytes) -> evm.EvmWorld:
    """A funded SENDER plus contracts (nonce 1) at OUTER / INNER / RECIPIENT, named by keyword."""
    alloc = {SENDER: evm.GenesisAccount(ETHER)}
    for name, contract in code.items():
        alloc[{"outer": OUTER, "inner": INNER, "recipient": RECIPIENT}[name]] = evm.GenesisAccount(0, 1, contract)
    return evm.genesis_world(alloc)


def word(value: int) -> bytes:
    return value.to_bytes(32, "big")


# --- Worlds ----------------------------------------------------------------------------------------------------


def test_value_transfer_moves_value_charges_gas_and_leaves_the_input_world_alone() -> None:
    world = world_with()
    root_before = world.state_root
    result = evm.execute_transaction(world, dynamic_fee_tx(0, RECIPIENT, value=1234, gas=21_000), BLOCK, NO_CHARTER)
    assert result.success and result.gas_used == 21_000 and result.logs == () and result.contract_address is None
    after = result.world
    assert evm.get_balance(after, SENDER) == ETHER - 1234 - 21_000 * (BLOCK.base_fee + TIP)
    assert evm.get_nonce(after, SENDER) == 1
    assert evm.get_balance(after, RECIPIENT) == 1234
    assert evm.get_balance(after, COINBASE) == 21_000 * TIP  # the base fee is burnt
    assert after.store is world.store and after.state_root != root_before
    assert world.state_root == root_before  # the input world still reads as before
    assert evm.get_balance(world, SENDER) == ETHER and evm.get_nonce(world, SENDER) == 0
    assert evm.get_balance(world, RECIPIENT) == 0 and evm.get_balance(world, COINBASE) == 0


def test_genesis_accounts_read_back() -> None:
    world = evm.genesis_world({OUTER: evm.GenesisAccount(5, nonce=3, code=b"\x00\x01", storage=((1, 9), (2, 0)))})
    assert evm.get_balance(world, OUTER) == 5 and evm.get_nonce(world, OUTER) == 3
    assert evm.get_code(world, OUTER) == b"\x00\x01"
    assert (evm.get_storage(world, OUTER, 1), evm.get_storage(world, OUTER, 2)) == (9, 0)
    assert evm.get_balance(world, INNER) == 0 and evm.get_code(world, INNER) == b""


def test_set_balance_returns_a_new_world_and_never_creates_an_empty_account() -> None:
    world = world_with()
    moved = evm.set_balance(world, RECIPIENT, 77)
    assert evm.get_balance(moved, RECIPIENT) == 77 and evm.get_balance(world, RECIPIENT) == 0
    assert evm.set_balance(world, RECIPIENT, 0) == world  # a zero tax to a new account changes nothing
    assert evm.set_balance(moved, RECIPIENT, 0).state_root == world.state_root  # emptied: removed (EIP-161)


def test_node_store_is_append_only() -> None:
    store = evm.genesis_world({SENDER: evm.GenesisAccount(1)}).store
    key = next(iter(store))
    with pytest.raises(TypeError):
        del store[key]
    with pytest.raises(ValueError):
        store[key] = store[key] + b"\x00"
    store[key] = store[key]  # rewriting the same content is fine


# --- The permission hook ----------------------------------------------------------------------------------------


def run(world: evm.EvmWorld, raw: bytes, forbidden: frozenset[int] = NO_CHARTER) -> evm.ExecutionResult:
    return evm.execute_transaction(world, raw, BLOCK, forbidden)


NESTED_CASES = [
    # (call opcode, inner code with the action, the action, the account whose storage the inner frame writes)
    pytest.param(op.CALL, store_one, op.SSTORE, INNER, id="CALL-SSTORE"),
    pytest.param(op.CALLCODE, store_one, op.SSTORE, OUTER, id="CALLCODE-SSTORE"),
    pytest.param(op.DELEGATECALL, store_one, op.SSTORE, OUTER, id="DELEGATECALL-SSTORE"),
    pytest.param(op.STATICCALL, return_address, op.ADDRESS, None, id="STATICCALL-ADDRESS"),
]


@pytest.mark.parametrize("call_opcode, inner_code, action, writes", NESTED_CASES)
def test_forbidden_opcode_in_a_called_frame_fails_that_frame_only(
    call_opcode: int, inner_code: Callable[..., bytes], action: int, writes: bytes | None
) -> None:
    outer_code = asm(call(call_opcode, INNER, gas=50_000), LOG_TOP, op.STOP)  # uses neither SSTORE nor ADDRESS
    world = world_with(outer=outer_code, inner=inner_code(action))
    allowed = run(world, dynamic_fee_tx(0, OUTER))
    denied = run(world, dynamic_fee_tx(0, OUTER), frozenset({action}))
    assert allowed.success and allowed.logs == ((OUTER, (), word(1)),)
    assert denied.success and denied.logs == ((OUTER, (), word(0)),)  # the outer frame saw 0 and went on
    if writes is not None:
        assert evm.get_storage(allowed.world, writes, 0) == 1 and evm.get_storage(denied.world, writes, 0) == 0
    assert denied.gas_used > 21_000 + 50_000  # the inner frame's 50,000 were consumed
    reference = run(world_with(outer=outer_code, inner=inner_code(INVALID)), dynamic_fee_tx(0, OUTER))
    assert (denied.success, denied.gas_used, denied.logs) == (reference.success, reference.gas_used, reference.logs)
    assert evm.get_nonce(denied.world, SENDER) == 1


def test_forbidden_opcode_two_frames_down() -> None:
    world = world_with(
        outer=asm(call(op.CALL, INNER, gas=200_000), LOG_TOP, op.STOP),
        inner=asm(call(op.DELEGATECALL, RECIPIENT), LOG_TOP, op.STOP),
        recipient=store_one(),
    )
    allowed = run(world, dynamic_fee_tx(0, OUTER))
    denied = run(world, dynamic_fee_tx(0, OUTER), frozenset({op.SSTORE}))
    assert allowed.logs == ((INNER, (), word(1)), (OUTER, (), word(1)))
    assert evm.get_storage(allowed.world, INNER, 0) == 1
    assert denied.success and denied.logs == ((INNER, (), word(0)), (OUTER, (), word(1)))
    assert evm.get_storage(denied.world, INNER, 0) == 0


@pytest.mark.parametrize("create_opcode", [op.CREATE, op.CREATE2])
def test_forbidden_opcode_in_init_code_fails_the_creation_only(create_opcode: int) -> None:
    def init_code(action: int) -> bytes:
        return asm(push(1), push(0), action, push(0), push(0), op.RETURN)

    outer_code = asm(create(create_opcode, init_code(op.SSTORE)), LOG_TOP, op.STOP)
    world = world_with(outer=outer_code)
    child = (
        generate_contract_address(OUTER, 1)
        if create_opcode == op.CREATE
        else generate_safe_contract_address(OUTER, 0, init_code(op.SSTORE))
    )
    allowed = run(world, dynamic_fee_tx(0, OUTER))
    denied = run(world, dynamic_fee_tx(0, OUTER), frozenset({op.SSTORE}))
    assert allowed.success and allowed.logs == ((OUTER, (), child.rjust(32, b"\x00")),)
    assert evm.get_storage(allowed.world, child, 0) == 1 and evm.get_nonce(allowed.world, child) == 1
    assert denied.success and denied.logs == ((OUTER, (), word(0)),)
    assert evm.get_nonce(denied.world, child) == 0 and evm.get_storage(denied.world, child, 0) == 0
    assert evm.get_nonce(denied.world, OUTER) == 2  # the creator's nonce is spent either way
    reference_code = asm(create(create_opcode, init_code(INVALID)), LOG_TOP, op.STOP)
    reference = run(world_with(outer=reference_code), dynamic_fee_tx(0, OUTER))
    assert (denied.gas_used, denied.logs) == (reference.gas_used, reference.logs)
    assert denied.gas_used > GAS // 2  # all but 1/64 of the remaining gas went to the init code and was burnt


def test_forbidden_opcode_in_init_code_of_a_creation_transaction() -> None:
    init_code = asm(push(1), push(0), op.SSTORE, push(0), push(0), op.RETURN)
    world = world_with()
    created = generate_contract_address(SENDER, 0)
    allowed = run(world, dynamic_fee_tx(0, None, init_code))
    assert allowed.success and allowed.contract_address == created and evm.get_storage(allowed.world, created, 0) == 1
    denied = run(world, dynamic_fee_tx(0, None, init_code), frozenset({op.SSTORE}))
    assert not denied.success and denied.contract_address is None and denied.logs == ()
    assert denied.gas_used == GAS
    assert evm.get_nonce(denied.world, SENDER) == 1
    assert evm.get_balance(denied.world, SENDER) == ETHER - GAS * (BLOCK.base_fee + TIP)
    assert evm.get_nonce(denied.world, created) == 0 and evm.get_code(denied.world, created) == b""


def test_forbidden_opcode_in_the_top_frame_fails_the_transaction() -> None:
    world = world_with(outer=asm(call(op.CALL, INNER), LOG_TOP, op.STOP), inner=store_one())
    denied = run(world, dynamic_fee_tx(0, OUTER), frozenset({op.LOG0}))
    assert not denied.success and denied.gas_used == GAS and denied.logs == ()
    assert evm.get_storage(denied.world, INNER, 0) == 0  # the successful inner call was reverted with its caller
    assert evm.get_nonce(denied.world, SENDER) == 1


def test_forbidden_stop_forbids_the_instruction_not_the_end_of_code() -> None:
    forbid_stop = frozenset({op.STOP})
    world = world_with(outer=asm(push(1), op.POP, op.STOP), inner=asm(push(0)), recipient=asm(push(0), op.POP))
    assert run(world, dynamic_fee_tx(0, bytes([0xD0]) * 20, value=1), forbid_stop).success  # an account without code
    assert not run(world, dynamic_fee_tx(0, OUTER), forbid_stop).success  # a 0x00 instruction
    assert run(world, dynamic_fee_tx(0, INNER), forbid_stop).success  # ends in PUSH1 0x00: data, not STOP
    assert run(world, dynamic_fee_tx(0, RECIPIENT), forbid_stop).success  # runs off the end


def test_unused_forbidden_opcodes_change_nothing() -> None:
    world = world_with(outer=asm(call(op.CALL, INNER), LOG_TOP, op.STOP), inner=store_one())
    unused = frozenset({op.SELFDESTRUCT, op.TSTORE, op.TLOAD, op.BLOBHASH, op.COINBASE, 0x0C, 0xEF})
    assert run(world, dynamic_fee_tx(0, OUTER), unused) == run(world, dynamic_fee_tx(0, OUTER))


def test_forbidden_opcodes_out_of_range_are_a_caller_error() -> None:
    with pytest.raises(ValueError):
        run(world_with(), dynamic_fee_tx(0, RECIPIENT), frozenset({0x100}))


# --- Differential: the adapter with no charter is plain py-evm -------------------------------------------------


def plain_pyevm(
    alloc: dict[bytes, evm.GenesisAccount], raws: list[bytes]
) -> tuple[bytes, list[tuple[bool, int, tuple[Any, ...]]]]:
    """The block's final state root and each receipt's (success, gas used, logs), by py-evm's CancunState alone."""
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
        coinbase=COINBASE,
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
    receipts = []
    for raw in raws:
        transaction = CancunTransactionBuilder.decode(raw)
        state.lock_changes()
        computation = state.apply_transaction(transaction)
        logs = tuple(
            (address, tuple(word(topic) for topic in topics), data)
            for address, topics, data in computation.get_log_entries()
        )
        receipts.append((computation.is_success, CancunVM.finalize_gas_used(transaction, computation), logs))
    return bytes(state.make_state_root()), receipts


def adapter(
    alloc: dict[bytes, evm.GenesisAccount], raws: list[bytes], forbidden: frozenset[int] = NO_CHARTER
) -> tuple[bytes, list[tuple[bool, int, tuple[Any, ...]]]]:
    world = evm.genesis_world(alloc)
    receipts = []
    for raw in raws:
        result = evm.execute_transaction(world, raw, BLOCK, forbidden)
        receipts.append((result.success, result.gas_used, result.logs))
        world = result.world
    return world.state_root, receipts


LOGGING_STORE = asm(
    push(5), push(1), op.SSTORE, push(0xABCD), push(0), op.MSTORE, push(0x77), push(2), push(30), op.LOG1, op.STOP
)
CLEARING_STORE = asm(push(0), push(9), op.SSTORE, op.STOP)  # clears slot 9: a refund
REVERTING = asm(push(1), push(3), op.SSTORE, push(0), push(0), op.REVERT)
TRANSIENT = asm(push(0), op.TLOAD, LOG_TOP, push(5), push(0), op.TSTORE, push(32), push(0), push(64), op.MCOPY, op.STOP)
FACTORY = asm(
    create(op.CREATE, asm(push(0), push(0), op.RETURN)),
    LOG_TOP,
    create(op.CREATE2, deploying(asm(op.CALLER, push(0), op.SSTORE)), salt=7),
    LOG_TOP,
    op.STOP,
)


def differential_programs() -> list[Any]:
    funded = {SENDER: evm.GenesisAccount(ETHER), OTHER_KEY.public_key.to_canonical_address(): evm.GenesisAccount(ETHER)}
    nested = {
        **funded,
        OUTER: evm.GenesisAccount(0, 1, asm(call(op.CALL, INNER), LOG_TOP, call(op.DELEGATECALL, RECIPIENT), LOG_TOP)),
        INNER: evm.GenesisAccount(0, 1, LOGGING_STORE, ((9, 4),)),
        RECIPIENT: evm.GenesisAccount(0, 1, REVERTING),
    }
    refund = {**funded, INNER: evm.GenesisAccount(0, 1, CLEARING_STORE, ((9, 4),))}
    factory = {**funded, OUTER: evm.GenesisAccount(0, 1, FACTORY)}
    transient = {**funded, OUTER: evm.GenesisAccount(0, 1, TRANSIENT)}
    created = generate_contract_address(SENDER, 0)
    return [
        pytest.param(
            funded,
            [legacy_tx(0, RECIPIENT, value=3, gas=21_000), dynamic_fee_tx(1, RECIPIENT, value=4)],
            id="transfers",
        ),
        pytest.param(nested, [dynamic_fee_tx(0, OUTER), legacy_tx(1, OUTER, gas=40_000)], id="nested-calls"),
        pytest.param(refund, [dynamic_fee_tx(0, INNER)], id="refund"),
        pytest.param(transient, [dynamic_fee_tx(0, OUTER), dynamic_fee_tx(1, OUTER)], id="transient-storage"),
        pytest.param(factory, [dynamic_fee_tx(0, OUTER), dynamic_fee_tx(1, OUTER)], id="create-create2-collision"),
        pytest.param(
            funded,
            [
                dynamic_fee_tx(0, None, deploying(LOGGING_STORE)),
                dynamic_fee_tx(1, created, key=KEY),
                dynamic_fee_tx(0, created, key=OTHER_KEY),
                dynamic_fee_tx(2, None, asm(INVALID)),
            ],
            id="creation-then-calls",
        ),
    ]


@pytest.mark.parametrize("alloc, raws", differential_programs())
def test_no_charter_is_plain_pyevm(alloc: dict[bytes, evm.GenesisAccount], raws: list[bytes]) -> None:
    expected = plain_pyevm(alloc, raws)
    assert adapter(alloc, raws) == expected
    assert adapter(alloc, raws, frozenset({op.BLOBHASH, op.SELFDESTRUCT, op.COINBASE, 0xEF})) == expected


# --- Decoding -------------------------------------------------------------------------------------------------


def test_decode_legacy_creation() -> None:
    init_code = bytes(40) + bytes(range(1, 61))  # 40 zero bytes, 60 non-zero, 4 words
    raw = legacy_tx(5, None, init_code, value=9)
    decoded = evm.decode_transaction(raw)
    assert (decoded.tx_type, decoded.chain_id, decoded.sender, decoded.nonce) == (0, CHAIN_ID, SENDER, 5)
    assert decoded.to is None and decoded.value == 9 and decoded.data == init_code and decoded.gas_limit == GAS
    assert decoded.max_fee_per_gas == decoded.max_priority_fee_per_gas == MAX_FEE
    assert decoded.blob_versioned_hashes == () and decoded.max_fee_per_blob_gas == 0
    assert decoded.intrinsic_gas == 21_000 + 32_000 + 40 * 4 + 60 * 16 + 4 * 2
    assert decoded.hash == keccak(raw)


def test_decode_dynamic_fee_call() -> None:
    data = b"\x00\x00\x01\x02\x00"
    decoded = evm.decode_transaction(dynamic_fee_tx(3, RECIPIENT, data, value=1))
    assert (decoded.tx_type, decoded.chain_id, decoded.sender, decoded.to) == (2, CHAIN_ID, SENDER, RECIPIENT)
    assert (decoded.max_fee_per_gas, decoded.max_priority_fee_per_gas) == (MAX_FEE, TIP)
    assert decoded.intrinsic_gas == 21_000 + 3 * 4 + 2 * 16


def test_decode_access_list_and_pre_eip155() -> None:
    unsigned = CancunTransactionBuilder.new_unsigned_access_list_transaction(
        chain_id=CHAIN_ID,
        nonce=0,
        gas_price=9,
        gas=GAS,
        to=RECIPIENT,
        value=0,
        data=b"",
        access_list=((INNER, (1, 2)),),
    )
    decoded = evm.decode_transaction(bytes(unsigned.as_signed_transaction(OTHER_KEY).encode()))
    assert decoded.tx_type == 1 and decoded.sender == OTHER_KEY.public_key.to_canonical_address()
    assert decoded.intrinsic_gas == 21_000 + 2_400 + 2 * 1_900
    assert evm.decode_transaction(legacy_tx(0, RECIPIENT, chain_id=None)).chain_id is None


def test_decode_blob_transaction() -> None:
    def blob_tx(to: bytes) -> bytes:
        return sign_blob(KEY, 0, to, gas=GAS, max_fee=10, tip=1, max_fee_per_blob_gas=3, chain_id=CHAIN_ID)

    decoded = evm.decode_transaction(blob_tx(RECIPIENT))
    assert decoded.tx_type == 3 and decoded.max_fee_per_blob_gas == 3
    assert decoded.blob_versioned_hashes == (b"\x01" + bytes(31),)
    with pytest.raises(evm.UndecodableTransaction):
        evm.decode_transaction(blob_tx(b""))  # EIP-4844: a blob transaction cannot create


def signed_with(y_parity: int, r: int, s: int) -> bytes:
    """The dynamic-fee transfer ``dynamic_fee_tx(0, RECIPIENT)`` carrying the given signature values."""
    transaction = CancunTransactionBuilder.new_dynamic_fee_transaction(
        chain_id=CHAIN_ID,
        nonce=0,
        max_priority_fee_per_gas=TIP,
        max_fee_per_gas=MAX_FEE,
        gas=GAS,
        to=RECIPIENT,
        value=0,
        data=b"",
        access_list=(),
        y_parity=y_parity,
        r=r,
        s=s,
    )
    return bytes(transaction.encode())


def test_decode_rejects_a_high_s_signature() -> None:
    signed = CancunTransactionBuilder.decode(dynamic_fee_tx(0, RECIPIENT))
    assert evm.decode_transaction(signed_with(signed.y_parity, signed.r, signed.s)).sender == SENDER
    flipped = signed_with(1 - signed.y_parity, signed.r, SECPK1_N - signed.s)
    assert CancunTransactionBuilder.decode(flipped).sender == SENDER  # the same signer: only EIP-2 tells them apart
    with pytest.raises(evm.UndecodableTransaction, match="EIP-2"):
        evm.decode_transaction(flipped)


def test_decode_rejects_signatures_no_key_made() -> None:
    prime = 2**256 - 2**32 - 977  # secp256k1's field: r must be the x coordinate of a point on y^2 = x^3 + 7
    not_on_curve = next(x for x in range(1, 100) if pow(x**3 + 7, (prime - 1) // 2, prime) != 1)
    with pytest.raises(evm.UndecodableTransaction, match="no key signed"):
        evm.decode_transaction(signed_with(0, not_on_curve, 1))
    for y_parity, r, s in [(0, 0, 1), (0, 1, 0), (0, SECPK1_N, 1), (2, 1, 1)]:
        with pytest.raises(evm.UndecodableTransaction):
            evm.decode_transaction(signed_with(y_parity, r, s))


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"\x00",
        b"\x02",
        b"\x02\xc0",
        b"\xc0",
        b"\x04" + dynamic_fee_tx(0, RECIPIENT)[1:],  # an unknown (Prague) type
        dynamic_fee_tx(0, RECIPIENT)[:-1],  # truncated
        dynamic_fee_tx(0, RECIPIENT) + b"\x00",  # trailing byte
        legacy_tx(0, RECIPIENT)[:2] + b"\x00" + legacy_tx(0, RECIPIENT)[3:],  # nonce 0 as 0x00, not 0x80
        bytes(range(256)),
    ],
)
def test_decode_rejects_garbage(garbage: bytes) -> None:
    with pytest.raises(evm.UndecodableTransaction):
        evm.decode_transaction(garbage)


def test_a_transaction_pyevm_refuses_is_an_adapter_error_not_a_verdict() -> None:
    with pytest.raises(evm.ExecutionRefused):
        run(world_with(), dynamic_fee_tx(5, RECIPIENT))  # a nonce the spec would have rejected


# --- System call ----------------------------------------------------------------------------------------------


def test_beacon_root_system_call_writes_the_ring_buffer() -> None:
    world = evm.genesis_world(
        {
            SENDER: evm.GenesisAccount(ETHER),
            evm.BEACON_ROOTS_ADDRESS: evm.GenesisAccount(0, 1, BEACON_ROOTS_CONTRACT_CODE),
        }
    )
    updated = evm.execute_system_call(world, BLOCK, evm.BEACON_ROOTS_ADDRESS, BLOCK.parent_beacon_block_root)
    slot = BLOCK.timestamp % HISTORY_BUFFER_LENGTH
    assert evm.get_storage(updated, evm.BEACON_ROOTS_ADDRESS, slot) == BLOCK.timestamp
    root_slot = slot + HISTORY_BUFFER_LENGTH
    assert evm.get_storage(updated, evm.BEACON_ROOTS_ADDRESS, root_slot) == int.from_bytes(
        BLOCK.parent_beacon_block_root
    )
    assert evm.get_storage(world, evm.BEACON_ROOTS_ADDRESS, slot) == 0  # input untouched
    query = dynamic_fee_tx(0, evm.BEACON_ROOTS_ADDRESS, word(BLOCK.timestamp))  # the contract answers a get
    assert run(updated, query).success and not run(world, query).success


def test_system_call_to_an_account_without_code_changes_nothing() -> None:
    world = world_with()
    assert evm.execute_system_call(world, BLOCK, evm.BEACON_ROOTS_ADDRESS, bytes(32)).state_root == world.state_root


def test_transfer_moves_exactly_the_amount_in_one_new_world() -> None:
    world = evm.genesis_world({SENDER: evm.GenesisAccount(ETHER)})
    moved = evm.transfer(world, SENDER, RECIPIENT, 250)
    assert (evm.get_balance(moved, SENDER), evm.get_balance(moved, RECIPIENT)) == (ETHER - 250, 250)
    assert evm.get_balance(world, SENDER) == ETHER and evm.get_balance(world, RECIPIENT) == 0  # the input is intact
    assert evm.transfer(world, SENDER, RECIPIENT, 0) == world  # nothing moved: same world, no account created
    with pytest.raises(ValueError):
        evm.transfer(world, RECIPIENT, SENDER, 1)


def test_cached_reads_of_an_older_world_stay_true_after_newer_worlds_exist() -> None:
    world = evm.genesis_world({SENDER: evm.GenesisAccount(ETHER)})
    assert evm.get_balance(world, SENDER) == ETHER  # warms the reader of the genesis root
    newer = world
    for amount in range(1, 6):
        newer = evm.transfer(newer, SENDER, RECIPIENT, amount)
    assert evm.get_balance(newer, RECIPIENT) == 15
    assert (evm.get_balance(world, SENDER), evm.get_balance(world, RECIPIENT)) == (ETHER, 0)


def test_branching_from_a_world_without_a_root_yet_keeps_both_branches_true() -> None:
    """W1 is derived but never hashed; W2 continues it on the open state; W1b branches from W1 afterwards, which
    must replay W1. Every world reads as it was made, and equal contents give equal roots."""
    genesis = evm.genesis_world({SENDER: evm.GenesisAccount(ETHER)})
    w1 = evm.transfer(genesis, SENDER, RECIPIENT, 10)
    w2 = evm.transfer(w1, SENDER, RECIPIENT, 20)
    w1b = evm.transfer(w1, SENDER, OUTER, 5)
    assert (evm.get_balance(w2, RECIPIENT), evm.get_balance(w2, OUTER)) == (30, 0)
    assert (evm.get_balance(w1b, RECIPIENT), evm.get_balance(w1b, OUTER)) == (10, 5)
    assert (evm.get_balance(w1, RECIPIENT), evm.get_balance(w1, OUTER)) == (10, 0)
    same_as_w2 = evm.transfer(evm.transfer(genesis, SENDER, RECIPIENT, 25), SENDER, RECIPIENT, 5)
    assert same_as_w2 == w2 and same_as_w2.state_root == w2.state_root
    assert w1 != w2 != w1b


def test_a_transaction_on_an_older_world_does_not_see_later_worlds() -> None:
    """Execute on genesis twice: the second run starts again from genesis (replayed), not from the first's result."""
    world = evm.genesis_world({SENDER: evm.GenesisAccount(ETHER)})
    raw = dynamic_fee_tx(0, RECIPIENT, value=7, gas=21_000)
    first = evm.execute_transaction(world, raw, BLOCK, NO_CHARTER)
    second = evm.execute_transaction(world, raw, BLOCK, NO_CHARTER)
    assert first.world == second.world and first.gas_used == second.gas_used == 21_000
    assert evm.get_nonce(world, SENDER) == 0 and evm.get_nonce(first.world, SENDER) == 1
