"""Run a Pulumi Python program under the SDK's mocks and record the resources it registers.

The program runs in this process as the Python language host runs it (`__main__.py` as `__main__`, the program
directory first on `sys.path` and as the working directory, inside the root Stack), with a fresh event loop and
fresh SDK state, so it can run again for another stack.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import runpy
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import pulumi
from google.protobuf import empty_pb2
from pulumi.runtime import config as runtime_config
from pulumi.runtime import known_types
from pulumi.runtime import resource as runtime_resource
from pulumi.runtime import rpc as runtime_rpc
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime import stack as runtime_stack
from pulumi.runtime.mocks import MockEngine, MockSettings
from pulumi.runtime.proto import source_pb2
from pulumi.runtime.sync_await import _sync_await

from preflight.loop_turns import registering_while_built
from preflight.mocks import PreflightMocks
from preflight.pack_client import ProviderRef
from preflight.recorder import RecordedResource, RecordingMonitor, default_provider
from preflight.stack_files import StackSettings

# A program that never finishes (a loop, a wait on something the mocks never answer) must not hang the gate.
PROGRAM_TIMEOUT_S = 600
TIME_LIMIT_REPEAT_S = 0.5


class ProgramError(Exception):
    """The program failed: a config error it reported, or a bug, or it did not finish in time."""


class _ProgramTimeout(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: int) -> Iterator[None]:
    """Interrupts the main thread after `seconds` (SIGALRM); elsewhere, or with 0, no limit."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: object) -> None:
        # Again in a moment, until it is out: raised where exceptions are swallowed (an asyncio callback after the
        # body, a gc callback), it would be lost, and a program that never ends would hang the gate.
        signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT_REPEAT_S)
        raise _ProgramTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class ProgramRun:
    resources: list[RecordedResource]
    notes: list[str] = field(default_factory=list)


def _provider_version(package: str) -> str | None:
    """The provider plugin version the installed SDK package asks for (its `pulumi-plugin.json`)."""
    try:
        module = __import__(f"pulumi_{package.replace('-', '_')}")
    except ImportError:
        return None
    plugin = Path(module.__file__).parent / "pulumi-plugin.json"
    with contextlib.suppress(OSError, ValueError):
        return json.loads(plugin.read_text()).get("version")
    return None


@contextlib.contextmanager
def _program_environment(program_dir: Path) -> Iterator[None]:
    """`program_dir` as the working directory and first on sys.path, its prints on stderr (stdout is the
    report); its modules forgotten afterwards."""
    program_dir = program_dir.resolve()
    saved_cwd, saved_path = os.getcwd(), list(sys.path)
    before = set(sys.modules)
    os.chdir(program_dir)
    sys.path.insert(0, str(program_dir))
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        for name in set(sys.modules) - before:
            origin = getattr(sys.modules[name], "__file__", None) or ""
            # The project's venv may live inside program_dir: its packages (pulumi_aws) must stay loaded.
            if origin.startswith(str(program_dir)) and not origin.startswith(sys.prefix):
                del sys.modules[name]


def _where_in_program(error: BaseException, program_dir: Path) -> str:
    """The innermost line of the program's own code that the error passed through."""
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if f.filename.startswith(str(program_dir.resolve())) and "site-packages" not in f.filename]
    if not frames:
        return ""
    frame = frames[-1]
    return f" (at {os.path.relpath(frame.filename)}:{frame.lineno})"


_sdk_wait_for_rpcs = runtime_stack.wait_for_rpcs


async def _wait_for_rpcs_linear(await_all_outstanding_tasks: bool = True) -> None:
    """The SDK's `wait_for_rpcs`, in linear time: the SDK waits for its pending outputs with repeated
    `asyncio.wait(FIRST_COMPLETED)` over all of them, quadratic in the resources (26 s at 1,000 resources).
    Same contract: every RPC and every pending output finished, the first failure raised."""
    rpc_manager = runtime_settings._get_rpc_manager()
    while True:
        await _sdk_wait_for_rpcs(await_all_outstanding_tasks=False)
        if not await_all_outstanding_tasks:
            return
        with runtime_settings.SETTINGS.lock:
            pending = list(runtime_settings.SETTINGS.outputs)
            runtime_settings.SETTINGS.outputs.clear()
        if pending:
            await asyncio.gather(*pending)
        elif not rpc_manager.rpcs:
            return


def _no_stack_trace() -> source_pb2.StackTrace:
    """The SDK records the Python stack of every resource for the engine's source positions, which preflight
    does not show; at ~3 ms a resource it was the largest cost. An empty trace is the SDK's own fallback."""
    return source_pb2.StackTrace()


def _contains_unknowns(value: object) -> bool:
    """The SDK's `rpc.contains_unknowns`, without its garbage: the SDK's version defines a recursive closure on every
    call (the function and its cell refer to each other), a reference cycle only the cyclic collector frees. Called
    for every output value, those cycles were 1.25 of the 1.65 million objects collected at 5,000 resources and most
    of the collection time. Same contract: whether an unknown is reachable through dicts and lists."""
    pending, seen = [value], set()
    while pending:
        item = pending.pop()
        if known_types.is_unknown(item):
            return True
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


# Cyclic garbage collection while the program runs: a generation-0 pass every 100,000 new objects instead of
# Python's 700, a generation-1 pass every 50 of those, a full one every 100 of these.
GC_THRESHOLDS = (100_000, 50, 100)


@contextlib.contextmanager
def _fewer_gc_passes() -> Iterator[None]:
    """The SDK keeps thousands of live futures, tasks and outputs per resource; with Python's default thresholds
    the collector re-scans that growing heap over and over: 11 of 19 s of CPU at 5,000 resources, super-linear.
    Passes 140 times rarer cost it 1 s, and the peak memory stays the same (measured: 389 vs 397 MB)."""
    saved = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*saved)


@contextlib.contextmanager
def _fast_sdk() -> Iterator[None]:
    with contextlib.ExitStack() as patches:
        patches.enter_context(mock.patch.object(runtime_stack, "wait_for_rpcs", _wait_for_rpcs_linear))
        patches.enter_context(mock.patch.object(runtime_resource, "_get_stack_trace", _no_stack_trace))
        patches.enter_context(mock.patch.object(runtime_rpc, "contains_unknowns", _contains_unknowns))
        patches.enter_context(_fewer_gc_passes())
        yield


def _configure_runtime(settings: StackSettings, monitor: RecordingMonitor, preview: bool) -> None:
    runtime_settings.configure(MockSettings(
        monitor=monitor,
        monitor_features=set(monitor.GetDeploymentInfo(empty_pb2.Empty()).supportedFeatures),
        engine=MockEngine(None),
        project=settings.project,
        stack=settings.stack,
        dry_run=preview,
        organization="organization",
        callbacks=None,
        root_directory=str(settings.program_dir.resolve()),
    ))
    runtime_settings.ROOT.set(None)
    runtime_settings.SETTINGS.outputs.clear()
    runtime_config.set_all_config(dict(settings.config), list(settings.secret_keys))


def new_monitor(settings: StackSettings, *, preview: bool, shape: str = "engine") -> RecordingMonitor:
    """A recording monitor over preflight's mocks for the stack, with the default provider the engine would give
    its aws resources. `shape`: what the pack is sent (recorder.SHAPES)."""
    providers: dict[str, ProviderRef] = {}
    version = _provider_version("aws")
    if version:
        providers["aws"] = default_provider(settings.stack, settings.project, "aws", version, settings.config)
    mocks = PreflightMocks(preview=preview, region=settings.region)
    return RecordingMonitor(mocks, providers, shape=shape)


def _run_inline(loop: asyncio.AbstractEventLoop, executor: object, func: Callable[..., object], *args: object
                ) -> asyncio.Future:
    """The loop's `run_in_executor`, for the program's run: the SDK sends each monitor call (register a resource,
    invoke) to a thread pool, since a real monitor is a gRPC server elsewhere. The mock monitor answers at once, in
    this process, so the pool's threads only cost hand-offs: a dev program ran in 0.072 s with them, 0.047 s
    without. The call runs here and its answer is a finished future, as a pool's would be once done."""
    if executor is not None:  # a program's own executor is its own business
        return asyncio.BaseEventLoop.run_in_executor(loop, executor, func, *args)  # type: ignore[arg-type]
    future = loop.create_future()
    try:
        future.set_result(func(*args))
    except Exception as error:  # the caller awaits it, as it would a pool's
        future.set_exception(error)
    return future


def run_under_mocks(
    program: Callable[[], object], settings: StackSettings, monitor: RecordingMonitor, *, preview: bool
) -> None:
    """Run `program` inside a new root Stack under `monitor` (built with the same `preview`), on a fresh event loop
    closed afterwards. The program's exception propagates as it is; what it registered first is in
    `monitor.recorded`. Program tests run functions this way; `run_program` runs a project's `__main__.py`."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.run_in_executor = _run_inline.__get__(loop)  # type: ignore[method-assign]
    try:
        _configure_runtime(settings, monitor, preview)
        with _fast_sdk(), registering_while_built(program) as program_in_turns:
            _sync_await(runtime_stack.run_in_stack(program_in_turns))
    finally:
        loop.close()
        # None rather than the caller's previous loop: asking for that one would create a loop that nobody
        # closes (noise at interpreter exit). Callers that need a loop afterwards set their own.
        asyncio.set_event_loop(None)
        runtime_config.set_all_config({})  # the next run, or code outside one, starts from no config


def run_program(settings: StackSettings, *, preview: bool = True, timeout_s: int = PROGRAM_TIMEOUT_S,
                on_resource: Callable[[RecordedResource], None] | None = None, shape: str = "engine") -> ProgramRun:
    """`on_resource` gets each resource as the program registers it (preflight analyses it meanwhile)."""
    monitor = new_monitor(settings, preview=preview, shape=shape)
    monitor.on_record = on_resource
    main = settings.program_dir / "__main__.py"  # absolute: read_stack resolves the project directory
    try:
        with _program_environment(settings.program_dir), _time_limit(timeout_s):
            run_under_mocks(lambda: runpy.run_path(str(main), run_name="__main__"), settings, monitor,
                            preview=preview)
    except _ProgramTimeout as error:
        raise ProgramError(f"the program {main} did not finish within {timeout_s} s") from error
    except pulumi.RunError as error:  # the program's own report (e.g. an invalid stack config): no traceback
        raise ProgramError(f"the program {main} stopped:\n{error}") from error
    except Exception as error:  # a bug or an unexpected input: its message and where in the program
        message = str(error).strip() or type(error).__name__
        raise ProgramError(f"the program {main} failed{_where_in_program(error, settings.program_dir)}: "
                           f"{type(error).__name__}: {message}") from error

    notes = [f"invoke {token} is not simulated offline: it returned no values"
             for token in sorted(monitor.mocks.unsimulated_invokes)]
    return ProgramRun(resources=monitor.analyzed_resources(), notes=notes)
