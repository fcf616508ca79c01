"""Linking backup resources to their vault: by property_dependencies (`backupVaultName=vault.name` records one),
else by the vault's literal name and region. Names are explicit in our stacks, so they are known at preview."""

from __future__ import annotations

from compliance.plans import Lifecycle
from compliance.resources import VAULT, VAULT_LOCK, Arn, Resource, Stack


def vault_name(vault: Resource) -> str | None:
    return vault.props.text("name") if vault.props.known("name") else None


def vault_named(stack: Stack, region: str | None, name: str | None) -> Resource | None:
    """The stack's vault of that name in that region."""
    return next((v for v in stack.of_kind(VAULT)
                 if name and vault_name(v) == name and stack.region_of(v) == region), None)


def attached(stack: Stack, vault: Resource, kind: str) -> list[Resource]:
    """The resources of `kind` (lock, access policy, notifications) that name the vault in `backupVaultName`."""
    name, region = vault_name(vault), stack.region_of(vault)
    return [
        resource for resource in stack.of_kind(kind)
        if vault.urn in resource.depends_through("backupVaultName")
        or (name and resource.props.known("backupVaultName") and resource.props.text("backupVaultName") == name
            and stack.region_of(resource) == region)
    ]


def lock_of(stack: Stack, vault: Resource) -> Resource | None:
    return next(iter(attached(stack, vault, VAULT_LOCK)), None)


def lifecycle_target(stack: Stack, plan: Resource, lifecycle: Lifecycle) -> Resource | None:
    """The vault of this stack a lifecycle applies in: the rule's target vault (by literal name in the plan's
    region, else the one vault the plan's `rules` depend on), or the copy's destination (by its ARN)."""
    if lifecycle.action is None:
        rule = lifecycle.rule
        name = rule.text("targetVaultName") if rule.known("targetVaultName") else None
        if name:
            return vault_named(stack, stack.region_of(plan), name)
        linked = stack.linked(plan, "rules", VAULT)
        return linked[0] if len(linked) == 1 else None
    action = lifecycle.action
    arn = Arn.parse(action.text("destinationVaultArn")) if action.known("destinationVaultArn") else None
    return vault_named(stack, arn.region, arn.backup_vault_name) if arn else None
