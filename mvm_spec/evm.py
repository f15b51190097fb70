"""The hand-written adapter between the spec and py-evm: the EVM the MVM runs is py-evm's **Cancun** fork
(``eth.vm.forks.cancun``: ``CancunState``, ``CancunComputation``, ``CancunTransactionBuilder``).

The spec never touches py-evm. It calls only the public functions below, which are pure at the interface: every
function takes immutable values and returns new ones, and none mutates a world it is given. That is cheap because
a world is a state root (computed lazily: see :class:`EvmWorld`); the trie nodes and contract code live in a
:class:`NodeStore` shared by every world derived from the same genesis. The store is content addressed (a key is
the keccak256 of its value) and append-only, so writing a new world's nodes can never change what an older root
means. A chain of operations on the newest world (a block's transactions) runs on one open py-evm state and hashes
the trie once, when a root is first asked for, as a block-building client does; reading an older world replays its
operations from the nearest known root, so immutability never depends on how worlds are used.

Division of labour. The spec states the transaction validity rules itself (signature, chain id, nonce, balance,
EIP-3607, fee caps, initcode size, permissions) and calls :func:`execute_transaction` only for a transaction it has
judged valid. py-evm still runs its own, weaker checks inside ``apply_transaction``; they never decide anything
for a transaction that passed the spec's rules, and if they ever refuse one the adapter raises
:class:`ExecutionRefused` (a disagreement between spec and adapter, never a verdict on the transaction). Besides
nonce, balance and signature, py-evm refuses: ``max_fee_per_gas`` below the base fee, ``gas_limit`` below its
intrinsic gas (which lacks the EIP-3860 init-code charge, so the spec's is stricter) and, for blob transactions, no
blob, a versioned hash not starting with 0x01, or ``max_fee_per_blob_gas`` below the blob base fee. The spec
must rule those out too (or refuse type-3 transactions on an L2 altogether, as Optimism does).

The MVM permission hook. :func:`execute_transaction` runs every frame (the top frame, a contract-creation
transaction's init code, and every CALL, CALLCODE, DELEGATECALL, STATICCALL, CREATE and CREATE2 at every depth)
with an opcode table in which each forbidden opcode halts the frame exceptionally exactly like INVALID (0xfe): the
frame's remaining gas is consumed, its state changes revert, its caller sees a failed call (0 pushed), and the
receipt status is 0 when the top frame fails; nonce and gas are charged either way. See :func:`_computation_class`.
A frame in which one of the ``exempt_code_addresses`` runs its own code in its own context (its code address and
storage address are both the exempt account: a CALL or STATICCALL to it) runs the plain Cancun table instead,
whatever is forbidden: the spec exempts the L2->L1 message passer, so that a charter can never stop a withdrawal.
Exempt code borrowed by CALLCODE or DELEGATECALL runs in the borrower's context and stays permissioned, and frames
that exempt code calls are subject to the table again. See :class:`_MvmComputation`.

The transfer tax. Given a :class:`TransferTax`, :func:`execute_transaction` and :func:`execute_deposit` tax the
native value that frames below the top one move to another account: a CALL's value, a CREATE or CREATE2 endowment
(the new frame pays when it starts, after its value moved, so the tax reverts with the frame), and what SELFDESTRUCT
sends (its tax comes out of the balance it sends). A CALL, CREATE or CREATE2 whose payer holds the value but not
also the tax takes the EVM's own insufficient-funds path (:class:`_TaxedValueLogic`). The top frame's value is the
spec's to tax, before execution; :attr:`ExecutionResult.transfer_tax` reports what deeper frames paid and kept.
Without a transfer tax (and without forbidden opcodes) every frame runs py-evm's plain Cancun table.

Charter calls. Given :class:`CharterCalls`, a CALL to the charter's address at any depth runs like a precompile:
it pays the spec's gas and makes the spec's charter update, or fails like REVERT when a rule refuses it. Updates
are journaled with the frames that made them, so one undone by a failing frame is gone, and
:attr:`ExecutionResult.charter` is the charter the transaction leaves.

Deposits. :func:`execute_deposit` runs an unsigned L1->L2 deposit as Optimism Bedrock runs a deposited transaction:
no signature, no nonce check, no balance check (its gas was bought on L1), effective gas price 0 (GASPRICE is 0,
nothing is paid to the coinbase or burnt), ORIGIN is the sender, the sender's nonce is incremented even when the
call fails, and a creation deploys at the address of the sender and its nonce, as a creation transaction does.
:func:`mint` and :func:`burn` change one balance (the spec mints a deposit's value and burns withdrawn value).

Proofs. :func:`get_account_proof` and :func:`get_storage_proof` are ``eth_getProof``'s Merkle-Patricia proofs (the
RLP-encoded trie nodes on the key's path, root first, nodes embedded in their parent left out), checked by the
runtime's ``trie_get_from_proof``.

Tracing. While :func:`tracing` is active, :func:`execute_transaction` and :func:`execute_deposit` record every
instruction they run as an EIP-3155 step, with the permission hook's decision, and a summary per execution (the
fields: docs/protocol.md#traces). A traced execution runs a subclass of the computation class it would run anyway,
with every opcode-table entry wrapped in one that records the step and calls the entry (:func:`_traced_class`):
the same entries run in the same order, so tracing changes no result, and the untraced path is untouched.

Decisions the adapter makes where plain py-evm has no opinion (the spec should state them):

* Forbidding STOP forbids the 0x00 instruction, not the implicit stop after the last byte of code, so calls and
  transfers to accounts without code still succeed (see :class:`_ForbiddenOpcodeLogic`).
* :func:`set_balance` removes an account it leaves empty (EIP-161), so a zero tax never creates an account.
* :func:`decode_transaction` rejects what Ethereum rejects before execution even though py-evm's decoder accepts
  it: a non-canonical encoding, r or s out of range, a high s (EIP-2), a legacy v other than 27, 28 or EIP-155's,
  and a blob transaction without a recipient.

Deviations of py-evm 0.12.1b1's Cancun from the Ethereum execution specs, corrected here so that the spec's EVM
is Cancun exactly (each has a test against the behaviour its EIP specifies, and vectors):

* EIP-7610: a creation whose target address has no code and nonce 0 but non-empty storage is a collision, as one
  onto code or a nonce is (py-evm checks code and nonce only; see :meth:`_MvmState.has_code_or_nonce`).
* MODEXP (precompile 0x05) with a base of length 0 computes with the base 0 (``0 ** 0 % m`` is ``1 % m``), where
  py-evm answers 0 whatever the exponent and modulus (see :func:`_modexp_as_specified`).

A difference in how, not what:

* The beacon-roots system call (EIP-4788) is run here as a real call by :func:`execute_system_call`; py-evm's own
  ``CancunVM.block_preprocessing`` instead writes the two storage slots directly, and only when the deployed code is
  byte-for-byte the canonical contract. Both agree on the canonical contract.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence, TypeVar, cast

import rlp  # type: ignore[import-untyped]  # pyrlp ships no type information
from eth.abc import (
    ComputationAPI,
    MessageAPI,
    SignedTransactionAPI,
    StateAPI,
    TransactionContextAPI,
)
from eth.constants import BLANK_ROOT_HASH, CREATE_CONTRACT_ADDRESS, SECPK1_N, SYSTEM_ADDRESS, SYSTEM_MESSAGE_GAS
from eth.db.account import AccountDB
from eth.db.atomic import AtomicDB
from eth.db.backends.base import BaseDB
from eth.db.accesslog import KeyAccessLoggerDB
from eth.db.batch import BatchDB
from eth.db.hash_trie import HashTrie
from eth.db.cache import CacheDB
from eth.db.journal import JournalDB
from eth.db.storage import AccountStorageDB, StorageLookup
from eth.exceptions import InvalidInstruction, VMError
from eth.vm.execution_context import ExecutionContext
from eth.vm.forks.cancun import CancunVM
from eth._utils.padding import zpad_right
from eth.precompiles.modexp import extract_lengths
from eth.rlp.accounts import Account
from eth.vm.forks.cancun.computation import CancunComputation
from eth.vm.forks.cancun.constants import BEACON_ROOTS_ADDRESS as _BEACON_ROOTS_ADDRESS
from eth.vm.forks.cancun.constants import BEACON_ROOTS_CONTRACT_CODE as _BEACON_ROOTS_CONTRACT_CODE
from eth.vm.forks.cancun.constants import BLOB_TX_TYPE
from eth.vm.forks.cancun.state import CancunState, CancunTransactionExecutor
from eth.vm.forks.cancun.transaction_context import CancunTransactionContext
from eth.vm.forks.cancun.transactions import CancunTransactionBuilder
from eth.vm.forks.shanghai.constants import INITCODE_WORD_COST
from eth.vm.interrupt import EVMMissingData
from eth.vm.logic.invalid import InvalidOpcode
from eth.vm.forks.spurious_dragon._utils import collect_touched_accounts
from eth.validation import validate_canonical_address, validate_uint64, validate_uint256
from eth.vm.message import Message
from eth_hash.auto import keccak
from eth_typing import Address, BlockNumber, Hash32
from eth_utils.exceptions import ValidationError
from trie.hexary import HexaryTrie

from .mpt import LazyTrie

__all__ = [
    "BEACON_ROOTS_ADDRESS",
    "BEACON_ROOTS_CODE",
    "BlockContext",
    "CharterCalls",
    "DecodedTransaction",
    "EvmWorld",
    "ExecutionRefused",
    "ExecutionResult",
    "ExecutionTracer",
    "ForbiddenOpcode",
    "GenesisAccount",
    "TransferTax",
    "NodeStore",
    "PermissionExplainer",
    "TracedExecution",
    "UndecodableTransaction",
    "burn",
    "decode_transaction",
    "execute_deposit",
    "execute_system_call",
    "execute_transaction",
    "genesis_world",
    "get_account_proof",
    "get_balance",
    "get_code",
    "get_nonce",
    "get_storage",
    "get_storage_proof",
    "get_storage_root",
    "mint",
    "set_balance",
    "tracing",
    "transfer",
]

BEACON_ROOTS_ADDRESS: bytes = bytes(_BEACON_ROOTS_ADDRESS)  # EIP-4788's contract, target of the block's system call
BEACON_ROOTS_CODE: bytes = bytes(_BEACON_ROOTS_CONTRACT_CODE)  # its code, as EIP-4788 deployed it on Ethereum
_DEPOSIT_TX_TYPE = 0x7E  # Optimism's deposited-transaction type; what a deposit reports to py-evm as its type
STOP = 0x00
CREATE, CALL, CREATE2, SELFDESTRUCT = 0xF0, 0xF1, 0xF5, 0xFF
UINT256_MAX = 2**256 - 1
_Address = TypeVar("_Address", bound=bytes)  # any bytes subclass: the spec's Address, eth-typing's Address


# --- Values ---------------------------------------------------------------------------------------------------


class NodeStore(BaseDB):
    """The trie nodes and contract code of every world derived from one genesis, keyed by the hash of the value.

    Append-only: a write of a key already present must carry the same value (content addressing makes that
    automatic), and nothing is ever deleted, so a state root stays readable for as long as the store lives. It is
    a py-evm database (``BaseDB``), which py-evm wraps in ``AtomicDB`` to read and write it.
    """

    __slots__ = ("_nodes", "readers", "live", "written")
    READERS_KEPT = 64

    def __init__(self) -> None:
        self._nodes: dict[bytes, bytes] = {}
        # For tools only (see record_writes): every account (address, None) and slot (address, slot) an operation
        # wrote, so that a dump can name them; the trie keys them by hash. None, and so never touched, otherwise.
        self.written: set[tuple[bytes, int | None]] | None = None
        # Warm read-only views by state root (see _reader); a root names immutable content, so they never go stale.
        self.readers: dict[bytes, AccountDB] = {}
        # The one py-evm state kept open between operations: (the world it holds, the state, the block it runs).
        self.live: tuple[EvmWorld, _MvmState, BlockContext | None] | None = None

    def __getitem__(self, key: bytes) -> bytes:
        return self._nodes[key]

    def __setitem__(self, key: bytes, value: bytes) -> None:
        existing = self._nodes.setdefault(key, value)
        if existing is not value and existing != value:
            raise ValueError(f"node store is content addressed: key 0x{key.hex()} already holds another value")

    def __delitem__(self, key: bytes) -> None:
        raise TypeError("node store is append-only: older worlds may still use this node")

    def _exists(self, key: bytes) -> bool:
        return key in self._nodes

    def __len__(self) -> int:
        return len(self._nodes)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._nodes)


class EvmWorld:
    """An EVM state: a state root over a node store shared by all worlds derived from it.

    Two worlds are equal when their state roots are: the store only holds nodes, it is not part of the value.

    A world is immutable but its root is computed lazily. A world made by an operation (a transaction, a transfer,
    a system call) remembers its parent and the operation; the store keeps the py-evm state of the newest world
    open, so a chain of operations (a block) runs on one state and hashes the trie once, when a root is first
    asked for — as a block-building client does. Asking an older world for its root or an account replays its
    operations from the nearest world whose root is known, so every world always reads as it was made.
    """

    __slots__ = ("store", "_root", "_parent", "_step")

    def __init__(
        self, store: NodeStore, root: bytes | None = None, parent: EvmWorld | None = None, step: _Step | None = None
    ) -> None:
        self.store, self._root, self._parent, self._step = store, root, parent, step

    @property
    def state_root(self) -> bytes:
        if self._root is None:
            _materialize(self)
        assert self._root is not None  # set by _materialize
        return self._root

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EvmWorld) and self.state_root == other.state_root

    def __hash__(self) -> int:
        return hash(self.state_root)

    def __repr__(self) -> str:
        return f"EvmWorld(0x{self.state_root.hex()})"


@dataclass(frozen=True)
class GenesisAccount:
    """One account of a genesis allocation; ``storage`` holds (slot, value) pairs, zero values are ignored."""

    balance: int
    nonce: int = 0
    code: bytes = b""
    storage: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class BlockContext:
    """What the EVM needs of the block being built.

    ``prev_randao`` is what PREVRANDAO (0x44) pushes. ``parent_beacon_block_root`` is read only by the spec's
    beacon-roots system call (:func:`execute_system_call`, EIP-4788); no opcode sees it. ``ancestor_hashes`` are
    what BLOCKHASH returns, parent first (at most 256 are used); left empty, BLOCKHASH pushes 0 for every block.
    ``excess_blob_gas`` sets the blob base fee (EIP-4844: 1 wei at 0) that BLOBBASEFEE pushes and type-3
    transactions pay.
    """

    number: int
    timestamp: int
    coinbase: bytes
    gas_limit: int
    base_fee: int
    prev_randao: bytes
    chain_id: int
    parent_beacon_block_root: bytes = bytes(32)
    ancestor_hashes: tuple[bytes, ...] = ()
    excess_blob_gas: int = 0


@dataclass(frozen=True)
class DecodedTransaction:
    """Everything the spec's validity rules read of a signed transaction.

    ``to`` is None for a contract creation. Legacy (type 0) and access-list (type 1) transactions report their gas
    price as both fee caps; ``chain_id`` is None only for a legacy transaction signed without EIP-155.
    ``intrinsic_gas`` is Cancun's: 21,000, plus 16 per non-zero and 4 per zero byte of data, plus access-list
    costs, plus for a creation 32,000 and 2 per 32-byte word of init code (EIP-3860).
    """

    tx_type: int
    chain_id: int | None
    sender: bytes
    nonce: int
    gas_limit: int
    max_fee_per_gas: int
    max_priority_fee_per_gas: int
    to: bytes | None
    value: int
    data: bytes
    blob_versioned_hashes: tuple[bytes, ...]
    max_fee_per_blob_gas: int
    intrinsic_gas: int
    hash: bytes


@dataclass(frozen=True)
class ExecutionResult:
    """The outcome of one transaction: the new world and what its receipt records.

    ``gas_used`` is the receipt's (after the EIP-3529 refund); ``logs`` are (address, topics, data) in execution
    order, empty when the transaction failed; ``contract_address`` is set only for a successful creation.
    ``supply_change`` is how the total of all balances changed (never positive): minus the burnt base fee, and minus
    any balance a SELFDESTRUCT destroyed (EIP-6780: a contract destroying itself, to itself, in the transaction that
    created it). ``transfer_tax`` is the :class:`TransferTax` that frames below the top one paid and kept;
    ``charter`` is the charter the transaction's last surviving call to the charter's address left (None: none).
    """

    world: EvmWorld
    success: bool
    gas_used: int
    logs: tuple[tuple[bytes, tuple[bytes, ...], bytes], ...]
    contract_address: bytes | None
    supply_change: int
    transfer_tax: int = 0
    charter: Any = None


@dataclass(frozen=True)
class TransferTax:
    """The tax on native value that frames below the top one move between accounts (the spec charges the top
    frame's own value itself, before execution).

    ``compute(payer, payee, value)`` is what ``payer`` owes for moving ``value`` to ``payee`` (None: the endowment of
    a contract being created), paid to ``recipient``. It must not depend on ``payee`` for a creation, and must be
    0 when ``payer`` is ``payee``. See :class:`_TaxedValueLogic` and :class:`_TaxedSelfdestructLogic`.
    """

    recipient: bytes
    compute: Callable[[bytes, bytes | None, int], int]


@dataclass(frozen=True)
class CharterCalls:
    """What a call to the charter's ``address`` does, at any depth: the spec's charter updates, run like a
    precompile.

    A frame that CALLs ``address`` (its code and storage address both ``address``; DELEGATECALL and CALLCODE of it
    run its empty code in the caller's context) pays ``gas(data)``, then ``update(charter, caller, value, data)``
    gives the charter after the call, or None when a rule refuses it: the frame then fails like REVERT (no output,
    its unspent gas returned), as does a static call. ``charter`` is the one in force when the transaction begins;
    a later call is judged against the last update still standing. Updates are journaled with the frames that made
    them (in the transient storage of ``address``, where no code can read them: nothing runs at ``address``), so an
    update undone by a failing frame is gone; :attr:`ExecutionResult.charter` is the one the transaction leaves.
    """

    address: bytes
    charter: Any
    update: Callable[[Any, bytes, int, bytes], Any]
    gas: Callable[[bytes], int]


class CharterCallRefused(VMError):
    """A call to the charter's address that a rule refuses, or a static one: the frame fails as REVERT does."""

    burns_gas = False
    erases_return_data = False


class UndecodableTransaction(ValueError):
    """The bytes are not a canonical, validly signed Cancun transaction (bad RLP, unknown type, bad signature)."""


class ExecutionRefused(RuntimeError):
    """py-evm refused a transaction the spec had judged valid: the spec's rules and the adapter disagree."""


class ForbiddenOpcode(InvalidInstruction):
    """A frame reached an opcode its charter forbids.

    A ``VMError`` (through ``InvalidInstruction``), so py-evm treats it exactly as INVALID: it burns the frame's
    gas, reverts the frame and erases its return data. A non-VMError would escape ``apply_transaction`` instead.
    """


# What execution raises when a world's store lacks a trie node or code it reads (py-evm's beam-sync interrupt): a
# world imported from a witness that omits part of the state the step touches.
EvmMissingData = EVMMissingData


# --- Reading and writing accounts -----------------------------------------------------------------------------


def genesis_world(alloc: Mapping[_Address, GenesisAccount]) -> EvmWorld:
    """A world holding exactly ``alloc``, over a fresh node store that every world derived from it will share."""
    store = NodeStore()
    accounts = _MvmAccountDB(AtomicDB(store), Hash32(_BLANK_ROOT))
    for address, account in alloc.items():
        accounts.set_balance(Address(address), account.balance)
        accounts.set_nonce(Address(address), account.nonce)
        accounts.set_code(Address(address), account.code)
        for slot, value in account.storage:
            accounts.set_storage(Address(address), slot, value)
    accounts.persist()
    return EvmWorld(store, bytes(accounts.state_root))


def get_balance(world: EvmWorld, address: bytes) -> int:
    return int(_view(world).get_balance(Address(address)))


def get_nonce(world: EvmWorld, address: bytes) -> int:
    return int(_view(world).get_nonce(Address(address)))


def get_code(world: EvmWorld, address: bytes) -> bytes:
    return bytes(_view(world).get_code(Address(address)))


def get_storage(world: EvmWorld, address: bytes, slot: int) -> int:
    return int(_view(world).get_storage(Address(address), slot))


def get_account_proof(world: EvmWorld, address: bytes) -> tuple[bytes, ...]:
    """The Merkle-Patricia proof of ``address``'s account in ``world``'s state trie (key ``keccak256(address)``), as
    ``eth_getProof``'s ``accountProof``: the RLP-encoded nodes on the key's path, root first. For an absent account
    it proves the absence."""
    return _proof(world.store, world.state_root, keccak(bytes(address)))


def get_storage_root(world: EvmWorld, address: bytes) -> bytes:
    """The root of ``address``'s storage trie in ``world``: the empty trie's root for an account without storage,
    and for an absent account.

    The world's root is computed first, which writes every account's final storage root; the account is then read
    through the open state if it holds this world (its account cache is warm: a block's output root asks for the
    message passer's storage root after every block), else through a reader of the root.
    """
    root = world.state_root
    live = world.store.live
    open_state = live[1] if live is not None and live[0] is world else None
    accounts = cast(AccountDB, open_state._account_db) if open_state is not None else _reader(world.store, root)
    return bytes(accounts._get_storage_root(Address(address)))


def get_storage_proof(world: EvmWorld, address: bytes, slot: int) -> tuple[bytes, ...]:
    """The Merkle-Patricia proof of ``slot`` in ``address``'s storage trie (key ``keccak256(slot)``, the slot as a
    32-byte word), as ``eth_getProof``'s ``storageProof[i].proof``, against :func:`get_storage_root`. The proven
    value is the RLP of the slot's value; an unset slot proves absent. The proof of any slot of an account without
    storage is empty (the empty trie's root proves every key absent)."""
    if not 0 <= slot < 2**256:
        raise ValueError(f"a storage slot is a 256-bit word, got {slot}")
    return _proof(world.store, get_storage_root(world, address), keccak(slot.to_bytes(32, "big")))


def _trie(db: Mapping[bytes, bytes], root: bytes) -> Any:
    return HexaryTrie(db, Hash32(root))  # only read: proofs and lookups never write to the store


def _proof(db: Mapping[bytes, bytes], root: bytes, key: bytes) -> tuple[bytes, ...]:
    """The proof of ``key`` in the trie at ``root``, root first, without nodes embedded in their parent.

    py-evm's ``trie`` lists every node of the path, including those shorter than 32 bytes, which are not stored by
    hash but inline in their parent; ``eth_getProof`` (geth's ``Prove``) leaves those out, since the parent already
    carries them, and so does this. (The root is always listed: a trie's root is hashed whatever its length.)
    """
    encoded = [rlp.encode(node) for node in _trie(db, root).get_proof(key)]
    return tuple(node for depth, node in enumerate(encoded) if depth == 0 or len(node) >= 32)


def _view(world: EvmWorld) -> Any:
    """Something to read ``world`` through: the open state if it holds exactly this world, else a warm reader."""
    live = world.store.live
    if world._root is None and live is not None and live[0] is world:
        return live[1]
    return _reader(world.store, world.state_root)


def _reader(store: NodeStore, state_root: bytes) -> AccountDB:
    """A read-only view of one world, kept warm in its store: a root names immutable content, so cached reads
    never go stale. Nothing ever writes through a reader."""
    reader = store.readers.get(state_root)
    if reader is None:
        if len(store.readers) >= NodeStore.READERS_KEPT:
            store.readers.clear()
        reader = store.readers[state_root] = _MvmAccountDB(AtomicDB(store), Hash32(state_root))
    return reader


def transfer(world: EvmWorld, source: bytes, destination: bytes, amount: int) -> EvmWorld:
    """``world`` with ``amount`` moved from ``source`` to ``destination`` (the spec moves the transaction tax with
    it). Moving nothing changes nothing; ``source`` must hold ``amount``."""
    if amount == 0:
        return world
    if get_balance(world, source) < amount:
        raise ValueError(f"0x{source.hex()} holds less than {amount}")

    return _derive(world, None, _move, (source, destination, amount))[0]


def _move(state: _MvmState, source: bytes, destination: bytes, amount: int) -> None:
    state.delta_balance(Address(source), -amount)
    state.delta_balance(Address(destination), amount)
    _remove_if_empty(state, Address(source))


def set_balance(world: EvmWorld, address: bytes, balance: int) -> EvmWorld:
    """``world`` with ``address`` holding ``balance``.

    An account left empty (no code, nonce 0, balance 0) is removed, as EIP-161 removes touched empty accounts, so
    setting a balance to what it is never creates an account and never changes the state root.
    """
    if get_balance(world, address) == balance:
        return world

    return _derive(world, None, _assign, (address, balance))[0]


def _assign(state: _MvmState, address: bytes, balance: int) -> None:
    state.set_balance(Address(address), balance)
    _remove_if_empty(state, Address(address))


def mint(world: EvmWorld, address: bytes, amount: int) -> EvmWorld:
    """``world`` with ``amount`` added to ``address``'s balance (the spec mints a deposit's value on L2). Minting
    nothing changes nothing: the same world, and no account is created."""
    if amount < 0:
        raise ValueError(f"cannot mint a negative amount: {amount}")
    if amount == 0:
        return world

    return _derive(world, None, _credit, (address, amount))[0]


def _credit(state: _MvmState, address: bytes, amount: int) -> None:
    state.delta_balance(Address(address), amount)


def burn(world: EvmWorld, address: bytes, amount: int) -> EvmWorld:
    """``world`` with ``amount`` removed from ``address``, which must hold it. Burning nothing changes nothing; an
    account left empty (no code, nonce 0, balance 0) is removed, as EIP-161 removes touched empty accounts."""
    if amount < 0:
        raise ValueError(f"cannot burn a negative amount: {amount}")
    if amount == 0:
        return world
    if get_balance(world, address) < amount:
        raise ValueError(f"0x{address.hex()} holds less than {amount}")

    return _derive(world, None, _debit, (address, amount))[0]


def _debit(state: _MvmState, address: bytes, amount: int) -> None:
    state.delta_balance(Address(address), -amount)
    _remove_if_empty(state, Address(address))


def _remove_if_empty(state: _MvmState, address: Address) -> None:
    if state.account_is_empty(address):
        state.delete_account(address)


_BLANK_ROOT = keccak(b"\x80")  # the root of the empty trie
_T = TypeVar("_T")


class _Step:
    """How a world was made from its parent: ``run(state, *arguments)``, on a py-evm state opened for ``block`` (None:
    any).

    An operation is a module-level function and its arguments, not a closure: every world of a block stays alive,
    with its step, until the block's root is computed, and a closure kept a function, a tuple of cells and a cell per
    variable for each world (3 objects a world instead of 9, which the garbage collector walks again and again)."""

    __slots__ = ("block", "run", "arguments")

    def __init__(self, block: BlockContext | None, run: Callable[..., object], arguments: tuple[Any, ...]) -> None:
        self.block, self.run, self.arguments = block, run, arguments


def _derive(
    world: EvmWorld,
    block: BlockContext | None,
    run: Callable[..., _T],
    arguments: tuple[Any, ...],
    track_supply: bool = False,
) -> tuple[EvmWorld, _T]:
    """The world made by running ``run(state, *arguments)`` on ``world`` (in ``block``), and what ``run`` returned.

    When the store's open state holds ``world`` for the same block, ``run`` continues on it and nothing is hashed;
    otherwise a state is opened on ``world``'s root. Either way the new world is the open state afterwards.
    With ``track_supply`` the state records balances for its ``supply_change`` (executions report it; moving,
    minting and burning a known amount need not, and a balance read per account written is not free).
    """
    state = _open_state(world, block)
    state.lock_changes()  # as CancunVM does before each transaction: earlier operations can no longer revert
    state.balances_before = {} if track_supply else None
    outcome = run(state, *arguments)
    derived = EvmWorld(world.store, None, world, _Step(block, run, arguments))
    open_block = block if block is not None else (world.store.live[2] if world.store.live else None)
    world.store.live = (derived, state, open_block)
    return derived, outcome


def _open_state(world: EvmWorld, block: BlockContext | None) -> _MvmState:
    live = world.store.live
    if live is not None and live[0] is world and (block is None or live[2] is None or live[2] == block):
        if block is not None and live[2] is None:
            live[1].execution_context = _execution_context(block)
        return live[1]
    root = world.state_root  # persists the open state first if it holds this world
    state = _MvmState(AtomicDB(world.store), _execution_context(block or _ANY_BLOCK), Hash32(root))
    state.written = world.store.written
    return state


def _materialize(world: EvmWorld) -> None:
    """Give ``world`` its root: persist the open state if it holds ``world``, else replay ``world``'s operations
    from its nearest ancestor with a known root. The world then forgets its parent (its content is in the store)."""
    live = world.store.live
    if live is not None and live[0] is world:
        live[1].persist()
        world._root = bytes(live[1].state_root)
    else:
        assert world._parent is not None and world._step is not None  # a world without a root was derived
        parent_root = world._parent.state_root
        state = _MvmState(AtomicDB(world.store), _execution_context(world._step.block or _ANY_BLOCK), Hash32(parent_root))
        state.written = world.store.written
        state.lock_changes()
        state.balances_before = None  # a replay's supply change was reported when the world was made
        world._step.run(state, *world._step.arguments)
        state.persist()
        world._root = bytes(state.state_root)
    world._parent = world._step = None


# --- Decoding -------------------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def decode_transaction(raw: bytes) -> DecodedTransaction:
    """Decode and authenticate a signed transaction; raises :class:`UndecodableTransaction` if it is not one.

    Cached, as ``_decode`` is (the value is immutable): a block's transactions are decoded when a block is derived
    or checked and again when it is applied, and building the value (its hash is a keccak256 of the whole
    transaction) cost a fifth of a value transfer's overhead over py-evm."""
    transaction = _decode(raw)
    is_typed = transaction.type_id is not None
    is_blob = transaction.type_id == BLOB_TX_TYPE
    return DecodedTransaction(
        tx_type=transaction.type_id if is_typed else 0,
        chain_id=transaction.chain_id,
        sender=bytes(transaction.sender),
        nonce=transaction.nonce,
        gas_limit=transaction.gas,
        max_fee_per_gas=transaction.max_fee_per_gas,
        max_priority_fee_per_gas=transaction.max_priority_fee_per_gas,
        to=None if transaction.to == CREATE_CONTRACT_ADDRESS else bytes(transaction.to),
        value=transaction.value,
        data=bytes(transaction.data),
        blob_versioned_hashes=tuple(bytes(h) for h in transaction.blob_versioned_hashes) if is_blob else (),
        max_fee_per_blob_gas=transaction.max_fee_per_blob_gas if is_blob else 0,
        intrinsic_gas=_intrinsic_gas(transaction),
        hash=keccak(raw),
    )


@lru_cache(maxsize=4096)
def _decode(raw: bytes) -> Any:
    """py-evm's transaction object for ``raw``, with the checks py-evm's decoder leaves out and its sender recovered.

    Cached (py-evm's transactions are immutable values), so ``decode_transaction`` and the ``execute_transaction``
    that follows it recover the sender once: recovery is most of the cost of a value transfer.
    """
    try:
        transaction = CancunTransactionBuilder.decode(bytes(raw))
        canonical = transaction.encode() == raw
    except Exception as error:  # py-evm and pyrlp raise a dozen types; to the spec they are one error
        raise UndecodableTransaction(f"not a Cancun transaction: {error}") from error
    if not canonical:
        raise UndecodableTransaction("not the canonical encoding of its transaction")
    if transaction.type_id == BLOB_TX_TYPE and transaction.to == CREATE_CONTRACT_ADDRESS:
        raise UndecodableTransaction("a blob transaction must have a recipient (EIP-4844: `to` is an address)")
    _check_signature_values(transaction)
    try:
        transaction.sender  # cached on the object; with r, s and v in range, recovery fails only on a non-signature
    except Exception as error:
        raise UndecodableTransaction(f"no key signed this transaction: {error}") from error
    return transaction


def _check_signature_values(transaction: Any) -> None:
    """Reject what recovery tolerates but Ethereum does not: r or s out of range, high s (EIP-2), a bad v."""
    if not 0 < transaction.r < SECPK1_N or not 0 < transaction.s <= SECPK1_N // 2:
        raise UndecodableTransaction("signature r or s out of range (s must be in the lower half, EIP-2)")
    if transaction.type_id is None and transaction.v not in (27, 28) and transaction.v < 35:
        raise UndecodableTransaction(f"legacy signature v={transaction.v} is neither 27/28 nor EIP-155")
    if transaction.type_id is not None and transaction.y_parity not in (0, 1):
        raise UndecodableTransaction(f"y_parity={transaction.y_parity} is neither 0 nor 1")


def _intrinsic_gas(transaction: Any) -> int:
    """py-evm's intrinsic gas plus the EIP-3860 init-code charge, which py-evm takes inside the first frame."""
    gas = int(transaction.intrinsic_gas)
    if transaction.to == CREATE_CONTRACT_ADDRESS:
        gas += INITCODE_WORD_COST * ((len(transaction.data) + 31) // 32)
    return gas


# --- Executing ------------------------------------------------------------------------------------------------


def execute_transaction(
    world: EvmWorld,
    raw: bytes,
    block: BlockContext,
    forbidden_opcodes: frozenset[int],
    exempt_code_addresses: frozenset[bytes] = frozenset(),
    transfer_tax: TransferTax | None = None,
    charter_calls: CharterCalls | None = None,
) -> ExecutionResult:
    """Execute a transaction the spec has judged valid, with ``forbidden_opcodes`` halting any frame that reaches one,
    except frames in which one of the ``exempt_code_addresses`` runs its own code (they run the plain Cancun table),
    with ``transfer_tax`` charged on the value every frame below the top one moves (see :class:`TransferTax`), and
    calls to the charter's address run as ``charter_calls`` says (see :class:`CharterCalls`).

    With no forbidden opcodes, no transfer tax and no charter calls this is plain py-evm Cancun, bit for bit.
    """
    transaction = _decode(raw)
    exempt = _exempt(exempt_code_addresses)
    computation_class = _computation_class(
        frozenset(forbidden_opcodes), exempt, transfer_tax is not None, charter_calls is not None
    )
    trace = _start_trace(bytes(transaction.sender), charter_calls, exempt)
    operation = (transaction, raw, computation_class, trace, transfer_tax, charter_calls)
    after, computation = _derive(world, block, _run_transaction, operation, track_supply=True)
    assert world.store.live is not None and world.store.live[0] is after  # _derive leaves the new world open
    supply_change = world.store.live[1].supply_change()
    gas_used = int(CancunVM.finalize_gas_used(transaction, computation))
    result = ExecutionResult(
        world=after,
        success=bool(computation.is_success),
        gas_used=gas_used,
        logs=_logs(computation),
        contract_address=_created_contract(transaction.to, computation),
        supply_change=supply_change,  # the burnt base fee, and any balance a SELFDESTRUCT destroyed (EIP-6780)
        transfer_tax=_kept_transfer_tax(computation),
        charter=world.store.live[1].charter_left,
    )
    if trace is not None:
        trace.finish(computation, result)
    return result


def _prepare_execution(
    state: _MvmState,
    computation_class: type[CancunComputation],
    trace: _ExecutionTrace | None,
    transfer_tax: TransferTax | None,
    charter_calls: CharterCalls | None,
) -> None:
    """Set on ``state`` what one execution (a transaction's or a deposit's) uses; the caller's ``finally`` puts the
    tracer and computation class back."""
    state.tracer = trace
    state.computation_class = computation_class if trace is None else _traced_class(computation_class)
    state.transfer_tax = transfer_tax
    state.charter_calls, state.charters = charter_calls, []


def _run_transaction(
    state: _MvmState,
    transaction: Any,
    raw: bytes,
    computation_class: type[CancunComputation],
    trace: _ExecutionTrace | None,
    transfer_tax: TransferTax | None,
    charter_calls: CharterCalls | None,
) -> ComputationAPI:
    _prepare_execution(state, computation_class, trace, transfer_tax, charter_calls)
    try:
        return state.apply_transaction(transaction)
    except ValidationError as error:
        raise ExecutionRefused(f"py-evm refused transaction 0x{keccak(raw).hex()}: {error}") from error
    finally:
        state.tracer, state.computation_class = None, computation_class


def execute_deposit(
    world: EvmWorld,
    block: BlockContext,
    sender: bytes,
    to: bytes | None,
    value: int,
    gas_limit: int,
    intrinsic_gas: int,
    data: bytes,
    forbidden_opcodes: frozenset[int],
    exempt_code_addresses: frozenset[bytes] = frozenset(),
    transfer_tax: TransferTax | None = None,
    charter_calls: CharterCalls | None = None,
) -> ExecutionResult:
    """Run an unsigned L1->L2 deposit as Optimism Bedrock runs a deposited transaction, at gas price 0.

    Nothing is checked (no signature, no nonce, no balance for gas: the gas was bought on L1) and nothing is paid
    for gas (GASPRICE pushes 0, the coinbase gets nothing, nothing is burnt); ORIGIN and CALLER are ``sender``. The
    sender's nonce is incremented, and stays incremented when the call fails. ``to=None`` creates a contract at the
    address of ``sender`` and its nonce before the increment, with ``data`` as init code. ``value`` moves from the
    sender to the target as in a call (the sender must hold it). The warm addresses are a transaction's (EIP-2929:
    sender, target or new contract, precompiles; EIP-3651: coinbase); refunds are Cancun's (EIP-3529), transient
    storage is cleared afterwards, touched empty accounts are removed (EIP-161), and ``forbidden_opcodes`` and
    ``exempt_code_addresses``, ``transfer_tax`` and ``charter_calls`` act as in :func:`execute_transaction`.

    The frame gets ``gas_limit - intrinsic_gas``. ``intrinsic_gas`` is the caller's; for a creation it must include
    the EIP-3860 init-code charge (2 per 32-byte word), as :attr:`DecodedTransaction.intrinsic_gas` does: py-evm takes
    that charge inside the first frame, so the adapter hands py-evm the rest, and the deposit is charged it once.
    ``gas_used`` is the gas consumed after refunds; ``supply_change`` is 0 unless a SELFDESTRUCT burns.
    """
    init_code_charge = INITCODE_WORD_COST * ((len(data) + 31) // 32) if to is None else 0
    if not init_code_charge <= intrinsic_gas <= gas_limit:
        raise ValueError(
            f"a deposit needs init-code charge {init_code_charge} <= intrinsic gas {intrinsic_gas} "
            f"<= gas limit {gas_limit}"
        )
    if value < 0 or get_balance(world, sender) < value:
        raise ValueError(f"0x{sender.hex()} does not hold the deposit's value {value}")
    deposit = _Deposit(
        sender=Address(bytes(sender)),
        to=CREATE_CONTRACT_ADDRESS if to is None else Address(bytes(to)),
        value=value,
        data=bytes(data),
        gas=gas_limit,
        intrinsic_gas=intrinsic_gas - init_code_charge,
    )
    exempt = _exempt(exempt_code_addresses)
    computation_class = _computation_class(
        frozenset(forbidden_opcodes), exempt, transfer_tax is not None, charter_calls is not None
    )
    trace = _start_trace(bytes(sender), charter_calls, exempt)
    operation = (deposit, computation_class, trace, transfer_tax, charter_calls)
    after, computation = _derive(world, block, _run_deposit, operation, track_supply=True)
    assert world.store.live is not None and world.store.live[0] is after  # _derive leaves the new world open
    result = ExecutionResult(
        world=after,
        success=bool(computation.is_success),
        gas_used=int(CancunVM.finalize_gas_used(cast(SignedTransactionAPI, deposit), computation)),
        logs=_logs(computation),
        contract_address=_created_contract(deposit.to, computation),
        supply_change=world.store.live[1].supply_change(),  # only a SELFDESTRUCT burns: gas costs nothing here
        transfer_tax=_kept_transfer_tax(computation),
        charter=world.store.live[1].charter_left,
    )
    if trace is not None:
        trace.finish(computation, result)
    return result


def _run_deposit(
    state: _MvmState,
    deposit: _Deposit,
    computation_class: type[CancunComputation],
    trace: _ExecutionTrace | None,
    transfer_tax: TransferTax | None,
    charter_calls: CharterCalls | None,
) -> ComputationAPI:
    _prepare_execution(state, computation_class, trace, transfer_tax, charter_calls)
    try:
        return _DepositExecutor(state)(deposit)
    except ValidationError as error:
        raise ExecutionRefused(f"py-evm refused deposit {deposit!r}: {error}") from error
    finally:
        state.tracer, state.computation_class = None, computation_class


@dataclass(frozen=True)
class _Deposit:
    """A deposit as py-evm's Cancun transaction executor reads a transaction (duck-typed: it is never signed,
    encoded or validated). ``intrinsic_gas`` is what the executor subtracts before the first frame, which then takes
    the EIP-3860 init-code charge itself; the zero fee fields make the gas cost 0 (see :class:`_MvmState`)."""

    sender: Address
    to: Address  # CREATE_CONTRACT_ADDRESS for a creation
    value: int
    data: bytes
    gas: int
    intrinsic_gas: int
    type_id: int = _DEPOSIT_TX_TYPE
    access_list: tuple[tuple[Address, tuple[int, ...]], ...] = ()
    blob_versioned_hashes: tuple[Hash32, ...] = ()
    gas_price: int = 0
    max_fee_per_gas: int = 0
    max_priority_fee_per_gas: int = 0


class _DepositExecutor(CancunTransactionExecutor):
    """Cancun's transaction executor without validation: a deposit has no signature, and its nonce and gas are
    settled on L1. Buying gas, the nonce increment, the message, refunds, fees and EIP-161 clearing are Cancun's."""

    def validate_transaction(self, transaction: SignedTransactionAPI) -> None:
        pass


def execute_system_call(world: EvmWorld, block: BlockContext, target: bytes, data: bytes) -> EvmWorld:
    """Run ``target``'s code as a Cancun system call: the EIP-4788 beacon-roots update at the start of a block.

    The spec calls it with ``BEACON_ROOTS_ADDRESS`` and ``block.parent_beacon_block_root`` before the block's first
    transaction. As in the execution specs: the caller is ``SYSTEM_ADDRESS`` (never touched, charged or
    incremented), the gas is 30,000,000 and costs nobody anything, no value moves, a failing call reverts silently,
    a target without code does nothing, and touched empty accounts are removed (EIP-161). A system call is never
    subject to a charter: it runs the plain Cancun opcode table.
    """
    return _derive(world, block, _run_system_call, (block, target, data))[0]


def _run_system_call(state: _MvmState, block: BlockContext, target: bytes, data: bytes) -> None:
    state.computation_class = _CancunComputation
    state.transfer_tax = None
    state.charter_calls, state.charters = None, []
    code = state.get_code(Address(target))
    message = Message(
        gas=SYSTEM_MESSAGE_GAS, to=Address(target), sender=SYSTEM_ADDRESS, value=0, data=data, code=code
    )
    context = CancunTransactionContext(gas_price=block.base_fee, origin=SYSTEM_ADDRESS)
    computation = state.computation_class.apply_message(state, message, context)
    # collect_touched_accounts always adds the coinbase, which a transaction touches by paying it; a system call pays
    # nobody.
    for address in collect_touched_accounts(computation) - {state.coinbase}:
        if state.account_exists(address) and state.account_is_empty(address):
            state.delete_account(address)


class _LazyStorageLookup(StorageLookup):
    """py-evm's storage lookup with its tries lazily hashed (:class:`mvm_spec.mpt.LazyTrie`): the same roots, with
    each changed node encoded and hashed once per root instead of once per write. Reads between writes go through
    one trie kept per root, whose decoded nodes stay in memory."""

    _read_trie: LazyTrie | None = None

    def _get_write_trie(self) -> Any:
        if self._trie_nodes_batch is None:
            self._trie_nodes_batch = BatchDB(self._db, read_through_deletes=True)
        if self._write_trie is None:
            self._write_trie = LazyTrie(self._trie_nodes_batch, self._starting_root_hash)
        return self._write_trie

    def _get_read_trie(self) -> Any:
        if self._write_trie is not None:
            return self._write_trie
        if self._read_trie is None or self._read_trie._starting_root != self._starting_root_hash:
            self._read_trie = LazyTrie(self._db, self._starting_root_hash)
        return self._read_trie


class _LazyAccountStorageDB(AccountStorageDB):
    def __init__(self, db: Any, storage_root: Hash32, address: Address) -> None:
        super().__init__(db, storage_root, address)
        # The pipeline of py-evm's constructor, over the lazily hashed lookup.
        self._storage_lookup = _LazyStorageLookup(db, storage_root, address)
        self._storage_cache = CacheDB(self._storage_lookup)
        self._locked_changes = JournalDB(self._storage_cache)
        self._journal_storage = JournalDB(self._locked_changes)


class _MvmAccountDB(AccountDB):
    """py-evm's account database, with the account trie and each account's storage trie lazily hashed."""

    def __init__(self, db: Any, state_root: Hash32 = BLANK_ROOT_HASH) -> None:
        super().__init__(db, state_root)
        # The pipeline of py-evm's constructor, over a lazily hashed account trie.
        self._trie = HashTrie(LazyTrie(self._batchtrie, state_root))  # type: ignore[arg-type]
        self._trie_logger = KeyAccessLoggerDB(self._trie, log_missing_keys=False)
        self._trie_cache = CacheDB(self._trie_logger)
        self._journaltrie = JournalDB(self._trie_cache)

    def _get_address_store(self, address: Address) -> Any:
        if address not in self._account_stores:
            storage_root = self._get_storage_root(address)
            self._account_stores[address] = _LazyAccountStorageDB(self._raw_store_db, storage_root, address)
        return self._account_stores[address]

    # py-evm writes an account as ``account.copy(field=value)``: pyrlp's ``copy`` deep-copies the three unchanged
    # fields and builds the new account from keyword arguments, counting them for duplicates (a ``Counter``), on every
    # write: a transfer writes accounts seven times. The setters below build the same account from its four fields
    # (``Account``'s positional constructor), after py-evm's own checks of the address and the value.

    def set_balance(self, address: Address, balance: int) -> None:
        validate_canonical_address(address, title="Storage Address")
        validate_uint256(balance, title="Account Balance")
        account = self._get_account(address)
        self._set_account(address, Account(account.nonce, balance, account.storage_root, account.code_hash))

    def set_nonce(self, address: Address, nonce: int) -> None:
        validate_canonical_address(address, title="Storage Address")
        validate_uint64(nonce, title="Nonce")
        account = self._get_account(address)
        self._set_account(address, Account(nonce, account.balance, account.storage_root, account.code_hash))

    def _set_storage_root(self, address: Address, new_storage_root: Hash32) -> None:
        account = self._get_account(address)
        self._set_account(address, Account(account.nonce, account.balance, new_storage_root, account.code_hash))


class _MvmState(CancunState):
    """py-evm's Cancun state, with the computation class (the opcode table) chosen per transaction, and a record of
    the balance each account had before the current operation first changed or deleted it.

    For a deposit (:class:`_Deposit`) the gas price, the tip and the GASPRICE of its transaction context are 0;
    London's formulas would give a negative tip (``max_fee_per_gas - base_fee``) for a transaction with no fee caps.
    Every other transaction gets Cancun's own answers.
    """

    balances_before: dict[Address, int] | None  # None: the operation's supply change is not asked for
    transfer_tax: TransferTax | None = None
    charter_calls: CharterCalls | None = None
    charters: list[Any]  # every charter a call made this transaction; the journaled slot names the standing one
    charter_left: Any = None  # the charter the last transaction left, read before its transient storage is cleared
    written: set[tuple[bytes, int | None]] | None = None  # the store's record of writes, when a tool keeps one
    tracer: _ExecutionTrace | None = None  # the trace of the execution running, while one is recorded (tracing)
    account_db_class = _MvmAccountDB

    def get_standing_charter(self) -> Any:
        """The charter the last update still standing made in this transaction (``charter_calls.charter`` if none)."""
        assert self.charter_calls is not None
        index = int.from_bytes(self.get_transient_storage(Address(self.charter_calls.address), 0), "big")
        return self.charters[index - 1] if index else self.charter_calls.charter

    def record_charter(self, charter: Any) -> None:
        assert self.charter_calls is not None
        self.charters.append(charter)
        self.set_transient_storage(Address(self.charter_calls.address), 0, len(self.charters).to_bytes(32, "big"))

    def clear_transient_storage(self) -> None:
        calls = self.charter_calls
        index = int.from_bytes(self.get_transient_storage(Address(calls.address), 0), "big") if calls else 0
        self.charter_left = self.charters[index - 1] if index else None
        super().clear_transient_storage()

    def has_code_or_nonce(self, address: Address) -> bool:
        """Whether creating a contract at ``address`` collides (EIP-7610): it has code, a nonce, or storage. py-evm
        asks this before every creation (a creation transaction, CREATE, CREATE2) and checks code and nonce only.
        The storage is the account's recorded storage root: storage at an address without code or nonce can only
        come from a genesis allocation, as only an account's own code writes its storage, and running code at an
        address gives it a nonce (EIP-161) or code first."""
        storage_root = cast(AccountDB, self._account_db)._get_storage_root(address)
        return bool(super().has_code_or_nonce(address)) or storage_root != BLANK_ROOT_HASH

    def get_gas_price(self, transaction: SignedTransactionAPI) -> int:
        return 0 if isinstance(transaction, _Deposit) else int(super().get_gas_price(transaction))

    def get_tip(self, transaction: SignedTransactionAPI) -> int:
        return 0 if isinstance(transaction, _Deposit) else int(super().get_tip(transaction))

    def get_transaction_context(self, transaction: SignedTransactionAPI) -> TransactionContextAPI:
        if isinstance(transaction, _Deposit):
            return CancunTransactionContext(gas_price=0, origin=transaction.sender)
        return super().get_transaction_context(transaction)

    def _record_write(self, address: Address, slot: int | None = None) -> None:
        """Remember a write that can make an account or a slot appear, when a tool keeps the record (dump_world)."""
        if self.written is not None:
            self.written.add((bytes(address), slot))

    def set_balance(self, address: Address, balance: int) -> None:
        self._record_balance_before(address)
        self._record_write(address)
        super().set_balance(address, balance)

    def set_nonce(self, address: Address, nonce: int) -> None:
        self._record_write(address)
        super().set_nonce(address, nonce)

    def increment_nonce(self, address: Address) -> None:
        self._record_write(address)
        super().increment_nonce(address)

    def set_code(self, address: Address, code: bytes) -> None:
        self._record_write(address)
        super().set_code(address, code)

    def touch_account(self, address: Address) -> None:
        self._record_write(address)
        super().touch_account(address)

    def set_storage(self, address: Address, slot: int, value: int) -> None:
        self._record_write(address, slot)
        super().set_storage(address, slot, value)

    def delete_account(self, address: Address) -> None:
        self._record_balance_before(address)
        super().delete_account(address)

    def _record_balance_before(self, address: Address) -> None:
        """Remember ``address``'s balance before the operation's first change to it (read only that once: a value
        transfer writes the sender's balance three times, for gas, value and refund)."""
        if self.balances_before is not None and address not in self.balances_before:
            self.balances_before[address] = int(self.get_balance(address))

    def supply_change(self) -> int:
        """How the total of all balances changed in the current operation (reverted changes are back already)."""
        assert self.balances_before is not None  # the operation was derived with track_supply
        return sum(int(self.get_balance(address)) - before for address, before in self.balances_before.items())


_ANY_BLOCK = BlockContext(
    number=0, timestamp=0, coinbase=bytes(20), gas_limit=0, base_fee=0, prev_randao=bytes(32), chain_id=0
)  # for operations that read no block field (moving a balance)


def _execution_context(block: BlockContext) -> ExecutionContext:
    """py-evm's view of the block: post-merge, so difficulty is 0 and the mix hash carries PREVRANDAO."""
    return ExecutionContext(
        coinbase=Address(block.coinbase),
        timestamp=block.timestamp,
        block_number=BlockNumber(block.number),
        difficulty=0,
        mix_hash=Hash32(block.prev_randao),
        gas_limit=block.gas_limit,
        prev_hashes=tuple(Hash32(ancestor) for ancestor in block.ancestor_hashes),
        chain_id=block.chain_id,
        base_fee_per_gas=block.base_fee,
        excess_blob_gas=block.excess_blob_gas,
    )


def _logs(computation: ComputationAPI) -> tuple[tuple[bytes, tuple[bytes, ...], bytes], ...]:
    return tuple(
        (bytes(address), tuple(topic.to_bytes(32, "big") for topic in topics), bytes(data))
        for address, topics, data in computation.get_log_entries()
    )


def _created_contract(to: bytes, computation: ComputationAPI) -> bytes | None:
    if to != CREATE_CONTRACT_ADDRESS or computation.is_error:
        return None
    return bytes(computation.msg.storage_address)


# --- The permission hook --------------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _exempt(addresses: frozenset[bytes]) -> frozenset[bytes]:
    """The exempt code addresses as plain bytes (the spec passes bytes subclasses), checked to be addresses; cached,
    as the spec passes the same set with every transaction."""
    exempt = frozenset(bytes(address) for address in addresses)
    malformed = sorted(f"0x{address.hex()}" for address in exempt if len(address) != 20)
    if malformed:
        raise ValueError(f"exempt code addresses must be 20 bytes, got {malformed}")
    return exempt


@lru_cache(maxsize=256)
def _computation_class(
    forbidden: frozenset[int], exempt: frozenset[bytes], taxed: bool, charter_calls: bool = False
) -> type[CancunComputation]:
    """The Cancun computation class whose every frame runs with ``forbidden`` opcodes halting it, except frames
    in which an ``exempt`` account runs its own code, and which, if ``taxed``, charges the state's
    :class:`TransferTax` on the value frames below the top one move; cached per combination.

    py-evm's ``apply_computation`` looks the opcode table up once per frame (``computation.opcodes``), and every
    frame, at every depth and including init code, is an instance of the state's ``computation_class`` (children
    come from ``apply_message`` / ``apply_create_message`` on the parent's class). So a computation subclass whose
    class-level table has the forbidden entries replaced covers every frame at no cost per opcode: the interpreter
    loop is py-evm's own. Nothing forbidden, nothing taxed and no charter calls is Cancun's computation itself
    (``_CancunComputation``, py-evm's with its deviations corrected; whatever is exempt). A taxed table replaces the
    four opcodes that move value to another account (CALL, CREATE, CREATE2, SELFDESTRUCT) in exempt frames too: an
    exemption lifts the charter's permissions, never the tax.
    """
    if not forbidden and not taxed and not charter_calls:
        return _CancunComputation
    out_of_range = sorted(opcode for opcode in forbidden if not 0 <= opcode <= 0xFF)
    if out_of_range:
        raise ValueError(f"forbidden opcodes must be 0x00-0xff, got {out_of_range}")
    unrestricted: dict[int, Any] = dict(CancunComputation.opcodes)
    if taxed:
        unrestricted.update(_taxed_value_opcodes(unrestricted))
    table = dict(unrestricted)
    for opcode in forbidden:
        table[opcode] = _ForbiddenOpcodeLogic(opcode, table.get(opcode))
    namespace: dict[str, Any] = {
        "opcodes": table,
        "unrestricted_opcodes": unrestricted,
        "exempt_code_addresses": exempt if forbidden else frozenset(),
        "charges_transfer_tax": taxed,
    }
    return cast(type[CancunComputation], type("MvmCancunComputation", (_MvmComputation,), namespace))


_MODEXP_ADDRESS = Address(bytes(19) + b"\x05")


def _modexp_as_specified(computation: ComputationAPI) -> ComputationAPI:
    """MODEXP (precompile 0x05) as Cancun specifies it. py-evm's gas and answer stand, except that py-evm answers
    0 when the base is 0 bytes long; the specs then compute with the base 0, so that ``0 ** 0 % m`` is ``1 % m``."""
    data = bytes(computation.msg.data_as_bytes)
    computation = CancunComputation._precompiles[_MODEXP_ADDRESS](computation)  # py-evm's gas (EIP-2565), answer
    base_length, exponent_length, modulus_length = extract_lengths(data)
    if base_length == 0 and modulus_length > 0:
        # The gas just paid grows with the exponent's and the modulus's lengths, so padding them stays bounded.
        exponent = int.from_bytes(zpad_right(data[96 : 96 + exponent_length], exponent_length), "big")
        modulus_start = 96 + exponent_length
        modulus = int.from_bytes(zpad_right(data[modulus_start : modulus_start + modulus_length], modulus_length), "big")
        computation.output = (pow(0, exponent, modulus) if modulus else 0).to_bytes(modulus_length, "big")
    return computation


class _CancunComputation(CancunComputation):
    """py-evm's Cancun computation with its deviations from the Ethereum specs corrected (the module's docstring)."""

    _precompiles = {**CancunComputation._precompiles, _MODEXP_ADDRESS: _modexp_as_specified}


class _MvmComputation(_CancunComputation):
    """A Cancun computation under a charter: permissioned frames, exempt frames, and the transfer tax.

    Exempt frames. The table is chosen when the frame is made: ``apply_computation`` reads ``computation.opcodes``
    once, after ``__init__``, so an instance attribute shadowing the class's (forbidding) table covers exactly this
    frame. Its children are made from the class again, so a frame that exempt code calls is permissioned (unless it
    is exempt too). A frame is exempt only when the exempt account runs its own code in its own context (its code
    address and its storage address are both the exempt address: a CALL or STATICCALL to it): exempt code reached
    by CALLCODE or DELEGATECALL runs in the calling account's context, and there it is permissioned like any other
    code, so no contract can borrow the exemption to write its own storage.

    The transfer tax. A frame below the top one that receives value pays its tax when it starts, after the value
    moved (``apply_message`` has taken the frame's snapshot by then): if the frame fails, the value and its tax go
    back together. That the payer can pay both was checked by the opcode that made the frame
    (:class:`_TaxedValueLogic`). The top frame's value is the spec's to tax, before execution.
    """

    unrestricted_opcodes: dict[int, Any] = {}
    exempt_code_addresses: frozenset[bytes] = frozenset()
    charges_transfer_tax: bool = False

    def __init__(self, state: StateAPI, message: MessageAPI, transaction_context: TransactionContextAPI) -> None:
        super().__init__(state, message, transaction_context)
        if self.exempt_code_addresses:
            runs_itself = message.code_address == message.storage_address
            if runs_itself and message.code_address in self.exempt_code_addresses:
                self.opcodes = self.unrestricted_opcodes

    @classmethod
    def apply_computation(
        cls,
        state: StateAPI,
        message: MessageAPI,
        transaction_context: TransactionContextAPI,
        parent_computation: ComputationAPI | None = None,
    ) -> ComputationAPI:
        tax = 0
        if cls.charges_transfer_tax and message.depth > 0 and message.should_transfer_value and message.value:
            payee = None if message.is_create else bytes(message.storage_address)
            tax = _pay_transfer_tax(state, bytes(message.sender), payee, message.value)
        calls = cast(_MvmState, state).charter_calls
        if calls is not None and message.code_address == message.storage_address == calls.address:
            with cls(state, message, transaction_context) as computation:
                _run_charter_call(computation, cast(_MvmState, state), calls)
        else:
            computation = super().apply_computation(state, message, transaction_context, parent_computation)
        cast(_MvmComputation, computation).transfer_tax_paid += tax
        return computation

    transfer_tax_paid: int = 0  # the tax this frame paid: on its value when it started, and by its SELFDESTRUCT


def _run_charter_call(computation: ComputationAPI, state: _MvmState, calls: CharterCalls) -> None:
    """A call to the charter's address: pay its gas, then record the charter it leaves, or fail."""
    message = computation.msg
    if message.is_static:
        raise CharterCallRefused("a static call cannot update the charter")
    data = bytes(message.data)
    computation.consume_gas(calls.gas(data), reason="charter call")
    updated = calls.update(state.get_standing_charter(), bytes(message.sender), int(message.value), data)
    if updated is None:
        raise CharterCallRefused(f"0x{bytes(message.sender).hex()} may not make this charter call")
    state.record_charter(updated)


def _pay_transfer_tax(state: StateAPI, payer: bytes, payee: bytes | None, value: int) -> int:
    """Move the tax ``payer`` owes for sending ``value`` to ``payee`` to the tax's recipient; returns the tax."""
    transfer_tax = cast(_MvmState, state).transfer_tax
    if transfer_tax is None:
        raise RuntimeError("a taxing computation ran on a state without a transfer tax")
    tax = transfer_tax.compute(payer, payee, value)
    if tax == 0:
        return 0
    if state.get_balance(Address(payer)) < tax:
        raise RuntimeError(f"0x{payer.hex()} cannot pay the tax its frame was admitted with")
    state.delta_balance(Address(payer), -tax)
    state.delta_balance(Address(transfer_tax.recipient), tax)
    return tax


def _kept_transfer_tax(top: ComputationAPI) -> int:
    """The transfer tax the frames below ``top`` paid and kept: a frame's tax is kept when it and every frame
    enclosing it succeeded (a failed frame's changes, its tax among them, are reverted). Walked without recursion:
    frames nest 1,024 deep."""
    kept, pending = 0, [top] if top.is_success else []
    while pending:
        frame = pending.pop()
        kept += getattr(frame, "transfer_tax_paid", 0)
        pending.extend(child for child in frame.children if child.is_success)
    return kept


def _stack_word(item: int | bytes) -> int:
    return item if isinstance(item, int) else int.from_bytes(item, "big")


def _stack_address(item: int | bytes) -> bytes:
    return (_stack_word(item) & (2**160 - 1)).to_bytes(20, "big")


def _taxed_value_opcodes(plain: Mapping[int, Any]) -> dict[int, Any]:
    """The taxed entries for the opcodes that move value to another account: CALL (value third on the stack, the
    payee second), CREATE and CREATE2 (the endowment on top), and SELFDESTRUCT (the beneficiary on top)."""
    return {
        CALL: _TaxedValueLogic(plain[CALL], value_position=3, payee_position=2),
        CREATE: _TaxedValueLogic(plain[CREATE], value_position=1, payee_position=None),
        CREATE2: _TaxedValueLogic(plain[CREATE2], value_position=1, payee_position=None),
        SELFDESTRUCT: _TaxedSelfdestructLogic(plain[SELFDESTRUCT]),
    }


class _TaxedValueLogic:
    """CALL, CREATE or CREATE2 on a taxed chain: a frame that holds the value it sends but not also its tax fails
    exactly as one without the value does. The entry then puts 2**256 - 1 (more than any balance: the native supply
    is below 2**256) in the value's stack slot, and the opcode takes the EVM's own insufficient-funds path: nothing
    moves, the child's gas comes back, 0 is pushed, the return data is cleared, and a creator's nonce is not
    incremented. Gas is unchanged: CALL's charges depend only on whether the value is zero, which it stays.
    Otherwise the plain opcode runs, and the new frame pays the tax when it starts (:class:`_MvmComputation`).
    CALLCODE is left alone: it sends value from an account to itself, which moves nothing.
    """

    __slots__ = ("plain", "value_position", "payee_position", "mnemonic", "gas_cost")

    def __init__(self, plain: Any, value_position: int, payee_position: int | None) -> None:
        self.plain, self.value_position, self.payee_position = plain, value_position, payee_position
        self.mnemonic, self.gas_cost = getattr(plain, "mnemonic", "UNDEFINED"), getattr(plain, "gas_cost", 0)

    def __call__(self, computation: Any) -> None:
        stack = computation._stack.values  # py-evm's stack, top last; a short stack underflows in the plain opcode
        if len(stack) >= self.value_position and not computation.msg.is_static:
            value = _stack_word(stack[-self.value_position])
            if value:
                payer = bytes(computation.msg.storage_address)
                payee = None if self.payee_position is None else _stack_address(stack[-self.payee_position])
                tax = computation.state.transfer_tax.compute(payer, payee, value)
                if tax and computation.state.get_balance(Address(payer)) < value + tax:
                    stack[-self.value_position] = UINT256_MAX
        self.plain(computation=computation)


class _TaxedSelfdestructLogic:
    """SELFDESTRUCT on a taxed chain: it sends the contract's whole balance, so its tax comes out of what it sends.
    The tax on the balance moves to the recipient first; the beneficiary receives the rest. Sending to itself moves
    nothing (the tax rule says 0), and a write-protected (static) frame fails in the plain opcode before anything
    could move."""

    __slots__ = ("plain", "mnemonic", "gas_cost")

    def __init__(self, plain: Any) -> None:
        self.plain = plain
        self.mnemonic, self.gas_cost = getattr(plain, "mnemonic", "SELFDESTRUCT"), getattr(plain, "gas_cost", 0)

    def __call__(self, computation: Any) -> None:
        stack = computation._stack.values
        if stack and not computation.msg.is_static:
            payer = bytes(computation.msg.storage_address)
            balance = int(computation.state.get_balance(Address(payer)))
            if balance:
                computation.transfer_tax_paid += _pay_transfer_tax(
                    computation.state, payer, _stack_address(stack[-1]), balance
                )
        self.plain(computation=computation)


class _ForbiddenOpcodeLogic:
    """The opcode-table entry for a forbidden opcode: halts the frame as INVALID does, with a ``ForbiddenOpcode``.

    STOP is the one opcode py-evm also "executes" where the code has no instruction: after the last byte of code,
    including the empty code of an account without code (``CodeStream`` yields a trailing STOP). That implicit stop
    is not an instruction of the code, so it stays allowed: forbidding STOP forbids the 0x00 instruction only, and a
    value transfer to an account without code still succeeds.
    """

    __slots__ = ("opcode", "mnemonic", "gas_cost", "_allowed")

    def __init__(self, opcode: int, allowed: Any) -> None:
        self.opcode = opcode
        self.mnemonic = getattr(allowed, "mnemonic", "UNDEFINED")
        self.gas_cost = 0
        self._allowed = allowed  # the plain entry, run only for STOP's implicit form

    def __call__(self, computation: Any) -> None:
        if self.opcode == STOP and _ran_off_the_end(computation.code):
            self._allowed(computation=computation)  # the plain STOP: raises Halt, which ends the frame normally
            return
        raise ForbiddenOpcode(
            f"opcode 0x{self.opcode:02x} ({self.mnemonic}) is forbidden by the charter "
            f"@ {computation.code.program_counter - 1}"
        )


def _ran_off_the_end(code: Any) -> bool:
    """Whether the STOP being executed is the implicit one after the last instruction of ``code``.

    A 0x00 instruction at position i leaves the program counter at i + 1; the implicit STOP comes with the counter
    at or past the end. They meet only when the last byte is 0x00: it was executed iff it starts an instruction
    (is not PUSH data), since execution reaches the end only by running through it.
    """
    end = len(code)
    if code.program_counter < end:
        return False
    if code.program_counter > end or end == 0:
        return True
    return not (code[end - 1] == STOP and code.is_valid_opcode(end - 1))


# --- Tracing (EIP-3155) --------------------------------------------------------------------------------------

# What decided the permission of an opcode, for a trace: given the charter the transaction began under (None when
# no charter calls were given), its signer and the opcode, a name such as "permissions[2]" or "open".
PermissionExplainer = Callable[[Any, bytes, int], str]


@dataclass(frozen=True)
class TracedExecution:
    """The trace of one transaction or deposit: an EIP-3155 step object per instruction executed, in execution
    order across every frame, and its summary object (the fields are listed in docs/protocol.md#traces)."""

    steps: tuple[dict[str, Any], ...]
    summary: dict[str, Any]


class ExecutionTracer:
    """The traces of the transactions and deposits executed while it is active (:func:`tracing`), in order."""

    def __init__(self, explain_permission: PermissionExplainer) -> None:
        self.explain_permission = explain_permission
        self.executions: list[TracedExecution] = []


_ACTIVE_TRACER: ContextVar[ExecutionTracer | None] = ContextVar("mvm_execution_tracer", default=None)


@contextmanager
def tracing(explain_permission: PermissionExplainer) -> Iterator[ExecutionTracer]:
    """Record a trace of every transaction and deposit executed in the block (system calls are not traced)."""
    tracer = ExecutionTracer(explain_permission)
    token = _ACTIVE_TRACER.set(tracer)
    try:
        yield tracer
    finally:
        _ACTIVE_TRACER.reset(token)


def _start_trace(
    signer: bytes, charter_calls: CharterCalls | None, exempt: frozenset[bytes]
) -> _ExecutionTrace | None:
    """The trace of the execution about to run, or None when no tracer is active (the normal path)."""
    tracer = _ACTIVE_TRACER.get()
    if tracer is None:
        return None
    return _ExecutionTrace(tracer, signer, None if charter_calls is None else charter_calls.charter, exempt)


def _opcode_names() -> tuple[str, ...]:
    """Each opcode's name as EIP-3155 traces print it: py-evm's mnemonics, with the Ethereum names where py-evm
    keeps an older one (SHA3 is KECCAK256) or has none; an opcode Cancun does not define is UNDEFINED."""
    names = {0x20: "KECCAK256", 0xFE: "INVALID", 0xFF: "SELFDESTRUCT"}
    return tuple(
        names.get(opcode) or getattr(CancunComputation.opcodes.get(opcode), "mnemonic", None) or "UNDEFINED"
        for opcode in range(256)
    )


_OPCODE_NAMES = _opcode_names()


@dataclass
class _TracedFrame:
    refund_base: int  # the transaction's refund counter when the frame started
    exempt: bool  # an exempt account running its own code: the plain opcode table, whatever the charter says


@dataclass
class _TracedStep:
    record: dict[str, Any]
    gas_before: int
    computation: Any
    starts_frame: bool = False


class _ExecutionTrace:
    """The trace of one execution being recorded. A traced computation class (:func:`_traced_class`) calls
    :meth:`enter_frame` and :meth:`exit_frame` around every frame and :meth:`run_step` for every instruction.

    ``refund`` is the transaction's refund counter, as EIP-3155 asks: py-evm keeps refunds per frame, so a frame's
    counter is the one at its start plus what it and its finished children added (``get_gas_refund``, which
    counts nothing of a failed child: a failed frame's refunds are undone). ``gasCost`` of a step that starts a
    frame is the gas it took before the frame started, the gas it gave the frame included (what the frame returns
    is not subtracted); of any other step, the gas it consumed.
    """

    def __init__(self, tracer: ExecutionTracer, signer: bytes, charter: Any, exempt: frozenset[bytes]) -> None:
        self.tracer, self.signer, self.charter, self.exempt = tracer, signer, charter, exempt
        self.steps: list[dict[str, Any]] = []
        self.frames: list[_TracedFrame] = []
        self.open_steps: list[_TracedStep] = []  # the steps still running, the innermost last
        self.rules: dict[int, str] = {}  # what decided each opcode's permission, asked once per execution

    def enter_frame(self, message: MessageAPI) -> None:
        refund_base = 0
        if self.open_steps:  # a step of the calling frame starts this one
            step = self.open_steps[-1]
            step.starts_frame = True
            step.record["gasCost"] = hex(step.gas_before - step.computation._gas_meter.gas_remaining)
            refund_base = self.frames[-1].refund_base + step.computation.get_gas_refund()
        runs_itself = message.code_address == message.storage_address
        self.frames.append(_TracedFrame(refund_base, runs_itself and bytes(message.code_address) in self.exempt))

    def exit_frame(self) -> None:
        self.frames.pop()

    def run_step(self, opcode: int, logic: Any, computation: Any) -> None:
        code = computation.code
        implicit_stop = opcode == STOP and _ran_off_the_end(code)
        if implicit_stop and len(code) == 0:
            logic(computation=computation)  # a frame without code runs nothing, as geth runs no code for it
            return
        frame = self.frames[-1]
        meter = computation._gas_meter
        gas_before = meter.gas_remaining
        denied = isinstance(logic, _ForbiddenOpcodeLogic) and not implicit_stop
        record: dict[str, Any] = {
            "pc": code.program_counter if implicit_stop else code.program_counter - 1,  # the loop has moved past it
            "op": opcode,
            "gas": hex(gas_before),
            "gasCost": None,  # known when the step ends or starts a frame
            "memSize": len(computation._memory),
            "stack": [hex(_stack_word(item)) for item in computation._stack.values],
            "depth": computation.msg.depth + 1,
            "returnData": "0x" + bytes(computation.return_data).hex(),
            "refund": frame.refund_base + computation.get_gas_refund(),
            "opName": _OPCODE_NAMES[opcode],
            "mvmPermission": "denied" if denied else "allowed",
            "mvmRule": "exempt" if frame.exempt else "implicitStop" if implicit_stop else self._rule(opcode),
        }
        self.steps.append(record)
        step = _TracedStep(record, gas_before, computation)
        self.open_steps.append(step)
        try:
            logic(computation=computation)
        except VMError as error:  # the step halts its frame exceptionally; EIP-3155's error goes before our fields
            mvm_fields = {name: record.pop(name) for name in ("mvmPermission", "mvmRule")}
            record["error"] = type(error).__name__
            record.update(mvm_fields)
            raise
        finally:
            self.open_steps.pop()
            if not step.starts_frame:
                record["gasCost"] = hex(gas_before - meter.gas_remaining)

    def _rule(self, opcode: int) -> str:
        rule = self.rules.get(opcode)
        if rule is None:
            rule = self.rules[opcode] = self.tracer.explain_permission(self.charter, self.signer, opcode)
        return rule

    def finish(self, computation: ComputationAPI, result: ExecutionResult) -> None:
        """Close the trace with its summary; the world's root is computed now, as a client tracing would."""
        summary: dict[str, Any] = {
            "stateRoot": "0x" + result.world.state_root.hex(),
            "output": "0x" + bytes(computation.output).hex(),
            "gasUsed": hex(result.gas_used),
            "pass": result.success,
        }
        if computation.is_error:
            summary["error"] = type(computation.error).__name__
        summary["mvmExecutionTax"] = hex(result.transfer_tax)
        self.tracer.executions.append(TracedExecution(tuple(self.steps), summary))


class _TracedOpcode:
    """An opcode-table entry that records a step around the entry it wraps (:meth:`_ExecutionTrace.run_step`)."""

    __slots__ = ("opcode", "logic", "mnemonic", "gas_cost")

    def __init__(self, opcode: int, logic: Any) -> None:
        self.opcode, self.logic = opcode, logic
        self.mnemonic, self.gas_cost = _OPCODE_NAMES[opcode], getattr(logic, "gas_cost", 0)

    def __call__(self, computation: Any) -> None:
        computation.state.tracer.run_step(self.opcode, self.logic, computation)


def _traced_opcodes(table: Mapping[int, Any]) -> dict[int, Any]:
    """``table`` with all 256 opcodes wrapped. py-evm runs ``InvalidOpcode`` for an opcode its table lacks, and
    so does the wrapper, so that the step is recorded."""
    return {
        opcode: _TracedOpcode(opcode, table[opcode] if opcode in table else InvalidOpcode(opcode))
        for opcode in range(256)
    }


class _TracedFrames:
    """Mixed into a traced computation class: tells the trace when each frame starts and ends. Every frame (every
    depth, init code, precompiles and charter calls) runs through ``apply_computation``."""

    @classmethod
    def apply_computation(
        cls,
        state: StateAPI,
        message: MessageAPI,
        transaction_context: TransactionContextAPI,
        parent_computation: ComputationAPI | None = None,
    ) -> ComputationAPI:
        trace = cast(_MvmState, state).tracer
        assert trace is not None  # a traced class runs only while its trace is recorded
        trace.enter_frame(message)
        try:
            untraced = cast(Any, super())
            computation = untraced.apply_computation(state, message, transaction_context, parent_computation)
            return cast(ComputationAPI, computation)
        finally:
            trace.exit_frame()


@lru_cache(maxsize=64)
def _traced_class(computation_class: type[CancunComputation]) -> type[CancunComputation]:
    """``computation_class`` with every opcode-table entry recording a step: the same entries run, in the same
    order, so a traced execution computes exactly what the untraced one does."""
    namespace: dict[str, Any] = {"opcodes": _traced_opcodes(computation_class.opcodes)}
    unrestricted = getattr(computation_class, "unrestricted_opcodes", None)
    if unrestricted:
        namespace["unrestricted_opcodes"] = _traced_opcodes(unrestricted)
    traced = type(f"Traced{computation_class.__name__}", (_TracedFrames, computation_class), namespace)
    return cast(type[CancunComputation], traced)


# --- Witnesses ------------------------------------------------------------------------------------------------


def _child_references(node: Any) -> Iterator[Any]:
    """The children of a decoded trie node: hashes (32 bytes) or embedded nodes (lists); leaves give none."""
    if len(node) == 17:
        yield from (child for child in node[:16] if child != b"")
    elif len(node) == 2 and node[0][0] >> 4 in (0, 1):  # an extension: hex-prefix flag 0 or 1
        yield node[1]


def _leaf_values(store: Mapping[bytes, bytes], root: bytes, nodes: dict[bytes, bytes]) -> Iterator[bytes]:
    """Every value of the trie at ``root`` in ``store``, adding each stored node it passes to ``nodes``."""
    pending: list[Any] = [] if root == _BLANK_ROOT else [root]
    while pending:
        reference = pending.pop()
        if isinstance(reference, bytes):
            nodes[reference] = store[reference]
            node = rlp.decode(store[reference])
        else:
            node = reference
        if len(node) == 2 and node[0][0] >> 4 in (2, 3):  # a leaf: hex-prefix flag 2 or 3
            yield node[1]
        pending.extend(_child_references(node))


def export_world(world: EvmWorld) -> tuple[bytes, ...]:
    """Every trie node and contract code of ``world`` (its state trie, each account's storage trie and code), in
    the order of their keccak256 hashes: the preimages that rebuild it with :func:`import_world`."""
    nodes: dict[bytes, bytes] = {}
    for value in list(_leaf_values(world.store, world.state_root, nodes)):
        _, _, storage_root, code_hash = rlp.decode(value)
        for _ in _leaf_values(world.store, storage_root, nodes):
            pass
        if code_hash != keccak(b""):
            nodes[code_hash] = world.store[code_hash]
    return tuple(nodes[key] for key in sorted(nodes))


@dataclass(frozen=True)
class DumpedAccount:
    """One account of a world, as a transition tool's post-state allocation lists it (storage: non-zero slots)."""

    balance: int
    nonce: int
    code: bytes
    storage: tuple[tuple[int, int], ...]


def record_writes(world: EvmWorld) -> None:
    """From now on, remember every account and storage slot that an operation on a world of ``world``'s store
    writes, so that :func:`dump_world` can name them. For tools (``mvm-spec t8n``); the spec never dumps a world."""
    world.store.written = set()


def dump_world(world: EvmWorld, known: Mapping[bytes, Iterable[int]]) -> dict[bytes, DumpedAccount]:
    """Every account of ``world`` with its non-zero storage, by address.

    The trie keys accounts and slots by their keccak256 hashes, so their names come from ``known`` (the addresses
    and slots the world started with) and the writes recorded since :func:`record_writes`. The dump is checked
    against the trie: if it holds an account or a slot that neither names, this raises ValueError, rather than
    leave it out.
    """
    candidates: dict[bytes, set[int]] = {bytes(address): set(slots) for address, slots in known.items()}
    for address, slot in world.store.written or ():
        candidates.setdefault(address, set())
        if slot is not None:
            candidates[address].add(slot)
    reader = _reader(world.store, world.state_root)
    dumped: dict[bytes, DumpedAccount] = {}
    for address in sorted(candidates):
        if not reader.account_exists(Address(address)):
            continue
        storage = tuple(
            (slot, value)
            for slot in sorted(candidates[address])
            if (value := int(reader.get_storage(Address(address), slot))) != 0
        )
        storage_root = reader._get_storage_root(Address(address))
        if sum(1 for _ in _leaf_values(world.store, storage_root, {})) != len(storage):
            raise ValueError(f"account 0x{address.hex()} has storage slots that no write recorded")
        code = bytes(reader.get_code(Address(address)))
        dumped[address] = DumpedAccount(
            int(reader.get_balance(Address(address))), int(reader.get_nonce(Address(address))), code, storage
        )
    if sum(1 for _ in _leaf_values(world.store, world.state_root, {})) != len(dumped):
        raise ValueError("the world holds accounts that no write recorded")
    return dumped


def import_world(state_root: bytes, preimages: Sequence[bytes]) -> EvmWorld:
    """The world at ``state_root`` over a fresh store holding ``preimages`` (trie nodes and codes) by their hashes.
    Nothing is checked here: a preimage that is missing shows when execution reads it (:data:`EvmMissingData`)."""
    store = NodeStore()
    for preimage in preimages:
        store[keccak(preimage)] = preimage
    return EvmWorld(store, bytes(state_root))
