"""Known answers for the hub's Merkle trees, batch encodings, L1 clock and charter roots (spec/v1/hub.md,
spec/v1/l2-chain.md).

Plain tests, not vector cases: some inputs (2^16 leaves, a mainnet hub lagging its 3,600-block sequencing window)
are too big to publish as vectors. The expected values are the default nodes published in Lib_MerkleTree, ABI
layouts written word by word (checked against eth_abi too), hand-made tables, or comparisons that need no second
implementation.
"""

from __future__ import annotations

from dataclasses import replace
from types import ModuleType
from typing import Any

import pytest
from eth_abi.abi import encode as abi_encode
from eth_hash.auto import keccak

from mvm_spec.forks import PRESETS, load_spec
from tests.hub_building import served_by

# Lib_MerkleTree.getMerkleRoot's `uint256[16] defaults`, as published (entries 0-3 and 15).
PUBLISHED_DEFAULTS = {
    0: "290decd9548b62a8d60345a988386fc84ba6bc95484008f6362f93160ef3e563",
    1: "633dc4d7da7256660a892f8f1604a44b5432649cc8ec5cb3ced4c4e6ac94dd1d",
    2: "890740a8eb06ce9be422cb8da5cdafc2b58c0a5e24036c578de2a433c828ff7d",
    3: "3b8ec09e026fdc305365dfc94e189a81b38c7597b3d941c279f042e8206e0bd8",
    15: "2def10d13dd169f550f578bda343d9717a138562e0093b380a1120789d53cf10",
}
DEFAULT_0 = bytes.fromhex(PUBLISHED_DEFAULTS[0])
DEFAULT_15 = bytes.fromhex(PUBLISHED_DEFAULTS[15])


MINIMAL = load_spec("v1", "minimal")


def l1_block(spec: ModuleType, number: int, timestamp: int | None = None) -> Any:
    """L1 block `number`, 12 seconds after block 0 (at 1,700,000,000) per block unless `timestamp` is given."""
    time = 1_700_000_000 + 12 * number if timestamp is None else timestamp
    return spec.L1Block(spec.L1BlockNumber(number), spec.Timestamp(time), spec.Hash32(), spec.Hash32())


@pytest.fixture(params=PRESETS)
def spec(request: pytest.FixtureRequest) -> ModuleType:
    return load_spec("v1", request.param)


@pytest.mark.parametrize("depth", sorted(PUBLISHED_DEFAULTS))
def test_default_nodes_match_lib_merkle_tree(spec: ModuleType, depth: int) -> None:
    assert spec.get_merkle_default(depth).hex() == PUBLISHED_DEFAULTS[depth]


def test_default_0_is_hash_of_zero_word(spec: ModuleType) -> None:
    assert bytes(keccak(bytes(32))) == DEFAULT_0 == spec.get_merkle_default(0)


@pytest.mark.parametrize(
    "count, levels",
    [(1, 0), (2, 1), (3, 2), (4, 2), (5, 3), (7, 3), (8, 3), (9, 4), (1023, 10), (1024, 10), (1025, 11),
     (2**16 - 1, 16), (2**16, 16), (2**16 + 1, 17)],
)
def test_ceil_log2_table(spec: ModuleType, count: int, levels: int) -> None:
    assert spec.ceil_log2(count) == levels


def test_largest_tree_computes(spec: ModuleType) -> None:
    """2^16 zero-hash leaves: a full tree of depth 16, whose root is keccak256(default[15] ++ default[15])."""
    leaves = [spec.Hash32(DEFAULT_0)] * 2**16
    assert spec.compute_merkle_root(leaves) == bytes(keccak(DEFAULT_15 + DEFAULT_15))


def test_padding_at_every_depth_up_to_15(spec: ModuleType) -> None:
    """2^15 + 1 zero-hash leaves: the lone last leaf is padded at every depth 0..14 and climbs to default[15]."""
    leaves = [spec.Hash32(DEFAULT_0)] * (2**15 + 1)
    assert spec.compute_merkle_root(leaves) == bytes(keccak(DEFAULT_15 + DEFAULT_15))


def test_proof_in_largest_tree_has_16_siblings(spec: ModuleType) -> None:
    leaves = [spec.Hash32(DEFAULT_0)] * 2**16
    siblings = spec.compute_merkle_proof(leaves, 2**16 - 1)
    assert [sibling.hex() for sibling in siblings[:4]] == [PUBLISHED_DEFAULTS[d] for d in range(4)]
    assert len(siblings) == 16 and siblings[15] == DEFAULT_15


def test_padding_at_depth_15_is_the_deepest_allowed() -> None:
    spec = MINIMAL  # Merkle trees do not depend on the preset; these large trees are built once
    """2^16 + 1 zero-hash leaves: the lone last leaf is padded up to depth 15 (the last stored default node), so
    the top level pairs default[16] with itself. Lib_MerkleTree computes this tree; so must the spec."""
    default_16 = bytes(keccak(DEFAULT_15 + DEFAULT_15))
    leaves = [spec.Hash32(DEFAULT_0)] * (2**16 + 1)
    assert spec.compute_merkle_root(leaves) == bytes(keccak(default_16 + default_16))


def test_padding_needed_at_depth_16_is_refused() -> None:
    spec = MINIMAL  # Merkle trees do not depend on the preset; these large trees are built once
    """2^17 + 1 leaves: the level at depth 16 has 3 nodes and needs default[16], which Lib_MerkleTree does not
    store (it reverts); the spec raises MerkleTreeTooLarge for the root and for a proof."""
    leaves = [spec.Hash32(DEFAULT_0)] * (2**17 + 1)
    with pytest.raises(spec.MerkleTreeTooLarge):
        spec.compute_merkle_root(leaves)
    with pytest.raises(spec.MerkleTreeTooLarge):
        spec.compute_merkle_proof(leaves, 0)


def test_empty_tree(spec: ModuleType) -> None:
    with pytest.raises(spec.EmptyMerkleTree):
        spec.compute_merkle_root([])


def test_too_many_output_roots_in_a_state_batch() -> None:
    spec = MINIMAL  # Merkle trees do not depend on the preset; these large trees are built once
    """A state batch of 2^17 + 1 output roots passes the sender, emptiness and start checks, then fails building its
    tree: MerkleTreeTooLarge, before the chain's head is compared (the rangers' head is genesis, so the roots are
    also past it). Too large to publish as a vector (8.6 MB of JSON); this is the one test of that error of the
    batch runner's append_state_batch."""
    charter = spec.Charter("", "", (), (), spec.Address())
    proposer = spec.Address(b"\x01" * 20)
    hub = served_by(spec, spec.get_genesis_hub(charter, l1_block(spec, 100)), proposer)
    with pytest.raises(spec.MerkleTreeTooLarge):
        spec.append_state_batch(hub, spec.ChainId(1000000000001088), [spec.Hash32(DEFAULT_0)] * (2**17 + 1), 0, proposer)
    with pytest.raises(spec.OutputRootsBeyondChainHead):  # the same hub, with a tree the library can build
        spec.append_state_batch(hub, spec.ChainId(1000000000001088), [spec.Hash32(DEFAULT_0)] * 2**16, 0, proposer)


# --- batch headers -----------------------------------------------------------------------------------------------


def header(spec: ModuleType, index: int = 3, root: bytes = DEFAULT_0, size: int = 2, prev: int = 10,
           extra: bytes = b"\x01\x02") -> Any:
    return spec.ChainBatchHeader(spec.uint256(index), spec.Hash32(root), spec.uint256(size), spec.uint256(prev), extra)


def test_header_hash_ignores_batch_index(spec: ModuleType) -> None:
    hashes = {spec.hash_batch_header(header(spec, index=index)) for index in (0, 1, 3, 2**256 - 1)}
    assert len(hashes) == 1


@pytest.mark.parametrize(
    "changed",
    [{"root": DEFAULT_15}, {"size": 3}, {"prev": 11}, {"extra": b"\x01\x03"}, {"extra": b"\x01\x02\x00"}, {"extra": b""}],
    ids=["root", "size", "prev", "extra-byte", "extra-trailing-zero", "extra-empty"],
)
def test_header_hash_covers_every_other_field(spec: ModuleType, changed: dict[str, Any]) -> None:
    assert spec.hash_batch_header(header(spec, **changed)) != spec.hash_batch_header(header(spec))


def word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def test_header_hash_known_answer(spec: ModuleType) -> None:
    """keccak256 of the hand-laid encoding: root, size, prev, offset 0x80, length 2, the 2 bytes right-padded."""
    encoding = DEFAULT_0 + word(2) + word(10) + word(0x80) + word(2) + b"\x01\x02" + bytes(30)
    assert spec.hash_batch_header(header(spec)) == bytes(keccak(encoding))


# --- batch encodings ----------------------------------------------------------------------------------------------


def padded(data: bytes) -> bytes:
    return data + bytes(-len(data) % 32)


def bytes_array(items: list[bytes]) -> bytes:
    """The tail of a `bytes[]`: length, offsets from the first offset word, each item's length and padded bytes."""
    heads, tails = b"", b""
    for item in items:
        heads += word(32 * len(items) + len(tails))
        tails += word(len(item)) + padded(item)
    return word(len(items)) + heads + tails


BATCHES: list[list[tuple[int, int, list[bytes]]]] = [
    [],
    [(7, 9, [])],
    [(7, 9, [b""])],
    [(1, 2, [b"\xaa" * 31, b"\xbb" * 32, b"\xcc" * 33]), (1, 3, []), (2, 2**64 - 1, [b"\x01"])],
]


@pytest.mark.parametrize("entries", BATCHES, ids=["no-block", "empty-block", "zero-byte-tx", "three-blocks"])
def test_transaction_batch_calldata_known_answer(spec: ModuleType, entries: list[tuple[int, int, list[bytes]]]) -> None:
    """encode_transaction_batch is abi.encode((uint256,uint256,bytes[])[]): the array's offset 0x20, its length,
    one offset per block (from the first offset word), each block's origin, time, offset 0x60 and transactions."""
    heads, tails = b"", b""
    for origin, timestamp, transactions in entries:
        heads += word(32 * len(entries) + len(tails))
        tails += word(origin) + word(timestamp) + word(0x60) + bytes_array(transactions)
    by_hand = word(0x20) + word(len(entries)) + heads + tails
    assert by_hand == abi_encode(["(uint256,uint256,bytes[])[]"], [entries])
    blocks = [
        spec.SequencedBlock(spec.BlockNumber(50 + index), spec.L1BlockNumber(o), spec.Timestamp(t), tuple(raws))
        for index, (o, t, raws) in enumerate(entries)
    ]
    assert spec.encode_transaction_batch(blocks) == by_hand
    assert spec.decode_transaction_batch(by_hand, spec.BlockNumber(50)) == tuple(blocks)


def test_sequenced_block_leaf_known_answer(spec: ModuleType) -> None:
    """keccak256(abi.encode(chainId, number, l1Origin, timestamp, bytes[] transactions)), head offset 0xa0."""
    raws = [b"\x02\xf8", b""]
    block = spec.SequencedBlock(spec.BlockNumber(12), spec.L1BlockNumber(1003), spec.Timestamp(77), tuple(raws))
    by_hand = word(1000000000001089) + word(12) + word(1003) + word(77) + word(0xA0) + bytes_array(raws)
    assert by_hand == abi_encode(["uint256", "uint256", "uint256", "uint256", "bytes[]"], [1000000000001089, 12, 1003, 77, raws])
    assert spec.hash_sequenced_block(spec.ChainId(1000000000001089), block) == bytes(keccak(by_hand))


def test_extra_data_layouts(spec: ModuleType) -> None:
    """Both kinds of extraData are static words; the state batch's decodes back to its context."""
    proposer = b"\x5e" * 20
    context = spec.StateBatchContext(
        spec.ChainId(1000000000001089),
        spec.L1BlockNumber(1005),
        spec.Timestamp(2**64 - 1),
        spec.Address(proposer),
        spec.BlockNumber(5),
    )
    state = word(1000000000001089) + word(1005) + word(2**64 - 1) + bytes(12) + proposer + word(5)
    assert spec.encode_state_batch_extra_data(context) == state
    assert spec.decode_state_batch_extra_data(state) == context
    block = l1_block(spec, 1004)
    transaction = word(1000000000001089) + word(1004) + word(1_700_000_000 + 12 * 1004) + bytes(12) + proposer
    assert spec.encode_transaction_batch_extra_data(spec.ChainId(1000000000001089), block, spec.Address(proposer)) == transaction


@pytest.mark.parametrize(
    "data",
    [word(0x20) + word(2**255), word(0x20) + word(2**64), word(2**256 - 1), word(0x20) + word(1) + word(2**200)],
    ids=["length-2^255", "length-2^64", "offset-max", "element-offset-2^200"],
)
def test_huge_claims_are_malformed(data: bytes) -> None:
    """Lengths and offsets far past the data are refused as malformed, without trying to read them."""
    with pytest.raises(MINIMAL.MalformedTransactionBatch):
        MINIMAL.decode_transaction_batch(data, MINIMAL.BlockNumber(1))


# --- the L1 clock and the L2 head --------------------------------------------------------------------------------

WINDOW = {"minimal": 4, "mainnet": 3600}  # SEQUENCING_WINDOW in L1 blocks


@pytest.mark.parametrize("lag, forced", [(0, 0), (1, 0), ("window", 0), ("window+1", 1), ("window+7", 7)])
def test_forced_block_count_table(spec: ModuleType, lag: int | str, forced: int) -> None:
    """One forced block per L1 block the head lags beyond SEQUENCING_WINDOW."""
    window = WINDOW[spec.PRESET]
    assert spec.SEQUENCING_WINDOW == window
    lags = {"window": window, "window+1": window + 1, "window+7": window + 7}
    current = 1001 + (lags[lag] if isinstance(lag, str) else lag)
    assert spec.get_forced_block_count(spec.L1BlockNumber(1001), spec.L1BlockNumber(current)) == forced


def test_l1_block_lookup(spec: ModuleType) -> None:
    """A hub from L1 block 100 to 102 has exactly those blocks."""
    hub = spec.get_genesis_hub(spec.Charter("", "", (), (), spec.Address()), l1_block(spec, 100))
    hub = spec.advance_l1_block(spec.advance_l1_block(hub, l1_block(spec, 101)), l1_block(spec, 102))
    for number in (100, 101, 102):
        assert spec.get_l1_block(hub, number) == l1_block(spec, number)
    assert spec.get_current_l1_block(hub) == l1_block(spec, 102)
    for number in (99, 103):
        with pytest.raises(spec.UnknownL1Block):
            spec.get_l1_block(hub, number)


def test_numbering_after_forced_blocks_on_mainnet() -> None:
    """The batch runner's forced-block cases are minimal only (a mainnet hub lagging its window holds 3,600+ L1
    blocks); the same rule on mainnet: acme is created in L1 block 1001, and in L1 block 4604 its genesis lags by
    4604 - 3600 - 1001 = 3 blocks past the window, so blocks 1-3 are forced (origins 1002-1004) and a batch's blocks
    with origins 1005 and 1005 are numbers 4 and 5. Then output roots may reach block 5, not 6."""
    spec = load_spec("v1", "mainnet")
    charter = spec.Charter("", "", (), (), spec.Address())
    sequencer = spec.Address(b"\x5e" * 20)
    hub = spec.get_genesis_hub(charter, l1_block(spec, 1000))
    hub = spec.create_dac(spec.advance_l1_block(hub, l1_block(spec, 1001)), "acme", charter, (), spec.Wei(0))
    for number in range(1002, 4605):
        hub = spec.advance_l1_block(hub, l1_block(spec, number))
    hub = served_by(spec, hub, sequencer)
    acme = spec.ChainId(1000000000001089)
    assert spec.get_l2_head(hub, spec.get_dac(hub, acme)) == (3, 1004)
    data = abi_encode(["(uint256,uint256,bytes[])[]"], [[(1005, 0, []), (1005, 0, [b"\x01"])]])
    hub = spec.append_transaction_batch(hub, acme, data, 0, sequencer)
    assert [(block.number, block.l1_origin) for block in spec.get_dac(hub, acme).blocks] == [(4, 1005), (5, 1005)]
    with pytest.raises(spec.OutputRootsBeyondChainHead):
        spec.append_state_batch(hub, acme, [spec.Hash32(DEFAULT_0)] * 6, 0, sequencer)
    hub = spec.append_state_batch(hub, acme, [spec.Hash32(DEFAULT_0)] * 5, 0, sequencer)
    appended = spec.get_dac(hub, acme).state_batches.headers[0]
    when = spec.L1BlockNumber(4604), spec.Timestamp(1_700_000_000 + 12 * 4604)
    context = spec.StateBatchContext(acme, *when, sequencer, spec.BlockNumber(5))
    assert spec.decode_state_batch_extra_data(appended.extra_data) == context


# --- charter roots -----------------------------------------------------------------------------------------------


def base_charter(spec: ModuleType) -> Any:
    rules = (
        spec.PermissionRule((spec.Address(b"\x11" * 20), spec.Address(b"\x22" * 20)), spec.PermissionOperation(0), spec.Action(0x100)),
        spec.PermissionRule((spec.Address(b"\x33" * 20),), spec.PermissionOperation(1), spec.Action(0xF0)),
    )
    brackets = (spec.TaxBracket(spec.Wei(0), spec.BasisPoints(10)), spec.TaxBracket(spec.Wei(1000), spec.BasisPoints(20)))
    return spec.Charter("vision", "mission", rules, brackets, spec.Address(b"\x42" * 20))


def charter_variants(spec: ModuleType) -> dict[str, Any]:
    """The base charter with exactly one field (or one part of a field) changed."""
    base = base_charter(spec)
    rule0, rule1 = base.permissions
    bracket0, bracket1 = base.taxrates
    return {
        "vision": replace(base, vision="vision!"),
        "mission": replace(base, mission="Mission"),
        "vision-mission-swapped": replace(base, vision="mission", mission="vision"),
        "rule-address": replace(base, permissions=(replace(rule0, addresses=(rule0.addresses[0],)), rule1)),
        "rule-address-order": replace(base, permissions=(replace(rule0, addresses=rule0.addresses[::-1]), rule1)),
        "rule-operation": replace(base, permissions=(replace(rule0, operation=spec.PermissionOperation(1)), rule1)),
        "rule-action": replace(base, permissions=(replace(rule0, action=spec.Action(0x101)), rule1)),
        "rule-order": replace(base, permissions=(rule1, rule0)),
        "rule-dropped": replace(base, permissions=(rule0,)),
        "bracket-threshold": replace(base, taxrates=(bracket0, replace(bracket1, threshold=spec.Wei(1001)))),
        "bracket-rate": replace(base, taxrates=(replace(bracket0, rate_bps=spec.BasisPoints(11)), bracket1)),
        "bracket-dropped": replace(base, taxrates=(bracket0,)),
        "management-contract": replace(base, management_contract=spec.Address(b"\x43" * 20)),
    }


def test_charter_root_changes_with_any_field(spec: ModuleType) -> None:
    base_root = spec.compute_charter_root(base_charter(spec))
    roots = {name: spec.compute_charter_root(charter) for name, charter in charter_variants(spec).items()}
    assert all(root != base_root for root in roots.values()), [n for n, r in roots.items() if r == base_root]
    assert len(set(roots.values())) == len(roots)


def test_charter_root_is_deterministic(spec: ModuleType) -> None:
    assert spec.compute_charter_root(base_charter(spec)) == spec.compute_charter_root(base_charter(spec))


def test_charter_root_same_on_both_presets() -> None:
    """The presets change limits only, never the encoding of a charter valid under both."""
    minimal, mainnet = load_spec("v1", "minimal"), load_spec("v1", "mainnet")
    assert minimal.compute_charter_root(base_charter(minimal)) == mainnet.compute_charter_root(base_charter(mainnet))
