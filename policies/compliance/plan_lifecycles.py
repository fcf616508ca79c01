"""Reading `aws:backup/plan:Plan` rules: their lifecycles (the rule's own and each copy's) and retention."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from compliance import facts
from compliance.resources import Props, Resource

RULE_KEY = "aws-backups:plans[].rules[]"  # the stack-config list a plan's rules come from
# The plan properties `lifecycles()` reads.
LIFECYCLE_READS = (
    "rules[].ruleName",
    "rules[].lifecycle",
    "rules[].lifecycle.deleteAfter",
    "rules[].lifecycle.coldStorageAfter",
    "rules[].copyActions",
    "rules[].copyActions[].destinationVaultArn",
    "rules[].copyActions[].lifecycle",
    "rules[].copyActions[].lifecycle.deleteAfter",
    "rules[].copyActions[].lifecycle.coldStorageAfter",
)



@dataclass(frozen=True)
class Lifecycle:
    """One lifecycle a plan applies: a rule's, or a copy action's (which falls back to its rule's when unset)."""

    where: str  # e.g. "rule 'daily'" or "rule 'daily' copy to arn:...:backup-vault:dr"
    config_key: str  # our stack config key that sets it, e.g. "plans[].rules[].deleteAfterDays"
    props: Props | None  # the lifecycle object, None when the rule or copy has none
    rule: Props
    is_copy: bool
    inherited: bool = False  # a copy without a lifecycle of its own, showing its rule's
    action: Props | None = None  # the copy action, for a copy's lifecycle

    @property
    def delete_after(self) -> float | None:
        return self.props.days("deleteAfter") if self.props else None

    @property
    def cold_storage_after(self) -> float | None:
        return self.props.days("coldStorageAfter") if self.props else None

    @property
    def kept_forever(self) -> bool:
        return self.delete_after is None or self.delete_after == facts.KEEP_FOREVER


def rule_label(rule: Props) -> str:
    name = rule.text("ruleName") if rule.known("ruleName") else None
    return f"rule '{name}'" if name else f"rule {rule.path}"


def rules(plan: Resource) -> list[Props]:
    return plan.props.items("rules")


def _sets_days(lifecycle: Props) -> bool:
    """A lifecycle that sets a day count: after `pulumi up` the provider reads an absent one back as zeros."""
    return lifecycle.days("deleteAfter") is not None or lifecycle.days("coldStorageAfter") is not None


def lifecycles(plan: Resource, *, copies: bool = True) -> Iterator[Lifecycle]:
    """Every lifecycle of the plan's rules and, unless `copies` is False, of their copy actions. Day counts of 0
    are unset (the provider sends none to AWS; `Props.days`)."""
    for rule in rules(plan):
        label = rule_label(rule)
        own = rule.child("lifecycle") if rule.get("lifecycle") is not None else None
        yield Lifecycle(label, "plans[].rules[]", own, rule, is_copy=False)
        if not copies:
            continue
        for copy in rule.items("copyActions"):
            target = copy.text("destinationVaultArn") if copy.known("destinationVaultArn") else copy.path
            has_own = copy.get("lifecycle") is not None and _sets_days(copy.child("lifecycle"))
            yield Lifecycle(
                f"{label} copy to {target}" + ("" if has_own else " (no lifecycle of its own: the rule's applies)"),
                "plans[].rules[].copyTo[]",
                copy.child("lifecycle") if has_own else own,
                rule,
                is_copy=True,
                inherited=not has_own,
                action=copy,
            )
