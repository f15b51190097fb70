"""Vector cases for the bridge on L1 (spec/v1/bridge.md): the L1 clock, deposits and withdrawals.

Deposits and the clock: each vector is a hub (``pre.hub``), one operation or a list (``input``), and the hub after it
(``post.hub``) or the error. Expected hubs are the pre-state with exactly the fields the rule changes replaced by
hand: a deposit's aliased sender worked out from the offset, its nonce and L1 block, the supply raised by its mint,
queues moved by the budget rule with gas added up by hand.

Withdrawals: a withdrawal is made on L2 by a transaction to the message passer, the chain is derived, its output
roots committed in a state batch, and the proofs are produced by the EVM adapter (real Merkle-Patricia proofs of the
py-evm state). Expected facts: the hash of the message laid out word by word, the payout, the supply lowered, and
each rule that refuses a forged, early, repeated or foreign withdrawal.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import ModuleType
from typing import Any, Callable, Iterator, Sequence

import rlp  # type: ignore[import-untyped]  # pyrlp ships no type information
from eth_hash.auto import keccak
from trie.hexary import HexaryTrie

from mvm_spec import evm
from mvm_spec.evm import GenesisAccount
from mvm_spec.vectors import expect_spec_error, vector_case
from mvm_spec.vectors.case import Part
from mvm_spec.vectors.codec import encode_hub, encode_uint
from tests.hub_building import (
    output_root_preimage,
    ACME,
    ALICE,
    FUNDS,
    HUB_START,
    OTHER,
    SEQUENCER,
    address_of,
    advance,
    append_batch,
    append_state,
    call,
    create_dac_op,
    deposit,
    finalize,
    funded,
    header_op,
    l1_block,
    l1_time,
    randao,
    new_hub,
    prove,
    run,
    take_back,
)

DEPOSITOR = bytes([0xDE]) * 20
RECIPIENT = bytes([0xC1]) * 20
ALIAS_OFFSET = 0x1111000000000000000000000000000000001111
BUDGET = {"mainnet": 20_000_000, "minimal": 300_000}  # MAX_DEPOSIT_GAS_PER_L1_BLOCK, by hand from presets/*.yaml
DATA_LIMIT = {"mainnet": 120_000, "minimal": 1024}  # MAX_DEPOSIT_DATA_BYTES
MAX_LOCK = {"mainnet": 100_000 * 10**18, "minimal": 100 * 10**18}  # MAX_SEQUENCER_LOCK
LEAST = {"mainnet": 10**16, "minimal": 10**13}  # MIN_DEPOSIT_MINT: the least a deposit that mints may mint
QUEUE_LIMIT = 8  # MAX_PENDING_DEPOSITS on the minimal preset (the queue cases are minimal only)
PER_BLOCK = 4  # MAX_DEPOSITS_PER_L1_BLOCK on the minimal preset
TIMEOUT = 10  # DEPOSIT_QUEUE_TIMEOUT on the minimal preset, in L1 blocks


def hub_at_97(spec: ModuleType, *, sequencer: bool = True) -> Any:
    """"acme" created in L1 block 96, the hub now in L1 block 97."""
    return spec.advance_l1_block(new_hub(spec, sequencer=sequencer), l1_block(spec, 97))


def acme(spec: ModuleType, hub: Any) -> Any:
    return spec.get_dac(hub, spec.ChainId(ACME))


def with_acme(spec: ModuleType, hub: Any, **fields: Any) -> Any:
    """``hub`` with "acme"'s record changed in exactly ``fields``, built without the spec's update functions. Plain
    deposits given as ``pending_deposits`` wait with the tickets that follow the enqueued deposits, made in L1 block
    97 by the L1 account that is their sender; unless ``tickets_issued`` is given, one ticket was given per deposit
    the record lists (so none was taken back)."""
    record = acme(spec, hub)
    deposits = fields.get("deposits", record.deposits)
    if "pending_deposits" in fields:
        fields["pending_deposits"] = tuple(
            item if isinstance(item, spec.PendingDeposit) else waiting(spec, len(deposits) + position, 97, item)
            for position, item in enumerate(fields["pending_deposits"])
        )
    pending = fields.get("pending_deposits", record.pending_deposits)
    fields.setdefault("tickets_issued", spec.uint64(len(deposits) + len(pending)))
    dacs = tuple(replace(dac, **fields) if dac.chain_id == ACME else dac for dac in hub.dacs)
    return replace(hub, dacs=dacs)


def waiting(spec: ModuleType, ticket: int, made_in: int, deposit_message: Any, l1_sender: bytes | None = None) -> Any:
    """``deposit_message`` waiting with ``ticket``, made in L1 block ``made_in`` by ``l1_sender`` (default: its
    sender, an account)."""
    sender = deposit_message.sender if l1_sender is None else spec.Address(l1_sender)
    return spec.PendingDeposit(spec.uint64(ticket), sender, spec.L1BlockNumber(made_in), deposit_message)


def message(spec: ModuleType, sender: bytes, to: bytes | None, mint: int, value: int, gas: int, data: bytes) -> Any:
    return spec.Deposit(
        spec.Address(sender),
        None if to is None else spec.Address(to),
        spec.Wei(mint),
        spec.Wei(value),
        spec.uint64(gas),
        data,
    )


def enqueued(spec: ModuleType, nonce: int, l1_number: int, deposit_message: Any) -> Any:
    return spec.EnqueuedDeposit(spec.uint64(nonce), spec.L1BlockNumber(l1_number), deposit_message)


def intrinsic(data: bytes, creation: bool = False) -> int:
    """Cancun's intrinsic gas by hand: 21,000, 4 per zero and 16 per other byte, and for a creation 32,000 plus 2
    per 32-byte word."""
    gas = 21_000 + sum(4 if byte == 0 else 16 for byte in data)
    return gas + (32_000 + 2 * ((len(data) + 31) // 32) if creation else 0)


def one_operation(spec: ModuleType, hub: Any, operation: dict[str, Any]) -> Iterator[Part]:
    yield "pre", {"hub": encode_hub(hub)}
    yield "input", {key: value for key, value in operation.items() if key != "op"}


def expect_hub(spec: ModuleType, call: Callable[[], Any], expected: Any) -> Iterator[Part]:
    got = call()
    assert got == expected, "the hub differs from the one built by hand"
    yield "post", {"hub": encode_hub(got)}


def operations(spec: ModuleType, hub: Any, ops: Sequence[dict[str, Any]]) -> Iterator[Part]:
    yield "pre", {"hub": encode_hub(hub)}
    yield "input", {"operations": list(ops)}


# --- The L1 clock -----------------------------------------------------------------------------------------------------


@vector_case("bridge", "advance_l1_block")
def test_next_l1_block(spec: ModuleType) -> Iterator[Part]:
    """The next L1 block is appended to the hub's L1 blocks and becomes the current one."""
    hub = new_hub(spec)
    operation = advance(spec, 97)
    yield from one_operation(spec, hub, operation)
    expected = replace(hub, l1_blocks=(*hub.l1_blocks, l1_block(spec, 97)))
    yield from expect_hub(spec, lambda: run(spec, hub, [operation]), expected)


@vector_case("bridge", "advance_l1_block")
def test_l1_block_skipping_a_number(spec: ModuleType) -> Iterator[Part]:
    """L1 block 98 cannot follow 96."""
    hub = new_hub(spec)
    operation = advance(spec, 98)
    yield from one_operation(spec, hub, operation)
    yield from expect_spec_error(spec, "L1BlockNotNext", lambda: run(spec, hub, [operation]))


@vector_case("bridge", "advance_l1_block")
def test_l1_block_repeating_the_current_one(spec: ModuleType) -> Iterator[Part]:
    """The current L1 block again (96 after 96)."""
    hub = new_hub(spec)
    operation = advance(spec, HUB_START)
    yield from one_operation(spec, hub, operation)
    yield from expect_spec_error(spec, "L1BlockNotNext", lambda: run(spec, hub, [operation]))


@vector_case("bridge", "advance_l1_block")
def test_l1_block_at_the_same_time(spec: ModuleType) -> Iterator[Part]:
    """L1 block 97 stating block 96's time: L1 time must strictly increase."""
    hub = new_hub(spec)
    operation = advance(spec, 97)
    operation["block"]["timestamp"] = encode_uint(l1_time(96))
    yield from one_operation(spec, hub, operation)
    yield from expect_spec_error(spec, "L1TimestampNotIncreasing", lambda: run(spec, hub, [operation]))


# --- Deposits ---------------------------------------------------------------------------------------------------------


@vector_case("bridge", "deposit_into_dac")
def test_deposit_is_enqueued(spec: ModuleType) -> Iterator[Part]:
    """With an eligible sequencer the deposit leaves the queue at once: nonce 0, included from L1 block 97, and its
    mint of 7 MT counted in the DAC's supply."""
    hub = hub_at_97(spec)
    operation = deposit(l1_sender=DEPOSITOR, to=RECIPIENT, mint=7 * 10**18, value=10**18, gas_limit=21_000)
    yield from one_operation(spec, hub, operation)
    entry = enqueued(spec, 0, 97, message(spec, DEPOSITOR, RECIPIENT, 7 * 10**18, 10**18, 21_000, b""))
    expected = with_acme(spec, hub, coinbase_supply=spec.Wei(7 * 10**18), deposits=(entry,))
    yield from expect_hub(spec, lambda: run(spec, hub, [operation]), expected)


@vector_case("bridge", "deposit_into_dac")
def test_deposit_from_a_contract_is_aliased(spec: ModuleType) -> Iterator[Part]:
    """An L1 contract at 0xff..ff deposits: its L2 sender is (2**160 - 1 + 0x1111...1111) mod 2**160, which wraps
    to 0x1111000000000000000000000000000000001110."""
    hub = hub_at_97(spec)
    contract = bytes([0xFF]) * 20
    operation = deposit(l1_sender=contract, from_contract=True, to=RECIPIENT, gas_limit=21_000)
    yield from one_operation(spec, hub, operation)
    aliased = bytes.fromhex("1111000000000000000000000000000000001110")
    assert aliased == ((2**160 - 1 + ALIAS_OFFSET) % 2**160).to_bytes(20, "big")
    entry = enqueued(spec, 0, 97, message(spec, aliased, RECIPIENT, 0, 0, 21_000, b""))
    yield from expect_hub(spec, lambda: run(spec, hub, [operation]), with_acme(spec, hub, deposits=(entry,)))


@vector_case("bridge", "deposit_into_dac")
def test_creation_deposit_at_its_intrinsic_gas(spec: ModuleType) -> Iterator[Part]:
    """A deposit creating a contract (to is null) with 33 bytes of init code, at exactly its intrinsic gas:
    21,000 + 32,000 + 32 * 16 + 4 + 2 * 2 = 53,520."""
    hub = hub_at_97(spec)
    init_code = bytes([0x60]) * 32 + b"\x00"
    assert intrinsic(init_code, creation=True) == 53_520
    operation = deposit(l1_sender=DEPOSITOR, to=None, gas_limit=53_520, data=init_code)
    yield from one_operation(spec, hub, operation)
    entry = enqueued(spec, 0, 97, message(spec, DEPOSITOR, None, 0, 0, 53_520, init_code))
    yield from expect_hub(spec, lambda: run(spec, hub, [operation]), with_acme(spec, hub, deposits=(entry,)))


@vector_case("bridge", "deposit_into_dac")
def test_creation_deposit_below_its_intrinsic_gas(spec: ModuleType) -> Iterator[Part]:
    """The same creation with one gas less than its intrinsic gas: refused, as it could never run."""
    hub = hub_at_97(spec)
    operation = deposit(l1_sender=DEPOSITOR, to=None, gas_limit=53_519, data=bytes([0x60]) * 32 + b"\x00")
    yield from one_operation(spec, hub, operation)
    yield from expect_spec_error(spec, "DepositGasBelowIntrinsic", lambda: run(spec, hub, [operation]))


@vector_case("bridge", "deposit_into_dac")
def test_deposit_data_at_the_limit(spec: ModuleType) -> Iterator[Part]:
    """Data of exactly MAX_DEPOSIT_DATA_BYTES zero bytes (intrinsic gas 21,000 + 4 per byte) is accepted."""
    hub = hub_at_97(spec)
    data = bytes(DATA_LIMIT[spec.PRESET])
    gas = 21_000 + 4 * len(data)
    operation = deposit(l1_sender=DEPOSITOR, to=RECIPIENT, gas_limit=gas, data=data)
    yield from one_operation(spec, hub, operation)
    entry = enqueued(spec, 0, 97, message(spec, DEPOSITOR, RECIPIENT, 0, 0, gas, data))
    yield from expect_hub(spec, lambda: run(spec, hub, [operation]), with_acme(spec, hub, deposits=(entry,)))


@vector_case("bridge", "deposit_into_dac")
def test_deposit_data_one_byte_over(spec: ModuleType) -> Iterator[Part]:
    """One byte more than MAX_DEPOSIT_DATA_BYTES is refused (the size rule comes before the gas rule: the gas
    limit here is also too low)."""
    hub = hub_at_97(spec)
    operation = deposit(l1_sender=DEPOSITOR, to=RECIPIENT, gas_limit=21_000, data=bytes(DATA_LIMIT[spec.PRESET] + 1))
    yield from one_operation(spec, hub, operation)
    yield from expect_spec_error(spec, "DepositDataTooLarge", lambda: run(spec, hub, [operation]))


@vector_case("bridge", "deposit_into_dac")
def test_deposit_gas_above_the_l1_block_budget(spec: ModuleType) -> Iterator[Part]:
    """A gas limit one above MAX_DEPOSIT_GAS_PER_L1_BLOCK could never leave the queue: refused."""
    hub = hub_at_97(spec)
    operation = deposit(l1_sender=DEPOSITOR, to=RECIPIENT, gas_limit=BUDGET[spec.PRESET] + 1)
    yield from one_operation(spec, hub, operation)
    yield from expect_spec_error(spec, "DepositGasAboveLimit", lambda: run(spec, hub, [operation]))


@vector_case("bridge", "deposit_into_dac")
def test_deposit_beyond_any_bond(spec: ModuleType) -> Iterator[Part]:
    """A mint whose DBT alone, ceil(10% of it), exceeds MAX_SEQUENCER_LOCK: 10 * MAX_SEQUENCER_LOCK + 10 wei needs a
    bond of MAX_SEQUENCER_LOCK + 1."""
    hub = hub_at_97(spec)
    operation = deposit(l1_sender=DEPOSITOR, to=RECIPIENT, mint=10 * MAX_LOCK[spec.PRESET] + 10, gas_limit=21_000)
    yield from one_operation(spec, hub, operation)
    yield from expect_spec_error(spec, "DepositExceedsBondCapacity", lambda: run(spec, hub, [operation]))


@vector_case("bridge", "deposit_into_dac")
def test_deposit_into_an_unknown_chain(spec: ModuleType) -> Iterator[Part]:
    """No DAC has chain id 4242."""
    hub = hub_at_97(spec)
    operation = deposit(l1_sender=DEPOSITOR, to=RECIPIENT, gas_limit=21_000, chain_id=4242)
    yield from one_operation(spec, hub, operation)
    yield from expect_spec_error(spec, "UnknownChainId", lambda: run(spec, hub, [operation]))


@vector_case("bridge", "deposit_into_dac")
def test_deposit_waits_without_an_eligible_sequencer(spec: ModuleType) -> Iterator[Part]:
    """No sequencer at all: the deposit stays pending, nothing is counted in the supply."""
    hub = hub_at_97(spec, sequencer=False)
    least = LEAST[spec.PRESET]
    operation = deposit(l1_sender=DEPOSITOR, to=RECIPIENT, mint=5 * least, gas_limit=21_000)
    yield from one_operation(spec, hub, operation)
    pending = message(spec, DEPOSITOR, RECIPIENT, 5 * least, 0, 21_000, b"")
    yield from expect_hub(spec, lambda: run(spec, hub, [operation]), with_acme(spec, hub, pending_deposits=(pending,)))


@vector_case("bridge", "apply_operations")
def test_pending_deposits_leave_in_order_when_a_sequencer_registers(spec: ModuleType) -> Iterator[Part]:
    """Two deposits wait for a sequencer; one registers in the same L1 block (97): both are enqueued, in order,
    nonces 0 and 1, from L1 block 97."""
    hub = hub_at_97(spec, sequencer=False)
    least = LEAST[spec.PRESET]
    ops = [
        deposit(l1_sender=DEPOSITOR, to=RECIPIENT, mint=5 * least, gas_limit=21_000),
        deposit(l1_sender=RECIPIENT, to=DEPOSITOR, mint=6 * least, gas_limit=22_000),
        {"op": "register_sequencer", "address": "0x" + SEQUENCER.hex(), "amount": encode_uint(spec.MIN_SEQUENCER_BOND)},
    ]
    yield from operations(spec, hub, ops)
    first = enqueued(spec, 0, 97, message(spec, DEPOSITOR, RECIPIENT, 5 * least, 0, 21_000, b""))
    second = enqueued(spec, 1, 97, message(spec, RECIPIENT, DEPOSITOR, 6 * least, 0, 22_000, b""))
    sequencers = (spec.Sequencer(spec.Address(SEQUENCER), spec.MIN_SEQUENCER_BOND, None),)
    expected = replace(with_acme(spec, hub, coinbase_supply=spec.Wei(11 * least), deposits=(first, second)), sequencers=sequencers)
    yield from expect_hub(spec, lambda: run(spec, hub, ops), expected)


def budget_deposits(spec: ModuleType) -> tuple[list[dict[str, Any]], list[Any]]:
    """Two deposits of 60% of the per-L1-block budget each, then a small one: as operations and as messages."""
    big = BUDGET[spec.PRESET] * 6 // 10
    shapes = ((0, big), (1, big), (2, 21_000))
    ops = [deposit(l1_sender=DEPOSITOR, to=RECIPIENT, gas_limit=gas, value=value) for value, gas in shapes]
    return ops, [message(spec, DEPOSITOR, RECIPIENT, 0, value, gas, b"") for value, gas in shapes]


@vector_case("bridge", "apply_operations")
def test_deposit_over_the_l1_block_budget_waits(spec: ModuleType) -> Iterator[Part]:
    """The first 60% deposit is enqueued from L1 block 97; the second would pass the block's budget, so it waits,
    and the small third one waits behind it (first in, first out) although it would fit."""
    hub = hub_at_97(spec)
    ops, messages = budget_deposits(spec)
    yield from operations(spec, hub, ops)
    expected = with_acme(
        spec, hub, deposits=(enqueued(spec, 0, 97, messages[0]),), pending_deposits=(messages[1], messages[2])
    )
    yield from expect_hub(spec, lambda: run(spec, hub, ops), expected)


@vector_case("bridge", "apply_operations")
def test_next_l1_block_opens_a_new_deposit_budget(spec: ModuleType) -> Iterator[Part]:
    """Then L1 block 98: the second (60%) and third (21,000 gas) deposits fit its budget together and leave, in
    order, nonces 1 and 2 from L1 block 98."""
    hub = hub_at_97(spec)
    ops, messages = budget_deposits(spec)
    ops = [*ops, advance(spec, 98)]
    yield from operations(spec, hub, ops)
    entries = (enqueued(spec, 0, 97, messages[0]), enqueued(spec, 1, 98, messages[1]), enqueued(spec, 2, 98, messages[2]))
    expected = replace(with_acme(spec, hub, deposits=entries), l1_blocks=(*hub.l1_blocks, l1_block(spec, 98)))
    yield from expect_hub(spec, lambda: run(spec, hub, ops), expected)


@vector_case("bridge", "apply_operations")
def test_deposit_that_mints_nothing_passes_without_a_sequencer(spec: ModuleType) -> Iterator[Part]:
    """No sequencer is eligible (none is registered), yet a deposit that mints nothing — an exit through the
    message passer, a governance message — is enqueued at once: it adds no value for a bond to cover."""
    hub = hub_at_97(spec, sequencer=False)
    ops = [deposit(l1_sender=DEPOSITOR, to=RECIPIENT, value=4, gas_limit=21_000)]
    yield from operations(spec, hub, ops)
    entry = enqueued(spec, 0, 97, message(spec, DEPOSITOR, RECIPIENT, 0, 4, 21_000, b""))
    yield from expect_hub(spec, lambda: run(spec, hub, ops), with_acme(spec, hub, deposits=(entry,)))


@vector_case("bridge", "apply_operations")
def test_deposit_that_mints_nothing_still_waits_its_turn(spec: ModuleType) -> Iterator[Part]:
    """Behind a deposit that mints and waits for a sequencer, a deposit minting nothing waits too: deposits never
    overtake one another."""
    hub = hub_at_97(spec, sequencer=False)
    least = LEAST[spec.PRESET]
    ops = [
        deposit(l1_sender=DEPOSITOR, to=RECIPIENT, mint=5 * least, gas_limit=21_000),
        deposit(l1_sender=DEPOSITOR, to=RECIPIENT, value=4, gas_limit=21_000),
    ]
    yield from operations(spec, hub, ops)
    waiting = (
        message(spec, DEPOSITOR, RECIPIENT, 5 * least, 0, 21_000, b""),
        message(spec, DEPOSITOR, RECIPIENT, 0, 4, 21_000, b""),
    )
    yield from expect_hub(spec, lambda: run(spec, hub, ops), with_acme(spec, hub, pending_deposits=waiting))


# --- The pending queue: its minimum, its bounds and taking a deposit back --------------------------------------------
# Amounts in units of m = MIN_DEPOSIT_MINT and of M = MAX_SEQUENCER_LOCK; by the DBT formula, a supply S can be bonded
# by some stake exactly when ceil(S / 10) <= M, that is S <= 10 M. The cases that need MAX_PENDING_DEPOSITS waiting
# deposits, MAX_DEPOSITS_PER_L1_BLOCK leaving, or DEPOSIT_QUEUE_TIMEOUT L1 blocks are minimal only (8, 4 and 10);
# on mainnet they would need 1,024 deposits or 50,400 L1 blocks in one vector.


@vector_case("bridge", "deposit_into_dac")
def test_deposit_one_wei_below_the_minimum(spec: ModuleType) -> Iterator[Part]:
    """A mint of m - 1 wei: more than nothing, less than MIN_DEPOSIT_MINT. Refused, although a sequencer is
    eligible and the block has room."""
    hub = hub_at_97(spec)
    operation = deposit(l1_sender=DEPOSITOR, to=RECIPIENT, mint=LEAST[spec.PRESET] - 1, gas_limit=21_000)
    yield from one_operation(spec, hub, operation)
    yield from expect_spec_error(spec, "DepositBelowMinimum", lambda: run(spec, hub, [operation]))


@vector_case("bridge", "deposit_into_dac")
def test_deposit_of_one_wei(spec: ModuleType) -> Iterator[Part]:
    """A mint of 1 wei, the least that is more than nothing: refused like any mint below MIN_DEPOSIT_MINT."""
    hub = hub_at_97(spec)
    operation = deposit(l1_sender=DEPOSITOR, to=RECIPIENT, mint=1, gas_limit=21_000)
    yield from one_operation(spec, hub, operation)
    yield from expect_spec_error(spec, "DepositBelowMinimum", lambda: run(spec, hub, [operation]))


@vector_case("bridge", "deposit_into_dac")
def test_deposit_of_exactly_the_minimum(spec: ModuleType) -> Iterator[Part]:
    """A mint of exactly m is accepted and, with an eligible sequencer, leaves the queue at once: nonce 0 from L1
    block 97, supply m, one ticket given."""
    hub = hub_at_97(spec)
    least = LEAST[spec.PRESET]
    operation = deposit(l1_sender=DEPOSITOR, to=RECIPIENT, mint=least, gas_limit=21_000)
    yield from one_operation(spec, hub, operation)
    entry = enqueued(spec, 0, 97, message(spec, DEPOSITOR, RECIPIENT, least, 0, 21_000, b""))
    expected = with_acme(spec, hub, coinbase_supply=spec.Wei(least), deposits=(entry,))
    yield from expect_hub(spec, lambda: run(spec, hub, [operation]), expected)


def waiting_for_capacity(spec: ModuleType, locked: int) -> Any:
    """The hub in L1 block 97 without a sequencer, acme's queue holding one deposit of ``locked`` wei (ticket 0)."""
    hub = hub_at_97(spec, sequencer=False)
    return with_acme(spec, hub, pending_deposits=(message(spec, DEPOSITOR, RECIPIENT, locked, 0, 21_000, b""),))


@vector_case("bridge", "deposit_into_dac")
def test_deposit_beyond_the_remaining_bond_capacity(spec: ModuleType) -> Iterator[Part]:
    """10 M - m + 1 wei already waits in the queue; a deposit of m would lock 10 M + 1 for the chain, whose DBT,
    M + 1, no stake may reach. Its own DBT is only the floor, but it is refused: at the head of the queue it could
    never leave."""
    least, max_lock = LEAST[spec.PRESET], MAX_LOCK[spec.PRESET]
    hub = waiting_for_capacity(spec, 10 * max_lock - least + 1)
    operation = deposit(l1_sender=DEPOSITOR, to=RECIPIENT, mint=least, gas_limit=21_000)
    yield from one_operation(spec, hub, operation)
    yield from expect_spec_error(spec, "DepositExceedsRemainingBondCapacity", lambda: run(spec, hub, [operation]))


@vector_case("bridge", "deposit_into_dac")
def test_deposit_up_to_the_remaining_bond_capacity(spec: ModuleType) -> Iterator[Part]:
    """10 M - m waits; a deposit of m locks exactly 10 M (DBT exactly M, a maximum stake): accepted, it waits behind
    the first with ticket 1."""
    least, max_lock = LEAST[spec.PRESET], MAX_LOCK[spec.PRESET]
    hub = waiting_for_capacity(spec, 10 * max_lock - least)
    operation = deposit(l1_sender=DEPOSITOR, to=RECIPIENT, mint=least, gas_limit=21_000)
    yield from one_operation(spec, hub, operation)
    first = message(spec, DEPOSITOR, RECIPIENT, 10 * max_lock - least, 0, 21_000, b"")
    second = message(spec, DEPOSITOR, RECIPIENT, least, 0, 21_000, b"")
    yield from expect_hub(spec, lambda: run(spec, hub, [operation]), with_acme(spec, hub, pending_deposits=(first, second)))


def queue_of(spec: ModuleType, count: int) -> Any:
    """The hub in L1 block 97 without a sequencer, acme's queue holding ``count`` deposits of m (tickets 0, 1, ...)."""
    item = message(spec, DEPOSITOR, RECIPIENT, LEAST[spec.PRESET], 0, 21_000, b"")
    return with_acme(spec, hub_at_97(spec, sequencer=False), pending_deposits=(item,) * count)


@vector_case("bridge", "deposit_into_dac", presets=("minimal",))
def test_deposit_into_a_full_queue(spec: ModuleType) -> Iterator[Part]:
    """MAX_PENDING_DEPOSITS (8) deposits wait for a sequencer: a ninth is refused."""
    hub = queue_of(spec, QUEUE_LIMIT)
    operation = deposit(l1_sender=DEPOSITOR, to=RECIPIENT, mint=LEAST[spec.PRESET], gas_limit=21_000)
    yield from one_operation(spec, hub, operation)
    yield from expect_spec_error(spec, "DepositQueueFull", lambda: run(spec, hub, [operation]))


@vector_case("bridge", "deposit_into_dac", presets=("minimal",))
def test_message_into_a_full_queue(spec: ModuleType) -> Iterator[Part]:
    """A deposit minting nothing counts against the queue's bound too: refused by a full queue."""
    hub = queue_of(spec, QUEUE_LIMIT)
    operation = deposit(l1_sender=DEPOSITOR, to=RECIPIENT, value=1, gas_limit=21_000)
    yield from one_operation(spec, hub, operation)
    yield from expect_spec_error(spec, "DepositQueueFull", lambda: run(spec, hub, [operation]))


@vector_case("bridge", "deposit_into_dac", presets=("minimal",))
def test_deposit_into_the_last_place_of_the_queue(spec: ModuleType) -> Iterator[Part]:
    """Seven deposits wait: the eighth takes the last place, ticket 7."""
    hub = queue_of(spec, QUEUE_LIMIT - 1)
    operation = deposit(l1_sender=DEPOSITOR, to=RECIPIENT, mint=LEAST[spec.PRESET], gas_limit=21_000)
    yield from one_operation(spec, hub, operation)
    item = message(spec, DEPOSITOR, RECIPIENT, LEAST[spec.PRESET], 0, 21_000, b"")
    expected = with_acme(spec, hub, pending_deposits=(item,) * QUEUE_LIMIT)
    yield from expect_hub(spec, lambda: run(spec, hub, [operation]), expected)


OTHER_DEPOSITOR = bytes([0xD0]) * 20


@vector_case("bridge", "apply_operations", presets=("minimal",))
def test_drain_moves_at_most_max_deposits_per_l1_block(spec: ModuleType) -> Iterator[Part]:
    """Five deposits of m (21,000 gas each, far within the gas budget) wait for a sequencer; one registers in L1 block
    97: MAX_DEPOSITS_PER_L1_BLOCK (4) leave, nonces 0 to 3; the fifth waits for the next L1 block."""
    hub = hub_at_97(spec, sequencer=False)
    least = LEAST[spec.PRESET]
    register = {"op": "register_sequencer", "address": "0x" + SEQUENCER.hex(), "amount": encode_uint(spec.MIN_SEQUENCER_BOND)}
    ops = [deposit(l1_sender=DEPOSITOR, to=RECIPIENT, mint=least, gas_limit=21_000) for _ in range(5)] + [register]
    yield from operations(spec, hub, ops)
    item = message(spec, DEPOSITOR, RECIPIENT, least, 0, 21_000, b"")
    entries = tuple(enqueued(spec, nonce, 97, item) for nonce in range(PER_BLOCK))
    sequencers = (spec.Sequencer(spec.Address(SEQUENCER), spec.MIN_SEQUENCER_BOND, None),)
    record = with_acme(spec, hub, coinbase_supply=spec.Wei(4 * least), deposits=entries, pending_deposits=(item,))
    yield from expect_hub(spec, lambda: run(spec, hub, ops), replace(record, sequencers=sequencers))


@vector_case("bridge", "apply_operations", presets=("minimal",))
def test_deposits_of_one_l1_block_are_counted_across_calls(spec: ModuleType) -> Iterator[Part]:
    """With an eligible sequencer, five deposits of m in L1 block 97, one call each: the first four leave as they
    come; the fifth finds block 97's four places taken and waits; L1 block 98 takes it, nonce 4."""
    hub = hub_at_97(spec)
    least = LEAST[spec.PRESET]
    ops = [deposit(l1_sender=DEPOSITOR, to=RECIPIENT, mint=least, gas_limit=21_000) for _ in range(5)]
    ops.append(advance(spec, 98))
    yield from operations(spec, hub, ops)
    item = message(spec, DEPOSITOR, RECIPIENT, least, 0, 21_000, b"")
    entries = (*(enqueued(spec, nonce, 97, item) for nonce in range(PER_BLOCK)), enqueued(spec, 4, 98, item))
    expected = with_acme(spec, hub, coinbase_supply=spec.Wei(5 * least), deposits=entries)
    yield from expect_hub(spec, lambda: run(spec, hub, ops), replace(expected, l1_blocks=(*hub.l1_blocks, l1_block(spec, 98))))


def waited(spec: ModuleType, blocks: int, *, sequencer: bool = False, from_contract: bool = False) -> Any:
    """DEPOSITOR (an L1 contract if ``from_contract``) deposits 3 m into acme in L1 block 97, with no sequencer (so
    it waits) unless ``sequencer``; then ``blocks`` L1 blocks pass (98, 99, ...). Returns the hub."""
    least = LEAST[spec.PRESET]
    hub = hub_at_97(spec, sequencer=sequencer)
    made = deposit(l1_sender=DEPOSITOR, to=RECIPIENT, mint=3 * least, gas_limit=21_000, from_contract=from_contract)
    return run(spec, hub, [made, *(advance(spec, 98 + offset) for offset in range(blocks))])


def expect_refund(spec: ModuleType, call: Callable[[], Any], expected_hub: Any, refunded: int) -> Iterator[Part]:
    got_hub, got_refund = call()
    assert got_hub == expected_hub, "the hub differs from the one built by hand"
    assert got_refund == refunded, f"refunded {got_refund}, worked out by hand {refunded}"
    yield "post", {"hub": encode_hub(got_hub), "refunded": encode_uint(got_refund)}


def taking_back(spec: ModuleType, hub: Any, operation: dict[str, Any]) -> Callable[[], Any]:
    sender, ticket = spec.Address(bytes.fromhex(operation["l1_sender"][2:])), spec.uint64(int(operation["ticket"]))
    return lambda: spec.withdraw_pending_deposit(hub, spec.ChainId(ACME), sender, ticket)


def expect_take_back_refused(spec: ModuleType, hub: Any, l1_sender: bytes, ticket: int, error: str) -> Iterator[Part]:
    """``l1_sender`` asks for ticket ``ticket`` in ``hub``; the hub refuses it with ``error``."""
    operation = take_back(l1_sender=l1_sender, ticket=ticket)
    yield from one_operation(spec, hub, operation)
    yield from expect_spec_error(spec, error, taking_back(spec, hub, operation))


def after_the_timeout(spec: ModuleType, hub: Any) -> Any:
    """``hub`` (in L1 block 97) after L1 blocks 98 to 97 + DEPOSIT_QUEUE_TIMEOUT, with nothing leaving any queue, by
    hand: the blocks appended, and block 104, which starts epoch 13 (8-block epochs), records the snapshot of epoch
    14's draw (its RANDAO value, the pool, every DAC's supply) and drops those of epochs before 13."""
    blocks = tuple(l1_block(spec, number) for number in range(98, 98 + TIMEOUT))
    supplies = tuple((dac.chain_id, dac.coinbase_supply) for dac in hub.dacs)
    snapshot = spec.SequencingSnapshot(spec.Epoch(14), spec.Hash32(randao(104)), hub.sequencers, supplies)
    kept = tuple(earlier for earlier in hub.sequencing_snapshots if earlier.epoch >= 13)
    return replace(hub, l1_blocks=(*hub.l1_blocks, *blocks), sequencing_snapshots=(*kept, snapshot))


@vector_case("bridge", "withdraw_pending_deposit", presets=("minimal",))
def test_pending_deposit_taken_back_at_the_timeout(spec: ModuleType) -> Iterator[Part]:
    """The 3 m deposit made in L1 block 97 has waited DEPOSIT_QUEUE_TIMEOUT (10) blocks in block 107: its depositor
    takes it back and is refunded 3 m. The queue is empty; the supply, never raised by it, stays 0; one ticket
    was given."""
    hub = waited(spec, TIMEOUT)
    assert spec.get_current_l1_block(hub).number == 97 + TIMEOUT
    operation = take_back(l1_sender=DEPOSITOR, ticket=0)
    yield from one_operation(spec, hub, operation)
    expected = with_acme(spec, hub, pending_deposits=(), tickets_issued=spec.uint64(1))
    yield from expect_refund(spec, taking_back(spec, hub, operation), expected, 3 * LEAST[spec.PRESET])


@vector_case("bridge", "withdraw_pending_deposit", presets=("minimal",))
def test_pending_deposit_one_l1_block_before_the_timeout(spec: ModuleType) -> Iterator[Part]:
    """In L1 block 106 the deposit of block 97 has waited 9 blocks, one short of DEPOSIT_QUEUE_TIMEOUT."""
    hub = waited(spec, TIMEOUT - 1)
    yield from expect_take_back_refused(spec, hub, DEPOSITOR, 0, "DepositTimeoutNotReached")


@vector_case("bridge", "withdraw_pending_deposit", presets=("minimal",))
def test_pending_deposit_taken_back_by_another_account(spec: ModuleType) -> Iterator[Part]:
    """Past the timeout, an account that did not make the deposit asks for it: refused, whatever the timeout."""
    hub = waited(spec, TIMEOUT)
    yield from expect_take_back_refused(spec, hub, OTHER_DEPOSITOR, 0, "NotDepositor")


@vector_case("bridge", "withdraw_pending_deposit", presets=("minimal",))
def test_ticket_never_given(spec: ModuleType) -> Iterator[Part]:
    """Only ticket 0 was given: ticket 1 names no waiting deposit."""
    hub = waited(spec, TIMEOUT)
    yield from expect_take_back_refused(spec, hub, DEPOSITOR, 1, "UnknownPendingDeposit")


@vector_case("bridge", "withdraw_pending_deposit", presets=("minimal",))
def test_enqueued_deposit_cannot_be_taken_back(spec: ModuleType) -> Iterator[Part]:
    """With an eligible sequencer the deposit left the queue at once, for L2: its ticket names nothing waiting, and
    its MT is counted in the supply, so only a withdrawal from L2 takes it out."""
    hub = waited(spec, TIMEOUT, sequencer=True)
    yield from expect_take_back_refused(spec, hub, DEPOSITOR, 0, "UnknownPendingDeposit")


@vector_case("bridge", "withdraw_pending_deposit", presets=("minimal",))
def test_contract_deposit_is_not_taken_back_by_its_alias(spec: ModuleType) -> Iterator[Part]:
    """An L1 contract's deposit is its L1 address's to take back, not its aliased L2 address's (the offset added):
    the alias is refused."""
    hub = waited(spec, TIMEOUT, from_contract=True)
    aliased = ((int.from_bytes(DEPOSITOR, "big") + ALIAS_OFFSET) % 2**160).to_bytes(20, "big")
    yield from expect_take_back_refused(spec, hub, aliased, 0, "NotDepositor")


@vector_case("bridge", "withdraw_pending_deposit", presets=("minimal",))
def test_contract_deposit_is_taken_back_by_its_l1_address(spec: ModuleType) -> Iterator[Part]:
    """The same deposit, taken back by the contract's own L1 address: refunded 3 m."""
    hub = waited(spec, TIMEOUT, from_contract=True)
    operation = take_back(l1_sender=DEPOSITOR, ticket=0)
    yield from one_operation(spec, hub, operation)
    expected = with_acme(spec, hub, pending_deposits=(), tickets_issued=spec.uint64(1))
    yield from expect_refund(spec, taking_back(spec, hub, operation), expected, 3 * LEAST[spec.PRESET])


@vector_case("bridge", "apply_operations", presets=("minimal",))
def test_deposit_taken_back_twice(spec: ModuleType) -> Iterator[Part]:
    """Taken back once, the ticket names nothing: a second request is refused, so nothing is refunded twice."""
    hub = waited(spec, TIMEOUT)
    ops = [take_back(l1_sender=DEPOSITOR, ticket=0), take_back(l1_sender=DEPOSITOR, ticket=0)]
    yield from operations(spec, hub, ops)
    yield from expect_spec_error(spec, "UnknownPendingDeposit", lambda: run(spec, hub, ops))


@vector_case("bridge", "apply_operations", presets=("minimal",))
def test_deposit_behind_a_blocked_head_is_taken_back_after_the_timeout(spec: ModuleType) -> Iterator[Part]:
    """No sequencer. In L1 block 97: DEPOSITOR's 5 m (ticket 0) waits for one, a message minting nothing (ticket 1)
    waits behind it, and OTHER_DEPOSITOR's 2 m (ticket 2) behind both. Ten L1 blocks later OTHER_DEPOSITOR takes its
    deposit back from behind the head; the other two keep their order and their tickets."""
    hub = hub_at_97(spec, sequencer=False)
    least = LEAST[spec.PRESET]
    ops = [
        deposit(l1_sender=DEPOSITOR, to=RECIPIENT, mint=5 * least, gas_limit=21_000),
        deposit(l1_sender=DEPOSITOR, to=RECIPIENT, value=1, gas_limit=21_000),
        deposit(l1_sender=OTHER_DEPOSITOR, to=RECIPIENT, mint=2 * least, gas_limit=21_000),
        *(advance(spec, number) for number in range(98, 98 + TIMEOUT)),
        take_back(l1_sender=OTHER_DEPOSITOR, ticket=2),
    ]
    yield from operations(spec, hub, ops)
    head = message(spec, DEPOSITOR, RECIPIENT, 5 * least, 0, 21_000, b"")
    behind = message(spec, DEPOSITOR, RECIPIENT, 0, 1, 21_000, b"")
    expected = with_acme(spec, after_the_timeout(spec, hub), pending_deposits=(head, behind), tickets_issued=spec.uint64(3))
    yield from expect_hub(spec, lambda: run(spec, hub, ops), expected)


@vector_case("bridge", "apply_operations", presets=("minimal",))
def test_taking_back_the_blocked_head_releases_the_queue(spec: ModuleType) -> Iterator[Part]:
    """No sequencer. DEPOSITOR's 5 m waits for one (ticket 0), a message minting nothing waits behind it (ticket 1).
    In L1 block 107 DEPOSITOR takes its deposit back: the message, which needs no sequencer, is now the head and
    leaves at once, nonce 0 from L1 block 107."""
    hub = hub_at_97(spec, sequencer=False)
    least = LEAST[spec.PRESET]
    ops = [
        deposit(l1_sender=DEPOSITOR, to=RECIPIENT, mint=5 * least, gas_limit=21_000),
        deposit(l1_sender=OTHER_DEPOSITOR, to=RECIPIENT, value=1, gas_limit=21_000),
        *(advance(spec, number) for number in range(98, 98 + TIMEOUT)),
        take_back(l1_sender=DEPOSITOR, ticket=0),
    ]
    yield from operations(spec, hub, ops)
    released = enqueued(spec, 0, 97 + TIMEOUT, message(spec, OTHER_DEPOSITOR, RECIPIENT, 0, 1, 21_000, b""))
    expected = with_acme(
        spec, after_the_timeout(spec, hub), deposits=(released,), pending_deposits=(), tickets_issued=spec.uint64(2)
    )
    yield from expect_hub(spec, lambda: run(spec, hub, ops), expected)


# --- Withdrawals ------------------------------------------------------------------------------------------------------
# A withdrawal is made by Alice on L2 (a transaction to the message passer in block 1, on origin 96, batched in L1
# block 97), the state batch of block 1's output root is appended in L1 block 97 too, and the proofs are the
# adapter's Merkle-Patricia proofs of the state after block 1.

MESSAGE_PASSER = bytes.fromhex("4200000000000000000000000000000000000016")
TARGET = bytes([0x7A]) * 20
WITHDRAWN = 10**17
DATA = b"hi"
WINDOW = {"mainnet": 604_800, "minimal": 3_600}  # FRAUD_PROOF_WINDOW, by hand from presets/*.yaml


def word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def message_calldata(target: bytes, data: bytes) -> bytes:
    """The message passer's calldata: the target right-aligned in a word, then the data."""
    return bytes(12) + target + data


def withdrawal_hash_by_hand(chain_id: int, nonce: int, sender: bytes, target: bytes, value: int, data: bytes) -> bytes:
    """keccak256(abi.encode(uint256, uint256, address, address, uint256, bytes32)): six static words."""
    words = word(chain_id) + word(nonce) + bytes(12) + sender + bytes(12) + target + word(value) + bytes(keccak(data))
    return bytes(keccak(words))


def header_hash_by_hand(header: Any) -> bytes:
    """Lib_OVMCodec.hashBatchHeader: keccak256(abi.encode(bytes32 root, uint256 size, uint256 prev, bytes extra))."""
    extra = bytes(header.extra_data)
    padded = extra + bytes(-len(extra) % 32)
    encoded = bytes(header.batch_root) + word(header.batch_size) + word(header.prev_total_elements) + word(0x80)
    return bytes(keccak(encoded + word(len(extra)) + padded))


@dataclass(frozen=True)
class Withdrawn:
    """A hub in which Alice's withdrawal of 0.1 MT to TARGET is committed in state batch 0, and what proves it."""

    hub: Any
    state: Any
    roots: tuple[bytes, ...]
    withdrawal: Any
    proof: Any

    @property
    def hash(self) -> bytes:
        return withdrawal_hash_by_hand(ACME, 0, address_of(ALICE), TARGET, WITHDRAWN, DATA)


def proof_for(spec: ModuleType, hub: Any, state: Any, roots: Sequence[bytes], slot: bytes, batch: int = 0) -> Any:
    """The proof of ``slot`` in the message passer's storage, against the last output root of state batch ``batch``,
    which must be that of ``state``."""
    header = acme(spec, hub).state_batches.headers[batch]
    preimage = output_root_preimage(spec, state)
    index = len(roots) - 1
    return spec.WithdrawalProof(
        header,
        spec.uint64(index),
        tuple(spec.compute_merkle_proof([spec.Hash32(root) for root in roots], index)),
        preimage,
        tuple(evm.get_account_proof(state.world, MESSAGE_PASSER)),
        tuple(evm.get_storage_proof(state.world, MESSAGE_PASSER, int.from_bytes(slot, "big"))),
    )


def withdrawn(spec: ModuleType, *, charter: Any = None) -> Withdrawn:
    hub = new_hub(spec, alloc=funded(ALICE), charter=charter)
    withdraw = call(ALICE, 0, MESSAGE_PASSER, data=message_calldata(TARGET, DATA), value=WITHDRAWN)
    hub = run(spec, hub, [advance(spec, 97), append_batch(spec, [(96, 0, [withdraw])], 0)])
    state, blocks = spec.derive_chain(hub, spec.ChainId(ACME))
    assert [r.status for r in blocks[0].receipts] == [1], "the message was recorded"
    roots = tuple(bytes(block.output_root) for block in blocks)
    hub = run(spec, hub, [append_state(roots, 0)])
    withdrawal = spec.Withdrawal(spec.uint256(0), spec.Address(address_of(ALICE)), spec.Address(TARGET), spec.Wei(WITHDRAWN), DATA)
    assert spec.hash_withdrawal(spec.ChainId(ACME), withdrawal) == withdrawal_hash_by_hand(
        ACME, 0, address_of(ALICE), TARGET, WITHDRAWN, DATA
    )
    slot = withdrawal_hash_by_hand(ACME, 0, address_of(ALICE), TARGET, WITHDRAWN, DATA)
    return Withdrawn(hub, state, roots, withdrawal, proof_for(spec, hub, state, roots, slot))


def proven_entry(spec: ModuleType, case: Withdrawn, batch: int = 0) -> Any:
    header = acme(spec, case.hub).state_batches.headers[batch]
    return spec.ProvenWithdrawal(spec.Hash32(case.hash), spec.uint256(batch), spec.Hash32(header_hash_by_hand(header)))


def appended_at(spec: ModuleType, hub: Any, batch: int = 0) -> int:
    """The L1 time state batch ``batch`` was appended at, read off its extraData by hand (its third word)."""
    extra = bytes(acme(spec, hub).state_batches.headers[batch].extra_data)
    return int.from_bytes(extra[64:96], "big")


def advance_at(spec: ModuleType, number: int, timestamp: int) -> dict[str, Any]:
    operation = advance(spec, number)
    operation["block"]["timestamp"] = encode_uint(timestamp)
    return operation


def prove_op(case: Withdrawn, proof: Any = None, withdrawal: Any = None, chain_id: int = ACME) -> dict[str, Any]:
    return prove(chain_id, withdrawal if withdrawal is not None else case.withdrawal, proof if proof is not None else case.proof)


@vector_case("bridge", "prove_withdrawal")
def test_withdrawal_is_proven(spec: ModuleType) -> Iterator[Part]:
    """Alice's message is in the passer's storage under the committed output root: the proof is recorded with the
    batch it was made against (index 0 and the header's hash)."""
    case = withdrawn(spec)
    operation = prove_op(case)
    yield from one_operation(spec, case.hub, operation)
    # By hand: the slot holds 1 and the committed root is block 1's.
    assert evm.get_storage(case.state.world, MESSAGE_PASSER, int.from_bytes(case.hash, "big")) == 1
    expected = with_acme(spec, case.hub, proven_withdrawals=(proven_entry(spec, case),))
    yield from expect_hub(spec, lambda: run(spec, case.hub, [operation]), expected)


@vector_case("bridge", "prove_withdrawal")
def test_withdrawal_proof_with_another_preimage(spec: ModuleType) -> Iterator[Part]:
    """A preimage whose block hash is not block 1's: its output root is not the committed one."""
    case = withdrawn(spec)
    preimage = replace(case.proof.output_root_proof, block_hash=spec.Hash32(bytes(32)))
    operation = prove_op(case, replace(case.proof, output_root_proof=preimage))
    yield from one_operation(spec, case.hub, operation)
    yield from expect_spec_error(spec, "InvalidOutputRootProof", lambda: run(spec, case.hub, [operation]))


@vector_case("bridge", "prove_withdrawal")
def test_withdrawal_proof_against_an_unknown_batch(spec: ModuleType) -> Iterator[Part]:
    """A header claiming index 1: the chain stores no such batch."""
    case = withdrawn(spec)
    header = replace(case.proof.batch_header, batch_index=spec.uint256(1))
    operation = prove_op(case, replace(case.proof, batch_header=header))
    yield from one_operation(spec, case.hub, operation)
    yield from expect_spec_error(spec, "UnknownBatchHeader", lambda: run(spec, case.hub, [operation]))


@vector_case("bridge", "prove_withdrawal")
def test_withdrawal_proof_on_another_chain(spec: ModuleType) -> Iterator[Part]:
    """Acme's proof presented for chain 1000000000001090 ("other", with no state batch): the other chain stores no such batch,
    and the message's hash would bind chain 1000000000001090 anyway."""
    case = withdrawn(spec)
    hub = run(spec, case.hub, [create_dac_op(spec, "other")])
    operation = prove_op(case, chain_id=OTHER)
    yield from one_operation(spec, hub, operation)
    yield from expect_spec_error(spec, "UnknownBatchHeader", lambda: run(spec, hub, [operation]))


@vector_case("bridge", "prove_withdrawal")
def test_withdrawal_proof_with_a_sibling_too_many(spec: ModuleType) -> Iterator[Part]:
    """The batch holds one output root, so its proof has no sibling; one extra is malformed."""
    case = withdrawn(spec)
    operation = prove_op(case, replace(case.proof, output_root_siblings=(spec.Hash32(bytes(32)),)))
    yield from one_operation(spec, case.hub, operation)
    yield from expect_spec_error(spec, "MerkleProofLengthMismatch", lambda: run(spec, case.hub, [operation]))


@vector_case("bridge", "prove_withdrawal")
def test_withdrawal_proof_missing_a_trie_node(spec: ModuleType) -> Iterator[Part]:
    """The account proof without its last node (the leaf): it does not lead from the state root to an answer."""
    case = withdrawn(spec)
    operation = prove_op(case, replace(case.proof, account_proof=case.proof.account_proof[:-1]))
    yield from one_operation(spec, case.hub, operation)
    yield from expect_spec_error(spec, "InvalidTrieProof", lambda: run(spec, case.hub, [operation]))


@vector_case("bridge", "prove_withdrawal")
def test_withdrawal_proof_with_a_tampered_storage_node(spec: ModuleType) -> Iterator[Part]:
    """The storage proof's root node with one byte changed: its hash no longer matches the storage root."""
    case = withdrawn(spec)
    first = bytearray(case.proof.storage_proof[0])
    first[-1] ^= 0x01
    operation = prove_op(case, replace(case.proof, storage_proof=(bytes(first), *case.proof.storage_proof[1:])))
    yield from one_operation(spec, case.hub, operation)
    yield from expect_spec_error(spec, "InvalidTrieProof", lambda: run(spec, case.hub, [operation]))


@vector_case("bridge", "prove_withdrawal")
def test_withdrawal_never_made(spec: ModuleType) -> Iterator[Part]:
    """A withdrawal of one wei more than Alice sent: its slot is empty, which the storage proof (of absence) shows."""
    case = withdrawn(spec)
    greedy = replace(case.withdrawal, value=spec.Wei(WITHDRAWN + 1))
    slot = withdrawal_hash_by_hand(ACME, 0, address_of(ALICE), TARGET, WITHDRAWN + 1, DATA)
    proof = proof_for(spec, case.hub, case.state, case.roots, slot)
    assert evm.get_storage(case.state.world, MESSAGE_PASSER, int.from_bytes(slot, "big")) == 0
    operation = prove_op(case, proof, greedy)
    yield from one_operation(spec, case.hub, operation)
    yield from expect_spec_error(spec, "WithdrawalNotInitiated", lambda: run(spec, case.hub, [operation]))


@vector_case("bridge", "prove_withdrawal")
def test_withdrawal_proof_against_a_forged_message_passer_root(spec: ModuleType) -> Iterator[Part]:
    """A sequencer commits an output root whose message-passer root is not the passer's storage root under its own
    state root (a second state batch, for block 1 again after the first is deleted). The account proof shows the
    real storage root: the forged one is refused."""
    case = withdrawn(spec)
    honest = case.proof.output_root_proof
    forged = replace(honest, message_passer_root=spec.Hash32(bytes(keccak(b"forged"))))
    forged_root = bytes(
        keccak(
            word(2)
            + bytes(forged.state_root)
            + bytes(forged.charter_root)
            + bytes(forged.message_passer_root)
            + bytes(forged.block_hash)
            + bytes(forged.context_root)
        )
    )
    header = acme(spec, case.hub).state_batches.headers[0]
    hub = run(spec, case.hub, [header_op(header), append_state([forged_root], 0)])
    proof = replace(proof_for(spec, hub, case.state, [forged_root], case.hash), output_root_proof=forged)
    operation = prove_op(case, proof)
    yield from one_operation(spec, hub, operation)
    yield from expect_spec_error(spec, "MessagePasserRootMismatch", lambda: run(spec, hub, [operation]))


@vector_case("bridge", "prove_withdrawal")
def test_withdrawal_proven_twice(spec: ModuleType) -> Iterator[Part]:
    """A second proof while the first one's batch is still stored is refused."""
    case = withdrawn(spec)
    hub = run(spec, case.hub, [prove_op(case)])
    operation = prove_op(case)
    yield from one_operation(spec, hub, operation)
    yield from expect_spec_error(spec, "WithdrawalAlreadyProven", lambda: run(spec, hub, [operation]))


def final_hub(spec: ModuleType, case: Withdrawn, *, early: int = 0) -> Any:
    """The case's hub with the withdrawal proven, then one L1 block (98) at exactly the end of the fraud-proof
    window of state batch 0, or ``early`` seconds before it."""
    end = appended_at(spec, case.hub) + WINDOW[spec.PRESET]
    return run(spec, case.hub, [prove_op(case), advance_at(spec, 98, end - early)])


@vector_case("bridge", "finalize_withdrawal")
def test_withdrawal_finalized_when_its_batch_is_final(spec: ModuleType) -> Iterator[Part]:
    """At exactly FRAUD_PROOF_WINDOW after the batch was appended it is final: 0.1 MT is paid out to the target, the
    chain's locked MT falls by as much, and the message is marked paid."""
    case = withdrawn(spec)
    hub = final_hub(spec, case)
    assert appended_at(spec, case.hub) == l1_time(97)
    operation = finalize(ACME, case.withdrawal)
    yield from one_operation(spec, hub, operation)
    before = acme(spec, hub)
    expected = with_acme(
        spec,
        hub,
        coinbase_supply=spec.Wei(int(before.coinbase_supply) - WITHDRAWN),
        finalized_withdrawals=(spec.Hash32(case.hash),),
    )
    got, paid = spec.finalize_withdrawal(hub, spec.ChainId(ACME), case.withdrawal)
    assert got == expected and paid == WITHDRAWN
    yield "post", {"hub": encode_hub(got), "paid": encode_uint(WITHDRAWN)}


@vector_case("bridge", "finalize_withdrawal")
def test_withdrawal_one_second_before_its_batch_is_final(spec: ModuleType) -> Iterator[Part]:
    """One second before the window ends the batch can still be deleted: no payout."""
    case = withdrawn(spec)
    hub = final_hub(spec, case, early=1)
    operation = finalize(ACME, case.withdrawal)
    yield from one_operation(spec, hub, operation)
    yield from expect_spec_error(spec, "WithdrawalBatchNotFinal", lambda: run(spec, hub, [operation]))


@vector_case("bridge", "finalize_withdrawal")
def test_withdrawal_finalized_twice(spec: ModuleType) -> Iterator[Part]:
    """A message is paid out once."""
    case = withdrawn(spec)
    hub = run(spec, final_hub(spec, case), [finalize(ACME, case.withdrawal)])
    operation = finalize(ACME, case.withdrawal)
    yield from one_operation(spec, hub, operation)
    yield from expect_spec_error(spec, "WithdrawalAlreadyFinalized", lambda: run(spec, hub, [operation]))


@vector_case("bridge", "prove_withdrawal")
def test_withdrawal_proven_after_it_was_paid(spec: ModuleType) -> Iterator[Part]:
    """Proving a message already paid out is refused before the proof is even checked."""
    case = withdrawn(spec)
    hub = run(spec, final_hub(spec, case), [finalize(ACME, case.withdrawal)])
    operation = prove_op(case, replace(case.proof, account_proof=()))
    yield from one_operation(spec, hub, operation)
    yield from expect_spec_error(spec, "WithdrawalAlreadyFinalized", lambda: run(spec, hub, [operation]))


@vector_case("bridge", "finalize_withdrawal")
def test_withdrawal_never_proven(spec: ModuleType) -> Iterator[Part]:
    """Finalising without a proof, even long after the batch is final."""
    case = withdrawn(spec)
    hub = run(spec, case.hub, [advance_at(spec, 98, appended_at(spec, case.hub) + WINDOW[spec.PRESET])])
    operation = finalize(ACME, case.withdrawal)
    yield from one_operation(spec, hub, operation)
    yield from expect_spec_error(spec, "WithdrawalNotProven", lambda: run(spec, hub, [operation]))


@vector_case("bridge", "finalize_withdrawal")
def test_withdrawal_whose_batch_was_deleted(spec: ModuleType) -> Iterator[Part]:
    """Proven, then the batch is deleted by a challenge (inside its window) and the root posted again in the next L1
    block: the proof stood on a batch the hub no longer stores, so the message must be proven again. (Posted again in
    the same L1 block, the batch would have the very same header, and the proof would still stand.)"""
    case = withdrawn(spec)
    header = acme(spec, case.hub).state_batches.headers[0]
    hub = run(spec, case.hub, [prove_op(case), header_op(header), advance(spec, 98), append_state(case.roots, 0)])
    end = appended_at(spec, hub) + WINDOW[spec.PRESET]
    hub = run(spec, hub, [advance_at(spec, 99, end)])
    operation = finalize(ACME, case.withdrawal)
    yield from one_operation(spec, hub, operation)
    yield from expect_spec_error(spec, "ProvenBatchDeleted", lambda: run(spec, hub, [operation]))


@vector_case("bridge", "finalize_withdrawal")
def test_withdrawal_whose_batch_was_deleted_and_not_posted_again(spec: ModuleType) -> Iterator[Part]:
    """Proven, then the batch is deleted and nothing is posted in its place: the chain stores no batch at the
    proof's index at all, and the proof no longer stands."""
    case = withdrawn(spec)
    header = acme(spec, case.hub).state_batches.headers[0]
    hub = run(spec, case.hub, [prove_op(case), header_op(header)])
    assert acme(spec, hub).state_batches.headers == ()
    operation = finalize(ACME, case.withdrawal)
    yield from one_operation(spec, hub, operation)
    yield from expect_spec_error(spec, "ProvenBatchDeleted", lambda: run(spec, hub, [operation]))


@vector_case("bridge", "apply_operations")
def test_withdrawal_proven_again_after_its_batch_was_deleted(spec: ModuleType) -> Iterator[Part]:
    """The same story, then the message is proven again against the new batch 0 and paid out once it is final."""
    case = withdrawn(spec)
    header = acme(spec, case.hub).state_batches.headers[0]
    reposted = [prove_op(case), header_op(header), advance(spec, 98), append_state(case.roots, 0)]
    replaced = run(spec, case.hub, reposted)
    new_proof = proof_for(spec, replaced, case.state, case.roots, case.hash)
    end = appended_at(spec, replaced) + WINDOW[spec.PRESET]
    ops = [*reposted, prove_op(case, new_proof), advance_at(spec, 99, end), finalize(ACME, case.withdrawal)]
    yield from operations(spec, case.hub, ops)
    after = run(spec, case.hub, ops)
    record = acme(spec, after)
    new_header = record.state_batches.headers[0]
    assert header_hash_by_hand(new_header) != header_hash_by_hand(header)  # another extraData: appended later
    assert record.proven_withdrawals == (
        spec.ProvenWithdrawal(spec.Hash32(case.hash), spec.uint256(0), spec.Hash32(header_hash_by_hand(new_header))),
    )
    assert record.finalized_withdrawals == (spec.Hash32(case.hash),)
    assert record.coinbase_supply == FUNDS - WITHDRAWN
    yield "post", {"hub": encode_hub(after)}


@vector_case("bridge", "finalize_withdrawal")
def test_withdrawal_above_the_chains_locked_mt(spec: ModuleType) -> Iterator[Part]:
    """A fraudulent output root, never challenged, whose state records a withdrawal of more MT than the chain has
    locked: the payout is refused, so a fraud on one chain can never pay out another chain's MT. (The forged state
    is a world holding only the message passer with that message's slot set.)"""
    case = withdrawn(spec)
    greedy = replace(case.withdrawal, value=spec.Wei(FUNDS + 1))
    slot = withdrawal_hash_by_hand(ACME, 0, address_of(ALICE), TARGET, FUNDS + 1, DATA)
    passer = GenesisAccount(0, 1, bytes(spec.get_message_passer_code()), ((int.from_bytes(slot, "big"), 1),))
    forged_world = evm.genesis_world({MESSAGE_PASSER: passer})
    forged_state = replace(case.state, world=forged_world)
    forged_root = bytes(spec.get_state_output_root(forged_state))
    header = acme(spec, case.hub).state_batches.headers[0]
    hub = run(spec, case.hub, [header_op(header), append_state([forged_root], 0)])
    proof = proof_for(spec, hub, forged_state, [forged_root], slot)
    end = appended_at(spec, hub) + WINDOW[spec.PRESET]
    hub = run(spec, hub, [prove(ACME, greedy, proof), advance_at(spec, 98, end)])
    operation = finalize(ACME, greedy)
    yield from one_operation(spec, hub, operation)
    yield from expect_spec_error(spec, "InsufficientCoinbaseSupply", lambda: run(spec, hub, [operation]))


def forged_output_root(
    spec: ModuleType, case: Withdrawn, state_root: bytes, passer_root: bytes, value: int
) -> tuple[Any, Any, Any]:
    """A fraudulent output root, never challenged, committed in place of state batch 0: its state root and
    message-passer root are given, its other fields the honest ones. Returns the hub (proof of Alice's message
    asking for ``value`` not yet made), that withdrawal and the output root preimage."""
    honest = case.proof.output_root_proof
    preimage = replace(honest, state_root=spec.Hash32(state_root), message_passer_root=spec.Hash32(passer_root))
    root = bytes(
        keccak(
            word(2) + state_root + bytes(honest.charter_root) + passer_root + bytes(honest.block_hash)
            + bytes(honest.context_root)
        )
    )
    header = acme(spec, case.hub).state_batches.headers[0]
    hub = run(spec, case.hub, [header_op(header), append_state([root], 0)])
    return hub, replace(case.withdrawal, value=spec.Wei(value)), preimage


def forged_proof(
    spec: ModuleType, hub: Any, preimage: Any, account_proof: tuple[bytes, ...], storage_proof: tuple[bytes, ...]
) -> Any:
    """The proof against the forged batch 0, whose only output root needs no Merkle sibling."""
    header = acme(spec, hub).state_batches.headers[0]
    return spec.WithdrawalProof(header, spec.uint64(0), (), preimage, account_proof, storage_proof)


def proof_in_trie(trie: Any, key: bytes) -> tuple[bytes, ...]:
    """``key``'s proof in a py-trie, as eth_getProof gives it: the RLP of each node on the path, root first, less
    the nodes short enough to sit inside their parent (the root is always listed)."""
    encoded = [rlp.encode(node) for node in trie.get_proof(key)]
    return tuple(node for depth, node in enumerate(encoded) if depth == 0 or len(node) >= 32)


@vector_case("bridge", "prove_withdrawal")
def test_withdrawal_proof_whose_account_is_not_an_account(spec: ModuleType) -> Iterator[Part]:
    """A fraudulent output root whose state trie holds, under the message passer's key, the RLP of a byte string
    rather than an account's four fields: the account proof proves that value, and it is refused as no account."""
    case = withdrawn(spec)
    state: Any = HexaryTrie({})  # py-trie's methods are unannotated
    account_key = bytes(keccak(MESSAGE_PASSER))
    state.set(account_key, rlp.encode(b"not an account"))
    hub, withdrawal, preimage = forged_output_root(spec, case, bytes(state.root_hash), bytes(32), WITHDRAWN)
    account_proof = proof_in_trie(state, account_key)
    assert spec.verify_trie_proof(preimage.state_root, account_key, account_proof) == rlp.encode(b"not an account")
    proof = forged_proof(spec, hub, preimage, account_proof, ())
    operation = prove(ACME, withdrawal, proof)
    yield from one_operation(spec, hub, operation)
    yield from expect_spec_error(spec, "InvalidTrieProof", lambda: run(spec, hub, [operation]))


@vector_case("bridge", "prove_withdrawal")
def test_withdrawal_proof_whose_slot_is_not_a_word(spec: ModuleType) -> Iterator[Part]:
    """A fraudulent output root whose message passer's storage holds, in the message's slot, the RLP of a list
    rather than of a word: the storage proof proves that value, and it is refused as no storage word."""
    case = withdrawn(spec)
    storage: Any = HexaryTrie({})
    slot_key = bytes(keccak(case.hash))
    storage.set(slot_key, rlp.encode([b"\x01"]))
    account = rlp.encode([1, 0, bytes(storage.root_hash), bytes(keccak(bytes(spec.get_message_passer_code())))])
    state: Any = HexaryTrie({})
    account_key = bytes(keccak(MESSAGE_PASSER))
    state.set(account_key, account)
    hub, withdrawal, preimage = forged_output_root(
        spec, case, bytes(state.root_hash), bytes(storage.root_hash), WITHDRAWN
    )
    storage_proof = proof_in_trie(storage, slot_key)
    assert spec.verify_trie_proof(preimage.message_passer_root, slot_key, storage_proof) == rlp.encode([b"\x01"])
    proof = forged_proof(spec, hub, preimage, proof_in_trie(state, account_key), storage_proof)
    operation = prove(ACME, withdrawal, proof)
    yield from one_operation(spec, hub, operation)
    yield from expect_spec_error(spec, "InvalidTrieProof", lambda: run(spec, hub, [operation]))


@vector_case("bridge", "finalize_withdrawal")
def test_withdrawal_of_exactly_the_chains_locked_mt(spec: ModuleType) -> Iterator[Part]:
    """The fraudulent root of the case above, recording a withdrawal of exactly the MT the chain has locked (read
    off the pre-state): a chain may pay out all it holds, so it is paid and the chain's supply is 0."""
    case = withdrawn(spec)
    locked = int(acme(spec, case.hub).coinbase_supply)
    greedy = replace(case.withdrawal, value=spec.Wei(locked))
    slot = withdrawal_hash_by_hand(ACME, 0, address_of(ALICE), TARGET, locked, DATA)
    passer = GenesisAccount(0, 1, bytes(spec.get_message_passer_code()), ((int.from_bytes(slot, "big"), 1),))
    forged_state = replace(case.state, world=evm.genesis_world({MESSAGE_PASSER: passer}))
    forged_root = bytes(spec.get_state_output_root(forged_state))
    header = acme(spec, case.hub).state_batches.headers[0]
    hub = run(spec, case.hub, [header_op(header), append_state([forged_root], 0)])
    proof = proof_for(spec, hub, forged_state, [forged_root], slot)
    end = appended_at(spec, hub) + WINDOW[spec.PRESET]
    hub = run(spec, hub, [prove(ACME, greedy, proof), advance_at(spec, 98, end)])
    operation = finalize(ACME, greedy)
    yield from one_operation(spec, hub, operation)
    expected = with_acme(spec, hub, coinbase_supply=spec.Wei(0), finalized_withdrawals=(spec.Hash32(slot),))
    got, paid = spec.finalize_withdrawal(hub, spec.ChainId(ACME), greedy)
    assert got == expected and paid == locked
    yield "post", {"hub": encode_hub(got), "paid": encode_uint(locked)}


# --- Exits from L1: the escape hatch and the treasury -----------------------------------------------------------------

METIS_DAO = {"mainnet": bytes.fromhex("5311000000000000000000000000000000001212"), "minimal": bytes.fromhex("ba32858ea15ad4a729d3aca3c2ed5e3363bc16f6")}
METIS_DAO_L1 = {  # (L1 governance address, whether it is a contract), by hand from presets/*.yaml
    "mainnet": (bytes.fromhex("4200000000000000000000000000000000000101"), True),
    "minimal": (bytes.fromhex("ba32858ea15ad4a729d3aca3c2ed5e3363bc16f6"), False),
}
SUBMIT_TX, SSTORE, LOG1, DENY = 0x100, 0x55, 0xA1, 1


def exit_by_deposit(
    spec: ModuleType,
    hub: Any,
    l1_sender: bytes,
    from_contract: bool,
    sender: bytes,
    amount: int,
    before: Sequence[bytes],
    beside: Sequence[bytes],
) -> tuple[list[dict[str, Any]], Any]:
    """The operations of a whole exit started on L1: a deposit (in L1 block 97) to the message passer sending
    ``amount`` from the L2 account ``sender`` to TARGET; a batch of block 1 (origin 96) holding ``before`` and block 2
    (origin 97), which runs the deposit first, then ``beside``; the state batch; the proof; the end of the window; the
    payout. Returns them and the withdrawal."""
    exit_deposit = deposit(
        l1_sender=l1_sender,
        from_contract=from_contract,
        to=MESSAGE_PASSER,
        value=amount,
        gas_limit=150_000,
        data=message_calldata(TARGET, DATA),
    )
    blocks = [(96, 0, list(before)), (97, 0, list(beside))]
    ops = [advance(spec, 97), exit_deposit, advance(spec, 98), append_batch(spec, blocks, 0)]
    after = run(spec, hub, ops)
    state, derived = spec.derive_chain(after, spec.ChainId(ACME))
    roots = tuple(bytes(block.output_root) for block in derived)
    ops.append(append_state(roots, 0))
    after = run(spec, after, [ops[-1]])
    withdrawal = spec.Withdrawal(spec.uint256(0), spec.Address(sender), spec.Address(TARGET), spec.Wei(amount), DATA)
    slot = withdrawal_hash_by_hand(ACME, 0, sender, TARGET, amount, DATA)
    assert evm.get_storage(state.world, MESSAGE_PASSER, int.from_bytes(slot, "big")) == 1, "the message is recorded"
    ops.append(prove(ACME, withdrawal, proof_for(spec, after, state, roots, slot)))
    ops += [advance_at(spec, 99, appended_at(spec, after) + WINDOW[spec.PRESET]), finalize(ACME, withdrawal)]
    return ops, withdrawal


def charter_with(spec: ModuleType, rules: Sequence[Any] = (), taxrates: Sequence[Any] = ()) -> Any:
    return spec.Charter("A DAC", "Bridge vectors", tuple(rules), tuple(taxrates), spec.Address(bytes(20)))


@vector_case("bridge", "apply_operations")
def test_member_locked_out_by_the_charter_exits_through_a_deposit(spec: ModuleType) -> Iterator[Part]:
    """The charter denies Alice SUBMIT_TX, SSTORE and LOG1. Her signed transfer is dropped, but a deposit from her L1
    account (an account without code: not aliased) to the message passer runs — a message to the passer is always
    admitted and the passer's code runs unrestricted — and her 0.1 MT is paid out on L1 once final."""
    alice = spec.Address(address_of(ALICE))
    rules = [
        spec.PermissionRule((alice,), spec.PermissionOperation(DENY), spec.Action(action))
        for action in (SUBMIT_TX, SSTORE, LOG1)
    ]
    hub = new_hub(spec, alloc=funded(ALICE), charter=charter_with(spec, rules))
    transfer_out = call(ALICE, 0, TARGET, value=1, gas=21_000)
    ops, _ = exit_by_deposit(spec, hub, address_of(ALICE), False, address_of(ALICE), WITHDRAWN, [], [transfer_out])
    yield from operations(spec, hub, ops)
    derived = spec.derive_chain(run(spec, hub, ops[:4]), spec.ChainId(ACME))[1]
    assert [(int(d.index), d.error) for d in derived[1].dropped_transactions] == [(0, "SubmitterNotPermitted")]
    after = run(spec, hub, ops)
    paid = withdrawal_hash_by_hand(ACME, 0, address_of(ALICE), TARGET, WITHDRAWN, DATA)
    assert acme(spec, after).finalized_withdrawals == (spec.Hash32(paid),)
    assert acme(spec, after).coinbase_supply == FUNDS - WITHDRAWN
    yield "post", {"hub": encode_hub(after)}


@vector_case("bridge", "apply_operations")
def test_treasury_withdraws_its_taxes_from_l1(spec: ModuleType) -> Iterator[Part]:
    """Alice sends 1,000 wei under a 10% tax in block 1: the treasury (METIS_DAO_ADDRESS) receives 100 (and, as the
    producer of every block, the tips). MetisDAO's L1 governance deposits a message to the passer sending 100 wei to
    TARGET (on mainnet from a contract, aliased to the treasury); it runs in block 2, untaxed (value leaving the chain
    is never taxed); and the 100 wei are paid out on L1."""
    tax = spec.TaxBracket(spec.Wei(0), spec.BasisPoints(1000))
    hub = new_hub(spec, alloc=funded(ALICE), charter=charter_with(spec, taxrates=[tax]))
    taxed = call(ALICE, 0, TARGET, value=1_000, gas=21_000)
    l1_sender, from_contract = METIS_DAO_L1[spec.PRESET]
    treasury = METIS_DAO[spec.PRESET]
    ops, _ = exit_by_deposit(spec, hub, l1_sender, from_contract, treasury, 100, [taxed], [])
    yield from operations(spec, hub, ops)
    state, derived = spec.derive_chain(run(spec, hub, ops[:4]), spec.ChainId(ACME))
    assert [r.tax for r in derived[0].receipts] == [100] and [r.tax for r in derived[1].receipts] == [0]
    # Tax 100 + tip 21,000 * 2, less the 100 sent to L1.
    assert evm.get_balance(state.world, treasury) == 100 + 21_000 * 2 - 100
    after = run(spec, hub, ops)
    assert acme(spec, after).coinbase_supply == FUNDS - 100
    yield "post", {"hub": encode_hub(after)}
