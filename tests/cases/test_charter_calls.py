"""charter/encode_call on charters that break a rule: an invalid charter has no call data (spec/v1/l2-chain.md,
encode_tax_call and encode_governance_call). Found by ``mvm-spec fuzz --all``: a mutated vector with a rate of
2^53 - 1 basis points made the spec fail inside the ABI encoder (a rate that does not fit setTax's uint16) instead
of answering with the charter's own error."""

from __future__ import annotations

from types import ModuleType
from typing import Iterator

from mvm_spec.vectors import expect_spec_error, vector_case
from mvm_spec.vectors.case import Part
from mvm_spec.vectors.codec import encode_charter

from .test_charter import FULL_RULES, MANAGER, address, charter_of


@vector_case("charter", "encode_call")
def test_a_tax_call_of_a_rate_over_100_percent_is_refused(spec: ModuleType) -> Iterator[Part]:
    """10,001 basis points is over the maximum: TaxRateAboveMaximum, not call data."""
    charter = charter_of(spec, "v", "m", FULL_RULES, [(0, 10_001)], MANAGER, [address(4)])
    yield "input", {"charter": encode_charter(charter), "function": "setTax"}
    yield from expect_spec_error(spec, "TaxRateAboveMaximum", lambda: spec.encode_tax_call(charter))


@vector_case("charter", "encode_call")
def test_a_tax_call_of_a_rate_beyond_uint16_is_refused_by_the_same_rule(spec: ModuleType) -> Iterator[Part]:
    """2^53 - 1 basis points, the largest the format carries, does not fit the call's uint16: the same error."""
    charter = charter_of(spec, "v", "m", FULL_RULES, [(0, 2**53 - 1)], MANAGER, [address(4)])
    yield "input", {"charter": encode_charter(charter), "function": "setTax"}
    yield from expect_spec_error(spec, "TaxRateAboveMaximum", lambda: spec.encode_tax_call(charter))


@vector_case("charter", "encode_call")
def test_a_governance_call_of_a_lone_surrogate_vision_is_refused(spec: ModuleType) -> Iterator[Part]:
    """A vision holding a lone surrogate has no UTF-8 encoding, so no string argument: CharterTextNotUnicode."""
    charter = charter_of(spec, "vision \ud800", "m", FULL_RULES, [(0, 10)], address(9), [address(4)])
    yield "input", {"charter": encode_charter(charter), "function": "setGovernance"}
    yield from expect_spec_error(spec, "CharterTextNotUnicode", lambda: spec.encode_governance_call(charter))
