"""The JSON encoding, decoding and schema of a spec value, derived from its type, as the consensus specs derive
encodings from their SSZ types.

The type is the spec's own annotation (``typing.get_type_hints`` of a rendered container):

- an integer type is a decimal string, except the bounded codes that are JSON numbers (``uint8`` and its subtypes,
  ``BasisPoints``, ``Action``: see ``JSON_NUMBER_TYPES``); ``bool`` is a JSON boolean; ``str`` a JSON string;
- a bytes type (``Address``, ``Hash32``, ``bytes``) is 0x-prefixed lowercase hex;
- ``Tuple[X, ...]`` is an array; ``Optional[X]`` is ``null`` or X;
- a container is an object of its fields in declaration order, except where ``FIELD_CODECS`` (a field) or
  ``TYPE_CODECS`` (a type, such as ``BatchChain``, a bare array of its headers) say otherwise.

A runner's handler decodes its inputs and encodes its answer with these functions, so a new container costs
nothing here, and a new field is encoded, decoded and described the moment the spec declares it.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import inspect
import types
import typing
from functools import cache
from types import ModuleType
from typing import Any, Callable, NamedTuple

from ..runtime import uint64
from .codec import decode_bytes, decode_genesis_alloc, decode_uint, encode_bytes, encode_genesis_alloc, encode_uint

# Integer types (by name, anywhere in the type's MRO) that are JSON numbers: their values are small codes and
# ratios, far below the 2^53 a JSON number holds exactly in every language.
JSON_NUMBER_TYPES = frozenset({"uint8", "BasisPoints", "Action"})

# The shared encodings of common.json, by the integer or bytes type they encode.
COMMON = "common.json#/$defs/"


class Codec(NamedTuple):
    """How one value that is not encoded by the plain rules is encoded, decoded and described."""

    encode: Callable[[Any], Any]
    decode: Callable[[ModuleType, Any], Any]
    schema: Callable[[], dict[str, Any]]


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": COMMON + name}


def _encode_batch_chain(chain: Any) -> Any:
    return [encode_value(header) for header in chain.headers]


def _decode_batch_chain(spec: ModuleType, data: Any) -> Any:
    return spec.BatchChain(headers=tuple(decode_value(spec, spec.ChainBatchHeader, header) for header in _list(data)))


def _encode_supplies(supplies: Any) -> Any:
    return [{"chain_id": encode_uint(chain_id), "supply": encode_uint(supply)} for chain_id, supply in supplies]


def _decode_supplies(spec: ModuleType, data: Any) -> Any:
    return tuple((spec.ChainId(decode_uint(item["chain_id"])), spec.Wei(decode_uint(item["supply"]))) for item in _list(data))


def _supplies_schema() -> dict[str, Any]:
    pair = {"chain_id": _ref("uint64"), "supply": _ref("uint256")}
    return {"type": "array", "items": _object_schema(pair)}


# A type encoded otherwise than as its fields, by its name.
TYPE_CODECS: dict[str, Codec] = {
    "BatchChain": Codec(
        _encode_batch_chain, _decode_batch_chain, lambda: {"type": "array", "items": {"$ref": COMMON + "batch_header"}}
    ),
}
# A field encoded otherwise than by its annotation, by (container name, field name).
FIELD_CODECS: dict[tuple[str, str], Codec] = {
    ("DacGenesis", "alloc"): Codec(
        encode_genesis_alloc, lambda spec, data: tuple(decode_genesis_alloc(spec, data)), lambda: _ref("genesis_alloc")
    ),
    ("SequencingSnapshot", "supplies"): Codec(_encode_supplies, _decode_supplies, _supplies_schema),
}


def is_container(annotation: Any) -> bool:
    return isinstance(annotation, type) and dataclasses.is_dataclass(annotation)


@cache
def field_types(container: type) -> tuple[tuple[str, Any], ...]:
    """(name, annotation) of every field of a spec container, in declaration order."""
    hints = typing.get_type_hints(container)
    return tuple((item.name, hints[item.name]) for item in dataclasses.fields(container))


def is_json_number(annotation: type) -> bool:
    return any(base.__name__ in JSON_NUMBER_TYPES for base in annotation.__mro__)


def _optional_of(annotation: Any) -> Any:
    """X for ``Optional[X]`` (``X | None``), else None."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        others = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(others) == 1 and len(typing.get_args(annotation)) == 2:
            return others[0]
    return None


def _item_of(annotation: Any) -> Any:
    """X for ``Tuple[X, ...]`` (or a parameter's ``Sequence[X]``), else None."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is tuple and len(args) == 2 and args[1] is Ellipsis:
        return args[0]
    if typing.get_origin(annotation) is collections.abc.Sequence and len(args) == 1:
        return args[0]
    return None


def _list(data: Any) -> list[Any]:
    if not isinstance(data, list):
        raise TypeError(f"expected a JSON array, got {data!r}")
    return data


def _object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise TypeError(f"expected a JSON object, got {data!r}")
    return data


def encode_value(value: Any, annotation: Any = None) -> Any:
    """The JSON value of ``value``, a value of the spec type ``annotation`` (by default its own type)."""
    annotation = type(value) if annotation is None else annotation
    if (inner := _optional_of(annotation)) is not None:
        return None if value is None else encode_value(value, inner)
    if (item := _item_of(annotation)) is not None:
        return [encode_value(element, item) for element in value]
    if isinstance(annotation, type) and annotation.__name__ in TYPE_CODECS:
        return TYPE_CODECS[annotation.__name__].encode(value)
    if is_container(annotation):
        encoded = {}
        for name, field_type in field_types(annotation):
            codec = FIELD_CODECS.get((annotation.__name__, name))
            field = getattr(value, name)
            encoded[name] = codec.encode(field) if codec else encode_value(field, field_type)
        return encoded
    if annotation is bool:
        return bool(value)
    if annotation is str:
        return str(value)
    if issubclass(annotation, bytes):
        return encode_bytes(value)
    if issubclass(annotation, int):
        return int(value) if is_json_number(annotation) else encode_uint(value)
    raise TypeError(f"no JSON encoding for values of type {annotation!r}")


def decode_value(spec: ModuleType, annotation: Any, data: Any) -> Any:
    """The spec value of type ``annotation`` (a type of the rendered module ``spec``) that ``data`` encodes.

    Input a schema would reject raises ``TypeError`` or ``ValueError``, which the reference client reports as a
    protocol error; rules of the spec (a rate above the maximum, say) are the spec's to check, not the decoder's.
    """
    if (inner := _optional_of(annotation)) is not None:
        return None if data is None else decode_value(spec, inner, data)
    if (item := _item_of(annotation)) is not None:
        return tuple(decode_value(spec, item, element) for element in _list(data))
    if isinstance(annotation, type) and annotation.__name__ in TYPE_CODECS:
        return TYPE_CODECS[annotation.__name__].decode(spec, data)
    if is_container(annotation):
        given = _object(data)
        arguments = {}
        for name, field_type in field_types(annotation):
            codec = FIELD_CODECS.get((annotation.__name__, name))
            arguments[name] = codec.decode(spec, given[name]) if codec else decode_value(spec, field_type, given[name])
        return annotation(**arguments)
    if annotation is bool or annotation is str:
        if not isinstance(data, annotation):
            raise TypeError(f"expected a JSON {'boolean' if annotation is bool else 'string'}, got {data!r}")
        return data
    if issubclass(annotation, bytes):
        return annotation(decode_bytes(data))
    if issubclass(annotation, int):
        if not is_json_number(annotation):
            return annotation(decode_uint(data))
        if not isinstance(data, int) or isinstance(data, bool):
            raise TypeError(f"expected a JSON integer, got {data!r}")
        return annotation(data)
    raise TypeError(f"no JSON decoding for values of type {annotation!r}")


def decode_container(spec: ModuleType, name: str, data: Any) -> Any:
    """The container ``spec.<name>`` that ``data`` encodes."""
    return decode_value(spec, getattr(spec, name), data)


def _object_schema(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": list(properties), "additionalProperties": False, "properties": properties}


def schema_of(annotation: Any) -> dict[str, Any]:
    """The JSON Schema of the values of ``annotation``, with common.json's encodings as references; a container
    is described in full (its own definition), the containers inside it by their fields as well."""
    if (inner := _optional_of(annotation)) is not None:
        return {"oneOf": [schema_of(inner), {"type": "null"}]}
    if (item := _item_of(annotation)) is not None:
        return {"type": "array", "items": schema_of(item)}
    if isinstance(annotation, type) and annotation.__name__ in TYPE_CODECS:
        return TYPE_CODECS[annotation.__name__].schema()
    if is_container(annotation):
        properties = {}
        for name, field_type in field_types(annotation):
            codec = FIELD_CODECS.get((annotation.__name__, name))
            properties[name] = codec.schema() if codec else schema_of(field_type)
        return _object_schema(properties)
    if annotation is bool:
        return {"type": "boolean"}
    if annotation is str:
        return {"type": "string"}
    if issubclass(annotation, bytes):
        length = getattr(annotation, "LENGTH", None)
        return _ref(f"bytes{length}" if length else "bytes")
    if issubclass(annotation, int):
        if is_json_number(annotation):
            return {"type": "integer", "minimum": 0, "maximum": min(2**53 - 1, 2 ** getattr(annotation, "BITS", 53) - 1)}
        return _ref("uint64" if issubclass(annotation, uint64) else "uint256")  # a plain int is unbounded: uint256
    raise TypeError(f"no JSON Schema for values of type {annotation!r}")


def call_spec_function(function_name: str, answer_key: str) -> Callable[[ModuleType, dict[str, Any]], dict[str, Any]]:
    """A handler for a pure spec function: each input key is the parameter of that name, decoded by its
    annotation; the answer is ``{"output": {answer_key: <the result, encoded by the return annotation>}}``. A
    runner of such functions costs one line in the handler table."""

    def handle(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
        function = getattr(spec, function_name)
        hints = typing.get_type_hints(function)
        given = _object(request["input"])
        arguments = {name: decode_value(spec, hints[name], given[name]) for name in inspect.signature(function).parameters}
        return {"output": {answer_key: encode_value(function(**arguments), hints["return"])}}

    handle.__name__ = function_name
    return handle
