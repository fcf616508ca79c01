"""Least privilege and exposure: every policy document the program produces for dev, prod and the all-options
stack, parsed and checked statement by statement.

Allow statements: no `*` action and no `<service>:*` action; no `*` resource except where AWS requires it; a
principal that is `*` or an AWS service is conditioned on our account or organisation. Deny statements may be
as broad as they like (a broader deny is safer). Buckets deny non-TLS requests and block public access; keys
rotate; notification topics are encrypted.

Where AWS requires a wildcard (the README, "Threat model", lists these with the reasons):
- a KMS key policy's `Resource` is always `*`: a key policy is attached to one key and `*` means "this key";
- its administration statement (principal: the account root) allows `kms:*`: AWS's default key policy, without
  which IAM policies cannot grant any use of the key and the key can become unmanageable;
- a vault access policy's `Resource` is `*`: it is attached to one vault and `*` means its recovery points;
- the backup service role trusts backup.amazonaws.com without a source condition: the role is handed to AWS
  Backup through iam:PassRole within the account (a role cannot be passed to another account), AWS's documented
  trust policy for it has none, and a condition AWS Backup does not send would break every backup job.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pulumi_mocks import ACCOUNT_ID, Recorded, of_type, run_stack_file

ROOT = Path(__file__).resolve().parents[1]
STACK_FILES = [ROOT / "Pulumi.dev.yaml", ROOT / "Pulumi.prod.yaml", ROOT / "tests" / "stacks" / "Pulumi.full.yaml"]
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


@functools.cache
def resources(stack_file: Path) -> list[Recorded]:
    return run_stack_file(stack_file)


def statements(stack_file: Path) -> list[Statement]:
    found = []
    for resource in resources(stack_file):
        key, kind = DOCUMENTS.get(resource.type, (None, None))
        if key is None or key not in resource.inputs:
            continue
        document = resource.inputs[key]
        assert isinstance(document, str), f"{resource.name}.{key} is not resolved JSON: {document!r}"
        body = json.loads(document)
        assert body.get("Version") == "2012-10-17", resource.name
        found += [Statement(f"{resource.type} {resource.name}", kind, s) for s in body["Statement"]]
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


def _passed_backup_role(statement: Statement) -> bool:
    return statement.document_kind == "trust" and statement.service_principals() == [BACKUP_SERVICE]


def wildcard_actions(found: list[Statement]) -> list[tuple[str, str]]:
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
        if not s.allows or not exposed or _passed_backup_role(s):
            continue
        conditions = s.condition_keys() & ACCOUNT_CONDITIONS
        if not conditions:
            problems.append(f"{s.where}: no account condition")
        for key in conditions - {"aws:PrincipalOrgID", "aws:SourceOrgID"}:
            values = s.condition_values(key)
            if not values or not all(ACCOUNT_ID in value for value in values):
                problems.append(f"{s.where}: {key} {values}")
    return problems


@pytest.fixture(params=STACK_FILES, ids=lambda p: p.name)
def stack_file(request) -> Path:
    return request.param


def test_the_stacks_produce_every_kind_of_document():
    kinds = {s.document_kind for f in STACK_FILES for s in statements(f)}
    assert kinds == {"trust", "identity", "key", "resource", "vault"}


def test_no_allow_grants_a_wildcard_action(stack_file):
    assert wildcard_actions(statements(stack_file)) == []


def test_no_allow_on_a_wildcard_resource_except_where_aws_requires_it(stack_file):
    assert wildcard_resources(statements(stack_file)) == []


def test_public_and_service_principals_are_conditioned_on_the_account(stack_file):
    assert unconditioned_principals(statements(stack_file)) == []


def test_the_checks_catch_what_they_look_for():
    def statement(kind: str, **body: Any) -> Statement:
        return Statement(f"test {kind}", kind, {"Effect": "Allow", **body})

    bad = [
        statement("identity", Action="s3:*", Resource="arn:aws:s3:::b/*"),
        statement("identity", Action="kms:Decrypt", Resource="arn:aws:kms:eu-west-1:123456789012:key/*"),
        statement("identity", NotAction="iam:*", Resource="*"),
        statement("resource", Principal={"Service": "sns.amazonaws.com"}, Action="SNS:Publish",
                  Resource="arn:aws:sns:eu-west-1:123456789012:t"),
        statement("key", Principal={"AWS": "*"}, Action="kms:Decrypt", Resource="*",
                  Condition={"StringEquals": {"kms:CallerAccount": "999999999999"}}),
        statement("trust", Principal={"Service": "s3.amazonaws.com"}, Action="sts:AssumeRole"),
    ]
    assert [where for where, _ in wildcard_actions(bad)] == ["test identity", "test identity"]
    assert [r for _, r in wildcard_resources(bad)] == ["arn:aws:kms:eu-west-1:123456789012:key/*", "*"]
    assert unconditioned_principals(bad) == ["test resource: no account condition",
                                             "test key: kms:CallerAccount ['999999999999']",
                                             "test trust: no account condition"]
    assert not wildcard_resources([statement("identity", Action="s3:GetObject", Resource="arn:aws:s3:::b/*")])


def test_only_the_backup_service_role_trusts_without_a_source_condition(stack_file):
    """The one exception above stays one: a role trusting any other service must carry the condition."""
    for s in statements(stack_file):
        if s.document_kind == "trust" and not _passed_backup_role(s):
            assert s.condition_keys() & ACCOUNT_CONDITIONS, s.where
    for attachment in of_type(resources(stack_file), "aws:iam/rolePolicyAttachment:RolePolicyAttachment"):
        assert attachment.inputs["policyArn"].rsplit("/", 1)[1] in ALLOWED_MANAGED_POLICIES


def test_vault_policies_deny_deleting_recovery_points(stack_file):
    for s in statements(stack_file):
        if s.document_kind == "vault" and s.body.get("Effect") == "Deny":
            assert {"backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"} <= set(s.values("Action"))
            assert s.principals() == ["*"] and "aws:PrincipalArn" in s.condition_keys()


def test_buckets_deny_insecure_transport_and_block_public_access(stack_file):
    everything = resources(stack_file)
    buckets = of_type(everything, "aws:s3/bucket:Bucket")
    policies = {p.inputs["bucket"]: json.loads(p.inputs["policy"])
                for p in of_type(everything, "aws:s3/bucketPolicy:BucketPolicy")}
    blocks = {b.inputs["bucket"]: b.inputs for b in of_type(everything,
                                                            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")}
    for bucket in buckets:
        name = bucket.inputs["bucket"]
        denies = [s for s in policies[name]["Statement"] if s["Effect"] == "Deny"
                  and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"]
        assert denies, f"bucket {name} does not deny non-TLS requests"
        assert set(denies[0]["Resource"]) == {f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"}
        assert denies[0]["Action"] in ("s3:*", ["s3:*"]) and denies[0]["Principal"] in ("*", {"AWS": "*"})
        block = blocks[name]
        assert all(block.get(flag) is True for flag in
                   ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")), name


def test_keys_rotate_and_topics_are_encrypted(stack_file):
    everything = resources(stack_file)
    assert all(key.inputs.get("enableKeyRotation") is True for key in of_type(everything, "aws:kms/key:Key"))
    assert all(topic.inputs.get("kmsMasterKeyId") for topic in of_type(everything, "aws:sns/topic:Topic"))
