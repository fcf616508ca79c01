"""Bad stack configs: each fails before anything is registered, with one line naming the key path, the value found
and what is allowed."""

from __future__ import annotations

import copy

import pytest

from components.config import ConfigError, load_stack_config

GOOD: dict[str, object] = {
    "aws:region": "eu-west-1",
    "aws-backups:vaults": [
        {"name": "main", "lock": {"mode": "governance", "minRetentionDays": 7, "maxRetentionDays": 400}},
        {"name": "dr", "region": "eu-central-1"},
    ],
    "aws-backups:plans": [
        {
            "name": "standard",
            "vault": "main",
            "rules": [{"preset": "daily"}, {"preset": "monthly1Year", "copyTo": [{"vault": "dr"}]}],
            "selections": [{"name": "tagged", "resourceTypes": ["EBS"], "conditions": {"stringEquals": {"b": "y"}}}],
        }
    ],
}


# (id, edits of GOOD as (path into the config, new value), the expected line: exact, or its start when the
# allowed list is long)
CASES: list[tuple[str, list[tuple[tuple, object]], str]] = [
    (
        "delete before cold storage + 90",
        [(("aws-backups:plans", 0, "rules", 1, "deleteAfterDays"), 100)],
        "aws-backups:plans[0].rules[1].deleteAfterDays: 100 is less than 90 days after the move to cold storage "
        "at day 30 (allowed: 120 or more: a point stays at least 90 days in cold storage; API_Lifecycle)",
    ),
    (
        "delete after below 1",
        [(("aws-backups:plans", 0, "rules", 0, "deleteAfterDays"), 0)],
        "aws-backups:plans[0].rules[0].deleteAfterDays: 0 is outside the days AWS Backup accepts (allowed: 1 to "
        "36500 days)",
    ),
    (
        "delete after above 36500",
        [(("aws-backups:plans", 0, "rules", 0, "deleteAfterDays"), 36501)],
        "aws-backups:plans[0].rules[0].deleteAfterDays: 36501 is outside the days AWS Backup accepts (allowed: 1 "
        "to 36500 days)",
    ),
    (
        "unknown preset",
        [(("aws-backups:plans", 0, "rules", 0, "preset"), "hourly")],
        "aws-backups:plans[0].rules[0].preset: 'hourly' is not allowed (allowed: 'daily', 'weekly', 'monthly1Year', "
        "'monthly5Year' or 'monthly7Year')",
    ),
    (
        "five-field cron",
        [(("aws-backups:plans", 0, "rules", 0, "schedule"), "cron(0 5 * * ?)")],
        "aws-backups:plans[0].rules[0].schedule: 'cron(0 5 * * ?)' is not an AWS Backup cron expression: "
        "Incorrect number of values in '0 5 * * ?'. 6 required, 5 provided (allowed: cron(minute hour "
        "day-of-month month day-of-week year), one day field '?', e.g. cron(0 5 ? * * *))",
    ),
    (
        "schedule not cron",
        [(("aws-backups:plans", 0, "rules", 0, "schedule"), "rate(12 hours)")],
        "aws-backups:plans[0].rules[0].schedule: 'rate(12 hours)' is not an AWS Backup cron expression: it is not "
        "cron(...) around six fields (allowed: cron(minute hour day-of-month month day-of-week year), one day "
        "field '?', e.g. cron(0 5 ? * * *))",
    ),
    (
        "backups less than 60 minutes apart",
        [(("aws-backups:plans", 0, "rules", 0, "schedule"), "cron(0/30 * * * ? *)")],
        "aws-backups:plans[0].rules[0].schedule: 'cron(0/30 * * * ? *)' runs 30 minutes apart (allowed: backups "
        "at least 60 minutes apart)",
    ),
    (
        "start window under 60 minutes",
        [(("aws-backups:plans", 0, "rules", 0, "startWindowMinutes"), 30)],
        "aws-backups:plans[0].rules[0].startWindowMinutes: 30 is shorter than AWS Backup's start window (allowed: "
        "60 minutes or more)",
    ),
    (
        "unknown time zone",
        [(("aws-backups:plans", 0, "rules", 0, "timezone"), "Mars/Olympus")],
        "aws-backups:plans[0].rules[0].timezone: 'Mars/Olympus' is not an IANA time zone (allowed: e.g. Etc/UTC, "
        "Europe/Paris, America/New_York)",
    ),
    (
        "rule targets an unknown vault",
        [(("aws-backups:plans", 0, "rules", 0, "vault"), "archive")],
        "aws-backups:plans[0].rules[0].vault: 'archive' is not a vault of this stack (allowed: main, dr)",
    ),
    (
        "copy to an unknown vault",
        [(("aws-backups:plans", 0, "rules", 1, "copyTo", 0, "vault"), "elsewhere")],
        "aws-backups:plans[0].rules[1].copyTo[0].vault: 'elsewhere' is not a vault of this stack (allowed: main, dr)",
    ),
    (
        "duplicate vault names",
        [(("aws-backups:vaults", 1, "name"), "main")],
        "aws-backups:vaults[1].name: 'main' is used twice in vaults (allowed: unique names)",
    ),
    (
        "duplicate rule names",
        [(("aws-backups:plans", 0, "rules", 1, "name"), "Daily")],
        "aws-backups:plans[0].rules[1].name: 'Daily' is used twice in rules (allowed: unique names)",
    ),
    (
        "cold storage with continuous backup",
        [
            (("aws-backups:plans", 0, "rules", 1, "continuousBackup"), True),
            (("aws-backups:plans", 0, "rules", 1, "deleteAfterDays"), 120),
        ],
        "aws-backups:plans[0].rules[1].coldStorageAfterDays: 30 is not allowed with continuous backup (allowed: "
        "none; point-in-time recovery has no cold storage)",
    ),
    (
        "continuous backup kept over 35 days",
        [
            (("aws-backups:plans", 0, "rules", 0, "continuousBackup"), True),
            (("aws-backups:plans", 0, "rules", 0, "deleteAfterDays"), 36),
        ],
        "aws-backups:plans[0].rules[0].deleteAfterDays: 36 is outside what continuous backup keeps (allowed: 1 to "
        "35 days, and required; keep longer retention in a snapshot rule)",
    ),
    (
        "lock min above max",
        [(("aws-backups:vaults", 0, "lock", "minRetentionDays"), 500)],
        "aws-backups:vaults[0].lock.minRetentionDays: 500 is above maxRetentionDays 400 (allowed: at most "
        "maxRetentionDays)",
    ),
    (
        "compliance lock without cooling-off",
        [(("aws-backups:vaults", 0, "lock", "mode"), "compliance")],
        "aws-backups:vaults[0].lock.changeableForDays: (not set) is required in compliance mode (allowed: 3 or more "
        "days of cooling-off before the lock is permanent)",
    ),
    (
        "cooling-off under 3 days",
        [
            (("aws-backups:vaults", 0, "lock", "mode"), "compliance"),
            (("aws-backups:vaults", 0, "lock", "changeableForDays"), 1),
        ],
        "aws-backups:vaults[0].lock.changeableForDays: 1 is shorter than the lock's cooling-off (allowed: 3 days "
        "or more, the 72 hours before a compliance-mode lock is permanent)",
    ),
    (
        "unknown lock mode",
        [(("aws-backups:vaults", 0, "lock", "mode"), "strict")],
        "aws-backups:vaults[0].lock.mode: 'strict' is not allowed (allowed: 'governance' or 'compliance')",
    ),
    (
        "retention outside the vault lock",
        [(("aws-backups:vaults", 0, "lock", "minRetentionDays"), 40)],
        "aws-backups:plans[0].rules[0].deleteAfterDays: 35 is outside the lock of vault main (allowed: 40..400 days); "
        "backup jobs would fail",
    ),
    (
        "unknown resource type",
        [(("aws-backups:plans", 0, "selections", 0, "resourceTypes", 0), "S3")],
        "aws-backups:plans[0].selections[0].resourceTypes[0]: 'S3' is not allowed (allowed: 'EBS', 'EC2', 'RDS', "
        "'Aurora', 'DynamoDB', 'EFS' or 'Storage Gateway')",
    ),
    (
        "misspelt key",
        [(("aws-backups:plans", 0, "selections", 0, "conditions", "stringEqual"), {"a": "b"})],
        "aws-backups:plans[0].selections[0].conditions.stringEqual: is not a known key (allowed: stringEquals, "
        "stringLike, stringNotEquals, stringNotLike)",
    ),
    (
        "unknown namespace key",
        [(("aws-backups:vault",), [])],
        "aws-backups:vault: is not a known key (allowed: production, namePrefix, tags, vaults, plans, "
        "replication, regionSettings, newRegions, organization, evidence)",
    ),
    (
        "invalid vault name",
        [(("aws-backups:vaults", 1, "name"), "dr vault")],
        "aws-backups:vaults[1].name: 'dr vault' makes 'aws-backups-dev-dr vault', which is not a valid backup vault "
        "name: it has ' ' (allowed: 2 to 50 letters, digits, '-' or '_'; API_CreateBackupVault)",
    ),
    (
        "physical name too long",
        [(("aws-backups:vaults", 1, "name"), "d" * 40)],
        "aws-backups:vaults[1].name: 'dddddddddddddddddddddddddddddddddddddddd' makes "
        "'aws-backups-dev-dddddddddddddddddddddddddddddddddddddddd', which is not a valid backup vault name: it "
        "has 56 characters (allowed: 2 to 50 letters, digits, '-' or '_'; API_CreateBackupVault)",
    ),
    (
        "plan without selections",
        [(("aws-backups:plans", 0, "selections"), [])],
        "aws-backups:plans[0].selections: [] has too few items (allowed: at least 1)",
    ),
    (
        "selection that selects nothing",
        [(("aws-backups:plans", 0, "selections", 0, "resourceTypes"), [])],
        "aws-backups:plans[0].selections[0].resourceTypes: [] selects nothing (allowed: resource types, resource "
        "ARNs, or resources: ['*'] for every type)",
    ),
    (
        "copy with both vault and vaultArn",
        [
            (
                ("aws-backups:plans", 0, "rules", 1, "copyTo", 0, "vaultArn"),
                "arn:aws:backup:us-east-1:111122223333:backup-vault:x",
            )
        ],
        "aws-backups:plans[0].rules[1].copyTo[0]: (not set) needs exactly one of vault (a vault of this stack) or "
        "vaultArn",
    ),
    (
        "rule vault in another region than the plan",
        [(("aws-backups:plans", 0, "rules", 0, "vault"), "dr")],
        "aws-backups:plans[0].rules[0].vault: 'dr' is in eu-central-1 but the plan runs in eu-west-1 (allowed: a "
        "vault in the plan's region; use copyTo for other regions)",
    ),
    (
        "missing region",
        [(("aws:region",), None)],
        "aws:region: is required (required: an AWS region, e.g. eu-west-1)",
    ),
    (
        "production not a boolean",
        [(("aws-backups:production",), "maybe")],
        "aws-backups:production: 'maybe' is not valid (allowed: true or false)",
    ),
    (
        "retention not a whole number",
        [(("aws-backups:plans", 0, "rules", 0, "deleteAfterDays"), "forever")],
        "aws-backups:plans[0].rules[0].deleteAfterDays: 'forever' is not valid (allowed: a whole number of days, "
        "1 to 36500)",
    ),
    (
        "lock mode left out",
        [(("aws-backups:vaults", 0, "lock"), {"minRetentionDays": 7})],
        "aws-backups:vaults[0].lock.mode: is required (required: 'governance' or 'compliance')",
    ),
    (
        "selection name left out",
        [(("aws-backups:plans", 0, "selections", 0, "name"), None)],
        "aws-backups:plans[0].selections[0].name: is required (required: 1 to 50 letters, digits, '-', '_' or '.')",
    ),
    (
        "archive opt-in without cold storage",
        [(("aws-backups:plans", 0, "rules", 0, "optInToArchiveForSupportedResources"), True)],
        "aws-backups:plans[0].rules[0].optInToArchiveForSupportedResources: true needs coldStorageAfterDays "
        "(allowed: set coldStorageAfterDays, or false)",
    ),
    (
        "email subscription without an address",
        [(("aws-backups:vaults", 1, "notifications"), {"subscriptions": [{"protocol": "email", "endpoint": "ops"}]})],
        "aws-backups:vaults[1].notifications.subscriptions[0].endpoint: 'ops' is not an email address (allowed: "
        "name@example.com)",
    ),
    (
        "deprecated notification event",
        [(("aws-backups:vaults", 1, "notifications"), {"events": ["BACKUP_JOB_FAILED"]})],
        "aws-backups:vaults[1].notifications.events[0]: 'BACKUP_JOB_FAILED' is not allowed (allowed: "
        "'BACKUP_JOB_STARTED', 'BACKUP_JOB_COMPLETED', ",
    ),
]


def _edited(edits: list[tuple[tuple, object]]) -> dict[str, object]:
    config = copy.deepcopy(GOOD)
    for path, value in edits:
        *parents, last = path
        target = config
        for part in parents:
            target = target[part]
        target[last] = value
    return config


def test_the_good_config_is_good():
    assert load_stack_config(GOOD, "dev").plans[0].rules[1].name == "Monthly1Year"


def test_at_least_twenty_distinct_cases():
    assert len({case_id for case_id, _, _ in CASES}) >= 20


@pytest.mark.parametrize(
    ("edits", "expected"), [(edits, expected) for _, edits, expected in CASES], ids=[c[0] for c in CASES]
)
def test_bad_config_message(edits, expected):
    with pytest.raises(ConfigError) as caught:
        load_stack_config(_edited(edits), "dev")
    problems = caught.value.problems
    assert any(line.startswith(expected) for line in problems), "\n".join(problems)
    assert f"  - {next(line for line in problems if line.startswith(expected))}" in str(caught.value)


# -- what `pulumi config set --path` stores: `1234` a number, `true` a boolean (unless `--type string`) -------------
def test_a_number_or_boolean_where_text_is_expected_is_the_text_typed():
    edits = [(("aws-backups:tags",), {"costCentre": 1234, "backup:critical": True}),
             (("aws-backups:plans", 0, "selections", 0, "conditions"), {"stringEquals": {"tier": 1}}),
             (("aws-backups:vaults", 1, "name"), 2024),
             (("aws-backups:plans", 0, "rules", 1, "copyTo"), [{"vault": 2024}])]
    config = load_stack_config(_edited(edits), "dev")
    assert config.tags == {"costCentre": "1234", "backup:critical": "true"}
    assert config.plans[0].selections[0].conditions.string_equals == {"tier": "1"}
    assert (config.vaults[1].name, config.plans[0].rules[1].copy_to[0].vault) == ("2024", "2024")


def _with_account(account: object) -> dict[str, object]:
    destination = {"region": "eu-central-1", "accountId": account, "bucketName": "their-bucket",
                   "replicaKmsKeyArn": "arn:aws:kms:eu-central-1:012345678901:key/1234abcd-12ab-34cd-56ef-1234567890ab"}
    return {**_edited([]), "aws-backups:replication": [{
        "name": "docs", "source": {}, "destination": destination,
        "rules": [{"id": "all", "priority": 1, "deleteMarkerReplication": False}],
        "alarms": {"topicArn": "arn:aws:sns:eu-west-1:123456789012:alarms"}}]}


def test_an_account_id_stored_as_a_number_that_lost_its_leading_zero_is_refused_with_the_fix():
    with pytest.raises(ConfigError) as caught:
        load_stack_config(_with_account(12345678901), "dev")
    assert caught.value.problems == [
        "aws-backups:replication[0].destination.accountId: 12345678901 is a number, not the 12 digits of an account "
        "id: a number loses leading zeros. Quote it in the stack file, or set it as text: `pulumi config set --path "
        "--type string <this key> <the 12 digits>` (allowed: 12 digits, as text)"]


@pytest.mark.parametrize("account", [123456789012, "123456789012", "012345678901"])
def test_an_account_id_with_its_twelve_digits_is_accepted(account):
    assert load_stack_config(_with_account(account), "dev").replication[0].destination.account_id == str(account)


def test_a_problem_every_rule_inherits_is_reported_once():
    config = _edited([(("aws-backups:plans", 0, "vault"), "gone"),
                      (("aws-backups:plans", 0, "rules"), [{"preset": "daily"}, {"preset": "weekly"}])])
    with pytest.raises(ConfigError) as caught:
        load_stack_config(config, "dev")
    assert [line for line in caught.value.problems if line.startswith("aws-backups:plans[0].vault:")] == [
        "aws-backups:plans[0].vault: 'gone' is not a vault of this stack (allowed: main, dr)"]
