"""Vectors start from states the spec can reach (spec/v1/README.md, Notation): every hub in a vector's ``pre`` (and,
as a check of the check, in its ``post``) keeps the facts every sequence of hub operations keeps
(tests/reachable_hub.py)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

import pytest

from mvm_spec.forks import load_spec
from mvm_spec.vectors.container_codec import decode_container
from tests.reachable_hub import hub_invariant_violations

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"


def _hubs(part: Any) -> Iterator[Any]:
    if isinstance(part, dict):
        for key, value in part.items():
            if key == "hub" and isinstance(value, dict):
                yield value
            else:
                yield from _hubs(value)


@pytest.mark.parametrize("preset", ["minimal", "mainnet"])
@pytest.mark.parametrize("fork", ["v1", "v2"])
def test_every_hub_of_the_vectors_is_reachable(fork: str, preset: str) -> None:
    spec = load_spec(fork, preset)
    unreachable, hubs = [], 0
    for path in sorted((VECTORS / preset / fork).glob("*/*/*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        for part in ("pre", "post"):
            for encoded in _hubs(document.get(part)):
                hubs += 1
                violations = hub_invariant_violations(spec, decode_container(spec, "Hub", encoded))
                if violations:
                    unreachable.append((str(path.relative_to(VECTORS)), part, violations))
    assert hubs > 0
    assert unreachable == []


def test_the_check_finds_unreachable_hubs() -> None:
    """Hubs worked out by hand: a genesis hub and its next L1 block keep every fact; each edit breaks one."""
    spec = load_spec("v1", "minimal")
    block = spec.L1Block(spec.L1BlockNumber(8), spec.Timestamp(1000), spec.Hash32(bytes(32)), spec.Hash32(bytes(32)))
    charter = spec.Charter("Rangers", "", (), (), spec.Address(bytes(20)))
    hub = spec.get_genesis_hub(charter, block)
    assert hub_invariant_violations(spec, hub) == []
    later = spec.advance_l1_block(hub, replace(block, number=spec.L1BlockNumber(9), timestamp=spec.Timestamp(1012)))
    assert hub_invariant_violations(spec, later) == []
    stalled = replace(later, l1_blocks=(block, replace(block, number=spec.L1BlockNumber(9))))
    assert hub_invariant_violations(spec, stalled) == ["L1 block 9's time 1000 is not after 1000"]
    sequencer = spec.Sequencer(spec.Address(b"\x01" * 20), spec.Wei(spec.MAX_SEQUENCER_LOCK + 1), None)
    assert hub_invariant_violations(spec, replace(later, sequencers=(sequencer,))) == [
        "sequencer 0101010101010101010101010101010101010101 locks more than MAX_SEQUENCER_LOCK"
    ]
    ranger = spec.Ranger(spec.Address(b"\x02" * 20), spec.RANGER_BOND, spec.L1BlockNumber(9), None, spec.MAX_RANGER_STRIKES)
    assert hub_invariant_violations(spec, replace(later, rangers=(ranger,))) == [
        f"ranger {'02' * 20} has {spec.MAX_RANGER_STRIKES} strikes and is still a ranger"
    ]
    rangers_dac = replace(later.dacs[0], coinbase_supply=spec.Wei(1))
    assert hub_invariant_violations(spec, replace(later, dacs=(rangers_dac,))) == [
        f"chain {spec.FIRST_CHAIN_ID}: the coinbase supply exceeds the genesis allocation and the deposits' mints",
        f"chain {spec.FIRST_CHAIN_ID}: with no withdrawal paid, the coinbase supply is not the genesis allocation plus the mints",
    ]
    snapshot = spec.SequencingSnapshot(spec.Epoch(3), spec.Hash32(bytes(32)), (), ())
    assert hub_invariant_violations(spec, replace(later, sequencing_snapshots=(snapshot,))) == [
        "sequencing snapshots for epochs [3] in L1 epoch 1"
    ]
