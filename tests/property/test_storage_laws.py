"""Hypothesis laws of confidential storage (spec/v1/storage.md).

(a) The router: storage requests never enter a block. For any interleaving of resolver requests (writes of drawn
    data, reads of the handles written, requests that are refused) with a chain's blocks, every output root, and so
    every state batch's commitment (the Merkle root of its output roots), equals that of the blocks alone; and the
    resolver's functions neither take nor return a chain state (it reads only the charter).
(b) Nothing stored is lost: after any sequence of writes, refused requests and reads, every datum written is read
    back exactly, under its CID; writing again changes nothing; the store's objects are in increasing order of CID,
    one per CID, each the content of its CID.
(c) Handles: sealing then opening at the same chain gives the CID back, for any chain id, secret and content;
    opening at any other chain id, or with any other secret, is refused by name.
(d) Content ids: the text of every CID parses back to it; data of at most one chunk is one raw block; longer data
    has a DAG-PB root; distinct data have distinct CIDs, under any layout.
"""

from __future__ import annotations

import typing
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mvm_spec.forks.v1 import mainnet as spec
from tests.cases.test_state_transition import ALICE, BLOCK_TIME, block_of, charter, funded, genesis, tx
from tests.cases.test_storage import MEMBER, NOW, OUTSIDER, READ, WRITE, WRITER, resolver, signed_request
from tests.cases.test_storage import storage_charter

SECRETS = st.binary(min_size=32, max_size=32)
CHAIN_IDS = st.integers(min_value=0, max_value=2**64 - 1)
SMALL_DATA = st.binary(max_size=64)


def storage_rules(base: Any) -> Any:
    """``base`` with the storage charter's IPFS_READ / IPFS_WRITE rules added."""
    return spec.Charter(base.vision, base.mission, storage_charter(spec).permissions, (), base.management_contract)


@st.composite
def storage_requests(draw: st.DrawFn) -> list[tuple[str, Any]]:
    """Writes of drawn data by the writer or (refused) the outsider, and reads of earlier writes by the member."""
    requests: list[tuple[str, Any]] = []
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.booleans()):
            who = draw(st.sampled_from([WRITER, OUTSIDER]))
            requests.append(("write", (who, draw(SMALL_DATA))))
        else:
            requests.append(("read", draw(st.integers(0, 10))))
    return requests


def run_requests(state: Any, store: Any, requests: list[tuple[str, Any]], handles: list[bytes]) -> Any:
    """Serve ``requests`` at ``state``'s resolver under its charter; refused ones change nothing."""
    at = resolver(spec, int(state.chain_id))
    for kind, argument in requests:
        if kind == "write":
            request = signed_request(spec, argument[0], WRITE, argument[1], chain_id=int(state.chain_id))
        elif handles:
            request = signed_request(spec, MEMBER, READ, handles[argument % len(handles)], chain_id=int(state.chain_id))
        else:
            continue
        try:
            store, answer = spec.serve_storage_request(at, state.charter, store, request, spec.Timestamp(NOW))
        except spec.SpecError:
            continue
        if kind == "write":
            handles.append(bytes(answer))
    return store


@settings(max_examples=15, deadline=None)
@given(before=storage_requests(), between=storage_requests(), after=storage_requests())
def test_storage_requests_leave_every_output_root_unchanged(
    before: list[tuple[str, Any]], between: list[tuple[str, Any]], after: list[tuple[str, Any]]
) -> None:
    chain = genesis(storage_rules(charter(spec)), funded(ALICE))
    blocks = [
        block_of(spec, tx(ALICE, 0, bytes(20), value=1), number=1),
        block_of(spec, tx(ALICE, 1, bytes(20), value=2), number=2, timestamp=BLOCK_TIME + 12),
    ]
    alone, state = [], chain.state(spec)
    for block in blocks:
        state, _ = spec.apply_block(state, block)
        alone.append(spec.get_state_output_root(state))

    handles: list[bytes] = []
    routed, state, store = [], chain.state(spec), spec.ContentStore(objects=())
    for block, requests in zip(blocks, [before, between]):
        store = run_requests(state, store, requests, handles)
        state, _ = spec.apply_block(state, block)
        routed.append(spec.get_state_output_root(state))
    run_requests(state, store, after, handles)
    assert routed == alone
    assert spec.compute_merkle_root(routed) == spec.compute_merkle_root(alone)


def test_the_resolver_takes_and_returns_no_chain_state() -> None:
    """The router's law by construction: no storage function has an L2State among its parameters or results."""
    functions = [
        spec.serve_storage_request,
        spec.authorize_storage_request,
        spec.seal_cid,
        spec.open_handle,
        spec.put_object,
        spec.get_object,
    ]
    for function in functions:
        hints = typing.get_type_hints(function, vars(spec))
        assert all("L2State" not in repr(hint) and hint is not spec.L2State for hint in hints.values()), function


@settings(max_examples=60, deadline=None)
@given(writes=st.lists(SMALL_DATA, max_size=12), refused=st.lists(SMALL_DATA, max_size=3))
def test_nothing_stored_is_lost(writes: list[bytes], refused: list[bytes]) -> None:
    at, rules, now = resolver(spec, 1088), storage_charter(spec), spec.Timestamp(NOW)
    store, handles = spec.ContentStore(objects=()), []
    for number, data in enumerate(writes):
        store, handle = spec.serve_storage_request(at, rules, store, signed_request(spec, WRITER, WRITE, data), now)
        handles.append(handle)
        if number < len(refused):  # an outsider's write between two writes is refused and changes nothing
            try:
                spec.serve_storage_request(
                    at, rules, store, signed_request(spec, OUTSIDER, WRITE, refused[number]), now
                )
                raise AssertionError("an outsider's write was served")
            except spec.StorageNotPermitted:
                pass
    for data, handle in zip(writes, handles):
        assert spec.serve_storage_request(at, rules, store, signed_request(spec, MEMBER, READ, handle), now)[1] == data
        again, same_handle = spec.serve_storage_request(
            at, rules, store, signed_request(spec, WRITER, WRITE, data), now
        )
        assert again == store and same_handle == handle
    cids = [bytes(stored.cid) for stored in store.objects]
    assert cids == sorted(set(cids)) and len(cids) == len(set(writes))
    assert all(spec.compute_cid(stored.data) == stored.cid for stored in store.objects)


@settings(max_examples=60, deadline=None)
@given(secret=SECRETS, chain_id=CHAIN_IDS, other_chain=CHAIN_IDS, other_secret=SECRETS, data=SMALL_DATA)
def test_a_handle_opens_only_where_it_was_sealed(
    secret: bytes, chain_id: int, other_chain: int, other_secret: bytes, data: bytes
) -> None:
    cid = spec.compute_cid(data)
    handle = spec.seal_cid(resolver(spec, chain_id, secret), cid)
    assert spec.open_handle(resolver(spec, chain_id, secret), handle) == cid
    assert spec.seal_cid(resolver(spec, chain_id, secret), cid) == handle  # stable across calls
    for elsewhere in (resolver(spec, other_chain, secret), resolver(spec, chain_id, other_secret)):
        if elsewhere == resolver(spec, chain_id, secret):
            continue
        try:
            spec.open_handle(elsewhere, handle)
            raise AssertionError("another resolver opened the handle")
        except spec.HandleNotForChain:
            pass


@settings(max_examples=80, deadline=None)
@given(
    data=st.binary(max_size=200),
    other=st.binary(max_size=200),
    chunk_size=st.integers(1, 16),
    max_links=st.integers(2, 6),
)
def test_content_ids_name_their_content(data: bytes, other: bytes, chunk_size: int, max_links: int) -> None:
    cid = spec.compute_cid_with_layout(data, spec.uint64(chunk_size), spec.uint64(max_links))
    assert spec.parse_cid(spec.format_cid(cid)) == cid
    codec = spec.RAW_CODEC if len(data) <= chunk_size else spec.DAG_PB_CODEC
    assert bytes(cid)[:2] == bytes([1, codec])
    if other != data:
        assert spec.compute_cid_with_layout(other, spec.uint64(chunk_size), spec.uint64(max_links)) != cid
