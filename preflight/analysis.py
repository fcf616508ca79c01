"""Drive a policy pack over the recorded resources, as `pulumi preview --policy-pack` does.

The pack starts as the CLI starts it (in the background, while the program runs), then: GetAnalyzerInfo → the
policy config file resolved against the pack's schemas → Configure → ConfigureStack → Analyze for every resource
(as the program registers it, as the engine does) → AnalyzeStack once. The pack process is always stopped (a
context manager).
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
from compliance.policy_config import resolve_policy_config
from pulumi.runtime.proto import analyzer_pb2

from preflight.pack_client import Diagnostic, PackError, PolicyPackProcess, Verdicts, policy_schemas
from preflight.recorder import RecordedResource
from preflight.stack_files import StackSettings

# The pack serves Analyze from a pool of 4 threads: keeping 4 calls in flight overlaps our serialisation
# and the network round trips with its policy work.
ANALYZE_CONCURRENCY = 4
# Linux refuses an environment string over 128 KiB (MAX_ARG_STRLEN); the CLI passes the stack's config to the
# pack in one, PULUMI_CONFIG=<json>. Kept a little under the limit.
MAX_ENV_CONFIG_BYTES = 120 * 1024
# While the program runs, its thread holds the GIL almost always; the Analyze threads get it back only at each
# switch interval (Python's default 5 ms) and kept the pack less than half busy. 1 ms keeps up with the program.
SWITCH_INTERVAL_S = 0.001
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


@dataclass(frozen=True)
class _Configured:
    pack: PolicyPackProcess
    info: analyzer_pb2.AnalyzerInfo
    policy_config: dict[str, tuple[str, dict[str, Any]]]  # as resolve_policy_config gives


class Analyzer:
    """One analysis of a stack by a starting pack. `submit` each resource as the program registers it: the pack
    process analyses it on the other core while the program runs (the engine also calls Analyze on each
    registration). `finish` then analyses what was not submitted and calls AnalyzeStack. A context manager:
    calls still queued are cancelled on leaving."""

    def __init__(self, starting: StartingPack, settings: StackSettings, policy_config: Mapping[str, Any] | None):
        self._starting = starting
        self._settings = settings
        self._pool = concurrent.futures.ThreadPoolExecutor(ANALYZE_CONCURRENCY, thread_name_prefix="analyze")
        # The first task, so every Analyze (each waits for it) finds the pack configured.
        self._configured = self._pool.submit(self._configure, policy_config)
        self._verdicts: dict[str, concurrent.futures.Future[Verdicts]] = {}
        self._saved_switch_interval = 0.0

    def __enter__(self) -> Analyzer:
        self._saved_switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(SWITCH_INTERVAL_S, self._saved_switch_interval))
        return self

    def __exit__(self, *_exc: object) -> None:
        sys.setswitchinterval(self._saved_switch_interval)
        # Not waiting: on Ctrl-C or an error, calls still in flight end when the pack is stopped.
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _configure(self, policy_config: Mapping[str, Any] | None) -> _Configured:
        pack = self._starting.ready()
        info = pack.info()
        resolved = resolve_policy_config(policy_schemas(info), policy_config)
        pack.configure(resolved)
        pack.configure_stack({"pulumi:project": self._settings.project, "pulumi:runtime": "python"})
        return _Configured(pack, info, resolved)

    def _analyze(self, resource: RecordedResource) -> Verdicts:
        return self._configured.result().pack.analyze(resource)

    def submit(self, resource: RecordedResource) -> None:
        """Queue Analyze for a resource; safe from any thread."""
        self._verdicts[resource.urn] = self._pool.submit(self._analyze, resource)

    def finish(
        self, resources: Sequence[RecordedResource], *, on_progress: Callable[[int], None] = lambda _done: None
    ) -> Analysis:
        """Raises PackError (the pack did not start or failed) and PolicyConfigError (the config file does not
        fit the pack's schemas)."""
        configured = self._configured.result()
        for resource in resources:
            if resource.urn not in self._verdicts:  # e.g. the default providers, known once the program ended
                self.submit(resource)
        diagnostics: list[Diagnostic] = []
        not_applicable: list[NotApplicable] = []
        for done, resource in enumerate(resources, 1):
            verdicts = self._verdicts[resource.urn].result()
            diagnostics.extend(verdicts.diagnostics)
            not_applicable.extend(NotApplicable(policy, resource.urn, reason)
                                  for policy, reason in verdicts.not_applicable)
            on_progress(done)
        pack = configured.pack
        pack.call_timeout = max(CALL_TIMEOUT_S, STACK_CALL_S_PER_RESOURCE * len(resources))
        stack = pack.analyze_stack(resources)
        return Analysis(
            pack_name=configured.info.name,
            pack_version=self._starting.version or configured.info.version,
            policy_levels={name: level for name, (level, _) in configured.policy_config.items()},
            diagnostics=diagnostics + stack.diagnostics,
            not_applicable=not_applicable + [
                NotApplicable(policy, "", reason) for policy, reason in stack.not_applicable
            ],
            notes=list(self._starting.notes),
        )


def analyze(
    starting: StartingPack,
    settings: StackSettings,
    resources: Sequence[RecordedResource],
    policy_config: Mapping[str, Any] | None,
    *,
    on_progress: Callable[[int], None] = lambda _done: None,
) -> Analysis:
    """The whole analysis of resources already recorded. Raises PackError (the pack did not start or failed)
    and PolicyConfigError (the config file does not fit the pack's schemas)."""
    with Analyzer(starting, settings, policy_config) as analyzer:
        return analyzer.finish(resources, on_progress=on_progress)
