"""Signing Cancun transactions for tests and vector cases (py-evm's builder, eth-keys keys)."""

from __future__ import annotations

from typing import Any

from eth.vm.forks.cancun.transactions import CancunTransactionBuilder
from eth_keys.datatypes import PrivateKey
from eth_typing import Address, Hash32


def sign_dynamic_fee(
    signer: PrivateKey,
    nonce: int,
    to: bytes | None,
    *,
    value: int,
    data: bytes,
    gas: int,
    max_fee: int,
    tip: int,
    chain_id: int,
) -> bytes:
    """A signed EIP-1559 (type 2) transaction; ``to=None`` creates a contract."""
    unsigned = CancunTransactionBuilder.new_unsigned_dynamic_fee_transaction(
        chain_id=chain_id,
        nonce=nonce,
        max_priority_fee_per_gas=tip,
        max_fee_per_gas=max_fee,
        gas=gas,
        to=Address(to or b""),
        value=value,
        data=data,
        access_list=(),
    )
    return bytes(unsigned.as_signed_transaction(signer).encode())


def sign_legacy(
    signer: PrivateKey,
    nonce: int,
    to: bytes | None,
    *,
    value: int,
    data: bytes,
    gas: int,
    gas_price: int,
    chain_id: int | None,
) -> bytes:
    """A signed legacy transaction; ``chain_id=None`` signs it without EIP-155."""
    unsigned = CancunTransactionBuilder.create_unsigned_transaction(
        nonce=nonce, gas_price=gas_price, gas=gas, to=Address(to or b""), value=value, data=data
    )
    # chain_id=None signs without EIP-155, which py-evm's annotation does not admit
    signed: Any = unsigned.as_signed_transaction(signer, chain_id=chain_id)  # type: ignore[arg-type]
    return bytes(signed.encode())


def sign_blob(
    signer: PrivateKey,
    nonce: int,
    to: bytes,
    *,
    gas: int,
    max_fee: int,
    tip: int,
    max_fee_per_blob_gas: int,
    chain_id: int,
) -> bytes:
    """A signed EIP-4844 (type 3) transaction carrying one versioned hash (version byte 0x01)."""
    unsigned = CancunTransactionBuilder.new_unsigned_blob_transaction(
        chain_id=chain_id,
        nonce=nonce,
        max_priority_fee_per_gas=tip,
        max_fee_per_gas=max_fee,
        gas=gas,
        to=Address(to),
        value=0,
        data=b"",
        access_list=(),
        max_fee_per_blob_gas=max_fee_per_blob_gas,
        blob_versioned_hashes=(Hash32(b"\x01" + bytes(31)),),
    )
    return bytes(unsigned.as_signed_transaction(signer).encode())
