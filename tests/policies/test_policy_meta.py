"""Meta tests: every policy is complete (name, description, severity, knobs with defaults, remediation, sources,
passing and failing cases), every profile is a valid --policy-pack-config file, AWS limits are mandatory
everywhere, and the README's table is generated from the registry and the profiles."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
import yaml
from compliance import coverage, docs, limits, protection, retention, s3
from compliance.registry import SPECS
from compliance.resources import KIND_OF_TOKEN
from compliance.spec import PolicySpec, to_policy
from policy_cases import CASES

from preflight.pack_config import resolve_policy_config

NAME = re.compile(r"^aws-[a-z0-9]+-[a-z0-9]+-(check|enforce|require)-[a-z0-9-]+$")
SEVERITIES = {"low", "medium", "high", "critical"}
LEVELS = {"advisory", "mandatory", "disabled"}
PROFILES = docs.profiles()


def schemas() -> dict[str, dict]:
    """The pack's schemas as GetAnalyzerInfo reports them (the protocol test proves they match)."""
    return {
        spec.name: {"enforcementLevel": spec.level,
                    "schema": {"type": "object", "properties": dict(spec.knobs), "required": []}}
        for spec in SPECS
    }


@pytest.mark.parametrize("spec", SPECS, ids=[spec.name for spec in SPECS])
def test_policy_is_complete(spec: PolicySpec):
    assert NAME.match(spec.name), "aws-<service>-<resource>-<verb>-<thing>"
    assert spec.description.endswith(".") and len(spec.description) > 30
    assert spec.why and spec.remediation
    assert spec.severity in SEVERITIES and spec.level in LEVELS
    assert spec.reads and set(spec.reads) <= set(KIND_OF_TOKEN)
    for key, schema in spec.knobs.items():
        assert {"type", "default", "description"} <= set(schema), key
        jsonschema.validate(spec.defaults()[key], schema)
    to_policy(spec)  # the SDK accepts it


def test_names_are_unique():
    assert len({spec.name for spec in SPECS}) == len(SPECS)


# The resource-type policies keep their tables in test_resource_type_policies.py.
TABLED = [spec for module in (limits, retention, protection, coverage, s3) for spec in module.POLICIES]


@pytest.mark.parametrize("spec", TABLED, ids=[spec.name for spec in TABLED])
def test_policy_has_passing_and_failing_cases(spec: PolicySpec):
    expected = {case.expected for case in CASES.get(spec.name, [])}
    # A SKIP (nothing to judge) is not a passing case: a policy needs a stack it judges and accepts.
    assert {"pass", "fail"} <= expected
    assert "fail" in expected


def test_every_case_table_belongs_to_a_policy():
    assert set(CASES) <= {spec.name for spec in SPECS}


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_profile_is_a_valid_policy_pack_config(name):
    document = PROFILES[name]
    resolved = resolve_policy_config(schemas(), document)
    assert set(document) == set(resolved), "a profile names every policy, so it reads as a complete statement"
    for spec in SPECS:
        level, properties = resolved[spec.name]
        assert level in LEVELS
        if spec.aws_limit:
            assert (level, properties) == ("mandatory", {}), f"{spec.name} is an AWS limit: not relaxable"


def test_aws_limits_have_no_knobs_and_their_own_level_is_mandatory():
    assert all(spec.aws_limit for spec in limits.POLICIES) and len(limits.POLICIES) == 13
    assert all(spec.level == "mandatory" and not spec.knobs for spec in SPECS if spec.aws_limit)


def test_baseline_is_the_policies_own_levels_and_defaults():
    assert resolve_policy_config(schemas(), PROFILES["baseline"]) == resolve_policy_config(schemas(), None)


def test_dev_enforces_limits_and_advises_the_rest():
    resolved = resolve_policy_config(schemas(), PROFILES["dev"])
    assert {name: level for name, (level, _) in resolved.items()} == {
        spec.name: "mandatory" if spec.aws_limit else "advisory" for spec in SPECS}


@pytest.mark.parametrize(("profile", "policy", "knob", "value"), [
    ("baseline", "aws-backup-plan-enforce-min-retention", "minRetentionDays", 35),
    ("baseline", "aws-backup-plan-enforce-min-frequency", "maxIntervalHours", 24),
    ("hipaa", "aws-backup-plan-enforce-min-retention", "minRetentionDays", 2190),
    ("sox", "aws-backup-plan-enforce-min-retention", "minRetentionDays", 2555),
    ("pci-dss", "aws-backup-plan-enforce-min-retention", "minRetentionDays", 365),
    ("pci-dss", "aws-backup-plan-enforce-warm-period", "minWarmDays", 90),
    ("sec-17a-4", "aws-backup-plan-enforce-min-retention", "minRetentionDays", 2190),
    ("sec-17a-4", "aws-backup-vault-require-lock", "mode", "compliance"),
    ("gdpr", "aws-backup-plan-enforce-max-retention", "maxRetentionDays", 2555),
])
def test_profile_figures(profile, policy, knob, value):
    """The figures of compliance-figures.md, as the profiles state them."""
    _, properties = resolve_policy_config(schemas(), PROFILES[profile])[policy]
    assert properties[knob] == value
    assert PROFILES[profile][policy]["enforcementLevel"] == "mandatory"


def test_readme_table_is_generated_from_registry_and_profiles():
    readme = docs.README.read_text()
    assert readme == docs.with_table(readme), (
        "policies/README.md is out of date: run `cd policies && ../venv/bin/python -m compliance.docs`")
    assert all(f"`{spec.name}`" in readme for spec in SPECS)


def test_profiles_are_pretty_printed_json():
    for name, document in PROFILES.items():
        assert (docs.PACK / "profiles" / f"{name}.json").read_text() == json.dumps(document, indent=2) + "\n"


def test_pulumi_policy_yaml_names_the_pack_the_projects_venv_and_its_toolchain():
    """Without `toolchain`, the CLI would pick uv or poetry on finding a uv.lock or poetry.lock in the pack folder
    or a parent (pulumi sdk/python/toolchain ResolveToolchain): the program and the pack both name pip."""
    manifest = yaml.safe_load((docs.PACK / "PulumiPolicy.yaml").read_text())
    assert (manifest["name"], manifest["version"]) == ("aws-backups-compliance", "0.1.0")
    assert manifest["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": "../venv"}}
    project = yaml.safe_load((docs.PACK.parent / "Pulumi.yaml").read_text())
    assert project["runtime"]["options"]["toolchain"] == "pip"
    assert (docs.PACK / manifest["runtime"]["options"]["virtualenv"] / "bin" / "python").exists()
