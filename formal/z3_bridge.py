"""Z3 proofs of the arithmetic of derivation and the bridge (fork v1).

Models, mirroring the spec text line by line (conventions of formal/z3_tax.py: unbounded ``z3.Int`` with range
constraints, intermediates recorded in a ``Trace``), with the preset parameters left symbolic so that each claim
holds for every preset:

- ``derive_block_timestamp`` (spec/v1/bridge.md) with ``MAX_SEQUENCER_DRIFT`` symbolic;
- ``compute_next_base_fee`` (spec/v1/execution.md) with the gas target and ``BASE_FEE_MAX_CHANGE_DENOMINATOR``
  symbolic (both positive);
- ``get_forced_block_count`` (spec/v1/hub.md) with ``SEQUENCING_WINDOW`` symbolic (at least 1);
- ``apply_l1_to_l2_alias`` (spec/v1/bridge.md).

tests/unit/test_formal_models.py evaluates these models against the rendered spec on concrete inputs.

Claims:

- ``block_timestamp_bounds``: the derived time is after the parent's, not before the origin's, at most
  ``max(parent + 1, origin + drift)``, and is the proposal whenever the proposal is within those bounds;
- ``block_timestamp_fits_uint64``: every intermediate and the result are below 2**64 when the parent's time and the
  origin's time plus the drift are (the spec's only precondition: L1 times far below 2**64);
- ``base_fee_bounded_change``: the next base fee moves by at most ``parent // denominator`` down and at most
  ``max(1, parent * (limit - target) // target // denominator)`` up (a block uses at most the limit), is the parent's
  at the target, and never leaves [0, 2**256);
- ``base_fee_monotone_in_gas_used``: more gas used never gives a lower next base fee;
- ``forced_blocks_include_deposit_within_window``: for a deposit enqueued in L1 block ``D`` after the head's origin
  (every deposit is: origins are earlier L1 blocks, forced origins lag the window, and no deposit is enqueued in the
  L1 block of the genesis origin), after the forced blocks of L1 block ``D + window`` the head has L1 origin at least
  ``D`` — a block on origin ``D`` exists, and the first such block includes the deposit — and not yet after those of
  ``D + window - 1`` (the bound is tight);
- ``alias_is_invertible``: subtracting the offset modulo 2**160 gives the L1 address back, so two L1 contracts
  never share an L2 sender.
"""

from __future__ import annotations

import z3

from formal.z3_tax import Claim, Obligation, Trace, in_uint256

UINT64_BOUND = 2**64
ADDRESS_BOUND = 2**160
ALIAS_OFFSET = 0x1111000000000000000000000000000000001111


def in_uint64(x: z3.ArithRef) -> z3.BoolRef:
    return z3.And(x >= 0, x < UINT64_BOUND)


def z3_max(a: z3.ArithRef, b: z3.ArithRef) -> z3.ArithRef:
    """Python's ``max(a, b)``: ``b`` if ``b > a``, else ``a``."""
    return z3.If(b > a, b, a)


def z3_min(a: z3.ArithRef, b: z3.ArithRef) -> z3.ArithRef:
    return z3.If(b < a, b, a)


# --- Models ----------------------------------------------------------------------------------------------------------


def derive_block_timestamp(
    parent: z3.ArithRef, origin: z3.ArithRef, proposed: z3.ArithRef, drift: z3.ArithRef, trace: Trace
) -> z3.ArithRef:
    always = z3.BoolVal(True)
    # lower = max(parent_timestamp + 1, origin_timestamp)
    lower = z3_max(trace.record("parent+1", always, parent + 1), origin)
    # upper = max(lower, origin_timestamp + MAX_SEQUENCER_DRIFT)
    upper = z3_max(lower, trace.record("origin+drift", always, origin + drift))
    # return Timestamp(min(max(proposed, lower), upper))
    return trace.record("Timestamp(result)", always, z3_min(z3_max(proposed, lower), upper))


def compute_next_base_fee(
    parent_base_fee: z3.ArithRef, parent_gas_used: z3.ArithRef, target: z3.ArithRef, denominator: z3.ArithRef
) -> z3.ArithRef:
    # if parent_gas_used == target: return parent_base_fee
    # if parent_gas_used > target: increase = parent_base_fee * (parent_gas_used - target) // target // DENOMINATOR
    #     return Wei(min(UINT256_MAX, parent_base_fee + max(1, increase)))
    increase = parent_base_fee * (parent_gas_used - target) / target / denominator
    raised = z3_min(z3.IntVal(2**256 - 1), parent_base_fee + z3_max(z3.IntVal(1), increase))
    # decrease = parent_base_fee * (target - parent_gas_used) // target // DENOMINATOR; return Wei(parent - decrease)
    decrease = parent_base_fee * (target - parent_gas_used) / target / denominator
    lowered = parent_base_fee - decrease
    return z3.If(parent_gas_used == target, parent_base_fee, z3.If(parent_gas_used > target, raised, lowered))


def get_forced_block_count(head_origin: z3.ArithRef, l1_block_number: z3.ArithRef, window: z3.ArithRef) -> z3.ArithRef:
    # return max(0, l1_block_number - SEQUENCING_WINDOW - head_origin)
    return z3_max(z3.IntVal(0), l1_block_number - window - head_origin)


def apply_l1_to_l2_alias(address: z3.ArithRef) -> z3.ArithRef:
    # aliased = (int.from_bytes(address, "big") + L1_TO_L2_ALIAS_OFFSET) % 2**160
    return (address + ALIAS_OFFSET) % ADDRESS_BOUND


# --- Claims ----------------------------------------------------------------------------------------------------------


def _timestamp_variables() -> tuple[z3.ArithRef, z3.ArithRef, z3.ArithRef, z3.ArithRef, list[z3.BoolRef]]:
    parent, origin, proposed, drift = (z3.Int(name) for name in ("parent", "origin", "proposed", "drift"))
    domain = [in_uint64(parent), in_uint64(origin), in_uint64(proposed), in_uint64(drift)]
    return parent, origin, proposed, drift, domain


def _timestamp_bounds() -> Obligation:
    parent, origin, proposed, drift, domain = _timestamp_variables()
    result = derive_block_timestamp(parent, origin, proposed, drift, Trace())
    lower = z3_max(parent + 1, origin)
    upper = z3_max(lower, origin + drift)
    goal = z3.And(
        result > parent,
        result >= origin,
        result <= z3_max(parent + 1, origin + drift),
        z3.Implies(z3.And(proposed >= lower, proposed <= upper), result == proposed),
    )
    shown = [("parent", parent), ("origin", origin), ("proposed", proposed), ("drift", drift), ("result", result)]
    return Obligation(domain, goal, shown)


def _timestamp_fits_uint64() -> Obligation:
    parent, origin, proposed, drift, domain = _timestamp_variables()
    trace = Trace()
    derive_block_timestamp(parent, origin, proposed, drift, trace)
    goal = z3.And(*[z3.Implies(guard, in_uint64(value)) for _, guard, value in trace.entries])
    hypotheses = [*domain, parent + 1 < UINT64_BOUND, origin + drift < UINT64_BOUND]
    shown = [("parent", parent), ("origin", origin), ("drift", drift)]
    return Obligation(hypotheses, goal, shown)


def _base_fee_variables() -> tuple[z3.ArithRef, z3.ArithRef, z3.ArithRef, z3.ArithRef, z3.ArithRef, list[z3.BoolRef]]:
    base_fee, gas_used = z3.Int("parent_base_fee"), z3.Int("parent_gas_used")
    limit, target, denominator = z3.Int("gas_limit"), z3.Int("target"), z3.Int("denominator")
    domain = [
        in_uint256(base_fee),
        in_uint64(limit),
        target >= 1,
        target <= limit,
        denominator >= 1,
        gas_used >= 0,
        gas_used <= limit,
    ]
    return base_fee, gas_used, limit, target, denominator, domain


def _base_fee_bounded_change() -> Obligation:
    base_fee, gas_used, limit, target, denominator, domain = _base_fee_variables()
    result = compute_next_base_fee(base_fee, gas_used, target, denominator)
    largest_rise = z3_max(z3.IntVal(1), base_fee * (limit - target) / target / denominator)
    goal = z3.And(
        result >= base_fee - base_fee / denominator,
        result <= base_fee + largest_rise,
        z3.Implies(gas_used == target, result == base_fee),
        in_uint256(result),
    )
    shown = [("base_fee", base_fee), ("gas_used", gas_used), ("target", target), ("result", result)]
    return Obligation(domain, goal, shown)


def _base_fee_monotone() -> Obligation:
    base_fee, gas_used, limit, target, denominator, domain = _base_fee_variables()
    more = z3.Int("more_gas_used")
    low = compute_next_base_fee(base_fee, gas_used, target, denominator)
    high = compute_next_base_fee(base_fee, more, target, denominator)
    hypotheses = [*domain, more >= gas_used, more <= limit]
    shown = [("base_fee", base_fee), ("gas_used", gas_used), ("more", more), ("low", low), ("high", high)]
    return Obligation(hypotheses, low <= high, shown)


def _forced_inclusion() -> Obligation:
    head, deposit_block, window = z3.Int("head_origin"), z3.Int("deposit_block"), z3.Int("window")
    domain = [in_uint64(head), in_uint64(deposit_block), window >= 1, in_uint64(window), head < deposit_block]
    reached = head + get_forced_block_count(head, deposit_block + window, window)
    one_early = head + get_forced_block_count(head, deposit_block + window - 1, window)
    goal = z3.And(reached >= deposit_block, one_early < deposit_block)
    shown = [("head", head), ("deposit_block", deposit_block), ("window", window), ("reached", reached)]
    return Obligation(domain, goal, shown)


def _alias_invertible() -> Obligation:
    address = z3.Int("address")
    aliased = apply_l1_to_l2_alias(address)
    goal = z3.And(aliased >= 0, aliased < ADDRESS_BOUND, (aliased - ALIAS_OFFSET) % ADDRESS_BOUND == address)
    return Obligation([address >= 0, address < ADDRESS_BOUND], goal, [("address", address), ("aliased", aliased)])


CLAIMS: list[Claim] = [
    Claim("block_timestamp_bounds", _timestamp_bounds),
    Claim("block_timestamp_fits_uint64", _timestamp_fits_uint64),
    Claim("base_fee_bounded_change", _base_fee_bounded_change),
    Claim("base_fee_monotone_in_gas_used", _base_fee_monotone),
    Claim("forced_blocks_include_deposit_within_window", _forced_inclusion),
    Claim("alias_is_invertible", _alias_invertible),
]
