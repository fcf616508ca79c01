"""The retention model's typed inputs: a strategy is a set of rules backing up the same resources, each rule a
schedule, a lifecycle (warm, then cold, then deleted) and copies to other vaults with their own lifecycle.

They are built from the stack config (`strategies.py`) or by hand (tests, alternative strategies), and know nothing
of pydantic or Pulumi. Their fields are named as the stack config's (`cold_storage_after_days`,
`continuous_backup`, ...): one name per fact from the stack file to the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from components.config.resource_types import RESOURCE_TYPES


@dataclass(frozen=True)
class Lifecycle:
    cold_storage_after_days: int | None = None  # None: never moves to cold storage
    delete_after_days: int | None = None  # None: kept forever


@dataclass(frozen=True)
class CopyTarget:
    region: str
    vault: str  # a vault name of the stack, or an ARN
    lifecycle: Lifecycle


@dataclass(frozen=True)
class Rule:
    name: str
    schedule: str  # cron(...)
    lifecycle: Lifecycle
    timezone: str = "Etc/UTC"
    continuous_backup: bool = False
    opt_in_to_archive_for_supported_resources: bool = False  # EBS cold storage is its archive tier
    copies: tuple[CopyTarget, ...] = ()


@dataclass(frozen=True)
class Strategy:
    name: str
    kind: str  # "plan", "profile minimum", "preset", "alternative"
    region: str  # where the rules' own recovery points live
    rules: tuple[Rule, ...]
    resource_types: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Workload:
    """What one resource type weighs in the estimate: how many resources, their size and daily change."""

    resource_type: str
    count: int
    size_gb: float
    daily_change_rate: float  # fraction of the resource that changes per day (0.02 = 2 %)


@dataclass(frozen=True)
class TypeSupport:
    """What AWS Backup does for a resource type, from the one resource types table."""

    cold_storage: bool  # lifecycle to cold storage honoured (AWS ignores it for other types)
    cold_storage_needs_archive_opt_in: bool  # cold storage is the EBS snapshot archive tier
    continuous_backup: bool  # point-in-time restore

    @classmethod
    def of(cls, resource_type: str) -> TypeSupport:
        features = RESOURCE_TYPES[resource_type].features
        cold = features["coldStorage"]
        return cls(
            cold_storage=cold.supported,
            cold_storage_needs_archive_opt_in=cold.via == "archiveTier",
            continuous_backup=features["continuousBackup"].supported,
        )


# The lifecycle exactly as written: what the summary counts show (every type that honours cold storage).
AS_WRITTEN = TypeSupport(cold_storage=True, cold_storage_needs_archive_opt_in=False, continuous_backup=False)
