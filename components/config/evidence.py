"""Config of the stack's audit evidence (`aws-backups:evidence`): the compliance profile AWS Backup Audit Manager
checks after deploy, the same profile the gate checks before it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import compliance
from compliance import evidence_facts
from pydantic import Field

from components.config.base import ConfigModel, Problem, Text, duplicate_values, within
from components.config.plan import Schedule, TimeZone
from components.config.type_rules import TABLE

PROFILES = Path(compliance.__file__).resolve().parents[1] / "profiles"


def profile_names() -> list[str]:
    return sorted(path.stem for path in PROFILES.glob("*.json"))


ProfileName = Literal[tuple(profile_names())]  # type: ignore[valid-type]


RestoreTestingType = Literal[tuple(t for t in TABLE.type_names if t in evidence_facts.RESTORE_TESTING_TYPES)]  # type: ignore[valid-type]


class RestoreTestingConfig(ConfigModel):
    """AWS Backup restore testing: on a schedule, AWS restores a recovery point of each selected type, keeps it for
    the validation window, then deletes it. Defaults are safe: weekly, a random point of the last 30 days."""

    schedule: Schedule = "cron(0 6 ? * SAT *)"
    timezone: TimeZone = "Etc/UTC"
    start_window_hours: Annotated[int, Field(ge=evidence_facts.RESTORE_START_WINDOW_HOURS[0],
                                             le=evidence_facts.RESTORE_START_WINDOW_HOURS[1])] = 24
    selection_window_days: Annotated[int, Field(ge=evidence_facts.RESTORE_SELECTION_WINDOW_DAYS[0],
                                                le=evidence_facts.RESTORE_SELECTION_WINDOW_DAYS[1])] = 30
    algorithm: Literal["LATEST_WITHIN_WINDOW", "RANDOM_WITHIN_WINDOW"] = "RANDOM_WITHIN_WINDOW"
    recovery_point_types: Annotated[list[Literal["SNAPSHOT", "CONTINUOUS"]], Field(min_length=1)] = ["SNAPSHOT"]
    validation_window_hours: Annotated[int, Field(ge=evidence_facts.RESTORE_VALIDATION_WINDOW_HOURS[0],
                                                  le=evidence_facts.RESTORE_VALIDATION_WINDOW_HOURS[1])] | None = None
    # Which types to test; unset: every type the plans select that restore testing supports.
    types: list[RestoreTestingType] | None = None
    # RestoreMetadataOverrides per type (e.g. EC2 subnetId, RDS dbSubnetGroupName where the default VPC is gone).
    metadata_overrides: dict[RestoreTestingType, dict[str, Text]] = {}

    def problems(self) -> list[Problem]:
        found = []
        for kind, overrides in self.metadata_overrides.items():
            allowed = evidence_facts.RESTORE_METADATA_KEYS.get(kind, ())
            known = {key.lower() for key in allowed}  # "Key values are not case sensitive"
            found += [Problem(("metadataOverrides", kind, key), value, f"is not a restore metadata key of {kind} "
                              f"(allowed: {', '.join(allowed) or 'none'})")
                      for key, value in overrides.items() if key.lower() not in known]
        return found

    def tested_types(self, selected: list[str]) -> list[str]:
        """The types to test: those given, else every selected type restore testing supports."""
        if self.types is not None:
            return list(self.types)
        return [kind for kind in selected if kind in evidence_facts.RESTORE_TESTING_TYPES]


ReportTemplate = Literal[evidence_facts.REPORT_TEMPLATES]  # type: ignore[valid-type]
ReportFormat = Literal[evidence_facts.REPORT_FORMATS]  # type: ignore[valid-type]


class ReportsConfig(ConfigModel):
    """AWS Backup Audit Manager report plans: daily reports of each template, per plan region, delivered to a
    bucket of the stack in that region (versioned, SSE-KMS, TLS-only, kept as the profile's retention says)."""

    templates: Annotated[list[ReportTemplate], Field(min_length=1)] = list(evidence_facts.REPORT_TEMPLATES)
    formats: Annotated[list[ReportFormat], Field(min_length=1)] = ["CSV"]
    # How long reports are kept (S3 Object Lock default retention and lifecycle expiry). Unset: the profile's
    # minimum retention (aws-backup-plan-enforce-min-retention), else kept until deleted.
    retention_days: Annotated[int, Field(ge=1, le=evidence_facts.MAX_OBJECT_LOCK_DAYS)] | None = None
    # S3 Object Lock mode. Unset: the mode of the profile's vault lock (aws-backup-vault-require-lock) when it
    # enforces one; NONE: versioning and lifecycle only. A bucket gets Object Lock only when it is created.
    object_lock: Literal["COMPLIANCE", "GOVERNANCE", "NONE"] | None = None
    # AWS Backup creates AWSServiceRoleForBackupReports with the first report plan, but the key and bucket policies
    # that name it are refused before it exists: the stack creates it. false when the account already has it.
    create_service_linked_role: bool = True

    def problems(self, has_frameworks: bool) -> list[Problem]:
        on_frameworks = evidence_facts.FRAMEWORK_REPORT_TEMPLATES
        others = ", ".join(t for t in evidence_facts.REPORT_TEMPLATES if t not in on_frameworks)
        found = [Problem(("templates", index), template, "reports on the stack's frameworks, and there is none: "
                         f"set evidence.profile (allowed without it: {others})")
                 for index, template in enumerate(self.templates) if template in on_frameworks and not has_frameworks]
        found += duplicate_values("templates", self.templates) + duplicate_values("formats", self.formats)
        return found


class EvidenceConfig(ConfigModel):
    # The profile of policies/profiles whose mandatory figures the framework's controls carry: give the one the gate
    # runs with (--policy-pack-config policies/profiles/<profile>.json); preflight says when they differ. Unset: no
    # framework.
    profile: ProfileName | None = None
    # RESTORE_TIME_FOR_RESOURCES_MEET_TARGET: the latest restore of each resource finishes within this many minutes.
    max_restore_time_minutes: Annotated[int, Field(ge=1)] | None = None
    restore_testing: RestoreTestingConfig | None = None
    reports: ReportsConfig | None = None

    def problems(self) -> list[Problem]:
        found = within(("restoreTesting",), self.restore_testing.problems()) if self.restore_testing else []
        return found + (within(("reports",), self.reports.problems(self.profile is not None)) if self.reports else [])

    def profile_path(self) -> Path | None:
        return PROFILES / f"{self.profile}.json" if self.profile else None
