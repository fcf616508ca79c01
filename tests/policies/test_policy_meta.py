"""Meta tests: every policy is complete (name, description, severity, knobs with defaults, remediation, sources,
passing and failing cases), every profile is a valid --policy-pack-config file, AWS limits are mandatory
everywhere, and the README's table is generated from the registry and the profiles."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
import yaml
from compliance import docs, registry
from compliance.policy_config import resolve_policy_config
from compliance.registry import SPECS
from compliance.resources import KIND_OF_TOKEN
from compliance.spec import PolicySpec, to_policy
from policy_cases import CASES

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
RESOURCE_TYPE_POLICIES = {"aws-backup-plan-check-type-features", "aws-backup-plan-require-advanced-features",
                          "aws-backup-plan-check-windows-vss-selection"}
TABLED = [spec for spec in SPECS if spec.name not in RESOURCE_TYPE_POLICIES]


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


AWS_LIMIT_POLICIES = {
    "aws-backup-plan-check-cold-storage-gap", "aws-backup-plan-check-lifecycle-bounds",
    "aws-backup-plan-check-continuous-backup", "aws-backup-plan-check-start-window", "aws-backup-plan-check-schedule",
    "aws-backup-resource-check-names", "aws-backup-vaultlock-check-bounds", "aws-backup-plan-check-retention-in-lock",
    "aws-backup-plan-check-type-features", "aws-s3-replication-check-versioning",
    "aws-s3-replication-check-rule-fields", "aws-s3-replication-check-rtc-metrics",
    "aws-s3-replication-check-kms-selection", "aws-s3-bucket-check-name",
    "aws-organizations-backuppolicy-check-syntax", "aws-organizations-backuppolicy-check-effective-plans",
    "aws-backup-evidence-check-limits",
}


def test_aws_limits_have_no_knobs_and_their_own_level_is_mandatory():
    assert {spec.name for spec in SPECS if spec.aws_limit} == AWS_LIMIT_POLICIES
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


@pytest.mark.parametrize("path", list(docs.GENERATED), ids=lambda path: path.name)
def test_generated_tables_match_registry_and_profiles(path):
    text = path.read_text()
    assert text == docs.with_tables(text, docs.GENERATED[path]), (
        f"{path.name} is out of date: run `cd policies && ../venv/bin/python -m compliance.docs`")


def test_readme_table_names_every_policy():
    readme = docs.README.read_text()
    assert all(f"`{spec.name}`" in readme for spec in SPECS)


def test_figures_table_can_go_stale():
    """The check above fails when a profile's figure changes and the document does not."""
    text = docs.FIGURES_DOC.read_text()
    stale = text.replace("| `hipaa` | 2190 (M)", "| `hipaa` | 2191 (M)")
    assert stale != text and stale != docs.with_tables(stale, docs.GENERATED[docs.FIGURES_DOC])


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


GUARDS = [registry.vaults, registry.plan_rules, registry.plan_retention, registry.plan_copies, registry.selections,
          registry.backup_names, registry.s3_buckets, registry.s3_replication, registry.data_protection,
          registry.org_backup_policies, registry.evidence_resources, registry.evidence_required]


@pytest.mark.parametrize("guard", GUARDS, ids=lambda module: module.__name__)
def test_each_check_sits_in_the_module_of_its_policy(guard):
    """Laid out by what it guards: a policy's check and its metadata side by side, in one guard module."""
    assert guard.POLICIES
    for spec in guard.POLICIES:
        assert spec.check.__module__ == guard.__name__, f"{spec.name}: check in {spec.check.__module__}"


def test_the_registry_is_every_guard_modules_policies_once():
    assert [spec for guard in GUARDS for spec in guard.POLICIES] == SPECS


REPO = docs.PACK.parent
CITED_FILE = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w.-]+\.(?:md|py|json|ya?ml))\b")


def _cited_files(spec: PolicySpec) -> set[str]:
    texts = [spec.why, spec.description, spec.remediation,
             *(str(knob.get("description", "")) for knob in spec.knobs.values())]
    return {match for text in texts for match in CITED_FILE.findall(text)}


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.name)
def test_every_cited_file_exists(spec: PolicySpec):
    """A user who follows a policy's citation finds the document: in the repository, or in the pack folder."""
    for cited in _cited_files(spec):
        assert (REPO / cited).is_file() or (docs.PACK / cited).is_file(), f"{spec.name} cites {cited}"


def test_the_aws_limit_items_cited_exist():
    limits = (REPO / "docs" / "aws-limits.md").read_text()
    cited = {number for spec in SPECS for number in re.findall(r"aws-limits\.md #(\d+)", spec.why)}
    assert cited
    for number in cited:
        assert re.search(rf"^#+ #{number}\b|^#{number}\b|^\W*#{number}\b", limits, re.M), f"item #{number}"


def test_the_citation_check_can_fail():
    spec = SPECS[0]
    assert _cited_files(PolicySpec(**{**spec.__dict__, "why": "see docs/no-such-file.md"})) == {
        "docs/no-such-file.md"}
