"""AWS's rules in one home (policies/compliance/facts.py): each rule against its source, the config refusing what
AWS refuses with one line naming the key, and every fact read from that one module by the config, the components
and the pack alike (change a fact there and both sides follow; no limit is written anywhere else)."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pulumi_aws
import pytest
from compliance import facts
from compliance.registry import BY_NAME
from policy_stack import compliant, mutate, verdict
from pulumi_mocks import one, run_program
from test_config import config as shared_config
from test_replication_config import good_item, problems_of, stack_config

from components.config import ConfigError, load_stack_config

ROOT = Path(__file__).resolve().parents[1]
RULE = "rules[0]"


def config(**namespace: object) -> dict:
    """test_config's minimal config, as a copy: the tests here edit it in place."""
    return copy.deepcopy(shared_config(**namespace))


def refusal(source: dict) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        load_stack_config(source, "dev")
    return raised.value.problems


# -- regions and partitions ------------------------------------------------------------------------------------
def test_every_region_of_the_installed_provider_is_in_exactly_one_partition():
    for region in pulumi_aws.Region:
        owners = [p.name for p in facts.PARTITIONS if p.region_form.match(region.value)]
        assert len(owners) == 1, (region.value, owners)
    assert facts.partition_of_region("us-gov-west-1") == "aws-us-gov"
    assert facts.partition_of_region("cn-north-1") == "aws-cn"
    assert facts.partition_of_region("eusc-de-east-1") == "aws-eusc"
    assert facts.partition_of_region("eu-isoe-west-1") == "aws-iso-e"
    assert facts.partition_of_region("moon-1") is None


@pytest.mark.parametrize(("key", "edit", "expected"), [
    ("aws:region", lambda c: c.update({"aws:region": "eu-weest-1"}),
     "aws:region: 'eu-weest-1' is not an AWS region (did you mean 'eu-west-1'? allowed: a region of the installed "
     "provider, e.g. 'us-east-1'; a region newer than pulumi-aws"),
    ("vault region", lambda c: c["aws-backups:vaults"].append({"name": "dr", "region": "eu-centrl-1"}),
     "aws-backups:vaults[1].region: 'eu-centrl-1' is not an AWS region (did you mean 'eu-central-1'?"),
    ("plan region", lambda c: c["aws-backups:plans"][0].update(region="us-eastt-1"),
     "aws-backups:plans[0].region: 'us-eastt-1' is not an AWS region (did you mean 'us-east-1'?"),
    ("copy destination ARN", lambda c: c["aws-backups:plans"][0]["rules"][0].update(
        copyTo=[{"vaultArn": "arn:aws:backup:eu-wset-1:111122223333:backup-vault:dr"}]),
     "aws-backups:plans[0].rules[0].copyTo[0].vaultArn: 'arn:aws:backup:eu-wset-1:111122223333:backup-vault:dr' "
     "names region 'eu-wset-1', which is not an AWS region (did you mean 'eu-west-1'?"),
    ("key ARN", lambda c: c["aws-backups:vaults"][0].update(
        kmsKeyArn="arn:aws:kms:eu-west-9:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
     "aws-backups:vaults[0].kmsKeyArn: 'arn:aws:kms:eu-west-9:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
     "' names region 'eu-west-9', which is not an AWS region"),
    ("selection ARN", lambda c: c["aws-backups:plans"][0]["selections"][0].update(
        resources=["arn:aws:ec2:eu-west-11:111122223333:volume/vol-1"]),
     "aws-backups:plans[0].selections[0].resources[0]: 'arn:aws:ec2:eu-west-11:111122223333:volume/vol-1' names "
     "region 'eu-west-11', which is not an AWS region"),
    ("a region of another partition", lambda c: c["aws-backups:vaults"].append({"name": "dr", "region": "cn-north-1"}),
     "aws-backups:vaults[1].region: 'cn-north-1' is a region of partition aws-cn, and this stack deploys to "
     "partition aws (allowed: a region of aws)"),
    ("an ARN of another partition", lambda c: c["aws-backups:plans"][0]["rules"][0].update(
        copyTo=[{"vaultArn": "arn:aws-us-gov:backup:us-gov-west-1:111122223333:backup-vault:dr"}]),
     "aws-backups:plans[0].rules[0].copyTo[0].vaultArn: 'arn:aws-us-gov:backup:us-gov-west-1:111122223333:"
     "backup-vault:dr' is in partition aws-us-gov, and this stack deploys to partition aws"),
    ("an ARN whose region is of another partition than its own", lambda c: c["aws-backups:plans"][0]["rules"][0]
     .update(copyTo=[{"vaultArn": "arn:aws:backup:cn-north-1:111122223333:backup-vault:dr"}]),
     "aws-backups:plans[0].rules[0].copyTo[0].vaultArn: 'arn:aws:backup:cn-north-1:111122223333:backup-vault:dr' "
     "names region 'cn-north-1' of partition aws-cn in an arn:aws ARN"),
])
def test_a_region_typo_is_one_line_naming_the_key_with_the_closest_name(key, edit, expected):
    source = config()
    edit(source)
    problems = refusal(source)
    assert any(line.startswith(expected) for line in problems), problems
    assert len(problems) == 1, problems


def test_wildcard_and_empty_regions_in_arns_are_not_judged():
    source = config()
    source["aws-backups:plans"][0]["selections"][0]["resources"] = ["arn:aws:ec2:*:*:volume/*"]
    source["aws-backups:vaults"][0]["accessPolicy"] = {"breakGlassPrincipalArns": ["arn:aws:iam::111122223333:root"]}
    load_stack_config(source, "dev")


def test_a_region_newer_than_the_provider_is_named_in_new_regions():
    source = config()
    source["aws-backups:vaults"].append({"name": "dr", "region": "eu-west-9"})
    assert refusal(copy.deepcopy(source))
    source["aws-backups:newRegions"] = ["eu-west-9"]
    assert load_stack_config(source, "dev").vault_region(load_stack_config(source, "dev").vaults[1]) == "eu-west-9"


@pytest.mark.parametrize(("name", "reason"), [
    ("eu-west-1", "is already known to pulumi-aws"), ("moon-base-1", "does not have the form of any partition"),
])
def test_new_regions_takes_only_new_names_of_a_partition_s_form(name, reason):
    problems = refusal(config(newRegions=[name]))
    assert len(problems) == 1 and problems[0].startswith(f"aws-backups:newRegions[0]: {name!r} {reason}"), problems


# -- names, each by its own rule -------------------------------------------------------------------------------
def test_a_plan_name_is_judged_by_the_plan_rule_not_the_vault_s():
    assert facts.name_problem(facts.PLAN_NAME, "prod.daily") is None  # '.' is allowed in plan names
    assert facts.name_problem(facts.VAULT_NAME, "prod.daily") is not None
    plan = {"name": "p" * 40, "vault": "main", "rules": [{"preset": "daily"}],
            "selections": [{"name": "s", "resourceTypes": ["EBS"]}]}
    problems = refusal(config(plans=[plan]))
    assert problems[0] == (
        f"aws-backups:plans[0].name: {'p' * 40!r} makes 'aws-backups-dev-{'p' * 40}', which is not a valid backup "
        f"plan name: it has 56 characters (allowed: 1 to 50 letters, digits, '-', '_' or '.'; API_BackupPlanInput)")
    assert "vault" not in problems[0]


def _refused(source: dict) -> bool:
    try:
        load_stack_config(source, "dev")
    except ConfigError:
        return True
    return False


# -- S3 bucket names: every clause of the S3 User Guide's general purpose rules -----------------------------------
@pytest.mark.parametrize(("name", "reason"), [
    ("ab", "has 2 characters"), ("b" * 64, "has 64 characters"), ("Data", "has 'D'"), ("data_set", "has '_'"),
    ("-data", "does not begin and end"), ("data-", "does not begin and end"), ("data..set", "two adjacent periods"),
    ("192.168.5.4", "formatted as an IP address"), ("xn--data", "reserved prefix xn--"),
    ("sthree-data", "reserved prefix sthree-"), ("sthree-configurator-x", "reserved prefix sthree-"),
    ("amzn-s3-demo-data", "reserved prefix amzn-s3-demo-"), ("data-s3alias", "reserved suffix -s3alias"),
    ("data--ol-s3", "reserved suffix --ol-s3"), ("data.mrap", "reserved suffix .mrap"),
    ("data--x-s3", "reserved suffix --x-s3"), ("data--table-s3", "reserved suffix --table-s3"),
])
def test_a_bucket_name_s3_refuses(name, reason):
    assert reason in facts.bucket_name_problem(name)


@pytest.mark.parametrize("name", ["abc", "b" * 63, "my.data.bucket", "data-2026", "1bucket", "xn-data", "data-s3"])
def test_a_bucket_name_s3_accepts(name):
    assert facts.bucket_name_problem(name) is None


def test_periods_are_valid_but_warned():
    assert facts.bucket_name_warning("my.data") and facts.bucket_name_warning("my-data") is None


@pytest.mark.parametrize(("item_edit", "key", "reason"), [
    (lambda item: item["source"].update(bucketName="data..docs"), "replication[0].source.bucketName",
     "two adjacent periods"),
    (lambda item: item.update(source={"adopt": True, "bucketName": "xn--legacy"}), "replication[0].source.bucketName",
     "reserved prefix xn--"),
    (lambda item: item["destination"].update(bucketName="192.168.5.4"), "replication[0].destination.bucketName",
     "formatted as an IP address"),
    (lambda item: item.update(name="docs-s3alias") or item["destination"].update(bucketName="docs-replica"),
     "replication[0].name", "makes the bucket name 'aws-backups-test-docs-s3alias'"),
])
def test_a_created_adopted_or_derived_bucket_name_is_refused_naming_its_key(item_edit, key, reason):
    item = good_item()
    item_edit(item)
    problems = problems_of(stack_config(item))
    assert any(line.startswith(f"aws-backups:{key}: ") and reason in line for line in problems), problems


def test_a_name_prefix_no_bucket_can_derive_from_is_reported_once_at_the_prefix():
    problems = problems_of(stack_config(good_item(), **{"aws-backups:namePrefix": "Bank-Prod"}))
    assert problems == ["aws-backups:namePrefix: 'Bank-Prod' makes the bucket name 'Bank-Prod-invoices' of "
                        "aws-backups:replication, which is not a valid S3 bucket name: it has 'BP' (allowed: "
                        "lowercase letters, digits, '.' and '-'; S3 bucket naming rules)"]


# -- one rule, one function: change a fact in facts.py and the config and the pack both follow ---------------------
def _plan_with(path: str, value: object):
    return mutate(compliant(), "plan", path, value)


FACT_CHANGES = [
    # (fact, new value, config that the change makes refused, pack policy, stack items it makes fail)
    ("MAX_LIFECYCLE_DAYS", 100, {"deleteAfterDays": 200}, "aws-backup-plan-check-lifecycle-bounds",
     lambda: _plan_with(f"{RULE}.lifecycle.deleteAfter", 200)),
    ("COLD_STORAGE_MINIMUM_DAYS", 200, {"coldStorageAfterDays": 30, "deleteAfterDays": 150},
     "aws-backup-plan-check-cold-storage-gap",
     lambda: _plan_with(f"{RULE}.lifecycle", {"coldStorageAfter": 30, "deleteAfter": 150})),
    ("CONTINUOUS_BACKUP_MAX_DAYS", 10, {"continuousBackup": True, "deleteAfterDays": 20},
     "aws-backup-plan-check-continuous-backup",
     lambda: mutate(_plan_with(f"{RULE}.enableContinuousBackup", True), "plan", f"{RULE}.lifecycle",
                    {"deleteAfter": 20})),
    ("MIN_START_WINDOW_MINUTES", 120, {"startWindowMinutes": 90}, "aws-backup-plan-check-start-window",
     lambda: _plan_with(f"{RULE}.startWindow", 90)),
    ("MIN_BACKUP_INTERVAL_MINUTES", 24 * 60, {"schedule": "cron(0 */12 ? * * *)"}, "aws-backup-plan-check-schedule",
     lambda: _plan_with(f"{RULE}.schedule", "cron(0 */12 ? * * *)")),
    ("RULE_NAME", facts.NameRule("backup rule name", "[a-z]", (1, 5), "letters", "test"), {"name": "sixsix"},
     "aws-backup-resource-check-names", lambda: _plan_with(f"{RULE}.ruleName", "sixsix")),
]


@pytest.mark.parametrize(("fact", "value", "rule", "policy", "items"), FACT_CHANGES, ids=[c[0] for c in FACT_CHANGES])
def test_a_fact_changed_in_facts_py_moves_the_config_and_the_pack_together(monkeypatch, fact, value, rule, policy,
                                                                          items):
    rules = [{"preset": "daily", "name": "daily", **rule}]
    selections = [{"name": "s", "resourceTypes": ["EBS", "RDS"]}]  # EBS: cold storage; RDS: continuous backup
    plan = {"name": "p", "vault": "main", "rules": rules, "selections": selections}
    before = (_refused(config(plans=[plan])), bool(verdict(BY_NAME[policy], items())))
    assert before == (False, False), f"{fact}: the case must pass before the change"
    monkeypatch.setattr(facts, fact, value)
    assert _refused(config(plans=[plan])), f"the config does not read facts.{fact}"
    assert verdict(BY_NAME[policy], items()), f"the pack does not read facts.{fact}"


def test_the_lock_and_replication_limits_move_together_too(monkeypatch):
    monkeypatch.setattr(facts, "MIN_CHANGEABLE_FOR_DAYS", 10)
    vault = {"name": "main", "lock": {"mode": "compliance", "changeableForDays": 5}}
    assert _refused(config(vaults=[vault]))
    lock = mutate(compliant(), "main-lock", "changeableForDays", 5)
    assert verdict(BY_NAME["aws-backup-vaultlock-check-bounds"], lock)
    monkeypatch.setattr(facts, "MAX_REPLICATION_RULES", 1)
    item = good_item()
    item["rules"].append({**item["rules"][0], "id": "second", "priority": 2})
    assert any("has 2 rules (allowed: at most 1" in line for line in problems_of(stack_config(item)))
    second = {**copy.deepcopy(compliant()["replication"].props["rules"][0]), "priority": 9}
    two_rules = mutate(compliant(), "replication", "rules[1]", second)
    assert any("at most 1" in v.message for v in verdict(BY_NAME["aws-s3-replication-check-rule-fields"], two_rules))


def test_the_components_take_rtc_and_the_key_window_from_facts(monkeypatch):
    monkeypatch.setattr(facts, "RTC_MINUTES", 20)
    monkeypatch.setattr(facts, "KMS_DELETION_WINDOW_DAYS", (7, 28))
    resources = run_program(stack_config(good_item()), preview=True)
    rule = one(resources, "aws:s3/bucketReplicationConfig:BucketReplicationConfig").inputs["rules"][0]
    assert rule["destination"]["replicationTime"]["time"]["minutes"] == 20
    assert rule["destination"]["metrics"]["eventThreshold"]["minutes"] == 20
    assert {key.inputs["deletionWindowInDays"] for key in resources if key.type == "aws:kms/key:Key"} == {28}
    assert not verdict(BY_NAME["aws-s3-replication-check-rtc-metrics"], _with_rtc(20))
    assert verdict(BY_NAME["aws-s3-replication-check-rtc-metrics"], _with_rtc(15))


def _with_rtc(minutes: int):
    items = mutate(compliant(), "replication", "rules[0].destination.replicationTime.time.minutes", minutes)
    return mutate(items, "replication", "rules[0].destination.metrics.eventThreshold.minutes", minutes)


# -- no limit written twice ------------------------------------------------------------------------------------
# Literals that only facts.py may write: the lifecycle bound, AWS's name patterns, the engine's unknown sentinel.
ONCE = [r"\b36_?500\b", r"\{2,50\}", r"\{1,50\}", r"04da6b54-80e4-46f7-96ec-b56ff0331ba9", r"\b1_?000\b(?! \*)",
        r"\+ 90\b", r"\b(?:cold|delete)\w* \+ 90"]


def test_no_limit_is_written_outside_facts_py():
    sources = [path for part in ("components", "policies", "preflight") for path in (ROOT / part).rglob("*.py")]
    sources.append(ROOT / "__main__.py")
    found = [f"{path.relative_to(ROOT)}: {pattern}" for path in sources if not path.name.endswith("facts.py")
             for pattern in ONCE if re.search(pattern, path.read_text())]
    assert found == []


def test_only_ascii_names_pass_and_nothing_hides_after_a_newline():
    assert "has '\\n'" in facts.bucket_name_problem("ab\ncd")
    assert "has 'ô'" in facts.name_problem(facts.ROLE_NAME, "rôle")
    assert facts.partition_of_region("eu-wäst-1") is None and facts.partition_of_region("eu-west-1\n") is None


def test_a_typo_in_capitals_still_finds_the_region():
    assert "did you mean 'eu-west-1'?" in facts.region_problem("EU-WEST-1", {r.value for r in pulumi_aws.Region})


def test_a_stack_in_a_partition_the_type_table_has_no_facts_for_is_refused():
    problems = refusal({**config(), "aws:region": "us-iso-east-1"})
    assert problems == ["aws:region: 'us-iso-east-1' is in partition aws-iso, for which the resource-type table has "
                        "no AWS Backup facts (allowed: a region of aws, aws-us-gov, aws-cn)"]
