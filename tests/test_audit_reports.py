"""Audit reports, the daily evidence: AWS Backup Audit Manager report plans of each template in each plan region,
delivered to a bucket of the stack there (versioned, SSE-KMS with its own key the reports role may use, TLS-only,
kept as the profile keeps records: Object Lock in the vault lock's mode, lifecycle expiry after the retention),
protected in production; what AWS or the profile cannot take refused by key."""

from __future__ import annotations

import copy
import json

import pytest
from compliance import evidence_facts
from pulumi_mocks import ROOT, of_type, one, run_program, stack_file_config

from components.config import ConfigError, load_stack_config

REPORT_PLAN = "aws:backup/reportPlan:ReportPlan"
BUCKET = "aws:s3/bucket:Bucket"
REPORTS_BUCKET = "aws-backups-prod-backup-reports-eu-west-1"
ROLE_ARN = f"arn:aws:iam::123456789012:{evidence_facts.REPORTS_ROLE_PATH}"


def prod_config(**reports) -> dict:
    config = copy.deepcopy(stack_file_config(ROOT / "Pulumi.prod.yaml"))
    config["aws-backups:evidence"]["reports"] = reports
    return config


@pytest.fixture(scope="module")
def prod():
    return run_program(prod_config(), stack_name="prod")


def on_bucket(resources, type_token: str):
    return one([r for r in of_type(resources, type_token) if r.inputs.get("bucket") == REPORTS_BUCKET], type_token)


def test_prod_reports_every_template_daily_into_its_own_bucket(prod):
    plans = {p.inputs["reportSetting"]["reportTemplate"]: p.inputs for p in of_type(prod, REPORT_PLAN)}
    assert set(plans) == set(evidence_facts.REPORT_TEMPLATES)
    for template, plan in plans.items():
        assert plan["region"] == "eu-west-1"
        assert plan["name"] == f"aws_backups_prod_{template.lower()}"
        assert plan["reportDeliveryChannel"] == {"s3BucketName": REPORTS_BUCKET, "formats": ["CSV"]}
    framework = one(prod, "aws:backup/framework:Framework")
    for template in evidence_facts.FRAMEWORK_REPORT_TEMPLATES:  # compliance reports name the stack's framework
        assert plans[template]["reportSetting"]["numberOfFrameworks"] == 1
        assert len(plans[template]["reportSetting"]["frameworkArns"]) == 1
    assert "frameworkArns" not in plans["BACKUP_JOB_REPORT"]["reportSetting"]
    assert framework.urn in one(prod, REPORT_PLAN, "backup-reports-eu-west-1-control-compliance-report").dependencies


def test_the_bucket_is_locked_in_compliance_mode_for_the_profiles_retention_and_protected(prod):
    bucket = one([b for b in of_type(prod, BUCKET) if b.inputs["bucket"] == REPORTS_BUCKET], BUCKET)
    assert bucket.inputs["objectLockEnabled"] is True and bucket.inputs["forceDestroy"] is False
    assert bucket.protect and bucket.retain_on_delete
    lock = on_bucket(prod, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
    assert lock.inputs["rule"] == {"defaultRetention": {"mode": "COMPLIANCE", "days": 2190}}  # sec-17a-4
    assert lock.protect
    rule, markers = on_bucket(prod, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"]
    assert rule["expiration"] == {"days": 2190} and rule["noncurrentVersionExpiration"] == {"noncurrentDays": 2190}
    assert markers["expiration"] == {"expiredObjectDeleteMarker": True}
    assert on_bucket(prod, "aws:s3/bucketVersioning:BucketVersioning").inputs["versioningConfiguration"] == {
        "status": "Enabled"}
    [encryption] = on_bucket(prod, "aws:s3/bucketServerSideEncryptionConfiguration:"
                                   "BucketServerSideEncryptionConfiguration").inputs["rules"]
    assert encryption["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms", "kmsMasterKeyId": "arn:aws:kms:eu-west-1:123456789012:alias/aws-backups-prod-"
                                                     "backup-reports-eu-west-1"}


def test_only_the_reports_role_writes_and_only_over_tls(prod):
    policy = json.loads(on_bucket(prod, "aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])
    deny, deliver = policy["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deliver == {"Sid": "BackupReportsDeliver", "Effect": "Allow", "Principal": {"AWS": ROLE_ARN},
                       "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{REPORTS_BUCKET}/*",
                       "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}
    keys = [k for k in of_type(prod, "aws:kms/key:Key") if "audit reports" in k.inputs["description"]]
    statements = json.loads(one(keys, "aws:kms/key:Key").inputs["policy"])["Statement"]
    assert {"Sid": "BackupReportsEncrypt", "Effect": "Allow", "Principal": {"AWS": ROLE_ARN},
            "Action": ["kms:GenerateDataKey", "kms:Decrypt", "kms:Encrypt"], "Resource": "*"} in statements


def test_the_policies_naming_the_reports_role_and_the_framework_wait_for_it(prod):
    role = one(prod, "aws:iam/serviceLinkedRole:ServiceLinkedRole")
    assert role.inputs["awsServiceName"] == "reports.backup.amazonaws.com" and role.retain_on_delete
    assert role.urn in on_bucket(prod, "aws:s3/bucketPolicy:BucketPolicy").dependencies
    # AWS Backup creates the role with the first framework: created first, ours would then be refused.
    assert role.urn in one(prod, "aws:backup/framework:Framework").dependencies
    keys = [k for k in of_type(prod, "aws:kms/key:Key") if "audit reports" in k.inputs["description"]]
    assert role.urn in one(keys, "aws:kms/key:Key").dependencies


def test_an_account_that_has_the_role_does_not_create_it():
    resources = run_program(prod_config(createServiceLinkedRole=False), stack_name="prod")
    assert not of_type(resources, "aws:iam/serviceLinkedRole:ServiceLinkedRole")
    assert len(of_type(resources, REPORT_PLAN)) == len(evidence_facts.REPORT_TEMPLATES)


def test_without_a_lock_the_reports_are_kept_by_versioning_and_lifecycle():
    resources = run_program(prod_config(objectLock="NONE", retentionDays=400, templates=["BACKUP_JOB_REPORT"],
                                        formats=["CSV", "JSON"]), stack_name="prod")
    assert not of_type(resources, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
    bucket = one([b for b in of_type(resources, BUCKET) if b.inputs["bucket"] == REPORTS_BUCKET], BUCKET)
    assert bucket.inputs["objectLockEnabled"] is False
    rule, _ = on_bucket(resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"]
    assert rule["expiration"] == {"days": 400}
    [plan] = of_type(resources, REPORT_PLAN)
    assert plan.inputs["reportDeliveryChannel"]["formats"] == ["CSV", "JSON"]


def _refused(config: dict) -> str:
    with pytest.raises(ConfigError) as refused:
        load_stack_config(config, "prod")
    return str(refused.value)


def test_compliance_reports_without_a_profile_are_refused_by_key():
    config = prod_config(templates=["CONTROL_COMPLIANCE_REPORT", "BACKUP_JOB_REPORT"])
    del config["aws-backups:evidence"]["profile"]
    message = _refused(config)
    assert "aws-backups:evidence.reports.templates[0]" in message and "BACKUP_JOB_REPORT" in message, message


def test_a_template_listed_twice_is_refused_by_key():
    message = _refused(prod_config(templates=["BACKUP_JOB_REPORT", "BACKUP_JOB_REPORT"]))
    assert "aws-backups:evidence.reports.templates[1]" in message and "each value once" in message, message


def test_more_report_plans_than_aws_allows_are_refused_before_anything_is_registered():
    config = prod_config()
    regions = ["eu-west-1", "eu-central-1", "eu-north-1", "eu-south-1", "eu-west-3"]
    config["aws-backups:plans"] = [{**config["aws-backups:plans"][0], "name": f"p{index}", "region": region}
                                   for index, region in enumerate(regions)]
    message = _refused(config)
    assert "aws-backups:evidence.reports.templates" in message and "25 report plans" in message, message


def test_a_retention_beyond_object_locks_100_years_is_refused_by_key():
    message = _refused(prod_config(retentionDays=40000))
    assert "aws-backups:evidence.reports.retentionDays" in message and "36500" in message, message


def test_a_replicated_bucket_of_the_report_buckets_name_is_refused():
    config = prod_config()
    config["aws-backups:replication"][0]["name"] = "backup-reports-eu-west-1"
    message = _refused(config)
    assert "aws-backups:replication[0].name" in message and "report" in message, message


def test_an_object_lock_without_a_retention_is_refused_by_key():
    config = prod_config(objectLock="GOVERNANCE")
    del config["aws-backups:evidence"]["profile"]
    config["aws-backups:evidence"]["reports"]["templates"] = ["BACKUP_JOB_REPORT"]
    with pytest.raises(Exception) as refused:
        run_program(config, stack_name="prod")
    assert "aws-backups:evidence.reports.retentionDays" in str(refused.value)
