"""BackupVault under mocks: key, alias, vault, lock, access policy, notifications and protection."""

from __future__ import annotations

import json

import pytest
from conftest import STACKS
from pulumi_mocks import ACCOUNT_ID, of_type, one

from components.vault_documents import (
    ALARM_KEY_ACTIONS,
    BACKUP_KEY_ACTIONS,
    DENIED_ACTIONS,
    FAILURES_ONLY_FILTER_POLICY,
)

FULL = STACKS / "Pulumi.full.yaml"
PROD = STACKS.parent.parent / "Pulumi.prod.yaml"
VAULT_COMPONENT = "aws-backups:backup:Vault"


@pytest.fixture(scope="module")
def resources(stack_resources):
    return stack_resources(FULL)


def _policy(resource) -> dict:
    return json.loads(resource.inputs["policy"])


def _statement(policy: dict, sid: str) -> dict:
    return next(s for s in policy["Statement"] if s["Sid"] == sid)


def test_vault_has_explicit_name_region_key_and_never_force_destroys(resources):
    main = one(resources, "aws:backup/vault:Vault", "main")
    assert main.inputs["name"] == "acme-main"
    assert main.inputs["region"] == "us-east-1"
    assert main.inputs["forceDestroy"] is False
    assert main.inputs["tags"] == {"cost-centre": "42", "backup-vault": "main"}
    key = one(resources, "aws:kms/key:Key", "main")
    assert main.property_dependencies["kmsKeyArn"] == [key.urn]


def test_created_key_rotates_waits_30_days_and_lets_aws_backup_and_copy_destinations_use_it(resources):
    key = one(resources, "aws:kms/key:Key", "main")
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["deletionWindowInDays"] == 30
    assert key.inputs["region"] == "us-east-1"
    policy = _policy(key)
    admin = _statement(policy, "AccountAdministers")
    assert admin["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:root"}
    use = _statement(policy, "AwsBackupUsesKeyForThisAccount")
    assert use["Action"] == BACKUP_KEY_ACTIONS
    assert use["Condition"] == {
        "StringEquals": {"kms:ViaService": "backup.us-east-1.amazonaws.com", "kms:CallerAccount": ACCOUNT_ID}
    }
    publish = _statement(policy, "AwsBackupPublishesEncryptedNotifications")
    assert publish["Principal"] == {"Service": "backup.amazonaws.com"}
    assert publish["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}}
    # A rule copies this vault's points to account 210987654321 (vaultArn): that account may use the key, and
    # grant it to AWS services, as a cross-account copy needs. No replication alarm goes to this vault's topic:
    # CloudWatch gets nothing.
    shared = _statement(policy, "CopyDestinationAccountsUseKey")
    assert shared["Principal"] == {"AWS": ["arn:aws:iam::210987654321:root"]}
    grants = _statement(policy, "CopyDestinationAccountsGrantToAwsServices")
    assert grants["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}
    assert [s["Sid"] for s in policy["Statement"]] == [
        "AccountAdministers",
        "AwsBackupUsesKeyForThisAccount",
        "CopyDestinationAccountsUseKey",
        "CopyDestinationAccountsGrantToAwsServices",
        "AwsBackupPublishesEncryptedNotifications",
    ]


def _alarm_condition(region: str) -> dict:
    return {
        "StringEquals": {"aws:SourceAccount": ACCOUNT_ID},
        "ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:{region}:{ACCOUNT_ID}:alarm:*"},
    }


def test_cloudwatch_may_publish_alarms_to_the_topic_named_by_replication_and_use_its_key(stack_resources):
    """Prod's replication alarms go to the primary vault's topic (`alarms.vault: primary`): CloudWatch needs
    sns:Publish in the topic policy and kms:Decrypt + kms:GenerateDataKey* on the topic's key, else every alarm
    notification is dropped. Only for alarms of this account in the topic's region."""
    resources = stack_resources(PROD)
    key_policy = _policy(one(resources, "aws:kms/key:Key", "primary"))
    key_statement = _statement(key_policy, "CloudWatchPublishesEncryptedAlarms")
    assert key_statement["Effect"] == "Allow"
    assert key_statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert key_statement["Action"] == ALARM_KEY_ACTIONS == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert key_statement["Condition"] == _alarm_condition("eu-west-1")
    topic_policy = _policy(one(resources, "aws:sns/topicPolicy:TopicPolicy", "primary"))
    backup, cloudwatch = topic_policy["Statement"]
    assert backup["Principal"] == {"Service": "backup.amazonaws.com"}
    assert cloudwatch == {
        "Sid": "CloudWatchAlarmsPublishForThisAccount",
        "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": "SNS:Publish",
        "Resource": f"arn:aws:sns:eu-west-1:{ACCOUNT_ID}:aws-backups-prod-primary-events",
        "Condition": _alarm_condition("eu-west-1"),
    }
    # The alarms really publish to that topic.
    alarms = of_type(resources, "aws:cloudwatch/metricAlarm:MetricAlarm")
    assert alarms
    assert {action for alarm in alarms for action in alarm.inputs["alarmActions"]} == {cloudwatch["Resource"]}


def test_topics_no_alarm_is_sent_to_admit_aws_backup_only(stack_resources):
    resources = stack_resources(PROD)
    for vault in ("dr", "pitr"):
        (statement,) = _policy(one(resources, "aws:sns/topicPolicy:TopicPolicy", vault))["Statement"]
        assert statement["Principal"] == {"Service": "backup.amazonaws.com"}
        key_policy = _policy(one(resources, "aws:kms/key:Key", vault))
        assert "cloudwatch.amazonaws.com" not in json.dumps(key_policy)


def test_alias_has_an_explicit_name(resources):
    alias = one(resources, "aws:kms/alias:Alias", "main")
    assert alias.inputs["name"] == "alias/acme-main"
    assert alias.inputs["region"] == "us-east-1"
    assert alias.property_dependencies["targetKeyId"] == [one(resources, "aws:kms/key:Key", "main").urn]


def test_given_key_arn_is_used_and_no_key_is_created(resources):
    byok = one(resources, "aws:backup/vault:Vault", "byok")
    assert byok.inputs["kmsKeyArn"] == "arn:aws:kms:us-west-2:123456789012:key/11111111-2222-3333-4444-555555555555"
    assert byok.inputs["region"] == "us-west-2"
    assert [key.name for key in of_type(resources, "aws:kms/key:Key")] == ["main"]


def test_lock_is_linked_to_its_vault(resources):
    lock = one(resources, "aws:backup/vaultLockConfiguration:VaultLockConfiguration", "main")
    assert lock.inputs["backupVaultName"] == "acme-main"
    assert (lock.inputs["minRetentionDays"], lock.inputs["maxRetentionDays"]) == (1, 3650)
    assert "changeableForDays" not in lock.inputs  # governance mode
    assert lock.property_dependencies["backupVaultName"] == [one(resources, "aws:backup/vault:Vault", "main").urn]


def test_compliance_lock_sets_changeable_for_days(stack_resources):
    resources = stack_resources(STACKS.parent.parent / "Pulumi.prod.yaml")
    for lock in of_type(resources, "aws:backup/vaultLockConfiguration:VaultLockConfiguration"):
        assert lock.inputs["changeableForDays"] == 3


def test_access_policy_denies_deletion_except_break_glass_and_admits_org_copies(resources):
    policy = _policy(one(resources, "aws:backup/vaultPolicy:VaultPolicy", "main"))
    deny = _statement(policy, "DenyRecoveryPointDeletion")
    assert deny["Effect"] == "Deny"
    assert deny["Principal"] == {"AWS": "*"}
    assert deny["Action"] == DENIED_ACTIONS == ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"]
    assert deny["Condition"] == {
        "ArnNotLike": {
            "aws:PrincipalArn": [
                "arn:aws:iam::123456789012:role/break-glass",
                "arn:aws:iam::123456789012:role/break-glass-2",
            ]
        }
    }
    copies = _statement(policy, "AllowCopiesFromOrganization")
    assert copies["Action"] == "backup:CopyIntoBackupVault"
    assert copies["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-abcdef1234"}}


def test_deny_without_break_glass_has_no_condition(stack_resources):
    bare = stack_resources(FULL, vaults=[{"name": "main"}], plans=[])
    policy = _policy(one(bare, "aws:backup/vaultPolicy:VaultPolicy", "main"))
    assert policy["Statement"] == [
        {
            "Sid": "DenyRecoveryPointDeletion",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": DENIED_ACTIONS,
            "Resource": "*",
        }
    ]


def test_no_access_policy_when_nothing_to_say(resources):
    assert [policy.name for policy in of_type(resources, "aws:backup/vaultPolicy:VaultPolicy")] == ["main"]


def test_notification_topic_is_named_encrypted_and_only_backup_of_this_account_publishes(resources):
    topic = one(resources, "aws:sns/topic:Topic", "main")
    assert topic.inputs["name"] == "acme-main-events"
    assert topic.inputs["region"] == "us-east-1"
    assert topic.inputs["kmsMasterKeyId"] == f"arn:aws:kms:us-east-1:{ACCOUNT_ID}:alias/acme-main"
    topic_policy = one(resources, "aws:sns/topicPolicy:TopicPolicy", "main")
    assert topic_policy.property_dependencies["arn"] == [topic.urn]
    (statement,) = _policy(topic_policy)["Statement"]
    assert statement["Principal"] == {"Service": "backup.amazonaws.com"}
    assert statement["Action"] == "SNS:Publish"
    assert statement["Resource"] == f"arn:aws:sns:us-east-1:{ACCOUNT_ID}:acme-main-events"
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}}


def test_vault_notifications_and_subscriptions(resources):
    notifications = one(resources, "aws:backup/vaultNotifications:VaultNotifications", "main")
    assert notifications.inputs["backupVaultEvents"] == ["BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED"]
    assert notifications.inputs["backupVaultName"] == "acme-main"
    topic = one(resources, "aws:sns/topic:Topic", "main")
    assert notifications.property_dependencies["snsTopicArn"] == [topic.urn]
    subscriptions = of_type(resources, "aws:sns/topicSubscription:TopicSubscription")
    assert sorted((s.inputs["protocol"], s.inputs["endpoint"]) for s in subscriptions) == [
        ("email", "ops@example.com"),
        ("https", "https://hooks.example.com/backup"),
    ]
    assert all(s.property_dependencies["topic"] == [topic.urn] for s in subscriptions)


def test_subscriptions_receive_failures_only_unless_they_ask_for_successes(stack_resources, resources):
    subscriptions = of_type(resources, "aws:sns/topicSubscription:TopicSubscription")
    assert {s.inputs["protocol"] for s in subscriptions} == {"email", "https"}
    for subscription in subscriptions:
        assert json.loads(subscription.inputs["filterPolicy"]) == FAILURES_ONLY_FILTER_POLICY == {
            "$or": [{"State": [{"anything-but": "COMPLETED"}]}, {"State": [{"exists": False}]}]
        }
    everything = stack_resources(
        FULL,
        vaults=[
            {
                "name": "main",
                "notifications": {
                    "subscriptions": [{"protocol": "email", "endpoint": "all@example.com", "receiveSuccesses": True}]
                },
            }
        ],
        plans=[],
    )
    (subscription,) = of_type(everything, "aws:sns/topicSubscription:TopicSubscription")
    assert subscription.inputs["endpoint"] == "all@example.com"
    assert "filterPolicy" not in subscription.inputs


def test_default_events_are_the_failure_carrying_ones(stack_resources):
    notifications = of_type(
        stack_resources(STACKS.parent.parent / "Pulumi.prod.yaml"), "aws:backup/vaultNotifications:VaultNotifications"
    )
    assert notifications
    for notification in notifications:
        assert "BACKUP_JOB_COMPLETED" in notification.inputs["backupVaultEvents"]
        assert "COPY_JOB_FAILED" in notification.inputs["backupVaultEvents"]


DATA_TYPES = [
    "aws:backup/vault:Vault",
    "aws:kms/key:Key",
    # The retained topic is encrypted through the alias: it lives as long as the key.
    "aws:kms/alias:Alias",
    "aws:sns/topic:Topic",
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
    # The deny-delete guard stays with the vault.
    "aws:backup/vaultPolicy:VaultPolicy",
]


@pytest.mark.parametrize("type_token", DATA_TYPES)
def test_data_resources_are_protected_and_retained_in_production(resources, stack_resources, type_token):
    assert all(r.protect and r.retain_on_delete for r in of_type(resources, type_token))
    dev = stack_resources(FULL, production=False)
    assert of_type(dev, type_token)
    assert not any(r.protect or r.retain_on_delete for r in of_type(dev, type_token))


def test_other_children_are_not_protected(resources):
    others = [
        "aws:sns/topicPolicy:TopicPolicy",
        "aws:backup/vaultNotifications:VaultNotifications",
        "aws:sns/topicSubscription:TopicSubscription",
    ]
    assert all(of_type(resources, type_token) for type_token in others)
    for type_token in others:
        assert not any(r.protect or r.retain_on_delete for r in of_type(resources, type_token))


VAULT_CHILD_TYPES = [
    *DATA_TYPES,
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:backup/vaultNotifications:VaultNotifications",
    "aws:sns/topicSubscription:TopicSubscription",
]


def test_every_child_is_parented_to_its_vault_component(resources):
    components = {r.urn: r.name for r in of_type(resources, VAULT_COMPONENT)}
    assert set(components.values()) == {"main", "byok"}
    children = [r for type_token in VAULT_CHILD_TYPES for r in of_type(resources, type_token)]
    assert len(children) == 11  # main: 10 (vault, key, alias, lock, policies, topic, 2 subscriptions); byok: 1
    for child in children:
        assert child.name.split("-")[0] == components[child.parent]
