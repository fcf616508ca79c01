"""What a replicated bucket is made of, as plain data: its two sides, the replication role's trust and permissions
policies, the TLS-only bucket policy, and each replication rule as pulumi-aws `BucketReplicationConfig` inputs.
`ReplicatedBucket` (replication.py) registers them; the least-privilege tests read them directly."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from compliance import facts

from components.config.replication import ReplicationRuleConfig

# S3 Replication Time Control: 99.99% of objects within facts.RTC_MINUTES; the metrics and the latency alarm use the
# same threshold.


@dataclass(frozen=True)
class BucketSide:
    """One end of the replication, as the role policy and the replication rules need it."""

    name: str  # the bucket's physical name (literal, so known at preview)
    region: str
    bucket: pulumi.Input[str]  # the same name, as the bucket resource's Output when the bucket is created here
    key_arn: pulumi.Input[str]  # for the role policy (IAM authorises KMS use on the key ARN, not the alias)
    replica_key_id: pulumi.Input[str]  # what S3 is told to encrypt with (alias ARN: known at preview)
    versioning: aws.s3.BucketVersioning | None  # None for another account's bucket
    account_id: str | None = None  # set only for a bucket of another account


@dataclass(frozen=True)
class Direction:
    source: BucketSide
    destination: BucketSide
    replicate_delete_markers: bool
    storage_class: str


def s3_arn(partition: str, bucket: str) -> str:
    return f"arn:{partition}:s3:::{bucket}"


def replication_policy_document(
    directions: Sequence[Direction], partition: str, dns_suffix: str, key_arns: Mapping[str, str]
) -> dict:
    """The replication role's permissions: for each direction, what S3 documents for replicating SSE-KMS objects
    ("Setting up permissions" and "Replicating encrypted objects", S3 User Guide), scoped to the two buckets and
    their keys. `key_arns` maps each bucket name to its resolved key ARN. With S3 Bucket Keys on, the encryption
    context is the bucket ARN; objects written before (or without) a bucket key carry the object ARN: both allowed."""
    statements: list[dict] = []
    for direction in directions:
        source, destination = direction.source, direction.destination
        source_arn, destination_arn = s3_arn(partition, source.name), s3_arn(partition, destination.name)
        replicate = ["s3:ReplicateObject", "s3:ReplicateTags"]
        if direction.replicate_delete_markers:
            replicate.append("s3:ReplicateDelete")
        if destination.account_id is not None:
            replicate.append("s3:ObjectOwnerOverrideToBucketOwner")
        statements += [
            {
                "Effect": "Allow",
                "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                "Resource": [source_arn],
            },
            {
                "Effect": "Allow",
                "Action": [
                    "s3:GetObjectVersionForReplication",
                    "s3:GetObjectVersionAcl",
                    "s3:GetObjectVersionTagging",
                ],
                "Resource": [f"{source_arn}/*"],
            },
            {"Effect": "Allow", "Action": sorted(replicate), "Resource": [f"{destination_arn}/*"]},
            _kms_statement("kms:Decrypt", key_arns[source.name], source.region, source_arn, dns_suffix),
            _kms_statement("kms:Encrypt", key_arns[destination.name], destination.region, destination_arn, dns_suffix),
        ]
    return {"Version": "2012-10-17", "Statement": statements}


def _kms_statement(action: str, key_arn: str, region: str, bucket_arn: str, dns_suffix: str) -> dict:
    return {
        "Effect": "Allow",
        "Action": [action],
        "Resource": [key_arn],
        "Condition": {
            "StringEquals": {"kms:ViaService": f"s3.{region}.{dns_suffix}"},
            "StringLike": {"kms:EncryptionContext:aws:s3:arn": [bucket_arn, f"{bucket_arn}/*"]},
        },
    }


def trust_policy_document(account_id: str) -> dict:
    """Only S3, and only on behalf of this account (confused-deputy guard)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "s3.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
        ],
    }


def tls_only_policy_document(partition: str, bucket: str) -> dict:
    arn = s3_arn(partition, bucket)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [arn, f"{arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


def rule_filter(rule: ReplicationRuleConfig) -> dict:
    """The V2 filter. Always present (its presence is what selects the V2 schema); `prefix: ""` means every
    object (an empty filter block would be dropped on the way to the provider and fall back to V1)."""
    tags = [{"key": key, "value": value} for key, value in sorted(rule.tags.items())]
    if not tags:
        return {"prefix": rule.prefix or ""}
    if len(tags) == 1 and rule.prefix is None:
        return {"tag": tags[0]}
    and_: dict = {"tags": dict(sorted(rule.tags.items()))}
    if rule.prefix is not None:
        and_["prefix"] = rule.prefix
    return {"and_": and_}


def _status(enabled: bool) -> str:
    return "Enabled" if enabled else "Disabled"


def replication_rule(
    rule: ReplicationRuleConfig,
    destination: BucketSide,
    bucket_arn: pulumi.Input[str],
    storage_class: str,
    sync_replica_modifications: bool,
) -> dict:
    target: dict = {
        "bucket": bucket_arn,
        "storage_class": storage_class,
        "encryption_configuration": {"replica_kms_key_id": destination.replica_key_id},
        "metrics": {"status": "Enabled", "event_threshold": {"minutes": facts.RTC_MINUTES}}
        if rule.metrics
        else {"status": "Disabled"},
    }
    if rule.replication_time_control:
        target["replication_time"] = {"status": "Enabled", "time": {"minutes": facts.RTC_MINUTES}}
    if destination.account_id is not None:
        target["account"] = destination.account_id
        target["access_control_translation"] = {"owner": "Destination"}
    return {
        "id": rule.id,
        "priority": rule.priority,
        "status": _status(rule.enabled),
        "filter": rule_filter(rule),
        "delete_marker_replication": {"status": _status(rule.delete_marker_replication)},
        "source_selection_criteria": {
            "sse_kms_encrypted_objects": {"status": "Enabled"},
            "replica_modifications": {"status": _status(sync_replica_modifications)},
        },
        "destination": target,
    }
