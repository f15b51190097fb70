"""Z3 proofs of the tax arithmetic of fork v1.

The functions below are Z3 models of spec functions, written to mirror the spec text line by line:

- ``apply_basis_points`` mirrors ``apply_basis_points`` (spec/v1/README.md, Helpers).
- ``get_amount_in_tax_bracket`` mirrors ``get_amount_in_tax_bracket`` (spec/v1/l2-chain.md, Helpers).
- ``schedule_is_valid`` mirrors the three checks of ``validate_tax_schedule`` (spec/v1/l2-chain.md, Helpers), as
  the condition under which it returns instead of raising; the length check is the loop over n = 0..4 brackets.
- ``compute_tax`` mirrors ``compute_tax`` (spec/v1/l2-chain.md, Helpers).

uint256 values are unbounded Z3 integers (``z3.Int``) with range constraints; bit-vectors are not used. Z3's integer
``/`` and ``%`` are Euclidean, which equals Python's ``//`` and ``%`` whenever the divisor is positive (it always is
here: ``MAX_BASIS_POINTS``). Every value the Python spec would pass to a fixed-width constructor, and every other
intermediate of the computation, is recorded in a ``Trace`` with the condition under which the spec evaluates it, so
that "no intermediate overflow" can be stated about exactly the expressions the spec computes.

tests/unit/test_formal_models.py evaluates these models on concrete inputs against the rendered spec, so that the
models cannot silently drift from the spec text.

Claims (``CLAIMS``), each proved by asserting its hypotheses and the negation of its goal and expecting ``unsat``
(after checking the hypotheses alone are satisfiable, so that no claim holds vacuously):

- on the full model of apply_basis_points, for amount in [0, 2**256) and rate_bps in [0, MAX_BASIS_POINTS]:
  ``_exact`` (result == floor(amount * rate_bps / MAX_BASIS_POINTS)), ``_no_overflow`` (whole, remainder,
  whole*rate_bps, remainder*rate_bps, remainder*rate_bps // MAX_BASIS_POINTS and the result all in [0, 2**256)),
  ``_bounded`` (0 <= result <= amount), ``_monotone`` (result and amount - result non-decreasing in amount);
- on compute_tax, for each n in 0..4 separately, valid schedules and values in [0, 2**256): ``_bounded``
  (0 <= tax <= value), ``_monotone`` (tax non-decreasing in value), ``_net_monotone`` (value - tax non-decreasing)
  and ``_no_overflow`` (each bracket's part, the result of each apply_basis_points call, each partial sum and the
  total in [0, 2**256)). These are proved with apply_basis_points abstracted by its lemmas; see
  ``ApplyBasisPointsLemmas``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import z3

UINT256_BOUND = 2**256
MAX_BASIS_POINTS = 10_000
BRACKET_COUNTS = (0, 1, 2, 3, 4, 16)  # every length up to minimal MAX_TAX_BRACKETS (4), and mainnet's (16)


@dataclass(frozen=True)
class Bracket:
    """A symbolic ``TaxBracket``."""

    threshold: z3.ArithRef
    rate_bps: z3.ArithRef


@dataclass
class Trace:
    """Intermediates of one evaluation: (description, condition under which the spec evaluates it, value)."""

    entries: list[tuple[str, z3.BoolRef, z3.ArithRef]] = field(default_factory=list)

    def record(self, name: str, guard: z3.BoolRef, value: z3.ArithRef) -> z3.ArithRef:
        self.entries.append((name, guard, value))
        return value


def z3_min(a: z3.ArithRef, b: z3.ArithRef) -> z3.ArithRef:
    """Python's ``min(a, b)`` on integers: ``b`` if ``b < a``, else ``a``."""
    return z3.If(b < a, b, a)


# --- models of the spec functions --------------------------------------------------------------------------------


class ApplyBasisPoints(Protocol):
    def __call__(self, amount: z3.ArithRef, rate_bps: z3.ArithRef, trace: Trace, where: str = "") -> z3.ArithRef: ...


def apply_basis_points(amount: z3.ArithRef, rate_bps: z3.ArithRef, trace: Trace, where: str = "") -> z3.ArithRef:
    guard = z3.BoolVal(True)  # the spec calls it for every bracket, whatever the part
    # whole, remainder = divmod(amount, MAX_BASIS_POINTS)
    whole = trace.record(f"{where}whole", guard, amount / MAX_BASIS_POINTS)
    remainder = trace.record(f"{where}remainder", guard, amount % MAX_BASIS_POINTS)
    # return uint256(whole * rate_bps + remainder * rate_bps // MAX_BASIS_POINTS)
    whole_product = trace.record(f"{where}whole*rate_bps", guard, whole * rate_bps)
    remainder_product = trace.record(f"{where}remainder*rate_bps", guard, remainder * rate_bps)
    remainder_share = trace.record(f"{where}remainder*rate_bps//MAX", guard, remainder_product / MAX_BASIS_POINTS)
    return trace.record(f"{where}uint256(result)", guard, whole_product + remainder_share)


def get_amount_in_tax_bracket(value: z3.ArithRef, schedule: Sequence[Bracket], index: int, trace: Trace) -> z3.ArithRef:
    lower = schedule[index].threshold
    # if value <= lower: return Wei(0)
    is_last_bracket = index + 1 == len(schedule)
    upper = value if is_last_bracket else z3_min(value, schedule[index + 1].threshold)
    # return Wei(upper - lower)
    taxed = value > lower
    return z3.If(taxed, trace.record(f"b{index}.Wei(upper-lower)", taxed, upper - lower), z3.IntVal(0))


def schedule_is_valid(schedule: Sequence[Bracket]) -> z3.BoolRef:
    """``validate_tax_schedule`` returns (rather than raises) exactly when this holds (len checked by the caller)."""
    rates_ok = [bracket.rate_bps <= MAX_BASIS_POINTS for bracket in schedule]
    increasing = [current.threshold > previous.threshold for previous, current in zip(schedule, schedule[1:])]
    return z3.And(*rates_ok, *increasing)


def compute_tax(
    value: z3.ArithRef, schedule: Sequence[Bracket], trace: Trace, apply_bps: ApplyBasisPoints = apply_basis_points
) -> z3.ArithRef:
    # validate_tax_schedule(schedule): assumed by the caller (schedule_is_valid)
    total: z3.ArithRef = z3.IntVal(0)  # sum(...) starts at 0
    for index, bracket in enumerate(schedule):
        part = get_amount_in_tax_bracket(value, schedule, index, trace)
        share = apply_bps(part, bracket.rate_bps, trace, f"b{index}.")
        total = trace.record(f"partial sum after b{index}", z3.BoolVal(True), total + share)
    return trace.record("Wei(sum)", z3.BoolVal(True), total)


class ApplyBasisPointsLemmas:
    """``apply_basis_points`` replaced by an uninterpreted function that obeys the proven lemmas.

    With the full nonlinear model of apply_basis_points inlined in every bracket, Z3 times out on the monotonicity
    and no-overflow claims from three brackets on. So the compute_tax claims are proved compositionally:
    apply_basis_points becomes an uninterpreted function, and ``facts()`` instantiates, on the arguments
    compute_tax actually passes it, the lemmas ``apply_basis_points_bounded`` (on every call) and
    ``apply_basis_points_monotone`` (on every ordered pair of calls), both proved on the full model as claims of
    their own. Each instance is an implication carrying the lemma's hypotheses, so instantiating is sound. The
    intermediates inside each call are covered by the claim ``apply_basis_points_no_overflow``, given that the
    compute_tax claim proves the call's amount in range (rates are in range by hypothesis).
    """

    def __init__(self) -> None:
        self.function = z3.Function("apply_basis_points", z3.IntSort(), z3.IntSort(), z3.IntSort())
        self.calls: list[tuple[z3.ArithRef, z3.ArithRef, z3.ArithRef]] = []

    def __call__(self, amount: z3.ArithRef, rate_bps: z3.ArithRef, trace: Trace, where: str = "") -> z3.ArithRef:
        result: z3.ArithRef = self.function(amount, rate_bps)
        self.calls.append((amount, rate_bps, result))
        return trace.record(f"{where}uint256(result)", z3.BoolVal(True), result)

    def facts(self) -> list[z3.BoolRef]:
        facts = [z3.Implies(abp_domain(a, r), abp_bounded(a, r, s)) for a, r, s in self.calls]
        for i, (a1, r1, s1) in enumerate(self.calls):
            for j, (a2, r2, s2) in enumerate(self.calls):
                if i != j:
                    hypothesis = z3.And(abp_domain(a1, r1), abp_domain(a2, r2), r1 == r2, a1 <= a2)
                    facts.append(z3.Implies(hypothesis, abp_monotone(a1, s1, a2, s2)))
        return facts


def abp_domain(amount: z3.ArithRef, rate_bps: z3.ArithRef) -> z3.BoolRef:
    return z3.And(in_uint256(amount), rate_bps >= 0, rate_bps <= MAX_BASIS_POINTS)


def abp_bounded(amount: z3.ArithRef, rate_bps: z3.ArithRef, result: z3.ArithRef) -> z3.BoolRef:
    return z3.And(0 <= result, result <= amount)


def abp_monotone(amount1: z3.ArithRef, result1: z3.ArithRef, amount2: z3.ArithRef, result2: z3.ArithRef) -> z3.BoolRef:
    """Both the share and what is left after it are non-decreasing in the amount."""
    return z3.And(result1 <= result2, amount1 - result1 <= amount2 - result2)


# --- symbolic inputs and concrete evaluation ---------------------------------------------------------------------


def uint256_var(name: str) -> z3.ArithRef:
    return z3.Int(name)


def in_uint256(x: z3.ArithRef) -> z3.BoolRef:
    return z3.And(x >= 0, x < UINT256_BOUND)


def symbolic_schedule(n: int, prefix: str = "") -> list[Bracket]:
    return [Bracket(z3.Int(f"{prefix}threshold_{i}"), z3.Int(f"{prefix}rate_bps_{i}")) for i in range(n)]


def schedule_domain(schedule: Sequence[Bracket]) -> list[z3.BoolRef]:
    """Inputs in range (thresholds uint256, rates in [0, MAX_BASIS_POINTS]) and the schedule valid."""
    facts: list[z3.BoolRef] = []
    for bracket in schedule:
        facts += [in_uint256(bracket.threshold), bracket.rate_bps >= 0, bracket.rate_bps <= MAX_BASIS_POINTS]
    facts.append(schedule_is_valid(schedule))
    return facts


def evaluate(expr: z3.ArithRef, bindings: Sequence[tuple[z3.ArithRef, int]]) -> int:
    """The value of ``expr`` once every variable is substituted by a concrete integer."""
    pairs = [(var, z3.IntVal(value)) for var, value in bindings]
    result = z3.simplify(z3.substitute(expr, *pairs) if pairs else expr)
    if not z3.is_int_value(result):
        raise ValueError(f"expression did not reduce to an integer: {result}")
    value: int = result.as_long()
    return value


def evaluate_bool(expr: z3.BoolRef, bindings: Sequence[tuple[z3.ArithRef, int]]) -> bool:
    """The truth value of ``expr`` once every variable is substituted by a concrete integer."""
    pairs = [(var, z3.IntVal(value)) for var, value in bindings]
    result = z3.simplify(z3.substitute(expr, *pairs) if pairs else expr)
    if not (z3.is_true(result) or z3.is_false(result)):
        raise ValueError(f"expression did not reduce to a truth value: {result}")
    return bool(z3.is_true(result))


def schedule_bindings(
    schedule: Sequence[Bracket], brackets: Sequence[tuple[int, int]]
) -> list[tuple[z3.ArithRef, int]]:
    bindings: list[tuple[z3.ArithRef, int]] = []
    for bracket, (threshold, rate) in zip(schedule, brackets, strict=True):
        bindings += [(bracket.threshold, threshold), (bracket.rate_bps, rate)]
    return bindings


# --- claims --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Obligation:
    """Hypotheses and a goal; proved when hypotheses together with not(goal) are unsatisfiable."""

    hypotheses: list[z3.BoolRef]
    goal: z3.BoolRef
    shown: list[tuple[str, z3.ArithRef]]  # printed from the model if a counterexample is found


@dataclass(frozen=True)
class Claim:
    name: str
    build: Callable[[], Obligation]
    tool: str = "z3"


@dataclass(frozen=True)
class Outcome:
    name: str
    tool: str
    proven: bool
    result: str
    seconds: float
    detail: str = ""


def _all_in_range(trace: Trace) -> z3.BoolRef:
    return z3.And(*[z3.Implies(guard, in_uint256(value)) for _, guard, value in trace.entries])


def _abp_inputs(suffix: str = "") -> tuple[z3.ArithRef, z3.ArithRef]:
    return uint256_var(f"amount{suffix}"), z3.Int("rate_bps")


def _abp_exact() -> Obligation:
    amount, rate = _abp_inputs()
    result = apply_basis_points(amount, rate, Trace())
    return Obligation(
        [abp_domain(amount, rate)],
        result == (amount * rate) / MAX_BASIS_POINTS,
        [("amount", amount), ("rate_bps", rate), ("result", result)],
    )


def _abp_no_overflow() -> Obligation:
    amount, rate = _abp_inputs()
    trace = Trace()
    apply_basis_points(amount, rate, trace)
    shown = [("amount", amount), ("rate_bps", rate)] + [(name, value) for name, _, value in trace.entries]
    return Obligation([abp_domain(amount, rate)], _all_in_range(trace), shown)


def _abp_bounded() -> Obligation:
    amount, rate = _abp_inputs()
    result = apply_basis_points(amount, rate, Trace())
    return Obligation(
        [abp_domain(amount, rate)],
        abp_bounded(amount, rate, result),
        [("amount", amount), ("rate_bps", rate), ("result", result)],
    )


def _abp_monotone() -> Obligation:
    (amount1, rate), (amount2, _) = _abp_inputs("1"), _abp_inputs("2")
    result1, result2 = apply_basis_points(amount1, rate, Trace()), apply_basis_points(amount2, rate, Trace())
    return Obligation(
        [abp_domain(amount1, rate), abp_domain(amount2, rate), amount1 <= amount2],
        abp_monotone(amount1, result1, amount2, result2),
        [("amount1", amount1), ("amount2", amount2), ("rate_bps", rate), ("result1", result1), ("result2", result2)],
    )


def _schedule_shown(schedule: Sequence[Bracket]) -> list[tuple[str, z3.ArithRef]]:
    shown: list[tuple[str, z3.ArithRef]] = []
    for i, bracket in enumerate(schedule):
        shown += [(f"threshold_{i}", bracket.threshold), (f"rate_bps_{i}", bracket.rate_bps)]
    return shown


def _tax_bounded(n: int) -> Obligation:
    schedule, value, abp = symbolic_schedule(n), uint256_var("value"), ApplyBasisPointsLemmas()
    tax = compute_tax(value, schedule, Trace(), abp)
    return Obligation(
        [in_uint256(value), *schedule_domain(schedule), *abp.facts()],
        z3.And(0 <= tax, tax <= value),
        [("value", value), *_schedule_shown(schedule), ("tax", tax)],
    )


def _tax_monotone(n: int, of_net: bool) -> Obligation:
    schedule, abp = symbolic_schedule(n), ApplyBasisPointsLemmas()
    value1, value2 = uint256_var("value1"), uint256_var("value2")
    tax1, tax2 = compute_tax(value1, schedule, Trace(), abp), compute_tax(value2, schedule, Trace(), abp)
    return Obligation(
        [in_uint256(value1), in_uint256(value2), value1 <= value2, *schedule_domain(schedule), *abp.facts()],
        value1 - tax1 <= value2 - tax2 if of_net else tax1 <= tax2,
        [("value1", value1), ("value2", value2), *_schedule_shown(schedule), ("tax1", tax1), ("tax2", tax2)],
    )


def _tax_no_overflow(n: int) -> Obligation:
    schedule, value, trace, abp = symbolic_schedule(n), uint256_var("value"), Trace(), ApplyBasisPointsLemmas()
    compute_tax(value, schedule, trace, abp)
    # The intermediates inside each apply_basis_points call are covered by apply_basis_points_no_overflow once its
    # arguments are in its domain: the part is recorded in the trace, the rate is in range by hypothesis.
    shown = [("value", value), *_schedule_shown(schedule)] + [(name, value) for name, _, value in trace.entries]
    return Obligation([in_uint256(value), *schedule_domain(schedule), *abp.facts()], _all_in_range(trace), shown)


def _per_n(name: str, build: Callable[[int], Obligation]) -> list[Claim]:
    def claim(n: int) -> Claim:
        return Claim(f"{name}[n={n}]", lambda: build(n), "z3+abp-lemmas")

    return [claim(n) for n in BRACKET_COUNTS]


CLAIMS: list[Claim] = [
    Claim("apply_basis_points_exact", _abp_exact),
    Claim("apply_basis_points_no_overflow", _abp_no_overflow),
    Claim("apply_basis_points_bounded", _abp_bounded),
    Claim("apply_basis_points_monotone", _abp_monotone),
    *_per_n("compute_tax_bounded", _tax_bounded),
    *_per_n("compute_tax_monotone", lambda n: _tax_monotone(n, of_net=False)),
    *_per_n("compute_tax_net_monotone", lambda n: _tax_monotone(n, of_net=True)),
    *_per_n("compute_tax_no_overflow", _tax_no_overflow),
]


def prove(claim: Claim, timeout_ms: int = 30_000) -> Outcome:
    """Assert the hypotheses and the negated goal; ``unsat`` proves the claim, anything else is a failure.

    The hypotheses alone must be satisfiable first, or the claim would hold vacuously.
    """
    start = time.perf_counter()
    obligation = claim.build()
    solver = z3.Solver()
    solver.set("timeout", timeout_ms)
    solver.add(*obligation.hypotheses)
    if solver.check() != z3.sat:  # guard against a vacuous proof from contradictory hypotheses
        return Outcome(claim.name, claim.tool, False, "VACUOUS", time.perf_counter() - start, "hypotheses not sat")
    solver.add(z3.Not(obligation.goal))
    verdict = solver.check()
    seconds = time.perf_counter() - start
    if verdict == z3.unsat:
        return Outcome(claim.name, claim.tool, True, "proven", seconds)
    if verdict == z3.sat:
        model = solver.model()
        values = ", ".join(f"{label}={model.eval(expr, model_completion=True)}" for label, expr in obligation.shown)
        return Outcome(claim.name, claim.tool, False, "COUNTEREXAMPLE", seconds, values)
    return Outcome(claim.name, claim.tool, False, "UNKNOWN", seconds, f"z3 gave {verdict}: {solver.reason_unknown()}")
