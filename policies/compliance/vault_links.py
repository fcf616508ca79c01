"""Linking backup resources to their vault: by property_dependencies (`backupVaultName=vault.name` records one),
else by the vault's literal name and region. A vault's name is an input, so it is known at preview; its ARN is
not, and a copy action written `destination_vault_arn=vault.arn` is resolved to its vault through the plan's
property_dependencies."""

from __future__ import annotations

from dataclasses import dataclass

from compliance.plan_lifecycles import Lifecycle, rule_label, rules
from compliance.resources import PLAN, VAULT, VAULT_LOCK, Arn, Props, Resource, Stack


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
    region, else the one vault the plan's `rules` depend on), or the copy's destination."""
    if lifecycle.action is None:
        rule = lifecycle.rule
        name = rule.text("targetVaultName") if rule.known("targetVaultName") else None
        if name:
            return vault_named(stack, stack.region_of(plan), name)
        linked = stack.linked(plan, "rules", VAULT)
        return linked[0] if len(linked) == 1 else None
    return copy_destination(stack, plan, lifecycle.action).vault


@dataclass(frozen=True)
class Destination:
    """Where a copy action sends recovery points. `vaults`: the vaults of this stack it may be (one when
    resolved); `region` / `account` when known (`account` None for a vault of this stack: the stack's own)."""

    shown: str  # for messages
    arn: Arn | None
    vaults: tuple[Resource, ...] = ()

    @property
    def vault(self) -> Resource | None:
        return self.vaults[0] if len(self.vaults) == 1 else None

    def regions(self, stack: Stack) -> set[str | None]:
        """The regions it may be in: one for a literal ARN, one per candidate vault; empty when unknown."""
        if self.arn is not None:
            return {self.arn.region}
        return {stack.region_of(vault) for vault in self.vaults}

    def account(self, own: set[str]) -> str | None:
        """Its account: the ARN's; the stack's own (when known) for a vault of the stack; else None."""
        if self.arn is not None:
            return self.arn.account
        return next(iter(own)) if self.vaults and len(own) == 1 else None


def _named_targets(stack: Stack, plan: Resource) -> set[Resource]:
    """The stack's vaults the plan names literally: rule targets and copy ARNs that are known."""
    named = set()
    for rule in rules(plan):
        if rule.known("targetVaultName"):
            named.add(vault_named(stack, stack.region_of(plan), rule.text("targetVaultName")))
        for action in rule.items("copyActions"):
            arn = Arn.parse(action.text("destinationVaultArn")) if action.known("destinationVaultArn") else None
            if arn:
                named.add(vault_named(stack, arn.region, arn.backup_vault_name))
    return named


def copy_destination(stack: Stack, plan: Resource, action: Props) -> Destination:
    """A copy action's destination: its ARN when known (and the stack's vault of that name and region, if any);
    an ARN unknown at preview came from one of the vaults the plan's `rules` depend on that the plan does not
    name literally (one such vault: resolved)."""
    if action.known("destinationVaultArn"):
        text = action.text("destinationVaultArn")
        arn = Arn.parse(text)
        vault = vault_named(stack, arn.region, arn.backup_vault_name) if arn else None
        return Destination(text or "unset", arn, (vault,) if vault else ())
    named = _named_targets(stack, plan)
    candidates = tuple(v for v in stack.linked(plan, "rules", VAULT) if v not in named)
    names = ", ".join(f"'{vault_name(v) or v.name}'" for v in candidates)
    shown = (f"vault {names} (its ARN is unknown until it exists)" if len(candidates) == 1 else
             f"an ARN unknown until the resources exist (one of the vaults {names})" if candidates else
             "an ARN unknown until the resources exist, from no vault of this stack")
    return Destination(shown, None, candidates)


def copy_destinations(stack: Stack, plan: Resource) -> list[tuple[str, Destination]]:
    """(rule label, destination) of every copy action of the plan."""
    return [(rule_label(rule), copy_destination(stack, plan, action))
            for rule in rules(plan) for action in rule.items("copyActions")]


# The knob `own_accounts` reads, for every policy that tells cross-account copies.
ACCOUNT_ID_KNOB = {"accountId": {"type": ["string", "null"], "pattern": "^[0-9]{12}$", "default": None,
                                 "description": "The stack's own AWS account, to tell cross-account copies; by "
                                                "default the account of the stack's own vaults as copy "
                                                "destinations show it."}}


def own_accounts(stack: Stack, config: dict) -> set[str]:
    """The stack's own account: the `accountId` knob when set, else the accounts in the literal ARNs of copy
    destinations that are vaults of this stack (a stack creates its vaults in its own account)."""
    if config.get("accountId"):
        return {str(config["accountId"])}
    return {d.arn.account for plan in stack.of_kind(PLAN) for _, d in copy_destinations(stack, plan)
            if d.arn is not None and d.vaults}
