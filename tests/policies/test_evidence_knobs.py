"""The evidence policies' knobs in each profile are that profile's own figures, through the one mapping the
program builds its framework and report bucket with (compliance.audit_controls): a profile edit that changes a
figure without its evidence knobs fails here."""

from __future__ import annotations

import pytest
from compliance.audit_controls import (
    MIN_FREQUENCY,
    MIN_RETENTION,
    ControlError,
    StackFacts,
    framework_controls,
    report_retention,
)
from compliance.docs import profiles
from compliance.policy_config import resolve_policy_config, schemas_of
from compliance.registry import SPECS

FRAMEWORK = "aws-backup-evidence-require-framework"
REPORTS = "aws-backup-evidence-require-report-plans"
PROFILES = profiles()


def evidence_knobs(profile) -> dict[str, dict]:
    """The knobs the profile's figures give the evidence policies."""
    try:
        controls = [control.name for control in framework_controls(profile, StackFacts()).controls]
    except ControlError:
        controls = []  # a profile enforcing no figure a control checks (dev) asks for no framework
    retention, frequency = profile[MIN_RETENTION], profile[MIN_FREQUENCY]
    kept = report_retention(profile)
    return {
        FRAMEWORK: {"requiredControls": controls,
                    "minRetentionDays": retention[1]["minRetentionDays"] if retention[0] == "mandatory" else None,
                    "maxIntervalHours": frequency[1]["maxIntervalHours"] if frequency[0] == "mandatory" else None},
        REPORTS: {"minRetentionDays": kept.days, "objectLockMode": kept.lock_mode},
    }


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_evidence_knobs_are_the_profiles_figures(name):
    resolved = resolve_policy_config(schemas_of(SPECS), PROFILES[name])
    for policy, knobs in evidence_knobs(resolved).items():
        assert {key: resolved[policy][1][key] for key in knobs} == knobs, policy


def test_a_profile_whose_lock_mode_changes_asks_another_object_lock():
    resolved = resolve_policy_config(schemas_of(SPECS), PROFILES["sec-17a-4"])
    level, knobs = resolved["aws-backup-vault-require-lock"]
    resolved["aws-backup-vault-require-lock"] = (level, {**knobs, "mode": "governance"})
    assert evidence_knobs(resolved)[REPORTS] == {"minRetentionDays": 2190, "objectLockMode": "GOVERNANCE"}
