"""Vector cases for the state transition (spec/v1/execution.md: get_genesis_state, apply_block and what they call).

Each vector is a tiny genesis (``pre``: allocation, charter, genesis base fee), one block (``input``: header,
deposits, signed transactions) and either what the block leaves behind (``post``: roots, supply, receipts and a few
named accounts and storage slots) or the error that makes the block invalid. Before a post is yielded, the case
checks the spec's result against facts it knows without the spec:

- amounts from the fee rules, by hand: an EOA recipient gains exactly ``value``; the sender pays
  ``value + tax + gas_used * effective_gas_price``; the producer earns ``gas_used * priority fee``; the treasury
  (``METIS_DAO_ADDRESS``) gains the tax of the schedule, worked out bracket by bracket in the comments; the supply
  drops by ``gas_used * base_fee`` (burnt);
- deposits by hand: a deposit mints ``mint`` to its sender whatever happens next; when its call runs it costs the
  sender no gas (price 0: the producer earns nothing, nothing is burnt) and takes one nonce; a call a rule skips
  leaves status 0, gas 0, the nonce and everything but the mint alone;
- the message passer by hand: withdrawal hashes and log data with eth-abi and keccak, its storage root from a
  fresh py-trie, and the value sent to it burnt;
- the supply rule after every block: allocation + mints - burnt base fees - value sent to the message passer;
- gas by hand for transfers (21,000 plus data and access-list costs) and small creations; for code runs, gas,
  logs and status from **plain py-evm** (``CancunState``, never the adapter), with a forbidden opcode written as
  INVALID (0xfe) in the code, which is what the permission hook is defined to mean;
- whole state roots from plain py-evm whenever no forbidden opcode is reached (with the hand-computed tax moved
  by hand), which also shows that a zero tax touches no account. The oracle's genesis holds the message passer
  (its code written below as bytes, not read from the spec); it replays a deposit as the same call signed by the
  same sender at gas price 0 in a block of base fee 0, after crediting the mint by hand, and empties the passer's
  balance by hand after every transaction and deposit;
- storage slots, nonces and statuses read off the rule (a denied frame changes nothing; a failing top frame burns
  its whole gas limit and gives status 0).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import ModuleType
from typing import Any, Iterator, Mapping, NamedTuple, Sequence

import rlp  # type: ignore[import-untyped]  # pyrlp ships no type information
from eth._utils.address import generate_contract_address, generate_safe_contract_address
from eth.db.account import AccountDB
from eth.db.atomic import AtomicDB
from eth.vm import opcode_values as op
from eth.vm.execution_context import ExecutionContext
from eth.vm.forks.cancun import CancunVM
from eth.vm.forks.cancun.constants import BEACON_ROOTS_CONTRACT_CODE, HISTORY_BUFFER_LENGTH
from eth.vm.forks.cancun.state import CancunState
from eth.vm.forks.cancun.transactions import CancunTransactionBuilder
from eth_abi.abi import encode as abi_encode
from eth_hash.auto import keccak
from eth_keys.datatypes import PrivateKey
from eth_typing import Address, BlockNumber, Hash32
from trie.hexary import HexaryTrie

from mvm_spec import evm
from mvm_spec.evm import GenesisAccount
from tests.signing import sign_blob, sign_dynamic_fee, sign_legacy
from mvm_spec.vectors import expect_spec_error, vector_case
from mvm_spec.vectors.case import Part
from mvm_spec.vectors.codec import (
    encode_account_queries,
    encode_genesis,
    encode_l2_block,
    encode_state_transition_post,
)
from tests.cases.test_storage import HELLO_CID_BYTES, SECRET_A, hand_sealed
from tests.unit.test_evm_adapter import LOG_TOP, asm, call, create, deploying, push, return_address, store_one, word

# --- The chain, the block, the fees --------------------------------------------------------------------------------

CHAIN_ID = 1000000000001089
OTHER_DAC_CHAIN_ID = 1000000000001090
GENESIS_TIME = 1_700_000_000
BLOCK_TIME = GENESIS_TIME + 12
PRODUCER = bytes([0xCB]) * 20
BLOCK_GAS_LIMIT = 30_000_000  # L2_BLOCK_GAS_LIMIT in both presets, by hand from presets/*.yaml
RANDAO = bytes([0x11]) * 32
BEACON_ROOT = bytes([0xBE]) * 32
BASE_FEE = 7  # the genesis base fee, which block 1 keeps (the genesis counts as a block that used the gas target)
MAX_FEE, TIP = 10, 2
PRICE = min(MAX_FEE, BASE_FEE + TIP)  # 9: the effective gas price of a dynamic-fee transaction
GAS = 200_000  # the gas limit of a transaction that runs code
TRANSFER_GAS = 21_000
FUNDS = 10**18  # what every funded account starts with
# METIS_DAO_ADDRESS, the treasury, per preset: written out by hand from presets/*.yaml. On mainnet it is the alias
# of MetisDAO's L1 contract: 0x4200...0101 + 0x1111...1111 = 0x5311...1212.
TREASURY_BY_PRESET = {
    "mainnet": bytes.fromhex("5311000000000000000000000000000000001212"),
    "minimal": bytes.fromhex("ba32858ea15ad4a729d3aca3c2ed5e3363bc16f6"),
}
METIS_DAO_KEY = PrivateKey(bytes([0x4D]) * 32)  # the minimal preset's MetisDAO account
# MAX_DEPOSIT_GAS_PER_L1_BLOCK and MAX_DEPOSIT_DATA_BYTES per preset, by hand from presets/*.yaml.
DEPOSIT_GAS_BUDGET_BY_PRESET = {"mainnet": 20_000_000, "minimal": 300_000}
DEPOSIT_DATA_LIMIT_BY_PRESET = {"mainnet": 120_000, "minimal": 1_024}


def treasury(spec: ModuleType) -> bytes:
    return TREASURY_BY_PRESET[spec.PRESET]


CHARTER_CONTRACT = bytes.fromhex("4200000000000000000000000000000000000100")  # CHARTER_ADDRESS, by hand
MESSAGE_PASSER = bytes.fromhex("4200000000000000000000000000000000000016")  # MESSAGE_PASSER_ADDRESS, by hand
# get_message_passer_code, copied by hand from the listing in spec/v1/execution.md (disassembled instruction by
# instruction in tests/unit/test_evm_bridge.py). The oracle's genesis holds it at nonce 1.
MESSAGE_PASSER_CODE = bytes.fromhex(
    "36602081106051575f358060a01c6051576060526020900380602060c0378060c02060a052465f525f5480602052"
    "336040523460805260c05f2060018155906001015f55809160c0015fa15f5260205ff35b5f5ffd"
)
EMPTY_TRIE_ROOT = bytes.fromhex("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")  # keccak(0x80)
L1_ORIGIN = 5  # the L1 block every case's deposits are enqueued from: only the block hash reads it
L1_TARGET = bytes([0x71]) * 20  # where the cases' L2->L1 messages go
INVALID = 0xFE
CREATE, CREATE2, SSTORE, ADDRESS = op.CREATE, op.CREATE2, op.SSTORE, op.ADDRESS
LOG1, KECCAK256 = op.LOG1, op.SHA3
SUBMIT_TX = 0x100
ALLOW, DENY = 0, 1


def key(number: int) -> PrivateKey:
    return PrivateKey(bytes([number]) * 32)


def address_of(signer: PrivateKey) -> bytes:
    return bytes(signer.public_key.to_canonical_address())


DEPLOYER, MEMBER, OUTSIDER, BANNED, ALICE, RESTRICTED, MANAGER, DEPOSITOR = (key(n) for n in range(0x11, 0x19))
RECIPIENT, RECIPIENT_2 = bytes([0xC0]) * 20, bytes([0xC1]) * 20  # accounts without code, absent from genesis
FACTORY, PROXY, OUTER, MIDDLE, INNER, VAULT = (bytes([tag]) * 20 for tag in (0xF0, 0xA0, 0xA1, 0xA2, 0xB0, 0xB1))
BURNER, RELAY = bytes([0xB2]) * 20, bytes([0xB3]) * 20


# --- Transactions ----------------------------------------------------------------------------------------------------


def tx(
    signer: PrivateKey,
    nonce: int,
    to: bytes | None,
    *,
    value: int = 0,
    data: bytes = b"",
    gas: int = GAS,
    max_fee: int = MAX_FEE,
    tip: int = TIP,
    chain_id: int = CHAIN_ID,
) -> bytes:
    """A signed EIP-1559 (type 2) transaction; ``to=None`` creates a contract."""
    return sign_dynamic_fee(
        signer, nonce, to, value=value, data=data, gas=gas, max_fee=max_fee, tip=tip, chain_id=chain_id
    )


def legacy_tx(
    signer: PrivateKey,
    nonce: int,
    to: bytes,
    *,
    value: int = 0,
    gas: int = TRANSFER_GAS,
    chain_id: int | None = CHAIN_ID,
) -> bytes:
    """A signed legacy transaction at gas price MAX_FEE; ``chain_id=None`` signs it without EIP-155."""
    return sign_legacy(signer, nonce, to, value=value, data=b"", gas=gas, gas_price=MAX_FEE, chain_id=chain_id)


def access_list_tx(signer: PrivateKey, nonce: int, to: bytes, *, value: int, gas: int) -> bytes:
    """A signed EIP-2930 (type 1) transaction at gas price MAX_FEE, warming one slot of INNER."""
    unsigned = CancunTransactionBuilder.new_unsigned_access_list_transaction(
        chain_id=CHAIN_ID,
        nonce=nonce,
        gas_price=MAX_FEE,
        gas=gas,
        to=Address(to),
        value=value,
        data=b"",
        access_list=((Address(INNER), (0,)),),
    )
    return bytes(unsigned.as_signed_transaction(signer).encode())


def blob_tx(signer: PrivateKey, nonce: int, to: bytes) -> bytes:
    """A signed EIP-4844 (type 3) transaction carrying one versioned hash."""
    return sign_blob(
        signer, nonce, to, gas=TRANSFER_GAS, max_fee=MAX_FEE, tip=TIP, max_fee_per_blob_gas=1, chain_id=CHAIN_ID
    )


def data_gas(data: bytes) -> int:
    """Calldata cost by hand (EIP-2028): 4 per zero byte, 16 per other byte."""
    return sum(4 if byte == 0 else 16 for byte in data)


def creation_intrinsic_gas(init_code: bytes) -> int:
    """21,000 + 32,000 for a creation + calldata + 2 per 32-byte word of init code (EIP-3860)."""
    return TRANSFER_GAS + 32_000 + data_gas(init_code) + 2 * ((len(init_code) + 31) // 32)


# --- Deposits and messages -------------------------------------------------------------------------------------------


def deposit(
    spec: ModuleType,
    sender: PrivateKey | bytes,
    to: bytes | None,
    *,
    mint: int = 0,
    value: int = 0,
    gas: int = GAS,
    data: bytes = b"",
) -> Any:
    """A deposit (``to=None`` creates a contract) from ``sender``, a key's account or any address."""
    address = sender if isinstance(sender, bytes) else address_of(sender)
    recipient = None if to is None else spec.Address(to)
    return spec.Deposit(spec.Address(address), recipient, spec.Wei(mint), spec.Wei(value), spec.uint64(gas), data)


def message(target: bytes, data: bytes) -> bytes:
    """The message passer's calldata: the L1 target as a 32-byte word (upper 12 bytes zero), then the data."""
    return bytes(12) + target + data


def message_words(nonce: int, caller: bytes, target: bytes, value: int, data: bytes) -> bytes:
    """abi.encode(chainid, nonce, caller, target, value, keccak256(data)), with eth-abi: the passer's six words."""
    types = ["uint256", "uint256", "address", "address", "uint256", "bytes32"]
    return bytes(abi_encode(types, [CHAIN_ID, nonce, caller, target, value, keccak(data)]))


def withdrawal_hash(nonce: int, caller: bytes, target: bytes, value: int, data: bytes) -> bytes:
    return bytes(keccak(message_words(nonce, caller, target, value, data)))


def message_log(nonce: int, caller: bytes, target: bytes, value: int, data: bytes) -> tuple[Any, ...]:
    """The passer's log of one message: LOG1 under the withdrawal hash, the six words and the data."""
    topic = withdrawal_hash(nonce, caller, target, value, data)
    return (MESSAGE_PASSER, (topic,), message_words(nonce, caller, target, value, data) + data)


def storage_root(slots: Mapping[int, int]) -> bytes:
    """The root of a storage trie holding ``slots``, built with a fresh py-trie (keys keccak256 of the 32-byte slot,
    values RLP of the word)."""
    trie: Any = HexaryTrie({})  # py-trie's methods are unannotated
    for slot, value in slots.items():
        trie.set(keccak(word(slot)), rlp.encode(value))
    return bytes(trie.root_hash)


def relay(value: int, payload: bytes) -> bytes:
    """A contract that CALLs the message passer with ``value`` (from its own balance) and calldata ``payload``, then
    logs (LOG0) the word the passer returned. It uses neither SSTORE nor LOG1 nor KECCAK256."""
    chunks = [payload[start : start + 32].ljust(32, b"\x00") for start in range(0, len(payload), 32)]
    stores = b"".join(asm(push(chunk), push(32 * index), op.MSTORE) for index, chunk in enumerate(chunks))
    passer_call = asm(
        push(32), push(0), push(len(payload)), push(0), push(value), push(MESSAGE_PASSER), op.GAS, op.CALL
    )
    return asm(stores, passer_call, op.POP, push(32), push(0), op.LOG0, op.STOP)


# --- Genesis, block, charter -----------------------------------------------------------------------------------------


def funded(*signers: PrivateKey, balance: int = FUNDS) -> list[tuple[bytes, GenesisAccount]]:
    return [(address_of(signer), GenesisAccount(balance)) for signer in signers]


def contract(address: bytes, code: bytes, storage: tuple[tuple[int, int], ...] = ()) -> tuple[bytes, GenesisAccount]:
    return address, GenesisAccount(0, 1, code, storage)


def rule(spec: ModuleType, operation: int, action: int, *signers: PrivateKey | bytes) -> Any:
    addresses = tuple(spec.Address(s if isinstance(s, bytes) else address_of(s)) for s in signers)
    return spec.PermissionRule(addresses, spec.PermissionOperation(operation), spec.Action(action))


def charter(spec: ModuleType, *rules: Any, taxrates: Sequence[tuple[int, int]] = (), manager: bytes = bytes(20)) -> Any:
    brackets = tuple(spec.TaxBracket(spec.Wei(threshold), spec.BasisPoints(rate)) for threshold, rate in taxrates)
    return spec.Charter("A DAC", "State transition vectors", tuple(rules), brackets, spec.Address(manager))


@dataclass(frozen=True)
class Genesis:
    alloc: tuple[tuple[bytes, GenesisAccount], ...]
    charter: Any
    chain_id: int = CHAIN_ID
    timestamp: int = GENESIS_TIME
    base_fee: int = BASE_FEE

    @property
    def supply(self) -> int:
        return sum(account.balance for _, account in self.alloc)

    def state(self, spec: ModuleType) -> Any:
        alloc = [(spec.Address(address), account) for address, account in self.alloc]
        chain_id, timestamp, base_fee = (
            spec.ChainId(self.chain_id),
            spec.Timestamp(self.timestamp),
            spec.Wei(self.base_fee),
        )
        return spec.get_genesis_state(chain_id, alloc, self.charter, timestamp, base_fee)


def genesis(
    charter: Any, *alloc: tuple[bytes, GenesisAccount] | list[tuple[bytes, GenesisAccount]], base_fee: int = BASE_FEE
) -> Genesis:
    accounts: list[tuple[bytes, GenesisAccount]] = []
    for item in alloc:
        accounts += item if isinstance(item, list) else [item]
    return Genesis(tuple(accounts), charter, base_fee=base_fee)


def block_of(
    spec: ModuleType,
    *transactions: bytes,
    deposits: Sequence[Any] = (),
    number: int = 1,
    timestamp: int = BLOCK_TIME,
    gas_limit: int = BLOCK_GAS_LIMIT,
    base_fee: int = BASE_FEE,
) -> Any:
    """Block ``number`` with ``deposits`` (numbered from 0, enqueued from L1_ORIGIN) and then ``transactions``."""
    enqueued = tuple(
        spec.EnqueuedDeposit(spec.uint64(nonce), spec.L1BlockNumber(L1_ORIGIN), item)
        for nonce, item in enumerate(deposits)
    )
    return spec.L2Block(
        number=spec.BlockNumber(number),
        timestamp=spec.Timestamp(timestamp),
        producer=spec.Address(PRODUCER),
        gas_limit=spec.uint64(gas_limit),
        base_fee_per_gas=spec.Wei(base_fee),
        prev_randao=spec.Hash32(RANDAO),
        parent_beacon_block_root=spec.Hash32(BEACON_ROOT),
        deposits=enqueued,
        transactions=tuple(transactions),
    )


Queries = Sequence[tuple[bytes, Sequence[int]]]


@dataclass(frozen=True)
class Applied:
    """The spec's result of applying a block to a genesis, with readers for the hand-made checks. Receipts are the
    deposits' first, then the transactions'."""

    pre: Any
    state: Any
    receipts: tuple[Any, ...]
    deposits: int

    def balance(self, address: bytes) -> int:
        return evm.get_balance(self.state.world, address)

    def nonce(self, address: bytes) -> int:
        return evm.get_nonce(self.state.world, address)

    def storage(self, address: bytes, slot: int = 0) -> int:
        return evm.get_storage(self.state.world, address, slot)

    def gas(self, index: int) -> int:
        """The gas receipt ``index`` used alone (receipts hold running totals)."""
        previous = self.receipts[index - 1].cumulative_gas_used if index else 0
        return int(self.receipts[index].cumulative_gas_used) - int(previous)

    @property
    def total_gas(self) -> int:
        return int(self.receipts[-1].cumulative_gas_used) if self.receipts else 0

    @property
    def transaction_gas(self) -> int:
        """The gas of the signed transactions alone: the gas whose base fee is burnt."""
        return sum(self.gas(index) for index in range(self.deposits, len(self.receipts)))

    def summary(self, index: int) -> tuple[bool, int, tuple[Any, ...]]:
        receipt = self.receipts[index]
        logs = tuple((bytes(log.address), tuple(bytes(t) for t in log.topics), bytes(log.data)) for log in receipt.logs)
        return receipt.status == 1, self.gas(index), logs


def inputs(spec: ModuleType, chain: Genesis, block: Any, queries: Queries = ()) -> Iterator[Part]:
    yield "pre", encode_genesis(chain.chain_id, chain.timestamp, chain.alloc, chain.charter, chain.base_fee)
    yield "input", {"block": encode_l2_block(block), "accounts": encode_account_queries(queries)}


def apply(spec: ModuleType, chain: Genesis, block: Any, *, withdrawn: int = 0) -> Applied:
    """The spec's result, after the facts of every block: the supply rule with ``withdrawn`` (the value the case
    sends to the message passer, by hand), running gas totals, an empty message passer, the newest-block fields."""
    pre = chain.state(spec)
    state, receipts = spec.apply_block(pre, block)
    applied = Applied(pre, state, tuple(receipts), len(block.deposits))
    minted = sum(int(enqueued.deposit.mint) for enqueued in block.deposits)
    burnt_fees = applied.transaction_gas * int(block.base_fee_per_gas)
    assert state.coinbase_supply == chain.supply + minted - burnt_fees - withdrawn
    assert all(applied.gas(index) >= 0 for index in range(len(receipts)))
    assert all(applied.gas(index) > 0 for index in range(applied.deposits, len(receipts)))  # a transaction costs gas
    assert applied.balance(MESSAGE_PASSER) == 0 and applied.nonce(MESSAGE_PASSER) == 1
    assert evm.get_code(state.world, MESSAGE_PASSER) == MESSAGE_PASSER_CODE
    assert evm.get_code(state.world, evm.BEACON_ROOTS_ADDRESS) == BEACON_ROOTS_CONTRACT_CODE
    assert state.latest_block_number == block.number and state.latest_timestamp == block.timestamp
    assert state.latest_base_fee_per_gas == block.base_fee_per_gas and state.latest_gas_used == applied.total_gas
    return applied


def post(spec: ModuleType, applied: Applied, queries: Queries) -> Part:
    return "post", encode_state_transition_post(spec, applied.state, applied.receipts, queries)


def expect_error(spec: ModuleType, chain: Genesis, block: Any, error: str) -> Iterator[Part]:
    yield from inputs(spec, chain, block)
    yield from expect_spec_error(spec, error, lambda: spec.apply_block(chain.state(spec), block))


# --- The independent oracle: plain py-evm ----------------------------------------------------------------------------

PlainReceipt = tuple[bool, int, tuple[Any, ...]]  # (success, gas used, logs as (address, topics, data))


@dataclass(frozen=True)
class PlainDeposit:
    """A deposit as plain py-evm replays it: ``mint`` credited to ``sender`` by hand, ``tax`` moved to the treasury by
    hand, then ``call``, the same call as a transaction signed by the sender at gas price 0 (None: a rule skips it)."""

    sender: bytes
    mint: int
    call: bytes | None
    tax: int = 0


def replayed(signer: PrivateKey, nonce: int, deposit: Any, *, skipped: bool = False, tax: int = 0) -> PlainDeposit:
    """``deposit`` (sent by ``signer``, whose account nonce is ``nonce``) for the oracle."""
    to = None if deposit.to is None else bytes(deposit.to)
    call = sign_dynamic_fee(
        signer,
        nonce,
        to,
        value=deposit.value,
        data=deposit.data,
        gas=deposit.gas_limit,
        max_fee=0,
        tip=0,
        chain_id=CHAIN_ID,
    )
    return PlainDeposit(address_of(signer), int(deposit.mint), None if skipped else call, tax)


class PlainBlock(NamedTuple):
    root: bytes
    receipts: list[PlainReceipt]
    withdrawn: int  # the value the message passer received, which the oracle burnt by hand


def plain_cancun(
    alloc: Sequence[tuple[bytes, GenesisAccount]],
    raws: Sequence[bytes],
    *,
    deposits: Sequence[PlainDeposit] = (),
    taxes: Mapping[int, int] | None = None,
    moved_after: Mapping[int, Sequence[tuple[bytes, bytes, int]]] | None = None,
    treasury: bytes = b"",
    base_fee: int = BASE_FEE,
    ancestors: tuple[bytes, ...] = (),
    beacon_update: bool = True,
) -> PlainBlock:
    """The state root and receipts of ``deposits`` then ``raws`` run by py-evm's own CancunState, block-style.

    The genesis is ``alloc``, the message passer and the EIP-4788 beacon-roots contract. The block's beacon-roots
    update is written by hand, as EIP-4788 states it (slot ``timestamp % 8191`` holds the block's time, slot
    ``timestamp % 8191 + 8191`` its parent beacon root), before anything runs. ``taxes`` maps a transaction's index
    to the tax it owes, which is moved from its sender to the treasury by hand before it runs; ``moved_after`` maps
    a transaction's index to (from, to, amount) moves made by hand after it runs (the tax deeper frames pay, where
    plain execution would take the same path without it). Deposits run first,
    in a block of base fee 0 (so their gas price 0 is valid; no case's code reads BASEFEE). After each transaction
    and deposit the passer's balance is set to 0 by hand. No permission hook. With ``beacon_update=False`` and
    nothing to run, the root is the genesis world's.
    """
    db = AtomicDB()
    accounts = AccountDB(db)
    beacon_slot = BLOCK_TIME % HISTORY_BUFFER_LENGTH
    beacon_storage = (
        ((beacon_slot, BLOCK_TIME), (beacon_slot + HISTORY_BUFFER_LENGTH, int.from_bytes(BEACON_ROOT, "big")))
        if beacon_update
        else ()
    )
    system = [
        (MESSAGE_PASSER, GenesisAccount(0, 1, MESSAGE_PASSER_CODE)),
        (evm.BEACON_ROOTS_ADDRESS, GenesisAccount(0, 1, BEACON_ROOTS_CONTRACT_CODE, beacon_storage)),
    ]
    for address, account in [*alloc, *system]:
        accounts.set_balance(Address(address), account.balance)
        accounts.set_nonce(Address(address), account.nonce)
        accounts.set_code(Address(address), account.code)
        for slot, value in account.storage:
            accounts.set_storage(Address(address), slot, value)
    accounts.persist()
    receipts: list[PlainReceipt] = []
    withdrawn = 0

    def context(block_base_fee: int) -> ExecutionContext:
        return ExecutionContext(
            coinbase=Address(PRODUCER),
            timestamp=BLOCK_TIME,
            block_number=BlockNumber(1),
            difficulty=0,
            mix_hash=Hash32(RANDAO),
            gas_limit=BLOCK_GAS_LIMIT,
            prev_hashes=tuple(Hash32(ancestor) for ancestor in ancestors),
            chain_id=CHAIN_ID,
            base_fee_per_gas=block_base_fee,
            excess_blob_gas=0,
        )

    def run(state: CancunState, raw: bytes, tax: int) -> PlainReceipt:
        nonlocal withdrawn
        transaction = CancunTransactionBuilder.decode(raw)
        if tax:
            state.delta_balance(transaction.sender, -tax)
            state.delta_balance(Address(treasury), tax)
        computation = state.apply_transaction(transaction)
        passer_balance = state.get_balance(Address(MESSAGE_PASSER))
        if passer_balance:
            state.delta_balance(Address(MESSAGE_PASSER), -passer_balance)
            withdrawn += passer_balance
        logs = tuple(
            (bytes(address), tuple(word(topic) for topic in topics), bytes(data))
            for address, topics, data in computation.get_log_entries()
        )
        return bool(computation.is_success), int(CancunVM.finalize_gas_used(transaction, computation)), logs

    state = CancunState(db, context(0), accounts.state_root)
    for item in deposits:
        state.lock_changes()
        if item.mint:
            state.delta_balance(Address(item.sender), item.mint)
        receipts.append((False, 0, ()) if item.call is None else run(state, item.call, item.tax))
    state.persist()
    state = CancunState(db, context(base_fee), state.state_root)
    for index, raw in enumerate(raws):
        state.lock_changes()
        receipts.append(run(state, raw, (taxes or {}).get(index, 0)))
        for source, destination, amount in (moved_after or {}).get(index, ()):
            state.delta_balance(Address(source), -amount)
            state.delta_balance(Address(destination), amount)
    return PlainBlock(bytes(state.make_state_root()), receipts, withdrawn)


def with_invalid(code: bytes, opcode: int) -> bytes:
    """``code`` with every instruction ``opcode`` (none of them inside PUSH data) written as INVALID."""
    out, index = bytearray(code), 0
    while index < len(code):
        if code[index] == opcode:
            out[index] = INVALID
        index += 1 + (code[index] - op.PUSH1 + 1 if op.PUSH1 <= code[index] <= op.PUSH32 else 0)
    return bytes(out)


def substituted(
    alloc: Sequence[tuple[bytes, GenesisAccount]], where: bytes, opcode: int
) -> list[tuple[bytes, GenesisAccount]]:
    """``alloc`` with ``opcode`` written as INVALID in the code of ``where``: the permission hook's definition."""
    return [
        (
            (address, GenesisAccount(a.balance, a.nonce, with_invalid(a.code, opcode), a.storage))
            if address == where
            else (address, a)
        )
        for address, a in alloc
    ]


# --- Whitepaper example 1: only some signers may deploy --------------------------------------------------------------

VAULT_CODE = asm(op.CALLVALUE, push(0), op.SSTORE, op.STOP)  # stores msg.value in slot 0
CHILD_INIT = asm(push(0), push(0), op.RETURN)  # deploys an empty contract
CHILD_SALT = 7


def deployers_only(spec: ModuleType, **extra: Any) -> Any:
    """Only DEPLOYER may CREATE or CREATE2 (Real Metis's deployer whitelist)."""
    return charter(spec, rule(spec, ALLOW, CREATE, DEPLOYER), rule(spec, ALLOW, CREATE2, DEPLOYER), **extra)


@vector_case("state_transition", "apply_block")
def test_deployer_creation_transaction_succeeds(spec: ModuleType) -> Iterator[Part]:
    """Example 1: a listed deployer's contract-creation transaction deploys the contract."""
    init_code = deploying(VAULT_CODE)
    chain = genesis(deployers_only(spec), funded(DEPLOYER))
    block = block_of(spec, tx(DEPLOYER, 0, None, data=init_code))
    created = generate_contract_address(Address(address_of(DEPLOYER)), 0)
    queries = [(address_of(DEPLOYER), ()), (created, ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    # By hand: intrinsic 21,000 + 32,000 + 12 non-zero and 4 zero bytes (208) + 1 word (2); init code
    # PUSH1 DUP1 PUSH1 PUSH1 (12) + CODECOPY (3 + 3 copy + 3 memory) + PUSH1 (3) + RETURN (0) = 24; deposit 200 * 5.
    assert len(init_code) == 16 and data_gas(init_code) == 208
    gas = 21_000 + 32_000 + 208 + 2 + 24 + 200 * len(VAULT_CODE)
    assert applied.summary(0) == (True, gas, ())
    assert evm.get_code(applied.state.world, created) == VAULT_CODE and applied.nonce(created) == 1
    assert applied.balance(address_of(DEPLOYER)) == FUNDS - gas * PRICE and applied.nonce(address_of(DEPLOYER)) == 1
    assert applied.state.world.state_root == plain_cancun(chain.alloc, block.transactions)[0]
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_non_deployer_creation_transaction_rejected(spec: ModuleType) -> Iterator[Part]:
    """Example 1: a creation transaction from a signer the charter does not let CREATE makes the block invalid,
    even after a valid transaction."""
    chain = genesis(deployers_only(spec), funded(DEPLOYER, OUTSIDER))
    block = block_of(spec, tx(DEPLOYER, 0, None, data=deploying(VAULT_CODE)), tx(OUTSIDER, 0, None, data=CHILD_INIT))
    yield from expect_error(spec, chain, block, "DeploymentNotPermitted")


def factory_case(spec: ModuleType, create_opcode: int) -> Iterator[Part]:
    """A factory that deploys with ``create_opcode`` at its top frame, and a proxy that calls it.

    An outsider calling the factory halts its top frame (status 0, all gas burnt); an outsider calling the proxy
    fails only the factory's frame (0 pushed, the proxy logs it and succeeds); the deployer calling the same
    factory deploys the child.
    """
    factory_code = asm(create(create_opcode, CHILD_INIT, CHILD_SALT), LOG_TOP, op.STOP)
    proxy_code = asm(call(op.CALL, FACTORY, gas=100_000), LOG_TOP, op.STOP)
    chain = genesis(
        deployers_only(spec), funded(DEPLOYER, OUTSIDER), contract(FACTORY, factory_code), contract(PROXY, proxy_code)
    )
    raws = [tx(OUTSIDER, 0, FACTORY, gas=100_000), tx(OUTSIDER, 1, PROXY), tx(DEPLOYER, 0, FACTORY)]
    block = block_of(spec, *raws)
    if create_opcode == CREATE:
        child = generate_contract_address(Address(FACTORY), 1)
    else:
        child = generate_safe_contract_address(Address(FACTORY), CHILD_SALT, CHILD_INIT)
    queries = [(address_of(OUTSIDER), ()), (address_of(DEPLOYER), ()), (FACTORY, ()), (child, ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    denied = plain_cancun(substituted(chain.alloc, FACTORY, create_opcode), raws[:2])[1]
    allowed = plain_cancun(chain.alloc, raws[2:])[1]
    assert applied.summary(0) == (False, 100_000, ()) == denied[0]  # the top frame halted: its whole gas is gone
    assert applied.summary(1) == denied[1] and applied.summary(1)[2] == ((PROXY, (), word(0)),)
    assert applied.summary(2) == allowed[0] and applied.summary(2)[2] == ((FACTORY, (), bytes(child).rjust(32, b"\0")),)
    assert applied.nonce(child) == 1 and applied.nonce(FACTORY) == 2  # only the deployer's call created the child
    outsider_gas = applied.gas(0) + applied.gas(1)
    assert applied.balance(address_of(OUTSIDER)) == FUNDS - outsider_gas * PRICE
    assert applied.nonce(address_of(OUTSIDER)) == 2
    assert applied.balance(address_of(DEPLOYER)) == FUNDS - applied.gas(2) * PRICE
    assert applied.balance(PRODUCER) == applied.total_gas * TIP
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_factory_create_denied_to_non_deployer(spec: ModuleType) -> Iterator[Part]:
    """Example 1 inside the EVM, CREATE: a non-deployer's call cannot deploy through a factory, at the top frame
    (status 0) or nested (0 pushed); the deployer's identical call deploys."""
    yield from factory_case(spec, CREATE)


@vector_case("state_transition", "apply_block")
def test_factory_create2_denied_to_non_deployer(spec: ModuleType) -> Iterator[Part]:
    """Example 1 inside the EVM, CREATE2: as for CREATE, the other deploying opcode."""
    yield from factory_case(spec, CREATE2)


@vector_case("state_transition", "apply_block")
def test_forbidden_opcode_in_creation_init_code(spec: ModuleType) -> Iterator[Part]:
    """A deployer denied SSTORE: its creation transaction's init code halts at SSTORE, so the creation fails
    (status 0, whole gas limit burnt, no contract) while nonce and gas are charged."""
    init_code = asm(push(1), push(0), op.SSTORE, push(0), push(0), op.RETURN)
    deployer_without_sstore = charter(spec, rule(spec, ALLOW, CREATE, DEPLOYER), rule(spec, DENY, SSTORE, DEPLOYER))
    chain = genesis(deployer_without_sstore, funded(DEPLOYER))
    block = block_of(spec, tx(DEPLOYER, 0, None, data=init_code))
    created = generate_contract_address(Address(address_of(DEPLOYER)), 0)
    queries = [(address_of(DEPLOYER), ()), (created, (0,))]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    assert applied.summary(0) == (False, GAS, ())
    assert applied.nonce(created) == 0 and evm.get_code(applied.state.world, created) == b""
    assert applied.storage(created) == 0
    assert applied.nonce(address_of(DEPLOYER)) == 1 and applied.balance(address_of(DEPLOYER)) == FUNDS - GAS * PRICE
    yield post(spec, applied, queries)


# --- Whitepaper examples 2 and 3: who may submit ---------------------------------------------------------------------


def participants_only(spec: ModuleType) -> Any:
    """Example 2, a permissioned DAC: only MEMBER and ALICE may submit transactions."""
    return charter(spec, rule(spec, ALLOW, SUBMIT_TX, MEMBER, ALICE))


def banned(spec: ModuleType) -> Any:
    """Example 3: BANNED may not submit transactions; everyone else may."""
    return charter(spec, rule(spec, DENY, SUBMIT_TX, BANNED))


@vector_case("state_transition", "apply_block")
def test_participant_transaction_included(spec: ModuleType) -> Iterator[Part]:
    """Example 2: a participant of a permissioned DAC transfers value."""
    chain = genesis(participants_only(spec), funded(MEMBER, OUTSIDER))
    block = block_of(spec, tx(MEMBER, 0, RECIPIENT, value=1234, gas=TRANSFER_GAS))
    queries = [(address_of(MEMBER), ()), (RECIPIENT, ()), (PRODUCER, ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    expect_transfers(applied, chain, block, [(MEMBER, RECIPIENT, 1234)])
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_outsider_transaction_rejected(spec: ModuleType) -> Iterator[Part]:
    """Example 2: a signer who is not a participant makes the block invalid, after a participant's valid one."""
    chain = genesis(participants_only(spec), funded(MEMBER, OUTSIDER))
    block = block_of(
        spec, tx(MEMBER, 0, RECIPIENT, value=1, gas=TRANSFER_GAS), tx(OUTSIDER, 0, RECIPIENT, value=1, gas=TRANSFER_GAS)
    )
    yield from expect_error(spec, chain, block, "SubmitterNotPermitted")


@vector_case("state_transition", "apply_block")
def test_banned_signer_rejected(spec: ModuleType) -> Iterator[Part]:
    """Example 3: a banned signer's transaction makes the block invalid."""
    chain = genesis(banned(spec), funded(ALICE, BANNED))
    block = block_of(
        spec, tx(ALICE, 0, RECIPIENT, value=1, gas=TRANSFER_GAS), tx(BANNED, 0, RECIPIENT, value=1, gas=TRANSFER_GAS)
    )
    yield from expect_error(spec, chain, block, "SubmitterNotPermitted")


@vector_case("state_transition", "apply_block")
def test_others_transact_despite_a_ban(spec: ModuleType) -> Iterator[Part]:
    """Example 3: everyone but the banned signer may submit, including signers no rule names."""
    chain = genesis(banned(spec), funded(ALICE, BANNED, OUTSIDER))
    transfers = [(ALICE, RECIPIENT, 10**9), (OUTSIDER, RECIPIENT_2, 1)]
    block = block_of(spec, *(tx(s, 0, r, value=v, gas=TRANSFER_GAS) for s, r, v in transfers))
    queries = [(address_of(ALICE), ()), (address_of(OUTSIDER), ()), (RECIPIENT, ()), (RECIPIENT_2, ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    expect_transfers(applied, chain, block, transfers)
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_management_contract_sending_elsewhere_needs_the_submit_permission(spec: ModuleType) -> Iterator[Part]:
    """The management contract may always call the charter, but only the charter: its plain transfer, under a
    charter that lets only MEMBER submit, makes the block invalid."""
    chain = genesis(managed(spec, MEMBER), funded(MANAGER))
    raw = tx(MANAGER, 0, RECIPIENT, value=1, gas=TRANSFER_GAS)
    yield from expect_error(spec, chain, block_of(spec, raw), "SubmitterNotPermitted")


@vector_case("state_transition", "apply_block")
def test_charter_update_by_a_non_submitter_other_than_the_manager_rejected(spec: ModuleType) -> Iterator[Part]:
    """OUTSIDER, neither a submitter nor the management contract, sends a charter update: it may not submit at all
    (SubmitterNotPermitted, before the update's own rules)."""
    chain = genesis(managed(spec, MEMBER), funded(OUTSIDER))
    raw = update(spec, OUTSIDER, 0, managed(spec, MEMBER, OUTSIDER))
    yield from expect_error(spec, chain, block_of(spec, raw), "SubmitterNotPermitted")


def expect_transfers(
    applied: Applied, chain: Genesis, block: Any, transfers: Sequence[tuple[PrivateKey, bytes, int]]
) -> None:
    """Plain value transfers between EOAs, one per sender, no tax: all by hand, and the root is plain py-evm's."""
    for index, (sender, recipient, value) in enumerate(transfers):
        assert applied.summary(index) == (True, TRANSFER_GAS, ())
        assert applied.receipts[index].tax == 0
        assert applied.balance(address_of(sender)) == FUNDS - value - TRANSFER_GAS * PRICE
        assert applied.balance(recipient) == value
    assert applied.balance(PRODUCER) == len(transfers) * TRANSFER_GAS * TIP
    assert applied.state.world.state_root == plain_cancun(chain.alloc, block.transactions)[0]


# --- Permissions at every call depth ---------------------------------------------------------------------------------


def nested_case(
    spec: ModuleType, call_opcode: int, inner_code: bytes, action: int, writes: bytes | None
) -> Iterator[Part]:
    """RESTRICTED (denied ``action``) and then ALICE send the same call to OUTER, which calls INNER with
    ``call_opcode``; INNER performs ``action``. RESTRICTED's inner frame fails (OUTER logs 0 and succeeds, the slot
    INNER would write keeps its genesis value 5); ALICE's succeeds (OUTER logs 1, the slot becomes 1)."""
    outer_code = asm(call(call_opcode, INNER, gas=50_000), LOG_TOP, op.STOP)  # uses no denied opcode itself
    storage = ((0, 5),)
    chain = genesis(
        charter(spec, rule(spec, DENY, action, RESTRICTED)),
        funded(RESTRICTED, ALICE),
        contract(OUTER, outer_code, storage if writes == OUTER else ()),
        contract(INNER, inner_code, storage if writes == INNER else ()),
    )
    raws = [tx(RESTRICTED, 0, OUTER), tx(ALICE, 0, OUTER)]
    block = block_of(spec, *raws)
    queries: list[tuple[bytes, tuple[int, ...]]] = [(address_of(RESTRICTED), ()), (address_of(ALICE), ())]
    queries += [(writes, (0,))] if writes is not None else []
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    denied = plain_cancun(substituted(chain.alloc, INNER, action), raws[:1])[1][0]
    allowed = plain_cancun(chain.alloc, raws[1:])[1][0]
    assert applied.summary(0) == denied and denied[2] == ((OUTER, (), word(0)),)
    assert applied.gas(0) > TRANSFER_GAS + 50_000  # the inner frame's 50,000 gas was burnt
    assert applied.summary(1) == allowed and allowed[2] == ((OUTER, (), word(1)),)
    assert applied.balance(address_of(RESTRICTED)) == FUNDS - applied.gas(0) * PRICE
    assert applied.balance(address_of(ALICE)) == FUNDS - applied.gas(1) * PRICE
    if writes is not None:
        assert applied.storage(writes) == 1  # written by ALICE's call only
        only_denied = apply(spec, chain, block_of(spec, raws[0]))
        assert only_denied.storage(writes) == 5  # RESTRICTED's call left it untouched
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_call_into_denied_sstore_fails_inner_frame_only(spec: ModuleType) -> Iterator[Part]:
    """CALL into a contract that executes SSTORE, which the charter denies the signer: the inner frame fails, the
    caller continues, storage is untouched; the same call by a permitted signer writes the slot."""
    yield from nested_case(spec, op.CALL, store_one(), SSTORE, INNER)


@vector_case("state_transition", "apply_block")
def test_delegatecall_into_denied_sstore_fails_inner_frame_only(spec: ModuleType) -> Iterator[Part]:
    """DELEGATECALL into code executing a denied SSTORE (on the caller's storage): the inner frame fails only."""
    yield from nested_case(spec, op.DELEGATECALL, store_one(), SSTORE, OUTER)


@vector_case("state_transition", "apply_block")
def test_callcode_into_denied_sstore_fails_inner_frame_only(spec: ModuleType) -> Iterator[Part]:
    """CALLCODE into code executing a denied SSTORE (on the caller's storage): the inner frame fails only."""
    yield from nested_case(spec, op.CALLCODE, store_one(), SSTORE, OUTER)


@vector_case("state_transition", "apply_block")
def test_staticcall_into_denied_address_fails_inner_frame_only(spec: ModuleType) -> Iterator[Part]:
    """STATICCALL into a contract that executes ADDRESS, which the charter denies the signer: the inner frame
    fails (0 pushed); a read-only opcode is as forbidden as a writing one."""
    yield from nested_case(spec, op.STATICCALL, return_address(), ADDRESS, None)


@vector_case("state_transition", "apply_block")
def test_denied_sstore_two_frames_down(spec: ModuleType) -> Iterator[Part]:
    """OUTER CALLs MIDDLE, which DELEGATECALLs INNER, whose SSTORE the signer may not execute: only the deepest
    frame fails (MIDDLE logs 0, OUTER logs 1); MIDDLE's slot keeps its genesis value. A permitted signer's identical
    call writes it."""
    outer_code = asm(call(op.CALL, MIDDLE, gas=150_000), LOG_TOP, op.STOP)
    middle_code = asm(call(op.DELEGATECALL, INNER, gas=50_000), LOG_TOP, op.STOP)
    chain = genesis(
        charter(spec, rule(spec, DENY, SSTORE, RESTRICTED)),
        funded(RESTRICTED, ALICE),
        contract(OUTER, outer_code),
        contract(MIDDLE, middle_code, ((0, 5),)),
        contract(INNER, store_one()),
    )
    raws = [tx(RESTRICTED, 0, OUTER), tx(ALICE, 0, OUTER)]
    block = block_of(spec, *raws)
    queries = [(address_of(RESTRICTED), ()), (address_of(ALICE), ()), (MIDDLE, (0,))]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    denied = plain_cancun(substituted(chain.alloc, INNER, SSTORE), raws[:1])[1][0]
    allowed = plain_cancun(chain.alloc, raws[1:])[1][0]
    assert applied.summary(0) == denied and denied[2] == ((MIDDLE, (), word(0)), (OUTER, (), word(1)))
    assert applied.summary(1) == allowed and allowed[2] == ((MIDDLE, (), word(1)), (OUTER, (), word(1)))
    assert apply(spec, chain, block_of(spec, raws[0])).storage(MIDDLE) == 5 and applied.storage(MIDDLE) == 1
    yield post(spec, applied, queries)


# --- No replay across DACs -------------------------------------------------------------------------------------------


@vector_case("state_transition", "apply_block")
def test_transaction_signed_for_another_dac_rejected(spec: ModuleType) -> Iterator[Part]:
    """Cross-DAC replay: a transaction signed for chain 1000000000001090 is invalid on chain 1000000000001089."""
    chain = genesis(charter(spec), funded(ALICE))
    block = block_of(spec, tx(ALICE, 0, RECIPIENT, value=1, gas=TRANSFER_GAS, chain_id=OTHER_DAC_CHAIN_ID))
    yield from expect_error(spec, chain, block, "WrongChainId")


@vector_case("state_transition", "apply_block")
def test_transaction_signed_for_polygon_zkevm_rejected(spec: ModuleType) -> Iterator[Part]:
    """A transaction Alice signed for Polygon zkEVM (chain id 1101, which DACs counted up from 1088 would have
    reached at the 14th) is invalid on a DAC: the DACs' ids lie above every public chain's."""
    chain = genesis(charter(spec), funded(ALICE))
    block = block_of(spec, tx(ALICE, 0, RECIPIENT, value=1, gas=TRANSFER_GAS, chain_id=1101))
    yield from expect_error(spec, chain, block, "WrongChainId")


# --- Numbers that do not fit their types ------------------------------------------------------------------------------

UINT64_LIMIT, UINT256_LIMIT = 2**64, 2**256  # the first values that no longer fit, by hand


def expect_out_of_range(spec: ModuleType, raw: bytes, error: str = "InvalidTransactionEncoding") -> Iterator[Part]:
    """ALICE (funded) signs ``raw``; the block holding it is refused with ``error``."""
    yield from expect_error(spec, genesis(charter(spec), funded(ALICE)), block_of(spec, raw), error)


@vector_case("state_transition", "apply_block")
def test_nonce_beyond_uint64_is_no_transaction(spec: ModuleType) -> Iterator[Part]:
    """A signed transaction whose nonce is 2**64: RLP carries it, but no client decodes it into a uint64, so the
    bytes are no transaction (not a transaction with the wrong nonce)."""
    yield from expect_out_of_range(spec, tx(ALICE, UINT64_LIMIT, RECIPIENT, gas=TRANSFER_GAS))


@vector_case("state_transition", "apply_block")
def test_nonce_at_uint64_max_is_a_wrong_nonce(spec: ModuleType) -> Iterator[Part]:
    """Nonce 2**64 - 1 fits: a transaction, refused for its nonce (EIP-2681 keeps it unusable anyway)."""
    yield from expect_out_of_range(spec, tx(ALICE, UINT64_LIMIT - 1, RECIPIENT, gas=TRANSFER_GAS), "NonceMismatch")


@vector_case("state_transition", "apply_block")
def test_gas_limit_beyond_uint64_is_no_transaction(spec: ModuleType) -> Iterator[Part]:
    """A gas limit of 2**64: no transaction (rather than one too large for the block)."""
    yield from expect_out_of_range(spec, tx(ALICE, 0, RECIPIENT, gas=UINT64_LIMIT))


@vector_case("state_transition", "apply_block")
def test_gas_limit_at_uint64_max_exceeds_the_block(spec: ModuleType) -> Iterator[Part]:
    """A gas limit of 2**64 - 1 fits: a transaction too large for the block."""
    yield from expect_out_of_range(spec, tx(ALICE, 0, RECIPIENT, gas=UINT64_LIMIT - 1), "BlockGasLimitExceeded")


@vector_case("state_transition", "apply_block")
def test_value_beyond_uint256_is_no_transaction(spec: ModuleType) -> Iterator[Part]:
    """A value of 2**256 wei: no transaction (before, the spec's own Wei raised a range error: a crash, not a
    rule)."""
    yield from expect_out_of_range(spec, tx(ALICE, 0, RECIPIENT, value=UINT256_LIMIT, gas=TRANSFER_GAS))


@vector_case("state_transition", "apply_block")
def test_fee_cap_beyond_uint256_is_no_transaction(spec: ModuleType) -> Iterator[Part]:
    """A fee cap of 2**256 wei a gas (tip 0): no transaction, rather than a sender short of funds."""
    yield from expect_out_of_range(spec, tx(ALICE, 0, RECIPIENT, gas=TRANSFER_GAS, max_fee=UINT256_LIMIT, tip=0))


@vector_case("state_transition", "apply_block")
def test_priority_fee_beyond_uint256_is_no_transaction(spec: ModuleType) -> Iterator[Part]:
    """A tip of 2**256 over a fee cap of 10: the range is checked at decoding, before the fee rule
    (PriorityFeeAboveMaxFee), which the transaction also breaks."""
    yield from expect_out_of_range(spec, tx(ALICE, 0, RECIPIENT, gas=TRANSFER_GAS, tip=UINT256_LIMIT))


@vector_case("state_transition", "apply_block")
def test_legacy_gas_price_beyond_uint256_is_no_transaction(spec: ModuleType) -> Iterator[Part]:
    """A legacy transaction whose gas price is 2**256: no transaction."""
    raw = sign_legacy(ALICE, 0, RECIPIENT, value=0, data=b"", gas=TRANSFER_GAS, gas_price=UINT256_LIMIT, chain_id=CHAIN_ID)
    yield from expect_out_of_range(spec, raw)


@vector_case("state_transition", "apply_block")
def test_legacy_transaction_without_chain_id_rejected(spec: ModuleType) -> Iterator[Part]:
    """A legacy transaction signed without EIP-155 names no chain, so it could be replayed anywhere: invalid."""
    chain = genesis(charter(spec), funded(ALICE))
    block = block_of(spec, legacy_tx(ALICE, 0, RECIPIENT, value=1, chain_id=None))
    yield from expect_error(spec, chain, block, "WrongChainId")


@vector_case("state_transition", "apply_block")
def test_legacy_and_access_list_transactions_included(spec: ModuleType) -> Iterator[Part]:
    """An EIP-155 legacy and an EIP-2930 transaction at gas price 10 over base fee 7: the producer earns 3 a gas.
    The access list (one address, one slot) costs 2,400 + 1,900 gas."""
    chain = genesis(charter(spec), funded(ALICE, MEMBER))
    raws = [legacy_tx(ALICE, 0, RECIPIENT, value=3), access_list_tx(MEMBER, 0, RECIPIENT_2, value=4, gas=30_000)]
    block = block_of(spec, *raws)
    queries = [(address_of(ALICE), ()), (address_of(MEMBER), ()), (RECIPIENT, ()), (RECIPIENT_2, ()), (PRODUCER, ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    access_list_gas = TRANSFER_GAS + 2_400 + 1_900
    assert applied.summary(0) == (True, TRANSFER_GAS, ()) and applied.summary(1) == (True, access_list_gas, ())
    assert applied.balance(address_of(ALICE)) == FUNDS - 3 - TRANSFER_GAS * MAX_FEE
    assert applied.balance(address_of(MEMBER)) == FUNDS - 4 - access_list_gas * MAX_FEE
    assert (applied.balance(RECIPIENT), applied.balance(RECIPIENT_2)) == (3, 4)
    assert applied.balance(PRODUCER) == (TRANSFER_GAS + access_list_gas) * (MAX_FEE - BASE_FEE)
    assert applied.state.world.state_root == plain_cancun(chain.alloc, raws)[0]
    yield post(spec, applied, queries)


# --- The tax ---------------------------------------------------------------------------------------------------------

MILLI, CENTI = 10**15, 10**16  # 0.001 and 0.01 of the native token
SCHEDULE = ((MILLI, 100), (CENTI, 1000))  # 1% of the part from 0.001 to 0.01, 10% of the part above 0.01
TEN_PERCENT = ((0, 1000),)


def expect_taxed_transfers(
    spec: ModuleType, schedule: Sequence[tuple[int, int]], transfers: Sequence[tuple[PrivateKey, bytes, int, int]]
) -> Iterator[Part]:
    """Transfers (sender, EOA recipient, value, hand-computed tax) under ``schedule``, one per sender."""
    senders = [sender for sender, _, _, _ in transfers]
    chain = genesis(charter(spec, taxrates=schedule), funded(*senders))
    raws = [tx(sender, 0, recipient, value=value, gas=TRANSFER_GAS) for sender, recipient, value, _ in transfers]
    block = block_of(spec, *raws)
    queries = [(address_of(s), ()) for s in senders] + [(r, ()) for _, r, _, _ in transfers] + [(treasury(spec), ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    for index, (sender, recipient, value, tax) in enumerate(transfers):
        assert applied.summary(index) == (True, TRANSFER_GAS, ()) and applied.receipts[index].tax == tax
        assert applied.balance(address_of(sender)) == FUNDS - value - tax - TRANSFER_GAS * PRICE
        assert applied.balance(recipient) == value
    assert applied.balance(treasury(spec)) == sum(tax for _, _, _, tax in transfers)
    taxes = {index: tax for index, (_, _, _, tax) in enumerate(transfers)}
    # The whole world is plain py-evm's with the tax moved by hand; with no tax, the treasury is never created.
    assert applied.state.world.state_root == plain_cancun(chain.alloc, raws, taxes=taxes, treasury=treasury(spec))[0]
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_value_at_tax_threshold_pays_no_tax(spec: ModuleType) -> Iterator[Part]:
    """Value exactly at the first threshold: the bracket holds nothing of it, no tax, the treasury is not created."""
    yield from expect_taxed_transfers(spec, SCHEDULE, [(ALICE, RECIPIENT, MILLI, 0)])


@vector_case("state_transition", "apply_block")
def test_marginal_tax_across_brackets(spec: ModuleType) -> Iterator[Part]:
    """Three transfers under 1% from 0.001 and 10% from 0.01: 0.001 + 100 wei pays 1 wei (1% of 100); 0.01 pays
    9e13 (1% of 0.009); 0.02 pays 9e13 + 1e15 (10% of 0.01 on top); the treasury receives their sum."""
    yield from expect_taxed_transfers(
        spec,
        SCHEDULE,
        [
            (ALICE, RECIPIENT, MILLI + 100, 1),
            (MEMBER, RECIPIENT_2, CENTI, 9 * 10**13),
            (OUTSIDER, VAULT, 2 * CENTI, 9 * 10**13 + 10**15),
        ],
    )


@vector_case("state_transition", "apply_block")
def test_zero_value_pays_no_tax(spec: ModuleType) -> Iterator[Part]:
    """A zero-value transfer under a 5% rate from 0 owes no tax and touches neither the treasury nor anyone else."""
    yield from expect_taxed_transfers(spec, ((0, 500),), [(ALICE, RECIPIENT, 0, 0)])


def funds_for_taxed_transfer(value: int, tax: int) -> int:
    """What a 21,000-gas transfer of ``value`` owing ``tax`` needs: gas limit * fee cap + value + tax."""
    return TRANSFER_GAS * MAX_FEE + value + tax


@vector_case("state_transition", "apply_block")
def test_cost_beyond_uint256_is_insufficient_funds(spec: ModuleType) -> Iterator[Part]:
    """A fee cap of 2**256 - 1 wei a gas: gas limit x fee cap + value + tax is far beyond 2**256 (no balance can
    hold it), and the transaction is refused by name, InsufficientFunds, not by a range error in the arithmetic.
    The richest account there can be holds 2**256 - 1."""
    top = 2**256 - 1
    chain = genesis(charter(spec, taxrates=TEN_PERCENT), (address_of(ALICE), GenesisAccount(top)))
    block = block_of(spec, tx(ALICE, 0, RECIPIENT, value=top // 2, gas=TRANSFER_GAS, max_fee=top, tip=0))
    yield from expect_error(spec, chain, block, "InsufficientFunds")


@vector_case("state_transition", "apply_block")
def test_insufficient_funds_by_one_wei_because_of_tax(spec: ModuleType) -> Iterator[Part]:
    """The sender holds gas limit * fee cap + value + tax - 1: enough without the tax (10% of 0.001), so only the
    tax makes the transaction invalid."""
    value, tax = MILLI, MILLI // 10
    balance = funds_for_taxed_transfer(value, tax) - 1
    assert balance >= TRANSFER_GAS * MAX_FEE + value
    chain = genesis(charter(spec, taxrates=TEN_PERCENT), funded(ALICE, balance=balance))
    block = block_of(spec, tx(ALICE, 0, RECIPIENT, value=value, gas=TRANSFER_GAS))
    yield from expect_error(spec, chain, block, "InsufficientFunds")


@vector_case("state_transition", "apply_block")
def test_exact_funds_including_tax(spec: ModuleType) -> Iterator[Part]:
    """The sender holds exactly gas limit * fee cap + value + tax: valid; it keeps the unused fee cap margin."""
    value, tax = MILLI, MILLI // 10
    chain = genesis(charter(spec, taxrates=TEN_PERCENT), funded(ALICE, balance=funds_for_taxed_transfer(value, tax)))
    raws = [tx(ALICE, 0, RECIPIENT, value=value, gas=TRANSFER_GAS)]
    block = block_of(spec, *raws)
    queries = [(address_of(ALICE), ()), (RECIPIENT, ()), (treasury(spec), ()), (PRODUCER, ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    assert applied.summary(0) == (True, TRANSFER_GAS, ()) and applied.receipts[0].tax == tax
    assert applied.balance(address_of(ALICE)) == TRANSFER_GAS * (MAX_FEE - PRICE)  # 21,000: the fee cap's margin
    assert (applied.balance(RECIPIENT), applied.balance(treasury(spec))) == (value, tax)
    assert applied.balance(PRODUCER) == TRANSFER_GAS * TIP
    assert applied.state.world.state_root == plain_cancun(chain.alloc, raws, taxes={0: tax}, treasury=treasury(spec))[0]
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_contract_receives_exactly_msg_value(spec: ModuleType) -> Iterator[Part]:
    """A contract storing CALLVALUE sees exactly the value sent, not value minus tax; it holds exactly the value;
    the sender pays value + 10% tax + gas."""
    value, tax = 5 * MILLI, 5 * MILLI // 10
    chain = genesis(charter(spec, taxrates=TEN_PERCENT), funded(ALICE), contract(VAULT, VAULT_CODE))
    raws = [tx(ALICE, 0, VAULT, value=value)]
    block = block_of(spec, *raws)
    queries = [(address_of(ALICE), ()), (VAULT, (0,)), (treasury(spec), ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    root, receipts, _ = plain_cancun(chain.alloc, raws, taxes={0: tax}, treasury=treasury(spec))
    assert applied.summary(0) == receipts[0] and applied.receipts[0].status == 1 and applied.receipts[0].tax == tax
    assert applied.storage(VAULT) == value and applied.balance(VAULT) == value
    assert applied.balance(treasury(spec)) == tax
    assert applied.balance(address_of(ALICE)) == FUNDS - value - tax - applied.gas(0) * PRICE
    assert applied.state.world.state_root == root
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_failed_call_keeps_the_tax_and_returns_the_value(spec: ModuleType) -> Iterator[Part]:
    """The tax is charged before execution: when the call reverts (status 0) the value stays with the sender but
    the tax stays with the treasury."""
    value, tax = MILLI, MILLI // 10
    reverter = asm(push(0), push(0), op.REVERT)
    chain = genesis(charter(spec, taxrates=TEN_PERCENT), funded(ALICE), contract(VAULT, reverter))
    raws = [tx(ALICE, 0, VAULT, value=value)]
    block = block_of(spec, *raws)
    queries = [(address_of(ALICE), ()), (VAULT, ()), (treasury(spec), ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    root, receipts, _ = plain_cancun(chain.alloc, raws, taxes={0: tax}, treasury=treasury(spec))
    assert applied.summary(0) == receipts[0] and applied.receipts[0].status == 0 and applied.receipts[0].tax == tax
    assert applied.balance(VAULT) == 0 and applied.balance(treasury(spec)) == tax
    assert applied.balance(address_of(ALICE)) == FUNDS - tax - applied.gas(0) * PRICE
    assert applied.state.world.state_root == root
    yield post(spec, applied, queries)


# --- The tax at every call depth -------------------------------------------------------------------------------------

FORWARDER, ROUTER, HEIR = (bytes([tag]) * 20 for tag in (0xD0, 0xD1, 0xD2))


def forwarding(amount: int = op.CALLVALUE, to: bytes = RECIPIENT) -> bytes:
    """A contract that CALLs ``to`` with ``amount`` (an opcode pushing it: CALLVALUE forwards what it received,
    CALLER pushes more than any balance here, at the same 2 gas) and stores the call's 0/1 result in slot 0."""
    return asm(push(0), push(0), push(0), push(0), amount, push(to), push(50_000), op.CALL, push(0), op.SSTORE, op.STOP)


def endowing(opcode: int, amount: int = op.CALLVALUE) -> bytes:
    """A factory that CREATEs (or CREATE2s, salt 7) CHILD_INIT endowed with ``amount`` (an opcode pushing it, as in
    ``forwarding``) and stores the new address (or 0) in slot 0."""
    load = asm(push(CHILD_INIT.ljust(32, b"\x00")), push(0), op.MSTORE)
    salted = push(CHILD_SALT) if opcode == CREATE2 else b""
    return asm(load, salted, push(len(CHILD_INIT)), push(0), amount, opcode, push(0), op.SSTORE, op.STOP)


def forwarded_case(
    spec: ModuleType, code: bytes, prefund: int, *, exempt: Sequence[bytes] = ()
) -> tuple[Genesis, list[bytes], Any]:
    """ALICE sends 0.001 to a FORWARDER running ``code`` and holding ``prefund``, under a 10% rate from 0."""
    schedule = charter(spec, taxrates=TEN_PERCENT)
    schedule = replace(schedule, tax_exempt=tuple(spec.Address(account) for account in exempt))
    chain = genesis(schedule, funded(ALICE), (FORWARDER, GenesisAccount(prefund, 1, code)))
    raws = [tx(ALICE, 0, FORWARDER, value=MILLI)]
    return chain, raws, block_of(spec, *raws)


@vector_case("state_transition", "apply_block")
def test_forwarded_value_is_taxed_again(spec: ModuleType) -> Iterator[Part]:
    """ALICE pays a forwarder 0.001 (+10%); the forwarder, holding the tax beforehand, CALLs it on to RECIPIENT and
    pays 10% again: no contract strips the tax. The treasury gets 2e14, the receipt records both, and the world is
    plain py-evm's with both taxes moved by hand (the inner tax does not change the path execution takes)."""
    value, tax = MILLI, MILLI // 10
    chain, raws, block = forwarded_case(spec, forwarding(), prefund=tax)
    queries = [(FORWARDER, (0,)), (RECIPIENT, ()), (treasury(spec), ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    plain = plain_cancun(
        chain.alloc, raws, taxes={0: tax}, moved_after={0: [(FORWARDER, treasury(spec), tax)]}, treasury=treasury(spec)
    )
    assert applied.summary(0) == plain.receipts[0] and applied.receipts[0].tax == 2 * tax
    assert (applied.storage(FORWARDER), applied.balance(FORWARDER), applied.balance(RECIPIENT)) == (1, 0, value)
    assert applied.balance(treasury(spec)) == 2 * tax
    assert applied.state.world.state_root == plain.root
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_inner_call_short_of_its_tax_fails_as_without_the_value(spec: ModuleType) -> Iterator[Part]:
    """The forwarder holds the value but the tax less one wei: its CALL fails exactly as a CALL of more than the
    balance does (0 pushed, nothing moves, the child's gas comes back): same receipt as plain py-evm running a
    forwarder that CALLs with more than its balance, at the same gas. The transaction still succeeds; only the
    outer tax is paid."""
    value, tax = MILLI, MILLI // 10
    chain, raws, block = forwarded_case(spec, forwarding(), prefund=tax - 1)
    queries = [(FORWARDER, (0,)), (RECIPIENT, ()), (treasury(spec), ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    short = [(a, GenesisAccount(tax - 1, 1, forwarding(op.CALLER))) if a == FORWARDER else (a, g) for a, g in chain.alloc]
    plain = plain_cancun(short, raws, taxes={0: tax}, treasury=treasury(spec))
    assert applied.summary(0) == plain.receipts[0] and applied.receipts[0].tax == tax
    assert (applied.storage(FORWARDER), applied.balance(FORWARDER)) == (0, value + tax - 1)
    assert (applied.balance(RECIPIENT), applied.balance(treasury(spec))) == (0, tax)
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_exempt_router_forwards_untaxed(spec: ModuleType) -> Iterator[Part]:
    """The same forwarder, listed in the charter's tax_exempt and holding nothing beforehand: value is taxed when it
    enters (ALICE pays 10%) and not again when the router pays it out; the receipt records the one tax."""
    value, tax = MILLI, MILLI // 10
    chain, raws, block = forwarded_case(spec, forwarding(), prefund=0, exempt=[FORWARDER])
    queries = [(FORWARDER, (0,)), (RECIPIENT, ()), (treasury(spec), ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    plain = plain_cancun(chain.alloc, raws, taxes={0: tax}, treasury=treasury(spec))
    assert applied.summary(0) == plain.receipts[0] and applied.receipts[0].tax == tax
    assert (applied.storage(FORWARDER), applied.balance(RECIPIENT), applied.balance(treasury(spec))) == (1, value, tax)
    assert applied.state.world.state_root == plain.root
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_reverted_inner_transfer_returns_its_tax(spec: ModuleType) -> Iterator[Part]:
    """The forwarder pays a contract that reverts: the inner value and the inner tax both go back to the
    forwarder (a reverted transfer moved nothing); the receipt records the outer tax only."""
    value, tax = MILLI, MILLI // 10
    reverter = asm(push(0), push(0), op.REVERT)
    chain = genesis(
        charter(spec, taxrates=TEN_PERCENT),
        funded(ALICE),
        (FORWARDER, GenesisAccount(tax, 1, forwarding(to=VAULT))),
        contract(VAULT, reverter),
    )
    raws = [tx(ALICE, 0, FORWARDER, value=value)]
    block = block_of(spec, *raws)
    queries = [(FORWARDER, (0,)), (VAULT, ()), (treasury(spec), ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    plain = plain_cancun(chain.alloc, raws, taxes={0: tax}, treasury=treasury(spec))
    assert applied.summary(0) == plain.receipts[0] and applied.receipts[0].tax == tax
    assert (applied.storage(FORWARDER), applied.balance(FORWARDER), applied.balance(VAULT)) == (0, value + tax, 0)
    assert applied.state.world.state_root == plain.root
    yield post(spec, applied, queries)


def endowment_case(spec: ModuleType, opcode: int, prefund: int) -> Iterator[Part]:
    """ALICE pays a factory 0.001 (+10%), which endows a new contract with it by ``opcode``; the factory holds
    ``prefund`` beforehand. With the tax in hand the child gets exactly the value and the treasury two taxes;
    without it the creation fails as one without the value does (no child, the factory's nonce unchanged)."""
    value, tax = MILLI, MILLI // 10
    chain = genesis(charter(spec, taxrates=TEN_PERCENT), funded(ALICE), (FACTORY, GenesisAccount(prefund, 1, endowing(opcode))))
    raws = [tx(ALICE, 0, FACTORY, value=value)]
    block = block_of(spec, *raws)
    if opcode == CREATE:
        child = generate_contract_address(Address(FACTORY), 1)
    else:
        child = generate_safe_contract_address(Address(FACTORY), CHILD_SALT, CHILD_INIT)
    queries = [(FACTORY, (0,)), (bytes(child), ()), (treasury(spec), ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    if prefund >= tax:
        plain = plain_cancun(
            chain.alloc, raws, taxes={0: tax}, moved_after={0: [(FACTORY, treasury(spec), tax)]}, treasury=treasury(spec)
        )
        assert applied.state.world.state_root == plain.root and applied.receipts[0].tax == 2 * tax
        assert (applied.storage(FACTORY), applied.balance(child), applied.nonce(FACTORY)) == (int.from_bytes(child, "big"), value, 2)
    else:
        short = [(a, GenesisAccount(prefund, 1, endowing(opcode, op.CALLER))) if a == FACTORY else (a, g) for a, g in chain.alloc]
        plain = plain_cancun(short, raws, taxes={0: tax}, treasury=treasury(spec))
        assert applied.receipts[0].tax == tax
        assert (applied.storage(FACTORY), applied.balance(child), applied.nonce(FACTORY)) == (0, 0, 1)
        assert applied.balance(FACTORY) == value + prefund
    assert applied.summary(0) == plain.receipts[0]
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_create_endowment_is_taxed(spec: ModuleType) -> Iterator[Part]:
    yield from endowment_case(spec, CREATE, prefund=MILLI // 10)


@vector_case("state_transition", "apply_block")
def test_create2_endowment_is_taxed(spec: ModuleType) -> Iterator[Part]:
    yield from endowment_case(spec, CREATE2, prefund=MILLI // 10)


@vector_case("state_transition", "apply_block")
def test_create_endowment_short_of_its_tax_fails_as_without_the_value(spec: ModuleType) -> Iterator[Part]:
    yield from endowment_case(spec, CREATE, prefund=MILLI // 10 - 1)


@vector_case("state_transition", "apply_block")
def test_create2_endowment_short_of_its_tax_fails_as_without_the_value(spec: ModuleType) -> Iterator[Part]:
    yield from endowment_case(spec, CREATE2, prefund=MILLI // 10 - 1)


@vector_case("state_transition", "apply_block")
def test_selfdestruct_pays_the_tax_out_of_what_it_sends(spec: ModuleType) -> Iterator[Part]:
    """A contract holding 0.01 SELFDESTRUCTs to HEIR under 1% from 0.001 and 10% from 0.01: the tax on the whole
    balance, 9e13 (1% of 0.009), goes to the treasury and HEIR receives the rest; ALICE's zero-value call pays
    nothing. Plain py-evm with the tax moved from HEIR to the treasury by hand gives the same world."""
    balance, tax = CENTI, 9 * 10**13
    destructor = asm(push(HEIR), op.SELFDESTRUCT)
    chain = genesis(charter(spec, taxrates=SCHEDULE), funded(ALICE), (FORWARDER, GenesisAccount(balance, 1, destructor)))
    raws = [tx(ALICE, 0, FORWARDER)]
    block = block_of(spec, *raws)
    queries = [(FORWARDER, ()), (HEIR, ()), (treasury(spec), ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    plain = plain_cancun(chain.alloc, raws, moved_after={0: [(HEIR, treasury(spec), tax)]}, treasury=treasury(spec))
    assert applied.summary(0) == plain.receipts[0] and applied.receipts[0].tax == tax
    assert (applied.balance(FORWARDER), applied.balance(HEIR), applied.balance(treasury(spec))) == (0, balance - tax, tax)
    assert applied.state.world.state_root == plain.root
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_contract_withdrawing_through_the_passer_pays_no_tax(spec: ModuleType) -> Iterator[Part]:
    """A contract holding 100 wei sends 40 to the message passer under a 10% rate: value that leaves the chain is
    not taxed at any depth, so the contract keeps exactly 60 and the treasury nothing."""
    payload = message(L1_TARGET, b"hi")
    chain = genesis(charter(spec, taxrates=TEN_PERCENT), funded(ALICE), (RELAY, GenesisAccount(100, 1, relay(40, payload))))
    raws = [tx(ALICE, 0, RELAY)]
    block = block_of(spec, *raws)
    queries = [(RELAY, ()), (treasury(spec), ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block, withdrawn=40)
    plain = plain_cancun(chain.alloc, raws)
    assert applied.summary(0) == plain.receipts[0] and applied.receipts[0].tax == 0
    assert (applied.balance(RELAY), applied.balance(treasury(spec))) == (60, 0)
    assert applied.state.world.state_root == plain.root
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_callcode_with_value_pays_no_tax(spec: ModuleType) -> Iterator[Part]:
    """A contract holding 100 wei CALLCODEs VAULT's code with 50 wei under a 10% rate: CALLCODE sends value from the
    contract to itself, which moves nothing, so nothing is taxed; the world is plain py-evm's."""
    code = asm(push(0), push(0), push(0), push(0), push(50), push(VAULT), push(50_000), op.CALLCODE, op.POP, op.STOP)
    chain = genesis(
        charter(spec, taxrates=TEN_PERCENT), funded(ALICE), (FORWARDER, GenesisAccount(100, 1, code)), contract(VAULT, VAULT_CODE)
    )
    raws = [tx(ALICE, 0, FORWARDER)]
    block = block_of(spec, *raws)
    queries = [(FORWARDER, (0,)), (treasury(spec), ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    plain = plain_cancun(chain.alloc, raws)
    assert applied.summary(0) == plain.receipts[0] and applied.receipts[0].tax == 0
    assert (applied.storage(FORWARDER), applied.balance(FORWARDER)) == (50, 100)
    assert applied.state.world.state_root == plain.root
    yield post(spec, applied, queries)


# --- The other validity rules ----------------------------------------------------------------------------------------


def expect_single_rejected(
    spec: ModuleType, raw: bytes, error: str, *alloc: tuple[bytes, GenesisAccount]
) -> Iterator[Part]:
    """One transaction in a block on a rule-less, tax-free chain (ALICE funded unless ``alloc`` says otherwise)."""
    chain = genesis(charter(spec), list(alloc) or funded(ALICE))
    yield from expect_error(spec, chain, block_of(spec, raw), error)


@vector_case("state_transition", "apply_block")
def test_blob_transaction_rejected(spec: ModuleType) -> Iterator[Part]:
    """An EIP-4844 (type 3) transaction: an L2 carries no blobs."""
    yield from expect_single_rejected(spec, blob_tx(ALICE, 0, RECIPIENT), "BlobTransactionNotSupported")


@vector_case("state_transition", "apply_block")
def test_undecodable_transaction_rejected(spec: ModuleType) -> Iterator[Part]:
    """Bytes that are no signed transaction (an empty type-2 list)."""
    yield from expect_single_rejected(spec, bytes.fromhex("02c0"), "InvalidTransactionEncoding")


@vector_case("state_transition", "apply_block")
def test_sender_with_code_rejected(spec: ModuleType) -> Iterator[Part]:
    """EIP-3607: a signer whose account holds code may not send transactions."""
    sender = (address_of(ALICE), GenesisAccount(FUNDS, 0, bytes([op.STOP])))
    yield from expect_single_rejected(spec, tx(ALICE, 0, RECIPIENT, gas=TRANSFER_GAS), "SenderHasCode", sender)


@vector_case("state_transition", "apply_block")
def test_nonce_too_high_rejected(spec: ModuleType) -> Iterator[Part]:
    """A nonce one above the account's."""
    yield from expect_single_rejected(spec, tx(ALICE, 1, RECIPIENT, gas=TRANSFER_GAS), "NonceMismatch")


@vector_case("state_transition", "apply_block")
def test_nonce_too_low_rejected(spec: ModuleType) -> Iterator[Part]:
    """A nonce one below the account's (3)."""
    sender = (address_of(ALICE), GenesisAccount(FUNDS, 3))
    yield from expect_single_rejected(spec, tx(ALICE, 2, RECIPIENT, gas=TRANSFER_GAS), "NonceMismatch", sender)


@vector_case("state_transition", "apply_block")
def test_nonce_reused_within_a_block_rejected(spec: ModuleType) -> Iterator[Part]:
    """Two transactions with nonce 0 from one sender: the second sees nonce 1."""
    chain = genesis(charter(spec), funded(ALICE))
    raws = [tx(ALICE, 0, RECIPIENT, value=1, gas=TRANSFER_GAS), tx(ALICE, 0, RECIPIENT_2, value=2, gas=TRANSFER_GAS)]
    yield from expect_error(spec, chain, block_of(spec, *raws), "NonceMismatch")


@vector_case("state_transition", "apply_block")
def test_nonce_at_maximum_rejected(spec: ModuleType) -> Iterator[Part]:
    """EIP-2681: an account at nonce 2^64 - 1 can send nothing more, even with the matching nonce."""
    sender = (address_of(ALICE), GenesisAccount(FUNDS, 2**64 - 1))
    yield from expect_single_rejected(spec, tx(ALICE, 2**64 - 1, RECIPIENT, gas=TRANSFER_GAS), "NonceMismatch", sender)


@vector_case("state_transition", "apply_block")
def test_priority_fee_above_max_fee_rejected(spec: ModuleType) -> Iterator[Part]:
    """A priority fee of 11 over a fee cap of 10."""
    raw = tx(ALICE, 0, RECIPIENT, gas=TRANSFER_GAS, max_fee=10, tip=11)
    yield from expect_single_rejected(spec, raw, "PriorityFeeAboveMaxFee")


@vector_case("state_transition", "apply_block")
def test_max_fee_below_base_fee_rejected(spec: ModuleType) -> Iterator[Part]:
    """A fee cap of 6 under the block's base fee of 7."""
    raw = tx(ALICE, 0, RECIPIENT, gas=TRANSFER_GAS, max_fee=BASE_FEE - 1, tip=1)
    yield from expect_single_rejected(spec, raw, "MaxFeeBelowBaseFee")


@vector_case("state_transition", "apply_block")
def test_max_fee_at_base_fee_included(spec: ModuleType) -> Iterator[Part]:
    """A fee cap equal to the base fee: valid, the whole price is burnt, the producer earns nothing and (empty,
    touched) is not created."""
    chain = genesis(charter(spec), funded(ALICE))
    raws = [tx(ALICE, 0, RECIPIENT, value=1, gas=TRANSFER_GAS, max_fee=BASE_FEE, tip=TIP)]
    block = block_of(spec, *raws)
    queries = [(address_of(ALICE), ()), (PRODUCER, ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    assert applied.summary(0) == (True, TRANSFER_GAS, ())
    assert applied.balance(address_of(ALICE)) == FUNDS - 1 - TRANSFER_GAS * BASE_FEE
    assert applied.balance(PRODUCER) == 0
    assert applied.state.world.state_root == plain_cancun(chain.alloc, raws)[0]
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_intrinsic_gas_too_low_rejected(spec: ModuleType) -> Iterator[Part]:
    """A transfer with a gas limit of 20,999."""
    yield from expect_single_rejected(spec, tx(ALICE, 0, RECIPIENT, gas=TRANSFER_GAS - 1), "IntrinsicGasTooLow")


@vector_case("state_transition", "apply_block")
def test_creation_gas_short_of_the_initcode_word_cost_rejected(spec: ModuleType) -> Iterator[Part]:
    """A creation whose gas limit covers 21,000 + 32,000 + calldata but not EIP-3860's 2 gas per word of init code
    (64 bytes: 4 gas) by 1: its intrinsic gas includes the word cost."""
    init_code = bytes(range(1, 65))
    gas = creation_intrinsic_gas(init_code) - 1
    assert gas == TRANSFER_GAS + 32_000 + 64 * 16 + 3
    yield from expect_single_rejected(spec, tx(ALICE, 0, None, data=init_code, gas=gas), "IntrinsicGasTooLow")


@vector_case("state_transition", "apply_block")
def test_initcode_too_large_rejected(spec: ModuleType) -> Iterator[Part]:
    """A creation with 49,153 bytes of init code, one more than EIP-3860 allows (a large vector: its init
    code is the point)."""
    init_code = bytes(49_153)
    raw = tx(ALICE, 0, None, data=init_code, gas=creation_intrinsic_gas(init_code))
    yield from expect_single_rejected(spec, raw, "InitcodeTooLarge")


@vector_case("state_transition", "apply_block")
def test_initcode_of_the_largest_size_included(spec: ModuleType) -> Iterator[Part]:
    """A creation with exactly 49,152 bytes of init code, as much as EIP-3860 allows: all zero, so it stops at once
    and deploys an empty contract, using exactly its intrinsic gas (a large vector: its init code is the point)."""
    init_code = bytes(49_152)
    gas = creation_intrinsic_gas(init_code)
    assert gas == TRANSFER_GAS + 32_000 + 4 * 49_152 + 2 * 1_536
    chain = genesis(charter(spec), funded(ALICE))
    raws = [tx(ALICE, 0, None, data=init_code, gas=gas)]
    block = block_of(spec, *raws)
    created = generate_contract_address(Address(address_of(ALICE)), 0)
    queries = [(address_of(ALICE), ()), (created, ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    assert applied.summary(0) == (True, gas, ()) and applied.nonce(created) == 1
    plain = plain_cancun(chain.alloc, raws)
    assert applied.state.world.state_root == plain.root and plain.receipts == [applied.summary(0)]
    yield post(spec, applied, queries)


def two_transfers(spec: ModuleType, second_gas: int) -> tuple[Genesis, Any]:
    """ALICE's 30,000-gas-limit transfer uses 21,000, leaving 29,979,000 of the block's 30,000,000 for MEMBER's."""
    chain = genesis(charter(spec), funded(ALICE, MEMBER))
    raws = [tx(ALICE, 0, RECIPIENT, value=1, gas=30_000), tx(MEMBER, 0, RECIPIENT_2, value=2, gas=second_gas)]
    return chain, block_of(spec, *raws)


@vector_case("state_transition", "apply_block")
def test_transaction_gas_above_the_block_gas_limit_rejected(spec: ModuleType) -> Iterator[Part]:
    """A transfer whose gas limit is 30,000,001, one more than every block's gas limit."""
    chain = genesis(charter(spec), funded(ALICE))
    yield from expect_error(
        spec, chain, block_of(spec, tx(ALICE, 0, RECIPIENT, gas=BLOCK_GAS_LIMIT + 1)), "BlockGasLimitExceeded"
    )


@vector_case("state_transition", "apply_block")
def test_block_gas_limit_exceeded_by_second_transaction(spec: ModuleType) -> Iterator[Part]:
    """The second transaction's gas limit (29,979,001) exceeds the 29,979,000 gas the block has left."""
    yield from expect_error(spec, *two_transfers(spec, 29_979_001), "BlockGasLimitExceeded")


@vector_case("state_transition", "apply_block")
def test_second_transaction_fits_the_gas_left_exactly(spec: ModuleType) -> Iterator[Part]:
    """The gas left is the block's limit minus the gas used (not the gas limits) so far: 29,979,000 fits exactly."""
    chain, block = two_transfers(spec, 29_979_000)
    queries = [(address_of(ALICE), ()), (address_of(MEMBER), ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    assert [int(receipt.cumulative_gas_used) for receipt in applied.receipts] == [21_000, 42_000]
    assert applied.balance(address_of(MEMBER)) == FUNDS - 2 - TRANSFER_GAS * PRICE
    assert applied.state.world.state_root == plain_cancun(chain.alloc, block.transactions).root
    yield post(spec, applied, queries)


# --- Blocks ----------------------------------------------------------------------------------------------------------


@vector_case("state_transition", "apply_block")
def test_block_number_mismatch_rejected(spec: ModuleType) -> Iterator[Part]:
    """Block 2 cannot follow the genesis (block 0)."""
    chain = genesis(charter(spec), funded(ALICE))
    yield from expect_error(spec, chain, block_of(spec, number=2), "BlockNumberMismatch")


@vector_case("state_transition", "apply_block")
def test_block_timestamp_not_increasing_rejected(spec: ModuleType) -> Iterator[Part]:
    """Block 1 at the genesis time: time must increase."""
    chain = genesis(charter(spec), funded(ALICE))
    yield from expect_error(spec, chain, block_of(spec, timestamp=GENESIS_TIME), "BlockTimestampNotIncreasing")


def header_hash(
    parent: bytes, state_root: bytes, deposits_root: bytes, transactions_root: bytes, receipts_root: bytes
) -> bytes:
    """The block hash of a block built by ``block_of``, written out from the spec's prose: keccak256 of the ABI
    encoding of the header fields, the state root, and the roots of deposits, transactions and receipts."""
    types = ["bytes32", "uint256", "uint256", "address", "uint256", "uint256"] + ["bytes32"] * 6
    values = [parent, 1, BLOCK_TIME, PRODUCER, BLOCK_GAS_LIMIT, BASE_FEE, RANDAO, BEACON_ROOT, state_root]
    return bytes(keccak(abi_encode(types, values + [deposits_root, transactions_root, receipts_root])))


def list_root(count: int, merkle_root: bytes = bytes(32)) -> bytes:
    """A list's commitment, from the execution chapter's prose: keccak256(abi.encode(uint256 count, bytes32 root)),
    the root being Lib_MerkleTree's (the leaf itself for one leaf) or zero for an empty list."""
    return bytes(keccak(count.to_bytes(32, "big") + merkle_root))


def genesis_hash(state_root: bytes, charter_root: bytes) -> bytes:
    return bytes(keccak(abi_encode(["uint256", "bytes32", "bytes32"], [CHAIN_ID, state_root, charter_root])))


def deposit_leaf(nonce: int, sender: bytes, to: bytes | None, mint: int, value: int, gas: int, data: bytes) -> bytes:
    """A deposit's leaf in the deposits root, from the bridge chapter's prose: keccak256 of the ABI encoding of its
    nonce, L1 block, sender, whether it creates, recipient (zero for a creation), mint, value, gas and data."""
    types = ["uint256", "uint256", "address", "bool", "address", "uint256", "uint256", "uint256", "bytes"]
    values = [nonce, L1_ORIGIN, sender, to is None, to or bytes(20), mint, value, gas, data]
    return bytes(keccak(abi_encode(types, values)))


def receipt_leaf(success: bool, cumulative_gas: int, logs: Sequence[tuple[Any, ...]], tax: int) -> bytes:
    """A receipt's leaf in the receipts root: keccak256 of abi.encode(status, cumulative gas, logs, tax)."""
    types = ["uint8", "uint256", "(address,bytes32[],bytes)[]", "uint256"]
    entries = [(address, list(topics), data) for address, topics, data in logs]
    return bytes(keccak(abi_encode(types, [int(success), cumulative_gas, entries, tax])))


def context_root(supply: int, gas_used: int, block_hash: bytes, genesis: bytes) -> bytes:
    """The execution context root after block 1 (built by ``block_of`` on genesis ``genesis``), from execution.md's
    prose: keccak256 of abi.encode(chain id, supply, number, time, base fee, gas used, keccak256 of the recent hashes
    concatenated, newest first)."""
    types = ["uint256"] * 6 + ["bytes32"]
    recent = bytes(keccak(block_hash + genesis))
    return bytes(keccak(abi_encode(types, [CHAIN_ID, supply, 1, BLOCK_TIME, BASE_FEE, gas_used, recent])))


def output_root(state_root: bytes, charter_root: bytes, passer_root: bytes, block_hash: bytes, context: bytes) -> bytes:
    """Output root version 2: keccak256 of six words (version 2, state root, charter root, the message passer's
    storage root, block hash, execution context root)."""
    return bytes(keccak(word(2) + state_root + charter_root + passer_root + block_hash + context))


@vector_case("state_transition", "apply_block")
def test_empty_block(spec: ModuleType) -> Iterator[Part]:
    """A block without deposits or transactions: the world changes only by the beacon-roots update (EIP-4788's two
    slots) and the supply not at all; the block hash commits to zero deposit, transaction and receipt roots; the output root is keccak256(2 ‖ state root ‖ charter root ‖ message
    passer storage root ‖ block hash ‖ context root), the passer's storage being the empty trie."""
    chain = genesis(charter(spec, taxrates=SCHEDULE), funded(ALICE))
    block = block_of(spec)
    queries = [(address_of(ALICE), ()), (MESSAGE_PASSER, (0,))]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    state_root = plain_cancun(chain.alloc, []).root
    genesis_root = plain_cancun(chain.alloc, [], beacon_update=False).root
    charter_root = bytes(keccak(spec.encode_charter(chain.charter)))
    block_hash = header_hash(genesis_hash(genesis_root, charter_root), state_root, list_root(0), list_root(0), list_root(0))
    assert applied.receipts == () and applied.state.coinbase_supply == FUNDS
    assert applied.state.world.state_root == state_root
    assert applied.state.recent_block_hashes == (block_hash, genesis_hash(genesis_root, charter_root))
    assert EMPTY_TRIE_ROOT == keccak(b"\x80") == storage_root({})
    context = context_root(FUNDS, 0, block_hash, genesis_hash(genesis_root, charter_root))
    expected = output_root(state_root, charter_root, EMPTY_TRIE_ROOT, block_hash, context)
    assert spec.get_state_output_root(applied.state) == expected
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_blockhash_sees_the_genesis_hash(spec: ModuleType) -> Iterator[Part]:
    """In block 1, BLOCKHASH(0) is the genesis block hash keccak256(abi.encode(chain id, genesis state root,
    charter root)) and NUMBER is 1."""
    reader = asm(push(0), op.BLOCKHASH, push(0), op.SSTORE, op.NUMBER, push(1), op.SSTORE, op.STOP)
    chain = genesis(charter(spec), funded(ALICE), contract(VAULT, reader))
    raws = [tx(ALICE, 0, VAULT)]
    block = block_of(spec, *raws)
    queries = [(VAULT, (0, 1))]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    genesis_root = plain_cancun(chain.alloc, [], beacon_update=False).root
    parent = genesis_hash(genesis_root, bytes(keccak(spec.encode_charter(chain.charter))))
    assert applied.storage(VAULT, 0) == int.from_bytes(parent, "big") and applied.storage(VAULT, 1) == 1
    root, receipts, _ = plain_cancun(chain.alloc, raws, ancestors=(parent,))
    assert applied.summary(0) == receipts[0] and applied.state.world.state_root == root
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_beacon_roots_system_call_ignores_the_charter(spec: ModuleType) -> Iterator[Part]:
    """Every genesis holds the EIP-4788 contract, and every block first records its parent beacon root: slot
    timestamp % 8191 := timestamp, slot timestamp % 8191 + 8191 := root, though the charter closes SSTORE to all."""
    closed = charter(spec, rule(spec, ALLOW, SSTORE))  # an ALLOW rule listing nobody
    chain = genesis(closed, funded(ALICE))
    block = block_of(spec)
    slot = BLOCK_TIME % HISTORY_BUFFER_LENGTH
    queries = [(evm.BEACON_ROOTS_ADDRESS, (slot, slot + HISTORY_BUFFER_LENGTH))]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    assert HISTORY_BUFFER_LENGTH == 8191
    assert applied.storage(evm.BEACON_ROOTS_ADDRESS, slot) == BLOCK_TIME
    assert applied.storage(evm.BEACON_ROOTS_ADDRESS, slot + 8191) == int.from_bytes(BEACON_ROOT, "big")
    yield post(spec, applied, queries)


# --- Charter updates (transactions to CHARTER_ADDRESS) ---------------------------------------------------------------


def managed(spec: ModuleType, *submitters: PrivateKey, taxrates: Sequence[tuple[int, int]] = ()) -> Any:
    """A charter managed by MANAGER (who is no submitter) that lets only ``submitters`` submit."""
    return charter(spec, rule(spec, ALLOW, SUBMIT_TX, *submitters), taxrates=taxrates, manager=address_of(MANAGER))


# CHARTER_CALL_GAS and CHARTER_CALL_WORD_GAS, by hand from spec/v1/execution.md: what a call to the charter
# costs on top of the call itself.
CHARTER_CALL_GAS, CHARTER_CALL_WORD_GAS = 20_000, 6


def charter_call_gas(data: bytes) -> int:
    return CHARTER_CALL_GAS + CHARTER_CALL_WORD_GAS * ((len(data) + 31) // 32)


def update(spec: ModuleType, sender: PrivateKey, nonce: int, proposed: Any, value: int = 0) -> bytes:
    """``sender``'s transaction calling the charter's setGovernance with ``proposed``'s fields (gas 200,000)."""
    return tx(sender, nonce, CHARTER_CONTRACT, value=value, data=spec.encode_governance_call(proposed))


@vector_case("state_transition", "apply_block")
def test_charter_update_admits_a_submitter_for_the_rest_of_the_block(spec: ModuleType) -> Iterator[Part]:
    """The management contract (not itself a submitter) adds ALICE to the submitters; ALICE's transfer later in
    the same block is valid. The update costs 21,000 + its calldata + the charter call's 20,000 + 6 per word."""
    chain = genesis(managed(spec, MEMBER), funded(MANAGER, ALICE))
    proposed = managed(spec, MEMBER, ALICE)
    raws = [update(spec, MANAGER, 0, proposed), tx(ALICE, 0, RECIPIENT, value=1, gas=TRANSFER_GAS)]
    block = block_of(spec, *raws)
    queries = [(address_of(MANAGER), ()), (address_of(ALICE), ()), (CHARTER_CONTRACT, ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    data = spec.encode_governance_call(proposed)
    update_gas = TRANSFER_GAS + data_gas(data) + charter_call_gas(data)
    assert applied.summary(0) == (True, update_gas, ()) and applied.summary(1) == (True, TRANSFER_GAS, ())
    assert applied.state.charter == proposed
    assert applied.balance(address_of(MANAGER)) == FUNDS - update_gas * PRICE
    assert applied.balance(address_of(ALICE)) == FUNDS - 1 - TRANSFER_GAS * PRICE
    plain = plain_cancun(chain.alloc, raws)  # py-evm: a call to an account without code, 21,000 + calldata
    assert [gas for _, gas, _ in plain.receipts] == [update_gas - charter_call_gas(data), TRANSFER_GAS]
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_charter_update_excludes_a_later_transaction(spec: ModuleType) -> Iterator[Part]:
    """The management contract removes ALICE from the submitters; ALICE's transaction after it is invalid."""
    chain = genesis(managed(spec, MEMBER, ALICE), funded(MANAGER, ALICE))
    raws = [update(spec, MANAGER, 0, managed(spec, MEMBER)), tx(ALICE, 0, RECIPIENT, value=1, gas=TRANSFER_GAS)]
    yield from expect_error(spec, chain, block_of(spec, *raws), "SubmitterNotPermitted")


@vector_case("state_transition", "apply_block")
def test_charter_update_by_another_signer_rejected(spec: ModuleType) -> Iterator[Part]:
    """A submitter who is not the management contract proposes a charter."""
    chain = genesis(managed(spec, MEMBER), funded(MEMBER))
    yield from expect_error(
        spec, chain, block_of(spec, update(spec, MEMBER, 0, managed(spec, MEMBER, ALICE))), "UnauthorizedCharterUpdate"
    )


@vector_case("state_transition", "apply_block")
def test_charter_update_of_tax_rates_by_the_manager_rejected(spec: ModuleType) -> Iterator[Part]:
    """Only MetisDAO sets tax rates: the management contract calling setTax is refused."""
    chain = genesis(managed(spec, MEMBER), funded(MANAGER))
    data = spec.encode_tax_call(managed(spec, MEMBER, taxrates=TEN_PERCENT))
    block = block_of(spec, tx(MANAGER, 0, CHARTER_CONTRACT, data=data))
    yield from expect_error(spec, chain, block, "UnauthorizedTaxRateUpdate")


@vector_case("state_transition", "apply_block")
def test_charter_update_with_value_rejected(spec: ModuleType) -> Iterator[Part]:
    """A charter update that also sends 1 wei."""
    chain = genesis(managed(spec, MEMBER), funded(MANAGER))
    raw = update(spec, MANAGER, 0, managed(spec, MEMBER, ALICE), value=1)
    yield from expect_error(spec, chain, block_of(spec, raw), "CharterUpdateWithValue")


@vector_case("state_transition", "apply_block")
def test_malformed_charter_update_rejected(spec: ModuleType) -> Iterator[Part]:
    """Data that names no charter function (selector 0x01010101), sent to the charter by its management contract."""
    chain = genesis(managed(spec, MEMBER), funded(MANAGER))
    raw = tx(MANAGER, 0, CHARTER_CONTRACT, data=bytes([0x01]) * 10)
    yield from expect_error(spec, chain, block_of(spec, raw), "MalformedCharterUpdate")


# --- Charter calls from contracts (a DAO's voting contract) ---------------------------------------------------------

VOTER, OUTSIDER_CONTRACT = bytes([0xE5]) * 20, bytes([0xE6]) * 20


def charter_caller(opcode: int = op.CALL, value: int = 0, ending: bytes = bytes([op.STOP])) -> bytes:
    """A contract that calls the charter (by ``opcode``, with ``value`` for CALL) with its own calldata, logs the
    0/1 result (LOG0 of one word, whose gas does not depend on the word), then ends with ``ending`` (STOP, or a
    REVERT that undoes everything it did)."""
    sent = push(value) if opcode == op.CALL else b""
    copy = asm(op.CALLDATASIZE, push(0), push(0), op.CALLDATACOPY)
    the_call = asm(push(0), push(0), op.CALLDATASIZE, push(0), sent, push(CHARTER_CONTRACT), op.GAS, opcode)
    return asm(copy, the_call, LOG_TOP, ending)


REVERTING = asm(push(0), push(0), op.REVERT)


def charter_call_case(
    spec: ModuleType,
    caller: bytes,
    code: bytes,
    *,
    status: bool,
    result: int | None,
    updated: bool,
    charged: bool,
    data: bytes | None = None,
) -> Iterator[Part]:
    """ALICE calls ``caller`` (running ``code``, holding 5 wei) with a setGovernance call changing the vision of a
    charter managed by VOTER (or with ``data``). Checked against plain py-evm, for which the charter address is an
    account without code: the same status, the gas plus the charter call's when it is ``charged``, the caller's log
    of the call's ``result`` (None: no log, the caller reverted); then whether the charter changed."""
    before = charter(spec, manager=VOTER)
    after = spec.replace(before, vision="voted")
    data = spec.encode_governance_call(after) if data is None else data
    chain = genesis(before, funded(ALICE), (caller, GenesisAccount(5, 1, code)))
    raws = [tx(ALICE, 0, caller, data=data, gas=300_000)]
    block = block_of(spec, *raws)
    queries = [(caller, ()), (CHARTER_CONTRACT, ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    plain = plain_cancun(chain.alloc, raws)
    plain_status, plain_gas, _ = plain.receipts[0]
    extra = charter_call_gas(data) if charged else 0
    logs = () if result is None else ((caller, (), word(result)),)
    assert applied.summary(0) == (status, plain_gas + extra, logs) and plain_status == (result is not None)
    assert applied.balance(caller) == 5
    assert applied.state.charter == (after if updated else before)
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_voting_contract_updates_the_charter_at_depth(spec: ModuleType) -> Iterator[Part]:
    """The management contract is a contract: VOTER, called by ALICE (any signer), calls the charter's
    setGovernance; the update stands and governs the next transaction. The call costs py-evm's gas plus the
    charter call's."""
    yield from charter_call_case(spec, VOTER, charter_caller(), status=True, result=1, updated=True, charged=True)


@vector_case("state_transition", "apply_block")
def test_charter_update_undone_by_its_reverting_caller(spec: ModuleType) -> Iterator[Part]:
    """VOTER's call to the charter succeeds, then VOTER reverts: the update is undone with the frame that made
    it (the transaction fails, the charter is unchanged)."""
    code = charter_caller(ending=REVERTING)
    yield from charter_call_case(spec, VOTER, code, status=False, result=None, updated=False, charged=True)


@vector_case("state_transition", "apply_block")
def test_contract_not_managing_the_charter_cannot_update_it(spec: ModuleType) -> Iterator[Part]:
    """Another contract making the same call: the charter refuses it (0 to the caller, after the charter call's
    gas, like REVERT), the transaction goes on and succeeds, and the charter is unchanged."""
    code = charter_caller()
    yield from charter_call_case(spec, OUTSIDER_CONTRACT, code, status=True, result=0, updated=False, charged=True)


@vector_case("state_transition", "apply_block")
def test_static_call_to_the_charter_fails(spec: ModuleType) -> Iterator[Part]:
    """VOTER calling the charter by STATICCALL: an update cannot be static, the call fails before any charter gas
    is charged (0 where py-evm's call to an account without code gives 1), and nothing changes."""
    code = charter_caller(op.STATICCALL)
    yield from charter_call_case(spec, VOTER, code, status=True, result=0, updated=False, charged=False)


@vector_case("state_transition", "apply_block")
def test_delegatecall_to_the_charter_updates_nothing(spec: ModuleType) -> Iterator[Part]:
    """VOTER DELEGATECALLing the charter runs the charter address's (empty) code in VOTER's own context: it
    succeeds as in py-evm, costs nothing more, and updates nothing."""
    code = charter_caller(op.DELEGATECALL)
    yield from charter_call_case(spec, VOTER, code, status=True, result=1, updated=False, charged=False)


@vector_case("state_transition", "apply_block")
def test_charter_call_with_value_at_depth_fails(spec: ModuleType) -> Iterator[Part]:
    """VOTER's call to the charter sending 1 wei of its 5: refused (an update moves no value), so the wei stays with
    VOTER and the charter is unchanged."""
    code = charter_caller(value=1)
    yield from charter_call_case(spec, VOTER, code, status=True, result=0, updated=False, charged=True)


@vector_case("state_transition", "apply_block")
def test_refused_charter_call_of_one_whole_word_pays_for_one_word(spec: ModuleType) -> Iterator[Part]:
    """VOTER calls the charter with 32 bytes that name no charter function: refused (0 to VOTER), after paying the
    charter call's 20,000 and 6 for its one word."""
    data = bytes(range(32))
    assert charter_call_gas(data) == 20_006
    code = charter_caller()
    yield from charter_call_case(spec, VOTER, code, status=True, result=0, updated=False, charged=True, data=data)


@vector_case("state_transition", "apply_block")
def test_refused_charter_call_one_byte_into_its_32nd_word(spec: ModuleType) -> Iterator[Part]:
    """The same with 993 bytes: 31 whole words and one byte of a 32nd, so 20,000 + 6 * 32."""
    data = bytes([0x01]) * 993
    assert charter_call_gas(data) == 20_192
    code = charter_caller()
    yield from charter_call_case(spec, VOTER, code, status=True, result=0, updated=False, charged=True, data=data)


@vector_case("state_transition", "apply_block")
def test_second_update_judged_against_the_first(spec: ModuleType) -> Iterator[Part]:
    """In one transaction the managing contract first hands the charter to VOTER, then calls it again: the second
    call is judged against the charter the first left, whose manager is no longer the caller, so it is refused
    (0 in slot 1); the hand-over stands (1 in slot 0)."""
    relay_twice = bytes([0xE7]) * 20  # the charter's manager: a contract making both calls
    before = spec.replace(managed(spec, MEMBER), management_contract=spec.Address(relay_twice))
    handed = spec.replace(before, management_contract=spec.Address(VOTER))
    first, second = spec.encode_governance_call(handed), spec.encode_governance_call(spec.replace(before, vision="x"))
    stores = b"".join(
        asm(push(chunk.ljust(32, b"\x00")), push(offset + index * 32), op.MSTORE)
        for offset, data in ((0, first), (4096, second))
        for index, chunk in enumerate(data[i : i + 32] for i in range(0, len(data), 32))
    )
    calls = asm(
        push(0), push(0), push(len(first)), push(0), push(0), push(CHARTER_CONTRACT), op.GAS, op.CALL, push(0), op.SSTORE,
        push(0), push(0), push(len(second)), push(4096), push(0), push(CHARTER_CONTRACT), op.GAS, op.CALL, push(1), op.SSTORE,
    )
    chain = genesis(before, funded(MEMBER), (relay_twice, GenesisAccount(0, 1, asm(stores, calls))))
    raws = [tx(MEMBER, 0, relay_twice, gas=500_000)]
    block = block_of(spec, *raws)
    queries = [(relay_twice, (0, 1))]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    assert applied.receipts[0].status == 1
    assert (applied.storage(relay_twice, 0), applied.storage(relay_twice, 1)) == (1, 0)
    assert applied.state.charter == handed
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_first_block_runs_under_the_recorded_genesis_charter(spec: ModuleType) -> Iterator[Part]:
    """The initial settings are final from the first block: block 1, with a transfer and no charter call, runs
    under the genesis charter exactly, and its state commits to that charter's root."""
    chain = genesis(managed(spec, ALICE), funded(ALICE))
    raws = [tx(ALICE, 0, RECIPIENT, value=1, gas=TRANSFER_GAS)]
    block = block_of(spec, *raws)
    yield from inputs(spec, chain, block, [(RECIPIENT, ())])
    applied = apply(spec, chain, block)
    assert applied.state.charter == chain.charter
    assert spec.compute_charter_root(applied.state.charter) == bytes(keccak(spec.encode_charter(chain.charter)))
    yield post(spec, applied, [(RECIPIENT, ())])


# --- Genesis rules ------------------------------------------------------------------------------------------------


@vector_case("state_transition", "apply_block")
def test_genesis_allocating_an_address_twice_rejected(spec: ModuleType) -> Iterator[Part]:
    """Alice allocated twice (5 then 7 wei): refused, rather than a world holding 7 and a supply of 12."""
    alice = address_of(ALICE)
    chain = genesis(charter(spec), (alice, GenesisAccount(5)), (alice, GenesisAccount(7)))
    yield from expect_error(spec, chain, block_of(spec), "InvalidGenesis")


@vector_case("state_transition", "apply_block")
def test_genesis_allocating_the_charter_address_rejected(spec: ModuleType) -> Iterator[Part]:
    """Code at CHARTER_ADDRESS would run on every charter update: the genesis may not allocate it."""
    charter_address = bytes.fromhex("4200000000000000000000000000000000000100")
    assert charter_address == spec.CHARTER_ADDRESS
    chain = genesis(charter(spec), funded(ALICE), (charter_address, GenesisAccount(0, code=b"\x00")))
    yield from expect_error(spec, chain, block_of(spec), "InvalidGenesis")


@vector_case("state_transition", "apply_block", presets=("minimal",))
def test_metis_dao_sets_tax_rates_for_the_rest_of_the_block(spec: ModuleType) -> Iterator[Part]:
    """MetisDAO (the minimal preset's key-held account) sets a 10% tax from 0 wei on a DAC whose SUBMIT_TX rules do
    not list it; ALICE's 1,000-wei transfer later in the block pays 100 wei of tax to MetisDAO.

    MetisDAO's balance: start - update gas x price + 100. The update (setTax) costs 21,000 + its calldata + the
    charter call's gas.
    """
    metis_dao = address_of(METIS_DAO_KEY)
    assert metis_dao == treasury(spec) == spec.METIS_DAO_ADDRESS
    chain = genesis(managed(spec, ALICE), funded(METIS_DAO_KEY, ALICE))
    proposed = managed(spec, ALICE, taxrates=[(0, 1000)])
    data = spec.encode_tax_call(proposed)
    raws = [tx(METIS_DAO_KEY, 0, CHARTER_CONTRACT, data=data), tx(ALICE, 0, RECIPIENT, value=1000, gas=TRANSFER_GAS)]
    block = block_of(spec, *raws)
    queries = [(metis_dao, ()), (address_of(ALICE), ()), (RECIPIENT, ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    update_gas = TRANSFER_GAS + data_gas(data) + charter_call_gas(data)
    assert applied.summary(0) == (True, update_gas, ()) and applied.summary(1) == (True, TRANSFER_GAS, ())
    assert applied.state.charter == proposed and applied.receipts[1].tax == 100
    assert applied.balance(metis_dao) == FUNDS - update_gas * PRICE + 100
    assert applied.balance(address_of(ALICE)) == FUNDS - 1000 - 100 - TRANSFER_GAS * PRICE
    assert applied.balance(RECIPIENT) == 1000
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block", presets=("minimal",))
def test_metis_dao_may_not_change_more_than_tax_rates(spec: ModuleType) -> Iterator[Part]:
    """MetisDAO calling setGovernance (a new submitter list) is refused: that is the manager's."""
    chain = genesis(managed(spec, ALICE), funded(METIS_DAO_KEY))
    proposed = managed(spec, ALICE, MEMBER)
    yield from expect_error(
        spec, chain, block_of(spec, update(spec, METIS_DAO_KEY, 0, proposed)), "UnauthorizedCharterUpdate"
    )


@vector_case("state_transition", "apply_block")
def test_genesis_with_invalid_charter_rejected(spec: ModuleType) -> Iterator[Part]:
    """A genesis charter taxing at 100.01% is refused when the chain is built: the charter is final from genesis."""
    chain = genesis(charter(spec, taxrates=[(0, 10_001)]), funded(ALICE))
    yield from expect_error(spec, chain, block_of(spec), "TaxRateAboveMaximum")


@vector_case("state_transition", "apply_block")
def test_genesis_with_unknown_permission_action_rejected(spec: ModuleType) -> Iterator[Part]:
    """A genesis charter naming action 0x104 (past IPFS_WRITE) is refused."""
    chain = genesis(charter(spec, rule(spec, ALLOW, 0x104, ALICE)), funded(ALICE))
    yield from expect_error(spec, chain, block_of(spec), "UnknownPermissionAction")


@vector_case("state_transition", "apply_block")
def test_genesis_allocating_the_message_passer_address_rejected(spec: ModuleType) -> Iterator[Part]:
    """The message passer's code is the spec's: a genesis may not allocate its address, not even with that code."""
    assert MESSAGE_PASSER == spec.MESSAGE_PASSER_ADDRESS
    passer = (MESSAGE_PASSER, GenesisAccount(0, 1, MESSAGE_PASSER_CODE))
    chain = genesis(charter(spec), funded(ALICE), passer)
    yield from expect_error(spec, chain, block_of(spec), "InvalidGenesis")


@vector_case("state_transition", "apply_block")
def test_genesis_allocating_the_beacon_roots_address_rejected(spec: ModuleType) -> Iterator[Part]:
    """Every genesis holds the EIP-4788 contract; a genesis may not allocate its address, not even with that code
    (code there would run, free of gas and of the charter, at the start of every block)."""
    beacon = (evm.BEACON_ROOTS_ADDRESS, GenesisAccount(0, 1, BEACON_ROOTS_CONTRACT_CODE))
    chain = genesis(charter(spec), funded(ALICE), beacon)
    yield from expect_error(spec, chain, block_of(spec), "InvalidGenesis")


def expect_invalid_genesis(spec: ModuleType, accepted: Genesis, refused: Genesis) -> Iterator[Part]:
    """``refused`` breaks a genesis rule; ``accepted``, the same allocation at the edge of the rule, does not."""
    assert accepted.state(spec).coinbase_supply == accepted.supply
    yield from expect_error(spec, refused, block_of(spec), "InvalidGenesis")


@vector_case("state_transition", "apply_block")
def test_genesis_nonce_above_uint64_rejected(spec: ModuleType) -> Iterator[Part]:
    """A genesis account at nonce 2^64 (2^64 - 1 is allowed)."""
    at_edge = genesis(charter(spec), (address_of(ALICE), GenesisAccount(FUNDS, 2**64 - 1)))
    beyond = genesis(charter(spec), (address_of(ALICE), GenesisAccount(FUNDS, 2**64)))
    yield from expect_invalid_genesis(spec, at_edge, beyond)


@vector_case("state_transition", "apply_block")
def test_genesis_balance_above_uint256_rejected(spec: ModuleType) -> Iterator[Part]:
    """A genesis balance of 2^256 (2^256 - 1 is allowed)."""
    at_edge = genesis(charter(spec), (address_of(ALICE), GenesisAccount(2**256 - 1)))
    beyond = genesis(charter(spec), (address_of(ALICE), GenesisAccount(2**256)))
    yield from expect_invalid_genesis(spec, at_edge, beyond)


@vector_case("state_transition", "apply_block")
def test_genesis_storage_value_above_uint256_rejected(spec: ModuleType) -> Iterator[Part]:
    """A contract whose genesis storage holds 2^256 in slot 2^256 - 1 (2^256 - 1 there is allowed)."""
    at_edge = genesis(charter(spec), contract(VAULT, VAULT_CODE, ((2**256 - 1, 2**256 - 1),)))
    beyond = genesis(charter(spec), contract(VAULT, VAULT_CODE, ((2**256 - 1, 2**256),)))
    yield from expect_invalid_genesis(spec, at_edge, beyond)


@vector_case("state_transition", "apply_block")
def test_genesis_storage_slot_above_uint256_rejected(spec: ModuleType) -> Iterator[Part]:
    """A contract whose genesis storage names slot 2^256."""
    at_edge = genesis(charter(spec), contract(VAULT, VAULT_CODE, ((2**256 - 1, 1),)))
    beyond = genesis(charter(spec), contract(VAULT, VAULT_CODE, ((2**256, 1),)))
    yield from expect_invalid_genesis(spec, at_edge, beyond)


@vector_case("state_transition", "apply_block")
def test_genesis_code_above_the_maximum_code_size_rejected(spec: ModuleType) -> Iterator[Part]:
    """A genesis contract of 24,577 bytes of code, one more than EIP-170 allows (24,576 is allowed)."""
    at_edge = genesis(charter(spec), contract(VAULT, bytes(24_576)))
    beyond = genesis(charter(spec), contract(VAULT, bytes(24_577)))
    yield from expect_invalid_genesis(spec, at_edge, beyond)


@vector_case("state_transition", "apply_block")
def test_genesis_total_above_uint256_rejected(spec: ModuleType) -> Iterator[Part]:
    """Two genesis balances of 2^255 each: each fits, their total 2^256 does not (2^255 + 2^255 - 1 is allowed)."""
    at_edge = genesis(charter(spec), (address_of(ALICE), GenesisAccount(2**255)), (VAULT, GenesisAccount(2**255 - 1)))
    beyond = genesis(charter(spec), (address_of(ALICE), GenesisAccount(2**255)), (VAULT, GenesisAccount(2**255)))
    yield from expect_invalid_genesis(spec, at_edge, beyond)


# --- Header rules: the gas limit and the base fee ----------------------------------------------------------------


@vector_case("state_transition", "apply_block")
def test_gas_limit_one_below_the_preset_rejected(spec: ModuleType) -> Iterator[Part]:
    """Every block's gas limit is L2_BLOCK_GAS_LIMIT (30,000,000): 29,999,999 is refused, even for an empty block."""
    chain = genesis(charter(spec), funded(ALICE))
    yield from expect_error(spec, chain, block_of(spec, gas_limit=BLOCK_GAS_LIMIT - 1), "GasLimitMismatch")


@vector_case("state_transition", "apply_block")
def test_gas_limit_one_above_the_preset_rejected(spec: ModuleType) -> Iterator[Part]:
    """A gas limit of 30,000,001: a producer cannot enlarge its block."""
    chain = genesis(charter(spec), funded(ALICE))
    raw = tx(ALICE, 0, RECIPIENT, value=1, gas=TRANSFER_GAS)
    yield from expect_error(spec, chain, block_of(spec, raw, gas_limit=BLOCK_GAS_LIMIT + 1), "GasLimitMismatch")


@vector_case("state_transition", "apply_block")
def test_base_fee_one_above_the_genesis_base_fee_rejected(spec: ModuleType) -> Iterator[Part]:
    """Block 1 must keep the genesis base fee (7): 8 is refused."""
    chain = genesis(charter(spec), funded(ALICE))
    raw = tx(ALICE, 0, RECIPIENT, value=1, gas=TRANSFER_GAS)
    yield from expect_error(spec, chain, block_of(spec, raw, base_fee=BASE_FEE + 1), "BaseFeeMismatch")


@vector_case("state_transition", "apply_block")
def test_base_fee_one_below_the_genesis_base_fee_rejected(spec: ModuleType) -> Iterator[Part]:
    """Block 1 with base fee 6 after a genesis base fee of 7."""
    chain = genesis(charter(spec), funded(ALICE))
    yield from expect_error(spec, chain, block_of(spec, base_fee=BASE_FEE - 1), "BaseFeeMismatch")


@vector_case("state_transition", "apply_block")
def test_first_block_keeps_a_high_genesis_base_fee(spec: ModuleType) -> Iterator[Part]:
    """A genesis base fee of 1 gwei: block 1 has it, and its transfer burns 21,000 gwei and tips 0.1 gwei a gas
    (fee cap 2 gwei, tip 0.1 gwei: price 1.1 gwei)."""
    gwei = 10**9
    chain = genesis(charter(spec), funded(ALICE), base_fee=gwei)
    raws = [tx(ALICE, 0, RECIPIENT, value=3, gas=TRANSFER_GAS, max_fee=2 * gwei, tip=gwei // 10)]
    block = block_of(spec, *raws, base_fee=gwei)
    queries = [(address_of(ALICE), ()), (RECIPIENT, ()), (PRODUCER, ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    assert applied.summary(0) == (True, TRANSFER_GAS, ())
    assert applied.balance(address_of(ALICE)) == FUNDS - 3 - TRANSFER_GAS * (gwei + gwei // 10)
    assert applied.balance(PRODUCER) == TRANSFER_GAS * gwei // 10
    assert applied.state.coinbase_supply == FUNDS - TRANSFER_GAS * gwei
    assert applied.state.world.state_root == plain_cancun(chain.alloc, raws, base_fee=gwei).root
    yield post(spec, applied, queries)


# --- Deposits (L1 -> L2) -------------------------------------------------------------------------------------------


@vector_case("state_transition", "apply_block")
def test_value_deposit_mints_and_pays_no_gas(spec: ModuleType) -> Iterator[Part]:
    """DEPOSITOR, with no genesis account, deposits with mint 1 MT and value 0.3 MT to RECIPIENT (gas limit
    50,000): the call uses 21,000 gas at price 0, so DEPOSITOR keeps mint - value, RECIPIENT gets the value and
    nothing is burnt. DEPOSITOR's signed transfer later in the block has nonce 1 (the deposit took nonce 0) and
    pays for its gas from the minted MT; only it tips the producer and burns a base fee. The block hash commits to
    the deposit's leaf, the transaction's hash and both receipts."""
    mint, value, spent = 10**18, 3 * 10**17, 5
    chain = genesis(charter(spec), funded(ALICE))
    minted = deposit(spec, DEPOSITOR, RECIPIENT, mint=mint, value=value, gas=50_000)
    raws = [tx(DEPOSITOR, 1, RECIPIENT_2, value=spent, gas=TRANSFER_GAS)]
    block = block_of(spec, *raws, deposits=[minted])
    depositor = address_of(DEPOSITOR)
    queries = [(depositor, ()), (RECIPIENT, ()), (RECIPIENT_2, ()), (PRODUCER, ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    assert applied.summary(0) == (True, TRANSFER_GAS, ()) and applied.summary(1) == (True, TRANSFER_GAS, ())
    assert [int(receipt.cumulative_gas_used) for receipt in applied.receipts] == [21_000, 42_000]
    assert [int(receipt.tax) for receipt in applied.receipts] == [0, 0]
    assert applied.balance(depositor) == mint - value - spent - TRANSFER_GAS * PRICE and applied.nonce(depositor) == 2
    assert (applied.balance(RECIPIENT), applied.balance(RECIPIENT_2)) == (value, spent)
    assert applied.balance(PRODUCER) == TRANSFER_GAS * TIP  # the transaction's tip; the deposit paid nothing
    assert applied.state.coinbase_supply == FUNDS + mint - TRANSFER_GAS * BASE_FEE
    plain = plain_cancun(chain.alloc, raws, deposits=[replayed(DEPOSITOR, 0, minted)])
    assert applied.state.world.state_root == plain.root and plain.receipts == [applied.summary(0), applied.summary(1)]
    charter_root = bytes(keccak(spec.encode_charter(chain.charter)))
    parent = genesis_hash(plain_cancun(chain.alloc, [], beacon_update=False).root, charter_root)
    deposits_root = list_root(1, deposit_leaf(0, depositor, RECIPIENT, mint, value, 50_000, b""))
    receipts_root = list_root(2, keccak(receipt_leaf(True, 21_000, (), 0) + receipt_leaf(True, 42_000, (), 0)))
    block_hash = header_hash(parent, plain.root, deposits_root, list_root(1, keccak(raws[0])), receipts_root)
    assert applied.state.recent_block_hashes[0] == block_hash
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_deposit_calling_a_contract(spec: ModuleType) -> Iterator[Part]:
    """A deposit of value 0.005 MT to a contract storing CALLVALUE: the contract sees and holds exactly the value.
    Gas by hand: 21,000 + CALLVALUE 2 + PUSH1 3 + a cold SSTORE 0 -> non-zero 22,100 = 43,105, at price 0: the
    producer gains nothing and is not even created."""
    mint, value = 10**18, 5 * MILLI
    chain = genesis(charter(spec), contract(VAULT, VAULT_CODE))
    call_vault = deposit(spec, DEPOSITOR, VAULT, mint=mint, value=value, gas=100_000)
    block = block_of(spec, deposits=[call_vault])
    queries = [(address_of(DEPOSITOR), ()), (VAULT, (0,)), (PRODUCER, ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    assert applied.summary(0) == (True, 21_000 + 2 + 3 + 22_100, ())
    assert applied.storage(VAULT) == value and applied.balance(VAULT) == value
    assert applied.balance(address_of(DEPOSITOR)) == mint - value and applied.nonce(address_of(DEPOSITOR)) == 1
    assert applied.balance(PRODUCER) == 0 and applied.state.coinbase_supply == mint
    plain = plain_cancun(chain.alloc, [], deposits=[replayed(DEPOSITOR, 0, call_vault)])
    assert applied.state.world.state_root == plain.root and plain.receipts == [applied.summary(0)]
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_creation_deposit_deploys_at_the_senders_next_address(spec: ModuleType) -> Iterator[Part]:
    """The listed deployer, at nonce 3 and without funds, deposits a contract creation with mint 1 MT and value 7:
    the contract is at the address of (deployer, 3) with the runtime code, 7 wei and nonce 1; the deployer's nonce
    is 4. Gas as for a creation transaction: 21,000 + 32,000 + 208 (calldata) + 2 (one word) + 24 (init code) +
    200 a byte of runtime code."""
    init_code = deploying(VAULT_CODE)
    chain = genesis(deployers_only(spec), (address_of(DEPLOYER), GenesisAccount(0, 3)))
    creation = deposit(spec, DEPLOYER, None, mint=10**18, value=7, data=init_code)
    block = block_of(spec, deposits=[creation])
    created = generate_contract_address(Address(address_of(DEPLOYER)), 3)
    queries = [(address_of(DEPLOYER), ()), (created, (0,))]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    assert data_gas(init_code) == 208 and len(VAULT_CODE) == 5
    assert applied.summary(0) == (True, 21_000 + 32_000 + 208 + 2 + 24 + 200 * 5, ())
    assert evm.get_code(applied.state.world, created) == VAULT_CODE
    assert applied.balance(created) == 7 and applied.nonce(created) == 1 and applied.storage(created) == 0
    assert applied.balance(address_of(DEPLOYER)) == 10**18 - 7 and applied.nonce(address_of(DEPLOYER)) == 4
    plain = plain_cancun(chain.alloc, [], deposits=[replayed(DEPLOYER, 3, creation)])
    assert applied.state.world.state_root == plain.root and plain.receipts == [applied.summary(0)]
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_creation_deposit_with_a_whole_word_of_init_code(spec: ModuleType) -> Iterator[Part]:
    """The same creation with its init code padded with zeros to exactly 32 bytes (never run: they follow the
    RETURN): one word of init code, so 2 gas for it, and 4 a padding byte more calldata."""
    init_code = deploying(VAULT_CODE)
    padding = 32 - len(init_code)
    init_code += bytes(padding)
    chain = genesis(deployers_only(spec), (address_of(DEPLOYER), GenesisAccount(0, 3)))
    creation = deposit(spec, DEPLOYER, None, mint=10**18, value=7, data=init_code)
    block = block_of(spec, deposits=[creation])
    created = generate_contract_address(Address(address_of(DEPLOYER)), 3)
    queries = [(address_of(DEPLOYER), ()), (created, ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    assert data_gas(init_code) == 208 + 4 * padding
    assert applied.summary(0) == (True, 21_000 + 32_000 + 208 + 4 * padding + 2 + 24 + 200 * 5, ())
    assert evm.get_code(applied.state.world, created) == VAULT_CODE
    plain = plain_cancun(chain.alloc, [], deposits=[replayed(DEPLOYER, 3, creation)])
    assert applied.state.world.state_root == plain.root and plain.receipts == [applied.summary(0)]
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_reverting_deposit_keeps_its_mint_and_nonce_increment(spec: ModuleType) -> Iterator[Part]:
    """A deposit of 0.1 MT (mint 1 MT) to a contract that writes a slot and reverts: status 0, the value and the
    slot stay where they were, the mint and the nonce increment stay. Gas: 21,000 + 3 + 3 + 22,100 (the SSTORE) +
    3 + 3; REVERT returns the rest."""
    reverter = asm(push(1), push(3), op.SSTORE, push(0), push(0), op.REVERT)
    chain = genesis(charter(spec), contract(VAULT, reverter))
    reverted = deposit(spec, DEPOSITOR, VAULT, mint=10**18, value=10**17, gas=100_000)
    block = block_of(spec, deposits=[reverted])
    queries = [(address_of(DEPOSITOR), ()), (VAULT, (3,))]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    assert applied.summary(0) == (False, 21_000 + 3 + 3 + 22_100 + 3 + 3, ())
    assert applied.balance(address_of(DEPOSITOR)) == 10**18 and applied.nonce(address_of(DEPOSITOR)) == 1
    assert applied.balance(VAULT) == 0 and applied.storage(VAULT, 3) == 0
    plain = plain_cancun(chain.alloc, [], deposits=[replayed(DEPOSITOR, 0, reverted)])
    assert applied.state.world.state_root == plain.root and plain.receipts == [applied.summary(0)]
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_deposit_reaching_a_forbidden_opcode_halts_its_frame(spec: ModuleType) -> Iterator[Part]:
    """The charter still governs a deposit's call: RESTRICTED, denied SSTORE, deposits 9 wei to a contract that
    executes SSTORE. The frame halts like INVALID: status 0, the whole 100,000 gas used (at price 0: nobody pays
    it), the value returned, the slot untouched; the mint and the nonce increment stay."""
    chain = genesis(charter(spec, rule(spec, DENY, SSTORE, RESTRICTED)), contract(INNER, store_one()))
    denied = deposit(spec, RESTRICTED, INNER, mint=10**18, value=9, gas=100_000)
    block = block_of(spec, deposits=[denied])
    queries = [(address_of(RESTRICTED), ()), (INNER, (0,))]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    assert applied.summary(0) == (False, 100_000, ())
    assert applied.balance(address_of(RESTRICTED)) == 10**18 and applied.nonce(address_of(RESTRICTED)) == 1
    assert applied.storage(INNER) == 0 and applied.balance(INNER) == 0
    plain = plain_cancun(substituted(chain.alloc, INNER, SSTORE), [], deposits=[replayed(RESTRICTED, 0, denied)])
    assert plain.receipts == [applied.summary(0)]  # (the roots differ: the substituted code is another code)
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_taxed_deposit_pays_its_tax_to_the_treasury(spec: ModuleType) -> Iterator[Part]:
    """Under a 10% tax, a deposit of value 0.001 MT whose mint is exactly value + tax (0.0011 MT): the call runs,
    the recipient gets the value, the treasury the 0.0001 MT tax, the sender is left with nothing."""
    value, tax = MILLI, MILLI // 10
    chain = genesis(charter(spec, taxrates=TEN_PERCENT), funded(ALICE))
    taxed = deposit(spec, DEPOSITOR, RECIPIENT, mint=value + tax, value=value, gas=TRANSFER_GAS)
    block = block_of(spec, deposits=[taxed])
    queries = [(address_of(DEPOSITOR), ()), (RECIPIENT, ()), (treasury(spec), ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    assert applied.summary(0) == (True, TRANSFER_GAS, ()) and applied.receipts[0].tax == tax
    assert applied.balance(address_of(DEPOSITOR)) == 0 and applied.nonce(address_of(DEPOSITOR)) == 1
    assert (applied.balance(RECIPIENT), applied.balance(treasury(spec))) == (value, tax)
    replay = replayed(DEPOSITOR, 0, taxed, tax=tax)
    assert (
        applied.state.world.state_root == plain_cancun(chain.alloc, [], deposits=[replay], treasury=treasury(spec)).root
    )
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_deposit_paying_through_a_forwarder_is_taxed_at_depth(spec: ModuleType) -> Iterator[Part]:
    """Forced inclusion does not carry value past the tax: a deposit minting value + tax pays 0.001 MT to a
    forwarder holding 0.0001 MT, which pays it on to RECIPIENT: both hops pay 10%, the receipt records both, and
    the world is plain py-evm's (the deposit replayed as a zero-price transaction) with the forwarder's tax moved
    by hand."""
    value, tax = MILLI, MILLI // 10
    chain = genesis(charter(spec, taxrates=TEN_PERCENT), funded(ALICE), (FORWARDER, GenesisAccount(tax, 1, forwarding())))
    paid = deposit(spec, DEPOSITOR, FORWARDER, mint=value + tax, value=value, gas=GAS)
    block = block_of(spec, deposits=[paid])
    queries = [(address_of(DEPOSITOR), ()), (FORWARDER, (0,)), (RECIPIENT, ()), (treasury(spec), ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    assert applied.receipts[0].status == 1 and applied.receipts[0].tax == 2 * tax
    assert (applied.balance(address_of(DEPOSITOR)), applied.balance(FORWARDER), applied.balance(RECIPIENT)) == (0, 0, value)
    assert applied.balance(treasury(spec)) == 2 * tax
    replay = replayed(DEPOSITOR, 0, paid, tax=tax)
    plain = plain_cancun(chain.alloc, [], deposits=[replay], treasury=treasury(spec))
    moved = plain_cancun(
        [(a, GenesisAccount(0, 1, g.code)) if a == FORWARDER else (a, g) for a, g in chain.alloc]
        + [(treasury(spec), GenesisAccount(tax))],
        [],
        deposits=[replay],
        treasury=treasury(spec),
    )
    assert applied.summary(0) == plain.receipts[0]
    assert applied.state.world.state_root == moved.root
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_metis_dao_deposit_sets_tax_rates_for_the_rest_of_the_block(spec: ModuleType) -> Iterator[Part]:
    """Governance from L1: MetisDAO (METIS_DAO_ADDRESS, with no genesis account and no key on mainnet) deposits a
    charter update setting 10% from 0 wei, on a DAC whose SUBMIT_TX rules do not list it. The deposit runs as a
    call to the charter (gas: 21,000 + its calldata + the charter call's, at price 0); ALICE's 1,000-wei transfer
    later in the block pays 100 wei of tax to MetisDAO."""
    metis_dao = treasury(spec)
    assert metis_dao == spec.METIS_DAO_ADDRESS
    chain = genesis(managed(spec, ALICE), funded(ALICE))
    proposed = managed(spec, ALICE, taxrates=[(0, 1000)])
    data = spec.encode_tax_call(proposed)
    update_gas = TRANSFER_GAS + data_gas(data) + charter_call_gas(data)
    governance = deposit(spec, metis_dao, CHARTER_CONTRACT, gas=update_gas, data=data)
    raws = [tx(ALICE, 0, RECIPIENT, value=1000, gas=TRANSFER_GAS)]
    block = block_of(spec, *raws, deposits=[governance])
    queries = [(metis_dao, ()), (address_of(ALICE), ()), (RECIPIENT, ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    assert applied.summary(0) == (True, update_gas, ()) and applied.summary(1) == (True, TRANSFER_GAS, ())
    assert applied.state.charter == proposed and [int(receipt.tax) for receipt in applied.receipts] == [0, 100]
    assert applied.balance(metis_dao) == 100 and applied.nonce(metis_dao) == 1
    assert applied.balance(address_of(ALICE)) == FUNDS - 1000 - 100 - TRANSFER_GAS * PRICE
    if spec.PRESET == "minimal":  # MetisDAO's key is known: replay the deposit in plain py-evm (gas is free)
        replay = replayed(METIS_DAO_KEY, 0, governance)
        plain = plain_cancun(chain.alloc, raws, deposits=[replay], taxes={0: 100}, treasury=metis_dao)
        assert applied.state.world.state_root == plain.root
    yield post(spec, applied, queries)


def expect_skipped_deposit(
    spec: ModuleType,
    chain: Genesis,
    signer: PrivateKey,
    skipped: Any,
    rule_name: str,
    follower: PrivateKey = ALICE,
) -> Iterator[Part]:
    """``skipped``, from ``signer``, breaks ``rule_name``, a rule its call must pass: its mint is credited and
    nothing else happens (status 0, no gas, no log, no tax, no nonce). ``follower``'s transfer after it shows the
    block goes on."""
    sender = address_of(signer)
    start_balance, start_nonce = next(((a.balance, a.nonce) for s, a in chain.alloc if s == sender), (0, 0))
    raws = [tx(follower, 0, RECIPIENT_2, value=1, gas=TRANSFER_GAS)]
    block = block_of(spec, *raws, deposits=[skipped])
    recipient = [] if skipped.to is None else [(bytes(skipped.to), ())]
    queries: list[tuple[bytes, Sequence[int]]] = [(sender, ()), *recipient]
    yield from inputs(spec, chain, block, queries)
    pre = chain.state(spec)
    started = spec.start_block(pre, block)
    assert spec.apply_deposit(started, block, block.deposits[0], BLOCK_GAS_LIMIT)[2] == rule_name
    applied = apply(spec, chain, block)
    assert applied.summary(0) == (False, 0, ()) and applied.receipts[0].tax == 0
    assert applied.summary(1) == (True, TRANSFER_GAS, ()) and int(applied.receipts[1].cumulative_gas_used) == 21_000
    follows = follower is signer  # the sender's own transfer then spends 1 wei and gas, and takes the next nonce
    spent = 1 + TRANSFER_GAS * PRICE if follows else 0
    assert applied.balance(sender) == start_balance + int(skipped.mint) - spent
    assert applied.nonce(sender) == start_nonce + int(follows)
    if skipped.to is not None:
        assert applied.balance(bytes(skipped.to)) == evm.get_balance(pre.world, bytes(skipped.to))
    else:
        assert applied.nonce(generate_contract_address(Address(sender), start_nonce)) == 0
    assert applied.state.charter == chain.charter
    plain = plain_cancun(chain.alloc, raws, deposits=[replayed(signer, start_nonce, skipped, skipped=True)])
    assert applied.state.world.state_root == plain.root
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_deposit_from_an_outsider_is_skipped_and_keeps_its_mint(spec: ModuleType) -> Iterator[Part]:
    """A permissioned DAC (only MEMBER and ALICE submit): OUTSIDER's deposit of 0.1 MT (mint 1 MT) to RECIPIENT
    may not run (SUBMIT_TX), so only the mint happens; the block goes on."""
    chain = genesis(participants_only(spec), funded(ALICE))
    skipped = deposit(spec, OUTSIDER, RECIPIENT, mint=10**18, value=10**17, gas=50_000)
    yield from expect_skipped_deposit(spec, chain, OUTSIDER, skipped, "SubmitterNotPermitted")


@vector_case("state_transition", "apply_block")
def test_creation_deposit_from_a_non_deployer_is_skipped_and_keeps_its_mint(spec: ModuleType) -> Iterator[Part]:
    """Only DEPLOYER may CREATE: OUTSIDER's creation deposit (mint 1 MT) deploys nothing and takes no nonce."""
    chain = genesis(deployers_only(spec), funded(ALICE))
    skipped = deposit(spec, OUTSIDER, None, mint=10**18, data=deploying(VAULT_CODE))
    yield from expect_skipped_deposit(spec, chain, OUTSIDER, skipped, "DeploymentNotPermitted")


@vector_case("state_transition", "apply_block")
def test_deposit_short_of_its_tax_by_one_wei_is_skipped(spec: ModuleType) -> Iterator[Part]:
    """Under a 10% tax, a deposit of value 0.001 MT whose mint is value + tax - 1 wei: enough for the value, one
    wei short of value and tax, so the call is skipped and the sender keeps the whole mint."""
    value, tax = MILLI, MILLI // 10
    chain = genesis(charter(spec, taxrates=TEN_PERCENT), funded(ALICE))
    skipped = deposit(spec, DEPOSITOR, RECIPIENT, mint=value + tax - 1, value=value, gas=TRANSFER_GAS)
    assert skipped.mint >= value
    yield from expect_skipped_deposit(spec, chain, DEPOSITOR, skipped, "InsufficientFunds")


@vector_case("state_transition", "apply_block", presets=("mainnet",))
def test_creation_deposit_with_too_much_init_code_is_skipped(spec: ModuleType) -> Iterator[Part]:
    """A creation deposit with 49,153 bytes of init code (one more than EIP-3860 allows, within mainnet's deposit
    data limit; the minimal preset's 1,024-byte limit refuses it at the hub): skipped, the mint kept."""
    init_code = bytes(49_153)
    assert len(init_code) <= DEPOSIT_DATA_LIMIT_BY_PRESET[spec.PRESET]
    chain = genesis(charter(spec), funded(ALICE))
    skipped = deposit(spec, OUTSIDER, None, mint=10**18, data=init_code, gas=creation_intrinsic_gas(init_code))
    yield from expect_skipped_deposit(spec, chain, OUTSIDER, skipped, "InitcodeTooLarge")


@vector_case("state_transition", "apply_block", presets=("mainnet",))
def test_creation_deposit_with_the_largest_init_code_runs(spec: ModuleType) -> Iterator[Part]:
    """A creation deposit with exactly 49,152 bytes of init code (as much as EIP-3860 allows; mainnet only, as
    above): all zero, so it stops at once, deploys an empty contract and uses exactly its intrinsic gas."""
    init_code = bytes(49_152)
    chain = genesis(charter(spec), funded(ALICE))
    creation = deposit(spec, OUTSIDER, None, mint=10**18, data=init_code, gas=creation_intrinsic_gas(init_code))
    block = block_of(spec, deposits=[creation])
    created = generate_contract_address(Address(address_of(OUTSIDER)), 0)
    queries = [(address_of(OUTSIDER), ()), (created, ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    assert applied.summary(0) == (True, creation_intrinsic_gas(init_code), ()) and applied.nonce(created) == 1
    plain = plain_cancun(chain.alloc, [], deposits=[replayed(OUTSIDER, 0, creation)])
    assert applied.state.world.state_root == plain.root and plain.receipts == [applied.summary(0)]
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_unauthorized_charter_update_by_deposit_is_skipped(spec: ModuleType) -> Iterator[Part]:
    """MEMBER, a submitter but not the management contract, deposits a setGovernance call (mint 0.001 MT): the call
    is skipped, the charter unchanged, MEMBER's nonce unused (its transfer after it has nonce 0)."""
    chain = genesis(managed(spec, MEMBER), funded(MEMBER))
    proposal = spec.encode_governance_call(managed(spec, MEMBER, ALICE))
    skipped = deposit(spec, MEMBER, CHARTER_CONTRACT, mint=MILLI, gas=TRANSFER_GAS + data_gas(proposal), data=proposal)
    yield from expect_skipped_deposit(spec, chain, MEMBER, skipped, "UnauthorizedCharterUpdate", follower=MEMBER)


def gas_filling_deposits(spec: ModuleType) -> tuple[Genesis, list[Any], int]:
    """A 21,000-gas transfer deposit, then as many deposits of the per-L1-block maximum gas (to a contract that
    halts at INVALID, so each uses all its gas) as leave less than that maximum in the block: 1 on mainnet
    (20,000,000), 99 on minimal (300,000). Returns the genesis, the deposits and the gas they leave."""
    budget = DEPOSIT_GAS_BUDGET_BY_PRESET[spec.PRESET]
    assert budget == spec.MAX_DEPOSIT_GAS_PER_L1_BLOCK
    burners = (BLOCK_GAS_LIMIT - TRANSFER_GAS - 1) // budget
    left = BLOCK_GAS_LIMIT - TRANSFER_GAS - burners * budget
    assert 0 < left < budget and left == {"mainnet": 9_979_000, "minimal": 279_000}[spec.PRESET]
    chain = genesis(charter(spec), contract(BURNER, bytes([INVALID])))
    transfer = deposit(spec, DEPOSITOR, RECIPIENT, gas=TRANSFER_GAS)
    return chain, [transfer] + [deposit(spec, DEPOSITOR, BURNER, gas=budget)] * burners, left


@vector_case("state_transition", "apply_block")
def test_deposit_gas_above_the_gas_left_in_the_block_rejected(spec: ModuleType) -> Iterator[Part]:
    """Deposits count against the block's gas limit: after deposits that used all but 9,979,000 gas (mainnet) or
    279,000 (minimal), a deposit with one gas more than that is refused (with exactly that much it fits)."""
    chain, deposits, left = gas_filling_deposits(spec)
    fitting = apply(spec, chain, block_of(spec, deposits=[*deposits, deposit(spec, DEPOSITOR, RECIPIENT, gas=left)]))
    assert fitting.total_gas == BLOCK_GAS_LIMIT - left + TRANSFER_GAS
    assert [receipt.status for receipt in fitting.receipts] == [1] + [0] * (len(deposits) - 1) + [1]
    block = block_of(spec, deposits=[*deposits, deposit(spec, DEPOSITOR, RECIPIENT, gas=left + 1)])
    yield from expect_error(spec, chain, block, "BlockGasLimitExceeded")


@vector_case("state_transition", "apply_block")
def test_deposit_gas_exactly_the_gas_left_in_the_block_fits(spec: ModuleType) -> Iterator[Part]:
    """The same deposits, the last with exactly the gas left: it fits, and the block uses 21,000 more than its limit
    less the gas that was left (the last deposit is a plain transfer)."""
    chain, deposits, left = gas_filling_deposits(spec)
    block = block_of(spec, deposits=[*deposits, deposit(spec, DEPOSITOR, RECIPIENT, gas=left)])
    yield from inputs(spec, chain, block, [(RECIPIENT, ())])
    applied = apply(spec, chain, block)
    assert applied.total_gas == BLOCK_GAS_LIMIT - left + TRANSFER_GAS
    assert [receipt.status for receipt in applied.receipts] == [1] + [0] * (len(deposits) - 1) + [1]
    yield post(spec, applied, [(RECIPIENT, ())])


@vector_case("state_transition", "apply_block")
def test_deposit_gas_below_its_intrinsic_gas_rejected(spec: ModuleType) -> Iterator[Part]:
    """A deposit carrying 2 bytes (one zero, one not) with gas 21,019, one below its intrinsic 21,000 + 4 + 16: the
    hub never enqueues one, and a block that includes it is invalid (21,020 is fine)."""
    chain = genesis(charter(spec), funded(ALICE))
    data = b"\x00\x01"
    fine = deposit(spec, DEPOSITOR, RECIPIENT, gas=TRANSFER_GAS + 4 + 16, data=data)
    assert apply(spec, chain, block_of(spec, deposits=[fine])).summary(0) == (True, 21_020, ())
    short = deposit(spec, DEPOSITOR, RECIPIENT, mint=10**18, gas=TRANSFER_GAS + 4 + 16 - 1, data=data)
    yield from expect_error(spec, chain, block_of(spec, deposits=[short]), "DepositGasBelowIntrinsic")


@vector_case("state_transition", "apply_block")
def test_deposit_minting_past_the_largest_supply_rejected(spec: ModuleType) -> Iterator[Part]:
    """A genesis allocating 2**256 - 6 wei in all, then a deposit minting 6 wei: the supply would pass 2**256 - 1, so
    the block is invalid (a derived block never holds one: the hub bounds every mint and allocation). Minting 5 wei
    reaches exactly 2**256 - 1 and is accepted."""
    chain = genesis(charter(spec), (address_of(ALICE), GenesisAccount(2**256 - 6)))
    at_limit = apply(spec, chain, block_of(spec, deposits=[deposit(spec, DEPOSITOR, RECIPIENT, mint=5, gas=TRANSFER_GAS)]))
    assert at_limit.state.coinbase_supply == 2**256 - 1
    block = block_of(spec, deposits=[deposit(spec, DEPOSITOR, RECIPIENT, mint=6, gas=TRANSFER_GAS)])
    yield from expect_error(spec, chain, block, "SupplyOverflow")


@vector_case("state_transition", "apply_block")
def test_deposit_minting_up_to_the_largest_supply_accepted(spec: ModuleType) -> Iterator[Part]:
    """The same genesis and a deposit minting 5 wei: the supply reaches exactly 2**256 - 1, which is allowed. The
    5 wei go to the depositor, its call (a plain transfer of nothing) succeeds."""
    chain = genesis(charter(spec), (address_of(ALICE), GenesisAccount(2**256 - 6)))
    minting = deposit(spec, DEPOSITOR, RECIPIENT, mint=5, gas=TRANSFER_GAS)
    block = block_of(spec, deposits=[minting])
    queries = [(address_of(DEPOSITOR), ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    assert applied.state.coinbase_supply == 2**256 - 1 and applied.balance(address_of(DEPOSITOR)) == 5
    plain = plain_cancun(chain.alloc, [], deposits=[replayed(DEPOSITOR, 0, minting)])
    assert applied.state.world.state_root == plain.root and plain.receipts == [applied.summary(0)]
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_deposit_beyond_any_bond_rejected(spec: ModuleType) -> Iterator[Part]:
    """A deposit minting 10 * MAX_SEQUENCER_LOCK + 10 wei, whose Dynamic Bond Threshold no stake could reach: the hub
    would have refused it, so a block holding it is invalid."""
    max_lock = {"mainnet": 100_000 * 10**18, "minimal": 100 * 10**18}[spec.PRESET]
    chain = genesis(charter(spec), funded(ALICE))
    block = block_of(spec, deposits=[deposit(spec, DEPOSITOR, RECIPIENT, mint=10 * max_lock + 10, gas=TRANSFER_GAS)])
    yield from expect_error(spec, chain, block, "DepositExceedsBondCapacity")


@vector_case("state_transition", "apply_block")
def test_deposit_gas_above_the_per_l1_block_maximum_rejected(spec: ModuleType) -> Iterator[Part]:
    """A deposit with one gas more than MAX_DEPOSIT_GAS_PER_L1_BLOCK (20,000,001 on mainnet, 300,001 on minimal),
    though the block has room for it."""
    budget = DEPOSIT_GAS_BUDGET_BY_PRESET[spec.PRESET]
    chain = genesis(charter(spec), funded(ALICE))
    at_maximum = apply(spec, chain, block_of(spec, deposits=[deposit(spec, DEPOSITOR, RECIPIENT, gas=budget)]))
    assert at_maximum.summary(0) == (True, TRANSFER_GAS, ())
    block = block_of(spec, deposits=[deposit(spec, DEPOSITOR, RECIPIENT, gas=budget + 1)])
    yield from expect_error(spec, chain, block, "DepositGasAboveLimit")


@vector_case("state_transition", "apply_block", presets=("minimal",))
def test_deposit_data_above_the_maximum_rejected(spec: ModuleType) -> Iterator[Part]:
    """A deposit carrying 1,025 bytes, one more than the minimal preset's MAX_DEPOSIT_DATA_BYTES (mainnet's limit,
    120,000 bytes, would make a vector of a quarter megabyte; the rule is the same)."""
    limit = DEPOSIT_DATA_LIMIT_BY_PRESET[spec.PRESET]
    chain = genesis(charter(spec), funded(ALICE))
    at_limit = deposit(spec, DEPOSITOR, RECIPIENT, gas=TRANSFER_GAS + 16 * limit, data=b"\x01" * limit)
    assert apply(spec, chain, block_of(spec, deposits=[at_limit])).summary(0)[0]
    above = deposit(spec, DEPOSITOR, RECIPIENT, gas=TRANSFER_GAS + 16 * (limit + 1), data=b"\x01" * (limit + 1))
    yield from expect_error(spec, chain, block_of(spec, deposits=[above]), "DepositDataTooLarge")


# --- The message passer (L2 -> L1) -------------------------------------------------------------------------------


@vector_case("state_transition", "apply_block")
def test_message_to_the_passer_burns_its_value(spec: ModuleType) -> Iterator[Part]:
    """ALICE sends two messages to the message passer: 0.001 MT with some data, then nothing with none. Each is
    recorded at its withdrawal hash keccak256(abi.encode(chain id, nonce, caller, target, value, keccak256(data)))
    (nonces 0 and 1), slot 0 counts 2, each is logged under its hash; the 0.001 MT is burnt, not kept by the
    passer. The output root commits to the passer's storage root, rebuilt here from the three slots."""
    value, data = MILLI, b"to L1 \x00\x01"
    chain = genesis(charter(spec), funded(ALICE))
    raws = [
        tx(ALICE, 0, MESSAGE_PASSER, value=value, data=message(L1_TARGET, data)),
        tx(ALICE, 1, MESSAGE_PASSER, data=message(L1_TARGET, b"")),
    ]
    block = block_of(spec, *raws)
    alice = address_of(ALICE)
    hashes = [withdrawal_hash(0, alice, L1_TARGET, value, data), withdrawal_hash(1, alice, L1_TARGET, 0, b"")]
    slots = [0] + [int.from_bytes(h, "big") for h in hashes]
    queries = [(alice, ()), (MESSAGE_PASSER, slots)]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block, withdrawn=value)
    logs = [message_log(0, alice, L1_TARGET, value, data), message_log(1, alice, L1_TARGET, 0, b"")]
    assert [applied.summary(index)[::2] for index in (0, 1)] == [(True, (logs[0],)), (True, (logs[1],))]
    assert [applied.storage(MESSAGE_PASSER, slot) for slot in slots] == [2, 1, 1]
    assert applied.balance(alice) == FUNDS - value - (applied.gas(0) + applied.gas(1)) * PRICE
    assert applied.state.coinbase_supply == FUNDS - value - applied.total_gas * BASE_FEE
    plain = plain_cancun(chain.alloc, raws)
    assert applied.state.world.state_root == plain.root and plain.withdrawn == value
    assert plain.receipts == [applied.summary(0), applied.summary(1)]
    passer_root = storage_root(dict(zip(slots, [2, 1, 1])))
    assert evm.get_storage_root(applied.state.world, MESSAGE_PASSER) == passer_root
    charter_root = bytes(keccak(spec.encode_charter(chain.charter)))
    parent = genesis_hash(plain_cancun(chain.alloc, [], beacon_update=False).root, charter_root)
    gas = [applied.gas(0), applied.gas(0) + applied.gas(1)]
    transactions_root = list_root(2, keccak(keccak(raws[0]) + keccak(raws[1])))  # two leaves: keccak256 of the pair
    receipts_root = list_root(2, keccak(receipt_leaf(True, gas[0], [logs[0]], 0) + receipt_leaf(True, gas[1], [logs[1]], 0)))
    block_hash = header_hash(parent, plain.root, list_root(0), transactions_root, receipts_root)
    assert applied.state.recent_block_hashes[0] == block_hash
    context = context_root(FUNDS - value - applied.total_gas * BASE_FEE, gas[1], block_hash, parent)
    assert spec.get_state_output_root(applied.state) == output_root(plain.root, charter_root, passer_root, block_hash, context)
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_deposit_to_the_passer_withdraws_at_once(spec: ModuleType) -> Iterator[Part]:
    """A withdrawal forced from L1: DEPOSITOR deposits with mint 1 MT and value 0.4 MT to the message passer. The
    message's caller is DEPOSITOR; the 0.4 MT is burnt in the same deposit, so the supply grows by 0.6 MT only."""
    mint, value, data = 10**18, 4 * 10**17, b"exit"
    chain = genesis(charter(spec), funded(ALICE))
    exit_deposit = deposit(spec, DEPOSITOR, MESSAGE_PASSER, mint=mint, value=value, data=message(L1_TARGET, data))
    block = block_of(spec, deposits=[exit_deposit])
    depositor = address_of(DEPOSITOR)
    slot = int.from_bytes(withdrawal_hash(0, depositor, L1_TARGET, value, data), "big")
    queries = [(depositor, ()), (MESSAGE_PASSER, (0, slot))]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block, withdrawn=value)
    assert applied.summary(0)[0] and applied.summary(0)[2] == (message_log(0, depositor, L1_TARGET, value, data),)
    assert (applied.storage(MESSAGE_PASSER, 0), applied.storage(MESSAGE_PASSER, slot)) == (1, 1)
    assert applied.balance(depositor) == mint - value and applied.nonce(depositor) == 1
    assert applied.state.coinbase_supply == FUNDS + mint - value
    plain = plain_cancun(chain.alloc, [], deposits=[replayed(DEPOSITOR, 0, exit_deposit)])
    assert applied.state.world.state_root == plain.root and plain.receipts == [applied.summary(0)]
    yield post(spec, applied, queries)


def forbids_everything_but_exits(spec: ModuleType) -> Any:
    """A charter that forbids BANNED to submit, and to SSTORE, LOG1 and KECCAK256: all the passer needs."""
    actions = (SUBMIT_TX, SSTORE, LOG1, KECCAK256)
    return charter(spec, *(rule(spec, DENY, action, BANNED) for action in actions))


@vector_case("state_transition", "apply_block")
def test_message_passer_admits_a_signer_the_charter_forbids_everything(spec: ModuleType) -> Iterator[Part]:
    """BANNED may not submit, nor SSTORE, LOG1 or KECCAK256, the opcodes the passer runs. Its deposit (value 0.01
    MT) and then its transaction (value 0.001 MT) to the passer are admitted and run with the plain opcode table:
    both messages are recorded and logged, both values burnt, exactly as plain Cancun does."""
    chain = genesis(forbids_everything_but_exits(spec), funded(BANNED))
    banned_address = address_of(BANNED)
    from_l1 = deposit(spec, BANNED, MESSAGE_PASSER, mint=10**17, value=10**16, data=message(L1_TARGET, b"l1"))
    raws = [tx(BANNED, 1, MESSAGE_PASSER, value=MILLI, data=message(L1_TARGET, b"l2"))]
    block = block_of(spec, *raws, deposits=[from_l1])
    logs = [
        message_log(0, banned_address, L1_TARGET, 10**16, b"l1"),
        message_log(1, banned_address, L1_TARGET, MILLI, b"l2"),
    ]
    slots = [0] + [int.from_bytes(log[1][0], "big") for log in logs]
    queries = [(banned_address, ()), (MESSAGE_PASSER, slots)]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block, withdrawn=10**16 + MILLI)
    assert applied.summary(0)[0] and applied.summary(0)[2] == (logs[0],)
    assert applied.summary(1)[0] and applied.summary(1)[2] == (logs[1],)
    assert [applied.storage(MESSAGE_PASSER, slot) for slot in slots] == [2, 1, 1]
    assert applied.balance(banned_address) == FUNDS + 10**17 - 10**16 - MILLI - applied.gas(1) * PRICE
    plain = plain_cancun(chain.alloc, raws, deposits=[replayed(BANNED, 0, from_l1)])
    assert applied.state.world.state_root == plain.root and plain.receipts == [applied.summary(0), applied.summary(1)]
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_forbidden_signer_transaction_elsewhere_rejected(spec: ModuleType) -> Iterator[Part]:
    """The same charter: BANNED's message to the passer is valid, but its transfer to RECIPIENT after it is not."""
    chain = genesis(forbids_everything_but_exits(spec), funded(BANNED))
    raws = [
        tx(BANNED, 0, MESSAGE_PASSER, value=MILLI, data=message(L1_TARGET, b"")),
        tx(BANNED, 1, RECIPIENT, value=1, gas=TRANSFER_GAS),
    ]
    yield from expect_error(spec, chain, block_of(spec, *raws), "SubmitterNotPermitted")


@vector_case("state_transition", "apply_block")
def test_contract_calling_the_passer(spec: ModuleType) -> Iterator[Part]:
    """RESTRICTED (denied SSTORE and LOG1) calls a contract holding 100 wei that sends 40 wei and a message to the
    passer and logs what the passer returns: the message's caller is the contract, the passer (exempt) records it
    and returns its withdrawal hash, and the 40 wei are burnt."""
    payload = message(L1_TARGET, b"hi")
    chain = genesis(
        charter(spec, rule(spec, DENY, SSTORE, RESTRICTED), rule(spec, DENY, LOG1, RESTRICTED)),
        funded(RESTRICTED),
        (RELAY, GenesisAccount(100, 1, relay(40, payload))),
    )
    raws = [tx(RESTRICTED, 0, RELAY)]
    block = block_of(spec, *raws)
    hash_of_message = withdrawal_hash(0, RELAY, L1_TARGET, 40, b"hi")
    queries = [(RELAY, ()), (MESSAGE_PASSER, (0, int.from_bytes(hash_of_message, "big")))]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block, withdrawn=40)
    expected_logs = (message_log(0, RELAY, L1_TARGET, 40, b"hi"), (RELAY, (), hash_of_message))
    assert applied.summary(0)[0] and applied.summary(0)[2] == expected_logs
    assert applied.balance(RELAY) == 60 and applied.storage(MESSAGE_PASSER, int.from_bytes(hash_of_message, "big")) == 1
    plain = plain_cancun(chain.alloc, raws)
    assert (
        applied.state.world.state_root == plain.root
        and plain.receipts == [applied.summary(0)]
        and plain.withdrawn == 40
    )
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_malformed_messages_revert_and_keep_the_value(spec: ModuleType) -> Iterator[Part]:
    """Two messages of 0.001 MT the passer refuses: 31 bytes of calldata (short of the target word), and a target
    word whose first byte is not zero. Both revert (status 0, no log, no slot); the value stays with ALICE, who pays
    only gas; nothing is burnt but the base fee."""
    chain = genesis(charter(spec), funded(ALICE))
    dirty = b"\x01" + bytes(11) + L1_TARGET + b"x"
    raws = [
        tx(ALICE, 0, MESSAGE_PASSER, value=MILLI, data=bytes(31)),
        tx(ALICE, 1, MESSAGE_PASSER, value=MILLI, data=dirty),
    ]
    block = block_of(spec, *raws)
    queries = [(address_of(ALICE), ()), (MESSAGE_PASSER, (0,))]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    assert [applied.summary(index)[::2] for index in (0, 1)] == [(False, ()), (False, ())]
    assert all(applied.gas(index) < GAS for index in (0, 1))  # REVERT: the rest of the gas comes back
    assert applied.storage(MESSAGE_PASSER, 0) == 0
    assert applied.balance(address_of(ALICE)) == FUNDS - applied.total_gas * PRICE
    plain = plain_cancun(chain.alloc, raws)
    assert applied.state.world.state_root == plain.root and plain.withdrawn == 0
    assert plain.receipts == [applied.summary(0), applied.summary(1)]
    yield post(spec, applied, queries)


# --- The supply rule -------------------------------------------------------------------------------------------------


@vector_case("state_transition", "apply_block")
def test_supply_counts_mints_burnt_fees_and_withdrawn_value(spec: ModuleType) -> Iterator[Part]:
    """Under a 10% tax: a deposit minting 0.5 MT that sends 0.1 MT to RECIPIENT; a deposit minting 10 wei whose
    11-wei call is skipped; a deposit of 0.1 MT to the passer; ALICE's taxed transfer and MEMBER's 0.003 MT message.
    Supply = allocation + (0.5 MT + 10 wei) minted - base fee of the transactions' gas - 0.103 MT withdrawn, and it
    equals the sum of every balance. Receipts: taxes 0.01 MT, 0, 0, 0.0001 MT, 0 (value sent to the message passer
    leaves the chain untaxed); cumulative gas."""
    chain = genesis(charter(spec, taxrates=TEN_PERCENT), funded(ALICE, MEMBER))
    deposits = [
        deposit(spec, DEPOSITOR, RECIPIENT, mint=5 * 10**17, value=10**17, gas=TRANSFER_GAS),
        deposit(spec, OUTSIDER, RECIPIENT, mint=10, value=11, gas=TRANSFER_GAS),
        deposit(spec, DEPOSITOR, MESSAGE_PASSER, value=10**17, data=message(L1_TARGET, b"d")),
    ]
    raws = [
        tx(ALICE, 0, RECIPIENT_2, value=MILLI, gas=TRANSFER_GAS),
        tx(MEMBER, 0, MESSAGE_PASSER, value=3 * MILLI, data=message(L1_TARGET, b"t")),
    ]
    block = block_of(spec, *raws, deposits=deposits)
    withdrawn = 10**17 + 3 * MILLI
    everyone = [address_of(s) for s in (ALICE, MEMBER, DEPOSITOR, OUTSIDER)] + [
        RECIPIENT,
        RECIPIENT_2,
        treasury(spec),
        PRODUCER,
        MESSAGE_PASSER,
    ]
    queries = [(address, ()) for address in everyone]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block, withdrawn=withdrawn)
    taxes = [10**16, 0, 0, 10**14, 0]
    assert [int(receipt.tax) for receipt in applied.receipts] == taxes
    assert [receipt.status for receipt in applied.receipts] == [1, 0, 1, 1, 1]
    gases = [applied.gas(index) for index in range(5)]
    assert gases[:2] == [TRANSFER_GAS, 0] and gases[3] == TRANSFER_GAS
    transaction_gas = gases[3] + gases[4]
    supply = 2 * FUNDS + 5 * 10**17 + 10 - transaction_gas * BASE_FEE - withdrawn
    assert applied.state.coinbase_supply == supply == sum(applied.balance(address) for address in everyone)
    assert applied.balance(treasury(spec)) == sum(taxes) and applied.balance(PRODUCER) == transaction_gas * TIP
    assert applied.balance(address_of(DEPOSITOR)) == 5 * 10**17 - 2 * 10**17 - 10**16
    assert applied.balance(address_of(OUTSIDER)) == 10 and applied.nonce(address_of(OUTSIDER)) == 0
    plain = plain_cancun(
        chain.alloc,
        raws,
        deposits=[
            replayed(DEPOSITOR, 0, deposits[0], tax=10**16),
            replayed(OUTSIDER, 0, deposits[1], skipped=True),
            replayed(DEPOSITOR, 1, deposits[2]),
        ],
        taxes={0: 10**14},
        treasury=treasury(spec),
    )
    assert applied.state.world.state_root == plain.root and plain.withdrawn == withdrawn
    assert plain.receipts == [applied.summary(index) for index in range(5)]
    plain_gas = [gas for _, gas, _ in plain.receipts]
    cumulative = [sum(plain_gas[: index + 1]) for index in range(5)]  # the skipped deposit adds nothing
    assert [int(receipt.cumulative_gas_used) for receipt in applied.receipts] == cumulative
    yield post(spec, applied, queries)


# --- Storage: the handle is rolled up, the data is not (spec/v1/storage.md) ----------------------------------------

HANDLE_REGISTRY = bytes([0xB4]) * 20
# Keeps the first two words of its calldata in slots 0 and 1: room for a resolver's 52-byte handle.
HANDLE_REGISTRY_CODE = asm(
    push(0), op.CALLDATALOAD, push(0), op.SSTORE, push(32), op.CALLDATALOAD, push(1), op.SSTORE, op.STOP
)


@vector_case("state_transition", "apply_block")
def test_saving_a_storage_handle_is_an_ordinary_transaction(spec: ModuleType) -> Iterator[Part]:
    """The storage chapter's last step: the user saves the handle its chain's resolver answered (52 bytes: the SIV
    and the sealed CID of "hello world") in a contract, with an ordinary transaction that is executed, committed
    by the output root and challengeable like any other. The data itself is in no block."""
    handle = hand_sealed(SECRET_A, CHAIN_ID, HELLO_CID_BYTES)  # as this chain's resolver seals it
    chain = genesis(charter(spec), funded(ALICE), contract(HANDLE_REGISTRY, HANDLE_REGISTRY_CODE))
    block = block_of(spec, tx(ALICE, 0, HANDLE_REGISTRY, data=handle))
    queries = [(HANDLE_REGISTRY, (0, 1))]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    assert len(handle) == 52
    # CALLDATALOAD pads past the end with zeros: slot 1 holds the last 20 bytes and 12 zero bytes.
    assert applied.storage(HANDLE_REGISTRY, 0) == int.from_bytes(handle[:32], "big")
    assert applied.storage(HANDLE_REGISTRY, 1) == int.from_bytes(handle[32:] + bytes(12), "big")
    assert applied.summary(0)[0] and applied.state.world.state_root == plain_cancun(chain.alloc, block.transactions)[0]
    assert spec.get_state_output_root(applied.state) != spec.get_state_output_root(applied.pre)
    yield post(spec, applied, queries)


# --- Cancun exactly: where py-evm 0.12.1b1 deviates, the spec follows the EIPs --------------------------------------
# (Plain py-evm is not the oracle here: it gets these wrong. The expectations are read off the EIPs.)

COLLIDER_INIT = asm(push(1), push(0), op.SSTORE, op.STOP)  # init code that would write slot 0 := 1


@vector_case("state_transition", "apply_block")
def test_creation_onto_an_address_with_only_storage_collides(spec: ModuleType) -> Iterator[Part]:
    """EIP-7610: the address a creation transaction would create has no code, nonce 0 and balance 0 but holds
    storage (a genesis allocation): the creation collides, as onto code or a nonce, and the transaction consumes
    all its gas. (py-evm 0.12.1b1 checks only code and nonce and would create the contract over the storage.)"""
    target = generate_contract_address(Address(address_of(ALICE)), 0)
    chain = genesis(charter(spec), funded(ALICE), (target, GenesisAccount(0, 0, b"", ((7, 9),))))
    block = block_of(spec, tx(ALICE, 0, None, data=COLLIDER_INIT, gas=100_000))
    queries = [(target, (0, 7)), (address_of(ALICE), ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    assert applied.summary(0) == (False, 100_000, ())  # a collision keeps every unit of gas
    assert applied.storage(target, 7) == 9 and applied.storage(target, 0) == 0 and applied.nonce(target) == 0
    assert evm.get_code(applied.state.world, target) == b"" and applied.nonce(address_of(ALICE)) == 1
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_creation_onto_an_address_with_only_a_balance_succeeds(spec: ModuleType) -> Iterator[Part]:
    """EIP-7610's control: a balance alone is no collision (EIP-684 names code and nonce, EIP-7610 adds storage);
    the contract is created and keeps the balance."""
    target = generate_contract_address(Address(address_of(ALICE)), 0)
    chain = genesis(charter(spec), funded(ALICE), (target, GenesisAccount(5)))
    block = block_of(spec, tx(ALICE, 0, None, data=COLLIDER_INIT, gas=100_000))
    queries = [(target, (0,))]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    assert applied.summary(0)[0] and applied.storage(target, 0) == 1 and applied.balance(target) == 5
    assert applied.nonce(target) == 1
    yield post(spec, applied, queries)


CREATE2_FACTORY = bytes([0xC2]) * 20
COLLIDER_SALT = 3


@vector_case("state_transition", "apply_block")
def test_create2_onto_an_address_with_only_storage_collides(spec: ModuleType) -> Iterator[Part]:
    """EIP-7610 for CREATE2: the factory's CREATE2 targets an address holding only storage: 0 is pushed (stored by
    the factory in slot 0), the address keeps its storage and gets no code, and the factory's nonce still rises."""
    factory_code = asm(create(op.CREATE2, COLLIDER_INIT, COLLIDER_SALT), push(0), op.SSTORE, op.STOP)
    target = generate_safe_contract_address(Address(CREATE2_FACTORY), COLLIDER_SALT, COLLIDER_INIT)
    chain = genesis(
        charter(spec),
        funded(ALICE),
        contract(CREATE2_FACTORY, factory_code, ((0, 0xEE),)),
        (target, GenesisAccount(0, 0, b"", ((7, 9),))),
    )
    # A collision keeps the 63/64 of the gas CREATE2 passed on: enough must be left to store its 0.
    block = block_of(spec, tx(ALICE, 0, CREATE2_FACTORY, gas=1_000_000))
    queries = [(CREATE2_FACTORY, (0,)), (target, (0, 7))]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    assert applied.summary(0)[0] and applied.storage(CREATE2_FACTORY, 0) == 0  # CREATE2 pushed 0
    assert applied.nonce(CREATE2_FACTORY) == 2  # incremented before the collision check, as for any creation
    assert applied.storage(target, 7) == 9 and evm.get_code(applied.state.world, target) == b""
    yield post(spec, applied, queries)


MODEXP_CALLER = bytes([0xC5]) * 20
# Copies its calldata to memory, STATICCALLs MODEXP (0x05) with it, stores the first output word (written at
# 0x200, fresh memory) in slot 0 and the output's length in slot 1.
MODEXP_CALLER_CODE = asm(
    op.CALLDATASIZE, push(0), push(0), op.CALLDATACOPY,
    push(32), push(0x200), op.CALLDATASIZE, push(0), push(5), op.GAS, op.STATICCALL, op.POP,
    push(0x200), op.MLOAD, push(0), op.SSTORE, op.RETURNDATASIZE, push(1), op.SSTORE, op.STOP,
)  # fmt: skip


def modexp_input(base: bytes, exponent: bytes, modulus: bytes) -> bytes:
    lengths = b"".join(len(part).to_bytes(32, "big") for part in (base, exponent, modulus))
    return lengths + base + exponent + modulus


def expect_modexp(spec: ModuleType, data: bytes, hand_output: bytes) -> Iterator[Part]:
    chain = genesis(charter(spec), funded(ALICE), contract(MODEXP_CALLER, MODEXP_CALLER_CODE, ((0, 0xEE), (1, 0xEE))))
    block = block_of(spec, tx(ALICE, 0, MODEXP_CALLER, data=data))
    queries = [(MODEXP_CALLER, (0, 1))]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    assert applied.summary(0)[0]
    assert applied.storage(MODEXP_CALLER, 0) == int.from_bytes(hand_output.ljust(32, b"\x00"), "big")
    assert applied.storage(MODEXP_CALLER, 1) == len(hand_output)
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_modexp_of_an_empty_base_to_the_zero_is_one(spec: ModuleType) -> Iterator[Part]:
    """MODEXP with a base 0 bytes long, exponent 0 and modulus 5: the base is 0 and 0 ** 0 % 5 is 1 (the execution
    specs' `pow(0, 0, 5)`). py-evm 0.12.1b1 answers 0 for any empty base."""
    yield from expect_modexp(spec, modexp_input(b"", b"\x00", b"\x05"), b"\x01")


@vector_case("state_transition", "apply_block")
def test_modexp_of_an_empty_base_to_a_positive_power_is_zero(spec: ModuleType) -> Iterator[Part]:
    """MODEXP with an empty base, exponent 3 and a two-byte modulus 7: 0 ** 3 % 7 is 0, two bytes of output."""
    yield from expect_modexp(spec, modexp_input(b"", b"\x03", b"\x00\x07"), b"\x00\x00")


@vector_case("state_transition", "apply_block")
def test_modexp_of_an_empty_base_modulo_one_is_zero(spec: ModuleType) -> Iterator[Part]:
    """MODEXP with an empty base, exponent 0 and modulus 1: 1 % 1 is 0."""
    yield from expect_modexp(spec, modexp_input(b"", b"\x00", b"\x01"), b"\x00")


@vector_case("state_transition", "apply_block")
def test_modexp_with_no_base_and_no_modulus_answers_nothing(spec: ModuleType) -> Iterator[Part]:
    """MODEXP with base and modulus both 0 bytes long: no output at all, whatever the exponent."""
    yield from expect_modexp(spec, modexp_input(b"", b"\x00", b""), b"")


@vector_case("state_transition", "apply_block")
def test_modexp_of_an_ordinary_base(spec: ModuleType) -> Iterator[Part]:
    """MODEXP where py-evm was always right: 3 ** 5 % 7 = 243 % 7 = 5."""
    yield from expect_modexp(spec, modexp_input(b"\x03", b"\x05", b"\x07"), b"\x05")


# --- Histories: blocks after the first (input.parents, applied with state_transition) ----------------------------


def inputs_after(spec: ModuleType, chain: Genesis, parents: Sequence[Any], block: Any, queries: Queries = ()) -> Iterator[Part]:
    yield "pre", encode_genesis(chain.chain_id, chain.timestamp, chain.alloc, chain.charter, chain.base_fee)
    given = {"parents": [encode_l2_block(parent) for parent in parents], "block": encode_l2_block(block)}
    yield "input", given | {"accounts": encode_account_queries(queries)}


def state_after(spec: ModuleType, chain: Genesis, parents: Sequence[Any]) -> Any:
    state = chain.state(spec)
    for parent in parents:
        state = spec.state_transition(state, parent)
    return state


def expect_error_after(spec: ModuleType, chain: Genesis, parents: Sequence[Any], block: Any, error: str) -> Iterator[Part]:
    yield from inputs_after(spec, chain, parents, block)
    yield from expect_spec_error(spec, error, lambda: spec.apply_block(state_after(spec, chain, parents), block))


SECOND_BLOCK_TIME = BLOCK_TIME + 12
HISTORY_READER = asm(
    push(1), op.BLOCKHASH, push(0), op.SSTORE, push(0), op.BLOCKHASH, push(1), op.SSTORE,
    push(2), op.BLOCKHASH, push(2), op.SSTORE, op.NUMBER, push(3), op.SSTORE, op.STOP,
)  # fmt: skip


@vector_case("state_transition", "apply_block")
def test_second_block_reads_the_first_blocks_hash(spec: ModuleType) -> Iterator[Part]:
    """A history of two blocks: block 1 is empty; in block 2, BLOCKHASH(1) is block 1's hash (worked out from the
    header rule), BLOCKHASH(0) the genesis hash, BLOCKHASH(2) of the current block 0, and NUMBER 2."""
    chain = genesis(charter(spec), funded(ALICE), contract(VAULT, HISTORY_READER))
    first = block_of(spec)
    second = block_of(spec, tx(ALICE, 0, VAULT), number=2, timestamp=SECOND_BLOCK_TIME)
    queries = [(VAULT, (0, 1, 2, 3))]
    yield from inputs_after(spec, chain, [first], second, queries)
    state, _ = spec.apply_block(state_after(spec, chain, [first]), second)
    genesis_root = plain_cancun(chain.alloc, [], beacon_update=False).root
    parent_hash = genesis_hash(genesis_root, bytes(keccak(spec.encode_charter(chain.charter))))
    first_hash = header_hash(parent_hash, plain_cancun(chain.alloc, []).root, list_root(0), list_root(0), list_root(0))
    stored = [evm.get_storage(state.world, VAULT, slot) for slot in range(4)]
    assert stored == [int.from_bytes(first_hash, "big"), int.from_bytes(parent_hash, "big"), 0, 2]
    assert state.recent_block_hashes[1:] == (first_hash, parent_hash)
    receipts = spec.apply_block(state_after(spec, chain, [first]), second)[1]
    yield "post", encode_state_transition_post(spec, state, receipts, queries)


OLDEST_READER = asm(push(0), op.BLOCKHASH, push(0), op.SSTORE, op.STOP)  # BLOCKHASH(0) into slot 0


@vector_case("state_transition", "apply_block")
def test_block_256_reads_the_genesis_hash_last(spec: ModuleType) -> Iterator[Part]:
    """A history of 255 empty blocks (base fee 7 throughout: 7 // 8 and 7 // 250 are 0), then block 256, in which
    BLOCKHASH(0) is still the genesis hash: a block sees the 256 hashes before it, the genesis the oldest. The
    state then keeps exactly the 256 newest hashes (blocks 1 to 256), which its output root commits to."""
    chain = genesis(charter(spec), funded(ALICE), contract(VAULT, OLDEST_READER))
    parents = [block_of(spec, number=number, timestamp=BLOCK_TIME + 12 * (number - 1)) for number in range(1, 256)]
    last = block_of(spec, tx(ALICE, 0, VAULT), number=256, timestamp=BLOCK_TIME + 12 * 255)
    queries = [(VAULT, (0,))]
    yield from inputs_after(spec, chain, parents, last, queries)
    state, receipts = spec.apply_block(state_after(spec, chain, parents), last)
    genesis_root = plain_cancun(chain.alloc, [], beacon_update=False).root
    parent_hash = genesis_hash(genesis_root, bytes(keccak(spec.encode_charter(chain.charter))))
    assert receipts[0].status == 1 and evm.get_storage(state.world, VAULT, 0) == int.from_bytes(parent_hash, "big")
    assert len(state.recent_block_hashes) == 256 and parent_hash not in state.recent_block_hashes
    yield "post", encode_state_transition_post(spec, state, receipts, queries)


HIGH_BASE_FEE = 10**9
BASE_FEE_DENOMINATOR_BY_PRESET = {"mainnet": 250, "minimal": 8}  # BASE_FEE_MAX_CHANGE_DENOMINATOR, from presets/*.yaml


@vector_case("state_transition", "apply_block")
def test_second_block_base_fee_follows_an_empty_first(spec: ModuleType) -> Iterator[Part]:
    """EIP-1559 across blocks: after an empty block 1 at base fee 10^9, block 2's base fee is
    10^9 - 10^9 * (target - 0) / target / D, with D the preset's change denominator (250 on mainnet: 996,000,000;
    8 on minimal: 875,000,000), and a transfer at that fee is included."""
    chain = genesis(charter(spec), funded(ALICE), base_fee=HIGH_BASE_FEE)
    first = block_of(spec, base_fee=HIGH_BASE_FEE)
    lowered = HIGH_BASE_FEE - HIGH_BASE_FEE // BASE_FEE_DENOMINATOR_BY_PRESET[spec.PRESET]
    transfer = tx(ALICE, 0, RECIPIENT, value=1, gas=TRANSFER_GAS, max_fee=2 * HIGH_BASE_FEE)
    second = block_of(spec, transfer, number=2, timestamp=SECOND_BLOCK_TIME, base_fee=lowered)
    queries = [(RECIPIENT, ())]
    yield from inputs_after(spec, chain, [first], second, queries)
    state, receipts = spec.apply_block(state_after(spec, chain, [first]), second)
    assert lowered in (996_000_000, 875_000_000) and state.latest_base_fee_per_gas == lowered
    assert receipts[0].status == 1
    assert evm.get_balance(state.world, RECIPIENT) == 1
    yield "post", encode_state_transition_post(spec, state, receipts, queries)


GAS_TARGET_BY_PRESET = {"mainnet": 5_000_000, "minimal": 15_000_000}  # 30,000,000 / the elasticity (6, 2)


def expect_base_fee_after(spec: ModuleType, first_transactions: Sequence[bytes], used: int, fee: int) -> Iterator[Part]:
    """Block 1 at base fee 10^9 holds ``first_transactions``, using ``used`` gas; block 2, empty, has base fee
    ``fee`` (worked out by the caller) and is valid."""
    chain = genesis(charter(spec), funded(ALICE), contract(BURNER, bytes([INVALID])), base_fee=HIGH_BASE_FEE)
    first = block_of(spec, *first_transactions, base_fee=HIGH_BASE_FEE)
    assert apply(spec, chain, first).total_gas == used
    second = block_of(spec, number=2, timestamp=SECOND_BLOCK_TIME, base_fee=fee)
    yield from inputs_after(spec, chain, [first], second)
    state, receipts = spec.apply_block(state_after(spec, chain, [first]), second)
    assert state.latest_base_fee_per_gas == fee and receipts == ()
    yield "post", encode_state_transition_post(spec, state, receipts, [])


@vector_case("state_transition", "apply_block")
def test_second_block_base_fee_rises_after_a_first_above_its_target(spec: ModuleType) -> Iterator[Part]:
    """Block 1 holds one transaction that halts at INVALID, using its whole gas limit: the gas target and a quarter
    more (minimal 18,750,000, mainnet 6,250,000). Block 2's base fee rises by 10^9 * (1/4) / D: 31,250,000 on
    minimal (D 8), 1,000,000 on mainnet (D 250)."""
    target = GAS_TARGET_BY_PRESET[spec.PRESET]
    used = target + target // 4
    burn = tx(ALICE, 0, BURNER, gas=used, max_fee=2 * HIGH_BASE_FEE)
    raised = {"minimal": 1_031_250_000, "mainnet": 1_001_000_000}[spec.PRESET]
    assert raised == HIGH_BASE_FEE + HIGH_BASE_FEE // 4 // BASE_FEE_DENOMINATOR_BY_PRESET[spec.PRESET]
    yield from expect_base_fee_after(spec, [burn], used, raised)


@vector_case("state_transition", "apply_block")
def test_second_block_base_fee_after_a_first_below_its_target(spec: ModuleType) -> Iterator[Part]:
    """Block 1 holds one transfer (21,000 gas): block 2's base fee falls by 10^9 * (target - 21,000) / target / D,
    rounded down at each division: 124,825,000 on minimal (998,600,000 / 8), 3,983,200 on mainnet
    (995,800,000 / 250)."""
    transfer = tx(ALICE, 0, RECIPIENT, value=1, gas=TRANSFER_GAS, max_fee=2 * HIGH_BASE_FEE)
    lowered = {"minimal": 1_000_000_000 - 124_825_000, "mainnet": 1_000_000_000 - 3_983_200}[spec.PRESET]
    yield from expect_base_fee_after(spec, [transfer], TRANSFER_GAS, lowered)


@vector_case("state_transition", "apply_block")
def test_second_block_keeping_the_parents_base_fee_is_invalid(spec: ModuleType) -> Iterator[Part]:
    """Block 2 claims block 1's base fee of 10^9 although block 1 was empty: BaseFeeMismatch."""
    chain = genesis(charter(spec), funded(ALICE), base_fee=HIGH_BASE_FEE)
    first = block_of(spec, base_fee=HIGH_BASE_FEE)
    second = block_of(spec, number=2, timestamp=SECOND_BLOCK_TIME, base_fee=HIGH_BASE_FEE)
    yield from expect_error_after(spec, chain, [first], second, "BaseFeeMismatch")


@vector_case("state_transition", "apply_block")
def test_transaction_replayed_in_the_next_block_is_invalid(spec: ModuleType) -> Iterator[Part]:
    """Block 2 includes block 1's transaction again: its nonce is used (NonceMismatch)."""
    chain = genesis(charter(spec), funded(ALICE))
    transfer = tx(ALICE, 0, RECIPIENT, value=1, gas=TRANSFER_GAS)
    first = block_of(spec, transfer)
    second = block_of(spec, transfer, number=2, timestamp=SECOND_BLOCK_TIME)
    yield from expect_error_after(spec, chain, [first], second, "NonceMismatch")


@vector_case("state_transition", "apply_block")
def test_block_number_skipping_one_is_invalid(spec: ModuleType) -> Iterator[Part]:
    """After block 1, a block numbered 3: BlockNumberMismatch."""
    chain = genesis(charter(spec), funded(ALICE))
    yield from expect_error_after(spec, chain, [block_of(spec)], block_of(spec, number=3, timestamp=SECOND_BLOCK_TIME), "BlockNumberMismatch")
