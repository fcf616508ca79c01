"""S3 buckets and their replication, versioning and encryption, in both shapes pulumi-aws has used.

- Separate resources (v7 and v6): `BucketReplicationConfig`, `BucketVersioning(V2)`,
  `BucketServerSideEncryptionConfiguration(V2)`, each pointing at its bucket through `bucket` (linked by
  property_dependencies, or by the literal bucket name).
- The legacy inline properties of `aws:s3/bucket:Bucket` (`versioning`, `replicationConfiguration`,
  `serverSideEncryptionConfiguration`), whose rule fields are spelled differently (`deleteMarkerReplicationStatus`,
  `destination.replicaKmsKeyId`, `sseKmsEncryptedObjects.enabled`, ...).
v6's `BucketV2` is recognised as a bucket; its deprecated plural inline blocks are not read.

A separate resource states the fact; the inline block is read only for a bucket that has none. The provider
computes the inline blocks when the program leaves them unset: unknown on a first preview, and after `pulumi up`
what S3 said when the bucket was created (versioning off, SSE-S3), until a refresh, whatever a separate resource
set a moment later (data/aws_provider_facts.json in preflight).
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


def _inline(bucket: Resource, key: str) -> Props | None:
    """A legacy bucket's inline block as the program set it; None when unset or left to the provider."""
    if bucket.type != BUCKET or bucket.program_value(key) is None:
        return None
    return bucket.props.child(key)


def replication_rules(resource: Resource) -> list[ReplicationRule] | None:
    """The rules of a replication config, or of a legacy bucket's inline one; None when it has none (an inline
    block without rules, as read back from a bucket without replication, is none)."""
    if resource.kind == BUCKET_REPLICATION:
        return [_separate_rule(rule) for rule in resource.props.items("rules")]
    inline = _inline(resource, "replicationConfiguration")
    rules = inline.items("rules") if inline is not None else []
    return [_inline_rule(rule) for rule in rules] or None


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


def configuring(stack: Stack, kind: str, bucket: Resource) -> list[Resource]:
    """The separate resources of `kind` that configure the bucket."""
    return [resource for resource in stack.of_kind(kind) if bucket_of(stack, resource) is bucket]


def versioning_enabled(stack: Stack, bucket: Resource) -> bool:
    """Versioning is Enabled on the bucket: by its versioning resource, else by the legacy inline block."""
    separate = versioning_resources(stack, bucket)
    if separate:
        return any(v.props.child("versioningConfiguration").text("status") == ENABLED for v in separate)
    inline = _inline(bucket, "versioning")
    return inline is not None and inline.flag("enabled")


def versioning_resources(stack: Stack, bucket: Resource) -> list[Resource]:
    return configuring(stack, BUCKET_VERSIONING, bucket)


KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")  # SSE-KMS, single or dual layer

# What encryption_algorithm reads: the separate resource's rules, else the legacy bucket's inline block.
ENCRYPTION_READS = {
    BUCKET: ("bucket", "serverSideEncryptionConfiguration", "serverSideEncryptionConfiguration.rule",
             "serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault",
             "serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault.sseAlgorithm"),
    BUCKET_ENCRYPTION: ("bucket", "rules", "rules[].applyServerSideEncryptionByDefault",
                        "rules[].applyServerSideEncryptionByDefault.sseAlgorithm"),
}


def encryption_algorithm(stack: Stack, bucket: Resource) -> str | None:
    """The default encryption algorithm (`aws:kms`, `aws:kms:dsse`, `AES256`) set on the bucket: by its encryption
    resource, else by the legacy inline block; None when neither sets one."""
    separate = configuring(stack, BUCKET_ENCRYPTION, bucket)
    rules = [rule for encryption in separate for rule in encryption.props.items("rules")]
    if not separate:
        inline = _inline(bucket, "serverSideEncryptionConfiguration")
        rules = [inline.child("rule")] if inline is not None else []
    for rule in rules:
        algorithm = rule.child("applyServerSideEncryptionByDefault").text("sseAlgorithm")
        if algorithm:
            return algorithm
    return None
