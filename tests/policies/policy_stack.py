"""A compliant stack, as the engine sends it on a FIRST preview (ARNs/ids of new resources unknown), that passes
every mandatory policy of the strictest profile (sec-17a-4); tests change one field of it.

The same items feed the pure check functions (unit tests) and the pack process (protocol tests).
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any

from compliance.resources import (
    BUCKET,
    BUCKET_ENCRYPTION,
    BUCKET_REPLICATION,
    BUCKET_VERSIONING,
    KMS_KEY,
    PLAN,
    SELECTION,
    SNS_TOPIC,
    UNKNOWN_STRING,
    VAULT,
    VAULT_LOCK,
    VAULT_NOTIFICATIONS,
    VAULT_POLICY,
    Props,
    Resource,
    Stack,
)
from compliance.spec import PolicySpec, Violation

from preflight.pack_client import AnalyzedResource

UNKNOWN = UNKNOWN_STRING
ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"
REGION = "us-east-1"
DR_REGION = "us-west-2"
PREFIX = "aws-backups-prod"
REMOVE = object()  # `mutate(..., REMOVE)` deletes the key


def vault_arn(region: str, name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:backup:{region}:{account}:backup-vault:{name}"


@dataclass
class Item:
    type: str
    props: dict[str, Any]
    protect: bool = False
    deps: dict[str, list[str]] = field(default_factory=dict)  # property -> logical names
    depends_on: list[str] = field(default_factory=list)  # logical names


def urn(items: dict[str, Item], name: str) -> str:
    return f"urn:pulumi:prod::aws-backups::{items[name].type}::{name}"


DENY_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Sid": "DenyRecoveryPointDeletion", "Effect": "Deny", "Principal": {"AWS": "*"},
    "Action": ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"], "Resource": "*"}]})


def _vault_items(key: str, region: str) -> dict[str, Item]:
    name = f"{PREFIX}-{key}"
    linked = {"backupVaultName": [f"{key}-vault"]}
    return {
        f"{key}-key": Item(KMS_KEY, {"region": region, "enableKeyRotation": True, "deletionWindowInDays": 30,
                                     "policy": "{}"}, protect=True),
        f"{key}-vault": Item(VAULT, {"name": name, "region": region, "kmsKeyArn": UNKNOWN, "forceDestroy": False},
                             protect=True, deps={"kmsKeyArn": [f"{key}-key"]}),
        f"{key}-lock": Item(VAULT_LOCK, {"backupVaultName": name, "region": region, "changeableForDays": 3,
                                         "minRetentionDays": 7, "maxRetentionDays": 3650}, protect=True, deps=linked),
        f"{key}-policy": Item(VAULT_POLICY, {"backupVaultName": name, "region": region, "policy": DENY_POLICY},
                              deps=linked),
        f"{key}-topic": Item(SNS_TOPIC, {"name": f"{name}-events", "region": region, "kmsMasterKeyId": UNKNOWN},
                             protect=True),
        f"{key}-notifications": Item(
            VAULT_NOTIFICATIONS,
            {"backupVaultName": name, "region": region, "snsTopicArn": UNKNOWN,
             "backupVaultEvents": ["BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED", "S3_BACKUP_OBJECT_FAILED"]},
            deps={**linked, "snsTopicArn": [f"{key}-topic"]},
        ),
    }


def _bucket_items() -> dict[str, Item]:
    items: dict[str, Item] = {}
    for key, region, tags in (("data", REGION, {"backup:critical": "true"}), ("replica", DR_REGION, {})):
        bucket = f"{PREFIX}-{key}"
        items[f"{key}-bucket"] = Item(BUCKET, {"bucket": bucket, "region": region, "forceDestroy": False,
                                               "tags": tags}, protect=True)
        items[f"{key}-versioning"] = Item(
            BUCKET_VERSIONING, {"bucket": bucket, "region": region, "versioningConfiguration": {"status": "Enabled"}},
            deps={"bucket": [f"{key}-bucket"]})
        items[f"{key}-encryption"] = Item(
            BUCKET_ENCRYPTION,
            {"bucket": bucket, "region": region, "rules": [
                {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": UNKNOWN},
                 "bucketKeyEnabled": True}]},
            deps={"bucket": [f"{key}-bucket"]})
    items["replication"] = Item(
        BUCKET_REPLICATION,
        {"bucket": f"{PREFIX}-data", "region": REGION, "role": UNKNOWN, "rules": [{
            "id": "all", "status": "Enabled", "priority": 1, "filter": {"prefix": ""},
            "deleteMarkerReplication": {"status": "Disabled"},
            "destination": {
                "bucket": UNKNOWN, "storageClass": "STANDARD",
                "encryptionConfiguration": {"replicaKmsKeyId": UNKNOWN},
                "replicationTime": {"status": "Enabled", "time": {"minutes": 15}},
                "metrics": {"status": "Enabled", "eventThreshold": {"minutes": 15}},
            },
            "sourceSelectionCriteria": {"sseKmsEncryptedObjects": {"status": "Enabled"}},
        }]},
        deps={"bucket": ["data-bucket"], "rules": ["replica-bucket", "dr-key"]},
        depends_on=["data-versioning", "replica-versioning"],
    )
    return items


def _lifecycle(delete: int, cold: int | None = None) -> dict[str, Any]:
    return {"deleteAfter": delete} | ({"coldStorageAfter": cold} if cold is not None else {})


def compliant() -> dict[str, Item]:
    items = {**_vault_items("main", REGION), **_vault_items("dr", DR_REGION)}
    dr_arn = vault_arn(DR_REGION, f"{PREFIX}-dr")
    items["plan"] = Item(PLAN, {
        "name": f"{PREFIX}-daily", "region": REGION, "rules": [
            {"ruleName": "daily", "targetVaultName": f"{PREFIX}-main", "schedule": "cron(0 5 ? * * *)",
             "startWindow": 60, "completionWindow": 360, "lifecycle": _lifecycle(2555, 730),
             "copyActions": [{"destinationVaultArn": dr_arn, "lifecycle": _lifecycle(2555, 730)}]},
            {"ruleName": "pitr", "targetVaultName": f"{PREFIX}-main", "schedule": "cron(0 * ? * * *)",
             "enableContinuousBackup": True, "lifecycle": _lifecycle(35)},
        ]}, deps={"rules": ["main-vault"]})
    items["selection"] = Item(SELECTION, {
        "name": "tagged", "planId": UNKNOWN, "iamRoleArn": UNKNOWN, "region": REGION,
        "resources": ["arn:aws:rds:*:*:db:*", "arn:aws:ec2:*:*:volume/*"]}, deps={"planId": ["plan"]})
    items.update(_bucket_items())
    return items


_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def mutate(items: dict[str, Item], name: str, path: str, value: Any) -> dict[str, Item]:
    """A deep copy of `items` with one property of one item changed (`REMOVE` deletes it); `protect` is the option."""
    changed = copy.deepcopy(items)
    if path == "protect":
        changed[name].protect = value
        return changed
    steps = [key or int(index) for key, index in _STEP.findall(path)]
    target: Any = changed[name].props
    for step in steps[:-1]:
        target = target[step]
    if value is REMOVE:
        del target[steps[-1]]
    elif isinstance(target, list) and steps[-1] == len(target):
        target.append(value)
    else:
        target[steps[-1]] = value
    return changed


def without(items: dict[str, Item], *names: str) -> dict[str, Item]:
    return {key: item for key, item in copy.deepcopy(items).items() if key not in names}


def to_stack(items: dict[str, Item]) -> Stack:
    return Stack(
        (
            Resource(
                type=item.type, name=name, urn=urn(items, name), props=Props(item.props, item.type),
                protect=item.protect,
                property_dependencies={k: [urn(items, n) for n in v if n in items] for k, v in item.deps.items()},
                dependencies=[urn(items, n) for n in item.depends_on if n in items],
            )
            for name, item in items.items()
        ),
        default_region=REGION,
    )


def verdict(spec: PolicySpec, items: dict[str, Item], config: dict | None = None) -> list[Violation]:
    """The spec's violations on the stack: a stack policy once, a resource policy on every resource."""
    stack = to_stack(items)
    if spec.stack:
        return spec.run(stack, config)
    return [v for resource in stack.resources for v in spec.run(resource, config)]


def to_analyzed(items: dict[str, Item]) -> list[AnalyzedResource]:
    resources = []
    for name, item in items.items():
        deps = {k: [urn(items, n) for n in v if n in items] for k, v in item.deps.items()}
        resources.append(AnalyzedResource(
            type=item.type, name=name, urn=urn(items, name), properties=item.props, protect=item.protect,
            property_dependencies=deps,
            dependencies=sorted({u for urns in deps.values() for u in urns}
                                | {urn(items, n) for n in item.depends_on if n in items}),
        ))
    return resources
