"""Drive a policy pack over the recorded resources, as `pulumi preview --policy-pack` does.

The pack starts as the CLI starts it (in the background, while the program runs), then: GetAnalyzerInfo → the
policy config file resolved against the pack's schemas → Configure → ConfigureStack → Analyze for every resource
→ AnalyzeStack once. The pack process is always stopped (a context manager).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from preflight.pack_client import Diagnostic, PackError, PolicyPackProcess, policy_schemas
from preflight.pack_config import resolve_policy_config
from preflight.recorder import RecordedResource
from preflight.stack_files import StackSettings

# The pack serves Analyze from a pool of 4 threads: keeping 4 calls in flight overlaps our serialisation
# and the network round trips with its policy work.
ANALYZE_CONCURRENCY = 4
# Linux refuses an environment string over 128 KiB (MAX_ARG_STRLEN); the CLI passes the stack's config to the
# pack in one, PULUMI_CONFIG=<json>. Kept a little under the limit.
MAX_ENV_CONFIG_BYTES = 120 * 1024
START_TIMEOUT_S = 30.0
CALL_TIMEOUT_S = 120.0
# AnalyzeStack sees every resource at once: its bound grows with the stack (a loaded CI machine included).
STACK_CALL_S_PER_RESOURCE = 0.1


@dataclass(frozen=True)
class NotApplicable:
    policy: str
    urn: str
    reason: str


@dataclass
class Analysis:
    pack_name: str
    pack_version: str
    policy_levels: dict[str, str]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    not_applicable: list[NotApplicable] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PackManifest:
    """What `PulumiPolicy.yaml` says: the version, and the interpreter the CLI would run the pack with."""

    version: str | None
    python: str


def read_pack_manifest(pack_dir: Path) -> PackManifest:
    path = pack_dir / "PulumiPolicy.yaml"
    document: dict[str, Any] = {}
    if path.is_file():
        try:
            document = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError as error:
            raise PackError(f"{path} is not valid YAML: {error}") from error
    runtime = document.get("runtime") if isinstance(document, dict) else None
    options = runtime.get("options") if isinstance(runtime, dict) else None
    virtualenv = options.get("virtualenv") if isinstance(options, dict) else None
    python = sys.executable  # no virtualenv named: the pack shares this interpreter's packages
    if virtualenv:
        python = str((pack_dir / virtualenv / "bin" / "python").absolute())
        if not Path(python).is_file():
            raise PackError(f"{path} names the virtualenv {virtualenv!r}, but {python} does not exist "
                            "(run `make` to create it)")
    version = document.get("version") if isinstance(document, dict) else None
    return PackManifest(version=str(version) if version is not None else None, python=python)


def config_for_pack(config: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The stack config as the pack gets it in PULUMI_CONFIG, and the keys left out: the largest values go
    until the JSON fits in an environment variable (where the CLI would fail to start the pack)."""
    kept = dict(config)
    dropped: list[str] = []
    for key in sorted(config, key=lambda k: len(config[k]), reverse=True):
        if len(json.dumps(kept).encode()) <= MAX_ENV_CONFIG_BYTES:
            break
        del kept[key]
        dropped.append(key)
    return kept, dropped


def _analyze_each(
    pack: PolicyPackProcess, resources: Sequence[RecordedResource], on_progress: Callable[[int], None]
) -> tuple[list[Diagnostic], list[NotApplicable]]:
    diagnostics: list[Diagnostic] = []
    not_applicable: list[NotApplicable] = []
    pool = concurrent.futures.ThreadPoolExecutor(ANALYZE_CONCURRENCY)
    try:
        for done, (resource, verdicts) in enumerate(zip(resources, pool.map(pack.analyze, resources), strict=True), 1):
            diagnostics.extend(verdicts.diagnostics)
            not_applicable.extend(NotApplicable(policy, resource.urn, reason)
                                  for policy, reason in verdicts.not_applicable)
            on_progress(done)
    finally:
        # Not waiting: on Ctrl-C or an error, calls still in flight end when the pack is stopped.
        pool.shutdown(wait=False, cancel_futures=True)
    return diagnostics, not_applicable


@dataclass
class StartingPack:
    """A pack process starting in the background: it imports its modules while the program runs."""

    process: PolicyPackProcess
    version: str | None
    notes: list[str]
    started: concurrent.futures.Future[None]

    def ready(self) -> PolicyPackProcess:
        self.started.result()  # re-raises the start's PackError
        return self.process


@contextlib.contextmanager
def start_pack(pack_dir: Path, settings: StackSettings, *, dry_run: bool) -> Iterator[StartingPack]:
    """Starts the pack as the CLI does; always stopped on leaving, also on errors and Ctrl-C."""
    pack_dir = pack_dir.resolve()  # the program changes the working directory while the pack starts
    manifest = read_pack_manifest(pack_dir)
    pack_config, dropped = config_for_pack(settings.config)
    notes = []
    if dropped:
        notes.append(
            f"the stack config is {len(json.dumps(settings.config).encode()) // 1024} KiB, more than the "
            f"PULUMI_CONFIG environment variable the Pulumi CLI starts a pack with can hold (128 KiB): "
            f"`pulumi preview --policy-pack` would fail to start the pack. Preflight left out of the pack's "
            f"config: {', '.join(dropped)}")
    process = PolicyPackProcess(pack_dir, project=settings.project, stack=settings.stack, dry_run=dry_run,
                                pulumi_config=pack_config, python=manifest.python,
                                start_timeout=START_TIMEOUT_S, call_timeout=CALL_TIMEOUT_S)
    starter = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="pack-start")
    started = starter.submit(process.start)
    try:
        yield StartingPack(process, manifest.version, notes, started)
    finally:
        # Stop only once the start is over (bounded by its timeout), or the start could spawn after the stop.
        if not started.cancel():
            concurrent.futures.wait([started])
        starter.shutdown()
        process.close()


def analyze(
    starting: StartingPack,
    settings: StackSettings,
    resources: Sequence[RecordedResource],
    policy_config: Mapping[str, Any] | None,
    *,
    on_progress: Callable[[int], None] = lambda _done: None,
) -> Analysis:
    """Raises PackError (the pack did not start or failed) and PolicyConfigError (the config file does not fit
    the pack's schemas)."""
    pack = starting.ready()
    info = pack.info()
    resolved = resolve_policy_config(policy_schemas(info), policy_config)
    pack.configure(resolved)
    pack.configure_stack({"pulumi:project": settings.project, "pulumi:runtime": "python"})
    each_diagnostics, each_not_applicable = _analyze_each(pack, resources, on_progress)
    pack.call_timeout = max(CALL_TIMEOUT_S, STACK_CALL_S_PER_RESOURCE * len(resources))
    stack = pack.analyze_stack(resources)
    return Analysis(
        pack_name=info.name,
        pack_version=starting.version or info.version,
        policy_levels={name: level for name, (level, _) in resolved.items()},
        diagnostics=each_diagnostics + stack.diagnostics,
        not_applicable=each_not_applicable + [
            NotApplicable(policy, "", reason) for policy, reason in stack.not_applicable
        ],
        notes=list(starting.notes),
    )
