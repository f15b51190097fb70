"""Every vector a threat table names exists: the "Security considerations" of each spec chapter and the threat
model of docs/bridge.md cite vectors by path (under tests/vectors/<preset>/<fork>/, `*` a wildcard), and a renamed or
removed case must not leave an attack pointing at nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "vectors"
CITATION = re.compile(r"`([a-z_]+/[a-z_*]+(?:/[a-z_*]+)?)`")


def cited(text: str, heading: str) -> list[str]:
    start = text.index(heading)
    following = text.find("\n## ", start + len(heading))
    section = text[start : following if following != -1 else len(text)]
    return [match for line in section.splitlines() if line.startswith("|") for match in CITATION.findall(line)]


SOURCES = [
    (path, "## Security considerations")
    for path in sorted((ROOT / "spec").rglob("*.md"))
    if "## Security considerations" in path.read_text(encoding="utf-8")
] + [(ROOT / "docs" / "bridge.md", "## Threat model")]


@pytest.mark.parametrize("source,heading", SOURCES, ids=[str(path.relative_to(ROOT)) for path, _ in SOURCES])
def test_cited_vectors_exist(source: Path, heading: str) -> None:
    citations = cited(source.read_text(encoding="utf-8"), heading)
    assert citations, f"{source.name}: the table cites no vector"
    missing = [c for c in citations if not list(VECTORS.glob(f"*/*/{c}.json")) and not list(VECTORS.glob(f"*/*/{c}"))]
    assert not missing, f"{source.name} cites vectors that do not exist: {missing}"
