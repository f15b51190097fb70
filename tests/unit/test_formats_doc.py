"""docs/formats.md: generated from the schemas, the handler table and the presets, and committed up to date."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mvm_spec.conformance.handlers import HANDLERS
from mvm_spec.vectors.formats_doc import page_problems, render_formats_page

REPO = Path(__file__).resolve().parents[2]
PAGE = REPO / "docs" / "formats.md"


@pytest.fixture(scope="module")
def page() -> str:
    return render_formats_page(REPO)


def test_committed_page_is_a_fresh_generation(page: str) -> None:
    assert PAGE.read_text(encoding="utf-8") == page, "docs/formats.md is stale: run `mvm-spec vectors` and commit it"


def test_every_handler_has_a_section_with_its_keys(page: str) -> None:
    for runner, handler in HANDLERS:
        assert f"### `{runner}` / `{handler}`\n" in page
    tax = page.split("### `tax` / `compute_tax`\n", 1)[1].split("\n## ", 1)[0]
    assert "| `value` | uint256 |" in tax and "| `schedule` | [tax_schedule](#formats-common-tax-schedule) |" in tax
    assert "| `tax` | uint256 |" in tax
    assert '`error`: one of `"TaxRateAboveMaximum"`, `"TaxThresholdsNotIncreasing"`, `"TooManyTaxBrackets"`.' in tax


def test_exceptions_list_numbers_nulls_pairs_and_bare_arrays(page: str) -> None:
    exceptions = page.split("## Encoding exceptions\n", 1)[1]
    assert "| `BatchChain` (a DAC's `transaction_batches`, `state_batches`) | a bare array of its `headers` |" in exceptions
    assert "- `common.json: tax_schedule[].rate_bps`" in exceptions  # a number
    assert "- `common.json: sequencer.exit_requested_at`" in exceptions  # null while active
    assert "- `common.json: storage[]`" in exceptions  # [slot, value]
    assert "- `common.json: basis_points`" not in exceptions  # an encoding is the rule, not an exception


def test_preset_table_has_every_value_of_both_presets(page: str) -> None:
    presets = {name: yaml.safe_load((REPO / "presets" / f"{name}.yaml").read_text()) for name in ("minimal", "mainnet")}
    for fork, values in presets["mainnet"].items():
        for name, mainnet in values.items():
            assert f"| `{fork}` | `{name}` | `{presets['minimal'][fork][name]}` | `{mainnet}` |" in page
    assert "| `v1` | `MAX_TAX_BRACKETS` | `4` | `16` |" in page


def test_a_stale_or_missing_page_is_reported(tmp_path: Path, page: str) -> None:
    stale = tmp_path / "formats.md"
    assert page_problems(stale, page) == [f"differs: {stale} (generated from the schemas and presets)"]
    stale.write_text(page.replace("uint256", "uint255", 1), encoding="utf-8")
    assert page_problems(stale, page) != []
    stale.write_text(page, encoding="utf-8")
    assert page_problems(stale, page) == []
