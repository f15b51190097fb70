"""What every hub the spec can reach satisfies: the check that a vector's ``pre`` hub is one a client could meet.

The Notation (spec/v1/README.md) promises that vectors start from reachable states, so that a client may answer an
unreachable one as it likes. Many cases build their hubs by hand (a sequencer with a given stake, rangers with
strikes, a challenge in mid-game) because reaching them through operations would take pages; this module states,
rule by rule, the facts that every sequence of hub operations preserves, and ``hub_invariant_violations`` lists the
ones a hub breaks. Each fact is read off the operations that build that part of the hub (``get_genesis_hub``,
``advance_l1_block``, ``create_dac``, ``append_batch``, ``deposit_into_dac``, ``register_sequencer``, ...): an
operation either keeps it or is the only writer of the field and writes it so. The stateful laws
(tests/property/) check these facts after every random operation, so a fact stated here that some operation
breaks fails there, not silently here.

What is not checked, because a primitive operation legitimately breaks it: that a challenge or a validation names
a state batch that still exists (``delete_state_batches`` is an operation of its own), and the exact coinbase
supply after withdrawals (the hub keeps only their hashes), of which the bound is checked.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Iterator


def hub_invariant_violations(spec: ModuleType, hub: Any) -> list[str]:
    """Every fact of reachable hubs that ``hub`` breaks, in words; empty for a reachable hub (and for most
    unreachable ones: this is a necessary condition, not a sufficient one)."""
    return list(_clock(spec, hub)) + list(_registry(spec, hub)) + list(_stakes(spec, hub)) + list(_dacs(spec, hub))


def _clock(spec: ModuleType, hub: Any) -> Iterator[str]:
    blocks = hub.l1_blocks
    if not blocks:
        yield "the hub has no L1 block"
    for before, after in zip(blocks, blocks[1:]):
        if after.number != before.number + 1:
            yield f"L1 block {after.number} follows {before.number}"
        if after.timestamp <= before.timestamp:
            yield f"L1 block {after.number}'s time {after.timestamp} is not after {before.timestamp}"


def _l1_time(hub: Any, number: int) -> int | None:
    first = hub.l1_blocks[0].number
    if not first <= number < first + len(hub.l1_blocks):
        return None
    return int(hub.l1_blocks[number - first].timestamp)


def _now(hub: Any) -> int:
    return int(hub.l1_blocks[-1].timestamp)


def _stamped_outside_the_clock(hub: Any, time: Any) -> bool:
    """Whether a time the hub stamped (an exit, a move) is not a time of its L1 blocks: every stamp is the current
    L1 block's time when the operation ran."""
    return time is not None and not hub.l1_blocks[0].timestamp <= time <= _now(hub)


def _registry(spec: ModuleType, hub: Any) -> Iterator[str]:
    labels = [dac.label for dac in hub.dacs]
    if not hub.dacs or labels[0] != spec.RANGERS_DAC_LABEL:
        yield "the first DAC is not the rangers' DAC"
    if len(set(labels)) != len(labels):
        yield "two DACs share a label"
    for position, dac in enumerate(hub.dacs):
        if dac.chain_id != spec.FIRST_CHAIN_ID + position:
            yield f"DAC {position} has chain id {dac.chain_id}, not {spec.FIRST_CHAIN_ID + position}"
        try:
            if spec.fold_dac_label(dac.label) != dac.label:
                yield f"label {dac.label!r} is not folded"
            spec.validate_dac_label(dac.label)
        except spec.SpecError as error:
            yield f"label {dac.label!r}: {type(error).__name__}"
        genesis = dac.genesis
        if _l1_time(hub, genesis.l1_block_number) != genesis.timestamp:
            yield f"chain {dac.chain_id}'s genesis is not at a time of the hub's L1 block {genesis.l1_block_number}"
        try:
            spec.validate_charter(genesis.charter)
            spec.validate_genesis_alloc(genesis.alloc)
        except spec.SpecError as error:
            yield f"chain {dac.chain_id}'s genesis: {type(error).__name__}"
    try:
        spec.validate_tax_schedule(hub.default_taxrates)
    except spec.SpecError as error:
        yield f"the default tax schedule: {type(error).__name__}"
    numbers = [dac.genesis.l1_block_number for dac in hub.dacs]
    if numbers != sorted(numbers):
        yield "DACs are not in the order of their creation"


def _unique(addresses: list[Any], what: str) -> Iterator[str]:
    if len(set(addresses)) != len(addresses):
        yield f"two {what} share an address"


def _stakes(spec: ModuleType, hub: Any) -> Iterator[str]:
    current = hub.l1_blocks[-1].number
    yield from _unique([sequencer.address for sequencer in hub.sequencers], "sequencers")
    for sequencer in hub.sequencers:
        if sequencer.locked > spec.MAX_SEQUENCER_LOCK:
            yield f"sequencer {sequencer.address.hex()} locks more than MAX_SEQUENCER_LOCK"
        if _stamped_outside_the_clock(hub, sequencer.exit_requested_at):
            yield f"sequencer {sequencer.address.hex()} asked to exit outside the hub's L1 times"
    yield from _unique([ranger.address for ranger in hub.rangers], "rangers")
    if hub.ranger_reward_pool + sum(ranger.bond for ranger in hub.rangers) > 2**256 - 1:
        yield "the ranger reward pool and the bonds together exceed a uint256"
    for ranger in hub.rangers:
        if ranger.bond < spec.RANGER_BOND:
            yield f"ranger {ranger.address.hex()}'s bond is below RANGER_BOND"
        if ranger.strikes >= spec.MAX_RANGER_STRIKES:
            yield f"ranger {ranger.address.hex()} has {ranger.strikes} strikes and is still a ranger"
        if not hub.l1_blocks[0].number <= ranger.registered_at <= current:
            yield f"ranger {ranger.address.hex()} registered outside the hub's L1 blocks"
        if _stamped_outside_the_clock(hub, ranger.exit_requested_at):
            yield f"ranger {ranger.address.hex()} asked to exit outside the hub's L1 times"
    yield from _unique([provider.address for provider in hub.compute_providers], "compute providers")
    for provider in hub.compute_providers:
        if not hub.l1_blocks[0].number <= provider.registered_at <= current:
            yield f"compute provider {provider.address.hex()} registered outside the hub's L1 blocks"
    epochs = [int(snapshot.epoch) for snapshot in hub.sequencing_snapshots]
    if epochs != sorted(set(epochs)):
        yield "sequencing snapshots are not in increasing epochs"
    # The snapshot of epoch e + 1 is taken in the first L1 block of epoch e, and those of epochs before the current
    # one are dropped then: a hub holds at most the current epoch's and the next one's. (A hub built for a case may
    # hold them from its first block on, as one that has been running for a while does: tests/hub_building.py,
    # ``with_sequencing_snapshots``. Only their epochs are checked here.)
    epoch = spec.compute_l1_epoch(current)
    if any(not epoch <= snapshot_epoch <= epoch + 1 for snapshot_epoch in epochs):
        yield f"sequencing snapshots for epochs {epochs} in L1 epoch {epoch}"


def _dacs(spec: ModuleType, hub: Any) -> Iterator[str]:
    for dac in hub.dacs:
        yield from (f"chain {dac.chain_id}: {fact}" for fact in _batches(spec, hub, dac))
        yield from (f"chain {dac.chain_id}: {fact}" for fact in _deposits(spec, hub, dac))
        yield from (f"chain {dac.chain_id}: {fact}" for fact in _challenges(spec, hub, dac))


def _chain_facts(spec: ModuleType, hub: Any, dac: Any, chain: Any, decode: Any, what: str) -> Iterator[str]:
    """The facts ``append_batch`` keeps for any chain of batches: positions, running totals, and an extra data
    that names this chain and an L1 block of the hub at its time, in order."""
    total, l1_block = 0, dac.genesis.l1_block_number
    for position, header in enumerate(chain.headers):
        if header.batch_index != position or header.prev_total_elements != total or header.batch_size == 0:
            yield f"{what} batch {position}'s header does not continue the chain"
        total += header.batch_size
        try:
            context = decode(header.extra_data)
        except Exception as error:  # any way the bytes fail to decode: not what append_batch writes
            yield f"{what} batch {position}'s extra data does not decode ({type(error).__name__})"
            continue
        if context.chain_id != dac.chain_id:
            yield f"{what} batch {position} names chain {context.chain_id}"
        if _l1_time(hub, context.l1_block_number) != context.timestamp or context.l1_block_number < l1_block:
            yield f"{what} batch {position} is not at a time of the hub's L1 blocks, in order"
        l1_block = context.l1_block_number
        if what == "state" and context.last_block_number != total:
            yield f"state batch {position} says it ends at block {context.last_block_number}, not {total}"


def _batches(spec: ModuleType, hub: Any, dac: Any) -> Iterator[str]:
    yield from _chain_facts(spec, hub, dac, dac.transaction_batches, spec.decode_transaction_batch_extra_data, "transaction")
    yield from _chain_facts(spec, hub, dac, dac.state_batches, spec.decode_state_batch_extra_data, "state")
    if spec.get_total_elements(dac.transaction_batches) != len(dac.blocks):
        yield "the transaction batches do not hold exactly the sequenced blocks"
    numbers = [block.number for block in dac.blocks]
    if numbers != sorted(set(numbers)) or (numbers and numbers[0] <= spec.GENESIS_BLOCK_NUMBER):
        yield "sequenced block numbers do not increase from the genesis block"
    if spec.get_total_elements(dac.state_batches) > spec.get_l2_head(hub, dac)[0]:
        yield "output roots go beyond the chain's head"


def _deposits(spec: ModuleType, hub: Any, dac: Any) -> Iterator[str]:
    tickets = [pending.ticket for pending in dac.pending_deposits]
    if tickets != sorted(set(tickets)) or (tickets and tickets[-1] >= dac.tickets_issued):
        yield "pending deposits' tickets are not increasing and issued"
    if len(dac.pending_deposits) > spec.MAX_PENDING_DEPOSITS:
        yield "more pending deposits than MAX_PENDING_DEPOSITS"
    if len(dac.deposits) + len(dac.pending_deposits) > dac.tickets_issued:
        yield "more deposits than tickets issued"
    if [deposit.nonce for deposit in dac.deposits] != list(range(len(dac.deposits))):
        yield "enqueued deposits are not numbered 0, 1, 2, ..."
    enqueued_at = [deposit.l1_block_number for deposit in dac.deposits]
    if enqueued_at != sorted(enqueued_at) or any(_l1_time(hub, number) is None for number in enqueued_at):
        yield "deposits are not enqueued in order in the hub's L1 blocks"
    minted = sum(deposit.deposit.mint for deposit in dac.deposits)
    genesis_supply = sum(account.balance for _, account in dac.genesis.alloc)
    if dac.coinbase_supply > genesis_supply + minted:
        yield "the coinbase supply exceeds the genesis allocation and the deposits' mints"
    if not dac.finalized_withdrawals and dac.coinbase_supply != genesis_supply + minted:
        yield "with no withdrawal paid, the coinbase supply is not the genesis allocation plus the mints"
    if spec.compute_dynamic_bond_threshold(spec.get_locked_mt(dac)) > spec.MAX_SEQUENCER_LOCK:
        yield "the MT locked for the chain needs a bond above MAX_SEQUENCER_LOCK"


def _challenges(spec: ModuleType, hub: Any, dac: Any) -> Iterator[str]:
    for position, challenge in enumerate(dac.challenges):
        if _stamped_outside_the_clock(hub, challenge.last_move_at):
            yield f"challenge {position} moved outside the hub's L1 times"
        if challenge.status == spec.CHALLENGE_OPEN and not challenge.lower < challenge.upper:
            yield f"open challenge {position} has an empty range"
