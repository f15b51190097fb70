"""Preset files and the values of constant tables.

``presets/<preset>.yaml`` maps each fork to the preset variables that fork introduces or modifies. The compiler
requires the YAML and the spec to name exactly the same variables, and the mainnet YAML to agree with the
"Mainnet value" column of the Markdown.
"""

from __future__ import annotations

import ast
import operator
from pathlib import Path
from typing import Callable, Collection

import yaml

from .source import Definition, SpecSourceError

PresetValue = int | str
REFERENCE_PRESET = "mainnet"  # the preset whose values the Markdown tables show

_BINARY: dict[type[ast.operator], Callable[[int, int], int]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.FloorDiv: operator.floordiv,
    ast.Pow: operator.pow,
    ast.LShift: operator.lshift,
}


def _evaluate_literal(node: ast.expr, definition: Definition) -> PresetValue:
    """A table value's argument: an int, a string, or integer arithmetic such as ``2**256 - 1``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, str)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _evaluate_literal(node.left, definition), _evaluate_literal(node.right, definition)
        if isinstance(left, int) and isinstance(right, int):
            return _BINARY[type(node.op)](left, right)
    raise SpecSourceError(definition.path, definition.line, f"`{definition.name}`: value must be a literal, got {definition.text!r}")


def split_typed_value(definition: Definition) -> tuple[str, PresetValue]:
    """``uint64(16)`` -> (``"uint64"``, 16): the type a table value is wrapped in and the literal inside."""
    try:
        expression = ast.parse(definition.text, mode="eval").body
    except SyntaxError:
        expression = None
    if not (
        isinstance(expression, ast.Call)
        and isinstance(expression.func, ast.Name)
        and len(expression.args) == 1
        and not expression.keywords
    ):
        raise SpecSourceError(
            definition.path, definition.line, f"`{definition.name}`: value must read Type(value), got {definition.text!r}"
        )
    return expression.func.id, _evaluate_literal(expression.args[0], definition)


def _same_value(left: PresetValue, right: PresetValue) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.lower() == right.lower()
    return left == right


def load_preset(path: Path, shown_as: str, known_forks: Collection[str]) -> dict[str, dict[str, tuple[PresetValue, int]]]:
    """{fork: {variable: (value, line)}} from one preset file; a fork or variable written twice, or a section for a
    fork that forks.yaml does not list, is an error rather than silently ignored."""
    root = yaml.compose(path.read_text(encoding="utf-8"))
    result: dict[str, dict[str, tuple[PresetValue, int]]] = {}
    if root is None:
        return result
    if not isinstance(root, yaml.MappingNode):
        raise SpecSourceError(shown_as, 1, "a preset file maps fork names to {VARIABLE: value}")
    for fork_node, section in root.value:
        variables: dict[str, tuple[PresetValue, int]] = {}
        fork_line = fork_node.start_mark.line + 1
        if not isinstance(section, yaml.MappingNode):
            raise SpecSourceError(shown_as, fork_line, "each fork maps VARIABLE: value")
        if str(fork_node.value) not in known_forks:
            raise SpecSourceError(shown_as, fork_line, f"section for unknown fork {fork_node.value!r} (not in forks.yaml)")
        if str(fork_node.value) in result:
            raise SpecSourceError(shown_as, fork_line, f"fork {fork_node.value!r} has two sections")
        for key_node, value_node in section.value:
            value = yaml.safe_load(yaml.serialize(value_node))
            if not isinstance(value, (int, str)) or isinstance(value, bool):
                raise SpecSourceError(shown_as, key_node.start_mark.line + 1, f"{key_node.value}: value must be int or string")
            if str(key_node.value) in variables:
                raise SpecSourceError(shown_as, key_node.start_mark.line + 1, f"{key_node.value} is given twice")
            variables[str(key_node.value)] = (value, key_node.start_mark.line + 1)
        result[str(fork_node.value)] = variables
    return result


def resolve_preset_values(
    preset: str,
    preset_file: dict[str, dict[str, tuple[PresetValue, int]]],
    shown_as: str,
    own_presets: dict[str, list[Definition]],
) -> dict[str, PresetValue]:
    """The value of every preset variable, checking the file against the spec fork by fork.

    ``own_presets`` maps each fork of the lineage (oldest first) to the preset rows that fork's own chapters write.
    """
    values: dict[str, PresetValue] = {}
    for fork, rows in own_presets.items():
        section = preset_file.get(fork, {})
        declared = {row.name: row for row in rows}
        for name, (_, line) in sorted(section.items()):
            if name not in declared:
                raise SpecSourceError(shown_as, line, f"unknown preset variable `{name}`: no preset table of fork {fork} defines it")
        for row in rows:
            if row.name not in section:
                raise SpecSourceError(row.path, row.line, f"preset variable `{row.name}` has no value in {shown_as} under {fork}")
            value, line = section[row.name]
            if preset == REFERENCE_PRESET:
                _, table_value = split_typed_value(row)
                if not _same_value(table_value, value):
                    raise SpecSourceError(
                        row.path,
                        row.line,
                        f"`{row.name}` is {table_value!r} in the table but {value!r} in {shown_as}:{line}; make them agree",
                    )
            values[row.name] = value
    return values
