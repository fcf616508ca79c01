"""Linking backup resources to their vault: by property_dependencies (`backupVaultName=vault.name` records one),
else by the vault's literal name and region. Names are explicit in our stacks, so they are known at preview."""

from __future__ import annotations

from dataclasses import dataclass

from compliance.plans import Lifecycle
from compliance.resources import VAULT, VAULT_LOCK, Arn, Resource, Stack


def vault_name(vault: Resource) -> str | None:
    return vault.props.text("name") if vault.props.known("name") else None


def _vaults_by_place(stack: Stack) -> dict[tuple[str | None, str], Resource]:
    """(region, name) -> the stack's first vault of that name in that region."""
    index: dict[tuple[str | None, str], Resource] = {}
    for vault in stack.of_kind(VAULT):
        name = vault_name(vault)
        if name:
            index.setdefault((stack.region_of(vault), name), vault)
    return index


def vault_named(stack: Stack, region: str | None, name: str | None) -> Resource | None:
    """The stack's vault of that name in that region."""
    return stack.derived(_vaults_by_place).get((region, name)) if name else None


@dataclass
class _Attachments:
    """The resources of one kind by the vault they name in `backupVaultName`: by the vault's URN (through
    property_dependencies) and by (region, literal name); `position` keeps the stack's order."""

    by_urn: dict[str, list[Resource]]
    by_place: dict[tuple[str | None, str], list[Resource]]
    position: dict[Resource, int]


def _attachments(stack: Stack, kind: str) -> _Attachments:
    index = _Attachments({}, {}, {})
    for position, resource in enumerate(stack.of_kind(kind)):
        index.position[resource] = position
        for urn in resource.depends_through("backupVaultName"):
            index.by_urn.setdefault(urn, []).append(resource)
        name = resource.props.text("backupVaultName") if resource.props.known("backupVaultName") else None
        if name:
            index.by_place.setdefault((stack.region_of(resource), name), []).append(resource)
    return index


def attached(stack: Stack, vault: Resource, kind: str) -> list[Resource]:
    """The resources of `kind` (lock, access policy, notifications) that name the vault in `backupVaultName`:
    linked to it through property_dependencies, or naming it literally in its region. In stack order."""
    index = stack.derived(_attachments, kind)
    name = vault_name(vault)
    by_place = index.by_place.get((stack.region_of(vault), name), []) if name else []
    found = dict.fromkeys([*index.by_urn.get(vault.urn, []), *by_place])
    return sorted(found, key=index.position.__getitem__)


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
