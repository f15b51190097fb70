"""The JSON encoding, decoding and schema of a spec value, derived from its type, as the consensus specs derive
encodings from their SSZ types.

The type is the spec's own annotation (``typing.get_type_hints`` of a rendered container):

- an integer type is a decimal string, except the bounded codes that are JSON numbers (``uint8`` and its subtypes,
  ``BasisPoints``, ``Action``: see ``JSON_NUMBER_TYPES``); ``bool`` is a JSON boolean; ``str`` a JSON string;
- a bytes type (``Address``, ``Hash32``, ``bytes``) is 0x-prefixed lowercase hex;
- ``Tuple[X, ...]`` (and a parameter's ``Sequence[X]``) is an array; a fixed ``Tuple[X, Y]`` an array of its
  items; ``Optional[X]`` is ``null`` or X;
- a container is an object of its fields in declaration order, except where ``FIELD_CODECS`` (a field) or
  ``TYPE_CODECS`` (a type, such as ``BatchChain``, a bare array of its headers) say otherwise; a spec function's
  parameter or result where ``PARAMETER_CODECS`` does (the Merkle indices, JSON numbers though typed ``int``).

``schema_of`` gives the JSON Schema of the same values; with ``refs`` (a type's name -> the ``$ref`` of its shared
definition) and ``refinements`` it is how ``schemas.py`` writes the published schemas, so a container's field list
is written in the spec and nowhere else.

A runner's handler decodes its inputs and encodes its answer with these functions, so a new container costs
nothing here, and a new field is encoded, decoded and described the moment the spec declares it.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import inspect
import sys
import types
import typing
from functools import cache
from types import ModuleType
from typing import Any, Callable, Mapping, NamedTuple

from ..runtime import uint64
from .codec import decode_bytes, decode_uint, encode_bytes, encode_uint

# Integer types (by name, anywhere in the type's MRO) that are JSON numbers: their values are small codes and
# ratios, far below the 2^53 a JSON number holds exactly in every language.
JSON_NUMBER_TYPES = frozenset({"uint8", "BasisPoints", "Action"})

# The shared encodings of common.json, by the integer or bytes type they encode.
COMMON = "common.json#/$defs/"
SMALL_UINT = {"$ref": COMMON + "small_uint"}
Refs = Mapping[str, str]  # a type_key -> the $ref of its shared definition
Refinements = Mapping[str, dict[str, Any]]  # what a type cannot say, by type_key or "Container.field"


class Codec(NamedTuple):
    """How one value that is not encoded by the plain rules is encoded, decoded and described. ``schema`` is given
    the value's annotation, and the ``$ref`` table and refinements ``schema_of`` was called with, to describe the
    spec values it holds alike."""

    encode: Callable[[Any], Any]
    decode: Callable[[ModuleType, Any], Any]
    schema: Callable[[Any, Refs, Refinements], dict[str, Any]]
    # (the spec value, its JSON) for the formats page's list of encoding exceptions; None for a codec that only
    # writes a JSON number (the page finds those in the schemas)
    note: tuple[str, str] | None = None
    # the spec functions decoding and encoding call (a CID's text is read by ``parse_cid``, written by
    # ``format_cid``): their errors are those of a handler whose input or answer it reads or writes (``errors.py``)
    decode_calls: tuple[str, ...] = ()
    encode_calls: tuple[str, ...] = ()


def decimal_pattern(bound: int) -> str:
    """A regular expression for the decimal strings without leading zeros of 0 to ``bound``: a JSON Schema bounds a
    number written as a string only by its pattern. Numbers shorter than ``bound``, then those of its length that
    share its first digits and have a smaller next one, then ``bound`` itself."""
    digits = str(bound)

    def between(low: int, high: int) -> str:
        return str(low) if low == high else f"[{low}-{high}]"

    choices = ["0"] + ([f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else [])
    for position, digit in enumerate(map(int, digits)):
        low = 1 if position == 0 else 0
        if digit > low:
            rest = len(digits) - position - 1
            choices.append(digits[:position] + between(low, digit - 1) + (f"[0-9]{{{rest}}}" if rest else ""))
    if bound > 0:
        choices.append(digits)
    return "^(" + "|".join(choices) + ")$"


def decimal_schema(bound: int) -> dict[str, Any]:
    """The schema of a decimal string from 0 to ``bound`` (its description is how the formats page names it)."""
    return {"description": f"decimal string, 0 to {bound:,}", "type": "string", "pattern": decimal_pattern(bound)}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": COMMON + name}


def _spec_of(value: Any) -> ModuleType:
    """The rendered spec module a spec value's type belongs to (for encodings that need one of its functions)."""
    return sys.modules[type(value).__module__]


def _bare_array(container: str, field: str, item: str, note: tuple[str, str]) -> Codec:
    """A container of one sequence, encoded as the bare array of it (``BatchChain``, ``ContentStore``)."""

    def decode(spec: ModuleType, data: Any) -> Any:
        elements = tuple(decode_value(spec, getattr(spec, item), element) for element in _list(data))
        return getattr(spec, container)(**{field: elements})

    def schema(annotation: Any, refs: Refs, refinements: Refinements) -> dict[str, Any]:
        return schema_of(dict(field_types(annotation))[field], refs=refs, refinements=refinements)

    return Codec(lambda value: [encode_value(element) for element in getattr(value, field)], decode, schema, note)


def _encode_keyed_account(pair: Any) -> Any:
    address, account = pair
    return {"address": encode_bytes(address), **encode_value(account)}


def _decode_keyed_account(spec: ModuleType, data: Any) -> Any:
    from ..evm import GenesisAccount

    given = dict(_object(data))
    address = spec.Address(decode_bytes(given.pop("address")))
    return (address, decode_value(spec, GenesisAccount, given))


def _keyed_account_schema(annotation: Any, refs: Refs, refinements: Refinements) -> dict[str, Any]:
    account = schema_of(typing.get_args(annotation)[1], refs=refs, refinements=refinements)
    properties = {"address": _ref("bytes20"), **account["properties"]}
    return {**account, "required": list(properties), "properties": properties}


def _encode_supplies(supplies: Any) -> Any:
    return [{"chain_id": encode_uint(chain_id), "supply": encode_uint(supply)} for chain_id, supply in supplies]


def _decode_supplies(spec: ModuleType, data: Any) -> Any:
    return tuple(
        (spec.ChainId(decode_uint(item["chain_id"])), spec.Wei(decode_uint(item["supply"]))) for item in _list(data)
    )


def _supplies_schema(annotation: Any, refs: Refs, refinements: Refinements) -> dict[str, Any]:
    pair = {"chain_id": _ref("uint64"), "supply": _ref("uint256")}
    return {"type": "array", "items": _object_schema(pair)}


def _encode_world(world: Any) -> Any:
    from ..evm import export_world

    preimages = [encode_bytes(item) for item in export_world(world)]
    return {"state_root": encode_bytes(world.state_root), "preimages": preimages}


def _decode_world(spec: ModuleType, data: Any) -> Any:
    from ..evm import import_world

    given = _object(data)
    preimages = [decode_bytes(item) for item in _list(given["preimages"])]
    return import_world(decode_bytes(given["state_root"]), preimages)


def _world_schema(annotation: Any, refs: Refs, refinements: Refinements) -> dict[str, Any]:
    return _object_schema({"state_root": _ref("bytes32"), "preimages": {"type": "array", "items": _ref("bytes")}})


def _encode_cid_text(cid: Any) -> Any:
    return _spec_of(cid).format_cid(cid)


def _decode_cid_text(spec: ModuleType, data: Any) -> Any:
    if not isinstance(data, str):
        raise TypeError(f"expected a CID's text, got {data!r}")
    return spec.parse_cid(data)


def _cid_text_schema(annotation: Any, refs: Refs, refinements: Refinements) -> dict[str, Any]:
    return {"type": "string"}


def _json_number(convert: Callable[[int], Any] = int) -> Codec:
    """An integer typed wider than a code but bounded by its use (an index, a count), as a JSON number."""

    def decode(spec: ModuleType, data: Any) -> Any:
        if not isinstance(data, int) or isinstance(data, bool):
            raise TypeError(f"expected a JSON integer, got {data!r}")
        return convert(data)

    return Codec(int, decode, lambda annotation, refs, refinements: dict(SMALL_UINT))


def _leading(container: str, first: tuple[str, ...], note: tuple[str, str]) -> Codec:
    """A container whose object names the fields ``first`` before the others (the order its runner reports)."""

    def reorder(encoded: dict[str, Any]) -> dict[str, Any]:
        return {**{name: encoded[name] for name in first}, **encoded}

    def schema(annotation: Any, refs: Refs, refinements: Refinements) -> dict[str, Any]:
        derived = _derived_container_schema(annotation, refs, refinements)
        properties = reorder(derived["properties"])
        return {**derived, "required": list(properties), "properties": properties}

    def decode(spec: ModuleType, data: Any) -> Any:
        return _decode_container(spec, getattr(spec, container), data)

    return Codec(lambda value: reorder(_encode_container(value, type(value))), decode, schema, note)


MAX_REPEATED_ITEMS = 2**20  # a repeated array longer than this is refused (the largest Merkle tree has 2^17 leaves)


def _repeatable_array(item: str, note: tuple[str, str]) -> Codec:
    """An array of ``item`` values that a vector too long to write out gives as ``{"repeat": [...], "length": n}``:
    the array ``repeat`` repeated and cut to ``n`` items (as storage's long content is given). The spec's own
    encoding is always the plain array."""

    def decode(spec: ModuleType, data: Any) -> Any:
        if isinstance(data, list):
            return tuple(decode_value(spec, getattr(spec, item), element) for element in data)
        given = _object(data)
        if set(given) != {"repeat", "length"}:
            raise ValueError(f"a repeated array is {{repeat, length}}, got the keys {sorted(given)}")
        pattern = tuple(decode_value(spec, getattr(spec, item), element) for element in _list(given["repeat"]))
        length = decode_uint(given["length"])
        if not pattern:
            raise ValueError("a repeated array needs at least one item to repeat")
        if length > MAX_REPEATED_ITEMS:
            raise ValueError(f"{length} repeated items, at most {MAX_REPEATED_ITEMS}")
        return (pattern * (length // len(pattern) + 1))[:length]

    def schema(annotation: Any, refs: Refs, refinements: Refinements) -> dict[str, Any]:
        plain = schema_of(annotation, refs=refs, refinements=refinements)
        repeated = _object_schema({"repeat": {**plain, "minItems": 1}, "length": decimal_schema(MAX_REPEATED_ITEMS)})
        return {
            "oneOf": [plain, repeated],
            "description": f"An array, or {{repeat, length}}: the array `repeat` repeated and cut to `length` items "
            f"(at most {MAX_REPEATED_ITEMS:,})",
        }

    return Codec(lambda values: [encode_value(value) for value in values], decode, schema, note)


_MERKLE_LEAVES = _repeatable_array(
    "Hash32",
    (
        "the `leaves` of `compute_merkle_root` and `compute_merkle_proof`",
        "an array, or, for a tree too large to write out, `{repeat, length}`: the array `repeat` repeated and cut to "
        "`length` leaves",
    ),
)
_CID_TEXT = Codec(
    _encode_cid_text,
    _decode_cid_text,
    _cid_text_schema,
    ("a `Cid` in a stored object, `seal_cid`'s input and `open_handle`'s answer", "its text (`format_cid`)"),
    decode_calls=("parse_cid",),
    encode_calls=("format_cid",),
)
_SORTED_NUMBERS = Codec(
    lambda values: sorted(int(value) for value in values),
    lambda spec, data: frozenset(_json_number().decode(spec, value) for value in _list(data)),
    lambda annotation, refs, refinements: {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 255}},
    ("`get_forbidden_opcodes` (a set)", "an array of JSON numbers, sorted"),
)
# A type encoded otherwise than as its fields, by its name (``type_key``).
TYPE_CODECS: dict[str, Codec] = {
    "BatchChain": _bare_array(
        "BatchChain",
        "headers",
        "ChainBatchHeader",
        ("`BatchChain` (a DAC's `transaction_batches`, `state_batches`)", "a bare array of its `headers`"),
    ),
    "ContentStore": _bare_array(
        "ContentStore", "objects", "StoredObject", ("a `ContentStore`", "a bare array of its objects, `{cid, data}`")
    ),
    # A genesis account with its address: one object, the address first (a genesis allocation is an array of them).
    "Tuple[Address, GenesisAccount]": Codec(
        _encode_keyed_account,
        _decode_keyed_account,
        _keyed_account_schema,
        (
            "`Tuple[Tuple[Address, GenesisAccount], ...]` (a genesis allocation)",
            "an array of objects: `address` then the account's fields; `storage` as `[slot, value]` pairs",
        ),
    ),
    # The derivation runner reports where a block comes from before the block.
    "DerivedBlock": _leading(
        "DerivedBlock",
        ("l1_origin", "is_forced"),
        ("a `DerivedBlock`", "its fields with `l1_origin` and `is_forced` first, then `block` and the others"),
    ),
}
# A field encoded otherwise than by its annotation, by (container name, field name).
FIELD_CODECS: dict[tuple[str, str], Codec] = {
    ("SequencingSnapshot", "supplies"): Codec(
        _encode_supplies,
        _decode_supplies,
        _supplies_schema,
        (
            "`SequencingSnapshot.supplies` (`Tuple[Tuple[ChainId, Wei], ...]`)",
            "an array of `{chain_id, supply}` objects",
        ),
    ),
    # An EVM world is its state root and every trie node and code under it (a client rebuilds it by hash).
    ("L2State", "world"): Codec(
        _encode_world,
        _decode_world,
        _world_schema,
        (
            "an `L2State`'s `world` (in a `BlockProgress` witness)",
            "`{state_root, preimages}`: the root and every trie node and code under it",
        ),
    ),
    ("StoredObject", "cid"): _CID_TEXT,
    ("DroppedTransaction", "index"): _json_number(),
}
# A spec function's parameter (or its result, "return") encoded otherwise than by its annotation: the Merkle and
# shuffle indices and counts, typed ``int`` but JSON numbers (the schemas bound them to 2^53 - 1); a CID given or
# returned as its text; a set of opcodes as a sorted array.
PARAMETER_CODECS: dict[tuple[str, str], Codec] = {
    ("seal_cid", "cid"): _CID_TEXT,
    ("open_handle", "return"): _CID_TEXT,
    ("get_forbidden_opcodes", "return"): _SORTED_NUMBERS,
    ("compute_merkle_root", "leaves"): _MERKLE_LEAVES,
    ("compute_merkle_proof", "leaves"): _MERKLE_LEAVES,
    ("compute_merkle_proof", "index"): _json_number(),
    ("verify_merkle_proof", "index"): _json_number(),
    ("verify_merkle_proof", "total_leaves"): _json_number(),
    ("verify_committed_output_root", "index"): _json_number(),
    ("compute_shuffled_index", "index"): _json_number(),
    ("compute_shuffled_index", "count"): _json_number(),
    ("compute_shuffled_index", "return"): _json_number(),
}


def encoding_exceptions() -> tuple[tuple[str, str], ...]:
    """(the spec value, its JSON) of every codec above that changes a value's shape, in the tables' order."""
    codecs = [*TYPE_CODECS.values(), *FIELD_CODECS.values(), *PARAMETER_CODECS.values()]
    notes = [codec.note for codec in codecs if codec.note is not None]
    return tuple(dict.fromkeys(notes))


def codec_calls(spec: ModuleType, function_name: str) -> tuple[str, ...]:
    """The spec functions the encodings of ``spec.<function_name>``'s parameters (decoded) and result (encoded)
    call (``Codec.decode_calls``, ``encode_calls``), by every codec of the tables above their types reach: what a
    handler reading its arguments with ``decode_arguments`` and writing its answer with ``encode_result`` calls
    beside the function."""
    calls: list[str] = []

    def reach(annotation: Any, side: str, seen: set[str]) -> None:
        key = type_key(annotation)
        if key in seen:
            return
        seen.add(key)
        found = [TYPE_CODECS.get(key)]
        for argument in typing.get_args(annotation):
            if argument is not Ellipsis:
                reach(argument, side, seen)
        if is_container(annotation):
            for field, field_type in field_types(annotation):
                found.append(FIELD_CODECS.get((annotation.__name__, field)))
                reach(field_type, side, seen)
        calls.extend(call for codec in found if codec is not None for call in getattr(codec, side))

    for name, annotation in typing.get_type_hints(getattr(spec, function_name)).items():
        side = "encode_calls" if name == "return" else "decode_calls"
        codec = PARAMETER_CODECS.get((function_name, name))
        if codec is not None:
            calls.extend(getattr(codec, side))
        else:
            reach(annotation, side, set())
    return tuple(dict.fromkeys(calls))


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


def _items_of(annotation: Any) -> tuple[Any, ...] | None:
    """(X, Y, ...) for a fixed ``Tuple[X, Y, ...]``, else None."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is tuple and args and Ellipsis not in args:
        return args
    return None


def type_key(annotation: Any) -> str:
    """A type's name as the codec tables and the schemas' definitions know it, the same in every fork and preset:
    ``Hub``, ``Tuple[Receipt, ...]`` (also for a parameter's ``Sequence[Receipt]``), ``Optional[Hash32]``."""
    if (inner := _optional_of(annotation)) is not None:
        return f"Optional[{type_key(inner)}]"
    if (item := _item_of(annotation)) is not None:
        return f"Tuple[{type_key(item)}, ...]"
    if (items := _items_of(annotation)) is not None:
        return f"Tuple[{', '.join(type_key(element) for element in items)}]"
    return getattr(annotation, "__name__", repr(annotation))


def _type_codec(annotation: Any) -> Codec | None:
    if isinstance(annotation, type) or _items_of(annotation) is not None:
        return TYPE_CODECS.get(type_key(annotation))
    return None


def _list(data: Any) -> list[Any]:
    if not isinstance(data, list):
        raise TypeError(f"expected a JSON array, got {data!r}")
    return data


def _object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise TypeError(f"expected a JSON object, got {data!r}")
    return data


def _encode_container(value: Any, annotation: type) -> dict[str, Any]:
    encoded = {}
    for name, field_type in field_types(annotation):
        codec = FIELD_CODECS.get((annotation.__name__, name))
        field = getattr(value, name)
        encoded[name] = codec.encode(field) if codec else encode_value(field, field_type)
    return encoded


def encode_value(value: Any, annotation: Any = None) -> Any:
    """The JSON value of ``value``, a value of the spec type ``annotation`` (by default its own type)."""
    annotation = type(value) if annotation is None else annotation
    if (inner := _optional_of(annotation)) is not None:
        return None if value is None else encode_value(value, inner)
    if (item := _item_of(annotation)) is not None:
        return [encode_value(element, item) for element in value]
    if (codec := _type_codec(annotation)) is not None:
        return codec.encode(value)
    if (items := _items_of(annotation)) is not None:
        return [encode_value(element, element_type) for element, element_type in zip(value, items, strict=True)]
    if is_container(annotation):
        return _encode_container(value, annotation)
    if annotation is bool:
        return bool(value)
    if annotation is str:
        return str(value)
    if issubclass(annotation, bytes):
        return encode_bytes(value)
    if issubclass(annotation, int):
        return int(value) if is_json_number(annotation) else encode_uint(value)
    raise TypeError(f"no JSON encoding for values of type {annotation!r}")


def _decode_container(spec: ModuleType, annotation: type, data: Any) -> Any:
    given = _object(data)
    arguments = {}
    for name, field_type in field_types(annotation):
        codec = FIELD_CODECS.get((annotation.__name__, name))
        arguments[name] = codec.decode(spec, given[name]) if codec else decode_value(spec, field_type, given[name])
    return annotation(**arguments)


def decode_value(spec: ModuleType, annotation: Any, data: Any) -> Any:
    """The spec value of type ``annotation`` (a type of the rendered module ``spec``) that ``data`` encodes.

    Input a schema would reject raises ``TypeError`` or ``ValueError``, which the reference client reports as a
    protocol error; rules of the spec (a rate above the maximum, say) are the spec's to check, not the decoder's.
    """
    if (inner := _optional_of(annotation)) is not None:
        return None if data is None else decode_value(spec, inner, data)
    if (item := _item_of(annotation)) is not None:
        return tuple(decode_value(spec, item, element) for element in _list(data))
    if (codec := _type_codec(annotation)) is not None:
        return codec.decode(spec, data)
    if (items := _items_of(annotation)) is not None:
        elements = _list(data)
        if len(elements) != len(items):
            raise ValueError(f"expected an array of {len(items)} items, got {data!r}")
        return tuple(decode_value(spec, element_type, element) for element_type, element in zip(items, elements))
    if is_container(annotation):
        return _decode_container(spec, annotation, data)
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


def refined(schema: dict[str, Any], refinement: Mapping[str, Any] | None) -> dict[str, Any]:
    """``schema`` with a refinement's keys: a description first, the others (bounds, enums, a narrower encoding)
    replacing the derived ones."""
    if not refinement:
        return schema
    description = {"description": refinement["description"]} if "description" in refinement else {}
    base = {} if "$ref" in refinement or "enum" in refinement else schema  # a narrower encoding replaces the derived
    return {**description, **base, **{key: value for key, value in refinement.items() if key != "description"}}


def _derived_container_schema(
    annotation: type, refs: Refs, refinements: Refinements
) -> dict[str, Any]:
    properties = {}
    for name, field_type in field_types(annotation):
        codec = FIELD_CODECS.get((annotation.__name__, name))
        if codec is not None:
            derived = codec.schema(field_type, refs, refinements)
        else:
            derived = schema_of(field_type, refs=refs, refinements=refinements)
        properties[name] = refined(derived, refinements.get(f"{annotation.__name__}.{name}"))
    return _object_schema(properties)


def schema_of(
    annotation: Any,
    *,
    refs: Mapping[str, str] | None = None,
    refinements: Mapping[str, dict[str, Any]] | None = None,
    named: bool = True,
) -> dict[str, Any]:
    """The JSON Schema of the values of ``annotation``, with common.json's encodings as references.

    A type whose ``type_key`` is in ``refs`` is described by a reference to its shared definition (except
    ``annotation`` itself when ``named`` is false: that is how the definition is written); others in full, the
    containers inside them as well. ``refinements`` add what a type cannot say (a description, a bound, an enum of
    codes), by ``type_key`` or by ``"Container.field"``.
    """
    refs = refs or {}
    refinements = refinements or {}
    key = type_key(annotation)
    if named and key in refs:
        return {"$ref": refs[key]}
    return refined(_unrefined_schema(annotation, refs, refinements), refinements.get(key))


def _unrefined_schema(annotation: Any, refs: Refs, refinements: Refinements) -> dict[str, Any]:
    if (inner := _optional_of(annotation)) is not None:
        return {"oneOf": [schema_of(inner, refs=refs, refinements=refinements), {"type": "null"}]}
    if (item := _item_of(annotation)) is not None:
        return {"type": "array", "items": schema_of(item, refs=refs, refinements=refinements)}
    if (codec := _type_codec(annotation)) is not None:
        return codec.schema(annotation, refs, refinements)
    if (items := _items_of(annotation)) is not None:
        prefix = [schema_of(item, refs=refs, refinements=refinements) for item in items]
        size = len(prefix)
        return {"type": "array", "prefixItems": prefix, "minItems": size, "maxItems": size, "items": False}
    if is_container(annotation):
        return _derived_container_schema(annotation, refs, refinements)
    if annotation is bool:
        return {"type": "boolean"}
    if annotation is str:
        return {"type": "string"}
    if issubclass(annotation, bytes):
        length = getattr(annotation, "LENGTH", None)
        return _ref(f"bytes{length}" if length else "bytes")
    if issubclass(annotation, int):
        if is_json_number(annotation):
            if any(base.__name__ == "BasisPoints" for base in annotation.__mro__):
                return _ref("basis_points")
            if getattr(annotation, "BITS", 64) >= 53:
                return _ref("small_uint")
            return {"type": "integer", "minimum": 0, "maximum": 2**annotation.BITS - 1}
        if annotation is int:  # unbounded: the spec itself rejects a value too large (a genesis balance of 2^256)
            return _ref("decimal")
        return _ref("uint64" if issubclass(annotation, uint64) else "uint256")
    raise TypeError(f"no JSON Schema for values of type {annotation!r}")


def parameters_of(function: Callable[..., Any], skip: tuple[str, ...] = ()) -> tuple[tuple[str, Any], ...]:
    """(name, annotation) of a spec function's parameters, in order, without those named in ``skip``."""
    hints = typing.get_type_hints(function)
    return tuple((name, hints[name]) for name in inspect.signature(function).parameters if name not in skip)


def decode_arguments(spec: ModuleType, function_name: str, given: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The keyword arguments of ``spec.<function_name>`` that the JSON object ``given`` encodes, each key the
    parameter of that name decoded by its annotation (or ``PARAMETER_CODECS``); ``skip`` names the parameters the
    caller supplies (a runner's state)."""
    given = _object(given)
    arguments = {}
    for name, annotation in parameters_of(getattr(spec, function_name), skip):
        codec = PARAMETER_CODECS.get((function_name, name))
        arguments[name] = codec.decode(spec, given[name]) if codec else decode_value(spec, annotation, given[name])
    return arguments


def encode_result(spec: ModuleType, function_name: str, value: Any) -> Any:
    """The JSON of what ``spec.<function_name>`` returned, by its return annotation (or ``PARAMETER_CODECS``)."""
    codec = PARAMETER_CODECS.get((function_name, "return"))
    if codec is not None:
        return codec.encode(value)
    return encode_value(value, typing.get_type_hints(getattr(spec, function_name))["return"])


def arguments_schema(
    function: Callable[..., Any],
    skip: tuple[str, ...] = (),
    *,
    refs: Mapping[str, str] | None = None,
    refinements: Mapping[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The JSON Schema of the object ``decode_arguments`` reads: the function's parameters but ``skip``."""
    properties = {}
    for name, annotation in parameters_of(function, skip):
        codec = PARAMETER_CODECS.get((function.__name__, name))
        if codec is not None:
            derived = codec.schema(annotation, refs or {}, refinements or {})
        else:
            derived = schema_of(annotation, refs=refs, refinements=refinements)
        properties[name] = refined(derived, (refinements or {}).get(f"{function.__name__}.{name}"))
    return _object_schema(properties)


def call_spec_function(
    function_name: str,
    answer_key: str,
    state: Callable[[ModuleType, dict[str, Any]], dict[str, Any]] | None = None,
    part: str = "output",
) -> Callable[[ModuleType, dict[str, Any]], dict[str, Any]]:
    """A handler for a spec function that answers without changing a state: each input key is the parameter of
    that name, decoded by its annotation; the answer is ``{"output": {answer_key: <the result, encoded by the
    return annotation>}}``. ``state``, when given, supplies the parameters that are the runner's state (``hub``,
    decoded from the request's ``pre``); ``part`` is ``"post"`` for a function that builds a state (a genesis). A
    runner of such functions costs one line in the handler table."""

    def handle(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
        given = state(spec, request) if state else {}
        arguments = given | decode_arguments(spec, function_name, request["input"], skip=tuple(given))
        function = getattr(spec, function_name)
        result = function(*(arguments[name] for name, _ in parameters_of(function)))  # in order: a stand-in may rename
        return {part: {answer_key: encode_result(spec, function_name, result)}}

    handle.__name__ = function_name
    return handle
