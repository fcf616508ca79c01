"""The protected resource types end to end, each one: the config (by name, by ARN in every partition, a bad ARN),
the program (its selection, region opt-in and full management) and the pack's verdicts on the program's first
preview. Each type's plan uses its strengths as the feature table gives them (cold storage, continuous backup,
Windows VSS), so the table, the config, the components and the policies are proven to agree.
"""

from __future__ import annotations

import re

import pytest
from compliance.policy_config import load_policy_config_file, resolve_policy_config
from pulumi_mocks import ROOT, Recorded, of_type, run_program

from components.config import ConfigError, load_stack_config
from components.config.type_rules import TABLE
from preflight.pack_client import AnalyzedResource, PolicyPackProcess, policy_schemas

REGION = "us-east-1"
SELECTION = "aws:backup/selection:Selection"
REGION_SETTINGS = "aws:backup/regionSettings:RegionSettings"
RESOURCE_TYPE_POLICIES = ("aws-backup-plan-check-type-features", "aws-backup-plan-require-advanced-features",
                          "aws-backup-plan-check-windows-vss-selection")


def slug(type_name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", type_name.lower())


def plan_using_strengths(type_name: str) -> dict:
    """A plan for one type: a daily rule, plus cold storage, continuous backup and Windows VSS where the table says
    the type has them."""
    rules: list[dict] = [{"preset": "daily"}]
    if TABLE.supports(type_name, "coldStorage", "aws"):
        rules.append({"name": "monthly", "schedule": "cron(0 5 1 * ? *)", "coldStorageAfterDays": 30,
                      "deleteAfterDays": 365})
    if TABLE.supports(type_name, "continuousBackup"):
        rules.append({"name": "pitr", "schedule": "cron(0 * * * ? *)", "continuousBackup": True,
                      "deleteAfterDays": 35})
    return {"name": slug(type_name), "vault": "main", "rules": rules,
            "windowsVss": TABLE.supports(type_name, "windowsVss"),
            "selections": [{"name": "by-type", "resourceTypes": [type_name]}]}


def config(plans: list[dict], full_management: list[str]) -> dict:
    return {
        "aws:region": REGION,
        "aws-backups:vaults": [{"name": "main"}],
        "aws-backups:plans": plans,
        "aws-backups:regionSettings": {"fullManagement": full_management},
    }


EVERY_TYPE = config([plan_using_strengths(name) for name in TABLE.type_names],
                    sorted(TABLE.types_supporting("fullManagement")))


# --- config -----------------------------------------------------------------------------------------------------


PARTITION_REGIONS = {"aws": REGION, "aws-us-gov": "us-gov-west-1", "aws-cn": "cn-north-1"}


def _in_partition(arn: str, partition: str) -> str:
    return re.sub(r"^arn:aws:([^:]+):[^:]+:", rf"arn:{partition}:\1:{PARTITION_REGIONS[partition]}:", arn)


def _daily_plan(selections: list[dict]) -> dict:
    return {"name": "p", "vault": "main", "rules": [{"preset": "daily"}], "selections": selections}


@pytest.mark.parametrize("partition", TABLE.partitions)
@pytest.mark.parametrize("type_name", TABLE.type_names)
def test_config_selects_each_type_by_name_and_by_arn_in_its_stack_s_partition(type_name, partition):
    kind = TABLE.resource_type(type_name)
    arns = [_in_partition(kind.arn_example, partition), kind.selection_pattern(partition)]
    plan = _daily_plan([{"name": "by-type", "resourceTypes": [type_name]}, {"name": "by-arn", "resources": arns}])
    loaded = load_stack_config({**config([plan], []), "aws:region": PARTITION_REGIONS[partition]}, "dev")
    assert loaded.plans[0].selections[1].resources == arns
    assert loaded.selected_resource_types() == [type_name]


def test_a_selection_arn_of_another_partition_is_refused():
    arn = _in_partition(TABLE.resource_type("EBS").arn_example, "aws-us-gov")
    with pytest.raises(ConfigError) as raised:
        load_stack_config(config([_daily_plan([{"name": "by-arn", "resources": [arn]}])], []), "dev")
    assert raised.value.problems == [
        f"aws-backups:plans[0].selections[0].resources[0]: {arn!r} is in partition aws-us-gov, and this stack "
        f"deploys to partition aws (allowed: arn:aws:...)"]


@pytest.mark.parametrize("type_name", TABLE.type_names)
def test_config_rejects_a_malformed_arn_of_each_type_naming_the_key_path(type_name):
    bad = TABLE.resource_type(type_name).arn_example.replace("123456789012", "12345")  # a 5-digit account
    plan = {**plan_using_strengths(type_name), "selections": [{"name": "by-arn", "notResources": [bad]}]}
    with pytest.raises(ConfigError) as raised:
        load_stack_config(config([plan], []), "dev")
    [line] = [p for p in raised.value.problems if "notResources" in p]
    assert line.startswith("aws-backups:plans[0].selections[0].notResources[0]: 'arn:")  # the value (cut at 80)
    assert f" is not a valid {type_name} ARN (allowed: arn:<partition>:" in line


def test_full_management_takes_only_the_types_that_have_it():
    with pytest.raises(ConfigError) as raised:
        load_stack_config(config([plan_using_strengths("EBS")], ["EBS"]), "dev")
    assert raised.value.problems == [
        "aws-backups:regionSettings.fullManagement[0]: 'EBS' is not allowed (allowed: 'DynamoDB' or 'EFS')"]


# --- program ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def every_type_preview() -> list[Recorded]:
    """The program on a first preview (ids and ARNs of new resources unknown), one plan per type."""
    return run_program(EVERY_TYPE, stack_name="dev", preview=True)


@pytest.mark.parametrize("type_name", TABLE.type_names)
def test_each_types_selection_names_the_whole_type(every_type_preview, type_name):
    [selection] = [s for s in of_type(every_type_preview, SELECTION) if s.name == f"{slug(type_name)}-by-type"]
    assert selection.inputs["resources"] == [TABLE.resource_type(type_name).selection_pattern("aws")]
    assert selection.property_dependencies["planId"], "linked to its plan for the stack policies"


def test_region_settings_opt_every_selected_type_in_and_give_full_management_where_asked(every_type_preview):
    [settings] = of_type(every_type_preview, REGION_SETTINGS)
    assert settings.inputs["region"] == REGION
    assert settings.inputs["resourceTypeOptInPreference"] == dict.fromkeys(TABLE.opt_in_services, True)
    assert settings.inputs["resourceTypeManagementPreference"] == {"DynamoDB": True, "EFS": True}


def test_full_management_of_one_type_states_the_whole_map():
    """AWS reads both management keys back: the program sets both, the type not listed off."""
    recorded = run_program(config([plan_using_strengths("DynamoDB")], ["DynamoDB"]), stack_name="dev")
    [settings] = of_type(recorded, REGION_SETTINGS)
    assert settings.inputs["resourceTypeManagementPreference"] == {"DynamoDB": True, "EFS": False}


def test_no_full_management_unless_asked():
    recorded = run_program(config([plan_using_strengths("EBS")], []), stack_name="dev")
    [settings] = of_type(recorded, REGION_SETTINGS)
    assert "resourceTypeManagementPreference" not in settings.inputs


# --- the pack on the program's first preview ---------------------------------------------------------------------


def analyzed(recorded: list[Recorded]) -> list[AnalyzedResource]:
    return [AnalyzedResource(type=r.type, name=r.name, urn=r.urn, properties=r.inputs, parent=r.parent,
                             dependencies=r.dependencies, property_dependencies=r.property_dependencies,
                             protect=r.protect) for r in recorded if r.custom]


def verdicts(recorded: list[Recorded], profile: str) -> list:
    with PolicyPackProcess(ROOT / "policies", project="aws-backups", stack="dev",
                           pulumi_config={"aws:region": REGION}) as pack:
        document = load_policy_config_file(ROOT / "policies" / "profiles" / f"{profile}.json")
        pack.configure(resolve_policy_config(policy_schemas(pack.info()), document))
        found = pack.analyze_stack(analyzed(recorded)).diagnostics
    return [d for d in found if d.policy in RESOURCE_TYPE_POLICIES]


def test_each_types_strengths_pass_the_resource_type_policies_on_a_first_preview(every_type_preview):
    assert verdicts(every_type_preview, "hipaa") == []


def test_dynamodb_cold_storage_without_full_management_is_blocked_on_a_first_preview():
    recorded = run_program(config([plan_using_strengths("DynamoDB")], ["EFS"]), stack_name="dev", preview=True)
    found = verdicts(recorded, "hipaa")
    assert [(d.policy, d.level, d.could_not_run) for d in found] == [
        ("aws-backup-plan-require-advanced-features", "mandatory", False)]
    assert "resourceTypeManagementPreference.DynamoDB" in found[0].message
