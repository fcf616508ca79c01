"""AuditReports: AWS Backup Audit Manager report plans in each region where the stack's plans run, delivering daily
reports (compliance of the framework's controls and resources, backup, copy and restore jobs) to a bucket of the
stack in that region: versioned, SSE-KMS with its own key, TLS-only, and kept as long as the profile keeps the
recovery points they attest (S3 Object Lock in the vault lock's mode, lifecycle expiry after it)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from compliance import evidence_facts
from compliance.audit_controls import ReportRetention, report_retention

from components.audit_framework import audit_manager_name, evidence_profile
from components.bucket_parts import bucket_guards, bucket_key, versioned_and_encrypted
from components.config.base import Problem
from components.config.loader import config_error
from components.config.stack import StackConfig
from components.stack_context import StackContext, child_options, data_options
from components.vault_documents import account_administers


@dataclass(frozen=True)
class ReportSettings:
    templates: list[str]
    formats: list[str]
    retention_days: int | None
    lock_mode: str | None  # COMPLIANCE | GOVERNANCE, or None: no Object Lock
    create_role: bool


def report_settings(config: StackConfig) -> ReportSettings | None:
    """What `aws-backups:evidence.reports` sets up, its unset keys taken from the profile; None without it. Raises
    ConfigError, naming the key, before anything is registered."""
    reports = config.evidence.reports if config.evidence else None
    if reports is None:
        return None
    profile = evidence_profile(config)
    derived = report_retention(profile) if profile is not None else ReportRetention(None, None)
    days = reports.retention_days or derived.days
    mode = derived.lock_mode if reports.object_lock is None else reports.object_lock
    mode = None if mode == "NONE" else mode
    if mode is not None and days is None:
        raise config_error([Problem(("evidence", "reports", "retentionDays"), None, f"is needed: S3 Object Lock "
                                    f"({mode}) keeps each report for a default retention period (allowed: a number "
                                    "of days, or objectLock NONE)")])
    return ReportSettings(list(reports.templates), list(reports.formats), days, mode,
                          reports.create_service_linked_role)


def reports_service_role(settings: ReportSettings | None) -> list[pulumi.Resource]:
    """AWSServiceRoleForBackupReports, when the stack creates it: first, as AWS Backup creates it itself with the
    first framework or report plan (which would then make ours fail: the frameworks wait for it too). Kept when the
    stack lets it go: other frameworks and report plans of the account use it."""
    if settings is None or not settings.create_role:
        return []
    return [aws.iam.ServiceLinkedRole(
        "backup-reports-role",
        aws_service_name=evidence_facts.REPORTS_SERVICE,
        description="AWS Backup Audit Manager delivers the stack's audit reports",
        opts=pulumi.ResourceOptions(retain_on_delete=True),
    )]


class AuditReports(pulumi.ComponentResource):
    """`framework_arns`: the stack's framework of each plan region, which the compliance reports report on;
    `role`: reports_service_role's (the key and bucket policies naming the role wait for it)."""

    def __init__(self, settings: ReportSettings, config: StackConfig, framework_arns: dict[str, pulumi.Input[str]],
                 role: list[pulumi.Resource], context: StackContext,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("aws-backups:backup:AuditReports", "audit-reports", None, opts)
        self._settings, self._context = settings, context
        # Built from known parts, so the policies naming it are readable at preview; they wait for the role.
        self._role_arn = context.arn("iam", "", evidence_facts.REPORTS_ROLE_PATH)
        self._role = role
        self.bucket_names: dict[str, str] = {}
        for region in config.plan_regions():
            bucket = self._bucket(config.report_bucket_name(region), region)
            self.bucket_names[region] = config.report_bucket_name(region)
            self._plans(region, bucket, framework_arns.get(region))
        self.register_outputs({"bucketNames": self.bucket_names})

    def _options(self, **extra: object) -> pulumi.ResourceOptions:
        """A data resource's options, after the reports role (the policies naming it are refused before it)."""
        depends_on = [*extra.pop("depends_on", []), *self._role]  # type: ignore[misc]
        return data_options(self, self._context.production, depends_on=depends_on, **extra)

    def _bucket(self, name: str, region: str) -> aws.s3.Bucket:
        logical, context, settings = f"backup-reports-{region}", self._context, self._settings
        tags = {**context.tags, "audit-reports": region}
        key = bucket_key(context, logical, region, f"Encrypts the AWS Backup audit reports in S3 bucket {name}", tags,
                         self._options(), pulumi.Output.json_dumps(self._key_policy()))
        bucket = aws.s3.Bucket(
            f"{logical}-bucket",
            bucket=name,
            object_lock_enabled=settings.lock_mode is not None,  # only when the bucket is created
            force_destroy=False,
            region=region,
            tags=tags,
            opts=self._options(),
        )
        versioning = versioned_and_encrypted(logical, bucket.bucket, region, key, self._options)
        if settings.lock_mode is not None:
            aws.s3.BucketObjectLockConfiguration(
                f"{logical}-object-lock",
                bucket=bucket.bucket,
                rule={"default_retention": {"mode": settings.lock_mode, "days": settings.retention_days}},
                region=region,
                opts=self._options(depends_on=[versioning]),
            )
        if settings.retention_days is not None:
            # A report expires when the profile no longer asks for it; a version that stops being current (expired,
            # or deleted early) is kept that long again, then goes; the delete markers left behind go too.
            aws.s3.BucketLifecycleConfiguration(
                f"{logical}-lifecycle",
                bucket=bucket.bucket,
                rules=[{"id": "keep-for-profile-retention", "status": "Enabled", "filter": {"prefix": ""},
                        "expiration": {"days": settings.retention_days},
                        "noncurrent_version_expiration": {"noncurrent_days": settings.retention_days}},
                       {"id": "remove-expired-delete-markers", "status": "Enabled", "filter": {"prefix": ""},
                        "expiration": {"expired_object_delete_marker": True}}],
                region=region,
                # Kept with the bucket (it keeps expiring as before), not protected: the retention may be edited.
                opts=child_options(self, retain_on_delete=context.production, depends_on=[versioning]),
            )
        bucket_guards(context, logical, bucket.bucket, name, region, self._options,
                      self._delivery_statements(name))
        return bucket

    def _key_policy(self) -> dict[str, object]:
        return {"Version": "2012-10-17", "Statement": [
            account_administers(self._context.account_root_arn()),
            {"Sid": "BackupReportsEncrypt", "Effect": "Allow", "Principal": {"AWS": self._role_arn},
             "Action": list(evidence_facts.REPORTS_KEY_ACTIONS), "Resource": "*"},
        ]}

    def _delivery_statements(self, bucket: str) -> pulumi.Output[list[dict]]:
        """Backup Audit Manager's role writes reports, handing them to the bucket owner."""
        return pulumi.Output.all(self._context.partition, self._role_arn).apply(lambda parts: [{
            "Sid": "BackupReportsDeliver", "Effect": "Allow", "Principal": {"AWS": parts[1]},
            "Action": "s3:PutObject", "Resource": f"arn:{parts[0]}:s3:::{bucket}/*",
            "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}])

    def _plans(self, region: str, bucket: aws.s3.Bucket, framework_arn: pulumi.Input[str] | None) -> None:
        for template in self._settings.templates:
            on_framework = template in evidence_facts.FRAMEWORK_REPORT_TEMPLATES
            aws.backup.ReportPlan(
                f"backup-reports-{region}-{template.lower().replace('_', '-')}",
                name=audit_manager_name(self._context.name_prefix, template.lower()),
                description=f"aws-backups: daily {template} of {region}",
                region=region,
                report_delivery_channel={"s3_bucket_name": bucket.bucket, "formats": self._settings.formats},
                report_setting={"report_template": template,
                                "framework_arns": [framework_arn] if on_framework and framework_arn else None,
                                "number_of_frameworks": 1 if on_framework and framework_arn else None},
                tags=self._context.tags or None,
                opts=child_options(self),
            )

