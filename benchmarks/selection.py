"""Sequencer selection cost (spec/v1/sequencing.md, assign_epoch_sequencers) on the mainnet preset.

Assigns the sequencers of 1,000 DACs for one epoch (one snapshot) from a pool of 10,000 sequencers, and compares it with the least
any client must do once: one pass over the pool deciding each sequencer's eligibility. The ratio is therefore
"how many pool passes one epoch of selection costs".

What dominates: the swap-or-not shuffles. Each sampling attempt draws its candidate from a fresh shuffle, which on
mainnet is SHUFFLE_ROUND_COUNT = 90 rounds of two keccak256 calls each (about 1.1 ms in CPython), and this pool
needs 1.5 attempts per DAC on average: roughly three quarters of the time. That cost does not grow with the pool,
since the shuffle follows one index through its rounds. Second comes re-filtering the whole pool for every DAC
(each DAC's candidates, with the stake already bound to earlier DACs, about 0.5 ms per DAC at 10,000 sequencers), which grows with DACs x pool; a client could
sort the pool by stake once and cut it at each DAC's DBT instead. Finding each DAC by a linear scan of the hub's DAC
list (get_dac) is negligible at this size. The whole benchmark takes about 12 s (the selections alone about 2.5 s per run), so
nothing is scaled down.
"""

from __future__ import annotations

from mvm_spec.forks.v1 import mainnet as spec
from mvm_spec.runtime import keccak256

from .common import median_seconds

MT = 10**18
POOL = 10_000
DACS = 1_000


def sequencing_hub() -> spec.Hub:
    """A hub with 10,000 active sequencers staking 20,000-100,000 MT, and 1,000 DACs whose genesis allocated
    0-599,999 MT, so DBTs range from the 20,000 MT floor to 60,000 MT and each DAC has a different eligible subset."""
    pool = tuple(
        spec.Sequencer(
            spec.Address(number.to_bytes(20, "big")), spec.Wei((20_000 + number * 7_919 % 80_001) * MT), None
        )
        for number in range(1, POOL + 1)
    )
    l1_block = spec.L1Block(spec.L1BlockNumber(0), spec.Timestamp(0), spec.Hash32(bytes(32)), spec.Hash32(bytes(32)))
    charter = spec.Charter("", "", (), (), spec.Address(bytes(20)))
    empty = spec.BatchChain(headers=())

    def dac(number: int) -> spec.DacRecord:
        supply = spec.Wei(number * 104_729 % 600_000 * MT)
        alloc = ((spec.Address(bytes([0xF0]) * 20), spec.GenesisAccount(balance=supply)),) if supply else ()
        genesis = spec.DacGenesis(l1_block.number, l1_block.timestamp, charter, alloc, spec.Wei(10**9))
        chain_id = spec.ChainId(1_089 + number)
        return spec.DacRecord(chain_id, f"dac{number}", genesis, supply, (), spec.uint64(0), (), (), empty, empty, (), (), (), ())

    return spec.Hub((l1_block,), tuple(dac(number) for number in range(DACS)), pool, (), (), (), spec.Wei(0), ())


def run() -> list[str]:
    hub = sequencing_hub()
    randomness = spec.Hash32(keccak256(b"mvm-spec selection benchmark"))
    epoch = spec.Epoch(0)

    supplies = tuple((dac.chain_id, dac.coinbase_supply) for dac in hub.dacs)
    snapshot = spec.SequencingSnapshot(epoch, randomness, hub.sequencers, supplies)

    def select_all() -> None:
        spec.assign_epoch_sequencers(snapshot)

    def filter_per_dac() -> None:
        for dac in hub.dacs:
            spec.get_eligible_sequencers(hub, dac.coinbase_supply)

    one_pass = median_seconds(lambda: spec.get_eligible_sequencers(hub, spec.Wei(0)), repeats=9)
    filtering = median_seconds(filter_per_dac, repeats=3)
    selection = median_seconds(select_all, repeats=3)
    shuffling = max(selection - filtering, 0.0)
    lines = [
        f"selection: assign_epoch_sequencers for {DACS:,} DACs x 1 epoch, pool of {POOL:,} sequencers (mainnet)",
        f"  {'what':<44}  {'ms':>9}  {'pool passes':>11}",
    ]
    rows = [
        ("one eligibility pass over the pool (baseline)", one_pass),
        (f"eligibility re-filtered per DAC ({DACS:,} passes)", filtering),
        ("shuffles and sampling (the rest)", shuffling),
        ("all selections", selection),
    ]
    lines += [f"  {label:<44}  {seconds * 1e3:>9.1f}  {seconds / one_pass:>11.0f}" for label, seconds in rows]
    lines.append(f"  per DAC: {selection / DACS * 1e3:.2f} ms, of which shuffling {shuffling / DACS * 1e3:.2f} ms")
    return lines
