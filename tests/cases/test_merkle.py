"""Vector cases for the hub's Merkle trees (spec/v1/hub.md): roots, proofs and proof verification.

The trees are meant to be exactly those of Optimism/Metis `Lib_MerkleTree`: a single leaf is the root, and a level
with an odd number of nodes is padded with the *default node of that depth* (never with zero). Every expected root
and proof below is written out by hand for its tree shape with explicit keccak256 calls, and the default nodes are
the constants published in `Lib_MerkleTree.getMerkleRoot` — never obtained by calling the spec.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Iterator, Sequence

from eth_hash.auto import keccak

from mvm_spec.vectors import expect_spec_error, vector_case
from mvm_spec.vectors.case import Part
from mvm_spec.vectors.codec import encode_bytes, encode_hashes

# The default nodes hard-coded in Lib_MerkleTree.getMerkleRoot: DEFAULT[0] = keccak256(bytes32(0)), and
# DEFAULT[d + 1] = keccak256(DEFAULT[d] ++ DEFAULT[d]).
DEFAULT_0 = bytes.fromhex("290decd9548b62a8d60345a988386fc84ba6bc95484008f6362f93160ef3e563")
DEFAULT_1 = bytes.fromhex("633dc4d7da7256660a892f8f1604a44b5432649cc8ec5cb3ced4c4e6ac94dd1d")
DEFAULT_2 = bytes.fromhex("890740a8eb06ce9be422cb8da5cdafc2b58c0a5e24036c578de2a433c828ff7d")
DEFAULT_3 = bytes.fromhex("3b8ec09e026fdc305365dfc94e189a81b38c7597b3d941c279f042e8206e0bd8")

# Nine distinct leaves: L[i] = keccak256("mvm-leaf-<i>").
L = [bytes(keccak(f"mvm-leaf-{index}".encode())) for index in range(9)]


def h(left: bytes, right: bytes) -> bytes:
    """The parent of two nodes, as Lib_MerkleTree computes it: keccak256(left ++ right)."""
    return bytes(keccak(left + right))


def hashes_of(spec: ModuleType, nodes: Sequence[bytes]) -> list[Any]:
    return [spec.Hash32(node) for node in nodes]


def expect_root(spec: ModuleType, leaves: Sequence[bytes], hand_computed: bytes) -> Iterator[Part]:
    """Yield the leaves and the spec's root, after checking it equals the root written out by hand."""
    yield "input", {"leaves": encode_hashes(leaves)}
    root = spec.compute_merkle_root(hashes_of(spec, leaves))
    assert root == hand_computed, f"spec computed 0x{root.hex()}, worked out by hand 0x{hand_computed.hex()}"
    yield "output", {"root": encode_bytes(root)}


def expect_proof(spec: ModuleType, leaves: Sequence[bytes], index: int, hand_computed: list[bytes]) -> Iterator[Part]:
    yield "input", {"leaves": encode_hashes(leaves), "index": index}
    siblings = spec.compute_merkle_proof(hashes_of(spec, leaves), index)
    assert list(siblings) == hand_computed, f"spec proof {[s.hex() for s in siblings]}"
    yield "output", {"siblings": encode_hashes(siblings)}


def verify_input(root: bytes, leaf: bytes, index: int, siblings: Sequence[bytes], total_leaves: int) -> Part:
    return "input", {
        "root": encode_bytes(root),
        "leaf": encode_bytes(leaf),
        "index": index,
        "siblings": encode_hashes(siblings),
        "total_leaves": total_leaves,
    }


def call_verify(spec: ModuleType, root: bytes, leaf: bytes, index: int, siblings: Sequence[bytes], total: int) -> Any:
    return spec.verify_merkle_proof(spec.Hash32(root), spec.Hash32(leaf), index, hashes_of(spec, siblings), total)


def expect_verify(
    spec: ModuleType, root: bytes, leaf: bytes, index: int, siblings: Sequence[bytes], total: int, hand_known: bool
) -> Iterator[Part]:
    yield verify_input(root, leaf, index, siblings, total)
    valid = call_verify(spec, root, leaf, index, siblings, total)
    assert valid is hand_known, f"spec said {valid!r}, expected {hand_known!r}"
    yield "output", {"valid": valid}


def expect_verify_rejected(
    spec: ModuleType, root: bytes, leaf: bytes, index: int, siblings: Sequence[bytes], total: int, error: str
) -> Iterator[Part]:
    yield verify_input(root, leaf, index, siblings, total)
    yield from expect_spec_error(spec, error, lambda: call_verify(spec, root, leaf, index, siblings, total))


# The 5-leaf tree used by the proof and verify cases, written out level by level:
#   depth 0:  L0  L1  L2  L3  L4  (DEFAULT_0)
#   depth 1:  H01     H23     H4D          (DEFAULT_1)
#   depth 2:  H0123           H4DD
#   root:     ROOT_5
H01, H23 = h(L[0], L[1]), h(L[2], L[3])
H4D = h(L[4], DEFAULT_0)
H0123, H4DD = h(H01, H23), h(H4D, DEFAULT_1)
ROOT_5 = h(H0123, H4DD)
PROOFS_5 = {
    0: [L[1], H23, H4DD],
    1: [L[0], H23, H4DD],
    2: [L[3], H01, H4DD],
    3: [L[2], H01, H4DD],
    4: [DEFAULT_0, DEFAULT_1, H0123],
}


# --- merkle/root -------------------------------------------------------------------------------------------------


@vector_case("merkle", "root")
def test_one_leaf(spec: ModuleType) -> Iterator[Part]:
    """A single leaf is the root: no hashing at all."""
    yield from expect_root(spec, L[:1], L[0])


@vector_case("merkle", "root")
def test_two_leaves(spec: ModuleType) -> Iterator[Part]:
    """Two leaves: keccak256(L0 ++ L1)."""
    yield from expect_root(spec, L[:2], h(L[0], L[1]))


@vector_case("merkle", "root")
def test_three_leaves(spec: ModuleType) -> Iterator[Part]:
    """Three leaves: the odd leaf L2 is paired with default[0] = keccak256(bytes32(0)), not with zero."""
    yield from expect_root(spec, L[:3], h(h(L[0], L[1]), h(L[2], DEFAULT_0)))


@vector_case("merkle", "root")
def test_four_leaves(spec: ModuleType) -> Iterator[Part]:
    """Four leaves: a full tree, no padding."""
    yield from expect_root(spec, L[:4], h(h(L[0], L[1]), h(L[2], L[3])))


@vector_case("merkle", "root")
def test_five_leaves(spec: ModuleType) -> Iterator[Part]:
    """Five leaves (2^2 + 1): L4 is padded with default[0], then its parent with default[1]."""
    yield from expect_root(spec, L[:5], ROOT_5)


@vector_case("merkle", "root")
def test_seven_leaves(spec: ModuleType) -> Iterator[Part]:
    """Seven leaves: only depth 0 is odd; L6 is padded with default[0]."""
    left = h(h(L[0], L[1]), h(L[2], L[3]))
    right = h(h(L[4], L[5]), h(L[6], DEFAULT_0))
    yield from expect_root(spec, L[:7], h(left, right))


@vector_case("merkle", "root")
def test_eight_leaves(spec: ModuleType) -> Iterator[Part]:
    """Eight leaves: a full tree of depth 3, no padding."""
    left = h(h(L[0], L[1]), h(L[2], L[3]))
    right = h(h(L[4], L[5]), h(L[6], L[7]))
    yield from expect_root(spec, L[:8], h(left, right))


@vector_case("merkle", "root")
def test_nine_leaves(spec: ModuleType) -> Iterator[Part]:
    """Nine leaves (2^3 + 1): L8 climbs alone, padded with default[0], default[1] and default[2] in turn."""
    full_eight = h(h(h(L[0], L[1]), h(L[2], L[3])), h(h(L[4], L[5]), h(L[6], L[7])))
    lone = h(h(h(L[8], DEFAULT_0), DEFAULT_1), DEFAULT_2)
    yield from expect_root(spec, L[:9], h(full_eight, lone))


@vector_case("merkle", "root")
def test_two_zero_hash_leaves_give_default_1(spec: ModuleType) -> Iterator[Part]:
    """Known answer: two leaves equal to default[0] = keccak256(bytes32(0)) have root default[1] (published)."""
    yield from expect_root(spec, [DEFAULT_0] * 2, DEFAULT_1)


@vector_case("merkle", "root")
def test_three_zero_hash_leaves_give_default_2(spec: ModuleType) -> Iterator[Part]:
    """Known answer: padding with the default node is padding with a zero-hash leaf, so 3 such leaves give default[2].

    (A client padding with bytes32(0) gets keccak256(default[1] ++ keccak256(default[0] ++ 0)) instead.)
    """
    yield from expect_root(spec, [DEFAULT_0] * 3, DEFAULT_2)


@vector_case("merkle", "root")
def test_five_zero_hash_leaves_give_default_3(spec: ModuleType) -> Iterator[Part]:
    """Known answer: five zero-hash leaves, padded at depths 0 and 1, give the published default[3]."""
    yield from expect_root(spec, [DEFAULT_0] * 5, DEFAULT_3)


@vector_case("merkle", "root")
def test_eight_zero_hash_leaves_give_default_3(spec: ModuleType) -> Iterator[Part]:
    """Known answer: the full tree of eight zero-hash leaves has root default[3]."""
    yield from expect_root(spec, [DEFAULT_0] * 8, DEFAULT_3)


@vector_case("merkle", "root")
def test_duplicate_leaves_are_kept(spec: ModuleType) -> Iterator[Part]:
    """Equal leaves are not deduplicated: [L0, L0, L0] is keccak256(keccak256(L0 ++ L0) ++ keccak256(L0 ++ d0))."""
    yield from expect_root(spec, [L[0]] * 3, h(h(L[0], L[0]), h(L[0], DEFAULT_0)))


@vector_case("merkle", "root")
def test_empty_tree(spec: ModuleType) -> Iterator[Part]:
    """No leaves: there is no root (Lib_MerkleTree reverts)."""
    yield "input", {"leaves": []}
    yield from expect_spec_error(spec, "EmptyMerkleTree", lambda: spec.compute_merkle_root([]))


# --- merkle/root and merkle/proof: trees past depth 16 ---------------------------------------------------------
# Lib_MerkleTree stores the default nodes of depths 0 to 15 only, so a level at depth 16 or deeper can be padded
# no more: the smallest tree that needs it has 2^17 + 1 leaves (its level at depth 16 has 3 nodes). Such trees are
# written `{"repeat": [...], "length": n}` (the leaves `repeat` repeated and cut to n); every leaf below is L0, and
# the expected roots are worked out level by level: a level of 2^k copies of a node X is 2^(k-1) copies of
# h(X, X) one level up, and a lone last node Y climbs as h(Y, default[d]).

DEFAULTS = [DEFAULT_0]
for _ in range(16):
    DEFAULTS.append(h(DEFAULTS[-1], DEFAULTS[-1]))
assert DEFAULTS[1:4] == [DEFAULT_1, DEFAULT_2, DEFAULT_3]  # the published constants
# X[d]: the node over 2^d copies of L0, i.e. L0 doubled d times.
X = [L[0]]
for _ in range(17):
    X.append(h(X[-1], X[-1]))


def repeated_leaves(count: int) -> dict[str, Any]:
    return {"repeat": encode_hashes([L[0]]), "length": str(count)}


def lone_climb(depth: int) -> bytes:
    """The last node at `depth` of a tree of 2^depth copies of L0 plus one more L0: L0 padded by default[0..depth-1]."""
    node = L[0]
    for level in range(depth):
        node = h(node, DEFAULTS[level])
    return node


@vector_case("merkle", "root")
def test_largest_full_tree(spec: ModuleType) -> Iterator[Part]:
    """2^17 equal leaves: every level is even, so no default node is needed; the root is L0 doubled 17 times."""
    yield "input", {"leaves": repeated_leaves(2**17)}
    root = spec.compute_merkle_root(hashes_of(spec, [L[0]] * 2**17))
    assert root == X[17], f"spec computed 0x{root.hex()}"
    yield "output", {"root": encode_bytes(root)}


@vector_case("merkle", "root")
def test_deepest_padding(spec: ModuleType) -> Iterator[Part]:
    """2^16 + 1 leaves: the last leaf climbs alone through default[0] to default[15], the deepest padding the
    library can do, and meets the full left half at depth 16."""
    yield "input", {"leaves": repeated_leaves(2**16 + 1)}
    root = spec.compute_merkle_root(hashes_of(spec, [L[0]] * (2**16 + 1)))
    assert root == h(X[16], lone_climb(16)), f"spec computed 0x{root.hex()}"
    yield "output", {"root": encode_bytes(root)}


@vector_case("merkle", "root")
def test_tree_needing_default_16(spec: ModuleType) -> Iterator[Part]:
    """2^17 + 1 leaves: the level at depth 16 has three nodes and would need default[16], which Lib_MerkleTree does
    not have (it reverts): the tree cannot be built."""
    yield "input", {"leaves": repeated_leaves(2**17 + 1)}
    leaves = hashes_of(spec, [L[0]] * (2**17 + 1))
    yield from expect_spec_error(spec, "MerkleTreeTooLarge", lambda: spec.compute_merkle_root(leaves))


@vector_case("merkle", "proof")
def test_proof_through_deepest_padding(spec: ModuleType) -> Iterator[Part]:
    """The last leaf of 2^16 + 1: its siblings are default[0] to default[15], then the full left half."""
    yield "input", {"leaves": repeated_leaves(2**16 + 1), "index": 2**16}
    siblings = spec.compute_merkle_proof(hashes_of(spec, [L[0]] * (2**16 + 1)), 2**16)
    assert list(siblings) == [*DEFAULTS[:16], X[16]], f"spec proof {[s.hex() for s in siblings]}"
    yield "output", {"siblings": encode_hashes(siblings)}


@vector_case("merkle", "proof")
def test_proof_in_tree_needing_default_16(spec: ModuleType) -> Iterator[Part]:
    """Leaf 0 of 2^17 + 1 leaves: the tree cannot be built, so neither can a proof in it."""
    yield "input", {"leaves": repeated_leaves(2**17 + 1), "index": 0}
    leaves = hashes_of(spec, [L[0]] * (2**17 + 1))
    yield from expect_spec_error(spec, "MerkleTreeTooLarge", lambda: spec.compute_merkle_proof(leaves, 0))


@vector_case("merkle", "proof")
def test_index_checked_before_tree_size(spec: ModuleType) -> Iterator[Part]:
    """Index 2^17 + 1 of a tree of 2^17 + 1 leaves, too large to build: the index is reported, before any hashing."""
    yield "input", {"leaves": repeated_leaves(2**17 + 1), "index": 2**17 + 1}
    leaves = hashes_of(spec, [L[0]] * (2**17 + 1))
    yield from expect_spec_error(spec, "MerkleIndexOutOfRange", lambda: spec.compute_merkle_proof(leaves, 2**17 + 1))


# --- merkle/proof ------------------------------------------------------------------------------------------------


@vector_case("merkle", "proof")
def test_five_leaves_index_0(spec: ModuleType) -> Iterator[Part]:
    """5-leaf tree, leaf 0: siblings L1, H(L2,L3), H(H(L4,d0),d1)."""
    yield from expect_proof(spec, L[:5], 0, PROOFS_5[0])


@vector_case("merkle", "proof")
def test_five_leaves_index_1(spec: ModuleType) -> Iterator[Part]:
    """5-leaf tree, leaf 1: siblings L0, H(L2,L3), H(H(L4,d0),d1)."""
    yield from expect_proof(spec, L[:5], 1, PROOFS_5[1])


@vector_case("merkle", "proof")
def test_five_leaves_index_2(spec: ModuleType) -> Iterator[Part]:
    """5-leaf tree, leaf 2: siblings L3, H(L0,L1), H(H(L4,d0),d1)."""
    yield from expect_proof(spec, L[:5], 2, PROOFS_5[2])


@vector_case("merkle", "proof")
def test_five_leaves_index_3(spec: ModuleType) -> Iterator[Part]:
    """5-leaf tree, leaf 3: siblings L2, H(L0,L1), H(H(L4,d0),d1)."""
    yield from expect_proof(spec, L[:5], 3, PROOFS_5[3])


@vector_case("merkle", "proof")
def test_five_leaves_index_4(spec: ModuleType) -> Iterator[Part]:
    """5-leaf tree, the lone last leaf: its siblings are the padding default nodes d0 and d1, then H(H01,H23)."""
    yield from expect_proof(spec, L[:5], 4, PROOFS_5[4])


@vector_case("merkle", "proof")
def test_one_leaf_has_empty_proof(spec: ModuleType) -> Iterator[Part]:
    """A one-leaf tree: the leaf is the root, the proof has no siblings."""
    yield from expect_proof(spec, L[:1], 0, [])


@vector_case("merkle", "proof")
def test_proof_index_out_of_range(spec: ModuleType) -> Iterator[Part]:
    """Index 5 of a 5-leaf tree is not a leaf."""
    yield "input", {"leaves": encode_hashes(L[:5]), "index": 5}
    leaves = hashes_of(spec, L[:5])
    yield from expect_spec_error(spec, "MerkleIndexOutOfRange", lambda: spec.compute_merkle_proof(leaves, 5))


@vector_case("merkle", "proof")
def test_proof_of_empty_tree(spec: ModuleType) -> Iterator[Part]:
    """No leaves: the empty tree is reported before the index (0 would be out of range too)."""
    yield "input", {"leaves": [], "index": 0}
    yield from expect_spec_error(spec, "EmptyMerkleTree", lambda: spec.compute_merkle_proof([], 0))


# --- merkle/verify -----------------------------------------------------------------------------------------------


@vector_case("merkle", "verify")
def test_valid_proof(spec: ModuleType) -> Iterator[Part]:
    """Leaf 2 of the 5-leaf tree with its hand-computed proof: valid."""
    yield from expect_verify(spec, ROOT_5, L[2], 2, PROOFS_5[2], 5, True)


@vector_case("merkle", "verify")
def test_valid_proof_through_padding(spec: ModuleType) -> Iterator[Part]:
    """The lone leaf 4 of the 5-leaf tree, whose siblings are the default nodes d0 and d1: valid."""
    yield from expect_verify(spec, ROOT_5, L[4], 4, PROOFS_5[4], 5, True)


@vector_case("merkle", "verify")
def test_zero_padding_sibling_does_not_verify(spec: ModuleType) -> Iterator[Part]:
    """Leaf 4 with bytes32(0) where the padding sibling d0 belongs: well-formed but does not reach the root."""
    yield from expect_verify(spec, ROOT_5, L[4], 4, [bytes(32), DEFAULT_1, H0123], 5, False)


@vector_case("merkle", "verify")
def test_wrong_leaf(spec: ModuleType) -> Iterator[Part]:
    """Leaf 2's proof with another leaf (L5, not in the tree): false, not an error."""
    yield from expect_verify(spec, ROOT_5, L[5], 2, PROOFS_5[2], 5, False)


@vector_case("merkle", "verify")
def test_right_leaf_wrong_index(spec: ModuleType) -> Iterator[Part]:
    """L2 with its own siblings but claimed at index 3: hashed in the wrong order, false."""
    yield from expect_verify(spec, ROOT_5, L[2], 3, PROOFS_5[2], 5, False)


@vector_case("merkle", "verify")
def test_wrong_root(spec: ModuleType) -> Iterator[Part]:
    """A valid path for leaf 0 checked against the 4-leaf root of L0..L3 (H0123): false."""
    yield from expect_verify(spec, H0123, L[0], 0, PROOFS_5[0], 5, False)


@vector_case("merkle", "verify")
def test_too_few_siblings(spec: ModuleType) -> Iterator[Part]:
    """Two siblings for a 5-leaf tree (ceil(log2 5) = 3 expected): malformed."""
    yield from expect_verify_rejected(spec, ROOT_5, L[0], 0, PROOFS_5[0][:2], 5, "MerkleProofLengthMismatch")


@vector_case("merkle", "verify")
def test_too_many_siblings(spec: ModuleType) -> Iterator[Part]:
    """Four siblings for a 5-leaf tree: malformed, even though the first three are right."""
    siblings = [*PROOFS_5[0], DEFAULT_3]
    yield from expect_verify_rejected(spec, ROOT_5, L[0], 0, siblings, 5, "MerkleProofLengthMismatch")


@vector_case("merkle", "verify")
def test_index_equal_to_total(spec: ModuleType) -> Iterator[Part]:
    """Index 5 of 5 leaves is past the end, whatever the siblings."""
    yield from expect_verify_rejected(spec, ROOT_5, L[4], 5, PROOFS_5[4], 5, "MerkleIndexOutOfRange")


@vector_case("merkle", "verify")
def test_index_checked_before_proof_length(spec: ModuleType) -> Iterator[Part]:
    """Index past the end and a wrong number of siblings: the index is reported."""
    yield from expect_verify_rejected(spec, ROOT_5, L[0], 9, [], 5, "MerkleIndexOutOfRange")


@vector_case("merkle", "verify")
def test_zero_total_leaves(spec: ModuleType) -> Iterator[Part]:
    """A tree of 0 leaves: empty is reported first (index 0 would also be out of range)."""
    yield from expect_verify_rejected(spec, L[0], L[0], 0, [], 0, "EmptyMerkleTree")


@vector_case("merkle", "verify")
def test_single_leaf_tree(spec: ModuleType) -> Iterator[Part]:
    """One leaf, no siblings, leaf equal to the root: true."""
    yield from expect_verify(spec, L[7], L[7], 0, [], 1, True)


@vector_case("merkle", "verify")
def test_single_leaf_tree_other_root(spec: ModuleType) -> Iterator[Part]:
    """One leaf, no siblings, leaf different from the root: false."""
    yield from expect_verify(spec, L[7], L[8], 0, [], 1, False)
