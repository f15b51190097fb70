"""Hypothesis laws of sequencing (spec/v1/sequencing.md).

- The DBT is non-decreasing in the supply; eligibility is monotone in the stake.
- Selection only ever returns an eligible sequencer, and returns None exactly when nobody is eligible.
- A stateful machine interleaves registrations, stake increases, exits, stake withdrawals, slashes, deposits,
  withdrawals from DACs and new DACs, and checks after every step: each DAC's queue is the tail of its arrival
  order (the applied deposits are a prefix that only grows), MT is conserved, and no deposit is left queued while
  it could be applied.
- Compute-provider assignment gives each DAC one provider, balances providers to within one DAC, and is a
  permutation when there are as many providers as DACs.
- Selection frequency is proportional to stake (a fixed-seed statistical test).

Eligibility is decided here by the hand rule "not exiting, stake >= the minimum bond, supply <= 10 * stake"
(ceil(supply / 10) <= stake), never by the spec's own functions.
"""

from __future__ import annotations

import math
from collections import Counter
from types import ModuleType
from typing import Any, Optional

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from mvm_spec.forks import PRESETS, load_spec
from mvm_spec.forks.v1 import minimal as spec
from mvm_spec.runtime import keccak256

UINT256_MAX = 2**256 - 1
MT = 10**18
SPECS = [load_spec("v1", preset) for preset in PRESETS]
BOND = int(spec.MIN_SEQUENCER_BOND)  # 20 MT on the minimal preset
MAX_LOCK = int(spec.MAX_SEQUENCER_LOCK)  # 100 MT

hashes = st.binary(min_size=32, max_size=32).map(spec.Hash32)
supplies = st.one_of(
    st.integers(0, UINT256_MAX),
    st.integers(0, 10**24),
    st.sampled_from([0, 1, 10 * BOND - 1, 10 * BOND, 10 * BOND + 1, 10 * MAX_LOCK, 10 * MAX_LOCK + 1]),
)


def eligible_by_hand(sequencer: Any, supply: int, bond: int) -> bool:
    return sequencer.exit_requested_at is None and sequencer.locked >= bond and supply <= 10 * sequencer.locked


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


@given(pool=pools(), supply=st.integers(0, 12 * MAX_LOCK), l1_randomness=hashes, epoch=st.integers(0, 2**64 - 1))
def test_selection_only_returns_eligible_sequencers(
    pool: list[Any], supply: int, l1_randomness: Any, epoch: int
) -> None:
    current = spec.SequencingState(tuple(pool), (spec.DacSupply(spec.ChainId(1089), spec.Wei(supply), ()),))
    chosen = spec.select_epoch_sequencer(current, spec.ChainId(1089), spec.Epoch(epoch), l1_randomness)
    eligible = [sequencer for sequencer in pool if eligible_by_hand(sequencer, supply, BOND)]
    if not eligible:
        assert chosen is None
    else:
        assert chosen in eligible


# --- the deposit state machine -----------------------------------------------------------------------------------

SEQUENCERS = [spec.Address(bytes([0xA0 + index]) * 20) for index in range(4)]
CHAINS = [1089, 1090, 1091]
stakes = st.one_of(
    st.integers(BOND, MAX_LOCK), st.sampled_from([BOND - 1, BOND, BOND + 1, MAX_LOCK - 1, MAX_LOCK, MAX_LOCK + 1])
)
deposits = st.one_of(
    st.integers(1, 12 * BOND),
    st.sampled_from([0, 1, BOND, 10 * BOND, 10 * BOND + 1, 10 * MAX_LOCK, 10 * MAX_LOCK + 1]),
)


class DepositMachine(RuleBasedStateMachine):
    """Any interleaving of the operations; a rejected operation leaves the state as it was."""

    def __init__(self) -> None:
        super().__init__()
        self.state = spec.SequencingState((), ())
        self.now = 0
        self.arrivals: dict[int, list[tuple[bytes, int]]] = {}  # every accepted deposit, in arrival order
        self.applied: dict[int, int] = {}  # how many of them were applied at the last check
        self.deposited: dict[int, int] = {}
        self.withdrawn: dict[int, int] = {}
        self.recipients = 0

    def attempt(self, operation: Any, *args: Any) -> Optional[Any]:
        try:
            result = operation(self.state, *args)
        except spec.SpecError:
            return None
        self.state = result[0] if isinstance(result, tuple) else result
        return result

    @initialize()
    def first_dac(self) -> None:
        self.add_dac(CHAINS[0])

    @rule(chain_id=st.sampled_from(CHAINS))
    def add_dac(self, chain_id: int) -> None:
        known = chain_id in self.arrivals
        added = self.attempt(spec.add_dac_supply, spec.ChainId(chain_id))
        assert (added is None) == known
        if not known:
            self.arrivals[chain_id], self.applied[chain_id] = [], 0
            self.deposited[chain_id] = self.withdrawn[chain_id] = 0

    @rule(address=st.sampled_from(SEQUENCERS), amount=stakes)
    def register(self, address: Any, amount: int) -> None:
        self.attempt(spec.register_sequencer, address, spec.Wei(amount))

    @rule(address=st.sampled_from(SEQUENCERS), amount=st.integers(0, MAX_LOCK))
    def increase(self, address: Any, amount: int) -> None:
        self.attempt(spec.increase_sequencer_lock, address, spec.Wei(amount))

    @rule(address=st.sampled_from(SEQUENCERS), wait=st.integers(0, 40))
    def request_exit(self, address: Any, wait: int) -> None:
        self.now += wait
        self.attempt(spec.request_sequencer_exit, address, spec.Timestamp(self.now))

    @rule(address=st.sampled_from(SEQUENCERS), wait=st.integers(0, 80))
    def withdraw_stake(self, address: Any, wait: int) -> None:
        self.now += wait
        self.attempt(spec.withdraw_sequencer_stake, address, spec.Timestamp(self.now))

    @rule(address=st.sampled_from(SEQUENCERS), ratio=st.integers(0, 10_000))
    def slash(self, address: Any, ratio: int) -> None:
        self.attempt(spec.slash_sequencer, address, spec.BasisPoints(ratio))

    @rule(chain_id=st.sampled_from(CHAINS), amount=deposits)
    def deposit(self, chain_id: int, amount: int) -> None:
        self.recipients += 1
        recipient = spec.Address(self.recipients.to_bytes(20, "big"))  # unique: identifies the deposit
        if self.attempt(spec.deposit_into_dac, spec.ChainId(chain_id), recipient, spec.Wei(amount)) is not None:
            self.arrivals[chain_id].append((bytes(recipient), amount))
            self.deposited[chain_id] += amount

    @rule(chain_id=st.sampled_from(CHAINS), tenths=st.integers(0, 11), extra=st.sampled_from([0, 1]))
    def withdraw_from_dac(self, chain_id: int, tenths: int, extra: int) -> None:
        supply = next((int(dac.coinbase_supply) for dac in self.state.dacs if dac.chain_id == chain_id), 0)
        amount = supply * tenths // 10 + extra
        if self.attempt(spec.withdraw_from_dac, spec.ChainId(chain_id), spec.Wei(amount)) is not None:
            self.withdrawn[chain_id] += amount

    @invariant()
    def queues_are_fifo(self) -> None:
        for dac in self.state.dacs:
            arrivals = self.arrivals[int(dac.chain_id)]
            pending = [(bytes(item.recipient), int(item.amount)) for item in dac.pending_deposits]
            applied = len(arrivals) - len(pending)
            assert pending == arrivals[applied:], "the queue is not the tail of the arrival order"
            assert applied >= self.applied[int(dac.chain_id)], "an applied deposit went back into the queue"
            self.applied[int(dac.chain_id)] = applied

    @invariant()
    def mt_is_conserved(self) -> None:
        for dac in self.state.dacs:
            chain_id = int(dac.chain_id)
            pending = sum(int(item.amount) for item in dac.pending_deposits)
            assert self.deposited[chain_id] == dac.coinbase_supply + pending + self.withdrawn[chain_id]

    @invariant()
    def no_applicable_deposit_is_left_queued(self) -> None:
        for dac in self.state.dacs:
            if dac.pending_deposits:
                supply = dac.coinbase_supply + dac.pending_deposits[0].amount
                assert not any(eligible_by_hand(sequencer, supply, BOND) for sequencer in self.state.sequencers)

    @invariant()
    def stakes_stay_within_bounds(self) -> None:
        assert all(BOND <= sequencer.locked <= MAX_LOCK for sequencer in self.state.sequencers)
        assert len({sequencer.address for sequencer in self.state.sequencers}) == len(self.state.sequencers)


DepositMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40)
TestDepositMachine = DepositMachine.TestCase


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
    pool = tuple(spec.Sequencer(address, spec.Wei(stake * MT), None) for address, stake in STAKES_MT.items())
    current = spec.SequencingState(pool, (spec.DacSupply(spec.ChainId(1089), spec.Wei(0), ()),))
    randomness = spec.Hash32(keccak256(b"selection frequency"))
    counts: Counter[Any] = Counter()
    for epoch in range(EPOCHS):
        chosen = spec.select_epoch_sequencer(current, spec.ChainId(1089), spec.Epoch(epoch), randomness)
        assert chosen is not None
        counts[chosen.address] += 1
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
