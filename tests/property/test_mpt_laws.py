"""The adapter's lazily hashed trie (mvm_spec/mpt.py) is Ethereum's Merkle-Patricia trie: on any sequence of writes
and deletes, from an empty trie or from one already in the database, its root and its reads are those of the
``trie`` library's HexaryTrie, the implementation py-evm (and so the rest of the EVM) uses."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from trie.hexary import HexaryTrie

from mvm_spec.mpt import BLANK_ROOT, LazyTrie

# Keys of one length per trie, as in Ethereum's tries (storage and accounts: 32-byte hashes), so that no key is a
# prefix of another (HexaryTrie cannot read such a key). Short keys of few distinct nibbles make shared prefixes,
# extensions, embedded nodes and collapses common.
def keys_of(length: int) -> st.SearchStrategy[bytes]:
    raw = st.binary(min_size=length, max_size=length)
    return raw if length == 32 else raw.map(lambda key: bytes(byte & 0x31 for byte in key))


values = st.one_of(st.just(b""), st.binary(min_size=1, max_size=3), st.binary(min_size=30, max_size=40))


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[tuple[bytes, bytes]], list[tuple[bytes, bytes]], list[bytes]]:
    keys = keys_of(draw(st.sampled_from([1, 2, 3, 32])))
    changes = st.lists(st.tuples(keys, values), max_size=40)
    return draw(changes), draw(changes), draw(st.lists(keys, max_size=10))


def _apply(trie: object, changes: list[tuple[bytes, bytes]]) -> None:
    for key, value in changes:
        if value:
            trie[key] = value  # type: ignore[index]
        else:
            del trie[key]  # type: ignore[attr-defined]


@settings(max_examples=400)
@given(histories())
def test_roots_and_reads_match_the_hexary_trie(
    history: tuple[list[tuple[bytes, bytes]], list[tuple[bytes, bytes]], list[bytes]],
) -> None:
    first, second, probes = history
    reference = HexaryTrie({})
    lazy_db: dict[bytes, bytes] = {}
    lazy = LazyTrie(lazy_db)
    _apply(reference, first)
    _apply(lazy, first)
    assert lazy.root_hash == reference.root_hash
    # Reopen from the database alone: the nodes written while hashing are all a later trie needs.
    reopened = LazyTrie(lazy_db, lazy.root_hash)
    _apply(reference, second)
    _apply(reopened, second)
    assert reopened.root_hash == reference.root_hash
    for key in probes + [key for key, _ in first + second]:
        assert reopened[key] == reference.get(key)
        assert (key in reopened) == (reference.get(key) != b"")


def test_known_roots() -> None:
    # The empty trie's root is keccak256(rlp(b"")); Ethereum's well-known values.
    assert LazyTrie({}).root_hash == BLANK_ROOT
    assert BLANK_ROOT.hex() == "56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"
    # The Yellow Paper's example keys (the "dogs" trie of the Ethereum wiki's Patricia tree page).
    trie = LazyTrie({})
    for key, value in ((b"do", b"verb"), (b"dog", b"puppy"), (b"doge", b"coin"), (b"horse", b"stallion")):
        trie[key] = value
    assert trie.root_hash.hex() == "5991bb8c6514148a29db676a14ac506cd2cd5775ace63c30a4fe457715e9ac84"


rlp_items = st.recursive(st.binary(max_size=70), lambda children: st.lists(children, max_size=5), max_leaves=20)


@given(rlp_items)
def test_node_encoding_is_rlp(item: object) -> None:
    import rlp  # type: ignore[import-untyped]

    from mvm_spec.mpt import _rlp_encode

    assert _rlp_encode(item) == rlp.encode(item)
