"""A backup rule's pulumi-aws inputs from its config: the one mapping from `aws-backups:plans[].rules[]` to
`aws.backup.Plan` rules. The plan component registers them; the retention report hands the same inputs to the
pack's policies, so the report judges exactly what the program would deploy."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import pulumi
import pulumi_aws as aws

from components.config.plan import RuleConfig

LifecycleArgs = TypeVar("LifecycleArgs")


def rule_args(
    rule: RuleConfig,
    target_vault_name: pulumi.Input[str] | None,
    copy_destination_arns: Sequence[pulumi.Input[str]],
) -> aws.backup.PlanRuleArgs:
    """`copy_destination_arns`: the destination vault ARN of each of `rule.copy_to`, in order."""
    cold, delete = rule.cold_storage_after_days, rule.delete_after_days
    return aws.backup.PlanRuleArgs(
        rule_name=rule.name,
        target_vault_name=target_vault_name,
        schedule=rule.schedule,
        schedule_expression_timezone=rule.timezone,
        start_window=rule.start_window_minutes,
        completion_window=rule.completion_window_minutes,
        enable_continuous_backup=rule.continuous_backup or None,
        lifecycle=_lifecycle(aws.backup.PlanRuleLifecycleArgs, cold, delete,
                             rule.opt_in_to_archive_for_supported_resources),
        recovery_point_tags=rule.recovery_point_tags or None,
        copy_actions=[
            aws.backup.PlanRuleCopyActionArgs(
                destination_vault_arn=arn,
                lifecycle=_lifecycle(aws.backup.PlanRuleCopyActionLifecycleArgs, *rule.copy_lifecycle(copy),
                                     opt_in_to_archive=False),
            )
            for copy, arn in zip(rule.copy_to, copy_destination_arns, strict=True)
        ]
        or None,
    )


def _lifecycle(
    args: Callable[..., LifecycleArgs], cold: int | None, delete: int | None, opt_in_to_archive: bool
) -> LifecycleArgs | None:
    if cold is None and delete is None:
        return None
    return args(cold_storage_after=cold, delete_after=delete,
                opt_in_to_archive_for_supported_resources=opt_in_to_archive or None)
