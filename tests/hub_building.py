"""Building hubs, L1 blocks and hub operations for the bridge and derivation cases and laws.

Everything here is a plain constructor: it builds inputs, never expected values. L1 block ``n`` has time
``L1_GENESIS_TIME + 12 n`` and a RANDAO value and beacon root that name ``n``, so a case can write an origin's
fields by hand.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Sequence

from eth_hash.auto import keccak
from eth_keys.datatypes import PrivateKey

from mvm_spec.conformance.handlers import apply_hub_operations
from mvm_spec.evm import GenesisAccount
from mvm_spec.vectors.codec import (
    encode_batch_header,
    encode_bytes,
    encode_charter,
    encode_genesis_alloc,
    encode_hashes,
    encode_l1_block,
    encode_optional_address,
    encode_uint,
    encode_withdrawal,
    encode_withdrawal_proof,
)
from tests.signing import sign_dynamic_fee

L1_GENESIS_TIME = 1_700_000_004  # the time of L1 block 0 (so block n is at L1_GENESIS_TIME + 12 n)
L1_BLOCK_TIME = 12
HUB_START = 96  # the hub's first L1 block: a multiple of the minimal preset's 8-block epochs
ACME = 1000000000001089  # the first DAC after the rangers' (FIRST_CHAIN_ID = 1000000000001088)
OTHER = 1000000000001090
GENESIS_BASE_FEE = 7
SEQUENCER = bytes([0x5E]) * 20
PROVIDER = bytes([0xCD]) * 20
FUNDS = 10**18
MAX_FEE, TIP = 10, 2


def key(number: int) -> PrivateKey:
    return PrivateKey(bytes([number]) * 32)


def address_of(signer: PrivateKey) -> bytes:
    return bytes(signer.public_key.to_canonical_address())


ALICE, BOB, CAROL = key(0xA1), key(0xB0), key(0xC0)
RECIPIENT = bytes([0xC1]) * 20


def l1_time(number: int) -> int:
    return L1_GENESIS_TIME + L1_BLOCK_TIME * number


def randao(number: int) -> bytes:
    return bytes(keccak(b"randao" + number.to_bytes(8, "big")))


def beacon_root(number: int) -> bytes:
    return bytes(keccak(b"beacon" + number.to_bytes(8, "big")))


def l1_block(spec: ModuleType, number: int) -> Any:
    return spec.L1Block(
        spec.L1BlockNumber(number),
        spec.Timestamp(l1_time(number)),
        spec.Hash32(randao(number)),
        spec.Hash32(beacon_root(number)),
    )


def plain_charter(spec: ModuleType, *rules: Any, taxrates: Sequence[tuple[int, int]] = ()) -> Any:
    brackets = tuple(spec.TaxBracket(spec.Wei(threshold), spec.BasisPoints(rate)) for threshold, rate in taxrates)
    return spec.Charter("A DAC", "Bridge vectors", tuple(rules), brackets, spec.Address(bytes(20)))


def funded(*signers: PrivateKey, balance: int = FUNDS) -> list[tuple[bytes, GenesisAccount]]:
    return [(address_of(signer), GenesisAccount(balance)) for signer in signers]


def new_hub(
    spec: ModuleType,
    *,
    alloc: Sequence[tuple[bytes, GenesisAccount]] = (),
    charter: Any = None,
    sequencer: bool = True,
    start: int = HUB_START,
) -> Any:
    """A hub whose first L1 block is ``start``, holding the rangers' DAC and "acme" (chain id 1000000000001089, created in that
    block with ``alloc`` and a base fee of 7 wei) and, unless told otherwise, one sequencer locking twice the minimum
    bond, so that its stake covers both DACs' thresholds and it serves both (`with_sequencing_snapshots`)."""
    rangers = spec.Charter("Rangers", "", (), (), spec.Address(bytes(20)))
    hub = spec.get_genesis_hub(rangers, l1_block(spec, start))
    alloc_spec = [(spec.Address(address), account) for address, account in alloc]
    charter = charter if charter is not None else plain_charter(spec)
    # MetisDAO sets the default tax schedule a new DAC's charter must carry (hub.md): acme's, for these hubs.
    hub = spec.set_default_taxrates(hub, spec.METIS_DAO_L1_ADDRESS, charter.taxrates)
    hub = spec.create_dac(hub, "acme", charter, alloc_spec, spec.Wei(GENESIS_BASE_FEE))
    if sequencer:
        hub = spec.register_sequencer(hub, spec.Address(SEQUENCER), spec.Wei(2 * spec.MIN_SEQUENCER_BOND))
    return with_sequencing_snapshots(spec, hub)


def served_by(spec: ModuleType, hub: Any, address: bytes = SEQUENCER) -> Any:
    """``hub`` with ``address`` registered (locking twice the minimum bond, if it was not registered) and the
    snapshots of the current epoch and the next taken (`with_sequencing_snapshots`): for laws and benchmarks that
    append batches to a hub of the rangers' DAC and one other with small supplies, which ``address`` then serves."""
    if not any(sequencer.address == address for sequencer in hub.sequencers):
        hub = spec.register_sequencer(hub, spec.Address(address), spec.Wei(2 * spec.MIN_SEQUENCER_BOND))
    return with_sequencing_snapshots(spec, hub)


def with_sequencing_snapshots(spec: ModuleType, hub: Any) -> Any:
    """``hub`` with the snapshots of its current epoch and the next taken of its own pool and DACs, as the L1 blocks
    starting the two epochs before would have recorded them had the hub's sequencers and DACs existed then. So the
    hub's sequencers can append from its first block, as on a hub that has been running for a while, without a
    case first waiting two epochs. (A DAC created in the current block would not be in a real snapshot: this builds
    the pre-state of cases about batches, not about the draw, which `tests/cases/test_sequencing.py` checks.)"""
    current = spec.get_current_l1_block(hub).number
    epoch = int(spec.compute_l1_epoch(current))
    supplies = tuple((dac.chain_id, dac.coinbase_supply) for dac in hub.dacs)
    snapshots = tuple(
        spec.SequencingSnapshot(
            spec.Epoch(drawn), spec.Hash32(randao(max(drawn - 1, 0) * int(spec.L1_BLOCKS_PER_EPOCH))), hub.sequencers, supplies
        )
        for drawn in (epoch, epoch + 1)
    )
    return spec.replace(hub, sequencing_snapshots=snapshots)


def run(spec: ModuleType, hub: Any, operations: Sequence[dict[str, Any]]) -> Any:
    """``hub`` after ``operations`` (the vector encoding), through the reference client's dispatcher."""
    return apply_hub_operations(spec, hub, list(operations))


# --- Operations, in the vectors' encoding ----------------------------------------------------------------------------


def advance(spec: ModuleType, number: int) -> dict[str, Any]:
    return {"op": "advance_l1_block", "block": encode_l1_block(l1_block(spec, number))}


def advance_through(spec: ModuleType, first: int, last: int) -> list[dict[str, Any]]:
    return [advance(spec, number) for number in range(first, last + 1)]


def batch_data(spec: ModuleType, blocks: Sequence[tuple[int, int, Sequence[bytes]]]) -> bytes:
    """The calldata of a batch of (L1 origin, proposed time, transactions)."""
    sequenced = [
        spec.SequencedBlock(spec.BlockNumber(0), spec.L1BlockNumber(origin), spec.Timestamp(time), tuple(raws))
        for origin, time, raws in blocks
    ]
    return bytes(spec.encode_transaction_batch(sequenced))


def append_batch(
    spec: ModuleType,
    blocks: Sequence[tuple[int, int, Sequence[bytes]]],
    start: int,
    *,
    chain_id: int = ACME,
    sequencer: bytes = SEQUENCER,
) -> dict[str, Any]:
    return {
        "op": "append_transaction_batch",
        "chain_id": encode_uint(chain_id),
        "batch_data": encode_bytes(batch_data(spec, blocks)),
        "should_start_at_element": encode_uint(start),
        "sequencer": encode_bytes(sequencer),
    }


def append_state(
    output_roots: Sequence[bytes], start: int, *, chain_id: int = ACME, proposer: bytes = SEQUENCER
) -> dict[str, Any]:
    return {
        "op": "append_state_batch",
        "chain_id": encode_uint(chain_id),
        "output_roots": encode_hashes(output_roots),
        "should_start_at_element": encode_uint(start),
        "proposer": encode_bytes(proposer),
    }


def deposit(
    *,
    l1_sender: bytes,
    to: bytes | None,
    mint: int = 0,
    value: int = 0,
    gas_limit: int = 100_000,
    data: bytes = b"",
    from_contract: bool = False,
    chain_id: int = ACME,
) -> dict[str, Any]:
    return {
        "op": "deposit_into_dac",
        "chain_id": encode_uint(chain_id),
        "l1_sender": encode_bytes(l1_sender),
        "from_contract": from_contract,
        "to": encode_optional_address(to),
        "mint": encode_uint(mint),
        "value": encode_uint(value),
        "gas_limit": encode_uint(gas_limit),
        "data": encode_bytes(data),
    }


def take_back(*, l1_sender: bytes, ticket: int, chain_id: int = ACME) -> dict[str, Any]:
    return {
        "op": "withdraw_pending_deposit",
        "chain_id": encode_uint(chain_id),
        "l1_sender": encode_bytes(l1_sender),
        "ticket": encode_uint(ticket),
    }


def create_dac_op(spec: ModuleType, label: str, alloc: Sequence[tuple[bytes, GenesisAccount]] = ()) -> dict[str, Any]:
    return {
        "op": "create_dac",
        "label": label,
        "charter": encode_charter(plain_charter(spec)),
        "alloc": encode_genesis_alloc(alloc),
        "base_fee_per_gas": encode_uint(GENESIS_BASE_FEE),
    }


def prove(chain_id: int, withdrawal: Any, proof: Any) -> dict[str, Any]:
    return {
        "op": "prove_withdrawal",
        "chain_id": encode_uint(chain_id),
        "withdrawal": encode_withdrawal(withdrawal),
        "proof": encode_withdrawal_proof(proof),
    }


def finalize(chain_id: int, withdrawal: Any) -> dict[str, Any]:
    return {"op": "finalize_withdrawal", "chain_id": encode_uint(chain_id), "withdrawal": encode_withdrawal(withdrawal)}


def header_op(header: Any, chain_id: int = ACME) -> dict[str, Any]:
    return {"op": "delete_state_batches", "chain_id": encode_uint(chain_id), "header": encode_batch_header(header)}


# --- Transactions ----------------------------------------------------------------------------------------------------


def transfer(signer: PrivateKey, nonce: int, to: bytes, value: int, *, chain_id: int = ACME, gas: int = 21_000) -> bytes:
    return sign_dynamic_fee(
        signer, nonce, to, value=value, data=b"", gas=gas, max_fee=MAX_FEE, tip=TIP, chain_id=chain_id
    )


def call(
    signer: PrivateKey, nonce: int, to: bytes | None, *, data: bytes = b"", value: int = 0, gas: int = 200_000
) -> bytes:
    return sign_dynamic_fee(signer, nonce, to, value=value, data=data, gas=gas, max_fee=MAX_FEE, tip=TIP, chain_id=ACME)


def context_root_by_hand(state: Any) -> bytes:
    """The execution context root of an L2 state, laid out from its documented ABI type (execution.md) with eth-abi
    and hashed with eth-hash: an independent computation of `compute_execution_context_root`."""
    from eth_abi.abi import encode as abi_encode

    fields = (
        int(state.chain_id),
        int(state.coinbase_supply),
        int(state.latest_block_number),
        int(state.latest_timestamp),
        int(state.latest_base_fee_per_gas),
        int(state.latest_gas_used),
        bytes(keccak(b"".join(bytes(block_hash) for block_hash in state.recent_block_hashes))),
    )
    types = ["uint256"] * 6 + ["bytes32"]
    return bytes(keccak(abi_encode(types, fields)))


def output_root_preimage(spec: ModuleType, state: Any) -> Any:
    """The preimage (`OutputRootProof`) of the output root of ``state``'s newest block, each field read from the
    state (the context root computed by hand)."""
    from mvm_spec import evm

    return spec.OutputRootProof(
        spec.Hash32(state.world.state_root),
        spec.compute_charter_root(state.charter),
        spec.Hash32(evm.get_storage_root(state.world, bytes(spec.MESSAGE_PASSER_ADDRESS))),
        state.recent_block_hashes[0],
        spec.Hash32(context_root_by_hand(state)),
    )
