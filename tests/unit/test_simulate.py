"""Laws of the finality simulation (mvm_spec/simulate.py), on small scenarios of the mainnet preset of fork v2.

The simulation is a tool, not the spec, but the docs show its curve: these laws keep it honest. It is deterministic
in its seed; without rangers (or without honest ones) fork v2 is fork v1 exactly; v2 never makes a withdrawal wait
longer than v1; v1's latency is the full window plus the wait for the next batch; and with every DAC sampled by
twice the quorum of honest rangers almost every batch reaches the quorum, and withdrawals take about the fast
window.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from mvm_spec.forks.v2 import mainnet as spec
from mvm_spec.simulate import DAY, Scenario, plot, simulate, summary, sweep

QUORUM = 5  # RANGER_QUORUM, mainnet (v2)
FULL_DAYS, FAST_DAYS = 7.0, 1.0  # FRAUD_PROOF_WINDOW, FAST_FRAUD_PROOF_WINDOW (mainnet), in days
SMALL = Scenario(dacs=4, rangers=40, honest_fraction=1.0, days=30, withdrawals_per_dac=50, seed=7)


def test_preset_values_the_laws_rely_on() -> None:
    assert (spec.RANGER_QUORUM, spec.FRAUD_PROOF_WINDOW, spec.FAST_FRAUD_PROOF_WINDOW) == (QUORUM, 7 * DAY, DAY)


def test_deterministic_in_the_seed() -> None:
    assert simulate(spec, SMALL) == simulate(spec, SMALL)
    assert simulate(spec, SMALL) != simulate(spec, replace(SMALL, seed=8))


def test_without_honest_rangers_v2_is_v1() -> None:
    for scenario in (replace(SMALL, rangers=0), replace(SMALL, honest_fraction=0.0)):
        latencies = simulate(spec, scenario)
        assert latencies.v2 == latencies.v1 and latencies.quorum_share == 0


def test_v2_never_waits_longer_and_v1_is_the_full_window() -> None:
    latencies = simulate(spec, replace(SMALL, honest_fraction=0.7))
    assert all(fast <= full for fast, full in zip(latencies.v2, latencies.v1))
    hour = 3_600 / DAY
    assert all(FULL_DAYS < value <= FULL_DAYS + hour for value in latencies.v1)


def test_enough_honest_rangers_reach_the_fast_window() -> None:
    """40 rangers over 4 DACs: 10 per DAC, twice the quorum, all honest: every batch reaches the quorum, and a
    withdrawal waits the fast window plus at most the hour to the next batch."""
    latencies = simulate(spec, SMALL)
    assert latencies.quorum_share == 1.0
    hour = 3_600 / DAY
    assert all(FAST_DAYS < value <= FAST_DAYS + hour + 0.25 for value in latencies.v2)
    assert "batches that reached the quorum" in "\n".join(summary(latencies))


def test_curve_is_written_as_png_and_svg(tmp_path: Path) -> None:
    curve = sweep(spec, replace(SMALL, days=10), [0, 20, 40])
    assert [item.scenario.rangers for item in curve] == [0, 20, 40]
    written = plot(curve, str(tmp_path / "finality"))
    assert [Path(path).suffix for path in written] == [".png", ".svg"]
    assert Path(written[0]).read_bytes().startswith(b"\x89PNG") and b"<svg" in Path(written[1]).read_bytes()
    again = plot(curve, str(tmp_path / "again"))
    assert [Path(path).read_bytes() for path in again] == [Path(path).read_bytes() for path in written]
