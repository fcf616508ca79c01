"""Protocol tests: the pack as a separate process, started as the CLI starts it, driven over gRPC with every
profile resolved against the pack's own schemas. The stacks are first previews: ARNs and ids of new resources
are unknown, and every mandatory policy must still give its verdict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from compliance.policy_config import resolve_policy_config
from compliance.registry import BY_NAME, SPECS
from compliance.resources import kind_of
from policy_cases import CASES
from policy_stack import DR_REGION, REGION, REMOVE, SHAPES, UNKNOWN, compliant, mutate, to_analyzed, without

from preflight.pack_client import PolicyPackProcess, ProviderRef, Verdicts, policy_schemas

PACK = Path(__file__).resolve().parents[2] / "policies"
PROFILES = sorted(path.stem for path in (PACK / "profiles").glob("*.json"))


def profile(name: str) -> dict:
    return json.loads((PACK / "profiles" / f"{name}.json").read_text())


@pytest.fixture(scope="module")
def pack():
    with PolicyPackProcess(PACK, project="aws-backups", stack="prod", pulumi_config={"aws:region": REGION}) as process:
        yield process


@pytest.fixture(scope="module")
def schemas(pack):
    return policy_schemas(pack.info())


@pytest.fixture(scope="module")
def configs(schemas):
    """Each profile resolved against the pack's schemas, as the CLI does with --policy-pack-config."""
    return {name: resolve_policy_config(schemas, profile(name)) for name in PROFILES}


def run(pack, configuration: dict, items) -> Verdicts:
    """What `pulumi preview --policy-pack policies --policy-pack-config ...` asks of the pack."""
    pack.configure(configuration)
    pack.configure_stack()
    resources = to_analyzed(items)
    verdicts = pack.analyze_stack(resources)
    for resource in resources:
        verdicts.extend(pack.analyze(resource))
    return verdicts


def found(verdicts: Verdicts) -> set[tuple[str, str]]:
    assert not [d.message for d in verdicts.diagnostics if d.could_not_run], "a policy read an unknown value"
    return {(d.policy, d.level) for d in verdicts.diagnostics}


def test_the_pack_describes_every_policy(pack):
    info = pack.info()
    assert info.name == "aws-backups-compliance"
    assert [p.name for p in info.policies] == [spec.name for spec in SPECS]
    for policy in info.policies:
        spec = BY_NAME[policy.name]
        assert policy.description == spec.description
        assert policy.remediation_steps == spec.remediation
        assert policy.severity != 0, "severity is set"
    levels = {name: schema["enforcementLevel"] for name, schema in policy_schemas(info).items()}
    assert levels == {spec.name: spec.level for spec in SPECS}


def test_no_config_file_means_baseline(schemas):
    assert resolve_policy_config(schemas, None) == resolve_policy_config(schemas, profile("baseline"))


# What the compliant (sec-17a-4 shaped) stack draws in each profile: only advisories, except GDPR's choice on
# delete markers (erasure must reach the replica, which WORM forbids).
ALWAYS = {("aws-backup-plan-require-cross-account-copy", "advisory")}
COMPLIANT_EXTRA = {"gdpr": {("aws-s3-replication-enforce-delete-markers", "mandatory")}}


@pytest.mark.parametrize("name", PROFILES)
def test_compliant_first_preview_gets_every_verdict(pack, configs, name):
    assert found(run(pack, configs[name], compliant())) == ALWAYS | COMPLIANT_EXTRA.get(name, set())


def _levels(name: str, *policies: str) -> set[tuple[str, str]]:
    document = profile(name)
    return {(policy, document[policy]["enforcementLevel"]) for policy in policies}


REGULATED = {"hipaa", "sox", "sec-17a-4"}


def _short_retention(items):
    items = mutate(items, "plan", "rules[0].lifecycle", {"deleteAfter": 400})
    return mutate(items, "plan", "rules[0].copyActions[0].lifecycle", {"deleteAfter": 400.0})


SCENARIOS = {
    # change -> profile -> the policies that must fire (each at the profile's level for it)
    "cold storage 70 days before deletion": (
        lambda items: mutate(items, "plan", "rules[0].lifecycle.deleteAfter", 800),
        lambda name: {"aws-backup-plan-check-cold-storage-gap"}
        | ({"aws-backup-plan-enforce-min-retention"} if name in REGULATED else set()),
    ),
    "unprotected vault": (
        lambda items: mutate(items, "main-vault", "protect", False),
        lambda name: {"aws-backup-data-require-deletion-protection"},
    ),
    "governance-mode lock": (
        lambda items: mutate(items, "dr-lock", "changeableForDays", REMOVE),
        lambda name: {"aws-backup-vault-require-lock"} if name == "sec-17a-4" else set(),
    ),
    "400-day retention": (
        _short_retention,
        lambda name: {"aws-backup-plan-enforce-min-retention"} if name in REGULATED else set(),
    ),
    "plan without selection": (
        lambda items: without(items, "selection"),
        lambda name: {"aws-backup-plan-require-selection-and-vault"},
    ),
    "copy to the same region": (
        lambda items: mutate(items, "plan", "rules[0].copyActions[0].destinationVaultArn",
                             f"arn:aws:backup:{REGION}:111122223333:backup-vault:aws-backups-prod-main"),
        lambda name: {"aws-backup-plan-require-cross-region-copy"},
    ),
    "replica bucket without versioning": (
        lambda items: without(items, "replica-versioning"),
        lambda name: {"aws-s3-replication-check-versioning"},
    ),
    "cold after 30 days": (
        lambda items: mutate(items, "plan", "rules[0].lifecycle.coldStorageAfter", 30),
        lambda name: {"aws-backup-plan-enforce-warm-period"} if name in {"pci-dss", "sec-17a-4"} else set(),
    ),
}
GRID = [(scenario, name) for scenario in SCENARIOS for name in PROFILES]


@pytest.mark.parametrize(("scenario", "name"), GRID, ids=[f"{s} / {n}" for s, n in GRID])
def test_violations_at_each_profiles_level(pack, configs, scenario, name):
    change, expected = SCENARIOS[scenario]
    baseline = ALWAYS | COMPLIANT_EXTRA.get(name, set())
    assert found(run(pack, configs[name], change(compliant()))) - baseline == _levels(name, *expected(name))


def test_aws_limits_are_mandatory_in_every_profile(pack, configs):
    bad = mutate(compliant(), "main-lock", "changeableForDays", 2)
    for name in PROFILES:
        assert ("aws-backup-vaultlock-check-bounds", "mandatory") in found(run(pack, configs[name], bad))


def test_a_verdict_with_only_ids_and_arns_unknown(pack, configs):
    """Every ARN/id of a new resource is unknown, and a mandatory verdict is still given (not downgraded)."""
    items = mutate(compliant(), "plan", "rules[0].targetVaultName", UNKNOWN)
    items = mutate(items, "main-vault", "protect", False)
    unknown_paths = [("main-vault", "kmsKeyArn"), ("selection", "planId"), ("main-notifications", "snsTopicArn"),
                     ("replication", "rules[0].destination.bucket"), ("replication", "role")]
    assert all(_get(items, name, path) == UNKNOWN for name, path in unknown_paths)
    assert ("aws-backup-data-require-deletion-protection", "mandatory") in found(
        run(pack, configs["sec-17a-4"], items))


def test_a_value_that_cannot_be_judged_is_said_at_the_profiles_level(pack, configs):
    """The trap the pack avoids: a lock bound unknown at preview and from no resource of the stack cannot be
    judged. The SDK would downgrade the verdict to its advisory "can't run"; the pack says so itself, at the
    policy's level (mandatory here), naming the resource and the property."""
    items = mutate(compliant(), "main-lock", "maxRetentionDays", UNKNOWN)
    verdicts = run(pack, configs["sec-17a-4"], items)
    judged = [d for d in verdicts.diagnostics if d.policy in {"aws-backup-plan-check-retention-in-lock",
                                                             "aws-backup-vaultlock-check-bounds"}]
    assert {(d.policy, d.level) for d in judged} == {("aws-backup-plan-check-retention-in-lock", "mandatory"),
                                                     ("aws-backup-vaultlock-check-bounds", "mandatory")}
    assert all(not d.could_not_run and "cannot judge aws:backup/vaultLockConfiguration:VaultLockConfiguration "
               "'main-lock': its maxRetentionDays is unknown" in d.message for d in judged)


@pytest.mark.parametrize("shape", SHAPES)
def test_every_table_case_gives_the_same_verdict_through_the_pack(pack, schemas, shape):
    """The unit tables through the protocol: the policy under test alone, at mandatory; FAIL cases are reported,
    PASS and SKIP cases are not. In each shape: as written, and as the engine sends them (checked inputs to
    Analyze; to AnalyzeStack the outputs of a first preview, or read back after `pulumi up`)."""
    others_disabled = resolve_policy_config(schemas, {"all": "disabled"})
    for name, cases in CASES.items():
        spec = BY_NAME[name]
        for case in cases:
            # Resolving the one policy's entry alone keeps this loop fast (jsonschema per policy per call).
            alone = resolve_policy_config({name: schemas[name]},
                                          {name: {"enforcementLevel": "mandatory", **case.config}})
            pack.configure({**others_disabled, **alone})
            resources = to_analyzed(case.change(compliant()), shape)
            if spec.stack:
                verdicts = pack.analyze_stack(resources)
            else:
                verdicts = Verdicts()
                for resource in resources:
                    if kind_of(resource.type) in spec.kinds:
                        verdicts.extend(pack.analyze(resource))
            expected = {(name, "mandatory")} if case.expected == "fail" else set()
            assert {(d.policy, d.level) for d in verdicts.diagnostics} == expected, (
                f"{name}: {case.id}: {[d.message for d in verdicts.diagnostics]}")


def _get(items, name, path):
    value = items[name].props
    for step in path.replace("[", ".").replace("]", "").split("."):
        value = value[int(step)] if step.isdigit() else value[step]
    return value


def test_a_plan_without_region_takes_its_providers(pack, configs):
    """Region precedence: the resource's own `region`, else its provider's, else aws:region. Here the provider
    puts the plan in the DR region, so its copies there are no longer cross-region."""
    resources = to_analyzed(mutate(compliant(), "plan", "region", REMOVE))
    plan = next(r for r in resources if r.name == "plan")
    plan.provider = ProviderRef(type="pulumi:providers:aws", name="dr", properties={"region": DR_REGION},
                                urn="urn:pulumi:prod::aws-backups::pulumi:providers:aws::dr")
    pack.configure(configs["sec-17a-4"])
    policies = {(d.policy, d.level) for d in pack.analyze_stack(resources).diagnostics}
    assert ("aws-backup-plan-require-cross-region-copy", "mandatory") in policies
