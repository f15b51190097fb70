"""Vector cases for confidential storage (spec/v1/storage.md): content ids, handles and the resolver.

The expected values come from outside the spec. Every CID below was printed by IPFS's own JavaScript importer
(`ipfs-unixfs-importer` 17.1.1 with `cidVersion: 1, rawLeaves: true`, fixed-size chunks and the balanced layout,
as `ipfs add --cid-version 1 --raw-leaves` imports), and `tests/unit/test_storage_cids.py` runs that importer
again on every test run; "hello world" and the empty data are IPFS's well-known raw CIDs. Every handle is sealed
with pycryptodome's AES-SIV under a key derived with pycryptodome's HKDF, not with the library the spec uses; every
request is signed with an eth-keys private key, whose address is the requester the spec must recover.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from types import ModuleType
from typing import Any, Callable, Iterator, Optional

import coincurve
from Crypto.Cipher import AES
from Crypto.Hash import SHA256
from Crypto.Protocol.KDF import HKDF
from eth_abi.abi import encode as abi_encode
from eth_hash.auto import keccak
from eth_keys.datatypes import PrivateKey

from mvm_spec.vectors import expect_spec_error, vector_case
from mvm_spec.vectors.case import Part
from mvm_spec.vectors.codec import (
    encode_bytes,
    encode_charter,
    encode_content_store,
    encode_repeated_content,
    encode_resolver,
    encode_storage_request,
    encode_uint,
)

# Test data too long to write out: this 251-byte pattern (a prime length, so no two chunks of a long file are
# equal) repeated and cut to the length wanted.
PATTERN = bytes((index * 7 + 3) % 256 for index in range(251))
CHUNK = 262144  # IPFS's default chunk
LINKS = 174  # IPFS's default fan-out


def repeated(length: int) -> bytes:
    return (PATTERN * (length // len(PATTERN) + 1))[:length]


# (data length, chunk size, links per node) -> the CID ipfs-unixfs-importer printed for repeated(length).
IMPORTER_CIDS = {
    (262143, CHUNK, LINKS): "bafkreiaphn6dtxmwnpnzakomrer2zwlltabaasktocc34ody3i2qb3bkfu",
    (262144, CHUNK, LINKS): "bafkreig5pyl7egoejdn5msawsmbtmmeoirvve3oujqliabd7fgdswyi3iq",
    (262145, CHUNK, LINKS): "bafybeielzjlustuhusjyquoex5zqczrhbifiv3zimeym7eu6tdwk7xih6i",
    (174 * CHUNK, CHUNK, LINKS): "bafybeiexim2ou5sy7m3fi2fw27wnraunamlhwixqvdplukdhpxjqhwwcoa",
    (174 * CHUNK + 1, CHUNK, LINKS): "bafybeig4vapr2hbaccbxjyb2wfdvpchsgesnpaiyhvbl4ca5qgmeuk7mci",
    (1, 4, 3): "bafkreiaij7wqrolyv5gx2glkordkq22yacpgg23bdwyweenwlknk37zjyu",
    (4, 4, 3): "bafkreiccufdntsxzlqgstm7kry2xj46eo5ml5qwnzom6n4idqhphpk3nkq",
    (5, 4, 3): "bafybeicgrdsdlgd6cadw3q5rtrx4blf7tqybn45xyctvfrfkgvcgqsmisu",
    (12, 4, 3): "bafybeic2mouavvzp7bhrb4uadrtj7knvcr6z26b4dvlojvzxlevgv7u64a",
    (13, 4, 3): "bafybeihitjscq6cpxhk44yojfvstvcg4uyz6lkiu5bghtcbiynzwndlwbe",
    (36, 4, 3): "bafybeiagsvtpszcuxuhxbxmwvrq5f2u5wr45lekefzxsrdosnvamg4hk4e",
    (37, 4, 3): "bafybeifazll3y267fa6zkqkjkrs6jcnmzcyrevame65vjixqmv66a5jhaq",
    (2, 1, 2): "bafybeidr6znhecnrwet55wcgvxbj5jazghky4muwlvhcfwvwg5gvfsgc5e",
    (3, 1, 2): "bafybeifkf6oj7fx26wyedyadgdp75yhnpecvkp3yt4eje4epbjadcd2j5y",
    (5, 1, 2): "bafybeidkzkaezgyjbuypvrtwud2lz3qnon5g5koyqtv3lqb5hamsr2pyya",
}
EMPTY_CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"  # IPFS's CIDv1 of no bytes
HELLO = b"hello world"
HELLO_CID = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"  # IPFS's CIDv1 of "hello world"
# The same CID in binary, built by hand: version 1, codec raw 0x55, multihash sha2-256 (0x12), 32 bytes (0x20).
HELLO_CID_BYTES = bytes([0x01, 0x55, 0x12, 0x20]) + hashlib.sha256(HELLO).digest()


def expect_cid(
    spec: ModuleType, data: bytes, shown: Any, expected: str, layout: Optional[tuple[int, int]]
) -> Iterator[Part]:
    given: dict[str, Any] = {"data": shown}
    if layout is None:
        cid = spec.compute_cid(data)
    else:
        given["layout"] = {"chunk_size": layout[0], "max_links": layout[1]}
        cid = spec.compute_cid_with_layout(data, spec.uint64(layout[0]), spec.uint64(layout[1]))
    yield "input", given
    assert spec.format_cid(cid) == expected, f"spec {spec.format_cid(cid)}, IPFS's importer {expected}"
    yield "output", {"cid": expected}


def expect_importer_cid(spec: ModuleType, length: int, chunk: int, links: int) -> Iterator[Part]:
    expected = IMPORTER_CIDS[(length, chunk, links)]
    layout = None if (chunk, links) == (CHUNK, LINKS) else (chunk, links)
    shown = encode_bytes(repeated(length)) if length <= 64 else encode_repeated_content(PATTERN, length)
    yield from expect_cid(spec, repeated(length), shown, expected, layout)


# --- storage/cid: IPFS's defaults --------------------------------------------------------------------------------


@vector_case("storage", "cid")
def test_empty_data(spec: ModuleType) -> Iterator[Part]:
    """No bytes: one empty raw leaf, the CID IPFS gives an empty file (not a DAG-PB node with no links)."""
    yield from expect_cid(spec, b"", "0x", EMPTY_CID, None)


@vector_case("storage", "cid")
def test_hello_world(spec: ModuleType) -> Iterator[Part]:
    """A known answer: "hello world" is one raw block, bafkrei... (raw codec), as every IPFS node prints it."""
    yield from expect_cid(spec, HELLO, encode_bytes(HELLO), HELLO_CID, None)


@vector_case("storage", "cid")
def test_one_byte_short_of_a_chunk(spec: ModuleType) -> Iterator[Part]:
    """262,143 bytes: still one raw leaf."""
    yield from expect_importer_cid(spec, CHUNK - 1, CHUNK, LINKS)


@vector_case("storage", "cid")
def test_exactly_one_chunk(spec: ModuleType) -> Iterator[Part]:
    """262,144 bytes, exactly IPFS's chunk: one raw leaf, no DAG-PB node (a client with another chunk size or CIDv0
    gets another id)."""
    yield from expect_importer_cid(spec, CHUNK, CHUNK, LINKS)


@vector_case("storage", "cid")
def test_one_byte_over_a_chunk(spec: ModuleType) -> Iterator[Part]:
    """262,145 bytes: two leaves (the second of one byte) under a DAG-PB file node, bafybei..."""
    yield from expect_importer_cid(spec, CHUNK + 1, CHUNK, LINKS)


@vector_case("storage", "cid")
def test_a_full_node_of_174_chunks(spec: ModuleType) -> Iterator[Part]:
    """174 full chunks (45.6 MB): the most one node links, so still a tree of one level."""
    yield from expect_importer_cid(spec, LINKS * CHUNK, CHUNK, LINKS)


@vector_case("storage", "cid")
def test_one_byte_over_a_full_node(spec: ModuleType) -> Iterator[Part]:
    """174 chunks and a byte: a second level, whose second child is a node with one link (the balanced layout
    does not lift a lone child; a trickle-layout client differs here)."""
    yield from expect_importer_cid(spec, LINKS * CHUNK + 1, CHUNK, LINKS)


# --- storage/cid: small layouts, to cross every boundary cheaply ------------------------------------------------


@vector_case("storage", "cid")
def test_small_layout_one_byte(spec: ModuleType) -> Iterator[Part]:
    """Chunks of 4, nodes of 3: one byte is a raw leaf."""
    yield from expect_importer_cid(spec, 1, 4, 3)


@vector_case("storage", "cid")
def test_small_layout_exactly_one_chunk(spec: ModuleType) -> Iterator[Part]:
    """Chunks of 4, nodes of 3: four bytes are still one leaf."""
    yield from expect_importer_cid(spec, 4, 4, 3)


@vector_case("storage", "cid")
def test_small_layout_two_chunks(spec: ModuleType) -> Iterator[Part]:
    """Chunks of 4, nodes of 3: five bytes are a node over a full and a one-byte leaf."""
    yield from expect_importer_cid(spec, 5, 4, 3)


@vector_case("storage", "cid")
def test_small_layout_full_node(spec: ModuleType) -> Iterator[Part]:
    """Chunks of 4, nodes of 3: twelve bytes fill one node exactly."""
    yield from expect_importer_cid(spec, 12, 4, 3)


@vector_case("storage", "cid")
def test_small_layout_second_level(spec: ModuleType) -> Iterator[Part]:
    """Chunks of 4, nodes of 3: thirteen bytes need a second level, over a full node and a node with one leaf."""
    yield from expect_importer_cid(spec, 13, 4, 3)


@vector_case("storage", "cid")
def test_small_layout_full_two_levels(spec: ModuleType) -> Iterator[Part]:
    """Chunks of 4, nodes of 3: 36 bytes fill two levels exactly (9 leaves)."""
    yield from expect_importer_cid(spec, 36, 4, 3)


@vector_case("storage", "cid")
def test_small_layout_third_level(spec: ModuleType) -> Iterator[Part]:
    """Chunks of 4, nodes of 3: 37 bytes need a third level, whose second child is a chain of one-link nodes."""
    yield from expect_importer_cid(spec, 37, 4, 3)


@vector_case("storage", "cid")
def test_one_byte_chunks_binary_tree_of_two(spec: ModuleType) -> Iterator[Part]:
    """Chunks of 1, nodes of 2 (the smallest layout): two bytes, one node over two leaves."""
    yield from expect_importer_cid(spec, 2, 1, 2)


@vector_case("storage", "cid")
def test_one_byte_chunks_binary_tree_of_three(spec: ModuleType) -> Iterator[Part]:
    """Chunks of 1, nodes of 2: three bytes, two levels; the second child of the root has one link."""
    yield from expect_importer_cid(spec, 3, 1, 2)


@vector_case("storage", "cid")
def test_one_byte_chunks_binary_tree_of_five(spec: ModuleType) -> Iterator[Part]:
    """Chunks of 1, nodes of 2: five bytes, three levels."""
    yield from expect_importer_cid(spec, 5, 1, 2)


@vector_case("storage", "cid")
def test_layout_of_one_link_builds_no_tree(spec: ModuleType) -> Iterator[Part]:
    """Nodes of one link would stack forever over two leaves: refused by name, not looped on."""
    yield "input", {"data": encode_bytes(b"ab"), "layout": {"chunk_size": 1, "max_links": 1}}
    yield from expect_spec_error(
        spec, "InvalidDagLayout", lambda: spec.compute_cid_with_layout(b"ab", spec.uint64(1), spec.uint64(1))
    )


@vector_case("storage", "cid")
def test_chunks_of_no_bytes(spec: ModuleType) -> Iterator[Part]:
    """Chunks of no bytes never cut the data: refused, even before the fan-out is looked at."""
    yield "input", {"data": encode_bytes(b"ab"), "layout": {"chunk_size": 0, "max_links": 1}}
    yield from expect_spec_error(
        spec, "InvalidDagLayout", lambda: spec.compute_cid_with_layout(b"ab", spec.uint64(0), spec.uint64(1))
    )


@vector_case("storage", "cid")
def test_chunks_of_no_bytes_with_a_fan_out_of_two(spec: ModuleType) -> Iterator[Part]:
    """Chunks of no bytes, with nodes of two links (a fan-out that alone would be fine): refused for the chunks."""
    yield "input", {"data": encode_bytes(b"ab"), "layout": {"chunk_size": 0, "max_links": 2}}
    yield from expect_spec_error(
        spec, "InvalidDagLayout", lambda: spec.compute_cid_with_layout(b"ab", spec.uint64(0), spec.uint64(2))
    )


# --- storage/parse_cid -------------------------------------------------------------------------------------------


def expect_parsed(spec: ModuleType, text: str, hand_bytes: bytes) -> Iterator[Part]:
    yield "input", {"text": text}
    cid = spec.parse_cid(text)
    assert bytes(cid) == hand_bytes, f"spec 0x{bytes(cid).hex()}"
    yield "output", {"cid": encode_bytes(hand_bytes)}


def expect_not_a_cid(spec: ModuleType, text: str) -> Iterator[Part]:
    yield "input", {"text": text}
    yield from expect_spec_error(spec, "InvalidCid", lambda: spec.parse_cid(text))


def base32_text(data: bytes) -> str:
    """Multibase base32 written out by hand (RFC 4648 alphabet, lower case, no padding), for malformed CIDs."""
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    bits = "".join(f"{byte:08b}" for byte in data)
    bits += "0" * (-len(bits) % 5)
    return "b" + "".join(alphabet[int(bits[start : start + 5], 2)] for start in range(0, len(bits), 5))


@vector_case("storage", "parse_cid")
def test_raw_cid_text(spec: ModuleType) -> Iterator[Part]:
    """The text of "hello world"'s CID is version 1, raw, sha2-256 of 32 bytes and the digest."""
    assert base32_text(HELLO_CID_BYTES) == HELLO_CID
    yield from expect_parsed(spec, HELLO_CID, HELLO_CID_BYTES)


@vector_case("storage", "parse_cid")
def test_dag_pb_cid_text(spec: ModuleType) -> Iterator[Part]:
    """A file node's CID (codec dag-pb, 0x70) parses to its 36 bytes."""
    text = IMPORTER_CIDS[(262145, CHUNK, LINKS)]
    hand_bytes = bytes([0x01, 0x70, 0x12, 0x20]) + bytes(spec.parse_cid(text))[4:]
    assert base32_text(hand_bytes) == text
    yield from expect_parsed(spec, text, hand_bytes)


@vector_case("storage", "parse_cid")
def test_upper_case_text_is_not_a_cid(spec: ModuleType) -> Iterator[Part]:
    """Multibase `B` (upper-case base32) names the same bytes, but a CID has one text: refused."""
    yield from expect_not_a_cid(spec, "B" + HELLO_CID[1:].upper())


@vector_case("storage", "parse_cid")
def test_cidv0_is_not_a_cid(spec: ModuleType) -> Iterator[Part]:
    """A CIDv0 (`Qm...`, base58 DAG-PB) is not a content id here: it cannot name a raw block."""
    yield from expect_not_a_cid(spec, "QmaozNR7DZHQK1ZcU9p7QdrshMvXqWK6gpu5rmrkPdT3L4")


@vector_case("storage", "parse_cid")
def test_cidv0_multihash_in_base32_is_not_a_cid(spec: ModuleType) -> Iterator[Part]:
    """A bare sha2-256 multihash (CIDv0's binary form) in base32: its first varint, 0x12, is no CID version."""
    yield from expect_not_a_cid(spec, base32_text(HELLO_CID_BYTES[2:]))


@vector_case("storage", "parse_cid")
def test_trailing_byte_is_not_a_cid(spec: ModuleType) -> Iterator[Part]:
    """A valid CID followed by one more byte: refused, not read up to its length."""
    yield from expect_not_a_cid(spec, base32_text(HELLO_CID_BYTES + b"\x00"))


@vector_case("storage", "parse_cid")
def test_truncated_digest_is_not_a_cid(spec: ModuleType) -> Iterator[Part]:
    """A CID whose digest lacks its last byte."""
    yield from expect_not_a_cid(spec, base32_text(HELLO_CID_BYTES[:-1]))


@vector_case("storage", "parse_cid")
def test_other_codec_is_not_a_cid(spec: ModuleType) -> Iterator[Part]:
    """Codec dag-cbor (0x71): a real CID, but not one this chapter makes."""
    yield from expect_not_a_cid(spec, base32_text(bytes([0x01, 0x71]) + HELLO_CID_BYTES[2:]))


@vector_case("storage", "parse_cid")
def test_other_hash_is_not_a_cid(spec: ModuleType) -> Iterator[Part]:
    """Hash sha2-512 (0x13) with a 32-byte length: refused, whatever the digest."""
    yield from expect_not_a_cid(spec, base32_text(bytes([0x01, 0x55, 0x13, 0x20]) + HELLO_CID_BYTES[4:]))


@vector_case("storage", "parse_cid")
def test_short_digest_length_is_not_a_cid(spec: ModuleType) -> Iterator[Part]:
    """A sha2-256 multihash that says 20 bytes (a truncated hash) and has 20: refused."""
    yield from expect_not_a_cid(spec, base32_text(bytes([0x01, 0x55, 0x12, 0x14]) + HELLO_CID_BYTES[4:24]))


@vector_case("storage", "parse_cid")
def test_non_minimal_varint_is_not_a_cid(spec: ModuleType) -> Iterator[Part]:
    """Version 1 written as two varint bytes (0x81 0x00): the same number, not its only encoding."""
    yield from expect_not_a_cid(spec, base32_text(bytes([0x81, 0x00]) + HELLO_CID_BYTES[1:]))


@vector_case("storage", "parse_cid")
def test_nonzero_pad_bits_are_not_a_cid(spec: ModuleType) -> Iterator[Part]:
    """The CID's text with its last character's unused bits set: another spelling of nothing, refused."""
    last = HELLO_CID[-1]
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    changed = HELLO_CID[:-1] + alphabet[alphabet.index(last) + 1]
    yield from expect_not_a_cid(spec, changed)


@vector_case("storage", "parse_cid")
def test_empty_text_is_not_a_cid(spec: ModuleType) -> Iterator[Part]:
    """Nothing at all, and the bare prefix `b`: no version to read."""
    yield from expect_not_a_cid(spec, "b")


# --- storage/verify_content --------------------------------------------------------------------------------------


@vector_case("storage", "verify_content")
def test_content_matches(spec: ModuleType) -> Iterator[Part]:
    """The bytes a CID names pass."""
    yield "input", {"cid": HELLO_CID, "data": encode_bytes(HELLO)}
    spec.verify_content(spec.parse_cid(HELLO_CID), HELLO)
    yield "output", {"valid": True}


@vector_case("storage", "verify_content")
def test_multi_chunk_content_matches(spec: ModuleType) -> Iterator[Part]:
    """A file of two chunks, checked against its DAG-PB root."""
    text = IMPORTER_CIDS[(262145, CHUNK, LINKS)]
    yield "input", {"cid": text, "data": encode_repeated_content(PATTERN, 262145)}
    spec.verify_content(spec.parse_cid(text), repeated(262145))
    yield "output", {"valid": True}


@vector_case("storage", "verify_content")
def test_truncated_content(spec: ModuleType) -> Iterator[Part]:
    """A storage provider serves the file less its last byte (a truncated block): refused."""
    text = IMPORTER_CIDS[(262145, CHUNK, LINKS)]
    yield "input", {"cid": text, "data": encode_repeated_content(PATTERN, 262144)}
    yield from expect_spec_error(
        spec, "ContentMismatch", lambda: spec.verify_content(spec.parse_cid(text), repeated(262144))
    )


@vector_case("storage", "verify_content")
def test_one_byte_changed(spec: ModuleType) -> Iterator[Part]:
    """A storage provider serves the data with one byte changed."""
    yield "input", {"cid": HELLO_CID, "data": encode_bytes(b"hello worle")}
    yield from expect_spec_error(
        spec, "ContentMismatch", lambda: spec.verify_content(spec.parse_cid(HELLO_CID), b"hello worle")
    )


@vector_case("storage", "verify_content")
def test_content_under_another_layout(spec: ModuleType) -> Iterator[Part]:
    """The right bytes under a CID made with another layout (chunks of 4): the store accepts only IPFS's default
    import, so each content has one id."""
    text = IMPORTER_CIDS[(5, 4, 3)]
    yield "input", {"cid": text, "data": encode_bytes(repeated(5))}
    yield from expect_spec_error(
        spec, "ContentMismatch", lambda: spec.verify_content(spec.parse_cid(text), repeated(5))
    )


# --- storage/seal_cid and storage/open_handle --------------------------------------------------------------------

SECRET_A = bytes(range(32))
SECRET_B = bytes(range(100, 132))


def hand_sealed(secret: bytes, chain_id: int, cid: bytes) -> bytes:
    """The handle by RFC 5869 and RFC 5297, with pycryptodome: HKDF-SHA256 (no salt, info = label ++ chain id) to a
    64-byte key, then AES-SIV with the chain id as the one associated datum; the SIV comes first."""
    info = b"MVM IPFS resolver key v1" + chain_id.to_bytes(8, "big")
    key = HKDF(secret, 64, b"", SHA256, context=info)
    assert isinstance(key, bytes)
    cipher = AES.new(key, AES.MODE_SIV)
    cipher.update(chain_id.to_bytes(8, "big"))
    ciphertext, tag = cipher.encrypt_and_digest(cid)
    return bytes(tag + ciphertext)


def resolver(spec: ModuleType, chain_id: int, secret: bytes = SECRET_A) -> Any:
    return spec.Resolver(chain_id=spec.ChainId(chain_id), storage_secret=spec.Bytes32(secret))


def expect_sealed(spec: ModuleType, chain_id: int, secret: bytes, text: str) -> Iterator[Part]:
    given = resolver(spec, chain_id, secret)
    yield "input", {"resolver": encode_resolver(given), "cid": text}
    handle = spec.seal_cid(given, spec.parse_cid(text))
    expected = hand_sealed(secret, chain_id, bytes(spec.parse_cid(text)))
    assert bytes(handle) == expected, f"spec 0x{bytes(handle).hex()}"
    yield "output", {"handle": encode_bytes(expected)}


def expect_open_refused(spec: ModuleType, at: Any, handle: bytes) -> Iterator[Part]:
    yield "input", {"resolver": encode_resolver(at), "handle": encode_bytes(handle)}
    yield from expect_spec_error(spec, "HandleNotForChain", lambda: spec.open_handle(at, spec.Handle(handle)))


@vector_case("storage", "seal_cid")
def test_seal_raw_cid(spec: ModuleType) -> Iterator[Part]:
    """A raw CID sealed on chain 1088: 16 bytes of SIV and the 36 bytes of the CID encrypted."""
    yield from expect_sealed(spec, 1088, SECRET_A, HELLO_CID)


@vector_case("storage", "seal_cid")
def test_one_cid_on_two_chains(spec: ModuleType) -> Iterator[Part]:
    """The same CID and secret on chain 1089: a handle unlike chain 1088's (the key and the associated data both
    differ), so handles do not link a DAC's data to another's."""
    yield from expect_sealed(spec, 1089, SECRET_A, HELLO_CID)


@vector_case("storage", "seal_cid")
def test_seal_dag_pb_cid_with_another_secret(spec: ModuleType) -> Iterator[Part]:
    """A DAG-PB CID under another storage secret, on the largest chain id."""
    yield from expect_sealed(spec, 2**64 - 1, SECRET_B, IMPORTER_CIDS[(262145, CHUNK, LINKS)])


@vector_case("storage", "open_handle")
def test_open_own_handle(spec: ModuleType) -> Iterator[Part]:
    """Chain 1088's resolver opens its own handle."""
    at = resolver(spec, 1088)
    handle = hand_sealed(SECRET_A, 1088, HELLO_CID_BYTES)
    yield "input", {"resolver": encode_resolver(at), "handle": encode_bytes(handle)}
    assert spec.format_cid(spec.open_handle(at, spec.Handle(handle))) == HELLO_CID
    yield "output", {"cid": HELLO_CID}


@vector_case("storage", "open_handle")
def test_open_another_chains_handle(spec: ModuleType) -> Iterator[Part]:
    """Chain 1089's resolver, with the same secret, is given chain 1088's handle: refused by name."""
    yield from expect_open_refused(spec, resolver(spec, 1089), hand_sealed(SECRET_A, 1088, HELLO_CID_BYTES))


@vector_case("storage", "open_handle")
def test_open_with_another_secret(spec: ModuleType) -> Iterator[Part]:
    """The right chain, another storage secret (a rotated key): the old handle no longer opens."""
    yield from expect_open_refused(spec, resolver(spec, 1088, SECRET_B), hand_sealed(SECRET_A, 1088, HELLO_CID_BYTES))


@vector_case("storage", "open_handle")
def test_open_a_handle_with_one_bit_flipped(spec: ModuleType) -> Iterator[Part]:
    """One bit of the encrypted CID flipped: AES-SIV's check fails; no other CID comes out."""
    handle = bytearray(hand_sealed(SECRET_A, 1088, HELLO_CID_BYTES))
    handle[20] ^= 1
    yield from expect_open_refused(spec, resolver(spec, 1088), bytes(handle))


@vector_case("storage", "open_handle")
def test_open_a_handle_of_only_the_iv(spec: ModuleType) -> Iterator[Part]:
    """Sixteen bytes, the SIV alone: no CID sealed in it."""
    yield from expect_open_refused(spec, resolver(spec, 1088), hand_sealed(SECRET_A, 1088, HELLO_CID_BYTES)[:16])


@vector_case("storage", "open_handle")
def test_open_an_empty_handle(spec: ModuleType) -> Iterator[Part]:
    """No bytes at all."""
    yield from expect_open_refused(spec, resolver(spec, 1088), b"")


# --- storage/serve_request ---------------------------------------------------------------------------------------

IPFS_READ, IPFS_WRITE = 0x102, 0x103
ALLOW, DENY = 0, 1
READ, WRITE = 0, 1
CHAIN = 1088
NOW = 1_700_000_000
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
MEMBER, WRITER, OUTSIDER = (PrivateKey(bytes([number]) * 32) for number in (1, 2, 3))


def address(key: PrivateKey) -> bytes:
    return bytes(key.public_key.to_canonical_address())


def storage_charter(spec: ModuleType) -> Any:
    """MEMBER and WRITER may read; only WRITER may write; OUTSIDER is named by neither rule."""

    def rule(keys: tuple[PrivateKey, ...], action: int) -> Any:
        addresses = tuple(spec.Address(address(key)) for key in keys)
        return spec.PermissionRule(addresses, spec.PermissionOperation(ALLOW), spec.Action(action))

    rules = (rule((MEMBER, WRITER), IPFS_READ), rule((WRITER,), IPFS_WRITE))
    return spec.Charter("", "", rules, (), spec.Address())


def signed_request(
    spec: ModuleType, key: PrivateKey, operation: int, payload: bytes, *, chain_id: int = CHAIN, valid_until: int = NOW
) -> Any:
    """A request signed as the chapter says, with the hash computed here: keccak256 of the ABI encoding of
    (domain, chain id, operation, payload, valid until)."""
    fields = ("MVM storage request v1", chain_id, operation, payload, valid_until)
    message_hash = keccak(abi_encode(["(string,uint64,uint8,bytes,uint64)"], [fields]))
    signature = key.sign_msg_hash(message_hash)
    return spec.StorageRequest(
        chain_id=spec.ChainId(chain_id),
        operation=spec.uint8(operation),
        payload=payload,
        valid_until=spec.Timestamp(valid_until),
        v=spec.uint8(signature.v + 27),
        r=spec.uint256(signature.r),
        s=spec.uint256(signature.s),
    )


def store_of(spec: ModuleType, *contents: tuple[str, bytes]) -> Any:
    """A store holding each (CID text, data); the CIDs are IPFS's, known above, and the objects sorted by hand."""
    objects = [spec.StoredObject(cid=spec.parse_cid(text), data=data) for text, data in contents]
    return spec.ContentStore(objects=tuple(sorted(objects, key=lambda stored: bytes(stored.cid))))


def serve_input(spec: ModuleType, store: Any, request: Any, *, at: Any = None, now: int = NOW) -> tuple[Part, Part]:
    at = at if at is not None else resolver(spec, CHAIN)
    given: dict[str, Any] = {"resolver": encode_resolver(at), "charter": encode_charter(storage_charter(spec))}
    given |= {"request": encode_storage_request(request), "now": encode_uint(now)}
    return ("pre", {"store": encode_content_store(spec, store)}), ("input", given)


def serve(spec: ModuleType, store: Any, request: Any, at: Any = None, now: int = NOW) -> Callable[[], Any]:
    at = at if at is not None else resolver(spec, CHAIN)
    return lambda: spec.serve_storage_request(at, storage_charter(spec), store, request, spec.Timestamp(now))


def expect_served(
    spec: ModuleType, store: Any, request: Any, hand_store: Any, hand_answer: bytes, now: int = NOW
) -> Iterator[Part]:
    yield from serve_input(spec, store, request, now=now)
    post_store, answer = serve(spec, store, request, now=now)()
    assert post_store == hand_store and bytes(answer) == hand_answer, f"spec answered 0x{bytes(answer).hex()}"
    yield "post", {"store": encode_content_store(spec, hand_store), "answer": encode_bytes(hand_answer)}


def expect_refused(spec: ModuleType, store: Any, request: Any, error: str, at: Any = None) -> Iterator[Part]:
    yield from serve_input(spec, store, request, at=at)
    yield from expect_spec_error(spec, error, serve(spec, store, request, at))


HELLO_HANDLE = hand_sealed(SECRET_A, CHAIN, HELLO_CID_BYTES)


@vector_case("storage", "serve_request")
def test_write_stores_and_answers_the_handle(spec: ModuleType) -> Iterator[Part]:
    """A permitted writer writes "hello world": the store gains it under IPFS's CID, and the answer is its handle."""
    request = signed_request(spec, WRITER, WRITE, HELLO)
    yield from expect_served(spec, store_of(spec), request, store_of(spec, (HELLO_CID, HELLO)), HELLO_HANDLE)


@vector_case("storage", "serve_request")
def test_write_of_stored_content_changes_nothing(spec: ModuleType) -> Iterator[Part]:
    """Writing what is stored already: the store is unchanged (nothing is replaced), the handle the same."""
    request = signed_request(spec, WRITER, WRITE, HELLO)
    store = store_of(spec, (HELLO_CID, HELLO), (EMPTY_CID, b""))
    yield from expect_served(spec, store, request, store, HELLO_HANDLE)


@vector_case("storage", "serve_request")
def test_write_of_empty_data(spec: ModuleType) -> Iterator[Part]:
    """No bytes are data too: stored under the empty CID (digest e3b0...), after "hello world"'s (b94d...)."""
    request = signed_request(spec, WRITER, WRITE, b"")
    empty_cid_bytes = bytes([0x01, 0x55, 0x12, 0x20]) + hashlib.sha256(b"").digest()
    expected = store_of(spec, (HELLO_CID, HELLO), (EMPTY_CID, b""))
    assert expected.objects[1].data == b"" and empty_cid_bytes > HELLO_CID_BYTES
    yield from expect_served(
        spec, store_of(spec, (HELLO_CID, HELLO)), request, expected, hand_sealed(SECRET_A, CHAIN, empty_cid_bytes)
    )


@vector_case("storage", "serve_request")
def test_read_answers_the_data(spec: ModuleType) -> Iterator[Part]:
    """A permitted member reads a handle: the data, checked against its CID; the store unchanged."""
    store = store_of(spec, (HELLO_CID, HELLO))
    yield from expect_served(spec, store, signed_request(spec, MEMBER, READ, HELLO_HANDLE), store, HELLO)


@vector_case("storage", "serve_request")
def test_request_served_at_its_last_second(spec: ModuleType) -> Iterator[Part]:
    """`now` equal to `valid_until`: still served."""
    store = store_of(spec, (HELLO_CID, HELLO))
    request = signed_request(spec, MEMBER, READ, HELLO_HANDLE, valid_until=NOW)
    yield from expect_served(spec, store, request, store, HELLO, now=NOW)


@vector_case("storage", "serve_request")
def test_request_one_second_after_it_expired(spec: ModuleType) -> Iterator[Part]:
    """A member's read replayed one second after it was void."""
    request = signed_request(spec, MEMBER, READ, HELLO_HANDLE, valid_until=NOW - 1)
    yield from expect_refused(spec, store_of(spec, (HELLO_CID, HELLO)), request, "StorageRequestExpired")


@vector_case("storage", "serve_request")
def test_read_without_permission(spec: ModuleType) -> Iterator[Part]:
    """An outsider, whom no `IPFS_READ` rule names, asks for a member's data."""
    request = signed_request(spec, OUTSIDER, READ, HELLO_HANDLE)
    yield from expect_refused(spec, store_of(spec, (HELLO_CID, HELLO)), request, "StorageNotPermitted")


@vector_case("storage", "serve_request")
def test_write_by_a_denied_member(spec: ModuleType) -> Iterator[Part]:
    """A member who may read but not write tries to write."""
    request = signed_request(spec, MEMBER, WRITE, HELLO)
    yield from expect_refused(spec, store_of(spec), request, "StorageNotPermitted")


@vector_case("storage", "serve_request")
def test_request_changed_after_signing(spec: ModuleType) -> Iterator[Part]:
    """A member's signed read with its handle swapped for another: the signature now recovers some other address,
    which no rule names."""
    other_handle = hand_sealed(SECRET_A, CHAIN, bytes(spec.parse_cid(EMPTY_CID)))
    signed = signed_request(spec, MEMBER, READ, HELLO_HANDLE)
    request = replace(signed, payload=other_handle)
    store = store_of(spec, (HELLO_CID, HELLO), (EMPTY_CID, b""))
    yield from expect_refused(spec, store, request, "StorageNotPermitted")


@vector_case("storage", "serve_request")
def test_request_with_a_high_s_signature(spec: ModuleType) -> Iterator[Part]:
    """The member's own signature with s replaced by n - s (and v flipped): the same signer to ecrecover, but
    EIP-2 refuses the second form."""
    signed = signed_request(spec, MEMBER, READ, HELLO_HANDLE)
    high = {"s": spec.uint256(SECP256K1_N - signed.s), "v": spec.uint8(55 - signed.v)}
    request = replace(signed, **high)
    yield from expect_refused(spec, store_of(spec, (HELLO_CID, HELLO)), request, "InvalidStorageSignature")


@vector_case("storage", "serve_request")
def test_request_with_v_of_zero(spec: ModuleType) -> Iterator[Part]:
    """`v` written as a recovery id (0 or 1) instead of 27 or 28: refused."""
    signed = signed_request(spec, MEMBER, READ, HELLO_HANDLE)
    request = replace(signed, v=spec.uint8(signed.v - 27))
    yield from expect_refused(spec, store_of(spec, (HELLO_CID, HELLO)), request, "InvalidStorageSignature")


@vector_case("storage", "serve_request")
def test_request_whose_signature_recovers_no_key(spec: ModuleType) -> Iterator[Part]:
    """r = 5 is no point's x coordinate on secp256k1: no public key recovers."""
    signed = signed_request(spec, MEMBER, READ, HELLO_HANDLE)
    request = replace(signed, v=spec.uint8(27), r=spec.uint256(5), s=spec.uint256(5))
    yield from expect_refused(spec, store_of(spec, (HELLO_CID, HELLO)), request, "InvalidStorageSignature")


def expect_recovered_stranger(spec: ModuleType, v: int, r: int, s: int) -> Iterator[Part]:
    """A member's read with its signature values replaced by (v, r, s), within the ranges: some key recovers from
    them (checked with coincurve, not the spec's library), an address no rule names, so the request is refused for
    its permission, not for its signature."""
    signed = signed_request(spec, MEMBER, READ, HELLO_HANDLE)
    request = replace(signed, v=spec.uint8(v), r=spec.uint256(r), s=spec.uint256(s))
    fields = ("MVM storage request v1", CHAIN, READ, HELLO_HANDLE, NOW)
    message_hash = keccak(abi_encode(["(string,uint64,uint8,bytes,uint64)"], [fields]))
    compact = r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([v - 27])
    point = coincurve.PublicKey.from_signature_and_message(compact, message_hash, hasher=None)
    recovered = bytes(keccak(point.format(compressed=False)[1:]))[12:]
    assert recovered not in (address(MEMBER), address(WRITER))
    yield from expect_refused(spec, store_of(spec, (HELLO_CID, HELLO)), request, "StorageNotPermitted")


@vector_case("storage", "serve_request")
def test_request_with_the_largest_low_s(spec: ModuleType) -> Iterator[Part]:
    """s = n // 2, the largest value EIP-2 allows, with the member's own r."""
    signed = signed_request(spec, MEMBER, READ, HELLO_HANDLE)
    yield from expect_recovered_stranger(spec, 27, int(signed.r), SECP256K1_N // 2)


@vector_case("storage", "serve_request")
def test_request_with_s_of_one(spec: ModuleType) -> Iterator[Part]:
    """s = 1, the smallest value allowed, with the member's own r."""
    signed = signed_request(spec, MEMBER, READ, HELLO_HANDLE)
    yield from expect_recovered_stranger(spec, 27, int(signed.r), 1)


@vector_case("storage", "serve_request")
def test_request_with_r_of_one(spec: ModuleType) -> Iterator[Part]:
    """r = 1, the smallest value allowed: 1 is the x coordinate of a point of secp256k1 (1 + 7 = 8 is a square
    modulo p, as 2 is, p being 7 modulo 8), so a key recovers."""
    yield from expect_recovered_stranger(spec, 27, 1, 5)


@vector_case("storage", "serve_request")
def test_request_for_another_chain(spec: ModuleType) -> Iterator[Part]:
    """A member's request signed for chain 1089, replayed at chain 1088's resolver."""
    request = signed_request(spec, MEMBER, READ, HELLO_HANDLE, chain_id=1089)
    yield from expect_refused(spec, store_of(spec, (HELLO_CID, HELLO)), request, "StorageRequestWrongChain")


@vector_case("storage", "serve_request")
def test_unknown_operation(spec: ModuleType) -> Iterator[Part]:
    """Operation 2 is neither read nor write."""
    request = signed_request(spec, MEMBER, 2, HELLO_HANDLE)
    yield from expect_refused(spec, store_of(spec, (HELLO_CID, HELLO)), request, "UnknownStorageOperation")


@vector_case("storage", "serve_request")
def test_read_of_another_chains_handle(spec: ModuleType) -> Iterator[Part]:
    """A permitted member hands chain 1088's resolver a handle sealed by chain 1089's: refused, not decrypted."""
    foreign = hand_sealed(SECRET_A, 1089, HELLO_CID_BYTES)
    request = signed_request(spec, MEMBER, READ, foreign)
    yield from expect_refused(spec, store_of(spec, (HELLO_CID, HELLO)), request, "HandleNotForChain")


@vector_case("storage", "serve_request")
def test_read_of_content_the_store_lacks(spec: ModuleType) -> Iterator[Part]:
    """A valid handle whose content no provider holds (deleted, or never pinned): named, not an empty answer."""
    request = signed_request(spec, MEMBER, READ, HELLO_HANDLE)
    yield from expect_refused(spec, store_of(spec, (EMPTY_CID, b"")), request, "ContentNotFound")


# --- which rule wins -----------------------------------------------------------------------------------------------


@vector_case("storage", "serve_request")
def test_unknown_operation_beats_wrong_chain(spec: ModuleType) -> Iterator[Part]:
    """An unknown operation for another chain: the operation is checked first."""
    request = signed_request(spec, MEMBER, 7, HELLO_HANDLE, chain_id=1089)
    yield from expect_refused(spec, store_of(spec), request, "UnknownStorageOperation")


@vector_case("storage", "serve_request")
def test_wrong_chain_beats_expiry(spec: ModuleType) -> Iterator[Part]:
    """An expired request for another chain: the chain is checked before the time."""
    request = signed_request(spec, MEMBER, READ, HELLO_HANDLE, chain_id=1089, valid_until=NOW - 1)
    yield from expect_refused(spec, store_of(spec), request, "StorageRequestWrongChain")


@vector_case("storage", "serve_request")
def test_expiry_beats_a_bad_signature(spec: ModuleType) -> Iterator[Part]:
    """An expired request with a high-s signature: void before its signature is looked at."""
    signed = signed_request(spec, MEMBER, READ, HELLO_HANDLE, valid_until=NOW - 1)
    request = replace(signed, s=spec.uint256(SECP256K1_N - signed.s))
    yield from expect_refused(spec, store_of(spec), request, "StorageRequestExpired")


@vector_case("storage", "serve_request")
def test_permission_beats_a_foreign_handle(spec: ModuleType) -> Iterator[Part]:
    """An outsider with another chain's handle: refused for lack of permission, so an outsider learns nothing
    about the handle it sent."""
    request = signed_request(spec, OUTSIDER, READ, hand_sealed(SECRET_A, 1089, HELLO_CID_BYTES))
    yield from expect_refused(spec, store_of(spec), request, "StorageNotPermitted")


@vector_case("storage", "serve_request")
def test_foreign_handle_beats_missing_content(spec: ModuleType) -> Iterator[Part]:
    """A member with another chain's handle, at an empty store: the handle is refused before the store is asked."""
    request = signed_request(spec, MEMBER, READ, hand_sealed(SECRET_A, 1089, HELLO_CID_BYTES))
    yield from expect_refused(spec, store_of(spec), request, "HandleNotForChain")
