"""The primitives the storage chapter builds on: IPFS's encodings and the resolver's cryptography.

Each is a thin wrapper around a maintained library, so that the spec's Python composes them and does not
re-implement them: unsigned varints, multihash and multibase from ``multiformats``; the protobuf messages of
UnixFS and DAG-PB from Google's ``protobuf`` (built from their schemas below, as ``protoc`` would); HKDF and
AES-SIV from ``cryptography``; a request signer's recovery from ``eth-keys``, as py-evm recovers a transaction's
sender. Written by hand here is only what no library does: DAG-PB's canonical field order
(a node's links are encoded before its data, although protobuf orders fields by number; see ``dag_pb_encode_node``).
"""

from __future__ import annotations

import hashlib
from typing import Any, Optional, Sequence, Tuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from eth_keys.datatypes import Signature
from eth_keys.exceptions import BadSignature
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from multiformats import multibase, multihash, varint

__all__ = [
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
]


class MultiformatDecodingError(ValueError):
    """Text or bytes that are not a canonical multibase string or unsigned varint (spec code names the error)."""


def sha2_256(data: bytes) -> bytes:
    """FIPS 180-4 SHA-256 (IPFS's default hash)."""
    return hashlib.sha256(data).digest()


_SHA2_256_MULTIHASH = multihash.get("sha2-256")


def multihash_sha2_256(data: bytes | memoryview) -> bytes:
    """The multihash of ``data`` under sha2-256: the code ``0x12``, the length 32 and the digest. (The digest is
    hashlib's, which reads a view without copying it; the library wraps it.)"""
    return bytes(_SHA2_256_MULTIHASH.wrap(hashlib.sha256(data).digest()))


def varint_encode(value: int) -> bytes:
    """The multiformats unsigned varint of ``value`` (LEB128: seven bits a byte, low bits first; at most 9 bytes)."""
    return bytes(varint.encode(value))


def varint_decode(data: bytes) -> Tuple[int, int]:
    """The unsigned varint at the start of ``data`` and the bytes it takes. Strict, as the multiformats spec
    requires: a varint that is not minimally encoded, runs past the end or is longer than 9 bytes raises
    ``MultiformatDecodingError``."""
    try:
        value, length, _ = varint.decode_raw(bytes(data))
    except ValueError as error:
        raise MultiformatDecodingError(str(error)) from None
    return value, length


def multibase_base32_encode(data: bytes) -> str:
    """Multibase ``base32``: the prefix ``b`` and RFC 4648 base32 in lower case without padding (how IPFS writes a
    CIDv1)."""
    return str(multibase.encode(bytes(data), "base32"))


def multibase_base32_decode(text: str) -> bytes:
    """The bytes of a multibase ``base32`` string. Only the canonical form is accepted: the prefix ``b``, lower case,
    no padding, and zero pad bits, so that each byte string has exactly one text; anything else raises
    ``MultiformatDecodingError``."""
    if not text.startswith("b"):
        raise MultiformatDecodingError(f"not multibase base32 (prefix 'b'): {text[:1]!r}")
    try:
        data = bytes(multibase.decode(text))
    except Exception as error:  # multiformats raises its own DecodingError and KeyError/ValueError on bad text
        raise MultiformatDecodingError(str(error)) from None
    if multibase_base32_encode(data) != text:  # upper case, padding or a different spelling of the same bytes
        raise MultiformatDecodingError("not the canonical base32 text of its bytes")
    return data


# The protobuf schemas of UnixFS (``unixfs.proto``: only the fields a file uses) and DAG-PB (``merkledag.proto``),
# as descriptors: the ``protobuf`` library then encodes messages exactly as ``protoc``-generated code would.
_FIELD = descriptor_pb2.FieldDescriptorProto
_SCHEMAS = descriptor_pb2.FileDescriptorProto(name="mvm_spec_ipfs.proto", package="mvm_spec_ipfs", syntax="proto2")
_UNIXFS_DATA = _SCHEMAS.message_type.add(name="Data")
_UNIXFS_DATA.field.add(name="Type", number=1, type=_FIELD.TYPE_UINT64, label=_FIELD.LABEL_REQUIRED)
_UNIXFS_DATA.field.add(name="Data", number=2, type=_FIELD.TYPE_BYTES, label=_FIELD.LABEL_OPTIONAL)
_UNIXFS_DATA.field.add(name="filesize", number=3, type=_FIELD.TYPE_UINT64, label=_FIELD.LABEL_OPTIONAL)
_UNIXFS_DATA.field.add(name="blocksizes", number=4, type=_FIELD.TYPE_UINT64, label=_FIELD.LABEL_REPEATED)
_DAG_PB_LINK = _SCHEMAS.message_type.add(name="PBLink")
_DAG_PB_LINK.field.add(name="Hash", number=1, type=_FIELD.TYPE_BYTES, label=_FIELD.LABEL_OPTIONAL)
_DAG_PB_LINK.field.add(name="Name", number=2, type=_FIELD.TYPE_STRING, label=_FIELD.LABEL_OPTIONAL)
_DAG_PB_LINK.field.add(name="Tsize", number=3, type=_FIELD.TYPE_UINT64, label=_FIELD.LABEL_OPTIONAL)
_DAG_PB_NODE = _SCHEMAS.message_type.add(name="PBNode")
_DAG_PB_NODE.field.add(name="Data", number=1, type=_FIELD.TYPE_BYTES, label=_FIELD.LABEL_OPTIONAL)
_DAG_PB_NODE.field.add(
    name="Links", number=2, type=_FIELD.TYPE_MESSAGE, type_name=".mvm_spec_ipfs.PBLink", label=_FIELD.LABEL_REPEATED
)
_POOL = descriptor_pool.DescriptorPool()
_POOL.Add(_SCHEMAS)
_UnixfsData: Any = message_factory.GetMessageClass(_POOL.FindMessageTypeByName("mvm_spec_ipfs.Data"))
_DagPbNode: Any = message_factory.GetMessageClass(_POOL.FindMessageTypeByName("mvm_spec_ipfs.PBNode"))


def unixfs_encode_file_data(unixfs_type: int, filesize: int, blocksizes: Sequence[int]) -> bytes:
    """The protobuf encoding of a UnixFS ``Data`` message with ``Type``, ``filesize`` and ``blocksizes`` set and no
    ``Data`` bytes: what an inner node of a file's DAG carries (its leaves hold the bytes)."""
    message = _UnixfsData(Type=unixfs_type, filesize=filesize, blocksizes=list(blocksizes))
    return bytes(message.SerializeToString(deterministic=True))


def dag_pb_encode_node(links: Sequence[Tuple[bytes, int]], data: bytes) -> bytes:
    """The canonical DAG-PB encoding of a node with ``links`` (each a CID in binary and its ``Tsize``, with the empty
    ``Name`` that IPFS's file importers write) and ``data``.

    DAG-PB puts every link (field 2) before the data (field 1), against protobuf's field-number order: so the
    links and the data are encoded as two messages and joined, which is still one valid protobuf message."""
    links_part = _DagPbNode()
    for link_hash, tsize in links:
        links_part.Links.add(Hash=bytes(link_hash), Name="", Tsize=tsize)
    data_part = _DagPbNode(Data=bytes(data))
    return bytes(links_part.SerializeToString(deterministic=True) + data_part.SerializeToString(deterministic=True))


def hkdf_sha256(secret: bytes, salt: bytes, info: bytes, length: int) -> bytes:
    """RFC 5869 HKDF with SHA-256: ``length`` bytes of key derived from ``secret``."""
    return bytes(HKDF(algorithm=hashes.SHA256(), length=length, salt=bytes(salt), info=bytes(info)).derive(secret))


def aes_siv_seal(key: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
    """RFC 5297 AES-SIV (AES-256 for a 64-byte key): the 16-byte synthetic IV, then the ciphertext. Deterministic:
    the same key, plaintext and associated data always give the same bytes."""
    return bytes(AESSIV(bytes(key)).encrypt(bytes(plaintext), [bytes(associated_data)]))


def aes_siv_open(key: bytes, sealed: bytes, associated_data: bytes) -> Optional[bytes]:
    """The plaintext ``aes_siv_seal`` sealed under ``key`` with ``associated_data``, or ``None`` when ``sealed`` was
    not (another key or associated data, a changed byte, or too short to hold the 16-byte IV)."""
    if len(sealed) <= 16:  # a sealed CID is its 16-byte IV and at least one byte (AES-SIV refuses less)
        return None
    try:
        return bytes(AESSIV(bytes(key)).decrypt(bytes(sealed), [bytes(associated_data)]))
    except InvalidTag:
        return None


def secp256k1_recover_address(message_hash: bytes, v: int, r: int, s: int) -> Optional[bytes]:
    """The Ethereum address (the last 20 bytes of the keccak256 of the public key) whose key signed the 32-byte
    ``message_hash`` as ``(v, r, s)`` with ``v`` the recovery id 0 or 1, as ``ecrecover`` computes it; ``None`` when
    no public key recovers. The caller checks the ranges of ``r`` and ``s`` (secp256k1, EIP-2's low ``s``)."""
    try:
        public_key = Signature(vrs=(v, r, s)).recover_public_key_from_msg_hash(bytes(message_hash))
    except (BadSignature, ValueError):
        return None
    return bytes(public_key.to_canonical_address())
