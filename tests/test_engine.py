"""Preflight against the real engine: `pulumi preview --policy-pack policies` with the CLI built from pulumi's own
Go module (`make engine`), the model AWS provider and the model Python language host, gives the same verdicts as
`python -m preflight` on the same stack and profile. A difference is a failing test: either preflight's model of
the engine or the model provider is wrong, and gets fixed.

Not skipped without the CLI: `make test` builds it first (`make engine`), and a run without it fails naming that."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
import yaml
from compliance.registry import SPECS
from engine_cli import ROOT, Project, Verdict, engine_missing
from preflight_main import preflight_main

from preflight.analysis import StartingPack, analyze, start_pack
from preflight.program import ProgramRun, run_program
from preflight.stack_files import StackSettings, read_stack

STACK_POLICIES = {spec.name for spec in SPECS if spec.stack}
PROFILES = sorted(path.stem for path in (ROOT / "policies" / "profiles").glob("*.json"))
CASES = [(stack, profile) for stack in ("dev", "prod") for profile in PROFILES]
STACKS = ROOT / "tests" / "stacks"
# The test stacks of tests/stacks/ and the profile each is written against; each is the stack `test`.
STACK_FILES = {**{f"retention-{p}": p for p in PROFILES}, "good": "sec-17a-4"}
# The limit stacks, which the program itself refuses (the config and the pack ask the same rules): the engine's
# preview fails with preflight's key-path line.
REFUSED = sorted(path.stem for path in STACKS.glob("limit-*.yaml"))


class Preflight:
    """Preflight's verdicts, computed in this process (the program runs once per stack file and mode, the pack
    starts once per run and is configured for each profile): the same machinery as `python -m preflight`."""

    def __init__(self, stop: contextlib.ExitStack) -> None:
        self._stop = stop
        self._runs: dict[tuple[str, Path | None, bool], tuple[StackSettings, ProgramRun, StartingPack]] = {}

    def verdicts(self, stack: str, profile: str, *, up: bool = False, stack_file: Path | None = None
                 ) -> set[Verdict]:
        key = (stack, stack_file, up)
        if key not in self._runs:
            settings = read_stack(ROOT, stack, str(stack_file) if stack_file else None)
            pack = self._stop.enter_context(start_pack(ROOT / "policies", settings, dry_run=not up))
            self._runs[key] = (settings, run_program(settings, preview=not up), pack)
        settings, run, pack = self._runs[key]
        policy_config = json.loads((ROOT / "policies" / "profiles" / f"{profile}.json").read_text())
        analysis = analyze(pack, settings, run.resources, policy_config)
        return {Verdict(d.policy, d.level, d.urn) for d in analysis.diagnostics}


@pytest.fixture(scope="module")
def preflight():
    with contextlib.ExitStack() as stop:
        yield Preflight(stop)


def preflight_refusal(stack_file: Path) -> str:
    """The line preflight prints for a stack file the program refuses (exit 2)."""
    result = preflight_main("--stack", "test", "--config-file", str(stack_file))
    assert result.returncode == 2, result.stderr
    [line] = [line.strip() for line in result.stderr.splitlines()
              if line.strip().startswith(("- aws-backups:", "- aws:region:"))]
    return line


@pytest.fixture(scope="module")
def projects(tmp_path_factory):
    if missing := engine_missing():
        pytest.fail(missing)
    return {stack: Project(tmp_path_factory.mktemp(stack), stack, ROOT / f"Pulumi.{stack}.yaml")
            for stack in sorted({stack for stack, _ in CASES})}


@pytest.mark.parametrize(("stack", "profile"), CASES, ids=[f"{s}-{p}" for s, p in CASES])
def test_a_first_preview_gives_the_verdicts_of_preflight(projects, preflight, stack, profile):
    result, engine = projects[stack].with_policies("preview", profile)
    # Not vacuous when the stack passes: the engine ran every enabled stack policy and says which failed.
    judged = projects[stack].stack_policies_judged()
    enabled = {name for name, entry in json.loads((ROOT / "policies" / "profiles" / f"{profile}.json").read_text())
               .items() if entry.get("enforcementLevel") != "disabled"}
    assert STACK_POLICIES & enabled <= judged["passed"] | judged["failed"], "the engine ran no stack policy"
    assert judged["failed"] == {v.policy for v in engine if v.policy in STACK_POLICIES}
    assert engine == preflight.verdicts(stack, profile)
    # The CLI fails the preview exactly when a mandatory policy is violated, as preflight's exit status says.
    blocked = any(verdict.level == "mandatory" for verdict in engine)
    assert result.returncode == (1 if blocked else 0), result.stdout[-3000:] + result.stderr[-3000:]


# After up: each stack under its own profile and under baseline (the first preview covers every profile).
AFTER_UP = [("dev", "dev"), ("dev", "baseline"), ("prod", "sec-17a-4"), ("prod", "baseline")]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_a_deployed_stack_under_the_engine(tmp_path, preflight, stack):
    """The stack after `pulumi up` against the model provider (policies at baseline: an update the gate allows), then:
    the next previews give preflight --up's verdicts; for prod, the engine refuses a lock edit and a vault rename in
    production; for dev, `pulumi config set --path` values reach the program as the README says (it edits the stack,
    so it comes last). One test per stack, so its one deployment serves them whichever xdist worker runs it."""
    if missing := engine_missing():
        pytest.fail(missing)
    project = Project(tmp_path, stack, ROOT / f"Pulumi.{stack}.yaml")
    result, _ = project.with_policies("up", "dev", "--yes")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for profile in [profile for deployed, profile in AFTER_UP if deployed == stack]:
        _next_preview_gives_the_verdicts_of_preflight_up(project, preflight, stack, profile)
    if stack == "prod":
        _in_production_the_engine_refuses_a_lock_edit_and_a_vault_rename(project)
    else:
        _config_set_path_types_reach_the_program_as_the_readme_says(project)


def _next_preview_gives_the_verdicts_of_preflight_up(project: Project, preflight: Preflight, stack: str,
                                                    profile: str) -> None:
    """The engine's AnalyzeStack now gets the state the provider read back; preflight --up models the same."""
    _, engine = project.with_policies("preview", profile)
    assert engine == preflight.verdicts(stack, profile, up=True), (stack, profile)
    assert engine == preflight.verdicts(stack, profile), f"{stack}, {profile}: after up, a verdict appeared or went"


@pytest.mark.parametrize("name", sorted(STACK_FILES))
def test_the_test_stacks_get_the_verdicts_of_preflight(tmp_path, preflight, name):
    if missing := engine_missing():
        pytest.fail(missing)
    project = Project(tmp_path, "test", STACKS / f"{name}.yaml")
    _, engine = project.with_policies("preview", STACK_FILES[name])
    assert engine == preflight.verdicts("test", STACK_FILES[name], stack_file=STACKS / f"{name}.yaml")


@pytest.mark.parametrize("name", REFUSED)
def test_a_stack_the_program_refuses_fails_the_engine_with_preflights_line(tmp_path, name):
    if missing := engine_missing():
        pytest.fail(missing)
    project = Project(tmp_path, "test", STACKS / f"{name}.yaml")
    result, _ = project.with_policies("preview", "baseline")
    assert result.returncode != 0
    assert preflight_refusal(STACKS / f"{name}.yaml") in result.stdout, result.stdout[-3000:]


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


def _in_production_the_engine_refuses_a_lock_edit_and_a_vault_rename(prod: Project) -> None:
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


def _config_set_path_types_reach_the_program_as_the_readme_says(dev: Project) -> None:
    """`pulumi config set --path` stores digits as a number and true as a boolean: tags take them as the text typed;
    an account id that lost its leading zero is refused, naming the key and the fix."""
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
