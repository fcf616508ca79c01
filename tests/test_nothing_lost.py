"""Nothing lost by a config edit: in production every vault, bucket, KMS key and notification topic is protected
and retained on delete, vaults and buckets are never force-destroyed, keys have a 30-day deletion window (program
tests on the recorded resource options: the Analyzer protocol does not carry retainOnDelete). And the gate: a
mandatory policy of every production profile blocks a prod stack in which one of them is unprotected.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import yaml
from compliance.policy_config import resolve_policy_config
from fuzzing import count, fuzz
from generated_configs import valid_configs
from hypothesis import given
from preflight_main import preflight_main
from pulumi_mocks import Recorded, project_program, run_capturing, run_stack_file, stack_file_config
from pulumi_mocks import run_program as run_mocked_program

from preflight.engine_model import load_facts
from preflight.pack_client import PolicyPackProcess, policy_schemas
from preflight.program import run_program
from preflight.replacement import replacement_notes
from preflight.stack_files import read_stack

ROOT = Path(__file__).resolve().parents[1]
VAULT, BUCKET, KEY, TOPIC = "aws:backup/vault:Vault", "aws:s3/bucket:Bucket", "aws:kms/key:Key", "aws:sns/topic:Topic"
DATA_TYPES = (VAULT, BUCKET, KEY, TOPIC)
# Not data, but what keeps it: removing a lock by a config edit would let retention be shortened (program-level).
LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"
# Also kept and protected with the data they guard: the alias a retained bucket or topic is encrypted through, the
# vault's deny-delete policy, and a bucket's versioning, encryption, public access block, ownership and TLS policy.
ALIAS = "aws:kms/alias:Alias"
GUARDS = (
    ALIAS,
    "aws:backup/vaultPolicy:VaultPolicy",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",  # the audit reports' lock
)
# Kept with its bucket but not protected: ops may change or drop the expiry by a config edit.
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
POLICY = "aws-backup-data-require-deletion-protection"
PRODUCTION_PROFILES = sorted(p.stem for p in ROOT.glob("policies/profiles/*.json") if p.stem != "dev")
# Production stacks, and the kinds of data resource each must hold (or the check would prove nothing).
PRODUCTION_STACKS = {
    ROOT / "Pulumi.prod.yaml": {*DATA_TYPES, *GUARDS, LIFECYCLE},
    ROOT / "tests" / "stacks" / "Pulumi.full.yaml": {VAULT, KEY, TOPIC, ALIAS, "aws:backup/vaultPolicy:VaultPolicy"},
}


def data_resources_that_could_be_lost(resources: list[Recorded]) -> list[str]:
    """Each way a production data resource could be lost by a config edit, as a readable line."""
    found = []
    for r in resources:
        if r.type == LIFECYCLE and not r.retain_on_delete:
            found.append(f"{r.type} {r.name}: retainOnDelete=False")
        if r.type not in (*DATA_TYPES, LOCK, *GUARDS):
            continue
        count("data resources checked in production")
        if not (r.protect and r.retain_on_delete):
            found.append(f"{r.type} {r.name}: protect={r.protect} retainOnDelete={r.retain_on_delete}")
        if r.type in (VAULT, BUCKET) and r.inputs.get("forceDestroy") is True:
            found.append(f"{r.type} {r.name}: forceDestroy")
        if r.type == KEY and r.inputs.get("deletionWindowInDays") != 30:
            found.append(f"{r.type} {r.name}: deletionWindowInDays={r.inputs.get('deletionWindowInDays')}")
    count("unprotected data resources in production", len(found))
    return found


@pytest.mark.parametrize("stack_file", PRODUCTION_STACKS, ids=lambda p: p.name)
def test_production_data_resources_are_protected_and_retained(stack_file):
    resources = run_stack_file(stack_file)
    assert PRODUCTION_STACKS[stack_file] <= {r.type for r in resources}
    assert data_resources_that_could_be_lost(resources) == []


# Replace-on-change, with the vault's name as their id: created first and the old one deleted after, a replacement
# would delete the setting it just wrote (provider facts, preflight/data/aws_provider_facts.json).
VAULT_SETTINGS = (LOCK, "aws:backup/vaultNotifications:VaultNotifications")


@pytest.mark.parametrize("production", [True, False])
def test_a_vault_setting_is_deleted_before_it_is_replaced(production):
    config = {**stack_file_config(ROOT / "Pulumi.prod.yaml"), "aws-backups:production": production}
    settings = [r for r in run_mocked_program(config, stack_name="prod") if r.type in VAULT_SETTINGS]
    assert {r.type for r in settings} == set(VAULT_SETTINGS)
    assert all(r.delete_before_replace for r in settings)
    assert all(facts_replace_on_change(r.type) >= {"backupVaultName"} for r in settings)


def facts_replace_on_change(token: str) -> set[str]:
    return set(load_facts().of(token).replace_on_changes)


def test_preflight_tells_ops_what_an_edit_of_a_protected_resource_does():
    notes = replacement_notes(run_stack_file(ROOT / "Pulumi.prod.yaml"), load_facts())
    assert any(note.startswith("protected: `pulumi up` refuses an edit that would replace one of these")
               and "3 VaultLockConfiguration (on backupVaultName, changeableForDays, maxRetentionDays, "
                   "minRetentionDays, region)" in note for note in notes)
    assert ("vault locks primary, dr, pitr are in compliance mode: 3 days after one is first applied, AWS refuses any "
            "change or removal of it, whoever asks; edit its bounds before then, or never") in notes


def test_an_adopted_buckets_key_alias_and_settings_are_kept_outside_production_too():
    """The adopted bucket belongs to someone else and outlives the item in every stack: its key (and the alias its
    default encryption names), versioning and encryption stay when the item leaves the program."""
    config = {**stack_file_config(ROOT / "Pulumi.prod.yaml"), "aws-backups:production": False}
    resources = run_mocked_program(config, stack_name="prod")
    adopted = [r for r in resources if r.name.startswith("customer-documents-source-")]
    assert sorted(r.name for r in adopted) == [
        "customer-documents-source-encryption",
        "customer-documents-source-key",
        "customer-documents-source-key-alias",
        "customer-documents-source-versioning",
    ]
    assert all(r.retain_on_delete and not r.protect for r in adopted)
    created = [r for r in resources if r.name.startswith("customer-documents-replica-")]
    assert created and not any(r.retain_on_delete for r in created)


@fuzz(25)
@given(valid_configs())
def test_any_production_config_protects_its_data(drawn):
    drawn.document["production"] = True
    resources, error = run_capturing(project_program, drawn.cli_config(), drawn.stack)
    assert error is None, error
    count("configs fuzzed")
    count("production configs fuzzed for protection")
    assert data_resources_that_could_be_lost(resources) == []


# -- the gate ------------------------------------------------------------------------------------------------------
def test_preflight_blocks_prod_with_production_switched_off(tmp_path):
    document = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())
    document["config"]["aws-backups:production"] = False  # the careless edit
    stack_file = tmp_path / "Pulumi.prod-unprotected.yaml"
    stack_file.write_text(yaml.safe_dump(document))
    result = preflight_main("--stack", "prod", "--config-file", str(stack_file),
                            "--policy-pack-config", str(ROOT / "policies" / "profiles" / "sec-17a-4.json"), "--json")
    assert result.returncode == 1, result.stderr
    blocked = {d["urn"].rsplit("::", 1)[1] for d in json.loads(result.stdout)["diagnostics"]
               if d["policy"] == POLICY and d["level"] == "mandatory"}
    assert {"primary", "dr", "invoices-source-bucket", "invoices-source-key"} <= blocked


@pytest.fixture(scope="module")
def prod_pack():
    """The recorded prod preview and the real pack, started with prod's config; each production profile resolved."""
    settings_ = read_stack(ROOT, "prod")
    resources = run_program(settings_, preview=True).resources
    with PolicyPackProcess(ROOT / "policies", project=settings_.project, stack="prod", dry_run=True,
                           pulumi_config=settings_.config) as pack:
        schemas = policy_schemas(pack.info())
        profiles = {name: resolve_policy_config(
            schemas, json.loads((ROOT / "policies" / "profiles" / f"{name}.json").read_text()))
            for name in PRODUCTION_PROFILES}
        yield resources, pack, profiles


@pytest.mark.parametrize("kind", DATA_TYPES)
def test_gate_blocks_prod_with_one_data_resource_unprotected(prod_pack, kind):
    resources, pack, profiles = prod_pack
    target = next(r for r in resources if r.type == kind)
    edited = [dataclasses.replace(r, protect=False) if r is target else r for r in resources]
    for profile, config in profiles.items():
        assert config[POLICY][0] == "mandatory", f"{POLICY} is not mandatory in {profile}"
        pack.configure(config)
        flagged = [d for d in pack.analyze_stack(edited).diagnostics if d.policy == POLICY]
        assert [(d.urn, d.level) for d in flagged] == [(target.urn, "mandatory")], profile
        assert not [d for d in pack.analyze_stack(resources).diagnostics if d.policy == POLICY], profile
