"""AWS limits that pass `pulumi preview` and fail half-way through `pulumi up` (aws-limits.md).

Mandatory in every profile and not relaxable: no knobs, own level mandatory, and a meta test asserts that no
profile lowers them. Item 8 (cold storage and archive only for some resource types) needs the feature table and
lives in `resource_types.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

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
from compliance.plans import FOREVER, LIFECYCLE_READS, lifecycles, rule_label, rules
from compliance.resources import (
    BUCKET,
    BUCKET_REPLICATION,
    BUCKET_VERSIONING,
    PLAN,
    VAULT,
    VAULT_LOCK,
    Arn,
    Resource,
    Stack,
)
from compliance.schedule import ScheduleError, cadence
from compliance.spec import PolicySpec, Violation, days
from compliance.vaults import lifecycle_target, lock_of, vault_name

COLD_TO_DELETE_DAYS = 90
MAX_LIFECYCLE_DAYS = 36_500
CONTINUOUS_MAX_DAYS = 35
MIN_START_WINDOW_MINUTES = 60
MIN_INTERVAL_MINUTES = 60
MIN_CHANGEABLE_FOR_DAYS = 3
MAX_REPLICATION_RULES = 1_000
RTC_MINUTES = 15
R = "aws-backups:replication[]"  # the stack-config list S3 replication comes from
RULE_NAME = re.compile(r"^[a-zA-Z0-9\-\_\.]{1,50}$")
VAULT_NAME = re.compile(r"^[a-zA-Z0-9\-\_]{2,50}$")

# -- plans -----------------------------------------------------------------------------------------------------
def check_cold_storage_gap(plan: Resource, _config: dict) -> Iterator[str]:
    for lifecycle in lifecycles(plan):
        cold, delete = lifecycle.cold_storage_after, lifecycle.delete_after
        if lifecycle.inherited or cold is None or cold == FOREVER or delete is None or delete == FOREVER:
            continue
        if delete < cold + COLD_TO_DELETE_DAYS:
            yield (f"{lifecycle.where}: lifecycle.deleteAfter is {days(delete)} days with coldStorageAfter "
                   f"{days(cold)}; AWS rejects a deletion less than 90 days after the move to cold storage. Set "
                   f"deleteAfter to at least {days(cold + COLD_TO_DELETE_DAYS)} or lower coldStorageAfter (stack "
                   f"config: aws-backups:{lifecycle.config_key}.deleteAfterDays / coldStorageAfterDays).")


def check_lifecycle_bounds(plan: Resource, _config: dict) -> Iterator[str]:
    for lifecycle in lifecycles(plan):
        if lifecycle.inherited:
            continue
        values = {"deleteAfter": lifecycle.delete_after, "coldStorageAfter": lifecycle.cold_storage_after}
        forever = [key for key, value in values.items() if value == FOREVER]
        if forever and len(forever) != 2:
            yield (f"{lifecycle.where}: lifecycle.{forever[0]} is -1 (keep forever) but the other value is not; "
                   f"AWS accepts -1 only on both deleteAfter and coldStorageAfter. Set both to -1 or give both a "
                   f"number of days (stack config: aws-backups:{lifecycle.config_key}.deleteAfterDays).")
        for key, value in values.items():
            if value is not None and value != FOREVER and not 1 <= value <= MAX_LIFECYCLE_DAYS:
                yield (f"{lifecycle.where}: lifecycle.{key} is {days(value)}; AWS accepts 1 to {MAX_LIFECYCLE_DAYS}"
                       f" days. Set a value in that range (stack config: aws-backups:{lifecycle.config_key}."
                       f"{'deleteAfterDays' if key == 'deleteAfter' else 'coldStorageAfterDays'}).")


def check_continuous_backup(plan: Resource, _config: dict) -> Iterator[str]:
    for lifecycle in lifecycles(plan, copies=False):
        if not lifecycle.rule.flag("enableContinuousBackup"):
            continue
        delete, cold = lifecycle.delete_after, lifecycle.cold_storage_after
        if delete is None:
            yield (f"{lifecycle.where}: continuous backup (point-in-time recovery) needs a lifecycle with "
                   f"deleteAfter of 1 to {CONTINUOUS_MAX_DAYS} days and has none. Set lifecycle.deleteAfter (stack "
                   f"config: aws-backups:plans[].rules[].deleteAfterDays).")
        elif not 1 <= delete <= CONTINUOUS_MAX_DAYS:
            yield (f"{lifecycle.where}: continuous backup keeps recovery points 1 to {CONTINUOUS_MAX_DAYS} days; "
                   f"lifecycle.deleteAfter is {days(delete)}. Set deleteAfter to {CONTINUOUS_MAX_DAYS} or less, and "
                   f"keep longer retention in a separate snapshot rule (stack config: "
                   f"aws-backups:plans[].rules[].deleteAfterDays).")
        if cold is not None:
            yield (f"{lifecycle.where}: continuous backup rejects cold storage; lifecycle.coldStorageAfter is "
                   f"{days(cold)}. Remove coldStorageAfter from this rule (stack config: "
                   f"aws-backups:plans[].rules[].coldStorageAfterDays).")


def check_start_window(plan: Resource, _config: dict) -> Iterator[str]:
    for rule in rules(plan):
        window = rule.number("startWindow")
        if window is not None and window < MIN_START_WINDOW_MINUTES:
            yield (f"{rule_label(rule)}: startWindow is {days(window)} minutes; AWS requires at least "
                   f"{MIN_START_WINDOW_MINUTES}. Set startWindow to {MIN_START_WINDOW_MINUTES} or more, or leave it "
                   f"unset (stack config: aws-backups:plans[].rules[].startWindowMinutes).")


def check_schedule(plan: Resource, _config: dict) -> Iterator[str]:
    for rule in rules(plan):
        schedule = rule.get("schedule")
        if schedule is None:
            continue
        if not isinstance(schedule, str):
            yield (f"{rule_label(rule)}: schedule is {schedule!r}, not a cron(...) expression. Set schedule to a "
                   f"cron(minute hour day-of-month month day-of-week year) string, e.g. cron(0 5 ? * * *) (stack "
                   f"config: aws-backups:plans[].rules[].schedule).")
            continue
        try:
            runs = cadence(schedule)
        except ScheduleError as error:
            yield (f"{rule_label(rule)}: schedule {error} Use AWS Backup's cron(minute hour day-of-month month "
                   f"day-of-week year) with one of the day fields '?', e.g. cron(0 5 ? * * *) (stack config: "
                   f"aws-backups:plans[].rules[].schedule).")
            continue
        if runs is not None and runs.shortest is not None and runs.shortest.total_seconds() < MIN_INTERVAL_MINUTES * 60:
            yield (f"{rule_label(rule)}: schedule {schedule} runs {int(runs.shortest.total_seconds() // 60)} minutes "
                   f"apart; AWS rejects backups less than {MIN_INTERVAL_MINUTES} minutes apart. Use an interval of "
                   f"an hour or more (stack config: aws-backups:plans[].rules[].schedule).")


def check_names(resource: Resource, _config: dict) -> Iterator[str]:
    if resource.kind == VAULT:
        name = resource.props.get("name")
        if isinstance(name, str) and not VAULT_NAME.match(name):
            yield (f"vault name {name!r} does not match ^[a-zA-Z0-9\\-\\_]{{2,50}}$ (2-50 letters, digits, - or _). "
                   f"Rename it (stack config: aws-backups:vaults[].name).")
        return
    for rule in rules(resource):
        name = rule.get("ruleName")
        if isinstance(name, str) and not RULE_NAME.match(name):
            yield (f"rule name {name!r} does not match ^[a-zA-Z0-9\\-\\_\\.]{{1,50}}$ (1-50 letters, digits, - _ or"
                   f" .). Rename it (stack config: aws-backups:plans[].rules[].name).")


# -- vault lock ------------------------------------------------------------------------------------------------
def check_lock_bounds(lock: Resource, _config: dict) -> Iterator[str]:
    changeable = lock.props.days("changeableForDays")
    low, high = lock.props.days("minRetentionDays"), lock.props.days("maxRetentionDays")
    if changeable is not None and changeable < MIN_CHANGEABLE_FOR_DAYS:
        yield (f"changeableForDays is {days(changeable)}; AWS requires at least {MIN_CHANGEABLE_FOR_DAYS} (the 72-hour "
               f"cooling-off before a compliance-mode lock becomes permanent). Set it to 3 or more (stack config: "
               f"aws-backups:vaults[].lock.changeableForDays).")
    if low is not None and low < 1:
        yield (f"minRetentionDays is {days(low)}; AWS requires at least 1. Set it to 1 or more (stack config: "
               f"aws-backups:vaults[].lock.minRetentionDays).")
    if high is not None and high > MAX_LIFECYCLE_DAYS:
        yield (f"maxRetentionDays is {days(high)}; AWS allows at most {MAX_LIFECYCLE_DAYS}. Lower it (stack config: "
               f"aws-backups:vaults[].lock.maxRetentionDays).")
    if low is not None and high is not None and low > high:
        yield (f"minRetentionDays {days(low)} is above maxRetentionDays {days(high)}. Make min at most max (stack "
               f"config: aws-backups:vaults[].lock.minRetentionDays / maxRetentionDays).")


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
    if len(found) > MAX_REPLICATION_RULES:
        yield (f"{len(found)} replication rules; S3 accepts at most {MAX_REPLICATION_RULES}. Merge rules so that "
               f"rules has at most {MAX_REPLICATION_RULES} items (stack config: {R}.rules).")
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
    for rule in replication_rules(resource) or []:
        if rule.rtc_status != ENABLED:
            continue
        if rule.metrics_status != ENABLED:
            yield (f"{rule.where} enables Replication Time Control without metrics (metrics.status is "
                   f"{rule.metrics_status or 'unset'}); S3 requires metrics with RTC. Set destination.metrics.status "
                   f"Enabled with a {RTC_MINUTES}-minute event threshold (stack config: {R}.rules[].metrics: true, "
                   f"or {R}.rules[].replicationTimeControl: false).")
        for what, minutes in (("replicationTime", rule.rtc_minutes), ("metrics", rule.metrics_minutes)):
            if minutes is not None and minutes != RTC_MINUTES:
                yield (f"{rule.where}: destination.{what} minutes is {days(minutes)}; S3 accepts only {RTC_MINUTES}."
                       f" Set destination.{what} minutes to {RTC_MINUTES} (our components always do: stack config "
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


AWS_LIMITS = "aws-limits.md"
POLICIES = [
    PolicySpec(
        name="aws-backup-plan-check-cold-storage-gap",
        description="Backup lifecycles delete recovery points at least 90 days after they move to cold storage.",
        why="AWS rejects DeleteAfterDays < MoveToColdStorageAfterDays + 90 at apply time (API_Lifecycle; "
            f"{AWS_LIMITS} #1).",
        severity="high",
        remediation="Raise lifecycle.deleteAfter to coldStorageAfter + 90 or more, or lower coldStorageAfter, on the "
                    "rule or copy action named in the message.",
        reads={PLAN: LIFECYCLE_READS},
        check=check_cold_storage_gap,
        aws_limit=True,
    ),
    PolicySpec(
        name="aws-backup-plan-check-lifecycle-bounds",
        description="Backup lifecycle values are 1 to 36,500 days, or -1 on both fields (keep forever).",
        why=f"AWS rejects other values at apply time (API_Lifecycle; {AWS_LIMITS} #2).",
        severity="high",
        remediation="Set deleteAfter and coldStorageAfter between 1 and 36500, or both to -1.",
        reads={PLAN: LIFECYCLE_READS},
        check=check_lifecycle_bounds,
        aws_limit=True,
    ),
    PolicySpec(
        name="aws-backup-plan-check-continuous-backup",
        description="Continuous-backup rules keep recovery points 1 to 35 days and use no cold storage.",
        why=f"Point-in-time recovery allows 1-35 days, needs a lifecycle and rejects cold storage ({AWS_LIMITS} #3).",
        severity="high",
        remediation="Give the continuous rule lifecycle.deleteAfter of 35 or less and no coldStorageAfter; keep "
                    "long retention in a separate snapshot rule.",
        reads={PLAN: ("rules[].ruleName", "rules[].enableContinuousBackup", "rules[].lifecycle",
                      "rules[].lifecycle.deleteAfter", "rules[].lifecycle.coldStorageAfter")},
        check=check_continuous_backup,
        aws_limit=True,
    ),
    PolicySpec(
        name="aws-backup-plan-check-start-window",
        description="Backup rule start windows are at least 60 minutes.",
        why=f"AWS rejects StartWindowMinutes below 60 (BackupRuleInput; {AWS_LIMITS} #4).",
        severity="medium",
        remediation="Set startWindow to 60 minutes or more, or leave it unset.",
        reads={PLAN: ("rules[].ruleName", "rules[].startWindow")},
        check=check_start_window,
        aws_limit=True,
    ),
    PolicySpec(
        name="aws-backup-plan-check-schedule",
        description="Backup schedules are valid AWS cron expressions at least 60 minutes apart.",
        why=f"AWS takes a six-field cron with one '?' day field and rejects backups under 60 minutes apart "
            f"({AWS_LIMITS} #6).",
        severity="high",
        remediation="Write the schedule as cron(minute hour day-of-month month day-of-week year), e.g. "
                    "cron(0 5 ? * * *), running at most once an hour.",
        reads={PLAN: ("rules[].ruleName", "rules[].schedule")},
        check=check_schedule,
        aws_limit=True,
    ),
    PolicySpec(
        name="aws-backup-resource-check-names",
        description="Backup rule and vault names match AWS's patterns.",
        why=f"Rule names ^[a-zA-Z0-9-_.]{{1,50}}$, vault names ^[a-zA-Z0-9-_]{{2,50}}$ ({AWS_LIMITS} #7).",
        severity="medium",
        remediation="Rename the rule or vault: letters, digits, '-', '_' (and '.' for rules), up to 50 characters.",
        reads={PLAN: ("rules[].ruleName",), VAULT: ("name",)},
        check=check_names,
        aws_limit=True,
    ),
    PolicySpec(
        name="aws-backup-vaultlock-check-bounds",
        description="Vault locks have a cooling-off of at least 3 days and retention bounds AWS accepts.",
        why=f"ChangeableForDays >= 3, MinRetentionDays >= 1, MaxRetentionDays <= 36500, min <= max "
            f"(PutBackupVaultLockConfiguration; {AWS_LIMITS} #9, #10).",
        severity="critical",
        remediation="Set changeableForDays to 3 or more (or leave it unset for governance mode) and "
                    "1 <= minRetentionDays <= maxRetentionDays <= 36500.",
        reads={VAULT_LOCK: ("changeableForDays", "minRetentionDays", "maxRetentionDays")},
        check=check_lock_bounds,
        aws_limit=True,
    ),
    PolicySpec(
        name="aws-backup-plan-check-retention-in-lock",
        description="Plan rules and copies keep recovery points inside the retention range of the target vault's "
                    "lock.",
        why=f"A lock does not reject such a plan: its backup and copy jobs fail later, quietly ({AWS_LIMITS} #11).",
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
        why=f"S3 rejects replication without versioning on both sides ({AWS_LIMITS} #12).",
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
                    "filter, tag filters without delete-marker replication, at most 1,000 rules with unique "
                    "priorities.",
        why=f"PutBucketReplication rejects the rest ({AWS_LIMITS} #13, #16).",
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
        description="S3 Replication Time Control comes with metrics, both at 15 minutes.",
        why=f"RTC requires metrics enabled, and both use 15 minutes ({AWS_LIMITS} #14).",
        severity="medium",
        remediation="With replicationTime Enabled, set metrics.status Enabled and both thresholds to 15 minutes.",
        reads=REPLICATION_RULE_READS,
        check=check_replication_rtc,
        aws_limit=True,
    ),
    PolicySpec(
        name="aws-s3-replication-check-kms-selection",
        description="S3 replication of SSE-KMS objects selects them and names a replica key in the destination "
                    "region.",
        why=f"SSE-KMS objects replicate only with SseKmsEncryptedObjects Enabled and a ReplicaKmsKeyID, a key in the "
            f"destination region ({AWS_LIMITS} #15).",
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
]
