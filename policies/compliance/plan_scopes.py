"""The plans a stack's selections back up, with their region, partition and the protected types the selections
reach: the resource-type table (data/backup_resource_types.json) read against a stack.

Links, all known on a first preview: a Selection belongs to the plan its `planId` came from
(property_dependencies); the types a selection reaches are read from its literal `resources` / `notResources`
patterns.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from compliance import facts
from compliance.resource_types_table import load_table, selected_types
from compliance.resources import PLAN, SELECTION, Resource, Stack, UnknownRead, is_unknown, type_of_urn

TABLE = load_table()
SELECTION_READS = ("planId", "resources", "notResources", "region")
PLAN_SCOPE_READS = {PLAN: ("region",), SELECTION: SELECTION_READS}


def _patterns(selection: Resource, key: str, partition: str | None) -> list[str]:
    """A selection's ARN patterns. An entry unknown at preview (`resources=[table.arn]`) came from one of the
    resources the property depends on: each of those of a protected type stands for the whole type. One that the
    dependencies cannot explain could name any type: it is read, and the policy says it cannot judge."""
    values = selection.program_value(key, [])
    if not isinstance(values, list):
        return []
    patterns = [value for value in values if isinstance(value, str) and not is_unknown(value)]
    unknown = [index for index, value in enumerate(values) if is_unknown(value)]
    if unknown:
        types = [TABLE.type_of_token(type_of_urn(urn)) for urn in selection.depends_through(key)]
        if not types or None in types:
            raise UnknownRead(values[unknown[0]], [key, str(unknown[0])], selection.urn, selection.type)
        patterns += [TABLE.resource_type(name).selection_pattern(partition or "*") for name in dict.fromkeys(types)]
    return patterns


def selections_of(stack: Stack, plan: Resource) -> list[Resource]:
    return stack.dependents(plan, "planId", SELECTION)


@dataclass(frozen=True)
class PlanScope:
    """A plan with its region, partition and the protected types its selections can back up."""

    plan: Resource
    region: str | None
    partition: str | None
    types: frozenset[str]

    def supporting(self, feature: str) -> frozenset[str]:
        return self.types & TABLE.types_supporting(feature, self.partition)

    def label(self) -> str:
        return f"plan '{self.plan.name}' (region {self.region or 'unknown'}, selecting {TABLE.names(self.types)})"


def plan_scopes(stack: Stack) -> Iterator[PlanScope]:
    """Every plan that has selections (a plan without one is the coverage policy's business)."""
    for plan in stack.of_kind(PLAN):
        selections = selections_of(stack, plan)
        if not selections:
            continue
        region = stack.region_of(plan)
        partition = facts.partition_of_region(region) if region else None
        types = frozenset().union(
            *(
                selected_types(_patterns(s, "resources", partition), _patterns(s, "notResources", partition), TABLE,
                               partition)
                for s in selections
            )
        )
        yield PlanScope(plan, region, partition, types)
