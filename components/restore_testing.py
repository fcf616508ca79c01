"""RestoreTesting: AWS Backup restore testing in each region where the stack's plans run. On its schedule AWS
restores a recovery point of each tested type from the stack's vaults in that region, keeps the restored resource
for the validation window, then deletes it: the evidence that the backups restore."""

from __future__ import annotations

import re

import pulumi
import pulumi_aws as aws
from compliance import evidence_facts

from components.config.evidence import RestoreTestingConfig
from components.config.stack import StackConfig
from components.stack_context import StackContext, child_options
from components.vault import BackupVault


def restore_testing_name(*parts: str) -> str:
    """A plan or selection name in the characters AWS takes (RESTORE_TESTING_NAME_FORM): alphanumerics and `_`."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", "_".join(parts))[:50]
    assert re.fullmatch(evidence_facts.RESTORE_TESTING_NAME_FORM, name)
    return name


class RestoreTesting(pulumi.ComponentResource):
    """`vaults`: the stack's vaults (the recovery points to test are theirs, by region); `role_arn`: a role AWS
    Backup may restore with (the plans' service role has AWSBackupServiceRolePolicyForRestores)."""

    def __init__(self, config: RestoreTestingConfig, stack: StackConfig, vaults: list[BackupVault],
                 role_arn: pulumi.Input[str], context: StackContext, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aws-backups:backup:RestoreTesting", "restore-testing", None, opts)
        vault_arns: dict[str, list[pulumi.Output[str]]] = {}
        for vault in vaults:
            vault_arns.setdefault(vault.region, []).append(vault.known_arn)
        tag = stack.selection_tag()
        conditions = {"string_equals": [{"key": f"aws:ResourceTag/{tag[0]}", "value": tag[1]}]} if tag else None
        for region in stack.plan_regions():
            plan = aws.backup.RestoreTestingPlan(
                f"restore-testing-{region}",
                name=restore_testing_name(context.name_prefix, "restore_testing"),
                region=region,
                schedule_expression=config.schedule,
                schedule_expression_timezone=config.timezone,
                start_window_hours=config.start_window_hours,
                recovery_point_selection={
                    "algorithm": config.algorithm,
                    "include_vaults": vault_arns[region],  # a plan runs only where a vault of the stack is
                    "recovery_point_types": list(config.recovery_point_types),
                    "selection_window_days": config.selection_window_days,
                },
                tags=context.tags or None,
                opts=child_options(self),
            )
            for kind in config.tested_types(stack.selected_resource_types()):
                aws.backup.RestoreTestingSelection(
                    f"restore-testing-{region}-{kind}",
                    name=restore_testing_name(kind),
                    restore_testing_plan_name=plan.name,
                    region=region,
                    protected_resource_type=kind,
                    iam_role_arn=role_arn,
                    # Every resource of the type, narrowed to those the plans protect by their selection tag
                    # (RestoreTestingSelectionForCreate: conditions go with the wildcard ARN).
                    protected_resource_arns=["*"],
                    protected_resource_conditions=conditions,
                    validation_window_hours=config.validation_window_hours,
                    restore_metadata_overrides=config.metadata_overrides.get(kind) or None,
                    opts=child_options(self),
                )
        self.register_outputs({})
