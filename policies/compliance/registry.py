"""Every policy of the pack, in one list: each guard module contributes its `POLICIES`, by what it guards."""

from __future__ import annotations

from compliance.guards import (
    backup_names,
    data_protection,
    evidence_required,
    evidence_resources,
    org_backup_policies,
    plan_copies,
    plan_retention,
    plan_rules,
    s3_buckets,
    s3_replication,
    selections,
    vaults,
)
from compliance.spec import PolicySpec, to_policy

SPECS: list[PolicySpec] = [
    *vaults.POLICIES,
    *plan_rules.POLICIES,
    *plan_retention.POLICIES,
    *plan_copies.POLICIES,
    *selections.POLICIES,
    *backup_names.POLICIES,
    *s3_buckets.POLICIES,
    *s3_replication.POLICIES,
    *data_protection.POLICIES,
    *org_backup_policies.POLICIES,
    *evidence_resources.POLICIES,
    *evidence_required.POLICIES,
]
BY_NAME: dict[str, PolicySpec] = {spec.name: spec for spec in SPECS}


def policies() -> list:
    """The SDK policy objects, in registry order."""
    return [to_policy(spec) for spec in SPECS]
