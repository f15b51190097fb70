"""The spec's content ids against IPFS's own JavaScript importer, run live (spec/v1/storage.md).

`ipfs-unixfs-importer` (installed by `make install` into tests/ipfs_importer, pinned by its package-lock) is the
importer IPFS's JavaScript implementations use; it is written and maintained apart from this spec and from the
Python libraries the spec uses. For every size around every layout boundary — one chunk, one node full, each new
level of the tree — and for IPFS's default layout and smaller ones that reach deep trees with little data, the
spec's `compute_cid_with_layout` must print exactly the CID the importer prints for the same bytes.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

from mvm_spec.forks.v1 import mainnet

IMPORTER = Path(__file__).resolve().parents[1] / "ipfs_importer"
SCRIPT = IMPORTER / "import_cids.mjs"


def boundary_sizes(chunk_size: int, max_links: int, levels: int) -> list[int]:
    """0, 1, and one byte either side of a chunk and of each full level (chunk * links**level)."""
    sizes = {0, 1}
    for level in range(levels + 1):
        full = chunk_size * max_links**level
        sizes |= {full - 1, full, full + 1}
    return sorted(size for size in sizes if size >= 0)


def importer_cids(tmp_path: Path, chunk_size: int, max_links: int, contents: list[bytes]) -> list[str]:
    """The CID ipfs-unixfs-importer prints for each content under the layout (one node process for all)."""
    if shutil.which("node") is None or not (IMPORTER / "node_modules").is_dir():
        pytest.fail("the JavaScript importer is not installed: run `make install` (it needs node and npm)")
    paths = []
    for number, content in enumerate(contents):
        path = tmp_path / f"content-{chunk_size}-{max_links}-{number}"
        path.write_bytes(content)
        paths.append(str(path))
    command = ["node", str(SCRIPT), str(chunk_size), str(max_links), *paths]
    lines = subprocess.run(command, capture_output=True, text=True, check=True, timeout=300).stdout.splitlines()
    by_file = {entry["file"]: entry["cid"] for entry in map(json.loads, lines)}
    return [by_file[path] for path in paths]


def check_against_importer(tmp_path: Path, spec: ModuleType, chunk_size: int, max_links: int, sizes: list[int]) -> None:
    generator = random.Random(f"{chunk_size}/{max_links}")  # seeded: the same bytes on every run
    contents = [generator.randbytes(size) for size in sizes]
    expected = importer_cids(tmp_path, chunk_size, max_links, contents)
    for size, content, cid in zip(sizes, contents, expected):
        computed = spec.format_cid(
            spec.compute_cid_with_layout(content, spec.uint64(chunk_size), spec.uint64(max_links))
        )
        assert computed == cid, f"{size} bytes, chunks of {chunk_size}, {max_links} links: spec {computed}, IPFS {cid}"


@pytest.mark.parametrize("chunk_size, max_links, levels", [(1, 2, 5), (4, 3, 4), (7, 4, 3), (16, 5, 3), (1, 174, 2)])
def test_small_layouts_match_the_importer(tmp_path: Path, chunk_size: int, max_links: int, levels: int) -> None:
    check_against_importer(tmp_path, mainnet, chunk_size, max_links, boundary_sizes(chunk_size, max_links, levels))


def test_default_layout_matches_the_importer(tmp_path: Path) -> None:
    """IPFS's defaults (256 KiB chunks, 174 links) through the first level boundary: 174 chunks and one byte."""
    chunk, links = mainnet.IPFS_CHUNK_SIZE, mainnet.IPFS_MAX_LINKS
    sizes = [0, 1, 11, chunk - 1, chunk, chunk + 1, 3 * chunk + 7, links * chunk, links * chunk + 1]
    check_against_importer(tmp_path, mainnet, int(chunk), int(links), sizes)
    # compute_cid is the default layout, not merely equal to it on these inputs.
    assert mainnet.compute_cid(b"hello world") == mainnet.compute_cid_with_layout(b"hello world", chunk, links)


def test_random_sizes_match_the_importer(tmp_path: Path) -> None:
    """Sizes drawn at random (seeded) between the boundaries, under a layout of 8-byte chunks and 3 links."""
    generator = random.Random(2021)
    check_against_importer(tmp_path, mainnet, 8, 3, sorted(generator.randrange(0, 8 * 3**4 + 9) for _ in range(40)))
