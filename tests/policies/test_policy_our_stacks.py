"""Our own stacks through the program (under mocks, first preview) and the pack: Pulumi.prod.yaml passes
sec-17a-4 and baseline, Pulumi.dev.yaml passes dev, and no policy is downgraded by an unknown value."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNS = {("prod", "sec-17a-4"), ("prod", "baseline"), ("dev", "dev")}


@pytest.fixture(scope="module")
def reports():
    """`python -m preflight --json` for each stack and profile, run side by side (each takes a few seconds)."""
    processes = {
        (stack, profile): subprocess.Popen(
            [sys.executable, "-m", "preflight", "--stack", stack, "--json",
             "--policy-pack-config", str(ROOT / "policies" / "profiles" / f"{profile}.json")],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for stack, profile in sorted(RUNS)
    }
    results = {}
    for key, process in processes.items():
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode in (0, 1), stderr
        results[key] = (process.returncode, json.loads(stdout))
    return results


@pytest.mark.parametrize(("stack", "profile"), sorted(RUNS))
def test_our_stack_passes_its_profile(reports, stack, profile):
    returncode, report = reports[stack, profile]
    mandatory = [f"{d['policy']}: {d['message']}" for d in report["diagnostics"] if d["level"] == "mandatory"]
    assert mandatory == []
    assert report["couldNotRun"] == [], "a policy read an unknown value on the first preview"
    assert returncode == 0


def test_dev_gets_advice_where_it_is_short_of_production(reports):
    """The dev profile still judges: dev keeps 7 days, below baseline's 35, and is told so (advisory)."""
    _, report = reports["dev", "dev"]
    advised = {d["policy"] for d in report["diagnostics"] if d["level"] == "advisory"}
    assert "aws-backup-plan-enforce-min-retention" in advised
