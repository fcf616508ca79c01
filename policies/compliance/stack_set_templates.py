"""The vaults of a CloudFormation StackSet's template (any stack's StackSet, JSON or YAML), as the pulumi-aws
resources the pack's vault policies judge: each AWS::Backup::BackupVault becomes a vault with its lock, access
policy and notifications, each AWS::KMS::Key and AWS::SNS::Topic a key and a topic. A template value that is an
intrinsic function (`Ref`, `Fn::GetAtt`, `Fn::Sub`, ...) is unknown until CloudFormation resolves it in a member
account, as an output of another resource is at preview, and links to the template resources it names, as a
property dependency does. `DeletionPolicy` and `UpdateReplacePolicy` Retain are CloudFormation's `protect`.

Sources: AWS CloudFormation template reference, AWS::Backup::BackupVault (BackupVaultName, EncryptionKeyArn,
LockConfiguration, AccessPolicy, Notifications), AWS::KMS::Key (PendingWindowInDays, KeyPolicy), AWS::SNS::Topic;
"DeletionPolicy attribute", "UpdateReplacePolicy attribute", "Intrinsic function reference".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import yaml

from compliance import facts
from compliance.embedded import Embedding, replacing
from compliance.resources import (
    KMS_KEY,
    SNS_TOPIC,
    STACK_SET,
    VAULT,
    VAULT_LOCK,
    VAULT_NOTIFICATIONS,
    VAULT_POLICY,
    Props,
    Resource,
)

UNKNOWN = facts.UNKNOWN_STRING
RETAIN = ("Retain", "RetainExceptOnCreate")
# CloudFormation type -> (kind, template property -> pulumi-aws input name).
TEMPLATE_TYPES: dict[str, tuple[str, dict[str, str]]] = {
    "AWS::Backup::BackupVault": (VAULT, {"BackupVaultName": "name", "EncryptionKeyArn": "kmsKeyArn"}),
    "AWS::KMS::Key": (KMS_KEY, {"PendingWindowInDays": "deletionWindowInDays", "EnableKeyRotation":
                                "enableKeyRotation", "KeyPolicy": "policy"}),
    "AWS::SNS::Topic": (SNS_TOPIC, {"TopicName": "name", "KmsMasterKeyId": "kmsMasterKeyId"}),
}
# A vault's settings that pulumi-aws has as resources of their own, named by `backupVaultName`.
VAULT_SETTINGS: dict[str, tuple[str, dict[str, str]]] = {
    "LockConfiguration": (VAULT_LOCK, {"MinRetentionDays": "minRetentionDays", "MaxRetentionDays":
                                       "maxRetentionDays", "ChangeableForDays": "changeableForDays"}),
    "AccessPolicy": (VAULT_POLICY, {}),
    "Notifications": (VAULT_NOTIFICATIONS, {"SNSTopicArn": "snsTopicArn", "BackupVaultEvents": "backupVaultEvents"}),
}
_SUB_REFERENCE = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}")


class _TemplateLoader(yaml.SafeLoader):
    """YAML templates: the short forms (`!Ref X`, `!GetAtt X.Y`, `!Sub ...`) as their long forms."""


def _short_form(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {"Ref" if suffix == "Ref" else f"Fn::{suffix}": value}


_TemplateLoader.add_multi_constructor("!", _short_form)


def parse_template(body: str) -> dict[str, Any] | None:
    """The template as a document (JSON, else YAML), or None when it is neither or has no `Resources` map."""
    try:
        template = json.loads(body)
    except json.JSONDecodeError:
        try:
            template = yaml.load(body, Loader=_TemplateLoader)  # a SafeLoader, with CloudFormation's tags
        except yaml.YAMLError:
            return None
    if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
        return None
    return template


def _references(node: Any) -> Iterator[str]:
    """The logical IDs an intrinsic function names (Ref, Fn::GetAtt, `${X}` in Fn::Sub), at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                yield value
            elif key == "Fn::GetAtt":
                target = value[0] if isinstance(value, list) and value else value
                if isinstance(target, str):
                    yield target.split(".", 1)[0]
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) and value else value
                if isinstance(text, str):
                    yield from _SUB_REFERENCE.findall(text)
            yield from _references(value)
    elif isinstance(node, list):
        for item in node:
            yield from _references(item)


def _is_intrinsic(node: Any) -> bool:
    if not isinstance(node, dict) or len(node) != 1:
        return False
    key = next(iter(node))
    return key in ("Ref", "Condition") or key.startswith("Fn::")


def _value(node: Any) -> Any:
    """A template value as the engine would send it: an intrinsic is unknown; whole numbers are floats."""
    if _is_intrinsic(node):
        return UNKNOWN
    if isinstance(node, dict):
        return {key: _value(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_value(item) for item in node]
    if isinstance(node, int) and not isinstance(node, bool):
        return float(node)
    return node


def _contains_unknown(value: Any) -> bool:
    if isinstance(value, dict):
        return any(map(_contains_unknown, value.values()))
    if isinstance(value, list):
        return any(map(_contains_unknown, value))
    return value == UNKNOWN


def _policy_text(node: Any) -> Any:
    """A policy document property (a JSON object in a template, text in pulumi-aws): unknown when any part is."""
    value = _value(node)
    if isinstance(value, str):
        return value
    return UNKNOWN if _contains_unknown(value) else json.dumps(value)


def _converted(properties: dict[str, Any], names: dict[str, str], urns: dict[str, str]
               ) -> tuple[dict[str, Any], dict[str, list[str]]]:
    props, dependencies = {}, {}
    for template_name, name in names.items():
        if template_name not in properties:
            continue
        node = properties[template_name]
        props[name] = _policy_text(node) if name == "policy" else _value(node)
        if linked := [urns[logical] for logical in dict.fromkeys(_references(node)) if logical in urns]:
            dependencies[name] = linked
    return props, dependencies


def _vault_settings(vault: Resource, properties: dict[str, Any], label: str, urns: dict[str, str]
                    ) -> Iterator[tuple[str, Resource]]:
    name = vault.props.data.get("name")
    for template_name, (kind, names) in VAULT_SETTINGS.items():
        if not isinstance(setting := properties.get(template_name), dict):
            continue
        props, dependencies = _converted(setting, names, urns)
        if kind == VAULT_POLICY:
            props["policy"] = _policy_text(setting)
        urn = f"{vault.urn}/{template_name}"
        yield f"{label} {template_name}", Resource(
            type=kind, name=f"{vault.name}-{template_name}", urn=urn, protect=vault.protect,
            provider_region=vault.provider_region,
            props=Props({"backupVaultName": name, **props}, kind, owner=urn),
            property_dependencies={"backupVaultName": [vault.urn], **dependencies})


def template_resources(stack_set: Resource) -> list[tuple[str, Resource]]:
    """(label for messages, resource) for the vaults, keys and topics of a StackSet's template; none when it is
    not a template (CloudFormation refuses that itself) or is given by `templateUrl`: the provider reads that one
    back into `templateBody` at `pulumi up`, so it is judged after it (on a first preview it is unknown)."""
    body = stack_set.program_value("templateBody")
    template = parse_template(body) if isinstance(body, str) else None
    if template is None:
        return []
    resources = {logical: entry for logical, entry in template["Resources"].items() if isinstance(entry, dict)}
    urns = {logical: f"{stack_set.urn}/template/{logical}" for logical in resources}
    # Their own place: the member accounts' regions, never this stack's, so a plan of the stack never links to a
    # template vault by name (the template's resources still link among themselves).
    place = f"the regions of StackSet '{stack_set.name}'"
    found = []
    for logical, entry in resources.items():
        if (known := TEMPLATE_TYPES.get(entry.get("Type"))) is None:
            continue
        kind, names = known
        properties = entry.get("Properties") if isinstance(entry.get("Properties"), dict) else {}
        props, dependencies = _converted(properties, names, urns)
        label = f"StackSet '{stack_set.name}' template resource {logical} ({entry['Type']})"
        retained = entry.get("DeletionPolicy") in RETAIN and entry.get("UpdateReplacePolicy") == "Retain"
        resource = Resource(type=kind, name=logical, urn=urns[logical], props=Props(props, kind, owner=urns[logical]),
                            protect=retained, property_dependencies=dependencies, provider_region=place)
        found.append((label, resource))
        if kind == VAULT:
            found += _vault_settings(resource, properties, label, urns)
    return found


STACK_SET_READS = {STACK_SET: ("templateBody",)}
# The fixes of the vault policies, in the organization stack's terms; `protect` is DeletionPolicy in a template.
TEMPLATE_RESOURCES = Embedding(
    STACK_SET, STACK_SET_READS, frozenset({VAULT, VAULT_LOCK, VAULT_POLICY, VAULT_NOTIFICATIONS, KMS_KEY, SNS_TOPIC}),
    template_resources,
    replacing(("aws-backups:vaults[]", "aws-backups:organization.baseline.vaults[]"),
              ("Add a VaultLockConfiguration", "Add a LockConfiguration to the vault"),
              ("Attach a VaultPolicy", "Give the vault an AccessPolicy"),
              ("to its VaultNotifications", "to the vault's Notifications"),
              ("Set the resource option protect (and retainOnDelete) (stack config: aws-backups:production: true)",
               "Set DeletionPolicy and UpdateReplacePolicy Retain on it in the template (the baseline template of "
               "aws-backups:organization.baseline always does)")),
    stack_policies=True,
)
