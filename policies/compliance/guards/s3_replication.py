"""S3 replication: what S3 requires of a configuration (versioning on both sides, complete rules, RTC with metrics,
SSE-KMS objects selected with a replica key: AWS limits), and what the profile asks (another region, RTC, SSE-KMS
on both sides, the delete-marker choice)."""

from __future__ import annotations

from collections.abc import Iterator

from compliance import facts
from compliance.bucket_settings import (
    ENABLED,
    ENCRYPTION_READS,
    KMS_ALGORITHMS,
    REPLICATION_RULE_READS,
    ReplicationRule,
    bucket_by_arn_or_name,
    bucket_of,
    encryption_algorithm,
    replication_rules,
    replications,
    versioning_enabled,
    versioning_resources,
)
from compliance.resources import BUCKET, BUCKET_ENCRYPTION, BUCKET_REPLICATION, BUCKET_VERSIONING, Arn, Resource, Stack
from compliance.spec import AWS_LIMITS, FIGURES, PolicySpec, Violation, aws_limit, days

R = "aws-backups:replication[]"  # the stack-config list S3 replication comes from


def check_replication_versioning(stack: Stack, _config: dict) -> Iterator[Violation]:
    for replication in replications(stack):
        rules_ = replication_rules(replication) or []
        source = bucket_of(stack, replication)
        sides = [("source", source)] + [
            (f"destination of {rule.where}", bucket_by_arn_or_name(stack, replication, rule.destination_bucket))
            for rule in rules_
        ]
        for side, bucket in sides:
            if bucket is None:
                continue  # a bucket outside this stack: its versioning cannot be seen here
            if not versioning_enabled(stack, bucket):
                yield Violation(
                    f"the {side} bucket '{bucket.name}' has no versioning with status Enabled; S3 rejects "
                    f"replication (\"Destination bucket must have versioning enabled\"). Add a BucketVersioning with "
                    f"versioningConfiguration.status Enabled for it (stack config: aws-backups:replication[]).",
                    replication.urn,
                )
            elif replication.kind == BUCKET_REPLICATION:
                missing = [v for v in versioning_resources(stack, bucket) if v.urn not in replication.dependencies]
                if missing:
                    yield Violation(
                        f"the replication config does not depend on the versioning of the {side} bucket "
                        f"'{bucket.name}'; Pulumi may create it first and S3 then rejects it. Add the resource "
                        f"option dependsOn: [{', '.join(v.name for v in missing)}] to the BucketReplicationConfig "
                        f"(our components do: stack config aws-backups:replication[] needs no change).",
                        replication.urn,
                    )


VERSIONING = PolicySpec(
    name="aws-s3-replication-check-versioning",
    description="S3 replication has versioning Enabled on source and destination buckets, and depends on it.",
    why=f"S3 rejects replication without versioning on both sides (PutBucketReplication; {aws_limit(12)}).",
    severity="high",
    remediation="Add a BucketVersioning (status Enabled) for both buckets and make the replication config "
                "dependOn both.",
    reads={
        **REPLICATION_RULE_READS,
        BUCKET: (*REPLICATION_RULE_READS[BUCKET], "bucket", "versioning", "versioning.enabled"),
        BUCKET_REPLICATION: (*REPLICATION_RULE_READS[BUCKET_REPLICATION], "bucket"),
        BUCKET_VERSIONING: ("bucket", "versioningConfiguration", "versioningConfiguration.status"),
    },
    check=check_replication_versioning,
    stack=True,
    aws_limit=True,
)


def check_replication_rule_fields(resource: Resource, _config: dict) -> Iterator[str]:
    found = replication_rules(resource)
    if not found:
        return
    if len(found) > facts.MAX_REPLICATION_RULES:
        yield (f"{len(found)} replication rules; S3 accepts at most {facts.MAX_REPLICATION_RULES}. Merge rules so "
               f"that rules has at most {facts.MAX_REPLICATION_RULES} items (stack config: {R}.rules).")
    priorities = [rule.priority for rule in found if rule.priority is not None]
    duplicates = sorted({int(p) for p in priorities if priorities.count(p) > 1})
    if duplicates:
        yield (f"replication rule priorities {duplicates} are used more than once; S3 requires unique priorities. "
               f"Give each rule its own priority (stack config: {R}.rules[].priority).")
    for rule in found:
        if rule.replica_modifications and not rule.has_filter:
            yield (f"{rule.where} sets sourceSelectionCriteria.replicaModifications without a filter; "
                   f"ReplicaModifications exists only in V2 rules, and S3 rejects it in a V1 rule. Add a filter "
                   f"(e.g. filter.prefix \"\") with status, priority and deleteMarkerReplication, or remove "
                   f"replicaModifications (stack config: {R}.rules[].prefix).")
        if not rule.has_filter:
            continue
        missing = [name for name, value in (("status", rule.status), ("priority", rule.priority),
                                            ("deleteMarkerReplication", rule.delete_marker_status)) if value is None]
        if missing:
            yield (f"{rule.where} has a filter (the V2 schema) but no {', '.join(missing)}; S3 rejects it. Set "
                   f"{', '.join(missing)} on the rule (stack config: {R}.rules[].priority / enabled / "
                   f"deleteMarkerReplication, which our components always set).")
        if rule.filters_on_tags and rule.delete_marker_status == ENABLED:
            yield (f"{rule.where} filters on tags and replicates delete markers; S3 requires delete-marker "
                   f"replication Disabled with a tag filter. Set deleteMarkerReplication.status Disabled or filter "
                   f"on a prefix (stack config: {R}.rules[].deleteMarkerReplication: false, or drop "
                   f"{R}.rules[].tags).")


RULE_FIELDS = PolicySpec(
    name="aws-s3-replication-check-rule-fields",
    description="S3 replication rules are complete: V2 fields with a filter, replicaModifications only with a "
                "filter, tag filters without delete-marker replication, at most "
                f"{facts.MAX_REPLICATION_RULES:,} rules with unique priorities.",
    why=f"PutBucketReplication rejects the rest ({aws_limit(13)}, {aws_limit(16)}).",
    severity="high",
    remediation="With a filter set status, priority and deleteMarkerReplication; set replicaModifications only "
                "with a filter; with a tag filter set deleteMarkerReplication Disabled; give every rule its own "
                "priority.",
    reads=REPLICATION_RULE_READS,
    check=check_replication_rule_fields,
    aws_limit=True,
)


def check_replication_rtc(resource: Resource, _config: dict) -> Iterator[str]:
    rtc_minutes = facts.RTC_MINUTES
    for rule in replication_rules(resource) or []:
        if rule.rtc_status != ENABLED:
            continue
        if rule.metrics_status != ENABLED:
            yield (f"{rule.where} enables Replication Time Control without metrics (metrics.status is "
                   f"{rule.metrics_status or 'unset'}); S3 requires metrics with RTC. Set destination.metrics.status "
                   f"Enabled with a {rtc_minutes}-minute event threshold (stack config: {R}.rules[].metrics: true, "
                   f"or {R}.rules[].replicationTimeControl: false).")
        for what, minutes in (("replicationTime", rule.rtc_minutes), ("metrics", rule.metrics_minutes)):
            if minutes is not None and minutes != rtc_minutes:
                yield (f"{rule.where}: destination.{what} minutes is {days(minutes)}; S3 accepts only {rtc_minutes}."
                       f" Set destination.{what} minutes to {rtc_minutes} (our components always do: stack config "
                       f"{R}.rules[].replicationTimeControl needs no minutes).")


RTC_METRICS = PolicySpec(
    name="aws-s3-replication-check-rtc-metrics",
    description=f"S3 Replication Time Control comes with metrics, both at {facts.RTC_MINUTES} minutes.",
    why=f"RTC requires metrics enabled, and both use {facts.RTC_MINUTES} minutes ({aws_limit(14)}).",
    severity="medium",
    remediation=f"With replicationTime Enabled, set metrics.status Enabled and both thresholds to "
                f"{facts.RTC_MINUTES} minutes.",
    reads=REPLICATION_RULE_READS,
    check=check_replication_rtc,
    aws_limit=True,
)


def check_replication_kms(stack: Stack, _config: dict) -> Iterator[Violation]:
    for replication in replications(stack):
        for rule in replication_rules(replication) or []:
            for message in _kms_problems(stack, replication, rule):
                yield Violation(message, replication.urn)


def _kms_problems(stack: Stack, replication: Resource, rule: ReplicationRule) -> Iterator[str]:
    if rule.sse_kms_selected and not rule.replica_kms_key:
        yield (f"{rule.where} selects SSE-KMS encrypted objects but sets no replica KMS key; S3 rejects it. Set "
               f"destination.encryptionConfiguration.replicaKmsKeyId to a key in the destination region (stack "
               f"config: {R}.destination.replicaKmsKeyArn for another account; in this account our components "
               f"create the key).")
    if rule.replica_kms_key and not rule.sse_kms_selected:
        yield (f"{rule.where} sets a replica KMS key but does not select SSE-KMS encrypted objects, so they are "
               f"not replicated. Set sourceSelectionCriteria.sseKmsEncryptedObjects.status Enabled (our components "
               f"always do: stack config {R} needs no change).")
    # The replica key must be in the destination bucket's region: judged when both are known (a literal key ARN
    # and a destination bucket of this stack); a key created in the stack has an unknown ARN at preview.
    key = Arn.parse(rule.replica_kms_key_arn)
    destination = bucket_by_arn_or_name(stack, replication, rule.destination_bucket)
    region = stack.region_of(destination) if destination else None
    if key and key.region and region and key.region != region:
        yield (f"{rule.where}: the replica KMS key {rule.replica_kms_key_arn} is in {key.region}, but the "
               f"destination bucket '{destination.name}' is in {region}; S3 needs the replica key in the "
               f"destination region. Set destination.encryptionConfiguration.replicaKmsKeyId to a key in {region} "
               f"(stack config: {R}.destination.replicaKmsKeyArn).")


KMS_SELECTION = PolicySpec(
    name="aws-s3-replication-check-kms-selection",
    description="S3 replication of SSE-KMS objects selects them and names a replica key in the destination "
                "region.",
    why="SSE-KMS objects replicate only with SseKmsEncryptedObjects Enabled and a ReplicaKmsKeyID, a key in the "
        f"destination region (PutBucketReplication; {aws_limit(15)}).",
    severity="high",
    remediation="Set sourceSelectionCriteria.sseKmsEncryptedObjects.status Enabled and "
                "destination.encryptionConfiguration.replicaKmsKeyId (a key in the destination bucket's region) "
                "together.",
    reads={**REPLICATION_RULE_READS, BUCKET: (*REPLICATION_RULE_READS[BUCKET], "bucket", "region"),
           BUCKET_REPLICATION: (*REPLICATION_RULE_READS[BUCKET_REPLICATION], "bucket", "region")},
    check=check_replication_kms,
    stack=True,
    aws_limit=True,
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


CROSS_REGION = PolicySpec(
    name="aws-s3-replication-require-cross-region",
    description="S3 replication sends objects to a bucket in another region.",
    why=f"Disaster recovery needs the copy outside the source region ({FIGURES}, notes: cross-region copies "
        "are the usual DR requirement).",
    severity="high",
    remediation="Create the destination bucket in another region (v7 `region` on the bucket).",
    reads={**REPLICATION_RULE_READS, BUCKET: (*REPLICATION_RULE_READS[BUCKET], "bucket", "region"),
           BUCKET_REPLICATION: (*REPLICATION_RULE_READS[BUCKET_REPLICATION], "bucket", "region")},
    check=check_cross_region,
    stack=True,
    level="advisory",
)


def check_rtc(resource: Resource, _config: dict) -> Iterator[str]:
    for rule in replication_rules(resource) or []:
        if rule.status == ENABLED and rule.rtc_status != ENABLED:
            yield (f"{rule.where} has no S3 Replication Time Control (replicationTime.status is "
                   f"{rule.rtc_status or 'unset'}), so there is no 15-minute replication SLA. Set "
                   f"destination.replicationTime.status Enabled with metrics (stack config: "
                   f"aws-backups:replication[].rules[].replicationTimeControl: true).")


RTC = PolicySpec(
    name="aws-s3-replication-require-rtc",
    description="Enabled S3 replication rules use Replication Time Control.",
    why=f"RTC gives an SLA: 99.99% of objects within {facts.RTC_MINUTES} minutes (S3 RTC SLA, {AWS_LIMITS}); "
        "without it replication is best-effort.",
    severity="low",
    remediation="Set destination.replicationTime.status Enabled (15 minutes) and destination.metrics Enabled.",
    reads=REPLICATION_RULE_READS,
    check=check_rtc,
    level="advisory",
)


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


SSE_KMS = PolicySpec(
    name="aws-s3-replication-require-sse-kms",
    description="Replicated buckets use SSE-KMS on both sides and replicate KMS-encrypted objects.",
    why="Encryption at rest with controlled keys on the copy too (HIPAA 164.312(a)(2)(iv), PCI DSS Req. 3.5); "
        f"S3 skips SSE-KMS objects unless the rule selects them with a replica key ({aws_limit(15)}).",
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


DELETE_MARKERS = PolicySpec(
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
)


POLICIES = [VERSIONING, RULE_FIELDS, RTC_METRICS, KMS_SELECTION, CROSS_REGION, RTC, SSE_KMS, DELETE_MARKERS]
