"""A policy as data: its metadata, knobs, the property paths it reads, and a pure check function.

Domain modules declare `PolicySpec`s; `to_policy()` turns one into the SDK's Resource/StackValidationPolicy. The
check functions take the `resources` views (no SDK objects), so unit tests call them directly and the protocol
tests prove the same verdicts through the real pack process.
"""

from __future__ import annotations

import copy
import json
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
)

from compliance.embedded import Embedding
from compliance.org_plans import ORGANIZATION_PLANS
from compliance.resources import (
    KIND_OF_TOKEN,
    Resource,
    Stack,
    UnknownRead,
    from_policy_resource,
    from_validation_args,
    kind_of,
)
from compliance.shared_requests import JUDGED_TYPES
from compliance.stack_set_templates import TEMPLATE_RESOURCES

# The documents policy texts cite, in this repository (a test fails on a citation of a file that does not exist).
AWS_LIMITS = "docs/aws-limits.md"
FIGURES = "docs/compliance-figures.md"


def aws_limit(number: int) -> str:
    """The citation of one item of docs/aws-limits.md."""
    return f"{AWS_LIMITS} #{number}"


@dataclass(frozen=True)
class Violation:
    message: str
    urn: str | None = None


ResourceCheck = Callable[[Resource, Mapping[str, Any]], Iterable[str]]
StackCheck = Callable[[Stack, Mapping[str, Any]], Iterable[Violation]]


@dataclass(frozen=True)
class PolicySpec:
    """One policy. `level` is its level in the baseline profile, which is also its level with no config file."""

    name: str
    description: str
    why: str  # the reason, with its source (an AWS page, a regulation, or a document of docs/)
    severity: str  # low | medium | high | critical
    remediation: str
    reads: Mapping[str, tuple[str, ...]]  # type token -> property paths read (`[]` marks list items)
    check: ResourceCheck | StackCheck
    stack: bool = False  # a stack policy (spans resources) rather than a resource policy
    knobs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # JSON schema properties, with defaults
    level: str = "mandatory"
    aws_limit: bool = False  # an AWS limit: mandatory in every profile, not relaxable

    def __post_init__(self) -> None:
        # A policy on backup plans judges the plans inside Organizations backup policies too; one on vaults, keys
        # and topics, those of StackSet templates (embedded).
        for embedding in self.embeddings:
            object.__setattr__(self, "reads", {**embedding.reads, **self.reads})

    @property
    def embeddings(self) -> list[Embedding]:
        return [embedding for embedding in EMBEDDINGS if embedding.applies(self.reads, self.stack)]

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(kind for kind in map(kind_of, self.reads) if kind)

    def defaults(self) -> dict[str, Any]:
        return {key: copy.deepcopy(schema["default"]) for key, schema in self.knobs.items()}

    def with_defaults(self, config: Mapping[str, Any] | None) -> dict[str, Any]:
        return {**self.defaults(), **dict(config or {})}

    def run(self, subject: Resource | Stack, config: Mapping[str, Any] | None = None) -> list[Violation]:
        """The verdict on one resource (resource policy) or a stack (stack policy): [] means pass."""
        settings = self.with_defaults(config)
        if self.stack:
            assert isinstance(subject, Stack)
            return self._run_stack(subject, settings)
        assert isinstance(subject, Resource)
        if subject.kind not in self.kinds:
            return []
        for embedding in self.embeddings:
            if subject.kind == embedding.container:
                return [Violation(f"{label}: {embedding.message(message)}", subject.urn)
                        for label, inner in embedding.expand(subject) if inner.kind in self.reads
                        for message in self.check(inner, settings)]  # type: ignore[arg-type]
        return [Violation(message, subject.urn) for message in self.check(subject, settings)]  # type: ignore[arg-type]

    def _run_stack(self, stack: Stack, settings: dict[str, Any]) -> list[Violation]:
        """The stack with the resources embedded in its containers, each violation about one of those reported on
        its container, labelled."""
        origin: dict[str, tuple[Resource, str, Embedding]] = {}
        inner: list[Resource] = []
        for embedding in self.embeddings:
            for container in stack.of_kind(embedding.container):
                for label, resource in embedding.expand(container):
                    origin[resource.urn] = (container, label, embedding)
                    inner.append(resource)
        if not inner:
            return list(self.check(stack, settings))  # type: ignore[arg-type]
        expanded = Stack([*stack.resources, *inner], stack.default_region)

        def on_container(message: str, urn: str | None) -> Violation:
            if urn not in origin:
                return Violation(message, urn)
            container, label, embedding = origin[urn]
            return Violation(f"{label}: {embedding.message(message)}", container.urn)

        try:
            return [on_container(v.message, v.urn) for v in self.check(expanded, settings)]  # type: ignore[arg-type]
        except UnknownRead as unknown:
            if unknown.owner not in origin:
                raise
            return [on_container(cannot_judge(unknown), unknown.owner)]


EMBEDDINGS = (ORGANIZATION_PLANS, TEMPLATE_RESOURCES)


def cannot_judge(unknown: UnknownRead) -> str:
    """The pack's own verdict when a value it needs is unknown at preview and nothing in the stack tells it: at
    the policy's level, instead of the SDK's "can't run", which would quietly turn a mandatory policy advisory."""
    name = unknown.owner.rsplit("::", 1)[-1]
    return (f"cannot judge {unknown.type_token} '{name}': its {unknown.path} is unknown until the resources "
            f"it comes from exist, and no resource of the stack tells what it will be. Give it a literal value or "
            f"take it from a resource of this stack whose value is known at preview (the policy follows "
            f"property dependencies), or judge it after `pulumi up` (preflight --up).")


def stack_default_region() -> str | None:
    """`aws:region` of the stack under analysis (the engine passes the stack's config in PULUMI_CONFIG)."""
    try:
        config = json.loads(os.environ.get("PULUMI_CONFIG") or "{}")
    except json.JSONDecodeError:
        return None
    region = config.get("aws:region") if isinstance(config, dict) else None
    return region if isinstance(region, str) else None


# Per gRPC worker thread, the last conversion of each kind, with the objects it was made from. A request is served on
# one thread from start to end, and holding those objects keeps their identities from being reused.
_last = threading.local()


def _stack_of(resources: list[Any], default_region: str | None) -> Stack:
    """The stack policies' `Stack` of an AnalyzeStack request, built once per request: the pack's AnalyzeStack
    (compliance/shared_requests.py) hands every stack policy the same PolicyResource objects, and converting 5,000 of
    them took 2 of its 2.4 s when each of the 21 stack policies did it again. Policies only read a Stack (its
    `derived` indexes are pure functions of it), so sharing it changes no verdict. Only the kinds policies look up
    (`of_kind`, `linked` by kind) are converted: the SDK hands every stack policy every resource."""
    cached = getattr(_last, "stack", None)
    if (cached is not None and cached[1] == default_region and len(cached[0]) == len(resources)
            and all(a is b for a, b in zip(cached[0], resources, strict=True))):
        return cached[2]
    stack = Stack((from_policy_resource(r) for r in resources if kind_of(r.resource_type)), default_region)
    _last.stack = (list(resources), default_region, stack)
    return stack


def _resource_of(args: Any) -> Resource:
    """A resource policy's `Resource`, converted once per Analyze request: the pack's Analyze hands every resource
    policy the same props, options and provider objects (compliance/shared_requests.py)."""
    cached = getattr(_last, "resource", None)
    if (cached is not None and cached[0] is args.props and cached[1] is args.opts and cached[2] is args.provider
            and cached[3] == (args.resource_type, args.urn, args.name)):
        return cached[4]
    resource = from_validation_args(args)
    _last.resource = (args.props, args.opts, args.provider, (args.resource_type, args.urn, args.name), resource)
    return resource


def to_policy(spec: PolicySpec) -> ResourceValidationPolicy | StackValidationPolicy:
    """The SDK policy for a spec. Its own level is the baseline level, so no config file means baseline."""
    common = dict(
        name=spec.name,
        description=spec.description,
        enforcement_level=EnforcementLevel(spec.level),
        config_schema=PolicyConfigSchema(properties={k: dict(v) for k, v in spec.knobs.items()}),
        severity=Severity(spec.severity),
        remediation_steps=spec.remediation,
    )
    if spec.stack:
        def validate_stack(args: Any, report: Callable[..., None]) -> None:
            stack = _stack_of(args.resources, stack_default_region())
            try:
                violations = spec.run(stack, args.get_config())
            except UnknownRead as unknown:
                violations = [Violation(cannot_judge(unknown), unknown.owner or None)]
            for violation in violations:
                report(violation.message, violation.urn)

        return StackValidationPolicy(validate=validate_stack, **common)

    tokens = {token for token, kind in KIND_OF_TOKEN.items() if kind in spec.kinds}

    def validate_resource(args: Any, report: Callable[..., None]) -> None:
        if args.resource_type not in tokens:
            return  # another type: nothing to judge (Python has no validate_resource_of_type)
        try:
            violations = spec.run(_resource_of(args), args.get_config())
        except UnknownRead as unknown:
            violations = [Violation(cannot_judge(unknown))]
        for violation in violations:
            report(violation.message)

    policy = ResourceValidationPolicy(validate=validate_resource, **common)
    setattr(policy, JUDGED_TYPES, frozenset(tokens))  # the pack's Analyze calls it for these types only
    return policy


def days(value: float | None) -> str:
    """A day count for a message (the engine sends numbers as floats)."""
    return "unset" if value is None else f"{int(value)}"
