"""The real Pulumi CLI for the engine tests: built by `make engine` (engine/build), with this repository's model AWS
provider and Python language host (engine/bin) on PATH, a local file backend and a passphrase secrets provider in
a temporary folder, and a copy of the project there (so the CLI can write its stack files freely)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
PROJECT_FILES = ("Pulumi.yaml", "__main__.py", "components", "policies")
BOUND_S = 300  # no CLI call may hang a test run


def tools_bin() -> Path:
    """Where `make engine` puts the CLI (engine/build): the pkg/v3 version engine/go.mod pins."""
    version = re.search(r"github.com/pulumi/pulumi/pkg/v3 (v[0-9.]+)", (ROOT / "engine" / "go.mod").read_text())
    assert version, "engine/go.mod pins github.com/pulumi/pulumi/pkg/v3"
    cache = Path(os.environ.get("AWS_BACKUPS_TOOLS") or Path.home() / ".cache" / "aws-backups")
    return cache / f"pulumi-{version.group(1)}" / "bin"


def engine_missing() -> str | None:
    """Why the engine tests cannot run here, or None."""
    if not (tools_bin() / "pulumi").is_file():
        return f"the Pulumi CLI is not built ({tools_bin()}): run `make engine` (it needs Go)"
    return None


def _cli_env(workdir: Path) -> dict[str, str]:
    """The CLI's environment for a project in `workdir`: its own home and file backend there."""
    return {
        **os.environ,
        "PATH": os.pathsep.join([str(tools_bin()), str(ROOT / "engine" / "bin"), os.environ.get("PATH", "")]),
        "PULUMI_HOME": str(workdir / "home"),
        "PULUMI_BACKEND_URL": (workdir / "state").as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": "engine-tests",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_DEBUG_COMMANDS": "true",  # --event-log
    }


def _pulumi(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["pulumi", *args, "--non-interactive"], cwd=cwd, env=env, text=True, capture_output=True,
                          timeout=BOUND_S)


_TEMPLATES = tempfile.TemporaryDirectory(prefix="engine-stacks-")  # as long as this test process
_INITIALISED: dict[str, tuple[Path, str]] = {}


def _initialised(stack: str) -> tuple[Path, str]:
    """A file backend where `pulumi stack init <stack> --secrets-provider passphrase` has run, and the stack file it
    wrote (its `encryptionsalt:` line): once per test process and stack name, copied into each project (an init is
    a CLI run, 0.4 s of CPU; the stack is named in every command, so no workspace needs it selected)."""
    if stack not in _INITIALISED:
        workdir = Path(tempfile.mkdtemp(prefix=f"{stack}-", dir=_TEMPLATES.name))  # a failed init is tried afresh
        (workdir / "project").mkdir()
        (workdir / "state").mkdir()
        shutil.copy(ROOT / "Pulumi.yaml", workdir / "project")
        result = _pulumi(workdir / "project", _cli_env(workdir), "stack", "init", stack, "--secrets-provider",
                         "passphrase")
        assert result.returncode == 0, result.stdout + result.stderr
        _INITIALISED[stack] = workdir / "state", (workdir / "project" / f"Pulumi.{stack}.yaml").read_text()
    return _INITIALISED[stack]


@dataclass(frozen=True)
class Verdict:
    policy: str
    level: str
    urn: str


class Project:
    """A copy of this project with one stack, driven by the real CLI."""

    def __init__(self, workdir: Path, stack: str, stack_file: Path) -> None:
        self.dir = workdir / "project"
        self.dir.mkdir(parents=True)
        for name in PROJECT_FILES:
            source = ROOT / name
            (shutil.copytree if source.is_dir() else shutil.copy)(source, self.dir / name)
        (self.dir / "venv").symlink_to(ROOT / "venv")  # the pack's PulumiPolicy.yaml names ../venv
        state, initialised_file = _initialised(stack)
        shutil.copytree(state, workdir / "state")
        (self.dir / f"Pulumi.{stack}.yaml").write_text(initialised_file + stack_file.read_text())
        self.stack = stack
        self.events = workdir / "events.jsonl"
        self.env = _cli_env(workdir)

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = _pulumi(self.dir, self.env, *args, "--stack", self.stack)
        if check and result.returncode != 0:
            raise AssertionError(f"pulumi {' '.join(args)} failed ({result.returncode}):\n{result.stdout[-4000:]}\n"
                                 f"{result.stderr[-4000:]}")
        return result

    def edit(self, change: Callable[[dict[str, Any]], None]) -> None:
        """Edit the stack file's `config:` section, as ops would."""
        path = self.dir / f"Pulumi.{self.stack}.yaml"
        document = yaml.safe_load(path.read_text())
        change(document["config"])
        path.write_text(yaml.safe_dump(document, sort_keys=False))

    def steps(self) -> list[tuple[str, str, str]]:
        """(operation, type, name) of each step the last command planned or took, other than `same`."""
        found = []
        for line in self.events.read_text().splitlines():
            event = json.loads(line).get("resourcePreEvent") if line.strip() else None
            if event and event["metadata"]["op"] != "same":
                metadata = event["metadata"]
                found.append((metadata["op"], metadata["type"], metadata["urn"].rsplit("::", 1)[-1]))
        return found

    def stack_policies_judged(self) -> dict[str, set[str]]:
        """The last command's stack-policy summary: the names the engine reports `passed` and `failed`."""
        for line in self.events.read_text().splitlines():
            event = json.loads(line).get("policyAnalyzeStackSummaryEvent") if line.strip() else None
            if event:
                return {"passed": set(event.get("passed", [])), "failed": set(event.get("failed", []))}
        return {"passed": set(), "failed": set()}

    def with_policies(self, command: str, profile: str, *args: str) -> tuple[subprocess.CompletedProcess[str],
                                                                             set[Verdict]]:
        """`pulumi <command> --policy-pack policies --policy-pack-config <profile>`: the result and its verdicts."""
        self.events.unlink(missing_ok=True)
        result = self.run(command, "--policy-pack", "policies", "--policy-pack-config",
                          str(ROOT / "policies" / "profiles" / f"{profile}.json"), "--event-log", str(self.events),
                          *args, check=False)
        verdicts = {
            Verdict(event["policyName"], event["enforcementLevel"], event.get("resourceUrn", ""))
            for line in self.events.read_text().splitlines() if line.strip()
            for event in [json.loads(line).get("policyEvent")] if event
        }
        return result, verdicts
