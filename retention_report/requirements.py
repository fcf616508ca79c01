"""What a compliance profile asks of a protected resource type, in the terms solution types are compared on: how
long points are kept, how often one is made, a lock (WORM in compliance mode), copies to another Region and
account, central audit and restore testing. Each with the profile's level for the policy that asks it (a solution
failing a mandatory requirement cannot meet the profile; an advisory one is advice)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from compliance.policy_config import resolve_policy_config, schemas_of
from compliance.registry import SPECS

# Requirement key -> the pack policy asking it.
POLICY_OF = {
    "retention": "aws-backup-plan-enforce-min-retention",
    "frequency": "aws-backup-plan-enforce-min-frequency",
    "lock": "aws-backup-vault-require-lock",
    "crossRegion": "aws-backup-plan-require-cross-region-copy",
    "crossAccount": "aws-backup-plan-require-cross-account-copy",
    "audit": "aws-backup-evidence-require-framework",
    "restoreTesting": "aws-backup-evidence-require-restore-testing",
}
DEFAULT_RETENTION_DAYS = 35  # the baseline's, when a profile sets none
DEFAULT_INTERVAL_HOURS = 24.0


@dataclass(frozen=True)
class Requirement:
    key: str  # a key of POLICY_OF (and of a solution's features)
    label: str  # what it asks, e.g. "kept 2190 days"
    level: str  # mandatory | advisory | remediate
    value: Any = None  # days, hours or the lock mode

    @property
    def policy(self) -> str:
        return POLICY_OF[self.key]


def _label(key: str, knobs: Mapping[str, Any]) -> tuple[str, Any]:
    if key == "retention":
        days = int(knobs.get("minRetentionDays") or DEFAULT_RETENTION_DAYS)
        return f"kept {days} days", days
    if key == "frequency":
        hours = float(knobs.get("maxIntervalHours") or DEFAULT_INTERVAL_HOURS)
        return f"every {hours:g} h", hours
    if key == "lock":
        mode = str(knobs.get("mode", "governance"))
        return ("WORM (compliance-mode lock)" if mode == "compliance" else "a lock (governance mode)"), mode
    return {"crossRegion": "a copy in another Region", "crossAccount": "a copy in another account",
            "audit": "central audit (Audit Manager)", "restoreTesting": "managed restore tests"}[key], None


def profile_requirements(document: Mapping[str, Any] | None) -> tuple[Requirement, ...]:
    """The profile document's requirements, its disabled policies left out, levels and knobs as the CLI resolves
    them (defaults filled)."""
    resolved = resolve_policy_config(schemas_of(SPECS), document)
    found = []
    for key, policy in POLICY_OF.items():
        level, knobs = resolved[policy]
        if key == "audit" and not knobs.get("requiredControls"):
            continue  # the profile asks the framework for no control
        if level != "disabled":
            label, value = _label(key, knobs)
            found.append(Requirement(key, label, level, value))
    return tuple(found)
