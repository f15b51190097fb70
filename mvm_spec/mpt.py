"""Ethereum's Merkle-Patricia trie (Yellow Paper, appendix D), hashed lazily: the adapter's storage tries.

py-evm keeps each account's storage in the ``trie`` library's ``HexaryTrie``, which re-encodes and re-hashes the
path of every key it sets, one key at a time; a transaction writing 50 slots spent more time there than executing.
:class:`LazyTrie` is the same trie with the work moved to where it is needed: nodes are decoded once and kept in
memory, a write only changes the nodes on its path and marks them dirty, and the root hash encodes and hashes each
dirty node once. The roots are Ethereum's, bit for bit: ``tests/property/test_mpt_laws.py`` checks them against
``HexaryTrie`` on random sequences of writes and deletes, and every vector's state root still matches.

Node references follow the Yellow Paper: a child whose RLP encoding is shorter than 32 bytes is embedded in its
parent, any other is referred to by the keccak256 of its encoding, which is written to the node database (the root
is always hashed and written). Nothing is ever deleted from the database: an older root stays readable.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, MutableMapping, Union

import rlp  # type: ignore[import-untyped]  # pyrlp ships no type information
from eth_hash.auto import keccak
from trie.exceptions import MissingTrieNode

BLANK_ROOT = keccak(rlp.encode(b""))


class _Leaf:
    __slots__ = ("path", "value", "ref")

    def __init__(self, path: bytes, value: bytes) -> None:
        self.path, self.value = path, value
        self.ref: Any = None  # the node's reference (see LazyTrie._reference) while it is clean, else None


class _Extension:
    __slots__ = ("path", "child", "ref")

    def __init__(self, path: bytes, child: _Child) -> None:
        self.path, self.child = path, child
        self.ref: Any = None


class _Branch:
    __slots__ = ("children", "value", "ref")

    def __init__(self) -> None:
        self.children: list[_Child] = [None] * 16
        self.value = b""
        self.ref: Any = None


_Node = Union[_Leaf, _Extension, _Branch]
_Child = Union[_Node, bytes, None]  # a node in memory, the hash of one still in the database, or nothing


_HEX_DIGIT_VALUES = bytes.maketrans(b"0123456789abcdef", bytes(range(16)))


def _nibbles(key: bytes) -> bytes:
    """``key`` as half-bytes, high first: one byte (0 to 15) per nibble."""
    return key.hex().encode("ascii").translate(_HEX_DIGIT_VALUES)


def _length_prefix(length: int, offset: int) -> bytes:
    if length < 56:
        return bytes([offset + length])
    encoded_length = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([offset + 55 + len(encoded_length)]) + encoded_length


def _rlp_encode(item: Any) -> bytes:
    """RLP of a node structure (byte strings and lists of them): what ``rlp.encode`` gives, without its type
    inference, which cost more than the hashing."""
    if isinstance(item, (bytes, bytearray)):
        if len(item) == 1 and item[0] < 0x80:
            return bytes(item)
        return _length_prefix(len(item), 0x80) + item
    payload = b"".join([_rlp_encode(element) for element in item])
    return _length_prefix(len(payload), 0xC0) + payload


def _hex_prefix(path: bytes, is_leaf: bool) -> bytes:
    flag = 2 if is_leaf else 0
    if len(path) % 2:
        return bytes([(flag + 1) << 4 | path[0]]) + bytes(path[i] << 4 | path[i + 1] for i in range(1, len(path), 2))
    return bytes([flag << 4]) + bytes(path[i] << 4 | path[i + 1] for i in range(0, len(path), 2))


def _decode(item: Any) -> _Node:
    """A node from its RLP structure (children referred to by hash stay hashes until read)."""
    if len(item) == 17:
        branch = _Branch()
        branch.children = [None if child == b"" else child if isinstance(child, bytes) else _decode(child) for child in item[:16]]
        branch.value = item[16]
        return branch
    prefix, rest = item
    flag = prefix[0] >> 4
    path = _nibbles(prefix)[1 if flag & 1 else 2 :]
    if flag >= 2:
        return _Leaf(path, rest)
    return _Extension(path, rest if isinstance(rest, bytes) else _decode(rest))


def _common_prefix_length(left: bytes, right: bytes) -> int:
    length = 0
    for a, b in zip(left, right):
        if a != b:
            break
        length += 1
    return length


class LazyTrie:
    """A Merkle-Patricia trie over ``db`` (node hash -> encoding) starting at ``root_hash``; keys and values are
    bytes, and setting the empty value deletes the key, as in ``HexaryTrie``."""

    def __init__(self, db: MutableMapping[bytes, bytes], root_hash: bytes = BLANK_ROOT) -> None:
        self.db = db
        self._reset(root_hash)

    def _reset(self, root_hash: bytes) -> None:
        self._root: _Child = None if root_hash == BLANK_ROOT else bytes(root_hash)
        self._root_hash: bytes | None = bytes(root_hash)
        self._starting_root = bytes(root_hash)

    @contextmanager
    def squash_changes(self) -> Iterator[LazyTrie]:
        """Writes made in the block either all stay or, if it raises, all go (py-evm's account trie asks for this).
        Hashing is lazy already, so there is nothing to squash."""
        start = self.root_hash
        try:
            yield self
        except BaseException:
            self._reset(start)  # every node of the start root was written to the database when it was hashed
            raise

    # --- Reading ------------------------------------------------------------------------------------------------

    def _load(self, reference: bytes, key: bytes) -> _Node:
        try:
            encoded = self.db[reference]
        except KeyError:
            raise MissingTrieNode(reference, self._starting_root, key) from None  # type: ignore[arg-type]
        node = _decode(rlp.decode(encoded))
        # A node stored by hash has an encoding of 32 bytes or more, so its hash is its reference, except the root,
        # which is hashed whatever its length and, once below a new root, may have to be embedded instead.
        node.ref = reference if reference != self._starting_root else None
        return node

    def _resolve_root(self, key: bytes) -> _Node | None:
        if isinstance(self._root, bytes):
            self._root = self._load(self._root, key)
        return self._root

    def _resolve_child(self, parent: _Branch | _Extension, index: int, key: bytes) -> _Node | None:
        child = parent.child if isinstance(parent, _Extension) else parent.children[index]
        if isinstance(child, bytes):
            child = self._load(child, key)
            if isinstance(parent, _Extension):
                parent.child = child
            else:
                parent.children[index] = child
        return child

    def __getitem__(self, key: bytes) -> bytes:
        path = _nibbles(key)
        node = self._resolve_root(key)
        position = 0
        while node is not None:
            if isinstance(node, _Leaf):
                return node.value if node.path == path[position:] else b""
            if isinstance(node, _Extension):
                if path[position : position + len(node.path)] != node.path:
                    return b""
                position += len(node.path)
                node = self._resolve_child(node, 0, key)
            else:
                if position == len(path):
                    return bytes(node.value)
                node = self._resolve_child(node, path[position], key)
                position += 1
        return b""

    def __contains__(self, key: object) -> bool:
        return isinstance(key, bytes) and self[key] != b""

    # --- Writing ------------------------------------------------------------------------------------------------

    def __setitem__(self, key: bytes, value: bytes) -> None:
        if value == b"":
            del self[key]
            return
        self._root = self._insert(self._resolve_root(key), _nibbles(key), bytes(value), key)
        self._root_hash = None

    def __delitem__(self, key: bytes) -> None:
        root, changed = self._delete(self._resolve_root(key), _nibbles(key), key)
        if changed:
            self._root, self._root_hash = root, None

    def _insert(self, node: _Node | None, path: bytes, value: bytes, key: bytes) -> _Node:
        if node is None:
            return _Leaf(path, value)
        if isinstance(node, _Leaf):
            if node.path == path:
                if node.value != value:
                    node.value, node.ref = value, None
                return node
            shared = _common_prefix_length(node.path, path)
            branch = _Branch()
            self._place(branch, node.path[shared:], node.value)
            self._place(branch, path[shared:], value)
            return _Extension(path[:shared], branch) if shared else branch
        if isinstance(node, _Extension):
            shared = _common_prefix_length(node.path, path)
            if shared == len(node.path):
                node.child = self._insert(self._resolve_child(node, 0, key), path[shared:], value, key)
                node.ref = None
                return node
            branch = _Branch()
            remainder = node.path[shared + 1 :]
            branch.children[node.path[shared]] = _Extension(remainder, node.child) if remainder else node.child
            self._place(branch, path[shared:], value)
            return _Extension(path[:shared], branch) if shared else branch
        if not path:
            node.value = value
        else:
            node.children[path[0]] = self._insert(self._resolve_child(node, path[0], key), path[1:], value, key)
        node.ref = None
        return node

    @staticmethod
    def _place(branch: _Branch, path: bytes, value: bytes) -> None:
        if path:
            branch.children[path[0]] = _Leaf(path[1:], value)
        else:
            branch.value = value

    def _delete(self, node: _Node | None, path: bytes, key: bytes) -> tuple[_Node | None, bool]:
        """The node with ``path`` deleted below it, and whether anything changed."""
        if node is None:
            return None, False
        if isinstance(node, _Leaf):
            return (None, True) if node.path == path else (node, False)
        if isinstance(node, _Extension):
            if path[: len(node.path)] != node.path:
                return node, False
            child, changed = self._delete(self._resolve_child(node, 0, key), path[len(node.path) :], key)
            if not changed:
                return node, False
            return self._prepend(node.path, child), True
        if not path:
            if node.value == b"":
                return node, False
            node.value = b""
        else:
            child, changed = self._delete(self._resolve_child(node, path[0], key), path[1:], key)
            if not changed:
                return node, False
            node.children[path[0]] = child
        node.ref = None
        return self._collapse(node, key), True

    def _prepend(self, path: bytes, child: _Node | None) -> _Node | None:
        """``child`` reached through ``path``: merged into it if it is a leaf or an extension."""
        if child is None:
            return None
        if isinstance(child, _Leaf):
            return _Leaf(path + child.path, child.value)
        if isinstance(child, _Extension):
            return _Extension(path + child.path, child.child)
        return _Extension(path, child) if path else child

    def _collapse(self, branch: _Branch, key: bytes) -> _Node | None:
        """A branch left with one entry becomes a leaf or an extension (the trie keeps no branch with fewer than 2)."""
        occupied = [index for index, child in enumerate(branch.children) if child is not None]
        if len(occupied) + (branch.value != b"") >= 2:
            return branch
        if not occupied:
            return _Leaf(b"", branch.value) if branch.value != b"" else None
        (index,) = occupied
        return self._prepend(bytes([index]), self._resolve_child(branch, index, key))

    # --- Hashing ------------------------------------------------------------------------------------------------

    def _reference(self, node: _Child) -> Any:
        """What a parent holds for ``node``: its RLP structure if the encoding is short, else its hash (written)."""
        if node is None:
            return b""
        if isinstance(node, bytes):
            return node
        if node.ref is not None:
            return node.ref
        structure = self._structure(node)
        encoded = _rlp_encode(structure)
        if len(encoded) < 32:
            node.ref = structure
        else:
            node.ref = keccak(encoded)
            self.db[node.ref] = encoded
        return node.ref

    def _structure(self, node: _Node) -> Any:
        if isinstance(node, _Leaf):
            return [_hex_prefix(node.path, True), node.value]
        if isinstance(node, _Extension):
            return [_hex_prefix(node.path, False), self._reference(node.child)]
        return [self._reference(child) for child in node.children] + [node.value]

    @property
    def root_hash(self) -> bytes:
        return self._compute_root_hash()

    @root_hash.setter
    def root_hash(self, value: bytes) -> None:
        self._reset(value)

    def _compute_root_hash(self) -> bytes:
        if self._root_hash is None:
            if self._root is None:
                self._root_hash = BLANK_ROOT
            else:
                assert not isinstance(self._root, bytes)  # a root still in the database has a known hash
                encoded = _rlp_encode(self._structure(self._root))
                self._root_hash = keccak(encoded)
                self.db[self._root_hash] = encoded
        return self._root_hash
