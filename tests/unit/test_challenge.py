"""Unit tests of the challenge chapter (spec/v1/challenge.md) against values worked out by hand.

The trace of a block is checked three ways: its ends are the output roots derivation computes (the parent's and the
block's), its inner points are `hash_block_progress` laid out by hand from their documented ABI encoding, and a
dropped transaction's step leaves the point unchanged. The game's pure helpers are checked against their rules.
"""

from __future__ import annotations

from typing import Any

from eth_abi.abi import encode as abi_encode
from eth_hash.auto import keccak

from mvm_spec.forks.v1 import minimal as spec
from tests.cases.test_challenge import scene
from tests.hub_building import ACME, SEQUENCER, context_root_by_hand

CHALLENGER = spec.Address(bytes([0xCC]) * 20)
DEFENDER = spec.Address(SEQUENCER)


def receipt_leaf(gas: int) -> bytes:
    """A successful untaxed transfer's receipt leaf: keccak256(abi.encode(1, cumulative gas, no logs, 0))."""
    return bytes(keccak(abi_encode(["uint8", "uint256", "(address,bytes32[],bytes)[]", "uint256"], [1, gas, [], 0])))


def list_root(count: int, merkle_root: bytes = bytes(32)) -> bytes:
    """keccak256(abi.encode(uint256 count, bytes32 root)): a list's length mixed with its Merkle root (zero if empty)."""
    return bytes(keccak(count.to_bytes(32, "big") + merkle_root))


def progress_by_hand(progress: Any, receipts_root: bytes, included_root: bytes) -> bytes:
    state = progress.state
    charter_root = bytes(keccak(spec.encode_charter(state.charter)))
    words = [bytes(state.world.state_root), charter_root, context_root_by_hand(state), receipts_root, included_root]
    return bytes(keccak(abi_encode(["bytes32"] * 5, words)))


def test_trace_ends_are_the_derived_output_roots() -> None:
    case = scene(spec)
    assert case.trace_roots[0] == case.true_roots[0], "point 0 is block 1's output root"
    assert case.trace_roots[4] == case.true_roots[1], "point 4 is block 2's output root"


def test_trace_points_by_hand() -> None:
    """Block 2 holds Alice's transfer (21,000 gas) and Bob's, which is dropped. Point 1 (started): no receipts and
    no transactions, so both lists are (0, zero). Point 2: one receipt and one transaction, each list a single leaf,
    which is its own Merkle root, mixed with the count 1. Point 3: Bob's transfer was dropped, so point 3 is point 2."""
    case = scene(spec)
    block_2 = spec.get_dac(case.hub, spec.ChainId(ACME)).blocks[1].transactions
    assert case.trace_roots[1] == progress_by_hand(case.trace[1], list_root(0), list_root(0))
    assert case.trace_roots[2] == progress_by_hand(
        case.trace[2], list_root(1, receipt_leaf(21_000)), list_root(1, bytes(keccak(block_2[0])))
    )
    assert case.trace_roots[3] == case.trace_roots[2]
    assert case.trace[3].included == (block_2[0],)


def test_every_step_reproduces_the_next_point() -> None:
    """Executing step s on the true point s gives the true point s + 1, for every step: the honest defender's
    trace always survives the one-step check."""
    case = scene(spec)
    dac = spec.get_dac(case.hub, spec.ChainId(ACME))
    inputs = spec.get_block_inputs(case.hub, dac, 2)
    for step in range(4):
        after = spec.execute_trace_step(case.hub, inputs, case.trace[step], step)
        assert bytes(spec.hash_trace_point(after, step + 1, 4)) == case.trace_roots[step + 1]


def test_block_not_derived() -> None:
    case = scene(spec)
    for number in (0, 3):
        try:
            spec.get_block_trace(case.hub, spec.ChainId(ACME), number)
        except spec.BlockNotDerived:
            continue
        raise AssertionError(f"block {number} is not derived")


def challenge(lower: int, upper: int, middle: bool, clocks: tuple[int, int] = (0, 0), last: int = 100) -> Any:
    return spec.Challenge(
        spec.ChallengeStatus(0),
        spec.uint64(0),
        spec.BlockNumber(1),
        CHALLENGER,
        DEFENDER,
        spec.Wei(1),
        spec.uint64(lower),
        spec.Hash32(bytes(32)),
        spec.uint64(upper),
        spec.Hash32(bytes(32)),
        spec.Hash32(bytes(32)) if middle else None,
        spec.uint64(clocks[0]),
        spec.uint64(clocks[1]),
        spec.Timestamp(last),
    )


def test_party_to_move() -> None:
    assert spec.get_party_to_move(challenge(0, 4, False)) == DEFENDER
    assert spec.get_party_to_move(challenge(0, 4, True)) == CHALLENGER
    assert spec.get_party_to_move(challenge(3, 4, False)) == CHALLENGER, "one step left: the challenger proves it"


def test_the_mover_clock_adds_the_running_move_to_the_movers_own_clock() -> None:
    """Challenger used 30 s, defender 50 s, last move at 100. At 160, with no middle root posted, the defender is
    to move: 50 + 60 = 110; with one posted, the challenger: 30 + 60 = 90. Each clock is the mover's own."""
    assert spec.get_mover_clock(challenge(0, 4, False, clocks=(30, 50)), spec.Timestamp(160)) == (DEFENDER, 110)
    assert spec.get_mover_clock(challenge(0, 4, True, clocks=(30, 50)), spec.Timestamp(160)) == (CHALLENGER, 90)
    proving = challenge(3, 4, False, clocks=(30, 50), last=160)
    assert spec.get_mover_clock(proving, spec.Timestamp(160)) == (CHALLENGER, 30), "no time has run since the last move"


def test_max_moves() -> None:
    """1 + ceil(log2(n)): 2 steps take 1 halving and the step; 4 take 2 + 1; 5 take 3 + 1; 1,025 take 11 + 1."""
    assert [spec.get_max_challenge_moves(n) for n in (2, 4, 5, 1_025)] == [2, 3, 4, 12]


def test_settlement_arithmetic_mainnet_anchor() -> None:
    """On mainnet a 20,000 MT stake loses 2,000 MT (10%); the challenger receives 1,000 MT of it (50%) with its
    1,000 MT bond, MetisDAO 1,000 MT."""
    slashed = spec.apply_basis_points(spec.Wei(20_000 * 10**18), spec.SLASH_RATIO_BPS)
    assert slashed == 2_000 * 10**18
    assert spec.apply_basis_points(slashed, spec.CHALLENGER_REWARD_BPS) == 1_000 * 10**18
