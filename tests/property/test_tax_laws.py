"""Hypothesis laws of the tax rule (DESIGN §4): 0 <= tax <= value; tax and value - tax non-decreasing in value.

Each law is checked on both presets, on schedules up to MAX_TAX_BRACKETS long with amounts over the whole uint256
range, plus a differential law against a naive big-integer reading of the rule.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mvm_spec.forks import PRESETS, load_spec
from mvm_spec.fuzz import UINT256_MAX, amounts, rates, valid_brackets  # the strategies mvm-spec fuzz draws from

SPECS = [load_spec("v1", preset) for preset in PRESETS]


def schedule_of(spec: ModuleType, brackets: list[tuple[int, int]]) -> list[Any]:
    return [spec.TaxBracket(spec.Wei(threshold), spec.BasisPoints(rate)) for threshold, rate in brackets]


def naive_tax(value: int, brackets: list[tuple[int, int]]) -> int:
    """The rule read literally, with unbounded integers: each bracket's part times its rate, floored, summed."""
    uppers = [threshold for threshold, _ in brackets[1:]] + [max(value, brackets[-1][0]) if brackets else 0]
    return sum(
        (max(0, min(value, upper) - threshold) * rate) // 10_000
        for (threshold, rate), upper in zip(brackets, uppers)
    )


@pytest.mark.parametrize("spec", SPECS, ids=PRESETS)
@given(data=st.data())
def test_tax_is_between_zero_and_value(spec: ModuleType, data: st.DataObject) -> None:
    brackets = data.draw(valid_brackets(int(spec.MAX_TAX_BRACKETS)))
    value = data.draw(amounts)
    tax = spec.compute_tax(spec.Wei(value), schedule_of(spec, brackets))
    assert 0 <= tax <= value


@pytest.mark.parametrize("spec", SPECS, ids=PRESETS)
@given(data=st.data())
def test_tax_and_remainder_non_decreasing_in_value(spec: ModuleType, data: st.DataObject) -> None:
    schedule = schedule_of(spec, data.draw(valid_brackets(int(spec.MAX_TAX_BRACKETS))))
    smaller, larger = sorted([data.draw(amounts), data.draw(amounts)])
    tax_smaller = spec.compute_tax(spec.Wei(smaller), schedule)
    tax_larger = spec.compute_tax(spec.Wei(larger), schedule)
    assert tax_smaller <= tax_larger
    assert smaller - tax_smaller <= larger - tax_larger


@pytest.mark.parametrize("spec", SPECS, ids=PRESETS)
@given(data=st.data())
def test_one_more_wei_adds_at_most_one_wei_of_tax(spec: ModuleType, data: st.DataObject) -> None:
    schedule = schedule_of(spec, data.draw(valid_brackets(int(spec.MAX_TAX_BRACKETS))))
    value = data.draw(st.integers(0, UINT256_MAX - 1))
    step = spec.compute_tax(spec.Wei(value + 1), schedule) - spec.compute_tax(spec.Wei(value), schedule)
    assert step in (0, 1)


@pytest.mark.parametrize("spec", SPECS, ids=PRESETS)
@given(data=st.data())
def test_tax_equals_naive_reading_of_rule(spec: ModuleType, data: st.DataObject) -> None:
    brackets = data.draw(valid_brackets(int(spec.MAX_TAX_BRACKETS)))
    value = data.draw(amounts)
    assert spec.compute_tax(spec.Wei(value), schedule_of(spec, brackets)) == naive_tax(value, brackets)


@given(amount=amounts, rate=rates)
def test_apply_basis_points_is_exact_floor(amount: int, rate: int) -> None:
    spec = SPECS[0]
    result = spec.apply_basis_points(spec.uint256(amount), spec.BasisPoints(rate))
    assert result == amount * rate // 10_000
    assert 0 <= result <= amount


@pytest.mark.parametrize("spec", SPECS, ids=PRESETS)
@given(data=st.data())
def test_any_schedule_breaking_a_rule_is_rejected_by_name(spec: ModuleType, data: st.DataObject) -> None:
    brackets = data.draw(st.lists(st.tuples(amounts, st.integers(0, 20_000)), max_size=int(spec.MAX_TAX_BRACKETS) + 3))
    thresholds = [threshold for threshold, _ in brackets]
    breaks_a_rule = (
        len(brackets) > spec.MAX_TAX_BRACKETS
        or any(rate > 10_000 for _, rate in brackets)
        or any(later <= earlier for earlier, later in zip(thresholds, thresholds[1:]))
    )
    schedule = schedule_of(spec, brackets)
    if breaks_a_rule:
        with pytest.raises(spec.InvalidTaxSchedule):
            spec.validate_tax_schedule(schedule)
    else:
        spec.validate_tax_schedule(schedule)


# --- Brackets apply per transfer (spec/v1/execution.md, "Brackets apply per transfer") -------------------------------


@st.composite
def rising_brackets(draw: st.DrawFn, max_brackets: int) -> list[tuple[int, int]]:
    """A valid schedule whose rates never fall from one bracket to the next: a progressive schedule."""
    thresholds = sorted(draw(st.sets(amounts, max_size=max_brackets)))
    return list(zip(thresholds, sorted(draw(rates) for _ in thresholds)))


@pytest.mark.parametrize("spec", SPECS, ids=PRESETS)
@given(data=st.data())
def test_splitting_never_costs_more_under_rising_rates(spec: ModuleType, data: st.DataObject) -> None:
    """Under a progressive schedule, two transfers never owe more than one transfer of their sum, up to the
    rounding: one wei per bracket but one (the real-valued tax is convex and 0 at 0, so superadditive; each
    bracket's floor loses less than a wei). Splitting is what per-transfer brackets allow; it never costs."""
    brackets = data.draw(rising_brackets(int(spec.MAX_TAX_BRACKETS)))
    schedule = schedule_of(spec, brackets)
    first = data.draw(amounts)
    second = data.draw(st.integers(0, UINT256_MAX - first))
    split = spec.compute_tax(spec.Wei(first), schedule) + spec.compute_tax(spec.Wei(second), schedule)
    whole = spec.compute_tax(spec.Wei(first + second), schedule)
    assert split <= whole + max(len(brackets) - 1, 0)


@pytest.mark.parametrize("spec", SPECS, ids=PRESETS)
@given(amount=amounts, rate=rates, data=st.data())
def test_splitting_a_flat_rate_saves_at_most_a_wei(spec: ModuleType, amount: int, rate: int, data: st.DataObject) -> None:
    """Under one bracket from 0, splitting a transfer in two saves at most one wei (the second floor), and never
    costs more: with a flat rate, per-transfer brackets are the same as per-payer ones."""
    schedule = schedule_of(spec, [(0, rate)])
    first = data.draw(st.integers(0, amount))
    split = spec.compute_tax(spec.Wei(first), schedule) + spec.compute_tax(spec.Wei(amount - first), schedule)
    whole = spec.compute_tax(spec.Wei(amount), schedule)
    assert whole - 1 <= split <= whole
