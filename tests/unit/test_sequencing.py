"""Known answers for sequencing (spec/v1/sequencing.md), written out by hand in MT on the minimal preset
(MIN_SEQUENCER_BOND 20 MT, MAX_SEQUENCER_LOCK 100 MT, SEQUENCER_EXIT_DELAY 60 s), plus the shuffle and selection
laws that need no hand computation: a shuffle is a permutation; selection never picks an ineligible sequencer and
returns None when nobody is eligible.
"""

from __future__ import annotations

from typing import Any

import pytest

from mvm_spec.forks import PRESETS, load_spec
from mvm_spec.forks.v1 import minimal as spec
from mvm_spec.runtime import keccak256

MT = 10**18
ALICE, BOB, CAROL = (spec.Address(bytes([tag]) * 20) for tag in (0xA1, 0xB0, 0xCA))
R1, R2, R3 = (spec.Address(bytes([tag]) * 20) for tag in (0x11, 0x22, 0x33))
CHAIN = spec.ChainId(1089)


def sequencer(address: Any, locked_mt: int, exit_at: int | None = None) -> Any:
    return spec.Sequencer(address, spec.Wei(locked_mt * MT), None if exit_at is None else spec.Timestamp(exit_at))


def dac(supply: int, *pending: tuple[Any, int]) -> Any:
    deposits = tuple(spec.PendingDeposit(recipient, spec.Wei(amount)) for recipient, amount in pending)
    return spec.DacSupply(CHAIN, spec.Wei(supply), deposits)


def state(sequencers: list[Any], *dacs: Any) -> Any:
    return spec.SequencingState(tuple(sequencers), tuple(dacs))


def test_minimal_preset_values_the_answers_below_assume() -> None:
    assert spec.MIN_SEQUENCER_BOND == 20 * MT and spec.MAX_SEQUENCER_LOCK == 100 * MT
    assert spec.SEQUENCER_EXIT_DELAY == 60 and spec.DBT_RATIO_BPS == 1000


@pytest.mark.parametrize(
    "supply, threshold",
    [
        (0, 20 * MT),  # floor
        (150 * MT, 20 * MT),  # 15 MT < floor
        (200 * MT, 20 * MT),  # exactly the floor
        (200 * MT + 1, 20 * MT + 1),  # 20 MT + 0.1 wei, rounded up
        (1000 * MT, 100 * MT),
        (1000 * MT + 19, 100 * MT + 2),  # 1.9 wei rounded up to 2
        (123_456_789, 20 * MT),
    ],
)
def test_dbt_known_answers_minimal(supply: int, threshold: int) -> None:
    assert spec.compute_dynamic_bond_threshold(spec.Wei(supply)) == threshold


def test_dbt_known_answers_mainnet() -> None:
    mainnet = load_spec("v1", "mainnet")
    assert mainnet.compute_dynamic_bond_threshold(mainnet.Wei(1000 * MT)) == 20_000 * MT  # 100 MT < floor 20,000 MT
    assert mainnet.compute_dynamic_bond_threshold(mainnet.Wei(200_000 * MT + 1)) == 20_000 * MT + 1
    assert mainnet.compute_dynamic_bond_threshold(mainnet.Wei(10**6 * MT)) == 100_000 * MT


def test_eligibility_known_answers() -> None:
    threshold = spec.Wei(50 * MT)  # the DBT of a 500 MT DAC
    assert spec.is_eligible_sequencer(sequencer(ALICE, 50), threshold)
    assert not spec.is_eligible_sequencer(spec.Sequencer(ALICE, spec.Wei(50 * MT - 1), None), threshold)
    assert not spec.is_eligible_sequencer(sequencer(ALICE, 100, exit_at=0), threshold)
    pool = state([sequencer(ALICE, 20), sequencer(BOB, 60), sequencer(CAROL, 100, exit_at=3)])
    assert spec.get_eligible_sequencers(pool, spec.Wei(500 * MT)) == [sequencer(BOB, 60)]
    assert spec.get_eligible_sequencers(pool, spec.Wei(0)) == [sequencer(ALICE, 20), sequencer(BOB, 60)]


def test_deposit_story_known_answers() -> None:
    """Alice stakes 20 MT (serves supplies up to 200 MT). 150 MT is applied; 60 MT (210) waits; 10 MT waits behind
    it; Bob registers with 25 MT (serves up to 250 MT): 210, then 220 applied. Withdrawing 100 MT leaves 120."""
    current = state([], dac(0))
    current = spec.register_sequencer(current, ALICE, spec.Wei(20 * MT))
    current = spec.deposit_into_dac(current, CHAIN, R1, spec.Wei(150 * MT))
    current = spec.deposit_into_dac(current, CHAIN, R2, spec.Wei(60 * MT))
    current = spec.deposit_into_dac(current, CHAIN, R3, spec.Wei(10 * MT))
    assert current.dacs == (dac(150 * MT, (R2, 60 * MT), (R3, 10 * MT)),)
    current = spec.register_sequencer(current, BOB, spec.Wei(25 * MT))
    assert current.dacs == (dac(220 * MT),)
    current = spec.withdraw_from_dac(current, CHAIN, spec.Wei(100 * MT))
    assert current == state([sequencer(ALICE, 20), sequencer(BOB, 25)], dac(120 * MT))


def test_exit_and_withdraw_known_answers() -> None:
    current = state([sequencer(ALICE, 40)], dac(0))
    current = spec.request_sequencer_exit(current, ALICE, spec.Timestamp(1_000))
    with pytest.raises(spec.ExitDelayNotElapsed):
        spec.withdraw_sequencer_stake(current, ALICE, spec.Timestamp(1_059))
    after, released = spec.withdraw_sequencer_stake(current, ALICE, spec.Timestamp(1_060))
    assert after == state([], dac(0)) and released == 40 * MT


def test_slash_known_answers() -> None:
    after, slashed, released = spec.slash_sequencer(
        state([sequencer(ALICE, 30), sequencer(BOB, 20)]), ALICE, spec.BasisPoints(2500)
    )
    assert (slashed, released) == (7_500_000_000_000_000_000, 22_500_000_000_000_000_000)
    assert after == state([sequencer(BOB, 20)])


SEEDS = [spec.Hash32(keccak256(bytes([tag]))) for tag in range(3)]


@pytest.mark.parametrize("preset", PRESETS)
def test_shuffle_is_a_permutation(preset: str) -> None:
    """For every count 1..50 and a few seeds, the shuffled indices of 0..count-1 are 0..count-1 in some order."""
    rendered = load_spec("v1", preset)
    seeds = SEEDS if preset == "minimal" else SEEDS[:1]  # 90 rounds on mainnet: one seed keeps this fast
    for seed in seeds:
        for count in range(1, 51):
            landed = [rendered.compute_shuffled_index(index, count, seed) for index in range(count)]
            assert sorted(landed) == list(range(count)), (count, seed.hex())


def test_shuffle_moves_things() -> None:
    """Not the identity: over 50 positions, some index moves (a broken round that never swaps would pass the
    permutation test)."""
    assert [spec.compute_shuffled_index(index, 50, SEEDS[0]) for index in range(50)] != list(range(50))


def test_shuffle_rejects_out_of_range() -> None:
    for index, count in [(0, 0), (3, 3), (-1, 3)]:
        with pytest.raises(spec.ShuffleIndexOutOfRange):
            spec.compute_shuffled_index(index, count, SEEDS[0])


def test_selection_never_returns_an_ineligible_sequencer() -> None:
    """Alice (20 MT) and Bob (40 MT) are below the 50 MT DBT of a 500 MT DAC and Carol (100 MT) has asked to exit:
    only Dave (60 MT) may be chosen, in every one of 40 epochs."""
    dave = spec.Address(bytes([0xDA]) * 20)
    pool = [sequencer(ALICE, 20), sequencer(BOB, 40), sequencer(CAROL, 100, exit_at=9), sequencer(dave, 60)]
    current = state(pool, dac(500 * MT))
    for epoch in range(40):
        chosen = spec.select_epoch_sequencer(current, CHAIN, spec.Epoch(epoch), SEEDS[1])
        assert chosen is not None and chosen.address == dave


def test_selection_is_none_when_dbt_exceeds_every_stake() -> None:
    """1001 MT of supply: DBT 100.1 MT, above even the maximum lock of 100 MT."""
    current = state([sequencer(ALICE, 100), sequencer(BOB, 100)], dac(1001 * MT))
    for epoch in range(10):
        assert spec.select_epoch_sequencer(current, CHAIN, spec.Epoch(epoch), SEEDS[2]) is None


def test_selection_is_none_without_sequencers() -> None:
    assert spec.select_epoch_sequencer(state([], dac(0)), CHAIN, spec.Epoch(0), SEEDS[0]) is None


def test_selection_needs_a_known_dac() -> None:
    with pytest.raises(spec.UnknownChainId):
        spec.select_epoch_sequencer(state([sequencer(ALICE, 20)], dac(0)), spec.ChainId(1090), spec.Epoch(0), SEEDS[0])


def test_epoch_at_block() -> None:
    """BLOCKS_PER_EPOCH is 8 on minimal: blocks 0-7 are epoch 0, 8 starts epoch 1."""
    assert [spec.compute_epoch_at_block(spec.BlockNumber(n)) for n in (0, 7, 8, 17)] == [0, 0, 1, 2]
