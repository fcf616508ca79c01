"""AWS limits that pass `pulumi preview` and fail half-way through `pulumi up` (aws-limits.md).

Mandatory in every profile and not relaxable: no knobs, own level mandatory, and a meta test asserts that no
profile lowers them. Item 8 (cold storage and archive only for some resource types) needs the feature table and
lives in `resource_types.py`.
"""

from __future__ import annotations

from collections.abc import Iterator

from compliance import facts
from compliance.buckets import (
    ENABLED,
    REPLICATION_RULE_READS,
    ReplicationRule,
    bucket_by_arn_or_name,
    bucket_of,
    replication_rules,
    replications,
    versioning_enabled,
    versioning_resources,
)
from compliance.plans import LIFECYCLE_READS, lifecycles, rule_label, rules
from compliance.resources import (
    BUCKET,
    BUCKET_ENCRYPTION,
    BUCKET_REPLICATION,
    BUCKET_VERSIONING,
    PLAN,
    SELECTION,
    VAULT,
    VAULT_LOCK,
    Arn,
    Resource,
    Stack,
)
from compliance.spec import PolicySpec, Violation, days
from compliance.vaults import lifecycle_target, lock_of, vault_name

R = "aws-backups:replication[]"  # the stack-config list S3 replication comes from
RULE_KEY = "aws-backups:plans[].rules[]"


# -- plans: every limit is a rule of compliance.facts, which the stack config's loader calls too ----------------------
def check_cold_storage_gap(plan: Resource, _config: dict) -> Iterator[str]:
    for lifecycle in lifecycles(plan):
        cold, delete = lifecycle.cold_storage_after, lifecycle.delete_after
        if lifecycle.inherited or cold is None or delete is None or facts.KEEP_FOREVER in (cold, delete):
            continue
        if problem := facts.cold_storage_gap_problem(cold, delete):
            yield (f"{lifecycle.where}: lifecycle.deleteAfter {days(delete)} {problem}. Raise deleteAfter or lower "
                   f"coldStorageAfter (stack config: aws-backups:{lifecycle.config_key}.deleteAfterDays / "
                   f"coldStorageAfterDays).")


def check_lifecycle_bounds(plan: Resource, _config: dict) -> Iterator[str]:
    for lifecycle in lifecycles(plan):
        if lifecycle.inherited:
            continue
        values = {"deleteAfter": lifecycle.delete_after, "coldStorageAfter": lifecycle.cold_storage_after}
        forever = [key for key, value in values.items() if value == facts.KEEP_FOREVER]
        if forever and len(forever) != 2:
            yield (f"{lifecycle.where}: lifecycle.{forever[0]} is {facts.KEEP_FOREVER} (keep forever) but the other "
                   f"value is not; AWS accepts {facts.KEEP_FOREVER} only on both deleteAfter and coldStorageAfter. "
                   f"Set both to {facts.KEEP_FOREVER} or give both a number of days (stack config: "
                   f"aws-backups:{lifecycle.config_key}.deleteAfterDays).")
        for key, value in values.items():
            if value is None or value == facts.KEEP_FOREVER:
                continue
            if problem := facts.lifecycle_days_problem(value):
                config_key = "deleteAfterDays" if key == "deleteAfter" else "coldStorageAfterDays"
                yield (f"{lifecycle.where}: lifecycle.{key} {days(value)} {problem}. Set a value in that range "
                       f"(stack config: aws-backups:{lifecycle.config_key}.{config_key}).")


def check_continuous_backup(plan: Resource, _config: dict) -> Iterator[str]:
    for lifecycle in lifecycles(plan, copies=False):
        if not lifecycle.rule.flag("enableContinuousBackup"):
            continue
        delete, cold = lifecycle.delete_after, lifecycle.cold_storage_after
        if problem := facts.continuous_retention_problem(delete):
            shown = "unset" if delete is None else days(delete)
            yield (f"{lifecycle.where}: continuous backup (point-in-time recovery) with lifecycle.deleteAfter {shown}"
                   f", which {problem}. Set lifecycle.deleteAfter (stack config: {RULE_KEY}.deleteAfterDays).")
        if problem := facts.continuous_cold_storage_problem(cold):
            yield (f"{lifecycle.where}: lifecycle.coldStorageAfter {days(cold)} {problem}. "
                   f"Remove coldStorageAfter from this rule (stack config: {RULE_KEY}.coldStorageAfterDays).")


def check_start_window(plan: Resource, _config: dict) -> Iterator[str]:
    for rule in rules(plan):
        window = rule.number("startWindow")
        if window is not None and (problem := facts.start_window_problem(window)):
            yield (f"{rule_label(rule)}: startWindow {days(window)} minutes {problem}. Raise it or leave it unset "
                   f"(stack config: {RULE_KEY}.startWindowMinutes).")


def check_schedule(plan: Resource, _config: dict) -> Iterator[str]:
    for rule in rules(plan):
        schedule = rule.get("schedule")
        if schedule is None:
            continue
        if not isinstance(schedule, str):
            yield (f"{rule_label(rule)}: schedule is {schedule!r}, not a cron(...) expression. Set it to "
                   f"{facts.SCHEDULE_FORM} (stack config: {RULE_KEY}.schedule).")
        elif problem := facts.schedule_problem(schedule):
            yield (f"{rule_label(rule)}: schedule {schedule} {problem}. Fix the schedule (stack config: "
                   f"{RULE_KEY}.schedule).")


def _name_problem(rule: facts.NameRule, name: object, where: str, key: str) -> Iterator[str]:
    if isinstance(name, str) and (problem := facts.name_problem(rule, name)):
        yield f"{where} {name!r} {problem}. Rename it (stack config: {key})."


def check_names(resource: Resource, _config: dict) -> Iterator[str]:
    """Each name by its own AWS rule: vault, plan, rule and selection names differ."""
    if resource.kind == VAULT:
        yield from _name_problem(facts.VAULT_NAME, resource.props.get("name"), "vault name",
                                 "aws-backups:namePrefix and aws-backups:vaults[].name")
    elif resource.kind == SELECTION:
        yield from _name_problem(facts.SELECTION_NAME, resource.props.get("name"), "selection name",
                                 "aws-backups:plans[].selections[].name")
    else:
        yield from _name_problem(facts.PLAN_NAME, resource.props.get("name"), "plan name",
                                 "aws-backups:namePrefix and aws-backups:plans[].name")
        for rule in rules(resource):
            yield from _name_problem(facts.RULE_NAME, rule.get("ruleName"), f"{rule_label(rule)}: rule name",
                                     f"{RULE_KEY}.name")


# -- S3 bucket names -------------------------------------------------------------------------------------------
def _named_buckets(resource: Resource) -> Iterator[tuple[str, str]]:
    """(what, bucket name) for every bucket the resource names by a known literal: a bucket's own name, the
    bucket a versioning, encryption or replication resource configures (ours, or adopted), and the destination
    buckets of replication rules (`arn:<partition>:s3:::<name>`)."""
    bucket = resource.props.get("bucket") if resource.props.known("bucket") else None
    if isinstance(bucket, str):
        yield ("bucket name" if resource.kind == BUCKET else "bucket"), bucket
    for rule in replication_rules(resource) or []:
        arn = Arn.parse(rule.destination_bucket)
        if arn and arn.service == "s3" and arn.resource:
            yield f"{rule.where}: destination bucket", arn.resource


def check_bucket_names(resource: Resource, _config: dict) -> Iterator[str]:
    for what, name in _named_buckets(resource):
        if problem := facts.bucket_name_problem(name):
            yield (f"{what} {name!r} {problem}. Rename it (stack config: aws-backups:replication[].source.bucketName "
                   f"/ destination.bucketName, or the namePrefix and replication[].name our names derive from).")
    named_by_prefix = resource.kind == BUCKET and resource.props.known("bucketPrefix")
    prefix = resource.props.get("bucketPrefix") if named_by_prefix else None
    if isinstance(prefix, str) and (problem := facts.bucket_prefix_problem(prefix)):
        yield (f"bucketPrefix {prefix!r} {problem}. Set a shorter, lowercase bucketPrefix (our components name "
               f"buckets from aws-backups:namePrefix and replication[].name instead).")


# -- vault lock ------------------------------------------------------------------------------------------------
def check_lock_bounds(lock: Resource, _config: dict) -> Iterator[str]:
    changeable = lock.props.days("changeableForDays")
    low, high = lock.props.days("minRetentionDays"), lock.props.days("maxRetentionDays")
    key = "aws-backups:vaults[].lock"
    if changeable is not None and (problem := facts.changeable_for_days_problem(changeable)):
        yield f"changeableForDays {days(changeable)} {problem}. Raise it (stack config: {key}.changeableForDays)."
    for name, value in (("minRetentionDays", low), ("maxRetentionDays", high)):
        if value is not None and (problem := facts.lock_retention_problem(value)):
            yield f"{name} {days(value)} {problem}. Set a value in that range (stack config: {key}.{name})."
    if low is not None and high is not None and (problem := facts.lock_range_problem(low, high)):
        yield (f"minRetentionDays {days(low)} {problem}. Make min at most max (stack config: {key}.minRetentionDays "
               f"/ maxRetentionDays).")


def check_retention_in_lock(stack: Stack, _config: dict) -> Iterator[Violation]:
    """A lock does not reject a plan that keeps recovery points outside [min, max]: the jobs fail later, quietly."""
    for plan in stack.of_kind(PLAN):
        for lifecycle in lifecycles(plan):
            target = lifecycle_target(stack, plan, lifecycle)
            lock = lock_of(stack, target) if target else None
            if lock is None:
                continue
            low, high = lock.props.days("minRetentionDays"), lock.props.days("maxRetentionDays")
            keep = None if lifecycle.kept_forever else lifecycle.delete_after
            too_short = low is not None and keep is not None and keep < low
            too_long = high is not None and (keep is None or keep > high)
            if too_short or too_long:
                shown = "forever" if keep is None else f"{days(keep)} days"
                yield Violation(
                    f"{lifecycle.where} keeps recovery points {shown}, outside the lock of vault "
                    f"'{vault_name(target)}' ({days(low)}..{days(high)} days); AWS accepts the plan and the "
                    f"backup/copy jobs then fail. Set lifecycle.deleteAfter inside the lock's range (stack config: "
                    f"aws-backups:{lifecycle.config_key}.deleteAfterDays, or the vault's lock.minRetentionDays / "
                    f"maxRetentionDays).",
                    plan.urn,
                )


# -- S3 replication --------------------------------------------------------------------------------------------
def check_replication_versioning(stack: Stack, _config: dict) -> Iterator[Violation]:
    for replication in replications(stack):
        rules_ = replication_rules(replication) or []
        source = bucket_of(stack, replication)
        sides = [("source", source)] + [
            (f"destination of {rule.where}", bucket_by_arn_or_name(stack, replication, rule.destination_bucket))
            for rule in rules_
        ]
        for side, bucket in sides:
            if bucket is None:
                continue  # a bucket outside this stack: its versioning cannot be seen here
            if not versioning_enabled(stack, bucket):
                yield Violation(
                    f"the {side} bucket '{bucket.name}' has no versioning with status Enabled; S3 rejects "
                    f"replication (\"Destination bucket must have versioning enabled\"). Add a BucketVersioning with "
                    f"versioningConfiguration.status Enabled for it (stack config: aws-backups:replication[]).",
                    replication.urn,
                )
            elif replication.kind == BUCKET_REPLICATION:
                missing = [v for v in versioning_resources(stack, bucket) if v.urn not in replication.dependencies]
                if missing:
                    yield Violation(
                        f"the replication config does not depend on the versioning of the {side} bucket "
                        f"'{bucket.name}'; Pulumi may create it first and S3 then rejects it. Add the resource "
                        f"option dependsOn: [{', '.join(v.name for v in missing)}] to the BucketReplicationConfig "
                        f"(our components do: stack config aws-backups:replication[] needs no change).",
                        replication.urn,
                    )


def check_replication_rule_fields(resource: Resource, _config: dict) -> Iterator[str]:
    found = replication_rules(resource)
    if not found:
        return
    if len(found) > facts.MAX_REPLICATION_RULES:
        yield (f"{len(found)} replication rules; S3 accepts at most {facts.MAX_REPLICATION_RULES}. Merge rules so "
               f"that rules has at most {facts.MAX_REPLICATION_RULES} items (stack config: {R}.rules).")
    priorities = [rule.priority for rule in found if rule.priority is not None]
    duplicates = sorted({int(p) for p in priorities if priorities.count(p) > 1})
    if duplicates:
        yield (f"replication rule priorities {duplicates} are used more than once; S3 requires unique priorities. "
               f"Give each rule its own priority (stack config: {R}.rules[].priority).")
    for rule in found:
        if rule.replica_modifications and not rule.has_filter:
            yield (f"{rule.where} sets sourceSelectionCriteria.replicaModifications without a filter; "
                   f"ReplicaModifications exists only in V2 rules, and S3 rejects it in a V1 rule. Add a filter "
                   f"(e.g. filter.prefix \"\") with status, priority and deleteMarkerReplication, or remove "
                   f"replicaModifications (stack config: {R}.rules[].prefix).")
        if not rule.has_filter:
            continue
        missing = [name for name, value in (("status", rule.status), ("priority", rule.priority),
                                            ("deleteMarkerReplication", rule.delete_marker_status)) if value is None]
        if missing:
            yield (f"{rule.where} has a filter (the V2 schema) but no {', '.join(missing)}; S3 rejects it. Set "
                   f"{', '.join(missing)} on the rule (stack config: {R}.rules[].priority / enabled / "
                   f"deleteMarkerReplication, which our components always set).")
        if rule.filters_on_tags and rule.delete_marker_status == ENABLED:
            yield (f"{rule.where} filters on tags and replicates delete markers; S3 requires delete-marker "
                   f"replication Disabled with a tag filter. Set deleteMarkerReplication.status Disabled or filter "
                   f"on a prefix (stack config: {R}.rules[].deleteMarkerReplication: false, or drop "
                   f"{R}.rules[].tags).")


def check_replication_rtc(resource: Resource, _config: dict) -> Iterator[str]:
    rtc_minutes = facts.RTC_MINUTES
    for rule in replication_rules(resource) or []:
        if rule.rtc_status != ENABLED:
            continue
        if rule.metrics_status != ENABLED:
            yield (f"{rule.where} enables Replication Time Control without metrics (metrics.status is "
                   f"{rule.metrics_status or 'unset'}); S3 requires metrics with RTC. Set destination.metrics.status "
                   f"Enabled with a {rtc_minutes}-minute event threshold (stack config: {R}.rules[].metrics: true, "
                   f"or {R}.rules[].replicationTimeControl: false).")
        for what, minutes in (("replicationTime", rule.rtc_minutes), ("metrics", rule.metrics_minutes)):
            if minutes is not None and minutes != rtc_minutes:
                yield (f"{rule.where}: destination.{what} minutes is {days(minutes)}; S3 accepts only {rtc_minutes}."
                       f" Set destination.{what} minutes to {rtc_minutes} (our components always do: stack config "
                       f"{R}.rules[].replicationTimeControl needs no minutes).")


def check_replication_kms(stack: Stack, _config: dict) -> Iterator[Violation]:
    for replication in replications(stack):
        for rule in replication_rules(replication) or []:
            for message in _kms_problems(stack, replication, rule):
                yield Violation(message, replication.urn)


def _kms_problems(stack: Stack, replication: Resource, rule: ReplicationRule) -> Iterator[str]:
    if rule.sse_kms_selected and not rule.replica_kms_key:
        yield (f"{rule.where} selects SSE-KMS encrypted objects but sets no replica KMS key; S3 rejects it. Set "
               f"destination.encryptionConfiguration.replicaKmsKeyId to a key in the destination region (stack "
               f"config: {R}.destination.replicaKmsKeyArn for another account; in this account our components "
               f"create the key).")
    if rule.replica_kms_key and not rule.sse_kms_selected:
        yield (f"{rule.where} sets a replica KMS key but does not select SSE-KMS encrypted objects, so they are "
               f"not replicated. Set sourceSelectionCriteria.sseKmsEncryptedObjects.status Enabled (our components "
               f"always do: stack config {R} needs no change).")
    # The replica key must be in the destination bucket's region: judged when both are known (a literal key ARN
    # and a destination bucket of this stack); a key created in the stack has an unknown ARN at preview.
    key = Arn.parse(rule.replica_kms_key_arn)
    destination = bucket_by_arn_or_name(stack, replication, rule.destination_bucket)
    region = stack.region_of(destination) if destination else None
    if key and key.region and region and key.region != region:
        yield (f"{rule.where}: the replica KMS key {rule.replica_kms_key_arn} is in {key.region}, but the "
               f"destination bucket '{destination.name}' is in {region}; S3 needs the replica key in the "
               f"destination region. Set destination.encryptionConfiguration.replicaKmsKeyId to a key in {region} "
               f"(stack config: {R}.destination.replicaKmsKeyArn).")


FACTS = "compliance/facts.py"
POLICIES = [
    PolicySpec(
        name="aws-backup-plan-check-cold-storage-gap",
        description=f"Backup lifecycles delete recovery points at least {facts.COLD_STORAGE_MINIMUM_DAYS} days after "
                    "they move to cold storage.",
        why=f"AWS rejects DeleteAfterDays < MoveToColdStorageAfterDays + {facts.COLD_STORAGE_MINIMUM_DAYS} at apply "
            f"time (API_Lifecycle; {FACTS}).",
        severity="high",
        remediation=f"Raise lifecycle.deleteAfter to coldStorageAfter + {facts.COLD_STORAGE_MINIMUM_DAYS} or more, or "
                    "lower coldStorageAfter, on the rule or copy action named in the message.",
        reads={PLAN: LIFECYCLE_READS},
        check=check_cold_storage_gap,
        aws_limit=True,
    ),
    PolicySpec(
        name="aws-backup-plan-check-lifecycle-bounds",
        description=f"Backup lifecycle values are {facts.MIN_LIFECYCLE_DAYS} to {facts.MAX_LIFECYCLE_DAYS:,} days, or "
                    f"{facts.KEEP_FOREVER} on both fields (keep forever).",
        why=f"AWS rejects other values at apply time (API_Lifecycle; {FACTS}).",
        severity="high",
        remediation=f"Set deleteAfter and coldStorageAfter between {facts.MIN_LIFECYCLE_DAYS} and "
                    f"{facts.MAX_LIFECYCLE_DAYS}, or both to {facts.KEEP_FOREVER}.",
        reads={PLAN: LIFECYCLE_READS},
        check=check_lifecycle_bounds,
        aws_limit=True,
    ),
    PolicySpec(
        name="aws-backup-plan-check-continuous-backup",
        description=f"Continuous-backup rules keep recovery points {facts.MIN_LIFECYCLE_DAYS} to "
                    f"{facts.CONTINUOUS_BACKUP_MAX_DAYS} days and use no cold storage.",
        why=f"Point-in-time recovery allows {facts.MIN_LIFECYCLE_DAYS}-{facts.CONTINUOUS_BACKUP_MAX_DAYS} days, needs "
            f"a lifecycle and rejects cold storage ({FACTS}).",
        severity="high",
        remediation=f"Give the continuous rule lifecycle.deleteAfter of {facts.CONTINUOUS_BACKUP_MAX_DAYS} or less and "
                    "no coldStorageAfter; keep long retention in a separate snapshot rule.",
        reads={PLAN: ("rules[].ruleName", "rules[].enableContinuousBackup", "rules[].lifecycle",
                      "rules[].lifecycle.deleteAfter", "rules[].lifecycle.coldStorageAfter")},
        check=check_continuous_backup,
        aws_limit=True,
    ),
    PolicySpec(
        name="aws-backup-plan-check-start-window",
        description=f"Backup rule start windows are at least {facts.MIN_START_WINDOW_MINUTES} minutes.",
        why=f"AWS rejects StartWindowMinutes below {facts.MIN_START_WINDOW_MINUTES} (BackupRuleInput; {FACTS}).",
        severity="medium",
        remediation=f"Set startWindow to {facts.MIN_START_WINDOW_MINUTES} minutes or more, or leave it unset.",
        reads={PLAN: ("rules[].ruleName", "rules[].startWindow")},
        check=check_start_window,
        aws_limit=True,
    ),
    PolicySpec(
        name="aws-backup-plan-check-schedule",
        description=f"Backup schedules are valid AWS cron expressions at least {facts.MIN_BACKUP_INTERVAL_MINUTES} "
                    "minutes apart.",
        why=f"AWS takes a six-field cron with one '?' day field and rejects backups under "
            f"{facts.MIN_BACKUP_INTERVAL_MINUTES} minutes apart ({FACTS}).",
        severity="high",
        remediation=f"Write the schedule as {facts.SCHEDULE_FORM}, running at most once every "
                    f"{facts.MIN_BACKUP_INTERVAL_MINUTES} minutes.",
        reads={PLAN: ("rules[].ruleName", "rules[].schedule")},
        check=check_schedule,
        aws_limit=True,
    ),
    PolicySpec(
        name="aws-backup-resource-check-names",
        description="Backup vault, plan, rule and selection names follow AWS's rule for each.",
        why="; ".join(f"{rule.what}s: {rule.allowed} ({rule.source})" for rule in
                      (facts.VAULT_NAME, facts.PLAN_NAME, facts.RULE_NAME, facts.SELECTION_NAME)) + f" ({FACTS}).",
        severity="medium",
        remediation="Rename the vault, plan, rule or selection named in the message by the rule the message quotes.",
        reads={PLAN: ("name", "rules[].ruleName"), VAULT: ("name",), SELECTION: ("name",)},
        check=check_names,
        aws_limit=True,
    ),
    PolicySpec(
        name="aws-backup-vaultlock-check-bounds",
        description=f"Vault locks have a cooling-off of at least {facts.MIN_CHANGEABLE_FOR_DAYS} days and retention "
                    "bounds AWS accepts.",
        why=f"ChangeableForDays >= {facts.MIN_CHANGEABLE_FOR_DAYS}, MinRetentionDays >= "
            f"{facts.MIN_LOCK_RETENTION_DAYS}, MaxRetentionDays <= {facts.MAX_LOCK_RETENTION_DAYS}, min <= max "
            f"(PutBackupVaultLockConfiguration; {FACTS}).",
        severity="critical",
        remediation=f"Set changeableForDays to {facts.MIN_CHANGEABLE_FOR_DAYS} or more (or leave it unset for "
                    f"governance mode) and {facts.MIN_LOCK_RETENTION_DAYS} <= minRetentionDays <= maxRetentionDays <= "
                    f"{facts.MAX_LOCK_RETENTION_DAYS}.",
        reads={VAULT_LOCK: ("changeableForDays", "minRetentionDays", "maxRetentionDays")},
        check=check_lock_bounds,
        aws_limit=True,
    ),
    PolicySpec(
        name="aws-backup-plan-check-retention-in-lock",
        description="Plan rules and copies keep recovery points inside the retention range of the target vault's "
                    "lock.",
        why="A lock does not reject such a plan: its backup and copy jobs fail later, quietly (AWS Backup developer "
            "guide, Vault Lock).",
        severity="critical",
        remediation="Set the rule's (or copy's) lifecycle.deleteAfter between the lock's minRetentionDays and "
                    "maxRetentionDays, or change the lock.",
        reads={
            PLAN: (*LIFECYCLE_READS, "rules[].targetVaultName", "region"),
            VAULT: ("name", "region"),
            VAULT_LOCK: ("backupVaultName", "minRetentionDays", "maxRetentionDays", "region"),
        },
        check=check_retention_in_lock,
        stack=True,
        aws_limit=True,
    ),
    PolicySpec(
        name="aws-s3-replication-check-versioning",
        description="S3 replication has versioning Enabled on source and destination buckets, and depends on it.",
        why="S3 rejects replication without versioning on both sides (PutBucketReplication).",
        severity="high",
        remediation="Add a BucketVersioning (status Enabled) for both buckets and make the replication config "
                    "dependOn both.",
        reads={
            **REPLICATION_RULE_READS,
            BUCKET: (*REPLICATION_RULE_READS[BUCKET], "bucket", "versioning", "versioning.enabled"),
            BUCKET_REPLICATION: (*REPLICATION_RULE_READS[BUCKET_REPLICATION], "bucket"),
            BUCKET_VERSIONING: ("bucket", "versioningConfiguration", "versioningConfiguration.status"),
        },
        check=check_replication_versioning,
        stack=True,
        aws_limit=True,
    ),
    PolicySpec(
        name="aws-s3-replication-check-rule-fields",
        description="S3 replication rules are complete: V2 fields with a filter, replicaModifications only with a "
                    "filter, tag filters without delete-marker replication, at most "
                    f"{facts.MAX_REPLICATION_RULES:,} rules with unique priorities.",
        why=f"PutBucketReplication rejects the rest ({FACTS}).",
        severity="high",
        remediation="With a filter set status, priority and deleteMarkerReplication; set replicaModifications only "
                    "with a filter; with a tag filter set deleteMarkerReplication Disabled; give every rule its own "
                    "priority.",
        reads=REPLICATION_RULE_READS,
        check=check_replication_rule_fields,
        aws_limit=True,
    ),
    PolicySpec(
        name="aws-s3-replication-check-rtc-metrics",
        description=f"S3 Replication Time Control comes with metrics, both at {facts.RTC_MINUTES} minutes.",
        why=f"RTC requires metrics enabled, and both use {facts.RTC_MINUTES} minutes ({FACTS}).",
        severity="medium",
        remediation=f"With replicationTime Enabled, set metrics.status Enabled and both thresholds to "
                    f"{facts.RTC_MINUTES} minutes.",
        reads=REPLICATION_RULE_READS,
        check=check_replication_rtc,
        aws_limit=True,
    ),
    PolicySpec(
        name="aws-s3-replication-check-kms-selection",
        description="S3 replication of SSE-KMS objects selects them and names a replica key in the destination "
                    "region.",
        why="SSE-KMS objects replicate only with SseKmsEncryptedObjects Enabled and a ReplicaKmsKeyID, a key in the "
            "destination region (PutBucketReplication).",
        severity="high",
        remediation="Set sourceSelectionCriteria.sseKmsEncryptedObjects.status Enabled and "
                    "destination.encryptionConfiguration.replicaKmsKeyId (a key in the destination bucket's region) "
                    "together.",
        reads={**REPLICATION_RULE_READS, BUCKET: (*REPLICATION_RULE_READS[BUCKET], "bucket", "region"),
               BUCKET_REPLICATION: (*REPLICATION_RULE_READS[BUCKET_REPLICATION], "bucket", "region")},
        check=check_replication_kms,
        stack=True,
        aws_limit=True,
    ),
    PolicySpec(
        name="aws-s3-bucket-check-name",
        description="S3 bucket names follow S3's general purpose bucket naming rules in full.",
        why=f"S3 refuses the rest at create time, and a bucket named so cannot exist for a resource to configure "
            f"(S3 User Guide, general purpose bucket naming rules: length, characters, first and last character, "
            f"'..', IP-address form, reserved prefixes {', '.join(facts.BUCKET_RESERVED_PREFIXES)} and suffixes "
            f"{', '.join(facts.BUCKET_RESERVED_SUFFIXES)}; {FACTS}).",
        severity="high",
        remediation="Rename the bucket by the rule the message quotes.",
        reads={
            BUCKET: ("bucket", "bucketPrefix", *REPLICATION_RULE_READS[BUCKET]),
            BUCKET_VERSIONING: ("bucket",),
            BUCKET_ENCRYPTION: ("bucket",),
            BUCKET_REPLICATION: ("bucket", *REPLICATION_RULE_READS[BUCKET_REPLICATION]),
        },
        check=check_bucket_names,
        aws_limit=True,
    ),
]
