"""The page ``docs/formats.md``: every runner's formats and both presets' values, generated so it cannot drift.

The page is rendered from the JSON Schemas (``mvm_spec/vectors/schema/``), the reference client's handler table
and ``presets/*.yaml``: for each handler, the parts it takes and gives and the keys of each with their encoding;
the definitions the schemas share; every place the encoding is not the plain rule (numbers, nulls, pairs, the
structural exceptions of ``codec.ENCODING_EXCEPTIONS``); and a table of the preset values. ``mvm-spec vectors``
writes it and ``--check`` compares it, as it does the vectors.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import yaml

from ..conformance.handlers import HANDLERS
from .codec import ENCODING_EXCEPTIONS
from .validation import schema_texts

PART_ORDER = ("pre", "input", "output", "post", "error")

# The encodings common.json defines once, as the page names them: (short name, what the JSON value is).
ENCODINGS: dict[str, tuple[str, str]] = {
    "uint256": ("uint256", "decimal string, 0 to 2^256 - 1"),
    "uint64": ("uint64", "decimal string, 0 to 2^64 - 1"),
    "small_uint": ("small uint", "JSON number, 0 to 2^53 - 1"),
    "basis_points": ("basis points", "JSON number, 0 to 2^53 - 1 (at most 10,000 is the spec's rule)"),
    "bytes": ("bytes", "0x-prefixed lowercase hex, any length"),
    "bytes20": ("bytes20", "0x-prefixed lowercase hex, 20 bytes (an address)"),
    "bytes32": ("bytes32", "0x-prefixed lowercase hex, 32 bytes (a hash)"),
    "error_name": ("error name", "string, the class name of a spec error"),
}
NUMBER_ENCODINGS = ("small_uint", "basis_points")


def anchor(home: str, name: str) -> str:
    """The page's target for a shared definition: ``formats-common-hub``, ``formats-services-marketplace``."""
    return f"formats-{home.removesuffix('.json')}-{name}".replace("_", "-")


class SchemaSet:
    """The schemas by file name, with ``$ref`` resolution relative to the file a schema sits in."""

    def __init__(self, texts: dict[str, str]) -> None:
        self.schemas: dict[str, dict[str, Any]] = {name: json.loads(text) for name, text in sorted(texts.items())}

    def target(self, home: str, ref: str) -> tuple[str, str]:
        """(file, definition name) that ``ref``, written in ``home``, points at."""
        file, _, pointer = ref.partition("#")
        return (file or home), pointer.removeprefix("/$defs/")

    def definition(self, home: str, ref: str) -> tuple[str, dict[str, Any]]:
        file, name = self.target(home, ref)
        return file, self.schemas[file]["$defs"][name]


def describe(schemas: SchemaSet, home: str, schema: Any) -> str:
    """One line of Markdown for the JSON value ``schema`` describes; shared definitions are links."""
    if schema is True:
        return "any"
    if "$ref" in schema:
        file, name = schemas.target(home, schema["$ref"])
        if file == "common.json" and name in ENCODINGS:
            return ENCODINGS[name][0]
        return f"[{name}](#{anchor(file, name)})"
    if "allOf" in schema:
        return describe(schemas, home, schema["allOf"][0])
    if "oneOf" in schema:
        return " or ".join(describe(schemas, home, option) for option in schema["oneOf"])
    if "const" in schema:
        return f"`{json.dumps(schema['const'])}`"
    if "enum" in schema:
        return "one of " + ", ".join(f"`{json.dumps(value)}`" for value in schema["enum"])
    kind = schema.get("type")
    if kind == "array":
        if "prefixItems" in schema:
            return "array [" + ", ".join(describe(schemas, home, item) for item in schema["prefixItems"]) + "]"
        bounds = "".join(
            f", {word} {schema[key]} items" for key, word in (("minItems", "at least"), ("maxItems", "at most")) if key in schema
        )
        return f"array of {describe(schemas, home, schema['items'])}{bounds}"
    if kind == "object":
        fields = ", ".join(f"`{key}`: {describe(schemas, home, value)}" for key, value in schema["properties"].items())
        return "object {" + fields + "}"
    if kind == "integer":
        return f"JSON number, {schema.get('minimum', 0)} to {schema['maximum']}"
    if kind in ("string", "boolean", "null"):
        return {"string": "string", "boolean": "`true` or `false`", "null": "`null`"}[kind]
    raise ValueError(f"{home}: no description for schema {schema!r}")


def object_rows(schemas: SchemaSet, home: str, schema: dict[str, Any]) -> list[str]:
    """The table rows (key, encoding) of an object schema, following a top-level ``$ref`` to its object."""
    while "$ref" in schema:
        home, schema = schemas.definition(home, schema["$ref"])
    if schema.get("type") != "object":
        return [f"| (the whole part) | {describe(schemas, home, schema)} |"]
    return [f"| `{key}` | {describe(schemas, home, value)} |" for key, value in schema["properties"].items()]


def handler_branches(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Handler name -> the ``then`` schema of its ``if``/``then`` branch (none for a one-handler runner)."""
    branches = {}
    for rule in schema.get("allOf", []):
        const = rule["if"]["properties"]["_info"]["properties"]["handler"]["const"]
        branches[const] = rule["then"]
    return branches


def runner_section(schemas: SchemaSet, runner: str) -> Iterator[str]:
    home = f"{runner}.json"
    schema = schemas.schemas[home]
    yield f"## Runner `{runner}`"
    yield ""
    yield schema["description"]
    yield ""
    branches = handler_branches(schema)
    for handler in sorted(handler for (name, handler) in HANDLERS if name == runner):
        # A handler's branch is closed (additionalProperties false): its parts are exactly those it lists.
        properties = branches[handler]["properties"] if handler in branches else schema["properties"]
        yield f"### `{runner}` / `{handler}`"
        yield ""
        present = [part for part in PART_ORDER if part in properties and properties[part] is not False]
        yield "Parts: " + ", ".join(f"`{part}`" for part in present) + "."
        yield ""
        for part in present:
            if part == "error":
                yield "`error`: " + describe(schemas, home, properties["error"]) + "."
                yield ""
                continue
            yield f"| `{part}` key | Encoding |"
            yield "| - | - |"
            yield from object_rows(schemas, home, properties[part])
            yield ""


def definitions_section(schemas: SchemaSet) -> Iterator[str]:
    yield "## Shared definitions"
    yield ""
    yield "The containers and lists the runners share, as `common.json` (and a runner's own schema) define them."
    yield ""
    for file, schema in schemas.schemas.items():
        for name, definition in schema.get("$defs", {}).items():
            if file == "common.json" and name in ENCODINGS or name == "info":
                continue
            yield f"({anchor(file, name)})="
            yield f"### `{name}` ({file})"
            yield ""
            if "description" in definition:
                yield definition["description"]
                yield ""
            yield "| Key | Encoding |"
            yield "| - | - |"
            yield from object_rows(schemas, file, definition)
            yield ""


def exception_paths(schemas: SchemaSet) -> dict[str, list[str]]:
    """Where the encoding departs from "integers are decimal strings, one value per key": JSON numbers, ``null``
    and fixed-length arrays, each as ``file: definition-or-part.key``."""
    found: dict[str, list[str]] = {"number": [], "null": [], "pair": []}

    def visit(where: str, schema: Any) -> None:
        if not isinstance(schema, dict):
            return
        ref = schema.get("$ref", "")
        if ref.endswith(tuple(f"/{name}" for name in NUMBER_ENCODINGS)) or schema.get("type") == "integer" or (
            "enum" in schema and all(isinstance(value, int) for value in schema["enum"])
        ):
            found["number"].append(where)
        if any(option.get("type") == "null" for option in schema.get("oneOf", [])):
            found["null"].append(where)
        if "prefixItems" in schema:
            found["pair"].append(where)
        for key, value in schema.get("properties", {}).items():
            if key != "_info":
                visit(f"{where}.{key}", value)
        if isinstance(schema.get("items"), dict):
            visit(f"{where}[]", schema["items"])
        for option in schema.get("oneOf", []) + schema.get("allOf", []):
            visit(where, option)

    for file, schema in schemas.schemas.items():
        for name, definition in schema.get("$defs", {}).items():
            if not (file == "common.json" and name in ENCODINGS):  # the encodings themselves are the rule
                visit(f"{file}: {name}", definition)
        for handler, branch in handler_branches(schema).items():
            for part, value in branch.get("properties", {}).items():
                visit(f"{file}: {handler} {part}", value)
        for part, value in schema.get("properties", {}).items():
            if part != "_info":
                visit(f"{file}: {part}", value)
    return {kind: sorted(set(paths)) for kind, paths in found.items()}


def exceptions_section(schemas: SchemaSet) -> Iterator[str]:
    yield "## Encoding exceptions"
    yield ""
    yield (
        "The plain rule: integers are decimal strings, bytes are 0x-hex, a container is an object with its fields in "
        "the spec's order, a sequence is an array. Where a value is encoded otherwise, it is listed here."
    )
    yield ""
    yield "### Shapes that are not the spec's container"
    yield ""
    yield "| Spec value | JSON |"
    yield "| - | - |"
    for value, encoding in ENCODING_EXCEPTIONS:
        yield f"| {value} | {encoding} |"
    yield ""
    titles = {
        "number": "Integers that are JSON numbers (bounded codes and indices), not decimal strings",
        "null": "Values that may be `null` (an absent optional value)",
        "pair": "Fixed-length arrays (pairs)",
    }
    for kind, paths in exception_paths(schemas).items():
        yield f"### {titles[kind]}"
        yield ""
        yield from (f"- `{path}`" for path in paths)
        yield ""


def presets_section(root: Path) -> Iterator[str]:
    yield "## Preset values"
    yield ""
    yield (
        "Every value of `presets/minimal.yaml` and `presets/mainnet.yaml`, by the fork that introduces or modifies "
        "it. A request's `preset` names the column a client must use."
    )
    yield ""
    presets = {name: yaml.safe_load((root / "presets" / f"{name}.yaml").read_text(encoding="utf-8")) for name in ("minimal", "mainnet")}
    yield "| Fork | Name | `minimal` | `mainnet` |"
    yield "| - | - | - | - |"
    for fork in presets["mainnet"]:
        for name in presets["mainnet"][fork]:
            values = [presets[preset].get(fork, {}).get(name) for preset in ("minimal", "mainnet")]
            yield f"| `{fork}` | `{name}` | " + " | ".join(f"`{value}`" for value in values) + " |"
    yield ""


def render_formats_page(root: Path) -> str:
    """The text of ``docs/formats.md`` for the repository at ``root`` (its presets) and this package's schemas."""
    schemas = SchemaSet(schema_texts())
    runners = sorted(name.removesuffix(".json") for name in schemas.schemas if name != "common.json")
    lines = [
        "<!-- Generated by mvm_spec/vectors/formats_doc.py (mvm-spec vectors); do not edit by hand. -->",
        "",
        "# Vector formats, runner by runner",
        "",
        (
            "Every handler's parts and keys with their encodings, generated from the JSON Schemas "
            "(`mvm_spec/vectors/schema/`) and the reference client's handler table, so it says what the schemas "
            "check. [Conformance vectors](vectors.md) explains the files; [the client protocol](protocol.md) how a "
            "client is asked. An encoding named in a table is one of:"
        ),
        "",
        "| Encoding | JSON value |",
        "| - | - |",
        *(f"| {short} | {meaning} |" for short, meaning in ENCODINGS.values()),
        "",
    ]
    for runner in runners:
        lines += runner_section(schemas, runner)
    lines += definitions_section(schemas)
    lines += exceptions_section(schemas)
    lines += presets_section(root)
    return "\n".join(lines).rstrip("\n") + "\n"


def page_problems(path: Path, text: str) -> list[str]:
    """The drift check of the page: empty when ``path`` holds exactly ``text``."""
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return []
    return [f"differs: {path} (generated from the schemas and presets)"]
