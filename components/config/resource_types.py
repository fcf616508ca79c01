"""The AWS Backup resource types this project protects, read from the pack's data file (the one table naming them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from components.config.type_rules import TABLE

_TABLE_PATH = Path(__file__).resolve().parents[2] / "policies" / "compliance" / "data" / "backup_resource_types.json"
RESOURCE_TYPES: dict[str, dict[str, str]] = json.loads(_TABLE_PATH.read_text())["resourceTypes"]

# The friendly names as a pydantic-checkable type, so a typo is reported with the allowed names.
ResourceTypeName = Literal[tuple(RESOURCE_TYPES)]  # type: ignore[valid-type]


def resource_type_arn_wildcard(resource_type: str, partition: str) -> str:
    """The ARN pattern that selects every resource of a type (any region and account) in a backup selection."""
    return TABLE.resource_type(resource_type).selection_pattern(partition)
