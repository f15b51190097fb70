"""Hypothesis laws of the bridge (spec/v1/bridge.md, with hub.md and execution.md), on the minimal preset.

- Supply, end to end: a stateful machine interleaves new L1 blocks (some jumping past the fraud-proof window),
  deposits, sequenced batches of random transactions, honest and forged state batches, challenges, proofs and
  payouts of withdrawals. After every step the derived chain's native supply is exactly the genesis allocation plus
  the mints of the deposits it includes, less the value its message passer recorded and the base fees it burnt, and
  is the sum of the balances of every account the machine knows of; L1 pays out at most what was locked for the
  chain, and its record of that is exact; and every early, repeated, foreign or misdirected withdrawal is refused
  with its rule's error.
- Derivation is deterministic and total: for any accepted L1 data, ``derive_chain`` never raises, gives the same
  chain twice, gives at an earlier L1 block a prefix of the chain it gives later, and every derived block replays
  with the strict ``apply_block`` from the recorded genesis to the same receipts and output root.
- Forced inclusion: a deposit enqueued in L1 block ``D`` is in a derived block once the hub reaches L1 block
  ``D + SEQUENCING_WINDOW``, whatever the sequencer posts; it is in the first block whose origin is ``D`` or later.
- Header rules: times strictly increase and are the sequencer's proposal clamped into ``[lower, upper]``, origins
  advance by 0 or 1, the gas limit is the preset's, base fees follow EIP-1559, RANDAO value and beacon root are the
  origin's.

The expected values come from a model kept by hand: the minimal preset's values written out from
presets/minimal.yaml, L1 block times from the hub's clock as the laws drive it, the withdrawal hash and the output
root laid out word by word, EIP-1559's update and the timestamp clamp as the text states them, and finality from
the L1 time each state batch was appended at.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Optional, Sequence

from eth_hash.auto import keccak
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from mvm_spec import evm
from mvm_spec.evm import BEACON_ROOTS_ADDRESS, GenesisAccount
from mvm_spec.forks.v1 import minimal as spec
from tests.hub_building import (
    output_root_preimage,
    ACME,
    ALICE,
    BOB,
    CAROL,
    FUNDS,
    GENESIS_BASE_FEE,
    HUB_START,
    OTHER,
    SEQUENCER,
    address_of,
    batch_data,
    beacon_root,
    funded,
    l1_time,
    new_hub,
    plain_charter,
    randao,
    with_sequencing_snapshots,
)
from tests.signing import sign_dynamic_fee
from tests.reachable_hub import hub_invariant_violations

# --- The minimal preset, by hand from presets/minimal.yaml --------------------------------------------------------

SEQUENCING_WINDOW = 4
MAX_SEQUENCER_DRIFT = 30
FRAUD_PROOF_WINDOW = 3_600
BLOCK_GAS_LIMIT = 30_000_000
GAS_TARGET = 30_000_000 // 2  # BASE_FEE_ELASTICITY_MULTIPLIER = 2
CHANGE_DENOMINATOR = 8
DEPOSIT_GAS_BUDGET = 300_000
UINT64_MAX = 2**64 - 1
UINT256_MAX = 2**256 - 1

# --- Accounts -------------------------------------------------------------------------------------------------------

MT = 10**18
PASSER = bytes.fromhex("4200000000000000000000000000000000000016")
CHARTER_CONTRACT = bytes.fromhex("4200000000000000000000000000000000000100")
TREASURY = bytes.fromhex("ba32858ea15ad4a729d3aca3c2ed5e3363bc16f6")  # METIS_DAO_ADDRESS: producer with no provider
ALIAS_OFFSET = 0x1111000000000000000000000000000000001111
KEYS = (ALICE, BOB, CAROL)
RECIPIENT = bytes([0xC1]) * 20
SINK = bytes([0x51]) * 20  # STOP: keeps what it is sent
REVERTER = bytes([0x52]) * 20  # PUSH0 PUSH0 REVERT: refuses everything
BURNER = bytes([0x53]) * 20  # INVALID: a call to it uses all its gas
FORWARDER = bytes([0x54]) * 20  # passes its call (value and calldata) on to the message passer, reverting if it fails
FORWARDER_CODE = bytes.fromhex(
    "365f5f37"  # 00 CALLDATACOPY(0, 0, CALLDATASIZE)
    "5f5f365f34"  # 04 retSize 0, retOffset 0, argsSize CALLDATASIZE, argsOffset 0, value CALLVALUE
    "73" + PASSER.hex() + "5af1"  # 09 PUSH20 passer, GAS, CALL
    "15602557"  # 20 ISZERO, PUSH1 0x25, JUMPI: to 0x25 if the call failed
    "00"  # 24 STOP
    "5b5f5ffd"  # 25 JUMPDEST, REVERT(0, 0)
)
CONTRACTS = {SINK: b"\x00", REVERTER: bytes.fromhex("5f5ffd"), BURNER: b"\xfe", FORWARDER: FORWARDER_CODE}
ALLOCATION = len(KEYS) * FUNDS
GENESIS_ALLOC = [*funded(*KEYS), *((address, GenesisAccount(0, 1, code)) for address, code in CONTRACTS.items())]
CHARTER = plain_charter(spec, taxrates=[(0, 100)])  # 1% of value not sent to L1 goes to the treasury: moved, not made
DEPOSITOR = bytes([0xDE]) * 20  # an L1 account without code
L1_CONTRACTS = (bytes([0xCC]) * 20, bytes([0xFF]) * 20)  # L1 contracts; the second's alias wraps around 2**160


def alias(address: bytes) -> bytes:
    return ((int.from_bytes(address, "big") + ALIAS_OFFSET) % 2**160).to_bytes(20, "big")


L1_SENDERS = (  # (L1 address, from a contract, its L2 sender)
    (DEPOSITOR, False, DEPOSITOR),
    (address_of(ALICE), False, address_of(ALICE)),  # a funded member exiting from L1
    *((contract, True, alias(contract)) for contract in L1_CONTRACTS),
)
KNOWN_ACCOUNTS = {
    *(address_of(signer) for signer in KEYS),
    RECIPIENT,
    *CONTRACTS,
    *(sender for _, _, sender in L1_SENDERS),
    TREASURY,
    PASSER,
    CHARTER_CONTRACT,
    BEACON_ROOTS_ADDRESS,
}
MAX_FEE, TIP = 1_000, 2  # a fee cap far above any base fee these laws reach (genesis: 7 wei)


def word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def l1_block_at(number: int, timestamp: int) -> Any:
    return spec.L1Block(
        spec.L1BlockNumber(number),
        spec.Timestamp(timestamp),
        spec.Hash32(randao(number)),
        spec.Hash32(beacon_root(number)),
    )


def sign(
    signer: Any, nonce: int, to: bytes, *, value: int = 0, data: bytes = b"", gas: int = 21_000, chain_id: int = ACME
) -> bytes:
    return sign_dynamic_fee(
        signer, nonce, to, value=value, data=data, gas=gas, max_fee=MAX_FEE, tip=TIP, chain_id=chain_id
    )


def expect_error(name: str | tuple[str, ...], call: Callable[[], Any]) -> None:
    """``call`` must raise the spec error ``name`` (or one of the errors ``name`` lists)."""
    names = (name,) if isinstance(name, str) else name
    try:
        call()
    except spec.SpecError as error:
        assert type(error).__name__ in names, f"raised {type(error).__name__}: {error}; expected {name}"
    else:
        raise AssertionError(f"accepted; expected {name}")


def acme(hub: Any) -> Any:
    return spec.get_dac(hub, spec.ChainId(ACME))


def recorded_genesis_state(hub: Any) -> Any:
    genesis = acme(hub).genesis
    return spec.get_genesis_state(
        spec.ChainId(ACME), genesis.alloc, genesis.charter, genesis.timestamp, genesis.base_fee_per_gas
    )


def replay(hub: Any, blocks: Sequence[Any]) -> list[Any]:
    """The state after each derived block (genesis first), applying each with the strict ``apply_block`` from the
    genesis the hub recorded: each must be valid and give the derived receipts and output root."""
    state = recorded_genesis_state(hub)
    states = [state]
    for derived in blocks:
        state, receipts = spec.apply_block(state, derived.block)
        assert tuple(receipts) == tuple(derived.receipts), f"block {derived.block.number}: other receipts"
        assert spec.get_state_output_root(state) == derived.output_root, f"block {derived.block.number}: other root"
        states.append(state)
    return states


def burnt_base_fees(derived: Any) -> int:
    """The base fee burnt by a block's signed transactions: gas used times base fee. Deposits, which run first and
    whose gas was bought on L1, burn nothing."""
    receipts = derived.receipts
    deposits = len(derived.block.deposits)
    assert len(receipts) == deposits + len(derived.block.transactions)
    gas = [int(receipt.cumulative_gas_used) for receipt in receipts]
    used = [after - before for before, after in zip([0, *gas], gas)]
    return sum(used[deposits:]) * int(derived.block.base_fee_per_gas)


# --- Messages to L1 -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """A message the passer logged: the withdrawal, its hash and the L2 block that recorded it."""

    withdrawal: Any
    hash: bytes
    block_number: int


def recorded_messages(blocks: Sequence[Any]) -> list[Message]:
    """Every message of the derived chain, read from the passer's logs: six words (chain id, nonce, sender, target,
    value, keccak of the data) and the data, under a topic that is the keccak of the six words."""
    messages: list[Message] = []
    for derived in blocks:
        for receipt in derived.receipts:
            for log in receipt.logs:
                if bytes(log.address) != PASSER:
                    continue
                data = bytes(log.data)
                chain_id, nonce, sender, target, value = (
                    int.from_bytes(data[32 * i : 32 * i + 32], "big") for i in range(5)
                )
                body = data[192:]
                assert chain_id == ACME and data[160:192] == bytes(keccak(body))
                message_hash = bytes(keccak(data[:192]))
                assert [bytes(topic) for topic in log.topics] == [message_hash]
                withdrawal = spec.Withdrawal(
                    spec.uint256(nonce),
                    spec.Address(sender.to_bytes(20, "big")),
                    spec.Address(target.to_bytes(20, "big")),
                    spec.Wei(value),
                    body,
                )
                assert hash_by_hand(ACME, withdrawal) == message_hash
                assert bytes(spec.hash_withdrawal(spec.ChainId(ACME), withdrawal)) == message_hash
                messages.append(Message(withdrawal, message_hash, int(derived.block.number)))
    assert [int(message.withdrawal.nonce) for message in messages] == list(range(len(messages)))
    return messages


def hash_by_hand(chain_id: int, withdrawal: Any) -> bytes:
    """keccak256 of six words: chain id, nonce, sender, target, value, keccak256(data)."""
    sender, target = bytes(12) + bytes(withdrawal.sender), bytes(12) + bytes(withdrawal.target)
    words = word(chain_id) + word(int(withdrawal.nonce)) + sender + target + word(int(withdrawal.value))
    return bytes(keccak(words + bytes(keccak(bytes(withdrawal.data)))))


def message_calldata(target: bytes, data: bytes) -> bytes:
    return bytes(12) + target + data


# --- Law 1: supply, end to end ------------------------------------------------------------------------------------


@dataclass
class StoredBatch:
    """A state batch the hub stores, as the machine appended it: its header, the L1 time it was appended at, its
    output roots, the number of the block of its first root, and which roots are the derived ones."""

    header: Any
    appended_at: int
    roots: list[bytes]
    first_block: int
    honest: list[bool]


amounts = st.one_of(st.just(0), st.integers(1, 10**6), st.integers(0, 10**17), st.integers(0, 2 * MT))
# A deposit mints nothing or at least MIN_DEPOSIT_MINT (10^13 wei on the minimal preset): anything between is refused.
mints = st.one_of(st.just(0), st.just(int(spec.MIN_DEPOSIT_MINT)), st.integers(int(spec.MIN_DEPOSIT_MINT), 2 * MT))
l1_targets = st.binary(min_size=20, max_size=20)
message_data = st.binary(max_size=8)
junk_calldata = st.one_of(
    st.binary(max_size=31), st.binary(min_size=1, max_size=12).map(lambda dirty: dirty.rjust(12, b"\x01") + bytes(20))
)
often = st.integers(0, 3).map(bool)  # true three times in four
TX_KINDS = (
    "transfer",
    "exit",
    "exit",
    "forwarded_exit",
    "bad_exit",
    "burn",
    "wrong_nonce",
    "junk",
    "insufficient_funds",
)


class SupplyMachine(RuleBasedStateMachine):
    """The bridge from both ends. "acme" has three funded members, four contracts and a 1% tax; "other" exists only
    to receive acme's withdrawals. The machine keeps by hand the state batches it appended (when, and which roots
    are honest), the proofs it made and the payouts; everything else it reads off the derived chain."""

    def __init__(self) -> None:
        super().__init__()
        hub = new_hub(spec, alloc=GENESIS_ALLOC, charter=CHARTER)
        other_alloc = [(spec.Address(address_of(ALICE)), GenesisAccount(FUNDS))]
        untaxed = plain_charter(spec)  # MetisDAO sets no tax as the default for "other"
        hub = spec.set_default_taxrates(hub, spec.METIS_DAO_L1_ADDRESS, untaxed.taxrates)
        hub = spec.create_dac(hub, "other", untaxed, other_alloc, spec.Wei(GENESIS_BASE_FEE))
        # A third bond, so that the sequencer serves "other" too, with the snapshots taken again to include it.
        hub = spec.increase_sequencer_lock(hub, spec.Address(SEQUENCER), spec.MIN_SEQUENCER_BOND)
        self.hub = with_sequencing_snapshots(spec, hub)
        self.number, self.time = HUB_START, l1_time(HUB_START)
        self.l1_times = {HUB_START: l1_time(HUB_START)}
        self.sequenced = 0  # elements of acme's transaction batches
        self.batches: list[StoredBatch] = []
        self.proven: dict[bytes, Any] = {}  # message hash -> the header it was proven against
        self.paid: dict[bytes, int] = {}  # message hash -> what L1 paid out
        self.seen: tuple[Any, ...] = ()  # the derived chain at the last check
        self.cache_key: Any = None
        self.cache: tuple[Any, tuple[Any, ...]] = (None, ())
        self.states_key: Any = None
        self.states: list[Any] = []
        self.advance_l1_block(12)  # one L1 block on, so that a batch can build on the creation block

    # --- reading the chain ------------------------------------------------------------------------------------

    def derivation_inputs(self) -> Any:
        """What ``derive_chain`` reads: the sequenced blocks, the enqueued deposits, the compute providers, and the
        L1 blocks up to the head's origin (later L1 blocks can only add forced blocks, which move the head)."""
        dac = acme(self.hub)
        forced = max(0, self.number - SEQUENCING_WINDOW - (int(dac.blocks[-1].l1_origin) if dac.blocks else HUB_START))
        return (dac.blocks, dac.deposits, self.hub.compute_providers, forced)

    def derived(self) -> tuple[Any, tuple[Any, ...]]:
        """``derive_chain`` of acme, called again whenever anything it reads has changed."""
        key = self.derivation_inputs()
        if key != self.cache_key:
            state, blocks = spec.derive_chain(self.hub, spec.ChainId(ACME))
            self.cache_key, self.cache = key, (state, tuple(blocks))
        return self.cache

    def state_after(self, number: int) -> Any:
        """The state after block ``number``, replayed with ``apply_block`` (the proofs are made from it)."""
        _, blocks = self.derived()
        if self.states_key != self.cache_key:
            self.states_key, self.states = self.cache_key, replay(self.hub, blocks)
        return self.states[number]

    def messages(self) -> list[Message]:
        return recorded_messages(self.derived()[1])

    def is_final(self, batch: StoredBatch) -> bool:
        return self.time >= batch.appended_at + FRAUD_PROOF_WINDOW

    def is_stored(self, header: Any) -> bool:
        index = int(header.batch_index)
        return index < len(self.batches) and self.batches[index].header == header

    def committed_elements(self) -> int:
        return sum(len(batch.roots) for batch in self.batches)

    # --- L1 -------------------------------------------------------------------------------------------------

    @rule(
        seconds=st.one_of(
            st.sampled_from([1, 12, FRAUD_PROOF_WINDOW - 1, FRAUD_PROOF_WINDOW]), st.integers(1, 2 * FRAUD_PROOF_WINDOW)
        )
    )
    def advance_l1_block(self, seconds: int) -> None:
        """The next L1 block, a second to two fraud-proof windows later (often exactly at, or one second short of,
        a window)."""
        number, time = self.number + 1, self.time + seconds
        self.hub = spec.advance_l1_block(self.hub, l1_block_at(number, time))
        self.number, self.time = number, time
        self.l1_times[number] = time

    @rule(
        sender=st.sampled_from(L1_SENDERS),
        to=st.sampled_from(["recipient", "sink", "reverter", "passer", "forwarder", "bad_exit"]),
        mint=mints,
        value=amounts,
        l1_target=l1_targets,
        data=message_data,
        junk=junk_calldata,
    )
    def deposit(
        self,
        sender: tuple[bytes, bool, bytes],
        to: str,
        mint: int,
        value: int,
        l1_target: bytes,
        data: bytes,
        junk: bytes,
    ) -> None:
        """A deposit from an L1 account or (aliased) contract: to an account, to a contract that keeps or refuses
        value, or an exit to the message passer, directly or through a contract, well or badly formed."""
        l1_sender, from_contract, _ = sender
        recipient = {"recipient": RECIPIENT, "sink": SINK, "reverter": REVERTER, "forwarder": FORWARDER}.get(to, PASSER)
        calldata = (
            junk if to == "bad_exit" else message_calldata(l1_target, data) if to in ("passer", "forwarder") else b""
        )
        try:
            self.hub = spec.deposit_into_dac(
                self.hub,
                spec.ChainId(ACME),
                spec.Address(l1_sender),
                from_contract,
                spec.Address(recipient),
                spec.Wei(mint),
                spec.Wei(value),
                spec.uint64(200_000 if calldata else 60_000),
                calldata,
            )
        except spec.DepositQueueFull:  # refused, nothing changed: the queue holds as many as it may
            assert len(acme(self.hub).pending_deposits) == spec.MAX_PENDING_DEPOSITS

    # --- the sequencer ----------------------------------------------------------------------------------------

    @initialize(data=st.data())
    def first_exits(self, data: st.DataObject) -> None:
        """Block 1 sends one to three messages to L1, and a state batch commits its output root, so that withdrawals
        have something to prove from the start."""
        exits = [
            sign(
                signer,
                0,
                PASSER,
                value=data.draw(amounts.filter(lambda amount: amount <= 10**17)),
                data=message_calldata(data.draw(l1_targets), data.draw(message_data)),
                gas=200_000,
            )
            for signer in KEYS[: data.draw(st.integers(1, len(KEYS)))]
        ]
        self.hub = spec.append_transaction_batch(
            self.hub,
            spec.ChainId(ACME),
            batch_data(spec, [(HUB_START, 0, exits)]),
            0,
            spec.Address(SEQUENCER),
        )
        self.sequenced = 1
        self.append_state_batch(count=1, forged=False, salt=b"")

    def transaction(self, data: st.DataObject, nonces: dict[int, int]) -> bytes:
        """A batched transaction: a transfer, an exit (direct or through the forwarder, well or badly formed), a
        call burning its gas, or one derivation must drop (a wrong nonce, junk, more value than the signer has)."""
        kind = data.draw(st.sampled_from(TX_KINDS))
        if kind == "junk":
            return data.draw(st.binary(max_size=60))
        index = data.draw(st.integers(0, len(KEYS) - 1))
        signer, nonce = KEYS[index], nonces[index]
        if kind == "wrong_nonce":
            wrong = data.draw(st.sampled_from([nonce + 1, nonce + 7, nonce - 1 if nonce else nonce + 2]))
            return sign(signer, wrong, RECIPIENT, value=1)
        if kind == "insufficient_funds":
            return sign(signer, nonce, RECIPIENT, value=2 * FUNDS)
        nonces[index] += 1
        value = data.draw(amounts.filter(lambda amount: amount <= 10**17))
        if kind == "transfer":
            to = data.draw(st.sampled_from([RECIPIENT, SINK, REVERTER, address_of(KEYS[(index + 1) % len(KEYS)])]))
            return sign(signer, nonce, to, value=value, gas=60_000)
        if kind == "burn":
            return sign(signer, nonce, BURNER, gas=data.draw(st.integers(21_000, 300_000)))
        if kind == "bad_exit":
            return sign(signer, nonce, PASSER, value=value, data=data.draw(junk_calldata), gas=150_000)
        calldata = message_calldata(data.draw(l1_targets), data.draw(message_data))
        return sign(signer, nonce, PASSER if kind == "exit" else FORWARDER, value=value, data=calldata, gas=200_000)

    @rule(data=st.data())
    def sequence_batch(self, data: st.DataObject) -> None:
        """A batch of one or two blocks on origins the hub accepts, continuing the derived head."""
        state, blocks = self.derived()
        origin = int(blocks[-1].l1_origin) if blocks else HUB_START
        if origin >= self.number:  # the head builds on the current L1 block: no block can follow it yet
            return
        nonces = {index: evm.get_nonce(state.world, address_of(signer)) for index, signer in enumerate(KEYS)}
        planned: list[tuple[int, int, list[bytes]]] = []
        for _ in range(data.draw(st.integers(1, 2))):
            if origin + 1 < self.number:
                origin += data.draw(st.integers(0, 1))
            proposed = data.draw(
                st.one_of(
                    st.sampled_from([0, UINT64_MAX]),
                    st.integers(-5, 2 * MAX_SEQUENCER_DRIFT).map(lambda delta: max(0, self.l1_times[origin] + delta)),
                )
            )
            transactions = [self.transaction(data, nonces) for _ in range(data.draw(st.integers(0, 2)))]
            planned.append((origin, proposed, transactions))
        calldata = batch_data(spec, planned)
        self.hub = spec.append_transaction_batch(
            self.hub, spec.ChainId(ACME), calldata, self.sequenced, spec.Address(SEQUENCER)
        )
        self.sequenced += len(planned)

    @rule(count=st.integers(1, 8), forged=st.sampled_from([False, False, False, True]), salt=st.binary(max_size=4))
    def append_state_batch(self, count: int, forged: bool, salt: bytes) -> None:
        """Output roots for the next blocks: the derived ones, or (a forged batch) made up. A batch past the derived
        head is refused."""
        _, blocks = self.derived()
        committed = self.committed_elements()
        available = len(blocks) - committed
        beyond = [spec.Hash32(bytes(32))] * (available + 1)
        expect_error(
            "OutputRootsBeyondChainHead",
            lambda: spec.append_state_batch(
                self.hub, spec.ChainId(ACME), beyond, committed, spec.Address(SEQUENCER)
            ),
        )
        if available == 0:
            return
        honest_roots = [bytes(derived.output_root) for derived in blocks[committed : committed + min(count, available)]]
        forged_roots = [bytes(keccak(b"forged" + salt + word(index))) for index in range(len(honest_roots))]
        roots = forged_roots if forged else honest_roots
        self.hub = spec.append_state_batch(
            self.hub,
            spec.ChainId(ACME),
            [spec.Hash32(root) for root in roots],
            committed,
            spec.Address(SEQUENCER),
        )
        header = acme(self.hub).state_batches.headers[-1]
        honest = [root == honest_root for root, honest_root in zip(roots, honest_roots)]
        self.batches.append(StoredBatch(header, self.time, roots, committed + 1, honest))

    @precondition(lambda self: self.batches)
    @rule(data=st.data())
    def challenge(self, data: st.DataObject) -> None:
        """A challenge deletes a batch (a forged one, but now and then any) and every later one while it is not
        final; a final one stays."""
        forged = [index for index, batch in enumerate(self.batches) if not all(batch.honest)]
        if data.draw(often):
            if not forged:
                return
            index = data.draw(st.sampled_from(forged))
        else:
            index = data.draw(st.integers(0, len(self.batches) - 1))
        header = self.batches[index].header
        if self.is_final(self.batches[index]):
            expect_error(
                "OutsideFraudProofWindow", lambda: spec.delete_state_batches(self.hub, spec.ChainId(ACME), header)
            )
            return
        self.hub = spec.delete_state_batches(self.hub, spec.ChainId(ACME), header)
        self.batches = self.batches[:index]
        for message in self.messages():
            proven_against = self.proven.get(message.hash)
            if message.hash not in self.paid and proven_against is not None and not self.is_stored(proven_against):
                refused = message.withdrawal
                expect_error(
                    "ProvenBatchDeleted", lambda: spec.finalize_withdrawal(self.hub, spec.ChainId(ACME), refused)
                )

    # --- withdrawals ------------------------------------------------------------------------------------------

    def proof(self, batch_index: int, element: int, slot: bytes) -> Any:
        """The proof of the passer's storage slot ``slot`` (a message's hash) against element ``element`` of stored
        batch ``batch_index`` (an honest root), from the state of that element's block; its output root is checked
        by hand against the committed one."""
        batch = self.batches[batch_index]
        state = self.state_after(batch.first_block + element)
        preimage = output_root_preimage(spec, state)
        fields = (
            preimage.state_root,
            preimage.charter_root,
            preimage.message_passer_root,
            preimage.block_hash,
            preimage.context_root,
        )
        assert bytes(keccak(word(2) + b"".join(bytes(value) for value in fields))) == batch.roots[element]
        return spec.WithdrawalProof(
            batch.header,
            spec.uint64(element),
            tuple(spec.compute_merkle_proof([spec.Hash32(root) for root in batch.roots], element)),
            preimage,
            tuple(evm.get_account_proof(state.world, PASSER)),
            tuple(evm.get_storage_proof(state.world, PASSER, int.from_bytes(slot, "big"))),
        )

    def has_standing_proof(self, message: Message) -> bool:
        return message.hash in self.proven and self.is_stored(self.proven[message.hash])

    @precondition(lambda self: self.messages())
    @rule(
        data=st.data(),
        out_of_turn=st.integers(0, 4).map(lambda draw: draw == 0),
        wait=st.sampled_from(["no", "to_the_window", "one_second_short"]),
    )
    def withdraw(self, data: st.DataObject, out_of_turn: bool, wait: str) -> None:
        """The withdrawer's next move with a message (most often one not yet paid out): prove it if no proof of it
        stands on a stored batch, else pay it out; now and then the other move, out of turn."""
        messages = self.messages()
        open_messages = [message for message in messages if message.hash not in self.paid]
        message = data.draw(st.sampled_from(open_messages if bool(open_messages) and data.draw(often) else messages))
        honest = [
            (index, element)
            for index, batch in enumerate(self.batches)
            for element, is_honest in enumerate(batch.honest)
            if is_honest
        ]
        pay = (self.has_standing_proof(message) or message.hash in self.paid) != out_of_turn
        if pay or not honest:
            self.finalize(data, message, wait)
        else:
            self.prove(data, message, honest)

    def prove(self, data: st.DataObject, message: Message, honest: list[tuple[int, int]]) -> None:
        """Prove a message against an honest committed root, predicting the outcome: refused once paid out, absent
        from a block before the one that recorded it, refused while a proof stands on a stored batch. On the way,
        the same proof is tried against another output root, on the other chain (whose batch may commit the very
        same root), and for a message with another value: each refused by its rule. A proven message is not paid
        while its batch is not final."""
        reaching = [
            (index, element)
            for index, element in honest
            if self.batches[index].first_block + element >= message.block_number
        ]
        choices = reaching if bool(reaching) and data.draw(often) else honest
        batch_index, element = data.draw(st.sampled_from(choices))
        proof = self.proof(batch_index, element, message.hash)
        chain = spec.ChainId(ACME)
        if message.hash in self.paid:
            expected: Optional[str] = "WithdrawalAlreadyFinalized"
        else:
            self.try_misdirected_proofs(data, message, batch_index, element, proof)
            if self.batches[batch_index].first_block + element < message.block_number:
                expected = "WithdrawalNotInitiated"
            elif self.has_standing_proof(message):
                expected = "WithdrawalAlreadyProven"
            else:
                expected = None
        if expected is not None:
            expect_error(expected, lambda: spec.prove_withdrawal(self.hub, chain, message.withdrawal, proof))
            return
        self.hub = spec.prove_withdrawal(self.hub, chain, message.withdrawal, proof)
        self.proven[message.hash] = self.batches[batch_index].header
        if not self.is_final(self.batches[batch_index]):  # proven is not paid: the batch can still be deleted
            expect_error(
                "WithdrawalBatchNotFinal", lambda: spec.finalize_withdrawal(self.hub, chain, message.withdrawal)
            )

    def try_misdirected_proofs(
        self, data: st.DataObject, message: Message, batch_index: int, element: int, proof: Any
    ) -> None:
        chain = spec.ChainId(ACME)
        root = self.batches[batch_index].roots[element]
        others = [
            (index, position)
            for index, batch in enumerate(self.batches)
            for position, other_root in enumerate(batch.roots)
            if other_root != root
        ]
        if others:  # the preimage of one root against another committed root (honest or forged)
            index, position = data.draw(st.sampled_from(others))
            roots = [spec.Hash32(other) for other in self.batches[index].roots]
            misdirected = replace(
                proof,
                batch_header=self.batches[index].header,
                output_index=spec.uint64(position),
                output_root_siblings=tuple(spec.compute_merkle_proof(roots, position)),
            )
            expect_error(
                "InvalidOutputRootProof",
                lambda: spec.prove_withdrawal(self.hub, chain, message.withdrawal, misdirected),
            )
        greedy = replace(message.withdrawal, value=spec.Wei(int(message.withdrawal.value) + 1))
        absent = self.proof(batch_index, element, hash_by_hand(ACME, greedy))  # shows the greedy message's slot empty
        expect_error("WithdrawalNotInitiated", lambda: spec.prove_withdrawal(self.hub, chain, greedy, absent))
        other = spec.ChainId(OTHER)
        expect_error("UnknownBatchHeader", lambda: spec.prove_withdrawal(self.hub, other, message.withdrawal, proof))
        other_head = max(0, self.number - SEQUENCING_WINDOW - HUB_START)  # "other" only has forced blocks
        if other_head >= 1:  # the other chain commits acme's very root: the message's hash binds acme's chain id
            mirrored = spec.append_state_batch(
                self.hub, other, [spec.Hash32(root)], 0, spec.Address(SEQUENCER)
            )
            header = spec.get_dac(mirrored, other).state_batches.headers[-1]
            moved = {"batch_header": header, "output_index": spec.uint64(0), "output_root_siblings": ()}
            absent_there = self.proof(batch_index, element, hash_by_hand(OTHER, message.withdrawal))
            foreign = replace(absent_there, **moved)  # a true proof that the other chain's slot is empty
            expect_error(
                "WithdrawalNotInitiated", lambda: spec.prove_withdrawal(mirrored, other, message.withdrawal, foreign)
            )
            # acme's own storage proof shows acme's slot, not the other chain's: it proves nothing there (or, in a
            # small trie whose nodes happen to reach the other slot too, that it is empty)
            replayed = replace(proof, **moved)
            expect_error(
                ("InvalidTrieProof", "WithdrawalNotInitiated"),
                lambda: spec.prove_withdrawal(mirrored, other, message.withdrawal, replayed),
            )

    def finalize(self, data: st.DataObject, message: Message, wait: str) -> None:
        """Pay a message out, predicting the outcome from the model: once only, only proven, only on a batch still
        stored, only once that batch is final. The withdrawer may first wait (a new L1 block) until the proven
        batch's window has exactly passed, or until one second before. After a payout, paying again and paying on
        the other chain are refused."""
        chain = spec.ChainId(ACME)
        header = self.proven.get(message.hash)
        if wait != "no" and header is not None and self.is_stored(header):
            final_at = self.batches[int(header.batch_index)].appended_at + FRAUD_PROOF_WINDOW
            wait_until = final_at - 1 if wait == "one_second_short" else final_at
            if wait_until > self.time:
                self.advance_l1_block(wait_until - self.time)
        if message.hash in self.paid:
            expected: Optional[str] = "WithdrawalAlreadyFinalized"
        elif header is None:
            expected = "WithdrawalNotProven"
        elif not self.is_stored(header):
            expected = "ProvenBatchDeleted"
        elif not self.is_final(self.batches[int(header.batch_index)]):
            expected = "WithdrawalBatchNotFinal"
        else:
            expected = None
        if expected is not None:
            expect_error(expected, lambda: spec.finalize_withdrawal(self.hub, chain, message.withdrawal))
            return
        self.hub, paid = spec.finalize_withdrawal(self.hub, chain, message.withdrawal)
        assert paid == message.withdrawal.value
        self.paid[message.hash] = int(paid)
        expect_error(
            "WithdrawalAlreadyFinalized", lambda: spec.finalize_withdrawal(self.hub, chain, message.withdrawal)
        )
        other = spec.ChainId(OTHER)
        expect_error("WithdrawalNotProven", lambda: spec.finalize_withdrawal(self.hub, other, message.withdrawal))

    # --- the laws -------------------------------------------------------------------------------------------------

    @invariant()
    def hub_keeps_the_facts_of_reachable_hubs(self) -> None:
        """The check that vectors start from reachable hubs (tests/reachable_hub.py) holds for every hub the
        operations reach: else the check, not the vector, is wrong."""
        assert hub_invariant_violations(spec, self.hub) == []

    @invariant()
    def l2_supply_is_accounted_for(self) -> None:
        """(a) The derived supply is the allocation plus the mints of included deposits, less the value the passer
        recorded and the base fees burnt; it is held by the accounts the machine knows of; the passer holds
        nothing; its storage has every logged message; and the chain only ever grows at its end."""
        state, blocks = self.derived()
        minted = sum(int(item.deposit.mint) for derived in blocks for item in derived.block.deposits)
        messages = recorded_messages(blocks)
        withdrawn = sum(int(message.withdrawal.value) for message in messages)
        burnt = sum(burnt_base_fees(derived) for derived in blocks)
        assert state.coinbase_supply == ALLOCATION + minted - withdrawn - burnt
        balances = {address: evm.get_balance(state.world, address) for address in KNOWN_ACCOUNTS}
        assert balances[PASSER] == 0, "the value sent to L1 left the chain"
        assert sum(balances.values()) == state.coinbase_supply, "MT created or lost outside the known accounts"
        assert all(bytes(derived.block.producer) == TREASURY for derived in blocks)
        assert evm.get_storage(state.world, PASSER, 0) == len(messages)
        assert all(
            evm.get_storage(state.world, PASSER, int.from_bytes(message.hash, "big")) == 1 for message in messages
        )
        assert blocks[: len(self.seen)] == self.seen, "a derived block changed"
        self.seen = blocks

    @invariant()
    def l1_pays_out_at_most_what_was_locked(self) -> None:
        """(b) L1's record of acme's locked MT is the allocation plus the enqueued mints less what it paid; it never
        paid more than was locked, only for messages the chain recorded, each for its value; and what stays locked
        covers the L2 supply and every message not yet paid."""
        dac = acme(self.hub)
        enqueued = sum(int(item.deposit.mint) for item in dac.deposits)
        paid = sum(self.paid.values())
        assert paid <= ALLOCATION + enqueued
        assert dac.coinbase_supply == ALLOCATION + enqueued - paid
        assert {bytes(paid_hash) for paid_hash in dac.finalized_withdrawals} == set(self.paid)
        state, blocks = self.derived()
        values = {message.hash: int(message.withdrawal.value) for message in recorded_messages(blocks)}
        assert all(values.get(paid_hash) == amount for paid_hash, amount in self.paid.items())
        unpaid = sum(value for message_hash, value in values.items() if message_hash not in self.paid)
        assert dac.coinbase_supply >= state.coinbase_supply + unpaid
        other = spec.get_dac(self.hub, spec.ChainId(OTHER))
        assert other.coinbase_supply == FUNDS and other.finalized_withdrawals == ()


SupplyMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=30)
TestSupplyEndToEnd = SupplyMachine.TestCase


# --- Histories of L1 data, for laws 2 to 4 --------------------------------------------------------------------------


@dataclass(frozen=True)
class Advance:
    blocks: int
    seconds: int


@dataclass(frozen=True)
class MakeDeposit:
    sender: int  # into L1_SENDERS
    to: bytes
    mint: int
    value: int
    gas_limit: int
    data: bytes


@dataclass(frozen=True)
class Recipe:
    """A batched transaction before signing: its kind, signer, target, value, gas and bytes (for junk)."""

    kind: str
    signer: int
    to: bytes
    value: int
    gas: int
    raw: bytes


@dataclass(frozen=True)
class PlannedBlock:
    origin_step: int  # from the previous block's origin (1 only while that is in the past); 9: the current L1 block
    time_kind: str
    time: int
    transactions: tuple[Recipe, ...]


@dataclass(frozen=True)
class PostBatch:
    blocks: tuple[PlannedBlock, ...]


RECIPE_KINDS = (
    "valid",
    "valid",
    "exit",
    "burn",
    "junk",
    "truncated",
    "duplicate",
    "wrong_nonce",
    "other_chain",
    "insufficient_funds",
)
recipes = st.builds(
    Recipe,
    kind=st.sampled_from(RECIPE_KINDS),
    signer=st.integers(0, 1),
    to=st.sampled_from([RECIPIENT, SINK, BURNER, PASSER]),
    value=st.one_of(st.just(0), st.integers(0, 10**15)),
    gas=st.one_of(st.integers(21_000, 100_000), st.integers(GAS_TARGET - 10**6, GAS_TARGET + 10**6)),
    raw=st.binary(max_size=40),
)
planned_blocks = st.builds(
    PlannedBlock,
    origin_step=st.sampled_from([0, 1, 0, 1, 0, 1, 0, 1, -1, 2, 9]),  # the last three the hub refuses
    time_kind=st.sampled_from(["zero", "max", "near_origin", "any"]),
    time=st.integers(0, UINT64_MAX),
    transactions=st.lists(recipes, max_size=3).map(tuple),
)
advances = st.builds(Advance, blocks=st.integers(1, 6), seconds=st.one_of(st.just(12), st.integers(1, 100)))
batches = st.builds(PostBatch, blocks=st.lists(planned_blocks, min_size=1, max_size=3).map(tuple))
operations = st.one_of(
    advances,
    advances,
    batches,
    st.builds(
        MakeDeposit,
        sender=st.integers(0, len(L1_SENDERS) - 1),
        to=st.sampled_from([RECIPIENT, SINK, BURNER, PASSER]),
        mint=st.one_of(st.just(0), st.integers(int(spec.MIN_DEPOSIT_MINT), MT)),
        value=st.one_of(st.just(0), st.integers(0, 2 * MT)),
        gas_limit=st.one_of(
            st.sampled_from([30_000, DEPOSIT_GAS_BUDGET // 2, DEPOSIT_GAS_BUDGET]),
            st.integers(30_000, DEPOSIT_GAS_BUDGET),
        ),
        data=st.binary(max_size=40),
    ),
    batches,
)
histories = st.lists(operations, min_size=1, max_size=12)


@dataclass
class Played:
    """A history applied to a fresh hub: the hub after each operation, the L1 times by number, the proposed time
    of every sequenced block by number, and how many batches the hub refused (each with the predicted error)."""

    hubs: list[Any] = field(default_factory=list)
    l1_times: dict[int, int] = field(default_factory=dict)
    proposed: dict[int, int] = field(default_factory=dict)
    refused: int = 0

    @property
    def hub(self) -> Any:
        return self.hubs[-1]


def play(history: Sequence[Any]) -> Played:
    """Apply ``history`` to a hub in which acme (three funded members, the contracts) is created at L1 block
    ``HUB_START``. The model tracks the newest sequenced block and predicts the head the hub numbers a batch from
    (forced blocks: one per origin past ``SEQUENCING_WINDOW``) and which batches it refuses."""
    hub = new_hub(spec, alloc=GENESIS_ALLOC)
    played = Played(hubs=[hub], l1_times={HUB_START: l1_time(HUB_START)})
    number, time = HUB_START, l1_time(HUB_START)
    last_number, last_origin = 0, HUB_START
    nonces = [0, 0]
    previous_raw = b""
    for operation in history:
        if isinstance(operation, Advance):
            for _ in range(operation.blocks):
                number, time = number + 1, time + operation.seconds
                hub = spec.advance_l1_block(hub, l1_block_at(number, time))
                played.l1_times[number] = time
        elif isinstance(operation, MakeDeposit):
            l1_sender, from_contract, _ = L1_SENDERS[operation.sender]
            is_exit = operation.to == PASSER
            calldata = (
                message_calldata(operation.data[:20].rjust(20, b"\x00"), operation.data[20:])
                if is_exit
                else operation.data
            )
            try:
                hub = spec.deposit_into_dac(
                    hub,
                    spec.ChainId(ACME),
                    spec.Address(l1_sender),
                    from_contract,
                    spec.Address(operation.to),
                    spec.Wei(operation.mint),
                    spec.Wei(operation.value),
                    spec.uint64(operation.gas_limit),
                    calldata,
                )
            except spec.DepositQueueFull:  # refused, nothing changed: the queue holds as many as it may
                assert len(acme(hub).pending_deposits) == spec.MAX_PENDING_DEPOSITS
        else:
            if number == HUB_START:  # no block can build on the current L1 block: the batch comes in the next one
                number, time = number + 1, time + 12
                hub = spec.advance_l1_block(hub, l1_block_at(number, time))
                played.l1_times[number] = time
            forced = max(0, number - SEQUENCING_WINDOW - last_origin)
            head_number, previous = last_number + forced, last_origin + forced
            planned: list[tuple[int, int, list[bytes]]] = []
            refusal: Optional[str] = None
            nonces_before, raw_before = list(nonces), previous_raw
            for block in operation.blocks:
                step = 0 if block.origin_step == 1 and previous + 1 >= number else block.origin_step
                origin = number if step == 9 else previous + step
                if refusal is None and origin >= number:
                    refusal = "L1OriginInFuture"
                elif refusal is None and not previous <= origin <= previous + 1:
                    refusal = "L1OriginNotContiguous"
                origin_time = played.l1_times.get(origin, time)
                proposed = {
                    "zero": 0,
                    "max": UINT64_MAX,
                    "near_origin": min(UINT64_MAX, origin_time + block.time % (3 * MAX_SEQUENCER_DRIFT)),
                    "any": block.time,
                }[block.time_kind]
                raws = []
                for recipe in block.transactions:
                    previous_raw = sign_recipe(recipe, nonces, previous_raw)
                    raws.append(previous_raw)
                planned.append((origin, proposed, raws))
                previous = origin
            calldata = batch_data(spec, planned)
            start = len(acme(hub).blocks)
            if refusal is not None:
                expect_error(
                    refusal,
                    lambda: spec.append_transaction_batch(
                        hub, spec.ChainId(ACME), calldata, start, spec.Address(SEQUENCER)
                    ),
                )
                played.refused += 1
                nonces, previous_raw = nonces_before, raw_before  # nothing of a refused batch reaches L2
            else:
                hub = spec.append_transaction_batch(
                    hub, spec.ChainId(ACME), calldata, start, spec.Address(SEQUENCER)
                )
                for offset, (_, proposed, _) in enumerate(planned):
                    played.proposed[head_number + 1 + offset] = proposed
                last_number, last_origin = head_number + len(planned), planned[-1][0]
        played.hubs.append(hub)
    return played


def sign_recipe(recipe: Recipe, nonces: list[int], previous_raw: bytes) -> bytes:
    """The bytes of a batched transaction. Nonces count the transactions meant to be valid, so a dropped one puts
    the signer's later ones out of step too."""
    signer, nonce = KEYS[recipe.signer], nonces[recipe.signer]
    if recipe.kind == "junk":
        return recipe.raw
    if recipe.kind == "duplicate":
        return previous_raw or recipe.raw
    if recipe.kind == "wrong_nonce":
        return sign(signer, nonce + 1 + len(recipe.raw), recipe.to, value=recipe.value)
    if recipe.kind == "other_chain":
        return sign(signer, nonce, recipe.to, value=recipe.value, chain_id=OTHER)
    if recipe.kind == "insufficient_funds":
        return sign(signer, nonce, recipe.to, value=2 * FUNDS)
    if recipe.kind == "truncated":
        raw = sign(signer, nonce, recipe.to, value=recipe.value)
        return raw[: len(raw) - 1 - len(recipe.raw) % len(raw)]
    nonces[recipe.signer] += 1
    if recipe.kind == "exit":
        return sign(
            signer, nonce, PASSER, value=recipe.value, data=message_calldata(recipe.to, recipe.raw), gas=150_000
        )
    if recipe.kind == "burn":
        return sign(signer, nonce, BURNER, gas=recipe.gas)
    return sign(signer, nonce, recipe.to, value=recipe.value, gas=max(recipe.gas % 100_000, 60_000))


def derive(hub: Any) -> tuple[Any, tuple[Any, ...]]:
    state, blocks = spec.derive_chain(hub, spec.ChainId(ACME))
    return state, tuple(blocks)


# --- Law 2: derivation is deterministic and total -----------------------------------------------------------------


@settings(max_examples=120)
@given(history=histories, data=st.data())
def test_derivation_is_deterministic_and_total(history: list[Any], data: st.DataObject) -> None:
    """Derivation is deterministic and total: whatever batches the hub accepted (origins the model predicts it
    accepts; times 0, 2**64 - 1 or anything; transactions valid, junk, truncated, duplicated, for another chain,
    unaffordable, out of nonce order) and whatever deposits, ``derive_chain`` never raises, derives the same chain
    twice, derives at any earlier L1 block a prefix of the chain it derives now, and every derived block replays
    with the strict ``apply_block`` from the recorded genesis to the same receipts, output root and final state.
    And any one block's inputs, looked up directly (`get_block_inputs`), are those derivation walks to."""
    played = play(history)
    state, blocks = derive(played.hub)
    again_state, again_blocks = derive(played.hub)
    assert (again_state, again_blocks) == (state, blocks)
    states = replay(played.hub, blocks)
    assert states[-1] == state
    earlier = played.hubs[data.draw(st.integers(0, len(played.hubs) - 1))]
    _, earlier_blocks = derive(earlier)
    assert blocks[: len(earlier_blocks)] == earlier_blocks, "a block derived earlier changed"
    # the challenge game looks up one block's inputs without walking the plan: the same inputs
    dac = acme(played.hub)
    walked = spec.get_chain_inputs(played.hub, dac)
    assert [spec.get_block_inputs(played.hub, dac, number) for number in range(1, len(walked) + 1)] == walked


# --- Law 3: forced inclusion ----------------------------------------------------------------------------------------


def check_deposit_inclusion(hub: Any, blocks: Sequence[Any], current: int) -> int:
    """Every deposit enqueued in an L1 block ``D`` with ``D + SEQUENCING_WINDOW <= current`` is included; each
    included deposit is included once, in nonce order, in the first block whose origin is ``D`` or later. Returns
    how many were included."""
    included = [(int(item.nonce), index) for index, derived in enumerate(blocks) for item in derived.block.deposits]
    assert [nonce for nonce, _ in included] == list(range(len(included))), "deposits out of order, lost or repeated"
    origins = [int(derived.l1_origin) for derived in blocks]
    for item in acme(hub).deposits:
        enqueued_in = int(item.l1_block_number)
        first_reaching = next((index for index, origin in enumerate(origins) if origin >= enqueued_in), None)
        if int(item.nonce) < len(included):
            assert included[int(item.nonce)][1] == first_reaching, "not in the first block whose origin reaches it"
        else:
            assert first_reaching is None, "a block reaching its L1 block left it out"
            assert (
                enqueued_in + SEQUENCING_WINDOW > current
            ), f"enqueued in {enqueued_in}, still out at L1 block {current}"
    return len(included)


@settings(max_examples=120)
@given(history=histories)
def test_deposits_are_forced_in_within_the_sequencing_window(history: list[Any]) -> None:
    """Forced inclusion: a deposit enqueued in L1 block ``D`` is in a derived block once the hub reaches L1 block
    ``D + SEQUENCING_WINDOW``, whatever the sequencer posted (nothing, blocks that stay on old origins, junk), and
    the block that includes it is the first whose L1 origin is ``D`` or later. Checked where the history leaves the
    hub, then again after L1 runs on with a silent sequencer until every deposit is enqueued and its window has
    passed."""
    played = play(history)
    hub, number = played.hub, max(played.l1_times)
    check_deposit_inclusion(hub, derive(hub)[1], number)
    time = played.l1_times[number]
    while acme(hub).pending_deposits or any(
        int(item.l1_block_number) + SEQUENCING_WINDOW > number for item in acme(hub).deposits
    ):
        number, time = number + 1, time + 12
        hub = spec.advance_l1_block(hub, l1_block_at(number, time))
    assert check_deposit_inclusion(hub, derive(hub)[1], number) == len(acme(hub).deposits)


# --- Law 4: header rules --------------------------------------------------------------------------------------------


def next_base_fee_by_hand(parent_base_fee: int, parent_gas_used: int) -> int:
    """EIP-1559: move by at most 1/8 (minimal) towards the target of 15,000,000 gas, up by at least 1 wei."""
    if parent_gas_used == GAS_TARGET:
        return parent_base_fee
    if parent_gas_used > GAS_TARGET:
        change = parent_base_fee * (parent_gas_used - GAS_TARGET) // GAS_TARGET // CHANGE_DENOMINATOR
        return min(UINT256_MAX, parent_base_fee + max(1, change))
    return parent_base_fee - parent_base_fee * (GAS_TARGET - parent_gas_used) // GAS_TARGET // CHANGE_DENOMINATOR


@settings(max_examples=150)
@given(history=histories)
def test_derived_headers_follow_the_rules(history: list[Any]) -> None:
    """Header rules: in every derived chain block numbers count up from 1; times strictly increase, are never before
    the origin's and at most ``max(parent + 1, origin + MAX_SEQUENCER_DRIFT)``, and are exactly the proposal
    clamped into ``[max(parent + 1, origin), max(lower, origin + MAX_SEQUENCER_DRIFT)]`` (a forced block's proposal
    is 0); a block is forced exactly when no batch holds it; origins advance by 0 or 1 from genesis's; the gas limit
    is the preset's; base fees follow EIP-1559 from the genesis base fee (and ``compute_next_base_fee``); RANDAO
    value and beacon root are the origin's."""
    played = play(history)
    _, blocks = derive(played.hub)
    parent_time, parent_origin = l1_time(HUB_START), HUB_START
    parent_base_fee, parent_gas_used = GENESIS_BASE_FEE, GAS_TARGET  # genesis keeps the genesis base fee
    for position, derived in enumerate(blocks):
        header, origin = derived.block, int(derived.l1_origin)
        number = position + 1
        assert header.number == number
        assert origin - parent_origin in (0, 1), f"block {number}: origin {origin} after {parent_origin}"
        origin_time = played.l1_times[origin]
        lower = max(parent_time + 1, origin_time)
        upper = max(lower, origin_time + MAX_SEQUENCER_DRIFT)
        assert derived.is_forced == (number not in played.proposed)
        proposed = 0 if derived.is_forced else played.proposed[number]
        assert parent_time < header.timestamp and origin_time <= header.timestamp
        assert header.timestamp <= max(parent_time + 1, origin_time + MAX_SEQUENCER_DRIFT)
        assert header.timestamp == min(max(proposed, lower), upper)
        assert header.gas_limit == BLOCK_GAS_LIMIT
        expected_fee = next_base_fee_by_hand(parent_base_fee, parent_gas_used)
        assert (
            header.base_fee_per_gas
            == expected_fee
            == spec.compute_next_base_fee(spec.Wei(parent_base_fee), spec.uint64(parent_gas_used))
        )
        assert bytes(header.prev_randao) == randao(origin)
        assert bytes(header.parent_beacon_block_root) == beacon_root(origin)
        receipts = derived.receipts
        parent_time, parent_origin = int(header.timestamp), origin
        parent_base_fee = int(header.base_fee_per_gas)
        parent_gas_used = int(receipts[-1].cumulative_gas_used) if receipts else 0
