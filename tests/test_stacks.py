"""Both stack files build under mocks, with the shape each promises; a bad config registers nothing."""

from __future__ import annotations

import json

import pulumi
import pytest
from pulumi_mocks import ROOT, UNKNOWN, of_type, project_program, run_capturing, run_stack_file, stack_file_config

from components.config import ConfigError, load_stack_config
from components.config.resource_types import RESOURCE_TYPES

DEV = ROOT / "Pulumi.dev.yaml"
PROD = ROOT / "Pulumi.prod.yaml"
SEC_17A_4_DAYS = 2190  # 6 years (17 CFR 240.17a-4(a))
BASELINE_DAYS = 35  # AWS Config backup-plan-min-frequency-and-min-retention-check default


@pytest.fixture(scope="module")
def prod(stack_resources):
    return stack_resources(PROD)


@pytest.fixture(scope="module")
def dev(stack_resources):
    return stack_resources(DEV)


@pytest.fixture(scope="module")
def prod_config():
    return load_stack_config(stack_file_config(PROD), "prod")


@pytest.mark.parametrize("path", [DEV, PROD], ids=["dev", "prod"])
def test_stack_file_builds(stack_resources, path):
    resources = stack_resources(path)
    assert of_type(resources, "aws:backup/vault:Vault")
    assert of_type(resources, "aws:backup/plan:Plan")
    assert of_type(resources, "aws:backup/selection:Selection")


def test_dev_is_one_region_short_retention_no_lock_nothing_protected(dev):
    assert {r.inputs["region"] for r in dev if "region" in r.inputs and r.type.startswith("aws:backup/")} == {
        "eu-west-1"
    }
    (plan,) = of_type(dev, "aws:backup/plan:Plan")
    assert all(rule["lifecycle"]["deleteAfter"] <= 14 for rule in plan.inputs["rules"])
    assert not of_type(dev, "aws:backup/vaultLockConfiguration:VaultLockConfiguration")
    assert not any(r.protect for r in of_type(dev, "aws:backup/vault:Vault") + of_type(dev, "aws:kms/key:Key"))


def test_prod_vaults_are_in_two_regions_with_compliance_locks(prod):
    vaults = {v.inputs["name"]: v.inputs["region"] for v in of_type(prod, "aws:backup/vault:Vault")}
    assert vaults == {
        "aws-backups-prod-primary": "eu-west-1",
        "aws-backups-prod-dr": "eu-central-1",
        "aws-backups-prod-pitr": "eu-west-1",
    }
    locks = of_type(prod, "aws:backup/vaultLockConfiguration:VaultLockConfiguration")
    assert sorted(lock.inputs["backupVaultName"] for lock in locks) == sorted(vaults)
    assert all(lock.inputs["changeableForDays"] >= 3 for lock in locks)  # compliance mode


def test_prod_locks_contain_every_rule_and_copy_retention(prod_config):
    for plan in prod_config.plans:
        for rule in plan.rules:
            assert prod_config.vault(plan.rule_vault(rule)).lock.contains(rule.delete_after_days)
            for copy in rule.copy_to:  # copies to the backup account: tests/test_backup_account.py
                if copy.vault is not None:
                    assert prod_config.vault(copy.vault).lock.contains(rule.copy_lifecycle(copy)[1])


def test_prod_has_daily_weekly_monthly_yearly_rules_copied_cross_region(prod):
    (plan,) = of_type(prod, "aws:backup/plan:Plan")
    rules = {rule["ruleName"]: rule for rule in plan.inputs["rules"]}
    assert set(rules) == {"Daily", "Weekly", "Monthly7Year", "Yearly", "pitr"}
    assert rules["Daily"]["lifecycle"]["deleteAfter"] >= BASELINE_DAYS
    assert max(rule["lifecycle"]["deleteAfter"] for rule in rules.values()) >= SEC_17A_4_DAYS
    # Point-in-time recovery (RDS, Aurora) lives in its own vault, in the plan's region, and is not copied.
    pitr = rules.pop("pitr")
    assert pitr["enableContinuousBackup"] is True and pitr["lifecycle"]["deleteAfter"] == 35
    assert pitr["targetVaultName"] == "aws-backups-prod-pitr" and "copyActions" not in pitr
    assert plan.inputs["advancedBackupSettings"] == [
        {"backupOptions": {"WindowsVSS": "enabled"}, "resourceType": "EC2"}
    ]
    for name, rule in rules.items():
        destinations = [copy["destinationVaultArn"] for copy in rule["copyActions"]]
        assert all(arn.startswith("arn:aws:backup:eu-central-1:") for arn in destinations)
        assert plan.inputs["region"] == "eu-west-1"
        # The long-term points also go to the backup account (Pulumi.backup.yaml).
        central = [arn for arn in destinations if arn.endswith(":111111111111:backup-vault:aws-backups-central")]
        assert len(central) == (1 if name in ("Monthly7Year", "Yearly") else 0)


def test_prod_selects_every_resource_type_by_tag(prod):
    (selection,) = of_type(prod, "aws:backup/selection:Selection")
    assert len(selection.inputs["resources"]) == len(RESOURCE_TYPES)
    assert selection.inputs["conditions"][0]["stringEquals"] == [{"key": "aws:ResourceTag/backup", "value": "standard"}]


def test_prod_notifies_and_protects_its_data(prod):
    assert len(of_type(prod, "aws:backup/vaultNotifications:VaultNotifications")) == 3
    vault_components = {r.urn for r in of_type(prod, "aws-backups:backup:Vault")}
    for type_token in ["aws:backup/vault:Vault", "aws:kms/key:Key", "aws:sns/topic:Topic"]:
        found = [r for r in of_type(prod, type_token) if r.parent in vault_components]
        assert len(found) == 3
        assert all(r.protect and r.retain_on_delete for r in found)


def test_prod_vault_policies_deny_deletion(prod):
    for policy in of_type(prod, "aws:backup/vaultPolicy:VaultPolicy"):
        assert '"Effect": "Deny"' in policy.inputs["policy"]
        assert "backup:DeleteRecoveryPoint" in policy.inputs["policy"]


def test_bad_config_registers_nothing_and_fails_with_a_run_error():
    config = stack_file_config(PROD)
    config["aws-backups:plans"] = [{**config["aws-backups:plans"][0], "vault": "nowhere"}]
    recorded, error = run_capturing(project_program, config, stack_name="prod")
    assert recorded == []
    # pulumi.RunError: the language host reports the message alone, without a traceback (pulumi/errors.py).
    assert isinstance(error, ConfigError)
    assert isinstance(error, pulumi.RunError)
    expected = "aws-backups:plans[0].vault: 'nowhere' is not a vault of this stack (allowed: primary, dr, pitr)"
    assert expected in str(error)


def test_on_a_first_preview_only_ids_minted_by_aws_are_unknown():
    """Names, lifecycles, copy ARNs, locks and policies are known before anything exists, so the policy pack
    gives its verdict on a first preview (reference: "Three traps" #2)."""
    resources = run_stack_file(PROD, preview=True)
    ours = {r.urn for r in resources if r.type.startswith("aws-backups:backup:")}
    unknown = {
        (r.type, key)
        for r in resources
        if r.parent in ours
        for key, value in r.inputs.items()
        if UNKNOWN in json.dumps(value)
    }
    assert unknown == {
        ("aws:backup/vault:Vault", "kmsKeyArn"),  # a key's ARN holds its generated id
        ("aws:kms/alias:Alias", "targetKeyId"),
        ("aws:backup/selection:Selection", "planId"),  # linked to its plan by property dependency
        ("aws:backup/reportPlan:ReportPlan", "reportSetting"),  # a framework's ARN holds the id AWS mints
    }
