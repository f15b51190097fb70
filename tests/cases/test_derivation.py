"""Vector cases for derivation (spec/v1/bridge.md: derive_chain and the rules it applies).

Each vector is a hub (``pre``), hub operations to apply to it (``input.operations``: new L1 blocks, deposits,
batches; an operation the hub refuses is the vector's error), and the chain derived from the result (``output``).
Before the output is yielded the case checks it against what the rules give by hand:

- block numbers, L1 origins and which blocks are forced, from the sequencing-window rule
  (forced origins ``head + 1 ... current - SEQUENCING_WINDOW``);
- times from the clamp ``[max(parent + 1, origin), max(lower, origin + MAX_SEQUENCER_DRIFT)]``, with L1 block
  ``n`` at ``1,700,000,004 + 12 n`` (tests/hub_building.py);
- RANDAO values and beacon roots named after their origin; the preset gas limit; base fees by EIP-1559 worked out
  in the comments; the producer (``METIS_DAO_ADDRESS`` unless a provider is assigned);
- which deposits each block includes and which transactions are dropped, with the rule, read off the spec's rules;
- balances moved by deposits, by hand.

Finally every derived block is replayed with the strict state transition (``apply_block`` from the genesis the
hub recorded): derivation must be exactly execution of the blocks the rules give.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Iterator, Sequence

from mvm_spec import evm
from mvm_spec.evm import GenesisAccount
from mvm_spec.vectors import expect_spec_error, vector_case
from mvm_spec.vectors.case import Part
from mvm_spec.vectors.codec import encode_derivation_output, encode_hub, encode_uint
from tests.hub_building import (
    ACME,
    ALICE,
    BOB,
    FUNDS,
    GENESIS_BASE_FEE,
    HUB_START,
    PROVIDER,
    RECIPIENT,
    address_of,
    advance,
    advance_through,
    append_batch,
    beacon_root,
    call,
    deposit,
    funded,
    l1_time,
    new_hub,
    plain_charter,
    randao,
    run,
    transfer,
)
from tests.signing import sign_blob

# Preset values, written out by hand from presets/*.yaml.
DRIFT = {"mainnet": 1800, "minimal": 30}
WINDOW = {"mainnet": 3600, "minimal": 4}
GAS_TARGET = {"mainnet": 30_000_000 // 6, "minimal": 30_000_000 // 2}
CHANGE_DENOMINATOR = {"mainnet": 250, "minimal": 8}
METIS_DAO = {
    "mainnet": bytes.fromhex("5311000000000000000000000000000000001212"),  # alias of 0x4200...0101
    "minimal": bytes.fromhex("ba32858ea15ad4a729d3aca3c2ed5e3363bc16f6"),
}
METIS_DAO_L1 = {  # (L1 address, whether it is a contract)
    "mainnet": (bytes.fromhex("4200000000000000000000000000000000000101"), True),
    "minimal": (bytes.fromhex("ba32858ea15ad4a729d3aca3c2ed5e3363bc16f6"), False),
}
CHARTER_CONTRACT = bytes.fromhex("4200000000000000000000000000000000000100")
DEPOSITOR = bytes([0xDE]) * 20  # an L1 account without code
OTHER_DEPOSITOR = bytes([0xD0]) * 20  # another
BURNER = bytes([0xFE]) * 20  # a contract whose code is INVALID: a call to it burns all its gas
BLOCK_GAS_LIMIT = 30_000_000


def derive(spec: ModuleType, hub: Any) -> tuple[Any, tuple[Any, ...]]:
    state, blocks = spec.derive_chain(hub, spec.ChainId(ACME))
    return state, tuple(blocks)


def inputs(spec: ModuleType, hub: Any, operations: Sequence[dict[str, Any]]) -> Iterator[Part]:
    yield "pre", {"hub": encode_hub(hub)}
    yield "input", {"operations": list(operations), "chain_id": encode_uint(ACME)}


def replay(spec: ModuleType, hub: Any, blocks: Sequence[Any]) -> None:
    """Apply every derived block with the strict state transition from the recorded genesis; each must be valid
    and reach the derived block's output root."""
    genesis = spec.get_dac(hub, spec.ChainId(ACME)).genesis
    state = spec.get_genesis_state(
        spec.ChainId(ACME), genesis.alloc, genesis.charter, genesis.timestamp, genesis.base_fee_per_gas
    )
    for derived in blocks:
        state, receipts = spec.apply_block(state, derived.block)
        assert tuple(receipts) == tuple(derived.receipts)
        assert spec.get_state_output_root(state) == derived.output_root


def output(spec: ModuleType, hub: Any, state: Any, blocks: Sequence[Any]) -> Part:
    replay(spec, hub, blocks)
    return "output", encode_derivation_output(spec, state, blocks)


def shape(blocks: Sequence[Any]) -> list[tuple[int, int, bool, int]]:
    """(number, L1 origin, forced, time) of each derived block."""
    return [(int(b.block.number), int(b.l1_origin), bool(b.is_forced), int(b.block.timestamp)) for b in blocks]


def dropped(block: Any) -> list[tuple[int, str]]:
    return [(int(entry.index), entry.error) for entry in block.dropped_transactions]


def check_origin_fields(spec: ModuleType, blocks: Sequence[Any]) -> None:
    """Every block takes its RANDAO value and beacon root from its origin, the preset gas limit, and (with no
    provider registered) METIS_DAO_ADDRESS as producer."""
    for derived in blocks:
        origin = int(derived.l1_origin)
        assert bytes(derived.block.prev_randao) == randao(origin)
        assert bytes(derived.block.parent_beacon_block_root) == beacon_root(origin)
        assert derived.block.gas_limit == BLOCK_GAS_LIMIT
        assert bytes(derived.block.producer) == METIS_DAO[spec.PRESET]


# --- A chain with nothing on L1 --------------------------------------------------------------------------------------


@vector_case("derivation", "derive_chain")
def test_new_chain_is_its_genesis(spec: ModuleType) -> Iterator[Part]:
    """A DAC created in the current L1 block: no block yet, the head is genesis with the allocation as supply."""
    hub = new_hub(spec, alloc=funded(ALICE))
    yield from inputs(spec, hub, [])
    state, blocks = derive(spec, hub)
    assert blocks == () and state.latest_block_number == 0 and state.coinbase_supply == FUNDS
    assert state.latest_timestamp == l1_time(HUB_START)  # genesis time: the L1 time of creation
    yield output(spec, hub, state, blocks)


# --- Sequenced blocks -------------------------------------------------------------------------------------------------


@vector_case("derivation", "derive_chain")
def test_batched_blocks_take_their_header_from_the_rules(spec: ModuleType) -> Iterator[Part]:
    """Three batched blocks on origins 96, 97, 97 (an empty block among them): numbers 1-3, the proposed times
    (inside their bounds), RANDAO and beacon root of each origin, the preset gas limit, base fee 7 throughout."""
    hub = new_hub(spec, alloc=funded(ALICE))
    blocks_in = [
        (96, l1_time(96) + 5, [transfer(ALICE, 0, RECIPIENT, 1)]),
        (97, l1_time(97) + 1, []),
        (97, l1_time(97) + 9, [transfer(ALICE, 1, RECIPIENT, 2)]),
    ]
    operations = [*advance_through(spec, 97, 98), append_batch(spec, blocks_in, 0)]
    yield from inputs(spec, hub, operations)
    state, blocks = derive(spec, run(spec, hub, operations))
    assert shape(blocks) == [
        (1, 96, False, l1_time(96) + 5),
        (2, 97, False, l1_time(97) + 1),
        (3, 97, False, l1_time(97) + 9),
    ]
    check_origin_fields(spec, blocks)
    # Base fee: 21,000 gas is below target, and 7 * (target - 21,000) // target // denominator is 0 (7 * x // target
    # is 6 for both presets' targets, and 6 // 8 = 6 // 250 = 0): the base fee stays 7.
    assert [b.block.base_fee_per_gas for b in blocks] == [GENESIS_BASE_FEE] * 3
    assert [len(b.block.transactions) for b in blocks] == [1, 0, 1]
    assert evm.get_balance(state.world, RECIPIENT) == 3
    # Alice paid 3 wei and two transfers' gas at min(10, 7 + 2) = 9 wei.
    assert evm.get_balance(state.world, address_of(ALICE)) == FUNDS - 3 - 2 * 21_000 * 9
    assert state.coinbase_supply == FUNDS - 2 * 21_000 * GENESIS_BASE_FEE  # the base fee is burnt
    yield output(spec, hub, state, blocks)


@vector_case("derivation", "derive_chain")
def test_times_are_clamped_to_the_origin_and_the_drift(spec: ModuleType) -> Iterator[Part]:
    """Proposed times outside the bounds are clamped: before the origin -> the origin's time; equal to the parent's
    -> one second later; beyond the drift -> origin + drift; 2**64 - 1 -> the upper bound; at the drift -> kept."""
    hub = new_hub(spec)
    drift = DRIFT[spec.PRESET]
    blocks_in: list[tuple[int, int, list[bytes]]] = [
        (96, l1_time(96) - 100, []),  # lower = max(genesis + 1, origin) = origin 96's time + 1 (genesis is at 96)
        (97, 0, []),  # lower = origin 97's time
        (97, l1_time(97), []),  # equal to the parent's time: raised to parent + 1
        (98, l1_time(98) + drift + 1, []),  # one past the drift: origin + drift
        (98, 2**64 - 1, []),  # upper = max(parent + 1, origin + drift) = parent + 1
        (99, l1_time(99) + drift, []),  # exactly at the drift: kept
    ]
    operations = [*advance_through(spec, 97, 100), append_batch(spec, blocks_in, 0)]
    yield from inputs(spec, hub, operations)
    state, blocks = derive(spec, run(spec, hub, operations))
    assert [time for *_, time in shape(blocks)] == [
        l1_time(96) + 1,
        l1_time(97),
        l1_time(97) + 1,
        l1_time(98) + drift,
        l1_time(98) + drift + 1,
        l1_time(99) + drift,
    ]
    check_origin_fields(spec, blocks)
    yield output(spec, hub, state, blocks)


@vector_case("derivation", "derive_chain")
def test_invalid_transactions_are_dropped_with_their_rule(spec: ModuleType) -> Iterator[Part]:
    """One block holding, in order: a valid transfer; the same nonce again; junk bytes; a transaction signed for
    another chain; one from an account with no funds; a blob transaction; one whose gas exceeds what is left in the
    block; an unauthorised charter update; a valid transfer at nonce 1. The seven in between are dropped, each
    with the rule that rejects it, and the chain goes on."""
    hub = new_hub(spec, alloc=funded(ALICE))
    raws = [
        transfer(ALICE, 0, RECIPIENT, 5),
        transfer(ALICE, 0, RECIPIENT, 6),
        b"\x02junk",
        transfer(ALICE, 1, RECIPIENT, 7, chain_id=1000000000001090),
        transfer(BOB, 0, RECIPIENT, 1),
        sign_blob(ALICE, 1, RECIPIENT, gas=21_000, max_fee=10, tip=2, max_fee_per_blob_gas=1, chain_id=ACME),
        transfer(ALICE, 1, RECIPIENT, 1, gas=BLOCK_GAS_LIMIT),  # 30,000,000 > 30,000,000 - 21,000 left
        call(ALICE, 1, CHARTER_CONTRACT, data=bytes(encode_charter_data(spec)), gas=100_000),
        transfer(ALICE, 1, RECIPIENT, 8),
    ]
    operations = [advance(spec, 97), append_batch(spec, [(96, l1_time(96) + 1, raws)], 0)]
    yield from inputs(spec, hub, operations)
    state, blocks = derive(spec, run(spec, hub, operations))
    assert dropped(blocks[0]) == [
        (1, "NonceMismatch"),
        (2, "InvalidTransactionEncoding"),
        (3, "WrongChainId"),
        (4, "InsufficientFunds"),
        (5, "BlobTransactionNotSupported"),
        (6, "BlockGasLimitExceeded"),
        (7, "CharterImmutable"),  # the charter's management contract is zero: not an InvalidTransaction, dropped too
    ]
    assert blocks[0].block.transactions == (raws[0], raws[8])
    assert [receipt.status for receipt in blocks[0].receipts] == [1, 1]
    assert evm.get_balance(state.world, RECIPIENT) == 5 + 8
    yield output(spec, hub, state, blocks)


def encode_charter_data(spec: ModuleType) -> bytes:
    """A setGovernance call that changes the vision (a charter update)."""
    proposed = spec.Charter("Another vision", "Bridge vectors", (), (), spec.Address(bytes(20)))
    return bytes(spec.encode_governance_call(proposed))


# --- Forced blocks ----------------------------------------------------------------------------------------------------


@vector_case("derivation", "derive_chain", presets=("minimal",))
def test_no_forced_block_inside_the_sequencing_window(spec: ModuleType) -> Iterator[Part]:
    """Created at L1 block 96 with a window of 4: at L1 block 100 the head's origin (96) is exactly 4 behind, so
    no block is forced yet. (Minimal preset: mainnet's window is 3,600 L1 blocks.)"""
    hub = new_hub(spec)
    operations = advance_through(spec, 97, 96 + WINDOW[spec.PRESET])
    yield from inputs(spec, hub, operations)
    state, blocks = derive(spec, run(spec, hub, operations))
    assert blocks == () and state.latest_block_number == 0
    yield output(spec, hub, state, blocks)


@vector_case("derivation", "derive_chain", presets=("minimal",))
def test_forced_blocks_follow_l1_time(spec: ModuleType) -> Iterator[Part]:
    """No batch at all: at L1 block 103, 103 - 4 - 96 = 3 blocks are forced, on origins 97, 98, 99, empty, each at
    its origin's time (the lower bound)."""
    hub = new_hub(spec)
    operations = advance_through(spec, 97, 103)
    yield from inputs(spec, hub, operations)
    state, blocks = derive(spec, run(spec, hub, operations))
    assert shape(blocks) == [(1, 97, True, l1_time(97)), (2, 98, True, l1_time(98)), (3, 99, True, l1_time(99))]
    assert all(b.block.transactions == () and b.block.deposits == () for b in blocks)
    check_origin_fields(spec, blocks)
    yield output(spec, hub, state, blocks)


@vector_case("derivation", "derive_chain", presets=("minimal",))
def test_deposit_is_forced_in_when_the_sequencer_is_silent(spec: ModuleType) -> Iterator[Part]:
    """A deposit made in L1 block 97 that no batch includes: at L1 block 97 + 4 = 101 the forced block on origin 97
    includes it, whatever the sequencer does. It mints 3 MT for the depositor and sends 1 MT to the recipient."""
    hub = new_hub(spec)
    operations = [
        advance(spec, 97),
        deposit(l1_sender=DEPOSITOR, to=RECIPIENT, mint=3 * 10**18, value=10**18, gas_limit=21_000),
        *advance_through(spec, 98, 101),
    ]
    yield from inputs(spec, hub, operations)
    state, blocks = derive(spec, run(spec, hub, operations))
    assert shape(blocks) == [(1, 97, True, l1_time(97))]
    assert [(int(d.nonce), int(d.l1_block_number)) for d in blocks[0].block.deposits] == [(0, 97)]
    # A deposit runs at gas price 0: the depositor keeps 3 - 1 MT, the recipient gets 1 MT, nothing is burnt.
    assert evm.get_balance(state.world, DEPOSITOR) == 2 * 10**18
    assert evm.get_balance(state.world, RECIPIENT) == 10**18
    assert [(r.status, r.cumulative_gas_used) for r in blocks[0].receipts] == [(1, 21_000)]
    assert state.coinbase_supply == 3 * 10**18
    yield output(spec, hub, state, blocks)


@vector_case("derivation", "derive_chain", presets=("minimal",))
def test_deposit_not_yet_forced_one_block_before_the_window_ends(spec: ModuleType) -> Iterator[Part]:
    """The same deposit, one L1 block earlier (100 = 97 + 4 - 1): no block includes it yet."""
    hub = new_hub(spec)
    operations = [
        advance(spec, 97),
        deposit(l1_sender=DEPOSITOR, to=RECIPIENT, mint=3 * 10**18, value=10**18, gas_limit=21_000),
        *advance_through(spec, 98, 100),
    ]
    yield from inputs(spec, hub, operations)
    state, blocks = derive(spec, run(spec, hub, operations))
    assert blocks == () and evm.get_balance(state.world, DEPOSITOR) == 0
    yield output(spec, hub, state, blocks)


@vector_case("derivation", "derive_chain", presets=("minimal",))
def test_batch_after_forced_blocks_continues_their_numbering(spec: ModuleType) -> Iterator[Part]:
    """At L1 block 103 three blocks are forced (origins 97-99); a batch appended then starts at block 4 and must
    build on origin 99 or 100. Its block proposes a time before the last forced block's: clamped to parent + 1."""
    hub = new_hub(spec, alloc=funded(ALICE))
    operations = [
        *advance_through(spec, 97, 103),
        append_batch(spec, [(99, 0, [transfer(ALICE, 0, RECIPIENT, 9)]), (100, l1_time(100) + 3, [])], 0),
    ]
    yield from inputs(spec, hub, operations)
    state, blocks = derive(spec, run(spec, hub, operations))
    assert shape(blocks) == [
        (1, 97, True, l1_time(97)),
        (2, 98, True, l1_time(98)),
        (3, 99, True, l1_time(99)),
        (4, 99, False, l1_time(99) + 1),
        (5, 100, False, l1_time(100) + 3),
    ]
    assert evm.get_balance(state.world, RECIPIENT) == 9
    yield output(spec, hub, state, blocks)


MINT = 5 * 10**16  # 0.05 MT: at least MIN_DEPOSIT_MINT on both presets (10^16 wei mainnet, 10^13 minimal)


# --- Deposits in sequenced blocks -------------------------------------------------------------------------------------


@vector_case("derivation", "derive_chain")
def test_deposit_runs_first_in_the_block_its_origin_reaches(spec: ModuleType) -> Iterator[Part]:
    """A deposit made in L1 block 97; a batch of blocks on origins 96, 97, 97. Block 1 (origin 96) cannot include
    it; block 2 (origin 97) runs it before its own transaction; block 3 includes nothing more."""
    hub = new_hub(spec, alloc=funded(ALICE))
    operations = [
        advance(spec, 97),
        deposit(l1_sender=DEPOSITOR, to=RECIPIENT, mint=MINT, value=2, gas_limit=21_000),
        advance(spec, 98),
        append_batch(
            spec,
            [(96, 0, []), (97, 0, [transfer(ALICE, 0, RECIPIENT, 1)]), (97, 0, [])],
            0,
        ),
    ]
    yield from inputs(spec, hub, operations)
    state, blocks = derive(spec, run(spec, hub, operations))
    assert [len(b.block.deposits) for b in blocks] == [0, 1, 0]
    assert [r.cumulative_gas_used for r in blocks[1].receipts] == [21_000, 42_000]  # the deposit, then the transfer
    assert evm.get_balance(state.world, RECIPIENT) == 2 + 1 and evm.get_balance(state.world, DEPOSITOR) == MINT - 2
    assert evm.get_nonce(state.world, DEPOSITOR) == 1  # a deposit's call increments its sender's nonce
    assert state.coinbase_supply == FUNDS + MINT - 21_000 * GENESIS_BASE_FEE
    yield output(spec, hub, state, blocks)


@vector_case("derivation", "derive_chain")
def test_deposit_denied_by_the_charter_keeps_its_mint(spec: ModuleType) -> Iterator[Part]:
    """The charter denies SUBMIT_TX to the depositor: its deposit's call is skipped (SubmitterNotPermitted, status 0,
    no gas) but the 0.05 MT minted stay with it; the value never reaches the recipient."""
    denied = spec.PermissionRule((spec.Address(DEPOSITOR),), spec.PermissionOperation(1), spec.Action(0x100))
    hub = new_hub(spec, charter=plain_charter(spec, denied))
    operations = [
        advance(spec, 97),
        deposit(l1_sender=DEPOSITOR, to=RECIPIENT, mint=MINT, value=2, gas_limit=21_000),
        advance(spec, 98),
        append_batch(spec, [(97, 0, [])], 0),
    ]
    yield from inputs(spec, hub, operations)
    state, blocks = derive(spec, run(spec, hub, operations))
    assert [(int(s.nonce), s.error) for s in blocks[0].skipped_deposits] == [(0, "SubmitterNotPermitted")]
    assert [(r.status, r.cumulative_gas_used) for r in blocks[0].receipts] == [(0, 0)]
    assert evm.get_balance(state.world, DEPOSITOR) == MINT and evm.get_balance(state.world, RECIPIENT) == 0
    assert evm.get_nonce(state.world, DEPOSITOR) == 0
    yield output(spec, hub, state, blocks)


@vector_case("derivation", "derive_chain")
def test_skipped_and_dropped_are_numbered_among_their_own_kind(spec: ModuleType) -> Iterator[Part]:
    """Two deposits made in L1 block 97, the second from an account the charter denies, then a block on origin 97
    holding Bob's transfer (he has no funds) and Alice's. The block runs the first deposit, skips the second
    (SkippedDeposit nonce 1: deposits are named by their nonce), drops Bob's transfer (DroppedTransaction index 0:
    transactions by their place in the batched block, deposits not counted) and includes Alice's."""
    denied = spec.PermissionRule((spec.Address(OTHER_DEPOSITOR),), spec.PermissionOperation(1), spec.Action(0x100))
    hub = new_hub(spec, alloc=funded(ALICE), charter=plain_charter(spec, denied))
    operations = [
        advance(spec, 97),
        deposit(l1_sender=DEPOSITOR, to=RECIPIENT, mint=MINT, value=2, gas_limit=21_000),
        deposit(l1_sender=OTHER_DEPOSITOR, to=RECIPIENT, mint=MINT, value=3, gas_limit=21_000),
        advance(spec, 98),
        append_batch(spec, [(97, 0, [transfer(BOB, 0, RECIPIENT, 1), transfer(ALICE, 0, RECIPIENT, 4)])], 0),
    ]
    yield from inputs(spec, hub, operations)
    state, blocks = derive(spec, run(spec, hub, operations))
    (block,) = blocks
    assert [(int(d.nonce), bytes(d.deposit.sender)) for d in block.block.deposits] == [(0, DEPOSITOR), (1, OTHER_DEPOSITOR)]
    assert [(int(s.nonce), s.error) for s in block.skipped_deposits] == [(1, "SubmitterNotPermitted")]
    assert dropped(block) == [(0, "InsufficientFunds")]
    assert [(r.status, r.cumulative_gas_used) for r in block.receipts] == [(1, 21_000), (0, 21_000), (1, 42_000)]
    assert evm.get_balance(state.world, RECIPIENT) == 2 + 4 and evm.get_balance(state.world, OTHER_DEPOSITOR) == MINT
    yield output(spec, hub, state, blocks)


@vector_case("derivation", "derive_chain")
def test_metis_dao_sets_tax_rates_from_l1(spec: ModuleType) -> Iterator[Part]:
    """MetisDAO's L1 governance deposits a charter update to CHARTER_ADDRESS (on mainnet from a contract, so its
    sender is aliased to METIS_DAO_ADDRESS); the new 10% tax applies to the next block's transfer of 1,000 wei:
    100 wei to the treasury."""
    hub = new_hub(spec, alloc=funded(ALICE))
    proposed = plain_charter(spec, taxrates=[(0, 1000)])
    data = bytes(spec.encode_tax_call(proposed))
    l1_sender, from_contract = METIS_DAO_L1[spec.PRESET]
    operations = [
        advance(spec, 97),
        deposit(l1_sender=l1_sender, from_contract=from_contract, to=CHARTER_CONTRACT, gas_limit=200_000, data=data),
        advance(spec, 98),
        append_batch(spec, [(97, 0, []), (97, 0, [transfer(ALICE, 0, RECIPIENT, 1000)])], 0),
    ]
    yield from inputs(spec, hub, operations)
    state, blocks = derive(spec, run(spec, hub, operations))
    assert blocks[0].skipped_deposits == () and blocks[0].receipts[0].status == 1
    assert bytes(blocks[0].block.deposits[0].deposit.sender) == METIS_DAO[spec.PRESET]
    assert state.charter == proposed
    assert [r.tax for r in blocks[1].receipts] == [100]
    # The treasury also produces every block (no provider is assigned): it earns the transfer's tip, 2 wei a gas.
    assert evm.get_balance(state.world, METIS_DAO[spec.PRESET]) == 100 + 21_000 * 2
    yield output(spec, hub, state, blocks)


@vector_case("derivation", "derive_chain")
def test_charter_update_from_an_unentitled_l1_contract_is_skipped(spec: ModuleType) -> Iterator[Part]:
    """The same charter update deposited by an L1 contract at MetisDAO's L2 address: aliasing gives it another L2
    sender, so the update is skipped (UnauthorizedTaxRateUpdate) and the charter is unchanged."""
    hub = new_hub(spec)
    data = bytes(spec.encode_tax_call(plain_charter(spec, taxrates=[(0, 1000)])))
    operations = [
        advance(spec, 97),
        deposit(l1_sender=METIS_DAO[spec.PRESET], from_contract=True, to=CHARTER_CONTRACT, gas_limit=200_000, data=data),
        advance(spec, 98),
        append_batch(spec, [(97, 0, [])], 0),
    ]
    yield from inputs(spec, hub, operations)
    state, blocks = derive(spec, run(spec, hub, operations))
    assert [s.error for s in blocks[0].skipped_deposits] == ["UnauthorizedTaxRateUpdate"]
    assert state.charter == plain_charter(spec)
    yield output(spec, hub, state, blocks)


# --- Base fee and producer --------------------------------------------------------------------------------------------


@vector_case("derivation", "derive_chain")
def test_base_fee_follows_eip1559(spec: ModuleType) -> Iterator[Part]:
    """Block 1 burns 100 gas above the target in one call to a contract whose code is INVALID (a failing call uses
    its whole gas limit); block 2's base fee rises by max(1, 7 * 100 // target // denominator) = 1 to 8. Block 2
    uses no gas, so block 3's falls by 8 * target // target // denominator: 8 // 8 = 1 on minimal (to 7),
    8 // 250 = 0 on mainnet (stays 8)."""
    target = GAS_TARGET[spec.PRESET]
    hub = new_hub(spec, alloc=[*funded(ALICE), (BURNER, GenesisAccount(0, 1, bytes([0xFE])))])
    burn = call(ALICE, 0, BURNER, gas=target + 100)
    operations = [advance(spec, 97), append_batch(spec, [(96, 0, [burn]), (96, 0, []), (96, 0, [])], 0)]
    yield from inputs(spec, hub, operations)
    state, blocks = derive(spec, run(spec, hub, operations))
    assert [(r.status, r.cumulative_gas_used) for r in blocks[0].receipts] == [(0, target + 100)]
    third = {"minimal": 7, "mainnet": 8}[spec.PRESET]
    assert [b.block.base_fee_per_gas for b in blocks] == [7, 8, third]
    yield output(spec, hub, state, blocks)


@vector_case("derivation", "derive_chain", presets=("minimal",))
def test_producer_is_the_provider_of_the_origins_epoch(spec: ModuleType) -> Iterator[Part]:
    """A provider registered in L1 block 97 takes part from the epoch whose first block is after it: epoch 13
    (L1 blocks 104-111). Blocks on origins 102 and 103 (epoch 12) have no provider: METIS_DAO_ADDRESS; the block on
    origin 104 is the provider's. With one provider every DAC is assigned to it, whatever the shuffle."""
    hub = new_hub(spec)
    operations = [
        advance(spec, 97),
        {"op": "register_compute_provider", "address": "0x" + PROVIDER.hex()},
        *advance_through(spec, 98, 105),
        append_batch(spec, [(101, 0, []), (102, 0, []), (103, 0, []), (104, 0, [])], 0),
    ]
    yield from inputs(spec, hub, operations)
    state, blocks = derive(spec, run(spec, hub, operations))
    # At 105 the window forces origins 97-101 first: 105 - 4 - 96 = 5 forced blocks, then the batch continues.
    assert [int(b.l1_origin) for b in blocks] == [97, 98, 99, 100, 101, 101, 102, 103, 104]
    producers = [bytes(b.block.producer) for b in blocks]
    assert producers == [METIS_DAO["minimal"]] * 8 + [PROVIDER]
    yield output(spec, hub, state, blocks)


# --- What the hub refuses never reaches derivation --------------------------------------------------------------------


@vector_case("derivation", "derive_chain")
def test_batch_on_a_future_origin_is_refused_by_the_hub(spec: ModuleType) -> Iterator[Part]:
    """A batch whose block builds on the current L1 block (97) is refused at append: the vector's error is the
    hub's, and derivation never sees the batch."""
    hub = new_hub(spec)
    operations = [advance(spec, 97), append_batch(spec, [(97, 0, [])], 0)]
    yield from inputs(spec, hub, operations)
    yield from expect_spec_error(spec, "L1OriginInFuture", lambda: derive(spec, run(spec, hub, operations)))


@vector_case("derivation", "derive_chain")
def test_unknown_chain(spec: ModuleType) -> Iterator[Part]:
    """Deriving a chain id no DAC has."""
    hub = new_hub(spec)
    yield "pre", {"hub": encode_hub(hub)}
    yield "input", {"operations": [], "chain_id": encode_uint(4242)}
    yield from expect_spec_error(spec, "UnknownChainId", lambda: spec.derive_chain(hub, spec.ChainId(4242)))



@vector_case("derivation", "derive_chain", presets=("minimal",))
def test_deposit_made_as_the_dac_is_created_waits_for_the_next_l1_block(spec: ModuleType) -> Iterator[Part]:
    """A deposit made in L1 block 96, which created the DAC: the genesis block's origin includes no deposit, so it
    leaves the queue in L1 block 97 (nonce 0, from 97) and, with the sequencer silent, the block forced on origin 97
    at L1 block 97 + 4 = 101 includes it. (Minimal preset: mainnet's window is 3,600 L1 blocks.)"""
    hub = new_hub(spec)
    operations = [
        deposit(l1_sender=DEPOSITOR, to=RECIPIENT, mint=MINT, gas_limit=21_000),
        *advance_through(spec, 97, 101),
    ]
    yield from inputs(spec, hub, operations)
    after = run(spec, hub, operations)
    entries = spec.get_dac(after, spec.ChainId(ACME)).deposits
    assert [(int(d.nonce), int(d.l1_block_number)) for d in entries] == [(0, 97)]
    state, blocks = derive(spec, after)
    assert shape(blocks) == [(1, 97, True, l1_time(97))]
    assert len(blocks[0].block.deposits) == 1 and evm.get_balance(state.world, DEPOSITOR) == MINT
    yield output(spec, hub, state, blocks)
