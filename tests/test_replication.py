"""`ReplicatedBucket` under mocks: every property it sets, the links the policy pack follows, the role's exact
permissions, and what production protects."""

from __future__ import annotations

import json

import pytest
from input_names import unknown_input_names
from pulumi.runtime.mocks import MockResourceArgs
from pulumi_mocks import ACCOUNT_ID, ROOT, UNKNOWN, Recorded, of_type, one, run
from test_replication_config import REPLICA_KEY, TOPIC, _with, good_item

from components.config.replication import ReplicationConfig
from components.replication import ReplicatedBucket
from components.stack_context import StackContext
from preflight.mocks import PreflightMocks

PREFIX = "aws-backups-test"
SOURCE, REPLICA = f"{PREFIX}-invoices", f"{PREFIX}-invoices-replica"
SOURCE_ALIAS_ARN = f"arn:aws:kms:eu-west-1:{ACCOUNT_ID}:alias/{PREFIX}-invoices-source"
REPLICA_ALIAS_ARN = f"arn:aws:kms:eu-central-1:{ACCOUNT_ID}:alias/{PREFIX}-invoices-replica"

BUCKET = "aws:s3/bucket:Bucket"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
KEY, ALIAS = "aws:kms/key:Key", "aws:kms/alias:Alias"
ROLE, ROLE_POLICY = "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def created_key(role: str, region: str) -> tuple[str, dict]:
    """The id and outputs preflight's mocks give a side's key after `up` (the alias targets its id, the role its
    ARN)."""
    args = MockResourceArgs(KEY, f"invoices-{role}-key", {"region": region}, custom=True)
    return PreflightMocks(preview=False, region=None).new_resource(args)


SOURCE_KEY_ARN = created_key("source", "eu-west-1")[1]["arn"]
REPLICA_KEY_ARN = created_key("replica", "eu-central-1")[1]["arn"]


def build(item: dict, *, production: bool = False, preview: bool = False) -> list[Recorded]:
    config = ReplicationConfig.model_validate(item)

    def program() -> None:
        context = StackContext.lookup(PREFIX, production, "eu-west-1", {"environment": "test"})
        ReplicatedBucket(config, context, TOPIC)

    return run(program, preview=preview)


@pytest.fixture(scope="module")
def dev() -> list[Recorded]:
    return build(good_item())


@pytest.fixture(scope="module")
def prod() -> list[Recorded]:
    return build(good_item(), production=True)


def side(resources: list[Recorded], type_: str, role: str) -> Recorded:
    return one(resources, type_, f"invoices-{role}-{SUFFIXES[type_]}")


SUFFIXES = {
    BUCKET: "bucket",
    VERSIONING: "versioning",
    ENCRYPTION: "encryption",
    PUBLIC_ACCESS_BLOCK: "public-access-block",
    OWNERSHIP: "ownership",
    POLICY: "tls-only",
    LIFECYCLE: "lifecycle",
    KEY: "key",
    ALIAS: "key-alias",
}
SIDES = [("source", SOURCE, "eu-west-1"), ("replica", REPLICA, "eu-central-1")]


# -- the buckets and their settings ----------------------------------------------------------------------------
@pytest.mark.parametrize(("role", "name", "region"), SIDES)
def test_buckets_have_explicit_names_in_their_region(dev, role, name, region):
    bucket = side(dev, BUCKET, role)
    assert (bucket.inputs["bucket"], bucket.inputs["region"], bucket.inputs["forceDestroy"]) == (name, region, False)


def test_the_items_tags_mark_the_source_and_the_replica_says_what_it_is(dev):
    assert side(dev, BUCKET, "source").inputs["tags"] == {"environment": "test", "backup-critical": "true"}
    assert side(dev, BUCKET, "replica").inputs["tags"] == {"environment": "test", "replica-of": SOURCE}


@pytest.mark.parametrize(("role", "name", "region"), SIDES)
def test_versioning_is_enabled_on_both(dev, role, name, region):
    versioning = side(dev, VERSIONING, role)
    assert versioning.inputs == {"bucket": name, "region": region, "versioningConfiguration": {"status": "Enabled"}}
    assert versioning.property_dependencies["bucket"] == [side(dev, BUCKET, role).urn]


@pytest.mark.parametrize(
    ("role", "name", "region", "alias_arn"), [(*SIDES[0], SOURCE_ALIAS_ARN), (*SIDES[1], REPLICA_ALIAS_ARN)]
)
def test_both_are_encrypted_with_their_own_key_and_bucket_keys(dev, role, name, region, alias_arn):
    encryption = side(dev, ENCRYPTION, role)
    assert encryption.inputs == {
        "bucket": name,
        "region": region,
        "rules": [
            {
                "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": alias_arn},
                "bucketKeyEnabled": True,
            }
        ],
    }
    assert side(dev, ALIAS, role).urn in encryption.dependencies


@pytest.mark.parametrize(("role", "name", "region"), SIDES)
def test_keys_rotate_and_have_a_named_alias(dev, role, name, region):
    key = side(dev, KEY, role)
    assert (key.inputs["enableKeyRotation"], key.inputs["deletionWindowInDays"], key.inputs["region"]) == (
        True,
        30,
        region,
    )
    alias = side(dev, ALIAS, role)
    assert alias.inputs == {
        "name": f"alias/{PREFIX}-invoices-{role}",
        "targetKeyId": created_key(role, region)[0],
        "region": region,
    }


@pytest.mark.parametrize(("role", "name", "region"), SIDES)
def test_public_access_is_blocked_and_acls_disabled(dev, role, name, region):
    assert side(dev, PUBLIC_ACCESS_BLOCK, role).inputs == {
        "bucket": name,
        "region": region,
        "blockPublicAcls": True,
        "blockPublicPolicy": True,
        "ignorePublicAcls": True,
        "restrictPublicBuckets": True,
    }
    assert side(dev, OWNERSHIP, role).inputs == {
        "bucket": name,
        "region": region,
        "rule": {"objectOwnership": "BucketOwnerEnforced"},
    }


@pytest.mark.parametrize(("role", "name", "region"), SIDES)
def test_bucket_policy_denies_requests_without_tls(dev, role, name, region):
    policy = side(dev, POLICY, role)
    assert policy.inputs["region"] == region
    assert json.loads(policy.inputs["policy"])["Statement"] == [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ]


def test_noncurrent_versions_expire_on_both_sides_as_configured():
    resources = build(_with("destination.noncurrentVersionExpiryDays", 400))
    for role, name, region, days in (("source", SOURCE, "eu-west-1", 90), ("replica", REPLICA, "eu-central-1", 400)):
        lifecycle = side(resources, LIFECYCLE, role)
        assert lifecycle.inputs == {
            "bucket": name,
            "region": region,
            "rules": [
                {
                    "id": "expire-noncurrent-versions",
                    "status": "Enabled",
                    "filter": {"prefix": ""},
                    "noncurrentVersionExpiration": {"noncurrentDays": days},
                }
            ],
        }
        assert side(resources, VERSIONING, role).urn in lifecycle.dependencies


def test_no_expiry_when_switched_off():
    item = good_item()
    item["source"]["noncurrentVersionExpiryDays"] = None
    assert [r.name for r in of_type(build(item), LIFECYCLE)] == ["invoices-replica-lifecycle"]


# -- the replication configuration -----------------------------------------------------------------------------
def test_replication_rule_in_the_v2_form(dev):
    replication = one(dev, REPLICATION)
    assert replication.inputs["bucket"] == SOURCE
    assert replication.inputs["region"] == "eu-west-1"
    assert replication.inputs["role"] == f"arn:aws:iam::{ACCOUNT_ID}:role/{PREFIX}-invoices-replication"
    assert replication.inputs["rules"] == [
        {
            "id": "all",
            "priority": 1,
            "status": "Enabled",
            "filter": {"prefix": ""},
            "deleteMarkerReplication": {"status": "Disabled"},
            "sourceSelectionCriteria": {
                "sseKmsEncryptedObjects": {"status": "Enabled"},
                "replicaModifications": {"status": "Disabled"},
            },
            "destination": {
                "bucket": f"arn:aws:s3:::{REPLICA}",
                "storageClass": "STANDARD",
                "encryptionConfiguration": {"replicaKmsKeyId": REPLICA_ALIAS_ARN},
                "metrics": {"status": "Enabled", "eventThreshold": {"minutes": 15}},
                "replicationTime": {"status": "Enabled", "time": {"minutes": 15}},
            },
        }
    ]


def test_replication_waits_for_versioning_on_both_buckets(dev):
    replication = one(dev, REPLICATION)
    for role in ("source", "replica"):
        assert side(dev, VERSIONING, role).urn in replication.dependencies


def test_replication_is_linked_to_both_buckets_the_role_and_the_replica_key(dev):
    links = one(dev, REPLICATION).property_dependencies
    assert links["bucket"] == [side(dev, BUCKET, "source").urn]
    assert set(links["rules"]) == {side(dev, BUCKET, "replica").urn, side(dev, ALIAS, "replica").urn}
    assert links["role"] == [one(dev, ROLE).urn]


def test_what_the_pack_reads_is_known_on_a_first_preview():
    resources = build(good_item(), preview=True)
    replication = one(resources, REPLICATION)
    assert UNKNOWN not in json.dumps(replication.inputs)
    for role in ("source", "replica"):
        assert UNKNOWN not in json.dumps(side(resources, ENCRYPTION, role).inputs)
        assert UNKNOWN not in json.dumps(side(resources, BUCKET, role).inputs)


@pytest.mark.parametrize(
    ("prefix", "tags", "expected"),
    [
        ("docs/", {}, {"prefix": "docs/"}),
        (None, {"class": "a"}, {"tag": {"key": "class", "value": "a"}}),
        ("docs/", {"class": "a"}, {"and": {"prefix": "docs/", "tags": {"class": "a"}}}),
        (None, {"b": "2", "a": "1"}, {"and": {"tags": {"a": "1", "b": "2"}}}),
    ],
)
def test_rule_filters(prefix, tags, expected):
    rule = {"id": "r", "priority": 3, "deleteMarkerReplication": False, "prefix": prefix, "tags": tags}
    resources = build(_with("rules", [{k: v for k, v in rule.items() if v is not None}]))
    assert one(resources, REPLICATION).inputs["rules"][0]["filter"] == expected


def test_rule_choices_reach_the_rule():
    rule = {
        "id": "cold",
        "priority": 7,
        "enabled": False,
        "deleteMarkerReplication": True,
        "metrics": False,
        "replicationTimeControl": False,
    }
    item = _with("rules", [rule], _with("destination.storageClass", "GLACIER_IR"))
    written = one(build(item), REPLICATION).inputs["rules"][0]
    assert (written["id"], written["priority"], written["status"]) == ("cold", 7, "Disabled")
    assert written["deleteMarkerReplication"] == {"status": "Enabled"}
    assert written["destination"]["metrics"] == {"status": "Disabled"}
    assert "replicationTime" not in written["destination"]
    assert written["destination"]["storageClass"] == "GLACIER_IR"


# -- the replication role ----------------------------------------------------------------------------------------
def test_only_s3_of_this_account_may_assume_the_role(dev):
    role = one(dev, ROLE)
    assert role.inputs["name"] == f"{PREFIX}-invoices-replication"
    assert json.loads(role.inputs["assumeRolePolicy"])["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}},
        }
    ]


def direction_statements(
    source: str,
    source_region: str,
    source_key: str,
    destination: str,
    destination_region: str,
    destination_key: str,
    replicate: list[str],
) -> list[dict]:
    """The statements S3 documents for one direction of SSE-KMS replication, scoped to these buckets and keys."""
    source_arn, destination_arn = f"arn:aws:s3:::{source}", f"arn:aws:s3:::{destination}"
    return [
        {"Effect": "Allow", "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"], "Resource": [source_arn]},
        {
            "Effect": "Allow",
            "Action": ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
            "Resource": [f"{source_arn}/*"],
        },
        {"Effect": "Allow", "Action": replicate, "Resource": [f"{destination_arn}/*"]},
        {
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Resource": [source_key],
            "Condition": {
                "StringEquals": {"kms:ViaService": f"s3.{source_region}.amazonaws.com"},
                "StringLike": {"kms:EncryptionContext:aws:s3:arn": [source_arn, f"{source_arn}/*"]},
            },
        },
        {
            "Effect": "Allow",
            "Action": ["kms:Encrypt"],
            "Resource": [destination_key],
            "Condition": {
                "StringEquals": {"kms:ViaService": f"s3.{destination_region}.amazonaws.com"},
                "StringLike": {"kms:EncryptionContext:aws:s3:arn": [destination_arn, f"{destination_arn}/*"]},
            },
        },
    ]


def role_policy(resources: list[Recorded]) -> dict:
    policy = one(resources, ROLE_POLICY)
    assert policy.inputs["role"] == f"{PREFIX}-invoices-replication"
    return json.loads(policy.inputs["policy"])


def test_role_policy_is_exactly_the_documented_permissions_on_these_buckets_and_keys(dev):
    assert role_policy(dev) == {
        "Version": "2012-10-17",
        "Statement": direction_statements(
            SOURCE,
            "eu-west-1",
            SOURCE_KEY_ARN,
            REPLICA,
            "eu-central-1",
            REPLICA_KEY_ARN,
            ["s3:ReplicateObject", "s3:ReplicateTags"],
        ),
    }


def test_replicating_delete_markers_adds_replicate_delete():
    statements = role_policy(build(_with("rules.0.deleteMarkerReplication", True)))["Statement"]
    assert statements[2]["Action"] == ["s3:ReplicateDelete", "s3:ReplicateObject", "s3:ReplicateTags"]


# -- alarms ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("suffix", "metric", "statistic", "threshold"),
    [("failed", "OperationsFailedReplication", "Sum", 0), ("latency", "ReplicationLatency", "Maximum", 900)],
)
def test_alarms_on_the_replication_metrics_go_to_the_topic(dev, suffix, metric, statistic, threshold):
    alarm = one(dev, ALARM, f"invoices-all-{suffix}")
    inputs = {k: v for k, v in alarm.inputs.items() if k not in ("alarmDescription", "tags")}
    assert inputs == {
        "name": f"{PREFIX}-invoices-all-replication-{suffix}",
        "namespace": "AWS/S3",
        "metricName": metric,
        "dimensions": {"SourceBucket": SOURCE, "DestinationBucket": REPLICA, "RuleId": "all"},
        "statistic": statistic,
        "period": 300,
        "evaluationPeriods": 1,
        "comparisonOperator": "GreaterThanThreshold",
        "threshold": threshold,
        "treatMissingData": "notBreaching",
        "alarmActions": [TOPIC],
        "okActions": [TOPIC],
        "region": "eu-west-1",
    }


def test_no_alarms_for_a_rule_without_metrics():
    item = _with("rules.0.metrics", False, _with("rules.0.replicationTimeControl", False))
    assert of_type(build(item), ALARM) == []


# -- protection ----------------------------------------------------------------------------------------------------
# The alias counts as data: the bucket's default encryption names it, so a retained bucket needs it.
DATA = [(type_, role) for type_ in (BUCKET, KEY, ALIAS) for role in ("source", "replica")]
# What keeps a retained bucket safe: kept and, in production, protected with it.
GUARDS = [(type_, role) for type_ in (PUBLIC_ACCESS_BLOCK, OWNERSHIP, POLICY) for role in ("source", "replica")]


@pytest.mark.parametrize(("type_", "role"), DATA)
def test_production_protects_and_retains_buckets_and_keys(prod, type_, role):
    resource = side(prod, type_, role)
    assert (resource.protect, resource.retain_on_delete) == (True, True)


@pytest.mark.parametrize(("type_", "role"), DATA)
def test_dev_neither_protects_nor_retains(dev, type_, role):
    resource = side(dev, type_, role)
    assert (resource.protect, resource.retain_on_delete) == (False, False)


@pytest.mark.parametrize("type_", [VERSIONING, ENCRYPTION])
def test_production_keeps_versioning_and_encryption_of_a_kept_bucket(prod, dev, type_):
    assert side(prod, type_, "source").retain_on_delete
    assert side(prod, type_, "source").protect
    assert not side(dev, type_, "source").retain_on_delete


@pytest.mark.parametrize(("type_", "role"), GUARDS)
def test_production_keeps_and_protects_the_guards_of_a_kept_bucket(prod, dev, type_, role):
    """Removing an item keeps the bucket in production: it must not lose its public access block, ownership
    enforcement or TLS-only policy on the way."""
    assert (side(prod, type_, role).protect, side(prod, type_, role).retain_on_delete) == (True, True)
    assert (side(dev, type_, role).protect, side(dev, type_, role).retain_on_delete) == (False, False)


@pytest.mark.parametrize("role", ["source", "replica"])
def test_production_keeps_the_lifecycle_of_a_kept_bucket_but_lets_ops_change_it(prod, dev, role):
    assert (side(prod, LIFECYCLE, role).protect, side(prod, LIFECYCLE, role).retain_on_delete) == (False, True)
    assert (side(dev, LIFECYCLE, role).protect, side(dev, LIFECYCLE, role).retain_on_delete) == (False, False)


def test_every_child_is_parented_to_the_component_and_every_regional_resource_names_its_region(dev):
    component = one(dev, "aws-backups:s3:ReplicatedBucket")
    children = [r for r in dev if r is not component]
    assert children and all(r.parent == component.urn for r in children)
    global_types = {ROLE, ROLE_POLICY}
    assert all(r.inputs.get("region") in ("eu-west-1", "eu-central-1") for r in children if r.type not in global_types)


# -- adopted, cross-account and bidirectional ---------------------------------------------------------------------
ADOPTED = _with("source", {"adopt": True, "bucketName": "acme-legacy-docs"})


def test_an_adopted_bucket_is_configured_but_not_created():
    resources = build(ADOPTED, production=False)
    assert [r.name for r in of_type(resources, BUCKET)] == ["invoices-replica-bucket"]
    versioning, encryption = side(resources, VERSIONING, "source"), side(resources, ENCRYPTION, "source")
    assert versioning.inputs["bucket"] == encryption.inputs["bucket"] == "acme-legacy-docs"
    # Removing the item must not suspend versioning or change encryption on a bucket its owners keep.
    assert versioning.retain_on_delete and encryption.retain_on_delete
    assert one(resources, REPLICATION).inputs["bucket"] == "acme-legacy-docs"
    assert versioning.urn in one(resources, REPLICATION).dependencies


@pytest.mark.parametrize("production", [False, True], ids=["dev", "prod"])
def test_an_adopted_buckets_key_and_alias_are_kept_in_every_stack(production):
    """The adopted bucket is not ours and outlives the item: deleting the key (or the alias its default encryption
    names) would make someone else's objects unreadable, or their new writes fail."""
    resources = build(ADOPTED, production=production)
    for type_ in (KEY, ALIAS, VERSIONING, ENCRYPTION):
        resource = side(resources, type_, "source")
        assert resource.retain_on_delete, type_
        assert resource.protect is production, type_
    # The replica is a bucket this stack created: kept only in production, like any other.
    assert side(resources, KEY, "replica").retain_on_delete is production


def test_an_adopted_bucket_whose_owners_agree_keeps_the_guards_in_every_stack():
    resources = build(_with("source.replaceExistingSettings", True, ADOPTED))
    for type_ in (PUBLIC_ACCESS_BLOCK, OWNERSHIP, POLICY, LIFECYCLE):
        assert (side(resources, type_, "source").protect, side(resources, type_, "source").retain_on_delete) == (
            False,
            True,
        ), type_
        assert not side(resources, type_, "replica").retain_on_delete, type_


def test_an_adopted_bucket_keeps_its_own_whole_bucket_settings():
    resources = build(ADOPTED)
    for type_ in (PUBLIC_ACCESS_BLOCK, OWNERSHIP, POLICY, LIFECYCLE):
        assert [r.name for r in of_type(resources, type_)] == [f"invoices-replica-{SUFFIXES[type_]}"]


def test_an_adopted_bucket_whose_owners_agree_gets_them_all():
    resources = build(_with("source.replaceExistingSettings", True, ADOPTED))
    for type_ in (PUBLIC_ACCESS_BLOCK, OWNERSHIP, POLICY, LIFECYCLE):
        assert side(resources, type_, "source").inputs["bucket"] == "acme-legacy-docs"


CROSS_ACCOUNT = _with(
    "destination",
    {
        "region": "eu-central-1",
        "accountId": "210987654321",
        "bucketName": "acme-dr-invoices",
        "replicaKmsKeyArn": REPLICA_KEY,
    },
)


def test_a_cross_account_destination_is_not_created_here_and_replicas_change_owner():
    resources = build(CROSS_ACCOUNT)
    assert not any(r.name.startswith("invoices-replica-") for r in resources)
    replication = one(resources, REPLICATION)
    destination = replication.inputs["rules"][0]["destination"]
    assert destination["bucket"] == "arn:aws:s3:::acme-dr-invoices"
    assert destination["account"] == "210987654321"
    assert destination["accessControlTranslation"] == {"owner": "Destination"}
    assert destination["encryptionConfiguration"] == {"replicaKmsKeyId": REPLICA_KEY}
    assert side(resources, VERSIONING, "source").urn in replication.dependencies
    assert role_policy(resources)["Statement"] == direction_statements(
        SOURCE,
        "eu-west-1",
        SOURCE_KEY_ARN,
        "acme-dr-invoices",
        "eu-central-1",
        REPLICA_KEY,
        ["s3:ObjectOwnerOverrideToBucketOwner", "s3:ReplicateObject", "s3:ReplicateTags"],
    )


def test_bidirectional_replicates_back_and_syncs_replica_modifications():
    resources = build(_with("bidirectional", True))
    forward, back = (
        one(resources, REPLICATION, "invoices-replication"),
        one(resources, REPLICATION, "invoices-replication-back"),
    )
    assert (back.inputs["bucket"], back.inputs["region"]) == (REPLICA, "eu-central-1")
    back_rule = back.inputs["rules"][0]
    assert back_rule["destination"]["bucket"] == f"arn:aws:s3:::{SOURCE}"
    assert back_rule["destination"]["encryptionConfiguration"] == {"replicaKmsKeyId": SOURCE_ALIAS_ARN}
    assert back_rule["destination"]["storageClass"] == "STANDARD"
    for replication in (forward, back):
        assert replication.inputs["rules"][0]["sourceSelectionCriteria"]["replicaModifications"] == {
            "status": "Enabled"
        }
        assert {side(resources, VERSIONING, role).urn for role in ("source", "replica")} <= set(
            replication.dependencies
        )
    replicate = ["s3:ReplicateObject", "s3:ReplicateTags"]
    assert role_policy(resources)["Statement"] == direction_statements(
        SOURCE, "eu-west-1", SOURCE_KEY_ARN, REPLICA, "eu-central-1", REPLICA_KEY_ARN, replicate
    ) + direction_statements(REPLICA, "eu-central-1", REPLICA_KEY_ARN, SOURCE, "eu-west-1", SOURCE_KEY_ARN, replicate)


# -- every property set is a real pulumi-aws v7 input ---------------------------------------------------------------
VARIANTS = {
    "created": good_item(),
    "adopted, owners agree": _with("source.replaceExistingSettings", True, ADOPTED),
    "cross-account": CROSS_ACCOUNT,
    "bidirectional, tag and prefix filter": _with(
        "rules",
        [{"id": "r", "priority": 1, "prefix": "a/", "tags": {"k": "v"}, "deleteMarkerReplication": False}],
        _with("bidirectional", True),
    ),
}


@pytest.mark.parametrize("item", VARIANTS.values(), ids=VARIANTS.keys())
def test_every_input_name_exists_in_the_installed_pulumi_aws(item):
    resources = build(item)
    assert {r.type for r in resources if r.type.startswith("aws:")} <= {
        BUCKET,
        VERSIONING,
        ENCRYPTION,
        PUBLIC_ACCESS_BLOCK,
        OWNERSHIP,
        POLICY,
        LIFECYCLE,
        REPLICATION,
        KEY,
        ALIAS,
        ROLE,
        ROLE_POLICY,
        ALARM,
    }
    assert unknown_input_names(resources) == []


def test_the_input_name_check_catches_a_misspelt_nested_name(dev):
    replication = one(dev, REPLICATION)
    rules = json.loads(json.dumps(replication.inputs["rules"]))
    rules[0]["destination"]["encryptionConfiguration"] = {"replicaKmsKeyID": REPLICA_ALIAS_ARN}
    misspelt = Recorded(replication.type, replication.name, replication.urn, {**replication.inputs, "rules": rules})
    assert unknown_input_names([misspelt]) == [
        f"{REPLICATION} invoices-replication: rules[0].destination.encryptionConfiguration.replicaKmsKeyID is not an "
        "input of BucketReplicationConfigRuleDestinationEncryptionConfigurationArgs"
    ]


# -- the stack files -------------------------------------------------------------------------------------------------
COMPONENT = "aws-backups:s3:ReplicatedBucket"


def test_prod_replicates_a_created_and_an_adopted_bucket_all_protected(stack_resources):
    resources = stack_resources(ROOT / "Pulumi.prod.yaml")
    # Sorted: siblings reach the monitor in the order the SDK's thread pool sends them, not the program's.
    assert sorted(r.name for r in of_type(resources, COMPONENT)) == ["customer-documents", "invoices"]
    assert {r.inputs["bucket"] for r in of_type(resources, REPLICATION)} == {
        "aws-backups-prod-invoices",
        "acme-customer-documents",
    }
    assert {r.inputs["bucket"] for r in of_type(resources, BUCKET) if "ReplicatedBucket" in r.urn} == {
        "aws-backups-prod-invoices",
        "aws-backups-prod-invoices-replica",
        "aws-backups-prod-customer-documents-replica",
    }
    data = [r for r in resources if "ReplicatedBucket" in r.urn and r.type in (BUCKET, KEY, ALIAS)]
    assert len(data) == 11 and all(r.protect and r.retain_on_delete for r in data)


@pytest.mark.parametrize(("stack", "count"), [("prod", 2), ("dev", 1)])
def test_critical_buckets_replicate_cross_region_with_rtc_kms_and_versioning(stack_resources, stack, count):
    resources = stack_resources(ROOT / f"Pulumi.{stack}.yaml")
    replications = of_type(resources, REPLICATION)
    assert len(replications) == count
    by_urn = {r.urn: r for r in resources}
    critical = [r for r in of_type(resources, BUCKET) if r.inputs.get("tags", {}).get("backup:critical") == "true"]
    assert critical
    for bucket in critical:
        replication = next(r for r in replications if r.property_dependencies["bucket"] == [bucket.urn])
        replica = next(by_urn[u] for u in replication.property_dependencies["rules"] if by_urn[u].type == BUCKET)
        assert replica.inputs["region"] != bucket.inputs["region"]
        for rule in replication.inputs["rules"]:
            assert rule["destination"]["replicationTime"] == {"status": "Enabled", "time": {"minutes": 15}}
            assert rule["sourceSelectionCriteria"]["sseKmsEncryptedObjects"] == {"status": "Enabled"}
            assert rule["deleteMarkerReplication"] == {"status": "Disabled"}
        for side_bucket in (bucket, replica):
            settings = [r for r in resources if r.property_dependencies.get("bucket") == [side_bucket.urn]]
            assert {"status": "Enabled"} in [r.inputs.get("versioningConfiguration") for r in settings]
            assert "aws:kms" in [
                r.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"]
                for r in settings
                if r.type == ENCRYPTION
            ]
