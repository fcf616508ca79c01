"""BackupPlan: an AWS Backup plan with its rules, copies, selections and service role."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from components.backup_rules import rule_args
from components.config.plan import PlanConfig, RuleConfig, SelectionConfig, TagConditionsConfig
from components.config.resource_types import resource_type_arn_wildcard
from components.stack_context import StackContext, child_options
from components.vault import BackupVault
from components.vault_documents import BACKUP_ROLE_MANAGED_POLICIES, BACKUP_ROLE_TRUST_POLICY

# Selection condition operators: config key -> pulumi-aws input attribute.
CONDITION_OPERATORS = {
    "string_equals": "string_equals",
    "string_like": "string_likes",
    "string_not_equals": "string_not_equals",
    "string_not_like": "string_not_likes",
}


class BackupPlan(pulumi.ComponentResource):
    """Outputs: `plan_id`, `arn`, `role_arn`. `vaults` maps config vault names to the stack's BackupVaults (rules
    and copies name them); the plan depends on each vault it uses."""

    def __init__(
        self,
        config: PlanConfig,
        vaults: dict[str, BackupVault],
        context: StackContext,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("aws-backups:backup:Plan", config.name, None, opts)
        self.region = config.region or context.default_region
        self._context = context
        self._vaults = vaults
        plan_name = config.physical_name(context.name_prefix)
        tags = {**context.tags, "backup-plan": config.name}

        self.role_arn = config.iam_role_arn or self._create_role(plan_name, config.role_name(context.name_prefix), tags)
        used_vaults = [vaults[name] for name in self._vault_names(config)]
        self.plan = aws.backup.Plan(
            config.name,
            name=plan_name,
            region=self.region,
            rules=[self._rule(config, rule) for rule in config.rules],
            advanced_backup_settings=[{"resource_type": "EC2", "backup_options": {"WindowsVSS": "enabled"}}]
            if config.windows_vss
            else None,
            tags=tags,
            opts=child_options(self, depends_on=[vault.vault for vault in used_vaults]),
        )
        for selection in config.selections:
            self._select(config.name, selection)

        self.plan_id = self.plan.id
        self.arn = self.plan.arn
        self.register_outputs({"planId": self.plan_id, "arn": self.arn, "roleArn": self.role_arn})

    def _vault_names(self, config: PlanConfig) -> list[str]:
        """Every vault of this stack the plan writes to (targets and copy destinations), in config order."""
        names = []
        for rule in config.rules:
            names.append(config.rule_vault(rule))
            names += [copy.vault for copy in rule.copy_to if copy.vault]
        return list(dict.fromkeys(names))

    def _rule(self, config: PlanConfig, rule: RuleConfig) -> aws.backup.PlanRuleArgs:
        target = self._vaults[config.rule_vault(rule)]
        return rule_args(
            rule,
            target.vault.name,  # an Output: records the rule's dependency on the vault
            [copy.vault_arn or self._vaults[copy.vault].known_arn for copy in rule.copy_to],
        )

    def _create_role(self, plan_name: str, role_name: str, tags: dict[str, str]) -> pulumi.Output[str]:
        role = aws.iam.Role(
            plan_name,
            name=role_name,
            description=f"Assumed by AWS Backup to run backup plan {plan_name} and restore its recovery points",
            assume_role_policy=json.dumps(BACKUP_ROLE_TRUST_POLICY),
            tags=tags,
            opts=child_options(self),
        )
        for policy in BACKUP_ROLE_MANAGED_POLICIES:
            aws.iam.RolePolicyAttachment(
                f"{plan_name}-{policy}",
                role=role.name,
                policy_arn=pulumi.Output.concat(
                    "arn:", self._context.partition, f":iam::aws:policy/service-role/{policy}"
                ),
                opts=child_options(self),
            )
        # Known at preview (built from the role's explicit name), still linked to the role.
        return self._context.arn("iam", "", pulumi.Output.concat("role/", role.name))

    def _select(self, plan: str, selection: SelectionConfig) -> None:
        wildcards = [
            self._context.partition.apply(lambda partition, kind=kind: resource_type_arn_wildcard(kind, partition))
            for kind in selection.resource_types
        ]
        aws.backup.Selection(
            f"{plan}-{selection.name}",
            name=selection.name,
            plan_id=self.plan.id,
            region=self.region,
            iam_role_arn=self.role_arn,
            resources=[*wildcards, *selection.resources],
            not_resources=selection.not_resources or None,
            conditions=[_conditions(selection.conditions)] if not selection.conditions.is_empty() else None,
            opts=child_options(self),
        )


def _conditions(conditions: TagConditionsConfig) -> dict[str, list[dict[str, str]]]:
    """Tag conditions as AWS Backup wants them: `aws:ResourceTag/<key>` = value, grouped by operator."""
    grouped = {}
    for field, attribute in CONDITION_OPERATORS.items():
        tags: dict[str, str] = getattr(conditions, field)
        if tags:
            grouped[attribute] = [{"key": f"aws:ResourceTag/{key}", "value": value} for key, value in tags.items()]
    return grouped
