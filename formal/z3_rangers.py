"""Z3 proofs of what the rangers' contract holds (spec/v1/rangers.md, fork v1).

The contract holds the reward pool and every registered ranger's bond (`get_ranger_funds`); its ERC-20 balance is a
`uint256`. Models, mirroring the spec text line by line (conventions of formal/z3_tax.py), of every operation that
moves MT into, out of or within it, over a pool and three bonds (any number of other rangers adds to both sides
alike):

- ``fund`` (`fund_ranger_rewards`) and ``register`` (`register_ranger`): accepted only if
  `validate_ranger_funds_room` passes;
- ``strike_out`` (`strike_rangers` at `MAX_RANGER_STRIKES`): the bond moves into the pool, the ranger is removed;
- ``withdraw`` (`withdraw_ranger_bond`): the bond is paid out, the ranger removed;
- ``claim`` (`claim_validation_reward`): a reward is paid from the pool, only if the pool holds it.

tests/unit/test_formal_rangers_models.py evaluates these models against the rendered spec on concrete inputs.

Claims:

- ``ranger_funds_fit_a_uint256``: from any state whose pool and bonds fit a `uint256` together, every accepted
  operation leaves a state that does too, and every value it writes is a `uint256` (so moving a forfeited bond into
  the pool can never overflow);
- ``ranger_operations_conserve_mt``: each operation changes what the contract holds by exactly what it takes in
  (a funding, a bond) or pays out (a withdrawn bond, a reward); a strike-out changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import z3

from formal.z3_tax import UINT256_BOUND, Claim, Obligation, in_uint256

UINT256_MAX = UINT256_BOUND - 1
RANGERS = 3


@dataclass(frozen=True)
class Funds:
    """The reward pool and each ranger's bond (0 for a ranger that is not registered)."""

    pool: z3.ArithRef
    bonds: tuple[z3.ArithRef, ...]

    def total(self) -> z3.ArithRef:
        # get_ranger_funds: hub.ranger_reward_pool + sum(ranger.bond for ranger in hub.rangers)
        return self.pool + z3.Sum(*self.bonds)

    def values(self) -> list[z3.ArithRef]:
        return [self.pool, *self.bonds]


def has_room(funds: Funds, amount: z3.ArithRef) -> z3.BoolRef:
    # validate_ranger_funds_room: get_ranger_funds(hub) + amount > UINT256_MAX raises
    return funds.total() + amount <= UINT256_MAX


def fund(funds: Funds, amount: z3.ArithRef) -> tuple[z3.BoolRef, Funds]:
    # replace(hub, ranger_reward_pool=Wei(hub.ranger_reward_pool + amount))
    return has_room(funds, amount), Funds(funds.pool + amount, funds.bonds)


def register(funds: Funds, slot: int, bond: z3.ArithRef) -> tuple[z3.BoolRef, Funds]:
    # Ranger(address, bond, ...) appended; the slot is one not registered (bond 0)
    bonds = tuple(bond if index == slot else value for index, value in enumerate(funds.bonds))
    return z3.And(funds.bonds[slot] == 0, has_room(funds, bond)), Funds(funds.pool, bonds)


def strike_out(funds: Funds, slot: int) -> Funds:
    # replace(replace_ranger(hub, position, None), ranger_reward_pool=Wei(hub.ranger_reward_pool + ranger.bond))
    bonds = tuple(z3.IntVal(0) if index == slot else value for index, value in enumerate(funds.bonds))
    return Funds(funds.pool + funds.bonds[slot], bonds)


def withdraw(funds: Funds, slot: int) -> tuple[z3.ArithRef, Funds]:
    # return replace_ranger(hub, position, None), ranger.bond
    bonds = tuple(z3.IntVal(0) if index == slot else value for index, value in enumerate(funds.bonds))
    return funds.bonds[slot], Funds(funds.pool, bonds)


def claim(funds: Funds, reward: z3.ArithRef) -> tuple[z3.BoolRef, Funds]:
    # hub.ranger_reward_pool < RANGER_VALIDATION_REWARD raises; else Wei(hub.ranger_reward_pool - reward)
    return funds.pool >= reward, Funds(funds.pool - reward, funds.bonds)


def _start() -> tuple[Funds, list[z3.BoolRef]]:
    funds = Funds(z3.Int("pool"), tuple(z3.Int(f"bond_{index}") for index in range(RANGERS)))
    return funds, [*(in_uint256(value) for value in funds.values()), in_uint256(funds.total())]


def _fits(funds: Funds) -> z3.BoolRef:
    return z3.And(in_uint256(funds.total()), *(in_uint256(value) for value in funds.values()))


def _after_each_operation(goal_of: str) -> Obligation:
    """One obligation over all five operations: for each, (accepted -> goal)."""
    before, hypotheses = _start()
    amount, reward = z3.Int("amount"), z3.Int("reward")
    hypotheses += [in_uint256(amount), in_uint256(reward)]
    goals: list[z3.BoolRef] = []
    accepted, after = fund(before, amount)
    goals.append(z3.Implies(accepted, _goal(goal_of, before, after, taken_in=amount, paid_out=z3.IntVal(0))))
    for slot in range(RANGERS):
        accepted, after = register(before, slot, amount)
        goals.append(z3.Implies(accepted, _goal(goal_of, before, after, taken_in=amount, paid_out=z3.IntVal(0))))
        after = strike_out(before, slot)
        goals.append(_goal(goal_of, before, after, taken_in=z3.IntVal(0), paid_out=z3.IntVal(0)))
        paid, after = withdraw(before, slot)
        goals.append(z3.And(_goal(goal_of, before, after, taken_in=z3.IntVal(0), paid_out=paid), in_uint256(paid)))
    accepted, after = claim(before, reward)
    goals.append(z3.Implies(accepted, _goal(goal_of, before, after, taken_in=z3.IntVal(0), paid_out=reward)))
    shown = [("pool", before.pool), *((f"bond_{i}", bond) for i, bond in enumerate(before.bonds)), ("amount", amount)]
    return Obligation(hypotheses, z3.And(*goals), shown)


def _goal(goal_of: str, before: Funds, after: Funds, *, taken_in: z3.ArithRef, paid_out: z3.ArithRef) -> z3.BoolRef:
    if goal_of == "fits":
        return _fits(after)
    return after.total() == before.total() + taken_in - paid_out


CLAIMS: list[Claim] = [
    Claim("ranger_funds_fit_a_uint256", lambda: _after_each_operation("fits")),
    Claim("ranger_operations_conserve_mt", lambda: _after_each_operation("conserves")),
]
