"""The JSON encoding of spec values in vectors and in the client protocol.

Integers that can exceed 2^53 (amounts in wei, any uint256) are decimal strings; small integers (basis points,
counts) are JSON numbers; bytes are 0x-prefixed lowercase hex. Cases encode with these functions and the
reference client decodes with them, so both sides of a vector agree on one encoding.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Sequence


def encode_uint(value: int) -> str:
    return str(int(value))


def decode_uint(text: Any) -> int:
    if not isinstance(text, str) or not text.isdecimal() or (len(text) > 1 and text[0] == "0"):
        raise ValueError(f"expected a decimal string without leading zeros, got {text!r}")
    return int(text)


def encode_bytes(value: bytes) -> str:
    return "0x" + bytes(value).hex()


def decode_bytes(text: Any) -> bytes:
    if not isinstance(text, str) or not text.startswith("0x"):
        raise ValueError(f"expected 0x-prefixed hex, got {text!r}")
    return bytes.fromhex(text[2:])


def encode_tax_schedule(schedule: Sequence[Any]) -> list[dict[str, Any]]:
    return [{"threshold": encode_uint(bracket.threshold), "rate_bps": int(bracket.rate_bps)} for bracket in schedule]


def decode_tax_schedule(spec: ModuleType, data: Sequence[dict[str, Any]]) -> list[Any]:
    return [
        spec.TaxBracket(threshold=spec.Wei(decode_uint(item["threshold"])), rate_bps=spec.BasisPoints(item["rate_bps"]))
        for item in data
    ]
