"""The resource-type table (policies/compliance/data/backup_resource_types.json) and the ARN rules read from it.

The ARN tables read like a specification: per type, ARNs AWS Backup accepts in a selection (commercial, GovCloud,
China, wildcards) and ARNs it would not take as that type.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from compliance.resource_types_table import (
    TABLE_PATH,
    UnknownName,
    classify_arn,
    load_table,
    selected_types,
    selection_arn_problem,
    types_covered,
)
from pulumi_mocks import ROOT

TABLE = load_table()
ALL = frozenset(TABLE.type_names)
ACCOUNT = "123456789012"


def test_the_table_keeps_the_seven_types_and_the_arn_fields_others_read():
    assert TABLE.type_names == ("EBS", "EC2", "RDS", "Aurora", "DynamoDB", "EFS", "Storage Gateway")
    shapes = {name: (kind.arn_service, kind.arn_resource) for name, kind in TABLE.types.items()}
    assert shapes == {
        "EBS": ("ec2", "volume/*"),
        "EC2": ("ec2", "instance/*"),
        "RDS": ("rds", "db:*"),
        "Aurora": ("rds", "cluster:*"),
        "DynamoDB": ("dynamodb", "table/*"),
        "EFS": ("elasticfilesystem", "file-system/*"),
        "Storage Gateway": ("storagegateway", "gateway/*/volume/*"),
    }


def test_every_fact_of_every_type_cites_a_source_with_title_url_and_date():
    for kind in TABLE.types.values():
        assert set(kind.features) == set(TABLE.feature_names), kind.name
        for name, fact in kind.features.items():
            assert fact.sources, f"{kind.name}.{name} cites no source"
            for source in fact.sources:
                page = TABLE.sources[source]
                assert page["title"] and page["url"].startswith("https://docs.aws.amazon.com/"), source
                assert page["read"] == "2026-11-26" and page["pageDate"], source


def test_a_fact_citing_an_unknown_source_fails_to_load(tmp_path):
    raw = json.loads(TABLE_PATH.read_text())
    raw["resourceTypes"]["EFS"]["features"]["coldStorage"]["sources"] = ["nowhere"]
    (tmp_path / "table.json").write_text(json.dumps(raw))
    with pytest.raises(ValueError, match="nowhere"):
        load_table(tmp_path / "table.json")


@pytest.mark.parametrize(
    ("type_name", "feature", "partition", "supported"),
    [
        ("EBS", "coldStorage", "aws", True),
        ("EBS", "coldStorage", "aws-us-gov", False),  # EBS archive tier: not in GovCloud or China
        ("EBS", "coldStorage", "aws-cn", False),
        ("EFS", "coldStorage", "aws-cn", True),
        ("EFS", "crossAccountCopy", "aws", True),
        ("EFS", "crossAccountCopy", "aws-cn", False),  # China Regions: no cross-account copy
        ("EC2", "coldStorage", None, False),
        ("RDS", "continuousBackup", None, True),
        ("DynamoDB", "continuousBackup", None, False),
        ("Storage Gateway", "coldStorage", None, False),
    ],
)
def test_supports_reads_the_fact_and_the_partition_restrictions(type_name, feature, partition, supported):
    assert TABLE.supports(type_name, feature, partition) is supported


def test_features_that_only_some_types_have():
    assert TABLE.types_supporting("continuousBackup") == {"RDS", "Aurora"}
    assert TABLE.types_supporting("windowsVss") == {"EC2"}
    assert TABLE.types_supporting("archiveTier") == {"EBS"}
    assert TABLE.types_supporting("coldStorage") == {"EBS", "DynamoDB", "EFS"}
    assert TABLE.types_supporting("coldStorage", "aws-us-gov") == {"DynamoDB", "EFS"}
    assert TABLE.types_supporting("fullManagement") == {"DynamoDB", "EFS"}


def test_dynamodb_needs_advanced_features_for_cold_storage_copies_and_full_management():
    needs = {f: TABLE.requirement("DynamoDB", f) for f in TABLE.feature_names if TABLE.supports("DynamoDB", f)}
    assert needs == dict.fromkeys(
        ("coldStorage", "crossRegionCopy", "crossAccountCopy", "fullManagement"), "advancedFeatures"
    )
    assert "advancedFeatures" in TABLE.requirement_names
    assert TABLE.requirement("EFS", "coldStorage") is None


def test_unknown_types_and_features_are_errors_not_false():
    with pytest.raises(UnknownName, match="Timestream"):
        TABLE.supports("Timestream", "coldStorage")
    with pytest.raises(UnknownName, match="backupSearch"):
        TABLE.supports("EBS", "backupSearch")
    with pytest.raises(UnknownName):
        TABLE.resource_type("Ec2")


# --- per type: ARNs AWS Backup accepts in a selection, in every partition, with wildcards ------------------------

ACCEPTED = {
    "EBS": [
        f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/vol-0abcd1234ef567890",
        f"arn:aws-us-gov:ec2:us-gov-west-1:{ACCOUNT}:volume/vol-0abcd1234ef567890",
        f"arn:aws-cn:ec2:cn-north-1:{ACCOUNT}:volume/vol-12345678",
        "arn:aws:ec2:*:*:volume/*",
        "arn:aws-us-gov:ec2:us-gov-east-1:*:volume/*",
        f"arn:*:ec2:*:{ACCOUNT}:volume/vol-0*",
    ],
    "EC2": [
        f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/i-0abcd1234ef567890",
        f"arn:aws-us-gov:ec2:us-gov-east-1:{ACCOUNT}:instance/i-12345678",
        f"arn:aws-cn:ec2:cn-northwest-1:{ACCOUNT}:instance/i-0abcd1234ef567890",
        "arn:aws:ec2:*:*:instance/*",
        "arn:aws-cn:ec2:*:*:instance/i-*",
    ],
    "RDS": [
        f"arn:aws:rds:us-east-1:{ACCOUNT}:db:orders-db",
        f"arn:aws-us-gov:rds:us-gov-west-1:{ACCOUNT}:db:ledger",
        f"arn:aws-cn:rds:cn-north-1:{ACCOUNT}:db:orders",
        "arn:aws:rds:*:*:db:*",
        "arn:aws-us-gov:rds:*:*:db:prod-*",
    ],
    "Aurora": [
        f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster:orders-cluster",
        f"arn:aws-us-gov:rds:us-gov-west-1:{ACCOUNT}:cluster:ledger",
        f"arn:aws-cn:rds:cn-northwest-1:{ACCOUNT}:cluster:orders",
        "arn:aws:rds:*:*:cluster:*",
    ],
    "DynamoDB": [
        f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders",
        f"arn:aws-us-gov:dynamodb:us-gov-west-1:{ACCOUNT}:table/Orders_2024.v1",
        f"arn:aws-cn:dynamodb:cn-north-1:{ACCOUNT}:table/orders",
        "arn:aws:dynamodb:*:*:table/*",
        f"arn:aws-cn:dynamodb:*:{ACCOUNT}:table/orders-*",
    ],
    "EFS": [
        f"arn:aws:elasticfilesystem:us-east-1:{ACCOUNT}:file-system/fs-0abcd1234ef567890",
        f"arn:aws-us-gov:elasticfilesystem:us-gov-west-1:{ACCOUNT}:file-system/fs-12345678",
        f"arn:aws-cn:elasticfilesystem:cn-north-1:{ACCOUNT}:file-system/fs-12345678",
        "arn:aws-cn:elasticfilesystem:*:*:file-system/*",
    ],
    "Storage Gateway": [
        f"arn:aws:storagegateway:us-east-1:{ACCOUNT}:gateway/sgw-12A3456B/volume/vol-1122AABB",
        f"arn:aws-us-gov:storagegateway:us-gov-west-1:{ACCOUNT}:gateway/sgw-12A3456B/volume/vol-1122AABB",
        f"arn:aws-cn:storagegateway:cn-north-1:{ACCOUNT}:gateway/sgw-12A3456B/volume/vol-1122AABB",
        "arn:aws:storagegateway:*:*:gateway/*/volume/*",
        f"arn:aws:storagegateway:us-east-1:{ACCOUNT}:gateway/sgw-12A3456B/volume/*",
    ],
}


@pytest.mark.parametrize(
    ("type_name", "arn"), [(name, arn) for name, arns in ACCEPTED.items() for arn in arns], ids=str
)
def test_accepted_selection_arns_select_exactly_their_type(type_name, arn):
    assert classify_arn(arn) == {type_name}
    assert type_name in classify_arn(arn)
    assert selection_arn_problem(arn) is None


@pytest.mark.parametrize("type_name", sorted(ALL))  # sorted: every xdist worker collects one order
def test_each_types_example_and_whole_type_pattern_select_that_type(type_name):
    kind = TABLE.resource_type(type_name)
    assert classify_arn(kind.arn_example) == {type_name}
    for partition in TABLE.partitions:
        assert classify_arn(kind.selection_pattern(partition)) == {type_name}


@pytest.mark.parametrize(
    ("arn", "types"),
    [
        ("*", ALL),
        ("arn:aws:*", ALL),
        ("arn:aws-cn:*", ALL),
        ("arn:aws:ec2:*", {"EBS", "EC2"}),
        ("arn:aws-us-gov:rds:*", {"RDS", "Aurora"}),
        ("arn:*:*:*:*:table/*", {"DynamoDB"}),
    ],
)
def test_broad_wildcards_select_every_type_they_can_match(arn, types):
    assert classify_arn(arn) == types
    assert selection_arn_problem(arn) is None


REJECTED = [
    ("EBS", "arn:aws:ec2:us-east-1:12345:volume/vol-0abc", "not a valid EBS ARN"),  # account of 5 digits
    ("EBS", f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/0abc", "not a valid EBS ARN"),
    ("EBS", f"arn:aws:ec2:{ACCOUNT}:volume/vol-0abc", "not a valid EBS ARN"),  # no region field
    ("EC2", f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/0abc", "not a valid EC2 ARN"),
    ("RDS", f"arn:aws:rds:us-east-1:{ACCOUNT}:snapshot:nightly", "selects none of the protected types"),
    ("Aurora", f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster-snapshot:x", "selects none of the protected types"),
    ("DynamoDB", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/ab", "not a valid DynamoDB ARN"),  # 3+ characters
    ("EFS", f"arn:aws:elasticfilesystem:us-east-1:{ACCOUNT}:access-point/fsap-1", "selects none"),
    ("Storage Gateway", f"arn:aws:storagegateway:us-east-1:{ACCOUNT}:gateway/sgw-1A", "not a valid Storage Gateway"),
    ("EBS", "arn:aws-iso:ec2:*:*:volume/*", "partition 'aws-iso'"),
    ("EBS", "vol-0abcd1234ef567890", "is not an ARN"),
    ("EBS", "arn:aws:ec2:*:*:volume/ *", "is not an ARN"),
    ("DynamoDB", "arn:aws:s3:::orders", "selects none of the protected types"),
]


@pytest.mark.parametrize(("type_name", "arn", "reason"), REJECTED, ids=str)
def test_rejected_selection_arns_say_why(type_name, arn, reason):
    assert type_name not in classify_arn(arn)
    problem = selection_arn_problem(arn)
    assert problem is not None and reason in problem


def test_a_malformed_arn_of_a_known_type_shows_that_types_shape():
    problem = selection_arn_problem(f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/0abc")
    assert TABLE.resource_type("EBS").arn_example in problem


def test_a_wildcard_for_one_type_does_not_reach_another_through_its_stars():
    # A `*` of AWS's selection glob spans anything, but a volume pattern can never name an instance.
    assert classify_arn("arn:aws:ec2:*:*:volume/*") == {"EBS"}
    assert classify_arn("arn:aws:rds:*:*:cluster:*") == {"Aurora"}


# --- notResources and the selected set ------------------------------------------------------------------------


def test_not_resources_remove_a_type_only_when_they_cover_all_of_it():
    assert types_covered("arn:aws:ec2:*:*:volume/*", partition="aws") == {"EBS"}
    assert types_covered("arn:aws:ec2:*:*:volume/*") == set()  # GovCloud and China volumes stay selected
    assert types_covered("arn:*:ec2:*") == {"EBS", "EC2"}
    assert types_covered("*") == ALL
    assert types_covered("arn:aws:ec2:*:*:volume/vol-0*", partition="aws") == set()


@pytest.mark.parametrize(
    ("resources", "not_resources", "partition", "types"),
    [
        ([], [], None, ALL),  # tag-only selection: any type with the tags
        (["*"], ["arn:aws:ec2:*:*:volume/*"], "aws", ALL - {"EBS"}),
        (["*"], ["arn:aws:ec2:*:*:volume/*"], "aws-us-gov", ALL),  # an aws-partition pattern excludes nothing there
        (["arn:aws:ec2:*:*:volume/*"], ["arn:aws:ec2:*:*:volume/vol-0abc*"], "aws", {"EBS"}),
        (["arn:aws:dynamodb:*:*:table/*", "arn:aws:rds:*:*:db:*"], [], "aws", {"DynamoDB", "RDS"}),
        (["arn:aws:dynamodb:*:*:table/*"], [], "aws-cn", set()),  # the pattern names another partition
    ],
)
def test_selected_types(resources, not_resources, partition, types):
    assert selected_types(resources, not_resources, partition=partition) == types


def test_the_table_reader_imports_no_pulumi():
    """Components load the reader; it must not pull the pack's SDK (or any Pulumi SDK) into the program."""
    code = "import sys, compliance.resource_types_table; print(sorted(m for m in sys.modules if 'pulumi' in m))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT / "policies", capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
