"""Vector cases for sequencing (spec/v1/sequencing.md) on the L1 hub: the Dynamic Bond Threshold, eligibility, stakes
with the hub's clock, the FIFO queue of deposits, the choice of each epoch's sequencer, and compute providers.

Expected values are worked out by hand from the chapter's rules, never by calling the function under test:

- DBT(S) = max(MIN_SEQUENCER_BOND, ceil(S / 10)). So a sequencer of stake s (not exiting, s >= the minimum bond)
  is eligible for a DAC of supply S exactly when S <= 10 * s — the rule used to work out every deposit outcome.
- Amounts are written in units of the preset's minimum bond B (20 MT minimal, 20,000 MT mainnet) and maximum lock
  M = 5B (100 MT, 100,000 MT); deposit gas in units of the per-L1-block budget G (MAX_DEPOSIT_GAS_PER_L1_BLOCK:
  300,000 minimal, 20,000,000 mainnet) and of 21,000 (the intrinsic gas of a plain call, the smallest a deposit may
  carry); small mints in units of m (MIN_DEPOSIT_MINT: 10^13 wei minimal, 10^16 mainnet, the least a deposit that
  mints may mint); L1 blocks in units of the compute-provider epoch E (L1_BLOCKS_PER_EPOCH: 8 minimal, 7,200 mainnet). So one
  hand computation holds on both presets; the preset values are stated below and checked against the rendered
  module.
- The queue rule, as bridge.md's ``apply_pending_deposits`` states it: deposits leave a DAC's pending queue from the
  front, into its inbox with the next nonce and the current L1 block's number, while the head leaves an eligible
  sequencer with its mint counted in the supply and the DAC's deposit gas in the current L1 block stays within G;
  the first that cannot leave stops the queue. Registering, increasing a lock and a new L1 block drain every queue.
- Time is the hub's own: an exit is stamped with the current L1 block's time; stake can be withdrawn once the
  current L1 block's time is at least that stamp plus SEQUENCER_EXIT_DELAY.
- Selection and provider assignment are pseudo-random. Their vectors are checked against laws that can be read off
  by hand (the only eligible sequencer is chosen; nobody eligible gives null; one provider serves every DAC; a
  provider registered in the seed block is left out; ...) and against ``select_by_hand``/``shuffled_index_by_hand``
  below: a from-scratch reading of the documented algorithm (the swap-or-not shuffle as Ethereum's consensus specs
  write ``compute_shuffled_index``, with keccak256 for sha256) with eth-hash's keccak256 and plain integers, which
  imports nothing from the spec.

Every pre- and post-state hub is built record by record in this file; the hub always holds the rangers' DAC (1000000000001088,
created in the hub's first L1 block, no allocation) first.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from types import ModuleType
from typing import Any, Callable, Iterator, NamedTuple, Optional, Sequence

from eth_hash.auto import keccak as eth_keccak

from mvm_spec.vectors import expect_spec_error, vector_case
from mvm_spec.vectors.case import Part
from mvm_spec.vectors.codec import (
    encode_addresses,
    encode_bytes,
    encode_charter,
    encode_genesis_alloc,
    encode_hub,
    encode_l1_block,
    encode_provider_assignments,
    encode_sequencer,
    encode_uint,
)

MT = 10**18
GWEI = 10**9
UINT256_MAX = 2**256 - 1
PLAIN_CALL_GAS = 21_000  # the intrinsic gas of a call with no data: the least gas a deposit may carry


@dataclass(frozen=True)
class HandPreset:
    """The preset values these cases are worked out with (presets/*.yaml), checked against the rendered module."""

    bond: int  # MIN_SEQUENCER_BOND: B
    max_lock: int  # MAX_SEQUENCER_LOCK: M = 5B
    exit_delay: int  # SEQUENCER_EXIT_DELAY, seconds
    rounds: int  # SHUFFLE_ROUND_COUNT
    l1_epoch: int  # L1_BLOCKS_PER_EPOCH: E
    gas_budget: int  # MAX_DEPOSIT_GAS_PER_L1_BLOCK: G
    timeout: int  # SEQUENCER_TIMEOUT, L1 blocks
    fallbacks: int  # MAX_SEQUENCER_FALLBACKS
    dao: bytes  # METIS_DAO_ADDRESS, the producer of blocks no provider is assigned to
    min_mint: int  # MIN_DEPOSIT_MINT: m, the least a deposit that mints may mint


HAND_PRESETS = {
    "minimal": HandPreset(
        bond=20 * MT,
        max_lock=100 * MT,
        exit_delay=60,
        rounds=10,
        l1_epoch=8,
        gas_budget=300_000,
        timeout=3,
        fallbacks=2,
        dao=bytes.fromhex("ba32858ea15ad4a729d3aca3c2ed5e3363bc16f6"),
        min_mint=10**13,
    ),
    "mainnet": HandPreset(
        bond=20_000 * MT,
        max_lock=100_000 * MT,
        exit_delay=21 * 24 * 3600,
        rounds=90,
        l1_epoch=7200,
        gas_budget=20_000_000,
        timeout=600,
        fallbacks=3,
        dao=bytes.fromhex("5311000000000000000000000000000000001212"),
        min_mint=10**16,
    ),
}


def hand(spec: ModuleType) -> HandPreset:
    values = HAND_PRESETS[spec.__name__.rsplit(".", 1)[-1]]
    rendered = (
        spec.MIN_SEQUENCER_BOND,
        spec.MAX_SEQUENCER_LOCK,
        spec.SEQUENCER_EXIT_DELAY,
        spec.SHUFFLE_ROUND_COUNT,
        spec.L1_BLOCKS_PER_EPOCH,
        spec.MAX_DEPOSIT_GAS_PER_L1_BLOCK,
        spec.SEQUENCER_TIMEOUT,
        spec.MAX_SEQUENCER_FALLBACKS,
        bytes(spec.METIS_DAO_ADDRESS),
        spec.MIN_DEPOSIT_MINT,
    )
    expected = (
        values.bond,
        values.max_lock,
        values.exit_delay,
        values.rounds,
        values.l1_epoch,
        values.gas_budget,
        values.timeout,
        values.fallbacks,
        values.dao,
        values.min_mint,
    )
    assert rendered == expected, "preset changed: redo by hand"
    assert values.max_lock == 5 * values.bond
    assert values.gas_budget // 2 >= PLAIN_CALL_GAS  # half a budget is a valid deposit gas limit
    assert spec.compute_intrinsic_gas(b"", False) == PLAIN_CALL_GAS
    return values


ALICE = bytes.fromhex("a11ce00000000000000000000000000000000001")
BOB = bytes.fromhex("b0b0000000000000000000000000000000000002")
CAROL = bytes.fromhex("ca20100000000000000000000000000000000003")
DAVE = bytes.fromhex("da7e000000000000000000000000000000000004")
R1 = bytes.fromhex("1111111111111111111111111111111111111111")  # depositors (each deposit's sender names it)
R2 = bytes.fromhex("2222222222222222222222222222222222222222")
R3 = bytes.fromhex("3333333333333333333333333333333333333333")
R4 = bytes.fromhex("4444444444444444444444444444444444444444")
RECIPIENT = bytes.fromhex("7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e")
FOUNDER = bytes.fromhex("f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0")  # holds a DAC's genesis allocation
MANAGER = bytes.fromhex("4200000000000000000000000000000000000042")
P1 = bytes.fromhex("9000000000000000000000000000000000000001")
P2 = bytes.fromhex("9000000000000000000000000000000000000002")
P3 = bytes.fromhex("9000000000000000000000000000000000000003")
P4 = bytes.fromhex("9000000000000000000000000000000000000004")
P5 = bytes.fromhex("9000000000000000000000000000000000000005")
RANGERS = 1000000000001088
CHAIN = 1000000000001089
OTHER_CHAIN = 1000000000001090
LABELS = {RANGERS: "rangers", CHAIN: "acme", OTHER_CHAIN: "beta"}
BASE_FEE = GWEI
START = 100  # the number of the first L1 block of most hubs below
T0 = 1_000_000  # its time


def keccak(data: bytes) -> bytes:
    return bytes(eth_keccak(data))


RANDOMNESS = keccak(b"mvm-spec sequencing vectors: L1 randomness")
SEED = keccak(b"mvm-spec sequencing vectors: shuffle seed")

# --- building hubs by hand ---------------------------------------------------------------------------------------


def randao_of(number: int) -> bytes:
    """The RANDAO value of L1 block ``number`` in these hubs. (The last byte, 3, is the first that makes the
    two-provider producer vectors tell the epoch's first block's RANDAO from the origin's on both presets.)"""
    return keccak(b"mvm-spec sequencing vectors: RANDAO of L1 block " + number.to_bytes(8, "big") + b"\x03")


def l1_block(spec: ModuleType, number: int, timestamp: int) -> Any:
    beacon_root = keccak(b"beacon root" + number.to_bytes(8, "big"))
    return spec.L1Block(
        spec.L1BlockNumber(number), spec.Timestamp(timestamp), spec.Hash32(randao_of(number)), spec.Hash32(beacon_root)
    )


CREATED = START - 1  # the L1 block in which the hubs' DACs are created (no deposit leaves a queue in it)
CREATED_AT = T0 - 12  # its time


def clock(spec: ModuleType, *times: int, first: int = START) -> tuple[Any, ...]:
    """L1 blocks ``first``, ``first + 1``, ... at the given times (default: one block, START at T0). From START, the
    hub begins one block earlier, with CREATED, in which its DACs were created: deposits made in the L1 block that
    created their DAC wait for the next one (bridge.md, apply_pending_deposits), so the cases act from START on."""
    created = (l1_block(spec, CREATED, CREATED_AT),) if first == START else ()
    return created + tuple(l1_block(spec, first + offset, time) for offset, time in enumerate(times or (T0,)))


def charter(spec: ModuleType) -> Any:
    return spec.Charter("a DAC of the sequencing vectors", "", (), (), spec.Address(MANAGER))


def sequencer(spec: ModuleType, address: bytes, locked: int, exit_requested_at: Optional[int] = None) -> Any:
    exit_at = None if exit_requested_at is None else spec.Timestamp(exit_requested_at)
    return spec.Sequencer(spec.Address(address), spec.Wei(locked), exit_at)


def provider(spec: ModuleType, address: bytes, registered_at: int) -> Any:
    return spec.ComputeProvider(spec.Address(address), spec.L1BlockNumber(registered_at))


def deposit(spec: ModuleType, sender: bytes, mint: int, gas: int = PLAIN_CALL_GAS) -> Any:
    """A deposit from the L1 account ``sender`` (not a contract: its L2 sender is the same address) to RECIPIENT."""
    return spec.Deposit(
        spec.Address(sender), spec.Address(RECIPIENT), spec.Wei(mint), spec.Wei(0), spec.uint64(gas), b""
    )


def waiting_deposit(spec: ModuleType, ticket: int, item: Any, made_in: int = START) -> Any:
    """``item`` waiting in its queue with ``ticket``, made in L1 block ``made_in`` by the L1 account that is its
    sender (these cases' depositors are accounts, not contracts)."""
    return spec.PendingDeposit(spec.uint64(ticket), item.sender, spec.L1BlockNumber(made_in), item)


def enqueued(spec: ModuleType, nonce: int, l1_block_number: int, item: Any) -> Any:
    return spec.EnqueuedDeposit(spec.uint64(nonce), spec.L1BlockNumber(l1_block_number), item)


def dac(
    spec: ModuleType,
    chain_id: int,
    *,
    created: Any = None,
    allocated: int = 0,
    supply: Optional[int] = None,
    pending: Sequence[Any] = (),
    deposits: Sequence[Any] = (),
    tickets: Optional[int] = None,
) -> Any:
    """A DAC record created in L1 block ``created`` (default: CREATED, the block before START) whose genesis allocates ``allocated`` wei
    to FOUNDER. ``supply`` is the hand-computed MT locked for it; with no enqueued deposits it is the allocation.
    The helper only checks that the hand-built record is consistent (supply = allocation + enqueued mints).
    ``pending`` holds deposits (each made by the L1 account that is its sender, in L1 block START, with the ticket
    that follows the enqueued deposits and those before it) or `PendingDeposit`s as they are; ``tickets`` (the
    tickets given so far) defaults to one per deposit listed."""
    block = created if created is not None else l1_block(spec, CREATED, CREATED_AT)
    alloc = ((spec.Address(FOUNDER), spec.GenesisAccount(balance=allocated)),) if allocated else ()
    mints = sum(int(item.deposit.mint) for item in deposits)
    if supply is None:
        assert not deposits, "a record with enqueued deposits states its supply by hand"
        supply = allocated
    assert supply == allocated + mints, "hand-built record is inconsistent"
    genesis = spec.DacGenesis(block.number, block.timestamp, charter(spec), alloc, spec.Wei(BASE_FEE))
    empty = spec.BatchChain(headers=())
    waiting = tuple(
        item if isinstance(item, spec.PendingDeposit) else waiting_deposit(spec, len(deposits) + position, item)
        for position, item in enumerate(pending)
    )
    issued = len(deposits) + len(pending) if tickets is None else tickets
    return spec.DacRecord(
        spec.ChainId(chain_id),
        LABELS[chain_id],
        genesis,
        spec.Wei(supply),
        waiting,
        spec.uint64(issued),
        tuple(deposits),
        (),
        empty,
        empty,
        (),
        (),
        (),
        (),
    )


def hub(
    spec: ModuleType,
    sequencers: Sequence[Any] = (),
    dacs: Sequence[Any] = (),
    *,
    blocks: Optional[Sequence[Any]] = None,
    providers: Sequence[Any] = (),
    snapshots: Sequence[Any] = (),
) -> Any:
    """A hub on L1 blocks ``blocks`` (default: START at T0): the rangers' DAC, created in the first block, then
    ``dacs``."""
    l1_blocks = tuple(blocks) if blocks is not None else clock(spec)
    rangers = dac(spec, RANGERS, created=l1_blocks[0])
    return spec.Hub(l1_blocks, (rangers, *dacs), tuple(sequencers), tuple(providers), tuple(snapshots), (), spec.Wei(0), ())


def hub_state(value: Any) -> dict[str, Any]:
    return {"hub": encode_hub(value)}


# --- the independent cross-check of the documented selection algorithm ---------------------------------------------


def shuffled_index_by_hand(index: int, index_count: int, seed: bytes, rounds: int) -> int:
    """``compute_shuffled_index`` as Ethereum's consensus specs (phase0) define it, with keccak256 for sha256."""
    for current_round in range(rounds):
        round_byte = current_round.to_bytes(1, "little")
        pivot = int.from_bytes(keccak(seed + round_byte)[0:8], "little") % index_count
        flip = (pivot + index_count - index) % index_count
        position = max(index, flip)
        source = keccak(seed + round_byte + (position // 256).to_bytes(4, "little"))
        byte = source[(position % 256) // 8]
        bit = (byte >> (position % 8)) % 2
        index = flip if bit else index
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


def round_seed_by_hand(seed: bytes, round_number: int) -> bytes:
    """Round 0: the seed. Round r >= 1: keccak256(abi.encode(bytes32 seed, string "fallback", uint256 r)): the seed,
    the string's offset (3 words = 96), r, then the string's length (8) and its bytes padded to a word."""
    if round_number == 0:
        return seed
    head = seed + (96).to_bytes(32, "big") + round_number.to_bytes(32, "big")
    return keccak(head + (8).to_bytes(32, "big") + b"fallback".ljust(32, b"\0"))


def assign_by_hand(
    pool: Sequence[tuple[bytes, int, Optional[int]]],
    supplies: Sequence[tuple[int, int]],
    randomness: bytes,
    epoch: int,
    preset: HandPreset,
) -> dict[int, tuple[list[bytes], list[tuple[bytes, int]]]]:
    """Each DAC's succession, drawn round by round (first choice, then each fallback), DACs in chain-id order within
    a round, with stakes bound: a sequencer is a candidate while it is not yet in the DAC's succession and its
    stake covers the DAC's threshold, max(B, ceil(supply / 10)), plus the thresholds of every slot it was drawn for
    before. Returns, per chain id, the succession and the first round's candidates."""
    committed: dict[bytes, int] = {}
    result: dict[int, tuple[list[bytes], list[tuple[bytes, int]]]] = {}
    for round_number in range(1 + preset.fallbacks):
        for chain_id, supply in sorted(supplies):
            threshold = max(preset.bond, -(-supply // 10))
            drawn, first_candidates = result.setdefault(chain_id, ([], []))
            candidates = [
                (a, s)
                for a, s, exit_at in pool
                if exit_at is None and a not in drawn and s >= threshold + committed.get(a, 0)
            ]
            if round_number == 0:
                first_candidates.extend(candidates)
            if candidates:
                seed = round_seed_by_hand(selection_seed_by_hand(randomness, chain_id, epoch), round_number)
                chosen = select_by_hand(candidates, seed, preset.max_lock, preset.rounds)
                committed[chosen] = committed.get(chosen, 0) + threshold
                drawn.append(chosen)
    return result


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
    """A sequencer that asked to exit (at L1 time 1000) is eligible nowhere, even with the maximum stake."""
    yield from expect_eligible(spec, sequencer(spec, ALICE, hand(spec).max_lock, 1000), 0, False)


@vector_case("eligibility", "is_eligible_sequencer")
def test_exit_requested_at_time_zero(spec: ModuleType) -> Iterator[Part]:
    """An exit requested at L1 time 0 is still an exit: exit_requested_at is "0", not null."""
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
    """count = 2^40 = MAX_SHUFFLE_COUNT (allowed), index 2^40 - 1: the chunk number position // 256 reaches
    2^32 - 1, the largest the 4-byte little-endian chunk field holds; the pivot is the low 8 bytes (little-endian)
    of the round hash mod 2^40."""
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


@vector_case("selection", "compute_shuffled_index")
def test_shuffle_index_at_largest_count(spec: ModuleType) -> Iterator[Part]:
    """count = 2^40 is allowed, so index 2^40 fails only for being out of range."""
    yield shuffle_input(2**40, 2**40, SEED)
    yield from expect_spec_error(
        spec, "ShuffleIndexOutOfRange", lambda: spec.compute_shuffled_index(2**40, 2**40, SEED)
    )


@vector_case("selection", "compute_shuffled_index")
def test_shuffle_too_large(spec: ModuleType) -> Iterator[Part]:
    """count = 2^40 + 1 is one more position than MAX_SHUFFLE_COUNT: the 4-byte chunk field could not number them."""
    yield shuffle_input(0, 2**40 + 1, SEED)
    yield from expect_spec_error(spec, "ShuffleTooLarge", lambda: spec.compute_shuffled_index(0, 2**40 + 1, SEED))


@vector_case("selection", "compute_shuffled_index")
def test_shuffle_too_large_checked_before_index(spec: ModuleType) -> Iterator[Part]:
    """count 2^40 + 1 and index 2^40 + 1 break both rules: the count is checked first, so ShuffleTooLarge."""
    yield shuffle_input(2**40 + 1, 2**40 + 1, SEED)
    yield from expect_spec_error(
        spec, "ShuffleTooLarge", lambda: spec.compute_shuffled_index(2**40 + 1, 2**40 + 1, SEED)
    )


# --- selection: get_epoch_sequencers -------------------------------------------------------------------------------


def percent_of_max(spec: ModuleType, percent: int) -> int:
    return hand(spec).max_lock * percent // 100


def weighted_pool(spec: ModuleType) -> list[Any]:
    """Four active sequencers staking 20%, 35%, 60% and 100% of the maximum lock (20/35/60/100 MT minimal)."""
    stakes = [(ALICE, 20), (BOB, 35), (CAROL, 60), (DAVE, 100)]
    return [sequencer(spec, address, percent_of_max(spec, percent)) for address, percent in stakes]


def moved_to_epoch(spec: ModuleType, hub: Any, epoch: int) -> Any:
    """``hub`` with every L1 block number moved by one shift, so that its current L1 block is in ``epoch`` (or, for
    an epoch whose blocks would pass 2^64 - 1, in the epoch before, when the snapshot of ``epoch`` is taken): a
    hub can only hold the snapshots of its current epoch and the next (advance_l1_block drops older ones and takes
    the next one in an epoch's first block). Times and everything else stay as they are."""
    length = hand(spec).l1_epoch
    current = min(epoch * length + START % length, 2**64 - 1)
    assert current // length in (epoch, epoch - 1)
    shift = current - int(hub.l1_blocks[-1].number)

    def moved(number: int) -> Any:
        return spec.L1BlockNumber(number + shift)

    def moved_dac(record: Any) -> Any:
        return replace(
            record,
            genesis=replace(record.genesis, l1_block_number=moved(record.genesis.l1_block_number)),
            pending_deposits=tuple(replace(item, l1_block_number=moved(item.l1_block_number)) for item in record.pending_deposits),
            deposits=tuple(replace(item, l1_block_number=moved(item.l1_block_number)) for item in record.deposits),
        )

    blocks = tuple(l1_block(spec, block.number + shift, block.timestamp) for block in hub.l1_blocks)
    providers = tuple(replace(item, registered_at=moved(item.registered_at)) for item in hub.compute_providers)
    return replace(hub, l1_blocks=blocks, dacs=tuple(moved_dac(record) for record in hub.dacs), compute_providers=providers)


def expect_selected(
    spec: ModuleType,
    pre: Any,
    chain_id: int,
    epoch: int,
    known: Optional[bytes] = None,
    unsequenced: bool = False,
    l1_randomness: bytes = RANDOMNESS,
    expected_succession: Optional[list[bytes]] = None,
) -> Iterator[Part]:
    """``pre``, moved to ``epoch``, with the snapshot of ``epoch`` taken of its own pool and supplies (as the L1 block
    starting the epoch before would have), asked for ``chain_id``'s succession then. The spec's must match the draw worked out by hand,
    round by round, for every DAC in chain-id order with stakes bound; its first choice must be ``known`` when that
    is given (the whole succession ``expected_succession``), and it is empty exactly when nobody is a candidate by
    hand (``unsequenced`` says a case expects that)."""
    supplies = tuple((item.chain_id, item.coinbase_supply) for item in pre.dacs)
    snapshot = spec.SequencingSnapshot(spec.Epoch(epoch), spec.Hash32(l1_randomness), pre.sequencers, supplies)
    pre = replace(moved_to_epoch(spec, pre, epoch), sequencing_snapshots=(snapshot,))
    yield "pre", hub_state(pre)
    yield "input", {"operations": [], "chain_id": encode_uint(chain_id), "epoch": encode_uint(epoch)}
    succession = spec.get_epoch_sequencers(pre, spec.ChainId(chain_id), spec.Epoch(epoch))
    pool = [(bytes(s.address), int(s.locked), s.exit_requested_at) for s in pre.sequencers]
    by_hand, candidates = assign_by_hand(pool, [(int(c), int(s)) for c, s in supplies], l1_randomness, epoch, hand(spec))[chain_id]
    assert list(succession) == by_hand, f"spec drew {succession!r}, cross-check {by_hand!r}"
    assert unsequenced == (not candidates), "the case's expectation disagrees with the candidates worked out by hand"
    if known is not None:
        assert succession[:1] == (known,)
    if expected_succession is not None:
        assert list(succession) == expected_succession
    yield "output", {"sequencers": [encode_bytes(address) for address in succession]}


def make_weighted_epoch(epoch: int) -> None:
    def body(spec: ModuleType) -> Iterator[Part]:
        pre = hub(spec, weighted_pool(spec), [dac(spec, CHAIN)])
        yield from expect_selected(spec, pre, CHAIN, epoch)

    body.__name__ = f"test_weighted_pool_epoch_{epoch:02d}"
    body.__doc__ = (
        f"Epoch {epoch} of an empty DAC (DBT = B) sequenced by four sequencers staking 20/35/60/100% of the maximum "
        "lock: the choice is stake-proportional, so a client that picks uniformly among eligible sequencers fails "
        "some of epochs 0-19."
    )
    globals()[body.__name__] = vector_case("selection", "get_epoch_sequencers")(body)


for _epoch in range(20):
    make_weighted_epoch(_epoch)


def make_threshold_epoch(epoch: int) -> None:
    def body(spec: ModuleType) -> Iterator[Part]:
        half = percent_of_max(spec, 50)
        pre = hub(spec, weighted_pool(spec), [dac(spec, CHAIN, allocated=10 * half)])
        yield from expect_selected(spec, pre, CHAIN, epoch)

    body.__name__ = f"test_dbt_excludes_small_stakes_epoch_{epoch}"
    body.__doc__ = (
        f"Epoch {epoch}, supply 10 x 50% of the maximum lock: DBT is half the maximum lock, so only the 60% and 100% "
        "sequencers (Carol, Dave) are eligible."
    )
    globals()[body.__name__] = vector_case("selection", "get_epoch_sequencers")(body)


for _epoch in range(5):
    make_threshold_epoch(_epoch)


@vector_case("selection", "get_epoch_sequencers")
def test_only_eligible_sequencer_at_maximum_stake(spec: ModuleType) -> Iterator[Part]:
    """Dave (maximum stake) is the only eligible sequencer: Alice and Bob are below the DBT of supply 10 x 60%,
    Carol has asked to exit. Acceptance at the maximum stake is certain, so Dave is chosen."""
    pool = [
        sequencer(spec, ALICE, percent_of_max(spec, 20)),
        sequencer(spec, BOB, percent_of_max(spec, 35)),
        sequencer(spec, CAROL, hand(spec).max_lock, T0),
        sequencer(spec, DAVE, hand(spec).max_lock),
    ]
    pre = hub(spec, pool, [dac(spec, CHAIN, allocated=10 * percent_of_max(spec, 60))])
    yield from expect_selected(spec, pre, CHAIN, 7, known=DAVE)


def randomness_found(accepts: Callable[[bytes], bool]) -> bytes:
    """The first L1 randomness keccak("mvm-spec sequencing vectors: search" ++ uint64(n)), n = 0, 1, ..., that
    ``accepts``: a fixed search, so the vector is the same on every run."""
    for number in itertools.count():
        randomness = keccak(b"mvm-spec sequencing vectors: search" + number.to_bytes(8, "big"))
        if accepts(randomness):
            return randomness
    raise AssertionError("unreachable")


def sample_by_hand(seed: bytes, attempt: int) -> int:
    """The attempt's 16-bit word, as select_by_hand reads it."""
    return int.from_bytes(keccak(seed + (attempt // 16).to_bytes(8, "little"))[2 * (attempt % 16) : 2 * (attempt % 16) + 2], "little")


def candidate_by_hand(seed: bytes, attempt: int, count: int, rounds: int) -> int:
    return shuffled_index_by_hand(0, count, keccak(seed + attempt.to_bytes(32, "big")), rounds)


@vector_case("selection", "get_epoch_sequencers")
def test_draw_accepting_a_sample_exactly_on_the_line(spec: ModuleType) -> Iterator[Part]:
    """Alice at the minimum bond B and Dave at the maximum lock M = 5B, the rangers' DAC drawn first. The L1
    randomness is the first of a fixed search whose first attempt names Alice with the 16-bit sample 13,107:
    B * 65,535 = M * 13,107 exactly, and a sample at the line is accepted (locked / M >= sample / 65,535). So
    Alice, not Dave (whom the next attempt names), is the first choice."""
    values = hand(spec)
    pool = [sequencer(spec, ALICE, values.bond), sequencer(spec, DAVE, values.max_lock)]
    assert values.bond * 0xFFFF == values.max_lock * 13_107

    def ties_on_alice(randomness: bytes) -> bool:
        seed = selection_seed_by_hand(randomness, RANGERS, 7)
        if sample_by_hand(seed, 0) != 13_107:
            return False
        return candidate_by_hand(seed, 0, 2, values.rounds) == 0 and candidate_by_hand(seed, 1, 2, values.rounds) == 1

    randomness = randomness_found(ties_on_alice)
    pre = hub(spec, pool, [dac(spec, CHAIN)])
    yield from expect_selected(spec, pre, RANGERS, 7, known=ALICE, l1_randomness=randomness)


def two_at_the_minimum_bond(spec: ModuleType) -> tuple[list[Any], Callable[[bytes, int], bool], int]:
    """Alice and Bob at the minimum bond (a sample is accepted one time in five); whether attempt ``attempt``'s
    sample of ``seed`` is accepted; the shuffle's rounds."""
    values = hand(spec)
    pool = [sequencer(spec, ALICE, values.bond), sequencer(spec, BOB, values.bond)]
    return pool, lambda seed, attempt: values.bond * 0xFFFF >= values.max_lock * sample_by_hand(seed, attempt), values.rounds


@vector_case("selection", "get_epoch_sequencers")
def test_draw_decided_by_the_first_sample_of_the_second_block(spec: ModuleType) -> Iterator[Part]:
    """Alice and Bob at the minimum bond, the rangers' DAC drawn first. The L1 randomness is the first of a fixed
    search whose draw refuses attempts 0 to 15 and accepts attempt 16, the first sample of the second keccak block
    (attempt // 16 = 1, from its start), where attempt 17, had it come to that, would have accepted the other."""
    pool, accepted, rounds = two_at_the_minimum_bond(spec)

    def decided_at_16(randomness: bytes) -> bool:
        seed = selection_seed_by_hand(randomness, RANGERS, 7)
        if any(accepted(seed, attempt) for attempt in range(16)) or not accepted(seed, 16):
            return False
        return accepted(seed, 17) and candidate_by_hand(seed, 16, 2, rounds) != candidate_by_hand(seed, 17, 2, rounds)

    randomness = randomness_found(decided_at_16)
    yield from expect_selected(spec, hub(spec, pool, [dac(spec, CHAIN)]), RANGERS, 7, l1_randomness=randomness)


@vector_case("selection", "get_epoch_sequencers")
def test_draw_decided_by_the_last_sample_of_the_first_block(spec: ModuleType) -> Iterator[Part]:
    """The same pool. The first randomness of the search whose draw refuses attempts 0 to 14 and accepts attempt
    15, the last sample of the first keccak block (its words 30 and 31), where the same place of the second block
    would refuse, and attempt 16 would accept the other sequencer."""
    pool, accepted, rounds = two_at_the_minimum_bond(spec)

    def decided_at_15(randomness: bytes) -> bool:
        seed = selection_seed_by_hand(randomness, RANGERS, 7)
        if any(accepted(seed, attempt) for attempt in range(15)) or not accepted(seed, 15) or accepted(seed, 31):
            return False
        return accepted(seed, 16) and candidate_by_hand(seed, 15, 2, rounds) != candidate_by_hand(seed, 16, 2, rounds)

    randomness = randomness_found(decided_at_15)
    yield from expect_selected(spec, hub(spec, pool, [dac(spec, CHAIN)]), RANGERS, 7, l1_randomness=randomness)


@vector_case("selection", "get_epoch_sequencers")
def test_draw_refusing_the_first_sample_of_the_second_block(spec: ModuleType) -> Iterator[Part]:
    """The same pool. The first randomness of the search whose draw refuses attempts 0 to 16, the last of them the
    first sample of the second keccak block, where attempt 16 names the sequencer the draw does not choose in the
    end: a client that reads attempt 16's word from anywhere else than the second block's first two bytes (past the
    first block's 32, say) may accept it there."""
    pool, accepted, rounds = two_at_the_minimum_bond(spec)
    values = hand(spec)
    addresses = [ALICE, BOB]

    def refused_through_16(randomness: bytes) -> bool:
        seed = selection_seed_by_hand(randomness, RANGERS, 7)
        if any(accepted(seed, attempt) for attempt in range(17)):
            return False
        chosen = select_by_hand([(a, values.bond) for a in addresses], seed, values.max_lock, rounds)
        return addresses[candidate_by_hand(seed, 16, 2, rounds)] != chosen

    randomness = randomness_found(refused_through_16)
    yield from expect_selected(spec, hub(spec, pool, [dac(spec, CHAIN)]), RANGERS, 7, l1_randomness=randomness)


def minimum_bond_pool(spec: ModuleType) -> list[Any]:
    """Alice, at the minimum bond, is the only active sequencer (the others have asked to exit)."""
    max_lock = hand(spec).max_lock
    return [sequencer(spec, DAVE, max_lock, T0), sequencer(spec, ALICE, hand(spec).bond), sequencer(spec, BOB, max_lock, CREATED_AT)]


@vector_case("selection", "get_epoch_sequencers")
def test_only_eligible_sequencer_at_minimum_bond(spec: ModuleType) -> Iterator[Part]:
    """Alice's minimum bond covers one DAC's threshold (B): she is drawn for the rangers' DAC (1000000000001088, first in
    chain-id order), however many attempts her 20% acceptance takes."""
    yield from expect_selected(spec, hub(spec, minimum_bond_pool(spec), [dac(spec, CHAIN)]), RANGERS, 3, known=ALICE)


@vector_case("selection", "get_epoch_sequencers")
def test_one_stake_does_not_cover_two_dacs(spec: ModuleType) -> Iterator[Part]:
    """The same pool, asked about acme (1000000000001089): Alice's stake is already bound to the rangers' DAC, B of B, so acme is
    unsequenced. Without stakes binding across DACs she would sequence both on one bond."""
    pre = hub(spec, minimum_bond_pool(spec), [dac(spec, CHAIN)])
    yield from expect_selected(spec, pre, CHAIN, 3, unsequenced=True)


@vector_case("selection", "get_epoch_sequencers")
def test_a_stake_covers_dacs_up_to_its_sum(spec: ModuleType) -> Iterator[Part]:
    """Dave alone, staking the maximum M = 5B (minimal and mainnet alike): the rangers' DAC (B) and acme (3B) sum to
    4B, within his stake, so he sequences both; a third DAC of threshold 2B would take the sum to 6B: unsequenced."""
    bond = hand(spec).bond
    pool = [sequencer(spec, DAVE, hand(spec).max_lock)]
    assert hand(spec).max_lock == 5 * bond
    dacs = [dac(spec, CHAIN, allocated=30 * bond), dac(spec, OTHER_CHAIN, allocated=20 * bond)]
    yield from expect_selected(spec, hub(spec, pool, dacs), OTHER_CHAIN, 6, unsequenced=True)


@vector_case("selection", "get_epoch_sequencers")
def test_unsequenced_with_empty_pool(spec: ModuleType) -> Iterator[Part]:
    """No sequencer at all: the DAC is unsequenced (null)."""
    yield from expect_selected(spec, hub(spec, [], [dac(spec, CHAIN)]), CHAIN, 0, unsequenced=True)


@vector_case("selection", "get_epoch_sequencers")
def test_unsequenced_when_everyone_exits(spec: ModuleType) -> Iterator[Part]:
    """Every sequencer has asked to exit: unsequenced."""
    pool = [sequencer(spec, ALICE, hand(spec).max_lock, T0), sequencer(spec, BOB, hand(spec).bond, CREATED_AT)]
    yield from expect_selected(spec, hub(spec, pool, [dac(spec, CHAIN)]), CHAIN, 1, unsequenced=True)


def pool_whose_largest_stake_exits(spec: ModuleType) -> list[Any]:
    """The weighted pool after Dave (100%) asked to exit: the largest active stake is Carol's 60%."""
    alice, bob, carol, _ = weighted_pool(spec)
    return [alice, bob, carol, sequencer(spec, DAVE, hand(spec).max_lock, T0)]


@vector_case("selection", "get_epoch_sequencers")
def test_unsequenced_when_dbt_above_every_stake(spec: ModuleType) -> Iterator[Part]:
    """Supply 10 x 80% of M (reached while Dave served it) puts the DBT at 80% of M; Dave has asked to exit and the
    others stake 20/35/60%: unsequenced."""
    pre = hub(spec, pool_whose_largest_stake_exits(spec), [dac(spec, CHAIN, allocated=10 * percent_of_max(spec, 80))])
    yield from expect_selected(spec, pre, CHAIN, 2, unsequenced=True)


@vector_case("selection", "get_epoch_sequencers")
def test_selection_uses_the_asked_dacs_supply(spec: ModuleType) -> Iterator[Part]:
    """Dave is exiting. Two DACs: 1000000000001089 is empty (Alice, Bob and Carol eligible), 1000000000001090 has DBT 80% of M (nobody).
    Asked about 1000000000001090: unsequenced."""
    dacs = [dac(spec, CHAIN), dac(spec, OTHER_CHAIN, allocated=10 * percent_of_max(spec, 80))]
    pre = hub(spec, pool_whose_largest_stake_exits(spec), dacs)
    yield from expect_selected(spec, pre, OTHER_CHAIN, 2, unsequenced=True)


@vector_case("selection", "get_epoch_sequencers")
def test_selection_for_second_dac(spec: ModuleType) -> Iterator[Part]:
    """Two DACs; asked about 1000000000001090 (empty): the chain id enters the seed, so this is not epoch 4 of 1000000000001089's draw."""
    dacs = [dac(spec, CHAIN, allocated=10 * percent_of_max(spec, 80)), dac(spec, OTHER_CHAIN)]
    yield from expect_selected(spec, hub(spec, weighted_pool(spec), dacs), OTHER_CHAIN, 4)


@vector_case("selection", "get_epoch_sequencers")
def test_selection_ignores_pending_deposits(spec: ModuleType) -> Iterator[Part]:
    """1000000000001089's supply is 0 but a 5M deposit waits in its queue (its DBT, M/2, is above every stake of a pool staking
    20% and 35% of M). Only the supply counts: DBT B, both sequencers eligible."""
    pool = [sequencer(spec, ALICE, percent_of_max(spec, 20)), sequencer(spec, BOB, percent_of_max(spec, 35))]
    waiting = deposit(spec, R1, 5 * hand(spec).max_lock)
    pre = hub(spec, pool, [dac(spec, CHAIN, pending=[waiting])])
    yield from expect_selected(spec, pre, CHAIN, 11)


@vector_case("selection", "get_epoch_sequencers")
def test_selection_at_largest_epoch(spec: ModuleType) -> Iterator[Part]:
    """The largest epoch with a snapshot, floor((2^64 - 1) / E) + 1 (2^61 minimal, 2,562,047,788,015,216 mainnet):
    its snapshot is taken in the first block of the epoch of L1 block 2^64 - 1, the last an L1 block number holds.
    Other L1 randomness; the seed encodes the epoch as a full uint256 word."""
    largest = (2**64 - 1) // hand(spec).l1_epoch + 1
    assert largest == {"minimal": 2**61, "mainnet": 2_562_047_788_015_216}[spec.PRESET]
    pre = hub(spec, weighted_pool(spec), [dac(spec, CHAIN)])
    yield from expect_selected(spec, pre, CHAIN, largest, l1_randomness=keccak(RANDOMNESS))


@vector_case("selection", "get_epoch_sequencers")
def test_selection_for_the_rangers_dac(spec: ModuleType) -> Iterator[Part]:
    """The rangers' DAC (1000000000001088, no allocation) is sequenced like any other."""
    yield from expect_selected(spec, hub(spec, weighted_pool(spec), [dac(spec, CHAIN)]), RANGERS, 0)


@vector_case("selection", "get_epoch_sequencers")
def test_selection_for_unknown_chain(spec: ModuleType) -> Iterator[Part]:
    """No DAC 1000000000001090 is registered."""
    pre = hub(spec, weighted_pool(spec), [dac(spec, CHAIN)])
    yield "pre", hub_state(pre)
    yield "input", {"operations": [], "chain_id": encode_uint(OTHER_CHAIN), "epoch": "0"}
    yield from expect_spec_error(
        spec, "UnknownChainId", lambda: spec.get_epoch_sequencers(pre, spec.ChainId(OTHER_CHAIN), spec.Epoch(0))
    )


@vector_case("selection", "get_epoch_sequencers")
def test_unknown_chain_checked_before_eligibility(spec: ModuleType) -> Iterator[Part]:
    """No sequencer at all and no DAC 1000000000001090: the chain id is looked up first, so UnknownChainId rather than null."""
    pre = hub(spec, [], [dac(spec, CHAIN)])
    yield "pre", hub_state(pre)
    yield "input", {"operations": [], "chain_id": encode_uint(OTHER_CHAIN), "epoch": "0"}
    yield from expect_spec_error(
        spec, "UnknownChainId", lambda: spec.get_epoch_sequencers(pre, spec.ChainId(OTHER_CHAIN), spec.Epoch(0))
    )


# --- hub operations ------------------------------------------------------------------------------------------------


class Operation(NamedTuple):
    """A hub operation: its name, its arguments as a vector carries them, and the spec call it stands for."""

    name: str
    args: dict[str, Any]
    call: Callable[[Any], Any]


def op_register(spec: ModuleType, address: bytes, amount: int) -> Operation:
    args = {"address": encode_bytes(address), "amount": encode_uint(amount)}
    return Operation(
        "register_sequencer", args, lambda hub: spec.register_sequencer(hub, spec.Address(address), spec.Wei(amount))
    )


def op_increase(spec: ModuleType, address: bytes, amount: int) -> Operation:
    args = {"address": encode_bytes(address), "amount": encode_uint(amount)}
    return Operation(
        "increase_sequencer_lock",
        args,
        lambda hub: spec.increase_sequencer_lock(hub, spec.Address(address), spec.Wei(amount)),
    )


def op_exit(spec: ModuleType, address: bytes) -> Operation:
    args = {"address": encode_bytes(address)}
    return Operation(
        "request_sequencer_exit", args, lambda hub: spec.request_sequencer_exit(hub, spec.Address(address))
    )


def op_withdraw_stake(spec: ModuleType, address: bytes) -> Operation:
    args = {"address": encode_bytes(address)}
    return Operation(
        "withdraw_sequencer_stake", args, lambda hub: spec.withdraw_sequencer_stake(hub, spec.Address(address))
    )


def op_slash(spec: ModuleType, address: bytes, ratio_bps: int) -> Operation:
    args = {"address": encode_bytes(address), "slash_ratio_bps": ratio_bps}
    return Operation(
        "slash_sequencer",
        args,
        lambda hub: spec.slash_sequencer(hub, spec.Address(address), spec.BasisPoints(ratio_bps)),
    )


def op_deposit(spec: ModuleType, chain_id: int, sender: bytes, mint: int, gas: int = PLAIN_CALL_GAS) -> Operation:
    """An L1 account (not a contract) deposits ``mint`` into ``chain_id``, for a call to RECIPIENT with no value."""
    args = {
        "chain_id": encode_uint(chain_id),
        "l1_sender": encode_bytes(sender),
        "from_contract": False,
        "to": encode_bytes(RECIPIENT),
        "mint": encode_uint(mint),
        "value": "0",
        "gas_limit": encode_uint(gas),
        "data": "0x",
    }

    def call(hub: Any) -> Any:
        return spec.deposit_into_dac(
            hub,
            spec.ChainId(chain_id),
            spec.Address(sender),
            False,
            spec.Address(RECIPIENT),
            spec.Wei(mint),
            spec.Wei(0),
            spec.uint64(gas),
            b"",
        )

    return Operation("deposit_into_dac", args, call)


def op_advance(spec: ModuleType, number: int, timestamp: int) -> Operation:
    block = l1_block(spec, number, timestamp)
    return Operation(
        "advance_l1_block", {"block": encode_l1_block(block)}, lambda hub: spec.advance_l1_block(hub, block)
    )


def op_create_dac(spec: ModuleType, chain_id: int, allocated: int = 0) -> Operation:
    """Create the DAC labelled LABELS[chain_id] with the cases' charter, allocating ``allocated`` to FOUNDER."""
    label = LABELS[chain_id]
    alloc = [(spec.Address(FOUNDER), spec.GenesisAccount(balance=allocated))] if allocated else []
    args = {
        "label": label,
        "charter": encode_charter(charter(spec)),
        "alloc": encode_genesis_alloc(alloc),
        "base_fee_per_gas": encode_uint(BASE_FEE),
    }
    return Operation(
        "create_dac", args, lambda hub: spec.create_dac(hub, label, charter(spec), alloc, spec.Wei(BASE_FEE))
    )


def op_register_provider(spec: ModuleType, address: bytes) -> Operation:
    args = {"address": encode_bytes(address)}
    return Operation(
        "register_compute_provider", args, lambda hub: spec.register_compute_provider(hub, spec.Address(address))
    )


AMOUNTS = {"withdraw_sequencer_stake": ("released",), "slash_sequencer": ("slashed",)}


def expect_post(spec: ModuleType, pre: Any, operation: Operation, hand_post: Any, *amounts: int) -> Iterator[Part]:
    """One operation; its post-state hub (and, for withdraw/slash, the amounts it returns) must equal the hand-built
    ones."""
    yield "pre", hub_state(pre)
    yield "input", operation.args
    result = operation.call(pre)
    post, *returned = result if isinstance(result, tuple) else (result,)
    assert post == hand_post, f"spec post-state {post}\nbuilt by hand   {hand_post}"
    assert returned == list(amounts), f"spec returned {returned}, worked out by hand {list(amounts)}"
    names = AMOUNTS.get(operation.name, ())
    assert len(names) == len(amounts)
    yield "post", hub_state(post) | {name: encode_uint(amount) for name, amount in zip(names, amounts)}


def expect_rejected(spec: ModuleType, pre: Any, operation: Operation, error: str) -> Iterator[Part]:
    yield "pre", hub_state(pre)
    yield "input", operation.args
    yield from expect_spec_error(spec, error, lambda: operation.call(pre))


def run_operations(pre: Any, operations: Sequence[Operation]) -> Any:
    current = pre
    for operation in operations:
        result = operation.call(current)
        current = result[0] if isinstance(result, tuple) else result
    return current


def operations_input(operations: Sequence[Operation]) -> Part:
    return "input", {"operations": [{"op": operation.name, **operation.args} for operation in operations]}


def expect_operations(spec: ModuleType, pre: Any, operations: Sequence[Operation], hand_post: Any) -> Iterator[Part]:
    yield "pre", hub_state(pre)
    yield operations_input(operations)
    post = run_operations(pre, operations)
    assert post == hand_post, f"spec post-state {post}\nbuilt by hand   {hand_post}"
    yield "post", hub_state(post)


def expect_operations_rejected(
    spec: ModuleType, pre: Any, operations: Sequence[Operation], error: str
) -> Iterator[Part]:
    yield "pre", hub_state(pre)
    yield operations_input(operations)
    yield from expect_spec_error(spec, error, lambda: run_operations(pre, operations))


# --- stakes: register_sequencer ------------------------------------------------------------------------------------


@vector_case("stakes", "register_sequencer")
def test_register_first_sequencer(spec: ModuleType) -> Iterator[Part]:
    """Alice locks the minimum bond B into an empty pool."""
    bond = hand(spec).bond
    pre = hub(spec, [], [dac(spec, CHAIN)])
    post = hub(spec, [sequencer(spec, ALICE, bond)], [dac(spec, CHAIN)])
    yield from expect_post(spec, pre, op_register(spec, ALICE, bond), post)


@vector_case("stakes", "register_sequencer")
def test_register_at_maximum_lock(spec: ModuleType) -> Iterator[Part]:
    """Locking exactly MAX_SEQUENCER_LOCK is allowed."""
    max_lock = hand(spec).max_lock
    post = hub(spec, [sequencer(spec, ALICE, max_lock)])
    yield from expect_post(spec, hub(spec), op_register(spec, ALICE, max_lock), post)


@vector_case("stakes", "register_sequencer")
def test_register_keeps_registration_order(spec: ModuleType) -> Iterator[Part]:
    """Bob registered first; Alice joins behind him (the pool is in registration order, not address order)."""
    bond = hand(spec).bond
    pre = hub(spec, [sequencer(spec, BOB, 2 * bond)])
    post = hub(spec, [sequencer(spec, BOB, 2 * bond), sequencer(spec, ALICE, bond)])
    yield from expect_post(spec, pre, op_register(spec, ALICE, bond), post)


@vector_case("stakes", "register_sequencer")
def test_register_below_minimum(spec: ModuleType) -> Iterator[Part]:
    """B - 1 wei is less than MIN_SEQUENCER_BOND."""
    yield from expect_rejected(spec, hub(spec), op_register(spec, ALICE, hand(spec).bond - 1), "LockBelowMinimum")


@vector_case("stakes", "register_sequencer")
def test_register_nothing(spec: ModuleType) -> Iterator[Part]:
    """Locking 0 is below the minimum bond."""
    yield from expect_rejected(spec, hub(spec), op_register(spec, ALICE, 0), "LockBelowMinimum")


@vector_case("stakes", "register_sequencer")
def test_register_above_maximum(spec: ModuleType) -> Iterator[Part]:
    """M + 1 wei is more than MAX_SEQUENCER_LOCK."""
    yield from expect_rejected(spec, hub(spec), op_register(spec, ALICE, hand(spec).max_lock + 1), "LockAboveMaximum")


@vector_case("stakes", "register_sequencer")
def test_register_twice(spec: ModuleType) -> Iterator[Part]:
    """Alice is already in the pool."""
    bond = hand(spec).bond
    pre = hub(spec, [sequencer(spec, ALICE, bond)])
    yield from expect_rejected(spec, pre, op_register(spec, ALICE, bond), "SequencerAlreadyRegistered")


@vector_case("stakes", "register_sequencer")
def test_register_twice_checked_before_amount(spec: ModuleType) -> Iterator[Part]:
    """Alice, already registered (and exiting), registers again below the minimum: the duplicate check comes first."""
    bond = hand(spec).bond
    pre = hub(spec, [sequencer(spec, ALICE, bond, T0)])
    yield from expect_rejected(spec, pre, op_register(spec, ALICE, bond - 1), "SequencerAlreadyRegistered")


@vector_case("stakes", "register_sequencer")
def test_register_applies_queued_deposits_of_every_dac(spec: ModuleType) -> Iterator[Part]:
    """No sequencer yet, so deposits wait: 1000000000001089 holds [3B], 1000000000001090 holds [2B, 10B]. Alice registers with B, which
    serves supplies up to 10B: 1000000000001089 enqueues 3B (nonce 0, in the current L1 block); 1000000000001090 enqueues 2B, then
    2B + 10B = 12B > 10B stops the queue."""
    bond = hand(spec).bond
    d1, d2, d3 = deposit(spec, R1, 3 * bond), deposit(spec, R2, 2 * bond), deposit(spec, R3, 10 * bond)
    pre = hub(spec, [], [dac(spec, CHAIN, pending=[d1]), dac(spec, OTHER_CHAIN, pending=[d2, d3])])
    post = hub(
        spec,
        [sequencer(spec, ALICE, bond)],
        [
            dac(spec, CHAIN, supply=3 * bond, deposits=[enqueued(spec, 0, START, d1)]),
            dac(spec, OTHER_CHAIN, supply=2 * bond, deposits=[enqueued(spec, 0, START, d2)], pending=[d3]),
        ],
    )
    yield from expect_post(spec, pre, op_register(spec, ALICE, bond), post)


@vector_case("stakes", "register_sequencer")
def test_register_drains_up_to_the_deposit_gas_budget(spec: ModuleType) -> Iterator[Part]:
    """1000000000001089 queues three deposits of m carrying G/2, G/2 and 21,000 gas. Alice registers: the first two fill
    the L1 block's budget G exactly and are enqueued (nonces 0, 1); G + 21,000 > G, so the third waits for the next
    L1 block."""
    values = hand(spec)
    half, least = values.gas_budget // 2, values.min_mint
    assert 2 * half == values.gas_budget
    d1, d2, d3 = deposit(spec, R1, least, half), deposit(spec, R2, least, half), deposit(spec, R3, least)
    pre = hub(spec, [], [dac(spec, CHAIN, pending=[d1, d2, d3])])
    inbox = [enqueued(spec, 0, START, d1), enqueued(spec, 1, START, d2)]
    record = dac(spec, CHAIN, supply=2 * least, deposits=inbox, pending=[waiting_deposit(spec, 2, d3)])
    post = hub(spec, [sequencer(spec, ALICE, values.bond)], [record])
    yield from expect_post(spec, pre, op_register(spec, ALICE, values.bond), post)


@vector_case("stakes", "register_sequencer")
def test_register_counts_gas_already_enqueued_in_this_l1_block(spec: ModuleType) -> Iterator[Part]:
    """In the current L1 block 1000000000001089 already enqueued a deposit of G/2 + 1 gas (while Bob, now exiting, served it);
    [R2: G/2 gas] waits for a sequencer. Alice registers: G/2 + 1 + G/2 > G, so R2 still waits."""
    values = hand(spec)
    half = values.gas_budget // 2
    d1, d2 = deposit(spec, R1, values.bond, half + 1), deposit(spec, R2, values.bond, half)
    record = dac(spec, CHAIN, supply=values.bond, deposits=[enqueued(spec, 0, START, d1)], pending=[d2])
    bob = sequencer(spec, BOB, values.bond, T0)
    post = hub(spec, [bob, sequencer(spec, ALICE, values.bond)], [record])
    yield from expect_post(spec, hub(spec, [bob], [record]), op_register(spec, ALICE, values.bond), post)


@vector_case("stakes", "register_sequencer")
def test_register_ignores_gas_of_earlier_l1_blocks(spec: ModuleType) -> Iterator[Part]:
    """1000000000001089 enqueued a deposit of G/2 + 1 gas in the previous L1 block, 100 (while Bob, now exiting, served it);
    [R2: G/2 gas] waits for a sequencer. Alice registers in L1 block 101, whose budget is untouched: R2 is enqueued
    with nonce 1 in block 101; supply B + B = 2B."""
    values = hand(spec)
    half, bond = values.gas_budget // 2, values.bond
    blocks = clock(spec, T0, T0 + 12)
    d1, d2 = deposit(spec, R1, bond, half + 1), deposit(spec, R2, bond, half)
    bob = sequencer(spec, BOB, bond, T0)
    pre = hub(
        spec,
        [bob],
        [dac(spec, CHAIN, supply=bond, deposits=[enqueued(spec, 0, START, d1)], pending=[d2])],
        blocks=blocks,
    )
    inbox = [enqueued(spec, 0, START, d1), enqueued(spec, 1, START + 1, d2)]
    post = hub(
        spec, [bob, sequencer(spec, ALICE, bond)], [dac(spec, CHAIN, supply=2 * bond, deposits=inbox)], blocks=blocks
    )
    yield from expect_post(spec, pre, op_register(spec, ALICE, bond), post)


# --- stakes: increase_sequencer_lock -------------------------------------------------------------------------------


@vector_case("stakes", "increase_sequencer_lock")
def test_increase_lock(spec: ModuleType) -> Iterator[Part]:
    """Alice's B becomes 2B."""
    bond = hand(spec).bond
    pre = hub(spec, [sequencer(spec, ALICE, bond)])
    yield from expect_post(spec, pre, op_increase(spec, ALICE, bond), hub(spec, [sequencer(spec, ALICE, 2 * bond)]))


@vector_case("stakes", "increase_sequencer_lock")
def test_increase_lock_to_exactly_maximum(spec: ModuleType) -> Iterator[Part]:
    """B + (M - B) = M: allowed."""
    bond, max_lock = hand(spec).bond, hand(spec).max_lock
    pre = hub(spec, [sequencer(spec, ALICE, bond)])
    yield from expect_post(
        spec, pre, op_increase(spec, ALICE, max_lock - bond), hub(spec, [sequencer(spec, ALICE, max_lock)])
    )


@vector_case("stakes", "increase_sequencer_lock")
def test_increase_lock_above_maximum(spec: ModuleType) -> Iterator[Part]:
    """B + (M - B + 1) = M + 1 wei: too much."""
    bond, max_lock = hand(spec).bond, hand(spec).max_lock
    pre = hub(spec, [sequencer(spec, ALICE, bond)])
    yield from expect_rejected(spec, pre, op_increase(spec, ALICE, max_lock - bond + 1), "LockAboveMaximum")


@vector_case("stakes", "increase_sequencer_lock")
def test_increase_lock_of_unknown_sequencer(spec: ModuleType) -> Iterator[Part]:
    """Bob is not in the pool."""
    bond = hand(spec).bond
    pre = hub(spec, [sequencer(spec, ALICE, bond)])
    yield from expect_rejected(spec, pre, op_increase(spec, BOB, bond), "UnknownSequencer")


@vector_case("stakes", "increase_sequencer_lock")
def test_increase_lock_while_exiting(spec: ModuleType) -> Iterator[Part]:
    """Alice asked to exit: she may not add stake (even an amount that would also break the maximum: SequencerExiting
    is checked first)."""
    bond, max_lock = hand(spec).bond, hand(spec).max_lock
    pre = hub(spec, [sequencer(spec, ALICE, bond, T0)])
    yield from expect_rejected(spec, pre, op_increase(spec, ALICE, max_lock), "SequencerExiting")


@vector_case("stakes", "increase_sequencer_lock")
def test_increase_lock_applies_queued_deposits(spec: ModuleType) -> Iterator[Part]:
    """Alice (B) serves supplies up to 10B; 1000000000001089 holds 8B and queues [5B, 1B]. With 2B she serves up to 20B:
    8B + 5B = 13B, then 14B, both enqueued in order (nonces 0, 1)."""
    bond = hand(spec).bond
    d1, d2 = deposit(spec, R1, 5 * bond), deposit(spec, R2, bond)
    pre = hub(spec, [sequencer(spec, ALICE, bond)], [dac(spec, CHAIN, allocated=8 * bond, pending=[d1, d2])])
    inbox = [enqueued(spec, 0, START, d1), enqueued(spec, 1, START, d2)]
    post = hub(
        spec,
        [sequencer(spec, ALICE, 2 * bond)],
        [dac(spec, CHAIN, allocated=8 * bond, supply=14 * bond, deposits=inbox)],
    )
    yield from expect_post(spec, pre, op_increase(spec, ALICE, bond), post)


@vector_case("stakes", "increase_sequencer_lock")
def test_increase_lock_by_too_little_leaves_the_queue(spec: ModuleType) -> Iterator[Part]:
    """Alice (B) and 1000000000001089 at 8B with [5B] waiting: 13B needs a DBT of 1.3B; Alice adds 0.2B (1.2B serves 12B), not
    enough, so 5B still waits."""
    bond = hand(spec).bond
    waiting = deposit(spec, R1, 5 * bond)
    record = dac(spec, CHAIN, allocated=8 * bond, pending=[waiting])
    pre = hub(spec, [sequencer(spec, ALICE, bond)], [record])
    post = hub(spec, [sequencer(spec, ALICE, 6 * bond // 5)], [record])
    yield from expect_post(spec, pre, op_increase(spec, ALICE, bond // 5), post)


# --- stakes: request_sequencer_exit --------------------------------------------------------------------------------


@vector_case("stakes", "request_sequencer_exit")
def test_request_exit_stamps_the_current_l1_time(spec: ModuleType) -> Iterator[Part]:
    """The hub is at L1 block 101, 12 s after 100: Alice's exit is stamped with that block's time, 1,000,012."""
    bond = hand(spec).bond
    blocks = clock(spec, T0, T0 + 12)
    pre = hub(spec, [sequencer(spec, ALICE, bond)], blocks=blocks)
    post = hub(spec, [sequencer(spec, ALICE, bond, T0 + 12)], blocks=blocks)
    yield from expect_post(spec, pre, op_exit(spec, ALICE), post)


@vector_case("stakes", "request_sequencer_exit")
def test_request_exit_keeps_supply_and_queue(spec: ModuleType) -> Iterator[Part]:
    """Alice (B) asks to exit; 1000000000001089 keeps its 5B supply and its waiting [6B] (11B > 10B) although nobody can
    sequence it now."""
    bond = hand(spec).bond
    record = dac(spec, CHAIN, allocated=5 * bond, pending=[deposit(spec, R1, 6 * bond)])
    pre = hub(spec, [sequencer(spec, ALICE, bond)], [record])
    post = hub(spec, [sequencer(spec, ALICE, bond, T0)], [record])
    yield from expect_post(spec, pre, op_exit(spec, ALICE), post)


@vector_case("stakes", "request_sequencer_exit")
def test_request_exit_at_time_zero(spec: ModuleType) -> Iterator[Part]:
    """A hub whose first L1 block is at time 0: the exit is recorded as "0", not as null."""
    bond = hand(spec).bond
    blocks = (l1_block(spec, START, 0),)
    pre = hub(spec, [sequencer(spec, ALICE, bond)], blocks=blocks)
    yield from expect_post(spec, pre, op_exit(spec, ALICE), hub(spec, [sequencer(spec, ALICE, bond, 0)], blocks=blocks))


@vector_case("stakes", "request_sequencer_exit")
def test_request_exit_twice(spec: ModuleType) -> Iterator[Part]:
    """Alice already asked to exit, in the hub's first L1 block."""
    pre = hub(spec, [sequencer(spec, ALICE, hand(spec).bond, CREATED_AT)])
    yield from expect_rejected(spec, pre, op_exit(spec, ALICE), "SequencerExiting")


@vector_case("stakes", "request_sequencer_exit")
def test_request_exit_of_unknown_sequencer(spec: ModuleType) -> Iterator[Part]:
    """Bob is not in the pool."""
    pre = hub(spec, [sequencer(spec, ALICE, hand(spec).bond)])
    yield from expect_rejected(spec, pre, op_exit(spec, BOB), "UnknownSequencer")


# --- stakes: withdraw_sequencer_stake ------------------------------------------------------------------------------


@vector_case("stakes", "withdraw_sequencer_stake")
def test_withdraw_stake_exactly_at_exit_delay(spec: ModuleType) -> Iterator[Part]:
    """Alice asked to exit at 1,000,000; the current L1 block's time is 1,000,000 + SEQUENCER_EXIT_DELAY (60 s minimal, 21 days
    mainnet): she leaves with her 3B."""
    values = hand(spec)
    blocks = clock(spec, T0, T0 + values.exit_delay)
    pre = hub(spec, [sequencer(spec, ALICE, 3 * values.bond, T0)], [dac(spec, CHAIN)], blocks=blocks)
    post = hub(spec, [], [dac(spec, CHAIN)], blocks=blocks)
    yield from expect_post(spec, pre, op_withdraw_stake(spec, ALICE), post, 3 * values.bond)


@vector_case("stakes", "withdraw_sequencer_stake")
def test_withdraw_stake_one_second_early(spec: ModuleType) -> Iterator[Part]:
    """Exit at 1,000,000; the current L1 block's time is 1,000,000 + SEQUENCER_EXIT_DELAY - 1: the delay has not passed."""
    values = hand(spec)
    blocks = clock(spec, T0, T0 + values.exit_delay - 1)
    pre = hub(spec, [sequencer(spec, ALICE, 3 * values.bond, T0)], blocks=blocks)
    yield from expect_rejected(spec, pre, op_withdraw_stake(spec, ALICE), "ExitDelayNotElapsed")


@vector_case("stakes", "withdraw_sequencer_stake")
def test_withdraw_stake_in_the_block_of_the_exit(spec: ModuleType) -> Iterator[Part]:
    """Exit stamped with the current block's own time: no time has passed."""
    values = hand(spec)
    pre = hub(spec, [sequencer(spec, ALICE, values.bond, T0)])
    yield from expect_rejected(spec, pre, op_withdraw_stake(spec, ALICE), "ExitDelayNotElapsed")


@vector_case("stakes", "withdraw_sequencer_stake")
def test_withdraw_stake_after_exit_at_time_zero(spec: ModuleType) -> Iterator[Part]:
    """Exit at L1 time 0 (not null), in a hub whose first L1 block is at time 0: withdrawable in an L1 block at time
    SEQUENCER_EXIT_DELAY."""
    values = hand(spec)
    blocks = (l1_block(spec, START, 0), l1_block(spec, START + 1, values.exit_delay))
    pre = hub(spec, [sequencer(spec, ALICE, values.bond, 0)], blocks=blocks)
    yield from expect_post(spec, pre, op_withdraw_stake(spec, ALICE), hub(spec, blocks=blocks), values.bond)


@vector_case("stakes", "withdraw_sequencer_stake")
def test_withdraw_stake_keeps_the_others_in_order(spec: ModuleType) -> Iterator[Part]:
    """Bob, in the middle of the pool, leaves one second after his delay; Alice and Carol keep their order."""
    values = hand(spec)
    pool = [
        sequencer(spec, ALICE, values.bond),
        sequencer(spec, BOB, 2 * values.bond, T0),
        sequencer(spec, CAROL, values.max_lock),
    ]
    blocks = clock(spec, T0, T0 + values.exit_delay + 1)
    pre, post = hub(spec, pool, blocks=blocks), hub(spec, [pool[0], pool[2]], blocks=blocks)
    yield from expect_post(spec, pre, op_withdraw_stake(spec, BOB), post, 2 * values.bond)


@vector_case("stakes", "withdraw_sequencer_stake")
def test_withdraw_stake_without_exit(spec: ModuleType) -> Iterator[Part]:
    """Alice never asked to exit (the hub's time is far past any delay)."""
    blocks = clock(spec, T0, T0 + 10 * hand(spec).exit_delay)
    pre = hub(spec, [sequencer(spec, ALICE, hand(spec).bond)], blocks=blocks)
    yield from expect_rejected(spec, pre, op_withdraw_stake(spec, ALICE), "SequencerNotExiting")


@vector_case("stakes", "withdraw_sequencer_stake")
def test_withdraw_stake_of_unknown_sequencer(spec: ModuleType) -> Iterator[Part]:
    """Bob is not in the pool."""
    pre = hub(spec, [sequencer(spec, ALICE, hand(spec).bond, CREATED_AT)])
    yield from expect_rejected(spec, pre, op_withdraw_stake(spec, BOB), "UnknownSequencer")


# --- stakes: slash_sequencer ---------------------------------------------------------------------------------------


@vector_case("stakes", "slash_sequencer")
def test_slash_ten_percent(spec: ModuleType) -> Iterator[Part]:
    """10% of Alice's 3B: 0.3B slashed (6 MT minimal); the other 2.7B stay locked, and she stays in the pool,
    exiting from now (the hub's time T0), so she is eligible nowhere and her stake leaves only after the exit
    delay. Bob is untouched."""
    bond = hand(spec).bond
    pool = [sequencer(spec, ALICE, 3 * bond), sequencer(spec, BOB, bond)]
    post = hub(spec, [sequencer(spec, ALICE, 27 * bond // 10, T0), pool[1]])
    yield from expect_post(spec, hub(spec, pool), op_slash(spec, ALICE, 1000), post, 3 * bond // 10)


@vector_case("stakes", "slash_sequencer")
def test_slash_rounds_down(spec: ModuleType) -> Iterator[Part]:
    """1 bps of B + 9,999 wei: B / 10,000 exactly plus 0.9999 wei, rounded down to B / 10,000."""
    bond = hand(spec).bond
    pre = hub(spec, [sequencer(spec, ALICE, bond + 9_999)])
    slashed = bond // 10_000
    post = hub(spec, [sequencer(spec, ALICE, bond + 9_999 - slashed, T0)])
    yield from expect_post(spec, pre, op_slash(spec, ALICE, 1), post, slashed)


@vector_case("stakes", "slash_sequencer")
def test_slash_everything(spec: ModuleType) -> Iterator[Part]:
    """10,000 bps takes the whole stake; Alice stays in the pool with nothing locked, exiting."""
    max_lock = hand(spec).max_lock
    pre = hub(spec, [sequencer(spec, ALICE, max_lock)])
    post = hub(spec, [sequencer(spec, ALICE, 0, T0)])
    yield from expect_post(spec, pre, op_slash(spec, ALICE, 10_000), post, max_lock)


@vector_case("stakes", "slash_sequencer")
def test_slash_nothing_still_removes(spec: ModuleType) -> Iterator[Part]:
    """0 bps slashes nothing, yet the sequencer is made to exit: no stake is released by a slash."""
    bond = hand(spec).bond
    pre = hub(spec, [sequencer(spec, ALICE, bond)])
    yield from expect_post(spec, pre, op_slash(spec, ALICE, 0), hub(spec, [sequencer(spec, ALICE, bond, T0)]), 0)


@vector_case("stakes", "slash_sequencer")
def test_slash_exiting_sequencer(spec: ModuleType) -> Iterator[Part]:
    """A sequencer waiting out its exit delay can still be slashed: 50% of 2B. Its exit keeps the time it was asked
    for (T0 - 5 here): a slash neither shortens nor restarts the delay."""
    bond = hand(spec).bond
    pre = hub(spec, [sequencer(spec, ALICE, 2 * bond, T0 - 5)])
    yield from expect_post(spec, pre, op_slash(spec, ALICE, 5_000), hub(spec, [sequencer(spec, ALICE, bond, T0 - 5)]), bond)


@vector_case("stakes", "slash_sequencer")
def test_slash_unknown_sequencer(spec: ModuleType) -> Iterator[Part]:
    """Bob is not in the pool."""
    pre = hub(spec, [sequencer(spec, ALICE, hand(spec).bond)])
    yield from expect_rejected(spec, pre, op_slash(spec, BOB, 1000), "UnknownSequencer")


@vector_case("stakes", "slash_sequencer")
def test_slash_ratio_above_maximum(spec: ModuleType) -> Iterator[Part]:
    """A slash of 10,001 bps (more than the whole stake) is refused."""
    pre = hub(spec, [sequencer(spec, ALICE, hand(spec).bond)])
    yield from expect_rejected(spec, pre, op_slash(spec, ALICE, 10_001), "InvalidSlashRatio")


@vector_case("stakes", "slash_sequencer")
def test_slash_unknown_sequencer_checked_before_ratio(spec: ModuleType) -> Iterator[Part]:
    """Bob is not in the pool and 10,001 bps is too much: the sequencer is looked up first, so UnknownSequencer."""
    pre = hub(spec, [sequencer(spec, ALICE, hand(spec).bond)])
    yield from expect_rejected(spec, pre, op_slash(spec, BOB, 10_001), "UnknownSequencer")


# --- stakes: sequences of hub operations, with deposits and the L1 clock --------------------------------------------


@vector_case("stakes", "apply_operations")
def test_no_operations(spec: ModuleType) -> Iterator[Part]:
    """An empty list leaves the hub as it was."""
    values = hand(spec)
    record = dac(spec, CHAIN, allocated=3 * values.min_mint, pending=[deposit(spec, R1, 4 * values.min_mint)])
    pre = hub(spec, [sequencer(spec, ALICE, values.bond, T0)], [record])
    yield from expect_operations(spec, pre, [], pre)


@vector_case("stakes", "apply_operations")
def test_deposit_enqueued_at_once(spec: ModuleType) -> Iterator[Part]:
    """Alice (B) serves up to 10B: a 3B deposit into an empty DAC leaves the queue at once, nonce 0, L1 block
    100."""
    bond = hand(spec).bond
    pool = [sequencer(spec, ALICE, bond)]
    item = deposit(spec, R1, 3 * bond)
    post = hub(spec, pool, [dac(spec, CHAIN, supply=3 * bond, deposits=[enqueued(spec, 0, START, item)])])
    yield from expect_operations(
        spec, hub(spec, pool, [dac(spec, CHAIN)]), [op_deposit(spec, CHAIN, R1, 3 * bond)], post
    )


@vector_case("stakes", "apply_operations")
def test_deposit_waits_without_sequencers(spec: ModuleType) -> Iterator[Part]:
    """No sequencer: the deposit waits in the queue, the supply stays 0."""
    bond = hand(spec).bond
    post = hub(spec, [], [dac(spec, CHAIN, pending=[deposit(spec, R1, 3 * bond)])])
    yield from expect_operations(spec, hub(spec, [], [dac(spec, CHAIN)]), [op_deposit(spec, CHAIN, R1, 3 * bond)], post)


@vector_case("stakes", "apply_operations")
def test_deposit_of_nothing_needs_no_sequencer(spec: ModuleType) -> Iterator[Part]:
    """A deposit minting nothing (a pure L1 -> L2 message) needs no eligible sequencer: with none, it is enqueued."""
    post = hub(spec, [], [dac(spec, CHAIN, supply=0, deposits=[enqueued(spec, 0, START, deposit(spec, R1, 0))])])
    yield from expect_operations(spec, hub(spec, [], [dac(spec, CHAIN)]), [op_deposit(spec, CHAIN, R1, 0)], post)


@vector_case("stakes", "apply_operations")
def test_deposit_up_to_the_boundary(spec: ModuleType) -> Iterator[Part]:
    """A 10B deposit makes the DBT exactly B, Alice's stake: enqueued."""
    bond = hand(spec).bond
    pool = [sequencer(spec, ALICE, bond)]
    item = deposit(spec, R1, 10 * bond)
    post = hub(spec, pool, [dac(spec, CHAIN, supply=10 * bond, deposits=[enqueued(spec, 0, START, item)])])
    yield from expect_operations(
        spec, hub(spec, pool, [dac(spec, CHAIN)]), [op_deposit(spec, CHAIN, R1, 10 * bond)], post
    )


@vector_case("stakes", "apply_operations")
def test_deposit_one_wei_over_the_boundary(spec: ModuleType) -> Iterator[Part]:
    """10B + 1 wei would make the DBT B + 1 (rounded up), above Alice's B: it waits."""
    bond = hand(spec).bond
    pool = [sequencer(spec, ALICE, bond)]
    post = hub(spec, pool, [dac(spec, CHAIN, pending=[deposit(spec, R1, 10 * bond + 1)])])
    yield from expect_operations(
        spec, hub(spec, pool, [dac(spec, CHAIN)]), [op_deposit(spec, CHAIN, R1, 10 * bond + 1)], post
    )


@vector_case("stakes", "apply_operations")
def test_deposit_counts_the_genesis_allocation(spec: ModuleType) -> Iterator[Part]:
    """1000000000001089's genesis allocated 9B; Alice (B) serves 10B: a 1B deposit fits (10B), a further m (the least
    a deposit may mint) does not, and waits."""
    bond, least = hand(spec).bond, hand(spec).min_mint
    pool = [sequencer(spec, ALICE, bond)]
    first, second = deposit(spec, R1, bond), deposit(spec, R2, least)
    operations = [op_deposit(spec, CHAIN, R1, bond), op_deposit(spec, CHAIN, R2, least)]
    record = dac(
        spec, CHAIN, allocated=9 * bond, supply=10 * bond, deposits=[enqueued(spec, 0, START, first)], pending=[second]
    )
    yield from expect_operations(
        spec, hub(spec, pool, [dac(spec, CHAIN, allocated=9 * bond)]), operations, hub(spec, pool, [record])
    )


@vector_case("stakes", "apply_operations")
def test_small_deposit_behind_blocked_one_stays_queued(spec: ModuleType) -> Iterator[Part]:
    """Supply 8B, queue [5B] (13B > 10B). A 1B deposit alone would fit (9B), but it may not overtake: it waits."""
    bond = hand(spec).bond
    pool = [sequencer(spec, ALICE, bond)]
    blocked, small = deposit(spec, R1, 5 * bond), deposit(spec, R2, bond)
    pre = hub(spec, pool, [dac(spec, CHAIN, allocated=8 * bond, pending=[blocked])])
    post = hub(spec, pool, [dac(spec, CHAIN, allocated=8 * bond, pending=[blocked, small])])
    yield from expect_operations(spec, pre, [op_deposit(spec, CHAIN, R2, bond)], post)


@vector_case("stakes", "apply_operations")
def test_deposit_ignores_exiting_sequencer(spec: ModuleType) -> Iterator[Part]:
    """Alice (maximum stake) asked to exit, so even the least deposit, m, must wait."""
    least = hand(spec).min_mint
    pool = [sequencer(spec, ALICE, hand(spec).max_lock, T0)]
    post = hub(spec, pool, [dac(spec, CHAIN, pending=[deposit(spec, R1, least)])])
    yield from expect_operations(spec, hub(spec, pool, [dac(spec, CHAIN)]), [op_deposit(spec, CHAIN, R1, least)], post)


@vector_case("stakes", "apply_operations")
def test_deposit_beyond_any_stake_is_refused(spec: ModuleType) -> Iterator[Part]:
    """10M + 1 wei needs a DBT of M + 1, above MAX_SEQUENCER_LOCK: no sequencer could ever be eligible for it, so it
    is refused rather than queued (it would block every deposit behind it for good)."""
    max_lock = hand(spec).max_lock
    pre = hub(spec, [sequencer(spec, ALICE, max_lock)], [dac(spec, CHAIN)])
    operations = [op_deposit(spec, CHAIN, R1, 10 * max_lock + 1), op_deposit(spec, CHAIN, R2, hand(spec).min_mint)]
    yield from expect_operations_rejected(spec, pre, operations, "DepositExceedsBondCapacity")


@vector_case("stakes", "apply_operations")
def test_deposit_at_bond_capacity_is_enqueued(spec: ModuleType) -> Iterator[Part]:
    """Exactly 10M wei needs a DBT of exactly M: a sequencer with the maximum lock covers it."""
    max_lock = hand(spec).max_lock
    pool = [sequencer(spec, ALICE, max_lock)]
    item = deposit(spec, R1, 10 * max_lock)
    post = hub(spec, pool, [dac(spec, CHAIN, supply=10 * max_lock, deposits=[enqueued(spec, 0, START, item)])])
    yield from expect_operations(
        spec, hub(spec, pool, [dac(spec, CHAIN)]), [op_deposit(spec, CHAIN, R1, 10 * max_lock)], post
    )


@vector_case("stakes", "apply_operations")
def test_bond_capacity_counts_the_supply(spec: ModuleType) -> Iterator[Part]:
    """1000000000001089 already holds 10M (DBT M). A deposit of m is refused although its own DBT is only B: 10M + m
    together need M + ceil(m / 10), more than anyone may lock, so it could only wait at the head of the queue
    forever, and everyone behind it with it."""
    values = hand(spec)
    pool = [sequencer(spec, ALICE, values.max_lock)]
    pre = hub(spec, pool, [dac(spec, CHAIN, allocated=10 * values.max_lock)])
    operations = [op_deposit(spec, CHAIN, R1, values.min_mint)]
    yield from expect_operations_rejected(spec, pre, operations, "DepositExceedsRemainingBondCapacity")


@vector_case("stakes", "apply_operations")
def test_bond_capacity_counts_pending_deposits(spec: ModuleType) -> Iterator[Part]:
    """No sequencer; 1000000000001089 holds 5M and 4M waits in its queue: 1M more is accepted and waits (exactly 10M locked,
    DBT M), then a further m is refused (10M + m)."""
    values = hand(spec)
    max_lock, least = values.max_lock, values.min_mint
    pre = hub(spec, [], [dac(spec, CHAIN, allocated=5 * max_lock, pending=[deposit(spec, R1, 4 * max_lock)])])
    operations = [op_deposit(spec, CHAIN, R2, max_lock), op_deposit(spec, CHAIN, R3, least)]
    yield from expect_operations_rejected(spec, pre, operations, "DepositExceedsRemainingBondCapacity")


@vector_case("stakes", "apply_operations")
def test_deposit_up_to_the_remaining_bond_capacity_waits(spec: ModuleType) -> Iterator[Part]:
    """No sequencer; 1000000000001089 holds 5M and 4M waits: 1M more makes exactly 10M locked (DBT M), which a maximum
    stake can bond: accepted, it waits behind the 4M with ticket 1."""
    max_lock = hand(spec).max_lock
    first, second = deposit(spec, R1, 4 * max_lock), deposit(spec, R2, max_lock)
    pre = hub(spec, [], [dac(spec, CHAIN, allocated=5 * max_lock, pending=[first])])
    post = hub(spec, [], [dac(spec, CHAIN, allocated=5 * max_lock, pending=[first, second])])
    yield from expect_operations(spec, pre, [op_deposit(spec, CHAIN, R2, max_lock)], post)


@vector_case("stakes", "apply_operations")
def test_deposit_gas_checked_before_bond_capacity(spec: ModuleType) -> Iterator[Part]:
    """A deposit both beyond the bond capacity (10M + 1) and above the per-block gas budget (G + 1): the deposit's
    own checks come first, so DepositGasAboveLimit."""
    values = hand(spec)
    pre = hub(spec, [sequencer(spec, ALICE, values.max_lock)], [dac(spec, CHAIN)])
    operations = [op_deposit(spec, CHAIN, R1, 10 * values.max_lock + 1, values.gas_budget + 1)]
    yield from expect_operations_rejected(spec, pre, operations, "DepositGasAboveLimit")


@vector_case("stakes", "apply_operations")
def test_deposit_into_unknown_dac(spec: ModuleType) -> Iterator[Part]:
    """No DAC 1000000000001090: UnknownChainId, even for a deposit beyond the bond capacity (the DAC is looked up first)."""
    pre = hub(spec, [sequencer(spec, ALICE, hand(spec).bond)], [dac(spec, CHAIN)])
    operations = [op_deposit(spec, OTHER_CHAIN, R1, 10 * hand(spec).max_lock + 1)]
    yield from expect_operations_rejected(spec, pre, operations, "UnknownChainId")


@vector_case("stakes", "apply_operations")
def test_deposit_waits_until_a_sequencer_registers(spec: ModuleType) -> Iterator[Part]:
    """A 3B deposit with nobody eligible waits; Alice registers with B (serves up to 10B) and it is enqueued."""
    bond = hand(spec).bond
    item = deposit(spec, R1, 3 * bond)
    operations = [op_deposit(spec, CHAIN, R1, 3 * bond), op_register(spec, ALICE, bond)]
    post = hub(
        spec,
        [sequencer(spec, ALICE, bond)],
        [dac(spec, CHAIN, supply=3 * bond, deposits=[enqueued(spec, 0, START, item)])],
    )
    yield from expect_operations(spec, hub(spec, [], [dac(spec, CHAIN)]), operations, post)


@vector_case("stakes", "apply_operations")
def test_fifo_small_deposit_behind_big_blocked_one(spec: ModuleType) -> Iterator[Part]:
    """Alice (B) serves up to 10B. 8B is enqueued; 5B (13B) waits; 1B would fit alone (9B) but waits behind it."""
    bond = hand(spec).bond
    pool = [sequencer(spec, ALICE, bond)]
    d1, d2, d3 = deposit(spec, R1, 8 * bond), deposit(spec, R2, 5 * bond), deposit(spec, R3, bond)
    operations = [
        op_deposit(spec, CHAIN, R1, 8 * bond),
        op_deposit(spec, CHAIN, R2, 5 * bond),
        op_deposit(spec, CHAIN, R3, bond),
    ]
    post = hub(
        spec, pool, [dac(spec, CHAIN, supply=8 * bond, deposits=[enqueued(spec, 0, START, d1)], pending=[d2, d3])]
    )
    yield from expect_operations(spec, hub(spec, pool, [dac(spec, CHAIN)]), operations, post)


@vector_case("stakes", "apply_operations")
def test_fifo_queue_drains_in_order_after_increase(spec: ModuleType) -> Iterator[Part]:
    """Alice (B) serves up to 10B. 8B is enqueued; 5B (13B) waits; 1B waits behind it. Alice adds B (serves up to
    20B): 13B, then 14B, both enqueued in order, nonces 1 and 2."""
    bond = hand(spec).bond
    d1, d2, d3 = deposit(spec, R1, 8 * bond), deposit(spec, R2, 5 * bond), deposit(spec, R3, bond)
    operations = [
        op_deposit(spec, CHAIN, R1, 8 * bond),
        op_deposit(spec, CHAIN, R2, 5 * bond),
        op_deposit(spec, CHAIN, R3, bond),
        op_increase(spec, ALICE, bond),
    ]
    inbox = [enqueued(spec, 0, START, d1), enqueued(spec, 1, START, d2), enqueued(spec, 2, START, d3)]
    pre = hub(spec, [sequencer(spec, ALICE, bond)], [dac(spec, CHAIN)])
    post = hub(spec, [sequencer(spec, ALICE, 2 * bond)], [dac(spec, CHAIN, supply=14 * bond, deposits=inbox)])
    yield from expect_operations(spec, pre, operations, post)


@vector_case("stakes", "apply_operations")
def test_exit_makes_sequencer_ineligible(spec: ModuleType) -> Iterator[Part]:
    """Alice (B) asks to exit; a 1B deposit made afterwards waits (before, it would have been enqueued)."""
    bond = hand(spec).bond
    operations = [op_exit(spec, ALICE), op_deposit(spec, CHAIN, R1, bond)]
    post = hub(spec, [sequencer(spec, ALICE, bond, T0)], [dac(spec, CHAIN, pending=[deposit(spec, R1, bond)])])
    yield from expect_operations(spec, hub(spec, [sequencer(spec, ALICE, bond)], [dac(spec, CHAIN)]), operations, post)


@vector_case("stakes", "apply_operations")
def test_replacement_sequencer_releases_deposits(spec: ModuleType) -> Iterator[Part]:
    """Alice exits at 1,000,000; 2B waits; Bob registers with B and it is enqueued; the L1 clock reaches
    1,000,000 + SEQUENCER_EXIT_DELAY and Alice withdraws, exactly at the boundary."""
    values = hand(spec)
    bond = values.bond
    item = deposit(spec, R1, 2 * bond)
    operations = [
        op_exit(spec, ALICE),
        op_deposit(spec, CHAIN, R1, 2 * bond),
        op_register(spec, BOB, bond),
        op_advance(spec, START + 1, T0 + values.exit_delay),
        op_withdraw_stake(spec, ALICE),
    ]
    pre = hub(spec, [sequencer(spec, ALICE, bond)], [dac(spec, CHAIN, allocated=bond)])
    record = dac(spec, CHAIN, allocated=bond, supply=3 * bond, deposits=[enqueued(spec, 0, START, item)])
    post = hub(spec, [sequencer(spec, BOB, bond)], [record], blocks=clock(spec, T0, T0 + values.exit_delay))
    yield from expect_operations(spec, pre, operations, post)


@vector_case("stakes", "apply_operations")
def test_withdraw_stake_one_second_early_in_sequence(spec: ModuleType) -> Iterator[Part]:
    """Exit at 1,000,000, next L1 block at 1,000,000 + SEQUENCER_EXIT_DELAY - 1, withdraw: rejected."""
    values = hand(spec)
    pre = hub(spec, [sequencer(spec, ALICE, values.bond)])
    operations = [
        op_exit(spec, ALICE),
        op_advance(spec, START + 1, T0 + values.exit_delay - 1),
        op_withdraw_stake(spec, ALICE),
    ]
    yield from expect_operations_rejected(spec, pre, operations, "ExitDelayNotElapsed")


@vector_case("stakes", "apply_operations")
def test_exit_delay_counts_from_the_block_of_the_request(spec: ModuleType) -> Iterator[Part]:
    """Alice registers at 1,000,000 but asks to exit only in the next L1 block, at 1,000,012; at 1,000,000 + SEQUENCER_EXIT_DELAY
    (12 s short of her delay) she may not withdraw."""
    values = hand(spec)
    operations = [
        op_register(spec, ALICE, values.bond),
        op_advance(spec, START + 1, T0 + 12),
        op_exit(spec, ALICE),
        op_advance(spec, START + 2, T0 + values.exit_delay),
        op_withdraw_stake(spec, ALICE),
    ]
    yield from expect_operations_rejected(spec, hub(spec), operations, "ExitDelayNotElapsed")


@vector_case("stakes", "apply_operations")
def test_reregister_after_withdrawal(spec: ModuleType) -> Iterator[Part]:
    """Alice registers, exits at 1,000,000, withdraws at 1,000,000 + SEQUENCER_EXIT_DELAY and registers again with 2B: she is a new
    sequencer, active, at the back of the pool."""
    values = hand(spec)
    bond = values.bond
    operations = [
        op_register(spec, ALICE, bond),
        op_exit(spec, ALICE),
        op_advance(spec, START + 1, T0 + values.exit_delay),
        op_withdraw_stake(spec, ALICE),
        op_register(spec, ALICE, 2 * bond),
    ]
    pre = hub(spec, [sequencer(spec, BOB, bond)])
    post = hub(
        spec,
        [sequencer(spec, BOB, bond), sequencer(spec, ALICE, 2 * bond)],
        blocks=clock(spec, T0, T0 + values.exit_delay),
    )
    yield from expect_operations(spec, pre, operations, post)


@vector_case("stakes", "apply_operations")
def test_slashing_the_only_sequencer_blocks_deposits(spec: ModuleType) -> Iterator[Part]:
    """Alice is slashed: 90% of her stake stays locked, but she is exiting, so eligible nowhere; the next deposit
    waits."""
    bond, least = hand(spec).bond, hand(spec).min_mint
    operations = [op_slash(spec, ALICE, 1000), op_deposit(spec, CHAIN, R1, least)]
    post = hub(
        spec, [sequencer(spec, ALICE, bond - bond // 10, T0)], [dac(spec, CHAIN, pending=[deposit(spec, R1, least)])]
    )
    yield from expect_operations(spec, hub(spec, [sequencer(spec, ALICE, bond)], [dac(spec, CHAIN)]), operations, post)


@vector_case("stakes", "apply_operations")
def test_new_dac_takes_deposits(spec: ModuleType) -> Iterator[Part]:
    """DAC 1000000000001090 is created in the current L1 block (START) and takes a 4B deposit, which waits in its queue: no
    deposit leaves a queue in the L1 block that created its DAC (the genesis block's origin includes none). DAC 1000000000001089
    is untouched."""
    bond = hand(spec).bond
    pool = [sequencer(spec, ALICE, bond)]
    item = deposit(spec, R1, 4 * bond)
    operations = [op_create_dac(spec, OTHER_CHAIN), op_deposit(spec, OTHER_CHAIN, R1, 4 * bond)]
    pre = hub(spec, pool, [dac(spec, CHAIN, allocated=bond)])
    beta = dac(spec, OTHER_CHAIN, created=l1_block(spec, START, T0), pending=[item])
    yield from expect_operations(spec, pre, operations, hub(spec, pool, [dac(spec, CHAIN, allocated=bond), beta]))


@vector_case("stakes", "apply_operations")
def test_genesis_allocation_at_bond_capacity(spec: ModuleType) -> Iterator[Part]:
    """A DAC whose genesis allocates exactly 10M (DBT exactly M) can be created, with nobody to sequence it yet."""
    max_lock = hand(spec).max_lock
    post = hub(spec, [], [dac(spec, CHAIN, allocated=10 * max_lock, created=l1_block(spec, START, T0))])
    yield from expect_operations(spec, hub(spec), [op_create_dac(spec, CHAIN, 10 * max_lock)], post)


@vector_case("stakes", "apply_operations")
def test_genesis_allocation_beyond_bond_capacity(spec: ModuleType) -> Iterator[Part]:
    """A genesis allocation of 10M + 1 wei needs a DBT above MAX_SEQUENCER_LOCK: refused, as such a deposit is."""
    max_lock = hand(spec).max_lock
    operations = [op_create_dac(spec, CHAIN, 10 * max_lock + 1)]
    yield from expect_operations_rejected(spec, hub(spec), operations, "DepositExceedsBondCapacity")


# the per-L1-block deposit gas budget


def gas_budget_operations(spec: ModuleType, advance: bool) -> list[Operation]:
    half, least = hand(spec).gas_budget // 2, hand(spec).min_mint
    operations = [
        op_deposit(spec, CHAIN, R1, least, half),
        op_deposit(spec, CHAIN, R2, least, half),
        op_deposit(spec, CHAIN, R3, least),
    ]
    return operations + ([op_advance(spec, START + 1, T0 + 12)] if advance else [])


@vector_case("stakes", "apply_operations")
def test_deposit_over_the_l1_block_gas_budget_waits(spec: ModuleType) -> Iterator[Part]:
    """Alice (M) serves every deposit here. Two deposits of G/2 gas fill the L1 block's budget G exactly and are
    enqueued; a third of 21,000 gas would take the block to G + 21,000: it waits."""
    values = hand(spec)
    half = values.gas_budget // 2
    pool = [sequencer(spec, ALICE, values.max_lock)]
    least = values.min_mint
    d1, d2, d3 = deposit(spec, R1, least, half), deposit(spec, R2, least, half), deposit(spec, R3, least)
    inbox = [enqueued(spec, 0, START, d1), enqueued(spec, 1, START, d2)]
    post = hub(spec, pool, [dac(spec, CHAIN, supply=2 * least, deposits=inbox, pending=[d3])])
    yield from expect_operations(spec, hub(spec, pool, [dac(spec, CHAIN)]), gas_budget_operations(spec, False), post)


@vector_case("stakes", "apply_operations")
def test_deposit_over_the_gas_budget_drained_by_the_next_l1_block(spec: ModuleType) -> Iterator[Part]:
    """Alice (M) serves every deposit here. Deposits of G/2, G/2 and 21,000 gas in L1 block 100: the first two fill
    its budget G and are enqueued, the third waits; L1 block 101 arrives with a fresh budget and the third is
    enqueued in it, nonce 2."""
    values = hand(spec)
    half = values.gas_budget // 2
    pool = [sequencer(spec, ALICE, values.max_lock)]
    least = values.min_mint
    d1, d2, d3 = deposit(spec, R1, least, half), deposit(spec, R2, least, half), deposit(spec, R3, least)
    inbox = [enqueued(spec, 0, START, d1), enqueued(spec, 1, START, d2), enqueued(spec, 2, START + 1, d3)]
    post = hub(spec, pool, [dac(spec, CHAIN, supply=3 * least, deposits=inbox)], blocks=clock(spec, T0, T0 + 12))
    yield from expect_operations(spec, hub(spec, pool, [dac(spec, CHAIN)]), gas_budget_operations(spec, True), post)


@vector_case("stakes", "apply_operations")
def test_gas_blocked_head_keeps_smaller_deposits_waiting(spec: ModuleType) -> Iterator[Part]:
    """G/2 + 1 gas is enqueued; G/2 waits (G + 1 > G); 21,000 would fit beside the first (G/2 + 21,001 <= G) but
    may not overtake. The next L1 block takes both: G/2 + 21,000 <= G."""
    values = hand(spec)
    half = values.gas_budget // 2
    assert half + 1 + PLAIN_CALL_GAS <= values.gas_budget
    pool = [sequencer(spec, ALICE, values.max_lock)]
    least = values.min_mint
    d1, d2, d3 = deposit(spec, R1, least, half + 1), deposit(spec, R2, least, half), deposit(spec, R3, least)
    operations = [
        op_deposit(spec, CHAIN, R1, least, half + 1),
        op_deposit(spec, CHAIN, R2, least, half),
        op_deposit(spec, CHAIN, R3, least),
        op_advance(spec, START + 1, T0 + 12),
    ]
    inbox = [enqueued(spec, 0, START, d1), enqueued(spec, 1, START + 1, d2), enqueued(spec, 2, START + 1, d3)]
    post = hub(spec, pool, [dac(spec, CHAIN, supply=3 * least, deposits=inbox)], blocks=clock(spec, T0, T0 + 12))
    yield from expect_operations(spec, hub(spec, pool, [dac(spec, CHAIN)]), operations, post)


@vector_case("stakes", "apply_operations")
def test_gas_budget_is_per_dac(spec: ModuleType) -> Iterator[Part]:
    """1000000000001089 fills its budget G with one deposit; a deposit of G into 1000000000001090 in the same L1 block is enqueued all the
    same: each DAC has its own budget."""
    values = hand(spec)
    pool = [sequencer(spec, ALICE, values.max_lock)]
    least = values.min_mint
    d1, d2 = deposit(spec, R1, least, values.gas_budget), deposit(spec, R2, least, values.gas_budget)
    operations = [
        op_deposit(spec, CHAIN, R1, least, values.gas_budget),
        op_deposit(spec, OTHER_CHAIN, R2, least, values.gas_budget),
    ]
    post = hub(
        spec,
        pool,
        [
            dac(spec, CHAIN, supply=least, deposits=[enqueued(spec, 0, START, d1)]),
            dac(spec, OTHER_CHAIN, supply=least, deposits=[enqueued(spec, 0, START, d2)]),
        ],
    )
    yield from expect_operations(spec, hub(spec, pool, [dac(spec, CHAIN), dac(spec, OTHER_CHAIN)]), operations, post)


@vector_case("stakes", "apply_operations")
def test_new_l1_block_drains_every_dac(spec: ModuleType) -> Iterator[Part]:
    """1000000000001089 and 1000000000001090 each have a deposit waiting for gas (their budgets in 100 are full); L1 block 101 drains
    both queues, nonces 1 in each."""
    values = hand(spec)
    pool = [sequencer(spec, ALICE, values.max_lock)]
    least = values.min_mint
    full1, full2 = deposit(spec, R1, least, values.gas_budget), deposit(spec, R2, least, values.gas_budget)
    wait1, wait2 = deposit(spec, R3, least), deposit(spec, R4, least)
    pre = hub(
        spec,
        pool,
        [
            dac(spec, CHAIN, supply=least, deposits=[enqueued(spec, 0, START, full1)], pending=[wait1]),
            dac(spec, OTHER_CHAIN, supply=least, deposits=[enqueued(spec, 0, START, full2)], pending=[wait2]),
        ],
    )
    both = [enqueued(spec, 0, START, full1), enqueued(spec, 1, START + 1, wait1)]
    post = hub(
        spec,
        pool,
        [
            dac(spec, CHAIN, supply=2 * least, tickets=2, deposits=both),
            dac(
                spec,
                OTHER_CHAIN,
                supply=2 * least,
                deposits=[enqueued(spec, 0, START, full2), enqueued(spec, 1, START + 1, wait2)],
            ),
        ],
        blocks=clock(spec, T0, T0 + 12),
    )
    yield from expect_operations(spec, pre, [op_advance(spec, START + 1, T0 + 12)], post)


@vector_case("stakes", "apply_operations")
def test_new_l1_block_does_not_release_a_dbt_blocked_deposit(spec: ModuleType) -> Iterator[Part]:
    """Alice (B) serves 10B; an 11B deposit waits for a sequencer. A new L1 block brings gas, not stake: it waits."""
    bond = hand(spec).bond
    pool = [sequencer(spec, ALICE, bond)]
    operations = [op_deposit(spec, CHAIN, R1, 11 * bond), op_advance(spec, START + 1, T0 + 12)]
    post = hub(spec, pool, [dac(spec, CHAIN, pending=[deposit(spec, R1, 11 * bond)])], blocks=clock(spec, T0, T0 + 12))
    yield from expect_operations(spec, hub(spec, pool, [dac(spec, CHAIN)]), operations, post)


@vector_case("stakes", "apply_operations")
def test_first_rejected_operation_names_the_error(spec: ModuleType) -> Iterator[Part]:
    """A valid registration, then Bob below the minimum (LockBelowMinimum), then a duplicate registration of Alice
    (SequencerAlreadyRegistered): the first error is the answer."""
    bond = hand(spec).bond
    operations = [op_register(spec, ALICE, bond), op_register(spec, BOB, bond - 1), op_register(spec, ALICE, bond)]
    yield from expect_operations_rejected(spec, hub(spec, [], [dac(spec, CHAIN)]), operations, "LockBelowMinimum")


@vector_case("stakes", "apply_operations")
def test_lifecycle_error_after_withdrawal(spec: ModuleType) -> Iterator[Part]:
    """Alice registers, exits, withdraws at the exit delay; her second exit request finds nobody: UnknownSequencer."""
    values = hand(spec)
    operations = [
        op_register(spec, ALICE, values.bond),
        op_exit(spec, ALICE),
        op_advance(spec, START + 1, T0 + values.exit_delay),
        op_withdraw_stake(spec, ALICE),
        op_exit(spec, ALICE),
    ]
    yield from expect_operations_rejected(spec, hub(spec), operations, "UnknownSequencer")


# --- compute: register_compute_provider ----------------------------------------------------------------------------


@vector_case("compute", "register_compute_provider")
def test_register_first_provider(spec: ModuleType) -> Iterator[Part]:
    """The hub is at L1 block 101: the first provider is recorded as registered in 101."""
    blocks = clock(spec, T0, T0 + 12)
    post = hub(spec, providers=[provider(spec, P1, START + 1)], blocks=blocks)
    yield from expect_post(spec, hub(spec, blocks=blocks), op_register_provider(spec, P1), post)


@vector_case("compute", "register_compute_provider")
def test_register_provider_appends(spec: ModuleType) -> Iterator[Part]:
    """P3 and P2 registered in 100; P1 joins behind them in 101: registration order, not address order."""
    blocks = clock(spec, T0, T0 + 12)
    earlier = [provider(spec, P3, START), provider(spec, P2, START)]
    post = hub(spec, providers=[*earlier, provider(spec, P1, START + 1)], blocks=blocks)
    yield from expect_post(spec, hub(spec, providers=earlier, blocks=blocks), op_register_provider(spec, P1), post)


@vector_case("compute", "register_compute_provider")
def test_register_provider_twice(spec: ModuleType) -> Iterator[Part]:
    """P2 is already registered (in an earlier L1 block)."""
    blocks = clock(spec, T0, T0 + 12)
    pre = hub(spec, providers=[provider(spec, P1, START), provider(spec, P2, START)], blocks=blocks)
    yield from expect_rejected(spec, pre, op_register_provider(spec, P2), "ProviderAlreadyRegistered")


@vector_case("compute", "register_compute_provider")
def test_register_provider_also_a_sequencer(spec: ModuleType) -> Iterator[Part]:
    """A sequencer may also be a compute provider: the two registries are separate."""
    pool = [sequencer(spec, ALICE, hand(spec).bond)]
    post = hub(spec, pool, providers=[provider(spec, ALICE, START)])
    yield from expect_post(spec, hub(spec, pool), op_register_provider(spec, ALICE), post)


# --- compute: assign_compute_providers -----------------------------------------------------------------------------


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


def assignment_input(providers: Sequence[bytes], chain_ids: Sequence[int], epoch: int) -> Part:
    return "input", {
        "providers": encode_addresses(providers),
        "chain_ids": [encode_uint(chain_id) for chain_id in chain_ids],
        "epoch": encode_uint(epoch),
        "l1_randomness": encode_bytes(RANDOMNESS),
    }


def expect_assignment(
    spec: ModuleType,
    providers: Sequence[bytes],
    chain_ids: Sequence[int],
    epoch: int,
    law: Callable[[list[tuple[int, bytes]]], None],
) -> Iterator[Part]:
    """The spec's assignment must satisfy ``law`` (checkable by hand) and match the cross-check."""
    yield assignment_input(providers, chain_ids, epoch)
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

    yield from expect_assignment(spec, [], [1000000000001089, 1000000000001090], 0, law)


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
        assert pairs == [(1000000000001089, P1), (1000000000001090, P1), (1000000000001091, P1)]

    yield from expect_assignment(spec, [P1], [1000000000001091, 1000000000001089, 1000000000001090], 5, law)


@vector_case("compute", "assign_compute_providers")
def test_assign_as_many_providers_as_dacs(spec: ModuleType) -> Iterator[Part]:
    """Three providers, three DACs: each provider gets exactly one DAC (a permutation)."""

    def law(pairs: list[tuple[int, bytes]]) -> None:
        assert [chain for chain, _ in pairs] == [1000000000001089, 1000000000001090, 1000000000001091]
        assert sorted(provider for _, provider in pairs) == [P1, P2, P3]

    yield from expect_assignment(spec, [P1, P2, P3], [1000000000001090, 1000000000001091, 1000000000001089], 0, law)


@vector_case("compute", "assign_compute_providers")
def test_assign_more_providers_than_dacs(spec: ModuleType) -> Iterator[Part]:
    """Five providers, three DACs: three distinct providers work, two are idle."""

    def law(pairs: list[tuple[int, bytes]]) -> None:
        assert [chain for chain, _ in pairs] == [1000000000001089, 1000000000001090, 1000000000001091]
        assert len({provider for _, provider in pairs}) == 3

    yield from expect_assignment(spec, [P1, P2, P3, P4, P5], [1000000000001089, 1000000000001090, 1000000000001091], 1, law)


@vector_case("compute", "assign_compute_providers")
def test_assign_fewer_providers_than_dacs_cycles(spec: ModuleType) -> Iterator[Part]:
    """Two providers, five DACs: slots 0, 2, 4 take the first shuffled provider and 1, 3 the other (3 and 2 DACs)."""

    def law(pairs: list[tuple[int, bytes]]) -> None:
        assert [chain for chain, _ in pairs] == [1000000000001089, 1000000000001090, 1000000000001091, 1000000000001092, 1000000000001093]
        first, second = pairs[0][1], pairs[1][1]
        assert {first, second} == {P1, P2}
        assert [provider for _, provider in pairs] == [first, second, first, second, first]

    yield from expect_assignment(spec, [P1, P2], [1000000000001093, 1000000000001092, 1000000000001091, 1000000000001090, 1000000000001089], 2, law)


@vector_case("compute", "assign_compute_providers")
def test_assign_three_providers_seven_dacs(spec: ModuleType) -> Iterator[Part]:
    """Three providers, seven DACs: the shuffled order repeats with period 3, giving 3, 2 and 2 DACs."""

    def law(pairs: list[tuple[int, bytes]]) -> None:
        providers = [provider for _, provider in pairs]
        assert providers[3:] == providers[:3] + providers[:1]
        assert sorted(providers[:3]) == [P1, P2, P3]

    yield from expect_assignment(spec, [P1, P2, P3], list(range(2000, 2007)), 9, law)


@vector_case("compute", "assign_compute_providers")
def test_duplicate_chain_id_refused(spec: ModuleType) -> Iterator[Part]:
    """The same DAC listed twice for one epoch is refused."""
    providers, chain_ids = [P1, P2], [CHAIN, CHAIN]
    yield assignment_input(providers, chain_ids, 0)
    yield from expect_spec_error(
        spec,
        "DuplicateChainId",
        lambda: spec.assign_compute_providers(
            [spec.Address(p) for p in providers],
            [spec.ChainId(c) for c in chain_ids],
            spec.Epoch(0),
            spec.Hash32(RANDOMNESS),
        ),
    )


@vector_case("compute", "assign_compute_providers")
def test_duplicate_chain_id_refused_without_providers(spec: ModuleType) -> Iterator[Part]:
    """A duplicate is refused even when there is no provider to assign (the list is checked first)."""
    yield assignment_input([], [CHAIN, OTHER_CHAIN, CHAIN], 0)
    yield from expect_spec_error(
        spec,
        "DuplicateChainId",
        lambda: spec.assign_compute_providers(
            [],
            [spec.ChainId(CHAIN), spec.ChainId(OTHER_CHAIN), spec.ChainId(CHAIN)],
            spec.Epoch(0),
            spec.Hash32(RANDOMNESS),
        ),
    )


# --- compute: get_block_producer -----------------------------------------------------------------------------------
# The hubs below live around the start of L1 epoch 2, block 2E: their L1 blocks are 2E - 2, 2E - 1, 2E and 2E + 1
# (12 s apart), so epoch 1 began before the hub (block E), epoch 2's first block 2E is the seed block, and epoch 3's
# first block 3E is not yet seen.


def epoch_hub(spec: ModuleType, providers: Sequence[tuple[bytes, int]], dacs: Sequence[tuple[int, int]] = ()) -> Any:
    """The hub on L1 blocks 2E - 2 .. 2E + 1; ``providers`` are (address, offset from 2E of the block it registered
    in), ``dacs`` (chain id, offset from 2E of the block it was created in); the rangers' DAC was created in 2E - 2."""
    seed_block = 2 * hand(spec).l1_epoch
    blocks = clock(spec, T0, T0 + 12, T0 + 24, T0 + 36, first=seed_block - 2)
    by_number = {int(block.number): block for block in blocks}
    records = [dac(spec, chain_id, created=by_number[seed_block + offset]) for chain_id, offset in dacs]
    registered = [provider(spec, address, seed_block + offset) for address, offset in providers]
    return hub(spec, dacs=records, blocks=blocks, providers=registered)


def producer_by_hand(
    spec: ModuleType, pre: Any, chain_id: int, l1_origin: int, randomness_of: Callable[[int], bytes]
) -> bytes:
    """The rule read afresh: the origin's L1 epoch e = origin // E starts at block f = e * E; if f predates the hub,
    nobody is assigned; otherwise the providers registered before f (in registration order) are shuffled with the
    seed keccak(randomness(f), 0, e), and the DACs created before f take them in chain-id order, cycling."""
    values = hand(spec)
    epoch = l1_origin // values.l1_epoch
    first = epoch * values.l1_epoch
    if first < int(pre.l1_blocks[0].number):
        return values.dao
    providers = [bytes(item.address) for item in pre.compute_providers if int(item.registered_at) < first]
    chain_ids = sorted(int(record.chain_id) for record in pre.dacs if int(record.genesis.l1_block_number) < first)
    if not providers or chain_id not in chain_ids:
        return values.dao
    seed = selection_seed_by_hand(randomness_of(first), 0, epoch)
    slot = chain_ids.index(chain_id)
    return providers[shuffled_index_by_hand(slot % len(providers), len(providers), seed, values.rounds)]


def expect_producer(
    spec: ModuleType, pre: Any, chain_id: int, l1_origin: int, known: Optional[bytes] = None
) -> Iterator[Part]:
    """The spec's producer must match the rule read afresh, and ``known`` when the case knows it by hand."""
    yield "pre", hub_state(pre)
    yield "input", {"chain_id": encode_uint(chain_id), "l1_origin": encode_uint(l1_origin)}
    producer = spec.get_block_producer(pre, spec.ChainId(chain_id), spec.L1BlockNumber(l1_origin))
    assert producer == producer_by_hand(spec, pre, chain_id, l1_origin, randao_of)
    if known is not None:
        assert producer == known, f"spec says {bytes(producer).hex()}, known by hand {known.hex()}"
    yield "output", {"producer": encode_bytes(producer)}


@vector_case("compute", "get_block_producer")
def test_producer_in_an_epoch_that_began_before_the_hub(spec: ModuleType) -> Iterator[Part]:
    """Origin 2E - 1 is in L1 epoch 1, whose first block E the hub never saw: nobody is assigned, so
    METIS_DAO_ADDRESS produces, although a provider and the DAC existed from the hub's first block."""
    values = hand(spec)
    pre = epoch_hub(spec, [(P1, -2)])
    yield from expect_producer(spec, pre, RANGERS, 2 * values.l1_epoch - 1, known=values.dao)


@vector_case("compute", "get_block_producer")
def test_producer_in_the_first_epoch_the_hub_sees(spec: ModuleType) -> Iterator[Part]:
    """Origin 2E + 1 is in epoch 2; P1 registered and the rangers' DAC was created in 2E - 2, before the seed block
    2E: P1, the only provider, produces."""
    pre = epoch_hub(spec, [(P1, -2)])
    yield from expect_producer(spec, pre, RANGERS, 2 * hand(spec).l1_epoch + 1, known=P1)


@vector_case("compute", "get_block_producer")
def test_producer_at_the_seed_block_itself(spec: ModuleType) -> Iterator[Part]:
    """Origin 2E, the seed block: it belongs to epoch 2, so P1 (registered in 2E - 1) produces."""
    pre = epoch_hub(spec, [(P1, -1)])
    yield from expect_producer(spec, pre, RANGERS, 2 * hand(spec).l1_epoch, known=P1)


@vector_case("compute", "get_block_producer")
def test_provider_registered_in_the_seed_block_is_left_out(spec: ModuleType) -> Iterator[Part]:
    """P1 registered in the seed block 2E itself, not before it: epoch 2 has no provider, so METIS_DAO_ADDRESS."""
    values = hand(spec)
    pre = epoch_hub(spec, [(P1, 0)])
    yield from expect_producer(spec, pre, RANGERS, 2 * values.l1_epoch + 1, known=values.dao)


@vector_case("compute", "get_block_producer")
def test_provider_registered_before_the_seed_block_serves_alone(spec: ModuleType) -> Iterator[Part]:
    """P2 registered in 2E - 1, P1 in the seed block 2E, P3 in 2E + 1: only P2 takes part in epoch 2, so it produces
    whatever the shuffle."""
    pre = epoch_hub(spec, [(P2, -1), (P1, 0), (P3, 1)])
    yield from expect_producer(spec, pre, RANGERS, 2 * hand(spec).l1_epoch + 1, known=P2)


@vector_case("compute", "get_block_producer")
def test_dac_created_in_the_seed_block_gets_no_provider(spec: ModuleType) -> Iterator[Part]:
    """DAC 1000000000001089 was created in the seed block 2E: it takes no part in epoch 2, so METIS_DAO_ADDRESS produces its
    blocks (the rangers' DAC, created before, gets P1)."""
    values = hand(spec)
    pre = epoch_hub(spec, [(P1, -2)], [(CHAIN, 0)])
    yield from expect_producer(spec, pre, CHAIN, 2 * values.l1_epoch + 1, known=values.dao)


@vector_case("compute", "get_block_producer")
def test_dac_created_after_the_seed_block_gets_no_provider(spec: ModuleType) -> Iterator[Part]:
    """DAC 1000000000001089 was created in 2E + 1, after the seed block: no provider in epoch 2."""
    values = hand(spec)
    pre = epoch_hub(spec, [(P1, -2)], [(CHAIN, 1)])
    yield from expect_producer(spec, pre, CHAIN, 2 * values.l1_epoch + 1, known=values.dao)


@vector_case("compute", "get_block_producer")
def test_two_dacs_one_provider_first_dac(spec: ModuleType) -> Iterator[Part]:
    """The rangers' DAC and 1000000000001089 (created in 2E - 1) share the one provider P1: fewer providers than DACs cycle."""
    pre = epoch_hub(spec, [(P1, -2)], [(CHAIN, -1)])
    yield from expect_producer(spec, pre, RANGERS, 2 * hand(spec).l1_epoch + 1, known=P1)


@vector_case("compute", "get_block_producer")
def test_two_dacs_one_provider_second_dac(spec: ModuleType) -> Iterator[Part]:
    """The rangers' DAC and 1000000000001089 (created in 2E - 1) share the one provider P1; asked about 1000000000001089: P1 as well."""
    pre = epoch_hub(spec, [(P1, -2)], [(CHAIN, -1)])
    yield from expect_producer(spec, pre, CHAIN, 2 * hand(spec).l1_epoch + 1, known=P1)


def two_by_two_hub(spec: ModuleType) -> Any:
    """Two providers (P1, P2, both before the seed block) and two DACs (rangers, 1000000000001089 created in 2E - 1)."""
    return epoch_hub(spec, [(P1, -2), (P2, -1)], [(CHAIN, -1)])


def two_by_two_producers(spec: ModuleType, randomness_of: Callable[[int], bytes], origin: int) -> tuple[bytes, bytes]:
    pre = two_by_two_hub(spec)
    return (
        producer_by_hand(spec, pre, RANGERS, origin, randomness_of),
        producer_by_hand(spec, pre, CHAIN, origin, randomness_of),
    )


def make_two_by_two(chain_id: int) -> None:
    def body(spec: ModuleType) -> Iterator[Part]:
        origin = 2 * hand(spec).l1_epoch + 1
        rangers_producer, chain_producer = two_by_two_producers(spec, randao_of, origin)
        assert {rangers_producer, chain_producer} == {P1, P2}, "two providers, two DACs: each gets one"
        # A client that seeds with the origin's RANDAO instead of the epoch's first block's gets it wrong here.
        assert two_by_two_producers(spec, lambda _first: randao_of(origin), origin) != (
            rangers_producer,
            chain_producer,
        )
        known = rangers_producer if chain_id == RANGERS else chain_producer
        yield from expect_producer(spec, two_by_two_hub(spec), chain_id, origin, known=known)

    body.__name__ = f"test_two_dacs_two_providers_{chain_id}"
    body.__doc__ = (
        f"P1 and P2 (registered before 2E) and two DACs (1000000000001088, 1000000000001089): asked about {chain_id}. Each DAC gets a "
        "different provider, as the shuffle seeded by keccak256(abi.encode(RANDAO of block 2E, 0, 2)) orders them; "
        "seeding with the origin's (2E + 1) RANDAO gives the other order."
    )
    globals()[body.__name__] = vector_case("compute", "get_block_producer")(body)


for _chain_id in (RANGERS, CHAIN):
    make_two_by_two(_chain_id)


@vector_case("compute", "get_block_producer")
def test_three_providers_two_dacs(spec: ModuleType) -> Iterator[Part]:
    """P1, P2, P3 registered before 2E and two DACs: 1000000000001089 takes shuffled slot 1 (one provider is idle)."""
    pre = epoch_hub(spec, [(P1, -2), (P2, -2), (P3, -1)], [(CHAIN, -1)])
    origin = 2 * hand(spec).l1_epoch + 1
    rangers_producer = producer_by_hand(spec, pre, RANGERS, origin, randao_of)
    chain_producer = producer_by_hand(spec, pre, CHAIN, origin, randao_of)
    assert rangers_producer != chain_producer and {rangers_producer, chain_producer} < {P1, P2, P3}
    yield from expect_producer(spec, pre, CHAIN, origin)


@vector_case("compute", "get_block_producer")
def test_epoch_of_the_hubs_first_block_has_no_provider(spec: ModuleType) -> Iterator[Part]:
    """A hub whose first L1 block is 2E, the seed block of epoch 2: everything registered and created in it is not
    before it, so epoch 2 assigns nobody."""
    values = hand(spec)
    seed_block = 2 * values.l1_epoch
    blocks = clock(spec, T0, T0 + 12, first=seed_block)
    pre = hub(
        spec, dacs=[dac(spec, CHAIN, created=blocks[0])], blocks=blocks, providers=[provider(spec, P1, seed_block)]
    )
    yield from expect_producer(spec, pre, CHAIN, seed_block + 1, known=values.dao)


@vector_case("compute", "get_block_producer")
def test_producer_for_an_epoch_not_yet_begun(spec: ModuleType) -> Iterator[Part]:
    """Origin 3E is the first block of epoch 3, which the hub (up to 2E + 1) has not seen: its RANDAO value is not
    known, so UnknownL1Block."""
    pre = epoch_hub(spec, [(P1, -2)])
    origin = 3 * hand(spec).l1_epoch
    yield "pre", hub_state(pre)
    yield "input", {"chain_id": encode_uint(RANGERS), "l1_origin": encode_uint(origin)}
    yield from expect_spec_error(
        spec, "UnknownL1Block", lambda: spec.get_block_producer(pre, spec.ChainId(RANGERS), spec.L1BlockNumber(origin))
    )


@vector_case("compute", "get_block_producer")
def test_producer_for_the_epoch_the_next_block_begins(spec: ModuleType) -> Iterator[Part]:
    """A hub on the last two L1 blocks of epoch 2 (3E - 2 and 3E - 1): origin 3E is in epoch 3, whose first block is
    the very next one, not yet seen: UnknownL1Block."""
    origin = 3 * hand(spec).l1_epoch
    pre = hub(spec, blocks=clock(spec, T0, T0 + 12, first=origin - 2))
    yield "pre", hub_state(pre)
    yield "input", {"chain_id": encode_uint(RANGERS), "l1_origin": encode_uint(origin)}
    yield from expect_spec_error(
        spec, "UnknownL1Block", lambda: spec.get_block_producer(pre, spec.ChainId(RANGERS), spec.L1BlockNumber(origin))
    )


# --- compute: compute_provider_reward ------------------------------------------------------------------------------


def expect_reward(spec: ModuleType, blocks: int, hand_computed: int) -> Iterator[Part]:
    yield "input", {"blocks_produced": encode_uint(blocks)}
    reward = spec.compute_provider_reward(spec.uint64(blocks))
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


# --- selection: the snapshot, fixed one epoch ahead (minimal preset: an epoch is 8 L1 blocks) ---------------------

SNAPSHOT_BLOCK = 104  # the first L1 block of epoch 13 on minimal: it records the snapshot of epoch 14


def advance_to_snapshot(spec: ModuleType) -> list[Operation]:
    return [op_advance(spec, number, T0 + 12 * (number - START)) for number in range(START + 1, SNAPSHOT_BLOCK + 1)]


def expect_selected_after(
    spec: ModuleType, pre: Any, operations: Sequence[Operation], chain_id: int, epoch: int, expected: list[bytes]
) -> Iterator[Part]:
    yield "pre", hub_state(pre)
    yield "input", {
        "operations": [{"op": operation.name, **operation.args} for operation in operations],
        "chain_id": encode_uint(chain_id),
        "epoch": encode_uint(epoch),
    }
    after = run_operations(pre, operations)
    succession = spec.get_epoch_sequencers(after, spec.ChainId(chain_id), spec.Epoch(epoch))
    assert list(succession) == expected, f"spec drew {succession!r}, worked out by hand {expected!r}"
    yield "output", {"sequencers": [encode_bytes(address) for address in succession]}


def snapshot_succession(spec: ModuleType, pool: Sequence[Any], supplies: Sequence[tuple[int, int]]) -> list[bytes]:
    """Acme's succession in epoch 14, by hand from the pool and supplies as they stood at L1 block 104."""
    entries = [(bytes(s.address), int(s.locked), s.exit_requested_at) for s in pool]
    return assign_by_hand(entries, supplies, randao_of(SNAPSHOT_BLOCK), 14, hand(spec))[CHAIN][0]


@vector_case("selection", "get_epoch_sequencers", presets=("minimal",))
def test_snapshot_fixes_the_next_epoch_draw(spec: ModuleType) -> Iterator[Part]:
    """L1 block 104 starts epoch 13 and records the draw of epoch 14: its RANDAO value, the weighted pool and the
    supplies (rangers 0, acme 0). Asked about epoch 14 in that block, acme's sequencer is that draw."""
    assert hand(spec).l1_epoch == 8 and SNAPSHOT_BLOCK % 8 == 0
    pre = hub(spec, weighted_pool(spec), [dac(spec, CHAIN)])
    expected = snapshot_succession(spec, weighted_pool(spec), [(RANGERS, 0), (CHAIN, 0)])
    yield from expect_selected_after(spec, pre, advance_to_snapshot(spec), CHAIN, 14, expected)


@vector_case("selection", "get_epoch_sequencers", presets=("minimal",))
def test_nothing_after_the_snapshot_changes_the_draw(spec: ModuleType) -> Iterator[Part]:
    """After block 104 fixed the draw, a rival registers with the maximum stake, Alice raises hers and a deposit
    lifts acme's threshold above Alice's and Bob's stakes: epoch 14's choice is still the one the snapshot gives."""
    pre = hub(spec, weighted_pool(spec), [dac(spec, CHAIN)])
    rival = bytes([0xEE]) * 20
    later = [
        op_register(spec, rival, hand(spec).max_lock),
        op_increase(spec, ALICE, percent_of_max(spec, 10)),
        op_deposit(spec, CHAIN, R1, 4 * hand(spec).max_lock),
    ]
    expected = snapshot_succession(spec, weighted_pool(spec), [(RANGERS, 0), (CHAIN, 0)])
    yield from expect_selected_after(spec, pre, advance_to_snapshot(spec) + later, CHAIN, 14, expected)


@vector_case("selection", "get_epoch_sequencers", presets=("minimal",))
def test_epoch_without_a_snapshot_is_unsequenced(spec: ModuleType) -> Iterator[Part]:
    """Epoch 13 began before this hub saw its first block (the snapshot of 13 would have been taken at block 96):
    unsequenced, whatever the pool."""
    pre = hub(spec, weighted_pool(spec), [dac(spec, CHAIN)])
    yield from expect_selected_after(spec, pre, advance_to_snapshot(spec), CHAIN, 13, [])


# --- selection: get_current_sequencer (minimal: epoch 14 is L1 blocks 112-119, SEQUENCER_TIMEOUT 3) --------------

EPOCH_14 = 112  # its first L1 block


def advance_through(spec: ModuleType, last: int) -> list[Operation]:
    return [op_advance(spec, number, T0 + 12 * (number - START)) for number in range(START + 1, last + 1)]


def op_append_empty_block(spec: ModuleType, address: bytes, origin: int) -> Operation:
    """``address`` appends acme's first transaction batch: one empty block on L1 origin ``origin``."""
    data = bytes(spec.encode_transaction_batch([spec.SequencedBlock(spec.BlockNumber(0), spec.L1BlockNumber(origin), spec.Timestamp(0), ())]))
    args = {
        "chain_id": encode_uint(CHAIN),
        "batch_data": encode_bytes(data),
        "should_start_at_element": encode_uint(0),
        "sequencer": encode_bytes(address),
    }
    return Operation(
        "append_transaction_batch",
        args,
        lambda hub: spec.append_transaction_batch(hub, spec.ChainId(CHAIN), data, 0, spec.Address(address)),
    )


def full_pool(spec: ModuleType) -> list[Any]:
    """Alice, Bob, Carol and Dave, each staking the maximum lock M = 5B: room for five slots of threshold B each, so
    both DACs always draw a full succession of three."""
    return [sequencer(spec, address, hand(spec).max_lock) for address in (ALICE, BOB, CAROL, DAVE)]


def epoch_14_succession(spec: ModuleType) -> list[bytes]:
    """Acme's succession in epoch 14 for the full pool, by hand: three long."""
    assert (hand(spec).l1_epoch, hand(spec).timeout, hand(spec).fallbacks) == (8, 3, 2)
    succession = snapshot_succession(spec, full_pool(spec), [(RANGERS, 0), (CHAIN, 0)])
    assert len(succession) == 3
    return succession


def expect_serving(
    spec: ModuleType, operations: Sequence[Operation], expected: Optional[bytes], pool: Optional[list[Any]] = None
) -> Iterator[Part]:
    pre = hub(spec, full_pool(spec) if pool is None else pool, [dac(spec, CHAIN)])
    yield "pre", hub_state(pre)
    yield "input", {"operations": [{"op": o.name, **o.args} for o in operations], "chain_id": encode_uint(CHAIN)}
    serving = spec.get_current_sequencer(run_operations(pre, operations), spec.ChainId(CHAIN))
    assert serving == expected, f"spec says {serving!r} serves, worked out by hand {expected!r}"
    yield "output", {"sequencer": None if serving is None else encode_bytes(serving)}


@vector_case("selection", "get_current_sequencer", presets=("minimal",))
def test_first_choice_serves_from_the_epoch_start(spec: ModuleType) -> Iterator[Part]:
    """L1 block 112 starts epoch 14: acme's first choice serves."""
    yield from expect_serving(spec, advance_through(spec, EPOCH_14), epoch_14_succession(spec)[0])


@vector_case("selection", "get_current_sequencer", presets=("minimal",))
def test_first_choice_serves_until_its_timeout(spec: ModuleType) -> Iterator[Part]:
    """L1 block 114 = 112 + 3 - 1: the first choice has posted nothing, but its deadline (115) is still ahead."""
    yield from expect_serving(spec, advance_through(spec, EPOCH_14 + 2), epoch_14_succession(spec)[0])


@vector_case("selection", "get_current_sequencer", presets=("minimal",))
def test_silent_first_choice_is_replaced_at_the_timeout(spec: ModuleType) -> Iterator[Part]:
    """L1 block 115 = 112 + 3 with no batch from the first choice: the first fallback serves from 115."""
    yield from expect_serving(spec, advance_through(spec, EPOCH_14 + 3), epoch_14_succession(spec)[1])


@vector_case("selection", "get_current_sequencer", presets=("minimal",))
def test_second_fallback_after_a_second_silence(spec: ModuleType) -> Iterator[Part]:
    """The first fallback began at 115 and posted nothing: at 118 = 115 + 3 the second fallback serves."""
    yield from expect_serving(spec, advance_through(spec, EPOCH_14 + 6), epoch_14_succession(spec)[2])


def posted_at_114(spec: ModuleType) -> list[Operation]:
    """Through L1 block 114, where the first choice appends one empty block. acme (created in 99) lags its window by
    114 - 4 - 99 = 11 blocks, so its head is forced block 11 on origin 110; the new block builds on origin 111."""
    return advance_through(spec, EPOCH_14 + 2) + [op_append_empty_block(spec, epoch_14_succession(spec)[0], 111)]


@vector_case("selection", "get_current_sequencer", presets=("minimal",))
def test_a_batch_restarts_the_timeout(spec: ModuleType) -> Iterator[Part]:
    """The first choice posted in 114, so its deadline is 117: in 116 it still serves (a silent one would have
    been replaced in 115)."""
    operations = posted_at_114(spec) + [op_advance(spec, n, T0 + 12 * (n - START)) for n in (115, 116)]
    yield from expect_serving(spec, operations, epoch_14_succession(spec)[0])


@vector_case("selection", "get_current_sequencer", presets=("minimal",))
def test_fallback_serves_after_the_first_choice_goes_silent(spec: ModuleType) -> Iterator[Part]:
    """The first choice posted in 114 and then nothing: from 117 = 114 + 3 the first fallback serves."""
    operations = posted_at_114(spec) + [op_advance(spec, n, T0 + 12 * (n - START)) for n in (115, 116, 117)]
    yield from expect_serving(spec, operations, epoch_14_succession(spec)[1])


@vector_case("selection", "get_current_sequencer", presets=("minimal",))
def test_fallback_serving_after_its_own_batch(spec: ModuleType) -> Iterator[Part]:
    """The silent first choice is replaced in 115; the first fallback appends in 115 (origin 112: acme's head is then
    forced block 12 on origin 111). In 116 the first choice's deadline is still 115, whoever posted since: only its
    own batches would have moved it. The fallback serves, until 118."""
    fallback = epoch_14_succession(spec)[1]
    operations = advance_through(spec, EPOCH_14 + 3) + [op_append_empty_block(spec, fallback, 112)]
    operations += [op_advance(spec, 116, T0 + 12 * (116 - START))]
    yield from expect_serving(spec, operations, fallback)


@vector_case("selection", "get_current_sequencer", presets=("minimal",))
def test_replaced_first_choice_is_refused(spec: ModuleType) -> Iterator[Part]:
    """In 115 the silent first choice has been replaced: its batch is refused (UnauthorizedSequencer)."""
    first = epoch_14_succession(spec)[0]
    operations = advance_through(spec, EPOCH_14 + 3) + [op_append_empty_block(spec, first, 111)]
    pre = hub(spec, full_pool(spec), [dac(spec, CHAIN)])
    yield "pre", hub_state(pre)
    yield "input", {"operations": [{"op": o.name, **o.args} for o in operations], "chain_id": encode_uint(CHAIN)}
    yield from expect_spec_error(spec, "UnauthorizedSequencer", lambda: run_operations(pre, operations))


@vector_case("selection", "get_current_sequencer", presets=("minimal",))
def test_exiting_sequencer_sequences_nothing(spec: ModuleType) -> Iterator[Part]:
    """The first choice asks to exit in 113: nobody serves acme until its deadline."""
    operations = advance_through(spec, EPOCH_14 + 1) + [op_exit(spec, epoch_14_succession(spec)[0])]
    yield from expect_serving(spec, operations, None)


@vector_case("selection", "get_current_sequencer", presets=("minimal",))
def test_exiting_sequencer_is_replaced_at_its_deadline(spec: ModuleType) -> Iterator[Part]:
    """The first choice asked to exit in 113; at its deadline, 115, the first fallback serves."""
    exited = advance_through(spec, EPOCH_14 + 1) + [op_exit(spec, epoch_14_succession(spec)[0])]
    operations = exited + [op_advance(spec, n, T0 + 12 * (n - START)) for n in (114, 115)]
    yield from expect_serving(spec, operations, epoch_14_succession(spec)[1])


@vector_case("selection", "get_current_sequencer", presets=("minimal",))
def test_last_in_the_succession_keeps_serving(spec: ModuleType) -> Iterator[Part]:
    """Dave is the only sequencer, so acme's succession is Dave alone: silent through 119, the epoch's last block,
    he still serves, as nobody is left to replace him."""
    pool = [sequencer(spec, DAVE, hand(spec).max_lock)]
    yield from expect_serving(spec, advance_through(spec, EPOCH_14 + 7), DAVE, pool)


@vector_case("selection", "get_current_sequencer", presets=("minimal",))
def test_hubs_first_epochs_are_unsequenced(spec: ModuleType) -> Iterator[Part]:
    """L1 block 101 is in epoch 12, whose snapshot would have been taken in 88, before this hub began: nobody."""
    yield from expect_serving(spec, advance_through(spec, 101), None)


@vector_case("selection", "get_current_sequencer")
def test_current_sequencer_of_an_unknown_chain(spec: ModuleType) -> Iterator[Part]:
    """No DAC 1000000000001090 is registered."""
    pre = hub(spec, weighted_pool(spec), [dac(spec, CHAIN)])
    yield "pre", hub_state(pre)
    yield "input", {"operations": [], "chain_id": encode_uint(OTHER_CHAIN)}
    yield from expect_spec_error(spec, "UnknownChainId", lambda: spec.get_current_sequencer(pre, spec.ChainId(OTHER_CHAIN)))


def fallback_binding_pool(spec: ModuleType) -> list[Any]:
    """Alice staking B and Bob 2B, for the rangers' DAC and acme (threshold B each)."""
    return [sequencer(spec, ALICE, hand(spec).bond), sequencer(spec, BOB, 2 * hand(spec).bond)]


def binding_successions(spec: ModuleType) -> dict[int, list[bytes]]:
    pool = [(bytes(s.address), int(s.locked), s.exit_requested_at) for s in fallback_binding_pool(spec)]
    drawn = assign_by_hand(pool, [(RANGERS, 0), (CHAIN, 0)], RANDOMNESS, 5, hand(spec))
    successions = {chain_id: succession for chain_id, (succession, _) in drawn.items()}
    # Alice's stake holds one slot, Bob's two: three slots in all, where unbound fallbacks would give each DAC both.
    assert sum(len(succession) for succession in successions.values()) == 3
    return successions


def make_fallback_binding_case(chain_id: int, name: str) -> None:
    def body(spec: ModuleType) -> Iterator[Part]:
        pre = hub(spec, fallback_binding_pool(spec), [dac(spec, CHAIN)])
        yield from expect_selected(spec, pre, chain_id, 5, expected_succession=binding_successions(spec)[chain_id])

    body.__name__ = f"test_fallback_slots_count_against_the_stake_{name}"
    body.__doc__ = (
        f"Epoch 5, asked about {name}: Alice (B) and Bob (2B) hold three slots between the two DACs, first choices "
        "and fallbacks alike, so one DAC's succession is one sequencer short. A client that lets fallback slots "
        "share a stake gives both DACs both sequencers, and fails this vector or its twin."
    )
    globals()[body.__name__] = vector_case("selection", "get_epoch_sequencers")(body)


make_fallback_binding_case(RANGERS, "rangers")
make_fallback_binding_case(CHAIN, "acme")


MAX_SHUFFLE_COUNT_BY_HAND = 2**40  # MAX_SHUFFLE_COUNT, from spec/v1/sequencing.md's constants


@vector_case("selection", "compute_shuffled_index")
def test_shuffle_of_the_most_positions(spec: ModuleType) -> Iterator[Part]:
    """Exactly MAX_SHUFFLE_COUNT (2**40) positions: a shuffle like any other (its last index), cross-checked."""
    assert spec.MAX_SHUFFLE_COUNT == MAX_SHUFFLE_COUNT_BY_HAND
    yield from expect_shuffled(spec, MAX_SHUFFLE_COUNT_BY_HAND - 1, MAX_SHUFFLE_COUNT_BY_HAND, SEED)


@vector_case("selection", "compute_shuffled_index")
def test_shuffle_of_one_position_too_many(spec: ModuleType) -> Iterator[Part]:
    """2**40 + 1 positions: more than the 4-byte groups of the bit source can address, ShuffleTooLarge."""
    count = MAX_SHUFFLE_COUNT_BY_HAND + 1
    yield shuffle_input(0, count, SEED)
    yield from expect_spec_error(spec, "ShuffleTooLarge", lambda: spec.compute_shuffled_index(0, count, SEED))


@vector_case("selection", "compute_shuffled_index")
def test_shuffle_too_large_reported_before_the_index(spec: ModuleType) -> Iterator[Part]:
    """Too many positions and an index past them: the count is checked first, ShuffleTooLarge."""
    count = MAX_SHUFFLE_COUNT_BY_HAND + 1
    yield shuffle_input(count, count, SEED)
    yield from expect_spec_error(spec, "ShuffleTooLarge", lambda: spec.compute_shuffled_index(count, count, SEED))
