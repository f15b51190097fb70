"""The Z3 models of formal/z3_bridge.py agree with the rendered spec on concrete inputs, so that a proof about a
model is a proof about the spec text it mirrors."""

from __future__ import annotations

from types import ModuleType

import pytest
import z3
from hypothesis import given
from hypothesis import strategies as st

from formal import z3_bridge
from formal.z3_tax import Trace
from mvm_spec.forks import load_spec

SPECS = [load_spec("v1", preset) for preset in ("minimal", "mainnet")]
uint64s = st.integers(min_value=0, max_value=2**62)


def evaluate(expression: z3.ArithRef) -> int:
    return z3.simplify(expression).as_long()  # type: ignore[no-any-return]


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.PRESET)
@given(parent=uint64s, origin=uint64s, proposed=st.integers(min_value=0, max_value=2**64 - 1))
def test_block_timestamp_model(spec: ModuleType, parent: int, origin: int, proposed: int) -> None:
    expected = spec.derive_block_timestamp(spec.Timestamp(parent), spec.Timestamp(origin), spec.Timestamp(proposed))
    drift = z3.IntVal(int(spec.MAX_SEQUENCER_DRIFT))
    model = z3_bridge.derive_block_timestamp(z3.IntVal(parent), z3.IntVal(origin), z3.IntVal(proposed), drift, Trace())
    assert evaluate(model) == expected


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.PRESET)
@given(base_fee=st.integers(min_value=0, max_value=2**256 - 1), gas_used=st.integers(min_value=0, max_value=30_000_000))
def test_base_fee_model(spec: ModuleType, base_fee: int, gas_used: int) -> None:
    expected = spec.compute_next_base_fee(spec.Wei(base_fee), spec.uint64(gas_used))
    target = z3.IntVal(int(spec.get_gas_target()))
    denominator = z3.IntVal(int(spec.BASE_FEE_MAX_CHANGE_DENOMINATOR))
    assert evaluate(z3_bridge.compute_next_base_fee(z3.IntVal(base_fee), z3.IntVal(gas_used), target, denominator)) == expected


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.PRESET)
@given(head=uint64s, l1_block=uint64s)
def test_forced_block_count_model(spec: ModuleType, head: int, l1_block: int) -> None:
    expected = spec.get_forced_block_count(spec.L1BlockNumber(head), spec.L1BlockNumber(l1_block))
    window = z3.IntVal(int(spec.SEQUENCING_WINDOW))
    assert evaluate(z3_bridge.get_forced_block_count(z3.IntVal(head), z3.IntVal(l1_block), window)) == expected


@given(address=st.binary(min_size=20, max_size=20))
def test_alias_model(address: bytes) -> None:
    spec = SPECS[0]
    expected = int.from_bytes(spec.apply_l1_to_l2_alias(spec.Address(address)), "big")
    assert evaluate(z3_bridge.apply_l1_to_l2_alias(z3.IntVal(int.from_bytes(address, "big")))) == expected
