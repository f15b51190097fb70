"""Vector cases for batch commitment on the L1 hub (spec/v1/hub.md): header hashes, appends, deletion, proofs.

Every expected value is worked out in the test, not by the spec: header hashes are keccak256 of the
`Lib_OVMCodec.hashBatchHeader` encoding (laid out word by word, or with `eth_abi.encode`); `extraData` and
transaction leaves are laid out word by word from the documented ABI types; batch roots are written out with
explicit keccak256 calls for their tree shape and the published `Lib_MerkleTree` default nodes; and each expected
post-state is the pre-state with the batches added or removed that the case names, field by field.

The hubs are small: the rangers' DAC (chain id 1088) and one more DAC, "acme" (chain id 1089), both under a tiny
charter.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Callable, Iterator, Sequence

from eth_abi.abi import encode as abi_encode
from eth_hash.auto import keccak

from mvm_spec.vectors import expect_spec_error, vector_case
from mvm_spec.vectors.case import Part
from mvm_spec.vectors.codec import (
    encode_batch_header,
    encode_batched_transactions,
    encode_bytes,
    encode_hashes,
    encode_hub,
    encode_state_batch_context,
    encode_uint,
)

RANGERS, ACME = 1088, 1089  # FIRST_CHAIN_ID (Metis Andromeda's chain id), then the next DAC
SEQUENCER = bytes.fromhex("5e9e5e9e5e9e5e9e5e9e5e9e5e9e5e9e5e9e5e9e")
INTRUDER = bytes.fromhex("badbadbadbadbadbadbadbadbadbadbadbadbad0")
MANAGER = bytes.fromhex("4200000000000000000000000000000000000042")
T0 = 1_700_000_000  # a proposal time (2023-11-14)

# Lib_MerkleTree's published default nodes for depths 0 and 1.
DEFAULT_0 = bytes.fromhex("290decd9548b62a8d60345a988386fc84ba6bc95484008f6362f93160ef3e563")
DEFAULT_1 = bytes.fromhex("633dc4d7da7256660a892f8f1604a44b5432649cc8ec5cb3ced4c4e6ac94dd1d")

# Output roots R[k] and block hashes B[n]: arbitrary distinct hashes.
R = [bytes(keccak(f"output-root-{index}".encode())) for index in range(6)]
B = [bytes(keccak(f"block-hash-{number}".encode())) for number in range(8)]


def h(left: bytes, right: bytes) -> bytes:
    return bytes(keccak(left + right))


def word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def padded(data: bytes) -> bytes:
    return data + bytes(-len(data) % 32)


def state_extra(
    chain_id: int, timestamp: int, proposer: bytes, last_block_hash: bytes, last_block_number: int
) -> bytes:
    """abi.encode(uint256 chainId, uint256 timestamp, address proposer, bytes32 lastBlockHash, uint256 lastBlockNumber),
    laid out by hand: five static words."""
    return word(chain_id) + word(timestamp) + bytes(12) + proposer + last_block_hash + word(last_block_number)


def transaction_extra(chain_id: int, timestamp: int, sequencer: bytes) -> bytes:
    """abi.encode(uint256 chainId, uint256 timestamp, address sequencer): three static words."""
    return word(chain_id) + word(timestamp) + bytes(12) + sequencer


def transaction_leaf(chain_id: int, block_number: int, timestamp: int, raw: bytes) -> bytes:
    """keccak256(abi.encode(uint256 chainId, uint256 blockNumber, uint256 timestamp, bytes raw)), laid out by hand."""
    return bytes(
        keccak(word(chain_id) + word(block_number) + word(timestamp) + word(0x80) + word(len(raw)) + padded(raw))
    )


def tiny_charter(spec: ModuleType) -> Any:
    return spec.Charter("", "", (), (), spec.Address(MANAGER))


def header(spec: ModuleType, index: int, root: bytes, size: int, prev: int, extra: bytes) -> Any:
    return spec.ChainBatchHeader(spec.uint256(index), spec.Hash32(root), spec.uint256(size), spec.uint256(prev), extra)


def hub_of(spec: ModuleType, acme_state: Sequence[Any] = (), acme_transactions: Sequence[Any] = ()) -> Any:
    """The rangers' DAC with no batches, then "acme" (1089) with the given batches."""
    empty = spec.BatchChain(headers=())
    return spec.Hub(
        dacs=(
            spec.DacRecord(spec.ChainId(RANGERS), "rangers", tiny_charter(spec), empty, empty),
            spec.DacRecord(
                spec.ChainId(ACME),
                "acme",
                tiny_charter(spec),
                spec.BatchChain(headers=tuple(acme_transactions)),
                spec.BatchChain(headers=tuple(acme_state)),
            ),
        )
    )


def context_of(spec: ModuleType, chain_id: int, timestamp: int, proposer: bytes, block_hash: bytes, number: int) -> Any:
    return spec.StateBatchContext(
        spec.ChainId(chain_id),
        spec.Timestamp(timestamp),
        spec.Address(proposer),
        spec.Hash32(block_hash),
        spec.BlockNumber(number),
    )


# State batches used as pre-state below, with their fields stated by hand:
#   batch 0: R0 R1 R2 (root H(H(R0,R1), H(R2,d0))), elements 0-2 = blocks 1-3, proposed at T0
#   batch 1: R3 R4    (root H(R3,R4)),               elements 3-4 = blocks 4-5, proposed at T0 + 100
#   batch 2: R5       (root R5),                     element 5    = block 6,    proposed at T0 + 200
def state_batch_0(spec: ModuleType) -> Any:
    root = h(h(R[0], R[1]), h(R[2], DEFAULT_0))
    return header(spec, 0, root, 3, 0, state_extra(ACME, T0, SEQUENCER, B[3], 3))


def state_batch_1(spec: ModuleType) -> Any:
    return header(spec, 1, h(R[3], R[4]), 2, 3, state_extra(ACME, T0 + 100, SEQUENCER, B[5], 5))


def state_batch_2(spec: ModuleType) -> Any:
    return header(spec, 2, R[5], 1, 5, state_extra(ACME, T0 + 200, SEQUENCER, B[6], 6))


# Transactions of "acme" and its first transaction batch (3 transactions, appended at T0 by SEQUENCER).
RAW = [bytes.fromhex("02f86c8204418001"), bytes.fromhex("f86b80843b9aca00"), bytes(range(40))]
TRANSACTIONS = [(1, T0 - 30, RAW[0]), (1, T0 - 30, RAW[1]), (2, T0 - 15, RAW[2])]  # (block, timestamp, raw)


def batched(spec: ModuleType, transactions: Sequence[tuple[int, int, bytes]]) -> list[Any]:
    return [spec.BatchedTransaction(spec.BlockNumber(b), spec.Timestamp(t), raw) for b, t, raw in transactions]


def transaction_batch_0(spec: ModuleType) -> Any:
    leaves = [transaction_leaf(ACME, *transaction) for transaction in TRANSACTIONS]
    root = h(h(leaves[0], leaves[1]), h(leaves[2], DEFAULT_0))
    return header(spec, 0, root, 3, 0, transaction_extra(ACME, T0, SEQUENCER))


def expect_post_or_error(spec: ModuleType, call: Callable[[], Any], expected: Any, error: str) -> Iterator[Part]:
    """The error ``error`` (checked to be the one raised), or the post-state after checking it equals ``expected``,
    the hub built by hand."""
    if error:
        yield from expect_spec_error(spec, error, call)
        return
    post = call()
    assert post == expected, "post-state differs from the one built by hand"
    yield "post", encode_hub(post)


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
    root = R[0]
    encoding = root + word(7) + word(42) + word(0x80) + word(0)
    yield from expect_header_hash(spec, header(spec, 5, root, 7, 42, b""), bytes(keccak(encoding)))


@vector_case("batch", "header_hash")
def test_header_with_unaligned_extra_data(spec: ModuleType) -> Iterator[Part]:
    """33 bytes of extraData: the tail is its length then two words, the second right-padded with 31 zeros."""
    extra = bytes(range(1, 34))
    encoding = R[1] + word(1) + word(0) + word(0x80) + word(33) + extra[:32] + extra[32:] + bytes(31)
    yield from expect_header_hash(spec, header(spec, 0, R[1], 1, 0, extra), bytes(keccak(encoding)))


@vector_case("batch", "header_hash")
def test_state_batch_header(spec: ModuleType) -> Iterator[Part]:
    """State batch 1 of "acme" (chain id 1089 bound in its extraData), hashed with eth_abi.encode directly."""
    batch = state_batch_1(spec)
    extra = state_extra(ACME, T0 + 100, SEQUENCER, B[5], 5)
    encoding = abi_encode(["bytes32", "uint256", "uint256", "bytes"], [h(R[3], R[4]), 2, 3, extra])
    yield from expect_header_hash(spec, batch, bytes(keccak(encoding)))


# --- batch/append_state_batch ------------------------------------------------------------------------------------


def expect_state_append(
    spec: ModuleType,
    pre: Any,
    roots: Sequence[bytes],
    start: int,
    context: Any,
    selected: bytes,
    expected: Any = None,
    error: str = "",
    now: int | None = None,
) -> Iterator[Part]:
    """Yield pre and input; then the post-state after checking it equals ``expected``, or the error ``error``.

    ``now``, the L1 time of the append, is the context's own time unless a case says otherwise."""
    appended_at = int(context.timestamp) if now is None else now
    yield "pre", encode_hub(pre)
    yield "input", {
        "output_roots": encode_hashes(roots),
        "should_start_at_element": encode_uint(start),
        "context": encode_state_batch_context(context),
        "selected_sequencer": encode_bytes(selected),
        "now": encode_uint(appended_at),
    }
    hashes = [spec.Hash32(root) for root in roots]

    def call() -> Any:
        return spec.append_state_batch(pre, hashes, start, context, spec.Address(selected), spec.Timestamp(appended_at))

    yield from expect_post_or_error(spec, call, expected, error)


@vector_case("batch", "append_state_batch")
def test_first_state_batch(spec: ModuleType) -> Iterator[Part]:
    """A fresh DAC (registry genesis, then create_dac "acme") takes its first state batch: blocks 1-3.

    Expected: acme's state chain holds one header — index 0, root H(H(R0,R1), H(R2,d0)), size 3, previous total 0,
    extraData binding chain 1089, T0, the proposer, block 3's hash and number 3.
    """
    pre = spec.create_dac(spec.get_genesis_hub(tiny_charter(spec)), "acme", tiny_charter(spec))
    assert pre == hub_of(spec)
    context = context_of(spec, ACME, T0, SEQUENCER, B[3], 3)
    yield from expect_state_append(spec, pre, R[:3], 0, context, SEQUENCER, hub_of(spec, [state_batch_0(spec)]))


@vector_case("batch", "append_state_batch")
def test_second_state_batch(spec: ModuleType) -> Iterator[Part]:
    """The next batch starts at element 3 and covers blocks 4-5: header index 1, previous total 3, size 2."""
    pre = hub_of(spec, [state_batch_0(spec)])
    context = context_of(spec, ACME, T0 + 100, SEQUENCER, B[5], 5)
    expected = hub_of(spec, [state_batch_0(spec), state_batch_1(spec)])
    yield from expect_state_append(spec, pre, R[3:5], 3, context, SEQUENCER, expected)


@vector_case("batch", "append_state_batch")
def test_state_batch_on_rangers_chain(spec: ModuleType) -> Iterator[Part]:
    """The same output roots on the rangers' chain (1088): only the rangers' DAC changes, and its header's
    extraData binds 1088, so it differs from acme's header for the same roots."""
    context = context_of(spec, RANGERS, T0, SEQUENCER, B[3], 3)
    root = h(h(R[0], R[1]), h(R[2], DEFAULT_0))
    rangers_header = header(spec, 0, root, 3, 0, state_extra(RANGERS, T0, SEQUENCER, B[3], 3))
    fresh = hub_of(spec)
    expected = spec.Hub(
        dacs=(
            spec.DacRecord(
                spec.ChainId(RANGERS),
                "rangers",
                tiny_charter(spec),
                spec.BatchChain(()),
                spec.BatchChain((rangers_header,)),
            ),
            fresh.dacs[1],
        )
    )
    yield from expect_state_append(spec, fresh, R[:3], 0, context, SEQUENCER, expected)


@vector_case("batch", "append_state_batch")
def test_state_batch_from_wrong_proposer(spec: ModuleType) -> Iterator[Part]:
    """The proposer is not the epoch's selected sequencer."""
    context = context_of(spec, ACME, T0, INTRUDER, B[3], 3)
    yield from expect_state_append(spec, hub_of(spec), R[:3], 0, context, SEQUENCER, error="UnauthorizedSequencer")


@vector_case("batch", "append_state_batch")
def test_empty_state_batch(spec: ModuleType) -> Iterator[Part]:
    """No output roots."""
    context = context_of(spec, ACME, T0, SEQUENCER, B[0], 0)
    yield from expect_state_append(spec, hub_of(spec), [], 0, context, SEQUENCER, error="EmptyBatch")


@vector_case("batch", "append_state_batch")
def test_proposer_checked_before_emptiness(spec: ModuleType) -> Iterator[Part]:
    """An empty batch from the wrong proposer: the proposer is reported."""
    context = context_of(spec, ACME, T0, INTRUDER, B[0], 0)
    yield from expect_state_append(spec, hub_of(spec), [], 0, context, SEQUENCER, error="UnauthorizedSequencer")


@vector_case("batch", "append_state_batch")
def test_state_batch_replaying_start(spec: ModuleType) -> Iterator[Part]:
    """The chain holds 3 elements; a batch expecting to start at 0 (a replay) is stale."""
    context = context_of(spec, ACME, T0 + 100, SEQUENCER, B[2], 2)
    pre = hub_of(spec, [state_batch_0(spec)])
    yield from expect_state_append(spec, pre, R[3:5], 0, context, SEQUENCER, error="UnexpectedStartElement")


@vector_case("batch", "append_state_batch")
def test_state_batch_leaving_gap(spec: ModuleType) -> Iterator[Part]:
    """The chain holds 3 elements; a batch expecting to start at 4 would leave a gap."""
    context = context_of(spec, ACME, T0 + 100, SEQUENCER, B[6], 6)
    pre = hub_of(spec, [state_batch_0(spec)])
    yield from expect_state_append(spec, pre, R[3:5], 4, context, SEQUENCER, error="UnexpectedStartElement")


@vector_case("batch", "append_state_batch")
def test_last_block_number_is_element_index(spec: ModuleType) -> Iterator[Part]:
    """Three roots on an empty chain end at block 3 (element k is block k + 1); naming block 2 is rejected."""
    context = context_of(spec, ACME, T0, SEQUENCER, B[2], 2)
    yield from expect_state_append(spec, hub_of(spec), R[:3], 0, context, SEQUENCER, error="LastBlockNumberMismatch")


@vector_case("batch", "append_state_batch")
def test_last_block_number_too_high(spec: ModuleType) -> Iterator[Part]:
    """Two roots after 3 elements end at block 5; naming block 6 is rejected."""
    context = context_of(spec, ACME, T0 + 100, SEQUENCER, B[6], 6)
    pre = hub_of(spec, [state_batch_0(spec)])
    yield from expect_state_append(spec, pre, R[3:5], 3, context, SEQUENCER, error="LastBlockNumberMismatch")


@vector_case("batch", "append_state_batch")
def test_state_batch_time_chosen_by_proposer(spec: ModuleType) -> Iterator[Part]:
    """A context dated 0 appended at T0: the proposer may not choose the time that starts the fraud-proof window."""
    context = context_of(spec, ACME, 0, SEQUENCER, B[3], 3)
    yield from expect_state_append(
        spec, hub_of(spec), R[:3], 0, context, SEQUENCER, error="BatchTimestampMismatch", now=T0
    )


@vector_case("batch", "append_state_batch")
def test_state_batch_dated_in_future(spec: ModuleType) -> Iterator[Part]:
    """A context dated one second after the appending L1 block is refused too (it would stretch the window)."""
    context = context_of(spec, ACME, T0 + 1, SEQUENCER, B[3], 3)
    yield from expect_state_append(
        spec, hub_of(spec), R[:3], 0, context, SEQUENCER, error="BatchTimestampMismatch", now=T0
    )


@vector_case("batch", "append_state_batch")
def test_state_batch_unknown_chain(spec: ModuleType) -> Iterator[Part]:
    """Chain id 1090: the hub has only 1088 and 1089."""
    context = context_of(spec, 1090, T0, SEQUENCER, B[3], 3)
    yield from expect_state_append(spec, hub_of(spec), R[:3], 0, context, SEQUENCER, error="UnknownChainId")


@vector_case("batch", "append_state_batch")
def test_state_batch_chain_below_first(spec: ModuleType) -> Iterator[Part]:
    """Chain id 1087, just below FIRST_CHAIN_ID: no DAC has it."""
    context = context_of(spec, 1087, T0, SEQUENCER, B[3], 3)
    yield from expect_state_append(spec, hub_of(spec), R[:3], 0, context, SEQUENCER, error="UnknownChainId")


# --- batch/append_transaction_batch ------------------------------------------------------------------------------


def expect_transaction_append(
    spec: ModuleType,
    pre: Any,
    chain_id: int,
    transactions: Sequence[tuple[int, int, bytes]],
    start: int,
    timestamp: int,
    sequencer: bytes,
    expected: Any = None,
    error: str = "",
) -> Iterator[Part]:
    given = batched(spec, transactions)
    yield "pre", encode_hub(pre)
    yield "input", {
        "chain_id": encode_uint(chain_id),
        "transactions": encode_batched_transactions(given),
        "should_start_at_element": encode_uint(start),
        "timestamp": encode_uint(timestamp),
        "sequencer": encode_bytes(sequencer),
        "selected_sequencer": encode_bytes(SEQUENCER),
    }

    def call() -> Any:
        return spec.append_transaction_batch(
            pre,
            spec.ChainId(chain_id),
            given,
            start,
            spec.Timestamp(timestamp),
            spec.Address(sequencer),
            spec.Address(SEQUENCER),
        )

    yield from expect_post_or_error(spec, call, expected, error)


@vector_case("batch", "append_transaction_batch")
def test_first_transaction_batch(spec: ModuleType) -> Iterator[Part]:
    """Three transactions on acme's empty chain: header index 0, size 3, root over leaves that each bind 1089."""
    expected = hub_of(spec, acme_transactions=[transaction_batch_0(spec)])
    yield from expect_transaction_append(spec, hub_of(spec), ACME, TRANSACTIONS, 0, T0, SEQUENCER, expected)


@vector_case("batch", "append_transaction_batch")
def test_second_transaction_batch(spec: ModuleType) -> Iterator[Part]:
    """One more transaction at element 3: a one-leaf batch whose root is its leaf; previous total 3, index 1."""
    pre = hub_of(spec, acme_transactions=[transaction_batch_0(spec)])
    second = (3, T0 + 5, RAW[0])
    leaf = transaction_leaf(ACME, *second)
    added = header(spec, 1, leaf, 1, 3, transaction_extra(ACME, T0 + 20, SEQUENCER))
    expected = hub_of(spec, acme_transactions=[transaction_batch_0(spec), added])
    yield from expect_transaction_append(spec, pre, ACME, [second], 3, T0 + 20, SEQUENCER, expected)


@vector_case("batch", "append_transaction_batch")
def test_transaction_batch_unauthorised(spec: ModuleType) -> Iterator[Part]:
    """Appended by someone other than the selected sequencer."""
    yield from expect_transaction_append(
        spec, hub_of(spec), ACME, TRANSACTIONS, 0, T0, INTRUDER, error="UnauthorizedSequencer"
    )


@vector_case("batch", "append_transaction_batch")
def test_empty_transaction_batch(spec: ModuleType) -> Iterator[Part]:
    """No transactions."""
    yield from expect_transaction_append(spec, hub_of(spec), ACME, [], 0, T0, SEQUENCER, error="EmptyBatch")


@vector_case("batch", "append_transaction_batch")
def test_transaction_batch_stale_start(spec: ModuleType) -> Iterator[Part]:
    """The chain holds 3 transactions; a batch expecting to start at 0 is stale."""
    pre = hub_of(spec, acme_transactions=[transaction_batch_0(spec)])
    yield from expect_transaction_append(
        spec, pre, ACME, TRANSACTIONS, 0, T0 + 20, SEQUENCER, error="UnexpectedStartElement"
    )


@vector_case("batch", "append_transaction_batch")
def test_transaction_batch_unknown_chain(spec: ModuleType) -> Iterator[Part]:
    """Chain id 1090 is not registered."""
    yield from expect_transaction_append(
        spec, hub_of(spec), 1090, TRANSACTIONS, 0, T0, SEQUENCER, error="UnknownChainId"
    )


# --- batch/delete_state_batches ----------------------------------------------------------------------------------


def three_batch_hub(spec: ModuleType) -> Any:
    """acme with state batches 0, 1, 2 and one transaction batch (which deletion never touches)."""
    state = [state_batch_0(spec), state_batch_1(spec), state_batch_2(spec)]
    return hub_of(spec, state, [transaction_batch_0(spec)])


def fraud_proof_window(spec: ModuleType) -> int:
    window = int(spec.FRAUD_PROOF_WINDOW)
    assert window == {"minimal": 3600, "mainnet": 604800}[spec.PRESET]  # an hour; 7 days as Optimism and Metis
    return window


def expect_delete(
    spec: ModuleType, chain_id: int, batch_header: Any, now: int, expected: Any = None, error: str = ""
) -> Iterator[Part]:
    pre = three_batch_hub(spec)
    yield "pre", encode_hub(pre)
    yield "input", {
        "chain_id": encode_uint(chain_id),
        "header": encode_batch_header(batch_header),
        "now": encode_uint(now),
    }

    def call() -> Any:
        return spec.delete_state_batches(pre, spec.ChainId(chain_id), batch_header, spec.Timestamp(now))

    yield from expect_post_or_error(spec, call, expected, error)


@vector_case("batch", "delete_state_batches")
def test_delete_middle_batch(spec: ModuleType) -> Iterator[Part]:
    """Deleting batch 1 of 3 inside its window removes batches 1 and 2; batch 0 and the transactions stay."""
    expected = hub_of(spec, [state_batch_0(spec)], [transaction_batch_0(spec)])
    yield from expect_delete(spec, ACME, state_batch_1(spec), T0 + 150, expected)


@vector_case("batch", "delete_state_batches")
def test_delete_first_batch(spec: ModuleType) -> Iterator[Part]:
    """Deleting batch 0 empties acme's state chain."""
    expected = hub_of(spec, [], [transaction_batch_0(spec)])
    yield from expect_delete(spec, ACME, state_batch_0(spec), T0 + 150, expected)


@vector_case("batch", "delete_state_batches")
def test_delete_last_batch(spec: ModuleType) -> Iterator[Part]:
    """Deleting batch 2 (the last) keeps batches 0 and 1."""
    expected = hub_of(spec, [state_batch_0(spec), state_batch_1(spec)], [transaction_batch_0(spec)])
    yield from expect_delete(spec, ACME, state_batch_2(spec), T0 + 250, expected)


@vector_case("batch", "delete_state_batches")
def test_delete_in_last_second_of_window(spec: ModuleType) -> Iterator[Part]:
    """Batch 1 was proposed at T0 + 100; at T0 + 100 + FRAUD_PROOF_WINDOW - 1 it can still be deleted."""
    expected = hub_of(spec, [state_batch_0(spec)], [transaction_batch_0(spec)])
    now = T0 + 100 + fraud_proof_window(spec) - 1
    yield from expect_delete(spec, ACME, state_batch_1(spec), now, expected)


@vector_case("batch", "delete_state_batches")
def test_delete_when_window_closes(spec: ModuleType) -> Iterator[Part]:
    """At exactly T0 + 100 + FRAUD_PROOF_WINDOW batch 1 is final."""
    now = T0 + 100 + fraud_proof_window(spec)
    yield from expect_delete(spec, ACME, state_batch_1(spec), now, error="OutsideFraudProofWindow")


@vector_case("batch", "delete_state_batches")
def test_delete_with_wrong_root(spec: ModuleType) -> Iterator[Part]:
    """Batch 1's header with another batch root is not the stored header."""
    forged = header(spec, 1, h(R[4], R[3]), 2, 3, state_extra(ACME, T0 + 100, SEQUENCER, B[5], 5))
    yield from expect_delete(spec, ACME, forged, T0 + 150, error="UnknownBatchHeader")


@vector_case("batch", "delete_state_batches")
def test_delete_with_later_timestamp(spec: ModuleType) -> Iterator[Part]:
    """Batch 1's header claiming a later proposal time (to reopen a closed window) is not the stored header."""
    later = T0 + 100 + fraud_proof_window(spec)
    forged = header(spec, 1, h(R[3], R[4]), 2, 3, state_extra(ACME, later, SEQUENCER, B[5], 5))
    yield from expect_delete(spec, ACME, forged, later, error="UnknownBatchHeader")


@vector_case("batch", "delete_state_batches")
def test_delete_with_wrong_index(spec: ModuleType) -> Iterator[Part]:
    """Batch 1's fields under batch index 2: the hash ignores the index, but the stored batch 2 differs."""
    forged = header(spec, 2, h(R[3], R[4]), 2, 3, state_extra(ACME, T0 + 100, SEQUENCER, B[5], 5))
    yield from expect_delete(spec, ACME, forged, T0 + 150, error="UnknownBatchHeader")


@vector_case("batch", "delete_state_batches")
def test_delete_on_other_chain(spec: ModuleType) -> Iterator[Part]:
    """Acme's batch 1 named on the rangers' chain (1088), which has no state batches."""
    yield from expect_delete(spec, RANGERS, state_batch_1(spec), T0 + 150, error="UnknownBatchHeader")


@vector_case("batch", "delete_state_batches")
def test_delete_unknown_chain(spec: ModuleType) -> Iterator[Part]:
    """Chain id 1090 is not registered."""
    yield from expect_delete(spec, 1090, state_batch_1(spec), T0 + 150, error="UnknownChainId")


# --- batch/verify_committed_output_root --------------------------------------------------------------------------


def expect_committed(
    spec: ModuleType,
    chain_id: int,
    batch_header: Any,
    output_root: bytes,
    index: int,
    siblings: Sequence[bytes],
    hand_known: bool = False,
    error: str = "",
) -> Iterator[Part]:
    pre = hub_of(spec, [state_batch_0(spec), state_batch_1(spec)])
    yield "pre", encode_hub(pre)
    yield "input", {
        "chain_id": encode_uint(chain_id),
        "header": encode_batch_header(batch_header),
        "output_root": encode_bytes(output_root),
        "index": index,
        "siblings": encode_hashes(siblings),
    }

    def call() -> Any:
        chain = spec.get_dac(pre, spec.ChainId(chain_id)).state_batches
        return spec.verify_committed_output_root(
            chain, batch_header, spec.Hash32(output_root), index, [spec.Hash32(s) for s in siblings]
        )

    if error:
        yield from expect_spec_error(spec, error, call)
        return
    valid = call()
    assert valid is hand_known, f"spec said {valid!r}, expected {hand_known!r}"
    yield "output", {"valid": valid}


@vector_case("batch", "verify_committed_output_root")
def test_committed_root_in_padded_batch(spec: ModuleType) -> Iterator[Part]:
    """R2 is element 2 of batch 0 (block 3): siblings d0 (the padding) and H(R0,R1)."""
    yield from expect_committed(spec, ACME, state_batch_0(spec), R[2], 2, [DEFAULT_0, h(R[0], R[1])], True)


@vector_case("batch", "verify_committed_output_root")
def test_committed_root_in_second_batch(spec: ModuleType) -> Iterator[Part]:
    """R4 is element 1 of batch 1 (block 5): sibling R3."""
    yield from expect_committed(spec, ACME, state_batch_1(spec), R[4], 1, [R[3]], True)


@vector_case("batch", "verify_committed_output_root")
def test_wrong_output_root(spec: ModuleType) -> Iterator[Part]:
    """R5 is not element 2 of batch 0: false."""
    yield from expect_committed(spec, ACME, state_batch_0(spec), R[5], 2, [DEFAULT_0, h(R[0], R[1])], False)


@vector_case("batch", "verify_committed_output_root")
def test_output_root_under_unknown_header(spec: ModuleType) -> Iterator[Part]:
    """Batch 0's header with batch_size 4 instead of 3 is not the stored header."""
    forged = header(spec, 0, h(h(R[0], R[1]), h(R[2], DEFAULT_0)), 4, 0, state_extra(ACME, T0, SEQUENCER, B[3], 3))
    yield from expect_committed(spec, ACME, forged, R[2], 2, [DEFAULT_0, h(R[0], R[1])], error="UnknownBatchHeader")


@vector_case("batch", "verify_committed_output_root")
def test_output_root_proof_too_short(spec: ModuleType) -> Iterator[Part]:
    """Batch 0 holds 3 elements, so a proof needs 2 siblings; 1 is malformed."""
    yield from expect_committed(spec, ACME, state_batch_0(spec), R[1], 1, [R[0]], error="MerkleProofLengthMismatch")


@vector_case("batch", "verify_committed_output_root")
def test_output_root_index_past_batch(spec: ModuleType) -> Iterator[Part]:
    """Index 3 of batch 0 (3 elements) is past its end, even though element 3 exists in batch 1."""
    yield from expect_committed(
        spec, ACME, state_batch_0(spec), R[3], 3, [DEFAULT_0, DEFAULT_1], error="MerkleIndexOutOfRange"
    )


@vector_case("batch", "verify_committed_output_root")
def test_output_root_unknown_chain(spec: ModuleType) -> Iterator[Part]:
    """Chain id 1090 is not registered."""
    yield from expect_committed(spec, 1090, state_batch_0(spec), R[2], 2, [DEFAULT_0, R[0]], error="UnknownChainId")
