"""bench/cloudformation.py: the synthetic stacks as the equivalent CloudFormation that `make bench-peers` gives
cfn-lint and checkov. Fast: no peer runs here; the project's own cfn-lint (a dev dependency) lints small templates."""

from __future__ import annotations

import json
import math
from collections import Counter

import pytest

from bench.cloudformation import (
    CFN_RESOURCES_PER_UNIT,
    MAX_RESOURCES,
    cfn_resource_count,
    linked_groups,
    references,
    split,
    stack_resources,
    synthetic_stack,
    templates,
)
from bench.synthetic import BASE_RESOURCES, RESOURCES_PER_UNIT
from components.baseline_template import RETAINED
from components.vault_documents import access_statements

UNIT = Counter({"AWS::KMS::Key": 1, "AWS::KMS::Alias": 1, "AWS::Backup::BackupVault": 1, "AWS::SNS::Topic": 1,
                "AWS::SNS::TopicPolicy": 1, "AWS::SNS::Subscription": 1, "AWS::Backup::BackupPlan": 1,
                "AWS::Backup::BackupSelection": 1, "AWS::IAM::Role": 1})


def _types(resources: dict) -> Counter:
    return Counter(resource["Type"] for resource in resources.values())


def _lint(document: dict) -> list[str]:
    from cfnlint.api import lint

    return [str(match) for match in lint(json.dumps(document), regions=["eu-west-1"])]


def test_sixteen_of_our_resources_are_nine_cloudformation_resources():
    single, parts = templates(BASE_RESOURCES + RESOURCES_PER_UNIT)
    assert (RESOURCES_PER_UNIT, CFN_RESOURCES_PER_UNIT, sum(UNIT.values())) == (16, 9, 9)
    assert _types(single["Resources"]) == UNIT
    assert parts == [{**single, "Description": single["Description"] + ", part 1 of 1"}]


@pytest.mark.parametrize("size", [20, 36, 43, 500, 1003])
def test_units_and_extra_selections_count_as_in_the_synthetic_stack(size):
    """N units of 16 (and the stack's 4 base resources, which have no CloudFormation counterpart) are 9N
    CloudFormation resources; each extra selection of the first plan is one BackupSelection."""
    units, extra = divmod(size - BASE_RESOURCES, RESOURCES_PER_UNIT)
    resources = stack_resources(synthetic_stack(size))
    assert len(resources) == cfn_resource_count(size) == units * CFN_RESOURCES_PER_UNIT + extra
    expected = Counter({kind: count * units for kind, count in UNIT.items()})
    expected["AWS::Backup::BackupSelection"] += extra
    assert _types(resources) == expected


def test_the_vault_carries_its_lock_access_policy_and_notifications_inline():
    config = synthetic_stack(20)
    vault = next(r for r in stack_resources(config).values() if r["Type"] == "AWS::Backup::BackupVault")
    properties = vault["Properties"]
    assert properties["BackupVaultName"] == "aws-backups-bench-20-v0000"
    assert properties["LockConfiguration"] == {"MinRetentionDays": 35, "MaxRetentionDays": 2555}
    assert properties["AccessPolicy"]["Statement"] == access_statements(config.vaults[0].access_policy)
    assert properties["Notifications"]["BackupVaultEvents"] == list(config.vaults[0].notifications.events)
    assert {k: vault[k] for k in RETAINED} == RETAINED


def test_5000_resources_split_into_templates_of_at_most_500_each_whole():
    single, parts = templates(5000)
    total = cfn_resource_count(5000)
    assert len(single["Resources"]) == total > MAX_RESOURCES == 500
    assert len(parts) == math.ceil(total / MAX_RESOURCES)
    assert all(len(part["Resources"]) <= MAX_RESOURCES for part in parts)
    merged = {name: resource for part in parts for name, resource in part["Resources"].items()}
    assert sum(len(part["Resources"]) for part in parts) == len(merged) == total
    assert merged == single["Resources"]
    for part in parts:  # every reference to a resource stays inside its template
        names = set(part["Resources"])
        assert {ref for resource in part["Resources"].values() for ref in references(resource)
                if not ref.startswith("AWS::")} <= names


def test_linked_groups_hold_a_vault_with_its_plan_and_split_never_cuts_one():
    resources = stack_resources(synthetic_stack(43))  # 2 units, 7 extra selections on the first plan
    assert [len(group) for group in linked_groups(resources)] == [9 + 7, 9]
    assert [len(part) for part in split(resources, limit=16)] == [16, 9]
    assert [len(part) for part in split(resources, limit=25)] == [25]
    with pytest.raises(ValueError, match="16 resources refer to each other"):
        split(resources, limit=15)


def test_cfn_lint_accepts_a_rendered_template_and_its_split_parts():
    single, parts = templates(43, limit=16)
    assert len(parts) == 2
    assert _lint(single) == []
    assert [_lint(part) for part in parts] == [[], []]
    broken = json.loads(json.dumps(single))
    plan = next(r for r in broken["Resources"].values() if r["Type"] == "AWS::Backup::BackupPlan")
    plan["Properties"]["BackupPlan"]["BackupPlanRule"][0]["Lifecycle"]["DeleteAfterDay"] = 35
    assert any("DeleteAfterDay" in finding for finding in _lint(broken))
