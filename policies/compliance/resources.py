"""Recognise pulumi-aws resources and read their (camelCase, engine-named) properties safely.

The SDK hands policies its props proxy, on which `props["k"]`, `"k" in props` and `props.get("k")` all raise
when the value is unknown at preview. Policies here never touch the proxy: `plain()` copies it into ordinary
dicts and lists (keeping the engine's unknown sentinels), and `Props` reads from that copy, raising the SDK's own
`UnknownValueError` only when a policy reads a value it really needs and that value is unknown. Reading a key
that holds an unknown value is therefore explicit, and testing whether a value is known never raises.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pulumi_policy.proxy import UnknownValueError

from compliance import facts

# Resource kinds, each the pulumi-aws v7 type token, with the older tokens that mean the same resource.
VAULT = "aws:backup/vault:Vault"
PLAN = "aws:backup/plan:Plan"
SELECTION = "aws:backup/selection:Selection"
REGION_SETTINGS = "aws:backup/regionSettings:RegionSettings"
VAULT_LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"
VAULT_POLICY = "aws:backup/vaultPolicy:VaultPolicy"
VAULT_NOTIFICATIONS = "aws:backup/vaultNotifications:VaultNotifications"
KMS_KEY = "aws:kms/key:Key"
SNS_TOPIC = "aws:sns/topic:Topic"
BUCKET = "aws:s3/bucket:Bucket"  # v7; in v6 the same token is the legacy bucket with inline properties
BUCKET_V6 = "aws:s3/bucketV2:BucketV2"
BUCKET_VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
BUCKET_VERSIONING_V6 = "aws:s3/bucketVersioningV2:BucketVersioningV2"
BUCKET_REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
BUCKET_ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
ORG_POLICY = "aws:organizations/policy:Policy"  # an Organizations policy; BACKUP_POLICY ones hold backup plans
STACK_SET = "aws:cloudformation/stackSet:StackSet"  # its template's vaults are judged like the stack's own
# Audit evidence: an Audit Manager framework, restore testing.
FRAMEWORK = "aws:backup/framework:Framework"
RESTORE_TESTING_PLAN = "aws:backup/restoreTestingPlan:RestoreTestingPlan"
RESTORE_TESTING_SELECTION = "aws:backup/restoreTestingSelection:RestoreTestingSelection"
REPORT_PLAN = "aws:backup/reportPlan:ReportPlan"
# A bucket's guards and retention (the report bucket's: TLS-only policy, Object Lock, lifecycle).
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
BUCKET_OBJECT_LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
BUCKET_LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
# Where Organizations policies apply: attachments to a target (root, OU, account), and the OU tree the stack builds.
ORG_ATTACHMENT = "aws:organizations/policyAttachment:PolicyAttachment"
ORG_UNIT = "aws:organizations/organizationalUnit:OrganizationalUnit"
ORG_ACCOUNT = "aws:organizations/account:Account"
BUCKET_OBJECT_LOCK_V6 = "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2"
BUCKET_LIFECYCLE_V6 = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
BUCKET_ENCRYPTION_V6 = (
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
)

KIND_OF_TOKEN: dict[str, str] = {
    **{token: token for token in (VAULT, PLAN, SELECTION, VAULT_LOCK, VAULT_POLICY, VAULT_NOTIFICATIONS, KMS_KEY,
                                  REGION_SETTINGS, SNS_TOPIC, BUCKET, BUCKET_VERSIONING, BUCKET_REPLICATION,
                                  BUCKET_ENCRYPTION, ORG_POLICY, STACK_SET, ORG_ATTACHMENT, ORG_UNIT,
                                  ORG_ACCOUNT, FRAMEWORK, RESTORE_TESTING_PLAN, RESTORE_TESTING_SELECTION,
                                  REPORT_PLAN, BUCKET_POLICY, BUCKET_OBJECT_LOCK, BUCKET_LIFECYCLE)},
    BUCKET_V6: BUCKET,
    BUCKET_VERSIONING_V6: BUCKET_VERSIONING,
    BUCKET_ENCRYPTION_V6: BUCKET_ENCRYPTION,
    BUCKET_OBJECT_LOCK_V6: BUCKET_OBJECT_LOCK,
    BUCKET_LIFECYCLE_V6: BUCKET_LIFECYCLE,
}


def kind_of(type_token: str) -> str | None:
    """The kind (v7 token) of a resource type token, or None for a type no policy here reads."""
    return KIND_OF_TOKEN.get(type_token)


def type_of_urn(urn: str) -> str:
    """The type token in a URN (`urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>`): what a property
    dependency came from, whether or not the pack reads that kind."""
    return urn.split("::")[-2].split("$")[-1] if urn.count("::") >= 3 else ""


def is_unknown(value: Any) -> bool:
    return isinstance(value, str) and value in facts.UNKNOWN_SENTINELS


def plain(value: Any) -> Any:
    """A plain copy of the SDK's props proxy (or of plain data). Unknown sentinels are kept, never read."""
    if value is None or isinstance(value, str | bool | int | float):
        return value  # most values: spares the slower Mapping/Sequence checks below
    target = value
    if isinstance(value, Mapping) and not isinstance(value, dict):
        target = {key: value["__target"][key] for key in value}  # iterating keys never raises
    elif isinstance(value, Sequence) and not isinstance(value, str | list):
        target = [value["__target"][index] for index in range(len(value))]
    if isinstance(target, dict):
        return {key: plain(item) for key, item in target.items()}
    if isinstance(target, list):
        return [plain(item) for item in target]
    return target


# Every property path a policy reads, as `<type token> <path>` with `[]` for list items. Tests compare this
# record with each policy's declared reads, and the declared reads with the installed pulumi_aws input types.
READS_SEEN: set[tuple[str, str]] = set()
_LIST_INDEX = re.compile(r"\[\d+\]")


class UnknownRead(UnknownValueError):
    """A policy needed a value that is unknown at preview (the SDK's exception, so an uncaught one still ends as
    the SDK's "can't run"); `owner` (the resource's URN) and `path` say where, for the pack's own message."""

    def __init__(self, sentinel: str, parts: list[str], owner: str, type_token: str) -> None:
        super().__init__(sentinel, parts)
        self.owner = owner
        self.type_token = type_token
        self.path = ".".join(parts)


@dataclass(frozen=True)
class Props:
    """Read-only view of a resource's properties, addressed by engine (camelCase) names. `owner` is the
    resource's URN, for messages about a value that cannot be read."""

    data: Mapping[str, Any]
    type_token: str = ""
    path: str = ""
    owner: str = ""

    def _path(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def _raw(self, key: str) -> Any:
        value: Any = self.data
        for part in key.split("."):
            if is_unknown(value):
                break
            value = value.get(part) if isinstance(value, Mapping) else None
        path = self._path(key)
        READS_SEEN.add((self.type_token, _LIST_INDEX.sub("[]", path) if "[" in path else path))  # on every read
        return value

    def known(self, key: str) -> bool:
        return not is_unknown(self._raw(key))

    def present(self, key: str) -> bool:
        """The key holds a value, known or not: an Output of another resource counts as set."""
        value = self._raw(key)
        return is_unknown(value) or value not in (None, "")

    def get(self, key: str, default: Any = None) -> Any:
        """The value at a dotted key; `default` when absent or null; raises when the value is unknown."""
        value = self._raw(key)
        if is_unknown(value):
            raise UnknownRead(value, [*filter(None, self.path.split(".")), *key.split(".")], self.owner,
                              self.type_token)
        return default if value is None else value

    def days(self, key: str) -> float | None:
        """A count of days, None when unset. 0 is unset too: the provider sends no zero day count to AWS (its
        expanders skip zero values), and after `pulumi up` it reads an unset one back as 0."""
        value = self.number(key)
        return None if value == 0 else value

    def number(self, key: str) -> float | None:
        """A number (the engine sends 35 as 35.0); a string holding a number is accepted, anything else None."""
        value = self.get(key)
        if isinstance(value, bool):
            return None
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                return None
        return None

    def text(self, key: str) -> str | None:
        value = self.get(key)
        return value if isinstance(value, str) else None

    def flag(self, key: str) -> bool:
        value = self.get(key)
        return value is True or (isinstance(value, str) and value.lower() == "true")

    def child(self, key: str) -> Props:
        value = self.get(key)
        return Props(value if isinstance(value, Mapping) else {}, self.type_token, self._path(key), self.owner)

    def items(self, key: str) -> list[Props]:
        """The objects of a list property (a single object counts as a list of one)."""
        value = self.get(key, [])
        if isinstance(value, Mapping):
            value = [value]
        if not isinstance(value, list):
            return []
        return [
            Props(item, self.type_token, f"{self._path(key)}[{index}]", self.owner)
            for index, item in enumerate(value)
            if isinstance(item, Mapping)
        ]

    def strings(self, key: str) -> list[str]:
        value = self.get(key, [])
        if not isinstance(value, list):
            return []
        return [item for item in value if isinstance(item, str) and not is_unknown(item)]


@dataclass(eq=False)  # identity: two resources are the same only if they are one
class Resource:
    """One resource of the stack, as every policy here sees it."""

    type: str
    name: str
    urn: str
    props: Props
    protect: bool = False
    # property name -> URNs of the resources its value came from (stack policies only)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    dependencies: list[str] = field(default_factory=list)
    provider_region: str | None = None
    # True for AnalyzeStack's resources, whose props are the engine's outputs; False for Analyze's checked inputs.
    from_outputs: bool = False
    # A plan of one Organizations backup policy, which the policies above it may complete: what it leaves unset
    # (a rule's schedule) is inherited, and judged on the effective policy (org_paths), not here.
    partial: bool = False

    @property
    def kind(self) -> str | None:
        return kind_of(self.type)

    def depends_through(self, key: str) -> list[str]:
        return self.property_dependencies.get(key, [])

    def provider_computed(self, key: str) -> bool:
        """In a stack's outputs, a top-level property that is unknown although no resource's output flowed into it:
        the provider computes it and the program left it unset (a first preview's planned outputs). In the
        program's inputs an unknown value always comes from another resource."""
        return self.from_outputs and not self.props.known(key) and not self.depends_through(key)

    def program_value(self, key: str, default: Any = None) -> Any:
        """A top-level property as the program set it: `default` when unset or left to the provider (see
        `provider_computed`). An unknown value that came from another resource raises, as every unknown read."""
        return default if self.provider_computed(key) else self.props.get(key, default)


def provider_region(provider: Any) -> str | None:
    """The `region` of an explicit provider, when the engine sent a known one."""
    if provider is None:
        return None
    value = plain(provider.props).get("region")
    return value if isinstance(value, str) and not is_unknown(value) else None


def from_policy_resource(resource: Any) -> Resource:
    """A stack policy's `PolicyResource` as a `Resource`."""
    return Resource(
        type=resource.resource_type,
        name=resource.name,
        urn=resource.urn,
        props=Props(plain(resource.props), resource.resource_type, owner=resource.urn),
        protect=bool(resource.opts.protect),
        property_dependencies={key: [dep.urn for dep in deps] for key, deps in resource.property_dependencies.items()},
        dependencies=[dep.urn for dep in resource.dependencies],
        provider_region=provider_region(resource.provider),
        from_outputs=True,
    )


def from_validation_args(args: Any) -> Resource:
    """A resource policy's `ResourceValidationArgs` as a `Resource`."""
    return Resource(
        type=args.resource_type,
        name=args.name,
        urn=args.urn,
        props=Props(plain(args.props), args.resource_type, owner=args.urn),
        protect=bool(args.opts.protect),
        provider_region=provider_region(args.provider),
    )


Derived = TypeVar("Derived")


def _dependents_index(stack: Stack, kind: str, key: str) -> dict[str, list[Resource]]:
    """URN -> the resources of `kind` whose property `key` came from that resource, in stack order."""
    index: dict[str, list[Resource]] = {}
    for resource in stack.of_kind(kind):
        for urn in dict.fromkeys(resource.depends_through(key)):
            index.setdefault(urn, []).append(resource)
    return index


class Stack:
    """The resources of a stack, indexed by kind and URN, with the links policies follow."""

    def __init__(self, resources: Iterable[Resource], default_region: str | None = None) -> None:
        self.resources = list(resources)
        self.default_region = default_region
        self.by_urn = {resource.urn: resource for resource in self.resources}
        # Indexed once: policies look resources up by kind inside loops over the stack.
        self._by_kind: dict[str | None, list[Resource]] = {}
        for resource in self.resources:
            self._by_kind.setdefault(resource.kind, []).append(resource)
        self._derived: dict[Hashable, Any] = {}

    def derived(self, build: Callable[..., Derived], *args: Hashable) -> Derived:
        """`build(self, *args)`, computed once per stack: the indexes that keep stack policies linear (a lookup
        inside a loop over the stack must not scan the stack again)."""
        key = (build, *args)
        if key not in self._derived:
            self._derived[key] = build(self, *args)
        return self._derived[key]

    def of_kind(self, kind: str) -> list[Resource]:
        return list(self._by_kind.get(kind, []))

    def linked(self, resource: Resource, key: str, kind: str) -> list[Resource]:
        """The resources of `kind` that the value of `resource`'s property `key` came from."""
        return [self.by_urn[urn] for urn in resource.depends_through(key)
                if urn in self.by_urn and self.by_urn[urn].kind == kind]

    def dependents(self, resource: Resource, key: str, kind: str) -> list[Resource]:
        """The resources of `kind` whose property `key` came from `resource` (the reverse of `linked`)."""
        return list(self.derived(_dependents_index, kind, key).get(resource.urn, []))

    def region_of(self, resource: Resource) -> str | None:
        """The resource's region: its own `region` (v7), else its provider's, else the stack's `aws:region`."""
        region = resource.props.text("region") if resource.props.known("region") else None
        return region or resource.provider_region or self.default_region


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    @classmethod
    def parse(cls, text: str | None) -> Arn | None:
        if not isinstance(text, str) or is_unknown(text):
            return None
        parts = text.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn":
            return None
        return cls(*parts[1:])

    @property
    def backup_vault_name(self) -> str | None:
        prefix = "backup-vault:"
        return self.resource[len(prefix):] if self.service == "backup" and self.resource.startswith(prefix) else None
