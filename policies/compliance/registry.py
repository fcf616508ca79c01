"""Every policy of the pack, in one list. Each domain module contributes its `POLICIES`."""

from __future__ import annotations

from compliance import coverage, limits, protection, resource_types, retention, s3
from compliance.spec import PolicySpec, to_policy

SPECS: list[PolicySpec] = [
    *limits.POLICIES,
    *retention.POLICIES,
    *protection.POLICIES,
    *coverage.POLICIES,
    *s3.POLICIES,
    *resource_types.POLICIES,
]
BY_NAME: dict[str, PolicySpec] = {spec.name: spec for spec in SPECS}


def policies() -> list:
    """The SDK policy objects, in registry order."""
    return [to_policy(spec) for spec in SPECS]
