"""The AWS Backup resource types this project protects, from the pack's table (the one table naming them), through
its one reader (`compliance.resource_types_table`, loaded by `type_rules`)."""

from __future__ import annotations

from typing import Literal

from components.config.type_rules import TABLE

# The friendly names as a pydantic-checkable type, so a typo is reported with the allowed names.
ResourceTypeName = Literal[TABLE.type_names]  # type: ignore[valid-type]

# The table's types by friendly name, with their ARN shapes and features.
RESOURCE_TYPES = TABLE.types


def resource_type_arn_wildcard(resource_type: str, partition: str) -> str:
    """The ARN pattern that selects every resource of a type (any region and account) in a backup selection."""
    return TABLE.resource_type(resource_type).selection_pattern(partition)
