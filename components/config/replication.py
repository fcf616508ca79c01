"""One item of the `aws-backups:replication` list: an S3 bucket replicated to another region (or account).

The shape (types, ranges, allowed values) is checked by pydantic; `problems()` adds the cross-field checks that AWS
would only make at `pulumi up` time, or never (replication that is accepted and then silently does nothing).
Paths are relative to the item, so the loader prints `aws-backups:replication[0].rules[1].priority`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

from compliance import facts
from pydantic import AfterValidator, Field

from components.config.base import (
    AccountId,
    ConfigModel,
    Problem,
    Region,
    TagMap,
    arn_in_known_region,
    checked,
    physical_name,
    within,
)

# S3's general purpose bucket naming rules, in full (compliance.facts; the pack's bucket-name policy calls the same).
BucketName = Annotated[str, *checked(lambda name: facts.bucket_name_problem(name), "an S3 bucket name")]
# Part of derived physical names (`<prefix>-<name>`, `<prefix>-<name>-replica`), so stricter than a bucket name.
ItemName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]
KmsKeyArn = Annotated[str, Field(pattern=r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[0-9a-f-]{36}$"),
                      AfterValidator(arn_in_known_region)]
TopicArn = Annotated[str, Field(pattern=r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$"),
                     AfterValidator(arn_in_known_region)]
# S3 keeps a noncurrent version at least a day; this project allows no lifecycle longer than AWS Backup's.
ExpiryDays = Annotated[int, Field(ge=1, le=facts.MAX_LIFECYCLE_DAYS)]
RuleList = Annotated[list["ReplicationRuleConfig"], Field(min_length=1), *checked(
    lambda rules: None if len(rules) <= facts.MAX_REPLICATION_RULES else
    f"has {len(rules)} rules (allowed: at most {facts.MAX_REPLICATION_RULES}; PutBucketReplication)",
    "a list of replication rules")]
# Destination storage classes of a general-purpose bucket (S3 API `Destination.StorageClass`, without the
# Outposts/Snow/Express/FSx classes that only exist for special bucket types).
StorageClass = Literal[
    "STANDARD",
    "STANDARD_IA",
    "ONEZONE_IA",
    "INTELLIGENT_TIERING",
    "GLACIER_IR",
    "GLACIER",
    "DEEP_ARCHIVE",
    "REDUCED_REDUNDANCY",
]


class SourceBucketConfig(ConfigModel):
    """The bucket whose objects are replicated: created here, or an existing bucket adopted by name."""

    bucket_name: BucketName | None = None
    adopt: bool = False
    region: Region | None = None
    noncurrent_version_expiry_days: ExpiryDays | None = 90
    # An adopted bucket keeps its own policy, public access block, ownership controls and lifecycle rules unless
    # this is true: each of those is a whole-bucket setting, so managing it here replaces what the owners set.
    replace_existing_settings: bool = False

    def problems(self) -> list[Problem]:
        found = []
        if self.adopt and self.bucket_name is None:
            found.append(
                Problem(("bucketName",), None, "is required with adopt: true (allowed: the existing bucket's name)")
            )
        if (
            self.adopt
            and not self.replace_existing_settings
            and "noncurrent_version_expiry_days" in self.model_fields_set
            and self.noncurrent_version_expiry_days is not None
        ):
            found.append(
                Problem(
                    ("noncurrentVersionExpiryDays",),
                    self.noncurrent_version_expiry_days,
                    "is not applied to an adopted bucket: its lifecycle rules are the owners' (allowed: set "
                    "replaceExistingSettings: true to manage them here, or remove the key)",
                )
            )
        if self.replace_existing_settings and not self.adopt:
            found.append(
                Problem(
                    ("replaceExistingSettings",),
                    True,
                    "only applies to an adopted bucket; a created bucket is always fully managed (allowed: omit it, "
                    "or set adopt: true)",
                )
            )
        return found


class DestinationBucketConfig(ConfigModel):
    """The replica: a bucket created here in `region`, or a bucket of another account (`accountId`)."""

    region: Region
    bucket_name: BucketName | None = None
    account_id: AccountId | None = None
    replica_kms_key_arn: KmsKeyArn | None = None
    storage_class: StorageClass = "STANDARD"
    noncurrent_version_expiry_days: ExpiryDays | None = 90

    def problems(self) -> list[Problem]:
        if self.account_id is None:
            if self.replica_kms_key_arn is not None:
                return [
                    Problem(
                        ("replicaKmsKeyArn",),
                        self.replica_kms_key_arn,
                        "is only for a destination in another account; in this account the replica key is created "
                        "here (allowed: omit it, or set accountId)",
                    )
                ]
            return []
        found = [
            Problem(
                (key,),
                None,
                f"is required for a destination in account {self.account_id}: that account's "
                "bucket and key are not created here (allowed: the other account's bucket name / key ARN)",
            )
            for key, given in (("bucketName", self.bucket_name), ("replicaKmsKeyArn", self.replica_kms_key_arn))
            if given is None
        ]
        key_region = self.replica_kms_key_arn.split(":")[3] if self.replica_kms_key_arn else self.region
        if key_region != self.region:
            found.append(
                Problem(
                    ("replicaKmsKeyArn",),
                    self.replica_kms_key_arn,
                    f"is a key in {key_region}; S3 needs the replica key in the destination region (allowed: a key "
                    f"in {self.region})",
                )
            )
        return found


class ReplicationRuleConfig(ConfigModel):
    """One rule of the V2 replication configuration (filter, priority, status, delete-marker choice)."""

    id: Annotated[str, Field(min_length=1, max_length=facts.MAX_REPLICATION_RULE_ID)]
    priority: Annotated[int, Field(ge=0)]
    enabled: bool = True
    prefix: Annotated[str, Field(max_length=facts.MAX_REPLICATION_PREFIX)] | None = None
    tags: TagMap = {}
    # No default on purpose: replicating delete markers also replicates a ransomware deletion; not replicating
    # them keeps deleted objects readable in the replica. Ops must choose.
    delete_marker_replication: bool
    metrics: bool = True
    replication_time_control: bool = True

    def problems(self) -> list[Problem]:
        found = []
        if self.replication_time_control and not self.metrics:
            found.append(
                Problem(
                    ("replicationTimeControl",),
                    True,
                    "needs replication metrics, and metrics is false: S3 rejects RTC without metrics (allowed: "
                    "metrics: true, or replicationTimeControl: false)",
                )
            )
        if self.delete_marker_replication and self.tags:
            found.append(
                Problem(
                    ("deleteMarkerReplication",),
                    True,
                    "is not possible with a tag filter: S3 rejects delete-marker replication in rules that filter on "
                    "tags (allowed: false, or remove `tags`)",
                )
            )
        return found


class AlarmsConfig(ConfigModel):
    """Where the replication alarms go: the notification topic of a vault of this stack, or a topic ARN."""

    vault: str | None = None
    topic_arn: TopicArn | None = None

    def problems(self, source_region: str | None, topic_regions: Mapping[str, str | None] | None) -> list[Problem]:
        """`topic_regions`: each vault of the stack -> the region of its notification topic (None: it has none).
        CloudWatch alarms (in the source bucket's region) can only notify a topic of their own region."""
        if (self.vault is None) == (self.topic_arn is None):
            return [
                Problem(
                    (),
                    {"vault": self.vault, "topicArn": self.topic_arn},
                    "needs exactly one target (allowed: `vault`, a vault of this stack with notifications, or "
                    "`topicArn`)",
                )
            ]
        if self.topic_arn is not None:
            key, value, topic_region = "topicArn", self.topic_arn, self.topic_arn.split(":")[3]
        elif topic_regions is not None and self.vault in topic_regions:
            key, value, topic_region = "vault", self.vault, topic_regions[self.vault]
            if topic_region is None:
                return [
                    Problem(
                        (key,),
                        value,
                        "has no notifications, so no topic for the alarms (allowed: a vault with `notifications`, "
                        "or `topicArn`)",
                    )
                ]
        else:
            return []  # an unknown vault is reported by the stack's reference check
        if source_region is not None and topic_region != source_region:
            return [
                Problem(
                    (key,),
                    value,
                    f"has its topic in {topic_region}, but the alarms are in the source bucket's region "
                    f"{source_region} and CloudWatch only notifies a topic of its own region (allowed: a topic in "
                    f"{source_region})",
                )
            ]
        return []


class ReplicationConfig(ConfigModel):
    """One `aws-backups:replication[i]` item."""

    name: ItemName
    tags: TagMap = {}
    source: SourceBucketConfig
    destination: DestinationBucketConfig
    cross_region: bool = True
    bidirectional: bool = False
    rules: RuleList
    alarms: AlarmsConfig

    def source_bucket_name(self, name_prefix: str) -> str:
        return self.source.bucket_name or physical_name(name_prefix, self.name)

    def replica_bucket_name(self, name_prefix: str) -> str:
        return self.destination.bucket_name or physical_name(name_prefix, f"{self.name}-replica")

    def role_name(self, name_prefix: str) -> str:
        return physical_name(name_prefix, f"{self.name}-replication")

    def problems(
        self,
        name_prefix: str,
        default_region: str | None = None,
        topic_regions: Mapping[str, str | None] | None = None,
    ) -> list[Problem]:
        """Cross-field problems. `default_region` is `aws:region` (the source's region when it sets none);
        `topic_regions` maps each vault of the stack to its notification topic's region (None: no topic)."""
        source_region = self.source.region or default_region
        found = self._derived_name_problems(name_prefix)
        found += within(("source",), self.source.problems())
        found += within(("destination",), self.destination.problems())
        found += within(("alarms",), self.alarms.problems(source_region, topic_regions))
        for index, rule in enumerate(self.rules):
            found += within(("rules", index), rule.problems())
        found += self._duplicate_rule_keys()
        if self.cross_region and self.destination.region == source_region:
            found.append(
                Problem(
                    ("destination", "region"),
                    self.destination.region,
                    "is the source bucket's region, and crossRegion is true (allowed: any other region, or "
                    "crossRegion: false for a same-region replica)",
                )
            )
        if self.bidirectional and self.destination.account_id is not None:
            found.append(
                Problem(
                    ("bidirectional",),
                    True,
                    "is not possible with a destination in another account: the way back would be configured in "
                    "that account (allowed: false)",
                )
            )
        return found

    def _derived_name_problems(self, name_prefix: str) -> list[Problem]:
        """Names built from namePrefix and `name` must still be valid AWS names. A bucket name that is refused
        whatever the item's name is the namePrefix's problem, reported once by the stack
        (`StackConfig.problems`)."""
        found = []
        prefix_refused = facts.bucket_name_problem(physical_name(name_prefix, "a")) is not None
        for derived, given in (
            (self.source_bucket_name(name_prefix), self.source.bucket_name),
            (self.replica_bucket_name(name_prefix), self.destination.bucket_name),
        ):
            problem = facts.bucket_name_problem(derived)
            if given is None and problem and not prefix_refused:
                found.append(Problem(("name",), self.name, f"makes the bucket name {derived!r}, which {problem}"))
        role = self.role_name(name_prefix)
        if problem := facts.name_problem(facts.ROLE_NAME, role):
            found.append(Problem(("name",), self.name, f"makes the replication role name {role!r}, which {problem}"))
        return found

    def _duplicate_rule_keys(self) -> list[Problem]:
        found = []
        for key, value_of in (("priority", lambda r: r.priority), ("id", lambda r: r.id)):
            first_use: dict[object, int] = {}
            for index, rule in enumerate(self.rules):
                value = value_of(rule)
                if value in first_use:
                    found.append(
                        Problem(
                            ("rules", index, key),
                            value,
                            f"is already used by rules[{first_use[value]}] (allowed: a {key} no other rule uses)",
                        )
                    )
                first_use.setdefault(value, index)
        return found
