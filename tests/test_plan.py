"""BackupPlan and BackupRegionSettings under mocks: plan, rules, copies, role, selections, region opt-in."""

from __future__ import annotations

import json

import pytest
from conftest import STACKS
from pulumi_mocks import ACCOUNT_ID, of_type, one, stack_file_config

from components.config import ConfigError, load_stack_config
from components.config.type_rules import TABLE

FULL = STACKS / "Pulumi.full.yaml"
PLAN = "aws:backup/plan:Plan"


@pytest.fixture(scope="module")
def resources(stack_resources):
    return stack_resources(FULL)


@pytest.fixture(scope="module")
def rules(resources):
    return {rule["ruleName"]: rule for rule in one(resources, PLAN, "everything").inputs["rules"]}


def test_plan_has_explicit_name_region_and_tags(resources):
    plan = one(resources, PLAN, "everything")
    assert plan.inputs["name"] == "acme-everything"
    assert plan.inputs["region"] == "us-east-1"
    assert plan.inputs["tags"] == {"cost-centre": "42", "backup-plan": "everything"}


def test_rule_settings(rules):
    pitr = rules["hourly-pitr"]
    assert pitr == {
        "ruleName": "hourly-pitr",
        "targetVaultName": "acme-main",
        "schedule": "cron(15 * * * ? *)",
        "startWindow": 60,
        "completionWindow": 120,
        "enableContinuousBackup": True,
        "lifecycle": {"deleteAfter": 14},
    }


def test_preset_rule_with_timezone_archive_tags_and_copies(rules):
    monthly = rules["Monthly1Year"]
    assert monthly["schedule"] == "cron(0 5 1 * ? *)"
    assert monthly["scheduleExpressionTimezone"] == "Europe/Paris"
    assert monthly["lifecycle"] == {
        "coldStorageAfter": 30,
        "deleteAfter": 365,
        "optInToArchiveForSupportedResources": True,
    }
    assert monthly["recoveryPointTags"] == {"tier": "monthly"}
    assert "enableContinuousBackup" not in monthly


def test_copy_to_a_vault_of_the_stack_builds_its_arn_from_known_parts(rules):
    own, external = rules["Monthly1Year"]["copyActions"]
    # partition, the destination vault's region, the account id and the vault's AWS name: all known at preview
    assert own == {
        "destinationVaultArn": f"arn:aws:backup:us-west-2:{ACCOUNT_ID}:backup-vault:acme-byok",
        "lifecycle": {"coldStorageAfter": 30, "deleteAfter": 400},
    }
    # a vault elsewhere is taken as given; without its own lifecycle the copy keeps the rule's
    assert external == {
        "destinationVaultArn": "arn:aws:backup:eu-west-1:210987654321:backup-vault:central",
        "lifecycle": {"coldStorageAfter": 30, "deleteAfter": 365},
    }


def test_plan_depends_on_the_vaults_it_uses(resources):
    plan = one(resources, PLAN, "everything")
    main = one(resources, "aws:backup/vault:Vault", "main").urn
    byok = one(resources, "aws:backup/vault:Vault", "byok").urn
    assert set(plan.property_dependencies["rules"]) == {main, byok}
    assert {main, byok} <= set(plan.dependencies)
    other = one(resources, PLAN, "external-role")
    assert other.property_dependencies["rules"] == [main]


def test_windows_vss_only_where_asked(resources):
    assert one(resources, PLAN, "everything").inputs["advancedBackupSettings"] == [
        {"resourceType": "EC2", "backupOptions": {"WindowsVSS": "enabled"}}
    ]
    assert "advancedBackupSettings" not in one(resources, PLAN, "external-role").inputs


def test_service_role_with_explicit_name_and_the_aws_managed_policies(resources):
    role = one(resources, "aws:iam/role:Role")
    assert role.inputs["name"] == "acme-everything-backup"
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "backup.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]
    attachments = of_type(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert sorted(a.inputs["policyArn"] for a in attachments) == [
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    ]
    assert all(a.property_dependencies["role"] == [role.urn] for a in attachments)


def test_selections(resources):
    by_type = one(resources, "aws:backup/selection:Selection", "everything-by-type")
    plan = one(resources, PLAN, "everything")
    assert by_type.inputs["name"] == "by-type"
    assert by_type.inputs["region"] == "us-east-1"
    assert by_type.property_dependencies["planId"] == [plan.urn]
    assert by_type.inputs["iamRoleArn"] == f"arn:aws:iam::{ACCOUNT_ID}:role/acme-everything-backup"
    assert by_type.property_dependencies["iamRoleArn"] == [one(resources, "aws:iam/role:Role").urn]
    assert by_type.inputs["resources"] == ["arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:*:*:volume/*",
                                           "arn:aws:dynamodb:*:*:table/*"]
    assert by_type.inputs["notResources"] == ["arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"]
    assert by_type.inputs["conditions"] == [
        {
            "stringEquals": [{"key": "aws:ResourceTag/backup", "value": "true"}],
            "stringLikes": [{"key": "aws:ResourceTag/team", "value": "data-*"}],
            "stringNotEquals": [{"key": "aws:ResourceTag/environment", "value": "scratch"}],
            "stringNotLikes": [{"key": "aws:ResourceTag/name", "value": "tmp-*"}],
        }
    ]
    by_arn = one(resources, "aws:backup/selection:Selection", "everything-by-arn")
    assert by_arn.inputs["resources"] == ["arn:aws:rds:us-east-1:123456789012:db:orders"]
    assert "conditions" not in by_arn.inputs
    assert "notResources" not in by_arn.inputs


def test_given_role_arn_is_used_and_no_role_is_created(resources):
    selection = one(resources, "aws:backup/selection:Selection", "external-role-all")
    assert selection.inputs["iamRoleArn"] == "arn:aws:iam::123456789012:role/existing-backup-role"
    assert selection.inputs["resources"] == ["*"]
    assert [role.name for role in of_type(resources, "aws:iam/role:Role")] == ["acme-everything"]


def test_plan_children_are_parented_to_the_plan_component(resources):
    components = {r.name: r.urn for r in of_type(resources, "aws-backups:backup:Plan")}
    assert one(resources, PLAN, "everything").parent == components["everything"]
    for selection in of_type(resources, "aws:backup/selection:Selection"):
        assert selection.parent == components[selection.name.split("-all")[0].split("-by-")[0]]
    for type_token in ["aws:iam/role:Role", "aws:iam/rolePolicyAttachment:RolePolicyAttachment"]:
        assert {r.parent for r in of_type(resources, type_token)} == {components["everything"]}


def test_region_settings_state_every_service_once_per_vault_region(resources):
    """AWS reads the opt-in map back whole, every service it knows: the program sets every key, or the stack would
    show a change on every run. Opting in allows backups of a type and starts none: every service is opted in."""
    settings = of_type(resources, "aws:backup/regionSettings:RegionSettings")
    assert sorted(s.inputs["region"] for s in settings) == ["us-east-1", "us-west-2"]
    for setting in settings:
        assert setting.inputs["resourceTypeOptInPreference"] == dict.fromkeys(TABLE.opt_in_services, True)
        assert set(TABLE.type_names) <= set(TABLE.opt_in_services)
        assert setting.parent == one(resources, "aws-backups:backup:RegionSettings", setting.name).urn
        # What `pulumi up` reads back equals what the program set: no change on the next run.
        assert setting.outputs["resourceTypeOptInPreference"] == setting.inputs["resourceTypeOptInPreference"]


def test_region_settings_opt_out_switches_a_service_off(stack_resources):
    resources = stack_resources(FULL, regionSettings={"optOut": ["S3", "FSx"]})
    for setting in of_type(resources, "aws:backup/regionSettings:RegionSettings"):
        opt_in = setting.inputs["resourceTypeOptInPreference"]
        assert (opt_in["S3"], opt_in["FSx"], opt_in["EBS"]) == (False, False, True)


def test_opting_out_of_a_selected_type_is_refused():
    with pytest.raises(ConfigError) as error:
        load_stack_config({**stack_file_config(FULL), "aws-backups:regionSettings": {"optOut": ["EBS"]}}, "full")
    assert "aws-backups:regionSettings.optOut[0]: 'EBS' is selected by a plan of this stack" in str(error.value)


def test_region_settings_can_be_left_alone(stack_resources):
    assert not of_type(
        stack_resources(FULL, regionSettings={"manage": False}), "aws:backup/regionSettings:RegionSettings"
    )
