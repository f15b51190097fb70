"""Vector cases for batch commitment on the L1 hub (spec/v1/hub.md): header hashes, appends, finality, deletion.

Every expected value is worked out in the test, not by the spec: header hashes are keccak256 of the
`Lib_OVMCodec.hashBatchHeader` encoding (laid out word by word, or with `eth_abi.encode`); transaction-batch
calldata, block leaves and both kinds of `extraData` are laid out word by word from their documented ABI types;
batch roots are written out with explicit keccak256 calls for their tree shape and the published `Lib_MerkleTree`
default nodes; block numbers and forced-block counts are worked out from the rule of hub.md in the docstrings; and
each expected post-state is the hub built by hand, record by record, with the blocks and headers the case adds or
removes.

The hubs are small and built by hand too: L1 blocks from 1000 (time T0, then 12 seconds apart unless a case says
otherwise), the rangers' DAC (chain id 1000000000001088) created in L1 block 1000, and "acme" (chain id 1000000000001089) created in L1
block 1001. `test_first_transaction_batch` checks that this hand-built hub is what the spec's own registry and clock
operations (`get_genesis_hub`, `advance_l1_block`, `create_dac`), which no case here is about, build.

acme's history, used as pre-state (each stage is the expected post-state of a case below):

    L1 1003  transaction batch 0 (by SEQUENCER): blocks 1-3, L1 origins 1001, 1002, 1002
    L1 1004  transaction batch 1 (by SEQUENCER): blocks 4-6, L1 origins 1003, 1003, 1003
    L1 1004  state batch 0 (by SEQUENCER): output roots R0 R1 R2 of blocks 1-3
    L1 1005  state batch 1 (by SEQUENCER): R3 R4, blocks 4-5
    L1 1006  state batch 2 (by OTHER, who served acme then): R5, block 6
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Callable, Iterator, Sequence

from eth_abi.abi import encode as abi_encode
from eth_hash.auto import keccak

from mvm_spec.vectors import expect_spec_error, vector_case
from mvm_spec.vectors.case import Part
from mvm_spec.vectors.codec import encode_batch_header, encode_bytes, encode_hashes, encode_hub, encode_uint

RANGERS, ACME = 1000000000001088, 1000000000001089  # FIRST_CHAIN_ID (Metis Andromeda's chain id), then the next DAC
N0 = 1000  # the hub's first L1 block
T0 = 1_700_000_000  # its time (2023-11-14)
SEQUENCER = bytes.fromhex("5e9e5e9e5e9e5e9e5e9e5e9e5e9e5e9e5e9e5e9e")
OTHER = bytes.fromhex("0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f")
INTRUDER = bytes.fromhex("badbadbadbadbadbadbadbadbadbadbadbadbad0")
MANAGER = bytes.fromhex("4200000000000000000000000000000000000042")
ACME_MANAGER = bytes.fromhex("acacacacacacacacacacacacacacacacacacacac")
ALLOCATED = bytes.fromhex("a110c0000000000000000000000000000000a110")
ACME_SUPPLY = 5 * 10**18  # acme's allocation: 5 MT to ALLOCATED
ACME_BASE_FEE = 7 * 10**9
UINT64_MAX = 2**64 - 1

# Lib_MerkleTree's published default nodes for depths 0 and 1.
DEFAULT_0 = bytes.fromhex("290decd9548b62a8d60345a988386fc84ba6bc95484008f6362f93160ef3e563")
DEFAULT_1 = bytes.fromhex("633dc4d7da7256660a892f8f1604a44b5432649cc8ec5cb3ced4c4e6ac94dd1d")

# Output roots R[k] and Q[k]: arbitrary distinct hashes. Signed transactions: arbitrary bytes (the hub never
# decodes them; derivation does).
R = [bytes(keccak(f"output-root-{index}".encode())) for index in range(10)]
Q = [bytes(keccak(f"other-output-root-{index}".encode())) for index in range(8)]
RAW = [bytes.fromhex("02f86c8204418001"), bytes.fromhex("f86b80843b9aca00"), bytes(range(40)), b"\x01" * 33]


# --- ABI layouts, by hand ---------------------------------------------------------------------------------------


def h(left: bytes, right: bytes) -> bytes:
    return bytes(keccak(left + right))


def word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def padded(data: bytes) -> bytes:
    return data + bytes(-len(data) % 32)


def bytes_tail(data: bytes) -> bytes:
    """The tail of one `bytes`: its length, then the bytes right-padded to a whole word."""
    return word(len(data)) + padded(data)


def bytes_array_tail(items: Sequence[bytes]) -> bytes:
    """The tail of a `bytes[]`: its length, one offset per item (counted from the first offset word), the items."""
    heads, tails, offset = b"", b"", 32 * len(items)
    for item in items:
        heads += word(offset)
        tails += bytes_tail(item)
        offset += len(bytes_tail(item))
    return word(len(items)) + heads + tails


Entry = tuple[int, int, Sequence[bytes]]  # one element of a transaction batch: (L1 origin, timestamp, transactions)


def entry_encoding(origin: int, timestamp: int, transactions: Sequence[bytes]) -> bytes:
    """A `(uint256,uint256,bytes[])`: two words, the offset 0x60 of the array (3 head words), the array."""
    return word(origin) + word(timestamp) + word(0x60) + bytes_array_tail(transactions)


def batch_calldata(entries: Sequence[Entry]) -> bytes:
    """abi.encode((uint256,uint256,bytes[])[] blocks): the offset 0x20 of the array, its length, one offset per
    element (counted from the first offset word), the elements."""
    heads, tails, offset = b"", b"", 32 * len(entries)
    for entry in entries:
        encoded = entry_encoding(*entry)
        heads += word(offset)
        tails += encoded
        offset += len(encoded)
    return word(0x20) + word(len(entries)) + heads + tails


def block_leaf(chain_id: int, number: int, origin: int, timestamp: int, transactions: Sequence[bytes]) -> bytes:
    """keccak256(abi.encode(uint256 chainId, uint256 number, uint256 l1Origin, uint256 timestamp, bytes[] txs)):
    four words, the offset 0xa0 of the array (5 head words), the array."""
    encoding = word(chain_id) + word(number) + word(origin) + word(timestamp) + word(0xA0)
    return bytes(keccak(encoding + bytes_array_tail(transactions)))


def transaction_extra(chain_id: int, l1_block_number: int, timestamp: int, sequencer: bytes) -> bytes:
    """abi.encode(uint256 chainId, uint256 l1BlockNumber, uint256 timestamp, address sequencer): four static words."""
    return word(chain_id) + word(l1_block_number) + word(timestamp) + bytes(12) + sequencer


def state_extra(chain_id: int, l1_block_number: int, timestamp: int, proposer: bytes, last_block_number: int) -> bytes:
    """abi.encode(uint256 chainId, uint256 l1BlockNumber, uint256 timestamp, address proposer,
    uint256 lastBlockNumber): five static words."""
    return word(chain_id) + word(l1_block_number) + word(timestamp) + bytes(12) + proposer + word(last_block_number)


# --- Hubs, by hand ----------------------------------------------------------------------------------------------


def l1_time(number: int) -> int:
    """The time of L1 block `number` on the hubs of this file, unless a case sets the current block's time."""
    return T0 + 12 * (number - N0)


def l1_block(spec: ModuleType, number: int, timestamp: int | None = None) -> Any:
    return spec.L1Block(
        spec.L1BlockNumber(number),
        spec.Timestamp(l1_time(number) if timestamp is None else timestamp),
        spec.Hash32(keccak(f"randao-{number}".encode())),
        spec.Hash32(keccak(f"beacon-{number}".encode())),
    )


def rangers_charter(spec: ModuleType) -> Any:
    return spec.Charter("Run the rangers' DAC", "", (), (), spec.Address(MANAGER))


def acme_charter(spec: ModuleType) -> Any:
    rule = spec.PermissionRule((), spec.PermissionOperation(0), spec.Action(0x100))
    return spec.Charter("acme", "", (rule,), (), spec.Address(ACME_MANAGER))


def acme_alloc(spec: ModuleType) -> tuple[Any, ...]:
    return ((spec.Address(ALLOCATED), spec.GenesisAccount(balance=ACME_SUPPLY)),)


def header(spec: ModuleType, index: int, root: bytes, size: int, prev: int, extra: bytes) -> Any:
    return spec.ChainBatchHeader(spec.uint256(index), spec.Hash32(root), spec.uint256(size), spec.uint256(prev), extra)


def sequenced(spec: ModuleType, number: int, origin: int, timestamp: int, transactions: Sequence[bytes]) -> Any:
    return spec.SequencedBlock(
        spec.BlockNumber(number), spec.L1BlockNumber(origin), spec.Timestamp(timestamp), tuple(transactions)
    )


def rangers_record(spec: ModuleType, blocks: Sequence[Any] = (), transaction_batches: Sequence[Any] = ()) -> Any:
    """The rangers' DAC: created in L1 block 1000 with no allocation and the initial base fee, 1 gwei."""
    genesis = spec.DacGenesis(spec.L1BlockNumber(N0), spec.Timestamp(T0), rangers_charter(spec), (), spec.Wei(10**9))
    return spec.DacRecord(
        chain_id=spec.ChainId(RANGERS),
        label="rangers",
        genesis=genesis,
        coinbase_supply=spec.Wei(0),
        pending_deposits=(),
        tickets_issued=spec.uint64(0),
        deposits=(),
        blocks=tuple(blocks),
        transaction_batches=spec.BatchChain(tuple(transaction_batches)),
        state_batches=spec.BatchChain(()),
        proven_withdrawals=(),
        finalized_withdrawals=(),
        challenges=(),
        validations=(),
    )


def acme_record(
    spec: ModuleType,
    blocks: Sequence[Any] = (),
    transaction_batches: Sequence[Any] = (),
    state_batches: Sequence[Any] = (),
) -> Any:
    """acme: created in L1 block 1001 (time T0 + 12), its 5 MT allocation locked as its supply."""
    genesis = spec.DacGenesis(
        spec.L1BlockNumber(N0 + 1),
        spec.Timestamp(T0 + 12),
        acme_charter(spec),
        acme_alloc(spec),
        spec.Wei(ACME_BASE_FEE),
    )
    return spec.DacRecord(
        chain_id=spec.ChainId(ACME),
        label="acme",
        genesis=genesis,
        coinbase_supply=spec.Wei(ACME_SUPPLY),
        pending_deposits=(),
        tickets_issued=spec.uint64(0),
        deposits=(),
        blocks=tuple(blocks),
        transaction_batches=spec.BatchChain(tuple(transaction_batches)),
        state_batches=spec.BatchChain(tuple(state_batches)),
        proven_withdrawals=(),
        finalized_withdrawals=(),
        challenges=(),
        validations=(),
    )


def hub_of(
    spec: ModuleType, current: int, acme: Any = None, rangers: Any = None, current_time: int | None = None
) -> Any:
    """L1 blocks 1000 to `current` (the current block at `current_time` if given), the rangers' DAC and acme, both
    served by SEQUENCER (`served_by`)."""
    blocks = [l1_block(spec, number) for number in range(N0, current)] + [l1_block(spec, current, current_time)]
    dacs = (rangers_record(spec) if rangers is None else rangers, acme_record(spec) if acme is None else acme)
    hub = spec.Hub(
        l1_blocks=tuple(blocks),
        dacs=dacs,
        sequencers=(),
        compute_providers=(),
        sequencing_snapshots=(),
        rangers=(),
        ranger_reward_pool=spec.Wei(0),
        default_taxrates=(),
    )
    return served_by(spec, hub, SEQUENCER)


def served_by(spec: ModuleType, hub: Any, address: bytes) -> Any:
    """`hub` whose only sequencer is `address`, staking 2B (B = MIN_SEQUENCER_BOND), with the snapshots of the
    current epoch and the next taken of that pool: every DAC here has threshold B (acme's 5 MT supply is far below
    10 B), so `address` is the whole succession of both DACs, whatever the randomness, and serves them throughout.
    Who may append is the sequencing chapter's rule, checked by its own cases; here it only has to be someone known."""
    sequencer = spec.Sequencer(spec.Address(address), spec.Wei(2 * spec.MIN_SEQUENCER_BOND), None)
    supplies = tuple((dac.chain_id, dac.coinbase_supply) for dac in hub.dacs)
    epoch = int(spec.compute_l1_epoch(spec.get_current_l1_block(hub).number))
    snapshots = tuple(
        spec.SequencingSnapshot(spec.Epoch(drawn), spec.Hash32(keccak(b"snapshot")), (sequencer,), supplies)
        for drawn in (epoch, epoch + 1)
    )
    return spec.replace(hub, sequencers=(sequencer,), sequencing_snapshots=snapshots)


# acme's sequenced blocks: number -> (L1 origin, proposed time, transactions).
BLOCKS: dict[int, Entry] = {
    1: (1001, T0 + 14, (RAW[0], RAW[1])),
    2: (1002, T0 + 26, ()),  # an empty block is an element too
    3: (1002, T0 + 28, (RAW[2],)),
    4: (1003, T0 + 38, (RAW[3],)),
    5: (1003, T0 + 40, ()),
    6: (1003, T0 + 42, (RAW[0],)),  # block 1's first transaction again: the hub does not judge transactions
}


def acme_blocks(spec: ModuleType, last: int) -> tuple[Any, ...]:
    return tuple(sequenced(spec, number, *BLOCKS[number]) for number in range(1, last + 1))


def acme_leaf(number: int) -> bytes:
    return block_leaf(ACME, number, *BLOCKS[number])


def transaction_batch_0(spec: ModuleType) -> Any:
    """Blocks 1-3 of acme, appended in L1 block 1003 by SEQUENCER: root H(H(L1,L2), H(L3,d0))."""
    root = h(h(acme_leaf(1), acme_leaf(2)), h(acme_leaf(3), DEFAULT_0))
    return header(spec, 0, root, 3, 0, transaction_extra(ACME, 1003, l1_time(1003), SEQUENCER))


def transaction_batch_1(spec: ModuleType) -> Any:
    """Blocks 4-6 of acme, appended in L1 block 1004 by SEQUENCER: root H(H(L4,L5), H(L6,d0))."""
    root = h(h(acme_leaf(4), acme_leaf(5)), h(acme_leaf(6), DEFAULT_0))
    return header(spec, 1, root, 3, 3, transaction_extra(ACME, 1004, l1_time(1004), SEQUENCER))


def state_batch_0(spec: ModuleType) -> Any:
    """R0 R1 R2 (blocks 1-3), appended in L1 block 1004 by SEQUENCER: root H(H(R0,R1), H(R2,d0))."""
    root = h(h(R[0], R[1]), h(R[2], DEFAULT_0))
    return header(spec, 0, root, 3, 0, state_extra(ACME, 1004, l1_time(1004), SEQUENCER, 3))


def state_batch_1(spec: ModuleType) -> Any:
    """R3 R4 (blocks 4-5), appended in L1 block 1005 by SEQUENCER: root H(R3,R4)."""
    return header(spec, 1, h(R[3], R[4]), 2, 3, state_extra(ACME, 1005, l1_time(1005), SEQUENCER, 5))


def state_batch_2(spec: ModuleType) -> Any:
    """R5 (block 6), appended in L1 block 1006 by OTHER: a single leaf is the root."""
    return header(spec, 2, R[5], 1, 5, state_extra(ACME, 1006, l1_time(1006), OTHER, 6))


def first_state_batches(spec: ModuleType, count: int) -> list[Any]:
    return [state_batch_0(spec), state_batch_1(spec), state_batch_2(spec)][:count]


def sequenced_acme(spec: ModuleType, state_count: int = 0) -> Any:
    """acme with both transaction batches (blocks 1-6) and its first `state_count` state batches."""
    transactions = [transaction_batch_0(spec), transaction_batch_1(spec)]
    return acme_record(spec, acme_blocks(spec, 6), transactions, first_state_batches(spec, state_count))


def history(spec: ModuleType, current: int, state_count: int = 0, current_time: int | None = None) -> Any:
    """The hub in L1 block `current` with acme's blocks 1-6 and its first `state_count` state batches."""
    return hub_of(spec, current, sequenced_acme(spec, state_count), current_time=current_time)


def preset_value(spec: ModuleType, name: str, values: dict[str, int]) -> int:
    """A preset value, checked against the table of both presets."""
    value = int(getattr(spec, name))
    assert value == values[spec.PRESET], f"{name} is {value} on {spec.PRESET}"
    return value


def fraud_proof_window(spec: ModuleType) -> int:
    return preset_value(spec, "FRAUD_PROOF_WINDOW", {"minimal": 3600, "mainnet": 604800})  # an hour; 7 days


def sequencing_window(spec: ModuleType) -> int:
    return preset_value(spec, "SEQUENCING_WINDOW", {"minimal": 4, "mainnet": 3600})  # L1 blocks; 12 hours


def max_batch_bytes(spec: ModuleType) -> int:
    return preset_value(spec, "MAX_TRANSACTION_BATCH_BYTES", {"minimal": 16384, "mainnet": 120000})  # fits a 128 KiB L1 transaction


def expect_post_or_error(spec: ModuleType, call: Callable[[], Any], expected: Any, error: str) -> Iterator[Part]:
    """The error ``error`` (checked to be the one raised), or the post-state after checking it equals ``expected``,
    the hub built by hand."""
    if error:
        yield from expect_spec_error(spec, error, call)
        return
    post = call()
    assert post == expected, "post-state differs from the one built by hand"
    yield "post", {"hub": encode_hub(post)}


# --- batch/header_hash -------------------------------------------------------------------------------------------


def expect_header_hash(spec: ModuleType, batch_header: Any, hand_computed: bytes) -> Iterator[Part]:
    yield "input", {"header": encode_batch_header(batch_header)}
    digest = spec.hash_batch_header(batch_header)
    assert digest == hand_computed, f"spec computed 0x{digest.hex()}, worked out by hand 0x{hand_computed.hex()}"
    yield "output", {"hash": encode_bytes(digest)}


@vector_case("batch", "header_hash")
def test_header_with_empty_extra_data(spec: ModuleType) -> Iterator[Part]:
    """keccak256(abi.encode(root, 7, 42, "")): root, size, prev, the offset 0x80 of the bytes, their zero length.

    The header's batch_index (5) is not part of the hash.
    """
    encoding = R[0] + word(7) + word(42) + word(0x80) + word(0)
    yield from expect_header_hash(spec, header(spec, 5, R[0], 7, 42, b""), bytes(keccak(encoding)))


@vector_case("batch", "header_hash")
def test_header_with_unaligned_extra_data(spec: ModuleType) -> Iterator[Part]:
    """33 bytes of extraData: the tail is its length then two words, the second right-padded with 31 zeros."""
    extra = bytes(range(1, 34))
    encoding = R[1] + word(1) + word(0) + word(0x80) + word(33) + extra[:32] + extra[32:] + bytes(31)
    yield from expect_header_hash(spec, header(spec, 0, R[1], 1, 0, extra), bytes(keccak(encoding)))


@vector_case("batch", "header_hash")
def test_state_batch_header(spec: ModuleType) -> Iterator[Part]:
    """acme's state batch 1, hashed with eth_abi.encode directly; its extraData is five words:
    chain id 1000000000001089, L1 block 1005, its time T0 + 60, SEQUENCER and last block 5."""
    extra = word(1000000000001089) + word(1005) + word(T0 + 60) + bytes(12) + SEQUENCER + word(5)
    encoding = abi_encode(["bytes32", "uint256", "uint256", "bytes"], [h(R[3], R[4]), 2, 3, extra])
    yield from expect_header_hash(spec, state_batch_1(spec), bytes(keccak(encoding)))


@vector_case("batch", "header_hash")
def test_transaction_batch_header(spec: ModuleType) -> Iterator[Part]:
    """acme's transaction batch 0, laid out word by word: root, size 3, prev 0, offset 0x80, then its extraData
    of 128 bytes (chain id 1000000000001089, L1 block 1003, its time T0 + 36, SEQUENCER), which needs no padding."""
    batch = transaction_batch_0(spec)
    extra = word(1000000000001089) + word(1003) + word(T0 + 36) + bytes(12) + SEQUENCER
    encoding = bytes(batch.batch_root) + word(3) + word(0) + word(0x80) + word(128) + extra
    yield from expect_header_hash(spec, batch, bytes(keccak(encoding)))


# --- batch/append_transaction_batch ------------------------------------------------------------------------------


def expect_transaction_append(
    spec: ModuleType,
    pre: Any,
    batch_data: bytes,
    start: int,
    expected: Any = None,
    error: str = "",
    chain_id: int = ACME,
    sequencer: bytes = SEQUENCER,
) -> Iterator[Part]:
    yield "pre", {"hub": encode_hub(pre)}
    yield "input", {
        "chain_id": encode_uint(chain_id),
        "batch_data": encode_bytes(batch_data),
        "should_start_at_element": encode_uint(start),
        "sequencer": encode_bytes(sequencer),
    }

    def call() -> Any:
        return spec.append_transaction_batch(
            pre, spec.ChainId(chain_id), batch_data, start, spec.Address(sequencer)
        )

    yield from expect_post_or_error(spec, call, expected, error)


def history_calldata(first: int, last: int) -> bytes:
    return batch_calldata([BLOCKS[number] for number in range(first, last + 1)])


def after_third_batch(spec: ModuleType, current: int, blocks: Sequence[Any], third: Any, state_count: int = 0) -> Any:
    """The history hub in L1 block `current`, with `blocks` added to acme by a third transaction batch `third`."""
    transactions = [transaction_batch_0(spec), transaction_batch_1(spec), third]
    acme = acme_record(spec, (*acme_blocks(spec, 6), *blocks), transactions, first_state_batches(spec, state_count))
    return hub_of(spec, current, acme)


@vector_case("batch", "append_transaction_batch")
def test_first_transaction_batch(spec: ModuleType) -> Iterator[Part]:
    """acme's first batch, in L1 block 1003: blocks 1-3, numbered by the hub after genesis (block 0).

    Block 1 has two transactions, block 2 none, block 3 one. Expected: acme holds the three blocks and one header:
    index 0, root H(H(L1,L2), H(L3,d0)) over leaves that each bind 1000000000001089, size 3, previous total 0, extraData
    (1000000000001089, 1003, T0 + 36, SEQUENCER). The pre-state, built by hand, is checked against the registry and clock
    operations of the spec (get_genesis_hub, advance_l1_block, create_dac), which this case is not about.
    """
    pre = hub_of(spec, 1003)
    built = spec.get_genesis_hub(rangers_charter(spec), l1_block(spec, N0))
    built = spec.advance_l1_block(built, l1_block(spec, 1001))
    built = spec.create_dac(built, "acme", acme_charter(spec), acme_alloc(spec), spec.Wei(ACME_BASE_FEE))
    built = spec.advance_l1_block(spec.advance_l1_block(built, l1_block(spec, 1002)), l1_block(spec, 1003))
    unsequenced = spec.replace(pre, sequencers=(), sequencing_snapshots=())
    assert unsequenced == built, "the hand-built pre-state is not what the spec's registry and clock operations build"
    expected = hub_of(spec, 1003, acme_record(spec, acme_blocks(spec, 3), [transaction_batch_0(spec)]))
    yield from expect_transaction_append(spec, pre, history_calldata(1, 3), 0, expected)


@vector_case("batch", "append_transaction_batch")
def test_second_transaction_batch(spec: ModuleType) -> Iterator[Part]:
    """In L1 block 1004 the next batch starts at element 3: blocks 4-6 (all with L1 origin 1003), header index 1,
    previous total 3, extraData (1000000000001089, 1004, T0 + 48, SEQUENCER). Block 6 repeats block 1's transaction: its leaf
    differs, as it binds the block number."""
    pre = hub_of(spec, 1004, acme_record(spec, acme_blocks(spec, 3), [transaction_batch_0(spec)]))
    expected = hub_of(spec, 1004, sequenced_acme(spec))
    yield from expect_transaction_append(spec, pre, history_calldata(4, 6), 3, expected)


@vector_case("batch", "append_transaction_batch")
def test_transaction_batch_on_rangers_chain(spec: ModuleType) -> Iterator[Part]:
    """Block 1 of the rangers' chain (1000000000001088), L1 origin 1000 (the rangers' genesis), appended in L1 block 1004
    (no more than SEQUENCING_WINDOW behind on either preset: 1004 - 4 - 1000 = 0 forced blocks on minimal).

    Its leaf binds 1000000000001088, so it differs from acme's block 1 leaf for the same contents; only the rangers' record
    changes; the single leaf is the root.
    """
    block = (1000, T0 + 2, (RAW[0], RAW[1]))
    leaf = block_leaf(RANGERS, 1, *block)
    assert leaf != block_leaf(ACME, 1, *block)
    added = header(spec, 0, leaf, 1, 0, transaction_extra(RANGERS, 1004, l1_time(1004), SEQUENCER))
    expected = hub_of(spec, 1004, rangers=rangers_record(spec, [sequenced(spec, 1, *block)], [added]))
    yield from expect_transaction_append(
        spec, hub_of(spec, 1004), batch_calldata([block]), 0, expected, chain_id=RANGERS
    )


@vector_case("batch", "append_transaction_batch")
def test_batch_of_empty_blocks(spec: ModuleType) -> Iterator[Part]:
    """Three blocks after the history, in L1 block 1006: two with no transactions and one whose only transaction
    is zero bytes long (the hub carries it; derivation drops it). Each is an element: blocks 7, 8, 9, a tree of
    three leaves H(H(L7,L8), H(L9,d0)); the zero-byte transaction makes L9 differ from an empty block's leaf."""
    entries: list[Entry] = [(1003, T0 + 44, ()), (1004, T0 + 50, ()), (1004, T0 + 51, (b"",))]
    leaves = [block_leaf(ACME, number, *entry) for number, entry in zip((7, 8, 9), entries)]
    assert leaves[2] != block_leaf(ACME, 9, 1004, T0 + 51, ())
    root = h(h(leaves[0], leaves[1]), h(leaves[2], DEFAULT_0))
    third = header(spec, 2, root, 3, 6, transaction_extra(ACME, 1006, l1_time(1006), SEQUENCER))
    blocks = [sequenced(spec, number, *entry) for number, entry in zip((7, 8, 9), entries)]
    expected = after_third_batch(spec, 1006, blocks, third)
    yield from expect_transaction_append(spec, history(spec, 1006), batch_calldata(entries), 6, expected)


@vector_case("batch", "append_transaction_batch")
def test_block_times_are_not_judged_by_the_hub(spec: ModuleType) -> Iterator[Part]:
    """Proposed times 0 and 2^64 - 1 fit in 64 bits, so the hub records them (derivation clamps them): blocks 7
    and 8, root H(L7, L8), appended in L1 block 1006 by OTHER, the sequencer serving acme then."""
    entries: list[Entry] = [(1003, 0, (RAW[1],)), (1004, UINT64_MAX, ())]
    root = h(block_leaf(ACME, 7, *entries[0]), block_leaf(ACME, 8, *entries[1]))
    third = header(spec, 2, root, 2, 6, transaction_extra(ACME, 1006, l1_time(1006), OTHER))
    blocks = [sequenced(spec, 7, *entries[0]), sequenced(spec, 8, *entries[1])]
    expected = served_by(spec, after_third_batch(spec, 1006, blocks, third), OTHER)
    pre = served_by(spec, history(spec, 1006), OTHER)
    yield from expect_transaction_append(spec, pre, batch_calldata(entries), 6, expected, sequencer=OTHER)


def batch_of_length(length: int) -> bytes:
    """Canonical calldata of `length` bytes (a multiple of 32): one block (origin 1004) with one transaction of
    `length` - 288 bytes. Nine words of structure (the array's offset and length, the element's offset, origin,
    time and array offset, the inner array's length, the item's offset and length), then the transaction, which
    needs no padding."""
    transaction = b"\xab" * (length - 9 * 32)
    data = batch_calldata([(1004, T0 + 50, (transaction,))])
    assert len(data) == length
    return data


@vector_case("batch", "append_transaction_batch")
def test_transaction_batch_at_size_limit(spec: ModuleType) -> Iterator[Part]:
    """Calldata of exactly MAX_TRANSACTION_BATCH_BYTES (16,384 on minimal, 131,072 on mainnet): 9 words of
    structure and a transaction of the remaining bytes. Accepted: block 7, whose leaf is the root."""
    limit = max_batch_bytes(spec)
    data = batch_of_length(limit)
    entry: Entry = (1004, T0 + 50, (b"\xab" * (limit - 288),))
    third = header(spec, 2, block_leaf(ACME, 7, *entry), 1, 6, transaction_extra(ACME, 1006, l1_time(1006), SEQUENCER))
    expected = after_third_batch(spec, 1006, [sequenced(spec, 7, *entry)], third)
    yield from expect_transaction_append(spec, history(spec, 1006), data, 6, expected)


@vector_case("batch", "append_transaction_batch")
def test_transaction_batch_a_word_over_size_limit(spec: ModuleType) -> Iterator[Part]:
    """Canonical calldata of MAX_TRANSACTION_BATCH_BYTES + 32 bytes (the transaction one word longer)."""
    data = batch_of_length(max_batch_bytes(spec) + 32)
    yield from expect_transaction_append(spec, history(spec, 1006), data, 6, error="TransactionBatchTooLarge")


@vector_case("batch", "append_transaction_batch", presets=("minimal",))
def test_too_large_checked_before_form(spec: ModuleType) -> Iterator[Part]:
    """The calldata at the limit with one zero byte appended: one byte too long, and no longer canonical (a
    trailing byte). The size is reported.
    (Minimal only: the order of the checks does not depend on the preset, and mainnet's calldata limit would make a
    quarter-megabyte vector.)
    """
    data = batch_of_length(max_batch_bytes(spec)) + b"\x00"
    yield from expect_transaction_append(spec, history(spec, 1006), data, 6, error="TransactionBatchTooLarge")


def expect_malformed(spec: ModuleType, data: bytes, start: int = 6) -> Iterator[Part]:
    yield from expect_transaction_append(spec, history(spec, 1006), data, start, error="MalformedTransactionBatch")


NEXT_TWO: list[Entry] = [(1003, T0 + 44, (RAW[1],)), (1004, T0 + 50, (b"\x01\x02",))]


@vector_case("batch", "append_transaction_batch")
def test_junk_calldata(spec: ModuleType) -> Iterator[Part]:
    """0xdeadbeef is not an ABI encoding of anything."""
    yield from expect_malformed(spec, bytes.fromhex("deadbeef"))


@vector_case("batch", "append_transaction_batch")
def test_no_calldata(spec: ModuleType) -> Iterator[Part]:
    """Zero bytes: not even an empty list (which would be 0x20 then 0)."""
    yield from expect_malformed(spec, b"")


@vector_case("batch", "append_transaction_batch")
def test_truncated_calldata(spec: ModuleType) -> Iterator[Part]:
    """Two blocks' calldata without its last word (the padding of the second block's transaction)."""
    yield from expect_malformed(spec, batch_calldata(NEXT_TWO)[:-32])


@vector_case("batch", "append_transaction_batch")
def test_calldata_one_byte_short(spec: ModuleType) -> Iterator[Part]:
    """Two blocks' calldata without its last byte."""
    yield from expect_malformed(spec, batch_calldata(NEXT_TWO)[:-1])


@vector_case("batch", "append_transaction_batch")
def test_calldata_with_trailing_word(spec: ModuleType) -> Iterator[Part]:
    """Two blocks' calldata and a zero word after it: a decoder that stops at the end of the data accepts it, the
    hub does not (one batch, one encoding)."""
    yield from expect_malformed(spec, batch_calldata(NEXT_TWO) + word(0))


@vector_case("batch", "append_transaction_batch")
def test_calldata_with_gap_before_array(spec: ModuleType) -> Iterator[Part]:
    """The same two blocks, with the array placed at offset 0x40 after a zero word instead of at 0x20: it decodes
    to the same blocks, but is not their canonical encoding."""
    canonical = batch_calldata(NEXT_TWO)
    yield from expect_malformed(spec, word(0x40) + word(0) + canonical[32:])


@vector_case("batch", "append_transaction_batch")
def test_calldata_with_dirty_padding(spec: ModuleType) -> Iterator[Part]:
    """The same two blocks, with the last byte of the padding after the 2-byte transaction 0x0102 set to 1."""
    canonical = bytearray(batch_calldata(NEXT_TWO))
    assert canonical[-32:] == b"\x01\x02" + bytes(30)
    canonical[-1] = 1
    yield from expect_malformed(spec, bytes(canonical))


@vector_case("batch", "append_transaction_batch")
def test_calldata_with_shared_element(spec: ModuleType) -> Iterator[Part]:
    """A list of two elements whose offsets both point at one encoded block: it decodes to two equal blocks,
    whose canonical encoding repeats the block."""
    data = word(0x20) + word(2) + word(0x40) + word(0x40) + entry_encoding(1003, T0 + 44, ())
    yield from expect_malformed(spec, data)


@vector_case("batch", "append_transaction_batch")
def test_l1_origin_above_64_bits(spec: ModuleType) -> Iterator[Part]:
    """A block whose L1 origin is 2^64: a canonical ABI encoding, but not of a block (origins are 64-bit)."""
    yield from expect_malformed(spec, batch_calldata([(2**64, T0 + 44, ())]))


@vector_case("batch", "append_transaction_batch")
def test_timestamp_above_64_bits(spec: ModuleType) -> Iterator[Part]:
    """A block whose proposed time is 2^64."""
    yield from expect_malformed(spec, batch_calldata([(1003, 2**64, ())]))


@vector_case("batch", "append_transaction_batch")
def test_l1_origin_of_64_bits_is_well_formed(spec: ModuleType) -> Iterator[Part]:
    """An L1 origin of 2^64 - 1 fits: the calldata is well formed, and the block is refused for building on an L1
    block that does not exist yet."""
    data = batch_calldata([(UINT64_MAX, T0 + 44, ())])
    yield from expect_transaction_append(spec, history(spec, 1006), data, 6, error="L1OriginInFuture")


@vector_case("batch", "append_transaction_batch")
def test_malformed_checked_before_start(spec: ModuleType) -> Iterator[Part]:
    """Junk calldata expecting a stale start (0, the chain holds 6 elements): the form is reported."""
    yield from expect_malformed(spec, bytes.fromhex("deadbeef"), start=0)


@vector_case("batch", "append_transaction_batch")
def test_empty_transaction_batch(spec: ModuleType) -> Iterator[Part]:
    """The canonical encoding of no blocks: 0x20, then the length 0."""
    data = word(0x20) + word(0)
    yield from expect_transaction_append(spec, history(spec, 1006), data, 6, error="EmptyBatch")


@vector_case("batch", "append_transaction_batch")
def test_empty_transaction_batch_checked_before_start(spec: ModuleType) -> Iterator[Part]:
    """No blocks, expecting a stale start: the emptiness is reported."""
    data = word(0x20) + word(0)
    yield from expect_transaction_append(spec, history(spec, 1006), data, 0, error="EmptyBatch")


@vector_case("batch", "append_transaction_batch")
def test_transaction_batch_replaying_start(spec: ModuleType) -> Iterator[Part]:
    """The chain holds 6 elements; a batch expecting to start at 3 (transaction batch 1 again) is stale."""
    pre = history(spec, 1006)
    yield from expect_transaction_append(spec, pre, history_calldata(4, 6), 3, error="UnexpectedStartElement")


@vector_case("batch", "append_transaction_batch")
def test_transaction_batch_leaving_gap(spec: ModuleType) -> Iterator[Part]:
    """The chain holds 6 elements; a batch expecting to start at 7 would leave a gap."""
    pre = history(spec, 1006)
    yield from expect_transaction_append(spec, pre, batch_calldata(NEXT_TWO), 7, error="UnexpectedStartElement")


@vector_case("batch", "append_transaction_batch")
def test_start_checked_before_origins(spec: ModuleType) -> Iterator[Part]:
    """A stale start and a block whose L1 origin is the current L1 block: the start is reported."""
    data = batch_calldata([(1006, T0 + 44, ())])
    yield from expect_transaction_append(spec, history(spec, 1006), data, 0, error="UnexpectedStartElement")


@vector_case("batch", "append_transaction_batch")
def test_l1_origin_is_current_block(spec: ModuleType) -> Iterator[Part]:
    """In L1 block 1006, blocks with origins 1004, 1005 and 1006 (contiguous): the third builds on the current L1
    block, whose data is still being written."""
    entries: list[Entry] = [(1004, T0 + 50, ()), (1005, T0 + 62, ()), (1006, T0 + 74, ())]
    yield from expect_transaction_append(
        spec, history(spec, 1006), batch_calldata(entries), 6, error="L1OriginInFuture"
    )


@vector_case("batch", "append_transaction_batch")
def test_origin_in_future_checked_before_contiguity(spec: ModuleType) -> Iterator[Part]:
    """In L1 block 1006, after block 6 (origin 1003), a block with origin 1006: a jump of 3, and the current L1
    block. The future origin is reported (each block's origin is checked for the future first)."""
    data = batch_calldata([(1006, T0 + 74, ())])
    yield from expect_transaction_append(spec, history(spec, 1006), data, 6, error="L1OriginInFuture")


@vector_case("batch", "append_transaction_batch")
def test_l1_origin_decreases_from_head(spec: ModuleType) -> Iterator[Part]:
    """Block 6 has origin 1003; the next block with origin 1002 goes back."""
    data = batch_calldata([(1002, T0 + 44, ())])
    yield from expect_transaction_append(spec, history(spec, 1006), data, 6, error="L1OriginNotContiguous")


@vector_case("batch", "append_transaction_batch")
def test_l1_origin_decreases_inside_batch(spec: ModuleType) -> Iterator[Part]:
    """Origins 1004 then 1003 within one batch."""
    entries: list[Entry] = [(1004, T0 + 50, ()), (1003, T0 + 51, ())]
    pre = history(spec, 1006)
    yield from expect_transaction_append(spec, pre, batch_calldata(entries), 6, error="L1OriginNotContiguous")


@vector_case("batch", "append_transaction_batch")
def test_l1_origin_jumps_by_two(spec: ModuleType) -> Iterator[Part]:
    """After block 6 (origin 1003), a block with origin 1005, an L1 block that exists (the current one is 1006)."""
    data = batch_calldata([(1005, T0 + 62, ())])
    yield from expect_transaction_append(spec, history(spec, 1006), data, 6, error="L1OriginNotContiguous")


@vector_case("batch", "append_transaction_batch")
def test_transaction_batch_unauthorised(spec: ModuleType) -> Iterator[Part]:
    """Appended by someone other than the serving sequencer."""
    pre = history(spec, 1006)
    yield from expect_transaction_append(
        spec, pre, batch_calldata(NEXT_TWO), 6, error="UnauthorizedSequencer", sequencer=INTRUDER
    )


@vector_case("batch", "append_transaction_batch")
def test_sender_checked_before_calldata(spec: ModuleType) -> Iterator[Part]:
    """Junk calldata from someone other than the serving sequencer: the sender is reported."""
    yield from expect_transaction_append(
        spec, history(spec, 1006), b"\xde\xad", 6, error="UnauthorizedSequencer", sequencer=INTRUDER
    )


@vector_case("batch", "append_transaction_batch", presets=("minimal",))
def test_sender_checked_before_size(spec: ModuleType) -> Iterator[Part]:
    """Calldata one word over the limit from someone other than the serving sequencer: the sender is reported.
    (Minimal only: the order of the checks does not depend on the preset, and mainnet's calldata limit would make a
    quarter-megabyte vector.)
    """
    data = batch_of_length(max_batch_bytes(spec) + 32)
    yield from expect_transaction_append(
        spec, history(spec, 1006), data, 6, error="UnauthorizedSequencer", sequencer=INTRUDER
    )


@vector_case("batch", "append_transaction_batch")
def test_transaction_batch_unknown_chain(spec: ModuleType) -> Iterator[Part]:
    """Chain id 1000000000001090 is not registered (and the sender is not the serving sequencer): the chain is reported."""
    yield from expect_transaction_append(
        spec,
        history(spec, 1006),
        batch_calldata(NEXT_TWO),
        0,
        error="UnknownChainId",
        chain_id=1000000000001090,
        sequencer=INTRUDER,
    )


@vector_case("batch", "append_transaction_batch", presets=("minimal",))
def test_batch_after_forced_blocks(spec: ModuleType) -> Iterator[Part]:
    """In L1 block 1010, acme's newest block (6) has L1 origin 1003, more than SEQUENCING_WINDOW (4) behind:
    derivation forces 1010 - 4 - 1003 = 3 empty blocks, 7, 8 and 9, with origins 1004, 1005 and 1006. So the
    head is block 9 at origin 1006, and a batch with origins 1006 and 1007 gets numbers 10 and 11. It still starts
    at element 6: forced blocks are not elements.

    Minimal only: on mainnet the window is 3,600 L1 blocks, and a hub that lags it holds as many L1 blocks.
    """
    assert sequencing_window(spec) == 4
    entries: list[Entry] = [(1006, T0 + 80, (RAW[2],)), (1007, T0 + 90, ())]
    root = h(block_leaf(ACME, 10, *entries[0]), block_leaf(ACME, 11, *entries[1]))
    third = header(spec, 2, root, 2, 6, transaction_extra(ACME, 1010, l1_time(1010), SEQUENCER))
    expected = after_third_batch(
        spec, 1010, [sequenced(spec, 10, *entries[0]), sequenced(spec, 11, *entries[1])], third
    )
    yield from expect_transaction_append(spec, history(spec, 1010), batch_calldata(entries), 6, expected)


@vector_case("batch", "append_transaction_batch", presets=("minimal",))
def test_first_batch_after_forced_blocks(spec: ModuleType) -> Iterator[Part]:
    """acme was never sequenced: in L1 block 1008, genesis (block 0, origin 1001) lags by more than 4, so
    1008 - 4 - 1001 = 3 blocks are forced (1, 2, 3 at origins 1002, 1003, 1004) and the batch's one block, with
    origin 1005, is block 4: element 0 of the chain, whose leaf binds number 4.

    Minimal only: on mainnet the window is 3,600 L1 blocks.
    """
    assert sequencing_window(spec) == 4
    entry: Entry = (1005, T0 + 62, (RAW[0],))
    added = header(spec, 0, block_leaf(ACME, 4, *entry), 1, 0, transaction_extra(ACME, 1008, l1_time(1008), SEQUENCER))
    expected = hub_of(spec, 1008, acme_record(spec, [sequenced(spec, 4, *entry)], [added]))
    yield from expect_transaction_append(spec, hub_of(spec, 1008), batch_calldata([entry]), 0, expected)


@vector_case("batch", "append_transaction_batch", presets=("minimal",))
def test_window_not_yet_lapsed(spec: ModuleType) -> Iterator[Part]:
    """In L1 block 1007 acme's newest block (origin 1003) is exactly SEQUENCING_WINDOW (4) behind: no block is
    forced (1007 - 4 - 1003 = 0), so the next block is 7 and may keep origin 1003.

    Minimal only: the same boundary on mainnet needs 3,600 L1 blocks of hub.
    """
    assert sequencing_window(spec) == 4
    entry: Entry = (1003, T0 + 44, ())
    third = header(spec, 2, block_leaf(ACME, 7, *entry), 1, 6, transaction_extra(ACME, 1007, l1_time(1007), SEQUENCER))
    expected = after_third_batch(spec, 1007, [sequenced(spec, 7, *entry)], third)
    yield from expect_transaction_append(spec, history(spec, 1007), batch_calldata([entry]), 6, expected)


@vector_case("batch", "append_transaction_batch", presets=("minimal",))
def test_origin_behind_forced_blocks(spec: ModuleType) -> Iterator[Part]:
    """In L1 block 1010 the head is forced block 9 at origin 1006 (see test_batch_after_forced_blocks); a block
    continuing from block 6's origin, 1003, goes back from the head's.

    Minimal only: on mainnet the window is 3,600 L1 blocks.
    """
    assert sequencing_window(spec) == 4
    data = batch_calldata([(1003, T0 + 44, ())])
    yield from expect_transaction_append(spec, history(spec, 1010), data, 6, error="L1OriginNotContiguous")


@vector_case("batch", "append_transaction_batch", presets=("minimal",))
def test_start_counts_elements_not_blocks(spec: ModuleType) -> Iterator[Part]:
    """After the 3 forced blocks of L1 block 1010 the head is block 9, but the chain holds 6 elements: a batch
    expecting to start at element 9 is refused.

    Minimal only: on mainnet the window is 3,600 L1 blocks.
    """
    assert sequencing_window(spec) == 4
    data = batch_calldata([(1006, T0 + 80, ())])
    yield from expect_transaction_append(spec, history(spec, 1010), data, 9, error="UnexpectedStartElement")


# --- batch/append_state_batch ------------------------------------------------------------------------------------


def expect_state_append(
    spec: ModuleType,
    pre: Any,
    roots: Sequence[bytes],
    start: int,
    expected: Any = None,
    error: str = "",
    chain_id: int = ACME,
    proposer: bytes = SEQUENCER,
) -> Iterator[Part]:
    yield "pre", {"hub": encode_hub(pre)}
    yield "input", {
        "chain_id": encode_uint(chain_id),
        "output_roots": encode_hashes(roots),
        "should_start_at_element": encode_uint(start),
        "proposer": encode_bytes(proposer),
    }
    hashes = [spec.Hash32(root) for root in roots]

    def call() -> Any:
        return spec.append_state_batch(
            pre, spec.ChainId(chain_id), hashes, start, spec.Address(proposer)
        )

    yield from expect_post_or_error(spec, call, expected, error)


@vector_case("batch", "append_state_batch")
def test_first_state_batch(spec: ModuleType) -> Iterator[Part]:
    """In L1 block 1004 acme has blocks 1-6; its first state batch commits blocks 1-3.

    Expected: one header, index 0, root H(H(R0,R1), H(R2,d0)), size 3, previous total 0, extraData binding chain
    1000000000001089, L1 block 1004 and its time T0 + 48, the proposer and last block 3 (element k is block k + 1).
    """
    expected = history(spec, 1004, state_count=1)
    yield from expect_state_append(spec, history(spec, 1004), R[:3], 0, expected)


@vector_case("batch", "append_state_batch")
def test_second_state_batch(spec: ModuleType) -> Iterator[Part]:
    """In L1 block 1005 the next batch starts at element 3 and covers blocks 4-5: header index 1, previous total
    3, size 2, root H(R3,R4), extraData (1000000000001089, 1005, T0 + 60, SEQUENCER, 5)."""
    yield from expect_state_append(spec, history(spec, 1005, 1), R[3:5], 3, history(spec, 1005, 2))


@vector_case("batch", "append_state_batch")
def test_state_batch_up_to_chain_head(spec: ModuleType) -> Iterator[Part]:
    """In L1 block 1006 the head is block 6 (no block forced on either preset: 1006 - 4 - 1003 < 0 on minimal);
    one root for block 6, proposed by OTHER, the sequencer serving acme then, reaches exactly the head.

    Expected: header index 2, root R5 (a single leaf), extraData (1000000000001089, 1006, T0 + 72, OTHER, 6).
    """
    yield from expect_state_append(
        spec,
        served_by(spec, history(spec, 1006, 2), OTHER),
        R[5:6],
        5,
        served_by(spec, history(spec, 1006, 3), OTHER),
        proposer=OTHER,
    )


@vector_case("batch", "append_state_batch")
def test_state_batch_one_past_chain_head(spec: ModuleType) -> Iterator[Part]:
    """Two roots after element 5 would commit blocks 6 and 7; the head is block 6."""
    pre = history(spec, 1006, 2)
    yield from expect_state_append(spec, pre, R[5:7], 5, error="OutputRootsBeyondChainHead")


@vector_case("batch", "append_state_batch")
def test_state_batch_on_unsequenced_chain(spec: ModuleType) -> Iterator[Part]:
    """acme has no blocks in L1 block 1003 (and none forced: 1003 - 4 - 1001 < 0 on minimal): the head is
    genesis, so even one output root (block 1's) is past it."""
    yield from expect_state_append(spec, hub_of(spec, 1003), R[:1], 0, error="OutputRootsBeyondChainHead")


@vector_case("batch", "append_state_batch")
def test_state_batch_from_wrong_proposer(spec: ModuleType) -> Iterator[Part]:
    """The proposer is not the sequencer serving acme."""
    pre = history(spec, 1004)
    yield from expect_state_append(spec, pre, R[:3], 0, error="UnauthorizedSequencer", proposer=INTRUDER)


@vector_case("batch", "append_state_batch")
def test_empty_state_batch(spec: ModuleType) -> Iterator[Part]:
    """No output roots."""
    yield from expect_state_append(spec, history(spec, 1004), [], 0, error="EmptyBatch")


@vector_case("batch", "append_state_batch")
def test_proposer_checked_before_emptiness(spec: ModuleType) -> Iterator[Part]:
    """An empty batch from the wrong proposer: the proposer is reported."""
    pre = history(spec, 1004)
    yield from expect_state_append(spec, pre, [], 0, error="UnauthorizedSequencer", proposer=INTRUDER)


@vector_case("batch", "append_state_batch")
def test_empty_state_batch_checked_before_start(spec: ModuleType) -> Iterator[Part]:
    """An empty batch expecting a stale start: the emptiness is reported."""
    yield from expect_state_append(spec, history(spec, 1005, 1), [], 0, error="EmptyBatch")


@vector_case("batch", "append_state_batch")
def test_state_batch_replaying_start(spec: ModuleType) -> Iterator[Part]:
    """The chain holds 3 elements; a batch expecting to start at 0 (a replay) is stale."""
    pre = history(spec, 1005, 1)
    yield from expect_state_append(spec, pre, R[:3], 0, error="UnexpectedStartElement")


@vector_case("batch", "append_state_batch")
def test_state_batch_leaving_gap(spec: ModuleType) -> Iterator[Part]:
    """The chain holds 3 elements; a batch expecting to start at 4 would leave a gap."""
    pre = history(spec, 1005, 1)
    yield from expect_state_append(spec, pre, R[3:5], 4, error="UnexpectedStartElement")


@vector_case("batch", "append_state_batch")
def test_start_checked_before_chain_head(spec: ModuleType) -> Iterator[Part]:
    """A stale start and roots past the head (blocks 4-7; the head is 6): the start is reported."""
    pre = history(spec, 1006, 1)
    yield from expect_state_append(spec, pre, R[3:7], 0, error="UnexpectedStartElement")


@vector_case("batch", "append_state_batch")
def test_state_batch_unknown_chain(spec: ModuleType) -> Iterator[Part]:
    """Chain id 1000000000001090: the hub has only 1000000000001088 and 1000000000001089 (the proposer is wrong too; the chain is reported)."""
    pre = history(spec, 1004)
    yield from expect_state_append(spec, pre, R[:3], 0, error="UnknownChainId", chain_id=1000000000001090, proposer=INTRUDER)


@vector_case("batch", "append_state_batch")
def test_state_batch_chain_below_first(spec: ModuleType) -> Iterator[Part]:
    """Chain id 1087, just below FIRST_CHAIN_ID: no DAC has it."""
    yield from expect_state_append(spec, history(spec, 1004), R[:3], 0, error="UnknownChainId", chain_id=1087)


@vector_case("batch", "append_state_batch", presets=("minimal",))
def test_state_batch_over_forced_blocks(spec: ModuleType) -> Iterator[Part]:
    """In L1 block 1010 derivation has forced blocks 7-9 after block 6 (1010 - 4 - 1003 = 3), so the head is 9:
    output roots for blocks 7, 8 and 9 may be committed, though no batch holds them. Header index 3, root
    H(H(R6,R7), H(R8,d0)), previous total 6, extraData (1000000000001089, 1010, T0 + 120, SEQUENCER, 9).

    Minimal only: on mainnet the window is 3,600 L1 blocks, and a hub that lags it holds as many L1 blocks.
    """
    assert sequencing_window(spec) == 4
    fourth = header(
        spec, 3, h(h(R[6], R[7]), h(R[8], DEFAULT_0)), 3, 6, state_extra(ACME, 1010, T0 + 120, SEQUENCER, 9)
    )
    acme = sequenced_acme(spec, 3)
    stored = [*first_state_batches(spec, 3), fourth]
    expected = hub_of(spec, 1010, acme_record(spec, acme.blocks, acme.transaction_batches.headers, stored))
    yield from expect_state_append(spec, history(spec, 1010, 3), R[6:9], 6, expected)


@vector_case("batch", "append_state_batch", presets=("minimal",))
def test_state_batch_past_forced_head(spec: ModuleType) -> Iterator[Part]:
    """In L1 block 1010 the head is forced block 9; four roots after element 6 would reach block 10.

    Minimal only: on mainnet the window is 3,600 L1 blocks.
    """
    assert sequencing_window(spec) == 4
    pre = history(spec, 1010, 3)
    yield from expect_state_append(spec, pre, R[6:10], 6, error="OutputRootsBeyondChainHead")


# --- batch/delete_state_batches ----------------------------------------------------------------------------------


def expect_delete(
    spec: ModuleType, pre: Any, batch_header: Any, expected: Any = None, error: str = "", chain_id: int = ACME
) -> Iterator[Part]:
    yield "pre", {"hub": encode_hub(pre)}
    yield "input", {"chain_id": encode_uint(chain_id), "header": encode_batch_header(batch_header)}

    def call() -> Any:
        return spec.delete_state_batches(pre, spec.ChainId(chain_id), batch_header)

    yield from expect_post_or_error(spec, call, expected, error)


def window_close(spec: ModuleType, appended_at: int) -> int:
    """The first time at which a state batch appended at `appended_at` is final."""
    return appended_at + fraud_proof_window(spec)


@vector_case("batch", "delete_state_batches")
def test_delete_middle_batch(spec: ModuleType) -> Iterator[Part]:
    """In L1 block 1007, deleting state batch 1 of 3 removes batches 1 and 2; batch 0, the blocks and the
    transaction batches stay."""
    yield from expect_delete(spec, history(spec, 1007, 3), state_batch_1(spec), history(spec, 1007, 1))


@vector_case("batch", "delete_state_batches")
def test_delete_first_batch(spec: ModuleType) -> Iterator[Part]:
    """Deleting state batch 0 empties acme's state chain."""
    yield from expect_delete(spec, history(spec, 1007, 3), state_batch_0(spec), history(spec, 1007, 0))


@vector_case("batch", "delete_state_batches")
def test_delete_last_batch(spec: ModuleType) -> Iterator[Part]:
    """Deleting state batch 2 (the last) keeps batches 0 and 1."""
    yield from expect_delete(spec, history(spec, 1007, 3), state_batch_2(spec), history(spec, 1007, 2))


@vector_case("batch", "delete_state_batches")
def test_delete_in_last_second_of_window(spec: ModuleType) -> Iterator[Part]:
    """State batch 1 was appended at T0 + 60; in an L1 block at T0 + 60 + FRAUD_PROOF_WINDOW - 1 it can still be
    deleted (and batch 2 with it)."""
    now = window_close(spec, T0 + 60) - 1
    pre, expected = history(spec, 1007, 3, now), history(spec, 1007, 1, now)
    yield from expect_delete(spec, pre, state_batch_1(spec), expected)


@vector_case("batch", "delete_state_batches")
def test_delete_when_window_closes(spec: ModuleType) -> Iterator[Part]:
    """At exactly T0 + 60 + FRAUD_PROOF_WINDOW state batch 1 is final."""
    pre = history(spec, 1007, 3, window_close(spec, T0 + 60))
    yield from expect_delete(spec, pre, state_batch_1(spec), error="OutsideFraudProofWindow")


@vector_case("batch", "delete_state_batches")
def test_delete_later_batch_after_earlier_is_final(spec: ModuleType) -> Iterator[Part]:
    """At T0 + 60 + FRAUD_PROOF_WINDOW batch 1 is final but batch 2 (appended at T0 + 72) is not: it can be
    deleted alone."""
    now = window_close(spec, T0 + 60)
    yield from expect_delete(spec, history(spec, 1007, 3, now), state_batch_2(spec), history(spec, 1007, 2, now))


@vector_case("batch", "delete_state_batches")
def test_delete_with_wrong_root(spec: ModuleType) -> Iterator[Part]:
    """Batch 1's header with another batch root is not the stored header."""
    forged = header(spec, 1, h(R[4], R[3]), 2, 3, state_extra(ACME, 1005, T0 + 60, SEQUENCER, 5))
    yield from expect_delete(spec, history(spec, 1007, 3), forged, error="UnknownBatchHeader")


@vector_case("batch", "delete_state_batches")
def test_delete_with_later_timestamp(spec: ModuleType) -> Iterator[Part]:
    """Once batch 1 is final, its header claiming a later append time (to reopen the window) is not the stored
    header."""
    now = window_close(spec, T0 + 60)
    forged = header(spec, 1, h(R[3], R[4]), 2, 3, state_extra(ACME, 1005, now, SEQUENCER, 5))
    yield from expect_delete(spec, history(spec, 1007, 3, now), forged, error="UnknownBatchHeader")


@vector_case("batch", "delete_state_batches")
def test_delete_with_wrong_index(spec: ModuleType) -> Iterator[Part]:
    """Batch 1's fields under batch index 2: the hash ignores the index, but the stored batch 2 differs."""
    forged = header(spec, 2, h(R[3], R[4]), 2, 3, state_extra(ACME, 1005, T0 + 60, SEQUENCER, 5))
    yield from expect_delete(spec, history(spec, 1007, 3), forged, error="UnknownBatchHeader")


@vector_case("batch", "delete_state_batches")
def test_delete_index_past_chain(spec: ModuleType) -> Iterator[Part]:
    """Batch 1's fields under batch index 3: acme stores 3 batches."""
    forged = header(spec, 3, h(R[3], R[4]), 2, 3, state_extra(ACME, 1005, T0 + 60, SEQUENCER, 5))
    yield from expect_delete(spec, history(spec, 1007, 3), forged, error="UnknownBatchHeader")


@vector_case("batch", "delete_state_batches")
def test_delete_on_other_chain(spec: ModuleType) -> Iterator[Part]:
    """Acme's batch 1 named on the rangers' chain (1000000000001088), which has no state batches."""
    pre = history(spec, 1007, 3)
    yield from expect_delete(spec, pre, state_batch_1(spec), error="UnknownBatchHeader", chain_id=RANGERS)


@vector_case("batch", "delete_state_batches")
def test_delete_unknown_chain(spec: ModuleType) -> Iterator[Part]:
    """Chain id 1000000000001090 is not registered."""
    yield from expect_delete(spec, history(spec, 1007, 3), state_batch_1(spec), error="UnknownChainId", chain_id=1000000000001090)


def replaced_history(spec: ModuleType, current: int, current_time: int | None = None) -> Any:
    """State batch 1 and 2 were deleted, and OTHER appended a replacement for blocks 4-6 in L1 block 1008 (time
    T0 + 96): index 1, root H(H(Q3,Q4), H(Q5,d0)), previous total 3."""
    root = h(h(Q[3], Q[4]), h(Q[5], DEFAULT_0))
    replacement = header(spec, 1, root, 3, 3, state_extra(ACME, 1008, T0 + 96, OTHER, 6))
    acme = sequenced_acme(spec)
    record = acme_record(spec, acme.blocks, acme.transaction_batches.headers, [state_batch_0(spec), replacement])
    return hub_of(spec, current, record, current_time=current_time)


@vector_case("batch", "delete_state_batches")
def test_delete_deleted_batch(spec: ModuleType) -> Iterator[Part]:
    """Batch 1 was deleted and replaced (the stored batch 1 has other roots): the old header is unknown."""
    yield from expect_delete(spec, replaced_history(spec, 1009), state_batch_1(spec), error="UnknownBatchHeader")


# --- finality/is_state_batch_final ----------------------------------------------------------------------------------


def expect_final(
    spec: ModuleType, pre: Any, batch_header: Any, final: bool = False, error: str = "", chain_id: int = ACME
) -> Iterator[Part]:
    yield "pre", {"hub": encode_hub(pre)}
    yield "input", {"chain_id": encode_uint(chain_id), "header": encode_batch_header(batch_header)}

    def call() -> Any:
        return spec.is_state_batch_final(pre, spec.ChainId(chain_id), batch_header)

    if error:
        yield from expect_spec_error(spec, error, call)
        return
    answer = call()
    assert answer is final, f"spec said {answer!r}, expected {final!r}"
    yield "output", {"final": answer}


@vector_case("finality", "is_state_batch_final")
def test_not_final_in_last_second_of_window(spec: ModuleType) -> Iterator[Part]:
    """State batch 1 (appended at T0 + 60) in an L1 block at T0 + 60 + FRAUD_PROOF_WINDOW - 1."""
    pre = history(spec, 1007, 3, window_close(spec, T0 + 60) - 1)
    yield from expect_final(spec, pre, state_batch_1(spec), False)


@vector_case("finality", "is_state_batch_final")
def test_final_when_window_closes(spec: ModuleType) -> Iterator[Part]:
    """State batch 1 at exactly T0 + 60 + FRAUD_PROOF_WINDOW."""
    pre = history(spec, 1007, 3, window_close(spec, T0 + 60))
    yield from expect_final(spec, pre, state_batch_1(spec), True)


@vector_case("finality", "is_state_batch_final")
def test_earlier_batch_final_before(spec: ModuleType) -> Iterator[Part]:
    """State batch 0 (appended at T0 + 48) at T0 + 60 + FRAUD_PROOF_WINDOW - 1: final for 11 seconds already."""
    pre = history(spec, 1007, 3, window_close(spec, T0 + 60) - 1)
    yield from expect_final(spec, pre, state_batch_0(spec), True)


@vector_case("finality", "is_state_batch_final")
def test_later_batch_not_final_yet(spec: ModuleType) -> Iterator[Part]:
    """State batch 2 (appended at T0 + 72) at T0 + 60 + FRAUD_PROOF_WINDOW: 12 seconds to go."""
    pre = history(spec, 1007, 3, window_close(spec, T0 + 60))
    yield from expect_final(spec, pre, state_batch_2(spec), False)


@vector_case("finality", "is_state_batch_final")
def test_fresh_batch_not_final(spec: ModuleType) -> Iterator[Part]:
    """State batch 2 in the L1 block that appended it."""
    yield from expect_final(spec, history(spec, 1006, 3), state_batch_2(spec), False)


@vector_case("finality", "is_state_batch_final")
def test_deleted_batch_never_final(spec: ModuleType) -> Iterator[Part]:
    """Batch 1 was deleted and replaced; long after both windows closed, the old header is not final (the hub no
    longer stores it)."""
    pre = replaced_history(spec, 1009, window_close(spec, T0 + 96) + 1000)
    yield from expect_final(spec, pre, state_batch_1(spec), False)


@vector_case("finality", "is_state_batch_final")
def test_replacement_batch_final(spec: ModuleType) -> Iterator[Part]:
    """The replacement of batch 1, appended at T0 + 96, at T0 + 96 + FRAUD_PROOF_WINDOW."""
    root = h(h(Q[3], Q[4]), h(Q[5], DEFAULT_0))
    replacement = header(spec, 1, root, 3, 3, state_extra(ACME, 1008, T0 + 96, OTHER, 6))
    pre = replaced_history(spec, 1009, window_close(spec, T0 + 96))
    yield from expect_final(spec, pre, replacement, True)


@vector_case("finality", "is_state_batch_final")
def test_header_with_earlier_time_not_final(spec: ModuleType) -> Iterator[Part]:
    """Batch 1's header claiming to be appended a window earlier (T0 + 60 - FRAUD_PROOF_WINDOW) is not stored, so
    it is not final; the stored one is not final either, one second before its window closes."""
    pre = history(spec, 1007, 3, window_close(spec, T0 + 60) - 1)
    claimed = T0 + 60 - fraud_proof_window(spec)
    forged = header(spec, 1, h(R[3], R[4]), 2, 3, state_extra(ACME, 1005, claimed, SEQUENCER, 5))
    yield from expect_final(spec, pre, forged, False)


@vector_case("finality", "is_state_batch_final")
def test_final_batch_of_other_chain(spec: ModuleType) -> Iterator[Part]:
    """Acme's final batch 0 named on the rangers' chain, which stores no state batch: not final there."""
    pre = history(spec, 1007, 3, window_close(spec, T0 + 60))
    yield from expect_final(spec, pre, state_batch_0(spec), False, chain_id=RANGERS)


@vector_case("finality", "is_state_batch_final")
def test_final_on_unknown_chain(spec: ModuleType) -> Iterator[Part]:
    """Chain id 1000000000001090 is not registered."""
    yield from expect_final(spec, history(spec, 1007, 3), state_batch_0(spec), error="UnknownChainId", chain_id=1000000000001090)


# --- batch/verify_committed_output_root --------------------------------------------------------------------------


def expect_committed(
    spec: ModuleType,
    batch_header: Any,
    output_root: bytes,
    index: int,
    siblings: Sequence[bytes],
    valid: bool = False,
    error: str = "",
    chain_id: int = ACME,
    pre: Any = None,
) -> Iterator[Part]:
    hub = history(spec, 1007, 3) if pre is None else pre
    yield "pre", {"hub": encode_hub(hub)}
    yield "input", {
        "chain_id": encode_uint(chain_id),
        "header": encode_batch_header(batch_header),
        "output_root": encode_bytes(output_root),
        "index": index,
        "siblings": encode_hashes(siblings),
    }

    def call() -> Any:
        chain = spec.get_dac(hub, spec.ChainId(chain_id)).state_batches
        return spec.verify_committed_output_root(
            chain, batch_header, spec.Hash32(output_root), index, [spec.Hash32(sibling) for sibling in siblings]
        )

    if error:
        yield from expect_spec_error(spec, error, call)
        return
    answer = call()
    assert answer is valid, f"spec said {answer!r}, expected {valid!r}"
    yield "output", {"valid": answer}


@vector_case("batch", "verify_committed_output_root")
def test_committed_root_in_padded_batch(spec: ModuleType) -> Iterator[Part]:
    """R2 is element 2 of state batch 0 (block 3): siblings d0 (the padding) and H(R0,R1)."""
    yield from expect_committed(spec, state_batch_0(spec), R[2], 2, [DEFAULT_0, h(R[0], R[1])], True)


@vector_case("batch", "verify_committed_output_root")
def test_committed_root_at_left_of_padded_batch(spec: ModuleType) -> Iterator[Part]:
    """R0 is element 0 of state batch 0 (block 1): siblings R1 and H(R2,d0)."""
    yield from expect_committed(spec, state_batch_0(spec), R[0], 0, [R[1], h(R[2], DEFAULT_0)], True)


@vector_case("batch", "verify_committed_output_root")
def test_committed_root_in_second_batch(spec: ModuleType) -> Iterator[Part]:
    """R4 is element 1 of state batch 1 (block 5): sibling R3."""
    yield from expect_committed(spec, state_batch_1(spec), R[4], 1, [R[3]], True)


@vector_case("batch", "verify_committed_output_root")
def test_committed_root_of_single_leaf_batch(spec: ModuleType) -> Iterator[Part]:
    """R5 is the only element of state batch 2 (block 6): no siblings, the root is the leaf."""
    yield from expect_committed(spec, state_batch_2(spec), R[5], 0, [], True)


@vector_case("batch", "verify_committed_output_root")
def test_wrong_output_root(spec: ModuleType) -> Iterator[Part]:
    """R5 is not element 2 of state batch 0: false."""
    yield from expect_committed(spec, state_batch_0(spec), R[5], 2, [DEFAULT_0, h(R[0], R[1])], False)


@vector_case("batch", "verify_committed_output_root")
def test_siblings_in_wrong_order(spec: ModuleType) -> Iterator[Part]:
    """R2's siblings given top-down instead of from the leaves up: false."""
    yield from expect_committed(spec, state_batch_0(spec), R[2], 2, [h(R[0], R[1]), DEFAULT_0], False)


@vector_case("batch", "verify_committed_output_root")
def test_root_proven_at_wrong_index(spec: ModuleType) -> Iterator[Part]:
    """R4 with its true sibling R3 but at index 0 (hashed as H(R4,R3)): false."""
    yield from expect_committed(spec, state_batch_1(spec), R[4], 0, [R[3]], False)


@vector_case("batch", "verify_committed_output_root")
def test_output_root_under_unknown_header(spec: ModuleType) -> Iterator[Part]:
    """State batch 0's header with batch_size 4 instead of 3 is not the stored header."""
    root = h(h(R[0], R[1]), h(R[2], DEFAULT_0))
    forged = header(spec, 0, root, 4, 0, state_extra(ACME, 1004, T0 + 48, SEQUENCER, 3))
    yield from expect_committed(spec, forged, R[2], 2, [DEFAULT_0, h(R[0], R[1])], error="UnknownBatchHeader")


@vector_case("batch", "verify_committed_output_root")
def test_output_root_of_deleted_batch(spec: ModuleType) -> Iterator[Part]:
    """A proof that was valid for the old state batch 1 (R4, sibling R3), once that batch was deleted and
    replaced: its header is unknown."""
    pre = replaced_history(spec, 1009)
    yield from expect_committed(spec, state_batch_1(spec), R[4], 1, [R[3]], error="UnknownBatchHeader", pre=pre)


@vector_case("batch", "verify_committed_output_root")
def test_output_root_proof_too_short(spec: ModuleType) -> Iterator[Part]:
    """State batch 0 holds 3 elements, so a proof needs 2 siblings; 1 is malformed."""
    yield from expect_committed(spec, state_batch_0(spec), R[1], 1, [R[0]], error="MerkleProofLengthMismatch")


@vector_case("batch", "verify_committed_output_root")
def test_output_root_proof_too_long(spec: ModuleType) -> Iterator[Part]:
    """State batch 2 holds 1 element, so a proof has no siblings; the default node d0 is one too many."""
    yield from expect_committed(spec, state_batch_2(spec), R[5], 0, [DEFAULT_0], error="MerkleProofLengthMismatch")


@vector_case("batch", "verify_committed_output_root")
def test_output_root_index_past_batch(spec: ModuleType) -> Iterator[Part]:
    """Index 3 of state batch 0 (3 elements) is past its end, even though element 3 exists in batch 1."""
    yield from expect_committed(
        spec, state_batch_0(spec), R[3], 3, [DEFAULT_0, DEFAULT_1], error="MerkleIndexOutOfRange"
    )


@vector_case("batch", "verify_committed_output_root")
def test_output_root_unknown_chain(spec: ModuleType) -> Iterator[Part]:
    """Chain id 1000000000001090 is not registered."""
    siblings = [DEFAULT_0, h(R[0], R[1])]
    yield from expect_committed(spec, state_batch_0(spec), R[2], 2, siblings, error="UnknownChainId", chain_id=1000000000001090)
