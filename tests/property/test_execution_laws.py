"""Hypothesis laws of the state transition (spec/v1/execution.md).

(a) Differential: a chain without permission rules and without tax is plain Cancun, with the message passer in
    its genesis and its balance burnt after each transaction. Blocks of generated transactions (transfers, legacy
    and dynamic-fee calls, creations, messages to the passer, well-formed or not) over generated contracts
    (storage, logs, transient storage, value, CALL / CALLCODE / DELEGATECALL / STATICCALL to each other and to the
    passer, messages with value to the passer, CREATE / CREATE2, revert and INVALID endings) give, through
    ``apply_block``, the state root and receipts (status, gas, logs) that py-evm's own ``CancunState`` gives for the
    same raw transactions over a genesis holding the passer's code, and the supply loses exactly the burnt base
    fees and the value the oracle burnt from the passer. The genesis holds no EIP-4788 contract, so the block's
    beacon-roots system call does nothing.
(b) Decision cache: caching ``is_action_permitted`` and ``get_forbidden_opcodes`` under ``compute_charter_root``
    (plus signer, and action) answers exactly as the uncached rule, over generated charters and queries, across
    charter changes. A charter root that missed some part of the charter would let a stale answer through.
(c) Tax conservation: for any value and valid schedule, the sender loses value + tax + gas * price, the recipient
    gains exactly value, the treasury gains exactly the tax (the naive reading of the schedule), the producer the
    priority fee, and the supply drops by the burnt base fee.
    The law holds with a schedule of one 0% bracket too: the tax machinery then runs on every CALL, CREATE, CREATE2
    and SELFDESTRUCT and must change nothing.
(d) The supply rule: over random blocks of deposits (transfers, calls, creations, messages to the passer; some
    skipped because their sender is banned or short of value and tax) and transactions (transfers, messages, calls
    into contracts that send messages with value and may revert afterwards), under a tax or not, the supply is the
    allocation + every deposit's mint - the base fee of the transactions' gas - the value of every message the
    passer recorded (read from its logs); and it is the sum of every balance, the passer's being 0; the treasury
    holds exactly the tax the receipts record.
(e) The tax at every depth: value paid through a chain of forwarding contracts pays the tax once per hop that
    moves it, whatever the depth: the treasury receives the tax once for the signer and once for every forwarder
    that could pay value and tax (or is exempt), the chain stops at the first that could not (its CALL fails as
    without the value), and only if every hop succeeded does the last recipient hold the value.
"""

from __future__ import annotations

from contextlib import contextmanager
from types import ModuleType
from typing import Any, Iterator

import pytest
from eth._utils.address import generate_contract_address
from eth.vm import opcode_values as op
from eth_typing import Address
from hypothesis import given, settings
from hypothesis import strategies as st

from mvm_spec import evm
from mvm_spec.evm import GenesisAccount
from mvm_spec.forks import PRESETS, load_spec
from tests.cases.test_state_transition import (
    ALICE,
    BANNED,
    BASE_FEE,
    DEPOSITOR,
    L1_TARGET,
    MAX_FEE,
    MEMBER,
    MESSAGE_PASSER,
    OUTSIDER,
    PRODUCER,
    RECIPIENT,
    SUBMIT_TX,
    TEN_PERCENT,
    TRANSFER_GAS,
    treasury,
    VAULT,
    VAULT_CODE,
    Genesis,
    address_of,
    block_of,
    charter,
    creation_intrinsic_gas,
    data_gas,
    deposit,
    funded,
    legacy_tx,
    message,
    plain_cancun,
    rule,
    tx,
)
from tests.property.test_tax_laws import naive_tax
from tests.unit.test_evm_adapter import LOG_TOP, asm, call, create, deploying, push

SPECS = [load_spec("v1", preset) for preset in PRESETS]
MINIMAL = load_spec("v1", "minimal")
FUNDS = 10**21

# --- (a) Differential: no charter rules, no tax, is plain Cancun ---------------------------------------------------

CONTRACTS = tuple(bytes([0xD0 + index]) * 20 for index in range(3))
SENDERS = (ALICE, MEMBER, OUTSIDER)
CHILD_RUNTIMES = (asm(push(1), push(0), op.SSTORE, op.STOP), asm(op.CALLER, push(0), op.SSTORE), b"")
CALL_OPCODES = (op.CALL, op.CALLCODE, op.DELEGATECALL, op.STATICCALL)
TARGET_WORDS = (bytes(12) + L1_TARGET, b"\x01" + bytes(11) + L1_TARGET)  # a message's first word: clean, dirty


def passer_call(value: int, target_word: bytes) -> bytes:
    """CALL the message passer with ``value`` and the 32-byte calldata ``target_word``; log the 0/1 result."""
    arguments = asm(push(0), push(0), push(32), push(0), push(value), push(MESSAGE_PASSER), push(100_000))
    return asm(push(target_word), push(0), op.MSTORE, arguments, op.CALL, LOG_TOP)


passer_calls = st.builds(passer_call, st.integers(0, 5), st.sampled_from(TARGET_WORDS))
messages = st.one_of(
    st.builds(lambda data: message(L1_TARGET, data), st.binary(max_size=40)),
    st.just(bytes(31)),  # short of the target word: the passer reverts
    st.just(TARGET_WORDS[1]),  # a dirty target word: the passer reverts
)

small = st.integers(0, 3)
fragments = st.one_of(
    st.builds(lambda slot, value: asm(push(value), push(slot), op.SSTORE), small, st.integers(0, 2)),
    st.builds(lambda slot: asm(push(slot), op.SLOAD, LOG_TOP), small),
    st.builds(
        lambda topic, value: asm(push(value), push(0), op.MSTORE, push(topic), push(32), push(0), op.LOG1),
        st.integers(0, 2**16),
        small,
    ),
    st.builds(lambda slot, value: asm(push(value), push(slot), op.TSTORE), small, small),
    st.builds(lambda slot: asm(push(slot), op.TLOAD, LOG_TOP), small),
    st.just(asm(op.CALLVALUE, push(9), op.SSTORE)),
    st.builds(
        lambda opcode, target, gas: asm(call(opcode, target, gas), LOG_TOP),
        st.sampled_from(CALL_OPCODES),
        st.sampled_from(CONTRACTS + (RECIPIENT, MESSAGE_PASSER)),
        st.sampled_from([2_300, 20_000, 60_000]),
    ),
    passer_calls,
    st.builds(  # CALL with value, from the contract's own balance
        lambda target, value: asm(
            push(0), push(0), push(0), push(0), push(value), push(target), push(30_000), op.CALL, LOG_TOP
        ),
        st.sampled_from(CONTRACTS + (RECIPIENT,)),
        st.integers(0, 5),
    ),
    st.builds(
        lambda opcode, runtime, salt: asm(create(opcode, deploying(runtime), salt), LOG_TOP),
        st.sampled_from([op.CREATE, op.CREATE2]),
        st.sampled_from(CHILD_RUNTIMES),
        small,
    ),
    st.builds(lambda target: asm(push(target), op.BALANCE, LOG_TOP), st.sampled_from(CONTRACTS + (RECIPIENT,))),
)
endings = st.sampled_from(
    [asm(op.STOP), asm(push(0), push(0), op.REVERT), bytes([0xFE]), asm(push(32), push(0), op.RETURN), b""]
)
programs = st.builds(lambda parts, end: b"".join(parts) + end, st.lists(fragments, max_size=4), endings)


@st.composite
def blocks(draw: st.DrawFn) -> tuple[tuple[tuple[bytes, GenesisAccount], ...], list[bytes]]:
    """A genesis of three funded signers and three contracts, and up to five valid transactions."""
    alloc = [(address_of(signer), GenesisAccount(FUNDS)) for signer in SENDERS]
    for address in CONTRACTS:
        storage = ((0, draw(st.integers(0, 2))), (9, draw(st.integers(0, 1))))
        alloc.append((address, GenesisAccount(draw(st.integers(0, 10)), 1, draw(programs), storage)))
    nonces = dict.fromkeys(range(len(SENDERS)), 0)
    raws = []
    for _ in range(draw(st.integers(0, 5))):
        who = draw(st.integers(0, len(SENDERS) - 1))
        signer, nonce = SENDERS[who], nonces[who]
        kind = draw(st.sampled_from(["call", "call", "transfer", "legacy", "create", "message"]))
        value = draw(st.integers(0, 1_000))
        gas = draw(st.sampled_from([100_000, 300_000]))
        if kind == "call":
            fee = draw(st.integers(BASE_FEE, BASE_FEE + 5))
            tip = draw(st.integers(0, fee))
            raws.append(tx(signer, nonce, draw(st.sampled_from(CONTRACTS)), value=value, gas=gas, max_fee=fee, tip=tip))
        elif kind == "transfer":
            raws.append(tx(signer, nonce, RECIPIENT, value=value, gas=21_000))
        elif kind == "message":
            raws.append(tx(signer, nonce, MESSAGE_PASSER, value=value, data=draw(messages), gas=gas))
        elif kind == "legacy":
            raws.append(legacy_tx(signer, nonce, draw(st.sampled_from(CONTRACTS)), value=value, gas=gas))
        else:
            init_code = deploying(draw(programs))
            assert creation_intrinsic_gas(init_code) <= gas
            raws.append(tx(signer, nonce, None, value=value, data=init_code, gas=gas))
        nonces[who] += 1
    return tuple(alloc), raws


def unused_rules(spec: ModuleType) -> Any:
    """Rules about opcodes no generated program executes: they must change nothing either."""
    return charter(spec, rule(spec, 1, op.SELFDESTRUCT, ALICE, MEMBER), rule(spec, 0, op.BLOBHASH))


@pytest.mark.parametrize("spec", SPECS, ids=PRESETS)
@settings(max_examples=150)
@given(block=blocks(), irrelevant_rules=st.booleans(), zero_rate=st.booleans())
def test_no_rules_and_no_tax_is_plain_cancun(
    spec: ModuleType,
    block: tuple[tuple[tuple[bytes, GenesisAccount], ...], list[bytes]],
    irrelevant_rules: bool,
    zero_rate: bool,
) -> None:
    alloc, raws = block
    rules = unused_rules(spec) if irrelevant_rules else charter(spec)
    if zero_rate:  # the tax machinery runs (CALL, CREATE, CREATE2, SELFDESTRUCT taxed), but at 0%
        rules = spec.replace(rules, taxrates=(spec.TaxBracket(spec.Wei(0), spec.BasisPoints(0)),))
    chain = Genesis(alloc, rules)
    pre = chain.state(spec)
    state, receipts = spec.apply_block(pre, block_of(spec, *raws))
    oracle = plain_cancun(alloc, raws, ancestors=pre.recent_block_hashes)
    running = 0
    mvm = []
    for receipt in receipts:
        logs = tuple((bytes(log.address), tuple(bytes(t) for t in log.topics), bytes(log.data)) for log in receipt.logs)
        mvm.append((receipt.status == 1, int(receipt.cumulative_gas_used) - running, logs))
        running = int(receipt.cumulative_gas_used)
        assert receipt.tax == 0
    assert mvm == oracle.receipts
    assert state.world.state_root == oracle.root
    assert state.coinbase_supply == chain.supply - running * BASE_FEE - oracle.withdrawn


# --- (b) Decision cache keyed by the charter root --------------------------------------------------------------------

SIGNERS = tuple(bytes([0xE0 + index]) * 20 for index in range(4))
ACTIONS = (0x00, op.SSTORE, op.CREATE, op.CREATE2, op.CALL, 0xFF, 0x100, 0x101, 0x103)


@st.composite
def charters(draw: st.DrawFn, spec: ModuleType) -> Any:
    rules = draw(
        st.lists(
            st.builds(
                lambda addresses, operation, action: spec.PermissionRule(
                    tuple(spec.Address(a) for a in addresses), spec.PermissionOperation(operation), spec.Action(action)
                ),
                st.lists(st.sampled_from(SIGNERS), max_size=int(spec.MAX_ADDRESSES_PER_RULE)),
                st.sampled_from([0, 1]),
                st.sampled_from(ACTIONS),
            ),
            max_size=min(int(spec.MAX_PERMISSION_RULES), 6),
        )
    )
    taxrates = tuple(
        spec.TaxBracket(spec.Wei(threshold), spec.BasisPoints(draw(st.integers(0, 10_000))))
        for threshold in sorted(draw(st.sets(st.integers(0, 100), max_size=2)))
    )
    vision = draw(st.sampled_from(["", "a", "b"]))
    manager = spec.Address(draw(st.sampled_from([bytes(20), SIGNERS[0]])))
    return spec.Charter(vision, "", tuple(rules), taxrates, manager)


class DecisionCache:
    """Permission decisions remembered under (charter root, signer[, action]): what a fast client would do."""

    def __init__(self, spec: ModuleType) -> None:
        self.spec = spec
        self.rule = (spec.is_action_permitted, spec.get_forbidden_opcodes)  # the uncached rule, taken before any swap
        self.permitted: dict[tuple[bytes, bytes, int], bool] = {}
        self.forbidden: dict[tuple[bytes, bytes], frozenset[int]] = {}
        self.misses = 0

    def is_action_permitted(self, charter: Any, signer: Any, action: Any) -> bool:
        key = (bytes(self.spec.compute_charter_root(charter)), bytes(signer), int(action))
        if key not in self.permitted:
            self.misses += 1
            self.permitted[key] = self.rule[0](charter, signer, action)
        return self.permitted[key]

    def get_forbidden_opcodes(self, charter: Any, signer: Any) -> frozenset[int]:
        key = (bytes(self.spec.compute_charter_root(charter)), bytes(signer))
        if key not in self.forbidden:
            self.misses += 1
            self.forbidden[key] = self.rule[1](charter, signer)
        return self.forbidden[key]


@settings(max_examples=100)
@given(data=st.data())
def test_decisions_cached_by_charter_root_equal_the_rule(data: st.DataObject) -> None:
    spec = MINIMAL
    history = data.draw(st.lists(charters(spec), min_size=1, max_size=4))  # the charter, changed over time
    cache = DecisionCache(spec)
    for current in history + history[:1]:  # and back to the first: its cached answers must still be right
        for signer in data.draw(st.lists(st.sampled_from(SIGNERS), min_size=1, max_size=3)):
            address = spec.Address(signer)
            for action in data.draw(st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=4)):
                expected = spec.is_action_permitted(current, address, spec.Action(action))
                assert cache.is_action_permitted(current, address, spec.Action(action)) == expected
            assert cache.get_forbidden_opcodes(current, address) == spec.get_forbidden_opcodes(current, address)


@contextmanager
def cached_forbidden_opcodes(spec: ModuleType, cache: DecisionCache) -> Iterator[None]:
    original = getattr(spec, "get_forbidden_opcodes")
    setattr(spec, "get_forbidden_opcodes", cache.get_forbidden_opcodes)  # apply_transaction looks it up in the module
    try:
        yield
    finally:
        setattr(spec, "get_forbidden_opcodes", original)


def test_cached_forbidden_opcodes_execute_identically_across_a_charter_update() -> None:
    """A block whose first transaction lifts ALICE's SSTORE ban; her call into a storing contract before and after
    it gives the same results through the cache as through the rule, and the second call is no longer denied."""
    spec = MINIMAL
    manager = MEMBER
    banned = charter(spec, rule(spec, 1, op.SSTORE, ALICE), manager=address_of(manager))
    lifted = charter(spec, manager=address_of(manager))
    store = (VAULT, GenesisAccount(0, 1, VAULT_CODE))
    chain = Genesis((*funded(ALICE, manager), store), banned)
    charter_address = bytes(spec.CHARTER_ADDRESS)
    block = block_of(
        spec,
        tx(ALICE, 0, VAULT, value=5),
        tx(manager, 0, charter_address, data=spec.encode_governance_call(lifted)),
        tx(ALICE, 1, VAULT, value=7),
    )
    expected = spec.apply_block(chain.state(spec), block)
    cache = DecisionCache(spec)
    with cached_forbidden_opcodes(spec, cache):
        cached = spec.apply_block(chain.state(spec), block)
        assert spec.apply_block(chain.state(spec), block) == cached  # now answered from the cache
    assert cached == expected and cache.misses == 3  # (banned, ALICE), (banned, MEMBER), (lifted, ALICE)
    assert [receipt.status for receipt in expected[1]] == [0, 1, 1]
    assert evm.get_storage(expected[0].world, VAULT, 0) == 7


# --- (c) Tax conservation --------------------------------------------------------------------------------------------

values = st.one_of(st.integers(0, 10**20), st.sampled_from([0, 1, 10**18]))


@st.composite
def schedules(draw: st.DrawFn, spec: ModuleType) -> list[tuple[int, int]]:
    thresholds = sorted(draw(st.sets(values, max_size=int(spec.MAX_TAX_BRACKETS))))
    return [(threshold, draw(st.integers(0, 10_000))) for threshold in thresholds]


@pytest.mark.parametrize("spec", SPECS, ids=PRESETS)
@settings(max_examples=100)
@given(data=st.data())
def test_tax_is_conserved(spec: ModuleType, data: st.DataObject) -> None:
    brackets = data.draw(schedules(spec))
    value = data.draw(values)
    recipient = data.draw(st.sampled_from([RECIPIENT, VAULT]))
    legacy = data.draw(st.booleans()) and recipient == RECIPIENT
    treasury_start = data.draw(st.sampled_from([0, 1, 10**18]))
    alloc = [
        (address_of(ALICE), GenesisAccount(2 * 10**20 + 10**18)),
        (VAULT, GenesisAccount(data.draw(st.integers(0, 10)), 1, VAULT_CODE)),
        (treasury(spec), GenesisAccount(treasury_start)),
    ]
    chain = Genesis(tuple(alloc), charter(spec, taxrates=brackets))
    raw = (
        legacy_tx(ALICE, 0, recipient, value=value)
        if legacy
        else tx(ALICE, 0, recipient, value=value, gas=60_000)
    )
    pre = chain.state(spec)
    state, receipts = spec.apply_block(pre, block_of(spec, raw))
    gas = int(receipts[0].cumulative_gas_used)
    price = MAX_FEE if legacy else min(MAX_FEE, BASE_FEE + 2)
    tax = naive_tax(value, brackets)

    def change(address: bytes) -> int:
        return evm.get_balance(state.world, address) - evm.get_balance(pre.world, address)

    assert receipts[0].status == 1 and receipts[0].tax == tax
    assert change(address_of(ALICE)) == -(value + tax + gas * price)
    assert change(recipient) == value
    assert change(treasury(spec)) == tax
    assert change(PRODUCER) == gas * (price - BASE_FEE)
    assert state.coinbase_supply == pre.coinbase_supply - gas * BASE_FEE
    everyone = [address_of(ALICE), recipient, treasury(spec), PRODUCER]
    assert sum(change(address) for address in set(everyone)) == -gas * BASE_FEE


# --- (d) The supply rule, with deposits and messages ---------------------------------------------------------------

DEPOSITORS = (DEPOSITOR, BANNED)  # no genesis account, no transactions: BANNED may submit only messages
conserving_fragments = st.one_of(  # no CREATE: every account that can hold a balance is known
    st.builds(lambda slot, value: asm(push(value), push(slot), op.SSTORE), small, st.integers(0, 2)),
    st.builds(lambda slot: asm(push(slot), op.SLOAD, LOG_TOP), small),
    st.builds(
        lambda target, value: asm(
            push(0), push(0), push(0), push(0), push(value), push(target), push(30_000), op.CALL, LOG_TOP
        ),
        st.sampled_from(CONTRACTS + (RECIPIENT, MESSAGE_PASSER)),
        st.integers(0, 5),
    ),
    passer_calls,
)
conserving_programs = st.builds(
    lambda parts, end: b"".join(parts) + end, st.lists(conserving_fragments, max_size=4), endings
)
DepositArgs = tuple[Any, bytes | None, int, int, int, bytes]  # signer, to, mint, value, gas, data


@st.composite
def blocks_with_deposits(
    draw: st.DrawFn,
) -> tuple[tuple[tuple[bytes, GenesisAccount], ...], list[DepositArgs], list[bytes]]:
    """Three funded signers, three contracts holding some wei, up to five deposits and up to five transactions."""
    alloc = [(address_of(signer), GenesisAccount(FUNDS)) for signer in SENDERS]
    for address in CONTRACTS:
        alloc.append((address, GenesisAccount(draw(st.integers(0, 10**6)), 1, draw(conserving_programs))))
    deposits: list[DepositArgs] = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["transfer", "exit", "exit", "call", "create"]))
        to: bytes | None
        if kind == "transfer":
            to, data = RECIPIENT, b""
        elif kind == "exit":
            to, data = MESSAGE_PASSER, draw(messages)
        elif kind == "call":
            to, data = draw(st.sampled_from(CONTRACTS)), b""
        else:
            to, data = None, deploying(draw(st.sampled_from(CHILD_RUNTIMES)))
        intrinsic = creation_intrinsic_gas(data) if to is None else TRANSFER_GAS + data_gas(data)
        gas = intrinsic + draw(st.sampled_from([0, 30_000, 150_000]))
        mint = draw(st.sampled_from([0, 1, 10**15, 10**18]))
        value = draw(st.sampled_from([0, 1, 10**15, 10**17]))
        deposits.append((draw(st.sampled_from(DEPOSITORS)), to, mint, value, gas, data))
    nonces = dict.fromkeys(range(len(SENDERS)), 0)
    raws = []
    for _ in range(draw(st.integers(0, 5))):
        who = draw(st.integers(0, len(SENDERS) - 1))
        signer, nonce = SENDERS[who], nonces[who]
        kind = draw(st.sampled_from(["transfer", "message", "message", "call"]))
        value = draw(st.sampled_from([0, 1, 10**15]))
        if kind == "transfer":
            raws.append(tx(signer, nonce, RECIPIENT, value=value, gas=21_000))
        elif kind == "message":
            raws.append(tx(signer, nonce, MESSAGE_PASSER, value=value, data=draw(messages), gas=100_000))
        else:
            raws.append(tx(signer, nonce, draw(st.sampled_from(CONTRACTS)), value=value, gas=300_000))
        nonces[who] += 1
    return tuple(alloc), deposits, raws


def recorded_value(receipts: Any) -> int:
    """The value of every message the passer recorded, read from its logs (the fifth word is CALLVALUE)."""
    return sum(
        int.from_bytes(bytes(log.data)[0x80:0xA0], "big")
        for receipt in receipts
        for log in receipt.logs
        if bytes(log.address) == MESSAGE_PASSER
    )


@pytest.mark.parametrize("spec", SPECS, ids=PRESETS)
@settings(max_examples=100)
@given(block=blocks_with_deposits(), taxed=st.booleans())
def test_supply_is_allocation_plus_mints_minus_what_is_burnt(
    spec: ModuleType,
    block: tuple[tuple[tuple[bytes, GenesisAccount], ...], list[DepositArgs], list[bytes]],
    taxed: bool,
) -> None:
    alloc, deposit_args, raws = block
    exits_only = charter(spec, rule(spec, 1, SUBMIT_TX, BANNED), taxrates=TEN_PERCENT if taxed else ())
    chain = Genesis(alloc, exits_only)
    deposits = [
        deposit(spec, signer, to, mint=mint, value=value, gas=gas, data=data)
        for signer, to, mint, value, gas, data in deposit_args
    ]
    pre = chain.state(spec)
    state, receipts = spec.apply_block(pre, block_of(spec, *raws, deposits=deposits))
    assert len(receipts) == len(deposits) + len(raws)
    total_gas = int(receipts[-1].cumulative_gas_used) if receipts else 0
    deposit_gas = int(receipts[len(deposits) - 1].cumulative_gas_used) if deposits else 0
    minted = sum(mint for _, _, mint, _, _, _ in deposit_args)
    burnt = (total_gas - deposit_gas) * BASE_FEE + recorded_value(receipts)
    assert state.coinbase_supply == chain.supply + minted - burnt
    for (signer, to, _, _, _, _), index in zip(deposit_args, range(len(deposits))):
        if signer is BANNED and to != MESSAGE_PASSER:  # skipped by SUBMIT_TX: no gas, no nonce, no tax
            previous = int(receipts[index - 1].cumulative_gas_used) if index else 0
            assert (receipts[index].status, int(receipts[index].cumulative_gas_used), receipts[index].tax) == (
                0,
                previous,
                0,
            )
    signers = [address_of(signer) for signer in SENDERS + DEPOSITORS]
    created = [
        generate_contract_address(Address(address), nonce)
        for address in signers
        for nonce in range(evm.get_nonce(state.world, address))
    ]
    holders = set(signers + created + list(CONTRACTS) + [RECIPIENT, treasury(spec), PRODUCER, MESSAGE_PASSER])
    assert state.coinbase_supply == sum(evm.get_balance(state.world, address) for address in holders)
    assert evm.get_balance(state.world, MESSAGE_PASSER) == 0
    # Every wei of tax, at any depth, is in some receipt, and reached the treasury (which nothing else pays).
    assert evm.get_balance(state.world, treasury(spec)) == sum(int(receipt.tax) for receipt in receipts)


leaf_lists = st.lists(st.binary(min_size=32, max_size=32).map(MINIMAL.Hash32), min_size=1, max_size=9)


@given(leaf_lists)
def test_a_list_root_names_one_list(leaves: list[Any]) -> None:
    """Lib_MerkleTree pads an odd level with default nodes, so a bare root of an odd number of leaves is also the
    bare root of those leaves plus the default leaf (from three leaves up); and in a full tree a level of inner
    nodes has the root of the leaves below it. compute_list_root mixes in the length, so neither a phantom leaf nor an inner node taken as a leaf gives
    the same commitment."""
    default_leaf = MINIMAL.get_merkle_default(0)
    if len(leaves) % 2 == 1 and len(leaves) >= 3:  # (one leaf is its own root, unpaired)
        padded = [*leaves, default_leaf]
        assert MINIMAL.compute_merkle_root(padded) == MINIMAL.compute_merkle_root(leaves)  # the attack on bare roots
        assert MINIMAL.compute_list_root(padded) != MINIMAL.compute_list_root(leaves)
    if len(leaves) in (2, 4, 8):  # a full tree: no level is padded, so the inner level has the same root
        inner = MINIMAL.compute_merkle_parent_level(leaves, 0)
        assert MINIMAL.compute_merkle_root(inner) == MINIMAL.compute_merkle_root(leaves)
        assert MINIMAL.compute_list_root(inner) != MINIMAL.compute_list_root(leaves)


def test_list_root_of_nothing_by_hand() -> None:
    """An empty list: keccak256 of two zero words (length 0, root 0)."""
    from eth_hash.auto import keccak

    assert MINIMAL.compute_list_root([]) == bytes(keccak(bytes(64)))


# --- (e) The tax at every depth ------------------------------------------------------------------------------------

HOPS = tuple(bytes([0xD8 + index]) * 20 for index in range(5))


def forwarding_to(target: bytes) -> bytes:
    """CALL ``target`` with all gas and the value received; store the 0/1 result in slot 0."""
    return asm(push(0), push(0), push(0), push(0), op.CALLVALUE, push(target), op.GAS, op.CALL, push(0), op.SSTORE)


@pytest.mark.parametrize("spec", SPECS, ids=PRESETS)
@settings(max_examples=60)
@given(data=st.data())
def test_every_hop_pays_the_tax_once(spec: ModuleType, data: st.DataObject) -> None:
    rate = data.draw(st.integers(1, 10_000))
    value = data.draw(st.sampled_from([1, 10**4, 10**15, 10**18]))
    tax = value * rate // 10_000  # one bracket from 0: the tax of every hop, by hand
    depth = data.draw(st.integers(1, len(HOPS)))
    hops = HOPS[:depth]
    prefunds = [data.draw(st.sampled_from([0, max(tax - 1, 0), tax, tax + 7])) for _ in hops]
    exempt = [hop for hop in hops if data.draw(st.booleans()) and data.draw(st.booleans())]
    exempt = exempt[: int(spec.MAX_TAX_EXEMPT_ACCOUNTS)]
    targets = [*hops[1:], RECIPIENT]
    alloc = [(address_of(ALICE), GenesisAccount(FUNDS))]
    alloc += [(hop, GenesisAccount(prefund, 1, forwarding_to(target))) for hop, prefund, target in zip(hops, prefunds, targets)]
    rules = spec.replace(charter(spec, taxrates=((0, rate),)), tax_exempt=tuple(spec.Address(hop) for hop in exempt))
    chain = Genesis(tuple(alloc), rules)
    pre = chain.state(spec)
    state, receipts = spec.apply_block(pre, block_of(spec, tx(ALICE, 0, hops[0], value=value, gas=1_000_000)))
    paid_hops = 0
    for hop, prefund in zip(hops, prefunds):
        if hop in exempt:
            continue
        if prefund < tax:
            break
        paid_hops += 1
    reached = next((index for index, (hop, prefund) in enumerate(zip(hops, prefunds)) if hop not in exempt and prefund < tax), depth)
    assert receipts[0].status == 1
    assert evm.get_balance(state.world, treasury(spec)) == receipts[0].tax == tax * (1 + paid_hops)
    assert evm.get_balance(state.world, RECIPIENT) == (value if reached == depth else 0)
    for index, hop in enumerate(hops):
        assert evm.get_storage(state.world, hop, 0) == (1 if index < reached else 0)
