"""Known answers for the pending-deposit queue (spec/v1/bridge.md), on the mainnet preset, written out by hand.

Mainnet: MIN_SEQUENCER_BOND 20,000 MT, MAX_SEQUENCER_LOCK 100,000 MT, DBT 10% of the supply rounded up; so a supply
S can be bonded exactly when ceil(S / 10) <= 100,000 MT, S <= 1,000,000 MT. MIN_DEPOSIT_MINT 0.01 MT,
MAX_DEPOSITS_PER_L1_BLOCK 64, MAX_PENDING_DEPOSITS 1,024, DEPOSIT_QUEUE_TIMEOUT 50,400 L1 blocks.

Also the reasons the chapter gives for those numbers, as arithmetic: 64 entries at OVM's 60,000-gas enqueue cost are
under 4 million L1 gas; the gas budget alone let 952 deposits leave at once; 1,024 entries drain in 16 L1 blocks;
the timeout is the fraud-proof window in 12-second L1 blocks.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from mvm_spec.forks import load_spec
from mvm_spec.runtime import keccak256

spec = load_spec("v1", "mainnet")
MT = 10**18
CENT = 10**16  # 0.01 MT
DEPOSITOR = spec.Address(bytes([0xDE]) * 20)
STRANGER = spec.Address(bytes([0x5E]) * 20)
RECIPIENT = spec.Address(bytes([0x7E]) * 20)
SEQUENCER = spec.Address(bytes([0xA1]) * 20)
CHARTER = spec.Charter("queue known answers", "", (), (), spec.Address(bytes(20)))
ACME = spec.ChainId(1000000000001089)


def block(number: int) -> Any:
    randao = spec.Hash32(keccak256(b"randao" + number.to_bytes(8, "big")))
    return spec.L1Block(spec.L1BlockNumber(number), spec.Timestamp(1_000_000 + 12 * number), randao, spec.Hash32(bytes(32)))


def message(mint: int, gas: int = 21_000) -> Any:
    return spec.Deposit(DEPOSITOR, RECIPIENT, spec.Wei(mint), spec.Wei(0), spec.uint64(gas), b"")


def waiting(ticket: int, mint: int, made_in: int = 1) -> Any:
    return spec.PendingDeposit(spec.uint64(ticket), DEPOSITOR, spec.L1BlockNumber(made_in), message(mint))


def record(supply: int = 0, pending: tuple[Any, ...] = ()) -> Any:
    """acme, created in L1 block 0, holding ``supply`` and the deposits ``pending`` (no genesis allocation: a
    record built by hand, as a client may hold one)."""
    genesis = spec.DacGenesis(spec.L1BlockNumber(0), spec.Timestamp(1_000_000), CHARTER, (), spec.Wei(10**9))
    empty = spec.BatchChain(headers=())
    return spec.DacRecord(
        ACME, "acme", genesis, spec.Wei(supply), pending, spec.uint64(len(pending)), (), (), empty, empty, (), (), (), ()
    )


def hub_at(number: int, dac: Any, *, stake: int = 0) -> Any:
    """A hub whose only L1 block is ``number``, holding ``dac`` and, if ``stake``, one sequencer locking it."""
    sequencers = (spec.Sequencer(SEQUENCER, spec.Wei(stake), None),) if stake else ()
    return spec.Hub((block(number),), (dac,), sequencers, (), (), (), spec.Wei(0), ())


def test_the_presets_reasons() -> None:
    assert (spec.MIN_DEPOSIT_MINT, spec.MAX_DEPOSITS_PER_L1_BLOCK) == (CENT, 64)
    assert (spec.MAX_PENDING_DEPOSITS, spec.DEPOSIT_QUEUE_TIMEOUT) == (1024, 50_400)
    assert 64 * 60_000 == 3_840_000 < 4_000_000  # a full drain of one DAC, at OVM's enqueueGasCost per entry
    assert 20_000_000 // 21_000 == 952  # what the gas budget alone let leave in one call
    assert 1024 // 64 == 16  # L1 blocks a full queue takes to drain once nothing holds its head
    assert 7 * 24 * 3600 // 12 == 50_400 == spec.FRAUD_PROOF_WINDOW // 12  # seven days of L1 blocks


def test_locked_mt_is_supply_plus_pending_mints() -> None:
    dac = record(5 * MT, (waiting(0, 2 * MT), waiting(1, 0), waiting(2, 3 * CENT)))
    assert spec.get_locked_mt(dac) == 7 * MT + 3 * CENT


def test_admission_up_to_one_million_mt_locked() -> None:
    """999,000 MT held and 999 MT waiting: 1 MT more locks exactly 1,000,000 MT (DBT 100,000 MT): admitted; a wei more
    needs a bond of 100,000 MT + 1 wei: refused, although the deposit's own DBT is the 20,000 MT floor."""
    dac = record(999_000 * MT, (waiting(0, 999 * MT),))
    spec.validate_deposit_admission(dac, message(MT))
    with pytest.raises(spec.DepositExceedsRemainingBondCapacity):
        spec.validate_deposit_admission(dac, message(MT + 1))
    assert issubclass(spec.DepositExceedsRemainingBondCapacity, spec.DepositExceedsBondCapacity)


def test_the_issues_million_mt_deposit_into_a_dac_with_supply() -> None:
    """Issue 10: 1,000,000 MT into a DAC already holding 1 MT was accepted (its own DBT is exactly the maximum
    lock) and could never leave. Now it is refused; into an empty DAC it is admitted."""
    with pytest.raises(spec.DepositExceedsRemainingBondCapacity):
        spec.validate_deposit_admission(record(MT), message(1_000_000 * MT))
    spec.validate_deposit_admission(record(0), message(1_000_000 * MT))


def test_minimum_and_the_exemption_of_messages() -> None:
    """0.01 MT - 1 wei is refused; 0.01 MT and nothing at all are admitted, the latter even at full capacity."""
    full = record(1_000_000 * MT)
    with pytest.raises(spec.DepositBelowMinimum):
        spec.validate_deposit_admission(record(), message(CENT - 1))
    with pytest.raises(spec.DepositBelowMinimum):
        spec.validate_deposit_admission(record(), message(1))
    spec.validate_deposit_admission(record(), message(CENT))
    spec.validate_deposit_admission(full, message(0))


def test_queue_bound_and_check_order() -> None:
    """1,023 waiting: one more is admitted; 1,024 waiting: refused, a message too. A 1-wei deposit into a full queue
    names the minimum, checked first."""
    spec.validate_deposit_admission(record(0, tuple(waiting(n, CENT) for n in range(1023))), message(CENT))
    full = record(0, tuple(waiting(n, CENT) for n in range(1024)))
    for item in (message(CENT), message(0)):
        with pytest.raises(spec.DepositQueueFull):
            spec.validate_deposit_admission(full, item)
    with pytest.raises(spec.DepositBelowMinimum):
        spec.validate_deposit_admission(full, message(1))


def test_one_drain_moves_at_most_64_entries() -> None:
    """70 deposits of 0.01 MT and 21,000 gas wait (1,470,000 gas, far within the budget); a sequencer of 20,000 MT
    is eligible for all of them. In L1 block 5, 64 leave, nonces 0 to 63, supply 0.64 MT; 6 stay, tickets 64 to 69."""
    dac = record(0, tuple(waiting(n, CENT) for n in range(70)))
    drained = spec.apply_pending_deposits(hub_at(5, dac, stake=20_000 * MT), dac)
    assert [(int(e.nonce), int(e.l1_block_number)) for e in drained.deposits] == [(n, 5) for n in range(64)]
    assert drained.coinbase_supply == 64 * CENT
    assert [int(p.ticket) for p in drained.pending_deposits] == list(range(64, 70))


def test_the_64_places_are_per_l1_block() -> None:
    """60 deposits already left in L1 block 5: a drain in block 5 moves 4 more; in block 6, up to 64 again."""
    earlier = tuple(spec.EnqueuedDeposit(spec.uint64(n), spec.L1BlockNumber(5), message(CENT)) for n in range(60))
    dac = replace(record(60 * CENT, tuple(waiting(60 + n, CENT) for n in range(10))), deposits=earlier)
    in_block_5 = spec.apply_pending_deposits(hub_at(5, dac, stake=20_000 * MT), dac)
    assert len(in_block_5.deposits) == 64 and len(in_block_5.pending_deposits) == 6
    in_block_6 = spec.apply_pending_deposits(hub_at(6, dac, stake=20_000 * MT), dac)
    assert len(in_block_6.deposits) == 70 and not in_block_6.pending_deposits


def test_taking_back_from_the_middle() -> None:
    """Tickets 0 (head, 3 MT), 1 (0.5 MT), 2 (0.01 MT) wait since L1 block 1, no sequencer; in block 50,401 (=
    1 + 50,400) ticket 1 is taken back: 0.5 MT refunded, tickets 0 and 2 stay in order, supply unchanged at 0,
    locked MT down by 0.5 MT."""
    dac = record(0, (waiting(0, 3 * MT), waiting(1, MT // 2), waiting(2, CENT)))
    hub, refund = spec.withdraw_pending_deposit(hub_at(50_401, dac), ACME, DEPOSITOR, spec.uint64(1))
    after = spec.get_dac(hub, ACME)
    assert refund == MT // 2
    assert [int(p.ticket) for p in after.pending_deposits] == [0, 2]
    assert after.coinbase_supply == 0 and spec.get_locked_mt(after) == 3 * MT + CENT
    assert after.tickets_issued == 3


def test_taking_back_errors() -> None:
    """A block early (50,400 = 1 + 50,399): not yet; a stranger: not the depositor; ticket 3: none such."""
    dac = record(0, (waiting(0, 3 * MT),))
    with pytest.raises(spec.DepositTimeoutNotReached):
        spec.withdraw_pending_deposit(hub_at(50_400, dac), ACME, DEPOSITOR, spec.uint64(0))
    with pytest.raises(spec.NotDepositor):
        spec.withdraw_pending_deposit(hub_at(50_401, dac), ACME, STRANGER, spec.uint64(0))
    with pytest.raises(spec.UnknownPendingDeposit):
        spec.withdraw_pending_deposit(hub_at(50_401, dac), ACME, DEPOSITOR, spec.uint64(3))
