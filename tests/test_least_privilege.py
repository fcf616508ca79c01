"""Least privilege and exposure: every policy document the program produces for dev, prod and the all-options
stack, parsed and checked statement by statement.

Allow statements: no `*` action and no `<service>:*` action; no `*` resource except where AWS requires it; a
principal that is `*` or an AWS service is conditioned on our account or organisation. Deny statements may be
as broad as they like (a broader deny is safer). Buckets deny non-TLS requests and block public access; keys
rotate; notification topics are encrypted.

Where AWS requires a wildcard (key and vault policies' `*` resource, the key administration statement, the
backup service role's trust) is coded in tests/policy_documents.py and explained in the README, "Threat model".
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest
from policy_documents import (
    ACCOUNT_CONDITIONS,
    ALLOWED_MANAGED_POLICIES,
    Statement,
    passed_backup_role,
    statements_of,
    unconditioned_principals,
    wildcard_actions,
    wildcard_resources,
)
from pulumi_mocks import Recorded, of_type, run_stack_file

ROOT = Path(__file__).resolve().parents[1]
STACK_FILES = [ROOT / "Pulumi.dev.yaml", ROOT / "Pulumi.prod.yaml", ROOT / "tests" / "stacks" / "Pulumi.full.yaml"]


@functools.cache
def resources(stack_file: Path) -> list[Recorded]:
    return run_stack_file(stack_file)


def statements(stack_file: Path) -> list[Statement]:
    return statements_of(resources(stack_file))


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
        if s.document_kind == "trust" and not passed_backup_role(s):
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
