"""``mvm-spec t8n``: the transition tool interface Ethereum's test tooling speaks, over the MVM spec.

Inputs and outputs follow geth's ``evm t8n`` and the execution specs' ``t8n``: an allocation (``alloc``), a block
environment (``env``) and transactions (``txs``) in; a result (state root, receipts, rejected transactions, gas
used) and the post-state allocation out. The MVM adds one input, the chain's charter (``charter``, in the vectors'
JSON encoding; by default the empty charter, under which the L2 behaves as plain Cancun with no tax), and reports
the MVM's own commitments beside Ethereum's fields: each receipt's tax, the MVM block hash and the output root.

Every transaction is applied with the spec's own ``apply_transaction``; a transaction the spec rejects is listed in
``rejected`` with the spec error's name and changes nothing, as a block builder would skip it (``apply_block``
itself, a rule, rejects the whole block instead). What t8n decides for itself, and why:

- The pre-state is ``alloc`` at block ``currentNumber - 1``, with ``blockHashes`` as the hash history BLOCKHASH
  reads. Its total supply is the sum of the allocated balances. (A chain starts at genesis; a transition tool
  starts anywhere, so this is the one state the spec is asked about that its transitions need not reach:
  spec/v1/README.md, Notation.)
- The header is not checked against a parent (an Ethereum state test's gas limit and base fee are its own): the
  block takes ``currentGasLimit``, and ``currentBaseFee`` or, without it, the MVM's EIP-1559 rule
  (``compute_next_base_fee``) on ``parentBaseFee`` and ``parentGasUsed``.
- The beacon-roots system call runs when ``parentBeaconBlockRoot`` is given, before the first transaction, except
  in state-test mode (``--state-test``: one transaction, no system operation, as the execution specs' state tests).
- What an L2 block cannot carry is refused as input: withdrawals, a non-zero excess blob gas, blob transactions in
  JSON form (signed raw, the spec rejects them like any client would: ``BlobTransactionNotSupported``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Mapping, Sequence

import rlp  # type: ignore[import-untyped]
from eth.vm.forks.cancun.transactions import CancunTransactionBuilder
from eth_hash.auto import keccak
from eth_keys.datatypes import PrivateKey
from eth_typing import Address as EthAddress

from .evm import DumpedAccount, GenesisAccount, dump_world, genesis_world, record_writes
from .mpt import LazyTrie
from .vectors.codec import decode_charter


class T8nInputError(ValueError):
    """An input the transition tool cannot read, or one an L2 block cannot carry."""


# --- Reading inputs -------------------------------------------------------------------------------------------


def parse_quantity(value: Any, name: str) -> int:
    """A number as t8n inputs write them: a JSON integer, a 0x-prefixed hex string or a decimal string."""
    if isinstance(value, bool):
        raise T8nInputError(f"{name}: expected a number, got {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value[:2] in ("0x", "0X"):
        number = int(value[2:] or "0", 16)
    elif isinstance(value, str) and value.isdecimal():
        number = int(value)
    else:
        raise T8nInputError(f"{name}: expected a number, got {value!r}")
    if number < 0:
        raise T8nInputError(f"{name}: negative")
    return number


def parse_data(value: Any, name: str) -> bytes:
    if not isinstance(value, str) or value[:2] not in ("0x", "0X") or len(value) % 2:
        raise T8nInputError(f"{name}: expected 0x-prefixed hex of whole bytes, got {value!r}")
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise T8nInputError(f"{name}: not hex: {value!r}") from None


def parse_address(value: Any, name: str) -> bytes:
    address = parse_data(value, name)
    if len(address) != 20:
        raise T8nInputError(f"{name}: an address has 20 bytes, got {len(address)}")
    return address


def parse_alloc(alloc: Mapping[str, Any]) -> dict[bytes, GenesisAccount]:
    accounts: dict[bytes, GenesisAccount] = {}
    for key, account in alloc.items():
        address = parse_address(key if key[:2] in ("0x", "0X") else "0x" + key, f"alloc key {key}")
        storage = tuple(
            (parse_quantity(slot, f"alloc {key} storage key"), parse_quantity(value, f"alloc {key} storage {slot}"))
            for slot, value in sorted(account.get("storage", {}).items())
        )
        accounts[address] = GenesisAccount(
            balance=parse_quantity(account.get("balance", 0), f"alloc {key} balance"),
            nonce=parse_quantity(account.get("nonce", 0), f"alloc {key} nonce"),
            code=parse_data(account.get("code", "0x"), f"alloc {key} code"),
            storage=tuple(entry for entry in storage if entry[1] != 0),
        )
        words = [accounts[address].balance, *(number for entry in storage for number in entry)]
        if accounts[address].nonce >= 2**64 or any(number >= 2**256 for number in words):
            raise T8nInputError(f"alloc {key}: a nonce, balance, storage slot or value is out of range")
    if sum(account.balance for account in accounts.values()) >= 2**256:
        raise T8nInputError("alloc: the balances add up to more than a uint256")
    return accounts


@dataclass(frozen=True)
class Environment:
    coinbase: bytes
    gas_limit: int
    number: int
    timestamp: int
    prev_randao: bytes
    base_fee: int | None
    parent_base_fee: int | None
    parent_gas_used: int | None
    parent_timestamp: int
    parent_beacon_block_root: bytes | None
    block_hashes: dict[int, bytes]


def parse_env(env: Mapping[str, Any]) -> Environment:
    if env.get("withdrawals"):
        raise T8nInputError("env.withdrawals: an L2 block carries no withdrawals (exits are messages)")
    for field in ("currentExcessBlobGas", "parentExcessBlobGas", "parentBlobGasUsed"):
        if field in env and parse_quantity(env[field], field) != 0:
            raise T8nInputError(f"env.{field}: an L2 block carries no blobs, its blob gas is always 0")
    number = parse_quantity(env["currentNumber"], "currentNumber")
    if number == 0:
        raise T8nInputError("currentNumber: block 0 is the genesis, which no transition makes")
    hashes = {
        parse_quantity(key, "blockHashes key"): parse_data(value, f"blockHashes {key}")
        for key, value in env.get("blockHashes", {}).items()
    }
    if "previousHash" in env and number - 1 not in hashes:  # state tests name the parent's hash this way
        hashes[number - 1] = parse_data(env["previousHash"], "previousHash")

    def optional(field: str) -> int | None:
        return parse_quantity(env[field], field) if env.get(field) is not None else None

    randao = env.get("currentRandom", env.get("currentPrevRandao", "0x" + "00" * 32))
    beacon_root = env.get("parentBeaconBlockRoot")
    return Environment(
        coinbase=parse_address(env["currentCoinbase"], "currentCoinbase"),
        gas_limit=parse_quantity(env["currentGasLimit"], "currentGasLimit"),
        number=number,
        timestamp=parse_quantity(env["currentTimestamp"], "currentTimestamp"),
        prev_randao=parse_quantity(randao, "currentRandom").to_bytes(32, "big"),
        base_fee=optional("currentBaseFee"),
        parent_base_fee=optional("parentBaseFee"),
        parent_gas_used=optional("parentGasUsed"),
        parent_timestamp=optional("parentTimestamp") or 0,
        parent_beacon_block_root=None if beacon_root is None else parse_data(beacon_root, "parentBeaconBlockRoot"),
        block_hashes=hashes,
    )


def encode_json_transaction(transaction: Mapping[str, Any], chain_id: int) -> bytes:
    """The signed encoding of a transaction given as JSON: signed (``v``/``yParity``, ``r``, ``s``) or to be
    signed here (``secretKey``). Types 0 (legacy; EIP-155 with ``chainId`` or ``v`` >= 35), 1 and 2."""

    def field(name: str, *aliases: str, default: Any = None) -> Any:
        for key in (name, *aliases):
            if key in transaction:
                return transaction[key]
        if default is None:
            raise T8nInputError(f"transaction: missing {name}")
        return default

    tx_type = parse_quantity(field("type", default="0x0"), "type")
    to_field = transaction.get("to")
    to = EthAddress(b"" if to_field in (None, "", "0x") else parse_address(to_field, "to"))
    common: dict[str, Any] = {
        "nonce": parse_quantity(field("nonce"), "nonce"),
        "gas": parse_quantity(field("gas", "gasLimit"), "gas"),
        "to": to,
        "value": parse_quantity(field("value", default="0x0"), "value"),
        "data": parse_data(field("input", "data", default="0x"), "input"),
    }
    access_list = tuple(
        (
            EthAddress(parse_address(entry["address"], "accessList address")),
            tuple(parse_quantity(key, "accessList storage key") for key in entry.get("storageKeys", ())),
        )
        for entry in transaction.get("accessList", ())
    )
    tx_chain_id = parse_quantity(transaction.get("chainId", chain_id), "chainId")
    builder = CancunTransactionBuilder
    secret = transaction.get("secretKey")
    if tx_type == 0:
        gas_price = parse_quantity(field("gasPrice"), "gasPrice")
        if secret is not None:
            unsigned = builder.create_unsigned_transaction(gas_price=gas_price, **common)
            key = PrivateKey(parse_data(secret, "secretKey"))
            protected = transaction.get("protected", True)
            signed: Any = unsigned.as_signed_transaction(key, chain_id=tx_chain_id if protected else None)  # type: ignore[arg-type]
            return bytes(signed.encode())
        v, r, s = (parse_quantity(field(name), name) for name in ("v", "r", "s"))
        return bytes(builder.new_transaction(gas_price=gas_price, v=v, r=r, s=s, **common).encode())
    if tx_type in (1, 2):
        fees: dict[str, int] = (
            {"gas_price": parse_quantity(field("gasPrice"), "gasPrice")}
            if tx_type == 1
            else {
                "max_priority_fee_per_gas": parse_quantity(field("maxPriorityFeePerGas"), "maxPriorityFeePerGas"),
                "max_fee_per_gas": parse_quantity(field("maxFeePerGas"), "maxFeePerGas"),
            }
        )
        typed = {"chain_id": tx_chain_id, **fees, **common, "access_list": access_list}
        if secret is not None:
            key = PrivateKey(parse_data(secret, "secretKey"))
            make = builder.new_unsigned_access_list_transaction if tx_type == 1 else builder.new_unsigned_dynamic_fee_transaction
            return bytes(make(**typed).as_signed_transaction(key).encode())
        y_parity, r, s = (parse_quantity(field(name, *aliases), name) for name, *aliases in (("yParity", "v"), ("r",), ("s",)))
        make_signed = builder.new_access_list_transaction if tx_type == 1 else builder.new_dynamic_fee_transaction
        return bytes(make_signed(**typed, y_parity=y_parity, r=r, s=s).encode())
    raise T8nInputError(f"transaction type {tx_type}: t8n reads types 0, 1 and 2 as JSON (an L2 carries no blobs)")


def parse_txs(txs: Any, chain_id: int) -> list[bytes]:
    """Signed transactions from a JSON list of transaction objects, or from a hex string of their RLP list."""
    if isinstance(txs, str):
        try:
            items = rlp.decode(parse_data(txs, "txs"))
        except rlp.exceptions.DecodingError as error:
            raise T8nInputError(f"txs: not an RLP list: {error}") from None
        if not isinstance(items, list):
            raise T8nInputError("txs: not an RLP list")
        # In the list, a legacy transaction is itself a list; a typed one is a byte string (EIP-2718).
        return [rlp.encode(item) if isinstance(item, list) else bytes(item) for item in items]
    if not isinstance(txs, list):
        raise T8nInputError("txs: expected a list of transactions or a hex string of their RLP list")
    return [encode_json_transaction(transaction, chain_id) for transaction in txs]


# --- The transition -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    """What a transition made: the result document and, on request (it reads every account), the post-state."""

    result: dict[str, Any]
    world: Any
    known: Mapping[bytes, Sequence[int]]  # the accounts and slots of the pre-state, which name the trie's keys
    included: Sequence[bytes]  # the transactions applied, in order (the rejected ones left out)

    @property
    def body(self) -> str:
        """The included transactions as geth's ``--output.body`` writes them: the hex of their RLP list."""
        return "0x" + bytes(rlp.encode(list(self.included))).hex()

    def post_alloc(self) -> dict[str, Any]:
        return _post_alloc(dump_world(self.world, self.known))


def _hex(number: int) -> str:
    return hex(number)


def _data(value: bytes) -> str:
    return "0x" + bytes(value).hex()


def get_pre_state(
    spec: ModuleType, chain_id: int, alloc: Mapping[bytes, GenesisAccount], charter: Any, env: Environment
) -> Any:
    """The state before block ``env.number``: ``alloc`` after block ``env.number - 1``, with the hash history of
    ``env.block_hashes`` (newest first, zero for a block it does not name, at most HISTORY_LENGTH).

    ``alloc`` is the whole world, not a genesis: the system contracts are in it only if it puts them there (the
    beacon-roots contract, say, as Ethereum's Cancun tests do), and it may hold any code."""
    try:
        spec.validate_charter(charter)
    except spec.SpecError as error:
        raise T8nInputError(f"charter: {type(error).__name__}: {error}") from None
    supply = spec.Wei(sum(account.balance for account in alloc.values()))
    world = genesis_world(alloc)
    record_writes(world)
    depth = min(env.number, int(spec.HISTORY_LENGTH))
    history = tuple(spec.Hash32(env.block_hashes.get(env.number - 1 - back, bytes(32))) for back in range(depth))
    parent_base_fee = env.parent_base_fee if env.parent_base_fee is not None else (env.base_fee or 0)
    return spec.L2State(
        chain_id=spec.ChainId(chain_id),
        world=world,
        charter=charter,
        coinbase_supply=supply,
        latest_block_number=spec.BlockNumber(env.number - 1),
        latest_timestamp=spec.Timestamp(env.parent_timestamp),
        latest_base_fee_per_gas=spec.Wei(parent_base_fee),
        latest_gas_used=spec.uint64(env.parent_gas_used if env.parent_gas_used is not None else spec.get_gas_target()),
        recent_block_hashes=history,
    )


def get_block(spec: ModuleType, state: Any, env: Environment, transactions: Sequence[bytes]) -> Any:
    if env.base_fee is not None:
        base_fee = env.base_fee
    elif env.parent_base_fee is not None and env.parent_gas_used is not None:
        base_fee = spec.compute_next_base_fee(state.latest_base_fee_per_gas, state.latest_gas_used)
    else:
        raise T8nInputError("env: give currentBaseFee, or parentBaseFee and parentGasUsed")
    return spec.L2Block(
        number=spec.BlockNumber(env.number),
        timestamp=spec.Timestamp(env.timestamp),
        producer=spec.Address(env.coinbase),
        gas_limit=spec.uint64(env.gas_limit),
        base_fee_per_gas=spec.Wei(base_fee),
        prev_randao=spec.Hash32(env.prev_randao),
        parent_beacon_block_root=spec.Hash32(env.parent_beacon_block_root or bytes(32)),
        deposits=(),
        transactions=tuple(transactions),
    )


def transition(
    spec: ModuleType,
    alloc: Mapping[str, Any],
    env: Mapping[str, Any],
    txs: Any,
    chain_id: int = 1,
    charter: Mapping[str, Any] | None = None,
    state_test: bool = False,
) -> Transition:
    """Apply ``txs`` to ``alloc`` in the block ``env`` describes, with the spec's rules; see the module docstring."""
    environment = parse_env(env)
    raws = parse_txs(txs, chain_id)
    if state_test and len(raws) != 1:
        raise T8nInputError(f"a state test applies exactly one transaction, got {len(raws)}")
    accounts = parse_alloc(alloc)
    chosen = decode_charter(spec, dict(charter)) if charter is not None else spec.Charter("", "", (), (), spec.Address())
    parent = get_pre_state(spec, chain_id, accounts, chosen, environment)
    block = get_block(spec, parent, environment, raws)
    state = parent
    if environment.parent_beacon_block_root is not None and not state_test:
        state = spec.apply_beacon_block_root(state, block)
    receipts: tuple[Any, ...] = ()
    included: list[bytes] = []
    rejected: list[dict[str, Any]] = []
    for index, raw in enumerate(raws):
        try:
            state, receipt = spec.apply_transaction(state, block, raw, block.gas_limit - spec.get_block_gas_used(receipts))
        except spec.SpecError as error:
            rejected.append({"index": index, "error": f"{type(error).__name__}: {error}"})
            continue
        receipts = spec.append_receipt(receipts, receipt)
        included.append(raw)
    known = {address: [slot for slot, _ in account.storage] for address, account in accounts.items()}
    result = _result(state, block, receipts, included, rejected)
    if not state_test:  # the MVM's own commitments; a state test checks the state root and the logs only
        built = spec.replace(block, transactions=tuple(included))
        after = spec.finish_block(parent, state, built, receipts)
        result |= {
            "mvmBlockHash": _data(after.recent_block_hashes[0]),
            "mvmOutputRoot": _data(spec.get_state_output_root(after)),
            "mvmCharterRoot": _data(spec.compute_charter_root(after.charter)),
            "mvmCoinbaseSupply": _hex(after.coinbase_supply),
        }
    return Transition(result, state.world, known, tuple(included))


# --- Ethereum's commitments, which an L2 block does not carry but Ethereum's tools read ---------------------------


def compute_logs_bloom(logs: Sequence[Any]) -> bytes:
    """The Yellow Paper's 2,048-bit bloom filter of the logs' addresses and topics (3 bits of keccak256 each)."""
    bloom = 0
    for log in logs:
        for item in (bytes(log.address), *(bytes(topic) for topic in log.topics)):
            digest = keccak(item)
            for offset in (0, 2, 4):
                bloom |= 1 << ((digest[offset] << 8 | digest[offset + 1]) & 2047)
    return bloom.to_bytes(256, "big")


def _encode_logs(logs: Sequence[Any]) -> list[Any]:
    return [[bytes(log.address), [bytes(topic) for topic in log.topics], bytes(log.data)] for log in logs]


def encode_ethereum_receipt(raw: bytes, receipt: Any) -> bytes:
    """The receipt as Ethereum's receipts trie holds it (EIP-2718: a typed transaction's type byte first)."""
    fields = [receipt.status, receipt.cumulative_gas_used, compute_logs_bloom(receipt.logs), _encode_logs(receipt.logs)]
    encoded = bytes(rlp.encode(fields))
    return bytes([raw[0]]) + encoded if raw[0] < 0x80 else encoded


def compute_ordered_trie_root(values: Sequence[bytes]) -> bytes:
    """The root of Ethereum's trie of ``values`` by the RLP of their index: its transactions and receipts roots."""
    trie = LazyTrie({})
    for index, value in enumerate(values):
        trie[rlp.encode(index)] = value
    return trie.root_hash


def _result(
    state: Any, block: Any, receipts: Sequence[Any], included: Sequence[bytes], rejected: list[dict[str, Any]]
) -> dict[str, Any]:
    receipt_objects = []
    all_logs = []
    previous = 0
    for index, (raw, receipt) in enumerate(zip(included, receipts)):
        logs = [
            {"address": _data(log.address), "topics": [_data(topic) for topic in log.topics], "data": _data(log.data)}
            for log in receipt.logs
        ]
        all_logs.extend(receipt.logs)
        receipt_objects.append(
            {
                "type": _hex(raw[0] if raw[0] < 0x80 else 0),
                "transactionHash": _data(keccak(raw)),
                "transactionIndex": _hex(index),
                "status": _hex(receipt.status),
                "cumulativeGasUsed": _hex(receipt.cumulative_gas_used),
                "gasUsed": _hex(receipt.cumulative_gas_used - previous),
                "logsBloom": _data(compute_logs_bloom(receipt.logs)),
                "logs": logs,
                "mvmTax": _hex(receipt.tax),
            }
        )
        previous = receipt.cumulative_gas_used
    return {
        "stateRoot": _data(state.world.state_root),
        "txRoot": _data(compute_ordered_trie_root(included)),
        "receiptsRoot": _data(compute_ordered_trie_root([encode_ethereum_receipt(*pair) for pair in zip(included, receipts)])),
        "logsHash": _data(keccak(rlp.encode(_encode_logs(all_logs)))),
        "logsBloom": _data(compute_logs_bloom(all_logs)),
        "receipts": receipt_objects,
        "rejected": rejected,
        "gasUsed": _hex(previous),
        "currentBaseFee": _hex(block.base_fee_per_gas),
        "currentExcessBlobGas": "0x0",
        "blobGasUsed": "0x0",
    }


def _post_alloc(accounts: Mapping[bytes, DumpedAccount]) -> dict[str, Any]:
    dumped: dict[str, Any] = {}
    for address, account in sorted(accounts.items()):
        entry: dict[str, Any] = {"balance": _hex(account.balance), "nonce": _hex(account.nonce)}
        if account.code:
            entry["code"] = _data(account.code)
        if account.storage:
            entry["storage"] = {_data(slot.to_bytes(32, "big")): _data(value.to_bytes(32, "big")) for slot, value in account.storage}
        dumped[_data(address)] = entry
    return dumped


def dumps(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=False) + "\n"
