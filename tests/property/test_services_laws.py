"""MT is conserved through any sequence of marketplace operations (spec/v1/services.md), on the minimal preset.

A stateful machine starts from the services vectors' scene (a hub holding the rangers' DAC and acme, an empty
marketplace, then one to three services registered) and interleaves, in any order Hypothesis finds: providers
registering, updating and deregistering services under four ids with prices from 0 to 2**256 - 1, a caller calling
them for a registered DAC or an unknown one with any bound, fulfilments by the provider or a stranger, refunds, and
the L1 clock moving by up to twice the longest timeout, or to one second before, or exactly at, a call's deadline.
A small model of its own decides, for each registration, update, deregistration, fulfilment and refund, whether the
rules allow it (the id free, the provider, the service active, the call open, before or from the deadline), and the
spec must agree.

After every step: the marketplace's escrow is the sum of the prices of its open calls, and the MT put in (every
price escrowed) equals the MT paid out plus the escrow. Each settled call paid out exactly its price (to the fee
recipient and the treasury, the fee rounded down; or to the caller), and no call settles twice.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from mvm_spec.forks.v1 import minimal as spec
from tests.cases.test_services import scene_hub
from tests.hub_building import ACME, HUB_START, l1_block

UINT256_MAX = 2**256 - 1
MT = 10**18
PROVIDERS = [spec.Address(bytes([0x50 + index]) * 20) for index in range(3)]
STRANGER = spec.Address(bytes([0x77]) * 20)
PAYEES = [spec.Address(bytes([0x60 + index]) * 20) for index in range(2)] + [spec.METIS_DAO_L1_ADDRESS]
CALLER = spec.Address(bytes([0xCA]) * 20)
SERVICE_IDS = [spec.ServiceId(bytes([0x10 + index]) * 32) for index in range(4)]
CHAINS = [spec.ChainId(ACME), spec.ChainId(ACME + 1)]  # acme, and an id no DAC has (drawn a quarter of the time)

prices = st.one_of(st.integers(0, 10 * MT), st.sampled_from([0, 1, 401, UINT256_MAX - 1, UINT256_MAX]))
timeouts = st.one_of(st.integers(1, int(spec.MAX_SERVICE_TIMEOUT)), st.sampled_from([0, int(spec.MAX_SERVICE_TIMEOUT) + 1]))


class MarketplaceMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.hub = scene_hub(spec)
        self.market = spec.get_genesis_marketplace()
        self.number = HUB_START
        self.put_in = 0
        self.paid_out = 0
        self.settled: set[int] = set()

    def now(self) -> int:
        return int(spec.get_current_l1_block(self.hub).timestamp)

    def attempt(self, operation: Callable[[Any], Any]) -> Optional[Any]:
        """Run ``operation(market)``; returns its result, or None when a rule refused it."""
        try:
            return operation(self.market)
        except spec.ServiceError:
            return None
        except spec.UnknownChainId:
            return None

    def some_service_id(self, data: st.DataObject) -> Any:
        """An id, three times in four one that is registered (when there is one)."""
        registered = [service.service_id for service in self.market.services] * 3
        return data.draw(st.sampled_from(registered + SERVICE_IDS), label="service_id")

    def some_call_id(self, data: st.DataObject) -> int:
        """A call's id, or once in a while the next id, which no call has yet."""
        known = st.integers(0, len(self.market.calls) - 1) if self.market.calls else st.just(0)
        return data.draw(st.one_of(known, known, known, st.just(len(self.market.calls))), label="call_id")

    @initialize(prices_and_timeouts=st.lists(st.tuples(prices, st.integers(1, int(spec.MAX_SERVICE_TIMEOUT))), min_size=1, max_size=3))
    def open_for_business(self, prices_and_timeouts: list[tuple[int, int]]) -> None:
        for index, (price, timeout) in enumerate(prices_and_timeouts):
            provider, payee = PROVIDERS[index], PAYEES[index]
            self.market = spec.register_service(self.market, provider, SERVICE_IDS[index], spec.Wei(price), payee, spec.uint64(timeout))

    # --- The registry -----------------------------------------------------------------------------------------

    @rule(provider=st.sampled_from(PROVIDERS), service_id=st.sampled_from(SERVICE_IDS), price=prices,
          payee=st.sampled_from(PAYEES), timeout=timeouts)
    def register(self, provider: Any, service_id: Any, price: int, payee: Any, timeout: int) -> None:
        taken = any(service.service_id == service_id for service in self.market.services)
        result = self.attempt(lambda m: spec.register_service(m, provider, service_id, spec.Wei(price), payee, spec.uint64(timeout)))
        assert (result is not None) == (not taken and 1 <= timeout <= spec.MAX_SERVICE_TIMEOUT)
        if result is not None:
            self.market = result

    @rule(data=st.data(), sender=st.sampled_from([*PROVIDERS, STRANGER]), price=prices, payee=st.sampled_from(PAYEES), timeout=timeouts)
    def update(self, data: st.DataObject, sender: Any, price: int, payee: Any, timeout: int) -> None:
        service_id = self.some_service_id(data)
        before = {service.service_id: service for service in self.market.services}.get(service_id)
        result = self.attempt(lambda m: spec.update_service(m, sender, service_id, spec.Wei(price), payee, spec.uint64(timeout)))
        allowed = before is not None and before.provider == sender and before.active and 1 <= timeout <= spec.MAX_SERVICE_TIMEOUT
        assert (result is not None) == allowed
        if result is not None:
            assert result.calls == self.market.calls, "an update never touches a call"
            self.market = result

    @rule(data=st.data(), sender=st.sampled_from([*PROVIDERS, STRANGER]))
    def deregister(self, data: st.DataObject, sender: Any) -> None:
        service_id = self.some_service_id(data)
        before = {service.service_id: service for service in self.market.services}.get(service_id)
        result = self.attempt(lambda m: spec.deregister_service(m, sender, service_id))
        assert (result is not None) == (before is not None and before.provider == sender and before.active)
        if result is not None:
            assert result.calls == self.market.calls, "deregistration never touches a call"
            self.market = result

    # --- Calls and their settlement ---------------------------------------------------------------------------

    @rule(data=st.data(), chain_id=st.sampled_from([CHAINS[0]] * 3 + [CHAINS[1]]))
    def call(self, data: st.DataObject, chain_id: Any) -> None:
        service_id = self.some_service_id(data)
        service = {s.service_id: s for s in self.market.services}.get(service_id)
        quoted = [int(service.price)] if service is not None else []
        max_price = data.draw(st.one_of(st.sampled_from(quoted or [0]), prices), label="max_price")
        result = self.attempt(lambda m: spec.call_service(self.hub, m, CALLER, chain_id, service_id, spec.Wei(max_price), spec.Hash32(bytes(32))))
        if result is None:
            return
        assert service is not None and service.active and chain_id == CHAINS[0] and service.price <= max_price
        made = result.calls[-1]
        assert len(result.calls) == len(self.market.calls) + 1
        assert (made.price, made.provider, made.fee_recipient) == (service.price, service.provider, service.fee_recipient)
        assert made.deadline == self.now() + service.timeout and made.status == spec.CALL_OPEN
        self.market = result
        self.put_in += int(made.price)

    def settle(self, call_id: int, operation: Callable[[Any], Any], allowed: bool) -> Optional[list[Any]]:
        before = self.market.calls[call_id] if call_id < len(self.market.calls) else None
        result = self.attempt(operation)
        assert (result is not None) == allowed
        if result is None:
            return None
        assert before is not None and call_id not in self.settled, "a call settles once"
        market, payouts = result
        assert sum(int(payout.amount) for payout in payouts) == before.price, "a settlement pays out exactly the price"
        self.market = market
        self.paid_out += int(before.price)
        self.settled.add(call_id)
        return list(payouts)

    @rule(data=st.data())
    def fulfil(self, data: st.DataObject) -> None:
        call_id = self.some_call_id(data)
        call = self.market.calls[call_id] if call_id < len(self.market.calls) else None
        providers = [call.provider] * 3 if call is not None else []
        sender = data.draw(st.sampled_from([*providers, *PROVIDERS, STRANGER]), label="sender")
        allowed = call is not None and call.status == spec.CALL_OPEN and call.provider == sender and self.now() < call.deadline
        payouts = self.settle(call_id, lambda m: spec.fulfil_service_call(self.hub, m, sender, call_id, spec.Hash32(bytes([1]) * 32)), allowed)
        if payouts is not None and call is not None:
            fee = int(call.price) * 250 // 10_000  # SERVICE_FEE_BPS, by hand
            assert [(p.recipient, int(p.amount)) for p in payouts] == [(call.fee_recipient, call.price - fee), (spec.METIS_DAO_L1_ADDRESS, fee)]

    @rule(data=st.data())
    def refund(self, data: st.DataObject) -> None:
        call_id = self.some_call_id(data)
        call = self.market.calls[call_id] if call_id < len(self.market.calls) else None
        allowed = call is not None and call.status == spec.CALL_OPEN and self.now() >= call.deadline
        payouts = self.settle(call_id, lambda m: spec.refund_service_call(self.hub, m, call_id), allowed)
        if payouts is not None and call is not None:
            assert [(p.recipient, int(p.amount)) for p in payouts] == [(call.caller, call.price)]

    def move_clock_to(self, timestamp: int) -> None:
        self.number += 1
        block = l1_block(spec, self.number)
        self.hub = spec.advance_l1_block(self.hub, spec.L1Block(block.number, spec.Timestamp(timestamp), block.prev_randao, block.parent_beacon_block_root))

    @rule(seconds=st.integers(1, 2 * int(spec.MAX_SERVICE_TIMEOUT)))
    def advance_clock(self, seconds: int) -> None:
        self.move_clock_to(self.now() + seconds)

    @rule(data=st.data(), offset=st.sampled_from([-1, 0]))
    def advance_to_a_deadline(self, data: st.DataObject, offset: int) -> None:
        """To one second before, or exactly at, the deadline of a call still ahead: the edges of both rules."""
        ahead = sorted({int(call.deadline) + offset for call in self.market.calls if int(call.deadline) + offset > self.now()})
        if ahead:
            self.move_clock_to(data.draw(st.sampled_from(ahead), label="timestamp"))

    # --- Laws ----------------------------------------------------------------------------------------------------

    @invariant()
    def escrow_is_the_open_calls(self) -> None:
        open_prices = sum(int(call.price) for call in self.market.calls if call.status == spec.CALL_OPEN)
        assert self.market.escrow == open_prices == spec.get_open_call_total(self.market)

    @invariant()
    def mt_is_conserved(self) -> None:
        assert self.put_in == self.paid_out + int(self.market.escrow)

    @invariant()
    def settled_calls_are_closed(self) -> None:
        closed = {index for index, call in enumerate(self.market.calls) if call.status != spec.CALL_OPEN}
        assert closed == self.settled


MarketplaceMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
TestMarketplaceConservesMt = MarketplaceMachine.TestCase
