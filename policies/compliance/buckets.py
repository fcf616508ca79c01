"""S3 buckets and their replication, versioning and encryption, in both shapes pulumi-aws has used.

- Separate resources (v7 and v6): `BucketReplicationConfig`, `BucketVersioning(V2)`,
  `BucketServerSideEncryptionConfiguration(V2)`, each pointing at its bucket through `bucket` (linked by
  property_dependencies, or by the literal bucket name).
- The legacy inline properties of `aws:s3/bucket:Bucket` (`versioning`, `replicationConfiguration`,
  `serverSideEncryptionConfiguration`), whose rule fields are spelled differently (`deleteMarkerReplicationStatus`,
  `destination.replicaKmsKeyId`, `sseKmsEncryptedObjects.enabled`, ...).
v6's `BucketV2` is recognised as a bucket; its deprecated plural inline blocks are not read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from compliance.resources import (
    BUCKET,
    BUCKET_ENCRYPTION,
    BUCKET_REPLICATION,
    BUCKET_VERSIONING,
    Props,
    Resource,
    Stack,
)

ENABLED = "Enabled"
# The properties `replication_rules()` reads, in both shapes.
REPLICATION_RULE_READS = {
    BUCKET_REPLICATION: (
        "rules", "rules[].status", "rules[].priority", "rules[].filter", "rules[].filter.tag", "rules[].filter.and",
        "rules[].filter.and.tags", "rules[].deleteMarkerReplication", "rules[].deleteMarkerReplication.status",
        "rules[].destination", "rules[].destination.bucket", "rules[].destination.replicationTime",
        "rules[].destination.replicationTime.status", "rules[].destination.replicationTime.time",
        "rules[].destination.replicationTime.time.minutes", "rules[].destination.metrics",
        "rules[].destination.metrics.status", "rules[].destination.metrics.eventThreshold",
        "rules[].destination.metrics.eventThreshold.minutes", "rules[].destination.encryptionConfiguration",
        "rules[].destination.encryptionConfiguration.replicaKmsKeyId", "rules[].sourceSelectionCriteria",
        "rules[].sourceSelectionCriteria.sseKmsEncryptedObjects",
        "rules[].sourceSelectionCriteria.sseKmsEncryptedObjects.status",
        "rules[].sourceSelectionCriteria.replicaModifications",
    ),
    BUCKET: (
        "replicationConfiguration", "replicationConfiguration.rules", "replicationConfiguration.rules[].status",
        "replicationConfiguration.rules[].priority", "replicationConfiguration.rules[].filter",
        "replicationConfiguration.rules[].filter.tags",
        "replicationConfiguration.rules[].deleteMarkerReplicationStatus",
        "replicationConfiguration.rules[].destination", "replicationConfiguration.rules[].destination.bucket",
        "replicationConfiguration.rules[].destination.replicationTime",
        "replicationConfiguration.rules[].destination.replicationTime.status",
        "replicationConfiguration.rules[].destination.replicationTime.minutes",
        "replicationConfiguration.rules[].destination.metrics",
        "replicationConfiguration.rules[].destination.metrics.status",
        "replicationConfiguration.rules[].destination.metrics.minutes",
        "replicationConfiguration.rules[].destination.replicaKmsKeyId",
        "replicationConfiguration.rules[].sourceSelectionCriteria",
        "replicationConfiguration.rules[].sourceSelectionCriteria.sseKmsEncryptedObjects",
        "replicationConfiguration.rules[].sourceSelectionCriteria.sseKmsEncryptedObjects.enabled",
    ),
}


@dataclass(frozen=True)
class ReplicationRule:
    """A replication rule read from either shape; `None` means "not set"."""

    where: str
    status: str | None
    priority: float | None
    has_filter: bool
    filters_on_tags: bool
    delete_marker_status: str | None
    rtc_status: str | None
    rtc_minutes: float | None
    metrics_status: str | None
    metrics_minutes: float | None
    sse_kms_selected: bool
    replica_kms_key: bool  # set (possibly to a key ARN unknown at preview)
    replica_kms_key_arn: str | None  # the key, when a known literal
    destination_bucket: str | None
    replica_modifications: bool = False  # sourceSelectionCriteria.replicaModifications set (V2 only)


def _known_text(props: Props, key: str) -> str | None:
    return props.text(key) if props.known(key) else None


def _status(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _separate_rule(rule: Props) -> ReplicationRule:
    destination = rule.child("destination")
    filter_ = rule.child("filter")
    has_filter = rule.get("filter") is not None
    return ReplicationRule(
        where=rule.path,
        status=rule.text("status"),
        priority=rule.number("priority"),
        has_filter=has_filter,
        filters_on_tags=filter_.get("tag") is not None or bool(filter_.child("and").get("tags")),
        delete_marker_status=_status(rule.child("deleteMarkerReplication").get("status")),
        rtc_status=_status(destination.child("replicationTime").get("status")),
        rtc_minutes=destination.child("replicationTime").child("time").number("minutes"),
        metrics_status=_status(destination.child("metrics").get("status")),
        metrics_minutes=destination.child("metrics").child("eventThreshold").number("minutes"),
        sse_kms_selected=rule.child("sourceSelectionCriteria").child("sseKmsEncryptedObjects").get("status")
        == ENABLED,
        replica_kms_key=destination.child("encryptionConfiguration").present("replicaKmsKeyId"),
        replica_kms_key_arn=_known_text(destination.child("encryptionConfiguration"), "replicaKmsKeyId"),
        destination_bucket=destination.text("bucket") if destination.known("bucket") else None,
        replica_modifications=rule.child("sourceSelectionCriteria").present("replicaModifications"),
    )


def _inline_rule(rule: Props) -> ReplicationRule:
    destination = rule.child("destination")
    has_filter = rule.get("filter") is not None
    return ReplicationRule(
        where=rule.path,
        status=rule.text("status"),
        priority=rule.number("priority"),
        has_filter=has_filter,
        filters_on_tags=bool(rule.child("filter").get("tags")),
        delete_marker_status=rule.text("deleteMarkerReplicationStatus"),
        rtc_status=_status(destination.child("replicationTime").get("status")),
        rtc_minutes=destination.child("replicationTime").number("minutes"),
        metrics_status=_status(destination.child("metrics").get("status")),
        metrics_minutes=destination.child("metrics").number("minutes"),
        sse_kms_selected=rule.child("sourceSelectionCriteria").child("sseKmsEncryptedObjects").flag("enabled"),
        replica_kms_key=destination.present("replicaKmsKeyId"),
        replica_kms_key_arn=_known_text(destination, "replicaKmsKeyId"),
        destination_bucket=destination.text("bucket") if destination.known("bucket") else None,
    )


def replication_rules(resource: Resource) -> list[ReplicationRule] | None:
    """The rules of a replication config, or of a legacy bucket's inline one; None when it has none."""
    if resource.kind == BUCKET_REPLICATION:
        return [_separate_rule(rule) for rule in resource.props.items("rules")]
    if resource.type == BUCKET and resource.props.get("replicationConfiguration") is not None:
        return [_inline_rule(rule) for rule in resource.props.child("replicationConfiguration").items("rules")]
    return None


def replications(stack: Stack) -> Iterator[Resource]:
    """Every replication configuration of the stack: the separate resources and legacy buckets' inline ones."""
    yield from stack.of_kind(BUCKET_REPLICATION)
    yield from (b for b in stack.of_kind(BUCKET) if replication_rules(b) is not None)


def bucket_name(bucket: Resource) -> str | None:
    return bucket.props.text("bucket") if bucket.props.known("bucket") else None


def bucket_of(stack: Stack, resource: Resource) -> Resource | None:
    """The bucket a versioning/encryption/replication resource configures: by property_dependencies on `bucket`,
    else by the literal bucket name. A legacy bucket with inline settings is its own bucket."""
    if resource.kind == BUCKET:
        return resource
    linked = stack.linked(resource, "bucket", BUCKET)
    if linked:
        return linked[0]
    name = resource.props.text("bucket") if resource.props.known("bucket") else None
    return next((b for b in stack.of_kind(BUCKET) if name and bucket_name(b) == name), None)


def bucket_by_arn_or_name(stack: Stack, source: Resource, value: str | None) -> Resource | None:
    """A replication destination bucket (an ARN `arn:aws:s3:::name`, or a name), found in the stack by the
    replication resource's property_dependencies on `rules`, else by name."""
    name = value.rsplit(":", 1)[-1] if value else None
    for bucket in stack.linked(source, "rules", BUCKET) + stack.linked(source, "replicationConfiguration", BUCKET):
        if name is None or bucket_name(bucket) in (name, None):
            return bucket
    return next((b for b in stack.of_kind(BUCKET) if name and bucket_name(b) == name), None)


def versioning_enabled(stack: Stack, bucket: Resource) -> bool:
    """Versioning is Enabled on the bucket, by a versioning resource or the legacy inline block."""
    if bucket.type == BUCKET and bucket.props.child("versioning").flag("enabled"):
        return True
    return any(
        bucket_of(stack, versioning) is bucket
        and versioning.props.child("versioningConfiguration").text("status") == ENABLED
        for versioning in stack.of_kind(BUCKET_VERSIONING)
    )


def versioning_resources(stack: Stack, bucket: Resource) -> list[Resource]:
    return [v for v in stack.of_kind(BUCKET_VERSIONING) if bucket_of(stack, v) is bucket]


def encryption_algorithm(stack: Stack, bucket: Resource) -> str | None:
    """The default encryption algorithm (`aws:kms`, `aws:kms:dsse`, `AES256`) set on the bucket, if any."""
    if bucket.type == BUCKET:
        inline = bucket.props.child("serverSideEncryptionConfiguration").child("rule")
        algorithm = inline.child("applyServerSideEncryptionByDefault").text("sseAlgorithm")
        if algorithm:
            return algorithm
    for encryption in stack.of_kind(BUCKET_ENCRYPTION):
        if bucket_of(stack, encryption) is bucket:
            for rule in encryption.props.items("rules"):
                algorithm = rule.child("applyServerSideEncryptionByDefault").text("sseAlgorithm")
                if algorithm:
                    return algorithm
    return None
