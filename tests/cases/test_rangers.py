"""Vector cases for rangers (spec/v1/rangers.md), on the minimal preset (an epoch is 8 L1 blocks; mainnet's 7,200
cannot be walked in a vector).

The scene is the challenge vectors' (tests/cases/test_challenge.py): acme's state batch 0, appended in L1 block 98,
with the hub in L1 block 99. Four rangers register in block 99 with the minimum bond; block 104 starts epoch 13,
whose assignment takes them (they registered before it) over the rangers' DAC (1000000000001088) and acme (1000000000001089). By block 104
the sequencing window has forced empty blocks 3-5; the sequencer posts block 6 and state batch 1 over blocks 3-6
(true roots, or block 6's forged): the batch the rangers assigned to acme in epoch 13 validate. Which ranger validates which DAC is worked out here by hand: Ethereum's swap-or-not shuffle (the sequencing
cases' independent implementation) seeded keccak256(RANDAO of block 104 ‖ uint256(1) ‖ uint256(13)), the ranger
in position p taking chain [1000000000001088, 1000000000001089][shuffled(p) mod 2]. Expected hubs are the pre-state with exactly what a rule
changes replaced by hand; payouts are the preset's bond and reward (presets/minimal.yaml).
"""

from __future__ import annotations

from dataclasses import replace
from types import ModuleType
from typing import Any, Iterator, Sequence

from mvm_spec.conformance.handlers import HANDLERS
from mvm_spec.vectors import expect_spec_error, vector_case
from mvm_spec.vectors.case import Part
from mvm_spec.vectors.codec import encode_batch_header, encode_bytes, encode_hub, encode_uint
from tests.cases.test_challenge import (
    BOTH_FORKS,
    CHALLENGER,
    Scene,
    at,
    committed,
    open_op,
    post_op,
    scene,
    timeout_op,
    with_clock,
)
from tests.cases.test_sequencing import selection_seed_by_hand, shuffled_index_by_hand
from tests.hub_building import ACME, SEQUENCER, append_batch, append_state, create_dac_op, l1_time, randao, run, served_by

MT = 10**18
BOND = 2 * MT  # RANGER_BOND, minimal
REWARD = MT // 10  # RANGER_VALIDATION_REWARD, minimal
EXIT_DELAY = 4_800  # RANGER_EXIT_DELAY, minimal
WINDOW = 3_600  # FRAUD_PROOF_WINDOW, minimal
CLOCK = 600  # MAX_CHALLENGE_CLOCK, minimal
ROUNDS = 10  # SHUFFLE_ROUND_COUNT, minimal
RANGERS = [bytes([0xA0 + index]) * 20 for index in range(4)]
FORGED_ROOT = bytes([0xF0]) * 32
EPOCH_START = 104  # the first L1 block of epoch 13


def assigned_by_hand(rangers: Sequence[bytes], chains: Sequence[int] = (1000000000001088, 1000000000001089)) -> dict[bytes, int]:
    seed = selection_seed_by_hand(randao(EPOCH_START), 1, EPOCH_START // 8)
    count = len(chains)
    return {ranger: chains[shuffled_index_by_hand(p, len(rangers), seed, ROUNDS) % count] for p, ranger in enumerate(rangers)}


def acme_rangers() -> list[bytes]:
    acme = [ranger for ranger, chain in assigned_by_hand(RANGERS).items() if chain == ACME]
    assert 1 <= len(acme) < len(RANGERS), "the cases need rangers on both DACs"
    return acme


def other_ranger() -> bytes:
    return next(ranger for ranger, chain in assigned_by_hand(RANGERS).items() if chain != ACME)


def register(ranger: bytes, bond: int = BOND) -> dict[str, Any]:
    return {"op": "register_ranger", "address": encode_bytes(ranger), "bond": encode_uint(bond)}


def fund(amount: int) -> dict[str, Any]:
    return {"op": "fund_ranger_rewards", "amount": encode_uint(amount)}


def validate(spec: ModuleType, case: Scene, ranger: bytes) -> dict[str, Any]:
    header = epoch_13_header(spec, case)
    return {"op": "validate_state_batch", "chain_id": encode_uint(ACME), "header": encode_batch_header(header), "ranger": encode_bytes(ranger)}


def validate_forged(spec: ModuleType, case: Scene, ranger: bytes) -> dict[str, Any]:
    header = epoch_13_header(spec, case, forged=True)
    return {"op": "validate_state_batch", "chain_id": encode_uint(ACME), "header": encode_batch_header(header), "ranger": encode_bytes(ranger)}


def batch_1_roots(spec: ModuleType, case: Scene, *, forged: bool = False) -> list[bytes]:
    """The output roots of blocks 3-6: by block 104 the sequencing window (4 L1 blocks on minimal) has forced empty
    blocks 3-5 on origins 98-100, and the sequencer posts block 6 on origin 101. The forged batch forges block 6."""
    hub = run(spec, case.hub, [at(spec, n) for n in range(100, EPOCH_START + 1)] + [append_batch(spec, [(101, 0, [])], 2)])
    _, blocks = spec.derive_chain(hub, spec.ChainId(ACME))
    assert [int(block.block.number) for block in blocks] == [1, 2, 3, 4, 5, 6]
    roots = [bytes(block.output_root) for block in blocks[2:]]
    return roots[:-1] + [FORGED_ROOT] if forged else roots


def batch_1_ops(spec: ModuleType, case: Scene, *, forged: bool = False) -> list[dict[str, Any]]:
    """In block 104: block 6 (origin 101) and state batch 1 over blocks 3-6."""
    return [append_batch(spec, [(101, 0, [])], 2), append_state(batch_1_roots(spec, case, forged=forged), 2)]


def epoch_13_header(spec: ModuleType, case: Scene, *, forged: bool = False) -> Any:
    hub = run(spec, case.hub, [at(spec, n) for n in range(100, EPOCH_START + 1)] + batch_1_ops(spec, case, forged=forged))
    return spec.get_dac(hub, spec.ChainId(ACME)).state_batches.headers[1]


def claim(ranger: bytes, batch_index: int = 1) -> dict[str, Any]:
    return {"op": "claim_validation_reward", "chain_id": encode_uint(ACME), "ranger": encode_bytes(ranger), "batch_index": encode_uint(batch_index)}


def to_epoch_start(spec: ModuleType, case: Scene, *, forged: bool = False) -> list[dict[str, Any]]:
    """Register the four rangers in block 99, walk to block 104 (epoch 13) and post state batch 1 there."""
    walk = [at(spec, number) for number in range(100, EPOCH_START + 1)]
    return [register(ranger) for ranger in RANGERS] + walk + batch_1_ops(spec, case, forged=forged)


def execute(spec: ModuleType, hub: Any, operations: Sequence[dict[str, Any]]) -> dict[str, Any]:
    request = {"pre": {"hub": encode_hub(hub)}, "input": {"operations": list(operations)}}
    return HANDLERS[("rangers", "apply_operations")](spec, request)


def expect_post(
    spec: ModuleType, hub: Any, operations: Sequence[dict[str, Any]], expected: Any, payouts: Sequence[tuple[bytes, int]]
) -> Iterator[Part]:
    yield "pre", {"hub": encode_hub(hub)}
    yield "input", {"operations": list(operations)}
    answer = execute(spec, hub, operations)
    assert answer["post"]["payouts"] == [{"recipient": encode_bytes(to), "amount": encode_uint(v)} for to, v in payouts]
    assert answer["post"]["hub"] == encode_hub(expected), "the hub differs from the one built by hand"
    yield "post", answer["post"]


def expect_refused(spec: ModuleType, hub: Any, operations: Sequence[dict[str, Any]], error: str) -> Iterator[Part]:
    yield "pre", {"hub": encode_hub(hub)}
    yield "input", {"operations": list(operations)}
    yield from expect_spec_error(spec, error, lambda: execute(spec, hub, operations))


def ranger_record(spec: ModuleType, address: bytes, *, strikes: int = 0, exit_at: Any = None) -> Any:
    exit_requested_at = None if exit_at is None else spec.Timestamp(exit_at)
    return spec.Ranger(spec.Address(address), spec.Wei(BOND), spec.L1BlockNumber(99), exit_requested_at, spec.uint64(strikes))


def validated_hub(spec: ModuleType, case: Scene, rangers: Sequence[bytes], *, pool: int = 0) -> Any:
    """The hub after ``to_epoch_start`` with ``pool`` MT funded and ``rangers`` having validated batch 1, the
    ranger fields built by hand (the batches by the spec's own operations, which are not the subject here)."""
    hub = run(spec, case.hub, [at(spec, n) for n in range(100, EPOCH_START + 1)] + batch_1_ops(spec, case))
    hub = replace(hub, rangers=tuple(ranger_record(spec, ranger) for ranger in RANGERS), ranger_reward_pool=spec.Wei(pool))
    dac = spec.get_dac(hub, spec.ChainId(ACME))
    header = dac.state_batches.headers[1]
    validations = tuple(spec.Validation(spec.Address(ranger), header, False) for ranger in rangers)
    return spec.replace_dac(hub, replace(dac, validations=validations))


# --- Membership ----------------------------------------------------------------------------------------------


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_rangers_register(spec: ModuleType) -> Iterator[Part]:
    """Four rangers lock the minimum bond in L1 block 99; nothing is paid."""
    case = scene(spec)
    expected = replace(case.hub, rangers=tuple(ranger_record(spec, ranger) for ranger in RANGERS))
    yield from expect_post(spec, case.hub, [register(ranger) for ranger in RANGERS], expected, [])


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_ranger_bond_one_wei_short(spec: ModuleType) -> Iterator[Part]:
    case = scene(spec)
    yield from expect_refused(spec, case.hub, [register(RANGERS[0], BOND - 1)], "RangerBondTooLow")


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_ranger_registers_twice(spec: ModuleType) -> Iterator[Part]:
    case = scene(spec)
    yield from expect_refused(spec, case.hub, [register(RANGERS[0]), register(RANGERS[0], 2 * BOND)], "RangerAlreadyRegistered")


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_bond_withdrawn_after_the_exit_delay(spec: ModuleType) -> Iterator[Part]:
    """Asked to exit at t(99); withdrawable at t(99) + RANGER_EXIT_DELAY exactly: the bond is paid back."""
    case = scene(spec)
    exit_op = {"op": "request_ranger_exit", "address": encode_bytes(RANGERS[0])}
    withdraw = {"op": "withdraw_ranger_bond", "address": encode_bytes(RANGERS[0])}
    moves = [register(RANGERS[0]), exit_op, at(spec, 100, l1_time(99) + EXIT_DELAY), withdraw]
    expected = with_clock(spec, case.hub, 100, l1_time(99) + EXIT_DELAY)
    yield from expect_post(spec, case.hub, moves, expected, [(RANGERS[0], BOND)])


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_bond_withdrawn_one_second_early(spec: ModuleType) -> Iterator[Part]:
    case = scene(spec)
    exit_op = {"op": "request_ranger_exit", "address": encode_bytes(RANGERS[0])}
    withdraw = {"op": "withdraw_ranger_bond", "address": encode_bytes(RANGERS[0])}
    moves = [register(RANGERS[0]), exit_op, at(spec, 100, l1_time(99) + EXIT_DELAY - 1), withdraw]
    yield from expect_refused(spec, case.hub, moves, "ExitDelayNotElapsed")


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_exit_requested_twice(spec: ModuleType) -> Iterator[Part]:
    """A ranger asks to exit twice: the second request would restart its exit delay, and is refused."""
    case = scene(spec)
    exit_op = {"op": "request_ranger_exit", "address": encode_bytes(RANGERS[0])}
    yield from expect_refused(spec, case.hub, [register(RANGERS[0]), exit_op, at(spec, 100), exit_op], "RangerExiting")


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_bond_withdrawn_without_exit(spec: ModuleType) -> Iterator[Part]:
    case = scene(spec)
    moves = [register(RANGERS[0]), {"op": "withdraw_ranger_bond", "address": encode_bytes(RANGERS[0])}]
    yield from expect_refused(spec, case.hub, moves, "RangerNotExiting")


# --- Assignment and validations ----------------------------------------------------------------------------------


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_assigned_rangers_validate(spec: ModuleType) -> Iterator[Part]:
    """In epoch 13 the rangers the shuffle gives acme validate its batch 1, appended in that epoch (not final: the
    window is an hour)."""
    case = scene(spec)
    acme = acme_rangers()
    moves = to_epoch_start(spec, case) + [validate(spec, case, ranger) for ranger in acme]
    yield from expect_post(spec, case.hub, moves, validated_hub(spec, case, acme), [])


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_validation_of_an_unassigned_chain(spec: ModuleType) -> Iterator[Part]:
    """A ranger the shuffle gave the rangers' DAC cannot validate acme."""
    case = scene(spec)
    yield from expect_refused(spec, case.hub, to_epoch_start(spec, case) + [validate(spec, case, other_ranger())], "RangerNotAssigned")


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_ranger_registered_in_the_seed_block_is_not_assigned(spec: ModuleType) -> Iterator[Part]:
    """A fifth ranger registers in block 104 itself, after its RANDAO value is known: epoch 13 does not assign it."""
    case = scene(spec)
    late = bytes([0xAF]) * 20
    moves = to_epoch_start(spec, case) + [register(late), validate(spec, case, late)]
    yield from expect_refused(spec, case.hub, moves, "RangerNotAssigned")


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_ranger_registered_at_the_epoch_start_changes_no_assignment(spec: ModuleType) -> Iterator[Part]:
    """The fifth ranger registering in block 104 is left out of epoch 13's draw, so the four are drawn as before:
    A0 still validates acme. (Had the draw counted five, A0 would be on the rangers' DAC.)"""
    case = scene(spec)
    late = bytes([0xAF]) * 20
    first = RANGERS[0]
    assert assigned_by_hand(RANGERS)[first] == ACME and assigned_by_hand([*RANGERS, late])[first] != ACME
    moves = to_epoch_start(spec, case) + [register(late), validate(spec, case, first)]
    expected = validated_hub(spec, case, [first])
    joined = spec.Ranger(spec.Address(late), spec.Wei(BOND), spec.L1BlockNumber(EPOCH_START), None, spec.uint64(0))
    yield from expect_post(spec, case.hub, moves, replace(expected, rangers=(*expected.rangers, joined)), [])


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_exiting_ranger_leaves_the_assignment(spec: ModuleType) -> Iterator[Part]:
    """A1 asks to exit in block 99, right after registering: epoch 13 draws A0, A2 and A3 only, which gives A2 the
    rangers' DAC, so A2 cannot validate acme. (Had the draw counted A1, A2 would be on acme.)"""
    case = scene(spec)
    staying = [RANGERS[0], RANGERS[2], RANGERS[3]]
    assert assigned_by_hand(staying)[RANGERS[2]] != ACME and assigned_by_hand(RANGERS)[RANGERS[2]] == ACME
    exit_op = {"op": "request_ranger_exit", "address": encode_bytes(RANGERS[1])}
    moves = [register(ranger) for ranger in RANGERS] + [exit_op]
    moves += [at(spec, number) for number in range(100, EPOCH_START + 1)] + batch_1_ops(spec, case)
    yield from expect_refused(spec, case.hub, moves + [validate(spec, case, RANGERS[2])], "RangerNotAssigned")


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_dac_created_at_the_epoch_start_is_not_assigned(spec: ModuleType) -> Iterator[Part]:
    """A third DAC created in block 104 is left out of epoch 13's draw (its genesis is not before the epoch), so the
    rangers are drawn over two DACs as before: A0 still validates acme. (Over three DACs, A0 would be on the
    rangers' DAC.)"""
    case = scene(spec)
    first = RANGERS[0]
    three = (1000000000001088, 1000000000001089, 1000000000001090)
    assert assigned_by_hand(RANGERS)[first] == ACME and assigned_by_hand(RANGERS, three)[first] != ACME
    moves = to_epoch_start(spec, case) + [create_dac_op(spec, "gamma"), validate(spec, case, first)]
    answer = execute(spec, case.hub, moves)
    acme = next(dac for dac in answer["post"]["hub"]["dacs"] if dac["chain_id"] == encode_uint(ACME))
    assert [validation["ranger"] for validation in acme["validations"]] == [encode_bytes(first)]
    assert len(answer["post"]["hub"]["dacs"]) == 3
    yield "pre", {"hub": encode_hub(case.hub)}
    yield "input", {"operations": moves}
    yield "post", answer["post"]


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_validation_twice(spec: ModuleType) -> Iterator[Part]:
    case = scene(spec)
    ranger = acme_rangers()[0]
    moves = to_epoch_start(spec, case) + [validate(spec, case, ranger), validate(spec, case, ranger)]
    yield from expect_refused(spec, case.hub, moves, "DuplicateValidation")


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_validation_after_exit(spec: ModuleType) -> Iterator[Part]:
    """An exiting ranger validates nothing (it also leaves the assignment of later epochs)."""
    case = scene(spec)
    ranger = acme_rangers()[0]
    moves = to_epoch_start(spec, case) + [{"op": "request_ranger_exit", "address": encode_bytes(ranger)}, validate(spec, case, ranger)]
    yield from expect_refused(spec, case.hub, moves, "RangerExiting")


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_validation_of_a_final_batch(spec: ModuleType) -> Iterator[Part]:
    """Once batch 1 is final (t(104) + FRAUD_PROOF_WINDOW), vouching for it is worth nothing, and is refused."""
    case = scene(spec, forged=False)
    moves = to_epoch_start(spec, case) + [final_block(spec), validate(spec, case, acme_rangers()[0])]
    yield from expect_refused(spec, case.hub, moves, "OutsideFraudProofWindow")


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_validation_by_a_stranger(spec: ModuleType) -> Iterator[Part]:
    case = scene(spec)
    moves = to_epoch_start(spec, case) + [validate(spec, case, bytes([0x77]) * 20)]
    yield from expect_refused(spec, case.hub, moves, "UnknownRanger")


# --- Rewards -----------------------------------------------------------------------------------------------------


def final_block(spec: ModuleType) -> dict[str, Any]:
    """L1 block 105, at the second batch 1 becomes final: t(104) + FRAUD_PROOF_WINDOW (batch 0 already is)."""
    return at(spec, 105, l1_time(EPOCH_START) + WINDOW)


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_reward_paid_once_the_batch_is_final(spec: ModuleType) -> Iterator[Part]:
    """MetisDAO funds the pool with 1 MT; the validators claim once batch 0 is final: 0.1 MT each, taken from the
    pool, and their validations marked paid."""
    case = scene(spec, forged=False)
    acme = acme_rangers()
    moves = [fund(MT)] + to_epoch_start(spec, case) + [validate(spec, case, r) for r in acme] + [final_block(spec)]
    moves += [claim(r) for r in acme]
    expected = validated_hub(spec, case, acme, pool=MT - REWARD * len(acme))
    expected = with_clock(spec, expected, 105, l1_time(EPOCH_START) + WINDOW)
    dac = spec.get_dac(expected, spec.ChainId(ACME))
    expected = spec.replace_dac(expected, replace(dac, validations=tuple(replace(v, rewarded=True) for v in dac.validations)))
    yield from expect_post(spec, case.hub, moves, expected, [(r, REWARD) for r in acme])


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_reward_claimed_before_the_batch_is_final(spec: ModuleType) -> Iterator[Part]:
    case = scene(spec, forged=False)
    ranger = acme_rangers()[0]
    moves = [fund(MT)] + to_epoch_start(spec, case) + [validate(spec, case, ranger), claim(ranger)]
    yield from expect_refused(spec, case.hub, moves, "ValidatedBatchNotFinal")


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_reward_claimed_twice(spec: ModuleType) -> Iterator[Part]:
    case = scene(spec, forged=False)
    ranger = acme_rangers()[0]
    moves = [fund(MT)] + to_epoch_start(spec, case) + [validate(spec, case, ranger), final_block(spec), claim(ranger), claim(ranger)]
    yield from expect_refused(spec, case.hub, moves, "RewardAlreadyClaimed")


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_reward_from_an_empty_pool(spec: ModuleType) -> Iterator[Part]:
    """The pool holds one wei less than a reward: nothing is minted to pay it."""
    case = scene(spec, forged=False)
    ranger = acme_rangers()[0]
    moves = [fund(REWARD - 1)] + to_epoch_start(spec, case) + [validate(spec, case, ranger), final_block(spec), claim(ranger)]
    yield from expect_refused(spec, case.hub, moves, "RewardPoolEmpty")


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_reward_from_a_pool_of_exactly_one_reward(spec: ModuleType) -> Iterator[Part]:
    """The pool holds exactly one reward: it is paid, and the pool is empty."""
    case = scene(spec, forged=False)
    ranger = acme_rangers()[0]
    moves = [fund(REWARD)] + to_epoch_start(spec, case) + [validate(spec, case, ranger), final_block(spec), claim(ranger)]
    expected = with_clock(spec, validated_hub(spec, case, [ranger]), 105, l1_time(EPOCH_START) + WINDOW)
    dac = spec.get_dac(expected, spec.ChainId(ACME))
    expected = spec.replace_dac(expected, replace(dac, validations=(replace(dac.validations[0], rewarded=True),)))
    yield from expect_post(spec, case.hub, moves, expected, [(ranger, REWARD)])


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_reward_for_a_validation_never_made(spec: ModuleType) -> Iterator[Part]:
    case = scene(spec, forged=False)
    moves = [fund(MT)] + to_epoch_start(spec, case) + [final_block(spec), claim(acme_rangers()[0])]
    yield from expect_refused(spec, case.hub, moves, "UnknownValidation")


# --- Strikes -----------------------------------------------------------------------------------------------------


def settle_against_the_defender(spec: ModuleType, case: Scene) -> list[dict[str, Any]]:
    """A challenge of batch 1's forged root of block 6 (its element 3, agreed element 2) opened in block 104; the
    defender never moves; settled past its clock in block 105."""
    header_1 = epoch_13_header(spec, case, forged=True)
    roots = batch_1_roots(spec, case, forged=True)
    opening = {
        "op": "open_challenge",
        "chain_id": encode_uint(ACME),
        "disputed": committed(spec, header_1, roots, 3),
        "agreed": committed(spec, header_1, roots, 2),
        "challenger": encode_bytes(CHALLENGER),
    }
    return [opening, at(spec, 105, l1_time(EPOCH_START) + CLOCK + 1), timeout_op()]


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_validators_of_a_deleted_batch_are_struck(spec: ModuleType) -> Iterator[Part]:
    """The acme rangers validated the forged batch 1; a challenge deletes it: each takes a strike. The game's
    payouts are the challenge chapter's (bond plus half the 10% slash to the challenger, the rest to MetisDAO)."""
    case = scene(spec, forged=False)
    acme = acme_rangers()
    moves = to_epoch_start(spec, case, forged=True) + [validate_forged(spec, case, r) for r in acme]
    moves += settle_against_the_defender(spec, case)
    answer = execute(spec, case.hub, moves)
    strikes = {bytes.fromhex(r["address"][2:]): int(r["strikes"]) for r in answer["post"]["hub"]["rangers"]}
    assert strikes == {r: (1 if r in acme else 0) for r in RANGERS}
    slashed = 40 * MT // 10  # 10% of the defender's stake, 2 x 20 MT (tests/hub_building.new_hub)
    assert [p["amount"] for p in answer["post"]["payouts"]] == [encode_uint(MT + slashed // 2), encode_uint(slashed // 2)]
    assert len(answer["post"]["hub"]["dacs"][1]["state_batches"]) == 1, "batch 1 deleted, batch 0 kept"
    yield "pre", {"hub": encode_hub(case.hub)}
    yield "input", {"operations": moves}
    yield "post", answer["post"]


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_third_strike_forfeits_the_bond(spec: ModuleType) -> Iterator[Part]:
    """A validator with two strikes already takes its third: it is removed and its bond goes to the reward pool."""
    case = scene(spec, forged=False)
    ranger = acme_rangers()[0]
    struck = tuple(ranger_record(spec, r, strikes=2 if r == ranger else 0) for r in RANGERS)
    hub = replace(case.hub, rangers=struck)
    walk = [at(spec, n) for n in range(100, EPOCH_START + 1)]
    moves = walk + batch_1_ops(spec, case, forged=True) + [validate_forged(spec, case, ranger)]
    moves += settle_against_the_defender(spec, case)
    answer = execute(spec, hub, moves)
    remaining = [bytes.fromhex(r["address"][2:]) for r in answer["post"]["hub"]["rangers"]]
    assert remaining == [r for r in RANGERS if r != ranger]
    assert answer["post"]["hub"]["ranger_reward_pool"] == encode_uint(BOND)
    yield "pre", {"hub": encode_hub(hub)}
    yield "input", {"operations": moves}
    yield "post", answer["post"]


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_second_strike_keeps_the_ranger(spec: ModuleType) -> Iterator[Part]:
    """A validator with one strike takes its second: it stays, with two strikes and its bond."""
    case = scene(spec, forged=False)
    ranger = acme_rangers()[0]
    hub = replace(case.hub, rangers=tuple(ranger_record(spec, r, strikes=1 if r == ranger else 0) for r in RANGERS))
    walk = [at(spec, n) for n in range(100, EPOCH_START + 1)]
    moves = walk + batch_1_ops(spec, case, forged=True) + [validate_forged(spec, case, ranger)]
    moves += settle_against_the_defender(spec, case)
    answer = execute(spec, hub, moves)
    strikes = {bytes.fromhex(r["address"][2:]): int(r["strikes"]) for r in answer["post"]["hub"]["rangers"]}
    assert strikes == {r: (2 if r == ranger else 0) for r in RANGERS}
    assert answer["post"]["hub"]["ranger_reward_pool"] == encode_uint(0)
    yield "pre", {"hub": encode_hub(hub)}
    yield "input", {"operations": moves}
    yield "post", answer["post"]


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_validator_gone_before_the_settlement_escapes_its_strike(spec: ModuleType) -> Iterator[Part]:
    """Both acme rangers validate the forged batch 1; the first asks to exit and, the game against the defender
    being left unsettled, withdraws its bond RANGER_EXIT_DELAY later. When the game is then settled, the batch's
    validators are struck: the one that left is no ranger any more and is passed over, the other takes its strike."""
    case = scene(spec, forged=False)
    gone, staying = acme_rangers()
    exit_op = {"op": "request_ranger_exit", "address": encode_bytes(gone)}
    withdraw = {"op": "withdraw_ranger_bond", "address": encode_bytes(gone)}
    moves = to_epoch_start(spec, case, forged=True) + [validate_forged(spec, case, r) for r in (gone, staying)]
    opening, _, settle = settle_against_the_defender(spec, case)
    moves += [exit_op, opening, at(spec, 105, l1_time(EPOCH_START) + EXIT_DELAY), withdraw, settle]
    answer = execute(spec, case.hub, moves)
    strikes = {bytes.fromhex(r["address"][2:]): int(r["strikes"]) for r in answer["post"]["hub"]["rangers"]}
    assert strikes == {r: (1 if r == staying else 0) for r in RANGERS if r != gone}
    assert answer["post"]["payouts"][0] == {"recipient": encode_bytes(gone), "amount": encode_uint(BOND)}
    yield "pre", {"hub": encode_hub(case.hub)}
    yield "input", {"operations": moves}
    yield "post", answer["post"]


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_ranger_losing_its_challenge_is_struck(spec: ModuleType) -> Iterator[Part]:
    """A ranger challenges an honest batch and walks away: the defender wins the bond and the ranger takes a strike."""
    case = scene(spec, forged=False)
    hub = replace(case.hub, rangers=(ranger_record(spec, CHALLENGER),))
    moves = [open_op(spec, case), post_op(case.trace_roots[2]), at(spec, 100, l1_time(99) + CLOCK + 1), timeout_op()]
    answer = execute(spec, hub, moves)
    assert answer["post"]["hub"]["rangers"][0]["strikes"] == "1"
    assert answer["post"]["payouts"] == [{"recipient": encode_bytes(SEQUENCER), "amount": encode_uint(MT)}]
    yield "pre", {"hub": encode_hub(hub)}
    yield "input", {"operations": moves}
    yield "post", answer["post"]


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_validators_of_a_later_batch_are_not_struck(spec: ModuleType) -> Iterator[Part]:
    """Batch 1 forges block 6's root; the sequencer then posts block 7 and batch 2 over it, which the acme rangers
    validate. A challenge proves batch 1 wrong: batches 1 and 2 are deleted, but batch 2 was not proven wrong, so
    its validators take no strike (they vouched for block 7 alone, which the game never judged)."""
    case = scene(spec, forged=False)
    acme = acme_rangers()
    batch_2 = [append_batch(spec, [(101, 0, [])], 3), append_state([bytes([0x77]) * 32], 6)]
    setup = to_epoch_start(spec, case, forged=True) + batch_2
    hub = run(spec, case.hub, setup)
    header_2 = spec.get_dac(hub, spec.ChainId(ACME)).state_batches.headers[2]
    validations = [
        {"op": "validate_state_batch", "chain_id": encode_uint(ACME), "header": encode_batch_header(header_2), "ranger": encode_bytes(r)}
        for r in acme
    ]
    moves = setup + validations + settle_against_the_defender(spec, case)
    answer = execute(spec, case.hub, moves)
    assert [int(r["strikes"]) for r in answer["post"]["hub"]["rangers"]] == [0, 0, 0, 0]
    assert len(answer["post"]["hub"]["dacs"][1]["state_batches"]) == 1, "batches 1 and 2 deleted"
    yield "pre", {"hub": encode_hub(case.hub)}
    yield "input", {"operations": moves}
    yield "post", answer["post"]


# --- A deleted batch and its replacement -------------------------------------------------------------------------

OTHER_SEQUENCER = bytes([0x5F]) * 20


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_reward_for_the_replacement_of_a_deleted_batch(spec: ModuleType) -> Iterator[Part]:
    """A second sequencer serves acme in epoch 13 and posts a forged batch 1, which an acme ranger validates; a
    challenge deletes it (the ranger takes a strike, the forger is slashed). The first sequencer serves again from
    block 107 and posts the true batch 1, which the same ranger validates. Once that batch is final the ranger
    claims batch 1's reward and is paid: the claim is for the stored batch's validation, not the deleted one's
    (which would answer ValidatedBatchNotFinal forever)."""
    case = scene(spec, forged=False)
    pre = served_by(spec, case.hub, OTHER_SEQUENCER)
    ranger = acme_rangers()[0]
    walk = [register(r) for r in RANGERS] + [at(spec, n) for n in range(100, EPOCH_START + 1)]
    forged_roots, true_roots = batch_1_roots(spec, case, forged=True), batch_1_roots(spec, case)
    forging = [
        append_batch(spec, [(101, 0, [])], 2, sequencer=OTHER_SEQUENCER),
        append_state(forged_roots, 2, proposer=OTHER_SEQUENCER),
    ]
    hub = run(spec, pre, [fund(MT)] + walk + forging)
    assert spec.get_current_sequencer(hub, spec.ChainId(ACME)) == OTHER_SEQUENCER
    forged = spec.get_dac(hub, spec.ChainId(ACME)).state_batches.headers[1]
    opening = {
        "op": "open_challenge",
        "chain_id": encode_uint(ACME),
        "disputed": committed(spec, forged, forged_roots, 3),
        "agreed": committed(spec, forged, forged_roots, 2),
        "challenger": encode_bytes(CHALLENGER),
    }
    settled = [validation_of(forged, ranger), opening, at(spec, 105, l1_time(EPOCH_START) + CLOCK + 1), timeout_op()]
    # SEQUENCER_TIMEOUT (3 L1 blocks on minimal) after the forger's batch in block 104, its fallback serves.
    replacing = [at(spec, 106, l1_time(EPOCH_START) + CLOCK + 13), at(spec, 107, l1_time(EPOCH_START) + CLOCK + 25)]
    replacing.append(append_state(true_roots, 2))
    hub = run(spec, hub, settled + replacing)
    replacement = spec.get_dac(hub, spec.ChainId(ACME)).state_batches.headers[1]
    appended_at = l1_time(EPOCH_START) + CLOCK + 25
    moves = [fund(MT)] + walk + forging + settled + replacing
    moves += [validation_of(replacement, ranger), at(spec, 108, appended_at + WINDOW), claim(ranger)]
    answer = execute(spec, pre, moves)
    assert answer["post"]["payouts"][-1] == {"recipient": encode_bytes(ranger), "amount": encode_uint(REWARD)}
    validations = answer["post"]["hub"]["dacs"][1]["validations"]
    assert [(v["header"]["batch_root"], v["rewarded"]) for v in validations] == [
        (encode_bytes(forged.batch_root), False),
        (encode_bytes(replacement.batch_root), True),
    ]
    assert answer["post"]["hub"]["ranger_reward_pool"] == encode_uint(MT - REWARD)
    yield "pre", {"hub": encode_hub(pre)}
    yield "input", {"operations": moves}
    yield "post", answer["post"]


def validation_of(header: Any, ranger: bytes) -> dict[str, Any]:
    return {"op": "validate_state_batch", "chain_id": encode_uint(ACME), "header": encode_batch_header(header), "ranger": encode_bytes(ranger)}


# --- What the rangers' contract holds fits a uint256 -------------------------------------------------------------

UINT256_MAX = 2**256 - 1


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_funds_up_to_a_uint256(spec: ModuleType) -> Iterator[Part]:
    """Four rangers bonded with RANGER_BOND each; the pool is funded with exactly what brings bonds and pool to
    2^256 - 1: accepted."""
    case = scene(spec, forged=False)
    moves = [register(r) for r in RANGERS] + [fund(UINT256_MAX - 4 * BOND)]
    expected = replace(
        case.hub, rangers=tuple(ranger_record(spec, r) for r in RANGERS), ranger_reward_pool=spec.Wei(UINT256_MAX - 4 * BOND)
    )
    yield from expect_post(spec, case.hub, moves, expected, [])


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_funds_past_a_uint256(spec: ModuleType) -> Iterator[Part]:
    """The same, then one wei more: bonds and pool would be 2^256, which the contract's uint256 balance cannot hold.
    (Were it accepted, a third strike moving a bond into the full pool would overflow.)"""
    case = scene(spec, forged=False)
    moves = [register(r) for r in RANGERS] + [fund(UINT256_MAX - 4 * BOND), fund(1)]
    yield from expect_refused(spec, case.hub, moves, "RangerFundsOverflow")


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_bond_up_to_a_uint256(spec: ModuleType) -> Iterator[Part]:
    """One wei in the pool, and a ranger bonding 2^256 - 2: the two together are exactly 2^256 - 1, accepted."""
    case = scene(spec, forged=False)
    moves = [fund(1), register(RANGERS[0], UINT256_MAX - 1)]
    bonded = replace(ranger_record(spec, RANGERS[0]), bond=spec.Wei(UINT256_MAX - 1))
    expected = replace(case.hub, rangers=(bonded,), ranger_reward_pool=spec.Wei(1))
    yield from expect_post(spec, case.hub, moves, expected, [])


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_bond_past_a_uint256(spec: ModuleType) -> Iterator[Part]:
    """One wei in the pool, and a ranger bonding 2^256 - 1: 2^256 in all, refused."""
    case = scene(spec, forged=False)
    yield from expect_refused(spec, case.hub, [fund(1), register(RANGERS[0], UINT256_MAX)], "RangerFundsOverflow")


@vector_case("rangers", "apply_operations", forks=BOTH_FORKS, presets=("minimal",))
def test_bond_too_low_before_funds_overflow(spec: ModuleType) -> Iterator[Part]:
    """A pool of 2^256 - 1 and a bond one wei short of RANGER_BOND: both rules break; the bond's minimum is
    reported."""
    case = scene(spec, forged=False)
    moves = [fund(UINT256_MAX), register(RANGERS[0], BOND - 1)]
    yield from expect_refused(spec, case.hub, moves, "RangerBondTooLow")
