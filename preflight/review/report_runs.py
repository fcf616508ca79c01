"""The processes a review starts as a user would: the retention report (`python -m retention_report --format
json`: the gate imports nothing of the report), and with `--base-code` preflight itself on the base's own tree
(`python -m preflight --json`, that tree first on PYTHONPATH). Light to import: the review starts them before it
loads the program's and the pack's modules, so they use the second core meanwhile.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SIDE_TIMEOUT_S = 900  # preflight's own program timeout is 600 s
BACKGROUND_NICENESS = 10


@dataclass(frozen=True)
class SideSpec:
    """What one side runs: the project (its code), the stack file, the policy config."""

    label: str  # "base" or "head"
    project_dir: Path
    stack: str
    stack_file: Path
    policy_pack_config: Path | None
    cost_model: Path | None = None
    prices: Path | None = None
    own_code: bool = False  # the project_dir's code, not the installed one (--base-code)


def _environment(spec: SideSpec) -> Mapping[str, str]:
    env = dict(os.environ)
    if spec.own_code:
        tree = [str(spec.project_dir), str(spec.project_dir / "policies")]
        env["PYTHONPATH"] = os.pathsep.join(tree + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return env


def start(argv: list[str], spec: SideSpec, *, background: bool = False) -> subprocess.Popen[str]:
    """`background`: at a lower CPU priority, off the review's critical path (the programs and the pack)."""
    return subprocess.Popen([sys.executable, *argv], cwd=spec.project_dir, env=_environment(spec),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=(lambda: os.nice(BACKGROUND_NICENESS)) if background else None)


def finish(process: subprocess.Popen[str], accepted: tuple[int, ...]) -> tuple[dict[str, Any] | None, str | None]:
    """The process's JSON document, or why there is none."""
    try:
        out, err = process.communicate(timeout=SIDE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return None, f"did not finish in {SIDE_TIMEOUT_S} s"
    return parsed(process.returncode, out, err, accepted)


def preflight_argv(spec: SideSpec) -> list[str]:
    argv = ["-m", "preflight", "--stack", spec.stack, "--config-file", str(spec.stack_file), "--json",
            "-C", str(spec.project_dir)]
    return argv + (["--policy-pack-config", str(spec.policy_pack_config)] if spec.policy_pack_config else [])


def _report_argv(spec: SideSpec, stack_files: list[Path]) -> list[str]:
    argv = ["-m", "retention_report", "--stack", spec.stack, "--format", "json", "--as-written",
            "-C", str(spec.project_dir)]
    for stack_file in stack_files:
        argv += ["--config-file", str(stack_file)]
    for flag, value in (("--policy-pack-config", spec.policy_pack_config), ("--cost-model", spec.cost_model),
                        ("--prices", spec.prices)):
        if value:
            argv += [flag, str(value)]
    return argv


@dataclass
class Reports:
    """The retention report's runs for both sides: one process for the two stack files when both sides run the
    same code (it pays its imports once), else one per side."""

    processes: dict[str, tuple[subprocess.Popen[str], int | None]]  # side -> (process, index in its JSON array)
    _finished: dict[int, tuple[Any, str | None]] = field(default_factory=dict)  # by process id

    @classmethod
    def start(cls, head: SideSpec, base: SideSpec | None) -> Reports:
        if base is None or base.own_code:
            runs = {spec.label: (start(_report_argv(spec, [spec.stack_file]), spec, background=True), None)
                    for spec in (head, base) if spec}
            return cls(runs)
        both = start(_report_argv(head, [head.stack_file, base.stack_file]), head, background=True)
        return cls({"head": (both, 0), "base": (both, 1)})

    def result(self, label: str) -> tuple[dict[str, Any] | None, str | None]:
        process, index = self.processes[label]
        if process.pid not in self._finished:
            self._finished[process.pid] = finish(process, accepted=(0,))
        document, error = self._finished[process.pid]
        if index is None or document is None:
            return document, error
        entry = document[index]
        return (None, entry["error"]) if "error" in entry else (entry, None)


def _error_text(text: str) -> str:
    """A side's error as the command said it, without its progress lines (from its first `error:` line on)."""
    lines = text.strip().splitlines()
    first = next((i for i, line in enumerate(lines) if "error:" in line), max(len(lines) - 6, 0))
    return "\n".join(lines[first:])


def parsed(code: int, out: str, err: str, accepted: tuple[int, ...]) -> tuple[dict[str, Any] | None, str | None]:
    if code in accepted:
        try:
            return json.loads(out), None
        except json.JSONDecodeError:
            pass
    return None, _error_text(err) or f"exit status {code}"
