"""Policy fuzzing through the pack's real gRPC protocol (one pack process for the module).

Resources of every type token the pack recognises, with hostile properties (tests/generated_resources.py), go
through `Analyze`; small stacks of them through `AnalyzeStack`, under every profile. A policy that raises makes
the SDK's servicer fail the whole call (a gRPC error, `PackError` here: shown by the raising fixture pack), so
every call must succeed; and every answer must be a violation with a message, a pass (no diagnostic), a
not-applicable, or "can't run during preview" only when an unknown value was actually sent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from compliance.policy_config import resolve_policy_config
from compliance.registry import SPECS
from fuzzing import count, fuzz
from generated_resources import PROJECT, STACK, TOKENS, FuzzStack, engine_shaped, has_unknown, resources, stacks
from hypothesis import given
from hypothesis import strategies as st

from preflight.pack_client import AnalyzedResource, PackError, PolicyPackProcess, Verdicts, policy_schemas

ROOT = Path(__file__).resolve().parents[1]
PROFILES = sorted(ROOT.glob("policies/profiles/*.json"))
PROFILE_NAMES = [*(path.stem for path in PROFILES), "all-mandatory"]
STACK_POLICY_NAMES = {spec.name for spec in SPECS if spec.stack}


class Pack:
    """The running pack, its policies, and each profile's resolved config (plus every policy mandatory)."""

    def __init__(self, process: PolicyPackProcess) -> None:
        self.process = process
        info = process.info()
        schemas = policy_schemas(info)
        self.names = set(schemas)
        self.configs = {path.stem: resolve_policy_config(schemas, json.loads(path.read_text())) for path in PROFILES}
        self.configs["all-mandatory"] = resolve_policy_config(schemas, {"all": "mandatory"})
        self._current = ""

    def running(self, stack: bool) -> int:
        """How many policies the pack runs on each Analyze (or AnalyzeStack) under the current profile."""
        return sum(level != "disabled" and (name in STACK_POLICY_NAMES) == stack
                   for name, (level, _) in self.configs[self._current].items())

    def configure(self, profile: str) -> None:
        if profile != self._current:
            self.process.configure(self.configs[profile])
            self.process.configure_stack({"pulumi:project": PROJECT})
            self._current = profile

    def check(self, verdicts: Verdicts, sent_unknown: bool) -> None:
        for diagnostic in verdicts.diagnostics:
            assert diagnostic.policy in self.names
            if diagnostic.could_not_run:
                count("policy verdicts: can't run (an unknown value was sent)")
                assert sent_unknown, f"{diagnostic.policy} could not run, but no unknown value was sent"
            elif diagnostic.cannot_judge:
                count("policy verdicts: cannot judge, at the policy's level (an unknown value was sent)")
                assert sent_unknown, f"{diagnostic.policy} could not judge, but no unknown value was sent"
            else:
                count("policy verdicts: violation")
                assert diagnostic.message.strip() and diagnostic.level in ("mandatory", "advisory")
        for policy, _reason in verdicts.not_applicable:
            count("policy verdicts: not applicable")
            assert policy in self.names


@pytest.fixture(scope="module")
def pack():
    with PolicyPackProcess(ROOT / "policies", project=PROJECT, stack=STACK, dry_run=True,
                           pulumi_config={"aws:region": "eu-west-1"}, start_timeout=60, call_timeout=60) as process:
        yield Pack(process)


def _analyze(pack: Pack, resource: AnalyzedResource) -> Verdicts:
    try:
        return pack.process.analyze(resource)
    except PackError as error:
        count("policy crashes")
        raise AssertionError(f"a policy raised on {resource.type} {resource.properties}:\n{error}") from None


@fuzz(600)
@given(resource=st.sampled_from(TOKENS).flatmap(resources), profile=st.sampled_from(PROFILE_NAMES),
       checked=st.booleans())
def test_no_policy_raises_on_a_fuzzed_resource(pack, resource, profile, checked):
    if checked:  # as the engine sends Analyze: the provider's checked inputs
        resource = engine_shaped(resource, preview=True)
    pack.configure(profile)
    verdicts = _analyze(pack, resource)
    count("resources fuzzed through Analyze")
    count("policy evaluations on fuzzed input", pack.running(stack=False))
    pack.check(verdicts, has_unknown(resource.properties) or bool(resource.provider
                                                                  and has_unknown(resource.provider.properties)))


@fuzz(200)
@given(stack=stacks(), profile=st.sampled_from(PROFILE_NAMES))
def test_no_stack_policy_raises_on_a_fuzzed_stack(pack, stack: FuzzStack, profile):
    pack.configure(profile)
    try:
        verdicts = pack.process.analyze_stack(stack.resources)
    except PackError as error:
        count("policy crashes")
        raise AssertionError(f"a stack policy raised:\n{error}") from None
    count("stacks fuzzed through AnalyzeStack")
    count("policy evaluations on fuzzed input", pack.running(stack=True))
    count("resources fuzzed through AnalyzeStack", len(stack.resources))
    pack.check(verdicts, stack.has_unknown)


def test_every_type_token_is_fuzzed():
    """The strategies cover every token the pack recognises, each with the properties its policies read."""
    from generated_resources import read_paths

    assert "aws:s3/bucketV2:BucketV2" in TOKENS and "aws:backup/plan:Plan" in TOKENS
    assert "rules[].lifecycle.deleteAfter" in read_paths("aws:backup/plan:Plan")
    assert read_paths("aws:s3/bucketVersioningV2:BucketVersioningV2") == read_paths(
        "aws:s3/bucketVersioning:BucketVersioning")


def test_a_raising_policy_is_a_grpc_error():
    """What the fuzz tests catch: the SDK lets a policy's exception escape Analyze, failing the call."""
    resource = AnalyzedResource(type="aws:backup/plan:Plan", name="p", urn="urn:pulumi:s::p::aws:backup/plan:Plan::p",
                                properties={})
    with PolicyPackProcess(ROOT / "tests" / "fixtures" / "raising_pack", project=PROJECT, stack=STACK,
                           start_timeout=60, call_timeout=30) as process, pytest.raises(PackError) as raised:
        process.analyze(resource)
    assert "failed in Analyze" in str(raised.value) and "deleteAfter" in str(raised.value)
