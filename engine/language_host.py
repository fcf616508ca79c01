"""A model of `pulumi-language-python`, the Python language host, for the real Pulumi CLI in our tests.

The Go module proxy serves the CLI (`github.com/pulumi/pulumi/pkg/v3`) and the SDK module whose
`python/cmd/pulumi-language-python-exec` runs a program, but not the language host's own module
(`github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3`: 403 at every version tried). This host does
what the real one does for `pulumi preview` / `up` (pulumi `sdk/python/cmd/pulumi-language-python/main.go`): `Run`
starts the real exec shim with the same arguments and `PULUMI_CONFIG`, in the project's virtualenv; `RunPlugin`
starts a policy pack as `python -u -m pulumi.policy <args> <pack dir>` in the pack's folder, streaming its output;
`GetRequiredPackages` names the pulumi-aws version the installed SDK asks for. Everything else is the real engine.

Run as a plugin: `python -m engine.language_host <engine address>` prints its port (`engine/bin/`).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format

from preflight.sdk_protocol import language_pb2, language_pb2_grpc, plugin_pb2

EXEC_SHIM = "pulumi-language-python-exec"
VERSION = "3.274.1"  # the CLI built by `make engine`, which this host stands in beside


def _python(info: language_pb2.ProgramInfo) -> str:
    """The interpreter of the virtualenv the project's (or pack's) runtime options name, relative to its root."""
    options = json_format.MessageToDict(info.options) if info.HasField("options") else {}
    virtualenv = options.get("virtualenv")
    if not virtualenv:
        return sys.executable
    root = Path(info.root_directory)
    return str((root / virtualenv / "bin" / "python") if not Path(virtualenv).is_absolute() else
               Path(virtualenv) / "bin" / "python")


def _plugin_manifests() -> list[dict[str, Any]]:
    import importlib.metadata  # only GetRequiredPackages, once a run: not at every host start

    return [json.loads(Path(distribution.locate_file(file)).read_text())
            for distribution in importlib.metadata.distributions() for file in distribution.files or []
            if file.name == "pulumi-plugin.json"]


def _run_arguments(request: language_pb2.RunRequest, engine: str) -> list[str]:
    """The exec shim's arguments, as the real host's constructArguments builds them."""
    pairs = [("monitor", request.monitor_address), ("engine", engine), ("project", request.project),
             ("root_directory", request.info.root_directory), ("stack", request.stack), ("pwd", request.pwd),
             ("dry_run", "true" if request.dryRun else "false"), ("parallel", str(request.parallel)),
             ("organization", request.organization)]
    args = [item for key, value in pairs if value for item in (f"--{key}", value)]
    return [*args, request.info.entry_point or ".", *request.args]


class LanguageHost(language_pb2_grpc.LanguageRuntimeServicer):
    def __init__(self, engine: str, shim: str) -> None:
        self.engine = engine
        self.shim = shim

    def Handshake(self, request: Any, context: grpc.ServicerContext) -> Any:
        self.engine = request.engine_address or self.engine
        return language_pb2.LanguageHandshakeResponse()

    def GetPluginInfo(self, request: empty_pb2.Empty, context: grpc.ServicerContext) -> plugin_pb2.PluginInfo:
        return plugin_pb2.PluginInfo(version=VERSION)

    def GetRequiredPackages(self, request: Any, context: grpc.ServicerContext) -> Any:
        """The resource plugins the program's packages ask for (each pulumi_* package's pulumi-plugin.json). The real
        host asks the project's interpreter; this one reads its own environment, which every project of the engine
        tests names (their `venv` links this repository's), and refuses another (a subprocess cost 0.2 s a run)."""
        if Path(_python(request.info)).parent.parent.resolve() != Path(sys.prefix).resolve():
            context.abort(grpc.StatusCode.FAILED_PRECONDITION,
                          f"this model language host reads the plugins of its own environment ({sys.prefix}) only")
        packages = [plugin_pb2.PackageDependency(name=plugin["name"], kind="resource",
                                                 version=plugin.get("version", ""))
                    for plugin in _plugin_manifests() if plugin.get("resource")]
        return language_pb2.GetRequiredPackagesResponse(packages=packages)

    def Run(self, request: language_pb2.RunRequest, context: grpc.ServicerContext) -> language_pb2.RunResponse:
        env = {**os.environ, "PULUMI_CONFIG": json.dumps(dict(request.config)),
               "PULUMI_CONFIG_SECRET_KEYS": json.dumps(list(request.configSecretKeys))}
        command = [_python(request.info), self.shim, *_run_arguments(request, self.engine)]
        result = subprocess.run(command, env=env, cwd=request.pwd or None, check=False)
        if result.returncode == 0:
            return language_pb2.RunResponse()
        if result.returncode == 32:  # the SDK showed the user an actionable message already
            return language_pb2.RunResponse(bail=True)
        return language_pb2.RunResponse(error=f"program exited with non-zero exit code: {result.returncode}")

    def RunPlugin(self, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        if request.kind != "analyzer":
            context.abort(grpc.StatusCode.UNIMPLEMENTED, "this model host runs policy packs only")
        command = [_python(request.info), "-u", "-m", "pulumi.policy", *request.args, request.info.program_directory]
        env = {**os.environ, **dict(item.split("=", 1) for item in request.env if "=" in item)}
        process = subprocess.Popen(command, cwd=request.info.program_directory, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
        context.add_callback(process.kill)
        yield from _streamed(process)

    def InstallDependencies(self, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        return iter(())  # the project's venv is made by `make`

    def Cancel(self, request: empty_pb2.Empty, context: grpc.ServicerContext) -> empty_pb2.Empty:
        return empty_pb2.Empty()


def _streamed(process: subprocess.Popen[bytes]) -> Iterator[Any]:
    """The plugin's stdout and stderr, chunk by chunk as it writes them (the engine reads the port from stdout),
    then its exit code."""
    chunks: list[Any] = []
    ready = threading.Condition()

    def pump(stream: Any, field: str) -> None:
        for chunk in iter(lambda: os.read(stream.fileno(), 4096), b""):
            with ready:
                chunks.append(language_pb2.RunPluginResponse(**{field: chunk}))
                ready.notify()

    readers = [threading.Thread(target=pump, args=(process.stdout, "stdout"), daemon=True),
               threading.Thread(target=pump, args=(process.stderr, "stderr"), daemon=True)]
    for reader in readers:
        reader.start()
    while any(reader.is_alive() for reader in readers) or chunks:
        with ready:
            ready.wait_for(lambda: chunks or not any(r.is_alive() for r in readers), timeout=1)
            pending, chunks[:] = list(chunks), []
        yield from pending
    yield language_pb2.RunPluginResponse(exitcode=process.wait())


def serve(argv: list[str]) -> None:
    engine = next((arg for arg in argv if not arg.startswith("-")), "")
    shim = shutil.which(EXEC_SHIM)  # `make engine` puts it beside the CLI, on PATH
    if shim is None:
        sys.exit(f"{EXEC_SHIM} is not on PATH: run `make engine`")
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(LanguageHost(engine, shim), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    # The CLI ends its plugins with SIGINT: stop quietly, as the real host does.
    signal.signal(signal.SIGINT, lambda *_: server.stop(grace=1))
    server.wait_for_termination()


if __name__ == "__main__":
    serve(sys.argv[1:])

