"""Names of backup vaults, plans, rules and selections: each by its own AWS rule (compliance.facts), as the stack
config's loader judges them. An AWS limit: mandatory in every profile."""

from __future__ import annotations

from collections.abc import Iterator

from compliance import facts
from compliance.plan_lifecycles import RULE_KEY, rule_label, rules
from compliance.resources import PLAN, SELECTION, VAULT, Resource
from compliance.spec import PolicySpec, aws_limit


def _name_problem(rule: facts.NameRule, name: object, where: str, key: str) -> Iterator[str]:
    if isinstance(name, str) and (problem := facts.name_problem(rule, name)):
        yield f"{where} {name!r} {problem}. Rename it (stack config: {key})."


def check_names(resource: Resource, _config: dict) -> Iterator[str]:
    """Each name by its own AWS rule: vault, plan, rule and selection names differ."""
    if resource.kind == VAULT:
        yield from _name_problem(facts.VAULT_NAME, resource.props.get("name"), "vault name",
                                 "aws-backups:namePrefix and aws-backups:vaults[].name")
    elif resource.kind == SELECTION:
        yield from _name_problem(facts.SELECTION_NAME, resource.props.get("name"), "selection name",
                                 "aws-backups:plans[].selections[].name")
    else:
        yield from _name_problem(facts.PLAN_NAME, resource.props.get("name"), "plan name",
                                 "aws-backups:namePrefix and aws-backups:plans[].name")
        for rule in rules(resource):
            yield from _name_problem(facts.RULE_NAME, rule.get("ruleName"), f"{rule_label(rule)}: rule name",
                                     f"{RULE_KEY}.name")


NAMES = PolicySpec(
    name="aws-backup-resource-check-names",
    description="Backup vault, plan, rule and selection names follow AWS's rule for each.",
    why="; ".join(f"{rule.what}s: {rule.allowed} ({rule.source})" for rule in
                  (facts.VAULT_NAME, facts.PLAN_NAME, facts.RULE_NAME, facts.SELECTION_NAME)) + f" ({aws_limit(7)}).",
    severity="medium",
    remediation="Rename the vault, plan, rule or selection named in the message by the rule the message quotes.",
    reads={PLAN: ("name", "rules[].ruleName"), VAULT: ("name",), SELECTION: ("name",)},
    check=check_names,
    aws_limit=True,
)


POLICIES = [NAMES]
