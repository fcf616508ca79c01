"""AWS's rules in one home: every limit, name rule, region and partition fact that the config models, the
components, the pack and the retention report check, each written once with its source.

Plain Python (no Pulumi, no pydantic). It is imported as `compliance.facts` everywhere: inside the pack's process
(the CLI puts policies/ first on sys.path) and by the program, preflight and the report (the project is installed
into its venv, `pip install -e .`, which maps `compliance` to policies/compliance).

A rule is a function that returns None when AWS accepts the value, or why AWS refuses it, phrased to follow the
value: `40000` + `is more than AWS Backup keeps a recovery point (allowed: 1 to 36500 days)`. The config puts the
key path in front, the pack the resource and property, so both say the same thing. Callers read the module's
attributes at call time (`facts.MAX_LIFECYCLE_DAYS`, `facts.schedule_problem(...)`), never a copy, so that a test
which changes a fact here sees the config and the pack follow it (tests/test_facts.py).

Sources were read on 2026-12-03.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Collection
from dataclasses import dataclass

from compliance.cron import ScheduleError, cron_gaps

# -- what the Pulumi engine sends --------------------------------------------------------------------------------
# The engine's unknown sentinels, one per value kind (pulumi_policy/proxy.py; pulumi
# sdk/go/common/resource/plugin/rpc.go UnknownStringValue and its siblings).
UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
UNKNOWN_SENTINELS = frozenset({
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
    UNKNOWN_STRING,
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
    "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
    "e48ece36-62e2-4504-bad9-02848725956a",  # archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
})


# -- regions and partitions --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Partition:
    name: str
    region_form: re.Pattern[str]


# The partitions and the form of their region names: the AWS SDKs' partitions.json (aws/aws-sdk-go-v2
# internal/endpoints/awsrulesfn/partitions.json, `regionRegex`), with il-, mx- (aws) and eusc- (aws-eusc), whose
# regions the installed pulumi-aws lists (its `Region` enum, aws:index/Region). Which regions exist is the
# installed pulumi-aws's knowledge, passed in by the caller (components/config/regions.py): this module names none.
# The SDKs write `\w+` for the middle part; region names are lowercase ASCII letters there, so that is what a name
# of `aws-backups:newRegions` may use. A region of a new geography prefix needs a line here.
PARTITIONS = (
    Partition("aws", re.compile(r"^(us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d+$", re.ASCII)),
    Partition("aws-cn", re.compile(r"^cn-[a-z]+-\d+$", re.ASCII)),
    Partition("aws-us-gov", re.compile(r"^us-gov-[a-z]+-\d+$", re.ASCII)),
    Partition("aws-iso", re.compile(r"^us-iso-[a-z]+-\d+$", re.ASCII)),
    Partition("aws-iso-b", re.compile(r"^us-isob-[a-z]+-\d+$", re.ASCII)),
    Partition("aws-iso-e", re.compile(r"^eu-isoe-[a-z]+-\d+$", re.ASCII)),
    Partition("aws-iso-f", re.compile(r"^us-isof-[a-z]+-\d+$", re.ASCII)),
    Partition("aws-eusc", re.compile(r"^eusc-de-[a-z]+-\d+$", re.ASCII)),
)
# Any partition's region name, unanchored: the region field of a concrete ARN (the resource-type table's ARN shapes).
REGION_FORM = r"[a-z]{2,4}(?:-[a-z]+)+-[0-9]+"
PARTITION_NAMES = tuple(partition.name for partition in PARTITIONS)


def partition_of_region(region: str) -> str | None:
    """The partition whose region names have this form, or None for a name of no partition's form."""
    return next((p.name for p in PARTITIONS if p.region_form.fullmatch(region)), None)


def partition_of(region: str | None) -> str:
    """The partition of a region, `aws` for none or a name of no partition's form (as a provider without a
    region answers getPartition)."""
    return (partition_of_region(region) if region else None) or PARTITIONS[0].name


def region_problem(region: str, known: Collection[str], partition: str | None = None, also: str = "") -> str | None:
    """Why `region` cannot be used: not one of `known` (the closest names suggested), or not in `partition` (one
    set of credentials, AWS Backup copies and S3 replication all stay inside one partition). `also` extends what
    is allowed (the config's way to name a region newer than the provider)."""
    if region not in known:
        hint = f"did you mean {' or '.join(map(repr, closest))}? " if (closest := closest_names(region, known)) else ""
        return f"is not an AWS region ({hint}allowed: a region of the installed provider, e.g. 'us-east-1'{also})"
    own = partition_of_region(region)
    if partition is not None and own != partition:
        return (f"is a region of partition {own}, and this stack deploys to partition {partition} (allowed: a "
                f"region of {partition})")
    return None


def closest_names(name: str, known: Collection[str]) -> list[str]:
    """The known names most like `name` (all of them on a tie: 'us-est-1' is as close to us-east-1 as to
    us-west-1), none when nothing is close."""
    scores = {other: difflib.SequenceMatcher(None, name.casefold(), other).ratio() for other in known}
    best = max(scores.values(), default=0.0)
    return sorted(other for other, score in scores.items() if score == best) if best >= 0.6 else []


def arn_region_problem(arn: str, known: Collection[str], partition: str | None = None, also: str = "") -> str | None:
    """Why the partition or region inside an ARN cannot be right. A wildcard or an empty region (IAM, S3) is
    not judged."""
    parts = arn.split(":")
    if len(parts) < 6:
        return None  # not an ARN: its shape is refused by its own pattern
    arn_partition, region = parts[1], parts[3]
    if "*" in arn_partition:
        arn_partition = None
    elif arn_partition not in PARTITION_NAMES:
        return f"names partition {arn_partition!r} (allowed: {', '.join(PARTITION_NAMES)})"
    elif partition is not None and arn_partition != partition:
        return (f"is in partition {arn_partition}, and this stack deploys to partition {partition} (allowed: "
                f"arn:{partition}:...)")
    if not region or "*" in region:
        return None
    if problem := region_problem(region, known, also=also):
        return f"names region {region!r}, which {problem}"
    own = partition_of_region(region)
    if arn_partition is not None and own != arn_partition:
        return f"names region {region!r} of partition {own} in an arn:{arn_partition} ARN (allowed: arn:{own}:...)"
    return None


# -- names -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NameRule:
    what: str  # "backup vault name"
    characters: str  # a regular-expression character class
    length: tuple[int, int]
    characters_in_words: str
    source: str

    @property
    def allowed(self) -> str:
        low, high = self.length
        return f"{low} to {high} {self.characters_in_words}"

    def matches(self, name: str) -> bool:
        low, high = self.length
        return low <= len(name) <= high and re.fullmatch(f"{self.characters}*", name) is not None


# CreateBackupVault BackupVaultName: ^[a-zA-Z0-9\-\_]{2,50}$ (API reference; terraform-provider-aws
# internal/service/backup/vault.go validates the same).
VAULT_NAME = NameRule("backup vault name", r"[a-zA-Z0-9_-]", (2, 50), "letters, digits, '-' or '_'",
                      "API_CreateBackupVault")
# BackupPlanInput BackupPlanName, the shape CreateBackupPlan takes: "Must contain 1 to 50 alphanumeric or '-_.'
# characters" (API_BackupPlanInput; API_BackupPlan's "1 to 200 through the API" describes the returned plan).
PLAN_NAME = NameRule("backup plan name", r"[a-zA-Z0-9_.-]", (1, 50), "letters, digits, '-', '_' or '.'",
                     "API_BackupPlanInput")
# BackupRuleInput RuleName: ^[a-zA-Z0-9\-\_\.]{1,50}$ (API reference; terraform-provider-aws plan.go rule_name).
RULE_NAME = NameRule("backup rule name", r"[a-zA-Z0-9_.-]", (1, 50), "letters, digits, '-', '_' or '.'",
                     "API_BackupRuleInput")
# BackupSelection SelectionName: ^[a-zA-Z0-9\-\_\.]{1,50}$ (API reference; terraform-provider-aws selection.go).
SELECTION_NAME = NameRule("backup selection name", r"[a-zA-Z0-9_.-]", (1, 50), "letters, digits, '-', '_' or '.'",
                          "API_BackupSelection")
# CreateFramework FrameworkName and CreateReportPlan ReportPlanName: "Pattern: [a-zA-Z][_a-zA-Z0-9]*", 1 to 256
# characters (AWS Backup API reference).
FRAMEWORK_NAME_FORM = r"[a-zA-Z][_a-zA-Z0-9]{0,255}"
# CreateRole RoleName: [\w+=,.@-]+, 1 to 64 characters (IAM API reference).
ROLE_NAME = NameRule("IAM role name", r"[a-zA-Z0-9_+=,.@-]", (1, 64), "letters, digits or '+=,.@_-'",
                     "IAM API_CreateRole")


def name_problem(rule: NameRule, name: str) -> str | None:
    """Why AWS refuses `name` under `rule`, naming the rule (a plan name is not judged by the vault's)."""
    if rule.matches(name):
        return None
    refused = "".join(sorted({c for c in name if not re.fullmatch(rule.characters, c)}))
    shown = f"has {refused!r}" if refused else f"has {len(name)} characters"
    return f"is not a valid {rule.what}: it {shown} (allowed: {rule.allowed}; {rule.source})"


# S3 general purpose bucket names (S3 User Guide, "General purpose bucket naming rules",
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
BUCKET_NAME_LENGTH = (3, 63)
BUCKET_NAME_CHARACTERS = re.compile(r"[a-z0-9.-]")  # one character, with fullmatch
BUCKET_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")  # sthree- covers sthree-configurator
# Access point aliases, Object Lambda aliases, Multi-Region Access Points, directory buckets, table buckets.
BUCKET_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def bucket_name_problem(name: str) -> str | None:
    """Why S3 refuses `name` for a general purpose bucket: the first clause it breaks, and that clause's rule."""
    low, high = BUCKET_NAME_LENGTH
    refused = "".join(sorted({c for c in name if not BUCKET_NAME_CHARACTERS.fullmatch(c)}))
    prefix = next((p for p in BUCKET_RESERVED_PREFIXES if name.startswith(p)), None)
    suffix = next((s for s in BUCKET_RESERVED_SUFFIXES if name.endswith(s)), None)
    clauses = (  # (broken?, what the name does, what S3 allows)
        (not low <= len(name) <= high, f"has {len(name)} characters", f"{low} to {high} characters"),
        (bool(refused), f"has {refused!r}", "lowercase letters, digits, '.' and '-'"),
        (not (name[:1].isalnum() and name[-1:].isalnum()), "does not begin and end with a letter or digit",
         "a letter or digit first and last"),
        (".." in name, "has two adjacent periods", "no '..'"),
        (_is_ip_address(name), "is formatted as an IP address", "a name that is not an IP address"),
        (prefix is not None, f"starts with the reserved prefix {prefix}",
         f"no name starting with {', '.join(BUCKET_RESERVED_PREFIXES)}"),
        (suffix is not None, f"ends with the reserved suffix {suffix}",
         f"no name ending with {', '.join(BUCKET_RESERVED_SUFFIXES)}"),
    )
    broken = next(((does, allowed) for is_broken, does, allowed in clauses if is_broken), None)
    if broken is None:
        return None
    return f"is not a valid S3 bucket name: it {broken[0]} (allowed: {broken[1]}; S3 bucket naming rules)"


def _is_ip_address(name: str) -> bool:
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        return bool(re.fullmatch(r"\d+\.\d+\.\d+\.\d+", name))  # 999.1.1.1 is still "formatted as" one
    return True


def bucket_name_warning(name: str) -> str | None:
    """A valid name that still hurts: periods break virtual-hosted-style HTTPS (the *.s3.<region>.amazonaws.com
    certificate covers one label) and S3 Transfer Acceleration (S3 User Guide, bucket naming: "we recommend that
    you avoid using periods")."""
    if "." not in name:
        return None
    return ("has periods, which break HTTPS to the bucket's virtual-hosted-style address (the wildcard "
            "certificate covers one label) and S3 Transfer Acceleration (better: hyphens instead of periods)")


# A bucket named by `bucketPrefix` gets the prefix plus a 26-character unique suffix, a timestamp and a hex counter
# (terraform-plugin-sdk helper/id.PrefixedUniqueId, UniqueIDSuffixLength): digits stand in for it here.
BUCKET_PREFIX_SUFFIX_LENGTH = 26


def bucket_prefix_problem(prefix: str) -> str | None:
    problem = bucket_name_problem(prefix + "0" * BUCKET_PREFIX_SUFFIX_LENGTH)
    if problem is None:
        return None
    return (f"makes bucket names that S3 refuses: with the provider's {BUCKET_PREFIX_SUFFIX_LENGTH}-digit suffix the "
            f"name {problem.removeprefix('is not a valid S3 bucket name: it ')}")


# -- AWS Backup lifecycles, windows and schedules (API_Lifecycle, API_BackupRuleInput) ---------------------------
MIN_LIFECYCLE_DAYS = 1
MAX_LIFECYCLE_DAYS = 36_500  # API_Lifecycle
KEEP_FOREVER = -1  # API_Lifecycle: -1 on both DeleteAfterDays and MoveToColdStorageAfterDays
COLD_STORAGE_MINIMUM_DAYS = 90  # API_Lifecycle: DeleteAfterDays >= MoveToColdStorageAfterDays + 90
CONTINUOUS_BACKUP_MAX_DAYS = 35  # AWS Backup developer guide, "Continuous backups and point-in-time restore"
MIN_START_WINDOW_MINUTES = 60  # API_BackupRuleInput StartWindowMinutes ("must be at least 60 minutes")
# CreateBackupPlan refuses "The interval between backup jobs shouldn't be less than 60 minutes" (AWS's error text,
# quoted on AWS re:Post "Error scheduling backup every ten minutes in AWS Backup"); hourly is AWS's own example.
MIN_BACKUP_INTERVAL_MINUTES = 60


def lifecycle_days_problem(days: float) -> str | None:
    if MIN_LIFECYCLE_DAYS <= days <= MAX_LIFECYCLE_DAYS:
        return None
    return f"is outside the days AWS Backup accepts (allowed: {MIN_LIFECYCLE_DAYS} to {MAX_LIFECYCLE_DAYS} days)"


def cold_storage_gap_problem(cold: float, delete: float) -> str | None:
    """A deletion at `delete` days of a point moved to cold storage at `cold` days."""
    if delete >= cold + COLD_STORAGE_MINIMUM_DAYS:
        return None
    return (f"is less than {COLD_STORAGE_MINIMUM_DAYS} days after the move to cold storage at day {_n(cold)} (allowed: "
            f"{_n(cold + COLD_STORAGE_MINIMUM_DAYS)} or more: a point stays at least {COLD_STORAGE_MINIMUM_DAYS} days "
            f"in cold storage; API_Lifecycle)")


def continuous_retention_problem(delete: float | None) -> str | None:
    if delete is not None and MIN_LIFECYCLE_DAYS <= delete <= CONTINUOUS_BACKUP_MAX_DAYS:
        return None
    return (f"is outside what continuous backup keeps (allowed: {MIN_LIFECYCLE_DAYS} to {CONTINUOUS_BACKUP_MAX_DAYS} "
            "days, and required; keep longer retention in a snapshot rule)")


def continuous_cold_storage_problem(cold: float | None) -> str | None:
    if cold is None:
        return None
    return "is not allowed with continuous backup (allowed: none; point-in-time recovery has no cold storage)"


def start_window_problem(minutes: float) -> str | None:
    if minutes >= MIN_START_WINDOW_MINUTES:
        return None
    return f"is shorter than AWS Backup's start window (allowed: {MIN_START_WINDOW_MINUTES} minutes or more)"


SCHEDULE_FORM = "cron(minute hour day-of-month month day-of-week year), one day field '?', e.g. cron(0 5 ? * * *)"


def schedule_problem(schedule: str) -> str | None:
    """Why AWS Backup refuses the schedule: not its cron dialect, or runs less than an hour apart (measured
    exactly, over the calendar's full period: compliance/cron.py)."""
    try:
        runs = cron_gaps(schedule)
    except ScheduleError as error:
        return f"is not an AWS Backup cron expression: {error} (allowed: {SCHEDULE_FORM})"
    shortest = runs.shortest if runs is not None else None
    if shortest is not None and shortest.total_seconds() < MIN_BACKUP_INTERVAL_MINUTES * 60:
        return (f"runs {int(shortest.total_seconds() // 60)} minutes apart (allowed: backups at least "
                f"{MIN_BACKUP_INTERVAL_MINUTES} minutes apart)")
    return None


# -- vault lock (API_PutBackupVaultLockConfiguration) -------------------------------------------------------------
MIN_CHANGEABLE_FOR_DAYS = 3  # the 72-hour cooling-off before a compliance-mode lock is permanent
MIN_LOCK_RETENTION_DAYS = 1
MAX_LOCK_RETENTION_DAYS = MAX_LIFECYCLE_DAYS  # the same bound as a lifecycle's


def changeable_for_days_problem(days: float) -> str | None:
    if days >= MIN_CHANGEABLE_FOR_DAYS:
        return None
    return (f"is shorter than the lock's cooling-off (allowed: {MIN_CHANGEABLE_FOR_DAYS} days or more, the "
            f"{MIN_CHANGEABLE_FOR_DAYS * 24} hours before a compliance-mode lock is permanent)")


def lock_retention_problem(days: float) -> str | None:
    if MIN_LOCK_RETENTION_DAYS <= days <= MAX_LOCK_RETENTION_DAYS:
        return None
    return (f"is outside the retention a vault lock accepts (allowed: {MIN_LOCK_RETENTION_DAYS} to "
            f"{MAX_LOCK_RETENTION_DAYS} days)")


def lock_range_problem(low: float, high: float) -> str | None:
    """minRetentionDays against maxRetentionDays."""
    return None if low <= high else f"is above maxRetentionDays {_n(high)} (allowed: at most maxRetentionDays)"


# -- S3 replication (API_PutBucketReplication, S3 User Guide "Replication Time Control") --------------------------
MAX_REPLICATION_RULES = 1_000  # ReplicationConfiguration Rules: "can contain a maximum of 1,000 rules"
RTC_MINUTES = 15  # ReplicationTime and its Metrics EventThreshold accept 15 only
MAX_REPLICATION_RULE_ID = 255  # ReplicationRule ID
MAX_REPLICATION_PREFIX = 1_024  # ReplicationRuleFilter Prefix (an object key prefix: keys are at most 1,024 bytes)


# -- KMS, tags ---------------------------------------------------------------------------------------------------
# ScheduleKeyDeletion PendingWindowInDays: 7 to 30 days, 30 when unset (KMS API reference).
KMS_DELETION_WINDOW_DAYS = (7, 30)
KMS_DEFAULT_DELETION_WINDOW_DAYS = 30
# AWS managed keys (alias/aws/<service>) have policies nobody can change, so no other account can use them: a
# recovery point they encrypt cannot be copied to another account (AWS Backup Developer Guide, "Creating backup
# copies across AWS accounts": share a customer managed key with the destination account).
AWS_MANAGED_KEY_ALIAS = ":alias/aws/"
MAX_TAG_KEY = 128  # AWS tagging: keys 1 to 128 Unicode characters
MAX_TAG_VALUE = 256  # values 0 to 256

# -- AWS Organizations (Quotas for AWS Organizations) ---------------------------------------------------------------
# "Number of policies of each type in an organization": backup policies 1,000 (one per plan here; the organisation's
# other backup policies count too).
MAX_BACKUP_POLICIES = 1_000

# -- CloudFormation StackSets (CreateStackSet, API reference) -------------------------------------------------------
# TemplateBody: "a minimum length of 1 byte and a maximum length of 51,200 bytes" (larger templates go by TemplateURL).
MAX_STACK_SET_TEMPLATE_BYTES = 51_200


def _n(days: float) -> str:
    """A day count as typed: 35, not 35.0 (the engine sends numbers as floats)."""
    return str(int(days)) if float(days).is_integer() else str(days)
