"""Known answers for the hub's Merkle trees, batch headers and charter roots (spec/v1/hub.md, spec/v1/l2-chain.md).

Plain tests, not vector cases: some inputs (2^16 leaves) are too big to publish as vectors. The expected values are
the default nodes published in Lib_MerkleTree, hand-made tables, or comparisons that need no second implementation.
"""

from __future__ import annotations

from dataclasses import replace
from types import ModuleType
from typing import Any

import pytest
from eth_hash.auto import keccak

from mvm_spec.forks import PRESETS, load_spec

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
    """A state batch of 2^17 + 1 output roots passes the append checks, then fails building its tree."""
    charter = spec.Charter("", "", (), (), spec.Address())
    hub = spec.get_genesis_hub(charter)
    proposer = spec.Address(b"\x01" * 20)
    count = 2**17 + 1
    context = spec.StateBatchContext(spec.ChainId(1088), spec.Timestamp(1), proposer, spec.Hash32(), spec.BlockNumber(count))
    with pytest.raises(spec.MerkleTreeTooLarge):
        spec.append_state_batch(hub, [spec.Hash32(DEFAULT_0)] * count, 0, context, proposer, spec.Timestamp(1))


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
