"""Preflight against the real engine: `pulumi preview --policy-pack policies` with the CLI built from pulumi's own
Go module (`make engine`), the model AWS provider and the model Python language host, gives the same verdicts as
`python -m preflight` on the same stack and profile. A difference is a failing test: either preflight's model of
the engine or the model provider is wrong, and gets fixed.

Not skipped without the CLI: `make test` builds it first (`make engine`), and a run without it fails naming that."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from engine_cli import ROOT, Project, Verdict, engine_missing

CASES = [("dev", "dev"), ("prod", "sec-17a-4"), ("prod", "baseline"), ("prod", "sox")]


def preflight_verdicts(stack: str, profile: str, *args: str) -> set[Verdict]:
    result = subprocess.run([sys.executable, "-m", "preflight", "--stack", stack, "--policy-pack-config",
                             f"policies/profiles/{profile}.json", "--json", *args], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode in (0, 1), result.stderr
    document = json.loads(result.stdout)
    return {Verdict(d["policy"], d["level"], d["urn"]) for d in document["diagnostics"] + document["couldNotRun"]}


@pytest.fixture(scope="module")
def projects(tmp_path_factory):
    if missing := engine_missing():
        pytest.fail(missing)
    return {stack: Project(tmp_path_factory.mktemp(stack), stack, ROOT / f"Pulumi.{stack}.yaml")
            for stack in {stack for stack, _ in CASES}}


@pytest.mark.parametrize(("stack", "profile"), CASES, ids=[f"{s}-{p}" for s, p in CASES])
def test_a_first_preview_gives_the_verdicts_of_preflight(projects, stack, profile):
    result, engine = projects[stack].with_policies("preview", profile)
    assert engine, "the engine reported no policy event: nothing compared"
    assert engine == preflight_verdicts(stack, profile)
    # The CLI fails the preview exactly when a mandatory policy is violated, as preflight's exit status says.
    blocked = any(verdict.level == "mandatory" for verdict in engine)
    assert result.returncode == (1 if blocked else 0), result.stdout[-3000:] + result.stderr[-3000:]


@pytest.fixture(scope="module")
def deployed(projects):
    """Each stack after `pulumi up` against the model provider (its policies at baseline: an update the gate
    allows)."""
    for project in projects.values():
        result, _ = project.with_policies("up", "dev", "--yes")
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return projects


@pytest.mark.parametrize(("stack", "profile"), CASES, ids=[f"{s}-{p}" for s, p in CASES])
def test_the_next_preview_after_up_gives_the_verdicts_of_preflight_up(deployed, stack, profile):
    """The engine's AnalyzeStack now gets the state the provider read back; preflight --up models the same."""
    _, engine = deployed[stack].with_policies("preview", profile)
    assert engine == preflight_verdicts(stack, profile, "--up")
    assert engine == preflight_verdicts(stack, profile), "after up, no verdict appears or disappears"
