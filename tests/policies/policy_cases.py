"""PASS / FAIL / SKIP tables, one per policy: each case changes one thing in the compliant stack.

SKIP means the policy has nothing to judge in that stack (e.g. no cold storage for the cold-storage rule): it
must then report nothing. The unit tests run every case on the pure check function; the protocol tests send a
sample of them through the pack process.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from compliance.resources import (
    BUCKET,
    BUCKET_OBJECT_LOCK_V6,
    BUCKET_V6,
    BUCKET_VERSIONING_V6,
    FRAMEWORK,
    ORG_ACCOUNT,
    ORG_ATTACHMENT,
    ORG_POLICY,
    ORG_UNIT,
    RESTORE_TESTING_PLAN,
    RESTORE_TESTING_SELECTION,
    STACK_SET,
)
from policy_stack import (
    ACCOUNT,
    DENY_POLICY,
    DR_REGION,
    OTHER_ACCOUNT,
    PREFIX,
    REGION,
    REMOVE,
    TLS_ONLY_POLICY,
    UNKNOWN,
    Item,
    compliant,
    mutate,
    vault_arn,
    without,
)

Change = Callable[[dict[str, Item]], dict[str, Item]]


@dataclass(frozen=True)
class Case:
    id: str
    expected: str  # pass | fail | skip
    change: Change = lambda items: items
    config: dict[str, Any] = field(default_factory=dict)


def set_(name: str, path: str, value: Any) -> Change:
    return lambda items: mutate(items, name, path, value)


def drop(*names: str) -> Change:
    return lambda items: without(items, *names)


def chain(*changes: Change) -> Change:
    def run(items: dict[str, Item]) -> dict[str, Item]:
        for change in changes:
            items = change(items)
        return items
    return run


def edit(name: str, **attributes: Any) -> Change:
    """Change an item's deps / depends_on / type."""
    def run(items: dict[str, Item]) -> dict[str, Item]:
        items = without(items)
        for key, value in attributes.items():
            setattr(items[name], key, value)
        return items
    return run


def add(name: str, item: Item) -> Change:
    def run(items: dict[str, Item]) -> dict[str, Item]:
        return {**without(items), name: item}
    return run


def deny_policy(**fields: Any) -> str:
    """The compliant deny-delete vault policy with statement fields replaced (REMOVE drops one)."""
    statement = {**json.loads(DENY_POLICY)["Statement"][0], **fields}
    return json.dumps({"Statement": [{k: v for k, v in statement.items() if v is not REMOVE}]})


KEY_IN_REGION = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_IN_DR_REGION = f"arn:aws:kms:{DR_REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
RULE = "rules[0]"
COPY = "rules[0].copyActions[0]"
PITR = "rules[1]"
REPL = "rules[0]"
LEGACY_BUCKET = Item(BUCKET, {
    "bucket": "legacy", "region": REGION, "tags": {"backup:critical": "true"}, "versioning": {"enabled": True},
    "replicationConfiguration": {"role": UNKNOWN, "rules": [{
        "id": "all", "status": "Enabled", "priority": 1, "filter": {"tags": {"team": "a"}},
        "deleteMarkerReplicationStatus": "Disabled",
        "destination": {"bucket": f"arn:aws:s3:::{PREFIX}-replica", "replicaKmsKeyId": UNKNOWN,
                        "replicationTime": {"status": "Enabled", "minutes": 15},
                        "metrics": {"status": "Enabled", "minutes": 15}},
        "sourceSelectionCriteria": {"sseKmsEncryptedObjects": {"enabled": True}},
    }]},
}, protect=True)
COMPLIANT = Case("compliant stack", "pass")
# The plan's `rules` came from both vaults: the copy destination by `dr_vault.arn` (first: after `pulumi up` the
# unknown ARN is read as the first dependency's, policy_stack._known_after_up), the target by name.
COPY_TO_DR_BY_ARN = {"rules": ["dr-vault", "main-vault"]}

CASES: dict[str, list[Case]] = {
    "aws-backup-plan-check-cold-storage-gap": [
        COMPLIANT,
        Case("rule deletes 70 days after cold", "fail", set_("plan", f"{RULE}.lifecycle.deleteAfter", 800)),
        Case("copy deletes 70 days after cold", "fail", set_("plan", f"{COPY}.lifecycle.deleteAfter", 800)),
        Case("exactly 90 days after cold", "pass", chain(set_("plan", f"{RULE}.lifecycle.deleteAfter", 820),
                                                         set_("plan", f"{COPY}.lifecycle.deleteAfter", 820))),
        Case("floats as the engine sends them", "fail", set_("plan", f"{RULE}.lifecycle.deleteAfter", 819.0)),
        Case("no cold storage", "skip", chain(set_("plan", f"{RULE}.lifecycle.coldStorageAfter", REMOVE),
                                              set_("plan", f"{COPY}.lifecycle.coldStorageAfter", REMOVE))),
    ],
    "aws-backup-plan-check-lifecycle-bounds": [
        COMPLIANT,
        Case("deleteAfter above 36500", "fail", set_("plan", f"{RULE}.lifecycle.deleteAfter", 36501)),
        Case("deleteAfter -2", "fail", set_("plan", f"{PITR}.lifecycle.deleteAfter", -2)),
        # The provider sends no zero day count to AWS (expandLifecycle skips 0): 0 is unset, kept forever.
        Case("deleteAfter 0 is unset", "pass", set_("plan", f"{RULE}.lifecycle.deleteAfter", 0)),
        Case("-1 on one field only", "fail", set_("plan", f"{RULE}.lifecycle.deleteAfter", -1)),
        Case("-1 on both (keep forever)", "pass", chain(set_("plan", f"{RULE}.lifecycle.deleteAfter", -1),
                                                        set_("plan", f"{RULE}.lifecycle.coldStorageAfter", -1))),
        Case("no lifecycle at all", "skip", chain(set_("plan", f"{RULE}.lifecycle", REMOVE),
                                                  set_("plan", f"{COPY}.lifecycle", REMOVE),
                                                  set_("plan", f"{PITR}.lifecycle", REMOVE))),
    ],
    "aws-backup-plan-check-continuous-backup": [
        COMPLIANT,
        Case("36 days", "fail", set_("plan", f"{PITR}.lifecycle.deleteAfter", 36)),
        Case("cold storage", "fail", set_("plan", f"{PITR}.lifecycle.coldStorageAfter", 10)),
        Case("no lifecycle", "fail", set_("plan", f"{PITR}.lifecycle", REMOVE)),
        Case("1 day", "pass", set_("plan", f"{PITR}.lifecycle.deleteAfter", 1)),
        Case("no continuous rule", "skip", set_("plan", f"{PITR}.enableContinuousBackup", False)),
    ],
    "aws-backup-plan-check-start-window": [
        COMPLIANT,
        Case("59 minutes", "fail", set_("plan", f"{RULE}.startWindow", 59)),
        Case("unset", "skip", set_("plan", f"{RULE}.startWindow", REMOVE)),
    ],
    "aws-backup-plan-check-schedule": [
        COMPLIANT,
        Case("both day fields set", "fail", set_("plan", f"{RULE}.schedule", "cron(0 5 * * * *)")),
        Case("rate expression", "fail", set_("plan", f"{RULE}.schedule", "rate(1 day)")),
        Case("schedule not a string", "fail", set_("plan", f"{RULE}.schedule", 5)),
        Case("five fields", "fail", set_("plan", f"{RULE}.schedule", "cron(0 5 * * ?)")),
        Case("every 30 minutes", "fail", set_("plan", f"{RULE}.schedule", "cron(0,30 * ? * * *)")),
        Case("last Friday of the month", "pass", set_("plan", f"{RULE}.schedule", "cron(0 5 ? * 6L *)")),
        Case("23:30 and 00:30: an hour apart across midnight", "pass",
             set_("plan", f"{RULE}.schedule", "cron(30 23,0 ? * * *)")),
        Case("23:30 and 00:15: 45 minutes apart across midnight", "fail",
             set_("plan", f"{RULE}.schedule", "cron(30,15 23,0 ? * * *)")),
        Case("no schedule", "skip", chain(set_("plan", f"{RULE}.schedule", REMOVE),
                                          set_("plan", f"{PITR}.schedule", REMOVE))),
    ],
    "aws-backup-resource-check-names": [
        COMPLIANT,
        Case("rule name with a space", "fail", set_("plan", f"{RULE}.ruleName", "daily backup")),
        Case("rule name of 51 characters", "fail", set_("plan", f"{RULE}.ruleName", "r" * 51)),
        Case("rule name with . _ -", "pass", set_("plan", f"{RULE}.ruleName", "a.b_c-1")),
        Case("vault name of 1 character", "fail", set_("main-vault", "name", "x")),
        Case("vault name with a dot", "fail", set_("main-vault", "name", "main.vault")),
        Case("plan name with a dot: the plan rule allows it", "pass", set_("plan", "name", "prod.daily")),
        Case("plan name of 51 characters", "fail", set_("plan", "name", "p" * 51)),
        Case("plan name with a space", "fail", set_("plan", "name", "daily plan")),
        Case("selection name with a slash", "fail", set_("selection", "name", "tagged/ebs")),
        Case("selection name of 50 characters", "pass", set_("selection", "name", "s" * 50)),
    ],
    "aws-s3-bucket-check-name": [
        COMPLIANT,
        Case("name with capitals", "fail", set_("data-bucket", "bucket", "Aws-Backups-Data")),
        Case("name of 64 characters", "fail", set_("data-bucket", "bucket", "b" * 64)),
        Case("name of 63 characters", "pass", set_("data-bucket", "bucket", "b" * 63)),
        Case("name of 2 characters", "fail", set_("data-bucket", "bucket", "ab")),
        Case("name ending with a hyphen", "fail", set_("data-bucket", "bucket", "data-")),
        Case("adjacent periods", "fail", set_("data-bucket", "bucket", "data..bucket")),
        Case("IP-address form", "fail", set_("data-bucket", "bucket", "192.168.5.4")),
        Case("reserved prefix xn--", "fail", set_("data-bucket", "bucket", "xn--data")),
        Case("reserved prefix sthree-", "fail", set_("data-bucket", "bucket", "sthree-data")),
        Case("reserved prefix amzn-s3-demo-", "fail", set_("data-bucket", "bucket", "amzn-s3-demo-data")),
        Case("reserved suffix -s3alias", "fail", set_("data-bucket", "bucket", "data-s3alias")),
        Case("reserved suffix --ol-s3", "fail", set_("data-bucket", "bucket", "data--ol-s3")),
        Case("reserved suffix .mrap", "fail", set_("data-bucket", "bucket", "data.mrap")),
        Case("reserved suffix --x-s3", "fail", set_("data-bucket", "bucket", "data--x-s3")),
        Case("reserved suffix --table-s3", "fail", set_("data-bucket", "bucket", "data--table-s3")),
        Case("single periods are valid (an advisory says more)", "pass", set_("data-bucket", "bucket", "data.bucket")),
        Case("bucketPrefix with capitals", "fail",
             chain(set_("data-bucket", "bucket", REMOVE), set_("data-bucket", "bucketPrefix", "Data-"))),
        Case("bucketPrefix too long for the provider's suffix", "fail",
             chain(set_("data-bucket", "bucket", REMOVE), set_("data-bucket", "bucketPrefix", "d" * 38))),
        Case("bucketPrefix of 37 characters", "pass",
             chain(set_("data-bucket", "bucket", REMOVE), set_("data-bucket", "bucketPrefix", "d" * 37))),
        Case("versioning of a bucket named so S3 refuses it (adopted)", "fail",
             set_("data-versioning", "bucket", "Legacy_Bucket")),
        Case("replication to a destination bucket named so S3 refuses it", "fail",
             set_("replication", "rules[0].destination.bucket", "arn:aws:s3:::replica..bucket")),
        Case("bucket name unknown at preview", "skip", set_("data-bucket", "bucket", UNKNOWN)),
    ],
    "aws-s3-bucket-check-name-without-periods": [
        COMPLIANT,
        Case("a period", "fail", set_("data-bucket", "bucket", "data.example.com")),
        Case("a refused name is the naming policy's", "skip", set_("data-bucket", "bucket", "Data.Bucket")),
    ],
    "aws-backup-vaultlock-check-bounds": [
        COMPLIANT,
        Case("changeableForDays 2", "fail", set_("main-lock", "changeableForDays", 2)),
        Case("minRetentionDays -1", "fail", set_("main-lock", "minRetentionDays", -1)),
        Case("minRetentionDays 0 is unset", "pass", set_("main-lock", "minRetentionDays", 0)),
        Case("maxRetentionDays 36501", "fail", set_("main-lock", "maxRetentionDays", 36501)),
        Case("min above max", "fail", set_("main-lock", "minRetentionDays", 4000)),
        Case("governance mode (no changeableForDays)", "pass", set_("main-lock", "changeableForDays", REMOVE)),
        Case("no locks", "skip", drop("main-lock", "dr-lock")),
    ],
    "aws-backup-plan-check-retention-in-lock": [
        COMPLIANT,
        Case("rule keeps longer than the lock's max", "fail", set_("main-lock", "maxRetentionDays", 2000)),
        Case("copy keeps shorter than the DR lock's min", "fail", set_("dr-lock", "minRetentionDays", 3000)),
        Case("copy ARN unknown, resolved to the DR vault and its lock", "fail", chain(
            set_("plan", f"{COPY}.destinationVaultArn", UNKNOWN), edit("plan", deps=COPY_TO_DR_BY_ARN),
            set_("dr-lock", "minRetentionDays", 3000))),
        Case("rule keeps forever under a max", "fail", chain(set_("plan", f"{RULE}.lifecycle", REMOVE),
                                                             set_("plan", f"{COPY}.lifecycle", REMOVE))),
        Case("lock linked by name only", "fail", chain(edit("main-lock", deps={}),
                                                       set_("main-lock", "maxRetentionDays", 2000))),
        Case("target vault name unknown, linked by dependency", "fail", chain(
            set_("plan", f"{RULE}.targetVaultName", UNKNOWN), set_("plan", f"{PITR}.targetVaultName", UNKNOWN),
            set_("main-lock", "maxRetentionDays", 2000))),
        Case("no locks", "skip", drop("main-lock", "dr-lock")),
    ],
    "aws-s3-replication-check-versioning": [
        COMPLIANT,
        Case("destination versioning suspended", "fail",
             set_("replica-versioning", "versioningConfiguration.status", "Suspended")),
        Case("no source versioning", "fail", drop("data-versioning")),
        Case("replication does not depend on versioning", "fail", edit("replication", depends_on=[])),
        Case("v6 BucketVersioningV2 token", "pass", edit("data-versioning", type=BUCKET_VERSIONING_V6)),
        Case("legacy inline bucket with versioning", "pass", add("legacy", LEGACY_BUCKET)),
        Case("legacy inline bucket without versioning", "fail",
             chain(add("legacy", LEGACY_BUCKET), set_("legacy", "versioning.enabled", False))),
        # A bucket's inline versioning block read back as S3 created it does not override its BucketVersioning.
        Case("inline versioning off, Enabled by the separate resource", "pass",
             set_("replica-bucket", "versioning", {"enabled": False, "mfaDelete": False})),
        Case("inline versioning on, Suspended by the separate resource", "fail", chain(
            set_("replica-bucket", "versioning", {"enabled": True, "mfaDelete": False}),
            set_("replica-versioning", "versioningConfiguration.status", "Suspended"))),
        Case("no replication", "skip", drop("replication")),
    ],
    "aws-s3-replication-check-rule-fields": [
        COMPLIANT,
        Case("filter without priority", "fail", set_("replication", f"{REPL}.priority", REMOVE)),
        Case("filter without deleteMarkerReplication", "fail",
             set_("replication", f"{REPL}.deleteMarkerReplication", REMOVE)),
        Case("tag filter with delete markers", "fail", chain(
            set_("replication", f"{REPL}.filter", {"tag": {"key": "team", "value": "a"}}),
            set_("replication", f"{REPL}.deleteMarkerReplication.status", "Enabled"))),
        Case("duplicate priorities", "fail", lambda items: mutate(
            items, "replication", "rules[1]", {**items["replication"].props["rules"][0], "id": "second"})),
        Case("replicaModifications in a V1 rule (no filter)", "fail", chain(
            set_("replication", f"{REPL}.filter", REMOVE),
            set_("replication", f"{REPL}.sourceSelectionCriteria.replicaModifications", {"status": "Enabled"}))),
        Case("replicaModifications in a V2 rule", "pass",
             set_("replication", f"{REPL}.sourceSelectionCriteria.replicaModifications", {"status": "Enabled"})),
        Case("V1 rule (no filter) without priority", "pass", chain(
            set_("replication", f"{REPL}.filter", REMOVE), set_("replication", f"{REPL}.priority", REMOVE))),
        Case("legacy inline: tag filter with delete markers", "fail", chain(
            add("legacy", LEGACY_BUCKET),
            set_("legacy", "replicationConfiguration.rules[0].deleteMarkerReplicationStatus", "Enabled"))),
        Case("no replication", "skip", drop("replication")),
    ],
    "aws-s3-replication-check-rtc-metrics": [
        COMPLIANT,
        Case("RTC without metrics", "fail", set_("replication", f"{REPL}.destination.metrics.status", "Disabled")),
        Case("RTC of 30 minutes", "fail",
             set_("replication", f"{REPL}.destination.replicationTime.time.minutes", 30)),
        Case("legacy inline RTC without metrics", "fail", chain(
            add("legacy", LEGACY_BUCKET),
            set_("legacy", "replicationConfiguration.rules[0].destination.metrics", REMOVE))),
        Case("no RTC", "skip", set_("replication", f"{REPL}.destination.replicationTime.status", "Disabled")),
    ],
    "aws-s3-replication-check-kms-selection": [
        COMPLIANT,
        Case("KMS objects selected without a replica key", "fail",
             set_("replication", f"{REPL}.destination.encryptionConfiguration", REMOVE)),
        Case("replica key without selecting KMS objects", "fail",
             set_("replication", f"{REPL}.sourceSelectionCriteria", REMOVE)),
        Case("legacy inline without replica key", "fail", chain(
            add("legacy", LEGACY_BUCKET),
            set_("legacy", "replicationConfiguration.rules[0].destination.replicaKmsKeyId", REMOVE))),
        Case("replica key in the source region, not the destination's", "fail", set_(
            "replication", f"{REPL}.destination.encryptionConfiguration.replicaKmsKeyId", KEY_IN_REGION)),
        Case("replica key in the destination region", "pass", set_(
            "replication", f"{REPL}.destination.encryptionConfiguration.replicaKmsKeyId", KEY_IN_DR_REGION)),
        Case("literal replica key, destination bucket outside the stack: region not judged", "pass", chain(
            set_("replication", f"{REPL}.destination.encryptionConfiguration.replicaKmsKeyId", KEY_IN_REGION),
            drop("replica-bucket"))),
        Case("neither", "skip", chain(set_("replication", f"{REPL}.destination.encryptionConfiguration", REMOVE),
                                      set_("replication", f"{REPL}.sourceSelectionCriteria", REMOVE))),
    ],
    "aws-backup-plan-enforce-min-retention": [
        COMPLIANT,
        Case("SOX: 7 years is exactly enough", "pass", config={"minRetentionDays": 2555}),
        Case("a copy kept 30 days", "fail", chain(set_("plan", f"{COPY}.lifecycle", {"deleteAfter": 30}))),
        Case("profile minimum above every rule", "fail", config={"minRetentionDays": 3000}),
        Case("continuous rule short, snapshot rule long (HIPAA)", "pass", config={"minRetentionDays": 2190}),
        Case("continuous rule alone (HIPAA)", "fail", set_("plan", "rules", [
            {"ruleName": "pitr", "targetVaultName": f"{PREFIX}-main", "enableContinuousBackup": True,
             "lifecycle": {"deleteAfter": 35}}]), config={"minRetentionDays": 2190}),
        Case("rule without lifecycle keeps forever", "pass", set_("plan", f"{RULE}.lifecycle", REMOVE)),
    ],
    "aws-backup-plan-enforce-max-retention": [
        COMPLIANT,
        Case("GDPR maximum below the rule", "fail", config={"maxRetentionDays": 2000}),
        Case("GDPR maximum equal to the rule", "pass", config={"maxRetentionDays": 2555}),
        Case("rule without lifecycle keeps forever", "fail", set_("plan", f"{RULE}.lifecycle", REMOVE),
             config={"maxRetentionDays": 2555}),
        Case("keep forever (-1)", "fail", chain(set_("plan", f"{RULE}.lifecycle.deleteAfter", -1),
                                                set_("plan", f"{RULE}.lifecycle.coldStorageAfter", -1)),
             config={"maxRetentionDays": 2555}),
    ],
    "aws-backup-plan-enforce-min-frequency": [
        COMPLIANT,
        Case("weekly only", "fail", chain(set_("plan", f"{PITR}.enableContinuousBackup", False),
                                          set_("plan", f"{PITR}.schedule", "cron(0 5 ? * 1 *)"),
                                          set_("plan", f"{RULE}.schedule", "cron(0 5 ? * 1 *)"))),
        Case("weekly with continuous backup", "pass", set_("plan", f"{RULE}.schedule", "cron(0 5 ? * 1 *)")),
        Case("weekdays only: 3-day weekend gap", "fail", chain(
            set_("plan", f"{PITR}.enableContinuousBackup", False), set_("plan", f"{PITR}.schedule", REMOVE),
            set_("plan", f"{RULE}.schedule", "cron(0 5 ? * MON-FRI *)"))),
        Case("weekly against a weekly profile", "pass", chain(
            set_("plan", f"{PITR}.enableContinuousBackup", False),
            set_("plan", f"{PITR}.schedule", "cron(0 5 ? * 1 *)")), config={"maxIntervalHours": 168}),
        Case("hourly January-June, then a 6-month gap", "fail", chain(
            set_("plan", f"{PITR}.enableContinuousBackup", False), set_("plan", f"{PITR}.schedule", REMOVE),
            set_("plan", f"{RULE}.schedule", "cron(0 * ? 1-6 * *)"))),
        Case("daily in a DST zone: every 24 hours on the schedule's clock", "pass", chain(
            set_("plan", f"{PITR}.enableContinuousBackup", False), set_("plan", f"{PITR}.schedule", REMOVE),
            set_("plan", f"{RULE}.schedule", "cron(0 5 ? * * *)"),
            set_("plan", f"{RULE}.scheduleExpressionTimezone", "America/New_York"))),
        Case("invalid schedule makes no backups", "fail", chain(
            set_("plan", f"{PITR}.enableContinuousBackup", False), set_("plan", f"{PITR}.schedule", "rate(1 day)"),
            set_("plan", f"{RULE}.schedule", "rate(1 day)"))),
    ],
    "aws-backup-plan-enforce-warm-period": [
        Case("no warm requirement", "skip", set_("plan", f"{RULE}.lifecycle.coldStorageAfter", 1)),
        Case("PCI: 730 warm days", "pass", config={"minWarmDays": 90}),
        Case("PCI: cold after 30 days", "fail", set_("plan", f"{RULE}.lifecycle.coldStorageAfter", 30),
             config={"minWarmDays": 90}),
        Case("PCI: copy cold after 89 days", "fail", set_("plan", f"{COPY}.lifecycle.coldStorageAfter", 89),
             config={"minWarmDays": 90}),
    ],
    "aws-backup-vault-require-customer-managed-key": [
        Case("key created in the stack, ARN unknown", "pass"),
        Case("no kmsKeyArn (aws/backup)", "fail", chain(set_("main-vault", "kmsKeyArn", REMOVE),
                                                        edit("main-vault", deps={}))),
        Case("the AWS-managed alias", "fail", chain(set_("main-vault", "kmsKeyArn", "alias/aws/backup"),
                                                    edit("main-vault", deps={}))),
        Case("a literal customer key ARN", "pass", chain(
            set_("main-vault", "kmsKeyArn", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
            edit("main-vault", deps={}))),
        Case("a literal key outside the allowed list", "fail", chain(
            set_("main-vault", "kmsKeyArn", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
            edit("main-vault", deps={})), config={"allowedKeyArns": ["arn:aws:kms:us-east-1:111122223333:key/other"]}),
        Case("no vaults", "skip", drop("main-vault", "dr-vault")),
    ],
    "aws-backup-vault-require-lock": [
        COMPLIANT,
        Case("compliance mode required and set", "pass", config={"mode": "compliance"}),
        Case("governance lock where compliance is required", "fail", set_("main-lock", "changeableForDays", REMOVE),
             config={"mode": "compliance"}),
        Case("no lock", "fail", drop("dr-lock")),
        Case("no vaults", "skip", drop("main-vault", "dr-vault")),
    ],
    "aws-backup-vault-require-deny-delete-policy": [
        COMPLIANT,
        Case("no vault policy", "fail", drop("main-policy")),
        Case("policy allows instead of denying", "fail",
             set_("main-policy", "policy", '{"Statement": [{"Effect": "Allow", "Action": "backup:*"}]}')),
        Case("denies deletion but not lifecycle changes", "fail", set_(
            "main-policy", "policy", '{"Statement": {"Effect": "Deny", "Action": "backup:DeleteRecoveryPoint"}}')),
        Case("deny aimed at one unrelated user", "fail", set_("main-policy", "policy", deny_policy(
            Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:user/intern"}))),
        Case("deny only under an unrelated condition", "fail", set_("main-policy", "policy", deny_policy(
            Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}))),
        Case("deny with NotPrincipal", "fail", set_("main-policy", "policy", deny_policy(
            Principal=REMOVE, NotPrincipal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"}))),
        Case("deny backup:* to Principal \"*\" exempting break-glass roles", "pass", set_("main-policy", "policy",
             deny_policy(Principal="*", Action="backup:*", Condition={"ArnNotLike": {
                 "aws:PrincipalArn": [f"arn:aws:iam::{ACCOUNT}:role/break-glass"]}}))),
        Case("no vaults", "skip", drop("main-vault", "dr-vault")),
    ],
    "aws-backup-vault-require-notifications": [
        COMPLIANT,
        Case("only started events", "fail", set_("main-notifications", "backupVaultEvents", ["BACKUP_JOB_STARTED"])),
        Case("no notifications on the DR vault", "fail", drop("dr-notifications")),
        Case("no vaults", "skip", drop("main-vault", "dr-vault")),
    ],
    "aws-backup-plan-require-cross-region-copy": [
        COMPLIANT,
        Case("copy to a vault of the same region", "fail",
             set_("plan", f"{COPY}.destinationVaultArn", vault_arn(REGION, f"{PREFIX}-main"))),
        Case("no copies", "fail", set_("plan", f"{RULE}.copyActions", REMOVE)),
        Case("plan region from aws:region", "pass", set_("plan", "region", REMOVE)),
        # `destination_vault_arn=dr_vault.arn`: unknown at preview, resolved through the plan's dependencies.
        Case("copy ARN unknown, from the DR vault", "pass", chain(
            set_("plan", f"{COPY}.destinationVaultArn", UNKNOWN), edit("plan", deps=COPY_TO_DR_BY_ARN))),
        Case("copy ARN unknown, from a vault of the same region", "fail", chain(
            set_("plan", f"{COPY}.destinationVaultArn", UNKNOWN), set_("dr-vault", "region", REGION),
            set_("dr-lock", "region", REGION), edit("plan", deps=COPY_TO_DR_BY_ARN))),
        Case("copy ARN unknown, from no vault of the stack: cannot tell", "fail", chain(
            set_("plan", f"{COPY}.destinationVaultArn", UNKNOWN), edit("plan", deps={"rules": ["main-vault"]}))),
        Case("no plans", "skip", drop("plan")),
    ],
    "aws-backup-plan-require-cross-account-copy": [
        Case("copies stay in the account", "fail"),
        Case("a copy to another account", "pass", set_("plan", f"{RULE}.copyActions[1]", {
            "destinationVaultArn": vault_arn(DR_REGION, "org-vault", OTHER_ACCOUNT)})),
        Case("accountId knob names the destination's account", "fail", config={"accountId": ACCOUNT}),
        Case("accountId knob, copy leaves it", "pass", set_("plan", f"{COPY}.destinationVaultArn",
                                                            vault_arn(DR_REGION, "x", OTHER_ACCOUNT)),
             config={"accountId": ACCOUNT}),
        Case("copy ARN unknown, from a vault of the stack: same account", "fail", chain(
            set_("plan", f"{COPY}.destinationVaultArn", UNKNOWN), edit("plan", deps=COPY_TO_DR_BY_ARN)),
             config={"accountId": ACCOUNT}),
        Case("no plans", "skip", drop("plan")),
    ],
    "aws-backup-data-require-deletion-protection": [
        COMPLIANT,
        Case("unprotected vault", "fail", set_("main-vault", "protect", False)),
        Case("unprotected bucket", "fail", set_("replica-bucket", "protect", False)),
        Case("unprotected v6 BucketV2", "fail", chain(edit("replica-bucket", type=BUCKET_V6),
                                                      set_("replica-bucket", "protect", False))),
        Case("unprotected KMS key", "fail", set_("dr-key", "protect", False)),
        Case("unprotected notification topic", "fail", set_("main-topic", "protect", False)),
        Case("vault forceDestroy", "fail", set_("main-vault", "forceDestroy", True)),
        Case("bucket forceDestroy", "fail", set_("data-bucket", "forceDestroy", True)),
        Case("key deletion window 7 days", "fail", set_("main-key", "deletionWindowInDays", 7)),
        Case("key deletion window unset (AWS default 30)", "pass", set_("main-key", "deletionWindowInDays", REMOVE)),
    ],
    "aws-backup-plan-require-selection-and-vault": [
        COMPLIANT,
        Case("no selection", "fail", drop("selection")),
        Case("rule targets a vault the stack does not create", "fail",
             set_("plan", f"{RULE}.targetVaultName", "missing")),
        Case("...listed as external", "pass", set_("plan", f"{RULE}.targetVaultName", "missing"),
             config={"externalVaultNames": ["missing"]}),
        Case("target vault name unknown, linked by dependency", "pass",
             set_("plan", f"{RULE}.targetVaultName", UNKNOWN)),
        Case("no plans", "skip", drop("plan")),
    ],
    "aws-backup-selection-check-resource-types": [
        COMPLIANT,
        Case("an S3 bucket ARN", "fail", set_("selection", "resources", ["arn:aws:s3:::bucket"])),
        Case("not an ARN", "fail", set_("selection", "resources", ["my-table"])),
        Case("every resource", "pass", set_("selection", "resources", ["*"])),
        Case("GovCloud DynamoDB table", "pass", set_(
            "selection", "resources", ["arn:aws-us-gov:dynamodb:us-gov-west-1:123456789012:table/orders"])),
        Case("excluded ARN of another service", "fail",
             set_("selection", "notResources", ["arn:aws:lambda:us-east-1:123456789012:function:f"])),
        Case("tag-only selection", "skip", set_("selection", "resources", REMOVE)),
    ],
    "aws-s3-bucket-require-replication": [
        COMPLIANT,
        Case("critical bucket without replication", "fail", drop("replication")),
        Case("critical bucket replicated inline (legacy)", "pass", add("legacy", LEGACY_BUCKET)),
        Case("every replication rule Disabled", "fail", set_("replication", f"{REPL}.status", "Disabled")),
        Case("other tag key configured", "skip", drop("replication"), config={"criticalTagKey": "tier"}),
        Case("tag value not critical", "skip", chain(drop("replication"),
                                                     set_("data-bucket", "tags", {"backup:critical": "false"}))),
        # tagsAll: the bucket's tags with the provider's defaultTags, as the provider's Check fills it.
        Case("critical by the provider's default tags only", "fail", chain(
            drop("replication"), set_("data-bucket", "tags", {}),
            edit("data-bucket", default_tags={"backup:critical": "true"}))),
    ],
    "aws-s3-replication-require-cross-region": [
        COMPLIANT,
        Case("destination in the source region", "fail", set_("replica-bucket", "region", REGION)),
        Case("destination bucket outside the stack", "skip", drop("replica-bucket")),
    ],
    "aws-s3-replication-require-rtc": [
        COMPLIANT,
        Case("no RTC", "fail", set_("replication", f"{REPL}.destination.replicationTime", REMOVE)),
        Case("rule disabled", "skip", chain(set_("replication", f"{REPL}.status", "Disabled"),
                                            set_("replication", f"{REPL}.destination.replicationTime", REMOVE))),
    ],
    "aws-s3-replication-require-sse-kms": [
        COMPLIANT,
        Case("destination encrypted with SSE-S3", "fail", set_(
            "replica-encryption", "rules[0].applyServerSideEncryptionByDefault.sseAlgorithm", "AES256")),
        Case("source without encryption config", "fail", drop("data-encryption")),
        # The bucket's inline block (what S3 said at creation) does not override the separate resource.
        Case("inline block AES256, SSE-KMS by the separate resource", "pass", set_(
            "data-bucket", "serverSideEncryptionConfiguration",
            {"rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256", "kmsMasterKeyId": ""},
                      "bucketKeyEnabled": False}})),
        Case("rule without replica key", "fail",
             set_("replication", f"{REPL}.destination.encryptionConfiguration", REMOVE)),
        Case("no replication", "skip", drop("replication")),
    ],
    "aws-s3-replication-enforce-delete-markers": [
        Case("no choice (baseline)", "skip", set_("replication", f"{REPL}.deleteMarkerReplication.status", "Enabled")),
        Case("WORM: Disabled as required", "pass", config={"deleteMarkerReplication": "Disabled"}),
        Case("WORM: Enabled", "fail", set_("replication", f"{REPL}.deleteMarkerReplication.status", "Enabled"),
             config={"deleteMarkerReplication": "Disabled"}),
        Case("GDPR: unset means Disabled", "fail", set_("replication", f"{REPL}.deleteMarkerReplication", REMOVE),
             config={"deleteMarkerReplication": "Enabled"}),
    ],
}


# -- Organizations backup policies ---------------------------------------------------------------------------------
def org_rule(delete: str = "365", cold: str = "30", schedule: str = "cron(0 5 ? * * *)") -> dict[str, Any]:
    return {"schedule_expression": {"@@assign": schedule}, "target_backup_vault_name": {"@@assign": "Default"},
            "lifecycle": {"move_to_cold_storage_after_days": {"@@assign": cold},
                          "delete_after_days": {"@@assign": delete}}}


def org_policy(content: Any, policy_type: str = "BACKUP_POLICY") -> Change:
    """The stack with one Organizations policy added (a JSON text content, or a document to dump)."""
    text = content if isinstance(content, str) else json.dumps(content)
    return add("org-policy", Item(ORG_POLICY, {"name": "org-backup", "type": policy_type, "content": text}))


def org_document(**rule: str) -> dict[str, Any]:
    return {"plans": {"daily": {"regions": {"@@assign": [REGION]}, "rules": {"Daily": org_rule(**rule)},
                                "selections": {"tags": {"all": {
                                    "iam_role_arn": {"@@assign": "arn:aws:iam::$account:role/backup"},
                                    "tag_key": {"@@assign": "backup"}, "tag_value": {"@@assign": ["daily"]}}}}}}}


CASES["aws-organizations-backuppolicy-check-syntax"] = [
    COMPLIANT,
    Case("a valid backup policy", "pass", org_policy(org_document())),
    Case("not JSON", "fail", org_policy('{"plans": {')),
    Case("duplicate key", "fail", org_policy('{"plans": {}, "plans": {}}')),
    Case("unknown key in a rule", "fail",
         org_policy({"plans": {"p": {"rules": {"r": {"scheduel": {"@@assign": "x"}}}}}})),
    Case("unknown operator", "fail", org_policy({"plans": {"p": {"regions": {"@@set": [REGION]}}}})),
    Case("@@append on a single value", "fail",
         org_policy({"plans": {"p": {"rules": {"r": {"schedule_expression": {"@@append": "cron(0 5 ? * * *)"}}}}}})),
    Case("bad child control operator", "fail",
         org_policy({"plans": {"@@operators_allowed_for_child_policies": ["@@everything"]}})),
    Case("over 10,000 characters", "fail",
         org_policy(json.dumps(org_document()) + " " * 10_000)),
    Case("a service control policy is not judged", "skip",
         org_policy("not json", policy_type="SERVICE_CONTROL_POLICY")),
]


def attached(policies: dict[str, Any], attachments: list[tuple[str, str]], *extra: tuple[str, Item]) -> Change:
    """The stack with backup policies (item name -> document) attached to targets ((policy, target id or the
    item name of an OU / account of the stack)), as the org stack does: policyId from the policy's id output."""
    def run(items: dict[str, Item]) -> dict[str, Item]:
        items = without(items)
        for name, document in policies.items():
            items[name] = Item(ORG_POLICY, {"name": name, "type": "BACKUP_POLICY", "content": json.dumps(document)})
        items.update(extra)
        for policy, target in attachments:
            in_stack = target in items
            items[f"{policy}-{target}"] = Item(ORG_ATTACHMENT, {
                "policyId": UNKNOWN, "targetId": UNKNOWN if in_stack else target},
                deps={"policyId": [policy], **({"targetId": [target]} if in_stack else {})})
        return items
    return run


def partial(**rule: Any) -> dict[str, Any]:
    """A child policy that only sets parts of the `daily` plan's rule (no regions, no selections)."""
    return {"plans": {"daily": {"rules": {"Daily": rule}}}}


ROOT_ID, OU_ID = "r-ab12", "ou-ab12-prod1234"
LOCKED = {"plans": {"daily": {**org_document()["plans"]["daily"], "rules": {"Daily": {
    **org_rule(), "lifecycle": {"delete_after_days": {"@@assign": "365", "@@operators_allowed_for_child_policies":
                                                      ["@@none"]}}}}}}}
CASES["aws-organizations-backuppolicy-check-effective-plans"] = [
    COMPLIANT,
    Case("a complete policy on the root", "pass", attached({"root": org_document()}, [("root", ROOT_ID)])),
    Case("a policy attached nowhere: no target to judge", "skip", org_policy(partial())),
    Case("an OU policy completing the root's plan", "pass", attached(
        {"root": org_document(), "prod": partial(lifecycle={"delete_after_days": {"@@assign": "400"}})},
        [("root", ROOT_ID), ("prod", OU_ID)])),
    Case("a partial policy alone on an OU", "fail", attached(
        {"prod": partial(schedule_expression={"@@assign": "cron(0 5 ? * * *)"})}, [("prod", OU_ID)])),
    Case("a rule without a target vault", "fail", attached(
        {"root": {"plans": {"daily": {**org_document()["plans"]["daily"], "rules": {"Daily": {
            "schedule_expression": {"@@assign": "cron(0 5 ? * * *)"}}}}}}}, [("root", ROOT_ID)])),
    Case("a stack OU under the root inherits the root's plan", "pass", attached(
        {"root": org_document(), "unit": partial(lifecycle={"delete_after_days": {"@@assign": "400"}})},
        [("root", ROOT_ID), ("unit", "prod-ou")],
        ("prod-ou", Item(ORG_UNIT, {"name": "prod", "parentId": ROOT_ID})))),
    Case("an account of the stack, in no OU with the root's policy", "fail", attached(
        {"acct": partial(schedule_expression={"@@assign": "cron(0 5 ? * * *)"})}, [("acct", "payments")],
        ("payments", Item(ORG_ACCOUNT, {"name": "payments", "email": "a@example.com", "parentId": OU_ID})))),
]
CASES["aws-organizations-backuppolicy-check-child-control"] = [
    COMPLIANT,
    Case("the root locks the retention and no child writes it", "pass", attached(
        {"root": LOCKED, "prod": partial(schedule_expression={"@@assign": "cron(0 6 ? * * *)"})},
        [("root", ROOT_ID), ("prod", OU_ID)])),
    Case("an OU policy writes the retention the root locks", "fail", attached(
        {"root": LOCKED, "prod": partial(lifecycle={"delete_after_days": {"@@assign": "7"}})},
        [("root", ROOT_ID), ("prod", OU_ID)])),
    Case("without attachments the lock is not seen", "skip", org_policy(LOCKED)),
]
# The plans inside a backup policy are judged by the plan policies, as the stack's own plans are.
CASES["aws-backup-plan-check-cold-storage-gap"] += [
    Case("backup policy: deletes 60 days after cold", "fail", org_policy(org_document(delete="90", cold="30"))),
    Case("backup policy: 90 days after cold", "pass", org_policy(org_document(delete="120", cold="30"))),
]
CASES["aws-backup-plan-enforce-min-retention"] += [
    Case("backup policy: kept 20 days", "fail", org_policy(org_document(delete="20", cold="1"))),
]
CASES["aws-backup-plan-enforce-min-frequency"] += [
    Case("backup policy: rules whose schedules the policies above give (a fragment)", "skip",
         org_policy(partial(lifecycle={"delete_after_days": {"@@assign": "400"}}))),
    Case("backup policy: a weekly rule", "fail", org_policy(org_document(schedule="cron(0 5 ? * SAT *)"))),
]
CASES["aws-backup-plan-check-schedule"] += [
    Case("backup policy: every 30 minutes", "fail", org_policy(org_document(schedule="cron(0,30 * ? * * *)"))),
]


# -- StackSet templates: their vaults judged like the stack's own ----------------------------------------------------
RETAINED = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}


def member_template(vault: dict[str, Any] | None = None, key: dict[str, Any] | None = None,
                    **entries: Any) -> dict[str, Any]:
    """A compliant member-account template: a vault with its key, compliance lock, deny-delete access policy and
    notifications to a topic; `vault` / `key` replace its properties (REMOVE drops one), `entries` its entries."""
    vault_properties = {
        "BackupVaultName": "member", "EncryptionKeyArn": {"Fn::GetAtt": ["Key", "Arn"]},
        "LockConfiguration": {"MinRetentionDays": 1, "MaxRetentionDays": 36500, "ChangeableForDays": 3},
        "AccessPolicy": json.loads(DENY_POLICY),
        "Notifications": {"BackupVaultEvents": ["BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED"],
                          "SNSTopicArn": {"Ref": "Topic"}},
        **(vault or {})}
    key_properties = {"EnableKeyRotation": True, "PendingWindowInDays": 30,
                      "KeyPolicy": {"Version": "2012-10-17", "Statement": []}, **(key or {})}
    resources = {
        "Key": {"Type": "AWS::KMS::Key", **RETAINED, "Properties": key_properties},
        "Vault": {"Type": "AWS::Backup::BackupVault", **RETAINED, "Properties": vault_properties},
        "Topic": {"Type": "AWS::SNS::Topic", **RETAINED, "Properties": {"KmsMasterKeyId": {"Ref": "Key"}}},
        **entries}
    for entry in resources.values():
        entry["Properties"] = {k: v for k, v in entry.get("Properties", {}).items() if v is not REMOVE}
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}


def stack_set(template: dict[str, Any] | str) -> Change:
    """The stack with a StackSet added whose template is `template` (a document to dump, or text)."""
    body = template if isinstance(template, str) else json.dumps(template)
    return add("baseline", Item(STACK_SET, {"name": "baseline", "permissionModel": "SERVICE_MANAGED",
                                            "templateBody": body}))


MEMBER_TEMPLATE_YAML = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Key:
    Type: AWS::KMS::Key
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      PendingWindowInDays: 30
  Vault:
    Type: AWS::Backup::BackupVault
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      BackupVaultName: !Sub "${AWS::AccountId}-member"
      EncryptionKeyArn: !GetAtt Key.Arn
      LockConfiguration:
        MinRetentionDays: 7
"""
CASES["aws-backup-vault-require-lock"] += [
    Case("StackSet template: compliance lock", "pass", stack_set(member_template()), config={"mode": "compliance"}),
    Case("StackSet template: vault without lock", "fail", stack_set(member_template({"LockConfiguration": REMOVE}))),
    Case("StackSet YAML template: governance lock where compliance is required", "fail",
         stack_set(MEMBER_TEMPLATE_YAML), config={"mode": "compliance"}),
    Case("StackSet YAML template: governance lock", "pass", stack_set(MEMBER_TEMPLATE_YAML)),
    Case("StackSet template given by URL: nothing to judge", "skip",
         add("baseline", Item(STACK_SET, {"name": "baseline", "templateUrl": "https://example.com/t.json"}))),
]
CASES["aws-backup-vaultlock-check-bounds"] += [
    Case("StackSet template: changeableForDays 2", "fail",
         stack_set(member_template({"LockConfiguration": {"ChangeableForDays": 2}}))),
]
CASES["aws-backup-vault-require-deny-delete-policy"] += [
    Case("StackSet template: deny-delete access policy", "pass", stack_set(member_template())),
    Case("StackSet template: no access policy", "fail", stack_set(member_template({"AccessPolicy": REMOVE}))),
]
CASES["aws-backup-vault-require-notifications"] += [
    Case("StackSet template: no notifications", "fail", stack_set(member_template({"Notifications": REMOVE}))),
]
CASES["aws-backup-vault-require-customer-managed-key"] += [
    Case("StackSet template: the template's key", "pass", stack_set(member_template())),
    Case("StackSet template: no EncryptionKeyArn (aws/backup)", "fail",
         stack_set(member_template({"EncryptionKeyArn": REMOVE}))),
]
CASES["aws-backup-data-require-deletion-protection"] += [
    Case("StackSet template: everything retained", "pass", stack_set(member_template())),
    Case("StackSet template: vault deleted with its stack", "fail", stack_set(member_template(
        Vault={"Type": "AWS::Backup::BackupVault", "Properties": member_template()["Resources"]["Vault"][
            "Properties"]}))),
    Case("StackSet template: key deletion window 7 days", "fail",
         stack_set(member_template(key={"PendingWindowInDays": 7}))),
]


# -- audit evidence: frameworks and restore testing ---------------------------------------------------------------
def framework(*controls: dict[str, Any], name: str = "aws_backups_prod_sec_17a_4") -> Change:
    return add("framework", Item(FRAMEWORK, {"name": name, "region": REGION, "controls": list(controls)}))


def control(name: str, scope: dict | None = None, **parameters: str) -> dict[str, Any]:
    found: dict[str, Any] = {"name": name}
    if parameters:
        found["inputParameters"] = [{"name": key, "value": value} for key, value in parameters.items()]
    if scope is not None:
        found["scope"] = scope
    return found


FREQUENCY = "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK"


def restore_plan(**changes: Any) -> Change:
    props = {"name": "aws_backups_prod_restore_testing", "region": REGION, "scheduleExpression": "cron(0 6 ? * SAT *)",
             "startWindowHours": 24, "recoveryPointSelection": {
                 "algorithm": "RANDOM_WITHIN_WINDOW", "includeVaults": ["*"], "recoveryPointTypes": ["SNAPSHOT"],
                 "selectionWindowDays": 30}}
    for key, value in changes.items():
        if key == "selectionWindowDays":
            props["recoveryPointSelection"][key] = value
        else:
            props[key] = value
    return add("restore-plan", Item(RESTORE_TESTING_PLAN, props))


def restore_selection(**changes: Any) -> Change:
    props = {"name": "EC2", "restoreTestingPlanName": "aws_backups_prod_restore_testing", "region": REGION,
             "protectedResourceType": "EC2", "iamRoleArn": f"arn:aws:iam::{ACCOUNT}:role/backup",
             "protectedResourceArns": ["*"], "validationWindowHours": 4, **changes}
    return add("restore-selection", Item(RESTORE_TESTING_SELECTION, props))


CASES["aws-backup-evidence-check-limits"] = [
    COMPLIANT,
    Case("a framework of documented controls", "pass", framework(
        control(FREQUENCY, requiredFrequencyUnit="hours", requiredFrequencyValue="24", requiredRetentionDays="2190"),
        control("BACKUP_RESOURCES_PROTECTED_BY_CROSS_ACCOUNT", {"tags": {"backup": "standard"}},
                crossAccountList="111111111111"),
        control("BACKUP_RECOVERY_POINT_ENCRYPTED"))),
    Case("a control AWS does not have", "fail", framework(control("BACKUP_PLANS_EVERYWHERE"))),
    Case("a parameter the control does not take", "fail", framework(
        control("BACKUP_RECOVERY_POINT_ENCRYPTED", requiredRetentionDays="35"))),
    Case("a frequency of 48 hours (at most 24 in hours)", "fail", framework(
        control(FREQUENCY, requiredFrequencyUnit="hours", requiredFrequencyValue="48", requiredRetentionDays="35"))),
    Case("a frequency of 2 days", "pass", framework(
        control(FREQUENCY, requiredFrequencyUnit="days", requiredFrequencyValue="2", requiredRetentionDays="35"))),
    Case("a recovery point age of 800 hours", "fail", framework(
        control("BACKUP_LAST_RECOVERY_POINT_CREATED", recoveryPointAgeUnit="hours", recoveryPointAgeValue="800"))),
    Case("six break-glass principals", "fail", framework(control(
        "BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED",
        principalArnList=",".join(f"arn:aws:iam::{ACCOUNT}:role/r{index}" for index in range(6))))),
    Case("a scope of two tags", "fail", framework(control(
        "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN", {"tags": {"backup": "standard", "tier": "gold"}}))),
    Case("a framework name with '-'", "fail", framework(control("BACKUP_RECOVERY_POINT_ENCRYPTED"),
                                                      name="aws-backups-prod")),
    Case("a restore testing plan within AWS's windows", "pass", restore_plan()),
    Case("a start window of 200 hours", "fail", restore_plan(startWindowHours=200)),
    Case("a selection window of 400 days", "fail", restore_plan(selectionWindowDays=400)),
    Case("a restore testing name with '-'", "fail", restore_plan(name="aws-backups-prod")),
    Case("a restore test of EC2 with its subnet", "pass",
         restore_selection(restoreMetadataOverrides={"SubnetId": "subnet-0abc"})),  # keys are not case sensitive
    Case("a type AWS does not restore-test", "fail", restore_selection(protectedResourceType="Storage Gateway")),
    Case("a metadata key of another type", "fail",
         restore_selection(restoreMetadataOverrides={"dbSubnetGroupName": "private"})),
    Case("a validation window of 169 hours", "fail", restore_selection(validationWindowHours=169)),
    Case("report plans of AWS's templates in CSV and JSON", "pass",
         set_("report-backup_job_report", "reportDeliveryChannel.formats", ["CSV", "JSON"])),
    Case("a report template AWS does not have", "fail",
         set_("report-backup_job_report", "reportSetting.reportTemplate", "BACKUP_PLAN_REPORT")),
    Case("a report format AWS does not write", "fail",
         set_("report-backup_job_report", "reportDeliveryChannel.formats", ["PARQUET"])),
    Case("a report plan name with '-'", "fail", set_("report-backup_job_report", "name", "aws-backups-prod-jobs")),
    Case("a report plan description of 1,025 characters", "fail",
         set_("report-backup_job_report", "description", "x" * 1025)),
]
# A template vault lives in the member accounts: a plan of the stack naming a vault of that name does not use it.
CASES["aws-backup-plan-require-selection-and-vault"] += [
    Case("a plan naming a vault only a StackSet template has", "fail", chain(
        edit("plan", deps={}), set_("plan", "rules[0].targetVaultName", "member"), stack_set(member_template()))),
]

# -- the evidence a profile asks for: framework, report plans, restore tests --------------------------------------
SEC_17A_4_CONTROLS = ["BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN", FREQUENCY,
                      "BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK", "BACKUP_RECOVERY_POINT_ENCRYPTED",
                      "BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED",
                      "BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION", "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK",
                      "BACKUP_LAST_RECOVERY_POINT_CREATED"]
SEC_17A_4_FRAMEWORK = {"requiredControls": SEC_17A_4_CONTROLS, "minRetentionDays": 2190, "maxIntervalHours": 24}
NO_FIGURES = {"requiredControls": [], "minRetentionDays": None, "maxIntervalHours": None}
SEC_17A_4_REPORTS = {"minRetentionDays": 2190, "objectLockMode": "COMPLIANCE"}
FREQUENCY_VALUE = "controls[1].inputParameters[1].value"  # requiredFrequencyValue of the compliant framework
RETENTION_VALUE = "controls[1].inputParameters[2].value"  # requiredRetentionDays
WITHOUT_POINT_RETENTION = [control for control in compliant()["framework"].props["controls"]
                           if control["name"] != "BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK"]

CASES["aws-backup-evidence-require-framework"] = [
    COMPLIANT,
    Case("sec-17a-4's figures", "pass", config=SEC_17A_4_FRAMEWORK),
    Case("no point retention control: the continuous rule (35 days) exempts it under 2190", "pass",
         set_("framework", "controls", WITHOUT_POINT_RETENTION), config=SEC_17A_4_FRAMEWORK),
    Case("no point retention control: 35 days of continuous backup meet baseline's 35", "fail",
         set_("framework", "controls", WITHOUT_POINT_RETENTION)),
    Case("a point retention control of 30 days under 2190", "fail",
         set_("framework", "controls[7].inputParameters[0].value", "30"), config=SEC_17A_4_FRAMEWORK),
    Case("no framework in the plan's region", "fail", drop("framework")),
    Case("the framework in another region only", "fail", set_("framework", "region", DR_REGION)),
    Case("no framework, a profile enforcing no figure a control checks", "pass", drop("framework"),
         config=NO_FIGURES),
    Case("no last-recovery-point control", "fail",
         set_("framework", "controls", [{"name": FREQUENCY, "inputParameters": []}])),
    Case("requiredRetentionDays 30 under the profile's 2190", "fail", set_("framework", RETENTION_VALUE, "30"),
         config=SEC_17A_4_FRAMEWORK),
    Case("every 2 days where the profile asks daily", "fail",
         chain(set_("framework", "controls[1].inputParameters[0].value", "days"),
               set_("framework", FREQUENCY_VALUE, "2"))),
    Case("every 12 hours where the profile asks daily", "pass", set_("framework", FREQUENCY_VALUE, "12")),
    Case("no continuous rule: the point retention control is required", "fail",
         chain(set_("framework", "controls", WITHOUT_POINT_RETENTION),
               set_("plan", "rules[1].enableContinuousBackup", False)), config=SEC_17A_4_FRAMEWORK),
]

CASES["aws-backup-evidence-require-report-plans"] = [
    COMPLIANT,
    Case("the report bucket sec-17a-4 asks for", "pass", config=SEC_17A_4_REPORTS),
    Case("no copy job report", "fail", drop("report-copy_job_report")),
    Case("no copy job report where the profile asks for none", "pass", drop("report-copy_job_report"),
         config={"templates": ["BACKUP_JOB_REPORT"]}),
    Case("a control compliance report on no framework", "fail",
         set_("report-control_compliance_report", "reportSetting.frameworkArns", REMOVE)),
    Case("delivered to a bucket the stack does not hold", "fail",
         chain(edit("report-backup_job_report", deps={}),
               set_("report-backup_job_report", "reportDeliveryChannel.s3BucketName", "somebody-elses-bucket"))),
    Case("the report bucket unversioned", "fail", drop("reports-versioning")),
    Case("the report bucket encrypted with AES256", "fail",
         set_("reports-encryption", "rules[0].applyServerSideEncryptionByDefault.sseAlgorithm", "AES256")),
    Case("the report bucket open to plain HTTP", "fail", drop("reports-tls-only")),
    Case("a governance lock where the profile asks compliance", "fail",
         set_("reports-object-lock", "rule.defaultRetention.mode", "GOVERNANCE"), config=SEC_17A_4_REPORTS),
    Case("no Object Lock where the profile asks compliance", "fail", drop("reports-object-lock"),
         config=SEC_17A_4_REPORTS),
    Case("a lock of 365 days where the profile keeps 2190", "fail",
         set_("reports-object-lock", "rule.defaultRetention.days", 365), config=SEC_17A_4_REPORTS),
    Case("a lock of 6 years", "pass", chain(set_("reports-object-lock", "rule.defaultRetention.days", REMOVE),
                                           set_("reports-object-lock", "rule.defaultRetention.years", 6)),
         config=SEC_17A_4_REPORTS),
    Case("reports expired after 30 days where the profile keeps 35", "fail",
         set_("reports-lifecycle", "rules[0].expiration.days", 30)),
    # noncurrentDays count from when a version stops being current: after the reports' own expiry here.
    Case("old versions expired 7 days after the reports' 2,555", "pass",
         set_("reports-lifecycle", "rules[0].noncurrentVersionExpiration.noncurrentDays", 7)),
    Case("a TLS deny that also needs a source address", "fail",
         set_("reports-tls-only", "policy", TLS_ONLY_POLICY.replace(
             '"Bool": {"aws:SecureTransport": "false"}',
             '"Bool": {"aws:SecureTransport": "false"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}'))),
    Case("the lock as a V2 resource (pulumi-aws's older token)", "pass",
         edit("reports-object-lock", type=BUCKET_OBJECT_LOCK_V6), config=SEC_17A_4_REPORTS),
]

CASES["aws-backup-evidence-require-restore-testing"] = [
    COMPLIANT,
    Case("no restore test of RDS", "fail", drop("restore-testing-rds")),
    Case("no restore test of RDS, exempt", "pass", drop("restore-testing-rds"), config={"exemptTypes": ["RDS"]}),
    Case("the RDS restore test in another region", "fail", set_("restore-testing-rds", "region", DR_REGION)),
    Case("no restore testing plan", "fail", chain(drop("restore-testing"), edit("restore-testing-rds", deps={}),
                                                  edit("restore-testing-ebs", deps={}))),
]
