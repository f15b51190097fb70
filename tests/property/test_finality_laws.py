"""Laws of finality over what rangers do after a batch is validated (spec/v1/rangers.md, spec/v2/README.md).

- Finality never goes backward: once `is_state_batch_final` says a stored batch is final, it stays final through
  any later L1 blocks, strikes (up to a validator's removal), exit requests and bond withdrawals, on both forks.
  (Fork v2's quorum counted only rangers still registered until an audit found a removal could undo a fast
  finality, and with it the withdrawals paid against the batch.)
- A final batch cannot be challenged: the challenge window is closed whenever the batch is final.

The scene is the challenge vectors' (tests/cases/test_challenge.py): acme's state batch 0, appended at t(98), with
six rangers of which the first `count` validated it.
"""

from __future__ import annotations

from functools import lru_cache
from types import ModuleType
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mvm_spec.forks import load_spec
from tests.cases.test_challenge import RANGER_ADDRESSES, scene, with_validators
from tests.hub_building import ACME

FORKS = ("v1", "v2")
FAST = 600  # FAST_FRAUD_PROOF_WINDOW, v2 minimal
WINDOW = 3_600  # FRAUD_PROOF_WINDOW, minimal

# Steps drawn so that a history often crosses the fast window and then strikes one validator out (three strikes on
# one of the first rangers), the history that undid a fast finality before.
steps = st.one_of(
    st.tuples(st.just("advance"), st.sampled_from([0, 1, 12, FAST - 1, FAST, WINDOW // 2])),  # seconds to the next block
    st.tuples(st.just("strike"), st.integers(0, 2)),
    st.tuples(st.just("exit"), st.integers(0, 5)),
    st.tuples(st.just("withdraw"), st.integers(0, 5)),
)


@lru_cache(maxsize=None)
def validated_scene(fork: str, count: int) -> Any:
    spec = load_spec(fork, "minimal")
    return with_validators(spec, scene(spec, forged=False).hub, 0, count)


def apply_step(spec: ModuleType, hub: Any, step: tuple[str, int]) -> Any:
    kind, value = step
    try:
        if kind == "advance":
            clock = spec.get_current_l1_block(hub)
            block = spec.L1Block(
                spec.L1BlockNumber(clock.number + 1),
                spec.Timestamp(clock.timestamp + value),
                clock.prev_randao,
                clock.parent_beacon_block_root,
            )
            return spec.advance_l1_block(hub, block)
        address = spec.Address(RANGER_ADDRESSES[value])
        if kind == "strike":
            return spec.strike_rangers(hub, [address])
        if kind == "exit":
            return spec.request_ranger_exit(hub, address)
        return spec.withdraw_ranger_bond(hub, address)[0]
    except spec.SpecError:
        return hub  # a refused step changes nothing


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fork=st.sampled_from(FORKS), count=st.integers(0, 6), history=st.lists(steps, max_size=14))
def test_finality_never_goes_backward(fork: str, count: int, history: list[tuple[str, int]]) -> None:
    spec = load_spec(fork, "minimal")
    hub = validated_scene(fork, count)
    header = spec.get_dac(hub, spec.ChainId(ACME)).state_batches.headers[0]
    was_final = False
    for step in history:
        hub = apply_step(spec, hub, step)
        final = spec.is_state_batch_final(hub, spec.ChainId(ACME), header)
        assert final or not was_final, f"{fork}: final, then not after {step}"
        context = spec.decode_state_batch_extra_data(header.extra_data)
        assert not (final and spec.is_challenge_window_open(hub, spec.ChainId(ACME), header, context))
        was_final = final


def test_the_law_sees_a_fast_finality_undone_by_a_removal() -> None:
    """The history the law must reject if validations stopped counting at removal: a quorum (2 on minimal) past the
    fast window, then three strikes on a validator. With the rule as specified, the batch stays final."""
    spec = load_spec("v2", "minimal")
    hub = validated_scene("v2", 2)
    header = spec.get_dac(hub, spec.ChainId(ACME)).state_batches.headers[0]
    hub = apply_step(spec, hub, ("advance", FAST))
    assert spec.is_state_batch_final(hub, spec.ChainId(ACME), header)
    for _ in range(3):
        hub = apply_step(spec, hub, ("strike", 0))
    assert all(ranger.address != spec.Address(RANGER_ADDRESSES[0]) for ranger in hub.rangers), "removed"
    assert spec.is_state_batch_final(hub, spec.ChainId(ACME), header)
