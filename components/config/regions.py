"""The regions a stack may name: those the installed pulumi-aws knows (its `Region` enum, aws:index/Region), plus
any the stack adds with `aws-backups:newRegions` for a region AWS opened after that release. The rule that judges
a region is the pack's (`compliance.facts.region_problem`); this module only says which regions exist."""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import version

import pulumi_aws
from compliance import facts

PULUMI_AWS_VERSION = version("pulumi-aws")
KNOWN_REGIONS = frozenset(region.value for region in pulumi_aws.Region)
NEW_REGIONS_KEY = "aws-backups:newRegions"
NEWER_REGION = f"; a region newer than pulumi-aws {PULUMI_AWS_VERSION}: add it to {NEW_REGIONS_KEY}"


def regions_with(new_regions: Iterable[object]) -> frozenset[str]:
    """The known regions and the stack's new ones that have some partition's form (the rest are refused by the
    newRegions key's own check)."""
    added = {name for name in new_regions if isinstance(name, str) and facts.partition_of_region(name)}
    return KNOWN_REGIONS | added


def new_region_problem(name: str) -> str | None:
    if name in KNOWN_REGIONS:
        return f"is already known to pulumi-aws {PULUMI_AWS_VERSION} (allowed: only regions it does not list)"
    if facts.partition_of_region(name) is None:
        return (f"does not have the form of any partition's region names (allowed: e.g. ap-east-9 in aws; "
                f"partitions: {', '.join(facts.PARTITION_NAMES)})")
    return None
