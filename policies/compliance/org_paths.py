"""Where a stack attaches its backup policies, and the effective policy of each target: the policies on its path
from the root (root, then each OU, then the target), merged with the inheritance operators (org_backup_policy).

A target is named by its literal id (`r-...`, `ou-...`, an account id) or, when the stack creates it (an
OrganizationalUnit or Account whose id is unknown at preview), by that resource. A parent comes from the stack's
OrganizationalUnit and Account resources (`parentId`); a target whose parent the stack does not show hangs under
the root the stack attaches to, its ancestor whatever OUs lie between (their policies, outside the stack, are
not seen). Source: AWS Organizations User Guide, "Understanding management policy inheritance".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from compliance.org_backup_policy import Ignored, backup_plans, effective_policy
from compliance.org_plans import is_backup_policy, policy_document
from compliance.resources import ORG_ACCOUNT, ORG_ATTACHMENT, ORG_POLICY, ORG_UNIT, Resource, Stack

ROOT_PREFIX = "r-"


@dataclass
class Target:
    """One place policies apply: its key (a literal id, or the URN of the stack's OU or account), a label, and
    once resolved the path from the root and the effective policy."""

    key: str
    label: str
    path: list[str] = field(default_factory=list)  # keys, root first, the target last
    policies: list[Resource] = field(default_factory=list)  # the backup policies on the path, in merge order
    effective: dict[str, Any] = field(default_factory=dict)
    ignored: list[Ignored] = field(default_factory=list)

    route: str = ""  # the path's labels, root first

    def plans(self) -> list[tuple[str, dict[str, Any]]]:
        """The plans AWS runs in the target's accounts (org_backup_policy.backup_plans)."""
        return backup_plans(self.effective)


def _known_text(resource: Resource, key: str) -> str | None:
    return resource.props.text(key) if resource.props.known(key) else None


def _reference(stack: Stack, resource: Resource, key: str, kinds: tuple[str, ...]) -> str | None:
    """The key a property names: the stack resource its value came from (its id is unknown on a first preview
    and AWS's after `pulumi up`), else its literal id."""
    linked = [urn for urn in resource.depends_through(key) if urn in stack.by_urn
              and stack.by_urn[urn].kind in kinds]
    return linked[0] if linked else _known_text(resource, key)


def _label(stack: Stack, key: str) -> str:
    resource = stack.by_urn.get(key)
    if resource is None:
        kind = "root" if key.startswith(ROOT_PREFIX) else "OU" if key.startswith("ou-") else "account"
        return f"{kind} {key}"
    return f"{'OU' if resource.kind == ORG_UNIT else 'account'} '{resource.name}'"


def organization_targets(stack: Stack) -> list[Target]:
    """Every target the stack attaches a backup policy to, and every OU and account it creates, each with its
    path and effective policy; none when the stack attaches no backup policy."""
    policies = {policy.urn: policy for policy in stack.of_kind(ORG_POLICY) if is_backup_policy(policy)}
    documents = {urn: policy_document(policy) for urn, policy in policies.items()}  # parsed once, merged per target
    attached: dict[str, list[Resource]] = {}
    for attachment in stack.of_kind(ORG_ATTACHMENT):
        policy = _reference(stack, attachment, "policyId", (ORG_POLICY,))
        target = _reference(stack, attachment, "targetId", (ORG_UNIT, ORG_ACCOUNT))
        if policy in policies and target:
            attached.setdefault(target, []).append(policies[policy])
    if not attached:
        return []
    parents = {node.urn: _reference(stack, node, "parentId", (ORG_UNIT,))
               for node in stack.of_kind(ORG_UNIT) + stack.of_kind(ORG_ACCOUNT)}
    roots = sorted({key for key in [*attached, *parents.values()] if key and key.startswith(ROOT_PREFIX)})
    root = roots[0] if len(roots) == 1 else None
    targets = []
    for key in dict.fromkeys([*attached, *parents]):
        target = Target(key, _label(stack, key))
        node: str | None = key
        while node is not None and node not in target.path:
            target.path.insert(0, node)
            node = parents.get(node) or (root if not node.startswith(ROOT_PREFIX) else None)
        target.route = " -> ".join(_label(stack, node) for node in target.path)
        target.policies = [policy for node in target.path for policy in attached.get(node, [])]
        target.effective, target.ignored = effective_policy(
            [(policy.urn, documents[policy.urn]) for policy in target.policies if documents[policy.urn] is not None])
        targets.append(target)
    return targets
