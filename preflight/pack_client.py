"""Drive a CrossGuard policy pack over its Analyzer gRPC protocol, the way the Pulumi CLI does.

The pack runs as a separate process started exactly as the CLI starts it
(`python -u -m pulumi.policy <engine-address> <pack-dir>`); it prints its port as the first line on stdout and
then serves `GetAnalyzerInfo`, `Configure`, `ConfigureStack`, `Analyze` and `AnalyzeStack`. Preflight and the
pack's protocol tests both use this one client.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

# The SDK writes this prefix when a policy read an unknown value and could not give its verdict.
COULD_NOT_RUN_PREFIX = "can't run policy"
# This pack's own verdict in that case, at the policy's level (policies/compliance/spec.py, cannot_judge).
CANNOT_JUDGE_PREFIX = "cannot judge "

LEVELS = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.REMEDIATE: "remediate",
    analyzer_pb2.DISABLED: "disabled",
}
LEVEL_VALUES = {name: value for value, name in LEVELS.items()}
# A pack whose first line is not its port: how long its exit is awaited, so a pack that printed something and then
# failed is reported with its traceback. One still running after that printed something before its port, which the
# CLI refuses at once ("wrote an invalid port to stdout", sdk/go/common/resource/plugin/plugin.go, v3.274.1): a
# longer wait only delays the message (5 s before).
EXIT_AFTER_NO_PORT_S = 1.0


class PackError(Exception):
    """The pack did not start, died, or did not answer in time."""


@dataclass
class ProviderRef:
    type: str
    urn: str
    name: str
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass
class AnalyzedResource:
    """One resource as the engine sends it to an analyzer: engine (camelCase) property names, unknown values
    as the SDK's sentinels. `properties` go to `Analyze` (the engine sends checked inputs), `outputs` to
    `AnalyzeStack` (the engine sends outputs); without `outputs`, `AnalyzeStack` gets `properties` too."""

    type: str
    name: str
    urn: str
    properties: dict[str, Any]
    outputs: dict[str, Any] | None = None
    parent: str = ""
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    protect: bool = False
    provider: ProviderRef | None = None


@dataclass(frozen=True)
class Diagnostic:
    policy: str
    level: str
    urn: str
    message: str

    @property
    def could_not_run(self) -> bool:
        return self.message.startswith(COULD_NOT_RUN_PREFIX)

    @property
    def cannot_judge(self) -> bool:
        """The pack's own "cannot judge": a verdict at the policy's level (after the SDK's description line)."""
        return any(line.startswith(CANNOT_JUDGE_PREFIX) for line in self.message.splitlines())


@dataclass
class Verdicts:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    not_applicable: list[tuple[str, str]] = field(default_factory=list)

    def extend(self, other: Verdicts) -> None:
        self.diagnostics.extend(other.diagnostics)
        self.not_applicable.extend(other.not_applicable)


def _struct(value: Mapping[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(json.loads(json.dumps(value)))  # plain JSON types only, as the engine sends them
    return message


def _provider_message(provider: ProviderRef) -> analyzer_pb2.AnalyzerProviderResource:
    return analyzer_pb2.AnalyzerProviderResource(
        type=provider.type, urn=provider.urn, name=provider.name, properties=_struct(provider.properties)
    )


def _options(resource: AnalyzedResource) -> analyzer_pb2.AnalyzerResourceOptions:
    return analyzer_pb2.AnalyzerResourceOptions(protect=resource.protect, parent=resource.parent)


def _verdicts(response: analyzer_pb2.AnalyzeResponse, resource_urn: str = "") -> Verdicts:
    return Verdicts(
        diagnostics=[
            Diagnostic(
                policy=d.policyName,
                level=LEVELS.get(d.enforcementLevel, "advisory"),
                urn=d.urn or resource_urn,
                message=d.message,
            )
            for d in response.diagnostics
        ],
        not_applicable=[(n.policy_name, n.reason) for n in response.not_applicable],
    )


class PolicyPackProcess:
    """A running policy pack. Use as a context manager: the process is always stopped, also on errors."""

    def __init__(
        self,
        pack_dir: str | os.PathLike[str],
        *,
        project: str,
        stack: str,
        dry_run: bool = True,
        pulumi_config: Mapping[str, str] | None = None,
        python: str = sys.executable,
        start_timeout: float = 60.0,
        call_timeout: float = 120.0,
    ) -> None:
        self.pack_dir = os.fspath(pack_dir)
        self.project = project
        self.stack = stack
        self.dry_run = dry_run
        self.pulumi_config = dict(pulumi_config or {})
        self.python = python
        self.start_timeout = start_timeout
        self.call_timeout = call_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._channel: grpc.Channel | None = None
        self._stub: analyzer_pb2_grpc.AnalyzerStub | None = None
        self._stderr_tail: collections.deque[str] = collections.deque(maxlen=40)
        # Every resource of a stack names one of a few providers: each is marshalled once (kept with its message, so
        # its id is not reused while cached).
        self._providers: dict[int, tuple[ProviderRef, analyzer_pb2.AnalyzerProviderResource]] = {}

    # -- lifecycle ---------------------------------------------------------------------------------------------
    def __enter__(self) -> PolicyPackProcess:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            PULUMI_PROJECT=self.project,
            PULUMI_STACK=self.stack,
            PULUMI_DRY_RUN="true" if self.dry_run else "false",
            PULUMI_CONFIG=json.dumps(self.pulumi_config),
            PYTHONUNBUFFERED="1",
        )
        return env

    def start(self) -> None:
        if not os.path.isfile(os.path.join(self.pack_dir, "__main__.py")):
            raise PackError(f"no policy pack at {self.pack_dir!r}: it has no __main__.py")
        # The CLI passes its engine's address; the Python SDK's pack never dials it.
        command = [self.python, "-u", "-m", "pulumi.policy", "127.0.0.1:0", self.pack_dir]
        try:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=self._environment(),
                start_new_session=True,  # Ctrl-C in a terminal reaches us, and we stop the pack ourselves
            )
        except OSError as error:  # e.g. the interpreter is missing, or the environment is too large
            raise PackError(f"cannot start the policy pack at {self.pack_dir!r} with {self.python}: "
                            f"{error.strerror}") from error
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        try:
            port = self._read_port()
            self._channel = grpc.insecure_channel(f"127.0.0.1:{port}")
            try:
                grpc.channel_ready_future(self._channel).result(timeout=self.start_timeout)
            except grpc.FutureTimeoutError as error:
                raise PackError(f"the policy pack at {self.pack_dir!r} did not answer on port {port} within "
                                f"{self.start_timeout:.0f} s") from error
        except BaseException:
            self.close()
            raise
        self._stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)

    def _drain_stderr(self) -> None:
        assert self._process is not None and self._process.stderr is not None
        for line in self._process.stderr:
            self._stderr_tail.append(line.decode(errors="replace").rstrip())

    def stderr_tail(self) -> str:
        return "\n".join(self._stderr_tail)

    def _read_port(self) -> int:
        assert self._process is not None and self._process.stdout is not None
        deadline = time.monotonic() + self.start_timeout
        buffer = b""
        with selectors.DefaultSelector() as selector:
            selector.register(self._process.stdout, selectors.EVENT_READ)
            while b"\n" not in buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise PackError(f"the policy pack at {self.pack_dir!r} printed no port within "
                                    f"{self.start_timeout:.0f} s")
                if not selector.select(timeout=min(remaining, 0.5)):
                    if self._process.poll() is not None:
                        break
                    continue
                chunk = os.read(self._process.stdout.fileno(), 4096)
                if not chunk:
                    break
                buffer += chunk
        first_line = buffer.split(b"\n", 1)[0].decode(errors="replace").strip()
        if not first_line.isdigit():
            with contextlib.suppress(subprocess.TimeoutExpired):  # still running: it printed something else first
                self._process.wait(timeout=EXIT_AFTER_NO_PORT_S)
            time.sleep(0.1)  # let the stderr reader catch the traceback
            detail = self.stderr_tail() or first_line or "no output"
            raise PackError(f"the policy pack at {self.pack_dir!r} did not start:\n{detail}")
        return int(first_line)

    def close(self) -> None:
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)

    # -- the Analyzer protocol ---------------------------------------------------------------------------------
    def _call(self, method: str, request: Any) -> Any:
        if self._stub is None:
            raise PackError("the policy pack is not running")
        try:
            return getattr(self._stub, method)(request, timeout=self.call_timeout)
        except grpc.RpcError as error:
            detail = self.stderr_tail()
            raise PackError(f"the policy pack failed in {method}: {error.details() or error.code()}"
                            + (f"\n{detail}" if detail else "")) from error

    def info(self) -> analyzer_pb2.AnalyzerInfo:
        return self._call("GetAnalyzerInfo", empty_pb2.Empty())

    def configure(self, policy_config: Mapping[str, tuple[str, Mapping[str, Any]]]) -> None:
        """`policy_config`: policy name -> (enforcement level, properties), as `resolve_policy_config` gives."""
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, (level, properties) in policy_config.items():
            request.policyConfig[name].CopyFrom(
                analyzer_pb2.PolicyConfig(enforcementLevel=LEVEL_VALUES[level], properties=_struct(properties))
            )
        self._call("Configure", request)

    def configure_stack(self, tags: Mapping[str, str] | None = None) -> None:
        request = analyzer_pb2.AnalyzerStackConfigureRequest(
            stack=self.stack, project=self.project, organization="organization", dry_run=self.dry_run,
            config=_struct(self.pulumi_config), tags=dict(tags or {}),
        )
        self._call("ConfigureStack", request)

    def _provider(self, provider: ProviderRef | None) -> analyzer_pb2.AnalyzerProviderResource | None:
        if provider is None:
            return None
        if id(provider) not in self._providers:
            self._providers[id(provider)] = (provider, _provider_message(provider))
        return self._providers[id(provider)][1]

    def analyze(self, resource: AnalyzedResource) -> Verdicts:
        request = analyzer_pb2.AnalyzeRequest(
            type=resource.type, properties=_struct(resource.properties), urn=resource.urn, name=resource.name,
            options=_options(resource), provider=self._provider(resource.provider),
        )
        return _verdicts(self._call("Analyze", request), resource.urn)

    def analyze_stack(self, resources: Iterable[AnalyzedResource]) -> Verdicts:
        request = analyzer_pb2.AnalyzeStackRequest(
            resources=[
                analyzer_pb2.AnalyzerResource(
                    type=r.type, properties=_struct(r.properties if r.outputs is None else r.outputs), urn=r.urn,
                    name=r.name, options=_options(r),
                    provider=self._provider(r.provider), parent=r.parent, dependencies=r.dependencies,
                    propertyDependencies={
                        key: analyzer_pb2.AnalyzerPropertyDependencies(urns=urns)
                        for key, urns in r.property_dependencies.items()
                    },
                )
                for r in resources
            ]
        )
        return _verdicts(self._call("AnalyzeStack", request))


def policy_schemas(info: analyzer_pb2.AnalyzerInfo) -> dict[str, dict[str, Any]]:
    """Each policy's name -> its default level and JSON config schema, from `GetAnalyzerInfo`."""
    return {
        p.name: {
            "enforcementLevel": LEVELS.get(p.enforcementLevel, "advisory"),
            "schema": {
                "type": "object",
                "properties": json_format.MessageToDict(p.configSchema.properties),
                "required": list(p.configSchema.required),
            },
        }
        for p in info.policies
    }
