"""The resource-type policies (compliance/guards/selections.py): PASS / FAIL / SKIP tables per policy and per type on
the pure checks, then the same verdicts and their levels per profile through the pack process.

The compliant stack (policy_stack.py) selects RDS databases and EBS volumes; its plan has a cold-storage rule
with a cross-region copy (rule 0) and a continuous-backup rule (rule 1). Each case changes one thing.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import get_args

import pytest
from compliance.guards import selections
from compliance.policy_config import load_policy_config_file, resolve_policy_config
from compliance.registry import BY_NAME
from compliance.resource_types_table import load_table
from compliance.resources import PLAN, REGION_SETTINGS
from policy_cases import Case, Change, add, chain, set_
from policy_stack import (
    ACCOUNT,
    DR_REGION,
    OTHER_ACCOUNT,
    PREFIX,
    REGION,
    REMOVE,
    UNKNOWN,
    Item,
    compliant,
    to_analyzed,
    verdict,
    without,
)
from pulumi_mocks import ROOT
from pulumi_policy.proxy import UnknownValueError

from components.config.resource_types import ResourceTypeName
from components.config.type_rules import FullManagementTypeName
from preflight.pack_client import PolicyPackProcess, policy_schemas

TABLE = load_table()
TYPE_FEATURES = "aws-backup-plan-check-type-features"
ADVANCED = "aws-backup-plan-require-advanced-features"
VSS = "aws-backup-plan-check-windows-vss-selection"
RULE, COPY, PITR = "rules[0]", "rules[0].copyActions[0]", "rules[1]"
GOV_REGION = "us-gov-west-1"


def selecting(*type_names: str, partition: str = "aws") -> Change:
    """The compliant stack's selection, changed to select exactly these types (AWS's whole-type patterns)."""
    patterns = [TABLE.resource_type(name).selection_pattern(partition) for name in type_names]
    return set_("selection", "resources", patterns)


def region_settings(region: str = REGION, **management: bool) -> Change:
    return add(f"settings-{region}", Item(REGION_SETTINGS, {
        "region": region, "resourceTypeOptInPreference": dict.fromkeys(TABLE.type_names, True),
        "resourceTypeManagementPreference": management}))


VSS_ON = set_("plan", "advancedBackupSettings", [{"resourceType": "EC2", "backupOptions": {"WindowsVSS": "enabled"}}])
NO_COLD = chain(set_("plan", f"{RULE}.lifecycle.coldStorageAfter", REMOVE),
                set_("plan", f"{COPY}.lifecycle.coldStorageAfter", REMOVE))
OTHER_ACCOUNT_VAULT = f"arn:aws:backup:{REGION}:{OTHER_ACCOUNT}:backup-vault:{PREFIX}-vault"
COPY_TO_OTHER_ACCOUNT_ONLY = set_("plan", f"{COPY}.destinationVaultArn", OTHER_ACCOUNT_VAULT)


def also_copy_to_other_account(items: dict[str, Item]) -> dict[str, Item]:
    """A second copy action, to a vault of another account in the plan's region (the DR copy stays and shows the
    stack's own account)."""
    items = without(items)
    items["plan"].props["rules"][0]["copyActions"].append(
        {"destinationVaultArn": OTHER_ACCOUNT_VAULT, "lifecycle": {"deleteAfter": 2555}})
    return items
TAG_ONLY = chain(set_("selection", "resources", REMOVE),
                 set_("selection", "selectionTags", [{"type": "STRINGEQUALS", "key": "backup", "value": "daily"}]))

# What the compliant plan (cold storage on rule 0 and its copy, continuous backup on rule 1) does for each type
# selected alone: the features of the plan none of the selected types has.
PLAN_FEATURES_MISSING = {
    "EBS": ["continuous backup"],
    "EC2": ["cold storage", "cold storage", "continuous backup"],
    "RDS": ["cold storage", "cold storage"],
    "Aurora": ["cold storage", "cold storage"],
    "DynamoDB": ["continuous backup"],
    "EFS": ["continuous backup"],
    "Storage Gateway": ["cold storage", "cold storage", "continuous backup"],
}
MARKER = {"cold storage": "coldStorageAfter", "continuous backup": "enableContinuousBackup"}

CASES: dict[str, list[Case]] = {
    TYPE_FEATURES: [
        Case("compliant stack (EBS cold storage, RDS continuous backup)", "pass"),
        Case("tag-only selection: any type", "pass", TAG_ONLY),
        Case("cold storage on RDS and EC2 only", "fail", selecting("RDS", "EC2")),
        Case("EBS removed by notResources", "fail", set_("selection", "notResources", ["arn:aws:ec2:*:*:volume/*"])),
        Case("EBS cold storage in GovCloud (no archive tier there)", "fail", chain(
            selecting("EBS", "RDS", partition="aws-us-gov"), set_("plan", "region", GOV_REGION),
            set_("selection", "region", GOV_REGION))),
        Case("EFS cold storage in GovCloud", "pass", chain(
            selecting("EFS", "RDS", partition="aws-us-gov"), set_("plan", "region", GOV_REGION),
            set_("selection", "region", GOV_REGION))),
        Case("archive tier with RDS only", "fail", chain(
            selecting("RDS"), NO_COLD, set_("plan", f"{RULE}.lifecycle.optInToArchiveForSupportedResources", True))),
        Case("archive tier with EBS", "pass", set_("plan", f"{RULE}.lifecycle.optInToArchiveForSupportedResources",
                                                   True)),
        Case("continuous backup on DynamoDB and EFS", "fail", selecting("DynamoDB", "EFS")),
        Case("plan without a selection", "skip", lambda items: {k: v for k, v in items.items() if k != "selection"}),
    ],
    ADVANCED: [
        Case("compliant stack (no DynamoDB)", "pass"),
        Case("DynamoDB cold storage and cross-region copy, no region settings", "fail", selecting("DynamoDB")),
        Case("DynamoDB with advanced features on in the plan's region", "pass",
             chain(selecting("DynamoDB"), region_settings(DynamoDB=True))),
        Case("DynamoDB with advanced features switched off", "fail",
             chain(selecting("DynamoDB"), region_settings(DynamoDB=False))),
        Case("advanced features on in another region only", "fail",
             chain(selecting("DynamoDB"), region_settings(DR_REGION, DynamoDB=True))),
        Case("DynamoDB cross-account copy in the same region", "fail",
             chain(selecting("DynamoDB"), NO_COLD, also_copy_to_other_account)),
        Case("the stack's account from the accountId knob", "fail",
             chain(selecting("DynamoDB"), NO_COLD, COPY_TO_OTHER_ACCOUNT_ONLY), config={"accountId": ACCOUNT}),
        Case("the stack's account unknown: the copy is not called cross-account", "pass",
             chain(selecting("DynamoDB"), NO_COLD, COPY_TO_OTHER_ACCOUNT_ONLY)),
        Case("EFS needs no switch", "pass", selecting("EFS")),
        Case("DynamoDB without cold storage or copies", "skip",
             chain(selecting("DynamoDB"), NO_COLD, set_("plan", f"{RULE}.copyActions", REMOVE))),
    ],
    VSS: [
        Case("no Windows VSS", "skip"),
        Case("Windows VSS, plan selects RDS and EBS", "fail", VSS_ON),
        Case("Windows VSS, plan selects EC2", "pass", chain(VSS_ON, selecting("EC2", "RDS"))),
        Case("Windows VSS disabled", "pass", set_(
            "plan", "advancedBackupSettings", [{"resourceType": "EC2", "backupOptions": {"WindowsVSS": "disabled"}}])),
        Case("Windows VSS, tag-only selection", "pass", chain(VSS_ON, TAG_ONLY)),
    ],
}
TABLE_CASES = [(name, case) for name, cases in CASES.items() for case in cases]


@pytest.mark.parametrize(("name", "case"), TABLE_CASES, ids=[f"{n}: {c.id}" for n, c in TABLE_CASES])
def test_case(name, case):
    violations = verdict(BY_NAME[name], case.change(compliant()), case.config)
    if case.expected == "fail":
        assert violations, "expected a violation"
        assert all(v.urn and "aws-backups:" in v.message for v in violations), [v.message for v in violations]
    else:
        assert violations == [], [v.message for v in violations]


@pytest.mark.parametrize("type_name", list(PLAN_FEATURES_MISSING))
def test_each_type_alone_against_the_compliant_plan(type_name):
    violations = verdict(BY_NAME[TYPE_FEATURES], selecting(type_name)(compliant()))
    found = sorted(next(k for k, v in MARKER.items() if v in violation.message) for violation in violations)
    assert found == sorted(PLAN_FEATURES_MISSING[type_name])
    for violation in violations:
        assert f"selecting {type_name})" in violation.message


def test_messages_say_what_aws_will_do_and_how_to_fix_it():
    [cold, copy_cold] = verdict(BY_NAME[TYPE_FEATURES], selecting("RDS")(compliant()))
    assert "lifecycle.coldStorageAfter 730 does nothing: none of the types the plan selects (RDS) has cold storage" in (
        cold.message)
    assert "AWS Backup keeps the recovery points in warm storage until they are deleted" in cold.message
    assert "aws-backups:plans[].rules[].coldStorageAfterDays" in cold.message
    assert "copy to arn:aws:backup:us-west-2" in copy_cold.message
    [pitr] = verdict(BY_NAME[TYPE_FEATURES], selecting("EFS")(compliant()))
    assert "AWS Backup takes snapshots instead: there is no point-in-time restore" in pitr.message


def test_advanced_features_messages_name_the_feature_the_state_and_the_config_key():
    violations = verdict(BY_NAME[ADVANCED], selecting("DynamoDB")(compliant()))
    messages = [v.message for v in violations]  # the rule's cold storage; the copy's cold storage and region
    assert sum("moves recovery points to cold storage after 730 days" in m for m in messages) == 2, messages
    assert sum(f"copies to region {DR_REGION}, which DynamoDB backups get only" in m for m in messages) == 1, messages
    assert all("aws-backups:regionSettings.fullManagement: [DynamoDB]" in v.message for v in violations)
    assert all("does not set resourceTypeManagementPreference.DynamoDB to true" in v.message for v in violations)
    stack = chain(selecting("DynamoDB"), NO_COLD, also_copy_to_other_account, region_settings(DynamoDB=False))
    [off] = [v for v in verdict(BY_NAME[ADVANCED], stack(compliant())) if "copies to account" in v.message]
    assert f"copies to account {OTHER_ACCOUNT}, which DynamoDB backups get only" in off.message
    assert "sets resourceTypeManagementPreference.DynamoDB to false" in off.message


def test_an_unknown_selection_entry_or_setting_is_read_not_guessed():
    # One unknown pattern could name any type: the SDK must report "can't run", not a verdict on fewer types.
    with pytest.raises(UnknownValueError):
        verdict(BY_NAME[TYPE_FEATURES], set_("selection", "resources", ["arn:aws:rds:*:*:db:*", UNKNOWN])(compliant()))
    settings = chain(selecting("DynamoDB"), region_settings(DynamoDB=True),
                     set_(f"settings-{REGION}", "resourceTypeManagementPreference.DynamoDB", UNKNOWN))
    with pytest.raises(UnknownValueError):
        verdict(BY_NAME[ADVANCED], settings(compliant()))


def test_an_unknown_selection_entry_from_a_resource_of_the_stack_is_its_type():
    """`resources=[table.arn]`: unknown at preview, but the dependency says it is a DynamoDB table's ARN."""
    def from_a_table(items: dict[str, Item]) -> dict[str, Item]:
        items = add("orders", Item("aws:dynamodb/table:Table", {"name": "orders"}))(items)
        items = set_("selection", "resources", [UNKNOWN])(items)
        items["selection"].deps = {**items["selection"].deps, "resources": ["orders"]}
        return items

    messages = [v.message for v in verdict(BY_NAME[TYPE_FEATURES], from_a_table(compliant()))]
    assert messages and all("selecting DynamoDB)" in message for message in messages), messages
    assert any("enableContinuousBackup true does nothing" in message for message in messages)


# --- the names a policy uses are the table's --------------------------------------------------------------------

TABLE_API = {"supports", "requirement", "types_supporting", "resource_type", "feature", "supporting"}
SOURCES = [*sorted((ROOT / "policies" / "compliance").glob("*.py")), *sorted((ROOT / "components").rglob("*.py"))]


def _literal_arguments(path: Path) -> list[tuple[int, str]]:
    """String literals passed to a table query anywhere in a module: (line, value)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in TABLE_API:
                args = [*node.args, *(keyword.value for keyword in node.keywords)]
                found += [(a.lineno, a.value) for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    return found


def test_every_type_or_feature_a_policy_or_validator_names_is_in_the_table():
    """Literal names passed to the table queries, statically; a name held in a variable reaches the same queries,
    which raise UnknownName at run time (the case tables run every such path)."""
    known = set(TABLE.type_names) | set(TABLE.feature_names) | set(TABLE.partitions)
    named = {(path.name, line, value) for path in SOURCES for line, value in _literal_arguments(path)}
    assert named, "the scan finds the table queries"
    assert {entry for entry in named if entry[2] not in known} == set()
    assert set(selections.REQUIREMENT_SETTING) == TABLE.requirement_names
    # The config's validators take their names from the table too.
    assert get_args(ResourceTypeName) == TABLE.type_names
    assert set(get_args(FullManagementTypeName)) == TABLE.types_supporting("fullManagement")


def test_the_scan_catches_a_name_the_table_does_not_have(tmp_path):
    module = tmp_path / "policy.py"
    module.write_text("TABLE.supports('Timestream', 'coldStorage')\nscope.supporting('backupSearch')\n")
    assert {value for _, value in _literal_arguments(module)} == {"Timestream", "coldStorage", "backupSearch"}


# --- through the pack process ----------------------------------------------------------------------------------

PROFILES = ROOT / "policies" / "profiles"
LEVELS = {  # policy -> profile -> level
    TYPE_FEATURES: dict.fromkeys(("baseline", "dev", "gdpr", "hipaa", "pci-dss", "sec-17a-4", "sox"), "mandatory"),
    ADVANCED: {"baseline": "advisory", "dev": "advisory", "gdpr": "advisory", "hipaa": "mandatory",
               "pci-dss": "mandatory", "sec-17a-4": "mandatory", "sox": "mandatory"},
    VSS: dict.fromkeys(("baseline", "dev", "gdpr", "hipaa", "pci-dss", "sec-17a-4", "sox"), "advisory"),
}
PROTOCOL_CASES = [(name, case) for name, case in TABLE_CASES if case.expected != "skip"]


@pytest.fixture(scope="module")
def pack():
    with PolicyPackProcess(ROOT / "policies", project="aws-backups", stack="prod",
                           pulumi_config={"aws:region": REGION}) as process:
        yield process


def _configure(pack: PolicyPackProcess, profile: str, name: str = "", config: dict | None = None) -> None:
    """The profile's config file as the CLI resolves it, with a case's knobs for one policy."""
    document = load_policy_config_file(PROFILES / f"{profile}.json") if profile != "none" else {}
    if config:
        document = {**document, name: {**document.get(name, {}), **config}}
    pack.configure(resolve_policy_config(policy_schemas(pack.info()), document))


@pytest.mark.parametrize(("name", "case"), PROTOCOL_CASES, ids=[f"{n}: {c.id}" for n, c in PROTOCOL_CASES])
def test_protocol_verdicts(pack, name, case):
    _configure(pack, "sec-17a-4", name, case.config)
    diagnostics = [d for d in pack.analyze_stack(to_analyzed(case.change(compliant()))).diagnostics
                   if d.policy == name]
    assert not any(d.could_not_run for d in diagnostics), [d.message for d in diagnostics]
    assert bool(diagnostics) == (case.expected == "fail"), [d.message for d in diagnostics]
    if diagnostics:
        assert {d.level for d in diagnostics} == {LEVELS[name]["sec-17a-4"]}
        assert all(d.urn.endswith(f"{PLAN}::plan") for d in diagnostics)


FAILING = {TYPE_FEATURES: selecting("RDS", "EC2"), ADVANCED: selecting("DynamoDB"), VSS: VSS_ON}


@pytest.mark.parametrize("profile", [*sorted(p.stem for p in PROFILES.glob("*.json")), "none"])
def test_protocol_levels_per_profile(pack, profile):
    _configure(pack, profile)
    expected_profile = "baseline" if profile == "none" else profile  # no config file: the baseline levels
    for name, change in FAILING.items():
        diagnostics = [d for d in pack.analyze_stack(to_analyzed(change(compliant()))).diagnostics
                       if d.policy == name]
        assert diagnostics, (profile, name)
        assert {d.level for d in diagnostics} == {LEVELS[name][expected_profile]}, (profile, name)


def mutate_rules(items: dict[str, Item], edit_rules) -> dict[str, Item]:
    items = without(items)
    items["plan"].props["rules"] = edit_rules(items["plan"].props["rules"])
    return items


def strengths_only(type_name: str) -> Change:
    """The compliant plan reduced to what the type has (cold storage, continuous backup), with Windows VSS and
    advanced features where the table says they apply: every resource-type policy passes."""
    changes = [selecting(type_name)]
    if not TABLE.supports(type_name, "coldStorage", "aws"):
        changes.append(NO_COLD)
    if not TABLE.supports(type_name, "continuousBackup"):
        changes.append(lambda items: mutate_rules(items, lambda rules: rules[:1]))
    if TABLE.supports(type_name, "windowsVss"):
        changes.append(VSS_ON)
    if any(TABLE.requirement(type_name, f) for f in ("coldStorage", "crossRegionCopy")):
        changes.append(region_settings(**{type_name: True}))
    return chain(*changes)


@pytest.mark.parametrize("type_name", list(PLAN_FEATURES_MISSING))
def test_protocol_per_type_fail_then_pass(pack, type_name):
    _configure(pack, "sec-17a-4")
    failing = pack.analyze_stack(to_analyzed(selecting(type_name)(compliant()))).diagnostics
    assert len([d for d in failing if d.policy == TYPE_FEATURES]) == len(PLAN_FEATURES_MISSING[type_name])
    passing = pack.analyze_stack(to_analyzed(strengths_only(type_name)(compliant()))).diagnostics
    assert [d.message for d in passing if d.policy in CASES] == []


# --- the selection ARN check of the coverage policies reads the same table --------------------------------------


@pytest.mark.parametrize(
    ("resources", "expected"),
    [
        (["arn:aws:ec2:*"], "pass"),  # every EC2 type, by service: AWS's own example
        (["arn:aws-us-gov:ec2:*:*:volume/*", "arn:aws-cn:rds:*:*:cluster:*"], "pass"),
        (["arn:aws:ec2:us-east-1:12345:volume/vol-0abc"], "fail"),  # a 5-digit account
        (["arn:aws:storagegateway:*:*:gateway/*"], "pass"),
        (["arn:aws-iso:ec2:*"], "fail"),
    ],
)
def test_selection_arn_check_accepts_what_aws_accepts(resources, expected):
    violations = verdict(BY_NAME["aws-backup-selection-check-resource-types"],
                         set_("selection", "resources", resources)(compliant()))
    assert bool(violations) == (expected == "fail"), [v.message for v in violations]
