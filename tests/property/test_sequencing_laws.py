"""Hypothesis laws of sequencing (spec/v1/sequencing.md) on the L1 hub.

- The DBT is non-decreasing in the supply; eligibility is monotone in the stake.
- Selection only ever returns an eligible sequencer, and returns None exactly when nobody is eligible.
- A stateful machine interleaves hub operations — new DACs, registrations, stake increases, exits, stake
  withdrawals, slashes, compute-provider registrations, deposits and new L1 blocks — and checks the pool against a
  model kept by hand (registration order, stakes, exit stamps from the hub's clock, the exact error of every
  rejected operation), and after every step: MT in sequencer stakes is conserved; each DAC's inbox followed by its
  queue is exactly its accepted deposits in arrival order (FIFO, nothing reordered, lost or duplicated), with
  nonces 0, 1, ... and L1 blocks that never go back; an accepted deposit is either enqueued or queued; the supply
  is the genesis allocation plus the mints enqueued; every deposit was enqueued, in the L1 block current at the
  time, while an eligible sequencer covered the supply it brought the DAC to, and within that block's deposit-gas
  budget; no deposit is left queued while it could leave; no supply ever exceeds what a maximum stake can bond.
  Deposits are also taken back (by their depositor or a stranger, before or after the timeout, or by a ticket that
  names nothing), with the error predicted by hand; and after every step the MT locked for a DAC (supply and
  pending mints) is its allocation plus the accepted mints less the refunds, a maximum stake can bond it (so no
  pending deposit can wait forever), no L1 block enqueues more than MAX_DEPOSITS_PER_L1_BLOCK of a DAC's deposits,
  and no queue holds more than MAX_PENDING_DEPOSITS.
- Compute-provider assignment gives each DAC one provider and balances providers to within one DAC; the hub's block
  producer is METIS_DAO_ADDRESS exactly when the rule says nobody is assigned.
- Selection frequency is proportional to stake (a fixed-seed statistical test).

Eligibility is decided here by the hand rule "not exiting, stake >= the minimum bond, supply <= 10 * stake"
(ceil(supply / 10) <= stake), never by the spec's own functions.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace
from types import ModuleType
from typing import Any, Callable, Optional

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from mvm_spec.forks import PRESETS, load_spec
from mvm_spec.forks.v1 import minimal as spec
from mvm_spec.runtime import keccak256
from tests.reachable_hub import hub_invariant_violations

UINT256_MAX = 2**256 - 1
MT = 10**18
SPECS = [load_spec("v1", preset) for preset in PRESETS]
BOND = int(spec.MIN_SEQUENCER_BOND)  # 20 MT on the minimal preset
MAX_LOCK = int(spec.MAX_SEQUENCER_LOCK)  # 100 MT
EXIT_DELAY = int(spec.SEQUENCER_EXIT_DELAY)  # 60 s
GAS_BUDGET = int(spec.MAX_DEPOSIT_GAS_PER_L1_BLOCK)  # 300,000
MIN_MINT = int(spec.MIN_DEPOSIT_MINT)  # 10^13 wei
PER_BLOCK = int(spec.MAX_DEPOSITS_PER_L1_BLOCK)  # 4
QUEUE_LIMIT = int(spec.MAX_PENDING_DEPOSITS)  # 8
QUEUE_TIMEOUT = int(spec.DEPOSIT_QUEUE_TIMEOUT)  # 10 L1 blocks
L1_EPOCH = int(spec.L1_BLOCKS_PER_EPOCH)  # 8
PLAIN_CALL_GAS = 21_000
CHARTER = spec.Charter("sequencing laws", "", (), (), spec.Address(bytes([0x42]) * 20))
RECIPIENT = spec.Address(bytes([0x7E]) * 20)

hashes = st.binary(min_size=32, max_size=32).map(spec.Hash32)
supplies = st.one_of(
    st.integers(0, UINT256_MAX),
    st.integers(0, 10**24),
    st.sampled_from([0, 1, 10 * BOND - 1, 10 * BOND, 10 * BOND + 1, 10 * MAX_LOCK, 10 * MAX_LOCK + 1]),
)


def eligible_by_hand(sequencer: Any, supply: int, bond: int) -> bool:
    return sequencer.exit_requested_at is None and sequencer.locked >= bond and supply <= 10 * sequencer.locked


def l1_block(number: int, timestamp: int) -> Any:
    return spec.L1Block(
        spec.L1BlockNumber(number),
        spec.Timestamp(timestamp),
        spec.Hash32(keccak256(b"randao" + number.to_bytes(8, "big"))),
        spec.Hash32(keccak256(b"beacon" + number.to_bytes(8, "big"))),
    )


def dac_record(chain_id: int, supply: int, created: Any, pending: tuple[Any, ...] = ()) -> Any:
    """A DAC whose genesis allocated ``supply`` (so its supply is that), created in L1 block ``created``."""
    alloc = ((spec.Address(bytes([0xF0]) * 20), spec.GenesisAccount(balance=supply)),) if supply else ()
    genesis = spec.DacGenesis(created.number, created.timestamp, CHARTER, alloc, spec.Wei(10**9))
    empty = spec.BatchChain(headers=())
    return spec.DacRecord(
        spec.ChainId(chain_id),
        f"dac{chain_id}",
        genesis,
        spec.Wei(supply),
        pending,
        spec.uint64(len(pending)),
        (),
        (),
        empty,
        empty,
        (),
        (),
        (),
        (),
    )


def pool_hub(pool: list[Any], supply: int) -> Any:
    """A hub at one L1 block with the sequencers ``pool`` and one DAC, 1000000000001089, of supply ``supply``."""
    block = l1_block(100, 1_000_000)
    return spec.Hub((block,), (dac_record(1000000000001089, supply, block),), tuple(pool), (), (), (), spec.Wei(0), ())


@pytest.mark.parametrize("rendered", SPECS, ids=PRESETS)
@given(first=supplies, second=supplies)
def test_dbt_is_non_decreasing_in_supply(rendered: ModuleType, first: int, second: int) -> None:
    smaller, larger = sorted([first, second])
    low = rendered.compute_dynamic_bond_threshold(rendered.Wei(smaller))
    high = rendered.compute_dynamic_bond_threshold(rendered.Wei(larger))
    assert rendered.MIN_SEQUENCER_BOND <= low <= high


@pytest.mark.parametrize("rendered", SPECS, ids=PRESETS)
@given(supply=supplies, first=st.integers(0, 2**96), second=st.integers(0, 2**96), exiting=st.booleans())
def test_eligibility_is_monotone_in_stake(
    rendered: ModuleType, supply: int, first: int, second: int, exiting: bool
) -> None:
    smaller, larger = sorted([first, second])
    threshold = rendered.compute_dynamic_bond_threshold(rendered.Wei(supply))
    exit_at = rendered.Timestamp(0) if exiting else None
    address = rendered.Address(bytes(20))
    low = rendered.is_eligible_sequencer(rendered.Sequencer(address, rendered.Wei(smaller), exit_at), threshold)
    high = rendered.is_eligible_sequencer(rendered.Sequencer(address, rendered.Wei(larger), exit_at), threshold)
    assert not low or high
    assert low == eligible_by_hand(
        rendered.Sequencer(address, rendered.Wei(smaller), exit_at), supply, int(rendered.MIN_SEQUENCER_BOND)
    )


@st.composite
def pools(draw: st.DrawFn, max_size: int = 6) -> list[Any]:
    size = draw(st.integers(0, max_size))
    return [
        spec.Sequencer(
            spec.Address(bytes([index + 1]) * 20),
            spec.Wei(draw(st.integers(BOND, MAX_LOCK))),
            draw(st.one_of(st.none(), st.integers(0, 10**6).map(spec.Timestamp))),
        )
        for index in range(size)
    ]


def succession_of(hub: Any, epoch: int, randomness: Any) -> Any:
    """DAC 1000000000001089's succession in ``epoch`` when the epoch's snapshot is ``hub``'s pool and supplies now."""
    supplies = tuple((dac.chain_id, dac.coinbase_supply) for dac in hub.dacs)
    snapshot = spec.SequencingSnapshot(spec.Epoch(epoch), randomness, hub.sequencers, supplies)
    return spec.get_epoch_sequencers(replace(hub, sequencing_snapshots=(snapshot,)), spec.ChainId(1000000000001089), spec.Epoch(epoch))


def select(hub: Any, epoch: int, randomness: Any) -> Any:
    """DAC 1000000000001089's first choice in ``epoch`` (None when unsequenced)."""
    succession = succession_of(hub, epoch, randomness)
    return succession[0] if succession else None


@given(pool=pools(), supply=st.integers(0, 10 * MAX_LOCK), l1_randomness=hashes, epoch=st.integers(0, 2**64 - 1))
def test_selection_only_returns_eligible_sequencers(
    pool: list[Any], supply: int, l1_randomness: Any, epoch: int
) -> None:
    """Every member of a succession is eligible for the DAC, each at most once; it is empty only when nobody is."""
    hub = pool_hub(pool, supply)
    succession = succession_of(hub, epoch, l1_randomness)
    eligible = [sequencer.address for sequencer in pool if eligible_by_hand(sequencer, supply, BOND)]
    assert len(set(succession)) == len(succession) <= 1 + int(spec.MAX_SEQUENCER_FALLBACKS)
    assert all(address in eligible for address in succession)
    assert bool(succession) == bool(eligible)


@given(
    pool=pools(),
    supplies=st.lists(st.integers(0, 10 * MAX_LOCK), min_size=1, max_size=6),
    randomness=hashes,
    epoch=st.integers(0, 2**64 - 1),
)
def test_stakes_bind_across_dacs(pool: list[Any], supplies: list[int], randomness: Any, epoch: int) -> None:
    """In every epoch's assignment, the thresholds (by hand: max(B, ceil(supply / 10))) of all the slots one
    sequencer holds, first choices and fallbacks, sum to at most its stake; only active sequencers hold slots, each
    at most once per DAC; and a DAC is left unsequenced only when no active sequencer had room for it after the
    first choices of the DACs before it (the draw is round-major)."""
    chain_supplies = tuple((spec.ChainId(1000000000001088 + index), spec.Wei(supply)) for index, supply in enumerate(supplies))
    snapshot = spec.SequencingSnapshot(spec.Epoch(epoch), randomness, tuple(pool), chain_supplies)
    assignments = spec.assign_epoch_sequencers(snapshot)
    assert [assignment.chain_id for assignment in assignments] == [chain_id for chain_id, _ in chain_supplies]
    first_choices: Counter[Any] = Counter()
    held: Counter[Any] = Counter()
    stakes = {sequencer.address: sequencer for sequencer in pool}
    for (_, supply), assignment in zip(chain_supplies, assignments):
        threshold = max(BOND, -(-int(supply) // 10))
        if not assignment.sequencers:
            assert all(
                s.exit_requested_at is not None or int(s.locked) < first_choices[s.address] + threshold for s in pool
            ), "a sequencer had room, yet the DAC is unsequenced"
            continue
        first_choices[assignment.sequencers[0]] += threshold
        assert len(set(assignment.sequencers)) == len(assignment.sequencers) <= 1 + int(spec.MAX_SEQUENCER_FALLBACKS)
        for address in assignment.sequencers:
            held[address] += threshold
            assert stakes[address].exit_requested_at is None
    assert all(amount <= int(stakes[address].locked) for address, amount in held.items())


later_operations = st.lists(
    st.tuples(st.sampled_from(["register", "increase", "exit", "deposit", "advance"]), st.integers(0, 5), st.integers(0, 10)),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(stakes=st.lists(st.integers(BOND, MAX_LOCK), min_size=1, max_size=5), allocation=st.integers(0, 4 * MAX_LOCK),
       operations=later_operations)
def test_nothing_after_the_snapshot_changes_the_draw(stakes: list[int], allocation: int, operations: list[Any]) -> None:
    """L1 block 96 starts epoch 12 and fixes epoch 13's draw. Whatever is done after it in epoch 12 — new
    sequencers, larger stakes, exits (of members of the succession too), deposits that raise the DAC's threshold,
    new L1 blocks — the succession of epoch 13 is the one the snapshot gave. (An exit takes effect only through
    `get_current_sequencer`'s live check: the vectors `selection/get_current_sequencer/exiting_*`.)"""
    hub = spec.get_genesis_hub(CHARTER, l1_block(95, 1_000_000))
    alloc = [(spec.Address(bytes([0xF0]) * 20), spec.GenesisAccount(balance=allocation))] if allocation else []
    hub = spec.create_dac(hub, "acme", CHARTER, alloc, spec.Wei(10**9))
    pool = [spec.Address(bytes([0x10 + index]) * 20) for index in range(len(stakes))]
    for address, stake in zip(pool, stakes):
        hub = spec.register_sequencer(hub, address, spec.Wei(stake))
    hub = spec.advance_l1_block(hub, l1_block(96, 1_000_012))
    chain, epoch = spec.ChainId(FIRST_CHAIN + 1), spec.Epoch(13)
    chosen = spec.get_epoch_sequencers(hub, chain, epoch)
    number = 96
    for kind, index, amount in operations:
        try:
            if kind == "register":
                hub = spec.register_sequencer(hub, spec.Address(bytes([0x80 + index]) * 20), spec.MAX_SEQUENCER_LOCK)
            elif kind == "increase":
                hub = spec.increase_sequencer_lock(hub, pool[index % len(pool)], spec.Wei(amount * 10**18))
            elif kind == "exit":
                hub = spec.request_sequencer_exit(hub, pool[index % len(pool)])
            elif kind == "deposit":
                depositor = spec.Address(bytes([0xD0 + index]) * 20)
                mint = spec.Wei(amount * MAX_LOCK // 2)
                hub = spec.deposit_into_dac(hub, chain, depositor, False, depositor, mint, spec.Wei(0), spec.uint64(21_000), b"")
            elif kind == "advance" and number < 103:
                number += 1
                hub = spec.advance_l1_block(hub, l1_block(number, 1_000_000 + 12 * (number - 95)))
        except spec.SpecError:
            continue  # an operation a rule refuses changes nothing
        assert spec.get_epoch_sequencers(hub, chain, epoch) == chosen


TIMEOUT = int(spec.SEQUENCER_TIMEOUT)  # 3 L1 blocks


@settings(max_examples=60, deadline=None)
@given(stakes=st.lists(st.integers(BOND, MAX_LOCK), min_size=1, max_size=5), posts=st.lists(st.booleans(), min_size=16, max_size=16))
def test_only_silence_hands_the_slot_on(stakes: list[int], posts: list[bool]) -> None:
    """Through epoch 13 (L1 blocks 104-111) and epoch 14, in each block the serving sequencer of acme appends a batch
    or stays silent, as ``posts`` says. Whoever serves is in the epoch's succession; within an epoch the position in
    the succession never goes back; it moves on only when the one serving has posted nothing for SEQUENCER_TIMEOUT
    L1 blocks (since its start or its own newest batch), and then to the next; and the last keeps serving."""
    hub = spec.get_genesis_hub(CHARTER, l1_block(95, 1_000_000))
    hub = spec.create_dac(hub, "acme", CHARTER, [], spec.Wei(10**9))
    for index, stake in enumerate(stakes):
        hub = spec.register_sequencer(hub, spec.Address(bytes([0x10 + index]) * 20), spec.Wei(stake))
    chain = spec.ChainId(FIRST_CHAIN + 1)
    position, began, last_post, epoch = -1, 0, 0, -1
    for offset, post in enumerate(posts):
        number = 96 + offset + 8  # 104 .. 119; blocks 96-103 recorded the snapshots of epochs 13 and 14
        while spec.get_current_l1_block(hub).number < number:
            current = spec.get_current_l1_block(hub).number + 1
            hub = spec.advance_l1_block(hub, l1_block(current, 1_000_000 + 12 * (current - 95)))
        if number // L1_EPOCH != epoch:
            epoch, position, began, last_post = number // L1_EPOCH, 0, number, number
        succession = list(spec.get_epoch_sequencers(hub, chain, spec.Epoch(epoch)))
        serving = spec.get_current_sequencer(hub, chain)
        if not succession:  # nobody had room for acme after the rangers' DAC
            assert serving is None
            continue
        assert serving in succession, "the serving sequencer is not in the succession"
        now = succession.index(serving)
        assert now >= position, "the slot went back to an earlier sequencer"
        if now > position:
            assert now == position + 1 and number >= last_post + TIMEOUT, "the slot moved on before a timeout"
            position, began, last_post = now, last_post + TIMEOUT, last_post + TIMEOUT
        elif position < len(succession) - 1:
            assert number < last_post + TIMEOUT, "a silent sequencer kept the slot past its timeout"
        if post:
            head, origin = spec.get_l2_head(hub, spec.get_dac(hub, chain))
            block = spec.SequencedBlock(spec.BlockNumber(0), spec.L1BlockNumber(min(origin + 1, number - 1)), spec.Timestamp(0), ())
            start = spec.get_total_elements(spec.get_dac(hub, chain).transaction_batches)
            hub = spec.append_transaction_batch(hub, chain, spec.encode_transaction_batch([block]), start, serving)
            last_post = number


# --- the hub machine -----------------------------------------------------------------------------------------------

SEQUENCERS = [spec.Address(bytes([0xA0 + index]) * 20) for index in range(4)]
PROVIDERS = [spec.Address(bytes([0x90 + index]) * 20) for index in range(3)]
LABELS = ["acme", "beta", "gamma"]
FIRST_CHAIN = int(spec.FIRST_CHAIN_ID)
CHAINS = [FIRST_CHAIN + index for index in range(len(LABELS) + 2)]  # the rangers', three more, one never created
stakes = st.one_of(
    st.integers(BOND, MAX_LOCK), st.sampled_from([0, BOND - 1, BOND, BOND + 1, MAX_LOCK - 1, MAX_LOCK, MAX_LOCK + 1])
)
mints = st.one_of(
    st.integers(0, 12 * BOND),
    st.integers(MIN_MINT - 2, MIN_MINT + 2),
    st.sampled_from(
        [0, 1, MIN_MINT - 1, MIN_MINT, BOND, 10 * BOND, 10 * BOND + 1, 5 * MAX_LOCK, 10 * MAX_LOCK, 10 * MAX_LOCK + 1]
    ),
)
gas_limits = st.one_of(
    st.integers(PLAIN_CALL_GAS, GAS_BUDGET),
    st.sampled_from(
        [
            PLAIN_CALL_GAS - 1,
            PLAIN_CALL_GAS,
            GAS_BUDGET // 3,
            GAS_BUDGET // 2,
            GAS_BUDGET // 2 + 1,
            GAS_BUDGET,
            GAS_BUDGET + 1,
        ]
    ),
)
allocations = st.one_of(st.just(0), st.integers(1, 10 * MAX_LOCK), st.sampled_from([10 * MAX_LOCK, 10 * MAX_LOCK + 1]))


class HubMachine(RuleBasedStateMachine):
    """Any interleaving of hub operations. The pool, the DACs' allocations and the accepted deposits are also kept
    by hand; every operation's outcome (accepted, or the error's name) is predicted from that model first."""

    def __init__(self) -> None:
        super().__init__()
        genesis = l1_block(1_000, 5_000_000)
        self.hub = spec.get_genesis_hub(CHARTER, genesis)
        self.number, self.time = 1_000, 5_000_000
        self.pool: dict[Any, tuple[int, Optional[int]]] = {}  # address -> (locked, exit time), registration order
        self.staked_in = 0  # MT ever locked (registrations, increases)
        self.staked_out = 0  # MT ever released or slashed
        self.providers: dict[Any, int] = {}  # address -> L1 block it registered in
        self.allocated: dict[int, int] = {FIRST_CHAIN: 0}  # chain id -> genesis allocation
        self.created: dict[int, int] = {FIRST_CHAIN: 1_000}  # chain id -> the L1 block that created it
        self.labels = ["rangers"]
        self.arrivals: dict[int, list[Any]] = {FIRST_CHAIN: []}  # every accepted deposit not taken back, in order
        # every accepted deposit by chain and ticket: (L1 sender, L1 block it was made in, the deposit)
        self.made: dict[int, list[tuple[Any, int, Any]]] = {FIRST_CHAIN: []}
        self.refunded: dict[int, int] = {FIRST_CHAIN: 0}  # chain id -> MT refunded by taking deposits back
        self.inbox: dict[int, tuple[Any, ...]] = {FIRST_CHAIN: ()}  # the enqueued deposits at the last check
        self.depositors = 0

    def attempt(
        self, expected_error: Optional[str], operation: Callable[[], Any], accepted: Callable[[Any], None]
    ) -> None:
        """Run ``operation``: it must raise exactly ``expected_error`` (and the hub stays as it was), or, predicted
        to succeed, succeed; then ``accepted`` updates the model with its result and the new deposits are checked."""
        try:
            result = operation()
        except spec.SpecError as error:
            assert type(error).__name__ == expected_error, f"raised {type(error).__name__}, predicted {expected_error}"
            return
        assert expected_error is None, f"accepted, predicted {expected_error}"
        self.hub = result[0] if isinstance(result, tuple) else result
        accepted(result)
        self.check_new_deposits()

    @initialize(allocation=allocations)
    def first_dac(self, allocation: int) -> None:
        self.create_dac(0, allocation)

    @rule(label=st.integers(0, len(LABELS) - 1), allocation=allocations)
    def create_dac(self, label: int, allocation: int) -> None:
        name = LABELS[label]
        alloc = [(spec.Address(bytes([0xF0]) * 20), spec.GenesisAccount(balance=allocation))] if allocation else []
        if name in self.labels:
            expected: Optional[str] = "DacLabelTaken"
        else:
            expected = "DepositExceedsBondCapacity" if allocation > 10 * MAX_LOCK else None

        def accepted(_: Any) -> None:
            chain_id = FIRST_CHAIN + len(self.labels)
            self.labels.append(name)
            self.allocated[chain_id], self.arrivals[chain_id], self.inbox[chain_id] = allocation, [], ()
            self.made[chain_id], self.refunded[chain_id] = [], 0
            self.created[chain_id] = self.number

        self.attempt(expected, lambda: spec.create_dac(self.hub, name, CHARTER, alloc, spec.Wei(10**9)), accepted)

    @rule(address=st.sampled_from(SEQUENCERS), amount=stakes)
    def register(self, address: Any, amount: int) -> None:
        if address in self.pool:
            expected: Optional[str] = "SequencerAlreadyRegistered"
        else:
            expected = "LockBelowMinimum" if amount < BOND else "LockAboveMaximum" if amount > MAX_LOCK else None

        def accepted(_: Any) -> None:
            self.pool[address] = (amount, None)
            self.staked_in += amount

        self.attempt(expected, lambda: spec.register_sequencer(self.hub, address, spec.Wei(amount)), accepted)

    @rule(address=st.sampled_from(SEQUENCERS), amount=st.integers(0, MAX_LOCK))
    def increase(self, address: Any, amount: int) -> None:
        locked, exit_at = self.pool.get(address, (0, None))
        if address not in self.pool:
            expected: Optional[str] = "UnknownSequencer"
        else:
            expected = (
                "SequencerExiting"
                if exit_at is not None
                else "LockAboveMaximum" if locked + amount > MAX_LOCK else None
            )

        def accepted(_: Any) -> None:
            self.pool[address] = (locked + amount, None)
            self.staked_in += amount

        self.attempt(expected, lambda: spec.increase_sequencer_lock(self.hub, address, spec.Wei(amount)), accepted)

    @rule(address=st.sampled_from(SEQUENCERS))
    def request_exit(self, address: Any) -> None:
        locked, exit_at = self.pool.get(address, (0, None))
        expected = (
            "UnknownSequencer" if address not in self.pool else "SequencerExiting" if exit_at is not None else None
        )

        def accepted(_: Any) -> None:
            self.pool[address] = (locked, self.time)  # stamped with the hub's current L1 time

        self.attempt(expected, lambda: spec.request_sequencer_exit(self.hub, address), accepted)

    @rule(address=st.sampled_from(SEQUENCERS))
    def withdraw_stake(self, address: Any) -> None:
        locked, exit_at = self.pool.get(address, (0, None))
        if address not in self.pool:
            expected: Optional[str] = "UnknownSequencer"
        elif exit_at is None:
            expected = "SequencerNotExiting"
        else:
            expected = "ExitDelayNotElapsed" if self.time < exit_at + EXIT_DELAY else None

        def accepted(result: Any) -> None:
            assert result[1] == locked, "the whole stake is released"
            del self.pool[address]
            self.staked_out += locked

        self.attempt(expected, lambda: spec.withdraw_sequencer_stake(self.hub, address), accepted)

    @rule(address=st.sampled_from(SEQUENCERS), ratio=st.one_of(st.integers(0, 10_000), st.just(10_001)))
    def slash(self, address: Any, ratio: int) -> None:
        locked, exit_at = self.pool.get(address, (0, None))
        expected = "UnknownSequencer" if address not in self.pool else "InvalidSlashRatio" if ratio > 10_000 else None

        def accepted(result: Any) -> None:
            _, slashed = result
            assert slashed == locked * ratio // 10_000, "the ratio of the stake, rounded down"
            # the rest stays locked, and the sequencer exits from now unless it already was exiting
            self.pool[address] = (locked - slashed, self.time if exit_at is None else exit_at)
            self.staked_out += slashed

        self.attempt(expected, lambda: spec.slash_sequencer(self.hub, address, spec.BasisPoints(ratio)), accepted)

    @rule(address=st.sampled_from(PROVIDERS))
    def register_provider(self, address: Any) -> None:
        expected = "ProviderAlreadyRegistered" if address in self.providers else None

        def accepted(_: Any) -> None:
            self.providers[address] = self.number

        self.attempt(expected, lambda: spec.register_compute_provider(self.hub, address), accepted)

    @rule(seconds=st.one_of(st.integers(1, 2 * EXIT_DELAY), st.sampled_from([1, EXIT_DELAY - 1, EXIT_DELAY])))
    def advance(self, seconds: int) -> None:
        block = l1_block(self.number + 1, self.time + seconds)

        def accepted(_: Any) -> None:
            self.number, self.time = self.number + 1, self.time + seconds

        self.attempt(None, lambda: spec.advance_l1_block(self.hub, block), accepted)

    @rule(chain_id=st.one_of(st.sampled_from(CHAINS[:2]), st.sampled_from(CHAINS)), mint=mints, gas=gas_limits)
    def deposit(self, chain_id: int, mint: int, gas: int) -> None:
        self.depositors += 1
        sender = spec.Address(self.depositors.to_bytes(20, "big"))  # unique: names the deposit
        if chain_id not in self.allocated:
            expected: Optional[str] = "UnknownChainId"
        elif gas < PLAIN_CALL_GAS:
            expected = "DepositGasBelowIntrinsic"
        elif gas > GAS_BUDGET:
            expected = "DepositGasAboveLimit"
        elif mint > 10 * MAX_LOCK:  # DBT(x) = max(B, ceil(x / 10)) <= M exactly when x <= 10 M
            expected = "DepositExceedsBondCapacity"
        elif 0 < mint < MIN_MINT:
            expected = "DepositBelowMinimum"
        elif len(self.arrivals[chain_id]) - len(self.inbox[chain_id]) >= QUEUE_LIMIT:
            expected = "DepositQueueFull"
        else:
            locked = self.locked_by_hand(chain_id) + mint
            expected = "DepositExceedsRemainingBondCapacity" if mint > 0 and locked > 10 * MAX_LOCK else None
        made = spec.Deposit(sender, RECIPIENT, spec.Wei(mint), spec.Wei(0), spec.uint64(gas), b"")
        event(f"deposit: {expected or 'accepted'}")

        def call() -> Any:
            chain = spec.ChainId(chain_id)
            return spec.deposit_into_dac(
                self.hub, chain, sender, False, RECIPIENT, spec.Wei(mint), spec.Wei(0), spec.uint64(gas), b""
            )

        def accepted(_: Any) -> None:
            self.arrivals[chain_id].append(made)
            ticket = len(self.made[chain_id])
            self.made[chain_id].append((sender, self.number, made))
            record = self.record(chain_id)
            found = [item.deposit for item in record.pending_deposits if item.deposit == made]
            found += [item.deposit for item in record.deposits if item.deposit == made]
            assert len(found) == 1, "an accepted deposit is either enqueued or queued, once"
            waiting = [item for item in record.pending_deposits if item.deposit == made]
            expected_entry = spec.PendingDeposit(spec.uint64(ticket), sender, spec.L1BlockNumber(self.number), made)
            assert waiting in ([], [expected_entry]), "a waiting deposit records its ticket, L1 sender and L1 block"

        self.attempt(expected, call, accepted)

    @rule()
    def wait_out_the_deposit_timeout(self) -> None:
        """DEPOSIT_QUEUE_TIMEOUT L1 blocks, one at a time, 12 seconds apart."""
        for _ in range(QUEUE_TIMEOUT):
            self.advance(12)

    @rule(
        chain_id=st.one_of(st.sampled_from(CHAINS[:2]), st.sampled_from(CHAINS)),
        pick=st.integers(0, 2**16),
        by_depositor=st.sampled_from([True, True, True, False]),
    )
    def take_back(self, chain_id: int, pick: int, by_depositor: bool) -> None:
        """Mostly a waiting deposit's ticket (``pick`` chooses which); one in four, any ticket up to 24."""
        waiting = [int(item.ticket) for item in self.record(chain_id).pending_deposits] if chain_id in self.made else []
        ticket = waiting[pick % len(waiting)] if waiting and pick % 4 else pick % 25
        enqueued = {item.deposit.sender for item in self.inbox.get(chain_id, ())}
        kept = {deposit.sender for deposit in self.arrivals.get(chain_id, [])}  # accepted, not taken back
        made = self.made.get(chain_id, [])
        if ticket < len(made):
            sender, made_in, deposit = made[ticket]
        else:
            sender, made_in, deposit = spec.Address(bytes([0xEE]) * 20), 0, None
        caller = sender if by_depositor else spec.Address(bytes([0xEE]) * 20)
        if chain_id not in self.allocated:
            expected: Optional[str] = "UnknownChainId"
        elif deposit is None or sender in enqueued or sender not in kept:
            expected = "UnknownPendingDeposit"  # never given, already enqueued, or already taken back
        elif caller != sender:
            expected = "NotDepositor"
        else:
            expected = "DepositTimeoutNotReached" if self.number < made_in + QUEUE_TIMEOUT else None

        event(f"take back: {expected or 'refunded'}")

        def call() -> Any:
            return spec.withdraw_pending_deposit(self.hub, spec.ChainId(chain_id), caller, spec.uint64(ticket))

        def accepted(result: Any) -> None:
            assert result[1] == deposit.mint, "the refund is the deposit's mint"
            self.arrivals[chain_id].remove(deposit)
            self.refunded[chain_id] += int(deposit.mint)

        self.attempt(expected, call, accepted)

    # --- what the hub must look like ------------------------------------------------------------------------------

    def record(self, chain_id: int) -> Any:
        return next(dac for dac in self.hub.dacs if dac.chain_id == chain_id)

    def locked_by_hand(self, chain_id: int) -> int:
        """The MT locked on L1 for a DAC by the model: its allocation and every accepted mint, less refunds."""
        minted = sum(int(deposit.mint) for _, _, deposit in self.made[chain_id])
        return self.allocated[chain_id] + minted - self.refunded[chain_id]

    def covers(self, supply: int) -> bool:
        return any(eligible_by_hand(sequencer, supply, BOND) for sequencer in self.hub.sequencers)

    def check_new_deposits(self) -> None:
        """Every deposit enqueued by the operation just run: in the current L1 block, with an eligible sequencer in
        the pool that drained it covering the supply it took the DAC to, and the block's deposit gas within G."""
        for dac in self.hub.dacs:
            if int(dac.chain_id) not in self.inbox:
                continue  # just created (with an empty inbox); the rule that created it adds it to the model
            before = self.inbox[int(dac.chain_id)]
            assert dac.deposits[: len(before)] == before, "an enqueued deposit changed or left the inbox"
            supply = self.allocated[int(dac.chain_id)] + sum(int(item.deposit.mint) for item in before)
            for item in dac.deposits[len(before) :]:
                supply += int(item.deposit.mint)
                assert item.l1_block_number == self.number, "enqueued in another L1 block than the current one"
                assert item.l1_block_number != self.created[int(dac.chain_id)], "enqueued in the DAC's creation block"
                # A deposit minting nothing needs no sequencer (bridge.md); one that mints needs one covering the supply.
                assert item.deposit.mint == 0 or self.covers(supply), "enqueued while no eligible sequencer covered it"
            self.inbox[int(dac.chain_id)] = dac.deposits

    @invariant()
    def hub_keeps_the_facts_of_reachable_hubs(self) -> None:
        """The check that vectors start from reachable hubs (tests/reachable_hub.py) must hold for every hub the
        operations reach: else the check, not the vector, is wrong."""
        assert hub_invariant_violations(spec, self.hub) == []

    @invariant()
    def pool_matches_the_model(self) -> None:
        pool = [
            (sequencer.address, int(sequencer.locked), sequencer.exit_requested_at) for sequencer in self.hub.sequencers
        ]
        assert pool == [(address, locked, exit_at) for address, (locked, exit_at) in self.pool.items()]
        # an active sequencer's lock is within the bounds; a slashed one (exiting) may have fallen below the minimum
        assert all(BOND <= locked <= MAX_LOCK for _, locked, exit_at in pool if exit_at is None)
        assert all(locked <= MAX_LOCK for _, locked, _ in pool)

    @invariant()
    def mt_in_stakes_is_conserved(self) -> None:
        assert sum(int(sequencer.locked) for sequencer in self.hub.sequencers) == self.staked_in - self.staked_out

    @invariant()
    def providers_match_the_model(self) -> None:
        registered = [(provider.address, int(provider.registered_at)) for provider in self.hub.compute_providers]
        assert registered == list(self.providers.items())

    @invariant()
    def clock_is_the_hubs(self) -> None:
        current = spec.get_current_l1_block(self.hub)
        assert (int(current.number), int(current.timestamp)) == (self.number, self.time)

    @invariant()
    def queues_are_fifo(self) -> None:
        for dac in self.hub.dacs:
            inbox = [item.deposit for item in dac.deposits]
            waiting = [item.deposit for item in dac.pending_deposits]
            assert inbox + waiting == self.arrivals[int(dac.chain_id)], "a deposit was reordered"
            tickets = [int(item.ticket) for item in dac.pending_deposits]
            assert tickets == sorted(set(tickets)) and int(dac.tickets_issued) == len(self.made[int(dac.chain_id)])
            assert [int(item.nonce) for item in dac.deposits] == list(range(len(dac.deposits)))
            blocks = [int(item.l1_block_number) for item in dac.deposits]
            assert blocks == sorted(blocks)

    @invariant()
    def supply_is_allocation_plus_enqueued_mints(self) -> None:
        for dac in self.hub.dacs:
            mints = sum(int(item.deposit.mint) for item in dac.deposits)
            assert dac.coinbase_supply == self.allocated[int(dac.chain_id)] + mints
            assert dac.coinbase_supply <= 10 * MAX_LOCK, "a supply no stake could ever bond"

    @invariant()
    def deposit_gas_per_l1_block_within_budget(self) -> None:
        for dac in self.hub.dacs:
            per_block: Counter[int] = Counter()
            for item in dac.deposits:
                per_block[int(item.l1_block_number)] += int(item.deposit.gas_limit)
            assert all(gas <= GAS_BUDGET for gas in per_block.values())

    @invariant()
    def drains_and_queues_are_bounded(self) -> None:
        """No L1 block enqueues more than MAX_DEPOSITS_PER_L1_BLOCK of a DAC's deposits, whatever calls drained it,
        and no queue holds more than MAX_PENDING_DEPOSITS."""
        for dac in self.hub.dacs:
            per_block = Counter(int(item.l1_block_number) for item in dac.deposits)
            assert all(count <= PER_BLOCK for count in per_block.values()), "a drain moved more than the bound"
            assert len(dac.pending_deposits) <= QUEUE_LIMIT

    @invariant()
    def locked_mt_is_conserved_and_bondable(self) -> None:
        """The MT locked for a DAC (its supply and its pending mints) is its allocation plus every accepted mint
        less the refunds, and a maximum stake can bond it: so can it bond the supply any pending deposit needs."""
        for dac in self.hub.dacs:
            pending = sum(int(item.deposit.mint) for item in dac.pending_deposits)
            assert int(dac.coinbase_supply) + pending == self.locked_by_hand(int(dac.chain_id)), "MT created or lost"
            assert int(dac.coinbase_supply) + pending <= 10 * MAX_LOCK, "a pending deposit no stake could release"

    @invariant()
    def no_deposit_is_left_queued_that_could_leave(self) -> None:
        for dac in self.hub.dacs:
            if dac.pending_deposits:
                head = dac.pending_deposits[0].deposit
                this_block = [item for item in dac.deposits if item.l1_block_number == self.number]
                fits = sum(int(item.deposit.gas_limit) for item in this_block) + int(head.gas_limit) <= GAS_BUDGET
                has_room = len(this_block) < PER_BLOCK
                may_leave = head.mint == 0 or self.covers(int(dac.coinbase_supply) + int(head.mint))
                in_creation_block = self.number == self.created[int(dac.chain_id)]  # nothing leaves then
                assert in_creation_block or not (fits and has_room and may_leave)


HubMachine.TestCase.settings = settings(max_examples=300, stateful_step_count=80)
TestHubMachine = HubMachine.TestCase


# --- compute providers -------------------------------------------------------------------------------------------


@given(
    providers=st.lists(st.integers(1, 2**160 - 1), max_size=8, unique=True),
    chain_ids=st.lists(st.integers(1, 2**64 - 1), max_size=12, unique=True),
    epoch=st.integers(0, 2**64 - 1),
    l1_randomness=hashes,
)
def test_compute_assignment_is_balanced(
    providers: list[int], chain_ids: list[int], epoch: int, l1_randomness: Any
) -> None:
    addresses = [spec.Address(value.to_bytes(20, "big")) for value in providers]
    assignments = spec.assign_compute_providers(
        addresses, [spec.ChainId(chain_id) for chain_id in chain_ids], spec.Epoch(epoch), l1_randomness
    )
    if not addresses:
        assert assignments == ()
        return
    assert [assignment.chain_id for assignment in assignments] == sorted(chain_ids)  # every DAC exactly once
    counts = Counter(assignment.provider for assignment in assignments)
    assert set(counts) <= set(addresses)
    per_provider = [counts[address] for address in addresses]
    assert max(per_provider) - min(per_provider) <= 1
    if len(addresses) == len(chain_ids):
        assert sorted(assignment.provider for assignment in assignments) == sorted(addresses)


@given(
    start=st.integers(0, 4 * L1_EPOCH),
    length=st.integers(1, 3 * L1_EPOCH),
    provider_offsets=st.lists(st.integers(0, 3 * L1_EPOCH), max_size=5),
    dac_offsets=st.lists(st.integers(0, 3 * L1_EPOCH), min_size=1, max_size=5),
    data=st.data(),
)
def test_block_producer_follows_who_was_there_before_the_seed_block(
    start: int, length: int, provider_offsets: list[int], dac_offsets: list[int], data: st.DataObject
) -> None:
    """On a hub of ``length`` L1 blocks from ``start``, with providers registered and DACs created in blocks of it:
    for any origin whose epoch's first block the hub has seen, the producer of a DAC is METIS_DAO_ADDRESS exactly
    when the epoch began before the hub, no provider registered before its first block, or the DAC was created in
    or after it; otherwise a provider registered before that block, and the DACs of the epoch are spread over the
    providers to within one. And the producer, found for its DAC's slot alone, is that DAC's entry of the whole
    epoch's assignment."""
    blocks = tuple(l1_block(start + offset, 1_000 + 12 * offset) for offset in range(length))
    last = start + length - 1
    providers = tuple(
        spec.ComputeProvider(spec.Address(bytes([0x90 + index]) * 20), spec.L1BlockNumber(min(start + offset, last)))
        for index, offset in enumerate(provider_offsets)
    )
    dacs = tuple(
        dac_record(FIRST_CHAIN + index, 0, blocks[min(offset, length - 1)]) for index, offset in enumerate(dac_offsets)
    )
    hub = spec.Hub(blocks, dacs, (), providers, (), (), spec.Wei(0), ())
    first_epoch, last_epoch = start // L1_EPOCH, last // L1_EPOCH
    epoch = data.draw(st.integers(first_epoch, last_epoch + 1))  # the last: not yet begun
    first = epoch * L1_EPOCH
    if first > last:
        with pytest.raises(spec.UnknownL1Block):
            spec.get_block_producer(hub, spec.ChainId(FIRST_CHAIN), spec.L1BlockNumber(first))
        return
    origin = data.draw(st.integers(first, first + L1_EPOCH - 1))
    taking_part = [provider.address for provider in providers if provider.registered_at < first]
    assigned: dict[Any, Any] = {}  # the whole epoch's assignment, from the same draw
    draw = spec.get_epoch_provider_draw(hub, spec.Epoch(epoch))
    if draw is not None:
        randomness, drawn_providers, chain_ids = draw
        for entry in spec.assign_compute_providers(drawn_providers, chain_ids, spec.Epoch(epoch), randomness):
            assigned[entry.chain_id] = entry.provider
    served: Counter[Any] = Counter()
    for record in dacs:
        producer = spec.get_block_producer(hub, record.chain_id, spec.L1BlockNumber(origin))
        assert producer == assigned.get(record.chain_id, spec.METIS_DAO_ADDRESS)
        if first < start or not taking_part or record.genesis.l1_block_number >= first:
            assert producer == spec.METIS_DAO_ADDRESS
        else:
            assert producer in taking_part
            served[producer] += 1
    if served:
        per_provider = [served[address] for address in taking_part]
        assert max(per_provider) - min(per_provider) <= 1


# --- selection is proportional to stake --------------------------------------------------------------------------

STAKES_MT = {
    spec.Address(bytes([0xA1]) * 20): 20,
    spec.Address(bytes([0xB0]) * 20): 40,
    spec.Address(bytes([0xCA]) * 20): 60,
    spec.Address(bytes([0xDA]) * 20): 100,
}
EPOCHS = 3000


def test_selection_frequency_is_proportional_to_stake() -> None:
    """3000 epochs of one DAC, fixed L1 randomness, stakes 20/40/60/100 MT (total 220): each sequencer's share of
    the epochs must be within 4 binomial standard deviations, sqrt(p(1 - p) / 3000), of p = stake / 220. For the
    20 MT sequencer p = 0.091 and the tolerance 0.021. A uniform choice (0.25 each) would miss the 20, 40 and
    100 MT bands by far."""
    pool = [spec.Sequencer(address, spec.Wei(stake * MT), None) for address, stake in STAKES_MT.items()]
    hub = pool_hub(pool, 0)
    randomness = spec.Hash32(keccak256(b"selection frequency"))
    counts: Counter[Any] = Counter()
    for epoch in range(EPOCHS):
        chosen = select(hub, epoch, randomness)
        assert chosen is not None
        counts[chosen] += 1
    total = sum(STAKES_MT.values())
    uniform_would_fail = False
    for address, stake in STAKES_MT.items():
        expected = stake / total
        tolerance = 4 * math.sqrt(expected * (1 - expected) / EPOCHS)
        observed = counts[address] / EPOCHS
        assert (
            abs(observed - expected) <= tolerance
        ), f"{stake} MT: share {observed:.4f}, expected {expected:.4f} ± {tolerance:.4f}"
        uniform_would_fail |= abs(0.25 - expected) > 2 * tolerance
    assert uniform_would_fail  # the bands are narrow enough to tell stake-proportional from uniform


def test_selection_among_the_eligible_is_proportional_to_stake() -> None:
    """The same pool behind a DBT of 50 MT (a supply of 500 MT): only the 60 and 100 MT sequencers are eligible, and
    they share the epochs 60 : 100 (p = 0.375 and 0.625, tolerance 4 standard deviations over 2000 epochs); the 20
    and 40 MT sequencers are never chosen."""
    pool = [spec.Sequencer(address, spec.Wei(stake * MT), None) for address, stake in STAKES_MT.items()]
    hub = pool_hub(pool, 500 * MT)
    randomness = spec.Hash32(keccak256(b"selection frequency behind a DBT"))
    counts: Counter[int] = Counter()
    epochs = 2000
    for epoch in range(epochs):
        chosen = select(hub, epoch, randomness)
        assert chosen is not None
        counts[STAKES_MT[chosen]] += 1
    assert set(counts) <= {60, 100}
    expected = 60 / 160
    tolerance = 4 * math.sqrt(expected * (1 - expected) / epochs)
    assert abs(counts[60] / epochs - expected) <= tolerance, counts
