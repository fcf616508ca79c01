"""`python -m bench` (`make bench`): preflight's wall time and peak memory on synthetic stacks and on prod.

Each case runs `python -m preflight --json` as a user would (a fresh process, the pack started included); wall
time is measured around the process; CPU time (user + system) and peak memory (the largest resident set) come
from `wait4` and cover preflight and the pack process it started and waited for. CPU time is the figure to
compare on a shared machine: wall time grows with the load average, which is printed with the table. Results
are printed as a Markdown table and written to bench/results/ (git-ignored); bench/README.md quotes them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.synthetic import stack_yaml
from bench.timing import timed

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
SIZES = (100, 500, 1000, 5000)
PROFILE = "policies/profiles/baseline.json"
TIMEOUT_S = 600


@dataclass
class Case:
    label: str
    resources: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    exit_code: int
    mandatory: int
    could_not_run: int


def run_case(label: str, stack: str, profile: str, config_file: Path | None = None) -> Case:
    command = [sys.executable, "-m", "preflight", "--stack", stack, "--policy-pack-config", profile, "--json"]
    if config_file is not None:
        command += ["--config-file", str(config_file)]
    output = RESULTS / f"{label}.json"
    with output.open("w") as stdout:
        timing = timed(command, ROOT, stdout)
    if timing.exit_code not in (0, 1):
        raise SystemExit(f"bench: {label} failed with exit code {timing.exit_code}: {' '.join(command)}")
    summary = json.loads(output.read_text())["summary"]
    return Case(label=label, resources=summary["resources"], wall_s=round(timing.wall_s, 2),
                cpu_s=round(timing.cpu_s, 2), peak_rss_mb=round(timing.peak_rss_mb, 1), exit_code=timing.exit_code,
                mandatory=summary["mandatory"], could_not_run=summary["couldNotRun"])


def table(cases: list[Case]) -> str:
    lines = ["| case | resources | wall (s) | CPU (s) | peak RSS (MB) | exit | mandatory | could not run |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {c.label} | {c.resources} | {c.wall_s:.2f} | {c.cpu_s:.2f} | {c.peak_rss_mb:.0f} | {c.exit_code} "
              f"| {c.mandatory} | {c.could_not_run} |" for c in cases]
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return "\n".join(lines) + f"\n\nLoad average after the run (1, 5, 15 min): {load} on {os.cpu_count()} CPUs"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="synthetic stack sizes (resources)")
    parser.add_argument("--profile", default=PROFILE, help="policy config used for every case")
    args = parser.parse_args()
    sizes = sorted({int(size) for size in args.sizes.split(",")} | {500})  # 500: the base of the growth ratio
    RESULTS.mkdir(parents=True, exist_ok=True)

    cases = [run_case("prod", "prod", "policies/profiles/sec-17a-4.json"),
             run_case("dev", "dev", "policies/profiles/dev.json")]
    for size in sizes:
        stack_file = RESULTS / f"Pulumi.bench-{size}.yaml"
        stack_file.write_text(stack_yaml(size))
        cases.append(run_case(f"synthetic-{size}", f"bench-{size}", args.profile, stack_file))
        print(f"bench: {cases[-1]}", file=sys.stderr)

    by_size = {c.resources: c for c in cases if c.label.startswith("synthetic-")}
    report = table(cases)
    if 500 in by_size and max(by_size) > 500:
        largest = max(by_size)
        wall = by_size[largest].wall_s / by_size[500].wall_s
        cpu = by_size[largest].cpu_s / by_size[500].cpu_s
        report += (f"\n\nGrowth, {largest} resources over 500 (target: at most 10, issue 19): wall {wall:.1f}, "
                   f"CPU {cpu:.1f}")
    print(report)
    (RESULTS / "latest.md").write_text(report + "\n")
    (RESULTS / "latest.json").write_text(json.dumps([asdict(c) for c in cases], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
