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
  no_mint                    ignores a deposit's mint: credits nothing to its sender and adds nothing to the supply
                             (the deposit is otherwise applied, and hashed in the block, as it stands).
  no_passer_burn             never burns the message passer's balance: the value sent with L2->L1 messages stays in
                             the passer and in the supply.

Each answers state_transition requests by running the reference spec with one function swapped, so the mistake is
exactly the one named and nothing else changes.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from types import ModuleType
from typing import Any, Callable

from mvm_spec.conformance.client import answer
from mvm_spec.conformance.mutants import serve_mutant, swapped
from mvm_spec.forks import load_spec


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
    if mode == "no_mint":
        with swapped(spec, "apply_deposit", mintless_apply_deposit(spec)):
            return answer(request)
    if mode == "no_passer_burn":
        with swapped(spec, "burn_withdrawn_value", lambda state: state):
            return answer(request)
    raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    serve_mutant(faulty_answer, sys.argv[1])
