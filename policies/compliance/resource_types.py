"""What a plan does for the resource types it selects: the AWS Backup feature table (data/backup_resource_types.json,
read through resource_types_table) against the plan's rules, copies, advanced settings and the stack's region
settings.

A plan can look right and silently do less than its author believes: AWS Backup ignores a cold-storage lifecycle
for a type without cold storage (API_Lifecycle), falls back to snapshots where it cannot back up continuously
(PITR guide), copies DynamoDB backups and tiers them to cold storage only with advanced features switched on in
the Region (Advanced DynamoDB backup guide), and applies Windows VSS only to EC2 instances
(API_AdvancedBackupSetting). Every rule here names no resource type itself: the types come from the table.

Links, all known on a first preview: a Selection belongs to the plan its `planId` came from
(property_dependencies); the types a selection reaches are read from its literal `resources` / `notResources`
patterns; RegionSettings are matched by region.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from compliance import facts
from compliance.plans import Lifecycle, lifecycles, rule_label
from compliance.protection import ACCOUNT_ID_KNOB, own_accounts
from compliance.resource_types_table import load_table, selected_types
from compliance.resources import (
    PLAN,
    REGION_SETTINGS,
    SELECTION,
    Props,
    Resource,
    Stack,
    UnknownRead,
    is_unknown,
    type_of_urn,
)
from compliance.spec import PolicySpec, Violation, days
from compliance.vaults import copy_destination

TABLE = load_table()
ENABLED = "enabled"

REQUIREMENT_SETTING = {"advancedFeatures": "resourceTypeManagementPreference"}  # table requirement -> RegionSettings


# -- what a plan selects ---------------------------------------------------------------------------------------
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


# -- which features a rule uses --------------------------------------------------------------------------------
def _cold_storage(lifecycle: Lifecycle) -> float | None:
    cold = lifecycle.cold_storage_after
    return None if cold is None or cold == facts.KEEP_FOREVER else cold


def _archive(lifecycle: Lifecycle) -> bool:
    # Optional+Computed in the provider: unknown in a first preview's plan exactly when the program left it unset
    # (AWS's default: no archive tier). A flag set from another resource's unknown output is not a real case.
    props = lifecycle.props
    return props is not None and props.known("optInToArchiveForSupportedResources") and props.flag(
        "optInToArchiveForSupportedResources")


def _config_key(lifecycle: Lifecycle, field: str) -> str:
    return f"aws-backups:{lifecycle.config_key}.{field}"


# -- policy: a feature none of the selected types has ----------------------------------------------------------
def check_type_features(stack: Stack, _config: dict) -> Iterator[Violation]:
    """The same question the config asks (`ResourceTypeTable.feature_problem`)."""
    for scope in plan_scopes(stack):
        where = scope.label()
        for lifecycle in lifecycles(scope.plan):
            if lifecycle.inherited:
                continue  # the rule's own lifecycle is reported once, on the rule
            cold = _cold_storage(lifecycle)
            if cold is not None and (problem := TABLE.feature_problem("coldStorage", scope.types, scope.partition)):
                yield Violation(
                    f"{where} {lifecycle.where}: lifecycle.coldStorageAfter {days(cold)} {problem}. Remove it "
                    f"({_config_key(lifecycle, 'coldStorageAfterDays')}) or select a type that has cold storage.",
                    scope.plan.urn,
                )
            if _archive(lifecycle) and (problem := TABLE.feature_problem("archiveTier", scope.types, scope.partition)):
                yield Violation(
                    f"{where} {lifecycle.where}: lifecycle.optInToArchiveForSupportedResources true {problem}. Remove "
                    f"it ({_config_key(lifecycle, 'optInToArchiveForSupportedResources')}) or select a type that has "
                    f"an archive tier.",
                    scope.plan.urn,
                )
        for rule in scope.plan.props.items("rules"):
            if rule.flag("enableContinuousBackup") and (
                    problem := TABLE.feature_problem("continuousBackup", scope.types, scope.partition)):
                yield Violation(
                    f"{where} {rule_label(rule)}: enableContinuousBackup true {problem}. Remove it "
                    f"(aws-backups:plans[].rules[].continuousBackup) or select a type that has continuous backup.",
                    scope.plan.urn,
                )


# -- policy: features that need a Region switch (DynamoDB advanced features) -----------------------------------
def _switched_on(stack: Stack, region: str | None, setting: str, type_name: str) -> bool | None:
    """The value the stack's RegionSettings in `region` give `setting[type_name]`: True, False, or None when no
    RegionSettings of the stack sets it there."""
    for settings in stack.of_kind(REGION_SETTINGS):
        if stack.region_of(settings) != region:
            continue
        # A map whose keys are data, not properties; left to the provider, AWS's own settings apply (None).
        value = (settings.program_value(setting) or {}).get(type_name)
        if is_unknown(value):
            raise UnknownRead(value, [setting, type_name], settings.urn, settings.type)
        if value is not None:
            return value is True or value == "true"
    return None


def _features_used(stack: Stack, scope: PlanScope, lifecycle: Lifecycle, own: set[str]) -> list[tuple[str, str]]:
    """(feature, what the rule or copy does) for each switch-dependent feature this lifecycle uses."""
    used = []
    if _cold_storage(lifecycle) is not None and not lifecycle.inherited:
        used.append(("coldStorage", f"moves recovery points to cold storage after {days(_cold_storage(lifecycle))} "
                                    f"days"))
    if lifecycle.action is None:
        return used
    destination = copy_destination(stack, scope.plan, lifecycle.action)
    other_regions = sorted(r for r in destination.regions(stack) if r and r != scope.region)
    if scope.region and other_regions:
        used.append(("crossRegionCopy", f"copies to region {', '.join(other_regions)}"))
    account = destination.account(own)
    if account and own and account not in own:
        used.append(("crossAccountCopy", f"copies to account {account}"))
    return used


def check_advanced_features(stack: Stack, config: dict) -> Iterator[Violation]:
    own = own_accounts(stack, config)
    for scope in plan_scopes(stack):
        for lifecycle in lifecycles(scope.plan):
            for feature, doing in _features_used(stack, scope, lifecycle, own):
                for type_name in sorted(scope.supporting(feature)):
                    requirement = TABLE.requirement(type_name, feature)
                    if requirement is None:
                        continue
                    setting = REQUIREMENT_SETTING[requirement]
                    state = _switched_on(stack, scope.region, setting, type_name)
                    if state:
                        continue
                    found = (f"sets {setting}.{type_name} to false" if state is False
                             else f"does not set {setting}.{type_name} to true (no RegionSettings of the stack does; "
                                  f"AWS turns it on by default only for accounts that had no backup vault before "
                                  f"21 November 2021)")
                    yield Violation(
                        f"{scope.label()} {lifecycle.where} {doing}, which {type_name} backups get only with "
                        f"advanced features (full AWS Backup management) switched on in region "
                        f"{scope.region or 'unknown'}; the stack {found}. Without it AWS Backup does not do this for "
                        f"{type_name}: no cold storage, no copy of its backups. Set it to true in that region (stack "
                        f"config: aws-backups:regionSettings.fullManagement: [{type_name}]).",
                        scope.plan.urn,
                    )


# -- policy: Windows VSS on a plan that selects no EC2 ----------------------------------------------------------
def _vss_settings(plan: Resource) -> list[Props]:
    return [
        setting
        for setting in plan.props.items("advancedBackupSettings")
        if str((setting.get("backupOptions") or {}).get("WindowsVSS", "")).lower() == ENABLED
    ]


def check_windows_vss_selection(stack: Stack, _config: dict) -> Iterator[Violation]:
    for scope in plan_scopes(stack):
        for setting in _vss_settings(scope.plan):
            applies_to = setting.text("resourceType") or "unset"
            if scope.supporting("windowsVss") and applies_to in TABLE.types_supporting("windowsVss"):
                continue
            yield Violation(
                f"{scope.label()} enables Windows VSS for resource type {applies_to}, but AWS Backup applies VSS "
                f"only to {TABLE.names(TABLE.types_supporting('windowsVss'))} instances with resourceType "
                f"{TABLE.names(TABLE.types_supporting('windowsVss'))}, and this plan backs none up that way: its "
                f"backups are crash-consistent, not application-consistent. Add the Windows instances to a selection "
                f"(aws-backups:plans[].selections[].resourceTypes: [EC2]) or remove aws-backups:plans[].windowsVss.",
                scope.plan.urn,
            )


SELECTION_READS = ("planId", "resources", "notResources", "region")
PLAN_SCOPE_READS = {PLAN: ("region",), SELECTION: SELECTION_READS}

POLICIES = [
    PolicySpec(
        name="aws-backup-plan-check-type-features",
        description="A plan's cold storage, archive tier and continuous backup apply to at least one resource type "
                    "it selects.",
        why="AWS Backup ignores a cold-storage lifecycle for types without cold storage (API_Lifecycle) and falls "
            "back to snapshots where continuous backup is not supported (PITR guide): the plan does less than it "
            "says. Feature availability by resource, AWS Backup guide (aws-limits.md #8).",
        severity="high",
        remediation="Remove the setting from the rule, or select a resource type that supports it (the table in "
                    "policies/compliance/data/backup_resource_types.json).",
        reads={
            **PLAN_SCOPE_READS,
            PLAN: ("region", "rules[].ruleName", "rules[].lifecycle", "rules[].lifecycle.deleteAfter",
                   "rules[].lifecycle.coldStorageAfter", "rules[].lifecycle.optInToArchiveForSupportedResources",
                   "rules[].enableContinuousBackup", "rules[].copyActions",
                   "rules[].copyActions[].destinationVaultArn", "rules[].copyActions[].lifecycle",
                   "rules[].copyActions[].lifecycle.deleteAfter", "rules[].copyActions[].lifecycle.coldStorageAfter",
                   "rules[].copyActions[].lifecycle.optInToArchiveForSupportedResources"),
        },
        check=check_type_features,
        stack=True,
        aws_limit=True,
    ),
    PolicySpec(
        name="aws-backup-plan-require-advanced-features",
        description="Cold storage and cross-Region or cross-account copies of a type that needs advanced features "
                    "(DynamoDB) come with them switched on in the plan's region.",
        why="DynamoDB backups tier to cold storage and copy across Regions and accounts only after advanced "
            "DynamoDB backup is enabled in the Region (AWS Backup guide: Advanced DynamoDB backup; Feature "
            "availability by resource).",
        severity="high",
        remediation="Manage the region's AWS Backup RegionSettings with resourceTypeManagementPreference "
                    "{DynamoDB: true} (stack config: aws-backups:regionSettings.fullManagement: [DynamoDB]).",
        reads={
            **PLAN_SCOPE_READS,
            PLAN: ("region", "rules[].ruleName", "rules[].lifecycle", "rules[].lifecycle.deleteAfter",
                   "rules[].lifecycle.coldStorageAfter", "rules[].copyActions",
                   "rules[].copyActions[].destinationVaultArn", "rules[].copyActions[].lifecycle",
                   "rules[].copyActions[].lifecycle.deleteAfter",
                   "rules[].copyActions[].lifecycle.coldStorageAfter"),
            REGION_SETTINGS: ("region", "resourceTypeManagementPreference"),
        },
        check=check_advanced_features,
        stack=True,
        knobs=ACCOUNT_ID_KNOB,
        level="advisory",
    ),
    PolicySpec(
        name="aws-backup-plan-check-windows-vss-selection",
        description="A plan that enables Windows VSS selects EC2 instances.",
        why="AWS Backup applies Windows VSS only to EC2 instances (API_AdvancedBackupSetting: the only valid "
            "resource type is EC2); on other types the setting does nothing and backups stay crash-consistent.",
        severity="low",
        remediation="Select the Windows EC2 instances in the plan, or remove the WindowsVSS advanced backup setting.",
        reads={
            **PLAN_SCOPE_READS,
            PLAN: ("region", "advancedBackupSettings", "advancedBackupSettings[].resourceType",
                   "advancedBackupSettings[].backupOptions"),
        },
        check=check_windows_vss_selection,
        stack=True,
        level="advisory",
    ),
]
