"""The primitives the spec's Python uses, as the fork README's "Primitives" section defines them.

Each test pins one sentence of that section against an answer known outside this project (a published digest, the
Solidity ABI specification's layout), so a library upgrade that changes a primitive's behaviour fails here, by name,
rather than somewhere deep in a vector.
"""

from __future__ import annotations

import hashlib

import pytest

from mvm_spec.forks.v1 import mainnet as spec
from mvm_spec.runtime import AbiDecodingError, RlpDecodingError, abi_decode, abi_encode, keccak256, rlp_decode


def test_keccak256_is_ethereums_keccak_not_sha3() -> None:
    # Published digests: Keccak-256 of no bytes (Ethereum's empty-code hash) and of "abc"; FIPS 202 SHA3-256 differs.
    assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert keccak256(b"abc").hex() == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    assert hashlib.sha3_256(b"").hexdigest() == "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a"


def test_abi_encode_is_soliditys_head_and_tail_layout() -> None:
    # abi.encode(uint16(5), "ab"): the uint in its word, the string's offset (64), its length, its bytes padded.
    words = [5, 64, 2]
    expected = b"".join(word.to_bytes(32, "big") for word in words) + b"ab" + bytes(30)
    assert abi_encode(["uint16", "string"], [5, "ab"]) == expected


@pytest.mark.parametrize(
    "types, data",
    [
        (["uint16"], (2**16).to_bytes(32, "big")),  # beyond its type: non-zero padding
        (["uint8"], b"\x01" + bytes(31)),  # dirty high bytes
        (["bool"], (2).to_bytes(32, "big")),  # a bool other than 0 or 1
        (["bytes2"], b"\x01\x02\x03" + bytes(29)),  # fixed bytes with a non-zero pad
        (["address"], b"\x01" + bytes(31)),  # an address with a non-zero pad
        (["uint256"], bytes(31)),  # a word cut short
        (["bytes"], (160).to_bytes(32, "big")),  # an offset past the data
        (["string"], (32).to_bytes(32, "big") + (2).to_bytes(32, "big") + b"\xff\xfe" + bytes(30)),  # not UTF-8
        (["string"], (32).to_bytes(32, "big") + (2).to_bytes(32, "big") + b"ab" + bytes(29) + b"\x01"),  # dirty tail
    ],
)
def test_abi_decode_is_strict_about_every_word_it_reads(types: list[str], data: bytes) -> None:
    with pytest.raises(AbiDecodingError):
        abi_decode(types, data)


def test_abi_decode_ignores_bytes_after_the_last_it_reads() -> None:
    """Stated in the README: so the spec re-encodes and compares where an encoding must be canonical."""
    assert abi_decode(["uint16"], (5).to_bytes(32, "big") + bytes(32)) == (5,)


@pytest.mark.parametrize(
    "data",
    [
        bytes([0x81, 0x05]),  # a single byte below 0x80 must encode as itself
        bytes([0xB8, 0x01, 0x61]),  # a long-form length for a short string
        bytes([0x82, 0x61]),  # cut short
        bytes([0x61, 0x62]),  # two items where one is expected: trailing bytes
    ],
)
def test_rlp_decode_refuses_non_canonical_or_trailing_input(data: bytes) -> None:
    with pytest.raises(RlpDecodingError):
        rlp_decode(data)


def test_zero_values_equality_and_replace() -> None:
    assert spec.uint64() == 0 and spec.Address() == bytes(20) and spec.Hash32() == bytes(32)
    rule = spec.PermissionRule((spec.Address(),), spec.PermissionOperation(0), spec.Action(0x100))
    same = spec.PermissionRule((spec.Address(bytes(20)),), spec.PermissionOperation(0), spec.Action(256))
    assert rule == same and hash(rule) == hash(same)  # field by field, fixed-width values equal to their integers
    changed = spec.replace(rule, operation=spec.PermissionOperation(1))
    assert changed != rule and rule.operation == 0 and changed.action == rule.action  # the original is unchanged
    charter = spec.Charter("", "", (), (), spec.Address())
    assert charter.tax_exempt == ()  # the one field a definition gives a default
