"""What AWS Backup Audit Manager checks after deploy, from the compliance profile the gate uses: one mapping,
profile figure -> control parameter, used by the program (its `aws.backup.Framework`) and printed by preflight.

Sources (AWS Backup Developer Guide): "Controls and remediation" and "Choosing your controls" (control names,
parameters, defaults: frequency 1 day, retention 35 days; up to five principals and five accounts; last recovery
point age 1 to 744 hours or 1 to 31 days), "Creating frameworks using the AWS Backup API" (parameter values are
strings); the AWS Config managed rule backup-plan-min-frequency-and-min-retention-check (requiredFrequencyUnit
`hours` or `days`, requiredFrequencyValue "Maximum of 24 for hours, 31 for days"); "AWS Backup quotas" (50 controls
per account and Region). Plain Python: the program and preflight import it, the pack process does not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from compliance import evidence_facts

MIN_RETENTION = "aws-backup-plan-enforce-min-retention"
MIN_FREQUENCY = "aws-backup-plan-enforce-min-frequency"
CUSTOMER_KEY = "aws-backup-vault-require-customer-managed-key"
DENY_DELETE = "aws-backup-vault-require-deny-delete-policy"
CROSS_REGION = "aws-backup-plan-require-cross-region-copy"
CROSS_ACCOUNT = "aws-backup-plan-require-cross-account-copy"
LOCK = "aws-backup-vault-require-lock"
SELECTION = "aws-backup-plan-require-selection-and-vault"

Profile = Mapping[str, tuple[str, Mapping[str, Any]]]  # policy -> (level, knobs), as policy_config resolves it
# The controls that judge protected resources (scope: tags, type or one resource); the others judge plans, vaults
# or recovery points ("Controls and remediation").
RESOURCE_CONTROLS = ("BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN", "BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION",
                     "BACKUP_RESOURCES_PROTECTED_BY_CROSS_ACCOUNT", "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK",
                     "BACKUP_LAST_RECOVERY_POINT_CREATED", "RESTORE_TIME_FOR_RESOURCES_MEET_TARGET")
# A figure the profile does not enforce leaves the other parameter of a shared control at its loosest.
LOOSEST_FREQUENCY = ("days", str(evidence_facts.CONTROL_FREQUENCY_RANGE["days"]))
LOOSEST_RETENTION = "1"


class ControlError(ValueError):
    """A profile figure or stack fact that no control parameter can say; `key` is the config key to change."""

    def __init__(self, message: str, key: tuple[str | int, ...] = ("evidence", "profile")) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Control:
    name: str
    parameters: dict[str, str]  # ParameterName -> ParameterValue (strings, as the API takes them)
    scope_tags: dict[str, str] = field(default_factory=dict)  # ControlScope Tags: "a maximum of one key-value pair"


@dataclass(frozen=True)
class StackFacts:
    """What the controls name of the stack itself, in the framework's region."""

    break_glass_arns: Sequence[str] = ()
    copy_regions: Sequence[str] = ()  # other regions the region's plans copy to
    copy_accounts: Sequence[str] = ()
    max_restore_minutes: int | None = None
    continuous_retention_days: int | None = None  # the shortest continuous-backup rule's (35 days at most)
    # The one tag every selection selects by, and nothing else; it scopes the resource controls to the resources
    # the plans protect. None judges every resource of the account.
    selection_tag: tuple[str, str] | None = None


LEFT_OUT = " Left out: "  # in a framework's description, before what the mapping left out and why


@dataclass(frozen=True)
class Framework:
    controls: list[Control]
    omitted: list[str]  # why a control of the profile's figures is left out

    def description(self, profile: str) -> str:
        """The framework's description: its profile and what is left out (AWS shows it; preflight prints it)."""
        text = f"aws-backups: the figures compliance profile {profile} enforces, checked by AWS after deploy."
        text += f"{LEFT_OUT}{'; '.join(self.omitted)}." if self.omitted else ""
        limit = evidence_facts.MAX_FRAMEWORK_DESCRIPTION
        return text if len(text) <= limit else text[:limit - 3] + "..."


def left_out(description: str) -> list[str]:
    """What a framework's description says the mapping left out."""
    _, _, rest = description.partition(LEFT_OUT)
    return [item for item in rest.rstrip(".").split("; ") if item]


def _enforced(profile: Profile, policy: str) -> Mapping[str, Any] | None:
    """The policy's knobs when the profile makes it mandatory: the framework checks what the gate enforces (an
    advisory figure would make every stack that heeds the advice non-compliant)."""
    level, knobs = profile.get(policy, ("disabled", {}))
    return knobs if level == "mandatory" else None


def interval(hours: float, limits: Mapping[str, int], what: str) -> tuple[str, str]:
    """(unit, value) for a number of hours: whole hours up to the hours limit, else whole days."""
    if float(hours).is_integer() and 1 <= hours <= limits["hours"]:
        return "hours", str(int(hours))
    if float(hours / 24).is_integer() and 1 <= hours / 24 <= limits["days"]:
        return "days", str(int(hours / 24))
    raise ControlError(f"{what} of {hours:g} hours cannot be said by the control (allowed: whole hours 1 to "
                       f"{limits['hours']}, or whole days 1 to {limits['days']})")


def _listed(values: Sequence[str], limit: int, what: str, key: tuple[str | int, ...]) -> str:
    if len(values) > limit:
        raise ControlError(f"{len(values)} {what} ({', '.join(values)}) are more than the control takes (allowed: "
                           f"at most {limit})", key)
    return ",".join(values)


@dataclass(frozen=True)
class ReportRetention:
    """How long the audit reports are kept, as the profile keeps the recovery points they attest."""

    days: int | None  # the profile's minimum retention; None: kept until deleted
    lock_mode: str | None  # the S3 Object Lock mode (COMPLIANCE | GOVERNANCE) of the profile's vault lock


def report_retention(profile: Profile) -> ReportRetention:
    retention, lock = _enforced(profile, MIN_RETENTION), _enforced(profile, LOCK)
    days = retention.get("minRetentionDays") if retention is not None else None
    return ReportRetention(int(days) if days else None, str(lock["mode"]).upper() if lock is not None else None)


def framework_controls(profile: Profile, stack: StackFacts) -> Framework:
    """The controls of the stack's framework in one region: each figure the profile enforces before deploy,
    checked by AWS after it. Raises ControlError for a figure no control parameter can say."""
    omitted = [f"{name}: advisory in the profile" for name, policy in (
        ("minimum retention", MIN_RETENTION), ("backup interval", MIN_FREQUENCY), ("encryption", CUSTOMER_KEY),
        ("manual deletion", DENY_DELETE), ("cross-region copies", CROSS_REGION),
        ("cross-account copies", CROSS_ACCOUNT), ("vault lock", LOCK)) if profile.get(policy, ("",))[0] == "advisory"]
    controls = [Control("BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN", {})] if _enforced(profile, SELECTION) else []
    retention, frequency = _enforced(profile, MIN_RETENTION), _enforced(profile, MIN_FREQUENCY)
    days = str(int(retention["minRetentionDays"])) if retention is not None else None
    if frequency is not None or days:
        unit, value = interval(float(frequency["maxIntervalHours"]), evidence_facts.CONTROL_FREQUENCY_RANGE,
                               "the profile's backup interval") if frequency is not None else LOOSEST_FREQUENCY
        controls.append(Control("BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK",
                                {"requiredFrequencyUnit": unit, "requiredFrequencyValue": value,
                                 "requiredRetentionDays": days or LOOSEST_RETENTION}))
    continuous = stack.continuous_retention_days
    if days and continuous is not None and continuous < int(days):
        # The gate exempts continuous backups (35 days at most) next to a snapshot rule that meets the minimum;
        # this control judges every recovery point alike and would report theirs.
        omitted.append(f"BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK: continuous backups keep {continuous} days "
                       f"(AWS's maximum is 35), under the profile's {days}, which the plan check covers")
    elif days:
        controls.append(Control("BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK", {"requiredRetentionDays": days}))
    if _enforced(profile, CUSTOMER_KEY) is not None:
        controls.append(Control("BACKUP_RECOVERY_POINT_ENCRYPTED", {}))
    if _enforced(profile, DENY_DELETE) is not None:
        principals = _listed(list(stack.break_glass_arns), evidence_facts.MAX_CONTROL_PRINCIPALS,
                             "break-glass principals", ("vaults", "accessPolicy", "breakGlassPrincipalArns"))
        controls.append(Control("BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED",
                                {"principalArnList": principals} if principals else {}))
    if _enforced(profile, CROSS_REGION) is not None:
        regions = ",".join(stack.copy_regions)
        controls.append(Control("BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION",
                                {"crossRegionList": regions} if regions else {}))
    if _enforced(profile, CROSS_ACCOUNT) is not None:
        accounts = _listed(list(stack.copy_accounts), evidence_facts.MAX_CONTROL_ACCOUNTS, "copy destination accounts",
                           ("plans", "rules", "copyTo", "vaultArn"))
        controls.append(Control("BACKUP_RESOURCES_PROTECTED_BY_CROSS_ACCOUNT",
                                {"crossAccountList": accounts} if accounts else {}))
    if _enforced(profile, LOCK) is not None:
        controls.append(Control("BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK", {}))
    if frequency is not None:
        unit, value = interval(float(frequency["maxIntervalHours"]), evidence_facts.CONTROL_RECOVERY_POINT_AGE_RANGE,
                               "the profile's backup interval")
        controls.append(Control("BACKUP_LAST_RECOVERY_POINT_CREATED",
                                {"recoveryPointAgeUnit": unit, "recoveryPointAgeValue": value}))
    if stack.max_restore_minutes is not None:
        controls.append(Control("RESTORE_TIME_FOR_RESOURCES_MEET_TARGET",
                                {"maxRestoreTime": str(stack.max_restore_minutes)}))
    if stack.selection_tag is not None:
        key, value = stack.selection_tag
        controls = [replace(control, scope_tags={key: value}) if control.name in RESOURCE_CONTROLS else control
                    for control in controls]
    elif any(control.name in RESOURCE_CONTROLS for control in controls):
        omitted.append("a scope: the selections do not all select by one tag alone, and a control scope takes "
                       "one, so the resource controls judge every resource of the account")
    if not controls:
        raise ControlError("enforces no figure an Audit Manager control checks, and a framework needs at least one "
                           "control (allowed: a profile with mandatory figures, e.g. baseline; or omit profile)")
    if len(controls) > evidence_facts.MAX_CONTROLS:
        raise ControlError(f"{len(controls)} controls are more than an account may have in a Region (allowed: at "
                           f"most {evidence_facts.MAX_CONTROLS})")
    return Framework(controls, omitted)
