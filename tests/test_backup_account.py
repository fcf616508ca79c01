"""The organisation's backup account and the copies that reach it: the `backup` stack's vault admits copies from
the organisation only, compliance-locked; prod copies its monthly and yearly points there, its source key shared
with that account; member vaults share theirs too; an AWS managed key, which cannot be shared, is refused."""

from __future__ import annotations

import copy
import json

import pytest
from pulumi_mocks import ROOT, one, run_stack_file, stack_file_config

from components.config import ConfigError, load_stack_config

BACKUP_ACCOUNT = "111111111111"
CENTRAL = f"arn:aws:backup:eu-central-1:{BACKUP_ACCOUNT}:backup-vault:aws-backups-central"
KEY = "aws:kms/key:Key"


def _statements(resource, key: str = "policy") -> dict[str, dict]:
    return {statement["Sid"]: statement for statement in json.loads(resource.inputs[key])["Statement"]}


@pytest.fixture(scope="module")
def backup():
    return run_stack_file(ROOT / "Pulumi.backup.yaml")


@pytest.fixture(scope="module")
def prod():
    return run_stack_file(ROOT / "Pulumi.prod.yaml")


def test_the_central_vault_admits_copies_from_the_organization_only(backup):
    vault = one(backup, "aws:backup/vault:Vault")
    assert vault.inputs["name"] == "aws-backups-central"  # the name the other stacks copy to
    assert vault.protect
    statements = _statements(one(backup, "aws:backup/vaultPolicy:VaultPolicy"))
    admit = statements["AllowCopiesFromOrganization"]
    assert admit["Action"] == "backup:CopyIntoBackupVault"
    assert admit["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}}
    assert statements["DenyRecoveryPointDeletion"]["Effect"] == "Deny"
    lock = one(backup, "aws:backup/vaultLockConfiguration:VaultLockConfiguration")
    assert (lock.inputs["minRetentionDays"], lock.inputs["maxRetentionDays"], lock.inputs["changeableForDays"]) == (
        2190, 7300, 3)


def test_the_central_lock_admits_every_copy_sent_to_it():
    """prod's copies there (monthly 3,650 d, yearly 7,300 d) and the org's (monthly 2,555 d) fit its lock."""
    central = load_stack_config(stack_file_config(ROOT / "Pulumi.backup.yaml"), "backup").vaults[0].lock
    prod = load_stack_config(stack_file_config(ROOT / "Pulumi.prod.yaml"), "prod")
    org = load_stack_config(stack_file_config(ROOT / "Pulumi.org.yaml"), "org")
    sent = [rule.copy_lifecycle(copy_)[1] for config in (prod.plans, org.organization.plans) for plan in config
            for rule in plan.rules for copy_ in rule.copy_to if copy_.vault_arn == CENTRAL]
    assert sorted(sent) == [2555, 3650, 7300]
    assert all(central.contains(days) for days in sent)


def test_prod_shares_the_source_key_with_the_backup_account_only_where_it_copies_from(prod):
    primary = _statements(one(prod, KEY, "primary"))
    shared = primary["CopyDestinationAccountsUseKey"]
    assert shared["Principal"] == {"AWS": [f"arn:aws:iam::{BACKUP_ACCOUNT}:root"]}
    assert "kms:Decrypt" in shared["Action"] and "kms:Encrypt" in shared["Action"]
    grants = primary["CopyDestinationAccountsGrantToAwsServices"]
    assert grants["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}
    for vault in ("dr", "pitr"):  # nothing is copied to another account from these
        assert "CopyDestinationAccountsUseKey" not in _statements(one(prod, KEY, vault))


def test_member_vault_keys_are_shared_with_the_accounts_the_backup_policies_copy_to():
    org = run_stack_file(ROOT / "Pulumi.org.yaml")
    template = json.loads(one(org, "aws:cloudformation/stackSet:StackSet").inputs["templateBody"])
    key_policy = template["Resources"]["AwsBackupsMemberKey"]["Properties"]["KeyPolicy"]
    shared = next(s for s in key_policy["Statement"] if s["Sid"] == "CopyDestinationAccountsUseKey")
    assert shared["Principal"] == {"AWS": [{"Fn::Sub": f"arn:${{AWS::Partition}}:iam::{BACKUP_ACCOUNT}:root"}]}


def test_a_copy_to_another_account_from_an_aws_managed_key_is_refused_by_key():
    config = copy.deepcopy(stack_file_config(ROOT / "Pulumi.prod.yaml"))
    config["aws-backups:vaults"][0]["kmsKeyArn"] = "arn:aws:kms:eu-west-1:222222222222:alias/aws/backup"
    with pytest.raises(ConfigError) as refused:
        load_stack_config(config, "prod")
    message = str(refused.value)
    assert "aws-backups:plans[0].rules[2].copyTo[1].vaultArn" in message
    assert f"copies to account {BACKUP_ACCOUNT}" in message and "AWS managed key" in message
    # The same key, copying within its own account, is not refused for that reason.
    config["aws-backups:vaults"][0]["kmsKeyArn"] = f"arn:aws:kms:eu-west-1:{BACKUP_ACCOUNT}:alias/aws/backup"
    try:
        load_stack_config(config, "prod")
    except ConfigError as error:
        assert "AWS managed key" not in str(error)
