"""`python -m bench.review_speed [--runs 9]` (`make bench-review`): the review of an edit of prod against one
preflight of prod, run alternately in one sitting; prints min / median / max wall and CPU time of each and the
ratio of the medians (target: the review at most 1.3 times one preflight).

The edit is prod's yearly rule cut from 20 to 10 years (bench/review_case.py), in a temporary repository, so the
review runs both sides, the pack and the retention report on real git history.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from bench.review_case import YEARLY_CUT, edit, make_repo
from bench.timing import Timing, spread, timed

PROFILE = "policies/profiles/sec-17a-4.json"
TARGET = 1.3


def _commands(repo: Path) -> dict[str, list[str]]:
    profile = str(repo / PROFILE)
    return {
        "preflight prod": [sys.executable, "-m", "preflight", "--stack", "prod", "--policy-pack-config", profile,
                           "--json", "-C", str(repo)],
        "review of an edit of prod": [sys.executable, "-m", "preflight", "review", "--stack", "prod",
                                      "--policy-pack-config", profile, "--format", "md", "-C", str(repo)],
    }



def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.review_speed", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs of each, alternating (default: 9)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-review-") as scratch:
        repo = make_repo(Path(scratch))
        edit(repo, *YEARLY_CUT)
        commands = _commands(repo)
        runs: dict[str, list[Timing]] = {label: [] for label in commands}
        load_before = os.getloadavg()[0]
        for _ in range(args.runs):
            for label, command in commands.items():
                timing = timed(command, repo)
                if timing.exit_code not in (0, 1):
                    raise SystemExit(f"bench: {label} failed with exit code {timing.exit_code}")
                runs[label].append(timing)
    lines = ["| command | wall min / median / max (s) | CPU min / median / max (s) | peak RSS (MB) |",
             "|---|---|---|---:|"]
    for label, timings in runs.items():
        lines.append(f"| {label} | {spread([t.wall_s for t in timings])} | {spread([t.cpu_s for t in timings])} "
                     f"| {max(t.peak_rss_mb for t in timings):.0f} |")
    review, preflight = runs["review of an edit of prod"], runs["preflight prod"]
    wall = statistics.median(t.wall_s for t in review) / statistics.median(t.wall_s for t in preflight)
    cpu = statistics.median(t.cpu_s for t in review) / statistics.median(t.cpu_s for t in preflight)
    lines += ["", f"Ratio of the medians, review / preflight: wall {wall:.2f} (target at most {TARGET}), "
                  f"CPU {cpu:.2f}; {args.runs} runs each, alternating; load average {load_before:.1f} before, "
                  f"{os.getloadavg()[0]:.1f} after, on {os.cpu_count()} CPUs"]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
