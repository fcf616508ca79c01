"""Config of a backup vault: its key, lock, access policy and notifications."""

from __future__ import annotations

from typing import Annotated, Literal

from compliance import facts
from pydantic import Field

from components.config.base import Arn, ConfigModel, Problem, Region, checked, within

# A lifecycle's day count; a lock's retention bounds and cooling-off (AWS's rules: compliance.facts). A vault's name
# is judged as AWS sees it, with the namePrefix (StackConfig).
Days = Annotated[int, *checked(lambda days: facts.lifecycle_days_problem(days),
                               f"a whole number of days, {facts.MIN_LIFECYCLE_DAYS} to {facts.MAX_LIFECYCLE_DAYS}")]
LockDays = Annotated[int, *checked(lambda days: facts.lock_retention_problem(days), "a whole number of days")]
CoolingOffDays = Annotated[
    int, *checked(lambda days: facts.changeable_for_days_problem(days), "a whole number of days")
]

# The events AWS Backup still sends (PutBackupVaultNotifications; the deprecated ones, such as BACKUP_JOB_FAILED and
# BACKUP_JOB_EXPIRED, never fire and are refused here so nobody relies on them). Backup failures arrive as
# BACKUP_JOB_COMPLETED with a failed state.
VaultEvent = Literal[
    "BACKUP_JOB_STARTED",
    "BACKUP_JOB_COMPLETED",
    "COPY_JOB_STARTED",
    "COPY_JOB_SUCCESSFUL",
    "COPY_JOB_FAILED",
    "RESTORE_JOB_STARTED",
    "RESTORE_JOB_COMPLETED",
    "RECOVERY_POINT_MODIFIED",
    "S3_BACKUP_OBJECT_FAILED",
    "S3_RESTORE_OBJECT_FAILED",
    "CONTINUOUS_BACKUP_INTERRUPTED",
    "RECOVERY_POINT_INDEX_COMPLETED",
    "RECOVERY_POINT_INDEX_DELETED",
    "RECOVERY_POINT_INDEXING_FAILED",
]
DEFAULT_EVENTS: list[str] = [
    "BACKUP_JOB_COMPLETED",
    "COPY_JOB_FAILED",
    "S3_BACKUP_OBJECT_FAILED",
    "S3_RESTORE_OBJECT_FAILED",
    "CONTINUOUS_BACKUP_INTERRUPTED",
]


class LockConfig(ConfigModel):
    """Vault Lock. `compliance` (with changeableForDays) becomes immutable after the cooling-off period: not even
    the root user can shorten retention or delete recovery points. `governance` can be removed by privileged users."""

    mode: Literal["governance", "compliance"]
    min_retention_days: LockDays | None = None
    max_retention_days: LockDays | None = None
    changeable_for_days: CoolingOffDays | None = None

    def problems(self) -> list[Problem]:
        found = []
        low, high = self.min_retention_days, self.max_retention_days
        if low is not None and high is not None and (problem := facts.lock_range_problem(low, high)):
            found.append(Problem(("minRetentionDays",), low, problem))
        if self.mode == "compliance" and self.changeable_for_days is None:
            found.append(
                Problem(
                    ("changeableForDays",),
                    None,
                    f"is required in compliance mode (allowed: {facts.MIN_CHANGEABLE_FOR_DAYS} or more days of "
                    "cooling-off before the lock is permanent)",
                )
            )
        if self.mode == "governance" and self.changeable_for_days is not None:
            found.append(
                Problem(
                    ("changeableForDays",),
                    self.changeable_for_days,
                    "makes the lock a compliance-mode lock (allowed: omit it in governance mode, or set mode: "
                    "compliance)",
                )
            )
        return found

    def contains(self, days: int | None) -> bool:
        """Whether a retention (None = kept forever) is inside the lock's range; a job outside it fails quietly.
        A lock whose own range is invalid contains everything (its own problem is reported instead)."""
        if self.problems():
            return True
        if days is None:
            return self.max_retention_days is None
        low_ok = self.min_retention_days is None or days >= self.min_retention_days
        high_ok = self.max_retention_days is None or days <= self.max_retention_days
        return low_ok and high_ok

    def describe_range(self) -> str:
        return f"{self.min_retention_days or 1}..{self.max_retention_days or 'unbounded'} days"


class AccessPolicyConfig(ConfigModel):
    """The vault access policy: who may delete recovery points, and who may copy into the vault."""

    deny_deletion: bool = True
    break_glass_principal_arns: list[Arn] = []
    copy_from_organization_id: Annotated[str, Field(pattern=r"^o-[a-z0-9]{10,32}$")] | None = None


class SubscriptionConfig(ConfigModel):
    protocol: Literal["email", "https"]
    endpoint: Annotated[str, Field(min_length=3)]
    # false: only failures reach this subscriber (an SNS filter policy drops the messages of successful jobs, which
    # BACKUP_JOB_COMPLETED sends for every job); true: every message the topic receives.
    receive_successes: bool = False

    def problems(self) -> list[Problem]:
        if self.protocol == "https" and not self.endpoint.startswith("https://"):
            return [Problem(("endpoint",), self.endpoint, "is not an https URL (allowed: https://...)")]
        if self.protocol == "email" and "@" not in self.endpoint:
            return [Problem(("endpoint",), self.endpoint, "is not an email address (allowed: name@example.com)")]
        return []


class NotificationsConfig(ConfigModel):
    """An SNS topic (encrypted with the vault's key) that receives the vault's events."""

    events: Annotated[list[VaultEvent], Field(min_length=1)] = DEFAULT_EVENTS
    subscriptions: list[SubscriptionConfig] = []


class VaultConfig(ConfigModel):
    name: Annotated[str, Field(min_length=1, description=f"with the namePrefix, {facts.VAULT_NAME.allowed}")]
    region: Region | None = None
    kms_key_arn: Arn | None = None
    lock: LockConfig | None = None
    access_policy: AccessPolicyConfig = AccessPolicyConfig()
    notifications: NotificationsConfig | None = None

    def problems(self) -> list[Problem]:
        found = within(("lock",), self.lock.problems()) if self.lock else []
        if self.notifications:
            for index, subscription in enumerate(self.notifications.subscriptions):
                found += within(("notifications", "subscriptions", index), subscription.problems())
        return found
