"""Backup plan rules, as AWS accepts them: lifecycle bounds and the cold-storage gap, continuous backup's limits,
the start window, the schedule. AWS limits: mandatory in every profile, not relaxable; each asks
compliance.facts, as the stack config's loader does.
"""

from __future__ import annotations

from collections.abc import Iterator

from compliance import facts
from compliance.plan_lifecycles import LIFECYCLE_READS, RULE_KEY, lifecycles, rule_label, rules
from compliance.resources import PLAN, Resource
from compliance.spec import PolicySpec, aws_limit, days


def check_cold_storage_gap(plan: Resource, _config: dict) -> Iterator[str]:
    for lifecycle in lifecycles(plan):
        cold, delete = lifecycle.cold_storage_after, lifecycle.delete_after
        if lifecycle.inherited or cold is None or delete is None or facts.KEEP_FOREVER in (cold, delete):
            continue
        if problem := facts.cold_storage_gap_problem(cold, delete):
            yield (f"{lifecycle.where}: lifecycle.deleteAfter {days(delete)} {problem}. Raise deleteAfter or lower "
                   f"coldStorageAfter (stack config: aws-backups:{lifecycle.config_key}.deleteAfterDays / "
                   f"coldStorageAfterDays).")


COLD_STORAGE_GAP = PolicySpec(
    name="aws-backup-plan-check-cold-storage-gap",
    description=f"Backup lifecycles delete recovery points at least {facts.COLD_STORAGE_MINIMUM_DAYS} days after "
                "they move to cold storage.",
    why=f"AWS rejects DeleteAfterDays < MoveToColdStorageAfterDays + {facts.COLD_STORAGE_MINIMUM_DAYS} at apply "
        f"time (API_Lifecycle; {aws_limit(1)}).",
    severity="high",
    remediation=f"Raise lifecycle.deleteAfter to coldStorageAfter + {facts.COLD_STORAGE_MINIMUM_DAYS} or more, or "
                "lower coldStorageAfter, on the rule or copy action named in the message.",
    reads={PLAN: LIFECYCLE_READS},
    check=check_cold_storage_gap,
    aws_limit=True,
)


def check_lifecycle_bounds(plan: Resource, _config: dict) -> Iterator[str]:
    for lifecycle in lifecycles(plan):
        if lifecycle.inherited:
            continue
        values = {"deleteAfter": lifecycle.delete_after, "coldStorageAfter": lifecycle.cold_storage_after}
        forever = [key for key, value in values.items() if value == facts.KEEP_FOREVER]
        if forever and len(forever) != 2:
            yield (f"{lifecycle.where}: lifecycle.{forever[0]} is {facts.KEEP_FOREVER} (keep forever) but the other "
                   f"value is not; AWS accepts {facts.KEEP_FOREVER} only on both deleteAfter and coldStorageAfter. "
                   f"Set both to {facts.KEEP_FOREVER} or give both a number of days (stack config: "
                   f"aws-backups:{lifecycle.config_key}.deleteAfterDays).")
        for key, value in values.items():
            if value is None or value == facts.KEEP_FOREVER:
                continue
            if problem := facts.lifecycle_days_problem(value):
                config_key = "deleteAfterDays" if key == "deleteAfter" else "coldStorageAfterDays"
                yield (f"{lifecycle.where}: lifecycle.{key} {days(value)} {problem}. Set a value in that range "
                       f"(stack config: aws-backups:{lifecycle.config_key}.{config_key}).")


LIFECYCLE_BOUNDS = PolicySpec(
    name="aws-backup-plan-check-lifecycle-bounds",
    description=f"Backup lifecycle values are {facts.MIN_LIFECYCLE_DAYS} to {facts.MAX_LIFECYCLE_DAYS:,} days, or "
                f"{facts.KEEP_FOREVER} on both fields (keep forever).",
    why=f"AWS rejects other values at apply time (API_Lifecycle; {aws_limit(2)}).",
    severity="high",
    remediation=f"Set deleteAfter and coldStorageAfter between {facts.MIN_LIFECYCLE_DAYS} and "
                f"{facts.MAX_LIFECYCLE_DAYS}, or both to {facts.KEEP_FOREVER}.",
    reads={PLAN: LIFECYCLE_READS},
    check=check_lifecycle_bounds,
    aws_limit=True,
)


def check_continuous_backup(plan: Resource, _config: dict) -> Iterator[str]:
    for lifecycle in lifecycles(plan, copies=False):
        if not lifecycle.rule.flag("enableContinuousBackup"):
            continue
        delete, cold = lifecycle.delete_after, lifecycle.cold_storage_after
        if problem := facts.continuous_retention_problem(delete):
            shown = "unset" if delete is None else days(delete)
            yield (f"{lifecycle.where}: continuous backup (point-in-time recovery) with lifecycle.deleteAfter {shown}"
                   f", which {problem}. Set lifecycle.deleteAfter (stack config: {RULE_KEY}.deleteAfterDays).")
        if problem := facts.continuous_cold_storage_problem(cold):
            yield (f"{lifecycle.where}: lifecycle.coldStorageAfter {days(cold)} {problem}. "
                   f"Remove coldStorageAfter from this rule (stack config: {RULE_KEY}.coldStorageAfterDays).")


CONTINUOUS_BACKUP = PolicySpec(
    name="aws-backup-plan-check-continuous-backup",
    description=f"Continuous-backup rules keep recovery points {facts.MIN_LIFECYCLE_DAYS} to "
                f"{facts.CONTINUOUS_BACKUP_MAX_DAYS} days and use no cold storage.",
    why=f"Point-in-time recovery allows {facts.MIN_LIFECYCLE_DAYS}-{facts.CONTINUOUS_BACKUP_MAX_DAYS} days, needs "
        f"a lifecycle and rejects cold storage ({aws_limit(3)}).",
    severity="high",
    remediation=f"Give the continuous rule lifecycle.deleteAfter of {facts.CONTINUOUS_BACKUP_MAX_DAYS} or less and "
                "no coldStorageAfter; keep long retention in a separate snapshot rule.",
    reads={PLAN: ("rules[].ruleName", "rules[].enableContinuousBackup", "rules[].lifecycle",
                  "rules[].lifecycle.deleteAfter", "rules[].lifecycle.coldStorageAfter")},
    check=check_continuous_backup,
    aws_limit=True,
)


def check_start_window(plan: Resource, _config: dict) -> Iterator[str]:
    for rule in rules(plan):
        window = rule.number("startWindow")
        if window is not None and (problem := facts.start_window_problem(window)):
            yield (f"{rule_label(rule)}: startWindow {days(window)} minutes {problem}. Raise it or leave it unset "
                   f"(stack config: {RULE_KEY}.startWindowMinutes).")


START_WINDOW = PolicySpec(
    name="aws-backup-plan-check-start-window",
    description=f"Backup rule start windows are at least {facts.MIN_START_WINDOW_MINUTES} minutes.",
    why=f"AWS rejects StartWindowMinutes below {facts.MIN_START_WINDOW_MINUTES} (BackupRuleInput; {aws_limit(4)}).",
    severity="medium",
    remediation=f"Set startWindow to {facts.MIN_START_WINDOW_MINUTES} minutes or more, or leave it unset.",
    reads={PLAN: ("rules[].ruleName", "rules[].startWindow")},
    check=check_start_window,
    aws_limit=True,
)


def check_schedule(plan: Resource, _config: dict) -> Iterator[str]:
    for rule in rules(plan):
        schedule = rule.get("schedule")
        if schedule is None:
            continue
        if not isinstance(schedule, str):
            yield (f"{rule_label(rule)}: schedule is {schedule!r}, not a cron(...) expression. Set it to "
                   f"{facts.SCHEDULE_FORM} (stack config: {RULE_KEY}.schedule).")
        elif problem := facts.schedule_problem(schedule):
            yield (f"{rule_label(rule)}: schedule {schedule} {problem}. Fix the schedule (stack config: "
                   f"{RULE_KEY}.schedule).")


SCHEDULE = PolicySpec(
    name="aws-backup-plan-check-schedule",
    description=f"Backup schedules are valid AWS cron expressions at least {facts.MIN_BACKUP_INTERVAL_MINUTES} "
                "minutes apart.",
    why=f"AWS takes a six-field cron with one '?' day field and rejects backups under "
        f"{facts.MIN_BACKUP_INTERVAL_MINUTES} minutes apart ({aws_limit(6)}).",
    severity="high",
    remediation=f"Write the schedule as {facts.SCHEDULE_FORM}, running at most once every "
                f"{facts.MIN_BACKUP_INTERVAL_MINUTES} minutes.",
    reads={PLAN: ("rules[].ruleName", "rules[].schedule")},
    check=check_schedule,
    aws_limit=True,
)


POLICIES = [COLD_STORAGE_GAP, LIFECYCLE_BOUNDS, CONTINUOUS_BACKUP, START_WINDOW, SCHEDULE]
