"""Conformance clients with one classic content-id mistake each; every other answer is the reference client's.

Usage: python storage_faulty_client.py MODE  (JSON lines on stdin and stdout, docs/protocol.md), MODE one of
  cidv0               writes content ids as CIDv0 (`Qm...`: the bare multihash in base58btc), as `ipfs add` did
                      before CIDv1 became its default;
  chunks_of_1_mib     imports with 1 MiB chunks (the chunk size of several other IPFS tools) instead of 256 KiB;
  lone_child_lifted   builds the tree without a node for a lone child at an upper level (an unbalanced shortcut
                      some ports take: a group of one is passed up as it is).

Each runs the reference spec with one function swapped, so the mistake is exactly the one named.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any, Callable, Sequence

from multiformats import multibase

from mvm_spec.conformance.client import answer
from mvm_spec.conformance.mutants import serve_mutant, swapped
from mvm_spec.forks import load_spec


def cidv0_text(spec: ModuleType) -> Callable[[Any], str]:
    def format_cid(cid: Any) -> str:
        return str(multibase.encode(bytes(cid)[2:], "base58btc"))[1:]  # CIDv0 has no multibase prefix

    return format_cid


def chunks_of_1_mib(spec: ModuleType) -> Callable[[bytes], Any]:
    return lambda data: spec.compute_cid_with_layout(data, spec.uint64(1048576), spec.IPFS_MAX_LINKS)


def lone_child_lifted(spec: ModuleType) -> Callable[[Sequence[Any], Any], Any]:
    def compute_balanced_root(leaves: Sequence[Any], max_links: Any) -> Any:
        level = list(leaves)
        while len(level) > 1:
            groups = [level[start : start + max_links] for start in range(0, len(level), max_links)]
            level = [group[0] if len(group) == 1 else spec.compute_file_node(group) for group in groups]
        return level[0]

    return compute_balanced_root


def faulty_answer(mode: str, request: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(request, dict) or "fork" not in request or "preset" not in request:
        return answer(request)
    spec = load_spec(request["fork"], request["preset"])
    replacements: dict[str, Callable[[], tuple[str, Callable[..., Any]]]] = {
        "cidv0": lambda: ("format_cid", cidv0_text(spec)),
        "chunks_of_1_mib": lambda: ("compute_cid", chunks_of_1_mib(spec)),
        "lone_child_lifted": lambda: ("compute_balanced_root", lone_child_lifted(spec)),
    }
    if mode not in replacements:
        raise SystemExit(f"unknown mode {mode!r}")
    name, replacement = replacements[mode]()
    with swapped(spec, name, replacement):
        return answer(request)


if __name__ == "__main__":
    serve_mutant(faulty_answer, sys.argv[1])
