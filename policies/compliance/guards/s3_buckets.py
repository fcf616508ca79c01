"""S3 buckets: names S3 accepts (an AWS limit) and without periods (advisory), and a replication configuration for
every bucket tagged as critical."""

from __future__ import annotations

from collections.abc import Iterator

from compliance import facts
from compliance.bucket_settings import ENABLED, REPLICATION_RULE_READS, bucket_of, replication_rules, replications
from compliance.resources import (
    BUCKET,
    BUCKET_ENCRYPTION,
    BUCKET_REPLICATION,
    BUCKET_V6,
    BUCKET_VERSIONING,
    Arn,
    Resource,
    Stack,
)
from compliance.spec import AWS_LIMITS, FIGURES, PolicySpec, Violation


def _named_buckets(resource: Resource) -> Iterator[tuple[str, str]]:
    """(what, bucket name) for every bucket the resource names by a known literal: a bucket's own name, the
    bucket a versioning, encryption or replication resource configures (ours, or adopted), and the destination
    buckets of replication rules (`arn:<partition>:s3:::<name>`)."""
    bucket = resource.props.get("bucket") if resource.props.known("bucket") else None
    if isinstance(bucket, str):
        yield ("bucket name" if resource.kind == BUCKET else "bucket"), bucket
    for rule in replication_rules(resource) or []:
        arn = Arn.parse(rule.destination_bucket)
        if arn and arn.service == "s3" and arn.resource:
            yield f"{rule.where}: destination bucket", arn.resource


def check_bucket_names(resource: Resource, _config: dict) -> Iterator[str]:
    for what, name in _named_buckets(resource):
        if problem := facts.bucket_name_problem(name):
            yield (f"{what} {name!r} {problem}. Rename it (stack config: aws-backups:replication[].source.bucketName "
                   f"/ destination.bucketName, or the namePrefix and replication[].name our names derive from).")
    named_by_prefix = resource.kind == BUCKET and resource.props.known("bucketPrefix")
    prefix = resource.props.get("bucketPrefix") if named_by_prefix else None
    if isinstance(prefix, str) and (problem := facts.bucket_prefix_problem(prefix)):
        yield (f"bucketPrefix {prefix!r} {problem}. Set a shorter, lowercase bucketPrefix (our components name "
               f"buckets from aws-backups:namePrefix and replication[].name instead).")


NAME = PolicySpec(
    name="aws-s3-bucket-check-name",
    description="S3 bucket names follow S3's general purpose bucket naming rules in full.",
    why=f"S3 refuses the rest at create time, and a bucket named so cannot exist for a resource to configure "
        f"(S3 User Guide, general purpose bucket naming rules: length, characters, first and last character, "
        f"'..', IP-address form, reserved prefixes {', '.join(facts.BUCKET_RESERVED_PREFIXES)} and suffixes "
        f"{', '.join(facts.BUCKET_RESERVED_SUFFIXES)}; {AWS_LIMITS}).",
    severity="high",
    remediation="Rename the bucket by the rule the message quotes.",
    reads={
        BUCKET: ("bucket", "bucketPrefix", *REPLICATION_RULE_READS[BUCKET]),
        BUCKET_VERSIONING: ("bucket",),
        BUCKET_ENCRYPTION: ("bucket",),
        BUCKET_REPLICATION: ("bucket", *REPLICATION_RULE_READS[BUCKET_REPLICATION]),
    },
    check=check_bucket_names,
    aws_limit=True,
)


def check_name_without_periods(bucket: Resource, _config: dict) -> Iterator[str]:
    name = bucket.props.get("bucket") if bucket.props.known("bucket") else None
    warning = facts.bucket_name_warning(name) if isinstance(name, str) else None
    if warning and facts.bucket_name_problem(name) is None:  # a refused name is the AWS-limit policy's
        yield (f"bucket name {name!r} {warning}. Rename it with hyphens for new buckets (stack config: "
               f"aws-backups:replication[].source.bucketName / destination.bucketName).")


NAME_WITHOUT_PERIODS = PolicySpec(
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
)


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


REPLICATION = PolicySpec(
    name="aws-s3-bucket-require-replication",
    description="S3 buckets tagged as critical have a replication configuration.",
    why=f"Critical data needs a second copy (cross-region DR, {FIGURES}, notes); the tag key and "
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
)


POLICIES = [NAME, NAME_WITHOUT_PERIODS, REPLICATION]
