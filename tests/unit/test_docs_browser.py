"""The rendered specification, checked in a real headless Chromium.

The docs are built (with -W: a warning fails the build) into a temporary directory and served on localhost. Every
chapter page must load with its title, its per-page contents panel and highlighted Python; every link of a chapter
into the site must land on an element of its target page (``document.getElementById`` there); every code span in a
chapter's prose that names a definition must be a link (except in the definition's own section); a definition link
from one chapter must land on the definition in another, and a "Whitepaper:" link on the passage; and the general
index must list every definition the compiler reads.

Chromium comes from the system (``make install`` installs Debian's ``chromium`` when it is missing); playwright only
drives it. Without Chromium the test is skipped, except under CI, where a missing browser is a failure.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag

import pytest
import yaml

from mvm_spec.compiler.forks import fork_lineage, load_fork_sources, read_fork

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # the network is closed: without these Chromium floods refused connections
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1440, "height": 900}  # wide enough for Furo to show the page's contents panel beside the text
_MENTION = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\(.*\)|\.[A-Za-z_][A-Za-z0-9_.]*)?", re.DOTALL)


def find_chromium() -> str | None:
    return os.environ.get("MVM_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def chapter_pages() -> list[tuple[str, str]]:
    """(fork, page path) of every chapter in spec/forks.yaml, as the site names them."""
    forks = yaml.safe_load((ROOT / "spec" / "forks.yaml").read_text(encoding="utf-8"))
    return [
        (str(fork), f"spec/{fork}/{chapter.removesuffix('.md')}.html")
        for fork, entry in forks.items()
        for chapter in entry["chapters"]
    ]


def chapter_title(page: str) -> str:
    """The chapter's first heading as the browser shows it (no backticks)."""
    source = ROOT / page.removesuffix(".html")
    first_line = source.with_suffix(".md").read_text(encoding="utf-8").splitlines()[0]
    return first_line.removeprefix("# ").replace("`", "")


@pytest.fixture(scope="module")
def chromium() -> str:
    path = find_chromium()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing under CI: `make install` should have installed it")
        pytest.skip("no Chromium here (`make install` installs Debian's chromium as root); set MVM_CHROMIUM to use one")
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The docs, freshly built with -W, served on localhost; yields the base URL."""
    out = tmp_path_factory.mktemp("docs")
    build = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", "-d", str(out / "doctrees"),
         "docs", str(out / "html")],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert build.returncode == 0, f"the docs build failed or warned:\n{build.stderr}"

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(out / "html"))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A browser context on a fresh profile (playwright launches the given binary; it downloads nothing)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=chromium,
            args=CHROMIUM_FLAGS,
            headless=True,
            viewport=VIEWPORT,  # type: ignore[arg-type]
        )
        try:
            yield context
        finally:
            context.close()


def names_in_force(fork: str) -> set[str]:
    forks = load_fork_sources(ROOT / "spec")
    by_name = {source.name: source for source in forks}
    return {definition.name for name in fork_lineage(forks, fork) for definition in read_fork(by_name[name])}


# Code spans of the prose (not headings, not code blocks): their text, whether they are inside a link, and whether
# they sit inside the element whose id is their own name (a definition mentioning itself).
_PROSE_CODE = """() => Array.from(document.querySelectorAll('article code.literal')).filter(
    el => !el.closest('pre, h1, h2, h3, h4, h5, h6')).map(el => {
        const name = el.textContent.trim().match(/^[A-Za-z_][A-Za-z0-9_]*/);
        const own = name ? el.closest('[id="' + name[0] + '"]') : null;
        return {text: el.textContent.trim(), linked: el.closest('a') !== null, own: own !== null};
    })"""


def test_every_chapter_loads_and_every_link_lands(site: str, browser: Any) -> None:
    page = browser.new_page()
    links: dict[str, set[str]] = {}  # target page URL -> anchors linked to on it
    unlinked: list[str] = []
    for fork, path in chapter_pages():
        response = page.goto(site + path)
        assert response is not None and response.ok, path
        shown_title = page.title().replace("’", "'")  # Sphinx's SmartQuotes curls the apostrophes
        assert shown_title.startswith(chapter_title(path)), (path, shown_title)
        assert page.locator(".toc-drawer").is_visible(), f"{path}: no contents panel"
        assert page.locator(".toc-drawer .toc-tree a").count() > 2, f"{path}: an empty contents panel"
        assert page.locator("div.highlight-python pre span.k").count() > 0, f"{path}: no highlighted Python"
        for href in page.eval_on_selector_all("a[href]", "elements => elements.map(e => e.href)"):
            target, fragment = urldefrag(href)
            if target.startswith(site) and fragment:
                links.setdefault(target, set()).add(unquote(fragment))
        defined = names_in_force(fork)
        for span in page.evaluate(_PROSE_CODE):
            match = _MENTION.fullmatch(span["text"])
            if match and match.group(1) in defined and not span["linked"] and not span["own"]:
                unlinked.append(f"{path}: `{span['text']}`")
    assert not unlinked, "code spans naming a definition without a link:\n" + "\n".join(unlinked)
    assert len(links) > len(chapter_pages()), "the chapters link to fewer pages than there are chapters"
    missing: list[str] = []
    for target, anchors in sorted(links.items()):
        response = page.goto(target)
        assert response is not None and response.ok, target
        lost = page.evaluate("anchors => anchors.filter(a => document.getElementById(a) === null)", sorted(anchors))
        missing.extend(f"{target}#{anchor}" for anchor in lost)
    assert not missing, "links whose anchor is not on the target page:\n" + "\n".join(missing)


def test_a_definition_link_lands_on_the_definition_in_another_chapter(site: str, browser: Any) -> None:
    page = browser.new_page()
    page.goto(site + "spec/v1/execution.html")
    link = page.locator('a[href$="l2-chain.html#compute_tax"]').first
    assert link.inner_text() == "compute_tax"
    link.click()
    page.wait_for_url("**/spec/v1/l2-chain.html#compute_tax")
    landed = page.locator(":target")
    assert landed.get_attribute("id") == "compute_tax"
    assert landed.locator("h3").first.inner_text().startswith("compute_tax")
    assert "def compute_tax(" in landed.locator("pre").first.inner_text()
    # the browser scrolls to the fragment once the page has laid out: wait for it (fails after 5 s)
    page.wait_for_function(
        "limit => { const top = document.getElementById('compute_tax').getBoundingClientRect().top;"
        " return 0 <= top && top < limit; }",
        arg=VIEWPORT["height"] / 2,
        timeout=5000,
    )
    # its code links onward: the helper it calls, on the same page
    assert landed.locator('pre a[href="#validate_tax_schedule"]').count() == 1


def test_a_definition_reaches_its_whitepaper_passage_in_one_click(site: str, browser: Any) -> None:
    page = browser.new_page()
    page.goto(site + "spec/v1/l2-chain.html#compute_tax")
    line = page.locator("#compute_tax p.spec-whitepaper")
    assert line.inner_text().startswith("Whitepaper: DAC Charter to govern the operation rules")
    line.locator("a").first.click()
    page.wait_for_url("**/whitepaper.html#dac-charter-to-govern-the-operation-rules")
    assert page.locator(":target h2").inner_text().startswith("DAC Charter to govern the operation rules")
    # a quotation lands on the paragraph it quotes
    page.goto(site + "spec/v1/l2-chain.html")
    page.locator("a:has(> .spec-whitepaper-quote)", has_text="The charter will be created during the").first.click()
    page.wait_for_url("**/whitepaper.html#dac-charter-to-govern-the-operation-rules-p*")
    assert "The charter will be created during the genesis" in page.locator(":target").inner_text()


def test_the_general_index_lists_every_definition(site: str, browser: Any) -> None:
    page = browser.new_page()
    page.goto(site + "genindex.html")
    listed = set(page.eval_on_selector_all("article a[href]", "elements => elements.map(e => e.getAttribute('href'))"))
    expected = {
        f"spec/{fork.name}/{Path(definition.path).stem}.html#{definition.name}"
        for fork in load_fork_sources(ROOT / "spec")
        for definition in read_fork(fork)
    }
    assert len(expected) > 500
    assert sorted(expected - listed) == []
