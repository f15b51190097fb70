"""Conformance clients with one classic fraud-proof mistake each; every other answer is the reference client's.

Usage: python challenge_faulty_client.py MODE  (JSON lines on stdin and stdout, docs/protocol.md), MODE one of
  timeout_wins          settles a timeout in favour of the party whose clock ran out;
  no_step_check         settles a step proof for the challenger without executing the step (trusting its claim);
  no_witness_check      executes the step on whatever state the challenger gives, unchecked against the agreed root;
  window_at_deletion    ignores open challenges in finality (Metis's MVM_Verifier: the window is checked when a
                        batch is deleted, so a game that outlives the window cannot delete it);
  slash_releases        slashes by removing the sequencer and releasing the rest of its stake at once.

Each runs the reference spec with one function swapped, so the mistake is exactly the one named.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from functools import wraps
from types import ModuleType
from typing import Any, Callable

from mvm_spec.conformance.client import answer
from mvm_spec.conformance.mutants import serve_mutant, swapped
from mvm_spec.forks import load_spec


def timeout_wins(spec: ModuleType) -> Callable[..., Any]:
    @wraps(spec.resolve_challenge_timeout)  # its signature and annotations, which the reference client decodes by
    def resolve_challenge_timeout(hub: Any, chain_id: Any, index: int) -> Any:
        challenge = spec.get_open_challenge(spec.get_dac(hub, chain_id), index)
        late, used = spec.get_mover_clock(challenge, spec.get_current_l1_block(hub).timestamp)
        if used <= spec.MAX_CHALLENGE_CLOCK:
            raise spec.ChallengeClockRunning("still running")
        return spec.settle_challenge(hub, chain_id, index, challenge, late == challenge.challenger)

    return resolve_challenge_timeout


def no_step_check(spec: ModuleType) -> Callable[..., Any]:
    @wraps(spec.prove_step)
    def prove_step(hub: Any, chain_id: Any, index: int, sender: Any, witness: Any) -> Any:
        dac, challenge = spec.start_move(hub, chain_id, index, sender)
        if challenge.middle_root is not None:
            raise spec.StepNotReached("a middle root is waiting")
        return spec.settle_challenge(hub, chain_id, index, challenge, True)

    return prove_step


def no_witness_check(spec: ModuleType) -> Callable[..., Any]:
    original = spec.prove_step

    @wraps(original)
    def prove_step(hub: Any, chain_id: Any, index: int, sender: Any, witness: Any) -> Any:
        dac = spec.get_dac(hub, chain_id)
        challenge = dac.challenges[index] if 0 <= index < len(dac.challenges) else None
        if challenge is None:
            return original(hub, chain_id, index, sender, witness)
        inputs = spec.get_block_inputs(hub, dac, challenge.block_number)
        steps = spec.get_block_step_count(inputs.planned, inputs.deposits)
        try:
            trusted = replace(challenge, lower_root=spec.hash_trace_point(witness, challenge.lower, steps))
        except spec.EvmMissingData:  # a witness it cannot even hash: the reference rule refuses it
            return original(hub, chain_id, index, sender, witness)
        return original(spec.replace_challenge(hub, dac, index, trusted), chain_id, index, sender, witness)

    return prove_step


def slash_releases(spec: ModuleType) -> Callable[..., Any]:
    @wraps(spec.slash_sequencer)
    def slash_sequencer(hub: Any, address: Any, ratio: Any) -> Any:
        position = spec.get_sequencer_position(hub, address)
        slashed = spec.apply_basis_points(hub.sequencers[position].locked, ratio)
        return spec.replace_sequencer(hub, position, None), slashed

    return slash_sequencer


def faulty_answer(mode: str, request: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(request, dict) or "fork" not in request or "preset" not in request:
        return answer(request)
    spec = load_spec(request["fork"], request["preset"])
    replacements: dict[str, Callable[[], tuple[str, Callable[..., Any]]]] = {
        "timeout_wins": lambda: ("resolve_challenge_timeout", timeout_wins(spec)),
        "no_step_check": lambda: ("prove_step", no_step_check(spec)),
        "no_witness_check": lambda: ("prove_step", no_witness_check(spec)),
        "window_at_deletion": lambda: ("has_open_challenge_through", lambda *_: False),
        "slash_releases": lambda: ("slash_sequencer", slash_releases(spec)),
    }
    if mode not in replacements:
        raise SystemExit(f"unknown mode {mode!r}")
    name, replacement = replacements[mode]()
    with swapped(spec, name, replacement):
        return answer(request)


if __name__ == "__main__":
    serve_mutant(faulty_answer, sys.argv[1])
