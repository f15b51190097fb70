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

from dataclasses import replace
from types import ModuleType
from typing import Any, Callable, Iterator, Sequence

from mvm_spec.vectors import expect_spec_error, vector_case
from mvm_spec.vectors.case import Part
from mvm_spec.vectors.codec import encode_hub, encode_uint
from tests.hub_building import (
    ACME,
    HUB_START,
    SEQUENCER,
    advance,
    deposit,
    l1_block,
    l1_time,
    new_hub,
    run,
)

DEPOSITOR = bytes([0xDE]) * 20
RECIPIENT = bytes([0xC1]) * 20
ALIAS_OFFSET = 0x1111000000000000000000000000000000001111
BUDGET = {"mainnet": 20_000_000, "minimal": 300_000}  # MAX_DEPOSIT_GAS_PER_L1_BLOCK, by hand from presets/*.yaml
DATA_LIMIT = {"mainnet": 120_000, "minimal": 1024}  # MAX_DEPOSIT_DATA_BYTES
MAX_LOCK = {"mainnet": 100_000 * 10**18, "minimal": 100 * 10**18}  # MAX_SEQUENCER_LOCK


def hub_at_97(spec: ModuleType, *, sequencer: bool = True) -> Any:
    """"acme" created in L1 block 96, the hub now in L1 block 97."""
    return spec.advance_l1_block(new_hub(spec, sequencer=sequencer), l1_block(spec, 97))


def acme(spec: ModuleType, hub: Any) -> Any:
    return spec.get_dac(hub, spec.ChainId(ACME))


def with_acme(spec: ModuleType, hub: Any, **fields: Any) -> Any:
    """``hub`` with "acme"'s record changed in exactly ``fields``, built without the spec's update functions."""
    dacs = tuple(replace(dac, **fields) if dac.chain_id == ACME else dac for dac in hub.dacs)
    return replace(hub, dacs=dacs)


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
    operation = deposit(l1_sender=DEPOSITOR, to=RECIPIENT, mint=5, gas_limit=21_000)
    yield from one_operation(spec, hub, operation)
    pending = message(spec, DEPOSITOR, RECIPIENT, 5, 0, 21_000, b"")
    yield from expect_hub(spec, lambda: run(spec, hub, [operation]), with_acme(spec, hub, pending_deposits=(pending,)))


@vector_case("bridge", "apply_operations")
def test_pending_deposits_leave_in_order_when_a_sequencer_registers(spec: ModuleType) -> Iterator[Part]:
    """Two deposits wait for a sequencer; one registers in the same L1 block (97): both are enqueued, in order,
    nonces 0 and 1, from L1 block 97."""
    hub = hub_at_97(spec, sequencer=False)
    ops = [
        deposit(l1_sender=DEPOSITOR, to=RECIPIENT, mint=5, gas_limit=21_000),
        deposit(l1_sender=RECIPIENT, to=DEPOSITOR, mint=6, gas_limit=22_000),
        {"op": "register_sequencer", "address": "0x" + SEQUENCER.hex(), "amount": encode_uint(spec.MIN_SEQUENCER_BOND)},
    ]
    yield from operations(spec, hub, ops)
    first = enqueued(spec, 0, 97, message(spec, DEPOSITOR, RECIPIENT, 5, 0, 21_000, b""))
    second = enqueued(spec, 1, 97, message(spec, RECIPIENT, DEPOSITOR, 6, 0, 22_000, b""))
    sequencers = (spec.Sequencer(spec.Address(SEQUENCER), spec.MIN_SEQUENCER_BOND, None),)
    expected = replace(with_acme(spec, hub, coinbase_supply=spec.Wei(11), deposits=(first, second)), sequencers=sequencers)
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
    ops = [
        deposit(l1_sender=DEPOSITOR, to=RECIPIENT, mint=5, gas_limit=21_000),
        deposit(l1_sender=DEPOSITOR, to=RECIPIENT, value=4, gas_limit=21_000),
    ]
    yield from operations(spec, hub, ops)
    waiting = (
        message(spec, DEPOSITOR, RECIPIENT, 5, 0, 21_000, b""),
        message(spec, DEPOSITOR, RECIPIENT, 0, 4, 21_000, b""),
    )
    yield from expect_hub(spec, lambda: run(spec, hub, ops), with_acme(spec, hub, pending_deposits=waiting))
