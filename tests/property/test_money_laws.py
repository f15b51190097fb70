"""MT is conserved through any sequence of games, slashes, ranger bonds and rewards (spec/v1/challenge.md,
spec/v1/rangers.md, spec/v1/sequencing.md), on the minimal preset.

A stateful machine starts from the challenge vectors' scene (acme's state batch 0: block 1's true root, block 2's
forged) and interleaves, in any order Hypothesis finds: challenges opened by two challengers on either element,
middle roots true or false, answers either way, step proofs from the true state, timeouts, rangers registering,
exiting and withdrawing, the reward pool funded, and the L1 clock moving. Every operation a rule refuses must leave
the hub as it was. After every step, MT on L1 adds up: what is locked in the hub (sequencer stakes, the bonds of open
challenges, ranger bonds, the reward pool) plus everything paid out equals everything put in. And no open game's
range is ever empty or inverted, and no batch is final while a game is open on it.
"""

from __future__ import annotations

from typing import Any, Optional

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from mvm_spec.forks.v1 import minimal as spec
from tests.cases.test_challenge import scene
from tests.hub_building import ACME, SEQUENCER, l1_block

CHAIN = spec.ChainId(ACME)
CHALLENGERS = [spec.Address(bytes([0xC1]) * 20), spec.Address(bytes([0xC2]) * 20)]
RANGERS = [spec.Address(bytes([0xA0 + index]) * 20) for index in range(3)]
DEFENDER = spec.Address(SEQUENCER)
MT = 10**18

SCENE = scene(spec)
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
        self.hub = SCENE.hub
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

    @rule(amount=st.integers(0, 5 * MT))
    def fund(self, amount: int) -> None:
        self.attempt(lambda hub: spec.fund_ranger_rewards(hub, spec.Wei(amount)), amount)

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
