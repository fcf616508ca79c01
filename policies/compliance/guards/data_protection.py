"""Data a config edit cannot destroy: vaults, buckets, KMS keys and backup notification topics protected; vaults
and buckets not force-destroyed; KMS keys with a long deletion window."""

from __future__ import annotations

from collections.abc import Iterator

from compliance import facts
from compliance.resources import BUCKET, KMS_KEY, SNS_TOPIC, VAULT, VAULT_NOTIFICATIONS, Resource, Stack
from compliance.spec import PolicySpec, Violation, days


def _notification_topics(stack: Stack) -> list[Resource]:
    return [t for n in stack.of_kind(VAULT_NOTIFICATIONS) for t in stack.linked(n, "snsTopicArn", SNS_TOPIC)]


def check_deletion_protection(stack: Stack, config: dict) -> Iterator[Violation]:
    window = float(config["kmsDeletionWindowDays"])
    data = stack.of_kind(VAULT) + stack.of_kind(BUCKET) + stack.of_kind(KMS_KEY)
    data += [t for t in dict.fromkeys(_notification_topics(stack)) if t not in data]
    for resource in data:
        if not resource.protect:
            yield Violation(
                f"{resource.type} '{resource.name}' is not protected; a config edit that drops or replaces it "
                f"deletes its data. Set the resource option protect (and retainOnDelete) (stack config: "
                f"aws-backups:production: true).",
                resource.urn,
            )
        if resource.kind in (VAULT, BUCKET) and resource.props.flag("forceDestroy"):
            yield Violation(
                f"{resource.type} '{resource.name}' has forceDestroy true: deleting it deletes everything in it. Set "
                f"forceDestroy false on the resource (our components always do: no aws-backups: key turns it on).",
                resource.urn,
            )
        if resource.kind == KMS_KEY:
            deletion = resource.props.days("deletionWindowInDays")
            if deletion is not None and deletion < window:  # unset: AWS's default (facts.KMS_DEFAULT_...)
                yield Violation(
                    f"KMS key '{resource.name}' has deletionWindowInDays {days(deletion)}; the profile requires "
                    f"{days(window)} so a scheduled deletion can be noticed and cancelled. Set deletionWindowInDays "
                    f"{days(window)} on the KMS key (or leave it unset: AWS's default is "
                    f"{facts.KMS_DEFAULT_DELETION_WINDOW_DAYS}); our components set "
                    f"{facts.KMS_DELETION_WINDOW_DAYS[1]} for every key they create from aws-backups:vaults[] and "
                    f"aws-backups:replication[].",
                    resource.urn,
                )


DELETION_PROTECTION = PolicySpec(
    name="aws-backup-data-require-deletion-protection",
    description="Data-bearing resources (vaults, buckets, KMS keys, backup notification topics) are protected; "
                "vaults and buckets are not force-destroyed; KMS keys have a long deletion window (default "
                f"{facts.KMS_DELETION_WINDOW_DAYS[1]} days).",
    why="Data is never lost by a config edit (README.md, What it is: protect and retainOnDelete in production). "
        "retainOnDelete is not visible to policies (the "
        "Analyzer protocol has no such field); program tests prove it.",
    severity="critical",
    remediation="Set protect (and retainOnDelete) on the resource (aws-backups:production: true in our stacks), "
                f"forceDestroy false, deletionWindowInDays {facts.KMS_DELETION_WINDOW_DAYS[1]}.",
    reads={VAULT: ("forceDestroy",), BUCKET: ("forceDestroy",), KMS_KEY: ("deletionWindowInDays",),
           VAULT_NOTIFICATIONS: ("snsTopicArn",), SNS_TOPIC: ()},
    check=check_deletion_protection,
    stack=True,
    knobs={"kmsDeletionWindowDays": {"type": "integer", "minimum": facts.KMS_DELETION_WINDOW_DAYS[0],
                                     "maximum": facts.KMS_DELETION_WINDOW_DAYS[1],
                                     "default": facts.KMS_DELETION_WINDOW_DAYS[1],
                                     "description": "Shortest KMS key deletion window accepted."}},
)


POLICIES = [DELETION_PROTECTION]
