"""The primitives the spec's Python uses, as the fork README's "Primitives" section defines them.

Each test pins one sentence of that section against an answer known outside this project (a published digest, the
Solidity ABI specification's layout), so a library upgrade that changes a primitive's behaviour fails here, by name,
rather than somewhere deep in a vector.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

import pytest
from eth_abi.abi import decode as eth_abi_decode
from eth_abi.abi import encode as eth_abi_encode
from eth_abi.exceptions import DecodingError, EncodingError
from eth_hash.backends.pycryptodome import keccak256 as pycryptodome_keccak256

from mvm_spec.forks.v1 import mainnet as spec
from mvm_spec.runtime import AbiDecodingError, RlpDecodingError, abi_decode, abi_encode, keccak256, rlp_decode


def test_keccak256_is_ethereums_keccak_not_sha3() -> None:
    # Published digests: Keccak-256 of no bytes (Ethereum's empty-code hash) and of "abc"; FIPS 202 SHA3-256 differs.
    assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert keccak256(b"abc").hex() == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    assert hashlib.sha3_256(b"").hexdigest() == "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a"


def test_keccak256_agrees_with_the_hash_py_evm_uses_at_every_length() -> None:
    # The spec hashes through safe-pysha3, py-evm through eth-hash (pycryptodome): the same function, checked across
    # the sponge's 136-byte block boundary and a few blocks beyond. One more published answer: 200 bytes of 0xa3.
    for length in range(0, 3 * 136 + 2):
        data = bytes((index * 7 + length) % 256 for index in range(length))
        assert keccak256(data) == pycryptodome_keccak256(data), length
    assert keccak256(bytes([0xA3]) * 200).hex() == "3a57666b048777f2c953dc4456f45a2588e1cb6f2da760122d530ac2ce607d4a"


def test_abi_encode_is_soliditys_head_and_tail_layout() -> None:
    # abi.encode(uint16(5), "ab"): the uint in its word, the string's offset (64), its length, its bytes padded.
    words = [5, 64, 2]
    expected = b"".join(word.to_bytes(32, "big") for word in words) + b"ab" + bytes(30)
    assert abi_encode(["uint16", "string"], [5, "ab"]) == expected


ENCODINGS: list[tuple[tuple[str, ...], tuple[Any, ...]]] = [
    ((), ()),
    (("uint256", "bytes32"), (spec.uint256(7), spec.Hash32(bytes([1]) * 32))),  # words only: each encoder in turn
    (
        ("address", "bool", "uint8", "int16", "bytes4", "uint256[2]", "(uint64,address)"),
        (spec.Address(), True, 255, -2, b"abcd", (1, 2), (3, bytes(20))),
    ),
    (("uint8", "uint256", "(address,bytes32[],bytes)[]", "uint256"), (1, 21_000, [(bytes(20), [bytes(32)] * 2, b"xy")], 5)),
    (("bytes32", "string", "uint256"), (bytes(32), "fallback", 3)),
    (("(uint256,uint16)[]", "address[]"), ([(10**18, 100)], [bytes(20)])),
]


@pytest.mark.parametrize("types, values", ENCODINGS)
def test_abi_encode_is_eth_abis_encode(types: tuple[str, ...], values: tuple[Any, ...]) -> None:
    """The runtime holds eth-abi's encoders per tuple of types (and runs a static tuple's word encoders in turn):
    the bytes are ``eth_abi.encode``'s, for static and dynamic tuples alike."""
    plain = [bytes(value) if isinstance(value, bytes) else value for value in values]
    assert abi_encode(types, values) == eth_abi_encode(list(types), plain)
    assert abi_encode(types, values) == abi_encode(list(types), list(values))  # the same encoder, cached


@pytest.mark.parametrize(
    "types, values",
    [
        (("uint8",), (256,)),  # out of range
        (("uint256", "bytes32"), (1, bytes(33))),  # fixed bytes too long for their type
        (("uint256", "bytes32"), (1,)),  # too few values
        (("uint8", "bytes"), (1, b"", 2)),  # too many values
        (("uint8", "bytes"), (-1, b"")),  # out of range, in a dynamic tuple
        (("address", "(address,bytes32[],bytes)[]"), (bytes(20), [(bytes(20), [bytes(32)], 5)])),  # a nested bad value
    ],
)
def test_abi_encode_refuses_what_eth_abi_refuses(types: tuple[str, ...], values: tuple[Any, ...]) -> None:
    with pytest.raises(EncodingError):
        eth_abi_encode(list(types), list(values))
    with pytest.raises(EncodingError):
        abi_encode(types, values)


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


WORDS = [(7).to_bytes(32, "big"), bytes(12) + bytes([0xAB]) * 20, bytes([0xFF]) * 32, bytes(32)]


@pytest.mark.parametrize(
    "types, data",
    [
        (("uint256", "uint256", "uint256", "address", "uint256"), b"".join(WORDS[:4]) + WORDS[0]),  # a batch's context
        (("address", "uint256"), WORDS[1] + WORDS[2] + b"\x01\x02"),  # bytes after the last word, ignored
        (("address",), WORDS[3]),
        (("address",), WORDS[2]),  # an address word with a non-zero pad
        (("uint256", "address"), WORDS[0] + WORDS[1][:31]),  # cut short
    ],
)
def test_abi_decode_of_uint256_and_address_words_is_eth_abis_decode(types: tuple[str, ...], data: bytes) -> None:
    """The runtime reads words of these two types itself (eth-abi's per-word stream and checks cost 9 us for a
    state batch's extra data): the values, and their types, are ``eth_abi.decode``'s, and what it refuses is refused."""
    assert_decodes_as_eth_abi(types, data)


def assert_decodes_as_eth_abi(types: tuple[str, ...], data: bytes) -> None:
    """``abi_decode`` refuses what ``eth_abi.decode(strict=True)`` refuses, and otherwise gives its values and types
    (also the law of tests/property/test_runtime_laws.py)."""
    try:
        expected = eth_abi_decode(list(types), data, strict=True)
    except DecodingError:
        with pytest.raises(AbiDecodingError):
            abi_decode(types, data)
        return
    decoded = abi_decode(types, data)
    assert decoded == expected and [type(value) for value in decoded] == [type(value) for value in expected]


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


def test_container_init_is_the_dataclasss() -> None:
    """The runtime gives a container an ``__init__`` that sets its fields at once; calls mean what they meant."""
    positional = spec.Payout(spec.Address(), spec.Wei(3))
    assert positional == spec.Payout(amount=spec.Wei(3), recipient=spec.Address())
    assert list(vars(positional)) == ["recipient", "amount"]  # the fields, in order, and nothing else
    payout: Any = spec.Payout  # the wrong calls below are what mypy refuses; at run time they raise TypeError
    for wrong in ((spec.Address(),), (spec.Address(), spec.Wei(3), spec.Wei(4))):
        with pytest.raises(TypeError):
            payout(*wrong)
    with pytest.raises(TypeError):
        payout(spec.Address(), spec.Wei(3), amount=spec.Wei(3))  # a field given twice
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(positional, "amount", spec.Wei(4))
