"""Z3 proofs of the bond arithmetic of fork v1: the Dynamic Bond Threshold and sequencer eligibility.

Models, mirroring the spec text line by line (same conventions as formal/z3_tax.py: bounded ``z3.Int``, every
intermediate recorded in a ``Trace`` with the condition under which the spec computes it):

- ``apply_basis_points_rounded_up`` mirrors ``apply_basis_points_rounded_up`` (spec/v1/README.md, Helpers), on top
  of z3_tax's model of ``apply_basis_points``.
- ``compute_dynamic_bond_threshold`` mirrors the function of that name (spec/v1/sequencing.md), with the floor
  ``MIN_SEQUENCER_BOND`` and the ratio ``DBT_RATIO_BPS`` left symbolic, so each claim holds for every preset and for
  any ratio up to 100%, not only the values the presets choose.
- ``is_eligible`` mirrors ``is_eligible_sequencer`` for a sequencer that has not asked to exit.

The pending-deposit queue (spec/v1/bridge.md) adds two claims on these models, with ``MAX_SEQUENCER_LOCK`` symbolic
too: the bond-capacity check is the linear bound ``locked * ratio <= 10000 * MAX_SEQUENCER_LOCK``; and a deposit the
capacity check admitted stays releasable by a maximum stake whatever joins the supply ahead of it, is taken back, or
is withdrawn from the chain (with the ratio at the spec's constant 10%: z3 leaves the general ratio undecided).

tests/unit/test_formal_models.py evaluates these models against the rendered spec on concrete inputs.
"""

from __future__ import annotations

import z3

from formal.z3_tax import (
    MAX_BASIS_POINTS,
    Claim,
    Obligation,
    Trace,
    abp_domain,
    apply_basis_points,
    in_uint256,
    uint256_var,
)


def apply_basis_points_rounded_up(amount: z3.ArithRef, rate_bps: z3.ArithRef, trace: Trace) -> z3.ArithRef:
    # rounded_down = apply_basis_points(amount, rate_bps)
    rounded_down = apply_basis_points(amount, rate_bps, trace, "down.")
    # is_exact = (amount % MAX_BASIS_POINTS) * rate_bps % MAX_BASIS_POINTS == 0
    remainder_product = trace.record("(amount%MAX)*rate_bps", z3.BoolVal(True), (amount % MAX_BASIS_POINTS) * rate_bps)
    is_exact = remainder_product % MAX_BASIS_POINTS == 0
    # return uint256(rounded_down if is_exact else rounded_down + 1)
    rounded_up = trace.record("rounded_down+1", z3.Not(is_exact), rounded_down + 1)
    return trace.record("uint256(result)", z3.BoolVal(True), z3.If(is_exact, rounded_down, rounded_up))


def compute_dynamic_bond_threshold(
    supply: z3.ArithRef, min_bond: z3.ArithRef, ratio_bps: z3.ArithRef, trace: Trace
) -> z3.ArithRef:
    # return Wei(max(MIN_SEQUENCER_BOND, apply_basis_points_rounded_up(coinbase_supply, DBT_RATIO_BPS)))
    share = apply_basis_points_rounded_up(supply, ratio_bps, trace)
    return trace.record("Wei(max(...))", z3.BoolVal(True), z3.If(min_bond >= share, min_bond, share))


def is_eligible(locked: z3.ArithRef, threshold: z3.ArithRef) -> z3.BoolRef:
    # return sequencer.exit_requested_at is None and sequencer.locked >= threshold  (exit_requested_at is None)
    return locked >= threshold


def _parameters() -> tuple[z3.ArithRef, z3.ArithRef, list[z3.BoolRef]]:
    min_bond, ratio = uint256_var("MIN_SEQUENCER_BOND"), z3.Int("DBT_RATIO_BPS")
    return min_bond, ratio, [in_uint256(min_bond), ratio >= 0, ratio <= MAX_BASIS_POINTS]


def _rounded_up_exact() -> Obligation:
    amount, rate = uint256_var("amount"), z3.Int("rate_bps")
    result = apply_basis_points_rounded_up(amount, rate, Trace())
    product = amount * rate
    ceiling = (product + MAX_BASIS_POINTS - 1) / MAX_BASIS_POINTS
    return Obligation([abp_domain(amount, rate)], result == ceiling, [("amount", amount), ("rate", rate), ("result", result)])


def _rounded_up_no_overflow() -> Obligation:
    amount, rate = uint256_var("amount"), z3.Int("rate_bps")
    trace = Trace()
    apply_basis_points_rounded_up(amount, rate, trace)
    goal = z3.And(*[z3.Implies(guard, in_uint256(value)) for _, guard, value in trace.entries])
    shown = [("amount", amount), ("rate", rate)] + [(name, value) for name, _, value in trace.entries]
    return Obligation([abp_domain(amount, rate)], goal, shown)


def _dbt_monotone() -> Obligation:
    min_bond, ratio, domain = _parameters()
    supply1, supply2 = uint256_var("supply1"), uint256_var("supply2")
    dbt1 = compute_dynamic_bond_threshold(supply1, min_bond, ratio, Trace())
    dbt2 = compute_dynamic_bond_threshold(supply2, min_bond, ratio, Trace())
    return Obligation(
        [*domain, in_uint256(supply1), in_uint256(supply2), supply1 <= supply2],
        dbt1 <= dbt2,
        [("min_bond", min_bond), ("ratio", ratio), ("supply1", supply1), ("supply2", supply2), ("dbt1", dbt1), ("dbt2", dbt2)],
    )


def _dbt_floor_and_range() -> Obligation:
    min_bond, ratio, domain = _parameters()
    supply = uint256_var("supply")
    trace = Trace()
    dbt = compute_dynamic_bond_threshold(supply, min_bond, ratio, trace)
    in_range = z3.And(*[z3.Implies(guard, in_uint256(value)) for _, guard, value in trace.entries])
    return Obligation(
        [*domain, in_uint256(supply)],
        z3.And(dbt >= min_bond, in_range),
        [("min_bond", min_bond), ("ratio", ratio), ("supply", supply), ("dbt", dbt)],
    )


def _eligibility_monotone_in_stake() -> Obligation:
    min_bond, ratio, domain = _parameters()
    supply, stake1, stake2 = uint256_var("supply"), uint256_var("stake1"), uint256_var("stake2")
    threshold = compute_dynamic_bond_threshold(supply, min_bond, ratio, Trace())
    return Obligation(
        [*domain, in_uint256(supply), in_uint256(stake1), in_uint256(stake2), stake1 <= stake2],
        z3.Implies(is_eligible(stake1, threshold), is_eligible(stake2, threshold)),
        [("supply", supply), ("stake1", stake1), ("stake2", stake2), ("threshold", threshold)],
    )


def _eligibility_antitone_in_supply() -> Obligation:
    min_bond, ratio, domain = _parameters()
    supply1, supply2, stake = uint256_var("supply1"), uint256_var("supply2"), uint256_var("stake")
    threshold1 = compute_dynamic_bond_threshold(supply1, min_bond, ratio, Trace())
    threshold2 = compute_dynamic_bond_threshold(supply2, min_bond, ratio, Trace())
    return Obligation(
        [*domain, in_uint256(supply1), in_uint256(supply2), in_uint256(stake), supply1 <= supply2],
        z3.Implies(is_eligible(stake, threshold2), is_eligible(stake, threshold1)),
        [("supply1", supply1), ("supply2", supply2), ("stake", stake)],
    )


def _capacity_parameters() -> tuple[z3.ArithRef, z3.ArithRef, z3.ArithRef, list[z3.BoolRef]]:
    """The DBT's floor and ratio, and ``MAX_SEQUENCER_LOCK``, symbolic: a positive ratio (with none, no supply ever
    exceeds the capacity) and a floor at most the maximum lock, as every preset has."""
    min_bond, ratio, domain = _parameters()
    max_lock = uint256_var("MAX_SEQUENCER_LOCK")
    return min_bond, ratio, max_lock, [*domain, in_uint256(max_lock), ratio > 0, min_bond <= max_lock]


def _bond_capacity_is_a_linear_bound() -> Obligation:
    """``validate_deposit_admission`` refuses a deposit when ``compute_dynamic_bond_threshold(locked) >
    MAX_SEQUENCER_LOCK``: exactly when ``locked * DBT_RATIO_BPS > MAX_BASIS_POINTS * MAX_SEQUENCER_LOCK`` (so, at
    10%, when more than ten maximum locks would be locked: the hand rule the vectors and laws use)."""
    min_bond, ratio, max_lock, domain = _capacity_parameters()
    locked = uint256_var("locked")
    dbt = compute_dynamic_bond_threshold(locked, min_bond, ratio, Trace())
    return Obligation(
        [*domain, in_uint256(locked)],
        (dbt <= max_lock) == (locked * ratio <= MAX_BASIS_POINTS * max_lock),
        [("min_bond", min_bond), ("ratio", ratio), ("max_lock", max_lock), ("locked", locked), ("dbt", dbt)],
    )


def _admitted_deposits_stay_releasable() -> Obligation:
    """No accepted deposit waits forever. Say the queue holds, before some deposit, mints ``ahead``, the deposit's
    own ``mint`` and after it ``behind``, over a supply ``supply``; admission made the DBT of all of it at most
    ``MAX_SEQUENCER_LOCK``. Later the deposits ahead join the supply or are taken back (``ahead`` becomes
    ``joined <= ahead``), entries behind it may be taken back (``kept <= behind``), and a finalised withdrawal may
    lower the supply (by ``paid_out <= supply``). Then everything still locked stays within the capacity, and when
    the deposit reaches the head a sequencer locking ``MAX_SEQUENCER_LOCK`` is eligible for the supply it brings."""
    min_bond, _, max_lock, domain = _capacity_parameters()
    ratio = z3.IntVal(1000)  # DBT_RATIO_BPS, a constant of the spec (the general ratio leaves z3 undecided)
    supply, ahead, mint, behind = (uint256_var(name) for name in ("supply", "ahead", "mint", "behind"))
    joined, kept, paid_out = (uint256_var(name) for name in ("joined", "kept", "paid_out"))
    admitted = compute_dynamic_bond_threshold(supply + ahead + mint + behind, min_bond, ratio, Trace()) <= max_lock
    later_supply = supply - paid_out + joined
    later_locked = compute_dynamic_bond_threshold(later_supply + mint + kept, min_bond, ratio, Trace())
    at_the_head = compute_dynamic_bond_threshold(later_supply + mint, min_bond, ratio, Trace())
    amounts = [in_uint256(value) for value in (supply, ahead, mint, behind, joined, kept, paid_out)]
    sums = [*amounts, in_uint256(supply + ahead + mint + behind)]
    return Obligation(
        [*domain, *sums, admitted, joined <= ahead, kept <= behind, paid_out <= supply],
        z3.And(later_locked <= max_lock, is_eligible(max_lock, at_the_head)),
        [("supply", supply), ("ahead", ahead), ("mint", mint), ("behind", behind), ("joined", joined), ("kept", kept)],
    )


CLAIMS: list[Claim] = [
    Claim("apply_basis_points_rounded_up_exact", _rounded_up_exact),
    Claim("apply_basis_points_rounded_up_no_overflow", _rounded_up_no_overflow),
    Claim("dynamic_bond_threshold_monotone", _dbt_monotone),
    Claim("dynamic_bond_threshold_floor_and_range", _dbt_floor_and_range),
    Claim("eligibility_monotone_in_stake", _eligibility_monotone_in_stake),
    Claim("eligibility_antitone_in_supply", _eligibility_antitone_in_supply),
    Claim("bond_capacity_is_a_linear_bound", _bond_capacity_is_a_linear_bound),
    Claim("admitted_deposits_stay_releasable", _admitted_deposits_stay_releasable),
]
