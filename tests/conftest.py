"""Shared fixtures. Running programs under mocks: tests/pulumi_mocks.py (importable from any test), over
preflight's runner."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from pulumi_mocks import ROOT, Recorded, run_program, stack_file_config

STACKS = ROOT / "tests" / "stacks"
# The tests that run longest (the real engine's previews, the config fuzzing), run first: the suite runs on every
# CPU (pytest-xdist), and started last they left one worker busy for minutes after the other had finished.
LONGEST_FIRST = ("test_a_deployed_stack_under_the_engine", "test_a_config_and_two_broken_copies", "test_engine.py")


def _longest_first(item: pytest.Item) -> int:
    for rank, name in enumerate(LONGEST_FIRST):
        if item.name.split("[")[0] == name or item.path.name == name:
            return rank
    return len(LONGEST_FIRST)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_longest_first)  # stable: each module keeps its own order


@pytest.fixture(scope="session")
def stack_resources() -> Callable[..., list[Recorded]]:
    """`stack_resources(path, **overrides)`: the resources the program registers for a stack file under mocks, with
    `aws-backups:<key>` overrides; each distinct run happens once per session (tests must not mutate the result)."""
    cache: dict[tuple, list[Recorded]] = {}

    def run(path: Path, **overrides: object) -> list[Recorded]:
        key = (path, json.dumps(overrides, sort_keys=True))
        if key not in cache:
            config = {**stack_file_config(path), **{f"aws-backups:{k}": v for k, v in overrides.items()}}
            stack_name = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
            cache[key] = run_program(config, stack_name=stack_name)
        return cache[key]

    return run
