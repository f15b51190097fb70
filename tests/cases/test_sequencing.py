"""Vector cases for sequencing (spec/v1/sequencing.md): the Dynamic Bond Threshold, eligibility, stakes and the FIFO
queue of deposits, the choice of each epoch's sequencer, and compute providers.

Expected values are worked out by hand from the chapter's rules, never by calling the function under test:

- DBT(S) = max(MIN_SEQUENCER_BOND, ceil(S / 10)). So a sequencer of stake s (not exiting, s >= the minimum bond)
  is eligible for a DAC of supply S exactly when S <= 10 * s — the rule used to work out every deposit outcome.
- Amounts are written in units of the preset's minimum bond B (20 MT minimal, 20,000 MT mainnet) and maximum lock
  M = 5B (100 MT, 100,000 MT), so one hand computation holds on both presets; the preset values are stated below
  and checked against the rendered module.
- Selection and provider assignment are pseudo-random. Their vectors are checked against laws that can be read off
  by hand (the only eligible sequencer is chosen; nobody eligible gives null; one provider serves every DAC; ...)
  and, as a cross-check only, against ``select_by_hand``/``shuffled_index_by_hand`` below: a from-scratch
  re-reading of the documented algorithm with eth-hash's keccak256 and plain integers, which imports nothing
  from the spec.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable, Iterator, Optional, Sequence

from eth_hash.auto import keccak as eth_keccak

from mvm_spec.vectors import expect_spec_error, vector_case
from mvm_spec.vectors.case import Part
from mvm_spec.vectors.codec import (
    encode_addresses,
    encode_bytes,
    encode_provider_assignments,
    encode_sequencer,
    encode_sequencing_state,
    encode_uint,
)

MT = 10**18
GWEI = 10**9
UINT256_MAX = 2**256 - 1


@dataclass(frozen=True)
class HandPreset:
    """The preset values these cases are worked out with (presets/*.yaml), checked against the rendered module."""

    bond: int  # MIN_SEQUENCER_BOND: B
    max_lock: int  # MAX_SEQUENCER_LOCK: M = 5B
    exit_delay: int  # SEQUENCER_EXIT_DELAY, seconds
    rounds: int  # SHUFFLE_ROUND_COUNT


HAND_PRESETS = {
    "minimal": HandPreset(bond=20 * MT, max_lock=100 * MT, exit_delay=60, rounds=10),
    "mainnet": HandPreset(bond=20_000 * MT, max_lock=100_000 * MT, exit_delay=21 * 24 * 3600, rounds=90),
}


def hand(spec: ModuleType) -> HandPreset:
    values = HAND_PRESETS[spec.__name__.rsplit(".", 1)[-1]]
    rendered = (spec.MIN_SEQUENCER_BOND, spec.MAX_SEQUENCER_LOCK, spec.SEQUENCER_EXIT_DELAY, spec.SHUFFLE_ROUND_COUNT)
    assert rendered == (values.bond, values.max_lock, values.exit_delay, values.rounds), "preset changed: redo by hand"
    assert values.max_lock == 5 * values.bond
    return values


ALICE = bytes.fromhex("a11ce00000000000000000000000000000000001")
BOB = bytes.fromhex("b0b0000000000000000000000000000000000002")
CAROL = bytes.fromhex("ca20100000000000000000000000000000000003")
DAVE = bytes.fromhex("da7e000000000000000000000000000000000004")
R1 = bytes.fromhex("1111111111111111111111111111111111111111")
R2 = bytes.fromhex("2222222222222222222222222222222222222222")
R3 = bytes.fromhex("3333333333333333333333333333333333333333")
P1 = bytes.fromhex("9000000000000000000000000000000000000001")
P2 = bytes.fromhex("9000000000000000000000000000000000000002")
P3 = bytes.fromhex("9000000000000000000000000000000000000003")
P4 = bytes.fromhex("9000000000000000000000000000000000000004")
P5 = bytes.fromhex("9000000000000000000000000000000000000005")
CHAIN = 1089
OTHER_CHAIN = 1090


def keccak(data: bytes) -> bytes:
    return bytes(eth_keccak(data))


RANDOMNESS = keccak(b"mvm-spec sequencing vectors: L1 randomness")
SEED = keccak(b"mvm-spec sequencing vectors: shuffle seed")

# --- building states ------------------------------------------------------------------------------------------


def sequencer(spec: ModuleType, address: bytes, locked: int, exit_requested_at: Optional[int] = None) -> Any:
    exit_at = None if exit_requested_at is None else spec.Timestamp(exit_requested_at)
    return spec.Sequencer(spec.Address(address), spec.Wei(locked), exit_at)


def dac(spec: ModuleType, chain_id: int, supply: int, *pending: tuple[bytes, int]) -> Any:
    deposits = tuple(spec.PendingDeposit(spec.Address(recipient), spec.Wei(amount)) for recipient, amount in pending)
    return spec.DacSupply(spec.ChainId(chain_id), spec.Wei(supply), deposits)


def state(spec: ModuleType, sequencers: Sequence[Any] = (), dacs: Sequence[Any] = ()) -> Any:
    return spec.SequencingState(tuple(sequencers), tuple(dacs))


# --- the independent cross-check of the documented selection algorithm ---------------------------------------------


def shuffled_index_by_hand(index: int, count: int, seed: bytes, rounds: int) -> int:
    """The chapter's swap-or-not shuffle, read afresh. Round r: pivot = the first 8 bytes of keccak(seed ++ r) as a
    little-endian number, mod count; position p pairs with (pivot - p) mod count; with t the larger of the pair, the
    pair swaps when bit (t mod 256) of keccak(seed ++ r ++ uint32_le(t // 256)), read as a little-endian number,
    is set."""
    for round_number in range(rounds):
        round_seed = seed + bytes([round_number])
        pivot = int.from_bytes(keccak(round_seed)[:8], "little") % count
        partner = (pivot - index) % count
        top = max(index, partner)
        bits = int.from_bytes(keccak(round_seed + (top // 256).to_bytes(4, "little")), "little")
        if (bits >> (top % 256)) & 1:
            index = partner
    return index


def selection_seed_by_hand(l1_randomness: bytes, chain_id: int, epoch: int) -> bytes:
    """keccak256(abi.encode(bytes32, uint256, uint256)): three 32-byte words, the integers big-endian."""
    return keccak(l1_randomness + chain_id.to_bytes(32, "big") + epoch.to_bytes(32, "big"))


def select_by_hand(candidates: Sequence[tuple[bytes, int]], seed: bytes, max_lock: int, rounds: int) -> bytes:
    """Attempt a = 0, 1, ...: candidate = position 0 of the shuffle seeded keccak(seed ++ uint256_be(a)); sample =
    the 16-bit little-endian word (a mod 16) of keccak(seed ++ uint64_le(a // 16)); accept when
    locked / max_lock >= sample / 65535."""
    for attempt in itertools.count():
        attempt_seed = keccak(seed + attempt.to_bytes(32, "big"))
        address, locked = candidates[shuffled_index_by_hand(0, len(candidates), attempt_seed, rounds)]
        word = keccak(seed + (attempt // 16).to_bytes(8, "little"))[2 * (attempt % 16) : 2 * (attempt % 16) + 2]
        if locked * 0xFFFF >= max_lock * int.from_bytes(word, "little"):
            return address
    raise AssertionError("unreachable")


def eligible_by_hand(
    sequencers: Sequence[tuple[bytes, int, Optional[int]]], supply: int, bond: int
) -> list[tuple[bytes, int]]:
    """Not exiting, at least the minimum bond, and supply <= 10 * stake (that is, ceil(supply / 10) <= stake)."""
    return [(a, s) for a, s, exit_at in sequencers if exit_at is None and s >= bond and supply <= 10 * s]


# --- dbt ---------------------------------------------------------------------------------------------------------


def expect_dbt(spec: ModuleType, supply: int, hand_computed: int) -> Iterator[Part]:
    yield "input", {"coinbase_supply": encode_uint(supply)}
    threshold = spec.compute_dynamic_bond_threshold(spec.Wei(supply))
    assert threshold == hand_computed, f"spec computed {threshold}, worked out by hand {hand_computed}"
    yield "output", {"threshold": encode_uint(threshold)}


@vector_case("dbt", "compute_dynamic_bond_threshold")
def test_zero_supply_is_the_minimum_bond(spec: ModuleType) -> Iterator[Part]:
    """An empty DAC: 10% of 0 is 0, so the floor MIN_SEQUENCER_BOND applies."""
    yield from expect_dbt(spec, 0, hand(spec).bond)


@vector_case("dbt", "compute_dynamic_bond_threshold")
def test_one_wei_supply(spec: ModuleType) -> Iterator[Part]:
    """1 wei: ceil(0.1) = 1 wei, far below the floor."""
    yield from expect_dbt(spec, 1, hand(spec).bond)


@vector_case("dbt", "compute_dynamic_bond_threshold")
def test_supply_of_1000_mt(spec: ModuleType) -> Iterator[Part]:
    """1,000 MT: 10% is 100 MT. Minimal (floor 20 MT): 100 MT. Mainnet (floor 20,000 MT): 20,000 MT."""
    by_preset = {"minimal": 100 * MT, "mainnet": 20_000 * MT}
    yield from expect_dbt(spec, 1000 * MT, by_preset[spec.__name__.rsplit(".", 1)[-1]])


@vector_case("dbt", "compute_dynamic_bond_threshold")
def test_supply_at_floor_crossover(spec: ModuleType) -> Iterator[Part]:
    """Supply 10B (200 MT minimal, 200,000 MT mainnet): 10% is exactly the floor B."""
    bond = hand(spec).bond
    yield from expect_dbt(spec, 10 * bond, bond)


@vector_case("dbt", "compute_dynamic_bond_threshold")
def test_one_wei_below_floor_crossover(spec: ModuleType) -> Iterator[Part]:
    """Supply 10B - 1: 10% is B - 0.1 wei, rounded up to B; the floor is B anyway."""
    bond = hand(spec).bond
    yield from expect_dbt(spec, 10 * bond - 1, bond)


@vector_case("dbt", "compute_dynamic_bond_threshold")
def test_one_wei_above_floor_crossover_rounds_up(spec: ModuleType) -> Iterator[Part]:
    """Supply 10B + 1: 10% is B + 0.1 wei, rounded UP to B + 1 (rounding down would give the floor B)."""
    bond = hand(spec).bond
    yield from expect_dbt(spec, 10 * bond + 1, bond + 1)


@vector_case("dbt", "compute_dynamic_bond_threshold")
def test_nine_wei_above_floor_crossover(spec: ModuleType) -> Iterator[Part]:
    """Supply 10B + 9: 10% is B + 0.9 wei, rounded up to B + 1."""
    bond = hand(spec).bond
    yield from expect_dbt(spec, 10 * bond + 9, bond + 1)


@vector_case("dbt", "compute_dynamic_bond_threshold")
def test_ten_wei_above_floor_crossover(spec: ModuleType) -> Iterator[Part]:
    """Supply 10B + 10: exactly B + 1, no rounding."""
    bond = hand(spec).bond
    yield from expect_dbt(spec, 10 * bond + 10, bond + 1)


@vector_case("dbt", "compute_dynamic_bond_threshold")
def test_eleven_wei_above_floor_crossover(spec: ModuleType) -> Iterator[Part]:
    """Supply 10B + 11: B + 1.1 wei, rounded up to B + 2."""
    bond = hand(spec).bond
    yield from expect_dbt(spec, 10 * bond + 11, bond + 2)


@vector_case("dbt", "compute_dynamic_bond_threshold")
def test_supply_not_divisible_by_ten(spec: ModuleType) -> Iterator[Part]:
    """300,000 MT + 3 wei: 30,000 MT + 0.3 wei, rounded up to 30,000 MT + 1 wei (above both floors)."""
    yield from expect_dbt(spec, 300_000 * MT + 3, 30_000 * MT + 1)


@vector_case("dbt", "compute_dynamic_bond_threshold")
def test_supply_with_remainder_below_basis_point(spec: ModuleType) -> Iterator[Part]:
    """12,345 wei above 300,000 MT: 1,234.5 wei rounds up to 1,235 (the remainder 5 is below one basis point of
    10,000 wei, so a client that only looks at whole basis points misses it)."""
    yield from expect_dbt(spec, 300_000 * MT + 12_345, 30_000 * MT + 1_235)


@vector_case("dbt", "compute_dynamic_bond_threshold")
def test_largest_supply(spec: ModuleType) -> Iterator[Part]:
    """2^256 - 1: 2^256 ends in 6, so 2^256 - 1 = 5 (mod 10) and ceil((2^256 - 1) / 10) = (2^256 + 4) / 10. A
    client multiplying by 1000 before dividing overflows uint256."""
    assert (2**256 + 4) % 10 == 0
    yield from expect_dbt(spec, UINT256_MAX, (2**256 + 4) // 10)


# --- eligibility -------------------------------------------------------------------------------------------------


def expect_eligible(spec: ModuleType, seq: Any, supply: int, hand_computed: bool) -> Iterator[Part]:
    yield "input", {"sequencer": encode_sequencer(seq), "coinbase_supply": encode_uint(supply)}
    eligible = spec.is_eligible_sequencer(seq, spec.compute_dynamic_bond_threshold(spec.Wei(supply)))
    assert eligible is hand_computed, f"spec says {eligible}, worked out by hand {hand_computed}"
    yield "output", {"eligible": eligible}


@vector_case("eligibility", "is_eligible_sequencer")
def test_stake_equal_to_dbt(spec: ModuleType) -> Iterator[Part]:
    """Supply 30B has DBT 3B; a stake of exactly 3B is enough."""
    bond = hand(spec).bond
    yield from expect_eligible(spec, sequencer(spec, ALICE, 3 * bond), 30 * bond, True)


@vector_case("eligibility", "is_eligible_sequencer")
def test_stake_one_wei_below_dbt(spec: ModuleType) -> Iterator[Part]:
    """Supply 30B has DBT 3B; 3B - 1 wei is not enough."""
    bond = hand(spec).bond
    yield from expect_eligible(spec, sequencer(spec, ALICE, 3 * bond - 1), 30 * bond, False)


@vector_case("eligibility", "is_eligible_sequencer")
def test_stake_short_by_the_rounded_up_wei(spec: ModuleType) -> Iterator[Part]:
    """Supply 30B + 1 has DBT 3B + 1 (rounded up); a stake of 3B falls one wei short."""
    bond = hand(spec).bond
    yield from expect_eligible(spec, sequencer(spec, ALICE, 3 * bond), 30 * bond + 1, False)


@vector_case("eligibility", "is_eligible_sequencer")
def test_minimum_bond_on_empty_dac(spec: ModuleType) -> Iterator[Part]:
    """An empty DAC's DBT is the minimum bond B; a stake of B qualifies."""
    bond = hand(spec).bond
    yield from expect_eligible(spec, sequencer(spec, ALICE, bond), 0, True)


@vector_case("eligibility", "is_eligible_sequencer")
def test_below_minimum_bond_on_empty_dac(spec: ModuleType) -> Iterator[Part]:
    """The floor holds for an empty DAC: B - 1 wei does not qualify even though 10% of 0 is 0."""
    bond = hand(spec).bond
    yield from expect_eligible(spec, sequencer(spec, ALICE, bond - 1), 0, False)


@vector_case("eligibility", "is_eligible_sequencer")
def test_exiting_sequencer(spec: ModuleType) -> Iterator[Part]:
    """A sequencer that asked to exit (at t = 1000) is eligible nowhere, even with the maximum stake."""
    yield from expect_eligible(spec, sequencer(spec, ALICE, hand(spec).max_lock, 1000), 0, False)


@vector_case("eligibility", "is_eligible_sequencer")
def test_exit_requested_at_time_zero(spec: ModuleType) -> Iterator[Part]:
    """An exit requested at t = 0 is still an exit: exit_requested_at is "0", not null."""
    yield from expect_eligible(spec, sequencer(spec, ALICE, hand(spec).max_lock, 0), 0, False)


@vector_case("eligibility", "is_eligible_sequencer")
def test_dbt_above_the_maximum_lock(spec: ModuleType) -> Iterator[Part]:
    """Supply 10M + 1 has DBT M + 1: no stake allowed by MAX_SEQUENCER_LOCK reaches it."""
    max_lock = hand(spec).max_lock
    yield from expect_eligible(spec, sequencer(spec, ALICE, max_lock), 10 * max_lock + 1, False)


# --- selection: compute_shuffled_index -----------------------------------------------------------------------------


def shuffle_input(index: int, count: int, seed: bytes) -> Part:
    return "input", {"index": index, "count": count, "seed": encode_bytes(seed)}


def expect_shuffled(
    spec: ModuleType, index: int, count: int, seed: bytes, known: Optional[int] = None
) -> Iterator[Part]:
    """The spec's answer must match the cross-check, and ``known`` when the answer is known by hand."""
    yield shuffle_input(index, count, seed)
    shuffled = spec.compute_shuffled_index(index, count, spec.Hash32(seed))
    assert shuffled == shuffled_index_by_hand(index, count, seed, hand(spec).rounds)
    if known is not None:
        assert shuffled == known
    assert 0 <= shuffled < count
    yield "output", {"shuffled_index": shuffled}


@vector_case("selection", "compute_shuffled_index")
def test_shuffle_of_one(spec: ModuleType) -> Iterator[Part]:
    """A permutation of one position leaves it in place."""
    yield from expect_shuffled(spec, 0, 1, SEED, known=0)


def pair_of(spec: ModuleType, seed: bytes) -> tuple[int, int]:
    return spec.compute_shuffled_index(0, 2, spec.Hash32(seed)), spec.compute_shuffled_index(1, 2, spec.Hash32(seed))


@vector_case("selection", "compute_shuffled_index")
def test_shuffle_of_two_index_0(spec: ModuleType) -> Iterator[Part]:
    """Two positions: 0 and 1 land on different positions (checked together with the next case)."""
    assert sorted(pair_of(spec, SEED)) == [0, 1]
    yield from expect_shuffled(spec, 0, 2, SEED)


@vector_case("selection", "compute_shuffled_index")
def test_shuffle_of_two_index_1(spec: ModuleType) -> Iterator[Part]:
    """Two positions: index 1."""
    yield from expect_shuffled(spec, 1, 2, SEED)


def make_shuffle_of_five(index: int) -> None:
    def body(spec: ModuleType) -> Iterator[Part]:
        whole = [spec.compute_shuffled_index(i, 5, spec.Hash32(SEED)) for i in range(5)]
        assert sorted(whole) == [0, 1, 2, 3, 4], f"not a permutation: {whole}"
        yield from expect_shuffled(spec, index, 5, SEED)

    body.__name__ = f"test_shuffle_of_five_index_{index}"
    body.__doc__ = f"Five positions, index {index}: the five vectors of this seed together form a permutation of 0..4."
    globals()[body.__name__] = vector_case("selection", "compute_shuffled_index")(body)


for _index in range(5):
    make_shuffle_of_five(_index)


@vector_case("selection", "compute_shuffled_index")
def test_shuffle_of_1000_last_index(spec: ModuleType) -> Iterator[Part]:
    """1000 positions, index 999: the positions span four 256-bit chunks of round bits."""
    yield from expect_shuffled(spec, 999, 1000, SEED)


@vector_case("selection", "compute_shuffled_index")
def test_shuffle_of_1000_other_seed(spec: ModuleType) -> Iterator[Part]:
    """1000 positions, index 300, another seed."""
    yield from expect_shuffled(spec, 300, 1000, keccak(SEED))


@vector_case("selection", "compute_shuffled_index")
def test_shuffle_largest_four_byte_chunk(spec: ModuleType) -> Iterator[Part]:
    """count = 2^40, index 2^40 - 1: the chunk number position // 256 reaches 2^32 - 1, the largest the 4-byte
    little-endian chunk field holds; the pivot is the low 8 bytes (little-endian) of the round hash mod 2^40."""
    yield from expect_shuffled(spec, 2**40 - 1, 2**40, SEED)


@vector_case("selection", "compute_shuffled_index")
def test_shuffle_index_equal_to_count(spec: ModuleType) -> Iterator[Part]:
    """index = count is one past the end."""
    yield shuffle_input(5, 5, SEED)
    yield from expect_spec_error(spec, "ShuffleIndexOutOfRange", lambda: spec.compute_shuffled_index(5, 5, SEED))


@vector_case("selection", "compute_shuffled_index")
def test_shuffle_index_far_above_count(spec: ModuleType) -> Iterator[Part]:
    """index 1000 of 3 positions."""
    yield shuffle_input(1000, 3, SEED)
    yield from expect_spec_error(spec, "ShuffleIndexOutOfRange", lambda: spec.compute_shuffled_index(1000, 3, SEED))


@vector_case("selection", "compute_shuffled_index")
def test_shuffle_of_nothing(spec: ModuleType) -> Iterator[Part]:
    """count 0: no index is valid (and no pivot can be taken mod 0)."""
    yield shuffle_input(0, 0, SEED)
    yield from expect_spec_error(spec, "ShuffleIndexOutOfRange", lambda: spec.compute_shuffled_index(0, 0, SEED))


# --- selection: select_epoch_sequencer -----------------------------------------------------------------------------


def percent_of_max(spec: ModuleType, percent: int) -> int:
    return hand(spec).max_lock * percent // 100


def weighted_pool(spec: ModuleType) -> list[Any]:
    """Four active sequencers staking 20%, 35%, 60% and 100% of the maximum lock (20/35/60/100 MT minimal)."""
    stakes = [(ALICE, 20), (BOB, 35), (CAROL, 60), (DAVE, 100)]
    return [sequencer(spec, address, percent_of_max(spec, percent)) for address, percent in stakes]


def expect_selected(
    spec: ModuleType,
    pre: Any,
    chain_id: int,
    epoch: int,
    known: Optional[bytes] = None,
    unsequenced: bool = False,
    l1_randomness: bytes = RANDOMNESS,
) -> Iterator[Part]:
    """The spec's choice must be eligible by hand and match the cross-check; it must be ``known`` when that is
    given, and null exactly when nobody is eligible by hand (``unsequenced`` says a case expects that)."""
    yield "pre", encode_sequencing_state(pre)
    yield "input", {
        "chain_id": encode_uint(chain_id),
        "epoch": encode_uint(epoch),
        "l1_randomness": encode_bytes(l1_randomness),
    }
    chosen = spec.select_epoch_sequencer(pre, spec.ChainId(chain_id), spec.Epoch(epoch), spec.Hash32(l1_randomness))
    supply = next(item.coinbase_supply for item in pre.dacs if item.chain_id == chain_id)
    pool = [(bytes(s.address), int(s.locked), s.exit_requested_at) for s in pre.sequencers]
    eligible = eligible_by_hand(pool, int(supply), hand(spec).bond)
    if not eligible:
        assert chosen is None, "nobody is eligible, yet the spec chose a sequencer"
    else:
        seed = selection_seed_by_hand(l1_randomness, chain_id, epoch)
        by_hand = select_by_hand(eligible, seed, hand(spec).max_lock, hand(spec).rounds)
        assert chosen is not None and bytes(chosen.address) in {address for address, _ in eligible}
        assert chosen.address == by_hand, f"spec chose {chosen.address.hex()}, cross-check {by_hand.hex()}"
    assert unsequenced == (not eligible), "the case's expectation disagrees with the eligibility worked out by hand"
    if known is not None:
        assert chosen is not None and chosen.address == known
    yield "output", {"sequencer": None if chosen is None else encode_bytes(chosen.address)}


def make_weighted_epoch(epoch: int) -> None:
    def body(spec: ModuleType) -> Iterator[Part]:
        pre = state(spec, weighted_pool(spec), [dac(spec, CHAIN, 0)])
        yield from expect_selected(spec, pre, CHAIN, epoch)

    body.__name__ = f"test_weighted_pool_epoch_{epoch:02d}"
    body.__doc__ = (
        f"Epoch {epoch} of an empty DAC (DBT = B) sequenced by four sequencers staking 20/35/60/100% of the maximum "
        "lock: the choice is stake-proportional, so a client that picks uniformly among eligible sequencers fails "
        "some of epochs 0-19."
    )
    globals()[body.__name__] = vector_case("selection", "select_epoch_sequencer")(body)


for _epoch in range(20):
    make_weighted_epoch(_epoch)


def make_threshold_epoch(epoch: int) -> None:
    def body(spec: ModuleType) -> Iterator[Part]:
        half = percent_of_max(spec, 50)
        pre = state(spec, weighted_pool(spec), [dac(spec, CHAIN, 10 * half)])
        yield from expect_selected(spec, pre, CHAIN, epoch)

    body.__name__ = f"test_dbt_excludes_small_stakes_epoch_{epoch}"
    body.__doc__ = (
        f"Epoch {epoch}, supply 10 x 50% of the maximum lock: DBT is half the maximum lock, so only the 60% and 100% "
        "sequencers (Carol, Dave) are eligible."
    )
    globals()[body.__name__] = vector_case("selection", "select_epoch_sequencer")(body)


for _epoch in range(5):
    make_threshold_epoch(_epoch)


@vector_case("selection", "select_epoch_sequencer")
def test_only_eligible_sequencer_at_maximum_stake(spec: ModuleType) -> Iterator[Part]:
    """Dave (maximum stake) is the only eligible sequencer: Alice and Bob are below the DBT of supply 10 x 60%,
    Carol has asked to exit. Acceptance at the maximum stake is certain, so Dave is chosen."""
    pool = [
        sequencer(spec, ALICE, percent_of_max(spec, 20)),
        sequencer(spec, BOB, percent_of_max(spec, 35)),
        sequencer(spec, CAROL, hand(spec).max_lock, 5),
        sequencer(spec, DAVE, hand(spec).max_lock),
    ]
    pre = state(spec, pool, [dac(spec, CHAIN, 10 * percent_of_max(spec, 60))])
    yield from expect_selected(spec, pre, CHAIN, 7, known=DAVE)


@vector_case("selection", "select_epoch_sequencer")
def test_only_eligible_sequencer_at_minimum_bond(spec: ModuleType) -> Iterator[Part]:
    """Alice, at the minimum bond, is the only active sequencer (the others have asked to exit): she is chosen,
    however many attempts her 20% acceptance takes."""
    max_lock = hand(spec).max_lock
    pool = [
        sequencer(spec, DAVE, max_lock, 100),
        sequencer(spec, ALICE, hand(spec).bond),
        sequencer(spec, BOB, max_lock, 0),
    ]
    pre = state(spec, pool, [dac(spec, CHAIN, 0)])
    yield from expect_selected(spec, pre, CHAIN, 3, known=ALICE)


@vector_case("selection", "select_epoch_sequencer")
def test_unsequenced_with_empty_pool(spec: ModuleType) -> Iterator[Part]:
    """No sequencer at all: the DAC is unsequenced (null)."""
    yield from expect_selected(spec, state(spec, [], [dac(spec, CHAIN, 0)]), CHAIN, 0, unsequenced=True)


@vector_case("selection", "select_epoch_sequencer")
def test_unsequenced_when_everyone_exits(spec: ModuleType) -> Iterator[Part]:
    """Every sequencer has asked to exit: unsequenced."""
    pool = [sequencer(spec, ALICE, hand(spec).max_lock, 10), sequencer(spec, BOB, hand(spec).bond, 0)]
    yield from expect_selected(spec, state(spec, pool, [dac(spec, CHAIN, 0)]), CHAIN, 1, unsequenced=True)


@vector_case("selection", "select_epoch_sequencer")
def test_unsequenced_when_dbt_above_every_stake(spec: ModuleType) -> Iterator[Part]:
    """Supply 10M + 1 puts the DBT at M + 1, above every stake (even the maximum lock): unsequenced."""
    pre = state(spec, weighted_pool(spec), [dac(spec, CHAIN, 10 * hand(spec).max_lock + 1)])
    yield from expect_selected(spec, pre, CHAIN, 2, unsequenced=True)


@vector_case("selection", "select_epoch_sequencer")
def test_selection_uses_the_asked_dacs_supply(spec: ModuleType) -> Iterator[Part]:
    """Two DACs: 1089 is empty (everyone eligible), 1090 has DBT M + 1 (nobody). Asked about 1090: unsequenced."""
    dacs = [dac(spec, CHAIN, 0), dac(spec, OTHER_CHAIN, 10 * hand(spec).max_lock + 1)]
    yield from expect_selected(spec, state(spec, weighted_pool(spec), dacs), OTHER_CHAIN, 2, unsequenced=True)


@vector_case("selection", "select_epoch_sequencer")
def test_selection_for_second_dac(spec: ModuleType) -> Iterator[Part]:
    """Two DACs; asked about 1090 (empty): the chain id enters the seed, so this is not epoch 4 of 1089's draw."""
    dacs = [dac(spec, CHAIN, 10 * hand(spec).max_lock + 1), dac(spec, OTHER_CHAIN, 0)]
    yield from expect_selected(spec, state(spec, weighted_pool(spec), dacs), OTHER_CHAIN, 4)


@vector_case("selection", "select_epoch_sequencer")
def test_selection_at_largest_epoch(spec: ModuleType) -> Iterator[Part]:
    """Epoch 2^64 - 1, other L1 randomness: the seed encodes the epoch as a full uint256 word."""
    pre = state(spec, weighted_pool(spec), [dac(spec, CHAIN, 0)])
    yield from expect_selected(spec, pre, CHAIN, 2**64 - 1, l1_randomness=keccak(RANDOMNESS))


@vector_case("selection", "select_epoch_sequencer")
def test_selection_for_unknown_chain(spec: ModuleType) -> Iterator[Part]:
    """No DAC 1090 is tracked."""
    pre = state(spec, weighted_pool(spec), [dac(spec, CHAIN, 0)])
    yield "pre", encode_sequencing_state(pre)
    yield "input", {"chain_id": encode_uint(OTHER_CHAIN), "epoch": "0", "l1_randomness": encode_bytes(RANDOMNESS)}
    yield from expect_spec_error(
        spec,
        "UnknownChainId",
        lambda: spec.select_epoch_sequencer(pre, spec.ChainId(OTHER_CHAIN), spec.Epoch(0), spec.Hash32(RANDOMNESS)),
    )


# --- deposits: one operation per vector --------------------------------------------------------------------------

Operation = tuple[str, dict[str, Any]]


def op_register(address: bytes, amount: int) -> Operation:
    return "register_sequencer", {"address": encode_bytes(address), "amount": encode_uint(amount)}


def op_increase(address: bytes, amount: int) -> Operation:
    return "increase_sequencer_lock", {"address": encode_bytes(address), "amount": encode_uint(amount)}


def op_exit(address: bytes, now: int) -> Operation:
    return "request_sequencer_exit", {"address": encode_bytes(address), "now": encode_uint(now)}


def op_withdraw_stake(address: bytes, now: int) -> Operation:
    return "withdraw_sequencer_stake", {"address": encode_bytes(address), "now": encode_uint(now)}


def op_deposit(chain_id: int, recipient: bytes, amount: int) -> Operation:
    args = {"chain_id": encode_uint(chain_id), "recipient": encode_bytes(recipient), "amount": encode_uint(amount)}
    return "deposit_into_dac", args


def op_withdraw(chain_id: int, amount: int) -> Operation:
    return "withdraw_from_dac", {"chain_id": encode_uint(chain_id), "amount": encode_uint(amount)}


def op_add_dac(chain_id: int) -> Operation:
    return "add_dac_supply", {"chain_id": encode_uint(chain_id)}


def op_slash(address: bytes, ratio_bps: int) -> Operation:
    return "slash_sequencer", {"address": encode_bytes(address), "slash_ratio_bps": ratio_bps}


def run_operation(spec: ModuleType, pre: Any, operation: Operation) -> Any:
    """Call the spec function an operation names (its result: a state, or a tuple starting with one)."""
    name, args = operation
    address = spec.Address(bytes.fromhex(args.get("address", "0x" + "00" * 20)[2:]))
    amount = spec.Wei(int(args.get("amount", "0")))
    now = spec.Timestamp(int(args.get("now", "0")))
    chain_id = spec.ChainId(int(args.get("chain_id", "0")))
    calls: dict[str, Callable[[], Any]] = {
        "register_sequencer": lambda: spec.register_sequencer(pre, address, amount),
        "increase_sequencer_lock": lambda: spec.increase_sequencer_lock(pre, address, amount),
        "request_sequencer_exit": lambda: spec.request_sequencer_exit(pre, address, now),
        "withdraw_sequencer_stake": lambda: spec.withdraw_sequencer_stake(pre, address, now),
        "deposit_into_dac": lambda: spec.deposit_into_dac(
            pre, chain_id, spec.Address(bytes.fromhex(args.get("recipient", "0x")[2:])), amount
        ),
        "withdraw_from_dac": lambda: spec.withdraw_from_dac(pre, chain_id, amount),
        "add_dac_supply": lambda: spec.add_dac_supply(pre, chain_id),
        "slash_sequencer": lambda: spec.slash_sequencer(pre, address, spec.BasisPoints(args.get("slash_ratio_bps", 0))),
    }
    return calls[name]()


def expect_post(spec: ModuleType, pre: Any, operation: Operation, hand_post: Any, *amounts: int) -> Iterator[Part]:
    """One operation; its post-state (and, for withdraw/slash, the amounts it returns) must equal the hand-built
    ones."""
    yield "pre", encode_sequencing_state(pre)
    yield "input", operation[1]
    result = run_operation(spec, pre, operation)
    post, *returned = result if isinstance(result, tuple) else (result,)
    assert post == hand_post, f"spec post-state {post}\nbuilt by hand   {hand_post}"
    assert returned == list(amounts), f"spec returned {returned}, worked out by hand {list(amounts)}"
    encoded = encode_sequencing_state(post)
    if operation[0] == "withdraw_sequencer_stake":
        yield "post", {"state": encoded, "released": encode_uint(returned[0])}
    elif operation[0] == "slash_sequencer":
        yield "post", {"state": encoded, "slashed": encode_uint(returned[0]), "released": encode_uint(returned[1])}
    else:
        yield "post", encoded


def expect_rejected(spec: ModuleType, pre: Any, operation: Operation, error: str) -> Iterator[Part]:
    yield "pre", encode_sequencing_state(pre)
    yield "input", operation[1]
    yield from expect_spec_error(spec, error, lambda: run_operation(spec, pre, operation))


# register_sequencer


@vector_case("deposits", "register_sequencer")
def test_register_first_sequencer(spec: ModuleType) -> Iterator[Part]:
    """Alice locks the minimum bond B into an empty pool."""
    bond = hand(spec).bond
    pre = state(spec, [], [dac(spec, CHAIN, 0)])
    post = state(spec, [sequencer(spec, ALICE, bond)], [dac(spec, CHAIN, 0)])
    yield from expect_post(spec, pre, op_register(ALICE, bond), post)


@vector_case("deposits", "register_sequencer")
def test_register_at_maximum_lock(spec: ModuleType) -> Iterator[Part]:
    """Locking exactly MAX_SEQUENCER_LOCK is allowed."""
    max_lock = hand(spec).max_lock
    post = state(spec, [sequencer(spec, ALICE, max_lock)], [])
    yield from expect_post(spec, state(spec), op_register(ALICE, max_lock), post)


@vector_case("deposits", "register_sequencer")
def test_register_keeps_registration_order(spec: ModuleType) -> Iterator[Part]:
    """Bob registered first; Alice joins behind him (the pool is in registration order, not address order)."""
    bond = hand(spec).bond
    pre = state(spec, [sequencer(spec, BOB, 2 * bond)], [])
    post = state(spec, [sequencer(spec, BOB, 2 * bond), sequencer(spec, ALICE, bond)], [])
    yield from expect_post(spec, pre, op_register(ALICE, bond), post)


@vector_case("deposits", "register_sequencer")
def test_register_below_minimum(spec: ModuleType) -> Iterator[Part]:
    """B - 1 wei is less than MIN_SEQUENCER_BOND."""
    yield from expect_rejected(spec, state(spec), op_register(ALICE, hand(spec).bond - 1), "LockBelowMinimum")


@vector_case("deposits", "register_sequencer")
def test_register_above_maximum(spec: ModuleType) -> Iterator[Part]:
    """M + 1 wei is more than MAX_SEQUENCER_LOCK."""
    yield from expect_rejected(spec, state(spec), op_register(ALICE, hand(spec).max_lock + 1), "LockAboveMaximum")


@vector_case("deposits", "register_sequencer")
def test_register_twice(spec: ModuleType) -> Iterator[Part]:
    """Alice is already in the pool."""
    bond = hand(spec).bond
    pre = state(spec, [sequencer(spec, ALICE, bond)], [])
    yield from expect_rejected(spec, pre, op_register(ALICE, bond), "SequencerAlreadyRegistered")


@vector_case("deposits", "register_sequencer")
def test_register_twice_checked_before_amount(spec: ModuleType) -> Iterator[Part]:
    """Alice, already registered (and exiting), registers again below the minimum: the duplicate check comes first."""
    bond = hand(spec).bond
    pre = state(spec, [sequencer(spec, ALICE, bond, 50)], [])
    yield from expect_rejected(spec, pre, op_register(ALICE, bond - 1), "SequencerAlreadyRegistered")


@vector_case("deposits", "register_sequencer")
def test_register_applies_queued_deposits_of_every_dac(spec: ModuleType) -> Iterator[Part]:
    """No sequencer yet, so deposits wait: 1089 holds [3B], 1090 holds [2B, 10B]. Alice registers with B, which
    serves supplies up to 10B: 1089 takes 3B; 1090 takes 2B, then 2B + 10B = 12B > 10B stops the queue."""
    bond = hand(spec).bond
    pre = state(
        spec, [], [dac(spec, CHAIN, 0, (R1, 3 * bond)), dac(spec, OTHER_CHAIN, 0, (R2, 2 * bond), (R3, 10 * bond))]
    )
    post = state(
        spec,
        [sequencer(spec, ALICE, bond)],
        [dac(spec, CHAIN, 3 * bond), dac(spec, OTHER_CHAIN, 2 * bond, (R3, 10 * bond))],
    )
    yield from expect_post(spec, pre, op_register(ALICE, bond), post)


# increase_sequencer_lock


@vector_case("deposits", "increase_sequencer_lock")
def test_increase_lock(spec: ModuleType) -> Iterator[Part]:
    """Alice's B becomes 2B."""
    bond = hand(spec).bond
    pre = state(spec, [sequencer(spec, ALICE, bond)], [])
    yield from expect_post(spec, pre, op_increase(ALICE, bond), state(spec, [sequencer(spec, ALICE, 2 * bond)], []))


@vector_case("deposits", "increase_sequencer_lock")
def test_increase_lock_to_exactly_maximum(spec: ModuleType) -> Iterator[Part]:
    """B + (M - B) = M: allowed."""
    bond, max_lock = hand(spec).bond, hand(spec).max_lock
    pre = state(spec, [sequencer(spec, ALICE, bond)], [])
    post = state(spec, [sequencer(spec, ALICE, max_lock)], [])
    yield from expect_post(spec, pre, op_increase(ALICE, max_lock - bond), post)


@vector_case("deposits", "increase_sequencer_lock")
def test_increase_lock_above_maximum(spec: ModuleType) -> Iterator[Part]:
    """B + (M - B + 1) = M + 1 wei: too much."""
    bond, max_lock = hand(spec).bond, hand(spec).max_lock
    pre = state(spec, [sequencer(spec, ALICE, bond)], [])
    yield from expect_rejected(spec, pre, op_increase(ALICE, max_lock - bond + 1), "LockAboveMaximum")


@vector_case("deposits", "increase_sequencer_lock")
def test_increase_lock_of_unknown_sequencer(spec: ModuleType) -> Iterator[Part]:
    """Bob is not in the pool."""
    bond = hand(spec).bond
    pre = state(spec, [sequencer(spec, ALICE, bond)], [])
    yield from expect_rejected(spec, pre, op_increase(BOB, bond), "UnknownSequencer")


@vector_case("deposits", "increase_sequencer_lock")
def test_increase_lock_while_exiting(spec: ModuleType) -> Iterator[Part]:
    """Alice asked to exit: she may not add stake (even an amount that would also break the maximum)."""
    bond, max_lock = hand(spec).bond, hand(spec).max_lock
    pre = state(spec, [sequencer(spec, ALICE, bond, 10)], [])
    yield from expect_rejected(spec, pre, op_increase(ALICE, max_lock), "SequencerExiting")


@vector_case("deposits", "increase_sequencer_lock")
def test_increase_lock_applies_queued_deposits(spec: ModuleType) -> Iterator[Part]:
    """Alice (B) serves supplies up to 10B; 1089 has 8B and queues [5B, 1B]. With 2B she serves up to 20B:
    8B + 5B = 13B, then 14B, both applied in order."""
    bond = hand(spec).bond
    pre = state(spec, [sequencer(spec, ALICE, bond)], [dac(spec, CHAIN, 8 * bond, (R1, 5 * bond), (R2, bond))])
    post = state(spec, [sequencer(spec, ALICE, 2 * bond)], [dac(spec, CHAIN, 14 * bond)])
    yield from expect_post(spec, pre, op_increase(ALICE, bond), post)


# request_sequencer_exit


@vector_case("deposits", "request_sequencer_exit")
def test_request_exit(spec: ModuleType) -> Iterator[Part]:
    """Alice asks to exit at t = 1000; her DAC keeps its supply even though nobody can sequence it now."""
    bond = hand(spec).bond
    pre = state(spec, [sequencer(spec, ALICE, bond)], [dac(spec, CHAIN, 5 * bond)])
    post = state(spec, [sequencer(spec, ALICE, bond, 1000)], [dac(spec, CHAIN, 5 * bond)])
    yield from expect_post(spec, pre, op_exit(ALICE, 1000), post)


@vector_case("deposits", "request_sequencer_exit")
def test_request_exit_at_time_zero(spec: ModuleType) -> Iterator[Part]:
    """An exit at t = 0 is recorded as "0", not as null."""
    bond = hand(spec).bond
    pre = state(spec, [sequencer(spec, ALICE, bond)], [])
    yield from expect_post(spec, pre, op_exit(ALICE, 0), state(spec, [sequencer(spec, ALICE, bond, 0)], []))


@vector_case("deposits", "request_sequencer_exit")
def test_request_exit_twice(spec: ModuleType) -> Iterator[Part]:
    """Alice already asked to exit at t = 0."""
    pre = state(spec, [sequencer(spec, ALICE, hand(spec).bond, 0)], [])
    yield from expect_rejected(spec, pre, op_exit(ALICE, 500), "SequencerExiting")


@vector_case("deposits", "request_sequencer_exit")
def test_request_exit_of_unknown_sequencer(spec: ModuleType) -> Iterator[Part]:
    """Bob is not in the pool."""
    pre = state(spec, [sequencer(spec, ALICE, hand(spec).bond)], [])
    yield from expect_rejected(spec, pre, op_exit(BOB, 500), "UnknownSequencer")


# withdraw_sequencer_stake


@vector_case("deposits", "withdraw_sequencer_stake")
def test_withdraw_stake_exactly_at_exit_delay(spec: ModuleType) -> Iterator[Part]:
    """Exit at t = 1000; at 1000 + SEQUENCER_EXIT_DELAY (60 s minimal, 21 days mainnet) Alice leaves with her 3B."""
    values = hand(spec)
    pre = state(spec, [sequencer(spec, ALICE, 3 * values.bond, 1000)], [dac(spec, CHAIN, 0)])
    post = state(spec, [], [dac(spec, CHAIN, 0)])
    yield from expect_post(spec, pre, op_withdraw_stake(ALICE, 1000 + values.exit_delay), post, 3 * values.bond)


@vector_case("deposits", "withdraw_sequencer_stake")
def test_withdraw_stake_one_second_early(spec: ModuleType) -> Iterator[Part]:
    """Exit at t = 1000; at 1000 + SEQUENCER_EXIT_DELAY - 1 the delay has not passed."""
    values = hand(spec)
    pre = state(spec, [sequencer(spec, ALICE, 3 * values.bond, 1000)], [])
    yield from expect_rejected(spec, pre, op_withdraw_stake(ALICE, 1000 + values.exit_delay - 1), "ExitDelayNotElapsed")


@vector_case("deposits", "withdraw_sequencer_stake")
def test_withdraw_stake_after_exit_at_time_zero(spec: ModuleType) -> Iterator[Part]:
    """Exit at t = 0 (not null): withdrawable at t = SEQUENCER_EXIT_DELAY."""
    values = hand(spec)
    pre = state(spec, [sequencer(spec, ALICE, values.bond, 0)], [])
    yield from expect_post(spec, pre, op_withdraw_stake(ALICE, values.exit_delay), state(spec), values.bond)


@vector_case("deposits", "withdraw_sequencer_stake")
def test_withdraw_stake_keeps_the_others_in_order(spec: ModuleType) -> Iterator[Part]:
    """Bob, in the middle of the pool, leaves; Alice and Carol keep their order."""
    values = hand(spec)
    pool = [
        sequencer(spec, ALICE, values.bond),
        sequencer(spec, BOB, 2 * values.bond, 7),
        sequencer(spec, CAROL, values.max_lock),
    ]
    post = state(spec, [pool[0], pool[2]], [])
    yield from expect_post(
        spec, state(spec, pool, []), op_withdraw_stake(BOB, 7 + values.exit_delay + 1), post, 2 * values.bond
    )


@vector_case("deposits", "withdraw_sequencer_stake")
def test_withdraw_stake_without_exit(spec: ModuleType) -> Iterator[Part]:
    """Alice never asked to exit."""
    pre = state(spec, [sequencer(spec, ALICE, hand(spec).bond)], [])
    yield from expect_rejected(spec, pre, op_withdraw_stake(ALICE, 10**9), "SequencerNotExiting")


@vector_case("deposits", "withdraw_sequencer_stake")
def test_withdraw_stake_of_unknown_sequencer(spec: ModuleType) -> Iterator[Part]:
    """Bob is not in the pool."""
    pre = state(spec, [sequencer(spec, ALICE, hand(spec).bond, 0)], [])
    yield from expect_rejected(spec, pre, op_withdraw_stake(BOB, 10**9), "UnknownSequencer")


# deposit_into_dac


@vector_case("deposits", "deposit_into_dac")
def test_deposit_applied(spec: ModuleType) -> Iterator[Part]:
    """Alice (B) serves up to 10B: a 3B deposit into an empty DAC is applied at once."""
    bond = hand(spec).bond
    pre = state(spec, [sequencer(spec, ALICE, bond)], [dac(spec, CHAIN, 0)])
    post = state(spec, [sequencer(spec, ALICE, bond)], [dac(spec, CHAIN, 3 * bond)])
    yield from expect_post(spec, pre, op_deposit(CHAIN, R1, 3 * bond), post)


@vector_case("deposits", "deposit_into_dac")
def test_deposit_waits_without_sequencers(spec: ModuleType) -> Iterator[Part]:
    """No sequencer: the deposit is queued, the supply stays 0."""
    bond = hand(spec).bond
    pre = state(spec, [], [dac(spec, CHAIN, 0)])
    yield from expect_post(
        spec, pre, op_deposit(CHAIN, R1, 3 * bond), state(spec, [], [dac(spec, CHAIN, 0, (R1, 3 * bond))])
    )


@vector_case("deposits", "deposit_into_dac")
def test_deposit_up_to_the_boundary(spec: ModuleType) -> Iterator[Part]:
    """A 10B deposit makes the DBT exactly B, Alice's stake: applied."""
    bond = hand(spec).bond
    pre = state(spec, [sequencer(spec, ALICE, bond)], [dac(spec, CHAIN, 0)])
    post = state(spec, [sequencer(spec, ALICE, bond)], [dac(spec, CHAIN, 10 * bond)])
    yield from expect_post(spec, pre, op_deposit(CHAIN, R1, 10 * bond), post)


@vector_case("deposits", "deposit_into_dac")
def test_deposit_one_wei_over_the_boundary(spec: ModuleType) -> Iterator[Part]:
    """10B + 1 wei would make the DBT B + 1 (rounded up), above Alice's B: queued."""
    bond = hand(spec).bond
    pre = state(spec, [sequencer(spec, ALICE, bond)], [dac(spec, CHAIN, 0)])
    post = state(spec, [sequencer(spec, ALICE, bond)], [dac(spec, CHAIN, 0, (R1, 10 * bond + 1))])
    yield from expect_post(spec, pre, op_deposit(CHAIN, R1, 10 * bond + 1), post)


@vector_case("deposits", "deposit_into_dac")
def test_small_deposit_behind_blocked_one_stays_queued(spec: ModuleType) -> Iterator[Part]:
    """Supply 8B, queue [5B] (13B > 10B). A 1B deposit alone would fit (9B), but it may not overtake: queued."""
    bond = hand(spec).bond
    pool = [sequencer(spec, ALICE, bond)]
    pre = state(spec, pool, [dac(spec, CHAIN, 8 * bond, (R1, 5 * bond))])
    post = state(spec, pool, [dac(spec, CHAIN, 8 * bond, (R1, 5 * bond), (R2, bond))])
    yield from expect_post(spec, pre, op_deposit(CHAIN, R2, bond), post)


@vector_case("deposits", "deposit_into_dac")
def test_deposit_ignores_exiting_sequencer(spec: ModuleType) -> Iterator[Part]:
    """Alice (maximum stake) asked to exit, so even 1 wei must wait."""
    pool = [sequencer(spec, ALICE, hand(spec).max_lock, 3)]
    pre = state(spec, pool, [dac(spec, CHAIN, 0)])
    yield from expect_post(spec, pre, op_deposit(CHAIN, R1, 1), state(spec, pool, [dac(spec, CHAIN, 0, (R1, 1))]))


@vector_case("deposits", "deposit_into_dac")
def test_zero_deposit(spec: ModuleType) -> Iterator[Part]:
    """A deposit of nothing."""
    pre = state(spec, [sequencer(spec, ALICE, hand(spec).bond)], [dac(spec, CHAIN, 0)])
    yield from expect_rejected(spec, pre, op_deposit(CHAIN, R1, 0), "ZeroDeposit")


@vector_case("deposits", "deposit_into_dac")
def test_zero_deposit_checked_before_chain(spec: ModuleType) -> Iterator[Part]:
    """A deposit of nothing into an unknown DAC: the amount is checked first."""
    yield from expect_rejected(
        spec, state(spec, [], [dac(spec, CHAIN, 0)]), op_deposit(OTHER_CHAIN, R1, 0), "ZeroDeposit"
    )


@vector_case("deposits", "deposit_into_dac")
def test_deposit_into_unknown_dac(spec: ModuleType) -> Iterator[Part]:
    """No DAC 1090 is tracked."""
    pre = state(spec, [], [dac(spec, CHAIN, 0)])
    yield from expect_rejected(spec, pre, op_deposit(OTHER_CHAIN, R1, 1), "UnknownChainId")


# withdraw_from_dac


@vector_case("deposits", "withdraw_from_dac")
def test_withdraw_part_of_supply(spec: ModuleType) -> Iterator[Part]:
    """5B - 2B = 3B."""
    bond = hand(spec).bond
    pool = [sequencer(spec, ALICE, bond)]
    pre = state(spec, pool, [dac(spec, CHAIN, 5 * bond)])
    yield from expect_post(spec, pre, op_withdraw(CHAIN, 2 * bond), state(spec, pool, [dac(spec, CHAIN, 3 * bond)]))


@vector_case("deposits", "withdraw_from_dac")
def test_withdraw_whole_supply(spec: ModuleType) -> Iterator[Part]:
    """Withdrawing all 5B leaves 0 (no sequencer is needed to withdraw)."""
    bond = hand(spec).bond
    pre = state(spec, [], [dac(spec, CHAIN, 5 * bond)])
    yield from expect_post(spec, pre, op_withdraw(CHAIN, 5 * bond), state(spec, [], [dac(spec, CHAIN, 0)]))


@vector_case("deposits", "withdraw_from_dac")
def test_withdraw_nothing(spec: ModuleType) -> Iterator[Part]:
    """Withdrawing 0 is refused, as a zero deposit is."""
    bond = hand(spec).bond
    pre = state(spec, [], [dac(spec, CHAIN, 5 * bond)])
    yield from expect_rejected(spec, pre, op_withdraw(CHAIN, 0), "ZeroWithdrawal")


@vector_case("deposits", "withdraw_from_dac")
def test_withdraw_more_than_supply(spec: ModuleType) -> Iterator[Part]:
    """5B + 1 wei out of 5B."""
    bond = hand(spec).bond
    pre = state(spec, [], [dac(spec, CHAIN, 5 * bond)])
    yield from expect_rejected(spec, pre, op_withdraw(CHAIN, 5 * bond + 1), "InsufficientCoinbaseSupply")


@vector_case("deposits", "withdraw_from_dac")
def test_withdraw_from_unknown_dac(spec: ModuleType) -> Iterator[Part]:
    """No DAC 1090 is tracked."""
    yield from expect_rejected(
        spec, state(spec, [], [dac(spec, CHAIN, 0)]), op_withdraw(OTHER_CHAIN, 1), "UnknownChainId"
    )


@vector_case("deposits", "withdraw_from_dac")
def test_withdraw_lowering_dbt_releases_queued_deposits(spec: ModuleType) -> Iterator[Part]:
    """Alice (B) serves up to 10B. Supply 8B, queue [5B, 1B]. Withdrawing 3B leaves 5B: 5B + 5B = 10B (DBT exactly
    B) is applied; 10B + 1B = 11B is not, so 1B stays queued."""
    bond = hand(spec).bond
    pool = [sequencer(spec, ALICE, bond)]
    pre = state(spec, pool, [dac(spec, CHAIN, 8 * bond, (R1, 5 * bond), (R2, bond))])
    post = state(spec, pool, [dac(spec, CHAIN, 10 * bond, (R2, bond))])
    yield from expect_post(spec, pre, op_withdraw(CHAIN, 3 * bond), post)


# add_dac_supply


@vector_case("deposits", "add_dac_supply")
def test_add_dac(spec: ModuleType) -> Iterator[Part]:
    """DAC 1090 joins after 1089 with no supply and an empty queue."""
    pre = state(spec, [], [dac(spec, CHAIN, 7)])
    yield from expect_post(
        spec, pre, op_add_dac(OTHER_CHAIN), state(spec, [], [dac(spec, CHAIN, 7), dac(spec, OTHER_CHAIN, 0)])
    )


@vector_case("deposits", "add_dac_supply")
def test_add_dac_appends_not_sorts(spec: ModuleType) -> Iterator[Part]:
    """DAC 1088 is added after 1089: DACs are kept in the order they were added."""
    pre = state(spec, [], [dac(spec, CHAIN, 0)])
    yield from expect_post(spec, pre, op_add_dac(1088), state(spec, [], [dac(spec, CHAIN, 0), dac(spec, 1088, 0)]))


@vector_case("deposits", "add_dac_supply")
def test_add_dac_twice(spec: ModuleType) -> Iterator[Part]:
    """DAC 1089 is already tracked."""
    yield from expect_rejected(spec, state(spec, [], [dac(spec, CHAIN, 0)]), op_add_dac(CHAIN), "DacAlreadyTracked")


# slash_sequencer


@vector_case("deposits", "slash_sequencer")
def test_slash_ten_percent(spec: ModuleType) -> Iterator[Part]:
    """10% of Alice's 3B: 0.3B slashed (6 MT minimal), 2.7B released; she leaves the pool, Bob stays."""
    bond = hand(spec).bond
    pool = [sequencer(spec, ALICE, 3 * bond), sequencer(spec, BOB, bond)]
    post = state(spec, [pool[1]], [])
    yield from expect_post(spec, state(spec, pool, []), op_slash(ALICE, 1000), post, 3 * bond // 10, 27 * bond // 10)


@vector_case("deposits", "slash_sequencer")
def test_slash_rounds_down(spec: ModuleType) -> Iterator[Part]:
    """1 bps of B + 9,999 wei: B / 10,000 exactly plus 0.9999 wei, rounded down to B / 10,000."""
    bond = hand(spec).bond
    pre = state(spec, [sequencer(spec, ALICE, bond + 9_999)], [])
    slashed = bond // 10_000
    yield from expect_post(spec, pre, op_slash(ALICE, 1), state(spec), slashed, bond + 9_999 - slashed)


@vector_case("deposits", "slash_sequencer")
def test_slash_everything(spec: ModuleType) -> Iterator[Part]:
    """10,000 bps takes the whole stake; nothing is released."""
    max_lock = hand(spec).max_lock
    pre = state(spec, [sequencer(spec, ALICE, max_lock)], [])
    yield from expect_post(spec, pre, op_slash(ALICE, 10_000), state(spec), max_lock, 0)


@vector_case("deposits", "slash_sequencer")
def test_slash_nothing_still_removes(spec: ModuleType) -> Iterator[Part]:
    """0 bps slashes nothing, yet the sequencer is removed and its whole stake released."""
    bond = hand(spec).bond
    pre = state(spec, [sequencer(spec, ALICE, bond)], [])
    yield from expect_post(spec, pre, op_slash(ALICE, 0), state(spec), 0, bond)


@vector_case("deposits", "slash_sequencer")
def test_slash_exiting_sequencer(spec: ModuleType) -> Iterator[Part]:
    """A sequencer waiting out its exit delay can still be slashed: 50% of 2B."""
    bond = hand(spec).bond
    pre = state(spec, [sequencer(spec, ALICE, 2 * bond, 40)], [])
    yield from expect_post(spec, pre, op_slash(ALICE, 5_000), state(spec), bond, bond)


@vector_case("deposits", "slash_sequencer")
def test_slash_unknown_sequencer(spec: ModuleType) -> Iterator[Part]:
    """Bob is not in the pool."""
    pre = state(spec, [sequencer(spec, ALICE, hand(spec).bond)], [])
    yield from expect_rejected(spec, pre, op_slash(BOB, 1000), "UnknownSequencer")


# --- deposits: sequences of operations ----------------------------------------------------------------------------


def operations_input(operations: Sequence[Operation]) -> Part:
    return "input", {"operations": [{"op": name, **args} for name, args in operations]}


def run_operations(spec: ModuleType, pre: Any, operations: Sequence[Operation]) -> Any:
    current = pre
    for operation in operations:
        result = run_operation(spec, current, operation)
        current = result[0] if isinstance(result, tuple) else result
    return current


def expect_operations(spec: ModuleType, pre: Any, operations: Sequence[Operation], hand_post: Any) -> Iterator[Part]:
    yield "pre", encode_sequencing_state(pre)
    yield operations_input(operations)
    post = run_operations(spec, pre, operations)
    assert post == hand_post, f"spec post-state {post}\nbuilt by hand   {hand_post}"
    yield "post", encode_sequencing_state(post)


def expect_operations_rejected(
    spec: ModuleType, pre: Any, operations: Sequence[Operation], error: str
) -> Iterator[Part]:
    yield "pre", encode_sequencing_state(pre)
    yield operations_input(operations)
    yield from expect_spec_error(spec, error, lambda: run_operations(spec, pre, operations))


@vector_case("deposits", "apply_operations")
def test_no_operations(spec: ModuleType) -> Iterator[Part]:
    """An empty list leaves the state as it was."""
    pre = state(spec, [sequencer(spec, ALICE, hand(spec).bond, 5)], [dac(spec, CHAIN, 3, (R1, 4))])
    yield from expect_operations(spec, pre, [], pre)


@vector_case("deposits", "apply_operations")
def test_deposit_waits_until_a_sequencer_registers(spec: ModuleType) -> Iterator[Part]:
    """A 3B deposit with nobody eligible waits; Alice registers with B (serves up to 10B) and it is applied."""
    bond = hand(spec).bond
    pre = state(spec, [], [dac(spec, CHAIN, 0)])
    operations = [op_deposit(CHAIN, R1, 3 * bond), op_register(ALICE, bond)]
    yield from expect_operations(
        spec, pre, operations, state(spec, [sequencer(spec, ALICE, bond)], [dac(spec, CHAIN, 3 * bond)])
    )


@vector_case("deposits", "apply_operations")
def test_fifo_small_deposit_behind_big_blocked_one(spec: ModuleType) -> Iterator[Part]:
    """Alice (B) serves up to 10B. 8B is applied; 5B (13B) waits; 1B would fit alone (9B) but waits behind it."""
    bond = hand(spec).bond
    pool = [sequencer(spec, ALICE, bond)]
    operations = [op_deposit(CHAIN, R1, 8 * bond), op_deposit(CHAIN, R2, 5 * bond), op_deposit(CHAIN, R3, bond)]
    post = state(spec, pool, [dac(spec, CHAIN, 8 * bond, (R2, 5 * bond), (R3, bond))])
    yield from expect_operations(spec, state(spec, pool, [dac(spec, CHAIN, 0)]), operations, post)


@vector_case("deposits", "apply_operations")
def test_fifo_queue_drains_in_order_after_increase(spec: ModuleType) -> Iterator[Part]:
    """As above, then Alice adds B (serves up to 20B): 13B, then 14B, both applied."""
    bond = hand(spec).bond
    operations = [
        op_deposit(CHAIN, R1, 8 * bond),
        op_deposit(CHAIN, R2, 5 * bond),
        op_deposit(CHAIN, R3, bond),
        op_increase(ALICE, bond),
    ]
    pre = state(spec, [sequencer(spec, ALICE, bond)], [dac(spec, CHAIN, 0)])
    post = state(spec, [sequencer(spec, ALICE, 2 * bond)], [dac(spec, CHAIN, 14 * bond)])
    yield from expect_operations(spec, pre, operations, post)


@vector_case("deposits", "apply_operations")
def test_withdrawal_lowering_dbt_releases_deposits(spec: ModuleType) -> Iterator[Part]:
    """Alice (B): 8B applied, 5B and 1B wait. Withdrawing 3B leaves 5B; 5B + 5B = 10B applies, 11B would not.
    Withdrawing 2B more leaves 8B; 8B + 1B = 9B applies."""
    bond = hand(spec).bond
    pool = [sequencer(spec, ALICE, bond)]
    operations = [
        op_deposit(CHAIN, R1, 8 * bond),
        op_deposit(CHAIN, R2, 5 * bond),
        op_deposit(CHAIN, R3, bond),
        op_withdraw(CHAIN, 3 * bond),
        op_withdraw(CHAIN, 2 * bond),
    ]
    yield from expect_operations(
        spec, state(spec, pool, [dac(spec, CHAIN, 0)]), operations, state(spec, pool, [dac(spec, CHAIN, 9 * bond)])
    )


@vector_case("deposits", "apply_operations")
def test_exit_makes_sequencer_ineligible(spec: ModuleType) -> Iterator[Part]:
    """Alice (B) asks to exit at t = 100; a 1B deposit made afterwards waits (before, it would have applied)."""
    bond = hand(spec).bond
    pre = state(spec, [sequencer(spec, ALICE, bond)], [dac(spec, CHAIN, 0)])
    operations = [op_exit(ALICE, 100), op_deposit(CHAIN, R1, bond)]
    yield from expect_operations(
        spec, pre, operations, state(spec, [sequencer(spec, ALICE, bond, 100)], [dac(spec, CHAIN, 0, (R1, bond))])
    )


@vector_case("deposits", "apply_operations")
def test_replacement_sequencer_releases_deposits(spec: ModuleType) -> Iterator[Part]:
    """Alice exits; 2B waits; Bob registers with B and it is applied; Alice withdraws exactly at the exit delay."""
    values = hand(spec)
    bond = values.bond
    pre = state(spec, [sequencer(spec, ALICE, bond)], [dac(spec, CHAIN, bond)])
    operations = [
        op_exit(ALICE, 100),
        op_deposit(CHAIN, R1, 2 * bond),
        op_register(BOB, bond),
        op_withdraw_stake(ALICE, 100 + values.exit_delay),
    ]
    yield from expect_operations(
        spec, pre, operations, state(spec, [sequencer(spec, BOB, bond)], [dac(spec, CHAIN, 3 * bond)])
    )


@vector_case("deposits", "apply_operations")
def test_withdraw_stake_one_second_early_in_sequence(spec: ModuleType) -> Iterator[Part]:
    """Exit at t = 100, withdraw at 100 + SEQUENCER_EXIT_DELAY - 1: rejected."""
    values = hand(spec)
    pre = state(spec, [sequencer(spec, ALICE, values.bond)], [])
    operations = [op_exit(ALICE, 100), op_withdraw_stake(ALICE, 100 + values.exit_delay - 1)]
    yield from expect_operations_rejected(spec, pre, operations, "ExitDelayNotElapsed")


@vector_case("deposits", "apply_operations")
def test_slashing_the_only_sequencer_blocks_deposits(spec: ModuleType) -> Iterator[Part]:
    """Alice is slashed out of the pool; the next deposit waits."""
    bond = hand(spec).bond
    pre = state(spec, [sequencer(spec, ALICE, bond)], [dac(spec, CHAIN, 0)])
    operations = [op_slash(ALICE, 1000), op_deposit(CHAIN, R1, 1)]
    yield from expect_operations(spec, pre, operations, state(spec, [], [dac(spec, CHAIN, 0, (R1, 1))]))


@vector_case("deposits", "apply_operations")
def test_new_dac_takes_deposits(spec: ModuleType) -> Iterator[Part]:
    """DAC 1090 is added and takes a 4B deposit; DAC 1089 is untouched."""
    bond = hand(spec).bond
    pool = [sequencer(spec, ALICE, bond)]
    pre = state(spec, pool, [dac(spec, CHAIN, bond)])
    operations = [op_add_dac(OTHER_CHAIN), op_deposit(OTHER_CHAIN, R1, 4 * bond)]
    yield from expect_operations(
        spec, pre, operations, state(spec, pool, [dac(spec, CHAIN, bond), dac(spec, OTHER_CHAIN, 4 * bond)])
    )


@vector_case("deposits", "apply_operations")
def test_deposit_beyond_any_stake_is_refused(spec: ModuleType) -> Iterator[Part]:
    """10M + 1 wei needs a DBT of M + 1, above MAX_SEQUENCER_LOCK: no sequencer could ever be eligible for it, so it
    is refused rather than queued (it would block every deposit behind it for good)."""
    max_lock = hand(spec).max_lock
    pre = state(spec, [sequencer(spec, ALICE, max_lock)], [dac(spec, CHAIN, 0)])
    operations = [op_deposit(CHAIN, R1, 10 * max_lock + 1), op_deposit(CHAIN, R2, 1)]
    yield from expect_operations_rejected(spec, pre, operations, "DepositExceedsBondCapacity")


@vector_case("deposits", "apply_operations")
def test_deposit_at_bond_capacity_is_applied(spec: ModuleType) -> Iterator[Part]:
    """Exactly 10M wei needs a DBT of exactly M: a sequencer with the maximum lock covers it, so it is applied."""
    max_lock = hand(spec).max_lock
    pre = state(spec, [sequencer(spec, ALICE, max_lock)], [dac(spec, CHAIN, 0)])
    post = state(spec, [sequencer(spec, ALICE, max_lock)], [dac(spec, CHAIN, 10 * max_lock)])
    yield from expect_operations(spec, pre, [op_deposit(CHAIN, R1, 10 * max_lock)], post)


@vector_case("deposits", "apply_operations")
def test_first_rejected_operation_names_the_error(spec: ModuleType) -> Iterator[Part]:
    """A valid registration, then a zero deposit (ZeroDeposit), then a duplicate registration: the first error."""
    bond = hand(spec).bond
    pre = state(spec, [], [dac(spec, CHAIN, 0)])
    operations = [op_register(ALICE, bond), op_deposit(CHAIN, R1, 0), op_register(ALICE, bond)]
    yield from expect_operations_rejected(spec, pre, operations, "ZeroDeposit")


@vector_case("deposits", "apply_operations")
def test_lifecycle_error_after_withdrawal(spec: ModuleType) -> Iterator[Part]:
    """Alice registers, exits, withdraws at the exit delay; her second exit request finds nobody: UnknownSequencer."""
    values = hand(spec)
    operations = [
        op_register(ALICE, values.bond),
        op_exit(ALICE, 10),
        op_withdraw_stake(ALICE, 10 + values.exit_delay),
        op_exit(ALICE, 20 + values.exit_delay),
    ]
    yield from expect_operations_rejected(spec, state(spec), operations, "UnknownSequencer")


# --- compute ------------------------------------------------------------------------------------------------------


@vector_case("compute", "register_compute_provider")
def test_register_first_provider(spec: ModuleType) -> Iterator[Part]:
    """The first provider."""
    yield "input", {"providers": [], "address": encode_bytes(P1)}
    providers = spec.register_compute_provider([], spec.Address(P1))
    assert list(providers) == [P1]
    yield "output", {"providers": encode_addresses(providers)}


@vector_case("compute", "register_compute_provider")
def test_register_provider_appends(spec: ModuleType) -> Iterator[Part]:
    """P1 joins behind P3 and P2: registration order, not address order."""
    yield "input", {"providers": encode_addresses([P3, P2]), "address": encode_bytes(P1)}
    providers = spec.register_compute_provider([spec.Address(P3), spec.Address(P2)], spec.Address(P1))
    assert list(providers) == [P3, P2, P1]
    yield "output", {"providers": encode_addresses(providers)}


@vector_case("compute", "register_compute_provider")
def test_register_provider_twice(spec: ModuleType) -> Iterator[Part]:
    """P2 is already registered."""
    yield "input", {"providers": encode_addresses([P1, P2]), "address": encode_bytes(P2)}
    yield from expect_spec_error(
        spec,
        "ProviderAlreadyRegistered",
        lambda: spec.register_compute_provider([spec.Address(P1), spec.Address(P2)], spec.Address(P2)),
    )


def assignment_by_hand(
    providers: Sequence[bytes], chain_ids: Sequence[int], epoch: int, l1_randomness: bytes, rounds: int
) -> list[tuple[int, bytes]]:
    """Cross-check: DACs in chain-id order take shuffled slots 0, 1, ... mod #providers; seed of chain id 0."""
    seed = selection_seed_by_hand(l1_randomness, 0, epoch)
    count = len(providers)
    return [
        (chain_id, providers[shuffled_index_by_hand(slot % count, count, seed, rounds)])
        for slot, chain_id in enumerate(sorted(chain_ids))
    ]


def expect_assignment(
    spec: ModuleType,
    providers: Sequence[bytes],
    chain_ids: Sequence[int],
    epoch: int,
    law: Callable[[list[tuple[int, bytes]]], None],
) -> Iterator[Part]:
    """The spec's assignment must satisfy ``law`` (checkable by hand) and match the cross-check."""
    yield "input", {
        "providers": encode_addresses(providers),
        "chain_ids": [encode_uint(chain_id) for chain_id in chain_ids],
        "epoch": encode_uint(epoch),
        "l1_randomness": encode_bytes(RANDOMNESS),
    }
    assignments = spec.assign_compute_providers(
        [spec.Address(p) for p in providers],
        [spec.ChainId(c) for c in chain_ids],
        spec.Epoch(epoch),
        spec.Hash32(RANDOMNESS),
    )
    pairs = [(int(item.chain_id), bytes(item.provider)) for item in assignments]
    law(pairs)
    if providers:
        assert pairs == assignment_by_hand(providers, chain_ids, epoch, RANDOMNESS, hand(spec).rounds)
    yield "output", {"assignments": encode_provider_assignments(assignments)}


@vector_case("compute", "assign_compute_providers")
def test_assign_without_providers(spec: ModuleType) -> Iterator[Part]:
    """No provider: no DAC is assigned."""

    def law(pairs: list[tuple[int, bytes]]) -> None:
        assert pairs == []

    yield from expect_assignment(spec, [], [1089, 1090], 0, law)


@vector_case("compute", "assign_compute_providers")
def test_assign_without_dacs(spec: ModuleType) -> Iterator[Part]:
    """No DAC: nothing to assign."""

    def law(pairs: list[tuple[int, bytes]]) -> None:
        assert pairs == []

    yield from expect_assignment(spec, [P1, P2], [], 0, law)


@vector_case("compute", "assign_compute_providers")
def test_assign_one_provider_to_every_dac(spec: ModuleType) -> Iterator[Part]:
    """One provider serves all three DACs, listed in chain-id order whatever the input order."""

    def law(pairs: list[tuple[int, bytes]]) -> None:
        assert pairs == [(1089, P1), (1090, P1), (1091, P1)]

    yield from expect_assignment(spec, [P1], [1091, 1089, 1090], 5, law)


@vector_case("compute", "assign_compute_providers")
def test_assign_as_many_providers_as_dacs(spec: ModuleType) -> Iterator[Part]:
    """Three providers, three DACs: each provider gets exactly one DAC (a permutation)."""

    def law(pairs: list[tuple[int, bytes]]) -> None:
        assert [chain for chain, _ in pairs] == [1089, 1090, 1091]
        assert sorted(provider for _, provider in pairs) == [P1, P2, P3]

    yield from expect_assignment(spec, [P1, P2, P3], [1090, 1091, 1089], 0, law)


@vector_case("compute", "assign_compute_providers")
def test_assign_more_providers_than_dacs(spec: ModuleType) -> Iterator[Part]:
    """Five providers, three DACs: three distinct providers work, two are idle."""

    def law(pairs: list[tuple[int, bytes]]) -> None:
        assert [chain for chain, _ in pairs] == [1089, 1090, 1091]
        assert len({provider for _, provider in pairs}) == 3

    yield from expect_assignment(spec, [P1, P2, P3, P4, P5], [1089, 1090, 1091], 1, law)


@vector_case("compute", "assign_compute_providers")
def test_assign_fewer_providers_than_dacs_cycles(spec: ModuleType) -> Iterator[Part]:
    """Two providers, five DACs: slots 0, 2, 4 take the first shuffled provider and 1, 3 the other (3 and 2 DACs)."""

    def law(pairs: list[tuple[int, bytes]]) -> None:
        assert [chain for chain, _ in pairs] == [1089, 1090, 1091, 1092, 1093]
        first, second = pairs[0][1], pairs[1][1]
        assert {first, second} == {P1, P2}
        assert [provider for _, provider in pairs] == [first, second, first, second, first]

    yield from expect_assignment(spec, [P1, P2], [1093, 1092, 1091, 1090, 1089], 2, law)


@vector_case("compute", "assign_compute_providers")
def test_assign_three_providers_seven_dacs(spec: ModuleType) -> Iterator[Part]:
    """Three providers, seven DACs: the shuffled order repeats with period 3, giving 3, 2 and 2 DACs."""

    def law(pairs: list[tuple[int, bytes]]) -> None:
        providers = [provider for _, provider in pairs]
        assert providers[3:] == providers[:3] + providers[:1]
        assert sorted(providers[:3]) == [P1, P2, P3]

    yield from expect_assignment(spec, [P1, P2, P3], list(range(2000, 2007)), 9, law)


def expect_reward(spec: ModuleType, blocks: int, hand_computed: int) -> Iterator[Part]:
    yield "input", {"blocks_produced": encode_uint(blocks)}
    reward = spec.compute_provider_reward(blocks)
    assert reward == hand_computed, f"spec computed {reward}, worked out by hand {hand_computed}"
    yield "output", {"reward": encode_uint(reward)}


@vector_case("compute", "compute_provider_reward")
def test_reward_for_no_blocks(spec: ModuleType) -> Iterator[Part]:
    """No blocks, no reward."""
    yield from expect_reward(spec, 0, 0)


@vector_case("compute", "compute_provider_reward")
def test_reward_for_one_block(spec: ModuleType) -> Iterator[Part]:
    """One block earns REWARD_PER_BLOCK = 761,000 gwei = 761,000,000,000,000 wei."""
    yield from expect_reward(spec, 1, 761_000_000_000_000)


@vector_case("compute", "compute_provider_reward")
def test_reward_for_a_mainnet_epoch(spec: ModuleType) -> Iterator[Part]:
    """1,000 blocks: 761,000,000 gwei = 0.761 MT."""
    yield from expect_reward(spec, 1000, 761 * MT // 1000)


@vector_case("compute", "compute_provider_reward")
def test_reward_for_most_blocks(spec: ModuleType) -> Iterator[Part]:
    """2^64 - 1 blocks (every block number): 761,000 gwei each, about 1.4e34 wei — far from overflowing uint256."""
    yield from expect_reward(spec, 2**64 - 1, (2**64 - 1) * 761_000 * GWEI)


@vector_case("deposits", "slash_sequencer")
def test_slash_ratio_above_maximum(spec: ModuleType) -> Iterator[Part]:
    """A slash of 10,001 bps (more than the whole stake) is refused."""
    bond = hand(spec).bond
    pre = state(spec, [sequencer(spec, ALICE, bond)], [])
    yield from expect_rejected(spec, pre, op_slash(ALICE, 10_001), "InvalidSlashRatio")


@vector_case("compute", "assign_compute_providers")
def test_duplicate_chain_id_refused(spec: ModuleType) -> Iterator[Part]:
    """The same DAC listed twice for one epoch is refused."""
    providers, chain_ids = [P1, P2], [CHAIN, CHAIN]
    yield "input", {
        "providers": encode_addresses(providers),
        "chain_ids": [encode_uint(chain_id) for chain_id in chain_ids],
        "epoch": encode_uint(0),
        "l1_randomness": encode_bytes(RANDOMNESS),
    }
    yield from expect_spec_error(
        spec,
        "DuplicateChainId",
        lambda: spec.assign_compute_providers(
            [spec.Address(p) for p in providers], [spec.ChainId(c) for c in chain_ids], spec.Epoch(0), spec.Hash32(RANDOMNESS)
        ),
    )
