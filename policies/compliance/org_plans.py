"""The backup plans inside an Organizations backup policy resource, as `aws:backup/plan:Plan` resources the pack's
plan policies judge, with the policy's URN (its findings are the policy's). A policy alone is judged as the
effective policy it would be with nothing above it. Their fixes name the organization stack's keys."""

from __future__ import annotations

from compliance.embedded import Embedding, replacing
from compliance.org_backup_policy import PolicySyntaxError, backup_plans, effective_policy, parse, syntax_problems
from compliance.resources import ORG_POLICY, PLAN, Props, Resource

BACKUP_POLICY = "BACKUP_POLICY"
STACK_PLANS_KEY = "aws-backups:plans[]"
ORGANIZATION_PLANS_KEY = "aws-backups:organization.plans[]"
ORG_POLICY_READS = {ORG_POLICY: ("type", "content")}


def is_backup_policy(resource: Resource) -> bool:
    return resource.kind == ORG_POLICY and resource.props.text("type") == BACKUP_POLICY


def policy_document(resource: Resource) -> dict | None:
    """The policy's document when it is a syntactically valid backup policy (the syntax policy reports the rest);
    reading an unknown `content` raises, as every unknown read."""
    content = resource.props.get("content")
    if not isinstance(content, str):
        return None
    try:
        document = parse(content)
    except PolicySyntaxError:
        return None
    return None if syntax_problems(document) else document


def organization_plans(resource: Resource) -> list[tuple[str, Resource]]:
    """(label for messages, the plan as a resource) for every plan of a backup policy; none for other policies."""
    if not is_backup_policy(resource) or (document := policy_document(resource)) is None:
        return []
    effective, _ = effective_policy([(resource.name, document)])
    return [(f"backup policy '{resource.name}' plan '{name}'",
             Resource(type=PLAN, name=name, urn=resource.urn, props=Props(props, PLAN, owner=resource.urn),
                      protect=resource.protect, provider_region=props.get("region"), partial=True))
            for name, props in backup_plans(effective)]


# A plan policy's message about a plan of a backup policy: its fix names the organization stack's key. Plan stack
# policies do not see these plans: their selections and vaults are the member accounts', not in this stack.
ORGANIZATION_PLANS = Embedding(ORG_POLICY, ORG_POLICY_READS, frozenset({PLAN}), organization_plans,
                               replacing((STACK_PLANS_KEY, ORGANIZATION_PLANS_KEY)), stack_policies=False)
