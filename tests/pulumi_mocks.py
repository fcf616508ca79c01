"""Test conveniences over preflight's mock runner: run a function, or this project's program, under preflight's
mocks (`preflight.program.run_under_mocks`) and pick resources from what it recorded.

Resources are preflight's `RecordedResource`: type token, name, URN, engine (camelCase) `inputs` (the
analyzer's `properties` without the nulls of unset fields; unknown values at preview as the engine's `UNKNOWN`
string), parent, dependencies, property dependencies, protect and retain_on_delete. The root Stack is left out.
Shared by every test module.
"""

from __future__ import annotations

import runpy
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml
from compliance.facts import UNKNOWN_STRING as UNKNOWN

from preflight.mocks import ACCOUNT_ID
from preflight.program import new_monitor, run_under_mocks
from preflight.recorder import STACK_TYPE, RecordedResource
from preflight.stack_files import StackSettings, _as_config_string, read_stack

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "aws-backups"
Recorded = RecordedResource

__all__ = [
    "ACCOUNT_ID", "PROJECT", "ROOT", "UNKNOWN", "Recorded", "of_type", "one", "project_program", "run",
    "run_capturing", "run_program", "run_stack_file", "stack_file_config",
]


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
    settings = StackSettings(project=PROJECT, stack=stack_name, project_dir=ROOT, program_dir=ROOT,
                             config={key: _as_config_string(value) for key, value in (config or {}).items()})
    monitor = new_monitor(settings, preview=preview)
    try:
        run_under_mocks(program, settings, monitor, preview=preview)
    except Exception as error:  # the caller decides; a test checks what was registered before it
        return _registered_by_program(monitor.recorded), error
    return _registered_by_program(monitor.recorded), None


def _registered_by_program(recorded: list[Recorded]) -> list[Recorded]:
    return [resource for resource in recorded if resource.type != STACK_TYPE]


def stack_file_config(path: Path) -> dict[str, Any]:
    """The `config:` section of a Pulumi.<stack>.yaml, as written (for tests that edit it before a run)."""
    return yaml.safe_load(path.read_text()).get("config", {})


def project_program() -> None:
    """This project's program, `__main__.py`, run as the Pulumi language host runs it."""
    runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__")


def run_program(config: Mapping[str, Any], stack_name: str = "test", preview: bool = False) -> list[Recorded]:
    """This project's program with the given full-key config, under mocks."""
    return run(project_program, config=config, stack_name=stack_name, preview=preview)


def run_stack_file(path: Path, preview: bool = False) -> list[Recorded]:
    """This project's program for a `Pulumi.<stack>.yaml` (read as preflight reads it), under mocks."""
    stack_name = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
    return run_program(read_stack(ROOT, stack_name, stack_file=path).config, stack_name=stack_name, preview=preview)


def of_type(resources: list[Recorded], type_token: str) -> list[Recorded]:
    return [resource for resource in resources if resource.type == type_token]


def one(resources: list[Recorded], type_token: str, name: str | None = None) -> Recorded:
    """The single resource of a type (and name); fails loudly when there are none or several."""
    found = [r for r in of_type(resources, type_token) if name is None or r.name == name]
    assert len(found) == 1, f"expected one {type_token} {name or ''}, found {[r.name for r in found]}"
    return found[0]
