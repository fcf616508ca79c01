"""The `aws-backups:replication` schema: a good item loads with its defaults; each bad input is one clear line naming
the key path, the value and what is allowed, before anything is registered."""

from __future__ import annotations

import copy
import runpy

import pytest
from pulumi_mocks import ROOT, run

from components.config import ConfigError, load_stack_config
from components.config.replication import ReplicationConfig

TOPIC = "arn:aws:sns:eu-west-1:123456789012:ops-alerts"
REPLICA_KEY = "arn:aws:kms:eu-central-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def good_item() -> dict:
    return {
        "name": "invoices",
        "tags": {"backup-critical": "true"},
        "source": {"region": "eu-west-1"},
        "destination": {"region": "eu-central-1"},
        "rules": [{"id": "all", "priority": 1, "deleteMarkerReplication": False}],
        "alarms": {"topicArn": TOPIC},
    }


# A vault with a notification topic in the source region, for items whose alarms go to a vault's topic.
NOTIFYING_VAULT = {"name": "main", "notifications": {"subscriptions": []}}


def stack_config(*items: dict, **extra: object) -> dict:
    return {
        "aws:region": "eu-west-1",
        "aws-backups:vaults": [NOTIFYING_VAULT],
        "aws-backups:replication": list(items),
        **extra,
    }


def problems_of(config: dict) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        load_stack_config(config, "test")
    return raised.value.problems


def test_a_good_item_loads_with_its_defaults():
    item = load_stack_config(stack_config(good_item()), "test").replication[0]
    assert isinstance(item, ReplicationConfig)
    assert (item.source.adopt, item.source.noncurrent_version_expiry_days) == (False, 90)
    assert (item.destination.storage_class, item.destination.noncurrent_version_expiry_days) == ("STANDARD", 90)
    assert (item.cross_region, item.bidirectional) == (True, False)
    rule = item.rules[0]
    assert (rule.enabled, rule.metrics, rule.replication_time_control) == (True, True, True)
    assert item.source_bucket_name("aws-backups-test") == "aws-backups-test-invoices"
    assert item.replica_bucket_name("aws-backups-test") == "aws-backups-test-invoices-replica"


@pytest.mark.parametrize(
    "source",
    [
        {"adopt": True, "bucketName": "acme-docs"},  # the default expiry is not applied, and not an error
        {"adopt": True, "bucketName": "acme-docs", "noncurrentVersionExpiryDays": None},
        {"adopt": True, "bucketName": "acme-docs", "noncurrentVersionExpiryDays": 30, "replaceExistingSettings": True},
    ],
    ids=["default", "explicit-null", "owners-agreed"],
)
def test_an_adopted_bucket_takes_an_expiry_only_with_replace_existing_settings(source):
    item = good_item()
    item["source"] = source
    loaded = load_stack_config(stack_config(item), "test").replication[0]
    assert loaded.source.adopt is True


def test_same_region_is_fine_when_cross_region_is_not_asked():
    item = good_item()
    item["destination"]["region"] = "eu-west-1"
    item["crossRegion"] = False
    assert load_stack_config(stack_config(item), "test").replication[0].destination.region == "eu-west-1"


def test_an_adopted_cross_account_item_loads():
    item = good_item()
    item["source"] = {"adopt": True, "bucketName": "acme-legacy-docs", "replaceExistingSettings": True}
    item["destination"] = {
        "region": "eu-central-1",
        "accountId": "210987654321",
        "bucketName": "acme-dr-docs",
        "replicaKmsKeyArn": REPLICA_KEY,
    }
    loaded = load_stack_config(stack_config(item), "test").replication[0]
    assert loaded.source_bucket_name("ignored") == "acme-legacy-docs"
    assert loaded.destination.account_id == "210987654321"


def _with(path: str, value: object, item: dict | None = None) -> dict:
    """The good item with one key (dotted path, list indexes as numbers) set; value None deletes the key."""
    item = copy.deepcopy(item or good_item())
    *parents, last = [int(part) if part.isdigit() else part for part in path.split(".")]
    target = item
    for part in parents:
        target = target[part]
    if value is None:
        del target[last]
    else:
        target[last] = value
    return item


TWO_RULES = _with(
    "rules",
    [
        {"id": "a", "priority": 1, "deleteMarkerReplication": False},
        {"id": "b", "priority": 2, "deleteMarkerReplication": False},
    ],
)
CROSS_ACCOUNT = _with(
    "destination",
    {"region": "eu-central-1", "accountId": "210987654321", "bucketName": "acme-dr", "replicaKmsKeyArn": REPLICA_KEY},
)
P = "aws-backups:replication[0]"

# (case, the item, the expected problem line: key path, value and a fragment of the reason)
BAD_ITEMS = [
    (
        "same region as asked cross-region",
        _with("destination.region", "eu-west-1"),
        f"{P}.destination.region: 'eu-west-1' is the source bucket's region, and crossRegion is true",
    ),
    (
        "same region as aws:region default",
        _with("source.region", None, _with("destination.region", "eu-west-1")),
        f"{P}.destination.region: 'eu-west-1' is the source bucket's region",
    ),
    (
        "RTC without metrics",
        _with("rules.0.metrics", False),
        f"{P}.rules[0].replicationTimeControl: true needs replication metrics",
    ),
    (
        "tag filter with delete markers",
        _with("rules.0.tags", {"class": "a"}, _with("rules.0.deleteMarkerReplication", True)),
        f"{P}.rules[0].deleteMarkerReplication: true is not possible with a tag filter",
    ),
    (
        "duplicate priorities",
        _with("rules.1.priority", 1, TWO_RULES),
        f"{P}.rules[1].priority: 1 is already used by rules[0] (allowed: a priority no other rule uses)",
    ),
    ("duplicate rule ids", _with("rules.1.id", "a", TWO_RULES), f"{P}.rules[1].id: 'a' is already used by rules[0]"),
    (
        "unknown storage class",
        _with("destination.storageClass", "GLACIER_DEEP"),
        f"{P}.destination.storageClass: 'GLACIER_DEEP' is not allowed (allowed: 'STANDARD', 'STANDARD_IA'",
    ),
    (
        "delete-marker choice left out",
        _with("rules.0.deleteMarkerReplication", None),
        f"{P}.rules[0].deleteMarkerReplication: is required (required: true or false)",
    ),
    (
        "expiry on an adopted bucket whose lifecycle is the owners'",
        _with("source", {"adopt": True, "bucketName": "acme-docs", "noncurrentVersionExpiryDays": 30}),
        f"{P}.source.noncurrentVersionExpiryDays: 30 is not applied to an adopted bucket: its lifecycle rules are "
        "the owners' (allowed: set replaceExistingSettings: true to manage them here, or remove the key)",
    ),
    (
        "rules enabled not a boolean",
        _with("rules.0.enabled", "maybe"),
        f"{P}.rules[0].enabled: 'maybe' is not valid (allowed: true or false)",
    ),
    (
        "misspelt key",
        _with("destination.storageclass", "STANDARD"),
        f"{P}.destination.storageclass: is not a known key (allowed: region, bucketName, accountId",
    ),
    (
        "adopted bucket without a name",
        _with("source", {"adopt": True}),
        f"{P}.source.bucketName: (not set) is required with adopt: true",
    ),
    (
        "replaceExistingSettings on a created bucket",
        _with("source.replaceExistingSettings", True),
        f"{P}.source.replaceExistingSettings: true only applies to an adopted bucket",
    ),
    (
        "cross-account without the replica key",
        _with("destination.replicaKmsKeyArn", None, CROSS_ACCOUNT),
        f"{P}.destination.replicaKmsKeyArn: (not set) is required for a destination in account 210987654321",
    ),
    (
        "replica key in another region",
        _with("destination.region", "eu-north-1", CROSS_ACCOUNT),
        f"{P}.destination.replicaKmsKeyArn: '{REPLICA_KEY}' is a key in eu-central-1",
    ),
    (
        "replica key without accountId",
        _with("destination.replicaKmsKeyArn", REPLICA_KEY),
        f"{P}.destination.replicaKmsKeyArn: '{REPLICA_KEY}' is only for a destination in another account",
    ),
    (
        "bidirectional across accounts",
        _with("bidirectional", True, CROSS_ACCOUNT),
        f"{P}.bidirectional: true is not possible with a destination in another account",
    ),
    ("no alarm target", _with("alarms", {}), f"{P}.alarms: " + '{"vault": null, "topicArn": null} needs exactly one'),
    ("two alarm targets", _with("alarms.vault", "main"), f"{P}.alarms: " + '{"vault": "main", "topicArn": '),
    (
        "alarm topic in another region",
        _with("alarms.topicArn", "arn:aws:sns:us-east-1:123456789012:ops"),
        f"{P}.alarms.topicArn: 'arn:aws:sns:us-east-1:123456789012:ops' has its topic in us-east-1",
    ),
    (
        "alarm vault that does not exist",
        _with("alarms", {"vault": "nope"}),
        f"{P}.alarms.vault: 'nope' is not a vault of this stack (allowed: main)",
    ),
    (
        "uppercase bucket name",
        _with("source.bucketName", "Acme-Docs"),
        f"{P}.source.bucketName: 'Acme-Docs' is not a valid S3 bucket name: it has 'AD' (allowed: lowercase letters, "
        "digits, '.' and '-'; S3 bucket naming rules)",
    ),
    (
        "name too long for the role",
        _with("name", "a" * 37),
        f"{P}.name: '{'a' * 37}' makes the replication role name 'aws-backups-test-{'a' * 37}-replication', which is "
        "not a valid IAM role name: it has 66 characters (allowed: 1 to 64 letters, digits or '+=,.@_-'; IAM "
        "API_CreateRole)",
    ),
    ("no rules", _with("rules", []), f"{P}.rules: [] has too few items (allowed: at least 1)"),
    ("negative priority", _with("rules.0.priority", -1), f"{P}.rules[0].priority: -1 is below the minimum"),
    (
        "zero-day expiry",
        _with("destination.noncurrentVersionExpiryDays", 0),
        f"{P}.destination.noncurrentVersionExpiryDays: 0 is below the minimum (allowed: 1 or more)",
    ),
    ("bad account id", _with("destination.accountId", "12345"), f"{P}.destination.accountId: '12345' does not have"),
]


@pytest.mark.parametrize(("item", "expected"), [case[1:] for case in BAD_ITEMS], ids=[case[0] for case in BAD_ITEMS])
def test_bad_item_is_one_clear_line(item, expected):
    problems = problems_of(stack_config(item))
    assert any(line.startswith(expected) for line in problems), problems
    assert len(problems) == 1, problems


def test_alarm_vault_without_notifications():
    config = stack_config(_with("alarms", {"vault": "main"}), **{"aws-backups:vaults": [{"name": "main"}]})
    assert problems_of(config) == [
        f"{P}.alarms.vault: 'main' has no notifications, so no topic for the alarms (allowed: a vault with "
        "`notifications`, or `topicArn`)"
    ]


def test_alarm_vault_with_notifications_in_the_source_region_is_accepted():
    config = stack_config(_with("alarms", {"vault": "main"}))
    assert load_stack_config(config, "test").replication[0].alarms.vault == "main"


def test_alarm_vault_with_its_topic_in_another_region():
    vaults = [{**NOTIFYING_VAULT, "region": "eu-central-1"}]
    config = stack_config(_with("alarms", {"vault": "main"}), **{"aws-backups:vaults": vaults})
    assert problems_of(config) == [
        f"{P}.alarms.vault: 'main' has its topic in eu-central-1, but the alarms are in the source bucket's region "
        "eu-west-1 and CloudWatch only notifies a topic of its own region (allowed: a topic in eu-west-1)"
    ]


def test_a_derived_bucket_name_s3_would_refuse_names_the_key_that_made_it():
    """A prefix with capitals: every derived name is refused, so the prefix is named, once; a name whose own part
    breaks a rule (a reserved suffix) names the item's `name`."""
    config = stack_config(good_item(), **{"aws-backups:namePrefix": "Team-X"})
    assert problems_of(config) == [
        "aws-backups:namePrefix: 'Team-X' makes the bucket name 'Team-X-invoices' of aws-backups:replication, which "
        "is not a valid S3 bucket name: it has 'TX' (allowed: lowercase letters, digits, '.' and '-'; S3 bucket "
        "naming rules)"]
    config = stack_config(_with("name", "docs--ol-s3"))
    assert problems_of(config) == [
        f"{P}.name: 'docs--ol-s3' makes the bucket name 'aws-backups-test-docs--ol-s3', which is not a valid S3 "
        "bucket name: it ends with the reserved suffix --ol-s3 (allowed: no name ending with -s3alias, --ol-s3, "
        ".mrap, --x-s3, --table-s3; S3 bucket naming rules)"]


def test_duplicate_item_names():
    problems = problems_of(stack_config(good_item(), good_item()))
    assert problems == [
        "aws-backups:replication[1].name: 'invoices' is used twice in replication (allowed: unique names)"
    ]


def test_every_problem_is_reported_at_once():
    item = _with("rules.0.metrics", False, _with("destination.region", "eu-west-1"))
    assert len(problems_of(stack_config(item))) == 2


def test_a_bad_item_stops_the_program_before_anything_is_registered():
    failures = []

    def program():
        try:
            runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__")
        except ConfigError as error:
            failures.append(error)

    bad = stack_config(_with("rules.0.metrics", False), **{"aws-backups:production": "true"})
    assert run(program, config=bad) == []
    assert "replication[0].rules[0].replicationTimeControl" in str(failures[0])
