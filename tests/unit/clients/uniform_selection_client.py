"""A conformance client with one classic mistake: it picks each epoch's sequencer uniformly, ignoring stake.

It answers every request like the reference client (``mvm_spec.conformance.client.answer``), except
selection/select_epoch_sequencer: there it takes the first candidate the spec's own draw looks at — position 0 of
the shuffle seeded for attempt 0 — and skips the stake-weighted acceptance test. Every eligible sequencer is then
equally likely, whatever it staked. Unsequenced DACs (null), unknown chain ids and single-candidate pools still
get the right answer, so only vectors with several eligible sequencers catch it.

Usage: python uniform_selection_client.py  (JSON lines on stdin and stdout, docs/protocol.md)
"""

from __future__ import annotations

import json
import sys
from typing import Any

from mvm_spec.conformance.client import answer
from mvm_spec.forks import load_spec
from mvm_spec.vectors.codec import decode_bytes, decode_hub, decode_uint, encode_bytes


def uniform_choice(request: dict[str, Any]) -> str | None:
    spec = load_spec(request["fork"], request["preset"])
    hub = decode_hub(spec, request["pre"]["hub"])
    given = request["input"]
    chain_id = spec.ChainId(decode_uint(given["chain_id"]))
    candidates = spec.get_eligible_sequencers(hub, spec.get_dac(hub, chain_id).coinbase_supply)
    if not candidates:
        return None
    seed = spec.compute_selection_seed(
        spec.Hash32(decode_bytes(given["l1_randomness"])), chain_id, spec.Epoch(decode_uint(given["epoch"]))
    )
    return encode_bytes(candidates[spec.compute_candidate_index(seed, 0, len(candidates))].address)


def uniform_answer(request: dict[str, Any]) -> dict[str, Any]:
    reply = answer(request)
    if (request.get("runner"), request.get("handler")) == ("selection", "select_epoch_sequencer") and "output" in reply:
        reply["output"] = {"sequencer": uniform_choice(request)}
    return reply


def main() -> None:
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(uniform_answer(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
