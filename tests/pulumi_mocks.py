"""Run Pulumi code under the SDK's mocks and record every resource as the engine would see it.

`run(program, config=...)` returns `Recorded` resources: type token, name, engine (camelCase) inputs, parent URN,
dependencies, property dependencies, protect and retain_on_delete. `run_stack_file(path)` runs this project's
program for a `Pulumi.<stack>.yaml`. Shared by every test module; keep it general.
"""

from __future__ import annotations

import asyncio
import json
import runpy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.output import Unknown
from pulumi.runtime import mocks, stack
from pulumi.runtime.sync_await import _sync_await

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "aws-backups"
ACCOUNT_ID = "123456789012"
UNKNOWN = pulumi.runtime.rpc.UNKNOWN  # how an unknown value appears in recorded inputs


@dataclass
class Recorded:
    type: str
    name: str
    urn: str
    inputs: dict[str, Any]
    parent: str = ""
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    protect: bool = False
    retain_on_delete: bool = False
    custom: bool = True


class RecordingMocks(pulumi.runtime.Mocks):
    """Outputs echo inputs, plus the ids and ARNs AWS would return; invokes answer account and partition.
    In preview, as on a first `pulumi preview`, only the inputs are known: ids, ARNs and other computed
    outputs are unknown (recorded as `UNKNOWN` where a dependent resource uses them)."""

    def __init__(self, preview: bool = False):
        super().__init__()
        self.preview = preview

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        state = dict(args.inputs)
        if self.preview:
            return "", state
        resource_id = f"{args.name}-id"
        state.setdefault("arn", f"arn:aws:mock:::{args.typ}/{args.name}")
        if args.typ == "aws:kms/key:Key":
            state["keyId"] = resource_id
        return resource_id, state

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict:
        # A plain dict: the SDK's MockMonitor cannot iterate a `(result, None)` tuple's missing failures.
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": ACCOUNT_ID, "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/test", "userId": "test"}
        if args.token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
        return {}


class RecordingMonitor(mocks.MockMonitor):
    """The SDK's MockMonitor, also keeping what it drops: parent, dependencies and resource options."""

    def __init__(self, mocks_: pulumi.runtime.Mocks):
        super().__init__(mocks_)
        self.recorded: list[Recorded] = []

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self.recorded.append(
                Recorded(
                    type=request.type,
                    name=request.name,
                    urn=response.urn,
                    inputs=_with_sentinels(pulumi.runtime.rpc.deserialize_properties(request.object)),
                    parent=request.parent,
                    dependencies=list(request.dependencies),
                    property_dependencies={key: list(deps.urns) for key, deps in request.propertyDependencies.items()},
                    protect=request.protect,
                    retain_on_delete=request.retainOnDelete,
                    custom=request.custom,
                )
            )
        return response


def _ensure_open_event_loop() -> None:
    """The SDK runs on the current event loop; code that ran a program before (preflight.program) may have
    closed it or left none."""
    try:
        loop = asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        loop = None
    if loop is None or loop.is_closed():
        asyncio.set_event_loop(asyncio.new_event_loop())


def _with_sentinels(value: Any) -> Any:
    """The value with the SDK's `Unknown` placeholders replaced by the engine's UNKNOWN string, as an analyzer
    (the policy pack) sees them."""
    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, dict):
        return {key: _with_sentinels(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_sentinels(item) for item in value]
    return value


def run(
    program: Callable[[], object],
    config: Mapping[str, Any] | None = None,
    stack_name: str = "test",
    preview: bool = False,
) -> list[Recorded]:
    """Run `program` under mocks with the given full-key config (`aws-backups:plans`, `aws:region`; objects are
    passed as JSON text, as the Pulumi CLI does) and return every resource it registered. Exceptions propagate."""
    recorded, error = run_capturing(program, config, stack_name, preview)
    if error is not None:
        raise error
    return recorded


def run_capturing(
    program: Callable[[], object],
    config: Mapping[str, Any] | None = None,
    stack_name: str = "test",
    preview: bool = False,
) -> tuple[list[Recorded], BaseException | None]:
    """Like `run`, but returns (what was registered, the exception the program raised or None)."""
    pulumi.runtime.set_all_config(
        {key: value if isinstance(value, str) else json.dumps(value) for key, value in (config or {}).items()}
    )
    _ensure_open_event_loop()
    monitor = RecordingMonitor(RecordingMocks(preview))
    pulumi.runtime.set_mocks(monitor.mocks, project=PROJECT, stack=stack_name, preview=preview, monitor=monitor)
    try:
        _sync_await(stack.run_pulumi_func(program))
    except Exception as error:  # the caller decides; a test checks what was registered before it
        return monitor.recorded, error
    finally:
        pulumi.runtime.set_all_config({})
    return monitor.recorded, None


def stack_file_config(path: Path) -> dict[str, Any]:
    """The `config:` section of a Pulumi.<stack>.yaml."""
    return yaml.safe_load(path.read_text()).get("config", {})


def project_program() -> None:
    """This project's program, `__main__.py`, run as the Pulumi language host runs it."""
    runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__")


def run_program(config: Mapping[str, Any], stack_name: str = "test", preview: bool = False) -> list[Recorded]:
    """This project's program with the given full-key config, under mocks."""
    return run(project_program, config=config, stack_name=stack_name, preview=preview)


def run_stack_file(path: Path, preview: bool = False) -> list[Recorded]:
    """This project's program for a `Pulumi.<stack>.yaml`, under mocks."""
    stack_name = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
    return run_program(stack_file_config(path), stack_name=stack_name, preview=preview)


def of_type(resources: list[Recorded], type_token: str) -> list[Recorded]:
    return [resource for resource in resources if resource.type == type_token]


def one(resources: list[Recorded], type_token: str, name: str | None = None) -> Recorded:
    """The single resource of a type (and name); fails loudly when there are none or several."""
    found = [r for r in of_type(resources, type_token) if name is None or r.name == name]
    assert len(found) == 1, f"expected one {type_token} {name or ''}, found {[r.name for r in found]}"
    return found[0]
