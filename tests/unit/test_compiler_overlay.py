"""Fork overlay: a later fork holding only its New, Modified and Removed definitions renders into a whole spec.

The later fork is the fixture ``tests/fixtures/overlay/v2`` (never part of ``spec/``): it modifies ``compute_tax``
to cap the tax at a new constant ``MAX_TAX_PER_TRANSACTION`` (working out each bracket's part itself), removes the
helper ``get_amount_in_tax_bracket`` it no longer needs, adds ``compute_amount_received`` and raises the preset
``MAX_TAX_BRACKETS``. It is laid over a copy of the real ``spec/v1``.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from mvm_spec.cli import main
from mvm_spec.compiler import load_fork_sources, render_fork
from mvm_spec.compiler.diff import diff_forks
from mvm_spec.compiler.forks import assemble
from mvm_spec.forks import PRESETS

REPO = Path(__file__).parents[2]
FIXTURE = Path(__file__).parents[1] / "fixtures" / "overlay"
REMOVED = "get_amount_in_tax_bracket"


def make_overlay_root(root: Path) -> Path:
    """``root/spec`` with v1 (copied from the repository) and v2 (the fixture); ``root/presets`` with both sections."""
    spec = root / "spec"
    shutil.copytree(REPO / "spec" / "v1", spec / "v1")
    shutil.copytree(FIXTURE / "v2", spec / "v2")
    v1_chapters = yaml.safe_load((REPO / "spec" / "forks.yaml").read_text(encoding="utf-8"))["v1"]["chapters"]
    listing = {
        "v1": {"previous": None, "chapters": v1_chapters},
        "v2": {"previous": "v1", "chapters": ["README.md"]},
    }
    (spec / "forks.yaml").write_text(yaml.safe_dump(listing, sort_keys=False), encoding="utf-8")
    (root / "presets").mkdir()
    for preset in PRESETS:
        # only the repository's v1 section: its own v2 (the fast window) is not the fixture's
        repository = yaml.safe_load((REPO / "presets" / f"{preset}.yaml").read_text(encoding="utf-8"))
        v1_section = yaml.safe_dump({"v1": repository["v1"]}, sort_keys=False)
        v2_section = (FIXTURE / "presets" / f"{preset}.yaml").read_text(encoding="utf-8")
        (root / "presets" / f"{preset}.yaml").write_text(v1_section + "\n" + v2_section, encoding="utf-8")
    return root


def load_rendered(text: str, path: Path) -> ModuleType:
    """Write a rendered module to ``path`` and import it under a unique name."""
    path.write_text(text, encoding="utf-8")
    name = f"_rendered_{path.parent.name}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is created
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


class Overlay:
    """The overlay root, and the v1 and v2 modules rendered from it under each preset."""

    def __init__(self, root: Path) -> None:
        self.root = make_overlay_root(root)
        self.forks = load_fork_sources(root / "spec")
        self.texts: dict[tuple[str, str], str] = {}
        self.modules: dict[tuple[str, str], ModuleType] = {}
        for fork in ("v1", "v2"):
            for preset in PRESETS:
                text = render_fork(self.forks, fork, preset, root / "presets", root)
                self.texts[fork, preset] = text
                self.modules[fork, preset] = load_rendered(text, root / f"{fork}_{preset}.py")


@pytest.fixture(scope="module")
def overlay(tmp_path_factory: pytest.TempPathFactory) -> Overlay:
    return Overlay(tmp_path_factory.mktemp("overlay"))


def schedule(spec: ModuleType, *brackets: tuple[int, int]) -> list[Any]:
    return [spec.TaxBracket(spec.Wei(threshold), spec.BasisPoints(rate)) for threshold, rate in brackets]


def test_the_fixture_fork_is_not_the_real_v2() -> None:
    """The fixture is laid over the repository's v1 alone; the real v2 (the fast window) is another fork."""
    real = (REPO / "spec" / "v2" / "README.md").read_text(encoding="utf-8")
    assert (FIXTURE / "v2" / "README.md").read_text(encoding="utf-8") != real


def test_fixture_premise_only_compute_tax_uses_the_removed_helper() -> None:
    """If v1 starts using the helper elsewhere, the fixture must remove something else (or modify that user too)."""
    v1 = assemble(load_fork_sources(REPO / "spec"), "v1")
    assert v1[REMOVED].kind == "code"
    users = [name for name, d in v1.items() if name != REMOVED and re.search(rf"\b{REMOVED}\b", d.text)]
    assert users == ["compute_tax"]


def test_modified_compute_tax_caps_the_tax(overlay: Overlay) -> None:
    v1, v2 = overlay.modules["v1", "mainnet"], overlay.modules["v2", "mainnet"]
    ten_percent = [(0, 1000)]
    # Below the cap both forks agree: 10% of 5,000 wei.
    assert v1.compute_tax(v1.Wei(5_000), schedule(v1, *ten_percent)) == 500
    assert v2.compute_tax(v2.Wei(5_000), schedule(v2, *ten_percent)) == 500
    # Above it v1 charges 10% and v2 stops at MAX_TAX_PER_TRANSACTION.
    assert v1.compute_tax(v1.Wei(1_000_000), schedule(v1, *ten_percent)) == 100_000
    assert v2.compute_tax(v2.Wei(1_000_000), schedule(v2, *ten_percent)) == 1_000
    assert isinstance(v2.compute_tax(v2.Wei(1_000_000), schedule(v2, *ten_percent)), v2.Wei)


def test_new_function_exists_only_in_v2(overlay: Overlay) -> None:
    v1, v2 = overlay.modules["v1", "mainnet"], overlay.modules["v2", "mainnet"]
    assert v2.compute_amount_received(v2.Wei(1_000_000), schedule(v2, (0, 1000))) == 999_000
    assert v2.compute_amount_received(v2.Wei(5_000), schedule(v2, (0, 1000))) == 4_500
    assert not hasattr(v1, "compute_amount_received")


def test_untouched_v1_definitions_still_work_in_v2(overlay: Overlay) -> None:
    v2 = overlay.modules["v2", "mainnet"]
    assert v2.apply_basis_points(v2.uint256(2**256 - 1), v2.BasisPoints(10_000)) == 2**256 - 1
    assert v2.apply_basis_points(v2.uint256(999), v2.BasisPoints(2_500)) == 249
    # Below the cap v2's rewritten compute_tax agrees with v1's: 900 * 5% = 45 and 500 * 20% = 100, each rounded down.
    v1 = overlay.modules["v1", "mainnet"]
    for value in (0, 99, 100, 101, 999, 1_000, 1_001, 1_500, 5_100):
        brackets = [(100, 500), (1_000, 2_000)]
        assert v2.compute_tax(v2.Wei(value), schedule(v2, *brackets)) == v1.compute_tax(
            v1.Wei(value), schedule(v1, *brackets)
        )
    assert v2.compute_tax(v2.Wei(1_500), schedule(v2, (100, 500), (1_000, 2_000))) == 145
    assert v2.compute_tax(v2.Wei(500), []) == 0
    with pytest.raises(v2.TaxRateAboveMaximum):
        v2.validate_tax_schedule(schedule(v2, (0, 10_001)))
    with pytest.raises(v2.TaxThresholdsNotIncreasing):
        v2.compute_tax(v2.Wei(1), schedule(v2, (5, 1), (5, 1)))
    assert issubclass(v2.TooManyTaxBrackets, v2.InvalidTaxSchedule) and issubclass(v2.InvalidTaxSchedule, v2.SpecError)
    assert v2.MAX_BASIS_POINTS == 10_000 and v2.UINT256_MAX == 2**256 - 1


def test_removed_definition_is_gone(overlay: Overlay) -> None:
    for preset in PRESETS:
        assert hasattr(overlay.modules["v1", preset], REMOVED)
        assert not hasattr(overlay.modules["v2", preset], REMOVED)
        assert REMOVED not in overlay.texts["v2", preset]


def test_new_constant_and_modified_preset_are_in_force(overlay: Overlay) -> None:
    assert {(fork, preset): module.MAX_TAX_BRACKETS for (fork, preset), module in overlay.modules.items()} == {
        ("v1", "mainnet"): 16,
        ("v1", "minimal"): 4,
        ("v2", "mainnet"): 32,
        ("v2", "minimal"): 8,
    }
    for preset in PRESETS:
        v2 = overlay.modules["v2", preset]
        assert v2.MAX_TAX_PER_TRANSACTION == 1_000 and type(v2.MAX_TAX_PER_TRANSACTION) is v2.Wei
        assert not hasattr(overlay.modules["v1", preset], "MAX_TAX_PER_TRANSACTION")
    # The raised bracket limit is what validate_tax_schedule enforces.
    seventeen = [(threshold, 1) for threshold in range(17)]
    v1, v2 = overlay.modules["v1", "mainnet"], overlay.modules["v2", "mainnet"]
    with pytest.raises(v1.TooManyTaxBrackets):
        v1.validate_tax_schedule(schedule(v1, *seventeen))
    v2.validate_tax_schedule(schedule(v2, *seventeen))
    minimal_v2 = overlay.modules["v2", "minimal"]
    with pytest.raises(minimal_v2.TooManyTaxBrackets):
        minimal_v2.validate_tax_schedule(schedule(minimal_v2, *seventeen[:9]))


def test_v2_rendering_names_its_sources_and_keeps_v1_order(overlay: Overlay) -> None:
    text = overlay.texts["v2", "mainnet"]
    sources = ["spec/v1/README.md", "spec/v1/l2-chain.md", "spec/v2/README.md", "presets/mainnet.yaml"]
    assert all(f"#   {source}\n" in text for source in sources)
    fixture = (FIXTURE / "v2" / "README.md").read_text(encoding="utf-8").splitlines()
    compute_tax_line = fixture.index("def compute_tax(value: Wei, schedule: Sequence[TaxBracket]) -> Wei:") + 1
    assert f"# spec/v2/README.md:{compute_tax_line}\ndef compute_tax(" in text
    # A Modified definition keeps its v1 position (before the tax errors); a New one comes after everything in v1.
    assert (
        text.index("def compute_tax(")
        < text.index("class InvalidTaxSchedule(")
        < text.index("def compute_amount_received(")
    )
    assert text.count("def compute_tax(") == 1


def test_v1_rendering_is_unchanged_by_v2(overlay: Overlay) -> None:
    real_forks = load_fork_sources(REPO / "spec")
    for preset in PRESETS:
        alone = render_fork(real_forks, "v1", preset, REPO / "presets", REPO)
        assert overlay.texts["v1", preset] == alone


def test_diff_forks_lists_exactly_the_changes(overlay: Overlay, tmp_path: Path) -> None:
    changes = diff_forks(overlay.root / "spec", "v1", "v2", tmp_path / "no-vectors")
    assert changes.added == ("constant MAX_TAX_PER_TRANSACTION", "function compute_amount_received")
    assert changes.modified == ("function compute_tax", "preset MAX_TAX_BRACKETS")
    assert changes.removed == (f"function {REMOVED}",)
    assert (changes.vectors_changed, changes.vectors_added, changes.vectors_removed) == ((), (), ())
    same = diff_forks(overlay.root / "spec", "v2", "v2", tmp_path / "no-vectors")
    assert (same.added, same.modified, same.removed) == ((), (), ())


def test_diff_command(overlay: Overlay, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec_root = str(overlay.root / "spec")
    assert main(["diff", "v1", "v2", "--spec-root", spec_root, "--vectors", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Changes from v1 to v2" in out
    assert "Modified (2):\n  function compute_tax\n  preset MAX_TAX_BRACKETS\n" in out
    assert f"Removed (1):\n  function {REMOVED}\n" in out
    assert main(["diff", "v1", "v3", "--spec-root", spec_root, "--vectors", str(tmp_path)]) == 2
    assert "unknown fork 'v3'" in capsys.readouterr().err


def write_vector(folder: Path, relative: str, expected: dict[str, object]) -> None:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"_info": {}, "input": {}} | expected), encoding="utf-8")


def test_diff_words_the_vectors_a_later_fork_does_not_re_emit_as_inherited(
    overlay: Overlay, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """v2 descends from v1: a v1 vector with no v2 file of the same case is inherited (a v2 client replays it), not
    "only in the old fork"; the other way round, v1 does not descend from v2, so a v2-only vector is only in the
    new fork and, compared from v2 to v1, only in the old one."""
    vectors = tmp_path / "vectors"
    write_vector(vectors, "minimal/v1/tax/compute_tax/a.json", {"output": {"tax": "1"}})
    write_vector(vectors, "minimal/v1/tax/compute_tax/b.json", {"output": {"tax": "2"}})
    write_vector(vectors, "mainnet/v1/merkle/root/c.json", {"output": {"root": "0x00"}})
    write_vector(vectors, "minimal/v2/tax/compute_tax/b.json", {"output": {"tax": "3"}})
    write_vector(vectors, "minimal/v2/tax/compute_tax/d.json", {"error": "TooManyTaxBrackets"})
    spec_root = overlay.root / "spec"
    forward = diff_forks(spec_root, "v1", "v2", vectors)
    assert forward.vectors_inherited == ("mainnet/merkle/root/c.json", "minimal/tax/compute_tax/a.json")
    assert forward.vectors_removed == ()
    assert forward.vectors_changed == ("minimal/tax/compute_tax/b.json",)
    assert forward.vectors_added == ("minimal/tax/compute_tax/d.json",)
    backward = diff_forks(spec_root, "v2", "v1", vectors)
    assert backward.vectors_inherited == () and backward.vectors_removed == ("minimal/tax/compute_tax/d.json",)
    assert main(["diff", "v1", "v2", "--spec-root", str(spec_root), "--vectors", str(vectors)]) == 0
    out = capsys.readouterr().out
    assert "Vectors only in the old fork (0):\n  (none)\n" in out
    assert "Vectors inherited from v1 (2): v2 does not re-emit them; a v2 client replays them as they are" in out
    assert out.endswith("  mainnet/merkle: 1\n  minimal/tax: 1\n")
