"""Vector cases for the DAC registry on the L1 hub (spec/v1/hub.md): the genesis hub and creating DACs.

Chain ids are handed out in order of creation from 1000000000001088 (Metis Andromeda's id, the rangers' DAC); labels are DNS
labels, ASCII capitals folded to lower case, unique once folded; a DAC's charter and genesis allocation must be
valid, and the allocation's Dynamic Bond Threshold reachable by a stake. Creating a DAC records its genesis: the
current L1 block's number and time, the charter, the allocation as given and the base fee; the allocation's total
is locked as its supply. Every pre- and post-state is built in the test, record by record, with the chain id,
folded label, genesis block and time, and supply stated by hand.

The hubs: L1 blocks from 1000 (time T0, then 12 seconds apart), the rangers' DAC created in L1 block 1000, and,
in some cases, "acme" (1000000000001089) created in L1 block 1001. DACs are created in L1 block 1003 (time T0 + 36).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Iterator, Sequence

from eth_hash.auto import keccak

from mvm_spec.vectors import expect_spec_error, vector_case
from mvm_spec.vectors.case import Part
from mvm_spec.vectors.codec import (
    encode_charter,
    encode_genesis_alloc,
    encode_hub,
    encode_l1_block,
    encode_tax_schedule,
    encode_uint,
)

N0 = 1000  # the hub's first L1 block
T0 = 1_700_000_000  # its time (2023-11-14)
CURRENT = 1003  # the L1 block DACs are created in, at T0 + 36
MANAGER = bytes.fromhex("4200000000000000000000000000000000000042")
ACME_MANAGER = bytes.fromhex("acacacacacacacacacacacacacacacacacacacac")
ALICE = bytes.fromhex("a11ce00000000000000000000000000000000001")
BOB = bytes.fromhex("b0b0000000000000000000000000000000000002")
CHARTER_ADDRESS = bytes.fromhex("4200000000000000000000000000000000000100")  # l2-chain.md
MESSAGE_PASSER_ADDRESS = bytes.fromhex("4200000000000000000000000000000000000016")  # execution.md
ETHER = 10**18
GWEI = 10**9
INITIAL_BASE_FEE = 1 * GWEI  # the rangers' genesis base fee (EIP-1559's INITIAL_BASE_FEE)
BASE_FEE = 7 * GWEI  # the base fee the DACs of these cases ask for
UINT64_MAX = 2**64 - 1
UINT256_MAX = 2**256 - 1
MAX_CODE_SIZE = 24576  # EIP-170


# --- Values, by hand ----------------------------------------------------------------------------------------------


def l1_time(number: int) -> int:
    return T0 + 12 * (number - N0)


def l1_block(spec: ModuleType, number: int, timestamp: int | None = None) -> Any:
    return spec.L1Block(
        spec.L1BlockNumber(number),
        spec.Timestamp(l1_time(number) if timestamp is None else timestamp),
        spec.Hash32(keccak(f"randao-{number}".encode())),
        spec.Hash32(keccak(f"beacon-{number}".encode())),
    )


def rangers_charter(spec: ModuleType) -> Any:
    return spec.Charter("Run the rangers' DAC", "", (), (), spec.Address(MANAGER))


def dac_charter(spec: ModuleType) -> Any:
    """A tiny valid charter: one rule (anyone may submit transactions), one 1% bracket above 1 MT."""
    rule = spec.PermissionRule((), spec.PermissionOperation(0), spec.Action(0x100))
    bracket = spec.TaxBracket(spec.Wei(ETHER), spec.BasisPoints(100))
    return spec.Charter("acme", "", (rule,), (bracket,), spec.Address(ACME_MANAGER))


def charter_with(spec: ModuleType, vision: str = "", rules: Sequence[Any] = (), brackets: Sequence[Any] = ()) -> Any:
    return spec.Charter(vision, "", tuple(rules), tuple(brackets), spec.Address(ACME_MANAGER))


def account(
    spec: ModuleType, balance: int, nonce: int = 0, code: bytes = b"", storage: Sequence[tuple[int, int]] = ()
) -> Any:
    return spec.GenesisAccount(balance=balance, nonce=nonce, code=code, storage=tuple(storage))


Alloc = list[tuple[Any, Any]]


def two_accounts(spec: ModuleType) -> Alloc:
    """ALICE with 5 MT and BOB with 7 MT: a total of 12 MT."""
    return [(spec.Address(ALICE), account(spec, 5 * ETHER)), (spec.Address(BOB), account(spec, 7 * ETHER))]


def record(
    spec: ModuleType,
    chain_id: int,
    label: str,
    charter: Any,
    created_in: int,
    alloc: Sequence[tuple[Any, Any]] = (),
    base_fee: int = BASE_FEE,
    supply: int = 0,
) -> Any:
    """A DAC record created in L1 block `created_in` (at its time), with no deposits, blocks or batches yet."""
    genesis = spec.DacGenesis(
        spec.L1BlockNumber(created_in), spec.Timestamp(l1_time(created_in)), charter, tuple(alloc), spec.Wei(base_fee)
    )
    empty = spec.BatchChain(headers=())
    return spec.DacRecord(
        chain_id=spec.ChainId(chain_id),
        label=label,
        genesis=genesis,
        coinbase_supply=spec.Wei(supply),
        pending_deposits=(),
        tickets_issued=spec.uint64(0),
        deposits=(),
        blocks=(),
        transaction_batches=empty,
        state_batches=empty,
        proven_withdrawals=(),
        finalized_withdrawals=(),
        challenges=(),
        validations=(),
    )


def rangers(spec: ModuleType) -> Any:
    """The rangers' DAC: 1000000000001088, created in L1 block 1000 with no allocation and the initial base fee, 1 gwei."""
    return record(spec, 1000000000001088, "rangers", rangers_charter(spec), N0, base_fee=INITIAL_BASE_FEE)


def acme(spec: ModuleType) -> Any:
    """acme, 1000000000001089, created in L1 block 1001 with ALICE's and BOB's 12 MT."""
    return record(spec, 1000000000001089, "acme", dac_charter(spec), N0 + 1, two_accounts(spec), supply=12 * ETHER)


def hub_of(spec: ModuleType, *later: Any, current: int = CURRENT) -> Any:
    """L1 blocks 1000 to `current`; the rangers' DAC, then the records `later`; MetisDAO has set the default tax
    schedule to `dac_charter`'s (one 1% bracket above 1 MT)."""
    blocks = tuple(l1_block(spec, number) for number in range(N0, current + 1))
    return spec.Hub(
        l1_blocks=blocks,
        dacs=(rangers(spec), *later),
        sequencers=(),
        compute_providers=(),
        sequencing_snapshots=(),
        rangers=(),
        ranger_reward_pool=spec.Wei(0),
        default_taxrates=dac_charter(spec).taxrates,
    )


def created(spec: ModuleType, chain_id: int, label: str, alloc: Sequence[tuple[Any, Any]] = (), supply: int = 0) -> Any:
    """The record of a DAC created by the cases below: in L1 block 1003, under `dac_charter`, at 7 gwei."""
    return record(spec, chain_id, label, dac_charter(spec), CURRENT, alloc, BASE_FEE, supply)


def preset_value(spec: ModuleType, name: str, values: dict[str, int]) -> int:
    """A preset value, checked against the table of both presets."""
    value = int(getattr(spec, name))
    assert value == values[spec.PRESET], f"{name} is {value} on {spec.PRESET}"
    return value


# --- registry/genesis --------------------------------------------------------------------------------------------


def expect_genesis(spec: ModuleType, charter: Any, block: Any, expected: Any = None, error: str = "") -> Iterator[Part]:
    yield "input", {"rangers_charter": encode_charter(charter), "l1_block": encode_l1_block(block)}
    if error:
        yield from expect_spec_error(spec, error, lambda: spec.get_genesis_hub(charter, block))
        return
    hub = spec.get_genesis_hub(charter, block)
    assert hub == expected, "the genesis hub differs from the one built by hand"
    yield "post", {"hub": encode_hub(hub)}


@vector_case("registry", "genesis")
def test_genesis_hub(spec: ModuleType) -> Iterator[Part]:
    """The genesis hub in L1 block 1000: that one L1 block, no sequencers or compute providers, and one DAC: chain
    id 1000000000001088, label "rangers", its genesis in L1 block 1000 at T0 under the given charter, no allocation, base fee
    1 gwei (INITIAL_BASE_FEE), supply 0, nothing else."""
    block = l1_block(spec, N0)
    expected = spec.Hub(l1_blocks=(block,), dacs=(rangers(spec),), sequencers=(), compute_providers=(), sequencing_snapshots=(), rangers=(), ranger_reward_pool=spec.Wei(0), default_taxrates=())
    yield from expect_genesis(spec, rangers_charter(spec), block, expected)


@vector_case("registry", "genesis")
def test_genesis_at_first_l1_block(spec: ModuleType) -> Iterator[Part]:
    """A hub started at L1 block 0, time 0, with zero RANDAO value and beacon root: recorded as given, and the
    rangers' genesis is block 0 at time 0."""
    block = spec.L1Block(spec.L1BlockNumber(0), spec.Timestamp(0), spec.Hash32(), spec.Hash32())
    genesis = spec.DacGenesis(spec.L1BlockNumber(0), spec.Timestamp(0), rangers_charter(spec), (), spec.Wei(GWEI))
    expected_rangers = spec.DacRecord(
        chain_id=spec.ChainId(1000000000001088),
        label="rangers",
        genesis=genesis,
        coinbase_supply=spec.Wei(0),
        pending_deposits=(),
        tickets_issued=spec.uint64(0),
        deposits=(),
        blocks=(),
        transaction_batches=spec.BatchChain(()),
        state_batches=spec.BatchChain(()),
        proven_withdrawals=(),
        finalized_withdrawals=(),
        challenges=(),
        validations=(),
    )
    expected = spec.Hub(l1_blocks=(block,), dacs=(expected_rangers,), sequencers=(), compute_providers=(), sequencing_snapshots=(), rangers=(), ranger_reward_pool=spec.Wei(0), default_taxrates=())
    yield from expect_genesis(spec, rangers_charter(spec), block, expected)


@vector_case("registry", "genesis")
def test_genesis_with_unknown_action(spec: ModuleType) -> Iterator[Part]:
    """The rangers' charter is checked like any other: action 0x104, one past IPFS_WRITE, is rejected."""
    rule = spec.PermissionRule((), spec.PermissionOperation(0), spec.Action(0x104))
    charter = charter_with(spec, rules=[rule])
    yield from expect_genesis(spec, charter, l1_block(spec, N0), error="UnknownPermissionAction")


@vector_case("registry", "genesis")
def test_genesis_with_unordered_tax_thresholds(spec: ModuleType) -> Iterator[Part]:
    """A rangers' charter whose tax thresholds are out of order (500 then 100)."""
    brackets = [
        spec.TaxBracket(spec.Wei(500), spec.BasisPoints(10)),
        spec.TaxBracket(spec.Wei(100), spec.BasisPoints(20)),
    ]
    charter = charter_with(spec, brackets=brackets)
    yield from expect_genesis(spec, charter, l1_block(spec, N0), error="TaxThresholdsNotIncreasing")


@vector_case("registry", "genesis")
def test_genesis_with_lone_surrogate(spec: ModuleType) -> Iterator[Part]:
    """A rangers' vision holding U+D800 alone (valid JSON, no UTF-8 encoding)."""
    charter = charter_with(spec, vision="a\ud800b")
    yield from expect_genesis(spec, charter, l1_block(spec, N0), error="CharterTextNotUnicode")


# --- registry/create_dac -----------------------------------------------------------------------------------------


def expect_create(
    spec: ModuleType,
    pre: Any,
    label: str,
    expected: Any = None,
    error: str = "",
    charter: Any = None,
    alloc: Sequence[tuple[Any, Any]] = (),
    base_fee: int = BASE_FEE,
) -> Iterator[Part]:
    """Create `label` on `pre`; check the post-state equals `expected`, or that `error` is raised."""
    charter = dac_charter(spec) if charter is None else charter
    yield "pre", {"hub": encode_hub(pre)}
    yield "input", {
        "label": label,
        "charter": encode_charter(charter),
        "alloc": encode_genesis_alloc(alloc),
        "base_fee_per_gas": encode_uint(base_fee),
    }

    def call() -> Any:
        return spec.create_dac(pre, label, charter, list(alloc), spec.Wei(base_fee))

    if error:
        yield from expect_spec_error(spec, error, call)
        return
    post = call()
    assert post == expected, "post-state differs from the one built by hand"
    yield "post", {"hub": encode_hub(post)}


def expect_label(spec: ModuleType, label: str, folded: str) -> Iterator[Part]:
    """`label` is registered as `folded`, chain id 1000000000001089, on the genesis hub in L1 block 1003."""
    yield from expect_create(spec, hub_of(spec), label, hub_of(spec, created(spec, 1000000000001089, folded)))


def expect_refused(spec: ModuleType, pre: Any, label: str, error: str, **given: Any) -> Iterator[Part]:
    yield from expect_create(spec, pre, label, error=error, **given)


@vector_case("registry", "create_dac")
def test_first_dac_gets_the_id_after_the_rangers(spec: ModuleType) -> Iterator[Part]:
    """The first DAC after the rangers' gets chain id 1000000000001089. Its genesis is recorded in the current L1 block, 1003,
    at its time T0 + 36 (not the hub's first block), with the charter, ALICE's 5 MT and BOB's 7 MT as given, and
    base fee 7 gwei; the 12 MT of the allocation are locked as its supply."""
    alloc = two_accounts(spec)
    expected = hub_of(spec, record(spec, 1000000000001089, "acme", dac_charter(spec), 1003, alloc, 7 * GWEI, 12 * ETHER))
    yield from expect_create(spec, hub_of(spec), "acme", expected, alloc=alloc)


@vector_case("registry", "create_dac")
def test_second_dac_gets_the_next_id(spec: ModuleType) -> Iterator[Part]:
    """The next DAC gets 1000000000001090; the rangers' and acme's records (acme created in L1 block 1001) are unchanged."""
    expected = hub_of(spec, acme(spec), created(spec, 1000000000001090, "beta"))
    yield from expect_create(spec, hub_of(spec, acme(spec)), "beta", expected)


@vector_case("registry", "create_dac")
def test_dac_created_in_hub_first_block(spec: ModuleType) -> Iterator[Part]:
    """On a hub still in its first L1 block (1000), a new DAC's genesis is L1 block 1000 at T0, as the rangers'."""
    expected = hub_of(spec, record(spec, 1000000000001089, "acme", dac_charter(spec), N0), current=N0)
    yield from expect_create(spec, hub_of(spec, current=N0), "acme", expected)


@vector_case("registry", "create_dac")
def test_empty_allocation(spec: ModuleType) -> Iterator[Part]:
    """No allocation: supply 0 (the chain's native token exists only once deposited), base fee 0 recorded as given."""
    expected = hub_of(spec, record(spec, 1000000000001089, "acme", dac_charter(spec), CURRENT, (), 0, 0))
    yield from expect_create(spec, hub_of(spec), "acme", expected, base_fee=0)


@vector_case("registry", "create_dac")
def test_allocation_recorded_as_given(spec: ModuleType) -> Iterator[Part]:
    """An allocation in descending address order, with code, a nonce of 2^64 - 1, storage including a zero value,
    and an empty account: recorded exactly as given, in the given order. Supply: 3 MT + 0 + 1 wei."""
    contract = account(spec, 3 * ETHER, UINT64_MAX, bytes.fromhex("600160005500"), [(1, 2), (UINT256_MAX, 0)])
    alloc = [
        (spec.Address(BOB), contract),
        (spec.Address(ALICE), account(spec, 0)),
        (spec.Address(b"\x01" * 20), account(spec, 1)),
    ]
    expected = hub_of(spec, created(spec, 1000000000001089, "acme", alloc, 3 * ETHER + 1))
    yield from expect_create(spec, hub_of(spec), "acme", expected, alloc=alloc)


@vector_case("registry", "create_dac")
def test_code_of_largest_size(spec: ModuleType) -> Iterator[Part]:
    """Code of exactly MAX_CODE_SIZE (24,576) bytes is accepted."""
    alloc = [(spec.Address(ALICE), account(spec, ETHER, 1, b"\x5b" * MAX_CODE_SIZE))]
    expected = hub_of(spec, created(spec, 1000000000001089, "acme", alloc, ETHER))
    yield from expect_create(spec, hub_of(spec), "acme", expected, alloc=alloc)


def bond_capacity(spec: ModuleType) -> int:
    """The largest allocation whose DBT (10%, rounded up) is at most MAX_SEQUENCER_LOCK: 10 times the lock."""
    lock = preset_value(spec, "MAX_SEQUENCER_LOCK", {"minimal": 100 * ETHER, "mainnet": 100_000 * ETHER})
    return 10 * lock


@vector_case("registry", "create_dac")
def test_allocation_at_bond_capacity(spec: ModuleType) -> Iterator[Part]:
    """10 x MAX_SEQUENCER_LOCK (1,000 MT on minimal, 1,000,000 MT on mainnet) split over two accounts: its DBT is
    exactly the most a sequencer may lock, so the DAC is created with that supply."""
    capacity = bond_capacity(spec)
    alloc = [(spec.Address(ALICE), account(spec, capacity - 1)), (spec.Address(BOB), account(spec, 1))]
    expected = hub_of(spec, created(spec, 1000000000001089, "acme", alloc, capacity))
    yield from expect_create(spec, hub_of(spec), "acme", expected, alloc=alloc)


@vector_case("registry", "create_dac")
def test_allocation_over_bond_capacity(spec: ModuleType) -> Iterator[Part]:
    """One wei more: the DBT, 10% rounded up, is one wei above MAX_SEQUENCER_LOCK; no sequencer could ever be
    eligible, so the allocation is refused as such a deposit is."""
    alloc = [(spec.Address(ALICE), account(spec, bond_capacity(spec))), (spec.Address(BOB), account(spec, 1))]
    yield from expect_refused(spec, hub_of(spec), "acme", "DepositExceedsBondCapacity", alloc=alloc)


@vector_case("registry", "create_dac")
def test_largest_balance_over_bond_capacity(spec: ModuleType) -> Iterator[Part]:
    """A balance of 2^256 - 1 is in range (not InvalidGenesis), but far over the bond capacity."""
    alloc = [(spec.Address(ALICE), account(spec, UINT256_MAX))]
    yield from expect_refused(spec, hub_of(spec), "acme", "DepositExceedsBondCapacity", alloc=alloc)


def expect_invalid_genesis(spec: ModuleType, alloc: Alloc) -> Iterator[Part]:
    yield from expect_refused(spec, hub_of(spec), "acme", "InvalidGenesis", alloc=alloc)


@vector_case("registry", "create_dac")
def test_address_allocated_twice(spec: ModuleType) -> Iterator[Part]:
    """ALICE twice (1 wei, then 2 wei)."""
    yield from expect_invalid_genesis(
        spec,
        [
            (spec.Address(ALICE), account(spec, 1)),
            (spec.Address(BOB), account(spec, 0)),
            (spec.Address(ALICE), account(spec, 2)),
        ],
    )


@vector_case("registry", "create_dac")
def test_charter_address_allocated(spec: ModuleType) -> Iterator[Part]:
    """CHARTER_ADDRESS (0x42...0100) is a system address: code there would run on every charter update."""
    yield from expect_invalid_genesis(spec, [(spec.Address(CHARTER_ADDRESS), account(spec, 0))])


@vector_case("registry", "create_dac")
def test_message_passer_address_allocated(spec: ModuleType) -> Iterator[Part]:
    """MESSAGE_PASSER_ADDRESS (0x42...0016) is a system address: its code is the spec's."""
    yield from expect_invalid_genesis(spec, [(spec.Address(MESSAGE_PASSER_ADDRESS), account(spec, ETHER))])


@vector_case("registry", "create_dac")
def test_nonce_above_64_bits(spec: ModuleType) -> Iterator[Part]:
    """A nonce of 2^64."""
    yield from expect_invalid_genesis(spec, [(spec.Address(ALICE), account(spec, 0, 2**64))])


@vector_case("registry", "create_dac")
def test_balance_above_256_bits(spec: ModuleType) -> Iterator[Part]:
    """A balance of 2^256."""
    yield from expect_invalid_genesis(spec, [(spec.Address(ALICE), account(spec, 2**256))])


@vector_case("registry", "create_dac")
def test_storage_slot_above_256_bits(spec: ModuleType) -> Iterator[Part]:
    """A storage slot 2^256 (its value 1)."""
    yield from expect_invalid_genesis(spec, [(spec.Address(ALICE), account(spec, 0, 1, b"\x00", [(2**256, 1)]))])


@vector_case("registry", "create_dac")
def test_storage_value_above_256_bits(spec: ModuleType) -> Iterator[Part]:
    """Storage slot 0 holding 2^256."""
    yield from expect_invalid_genesis(spec, [(spec.Address(ALICE), account(spec, 0, 1, b"\x00", [(0, 2**256)]))])


@vector_case("registry", "create_dac")
def test_code_one_byte_too_long(spec: ModuleType) -> Iterator[Part]:
    """Code of MAX_CODE_SIZE + 1 (24,577) bytes."""
    yield from expect_invalid_genesis(spec, [(spec.Address(ALICE), account(spec, 0, 1, b"\x5b" * (MAX_CODE_SIZE + 1)))])


@vector_case("registry", "create_dac")
def test_balances_add_up_past_256_bits(spec: ModuleType) -> Iterator[Part]:
    """Two balances of 2^255, each in range, add up to 2^256: refused as a genesis, not for the bond capacity."""
    yield from expect_invalid_genesis(
        spec, [(spec.Address(ALICE), account(spec, 2**255)), (spec.Address(BOB), account(spec, 2**255))]
    )


@vector_case("registry", "create_dac")
def test_invalid_genesis_checked_before_bond_capacity(spec: ModuleType) -> Iterator[Part]:
    """ALICE twice with 2^255 - 1 wei each: an address allocated twice, and a total over the bond capacity. The
    genesis is reported."""
    balance = 2**255 - 1
    yield from expect_invalid_genesis(
        spec, [(spec.Address(ALICE), account(spec, balance)), (spec.Address(ALICE), account(spec, balance))]
    )


@vector_case("registry", "create_dac")
def test_label_is_folded(spec: ModuleType) -> Iterator[Part]:
    """ "Acme-1" is registered as "acme-1" (DNS is case-insensitive)."""
    yield from expect_label(spec, "Acme-1", "acme-1")


@vector_case("registry", "create_dac")
def test_folded_label_taken(spec: ModuleType) -> Iterator[Part]:
    """ "ACME" after "acme": the same label once folded."""
    yield from expect_refused(spec, hub_of(spec, acme(spec)), "ACME", "DacLabelTaken")


@vector_case("registry", "create_dac")
def test_exact_label_taken(spec: ModuleType) -> Iterator[Part]:
    """ "acme" after "acme"."""
    yield from expect_refused(spec, hub_of(spec, acme(spec)), "acme", "DacLabelTaken")


@vector_case("registry", "create_dac")
def test_rangers_label_taken(spec: ModuleType) -> Iterator[Part]:
    """ "rangers" belongs to the rangers' DAC from genesis."""
    yield from expect_refused(spec, hub_of(spec), "rangers", "DacLabelTaken")


@vector_case("registry", "create_dac")
def test_rangers_label_taken_in_capitals(spec: ModuleType) -> Iterator[Part]:
    """ "RANGERS" folds to "rangers"."""
    yield from expect_refused(spec, hub_of(spec, acme(spec)), "RANGERS", "DacLabelTaken")


@vector_case("registry", "create_dac")
def test_label_of_63_characters(spec: ModuleType) -> Iterator[Part]:
    """63 characters, the longest DNS label, is accepted."""
    label = "a" + "0123456789" * 6 + "bc"
    assert len(label) == 63
    yield from expect_label(spec, label, label)


@vector_case("registry", "create_dac")
def test_label_of_64_characters(spec: ModuleType) -> Iterator[Part]:
    """64 characters is one too many."""
    label = "a" + "0123456789" * 6 + "bcd"
    assert len(label) == 64
    yield from expect_refused(spec, hub_of(spec), label, "InvalidDacLabel")


@vector_case("registry", "create_dac")
def test_one_character_label(spec: ModuleType) -> Iterator[Part]:
    """A single character is a label."""
    yield from expect_label(spec, "x", "x")


@vector_case("registry", "create_dac")
def test_label_starting_with_digit(spec: ModuleType) -> Iterator[Part]:
    """A label may start with a digit (RFC 1123; only hyphens are barred at the ends)."""
    yield from expect_label(spec, "9lives", "9lives")


@vector_case("registry", "create_dac")
def test_label_with_inner_double_hyphen(spec: ModuleType) -> Iterator[Part]:
    """Hyphens inside a label, even two in a row, are allowed away from places 3-4."""
    yield from expect_label(spec, "a--b", "a--b")


@vector_case("registry", "create_dac")
def test_punycode_prefix_reserved(spec: ModuleType) -> Iterator[Part]:
    """ "xn--bcher-kva" (which browsers show as a Unicode name) has '--' in places 3-4, reserved by RFC 5891."""
    yield from expect_refused(spec, hub_of(spec), "xn--bcher-kva", "InvalidDacLabel")


@vector_case("registry", "create_dac")
def test_reserved_hyphens_after_folding(spec: ModuleType) -> Iterator[Part]:
    """ "XN--ABC": the reserved places are checked on the folded label too."""
    yield from expect_refused(spec, hub_of(spec), "XN--ABC", "InvalidDacLabel")


@vector_case("registry", "create_dac")
def test_double_hyphen_at_places_4_and_5_allowed(spec: ModuleType) -> Iterator[Part]:
    """'--' one place later than the reserved places is an ordinary label."""
    yield from expect_label(spec, "abc--d", "abc--d")


@vector_case("registry", "create_dac")
def test_label_starting_with_hyphen(spec: ModuleType) -> Iterator[Part]:
    """ "-abc" starts with a hyphen."""
    yield from expect_refused(spec, hub_of(spec), "-abc", "InvalidDacLabel")


@vector_case("registry", "create_dac")
def test_label_ending_with_hyphen(spec: ModuleType) -> Iterator[Part]:
    """ "abc-" ends with a hyphen."""
    yield from expect_refused(spec, hub_of(spec), "abc-", "InvalidDacLabel")


@vector_case("registry", "create_dac")
def test_empty_label(spec: ModuleType) -> Iterator[Part]:
    """The empty label."""
    yield from expect_refused(spec, hub_of(spec), "", "InvalidDacLabel")


@vector_case("registry", "create_dac")
def test_label_with_underscore(spec: ModuleType) -> Iterator[Part]:
    """ "a_b": an underscore is not a DNS label character."""
    yield from expect_refused(spec, hub_of(spec), "a_b", "InvalidDacLabel")


@vector_case("registry", "create_dac")
def test_label_with_dot(spec: ModuleType) -> Iterator[Part]:
    """ "a.b" is two labels, not one."""
    yield from expect_refused(spec, hub_of(spec), "a.b", "InvalidDacLabel")


@vector_case("registry", "create_dac")
def test_non_ascii_label(spec: ModuleType) -> Iterator[Part]:
    """ "ü" is refused rather than folded."""
    yield from expect_refused(spec, hub_of(spec), "ü", "InvalidDacLabel")


@vector_case("registry", "create_dac")
def test_kelvin_sign_is_not_folded(spec: ModuleType) -> Iterator[Part]:
    """ "\u212aelvin" starts with KELVIN SIGN (U+212A), which Unicode lower-cases to an ASCII "k": still refused."""
    label = "\u212aelvin"
    assert label.lower() == "kelvin"  # what a client folding by Unicode rules would wrongly accept
    yield from expect_refused(spec, hub_of(spec), label, "InvalidDacLabel")


@vector_case("registry", "create_dac")
def test_label_form_checked_before_charter(spec: ModuleType) -> Iterator[Part]:
    """A malformed label and an invalid charter (action 0x104): the label is reported."""
    charter = charter_with(spec, rules=[spec.PermissionRule((), spec.PermissionOperation(0), spec.Action(0x104))])
    yield from expect_refused(spec, hub_of(spec), "-acme", "InvalidDacLabel", charter=charter)


@vector_case("registry", "create_dac")
def test_label_uniqueness_checked_before_charter(spec: ModuleType) -> Iterator[Part]:
    """A taken label and an invalid charter (a rate of 10,001 bps): the label is reported."""
    charter = charter_with(spec, brackets=[spec.TaxBracket(spec.Wei(0), spec.BasisPoints(10001))])
    yield from expect_refused(spec, hub_of(spec, acme(spec)), "ACME", "DacLabelTaken", charter=charter)


@vector_case("registry", "create_dac")
def test_charter_checked_before_allocation(spec: ModuleType) -> Iterator[Part]:
    """An invalid charter (a rate of 10,001 bps) and an allocation to the charter's system address: the charter
    is reported."""
    charter = charter_with(spec, brackets=[spec.TaxBracket(spec.Wei(0), spec.BasisPoints(10001))])
    alloc = [(spec.Address(CHARTER_ADDRESS), account(spec, 0))]
    yield from expect_refused(spec, hub_of(spec), "acme", "TaxRateAboveMaximum", charter=charter, alloc=alloc)


# The charter's own rules, once each (the charter runner covers them in depth).


@vector_case("registry", "create_dac")
def test_vision_too_long(spec: ModuleType) -> Iterator[Part]:
    """A vision of 2,049 characters that take 4,097 bytes of UTF-8 (2,048 'é' of two bytes, then 'a'): one byte
    over MAX_CHARTER_TEXT_BYTES, which counts bytes, not characters."""
    vision = "é" * 2048 + "a"
    assert len(vision.encode("utf-8")) == 4097
    yield from expect_refused(
        spec, hub_of(spec), "acme", "CharterTextTooLong", charter=charter_with(spec, vision=vision)
    )


@vector_case("registry", "create_dac")
def test_too_many_permission_rules(spec: ModuleType) -> Iterator[Part]:
    """MAX_PERMISSION_RULES + 1 rules (9 on minimal, 257 on mainnet)."""
    count = preset_value(spec, "MAX_PERMISSION_RULES", {"minimal": 8, "mainnet": 256}) + 1
    rules = [spec.PermissionRule((), spec.PermissionOperation(0), spec.Action(0x100))] * count
    yield from expect_refused(
        spec, hub_of(spec), "acme", "TooManyPermissionRules", charter=charter_with(spec, rules=rules)
    )


@vector_case("registry", "create_dac")
def test_unknown_permission_operation(spec: ModuleType) -> Iterator[Part]:
    """Operation 2: only ALLOW (0) and DENY (1) exist."""
    rules = [spec.PermissionRule((), spec.PermissionOperation(2), spec.Action(0x100))]
    yield from expect_refused(
        spec, hub_of(spec), "acme", "UnknownPermissionOperation", charter=charter_with(spec, rules=rules)
    )


@vector_case("registry", "create_dac")
def test_too_many_rule_addresses(spec: ModuleType) -> Iterator[Part]:
    """A rule listing MAX_ADDRESSES_PER_RULE + 1 addresses (5 on minimal, 1,025 on mainnet)."""
    count = preset_value(spec, "MAX_ADDRESSES_PER_RULE", {"minimal": 4, "mainnet": 1024}) + 1
    addresses = tuple(spec.Address(index.to_bytes(20, "big")) for index in range(1, count + 1))
    rules = [spec.PermissionRule(addresses, spec.PermissionOperation(1), spec.Action(0xF0))]
    yield from expect_refused(
        spec, hub_of(spec), "acme", "TooManyRuleAddresses", charter=charter_with(spec, rules=rules)
    )


@vector_case("registry", "create_dac")
def test_too_many_tax_brackets(spec: ModuleType) -> Iterator[Part]:
    """MAX_TAX_BRACKETS + 1 brackets (5 on minimal, 17 on mainnet), thresholds 0, 1, 2, ..."""
    count = preset_value(spec, "MAX_TAX_BRACKETS", {"minimal": 4, "mainnet": 16}) + 1
    brackets = [spec.TaxBracket(spec.Wei(threshold), spec.BasisPoints(10)) for threshold in range(count)]
    yield from expect_refused(
        spec, hub_of(spec), "acme", "TooManyTaxBrackets", charter=charter_with(spec, brackets=brackets)
    )


@vector_case("registry", "create_dac")
def test_tax_rate_above_maximum(spec: ModuleType) -> Iterator[Part]:
    """A rate of 10,001 bps, above 100%."""
    brackets = [spec.TaxBracket(spec.Wei(0), spec.BasisPoints(10001))]
    yield from expect_refused(
        spec, hub_of(spec), "acme", "TaxRateAboveMaximum", charter=charter_with(spec, brackets=brackets)
    )


# --- MetisDAO's default tax schedule --------------------------------------------------------------------------------

# METIS_DAO_L1_ADDRESS, by hand from presets/*.yaml.
METIS_DAO_L1 = {
    "minimal": bytes.fromhex("ba32858ea15ad4a729d3aca3c2ed5e3363bc16f6"),
    "mainnet": bytes.fromhex("4200000000000000000000000000000000000101"),
}
STRANGER = bytes.fromhex("5757575757575757575757575757575757575757")


@vector_case("registry", "create_dac")
def test_genesis_tax_rates_not_the_default(spec: ModuleType) -> Iterator[Part]:
    """acme's creator proposes a charter with no tax at all, where MetisDAO's default is one 1% bracket above
    1 MT: refused, so only MetisDAO decides a new chain's tax rates."""
    untaxed = charter_with(spec, "acme", dac_charter(spec).permissions)
    yield from expect_refused(spec, hub_of(spec), "acme", "GenesisTaxRatesNotDefault", charter=untaxed)


@vector_case("registry", "create_dac")
def test_genesis_charter_exempting_an_account(spec: ModuleType) -> Iterator[Part]:
    """acme's creator carries the default schedule but exempts its own router from the tax: refused with the same
    error, since exemptions are MetisDAO's to grant (a creator exempting a shared wallet would untax its chain)."""
    router = spec.Address(bytes([0xD1]) * 20)
    exempting = spec.replace(dac_charter(spec), tax_exempt=(router,))
    yield from expect_refused(spec, hub_of(spec), "acme", "GenesisTaxRatesNotDefault", charter=exempting)


@vector_case("registry", "create_dac")
def test_invalid_charter_reported_before_the_default(spec: ModuleType) -> Iterator[Part]:
    """A charter whose only bracket has a rate of 100.01%: not the default either, but the charter's own rule is
    checked first, so TaxRateAboveMaximum."""
    bracket = spec.TaxBracket(spec.Wei(ETHER), spec.BasisPoints(10_001))
    invalid = charter_with(spec, "acme", brackets=[bracket])
    yield from expect_refused(spec, hub_of(spec), "acme", "TaxRateAboveMaximum", charter=invalid)


def expect_default_set(spec: ModuleType, sender: bytes, brackets: Sequence[Any], error: str = "") -> Iterator[Part]:
    pre = hub_of(spec)
    yield "pre", {"hub": encode_hub(pre)}
    yield "input", {"sender": "0x" + sender.hex(), "taxrates": encode_tax_schedule(brackets)}
    def call() -> Any:
        return spec.set_default_taxrates(pre, spec.Address(sender), tuple(brackets))

    if error:
        yield from expect_spec_error(spec, error, call)
        return
    expected = spec.replace(pre, default_taxrates=tuple(brackets))
    assert call() == expected, "the hub differs from the one built by hand"
    yield "post", {"hub": encode_hub(expected)}


def two_brackets(spec: ModuleType) -> list[Any]:
    return [spec.TaxBracket(spec.Wei(0), spec.BasisPoints(50)), spec.TaxBracket(spec.Wei(10 * ETHER), spec.BasisPoints(200))]


@vector_case("registry", "set_default_taxrates")
def test_set_by_metis_dao(spec: ModuleType) -> Iterator[Part]:
    """MetisDAO's L1 governance sets the default to 0.5% from 0 and 2% from 10 MT: only the default changes (acme
    keeps its schedule)."""
    yield from expect_default_set(spec, METIS_DAO_L1[spec.PRESET], two_brackets(spec))


@vector_case("registry", "set_default_taxrates")
def test_set_by_a_stranger(spec: ModuleType) -> Iterator[Part]:
    """Anyone else: NotMetisDao."""
    yield from expect_default_set(spec, STRANGER, two_brackets(spec), "NotMetisDao")


@vector_case("registry", "set_default_taxrates")
def test_metis_dao_sets_an_invalid_schedule(spec: ModuleType) -> Iterator[Part]:
    """Thresholds that do not increase: TaxThresholdsNotIncreasing, even from MetisDAO."""
    brackets = [spec.TaxBracket(spec.Wei(ETHER), spec.BasisPoints(10)), spec.TaxBracket(spec.Wei(ETHER), spec.BasisPoints(20))]
    yield from expect_default_set(spec, METIS_DAO_L1[spec.PRESET], brackets, "TaxThresholdsNotIncreasing")


@vector_case("registry", "set_default_taxrates")
def test_sender_checked_before_the_schedule(spec: ModuleType) -> Iterator[Part]:
    """A stranger with an invalid schedule: the sender is reported."""
    brackets = [spec.TaxBracket(spec.Wei(0), spec.BasisPoints(10_001))]
    yield from expect_default_set(spec, STRANGER, brackets, "NotMetisDao")
