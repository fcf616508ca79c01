"""The member-account baseline of the organization stack: a service-managed StackSet whose template holds the vaults
(key, lock, access policy, notifications) and the backup role the backup policies name. The template is rendered
from the same vault config model and documents as the stack's own vaults, linted by cfn-lint, and refused by key
where CloudFormation or the member accounts would fail."""

from __future__ import annotations

import json

import pytest
from org_stack import ORG, refused, run_edited_org
from pulumi_mocks import of_type, one, run_stack_file, stack_file_config

from components.baseline_template import _MemberAccount, baseline_template, logical_id
from components.config.organization import OrganizationConfig
from components.vault_documents import FAILURES_ONLY_FILTER_POLICY, access_statements, key_policy

STACK_SET = "aws:cloudformation/stackSet:StackSet"
INSTANCE = "aws:cloudformation/stackSetInstance:StackSetInstance"


@pytest.fixture(scope="module")
def org():
    return run_stack_file(ORG)


@pytest.fixture(scope="module")
def template(org):
    return json.loads(one(org, STACK_SET).inputs["templateBody"])


def _organization() -> OrganizationConfig:
    return OrganizationConfig.model_validate(stack_file_config(ORG)["aws-backups:organization"])


def test_the_stack_set_is_service_managed_and_follows_accounts_into_the_ous(org):
    stack_set = one(org, STACK_SET)
    inputs = stack_set.inputs
    assert inputs["permissionModel"] == "SERVICE_MANAGED"
    assert inputs["autoDeployment"] == {"enabled": True, "retainStacksOnAccountRemoval": True}
    assert inputs["capabilities"] == ["CAPABILITY_NAMED_IAM"]
    assert inputs["callAs"] == "SELF"
    assert inputs["operationPreferences"]["failureToleranceCount"] == 0
    assert stack_set.protect


def test_one_instance_per_organization_region_deploys_to_the_baseline_ous(org):
    instances = of_type(org, INSTANCE)
    assert sorted(i.inputs["stackSetInstanceRegion"] for i in instances) == ["eu-central-1", "eu-west-1"]
    assert all(i.inputs["deploymentTargets"] == {"organizationalUnitIds": ["r-ab12"]} for i in instances)
    assert all(i.inputs["retainStack"] is True and i.protect for i in instances)  # production


def test_the_template_passes_cfn_lint_and_the_linter_can_fail(org):
    """cfn-lint (AWS's CloudFormation linter: the resource schemas, intrinsic functions, conditions) on the body
    the StackSet gets, in the organization's regions."""
    from cfnlint.api import lint

    def findings(body: str) -> list[str]:
        return [str(match) for match in lint(body, regions=["eu-west-1", "eu-central-1"])]

    body = one(org, STACK_SET).inputs["templateBody"]
    assert findings(body) == []
    broken = json.loads(body)
    broken["Resources"]["AwsBackupsMemberVault"]["Properties"]["LockConfiguration"]["MinRetentionDay"] = 1
    assert any("MinRetentionDay" in finding for finding in findings(json.dumps(broken)))


def test_member_vaults_are_the_stack_vaults_documents_in_the_member_account(template):
    """One definition of a vault, two renderings: the same key policy and access policy statements as a vault of
    a stack, with the account and region as CloudFormation pseudo parameters."""
    vault_config = _organization().baseline.vaults[0]
    resources = template["Resources"]
    vault = resources["AwsBackupsMemberVault"]["Properties"]
    assert vault["BackupVaultName"] == "aws-backups-member"
    assert vault["EncryptionKeyArn"] == {"Fn::GetAtt": ["AwsBackupsMemberKey", "Arn"]}
    assert vault["LockConfiguration"] == {"MinRetentionDays": 35, "MaxRetentionDays": 2555}
    assert vault["AccessPolicy"]["Statement"] == access_statements(vault_config.access_policy)
    assert vault["Notifications"] == {"BackupVaultEvents": list(vault_config.notifications.events),
                                      "SNSTopicArn": {"Ref": "AwsBackupsMemberTopic"}}
    key = resources["AwsBackupsMemberKey"]["Properties"]
    # The organisation's standard plan copies to the backup account (111111111111): it may use the member key.
    assert key["KeyPolicy"] == key_policy(_MemberAccount(), True, False, copy_accounts=["111111111111"])
    assert key["KeyPolicy"]["Statement"][1]["Condition"]["StringEquals"] == {
        "kms:ViaService": {"Fn::Sub": "backup.${AWS::Region}.${AWS::URLSuffix}"},
        "kms:CallerAccount": {"Ref": "AWS::AccountId"}}
    assert key["EnableKeyRotation"] is True and key["PendingWindowInDays"] == 30
    [subscription] = [r for r in resources.values() if r["Type"] == "AWS::SNS::Subscription"]
    assert subscription["Properties"]["FilterPolicy"] == FAILURES_ONLY_FILTER_POLICY


def test_what_holds_data_is_retained_and_the_global_role_made_once(template):
    resources = template["Resources"]
    for logical in ("AwsBackupsMemberKey", "AwsBackupsMemberKeyAlias", "AwsBackupsMemberVault",
                    "AwsBackupsMemberTopic"):
        assert resources[logical]["DeletionPolicy"] == "Retain" == resources[logical]["UpdateReplacePolicy"]
    role = resources["BackupRole"]
    assert role["Properties"]["RoleName"] == "aws-backups-member-backup"  # the name the backup policies use
    assert role["Condition"] == "InPrimaryRegion"
    assert template["Conditions"]["InPrimaryRegion"] == {"Fn::Equals": [{"Ref": "AWS::Region"}, "eu-west-1"]}


def test_the_pack_judges_the_templates_vaults_like_the_stacks_own(template):
    """The gate's view of this template (compliance.stack_set_templates): a vault with its lock, access policy
    and notifications, linked to the template's key and topic."""
    from compliance.resources import (
        KMS_KEY,
        SNS_TOPIC,
        VAULT,
        VAULT_LOCK,
        VAULT_NOTIFICATIONS,
        VAULT_POLICY,
        Props,
        Resource,
    )
    from compliance.stack_set_templates import template_resources

    stack_set = Resource(type=STACK_SET, name="member-baseline", urn="urn:x",
                         props=Props({"templateBody": json.dumps(template)}, STACK_SET, owner="urn:x"))
    kinds = sorted(resource.kind for _, resource in template_resources(stack_set))
    assert kinds == sorted([KMS_KEY, VAULT, VAULT_LOCK, VAULT_POLICY, VAULT_NOTIFICATIONS, SNS_TOPIC])
    assert all(resource.protect for _, resource in template_resources(stack_set))


def test_logical_ids_are_alphanumeric():
    assert logical_id("aws-backups_member") == "AwsBackupsMember"


def _member_vault(organization) -> dict:
    return organization["baseline"]["vaults"][0]


@pytest.mark.parametrize(("edit", "key", "words"), [
    (lambda o: _member_vault(o).update(region="eu-west-1"),
     "aws-backups:organization.baseline.vaults[0].region", "every region"),
    (lambda o: _member_vault(o).update(kmsKeyArn="arn:aws:kms:eu-west-1:111111111111:key/abc"),
     "aws-backups:organization.baseline.vaults[0].kmsKeyArn", "each account and region gets its own"),
    (lambda o: o["plans"][0].update(vault="aws-backups-other"),
     "aws-backups:organization.plans[0].vault", "allowed: aws-backups-member"),
    (lambda o: _member_vault(o)["lock"].update(minRetentionDays=60),
     "aws-backups:organization.plans[0].rules[0].deleteAfterDays", "outside the lock of member vault"),
    (lambda o: o.update(delegatedAdministrator=True),
     "aws-backups:organization.crossAccountBackup", "management account only"),
    (lambda o: o["baseline"].update(organizationalUnits=["123456789012"]),
     "aws-backups:organization.baseline.organizationalUnits[0]", "required form (allowed: ^(r-"),
    (lambda o: o["baseline"]["vaults"].append({**_member_vault(o), "name": "aws_backups-member"}),
     "aws-backups:organization.baseline.vaults[1].name", "logical ID AwsBackupsMember"),
], ids=["region", "one account's key", "plan vault not in the baseline", "lock refuses a rule",
        "delegated administrator sets global settings", "account as a deployment target", "logical ID twice"])
def test_what_the_member_accounts_or_cloudformation_would_refuse_is_refused_by_key(edit, key, words):
    message = refused(edit)
    assert key in message and words in message, message


def test_a_template_over_createstacksets_size_isrefused():
    def many_vaults(organization):
        vault = _member_vault(organization)
        organization["baseline"]["vaults"] = [{**vault, "name": f"member{index:02}"} for index in range(20)]
        for plan in organization["plans"]:
            plan["vault"] = "member00"
    message = refused(many_vaults)
    assert "aws-backups:organization.baseline.vaults" in message and "51,200 bytes" in message


def test_a_delegated_administrator_creates_the_stack_set_as_one():
    def delegated(organization):
        organization.update(delegatedAdministrator=True, crossAccountBackup=False)
    recorded, error = run_edited_org(delegated)
    assert error is None
    assert one(recorded, STACK_SET).inputs["callAs"] == "DELEGATED_ADMIN"
    assert {i.inputs["callAs"] for i in of_type(recorded, INSTANCE)} == {"DELEGATED_ADMIN"}
    assert of_type(recorded, "aws:backup/globalSettings:GlobalSettings") == []


def test_the_template_renders_from_the_organization_config_alone():
    organization = _organization()
    rendered = baseline_template(organization, organization.baseline, {})
    assert set(rendered["Resources"]) >= {"BackupRole", "AwsBackupsMemberVault", "AwsBackupsMemberKey"}
