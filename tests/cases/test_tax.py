"""Vector cases for `compute_tax` (spec/v1/l2-chain.md): valid schedules, boundaries and rejected schedules.

Every expected tax below is worked out by hand from the rule "each bracket's part of the value, times its rate,
divided by 10,000 and rounded down, summed over brackets" — never by calling the spec to find the answer.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Iterator

from mvm_spec.vectors import expect_spec_error, vector_case
from mvm_spec.vectors.case import Part
from mvm_spec.vectors.codec import encode_tax_schedule, encode_uint

UINT256_MAX = 2**256 - 1


def schedule_of(spec: ModuleType, *brackets: tuple[int, int]) -> list[Any]:
    return [spec.TaxBracket(spec.Wei(threshold), spec.BasisPoints(rate)) for threshold, rate in brackets]


def tax_input(value: int, schedule: list[Any]) -> Part:
    return "input", {"value": encode_uint(value), "schedule": encode_tax_schedule(schedule)}


def expect_tax(spec: ModuleType, value: int, brackets: list[tuple[int, int]], hand_computed: int) -> Iterator[Part]:
    """Yield the input and the spec's tax, after checking the spec agrees with the hand-computed answer."""
    schedule = schedule_of(spec, *brackets)
    yield tax_input(value, schedule)
    tax = spec.compute_tax(spec.Wei(value), schedule)
    assert tax == hand_computed, f"spec computed {tax}, worked out by hand {hand_computed}"
    yield "output", {"tax": encode_uint(tax)}


def expect_rejected(spec: ModuleType, value: int, brackets: list[tuple[int, int]], error: str) -> Iterator[Part]:
    schedule = schedule_of(spec, *brackets)
    yield tax_input(value, schedule)
    yield from expect_spec_error(spec, error, lambda: spec.compute_tax(spec.Wei(value), schedule))


@vector_case("tax", "compute_tax")
def test_empty_schedule_taxes_nothing(spec: ModuleType) -> Iterator[Part]:
    """An empty schedule: no tax on any value."""
    yield from expect_tax(spec, 10**18, [], 0)


@vector_case("tax", "compute_tax")
def test_zero_value(spec: ModuleType) -> Iterator[Part]:
    """A zero-value transaction owes no tax even in a bracket starting at 0."""
    yield from expect_tax(spec, 0, [(0, 500)], 0)


@vector_case("tax", "compute_tax")
def test_flat_rate_from_zero(spec: ModuleType) -> Iterator[Part]:
    """One bracket from 0 at 10%: 1 ether pays 0.1 ether."""
    yield from expect_tax(spec, 10**18, [(0, 1000)], 10**17)


@vector_case("tax", "compute_tax")
def test_value_below_first_threshold(spec: ModuleType) -> Iterator[Part]:
    """Value below the first threshold is untaxed."""
    yield from expect_tax(spec, 99, [(100, 1000)], 0)


@vector_case("tax", "compute_tax")
def test_value_exactly_at_first_threshold(spec: ModuleType) -> Iterator[Part]:
    """Value equal to the first threshold: the bracket holds nothing of it yet."""
    yield from expect_tax(spec, 100, [(100, 1000)], 0)


@vector_case("tax", "compute_tax")
def test_one_wei_into_bracket_rounds_down(spec: ModuleType) -> Iterator[Part]:
    """One wei into a 10% bracket: 0.1 wei rounds down to 0."""
    yield from expect_tax(spec, 101, [(100, 1000)], 0)


@vector_case("tax", "compute_tax")
def test_ten_wei_into_bracket(spec: ModuleType) -> Iterator[Part]:
    """Ten wei into a 10% bracket: exactly 1 wei."""
    yield from expect_tax(spec, 110, [(100, 1000)], 1)


@vector_case("tax", "compute_tax")
def test_value_exactly_at_second_threshold(spec: ModuleType) -> Iterator[Part]:
    """At the second threshold only the first bracket's part (100 wei at 10%) is taxed: 10."""
    yield from expect_tax(spec, 200, [(100, 1000), (200, 2000)], 10)


@vector_case("tax", "compute_tax")
def test_one_below_second_threshold(spec: ModuleType) -> Iterator[Part]:
    """99 wei in the 10% bracket: 9.9 rounds down to 9."""
    yield from expect_tax(spec, 199, [(100, 1000), (200, 2000)], 9)


@vector_case("tax", "compute_tax")
def test_marginal_two_brackets(spec: ModuleType) -> Iterator[Part]:
    """250 wei: 100 at 10% (10) plus 50 at 20% (10) = 20 — not 250 at 20%."""
    yield from expect_tax(spec, 250, [(100, 1000), (200, 2000)], 20)


@vector_case("tax", "compute_tax")
def test_rounds_down_per_bracket(spec: ModuleType) -> Iterator[Part]:
    """Two half-wei taxes round down separately to 0 (rounding once at the end would give 1)."""
    yield from expect_tax(spec, 2, [(0, 5000), (1, 5000)], 0)


@vector_case("tax", "compute_tax")
def test_full_rate_bracket(spec: ModuleType) -> Iterator[Part]:
    """A 100% bracket above 1000 wei takes everything above it: 5000 wei pays 4000."""
    yield from expect_tax(spec, 5000, [(0, 0), (1000, 10000)], 4000)


@vector_case("tax", "compute_tax")
def test_max_value_full_rate(spec: ModuleType) -> Iterator[Part]:
    """2^256 - 1 at 100%: the tax equals the value; no intermediate may overflow uint256."""
    yield from expect_tax(spec, UINT256_MAX, [(0, 10000)], UINT256_MAX)


@vector_case("tax", "compute_tax")
def test_max_value_just_below_full_rate(spec: ModuleType) -> Iterator[Part]:
    """2^256 - 1 at 99.99%: floor((2^256 - 1) * 9999 / 10000), which needs 270 bits if multiplied first."""
    yield from expect_tax(spec, UINT256_MAX, [(0, 9999)], UINT256_MAX * 9999 // 10000)


@vector_case("tax", "compute_tax")
def test_max_value_two_brackets(spec: ModuleType) -> Iterator[Part]:
    """2^256 - 1 split at 2^255: 2^255 at 1% plus (2^255 - 1) at 2%."""
    yield from expect_tax(spec, UINT256_MAX, [(0, 100), (2**255, 200)], 2**255 // 100 + (2**255 - 1) // 50)


@vector_case("tax", "compute_tax")
def test_threshold_at_max_value(spec: ModuleType) -> Iterator[Part]:
    """A bracket starting at 2^256 - 1 never holds any value."""
    yield from expect_tax(spec, UINT256_MAX, [(0, 0), (UINT256_MAX, 10000)], 0)


@vector_case("tax", "compute_tax")
def test_most_brackets_allowed(spec: ModuleType) -> Iterator[Part]:
    """MAX_TAX_BRACKETS brackets (4 minimal, 16 mainnet): thresholds 1000*i, rates 100*(i+1) bps, value 1000n + 500.

    Bracket i < n-1 holds 1000 wei at (i+1)%: 10(i+1) each, 5n(n-1) in all; the last holds 1500 at n%: 15n.
    """
    count = int(spec.MAX_TAX_BRACKETS)
    brackets = [(1000 * index, 100 * (index + 1)) for index in range(count)]
    yield from expect_tax(spec, 1000 * count + 500, brackets, 5 * count * (count - 1) + 15 * count)


@vector_case("tax", "compute_tax")
def test_too_many_brackets(spec: ModuleType) -> Iterator[Part]:
    """One bracket more than MAX_TAX_BRACKETS is rejected."""
    count = int(spec.MAX_TAX_BRACKETS) + 1
    yield from expect_rejected(spec, 1000, [(index, 100) for index in range(count)], "TooManyTaxBrackets")


@vector_case("tax", "compute_tax")
def test_rate_above_maximum(spec: ModuleType) -> Iterator[Part]:
    """A rate of 10,001 bps (more than 100%) is rejected."""
    yield from expect_rejected(spec, 1000, [(0, 10001)], "TaxRateAboveMaximum")


@vector_case("tax", "compute_tax")
def test_equal_thresholds(spec: ModuleType) -> Iterator[Part]:
    """Two brackets with the same threshold are rejected: thresholds must strictly increase."""
    yield from expect_rejected(spec, 1000, [(100, 100), (100, 200)], "TaxThresholdsNotIncreasing")


@vector_case("tax", "compute_tax")
def test_decreasing_thresholds(spec: ModuleType) -> Iterator[Part]:
    """Thresholds out of order are rejected."""
    yield from expect_rejected(spec, 1000, [(0, 100), (200, 200), (100, 300)], "TaxThresholdsNotIncreasing")


@vector_case("tax", "compute_tax")
def test_invalid_schedule_rejected_at_zero_value(spec: ModuleType) -> Iterator[Part]:
    """The schedule is checked whatever the value: a zero-value transaction still sees the error."""
    yield from expect_rejected(spec, 0, [(0, 20000)], "TaxRateAboveMaximum")


@vector_case("tax", "compute_tax")
def test_rate_checked_before_thresholds(spec: ModuleType) -> Iterator[Part]:
    """Both rules broken: the rate check comes first, even though the bad threshold comes earlier in the list."""
    yield from expect_rejected(spec, 1000, [(100, 100), (50, 100), (200, 10001)], "TaxRateAboveMaximum")


@vector_case("tax", "compute_tax")
def test_length_checked_first(spec: ModuleType) -> Iterator[Part]:
    """Too many brackets with a bad rate and bad thresholds: the length check comes first."""
    count = int(spec.MAX_TAX_BRACKETS) + 1
    yield from expect_rejected(spec, 1000, [(0, 10001)] * count, "TooManyTaxBrackets")
