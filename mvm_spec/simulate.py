"""``mvm-spec simulate finality``: how long a withdrawal waits, under fork v1 (the full window) and v2 (the fast
window of a quorum of rangers), for a given number of DACs, rangers and honest fraction.

The model, and what comes from the spec:

- Time is the hub's L1 clock, 12-second blocks; an epoch is the preset's ``L1_BLOCKS_PER_EPOCH`` blocks.
- Every DAC appends a state batch every ``batch_interval`` seconds (from a random phase per DAC).
- Each epoch, rangers are assigned to DACs by the spec's own ``assign_rangers`` (seeded from the simulation's
  seed, as L1 RANDAO would seed it). An honest ranger validates every batch its DAC appends in the epoch, after a
  random delay (exponential, mean ``validation_delay``): ``validate_state_batch`` takes the assignment of the epoch
  the batch was appended in; a dishonest one withholds its validations (for latency the worst it can do:
  validating a wrong root is a safety matter, which the challenge game answers).
- A batch is *settled* as ``is_state_batch_settled`` (v2) says: after ``FAST_FRAUD_PROOF_WINDOW`` once
  ``RANGER_QUORUM`` validations arrived, else after ``FRAUD_PROOF_WINDOW``; and *final*, as ``is_state_batch_final``
  says, once it and every earlier batch of its chain are settled (no challenge is opened: every root is right).
- A withdrawal made at a uniformly random time waits for the next batch of its DAC to be appended, then for that
  batch to be final: its latency is the difference.

Everything is deterministic in the seed. Reference lines: Metis's and Optimism's fixed 7-day window and Arbitrum's
6.4 days (45,818 L1 blocks).
"""

from __future__ import annotations

import functools
import random
import statistics
from dataclasses import dataclass, replace
from types import ModuleType
from typing import Callable, Optional, Sequence

from .conformance.mutants import swapped

L1_BLOCK_SECONDS = 12
DAY = 86_400
ARBITRUM_WINDOW_DAYS = 45_818 * 12 / DAY  # Arbitrum One's confirm period in L1 blocks
OPTIMISM_WINDOW_DAYS = 7.0


@dataclass(frozen=True)
class Scenario:
    dacs: int
    rangers: int
    honest_fraction: float
    days: int
    batch_interval: int = 3_600
    validation_delay: int = 1_800
    withdrawals_per_dac: int = 200
    seed: int = 1


@dataclass(frozen=True)
class Latencies:
    """Withdrawal latencies in days, sorted, for one scenario under v1 and v2, and the share of v2's batches that
    reached the quorum."""

    scenario: Scenario
    v1: tuple[float, ...]
    v2: tuple[float, ...]
    quorum_share: float

    def percentile(self, fork: str, share: float) -> float:
        values = self.v1 if fork == "v1" else self.v2
        return values[min(len(values) - 1, int(share * len(values)))]


def _settled_at(append: int, validations: Sequence[int], full: int, fast: int, quorum: int) -> tuple[int, bool]:
    """When a batch appended at ``append`` is settled given its validations' times: ``is_state_batch_settled``."""
    if len(validations) >= quorum:
        quorum_time = sorted(validations)[quorum - 1]
        fast_settled = max(append + fast, quorum_time)
        if fast_settled < append + full:
            return fast_settled, True
    return append + full, False


def simulate(
    spec: ModuleType, scenario: Scenario, progress: Optional[Callable[[int], None]] = None
) -> Latencies:
    """Latencies of ``scenario`` under the finality rules of ``spec`` (a v2 module: v1's are its full window).

    The assignment is the spec's ``assign_rangers``, run with its keccak256 memoised: a swap-or-not shuffle hashes
    the same round seed for every ranger it places, and a cache makes one epoch's assignment cost a whole-list
    shuffle instead of one shuffle per ranger, with the same result."""
    with swapped(spec, "keccak256", functools.lru_cache(maxsize=1 << 16)(spec.keccak256)):
        return _simulate(spec, scenario, progress)


def _simulate(spec: ModuleType, scenario: Scenario, progress: Optional[Callable[[int], None]]) -> Latencies:
    rng = random.Random(scenario.seed)
    full, fast = int(spec.FRAUD_PROOF_WINDOW), int(spec.FAST_FRAUD_PROOF_WINDOW)
    quorum = int(spec.RANGER_QUORUM)
    epoch_seconds = int(spec.L1_BLOCKS_PER_EPOCH) * L1_BLOCK_SECONDS
    horizon = scenario.days * DAY
    chain_ids = [spec.ChainId(1000000000001089 + index) for index in range(scenario.dacs)]
    rangers = [spec.Address((index + 1).to_bytes(20, "big")) for index in range(scenario.rangers)]
    honest = {ranger for ranger in rangers if rng.random() < scenario.honest_fraction}
    phases = {chain_id: rng.randrange(scenario.batch_interval) for chain_id in chain_ids}
    validations: dict[tuple[int, int], list[int]] = {}  # (chain id, append time) -> validation times
    epochs = horizon // epoch_seconds + 1
    for epoch in range(epochs):
        randomness = spec.Hash32(rng.getrandbits(256).to_bytes(32, "big"))
        start, end = epoch * epoch_seconds, (epoch + 1) * epoch_seconds
        for assignment in spec.assign_rangers(rangers, chain_ids, spec.Epoch(epoch), randomness):
            if assignment.ranger not in honest:
                continue
            chain_id = int(assignment.chain_id)
            phase = phases[assignment.chain_id]
            first = start + (phase - start) % scenario.batch_interval
            for append in range(first, end, scenario.batch_interval):
                validated_at = append + int(rng.expovariate(1 / scenario.validation_delay))
                validations.setdefault((chain_id, append), []).append(validated_at)
        if progress is not None:
            progress(1)
    v1: list[float] = []
    v2: list[float] = []
    reached = batches = 0
    for chain_id in chain_ids:
        appends = list(range(phases[chain_id], horizon + full + scenario.batch_interval, scenario.batch_interval))
        final_v2: list[int] = []
        latest = 0
        for append in appends:
            settled, fast_rule = _settled_at(append, validations.get((int(chain_id), append), []), full, fast, quorum)
            latest = max(latest, settled)  # final once every earlier batch is settled (is_state_batch_final)
            final_v2.append(latest)
            if append < horizon:
                batches += 1
                reached += fast_rule
        for _ in range(scenario.withdrawals_per_dac):
            made = rng.randrange(horizon - full)  # late withdrawals would wait past the horizon
            position = (made - phases[chain_id]) // scenario.batch_interval + 1
            append = appends[position]
            v1.append((append + full - made) / DAY)
            v2.append((final_v2[position] - made) / DAY)
    return Latencies(scenario, tuple(sorted(v1)), tuple(sorted(v2)), reached / max(batches, 1))


def summary(latencies: Latencies) -> list[str]:
    s = latencies.scenario
    lines = [
        f"finality: {s.dacs} DACs, {s.rangers} rangers ({s.honest_fraction:.0%} honest), {s.days} days, "
        f"a batch every {s.batch_interval // 60} min, seed {s.seed}",
        f"  batches that reached the quorum (v2): {latencies.quorum_share:.1%}",
        f"  {'withdrawal latency, days':<28} {'median':>8} {'p95':>8} {'max':>8}",
    ]
    for fork in ("v1", "v2"):
        values = latencies.v1 if fork == "v1" else latencies.v2
        lines.append(
            f"  {fork:<28} {statistics.median(values):>8.2f} {latencies.percentile(fork, 0.95):>8.2f} {values[-1]:>8.2f}"
        )
    lines.append(f"  {'Optimism / Metis (fixed)':<28} {OPTIMISM_WINDOW_DAYS:>8.2f}")
    lines.append(f"  {'Arbitrum One (fixed)':<28} {ARBITRUM_WINDOW_DAYS:>8.2f}")
    return lines


def sweep(
    spec: ModuleType, base: Scenario, ranger_counts: Sequence[int], progress: Optional[Callable[[int], None]] = None
) -> list[Latencies]:
    """``base`` with each number of rangers: the latency curve."""
    return [simulate(spec, replace(base, rangers=count), progress) for count in ranger_counts]


def plot(curve: Sequence[Latencies], path_without_suffix: str) -> list[str]:
    """Median and 95th-percentile withdrawal latency against the number of rangers, for v1 and v2, beside the fixed
    windows of Optimism / Metis and Arbitrum; written as PNG and SVG. Returns the paths written."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "mvm-spec"  # element ids from a fixed salt: the SVG is reproducible
    import matplotlib.pyplot as plt

    counts = [latencies.scenario.rangers for latencies in curve]
    base = curve[0].scenario
    figure, axes = plt.subplots(figsize=(8, 4.5))
    for fork, colour in (("v1", "tab:grey"), ("v2", "tab:blue")):
        axes.plot(counts, [lat.percentile(fork, 0.5) for lat in curve], marker="o", color=colour, label=f"{fork} median")
        axes.plot(counts, [lat.percentile(fork, 0.95) for lat in curve], linestyle="--", color=colour, label=f"{fork} p95")
    axes.axhline(OPTIMISM_WINDOW_DAYS, color="tab:red", linewidth=0.8, label="Optimism / Metis: 7 days")
    axes.axhline(ARBITRUM_WINDOW_DAYS, color="tab:orange", linewidth=0.8, label="Arbitrum One: 6.4 days")
    axes.set_xscale("log")
    axes.set_xlabel("rangers")
    axes.set_ylabel("withdrawal latency (days)")
    axes.set_ylim(bottom=0)
    axes.set_title(
        f"{base.dacs} DACs, {base.honest_fraction:.0%} honest rangers, {base.days} days, a batch every "
        f"{base.batch_interval // 60} min (mainnet preset)",
        fontsize=9,
    )
    axes.legend(fontsize=8, loc="lower left")
    figure.tight_layout()
    written = []
    for suffix in ("png", "svg"):
        path = f"{path_without_suffix}.{suffix}"
        # fixed metadata so the files are reproducible byte for byte
        metadata = {"Software": None} if suffix == "png" else {"Date": None, "Creator": None}
        figure.savefig(path, dpi=120, metadata=metadata)
        written.append(path)
    plt.close(figure)
    return written
