"""Laws of the challenge game (spec/v1/challenge.md), over adversary strategies Hypothesis generates.

- The honest party wins. Against a forged root, an honest challenger (agree exactly with true roots, prove the step
  from the true state) wins whatever the defender posts or however it stalls. For a true root, an honest defender
  (post true roots, at once) wins whatever the challenger answers, whichever element it disputes, whatever witness
  it offers, or however it stalls.
- Within a bound: the honest party makes at most `get_max_challenge_moves(n)` moves, and spends no clock time when
  it answers in the block it is asked.
- MT is conserved: every settlement pays exactly the bond it closes plus the stake it slashed, and no more leaves
  the defender's stake than `SLASH_RATIO_BPS` of it.
- No batch is final while a game on it is open, and a deleted batch never becomes final.

The chain: block 1 with one transfer, block 2 with six batched transactions of which two are dropped (an unfunded
sender and a reused nonce), so block 2 takes 8 steps and a game halves its range three times.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mvm_spec.forks.v1 import minimal as spec
from tests.hub_building import (
    ACME,
    ALICE,
    BOB,
    RECIPIENT,
    SEQUENCER,
    advance,
    append_batch,
    append_state,
    funded,
    new_hub,
    run,
    transfer,
)

CHAIN = spec.ChainId(ACME)
CHALLENGER = spec.Address(bytes([0xCC]) * 20)
DEFENDER = spec.Address(SEQUENCER)
STEPS = 8


@dataclass(frozen=True)
class Chain:
    hub: Any  # after the state batch, in L1 block 99
    roots: tuple[Any, ...]  # committed output roots of blocks 1 and 2
    trace: tuple[Any, ...]  # the true trace of block 2
    trace_roots: tuple[Any, ...]


@lru_cache(maxsize=None)
def chain(forged: bool) -> Chain:
    hub = new_hub(spec, alloc=funded(ALICE))
    block_1 = [transfer(ALICE, 0, RECIPIENT, 1)]
    block_2 = [transfer(ALICE, nonce, RECIPIENT, nonce) for nonce in range(1, 5)]
    block_2.insert(2, transfer(BOB, 0, RECIPIENT, 1))  # Bob has no funds: dropped
    block_2.append(transfer(ALICE, 1, RECIPIENT, 9))  # nonce 1 again: dropped
    hub = run(spec, hub, [advance(spec, 97), advance(spec, 98), append_batch(spec, [(96, 0, block_1), (97, 0, block_2)], 0)])
    _, blocks = spec.derive_chain(hub, CHAIN)
    roots = [block.output_root for block in blocks]
    if forged:
        roots[1] = spec.Hash32(bytes([0xF0]) * 32)
    hub = run(spec, hub, [append_state([bytes(root) for root in roots], 0), advance(spec, 99)])
    trace = spec.get_block_trace(hub, CHAIN, 2)
    assert len(trace) == STEPS + 1
    trace_roots = tuple(spec.hash_trace_point(point, index, STEPS) for index, point in enumerate(trace))
    assert trace_roots[STEPS] == blocks[1].output_root
    return Chain(hub, tuple(roots), tuple(trace), trace_roots)


def committed(hub: Any, roots: tuple[Any, ...], index: int) -> Any:
    header = spec.get_dac(hub, CHAIN).state_batches.headers[0]
    return spec.CommittedOutputRoot(header, spec.uint64(index), roots[index], tuple(spec.compute_merkle_proof(list(roots), index)))


def open_game(scene: Chain, element: int) -> Any:
    agreed = committed(scene.hub, scene.roots, element - 1) if element else None
    return spec.open_challenge(scene.hub, CHAIN, committed(scene.hub, scene.roots, element), agreed, CHALLENGER)


def game(hub: Any) -> Any:
    return spec.get_dac(hub, CHAIN).challenges[0]


def stall(hub: Any) -> tuple[Any, tuple[Any, ...]]:
    """The party to move never does: L1 time passes its clock and anyone settles."""
    now = spec.get_current_l1_block(hub)
    later = spec.L1Block(
        spec.L1BlockNumber(now.number + 1),
        spec.Timestamp(now.timestamp + spec.MAX_CHALLENGE_CLOCK + 1),
        now.prev_randao,
        now.parent_beacon_block_root,
    )
    return spec.resolve_challenge_timeout(spec.advance_l1_block(hub, later), CHAIN, 0)


def check_settlement(before: Any, after: Any, payouts: tuple[Any, ...]) -> None:
    """MT conserved: what was paid is the closed bond plus what left the defender's stake (at most 10% of it)."""
    locked_before = sum(int(sequencer.locked) for sequencer in before.sequencers)
    locked_after = sum(int(sequencer.locked) for sequencer in after.sequencers)
    slashed = locked_before - locked_after
    assert 0 <= slashed <= locked_before * int(spec.SLASH_RATIO_BPS) // 10_000
    assert sum(int(payout.amount) for payout in payouts) == int(game(before).bond) + slashed


def check_finality(hub: Any, header: Any, status: int) -> None:
    """While open, the batch is not final even past its window; once the challenger won it is deleted for good."""
    now = spec.get_current_l1_block(hub)
    far = spec.L1Block(
        spec.L1BlockNumber(now.number + 1),
        spec.Timestamp(now.timestamp + spec.FRAUD_PROOF_WINDOW + 1),
        now.prev_randao,
        now.parent_beacon_block_root,
    )
    later = spec.advance_l1_block(hub, far)
    final = spec.is_state_batch_final(later, CHAIN, header)
    assert final == (status == spec.DEFENDER_WON), f"status {status}: final {final}"


lies = st.one_of(st.none(), st.binary(min_size=32, max_size=32))  # None: the true root; bytes: a lie


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lies_at=st.lists(lies, min_size=3, max_size=3), stall_at=st.one_of(st.none(), st.integers(0, 3)))
def test_honest_challenger_wins(lies_at: list[Any], stall_at: Any) -> None:
    scene = chain(forged=True)
    hub = open_game(scene, 1)
    header = spec.get_dac(hub, CHAIN).state_batches.headers[0]
    challenger_moves = 0
    for turn in range(STEPS):
        current = game(hub)
        if current.upper - current.lower == 1:
            break
        if stall_at == turn:
            before = hub
            hub, payouts = stall(hub)
            check_settlement(before, hub, payouts)
            break
        middle = (current.lower + current.upper) // 2
        lie = lies_at[turn] if turn < len(lies_at) else None
        posted = scene.trace_roots[middle] if lie is None else spec.Hash32(lie)
        hub = spec.post_middle_root(hub, CHAIN, 0, DEFENDER, posted)
        check_finality(hub, header, spec.CHALLENGE_OPEN)
        hub = spec.answer_middle_root(hub, CHAIN, 0, CHALLENGER, posted == scene.trace_roots[middle])
        challenger_moves += 1
    if game(hub).status == spec.CHALLENGE_OPEN:
        current = game(hub)
        assert current.lower_root == scene.trace_roots[current.lower], "the honest challenger only agrees with truth"
        before = hub
        hub, payouts = spec.prove_step(hub, CHAIN, 0, CHALLENGER, scene.trace[current.lower])
        challenger_moves += 1
        check_settlement(before, hub, payouts)
        assert game(hub).challenger_clock == 0, "answering at once spends no clock"
    assert game(hub).status == spec.CHALLENGER_WON
    assert challenger_moves <= spec.get_max_challenge_moves(STEPS)
    check_finality(hub, header, spec.CHALLENGER_WON)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    element=st.integers(0, 1),
    answers=st.lists(st.booleans(), min_size=3, max_size=3),
    witness_point=st.one_of(st.none(), st.integers(0, STEPS - 1)),
    stall_at=st.one_of(st.none(), st.integers(0, 3)),
)
def test_honest_defender_wins(element: int, answers: list[bool], witness_point: Any, stall_at: Any) -> None:
    scene = chain(forged=False)
    hub = open_game(scene, element)
    header = spec.get_dac(hub, CHAIN).state_batches.headers[0]
    trace = scene.trace if element == 1 else tuple(spec.get_block_trace(scene.hub, CHAIN, 1))
    steps = len(trace) - 1
    roots = [spec.hash_trace_point(point, index, steps) for index, point in enumerate(trace)]
    defender_moves = 0
    for turn in range(STEPS + 1):
        current = game(hub)
        if current.status != spec.CHALLENGE_OPEN:
            break
        if current.upper - current.lower > 1:  # the honest defender posts the true middle root at once
            middle = (current.lower + current.upper) // 2
            hub = spec.post_middle_root(hub, CHAIN, 0, DEFENDER, roots[middle])
            defender_moves += 1
            check_finality(hub, header, spec.CHALLENGE_OPEN)
        if stall_at == turn:  # the challenger walks away
            before = hub
            hub, payouts = stall(hub)
            check_settlement(before, hub, payouts)
            break
        if current.upper - current.lower == 1:
            point = current.lower if witness_point is None else witness_point
            try:
                hub, payouts = spec.prove_step(hub, CHAIN, 0, CHALLENGER, trace[min(point, steps - 1)])
            except spec.StepWitnessMismatch:
                before = hub
                hub, payouts = stall(hub)  # a refused step leaves the challenger nothing but its clock
                check_settlement(before, hub, payouts)
                break
            continue
        hub = spec.answer_middle_root(hub, CHAIN, 0, CHALLENGER, answers[turn % len(answers)])
    assert game(hub).status == spec.DEFENDER_WON
    assert defender_moves <= spec.get_max_challenge_moves(steps)
    check_finality(hub, header, spec.DEFENDER_WON)
