"""Bad spec input: the compiler stops with a `SpecSourceError` naming the file and line that hold the defect.

Every test writes a small spec root into ``tmp_path`` (``spec/forks.yaml``, ``spec/v1/...``, ``presets/mainnet.yaml``
and ``presets/minimal.yaml``), breaks exactly one thing in it and renders it with `render_all`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mvm_spec.compiler import SpecSourceError, render_all

FENCE = "```"

BASE_CHAPTER = f"""# A small fork

## Custom types

| Name | Base type | Description |
| - | - | - |
| `Wei` | `uint256` | An amount in wei |

## Constants

| Name | Value | Description |
| - | - | - |
| `ONE` | `Wei(1)` | One wei |

## Preset

| Name | Mainnet value | Description |
| - | - | - |
| `LIMIT` | `uint64(16)` | A limit |

## Helpers

### `double`

Twice an amount.

{FENCE}python
def double(amount: Wei) -> Wei:
    return Wei(amount * 2)
{FENCE}
"""

MAINNET = "v1:\n  LIMIT: 16\n"
MINIMAL = "v1:\n  LIMIT: 4\n"


def write_spec(
    root: Path,
    v1: dict[str, str],
    v2: dict[str, str] | None = None,
    *,
    mainnet: str = MAINNET,
    minimal: str = MINIMAL,
    unlisted: dict[str, str] | None = None,
) -> Path:
    """A repository root holding ``spec/`` (fork v1, and v2 after it if given) and ``presets/``; returns ``root``."""
    listing = ["v1:", "  previous: null", "  chapters:", *(f"    - {name}" for name in v1)]
    if v2 is not None:
        listing += ["v2:", "  previous: v1", "  chapters:", *(f"    - {name}" for name in v2)]
    (root / "spec").mkdir()
    (root / "spec" / "forks.yaml").write_text("\n".join(listing) + "\n", encoding="utf-8")
    for fork, chapters in (("v1", {**v1, **(unlisted or {})}), ("v2", v2 or {})):
        if fork == "v1" or v2 is not None:
            (root / "spec" / fork).mkdir()
        for name, text in chapters.items():
            (root / "spec" / fork / name).write_text(text, encoding="utf-8")
    (root / "presets").mkdir()
    (root / "presets" / "mainnet.yaml").write_text(mainnet, encoding="utf-8")
    (root / "presets" / "minimal.yaml").write_text(minimal, encoding="utf-8")
    return root


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line number of the ``occurrence``-th line of ``text`` containing ``needle``."""
    found = [number for number, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(found) >= occurrence, f"{needle!r} occurs {len(found)} times"
    return found[occurrence - 1]


def render_error(root: Path) -> SpecSourceError:
    with pytest.raises(SpecSourceError) as caught:
        render_all(root)
    error = caught.value
    assert str(error).startswith(f"{error.path}:{error.line}: "), "the message must lead with file:line"
    return error


def assert_error(error: SpecSourceError, path: str, line: int, phrase: str) -> None:
    assert (error.path, error.line) == (path, line), error
    assert phrase in error.message, error.message


# The base spec is valid: every failure below comes from the one defect each test introduces.


def test_base_spec_renders(tmp_path: Path) -> None:
    rendered = render_all(write_spec(tmp_path, {"README.md": BASE_CHAPTER}))
    texts = {file.path.relative_to(tmp_path).as_posix(): file.text for file in rendered}
    assert sorted(texts) == [
        "mvm_spec/forks/v1/__init__.py",
        "mvm_spec/forks/v1/mainnet.py",
        "mvm_spec/forks/v1/minimal.py",
    ]
    assert "LIMIT = uint64(16)" in texts["mvm_spec/forks/v1/mainnet.py"]
    assert "LIMIT = uint64(4)" in texts["mvm_spec/forks/v1/minimal.py"]
    assert "def double(amount: Wei) -> Wei:" in texts["mvm_spec/forks/v1/mainnet.py"]


# Code blocks


def test_function_under_heading_naming_another(tmp_path: Path) -> None:
    chapter = BASE_CHAPTER.replace("### `double`", "### `triple`")
    error = render_error(write_spec(tmp_path, {"README.md": chapter}))
    assert_error(error, "spec/v1/README.md", line_of(chapter, "def double"), "under a heading that names `triple`")
    assert "#### `double`" in error.message


def test_function_under_heading_naming_nothing(tmp_path: Path) -> None:
    chapter = BASE_CHAPTER.replace("### `double`\n\nTwice an amount.\n\n", "")
    error = render_error(write_spec(tmp_path, {"README.md": chapter}))
    assert_error(error, "spec/v1/README.md", line_of(chapter, "def double"), "under a heading that names no name")


def test_name_defined_twice_in_one_chapter(tmp_path: Path) -> None:
    chapter = (
        BASE_CHAPTER
        + f"\n### `double`\n\nAgain.\n\n{FENCE}python\ndef double(amount: Wei) -> Wei:\n    return amount\n{FENCE}\n"
    )
    error = render_error(write_spec(tmp_path, {"README.md": chapter}))
    first, second = line_of(chapter, "def double"), line_of(chapter, "def double", 2)
    assert_error(error, "spec/v1/README.md", second, "`double` is defined twice in fork v1")
    assert f"(first at spec/v1/README.md:{first})" in error.message


def test_name_defined_twice_across_chapters(tmp_path: Path) -> None:
    other = "# Another chapter\n\n## Constants\n\n| Name | Value | Description |\n| - | - | - |\n"
    other += "| `ONE` | `Wei(2)` | Not one |\n"
    error = render_error(write_spec(tmp_path, {"README.md": BASE_CHAPTER, "other.md": other}))
    assert_error(error, "spec/v1/other.md", line_of(other, "`ONE`"), "`ONE` is defined twice in fork v1")
    assert f"(first at spec/v1/README.md:{line_of(BASE_CHAPTER, '`ONE`')})" in error.message


def test_syntax_error_points_at_the_markdown_line(tmp_path: Path) -> None:
    block = "def double(amount: Wei) -> Wei:\n    twice = amount * 2\n    return Wei(twice +)\n"
    chapter = BASE_CHAPTER.replace("def double(amount: Wei) -> Wei:\n    return Wei(amount * 2)\n", block)
    error = render_error(write_spec(tmp_path, {"README.md": chapter}))
    assert_error(error, "spec/v1/README.md", line_of(chapter, "return Wei(twice +)"), "syntax error")


def test_python_block_that_imports(tmp_path: Path) -> None:
    chapter = BASE_CHAPTER.replace("def double", "from os import path\n\n\ndef double")
    error = render_error(write_spec(tmp_path, {"README.md": chapter}))
    assert_error(error, "spec/v1/README.md", line_of(chapter, "from os import path"), "spec code may not import")


def test_python_block_that_imports_inside_a_function(tmp_path: Path) -> None:
    chapter = BASE_CHAPTER.replace(
        "    return Wei(amount * 2)", "    import math\n    return Wei(math.prod([amount, 2]))"
    )
    error = render_error(write_spec(tmp_path, {"README.md": chapter}))
    assert_error(error, "spec/v1/README.md", line_of(chapter, "import math"), "spec code may not import")


# Chapters and forks.yaml


def test_chapter_not_listed_in_forks_yaml(tmp_path: Path) -> None:
    error = render_error(write_spec(tmp_path, {"README.md": BASE_CHAPTER}, unlisted={"draft.md": "# Draft\n"}))
    assert_error(error, "spec/v1/draft.md", 1, "chapter is not listed under v1 in forks.yaml")


def test_chapter_listed_but_missing(tmp_path: Path) -> None:
    root = write_spec(tmp_path, {"README.md": BASE_CHAPTER, "gone.md": "# Gone\n"})
    (root / "spec" / "v1" / "gone.md").unlink()
    error = render_error(root)
    assert_error(error, "spec/v1/gone.md", 1, "chapter listed in forks.yaml does not exist")


# Tables


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        ("42", "value must read Type(value), got '42'"),
        ("Wei(1) + 1", "value must read Type(value)"),
        ("Wei(1, 2)", "value must read Type(value)"),
        ("Wei(ONE)", "value must be a literal, got 'Wei(ONE)'"),
        ("Wei(True)", "value must be a literal"),
    ],
)
def test_constant_value_not_type_of_literal(tmp_path: Path, value: str, phrase: str) -> None:
    chapter = BASE_CHAPTER.replace("| `Wei(1)` |", f"| `{value}` |")
    error = render_error(write_spec(tmp_path, {"README.md": chapter}))
    assert_error(error, "spec/v1/README.md", line_of(chapter, "| `ONE` |"), phrase)


def test_constant_of_unknown_type(tmp_path: Path) -> None:
    chapter = BASE_CHAPTER.replace("| `Wei(1)` |", "| `Gwei(1)` |")
    error = render_error(write_spec(tmp_path, {"README.md": chapter}))
    assert_error(error, "spec/v1/README.md", line_of(chapter, "| `ONE` |"), "`ONE`: unknown type `Gwei`")


def test_unknown_base_type_in_custom_types_table(tmp_path: Path) -> None:
    chapter = BASE_CHAPTER.replace("| `uint256` |", "| `uint512` |")
    error = render_error(write_spec(tmp_path, {"README.md": chapter}))
    assert_error(error, "spec/v1/README.md", line_of(chapter, "| `Wei` |"), "`Wei`: unknown base type `uint512`")


# Presets


def test_table_value_disagrees_with_mainnet_preset(tmp_path: Path) -> None:
    error = render_error(write_spec(tmp_path, {"README.md": BASE_CHAPTER}, mainnet="v1:\n  LIMIT: 17\n"))
    assert_error(error, "spec/v1/README.md", line_of(BASE_CHAPTER, "| `LIMIT` |"), "`LIMIT` is 16 in the table but 17")
    assert "presets/mainnet.yaml:2; make them agree" in error.message


@pytest.mark.parametrize("preset", ["mainnet", "minimal"])
def test_unknown_preset_variable_in_yaml(tmp_path: Path, preset: str) -> None:
    files = {"mainnet": MAINNET, "minimal": MINIMAL}
    files[preset] = files[preset] + "  LIMTI: 5\n"
    error = render_error(
        write_spec(tmp_path, {"README.md": BASE_CHAPTER}, mainnet=files["mainnet"], minimal=files["minimal"])
    )
    assert_error(error, f"presets/{preset}.yaml", 3, "unknown preset variable `LIMTI`: no preset table of fork v1")


def test_preset_section_for_unknown_fork(tmp_path: Path) -> None:
    error = render_error(write_spec(tmp_path, {"README.md": BASE_CHAPTER}, minimal=MINIMAL + "v9:\n  LIMIT: 4\n"))
    assert_error(error, "presets/minimal.yaml", 3, "section for unknown fork 'v9'")


def test_preset_variable_given_twice(tmp_path: Path) -> None:
    error = render_error(write_spec(tmp_path, {"README.md": BASE_CHAPTER}, minimal=MINIMAL + "  LIMIT: 5\n"))
    assert_error(error, "presets/minimal.yaml", 3, "LIMIT is given twice")


@pytest.mark.parametrize("minimal", ["v1: {}\n", "v1:\n  OTHER: 1\n", "# no sections at all\n"])
def test_preset_variable_missing_from_yaml(tmp_path: Path, minimal: str) -> None:
    if "OTHER" in minimal:  # with an unknown variable beside it, the unknown one is reported first, at its YAML line
        error = render_error(write_spec(tmp_path, {"README.md": BASE_CHAPTER}, minimal=minimal))
        assert_error(error, "presets/minimal.yaml", 2, "unknown preset variable `OTHER`")
        return
    error = render_error(write_spec(tmp_path, {"README.md": BASE_CHAPTER}, minimal=minimal))
    assert_error(
        error,
        "spec/v1/README.md",
        line_of(BASE_CHAPTER, "| `LIMIT` |"),
        "preset variable `LIMIT` has no value in presets/minimal.yaml under v1",
    )


# Forks: the first fork, and what a later fork may say


@pytest.mark.parametrize("change", ["New", "Modified"])
def test_new_or_modified_in_first_fork(tmp_path: Path, change: str) -> None:
    chapter = BASE_CHAPTER.replace("### `double`", f"### {change} `double`")
    error = render_error(write_spec(tmp_path, {"README.md": chapter}))
    assert_error(
        error,
        "spec/v1/README.md",
        line_of(chapter, "def double"),
        f"v1 is the first fork: nothing in it can be {change}",
    )


def test_new_table_in_first_fork(tmp_path: Path) -> None:
    chapter = BASE_CHAPTER.replace("## Constants", "## New constants")
    error = render_error(write_spec(tmp_path, {"README.md": chapter}))
    assert_error(
        error, "spec/v1/README.md", line_of(chapter, "| `ONE` |"), "v1 is the first fork: nothing in it can be New"
    )


def test_removed_in_first_fork(tmp_path: Path) -> None:
    chapter = BASE_CHAPTER + "\n### Removed `halve`\n"
    error = render_error(write_spec(tmp_path, {"README.md": chapter}))
    assert_error(
        error,
        "spec/v1/README.md",
        line_of(chapter, "### Removed `halve`"),
        "v1 is the first fork: nothing in it can be Removed",
    )


def later_fork_chapter(heading: str, code: str | None) -> str:
    block = f"\nThe v2 version.\n\n{FENCE}python\n{code}{FENCE}\n" if code is not None else ""
    return f"# Fork v2\n\n## Changes\n\n### {heading}\n{block}"


def test_later_fork_definition_without_new_or_modified(tmp_path: Path) -> None:
    chapter = later_fork_chapter("`double`", "def double(amount: Wei) -> Wei:\n    return Wei(amount + amount)\n")
    error = render_error(write_spec(tmp_path, {"README.md": BASE_CHAPTER}, {"README.md": chapter}))
    assert_error(
        error,
        "spec/v2/README.md",
        line_of(chapter, "def double"),
        "in fork v2, the heading of `double` must say New or Modified",
    )


def test_later_fork_new_for_existing_name(tmp_path: Path) -> None:
    chapter = later_fork_chapter("New `double`", "def double(amount: Wei) -> Wei:\n    return Wei(amount + amount)\n")
    error = render_error(write_spec(tmp_path, {"README.md": BASE_CHAPTER}, {"README.md": chapter}))
    assert_error(error, "spec/v2/README.md", line_of(chapter, "def double"), "`double` is marked New but v1 defines it")


def test_later_fork_modified_for_missing_name(tmp_path: Path) -> None:
    chapter = later_fork_chapter("Modified `halve`", "def halve(amount: Wei) -> Wei:\n    return Wei(amount // 2)\n")
    error = render_error(write_spec(tmp_path, {"README.md": BASE_CHAPTER}, {"README.md": chapter}))
    assert_error(
        error,
        "spec/v2/README.md",
        line_of(chapter, "def halve"),
        "`halve` is marked Modified but v1 does not define it",
    )


def test_later_fork_removed_for_missing_name(tmp_path: Path) -> None:
    chapter = later_fork_chapter("Removed `halve`", None)
    error = render_error(write_spec(tmp_path, {"README.md": BASE_CHAPTER}, {"README.md": chapter}))
    assert_error(
        error, "spec/v2/README.md", line_of(chapter, "### Removed `halve`"), "cannot remove `halve`: not defined"
    )


def test_later_fork_removed_heading_with_code(tmp_path: Path) -> None:
    chapter = later_fork_chapter("Removed `double`", "def double(amount: Wei) -> Wei:\n    return amount\n")
    error = render_error(write_spec(tmp_path, {"README.md": BASE_CHAPTER}, {"README.md": chapter}))
    assert_error(
        error, "spec/v2/README.md", line_of(chapter, "def double"), "under a Removed heading, which takes no code"
    )


def test_later_fork_with_valid_changes_renders(tmp_path: Path) -> None:
    """The counterpart of the four tests above: the same headings, used correctly, render."""
    chapter = (
        later_fork_chapter("Modified `double`", "def double(amount: Wei) -> Wei:\n    return Wei(amount + amount)\n")
        + later_fork_chapter("New `halve`", "def halve(amount: Wei) -> Wei:\n    return Wei(amount // 2)\n")
        + later_fork_chapter("Removed `ONE`", None)
    )
    rendered = render_all(write_spec(tmp_path, {"README.md": BASE_CHAPTER}, {"README.md": chapter}))
    v2 = next(file.text for file in rendered if file.path == tmp_path / "mvm_spec" / "forks" / "v2" / "mainnet.py")
    assert "return Wei(amount + amount)" in v2 and "def halve" in v2
    assert "ONE =" not in v2 and "LIMIT = uint64(16)" in v2
