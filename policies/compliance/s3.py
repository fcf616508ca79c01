"""S3: critical buckets are replicated, to another region, quickly (RTC), encrypted with KMS on both sides, with
the profile's choice on delete markers. Versioning on both sides is an AWS limit (limits.py)."""

from __future__ import annotations

from collections.abc import Iterator

from compliance import facts
from compliance.buckets import (
    ENABLED,
    REPLICATION_RULE_READS,
    bucket_by_arn_or_name,
    bucket_of,
    encryption_algorithm,
    replication_rules,
    replications,
)
from compliance.resources import BUCKET, BUCKET_ENCRYPTION, BUCKET_REPLICATION, BUCKET_V6, Resource, Stack
from compliance.spec import PolicySpec, Violation

KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")
ENCRYPTION_READS = {
    BUCKET: ("bucket", "serverSideEncryptionConfiguration", "serverSideEncryptionConfiguration.rule",
             "serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault",
             "serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault.sseAlgorithm"),
    BUCKET_ENCRYPTION: ("bucket", "rules", "rules[].applyServerSideEncryptionByDefault",
                        "rules[].applyServerSideEncryptionByDefault.sseAlgorithm"),
}


def _tags(bucket: Resource) -> object:
    """The bucket's tags with the provider's default tags (`tagsAll`, filled by the provider's Check), else its
    own `tags` (when the engine did not send `tagsAll`)."""
    tags_all = bucket.program_value("tagsAll")
    return tags_all if tags_all is not None else bucket.program_value("tags", {})


def _is_critical(bucket: Resource, config: dict) -> bool:
    tags = _tags(bucket)
    value = tags.get(config["criticalTagKey"]) if isinstance(tags, dict) else None
    return isinstance(value, str) and value.lower() in {v.lower() for v in config["criticalTagValues"]}


def check_critical_replicated(stack: Stack, config: dict) -> Iterator[Violation]:
    # A configuration whose rules are all Disabled replicates nothing: only an Enabled rule counts.
    replicated = {id(bucket_of(stack, r)) for r in replications(stack)
                  if any(rule.status == ENABLED for rule in replication_rules(r) or [])}
    for bucket in stack.of_kind(BUCKET):
        if _is_critical(bucket, config) and id(bucket) not in replicated:
            yield Violation(
                f"bucket '{bucket.name}' is tagged {config['criticalTagKey']} as critical but has no replication "
                f"configuration with an Enabled rule; one region's outage or one deletion loses its data. Add a "
                f"BucketReplicationConfig with rules[].status Enabled for it (stack config: an "
                f"aws-backups:replication[] item for this bucket, with rules[].enabled: true).",
                bucket.urn,
            )


def check_cross_region(stack: Stack, _config: dict) -> Iterator[Violation]:
    for replication in replications(stack):
        source = bucket_of(stack, replication)
        source_region = stack.region_of(source) if source else stack.region_of(replication)
        for rule in replication_rules(replication) or []:
            destination = bucket_by_arn_or_name(stack, replication, rule.destination_bucket)
            if destination is None or rule.status != ENABLED:
                continue  # a bucket outside the stack: its region cannot be seen here
            if stack.region_of(destination) == source_region:
                yield Violation(
                    f"{rule.where} replicates to bucket '{destination.name}' in the same region ({source_region}); "
                    f"a regional outage takes both copies. Put the destination bucket in another region (stack "
                    f"config: aws-backups:replication[].destination.region).",
                    replication.urn,
                )


def check_name_without_periods(bucket: Resource, _config: dict) -> Iterator[str]:
    name = bucket.props.get("bucket") if bucket.props.known("bucket") else None
    warning = facts.bucket_name_warning(name) if isinstance(name, str) else None
    if warning and facts.bucket_name_problem(name) is None:  # a refused name is the AWS-limit policy's
        yield (f"bucket name {name!r} {warning}. Rename it with hyphens for new buckets (stack config: "
               f"aws-backups:replication[].source.bucketName / destination.bucketName).")


def check_rtc(resource: Resource, _config: dict) -> Iterator[str]:
    for rule in replication_rules(resource) or []:
        if rule.status == ENABLED and rule.rtc_status != ENABLED:
            yield (f"{rule.where} has no S3 Replication Time Control (replicationTime.status is "
                   f"{rule.rtc_status or 'unset'}), so there is no 15-minute replication SLA. Set "
                   f"destination.replicationTime.status Enabled with metrics (stack config: "
                   f"aws-backups:replication[].rules[].replicationTimeControl: true).")


def check_sse_kms(stack: Stack, _config: dict) -> Iterator[Violation]:
    for replication in replications(stack):
        source = bucket_of(stack, replication)
        sides = [("source", source)] + [
            ("destination", bucket_by_arn_or_name(stack, replication, rule.destination_bucket))
            for rule in replication_rules(replication) or []
        ]
        seen: set[str] = set()
        for side, bucket in sides:
            if bucket is None or bucket.urn in seen:
                continue
            seen.add(bucket.urn)
            algorithm = encryption_algorithm(stack, bucket)
            if algorithm not in KMS_ALGORITHMS:
                yield Violation(
                    f"the {side} bucket '{bucket.name}' default encryption is {algorithm or 'unset (SSE-S3)'}, not "
                    f"SSE-KMS. Add a BucketServerSideEncryptionConfiguration with "
                    f"rules[].applyServerSideEncryptionByDefault.sseAlgorithm aws:kms and a customer-managed key "
                    f"(our components do for both buckets of an aws-backups:replication[] item; an adopted source "
                    f"needs aws-backups:replication[].source.replaceExistingSettings: true).",
                    replication.urn,
                )
        for rule in replication_rules(replication) or []:
            if not (rule.sse_kms_selected and rule.replica_kms_key):
                yield Violation(
                    f"{rule.where} does not replicate SSE-KMS objects with a replica key (sseKmsEncryptedObjects "
                    f"{'Enabled' if rule.sse_kms_selected else 'not Enabled'}, replicaKmsKeyId "
                    f"{'set' if rule.replica_kms_key else 'unset'}); KMS-encrypted objects are silently skipped. "
                    f"Set both (stack config: aws-backups:replication[].destination.replicaKmsKeyArn).",
                    replication.urn,
                )


def check_delete_markers(resource: Resource, config: dict) -> Iterator[str]:
    wanted = config["deleteMarkerReplication"]
    if wanted == "any":
        return
    for rule in replication_rules(resource) or []:
        found = rule.delete_marker_status or "Disabled"  # S3 does not replicate delete markers unless told to
        if found != wanted:
            reason = ("deletions must not propagate to the copy (WORM)" if wanted == "Disabled"
                      else "erasure must reach the copy too")
            yield (f"{rule.where} has delete-marker replication {found}; the profile requires {wanted}: {reason}. Set "
                   f"deleteMarkerReplication.status {wanted} (stack config: "
                   f"aws-backups:replication[].rules[].deleteMarkerReplication: {str(wanted == 'Enabled').lower()}).")


POLICIES = [
    PolicySpec(
        name="aws-s3-bucket-require-replication",
        description="S3 buckets tagged as critical have a replication configuration.",
        why="Critical data needs a second copy (cross-region DR, compliance-figures.md notes); the tag key and "
            "values are knobs.",
        severity="high",
        remediation="Add a BucketReplicationConfig for the bucket, or remove the critical tag.",
        reads={BUCKET: ("tags", "tagsAll", *REPLICATION_RULE_READS[BUCKET]), BUCKET_V6: ("tags", "tagsAll"),
               BUCKET_REPLICATION: ("bucket",)},
        check=check_critical_replicated,
        stack=True,
        knobs={
            "criticalTagKey": {"type": "string", "minLength": 1, "default": "backup:critical",
                               "description": "The tag key that marks a bucket as critical."},
            "criticalTagValues": {"type": "array", "items": {"type": "string"}, "default": ["true"],
                                  "description": "Tag values (case-insensitive) that mean critical."},
        },
    ),
    PolicySpec(
        name="aws-s3-replication-require-cross-region",
        description="S3 replication sends objects to a bucket in another region.",
        why="Disaster recovery needs the copy outside the source region (compliance-figures.md, cross-region copies "
            "are the usual DR requirement).",
        severity="high",
        remediation="Create the destination bucket in another region (v7 `region` on the bucket).",
        reads={**REPLICATION_RULE_READS, BUCKET: (*REPLICATION_RULE_READS[BUCKET], "bucket", "region"),
               BUCKET_REPLICATION: (*REPLICATION_RULE_READS[BUCKET_REPLICATION], "bucket", "region")},
        check=check_cross_region,
        stack=True,
        level="advisory",
    ),
    PolicySpec(
        name="aws-s3-replication-require-rtc",
        description="Enabled S3 replication rules use Replication Time Control.",
        why="RTC gives an SLA: 99.99% of objects within 15 minutes (S3 RTC SLA, aws-limits.md); without it "
            "replication is best-effort.",
        severity="low",
        remediation="Set destination.replicationTime.status Enabled (15 minutes) and destination.metrics Enabled.",
        reads=REPLICATION_RULE_READS,
        check=check_rtc,
        level="advisory",
    ),
    PolicySpec(
        name="aws-s3-replication-require-sse-kms",
        description="Replicated buckets use SSE-KMS on both sides and replicate KMS-encrypted objects.",
        why="Encryption at rest with controlled keys on the copy too (HIPAA 164.312(a)(2)(iv), PCI DSS Req. 3.5); "
            "S3 skips SSE-KMS objects unless the rule selects them with a replica key (aws-limits.md #15).",
        severity="high",
        remediation="Give both buckets default encryption aws:kms, and every rule sseKmsEncryptedObjects Enabled "
                    "with destination.encryptionConfiguration.replicaKmsKeyId.",
        reads={**REPLICATION_RULE_READS,
               BUCKET: (*REPLICATION_RULE_READS[BUCKET], *ENCRYPTION_READS[BUCKET]),
               BUCKET_REPLICATION: (*REPLICATION_RULE_READS[BUCKET_REPLICATION], "bucket"),
               BUCKET_ENCRYPTION: ENCRYPTION_READS[BUCKET_ENCRYPTION]},
        check=check_sse_kms,
        stack=True,
        level="advisory",
    ),
    PolicySpec(
        name="aws-s3-replication-enforce-delete-markers",
        description="S3 replication replicates delete markers, or not, as the profile chooses.",
        why="WORM records (SEC 17a-4(f)) must not lose the copy when the source is deleted; GDPR erasure "
            "(Art. 17) must reach the copy.",
        severity="medium",
        remediation="Set deleteMarkerReplication.status to the profile's value on every rule.",
        reads=REPLICATION_RULE_READS,
        check=check_delete_markers,
        knobs={"deleteMarkerReplication": {"type": "string", "enum": ["any", "Enabled", "Disabled"], "default": "any",
                                           "description": "Required delete-marker replication; any for no rule."}},
    ),
    PolicySpec(
        name="aws-s3-bucket-check-name-without-periods",
        description="S3 bucket names use hyphens, not periods.",
        why="A period breaks HTTPS to the bucket's virtual-hosted-style address (the *.s3 wildcard certificate "
            "covers one label) and rules out S3 Transfer Acceleration; AWS recommends avoiding periods (S3 User "
            "Guide, bucket naming rules).",
        severity="low",
        remediation="Name new buckets with hyphens instead of periods; an existing bucket cannot be renamed.",
        reads={BUCKET: ("bucket",)},
        check=check_name_without_periods,
        level="advisory",
    ),
]
