"""Z3 proofs of the settlement arithmetic of the challenge game (spec/v1/challenge.md, fork v1).

Models, mirroring the spec text line by line (conventions of formal/z3_tax.py), with the ratios left symbolic in
[0, MAX_BASIS_POINTS] so that each claim holds whatever values a later fork gives `SLASH_RATIO_BPS` and
`CHALLENGER_REWARD_BPS`:

- ``slash_sequencer`` (spec/v1/sequencing.md): the amount slashed and the stake kept;
- ``settle_challenge`` for a challenger who won: its payouts (bond and reward to the challenger, the rest of the slash
  to MetisDAO) and, for a defender who won, the bond to the defender.

tests/unit/test_formal_challenge_models.py evaluates these models against the rendered spec on concrete inputs.

Claims:

- ``settlement_conserves_mt``: a settlement pays exactly the bond it closes plus the stake it slashed, every payout
  and the kept stake are non-negative uint256 values, and the challenger's reward never exceeds the slash;
- ``repeated_slashes_never_exceed_the_stake``: two slashes in a row (a second fraud) take at most the stake, leave
  a non-negative remainder, and the second takes no more than the first;
- ``slash_is_the_ratio_rounded_down``: a slash is the ratio of the stake, rounded down (never more than its exact
  share, and less by under one wei).
"""

from __future__ import annotations

import z3

from formal.z3_tax import MAX_BASIS_POINTS, Claim, Obligation, Trace, apply_basis_points, in_uint256


def slash_sequencer(locked: z3.ArithRef, ratio: z3.ArithRef, trace: Trace) -> tuple[z3.ArithRef, z3.ArithRef]:
    # slashed = Wei(apply_basis_points(sequencer.locked, slash_ratio_bps))
    slashed = trace.record("Wei(slashed)", z3.BoolVal(True), apply_basis_points(locked, ratio, trace, "slash."))
    # kept = replace(sequencer, locked=Wei(sequencer.locked - slashed), ...)
    kept = trace.record("Wei(locked-slashed)", z3.BoolVal(True), locked - slashed)
    return slashed, kept


def settle_challenger_won(
    bond: z3.ArithRef, locked: z3.ArithRef, slash_ratio: z3.ArithRef, reward_ratio: z3.ArithRef, trace: Trace
) -> tuple[z3.ArithRef, z3.ArithRef, z3.ArithRef, z3.ArithRef]:
    """The challenger's payout, MetisDAO's payout, the stake kept and the amount slashed."""
    # hub, slashed = slash_sequencer(hub, challenge.defender, SLASH_RATIO_BPS)
    slashed, kept = slash_sequencer(locked, slash_ratio, trace)
    # reward = apply_basis_points(slashed, CHALLENGER_REWARD_BPS)
    reward = apply_basis_points(slashed, reward_ratio, trace, "reward.")
    # Payout(challenge.challenger, Wei(challenge.bond + reward)), Payout(METIS_DAO_L1_ADDRESS, Wei(slashed - reward))
    to_challenger = trace.record("Wei(bond+reward)", z3.BoolVal(True), bond + reward)
    to_treasury = trace.record("Wei(slashed-reward)", z3.BoolVal(True), slashed - reward)
    return to_challenger, to_treasury, kept, slashed


def _ratios() -> tuple[z3.ArithRef, z3.ArithRef, list[z3.BoolRef]]:
    slash_ratio, reward_ratio = z3.Int("slash_ratio_bps"), z3.Int("reward_ratio_bps")
    domain = [slash_ratio >= 0, slash_ratio <= MAX_BASIS_POINTS, reward_ratio >= 0, reward_ratio <= MAX_BASIS_POINTS]
    return slash_ratio, reward_ratio, domain


def _conserves() -> Obligation:
    bond, locked = z3.Int("bond"), z3.Int("locked")
    slash_ratio, reward_ratio, domain = _ratios()
    trace = Trace()
    to_challenger, to_treasury, kept, slashed = settle_challenger_won(bond, locked, slash_ratio, reward_ratio, trace)
    amounts = [to_challenger, to_treasury, kept, slashed] + [value for _, _, value in trace.entries]
    # bond + locked < 2**256: the MT on L1 fits in uint256 (the spec's Wei values do)
    hypotheses = [in_uint256(bond), in_uint256(locked), in_uint256(bond + locked), *domain]
    goal = z3.And(
        to_challenger + to_treasury == bond + slashed,
        kept + slashed == locked,
        to_treasury >= 0,
        to_challenger >= bond,
        *[in_uint256(value) for value in amounts],
    )
    shown = [("bond", bond), ("locked", locked), ("slash_ratio", slash_ratio), ("reward_ratio", reward_ratio)]
    return Obligation(hypotheses, goal, shown)


def _repeated() -> Obligation:
    locked = z3.Int("locked")
    slash_ratio, _, domain = _ratios()
    first, kept = slash_sequencer(locked, slash_ratio, Trace())
    second, remainder = slash_sequencer(kept, slash_ratio, Trace())
    goal = z3.And(first + second + remainder == locked, remainder >= 0, second <= first, first + second <= locked)
    return Obligation([in_uint256(locked), *domain], goal, [("locked", locked), ("ratio", slash_ratio)])


def _rounded_down() -> Obligation:
    locked = z3.Int("locked")
    slash_ratio, _, domain = _ratios()
    slashed, _ = slash_sequencer(locked, slash_ratio, Trace())
    exact = locked * slash_ratio
    goal = z3.And(slashed * MAX_BASIS_POINTS <= exact, exact < (slashed + 1) * MAX_BASIS_POINTS)
    return Obligation([in_uint256(locked), *domain], goal, [("locked", locked), ("ratio", slash_ratio), ("slashed", slashed)])


CLAIMS: list[Claim] = [
    Claim("settlement_conserves_mt", _conserves),
    Claim("repeated_slashes_never_exceed_the_stake", _repeated),
    Claim("slash_is_the_ratio_rounded_down", _rounded_down),
]
