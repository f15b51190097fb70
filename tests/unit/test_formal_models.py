"""The formal stage's models agree with the rendered spec, and its gates fail when they should.

- The Z3 models of formal/z3_tax.py, evaluated on concrete inputs (substitute, simplify), equal the rendered
  ``mvm_spec.forks.v1.minimal`` functions on seeded-random and edge inputs, plus hand-computed answers.
- The CrossHair model of the fixed-width constructors (formal/crosshair_uint_model.py) behaves like the real ones.
- ``z3_tax.prove`` reports counterexamples and vacuous claims; ``python -m formal``'s CrossHair report parser passes
  only "Confirmed over all paths." (checked on synthetic reports and on two real CrossHair runs).
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
import z3

from formal import z3_sequencing, z3_tax
from formal.__main__ import CrossHairJob, judge_report, post_condition_lines, run_crosshair
from formal.crosshair_uint_model import bounded_uint_classes, bounded_uint_model
from mvm_spec.forks.v1 import mainnet
from mvm_spec.forks.v1 import minimal as spec

UINT256_MAX = 2**256 - 1
SEED = 20240601
Brackets = list[tuple[int, int]]


def spec_schedule(brackets: Brackets) -> list[spec.TaxBracket]:
    return [spec.TaxBracket(spec.Wei(threshold), spec.BasisPoints(rate)) for threshold, rate in brackets]


def model_apply_basis_points(amount: int, rate: int) -> int:
    amount_var, rate_var = z3.Int("amount"), z3.Int("rate_bps")
    expr = z3_tax.apply_basis_points(amount_var, rate_var, z3_tax.Trace())
    return z3_tax.evaluate(expr, [(amount_var, amount), (rate_var, rate)])


def model_compute_tax(value: int, brackets: Brackets) -> int:
    schedule, value_var = z3_tax.symbolic_schedule(len(brackets)), z3.Int("value")
    expr = z3_tax.compute_tax(value_var, schedule, z3_tax.Trace())
    return z3_tax.evaluate(expr, [(value_var, value), *z3_tax.schedule_bindings(schedule, brackets)])


def model_schedule_is_valid(brackets: Brackets) -> bool:
    schedule = z3_tax.symbolic_schedule(len(brackets))
    return z3_tax.evaluate_bool(z3_tax.schedule_is_valid(schedule), z3_tax.schedule_bindings(schedule, brackets))


def random_amount(rng: random.Random) -> int:
    return rng.choice([rng.randrange(0, 10**6), rng.randrange(0, 2**128), rng.randrange(0, 2**256)])


def random_rate(rng: random.Random) -> int:
    return rng.choice([0, 1, 9_999, 10_000, rng.randrange(0, 10_001)])


def random_valid_brackets(rng: random.Random, n: int) -> Brackets:
    thresholds: set[int] = set()
    while len(thresholds) < n:
        thresholds.add(rng.choice([random_amount(rng), 0, UINT256_MAX]))
    return [(threshold, random_rate(rng)) for threshold in sorted(thresholds)]


def values_to_try(rng: random.Random, brackets: Brackets) -> list[int]:
    values = {0, 1, UINT256_MAX, random_amount(rng), random_amount(rng)}
    for threshold, _ in brackets:
        values |= {threshold, max(0, threshold - 1), min(UINT256_MAX, threshold + 1)}
    return sorted(values)


# --- Z3 models against the rendered spec ---------------------------------------------------------------------------


def test_apply_basis_points_model_matches_spec() -> None:
    rng = random.Random(SEED)
    amounts = [0, 1, 9_999, 10_000, 10_001, 2**255, UINT256_MAX - 10_000, UINT256_MAX]
    amounts += [random_amount(rng) for _ in range(60)]
    rates = [0, 1, 5_000, 9_999, 10_000]
    cases = [(amount, rate) for amount in amounts for rate in rates]
    cases += [(random_amount(rng), random_rate(rng)) for _ in range(100)]
    for amount, rate in cases:
        expected = spec.apply_basis_points(spec.uint256(amount), spec.BasisPoints(rate))
        assert model_apply_basis_points(amount, rate) == expected == amount * rate // 10_000, (amount, rate)


@pytest.mark.parametrize("n", z3_tax.BRACKET_COUNTS)
def test_compute_tax_model_matches_spec(n: int) -> None:
    rng = random.Random(SEED + n)
    checked = 0
    for _ in range(12):
        brackets = random_valid_brackets(rng, n)
        schedule = spec_schedule(brackets)
        for value in values_to_try(rng, brackets):
            # Schedules longer than the minimal preset allows are checked against mainnet (16 brackets).
            rendered = spec if n <= spec.MAX_TAX_BRACKETS else mainnet
            assert model_compute_tax(value, brackets) == rendered.compute_tax(rendered.Wei(value), schedule), (value, brackets)
            checked += 1
    assert checked >= 50


def test_schedule_is_valid_matches_validate_tax_schedule() -> None:
    rng = random.Random(SEED)
    for _ in range(300):
        n = rng.randrange(0, int(spec.MAX_TAX_BRACKETS) + 1)
        brackets = [
            (rng.choice([rng.randrange(0, 4), random_amount(rng)]), rng.choice([random_rate(rng), 10_001, 2**64 - 1]))
            for _ in range(n)
        ]
        try:
            spec.validate_tax_schedule(spec_schedule(brackets))
            accepted = True
        except spec.InvalidTaxSchedule:
            accepted = False
        assert model_schedule_is_valid(brackets) == accepted, brackets


@pytest.mark.parametrize(
    ("value", "brackets", "tax"),
    [
        (250, [(100, 1_000), (200, 2_000)], 10 + 10),  # 100 wei at 10%, then 50 wei at 20%
        (150, [(100, 1_000), (200, 2_000)], 5),
        (200, [(100, 1_000), (200, 2_000)], 10),  # value exactly at a threshold: nothing in the second bracket
        (100, [(100, 1_000), (200, 2_000)], 0),  # value exactly at the first threshold: nothing taxed
        (99, [(100, 1_000), (200, 2_000)], 0),
        (2, [(0, 5_000), (1, 5_000)], 0),  # rounding per bracket: 0.5 + 0.5 rounds to 0 + 0, not 1
        (10**18, [], 0),  # an empty schedule taxes nothing
        (UINT256_MAX, [(0, 10_000)], UINT256_MAX),  # 100% of everything
        (UINT256_MAX, [(0, 0), (UINT256_MAX, 10_000)], 0),  # the last bracket starts at the value itself
    ],
)
def test_known_answers(value: int, brackets: Brackets, tax: int) -> None:
    assert spec.compute_tax(spec.Wei(value), spec_schedule(brackets)) == tax
    assert model_compute_tax(value, brackets) == tax


def test_apply_basis_points_known_answers() -> None:
    assert (
        model_apply_basis_points(12_345, 1_000)
        == spec.apply_basis_points(spec.uint256(12_345), spec.BasisPoints(1_000))
        == 1_234
    )
    assert model_apply_basis_points(UINT256_MAX, 10_000) == UINT256_MAX
    assert model_apply_basis_points(UINT256_MAX, 0) == 0


# --- the CrossHair model of the fixed-width constructors -----------------------------------------------------------


def outcome_of(construct: Callable[[object], object], value: object) -> tuple[str, int | None]:
    try:
        result = construct(value)
    except (TypeError, ValueError) as error:
        return type(error).__name__, None
    assert isinstance(result, int)
    return "ok", int(result)


def test_uint_model_matches_constructors() -> None:
    classes = bounded_uint_classes()
    assert {spec.Wei, spec.BasisPoints, spec.uint256, spec.uint64, spec.ChainId} <= set(classes)
    rng = random.Random(SEED)
    for cls in classes:
        bits: int = getattr(cls, "BITS")
        model = bounded_uint_model(cls)
        values: list[object] = [0, 1, -1, 2**bits - 1, 2**bits, 2**bits + 1, -(2**bits), True, False, 1.0, "1", None]
        values += [rng.randrange(-(2**bits), 2**bits * 2) for _ in range(20)]
        for value in values:
            assert outcome_of(model, value) == outcome_of(cls, value), (cls, value)


# --- the gates fail when they should -------------------------------------------------------------------------------


def test_z3_claims_all_named_uniquely() -> None:
    names = [claim.name for claim in z3_tax.CLAIMS]
    assert len(names) == len(set(names))
    assert {f"compute_tax_no_overflow[n={n}]" for n in z3_tax.BRACKET_COUNTS} <= set(names)


def test_prove_reports_counterexample() -> None:
    def tax_bounded_without_rate_limit() -> z3_tax.Obligation:
        schedule, value = z3_tax.symbolic_schedule(1), z3.Int("value")
        tax = z3_tax.compute_tax(value, schedule, z3_tax.Trace())
        hypotheses = [z3_tax.in_uint256(value), z3_tax.in_uint256(schedule[0].threshold), schedule[0].rate_bps >= 0]
        return z3_tax.Obligation(hypotheses, tax <= value, [("value", value), ("tax", tax)])

    outcome = z3_tax.prove(z3_tax.Claim("broken", tax_bounded_without_rate_limit))
    assert (outcome.proven, outcome.result) == (False, "COUNTEREXAMPLE")
    assert "value=" in outcome.detail and "tax=" in outcome.detail


def test_prove_rejects_vacuous_claim() -> None:
    x = z3.Int("x")
    outcome = z3_tax.prove(z3_tax.Claim("vacuous", lambda: z3_tax.Obligation([x > 1, x < 0], x == 5, [("x", x)])))
    assert (outcome.proven, outcome.result) == (False, "VACUOUS")


def false_contract(amount: int) -> int:
    """
    pre: 0 <= amount < 100
    post: __return__ < 50
    """
    return amount


def unconfirmable_contract(amount: int) -> int:
    """
    pre: 0 <= amount < 2**256
    post: __return__ == amount
    """
    return spec.Wei(amount)


def crosshair_stdout(target: Callable[..., object], message: str) -> str:
    import inspect

    path = inspect.getsourcefile(target)
    return "".join(f"{path}:{line}: {message}\n" for line in post_condition_lines(target))


def test_judge_report() -> None:
    assert judge_report(false_contract, 0, crosshair_stdout(false_contract, "info: Confirmed over all paths."), "") == (
        "confirmed",
        "",
    )
    assert judge_report(false_contract, 0, crosshair_stdout(false_contract, "info: Not confirmed."), "")[0] == (
        "NOT CONFIRMED"
    )
    assert judge_report(false_contract, 1, crosshair_stdout(false_contract, "error: false when calling"), "")[0] == (
        "COUNTEREXAMPLE"
    )
    assert judge_report(false_contract, 0, "", "")[0] == "ERROR"
    assert judge_report(false_contract, 2, "", "Traceback ...\nImportError: x")[0] == "ERROR"


def test_crosshair_gate_on_real_runs() -> None:
    refuted = run_crosshair(CrossHairJob(false_contract, with_uint_model=False, per_condition_timeout=5))
    assert (refuted.proven, refuted.result) == (False, "COUNTEREXAMPLE"), refuted
    unconfirmed = run_crosshair(CrossHairJob(unconfirmable_contract, with_uint_model=False, per_condition_timeout=1))
    assert (unconfirmed.proven, unconfirmed.result) == (False, "NOT CONFIRMED"), unconfirmed
    modelled = run_crosshair(CrossHairJob(unconfirmable_contract, with_uint_model=True, per_condition_timeout=5))
    assert (modelled.proven, modelled.result) == (True, "confirmed"), modelled


# --- the bond arithmetic models (formal/z3_sequencing.py) against the rendered spec -------------------------------


def test_rounded_up_and_dbt_models_match_spec() -> None:
    rng = random.Random(SEED + 1000)
    amounts = [0, 1, 9_999, 10_000, 10_001, 2**256 - 1, *(rng.randrange(2**256) for _ in range(60))]
    for amount in amounts:
        for rate in (0, 1, 1_000, 3_333, 9_999, 10_000):
            symbol_amount, symbol_rate = z3.Int("amount"), z3.Int("rate")
            model = z3_sequencing.apply_basis_points_rounded_up(symbol_amount, symbol_rate, z3_tax.Trace())
            bound = z3_tax.evaluate(model, [(symbol_amount, amount), (symbol_rate, rate)])
            assert bound == spec.apply_basis_points_rounded_up(spec.uint256(amount), spec.BasisPoints(rate))
        for rendered in (spec, mainnet):
            supply, floor, ratio = z3.Int("supply"), z3.Int("floor"), z3.Int("ratio")
            model = z3_sequencing.compute_dynamic_bond_threshold(supply, floor, ratio, z3_tax.Trace())
            bindings = [(supply, amount), (floor, int(rendered.MIN_SEQUENCER_BOND)), (ratio, int(rendered.DBT_RATIO_BPS))]
            assert z3_tax.evaluate(model, bindings) == rendered.compute_dynamic_bond_threshold(rendered.Wei(amount))


def test_dbt_known_answers() -> None:
    """Worked by hand: 10% of 1,000,001 wei rounds up to 100,001; below the floor the floor wins."""
    floor = int(spec.MIN_SEQUENCER_BOND)
    assert spec.compute_dynamic_bond_threshold(spec.Wei(0)) == floor
    assert spec.compute_dynamic_bond_threshold(spec.Wei(10 * floor + 1)) == floor + 1
    assert spec.compute_dynamic_bond_threshold(spec.Wei(10 * floor)) == floor
