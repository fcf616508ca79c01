"""How long a plan keeps recovery points (at least, at most, inside its vault's lock), how often it makes them,
how long they stay warm. The figures are knobs; the profiles set them (docs/compliance-figures.md), and the
defaults are AWS's baseline (AWS Config rule backup-plan-min-frequency-and-min-retention-check: 1 day, 35 days).
"""

from __future__ import annotations

from collections.abc import Iterator

from compliance import facts
from compliance.cron import ScheduleError, cron_gaps
from compliance.plan_lifecycles import LIFECYCLE_READS, Lifecycle, lifecycles, rule_label, rules
from compliance.resources import PLAN, VAULT, VAULT_LOCK, Resource, Stack
from compliance.spec import FIGURES, PolicySpec, Violation, aws_limit, days
from compliance.vault_links import lifecycle_target, lock_of, vault_name

BASELINE = f"AWS Config rule backup-plan-min-frequency-and-min-retention-check defaults ({FIGURES})"
READS = (*LIFECYCLE_READS, "rules[].enableContinuousBackup")
DAYS = {"type": "integer", "minimum": 1, "maximum": facts.MAX_LIFECYCLE_DAYS}


def _is_continuous(lifecycle: Lifecycle) -> bool:
    return not lifecycle.is_copy and lifecycle.rule.flag("enableContinuousBackup")


def check_min_retention(plan: Resource, config: dict) -> Iterator[str]:
    """Every rule and copy keeps recovery points at least `minRetentionDays`. A continuous-backup rule cannot keep
    more than 35 days, so it is exempt when a snapshot rule of the same plan meets the minimum."""
    minimum = float(config["minRetentionDays"])
    found = list(lifecycles(plan))
    snapshot_meets = any(
        not _is_continuous(lc) and not lc.is_copy and (lc.kept_forever or lc.delete_after >= minimum) for lc in found
    )
    for lifecycle in found:
        if lifecycle.kept_forever or lifecycle.delete_after >= minimum:
            continue
        if _is_continuous(lifecycle) and snapshot_meets:
            continue
        yield (f"{lifecycle.where} keeps recovery points {days(lifecycle.delete_after)} days; the profile requires at "
               f"least {days(minimum)}. Set lifecycle.deleteAfter >= {days(minimum)} (stack config: "
               f"aws-backups:{lifecycle.config_key}.deleteAfterDays >= {days(minimum)}).")


MIN_RETENTION = PolicySpec(
    name="aws-backup-plan-enforce-min-retention",
    description="Every backup rule and copy keeps recovery points at least the profile's minimum.",
    why=f"Baseline 35 days ({BASELINE}); HIPAA 2190 (45 CFR 164.316(b)(2)(i)), SOX 2555 (17 CFR 210.2-06), "
        f"PCI DSS 365 (Req. 10.5.1), SEC 17a-4 2190 (17 CFR 240.17a-4(a)).",
    severity="high",
    remediation="Raise lifecycle.deleteAfter of the rule or copy named in the message to the minimum, or use a "
                "longer-retention preset.",
    reads={PLAN: READS},
    check=check_min_retention,
    knobs={"minRetentionDays": {**DAYS, "default": 35,
                                "description": "Fewest days a rule or copy may keep a recovery point."}},
)


def check_max_retention(plan: Resource, config: dict) -> Iterator[str]:
    maximum = config.get("maxRetentionDays")
    if maximum is None:
        return
    for lifecycle in lifecycles(plan):
        if lifecycle.kept_forever or lifecycle.delete_after > float(maximum):
            shown = "forever" if lifecycle.kept_forever else f"{days(lifecycle.delete_after)} days"
            yield (f"{lifecycle.where} keeps recovery points {shown}; the profile allows at most {days(maximum)} "
                   f"days. Set lifecycle.deleteAfter <= {days(maximum)} (stack config: "
                   f"aws-backups:{lifecycle.config_key}.deleteAfterDays <= {days(maximum)}).")


MAX_RETENTION = PolicySpec(
    name="aws-backup-plan-enforce-max-retention",
    description="No backup rule or copy keeps recovery points longer than the profile's maximum.",
    why="GDPR storage limitation: keep no longer than necessary (Art. 5(1)(e)); also cost. The maximum is set "
        "per organisation; none by default.",
    severity="medium",
    remediation="Lower lifecycle.deleteAfter of the rule or copy named in the message (and give rules without "
                "a lifecycle one).",
    reads={PLAN: READS},
    check=check_max_retention,
    knobs={"maxRetentionDays": {"type": ["integer", "null"], "minimum": 1, "maximum": facts.MAX_LIFECYCLE_DAYS,
                                "default": None,
                                "description": "Most days a recovery point may be kept; null for no maximum."}},
)


def check_min_frequency(plan: Resource, config: dict) -> Iterator[str]:
    """The plan makes a recovery point at least every `maxIntervalHours`: some rule's schedule never leaves a
    longer gap, or a rule uses continuous backup (which is always current)."""
    limit = float(config["maxIntervalHours"])
    gaps: list[str] = []
    judged = [rule for rule in rules(plan) if not (plan.partial and rule.get("schedule") is None)]
    if plan.partial and not judged:
        return  # a backup policy's rules whose schedules the policies above them give
    for rule in judged:
        if rule.flag("enableContinuousBackup"):
            return
        schedule = rule.get("schedule")
        try:
            runs = cron_gaps(schedule) if isinstance(schedule, str) else None
        except ScheduleError:
            runs = None  # an invalid schedule is the limits policy's finding; it makes no backups here
        longest = runs.longest if runs else None
        if longest is not None and longest.total_seconds() <= limit * 3600:
            return
        gap = "runs at most once" if runs and longest is None else (
            f"up to {longest.total_seconds() / 3600:g} hours apart" if longest else "no usable schedule")
        gaps.append(f"{rule_label(rule)} ({schedule}: {gap})")
    yield (f"no rule backs up at least every {limit:g} hours: {'; '.join(gaps) or 'the plan has no rules'}. Add a "
           f"rule whose schedule runs at least that often, e.g. cron(0 5 ? * * *) for daily, or enable continuous "
           f"backup (stack config: aws-backups:plans[].rules[].schedule, or a daily preset).")


MIN_FREQUENCY = PolicySpec(
    name="aws-backup-plan-enforce-min-frequency",
    description="Every backup plan makes a recovery point at least as often as the profile requires.",
    why=f"Baseline daily ({BASELINE}); continuous backup counts as met.",
    severity="high",
    remediation="Add a rule (or preset) whose schedule runs at least that often, or enable continuous backup.",
    reads={PLAN: ("rules[].ruleName", "rules[].schedule", "rules[].enableContinuousBackup")},
    check=check_min_frequency,
    knobs={"maxIntervalHours": {"type": "number", "minimum": 1, "default": 24,
                                "description": "Longest allowed gap between recovery points, in hours."}},
)


def check_warm_period(plan: Resource, config: dict) -> Iterator[str]:
    minimum = float(config["minWarmDays"])
    if minimum <= 0:
        return
    for lifecycle in lifecycles(plan):
        cold = lifecycle.cold_storage_after
        if lifecycle.inherited or cold is None or cold < 0:
            continue
        if cold < minimum:
            yield (f"{lifecycle.where} moves recovery points to cold storage after {days(cold)} days; the profile "
                   f"keeps them warm (immediately restorable) at least {days(minimum)} days. Set "
                   f"lifecycle.coldStorageAfter >= {days(minimum)} (stack config: "
                   f"aws-backups:{lifecycle.config_key}.coldStorageAfterDays >= {days(minimum)}).")


WARM_PERIOD = PolicySpec(
    name="aws-backup-plan-enforce-warm-period",
    description="Recovery points stay in warm storage at least the profile's number of days before cold "
                "storage.",
    why="PCI DSS v4.0.1 Req. 10.5.1: the last 3 months (90 days) immediately available.",
    severity="medium",
    remediation="Raise lifecycle.coldStorageAfter to the minimum, or drop cold storage.",
    reads={PLAN: READS},
    check=check_warm_period,
    knobs={"minWarmDays": {"type": "integer", "minimum": 0, "maximum": facts.MAX_LIFECYCLE_DAYS, "default": 0,
                           "description": "Fewest days before cold storage; 0 for no requirement."}},
)


def check_retention_in_lock(stack: Stack, _config: dict) -> Iterator[Violation]:
    """A lock does not reject a plan that keeps recovery points outside [min, max]: the jobs fail later, quietly."""
    for plan in stack.of_kind(PLAN):
        for lifecycle in lifecycles(plan):
            target = lifecycle_target(stack, plan, lifecycle)
            lock = lock_of(stack, target) if target else None
            if lock is None:
                continue
            low, high = lock.props.days("minRetentionDays"), lock.props.days("maxRetentionDays")
            keep = None if lifecycle.kept_forever else lifecycle.delete_after
            too_short = low is not None and keep is not None and keep < low
            too_long = high is not None and (keep is None or keep > high)
            if too_short or too_long:
                shown = "forever" if keep is None else f"{days(keep)} days"
                yield Violation(
                    f"{lifecycle.where} keeps recovery points {shown}, outside the lock of vault "
                    f"'{vault_name(target)}' ({days(low)}..{days(high)} days); AWS accepts the plan and the "
                    f"backup/copy jobs then fail. Set lifecycle.deleteAfter inside the lock's range (stack config: "
                    f"aws-backups:{lifecycle.config_key}.deleteAfterDays, or the vault's lock.minRetentionDays / "
                    f"maxRetentionDays).",
                    plan.urn,
                )


RETENTION_IN_LOCK = PolicySpec(
    name="aws-backup-plan-check-retention-in-lock",
    description="Plan rules and copies keep recovery points inside the retention range of the target vault's "
                "lock.",
    why="A lock does not reject such a plan: its backup and copy jobs fail later, quietly (AWS Backup developer "
        f"guide, Vault Lock; {aws_limit(11)}).",
    severity="critical",
    remediation="Set the rule's (or copy's) lifecycle.deleteAfter between the lock's minRetentionDays and "
                "maxRetentionDays, or change the lock.",
    reads={
        PLAN: (*LIFECYCLE_READS, "rules[].targetVaultName", "region"),
        VAULT: ("name", "region"),
        VAULT_LOCK: ("backupVaultName", "minRetentionDays", "maxRetentionDays", "region"),
    },
    check=check_retention_in_lock,
    stack=True,
    aws_limit=True,
)


POLICIES = [MIN_RETENTION, MAX_RETENTION, MIN_FREQUENCY, WARM_PERIOD, RETENTION_IN_LOCK]
