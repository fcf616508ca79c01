"""AnalyzeStack with the request's resources built once, not once per stack policy.

The SDK's `_PolicyAnalyzerServicer.AnalyzeStack` deserializes every resource of the request again for each stack
policy (MessageToDict, deserialize_properties, the unknown-checking proxy, PolicyResource, parent and dependency
links): about two thirds of its time at 5,000 resources (bench/README.md). `share_stack_resources()` replaces it
with the same loop over one list of `PolicyResource`s, built at the first stack policy that runs; each policy
gets its own `StackValidationArgs` (its own list, its config, the stack tags). The policies only read those
objects (`resources.from_policy_resource` copies the props), so sharing them changes no verdict.

Everything else is the SDK's, line for line: the enforcement level per policy, DISABLED skipped, REMEDIATE reported
as mandatory, one `report_violation` per policy, `UnknownValueError` as the advisory "can't run" diagnostic,
`not_applicable`, awaitable results. It reaches into the servicer's private names, so it is applied only to the
SDK version the pack pins (`requirements.txt` beside this package); any other version keeps the SDK's own method.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import re
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
SDK_ANALYZE_STACK = SERVICER.AnalyzeStack  # the SDK's own method (tests compare the two)


def pinned_sdk_version(requirements: Path = REQUIREMENTS) -> str | None:
    """The `pulumi-policy==X` pin of the pack's requirements, or None without one."""
    try:
        text = requirements.read_text()
    except OSError:
        return None
    found = re.search(r"^pulumi[-_]policy==(\S+)", text, re.M | re.I)
    return found.group(1) if found else None


def share_stack_resources(installed: str | None = None, pinned: str | None = None) -> bool:
    """Replace the servicer's AnalyzeStack when the installed SDK is the pinned one; whether it is replaced."""
    installed = installed or importlib.metadata.version("pulumi-policy")
    if installed != (pinned or pinned_sdk_version()):
        return False  # another SDK: its AnalyzeStack may differ from the one copied below
    SERVICER.AnalyzeStack = analyze_stack
    return True


def stack_resources(request: Any, servicer: Any) -> list:
    """The request's resources as the SDK builds them for a stack policy, parents and dependencies linked."""
    built = []
    for r in request.resources:
        props = unknown_checking_proxy(deserialize_properties(json_format.MessageToDict(r.properties)))
        resource = sdk.PolicyResource(r.type, props, r.urn, r.name, servicer._get_resource_options(r),
                                      servicer._get_provider_resource(r), None, [], {})
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
    self._configure_runtime_settings()
    response = proto.AnalyzeResponse()
    pack_name = getattr(self, PRIVATE + "policy_pack_name")
    pack_version = getattr(self, PRIVATE + "policy_pack_version")
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
        try:
            result = policy.validate(args, report_violation)
            if isawaitable(result):
                loop = asyncio.new_event_loop()
                loop.run_until_complete(asyncio.Task(result, loop=loop))
                loop.close()
        except UnknownValueError as e:
            response.diagnostics.append(proto.AnalyzeDiagnostic(
                policyName=policy.name,
                policyPackName=pack_name,
                policyPackVersion=pack_version,
                message=(f"can't run policy '{policy.name}' from policy pack "
                         f"'{pack_name}@v{pack_version}' during preview: {e.message}"),
                urn="",
                description=policy.description,
                enforcementLevel=self._map_enforcement_level(sdk.EnforcementLevel.ADVISORY),
            ))
        except sdk._NotApplicableError as e:
            response.not_applicable.append(proto.PolicyNotApplicable(policy_name=policy.name, reason=e.reason or ""))
    return response
