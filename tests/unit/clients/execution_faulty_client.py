"""Conformance clients with one classic execution mistake each; every other answer is the reference client's.

Usage: python execution_faulty_client.py MODE  (JSON lines on stdin and stdout, docs/protocol.md), MODE one of
  envelope_only_permissions  enforces the charter only at the transaction envelope (SUBMIT_TX, and CREATE for a
                             creation transaction): a transaction whose recipient holds code runs with no forbidden
                             opcode at all, so neither its top frame nor any frame it calls is checked. (A creation
                             transaction's init code is still checked: its "recipient" has no code.)
  no_tax                     knows nothing of the tax: owes none, charges none, requires none in the balance check
                             and reports 0 in every receipt.
  top_level_tax_only         taxes a transaction's or deposit's own value only (the rule before the tax held at every
                             depth): value moved by CALL, CREATE, CREATE2 or SELFDESTRUCT inside execution is untaxed.
  no_exemptions              taxes the payments of the charter's tax-exempt accounts like anyone's.
  top_level_charter_updates  updates the charter only by a transaction or deposit addressed to it, adopted when it
                             succeeds (the rule before charter calls worked at any depth): inside the EVM the
                             charter's address is an account without code, and a charter call costs no gas of its own.
  no_field_ranges            decodes a transaction without checking that its nonce and gas limit fit a uint64 and its
                             value and fee caps a uint256.
  no_mint                    ignores a deposit's mint: credits nothing to its sender and adds nothing to the supply
                             (the deposit is otherwise applied, and hashed in the block, as it stands).
  no_passer_burn             never burns the message passer's balance: the value sent with L2->L1 messages stays in
                             the passer and in the supply.
  py_evm_as_is               runs py-evm 0.12.1b1's Cancun without the adapter's two corrections: a creation onto an
                             address holding only storage does not collide (EIP-7610), and MODEXP answers 0 for an
                             empty base.
  add_plus_one               computes ADD one too high (a + b + 1, modulo 2**256), at the same gas; asked for a trace
                             ("trace": true), it traces the execution it ran, mistake included.

Each answers state_transition requests by running the reference spec with one function swapped, so the mistake is
exactly the one named and nothing else changes.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from types import ModuleType
from typing import Any, Callable

from eth.constants import GAS_VERYLOW
from eth.vm import opcode_values as op
from eth.vm.forks.cancun.computation import CancunComputation
from eth.vm.forks.cancun.state import CancunState
from eth.vm.opcode import as_opcode

from mvm_spec import evm
from mvm_spec.conformance.client import answer
from mvm_spec.conformance.mutants import serve_mutant, swapped
from mvm_spec.forks import load_spec

UINT256_MODULUS = 2**256


def envelope_only_apply_transaction(spec: ModuleType) -> Callable[..., Any]:
    original = spec.apply_transaction

    def apply_transaction(state: Any, block: Any, raw: bytes, gas_available: int) -> Any:
        transaction = spec.decode_transaction(raw)
        calls_code = transaction.to is not None and spec.evm_get_code(state.world, transaction.to) != b""
        if not calls_code:
            return original(state, block, raw, gas_available)
        with swapped(spec, "get_forbidden_opcodes", lambda charter, signer: frozenset()):
            return original(state, block, raw, gas_available)

    return apply_transaction


def mintless_apply_deposit(spec: ModuleType) -> Callable[..., Any]:
    original = spec.apply_deposit

    def apply_deposit(state: Any, block: Any, enqueued: Any, gas_available: int) -> Any:
        unminted = replace(enqueued, deposit=replace(enqueued.deposit, mint=spec.Wei(0)))
        return original(state, block, unminted, gas_available)

    return apply_deposit


def top_level_charter_updates(spec: ModuleType, name: str) -> Callable[..., Any]:
    """``apply_transaction`` or ``apply_deposit`` run without charter calls in the EVM, the charter a call
    addressed to the charter proposes adopted afterwards if it succeeded."""
    original = getattr(spec, name)

    def apply(state: Any, block: Any, item: Any, gas_available: int) -> Any:
        if name == "apply_transaction":
            call = spec.decode_transaction(item)
            sender, to, value, data = spec.Address(call.sender), call.to, call.value, call.data
        else:
            call = item.deposit
            sender, to, value, data = call.sender, call.to, call.value, call.data
        try:
            proposed = spec.get_charter_after_call(state.charter, sender, to, value, data)
        except spec.SpecError:
            proposed = state.charter  # the original refuses it (or skips the deposit) by the same rule
        with swapped(spec, "get_evm_charter_calls", lambda charter: None):
            outcome = original(state, block, item, gas_available)
        after, receipt = outcome[0], outcome[1]
        if receipt.status == 1 and proposed != state.charter:
            after = replace(after, charter=proposed)
        return (after, receipt, *outcome[2:])

    return apply


def add_plus_one(computation: Any) -> None:
    left, right = computation.stack_pop_ints(2)
    computation.stack_push_int((left + right + 1) % UINT256_MODULUS)


def faulty_answer(mode: str, request: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(request, dict) or request.get("runner") != "state_transition":
        return answer(request)
    spec = load_spec(request["fork"], request["preset"])
    if mode == "envelope_only_permissions":
        with swapped(spec, "apply_transaction", envelope_only_apply_transaction(spec)):
            return answer(request)
    if mode == "no_tax":
        with swapped(spec, "compute_tax", lambda value, schedule: spec.Wei(0)):
            return answer(request)
    if mode == "top_level_tax_only":
        with swapped(spec, "get_internal_transfer_tax", lambda charter: None):
            return answer(request)
    if mode == "no_exemptions":
        original = spec.compute_transfer_tax

        def compute_transfer_tax(charter: Any, payer: Any, payee: Any, value: Any) -> Any:
            return original(replace(charter, tax_exempt=()), payer, payee, value)

        with swapped(spec, "compute_transfer_tax", compute_transfer_tax):
            return answer(request)
    if mode == "top_level_charter_updates":
        with swapped(spec, "apply_transaction", top_level_charter_updates(spec, "apply_transaction")):
            with swapped(spec, "apply_deposit", top_level_charter_updates(spec, "apply_deposit")):
                return answer(request)
    if mode == "no_field_ranges":
        with swapped(spec, "validate_transaction_field_ranges", lambda transaction: None):
            return answer(request)
    if mode == "no_mint":
        with swapped(spec, "apply_deposit", mintless_apply_deposit(spec)):
            return answer(request)
    if mode == "no_passer_burn":
        with swapped(spec, "burn_withdrawn_value", lambda state: state):
            return answer(request)
    if mode == "py_evm_as_is":
        # The adapter's classes, put back to py-evm's own answers (this process serves nothing else).
        evm._MvmState.has_code_or_nonce = CancunState.has_code_or_nonce  # type: ignore[method-assign]
        evm._CancunComputation._precompiles = CancunComputation._precompiles
        return answer(request)
    if mode == "add_plus_one":
        # py-evm's own table, changed in place (this process serves nothing else): every table the adapter builds,
        # traced or not, is made from it.
        CancunComputation.opcodes[op.ADD] = as_opcode(logic_fn=add_plus_one, mnemonic="ADD", gas_cost=GAS_VERYLOW)
        return answer(request)
    raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    serve_mutant(faulty_answer, sys.argv[1])
