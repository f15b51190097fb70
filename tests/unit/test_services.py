"""The marketplace's helpers against values worked by hand (spec/v1/services.md; SERVICE_FEE_BPS = 250, i.e. 1/40)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mvm_spec.forks.v1 import minimal as spec
from tests.cases.test_services import CALLER, PAYEE, PROVIDER, scene_hub
from tests.hub_building import ACME

ORACLE = spec.ServiceId(bytes([0x10]) * 32)


@pytest.mark.parametrize(
    "price, fee",
    [
        (0, 0),
        (39, 0),  # 39 / 40 = 0.975: rounded down, the provider keeps every wei
        (40, 1),
        (401, 10),  # 10.025
        (10**18, 25 * 10**15),  # 2.5 % of 1 MT
        (2**256 - 1, (2**256 - 1) // 40),
    ],
)
def test_fee_by_hand(price: int, fee: int) -> None:
    assert spec.compute_service_fee(spec.Wei(price)) == fee


def test_deadline_at_the_edge_of_uint64() -> None:
    assert spec.compute_call_deadline(spec.Timestamp(2**64 - 301), spec.uint64(300)) == 2**64 - 1
    with pytest.raises(spec.CallDeadlineOverflow):
        spec.compute_call_deadline(spec.Timestamp(2**64 - 300), spec.uint64(300))


def test_open_call_total_counts_only_open_calls() -> None:
    """Three calls of 5, 7 and 11 wei; the first fulfilled, the second refunded: 11 wei stay escrowed."""
    hub = scene_hub(spec)
    market = spec.get_genesis_marketplace()
    for index, price in enumerate((5, 7, 11)):
        service_id = spec.ServiceId(bytes([index + 1]) * 32)
        market = spec.register_service(market, spec.Address(PROVIDER), service_id, spec.Wei(price), spec.Address(PAYEE), spec.uint64(300))
        market = spec.call_service(hub, market, spec.Address(CALLER), spec.ChainId(ACME), service_id, spec.Wei(price), spec.Hash32(bytes(32)))
    assert (market.escrow, spec.get_open_call_total(market)) == (23, 23)
    market, _ = spec.fulfil_service_call(hub, market, spec.Address(PROVIDER), 0, spec.Hash32(bytes(32)))
    later = replace(spec.get_current_l1_block(hub), number=spec.L1BlockNumber(97), timestamp=spec.Timestamp(spec.get_current_l1_block(hub).timestamp + 300))
    market, refunded = spec.refund_service_call(spec.advance_l1_block(hub, later), market, 1)
    assert refunded == (spec.Payout(spec.Address(CALLER), spec.Wei(7)),)
    assert (market.escrow, spec.get_open_call_total(market)) == (11, 11)


def test_errors_are_one_family() -> None:
    """A client can tell a refused marketplace operation from any other refusal by the family."""
    leaves = [spec.ServiceIdTaken, spec.UnknownService, spec.NotServiceProvider, spec.ServiceNotActive, spec.ZeroFeeRecipient,
              spec.InvalidServiceTimeout, spec.ServicePriceAboveMax, spec.CallDeadlineOverflow, spec.EscrowOverflow,
              spec.UnknownServiceCall, spec.ServiceCallNotOpen, spec.CallDeadlinePassed, spec.CallDeadlineNotReached]
    assert all(issubclass(leaf, spec.ServiceError) and issubclass(leaf, spec.SpecError) for leaf in leaves)
