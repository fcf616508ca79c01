"""Running a program under preflight's mocks: what is recorded, and what is unknown at preview."""

from pathlib import Path

import pulumi
import pytest
from compliance.facts import UNKNOWN_STRING as UNKNOWN
from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi.runtime import rpc as sdk_rpc
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs

from preflight.mocks import ACCOUNT_ID, PreflightMocks
from preflight.program import ProgramError, _contains_unknowns, run_program
from preflight.recorder import RESOURCE_SIG, SIG_KEY, _as_analyzer_sees_it
from preflight.stack_files import read_stack

FIXTURE = Path(__file__).parent / "fixtures" / "program"
STACK_URN = "urn:pulumi:good::fixture::pulumi:pulumi:Stack::fixture-good"
VAULT_URN = "urn:pulumi:good::fixture::fixture:index:BackupVault$aws:backup/vault:Vault::main"
BUCKET_URN = "urn:pulumi:good::fixture::pulumi:pulumi:Stack$aws:s3/bucket:Bucket::logs"
COMPONENT_URN = "urn:pulumi:good::fixture::pulumi:pulumi:Stack$fixture:index:BackupVault::main"


def _run(stack: str = "good", *, preview: bool = True):
    return {r.urn.rsplit("::", 2)[-2].split("$")[-1] + "/" + r.name: r
            for r in run_program(read_stack(FIXTURE, stack), preview=preview).resources}


@pytest.fixture(scope="module")
def preview():
    return _run()


@pytest.fixture(scope="module")
def up():
    return _run(preview=False)


def test_records_every_resource_with_its_parent(preview):
    assert {key: r.parent for key, r in preview.items()} == {
        "pulumi:pulumi:Stack/fixture-good": "",
        "pulumi:providers:aws/default_7_51_1": STACK_URN,
        "fixture:index:BackupVault/main": STACK_URN,
        "aws:backup/vault:Vault/main": COMPONENT_URN,
        "aws:backup/plan:Plan/daily": STACK_URN,
        "aws:s3/bucket:Bucket/logs": STACK_URN,
        "aws:s3/bucketVersioning:BucketVersioning/logs": STACK_URN,
    }


def test_inputs_are_engine_names_with_numbers_as_floats(preview):
    plan = preview["aws:backup/plan:Plan/daily"]
    assert plan.inputs["rules"] == [{"ruleName": "daily", "targetVaultName": "fixture-good-main",
                                     "schedule": "cron(0 5 ? * * *)", "lifecycle": {"deleteAfter": 35.0}}]
    assert plan.inputs["tags"] == {"account": ACCOUNT_ID}  # invokes answer at preview too


def test_analyze_gets_the_checked_inputs_and_analyze_stack_the_planned_outputs(preview):
    plan = preview["aws:backup/plan:Plan/daily"]
    # The provider's Check: region from the provider, tagsAll, the Terraform defaults that are not falsy.
    assert plan.properties["rules"] == [{"ruleName": "daily", "targetVaultName": "fixture-good-main",
                                         "schedule": "cron(0 5 ? * * *)", "lifecycle": {"deleteAfter": 35.0},
                                         "startWindow": 60, "completionWindow": 180,
                                         "scheduleExpressionTimezone": "Etc/UTC"}]
    assert plan.properties["tagsAll"] == {"account": ACCOUNT_ID}
    # The plan: what the provider computes is unknown, and the plan holds every default.
    assert (plan.outputs["arn"], plan.outputs["version"]) == (UNKNOWN, UNKNOWN)
    assert plan.outputs["rules"][0]["enableContinuousBackup"] is False
    assert plan.outputs["rules"][0]["lifecycle"]["optInToArchiveForSupportedResources"] == UNKNOWN


def test_dependencies_and_property_dependencies(preview):
    plan = preview["aws:backup/plan:Plan/daily"]
    assert plan.property_dependencies["rules"] == [VAULT_URN]
    assert plan.dependencies == [VAULT_URN]
    versioning = preview["aws:s3/bucketVersioning:BucketVersioning/logs"]
    assert versioning.property_dependencies["bucket"] == [BUCKET_URN]
    assert set(versioning.dependencies) == {BUCKET_URN, VAULT_URN}  # depends_on a component = its children


def test_options_and_default_provider(preview):
    vault = preview["aws:backup/vault:Vault/main"]
    assert (vault.protect, vault.retain_on_delete) == (True, True)
    assert vault.provider.type == "pulumi:providers:aws"
    assert vault.provider.properties["region"] == "eu-west-1"
    plan = preview["aws:backup/plan:Plan/daily"]
    assert (plan.protect, plan.retain_on_delete) == (False, False)
    assert preview["fixture:index:BackupVault/main"].provider is None


def test_an_explicit_provider_is_the_resource_provider(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: multi\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n")
    (tmp_path / "__main__.py").write_text(
        "import pulumi, pulumi_aws as aws\n"
        "dr = aws.Provider('dr', region='us-west-2')\n"
        "aws.backup.Vault('dr', name='dr', opts=pulumi.ResourceOptions(provider=dr))\n"
        "aws.backup.Vault('main', name='main')\n")
    resources = {r.name: r for r in run_program(read_stack(tmp_path, "dev")).resources if r.type.startswith("aws:")}
    assert (resources["dr"].provider.name, resources["dr"].provider.properties["region"]) == ("dr", "us-west-2")
    assert (resources["main"].provider.name, resources["main"].provider.properties["region"]) == (
        "default_7_51_1", "eu-west-1")


def test_computed_values_are_unknown_at_preview(preview):
    assert preview["aws:s3/bucketVersioning:BucketVersioning/logs"].properties["bucket"] == UNKNOWN


def test_computed_values_are_realistic_with_up(up):
    assert up["aws:s3/bucketVersioning:BucketVersioning/logs"].properties["bucket"].startswith("logs-")
    plan = up["aws:backup/plan:Plan/daily"]
    assert plan.outputs["arn"].startswith("arn:aws:backup:eu-west-1:123456789012:backup-plan:")
    assert plan.outputs["rules"][0]["lifecycle"] == {"deleteAfter": 35.0, "coldStorageAfter": 0,
                                                     "optInToArchiveForSupportedResources": False}


def test_the_program_runs_again_in_the_same_process(preview):
    again = _run()
    assert {k: r.properties for k, r in again.items()} == {k: r.properties for k, r in preview.items()}


def test_a_config_error_the_program_reports_is_one_clear_message():
    with pytest.raises(ProgramError) as error:
        run_program(read_stack(FIXTURE, "wrongtype"))
    assert "Configuration 'fixture:retentionDays' value 'many' is not a valid 'int'" in str(error.value)
    assert "Traceback" not in str(error.value)


def test_a_program_bug_names_its_line(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: broken\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text("import pulumi\n\nvalues = {}\nvalues['missing']\n")
    with pytest.raises(ProgramError, match=r"failed \(at .*__main__.py:4\): KeyError: 'missing'"):
        run_program(read_stack(tmp_path, "dev"))


def test_program_prints_go_to_stderr(tmp_path, capsys):
    (tmp_path / "Pulumi.yaml").write_text("name: chatty\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text("print('hello from the program')\n")
    run_program(read_stack(tmp_path, "dev"))
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "hello from the program\n")


def test_a_program_that_never_finishes_is_stopped(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: stuck\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text("while True:\n    pass\n")
    with pytest.raises(ProgramError, match=r"did not finish within 1 s"):
        run_program(read_stack(tmp_path, "dev"), timeout_s=1)


def test_resource_references_reach_the_pack_as_id_or_urn():
    custom = {SIG_KEY: RESOURCE_SIG, "urn": "urn:a", "id": "vault-1"}
    component = {SIG_KEY: RESOURCE_SIG, "urn": "urn:c"}
    assert _as_analyzer_sees_it({"a": [custom], "b": {"c": component}, "d": 1.0}) == {
        "a": ["vault-1"], "b": {"c": "urn:c"}, "d": 1.0}


# -- the mocks on their own ------------------------------------------------------------------------------------
def _new(mocks, type_, name, inputs, custom=True):
    return mocks.new_resource(MockResourceArgs(typ=type_, name=name, inputs=inputs, custom=custom))


def test_preview_returns_inputs_with_what_the_provider_computes_unknown_and_no_id():
    mocks = PreflightMocks(preview=True, region="eu-west-1")
    assert _new(mocks, "aws:backup/vault:Vault", "v", {"name": "prod-v"}) == ("", {
        "name": "prod-v", "forceDestroy": False, "arn": UNKNOWN, "kmsKeyArn": UNKNOWN, "recoveryPoints": UNKNOWN})


@pytest.mark.parametrize(("type_", "inputs", "arn"), [
    ("aws:backup/vault:Vault", {"name": "prod-v"}, "arn:aws:backup:eu-west-1:123456789012:backup-vault:prod-v"),
    ("aws:sns/topic:Topic", {"name": "t", "region": "us-east-2"}, "arn:aws:sns:us-east-2:123456789012:t"),
    ("aws:iam/role:Role", {"name": "r"}, "arn:aws:iam::123456789012:role/r"),
    ("aws:s3/bucket:Bucket", {"bucket": "b"}, "arn:aws:s3:::b"),
    ("aws:sqs/queue:Queue", {"name": "q"}, "arn:aws:sqs:eu-west-1:123456789012:queue/q"),  # no facts: generic
])
def test_up_gives_realistic_arns(type_, inputs, arn):
    _id, outputs = _new(PreflightMocks(preview=False, region="eu-west-1"), type_, "x", inputs)
    assert outputs["arn"] == arn


def test_check_auto_names_unnamed_resources():
    mocks = PreflightMocks(preview=False, region=None)
    checked = mocks.model.check("aws:s3/bucket:Bucket", "logs", {}, {"region": "us-east-1"})
    resource_id, outputs = _new(mocks, "aws:s3/bucket:Bucket", "logs", checked)
    assert outputs["bucket"] == resource_id and resource_id.startswith("logs-")
    assert outputs["arn"] == f"arn:aws:s3:::{resource_id}"


@pytest.mark.parametrize(("region", "partition", "suffix"), [
    ("eu-west-1", "aws", "amazonaws.com"), ("us-gov-west-1", "aws-us-gov", "amazonaws.com"),
    ("cn-north-1", "aws-cn", "amazonaws.com.cn")])
def test_get_partition_answers_from_the_region(region, partition, suffix):
    values, _ = PreflightMocks(preview=True, region=region).call(
        MockCallArgs("aws:index/getPartition:getPartition", {}, ""))
    assert (values["partition"], values["dnsSuffix"]) == (partition, suffix)


def test_up_gives_kms_keys_a_generated_id():
    resource_id, outputs = _new(PreflightMocks(preview=False, region="eu-west-1"), "aws:kms/key:Key", "k", {})
    assert outputs["arn"] == f"arn:aws:kms:eu-west-1:123456789012:key/{resource_id}"


@pytest.mark.parametrize(("token", "args", "expected"), [
    ("aws:index/getCallerIdentity:getCallerIdentity", {}, {"accountId": ACCOUNT_ID}),
    ("aws:index/getPartition:getPartition", {}, {"partition": "aws"}),
    ("aws:index/getRegion:getRegion", {}, {"region": "eu-west-1"}),
    ("aws:index/getRegion:getRegion", {"region": "us-west-2"}, {"region": "us-west-2"}),
])
def test_invokes_answer_realistic_values(token, args, expected):
    values, failures = PreflightMocks(preview=True, region="eu-west-1").call(MockCallArgs(token, args, ""))
    assert expected.items() <= values.items() and failures == []


def test_unsimulated_invokes_are_noted():
    mocks = PreflightMocks(preview=True, region="eu-west-1")
    assert mocks.call(MockCallArgs("aws:ec2/getVpc:getVpc", {}, "")) == ({}, [])
    assert mocks.unsimulated_invokes == {"aws:ec2/getVpc:getVpc"}


_NESTED = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=3), st.just(pulumi.UNKNOWN)),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_NESTED)
def test_preflights_contains_unknowns_answers_as_the_sdks(value):
    """The garbage-free `contains_unknowns` preflight runs programs with (preflight/program.py) gives the SDK's
    answer for any nesting of dicts, lists, scalars and the SDK's unknown, also when one value appears twice."""
    shared = [value, {"again": value}]
    assert _contains_unknowns(value) == sdk_rpc.contains_unknowns(value)
    assert _contains_unknowns(shared) == sdk_rpc.contains_unknowns(shared)


def test_contains_unknowns_finds_an_unknown_deep_inside():
    assert _contains_unknowns({"a": [1, {"b": [None, pulumi.UNKNOWN]}]})
    assert not _contains_unknowns({"a": [1, {"b": [None, "x"]}]})
