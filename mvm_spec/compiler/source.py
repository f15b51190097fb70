"""Reading spec Markdown into definitions.

A chapter contributes four kinds of definition:

- custom types, from a table whose columns are ``Name | Base type | Description``;
- constants, from a table ``Name | Value | Description``;
- preset variables, from a table ``Name | Mainnet value | Description`` (other presets' values live in
  ``presets/<preset>.yaml``);
- code, from each fenced ``python`` block, which must define exactly the one name its nearest heading names
  (``#### `compute_tax` ``). In a fork after the first, that heading also says ``New``, ``Modified`` or
  ``Removed`` (a ``Removed`` heading has no code).

Markdown is parsed with markdown-it-py (CommonMark plus tables), never with regular expressions over the text.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Literal

from markdown_it import MarkdownIt
from markdown_it.token import Token

Kind = Literal["type", "constant", "preset", "code", "removed"]
Change = Literal["", "New", "Modified", "Removed"]

TABLE_KINDS: dict[str, Kind] = {"base type": "type", "value": "constant", "mainnet value": "preset"}
CHANGE_WORDS: tuple[Change, ...] = ("New", "Modified", "Removed")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class SpecSourceError(Exception):
    """A defect in the spec's Markdown or presets, reported with the file and line that hold it."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Definition:
    """One named thing the spec defines, with where it was written."""

    name: str
    kind: Kind
    text: str  # code: the block's source; type: the base type; constant/preset: the value expression
    description: str
    path: str
    line: int  # 1-based line of the definition in `path`
    change: Change = ""

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class _Heading:
    name: str | None  # the backticked name, if the heading has one
    change: Change
    line: int


def _parse_heading(text: str, line: int) -> _Heading:
    words = text.split()
    change: Change = ""
    if words and words[0] in CHANGE_WORDS:
        change = words[0]
    spans = re.findall(r"`([^`]+)`", text)
    name = spans[0] if len(spans) == 1 and _IDENTIFIER.fullmatch(spans[0]) else None
    return _Heading(name, change, line)


def _cell_text(inline: Token) -> str:
    return inline.content.strip().strip("`").strip()


def _read_table(tokens: list[Token], start: int, path: str) -> tuple[list[list[tuple[str, int]]], int]:
    """Rows of (cell text, line) from the table opening at tokens[start]; returns the index after it."""
    rows: list[list[tuple[str, int]]] = []
    index = start
    while tokens[index].type != "table_close":
        token = tokens[index]
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline" and rows:
            line = (token.map[0] + 1) if token.map else 0
            rows[-1].append((_cell_text(token), line))
        index += 1
    return rows, index + 1


def _table_definitions(rows: list[list[tuple[str, int]]], path: str, heading: _Heading | None) -> Iterator[Definition]:
    header = [cell.lower() for cell, _ in rows[0]]
    if not header or header[0] != "name":
        return  # a table of prose (roles, error conditions): not a definition table
    if len(header) < 2 or header[1] not in TABLE_KINDS:
        raise SpecSourceError(
            path, rows[0][0][1], f"a table starting with 'Name' must have a second column among {sorted(TABLE_KINDS)}"
        )
    kind = TABLE_KINDS[header[1]]
    for row in rows[1:]:
        cells = [cell for cell, _ in row]
        line = row[0][1]
        if len(cells) < 2 or not _IDENTIFIER.fullmatch(cells[0]):
            raise SpecSourceError(path, line, f"table row needs a name and a value, got {cells!r}")
        description = cells[2] if len(cells) > 2 else ""
        yield Definition(cells[0], kind, cells[1], description, path, line, heading.change if heading else "")


def _defined_names(module: ast.Module, path: str, first_line: int) -> list[tuple[str, int]]:
    # Any import, at the top of the block or nested in a function or class body, is refused (the first one written).
    imports = sorted(node.lineno for node in ast.walk(module) if isinstance(node, (ast.Import, ast.ImportFrom)))
    if imports:
        raise SpecSourceError(
            path, first_line + imports[0] - 1, "spec code may not import; everything it uses comes from mvm_spec.runtime"
        )
    names: list[tuple[str, int]] = []
    for statement in module.body:
        line = first_line + statement.lineno - 1
        if isinstance(statement, (ast.FunctionDef, ast.ClassDef)):
            names.append((statement.name, line))
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            raise SpecSourceError(path, line, "spec code may not import; everything it uses comes from mvm_spec.runtime")
        else:
            raise SpecSourceError(path, line, "a python block may only define functions and classes")
    return names


def _code_definition(token: Token, path: str, heading: _Heading | None, description: str) -> Definition:
    first_line = (token.map[0] + 2) if token.map else 1  # the line after the opening fence
    try:
        module = ast.parse(token.content)
    except SyntaxError as error:
        raise SpecSourceError(path, first_line + (error.lineno or 1) - 1, f"syntax error: {error.msg}") from None
    names = _defined_names(module, path, first_line)
    if len(names) != 1:
        raise SpecSourceError(path, first_line, f"a python block must define exactly one name, found {len(names)}")
    name, line = names[0]
    if heading is None or heading.name != name:
        named = f"`{heading.name}`" if heading and heading.name else "no name"
        raise SpecSourceError(
            path, line, f"`{name}` is defined under a heading that names {named}; put it under #### `{name}`"
        )
    if heading.change == "Removed":
        raise SpecSourceError(path, line, f"`{name}` is under a Removed heading, which takes no code; delete the block")
    return Definition(name, "code", token.content, description, path, line, heading.change)


def read_chapter(text: str, path: str) -> list[Definition]:
    """Every definition in one chapter, in the order written."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    definitions: list[Definition] = []
    heading: _Heading | None = None
    paragraph = ""
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open":
            heading = _parse_heading(tokens[index + 1].content, (token.map[0] + 1) if token.map else 0)
            paragraph = ""
            if heading.change == "Removed" and heading.name:
                definitions.append(Definition(heading.name, "removed", "", "", path, heading.line, "Removed"))
        elif token.type == "inline" and tokens[index - 1].type == "paragraph_open" and not paragraph:
            paragraph = token.content.replace("\n", " ")
        elif token.type == "table_open":
            rows, index = _read_table(tokens, index, path)
            definitions.extend(_table_definitions(rows, path, heading))
            continue
        elif token.type == "fence" and token.info.strip() == "python":
            definitions.append(_code_definition(token, path, heading, paragraph))
        index += 1
    return definitions


def read_chapter_file(path: Path, shown_as: str) -> list[Definition]:
    return read_chapter(path.read_text(encoding="utf-8"), shown_as)
