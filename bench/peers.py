"""`python -m bench.peers [--sizes 500,5000] [--runs 3]` (`make bench-peers`): preflight side by side with cfn-lint
and checkov on the same stacks, alternately in one sitting (bench/README.md, "Side by side with cfn-lint and
checkov").

For each size, preflight gates the synthetic stack (bench/synthetic.py) as `python -m bench` runs it, and the
peers check the equivalent CloudFormation (bench/cloudformation.py), as one template and, when it holds more than
500 resources, split into templates of at most 500 (one process for all the parts). The peers run from their own
virtual environment, bench/.peers-venv (git-ignored), with the exact versions of PEERS: not the project's
requirements. Each command runs --runs times, in turn; the tables give min / median / max wall and CPU time of
each, and the ratios preflight / peer of each run's pair (run i of preflight over run i of the peer). The load
average is printed before and after each size. Written to bench/results/peers.md (git-ignored) as well as printed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench.cloudformation import MAX_RESOURCES, cfn_resource_count, templates, write
from bench.synthetic import stack_yaml
from bench.timing import Timing, spread, timed

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
VENV = ROOT / "bench" / ".peers-venv"
PEERS = ("cfn-lint==1.58.0", "checkov==3.3.30")
SIZES = (500, 5000)
PROFILE = "policies/profiles/baseline.json"
REGION = "eu-west-1"  # the synthetic stacks' aws:region
# Checkov: the CloudFormation runner only (without it checkov also runs its other runners on the same files, such
# as secrets; about 1.2 s more at 500), and no download of guideline metadata from the platform (offline, as
# preflight and cfn-lint are; without an API key it only adds guideline links to the findings).
CHECKOV_FLAGS = ["--framework", "cloudformation", "--skip-download", "-o", "json"]
# Exit codes of a run that checked (anything else is a crash): preflight 1 = mandatory violations; cfn-lint's bits
# 2, 4, 8 = errors, warnings, informational findings; checkov 1 = failed checks.
VERDICT_EXITS = {"preflight": {0, 1}, "cfn-lint": set(range(0, 16, 2)), "checkov": {0, 1}}


@dataclass
class Command:
    label: str
    templates: int
    argv: list[str]
    output: Path
    runs: list[Timing] = field(default_factory=list)

    def run(self) -> None:
        with self.output.open("w") as stdout:
            timing = timed(self.argv, ROOT, stdout)
        if timing.exit_code not in VERDICT_EXITS[self.label]:
            raise SystemExit(f"bench: {self.label} failed with exit code {timing.exit_code}: {' '.join(self.argv)}")
        self.runs.append(timing)


def peers_env() -> dict[str, str]:
    """The peers' own environment, created (or re-created when PEERS changed); their installed versions."""
    stamp = VENV / ".installed"
    wanted = "\n".join(PEERS) + "\n"
    python = str(VENV / "bin" / "python")
    if not stamp.exists() or stamp.read_text() != wanted:
        print(f"bench: installing {', '.join(PEERS)} into {VENV.relative_to(ROOT)}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
        subprocess.run([python, "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
        subprocess.run([python, "-m", "pip", "install", "-q", *PEERS], check=True)
        stamp.write_text(wanted)
    names = [pin.split("==")[0] for pin in PEERS]
    out = subprocess.run([python, "-c", "import importlib.metadata as m, sys; print(*(m.version(n) for n in "
                          "sys.argv[1:]))", *names], check=True, capture_output=True, text=True).stdout.split()
    return dict(zip(names, out, strict=True))


def commands(size: int, folder: Path) -> list[Command]:
    """preflight on the stack file, then each peer on the one template and on the split ones."""
    folder.mkdir(parents=True, exist_ok=True)
    stack_file = folder / f"Pulumi.bench-{size}.yaml"
    stack_file.write_text(stack_yaml(size))
    single, parts = templates(size)
    one = [str(write(single, folder / "template.json"))]
    split = [str(write(part, folder / f"part-{index + 1:02d}.json")) for index, part in enumerate(parts)]
    bin_ = VENV / "bin"
    found = [Command("preflight", 0, [sys.executable, "-m", "preflight", "--stack", f"bench-{size}",
                                      "--policy-pack-config", PROFILE, "--json", "--config-file", str(stack_file)],
                     folder / "preflight.out.json")]
    shapes = ((one, "one"), (split, "split")) if len(split) > 1 else ((one, "one"),)  # split: only when it differs
    for files, kind in shapes:
        found.append(Command("cfn-lint", len(files), [str(bin_ / "cfn-lint"), *files, "--format", "json",
                                                      "--regions", REGION], folder / f"cfn-lint-{kind}.out.json"))
    for files, kind in shapes:
        found.append(Command("checkov", len(files), [str(bin_ / "checkov"), *(arg for f in files for arg in ("-f", f)),
                                                     *CHECKOV_FLAGS], folder / f"checkov-{kind}.out.json"))
    return found


def findings(command: Command) -> str:
    """What the last run reported, from its JSON output."""
    try:
        document = json.loads(command.output.read_text())
    except (OSError, json.JSONDecodeError) as error:
        return f"unreadable output ({error.__class__.__name__})"
    if command.label == "preflight":
        summary = document["summary"]
        return (f"{summary['mandatory']} mandatory, {summary['advisory']} advisory, {summary['couldNotRun']} could "
                "not run")
    if command.label == "cfn-lint":
        if not document:
            return "none"
        levels = [match["Level"] for match in document]
        rules = sorted({match["Rule"]["Id"] for match in document})
        return ", ".join(f"{level} {levels.count(level)}" for level in dict.fromkeys(levels)) + f" ({', '.join(rules)})"
    reports = document if isinstance(document, list) else [document]
    failed = sorted({check["check_id"] for report in reports for check in report["results"]["failed_checks"]})
    passed, fails, errors = (sum(report["summary"][key] for report in reports)
                             for key in ("passed", "failed", "parsing_errors"))
    return f"{passed} passed, {fails} failed ({', '.join(failed)}), {errors} parsing errors"


def _ratios(ours: list[Timing], theirs: list[Timing], attribute: str) -> str:
    return spread([getattr(a, attribute) / getattr(b, attribute) for a, b in zip(ours, theirs, strict=True)])


def measure(size: int, runs: int) -> tuple[list[Command], tuple[float, float]]:
    cases = commands(size, RESULTS / "peers" / str(size))
    for command in cases:  # once untimed: the files in the page cache, the peers' bytecode compiled
        subprocess.run(command.argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    before = os.getloadavg()[0]
    for index in range(runs):
        for command in cases:
            command.run()
            last = command.runs[-1]
            print(f"bench: {size}, run {index + 1}: {command.label} ({command.templates or 'stack file'}): wall "
                  f"{last.wall_s:.2f} s, CPU {last.cpu_s:.2f} s, exit {last.exit_code}", file=sys.stderr)
    return cases, (before, os.getloadavg()[0])


def report(results: dict[int, tuple[list[Command], tuple[float, float]]], versions: dict[str, str], runs: int,
           started: datetime.datetime) -> str:
    lines = ["| size: ours / CloudFormation | command | templates | wall min / median / max (s) "
             "| CPU min / median / max (s) | peak RSS (MB) | exit | findings (last run) |",
             "|---|---|--:|---|---|--:|---|---|"]
    ratios = ["| size | preflight / | wall ratio min / median / max | CPU ratio min / median / max |",
              "|---|---|---|---|"]
    loads = []
    for size, (cases, (before, after)) in results.items():
        preflight = cases[0]
        for command in cases:
            label = f"{command.label} {versions[command.label]}" if command.label in versions else command.label
            exits = "/".join(sorted({str(t.exit_code) for t in command.runs}))
            lines.append(f"| {size:,} / {cfn_resource_count(size):,} | {label} | {command.templates or '-'} "
                         f"| {spread([t.wall_s for t in command.runs])} | {spread([t.cpu_s for t in command.runs])} "
                         f"| {max(t.peak_rss_mb for t in command.runs):.0f} | {exits} | {findings(command)} |")
            if command is not preflight:
                plural = "s" if command.templates > 1 else ""
                ratios.append(f"| {size:,} | {command.label}, {command.templates} template{plural} "
                              f"| {_ratios(preflight.runs, command.runs, 'wall_s')} "
                              f"| {_ratios(preflight.runs, command.runs, 'cpu_s')} |")
        loads.append(f"{size:,}: {before:.1f} before, {after:.1f} after")
    finished = datetime.datetime.now(datetime.UTC)
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True,
                            check=False).stdout.strip() or "unknown"
    return "\n".join([
        *lines, "", *ratios, "",
        f"Run {started:%d %b %Y, %H:%M}-{finished:%H:%M} UTC on {os.cpu_count()} CPUs ({platform.machine()}, Python "
        f"{platform.python_version()}); {runs} runs of each command, alternating, after one untimed run of each; "
        f"templates of at most {MAX_RESOURCES} resources when split; preflight at {commit}; load average (1 min) "
        f"{'; '.join(loads)}.",
    ])


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.peers", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="synthetic stack sizes (our resources)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each command, alternating (default: 3)")
    args = parser.parse_args()
    versions = peers_env()
    started = datetime.datetime.now(datetime.UTC)
    results = {size: measure(size, args.runs) for size in sorted({int(size) for size in args.sizes.split(",")})}
    text = report(results, versions, args.runs, started)
    print(text)
    (RESULTS / "peers.md").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
