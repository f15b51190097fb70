"""A whole challenge game against the work it cannot avoid (spec/v1/challenge.md).

A DAC with 1,000 blocks of one signed transfer each, and a state batch of their 1,000 output roots of which the
last is forged. The game: the challenger opens on element 999 (checking two Merkle proofs), the defender posts a
true middle root twice and the challenger agrees twice, and the challenger proves the last step (finishing block
1,000) from the true state. Against: that one step executed with `execute_trace_step` on its block's inputs
(looked up with `get_block_inputs`, as any re-execution from the hub must), the two trace points it hashes, and the
two Merkle proofs verified — the one-step re-execution plus the hashing the game needs. Goal: <= 1.2.

Timing: the least CPU time of ``REPEATS`` rounds in which the game, the first game and the step run in turn. The
first game on a batch decodes its header's extra data; later calls find the decoding kept (``runtime.abi_decode``
keeps short decodings), so the first game is measured with that cache emptied.
"""

from __future__ import annotations

from typing import Any

from mvm_spec import runtime
from mvm_spec.forks.v1 import mainnet as spec

from .bridge import BLOCKS, CHAIN, SEQUENCER, hub_with_blocks
from .common import interleaved_cpu_seconds

CHALLENGER = spec.Address(bytes([0xCC]) * 20)
REPEATS = 300


def fixture() -> tuple[Any, Any, Any, list[Any]]:
    """The hub with its forged state batch, the two committed roots, the true trace of block 1,000."""
    hub = hub_with_blocks(BLOCKS)
    _, derived = spec.derive_chain(hub, CHAIN)
    roots = [block.output_root for block in derived]
    roots[-1] = spec.Hash32(bytes([0xF0]) * 32)
    hub = spec.append_state_batch(hub, CHAIN, roots, 0, SEQUENCER)
    header = spec.get_dac(hub, CHAIN).state_batches.headers[0]

    def committed(index: int) -> Any:
        return spec.CommittedOutputRoot(header, spec.uint64(index), roots[index], spec.compute_merkle_proof(roots, index))

    return hub, committed(BLOCKS - 1), committed(BLOCKS - 2), spec.get_block_trace(hub, CHAIN, BLOCKS)


def play(hub: Any, disputed: Any, agreed: Any, trace: list[Any], truth: list[Any]) -> Any:
    """The game, with the honest defender's roots ``truth`` computed beforehand (a party's work, not the hub's): the
    hub after it."""
    hub = spec.open_challenge(hub, CHAIN, disputed, agreed, CHALLENGER)
    while True:
        game = spec.get_dac(hub, CHAIN).challenges[0]
        if game.upper - game.lower == 1:
            break
        middle = (game.lower + game.upper) // 2
        hub = spec.post_middle_root(hub, CHAIN, 0, SEQUENCER, truth[middle])
        hub = spec.answer_middle_root(hub, CHAIN, 0, CHALLENGER, True)
    hub, _ = spec.prove_step(hub, CHAIN, 0, CHALLENGER, trace[game.lower])
    return hub


def one_step(hub: Any, disputed: Any, agreed: Any, trace: list[Any]) -> None:
    steps = len(trace) - 1
    dac = spec.get_dac(hub, CHAIN)
    for item in (disputed, agreed):
        assert spec.verify_committed_output_root(
            dac.state_batches, item.header, item.output_root, item.index, item.siblings
        )
    # Re-executing a step of block 1,000 needs that block's inputs, which the hub derives from its L1 data.
    inputs = spec.get_block_inputs(hub, dac, BLOCKS)
    spec.hash_trace_point(trace[steps - 1], steps - 1, steps)
    result = spec.execute_trace_step(hub, inputs, trace[steps - 1], steps - 1)
    spec.hash_trace_point(result, steps, steps)


def run() -> list[str]:
    hub, disputed, agreed, trace = fixture()
    steps = len(trace) - 1
    truth = [spec.hash_trace_point(point, index, steps) for index, point in enumerate(trace)]
    # Checked once, outside the timing: the game played is won by the challenger, after the step's proof.
    assert spec.get_dac(play(hub, disputed, agreed, trace, truth), CHAIN).challenges[0].status == spec.CHALLENGER_WON

    def first_game() -> None:
        # The first game on a batch decodes its header's extra data; a later one finds the decoding kept.
        runtime._abi_decode_small.cache_clear()
        play(hub, disputed, agreed, trace, truth)

    best = interleaved_cpu_seconds(
        {
            "game": lambda: play(hub, disputed, agreed, trace, truth),
            "first game": first_game,
            "step": lambda: one_step(hub, disputed, agreed, trace),
        },
        repeats=REPEATS,
    )
    step_time = best["step"]
    return [
        f"challenge: a whole game over block {BLOCKS:,} of a {BLOCKS:,}-block batch vs its one step, inputs and hashing"
        f" (least CPU time of {REPEATS} interleaved runs)",
        f"  one step + hashing {step_time * 1e3:7.3f} ms",
        *(
            f"  {name:<10} {best[name] * 1e3:7.3f} ms   ratio {best[name] / step_time:5.2f}"
            for name in ("first game", "game")
        ),
    ]
