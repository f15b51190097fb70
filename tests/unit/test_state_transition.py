"""The state transition as a function (spec/v1/execution.md): purity, running gas totals, what the output root binds,
chains of blocks, and the native-token supply.

Vectors for the individual rules are in tests/cases/test_state_transition.py; these tests check properties of the
functions that a single vector cannot show.
"""

from __future__ import annotations

from dataclasses import replace
from types import ModuleType
from typing import Any

import pytest
from eth._utils.address import generate_contract_address
from eth.vm import opcode_values as op
from eth_typing import Address

from mvm_spec import evm
from mvm_spec.forks import load_spec
from tests.cases.test_state_transition import (
    ALICE,
    BLOCK_TIME,
    BASE_FEE,
    FUNDS,
    INNER,
    MEMBER,
    OUTER,
    OUTSIDER,
    PRICE,
    PRODUCER,
    RECIPIENT,
    RECIPIENT_2,
    TEN_PERCENT,
    TRANSFER_GAS,
    treasury,
    VAULT,
    VAULT_CODE,
    Genesis,
    address_of,
    block_of,
    charter,
    contract,
    funded,
    genesis,
    plain_cancun,
    tx,
)
from tests.unit.test_evm_adapter import LOG_TOP, asm, call, push, store_one

SPEC = load_spec("v1", "minimal")


def busy_chain(spec: ModuleType) -> tuple[Genesis, Any]:
    """A taxed chain and a block with transfers, a contract call with nested frames and a value-taking contract."""
    chain = genesis(
        charter(spec, taxrates=TEN_PERCENT),
        funded(ALICE, MEMBER, OUTSIDER),
        contract(OUTER, asm(call(op.CALL, INNER), LOG_TOP, op.STOP)),
        contract(INNER, store_one(), ((0, 5),)),
        contract(VAULT, VAULT_CODE),
    )
    block = block_of(
        spec,
        tx(ALICE, 0, RECIPIENT, value=10**15, gas=TRANSFER_GAS),
        tx(MEMBER, 0, OUTER),
        tx(OUTSIDER, 0, VAULT, value=3 * 10**15),
        tx(ALICE, 1, RECIPIENT_2, value=1, gas=TRANSFER_GAS),
    )
    return chain, block


def test_apply_block_never_changes_its_input_state() -> None:
    chain, block = busy_chain(SPEC)
    pre = chain.state(SPEC)
    root_before, charter_before = pre.world.state_root, pre.charter
    first = SPEC.apply_block(pre, block)
    second = SPEC.apply_block(pre, block)
    assert first == second  # the same pre gives the same state (world compared by root) and receipts
    assert first[0].world.state_root != root_before
    assert pre.world.state_root == root_before and pre.charter == charter_before
    assert pre.latest_block_number == 0 and len(pre.recent_block_hashes) == 1
    for address, account in chain.alloc:  # the pre world still reads as the genesis
        assert evm.get_balance(pre.world, address) == account.balance
        assert evm.get_nonce(pre.world, address) == account.nonce
    assert evm.get_storage(pre.world, INNER, 0) == 5 and evm.get_balance(pre.world, treasury(SPEC)) == 0
    assert SPEC.state_transition(pre, block) == first[0]


def test_apply_transaction_never_changes_its_input_state() -> None:
    chain, block = busy_chain(SPEC)
    pre = chain.state(SPEC)
    results = [SPEC.apply_transaction(pre, block, block.transactions[1], block.gas_limit) for _ in range(2)]
    assert results[0] == results[1] and results[0][0].world.state_root != pre.world.state_root
    assert evm.get_storage(pre.world, INNER, 0) == 5 and evm.get_nonce(pre.world, address_of(MEMBER)) == 0


def test_cumulative_gas_is_the_running_total_of_each_transactions_gas() -> None:
    chain, block = busy_chain(SPEC)
    _, receipts = SPEC.apply_block(chain.state(SPEC), block)
    taxes = {0: 10**14, 2: 3 * 10**14}  # 10% of each value; 1 wei of value owes 0
    _, plain = plain_cancun(chain.alloc, block.transactions, taxes=taxes, treasury=treasury(SPEC))
    running, totals = 0, []
    for _, gas_used, _ in plain:
        running += gas_used
        totals.append(running)
    assert [int(receipt.cumulative_gas_used) for receipt in receipts] == totals
    assert totals[0] == TRANSFER_GAS and totals[3] - totals[2] == TRANSFER_GAS
    assert [int(receipt.tax) for receipt in receipts] == [10**14, 0, 3 * 10**14, 0]


def test_output_root_changes_when_only_the_charter_changes() -> None:
    chain, block = busy_chain(SPEC)
    state = SPEC.state_transition(chain.state(SPEC), block)
    other_charter = replace(chain.charter, vision="Another vision")
    relabelled = replace(state, charter=other_charter)  # the same world and block hashes
    assert relabelled.world.state_root == state.world.state_root
    assert relabelled.recent_block_hashes == state.recent_block_hashes
    assert SPEC.get_state_output_root(relabelled) != SPEC.get_state_output_root(state)
    # From genesis on: the same alloc and block under the two charters give the same world, other roots.
    other = SPEC.state_transition(Genesis(chain.alloc, other_charter).state(SPEC), block)
    assert other.world.state_root == state.world.state_root
    assert other.recent_block_hashes[0] != state.recent_block_hashes[0]  # the genesis hash binds the charter
    assert SPEC.get_state_output_root(other) != SPEC.get_state_output_root(state)


def test_initcode_at_the_limit_is_valid() -> None:
    """The vector initcode_too_large_rejected has one byte more; exactly MAX_INITCODE_SIZE bytes are fine."""
    init_code = bytes(int(SPEC.MAX_INITCODE_SIZE))
    gas = 21_000 + 32_000 + 4 * len(init_code) + 2 * (len(init_code) // 32)
    chain = genesis(charter(SPEC), funded(ALICE))
    state, receipts = SPEC.apply_block(chain.state(SPEC), block_of(SPEC, tx(ALICE, 0, None, data=init_code, gas=gas)))
    created = generate_contract_address(Address(address_of(ALICE)), 0)
    assert receipts[0].status == 1 and receipts[0].cumulative_gas_used == gas  # init code of STOPs: no execution gas
    assert evm.get_nonce(state.world, created) == 1 and evm.get_code(state.world, created) == b""


def test_blocks_chain_by_hash_and_blockhash_sees_them() -> None:
    reader = asm(push(1), op.BLOCKHASH, push(0), op.SSTORE, op.STOP)  # slot 0 := BLOCKHASH(1)
    chain = genesis(charter(SPEC), funded(ALICE), contract(VAULT, reader))
    first = SPEC.state_transition(chain.state(SPEC), block_of(SPEC))
    second_block = block_of(SPEC, tx(ALICE, 0, VAULT), number=2, timestamp=BLOCK_TIME + 12)
    second = SPEC.state_transition(first, second_block)
    assert second.recent_block_hashes[1:] == first.recent_block_hashes
    assert evm.get_storage(second.world, VAULT, 0) == int.from_bytes(first.recent_block_hashes[0], "big")
    with pytest.raises(SPEC.BlockNumberMismatch):
        SPEC.apply_block(second, second_block)


def test_recent_block_hashes_keep_the_newest_256() -> None:
    state = genesis(charter(SPEC), funded(ALICE)).state(SPEC)
    hashes = list(state.recent_block_hashes)
    for number in range(1, int(SPEC.HISTORY_LENGTH) + 2):
        state = SPEC.state_transition(state, block_of(SPEC, number=number, timestamp=BLOCK_TIME + number))
        hashes.insert(0, state.recent_block_hashes[0])
    assert len(hashes) == int(SPEC.HISTORY_LENGTH) + 2
    assert state.recent_block_hashes == tuple(hashes[: int(SPEC.HISTORY_LENGTH)])


def sum_of_balances(world: Any, addresses: list[bytes]) -> int:
    return sum(evm.get_balance(world, address) for address in addresses)


def test_supply_is_the_sum_of_balances_after_taxed_transfers_and_calls() -> None:
    chain, block = busy_chain(SPEC)
    state = SPEC.state_transition(chain.state(SPEC), block)
    everyone = [address for address, _ in chain.alloc] + [RECIPIENT, RECIPIENT_2, treasury(SPEC), PRODUCER]
    assert state.coinbase_supply == sum_of_balances(state.world, everyone)
    assert evm.get_balance(state.world, address_of(ALICE)) == FUNDS - 10**15 - 10**14 - 1 - 2 * TRANSFER_GAS * PRICE


@pytest.mark.filterwarnings("ignore:SELFDESTRUCT opcode present:DeprecationWarning")
def test_supply_is_the_sum_of_balances_after_a_selfdestruct_burn() -> None:
    """A contract that SELFDESTRUCTs to itself in the transaction creating it burns its balance (EIP-6780)."""
    burner = asm(op.ADDRESS, op.SELFDESTRUCT)  # init code: self-destruct to itself, in the creating transaction
    chain = genesis(charter(SPEC), funded(ALICE))
    state, receipts = SPEC.apply_block(chain.state(SPEC), block_of(SPEC, tx(ALICE, 0, None, data=burner, value=10**9)))
    created = generate_contract_address(Address(address_of(ALICE)), 0)
    assert receipts[0].status == 1 and evm.get_balance(state.world, created) == 0
    gas = int(receipts[0].cumulative_gas_used)
    assert evm.get_balance(state.world, address_of(ALICE)) == FUNDS - 10**9 - gas * PRICE  # the 1 gwei is gone
    assert state.coinbase_supply == sum_of_balances(state.world, [address_of(ALICE), PRODUCER, created])


@pytest.mark.filterwarnings("ignore:SELFDESTRUCT opcode present:DeprecationWarning")
def test_a_selfdestruct_burn_undone_by_a_revert_leaves_the_supply_alone() -> None:
    """The creating frame makes a child with 1 gwei whose init code destroys itself to itself (a burn), then
    reverts: the burn is undone with everything else, so the supply loses only the base fee."""
    child_init = asm(op.ADDRESS, op.SELFDESTRUCT)
    creator_init = asm(
        push(child_init.ljust(32, b"\x00")),
        push(0),
        op.MSTORE,  # the child's init code at memory 0
        push(len(child_init)),
        push(0),
        push(10**9),
        op.CREATE,
        op.POP,  # CREATE with 1 gwei: burnt by the child
        push(0),
        push(0),
        op.REVERT,  # ... and undone
    )
    chain = genesis(charter(SPEC), funded(ALICE))
    state, receipts = SPEC.apply_block(
        chain.state(SPEC), block_of(SPEC, tx(ALICE, 0, None, data=creator_init, value=10**9))
    )
    gas = int(receipts[0].cumulative_gas_used)
    assert receipts[0].status == 0
    assert state.coinbase_supply == FUNDS - gas * BASE_FEE
    assert state.coinbase_supply == sum_of_balances(state.world, [address_of(ALICE), PRODUCER])
