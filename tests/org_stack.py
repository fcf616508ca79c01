"""The organization stack file (Pulumi.org.yaml) with one edit, run under mocks: for the tests of what the org stack
refuses by key before registering anything."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from pulumi_mocks import ROOT, Recorded, project_program, run_capturing, stack_file_config

from components.config import ConfigError

ORG = ROOT / "Pulumi.org.yaml"


def edited_org_config(edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """The org stack's full-key config with `edit` applied to its `aws-backups:organization` section."""
    config = copy.deepcopy(stack_file_config(ORG))
    edit(config["aws-backups:organization"])
    return {key: json.dumps(value) if isinstance(value, dict | list) else value for key, value in config.items()}


def run_edited_org(edit: Callable[[dict[str, Any]], None]) -> tuple[list[Recorded], BaseException | None]:
    return run_capturing(project_program, edited_org_config(edit), stack_name="org")


def refused(edit: Callable[[dict[str, Any]], None]) -> str:
    """The ConfigError the edited org stack fails with, having registered nothing."""
    recorded, error = run_edited_org(edit)
    assert isinstance(error, ConfigError), error
    assert recorded == []
    return str(error)
