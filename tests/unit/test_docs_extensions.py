"""The docs' two Sphinx extensions, unit by unit: the catalog of definitions (read with the compiler), which
definition a mention means on which page, the links put into highlighted code, and how citations of the whitepaper
are recognised. tests/unit/test_docs_browser.py checks the built site as a whole, in a browser.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from sphinx.highlighting import PygmentsBridge

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

from spec_definitions import SpecCatalog, link_highlighted_names, load_catalog, mentioned_name  # noqa: E402
from whitepaper_passages import Whitepaper, normalize, read_whitepaper  # noqa: E402

from mvm_spec.compiler.forks import load_fork_sources, read_fork  # noqa: E402


@pytest.fixture(scope="module")
def catalog() -> SpecCatalog:
    return load_catalog(ROOT / "spec", "spec")


@pytest.fixture(scope="module")
def whitepaper() -> Whitepaper:
    text = (ROOT / "docs" / "whitepaper.md").read_text(encoding="utf-8")
    return read_whitepaper(text, "Technical Fundamentals", "whitepaper")


def test_catalog_holds_every_definition_the_compiler_reads(catalog: SpecCatalog) -> None:
    for fork in load_fork_sources(ROOT / "spec"):
        assert sorted(catalog.objects[fork.name]) == sorted(definition.name for definition in read_fork(fork))


def test_catalog_kinds_and_pages(catalog: SpecCatalog) -> None:
    v1 = catalog.objects["v1"]
    assert (v1["compute_tax"].kind, v1["compute_tax"].docname) == ("function", "spec/v1/l2-chain")
    assert v1["TaxBracket"].kind == "class"
    assert v1["SpecError"].kind == "error"
    assert v1["InvalidTaxSchedule"].kind == "error"  # through SpecError, not directly from Exception
    assert v1["MAX_TAX_BRACKETS"].kind in ("constant", "preset")
    assert v1["FRAUD_PROOF_WINDOW"].kind == "preset"
    assert v1["Wei"].kind == "type"
    assert catalog.objects["v2"]["is_state_batch_final"].index_entry == (
        "is_state_batch_final (modified function in v2)"
    )
    assert v1["compute_tax"].index_entry == "compute_tax (function in v1)"


def test_a_mention_means_the_definition_in_force_on_its_page(catalog: SpecCatalog) -> None:
    on_v2 = catalog.visible("v2")
    assert on_v2["is_state_batch_final"].fork == "v2"  # modified by v2
    assert on_v2["FRAUD_PROOF_WINDOW"].fork == "v1"  # left alone by v2
    assert "is_state_batch_settled" not in catalog.visible("v1")  # v2 adds it: a v1 page cannot mean it
    outside = catalog.visible(None)
    assert outside["is_state_batch_final"].fork == "v1"  # where it was introduced
    assert outside["is_state_batch_settled"].fork == "v2"
    assert catalog.fork_of("spec/v2/README") == "v2"
    assert catalog.fork_of("finality") is None
    assert catalog.fork_of("spec/v9/README") is None


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("compute_tax", "compute_tax"),
        ("compute_tax(value, schedule)", "compute_tax"),
        ("is_action_permitted(charter, requester, READ)", "is_action_permitted"),
        ("Charter.taxrates", "Charter"),
        ("0x100", None),
        ("value - tax", None),
        ("tax/compute_tax/max_value_full_rate", None),
    ],
)
def test_mentioned_name(code: str, name: str | None) -> None:
    assert mentioned_name(code) == name


def test_names_in_highlighted_code_link_but_attributes_and_the_defined_name_do_not() -> None:
    code = "def compute_tax(bracket: TaxBracket) -> Wei:\n    return compute_tax(bracket.compute_tax)\n"
    highlighted = PygmentsBridge("html").highlight_block(code, "python")  # as Sphinx's HTML translator does
    links = {"compute_tax": "l2-chain.html#compute_tax", "TaxBracket": "#TaxBracket"}
    linked = link_highlighted_names(highlighted, links)
    assert linked.count('href="l2-chain.html#compute_tax"') == 1  # the call; not the def, not .compute_tax
    assert linked.count('href="#TaxBracket"') == 1
    assert "Wei</span></a>" not in linked  # not a key of links
    assert link_highlighted_names(highlighted, {}) == highlighted


def test_whitepaper_sections_and_passages(whitepaper: Whitepaper) -> None:
    titles = [title for title, _anchor in whitepaper.sections]
    assert titles[0] == "Abstract" and titles[-1] == "Summary" and len(titles) == 11
    charter = [passage for passage in whitepaper.passages if passage.section_anchor == "dac-charter-to-govern-the-operation-rules"]
    assert [passage.anchor for passage in charter][:2] == [
        "dac-charter-to-govern-the-operation-rules-p1",
        "dac-charter-to-govern-the-operation-rules-p2",
    ]
    assert charter[-1].text.startswith("the charter will be created during the genesis.")


@pytest.mark.parametrize(
    ("emphasised", "anchor"),
    [
        ("DAC Charter to govern the\noperation rules", "dac-charter-to-govern-the-operation-rules"),
        ("Dynamic sequencer bonds", "dynamic-sequencer-bonds-to-safeguard-the-network"),  # a run of its words
        ("Microservice framework", "infinite-expansion-with-microservice-framework"),
        ("Technical Fundamentals", ""),  # the whole whitepaper
        ("Derivation.", None),
        ("the", None),  # one word is not a citation
        ("Layer 2", None),  # words from the middle of a title ("MVM Layer 2 Permission Management") are not one
    ],
)
def test_emphasised_titles_cite_sections(whitepaper: Whitepaper, emphasised: str, anchor: str | None) -> None:
    citation = whitepaper.cite_title(emphasised)
    assert (citation.anchor if citation else None) == anchor


@pytest.mark.parametrize(
    ("quoted", "anchor"),
    [
        (
            "when a DAC needs to be created ... a smart contract on the layer 1 will generate a unique chainID",
            "separate-of-compute-and-storage-for-ultimate-scalability-p5",
        ),
        ("MT deposit and withdrawal operation[s]", "dynamic-sequencer-bonds-to-safeguard-the-network-p2"),
        # as Sphinx's SmartQuotes writes it: a curly apostrophe
        ("MVM’s IPFS router will intercept IPFS related operations", "special-storage-layer-based-on-ipfs-to-manage-confidential-data-p5"),
        ("the permission layer is totally optional", "mvm-layer-2-permission-management-p9"),  # the original shouts
        ("L2 Rangers ... will randomly sample the blocks, re-execute them", None),  # not the whitepaper's words
        ("released", None),
        ("MVM IPFS resolver key v1", None),
    ],
)
def test_quotations_cite_paragraphs(whitepaper: Whitepaper, quoted: str, anchor: str | None) -> None:
    citation = whitepaper.cite_quote(quoted)
    assert (citation.anchor if citation else None) == anchor


def test_normalize_ignores_typography() -> None:
    assert normalize("A  “quoted” –\nand—it’s…") == normalize('a "quoted" --  and-it\'s...')


# Quotations in a paragraph that names the whitepaper but are not its words: identifiers and sample values.
NOT_WHITEPAPER_QUOTES = frozenset(
    {
        "setTax((uint256,uint16)[],address[])",
        "setGovernance(string,string,(address[],uint8,uint16)[],address)",
        "0x4200000000000000000000000000000000000100",
    }
)


def _paragraphs_citing_the_whitepaper() -> list[tuple[str, str]]:
    """(chapter, paragraph) of every spec paragraph (or list item) that names the whitepaper."""
    found = []
    for chapter in sorted((ROOT / "spec").glob("*/*.md")):
        text = chapter.read_text(encoding="utf-8").split("```")[::2]  # prose only, not the code blocks
        for block in "\n\n".join(text).split("\n\n"):
            for item in block.split("\n- "):
                if "whitepaper" in item.lower():
                    found.append((str(chapter.relative_to(ROOT)), item))
    return found


def test_every_quotation_attributed_to_the_whitepaper_is_its_words(whitepaper: Whitepaper) -> None:
    """A spec sentence that cites the whitepaper may only put its words in quotation marks: a misquotation would
    send an auditor to a passage that does not say it (and the docs would leave it unlinked, silently)."""
    misquoted = [
        (chapter, quoted)
        for chapter, paragraph in _paragraphs_citing_the_whitepaper()
        for quoted in re.findall(r'"([^"]*)"', paragraph)
        if len(quoted) >= 12 and quoted not in NOT_WHITEPAPER_QUOTES and whitepaper.cite_quote(quoted) is None
    ]
    assert misquoted == []
