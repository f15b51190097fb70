"""Conformance clients with one classic selection mistake each, chosen by MODE (default ``uniform``).

Each answers every request like the reference client (``mvm_spec.conformance.client.answer``), with one function of
the spec swapped:

  uniform             ``draw_sequencer`` takes the first candidate the spec's own draw looks at — position 0 of the
                      shuffle seeded for attempt 0 — and skips the stake-weighted acceptance test, so every
                      candidate is equally likely, whatever it staked. Unsequenced DACs, unknown chain ids and
                      single-candidate pools still get the right answer, so only vectors with several candidates
                      catch it.
  no_fallback         the first choice serves the whole epoch, however long it is silent.
  timeout_ignores_batches
                      a sequencer's timeout runs from when it began serving, whatever it posts.
  exiting_keeps_serving
                      the live check is skipped: a sequencer that asked to exit keeps serving.
  unbound_fallbacks   fallback slots do not count against a stake (only first choices do).

Usage: python uniform_selection_client.py [MODE]  (JSON lines on stdin and stdout, docs/protocol.md)
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from functools import wraps
from types import ModuleType
from typing import Any, Callable, Sequence

from mvm_spec.conformance.client import answer
from mvm_spec.conformance.mutants import serve_mutant, swapped
from mvm_spec.forks import load_spec


def uniform(spec: ModuleType) -> dict[str, Callable[..., Any]]:
    def draw_sequencer(candidates: Sequence[Any], seed: Any) -> Any:
        return candidates[spec.compute_candidate_index(seed, 0, len(candidates))] if candidates else None

    return {"draw_sequencer": draw_sequencer}


def no_fallback(spec: ModuleType) -> dict[str, Callable[..., Any]]:
    @wraps(spec.get_current_sequencer)  # its signature and annotations, which the reference client decodes by
    def get_current_sequencer(hub: Any, chain_id: Any) -> Any:
        spec.get_dac(hub, chain_id)
        epoch = spec.compute_l1_epoch(spec.get_current_l1_block(hub).number)
        succession = spec.get_epoch_sequencers(hub, chain_id, epoch)
        return succession[0] if succession and spec.is_active_sequencer(hub, succession[0]) else None

    return {"get_current_sequencer": get_current_sequencer}


def timeout_ignores_batches(spec: ModuleType) -> dict[str, Callable[..., Any]]:
    return {"get_latest_batch_block": lambda dac, sequencer, since: since}


def exiting_keeps_serving(spec: ModuleType) -> dict[str, Callable[..., Any]]:
    return {"is_active_sequencer": lambda hub, address: any(s.address == address for s in hub.sequencers)}


def unbound_fallbacks(spec: ModuleType) -> dict[str, Callable[..., Any]]:
    original = spec.assign_epoch_sequencers

    def assign_epoch_sequencers(snapshot: Any) -> Any:
        """Round 0 as the spec draws it; each fallback round drawn afresh, ignoring the stake already committed."""
        first = original(snapshot)
        successions = {a.chain_id: list(a.sequencers) for a in first}
        active = [s for s in snapshot.sequencers if s.exit_requested_at is None]
        for round_number in range(1, 1 + int(spec.MAX_SEQUENCER_FALLBACKS)):
            for chain_id, supply in snapshot.supplies:
                drawn = successions[chain_id][:round_number]
                if len(drawn) < round_number:
                    continue
                threshold = spec.compute_dynamic_bond_threshold(supply)
                candidates = [s for s in active if s.address not in drawn and s.locked >= threshold]
                seed = spec.compute_selection_seed(snapshot.randomness, chain_id, snapshot.epoch)
                chosen = spec.draw_sequencer(candidates, spec.compute_round_seed(seed, round_number))
                successions[chain_id] = drawn + ([chosen.address] if chosen is not None else [])
        return tuple(spec.SequencerAssignment(chain_id, tuple(successions[chain_id])) for chain_id, _ in snapshot.supplies)

    return {"assign_epoch_sequencers": assign_epoch_sequencers}


MUTANTS = {
    "uniform": uniform,
    "no_fallback": no_fallback,
    "timeout_ignores_batches": timeout_ignores_batches,
    "exiting_keeps_serving": exiting_keeps_serving,
    "unbound_fallbacks": unbound_fallbacks,
}


def mutant_answer(mode: str, request: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(request, dict) or "fork" not in request or "preset" not in request:
        return answer(request)
    spec = load_spec(request["fork"], request["preset"])
    with ExitStack() as stack:
        for name, replacement in MUTANTS[mode](spec).items():
            stack.enter_context(swapped(spec, name, replacement))
        return answer(request)


if __name__ == "__main__":
    serve_mutant(mutant_answer, sys.argv[1] if len(sys.argv) > 1 else "uniform")
