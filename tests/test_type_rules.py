"""The config's per-type rules (components/config/type_rules.py), read from the pack's table: selection ARNs as AWS
Backup takes them, the types a selection reaches, the types that take full AWS Backup management."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from components.config.type_rules import (
    TABLE,
    FullManagementTypeName,
    SelectionArn,
    types_reached,
)

SELECTION_ARN = TypeAdapter(SelectionArn)
FULL_MANAGEMENT = TypeAdapter(FullManagementTypeName)


@pytest.mark.parametrize(
    "arn",
    [
        "*",
        "arn:aws:ec2:*",
        "arn:aws-us-gov:ec2:*:*:volume/*",
        "arn:aws-cn:rds:cn-north-1:123456789012:db:orders",
        "arn:aws:dynamodb:*:123456789012:table/orders-*",
        *(kind.arn_example for kind in TABLE.types.values()),
    ],
)
def test_selection_arns_aws_backup_accepts(arn):
    assert SELECTION_ARN.validate_python(arn) == arn


@pytest.mark.parametrize(
    ("arn", "reason"),
    [
        ("arn:aws:s3:::orders", "selects none of the protected types"),
        ("arn:aws:ec2:us-east-1:12345:volume/vol-0abc", "is not a valid EBS ARN"),
        ("arn:aws-iso:ec2:*", "partition 'aws-iso'"),
        ("vol-0abc", "is not an ARN"),
    ],
)
def test_selection_arns_rejected_with_the_reason(arn, reason):
    with pytest.raises(ValidationError, match=reason):
        SELECTION_ARN.validate_python(arn)


def test_full_management_takes_only_the_types_that_have_it():
    assert {FULL_MANAGEMENT.validate_python(name) for name in ("DynamoDB", "EFS")} == {"DynamoDB", "EFS"}
    with pytest.raises(ValidationError, match="'DynamoDB' or 'EFS'"):
        FULL_MANAGEMENT.validate_python("EBS")


@pytest.mark.parametrize(
    ("resource_types", "resources", "not_resources", "partition", "reached"),
    [
        (["DynamoDB"], [], [], "aws", ["DynamoDB"]),
        ([], ["arn:aws:rds:*:*:cluster:*"], [], "aws", ["Aurora"]),
        (["EFS"], ["arn:aws-us-gov:ec2:*:*:instance/*"], [], "aws-us-gov", ["EFS", "EC2"]),  # named first
        (["EBS", "EC2"], [], ["arn:aws:ec2:*:*:volume/*"], "aws", ["EC2"]),
        ([], ["*"], ["arn:aws:ec2:*"], "aws", ["RDS", "Aurora", "DynamoDB", "EFS", "Storage Gateway"]),
    ],
)
def test_types_a_selection_reaches(resource_types, resources, not_resources, partition, reached):
    assert types_reached(resource_types, resources, not_resources, partition) == reached
