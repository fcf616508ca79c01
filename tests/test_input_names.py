"""Every input property the components set is a real pulumi-aws input name (checked against the installed SDK)."""

from __future__ import annotations

import copy

import pytest
from conftest import STACKS
from input_names import args_class, input_properties, unknown_input_names
from pulumi_mocks import ROOT, Recorded, one

STACK_FILES = [ROOT / "Pulumi.dev.yaml", ROOT / "Pulumi.prod.yaml", STACKS / "Pulumi.full.yaml"]


@pytest.mark.parametrize("path", STACK_FILES, ids=lambda p: p.name)
def test_every_recorded_input_name_exists(stack_resources, path):
    resources = stack_resources(path)
    assert any(r.type.startswith("aws:") for r in resources)
    assert unknown_input_names(resources) == []


def test_full_stack_covers_every_type_the_vault_and_plan_components_create(stack_resources):
    types = {r.type for r in stack_resources(STACKS / "Pulumi.full.yaml")}
    assert types >= {
        "aws:kms/key:Key",
        "aws:kms/alias:Alias",
        "aws:backup/vault:Vault",
        "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
        "aws:backup/vaultPolicy:VaultPolicy",
        "aws:backup/vaultNotifications:VaultNotifications",
        "aws:sns/topic:Topic",
        "aws:sns/topicPolicy:TopicPolicy",
        "aws:sns/topicSubscription:TopicSubscription",
        "aws:backup/plan:Plan",
        "aws:backup/selection:Selection",
        "aws:iam/role:Role",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:backup/regionSettings:RegionSettings",
    }


def test_args_class_and_properties_come_from_the_sdk():
    assert args_class("aws:backup/plan:Plan").__name__ == "PlanArgs"
    assert set(input_properties(args_class("aws:backup/plan:Plan"))) == {
        "rules",
        "advancedBackupSettings",
        "name",
        "region",
        "scanSettings",
        "tags",
    }
    assert args_class("aws:index/provider:Provider").__name__ == "ProviderArgs"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda inputs: inputs.update(bogus=1), "bogus is not an input of PlanArgs"),
        (
            lambda inputs: inputs["rules"][0]["lifecycle"].update(deleteAfterDays=35),
            "rules[0].lifecycle.deleteAfterDays is not an input of PlanRuleLifecycleArgs",
        ),
        (
            lambda inputs: inputs["rules"][0]["copyActions"][0].update(destinationVault="x"),
            "rules[0].copyActions[0].destinationVault is not an input of PlanRuleCopyActionArgs",
        ),
    ],
)
def test_the_checker_catches_wrong_names(stack_resources, edit, expected):
    plan = one(stack_resources(ROOT / "Pulumi.prod.yaml"), "aws:backup/plan:Plan")
    broken = Recorded(type=plan.type, name=plan.name, urn=plan.urn, properties=copy.deepcopy(plan.inputs))
    edit(broken.properties)
    assert unknown_input_names([broken]) == [f"aws:backup/plan:Plan {plan.name}: {expected}"]


def test_free_form_maps_are_not_checked():
    tagged = Recorded(type="aws:backup/vault:Vault", name="v", urn="u",
                      properties={"tags": {"anyKey": "x"}, "name": "n"})
    assert unknown_input_names([tagged]) == []
