"""Print the README's reliability figures: `./venv/bin/python tests/reliability.py`.

Runs the reliability tests (pytest, in this process) and prints what they counted while running: configs fuzzed,
crashes, policy fuzzing, downgraded policies, unprotected data resources. Exit status: pytest's.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import fuzzing
import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = ["test_fuzz_config.py", "test_fuzz_policies.py", "test_gate_holds.py", "test_nothing_lost.py"]


def main() -> int:
    os.chdir(ROOT)
    # In this process (-n0), where the counters are: not in xdist workers (pyproject.toml runs the suite on every CPU).
    status = pytest.main(["-q", "-n0", "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning",
                          *(f"tests/{name}" for name in TESTS)])
    print("\nReliability figures (this run):")
    for figure, value in sorted(fuzzing.COUNTS.items()):
        print(f"  {figure:<72} {value:>7,}")
    for zero in ("config crashes", "policy crashes", "mandatory policies downgraded (can't run at preview)",
                 "false violations after up", "unprotected data resources in production"):
        if zero not in fuzzing.COUNTS:
            print(f"  {zero:<72} {0:>7,}")
    print(f"tests: {'passed' if status == 0 else f'FAILED (pytest exit {int(status)})'}")
    return int(status)


if __name__ == "__main__":
    sys.exit(main())
