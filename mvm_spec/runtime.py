"""The small, hand-written base the rendered spec modules import.

Everything a spec function may use beyond builtins comes from here: fixed-width integer and byte-string
types (whose constructors reject out-of-range values, so a wrong intermediate can never pass silently),
the frozen ``dataclass`` decorator, typing helpers, keccak256, ABI encoding, RLP decoding, Merkle-Patricia proof
checking, the EVM (``evm_*``: the py-evm adapter of ``mvm_spec.evm``), and IPFS's encodings and the storage
resolver's cryptography (``mvm_spec.ipfs``). Spec code never imports anything else.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass as _dataclass
from dataclasses import field
from functools import lru_cache as _lru_cache
from typing import TYPE_CHECKING, Any, Callable, Final, Optional, Self, Sequence, Tuple, TypeVar, dataclass_transform
from typing import cast as _cast

import rlp as _rlp  # type: ignore[import-untyped]  # pyrlp ships no type information
from eth_abi.decoding import ContextFramesBytesIO as _AbiStream
from eth_abi.encoding import TupleEncoder as _AbiTupleEncoder
from eth_abi.exceptions import DecodingError
from eth_abi.registry import registry as _abi_registry
from sha3 import keccak_256 as _keccak_256  # safe-pysha3: the Keccak Code Package's C, behind one Python call
from eth_utils.exceptions import ValidationError as _EthUtilsValidationError
from trie.exceptions import BadTrieProof as _BadTrieProof
from trie.exceptions import InvalidNibbles as _InvalidNibbles
from trie.exceptions import InvalidNode as _InvalidNode
from trie.exceptions import MissingTrieNode as _MissingTrieNode
from trie.exceptions import ValidationError as _TrieValidationError
from trie.hexary import HexaryTrie as _HexaryTrie

from .evm import BEACON_ROOTS_ADDRESS, BEACON_ROOTS_CODE, DecodedTransaction, EvmWorld, ExecutionResult, GenesisAccount
from .evm import BlockContext as EvmBlockContext
from .evm import CharterCalls as EvmCharterCalls
from .evm import TransferTax as EvmTransferTax
from .evm import EvmMissingData, UndecodableTransaction
from .evm import burn as evm_burn
from .evm import decode_transaction as evm_decode_transaction
from .evm import execute_deposit as evm_execute_deposit
from .evm import execute_system_call as evm_execute_system_call
from .evm import execute_transaction as evm_execute_transaction
from .evm import genesis_world as evm_genesis_world
from .evm import get_account_proof as evm_get_account_proof
from .evm import get_balance as evm_get_balance
from .evm import get_code as evm_get_code
from .evm import get_nonce as evm_get_nonce
from .evm import get_storage_proof as evm_get_storage_proof
from .evm import get_storage_root as evm_get_storage_root
from .evm import mint as evm_mint
from .evm import transfer as evm_transfer
from .ipfs import MultiformatDecodingError, aes_siv_open, aes_siv_seal, dag_pb_encode_node, hkdf_sha256
from .ipfs import multibase_base32_decode, multibase_base32_encode, multihash_sha2_256, secp256k1_recover_address, sha2_256
from .ipfs import unixfs_encode_file_data, varint_decode, varint_encode

__all__ = [
    "AbiDecodingError",
    "Any",
    "BEACON_ROOTS_ADDRESS",
    "BEACON_ROOTS_CODE",
    "DecodedTransaction",
    "EvmBlockContext",
    "EvmCharterCalls",
    "EvmTransferTax",
    "EvmMissingData",
    "EvmWorld",
    "ExecutionResult",
    "GenesisAccount",
    "RlpDecodingError",
    "TrieProofError",
    "UndecodableTransaction",
    "evm_burn",
    "evm_decode_transaction",
    "evm_execute_deposit",
    "evm_execute_system_call",
    "evm_execute_transaction",
    "evm_genesis_world",
    "evm_get_account_proof",
    "evm_get_balance",
    "evm_get_code",
    "evm_get_nonce",
    "evm_get_storage_proof",
    "evm_get_storage_root",
    "evm_mint",
    "evm_transfer",
    "MultiformatDecodingError",
    "aes_siv_open",
    "aes_siv_seal",
    "dag_pb_encode_node",
    "hkdf_sha256",
    "multibase_base32_decode",
    "multibase_base32_encode",
    "multihash_sha2_256",
    "secp256k1_recover_address",
    "sha2_256",
    "unixfs_encode_file_data",
    "varint_decode",
    "varint_encode",
    "abi_decode",
    "bisect_left",
    "abi_encode",
    "Bytes20",
    "Bytes32",
    "Callable",
    "Final",
    "Optional",
    "Sequence",
    "Tuple",
    "container",
    "field",
    "keccak256",
    "replace",
    "rlp_decode",
    "trie_get_from_proof",
    "uint8",
    "uint64",
    "uint256",
]

_T = TypeVar("_T")


@dataclass_transform(frozen_default=True)
def container(cls: type[_T]) -> type[_T]:
    """A spec container: an immutable, hashable value with fields in declaration order."""
    own_init = "__init__" in vars(cls)  # the dataclass keeps a class's own __init__, and so does the runtime
    made = _dataclass(frozen=True)(cls)
    _CONTAINER_TYPES.add(made)
    if not own_init:
        _set_dict_init(made)
    return made


_CONTAINER_TYPES: set[type] = set()  # what ``replace`` may copy without ``__init__``


def _set_dict_init(cls: type) -> None:
    """Give a container whose fields are all plain positional ones an ``__init__`` that sets its ``__dict__`` at once.

    A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``, one call per field (a
    14-field challenge: 2.4 us); this one builds the same dictionary, in field order, and sets it in one call (1.5
    us). The signature, and so every call's meaning, is the dataclass's. A container with a default, a factory, a
    keyword-only or non-init field, or a ``__post_init__`` keeps the dataclass's ``__init__``.
    """
    from dataclasses import MISSING, fields

    names = [item.name for item in fields(cls)]
    plain = all(
        item.default is MISSING and item.default_factory is MISSING and item.init and not item.kw_only
        for item in fields(cls)
    )
    if not plain or hasattr(cls, "__post_init__") or {"self", "_set_attribute"} & set(names):
        return
    values = ", ".join(f"{name!r}: {name}" for name in names)
    source = f"def __init__(self, {', '.join(names)}):\n    _set_attribute(self, '__dict__', {{{values}}})\n"
    namespace: dict[str, Any] = {}
    exec(source, {"_set_attribute": object.__setattr__}, namespace)  # the source holds only the class's field names
    init = namespace["__init__"]
    original = _cast(Any, cls).__init__
    init.__qualname__, init.__module__ = original.__qualname__, original.__module__
    init.__annotations__ = original.__annotations__
    _cast(Any, cls).__init__ = init


if TYPE_CHECKING:
    from dataclasses import replace  # mypy checks each call's field names and types against the container
else:
    from dataclasses import replace as _dataclasses_replace

    def replace(obj, /, **changes):
        """``dataclasses.replace`` for a spec container: a copy of ``obj`` with ``changes`` to its fields.

        A container is a plain frozen dataclass (no ``__post_init__``, every field set by ``__init__``, nothing
        else stored on it), so its ``__dict__`` is exactly its fields and a copy of that dictionary with the changes
        is the value ``__init__`` would build. The library's ``replace`` walks the class's field list and checks each
        field's kind, then runs ``__init__``, on every call: four times as slow, and the immutable hub is rebuilt by
        a chain of replaces on every operation (a third of a challenge move). Anything else, and an unknown field
        name, goes to the library's ``replace``.
        """
        cls = type(obj)
        if cls in _CONTAINER_TYPES:
            fields = obj.__dict__
            merged = fields | changes
            if len(merged) == len(fields):  # else a name that is not a field: the library raises its own error
                copy = _new_object(cls)
                _set_attribute(copy, "__dict__", merged)  # past the frozen class's __setattr__
                return copy
        return _dataclasses_replace(obj, **changes)

    _new_object, _set_attribute = object.__new__, object.__setattr__  # looked up once, not per call (~30 a game)


class _BoundedUint(int):
    """An unsigned integer of a fixed bit width; constructing it out of range raises ``ValueError``."""

    BITS: int = 0
    _limit: int = 1  # 2**BITS, computed once per class: every typed value the spec makes passes through here

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        cls._limit = 1 << cls.BITS

    def __new__(cls, value: int = 0) -> Self:
        # A plain int or another typed integer (almost every call) passes in one or two type tests, not three.
        if type(value) is not int and not isinstance(value, _BoundedUint):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{cls.__name__} takes an int, not {type(value).__name__}")
        if not 0 <= value < cls._limit:
            raise ValueError(f"{cls.__name__} out of range: {value}")
        return int.__new__(cls, value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({int(self)})"

    def __str__(self) -> str:  # messages and f-strings show the plain number
        return int.__repr__(self)


class uint8(_BoundedUint):
    BITS = 8


class uint64(_BoundedUint):
    BITS = 64


class uint256(_BoundedUint):
    BITS = 256


class _FixedBytes(bytes):
    """A byte string of a fixed length; constructing it with another length raises ``ValueError``."""

    LENGTH: int = 0

    def __new__(cls, value: bytes | str = b"") -> Self:
        if isinstance(value, bytes) and len(value) == cls.LENGTH and cls.LENGTH:  # the common case: already right
            return bytes.__new__(cls, value)
        raw = bytes.fromhex(value.removeprefix("0x")) if isinstance(value, str) else bytes(value)
        if value == b"" and cls.LENGTH:
            raw = bytes(cls.LENGTH)
        if len(raw) != cls.LENGTH:
            raise ValueError(f"{cls.__name__} needs {cls.LENGTH} bytes, got {len(raw)}")
        return bytes.__new__(cls, raw)

    def __repr__(self) -> str:
        return f"{type(self).__name__}('0x{self.hex()}')"


class Bytes20(_FixedBytes):
    LENGTH = 20


class Bytes32(_FixedBytes):
    LENGTH = 32


def keccak256(data: bytes) -> Bytes32:
    """Ethereum's keccak256 (the pre-standard Keccak, not SHA3-256)."""
    return Bytes32(_keccak(data))


def _keccak(data: bytes) -> bytes:
    # safe-pysha3's keccak_256 (eth-hash's "pysha3" backend, called directly): the same digest as eth-hash's default
    # pycryptodome backend (tests/unit/test_primitives.py checks both against published answers and each other),
    # without its Python layers, which cost 5 of the 6 us of a short hash: a block hashes four times per transaction.
    return _cast(bytes, _keccak_256(data).digest())


def abi_encode(types: Sequence[str], values: Sequence[Any]) -> bytes:
    """Solidity's ``abi.encode`` of ``values`` as ``types`` (eth-abi), so L1 contracts compute the same bytes."""
    return bytes(_abi_encoder(tuple(types))([_abi_value(value) for value in values]))


class _AbiTupleEncodedOnce(_AbiTupleEncoder):
    """eth-abi's tuple encoder, validating each value once.

    eth-abi's ``TupleEncoder.encode`` first validates every value against its type, then encodes each with its own
    encoder, which validates it again. Here the first pass checks only what the element encoders cannot (a
    list-like of the right length, else eth-abi's own check raises its own error); each value is still validated,
    by its encoder, before it is encoded. The layout (heads, tails, offsets) is eth-abi's ``encode``, unchanged.
    """

    def validate_value(self, value: Any) -> None:
        encoders: Tuple[Any, ...] = _cast(Any, self).encoders
        if not isinstance(value, (list, tuple)) or len(value) != len(encoders):
            _cast(Any, super()).validate_value(value)


@_lru_cache(maxsize=None)  # one per tuple of types the spec encodes: a few dozen
def _abi_encoder(types: Tuple[str, ...]) -> Callable[[Sequence[Any]], bytes]:
    """The encoder of a tuple of ``types``, built once from eth-abi's registry (as ``eth_abi.encode`` looks it up).

    A tuple of static types (words: integers, addresses, fixed bytes, booleans, and fixed arrays and tuples of them)
    has no tails: its encoding is its values' encodings one after the other, so their own encoders run in turn,
    without the tuple's per-call bookkeeping of heads and offsets. A tuple with a dynamic type goes through
    eth-abi's tuple encoding.
    """
    encoders: Tuple[Any, ...] = tuple(_cast(Any, _abi_registry.get_tuple_encoder(*types)).encoders)
    tuple_encoder: Any = _cast(Any, _AbiTupleEncodedOnce)(encoders=encoders)
    if tuple_encoder.is_dynamic:
        return _cast(Callable[[Sequence[Any]], bytes], tuple_encoder)

    def encode_words(values: Sequence[Any]) -> bytes:
        if len(values) != len(encoders):
            return bytes(tuple_encoder(values))  # raises eth-abi's error for the wrong number of values
        return b"".join([encoder(value) for encoder, value in zip(encoders, values)])

    return encode_words


class AbiDecodingError(ValueError):
    """Bytes that are not an ABI encoding of the types asked for (spec code turns it into a named spec error)."""


def abi_decode(types: Sequence[str], data: bytes) -> Tuple[Any, ...]:
    """Solidity's ``abi.decode``: the inverse of ``abi_encode``; raises ``AbiDecodingError`` on malformed bytes."""
    if len(data) <= _CACHED_DECODING_MAX_BYTES:
        return _abi_decode_small(tuple(types), bytes(data))
    return _abi_decode(tuple(types), bytes(data))


def _abi_decode(types: Tuple[str, ...], data: bytes) -> Tuple[Any, ...]:
    addresses = _uint256_and_address_words(types)
    if addresses is not None and len(data) >= 32 * len(types):
        words = _decode_uint256_and_address_words(addresses, data)
        if words is not None:
            return words
    try:
        decoder = _abi_registry.get_tuple_decoder(*types, strict=True)  # as eth-abi's ``decode`` does
        stream = _cast(Any, _AbiStream)(data)  # eth-abi's stream class is unannotated
        if decoder.is_dynamic or decoder.decoders is None:
            return tuple(decoder(stream))
        # Only static values (words): the tuple decoder would first run every word's decoder once to check the
        # pointers between them (there are none), then again to decode. The same decoders, run once.
        return tuple(word_decoder(stream) for word_decoder in decoder.decoders)
    except (DecodingError, UnicodeDecodeError, OverflowError) as error:
        raise AbiDecodingError(str(error)) from None


@_lru_cache(maxsize=None)  # one per tuple of types the spec decodes: a few
def _uint256_and_address_words(types: Tuple[str, ...]) -> Optional[Tuple[bool, ...]]:
    """For a tuple of only ``uint256`` and ``address`` types, whether each is an address; otherwise ``None``."""
    if not types or any(type_ not in ("uint256", "address") for type_ in types):
        return None
    return tuple(type_ == "address" for type_ in types)


def _decode_uint256_and_address_words(addresses: Tuple[bool, ...], data: bytes) -> Optional[Tuple[Any, ...]]:
    """The words of ``data``, each a ``uint256`` or (where ``addresses`` says) an ``address``, decoded as eth-abi
    decodes them, or ``None`` if an address word's padding is not zero (eth-abi then raises its own error).

    eth-abi reads each word through a stream, splits it into padding and value, checks the padding and converts
    the value, in four calls per word (9 us for a state batch's extra data, decoded at every challenge opened).
    Its answers, for words it accepts: a ``uint256`` word is its big-endian integer; an ``address`` word, whose
    first 12 bytes must be zero, is its last 20 bytes as ``to_normalized_address`` gives them: ``0x`` and lower-case
    hexadecimal. Bytes after the last word are ignored, as eth-abi ignores them.
    """
    values: list[Any] = []
    for position, is_address in enumerate(addresses):
        word = data[32 * position : 32 * position + 32]
        if not is_address:
            values.append(int.from_bytes(word, "big"))
        elif word[:12] == _ADDRESS_PADDING:
            values.append("0x" + word[12:].hex())
        else:
            return None
    return tuple(values)


_ADDRESS_PADDING: Final = bytes(12)


# A decoding is a pure function of the types and the bytes, and its value is immutable (eth-abi gives tuples, ints,
# strings and bytes), so short encodings are decoded once: a state batch's 160 bytes of extra data are decoded each
# time the hub asks when the batch was appended or who proposed it (every finality check, every challenge opened),
# and eth-abi took 20 us for its five words (2 us read as words above, 0.2 kept). Long encodings (transaction
# batches) are not kept.
_CACHED_DECODING_MAX_BYTES: Final = 256
_abi_decode_small = _lru_cache(maxsize=4096)(_abi_decode)


class RlpDecodingError(ValueError):
    """Bytes that are not exactly one canonical RLP item (spec code turns it into a named spec error)."""


def rlp_decode(data: bytes) -> Any:
    """The RLP item ``data`` encodes: a byte string, or a list of items. Strict (pyrlp's ``rlp.decode``): a
    non-canonical length, a truncated item or trailing bytes raise ``RlpDecodingError``."""
    try:
        return _rlp.decode(bytes(data), strict=True)
    except _rlp.exceptions.RLPException as error:
        raise RlpDecodingError(str(error)) from None


class TrieProofError(ValueError):
    """A Merkle-Patricia proof that proves nothing about the key under the root: a node missing, changed, extra
    in the wrong place, or not valid RLP, or a root that is not 32 bytes."""


# What py-trie raises on a proof whose nodes hash-link but are not well-formed trie nodes (a branch of the wrong
# width, a leaf whose path is not hex-prefix encoded, a hash of the wrong length...).
_MALFORMED_PROOF = (
    _BadTrieProof,
    _MissingTrieNode,
    _InvalidNode,
    _InvalidNibbles,
    _TrieValidationError,
    _EthUtilsValidationError,
    _rlp.exceptions.RLPException,
    IndexError,
    KeyError,
    TypeError,
    ValueError,
)


def trie_get_from_proof(root: bytes, key: bytes, proof: Sequence[bytes]) -> bytes:
    """The value stored at ``key`` in the Merkle-Patricia trie whose root hash is ``root``, as ``proof`` shows it.

    ``proof`` is ``eth_getProof``'s: the RLP-encoded trie nodes on the key's path (root first; the order does not
    matter, only which nodes are present). The value is the RLP the trie stores (an account's
    ``[nonce, balance, storage_root, code_hash]``, a storage slot's value), or ``b""`` when the proof shows the key
    absent. Raises ``TrieProofError`` when the proof does not decide the question under this root.
    """
    if len(root) != 32:
        raise TrieProofError(f"a trie root is 32 bytes, got {len(root)}")
    # The proof's nodes keyed by their hash, as a trie database holds them: py-trie then walks from the root and
    # decodes each node it reaches, and a node the path needs but the proof lacks is a missing node. (Hashing the
    # bytes given, rather than re-encoding decoded nodes, checks exactly what was sent, and costs one keccak each.)
    nodes = {_keccak(bytes(node)): bytes(node) for node in proof}
    try:
        value = _cast(Any, _HexaryTrie)(nodes, bytes(root)).get(bytes(key))  # py-trie is unannotated
    except _MALFORMED_PROOF as error:
        raise TrieProofError(f"bad proof of 0x{bytes(key).hex()} under 0x{bytes(root).hex()}: {error}") from None
    if not isinstance(value, bytes):  # a leaf or branch holding a list where a value belongs
        raise TrieProofError(f"the proof's value for 0x{bytes(key).hex()} is not a byte string")
    return value


def _abi_value(value: Any) -> Any:
    # eth-abi wants plain ints, bytes and lists; spec values are int/bytes subclasses and tuples.
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, bytes):
        return bytes(value)
    if isinstance(value, (tuple, list)):
        return [_abi_value(item) for item in value] if isinstance(value, list) else tuple(_abi_value(i) for i in value)
    return value
