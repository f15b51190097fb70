"""The state transition as a function (spec/v1/execution.md): purity, running gas totals, what the output root binds,
chains of blocks (their EIP-1559 base fees), the genesis and its message passer, deposits, and the native-token
supply.

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
    BURNER,
    DEPOSITOR,
    FUNDS,
    INNER,
    L1_TARGET,
    MEMBER,
    MESSAGE_PASSER,
    MESSAGE_PASSER_CODE,
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
    deposit,
    funded,
    genesis,
    message,
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
    plain = plain_cancun(chain.alloc, block.transactions, taxes=taxes, treasury=treasury(SPEC)).receipts
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


# --- The genesis and the base fee of a chain -------------------------------------------------------------------------

PRESET_SPECS = [load_spec("v1", preset) for preset in ("mainnet", "minimal")]
# By hand from presets/*.yaml: the gas target is 30,000,000 / elasticity (6 on mainnet, 2 on minimal).
GAS_TARGET = {"mainnet": 5_000_000, "minimal": 15_000_000}


@pytest.mark.parametrize("spec", PRESET_SPECS, ids=lambda spec: spec.PRESET)
def test_genesis_installs_the_message_passer_and_sits_at_the_gas_target(spec: ModuleType) -> None:
    chain = genesis(charter(spec), funded(ALICE), base_fee=123)
    state = chain.state(spec)
    assert evm.get_code(state.world, MESSAGE_PASSER) == MESSAGE_PASSER_CODE
    assert evm.get_nonce(state.world, MESSAGE_PASSER) == 1 and evm.get_balance(state.world, MESSAGE_PASSER) == 0
    assert state.latest_base_fee_per_gas == 123 and state.latest_gas_used == GAS_TARGET[spec.PRESET]
    assert state.coinbase_supply == FUNDS  # the passer holds nothing
    assert state.world.state_root == plain_cancun(chain.alloc, [], beacon_update=False).root


# Base fees by hand (EIP-1559 with the presets' elasticity and denominator). Block 1 keeps the genesis base fee of
# 1 gwei and uses 16,000,000 gas, above the target. Block 2 uses no gas.
#   mainnet (target 5,000,000, 1/250): block 2: 10^9 + 10^9 * 11,000,000 // 5,000,000 // 250 = 10^9 + 8,800,000;
#     block 3: 1,008,800,000 - 1,008,800,000 * 5,000,000 // 5,000,000 // 250 = 1,008,800,000 - 4,035,200.
#   minimal (target 15,000,000, 1/8): block 2: 10^9 + 10^9 * 1,000,000 // 15,000,000 // 8 = 10^9 + 8,333,333;
#     block 3: 1,008,333,333 - 1,008,333,333 // 8 = 1,008,333,333 - 126,041,666.
BASE_FEES = {"mainnet": (10**9, 1_008_800_000, 1_004_764_800), "minimal": (10**9, 1_008_333_333, 882_291_667)}
HEAVY_GAS = 16_000_000


def heavy_chain(spec: ModuleType, genesis_base_fee: int) -> tuple[Genesis, bytes]:
    """A chain whose block 1 can hold a call of HEAVY_GAS gas to a contract that halts at INVALID (using it all)."""
    chain = genesis(charter(spec), funded(ALICE), contract(BURNER, bytes([0xFE])), base_fee=genesis_base_fee)
    heavy = tx(ALICE, 0, BURNER, gas=HEAVY_GAS, max_fee=2 * genesis_base_fee, tip=0)
    return chain, heavy


@pytest.mark.parametrize("spec", PRESET_SPECS, ids=lambda spec: spec.PRESET)
def test_base_fees_of_a_chain_follow_eip_1559(spec: ModuleType) -> None:
    first_fee, second_fee, third_fee = BASE_FEES[spec.PRESET]
    chain, heavy = heavy_chain(spec, first_fee)
    first = spec.state_transition(chain.state(spec), block_of(spec, heavy, base_fee=first_fee))
    assert first.latest_gas_used == HEAVY_GAS and first.latest_base_fee_per_gas == first_fee
    for wrong in (second_fee - 1, second_fee + 1, first_fee):
        with pytest.raises(spec.BaseFeeMismatch):
            spec.apply_block(first, block_of(spec, number=2, timestamp=BLOCK_TIME + 1, base_fee=wrong))
    second = spec.state_transition(first, block_of(spec, number=2, timestamp=BLOCK_TIME + 1, base_fee=second_fee))
    assert second.latest_gas_used == 0 and second.latest_base_fee_per_gas == second_fee
    with pytest.raises(spec.BaseFeeMismatch):
        spec.apply_block(second, block_of(spec, number=3, timestamp=BLOCK_TIME + 2, base_fee=third_fee + 1))
    third = spec.state_transition(second, block_of(spec, number=3, timestamp=BLOCK_TIME + 2, base_fee=third_fee))
    assert third.latest_base_fee_per_gas == third_fee


@pytest.mark.parametrize("spec", PRESET_SPECS, ids=lambda spec: spec.PRESET)
def test_a_block_above_target_raises_even_a_small_base_fee_by_one(spec: ModuleType) -> None:
    """7 * 11,000,000 // 5,000,000 // 250 and 7 * 1,000,000 // 15,000,000 // 8 are both 0: EIP-1559 adds 1."""
    chain, heavy = heavy_chain(spec, BASE_FEE)
    first = spec.state_transition(chain.state(spec), block_of(spec, heavy))
    second = spec.state_transition(first, block_of(spec, number=2, timestamp=BLOCK_TIME + 1, base_fee=BASE_FEE + 1))
    assert second.latest_base_fee_per_gas == BASE_FEE + 1


@pytest.mark.parametrize("spec", PRESET_SPECS, ids=lambda spec: spec.PRESET)
def test_deposit_gas_counts_towards_the_next_base_fee(spec: ModuleType) -> None:
    """Deposits pay no base fee, but their gas is the block's: a block of deposits only, above the target, raises
    the next base fee as a block of transactions would."""
    budget = int(spec.MAX_DEPOSIT_GAS_PER_L1_BLOCK)
    count = GAS_TARGET[spec.PRESET] // budget + 1  # 1 on mainnet (20,000,000), 51 on minimal (15,300,000)
    deposits = [deposit(spec, DEPOSITOR, BURNER, gas=budget)] * count
    chain = genesis(charter(spec), contract(BURNER, bytes([0xFE])))
    first = spec.state_transition(chain.state(spec), block_of(spec, deposits=deposits))
    assert first.latest_gas_used == count * budget > GAS_TARGET[spec.PRESET]
    assert first.coinbase_supply == 0  # nothing to burn: deposits pay no base fee
    with pytest.raises(spec.BaseFeeMismatch):
        spec.apply_block(first, block_of(spec, number=2, timestamp=BLOCK_TIME + 1))
    spec.apply_block(first, block_of(spec, number=2, timestamp=BLOCK_TIME + 1, base_fee=BASE_FEE + 1))


# --- Deposits and the message passer -----------------------------------------------------------------------------


def test_apply_deposit_never_changes_its_input_state() -> None:
    chain = genesis(charter(SPEC), funded(ALICE), contract(INNER, VAULT_CODE))
    call_inner = deposit(SPEC, DEPOSITOR, INNER, mint=10**18, value=5)
    block = block_of(SPEC, deposits=[call_inner])
    pre = SPEC.start_block(chain.state(SPEC), block)
    root_before = pre.world.state_root
    results = [SPEC.apply_deposit(pre, block, block.deposits[0], block.gas_limit) for _ in range(2)]
    assert results[0] == results[1] and results[0][2] == ""
    assert pre.world.state_root == root_before and pre.coinbase_supply == FUNDS
    assert evm.get_balance(pre.world, address_of(DEPOSITOR)) == 0 and evm.get_storage(pre.world, INNER, 0) == 0
    after = results[0][0]
    assert evm.get_storage(after.world, INNER, 0) == 5 and after.coinbase_supply == FUNDS + 10**18


def test_supply_is_the_sum_of_balances_after_deposits_and_messages() -> None:
    """Taxed deposits and transactions, a skipped deposit, messages with value from an account and from L1."""
    chain = genesis(charter(SPEC, taxrates=TEN_PERCENT), funded(ALICE, MEMBER), contract(VAULT, VAULT_CODE))
    deposits = [
        deposit(SPEC, DEPOSITOR, VAULT, mint=10**18, value=10**17),
        deposit(SPEC, OUTSIDER, RECIPIENT, mint=10**15, value=10**16),  # skipped: 10^15 < 10^16 + its tax
        deposit(SPEC, DEPOSITOR, MESSAGE_PASSER, value=2 * 10**17, data=message(L1_TARGET, b"")),
    ]
    block = block_of(
        SPEC,
        tx(ALICE, 0, MESSAGE_PASSER, value=10**15, data=message(L1_TARGET, b"x")),
        tx(MEMBER, 0, RECIPIENT_2, value=10**15, gas=TRANSFER_GAS),
        deposits=deposits,
    )
    pre = chain.state(SPEC)
    state, receipts = SPEC.apply_block(pre, block)
    assert [receipt.status for receipt in receipts] == [1, 0, 1, 1, 1]
    everyone = [address_of(s) for s in (ALICE, MEMBER, DEPOSITOR, OUTSIDER)]
    everyone += [VAULT, RECIPIENT, RECIPIENT_2, treasury(SPEC), PRODUCER, MESSAGE_PASSER]
    assert state.coinbase_supply == sum_of_balances(state.world, everyone)
    transaction_gas = int(receipts[-1].cumulative_gas_used) - int(receipts[2].cumulative_gas_used)
    minted, withdrawn = 10**18 + 10**15, 2 * 10**17 + 10**15
    assert state.coinbase_supply == pre.coinbase_supply + minted - transaction_gas * BASE_FEE - withdrawn
    assert evm.get_balance(state.world, address_of(OUTSIDER)) == 10**15


def test_charter_update_errors_are_transaction_errors() -> None:
    """Every rule that refuses a charter update makes its transaction invalid: the four update errors and
    CharterUpdateWithValue are InvalidTransactions (under InvalidCharterUpdate); the charter's content rules stay
    InvalidCharter, as they also refuse a DAC's genesis charter, which is no transaction."""
    spec = load_spec("v1", "minimal")
    for name in ("MalformedCharterUpdate", "UnauthorizedTaxRateUpdate", "CharterImmutable", "UnauthorizedCharterUpdate", "CharterUpdateWithValue"):
        error = getattr(spec, name)
        assert issubclass(error, spec.InvalidCharterUpdate) and issubclass(error, spec.InvalidTransaction), name
    assert not issubclass(spec.CharterTooLarge, spec.InvalidTransaction) and issubclass(spec.CharterTooLarge, spec.InvalidCharter)
