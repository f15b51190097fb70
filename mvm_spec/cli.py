"""``mvm-spec``: render the spec, emit and check vectors, run a client against them, diff forks."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

from tqdm import tqdm


def _build(args: argparse.Namespace) -> int:
    from .compiler import SpecSourceError, build, check

    try:
        if args.check:
            problems = check(args.root)
            for problem in problems:
                print(problem, file=sys.stderr)
            if problems:
                print(
                    "\nThe rendered spec modules are out of date with spec/ (never edit them by hand).\n"
                    "Fix: run `make vectors` (or `mvm-spec build` then `mvm-spec vectors`) and commit the result.",
                    file=sys.stderr,
                )
                return 1
            print("rendered modules match spec/")
            return 0
        for path in build(args.root):
            print(f"rendered {path.relative_to(args.root) if path.is_relative_to(args.root) else path}")
        return 0
    except SpecSourceError as error:
        print(f"spec error: {error}", file=sys.stderr)
        return 2


def _vectors(args: argparse.Namespace) -> int:
    from .vectors.formats_doc import page_problems, render_formats_page
    from .vectors.writer import (
        case_instances,
        compare_files,
        load_cases,
        render_vector,
        with_schemas_and_manifest,
        write_files,
        write_tarball,
    )

    cases = load_cases(args.cases)
    instances = case_instances(cases)
    rendered = [
        render_vector(case, fork, preset)
        for case, fork, preset in tqdm(instances, desc="vectors", unit="case", disable=None, file=sys.stderr)
    ]
    files = with_schemas_and_manifest(rendered)
    page = render_formats_page(args.cases.resolve().parents[1])  # the repository of the cases: its presets/
    if args.tarball:
        write_tarball(files, args.tarball)
        print(f"wrote {args.tarball}")
    if args.check:
        problems = compare_files(args.out, files)
        problems += page_problems(args.formats_page, page)
        for problem in problems[:50]:
            print(problem, file=sys.stderr)
        if problems:
            print(
                f"\n{len(problems)} vector file(s) differ from what the spec and tests/cases generate.\n"
                "Fix: run `make vectors` and commit tests/vectors/ and docs/formats.md (review the diff: a changed vector is a changed rule).",
                file=sys.stderr,
            )
            return 1
        print(f"{len(rendered)} vectors match tests/cases and the spec")
        return 0
    written, removed = write_files(args.out, files)
    args.formats_page.write_text(page, encoding="utf-8")
    per_runner = Counter(case.runner for case, _, _ in instances)
    for runner in sorted(per_runner):
        print(f"{runner:<20} {per_runner[runner]:>6} vectors")
    print(f"{'total':<20} {len(rendered):>6} vectors ({written} files written, {removed} removed) in {args.out}")
    return 0


def _conformance(args: argparse.Namespace) -> int:
    from .conformance.runner import find_repository_vectors, format_report, load_vectors, run_conformance

    if args.vectors is None:
        args.vectors = find_repository_vectors(Path.cwd())
        if args.vectors is None:
            print(
                f"no vectors: {Path.cwd()} is not inside an mvm-spec repository (no tests/vectors/manifest.json here "
                "or above); give the vectors' folder with --vectors DIR",
                file=sys.stderr,
            )
            return 2
    try:
        vectors = load_vectors(args.vectors, args.preset, args.fork, args.runner)
    except (OSError, ValueError) as error:
        print(f"cannot load vectors from {args.vectors}: {error}", file=sys.stderr)
        return 2
    if not vectors:
        print("no vectors match the filters", file=sys.stderr)
        return 2
    report = run_conformance(vectors, args.client, args.timeout, trace=args.trace)
    print(format_report(report, args.max_differences))
    if args.coverage:
        from .conformance.coverage import format_coverage, measure

        print(format_coverage(measure(outcome.vector for outcome in report.outcomes if outcome.status == "passed")))
    failed = report.count("failed") > 0 or bool(report.client_problem)
    unanswered = report.count("unanswered") > 0
    return 1 if failed or (args.require_all and unanswered) else 0


def _trace(args: argparse.Namespace) -> int:
    from .conformance.client import answer
    from .conformance.runner import Vector

    try:
        document = json.loads(args.vector.read_text(encoding="utf-8"))
        runner = document["_info"]["runner"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"cannot read a vector from {args.vector}: {error}", file=sys.stderr)
        return 2
    if runner != "state_transition":
        print(f"{args.vector} is a {runner} vector: only state_transition vectors execute code", file=sys.stderr)
        return 2
    reply = answer(Vector(str(args.vector), document).request(0) | {"trace": True})
    if "trace" not in reply:
        reason = reply.get("error") or reply.get("protocol_error") or reply.get("crash")
        print(f"{args.vector}: the spec rejects the block ({reason}), so nothing is traced", file=sys.stderr)
        return 1
    for index, lines in enumerate(reply["trace"]):
        if args.execution is None or args.execution == index:
            print("\n".join(json.dumps(line, separators=(",", ":")) for line in lines))
    return 0


def _client(args: argparse.Namespace) -> int:
    from .conformance.client import serve

    serve()
    return 0


def _diff(args: argparse.Namespace) -> int:
    from .compiler import SpecSourceError
    from .compiler.diff import diff_forks, format_fork_diff

    try:
        print(format_fork_diff(diff_forks(args.spec_root, args.old, args.new, args.vectors)))
    except (SpecSourceError, KeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


def _cid(args: argparse.Namespace) -> int:
    from .forks import load_spec
    from .storage_backend import IpfsHttpBackend, StorageBackendUnavailable

    spec = load_spec("v1", "mainnet")
    status = 0
    for path in args.files:
        try:
            data = path.read_bytes()
            cid = spec.compute_cid(data)
            if args.ipfs_api:
                IpfsHttpBackend(spec, args.ipfs_api).add(data)  # the node must give the data the same id
        except (OSError, StorageBackendUnavailable, spec.SpecError) as error:
            print(f"{path}: {type(error).__name__}: {error}", file=sys.stderr)
            status = 1
            continue
        print(f"{spec.format_cid(cid)}  {path}")
    return status


def _fuzz(args: argparse.Namespace) -> int:
    try:
        from .fuzz import TARGETS, format_fuzz_report, fuzz, vector_targets
    except ImportError as error:  # Hypothesis is a development dependency
        print(f"mvm-spec fuzz needs Hypothesis (pip install 'mvm-spec[dev]'): {error}", file=sys.stderr)
        return 2
    from .conformance.runner import find_repository_vectors

    folder = args.vectors or find_repository_vectors(Path.cwd())
    known = sorted(set(TARGETS) | set(vector_targets(folder, "v1", args.preset)))
    chosen = sorted(TARGETS) if not args.all else known
    if args.target:
        chosen = [target for name in args.target for target in known if name in (target[0], "/".join(target))]
        unknown = [name for name in args.target if not any(name in (t[0], "/".join(t)) for t in known)]
        if unknown:
            names = ", ".join(f"{runner}/{handler}" for runner, handler in known)
            print(f"unknown target(s) {', '.join(unknown)}; targets: {names}", file=sys.stderr)
            return 2
    report = fuzz(args.client, chosen, args.examples, args.seed, preset=args.preset, timeout=args.timeout, vectors=folder)
    print(format_fuzz_report(report))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        for result in report.disagreements:
            path = args.out / f"{result.runner}_{result.handler}_fuzz.json"
            path.write_text(json.dumps(result.vector, indent=2, ensure_ascii=True) + "\n", encoding="utf-8")
            print(f"wrote {path}")
        for result in report.spec_crashes:  # a request, not a vector: the spec has no answer to expect
            path = args.out / f"{result.runner}_{result.handler}_spec_crash.json"
            path.write_text(json.dumps(result.crash_request, indent=2, ensure_ascii=True) + "\n", encoding="utf-8")
            print(f"wrote {path}")
    return 1 if report.disagreements or report.spec_crashes or report.client_problem else 0


def _t8n(args: argparse.Namespace) -> int:
    from .forks import load_spec
    from .t8n import T8nInputError, dumps, transition

    names = {"alloc": args.input_alloc, "env": args.input_env, "txs": args.input_txs, "charter": args.input_charter}
    from_stdin = json.load(sys.stdin) if "stdin" in names.values() else {}
    inputs = {}
    for key, name in names.items():
        if name is None:
            continue
        if name == "stdin":
            if key in from_stdin:
                inputs[key] = from_stdin[key]
            continue
        path = Path(name) if Path(name).is_absolute() else Path(args.input_basedir) / name
        inputs[key] = json.loads(path.read_text(encoding="utf-8"))
    if args.state_fork.lower() not in ("cancun", args.fork):
        print(f"--state.fork {args.state_fork}: the MVM's EVM is Cancun (or name the MVM fork, {args.fork})", file=sys.stderr)
        return 2
    try:
        done = transition(
            load_spec(args.fork, args.preset),
            inputs.get("alloc", {}),
            inputs["env"],
            inputs.get("txs", []),
            chain_id=args.state_chainid,
            charter=inputs.get("charter"),
            state_test=args.state_test,
        )
    except (T8nInputError, KeyError) as error:
        print(f"t8n: bad input: {error}", file=sys.stderr)
        return 2
    if args.state_reward not in (None, 0, -1):
        print("--state.reward: an L2 block pays no block reward (-1 or 0, as after Ethereum's merge)", file=sys.stderr)
        return 2
    outputs: dict[str, tuple[str, object]] = {"result": (args.output_result, done.result)}
    if args.output_body:
        outputs["body"] = (args.output_body, done.body)
    if args.output_alloc:  # reading every account costs more than many transitions: only on request
        outputs["alloc"] = (args.output_alloc, done.post_alloc())
    to_stdout = {key: document for key, (name, document) in outputs.items() if name == "stdout"}
    for key, (name, document) in outputs.items():
        if name not in ("stdout", "stderr"):
            path = Path(args.output_basedir) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(dumps(document), encoding="utf-8")
        elif name == "stderr":
            print(dumps(document), file=sys.stderr, end="")
    if to_stdout:
        print(dumps(to_stdout), end="")
    return 0


def _mutants(args: argparse.Namespace) -> int:
    import time

    from .forks import PRESETS
    from .mutation import format_report, parse_explanations, run_mutants, write_report

    explanations = []
    if args.explanations.is_file():
        explanations = parse_explanations(args.explanations.read_text(encoding="utf-8"))
    start = time.perf_counter()
    with tqdm(desc="mutants", unit="mutant", disable=None, file=sys.stderr) as bar:
        report = run_mutants(
            args.fork,
            args.preset or PRESETS,
            args.vectors,
            args.function,
            args.runner,
            args.jobs,
            explanations,
            args.time_floor,
            args.time_factor,
            progress=bar.update,
        )
    write_report(report, args.out)
    print(format_report(report, time.perf_counter() - start, args.jobs))
    print(f"\nwrote {args.out}")
    unexplained = report.classified(None)
    return 0 if report.score * 100 >= args.goal and not unexplained else 1


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mvm-spec", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="render spec/*.md into mvm_spec/forks/")
    build.add_argument("--root", type=Path, default=Path.cwd(), help="repository root (default: current folder)")
    build.add_argument("--check", action="store_true", help="fail if the rendered modules differ from spec/")
    build.set_defaults(run=_build)

    vectors = commands.add_parser("vectors", help="emit every conformance vector (runs tests/cases)")
    vectors.add_argument("--cases", type=Path, default=Path("tests/cases"))
    vectors.add_argument("--out", type=Path, default=Path("tests/vectors"))
    vectors.add_argument("--check", action="store_true", help="fail if the vectors on disk differ from a fresh run")
    vectors.add_argument(
        "--formats-page", type=Path, default=Path("docs/formats.md"), help="the page of every runner's formats, generated"
    )
    vectors.add_argument("--tarball", type=Path, help="also write a reproducible .tar.gz of the vectors")
    vectors.set_defaults(run=_vectors)

    conformance = commands.add_parser("conformance", help="check a client against the vectors")
    conformance.add_argument("--client", required=True, help='command that starts the client, e.g. "mvm-spec client"')
    conformance.add_argument(
        "--vectors",
        type=Path,
        help="the vectors' folder (default: tests/vectors of the repository the current folder is in)",
    )
    conformance.add_argument("--preset", action="append", help="only this preset (repeatable)")
    conformance.add_argument("--fork", action="append", help="only this fork (repeatable)")
    conformance.add_argument("--runner", action="append", help="only this runner (repeatable)")
    conformance.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for each answer")
    conformance.add_argument("--max-differences", type=int, default=10)
    conformance.add_argument("--require-all", action="store_true", help="also fail on vectors the client did not answer")
    conformance.add_argument(
        "--coverage",
        action="store_true",
        help="also list the spec functions and error names the passed vectors exercise, and those they do not",
    )
    conformance.add_argument(
        "--trace",
        action="store_true",
        help="for each failed state_transition vector, ask the client for its trace and show the first step "
        "where it departs from the spec's (docs/protocol.md#traces)",
    )
    conformance.set_defaults(run=_conformance)

    trace = commands.add_parser(
        "trace", help="the spec's per-opcode trace of a state_transition vector's block (EIP-3155 JSON lines)"
    )
    trace.add_argument("vector", type=Path, help="a state_transition vector file")
    trace.add_argument(
        "--execution", type=int, help="only this execution: its index among the block's deposits, then transactions"
    )
    trace.set_defaults(run=_trace)

    client = commands.add_parser("client", help="the reference client: the spec over the JSON-lines protocol")
    client.set_defaults(run=_client)

    diff = commands.add_parser("diff", help="what changes between two forks: definitions and vectors")
    diff.add_argument("old")
    diff.add_argument("new")
    diff.add_argument("--spec-root", type=Path, default=Path("spec"))
    diff.add_argument("--vectors", type=Path, default=Path("tests/vectors"))
    diff.set_defaults(run=_diff)

    fuzz = commands.add_parser("fuzz", help="differential fuzzing of a client against the spec, shrunk to a vector")
    fuzz.add_argument("--client", required=True, help='command that starts the client, e.g. "mvm-spec client"')
    fuzz.add_argument(
        "--target", action="append", help="only this runner/handler, or every handler of a runner (repeatable)"
    )
    fuzz.add_argument(
        "--all", action="store_true", help="every handler with vectors (default: those with a strategy of their own)"
    )
    fuzz.add_argument("--vectors", type=Path, help="the vectors that handlers without a strategy are fuzzed from")
    fuzz.add_argument("--examples", type=int, default=300, help="requests drawn per target before it counts as agreeing")
    fuzz.add_argument("--seed", type=int, default=0, help="Hypothesis's seed: the same seed draws the same requests")
    fuzz.add_argument("--preset", default="minimal", choices=["minimal", "mainnet"])
    fuzz.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for each answer")
    fuzz.add_argument(
        "--out", type=Path, help="also write each minimal disagreement as a vector file (and each spec crash as its request)"
    )
    fuzz.set_defaults(run=_fuzz)

    t8n = commands.add_parser(
        "t8n", help="the transition tool of Ethereum's test tooling (alloc, env, txs in; result, alloc out)"
    )
    t8n.add_argument("--input.alloc", dest="input_alloc", default="alloc.json", help='a file, or "stdin"')
    t8n.add_argument("--input.env", dest="input_env", default="env.json", help='a file, or "stdin"')
    t8n.add_argument("--input.txs", dest="input_txs", default="txs.json", help='a file, or "stdin"')
    t8n.add_argument(
        "--input.charter", dest="input_charter", help='the MVM charter, vector JSON (a file, or "stdin"; default: empty)'
    )
    t8n.add_argument("--input.basedir", dest="input_basedir", default=".", help="folder of relative input files")
    t8n.add_argument("--output.result", dest="output_result", default="result.json", help='a file, "stdout" or "stderr"')
    t8n.add_argument(
        "--output.alloc", dest="output_alloc", default="alloc.json", help='a file, "stdout", "stderr" or "" (none)'
    )
    t8n.add_argument("--output.basedir", dest="output_basedir", default=".", help="folder of the output files")
    t8n.add_argument("--output.body", dest="output_body", help='the included transactions, their RLP list as hex')
    t8n.add_argument("--state.chainid", dest="state_chainid", type=int, default=1)
    t8n.add_argument("--state.reward", dest="state_reward", type=int, help="-1 or 0: an L2 block pays no reward")
    t8n.add_argument("--state.fork", dest="state_fork", default="Cancun", help="Cancun, the EVM the MVM runs")
    t8n.add_argument("--state-test", dest="state_test", action="store_true", help="one transaction, no system call")
    t8n.add_argument("--fork", default="v1", help="the MVM fork whose rules apply")
    t8n.add_argument("--preset", default="mainnet", choices=["minimal", "mainnet"])
    t8n.set_defaults(run=_t8n)

    mutants = commands.add_parser(
        "mutants", help="mutation testing: mutate the spec's functions one point at a time, replay the vectors"
    )
    mutants.add_argument("--fork", action="append", help="only this fork's modules (repeatable; default: every fork)")
    mutants.add_argument(
        "--preset", action="append", choices=["minimal", "mainnet"], help="only this preset (default: both)"
    )
    mutants.add_argument("--function", action="append", help="only this spec function (repeatable)")
    mutants.add_argument("--runner", action="append", help="hunt with this runner's vectors only (repeatable)")
    mutants.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    mutants.add_argument("--vectors", type=Path, default=Path("tests/vectors"))
    mutants.add_argument(
        "--explanations", type=Path, default=Path("tests/vectors/MUTANTS.md"), help="why each survivor survives"
    )
    mutants.add_argument("--out", type=Path, default=Path("build/mutants/report.json"), help="the JSON report")
    mutants.add_argument("--goal", type=float, default=99.0, help="percent of non-equivalent mutants to kill")
    mutants.add_argument("--time-floor", type=float, default=2.0, help="seconds a vector may always take")
    mutants.add_argument(
        "--time-factor", type=float, default=20.0, help="a vector may take this many times its unmutated time"
    )
    mutants.set_defaults(run=_mutants)

    cid = commands.add_parser("cid", help="content ids of files, as `ipfs add --cid-version 1 --raw-leaves` prints them")
    cid.add_argument("files", type=Path, nargs="+")
    cid.add_argument(
        "--ipfs-api",
        default=os.environ.get("MVM_IPFS_API"),
        help="also add each file to this Kubo node's HTTP RPC API (default: $MVM_IPFS_API) and check its id",
    )
    cid.set_defaults(run=_cid)

    simulate = commands.add_parser("simulate", help="simulations of the protocol's rules")
    simulations = simulate.add_subparsers(dest="simulation", required=True)
    finality = simulations.add_parser(
        "finality", help="withdrawal latency under v1's full window and v2's fast window (mainnet preset)"
    )
    finality.add_argument("--dacs", type=int, default=100)
    finality.add_argument("--rangers", type=int, default=50)
    finality.add_argument("--honest", type=float, default=0.9, help="the share of rangers that validate")
    finality.add_argument("--days", type=int, default=365)
    finality.add_argument("--seed", type=int, default=1)
    finality.add_argument("--plot", help="write the latency curve to PLOT.png and PLOT.svg")
    finality.add_argument(
        "--sweep", type=int, nargs="*", default=[100, 250, 500, 1000], help="ranger counts of the curve (with --plot)"
    )
    finality.set_defaults(run=_simulate)
    return parser


def _simulate(args: argparse.Namespace) -> int:
    from .forks import load_spec
    from .simulate import Scenario, plot, simulate, summary, sweep

    spec = load_spec("v2", "mainnet")
    base = Scenario(args.dacs, args.rangers, args.honest, args.days, seed=args.seed)
    epochs = base.days * 86_400 // (int(spec.L1_BLOCKS_PER_EPOCH) * 12) + 1
    others = sorted(set(args.sweep) - {args.rangers}) if args.plot else []
    with tqdm(total=epochs * (len(others) + 1), desc="epochs", unit="epoch", disable=None, file=sys.stderr) as bar:
        headline = simulate(spec, base, bar.update)
        curve = sorted([headline, *sweep(spec, base, others, bar.update)], key=lambda item: item.scenario.rangers)
    print("\n".join(summary(headline)))
    if args.plot:
        for latencies in curve:
            print(
                f"  rangers {latencies.scenario.rangers:>6}: v2 median {latencies.percentile('v2', 0.5):5.2f} d, "
                f"p95 {latencies.percentile('v2', 0.95):5.2f} d, quorum reached {latencies.quorum_share:6.1%}"
            )
        for path in plot(curve, args.plot):
            print(f"wrote {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
