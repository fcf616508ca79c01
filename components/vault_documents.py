"""The documents of a backup vault, one definition for its two renderings: the stack's own vaults (Pulumi outputs,
components/vault.py) and the member accounts' vaults of the organisation's StackSet template (CloudFormation
intrinsics, components/baseline_template.py). A `Place` says where the vault is in the rendering's own terms."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from components.config.vault import AccessPolicyConfig

# Recovery points can be deleted or shortened only by the break-glass principals. Changing the access policy itself
# is not denied here: the deploying role must keep that right, and a compliance-mode lock protects the recovery
# points even from someone who rewrites the policy.
DENIED_ACTIONS = ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"]
# What AWS Backup does with the vault key on the caller's behalf (AWS Backup "Encryption for backups" key policy).
BACKUP_KEY_ACTIONS = [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:DescribeKey",
    "kms:CreateGrant",
]
# What CloudWatch needs on the key of an encrypted topic to publish alarms to it (SNS Developer Guide, "Enable
# compatibility between event sources from AWS services and encrypted topics").
ALARM_KEY_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey*"]
# An email or https subscriber receives no message of a successful job unless it asks to: AWS Backup sets the
# message attribute `State` (COMPLETED for a success; BACKUP_JOB_COMPLETED also carries failures, with another
# State; AWS Backup guide, "Using Amazon SNS to track AWS Backup events"). Messages without `State` (CloudWatch
# alarms on the same topic) must pass: SNS accepts a message only if every key of the policy names one of its
# attributes (SNS guide, "subscription filter policies"), hence the `exists: false` alternative under `$or`.
FAILURES_ONLY_FILTER_POLICY = {
    "$or": [{"State": [{"anything-but": "COMPLETED"}]}, {"State": [{"exists": False}]}],
}
# The AWS managed policies of AWS Backup's service role (AWS Backup guide, "Default service role for AWS Backup").
BACKUP_ROLE_MANAGED_POLICIES = ["AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"]
BACKUP_ROLE_TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "backup.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


# What another account needs on the source vault's key to copy its recovery points (KMS Developer Guide, "Allowing
# users in other accounts to use a KMS key": use of the key, and grants for AWS services; AWS Backup Developer Guide,
# "Creating backup copies across AWS accounts": "if your resources are encrypted with a customer managed key, you
# must share this customer managed key with the destination account").
CROSS_ACCOUNT_KEY_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
CROSS_ACCOUNT_GRANT_ACTIONS = ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"]


class Place(Protocol):
    """Where a vault is: each value is a Pulumi input or a CloudFormation value, as the rendering needs."""

    account: Any

    def account_root_arn(self) -> Any: ...

    def root_arn_of(self, account: str) -> Any:
        """The root ARN of another account, in the vault's partition."""

    def backup_endpoint(self) -> Any:
        """`backup.<region>.amazonaws.com`, the kms:ViaService of AWS Backup in the vault's region."""

    def arn(self, service: str, resource: Any) -> Any:
        """An ARN of the vault's account and region."""


def account_administers(root_arn: Any) -> dict[str, object]:
    """The key-policy statement letting the key's account administer it (and its IAM policies grant its use)."""
    return {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": root_arn}, "Action": "kms:*",
            "Resource": "*"}


def key_policy(place: Place, with_notifications: bool, receives_alarms: bool,
               copy_accounts: Sequence[str] = ()) -> dict[str, object]:
    """The vault key's policy: the account administers it, AWS Backup uses it for this account, the accounts its
    recovery points are copied to read it, and (with notifications) AWS Backup and CloudWatch publish to the topic
    it encrypts."""
    statements: list[dict[str, object]] = [
        account_administers(place.account_root_arn()),
        {
            "Sid": "AwsBackupUsesKeyForThisAccount",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": BACKUP_KEY_ACTIONS,
            "Resource": "*",
            "Condition": {
                "StringEquals": {"kms:ViaService": place.backup_endpoint(), "kms:CallerAccount": place.account}
            },
        },
    ]
    if copy_accounts:
        accounts = [place.root_arn_of(account) for account in copy_accounts]
        statements += [
            {"Sid": "CopyDestinationAccountsUseKey", "Effect": "Allow", "Principal": {"AWS": accounts},
             "Action": CROSS_ACCOUNT_KEY_ACTIONS, "Resource": "*"},
            {"Sid": "CopyDestinationAccountsGrantToAwsServices", "Effect": "Allow", "Principal": {"AWS": accounts},
             "Action": CROSS_ACCOUNT_GRANT_ACTIONS, "Resource": "*",
             "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}},
        ]
    if with_notifications:
        statements.append(
            {
                "Sid": "AwsBackupPublishesEncryptedNotifications",
                "Effect": "Allow",
                "Principal": {"Service": "backup.amazonaws.com"},
                "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": place.account}},
            }
        )
    if with_notifications and receives_alarms:
        statements.append(
            {
                "Sid": "CloudWatchPublishesEncryptedAlarms",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": ALARM_KEY_ACTIONS,
                "Resource": "*",
                "Condition": alarm_condition(place),
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def alarm_condition(place: Place) -> dict[str, object]:
    """Only alarms of this account in the vault's region (confused-deputy guard)."""
    return {
        "StringEquals": {"aws:SourceAccount": place.account},
        "ArnLike": {"aws:SourceArn": place.arn("cloudwatch", "alarm:*")},
    }


def access_statements(policy: AccessPolicyConfig) -> list[dict[str, object]]:
    """The vault access policy's statements: deny deletion to all but the break-glass principals; admit copies
    from the organisation."""
    statements: list[dict[str, object]] = []
    if policy.deny_deletion:
        deny: dict[str, object] = {
            "Sid": "DenyRecoveryPointDeletion",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": DENIED_ACTIONS,
            "Resource": "*",
        }
        if policy.break_glass_principal_arns:
            deny["Condition"] = {"ArnNotLike": {"aws:PrincipalArn": policy.break_glass_principal_arns}}
        statements.append(deny)
    if policy.copy_from_organization_id:
        statements.append(
            {
                "Sid": "AllowCopiesFromOrganization",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "backup:CopyIntoBackupVault",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": policy.copy_from_organization_id}},
            }
        )
    return statements


def topic_statements(place: Place, topic_arn: Any, receives_alarms: bool) -> list[dict[str, object]]:
    """The notification topic's policy: AWS Backup (and CloudWatch alarms) of this account publish to it."""
    statements: list[dict[str, object]] = [
        {
            "Sid": "AwsBackupPublishesForThisAccount",
            "Effect": "Allow",
            "Principal": {"Service": "backup.amazonaws.com"},
            "Action": "SNS:Publish",
            "Resource": topic_arn,
            "Condition": {"StringEquals": {"aws:SourceAccount": place.account}},
        }
    ]
    if receives_alarms:
        statements.append(
            {
                "Sid": "CloudWatchAlarmsPublishForThisAccount",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "SNS:Publish",
                "Resource": topic_arn,
                "Condition": alarm_condition(place),
            }
        )
    return statements
