"""What a plan backs up: it has a selection and a vault, its selections name resource types that exist, and what
it asks of them (cold storage, archive tier, continuous backup, advanced features, Windows VSS) is something the
selected types do. The types and their features are the one table (data/backup_resource_types.json).

A plan can look right and silently do less than its author believes: AWS Backup ignores a cold-storage lifecycle
for a type without cold storage (API_Lifecycle), falls back to snapshots where it cannot back up continuously
(PITR guide), copies DynamoDB backups and tiers them to cold storage only with advanced features switched on in
the Region (Advanced DynamoDB backup guide), and applies Windows VSS only to EC2 instances
(API_AdvancedBackupSetting). No policy here names a resource type itself: the types come from the table.
"""

from __future__ import annotations

from collections.abc import Iterator

from compliance import facts
from compliance.plan_lifecycles import Lifecycle, lifecycles, rule_label, rules
from compliance.plan_scopes import PLAN_SCOPE_READS, TABLE, PlanScope, plan_scopes
from compliance.resource_types_table import selection_arn_problem
from compliance.resources import (
    PLAN,
    REGION_SETTINGS,
    SELECTION,
    VAULT,
    Props,
    Resource,
    Stack,
    UnknownRead,
    is_unknown,
)
from compliance.spec import PolicySpec, Violation, aws_limit, days
from compliance.vault_links import ACCOUNT_ID_KNOB, copy_destination, own_accounts, vault_name, vault_named

VSS_ENABLED = "enabled"  # AdvancedBackupSetting backupOptions WindowsVSS
REQUIREMENT_SETTING = {"advancedFeatures": "resourceTypeManagementPreference"}  # table requirement -> RegionSettings


def check_plan_coverage(stack: Stack, config: dict) -> Iterator[Violation]:
    external = set(config["externalVaultNames"])
    for plan in stack.of_kind(PLAN):
        selections = stack.dependents(plan, "planId", SELECTION)
        if not selections:
            yield Violation(
                f"plan '{plan.name}' has no backup selection, so it backs up nothing. Add a Selection whose planId is "
                f"this plan's id (stack config: aws-backups:plans[].selections).",
                plan.urn,
            )
        linked_vaults = stack.linked(plan, "rules", VAULT)
        for rule in rules(plan):
            if not rule.known("targetVaultName") and linked_vaults:
                continue  # an Output of a vault of this stack
            name = rule.text("targetVaultName")
            if not name:
                yield Violation(f"plan '{plan.name}' {rule_label(rule)} has no targetVaultName. Name the vault it "
                                f"stores recovery points in (stack config: aws-backups:plans[].rules[].vault).",
                                plan.urn)
            elif name not in external and not vault_named(stack, stack.region_of(plan), name) and not any(
                    vault_name(v) == name for v in linked_vaults):
                yield Violation(
                    f"plan '{plan.name}' {rule_label(rule)} targets vault '{name}', which this stack does not create "
                    f"in region {stack.region_of(plan) or 'unknown'}; AWS fails the backup jobs if it does not exist. "
                    f"Target a vault of the stack (stack config: aws-backups:plans[].rules[].vault) or list it in "
                    f"this policy's externalVaultNames.",
                    plan.urn,
                )


SELECTION_AND_VAULT = PolicySpec(
    name="aws-backup-plan-require-selection-and-vault",
    description="Every backup plan has a selection and every rule targets a vault that exists.",
    why="A plan without a selection backs up nothing, and one whose vault does not exist fails every job: "
        "both pass preview silently (AWS Backup CreateBackupSelection, BackupRuleInput.TargetBackupVaultName).",
    severity="high",
    remediation="Add a Selection linked to the plan; point every rule's targetVaultName at a vault of the "
                "stack (or list an existing vault in externalVaultNames).",
    reads={PLAN: ("region", "rules[].ruleName", "rules[].targetVaultName"), VAULT: ("name", "region"),
           SELECTION: ("planId",)},
    check=check_plan_coverage,
    stack=True,
    knobs={"externalVaultNames": {"type": "array", "items": {"type": "string"}, "default": [],
                                  "description": "Vaults created outside this stack that rules may target."}},
)


def check_selection_resource_types(selection: Resource, _config: dict) -> Iterator[str]:
    for key in ("resources", "notResources"):
        for arn in selection.props.strings(key):
            if problem := selection_arn_problem(arn):
                yield (f"{key} names {arn!r}, which {problem}; AWS Backup selects nothing with it. Fix the ARN "
                       f"(stack config: aws-backups:plans[].selections[].{key}).")


SELECTION_RESOURCE_TYPES = PolicySpec(
    name="aws-backup-selection-check-resource-types",
    description="Backup selections name ARNs of resource types the organisation backs up.",
    why="A selection ARN of another service or a malformed ARN selects nothing, silently; the types are the "
        "project's table (EBS, EC2, RDS, Aurora, DynamoDB, EFS, Storage Gateway).",
    severity="medium",
    remediation="Use ARNs (wildcards allowed) of the listed resource types, in the aws, aws-us-gov or aws-cn "
                "partition, or '*'.",
    reads={SELECTION: ("resources", "notResources")},
    check=check_selection_resource_types,
)


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


TYPE_FEATURES = PolicySpec(
    name="aws-backup-plan-check-type-features",
    description="A plan's cold storage, archive tier and continuous backup apply to at least one resource type "
                "it selects.",
    why="AWS Backup ignores a cold-storage lifecycle for types without cold storage (API_Lifecycle) and falls "
        "back to snapshots where continuous backup is not supported (PITR guide): the plan does less than it "
        f"says. Feature availability by resource, AWS Backup guide ({aws_limit(8)}).",
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
)


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


ADVANCED_FEATURES = PolicySpec(
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
)


def _vss_settings(plan: Resource) -> list[Props]:
    return [
        setting
        for setting in plan.props.items("advancedBackupSettings")
        if str((setting.get("backupOptions") or {}).get("WindowsVSS", "")).lower() == VSS_ENABLED
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


WINDOWS_VSS_SELECTION = PolicySpec(
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
)


POLICIES = [SELECTION_AND_VAULT, SELECTION_RESOURCE_TYPES, TYPE_FEATURES, ADVANCED_FEATURES, WINDOWS_VSS_SELECTION]
