"""Laws of the charter encoding (spec/v1/l2-chain.md): decode_charter inverts encode_charter, and only it; the
encoding-length formula is the ABI layout."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mvm_spec.forks.v1 import minimal as spec

addresses = st.binary(min_size=20, max_size=20).map(spec.Address)
rules = st.builds(
    spec.PermissionRule,
    st.lists(addresses, max_size=3).map(tuple),
    st.sampled_from([spec.ALLOW, spec.DENY]),
    st.integers(0, int(spec.MAX_ACTION)).map(spec.Action),
)
schedules = st.lists(st.tuples(st.integers(0, 2**256 - 1), st.integers(0, 10_000)), max_size=4, unique_by=lambda b: b[0])
texts = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40)


@st.composite
def charters(draw: st.DrawFn) -> Any:
    brackets = sorted(draw(schedules))
    return spec.Charter(
        draw(texts),
        draw(texts),
        tuple(draw(st.lists(rules, max_size=4))),
        tuple(spec.TaxBracket(spec.Wei(threshold), spec.BasisPoints(rate)) for threshold, rate in brackets),
        draw(addresses),
    )


@given(charters())
def test_decode_inverts_encode(charter: Any) -> None:
    assert spec.decode_charter(spec.encode_charter(charter)) == charter


@given(charters(), st.binary(min_size=1, max_size=40))
def test_trailing_bytes_are_refused(charter: Any, trailer: bytes) -> None:
    with pytest.raises(spec.MalformedCharterUpdate):
        spec.decode_charter(spec.encode_charter(charter) + trailer)


@given(st.binary(max_size=200))
def test_arbitrary_bytes_decode_to_a_charter_or_a_named_error(data: bytes) -> None:
    try:
        charter = spec.decode_charter(data)
    except (spec.MalformedCharterUpdate, spec.InvalidCharter, spec.InvalidTaxSchedule):
        return
    assert spec.encode_charter(charter) == data


def test_truncated_encoding_is_refused() -> None:
    encoded = spec.encode_charter(spec.Charter("vision", "mission", (), (), spec.Address()))
    with pytest.raises(spec.MalformedCharterUpdate):
        spec.decode_charter(encoded[:-1])


big_texts = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=1500)


@given(
    big_texts,
    big_texts,
    st.lists(st.lists(addresses, max_size=40), max_size=12),
    st.integers(0, 16),
    st.lists(addresses, max_size=80),
)
def test_encoding_length_is_the_abi_layout(
    vision: str, mission: str, address_lists: list[Any], bracket_count: int, exempt: list[Any]
) -> None:
    """get_charter_encoding_length equals the length of the charter's ABI encoding, laid out by eth_abi (not by the
    spec), for any texts (multi-byte characters included), rule and address counts and bracket counts, within
    bounds or not, and any number of tax-exempt accounts: the size bound is a statement about the real encoding."""
    from eth_abi.abi import encode as eth_abi_encode

    permissions = tuple(spec.PermissionRule(tuple(listed), spec.ALLOW, spec.SUBMIT_TX) for listed in address_lists)
    brackets = tuple(spec.TaxBracket(spec.Wei(index), spec.BasisPoints(1)) for index in range(bracket_count))
    charter = spec.Charter(vision, mission, permissions, brackets, spec.Address(), tuple(exempt))
    encoded = eth_abi_encode(
        ["string", "string", "(address[],uint8,uint16)[]", "(uint256,uint16)[]", "address", "address[]"],
        [
            vision,
            mission,
            [(list(r.addresses), 0, 0x100) for r in permissions],
            [(b.threshold, 1) for b in brackets],
            bytes(20),
            list(exempt),
        ],
    )
    assert spec.get_charter_encoding_length(charter) == len(encoded)


def test_empty_charter_encodes_in_eleven_words() -> None:
    """By hand: six head words, then each string's length word (0), the rules' length word (0), the brackets'
    length word (0) and the exempt accounts' length word (0): 11 words, 352 bytes."""
    assert spec.get_charter_encoding_length(spec.Charter("", "", (), (), spec.Address())) == 11 * 32
