"""The member-account baseline (`aws-backups:organization.baseline`) as the CloudFormation template of a
service-managed StackSet: each vault with its customer-managed key, lock, deletion-denying access policy and
notifications, and AWS Backup's role that the organisation's backup policies name.

The vault's documents come from `vault_documents`, the same definitions the stack's own vaults use, with the
account and region as CloudFormation pseudo parameters. Everything that holds data is `DeletionPolicy: Retain` and
`UpdateReplacePolicy: Retain`, CloudFormation's `protect`: removing an account from an OU, an instance from the
StackSet or a vault from the config leaves the vault, its recovery points and its key in place. The IAM role is
global: it is created in the first region of `aws-backups:organization.regions` only.
"""

from __future__ import annotations

import json
import re
from typing import Any

from compliance import facts

from components.config.base import Problem
from components.config.loader import config_error
from components.config.organization import BaselineConfig, OrganizationConfig
from components.config.stack import StackConfig
from components.config.vault import VaultConfig
from components.vault_documents import (
    BACKUP_ROLE_MANAGED_POLICIES,
    BACKUP_ROLE_TRUST_POLICY,
    FAILURES_ONLY_FILTER_POLICY,
    access_statements,
    key_policy,
    topic_statements,
)

TEMPLATE_FORMAT_VERSION = "2010-09-09"
IN_PRIMARY_REGION = "InPrimaryRegion"
RETAINED = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}


class _MemberAccount:
    """Where a member vault is, as CloudFormation pseudo parameters (vault_documents.Place)."""

    account = {"Ref": "AWS::AccountId"}

    @staticmethod
    def account_root_arn() -> dict[str, str]:
        return {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}

    @staticmethod
    def root_arn_of(account: str) -> dict[str, str]:
        return {"Fn::Sub": f"arn:${{AWS::Partition}}:iam::{account}:root"}

    @staticmethod
    def backup_endpoint() -> dict[str, str]:
        return {"Fn::Sub": "backup.${AWS::Region}.${AWS::URLSuffix}"}

    @staticmethod
    def arn(service: str, resource: str) -> dict[str, str]:
        return {"Fn::Sub": f"arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{resource}"}


def logical_id(vault_name: str) -> str:
    """A CloudFormation logical ID (alphanumeric) for a vault name: `aws-backups_member` -> `AwsBackupsMember`."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_]", vault_name) if part)


def _tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in sorted(tags.items())]


def vault_resources(vault: VaultConfig, tags: dict[str, str], copy_accounts: list[str]) -> dict[str, Any]:
    place = _MemberAccount()
    name = logical_id(vault.name)
    key, topic = f"{name}Key", f"{name}Topic"
    vault_tags = {**tags, "backup-vault": vault.name}
    properties: dict[str, Any] = {
        "BackupVaultName": vault.name,
        "EncryptionKeyArn": {"Fn::GetAtt": [key, "Arn"]},
        "BackupVaultTags": vault_tags,
    }
    if vault.lock:
        lock = {"MinRetentionDays": vault.lock.min_retention_days, "MaxRetentionDays": vault.lock.max_retention_days,
                "ChangeableForDays": vault.lock.changeable_for_days}
        properties["LockConfiguration"] = {k: v for k, v in lock.items() if v is not None}
    if statements := access_statements(vault.access_policy):
        properties["AccessPolicy"] = {"Version": "2012-10-17", "Statement": statements}
    resources: dict[str, Any] = {
        key: {"Type": "AWS::KMS::Key", **RETAINED, "Properties": {
            "Description": f"Encrypts the recovery points of backup vault {vault.name}",
            "EnableKeyRotation": True,
            "PendingWindowInDays": facts.KMS_DELETION_WINDOW_DAYS[1],
            "KeyPolicy": key_policy(place, vault.notifications is not None, False, copy_accounts),
            "Tags": _tags(vault_tags)}},
        f"{name}KeyAlias": {"Type": "AWS::KMS::Alias", **RETAINED, "Properties": {
            "AliasName": f"alias/{vault.name}", "TargetKeyId": {"Ref": key}}},
        f"{name}Vault": {"Type": "AWS::Backup::BackupVault", **RETAINED, "Properties": properties},
    }
    if vault.notifications:
        properties["Notifications"] = {"BackupVaultEvents": list(vault.notifications.events),
                                       "SNSTopicArn": {"Ref": topic}}
        topic_name = f"{vault.name}-events"
        resources[topic] = {"Type": "AWS::SNS::Topic", **RETAINED, "Properties": {
            "TopicName": topic_name, "KmsMasterKeyId": {"Fn::GetAtt": [key, "Arn"]}, "Tags": _tags(vault_tags)}}
        resources[f"{topic}Policy"] = {"Type": "AWS::SNS::TopicPolicy", "Properties": {
            "Topics": [{"Ref": topic}],
            "PolicyDocument": {"Version": "2012-10-17",
                               "Statement": topic_statements(place, {"Ref": topic}, receives_alarms=False)}}}
        for index, subscription in enumerate(vault.notifications.subscriptions):
            resources[f"{topic}Subscription{index}"] = {"Type": "AWS::SNS::Subscription", "Properties": {
                "TopicArn": {"Ref": topic}, "Protocol": subscription.protocol, "Endpoint": subscription.endpoint,
                **({} if subscription.receive_successes else {"FilterPolicy": FAILURES_ONLY_FILTER_POLICY})}}
    return resources


def _backup_role(role_name: str, tags: dict[str, str]) -> dict[str, Any]:
    return {"Type": "AWS::IAM::Role", "Condition": IN_PRIMARY_REGION, "Properties": {
        "RoleName": role_name,
        "Description": "Assumed by AWS Backup to run the organization's backup policies and restore their points",
        "AssumeRolePolicyDocument": BACKUP_ROLE_TRUST_POLICY,
        "ManagedPolicyArns": [{"Fn::Sub": f"arn:${{AWS::Partition}}:iam::aws:policy/service-role/{policy}"}
                              for policy in BACKUP_ROLE_MANAGED_POLICIES],
        "Tags": _tags(tags)}}


def baseline_template(organization: OrganizationConfig, baseline: BaselineConfig,
                      tags: dict[str, str]) -> dict[str, Any]:
    """The StackSet's template, as a document (`baseline_template_body` gives it as the StackSet's JSON)."""
    resources: dict[str, Any] = {"BackupRole": _backup_role(organization.backup_role_name, tags)}
    copy_accounts = organization.copy_accounts_by_vault()
    for vault in baseline.vaults:
        resources.update(vault_resources(vault, tags, copy_accounts.get(vault.name, [])))
    return {
        "AWSTemplateFormatVersion": TEMPLATE_FORMAT_VERSION,
        "Description": "aws-backups member-account baseline: the backup vaults and role that the organization's "
                       "backup policies name (rendered from aws-backups:organization.baseline)",
        "Conditions": {IN_PRIMARY_REGION: {"Fn::Equals": [{"Ref": "AWS::Region"}, organization.regions[0]]}},
        "Resources": resources,
    }


def baseline_template_body(config: StackConfig) -> str | None:
    """The StackSet's template body (minified JSON: the most that fits CreateStackSet's TemplateBody), or None
    without a baseline. Raises ConfigError, naming the key, on what CloudFormation would refuse: the program calls
    this before it registers anything."""
    organization = config.organization
    if organization is None or organization.baseline is None:
        return None
    baseline = organization.baseline
    body = json.dumps(baseline_template(organization, baseline, config.tags), separators=(",", ":"))
    problems = []
    if (size := len(body.encode())) > facts.MAX_STACK_SET_TEMPLATE_BYTES:
        problems.append(Problem(("organization", "baseline", "vaults"), f"{size:,} bytes", "render a StackSet "
                                f"template larger than CreateStackSet accepts (allowed: at most "
                                f"{facts.MAX_STACK_SET_TEMPLATE_BYTES:,} bytes: fewer vaults or subscriptions)"))
    ids = [logical_id(vault.name) for vault in baseline.vaults]
    for index, vault in enumerate(baseline.vaults):
        if ids.index(ids[index]) != index:
            problems.append(Problem(("organization", "baseline", "vaults", index, "name"), vault.name,
                                    f"gives the CloudFormation logical ID {ids[index]} of another vault (a name that "
                                    "differs only in '-', '_' or the case after them; allowed: a name that differs "
                                    "in letters or digits)"))
    if problems:
        raise config_error(problems)
    return body
