"""Known answers for sequencing on the hub (spec/v1/sequencing.md), written out by hand in MT on the minimal preset
(MIN_SEQUENCER_BOND 20 MT, MAX_SEQUENCER_LOCK 100 MT, SEQUENCER_EXIT_DELAY 60 s, L1_BLOCKS_PER_EPOCH 8,
MAX_DEPOSIT_GAS_PER_L1_BLOCK 300,000), plus the shuffle and selection laws that need no hand computation: a shuffle
is a permutation; selection never picks an ineligible sequencer and returns None when nobody is eligible.
"""

from __future__ import annotations

from typing import Any, Sequence

import pytest

from mvm_spec.forks import PRESETS, load_spec
from mvm_spec.forks.v1 import minimal as spec
from mvm_spec.runtime import keccak256

MT = 10**18
ALICE, BOB, CAROL, DAVE = (spec.Address(bytes([tag]) * 20) for tag in (0xA1, 0xB0, 0xCA, 0xDA))
R1, R2, R3, R4 = (spec.Address(bytes([tag]) * 20) for tag in (0x11, 0x22, 0x33, 0x44))
P1, P2 = (spec.Address(bytes([tag]) * 20) for tag in (0x91, 0x92))
RECIPIENT = spec.Address(bytes([0x7E]) * 20)
RANGERS, CHAIN = spec.ChainId(1000000000001088), spec.ChainId(1000000000001089)
CHARTER = spec.Charter("sequencing known answers", "", (), (), spec.Address(bytes([0x42]) * 20))


def block(number: int, timestamp: int) -> Any:
    randao = spec.Hash32(keccak256(b"randao" + number.to_bytes(8, "big")))
    return spec.L1Block(spec.L1BlockNumber(number), spec.Timestamp(timestamp), randao, spec.Hash32(bytes(32)))


def sequencer(address: Any, locked_mt: int, exit_at: int | None = None) -> Any:
    return spec.Sequencer(address, spec.Wei(locked_mt * MT), None if exit_at is None else spec.Timestamp(exit_at))


def deposit(sender: Any, mint_mt: int, gas: int = 21_000) -> Any:
    return spec.Deposit(sender, RECIPIENT, spec.Wei(mint_mt * MT), spec.Wei(0), spec.uint64(gas), b"")


def enqueued(nonce: int, l1_block_number: int, item: Any) -> Any:
    return spec.EnqueuedDeposit(spec.uint64(nonce), spec.L1BlockNumber(l1_block_number), item)


def genesis_hub(number: int = 100, timestamp: int = 1_000, supply_mt: int = 0) -> Any:
    """The hub at L1 block ``number``, with DAC 1000000000001089 created in the block before, allocating ``supply_mt`` (no
    deposit leaves a queue in the L1 block that created its DAC)."""
    hub = spec.get_genesis_hub(CHARTER, block(number - 1, timestamp - 12))
    alloc = [(spec.Address(bytes([0xF0]) * 20), spec.GenesisAccount(balance=supply_mt * MT))] if supply_mt else []
    return spec.advance_l1_block(spec.create_dac(hub, "acme", CHARTER, alloc, spec.Wei(10**9)), block(number, timestamp))


def with_pool(hub: Any, pool: Sequence[Any]) -> Any:
    return spec.replace(hub, sequencers=tuple(pool))


def deposit_into(hub: Any, sender: Any, mint_mt: int, gas: int = 21_000) -> Any:
    return spec.deposit_into_dac(
        hub, CHAIN, sender, False, RECIPIENT, spec.Wei(mint_mt * MT), spec.Wei(0), spec.uint64(gas), b""
    )


def acme(hub: Any) -> Any:
    return spec.get_dac(hub, CHAIN)


def test_minimal_preset_values_the_answers_below_assume() -> None:
    assert spec.MIN_SEQUENCER_BOND == 20 * MT and spec.MAX_SEQUENCER_LOCK == 100 * MT
    assert spec.SEQUENCER_EXIT_DELAY == 60 and spec.DBT_RATIO_BPS == 1000
    assert spec.L1_BLOCKS_PER_EPOCH == 8
    assert spec.MAX_DEPOSIT_GAS_PER_L1_BLOCK == 300_000


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
    hub = with_pool(genesis_hub(), [sequencer(ALICE, 20), sequencer(BOB, 60), sequencer(CAROL, 100, exit_at=3)])
    assert spec.get_eligible_sequencers(hub, spec.Wei(500 * MT)) == [sequencer(BOB, 60)]
    assert spec.get_eligible_sequencers(hub, spec.Wei(0)) == [sequencer(ALICE, 20), sequencer(BOB, 60)]


def test_deposit_story_known_answers() -> None:
    """Alice stakes 20 MT (serves supplies up to 200 MT). 150 MT is enqueued; 60 MT (210) waits; 10 MT waits behind
    it; Bob registers with 25 MT (serves up to 250 MT): 210, then 220 enqueued, all in L1 block 100."""
    hub = spec.register_sequencer(genesis_hub(), ALICE, spec.Wei(20 * MT))
    hub = deposit_into(hub, R1, 150)
    hub = deposit_into(hub, R2, 60)
    hub = deposit_into(hub, R3, 10)
    assert acme(hub).coinbase_supply == 150 * MT
    assert acme(hub).deposits == (enqueued(0, 100, deposit(R1, 150)),)
    assert tuple(item.deposit for item in acme(hub).pending_deposits) == (deposit(R2, 60), deposit(R3, 10))
    assert [(int(item.ticket), int(item.l1_block_number)) for item in acme(hub).pending_deposits] == [(1, 100), (2, 100)]
    hub = spec.register_sequencer(hub, BOB, spec.Wei(25 * MT))
    assert acme(hub).coinbase_supply == 220 * MT and acme(hub).pending_deposits == ()
    assert acme(hub).deposits == (
        enqueued(0, 100, deposit(R1, 150)),
        enqueued(1, 100, deposit(R2, 60)),
        enqueued(2, 100, deposit(R3, 10)),
    )
    assert hub.sequencers == (sequencer(ALICE, 20), sequencer(BOB, 25))


def test_gas_budget_story_known_answers() -> None:
    """Alice serves everything. Deposits of 100,000, 150,000 and 60,000 gas in L1 block 100: the first two make
    250,000, the third would make 310,000 > 300,000 and waits; a 21,000 gas deposit waits behind it although it
    would fit (271,000). L1 block 101 takes both (81,000)."""
    hub = spec.register_sequencer(genesis_hub(), ALICE, spec.Wei(100 * MT))
    for sender, gas in [(R1, 100_000), (R2, 150_000), (R3, 60_000), (R4, 21_000)]:
        hub = deposit_into(hub, sender, 1, gas)
    assert [int(item.l1_block_number) for item in acme(hub).deposits] == [100, 100]
    assert tuple(item.deposit for item in acme(hub).pending_deposits) == (deposit(R3, 1, 60_000), deposit(R4, 1, 21_000))
    assert spec.get_deposit_gas_in_l1_block(acme(hub), spec.L1BlockNumber(100)) == 250_000
    hub = spec.advance_l1_block(hub, block(101, 1_012))
    assert acme(hub).pending_deposits == ()
    assert acme(hub).deposits[2:] == (
        enqueued(2, 101, deposit(R3, 1, 60_000)),
        enqueued(3, 101, deposit(R4, 1, 21_000)),
    )
    assert spec.get_deposit_gas_in_l1_block(acme(hub), spec.L1BlockNumber(101)) == 81_000
    assert acme(hub).coinbase_supply == 4 * MT


def test_deposit_refusals_known_answers() -> None:
    hub = spec.register_sequencer(genesis_hub(), ALICE, spec.Wei(100 * MT))
    with pytest.raises(spec.DepositExceedsBondCapacity):  # DBT of 1000 MT + 1 wei is 100 MT + 1 wei
        spec.deposit_into_dac(
            hub, CHAIN, R1, False, RECIPIENT, spec.Wei(1000 * MT + 1), spec.Wei(0), spec.uint64(21_000), b""
        )
    with pytest.raises(spec.DepositGasAboveLimit):
        deposit_into(hub, R1, 1, 300_001)
    with pytest.raises(spec.UnknownChainId):
        spec.deposit_into_dac(
            hub, spec.ChainId(1000000000001090), R1, False, RECIPIENT, spec.Wei(0), spec.Wei(0), spec.uint64(21_000), b""
        )
    hub = deposit_into(hub, R1, 1000)  # exactly the bond capacity
    assert acme(hub).coinbase_supply == 1000 * MT


def test_exit_and_withdraw_known_answers() -> None:
    """Alice asks to exit in L1 block 101 (time 1,012): withdrawable from time 1,072, not at 1,071."""
    hub = spec.register_sequencer(genesis_hub(), ALICE, spec.Wei(40 * MT))
    hub = spec.advance_l1_block(hub, block(101, 1_012))
    hub = spec.request_sequencer_exit(hub, ALICE)
    assert hub.sequencers == (sequencer(ALICE, 40, exit_at=1_012),)
    hub = spec.advance_l1_block(hub, block(102, 1_071))
    with pytest.raises(spec.ExitDelayNotElapsed):
        spec.withdraw_sequencer_stake(hub, ALICE)
    hub = spec.advance_l1_block(hub, block(103, 1_072))
    after, released = spec.withdraw_sequencer_stake(hub, ALICE)
    assert after.sequencers == () and released == 40 * MT
    assert after.dacs == hub.dacs and after.l1_blocks == hub.l1_blocks


def test_slash_known_answers() -> None:
    """25% of 30 MT is 7.5 MT; the other 22.5 MT stay locked and Alice exits from the hub's time (1,000)."""
    hub = with_pool(genesis_hub(), [sequencer(ALICE, 30), sequencer(BOB, 20)])
    after, slashed = spec.slash_sequencer(hub, ALICE, spec.BasisPoints(2500))
    assert slashed == 7_500_000_000_000_000_000
    kept = spec.Sequencer(ALICE, spec.Wei(22_500_000_000_000_000_000), spec.Timestamp(1_000))
    assert after.sequencers == (kept, sequencer(BOB, 20))


def test_slashed_sequencer_is_slashed_again_and_waits_its_exit() -> None:
    """A second slash takes 10% of what the first left (20 -> 18 -> 16.2 MT); the stake is withdrawable only at
    1,000 + SEQUENCER_EXIT_DELAY, counted from the first slash."""
    hub = with_pool(genesis_hub(), [sequencer(ALICE, 20)])
    hub, first = spec.slash_sequencer(hub, ALICE, spec.BasisPoints(1000))
    hub = spec.advance_l1_block(hub, block(101, 1_010))
    hub, second = spec.slash_sequencer(hub, ALICE, spec.BasisPoints(1000))
    assert (first, second) == (2 * MT, 18 * MT // 10)
    assert hub.sequencers == (spec.Sequencer(ALICE, spec.Wei(162 * MT // 10), spec.Timestamp(1_000)),)
    hub = spec.advance_l1_block(hub, block(102, 1_000 + int(spec.SEQUENCER_EXIT_DELAY) - 1))
    with pytest.raises(spec.ExitDelayNotElapsed):
        spec.withdraw_sequencer_stake(hub, ALICE)
    hub = spec.advance_l1_block(hub, block(103, 1_000 + int(spec.SEQUENCER_EXIT_DELAY)))
    assert spec.withdraw_sequencer_stake(hub, ALICE) == (spec.replace(hub, sequencers=()), 162 * MT // 10)


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
    with pytest.raises(spec.ShuffleTooLarge):
        spec.compute_shuffled_index(0, 2**40 + 1, SEEDS[0])


def select(hub: Any, chain_id: Any, epoch: int, randomness: Any) -> Any:
    """The first choice for ``chain_id`` in ``epoch`` (None if unsequenced) when the epoch's snapshot is ``hub``'s
    pool and supplies now."""
    supplies = tuple((dac.chain_id, dac.coinbase_supply) for dac in hub.dacs)
    snapshot = spec.SequencingSnapshot(spec.Epoch(epoch), randomness, hub.sequencers, supplies)
    hub = spec.replace(hub, sequencing_snapshots=(snapshot,))
    succession = spec.get_epoch_sequencers(hub, chain_id, spec.Epoch(epoch))
    return succession[0] if succession else None


def test_selection_never_returns_an_ineligible_sequencer() -> None:
    """Alice (20 MT) and Bob (40 MT) are below the 50 MT DBT of a 500 MT DAC and Carol (100 MT) has asked to exit:
    only Dave (60 MT) may be chosen, in every one of 40 epochs — and only when the rangers' DAC (drawn first, 20 MT)
    did not take him, which would leave 40 MT of his stake, below 50 MT. Both happen."""
    pool = [sequencer(ALICE, 20), sequencer(BOB, 40), sequencer(CAROL, 100, exit_at=9), sequencer(DAVE, 60)]
    hub = with_pool(genesis_hub(supply_mt=500), pool)
    chosen = [select(hub, CHAIN, epoch, SEEDS[1]) for epoch in range(40)]
    rangers = [select(hub, spec.ChainId(1000000000001088), epoch, SEEDS[1]) for epoch in range(40)]
    assert set(chosen) == {DAVE, None}
    assert all((acme is None) == (ranger == DAVE) for acme, ranger in zip(chosen, rangers))


def test_selection_is_none_when_dbt_exceeds_every_stake() -> None:
    """1000 MT of supply: DBT 100 MT, above both 99 MT stakes."""
    hub = with_pool(genesis_hub(supply_mt=1000), [sequencer(ALICE, 99), sequencer(BOB, 99)])
    for epoch in range(10):
        assert select(hub, CHAIN, epoch, SEEDS[2]) is None


def test_selection_is_none_without_sequencers() -> None:
    assert select(genesis_hub(), CHAIN, 0, SEEDS[0]) is None


def test_selection_needs_a_known_dac() -> None:
    hub = with_pool(genesis_hub(), [sequencer(ALICE, 20)])
    with pytest.raises(spec.UnknownChainId):
        select(hub, spec.ChainId(1000000000001090), 0, SEEDS[0])


def test_snapshot_recorded_at_each_epoch_start() -> None:
    """L1 block 104 starts epoch 13 (8 blocks an epoch): it records the snapshot of epoch 14 with its own RANDAO
    value; blocks 101-103 record nothing; block 112 adds epoch 15's and keeps 14's (the current epoch)."""
    hub = with_pool(genesis_hub(), [sequencer(ALICE, 20)])
    for number in range(101, 104):
        hub = spec.advance_l1_block(hub, block(number, 1_000 + 12 * (number - 100)))
    assert hub.sequencing_snapshots == ()
    hub = spec.advance_l1_block(hub, block(104, 1_048))
    (snapshot,) = hub.sequencing_snapshots
    assert (snapshot.epoch, snapshot.randomness, snapshot.sequencers) == (14, block(104, 1_048).prev_randao, hub.sequencers)
    assert snapshot.supplies == ((1000000000001088, 0), (1000000000001089, 0))
    for number in range(105, 113):
        hub = spec.advance_l1_block(hub, block(number, 1_000 + 12 * (number - 100)))
    assert [item.epoch for item in hub.sequencing_snapshots] == [14, 15]
    for number in range(113, 121):
        hub = spec.advance_l1_block(hub, block(number, 1_000 + 12 * (number - 100)))
    assert [item.epoch for item in hub.sequencing_snapshots] == [15, 16]


def test_l1_epoch() -> None:
    """L1_BLOCKS_PER_EPOCH is 8 on minimal: L1 blocks 0-7 are epoch 0, 8 starts epoch 1."""
    assert [spec.compute_l1_epoch(spec.L1BlockNumber(n)) for n in (0, 7, 8, 17)] == [0, 0, 1, 2]


def test_provider_assignment_known_answers() -> None:
    """A hub from L1 block 14 to 17 (epoch 2 starts at 16). P1 registers in 15, P2 in 16 (the seed block itself);
    DAC 1000000000001089 is created in 17. Epoch 1 began before the hub: nobody. Epoch 2: only P1 and the rangers' DAC take
    part. Epoch 3's first block, 24, is not yet seen."""
    hub = spec.get_genesis_hub(CHARTER, block(14, 1_000))
    hub = spec.advance_l1_block(hub, block(15, 1_012))
    hub = spec.register_compute_provider(hub, P1)
    hub = spec.advance_l1_block(hub, block(16, 1_024))
    hub = spec.register_compute_provider(hub, P2)
    hub = spec.advance_l1_block(hub, block(17, 1_036))
    hub = spec.create_dac(hub, "acme", CHARTER, (), spec.Wei(10**9))
    assert hub.compute_providers == (
        spec.ComputeProvider(P1, spec.L1BlockNumber(15)),
        spec.ComputeProvider(P2, spec.L1BlockNumber(16)),
    )
    assert spec.get_epoch_provider_draw(hub, spec.Epoch(1)) is None
    seed_block = hub.l1_blocks[2]  # block 16
    assert spec.get_epoch_provider_draw(hub, spec.Epoch(2)) == (seed_block.prev_randao, [P1], [RANGERS])
    assert spec.get_block_producer(hub, RANGERS, spec.L1BlockNumber(15)) == spec.METIS_DAO_ADDRESS
    assert spec.get_block_producer(hub, RANGERS, spec.L1BlockNumber(17)) == P1
    assert spec.get_block_producer(hub, CHAIN, spec.L1BlockNumber(17)) == spec.METIS_DAO_ADDRESS
    with pytest.raises(spec.UnknownL1Block):
        spec.get_block_producer(hub, RANGERS, spec.L1BlockNumber(24))
    with pytest.raises(spec.ProviderAlreadyRegistered):
        spec.register_compute_provider(hub, P1)


def test_provider_reward_known_answers() -> None:
    assert spec.compute_provider_reward(spec.uint64(8)) == 8 * 761_000 * 10**9
