"""Z3 proofs of the settlement arithmetic of the microservice marketplace (spec/v1/services.md, fork v1).

Models, mirroring the spec text line by line (conventions of formal/z3_tax.py), with the fee ratio left symbolic in
[0, MAX_BASIS_POINTS] so that each claim holds whatever value a later fork gives `SERVICE_FEE_BPS`:

- ``call_service``'s escrow: the new escrow ``Wei(market.escrow + service.price)``, guarded by the `EscrowOverflow`
  check, and the deadline ``compute_call_deadline``, guarded by `CallDeadlineOverflow`;
- ``fulfil_service_call``'s payouts (``compute_service_fee`` and the fee recipient's ``Wei(call.price - fee)``) and
  ``close_call``'s ``Wei(market.escrow - call.price)``; ``refund_service_call`` pays ``call.price`` back.

tests/unit/test_formal_services_models.py evaluates these models against the rendered spec on concrete inputs.

Claims:

- ``service_settlement_conserves_mt``: with the escrow the sum of the open calls' prices (the call being closed and
  the rest), a fulfilment pays out exactly the price (share + fee), a refund exactly the price, and either leaves the
  escrow the rest; every payout and the new escrow are uint256 values;
- ``service_fee_is_the_ratio_rounded_down``: the fee is the ratio of the price rounded down (never more than its
  exact share, less by under one wei), so the fee recipient's share is never less than its exact share;
- ``call_escrow_and_deadline_fit``: a call the overflow checks admit leaves an escrow that is a uint256 and a
  deadline that is a uint64 after the call's time; and at every time exactly one of fulfilment (before the
  deadline) and refund (from it) is open to an open call.
"""

from __future__ import annotations

import z3

from formal.z3_tax import MAX_BASIS_POINTS, Claim, Obligation, Trace, apply_basis_points, in_uint256

UINT64_MAX = 2**64 - 1
UINT256_MAX = 2**256 - 1


def in_uint64(value: z3.ArithRef) -> z3.BoolRef:
    return z3.And(value >= 0, value <= UINT64_MAX)


def fulfil_payouts(price: z3.ArithRef, fee_ratio: z3.ArithRef, trace: Trace) -> tuple[z3.ArithRef, z3.ArithRef]:
    """The fee recipient's payout and the treasury's fee."""
    # fee = compute_service_fee(call.price)  (Wei(apply_basis_points(price, SERVICE_FEE_BPS)))
    fee = trace.record("Wei(fee)", z3.BoolVal(True), apply_basis_points(price, fee_ratio, trace, "fee."))
    # Payout(call.fee_recipient, Wei(call.price - fee))
    share = trace.record("Wei(price-fee)", z3.BoolVal(True), price - fee)
    return share, fee


def close_call_escrow(escrow: z3.ArithRef, price: z3.ArithRef, trace: Trace) -> z3.ArithRef:
    # replace(market, ..., escrow=Wei(market.escrow - call.price))
    return trace.record("Wei(escrow-price)", z3.BoolVal(True), escrow - price)


def call_escrow(escrow: z3.ArithRef, price: z3.ArithRef, trace: Trace) -> tuple[z3.BoolRef, z3.ArithRef]:
    """Whether the call passes the escrow check, and the escrow after it."""
    # if market.escrow + service.price > UINT256_MAX: raise EscrowOverflow(...)
    admitted = escrow + price <= UINT256_MAX
    # Wei(market.escrow + service.price)
    return admitted, trace.record("Wei(escrow+price)", admitted, escrow + price)


def call_deadline(now: z3.ArithRef, timeout: z3.ArithRef, trace: Trace) -> tuple[z3.BoolRef, z3.ArithRef]:
    """Whether the call passes the deadline check, and its deadline."""
    # if now + timeout > UINT64_MAX: raise CallDeadlineOverflow(...)
    admitted = now + timeout <= UINT64_MAX
    # return Timestamp(now + timeout)
    return admitted, trace.record("Timestamp(now+timeout)", admitted, now + timeout)


def _fee_ratio() -> tuple[z3.ArithRef, list[z3.BoolRef]]:
    ratio = z3.Int("service_fee_bps")
    return ratio, [ratio >= 0, ratio <= MAX_BASIS_POINTS]


def _conserves() -> Obligation:
    price, rest = z3.Int("price"), z3.Int("other_open_prices")
    ratio, domain = _fee_ratio()
    escrow = price + rest  # the conservation law before the settlement: the escrow is the open calls' prices
    trace = Trace()
    share, fee = fulfil_payouts(price, ratio, trace)
    after = close_call_escrow(escrow, price, trace)
    refunded = price  # Payout(call.caller, call.price)
    hypotheses = [in_uint256(price), rest >= 0, in_uint256(escrow), *domain]
    goal = z3.And(
        share + fee == price,
        refunded == price,
        after == rest,
        *[in_uint256(value) for value in (share, fee, after)],
        *[in_uint256(value) for _, _, value in trace.entries],
    )
    return Obligation(hypotheses, goal, [("price", price), ("rest", rest), ("ratio", ratio)])


def _rounded_down() -> Obligation:
    price = z3.Int("price")
    ratio, domain = _fee_ratio()
    share, fee = fulfil_payouts(price, ratio, Trace())
    exact = price * ratio
    goal = z3.And(
        fee * MAX_BASIS_POINTS <= exact,
        exact < (fee + 1) * MAX_BASIS_POINTS,
        share * MAX_BASIS_POINTS >= price * (MAX_BASIS_POINTS - ratio),
    )
    return Obligation([in_uint256(price), *domain], goal, [("price", price), ("ratio", ratio), ("fee", fee)])


def _call_fits() -> Obligation:
    escrow, price = z3.Int("escrow"), z3.Int("price")
    now, timeout, moment = z3.Int("now"), z3.Int("timeout"), z3.Int("any_time")
    trace = Trace()
    escrow_ok, new_escrow = call_escrow(escrow, price, trace)
    deadline_ok, deadline = call_deadline(now, timeout, trace)
    hypotheses = [in_uint256(escrow), in_uint256(price), in_uint64(now), timeout >= 1, in_uint64(timeout), in_uint64(moment)]
    fulfillable = moment < deadline  # fulfil_service_call: refused when now >= call.deadline
    refundable = moment >= deadline  # refund_service_call: refused when now < call.deadline
    goal = z3.And(
        z3.Implies(escrow_ok, z3.And(in_uint256(new_escrow), new_escrow >= escrow)),
        z3.Implies(deadline_ok, z3.And(in_uint64(deadline), deadline > now)),
        z3.Xor(fulfillable, refundable),
    )
    shown = [("escrow", escrow), ("price", price), ("now", now), ("timeout", timeout)]
    return Obligation(hypotheses, goal, shown)


CLAIMS: list[Claim] = [
    Claim("service_settlement_conserves_mt", _conserves),
    Claim("service_fee_is_the_ratio_rounded_down", _rounded_down),
    Claim("call_escrow_and_deadline_fit", _call_fits),
]
