"""Restore testing, the evidence that backups restore: a restore testing plan in each plan region, testing the stack's
own vaults, with one selection per tested type (the resources the plans protect, by their tag); safe defaults;
what AWS would refuse refused by key."""

from __future__ import annotations

import copy
import json

import pytest
from pulumi_mocks import ROOT, of_type, one, run_program, run_stack_file, stack_file_config

from components.config import ConfigError, load_stack_config

PLAN = "aws:backup/restoreTestingPlan:RestoreTestingPlan"
SELECTION = "aws:backup/restoreTestingSelection:RestoreTestingSelection"


@pytest.fixture(scope="module")
def prod():
    return run_stack_file(ROOT / "Pulumi.prod.yaml")


@pytest.fixture(scope="module")
def dev():
    return run_stack_file(ROOT / "Pulumi.dev.yaml")


def test_prod_tests_every_selected_type_aws_can_restore_test_weekly_from_its_vaults(prod):
    plan = one(prod, PLAN)
    assert plan.inputs["name"] == "aws_backups_prod_restore_testing" and plan.inputs["region"] == "eu-west-1"
    assert plan.inputs["scheduleExpression"] == "cron(0 6 ? * SAT *)"
    assert plan.inputs["scheduleExpressionTimezone"] == "Etc/UTC" and plan.inputs["startWindowHours"] == 24
    selection = plan.inputs["recoveryPointSelection"]
    assert selection["algorithm"] == "RANDOM_WITHIN_WINDOW" and selection["selectionWindowDays"] == 30
    assert selection["recoveryPointTypes"] == ["SNAPSHOT"]
    vaults = {v.inputs["name"] for v in of_type(prod, "aws:backup/vault:Vault") if v.inputs["region"] == "eu-west-1"}
    assert len(selection["includeVaults"]) == len(vaults) == 2  # primary and pitr, the plan region's vaults
    selections = {s.inputs["protectedResourceType"]: s for s in of_type(prod, SELECTION)}
    assert set(selections) == {"EBS", "EC2", "RDS", "Aurora", "DynamoDB", "EFS"}  # not Storage Gateway
    ebs = selections["EBS"].inputs
    assert ebs["restoreTestingPlanName"] == "aws_backups_prod_restore_testing"
    assert ebs["protectedResourceConditions"] == {"stringEquals": [{"key": "aws:ResourceTag/backup",
                                                                     "value": "standard"}]}
    assert ebs["validationWindowHours"] == 4
    assert ebs["iamRoleArn"].endswith(":role/aws-backups-prod-standard-backup")  # has the restores policy


def test_dev_tests_one_type(dev):
    assert [s.inputs["protectedResourceType"] for s in of_type(dev, SELECTION)] == ["EBS"]
    assert one(dev, SELECTION).inputs["validationWindowHours"] == 2


def _refused(edit) -> str:
    config = copy.deepcopy(stack_file_config(ROOT / "Pulumi.prod.yaml"))
    edit(config["aws-backups:evidence"]["restoreTesting"])
    with pytest.raises(ConfigError) as refused:
        load_stack_config(config, "prod")
    return str(refused.value)


@pytest.mark.parametrize(("edit", "key", "words"), [
    (lambda t: t.update(types=["Storage Gateway"]), "aws-backups:evidence.restoreTesting.types[0]", "EBS"),
    (lambda t: t.update(startWindowHours=169), "aws-backups:evidence.restoreTesting.startWindowHours", "168"),
    (lambda t: t.update(selectionWindowDays=0), "aws-backups:evidence.restoreTesting.selectionWindowDays", "1"),
    (lambda t: t.update(validationWindowHours=200), "aws-backups:evidence.restoreTesting.validationWindowHours",
     "168"),
    (lambda t: t.update(algorithm="OLDEST"), "aws-backups:evidence.restoreTesting.algorithm", "RANDOM_WITHIN_WINDOW"),
    (lambda t: t.update(metadataOverrides={"EC2": {"subnet": "subnet-1"}}),
     "aws-backups:evidence.restoreTesting.metadataOverrides.EC2.subnet", "subnetId"),
    (lambda t: t.update(timezone="Europe/Pariss"), "aws-backups:evidence.restoreTesting.timezone", "IANA"),
], ids=["type AWS cannot test", "start window", "selection window", "validation window", "algorithm",
        "metadata key", "time zone"])
def test_what_aws_refuses_is_refused_by_key(edit, key, words):
    message = _refused(edit)
    assert key in message and words in message, message


def test_a_type_no_plan_selects_is_refused():
    config = copy.deepcopy(stack_file_config(ROOT / "Pulumi.dev.yaml"))
    config["aws-backups:evidence"]["restoreTesting"]["types"] = ["Aurora"]  # dev selects no Aurora
    with pytest.raises(ConfigError) as refused:
        load_stack_config(config, "dev")
    assert "aws-backups:evidence.restoreTesting.types[0]" in str(refused.value)
    assert "selected by no plan" in str(refused.value)


def test_metadata_overrides_reach_the_selection_and_keys_ignore_case():
    config = copy.deepcopy(stack_file_config(ROOT / "Pulumi.dev.yaml"))
    config["aws-backups:evidence"]["restoreTesting"]["metadataOverrides"] = {"EBS": {"AvailabilityZone": "eu-west-1a"}}
    recorded = run_program({key: json.dumps(value) if isinstance(value, dict | list) else value
                            for key, value in config.items()}, stack_name="dev")
    assert one(recorded, SELECTION).inputs["restoreMetadataOverrides"] == {"AvailabilityZone": "eu-west-1a"}
