"""The organization stack: each plan of aws-backups:organization.plans as an AWS Organizations backup policy,
attached where it applies; what a backup policy cannot say refused by key; the syntax and size quota checked
before anything is registered."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from compliance.org_backup_policy import parse, syntax_problems
from org_stack import ORG, refused
from pulumi_mocks import of_type, one, run_stack_file

GOLDEN = Path(__file__).parent / "fixtures" / "backup_policies"
POLICY = "aws:organizations/policy:Policy"
ATTACHMENT = "aws:organizations/policyAttachment:PolicyAttachment"


@pytest.fixture(scope="module")
def org():
    return run_stack_file(ORG)


@pytest.mark.parametrize("plan", ["standard", "critical"])
def test_each_plan_renders_to_the_documented_backup_policy_syntax(org, plan):
    policy = one(org, POLICY, plan)
    assert policy.inputs["type"] == "BACKUP_POLICY"
    document = parse(policy.inputs["content"])
    assert syntax_problems(document) == []
    path = GOLDEN / f"{plan}.json"
    rendered = json.dumps(document, indent=2) + "\n"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(rendered)
    assert rendered == path.read_text(), f"{path} differs: rerun with UPDATE_GOLDEN=1 and read the diff"
    assert policy.inputs["content"] == json.dumps(document, separators=(",", ":"))  # saved minified


def test_policies_are_attached_where_the_plans_apply_and_protected_in_production(org):
    targets = {(r.name, r.inputs["targetId"]) for r in of_type(org, ATTACHMENT)}
    assert targets == {("standard-r-ab12", "r-ab12"), ("critical-ou-ab12-prod1234", "ou-ab12-prod1234")}
    assert all(policy.protect for policy in of_type(org, POLICY))


def test_cross_account_backup_is_enabled_for_the_organization(org):
    settings = one(org, "aws:backup/globalSettings:GlobalSettings")
    assert settings.inputs["globalSettings"] == {"isCrossAccountBackupEnabled": "true"}


def test_member_account_values_use_the_account_variable(org):
    document = json.loads(one(org, POLICY, "standard").inputs["content"])
    [selection] = document["plans"]["aws-backups-org-standard"]["selections"]["resources"].values()
    assert selection["iam_role_arn"] == {"@@assign": "arn:aws:iam::$account:role/aws-backups-member-backup"}
    assert document["plans"]["aws-backups-org-standard"]["regions"] == {"@@assign": ["eu-west-1", "eu-central-1"]}


@pytest.mark.parametrize(("edit", "key", "words"), [
    (lambda o: o["plans"][0]["rules"][0].update(timezone="Europe/Paris"),
     "aws-backups:organization.plans[0].rules[0].timezone", "run in UTC"),
    (lambda o: o["plans"][0]["selections"][0].update(resources=["arn:aws:rds:*:*:db:payments"]),
     "aws-backups:organization.plans[0].selections[0].resources", "resource type and tags only"),
    (lambda o: o["plans"][0]["rules"][1]["copyTo"][0].update(vault="dr", vaultArn=None),
     "aws-backups:organization.plans[0].rules[1].copyTo[0].vault", "allowed: vaultArn"),
    (lambda o: o["plans"][1].update(attachTo=["organization"]),
     "aws-backups:organization.plans[1].attachTo[0]", ""),
], ids=["time zone", "ARN selection", "copy to a vault of the stack", "attachment target"])
def test_what_a_backup_policy_cannot_say_is_refused_by_key(edit, key, words):
    message = refused(edit)
    assert key in message and words in message


def test_a_document_over_the_size_quota_is_refused_before_anything_is_registered():
    def many_rules(organization):
        plan = organization["plans"][1]
        plan["rules"] = [{"name": f"Rule{index:03}", "schedule": "cron(0 5 ? * * *)", "deleteAfterDays": 90,
                          "recoveryPointTags": {f"tag{i}": "x" * 40 for i in range(3)}} for index in range(40)]
    message = refused(many_rules)
    assert "aws-backups:organization.plans[1]" in message and "10,000" in message


def test_preflight_lists_the_plans_each_target_runs_by_effective_policy(org):
    """The OU under the root gets the root's plan and its own (root -> OU); the root only its own."""
    from preflight.plans_by_target import organization_plans, render_lines

    entries = {entry["path"]: entry for entry in organization_plans(org)}
    assert set(entries) == {"root r-ab12", "root r-ab12 -> OU ou-ab12-prod1234"}
    prod = entries["root r-ab12 -> OU ou-ab12-prod1234"]
    assert prod["policies"] == ["standard", "critical"]
    assert [plan["name"] for plan in prod["plans"]] == ["aws-backups-org-standard", "aws-backups-org-critical"]
    assert prod["plans"][1]["rules"] == [
        "Every12Hours: cron(0 5/12 ? * * *) UTC, kept 90 d, vault aws-backups-member"]
    assert prod["plans"][1]["regions"] == ["eu-west-1", "eu-central-1"]
    assert [plan["name"] for plan in entries["root r-ab12"]["plans"]] == ["aws-backups-org-standard"]
    assert "        Every12Hours: cron(0 5/12 ? * * *) UTC, kept 90 d, vault aws-backups-member" in render_lines(
        list(entries.values()))


def test_more_plans_than_an_organization_may_hold_backup_policies_are_refused():
    def too_many(organization):
        organization["plans"] = [{**organization["plans"][0], "name": f"plan{index}"} for index in range(1_001)]
    message = refused(too_many)
    assert "aws-backups:organization.plans" in message and "at most 1,000" in message
