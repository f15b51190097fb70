"""docs/bridge.md and docs/challenge.md are executable walkthroughs: their python blocks, run in order in one
namespace per page, must all pass.

So the pages that show auditors one deposit and one withdrawal, and one fraud proven, end to end cannot drift from
the specification.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGE = DOCS / "bridge.md"


def python_blocks(text: str) -> list[str]:
    tokens = MarkdownIt("commonmark").parse(text)
    return [token.content for token in tokens if token.type == "fence" and token.info.strip() == "python"]


def test_walkthrough_runs() -> None:
    blocks = python_blocks(PAGE.read_text(encoding="utf-8"))
    assert len(blocks) >= 8, "the walkthrough lost its steps"
    namespace: dict[str, Any] = {}
    for number, block in enumerate(blocks, start=1):
        exec(compile(block, f"{PAGE.name}:block {number}", "exec"), namespace)  # noqa: S102 - the page is ours
    assert namespace["paid"] == 4 * 10**17


def test_challenge_walkthrough_runs() -> None:
    page = DOCS / "challenge.md"
    blocks = python_blocks(page.read_text(encoding="utf-8"))
    assert len(blocks) >= 7, "the walkthrough lost its steps"
    namespace: dict[str, Any] = {}
    for number, block in enumerate(blocks, start=1):
        exec(compile(block, f"{page.name}:block {number}", "exec"), namespace)  # noqa: S102 - the page is ours
    assert namespace["spec"].get_dac(namespace["hub"], namespace["ACME"]).challenges[0].status == 1
