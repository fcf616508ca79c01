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
import yaml
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


# -- what the engine does with an edit -------------------------------------------------------------------------
LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"


def _longer_lock(config: dict) -> None:
    config["aws-backups:vaults"][0]["lock"]["maxRetentionDays"] += 1


@pytest.fixture(scope="module")
def prod_unprotected(tmp_path_factory):
    """prod with `production: false`, up against the model provider."""
    if missing := engine_missing():
        pytest.fail(missing)
    project = Project(tmp_path_factory.mktemp("unprotected"), "prod", ROOT / "Pulumi.prod.yaml")
    project.edit(lambda config: config.update({"aws-backups:production": False}))
    result, _ = project.with_policies("up", "dev", "--yes")
    assert result.returncode == 0, result.stdout[-3000:]
    return project


def test_a_lock_edit_is_deleted_before_it_is_replaced(prod_unprotected):
    """Every field of a vault lock is replace-on-change and its id is the vault name: the engine must delete the
    old lock before it puts the new one, or the old one's deletion would remove the new setting."""
    prod_unprotected.edit(_longer_lock)
    result, _ = prod_unprotected.with_policies("preview", "dev")
    assert result.returncode == 0, result.stdout[-3000:]
    assert prod_unprotected.steps() == [("delete-replaced", LOCK, "primary"), ("replace", LOCK, "primary"),
                                        ("create-replacement", LOCK, "primary")]


def test_in_production_the_engine_refuses_a_lock_edit_and_a_vault_rename(deployed):
    prod = deployed["prod"]
    original = (prod.dir / "Pulumi.prod.yaml").read_text()
    for change, resource in ((_longer_lock, f"{LOCK}::primary"),
                             (lambda config: config.update({"aws-backups:namePrefix": "renamed"}),
                              "aws:backup/vault:Vault::primary")):
        prod.edit(change)
        result, _ = prod.with_policies("preview", "dev")
        (prod.dir / "Pulumi.prod.yaml").write_text(original)
        assert result.returncode != 0
        assert f'unable to replace resource "urn:pulumi:prod::aws-backups::aws-backups:backup:Vault${resource}"' in (
            " ".join(result.stdout.split())), result.stdout[-3000:]
        assert "as it is currently marked for protection" in result.stdout


def test_config_set_path_types_reach_the_program_as_the_readme_says(deployed):
    """`pulumi config set --path` stores digits as a number and true as a boolean: tags take them as the text typed;
    an account id that lost its leading zero is refused, naming the key and the fix."""
    dev = deployed["dev"]
    dev.run("config", "set", "--path", "aws-backups:tags.costCentre", "1234")
    dev.run("config", "set", "--path", "aws-backups:tags.backup:reviewed", "true")
    stored = yaml.safe_load((dev.dir / "Pulumi.dev.yaml").read_text())["config"]["aws-backups:tags"]
    assert (stored["costCentre"], stored["backup:reviewed"]) == (1234, True)
    result, _ = dev.with_policies("preview", "dev", "--diff")
    assert result.returncode == 0, result.stdout[-3000:]
    assert 'costCentre     : "1234"' in result.stdout and 'backup:reviewed: "true"' in result.stdout

    dev.run("config", "set", "--path", "aws-backups:replication[0].destination.accountId", "12345678901")
    result, _ = dev.with_policies("preview", "dev")
    assert result.returncode != 0
    assert ("aws-backups:replication[0].destination.accountId: 12345678901 is a number, not the 12 digits of an "
            "account id") in result.stdout
