"""A plan of `aws-backups:organization.plans` as an AWS Organizations backup policy document (BACKUP_POLICY).

Each rule goes through `backup_rules.rule_args`, the one mapping from a rule's config to what AWS Backup runs, and
is then written in the backup policy's syntax (AWS Organizations User Guide, "Backup policy syntax and examples"):
every setting `{"@@assign": value}`, numbers as the text AWS's examples use, schedules in UTC, member-account
ARNs with `$account`. The document is checked against the syntax and the 10,000-character quota before anything
is registered.
"""

from __future__ import annotations

from typing import Any

import pulumi_aws as aws
from compliance import facts
from compliance.org_backup_policy import CONDITION_OPERATORS, MAX_POLICY_CHARACTERS, minified, syntax_problems

from components.backup_rules import rule_args
from components.config.base import Problem
from components.config.loader import config_error
from components.config.organization import OrganizationConfig, OrganizationPlanConfig
from components.config.plan import TagConditionsConfig
from components.config.resource_types import resource_type_arn_wildcard
from components.config.stack import StackConfig


def _assign(value: Any) -> dict[str, Any]:
    return {"@@assign": value}


def _days(value: Any) -> dict[str, Any]:
    return _assign(str(int(value)))


def _lifecycle(lifecycle: Any) -> dict[str, Any] | None:
    if lifecycle is None:
        return None
    found = {}
    if lifecycle.cold_storage_after is not None:
        found["move_to_cold_storage_after_days"] = _days(lifecycle.cold_storage_after)
    if lifecycle.delete_after is not None:
        found["delete_after_days"] = _days(lifecycle.delete_after)
    if getattr(lifecycle, "opt_in_to_archive_for_supported_resources", None):
        found["opt_in_to_archive_for_supported_resources"] = _assign(True)
    return found or None


def _rule(args: aws.backup.PlanRuleArgs) -> dict[str, Any]:
    rule: dict[str, Any] = {"schedule_expression": _assign(args.schedule),
                            "target_backup_vault_name": _assign(args.target_vault_name)}
    if args.start_window is not None:
        rule["start_backup_window_minutes"] = _days(args.start_window)
    if args.completion_window is not None:
        rule["complete_backup_window_minutes"] = _days(args.completion_window)
    if args.enable_continuous_backup:
        rule["enable_continuous_backup"] = _assign(True)
    if (lifecycle := _lifecycle(args.lifecycle)) is not None:
        rule["lifecycle"] = lifecycle
    if args.recovery_point_tags:
        rule["recovery_point_tags"] = {key: {"tag_key": _assign(key), "tag_value": _assign(value)}
                                       for key, value in args.recovery_point_tags.items()}
    if args.copy_actions:
        rule["copy_actions"] = {
            action.destination_vault_arn: {"target_backup_vault_arn": _assign(action.destination_vault_arn),
                                           **({"lifecycle": lc} if (lc := _lifecycle(action.lifecycle)) else {})}
            for action in args.copy_actions}
    return rule


def _conditions(conditions: TagConditionsConfig) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for operator in CONDITION_OPERATORS:  # a backup policy's operators are the config's field names
        tags: dict[str, str] = getattr(conditions, operator)
        if tags:
            found[operator] = {key: {"condition_key": _assign(f"aws:ResourceTag/{key}"),
                                     "condition_value": _assign(value)} for key, value in tags.items()}
    return found


def plan_document(plan: OrganizationPlanConfig, organization: OrganizationConfig, name: str,
                  partition: str) -> dict[str, Any]:
    """The backup policy of one plan, named `name` (with the stack's namePrefix) in the member accounts."""
    role = plan.iam_role_arn or f"arn:{partition}:iam::$account:role/{organization.backup_role_name}"
    rules = {rule.name: _rule(rule_args(rule, plan.rule_vault(rule), [copy.vault_arn for copy in rule.copy_to]))
             for rule in plan.rules}
    selections = {
        selection.name: {"iam_role_arn": _assign(role),
                         "resource_types": _assign([resource_type_arn_wildcard(kind, partition)
                                                    for kind in selection.resource_types]),
                         **({"conditions": conditions} if (conditions := _conditions(selection.conditions)) else {})}
        for selection in plan.selections}
    body: dict[str, Any] = {"regions": _assign(list(organization.regions)), "rules": rules,
                            "selections": {"resources": selections}}
    if plan.windows_vss:
        body["advanced_backup_settings"] = {"ec2": {"windows_vss": _assign("enabled")}}
    return {"plans": {name: body}}


def policy_documents(config: StackConfig) -> dict[str, str]:
    """The minified document of every organization plan, by plan name. Raises ConfigError, naming the plan's key,
    when one breaks the syntax or the size quota: the program calls this before it registers anything."""
    organization = config.organization
    if organization is None:
        return {}
    partition = facts.partition_of(config.aws_region)
    documents, problems = {}, []
    for index, plan in enumerate(organization.plans):
        document = plan_document(plan, organization, plan.physical_name(config.name_prefix), partition)
        text = minified(document)
        problems += [Problem(("organization", "plans", index), plan.name, f"renders a backup policy that {problem}")
                     for problem in syntax_problems(document)]
        if len(text) > MAX_POLICY_CHARACTERS:
            problems.append(Problem(("organization", "plans", index), plan.name,
                                    f"renders a backup policy of {len(text):,} characters (allowed: at most "
                                    f"{MAX_POLICY_CHARACTERS:,}: split its rules or selections over two plans)"))
        documents[plan.name] = text
    if problems:
        raise config_error(problems)
    return documents
