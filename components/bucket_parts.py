"""The parts of a bucket this program keeps data in (replicated buckets, audit reports): a customer-managed key of
the bucket's region with an alias, versioning, SSE-KMS default encryption by the alias (with an S3 Bucket Key), and
the guards: public access block, bucket-owner-enforced ownership, a TLS-only bucket policy (plus what a service
needs to write into it)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from compliance import facts

from components.config.base import physical_name
from components.replication_documents import tls_only_policy_document
from components.stack_context import StackContext


@dataclass(frozen=True)
class BucketKey:
    key: aws.kms.Key
    alias: aws.kms.Alias
    alias_arn: pulumi.Output[str]  # built from known parts: what default encryption names, readable at preview


def bucket_key(context: StackContext, logical: str, region: str, description: str, tags: dict[str, str],
               opts: pulumi.ResourceOptions, policy: pulumi.Input[str] | None = None) -> BucketKey:
    """The bucket's key and its alias, with the same options: the bucket's default encryption names the alias."""
    key = aws.kms.Key(
        f"{logical}-key",
        description=description,
        enable_key_rotation=True,
        deletion_window_in_days=facts.KMS_DELETION_WINDOW_DAYS[1],  # the longest: time to notice
        policy=policy,
        region=region,
        tags=tags,
        opts=opts,
    )
    alias = aws.kms.Alias(
        f"{logical}-key-alias",
        name=f"alias/{physical_name(context.name_prefix, logical)}",
        target_key_id=key.id,
        region=region,
        opts=opts,
    )
    return BucketKey(key, alias, context.arn("kms", region, alias.name))


def versioned_and_encrypted(logical: str, bucket: pulumi.Input[str], region: str, key: BucketKey,
                            keep: Callable[..., pulumi.ResourceOptions]) -> aws.s3.BucketVersioning:
    """Versioning on and SSE-KMS by the key's alias; `keep(**extra)` gives their resource options."""
    versioning = aws.s3.BucketVersioning(
        f"{logical}-versioning",
        bucket=bucket,
        versioning_configuration={"status": "Enabled"},
        region=region,
        opts=keep(),
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{logical}-encryption",
        bucket=bucket,
        rules=[
            {
                "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms",
                                                            "kms_master_key_id": key.alias_arn},
                "bucket_key_enabled": True,
            }
        ],
        region=region,
        opts=keep(depends_on=[key.alias]),
    )
    return versioning


def bucket_guards(context: StackContext, logical: str, bucket: pulumi.Input[str], name: str, region: str,
                  guard: Callable[..., pulumi.ResourceOptions],
                  statements: pulumi.Input[Sequence[dict]] = ()) -> None:
    """Public access blocked, ACLs off (BucketOwnerEnforced), TLS only, and `statements` (what a service may
    write); `guard(**extra)` gives their resource options."""
    public_access_block = aws.s3.BucketPublicAccessBlock(
        f"{logical}-public-access-block",
        bucket=bucket,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        region=region,
        opts=guard(),
    )
    aws.s3.BucketOwnershipControls(
        f"{logical}-ownership",
        bucket=bucket,
        rule={"object_ownership": "BucketOwnerEnforced"},
        region=region,
        opts=guard(),
    )

    def document(partition: str, extra: Sequence[dict]) -> str:
        policy = tls_only_policy_document(partition, name)
        return json.dumps({**policy, "Statement": [*policy["Statement"], *extra]})

    aws.s3.BucketPolicy(
        f"{logical}-tls-only",
        bucket=bucket,
        policy=pulumi.Output.all(context.partition, statements).apply(lambda parts: document(parts[0], parts[1])),
        region=region,
        opts=guard(depends_on=[public_access_block]),
    )
