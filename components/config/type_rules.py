"""Per-type rules of the config, all read from the pack's resource-type table: which selection ARNs AWS Backup
takes, which types a selection reaches (to opt them in), and which types take full AWS Backup management.

The one reader of the table is the pack's `compliance.resource_types_table` (standard library only, no
pulumi_policy), imported under the pack's own name (the project's editable install maps it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Literal

from compliance.resource_types_table import load_table, selected_types, selection_arn_problem
from pydantic import AfterValidator, ValidationInfo

from components.config.base import arn_in_known_region

TABLE = load_table()


def _accepted_selection_arn(value: str, info: ValidationInfo) -> str:
    if problem := selection_arn_problem(value, TABLE):
        raise ValueError(problem)
    return arn_in_known_region(value, info) if value != "*" else value


# An entry of a selection's `resources` / `notResources`: '*', or an ARN of a protected type in any partition,
# with AWS Backup's `*` wildcards anywhere (e.g. arn:aws-us-gov:ec2:*:*:volume/*).
SelectionArn = Annotated[str, AfterValidator(_accepted_selection_arn)]

# Types RegionSettings can switch to full AWS Backup management (resourceTypeManagementPreference).
FullManagementTypeName = Literal[tuple(sorted(TABLE.types_supporting("fullManagement")))]  # type: ignore[valid-type]
# The services of the Region's opt-in map, as AWS returns it (resourceTypeOptInPreference).
OptInServiceName = Literal[TABLE.opt_in_services]  # type: ignore[valid-type]


def types_reached(
    resource_types: Iterable[str], resources: Iterable[str], not_resources: Iterable[str], partition: str
) -> list[str]:
    """The protected types a selection can back up: the types it names (in its order), then those its ARNs reach
    (in table order), less those its notResources cover. Region settings opt these types in. A selection always
    names types or ARNs (SelectionConfig refuses one with neither)."""
    named = list(resource_types)
    patterns = [TABLE.resource_type(name).selection_pattern(partition) for name in named] + list(resources)
    reached = selected_types(patterns, not_resources, TABLE, partition)
    return [name for name in dict.fromkeys([*named, *TABLE.type_names]) if name in reached]
