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

from compliance import facts
from compliance.resources import (
    BUCKET,
    BUCKET_ENCRYPTION,
    BUCKET_LIFECYCLE,
    BUCKET_OBJECT_LOCK,
    BUCKET_POLICY,
    BUCKET_REPLICATION,
    BUCKET_VERSIONING,
    FRAMEWORK,
    KMS_KEY,
    PLAN,
    REPORT_PLAN,
    RESTORE_TESTING_PLAN,
    RESTORE_TESTING_SELECTION,
    SELECTION,
    SNS_TOPIC,
    VAULT,
    VAULT_LOCK,
    VAULT_NOTIFICATIONS,
    VAULT_POLICY,
    Props,
    Resource,
    Stack,
)
from compliance.spec import PolicySpec, Violation

from preflight.engine_model import EngineModel
from preflight.pack_client import AnalyzedResource

UNKNOWN = facts.UNKNOWN_STRING
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
    default_tags: dict[str, str] = field(default_factory=dict)  # its provider's defaultTags

    @property
    def sent(self) -> dict[str, Any]:
        """The props as the tables send them ("inputs"): with `tagsAll` when the provider has default tags, as
        the provider's Check would fill it."""
        if not self.default_tags:
            return self.props
        return {**self.props, "tagsAll": {**self.default_tags, **(self.props.get("tags") or {})}}


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


REPORTS_BUCKET = f"{PREFIX}-backup-reports-{REGION}"
REPORT_TEMPLATES = ("RESOURCE_COMPLIANCE_REPORT", "CONTROL_COMPLIANCE_REPORT", "BACKUP_JOB_REPORT", "COPY_JOB_REPORT",
                    "RESTORE_JOB_REPORT")
TLS_ONLY_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
    "Resource": [f"arn:aws:s3:::{REPORTS_BUCKET}", f"arn:aws:s3:::{REPORTS_BUCKET}/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})


def _evidence_items() -> dict[str, Item]:
    """The profile's evidence (sox's and sec-17a-4's figures: kept 2,555 days): a framework of its figures, report
    plans into a locked bucket, restore tests of the types the plan selects."""
    parameters = {"BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK": {
        "requiredFrequencyUnit": "hours", "requiredFrequencyValue": "24", "requiredRetentionDays": "2555"},
        "BACKUP_LAST_RECOVERY_POINT_CREATED": {"recoveryPointAgeUnit": "hours", "recoveryPointAgeValue": "24"},
        "BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK": {"requiredRetentionDays": "2555"}}
    names = ("BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN", "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK",
             "BACKUP_RECOVERY_POINT_ENCRYPTED", "BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED",
             "BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION", "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK",
             "BACKUP_LAST_RECOVERY_POINT_CREATED", "BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK")
    controls = [{"name": name, "inputParameters": [{"name": key, "value": value}
                                                   for key, value in parameters.get(name, {}).items()]}
                for name in names]
    items = {"framework": Item(FRAMEWORK, {"name": "aws_backups_prod_sec_17a_4", "region": REGION,
                                           "controls": controls})}
    on_bucket = {"bucket": ["reports-bucket"]}
    items["reports-key"] = Item(KMS_KEY, {"region": REGION, "enableKeyRotation": True, "deletionWindowInDays": 30,
                                          "policy": "{}"}, protect=True)
    items["reports-bucket"] = Item(BUCKET, {"bucket": REPORTS_BUCKET, "region": REGION, "forceDestroy": False,
                                            "objectLockEnabled": True}, protect=True)
    items["reports-versioning"] = Item(BUCKET_VERSIONING, {
        "bucket": REPORTS_BUCKET, "region": REGION, "versioningConfiguration": {"status": "Enabled"}}, deps=on_bucket)
    items["reports-encryption"] = Item(BUCKET_ENCRYPTION, {"bucket": REPORTS_BUCKET, "region": REGION, "rules": [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": UNKNOWN},
         "bucketKeyEnabled": True}]}, deps={**on_bucket, "rules": ["reports-key"]})
    items["reports-tls-only"] = Item(BUCKET_POLICY, {"bucket": REPORTS_BUCKET, "region": REGION,
                                                     "policy": TLS_ONLY_POLICY}, deps=on_bucket)
    items["reports-object-lock"] = Item(BUCKET_OBJECT_LOCK, {"bucket": REPORTS_BUCKET, "region": REGION, "rule": {
        "defaultRetention": {"mode": "COMPLIANCE", "days": 2555}}}, deps=on_bucket)
    items["reports-lifecycle"] = Item(BUCKET_LIFECYCLE, {"bucket": REPORTS_BUCKET, "region": REGION, "rules": [
        {"id": "keep", "status": "Enabled", "filter": {"prefix": ""}, "expiration": {"days": 2555},
         "noncurrentVersionExpiration": {"noncurrentDays": 2555}},
        # Its expiration days are the provider's (unknown on a first preview): nothing to judge.
        {"id": "markers", "status": "Enabled", "filter": {"prefix": ""},
         "expiration": {"expiredObjectDeleteMarker": True}}]}, deps=on_bucket)
    for template in REPORT_TEMPLATES:
        on_framework = template in ("RESOURCE_COMPLIANCE_REPORT", "CONTROL_COMPLIANCE_REPORT")
        items[f"report-{template.lower()}"] = Item(REPORT_PLAN, {
            "name": f"aws_backups_prod_{template.lower()}", "region": REGION,
            "reportDeliveryChannel": {"s3BucketName": REPORTS_BUCKET, "formats": ["CSV"]},
            "reportSetting": {"reportTemplate": template, **({"frameworkArns": [UNKNOWN]} if on_framework else {})}},
            deps={"reportDeliveryChannel": ["reports-bucket"],
                  **({"reportSetting": ["framework"]} if on_framework else {})})
    items["restore-testing"] = Item(RESTORE_TESTING_PLAN, {
        "name": "aws_backups_prod_restore_testing", "region": REGION, "scheduleExpression": "cron(0 6 ? * SAT *)",
        "startWindowHours": 24, "recoveryPointSelection": {
            "algorithm": "RANDOM_WITHIN_WINDOW", "includeVaults": [vault_arn(REGION, f"{PREFIX}-main")],
            "recoveryPointTypes": ["SNAPSHOT"], "selectionWindowDays": 30}})
    for kind in ("RDS", "EBS"):
        items[f"restore-testing-{kind.lower()}"] = Item(RESTORE_TESTING_SELECTION, {
            "name": kind, "restoreTestingPlanName": "aws_backups_prod_restore_testing", "region": REGION,
            "protectedResourceType": kind, "iamRoleArn": UNKNOWN, "protectedResourceArns": ["*"],
            "validationWindowHours": 4}, deps={"restoreTestingPlanName": ["restore-testing"]})
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
    items.update(_evidence_items())
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
                type=item.type, name=name, urn=urn(items, name),
                props=Props(item.sent, item.type, owner=urn(items, name)), protect=item.protect,
                property_dependencies={k: [urn(items, n) for n in v if n in items] for k, v in item.deps.items()},
                dependencies=[urn(items, n) for n in item.depends_on if n in items],
                from_outputs=True,
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


# What the pack is sent: the items as they are ("inputs": the shape the tables are written in), or as the engine
# sends them, through preflight's engine model: checked inputs to Analyze and, to AnalyzeStack, the outputs planned
# on a first preview ("planned") or read back after `pulumi up` ("read-back").
SHAPES = ("inputs", "planned", "read-back")
# After `pulumi up` a value that was unknown is the output of the resource it came from: which output.
_OUTPUT_FOR = {"planId": "id", "targetVaultName": "name", "backupVaultName": "name"}


def _known_after_up(items: dict[str, Item], outputs: dict[str, tuple[str, dict]]) -> dict[str, Item]:
    """The items as after `pulumi up`: each unknown value replaced by the output of the item it came from (its
    `deps` on the top-level property; the first whose output exists). Unknowns from no item stay unknown."""
    known = copy.deepcopy(items)

    def resolve(value: Any, leaf: str, sources: list[str]) -> Any:
        if isinstance(value, dict):
            return {k: resolve(v, k, sources) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v, leaf, sources) for v in value]
        if value != UNKNOWN:
            return value
        wanted = _OUTPUT_FOR.get(leaf, "arn")
        for source in sources:
            resource_id, found = outputs[source]
            candidate = resource_id if wanted == "id" else found.get(wanted, found.get("bucket"))
            if isinstance(candidate, str) and candidate != UNKNOWN:
                return candidate
        return value

    for item in known.values():
        item.props = {k: resolve(v, k, [n for n in item.deps.get(k, []) if n in items]) for k, v in item.props.items()}
    return known


def _engine_shaped(items: dict[str, Item], shape: str) -> dict[str, tuple[dict, dict]]:
    """name -> (checked inputs, outputs) as the engine model gives them for the shape."""
    model = EngineModel(preview=shape == "planned", default_region=REGION, account_id=ACCOUNT)

    def shaped(source: dict[str, Item]) -> dict[str, tuple[str, dict, dict]]:
        found = {}
        for name, item in source.items():
            provider = {"region": REGION, "defaultTags": {"tags": item.default_tags}}
            checked = model.check(item.type, name, item.props, provider)
            resource_id, outputs = model.create(item.type, name, checked)
            found[name] = (resource_id, checked, outputs)
        return found

    first = shaped(items)
    if shape == "read-back":
        first = shaped(_known_after_up(items, {n: (i, o) for n, (i, _, o) in first.items()}))
    return {name: (checked, outputs) for name, (_, checked, outputs) in first.items()}


def to_analyzed(items: dict[str, Item], shape: str = "inputs") -> list[AnalyzedResource]:
    shaped = _engine_shaped(items, shape) if shape != "inputs" else {}
    resources = []
    for name, item in items.items():
        deps = {k: [urn(items, n) for n in v if n in items] for k, v in item.deps.items()}
        checked, outputs = shaped.get(name, (item.sent, None))
        resources.append(AnalyzedResource(
            type=item.type, name=name, urn=urn(items, name), properties=checked, outputs=outputs,
            protect=item.protect, property_dependencies=deps,
            dependencies=sorted({u for urns in deps.values() for u in urns}
                                | {urn(items, n) for n in item.depends_on if n in items}),
        ))
    return resources
