"""Hypothesis laws of the hand-written runtime's shortcuts: where it computes a value without the library the spec
names (for speed), its answers are the library's.

`abi_decode` reads tuples of `uint256` and `address` words itself (a state batch's extra data, decoded at every
finality check and challenge); the spec's README says it is eth-abi's strict decoding, so on every input, accepted
or refused, it must agree with `eth_abi.decode(..., strict=True)`.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.test_primitives import assert_decodes_as_eth_abi

WORD_TYPES = st.lists(st.sampled_from(["uint256", "address"]), min_size=1, max_size=6).map(tuple)
# A word as an encoder writes an address (12 zero bytes, then 20), any 32 bytes (a dirty pad for an address), or the
# edges of a uint256.
WORDS = st.one_of(
    st.binary(min_size=20, max_size=20).map(lambda tail: bytes(12) + tail),
    st.binary(min_size=32, max_size=32),
    st.sampled_from([bytes(32), b"\xff" * 32, bytes(31) + b"\x01", b"\x01" + bytes(31)]),
)


@st.composite
def encodings(draw: Any) -> tuple[tuple[str, ...], bytes]:
    """Types, and data that is their words, perhaps followed by bytes after the last or cut short."""
    types = draw(WORD_TYPES)
    data = b"".join(draw(st.lists(WORDS, min_size=len(types), max_size=len(types))))
    tail = draw(st.binary(max_size=40))
    cut = draw(st.integers(0, 40))
    return types, draw(st.sampled_from([data, data + tail, data[: max(0, len(data) - cut)]]))


@settings(max_examples=400)
@given(encodings())
def test_abi_decode_of_uint256_and_address_words_is_eth_abis(encoding: tuple[tuple[str, ...], bytes]) -> None:
    assert_decodes_as_eth_abi(*encoding)
