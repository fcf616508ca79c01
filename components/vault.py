"""BackupVault: an AWS Backup vault with its KMS key, lock, deletion-denying access policy and notifications."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from compliance import facts

from components.config.base import physical_name
from components.config.vault import NotificationsConfig, VaultConfig
from components.stack_context import StackContext, child_options, data_options
from components.vault_documents import FAILURES_ONLY_FILTER_POLICY, access_statements, key_policy, topic_statements


class BackupVault(pulumi.ComponentResource):
    """Outputs: `name` (the vault's AWS name), `arn`, `region`, `kms_key_arn`, `topic_arn` (None without
    notifications). `receives_alarms`: CloudWatch alarms (S3 replication) publish to the notification topic, so
    CloudWatch gets the right to publish to it and to use its key; other vaults' topics admit AWS Backup only.
    `copy_accounts`: the accounts the plans copy this vault's recovery points to; its created key admits them."""

    def __init__(
        self,
        config: VaultConfig,
        context: StackContext,
        receives_alarms: bool = False,
        copy_accounts: Sequence[str] = (),
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("aws-backups:backup:Vault", config.name, None, opts)
        self.region = config.region or context.default_region
        self.vault_name = physical_name(context.name_prefix, config.name)
        self._context = context
        self._receives_alarms = receives_alarms and config.notifications is not None
        self._place = _StackPlace(context, self.region)
        self._copy_accounts = list(copy_accounts)
        tags = {**context.tags, "backup-vault": config.name}

        # The topic may use the alias ARN (SNS accepts it; known at preview); the vault needs the key ARN itself.
        if config.kms_key_arn:
            self.kms_key_arn: pulumi.Input[str] = config.kms_key_arn
            topic_key: pulumi.Input[str] = config.kms_key_arn
        else:
            self.kms_key_arn, topic_key = self._create_key(config, tags)
        self.vault = aws.backup.Vault(
            config.name,
            name=self.vault_name,
            region=self.region,
            kms_key_arn=self.kms_key_arn,
            force_destroy=False,
            tags=tags,
            opts=data_options(self, context.production),
        )
        if config.lock:
            # The lock is what makes recovery points undeletable: kept like the data it protects. Every field is
            # replace-on-change and its id is the vault's name, so a replacement created first and the old one
            # deleted after would delete the new setting: delete before replace. In production the engine refuses
            # to replace it (protect); a compliance-mode lock past its cooling-off AWS refuses to change at all.
            aws.backup.VaultLockConfiguration(
                config.name,
                backup_vault_name=self.vault.name,
                region=self.region,
                min_retention_days=config.lock.min_retention_days,
                max_retention_days=config.lock.max_retention_days,
                changeable_for_days=config.lock.changeable_for_days,
                opts=data_options(self, context.production, delete_before_replace=True),
            )
        if statements := access_statements(config.access_policy):
            aws.backup.VaultPolicy(
                config.name,
                backup_vault_name=self.vault.name,
                region=self.region,
                policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements}),
                # The deny-delete guard stays with the vault it guards: a config edit cannot strip it.
                opts=data_options(self, context.production),
            )
        self.topic_arn = (
            self._notify(config.name, config.notifications, topic_key, tags) if config.notifications else None
        )

        self.name = self.vault.name
        self.arn = self.vault.arn
        # The same ARN from known parts (region, AWS name), carrying the dependency on the vault: known at preview,
        # so the policy pack can read what names it (copy actions, restore testing).
        self.known_arn = context.arn("backup", self.region, pulumi.Output.concat("backup-vault:", self.vault.name))
        self.register_outputs(
            {"name": self.name, "arn": self.arn, "kmsKeyArn": self.kms_key_arn, "topicArn": self.topic_arn}
        )

    def _create_key(self, config: VaultConfig, tags: dict[str, str]) -> tuple[pulumi.Output[str], pulumi.Output[str]]:
        """A customer-managed key and its alias; returns (key ARN, alias ARN)."""
        key = aws.kms.Key(
            config.name,
            description=f"Encrypts the recovery points of backup vault {self.vault_name}",
            region=self.region,
            enable_key_rotation=True,
            # The longest AWS allows: time to notice and cancel a scheduled key deletion.
            deletion_window_in_days=facts.KMS_DELETION_WINDOW_DAYS[1],
            policy=pulumi.Output.json_dumps(
                key_policy(self._place, config.notifications is not None, self._receives_alarms, self._copy_accounts)
            ),
            tags=tags,
            opts=data_options(self, self._context.production),
        )
        alias = aws.kms.Alias(
            config.name,
            name=f"alias/{self.vault_name}",
            target_key_id=key.key_id,
            region=self.region,
            # Retained with its key: the retained topic is encrypted through this alias.
            opts=data_options(self, self._context.production),
        )
        return key.arn, self._context.arn("kms", self.region, alias.name)

    def _notify(
        self, name: str, config: NotificationsConfig, key: pulumi.Input[str], tags: dict[str, str]
    ) -> pulumi.Output[str]:
        topic_name = f"{self.vault_name}-events"
        topic = aws.sns.Topic(
            name,
            name=topic_name,
            region=self.region,
            kms_master_key_id=key,
            tags=tags,
            opts=data_options(self, self._context.production),
        )
        # Built from known parts (its explicit name comes from topic.name, which records the link) rather than
        # topic.arn, which is unknown until the topic exists: the policy pack can read it on a first preview.
        topic_arn = self._context.arn("sns", self.region, topic.name)
        statements = topic_statements(self._place, topic_arn, self._receives_alarms)
        aws.sns.TopicPolicy(
            name,
            arn=topic_arn,
            region=self.region,
            policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements}),
            opts=child_options(self),
        )
        # Replace-on-change with the vault's name as id, like the lock: delete before replace, or an edit of the
        # events would end with the vault notifying nobody.
        aws.backup.VaultNotifications(
            name,
            backup_vault_name=self.vault.name,
            region=self.region,
            sns_topic_arn=topic_arn,
            backup_vault_events=list(config.events),
            opts=child_options(self, delete_before_replace=True),
        )
        for index, subscription in enumerate(config.subscriptions):
            aws.sns.TopicSubscription(
                f"{name}-{index}",
                topic=topic_arn,
                region=self.region,
                protocol=subscription.protocol,
                endpoint=subscription.endpoint,
                filter_policy=None
                if subscription.receive_successes
                else json.dumps(FAILURES_ONLY_FILTER_POLICY, sort_keys=True),
                opts=child_options(self),
            )
        return topic_arn


@dataclass(frozen=True)
class _StackPlace:
    """A vault of this stack: its account's ARNs as Outputs built from known parts (vault_documents.Place)."""

    context: StackContext
    region: str

    @property
    def account(self) -> pulumi.Output[str]:
        return self.context.account_id

    def account_root_arn(self) -> pulumi.Output[str]:
        return self.context.account_root_arn()

    def root_arn_of(self, account: str) -> pulumi.Output[str]:
        return pulumi.Output.concat("arn:", self.context.partition, f":iam::{account}:root")

    def backup_endpoint(self) -> str:
        return f"backup.{self.region}.amazonaws.com"

    def arn(self, service: str, resource: pulumi.Input[str]) -> pulumi.Output[str]:
        return self.context.arn(service, self.region, resource)
