"""The Pulumi engine and the AWS provider, as far as a policy pack can tell them apart from the program.

A real `pulumi preview --policy-pack` hands the pack two different property sets (pulumi/pulumi
`pkg/resource/deploy/step_generator.go`; ../shared/reference/pulumi-engine.md):
- `Analyze` gets each resource's **checked inputs**: the program's inputs after the provider's `Check`, which
  (pulumi-aws v7) fills `region` from the provider, merges `tagsAll` from the provider's `defaultTags`, gives an
  auto-name to an unnamed resource, and (the Terraform bridge) fills Terraform schema defaults;
- `AnalyzeStack` gets each resource's **outputs**: on a first preview the provider's planned state (every
  attribute the provider computes and the program did not set is unknown), after `pulumi up` the state the
  provider read back from AWS (zeros and blocks AWS filled in).

`EngineModel` turns the program's inputs into those two shapes, from the provider facts in
`data/aws_provider_facts.json` (one entry per type the program creates, each fact with its source). A type
without an entry is treated more strictly than the engine would: every output property of its pulumi_aws class
that the program did not set is unknown at preview.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compliance import facts as aws_facts  # `facts` here are the provider's (TypeFacts)

from preflight.aws_sdk import input_names, output_names

FACTS_FILE = Path(__file__).parent / "data" / "aws_provider_facts.json"
ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"  # a provider configured without a region (preflight's mocks, the model provider)
AWS_PACKAGE = "aws:"
# Placeholders the facts use for values AWS mints.
OPAQUE = "<string>"
DEFAULT_POLICY = "<policy>"
_PLACEHOLDER = re.compile(r"\{([A-Za-z]+)\}")


def dns_suffix_of(partition: str) -> str:
    return "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"


# The invokes the program calls, answered as the provider would at preview and up alike.
INVOKES = ("aws:index/getCallerIdentity:getCallerIdentity", "aws:index/getPartition:getPartition",
           "aws:index/getRegion:getRegion")


def invoke(token: str, args: Mapping[str, Any], provider_region: str, account_id: str = ACCOUNT_ID) -> dict | None:
    """The provider's answer to an invoke; None for one the model does not answer. The partition is that of the
    provider's own region (getPartition)."""
    region = args.get("region") if isinstance(args.get("region"), str) else provider_region
    partition = aws_facts.partition_of(provider_region)
    if token == INVOKES[0]:
        return {"accountId": account_id, "arn": f"arn:{partition}:iam::{account_id}:user/preflight", "id": account_id,
                "userId": "AIDAPREFLIGHT"}
    if token == INVOKES[1]:
        suffix = dns_suffix_of(partition)
        return {"partition": partition, "dnsSuffix": suffix, "id": partition,
                "reverseDnsPrefix": ".".join(reversed(suffix.split(".")))}
    if token == INVOKES[2]:
        return {"region": region, "name": region, "id": region,
                "endpoint": f"ec2.{region}.{dns_suffix_of(aws_facts.partition_of(region))}", "description": region}
    return None


def _digest(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


# -- property paths: `rules[].lifecycle.coldStorageAfter` ------------------------------------------------------
def _containers(value: Any, parts: list[str]) -> Iterator[tuple[dict, str]]:
    """(object, key) for the last part of the path, under every existing object the path leads through; `[]`
    after a part walks every item of that list."""
    part, rest = parts[0], parts[1:]
    name, each = part.removesuffix("[]"), part.endswith("[]")
    if not isinstance(value, dict):
        return
    if not rest:
        yield value, name
        return
    child = value.get(name)
    items = child if each and isinstance(child, list) else [child]
    for item in items:
        yield from _containers(item, rest)


def _absent(container: dict, key: str) -> bool:
    return container.get(key) is None


def _by_depth(paths: Mapping[str, Any] | tuple[str, ...]) -> list[str]:
    """Shallower paths first, so a block read back whole is in place before its fields are looked at."""
    return sorted(paths, key=lambda path: path.count(".") + path.count("[]"))


def fill_absent(properties: dict, path: str, value: Any) -> None:
    """Set `path` to a copy of `value` wherever its parent exists and it is unset."""
    for container, key in _containers(properties, path.split(".")):
        if _absent(container, key):
            container[key] = copy.deepcopy(value)


def without_nulls(value: Any) -> Any:
    """A copy without null map entries at any depth (lists keep their items): the bridge's Check reads the
    program's inputs skipping nulls, as the SDK's `deserialize_properties` does."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def _is_falsy(value: Any) -> bool:
    return value is False or value == 0 or value == ""


# -- the facts -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TypeFacts:
    """What the provider does with one resource type (see data/aws_provider_facts.json for each fact's source)."""

    token: str
    computed: tuple[str, ...] = ()
    defaults: Mapping[str, Any] = field(default_factory=dict)
    read_back: Mapping[str, Any] = field(default_factory=dict)
    replace_on_changes: tuple[str, ...] = ()
    delete_before_replace: bool = False
    id_template: str | None = None
    name_property: str = "name"
    documented: bool = True  # False: no entry, the SDK fallback

    @classmethod
    def from_entry(cls, token: str, entry: Mapping[str, Any]) -> TypeFacts:
        return cls(
            token=token,
            computed=tuple(entry.get("computed", ())),
            defaults=dict(entry.get("defaults", {})),
            read_back=dict(entry.get("readBack", {})),
            replace_on_changes=tuple(entry.get("replaceOnChanges", ())),
            delete_before_replace=bool(entry.get("deleteBeforeReplace", False)),
            id_template=entry.get("id"),
            name_property=entry.get("nameProperty", "name"),
        )

    @classmethod
    def undocumented(cls, token: str) -> TypeFacts:
        """A type without an entry: every output the SDK lists is taken as computed (stricter than the engine)."""
        return cls(token=token, computed=tuple(sorted(output_names(token) - {"region", "tagsAll"})),
                   documented=False)


@dataclass(frozen=True)
class ProviderFacts:
    package_version: str
    types: Mapping[str, TypeFacts]

    def of(self, token: str) -> TypeFacts:
        return self.types.get(token) or TypeFacts.undocumented(token)


@functools.cache
def load_facts(path: Path = FACTS_FILE) -> ProviderFacts:
    document = json.loads(path.read_text())
    types = {token: TypeFacts.from_entry(token, entry) for token, entry in document["types"].items()}
    return ProviderFacts(package_version=document["provider"]["pulumiAws"], types=types)


# -- the model -------------------------------------------------------------------------------------------------
def _provider_object(value: Any) -> Any:
    """A provider config value: the CLI hands objects (defaultTags) to the provider as JSON text."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _contains_unknown(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_unknown(v) for v in value)
    return value == aws_facts.UNKNOWN_STRING


def _tags_all(tags: Any, provider: Mapping[str, Any]) -> Any:
    """pulumi-aws `provider/tags.go` applyTags: the provider's defaultTags.tags overlaid with the resource's tags,
    without the provider's ignoreTags keys and key prefixes; unknown if anything is unknown; {} when empty."""
    defaults = _provider_object(provider.get("defaultTags")) or {}
    ignore = _provider_object(provider.get("ignoreTags")) or {}
    if _contains_unknown(tags) or _contains_unknown(defaults) or _contains_unknown(ignore):
        return aws_facts.UNKNOWN_STRING
    merged = {**(defaults.get("tags") or {} if isinstance(defaults, dict) else {}),
              **(tags if isinstance(tags, dict) else {})}
    keys = set(ignore.get("keys") or []) if isinstance(ignore, dict) else set()
    prefixes = tuple(ignore.get("keyPrefixes") or []) if isinstance(ignore, dict) else ()
    return {k: v for k, v in merged.items() if k not in keys and not (prefixes and k.startswith(prefixes))}


@dataclass
class EngineModel:
    """Check and create, as the engine with pulumi-aws would do them, for one stack. `preview`: a first
    `pulumi preview` (planned outputs); otherwise `pulumi up` (outputs read back after create)."""

    preview: bool
    default_region: str | None
    account_id: str = ACCOUNT_ID
    facts: ProviderFacts = field(default_factory=load_facts)

    def check(self, type_: str, name: str, inputs: Mapping[str, Any],
              provider: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The checked inputs of a custom resource (what `Analyze` gets)."""
        checked = without_nulls(dict(inputs))
        if not type_.startswith(AWS_PACKAGE):
            return checked
        provider = provider or {}
        inputs_of_type = input_names(type_)
        facts = self.facts.of(type_)
        # pulumi-aws provider/region.go applyRegion: the resource's region, else the provider's.
        if "region" in inputs_of_type and checked.get("region") is None and provider.get("region") is not None:
            checked["region"] = provider["region"]
        # pulumi-aws provider/autonaming.go: an unset `name` gets `<logical name>-<7 random hex>` at Check.
        if facts.name_property in inputs_of_type and checked.get(facts.name_property) is None:
            checked[facts.name_property] = f"{name}-{_digest(type_, name)[:7]}"
        if "tagsAll" in output_names(type_) and "tags" in inputs_of_type:
            checked["tagsAll"] = _tags_all(checked.get("tags"), provider)
        # The bridge fills Terraform schema defaults, but no longer the falsy ones (false, 0, ""): since
        # pulumi-terraform-bridge#3398 (pkg/tfbridge/schema.go, shouldSuppressTFSchemaDefaultValue) they stay unset.
        for path in _by_depth(facts.defaults):
            if not _is_falsy(facts.defaults[path]):
                fill_absent(checked, path, facts.defaults[path])
        return checked

    def create(self, type_: str, name: str, checked: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """(id, outputs) of a new resource: planned at preview (id unknown: ""), read back after `pulumi up`."""
        outputs = copy.deepcopy(dict(checked))
        if not type_.startswith(AWS_PACKAGE):
            return ("" if self.preview else _digest(type_, name)[:12]), outputs
        facts = self.facts.of(type_)
        # Terraform's plan and state hold every schema default, the falsy ones the bridge's Check left unset too.
        for path in _by_depth(facts.defaults):
            fill_absent(outputs, path, facts.defaults[path])
        if self.preview:
            for path in _by_depth(facts.computed):
                fill_absent(outputs, path, aws_facts.UNKNOWN_STRING)
            return "", outputs
        region = checked.get("region") if isinstance(checked.get("region"), str) else self.default_region
        values = {"partition": aws_facts.partition_of(region), "region": region or "", "account": self.account_id,
                  "name": str(outputs.get(facts.name_property, ""))}
        resource_id = self._resource_id(facts, name, outputs, values)
        values["id"] = resource_id
        for path in _by_depth(facts.read_back):
            fill_absent(outputs, path, self._render(facts.read_back[path], values, outputs, f"{type_}/{name}/{path}"))
        if not facts.documented and "arn" in output_names(type_):
            fill_absent(outputs, "arn", self._render(_generic_arn(type_), values, outputs, name))
        return resource_id, outputs

    def _resource_id(self, facts: TypeFacts, name: str, outputs: Mapping[str, Any], values: Mapping[str, str]) -> str:
        """The id the provider gives the resource: its facts' template, or its name, or one AWS mints."""
        template = facts.id_template
        if template is None or "<generated>" in template:
            named = outputs.get(facts.name_property)
            if template is None and isinstance(named, str) and named:
                return named
            return f"{_digest(facts.token, name)[:8]}-{_digest(name)[:4]}"
        return self._render(template, values, outputs, name)

    def _render(self, value: Any, values: Mapping[str, str], outputs: Mapping[str, Any], seed: str) -> Any:
        """A read-back value with its placeholders filled: {partition} {region} {account} {id} {name}, or any
        top-level property of the resource; "<string>" an opaque string AWS mints; "<policy>" AWS's default."""
        if isinstance(value, dict):
            return {k: self._render(v, values, outputs, f"{seed}.{k}") for k, v in value.items()}
        if isinstance(value, list):
            return [self._render(v, values, outputs, f"{seed}[{i}]") for i, v in enumerate(value)]
        if not isinstance(value, str):
            return value
        if OPAQUE in value:
            value = value.replace(OPAQUE, _digest(seed)[:20])
        if value == DEFAULT_POLICY:
            return json.dumps(_default_key_policy(values["partition"], self.account_id))

        def fill(match: re.Match[str]) -> str:
            key = match.group(1)
            found = values.get(key, outputs.get(key))
            return str(found) if found is not None else match.group(0)

        return _PLACEHOLDER.sub(fill, value)


def _generic_arn(type_: str) -> str:
    """`arn:<partition>:<service>:<region>:<account>:<kebab-kind>/<id>` for a type the facts do not describe."""
    module, kind = type_.split(":")[1:3]
    kebab = re.sub(r"(?<!^)([A-Z])", r"-\1", kind).lower()
    return f"arn:{{partition}}:{module.split('/')[0]}:{{region}}:{{account}}:{kebab}/{{id}}"


def _default_key_policy(partition: str, account: str) -> dict[str, Any]:
    """The key policy AWS attaches to a key created without one (KMS Developer Guide, "Default key policy")."""
    return {"Version": "2012-10-17", "Id": "key-default-1", "Statement": [{
        "Sid": "Enable IAM User Permissions", "Effect": "Allow",
        "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"}, "Action": "kms:*", "Resource": "*"}]}
