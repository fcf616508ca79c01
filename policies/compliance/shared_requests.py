"""Analyze and AnalyzeStack with each request's resources built once, not once per policy.

The SDK's `_PolicyAnalyzerServicer` deserializes a request's properties again for each policy: `Analyze` the
resource's (MessageToDict, deserialize_properties, the unknown-checking proxy, options and provider) for each of the
resource policies, `AnalyzeStack` every resource of the stack (and its parent and dependency links) for each stack
policy. That was most of the pack's time at 5,000 resources (bench/README.md). `share_request_resources()` replaces
both methods with the same loops over what is built once per request, at the first policy that runs: `Analyze`
hands every resource policy the same props, options and provider; `AnalyzeStack` one list of `PolicyResource`s, each
stack policy its own `StackValidationArgs` (its own list, its config, the stack tags). The pack's policies only read
those objects (`resources.from_policy_resource` and `from_validation_args` copy the props), so sharing them changes
no verdict.

Everything else is the SDK's, line for line: the enforcement level per policy, DISABLED skipped, REMEDIATE reported
as mandatory (and a resource policy without validation as not applicable), one `report_violation` per policy,
`UnknownValueError` as the advisory "can't run" diagnostic, `not_applicable`, awaitable results. It reaches into the
servicer's private names, so it is applied only to the SDK version the pack pins (`requirements.txt` beside this
package); any other version keeps the SDK's own methods.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import os
import re
import threading
from inspect import isawaitable
from pathlib import Path
from typing import Any

from google.protobuf import json_format
from pulumi.runtime import proto
from pulumi_policy import policy as sdk
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

REQUIREMENTS = Path(__file__).resolve().parents[1] / "requirements.txt"
SERVICER = sdk._PolicyAnalyzerServicer
PRIVATE = "_PolicyAnalyzerServicer__"  # the servicer's double-underscore attributes, as Python mangles them
# What the SDK's `_configure_runtime_settings` reads: the stack config (JSON) and the project, stack, dry run and org.
RUNTIME_ENVIRONMENT = ("PULUMI_CONFIG", "PULUMI_PROJECT", "PULUMI_STACK", "PULUMI_DRY_RUN", "PULUMI_ORGANIZATION")
# The attribute of a resource policy naming the only types it judges (set by compliance.spec.to_policy): for any
# other type its validate returns without a word, so Analyze does not call it.
JUDGED_TYPES = "judged_types"
SDK_ANALYZE = SERVICER.Analyze  # the SDK's own methods (tests compare them with these)
SDK_ANALYZE_STACK = SERVICER.AnalyzeStack


def pinned_sdk_version(requirements: Path = REQUIREMENTS) -> str | None:
    """The `pulumi-policy==X` pin of the pack's requirements, or None without one."""
    try:
        text = requirements.read_text()
    except OSError:
        return None
    found = re.search(r"^pulumi[-_]policy==(\S+)", text, re.M | re.I)
    return found.group(1) if found else None


def share_request_resources(installed: str | None = None, pinned: str | None = None) -> bool:
    """Replace the servicer's Analyze and AnalyzeStack when the installed SDK is the pinned one; whether they are."""
    installed = installed or importlib.metadata.version("pulumi-policy")
    if installed != (pinned or pinned_sdk_version()):
        return False  # another SDK: its methods may differ from the ones copied below
    SERVICER.Analyze = analyze
    SERVICER.AnalyzeStack = analyze_stack
    return True


_configured = threading.local()  # per gRPC worker thread: the servicer and environment it last configured from


def _configure_runtime_settings(self: Any) -> None:
    """The SDK's `_configure_runtime_settings`, once per worker thread while its environment stays the same: the SDK
    parses the PULUMI_CONFIG JSON again for every request (1 of the 1.8 s of CPU 5,000 Analyze calls took). What it
    sets outlives the call although grpc runs each call in a fresh context: pulumi 3.272's `set_config` writes into
    the config ContextVar's shared default dict, and its settings property makes the first value set the process's
    default. The pack's own policies read neither (`spec.stack_default_region` reads PULUMI_CONFIG itself)."""
    key = (self, tuple(os.environ.get(name) for name in RUNTIME_ENVIRONMENT))
    if getattr(_configured, "key", None) != key:
        self._configure_runtime_settings()
        _configured.key = key


def _properties(message: Any) -> Any:
    return unknown_checking_proxy(deserialize_properties(json_format.MessageToDict(message)))


def _run(self: Any, policy: Any, args: Any, report_violation: Any, response: Any) -> None:
    """One policy's validate, as both SDK methods run it: an awaitable on its own loop, an unknown value as the
    advisory "can't run" diagnostic, not applicable into the response."""
    try:
        result = policy.validate(args, report_violation)
        if isawaitable(result):
            loop = asyncio.new_event_loop()
            loop.run_until_complete(asyncio.Task(result, loop=loop))
            loop.close()
    except UnknownValueError as e:
        response.diagnostics.append(_cannot_run(self, policy, e))
    except sdk._NotApplicableError as e:
        response.not_applicable.append(proto.PolicyNotApplicable(policy_name=policy.name, reason=e.reason or ""))


def _cannot_run(self: Any, policy: Any, error: UnknownValueError) -> Any:
    pack_name = getattr(self, PRIVATE + "policy_pack_name")
    pack_version = getattr(self, PRIVATE + "policy_pack_version")
    return proto.AnalyzeDiagnostic(
        policyName=policy.name,
        policyPackName=pack_name,
        policyPackVersion=pack_version,
        message=(f"can't run policy '{policy.name}' from policy pack "
                 f"'{pack_name}@v{pack_version}' during preview: {error.message}"),
        urn="",
        description=policy.description,
        enforcementLevel=self._map_enforcement_level(sdk.EnforcementLevel.ADVISORY),
    )


def analyze(self: Any, request: Any, _context: Any) -> Any:
    """The SDK's Analyze (pulumi-policy 1.21.0), the resource's props, options and provider built once; a policy
    of this pack that judges other types is not called."""
    _configure_runtime_settings(self)
    response = proto.AnalyzeResponse()
    built: tuple[Any, Any, Any] | None = None
    for policy in getattr(self, PRIVATE + "policies"):
        enforcement_level = self._get_enforcement_level(policy)
        if enforcement_level == sdk.EnforcementLevel.DISABLED or not isinstance(policy, sdk.ResourceValidationPolicy):
            continue
        if not policy.has_validation():  # a remediation-only policy
            response.not_applicable.append(proto.PolicyNotApplicable(policy_name=policy.name,
                                                                     reason="Policy does not implement validate"))
            continue
        if request.type not in getattr(policy, JUDGED_TYPES, (request.type,)):
            continue
        if enforcement_level == sdk.EnforcementLevel.REMEDIATE:
            enforcement_level = sdk.EnforcementLevel.MANDATORY

        report_violation = self._create_report_violation(response, policy.name,
                                                         policy.description, enforcement_level, policy.severity)
        if built is None:
            built = (_properties(request.properties), self._get_resource_options(request),
                     self._get_provider_resource(request))
        props, opts, provider = built
        args = sdk.ResourceValidationArgs(request.type, props, request.urn, request.name, opts, provider,
                                          self._get_policy_config(policy.name), getattr(self, PRIVATE + "stack_tags"))
        _run(self, policy, args, report_violation, response)
    return response


def stack_resources(request: Any, servicer: Any) -> list:
    """The request's resources as the SDK builds them for a stack policy, parents and dependencies linked."""
    built = []
    for r in request.resources:
        options, provider = servicer._get_resource_options(r), servicer._get_provider_resource(r)
        resource = sdk.PolicyResource(r.type, _properties(r.properties), r.urn, r.name, options, provider, None, [], {})
        built.append((resource, r.parent, list(r.dependencies),
                      {k: list(v.urns) for k, v in r.propertyDependencies.items()}))
    by_urn = {resource.urn: resource for resource, *_ in built}
    for resource, parent, dependencies, property_dependencies in built:
        if parent is not None and parent in by_urn:
            resource.parent = by_urn[parent]
        resource.dependencies.extend(by_urn[d] for d in dependencies if d in by_urn)
        for key, urns in property_dependencies.items():
            resource.property_dependencies[key] = [by_urn[d] for d in urns if d in by_urn]
    return [resource for resource, *_ in built]


def analyze_stack(self: Any, request: Any, _context: Any) -> Any:
    """The SDK's AnalyzeStack (pulumi-policy 1.21.0), the resources built once per request."""
    _configure_runtime_settings(self)
    response = proto.AnalyzeResponse()
    resources: list | None = None
    for policy in getattr(self, PRIVATE + "policies"):
        enforcement_level = self._get_enforcement_level(policy)
        if enforcement_level == sdk.EnforcementLevel.DISABLED or not isinstance(policy, sdk.StackValidationPolicy):
            continue
        if enforcement_level == sdk.EnforcementLevel.REMEDIATE:
            enforcement_level = sdk.EnforcementLevel.MANDATORY  # stack policies cannot be remediated

        report_violation = self._create_report_violation(response, policy.name,
                                                         policy.description, enforcement_level, policy.severity)
        if resources is None:
            resources = stack_resources(request, self)
        args = sdk.StackValidationArgs(list(resources), self._get_policy_config(policy.name),
                                       getattr(self, PRIVATE + "stack_tags"))
        _run(self, policy, args, report_violation, response)
    return response
