"""`ReplicatedBucket`: an S3 bucket replicated almost synchronously (RTC, 15 minutes) to another region or account.

Both sides are versioned and encrypted with a customer-managed key of their region; S3 replicates with a role that
may touch only these two buckets and these two keys; CloudWatch alarms watch failed operations and latency.

Names, bucket ARNs and key alias ARNs are built from config (known at preview) so the policy pack can read them on a
first preview; the referenced resource's Output is still passed, so the engine records the link as a
property dependency.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws
from compliance import facts

from components.bucket_parts import bucket_guards, bucket_key, versioned_and_encrypted
from components.config.base import physical_name
from components.config.replication import ReplicationConfig
from components.replication_documents import (
    BucketSide,
    Direction,
    replication_policy_document,
    replication_rule,
    s3_arn,
    trust_policy_document,
)
from components.stack_context import StackContext, child_options, data_options

TYPE_TOKEN = "aws-backups:s3:ReplicatedBucket"


class ReplicatedBucket(pulumi.ComponentResource):
    """A source bucket (created, or adopted by name) replicated to a replica bucket (created in the DR region, or a
    bucket of another account), optionally both ways."""

    source_bucket_name: pulumi.Output[str]
    replica_bucket_name: pulumi.Output[str]
    role_arn: pulumi.Output[str]

    def __init__(
        self,
        config: ReplicationConfig,
        context: StackContext,
        alarm_topic_arn: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, config.name, None, opts)
        self._config = config
        self._context = context
        # The item's tags (e.g. the critical-data tag the policy pack looks for) describe the source bucket; the
        # replica is marked as such, so it is not itself taken for a critical bucket needing replication.
        self._tags = {**context.tags, **config.tags}
        # kms:ViaService names the S3 endpoint, whose domain depends on the partition (amazonaws.com.cn in China).
        self._dns_suffix = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self)).dns_suffix
        source_name = config.source_bucket_name(context.name_prefix)
        source = self._managed_side(
            "source",
            source_name,
            config.source.region or context.default_region,
            adopted=config.source.adopt,
            replace_settings=config.source.replace_existing_settings,
            expiry_days=config.source.noncurrent_version_expiry_days,
            tags=self._tags,
        )
        destination_config = config.destination
        replica_name = config.replica_bucket_name(context.name_prefix)
        if destination_config.account_id is None:
            replica = self._managed_side(
                "replica",
                replica_name,
                destination_config.region,
                adopted=False,
                replace_settings=False,
                expiry_days=destination_config.noncurrent_version_expiry_days,
                tags={**context.tags, "replica-of": source_name},
            )
        else:
            # Another account's bucket and key: its versioning, lifecycle and the bucket policy letting this
            # account replicate into it are that account's business (see README, S3 replication).
            replica = BucketSide(
                replica_name,
                destination_config.region,
                replica_name,
                destination_config.replica_kms_key_arn,
                destination_config.replica_kms_key_arn,
                versioning=None,
                account_id=destination_config.account_id,
            )

        deletes = any(rule.delete_marker_replication for rule in config.rules)
        directions = [Direction(source, replica, deletes, destination_config.storage_class)]
        if config.bidirectional:
            # Objects coming back are primary data again: the source's usual storage class.
            directions.append(Direction(replica, source, deletes, "STANDARD"))
        role = self._replication_role(directions)
        for label, direction in zip(("replication", "replication-back"), directions, strict=False):
            self._replication_config(label, direction, role)
        self._alarms(source, replica, alarm_topic_arn)

        self.source_bucket_name = pulumi.Output.from_input(source.bucket)
        self.replica_bucket_name = pulumi.Output.from_input(replica.bucket)
        self.role_arn = role.arn
        self.register_outputs(
            {
                "sourceBucketName": self.source_bucket_name,
                "replicaBucketName": self.replica_bucket_name,
                "roleArn": self.role_arn,
            }
        )

    # -- one bucket with its key and settings ------------------------------------------------------------------
    def _managed_side(
        self,
        role: str,
        name: str,
        region: str,
        *,
        adopted: bool,
        replace_settings: bool,
        expiry_days: int | None,
        tags: Mapping[str, str],
    ) -> BucketSide:
        logical = f"{self._config.name}-{role}"
        production = self._context.production
        # An adopted bucket is not ours: whatever this stack puts on it (its key, the alias its default encryption
        # names, versioning, encryption) stays when the item leaves the program, in every stack.
        key = bucket_key(self._context, logical, region,
                         f"Encrypts S3 bucket {name} ({role} of replication {self._config.name})", dict(tags),
                         data_options(self, production, always_retain=adopted))
        if adopted:
            bucket: pulumi.Input[str] = name
        else:
            bucket = aws.s3.Bucket(
                f"{logical}-bucket",
                bucket=name,
                region=region,
                force_destroy=False,
                tags=tags,
                opts=data_options(self, production),
            ).bucket
        # Removing an item must never leave a kept bucket unversioned or re-encrypted: these settings stay with an
        # adopted bucket always, and with every bucket in production (where the bucket itself is retained and, like
        # it, they are protected).
        retained = adopted or production
        versioning = versioned_and_encrypted(
            logical, bucket, region, key,
            lambda **extra: data_options(self, production, always_retain=retained, **extra))
        if not adopted or replace_settings:
            self._whole_bucket_settings(logical, bucket, name, region, versioning, expiry_days, retained)
        return BucketSide(name, region, bucket, key.key.arn, key.alias_arn, versioning)

    def _whole_bucket_settings(
        self,
        logical: str,
        bucket: pulumi.Input[str],
        name: str,
        region: str,
        versioning: aws.s3.BucketVersioning,
        expiry_days: int | None,
        retained: bool,
    ) -> None:
        """Settings that replace the bucket's whole policy / block / rules: on a created bucket, or an adopted one
        whose owners agreed (`replaceExistingSettings`).

        The guards (public access block, ownership, TLS-only policy) stay with a retained bucket and, in
        production, are protected like it: removing the item must not leave kept data public or readable over
        plain HTTP. The lifecycle is retained too (the kept bucket keeps expiring old versions as before) but not
        protected, so that ops can still change or drop `noncurrentVersionExpiryDays` by a config edit."""
        production = self._context.production
        bucket_guards(self._context, logical, bucket, name, region,
                      lambda **extra: data_options(self, production, always_retain=retained, **extra))
        if expiry_days is not None:
            aws.s3.BucketLifecycleConfiguration(
                f"{logical}-lifecycle",
                bucket=bucket,
                rules=[
                    {
                        "id": "expire-noncurrent-versions",
                        "status": "Enabled",
                        "filter": {"prefix": ""},
                        "noncurrent_version_expiration": {"noncurrent_days": expiry_days},
                    }
                ],
                region=region,
                opts=child_options(self, retain_on_delete=retained, depends_on=[versioning]),
            )

    # -- replication ------------------------------------------------------------------------------------------
    def _replication_role(self, directions: Sequence[Direction]) -> aws.iam.Role:
        role = aws.iam.Role(
            f"{self._config.name}-replication-role",
            name=self._config.role_name(self._context.name_prefix),
            description=f"S3 replication of {self._config.name}",
            assume_role_policy=self._context.account_id.apply(
                lambda account: json.dumps(trust_policy_document(account))
            ),
            tags=self._tags,
            opts=child_options(self),
        )
        sides = {side.name: side.key_arn for d in directions for side in (d.source, d.destination)}
        names = list(sides)
        policy = pulumi.Output.all(self._context.partition, self._dns_suffix, *sides.values()).apply(
            lambda resolved: json.dumps(
                replication_policy_document(
                    directions, resolved[0], resolved[1], dict(zip(names, resolved[2:], strict=True))
                )
            )
        )
        aws.iam.RolePolicy(
            f"{self._config.name}-replication-policy",
            name="s3-replication",
            role=role.name,
            policy=policy,
            opts=child_options(self),
        )
        return role

    def _replication_config(self, label: str, direction: Direction, role: aws.iam.Role) -> None:
        source, destination = direction.source, direction.destination
        destination_arn = pulumi.Output.all(self._context.partition, destination.bucket).apply(
            lambda parts: s3_arn(parts[0], parts[1])
        )
        # S3 refuses the configuration unless both buckets are versioned: wait for both versioning resources.
        versionings = [side.versioning for side in (source, destination) if side.versioning is not None]
        aws.s3.BucketReplicationConfig(
            f"{self._config.name}-{label}",
            bucket=source.bucket,
            # Built from known parts (the role's name), so the whole configuration is readable at preview.
            role=self._context.arn("iam", "", role.name.apply(lambda name: f"role/{name}")),
            rules=[
                replication_rule(
                    rule, destination, destination_arn, direction.storage_class, self._config.bidirectional
                )
                for rule in self._config.rules
            ],
            region=source.region,
            opts=child_options(self, depends_on=versionings),
        )

    # -- monitoring -------------------------------------------------------------------------------------------
    def _alarms(self, source: BucketSide, replica: BucketSide, topic_arn: pulumi.Input[str]) -> None:
        """S3 publishes replication metrics (rules with metrics on) in the source bucket's region."""
        for rule in self._config.rules:
            if not rule.metrics:
                continue
            dimensions = {"SourceBucket": source.name, "DestinationBucket": replica.name, "RuleId": rule.id}
            for suffix, metric, statistic, threshold in (
                ("failed", "OperationsFailedReplication", "Sum", 0),
                ("latency", "ReplicationLatency", "Maximum", facts.RTC_MINUTES * 60),
            ):
                aws.cloudwatch.MetricAlarm(
                    f"{self._config.name}-{rule.id}-{suffix}",
                    name=physical_name(
                        self._context.name_prefix, f"{self._config.name}-{rule.id}-replication-{suffix}"
                    ),
                    alarm_description=f"S3 replication {source.name} -> {replica.name}, rule {rule.id}: "
                    f"{metric} above {threshold}",
                    namespace="AWS/S3",
                    metric_name=metric,
                    dimensions=dimensions,
                    statistic=statistic,
                    period=300,
                    evaluation_periods=1,
                    comparison_operator="GreaterThanThreshold",
                    threshold=threshold,
                    treat_missing_data="notBreaching",
                    alarm_actions=[topic_arn],
                    ok_actions=[topic_arn],
                    region=source.region,
                    tags=self._tags,
                    opts=child_options(self),
                )
