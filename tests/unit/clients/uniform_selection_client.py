"""A conformance client with one classic mistake: it picks each epoch's sequencer uniformly, ignoring stake.

It answers every request like the reference client (``mvm_spec.conformance.client.answer``), with one function of
the spec swapped: ``draw_sequencer`` takes the first candidate the spec's own draw looks at — position 0 of the
shuffle seeded for attempt 0 — and skips the stake-weighted acceptance test. Every candidate is then equally
likely, whatever it staked. Unsequenced DACs (null), unknown chain ids and single-candidate pools still get the
right answer, so only vectors with several candidates catch it.

Usage: python uniform_selection_client.py  (JSON lines on stdin and stdout, docs/protocol.md)
"""

from __future__ import annotations

from typing import Any, Sequence

from mvm_spec.conformance.client import answer
from mvm_spec.conformance.mutants import serve_mutant, swapped
from mvm_spec.forks import load_spec


def uniform_answer(_: str, request: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(request, dict) or "fork" not in request or "preset" not in request:
        return answer(request)
    spec = load_spec(request["fork"], request["preset"])

    def draw_sequencer(candidates: Sequence[Any], seed: Any) -> Any:
        return candidates[spec.compute_candidate_index(seed, 0, len(candidates))] if candidates else None

    with swapped(spec, "draw_sequencer", draw_sequencer):
        return answer(request)


if __name__ == "__main__":
    serve_mutant(uniform_answer, "uniform")
