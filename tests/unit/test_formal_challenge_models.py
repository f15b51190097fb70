"""The Z3 models of formal/z3_challenge.py agree with the rendered spec on concrete inputs, so that a proof about a
model is a proof about the spec text it mirrors: `slash_sequencer` on any stake and ratio, and `settle_challenge`'s
payouts on any stake and bond (a game on the challenge vectors' scene, with the stake and bond replaced)."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Any

import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from formal import z3_challenge
from formal.z3_tax import Trace
from mvm_spec.forks.v1 import minimal as spec
from tests.cases.test_challenge import open_op, scene
from tests.hub_building import ACME, SEQUENCER, run

stakes = st.integers(min_value=0, max_value=2**255)
ratios = st.integers(min_value=0, max_value=10_000)


def evaluate(expression: z3.ArithRef) -> int:
    return z3.simplify(expression).as_long()  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def opened() -> Any:
    case = scene(spec)
    return run(spec, case.hub, [open_op(spec, case)])


@given(locked=stakes, ratio=ratios)
def test_slash_model(locked: int, ratio: int) -> None:
    hub = replace(opened(), sequencers=(spec.Sequencer(spec.Address(SEQUENCER), spec.Wei(locked), None),))
    after, slashed = spec.slash_sequencer(hub, spec.Address(SEQUENCER), spec.BasisPoints(ratio))
    model_slashed, model_kept = z3_challenge.slash_sequencer(z3.IntVal(locked), z3.IntVal(ratio), Trace())
    assert (evaluate(model_slashed), evaluate(model_kept)) == (slashed, after.sequencers[0].locked)


@settings(max_examples=50, deadline=None)
@given(locked=stakes, bond=st.integers(min_value=0, max_value=2**250))
def test_settlement_model(locked: int, bond: int) -> None:
    hub = replace(opened(), sequencers=(spec.Sequencer(spec.Address(SEQUENCER), spec.Wei(locked), None),))
    dac = spec.get_dac(hub, spec.ChainId(ACME))
    challenge = replace(dac.challenges[0], bond=spec.Wei(bond))
    hub = spec.replace_dac(hub, replace(dac, challenges=(challenge,)))
    _, payouts = spec.settle_challenge(hub, spec.ChainId(ACME), 0, challenge, True)
    model = z3_challenge.settle_challenger_won(
        z3.IntVal(bond), z3.IntVal(locked), z3.IntVal(int(spec.SLASH_RATIO_BPS)), z3.IntVal(int(spec.CHALLENGER_REWARD_BPS)), Trace()
    )
    assert [int(payout.amount) for payout in payouts] == [evaluate(model[0]), evaluate(model[1])]
