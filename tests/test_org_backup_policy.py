"""Backup policy syntax and the effective policy of an account, by AWS's inheritance operators (AWS Organizations
User Guide, "Inheritance operators" and the backup policy examples): assign, append, remove, child control."""

from __future__ import annotations

import pytest
from compliance.org_backup_policy import (
    MAX_POLICY_CHARACTERS,
    PolicySyntaxError,
    backup_plans,
    effective_policy,
    parse,
    syntax_problems,
)

LOCK = "@@operators_allowed_for_child_policies"


def plan(regions: list[str], delete: str = "35", **extra) -> dict:
    return {"regions": {"@@assign": regions},
            "rules": {"Daily": {"schedule_expression": {"@@assign": "cron(0 5 ? * * *)"},
                                "target_backup_vault_name": {"@@assign": "Default"},
                                "lifecycle": {"delete_after_days": {"@@assign": delete}}}},
            **extra}


def test_a_child_assign_overrides_and_append_and_remove_edit_lists():
    parent = {"plans": {"p": plan(["us-east-1", "eu-west-1"])}}
    child = {"plans": {"p": {"regions": {"@@append": ["eu-central-1", "us-east-1"]},
                             "rules": {"Daily": {"lifecycle": {"delete_after_days": {"@@assign": "90"}}}}}}}
    grandchild = {"plans": {"p": {"regions": {"@@remove": ["us-east-1"]}}}}
    effective, ignored = effective_policy([("root", parent), ("ou", child), ("account", grandchild)])
    assert effective["plans"]["p"]["regions"] == ["eu-west-1", "eu-central-1"]
    assert effective["plans"]["p"]["rules"]["Daily"]["lifecycle"]["delete_after_days"] == "90"
    assert ignored == []


def test_none_locks_a_setting_and_the_child_s_change_is_ignored():
    parent = {"plans": {"p": plan(["us-east-1"])}}
    parent["plans"]["p"]["rules"]["Daily"]["lifecycle"]["delete_after_days"][LOCK] = ["@@none"]
    child = {"plans": {"p": {"rules": {"Daily": {"lifecycle": {"delete_after_days": {"@@assign": "1"}}}}}}}
    effective, ignored = effective_policy([("root", parent), ("account", child)])
    assert effective["plans"]["p"]["rules"]["Daily"]["lifecycle"]["delete_after_days"] == "35"
    assert [(i.policy, i.path, i.operator) for i in ignored] == [
        ("account", "plans.p.rules.Daily.lifecycle.delete_after_days", "@@assign")]


def test_append_at_plans_lets_children_add_plans_but_not_change_a_locked_one():
    """AWS's example 4: the parent allows @@append at `plans` and locks its own plan."""
    parent = {"plans": {LOCK: ["@@append"], "p": {LOCK: ["@@none"], **plan(["us-east-1"])}}}
    child = {"plans": {"monthly": plan(["eu-west-1"], delete="365")}}
    effective, ignored = effective_policy([("root", parent), ("account", child)])
    assert set(effective["plans"]) == {"p", "monthly"}
    assert ignored == []
    intruder = {"plans": {"p": {"extra": {}}}}
    _, ignored = effective_policy([("root", parent), ("account", intruder)])
    assert [i.operator for i in ignored] == ["adding"]


def test_a_restriction_cannot_be_widened_below():
    parent = {"plans": {"p": {**plan(["us-east-1"]), "regions": {"@@assign": ["us-east-1"], LOCK: ["@@append"]}}}}
    ou = {"plans": {"p": {"regions": {"@@append": ["eu-west-1"], LOCK: ["@@all"]}}}}
    account = {"plans": {"p": {"regions": {"@@assign": ["ap-south-1"]}}}}
    effective, ignored = effective_policy([("root", parent), ("ou", ou), ("account", account)])
    assert effective["plans"]["p"]["regions"] == ["us-east-1", "eu-west-1"]
    assert [(i.policy, i.operator) for i in ignored] == [("account", "@@assign")]


@pytest.mark.parametrize(("document", "path"), [
    ({"plans": {"p": {"rules": {"r": {"lifecycle": {"delete_after": {"@@assign": "3"}}}}}}},
     "plans.p.rules.r.lifecycle.delete_after: unknown key"),
    ({"plans": {"p": {"regions": {"@@assign": ["x"], "@@merge": ["y"]}}}}, "plans.p.regions: unknown operator"),
    ({"plans": {"p": {"regions": ["us-east-1"]}}}, "plans.p.regions: a setting is an object"),
    ({"plans": {"p": {"regions": {}}}}, "plans.p.regions: needs exactly one of"),
    ({"plans": {"@@assign": {}}}, "plans.@@assign: operators apply to settings"),
    ({"plans": {LOCK: ["@@none", "@@assign"]}}, "mixes @@all or @@none"),
    ({"plan": {}}, "plans: missing"),
    ({"plans": {"p": {"selections": {"arns": {}}}}}, "plans.p.selections.arns: unknown key"),
])
def test_each_syntax_problem_names_its_json_path(document, path):
    assert any(path in problem for problem in syntax_problems(document)), syntax_problems(document)


def test_json_errors_and_duplicate_keys_are_refused():
    with pytest.raises(PolicySyntaxError, match="duplicate key 'p'"):
        parse('{"plans": {"p": {}, "p": {}}}')
    with pytest.raises(PolicySyntaxError, match="not valid JSON"):
        parse('{"plans": ')
    assert MAX_POLICY_CHARACTERS == 10_000


def test_the_plans_inside_read_as_backup_plans():
    effective, _ = effective_policy([("root", {"plans": {"p": plan(["us-east-1", "eu-west-1"], delete="400")}})])
    [(name, props)] = backup_plans(effective)
    assert name == "p" and props["region"] == "us-east-1"
    [rule] = props["rules"]
    assert rule["lifecycle"] == {"deleteAfter": 400.0}
    assert rule["scheduleExpressionTimezone"] == "Etc/UTC"  # a backup policy's cron is UTC
