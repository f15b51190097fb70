"""Hypothesis laws of the L1 hub (spec/v1/hub.md): Merkle proofs, chain-id binding, numbering of blocks after forced
blocks, the derived head bounding state batches, deletion and finality, label uniqueness, and the one encoding of a
transaction batch.

The laws that run hub operations keep an independent model of the rule they test (the chain's head, in L1 blocks
and block numbers, from the text of hub.md), drive the spec with inputs chosen from the model, and check the spec
against it; a spec that disagrees either refuses an input the model calls valid or numbers differently.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mvm_spec.forks.v1 import minimal as spec
from mvm_spec.fuzz import leaf_lists  # the trees mvm-spec fuzz draws, for merkle/root and merkle/proof
from mvm_spec.runtime import abi_encode, keccak256
from mvm_spec.vectors.container_codec import decode_value
from tests.hub_building import served_by

hashes = st.binary(min_size=32, max_size=32).map(spec.Hash32)
addresses = st.binary(min_size=20, max_size=20).map(spec.Address)
uint64s = st.integers(0, 2**64 - 1)
EMPTY_CHARTER = spec.Charter("", "", (), (), spec.Address())
SEQUENCER = spec.Address(b"\x5e" * 20)
DAC = spec.ChainId(1000000000001089)
WINDOW = 4  # SEQUENCING_WINDOW of the minimal preset, in L1 blocks
FIRST_L1 = 100  # the hubs' first L1 block; the DAC is created in the next one


# --- Merkle trees -------------------------------------------------------------------------------------------------


# The fuzzer's leaf lists (JSON), read by the reference client's decoder; a tree has at least one leaf.
trees = leaf_lists.filter(bool).map(lambda texts: [decode_value(spec, spec.Hash32, text) for text in texts])


@st.composite
def leaves_and_index(draw: st.DrawFn) -> tuple[list[Any], int]:
    leaves = draw(trees)
    return leaves, draw(st.integers(0, len(leaves) - 1))


@given(trees)
def test_every_leaf_has_a_proof_that_verifies(leaves: list[Any]) -> None:
    root = spec.compute_merkle_root(leaves)
    for index, leaf in enumerate(leaves):
        assert spec.verify_merkle_proof(root, leaf, index, spec.compute_merkle_proof(leaves, index), len(leaves))


@given(leaves_and_index(), st.data())
def test_proof_verifies_only_for_the_leaf_at_that_index(case: tuple[list[Any], int], data: st.DataObject) -> None:
    leaves, index = case
    root = spec.compute_merkle_root(leaves)
    proof = spec.compute_merkle_proof(leaves, index)
    other_leaf = data.draw(hashes.filter(lambda leaf: leaf != leaves[index]))
    assert not spec.verify_merkle_proof(root, other_leaf, index, proof, len(leaves))
    others = [position for position in range(len(leaves)) if leaves[position] != leaves[index]]
    if others:
        other_index = data.draw(st.sampled_from(others))
        assert not spec.verify_merkle_proof(root, leaves[index], other_index, proof, len(leaves))


@given(leaves_and_index(), hashes)
def test_changing_any_leaf_changes_the_root(case: tuple[list[Any], int], replacement: Any) -> None:
    leaves, index = case
    if replacement == leaves[index]:
        return
    changed = [*leaves[:index], replacement, *leaves[index + 1 :]]
    assert spec.compute_merkle_root(changed) != spec.compute_merkle_root(leaves)


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33])
def test_proof_length_is_ceil_log2(count: int) -> None:
    leaves = [spec.Hash32(keccak256(bytes([index]))) for index in range(count)]
    expected_levels = 0
    while 2**expected_levels < count:
        expected_levels += 1
    assert all(len(spec.compute_merkle_proof(leaves, index)) == expected_levels for index in range(count))


# --- chain-id binding ---------------------------------------------------------------------------------------------

two_chain_ids = st.lists(st.integers(1000000000001088, 2**64 - 1), min_size=2, max_size=2, unique=True)


@given(st.lists(hashes, min_size=1, max_size=20), two_chain_ids, uint64s, uint64s, addresses)
def test_state_headers_of_two_chains_with_equal_roots_differ(
    roots: list[Any], chain_ids: list[int], l1_block_number: int, timestamp: int, proposer: Any
) -> None:
    def header_for(chain_id: int) -> Any:
        context = spec.StateBatchContext(
            spec.ChainId(chain_id),
            spec.L1BlockNumber(l1_block_number),
            spec.Timestamp(timestamp),
            proposer,
            spec.BlockNumber(len(roots)),
        )
        extra = spec.encode_state_batch_extra_data(context)
        assert spec.decode_state_batch_extra_data(extra) == context
        root = spec.compute_merkle_root(roots)
        return spec.ChainBatchHeader(spec.uint256(0), root, spec.uint256(len(roots)), spec.uint256(0), extra)

    first, second = chain_ids
    assert spec.hash_batch_header(header_for(first)) != spec.hash_batch_header(header_for(second))


@st.composite
def sequenced_blocks(draw: st.DrawFn) -> Any:
    transactions = draw(st.lists(st.binary(max_size=40), max_size=3))
    number, origin, timestamp = draw(uint64s), draw(uint64s), draw(uint64s)
    return spec.SequencedBlock(
        spec.BlockNumber(number), spec.L1BlockNumber(origin), spec.Timestamp(timestamp), tuple(transactions)
    )


@given(sequenced_blocks(), two_chain_ids, uint64s, addresses)
def test_the_same_block_on_two_chains_has_two_leaves_and_headers(
    block: Any, chain_ids: list[int], l1_block_number: int, sequencer: Any
) -> None:
    first, second = (spec.ChainId(chain_id) for chain_id in chain_ids)
    assert spec.hash_sequenced_block(first, block) != spec.hash_sequenced_block(second, block)
    l1_block = spec.L1Block(spec.L1BlockNumber(l1_block_number), spec.Timestamp(0), spec.Hash32(), spec.Hash32())
    first_extra = spec.encode_transaction_batch_extra_data(first, l1_block, sequencer)
    assert first_extra != spec.encode_transaction_batch_extra_data(second, l1_block, sequencer)


# --- the one encoding of a transaction batch ----------------------------------------------------------------------

batches = st.lists(sequenced_blocks(), max_size=5)


@given(batches, st.integers(0, 2**63))
def test_decoding_inverts_encoding(blocks: list[Any], first_number: int) -> None:
    """The hub numbers the blocks of a batch from where it is told; their contents come back unchanged."""
    decoded = spec.decode_transaction_batch(spec.encode_transaction_batch(blocks), spec.BlockNumber(first_number))
    renumbered = [replace(block, number=spec.BlockNumber(first_number + index)) for index, block in enumerate(blocks)]
    assert list(decoded) == renumbered


INTERESTING_WORDS = [0, 1, 0x20, 0x40, 0x60, 0x80, 2**64 - 1, 2**64, 2**255, 2**256 - 1]


@st.composite
def mutated_encodings(draw: st.DrawFn) -> bytes:
    """The encoding of some blocks with one change: a byte replaced, a range cut out, bytes inserted, a whole word
    replaced by a value that is often a length or an offset, or the data cut short."""
    data = bytearray(spec.encode_transaction_batch(draw(batches)))
    kind = draw(st.sampled_from(["byte", "cut", "insert", "word", "truncate"]))
    position = draw(st.integers(0, len(data)))
    if kind == "byte" and position < len(data):
        data[position] = draw(st.integers(0, 255))
    elif kind == "cut":
        del data[position : position + draw(st.integers(1, 64))]
    elif kind == "insert":
        data[position:position] = draw(st.binary(min_size=1, max_size=64))
    elif kind == "word" and len(data) >= 32:
        start = 32 * draw(st.integers(0, len(data) // 32 - 1))
        value = draw(st.sampled_from(INTERESTING_WORDS) | st.integers(0, 2**256 - 1))
        data[start : start + 32] = value.to_bytes(32, "big")
    else:
        del data[position:]
    return bytes(data)


@given(st.binary(max_size=400) | mutated_encodings())
def test_decoding_accepts_only_canonical_encodings(data: bytes) -> None:
    """Any byte string is either refused with MalformedTransactionBatch, and nothing else, or is exactly the
    encoding of the blocks it decodes to: every other byte string is refused."""
    try:
        blocks = spec.decode_transaction_batch(data, spec.BlockNumber(1))
    except spec.MalformedTransactionBatch:
        return
    assert spec.encode_transaction_batch(blocks) == data
    assert all(block.l1_origin <= 2**64 - 1 and block.timestamp <= 2**64 - 1 for block in blocks)


# --- hubs driven by a model of the chain's head -------------------------------------------------------------------


def l1_block(number: int, timestamp: int) -> Any:
    return spec.L1Block(spec.L1BlockNumber(number), spec.Timestamp(timestamp), spec.Hash32(), spec.Hash32())


def fresh_hub() -> Any:
    """The genesis hub in L1 block 100 (time 1000); the DAC created in L1 block 101 (time 1012)."""
    hub = spec.advance_l1_block(spec.get_genesis_hub(EMPTY_CHARTER, l1_block(FIRST_L1, 1000)), l1_block(101, 1012))
    return served_by(spec, spec.create_dac(hub, "dac", EMPTY_CHARTER, (), spec.Wei(0)), SEQUENCER)


@dataclass
class Model:
    """What hub.md says of the DAC's chain, kept beside the hub: the current L1 block and time, and the newest
    sequenced block's number and L1 origin (genesis: block 0 at the DAC's creation block)."""

    l1_number: int = FIRST_L1 + 1
    l1_time: int = 1012
    last_number: int = 0
    last_origin: int = FIRST_L1 + 1
    state_elements: int = 0

    def forced(self) -> int:
        """The forced blocks before anything recorded now: one per L1 block the head lags beyond the window."""
        return max(0, self.l1_number - WINDOW - self.last_origin)

    def head(self) -> tuple[int, int]:
        return self.last_number + self.forced(), self.last_origin + self.forced()


Step = tuple[str, list[int]]
steps = st.lists(
    st.tuples(st.just("advance"), st.lists(st.integers(1, 30), min_size=1, max_size=8))
    | st.tuples(st.just("append"), st.lists(st.integers(0, 1), min_size=1, max_size=4))
    | st.tuples(st.just("state"), st.lists(st.integers(1, 6), min_size=1, max_size=1)),
    max_size=12,
)


@dataclass(frozen=True)
class Appended:
    """A transaction batch as the model expects it: its blocks' numbers and L1 origins, the forced blocks before
    it, and the blocks the spec stored for it."""

    numbers: list[int]
    origins: list[int]
    forced: int
    blocks: tuple[Any, ...]


def next_element(hub: Any) -> int:
    return spec.get_total_elements(spec.get_dac(hub, DAC).transaction_batches)


def encode_entries(entries: list[tuple[int, int, list[bytes]]]) -> bytes:
    return abi_encode(("(uint256,uint256,bytes[])[]",), (entries,))


def run(schedule: list[Step]) -> tuple[Any, Model, list[Appended]]:
    """Run `schedule` on a fresh hub: advance the L1 clock (one block per listed number of seconds), append a
    transaction batch whose origins step by the listed 0s and 1s from the model's head (never reaching the current
    L1 block), or try a state batch of the listed size, which must be accepted exactly when it stays within the
    model's head. Returns the hub, the model and the transaction batches appended."""
    hub, model = fresh_hub(), Model()
    appended: list[Appended] = []
    for kind, values in schedule:
        if kind == "advance":
            for seconds in values:
                model.l1_number, model.l1_time = model.l1_number + 1, model.l1_time + seconds
                hub = spec.advance_l1_block(hub, l1_block(model.l1_number, model.l1_time))
        elif kind == "append":
            head_number, origin = model.head()
            if origin >= model.l1_number:  # the head builds on the current L1 block: nothing can follow it yet
                with pytest.raises(spec.L1OriginInFuture):
                    spec.append_transaction_batch(
                        hub, DAC, encode_entries([(origin, 0, [])]), next_element(hub), SEQUENCER
                    )
                continue
            origins = []
            for step in values:
                origin = origin + step if origin + step < model.l1_number else origin
                origins.append(origin)
            data = encode_entries([(origin, 0, [bytes([step])]) for origin, step in zip(origins, values)])
            before = len(spec.get_dac(hub, DAC).blocks)
            hub = spec.append_transaction_batch(hub, DAC, data, next_element(hub), SEQUENCER)
            numbers = list(range(head_number + 1, head_number + 1 + len(values)))
            stored = spec.get_dac(hub, DAC).blocks[before:]
            appended.append(Appended(numbers, origins, model.forced(), stored))
            model.last_number, model.last_origin = numbers[-1], origins[-1]
        else:
            (count,) = values
            roots = [spec.Hash32(keccak256(bytes([count, index]))) for index in range(count)]
            try:
                hub = spec.append_state_batch(hub, DAC, roots, model.state_elements, SEQUENCER)
            except spec.OutputRootsBeyondChainHead:
                assert model.state_elements + count > model.head()[0], "refused a state batch within the head"
            else:
                assert model.state_elements + count <= model.head()[0], "accepted a state batch past the head"
                model.state_elements += count
    return hub, model, appended


@given(steps)
def test_blocks_are_numbered_after_forced_blocks(schedule: list[Step]) -> None:
    """Each batch's blocks get the numbers that follow the head the model derives, forced blocks included, and keep
    the origins chosen from it; so between two batches the numbers skip exactly the forced blocks, one per L1
    origin the head lagged beyond the window."""
    hub, model, appended = run(schedule)
    for batch in appended:
        assert [(block.number, block.l1_origin) for block in batch.blocks] == list(zip(batch.numbers, batch.origins))
    for previous, batch in zip(appended, appended[1:]):
        assert batch.numbers[0] - previous.numbers[-1] - 1 == batch.forced
        assert batch.origins[0] - previous.origins[-1] - batch.forced in (0, 1)
    assert [block.number for block in spec.get_dac(hub, DAC).blocks] == [n for batch in appended for n in batch.numbers]
    assert spec.get_l2_head(hub, spec.get_dac(hub, DAC)) == model.head()


@given(steps, st.integers(1, 40))
def test_a_state_batch_never_passes_the_derived_head(schedule: list[Step], count: int) -> None:
    """After any schedule, a state batch is accepted exactly when its last block is at most the head derivation
    defines in the current L1 block (the model's); its extraData names that last block."""
    hub, model, _ = run(schedule)
    roots = [spec.Hash32(keccak256(bytes([index]))) for index in range(count)]
    last = model.state_elements + count
    try:
        grown = spec.append_state_batch(hub, DAC, roots, model.state_elements, SEQUENCER)
    except spec.OutputRootsBeyondChainHead:
        assert last > model.head()[0]
        return
    assert last <= model.head()[0]
    stored = spec.get_dac(grown, DAC).state_batches.headers[-1]
    assert spec.decode_state_batch_extra_data(stored.extra_data).last_block_number == last


def sequenced_hub(block_count: int) -> Any:
    """A fresh hub whose DAC has `block_count` empty blocks, all at L1 origin 101, appended in L1 block 102."""
    hub = spec.advance_l1_block(fresh_hub(), l1_block(102, 1024))
    data = abi_encode(("(uint256,uint256,bytes[])[]",), ([(101, 0, [])] * block_count,))
    return spec.append_transaction_batch(hub, DAC, data, 0, SEQUENCER)


def append_state_batches(hub: Any, sizes: list[int], pauses: list[int]) -> Any:
    """`hub` with state batches of `sizes`, each after advancing the L1 clock by the next of `pauses` blocks of 12
    seconds (none if `pauses` runs out)."""
    for position, size in enumerate(sizes):
        for _ in range(pauses[position] if position < len(pauses) else 0):
            current = spec.get_current_l1_block(hub)
            hub = spec.advance_l1_block(hub, l1_block(current.number + 1, current.timestamp + 12))
        total = spec.get_total_elements(spec.get_dac(hub, DAC).state_batches)
        roots = [spec.Hash32(keccak256(bytes([position, index]))) for index in range(size)]
        hub = spec.append_state_batch(hub, DAC, roots, total, SEQUENCER)
    return hub


batch_sizes = st.lists(st.integers(1, 5), max_size=5)


@given(batch_sizes, st.lists(st.integers(1, 5), min_size=1, max_size=4), st.lists(st.integers(0, 3), max_size=4))
def test_appending_then_deleting_restores_the_chain(before: list[int], appended: list[int], pauses: list[int]) -> None:
    """Deleting the first of the batches appended (within its fraud-proof window, however the L1 clock moved)
    leaves the DAC's state batches as they were, and the rest of the hub as it is."""
    start = append_state_batches(sequenced_hub(48), before, [])
    grown = append_state_batches(start, appended, pauses)
    first_new = spec.get_dac(grown, DAC).state_batches.headers[len(before)]
    deleted = spec.delete_state_batches(grown, DAC, first_new)
    assert spec.get_dac(deleted, DAC).state_batches == spec.get_dac(start, DAC).state_batches
    assert deleted == spec.replace_dac(
        grown, replace(spec.get_dac(grown, DAC), state_batches=spec.get_dac(start, DAC).state_batches)
    )


FRAUD_PROOF_WINDOW = 3600  # seconds, on the minimal preset


@given(batch_sizes.filter(bool), st.lists(st.integers(0, 3), max_size=5), st.data())
def test_a_batch_is_deletable_exactly_until_it_is_final(
    sizes: list[int], pauses: list[int], data: st.DataObject
) -> None:
    """In the next L1 block, at any time (often right at a batch's window boundary), each stored batch is final
    exactly when FRAUD_PROOF_WINDOW has passed since its own append time, and can be deleted exactly when it is not
    final; a deleted batch is never final."""
    hub = append_state_batches(sequenced_hub(48), sizes, pauses)
    headers = spec.get_dac(hub, DAC).state_batches.headers
    target = data.draw(st.sampled_from(headers))
    appended_at = spec.decode_state_batch_extra_data(target.extra_data).timestamp
    offset = data.draw(st.sampled_from([-1, 0, 1]) | st.integers(-FRAUD_PROOF_WINDOW, FRAUD_PROOF_WINDOW))
    current = spec.get_current_l1_block(hub)
    now = max(current.timestamp + 1, appended_at + FRAUD_PROOF_WINDOW + offset)
    hub = spec.advance_l1_block(hub, l1_block(current.number + 1, now))
    final = spec.is_state_batch_final(hub, DAC, target)
    assert final == (now >= appended_at + FRAUD_PROOF_WINDOW)
    if final:
        with pytest.raises(spec.OutsideFraudProofWindow):
            spec.delete_state_batches(hub, DAC, target)
        return
    deleted = spec.delete_state_batches(hub, DAC, target)
    assert spec.get_dac(deleted, DAC).state_batches.headers == headers[: target.batch_index]
    much_later = spec.advance_l1_block(deleted, l1_block(current.number + 2, now + 10 * FRAUD_PROOF_WINDOW))
    assert not any(spec.is_state_batch_final(much_later, DAC, header) for header in headers[target.batch_index :])
    assert all(spec.is_state_batch_final(much_later, DAC, header) for header in headers[: target.batch_index])


# --- the registry -------------------------------------------------------------------------------------------------

labels = st.text(alphabet="abcAB-_1é", min_size=0, max_size=5)


@given(st.lists(labels, max_size=15))
def test_registered_labels_stay_unique_and_ids_sequential(requests: list[str]) -> None:
    """Whatever labels are asked for, the registered ones are distinct folded requests, chain ids run from 1000000000001088 in
    order of creation, and a request is refused only as malformed or taken."""
    hub = spec.get_genesis_hub(EMPTY_CHARTER, l1_block(FIRST_L1, 1000))
    for label in requests:
        try:
            hub = spec.create_dac(hub, label, EMPTY_CHARTER, (), spec.Wei(0))
        except spec.InvalidDacLabel:
            continue
        except spec.DacLabelTaken:
            assert label.lower() in [dac.label for dac in hub.dacs]
    registered = [dac.label for dac in hub.dacs]
    assert len(registered) == len(set(registered))
    assert [int(dac.chain_id) for dac in hub.dacs] == list(range(1000000000001088, 1000000000001088 + len(hub.dacs)))
    folded = {label.lower() for label in requests if label.isascii()}
    assert set(registered) <= folded | {"rangers"}
