"""``mvm-spec t8n`` against the Ethereum execution specs' own state-test path, on the same state tests, in process.

The peer an MVM client team would otherwise run is the execution specs (``ethereum-execution`` on PyPI). Both run
the same Cancun state tests (one transaction on a pre-state, no system operation, empty charter): this spec
through :func:`mvm_spec.t8n.transition` in state-test mode, the execution specs through ``run_test_case`` of their
``statetest`` tool (their t8n, fed in memory). Each state root is compared, so the benchmark is also a check that
the two agree. Goal (issue 11): this spec at least 2x faster in total and on every transition.

The execution specs pin older releases of two libraries this project uses (cryptography, coincurve), so they are
not a project dependency: ``make bench`` installs them, without their dependencies, into a folder of the
virtualenv (``.venv/ethereum-execution``) that only this benchmark puts on ``sys.path``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, Callable

from eth_keys.datatypes import PrivateKey

from mvm_spec.forks import load_spec
from mvm_spec.t8n import transition

PEER_FOLDER = Path(sys.prefix) / "ethereum-execution"
SECRET = bytes.fromhex("45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8")
SENDER = "0x" + PrivateKey(SECRET).public_key.to_canonical_address().hex()
CONTRACT = "0x" + "10" * 20
COINBASE = "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba"

# Programs of the contract each test calls: every one ends in STOP; byte-coded by hand.
PROGRAMS = {
    # a plain value transfer to an account without code
    "transfer": "",
    # 200 iterations of a loop adding to a counter on the stack: i = 200; do { i -= 1 } while i
    "arithmetic loop": "60c8" + "5b" + "600190" + "03" + "80" + "6002" + "57" + "00",
    # write slots 0..49 with their index + 1: i = 50; do { i -= 1; sstore(i, i + 1) } while i
    "50 storage writes": "6032" + "5b" + "600190" + "03" + "80" + "600101" + "81" + "55" + "80" + "6002" + "57" + "00",
    # keccak256 of 1 KiB of memory, 20 times, each logged: i = 20; do { log1(0, 32, keccak(0, 1024)); i -= 1 } while i
    "20 hashes logged": "6014" + "5b" + "6104005f20" + "60205fa1" + "600190" + "03" + "80" + "6002" + "57" + "00",
}


def state_test(program: str, salt: int) -> dict[str, Any]:
    """One Cancun state test calling ``program`` (as t8n inputs: pre, env, one transaction with its secret key)."""
    code = "0x" + program
    contract = CONTRACT if program else "0x" + f"{0x2000 + salt:040x}"
    pre = {SENDER: {"balance": hex(10**20), "nonce": "0x0", "code": "0x", "storage": {}}}
    if program:
        pre[CONTRACT] = {"balance": "0x0", "nonce": "0x1", "code": code, "storage": {"0x63": "0x1"}}
    env = {
        "currentCoinbase": COINBASE,
        "currentGasLimit": hex(30_000_000),
        "currentNumber": "0x1",
        "currentTimestamp": "0x3e8",
        "currentRandom": "0x" + "00" * 32,
        "currentBaseFee": "0x7",
        "currentExcessBlobGas": "0x0",
        "previousHash": "0x" + f"{salt:064x}",
    }
    transaction = {
        "type": "0x2",
        "chainId": "0x1",
        "nonce": "0x0",
        "gas": hex(5_000_000),
        "maxFeePerGas": "0xa",
        "maxPriorityFeePerGas": "0x1",
        "to": contract,
        "value": hex(salt + 1),
        "input": "0x",
        "secretKey": "0x" + SECRET.hex(),
    }
    return {"pre": pre, "env": env, "transaction": transaction}


def _timed(run: Callable[[], str]) -> tuple[float, str]:
    started = time.perf_counter()
    root = run()
    return time.perf_counter() - started, root


def _peer() -> Callable[[dict[str, Any]], str] | None:
    """The execution specs' state-test path, or None if ``make bench`` did not install them."""
    if not PEER_FOLDER.is_dir():
        return None
    sys.path.insert(0, str(PEER_FOLDER))
    # Found at run time in PEER_FOLDER, which the type checker does not see.
    from ethereum_spec_tools.evm_tools.statetest import TestCase, run_test_case  # type: ignore[import-not-found]
    from ethereum_spec_tools.evm_tools.t8n import ForkCache  # type: ignore[import-not-found]

    cache = ForkCache()

    def run(test: dict[str, Any]) -> str:
        transaction = {key: value for key, value in test["transaction"].items() if key not in ("input", "gas", "value")}
        transaction |= {"data": [test["transaction"]["input"]], "gasLimit": [test["transaction"]["gas"]]}
        transaction |= {"value": [test["transaction"]["value"]]}
        case = TestCase(
            path="benchmark",
            key="benchmark",
            index=0,
            fork_name="Cancun",
            post={"indexes": {"data": 0, "gas": 0, "value": 0}},
            pre=test["pre"],
            env=test["env"],
            transaction=transaction,
        )
        result = run_test_case(case, cache)
        return "0x" + bytes(result.state_root).hex()

    return run


def run(count_per_program: int = 10) -> list[str]:
    spec = load_spec("v1", "mainnet")
    peer = _peer()
    lines = ["t8n: the same Cancun state tests through mvm-spec t8n and the execution specs' state-test path"]
    if peer is None:
        lines.append(f"  skipped: the execution specs are not installed in {PEER_FOLDER} (make bench installs them)")
        return lines

    def ours(test: dict[str, Any]) -> str:
        done = transition(spec, test["pre"], test["env"], [test["transaction"]], chain_id=1, state_test=True)
        return str(done.result["stateRoot"])

    lines.append(f"  {'transition':<20} {'this spec ms':>12} {'exec specs ms':>13} {'ratio':>6} {'worst':>6}")
    total_ours = total_peer = 0.0
    worst_overall = 0.0
    for name, program in PROGRAMS.items():
        tests = [state_test(program, salt) for salt in range(count_per_program)]
        ours(tests[0]), peer(tests[0])  # warm both: imports, caches
        times_ours, times_peer, worst = 0.0, 0.0, 0.0
        for test in tests:
            seconds_ours, root_ours = _timed(lambda: ours(test))
            seconds_peer, root_peer = _timed(lambda: peer(test))
            if root_ours != root_peer:
                raise AssertionError(f"{name}: state roots differ: this spec {root_ours}, execution specs {root_peer}")
            times_ours += seconds_ours
            times_peer += seconds_peer
            worst = max(worst, seconds_ours / seconds_peer)
        total_ours += times_ours
        total_peer += times_peer
        worst_overall = max(worst_overall, worst)
        count = len(tests)
        lines.append(
            f"  {name:<20} {1000 * times_ours / count:>12.2f} {1000 * times_peer / count:>13.2f}"
            f" {times_ours / times_peer:>6.2f} {worst:>6.2f}"
        )
    lines.append(
        f"  total: this spec / execution specs = {total_ours / total_peer:.2f} (goal <= 0.5); worst single"
        f" transition {worst_overall:.2f} (goal <= 0.5); every state root agreed"
    )
    return lines


if __name__ == "__main__":
    print("\n".join(run()))
