"""compliance/shared_requests.py: Analyze and AnalyzeStack with a request's resources built once give the SDK's own
responses, byte for byte, under every profile; they replace the SDK's methods only under the pinned SDK version."""

from __future__ import annotations

import asyncio
import importlib.metadata
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from compliance import shared_requests
from compliance.policy_config import resolve_policy_config
from compliance.registry import policies
from policy_stack import SHAPES, UNKNOWN, compliant, mutate, to_analyzed, without
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import (
    EnforcementLevel,
    ResourceValidationPolicy,
    StackValidationPolicy,
)
from pulumi_policy import policy as sdk

from preflight.pack_client import PolicyPackProcess, policy_schemas

ROOT = Path(__file__).resolve().parents[2]
PROFILES = sorted(path.stem for path in (ROOT / "policies" / "profiles").glob("*.json"))
STACKS = {
    "compliant": compliant,
    "cold storage gap": lambda: mutate(compliant(), "plan", "rules[0].lifecycle.deleteAfter", 800),
    "unprotected vault": lambda: mutate(compliant(), "main-vault", "protect", False),
    "no selection": lambda: without(compliant(), "selection"),
    "unknown lifecycle": lambda: mutate(compliant(), "plan", "rules[0].lifecycle.deleteAfter", UNKNOWN),
    "no replica versioning": lambda: without(compliant(), "replica-versioning"),
}


SDK = {"Analyze": shared_requests.SDK_ANALYZE, "AnalyzeStack": shared_requests.SDK_ANALYZE_STACK}
SHARED = {"Analyze": shared_requests.analyze, "AnalyzeStack": shared_requests.analyze_stack}


class InProcess(PolicyPackProcess):
    """The pack client's requests, answered by an in-process servicer; Analyze and AnalyzeStack by the methods
    given, their responses kept serialized."""

    def __init__(self, servicer, methods) -> None:
        super().__init__(ROOT / "policies", project="aws-backups", stack="prod",
                         pulumi_config={"aws:region": "us-east-1"})
        self.servicer, self.methods, self.responses = servicer, methods or {}, []

    def _call(self, method, request):
        response = self.methods.get(method, getattr(type(self.servicer), method))(self.servicer, request, None)
        if method in self.methods:
            self.responses.append(response.SerializeToString(deterministic=True))
        return response


def responses(policy_list, methods, configuration, stacks, tags=None) -> list[bytes]:
    """Every Analyze response of each stack's resources, then its AnalyzeStack response."""
    client = InProcess(sdk._PolicyAnalyzerServicer("aws-backups-compliance", "0.1.0", policy_list,
                                                   EnforcementLevel.MANDATORY), methods)
    if configuration is not None:
        client.configure(configuration)
    client.configure_stack(tags)
    for resources in stacks:
        for resource in resources:
            client.analyze(resource)
        client.analyze_stack(resources)
    return client.responses


@pytest.fixture(scope="module")
def configs():
    pack = policies()
    client = InProcess(sdk._PolicyAnalyzerServicer("p", "0.1.0", pack, EnforcementLevel.MANDATORY), None)
    schemas = policy_schemas(client.info())
    return {name: resolve_policy_config(schemas, json.loads((ROOT / "policies" / "profiles" / f"{name}.json")
                                                           .read_text())) for name in PROFILES}


@pytest.mark.parametrize("profile", PROFILES)
def test_the_same_response_as_the_sdk_under_every_profile(configs, profile):
    stacks = [to_analyzed(make(), shape) for make in STACKS.values() for shape in SHAPES]
    before = responses(policies(), SDK, configs[profile], stacks)
    after = responses(policies(), SHARED, configs[profile], stacks)
    assert before == after
    assert len(set(after)) > 2  # the verdicts differ


def _edge_stack_policies() -> list:
    def unknown(args, report):
        for resource in args.resources:
            if resource.name == "plan":
                report(str(resource.props["rules"][0]["lifecycle"]["deleteAfter"]))  # unknown: can't run

    async def later(args, report):
        await asyncio.sleep(0)
        report(f"{len(args.resources)} resources, tags {dict(args.stack_tags)}")

    def shrinks(args, report):
        args.resources.clear()  # its own list: the next policies still see every resource
        report("cleared")

    def counts(args, report):
        parents = sum(r.parent is not None for r in args.resources)
        deps = sum(len(r.dependencies) + sum(map(len, r.property_dependencies.values())) for r in args.resources)
        report(f"{len(args.resources)} resources, {parents} parents, {deps} links, config {dict(args.get_config())}")

    def skipped(args, report):
        args.not_applicable("nothing here")

    stack = [StackValidationPolicy(name=f"s-{f.__name__}", description=f.__name__, validate=f,
                                   enforcement_level=level)
             for f, level in [(unknown, EnforcementLevel.MANDATORY), (later, EnforcementLevel.ADVISORY),
                              (shrinks, EnforcementLevel.REMEDIATE), (counts, EnforcementLevel.MANDATORY),
                              (skipped, EnforcementLevel.ADVISORY), (counts, EnforcementLevel.DISABLED)]]
    stack[-1].name = "s-disabled"
    return stack


def _edge_resource_policies() -> list:
    def unknown(args, report):
        if args.name == "plan":
            report(str(args.props["rules"][0]["lifecycle"]["deleteAfter"]))  # unknown: can't run

    async def later(args, report):
        await asyncio.sleep(0)
        report(f"{args.name}: tags {dict(args.stack_tags)}, config {dict(args.get_config())}")

    def describes(args, report):
        provider = args.provider.urn if args.provider else None
        report(f"{args.resource_type} {args.urn} {sorted(args.props)} protect={args.opts.protect} {provider}")

    def skipped(args, report):
        args.not_applicable(f"not for {args.name}")

    resource = [ResourceValidationPolicy(name=f"r-{f.__name__}", description=f.__name__, validate=f,
                                         enforcement_level=level)
                for f, level in [(unknown, EnforcementLevel.MANDATORY), (later, EnforcementLevel.ADVISORY),
                                 (describes, EnforcementLevel.REMEDIATE), (skipped, EnforcementLevel.ADVISORY),
                                 (describes, EnforcementLevel.DISABLED)]]
    resource[-1].name = "r-disabled"
    remediation_only = ResourceValidationPolicy(name="r-remediates", description="remediates only",
                                                remediate=lambda args: None)
    return [*resource, remediation_only]


def test_the_sdks_edge_cases_answer_alike():
    """Unknown values, awaitables, a policy changing its list, REMEDIATE, DISABLED, not applicable, a
    remediation-only policy, links, the provider, options, config and tags."""
    stacks = []
    for shape in SHAPES[:2]:  # read back after `pulumi up`, nothing is unknown
        resources = to_analyzed(mutate(compliant(), "plan", "rules[0].lifecycle.deleteAfter", UNKNOWN), shape)
        stacks.append([replace(r, parent=resources[0].urn) if i % 2 else r for i, r in enumerate(resources)])
    pack = [*_edge_stack_policies(), *_edge_resource_policies()]
    before = responses(pack, SDK, None, stacks, {"team": "a"})
    after = responses(pack, SHARED, None, stacks, {"team": "a"})
    assert before == after
    parsed = [analyzer_pb2.AnalyzeResponse.FromString(r) for r in after]
    analyze, stack = parsed[:len(stacks[0])], [parsed[len(stacks[0])], parsed[-1]]

    def names(response):
        return {d.policyName for d in response.diagnostics} | {n.policy_name for n in response.not_applicable}

    assert all(names(r) == {"s-unknown", "s-later", "s-shrinks", "s-counts", "s-skipped"} for r in stack)
    assert all(any("can't run" in d.message for d in r.diagnostics) for r in stack)
    assert all(names(r) >= {"r-later", "r-describes", "r-skipped", "r-remediates"} and not names(r) & {
        "r-disabled", "s-counts"} for r in analyze)
    assert any("can't run" in d.message for r in analyze for d in r.diagnostics)
    assert {n.reason for r in analyze for n in r.not_applicable} >= {"Policy does not implement validate",
                                                                       "not for plan"}


def test_only_the_pinned_sdk_is_patched(monkeypatch):
    for method, sdk_method in SDK.items():
        monkeypatch.setattr(sdk._PolicyAnalyzerServicer, method, sdk_method)
    assert not shared_requests.share_request_resources(installed="1.22.0")
    assert not shared_requests.share_request_resources(pinned="0.0.0")
    assert {m: getattr(sdk._PolicyAnalyzerServicer, m) for m in SDK} == SDK
    assert shared_requests.share_request_resources()
    assert {m: getattr(sdk._PolicyAnalyzerServicer, m) for m in SDK} == SHARED


def test_the_pin_is_the_installed_sdk_and_the_programs():
    """A new SDK version turns the sharing off until analyze_stack is compared with its AnalyzeStack again."""
    pinned = shared_requests.pinned_sdk_version()
    assert pinned == importlib.metadata.version("pulumi-policy")
    assert re.search(rf"^pulumi-policy=={re.escape(pinned)}$", (ROOT / "requirements.txt").read_text(), re.M) or \
        "pulumi-policy" not in (ROOT / "requirements.txt").read_text()
    assert shared_requests.pinned_sdk_version(ROOT / "no-such-file") is None
