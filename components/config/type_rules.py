"""Per-type rules of the config, all read from the pack's resource-type table: which selection ARNs AWS Backup
takes, which types a selection reaches (to opt them in), and which types take full AWS Backup management.

The one reader of the table is the pack's `compliance.resource_types_table` (standard library only, no
pulumi_policy). The program imports it under that same name, as the pack and the tests do: the CLI puts
policies/ first on sys.path for the pack, pytest has it on `pythonpath`, and here it is appended for the program
(appended, so it never shadows a module of the project).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator

_POLICIES = str(Path(__file__).resolve().parents[2] / "policies")
if _POLICIES not in sys.path:
    sys.path.append(_POLICIES)

from compliance.resource_types_table import load_table, selected_types, selection_arn_problem  # noqa: E402

TABLE = load_table()


def _accepted_selection_arn(value: str) -> str:
    if problem := selection_arn_problem(value, TABLE):
        raise ValueError(problem)
    return value


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
