"""The review's test repository (bench/review_case.py builds it, for the benchmark too) and the review as a user
runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.review_case import ROOT, YEARLY_CUT, edit, git, make_repo

PROFILE = ROOT / "policies" / "profiles" / "sec-17a-4.json"
__all__ = ["ROOT", "YEARLY_CUT", "edit", "git", "make_repo", "review"]


def review(repo: Path, *extra: str, output: str = "json", stack: str = "prod", profile: Path = PROFILE
           ) -> tuple[int, Any]:
    """`python -m preflight review` on one of the repository's stacks (prod by default): (exit status, parsed JSON
    or the text; the error text for a usage error)."""
    done = subprocess.run(
        [sys.executable, "-m", "preflight", "review", "--stack", stack, "--policy-pack-config", str(profile),
         "--format", output, "-C", str(repo), *extra],
        capture_output=True, text=True, check=False, timeout=300)
    if done.returncode not in (0, 1):
        return done.returncode, done.stderr
    return done.returncode, json.loads(done.stdout) if output == "json" else done.stdout
