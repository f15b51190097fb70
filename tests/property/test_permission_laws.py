"""Laws of the permission rule (spec/v1/l2-chain.md: is_action_permitted, get_forbidden_opcodes).

The rule read literally, for one signer and one action: forbidden if some DENY rule for the action lists the
signer; otherwise, if some ALLOW rule names the action, permitted only if one of them lists the signer; otherwise
open. These laws state its consequences on Hypothesis-generated charters.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from mvm_spec.forks.v1 import minimal as spec
from mvm_spec.fuzz import action_numbers, permission_charters, signer_texts  # the strategies mvm-spec fuzz draws from
from mvm_spec.vectors.container_codec import decode_value

# The fuzzer's JSON requests, read by the reference client's own decoder: the laws hold for what is fuzzed.
charters = permission_charters.map(lambda data: decode_value(spec, spec.Charter, data))
signers = signer_texts.map(lambda text: decode_value(spec, spec.Address, text))
actions = action_numbers.map(lambda number: decode_value(spec, spec.Action, number))


def with_rule(charter: Any, rule: Any) -> Any:
    return spec.replace(charter, permissions=(*charter.permissions, rule))


@given(signers, actions)
def test_no_rules_means_plain_evm(signer: Any, action: Any) -> None:
    charter = spec.Charter("", "", (), (), spec.Address())
    assert spec.is_action_permitted(charter, signer, action)
    assert spec.get_forbidden_opcodes(charter, signer) == frozenset()


@given(charters, signers, actions)
def test_a_deny_naming_the_signer_always_forbids(charter: Any, signer: Any, action: Any) -> None:
    denied = with_rule(charter, spec.PermissionRule((signer,), spec.DENY, action))
    assert not spec.is_action_permitted(denied, signer, action)


@given(charters, signers, actions)
def test_an_allow_naming_the_signer_permits_unless_denied(charter: Any, signer: Any, action: Any) -> None:
    allowed = with_rule(charter, spec.PermissionRule((signer,), spec.ALLOW, action))
    is_denied = any(
        r.operation == spec.DENY and signer in r.addresses and r.action == action for r in charter.permissions
    )
    assert spec.is_action_permitted(allowed, signer, action) == (not is_denied)


@given(charters, signers, signers, actions)
def test_an_allow_for_others_closes_the_action_to_an_unlisted_signer(
    charter: Any, signer: Any, other: Any, action: Any
) -> None:
    if signer == other or any(r.action == action and signer in r.addresses for r in charter.permissions):
        return
    closed = with_rule(charter, spec.PermissionRule((other,), spec.ALLOW, action))
    assert not spec.is_action_permitted(closed, signer, action)


@given(charters, signers, actions, actions)
def test_rules_for_one_action_never_change_another(charter: Any, signer: Any, action: Any, other_action: Any) -> None:
    if action == other_action:
        return
    added = with_rule(charter, spec.PermissionRule((signer,), spec.DENY, other_action))
    assert spec.is_action_permitted(added, signer, action) == spec.is_action_permitted(charter, signer, action)


@given(charters, signers)
def test_forbidden_opcodes_are_exactly_the_forbidden_actions_below_0x100(charter: Any, signer: Any) -> None:
    forbidden = spec.get_forbidden_opcodes(charter, signer)
    assert forbidden == {op for op in range(256) if not spec.is_action_permitted(charter, signer, spec.Action(op))}
    assert all(0 <= op <= 0xFF for op in forbidden)
