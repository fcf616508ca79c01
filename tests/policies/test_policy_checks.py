"""Unit tests: every policy's PASS / FAIL / SKIP table (policy_cases.py) on its pure check function."""

from __future__ import annotations

import re

import pytest
from compliance.registry import BY_NAME
from compliance.resources import READS_SEEN, Props, kind_of
from policy_cases import CASES
from policy_schema import declared_reads
from policy_stack import UNKNOWN, compliant, mutate, verdict
from pulumi_policy.proxy import UnknownValueError

# Every message ends with how to fix it: an imperative sentence.
FIX = re.compile(r"[.;:(] (Set|Add|Remove|Rename|Use|Lower|Raise|Make|Fix|Put|Give|Target|Attach|Merge|Create)\b")
TABLE = [(name, case) for name, cases in CASES.items() for case in cases]
# Resource options a fix may name besides the properties a policy reads.
OPTIONS = ("protect", "retainOnDelete", "dependsOn")


def names_a_property_or_config_key(spec, fix: str) -> bool:
    """The fix says what to change in stack terms: an `aws-backups:` key, or a property the policy reads (its last
    path segment, e.g. `deleteAfter`, `replicaKmsKeyId`), or a resource option."""
    names = {segment for paths in spec.reads.values() for path in paths
             for segment in path.replace("[]", "").split(".")[-1:]} | set(OPTIONS)
    return "aws-backups:" in fix or any(re.search(rf"\b{re.escape(n)}\b", fix) for n in names)


@pytest.mark.parametrize(("name", "case"), TABLE, ids=[f"{name}: {case.id}" for name, case in TABLE])
def test_case(name, case):
    violations = verdict(BY_NAME[name], case.change(compliant()), case.config)
    if case.expected == "fail":
        assert violations, "expected a violation"
        for violation in violations:
            assert violation.urn, "a violation names the resource"
            fix = FIX.search(violation.message)
            assert fix, f"no fix in: {violation.message}"
            assert names_a_property_or_config_key(BY_NAME[name], violation.message[fix.start():]), (
                f"the fix names no property the policy reads and no aws-backups: key: {violation.message}")
    else:
        assert violations == [], [v.message for v in violations]


def test_messages_name_the_value_found_and_the_fix():
    [violation] = verdict(BY_NAME["aws-backup-plan-enforce-min-retention"],
                          mutate(compliant(), "plan", "rules[0].copyActions[0].lifecycle", {"deleteAfter": 30.0}),
                          {"minRetentionDays": 35})
    assert "30 days" in violation.message
    assert "aws-backups:plans[].rules[].copyTo[].deleteAfterDays >= 35" in violation.message


def test_a_value_needed_and_unknown_raises_the_sdks_error():
    # Only when really needed; the pack turns it into its own "cannot judge" verdict (spec.to_policy), and an
    # uncaught one would still be the SDK's advisory "can't run policy during preview".
    items = mutate(compliant(), "main-lock", "maxRetentionDays", UNKNOWN)
    with pytest.raises(UnknownValueError) as raised:
        verdict(BY_NAME["aws-backup-plan-check-retention-in-lock"], items)
    assert (raised.value.path, raised.value.owner) == ("maxRetentionDays", "urn:pulumi:prod::aws-backups::"
                                                       "aws:backup/vaultLockConfiguration:VaultLockConfiguration::main-lock")


def test_props_tolerate_odd_shapes():
    props = Props({"rules": "not a list", "lifecycle": "text", "n": "35", "b": "true", "x": True})
    assert props.items("rules") == []
    assert props.child("lifecycle").number("deleteAfter") is None
    assert props.number("n") == 35.0
    assert props.flag("b") is True
    assert props.number("x") is None  # a boolean is not a number


def test_every_read_is_declared():
    """The paths the checks actually read (recorded while the tables ran) are among the paths each policy
    declares, which the schema test checks against pulumi_aws."""
    READS_SEEN.clear()
    for name, case in TABLE:
        verdict(BY_NAME[name], case.change(compliant()), case.config)
    assert {(kind_of(token), path) for token, path in READS_SEEN} - declared_reads() == set()
