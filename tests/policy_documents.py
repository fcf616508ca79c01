"""Policy documents the program produces (IAM trust and inline policies, KMS key policies, SNS topic policies, bucket
policies, vault access policies), parsed into statements, and the least-privilege findings on them. Used by
tests/test_least_privilege.py on the project's stacks and by tests/test_fuzz_config.py on every fuzzed config the
program builds with known values. Where AWS requires a wildcard, and why: README, "Threat model"."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pulumi_mocks import ACCOUNT_ID, Recorded

# Resource type -> the input holding a policy document, and what kind of document it is.
DOCUMENTS = {
    "aws:iam/role:Role": ("assumeRolePolicy", "trust"),
    "aws:iam/rolePolicy:RolePolicy": ("policy", "identity"),
    "aws:iam/policy:Policy": ("policy", "identity"),
    "aws:kms/key:Key": ("policy", "key"),
    "aws:sns/topicPolicy:TopicPolicy": ("policy", "resource"),
    "aws:sns/topic:Topic": ("policy", "resource"),
    "aws:s3/bucketPolicy:BucketPolicy": ("policy", "resource"),
    "aws:backup/vaultPolicy:VaultPolicy": ("policy", "vault"),
}
ACCOUNT_CONDITIONS = {"aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID", "aws:PrincipalAccount",
                      "aws:PrincipalOrgID", "kms:CallerAccount"}
# Managed policies the program may attach, all AWS's own service-role policies for AWS Backup.
ALLOWED_MANAGED_POLICIES = {"AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"}
BACKUP_SERVICE = "backup.amazonaws.com"


@dataclass
class Statement:
    where: str  # "<type> <name>"
    document_kind: str
    body: dict[str, Any]

    def values(self, key: str) -> list[Any]:
        value = self.body.get(key, [])
        return value if isinstance(value, list) else [value]

    @property
    def allows(self) -> bool:
        return self.body.get("Effect") == "Allow"

    def principals(self) -> list[str]:
        principal = self.body.get("Principal")
        if principal is None:
            return []
        if isinstance(principal, str):
            return [principal]
        return [p for value in principal.values() for p in (value if isinstance(value, list) else [value])]

    def service_principals(self) -> list[str]:
        services = (self.body.get("Principal") or {}) if isinstance(self.body.get("Principal"), dict) else {}
        value = services.get("Service", [])
        return value if isinstance(value, list) else [value]

    def condition_keys(self) -> set[str]:
        return {key for operator in (self.body.get("Condition") or {}).values() for key in operator}

    def condition_values(self, key: str) -> list[str]:
        found = []
        for operator in (self.body.get("Condition") or {}).values():
            value = operator.get(key)
            found += value if isinstance(value, list) else [] if value is None else [value]
        return found


def _is_wildcard_action(action: str) -> bool:
    return action == "*" or action.endswith(":*")


def _is_wildcard_resource(resource: str) -> bool:
    """`*`, or an ARN with a wildcard anywhere but in the object key of one S3 bucket (`arn:aws:s3:::b/*`)."""
    if resource.startswith(("arn:aws:s3:::", "arn:aws-us-gov:s3:::", "arn:aws-cn:s3:::")) and "/" in resource:
        return "*" in resource.split("/", 1)[0]
    return "*" in resource


def _key_administration(statement: Statement) -> bool:
    """AWS's default key-policy statement: the account root may administer the key."""
    return statement.document_kind == "key" and statement.principals() == [f"arn:aws:iam::{ACCOUNT_ID}:root"]


def passed_backup_role(statement: Statement) -> bool:
    """The backup service role's trust: reached only through iam:PassRole in this account; AWS documents it
    without a source condition (one AWS Backup does not send would fail every job)."""
    return statement.document_kind == "trust" and statement.service_principals() == [BACKUP_SERVICE]


def wildcard_actions(found: list[Statement]) -> list[tuple[str, str]]:
    """Allowed `*` or `<service>:*` actions (or any NotAction), except the key administration statement."""
    return [(s.where, action) for s in found if s.allows and not _key_administration(s)
            for action in s.values("Action") + s.values("NotAction")
            if _is_wildcard_action(action) or s.values("NotAction")]


def wildcard_resources(found: list[Statement]) -> list[tuple[str, str]]:
    """Allowed on `*` where AWS does not require it (key and vault policies: `*` is the resource itself)."""
    return [(s.where, resource) for s in found if s.allows and s.document_kind not in ("key", "vault")
            for resource in s.values("Resource") + s.values("NotResource")
            if _is_wildcard_resource(resource) or s.values("NotResource")]


def unconditioned_principals(found: list[Statement]) -> list[str]:
    """Allow statements open to `*` or to an AWS service without a condition on our account or organisation
    (or with one naming another account)."""
    problems = []
    for s in found:
        exposed = "*" in s.principals() or s.service_principals()
        if not s.allows or not exposed or passed_backup_role(s):
            continue
        conditions = s.condition_keys() & ACCOUNT_CONDITIONS
        if not conditions:
            problems.append(f"{s.where}: no account condition")
        for key in conditions - {"aws:PrincipalOrgID", "aws:SourceOrgID"}:
            values = s.condition_values(key)
            if not values or not all(ACCOUNT_ID in value for value in values):
                problems.append(f"{s.where}: {key} {values}")
    return problems


def statements_of(resources: list[Recorded]) -> list[Statement]:
    """Every statement of every policy document among the resources (documents must be resolved JSON)."""
    found = []
    for resource in resources:
        key, kind = DOCUMENTS.get(resource.type, (None, None))
        if key is None or key not in resource.inputs:
            continue
        document = resource.inputs[key]
        assert isinstance(document, str), f"{resource.name}.{key} is not resolved JSON: {document!r}"
        body = json.loads(document)
        assert body.get("Version") == "2012-10-17", resource.name
        found += [Statement(f"{resource.type} {resource.name}", kind, s) for s in body["Statement"]]
    return found


def least_privilege_findings(resources: list[Recorded]) -> list[object]:
    """Everything the three checks find: wildcard actions, wildcard resources, unconditioned principals."""
    found = statements_of(resources)
    return [*wildcard_actions(found), *wildcard_resources(found), *unconditioned_principals(found)]
