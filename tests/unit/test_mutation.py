"""``mvm-spec mutants`` itself, on a tiny module whose mutants are worked out by hand, and on one rule of the spec.

The fixture's "vectors" are calls with the answer worked out by hand; the replay calls the mutated module and
compares, reporting a spec error by its class name as the reference client does.
"""

from __future__ import annotations

import ast
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from mvm_spec.cli import main
from mvm_spec.forks import PRESETS, available_forks, load_spec
from mvm_spec.mutation import (
    Failure,
    Report,
    Status,
    Verdict,
    collect_definitions,
    compile_mutant,
    definition_mutants,
    generate_mutants,
    hunt_function,
    module_functions,
    module_source,
    parse_explanations,
    run_mutants,
)

ROOT = Path(__file__).resolve().parents[2]

FIXTURE = '''
from __future__ import annotations


class SpecError(Exception):
    pass


class AmountTooLarge(SpecError):
    pass


LIMIT = 100


def check_amount(amount: int) -> int:
    if amount > LIMIT:
        raise AmountTooLarge(f"{amount} is above {LIMIT + 1 - 1}")
    return amount


def larger(first: int, second: int) -> int:
    return first if first >= second else second


def tagged(data: bytes) -> bytes:
    return b"\\x01" + data


def count_down(start: int) -> int:
    steps = 0
    while start > 0:
        start -= 1
        steps += 1
    return steps
'''

FixtureVector = tuple[str, tuple[Any, ...], Any]  # function, arguments, the answer worked out by hand


def load_fixture() -> ModuleType:
    module = ModuleType("mutation_fixture")
    module.__file__ = "mutation_fixture.py"
    exec(compile(FIXTURE, "mutation_fixture.py", "exec"), vars(module))
    return module


def hunt_fixture(name: str, vectors: list[FixtureVector], seconds: float = 2.0) -> dict[str, Verdict]:
    """Each mutant of fixture function ``name``, by label, and its verdict against ``vectors``."""
    module = load_fixture()

    def replay(vector: FixtureVector) -> Failure | None:
        function, arguments, expected = vector
        try:
            answer = getattr(module, function)(*arguments)
        except module.SpecError as error:
            answer = type(error).__name__
        return None if answer == expected else Failure("killed", f"{answer!r}, expected {expected!r}")

    function = module_functions(ast.parse(FIXTURE))[name]
    mutants = generate_mutants(FIXTURE, [name])
    named = [(f"{vector[0]}{vector[1]}", vector, seconds) for vector in vectors]
    verdicts = hunt_function([module], function, mutants, named, replay)
    return {mutant.label: verdict for mutant, verdict in zip(mutants, verdicts)}


def test_the_mutants_of_a_validity_check() -> None:
    # Lines within the function (its def is line 1): the comparison is on line 2, the raise on 3. The error message is never mutated.
    assert [mutant.label for mutant in generate_mutants(FIXTURE, ["check_amount"])] == [
        "check_amount: 2: amount > LIMIT -> amount >= LIMIT",
        "check_amount: 2: amount > LIMIT -> amount <= LIMIT",
        "check_amount: 3: raise AmountTooLarge(...) -> pass",
    ]


def test_a_vector_at_the_boundary_kills_what_vectors_inside_miss() -> None:
    inside: list[FixtureVector] = [("check_amount", (50,), 50), ("check_amount", (500,), "AmountTooLarge")]
    verdicts = hunt_fixture("check_amount", inside)
    assert [verdict.status for verdict in verdicts.values()] == ["survived", "killed", "killed"]
    assert verdicts["check_amount: 3: raise AmountTooLarge(...) -> pass"].vector == "check_amount(500,)"

    at_the_limit: FixtureVector = ("check_amount", (100,), 100)
    verdicts = hunt_fixture("check_amount", [*inside, at_the_limit])
    assert verdicts["check_amount: 2: amount > LIMIT -> amount >= LIMIT"] == Verdict(
        "killed", "check_amount(100,)", "'AmountTooLarge', expected 100", 3
    )


def test_an_equivalent_mutant_survives_every_vector() -> None:
    # At first == second both branches give the same number, so moving the boundary changes nothing.
    vectors: list[FixtureVector] = [("larger", (1, 2), 2), ("larger", (2, 1), 2), ("larger", (2, 2), 2)]
    verdicts = hunt_fixture("larger", vectors)
    assert verdicts["larger: 2: first >= second -> first > second"].status == "survived"
    assert verdicts["larger: 2: first >= second -> first < second"].status == "killed"


def test_a_crash_and_a_loop_are_killed_and_reported_apart() -> None:
    tagged = hunt_fixture("tagged", [("tagged", (b"\x02",), b"\x01\x02")])
    assert tagged["tagged: 2: b'\\x01' + data -> b'\\x01' - data"] == Verdict(
        "crashed", "tagged(b'\\x02',)", "TypeError", 1
    )
    counted = hunt_fixture("count_down", [("count_down", (3,), 3)], seconds=0.2)
    assert counted["count_down: 4: start -= 1 -> start += 1"].status == "timed_out"
    assert counted["count_down: 3: start > 0 -> start <= 0"].status == "killed"


def test_the_score_leaves_out_equivalent_mutants_only() -> None:
    markdown = """# Survivors
## Equivalent
### Grouped under a deeper heading, still equivalent
- `larger: 2: first >= second -> first > second`: at first == second both branches give the same number.
## Not worth a vector
- `check_amount`: the limit is never reached (a whole function's survivors).
## Something else
- `tagged: 2: b'\\x01' + data -> b'\\x01' - data`: not under a known heading, so not an explanation.
"""
    explanations = parse_explanations(markdown)
    assert [(item.classification, item.function, item.change) for item in explanations] == [
        ("equivalent", "larger", ("first >= second", "first > second")),
        ("not worth a vector", "check_amount", None),
    ]
    mutants = {mutant.label: mutant for mutant in generate_mutants(FIXTURE, ["larger", "check_amount"])}
    report = Report(["mutation_fixture.py"], 3, explanations=explanations)
    outcomes: dict[str, Status] = {
        "larger: 2: first >= second -> first > second": "survived",
        "larger: 2: first >= second -> first < second": "killed",
        "check_amount: 2: amount > LIMIT -> amount >= LIMIT": "survived",
        "check_amount: 2: amount > LIMIT -> amount <= LIMIT": "crashed",
        "check_amount: 3: raise AmountTooLarge(...) -> pass": "timed_out",
    }
    report.mutants = [(mutants[label], Verdict(status)) for label, status in outcomes.items()]
    # 5 mutants, 1 equivalent: 3 killed (a wrong answer, a crash, a time-out) of the 4 others.
    assert report.score == 3 / 4
    assert [mutant.label for mutant in report.classified("not worth a vector")] == [
        "check_amount: 2: amount > LIMIT -> amount >= LIMIT"
    ]
    assert report.to_json()["totals"] == {
        "mutants": 5, "killed": 1, "crashed": 1, "timed_out": 1, "survived": 2,
        "equivalent": 1, "not_worth_a_vector": 1, "open": 0, "unexplained": 0,
    }


def test_an_entry_names_its_line_only_where_the_change_repeats() -> None:
    # count_down turns 0 into 1 twice (its lines 2 and 3): an entry for one of them must give its line. Its
    # `start -= 1 -> start += 1` is made once: an entry written when it was on another line still names it.
    explanations = parse_explanations(
        "## Equivalent\n"
        "- `count_down: 2: 0 -> 1`: (a reason)\n"
        "- `count_down: 70: start -= 1 -> start += 1`: (a reason)\n"
    )
    mutants = generate_mutants(FIXTURE, ["count_down"])
    report = Report(["mutation_fixture.py"], 1, [(mutant, Verdict("survived")) for mutant in mutants], explanations)
    explained = {mutant.label for mutant, explanation in report.survivors() if explanation is not None}
    assert explained == {"count_down: 2: 0 -> 1", "count_down: 4: start -= 1 -> start += 1"}
    assert "count_down: 3: 0 -> 1" in {mutant.label for mutant in report.classified(None)}


def every_module() -> list[tuple[str, str, str]]:
    return [(fork, preset, module_source(load_spec(fork, preset))) for fork in available_forks() for preset in PRESETS]


def test_every_mutant_of_the_spec_compiles_to_what_it_says() -> None:
    modules = every_module()
    definitions = collect_definitions(modules)
    # v1's definitions are shared by both presets, and by v2 where it does not modify them.
    compute_tax = next(item for item in definitions if item.label == "compute_tax")
    assert compute_tax.modules == (("v1", "minimal"), ("v1", "mainnet"), ("v2", "minimal"), ("v2", "mainnet"))
    assert "is_state_batch_final (v2)" in {item.label for item in definitions}
    for definition in definitions:
        for mutant in definition_mutants(definition):  # compile_mutant also checks the change it makes is the label's
            assert compile_mutant(definition.node, mutant, "spec.py").co_name == definition.name


def test_explanations_in_mutants_md_name_mutants_that_exist() -> None:
    """An entry of tests/vectors/MUTANTS.md must name a definition, and a change the tool makes to it."""
    modules = every_module()
    lines: dict[str, dict[tuple[str, str], list[int]]] = {}
    for definition in collect_definitions(modules):
        made = lines.setdefault(definition.label, {})
        for mutant in definition_mutants(definition):
            made.setdefault((mutant.original, mutant.mutated), []).append(mutant.line)
    explanations = parse_explanations((ROOT / "tests" / "vectors" / "MUTANTS.md").read_text(encoding="utf-8"))
    assert explanations
    for item in explanations:
        assert item.function in lines, item
        assert item.text, f"{item.function}: an entry must say why"
        if item.change is not None:
            assert item.change in lines[item.function], item
            where = lines[item.function][item.change]
            assert len(where) == 1 or item.line in where, f"{item}: the change repeats, so the line must be right"


def test_a_spec_rule_hunted_in_one_or_two_processes_gives_the_same_report() -> None:
    # get_amount_in_tax_bracket's one survivor is worked out by hand: at value == lower the bracket holds
    # upper - lower == 0 whether it returns early or not, so `value <= lower` and `value < lower` agree.
    one, two = (
        run_mutants(["v1"], ["minimal"], ROOT / "tests" / "vectors", ["get_amount_in_tax_bracket"], ["tax"], jobs)
        for jobs in (1, 2)
    )
    assert one.to_json() == two.to_json()
    assert [mutant.label for mutant, _ in one.survivors()] == [
        "get_amount_in_tax_bracket: 3: value <= lower -> value < lower"
    ]
    # Counted by hand from the five lines of the rule: 4 on the early return, 4 on is_last_bracket, 4 on upper,
    # 2 on the last return.
    assert len(one.mutants) == 14 and one.count("killed", "crashed", "timed_out") == 13


def test_the_command_fails_on_an_unexplained_survivor(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    command = [
        "mutants", "--fork", "v1", "--preset", "minimal", "--runner", "tax", "--function", "get_amount_in_tax_bracket",
        "--jobs", "1", "--out", str(tmp_path / "report.json"), "--explanations", str(tmp_path / "MUTANTS.md"),
    ]
    assert main(command) == 1
    assert "survivors, unexplained (1):" in capsys.readouterr().out
    (tmp_path / "MUTANTS.md").write_text(
        "## Equivalent\n- `get_amount_in_tax_bracket: 3: value <= lower -> value < lower`: the bracket holds 0.\n",
        encoding="utf-8",
    )
    assert main(command) == 0
    assert "score       100.0% of non-equivalent mutants killed" in capsys.readouterr().out
