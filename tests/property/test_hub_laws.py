"""Hypothesis laws of the L1 hub (spec/v1/hub.md): Merkle proofs, chain-id binding, deletion, label uniqueness."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mvm_spec.forks.v1 import minimal as spec
from mvm_spec.runtime import keccak256

hashes = st.binary(min_size=32, max_size=32).map(spec.Hash32)
addresses = st.binary(min_size=20, max_size=20).map(spec.Address)
EMPTY_CHARTER = spec.Charter("", "", (), (), spec.Address())


@st.composite
def leaves_and_index(draw: st.DrawFn, max_leaves: int = 40) -> tuple[list[Any], int]:
    leaves = draw(st.lists(hashes, min_size=1, max_size=max_leaves))
    return leaves, draw(st.integers(0, len(leaves) - 1))


@given(leaves_and_index())
def test_generated_proof_verifies(case: tuple[list[Any], int]) -> None:
    leaves, index = case
    root = spec.compute_merkle_root(leaves)
    assert spec.verify_merkle_proof(root, leaves[index], index, spec.compute_merkle_proof(leaves, index), len(leaves))


@given(leaves_and_index(), st.data())
def test_proof_verifies_only_for_the_leaf_at_that_index(case: tuple[list[Any], int], data: st.DataObject) -> None:
    leaves, index = case
    root = spec.compute_merkle_root(leaves)
    proof = spec.compute_merkle_proof(leaves, index)
    other_leaf = data.draw(hashes.filter(lambda leaf: leaf != leaves[index]))
    assert not spec.verify_merkle_proof(root, other_leaf, index, proof, len(leaves))
    other_index = data.draw(st.integers(0, len(leaves) - 1).filter(lambda i: leaves[i] != leaves[index]) if len(set(leaves)) > 1 else st.just(index))
    if other_index != index:
        assert not spec.verify_merkle_proof(root, leaves[index], other_index, proof, len(leaves))


@given(leaves_and_index(), hashes)
def test_changing_any_leaf_changes_the_root(case: tuple[list[Any], int], replacement: Any) -> None:
    leaves, index = case
    if replacement == leaves[index]:
        return
    changed = [*leaves[:index], replacement, *leaves[index + 1 :]]
    assert spec.compute_merkle_root(changed) != spec.compute_merkle_root(leaves)


@given(st.lists(hashes, min_size=1, max_size=20), st.integers(1088, 2**32), st.integers(1088, 2**32), st.data())
def test_headers_of_two_chains_with_equal_roots_differ(roots: list[Any], chain_a: int, chain_b: int, data: st.DataObject) -> None:
    if chain_a == chain_b:
        return
    timestamp, proposer, block_hash = data.draw(st.integers(0, 2**63)), data.draw(addresses), data.draw(hashes)

    def header_for(chain_id: int) -> Any:
        context = spec.StateBatchContext(
            spec.ChainId(chain_id), spec.Timestamp(timestamp), proposer, block_hash, spec.BlockNumber(len(roots))
        )
        return spec.ChainBatchHeader(
            spec.uint256(0), spec.compute_merkle_root(roots), spec.uint256(len(roots)), spec.uint256(0),
            spec.encode_state_batch_extra_data(context),
        )

    assert spec.hash_batch_header(header_for(chain_a)) != spec.hash_batch_header(header_for(chain_b))


def hub_with_batches(batch_sizes: list[int], sequencer: Any, start_time: int) -> Any:
    hub = spec.create_dac(spec.get_genesis_hub(EMPTY_CHARTER), "dac", EMPTY_CHARTER)
    total = 0
    for number, size in enumerate(batch_sizes):
        roots = [spec.Hash32(keccak256(bytes([number, index]))) for index in range(size)]
        context = spec.StateBatchContext(
            spec.ChainId(1089), spec.Timestamp(start_time + number), sequencer, spec.Hash32(), spec.BlockNumber(total + size)
        )
        hub = spec.append_state_batch(hub, roots, total, context, sequencer, spec.Timestamp(start_time + number))
        total += size
    return hub


@given(st.lists(st.integers(1, 5), max_size=5), st.lists(st.integers(1, 5), min_size=1, max_size=4), addresses)
def test_appending_then_deleting_restores_the_chain(before: list[int], appended: list[int], sequencer: Any) -> None:
    start = hub_with_batches(before, sequencer, 1000)
    grown = hub_with_batches([*before, *appended], sequencer, 1000)
    first_new = spec.get_dac(grown, spec.ChainId(1089)).state_batches.headers[len(before)]
    assert spec.delete_state_batches(grown, spec.ChainId(1089), first_new, spec.Timestamp(1000)) == start


labels = st.text(alphabet="abcAB-_1é", min_size=0, max_size=5)


@given(st.lists(labels, max_size=15))
def test_registered_labels_stay_unique_and_ids_sequential(requests: list[str]) -> None:
    hub = spec.get_genesis_hub(EMPTY_CHARTER)
    for label in requests:
        try:
            hub = spec.create_dac(hub, label, EMPTY_CHARTER)
        except (spec.InvalidDacLabel, spec.DacLabelTaken):
            pass
    registered = [dac.label for dac in hub.dacs]
    assert len(registered) == len(set(registered))
    assert [int(dac.chain_id) for dac in hub.dacs] == list(range(1088, 1088 + len(hub.dacs)))
    folded = {label.lower() for label in requests if label.isascii()}
    assert set(registered) <= folded | {"rangers"}


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33])
def test_proof_length_is_ceil_log2(count: int) -> None:
    leaves = [spec.Hash32(keccak256(bytes([index]))) for index in range(count)]
    expected_levels = 0
    while 2**expected_levels < count:
        expected_levels += 1
    assert all(len(spec.compute_merkle_proof(leaves, index)) == expected_levels for index in range(count))
