"""`python -m bench.org_scale [--runs 3]` (`make bench-org`): the organisation stack at scale, rendered by the
program and gated by preflight (a fresh process, the pack's start included) with the baseline profile: 5 plans as
5 backup policies, attached to the root, OUs and accounts, every target's effective policy computed (preflight's
"Backup plans by target", the pack's effective-plan and child-control policies). Two sizes, 50 accounts in 5 OUs
and 500 accounts in 50 OUs, alternately in one sitting; prints min / median / max wall and CPU time, peak memory
and the growth ratio of the medians (bench/README.md, "Organisation scale")."""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from bench.timing import Timing, spread, timed

ROOT = Path(__file__).resolve().parents[1]
PROFILE = "policies/profiles/baseline.json"
SIZES = ((50, 5), (500, 50))  # (accounts, OUs)
ROOT_ID = "r-ab12"


def organization(accounts: int, units: int) -> dict:
    """Pulumi.org.yaml's organization with five plans: `standard` on the root, `critical` on the first half of
    the OUs, `weekly` on every OU, `archive` on the second half, `account` on every account."""
    config = yaml.safe_load((ROOT / "Pulumi.org.yaml").read_text())["config"]
    plans = config["aws-backups:organization"]["plans"]
    standard, critical = plans
    ous = [f"ou-ab12-{index:08d}" for index in range(units)]
    ids = [f"{100000000000 + index}" for index in range(accounts)]
    standard["attachTo"] = [ROOT_ID]
    critical["attachTo"] = ous[: units // 2]
    # Each plan backs up daily too: the baseline profile judges every plan on its own (min-frequency).
    weekly = {**copy.deepcopy(standard), "name": "weekly", "attachTo": ous,
              "rules": [{"preset": "daily"}, {"preset": "weekly"}]}
    archive = {**copy.deepcopy(standard), "name": "archive", "attachTo": ous[units // 2:],
               "rules": [{"preset": "daily"}, {"preset": "monthly5Year", "deleteAfterDays": 1825}]}
    account = {**copy.deepcopy(critical), "name": "account", "attachTo": ids}
    config["aws-backups:organization"]["plans"] = [standard, critical, weekly, archive, account]
    config["aws-backups:organization"]["baseline"]["vaults"][0]["lock"]["minRetentionDays"] = 35
    return config



def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.org_scale", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each size, alternating (default: 3)")
    args = parser.parse_args()
    runs: dict[tuple[int, int], list[Timing]] = {size: [] for size in SIZES}
    shape: dict[tuple[int, int], tuple[int, int]] = {}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-org-") as scratch:
        files = {}
        for accounts, units in SIZES:
            path = Path(scratch) / f"org-{accounts}.yaml"
            path.write_text(yaml.safe_dump({"config": organization(accounts, units)}))
            files[(accounts, units)] = path
        for size, path in files.items():  # the shape of each, and that it passes (outside the timed runs)
            out = subprocess.run(_command(path), cwd=ROOT, capture_output=True, text=True, check=False)
            report = json.loads(out.stdout)
            shape[size] = (report["summary"]["resources"], len(report["organization"]))
            if out.returncode != 0:
                raise SystemExit(f"bench: the {size[0]}-account organisation fails the gate: {out.stderr[-500:]}")
        for _ in range(args.runs):
            for size, path in files.items():
                runs[size].append(timed(_command(path), ROOT))
    lines = ["| organisation | resources | targets (effective policies) | wall min / median / max (s) "
             "| CPU min / median / max (s) | peak RSS (MB) |", "|---|--:|--:|---|---|--:|"]
    for (accounts, units), timings in runs.items():
        resources, targets = shape[(accounts, units)]
        lines.append(f"| {accounts} accounts, {units} OUs, 5 plans | {resources} | {targets} "
                     f"| {spread([t.wall_s for t in timings])} | {spread([t.cpu_s for t in timings])} "
                     f"| {max(t.peak_rss_mb for t in timings):.0f} |")
    small, large = (runs[size] for size in SIZES)
    growth = statistics.median(t.wall_s for t in large) / statistics.median(t.wall_s for t in small)
    cpu = statistics.median(t.cpu_s for t in large) / statistics.median(t.cpu_s for t in small)
    lines += ["", f"Growth, 500 / 50 accounts (medians): wall {growth:.2f}, CPU {cpu:.2f}; {args.runs} runs each, "
                  f"alternating; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after, on "
                  f"{os.cpu_count()} CPUs"]
    print("\n".join(lines))
    return 0


def _command(path: Path) -> list[str]:
    return [sys.executable, "-m", "preflight", "--stack", "org", "--config-file", str(path),
            "--policy-pack-config", PROFILE, "--json"]


if __name__ == "__main__":
    sys.exit(main())
