"""Vector cases for the permission rule (spec/v1/l2-chain.md: is_action_permitted, get_forbidden_opcodes).

Each expectation is read off the rule by hand: a DENY naming the signer forbids; otherwise ALLOW rules for the
action, if any, must name the signer; an action no rule names is open. The whitepaper's three examples come first.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Iterator

from mvm_spec.vectors import vector_case
from mvm_spec.vectors.case import Part
from mvm_spec.vectors.codec import encode_bytes, encode_charter

CREATE, CREATE2, CALL, SSTORE = 0xF0, 0xF5, 0xF1, 0x55
SUBMIT_TX, READ = 0x100, 0x101
ALLOW, DENY = 0, 1


def signer(number: int) -> bytes:
    return bytes([number]) * 20


def charter_with(spec: ModuleType, *rules: tuple[list[int], int, int]) -> Any:
    """A charter whose rules are (signer numbers, operation, action)."""
    permissions = tuple(
        spec.PermissionRule(tuple(spec.Address(signer(n)) for n in numbers), spec.PermissionOperation(op), spec.Action(a))
        for numbers, op, a in rules
    )
    return spec.Charter("", "", permissions, (), spec.Address())


def expect_permitted(spec: ModuleType, charter: Any, who: int, action: int, hand_decided: bool) -> Iterator[Part]:
    yield "input", {"charter": encode_charter(charter), "signer": encode_bytes(signer(who)), "action": action}
    permitted = spec.is_action_permitted(charter, spec.Address(signer(who)), spec.Action(action))
    assert permitted is hand_decided
    yield "output", {"permitted": permitted}


def expect_forbidden(spec: ModuleType, charter: Any, who: int, hand_listed: set[int]) -> Iterator[Part]:
    yield "input", {"charter": encode_charter(charter), "signer": encode_bytes(signer(who))}
    forbidden = spec.get_forbidden_opcodes(charter, spec.Address(signer(who)))
    assert forbidden == hand_listed
    yield "output", {"forbidden_opcodes": sorted(int(opcode) for opcode in forbidden)}


def deployers_only(spec: ModuleType) -> Any:
    """Whitepaper example 1: only signers 1 and 2 may deploy contracts, by CREATE or CREATE2."""
    return charter_with(spec, ([1, 2], ALLOW, CREATE), ([1, 2], ALLOW, CREATE2))


@vector_case("permissions", "is_action_permitted")
def test_listed_deployer_may_create(spec: ModuleType) -> Iterator[Part]:
    """Example 1 (only a subset of signers deploy): a listed deployer may CREATE."""
    yield from expect_permitted(spec, deployers_only(spec), 1, CREATE, True)


@vector_case("permissions", "is_action_permitted")
def test_unlisted_signer_may_not_create(spec: ModuleType) -> Iterator[Part]:
    """Example 1: a signer not on the deployer list may not CREATE."""
    yield from expect_permitted(spec, deployers_only(spec), 3, CREATE, False)


@vector_case("permissions", "is_action_permitted")
def test_unlisted_signer_may_not_create2(spec: ModuleType) -> Iterator[Part]:
    """Example 1: the deployer list closes CREATE2 as well; a client checking only CREATE fails here."""
    yield from expect_permitted(spec, deployers_only(spec), 3, CREATE2, False)


@vector_case("permissions", "get_forbidden_opcodes")
def test_non_deployer_forbidden_exactly_create_opcodes(spec: ModuleType) -> Iterator[Part]:
    """Example 1: for a non-deployer exactly CREATE (0xf0) and CREATE2 (0xf5) are forbidden."""
    yield from expect_forbidden(spec, deployers_only(spec), 3, {CREATE, CREATE2})


@vector_case("permissions", "get_forbidden_opcodes")
def test_deployer_forbidden_nothing(spec: ModuleType) -> Iterator[Part]:
    """Example 1: a listed deployer may execute every opcode."""
    yield from expect_forbidden(spec, deployers_only(spec), 2, set())


@vector_case("permissions", "is_action_permitted")
def test_participant_may_submit(spec: ModuleType) -> Iterator[Part]:
    """Example 2 (a permissioned DAC): a listed participant may submit transactions."""
    yield from expect_permitted(spec, charter_with(spec, ([4, 5], ALLOW, SUBMIT_TX)), 5, SUBMIT_TX, True)


@vector_case("permissions", "is_action_permitted")
def test_outsider_may_not_submit(spec: ModuleType) -> Iterator[Part]:
    """Example 2: an outsider may not submit transactions to a permissioned DAC."""
    yield from expect_permitted(spec, charter_with(spec, ([4, 5], ALLOW, SUBMIT_TX)), 6, SUBMIT_TX, False)


@vector_case("permissions", "is_action_permitted")
def test_banned_signer_may_not_submit(spec: ModuleType) -> Iterator[Part]:
    """Example 3 (a blacklist): a banned signer may not submit transactions."""
    yield from expect_permitted(spec, charter_with(spec, ([7], DENY, SUBMIT_TX)), 7, SUBMIT_TX, False)


@vector_case("permissions", "is_action_permitted")
def test_unbanned_signer_may_submit(spec: ModuleType) -> Iterator[Part]:
    """Example 3: a DENY list alone leaves everyone else free to submit."""
    yield from expect_permitted(spec, charter_with(spec, ([7], DENY, SUBMIT_TX)), 8, SUBMIT_TX, True)


@vector_case("permissions", "is_action_permitted")
def test_deny_beats_allow_for_same_signer(spec: ModuleType) -> Iterator[Part]:
    """A signer both allowed and denied an action is denied, whatever the order of the rules."""
    charter = charter_with(spec, ([1], DENY, CALL), ([1, 2], ALLOW, CALL))
    yield from expect_permitted(spec, charter, 1, CALL, False)


@vector_case("permissions", "is_action_permitted")
def test_allow_rules_are_united(spec: ModuleType) -> Iterator[Part]:
    """Two ALLOW rules for one action: a signer listed in either may act."""
    charter = charter_with(spec, ([1], ALLOW, SSTORE), ([2], ALLOW, SSTORE))
    yield from expect_permitted(spec, charter, 2, SSTORE, True)


@vector_case("permissions", "is_action_permitted")
def test_empty_allow_closes_action_to_everyone(spec: ModuleType) -> Iterator[Part]:
    """An ALLOW rule listing nobody closes the action to every signer."""
    yield from expect_permitted(spec, charter_with(spec, ([], ALLOW, SSTORE)), 1, SSTORE, False)


@vector_case("permissions", "is_action_permitted")
def test_empty_deny_changes_nothing(spec: ModuleType) -> Iterator[Part]:
    """A DENY rule listing nobody forbids nothing: the action stays open."""
    yield from expect_permitted(spec, charter_with(spec, ([], DENY, SSTORE)), 1, SSTORE, True)


@vector_case("permissions", "is_action_permitted")
def test_rule_for_other_action_does_not_apply(spec: ModuleType) -> Iterator[Part]:
    """Rules on READ say nothing about SUBMIT_TX: an action no rule names is open."""
    yield from expect_permitted(spec, charter_with(spec, ([1], ALLOW, READ)), 2, SUBMIT_TX, True)


@vector_case("permissions", "get_forbidden_opcodes")
def test_no_rules_no_forbidden_opcodes(spec: ModuleType) -> Iterator[Part]:
    """A charter without rules is plain EVM: no opcode is forbidden."""
    yield from expect_forbidden(spec, charter_with(spec), 1, set())


@vector_case("permissions", "get_forbidden_opcodes")
def test_pseudo_actions_are_not_opcodes(spec: ModuleType) -> Iterator[Part]:
    """Denying SUBMIT_TX (0x100) forbids no opcode: pseudo-actions lie outside 0x00-0xff."""
    yield from expect_forbidden(spec, charter_with(spec, ([1], DENY, SUBMIT_TX)), 1, set())


@vector_case("permissions", "get_forbidden_opcodes")
def test_opcode_zero_and_0xff(spec: ModuleType) -> Iterator[Part]:
    """The edges of the opcode range: STOP (0x00) and SELFDESTRUCT (0xff) can be forbidden like any other."""
    yield from expect_forbidden(spec, charter_with(spec, ([1], DENY, 0x00), ([2], ALLOW, 0xFF)), 1, {0x00, 0xFF})
