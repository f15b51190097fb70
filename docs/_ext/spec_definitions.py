"""Sphinx extension: every definition of the spec has an anchor, an entry in the general index, and a link from
every mention of it, in any chapter.

The definitions are the compiler's own: ``mvm_spec.compiler.forks`` reads ``spec/`` exactly as ``mvm-spec build``
does (functions, classes, errors, constants, preset values and custom types, each with its fork and chapter), so
the site and the rendered modules cannot disagree on what the spec defines. On each chapter's page:

- a definition written under a heading (```### `compute_tax` ```) gets its name as the section's first id, and a
  table row defining a constant, preset value or custom type gets its name as the row's id: ``l2-chain.html#
  compute_tax``, ``bridge.html#FRAUD_PROOF_WINDOW``; a definition of the chapter that finds no heading or row is a
  build warning;
- each gets an entry in the general index (``compute_tax (function in v1)``) and in ``objects.inv``;
- every inline code span in prose that names a definition (```compute_tax```, ```compute_tax(value, schedule)```,
  ```Charter.taxrates```) links to it, except inside the definition itself and in headings; the name resolves in
  the page's fork (a ``v2`` page reaches ``v2``'s modified definition, and ``v1``'s for everything ``v2`` leaves
  alone), and on a page outside the spec to the fork that first defines it;
- in every ``python`` block, each name of a definition links to it (a token Pygments calls a plain name, not an
  attribute after a dot).
"""

from __future__ import annotations

import ast
import hashlib
import html
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Iterable, Iterator, Literal

from docutils import nodes
from docutils.nodes import Element, Node
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.domains import Domain, ObjType
from sphinx.environment import BuildEnvironment
from sphinx.roles import XRefRole
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.nodes import make_refnode
from sphinx.writers.html5 import HTML5Translator

from mvm_spec.compiler.forks import fork_lineage, load_fork_sources, read_fork
from mvm_spec.compiler.source import Definition

logger = logging.getLogger(__name__)

DOMAIN = "spec"
ObjectKind = Literal["function", "class", "error", "constant", "preset", "type", "removed"]
KIND_LABELS: dict[ObjectKind, str] = {
    "function": "function",
    "class": "class",
    "error": "error",
    "constant": "constant",
    "preset": "preset value",
    "type": "custom type",
    "removed": "removed definition",
}
_LABEL_OF_KIND: dict[str, str] = {kind: label for kind, label in KIND_LABELS.items()}  # looked up by the kind strings stored in the environment
TABLE_KINDS: frozenset[ObjectKind] = frozenset({"constant", "preset", "type"})
DEFINITION_CLASS = "spec-definition"  # on each anchored section and table row, for CSS and the whitepaper lines
_MENTION = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\(.*\)|\.[A-Za-z_][A-Za-z0-9_.]*)?", re.DOTALL)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ERROR_ROOTS = frozenset({"Exception", "BaseException"})


@dataclass(frozen=True)
class SpecObject:
    """One definition as the site shows it: where its anchor is, and what kind of thing it is."""

    name: str
    fork: str
    kind: ObjectKind
    change: str  # "", "New", "Modified" or "Removed", as its heading says
    docname: str  # the page of its chapter: spec/<fork>/<chapter without .md>

    @property
    def index_entry(self) -> str:
        """``compute_tax (function in v1)``, ``is_state_batch_final (modified function in v2)``."""
        label = KIND_LABELS[self.kind]
        if self.change in ("New", "Modified"):
            label = f"{self.change.lower()} {label}"
        return f"{self.name} ({label} in {self.fork})"


@dataclass(frozen=True)
class SpecCatalog:
    """Every definition of every fork, by fork, with each fork's lineage (newest first)."""

    objects: dict[str, dict[str, SpecObject]]  # fork -> name -> the definition that fork's own chapters write
    lineages: dict[str, tuple[str, ...]]  # fork -> that fork and every earlier one, newest first
    docname_prefix: str
    fingerprint: str  # changes when any chapter's text changes

    def fork_of(self, docname: str) -> str | None:
        """The fork whose chapter ``docname`` is, or None for a page outside the spec."""
        parts = docname.split("/")
        if len(parts) == 3 and parts[0] == self.docname_prefix and parts[1] in self.objects:
            return parts[1]
        return None

    def in_chapter(self, docname: str) -> dict[str, SpecObject]:
        fork = self.fork_of(docname)
        if fork is None:
            return {}
        return {name: obj for name, obj in self.objects[fork].items() if obj.docname == docname}

    def search_order(self, fork: str | None) -> tuple[str, ...]:
        """The forks a mention on a page of ``fork`` looks in, in order: its lineage newest first, or, outside the
        spec, every fork oldest first (a mention there means the definition where it was introduced)."""
        if fork is None:
            return tuple(self.objects)
        return self.lineages[fork]

    def visible(self, fork: str | None) -> dict[str, SpecObject]:
        """Each name a page of ``fork`` can mention, with the definition the mention means."""
        found: dict[str, SpecObject] = {}
        for searched in self.search_order(fork):
            for name, obj in self.objects[searched].items():
                found.setdefault(name, obj)
        return found


def _code_kinds(definitions: Iterable[Definition]) -> dict[str, ObjectKind]:
    """The kind of each code definition: a function, an error (a class deriving from Exception, through the spec's
    own error classes), or another class (a container)."""
    bases: dict[str, list[str]] = {}
    kinds: dict[str, ObjectKind] = {}
    for definition in definitions:
        if definition.kind != "code":
            continue
        statement = ast.parse(definition.text).body[0]
        if isinstance(statement, ast.ClassDef):
            bases[definition.name] = [base.id for base in statement.bases if isinstance(base, ast.Name)]
            kinds[definition.name] = "class"
        else:
            kinds[definition.name] = "function"

    def is_error(name: str, seen: frozenset[str]) -> bool:
        return any(
            base in _ERROR_ROOTS or (base in bases and base not in seen and is_error(base, seen | {base}))
            for base in bases.get(name, [])
        )

    return {name: ("error" if kind == "class" and is_error(name, frozenset({name})) else kind) for name, kind in kinds.items()}


def _object_kind(definition: Definition, code_kinds: dict[str, ObjectKind]) -> ObjectKind:
    if definition.kind == "code":
        return code_kinds[definition.name]
    if definition.kind == "removed":
        return "removed"
    if definition.kind in ("constant", "preset", "type"):
        return definition.kind
    raise ValueError(f"{definition.where}: unknown definition kind {definition.kind!r}")


def load_catalog(spec_root: Path, docname_prefix: str) -> SpecCatalog:
    """Read every fork of ``spec_root`` with the compiler's reader."""
    return _load_catalog(spec_root.resolve(), docname_prefix, _spec_fingerprint(spec_root.resolve()))


def _spec_fingerprint(spec_root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(spec_root.rglob("*")):
        if path.is_file() and path.suffix in (".md", ".yaml"):
            digest.update(path.relative_to(spec_root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@cache
def _load_catalog(spec_root: Path, docname_prefix: str, fingerprint: str) -> SpecCatalog:
    forks = load_fork_sources(spec_root)
    written = {fork.name: read_fork(fork) for fork in forks}
    code_kinds = _code_kinds(definition for definitions in written.values() for definition in definitions)
    objects: dict[str, dict[str, SpecObject]] = {}
    for fork in forks:
        objects[fork.name] = {}
        for definition in written[fork.name]:
            chapter = Path(definition.path).stem
            objects[fork.name][definition.name] = SpecObject(
                name=definition.name,
                fork=fork.name,
                kind=_object_kind(definition, code_kinds),
                change=definition.change,
                docname=f"{docname_prefix}/{fork.name}/{chapter}",
            )
    lineages = {fork.name: tuple(reversed(fork_lineage(forks, fork.name))) for fork in forks}
    return SpecCatalog(objects, lineages, docname_prefix, fingerprint)


def catalog_of(env: BuildEnvironment) -> SpecCatalog:
    return load_catalog(Path(env.config.spec_root), env.config.spec_docname_prefix)


def mentioned_name(text: str) -> str | None:
    """The definition name an inline code span mentions: ``name``, ``name(args)`` or ``name.field``; else None."""
    match = _MENTION.fullmatch(text.strip())
    return match.group(1) if match else None


# -- The domain: objects for the index and objects.inv, and resolution of the links ----------------------------


class SpecDomain(Domain):
    """The spec's definitions, resolved per fork. ``{spec:def}`name``` links from any page (``v2.name`` picks a
    fork); the links this extension makes itself are the same references."""

    name = DOMAIN
    label = "MVM specification"
    object_types = {kind: ObjType(kind_label, "def") for kind, kind_label in KIND_LABELS.items()}
    roles = {"def": XRefRole()}
    initial_data = {"objects": {}}  # (fork, name) -> (docname, anchor, kind)

    @property
    def objects(self) -> dict[tuple[str, str], tuple[str, str, str]]:
        objects: dict[tuple[str, str], tuple[str, str, str]] = self.data["objects"]
        return objects

    def note_object(self, obj: SpecObject, anchor: str) -> None:
        self.objects[(obj.fork, obj.name)] = (obj.docname, anchor, obj.kind)

    def clear_doc(self, docname: str) -> None:
        for key, (objdoc, _anchor, _kind) in list(self.objects.items()):
            if objdoc == docname:
                del self.objects[key]

    def merge_domaindata(self, docnames: Any, otherdata: dict[str, Any]) -> None:
        for key, value in otherdata["objects"].items():
            if value[0] in docnames:
                self.objects[key] = value

    def _forks_to_search(self, node: Element, target: str) -> tuple[list[str], str]:
        forks = sorted({fork for fork, _name in self.objects})
        prefix, _dot, rest = target.partition(".")
        if rest and prefix in forks:
            return [prefix], rest
        searched: list[str] | None = node.get("spec_forks")
        return (searched if searched is not None else forks), target

    def resolve_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        typ: str,
        target: str,
        node: addnodes.pending_xref,
        contnode: Element,
    ) -> nodes.reference | None:
        if typ == "anchor":  # a target whose page and anchor are already known (the whitepaper's passages)
            return make_refnode(builder, fromdocname, node["spec_target_doc"], target or None, contnode, node.get("reftitle"))
        forks, name = self._forks_to_search(node, target)
        for fork in forks:
            found = self.objects.get((fork, name))
            if found is not None:
                docname, anchor, kind = found
                title = f"{name} ({_LABEL_OF_KIND.get(kind, kind)} in {fork})"
                return make_refnode(builder, fromdocname, docname, anchor, contnode, title)
        return None

    def resolve_any_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        target: str,
        node: addnodes.pending_xref,
        contnode: Element,
    ) -> list[tuple[str, nodes.reference]]:
        found = self.resolve_xref(env, fromdocname, builder, "def", target, node, contnode)
        return [(f"{DOMAIN}:def", found)] if found is not None else []

    def get_objects(self) -> Iterator[tuple[str, str, str, str, str, int]]:
        for (fork, name), (docname, anchor, kind) in sorted(self.objects.items()):
            yield f"{fork}.{name}", name, kind, docname, anchor, 1

    def lookup(self, forks: Iterable[str], name: str) -> tuple[str, str] | None:
        """(page, anchor) of ``name`` in the first of ``forks`` that defines it."""
        for fork in forks:
            found = self.objects.get((fork, name))
            if found is not None:
                return found[0], found[1]
        return None


def spec_domain(env: BuildEnvironment) -> SpecDomain:
    domain = env.domains[DOMAIN]
    assert isinstance(domain, SpecDomain)
    return domain


# -- Read time: anchors and index entries on the chapter pages, links from every page ---------------------------


def _give_anchor(document: nodes.document, node: Element, obj: SpecObject) -> bool:
    """Make ``obj.name`` the first id of ``node``; False (and a warning) if another element of the page has it."""
    holder = document.ids.get(obj.name)
    if holder is not None and holder is not node:
        logger.warning(
            "the anchor of %s `%s` would clash with the id of another element of %s",
            KIND_LABELS[obj.kind], obj.name, obj.docname, location=node, type=DOMAIN, subtype="anchor",
        )
        return False
    if obj.name in node["ids"]:
        node["ids"].remove(obj.name)
    node["ids"].insert(0, obj.name)
    node["classes"].append(DEFINITION_CLASS)
    document.ids[obj.name] = node
    return True


def _index_node(obj: SpecObject) -> addnodes.index:
    return addnodes.index(entries=[("single", obj.index_entry, obj.name, "", None)])


def _only_literal(element: Element) -> nodes.literal | None:
    literals = list(element.findall(nodes.literal))
    return literals[0] if len(literals) == 1 else None


class AnchorDefinitions(SphinxTransform):
    """On a chapter's page, put each definition the chapter writes at an anchor named after it, with an index
    entry, and warn about any definition that finds no heading or table row."""

    default_priority = 800

    def apply(self, **kwargs: Any) -> None:
        docname = self.env.docname
        own = catalog_of(self.env).in_chapter(docname)
        if not own:
            return
        domain = spec_domain(self.env)
        anchored: set[str] = set()
        for section in list(self.document.findall(nodes.section)):
            literal = _only_literal(section[0]) if isinstance(section[0], nodes.title) else None
            obj = own.get(literal.astext()) if literal is not None else None
            if obj is None or obj.kind in TABLE_KINDS or obj.name in anchored:
                continue
            if _give_anchor(self.document, section, obj):
                section.insert(1, _index_node(obj))
                domain.note_object(obj, obj.name)
                anchored.add(obj.name)
        for row in list(self.document.findall(nodes.row)):
            if not isinstance(row.parent, nodes.tbody) or not len(row):
                continue
            first_cell = row[0]
            if not isinstance(first_cell, nodes.entry):
                continue
            literal = _only_literal(first_cell)
            if literal is None or literal.astext() != first_cell.astext().strip():
                continue
            obj = own.get(literal.astext())
            if obj is None or obj.kind not in TABLE_KINDS or obj.name in anchored:
                continue
            if _give_anchor(self.document, row, obj):
                literal.parent.insert(literal.parent.index(literal), _index_node(obj))
                domain.note_object(obj, obj.name)
                anchored.add(obj.name)
        for name in sorted(set(own) - anchored):
            logger.warning(
                "%s `%s` of %s has no heading or table row naming it on the page",
                KIND_LABELS[own[name].kind], name, docname, location=docname, type=DOMAIN, subtype="anchor",
            )


def _is_linkable_context(node: Node) -> bool:
    """False inside a heading or an existing link: a link there would be nested or would clutter the contents."""
    parent = node.parent
    while parent is not None:
        if isinstance(parent, (nodes.title, nodes.reference, addnodes.pending_xref, nodes.FixedTextElement)):
            return False
        parent = parent.parent
    return True


def _inside_anchor_of(node: Node, name: str) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, Element) and name in parent.get("ids", []) and DEFINITION_CLASS in parent["classes"]:
            return True
        parent = parent.parent
    return False


class LinkMentions(SphinxTransform):
    """Turn each inline code span naming a definition into a reference to it."""

    default_priority = 801  # after AnchorDefinitions, so a definition's own anchor is known on its page

    def apply(self, **kwargs: Any) -> None:
        catalog = catalog_of(self.env)
        fork = catalog.fork_of(self.env.docname)
        visible = catalog.visible(fork)
        searched = list(catalog.search_order(fork))
        for literal in list(self.document.findall(nodes.literal)):
            name = mentioned_name(literal.astext())
            if name is None or name not in visible or not _is_linkable_context(literal):
                continue
            if visible[name].docname == self.env.docname and _inside_anchor_of(literal, name):
                continue
            xref = addnodes.pending_xref(
                "", refdomain=DOMAIN, reftype="def", reftarget=name, refexplicit=True, refwarn=True,
                refdoc=self.env.docname, spec_forks=searched,
            )
            literal.replace_self(xref)
            xref += literal


# -- Write time: names in python blocks ---------------------------------------------------------------------------

CODE_LINKS = "spec_code_links"  # attribute of a python literal_block: {name: uri}, set once its page is resolved


def link_code_names(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Give each python block of the page the URIs of the definitions its names mention (see the translator)."""
    catalog = catalog_of(app.env)
    fork = catalog.fork_of(docname)
    visible = catalog.visible(fork)
    searched = catalog.search_order(fork)
    domain = spec_domain(app.env)
    for block in doctree.findall(nodes.literal_block):
        if block.get("language") != "python":
            continue
        links: dict[str, str] = {}
        for name in sorted(set(_IDENTIFIER.findall(block.astext())) & set(visible)):
            found = domain.lookup(searched, name)
            if found is not None:
                target_doc, anchor = found
                uri = "" if target_doc == docname else app.builder.get_relative_uri(docname, target_doc)
                links[name] = f"{uri}#{anchor}"
        block[CODE_LINKS] = links


def link_highlighted_names(highlighted: str, links: dict[str, str]) -> str:
    """Wrap each Pygments plain-name token that is a key of ``links`` in a link; attribute names (after ``.``)
    and the name being defined (``def``/``class`` tokens have other classes) stay as they are."""
    if not links:
        return highlighted
    names = "|".join(re.escape(name) for name in sorted(links, key=len, reverse=True))
    pattern = re.compile(rf'(?<!<span class="o">\.</span>)<span class="n">({names})</span>')
    return pattern.sub(
        lambda match: (
            f'<a class="reference internal spec-code-ref" href="{html.escape(links[match.group(1)])}">'
            f"{match.group(0)}</a>"
        ),
        highlighted,
    )


class SpecHTMLTranslator(HTML5Translator):
    """Sphinx's HTML translator, with the names of definitions in python blocks linked."""

    def visit_literal_block(self, node: nodes.literal_block) -> None:
        start = len(self.body)
        try:
            super().visit_literal_block(node)
        except nodes.SkipNode:
            links: dict[str, str] = node.get(CODE_LINKS, {})
            self.body[start:] = [link_highlighted_names(part, links) for part in self.body[start:]]
            raise


# -- Incremental builds -------------------------------------------------------------------------------------------


def outdated_when_spec_changes(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Every page, when any chapter changed: a name defined or removed anywhere changes links on every page."""
    fingerprint = catalog_of(env).fingerprint
    previous = getattr(env, "spec_definitions_fingerprint", None)
    env.spec_definitions_fingerprint = fingerprint  # type: ignore[attr-defined]
    if previous is not None and previous != fingerprint:
        return sorted(env.found_docs)
    return []


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("spec_root", "", "env", types=[str])
    app.add_config_value("spec_docname_prefix", "spec", "env", types=[str])
    app.add_domain(SpecDomain)
    app.add_transform(AnchorDefinitions)
    app.add_transform(LinkMentions)
    app.connect("env-get-outdated", outdated_when_spec_changes)
    app.connect("doctree-resolved", link_code_names)
    app.set_translator("html", SpecHTMLTranslator)
    app.set_translator("dirhtml", SpecHTMLTranslator)
    return {"version": "1", "env_version": 1, "parallel_read_safe": True, "parallel_write_safe": True}
