"""The synthetic stacks (bench/synthetic.py) as the equivalent CloudFormation, for the side-by-side benchmark with
cfn-lint and checkov (bench/peers.py): the same vaults, keys, locks, access policies, notifications, plans and
selections, read from the same validated stack config the program reads.

16 of our resources a unit are 9 CloudFormation resources: AWS::KMS::Key, AWS::KMS::Alias, AWS::Backup::BackupVault
(lock, access policy and notifications inline: LockConfiguration, AccessPolicy, Notifications), AWS::SNS::Topic,
AWS::SNS::TopicPolicy, AWS::SNS::Subscription, AWS::Backup::BackupPlan, AWS::Backup::BackupSelection and
AWS::IAM::Role (its two managed policies inline: ManagedPolicyArns). The two component resources have no
CloudFormation counterpart, nor do the stack, the default provider and the region settings (CloudFormation has no
AWS Backup region settings resource). Each extra selection is one AWS::Backup::BackupSelection.

The vault's resources are the member-account baseline's (components/baseline_template.py, the documents the
stack's own vaults use), with the stack's physical names. A template holds at most 500 resources (CloudFormation
quotas, "Resources"; cfn-lint checks the same maximum), so `split` packs whole groups of resources that refer to
each other (a vault with its key and topic, a plan with its role and selections) into templates of at most 500.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.synthetic import BASE_RESOURCES, RESOURCES_PER_UNIT, stack_config
from components.baseline_template import TEMPLATE_FORMAT_VERSION, logical_id, vault_resources
from components.config.base import physical_name
from components.config.loader import load_stack_config
from components.config.plan import PlanConfig, RuleConfig, SelectionConfig, TagConditionsConfig
from components.config.resource_types import resource_type_arn_wildcard
from components.config.stack import StackConfig
from components.vault_documents import BACKUP_ROLE_MANAGED_POLICIES, BACKUP_ROLE_TRUST_POLICY

# CloudFormation resources for RESOURCES_PER_UNIT of ours (the module's docstring lists them).
CFN_RESOURCES_PER_UNIT = 9
# Resources a CloudFormation template may declare (CloudFormation User Guide, "Understand CloudFormation quotas":
# Resources, 500 since the quota increase of October 2020; cfn-lint's schemas/other/resources/configuration.json,
# maxProperties 500).
MAX_RESOURCES = 500
# Tag condition operators: config field -> CloudFormation's BackupSelection Conditions key.
CONDITION_KEYS = {"string_equals": "StringEquals", "string_like": "StringLike",
                  "string_not_equals": "StringNotEquals", "string_not_like": "StringNotLike"}
_SUB_NAMES = re.compile(r"\$\{([A-Za-z0-9]+)[.}]")


def synthetic_stack(resources: int) -> StackConfig:
    """The validated config of the synthetic stack of `resources` resources, as the program loads it."""
    return load_stack_config(stack_config(resources)["config"], f"bench-{resources}")


def cfn_resource_count(resources: int) -> int:
    """CloudFormation resources equivalent to a synthetic stack of `resources` of ours."""
    units, extra = divmod(max(resources - BASE_RESOURCES, RESOURCES_PER_UNIT), RESOURCES_PER_UNIT)
    return units * CFN_RESOURCES_PER_UNIT + extra


def _vault_id(prefix: str, vault: str) -> str:
    return f"{logical_id(physical_name(prefix, vault))}Vault"


def _lifecycle(cold: int | None, delete: int | None, opt_in_to_archive: bool) -> dict[str, Any] | None:
    lifecycle = {"MoveToColdStorageAfterDays": cold, "DeleteAfterDays": delete,
                 "OptInToArchiveForSupportedResources": opt_in_to_archive or None}
    return {key: value for key, value in lifecycle.items() if value is not None} or None


def _rule(plan: PlanConfig, rule: RuleConfig, prefix: str) -> dict[str, Any]:
    """A plan rule, as components/backup_rules.py gives it to pulumi-aws."""
    copies = [{"DestinationBackupVaultArn": copy.vault_arn or {"Fn::GetAtt": [_vault_id(prefix, copy.vault),
                                                                              "BackupVaultArn"]},
               **({"Lifecycle": lifecycle} if (lifecycle := _lifecycle(*rule.copy_lifecycle(copy), False)) else {})}
              for copy in rule.copy_to]
    properties = {
        "RuleName": rule.name,
        "TargetBackupVault": {"Ref": _vault_id(prefix, plan.rule_vault(rule))},
        "ScheduleExpression": rule.schedule,
        "ScheduleExpressionTimezone": rule.timezone,
        "StartWindowMinutes": rule.start_window_minutes,
        "CompletionWindowMinutes": rule.completion_window_minutes,
        "EnableContinuousBackup": rule.continuous_backup or None,
        "Lifecycle": _lifecycle(rule.cold_storage_after_days, rule.delete_after_days,
                                rule.opt_in_to_archive_for_supported_resources),
        "RecoveryPointTags": rule.recovery_point_tags or None,
        "CopyActions": copies or None,
    }
    return {key: value for key, value in properties.items() if value is not None}


def _conditions(conditions: TagConditionsConfig) -> dict[str, list[dict[str, str]]]:
    return {key: [{"ConditionKey": f"aws:ResourceTag/{tag}", "ConditionValue": value}
                  for tag, value in getattr(conditions, field).items()]
            for field, key in CONDITION_KEYS.items() if getattr(conditions, field)}


def _selection(plan_id: str, role_arn: Any, selection: SelectionConfig) -> dict[str, Any]:
    wildcards = [{"Fn::Sub": resource_type_arn_wildcard(kind, "${AWS::Partition}")}
                 for kind in selection.resource_types]
    body: dict[str, Any] = {"SelectionName": selection.name, "IamRoleArn": role_arn,
                            "Resources": [*wildcards, *selection.resources]}
    if selection.not_resources:
        body["NotResources"] = list(selection.not_resources)
    if not selection.conditions.is_empty():
        body["Conditions"] = _conditions(selection.conditions)
    return {"Type": "AWS::Backup::BackupSelection",
            "Properties": {"BackupPlanId": {"Ref": plan_id}, "BackupSelection": body}}


def _plan_resources(plan: PlanConfig, prefix: str, tags: dict[str, str]) -> dict[str, Any]:
    """The plan, its service role (components/plan.py) and its selections."""
    name = logical_id(plan.physical_name(prefix))
    plan_id, role_id = f"{name}Plan", f"{name}Role"
    plan_tags = {**tags, "backup-plan": plan.name}
    resources: dict[str, Any] = {}
    if plan.iam_role_arn:
        role_arn: Any = plan.iam_role_arn
    else:
        role_arn = {"Fn::GetAtt": [role_id, "Arn"]}
        resources[role_id] = {"Type": "AWS::IAM::Role", "Properties": {
            "RoleName": plan.role_name(prefix),
            "Description": f"Assumed by AWS Backup to run backup plan {plan.physical_name(prefix)} and restore its "
                           "recovery points",
            "AssumeRolePolicyDocument": BACKUP_ROLE_TRUST_POLICY,
            "ManagedPolicyArns": [{"Fn::Sub": f"arn:${{AWS::Partition}}:iam::aws:policy/service-role/{policy}"}
                                  for policy in BACKUP_ROLE_MANAGED_POLICIES],
            "Tags": [{"Key": key, "Value": value} for key, value in sorted(plan_tags.items())]}}
    resources[plan_id] = {"Type": "AWS::Backup::BackupPlan", "Properties": {
        "BackupPlan": {"BackupPlanName": plan.physical_name(prefix),
                       "BackupPlanRule": [_rule(plan, rule, prefix) for rule in plan.rules]},
        "BackupPlanTags": plan_tags}}
    for selection in plan.selections:
        resources[f"{name}Selection{logical_id(selection.name)}"] = _selection(plan_id, role_arn, selection)
    return resources


def stack_resources(config: StackConfig) -> dict[str, Any]:
    """The CloudFormation resources of a stack config's vaults and plans (one region: the synthetic stacks have
    one), by logical ID."""
    prefix = config.name_prefix
    resources: dict[str, Any] = {}
    copy_accounts = config.copy_accounts_by_vault()
    for vault in config.vaults:
        named = vault.model_copy(update={"name": physical_name(prefix, vault.name)})
        resources.update(vault_resources(named, config.tags, copy_accounts.get(vault.name, [])))
    for plan in config.plans:
        resources.update(_plan_resources(plan, prefix, config.tags))
    return resources


def template(resources: dict[str, Any], description: str) -> dict[str, Any]:
    return {"AWSTemplateFormatVersion": TEMPLATE_FORMAT_VERSION, "Description": description, "Resources": resources}


def references(value: Any) -> Iterator[str]:
    """The names a CloudFormation value refers to (Ref, Fn::GetAtt, Fn::Sub), pseudo parameters included."""
    if isinstance(value, dict):
        if isinstance(value.get("Ref"), str):
            yield value["Ref"]
        if isinstance(value.get("Fn::GetAtt"), list):
            yield value["Fn::GetAtt"][0]
        if isinstance(value.get("Fn::Sub"), str):
            yield from _SUB_NAMES.findall(value["Fn::Sub"])
        for item in value.values():
            yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def linked_groups(resources: dict[str, Any]) -> list[list[str]]:
    """The logical IDs in groups that refer to each other (directly or through others), in template order: what
    one template must hold together."""
    parent = {name: name for name in resources}

    def root(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for name, resource in resources.items():
        depends = resource.get("DependsOn", [])
        for other in [*references(resource), *([depends] if isinstance(depends, str) else depends)]:
            if other in parent:
                parent[root(other)] = root(name)
    groups: dict[str, list[str]] = {}
    for name in resources:
        groups.setdefault(root(name), []).append(name)
    return list(groups.values())


def split(resources: dict[str, Any], limit: int = MAX_RESOURCES) -> list[dict[str, Any]]:
    """`resources` packed in order into parts of at most `limit`, each linked group whole in one part."""
    parts: list[dict[str, Any]] = []
    for group in linked_groups(resources):
        if len(group) > limit:
            raise ValueError(f"{len(group)} resources refer to each other: more than {limit} in one template")
        if not parts or len(parts[-1]) + len(group) > limit:
            parts.append({})
        parts[-1].update((name, resources[name]) for name in group)
    return parts


def templates(resources: int, limit: int = MAX_RESOURCES) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The synthetic stack of `resources` as one template, and split into templates of at most `limit`."""
    cfn = stack_resources(synthetic_stack(resources))
    about = f"aws-backups benchmark: the synthetic stack of {resources} resources as CloudFormation"
    parts = split(cfn, limit)
    return template(cfn, about), [template(part, f"{about}, part {index + 1} of {len(parts)}")
                                  for index, part in enumerate(parts)]


def write(document: dict[str, Any], path: Path) -> Path:
    """A template as a JSON file, indented one space."""
    path.write_text(json.dumps(document, indent=1) + "\n")
    return path
