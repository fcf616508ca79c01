"""Hypothesis strategies for policy fuzzing: resources of every type token the pack recognises, with the properties
its policies read (taken from each policy's declared `reads`) filled with plausible and hostile values: keys
missing, wrong types, floats for integers, strings for numbers, empty lists and objects, and the engine's unknown
sentinels. Stacks are a few such resources linked through random property dependencies."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from compliance.facts import UNKNOWN_SENTINELS
from compliance.registry import SPECS
from compliance.resources import KIND_OF_TOKEN, is_unknown, kind_of
from hypothesis import strategies as st

from preflight.engine_model import EngineModel
from preflight.pack_client import AnalyzedResource, ProviderRef

TOKENS = sorted(KIND_OF_TOKEN)
PROJECT = "aws-backups"
STACK = "fuzz"


def read_paths(token: str) -> list[str]:
    """Every property path a policy reads on a resource of this token's kind (v6 tokens get the v7 paths too)."""
    kind = kind_of(token)
    same_kind = [t for t in KIND_OF_TOKEN if kind_of(t) == kind]
    return sorted({path for spec in SPECS for t in same_kind for path in spec.reads.get(t, ())})


def _tree(paths: list[str]) -> dict[str, Any]:
    """`rules[].lifecycle.deleteAfter` -> {"rules[]": {"lifecycle": {"deleteAfter": {}}}}."""
    tree: dict[str, Any] = {}
    for path in paths:
        node = tree
        for part in re.findall(r"[^.\[\]]+(?:\[\])?", path):
            node = node.setdefault(part, {})
    return tree


# Values a policy may meet anywhere. Numbers as the engine sends them (floats), and as they should never come.
unknown = st.sampled_from(sorted(UNKNOWN_SENTINELS))
hostile = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**31), 2**31),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "35", "35.5", "-1", "1e3", "true", "Enabled", "Disabled", "*", "arn:aws:kms:::", "x" * 300]),
    st.text(max_size=12),
    st.just([]),
    st.just({}),
    st.lists(st.none() | st.integers() | st.text(max_size=4), max_size=3),
    unknown,
)
_days = st.sampled_from([1.0, 7.0, 35.0, 90.0, 91.0, 365.0, 2190.0, 36500.0, 36501.0, 0.0, -1.0, 35.5])
_arn = st.sampled_from([
    "arn:aws:backup:eu-west-1:123456789012:backup-vault:aws-backups-prod-primary",
    "arn:aws:backup:eu-central-1:222222222222:backup-vault:dr",
    "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555",
    "arn:aws:s3:::aws-backups-prod-invoices-replica",
    "arn:aws:sns:eu-west-1:123456789012:events",
    "arn:aws:kms:eu-west-1:123456789012:alias/aws/backup",
    "not-an-arn",
])
# Plausible values by the last part of a path, so policies get past their first checks.
PLAUSIBLE: dict[str, st.SearchStrategy[Any]] = {
    "schedule": st.sampled_from(["cron(0 5 * * ? *)", "cron(0/15 * * * ? *)", "cron(0 5 ? * SAT *)",
                                 "cron(0 5 1 * ? *)", "rate(1 hour)", "cron(bad)", "cron(0 5 L * ? *)"]),
    "region": st.sampled_from(["eu-west-1", "eu-central-1", "us-east-1"]),
    "status": st.sampled_from(["Enabled", "Disabled", "enabled"]),
    "sseAlgorithm": st.sampled_from(["aws:kms", "AES256", "aws:kms:dsse"]),
    "name": st.sampled_from(["aws-backups-prod-primary", "dr", "a", "bad name!", "x" * 60]),
    "bucket": st.sampled_from(["aws-backups-prod-invoices", "arn:aws:s3:::aws-backups-prod-invoices-replica"]),
    "backupVaultName": st.sampled_from(["aws-backups-prod-primary", "dr"]),
    "ruleName": st.sampled_from(["Daily", "Weekly", ""]),
    "targetVaultName": st.sampled_from(["aws-backups-prod-primary", "dr"]),
    "backupVaultEvents": st.lists(st.sampled_from(["BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED", "BACKUP_JOB_FAILED"]),
                                  max_size=3),
    "resources": st.lists(st.sampled_from(["*", "arn:aws:ec2:*:*:volume/*", "arn:aws:rds:*:*:db:*",
                                           "arn:aws:dynamodb:*:*:table/*", "arn:aws:floppy:*:*:disk/*"]),
                          max_size=3),
    "resourceTypeManagementPreference": st.dictionaries(st.sampled_from(["DynamoDB", "EFS", "Floppy"]),
                                                        st.booleans() | unknown, max_size=2),
    "tags": st.dictionaries(st.sampled_from(["backup:critical", "owner"]), st.sampled_from(["true", "false"]),
                            max_size=2),
    "policy": st.sampled_from([
        '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"*"},'
        '"Action":["backup:DeleteRecoveryPoint","backup:UpdateRecoveryPointLifecycle"],"Resource":"*"}]}',
        '{"Statement": "not a list"}', "not json", '{"Statement":[{"Effect":"Deny","Action":"backup:*"}]}',
    ]),
    "backupOptions": st.dictionaries(st.sampled_from(["WindowsVSS"]), st.sampled_from(["enabled", "disabled"])),
}
for _key in ("deleteAfter", "coldStorageAfter", "minRetentionDays", "maxRetentionDays", "changeableForDays",
             "startWindow", "deletionWindowInDays", "minutes", "priority"):
    PLAUSIBLE[_key] = _days
for _key in ("destinationVaultArn", "kmsKeyArn", "snsTopicArn", "replicaKmsKeyId", "planId"):
    PLAUSIBLE[_key] = _arn
for _key in ("forceDestroy", "enabled", "enableContinuousBackup", "optInToArchiveForSupportedResources"):
    PLAUSIBLE[_key] = st.booleans() | st.sampled_from(["true", "false"])


def _value(key: str, children: dict[str, Any]) -> st.SearchStrategy[Any]:
    """A value for `key` whose own properties are `children`: its plausible shape, or anything hostile."""
    name = key.removesuffix("[]")
    if children:
        shape: st.SearchStrategy[Any] = st.fixed_dictionaries(
            {}, optional={child: _value(child, grandchildren) for child, grandchildren in children.items()}
        )
        if key.endswith("[]"):
            shape = st.lists(shape, max_size=3)
    elif key.endswith("[]"):
        shape = st.lists(PLAUSIBLE.get(name, hostile), max_size=3)
    else:
        shape = PLAUSIBLE.get(name, hostile)
    return st.one_of(shape, shape, hostile)  # the plausible shape twice as often: deeper branches get reached


def properties(token: str) -> st.SearchStrategy[dict[str, Any]]:
    """Input properties of a resource of `token`: each key a policy reads may be missing, plausible or hostile."""
    tree = _tree(read_paths(token))
    return st.fixed_dictionaries({}, optional={key.removesuffix("[]"): _value(key, children)
                                               for key, children in tree.items()})


def has_unknown(value: Any) -> bool:
    if isinstance(value, dict):
        return any(has_unknown(item) for item in value.values())
    if isinstance(value, list):
        return any(has_unknown(item) for item in value)
    return is_unknown(value)


PROVIDER_URN = f"urn:pulumi:{STACK}::{PROJECT}::pulumi:providers:aws::p"
providers = st.none() | st.builds(
    lambda region: ProviderRef(type="pulumi:providers:aws", urn=PROVIDER_URN, name="p",
                               properties={} if region is None else {"region": region}),
    st.none() | PLAUSIBLE["region"] | hostile,
)


@st.composite
def resources(draw: st.DrawFn, token: str | None = None, index: int = 0) -> AnalyzedResource:
    token = token or draw(st.sampled_from(TOKENS))
    name = f"r{index}"
    return AnalyzedResource(
        type=token,
        name=name,
        urn=f"urn:pulumi:{STACK}::{PROJECT}::{token}::{name}",
        properties=draw(properties(token)),
        protect=draw(st.booleans()),
        provider=draw(providers),
    )


@dataclass
class FuzzStack:
    resources: list[AnalyzedResource] = field(default_factory=list)

    @property
    def has_unknown(self) -> bool:
        return any(has_unknown(r.properties) or (r.outputs is not None and has_unknown(r.outputs))
                   or (r.provider and has_unknown(r.provider.properties)) for r in self.resources)


def engine_shaped(resource: AnalyzedResource, preview: bool) -> AnalyzedResource:
    """The resource as the engine would send it (preflight's engine model): checked inputs, and its outputs planned
    at a first preview or read back after `pulumi up`. Junk in, whatever the model makes of it out."""
    model = EngineModel(preview=preview, default_region="eu-west-1")
    provider = resource.provider.properties if resource.provider else {}
    checked = model.check(resource.type, resource.name, resource.properties, provider)
    _, outputs = model.create(resource.type, resource.name, checked)
    return dataclasses.replace(resource, properties=checked, outputs=outputs)


@st.composite
def stacks(draw: st.DrawFn) -> FuzzStack:
    """A few resources; each top-level property may depend on others (or on a URN that is not in the stack)."""
    members = [draw(resources(index=index)) for index in range(draw(st.integers(1, 8)))]
    shape = draw(st.sampled_from(("inputs", "planned", "read-back")))
    if shape != "inputs":
        members = [engine_shaped(member, preview=shape == "planned") for member in members]
    urns = [r.urn for r in members] + [f"urn:pulumi:{STACK}::{PROJECT}::aws:s3/bucket:Bucket::elsewhere"]
    for member in members:
        keys = sorted(member.properties)
        for key in draw(st.lists(st.sampled_from(keys), unique=True)) if keys else []:
            member.property_dependencies[key] = draw(st.lists(st.sampled_from(urns), min_size=1, max_size=3))
        member.dependencies = sorted({u for us in member.property_dependencies.values() for u in us})
    return FuzzStack(members)
