"""Conformance clients with one classic bridge mistake each; every other answer is the reference client's.

Usage: python bridge_faulty_client.py MODE  (JSON lines on stdin and stdout, docs/protocol.md), MODE one of
  no_proof_check     records any withdrawal proof without checking it (no output-root, Merkle or trie check);
  no_finality_check  pays a proven withdrawal out without waiting for its state batch to be final;
  no_alias           gives a deposit from an L1 contract the contract's own address as its L2 sender;
  no_forced_blocks   never forces a block: a chain advances only by its sequencer's batches;
  mint_alone_capacity judges a deposit's bond capacity on its mint alone, as the first version did (nothing already
                     locked for the DAC counted);
  no_drain_bound     lets any number of a DAC's deposits leave its queue in one L1 block.

Each runs the reference spec with one function swapped, so the mistake is exactly the one named.
"""

from __future__ import annotations

import sys
from functools import wraps
from types import ModuleType
from typing import Any, Callable

from mvm_spec.conformance.client import answer
from mvm_spec.conformance.mutants import serve_mutant, swapped
from mvm_spec.forks import load_spec


def finalize_without_finality(spec: ModuleType) -> Callable[..., Any]:
    original = spec.finalize_withdrawal

    @wraps(original)  # its signature and annotations, which the reference client decodes by
    def finalize_withdrawal(hub: Any, chain_id: Any, withdrawal: Any) -> Any:
        with swapped(spec, "is_state_batch_final", lambda *_: True):
            return original(hub, chain_id, withdrawal)

    return finalize_withdrawal


def faulty_answer(mode: str, request: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(request, dict) or "fork" not in request or "preset" not in request:
        return answer(request)
    spec = load_spec(request["fork"], request["preset"])
    replacements: dict[str, Callable[..., Any]] = {
        "no_proof_check": lambda: ("verify_withdrawal_proof", lambda *_: None),
        "no_finality_check": lambda: ("finalize_withdrawal", finalize_without_finality(spec)),
        "no_alias": lambda: ("apply_l1_to_l2_alias", lambda address: address),
        "no_forced_blocks": lambda: ("get_forced_block_count", lambda *_: 0),
        "mint_alone_capacity": lambda: ("get_locked_mt", lambda *_: spec.Wei(0)),
        "no_drain_bound": lambda: ("get_deposit_count_in_l1_block", lambda *_: -(2**64)),
    }
    if mode not in replacements:
        raise SystemExit(f"unknown mode {mode!r}")
    name, replacement = replacements[mode]()
    with swapped(spec, name, replacement):
        return answer(request)


if __name__ == "__main__":
    serve_mutant(faulty_answer, sys.argv[1])
