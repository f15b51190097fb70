"""The Z3 models of formal/z3_services.py agree with the rendered spec on concrete inputs, so that a proof about a
model is a proof about the spec text it mirrors: the payouts of `fulfil_service_call` and the escrow it leaves, on
any price and any other open calls, and the escrow and deadline `call_service` computes."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from formal import z3_services
from formal.z3_tax import Trace
from mvm_spec.forks.v1 import minimal as spec
from tests.cases.test_services import CALLER, PAYEE, PROVIDER, scene_hub
from tests.hub_building import ACME, HUB_START, l1_block

prices = st.integers(min_value=0, max_value=2**256 - 1)
ORACLE = spec.ServiceId(bytes([0x10]) * 32)


def evaluate(expression: z3.ArithRef) -> int:
    return z3.simplify(expression).as_long()  # type: ignore[no-any-return]


def market_with_call(price: int, rest: int) -> Any:
    """One open call of ``price`` wei, the escrow holding it and ``rest`` wei of other open calls."""
    market = spec.register_service(spec.get_genesis_marketplace(), spec.Address(PROVIDER), ORACLE, spec.Wei(price), spec.Address(PAYEE), spec.uint64(300))
    market = spec.call_service(scene_hub(spec), market, spec.Address(CALLER), spec.ChainId(ACME), ORACLE, spec.Wei(price), spec.Hash32(bytes(32)))
    return replace(market, escrow=spec.Wei(price + rest))


@settings(max_examples=80, deadline=None)
@given(price=prices, rest=st.integers(min_value=0, max_value=2**64))
def test_fulfilment_model(price: int, rest: int) -> None:
    if price + rest > 2**256 - 1:
        rest = 0
    fulfilled, payouts = spec.fulfil_service_call(scene_hub(spec), market_with_call(price, rest), spec.Address(PROVIDER), 0, spec.Hash32(bytes(32)))
    trace = Trace()
    share, fee = z3_services.fulfil_payouts(z3.IntVal(price), z3.IntVal(int(spec.SERVICE_FEE_BPS)), trace)
    after = z3_services.close_call_escrow(z3.IntVal(price + rest), z3.IntVal(price), trace)
    assert [int(payout.amount) for payout in payouts] == [evaluate(share), evaluate(fee)]
    assert int(fulfilled.escrow) == evaluate(after) == rest


@settings(max_examples=80, deadline=None)
@given(escrow=st.one_of(prices, st.just(2**256 - 1)), price=prices, now=st.one_of(st.integers(min_value=int(l1_block(spec, HUB_START).timestamp) + 1, max_value=2**64 - 1), st.sampled_from([2**64 - 301, 2**64 - 300])))
def test_call_model(escrow: int, price: int, now: int) -> None:
    hub = spec.advance_l1_block(scene_hub(spec), replace(l1_block(spec, HUB_START + 1), timestamp=spec.Timestamp(now)))
    market = spec.register_service(spec.get_genesis_marketplace(), spec.Address(PROVIDER), ORACLE, spec.Wei(price), spec.Address(PAYEE), spec.uint64(300))
    market = replace(market, escrow=spec.Wei(escrow))
    escrow_ok, new_escrow = z3_services.call_escrow(z3.IntVal(escrow), z3.IntVal(price), Trace())
    deadline_ok, deadline = z3_services.call_deadline(z3.IntVal(now), z3.IntVal(300), Trace())
    try:
        called = spec.call_service(hub, market, spec.Address(CALLER), spec.ChainId(ACME), ORACLE, spec.Wei(price), spec.Hash32(bytes(32)))
    except spec.CallDeadlineOverflow:
        assert not z3.is_true(z3.simplify(deadline_ok))
        return
    except spec.EscrowOverflow:
        assert z3.is_true(z3.simplify(deadline_ok)) and not z3.is_true(z3.simplify(escrow_ok))
        return
    assert z3.is_true(z3.simplify(z3.And(escrow_ok, deadline_ok)))
    assert (int(called.escrow), int(called.calls[0].deadline)) == (evaluate(new_escrow), evaluate(deadline))
