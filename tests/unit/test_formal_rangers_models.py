"""The Z3 models of formal/z3_rangers.py agree with the rendered spec on concrete inputs, so that a proof about a
model is a proof about the spec text it mirrors: what `fund_ranger_rewards`, `register_ranger`, `strike_rangers`
(a third strike) and `withdraw_ranger_bond` accept and leave. (The model of `claim_validation_reward`'s pool
arithmetic is pinned by the vectors `rangers/apply_operations/reward_from_an_empty_pool` and
`reward_from_a_pool_of_exactly_one_reward`.)"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from formal import z3_rangers
from mvm_spec.forks.v1 import minimal as spec
from tests.hub_building import new_hub

UINT256_MAX = 2**256 - 1
ADDRESSES = [spec.Address(bytes([0xA0 + index]) * 20) for index in range(3)]
amounts = st.one_of(st.integers(0, UINT256_MAX), st.sampled_from([0, 1, UINT256_MAX - 1, UINT256_MAX]))


def evaluate(expression: z3.ArithRef) -> int:
    return z3.simplify(expression).as_long()  # type: ignore[no-any-return]


def holds(condition: z3.BoolRef) -> bool:
    return bool(z3.is_true(z3.simplify(condition)))


def hub_of(pool: int, bonds: list[int]) -> Any:
    """A hub whose pool and registered rangers' bonds are these (a bond of 0: that ranger is not registered)."""
    rangers = tuple(
        spec.Ranger(address, spec.Wei(bond), spec.L1BlockNumber(0), None, spec.uint64(2))
        for address, bond in zip(ADDRESSES, bonds)
        if bond
    )
    return replace(new_hub(spec), rangers=rangers, ranger_reward_pool=spec.Wei(pool))


def model_of(pool: int, bonds: list[int]) -> z3_rangers.Funds:
    return z3_rangers.Funds(z3.IntVal(pool), tuple(z3.IntVal(bond) for bond in bonds))


def funds_of(hub: Any) -> tuple[int, list[int]]:
    held = {ranger.address: int(ranger.bond) for ranger in hub.rangers}
    return int(hub.ranger_reward_pool), [held.get(address, 0) for address in ADDRESSES]


def model_values(funds: z3_rangers.Funds) -> tuple[int, list[int]]:
    return evaluate(funds.pool), [evaluate(bond) for bond in funds.bonds]


@st.composite
def states(draw: st.DrawFn) -> tuple[int, list[int]]:
    """A pool and three bonds (0 or at least RANGER_BOND) that fit a uint256 together."""
    room = UINT256_MAX
    bonds = []
    for _ in range(3):
        bond = draw(st.one_of(st.just(0), st.integers(int(spec.RANGER_BOND), max(int(spec.RANGER_BOND), room // 2))))
        bond = bond if bond <= room else 0
        bonds.append(bond)
        room -= bond
    return draw(st.integers(0, room)), bonds


@settings(max_examples=60, deadline=None)
@given(state=states(), amount=amounts)
def test_fund_model(state: tuple[int, list[int]], amount: int) -> None:
    pool, bonds = state
    accepted, after = z3_rangers.fund(model_of(pool, bonds), z3.IntVal(amount))
    try:
        funded = spec.fund_ranger_rewards(hub_of(pool, bonds), spec.Wei(amount))
    except spec.RangerFundsOverflow:
        assert not holds(accepted)
        return
    assert holds(accepted) and funds_of(funded) == model_values(after)


@settings(max_examples=60, deadline=None)
@given(state=states(), slot=st.integers(0, 2), bond=amounts)
def test_register_model(state: tuple[int, list[int]], slot: int, bond: int) -> None:
    pool, bonds = state
    bonds[slot] = 0
    bond = max(bond, int(spec.RANGER_BOND))
    accepted, after = z3_rangers.register(model_of(pool, bonds), slot, z3.IntVal(bond))
    try:
        registered = spec.register_ranger(hub_of(pool, bonds), ADDRESSES[slot], spec.Wei(bond))
    except spec.RangerFundsOverflow:
        assert not holds(accepted)
        return
    assert holds(accepted) and funds_of(registered) == model_values(after)


@settings(max_examples=60, deadline=None)
@given(state=states(), slot=st.integers(0, 2))
def test_strike_out_and_withdraw_models(state: tuple[int, list[int]], slot: int) -> None:
    pool, bonds = state
    if not bonds[slot]:
        return
    struck = spec.strike_rangers(hub_of(pool, bonds), [ADDRESSES[slot]])  # each ranger of hub_of has two strikes
    assert funds_of(struck) == model_values(z3_rangers.strike_out(model_of(pool, bonds), slot))
    exiting = hub_of(pool, bonds)
    position = [ranger.address for ranger in exiting.rangers].index(ADDRESSES[slot])
    exiting = spec.replace_ranger(exiting, position, replace(exiting.rangers[position], exit_requested_at=spec.Timestamp(0)))
    withdrawn, paid = spec.withdraw_ranger_bond(exiting, ADDRESSES[slot])
    model_paid, after = z3_rangers.withdraw(model_of(pool, bonds), slot)
    assert int(paid) == evaluate(model_paid) and funds_of(withdrawn) == model_values(after)


def test_the_room_check_is_the_models() -> None:
    """At the boundary: exactly 2^256 - 1 held is accepted, one wei more refused, by the spec and the model alike."""
    bonds = [int(spec.RANGER_BOND), 0, 0]
    for amount, accepted in ((UINT256_MAX - int(spec.RANGER_BOND), True), (UINT256_MAX - int(spec.RANGER_BOND) + 1, False)):
        assert holds(z3_rangers.fund(model_of(0, bonds), z3.IntVal(amount))[0]) is accepted
        try:
            spec.fund_ranger_rewards(hub_of(0, bonds), spec.Wei(amount))
            assert accepted
        except spec.RangerFundsOverflow:
            assert not accepted
