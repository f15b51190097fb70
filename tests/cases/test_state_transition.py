"""Vector cases for the state transition (spec/v1/execution.md: get_genesis_state, apply_block and what they call).

Each vector is a tiny genesis (``pre``), one block (``input``) and either what the block leaves behind (``post``:
roots, supply, receipts and a few named accounts) or the error that makes the block invalid. Before a post is
yielded, the case checks the spec's result against facts it knows without the spec:

- amounts from the fee rules, by hand: an EOA recipient gains exactly ``value``; the sender pays
  ``value + tax + gas_used * effective_gas_price``; the producer earns ``gas_used * priority fee``; the treasury
  (``METIS_DAO_ADDRESS``) gains the tax of the schedule, worked out bracket by bracket in the comments; the supply
  drops by ``gas_used * base_fee`` (burnt);
- gas by hand for transfers (21,000 plus data and access-list costs) and small creations; for code runs, gas,
  logs and status from **plain py-evm** (``CancunState``, never the adapter), with a forbidden opcode written as
  INVALID (0xfe) in the code, which is what the permission hook is defined to mean;
- whole state roots from plain py-evm whenever no forbidden opcode is reached (with the hand-computed tax moved
  by hand), which also shows that a zero tax touches no account;
- storage slots, nonces and statuses read off the rule (a denied frame changes nothing; a failing top frame burns
  its whole gas limit and gives status 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any, Iterator, Mapping, Sequence

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
from tests.unit.test_evm_adapter import LOG_TOP, asm, call, create, deploying, push, return_address, store_one, word

# --- The chain, the block, the fees --------------------------------------------------------------------------------

CHAIN_ID = 1089
OTHER_DAC_CHAIN_ID = 1090
GENESIS_TIME = 1_700_000_000
BLOCK_TIME = GENESIS_TIME + 12
PRODUCER = bytes([0xCB]) * 20
BLOCK_GAS_LIMIT = 30_000_000
RANDAO = bytes([0x11]) * 32
BEACON_ROOT = bytes([0xBE]) * 32
BASE_FEE = 7
MAX_FEE, TIP = 10, 2
PRICE = min(MAX_FEE, BASE_FEE + TIP)  # 9: the effective gas price of a dynamic-fee transaction
GAS = 200_000  # the gas limit of a transaction that runs code
TRANSFER_GAS = 21_000
FUNDS = 10**18  # what every funded account starts with
# METIS_DAO_ADDRESS, the treasury, per preset: written out by hand from presets/*.yaml.
TREASURY_BY_PRESET = {
    "mainnet": bytes.fromhex("4200000000000000000000000000000000000101"),
    "minimal": bytes.fromhex("ba32858ea15ad4a729d3aca3c2ed5e3363bc16f6"),
}
METIS_DAO_KEY = PrivateKey(bytes([0x4D]) * 32)  # the minimal preset's MetisDAO account


def treasury(spec: ModuleType) -> bytes:
    return TREASURY_BY_PRESET[spec.PRESET]


CHARTER_CONTRACT = bytes.fromhex("4200000000000000000000000000000000000100")  # CHARTER_ADDRESS, by hand
INVALID = 0xFE
CREATE, CREATE2, SSTORE, ADDRESS = op.CREATE, op.CREATE2, op.SSTORE, op.ADDRESS
SUBMIT_TX = 0x100
ALLOW, DENY = 0, 1


def key(number: int) -> PrivateKey:
    return PrivateKey(bytes([number]) * 32)


def address_of(signer: PrivateKey) -> bytes:
    return bytes(signer.public_key.to_canonical_address())


DEPLOYER, MEMBER, OUTSIDER, BANNED, ALICE, RESTRICTED, MANAGER = (key(n) for n in range(0x11, 0x18))
RECIPIENT, RECIPIENT_2 = bytes([0xC0]) * 20, bytes([0xC1]) * 20  # accounts without code, absent from genesis
FACTORY, PROXY, OUTER, MIDDLE, INNER, VAULT = (bytes([tag]) * 20 for tag in (0xF0, 0xA0, 0xA1, 0xA2, 0xB0, 0xB1))


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

    @property
    def supply(self) -> int:
        return sum(account.balance for _, account in self.alloc)

    def state(self, spec: ModuleType) -> Any:
        alloc = [(spec.Address(address), account) for address, account in self.alloc]
        return spec.get_genesis_state(spec.ChainId(self.chain_id), alloc, self.charter, spec.Timestamp(self.timestamp))


def genesis(charter: Any, *alloc: tuple[bytes, GenesisAccount] | list[tuple[bytes, GenesisAccount]]) -> Genesis:
    accounts: list[tuple[bytes, GenesisAccount]] = []
    for item in alloc:
        accounts += item if isinstance(item, list) else [item]
    return Genesis(tuple(accounts), charter)


def block_of(
    spec: ModuleType,
    *transactions: bytes,
    number: int = 1,
    timestamp: int = BLOCK_TIME,
    gas_limit: int = BLOCK_GAS_LIMIT,
    base_fee: int = BASE_FEE,
) -> Any:
    return spec.L2Block(
        number=spec.BlockNumber(number),
        timestamp=spec.Timestamp(timestamp),
        producer=spec.Address(PRODUCER),
        gas_limit=spec.uint64(gas_limit),
        base_fee_per_gas=spec.Wei(base_fee),
        prev_randao=spec.Hash32(RANDAO),
        parent_beacon_block_root=spec.Hash32(BEACON_ROOT),
        transactions=tuple(transactions),
    )


Queries = Sequence[tuple[bytes, Sequence[int]]]


@dataclass(frozen=True)
class Applied:
    """The spec's result of applying a block to a genesis, with readers for the hand-made checks."""

    pre: Any
    state: Any
    receipts: tuple[Any, ...]

    def balance(self, address: bytes) -> int:
        return evm.get_balance(self.state.world, address)

    def nonce(self, address: bytes) -> int:
        return evm.get_nonce(self.state.world, address)

    def storage(self, address: bytes, slot: int = 0) -> int:
        return evm.get_storage(self.state.world, address, slot)

    def gas(self, index: int) -> int:
        """The gas transaction ``index`` used alone (receipts hold running totals)."""
        previous = self.receipts[index - 1].cumulative_gas_used if index else 0
        return int(self.receipts[index].cumulative_gas_used) - int(previous)

    @property
    def total_gas(self) -> int:
        return int(self.receipts[-1].cumulative_gas_used) if self.receipts else 0

    def summary(self, index: int) -> tuple[bool, int, tuple[Any, ...]]:
        receipt = self.receipts[index]
        logs = tuple((bytes(log.address), tuple(bytes(t) for t in log.topics), bytes(log.data)) for log in receipt.logs)
        return receipt.status == 1, self.gas(index), logs


def inputs(spec: ModuleType, chain: Genesis, block: Any, queries: Queries = ()) -> Iterator[Part]:
    yield "pre", encode_genesis(chain.chain_id, chain.timestamp, chain.alloc, chain.charter)
    yield "input", {"block": encode_l2_block(block), "accounts": encode_account_queries(queries)}


def apply(spec: ModuleType, chain: Genesis, block: Any) -> Applied:
    pre = chain.state(spec)
    state, receipts = spec.apply_block(pre, block)
    applied = Applied(pre, state, tuple(receipts))
    # Facts of every block: the supply loses exactly the burnt base fees; running totals add up.
    assert state.coinbase_supply == chain.supply - applied.total_gas * block.base_fee_per_gas
    assert [applied.gas(index) > 0 for index in range(len(receipts))] == [True] * len(receipts)
    assert state.latest_block_number == block.number and state.latest_timestamp == block.timestamp
    return applied


def post(spec: ModuleType, applied: Applied, queries: Queries) -> Part:
    return "post", encode_state_transition_post(spec, applied.state, applied.receipts, queries)


def expect_error(spec: ModuleType, chain: Genesis, block: Any, error: str) -> Iterator[Part]:
    yield from inputs(spec, chain, block)
    yield from expect_spec_error(spec, error, lambda: spec.apply_block(chain.state(spec), block))


# --- The independent oracle: plain py-evm ----------------------------------------------------------------------------

PlainReceipt = tuple[bool, int, tuple[Any, ...]]  # (success, gas used, logs as (address, topics, data))


def plain_cancun(
    alloc: Sequence[tuple[bytes, GenesisAccount]],
    raws: Sequence[bytes],
    *,
    taxes: Mapping[int, int] | None = None,
    treasury: bytes = b"",
    base_fee: int = BASE_FEE,
    gas_limit: int = BLOCK_GAS_LIMIT,
    ancestors: tuple[bytes, ...] = (),
) -> tuple[bytes, list[PlainReceipt]]:
    """The state root and receipts of ``raws`` run by py-evm's own CancunState, block-style.

    ``taxes`` maps a transaction's index to the tax it owes, which is moved from its sender to the treasury by hand
    before it runs. No permission hook, no beacon-roots call (no genesis here holds the beacon contract).
    """
    db = AtomicDB()
    accounts = AccountDB(db)
    for address, account in alloc:
        accounts.set_balance(Address(address), account.balance)
        accounts.set_nonce(Address(address), account.nonce)
        accounts.set_code(Address(address), account.code)
        for slot, value in account.storage:
            accounts.set_storage(Address(address), slot, value)
    accounts.persist()
    context = ExecutionContext(
        coinbase=Address(PRODUCER),
        timestamp=BLOCK_TIME,
        block_number=BlockNumber(1),
        difficulty=0,
        mix_hash=Hash32(RANDAO),
        gas_limit=gas_limit,
        prev_hashes=tuple(Hash32(ancestor) for ancestor in ancestors),
        chain_id=CHAIN_ID,
        base_fee_per_gas=base_fee,
        excess_blob_gas=0,
    )
    state = CancunState(db, context, accounts.state_root)
    receipts: list[PlainReceipt] = []
    for index, raw in enumerate(raws):
        transaction = CancunTransactionBuilder.decode(raw)
        state.lock_changes()
        tax = (taxes or {}).get(index, 0)
        if tax:
            state.delta_balance(transaction.sender, -tax)
            state.delta_balance(Address(treasury), tax)
        computation = state.apply_transaction(transaction)
        logs = tuple(
            (bytes(address), tuple(word(topic) for topic in topics), bytes(data))
            for address, topics, data in computation.get_log_entries()
        )
        receipts.append((bool(computation.is_success), int(CancunVM.finalize_gas_used(transaction, computation)), logs))
    return bytes(state.make_state_root()), receipts


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
    """Cross-DAC replay: a transaction signed for chain 1090 is invalid on chain 1089."""
    chain = genesis(charter(spec), funded(ALICE))
    block = block_of(spec, tx(ALICE, 0, RECIPIENT, value=1, gas=TRANSFER_GAS, chain_id=OTHER_DAC_CHAIN_ID))
    yield from expect_error(spec, chain, block, "WrongChainId")


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
    root, receipts = plain_cancun(chain.alloc, raws, taxes={0: tax}, treasury=treasury(spec))
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
    root, receipts = plain_cancun(chain.alloc, raws, taxes={0: tax}, treasury=treasury(spec))
    assert applied.summary(0) == receipts[0] and applied.receipts[0].status == 0 and applied.receipts[0].tax == tax
    assert applied.balance(VAULT) == 0 and applied.balance(treasury(spec)) == tax
    assert applied.balance(address_of(ALICE)) == FUNDS - tax - applied.gas(0) * PRICE
    assert applied.state.world.state_root == root
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
    """A creation with 49,153 bytes of init code, one more than EIP-3860 allows (the one large vector: its init
    code is the point)."""
    init_code = bytes(49_153)
    raw = tx(ALICE, 0, None, data=init_code, gas=creation_intrinsic_gas(init_code))
    yield from expect_single_rejected(spec, raw, "InitcodeTooLarge")


def two_transfers_in_small_block(spec: ModuleType, second_gas: int) -> tuple[Genesis, Any]:
    """A 50,000-gas block: ALICE's 30,000-gas-limit transfer uses 21,000, leaving 29,000 for MEMBER's."""
    chain = genesis(charter(spec), funded(ALICE, MEMBER))
    raws = [tx(ALICE, 0, RECIPIENT, value=1, gas=30_000), tx(MEMBER, 0, RECIPIENT_2, value=2, gas=second_gas)]
    return chain, block_of(spec, *raws, gas_limit=50_000)


@vector_case("state_transition", "apply_block")
def test_block_gas_limit_exceeded_by_second_transaction(spec: ModuleType) -> Iterator[Part]:
    """The second transaction's gas limit (29,001) exceeds the 29,000 gas the block has left."""
    yield from expect_error(spec, *two_transfers_in_small_block(spec, 29_001), "BlockGasLimitExceeded")


@vector_case("state_transition", "apply_block")
def test_second_transaction_fits_the_gas_left_exactly(spec: ModuleType) -> Iterator[Part]:
    """The gas left is the block's limit minus the gas used (not the gas limits) so far: 29,000 fits exactly."""
    chain, block = two_transfers_in_small_block(spec, 29_000)
    queries = [(address_of(ALICE), ()), (address_of(MEMBER), ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    assert [int(receipt.cumulative_gas_used) for receipt in applied.receipts] == [21_000, 42_000]
    assert applied.balance(address_of(MEMBER)) == FUNDS - 2 - TRANSFER_GAS * PRICE
    assert applied.state.world.state_root == plain_cancun(chain.alloc, block.transactions, gas_limit=50_000)[0]
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


def header_hash(parent: bytes, state_root: bytes, transactions_root: bytes, receipts_root: bytes) -> bytes:
    """The block hash of a block built by ``block_of``, written out from the spec's prose: keccak256 of the ABI
    encoding of the header fields."""
    types = ["bytes32", "uint256", "uint256", "address", "uint256", "uint256"] + ["bytes32"] * 5
    values = [parent, 1, BLOCK_TIME, PRODUCER, BLOCK_GAS_LIMIT, BASE_FEE, RANDAO, BEACON_ROOT, state_root]
    return bytes(keccak(abi_encode(types, values + [transactions_root, receipts_root])))


def genesis_hash(state_root: bytes, charter_root: bytes) -> bytes:
    return bytes(keccak(abi_encode(["uint256", "bytes32", "bytes32"], [CHAIN_ID, state_root, charter_root])))


@vector_case("state_transition", "apply_block")
def test_empty_block(spec: ModuleType) -> Iterator[Part]:
    """A block without transactions: the world and supply are unchanged; the block hash commits to zero
    transaction and receipt roots; the output root is keccak256(0 ‖ state root ‖ charter root ‖ block hash)."""
    chain = genesis(charter(spec, taxrates=SCHEDULE), funded(ALICE))
    block = block_of(spec)
    queries = [(address_of(ALICE), ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    state_root = plain_cancun(chain.alloc, [])[0]
    charter_root = bytes(keccak(spec.encode_charter(chain.charter)))
    block_hash = header_hash(genesis_hash(state_root, charter_root), state_root, bytes(32), bytes(32))
    assert applied.receipts == () and applied.state.coinbase_supply == FUNDS
    assert applied.state.world.state_root == state_root
    assert applied.state.recent_block_hashes == (block_hash, genesis_hash(state_root, charter_root))
    output_root = keccak(bytes(32) + state_root + charter_root + block_hash)
    assert spec.get_state_output_root(applied.state) == output_root
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
    parent = genesis_hash(plain_cancun(chain.alloc, [])[0], bytes(keccak(spec.encode_charter(chain.charter))))
    assert applied.storage(VAULT, 0) == int.from_bytes(parent, "big") and applied.storage(VAULT, 1) == 1
    root, receipts = plain_cancun(chain.alloc, raws, ancestors=(parent,))
    assert applied.summary(0) == receipts[0] and applied.state.world.state_root == root
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block")
def test_beacon_roots_system_call_ignores_the_charter(spec: ModuleType) -> Iterator[Part]:
    """With the EIP-4788 contract in genesis, every block first records its parent beacon root: slot
    timestamp % 8191 := timestamp, slot timestamp % 8191 + 8191 := root, though the charter closes SSTORE to all."""
    closed = charter(spec, rule(spec, ALLOW, SSTORE))  # an ALLOW rule listing nobody
    beacon = (evm.BEACON_ROOTS_ADDRESS, GenesisAccount(0, 1, BEACON_ROOTS_CONTRACT_CODE))
    chain = genesis(closed, funded(ALICE), beacon)
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


def update(spec: ModuleType, sender: PrivateKey, nonce: int, proposed: Any, value: int = 0) -> bytes:
    return tx(sender, nonce, CHARTER_CONTRACT, value=value, data=spec.encode_charter(proposed))


@vector_case("state_transition", "apply_block")
def test_charter_update_admits_a_submitter_for_the_rest_of_the_block(spec: ModuleType) -> Iterator[Part]:
    """The management contract (not itself a submitter) adds ALICE to the submitters; ALICE's transfer later in
    the same block is valid. The update costs its intrinsic gas: 21,000 + its calldata."""
    chain = genesis(managed(spec, MEMBER), funded(MANAGER, ALICE))
    proposed = managed(spec, MEMBER, ALICE)
    raws = [update(spec, MANAGER, 0, proposed), tx(ALICE, 0, RECIPIENT, value=1, gas=TRANSFER_GAS)]
    block = block_of(spec, *raws)
    queries = [(address_of(MANAGER), ()), (address_of(ALICE), ()), (CHARTER_CONTRACT, ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    update_gas = TRANSFER_GAS + data_gas(spec.encode_charter(proposed))
    assert applied.summary(0) == (True, update_gas, ()) and applied.summary(1) == (True, TRANSFER_GAS, ())
    assert applied.state.charter == proposed
    assert applied.balance(address_of(MANAGER)) == FUNDS - update_gas * PRICE
    assert applied.balance(address_of(ALICE)) == FUNDS - 1 - TRANSFER_GAS * PRICE
    assert applied.state.world.state_root == plain_cancun(chain.alloc, raws)[0]  # the update itself is a plain call
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
    """Only MetisDAO sets tax rates: the management contract proposing a tax is refused."""
    chain = genesis(managed(spec, MEMBER), funded(MANAGER))
    proposed = managed(spec, MEMBER, taxrates=TEN_PERCENT)
    block = block_of(spec, update(spec, MANAGER, 0, proposed))
    yield from expect_error(spec, chain, block, "UnauthorizedTaxRateUpdate")


@vector_case("state_transition", "apply_block")
def test_charter_update_with_value_rejected(spec: ModuleType) -> Iterator[Part]:
    """A charter update that also sends 1 wei."""
    chain = genesis(managed(spec, MEMBER), funded(MANAGER))
    raw = update(spec, MANAGER, 0, managed(spec, MEMBER, ALICE), value=1)
    yield from expect_error(spec, chain, block_of(spec, raw), "CharterUpdateWithValue")


@vector_case("state_transition", "apply_block")
def test_malformed_charter_update_rejected(spec: ModuleType) -> Iterator[Part]:
    """Data that is no ABI-encoded charter, sent to the charter address by its management contract."""
    chain = genesis(managed(spec, MEMBER), funded(MANAGER))
    raw = tx(MANAGER, 0, CHARTER_CONTRACT, data=bytes([0x01]) * 10)
    yield from expect_error(spec, chain, block_of(spec, raw), "MalformedCharterUpdate")


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

    MetisDAO's balance: start - update gas x price + 100. The update costs 21,000 + its calldata.
    """
    metis_dao = address_of(METIS_DAO_KEY)
    assert metis_dao == treasury(spec) == spec.METIS_DAO_ADDRESS
    chain = genesis(managed(spec, ALICE), funded(METIS_DAO_KEY, ALICE))
    proposed = managed(spec, ALICE, taxrates=[(0, 1000)])
    raws = [update(spec, METIS_DAO_KEY, 0, proposed), tx(ALICE, 0, RECIPIENT, value=1000, gas=TRANSFER_GAS)]
    block = block_of(spec, *raws)
    queries = [(metis_dao, ()), (address_of(ALICE), ()), (RECIPIENT, ())]
    yield from inputs(spec, chain, block, queries)
    applied = apply(spec, chain, block)
    update_gas = TRANSFER_GAS + data_gas(spec.encode_charter(proposed))
    assert applied.summary(0) == (True, update_gas, ()) and applied.summary(1) == (True, TRANSFER_GAS, ())
    assert applied.state.charter == proposed and applied.receipts[1].tax == 100
    assert applied.balance(metis_dao) == FUNDS - update_gas * PRICE + 100
    assert applied.balance(address_of(ALICE)) == FUNDS - 1000 - 100 - TRANSFER_GAS * PRICE
    assert applied.balance(RECIPIENT) == 1000
    yield post(spec, applied, queries)


@vector_case("state_transition", "apply_block", presets=("minimal",))
def test_metis_dao_may_not_change_more_than_tax_rates(spec: ModuleType) -> Iterator[Part]:
    """MetisDAO proposing a new submitter list (not only tax rates) is refused: that is the manager's."""
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
