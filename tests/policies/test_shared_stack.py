"""compliance/shared_stack.py: AnalyzeStack with the resources built once gives the SDK's own response, byte for
byte, under every profile; it replaces the SDK's method only under the pinned SDK version."""

from __future__ import annotations

import asyncio
import importlib.metadata
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from compliance import shared_stack
from compliance.policy_config import resolve_policy_config
from compliance.registry import policies
from policy_stack import SHAPES, UNKNOWN, compliant, mutate, to_analyzed, without
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


class InProcess(PolicyPackProcess):
    """The pack client's requests, answered by an in-process servicer; `AnalyzeStack` by the method given."""

    def __init__(self, servicer, analyze_stack) -> None:
        super().__init__(ROOT / "policies", project="aws-backups", stack="prod",
                         pulumi_config={"aws:region": "us-east-1"})
        self.servicer, self.analyze_stack_method, self.responses = servicer, analyze_stack, []

    def _call(self, method, request):
        call = self.analyze_stack_method if method == "AnalyzeStack" else getattr(type(self.servicer), method)
        response = call(self.servicer, request, None)
        if method == "AnalyzeStack":
            self.responses.append(response.SerializeToString(deterministic=True))
        return response


def responses(policy_list, analyze_stack, configuration, stacks, tags=None) -> list[bytes]:
    client = InProcess(sdk._PolicyAnalyzerServicer("aws-backups-compliance", "0.1.0", policy_list,
                                                   EnforcementLevel.MANDATORY), analyze_stack)
    if configuration is not None:
        client.configure(configuration)
    client.configure_stack(tags)
    for resources in stacks:
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
    before = responses(policies(), shared_stack.SDK_ANALYZE_STACK, configs[profile], stacks)
    after = responses(policies(), shared_stack.analyze_stack, configs[profile], stacks)
    assert before == after
    assert len(set(after)) > 2  # the stacks' violations differ


def _edge_policies() -> list:
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
    resource = ResourceValidationPolicy(name="r-never", description="not a stack policy",
                                        validate=lambda args, report: report("never"))
    return [*stack, resource]


def test_the_sdks_edge_cases_answer_alike():
    """Unknown values, awaitables, a policy changing its list, REMEDIATE, DISABLED, not applicable, links."""
    stacks = []
    for shape in SHAPES[:2]:  # read back after `pulumi up`, nothing is unknown
        resources = to_analyzed(mutate(compliant(), "plan", "rules[0].lifecycle.deleteAfter", UNKNOWN), shape)
        stacks.append([replace(r, parent=resources[0].urn) if i % 2 else r for i, r in enumerate(resources)])
    before = responses(_edge_policies(), shared_stack.SDK_ANALYZE_STACK, None, stacks, {"team": "a"})
    after = responses(_edge_policies(), shared_stack.analyze_stack, None, stacks, {"team": "a"})
    assert before == after
    assert all(b"can't run" in r and b"nothing here" in r and b"cleared" in r and b"never" not in r
               and b" 0 parents" not in r for r in after)


def test_only_the_pinned_sdk_is_patched(monkeypatch):
    monkeypatch.setattr(sdk._PolicyAnalyzerServicer, "AnalyzeStack", shared_stack.SDK_ANALYZE_STACK)
    assert not shared_stack.share_stack_resources(installed="1.22.0")
    assert sdk._PolicyAnalyzerServicer.AnalyzeStack is shared_stack.SDK_ANALYZE_STACK
    assert not shared_stack.share_stack_resources(pinned="0.0.0")
    assert sdk._PolicyAnalyzerServicer.AnalyzeStack is shared_stack.SDK_ANALYZE_STACK
    assert shared_stack.share_stack_resources()
    assert sdk._PolicyAnalyzerServicer.AnalyzeStack is shared_stack.analyze_stack


def test_the_pin_is_the_installed_sdk_and_the_programs():
    """A new SDK version turns the sharing off until analyze_stack is compared with its AnalyzeStack again."""
    pinned = shared_stack.pinned_sdk_version()
    assert pinned == importlib.metadata.version("pulumi-policy")
    assert re.search(rf"^pulumi-policy=={re.escape(pinned)}$", (ROOT / "requirements.txt").read_text(), re.M) or \
        "pulumi-policy" not in (ROOT / "requirements.txt").read_text()
    assert shared_stack.pinned_sdk_version(ROOT / "no-such-file") is None
