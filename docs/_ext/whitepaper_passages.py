"""Sphinx extension: the whitepaper passage of every citation and every definition, one click away.

``docs/whitepaper.md`` is the whitepaper's text, one ``##`` section per section of the original. This extension
reads it with markdown-it (the parser MyST itself uses) into sections and paragraphs ("passages"), and:

- on the whitepaper's page, gives each section the anchor ``<slug of its title>`` and each paragraph the anchor
  ``<section>-p<n>``, checking that the page shows the same paragraphs the model read (else a build warning);
- on every other page, links each citation of the whitepaper: an emphasised section title (``*DAC Charter to
  govern the operation rules*``, or its start or end, ``*Dynamic sequencer bonds*``) to the section, the
  emphasised title *Technical Fundamentals* to the page, and each quotation whose words are the whitepaper's
  ("... " and ``[edits]`` allowed) to the paragraph it quotes;
- under each definition's heading (and each heading of a definition table), writes the line "Whitepaper: ..."
  linking the passages the definition answers to: the passages cited in its own section; else in the nearest
  enclosing section that cites any; else the sections the chapter's introduction names.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.nodes import Element, Node
from markdown_it import MarkdownIt
from markdown_it.token import Token
from sphinx import addnodes
from sphinx.environment import BuildEnvironment
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

from spec_definitions import DEFINITION_CLASS, DOMAIN

logger = logging.getLogger(__name__)

LINE_CLASS = "spec-whitepaper"  # the "Whitepaper: ..." line under a definition's heading
QUOTE_CLASS = "spec-whitepaper-quote"  # a linked quotation: styled as text, lest a chapter's opening be all links
_QUOTE = re.compile(r"“([^“”]*)”|\"([^\"]*)\"")
_EDIT = re.compile(r"\.\.\.|\[[^\]]*\]")  # an ellipsis or a bracketed edit inside a quotation
_MIN_QUOTE_CHARS = 12  # shorter quotations ("released") are words, not citations


def normalize(text: str) -> str:
    """Text compared for citations: typography (curly quotes, dashes, ellipses, as Sphinx's SmartQuotes writes
    them), case and spacing do not count."""
    text = unicodedata.normalize("NFKC", text)
    for curly, plain in (("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'"), ("—", "-"), ("–", "-"), ("--", "-")):
        text = text.replace(curly, plain)
    text = text.replace("\\", "")
    return " ".join(text.casefold().split())


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


@dataclass(frozen=True)
class Passage:
    """One paragraph of the whitepaper: the n-th of its section."""

    section_title: str
    section_anchor: str
    number: int
    text: str  # normalized

    @property
    def anchor(self) -> str:
        return f"{self.section_anchor}-p{self.number}"

    @property
    def label(self) -> str:
        return f"{self.section_title} ¶{self.number}"


@dataclass(frozen=True)
class Citation:
    """Where a citation leads: the page (anchor ""), a section, or a paragraph of the whitepaper."""

    anchor: str
    label: str
    section_anchor: str  # the cited section's anchor; "" for the whole page
    section_title: str


@dataclass(frozen=True)
class Whitepaper:
    title: str
    docname: str
    sections: tuple[tuple[str, str], ...]  # (title, anchor), in order
    passages: tuple[Passage, ...]

    @property
    def whole(self) -> Citation:
        return Citation("", self.title, "", self.title)

    def cite_title(self, emphasised: str) -> Citation | None:
        """The citation an emphasised phrase makes: the whitepaper's title, or one section's title in full or
        shortened; else None."""
        wanted = normalize(emphasised).rstrip(".:;,")
        if wanted == normalize(self.title):
            return self.whole
        matches = [(title, anchor) for title, anchor in self.sections if _shortens(wanted, normalize(title))]
        if len(matches) != 1:
            return None
        title, anchor = matches[0]
        return Citation(anchor, title, anchor, title)

    def cite_quote(self, quoted: str) -> Citation | None:
        """The paragraph a quotation comes from: every part of it between ellipses and edits is the whitepaper's
        words, and the first part is in that paragraph; else None."""
        parts = [part.strip(" .,;:") for part in _EDIT.split(normalize(quoted))]
        parts = [part for part in parts if part]
        if sum(len(part.split()) for part in parts) < 2 or len(" ".join(parts)) < _MIN_QUOTE_CHARS:
            return None
        whole_text = " ".join(passage.text for passage in self.passages)
        if not all(part in whole_text for part in parts):
            return None
        for passage in self.passages:
            if parts[0] in passage.text:
                return Citation(passage.anchor, passage.label, passage.section_anchor, passage.section_title)
        return None


def _shortens(phrase: str, title: str) -> bool:
    """Whether ``phrase`` (normalized) is ``title`` or, in two words or more, its start or its end: how a chapter
    shortens a long title (*Dynamic sequencer bonds*, *Microservice framework*)."""
    if phrase == title:
        return True
    words, title_words = phrase.split(), title.split()
    return len(words) >= 2 and words in (title_words[: len(words)], title_words[-len(words) :])


def _inline_text(inline: Token) -> str:
    pieces = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            pieces.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            pieces.append(" ")
    return "".join(pieces)


def read_whitepaper(text: str, title: str, docname: str) -> Whitepaper:
    """Sections (``##``) and their paragraphs; paragraphs before the first section are the page's own preface."""
    tokens = MarkdownIt("commonmark").parse(text)
    sections: list[tuple[str, str]] = []
    passages: list[Passage] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2":
            section_title = _inline_text(tokens[index + 1])
            sections.append((section_title, slug(section_title)))
        elif token.type == "paragraph_open" and sections:
            section_title, anchor = sections[-1]
            number = sum(1 for passage in passages if passage.section_anchor == anchor) + 1
            passages.append(Passage(section_title, anchor, number, normalize(_inline_text(tokens[index + 1]))))
    return Whitepaper(title, docname, tuple(sections), tuple(passages))


@cache
def _load_whitepaper(path: Path, title: str, docname: str, text: str) -> Whitepaper:
    return read_whitepaper(text, title, docname)


def whitepaper_of(env: BuildEnvironment) -> Whitepaper:
    path = Path(env.config.whitepaper_source)
    return _load_whitepaper(path, env.config.whitepaper_title, env.config.whitepaper_docname, path.read_text("utf-8"))


# -- The whitepaper's page: its anchors --------------------------------------------------------------------------


def _section_title(section: nodes.section) -> str:
    return section[0].astext() if isinstance(section[0], nodes.title) else ""


class AnchorPassages(SphinxTransform):
    """On the whitepaper's page, give each section and paragraph the anchor the citations link to."""

    default_priority = 805

    def apply(self, **kwargs: Any) -> None:
        whitepaper = whitepaper_of(self.env)
        if self.env.docname != whitepaper.docname:
            return
        anchors = {normalize(title): anchor for title, anchor in whitepaper.sections}
        seen: list[Passage] = []
        for section in self.document.findall(nodes.section):
            anchor = anchors.get(normalize(_section_title(section)))
            if anchor is None:
                continue
            self._give_id(section, anchor)
            expected = [passage for passage in whitepaper.passages if passage.section_anchor == anchor]
            shown = [paragraph for paragraph in section.findall(nodes.paragraph)]
            for passage, paragraph in zip(expected, shown):
                if normalize(paragraph.astext()) != passage.text:
                    logger.warning("whitepaper paragraph %s reads differently on the page", passage.anchor, location=paragraph)
                self._give_id(paragraph, passage.anchor)
            if len(expected) != len(shown):
                logger.warning(
                    "whitepaper section %r: %d paragraphs read, %d on the page", anchor, len(expected), len(shown),
                    location=section,
                )
            seen.extend(expected)
        if len(seen) != len(whitepaper.passages):
            logger.warning("the whitepaper's page lacks sections the citations link to", location=self.env.docname)

    def _give_id(self, node: Element, anchor: str) -> None:
        if anchor in node["ids"]:
            node["ids"].remove(anchor)
        node["ids"].insert(0, anchor)
        self.document.ids[anchor] = node


# -- Every other page: the citations, and the line under each definition ------------------------------------------


def _reference(whitepaper: Whitepaper, citation: Citation, content: Element) -> addnodes.pending_xref:
    """A link to the cited passage around ``content`` (which is moved into it if it is in the document)."""
    xref = addnodes.pending_xref(
        "", refdomain=DOMAIN, reftype="anchor", reftarget=citation.anchor, refexplicit=True, refwarn=True,
        spec_target_doc=whitepaper.docname, reftitle=f"Whitepaper: {citation.label}",
    )
    if content.parent is not None:
        content.replace_self(xref)
    xref += content
    return xref


def _in_link_or_code(node: Node) -> bool:
    parent: Node | None = node
    while parent is not None:
        if isinstance(parent, (nodes.reference, addnodes.pending_xref, nodes.FixedTextElement, nodes.literal, nodes.title)):
            return True
        parent = parent.parent
    return False


def _sections_around(node: Node) -> list[nodes.section]:
    """The sections holding ``node``, nearest first."""
    around = []
    parent = node.parent
    while parent is not None:
        if isinstance(parent, nodes.section):
            around.append(parent)
        parent = parent.parent
    return around


class LinkCitations(SphinxTransform):
    """Link each citation of the whitepaper, and write the whitepaper line under each definition."""

    default_priority = 810  # after SmartQuotes (750), whose curly quotes mark the quotations, and the anchors (800)

    def apply(self, **kwargs: Any) -> None:
        whitepaper = whitepaper_of(self.env)
        if self.env.docname == whitepaper.docname:
            return
        self.env.note_dependency(self.env.config.whitepaper_source)
        cited: list[tuple[Node, Citation]] = []
        for emphasis in list(self.document.findall(nodes.emphasis)):
            citation = whitepaper.cite_title(emphasis.astext())
            if citation is not None and not _in_link_or_code(emphasis):
                xref = _reference(whitepaper, citation, emphasis)
                cited.append((xref, citation))
        for element in list(self.document.findall(nodes.TextElement)):
            if not _in_link_or_code(element):
                cited.extend(_link_quotations(whitepaper, element))
        position = {id(node): index for index, node in enumerate(self.document.findall())}
        cited.sort(key=lambda pair: position[id(pair[0])])  # document order: the line lists passages as cited
        if any(DEFINITION_CLASS in node["classes"] for node in self.document.findall(Element)):
            self._write_lines(whitepaper, cited)

    def _write_lines(self, whitepaper: Whitepaper, cited: list[tuple[Node, Citation]]) -> None:
        by_section: dict[int, list[Citation]] = {}  # id() of a section -> the citations in its own text
        for node, citation in cited:
            around = _sections_around(node)
            if around:
                by_section.setdefault(id(around[0]), []).append(citation)
        chapter = self._chapter_citations(whitepaper, cited)
        for section in list(self.document.findall(nodes.section)):
            holds_definition = DEFINITION_CLASS in section["classes"] or any(
                DEFINITION_CLASS in row["classes"]
                for table in section.children
                if isinstance(table, nodes.table)
                for row in table.findall(nodes.row)
            )
            if not holds_definition:
                continue
            citations: list[Citation] = []
            scope: Node | None = section
            while isinstance(scope, nodes.section) and scope.parent is not self.document and not citations:
                citations = by_section.get(id(scope), [])
                scope = scope.parent
            self._insert_line(section, _distinct(citations or chapter), whitepaper)

    def _chapter_citations(self, whitepaper: Whitepaper, cited: list[tuple[Node, Citation]]) -> list[Citation]:
        """What the chapter as a whole makes precise: the sections its opening text and its Introduction name or
        quote, in order; else (it cites only the whitepaper as a whole) the whole whitepaper."""
        top = next(iter(self.document.findall(nodes.section)), None)
        opening: list[Citation] = []
        for node, citation in cited:
            around = _sections_around(node)
            if around and around[0] is top:
                opening.append(citation)
            elif any(
                section.parent is top and normalize(_section_title(section)) == "introduction" for section in around
            ):
                opening.append(citation)
        sections = _distinct(
            [
                Citation(citation.section_anchor, citation.section_title, citation.section_anchor, citation.section_title)
                for citation in opening
                if citation.section_anchor
            ]
        )
        return sections or [whitepaper.whole]

    def _insert_line(self, section: nodes.section, citations: list[Citation], whitepaper: Whitepaper) -> None:
        line = nodes.paragraph("", "", classes=[LINE_CLASS])
        line += nodes.Text("Whitepaper: ")
        for position, citation in enumerate(citations):
            if position:
                line += nodes.Text("; ")
            line += _reference(whitepaper, citation, nodes.inline(citation.label, citation.label))
        position = 1
        while position < len(section) and isinstance(section[position], addnodes.index):
            position += 1
        section.insert(position, line)


def _distinct(citations: list[Citation]) -> list[Citation]:
    seen: set[str] = set()
    kept = []
    for citation in citations:
        if citation.anchor not in seen:
            seen.add(citation.anchor)
            kept.append(citation)
    return kept


def _link_quotations(whitepaper: Whitepaper, element: Element) -> list[tuple[Node, Citation]]:
    """Link the quotations in the runs of plain text of ``element`` (a quotation broken by code or emphasis is left
    alone); returns the links made."""
    made: list[tuple[Node, Citation]] = []
    children: list[Node] = []
    run: list[nodes.Text] = []

    def end_run() -> None:
        text = "".join(str(piece) for piece in run)
        start = 0
        pieces: list[Node] = []
        for match in _QUOTE.finditer(text):
            citation = whitepaper.cite_quote(match.group(1) if match.group(1) is not None else match.group(2))
            if citation is None:
                continue
            if match.start() > start:
                pieces.append(nodes.Text(text[start : match.start()]))
            quotation = nodes.inline(match.group(0), match.group(0), classes=[QUOTE_CLASS])
            xref = _reference(whitepaper, citation, quotation)
            pieces.append(xref)
            made.append((xref, citation))
            start = match.end()
        if pieces:
            if start < len(text):
                pieces.append(nodes.Text(text[start:]))
            children.extend(pieces)
        else:
            children.extend(run)
        run.clear()

    for child in element.children:
        if isinstance(child, nodes.Text):
            run.append(child)
        else:
            end_run()
            children.append(child)
    end_run()
    if made:
        element[:] = children
    return made


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("spec_definitions")
    app.add_config_value("whitepaper_source", "", "env", types=[str])
    app.add_config_value("whitepaper_docname", "whitepaper", "env", types=[str])
    app.add_config_value("whitepaper_title", "Technical Fundamentals", "env", types=[str])
    app.add_transform(AnchorPassages)
    app.add_transform(LinkCitations)
    return {"version": "1", "env_version": 1, "parallel_read_safe": True, "parallel_write_safe": True}
