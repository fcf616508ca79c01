"""What the organization stack's backup policies do where they are attached: for each target (root, OU, account)
the path from the root, the policies merged on it and the plans AWS will run in its accounts (the pack's
compliance.org_paths, on the stack preflight ran)."""

from __future__ import annotations

from typing import Any

from compliance.org_paths import organization_targets
from compliance.resources import Props, Resource, Stack

from preflight.recorder import RecordedResource


def _stack(resources: list[RecordedResource]) -> Stack:
    return Stack(Resource(type=r.type, name=r.name, urn=r.urn, props=Props(r.properties, r.type, owner=r.urn),
                          protect=r.protect, property_dependencies=dict(r.property_dependencies))
                 for r in resources)


def _rule(rule: dict[str, Any]) -> str:
    lifecycle = rule.get("lifecycle") or {}
    kept = lifecycle.get("deleteAfter")
    retention = f"kept {kept:,.0f} d" if kept else "kept forever"
    copies = "".join(f", copy to {copy['destinationVaultArn']}" for copy in rule.get("copyActions") or [])
    return f"{rule['ruleName']}: {rule.get('schedule')} UTC, {retention}, vault {rule.get('targetVaultName')}{copies}"


def organization_plans(resources: list[RecordedResource]) -> list[dict[str, Any]]:
    """One entry per target: {target, path, policies, plans: [{name, regions, rules}], ignored}."""
    stack = _stack(resources)
    entries = []
    for target in organization_targets(stack):
        written = target.effective.get("plans") or {}
        plans = [{"name": name, "regions": written[name].get("regions") or [],
                  "rules": [_rule(rule) for rule in props["rules"]]}
                 for name, props in target.plans()]
        ignored = [f"{stack.by_urn[item.policy].name}: {item.operator} at {item.path} (the policies above allow "
                   f"{', '.join(sorted(item.allowed)) or 'no operators'})" for item in target.ignored]
        entries.append({"target": target.label, "path": target.route,
                        "policies": [policy.name for policy in target.policies], "plans": plans,
                        "ignored": ignored})
    return entries


def render_lines(entries: list[dict[str, Any]]) -> list[str]:
    lines = ["", "Backup plans by target (effective backup policy: root, then OUs, then the account):"]
    for entry in entries:
        lines.append(f"    {entry['path']}  [{', '.join(entry['policies'])}]")
        for plan in entry["plans"]:
            lines.append(f"      plan {plan['name']} in {', '.join(plan['regions'])}:")
            lines += [f"        {rule}" for rule in plan["rules"]]
        lines += [f"      ignored: {ignored}" for ignored in entry["ignored"]]
    return lines
