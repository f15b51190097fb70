"""``mvm-spec diff OLD NEW``: what a fork changes, as a researcher reviewing a spec change wants to see it.

Definitions are compared after overlay (so a fork that re-states a definition unchanged shows nothing), and
vectors are compared by their expected parts, so the listing says which client-visible answers change. A later
fork emits vectors only for the runners it changes; the older fork's vectors it does not re-emit are inherited (a
client of the later fork replays them too, docs/vectors.md), which ``tests/unit/test_inherited_vectors.py`` checks.
"""

from __future__ import annotations

import ast
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..vectors.case import EXPECTED_PARTS
from .forks import assemble, fork_lineage, load_fork_sources
from .source import Definition


@dataclass(frozen=True)
class ForkDiff:
    old: str
    new: str
    added: tuple[str, ...]
    modified: tuple[str, ...]
    removed: tuple[str, ...]
    vectors_changed: tuple[str, ...]
    vectors_added: tuple[str, ...]
    vectors_removed: tuple[str, ...]  # only in the old fork, which the new one does not descend from
    vectors_inherited: tuple[str, ...] = ()  # only in the old fork, which the new one descends from: replayed as is


def _label(definition: Definition) -> str:
    if definition.kind != "code":
        return f"{definition.kind} {definition.name}"
    statement = ast.parse(definition.text).body[0]
    return f"{'class' if isinstance(statement, ast.ClassDef) else 'function'} {definition.name}"


def _expected_by_case(vectors_dir: Path, fork: str) -> dict[str, Any]:
    """``<preset>/<runner>/<handler>/<case>`` -> the expected parts of that fork's vector."""
    found: dict[str, Any] = {}
    for path in sorted(vectors_dir.glob(f"*/{fork}/**/*.json")):
        preset, _, *rest = path.relative_to(vectors_dir).parts
        document = json.loads(path.read_text(encoding="utf-8"))
        found["/".join([preset, *rest])] = {part: document[part] for part in EXPECTED_PARTS if part in document}
    return found


def diff_forks(spec_root: Path, old: str, new: str, vectors_dir: Path) -> ForkDiff:
    forks = load_fork_sources(spec_root)
    before, after = assemble(forks, old), assemble(forks, new)
    shared = before.keys() & after.keys()
    old_vectors, new_vectors = _expected_by_case(vectors_dir, old), _expected_by_case(vectors_dir, new)
    only_old = tuple(sorted(old_vectors.keys() - new_vectors.keys()))
    descends = old != new and old in fork_lineage(forks, new)
    return ForkDiff(
        old,
        new,
        added=tuple(sorted(_label(after[name]) for name in after.keys() - before.keys())),
        modified=tuple(
            sorted(_label(after[name]) for name in shared if (before[name].kind, before[name].text) != (after[name].kind, after[name].text))
        ),
        removed=tuple(sorted(_label(before[name]) for name in before.keys() - after.keys())),
        vectors_changed=tuple(sorted(key for key in old_vectors.keys() & new_vectors.keys() if old_vectors[key] != new_vectors[key])),
        vectors_added=tuple(sorted(new_vectors.keys() - old_vectors.keys())),
        vectors_removed=() if descends else only_old,
        vectors_inherited=only_old if descends else (),
    )


def format_fork_diff(diff: ForkDiff) -> str:
    lines = [f"Changes from {diff.old} to {diff.new}"]
    sections = [
        ("Added", diff.added),
        ("Modified", diff.modified),
        ("Removed", diff.removed),
        ("Vectors whose expected result changed", diff.vectors_changed),
        ("Vectors only in the new fork", diff.vectors_added),
        ("Vectors only in the old fork", diff.vectors_removed),
    ]
    for title, items in sections:
        lines.append(f"\n{title} ({len(items)}):")
        lines += [f"  {item}" for item in items] or ["  (none)"]
    if diff.vectors_inherited:  # many, each replayed unchanged: counted by preset and runner
        per_runner = Counter("/".join(key.split("/")[:2]) for key in diff.vectors_inherited)
        lines.append(
            f"\nVectors inherited from {diff.old} ({len(diff.vectors_inherited)}): {diff.new} does not re-emit them; "
            f"a {diff.new} client replays them as they are, asked with fork {diff.new} (docs/vectors.md):"
        )
        lines += [f"  {runner}: {count}" for runner, count in sorted(per_runner.items())]
    return "\n".join(lines)
