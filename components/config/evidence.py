"""Config of the stack's audit evidence (`aws-backups:evidence`): the compliance profile AWS Backup Audit Manager
checks after deploy, the same profile the gate checks before it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import compliance
from compliance import facts
from pydantic import Field

from components.config.base import ConfigModel, Problem, Text, within
from components.config.plan import Schedule, TimeZone
from components.config.type_rules import TABLE

PROFILES = Path(compliance.__file__).resolve().parents[1] / "profiles"


def profile_names() -> list[str]:
    return sorted(path.stem for path in PROFILES.glob("*.json"))


ProfileName = Literal[tuple(profile_names())]  # type: ignore[valid-type]


RestoreTestingType = Literal[tuple(t for t in TABLE.type_names if t in facts.RESTORE_TESTING_TYPES)]  # type: ignore[valid-type]


class RestoreTestingConfig(ConfigModel):
    """AWS Backup restore testing: on a schedule, AWS restores a recovery point of each selected type, keeps it for
    the validation window, then deletes it. Defaults are safe: weekly, a random point of the last 30 days."""

    schedule: Schedule = "cron(0 6 ? * SAT *)"
    timezone: TimeZone = "Etc/UTC"
    start_window_hours: Annotated[int, Field(ge=facts.RESTORE_START_WINDOW_HOURS[0],
                                             le=facts.RESTORE_START_WINDOW_HOURS[1])] = 24
    selection_window_days: Annotated[int, Field(ge=facts.RESTORE_SELECTION_WINDOW_DAYS[0],
                                                le=facts.RESTORE_SELECTION_WINDOW_DAYS[1])] = 30
    algorithm: Literal["LATEST_WITHIN_WINDOW", "RANDOM_WITHIN_WINDOW"] = "RANDOM_WITHIN_WINDOW"
    recovery_point_types: Annotated[list[Literal["SNAPSHOT", "CONTINUOUS"]], Field(min_length=1)] = ["SNAPSHOT"]
    validation_window_hours: Annotated[int, Field(ge=facts.RESTORE_VALIDATION_WINDOW_HOURS[0],
                                                  le=facts.RESTORE_VALIDATION_WINDOW_HOURS[1])] | None = None
    # Which types to test; unset: every type the plans select that restore testing supports.
    types: list[RestoreTestingType] | None = None
    # RestoreMetadataOverrides per type (e.g. EC2 subnetId, RDS dbSubnetGroupName where the default VPC is gone).
    metadata_overrides: dict[RestoreTestingType, dict[str, Text]] = {}

    def problems(self) -> list[Problem]:
        found = []
        for kind, overrides in self.metadata_overrides.items():
            allowed = facts.RESTORE_METADATA_KEYS.get(kind, ())
            known = {key.lower() for key in allowed}  # "Key values are not case sensitive"
            found += [Problem(("metadataOverrides", kind, key), value, f"is not a restore metadata key of {kind} "
                              f"(allowed: {', '.join(allowed) or 'none'})")
                      for key, value in overrides.items() if key.lower() not in known]
        return found

    def tested_types(self, selected: list[str]) -> list[str]:
        """The types to test: those given, else every selected type restore testing supports."""
        return list(self.types) if self.types is not None else [t for t in selected if t in facts.RESTORE_TESTING_TYPES]


class EvidenceConfig(ConfigModel):
    # The profile of policies/profiles whose mandatory figures the framework's controls carry: give the one the gate
    # runs with (--policy-pack-config policies/profiles/<profile>.json); preflight says when they differ. Unset: no
    # framework.
    profile: ProfileName | None = None
    # RESTORE_TIME_FOR_RESOURCES_MEET_TARGET: the latest restore of each resource finishes within this many minutes.
    max_restore_time_minutes: Annotated[int, Field(ge=1)] | None = None
    restore_testing: RestoreTestingConfig | None = None

    def problems(self) -> list[Problem]:
        return within(("restoreTesting",), self.restore_testing.problems()) if self.restore_testing else []

    def profile_path(self) -> Path | None:
        return PROFILES / f"{self.profile}.json" if self.profile else None
