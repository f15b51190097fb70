"""Vector cases for the challenge game (spec/v1/challenge.md) and the stakes rule it relies on.

Every vector is a hub (``pre.hub``), a list of operations (``input.operations``) and the hub after them with every
payout the settlements made (``post``), or the error of the first operation a rule rejects.

The scene: "acme" (chain 1000000000001089, Alice funded at genesis, L1 blocks 96 on, 12 seconds apart) with one sequencer
locking the minimum. Its transaction batch holds block 1 (two transfers by Alice) and block 2 (a third transfer by
Alice, and one by Bob, who has no funds: derivation drops it). A state batch then commits the output root of block 1
and, for block 2, either the true root (an honest batch) or a forged one. Block 2 takes 4 steps (start, two
transactions, finish), so its trace has points 0..4, the game's range starts as 0..4 and bisects at 2, then at 1
or 3.

The parties' moves are inputs: an honest party's roots come from the true trace (`get_block_trace`), which the unit
tests check against derivation and against roots written out by hand. What is worked out here by hand is every
outcome: who moves, the bounds after each answer, the clocks in seconds of L1 time, each settlement's payouts from
the presets' bond, stake and ratios, the batches deleted and the sequencer's stake after the slash.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import ModuleType
from typing import Any, Iterator, Optional, Sequence

from eth_hash.auto import keccak

from mvm_spec.conformance.handlers import HANDLERS
from mvm_spec.vectors import expect_spec_error, vector_case
from mvm_spec.vectors.case import Part
from mvm_spec.vectors.codec import (
    encode_batch_header,
    encode_block_progress,
    encode_bytes,
    encode_committed_output_root,
    encode_hub,
    encode_uint,
)
from tests.hub_building import (
    ACME,
    ALICE,
    BOB,
    OTHER,
    RECIPIENT,
    SEQUENCER,
    advance,
    append_batch,
    append_state,
    create_dac_op,
    deposit,
    funded,
    l1_block,
    l1_time,
    new_hub,
    run,
    transfer,
    with_sequencing_snapshots,
)

BOTH_FORKS = ("v1", "v2")  # v2 changes finality, which every game touches: its vectors run on both forks
CHALLENGER = bytes([0xCC]) * 20
RIVAL = bytes([0xDD]) * 20  # a second challenger
FORGED = bytes(keccak(b"a forged output root"))
LIE = bytes(keccak(b"a false middle root"))

# By hand from presets/*.yaml and challenge.md: CHALLENGE_BOND, twice MIN_SEQUENCER_BOND (the sequencer's stake:
# tests/hub_building.new_hub locks one bond for each of its two DACs),
# MAX_CHALLENGE_CLOCK, FRAUD_PROOF_WINDOW, METIS_DAO_L1_ADDRESS.
MT = 10**18
BOND = {"mainnet": 1000 * MT, "minimal": MT}
RANGER_BOND = {"mainnet": 2000 * MT, "minimal": 2 * MT}
STAKE = {"mainnet": 40_000 * MT, "minimal": 40 * MT}
CLOCK = {"mainnet": 302_400, "minimal": 600}
WINDOW = {"mainnet": 604_800, "minimal": 3_600}
TREASURY = {
    "mainnet": bytes.fromhex("4200000000000000000000000000000000000101"),
    "minimal": bytes.fromhex("ba32858ea15ad4a729d3aca3c2ed5e3363bc16f6"),
}


def preset(spec: ModuleType) -> str:
    return str(spec.__name__.rsplit(".", 1)[-1])


def slash_of(stake: int) -> int:
    """SLASH_RATIO_BPS (1,000) of a stake, rounded down."""
    return stake * 1_000 // 10_000


def reward_of(slashed: int) -> int:
    """CHALLENGER_REWARD_BPS (5,000) of a slash, rounded down."""
    return slashed * 5_000 // 10_000


# --- The scene ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scene:
    hub: Any  # the hub after the state batch, in L1 block 99
    roots: tuple[bytes, ...]  # the committed output roots of blocks 1 and 2
    true_roots: tuple[bytes, ...]  # the derived output roots of blocks 1 and 2
    trace: list[Any]  # the true trace of block 2 (points 0..4)
    trace_roots: tuple[bytes, ...]

    def dac(self, spec: ModuleType, hub: Any = None) -> Any:
        return spec.get_dac(hub if hub is not None else self.hub, spec.ChainId(ACME))


def scene(spec: ModuleType, *, forged: bool = True) -> Scene:
    hub = new_hub(spec, alloc=funded(ALICE))
    block_1 = [transfer(ALICE, 0, RECIPIENT, 5), transfer(ALICE, 1, RECIPIENT, 6)]
    block_2 = [transfer(ALICE, 2, RECIPIENT, 7), transfer(BOB, 0, RECIPIENT, 1)]
    hub = run(spec, hub, [advance(spec, 97), advance(spec, 98), append_batch(spec, [(96, 0, block_1), (97, 0, block_2)], 0)])
    _, blocks = spec.derive_chain(hub, spec.ChainId(ACME))
    true_roots = tuple(bytes(block.output_root) for block in blocks)
    assert [len(block.block.transactions) for block in blocks] == [2, 1], "Bob's transfer is dropped"
    roots = (true_roots[0], FORGED if forged else true_roots[1])
    hub = run(spec, hub, [append_state(roots, 0), advance(spec, 99)])
    trace = spec.get_block_trace(hub, spec.ChainId(ACME), 2)
    assert len(trace) == 5, "start, two transactions, finish"
    trace_roots = tuple(bytes(spec.hash_trace_point(point, index, 4)) for index, point in enumerate(trace))
    assert trace_roots[0] == true_roots[0] and trace_roots[4] == true_roots[1]
    return Scene(hub, roots, true_roots, trace, trace_roots)


def committed(spec: ModuleType, header: Any, roots: Sequence[bytes], index: int) -> dict[str, Any]:
    leaves = [spec.Hash32(root) for root in roots]
    proof = spec.CommittedOutputRoot(header, spec.uint64(index), leaves[index], tuple(spec.compute_merkle_proof(leaves, index)))
    return encode_committed_output_root(proof)


def at(spec: ModuleType, number: int, timestamp: Optional[int] = None) -> dict[str, Any]:
    """Advance the hub's L1 clock to block ``number`` (at ``timestamp``, default 12 seconds per block)."""
    operation = advance(spec, number)
    if timestamp is not None:
        operation["block"]["timestamp"] = encode_uint(timestamp)
    return operation


# --- Operations, in the vectors' encoding ------------------------------------------------------------------------


def open_op(
    spec: ModuleType, case: Scene, *, element: int = 1, challenger: bytes = CHALLENGER, agreed: Any = "previous"
) -> dict[str, Any]:
    header = case.dac(spec).state_batches.headers[0]
    previous = None if element == 0 else committed(spec, header, case.roots, element - 1)
    return {
        "op": "open_challenge",
        "chain_id": encode_uint(ACME),
        "disputed": committed(spec, header, case.roots, element),
        "agreed": previous if agreed == "previous" else agreed,
        "challenger": encode_bytes(challenger),
    }


def post_op(root: bytes, *, index: int = 0, sender: bytes = SEQUENCER, chain_id: int = ACME) -> dict[str, Any]:
    args = {"chain_id": encode_uint(chain_id), "index": encode_uint(index), "sender": encode_bytes(sender)}
    return {"op": "post_middle_root", **args, "root": encode_bytes(root)}


def answer_op(agree: bool, *, index: int = 0, sender: bytes = CHALLENGER, chain_id: int = ACME) -> dict[str, Any]:
    args = {"chain_id": encode_uint(chain_id), "index": encode_uint(index), "sender": encode_bytes(sender)}
    return {"op": "answer_middle_root", **args, "agree": agree}


def step_op(witness: Any, *, index: int = 0, sender: bytes = CHALLENGER, chain_id: int = ACME) -> dict[str, Any]:
    args = {"chain_id": encode_uint(chain_id), "index": encode_uint(index), "sender": encode_bytes(sender)}
    return {"op": "prove_step", **args, "witness": witness if isinstance(witness, dict) else encode_block_progress(witness)}


def timeout_op(*, index: int = 0, chain_id: int = ACME) -> dict[str, Any]:
    return {"op": "resolve_challenge_timeout", "chain_id": encode_uint(chain_id), "index": encode_uint(index)}


def execute(spec: ModuleType, hub: Any, operations: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The reference client's answer to the operations (the same dispatcher every client's vectors are run by)."""
    request = {"pre": {"hub": encode_hub(hub)}, "input": {"operations": list(operations)}}
    return HANDLERS[("challenge", "apply_operations")](spec, request)


def expect_game(
    spec: ModuleType, hub: Any, operations: Sequence[dict[str, Any]], expected_hub: Any, payouts: Sequence[tuple[bytes, int]]
) -> Iterator[Part]:
    yield "pre", {"hub": encode_hub(hub)}
    yield "input", {"operations": list(operations)}
    answer = execute(spec, hub, operations)
    expected_payouts = [{"recipient": encode_bytes(to), "amount": encode_uint(amount)} for to, amount in payouts]
    assert answer["post"]["payouts"] == expected_payouts, f"payouts {answer['post']['payouts']}"
    assert answer["post"]["hub"] == encode_hub(expected_hub), "the hub differs from the one built by hand"
    yield "post", answer["post"]


def expect_refused(spec: ModuleType, hub: Any, operations: Sequence[dict[str, Any]], error: str) -> Iterator[Part]:
    yield "pre", {"hub": encode_hub(hub)}
    yield "input", {"operations": list(operations)}
    yield from expect_spec_error(spec, error, lambda: execute(spec, hub, operations))


# --- Expected records, by hand -----------------------------------------------------------------------------------


def opened(spec: ModuleType, case: Scene, *, opened_at: int, challenger: bytes = CHALLENGER, element: int = 1) -> Any:
    """The challenge as opened: batch 0, block ``element + 1``, range 0..4 from the agreed to the disputed root."""
    agreed = case.roots[element - 1] if element else case.trace_roots[0]
    return spec.Challenge(
        status=spec.ChallengeStatus(0),
        batch_index=spec.uint64(0),
        block_number=spec.BlockNumber(element + 1),
        challenger=spec.Address(challenger),
        defender=spec.Address(SEQUENCER),
        bond=spec.Wei(BOND[preset(spec)]),
        lower=spec.uint64(0),
        lower_root=spec.Hash32(agreed),
        upper=spec.uint64(4),
        upper_root=spec.Hash32(case.roots[element]),
        middle_root=None,
        challenger_clock=spec.uint64(0),
        defender_clock=spec.uint64(0),
        last_move_at=spec.Timestamp(opened_at),
    )


def with_challenges(spec: ModuleType, hub: Any, *challenges: Any, batches: Optional[tuple[Any, ...]] = None) -> Any:
    dac = spec.get_dac(hub, spec.ChainId(ACME))
    kept = dac.state_batches if batches is None else spec.BatchChain(headers=batches)
    return spec.replace_dac(hub, replace(dac, challenges=tuple(challenges), state_batches=kept))


def with_clock(spec: ModuleType, hub: Any, number: int, timestamp: Optional[int] = None) -> Any:
    return spec.advance_l1_block(hub, l1_block(spec, number) if timestamp is None else replace(l1_block(spec, number), timestamp=spec.Timestamp(timestamp)))


def slashed_sequencer(spec: ModuleType, hub: Any, stake: int, exit_at: int) -> Any:
    return replace(hub, sequencers=(spec.Sequencer(spec.Address(SEQUENCER), spec.Wei(stake), spec.Timestamp(exit_at)),))


def honest_moves_to_step_3(case: Scene) -> list[dict[str, Any]]:
    """Against the forged root the defender posts true middle roots (at 2, then 3); the honest challenger agrees
    with both, so the range closes on 3..4 (the finishing step), one L1 block per move from block 100."""
    return [
        post_op(case.trace_roots[2]),
        answer_op(True),
        post_op(case.trace_roots[3]),
        answer_op(True),
    ]


def spaced(spec: ModuleType, moves: Sequence[dict[str, Any]], first_block: int) -> list[dict[str, Any]]:
    """Each move in its own L1 block, 12 seconds apart, from ``first_block``."""
    spaced_moves: list[dict[str, Any]] = []
    for offset, move in enumerate(moves):
        spaced_moves += [at(spec, first_block + offset), move]
    return spaced_moves


# --- Games -------------------------------------------------------------------------------------------------------


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_challenger_proves_a_forged_root(spec: ModuleType) -> Iterator[Part]:
    """The defender plays true middle roots but keeps its forged final root; the honest challenger agrees twice
    (range 0..4 -> 2..4 -> 3..4) and proves the finishing step from the true state at point 3. The result is the
    true output root, not the forged one: the challenger wins. Batch 0 is deleted; the defender loses 10% of its
    stake, the rest stays locked and exiting from the settling block's time; the challenger receives its bond and
    half the slash, MetisDAO's L1 treasury the other half. Clocks: each party moved twice, 12 s after the other, and
    the challenger's step another 12 s: defender 24 s, challenger 36 s."""
    case = scene(spec)
    name = preset(spec)
    moves = [at(spec, 100), open_op(spec, case)] + spaced(spec, honest_moves_to_step_3(case), 101)
    moves += [at(spec, 105), step_op(case.trace[3])]
    settled_at = l1_time(105)
    challenge = replace(
        opened(spec, case, opened_at=l1_time(100)),
        status=spec.ChallengeStatus(1),
        lower=spec.uint64(3),
        lower_root=spec.Hash32(case.trace_roots[3]),
        challenger_clock=spec.uint64(36),
        defender_clock=spec.uint64(24),
        last_move_at=spec.Timestamp(settled_at),
    )
    expected = with_clock(spec, case.hub, 100)
    for number in range(101, 106):
        expected = with_clock(spec, expected, number)
    expected = with_challenges(spec, expected, challenge, batches=())
    slashed = slash_of(STAKE[name])
    expected = slashed_sequencer(spec, expected, STAKE[name] - slashed, settled_at)
    payouts = [(CHALLENGER, BOND[name] + reward_of(slashed)), (TREASURY[name], slashed - reward_of(slashed))]
    yield from expect_game(spec, case.hub, moves, expected, payouts)


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_defender_lies_at_the_middle(spec: ModuleType) -> Iterator[Part]:
    """The defender posts a false root at point 2; the honest challenger disagrees (range 0..2), is offered the
    true root at point 1, agrees (1..2), and proves step 1 (Alice's first transfer) from the true state at point 1:
    the result is the true point 2, not the lie. The challenger wins; the same payouts as a forged final root."""
    case = scene(spec)
    name = preset(spec)
    moves = [open_op(spec, case), post_op(LIE), answer_op(False), post_op(case.trace_roots[1]), answer_op(True)]
    moves += [step_op(case.trace[1])]
    challenge = replace(
        opened(spec, case, opened_at=l1_time(99)),
        status=spec.ChallengeStatus(1),
        lower=spec.uint64(1),
        lower_root=spec.Hash32(case.trace_roots[1]),
        upper=spec.uint64(2),
        upper_root=spec.Hash32(LIE),
    )
    slashed = slash_of(STAKE[name])
    expected = with_challenges(spec, case.hub, challenge, batches=())
    expected = slashed_sequencer(spec, expected, STAKE[name] - slashed, l1_time(99))
    payouts = [(CHALLENGER, BOND[name] + reward_of(slashed)), (TREASURY[name], slashed - reward_of(slashed))]
    yield from expect_game(spec, case.hub, moves, expected, payouts)


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_wrong_challenger_loses_its_bond(spec: ModuleType) -> Iterator[Part]:
    """An honest batch: the challenger disputes block 2's true root and disagrees with the true middle roots
    (0..4 -> 0..2 -> 0..1); it must prove step 0 (starting the block) from the true parent state, which reproduces
    the defender's true point 1. The defender wins and receives the bond; the batch and the stake are untouched."""
    case = scene(spec, forged=False)
    name = preset(spec)
    moves = [open_op(spec, case), post_op(case.trace_roots[2]), answer_op(False), post_op(case.trace_roots[1])]
    moves += [answer_op(False), step_op(case.trace[0])]
    challenge = replace(
        opened(spec, case, opened_at=l1_time(99)),
        status=spec.ChallengeStatus(2),
        upper=spec.uint64(1),
        upper_root=spec.Hash32(case.trace_roots[1]),
    )
    yield from expect_game(spec, case.hub, moves, with_challenges(spec, case.hub, challenge), [(SEQUENCER, BOND[name])])


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_first_element_starts_from_genesis(spec: ModuleType) -> Iterator[Part]:
    """A challenge of element 0 (block 1) names no agreed root: it starts from the genesis output root. Block 1
    also takes 4 steps (two transfers), so the range is 0..4."""
    case = scene(spec)
    genesis = spec.get_block_trace(case.hub, spec.ChainId(ACME), 1)[0]
    genesis_root = bytes(spec.hash_trace_point(genesis, 0, 4))
    challenge = replace(
        opened(spec, case, opened_at=l1_time(99), element=0),
        lower_root=spec.Hash32(genesis_root),
        upper_root=spec.Hash32(case.roots[0]),
    )
    yield from expect_game(spec, case.hub, [open_op(spec, case, element=0, agreed=None)], with_challenges(spec, case.hub, challenge), [])


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_defender_times_out(spec: ModuleType) -> Iterator[Part]:
    """The defender never moves. One second past its clock (opened at time t, now t + MAX_CHALLENGE_CLOCK + 1)
    anyone settles against it: the challenger wins as if it had proven the fraud."""
    case = scene(spec)
    name = preset(spec)
    late = l1_time(99) + CLOCK[name] + 1
    moves = [open_op(spec, case), at(spec, 100, late), timeout_op()]
    challenge = replace(opened(spec, case, opened_at=l1_time(99)), status=spec.ChallengeStatus(1))
    slashed = slash_of(STAKE[name])
    expected = with_challenges(spec, with_clock(spec, case.hub, 100, late), challenge, batches=())
    expected = slashed_sequencer(spec, expected, STAKE[name] - slashed, late)
    payouts = [(CHALLENGER, BOND[name] + reward_of(slashed)), (TREASURY[name], slashed - reward_of(slashed))]
    yield from expect_game(spec, case.hub, moves, expected, payouts)


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_timeout_claimed_at_the_clock_limit(spec: ModuleType) -> Iterator[Part]:
    """Exactly MAX_CHALLENGE_CLOCK seconds used is still in time: a timeout cannot be claimed yet."""
    case = scene(spec)
    moves = [open_op(spec, case), at(spec, 100, l1_time(99) + CLOCK[preset(spec)]), timeout_op()]
    yield from expect_refused(spec, case.hub, moves, "ChallengeClockRunning")


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_defender_moves_at_the_clock_limit(spec: ModuleType) -> Iterator[Part]:
    """The defender posts its middle root with exactly MAX_CHALLENGE_CLOCK seconds used: accepted, and its clock
    shows them all."""
    case = scene(spec)
    limit = l1_time(99) + CLOCK[preset(spec)]
    moves = [open_op(spec, case), at(spec, 100, limit), post_op(case.trace_roots[2])]
    challenge = replace(
        opened(spec, case, opened_at=l1_time(99)),
        middle_root=spec.Hash32(case.trace_roots[2]),
        defender_clock=spec.uint64(CLOCK[preset(spec)]),
        last_move_at=spec.Timestamp(limit),
    )
    yield from expect_game(spec, case.hub, moves, with_challenges(spec, with_clock(spec, case.hub, 100, limit), challenge), [])


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_move_after_the_clock_ran_out(spec: ModuleType) -> Iterator[Part]:
    """One second later the same move is refused: a party cannot move once its clock has run out."""
    case = scene(spec)
    moves = [open_op(spec, case), at(spec, 100, l1_time(99) + CLOCK[preset(spec)] + 1), post_op(case.trace_roots[2])]
    yield from expect_refused(spec, case.hub, moves, "ChallengeClockExpired")


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_challenger_times_out_on_its_answer(spec: ModuleType) -> Iterator[Part]:
    """The defender answers at once; the challenger's clock then runs from that move. Past its limit the defender
    wins the bond (against an honest batch a challenger can simply walk away, and pays for it)."""
    case = scene(spec, forged=False)
    name = preset(spec)
    late = l1_time(100) + CLOCK[name] + 1
    moves = [open_op(spec, case), at(spec, 100), post_op(case.trace_roots[2]), at(spec, 101, late), timeout_op()]
    challenge = replace(
        opened(spec, case, opened_at=l1_time(99)),
        status=spec.ChallengeStatus(2),
        middle_root=spec.Hash32(case.trace_roots[2]),
        defender_clock=spec.uint64(12),
        last_move_at=spec.Timestamp(l1_time(100)),
    )
    expected = with_challenges(spec, with_clock(spec, with_clock(spec, case.hub, 100), 101, late), challenge)
    yield from expect_game(spec, case.hub, moves, expected, [(SEQUENCER, BOND[name])])


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_challenger_moves_out_of_turn(spec: ModuleType) -> Iterator[Part]:
    """The defender moves first; the challenger answering before any middle root is refused."""
    case = scene(spec)
    yield from expect_refused(spec, case.hub, [open_op(spec, case), answer_op(True)], "NotYourMove")


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_stranger_posts_for_the_defender(spec: ModuleType) -> Iterator[Part]:
    """Only the batch's proposer defends it."""
    case = scene(spec)
    moves = [open_op(spec, case), post_op(case.trace_roots[2], sender=RIVAL)]
    yield from expect_refused(spec, case.hub, moves, "NotYourMove")


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_answer_when_one_step_is_left(spec: ModuleType) -> Iterator[Part]:
    """At 3..4 nothing is left to answer: the challenger's move is the step."""
    case = scene(spec)
    moves = [open_op(spec, case)] + honest_moves_to_step_3(case) + [answer_op(True)]
    yield from expect_refused(spec, case.hub, moves, "NoMiddleRoot")


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_step_before_the_range_is_one_step(spec: ModuleType) -> Iterator[Part]:
    """With a middle root waiting for its answer, a step proof is refused."""
    case = scene(spec)
    moves = [open_op(spec, case), post_op(case.trace_roots[2]), step_op(case.trace[0])]
    yield from expect_refused(spec, case.hub, moves, "StepNotReached")


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_witness_of_another_state(spec: ModuleType) -> Iterator[Part]:
    """At 3..4 the challenger offers the state at point 1 as if it were point 3: its commitment is not the agreed
    root, so the step is refused (an invented pre-state cannot win). (Point 2 would be accepted: Bob's transfer,
    step 2, is dropped, so points 2 and 3 are the same state.)"""
    case = scene(spec)
    assert case.trace_roots[2] == case.trace_roots[3] != case.trace_roots[1]
    moves = [open_op(spec, case)] + honest_moves_to_step_3(case) + [step_op(case.trace[1])]
    yield from expect_refused(spec, case.hub, moves, "StepWitnessMismatch")


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_witness_missing_trie_nodes(spec: ModuleType) -> Iterator[Part]:
    """The right state at point 1, but its world is given without any preimage but the state trie's root node: its
    commitment matches (it is only the root), yet executing Alice's transfer reads her account, which is missing."""
    case = scene(spec)
    witness = encode_block_progress(case.trace[1])
    root = witness["state"]["world"]["state_root"]
    witness["state"]["world"]["preimages"] = [
        preimage for preimage in witness["state"]["world"]["preimages"] if "0x" + keccak(bytes.fromhex(preimage[2:])).hex() == root
    ]
    assert len(witness["state"]["world"]["preimages"]) == 1
    moves = [open_op(spec, case), post_op(LIE), answer_op(False), post_op(case.trace_roots[1]), answer_op(True)]
    yield from expect_refused(spec, case.hub, moves + [step_op(witness)], "IncompleteStepWitness")


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_parent_witness_missing_trie_nodes(spec: ModuleType) -> Iterator[Part]:
    """The range closes on 0..1 (starting the block) and the challenger gives the parent state with only its state
    trie's root node: checking it against the agreed output root reads the message passer's account, which is
    missing. The move is refused as IncompleteStepWitness, not a crash."""
    case = scene(spec, forged=False)
    witness = encode_block_progress(case.trace[0])
    root = witness["state"]["world"]["state_root"]
    witness["state"]["world"]["preimages"] = [
        preimage for preimage in witness["state"]["world"]["preimages"] if "0x" + keccak(bytes.fromhex(preimage[2:])).hex() == root
    ]
    moves = [open_op(spec, case), post_op(case.trace_roots[2]), answer_op(False), post_op(case.trace_roots[1])]
    moves += [answer_op(False), step_op(witness)]
    yield from expect_refused(spec, case.hub, moves, "IncompleteStepWitness")


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_game_outlives_the_window(spec: ModuleType) -> Iterator[Part]:
    """Opened in the window's last second, the game is settled after the window: the open challenge kept the batch
    from finality, so it can still be deleted (Metis's MVM_Verifier checks the window at deletion and could not)."""
    case = scene(spec)
    name = preset(spec)
    appended = l1_time(98)
    last_second = appended + WINDOW[name] - 1
    late = last_second + CLOCK[name] + 1
    moves = [at(spec, 100, last_second), open_op(spec, case), at(spec, 101, late), timeout_op()]
    challenge = replace(opened(spec, case, opened_at=last_second), status=spec.ChallengeStatus(1))
    slashed = slash_of(STAKE[name])
    expected = with_clock(spec, with_clock(spec, case.hub, 100, last_second), 101, late)
    expected = slashed_sequencer(spec, with_challenges(spec, expected, challenge, batches=()), STAKE[name] - slashed, late)
    payouts = [(CHALLENGER, BOND[name] + reward_of(slashed)), (TREASURY[name], slashed - reward_of(slashed))]
    yield from expect_game(spec, case.hub, moves, expected, payouts)


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_window_closed(spec: ModuleType) -> Iterator[Part]:
    """FRAUD_PROOF_WINDOW after the append, the window is closed: a challenge cannot open."""
    case = scene(spec)
    moves = [at(spec, 100, l1_time(98) + WINDOW[preset(spec)]), open_op(spec, case)]
    yield from expect_refused(spec, case.hub, moves, "OutsideFraudProofWindow")


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_second_challenge_becomes_moot(spec: ModuleType) -> Iterator[Part]:
    """Two challengers dispute the forged root. The defender stalls; the first game is settled by timeout and
    deletes the batch; the second game, on the same batch, is moot: its bond is returned and nobody is slashed
    twice for one fraud."""
    case = scene(spec)
    name = preset(spec)
    late = l1_time(99) + CLOCK[name] + 1
    moves = [open_op(spec, case), open_op(spec, case, challenger=RIVAL), at(spec, 100, late), timeout_op(index=0)]
    first = replace(opened(spec, case, opened_at=l1_time(99)), status=spec.ChallengeStatus(1))
    second = replace(opened(spec, case, opened_at=l1_time(99), challenger=RIVAL), status=spec.ChallengeStatus(3))
    slashed = slash_of(STAKE[name])
    expected = with_challenges(spec, with_clock(spec, case.hub, 100, late), first, second, batches=())
    expected = slashed_sequencer(spec, expected, STAKE[name] - slashed, late)
    payouts = [
        (CHALLENGER, BOND[name] + reward_of(slashed)),
        (TREASURY[name], slashed - reward_of(slashed)),
        (RIVAL, BOND[name]),
    ]
    yield from expect_game(spec, case.hub, moves, expected, payouts)


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_move_in_the_first_of_two_games_keeps_the_second(spec: ModuleType) -> Iterator[Part]:
    """Two challengers dispute the forged root; the defender posts its middle root in the first game only: the
    first game holds the root, the second is as it was opened."""
    case = scene(spec)
    moves = [open_op(spec, case), open_op(spec, case, challenger=RIVAL), post_op(case.trace_roots[2], index=0)]
    first = replace(opened(spec, case, opened_at=l1_time(99)), middle_root=spec.Hash32(case.trace_roots[2]))
    second = opened(spec, case, opened_at=l1_time(99), challenger=RIVAL)
    yield from expect_game(spec, case.hub, moves, with_challenges(spec, case.hub, first, second), [])


def lost_first_game(spec: ModuleType, case: Scene) -> tuple[list[dict[str, Any]], Any, int]:
    """RIVAL disputes element 0 (block 1's true root) at t(99); the defender posts a middle root at once; RIVAL never
    answers, and one second past its clock anyone settles the game against it: the defender wins RIVAL's bond.
    Returns the moves, the settled game and the time they end at."""
    late = l1_time(99) + CLOCK[preset(spec)] + 1
    genesis = spec.get_block_trace(case.hub, spec.ChainId(ACME), 1)[0]
    genesis_root = bytes(spec.hash_trace_point(genesis, 0, 4))
    moves = [open_op(spec, case, element=0, challenger=RIVAL, agreed=None), post_op(LIE), at(spec, 100, late), timeout_op()]
    game = replace(
        opened(spec, case, opened_at=l1_time(99), challenger=RIVAL, element=0),
        status=spec.ChallengeStatus(2),
        lower_root=spec.Hash32(genesis_root),
        middle_root=spec.Hash32(LIE),
    )
    return moves, game, late


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_lost_game_stays_lost_when_a_later_game_deletes_the_batch(spec: ModuleType) -> Iterator[Part]:
    """RIVAL loses a game on batch 0 by timeout (the defender receives its bond); then CHALLENGER disputes the forged
    root and wins by timeout, deleting batch 0. Only open games on the batch become moot: RIVAL's lost game stays
    lost and its bond is not paid again."""
    case = scene(spec)
    name = preset(spec)
    moves, lost, late = lost_first_game(spec, case)
    later = late + CLOCK[name] + 1
    moves += [open_op(spec, case), at(spec, 101, later), timeout_op(index=1)]
    won = replace(opened(spec, case, opened_at=late), status=spec.ChallengeStatus(1))
    slashed = slash_of(STAKE[name])
    expected = with_clock(spec, with_clock(spec, case.hub, 100, late), 101, later)
    expected = slashed_sequencer(spec, with_challenges(spec, expected, lost, won, batches=()), STAKE[name] - slashed, later)
    payouts = [
        (SEQUENCER, BOND[name]),
        (CHALLENGER, BOND[name] + reward_of(slashed)),
        (TREASURY[name], slashed - reward_of(slashed)),
    ]
    yield from expect_game(spec, case.hub, moves, expected, payouts)


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_move_in_a_moot_challenge(spec: ModuleType) -> Iterator[Part]:
    """After the second game became moot, a move in it is refused."""
    case = scene(spec)
    late = l1_time(99) + CLOCK[preset(spec)] + 1
    moves = [open_op(spec, case), open_op(spec, case, challenger=RIVAL), at(spec, 100, late), timeout_op(index=0)]
    yield from expect_refused(spec, case.hub, moves + [post_op(LIE, index=1)], "ChallengeNotOpen")


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_challenge_of_a_deleted_batch(spec: ModuleType) -> Iterator[Part]:
    """Once the batch is deleted, opening a challenge on it is refused: the hub no longer stores its header."""
    case = scene(spec)
    late = l1_time(99) + CLOCK[preset(spec)] + 1
    moves = [open_op(spec, case), at(spec, 100, late), timeout_op(), open_op(spec, case, challenger=RIVAL)]
    yield from expect_refused(spec, case.hub, moves, "UnknownBatchHeader")


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_unknown_challenge(spec: ModuleType) -> Iterator[Part]:
    """Chain 1000000000001089 has one challenge; index 1 names none."""
    case = scene(spec)
    yield from expect_refused(spec, case.hub, [open_op(spec, case), timeout_op(index=1)], "UnknownChallenge")


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_agreed_root_not_the_previous_element(spec: ModuleType) -> Iterator[Part]:
    """Disputing element 1 from element 1 itself (not element 0) is refused."""
    case = scene(spec)
    header = case.dac(spec).state_batches.headers[0]
    wrong = committed(spec, header, case.roots, 1)
    yield from expect_refused(spec, case.hub, [open_op(spec, case, agreed=wrong)], "AgreedRootNotPrevious")


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_agreed_root_given_for_the_first_element(spec: ModuleType) -> Iterator[Part]:
    """Element 0 starts from genesis: naming an agreed element is refused."""
    case = scene(spec)
    header = case.dac(spec).state_batches.headers[0]
    stray = committed(spec, header, case.roots, 0)
    yield from expect_refused(spec, case.hub, [open_op(spec, case, element=0, agreed=stray)], "AgreedRootNotPrevious")


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_disputed_root_not_committed(spec: ModuleType) -> Iterator[Part]:
    """A disputed root with a Merkle proof that does not lead to the batch root is refused."""
    case = scene(spec)
    operation = open_op(spec, case)
    operation["disputed"]["output_root"] = encode_bytes(LIE)
    yield from expect_refused(spec, case.hub, [operation], "InvalidOutputRootProof")


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_second_fraud_is_slashed_again(spec: ModuleType) -> Iterator[Part]:
    """The sequencer, staking a third bond for it, forges roots on acme and on a second DAC (chain 1000000000001090, an empty
    block; the hub's snapshots taken again to include it). Both games time out against it: it is slashed 10% of
    its stake, then 10% of what is left, and stays exiting from the first slash. Before, one slash removed a
    sequencer with the rest of its stake and the second fraud could not be slashed."""
    case = scene(spec)
    name = preset(spec)
    third_bond = {"op": "increase_sequencer_lock", "address": encode_bytes(SEQUENCER), "amount": encode_uint(STAKE[name] // 2)}
    hub = with_sequencing_snapshots(spec, run(spec, case.hub, [create_dac_op(spec, "beta"), third_bond]))
    hub = run(spec, hub, [advance(spec, 100), append_batch(spec, [(99, 0, [])], 0, chain_id=OTHER)])
    hub = run(spec, hub, [append_state([FORGED], 0, chain_id=OTHER)])
    beta_header = spec.get_dac(hub, spec.ChainId(OTHER)).state_batches.headers[0]
    open_beta = {
        "op": "open_challenge",
        "chain_id": encode_uint(OTHER),
        "disputed": committed(spec, beta_header, [FORGED], 0),
        "agreed": None,
        "challenger": encode_bytes(RIVAL),
    }
    late = l1_time(100) + CLOCK[name] + 1
    moves = [open_op(spec, case), open_beta, at(spec, 101, late), timeout_op(), timeout_op(chain_id=OTHER)]
    answer = execute(spec, hub, moves)
    stake = STAKE[name] * 3 // 2  # a third bond, for beta
    first = slash_of(stake)
    second = slash_of(stake - first)
    expected_payouts = [
        (CHALLENGER, BOND[name] + reward_of(first)),
        (TREASURY[name], first - reward_of(first)),
        (RIVAL, BOND[name] + reward_of(second)),
        (TREASURY[name], second - reward_of(second)),
    ]
    assert answer["post"]["payouts"] == [{"recipient": encode_bytes(to), "amount": encode_uint(v)} for to, v in expected_payouts]
    assert answer["post"]["hub"]["sequencers"] == [
        {"address": encode_bytes(SEQUENCER), "locked": encode_uint(stake - first - second), "exit_requested_at": encode_uint(late)}
    ]
    assert answer["post"]["hub"]["dacs"][1]["state_batches"] == [] and answer["post"]["hub"]["dacs"][2]["state_batches"] == []
    yield "pre", {"hub": encode_hub(hub)}
    yield "input", {"operations": moves}
    yield "post", answer["post"]


# --- stakes: no exit while a batch is pending --------------------------------------------------------------------


@vector_case("stakes", "apply_operations")
def test_withdraw_with_a_batch_pending(spec: ModuleType) -> Iterator[Part]:
    """The sequencer asks to exit right after proposing state batch 0, and waits out SEQUENCER_EXIT_DELAY; on
    minimal (a 60-second delay, a 3,600-second window) its batch is still challengeable then, so the stake stays
    locked (`SequencerBatchesPending`). On mainnet the delay (21 days) outlasts the window (7 days) and the
    withdrawal is accepted: the rule binds only when a batch is pending."""
    case = scene(spec, forged=False)
    name = preset(spec)
    delay = {"mainnet": 1_814_400, "minimal": 60}[name]
    request = {"op": "request_sequencer_exit", "address": encode_bytes(SEQUENCER)}
    withdraw = {"op": "withdraw_sequencer_stake", "address": encode_bytes(SEQUENCER)}
    moves = [request, at(spec, 100, l1_time(99) + delay), withdraw]
    yield "pre", {"hub": encode_hub(case.hub)}
    yield "input", {"operations": moves}
    if l1_time(99) + delay < l1_time(98) + WINDOW[name]:
        yield from expect_spec_error(spec, "SequencerBatchesPending", lambda: run(spec, case.hub, moves))
    else:
        expected = replace(with_clock(spec, case.hub, 100, l1_time(99) + delay), sequencers=())
        got = run(spec, case.hub, moves)
        assert got == expected
        yield "post", {"hub": encode_hub(got)}


# --- get_block_trace: the intermediate roots ---------------------------------------------------------------------


def trace_input(hub: Any, block_number: int) -> Iterator[Part]:
    yield "pre", {"hub": encode_hub(hub)}
    yield "input", {"chain_id": encode_uint(ACME), "block_number": encode_uint(block_number)}


@vector_case("challenge", "get_block_trace", forks=BOTH_FORKS)
def test_trace_of_a_block_with_a_dropped_transaction(spec: ModuleType) -> Iterator[Part]:
    """Block 2's five trace points: point 0 is block 1's output root and point 4 block 2's, both as derivation
    computes them; Bob's transfer (step 2) is dropped, so points 2 and 3 are equal; every other pair differs."""
    case = scene(spec)
    yield from trace_input(case.hub, 2)
    roots = [bytes(spec.hash_trace_point(point, index, 4)) for index, point in enumerate(spec.get_block_trace(case.hub, spec.ChainId(ACME), 2))]
    assert roots[0] == case.true_roots[0] and roots[4] == case.true_roots[1]
    assert roots[2] == roots[3] and len({roots[0], roots[1], roots[2], roots[4]}) == 4
    yield "output", {"roots": ["0x" + root.hex() for root in roots]}


@vector_case("challenge", "get_block_trace", forks=BOTH_FORKS)
def test_trace_of_the_first_block(spec: ModuleType) -> Iterator[Part]:
    """Block 1 starts from the genesis state: point 0 is the genesis output root, point 4 block 1's."""
    case = scene(spec)
    yield from trace_input(case.hub, 1)
    roots = [bytes(spec.hash_trace_point(point, index, 4)) for index, point in enumerate(spec.get_block_trace(case.hub, spec.ChainId(ACME), 1))]
    genesis = spec.get_dac_genesis_state(spec.get_dac(case.hub, spec.ChainId(ACME)))
    assert roots[0] == bytes(spec.get_state_output_root(genesis)) and roots[4] == case.true_roots[0]
    yield "output", {"roots": ["0x" + root.hex() for root in roots]}


@vector_case("challenge", "get_block_trace", forks=BOTH_FORKS)
def test_trace_of_a_block_not_derived(spec: ModuleType) -> Iterator[Part]:
    """The chain's head is block 2: block 3 has no trace."""
    case = scene(spec)
    yield from trace_input(case.hub, 3)
    yield from expect_spec_error(spec, "BlockNotDerived", lambda: spec.get_block_trace(case.hub, spec.ChainId(ACME), 3))


@vector_case("challenge", "get_block_trace", forks=BOTH_FORKS)
def test_trace_of_block_zero(spec: ModuleType) -> Iterator[Part]:
    """Block 0 is the genesis, executed by no step: it has no trace."""
    case = scene(spec)
    yield from trace_input(case.hub, 0)
    yield from expect_spec_error(spec, "BlockNotDerived", lambda: spec.get_block_trace(case.hub, spec.ChainId(ACME), 0))


# A chain mixing forced and batched blocks, with one deposit made in each of L1 blocks 97 to 101 (minimal preset:
# forced blocks need its window of 4 L1 blocks). By hand from the sequencing-window rule: at L1 block 103 blocks 1-3
# are forced on origins 97-99; a batch appended then holds blocks 4 (origin 99, like block 3), 5 (origin 100) and 6
# (origin 100 again); at L1 block 106 blocks 7 and 8 are forced on origins 101 and 102. A block includes the
# deposits made after its parent's origin, up to its own: the deposit of 97 in block 1, 98 in block 2, 99 in
# block 3, 100 in block 5, 101 in block 7, none in blocks 4, 6 and 8.
MIXED_SHAPE = [(1, 97, True), (2, 98, True), (3, 99, True), (4, 99, False), (5, 100, False), (6, 100, False),
               (7, 101, True), (8, 102, True)]  # fmt: skip
MIXED_DEPOSITS = {1: [97], 2: [98], 3: [99], 4: [], 5: [100], 6: [], 7: [101], 8: []}
DEPOSITOR = bytes([0xDE]) * 20


def mixed_chain(spec: ModuleType) -> Any:
    hub = new_hub(spec, alloc=funded(ALICE))
    operations: list[dict[str, Any]] = []
    for number in range(97, 107):
        operations.append(advance(spec, number))
        if number <= 101:
            operations.append(deposit(l1_sender=DEPOSITOR, to=RECIPIENT, value=0, gas_limit=21_000 + number))
        if number == 103:
            operations.append(append_batch(spec, [(99, 0, []), (100, 0, [transfer(ALICE, 0, RECIPIENT, 1)]), (100, 0, [])], 0))
    hub = run(spec, hub, operations)
    _, blocks = spec.derive_chain(hub, spec.ChainId(ACME))
    assert [(int(b.block.number), int(b.l1_origin), bool(b.is_forced)) for b in blocks] == MIXED_SHAPE
    # Each deposit's gas names the L1 block it was made in (21,000 + the block's number), by which it is found here.
    made_in = {int(b.block.number): [int(d.deposit.gas_limit) - 21_000 for d in b.block.deposits] for b in blocks}
    assert made_in == MIXED_DEPOSITS
    return hub


def expect_mixed_trace(spec: ModuleType, block_number: int) -> Iterator[Part]:
    """Block ``block_number``'s trace: its first point is the output root derivation gives the block before it (or
    the genesis), its last the one derivation gives the block, with a point per deposit and transaction between."""
    hub = mixed_chain(spec)
    yield from trace_input(hub, block_number)
    dac = spec.get_dac(hub, spec.ChainId(ACME))
    _, blocks = spec.derive_chain(hub, spec.ChainId(ACME))
    trace = spec.get_block_trace(hub, spec.ChainId(ACME), block_number)
    derived = blocks[block_number - 1]
    steps = len(derived.block.deposits) + len(derived.block.transactions) + 2
    roots = [bytes(spec.hash_trace_point(point, index, steps)) for index, point in enumerate(trace)]
    before = blocks[block_number - 2].output_root if block_number > 1 else spec.get_state_output_root(spec.get_dac_genesis_state(dac))
    assert len(roots) == steps + 1 and roots[0] == bytes(before) and roots[-1] == bytes(derived.output_root)
    yield "output", {"roots": ["0x" + root.hex() for root in roots]}


@vector_case("challenge", "get_block_trace", presets=("minimal",))
def test_trace_of_a_forced_first_block_before_batched_ones(spec: ModuleType) -> Iterator[Part]:
    """Block 1 of the mixed chain: forced on origin 97 (the genesis's 96 and one), with the deposit of 97."""
    yield from expect_mixed_trace(spec, 1)


@vector_case("challenge", "get_block_trace", presets=("minimal",))
def test_trace_of_a_batched_block_after_forced_ones(spec: ModuleType) -> Iterator[Part]:
    """Block 4 of the mixed chain: the first batched block, on origin 99 like forced block 3 before it, so it
    includes no deposit (the deposit of 99 went into block 3)."""
    yield from expect_mixed_trace(spec, 4)


@vector_case("challenge", "get_block_trace", presets=("minimal",))
def test_trace_of_a_batched_block_after_a_batched_one(spec: ModuleType) -> Iterator[Part]:
    """Block 5 of the mixed chain: after batched block 4 (origin 99), on origin 100, so it includes the deposit of
    100 and only that; then Alice's transfer."""
    yield from expect_mixed_trace(spec, 5)


@vector_case("challenge", "get_block_trace", presets=("minimal",))
def test_trace_of_a_forced_block_after_the_last_batched_one(spec: ModuleType) -> Iterator[Part]:
    """Block 7 of the mixed chain: forced after the last batched block (6, origin 100), on origin 101, with the
    deposit of 101."""
    yield from expect_mixed_trace(spec, 7)


# --- The fast window (fork v2): quorums of ranger validations ------------------------------------------------------

FAST = {"mainnet": 86_400, "minimal": 600}  # FAST_FRAUD_PROOF_WINDOW (v2 only)
QUORUM = {"mainnet": 5, "minimal": 2}  # RANGER_QUORUM (v2 only)
RANGER_ADDRESSES = [bytes([0xA0 + index]) * 20 for index in range(6)]


def fork(spec: ModuleType) -> str:
    return str(spec.__name__.split(".")[-2])


def with_validators(spec: ModuleType, hub: Any, batch_index: int, count: int, *, registered: Optional[int] = None) -> Any:
    """``hub`` with six rangers, the first ``registered`` of them (default all) still registered, and the first
    ``count`` having validated acme's state batch ``batch_index`` (built by hand: the rangers runner's vectors
    cover how validations are made)."""
    kept = RANGER_ADDRESSES[: 6 if registered is None else registered]
    rangers = tuple(
        spec.Ranger(spec.Address(a), spec.Wei(RANGER_BOND[preset(spec)]), spec.L1BlockNumber(96), None, spec.uint64(0)) for a in kept
    )
    dac = spec.get_dac(hub, spec.ChainId(ACME))
    header = dac.state_batches.headers[batch_index]
    validations = tuple(spec.Validation(spec.Address(a), header, False) for a in RANGER_ADDRESSES[:count])
    return spec.replace_dac(replace(hub, rangers=rangers), replace(dac, validations=(*dac.validations, *validations)))


def expect_final(spec: ModuleType, hub: Any, batch_index: int, expected: bool) -> Iterator[Part]:
    header = spec.get_dac(hub, spec.ChainId(ACME)).state_batches.headers[batch_index]
    yield "pre", {"hub": encode_hub(hub)}
    yield "input", {"chain_id": encode_uint(ACME), "header": encode_batch_header(header)}
    final = spec.is_state_batch_final(hub, spec.ChainId(ACME), header)
    assert final == expected, f"{fork(spec)}: final {final}, worked out by hand {expected}"
    yield "output", {"final": expected}


@vector_case("finality", "is_state_batch_final", forks=BOTH_FORKS)
def test_fast_window_with_a_quorum(spec: ModuleType) -> Iterator[Part]:
    """A quorum of registered rangers validated batch 0 (appended at t(98)); now is t(98) + FAST_FRAUD_PROOF_WINDOW.
    v1 has no fast window: not final. v2: final, six days early on mainnet."""
    case = scene(spec, forged=False)
    name = preset(spec)
    hub = with_clock(spec, with_validators(spec, case.hub, 0, QUORUM[name]), 100, l1_time(98) + FAST[name])
    yield from expect_final(spec, hub, 0, fork(spec) == "v2")


@vector_case("finality", "is_state_batch_final", forks=BOTH_FORKS)
def test_fast_window_one_second_early(spec: ModuleType) -> Iterator[Part]:
    """The same quorum one second before the fast window ends: not final on either fork."""
    case = scene(spec, forged=False)
    name = preset(spec)
    hub = with_clock(spec, with_validators(spec, case.hub, 0, QUORUM[name]), 100, l1_time(98) + FAST[name] - 1)
    yield from expect_final(spec, hub, 0, False)


@vector_case("finality", "is_state_batch_final", forks=BOTH_FORKS)
def test_fast_window_needs_the_quorum(spec: ModuleType) -> Iterator[Part]:
    """One validation short of the quorum, past the fast window: not final on either fork."""
    case = scene(spec, forged=False)
    name = preset(spec)
    hub = with_clock(spec, with_validators(spec, case.hub, 0, QUORUM[name] - 1), 100, l1_time(98) + FAST[name])
    yield from expect_final(spec, hub, 0, False)


def with_a_validator_struck_out(spec: ModuleType, hub: Any, count: int) -> Any:
    """``with_validators`` of ``count`` rangers of which the first has since taken its third strike elsewhere: it is
    no ranger any more, and its bond is in the reward pool."""
    hub = with_validators(spec, hub, 0, count)
    struck = hub.rangers[0]
    return replace(hub, rangers=hub.rangers[1:], ranger_reward_pool=spec.Wei(hub.ranger_reward_pool + struck.bond))


@vector_case("finality", "is_state_batch_final", forks=BOTH_FORKS)
def test_quorum_counts_validators_that_left(spec: ModuleType) -> Iterator[Part]:
    """A quorum of validations, one of whose rangers has since been removed for strikes: a validation counts once
    made, so at the end of the fast window batch 0 is final in v2 (v1: not final, no fast window). Counting only
    rangers still registered would let a removal elsewhere make a final batch non-final again."""
    case = scene(spec, forged=False)
    name = preset(spec)
    hub = with_a_validator_struck_out(spec, case.hub, QUORUM[name])
    yield from expect_final(spec, with_clock(spec, hub, 100, l1_time(98) + FAST[name]), 0, fork(spec) == "v2")


@vector_case("finality", "is_state_batch_final", forks=BOTH_FORKS)
def test_fast_window_waits_for_earlier_batches(spec: ModuleType) -> Iterator[Part]:
    """Batch 1 (an empty block 3's root, appended at t(99)) has a quorum; batch 0 before it has none. Past batch
    1's fast window, neither is final: a later batch is never final while an earlier one can still be deleted."""
    case = scene(spec, forged=False)
    name = preset(spec)
    hub = run(spec, case.hub, [append_batch(spec, [(98, 0, [])], 2)])
    _, blocks = spec.derive_chain(hub, spec.ChainId(ACME))
    hub = run(spec, hub, [append_state([bytes(blocks[2].output_root)], 2)])
    assert len(spec.get_dac(hub, spec.ChainId(ACME)).state_batches.headers) == 2
    hub = with_clock(spec, with_validators(spec, hub, 1, QUORUM[name]), 100, l1_time(99) + FAST[name])
    yield from expect_final(spec, hub, 1, False)


@vector_case("finality", "is_state_batch_final", forks=BOTH_FORKS)
def test_batch_final_after_a_lost_challenge(spec: ModuleType) -> Iterator[Part]:
    """A game on batch 0 that the challenger lost is no open challenge: at the end of the full window the batch is
    final on both forks."""
    case = scene(spec, forged=False)
    moves, _, _ = lost_first_game(spec, case)
    hub = with_clock(spec, run(spec, case.hub, moves), 101, l1_time(98) + WINDOW[preset(spec)])
    assert spec.get_dac(hub, spec.ChainId(ACME)).challenges[0].status == 2
    yield from expect_final(spec, hub, 0, True)


@vector_case("finality", "is_state_batch_final", forks=BOTH_FORKS)
def test_batch_final_before_a_later_batch_is(spec: ModuleType) -> Iterator[Part]:
    """Batch 0 (appended at t(98)) at the end of its full window, batch 1 (appended at t(99)) twelve seconds short of
    its own: batch 0 is final on both forks, whatever comes after it."""
    case = scene(spec, forged=False)
    hub = run(spec, case.hub, [append_batch(spec, [(98, 0, [])], 2)])
    _, blocks = spec.derive_chain(hub, spec.ChainId(ACME))
    hub = run(spec, hub, [append_state([bytes(blocks[2].output_root)], 2)])
    hub = with_clock(spec, hub, 100, l1_time(98) + WINDOW[preset(spec)])
    assert not spec.is_state_batch_final(hub, spec.ChainId(ACME), spec.get_dac(hub, spec.ChainId(ACME)).state_batches.headers[1])
    yield from expect_final(spec, hub, 0, True)


@vector_case("finality", "is_state_batch_final", forks=BOTH_FORKS)
def test_deleted_batch_is_never_final(spec: ModuleType) -> Iterator[Part]:
    """Batch 0 (forged) deleted by a won game; long after its window, its header is not final on either fork: the
    hub no longer stores it."""
    case = scene(spec)
    header = case.dac(spec).state_batches.headers[0]
    late = l1_time(99) + CLOCK[preset(spec)] + 1
    hub = run(spec, case.hub, [open_op(spec, case), at(spec, 100, late), timeout_op()])
    hub = with_clock(spec, hub, 101, l1_time(98) + 2 * WINDOW[preset(spec)])
    assert spec.get_dac(hub, spec.ChainId(ACME)).state_batches.headers == ()
    yield "pre", {"hub": encode_hub(hub)}
    yield "input", {"chain_id": encode_uint(ACME), "header": encode_batch_header(header)}
    assert spec.is_state_batch_final(hub, spec.ChainId(ACME), header) is False
    yield "output", {"final": False}


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_window_closed_on_a_later_batch_while_an_earlier_game_runs(spec: ModuleType) -> Iterator[Part]:
    """A game on batch 0 is still open (nobody settled it) when batch 1's full window ends: at that second a game on
    batch 1 cannot open, on either fork (in v2 batch 1 is not final either, and its window is still closed)."""
    case = scene(spec)
    hub = run(spec, case.hub, [append_batch(spec, [(98, 0, [])], 2)])
    _, blocks = spec.derive_chain(hub, spec.ChainId(ACME))
    block_3 = bytes(blocks[2].output_root)
    hub = run(spec, hub, [append_state([block_3], 2), open_op(spec, case)])
    headers = spec.get_dac(hub, spec.ChainId(ACME)).state_batches.headers
    later = {
        "op": "open_challenge",
        "chain_id": encode_uint(ACME),
        "disputed": committed(spec, headers[1], [block_3], 0),
        "agreed": committed(spec, headers[0], case.roots, 1),
        "challenger": encode_bytes(RIVAL),
    }
    moves = [at(spec, 100, l1_time(99) + WINDOW[preset(spec)]), later]
    yield from expect_refused(spec, hub, moves, "OutsideFraudProofWindow")


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_challenge_after_fast_finality(spec: ModuleType) -> Iterator[Part]:
    """Batch 0 (here forged) reached a quorum and its fast window: in v2 it is final and cannot be challenged any more
    (the quorum vouched for it); in v1 the full window is still open and the game starts."""
    case = scene(spec)
    name = preset(spec)
    hub = with_clock(spec, with_validators(spec, case.hub, 0, QUORUM[name]), 100, l1_time(98) + FAST[name])
    if fork(spec) == "v2":
        yield from expect_refused(spec, hub, [open_op(spec, case)], "OutsideFraudProofWindow")
    else:
        challenge = opened(spec, case, opened_at=l1_time(98) + FAST[name])
        yield from expect_game(spec, hub, [open_op(spec, case)], with_challenges(spec, hub, challenge), [])


@vector_case("challenge", "apply_operations", forks=BOTH_FORKS)
def test_challenge_after_fast_finality_and_a_validator_struck_out(spec: ModuleType) -> Iterator[Part]:
    """As above, but one of the quorum's rangers was removed for strikes after the batch became final by the fast
    rule: in v2 the batch stays final (a validation counts once made) and still cannot be challenged; in v1 the
    full window is open and the game starts."""
    case = scene(spec)
    name = preset(spec)
    hub = with_clock(spec, with_a_validator_struck_out(spec, case.hub, QUORUM[name]), 100, l1_time(98) + FAST[name] + 12)
    if fork(spec) == "v2":
        yield from expect_refused(spec, hub, [open_op(spec, case)], "OutsideFraudProofWindow")
    else:
        challenge = opened(spec, case, opened_at=l1_time(98) + FAST[name] + 12)
        yield from expect_game(spec, hub, [open_op(spec, case)], with_challenges(spec, hub, challenge), [])


