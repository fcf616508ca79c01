"""Coverage: a plan protects something (it has a selection) somewhere (its rules target a vault), and selections
name resource types that exist (the one table, data/backup_resource_types.json)."""

from __future__ import annotations

from collections.abc import Iterator

from compliance.plans import rule_label, rules
from compliance.resource_types_table import selection_arn_problem
from compliance.resources import PLAN, SELECTION, VAULT, Resource, Stack
from compliance.spec import PolicySpec, Violation
from compliance.vaults import vault_name, vault_named


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


def check_selection_resource_types(selection: Resource, _config: dict) -> Iterator[str]:
    for key in ("resources", "notResources"):
        for arn in selection.props.strings(key):
            if problem := selection_arn_problem(arn):
                yield (f"{key} names {arn!r}, which {problem}; AWS Backup selects nothing with it. Fix the ARN "
                       f"(stack config: aws-backups:plans[].selections[].{key}).")


POLICIES = [
    PolicySpec(
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
    ),
    PolicySpec(
        name="aws-backup-selection-check-resource-types",
        description="Backup selections name ARNs of resource types the organisation backs up.",
        why="A selection ARN of another service or a malformed ARN selects nothing, silently; the types are the "
            "project's table (EBS, EC2, RDS, Aurora, DynamoDB, EFS, Storage Gateway).",
        severity="medium",
        remediation="Use ARNs (wildcards allowed) of the listed resource types, in the aws, aws-us-gov or aws-cn "
                    "partition, or '*'.",
        reads={SELECTION: ("resources", "notResources")},
        check=check_selection_resource_types,
    ),
]
