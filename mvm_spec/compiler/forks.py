"""Forks: which chapters make up each fork, and overlaying a fork's changes on its predecessor."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .source import Definition, SpecSourceError, read_chapter_file


@dataclass(frozen=True)
class ForkSource:
    """Where one fork's chapters are, and which fork it builds on."""

    name: str
    directory: Path
    chapters: tuple[str, ...]
    previous: str | None


def load_fork_sources(spec_root: Path) -> list[ForkSource]:
    """The forks listed in ``<spec_root>/forks.yaml``, oldest first."""
    listing_path = spec_root / "forks.yaml"
    listing: Any = yaml.safe_load(listing_path.read_text(encoding="utf-8"))
    if not isinstance(listing, dict):
        raise SpecSourceError(str(listing_path), 1, "forks.yaml must map fork names to {previous, chapters}")
    forks = []
    for name, entry in listing.items():
        forks.append(
            ForkSource(str(name), spec_root / str(name), tuple(entry["chapters"]), entry.get("previous"))
        )
    return forks


def _display_path(path: Path) -> str:
    """``spec/v1/README.md``: the chapter's path below the folder holding the spec root, independent of cwd."""
    return path.relative_to(path.parent.parent.parent).as_posix()


def read_fork(fork: ForkSource) -> list[Definition]:
    """The definitions one fork's own chapters write, checked for unlisted chapters and duplicate names."""
    listed = set(fork.chapters)
    for markdown in sorted(fork.directory.glob("*.md")):
        if markdown.name not in listed:
            raise SpecSourceError(_display_path(markdown), 1, f"chapter is not listed under {fork.name} in forks.yaml")
    definitions: list[Definition] = []
    seen: dict[str, Definition] = {}
    for chapter in fork.chapters:
        path = fork.directory / chapter
        if not path.is_file():
            raise SpecSourceError(_display_path(path), 1, "chapter listed in forks.yaml does not exist")
        for definition in read_chapter_file(path, _display_path(path)):
            if definition.name in seen:
                first = seen[definition.name]
                raise SpecSourceError(
                    definition.path,
                    definition.line,
                    f"`{definition.name}` is defined twice in fork {fork.name} (first at {first.where})",
                )
            seen[definition.name] = definition
            definitions.append(definition)
    return definitions


def _check_first_fork(fork: ForkSource, definitions: list[Definition]) -> None:
    for definition in definitions:
        if definition.change:
            raise SpecSourceError(
                definition.path, definition.line, f"{fork.name} is the first fork: nothing in it can be {definition.change}"
            )


def overlay(base: dict[str, Definition], fork: ForkSource, changes: list[Definition]) -> dict[str, Definition]:
    """The definitions of ``fork``: its predecessor's, with its own New, Modified and Removed ones applied.

    A Modified definition keeps its predecessor's position, so the rendered module reads in the same order.
    Table rows need no marker: a row whose name exists modifies it, any other is new.
    """
    merged = dict(base)
    for definition in changes:
        exists = definition.name in merged
        is_table_row = definition.kind in ("type", "constant", "preset")
        if definition.kind == "removed":
            if not exists:
                raise SpecSourceError(definition.path, definition.line, f"cannot remove `{definition.name}`: not defined")
            del merged[definition.name]
            continue
        if not is_table_row:
            if definition.change == "":
                raise SpecSourceError(
                    definition.path,
                    definition.line,
                    f"in fork {fork.name}, the heading of `{definition.name}` must say New or Modified",
                )
            if definition.change == "New" and exists:
                raise SpecSourceError(
                    definition.path, definition.line, f"`{definition.name}` is marked New but {fork.previous} defines it"
                )
            if definition.change == "Modified" and not exists:
                raise SpecSourceError(
                    definition.path,
                    definition.line,
                    f"`{definition.name}` is marked Modified but {fork.previous} does not define it",
                )
        merged[definition.name] = definition
    return merged


def assemble(forks: list[ForkSource], target: str) -> dict[str, Definition]:
    """Every definition in force at fork ``target``, in rendering order."""
    by_name = {fork.name: fork for fork in forks}
    if target not in by_name:
        raise KeyError(f"unknown fork {target!r}; known: {sorted(by_name)}")
    lineage = [by_name[name] for name in fork_lineage(forks, target)]
    definitions: dict[str, Definition] = {}
    for position, fork in enumerate(lineage):
        own = read_fork(fork)
        if position == 0:
            _check_first_fork(fork, own)
            definitions = {definition.name: definition for definition in own}
        else:
            definitions = overlay(definitions, fork, own)
    return definitions


def fork_lineage(forks: list[ForkSource], target: str) -> list[str]:
    """The names of ``target`` and every fork before it, oldest first."""
    by_name = {fork.name: fork for fork in forks}
    names: list[str] = []
    current: str | None = target
    while current is not None:
        names.insert(0, current)
        current = by_name[current].previous
    return names
