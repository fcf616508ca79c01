"""AWS Organizations backup policies (`BACKUP_POLICY`): their syntax, the effective policy an account gets from the
policies on its path (root, then each OU, then the account), and the plans inside as AWS Backup would run them.

Sources: AWS Organizations User Guide, "Backup policy syntax and examples"
(https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_backup_syntax.html) for the
element tree; "Inheritance operators" (policy-operators) for `@@assign`, `@@append`, `@@remove` and
`@@operators_allowed_for_child_policies`; "Quotas for AWS Organizations" and AWS::Organizations::Policy `Content`
for the 10,000-character size of a backup policy document. Plain Python: the program renders documents with it and
the pack judges them with it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

MAX_POLICY_CHARACTERS = 10_000  # a backup policy document, as saved (the SDK and the CLI save it as given)
VALUE_OPERATORS = ("@@assign", "@@append", "@@remove")
LIST_OPERATORS = ("@@append", "@@remove")  # "You can use this operator with only multi-valued settings"
CHILD_CONTROL = "@@operators_allowed_for_child_policies"
ALL, NONE = "@@all", "@@none"
CONDITION_OPERATORS = ("string_equals", "string_not_equals", "string_like", "string_not_like")
# Backup policy schedules are cron in UTC ("Cron expression in UTC"): the element tree has no time zone.
POLICY_TIMEZONE = "Etc/UTC"


class Leaf:
    """A setting: `{"@@assign": value}` (or `@@append` / `@@remove` with a list)."""


class Named:
    """A map of entries the author names (plans, rules, copy actions, selections), each shaped `shape`."""

    def __init__(self, shape: Mapping[str, Any]) -> None:
        self.shape = shape


LEAF = Leaf()
LIFECYCLE = {"move_to_cold_storage_after_days": LEAF, "delete_after_days": LEAF,
             "opt_in_to_archive_for_supported_resources": LEAF}
TAG = {"tag_key": LEAF, "tag_value": LEAF}
CONDITIONS = {operator: Named({"condition_key": LEAF, "condition_value": LEAF}) for operator in CONDITION_OPERATORS}
RULE = {
    "schedule_expression": LEAF, "target_backup_vault_name": LEAF,
    "target_logically_air_gapped_backup_vault_arn": LEAF, "start_backup_window_minutes": LEAF,
    "complete_backup_window_minutes": LEAF, "enable_continuous_backup": LEAF, "lifecycle": LIFECYCLE,
    "copy_actions": Named({"target_backup_vault_arn": LEAF, "lifecycle": LIFECYCLE}),
    "recovery_point_tags": Named(TAG), "index_actions": {"resource_types": LEAF},
    "scan_actions": Named({"scan_mode": LEAF}),
}
PLAN = {
    "regions": LEAF,
    "rules": Named(RULE),
    "selections": {
        "tags": Named({"iam_role_arn": LEAF, "tag_key": LEAF, "tag_value": LEAF, "conditions": CONDITIONS}),
        "resources": Named({"iam_role_arn": LEAF, "resource_types": LEAF, "not_resource_types": LEAF,
                            "conditions": CONDITIONS}),
    },
    "advanced_backup_settings": {"ec2": {"windows_vss": LEAF}, "s3": {"backup_acls": LEAF, "backup_object_tags": LEAF}},
    "backup_plan_tags": Named(TAG),
    "scan_settings": Named({"resource_types": LEAF, "scanner_role_arn": LEAF}),
}
POLICY = {"plans": Named(PLAN)}


class PolicySyntaxError(ValueError):
    """Not a backup policy AWS accepts; the message names the JSON path."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise PolicySyntaxError(f"duplicate key {key!r} (AWS rejects duplicate key names)")
        seen[key] = value
    return seen


def parse(content: str) -> dict[str, Any]:
    """The document, or PolicySyntaxError: not JSON, duplicate keys, not an object."""
    try:
        document = json.loads(content, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as error:
        raise PolicySyntaxError(f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})") from error
    if not isinstance(document, dict):
        raise PolicySyntaxError("a backup policy is a JSON object with `plans`")
    return document


def minified(document: Mapping[str, Any]) -> str:
    """The document without white space between elements, as the program saves it."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def _child_control_problems(value: Any, where: str) -> Iterator[str]:
    allowed = {ALL, NONE, *VALUE_OPERATORS}
    if not isinstance(value, list) or not value or not all(isinstance(item, str) for item in value):
        yield f"{where}: {CHILD_CONTROL} takes a list of operators (allowed: {', '.join(sorted(allowed))})"
        return
    if unknown := [item for item in value if item not in allowed]:
        yield f"{where}: unknown operator {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})"
    if (ALL in value or NONE in value) and len(value) > 1:
        yield f"{where}: {value} mixes @@all or @@none with other operators (allowed: one of them alone)"


def _leaf_problems(node: Any, where: str) -> Iterator[str]:
    if not isinstance(node, dict):
        yield f"{where}: a setting is an object with one operator, e.g. {{\"@@assign\": ...}}"
        return
    operators = [key for key in node if key != CHILD_CONTROL]
    if CHILD_CONTROL in node:
        yield from _child_control_problems(node[CHILD_CONTROL], where)
    if unknown := [key for key in operators if key not in VALUE_OPERATORS]:
        yield f"{where}: unknown operator {', '.join(unknown)} (allowed: {', '.join(VALUE_OPERATORS)})"
    elif len(operators) != 1:
        yield f"{where}: needs exactly one of {', '.join(VALUE_OPERATORS)}"
    elif operators[0] in LIST_OPERATORS and not isinstance(node[operators[0]], list):
        yield f"{where}: {operators[0]} applies to lists only (use @@assign for a single value)"


def _map_problems(node: Any, shape: Mapping[str, Any] | Named, where: str) -> Iterator[str]:
    if not isinstance(node, dict):
        yield f"{where or 'the document'}: expected an object"
        return
    if CHILD_CONTROL in node:
        yield from _child_control_problems(node[CHILD_CONTROL], where or "the document")
    for key, value in node.items():
        path = f"{where}.{key}" if where else key
        if key == CHILD_CONTROL:
            continue
        if key.startswith("@@"):
            yield f"{path}: operators apply to settings, not to a map of elements"
            continue
        child = shape.shape if isinstance(shape, Named) else shape.get(key)
        if child is None:
            yield f"{path}: unknown key (allowed: {', '.join(shape)})"  # type: ignore[arg-type]
        elif child is LEAF:
            yield from _leaf_problems(value, path)
        else:
            yield from _map_problems(value, child, path)


def syntax_problems(document: Mapping[str, Any]) -> list[str]:
    """Every place where the document breaks the backup policy syntax, each with its JSON path."""
    problems = list(_map_problems(document, POLICY, ""))
    if "plans" not in document:
        problems.insert(0, "plans: missing (a backup policy is {\"plans\": {...}})")
    return problems


# -- inheritance ---------------------------------------------------------------------------------------------------
@dataclass
class _Node:
    """One element of the effective policy while it is merged: a value, or named children; and which operators
    the policies merged so far still allow the next (child) policies to use on it."""

    value: Any = None
    has_value: bool = False
    children: dict[str, _Node] = field(default_factory=dict)
    allowed: frozenset[str] = frozenset(VALUE_OPERATORS)

    def restrict(self, control: Any) -> None:
        """A policy's child control narrows what its children may do; a child can never widen it."""
        if isinstance(control, list) and ALL not in control:
            self.allowed &= frozenset(item for item in control if item in VALUE_OPERATORS)

    def plain(self) -> Any:
        return self.value if self.has_value else {key: child.plain() for key, child in self.children.items()}


@dataclass(frozen=True)
class Ignored:
    """A setting of a policy that the effective policy does not take: a parent's child control forbids it."""

    policy: str
    path: str
    operator: str
    allowed: frozenset[str]

    def __str__(self) -> str:
        allowed = ", ".join(sorted(self.allowed)) or "none"
        return f"{self.policy}: {self.operator} at {self.path} is ignored (the policies above allow: {allowed})"


def _merge_leaf(node: _Node, setting: Mapping[str, Any], path: str, policy: str, ignored: list[Ignored]) -> None:
    operator = next(key for key in setting if key in VALUE_OPERATORS)
    value = setting[operator]
    if operator not in node.allowed:
        ignored.append(Ignored(policy, path, operator, node.allowed))
        return
    if operator == "@@assign":
        node.value = value
    elif operator == "@@append":
        current = node.value if isinstance(node.value, list) else []
        node.value = current + [item for item in value if item not in current]
    else:
        node.value = [item for item in (node.value or []) if item not in value]
    node.has_value = True


def _merge(node: _Node, element: Mapping[str, Any], shape: Any, path: str, policy: str,
           ignored: list[Ignored]) -> None:
    for key, value in element.items():
        if key == CHILD_CONTROL:
            continue
        child_shape = shape.shape if isinstance(shape, Named) else shape.get(key)
        child_path = f"{path}.{key}" if path else key
        if key not in node.children:
            # Adding an element the policies above do not have: @@append at the map (AWS's example 4).
            if "@@append" not in node.allowed and "@@assign" not in node.allowed:
                ignored.append(Ignored(policy, child_path, "adding", node.allowed))
                continue
            node.children[key] = _Node()
        child = node.children[key]
        if child_shape is LEAF:
            _merge_leaf(child, value, child_path, policy, ignored)
        else:
            _merge(child, value, child_shape, child_path, policy, ignored)
        child.restrict(value.get(CHILD_CONTROL) if isinstance(value, dict) else None)


def effective_policy(policies: Sequence[tuple[str, Mapping[str, Any]]]) -> tuple[dict[str, Any], list[Ignored]]:
    """The effective policy of an account from its policies in inheritance order (root first, the account's own
    last), each (name, document) and syntactically valid; and the settings AWS ignores on the way."""
    root = _Node()
    ignored: list[Ignored] = []
    for name, document in policies:
        _merge(root, document, POLICY, "", name, ignored)
        root.restrict(document.get(CHILD_CONTROL))
    return root.plain(), ignored


# -- the plans inside, as AWS Backup runs them ----------------------------------------------------------------------
def _number(value: Any) -> float | None:
    """Policy numbers are strings ("180") or numbers; None when neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _lifecycle(lifecycle: Any) -> dict[str, Any] | None:
    if not isinstance(lifecycle, dict):
        return None
    found = {"coldStorageAfter": _number(lifecycle.get("move_to_cold_storage_after_days")),
             "deleteAfter": _number(lifecycle.get("delete_after_days")),
             "optInToArchiveForSupportedResources": _flag(lifecycle.get("opt_in_to_archive_for_supported_resources"))}
    return {key: value for key, value in found.items() if value is not None and value is not False}


def _rule(name: str, rule: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {
        "ruleName": name,
        "schedule": rule.get("schedule_expression"),
        "scheduleExpressionTimezone": POLICY_TIMEZONE,
        "targetVaultName": rule.get("target_backup_vault_name"),
        "startWindow": _number(rule.get("start_backup_window_minutes")),
        "completionWindow": _number(rule.get("complete_backup_window_minutes")),
        "enableContinuousBackup": _flag(rule.get("enable_continuous_backup")),
        "lifecycle": _lifecycle(rule.get("lifecycle")),
        "copyActions": [{"destinationVaultArn": (action or {}).get("target_backup_vault_arn", arn),
                         "lifecycle": _lifecycle((action or {}).get("lifecycle"))}
                        for arn, action in (rule.get("copy_actions") or {}).items()],
    }
    return {key: value for key, value in found.items() if value is not None}


def backup_plans(effective: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(plan name, its properties as an `aws:backup/plan:Plan` has them) for every plan of an effective policy:
    the pack's plan policies judge these. AWS runs the plan in each of its regions with the same rules; the first
    region stands for them (the plan policies judge rules, not regions)."""
    plans = []
    for name, plan in (effective.get("plans") or {}).items():
        if not isinstance(plan, dict):
            continue
        rules = [_rule(rule_name, rule) for rule_name, rule in (plan.get("rules") or {}).items()
                 if isinstance(rule, dict)]
        regions = [region for region in plan.get("regions") or [] if isinstance(region, str)]
        plans.append((name, {"name": name, "rules": rules, **({"region": regions[0]} if regions else {})}))
    return plans
