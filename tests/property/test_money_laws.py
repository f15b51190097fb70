"""MT is conserved through any sequence of games, slashes, ranger bonds and rewards (spec/v1/challenge.md,
spec/v1/rangers.md, spec/v1/sequencing.md), on the minimal preset.

A stateful machine starts from the rangers vectors' scene (acme's state batch 0: block 1's true root, block 2's
forged; four rangers registered before epoch 13, in whose first block batch 1 was appended) and interleaves, in any
order Hypothesis finds: challenges opened by two challengers on either element of batch 0, middle roots true or
false, answers either way, step proofs from the true state, timeouts, rangers registering, validating either batch,
claiming rewards, exiting and withdrawing, the reward pool funded, and the L1 clock moving. Every operation a rule refuses must leave
the hub as it was. After every step, MT on L1 adds up: what is locked in the hub (sequencer stakes, the bonds of open
challenges, ranger bonds, the reward pool) plus everything paid out equals everything put in. And no open game's
range is ever empty or inverted, and no batch is final while a game is open on it.
"""

from __future__ import annotations

from typing import Any, Optional

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from mvm_spec.forks.v1 import minimal as spec
from mvm_spec.vectors.codec import decode_hub
from tests.cases.test_challenge import scene
from tests.cases.test_rangers import RANGERS as ASSIGNED_RANGERS
from tests.cases.test_rangers import execute, to_epoch_start
from tests.hub_building import ACME, SEQUENCER, l1_block
from tests.reachable_hub import hub_invariant_violations

CHAIN = spec.ChainId(ACME)
CHALLENGERS = [spec.Address(bytes([0xC1]) * 20), spec.Address(bytes([0xC2]) * 20)]
RANGERS = [spec.Address(ranger) for ranger in ASSIGNED_RANGERS] + [spec.Address(bytes([0xAF]) * 20)]
DEFENDER = spec.Address(SEQUENCER)
MT = 10**18

SCENE = scene(spec)
START = decode_hub(spec, execute(spec, SCENE.hub, to_epoch_start(spec, SCENE, forged=True))["post"]["hub"])
TRACES = {
    block: spec.get_block_trace(SCENE.hub, CHAIN, block) for block in (1, 2)
}  # the true trace of each block of batch 0
TRACE_ROOTS = {
    block: [spec.hash_trace_point(point, index, len(trace) - 1) for index, point in enumerate(trace)]
    for block, trace in TRACES.items()
}


def committed(index: int) -> Any:
    header = spec.get_dac(SCENE.hub, CHAIN).state_batches.headers[0]
    leaves = [spec.Hash32(root) for root in SCENE.roots]
    return spec.CommittedOutputRoot(header, spec.uint64(index), leaves[index], tuple(spec.compute_merkle_proof(leaves, index)))


def locked(hub: Any) -> int:
    stakes = sum(int(sequencer.locked) for sequencer in hub.sequencers)
    bonds = sum(int(c.bond) for dac in hub.dacs for c in dac.challenges if c.status == spec.CHALLENGE_OPEN)
    rangers = sum(int(ranger.bond) for ranger in hub.rangers)
    return stakes + bonds + rangers + int(hub.ranger_reward_pool)


class MoneyMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.hub = START
        self.put_in = locked(self.hub)
        self.paid = 0
        self.number = int(spec.get_current_l1_block(self.hub).number)

    def attempt(self, operation: Any, put_in: int = 0) -> Optional[Any]:
        """Run ``operation(hub)``; a refusal must change nothing. Returns the result, or None if refused."""
        before = self.hub
        try:
            result = operation(self.hub)
        except spec.SpecError:
            assert self.hub is before
            return None
        hub, returned = result if isinstance(result, tuple) else (result, ())
        amounts = [int(returned)] if isinstance(returned, int) else [int(payout.amount) for payout in returned]
        self.hub = hub
        self.put_in += put_in
        self.paid += sum(amounts)
        return result

    @initialize(validated=st.booleans(), funding=st.integers(0, 4).map(lambda rewards: rewards * int(spec.RANGER_VALIDATION_REWARD)))
    def start(self, validated: bool, funding: int) -> None:
        """Often the assigned rangers have validated batch 1 and the pool holds some MT from the start, so that
        rewards are claimed in many runs (Hypothesis rarely strings those steps together by chance)."""
        if validated:
            self.validate(1)
        self.fund(funding)

    def game(self, index: int) -> Optional[Any]:
        challenges = spec.get_dac(self.hub, CHAIN).challenges
        return challenges[index % len(challenges)] if challenges else None

    def index(self, index: int) -> int:
        return index % max(1, len(spec.get_dac(self.hub, CHAIN).challenges))

    @rule(challenger=st.sampled_from(CHALLENGERS), element=st.integers(0, 1))
    def open(self, challenger: Any, element: int) -> None:
        agreed = committed(element - 1) if element else None
        self.attempt(lambda hub: spec.open_challenge(hub, CHAIN, committed(element), agreed, challenger), int(spec.CHALLENGE_BOND))

    @rule(index=st.integers(0, 3), lie=st.booleans())
    def post(self, index: int, lie: bool) -> None:
        game = self.game(index)
        if game is None:
            return
        middle = (game.lower + game.upper) // 2
        root = spec.Hash32(bytes([0xEE]) * 32) if lie else TRACE_ROOTS[int(game.block_number)][middle]
        self.attempt(lambda hub: spec.post_middle_root(hub, CHAIN, self.index(index), DEFENDER, root))

    @rule(index=st.integers(0, 3), agree=st.booleans())
    def answer(self, index: int, agree: bool) -> None:
        game = self.game(index)
        if game is not None:
            self.attempt(lambda hub: spec.answer_middle_root(hub, CHAIN, self.index(index), game.challenger, agree))

    @rule(index=st.integers(0, 3))
    def prove(self, index: int) -> None:
        game = self.game(index)
        if game is not None:
            witness = TRACES[int(game.block_number)][min(int(game.lower), len(TRACES[int(game.block_number)]) - 1)]
            self.attempt(lambda hub: spec.prove_step(hub, CHAIN, self.index(index), game.challenger, witness))

    @rule(index=st.integers(0, 3))
    def timeout(self, index: int) -> None:
        self.attempt(lambda hub: spec.resolve_challenge_timeout(hub, CHAIN, self.index(index)))

    @rule(seconds=st.sampled_from([12, 300, int(spec.MAX_CHALLENGE_CLOCK) + 1, int(spec.FRAUD_PROOF_WINDOW)]))
    def advance(self, seconds: int) -> None:
        current = spec.get_current_l1_block(self.hub)
        self.number += 1
        block = l1_block(spec, self.number)
        block = spec.L1Block(block.number, spec.Timestamp(current.timestamp + seconds), block.prev_randao, block.parent_beacon_block_root)
        self.attempt(lambda hub: spec.advance_l1_block(hub, block))

    @rule()
    def everything_runs_out(self) -> None:
        """A fraud-proof window and two full clocks pass, anyone settles every game that timed out, and every
        ranger claims what it can."""
        self.advance(int(spec.FRAUD_PROOF_WINDOW) + 2 * int(spec.MAX_CHALLENGE_CLOCK) + 1)
        for index in range(len(spec.get_dac(self.hub, CHAIN).challenges)):
            self.attempt(lambda hub: spec.resolve_challenge_timeout(hub, CHAIN, index))
        for batch in (0, 1):
            self.claim(batch)

    @rule(ranger=st.sampled_from(RANGERS), extra=st.integers(0, 3))
    def register_ranger(self, ranger: Any, extra: int) -> None:
        bond = int(spec.RANGER_BOND) + extra * MT
        self.attempt(lambda hub: spec.register_ranger(hub, ranger, spec.Wei(bond)), bond)

    @rule(ranger=st.sampled_from(RANGERS))
    def ranger_exit(self, ranger: Any) -> None:
        self.attempt(lambda hub: spec.request_ranger_exit(hub, ranger))

    @rule(ranger=st.sampled_from(RANGERS))
    def ranger_withdraw(self, ranger: Any) -> None:
        self.attempt(lambda hub: spec.withdraw_ranger_bond(hub, ranger))

    @rule(batch=st.integers(0, 1))
    def validate(self, batch: int) -> None:
        headers = spec.get_dac(self.hub, CHAIN).state_batches.headers
        for ranger in RANGERS:  # every ranger tries: those assigned for the batch's epoch validate it
            if batch < len(headers):
                self.attempt(lambda hub: spec.validate_state_batch(hub, CHAIN, headers[batch], ranger))

    @rule(batch=st.integers(0, 1))
    def claim(self, batch: int) -> None:
        for ranger in RANGERS:  # every ranger claims: whoever validated the batch is paid once it is final
            self.attempt(lambda hub: spec.claim_validation_reward(hub, CHAIN, ranger, batch))

    @rule(amount=st.one_of(st.integers(0, 5 * MT), st.integers(1, 4).map(lambda rewards: rewards * int(spec.RANGER_VALIDATION_REWARD))))
    def fund(self, amount: int) -> None:
        self.attempt(lambda hub: spec.fund_ranger_rewards(hub, spec.Wei(amount)), amount)

    @invariant()
    def hub_keeps_the_facts_of_reachable_hubs(self) -> None:
        """The check that vectors start from reachable hubs (tests/reachable_hub.py) must hold for every hub the
        operations reach: else the check, not the vector, is wrong."""
        assert hub_invariant_violations(spec, self.hub) == []

    @invariant()
    def mt_is_conserved(self) -> None:
        assert locked(self.hub) + self.paid == self.put_in

    @invariant()
    def open_ranges_are_proper(self) -> None:
        for game in spec.get_dac(self.hub, CHAIN).challenges:
            if game.status == spec.CHALLENGE_OPEN:
                assert 0 <= game.lower < game.upper

    @invariant()
    def no_batch_is_final_while_a_game_is_open(self) -> None:
        for header in spec.get_dac(self.hub, CHAIN).state_batches.headers:
            if not any(game.status == spec.CHALLENGE_OPEN for game in spec.get_dac(self.hub, CHAIN).challenges):
                continue
            assert not spec.is_state_batch_final(self.hub, CHAIN, header), "final while a game on it is open"


MoneyMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
TestMoneyIsConserved = MoneyMachine.TestCase
