"""Vector cases for the microservice marketplace (spec/v1/services.md), on both presets.

The scene: a hub whose first L1 block is 96 (time T0 = l1_time(96)), holding the rangers' DAC and "acme" (chain id
1000000000001089), and an empty marketplace. The provider registers the oracle service: 1 MT a call, its earnings
to PAYEE, a timeout of 300 seconds; the caller calls it for acme in block 96, so the call's deadline is T0 + 300.
Every expected marketplace is written out field by field, and every payout is worked by hand from the chapter's
rules and presets/minimal.yaml: SERVICE_FEE_BPS = 250 (so the fee on 1 MT is 0.025 MT and the fee recipient gets
0.975 MT), and the two values the presets differ in here: MAX_SERVICE_TIMEOUT (600 seconds on minimal, 30 days on
mainnet) and METIS_DAO_L1_ADDRESS, the treasury (0xba32…16f6 on minimal, 0x4200…0101 on mainnet).
"""

from __future__ import annotations

from dataclasses import replace
from types import ModuleType
from typing import Any, Callable, Iterator, Optional, Sequence

from eth_hash.auto import keccak

from mvm_spec.conformance.handlers import HANDLERS
from mvm_spec.vectors import expect_spec_error, vector_case
from mvm_spec.vectors.case import Part
from mvm_spec.vectors.codec import encode_bytes, encode_hub, encode_l1_block, encode_marketplace, encode_uint
from tests.hub_building import ACME, HUB_START, l1_block, l1_time, plain_charter

BOTH_FORKS = ("v1", "v2")  # v2 changes nothing here: the vectors show that the marketplace carries over unchanged
MT = 10**18
TIMEOUT = 300
# MAX_SERVICE_TIMEOUT and METIS_DAO_L1_ADDRESS by preset, from presets/*.yaml: the two values the presets change here
MAX_TIMEOUTS = {"minimal": 600, "mainnet": 30 * 24 * 3600}
TREASURIES = {
    "minimal": bytes.fromhex("ba32858ea15ad4a729d3aca3c2ed5e3363bc16f6"),
    "mainnet": bytes.fromhex("4200000000000000000000000000000000000101"),
}
UINT64_MAX = 2**64 - 1
UINT256_MAX = 2**256 - 1
T0 = l1_time(HUB_START)
DEADLINE = T0 + TIMEOUT
PROVIDER = bytes([0x5A]) * 20
PAYEE = bytes([0x5B]) * 20
CALLER = bytes([0xCA]) * 20
STRANGER = bytes([0x77]) * 20
ORACLE = b"eth-usd-oracle".ljust(32, b"\x00")
COURIER = b"courier".ljust(32, b"\x00")
REQUEST = bytes(keccak(b"ETH/USD at L1 block 96"))
RESULT = bytes(keccak(b"3000.00"))
FEE_ON_ONE_MT = 25 * 10**15  # 250 / 10,000 of 10**18, exact
SHARE_OF_ONE_MT = 975 * 10**15


def max_timeout(spec: ModuleType) -> int:
    return MAX_TIMEOUTS[spec.PRESET]


def treasury(spec: ModuleType) -> bytes:
    return TREASURIES[spec.PRESET]


def scene_hub(spec: ModuleType) -> Any:
    rangers = spec.Charter("Rangers", "", (), (), spec.Address(bytes(20)))
    hub = spec.get_genesis_hub(rangers, l1_block(spec, HUB_START))
    return spec.create_dac(hub, "acme", plain_charter(spec), [], spec.Wei(7))


# --- Operations, in the vectors' encoding ---------------------------------------------------------------------------


def at(spec: ModuleType, number: int, timestamp: int) -> dict[str, Any]:
    block = replace(l1_block(spec, number), timestamp=spec.Timestamp(timestamp))
    return {"op": "advance_l1_block", "block": encode_l1_block(block)}


def register(
    service_id: bytes = ORACLE, *, provider: bytes = PROVIDER, price: int = MT, payee: bytes = PAYEE, timeout: int = TIMEOUT
) -> dict[str, Any]:
    terms = {"price": encode_uint(price), "fee_recipient": encode_bytes(payee), "timeout": encode_uint(timeout)}
    return {"op": "register_service", "provider": encode_bytes(provider), "service_id": encode_bytes(service_id), **terms}


def update(
    service_id: bytes = ORACLE, *, sender: bytes = PROVIDER, price: int = MT, payee: bytes = PAYEE, timeout: int = TIMEOUT
) -> dict[str, Any]:
    terms = {"price": encode_uint(price), "fee_recipient": encode_bytes(payee), "timeout": encode_uint(timeout)}
    return {"op": "update_service", "sender": encode_bytes(sender), "service_id": encode_bytes(service_id), **terms}


def deregister(service_id: bytes = ORACLE, *, sender: bytes = PROVIDER) -> dict[str, Any]:
    return {"op": "deregister_service", "sender": encode_bytes(sender), "service_id": encode_bytes(service_id)}


def call(service_id: bytes = ORACLE, *, max_price: int = MT, chain_id: int = ACME) -> dict[str, Any]:
    return {
        "op": "call_service",
        "caller": encode_bytes(CALLER),
        "chain_id": encode_uint(chain_id),
        "service_id": encode_bytes(service_id),
        "max_price": encode_uint(max_price),
        "request_hash": encode_bytes(REQUEST),
    }


def fulfil(call_id: int = 0, *, sender: bytes = PROVIDER) -> dict[str, Any]:
    return {"op": "fulfil_service_call", "sender": encode_bytes(sender), "call_id": encode_uint(call_id), "result_hash": encode_bytes(RESULT)}


def refund(call_id: int = 0) -> dict[str, Any]:
    return {"op": "refund_service_call", "call_id": encode_uint(call_id)}


def later(spec: ModuleType, seconds: int) -> dict[str, Any]:
    """L1 block 97, ``seconds`` after the call (made in block 96, at T0)."""
    return at(spec, HUB_START + 1, T0 + seconds)


# --- Expected values, written out ------------------------------------------------------------------------------------


def service(
    spec: ModuleType,
    service_id: bytes = ORACLE,
    *,
    price: int = MT,
    payee: bytes = PAYEE,
    timeout: int = TIMEOUT,
    active: bool = True,
) -> Any:
    return spec.Service(spec.ServiceId(service_id), spec.Address(PROVIDER), spec.Wei(price), spec.Address(payee), spec.uint64(timeout), active)


def call_record(
    spec: ModuleType,
    *,
    price: int = MT,
    payee: bytes = PAYEE,
    deadline: int = DEADLINE,
    status: int = 0,
    result: Optional[bytes] = None,
    service_id: bytes = ORACLE,
) -> Any:
    return spec.ServiceCall(
        service_id=spec.ServiceId(service_id),
        chain_id=spec.ChainId(ACME),
        caller=spec.Address(CALLER),
        provider=spec.Address(PROVIDER),
        fee_recipient=spec.Address(payee),
        price=spec.Wei(price),
        deadline=spec.Timestamp(deadline),
        request_hash=spec.Hash32(REQUEST),
        status=spec.CallStatus(status),
        result_hash=None if result is None else spec.Hash32(result),
    )


def market(spec: ModuleType, services: Sequence[Any] = (), calls: Sequence[Any] = (), escrow: int = 0) -> Any:
    return spec.Marketplace(tuple(services), tuple(calls), spec.Wei(escrow))


# --- Running a case --------------------------------------------------------------------------------------------------


def pre(spec: ModuleType) -> dict[str, Any]:
    return {"hub": encode_hub(scene_hub(spec)), "marketplace": encode_marketplace(spec.get_genesis_marketplace())}


def execute(spec: ModuleType, operations: Sequence[dict[str, Any]]) -> dict[str, Any]:
    request = {"pre": pre(spec), "input": {"operations": list(operations)}}
    return HANDLERS[("services", "apply_operations")](spec, request)


def expect_post(
    spec: ModuleType, operations: Sequence[dict[str, Any]], expected: Any, payouts: Sequence[tuple[bytes, int]]
) -> Iterator[Part]:
    yield "pre", pre(spec)
    yield "input", {"operations": list(operations)}
    answer = execute(spec, operations)
    assert answer["post"]["payouts"] == [{"recipient": encode_bytes(to), "amount": encode_uint(v)} for to, v in payouts]
    assert answer["post"]["marketplace"] == encode_marketplace(expected), "the marketplace differs from the one built by hand"
    yield "post", answer["post"]


def expect_refused(spec: ModuleType, operations: Sequence[dict[str, Any]], error: str) -> Iterator[Part]:
    yield "pre", pre(spec)
    yield "input", {"operations": list(operations)}
    yield from expect_spec_error(spec, error, lambda: execute(spec, operations))


def case(*, forks: tuple[str, ...] = BOTH_FORKS) -> Callable[[Callable[[ModuleType], Iterator[Part]]], Callable[[ModuleType], None]]:
    """The services runner's one handler, on both presets and both forks."""
    return vector_case("services", "apply_operations", forks=forks)


# --- The registry ----------------------------------------------------------------------------------------------------


@case()
def test_register_a_service(spec: ModuleType) -> Iterator[Part]:
    """The oracle service: 1 MT a call, earnings to PAYEE, 300 seconds to fulfil. Nothing is paid or escrowed."""
    yield from expect_post(spec, [register()], market(spec, [service(spec)]), [])


@case()
def test_service_id_taken(spec: ModuleType) -> Iterator[Part]:
    yield from expect_refused(spec, [register(), register(provider=STRANGER)], "ServiceIdTaken")


@case()
def test_deregistered_id_is_not_reused(spec: ModuleType) -> Iterator[Part]:
    """A stranger cannot take over a deregistered service's id (and so the calls its callers would make)."""
    yield from expect_refused(spec, [register(), deregister(), register(provider=STRANGER)], "ServiceIdTaken")


@case()
def test_timeout_zero(spec: ModuleType) -> Iterator[Part]:
    """A call no provider could ever fulfil: refused."""
    yield from expect_refused(spec, [register(timeout=0)], "InvalidServiceTimeout")


@case()
def test_timeout_of_one_second(spec: ModuleType) -> Iterator[Part]:
    """The shortest timeout a provider may offer: one second."""
    yield from expect_post(spec, [register(timeout=1)], market(spec, [service(spec, timeout=1)]), [])


@case()
def test_timeout_at_the_maximum(spec: ModuleType) -> Iterator[Part]:
    yield from expect_post(spec, [register(timeout=max_timeout(spec))], market(spec, [service(spec, timeout=max_timeout(spec))]), [])


@case()
def test_timeout_one_over_the_maximum(spec: ModuleType) -> Iterator[Part]:
    yield from expect_refused(spec, [register(timeout=max_timeout(spec) + 1)], "InvalidServiceTimeout")


@case()
def test_zero_fee_recipient(spec: ModuleType) -> Iterator[Part]:
    yield from expect_refused(spec, [register(payee=bytes(20))], "ZeroFeeRecipient")


@case()
def test_zero_fee_recipient_checked_before_the_timeout(spec: ModuleType) -> Iterator[Part]:
    """Both terms are wrong: the fee recipient is checked first."""
    yield from expect_refused(spec, [register(payee=bytes(20), timeout=0)], "ZeroFeeRecipient")


@case()
def test_id_taken_checked_before_the_terms(spec: ModuleType) -> Iterator[Part]:
    yield from expect_refused(spec, [register(), register(provider=STRANGER, timeout=0)], "ServiceIdTaken")


@case()
def test_update_service_terms(spec: ModuleType) -> Iterator[Part]:
    """The provider doubles its price, moves its earnings to STRANGER's address and its timeout to the longest allowed."""
    moves = [register(), update(price=2 * MT, payee=STRANGER, timeout=max_timeout(spec))]
    yield from expect_post(spec, moves, market(spec, [service(spec, price=2 * MT, payee=STRANGER, timeout=max_timeout(spec))]), [])


@case()
def test_update_of_the_first_of_two_services(spec: ModuleType) -> Iterator[Part]:
    """The provider registers the oracle, then a courier service, then raises the oracle's price: the oracle's
    record changes in place and the courier's stays after it as it was."""
    moves = [register(), register(COURIER, price=3 * MT), update(price=2 * MT)]
    expected = market(spec, [service(spec, price=2 * MT), service(spec, COURIER, price=3 * MT)])
    yield from expect_post(spec, moves, expected, [])


@case()
def test_update_by_a_stranger(spec: ModuleType) -> Iterator[Part]:
    yield from expect_refused(spec, [register(), update(sender=STRANGER, price=0)], "NotServiceProvider")


@case()
def test_update_of_an_unknown_service(spec: ModuleType) -> Iterator[Part]:
    yield from expect_refused(spec, [register(), update(COURIER)], "UnknownService")


@case()
def test_update_after_deregistration(spec: ModuleType) -> Iterator[Part]:
    yield from expect_refused(spec, [register(), deregister(), update(price=2 * MT)], "ServiceNotActive")


@case()
def test_update_to_a_timeout_over_the_maximum(spec: ModuleType) -> Iterator[Part]:
    yield from expect_refused(spec, [register(), update(timeout=max_timeout(spec) + 1)], "InvalidServiceTimeout")


@case()
def test_deregister_a_service(spec: ModuleType) -> Iterator[Part]:
    yield from expect_post(spec, [register(), deregister()], market(spec, [service(spec, active=False)]), [])


@case()
def test_deregister_twice(spec: ModuleType) -> Iterator[Part]:
    yield from expect_refused(spec, [register(), deregister(), deregister()], "ServiceNotActive")


@case()
def test_stranger_deregisters_a_deregistered_service(spec: ModuleType) -> Iterator[Part]:
    """Two rules break: the sender is not the provider, and the service is inactive. The provider check is first."""
    yield from expect_refused(spec, [register(), deregister(), deregister(sender=STRANGER)], "NotServiceProvider")


# --- Calls -----------------------------------------------------------------------------------------------------------


@case()
def test_call_escrows_the_price(spec: ModuleType) -> Iterator[Part]:
    """A call in block 96 (T0): 1 MT escrowed, the terms fixed, the deadline T0 + 300."""
    expected = market(spec, [service(spec)], [call_record(spec)], MT)
    yield from expect_post(spec, [register(), call()], expected, [])


@case()
def test_call_of_an_unknown_service(spec: ModuleType) -> Iterator[Part]:
    yield from expect_refused(spec, [register(), call(COURIER)], "UnknownService")


@case()
def test_call_of_a_deregistered_service(spec: ModuleType) -> Iterator[Part]:
    yield from expect_refused(spec, [register(), deregister(), call()], "ServiceNotActive")


@case()
def test_call_for_an_unknown_dac(spec: ModuleType) -> Iterator[Part]:
    """Chain 1000000000001090 is the next id, which no DAC has yet."""
    yield from expect_refused(spec, [register(), call(chain_id=ACME + 1)], "UnknownChainId")


@case()
def test_price_raised_above_the_callers_maximum(spec: ModuleType) -> Iterator[Part]:
    """The caller saw 1 MT; the provider raises the price by one wei before the call lands: refused."""
    yield from expect_refused(spec, [register(), update(price=MT + 1), call(max_price=MT)], "ServicePriceAboveMax")


@case()
def test_price_exactly_the_callers_maximum(spec: ModuleType) -> Iterator[Part]:
    expected = market(spec, [service(spec)], [call_record(spec)], MT)
    yield from expect_post(spec, [register(), call(max_price=MT)], expected, [])


@case()
def test_price_lowered_before_the_call(spec: ModuleType) -> Iterator[Part]:
    """The caller would pay up to 1 MT; the price is 0.5 MT when its call lands: it pays 0.5 MT, not its maximum."""
    expected = market(spec, [service(spec, price=MT // 2)], [call_record(spec, price=MT // 2)], MT // 2)
    yield from expect_post(spec, [register(), update(price=MT // 2), call(max_price=MT)], expected, [])


@case()
def test_deregistered_service_above_the_callers_maximum(spec: ModuleType) -> Iterator[Part]:
    """Two rules break: the service is inactive, and its price is above the bound. Activity is checked first."""
    yield from expect_refused(spec, [register(), deregister(), call(max_price=0)], "ServiceNotActive")


@case()
def test_deadline_exactly_uint64_max(spec: ModuleType) -> Iterator[Part]:
    """L1 time 2**64 - 1 - 300: the deadline is the largest timestamp."""
    now = UINT64_MAX - TIMEOUT
    expected = market(spec, [service(spec)], [call_record(spec, deadline=UINT64_MAX)], MT)
    yield from expect_post(spec, [register(), at(spec, HUB_START + 1, now), call()], expected, [])


@case()
def test_deadline_past_uint64(spec: ModuleType) -> Iterator[Part]:
    """One second later the deadline would be 2**64: refused, not wrapped around to 0 (refundable at once)."""
    yield from expect_refused(spec, [register(), at(spec, HUB_START + 1, UINT64_MAX - TIMEOUT + 1), call()], "CallDeadlineOverflow")


@case()
def test_price_at_the_uint256_maximum(spec: ModuleType) -> Iterator[Part]:
    """A price of 2**256 - 1 wei is escrowed whole."""
    expected = market(spec, [service(spec, price=UINT256_MAX)], [call_record(spec, price=UINT256_MAX)], UINT256_MAX)
    yield from expect_post(spec, [register(price=UINT256_MAX), call(max_price=UINT256_MAX)], expected, [])


@case()
def test_escrow_past_uint256(spec: ModuleType) -> Iterator[Part]:
    """With 2**256 - 1 wei escrowed, one more wei would not fit: refused."""
    moves = [register(price=UINT256_MAX), register(COURIER, price=1), call(max_price=UINT256_MAX), call(COURIER)]
    yield from expect_refused(spec, moves, "EscrowOverflow")


@case()
def test_two_calls_one_fulfilled_one_refunded(spec: ModuleType) -> Iterator[Part]:
    """Calls 0 (oracle, 1 MT) and 1 (courier, 3 MT, the longest timeout) in block 96. The oracle fulfils call 0 at
    T0 + 10; at the courier's deadline call 1 is refunded. Escrow: 4 MT, then 3 MT, then nothing."""
    moves = [register(), register(COURIER, price=3 * MT, timeout=max_timeout(spec)), call(), call(COURIER, max_price=3 * MT)]
    moves += [later(spec, 10), fulfil(0), at(spec, HUB_START + 2, T0 + max_timeout(spec)), refund(1)]
    calls = [
        call_record(spec, status=1, result=RESULT),
        call_record(spec, service_id=COURIER, price=3 * MT, deadline=T0 + max_timeout(spec), status=2),
    ]
    expected = market(spec, [service(spec), service(spec, COURIER, price=3 * MT, timeout=max_timeout(spec))], calls, 0)
    yield from expect_post(spec, moves, expected, [(PAYEE, SHARE_OF_ONE_MT), (treasury(spec), FEE_ON_ONE_MT), (CALLER, 3 * MT)])


# --- Fulfilment ------------------------------------------------------------------------------------------------------


@case()
def test_fulfil_pays_the_provider_less_the_fee(spec: ModuleType) -> Iterator[Part]:
    """Fulfilled at T0 + 10: 0.975 MT to the fee recipient, 0.025 MT to MetisDAO; nothing left in escrow."""
    expected = market(spec, [service(spec)], [call_record(spec, status=1, result=RESULT)], 0)
    yield from expect_post(spec, [register(), call(), later(spec, 10), fulfil()], expected, [(PAYEE, SHARE_OF_ONE_MT), (treasury(spec), FEE_ON_ONE_MT)])


@case()
def test_fee_rounds_down(spec: ModuleType) -> Iterator[Part]:
    """A price of 401 wei: the fee is 401 x 250 / 10,000 = 10.025, rounded down to 10 wei; the fee recipient gets
    391, and 391 + 10 = 401."""
    expected = market(spec, [service(spec, price=401)], [call_record(spec, price=401, status=1, result=RESULT)], 0)
    yield from expect_post(spec, [register(price=401), call(), fulfil()], expected, [(PAYEE, 391), (treasury(spec), 10)])


@case()
def test_fulfilment_at_the_uint256_maximum(spec: ModuleType) -> Iterator[Part]:
    """A price of 2**256 - 1: 250 / 10,000 is 1/40, so the fee is floor((2**256 - 1) / 40) and the fee recipient
    gets the rest; computed without overflow (apply_basis_points)."""
    fee = UINT256_MAX // 40
    expected = market(spec, [service(spec, price=UINT256_MAX)], [call_record(spec, price=UINT256_MAX, status=1, result=RESULT)], 0)
    moves = [register(price=UINT256_MAX), call(max_price=UINT256_MAX), fulfil()]
    yield from expect_post(spec, moves, expected, [(PAYEE, UINT256_MAX - fee), (treasury(spec), fee)])


@case()
def test_fulfil_one_second_before_the_deadline(spec: ModuleType) -> Iterator[Part]:
    expected = market(spec, [service(spec)], [call_record(spec, status=1, result=RESULT)], 0)
    moves = [register(), call(), later(spec, TIMEOUT - 1), fulfil()]
    yield from expect_post(spec, moves, expected, [(PAYEE, SHARE_OF_ONE_MT), (treasury(spec), FEE_ON_ONE_MT)])


@case()
def test_fulfil_at_the_deadline(spec: ModuleType) -> Iterator[Part]:
    """At T0 + 300 the call is the caller's to refund: the provider is too late."""
    yield from expect_refused(spec, [register(), call(), later(spec, TIMEOUT), fulfil()], "CallDeadlinePassed")


@case()
def test_fulfil_by_a_stranger(spec: ModuleType) -> Iterator[Part]:
    yield from expect_refused(spec, [register(), call(), fulfil(sender=STRANGER)], "NotServiceProvider")


@case()
def test_fee_recipient_cannot_fulfil(spec: ModuleType) -> Iterator[Part]:
    """The fee recipient is paid, but only the provider answers for the service."""
    yield from expect_refused(spec, [register(), call(), fulfil(sender=PAYEE)], "NotServiceProvider")


@case()
def test_stranger_fulfils_after_the_deadline(spec: ModuleType) -> Iterator[Part]:
    """Two rules break: the sender is not the provider, and the deadline has passed. The provider check is first."""
    yield from expect_refused(spec, [register(), call(), later(spec, TIMEOUT), fulfil(sender=STRANGER)], "NotServiceProvider")


@case()
def test_fulfil_twice(spec: ModuleType) -> Iterator[Part]:
    yield from expect_refused(spec, [register(), call(), fulfil(), fulfil()], "ServiceCallNotOpen")


@case()
def test_fulfil_after_refund(spec: ModuleType) -> Iterator[Part]:
    yield from expect_refused(spec, [register(), call(), later(spec, TIMEOUT), refund(), fulfil()], "ServiceCallNotOpen")


@case()
def test_fulfil_of_an_unknown_call(spec: ModuleType) -> Iterator[Part]:
    """One call was made (id 0); id 1 does not exist."""
    yield from expect_refused(spec, [register(), call(), fulfil(1)], "UnknownServiceCall")


@case()
def test_fulfil_after_deregistration(spec: ModuleType) -> Iterator[Part]:
    """The provider deregisters with a call open: it may still fulfil it, and is paid."""
    expected = market(spec, [service(spec, active=False)], [call_record(spec, status=1, result=RESULT)], 0)
    moves = [register(), call(), deregister(), fulfil()]
    yield from expect_post(spec, moves, expected, [(PAYEE, SHARE_OF_ONE_MT), (treasury(spec), FEE_ON_ONE_MT)])


@case()
def test_terms_changed_after_the_call(spec: ModuleType) -> Iterator[Part]:
    """After the call the provider doubles the price and sends its earnings to STRANGER: the open call keeps its
    1 MT and PAYEE."""
    moves = [register(), call(), update(price=2 * MT, payee=STRANGER), fulfil()]
    expected = market(spec, [service(spec, price=2 * MT, payee=STRANGER)], [call_record(spec, status=1, result=RESULT)], 0)
    yield from expect_post(spec, moves, expected, [(PAYEE, SHARE_OF_ONE_MT), (treasury(spec), FEE_ON_ONE_MT)])


@case()
def test_fee_recipient_is_the_treasury(spec: ModuleType) -> Iterator[Part]:
    """A provider that gives its earnings to MetisDAO: two payouts to the treasury, 0.975 + 0.025 = 1 MT."""
    expected = market(spec, [service(spec, payee=treasury(spec))], [call_record(spec, payee=treasury(spec), status=1, result=RESULT)], 0)
    yield from expect_post(spec, [register(payee=treasury(spec)), call(), fulfil()], expected, [(treasury(spec), SHARE_OF_ONE_MT), (treasury(spec), FEE_ON_ONE_MT)])


@case()
def test_free_service_pays_nothing(spec: ModuleType) -> Iterator[Part]:
    """A price of 0: the call escrows nothing, with a bound of 0; fulfilment pays 0 to each."""
    expected = market(spec, [service(spec, price=0)], [call_record(spec, price=0, status=1, result=RESULT)], 0)
    yield from expect_post(spec, [register(price=0), call(max_price=0), fulfil()], expected, [(PAYEE, 0), (treasury(spec), 0)])


# --- Refunds ---------------------------------------------------------------------------------------------------------


@case()
def test_refund_at_the_deadline(spec: ModuleType) -> Iterator[Part]:
    """At T0 + 300, anyone triggers the refund (no sender is asked for): the 1 MT goes back to the caller."""
    expected = market(spec, [service(spec)], [call_record(spec, status=2)], 0)
    yield from expect_post(spec, [register(), call(), later(spec, TIMEOUT), refund()], expected, [(CALLER, MT)])


@case()
def test_refund_one_second_before_the_deadline(spec: ModuleType) -> Iterator[Part]:
    yield from expect_refused(spec, [register(), call(), later(spec, TIMEOUT - 1), refund()], "CallDeadlineNotReached")


@case()
def test_refund_twice(spec: ModuleType) -> Iterator[Part]:
    yield from expect_refused(spec, [register(), call(), later(spec, TIMEOUT), refund(), refund()], "ServiceCallNotOpen")


@case()
def test_refund_after_fulfilment(spec: ModuleType) -> Iterator[Part]:
    yield from expect_refused(spec, [register(), call(), fulfil(), later(spec, TIMEOUT), refund()], "ServiceCallNotOpen")


@case()
def test_refund_after_deregistration(spec: ModuleType) -> Iterator[Part]:
    """The provider deregisters and walks away: the caller's MT comes back at the deadline."""
    expected = market(spec, [service(spec, active=False)], [call_record(spec, status=2)], 0)
    moves = [register(), call(), deregister(), later(spec, TIMEOUT), refund()]
    yield from expect_post(spec, moves, expected, [(CALLER, MT)])


@case()
def test_refund_of_an_unknown_call(spec: ModuleType) -> Iterator[Part]:
    yield from expect_refused(spec, [register(), later(spec, TIMEOUT), refund()], "UnknownServiceCall")
