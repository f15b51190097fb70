"""``mvm-spec t8n``: Ethereum's transition-tool interface over the spec.

Expected values are worked out by hand from Cancun's gas schedule and the EIPs, or are known answers of the
Ethereum execution specs (``ethereum-execution`` 2.20.0's ``t8n``, run on the same input once, by hand): the state
root of the first case. The benchmark (benchmarks/t8n.py) compares more state roots against them on every run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from eth_hash.auto import keccak

from mvm_spec.cli import main
from mvm_spec.evm import BEACON_ROOTS_ADDRESS, BEACON_ROOTS_CODE, dump_world, genesis_world, transfer
from mvm_spec.evm import GenesisAccount
from mvm_spec.forks import load_spec
from mvm_spec.t8n import T8nInputError, transition

SPEC = load_spec("v1", "mainnet")
SECRET = "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8"
SENDER = "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b"  # the address of SECRET (Ethereum's tests' usual sender)
CONTRACT = "0x1000000000000000000000000000000000000000"
COINBASE = "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba"
ETHER = 10**18


def env(**changes: Any) -> dict[str, Any]:
    base = {
        "currentCoinbase": COINBASE,
        "currentGasLimit": "0x05f5e100",
        "currentNumber": "0x1",
        "currentTimestamp": "0x3e8",
        "currentRandom": "0x0",
        "currentBaseFee": "0x7",
        "previousHash": "0x5e20a0453cecd065ea59c37ac63e079ee08998b6045136a8ce6635c7912ec0b6",
    }
    return base | changes


def call(nonce: int = 0, value: int = 1, to: str = CONTRACT, **changes: Any) -> dict[str, Any]:
    return {
        "type": "0x2",
        "chainId": "0x1",
        "nonce": hex(nonce),
        "gas": "0x186a0",
        "maxFeePerGas": "0xa",
        "maxPriorityFeePerGas": "0x1",
        "to": to,
        "value": hex(value),
        "input": "0x",
        "secretKey": SECRET,
    } | changes


def alloc(code: str, contract_balance: int = 0) -> dict[str, Any]:
    return {
        SENDER: {"balance": hex(1000 * ETHER), "nonce": "0x0"},
        CONTRACT: {"balance": hex(contract_balance), "code": "0x" + code, "nonce": "0x1"},
    }


def word(number: int) -> str:
    return "0x" + number.to_bytes(32, "big").hex()


def test_a_block_matches_the_execution_specs_and_skips_a_rejected_transaction() -> None:
    # PUSH1 1 PUSH1 0 SSTORE STOP: 21,000 + 3 + 3 + 22,100 (SSTORE of a cold, zero slot: 20,000 + 2,100).
    done = transition(SPEC, alloc("600160005500"), env(), [call(), call(nonce=5)])
    gas = 21_000 + 3 + 3 + 22_100
    result = done.result
    assert result["stateRoot"] == "0x01547ab58958fbc1705ca7b6d87924d474f1c0f469a8f58ba0fc9dbc8e864b9b"  # exec specs
    assert result["gasUsed"] == hex(gas) and result["receipts"][0]["status"] == "0x1"
    assert result["receipts"][0]["mvmTax"] == "0x0"  # the empty charter taxes nothing
    assert result["rejected"] == [{"index": 1, "error": "NonceMismatch: nonce 5, account nonce 1"}]
    assert result["logsHash"] == "0x" + keccak(bytes([0xC0])).hex()  # the RLP of no logs is the empty list
    post = done.post_alloc()
    assert post[SENDER] == {"balance": hex(1000 * ETHER - gas * (7 + 1) - 1), "nonce": "0x1"}
    assert post[COINBASE] == {"balance": hex(gas * 1), "nonce": "0x0"}  # the tip; the base fee is burnt
    assert post[CONTRACT]["storage"] == {word(0): word(1)} and post[CONTRACT]["balance"] == "0x1"
    assert int(result["mvmCoinbaseSupply"], 16) == 1000 * ETHER - gas * 7  # only the base fee left the supply


def test_ethereum_commitments_match_the_execution_specs_for_legacy_and_typed_transactions() -> None:
    # PUSH1 42, PUSH0, MSTORE, PUSH32 topic, PUSH1 32, PUSH0, LOG1, STOP: one log of the word 42 under the topic.
    topic = "11" * 32
    code = "602a5f52" + "7f" + topic + "60205f" + "a1" + "00"
    legacy = {"type": "0x0", "chainId": "0x1", "nonce": "0x0", "gas": "0x186a0", "gasPrice": "0xa"}
    legacy |= {"to": CONTRACT, "value": "0x0", "input": "0x", "secretKey": SECRET}
    done = transition(SPEC, alloc(code), env(blockHashes={"0": "0x" + "5e" * 32}), [legacy, call(nonce=1, value=3, maxPriorityFeePerGas="0x2")])
    result = done.result
    # The execution specs' t8n (ethereum-execution 2.20.0, Cancun) on the same input:
    assert result["stateRoot"] == "0x2f12cc1cc24af774d6e8df840dea644d4b1c504ccd4db33e1668f826b309f987"
    assert result["txRoot"] == "0x39678d48160108c78b4e2f133a4ba3e546213f2aab5c9119770309909091a110"
    assert result["receiptsRoot"] == "0xc051d8f635a66ba026aff3ececfc3d7b690d4a53446bf35f2ba0b4880a03dbe9"
    assert result["logsHash"] == "0xeb46211ebfc646d5b12377e8f4106822517a2b2c206ee203c7aa48a6865246d1"
    assert result["gasUsed"] == "0xac12"
    # The bloom by hand: 3 bits for the address and 3 for the topic, each the low 11 bits of a byte pair of keccak.
    bits = {
        (digest[offset] << 8 | digest[offset + 1]) & 2047
        for item in (bytes.fromhex(CONTRACT[2:]), bytes.fromhex(topic))
        for digest in [keccak(item)]
        for offset in (0, 2, 4)
    }
    assert int(result["logsBloom"], 16) == sum(1 << bit for bit in bits)
    assert [receipt["type"] for receipt in result["receipts"]] == ["0x0", "0x2"]


def test_the_charter_is_an_input_and_its_tax_is_reported() -> None:
    charter = {
        "vision": "",
        "mission": "",
        "permissions": [],
        "taxrates": [{"threshold": "0", "rate_bps": 100}],
        "management_contract": "0x" + "00" * 20,
        "tax_exempt": [],
    }
    done = transition(SPEC, alloc("00"), env(), [call(value=10**6)], charter=charter)
    assert done.result["receipts"][0]["mvmTax"] == hex(10**4)  # 1 % of 10**6
    dao = "0x" + bytes(SPEC.METIS_DAO_ADDRESS).hex()
    assert done.post_alloc()[dao]["balance"] == hex(10**4)
    untaxed = transition(SPEC, alloc("00"), env(), [call(value=10**6)])
    assert done.result["mvmCharterRoot"] != untaxed.result["mvmCharterRoot"]


def test_the_post_state_names_accounts_made_inside_execution() -> None:
    # PUSH0 x4, PUSH1 5, PUSH2 0xbeef, GAS, CALL, POP: send 5 wei to a fresh account; then PUSH0, PUSH1 1, PUSH0,
    # PUSH0, CREATE2, POP, STOP: create a contract from the 1-byte init code 0x00 (memory is zero) with salt 0.
    code = "5f5f5f5f600561beef5af150" + "5f60015f5ff550" + "00"
    done = transition(SPEC, alloc(code), env(), [call(value=10)])
    created = keccak(b"\xff" + bytes.fromhex(CONTRACT[2:]) + bytes(32) + keccak(b"\x00"))[12:]  # EIP-1014
    post = done.post_alloc()
    assert post["0x" + "00" * 18 + "beef"] == {"balance": "0x5", "nonce": "0x0"}
    assert post["0x" + created.hex()] == {"balance": "0x0", "nonce": "0x1"}  # EIP-161: a new contract's nonce is 1
    assert post[CONTRACT]["nonce"] == "0x2" and post[CONTRACT]["balance"] == "0x5"


def test_a_dump_refuses_to_leave_out_an_account_it_cannot_name() -> None:
    sender = bytes.fromhex(SENDER[2:])
    world = transfer(genesis_world({sender: GenesisAccount(balance=10)}), sender, b"\x42" * 20, 3)
    with pytest.raises(ValueError, match="no write recorded"):
        dump_world(world, {sender: []})


def test_blockhash_reads_the_given_history_and_the_state_starts_at_any_block() -> None:
    # PUSH1 1, NUMBER, SUB, BLOCKHASH, PUSH0, SSTORE, STOP: store the parent's hash in slot 0.
    parent_hash = "0x" + "ab" * 32
    done = transition(SPEC, alloc("60014303405f5500"), env(currentNumber="0x10", blockHashes={"15": parent_hash}), [call()])
    assert done.post_alloc()[CONTRACT]["storage"] == {word(0): parent_hash}


def test_the_beacon_roots_call_runs_in_a_block_not_in_a_state_test() -> None:
    accounts = alloc("00") | {"0x" + BEACON_ROOTS_ADDRESS.hex(): {"balance": "0x0", "nonce": "0x1", "code": "0x" + BEACON_ROOTS_CODE.hex()}}
    root = "0x" + "cd" * 32
    block = transition(SPEC, accounts, env(parentBeaconBlockRoot=root), [call()])
    # EIP-4788: the timestamp at slot timestamp % 8191, the root at that slot + 8191.
    slot = 1000 % 8191
    storage = block.post_alloc()["0x" + BEACON_ROOTS_ADDRESS.hex()]["storage"]
    assert storage == {word(slot): word(1000), word(slot + 8191): root}
    state_test = transition(SPEC, accounts, env(parentBeaconBlockRoot=root), [call()], state_test=True)
    assert "storage" not in state_test.post_alloc()["0x" + BEACON_ROOTS_ADDRESS.hex()]
    assert "mvmOutputRoot" in block.result and "mvmOutputRoot" not in state_test.result


def test_the_base_fee_follows_the_mvm_rule_when_not_given() -> None:
    # Mainnet: target 30,000,000 / 6 = 5,000,000 gas; an empty parent lowers 1,000 by 1,000 // 250 = 4.
    base = env(parentBaseFee="0x3e8", parentGasUsed="0x0")
    del base["currentBaseFee"]
    done = transition(SPEC, alloc("00"), base, [call()])
    assert done.result["currentBaseFee"] == hex(996)


def test_transactions_as_an_rlp_list_give_the_same_result() -> None:
    import rlp  # type: ignore[import-untyped]

    from mvm_spec.t8n import parse_txs

    raws = parse_txs([call(), call(nonce=1)], 1)
    # geth's txs.rlp: the RLP list of the transactions, a typed one as a byte string (EIP-2718)
    as_rlp = transition(SPEC, alloc("00"), env(), "0x" + rlp.encode(raws).hex())
    as_json = transition(SPEC, alloc("00"), env(), [call(), call(nonce=1)])
    assert as_rlp.result == as_json.result and len(as_rlp.result["receipts"]) == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"withdrawals": [{"index": "0x0", "validatorIndex": "0x0", "address": COINBASE, "amount": "0x1"}]}, "no withdrawals"),
        ({"currentExcessBlobGas": "0x1"}, "no blobs"),
        ({"currentNumber": "0x0"}, "genesis"),
    ],
)
def test_what_an_l2_block_cannot_carry_is_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(T8nInputError, match=message):
        transition(SPEC, alloc("00"), env(**changes), [call()])


def test_a_state_test_has_one_transaction() -> None:
    with pytest.raises(T8nInputError, match="exactly one"):
        transition(SPEC, alloc("00"), env(), [call(), call(nonce=1)], state_test=True)


def test_the_command_reads_and_writes_files_as_geth_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "alloc.json").write_text(json.dumps(alloc("600160005500")), encoding="utf-8")
    (tmp_path / "env.json").write_text(json.dumps(env()), encoding="utf-8")
    (tmp_path / "txs.json").write_text(json.dumps([call()]), encoding="utf-8")
    out = tmp_path / "out"
    command = ["t8n", "--input.basedir", str(tmp_path), "--output.basedir", str(out), "--output.result", "result.json"]
    assert main(command) == 0
    result = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert result["stateRoot"] == "0x01547ab58958fbc1705ca7b6d87924d474f1c0f469a8f58ba0fc9dbc8e864b9b"
    assert json.loads((out / "alloc.json").read_text(encoding="utf-8"))[CONTRACT]["storage"] == {word(0): word(1)}
    (tmp_path / "env.json").write_text(json.dumps(env(withdrawals=[{"amount": "0x1"}])), encoding="utf-8")
    assert main(command) == 2
    assert "no withdrawals" in capsys.readouterr().err
    assert main([*command, "--state.fork", "Prague"]) == 2
    assert main([*command, "--state.reward", "2000000000000000000"]) == 2
    (tmp_path / "env.json").write_text(json.dumps(env()), encoding="utf-8")
    assert main([*command, "--state.reward", "-1", "--output.body", "body.json"]) == 0
    import rlp

    (included,) = rlp.decode(bytes.fromhex(json.loads((out / "body.json").read_text(encoding="utf-8"))[2:]))
    assert included[0] == 0x02 and "0x" + keccak(included).hex() == result["receipts"][0]["transactionHash"]
