"""The provider facts (preflight/data/aws_provider_facts.json) and the engine model built on them.

The facts are only worth their sources: every type the program creates has an entry, every entry says where each
fact was read, and every attribute it names exists on the installed pulumi_aws type. The model then gives the two
shapes the engine gives a policy pack: checked inputs, and outputs planned at preview or read back after up.
"""

from __future__ import annotations

import json

import pytest
from compliance.facts import UNKNOWN_STRING as UNKNOWN
from conftest import STACKS
from pulumi_mocks import ROOT

from preflight import aws_sdk
from preflight.aws_sdk import NAMES_FILE, names_record, output_path_problem
from preflight.engine_model import FACTS_FILE, EngineModel, load_facts

DOCUMENT = json.loads(FACTS_FILE.read_text())
TYPES = DOCUMENT["types"]
PATH_FIELDS = ("computed", "defaults", "readBack", "replaceOnChanges")
NAMED = sorted({(token, path) for token, entry in TYPES.items() for field in PATH_FIELDS
                for path in entry.get(field, [])})


@pytest.mark.parametrize("path", [ROOT / "Pulumi.dev.yaml", ROOT / "Pulumi.prod.yaml", STACKS / "Pulumi.full.yaml"],
                         ids=lambda p: p.name)
def test_every_type_the_program_creates_has_facts(stack_resources, path):
    created = {r.type for r in stack_resources(path) if r.custom and r.type.startswith("aws:")}
    assert created - set(TYPES) == set()


@pytest.mark.parametrize(("token", "path"), NAMED, ids=[f"{t} {p}" for t, p in NAMED])
def test_every_named_attribute_exists_on_the_installed_type(token, path):
    assert output_path_problem(token, path) is None


def test_the_recorded_sdk_names_are_what_the_installed_sdk_says():
    assert json.loads(NAMES_FILE.read_text()) == names_record(TYPES), "run `python -m preflight.aws_sdk`"


@pytest.fixture
def fresh_names(monkeypatch):
    for cached in (aws_sdk._recorded, aws_sdk.input_names, aws_sdk.output_names):
        cached.cache_clear()
    yield monkeypatch
    for cached in (aws_sdk._recorded, aws_sdk.input_names, aws_sdk.output_names):
        cached.cache_clear()


def test_the_names_of_a_recorded_type_come_without_importing_the_sdk(fresh_names):
    fresh_names.setattr(aws_sdk, "resource_class", lambda token: pytest.fail(f"imported the SDK for {token}"))
    assert aws_sdk.input_names("aws:backup/vaultPolicy:VaultPolicy") == {"backupVaultName", "policy", "region"}
    assert "tagsAll" in aws_sdk.output_names("aws:backup/vault:Vault")


def test_another_installed_sdk_version_is_asked_itself(fresh_names):
    asked = []
    fresh_names.setattr(aws_sdk, "installed_version", lambda: "0.0.0")
    fresh_names.setattr(aws_sdk, "sdk_input_names", lambda token: asked.append(token) or frozenset({"asked"}))
    assert aws_sdk.input_names("aws:backup/vault:Vault") == frozenset({"asked"})
    assert asked == ["aws:backup/vault:Vault"]


@pytest.mark.parametrize("token", sorted(TYPES))
def test_every_entry_says_where_its_facts_were_read(token):
    entry = TYPES[token]
    assert entry["terraform"].startswith("aws_")
    assert any(source["repo"] == "hashicorp/terraform-provider-aws" for source in entry["sources"])
    for source in entry["sources"]:
        assert {"repo", "path", "read"} <= set(source), source
        assert source["read"] >= "2026-11-30"


def test_the_checks_every_type_gets_are_sourced_too():
    sources = {(s["repo"], s["path"]) for s in DOCUMENT["provider"]["sources"]}
    assert {("pulumi/pulumi-aws", "provider/region.go"), ("pulumi/pulumi-aws", "provider/tags.go"),
            ("pulumi/pulumi-aws", "provider/autonaming.go"),
            ("pulumi/pulumi-terraform-bridge", "pkg/tfbridge/schema.go")} <= sources


# -- the model --------------------------------------------------------------------------------------------------
PREVIEW = EngineModel(preview=True, default_region="eu-west-1")
UP = EngineModel(preview=False, default_region="eu-west-1")
PLAN = "aws:backup/plan:Plan"
RULES = {"rules": [{"ruleName": "daily", "targetVaultName": "v", "schedule": "cron(0 5 ? * * *)",
                    "lifecycle": {"deleteAfter": 35.0, "coldStorageAfter": None}}], "name": "p"}


def test_check_fills_region_tags_all_and_non_falsy_defaults():
    checked = PREVIEW.check(PLAN, "p", RULES, {"region": "eu-west-1",
                                               "defaultTags": json.dumps({"tags": {"owner": "ops"}})})
    assert checked["region"] == "eu-west-1"
    assert checked["tagsAll"] == {"owner": "ops"}
    rule = checked["rules"][0]
    assert (rule["startWindow"], rule["completionWindow"]) == (60, 180)
    assert "coldStorageAfter" not in rule["lifecycle"], "nulls are skipped, as the bridge's Check reads inputs"
    # Falsy Terraform defaults stay unset (pulumi-terraform-bridge#3398).
    assert "forceDestroy" not in PREVIEW.check("aws:backup/vault:Vault", "v", {"name": "v"}, {})


def test_check_auto_names_an_unnamed_resource_and_keeps_a_given_name():
    auto = PREVIEW.check("aws:backup/vault:Vault", "main", {}, {"region": "eu-west-1"})["name"]
    assert auto.startswith("main-") and len(auto) == len("main-") + 7
    assert PREVIEW.check("aws:backup/vault:Vault", "main", {"name": "x"}, {})["name"] == "x"


def test_tags_all_is_unknown_when_a_tag_is():
    assert PREVIEW.check("aws:backup/vault:Vault", "v", {"name": "v", "tags": {"a": UNKNOWN}}, {})["tagsAll"] == UNKNOWN


def test_a_first_preview_leaves_what_the_provider_computes_unknown():
    checked = PREVIEW.check("aws:s3/bucket:Bucket", "b", {"bucket": "b"}, {"region": "eu-west-1"})
    resource_id, outputs = PREVIEW.create("aws:s3/bucket:Bucket", "b", checked)
    assert resource_id == ""
    assert outputs["bucket"] == "b"
    for attribute in ("arn", "versioning", "serverSideEncryptionConfiguration", "replicationConfiguration"):
        assert outputs[attribute] == UNKNOWN, attribute


def test_after_up_the_bucket_reads_back_as_s3_created_it():
    checked = UP.check("aws:s3/bucket:Bucket", "b", {"bucket": "b"}, {"region": "eu-west-1"})
    resource_id, outputs = UP.create("aws:s3/bucket:Bucket", "b", checked)
    assert resource_id == "b"
    assert outputs["arn"] == "arn:aws:s3:::b"
    assert outputs["versioning"]["enabled"] is False
    rule = outputs["serverSideEncryptionConfiguration"]["rule"]
    assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"


def test_after_up_unset_lifecycle_numbers_read_back_as_zero():
    checked = UP.check(PLAN, "p", RULES, {"region": "eu-west-1"})
    _, outputs = UP.create(PLAN, "p", checked)
    lifecycle = outputs["rules"][0]["lifecycle"]
    assert (lifecycle["deleteAfter"], lifecycle["coldStorageAfter"]) == (35.0, 0)
    assert outputs["arn"].startswith("arn:aws:backup:eu-west-1:123456789012:backup-plan:")


def test_arns_follow_the_partition_of_the_region():
    model = EngineModel(preview=False, default_region="us-gov-west-1")
    _, outputs = model.create("aws:backup/vault:Vault", "v", model.check("aws:backup/vault:Vault", "v", {"name": "v"},
                                                                           {"region": "us-gov-west-1"}))
    assert outputs["arn"] == "arn:aws-us-gov:backup:us-gov-west-1:123456789012:backup-vault:v"


def test_a_type_without_facts_has_every_unset_output_unknown_at_preview():
    token = "aws:sqs/queue:Queue"
    assert token not in TYPES
    facts = load_facts().of(token)
    assert not facts.documented and "arn" in facts.computed and "url" in facts.computed
    _, outputs = PREVIEW.create(token, "q", PREVIEW.check(token, "q", {"name": "q"}, {}))
    assert outputs["name"] == "q" and outputs["url"] == UNKNOWN and outputs["arn"] == UNKNOWN
