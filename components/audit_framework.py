"""AuditFramework: an AWS Backup Audit Manager framework in each region where the stack's plans run, whose
controls check after deploy, continuously through AWS Config, the figures the gate checks before it: those of
the profile `aws-backups:evidence.profile` names (compliance.audit_controls, the one mapping)."""

from __future__ import annotations

import re

import pulumi
import pulumi_aws as aws
from compliance import facts
from compliance.audit_controls import ControlError, Framework, Profile, StackFacts, framework_controls
from compliance.policy_config import PolicyConfigError, load_policy_config_file, resolve_policy_config, schemas_of
from compliance.registry import SPECS

from components.config.base import Problem
from components.config.loader import config_error
from components.config.stack import StackConfig
from components.stack_context import StackContext, child_options


def audit_manager_name(name_prefix: str, what: str) -> str:
    """`<prefix>_<what>` in the characters AWS takes for a framework or report plan name (FRAMEWORK_NAME_FORM),
    starting with a letter."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", f"{name_prefix}_{what}")
    name = name if name[:1].isalpha() else f"aws_backups_{name}"
    assert re.fullmatch(facts.FRAMEWORK_NAME_FORM, name[:256])
    return name[:256]


def evidence_profile(config: StackConfig) -> Profile | None:
    """The profile `aws-backups:evidence.profile` names, resolved as the gate resolves it; None without one."""
    evidence = config.evidence
    path = evidence.profile_path() if evidence else None
    if evidence is None or path is None:
        return None
    try:
        return resolve_policy_config(schemas_of(SPECS), load_policy_config_file(path))
    except PolicyConfigError as error:
        raise config_error([Problem(("evidence", "profile"), evidence.profile, str(error))]) from error


def evidence_controls(config: StackConfig) -> dict[str, Framework]:
    """The framework of each plan region, none without `aws-backups:evidence.profile`. Raises ConfigError, naming
    the key, when the profile or a stack fact cannot be said by a control: before anything is registered."""
    profile = evidence_profile(config)
    if profile is None or config.evidence is None:
        return {}
    evidence = config.evidence
    try:
        return {region: framework_controls(profile, StackFacts(
            break_glass_arns=config.break_glass_arns(), copy_regions=config.copy_regions(region),
            copy_accounts=config.destination_accounts(), max_restore_minutes=evidence.max_restore_time_minutes,
            continuous_retention_days=config.continuous_retention_days(region), selection_tag=config.selection_tag()))
            for region in config.plan_regions()}
    except ControlError as error:
        raise config_error([Problem(error.key, evidence.profile, str(error))]) from error


class AuditFramework(pulumi.ComponentResource):
    """`frameworks`: the controls of each region's framework (evidence_controls)."""

    def __init__(self, profile: str, frameworks: dict[str, Framework], context: StackContext,
                 after: list[pulumi.Resource], opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("aws-backups:backup:AuditFramework", "evidence", None, opts)
        self.framework_arns: dict[str, pulumi.Output[str]] = {}
        for region, controls in frameworks.items():
            framework = aws.backup.Framework(
                f"evidence-{region}",
                name=audit_manager_name(context.name_prefix, profile),
                region=region,
                description=controls.description(profile),
                controls=[{"name": control.name,
                           "input_parameters": [{"name": key, "value": value}
                                                for key, value in control.parameters.items()] or None,
                           "scope": {"tags": control.scope_tags} if control.scope_tags else None}
                          for control in controls.controls],
                tags={**context.tags, "compliance-profile": profile},
                # After the reports role the stack creates: AWS Backup would create it with the framework first.
                opts=child_options(self, depends_on=after),
            )
            self.framework_arns[region] = framework.arn
        self.register_outputs({"frameworkArns": self.framework_arns})
