"""The spec compiler: Markdown under ``spec/`` -> ``mvm_spec/forks/<fork>/<preset>.py``.

``build`` renders every fork and preset; ``check`` renders them in memory and reports each rendered file that
differs from what is on disk (the drift check CI runs).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from .forks import ForkSource, assemble, fork_lineage, load_fork_sources, read_fork
from .presets import load_preset, resolve_preset_values
from .render import render_module
from .source import Definition, SpecSourceError

__all__ = [
    "Definition",
    "ForkSource",
    "RenderedFile",
    "SpecSourceError",
    "assemble",
    "build",
    "check",
    "load_fork_sources",
    "render_all",
    "render_fork",
]

from ..forks import PRESETS


@dataclass(frozen=True)
class RenderedFile:
    path: Path
    text: str


def render_fork(forks: list[ForkSource], fork: str, preset: str, presets_dir: Path, repo_root: Path) -> str:
    """The rendered module text of one fork under one preset."""
    definitions = assemble(forks, fork)
    by_name = {source.name: source for source in forks}
    lineage = fork_lineage(forks, fork)
    own_presets = {
        name: [definition for definition in read_fork(by_name[name]) if definition.kind == "preset"] for name in lineage
    }
    preset_path = presets_dir / f"{preset}.yaml"
    preset_shown = _relative(preset_path, repo_root)
    values = resolve_preset_values(preset, load_preset(preset_path, preset_shown, by_name), preset_shown, own_presets)
    if preset != "mainnet":
        # The Markdown shows mainnet values; checking mainnet too means no preset renders from a spec that disagrees.
        mainnet_path = presets_dir / "mainnet.yaml"
        mainnet_shown = _relative(mainnet_path, repo_root)
        resolve_preset_values("mainnet", load_preset(mainnet_path, mainnet_shown, by_name), mainnet_shown, own_presets)
    sources = [
        _relative(by_name[name].directory / chapter, repo_root) for name in lineage for chapter in by_name[name].chapters
    ]
    return render_module(definitions, values, fork, preset, sources, preset_shown)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def render_all(repo_root: Path) -> list[RenderedFile]:
    """Every rendered module of the repository's spec, with the path it belongs at."""
    forks = load_fork_sources(repo_root / "spec")
    files = []
    for fork in forks:
        package = repo_root / "mvm_spec" / "forks" / fork.name
        for preset in PRESETS:
            text = render_fork(forks, fork.name, preset, repo_root / "presets", repo_root)
            files.append(RenderedFile(package / f"{preset}.py", text))
        files.append(RenderedFile(package / "__init__.py", f'"""Rendered MVM specification, fork {fork.name}."""\n'))
    return files


def build(repo_root: Path) -> list[Path]:
    """Render every fork and preset to disk; returns the files written."""
    written = []
    for rendered in render_all(repo_root):
        rendered.path.parent.mkdir(parents=True, exist_ok=True)
        if not rendered.path.exists() or rendered.path.read_text(encoding="utf-8") != rendered.text:
            rendered.path.write_text(rendered.text, encoding="utf-8")
        written.append(rendered.path)
    return written


def check(repo_root: Path) -> list[str]:
    """One message (with a diff excerpt) per rendered file that is missing or differs from the spec."""
    problems = []
    for rendered in render_all(repo_root):
        shown = _relative(rendered.path, repo_root)
        if not rendered.path.exists():
            problems.append(f"{shown} is missing")
            continue
        on_disk = rendered.path.read_text(encoding="utf-8")
        if on_disk != rendered.text:
            diff = difflib.unified_diff(
                on_disk.splitlines(), rendered.text.splitlines(), f"{shown} (on disk)", f"{shown} (from spec/)", lineterm=""
            )
            problems.append(f"{shown} differs from what spec/ renders to:\n" + "\n".join(list(diff)[:40]))
    return problems
