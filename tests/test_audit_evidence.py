"""Audit evidence from the profile: the controls of prod's AWS Backup Audit Manager framework carry the figures of
the profile the gate uses (compliance.audit_controls, the one mapping), named as AWS documents them; preflight
prints them; what no control can say is refused by key."""

from __future__ import annotations

import copy

import pytest
from compliance import evidence_facts
from compliance.audit_controls import (
    ControlError,
    StackFacts,
    framework_controls,
    interval,
)
from compliance.policy_config import load_policy_config_file, resolve_policy_config, schemas_of
from compliance.registry import SPECS
from preflight_main import preflight_main
from pulumi_mocks import ROOT, one, run_stack_file, stack_file_config

from components.config import ConfigError, load_stack_config

PROFILES = ROOT / "policies" / "profiles"
FRAMEWORK = "aws:backup/framework:Framework"
FACTS = StackFacts(break_glass_arns=["arn:aws:iam::222222222222:role/backup-break-glass"],
                   copy_regions=["eu-central-1"], copy_accounts=["111111111111"], max_restore_minutes=240,
                   continuous_retention_days=None, selection_tag=("backup", "standard"))


def profile(name: str) -> dict:
    return resolve_policy_config(schemas_of(SPECS), load_policy_config_file(PROFILES / f"{name}.json"))


ENFORCING = sorted(path.stem for path in PROFILES.glob("*.json") if path.stem != "dev")


@pytest.mark.parametrize("name", ENFORCING)
def test_every_profile_maps_to_documented_controls_and_parameters(name):
    framework = framework_controls(profile(name), FACTS)
    assert framework.controls
    for control in framework.controls:
        assert set(control.parameters) <= evidence_facts.CONTROL_PARAMETERS[control.name], control
        assert all(isinstance(value, str) and value for value in control.parameters.values())
    names = [control.name for control in framework.controls]
    assert len(names) == len(set(names))


def test_sec_17a_4_figures_become_the_parameters():
    framework = framework_controls(profile("sec-17a-4"), FACTS)
    controls = {c.name: c for c in framework.controls}
    assert controls["BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK"].parameters == {
        "requiredFrequencyUnit": "hours", "requiredFrequencyValue": "24", "requiredRetentionDays": "2190"}
    assert controls["BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK"].parameters == {"requiredRetentionDays": "2190"}
    assert controls["BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED"].parameters == {
        "principalArnList": "arn:aws:iam::222222222222:role/backup-break-glass"}
    assert controls["BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION"].parameters == {"crossRegionList": "eu-central-1"}
    assert controls["RESTORE_TIME_FOR_RESOURCES_MEET_TARGET"].parameters == {"maxRestoreTime": "240"}
    assert controls["BACKUP_LAST_RECOVERY_POINT_CREATED"].scope_tags == {"backup": "standard"}
    assert controls["BACKUP_RECOVERY_POINT_ENCRYPTED"].scope_tags == {}  # recovery points, not resources
    # Cross-account copies are advisory in sec-17a-4: the framework checks what the gate enforces, and says so.
    assert "BACKUP_RESOURCES_PROTECTED_BY_CROSS_ACCOUNT" not in controls
    assert "cross-account copies: advisory in the profile" in framework.omitted


def test_an_enforced_cross_account_figure_names_the_copy_accounts():
    enforced = {**profile("sec-17a-4"), "aws-backup-plan-require-cross-account-copy": ("mandatory", {})}
    controls = {c.name: c for c in framework_controls(enforced, FACTS).controls}
    assert controls["BACKUP_RESOURCES_PROTECTED_BY_CROSS_ACCOUNT"].parameters == {"crossAccountList": "111111111111"}


def test_a_figure_the_profile_does_not_enforce_leaves_its_parameter_at_the_loosest():
    only_retention = {"aws-backup-plan-enforce-min-retention": ("mandatory", {"minRetentionDays": 365})}
    control = framework_controls(only_retention, FACTS).controls[0]
    assert control.name == "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK"
    assert control.parameters == {"requiredFrequencyUnit": "days", "requiredFrequencyValue": "31",
                                  "requiredRetentionDays": "365"}
    only_frequency = {"aws-backup-plan-enforce-min-frequency": ("mandatory", {"maxIntervalHours": 12})}
    plan_check = framework_controls(only_frequency, FACTS).controls[0]
    assert plan_check.parameters["requiredRetentionDays"] == "1"


def test_a_profile_that_enforces_no_figure_gets_no_framework():
    with pytest.raises(ControlError, match="enforces no figure"):
        framework_controls(profile("dev"), StackFacts())  # everything but AWS's limits is advisory in dev


def test_continuous_backups_under_the_minimum_leave_the_recovery_point_control_out_and_say_why():
    framework = framework_controls(profile("sec-17a-4"), StackFacts(continuous_retention_days=35))
    assert "BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK" not in {c.name for c in framework.controls}
    assert any("continuous backups keep 35 days" in reason for reason in framework.omitted)
    assert any("one tag alone" in reason for reason in framework.omitted)  # no selection tag: no scope


FREQUENCY, AGE = evidence_facts.CONTROL_FREQUENCY_RANGE, evidence_facts.CONTROL_RECOVERY_POINT_AGE_RANGE


@pytest.mark.parametrize(("hours", "limits", "expected"), [
    (12, FREQUENCY, ("hours", "12")), (24, FREQUENCY, ("hours", "24")), (48, FREQUENCY, ("days", "2")),
    (744, AGE, ("hours", "744")), (31 * 24, FREQUENCY, ("days", "31")),
])
def test_an_interval_is_said_in_whole_hours_or_days_within_awss_ranges(hours, limits, expected):
    assert interval(hours, limits, "x") == expected


@pytest.mark.parametrize("hours", [36, 32 * 24, 0.5])
def test_an_interval_no_parameter_can_say_is_refused(hours):
    with pytest.raises(ControlError, match="allowed: whole hours 1 to 24, or whole days 1 to 31"):
        interval(hours, FREQUENCY, "the interval")


def test_more_break_glass_principals_than_the_control_takes_are_refused_by_key():
    config = copy.deepcopy(stack_file_config(ROOT / "Pulumi.prod.yaml"))
    config["aws-backups:vaults"][0]["accessPolicy"]["breakGlassPrincipalArns"] = [
        f"arn:aws:iam::222222222222:role/break-glass-{index}" for index in range(6)]
    from components.audit_framework import evidence_controls

    with pytest.raises(ConfigError) as refused:
        evidence_controls(load_stack_config(config, "prod"))
    assert "aws-backups:vaults.accessPolicy.breakGlassPrincipalArns" in str(refused.value)
    assert "at most 5" in str(refused.value)


def test_an_unknown_profile_is_refused_naming_the_profiles():
    config = {**stack_file_config(ROOT / "Pulumi.prod.yaml"), "aws-backups:evidence": {"profile": "sec17a4"}}
    with pytest.raises(ConfigError) as refused:
        load_stack_config(config, "prod")
    assert "aws-backups:evidence.profile" in str(refused.value) and "sec-17a-4" in str(refused.value)


@pytest.fixture(scope="module")
def prod():
    return run_stack_file(ROOT / "Pulumi.prod.yaml")


def test_prod_registers_the_framework_of_its_profile_where_its_plans_run(prod):
    framework = one(prod, FRAMEWORK)
    inputs = framework.inputs
    assert inputs["name"] == "aws_backups_prod_sec_17a_4" and inputs["region"] == "eu-west-1"
    assert inputs["tags"]["compliance-profile"] == "sec-17a-4"
    controls = {control["name"]: control for control in inputs["controls"]}
    assert controls["BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK"]["inputParameters"] == [
        {"name": "requiredFrequencyUnit", "value": "hours"}, {"name": "requiredFrequencyValue", "value": "24"},
        {"name": "requiredRetentionDays", "value": "2190"}]
    assert controls["BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION"]["scope"] == {"tags": {"backup": "standard"}}
    # prod's pitr rule keeps continuous backups 35 days: the per-recovery-point minimum is left out, and said.
    assert "BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK" not in controls
    assert "BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK: continuous backups keep 35 days" in inputs["description"]
    assert len(inputs["description"]) <= 1024


def test_preflight_prints_what_aws_checks_and_a_profile_other_than_the_gates():
    result = preflight_main("--stack", "prod", "--policy-pack-config",
                            str(ROOT / "policies" / "profiles" / "baseline.json"))
    out = result.stdout
    assert "framework aws_backups_prod_sec_17a_4 in eu-west-1, the figures of profile sec-17a-4:" in out
    assert ("BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK (requiredFrequencyUnit=hours, "
            "requiredFrequencyValue=24, requiredRetentionDays=2190)") in out
    assert "left out: BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK" in out
    assert "note: the gate ran with baseline" in out
    assert "AWS::Config::ResourceCompliance" in out


def test_evidence_on_a_stack_without_plans_is_refused():
    config = {**stack_file_config(ROOT / "Pulumi.backup.yaml"), "aws-backups:evidence": {"profile": "sec-17a-4"}}
    with pytest.raises(ConfigError) as refused:
        load_stack_config(config, "backup")
    assert "aws-backups:evidence" in str(refused.value) and "needs a plan of this stack" in str(refused.value)


def test_continuous_backups_exempt_the_recovery_point_control_only_in_their_own_region():
    """A plan in another region with no continuous rule gets the control there (the gate judges it per region)."""
    config = copy.deepcopy(stack_file_config(ROOT / "Pulumi.prod.yaml"))
    daily = {"name": "central", "vault": "dr", "region": "eu-central-1", "rules": [{"preset": "daily",
                                                                                    "deleteAfterDays": 2190}],
             "selections": [{"name": "tagged", "resourceTypes": ["EBS"],
                             "conditions": {"stringEquals": {"backup": "standard"}}}]}
    config["aws-backups:plans"] = [*config["aws-backups:plans"], daily]
    from components.audit_framework import evidence_controls

    frameworks = evidence_controls(load_stack_config(config, "prod"))
    names = {region: {control.name for control in framework.controls} for region, framework in frameworks.items()}
    assert "BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK" not in names["eu-west-1"]  # its pitr rule keeps 35 days
    assert "BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK" in names["eu-central-1"]
