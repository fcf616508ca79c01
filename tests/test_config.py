"""The stack config loader on valid input: defaults, presets, sources and helpers."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi
import pytest
from compliance.facts import schedule_problem

from components.config import ConfigError, load_stack_config, running_program_config
from components.config.loader import key_path
from components.config.presets import PRESETS
from components.config.resource_types import RESOURCE_TYPES, resource_type_arn_wildcard

VAULT = {"name": "main"}
SELECTION = {"name": "tagged", "resourceTypes": ["EBS"]}


def config(**namespace: object) -> dict[str, object]:
    """A minimal valid full-key config; keyword arguments replace `aws-backups:<key>` entries."""
    base: dict[str, object] = {
        "aws:region": "eu-west-1",
        "aws-backups:vaults": [VAULT],
        "aws-backups:plans": [
            {"name": "p", "vault": "main", "rules": [{"preset": "daily"}], "selections": [SELECTION]}
        ],
    }
    base.update({f"aws-backups:{key}": value for key, value in namespace.items()})
    return base


def test_defaults():
    loaded = load_stack_config(config(), "dev")
    assert loaded.name_prefix == "aws-backups-dev"
    assert loaded.production is False
    assert loaded.aws_region == "eu-west-1"
    assert loaded.vaults[0].access_policy.deny_deletion is True
    assert loaded.vaults[0].lock is None
    assert loaded.region_settings.manage is True


def test_values_given_as_json_text_like_the_pulumi_runtime_gives_them():
    raw = {key: json.dumps(value) if not isinstance(value, str) else value for key, value in config().items()}
    raw["aws-backups:production"] = "true"
    loaded = load_stack_config(raw, "prod")
    assert loaded.production is True
    assert loaded.plans[0].rules[0].name == "Daily"


def test_the_running_programs_config_is_read_whole_so_a_misspelt_key_is_refused(monkeypatch):
    # The language host sets the config (CONFIG); PULUMI_CONFIG in the environment is the SDK's fallback.
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({"aws:region": "eu-west-1", "aws-backups:productoin": "true"}))
    token = pulumi.runtime.config.CONFIG.set({"aws-backups:namePrefix": "acme"})
    try:
        seen = running_program_config()
    finally:
        pulumi.runtime.config.CONFIG.reset(token)
    assert seen == {"aws:region": "eu-west-1", "aws-backups:productoin": "true", "aws-backups:namePrefix": "acme"}
    with pytest.raises(ConfigError, match=r"aws-backups:productoin: is not a known key \(allowed: .*production"):
        load_stack_config(seen, "dev")


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_every_preset_gives_a_valid_rule_with_the_cdk_figures(preset):
    rule = load_stack_config(config(plans=[_plan({"preset": preset})]), "dev").plans[0].rules[0]
    figures = PRESETS[preset]
    assert rule.name == figures["name"]
    assert rule.schedule == figures["schedule"]
    assert rule.delete_after_days == figures["deleteAfterDays"]
    assert rule.cold_storage_after_days == figures.get("coldStorageAfterDays")


def test_cdk_figures():
    # aws-cdk-lib/aws-backup/lib/rule.ts: daily 35 d; weekly 3 months; monthly1Year cold 30 d / 365 d;
    # monthly5Year and monthly7Year cold 3 months / 5 and 7 years.
    assert PRESETS["daily"]["deleteAfterDays"] == 35
    assert PRESETS["weekly"]["deleteAfterDays"] == 90
    assert (PRESETS["monthly1Year"]["coldStorageAfterDays"], PRESETS["monthly1Year"]["deleteAfterDays"]) == (30, 365)
    assert (PRESETS["monthly5Year"]["coldStorageAfterDays"], PRESETS["monthly5Year"]["deleteAfterDays"]) == (90, 1825)
    assert (PRESETS["monthly7Year"]["coldStorageAfterDays"], PRESETS["monthly7Year"]["deleteAfterDays"]) == (90, 2555)


def test_fields_next_to_a_preset_override_it():
    rule = (
        load_stack_config(config(plans=[_plan({"preset": "daily", "name": "Nightly", "deleteAfterDays": 7})]), "dev")
        .plans[0]
        .rules[0]
    )
    assert (rule.name, rule.delete_after_days, rule.schedule) == ("Nightly", 7, PRESETS["daily"]["schedule"])


def test_copy_without_lifecycle_keeps_the_rules():
    raw = config(
        vaults=[VAULT, {"name": "dr", "region": "eu-central-1"}],
        plans=[_plan({"preset": "monthly1Year", "copyTo": [{"vault": "dr"}, {"vault": "dr", "deleteAfterDays": 500}]})],
    )
    rule = load_stack_config(raw, "dev").plans[0].rules[0]
    assert rule.copy_lifecycle(rule.copy_to[0]) == (30, 365)
    assert rule.copy_lifecycle(rule.copy_to[1]) == (None, 500)


def test_rule_vault_falls_back_to_the_plans():
    raw = config(
        vaults=[VAULT, {"name": "other"}], plans=[_plan({"preset": "daily"}, {"preset": "weekly", "vault": "other"})]
    )
    plan = load_stack_config(raw, "dev").plans[0]
    assert [plan.rule_vault(rule) for rule in plan.rules] == ["main", "other"]


def test_vault_regions_and_selected_types_are_deduplicated_in_order():
    raw = config(
        vaults=[VAULT, {"name": "dr", "region": "eu-central-1"}, {"name": "extra"}],
        plans=[
            {
                "name": "p",
                "vault": "main",
                "rules": [{"preset": "daily"}],
                "selections": [{"name": "a", "resourceTypes": ["RDS", "EBS"]}, {"name": "b", "resourceTypes": ["EBS"]}],
            }
        ],
    )
    loaded = load_stack_config(raw, "dev")
    assert loaded.vault_regions() == ["eu-west-1", "eu-central-1"]
    assert loaded.selected_resource_types() == ["RDS", "EBS"]


@pytest.mark.parametrize(
    "expression",
    ["cron(0 5 * * ? *)", "cron(0 5 ? * SAT *)", "cron(30 */2 * * ? *)", "cron(0 5 L * ? *)", "cron(0 3 ? * 2#1 *)"],
)
def test_valid_schedules(expression):
    assert schedule_problem(expression) is None


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("rate(1 day)", "not an AWS Backup cron expression"),
        ("cron(0 5 * * *)", "6 required"),
        ("cron(0 5 * * * *)", "question mark"),
        ("cron(0,30 5 * * ? *)", "30 minutes apart"),
        ("cron(*/10 * * * ? *)", "10 minutes apart"),
        ("cron(0 25 * * ? *)", "Invalid hour"),
    ],
)
def test_invalid_schedules(expression, reason):
    assert reason in schedule_problem(expression)


def test_resource_types_come_from_the_pack_table():
    assert set(RESOURCE_TYPES) == {"EBS", "EC2", "RDS", "Aurora", "DynamoDB", "EFS", "Storage Gateway"}
    assert resource_type_arn_wildcard("EFS", "aws-us-gov") == "arn:aws-us-gov:elasticfilesystem:*:*:file-system/*"
    assert resource_type_arn_wildcard("Storage Gateway", "aws") == "arn:aws:storagegateway:*:*:gateway/*/volume/*"


def test_key_path():
    assert key_path(("plans", 0, "rules", 1, "deleteAfterDays")) == "aws-backups:plans[0].rules[1].deleteAfterDays"
    assert key_path(("awsRegion",)) == "aws:region"


def test_config_error_lists_every_problem_and_is_a_pulumi_run_error():
    import pulumi

    with pytest.raises(ConfigError) as caught:
        load_stack_config(config(vaults=[{"name": "x"}, {"name": "x", "region": "mars"}]), "dev")
    assert isinstance(caught.value, pulumi.RunError)
    assert str(caught.value).startswith("Invalid stack config (")
    assert len(caught.value.problems) == len(str(caught.value).splitlines()) - 1


def _plan(*rules: dict[str, object]) -> dict[str, object]:
    return {"name": "p", "vault": "main", "rules": list(rules), "selections": [SELECTION]}


def test_the_readme_config_reference_names_every_key():
    """The README's "Editing a stack" is the ops' reference: a key added to a model must be documented there."""
    from components.config.plan import CopyToConfig, PlanConfig, RuleConfig, SelectionConfig, TagConditionsConfig
    from components.config.stack import RegionSettingsConfig, StackConfig
    from components.config.vault import (
        AccessPolicyConfig,
        LockConfig,
        NotificationsConfig,
        SubscriptionConfig,
        VaultConfig,
    )

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    reference = readme[readme.index("## Editing a stack") :]
    models = [
        StackConfig,
        RegionSettingsConfig,
        VaultConfig,
        LockConfig,
        AccessPolicyConfig,
        NotificationsConfig,
        SubscriptionConfig,
        PlanConfig,
        RuleConfig,
        CopyToConfig,
        SelectionConfig,
        TagConditionsConfig,
    ]
    internal = {"awsRegion", "replication"}  # `aws:region`, and the replication section has its own chapter
    missing = [
        f"{model.__name__}.{field.alias}"
        for model in models
        for field in model.model_fields.values()
        if field.alias not in internal and field.alias not in reference
    ]
    assert missing == []
