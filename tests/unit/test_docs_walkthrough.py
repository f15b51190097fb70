"""docs/bridge.md is an executable walkthrough: its python blocks, run in order in one namespace, must all pass.

So the page that shows auditors one deposit and one withdrawal end to end cannot drift from the specification.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

PAGE = Path(__file__).resolve().parents[2] / "docs" / "bridge.md"


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
