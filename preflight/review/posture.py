"""A stack's backup posture, read from its resources as the engine has them (checked inputs): per plan and rule,
per selection, per vault and per replicated bucket, one row per aspect a reviewer compares.

It reads the resources through the pack's own helpers (`compliance`), so a rule's target vault, a copy's
destination and a bucket's replication rules are linked exactly as the policies link them; any stack that uses
pulumi-aws reads the same way, not only this program's.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from compliance import facts
from compliance.backup_times import ScheduleError, worst_gap_hours
from compliance.bucket_settings import bucket_by_arn_or_name, bucket_name, bucket_of, replication_rules, replications
from compliance.guards.vaults import check_deny_delete_policy
from compliance.org_plans import organization_plans
from compliance.plan_lifecycles import Lifecycle, lifecycles, rule_label, rules
from compliance.plan_scopes import TABLE, plan_scopes, selections_of
from compliance.resources import ORG_POLICY, PLAN, VAULT, VAULT_NOTIFICATIONS, Props, Resource, Stack
from compliance.vault_links import attached, copy_destination, lock_of, vault_name, vault_named

UTC = "Etc/UTC"  # AWS Backup's default ScheduleExpressionTimezone


@dataclass(frozen=True)
class Row:
    """One aspect of one subject: `value` as shown; `number` (days or hours) and `items` (a set's members) let the
    comparison tell a shorter retention, a longer RPO or a removed copy from any other change."""

    section: str  # "plans", "selections", "vaults", "buckets"
    subject: str
    aspect: str
    value: str
    number: float | None = None
    items: tuple[str, ...] = ()
    # A worst-case RPO is measured only where it can differ: until then `value` names the schedules it is
    # measured from (equal schedules, equal RPO), and `measured()` gives the row with the hours.
    schedules: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> tuple[str, str, str]:
        return self.section, self.subject, self.aspect

    def measured(self) -> Row:
        if not self.schedules:
            return self
        try:
            gap = worst_gap_hours(self.schedules)
        except (ScheduleError, KeyError, ValueError) as error:
            return dataclasses.replace(self, value=f"cannot be measured ({error})", schedules=())
        return dataclasses.replace(self, value=hours(gap), number=gap, schedules=())


def _rpo_row(subject: str, aspect: str, schedules: list[tuple[str, str]]) -> Row:
    pairs = tuple(sorted(set(schedules)))
    return Row("plans", subject, aspect, "; ".join(f"{s} {z}" for s, z in pairs), schedules=pairs)


def stack_of(resources: list[Mapping[str, Any]]) -> Stack:
    """The pack's view of preflight's JSON resources (checked inputs, with their property dependencies)."""
    return Stack(
        Resource(type=r["type"], name=r["name"], urn=r["urn"],
                 props=Props(r.get("inputs") or {}, r["type"], owner=r["urn"]), protect=bool(r.get("protect")),
                 property_dependencies=dict(r.get("propertyDependencies") or {}))
        for r in resources
    )


def days(value: float | None) -> str:
    if value is None or value == facts.KEEP_FOREVER:
        return "kept forever"
    return f"{value:,.0f} d" + (f" ({value / 365:.1f} y)" if value >= 365 else "")


def hours(value: float) -> str:
    if math.isinf(value):
        return "unbounded (runs at most once)"
    return f"{value:,.0f} h" if value < 72 else f"{value / 24:,.1f} d"


def _text(props: Props, key: str, unknown: str = "unknown until created") -> str | None:
    if not props.present(key):
        return None
    return props.text(key) if props.known(key) else unknown


def _retention_rows(section: str, subject: str, lifecycle: Lifecycle) -> Iterator[Row]:
    cold, delete = lifecycle.cold_storage_after, lifecycle.delete_after
    forever = lifecycle.kept_forever
    total = math.inf if forever else delete
    warm = cold if cold else total
    yield Row(section, subject, "warm", days(None if math.isinf(warm) else warm), warm)
    yield Row(section, subject, "cold", days(total - cold) if cold and not forever else
              ("kept forever" if cold else "none"), (total - cold) if cold else 0.0)
    yield Row(section, subject, "total retention", days(None if forever else delete), total)


def _lock_text(stack: Stack, vault: Resource | None) -> str:
    if vault is None:
        return "not in this stack"
    lock = lock_of(stack, vault)
    if lock is None:
        return "no lock"
    props = lock.props
    low, high = props.days("minRetentionDays"), props.days("maxRetentionDays")
    cooling = props.days("changeableForDays")
    bounds = f"{low or 1:,.0f}-{high:,.0f} d" if high else f"{low or 1:,.0f} d and up"
    return f"compliance lock {bounds}, cooling-off {cooling:.0f} d" if cooling else f"governance lock {bounds}"


def _rule_rows(stack: Stack, plan: Resource, subject: str, rule: Props, rule_lifecycles: list[Lifecycle]) -> Iterator[
        Row]:
    continuous = rule.flag("enableContinuousBackup")
    schedule = _text(rule, "schedule") or "none"
    zone = _text(rule, "scheduleExpressionTimezone") or UTC
    window = rule.number("startWindow") if rule.known("startWindow") else None
    shown = f"{schedule} {zone}" + (f", starts within {window:.0f} min" if window else "")
    yield Row("plans", subject, "schedule", shown + (", continuous (point-in-time)" if continuous else ""))
    if continuous:
        yield Row("plans", subject, "worst-case RPO", "continuous (point-in-time restore)", 0.0)
    else:
        yield _rpo_row(subject, "worst-case RPO", [(schedule, zone)])
    own = next(lc for lc in rule_lifecycles if not lc.is_copy)
    yield from _retention_rows("plans", subject, own)
    target = _text(rule, "targetVaultName")
    vault = vault_named(stack, stack.region_of(plan), target) if target and rule.known("targetVaultName") else None
    yield Row("plans", subject, "target vault", f"{target or 'unset'}: {_lock_text(stack, vault)}")
    copies = []
    for lifecycle in (lc for lc in rule_lifecycles if lc.is_copy and lc.action is not None):
        destination = copy_destination(stack, plan, lifecycle.action)
        arn, target_vault = destination.arn, destination.vault
        where = (f"{arn.region} / account {arn.account or 'this'} / {arn.backup_vault_name}" if arn else
                 destination.shown)
        copies.append(where)
        copy_subject = f"{subject} · copy to {where}"
        yield from _retention_rows("plans", copy_subject, lifecycle)
        if target_vault:
            yield Row("plans", copy_subject, "destination vault", _lock_text(stack, target_vault))
    yield Row("plans", subject, "copies", "; ".join(copies) or "none", items=tuple(copies))


def _plan_rows(stack: Stack, plan: Resource) -> Iterator[Row]:
    name = _text(plan.props, "name") or plan.name
    by_rule: dict[str, list[Lifecycle]] = {}
    for lifecycle in lifecycles(plan):
        by_rule.setdefault(rule_label(lifecycle.rule), []).append(lifecycle)
    schedules = []
    for rule in rules(plan):
        label = rule_label(rule)
        yield from _rule_rows(stack, plan, f"plan {name} · {label}", rule, by_rule.get(label, []))
        if rule.known("schedule") and rule.text("schedule"):
            schedules.append((rule.text("schedule"), _text(rule, "scheduleExpressionTimezone") or UTC))
    yield Row("plans", f"plan {name}", "rules", ", ".join(rule_label(r) for r in rules(plan)) or "none",
              items=tuple(rule_label(r) for r in rules(plan)))
    yield _rpo_row(f"plan {name}", "worst-case RPO (all rules)", schedules)


def _selection_rows(stack: Stack) -> Iterator[Row]:
    for scope in plan_scopes(stack):
        plan = _text(scope.plan.props, "name") or scope.plan.name
        yield Row("selections", f"plan {plan}", "resource types", TABLE.names(scope.types),
                  items=tuple(sorted(scope.types)))
        for selection in selections_of(stack, scope.plan):
            subject = f"plan {plan} · selection {_text(selection.props, 'name') or selection.name}"
            resources = tuple(selection.props.strings("resources"))
            excluded = tuple(selection.props.strings("notResources"))
            yield Row("selections", subject, "ARNs", ", ".join(resources) or "any (by tags)", items=resources)
            if excluded:
                yield Row("selections", subject, "excluded ARNs", ", ".join(excluded), items=excluded)
            tags = tuple(_tag_conditions(selection.props))
            yield Row("selections", subject, "tags", ", ".join(tags) or "none", items=tags)


def _tag_conditions(props: Props) -> Iterator[str]:
    for tag in props.items("selectionTags"):
        yield f"{tag.text('key')} {tag.text('type')} {tag.text('value')}"
    for condition in props.items("conditions"):
        for operator in ("stringEquals", "stringLike", "stringNotEquals", "stringNotLike"):
            for entry in condition.items(operator):
                yield f"{entry.text('key')} {operator} {entry.text('value')}"


def _vault_rows(stack: Stack) -> Iterator[Row]:
    lacking_deny = {violation.urn for violation in check_deny_delete_policy(stack, {})}
    for vault in stack.of_kind(VAULT):
        subject = f"vault {vault_name(vault) or vault.name} ({stack.region_of(vault) or 'default region'})"
        key = _text(vault.props, "kmsKeyArn", unknown="")
        yield Row("vaults", subject, "key", "AWS managed" if key is None else f"customer-managed {key}".strip())
        yield Row("vaults", subject, "lock", _lock_text(stack, vault))
        yield Row("vaults", subject, "access policy",
                  "does not deny deleting recovery points" if vault.urn in lacking_deny else
                  "denies deleting recovery points")
        events = [event for notifications in attached(stack, vault, VAULT_NOTIFICATIONS)
                  for event in notifications.props.strings("backupVaultEvents")]
        yield Row("vaults", subject, "notifications", ", ".join(events) or "none", items=tuple(events))
        yield Row("vaults", subject, "protected", "yes" if vault.protect else "no")


def _bucket_rows(stack: Stack) -> Iterator[Row]:
    for replication in replications(stack):
        source = bucket_of(stack, replication)
        name = (bucket_name(source) if source else None) or _text(replication.props, "bucket") or replication.name
        raw = replication.props.items("rules")
        for index, rule in enumerate(replication_rules(replication) or []):
            rule_id = raw[index].text("id") if index < len(raw) and raw[index].known("id") else rule.where
            subject = f"bucket {name} · replication rule {rule_id}"
            destination = bucket_by_arn_or_name(stack, replication, rule.destination_bucket)
            region = stack.region_of(destination) if destination else None
            shown = rule.destination_bucket or "unknown until created"
            yield Row("buckets", subject, "destination", shown + (f" ({region})" if region else ""))
            yield Row("buckets", subject, "status", rule.status or "unset")
            yield Row("buckets", subject, "RTC (15-minute SLA)", rule.rtc_status or "Disabled")
            yield Row("buckets", subject, "delete markers", rule.delete_marker_status or "unset")
            yield Row("buckets", subject, "SSE-KMS objects", "replicated" if rule.sse_kms_selected else "skipped")


def posture(resources: list[Mapping[str, Any]]) -> dict[tuple[str, str, str], Row]:
    """Every row of the stack's posture, keyed by (section, subject, aspect), in a stable reading order."""
    stack = stack_of(resources)
    found: list[Row] = []
    # The plans of the stack, and those inside its Organizations backup policies (as the pack reads them).
    for plan in [*stack.of_kind(PLAN), *(plan for policy in stack.of_kind(ORG_POLICY)
                                         for _, plan in organization_plans(policy))]:
        found += _plan_rows(stack, plan)
    found += _selection_rows(stack)
    found += _vault_rows(stack)
    found += _bucket_rows(stack)
    return {row.key: row for row in found}
