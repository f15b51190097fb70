"""Vector cases for the DAC registry on the L1 hub (spec/v1/hub.md): the genesis hub and creating DACs.

Chain ids are handed out in order of creation from 1088 (Metis Andromeda's id, the rangers' DAC); labels are DNS
labels, ASCII capitals folded to lower case, unique once folded; a DAC's charter must be valid. Every expected
post-state is built in the test, record by record, with the chain id and folded label stated by hand.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Iterator, Sequence

from mvm_spec.vectors import expect_spec_error, vector_case
from mvm_spec.vectors.case import Part
from mvm_spec.vectors.codec import encode_charter, encode_hub

MANAGER = bytes.fromhex("4200000000000000000000000000000000000042")
ACME_MANAGER = bytes.fromhex("acacacacacacacacacacacacacacacacacacacac")


def rangers_charter(spec: ModuleType) -> Any:
    return spec.Charter("Run the rangers' DAC", "", (), (), spec.Address(MANAGER))


def dac_charter(spec: ModuleType) -> Any:
    """A tiny valid charter: one rule (anyone may submit transactions), one 1% bracket above 1 ether."""
    rule = spec.PermissionRule((), spec.PermissionOperation(0), spec.Action(0x100))
    bracket = spec.TaxBracket(spec.Wei(10**18), spec.BasisPoints(100))
    return spec.Charter("acme", "", (rule,), (bracket,), spec.Address(ACME_MANAGER))


def bad_tax_charter(spec: ModuleType) -> Any:
    """Thresholds out of order: invalid with TaxThresholdsNotIncreasing."""
    brackets = (spec.TaxBracket(spec.Wei(500), spec.BasisPoints(10)), spec.TaxBracket(spec.Wei(100), spec.BasisPoints(20)))
    return spec.Charter("", "", (), brackets, spec.Address(ACME_MANAGER))


def bad_action_charter(spec: ModuleType) -> Any:
    """Action 0x104, one past IPFS_WRITE: invalid with UnknownPermissionAction."""
    rule = spec.PermissionRule((), spec.PermissionOperation(0), spec.Action(0x104))
    return spec.Charter("", "", (rule,), (), spec.Address(MANAGER))


def record(spec: ModuleType, chain_id: int, label: str, charter: Any) -> Any:
    """A DAC record with no batches yet."""
    empty = spec.BatchChain(headers=())
    return spec.DacRecord(spec.ChainId(chain_id), label, charter, empty, empty)


def hub_with(spec: ModuleType, *labels: str) -> Any:
    """The genesis hub (rangers, 1088), then DACs with the given folded labels as 1089, 1090, ..."""
    others = [record(spec, 1089 + position, label, dac_charter(spec)) for position, label in enumerate(labels)]
    return spec.Hub(dacs=(record(spec, 1088, "rangers", rangers_charter(spec)), *others))


# --- registry/genesis --------------------------------------------------------------------------------------------


@vector_case("registry", "genesis")
def test_genesis_hub(spec: ModuleType) -> Iterator[Part]:
    """The genesis hub holds one DAC: chain id 1088, label "rangers", the given charter, no batches."""
    charter = rangers_charter(spec)
    yield "input", {"rangers_charter": encode_charter(charter)}
    hub = spec.get_genesis_hub(charter)
    assert hub == spec.Hub(dacs=(record(spec, 1088, "rangers", charter),))
    yield "post", encode_hub(hub)


@vector_case("registry", "genesis")
def test_genesis_with_invalid_charter(spec: ModuleType) -> Iterator[Part]:
    """The rangers' charter is checked like any other: an unknown action is rejected."""
    charter = bad_action_charter(spec)
    yield "input", {"rangers_charter": encode_charter(charter)}
    yield from expect_spec_error(spec, "UnknownPermissionAction", lambda: spec.get_genesis_hub(charter))


@vector_case("registry", "genesis")
def test_genesis_with_invalid_tax_schedule(spec: ModuleType) -> Iterator[Part]:
    """A rangers' charter whose tax thresholds are out of order is rejected with the tax schedule's error."""
    charter = bad_tax_charter(spec)
    yield "input", {"rangers_charter": encode_charter(charter)}
    yield from expect_spec_error(spec, "TaxThresholdsNotIncreasing", lambda: spec.get_genesis_hub(charter))


# --- registry/create_dac -----------------------------------------------------------------------------------------


def create_parts(spec: ModuleType, pre: Any, label: str, charter: Any) -> Iterator[Part]:
    yield "pre", encode_hub(pre)
    yield "input", {"label": label, "charter": encode_charter(charter)}


def expect_created(spec: ModuleType, pre_labels: Sequence[str], label: str, expected: Any) -> Iterator[Part]:
    """Create ``label`` on the hub holding ``pre_labels``; check the post-state equals ``expected``."""
    pre, charter = hub_with(spec, *pre_labels), dac_charter(spec)
    yield from create_parts(spec, pre, label, charter)
    post = spec.create_dac(pre, label, charter)
    assert post == expected, "post-state differs from the one built by hand"
    yield "post", encode_hub(post)


def expect_refused(
    spec: ModuleType, pre_labels: Sequence[str], label: str, error: str, charter: Any = None
) -> Iterator[Part]:
    pre, charter = hub_with(spec, *pre_labels), charter or dac_charter(spec)
    yield from create_parts(spec, pre, label, charter)
    yield from expect_spec_error(spec, error, lambda: spec.create_dac(pre, label, charter))


@vector_case("registry", "create_dac")
def test_first_dac_gets_1089(spec: ModuleType) -> Iterator[Part]:
    """The first DAC after the rangers' gets chain id 1089."""
    expected = spec.Hub(dacs=(record(spec, 1088, "rangers", rangers_charter(spec)), record(spec, 1089, "acme", dac_charter(spec))))
    yield from expect_created(spec, [], "acme", expected)


@vector_case("registry", "create_dac")
def test_second_dac_gets_1090(spec: ModuleType) -> Iterator[Part]:
    """The next DAC gets 1090; earlier records are unchanged."""
    expected = spec.Hub(
        dacs=(
            record(spec, 1088, "rangers", rangers_charter(spec)),
            record(spec, 1089, "acme", dac_charter(spec)),
            record(spec, 1090, "beta", dac_charter(spec)),
        )
    )
    yield from expect_created(spec, ["acme"], "beta", expected)


@vector_case("registry", "create_dac")
def test_label_is_folded(spec: ModuleType) -> Iterator[Part]:
    """"Acme-1" is registered as "acme-1" (DNS is case-insensitive)."""
    yield from expect_created(spec, [], "Acme-1", hub_with(spec, "acme-1"))


@vector_case("registry", "create_dac")
def test_folded_label_taken(spec: ModuleType) -> Iterator[Part]:
    """"ACME-1" after "acme-1": the same label once folded."""
    yield from expect_refused(spec, ["acme-1"], "ACME-1", "DacLabelTaken")


@vector_case("registry", "create_dac")
def test_exact_label_taken(spec: ModuleType) -> Iterator[Part]:
    """"acme-1" after "acme-1"."""
    yield from expect_refused(spec, ["acme-1"], "acme-1", "DacLabelTaken")


@vector_case("registry", "create_dac")
def test_rangers_label_taken(spec: ModuleType) -> Iterator[Part]:
    """"rangers" belongs to the rangers' DAC from genesis."""
    yield from expect_refused(spec, [], "rangers", "DacLabelTaken")


@vector_case("registry", "create_dac")
def test_rangers_label_taken_in_capitals(spec: ModuleType) -> Iterator[Part]:
    """"Rangers" folds to "rangers"."""
    yield from expect_refused(spec, ["acme"], "Rangers", "DacLabelTaken")


@vector_case("registry", "create_dac")
def test_label_of_63_characters(spec: ModuleType) -> Iterator[Part]:
    """63 characters, the longest DNS label, is accepted."""
    label = "a" + "0123456789" * 6 + "bc"
    assert len(label) == 63
    yield from expect_created(spec, [], label, hub_with(spec, label))


@vector_case("registry", "create_dac")
def test_label_of_64_characters(spec: ModuleType) -> Iterator[Part]:
    """64 characters is one too many."""
    label = "a" + "0123456789" * 6 + "bcd"
    assert len(label) == 64
    yield from expect_refused(spec, [], label, "InvalidDacLabel")


@vector_case("registry", "create_dac")
def test_one_character_label(spec: ModuleType) -> Iterator[Part]:
    """A single character is a label."""
    yield from expect_created(spec, [], "x", hub_with(spec, "x"))


@vector_case("registry", "create_dac")
def test_label_starting_with_digit(spec: ModuleType) -> Iterator[Part]:
    """A label may start with a digit (RFC 1123; only hyphens are barred at the ends)."""
    yield from expect_created(spec, [], "9lives", hub_with(spec, "9lives"))


@vector_case("registry", "create_dac")
def test_label_with_inner_double_hyphen(spec: ModuleType) -> Iterator[Part]:
    """Hyphens inside a label, even two in a row, are allowed away from places 3-4."""
    yield from expect_created(spec, [], "a--b", hub_with(spec, "a--b"))


@vector_case("registry", "create_dac")
def test_punycode_prefix_reserved(spec: ModuleType) -> Iterator[Part]:
    """"xn--bcher-kva" (which browsers show as a Unicode name) has '--' in places 3-4, reserved by RFC 5891."""
    yield from expect_refused(spec, [], "xn--bcher-kva", "InvalidDacLabel")


@vector_case("registry", "create_dac")
def test_double_hyphen_at_places_4_and_5_allowed(spec: ModuleType) -> Iterator[Part]:
    """'--' one place later than the reserved places is an ordinary label."""
    yield from expect_created(spec, [], "abc--d", hub_with(spec, "abc--d"))


@vector_case("registry", "create_dac")
def test_label_starting_with_hyphen(spec: ModuleType) -> Iterator[Part]:
    """"-abc" starts with a hyphen."""
    yield from expect_refused(spec, [], "-abc", "InvalidDacLabel")


@vector_case("registry", "create_dac")
def test_label_ending_with_hyphen(spec: ModuleType) -> Iterator[Part]:
    """"abc-" ends with a hyphen."""
    yield from expect_refused(spec, [], "abc-", "InvalidDacLabel")


@vector_case("registry", "create_dac")
def test_empty_label(spec: ModuleType) -> Iterator[Part]:
    """The empty label."""
    yield from expect_refused(spec, [], "", "InvalidDacLabel")


@vector_case("registry", "create_dac")
def test_label_with_underscore(spec: ModuleType) -> Iterator[Part]:
    """"a_b": an underscore is not a DNS label character."""
    yield from expect_refused(spec, [], "a_b", "InvalidDacLabel")


@vector_case("registry", "create_dac")
def test_label_with_dot(spec: ModuleType) -> Iterator[Part]:
    """"a.b" is two labels, not one."""
    yield from expect_refused(spec, [], "a.b", "InvalidDacLabel")


@vector_case("registry", "create_dac")
def test_non_ascii_label(spec: ModuleType) -> Iterator[Part]:
    """"ü" is refused rather than folded."""
    yield from expect_refused(spec, [], "ü", "InvalidDacLabel")


@vector_case("registry", "create_dac")
def test_kelvin_sign_is_not_folded(spec: ModuleType) -> Iterator[Part]:
    """"\u212aelvin" starts with KELVIN SIGN (U+212A), which Unicode lower-cases to an ASCII "k": still refused."""
    label = "\u212aelvin"
    assert label.lower() == "kelvin"  # what a client folding by Unicode rules would wrongly accept
    yield from expect_refused(spec, [], label, "InvalidDacLabel")


@vector_case("registry", "create_dac")
def test_invalid_charter(spec: ModuleType) -> Iterator[Part]:
    """A valid, free label with a charter whose tax thresholds are out of order."""
    yield from expect_refused(spec, [], "acme", "TaxThresholdsNotIncreasing", bad_tax_charter(spec))


@vector_case("registry", "create_dac")
def test_charter_with_unknown_action(spec: ModuleType) -> Iterator[Part]:
    """A valid, free label with a charter naming action 0x104."""
    yield from expect_refused(spec, [], "acme", "UnknownPermissionAction", bad_action_charter(spec))


@vector_case("registry", "create_dac")
def test_label_form_checked_before_charter(spec: ModuleType) -> Iterator[Part]:
    """A malformed label and an invalid charter: the label is reported."""
    yield from expect_refused(spec, [], "-acme", "InvalidDacLabel", bad_tax_charter(spec))


@vector_case("registry", "create_dac")
def test_label_uniqueness_checked_before_charter(spec: ModuleType) -> Iterator[Part]:
    """A taken label and an invalid charter: the label is reported."""
    yield from expect_refused(spec, ["acme"], "ACME", "DacLabelTaken", bad_action_charter(spec))
