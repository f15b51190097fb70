"""Vector cases for `compute_charter_root` (spec/v1/l2-chain.md): valid charters, boundaries and rejected charters.

A charter's root is keccak256 of Solidity's `abi.encode(string vision, string mission, (address[] addresses,
uint8 operation, uint16 action)[] permissions, (uint256 threshold, uint16 rate_bps)[] taxrates, address
management_contract, address[] tax_exempt)`. The expected roots below are worked out in the test without the spec: three small charters
have their ABI encoding laid out word by word by hand, the others are encoded with `eth_abi.encode` of the
documented tuple types. Rejections name the specific rule; the boundary just inside every limit is accepted.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Iterator, Sequence

from eth_abi.abi import encode as abi_encode
from eth_hash.auto import keccak

from mvm_spec.vectors import expect_spec_error, vector_case
from mvm_spec.vectors.case import Part
from mvm_spec.vectors.codec import encode_bytes, encode_charter

Rule = tuple[Sequence[bytes], int, int]  # (addresses, operation, action)
CHARTER_TYPES = ["string", "string", "(address[],uint8,uint16)[]", "(uint256,uint16)[]", "address", "address[]"]
MANAGER = bytes.fromhex("4200000000000000000000000000000000000042")
ALLOW, DENY = 0, 1
SUBMIT_TX, IPFS_WRITE = 0x100, 0x103
OPCODE_CREATE, OPCODE_CALL, OPCODE_SELFDESTRUCT = 0xF0, 0xF1, 0xFF


def address(number: int) -> bytes:
    """A distinct 20-byte address per number: 0xaa..aa followed by the number."""
    return bytes([0xAA] * 12) + number.to_bytes(8, "big")


def word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def padded(data: bytes) -> bytes:
    """``data`` right-padded with zeros to a whole number of 32-byte words, as ABI tails are."""
    return data + bytes(-len(data) % 32)


def charter_of(
    spec: ModuleType,
    vision: str = "",
    mission: str = "",
    rules: Sequence[Rule] = (),
    brackets: Sequence[tuple[int, int]] = (),
    manager: bytes = MANAGER,
    exempt: Sequence[bytes] = (),
) -> Any:
    return spec.Charter(
        vision=vision,
        mission=mission,
        permissions=tuple(
            spec.PermissionRule(
                addresses=tuple(spec.Address(item) for item in addresses),
                operation=spec.PermissionOperation(operation),
                action=spec.Action(action),
            )
            for addresses, operation, action in rules
        ),
        taxrates=tuple(spec.TaxBracket(spec.Wei(threshold), spec.BasisPoints(rate)) for threshold, rate in brackets),
        management_contract=spec.Address(manager),
        tax_exempt=tuple(spec.Address(account) for account in exempt),
    )


def abi_root(
    vision: str = "",
    mission: str = "",
    rules: Sequence[Rule] = (),
    brackets: Sequence[tuple[int, int]] = (),
    manager: bytes = MANAGER,
    exempt: Sequence[bytes] = (),
) -> bytes:
    """The documented commitment, computed with eth_abi directly: keccak256(abi.encode(...))."""
    permissions = [(list(addresses), operation, action) for addresses, operation, action in rules]
    values = [vision, mission, permissions, list(brackets), manager, list(exempt)]
    return bytes(keccak(abi_encode(CHARTER_TYPES, values)))


def expect_root(spec: ModuleType, charter: Any, hand_computed: bytes) -> Iterator[Part]:
    """Yield the charter and the spec's root, after checking the spec agrees with the root worked out in the test."""
    yield "input", {"charter": encode_charter(charter)}
    root = spec.compute_charter_root(charter)
    assert root == hand_computed, f"spec computed 0x{root.hex()}, worked out independently 0x{hand_computed.hex()}"
    yield "output", {"charter_root": encode_bytes(root)}


def expect_rejected(spec: ModuleType, charter: Any, error: str) -> Iterator[Part]:
    yield "input", {"charter": encode_charter(charter)}
    yield from expect_spec_error(spec, error, lambda: spec.compute_charter_root(charter))


# --- valid charters ----------------------------------------------------------------------------------------------


@vector_case("charter", "charter_root")
def test_empty_charter(spec: ModuleType) -> Iterator[Part]:
    """Empty texts, no rules, no brackets, no exemption: eleven ABI words (five offsets, the manager, five zero
    lengths)."""
    encoding = b"".join(
        [
            word(0xC0),  # offset of vision (after the 6 head words)
            word(0xE0),  # offset of mission (vision's tail is its zero length)
            word(0x100),  # offset of permissions
            word(0x120),  # offset of taxrates
            bytes(12) + MANAGER,  # management_contract, left-padded
            word(0x140),  # offset of tax_exempt
            word(0),  # vision: length 0
            word(0),  # mission: length 0
            word(0),  # permissions: 0 rules
            word(0),  # taxrates: 0 brackets
            word(0),  # tax_exempt: 0 accounts
        ]
    )
    yield from expect_root(spec, charter_of(spec), bytes(keccak(encoding)))


@vector_case("charter", "charter_root")
def test_texts_and_one_bracket(spec: ModuleType) -> Iterator[Part]:
    """Vision "Metis", mission "DAC", one bracket (1000 wei, 250 bps), laid out word by word (15 words)."""
    encoding = b"".join(
        [
            word(0xC0),  # vision at 6 words
            word(0x100),  # mission after vision's length and one data word
            word(0x140),  # permissions after mission's length and one data word
            word(0x160),  # taxrates after permissions' length
            bytes(12) + MANAGER,
            word(0x1C0),  # tax_exempt after the taxrates' length and one bracket's two words
            word(5) + padded(b"Metis"),
            word(3) + padded(b"DAC"),
            word(0),
            word(1) + word(1000) + word(250),  # a static tuple is inlined: threshold, rate_bps
            word(0),
        ]
    )
    charter = charter_of(spec, "Metis", "DAC", brackets=[(1000, 250)])
    yield from expect_root(spec, charter, bytes(keccak(encoding)))


@vector_case("charter", "charter_root")
def test_one_rule(spec: ModuleType) -> Iterator[Part]:
    """One DENY rule on CALL (0xf1) for one address, laid out word by word (17 words): a dynamic tuple array."""
    denied = address(1)
    encoding = b"".join(
        [
            word(0xC0),
            word(0xE0),
            word(0x100),
            word(0x1E0),  # taxrates after the 7 words of permissions
            bytes(12) + MANAGER,
            word(0x200),  # tax_exempt after the taxrates' length word
            word(0),  # vision
            word(0),  # mission
            word(1),  # permissions: 1 rule
            word(0x20),  # offset of rule 0, from just after the length word
            word(0x60),  # rule 0: offset of its address list (after its 3 head words)
            word(DENY),
            word(OPCODE_CALL),
            word(1) + bytes(12) + denied,  # the address list: length 1, one left-padded address
            word(0),  # taxrates: 0 brackets
            word(0),  # tax_exempt: 0 accounts
        ]
    )
    charter = charter_of(spec, rules=[([denied], DENY, OPCODE_CALL)])
    yield from expect_root(spec, charter, bytes(keccak(encoding)))


@vector_case("charter", "charter_root")
def test_full_charter(spec: ModuleType) -> Iterator[Part]:
    """Non-ASCII texts, rules on opcodes 0x00, CREATE and every pseudo-action up to 0x103, two brackets."""
    rules: list[Rule] = [
        ([address(1), address(2)], ALLOW, SUBMIT_TX),
        ([address(3)], DENY, OPCODE_CREATE),
        ([], ALLOW, 0x00),
        ([address(2)], ALLOW, 0x101),
        ([address(2)], DENY, 0x102),
        ([], ALLOW, IPFS_WRITE),
    ]
    brackets = [(0, 10), (10**18, 125)]
    vision, mission = "Métis — data availability ✓", "治理"
    charter = charter_of(spec, vision, mission, rules, brackets)
    yield from expect_root(spec, charter, abi_root(vision, mission, rules, brackets))


@vector_case("charter", "charter_root")
def test_action_at_maximum(spec: ModuleType) -> Iterator[Part]:
    """Action 0x103 (IPFS_WRITE, the largest) and operation DENY (the largest) are accepted."""
    rules: list[Rule] = [([address(7)], DENY, 0x103)]
    yield from expect_root(spec, charter_of(spec, rules=rules), abi_root(rules=rules))


@vector_case("charter", "charter_root")
def test_opcode_0xff(spec: ModuleType) -> Iterator[Part]:
    """The last EVM opcode, SELFDESTRUCT (0xff), is an action like any other."""
    rules: list[Rule] = [([address(8)], DENY, OPCODE_SELFDESTRUCT)]
    yield from expect_root(spec, charter_of(spec, rules=rules), abi_root(rules=rules))


@vector_case("charter", "charter_root")
def test_most_rules_allowed(spec: ModuleType) -> Iterator[Part]:
    """Exactly MAX_PERMISSION_RULES rules (8 minimal, 256 mainnet), each with no address, are accepted."""
    count = int(spec.MAX_PERMISSION_RULES)
    assert count == {"minimal": 8, "mainnet": 256}[spec.PRESET]
    rules: list[Rule] = [([], index % 2, index % 0x104) for index in range(count)]
    yield from expect_root(spec, charter_of(spec, rules=rules), abi_root(rules=rules))


@vector_case("charter", "charter_root")
def test_most_addresses_allowed(spec: ModuleType) -> Iterator[Part]:
    """A rule listing exactly MAX_ADDRESSES_PER_RULE addresses (4 minimal, 1024 mainnet) is accepted."""
    count = int(spec.MAX_ADDRESSES_PER_RULE)
    assert count == {"minimal": 4, "mainnet": 1024}[spec.PRESET]
    rules: list[Rule] = [([address(index) for index in range(count)], ALLOW, SUBMIT_TX)]
    yield from expect_root(spec, charter_of(spec, rules=rules), abi_root(rules=rules))


@vector_case("charter", "charter_root")
def test_texts_at_byte_limit(spec: ModuleType) -> Iterator[Part]:
    """Vision and mission of exactly 4096 UTF-8 bytes each (1365 three-byte '€' plus one 'a'): accepted."""
    text = "€" * 1365 + "a"
    assert len(text.encode("utf-8")) == 3 * 1365 + 1 == 4096
    charter = charter_of(spec, text, text)
    yield from expect_root(spec, charter, abi_root(text, text))


@vector_case("charter", "charter_root")
def test_most_brackets_allowed(spec: ModuleType) -> Iterator[Part]:
    """A charter with exactly MAX_TAX_BRACKETS brackets (4 minimal, 16 mainnet) at the 100% maximum rate."""
    brackets = [(1000 * index, 10000) for index in range(int(spec.MAX_TAX_BRACKETS))]
    yield from expect_root(spec, charter_of(spec, brackets=brackets), abi_root(brackets=brackets))


# --- rejected charters -------------------------------------------------------------------------------------------


@vector_case("charter", "charter_root")
def test_vision_too_long(spec: ModuleType) -> Iterator[Part]:
    """4097 UTF-8 bytes in only 1367 characters: the limit is on bytes, not on characters."""
    text = "€" * 1365 + "ab"
    assert len(text) == 1367 and len(text.encode("utf-8")) == 4097
    yield from expect_rejected(spec, charter_of(spec, vision=text), "CharterTextTooLong")


@vector_case("charter", "charter_root")
def test_mission_too_long(spec: ModuleType) -> Iterator[Part]:
    """The mission is bounded too: 4097 ASCII bytes."""
    yield from expect_rejected(spec, charter_of(spec, mission="m" * 4097), "CharterTextTooLong")


@vector_case("charter", "charter_root")
def test_too_many_rules(spec: ModuleType) -> Iterator[Part]:
    """MAX_PERMISSION_RULES + 1 rules (each valid on its own) are rejected."""
    rules: list[Rule] = [([], ALLOW, SUBMIT_TX)] * (int(spec.MAX_PERMISSION_RULES) + 1)
    yield from expect_rejected(spec, charter_of(spec, rules=rules), "TooManyPermissionRules")


@vector_case("charter", "charter_root")
def test_unknown_operation(spec: ModuleType) -> Iterator[Part]:
    """Operation 2 is neither ALLOW (0) nor DENY (1)."""
    rules: list[Rule] = [([address(1)], ALLOW, SUBMIT_TX), ([address(1)], 2, SUBMIT_TX)]
    yield from expect_rejected(spec, charter_of(spec, rules=rules), "UnknownPermissionOperation")


@vector_case("charter", "charter_root")
def test_unknown_action(spec: ModuleType) -> Iterator[Part]:
    """Action 0x104, one past IPFS_WRITE, is rejected."""
    rules: list[Rule] = [([address(1)], ALLOW, 0x104)]
    yield from expect_rejected(spec, charter_of(spec, rules=rules), "UnknownPermissionAction")


@vector_case("charter", "charter_root")
def test_most_tax_exempt_accounts_allowed(spec: ModuleType) -> Iterator[Part]:
    """Exactly MAX_TAX_EXEMPT_ACCOUNTS exempt accounts (2 minimal, 64 mainnet) are accepted; they are committed as
    the encoding's last field, an address array."""
    count = int(spec.MAX_TAX_EXEMPT_ACCOUNTS)
    assert count == {"minimal": 2, "mainnet": 64}[spec.PRESET]
    exempt = [address(index) for index in range(count)]
    yield from expect_root(spec, charter_of(spec, exempt=exempt), abi_root(exempt=exempt))


@vector_case("charter", "charter_root")
def test_one_exempt_account_laid_out(spec: ModuleType) -> Iterator[Part]:
    """One tax-exempt account, word by word (12 words): the sixth head word points past the four empty tails to
    the address array."""
    router = address(9)
    encoding = b"".join(
        [
            word(0xC0),
            word(0xE0),
            word(0x100),
            word(0x120),
            bytes(12) + MANAGER,
            word(0x140),
            word(0) + word(0) + word(0) + word(0),  # vision, mission, permissions, taxrates: empty
            word(1) + bytes(12) + router,  # tax_exempt: length 1, one left-padded address
        ]
    )
    yield from expect_root(spec, charter_of(spec, exempt=[router]), bytes(keccak(encoding)))


@vector_case("charter", "charter_root")
def test_too_many_tax_exempt_accounts(spec: ModuleType) -> Iterator[Part]:
    """MAX_TAX_EXEMPT_ACCOUNTS + 1 exempt accounts: rejected (the list bounds the work of every transfer's check)."""
    exempt = [address(index) for index in range(int(spec.MAX_TAX_EXEMPT_ACCOUNTS) + 1)]
    yield from expect_rejected(spec, charter_of(spec, exempt=exempt), "TooManyTaxExemptAccounts")


@vector_case("charter", "charter_root")
def test_too_many_addresses(spec: ModuleType) -> Iterator[Part]:
    """One rule listing MAX_ADDRESSES_PER_RULE + 1 addresses is rejected."""
    rules: list[Rule] = [([address(index) for index in range(int(spec.MAX_ADDRESSES_PER_RULE) + 1)], DENY, 0xF1)]
    yield from expect_rejected(spec, charter_of(spec, rules=rules), "TooManyRuleAddresses")


@vector_case("charter", "charter_root")
def test_tax_rate_above_maximum(spec: ModuleType) -> Iterator[Part]:
    """A bracket at 10,001 bps (more than 100%) makes the charter invalid with the tax schedule's own error."""
    yield from expect_rejected(spec, charter_of(spec, brackets=[(0, 100), (500, 10001)]), "TaxRateAboveMaximum")


@vector_case("charter", "charter_root")
def test_tax_thresholds_not_increasing(spec: ModuleType) -> Iterator[Part]:
    """Two brackets at the same threshold make the charter invalid."""
    yield from expect_rejected(spec, charter_of(spec, brackets=[(500, 100), (500, 200)]), "TaxThresholdsNotIncreasing")


@vector_case("charter", "charter_root")
def test_too_many_brackets(spec: ModuleType) -> Iterator[Part]:
    """MAX_TAX_BRACKETS + 1 brackets make the charter invalid."""
    brackets = [(index, 100) for index in range(int(spec.MAX_TAX_BRACKETS) + 1)]
    yield from expect_rejected(spec, charter_of(spec, brackets=brackets), "TooManyTaxBrackets")


# --- order of the checks -----------------------------------------------------------------------------------------


@vector_case("charter", "charter_root")
def test_texts_checked_before_rules(spec: ModuleType) -> Iterator[Part]:
    """A too-long mission and too many rules: the texts are checked first."""
    rules: list[Rule] = [([], ALLOW, SUBMIT_TX)] * (int(spec.MAX_PERMISSION_RULES) + 1)
    yield from expect_rejected(spec, charter_of(spec, mission="m" * 4097, rules=rules), "CharterTextTooLong")


@vector_case("charter", "charter_root")
def test_rule_count_checked_before_rules(spec: ModuleType) -> Iterator[Part]:
    """Too many rules, the first with an unknown operation: the count is checked first."""
    bad: Rule = ([], 2, SUBMIT_TX)
    good: Rule = ([], ALLOW, SUBMIT_TX)
    rules: list[Rule] = [bad, *[good] * int(spec.MAX_PERMISSION_RULES)]
    yield from expect_rejected(spec, charter_of(spec, rules=rules), "TooManyPermissionRules")


@vector_case("charter", "charter_root")
def test_operation_checked_before_action_and_addresses(spec: ModuleType) -> Iterator[Part]:
    """One rule breaking all three rule checks: the operation is reported."""
    too_many = [address(index) for index in range(int(spec.MAX_ADDRESSES_PER_RULE) + 1)]
    rules: list[Rule] = [(too_many, 7, 0x200)]
    yield from expect_rejected(spec, charter_of(spec, rules=rules), "UnknownPermissionOperation")


@vector_case("charter", "charter_root")
def test_action_checked_before_addresses(spec: ModuleType) -> Iterator[Part]:
    """A rule with an unknown action and too many addresses: the action is reported."""
    too_many = [address(index) for index in range(int(spec.MAX_ADDRESSES_PER_RULE) + 1)]
    yield from expect_rejected(spec, charter_of(spec, rules=[(too_many, ALLOW, 0x104)]), "UnknownPermissionAction")


@vector_case("charter", "charter_root")
def test_rules_checked_before_tax_schedule(spec: ModuleType) -> Iterator[Part]:
    """A bad rule and a bad tax schedule: the rule is reported."""
    charter = charter_of(spec, rules=[([], ALLOW, 0x104)], brackets=[(0, 10001)])
    yield from expect_rejected(spec, charter, "UnknownPermissionAction")


@vector_case("charter", "charter_root")
def test_lone_surrogate_in_vision(spec: ModuleType) -> Iterator[Part]:
    """A vision holding U+D800 alone: valid JSON, but no UTF-8 encoding exists, so the charter is rejected."""
    yield from expect_rejected(spec, charter_of(spec, vision="a\ud800b"), "CharterTextNotUnicode")


@vector_case("charter", "charter_root")
def test_lone_last_surrogate_in_mission(spec: ModuleType) -> Iterator[Part]:
    """A mission holding U+DFFF alone, the last of the surrogates: rejected like the first."""
    yield from expect_rejected(spec, charter_of(spec, mission="\udfff"), "CharterTextNotUnicode")


@vector_case("charter", "charter_root")
def test_characters_either_side_of_the_surrogates(spec: ModuleType) -> Iterator[Part]:
    """U+D7FF and U+E000, the characters just below and just above the surrogates, have UTF-8 encodings (3 bytes
    each): the charter is valid."""
    vision = "\ud7ff\ue000"
    assert vision.encode("utf-8") == bytes.fromhex("ed9fbf") + bytes.fromhex("ee8080")
    yield from expect_root(spec, charter_of(spec, vision=vision), abi_root(vision=vision))


@vector_case("charter", "charter_root")
def test_astral_characters_at_both_ends(spec: ModuleType) -> Iterator[Part]:
    """U+10000 and U+10FFFF, the first and the last character outside the Basic Multilingual Plane: four UTF-8 bytes
    each (F0 90 80 80 and F4 8F BF BF), so the vision is 1 + 4 + 1 + 4 = 10 bytes. The vector file holds each as a
    surrogate pair escape (the files are ASCII), which a JSON decoder must join into one character; a client that
    encodes the two halves separately (CESU-8, 3 bytes each) commits to other bytes and gets another root."""
    vision, mission = "a\U00010000-\U0010ffff", "\U0010ffff"
    vision_bytes = b"a" + bytes.fromhex("f0908080") + b"-" + bytes.fromhex("f48fbfbf")  # by hand, from UTF-8's table
    assert vision.encode("utf-8") == vision_bytes and len(vision) == 4
    encoding = b"".join(
        [
            word(0xC0),  # vision at 6 words
            word(0x100),  # mission after vision's length and one data word (10 bytes)
            word(0x140),  # permissions after mission's length and one data word (4 bytes)
            word(0x160),
            bytes(12) + MANAGER,
            word(0x180),
            word(10) + padded(vision_bytes),  # the length counts bytes: 10, not 4 characters nor 6 code units
            word(4) + padded(bytes.fromhex("f48fbfbf")),
            word(0),
            word(0),
            word(0),
        ]
    )
    yield from expect_root(spec, charter_of(spec, vision=vision, mission=mission), bytes(keccak(encoding)))


@vector_case("charter", "charter_root")
def test_astral_text_at_byte_limit(spec: ModuleType) -> Iterator[Part]:
    """A mission of MAX_CHARTER_TEXT_BYTES (4,096) UTF-8 bytes made of 1,024 four-byte characters (U+1F600):
    accepted. A client that encodes each as a surrogate pair in CESU-8 counts 6,144 bytes and rejects it."""
    assert int(spec.MAX_CHARTER_TEXT_BYTES) == 4096
    mission = "\U0001f600" * 1024
    assert mission.encode("utf-8")[:4] == bytes.fromhex("f09f9880") and len(mission.encode("utf-8")) == 4 * 1024
    yield from expect_root(spec, charter_of(spec, mission=mission), abi_root(mission=mission))


@vector_case("charter", "charter_root")
def test_astral_text_one_character_over_byte_limit(spec: ModuleType) -> Iterator[Part]:
    """1,025 four-byte characters: 4,100 UTF-8 bytes, over MAX_CHARTER_TEXT_BYTES, rejected. Yet only 1,025
    characters and 2,050 UTF-16 code units, both far under 4,096: a client that counts characters, or code units
    (as a JavaScript or Java string's length does), accepts it and fails this vector."""
    mission = "\U0001f600" * 1025
    assert len(mission.encode("utf-8")) == 4100 and len(mission) == 1025 and len(mission.encode("utf-16-le")) // 2 == 2050
    yield from expect_rejected(spec, charter_of(spec, mission=mission), "CharterTextTooLong")


# --- charter calls (apply_charter_call) ----------------------------------------------------------------------

# METIS_DAO_ADDRESS per preset, written out by hand from presets/*.yaml (mainnet: the L1->L2 alias of MetisDAO's L1
# governance contract 0x4200...0101, that is 0x4200...0101 + 0x1111...1111).
METIS_DAO_BY_PRESET = {
    "mainnet": bytes.fromhex("5311000000000000000000000000000000001212"),
    "minimal": bytes.fromhex("ba32858ea15ad4a729d3aca3c2ed5e3363bc16f6"),
}


def metis_dao(spec: ModuleType) -> bytes:
    return METIS_DAO_BY_PRESET[spec.PRESET]
STRANGER = address(99)
TAXED = [(0, 100)]


# The two charter functions, by hand from their documented signatures: a call's data is the selector (the first
# four bytes of keccak256 of the signature, as Solidity computes it) and the ABI encoding of the arguments.
TAX_SELECTOR = bytes(keccak(b"setTax((uint256,uint16)[],address[])"))[:4]
GOVERNANCE_SELECTOR = bytes(keccak(b"setGovernance(string,string,(address[],uint8,uint16)[],address)"))[:4]


def tax_call(brackets: Sequence[tuple[int, int]] = (), exempt: Sequence[bytes] = ()) -> bytes:
    return TAX_SELECTOR + abi_encode(["(uint256,uint16)[]", "address[]"], [list(brackets), list(exempt)])


def governance_call(vision: str = "", mission: str = "", rules: Sequence[Rule] = (), manager: bytes = MANAGER) -> bytes:
    permissions = [(list(addresses), operation, action) for addresses, operation, action in rules]
    types = ["string", "string", "(address[],uint8,uint16)[]", "address"]
    return GOVERNANCE_SELECTOR + abi_encode(types, [vision, mission, permissions, manager])


def expect_update(
    spec: ModuleType, current: Any, sender: bytes, data: bytes, expected: Any, root: bytes | None, error: str = ""
) -> Iterator[Part]:
    """Yield the call; then the charter it leaves (built by hand) and its root (worked out with eth_abi), or the
    error."""
    yield "input", {"charter": encode_charter(current), "sender": encode_bytes(sender), "data": encode_bytes(data)}
    if error:
        yield from expect_spec_error(spec, error, lambda: spec.apply_charter_call(current, spec.Address(sender), data))
        return
    updated = spec.apply_charter_call(current, spec.Address(sender), data)
    assert updated == expected and root is not None
    assert spec.compute_charter_root(updated) == root
    yield "output", {"charter": encode_charter(updated), "charter_root": encode_bytes(root)}


@vector_case("charter", "update")
def test_manager_changes_vision(spec: ModuleType) -> Iterator[Part]:
    """The management contract may change the vision."""
    current, data = charter_of(spec, vision="old"), governance_call(vision="new")
    yield from expect_update(spec, current, MANAGER, data, charter_of(spec, vision="new"), abi_root(vision="new"))


@vector_case("charter", "update")
def test_manager_adds_permission_rule(spec: ModuleType) -> Iterator[Part]:
    """The management contract may add a rule (here: only address 1 may submit transactions)."""
    rules: list[Rule] = [([address(1)], ALLOW, SUBMIT_TX)]
    expected = charter_of(spec, rules=rules)
    yield from expect_update(spec, charter_of(spec), MANAGER, governance_call(rules=rules), expected, abi_root(rules=rules))


@vector_case("charter", "update")
def test_manager_may_not_change_tax_rates(spec: ModuleType) -> Iterator[Part]:
    """Only MetisDAO calls setTax, even on a charter whose management contract is the caller."""
    yield from expect_update(spec, charter_of(spec), MANAGER, tax_call(TAXED), None, None, "UnauthorizedTaxRateUpdate")


@vector_case("charter", "update")
def test_metis_dao_changes_tax_rates(spec: ModuleType) -> Iterator[Part]:
    """MetisDAO sets a 1% tax from 0 wei."""
    expected = charter_of(spec, brackets=TAXED)
    yield from expect_update(spec, charter_of(spec), metis_dao(spec), tax_call(TAXED), expected, abi_root(brackets=TAXED))


@vector_case("charter", "update")
def test_manager_may_not_exempt_an_account(spec: ModuleType) -> Iterator[Part]:
    """Exemptions decide what MetisDAO collects: a management contract that could exempt accounts could exempt
    everyone, so listing one (here its own router) is a tax call, refused to the manager."""
    data = tax_call(exempt=[address(5)])
    yield from expect_update(spec, charter_of(spec), MANAGER, data, None, None, "UnauthorizedTaxRateUpdate")


@vector_case("charter", "update")
def test_metis_dao_exempts_a_router(spec: ModuleType) -> Iterator[Part]:
    """MetisDAO lists a DAC's router as tax-exempt."""
    expected, root = charter_of(spec, exempt=[address(5)]), abi_root(exempt=[address(5)])
    yield from expect_update(spec, charter_of(spec), metis_dao(spec), tax_call(exempt=[address(5)]), expected, root)


@vector_case("charter", "update")
def test_metis_dao_may_not_change_vision(spec: ModuleType) -> Iterator[Part]:
    """MetisDAO may not call setGovernance on a DAC it does not manage."""
    data = governance_call(vision="ours now")
    yield from expect_update(spec, charter_of(spec), metis_dao(spec), data, None, None, "UnauthorizedCharterUpdate")


@vector_case("charter", "update")
def test_stranger_may_not_change_vision(spec: ModuleType) -> Iterator[Part]:
    """Anyone else is refused."""
    data = governance_call(vision="mine")
    yield from expect_update(spec, charter_of(spec), STRANGER, data, None, None, "UnauthorizedCharterUpdate")


@vector_case("charter", "update")
def test_governance_call_keeps_the_tax(spec: ModuleType) -> Iterator[Part]:
    """A governance call replaces the other fields and leaves the tax MetisDAO set (brackets and an exemption)
    as it was: it cannot change it, and it cannot make a pending tax call invalid."""
    current = charter_of(spec, vision="old", brackets=TAXED, exempt=[address(5)])
    expected = charter_of(spec, vision="new", brackets=TAXED, exempt=[address(5)])
    root = abi_root(vision="new", brackets=TAXED, exempt=[address(5)])
    yield from expect_update(spec, current, MANAGER, governance_call(vision="new"), expected, root)


@vector_case("charter", "update")
def test_tax_call_keeps_the_governance(spec: ModuleType) -> Iterator[Part]:
    """A tax call replaces the tax fields and leaves vision, mission, rules and manager as they were, whatever the
    manager changed since MetisDAO prepared it."""
    rules: list[Rule] = [([address(1)], DENY, OPCODE_CALL)]
    current = charter_of(spec, "ours", "to serve", rules)
    expected = charter_of(spec, "ours", "to serve", rules, brackets=TAXED)
    root = abi_root("ours", "to serve", rules, brackets=TAXED)
    yield from expect_update(spec, current, metis_dao(spec), tax_call(TAXED), expected, root)


@vector_case("charter", "update")
def test_immutable_charter_refuses_manager_changes(spec: ModuleType) -> Iterator[Part]:
    """A charter whose management contract is zero refuses every governance call, whoever makes it."""
    zero = bytes(20)
    current = charter_of(spec, manager=zero)
    yield from expect_update(spec, current, MANAGER, governance_call(vision="new", manager=zero), None, None, "CharterImmutable")


@vector_case("charter", "update")
def test_immutable_charter_still_takes_tax_rates(spec: ModuleType) -> Iterator[Part]:
    """The whitepaper's exception holds for immutable charters too: MetisDAO may still set their tax rates."""
    zero = bytes(20)
    current, expected = charter_of(spec, manager=zero), charter_of(spec, brackets=TAXED, manager=zero)
    root = abi_root(brackets=TAXED, manager=zero)
    yield from expect_update(spec, current, metis_dao(spec), tax_call(TAXED), expected, root)


@vector_case("charter", "update")
def test_manager_hands_over_to_nobody(spec: ModuleType) -> Iterator[Part]:
    """The manager may set the management contract to zero, freezing the charter from then on."""
    expected = charter_of(spec, manager=bytes(20))
    data = governance_call(manager=bytes(20))
    yield from expect_update(spec, charter_of(spec), MANAGER, data, expected, abi_root(manager=bytes(20)))


@vector_case("charter", "update")
def test_sender_checked_before_the_arguments(spec: ModuleType) -> Iterator[Part]:
    """A stranger's governance call whose rule names unknown action 0x200: refused for who calls, before its
    arguments are read (no one but the entitled account makes the spec parse a charter)."""
    data = governance_call(rules=[([], ALLOW, 0x200)])
    yield from expect_update(spec, charter_of(spec), STRANGER, data, None, None, "UnauthorizedCharterUpdate")


@vector_case("charter", "update")
def test_manager_call_with_an_invalid_rule(spec: ModuleType) -> Iterator[Part]:
    """The manager's call naming unknown action 0x200: the charter it would leave is invalid."""
    data = governance_call(rules=[([], ALLOW, 0x200)])
    yield from expect_update(spec, charter_of(spec), MANAGER, data, None, None, "UnknownPermissionAction")


@vector_case("charter", "update")
def test_metis_dao_call_with_a_rate_above_the_maximum(spec: ModuleType) -> Iterator[Part]:
    """MetisDAO's call with a rate of 100.01%: the schedule it would leave is invalid."""
    data = tax_call([(0, 10_001)])
    yield from expect_update(spec, charter_of(spec), metis_dao(spec), data, None, None, "TaxRateAboveMaximum")


@vector_case("charter", "update")
def test_unknown_selector(spec: ModuleType) -> Iterator[Part]:
    """Data under a selector that names no charter function (here the old whole-charter proposal): malformed."""
    data = abi_encode(CHARTER_TYPES, ["", "", [], [], MANAGER, []])
    yield from expect_update(spec, charter_of(spec), MANAGER, data, None, None, "MalformedCharterUpdate")


@vector_case("charter", "update")
def test_data_shorter_than_a_selector(spec: ModuleType) -> Iterator[Part]:
    """Three bytes of a valid selector: no function is named."""
    data = GOVERNANCE_SELECTOR[:3]
    yield from expect_update(spec, charter_of(spec), MANAGER, data, None, None, "MalformedCharterUpdate")


@vector_case("charter", "update")
def test_arguments_with_a_trailing_byte(spec: ModuleType) -> Iterator[Part]:
    """A well-formed governance call with one zero byte appended: not the canonical encoding, refused, so one
    update has one encoding."""
    data = governance_call(vision="new") + b"\x00"
    yield from expect_update(spec, charter_of(spec), MANAGER, data, None, None, "MalformedCharterUpdate")


@vector_case("charter", "update")
def test_arguments_not_abi(spec: ModuleType) -> Iterator[Part]:
    """The tax selector followed by ten bytes that encode nothing: malformed (after MetisDAO is found entitled)."""
    data = TAX_SELECTOR + bytes([0x01]) * 10
    yield from expect_update(spec, charter_of(spec), metis_dao(spec), data, None, None, "MalformedCharterUpdate")


@vector_case("charter", "update")
def test_identical_governance_changes_nothing(spec: ModuleType) -> Iterator[Part]:
    """The manager setting the fields to what they are: accepted, the charter and its root unchanged."""
    current = charter_of(spec, vision="same")
    yield from expect_update(spec, current, MANAGER, governance_call(vision="same"), current, abi_root(vision="same"))


# --- the size of the whole encoding (MAX_CHARTER_BYTES: 10,240 minimal, 65,536 mainnet) ---------------------------


def abi_length(vision: str = "", mission: str = "", rules: Sequence[Rule] = ()) -> int:
    """The length of the documented encoding, measured on eth_abi's own output (no brackets, as below)."""
    permissions = [(list(addresses), operation, action) for addresses, operation, action in rules]
    return len(abi_encode(CHARTER_TYPES, [vision, mission, permissions, [], MANAGER, []]))


def max_charter_bytes(spec: ModuleType) -> int:
    value = int(spec.MAX_CHARTER_BYTES)
    assert value == {"minimal": 10_240, "mainnet": 65_536}[spec.PRESET]
    return value


# The room the size bound keeps for the tax fields at their largest, by hand: two words per bracket and one per
# exempt account beyond the empty lists' length words (minimal: 4 brackets and 2 accounts; mainnet: 16 and 64).
TAX_RESERVE = {"minimal": 4 * 64 + 2 * 32, "mainnet": 16 * 64 + 64 * 32}


def governed_bytes(spec: ModuleType) -> int:
    """What the fields other than the tax may take: MAX_CHARTER_BYTES less the room kept for the largest tax."""
    return max_charter_bytes(spec) - TAX_RESERVE[spec.PRESET]


def filled_to_the_limit(spec: ModuleType) -> tuple[str, str, list[Rule]]:
    """A vision of 4,096 bytes, then rules of SUBMIT_TX allowances, each with as many addresses as fit (a word each,
    at most MAX_ADDRESSES_PER_RULE) while a new rule fits at all, and a mission that takes up what is left: exactly
    the bytes the fields other than the tax may take, so that the largest tax brings it to MAX_CHARTER_BYTES."""
    limit, vision = governed_bytes(spec), "v" * 4096
    rules: list[Rule] = []
    while len(rules) < int(spec.MAX_PERMISSION_RULES) and abi_length(vision, "", [*rules, ([], ALLOW, SUBMIT_TX)]) <= limit:
        room = (limit - abi_length(vision, "", [*rules, ([], ALLOW, SUBMIT_TX)])) // 32
        first = 10_000 * len(rules)
        listed = [address(first + index) for index in range(min(room, int(spec.MAX_ADDRESSES_PER_RULE)))]
        rules.append((listed, ALLOW, SUBMIT_TX))
    rest = limit - abi_length(vision, "", rules)
    assert 0 <= rest <= 4096 - 32 and rest % 32 == 0  # room for one more word of mission below
    return vision, "m" * rest, rules


@vector_case("charter", "charter_root")
def test_charter_at_the_size_limit(spec: ModuleType) -> Iterator[Part]:
    """Texts and rules whose encoding, measured by eth_abi, leaves exactly the room of the largest tax below
    MAX_CHARTER_BYTES: accepted."""
    vision, mission, rules = filled_to_the_limit(spec)
    assert abi_length(vision, mission, rules) == governed_bytes(spec)
    yield from expect_root(spec, charter_of(spec, vision, mission, rules), abi_root(vision, mission, rules))


@vector_case("charter", "charter_root")
def test_charter_one_word_over_the_size_limit(spec: ModuleType) -> Iterator[Part]:
    """The same charter with 32 more bytes of mission (still far below 4,096): one word over, CharterTooLarge, though
    its own encoding (no brackets) is far below MAX_CHARTER_BYTES: the bound keeps the tax's room."""
    vision, mission, rules = filled_to_the_limit(spec)
    assert abi_length(vision, mission + "m" * 32, rules) == governed_bytes(spec) + 32
    yield from expect_rejected(spec, charter_of(spec, vision, mission + "m" * 32, rules), "CharterTooLarge")


@vector_case("charter", "charter_root")
def test_most_rules_one_word_over_the_size_limit(spec: ModuleType) -> Iterator[Part]:
    """MAX_PERMISSION_RULES rules of two addresses each and a mission one byte past a whole number of words, one
    word over the bound: CharterTooLarge. Every rule and every address counts a whole word, and the mission's last
    byte a whole word too."""
    vision = "v" * 4096
    count = int(spec.MAX_PERMISSION_RULES)
    rules: list[Rule] = [([address(2 * index), address(2 * index + 1)], ALLOW, SUBMIT_TX) for index in range(count)]
    # The encoding by hand: 6 head words, each text's length word and padded bytes, the rules' length word and per
    # rule its offset, 3 head words, its addresses' length word and a word per address, the empty tax lists' length
    # words. The mission takes the rest of one word over the bound, its last word holding a single byte.
    fixed = 6 * 32 + (32 + 4096) + 32 + 32 + len(rules) * (32 + 3 * 32 + 32 + 2 * 32) + 32 + 32
    mission = "m" * (governed_bytes(spec) + 32 - fixed - 31)
    assert len(mission) % 32 == 1 and abi_length(vision, mission, rules) == governed_bytes(spec) + 32
    yield from expect_rejected(spec, charter_of(spec, vision, mission, rules), "CharterTooLarge")


def oversized_within_every_bound(spec: ModuleType) -> tuple[str, list[Rule]]:
    """Texts of 4,096 bytes each and rules of MAX_ADDRESSES_PER_RULE addresses, added until the encoding passes
    MAX_CHARTER_BYTES (7 rules minimal, 2 mainnet): every count within its own bound."""
    text, rules = "t" * 4096, list[Rule]()
    while abi_length(text, text, rules) <= governed_bytes(spec):
        full = [address(len(rules) * 10_000 + index) for index in range(int(spec.MAX_ADDRESSES_PER_RULE))]
        rules.append((full, DENY, OPCODE_CALL))
    assert len(rules) <= int(spec.MAX_PERMISSION_RULES)
    return text, rules


@vector_case("charter", "charter_root")
def test_every_field_within_bounds_yet_too_large(spec: ModuleType) -> Iterator[Part]:
    """Texts at their limit and a few full rules: no count is over its bound, but the encoding is: the bound on
    the whole is what keeps an L1 proof of the charter root within a block."""
    text, rules = oversized_within_every_bound(spec)
    yield from expect_rejected(spec, charter_of(spec, text, text, rules), "CharterTooLarge")


@vector_case("charter", "charter_root")
def test_size_checked_after_the_rules(spec: ModuleType) -> Iterator[Part]:
    """The oversized charter with one more rule naming unknown action 0x200: the rule is reported, as the size
    is checked last."""
    text, rules = oversized_within_every_bound(spec)
    rules = [*rules[:-1], ([], ALLOW, 0x200)]
    rules += oversized_within_every_bound(spec)[1][-1:]
    yield from expect_rejected(spec, charter_of(spec, text, text, rules), "UnknownPermissionAction")


@vector_case("charter", "update")
def test_largest_tax_fits_a_charter_filled_to_its_bound(spec: ModuleType) -> Iterator[Part]:
    """The charter filled to the bound by its other fields still takes MetisDAO's largest tax: MAX_TAX_BRACKETS
    brackets and MAX_TAX_EXEMPT_ACCOUNTS exempt accounts. The encoding is then exactly MAX_CHARTER_BYTES."""
    vision, mission, rules = filled_to_the_limit(spec)
    brackets = [(index, 10) for index in range(int(spec.MAX_TAX_BRACKETS))]
    exempt = [address(900 + index) for index in range(int(spec.MAX_TAX_EXEMPT_ACCOUNTS))]
    current = charter_of(spec, vision, mission, rules)
    expected = charter_of(spec, vision, mission, rules, brackets, exempt=exempt)
    permissions = [(list(addresses), operation, action) for addresses, operation, action in rules]
    full = abi_encode(CHARTER_TYPES, [vision, mission, permissions, brackets, MANAGER, exempt])
    assert len(full) == max_charter_bytes(spec)
    yield from expect_update(spec, current, metis_dao(spec), tax_call(brackets, exempt), expected, bytes(keccak(full)))


@vector_case("charter", "update")
def test_governance_call_beyond_the_tax_room(spec: ModuleType) -> Iterator[Part]:
    """The manager's call growing the filled charter's mission by one word: refused (CharterTooLarge) even though
    the charter has no tax yet, so the manager cannot take the room MetisDAO's tax needs."""
    vision, mission, rules = filled_to_the_limit(spec)
    data = governance_call(vision, mission + "m" * 32, rules)
    current = charter_of(spec, vision, mission, rules)
    yield from expect_update(spec, current, MANAGER, data, None, None, "CharterTooLarge")


# --- charter/decode: the canonical encoding back to the charter ------------------------------------------------------


def charter_encoding(
    vision: str = "",
    mission: str = "",
    rules: Sequence[Rule] = (),
    brackets: Sequence[tuple[int, int]] = (),
    manager: bytes = MANAGER,
    exempt: Sequence[bytes] = (),
) -> bytes:
    """The documented encoding, with eth_abi directly: abi.encode(vision, mission, permissions, ...)."""
    permissions = [(list(addresses), operation, action) for addresses, operation, action in rules]
    return bytes(abi_encode(CHARTER_TYPES, [vision, mission, permissions, list(brackets), manager, list(exempt)]))


FULL_RULES: list[Rule] = [([address(1), address(2)], ALLOW, SUBMIT_TX), ([address(3)], DENY, OPCODE_CREATE)]


def expect_decode_refused(spec: ModuleType, data: bytes) -> Iterator[Part]:
    yield "input", {"data": encode_bytes(data)}
    yield from expect_spec_error(spec, "MalformedCharterUpdate", lambda: spec.decode_charter(data))


@vector_case("charter", "decode")
def test_decode_a_full_charter(spec: ModuleType) -> Iterator[Part]:
    """A charter with texts, two rules, a bracket and an exempt account, from its ABI encoding."""
    data = charter_encoding("vision ✓", "mission", FULL_RULES, [(100, 50)], MANAGER, [address(4)])
    charter = charter_of(spec, "vision ✓", "mission", FULL_RULES, [(100, 50)], MANAGER, [address(4)])
    yield "input", {"data": encode_bytes(data)}
    assert spec.decode_charter(data) == charter
    yield "output", {"charter": encode_charter(charter)}


@vector_case("charter", "decode")
def test_decode_the_empty_charter(spec: ModuleType) -> Iterator[Part]:
    """Empty texts and lists and the zero management contract: still 14 words (six heads, four empty tails...)."""
    data = charter_encoding(manager=bytes(20))
    yield "input", {"data": encode_bytes(data)}
    assert spec.decode_charter(data) == charter_of(spec, manager=bytes(20))
    yield "output", {"charter": encode_charter(charter_of(spec, manager=bytes(20)))}


@vector_case("charter", "decode")
def test_decode_refuses_a_trailing_word(spec: ModuleType) -> Iterator[Part]:
    """A valid encoding with a zero word after it: the ABI decoder reads past nothing, but it is not the encoding."""
    yield from expect_decode_refused(spec, charter_encoding("v", "m", FULL_RULES) + bytes(32))


@vector_case("charter", "decode")
def test_decode_refuses_a_dirty_address_word(spec: ModuleType) -> Iterator[Part]:
    """The management contract's word with a non-zero byte in its padding."""
    data = bytearray(charter_encoding("v", "m", FULL_RULES))
    data[4 * 32] = 1  # the fifth head word is the address; its first byte is padding
    yield from expect_decode_refused(spec, bytes(data))


@vector_case("charter", "decode")
def test_decode_refuses_a_non_canonical_offset(spec: ModuleType) -> Iterator[Part]:
    """The vision's tail moved one word later (its offset raised by 32, a zero word inserted): the same charter to a
    lenient decoder, but not its one encoding, so refused."""
    canonical = charter_encoding("v", "m")
    offsets = [int.from_bytes(canonical[index * 32 : index * 32 + 32], "big") for index in range(6)]
    heads = b"".join(word(offsets[index] + 32) if index in (0, 1, 2, 3, 5) else canonical[index * 32 : index * 32 + 32] for index in range(6))
    data = heads + bytes(32) + canonical[6 * 32 :]
    yield from expect_decode_refused(spec, data)


def expect_decode_rejected(spec: ModuleType, data: bytes, error: str) -> Iterator[Part]:
    yield "input", {"data": encode_bytes(data)}
    yield from expect_spec_error(spec, error, lambda: spec.decode_charter(data))


@vector_case("charter", "decode")
def test_decode_refuses_a_charter_with_a_rate_above_the_maximum(spec: ModuleType) -> Iterator[Part]:
    """The canonical encoding of a charter whose one bracket is at 10,001 bps: well-formed bytes (a uint16 holds
    10,001), but no valid charter, so the tax schedule's own error, not MalformedCharterUpdate."""
    yield from expect_decode_rejected(spec, charter_encoding(brackets=[(0, 10_001)]), "TaxRateAboveMaximum")


@vector_case("charter", "decode")
def test_decode_refuses_a_charter_with_an_unknown_action(spec: ModuleType) -> Iterator[Part]:
    """The canonical encoding of a charter whose rule names action 0x104, one past IPFS_WRITE: the rule's error."""
    rules: list[Rule] = [([address(1)], ALLOW, 0x104)]
    yield from expect_decode_rejected(spec, charter_encoding("v", "m", rules), "UnknownPermissionAction")


@vector_case("charter", "decode")
def test_decode_a_broken_rule_in_non_canonical_bytes_reports_the_rule(spec: ModuleType) -> Iterator[Part]:
    """The charter with action 0x104, with a zero word appended: the bytes are not the charter's encoding and the
    charter breaks a rule. The ABI decoding reads past the extra word, then the charter is checked (the spec
    re-encodes it, which validates first), then the bytes are compared with its encoding: the rule is reported."""
    rules: list[Rule] = [([address(1)], ALLOW, 0x104)]
    yield from expect_decode_rejected(spec, charter_encoding("v", "m", rules) + bytes(32), "UnknownPermissionAction")


@vector_case("charter", "decode")
def test_decode_a_broken_rule_in_undecodable_bytes_is_malformed(spec: ModuleType) -> Iterator[Part]:
    """The same charter with a non-zero byte in the padding of the management contract's word: the strict ABI
    decoding refuses the bytes before any rule is read, so MalformedCharterUpdate wins."""
    data = bytearray(charter_encoding("v", "m", [([address(1)], ALLOW, 0x104)]))
    data[4 * 32] = 1  # the fifth head word is the address; its first byte is padding
    yield from expect_decode_rejected(spec, bytes(data), "MalformedCharterUpdate")


# --- charter/encode_call: the data of the two charter functions -------------------------------------------------------


@vector_case("charter", "encode_call")
def test_encode_the_tax_call(spec: ModuleType) -> Iterator[Part]:
    """MetisDAO's setTax call carrying a charter's brackets and exemptions: the selector, then the ABI arguments."""
    charter = charter_of(spec, "v", "m", FULL_RULES, [(0, 10), (10**18, 125)], MANAGER, [address(4)])
    yield "input", {"charter": encode_charter(charter), "function": "setTax"}
    expected = tax_call([(0, 10), (10**18, 125)], [address(4)])
    assert spec.encode_tax_call(charter) == expected
    yield "output", {"data": encode_bytes(expected)}


@vector_case("charter", "encode_call")
def test_encode_the_governance_call(spec: ModuleType) -> Iterator[Part]:
    """The management contract's setGovernance call carrying every other field of a charter."""
    charter = charter_of(spec, "vision ✓", "mission", FULL_RULES, [(0, 10)], address(9), [address(4)])
    yield "input", {"charter": encode_charter(charter), "function": "setGovernance"}
    expected = governance_call("vision ✓", "mission", FULL_RULES, address(9))
    assert spec.encode_governance_call(charter) == expected
    yield "output", {"data": encode_bytes(expected)}
