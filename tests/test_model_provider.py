"""The model AWS provider as the engine meets it: a separate process serving the provider gRPC protocol, answering
from the same provider facts as preflight's engine model."""

from __future__ import annotations

import subprocess
import sys

import grpc
import pytest
from compliance.facts import UNKNOWN_STRING as UNKNOWN
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc
from pulumi_mocks import ROOT

from preflight.engine_model import load_facts

VAULT_URN = "urn:pulumi:prod::aws-backups::aws-backups:backup:Vault$aws:backup/vault:Vault::primary"
LOCK_URN = ("urn:pulumi:prod::aws-backups::aws-backups:backup:Vault$"
            "aws:backup/vaultLockConfiguration:VaultLockConfiguration::primary")
BUCKET_URN = "urn:pulumi:prod::aws-backups::aws:s3/bucket:Bucket::logs"
REGION = "eu-west-1"


def _struct(value: dict) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(value)
    return message


def _dict(message: struct_pb2.Struct) -> dict:
    return json_format.MessageToDict(message)


@pytest.fixture(scope="module")
def provider():
    process = subprocess.Popen([sys.executable, "-m", "preflight.model_provider"], cwd=ROOT, stdout=subprocess.PIPE,
                               text=True)
    try:
        port = int(process.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            stub.Configure(provider_pb2.ConfigureRequest(args=_struct({
                "region": REGION, "defaultTags": {"tags": {"owner": "ops"}}})), timeout=30)
            yield stub
    finally:
        process.kill()
        process.wait(timeout=10)


def test_it_is_the_pinned_pulumi_aws(provider):
    assert provider.GetPluginInfo(empty_pb2.Empty(), timeout=10).version == load_facts().package_version == "7.51.1"


def test_check_fills_what_the_provider_fills(provider):
    checked = _dict(provider.Check(provider_pb2.CheckRequest(urn=VAULT_URN, news=_struct({})), timeout=10).inputs)
    assert checked["region"] == REGION
    assert checked["tagsAll"] == {"owner": "ops"}
    assert checked["name"].startswith("primary-")


def test_create_plans_unknowns_at_preview_and_reads_back_after_up(provider):
    inputs = _struct({"bucket": "logs-bucket", "region": REGION})
    planned = provider.Create(provider_pb2.CreateRequest(urn=BUCKET_URN, properties=inputs, preview=True), timeout=10)
    assert planned.id == ""
    assert _dict(planned.properties)["versioning"] == UNKNOWN
    created = provider.Create(provider_pb2.CreateRequest(urn=BUCKET_URN, properties=inputs), timeout=10)
    outputs = _dict(created.properties)
    assert (created.id, outputs["arn"]) == ("logs-bucket", "arn:aws:s3:::logs-bucket")
    assert outputs["serverSideEncryptionConfiguration"]["rule"]["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "AES256", "kmsMasterKeyId": ""}


def test_diff_replaces_on_a_replace_on_change_property(provider):
    old = {"backupVaultName": "v", "minRetentionDays": 7.0, "maxRetentionDays": 400.0, "region": REGION}
    diff = provider.Diff(provider_pb2.DiffRequest(urn=LOCK_URN, id="v", old_inputs=_struct(old), olds=_struct(old),
                                                  news=_struct({**old, "maxRetentionDays": 500.0})), timeout=10)
    assert (diff.changes, list(diff.diffs), list(diff.replaces)) == (
        provider_pb2.DiffResponse.DIFF_SOME, ["maxRetentionDays"], ["maxRetentionDays"])
    same = provider.Diff(provider_pb2.DiffRequest(urn=LOCK_URN, id="v", old_inputs=_struct(old), olds=_struct(old),
                                                  news=_struct(old)), timeout=10)
    assert same.changes == provider_pb2.DiffResponse.DIFF_NONE


def test_invokes_answer_as_preflight_does(provider):
    answer = provider.Invoke(provider_pb2.InvokeRequest(tok="aws:index/getPartition:getPartition",
                                                        args=_struct({})), timeout=10)
    assert _dict(getattr(answer, "return"))["partition"] == "aws"


def test_a_type_without_facts_fails_loudly(provider):
    with pytest.raises(grpc.RpcError) as raised:
        provider.Check(provider_pb2.CheckRequest(urn="urn:pulumi:s::p::aws:sqs/queue:Queue::q", news=_struct({})),
                       timeout=10)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "no facts for aws:sqs/queue:Queue" in raised.value.details()


def test_the_model_plugins_start_without_the_sdk_and_leave_it_importable():
    """The provider and the language host take the SDK's generated modules without the SDK (preflight/sdk_protocol.py:
    0.1 s at each start); the SDK imported after them is the whole SDK, with the same message classes."""
    code = """if True:
        import sys
        import engine.language_host, preflight.model_provider
        from preflight import sdk_protocol
        assert not [name for name in sys.modules if name.split(".")[0] == "pulumi"], sys.modules
        import pulumi, pulumi_aws.backup
        from pulumi.runtime import proto
        assert proto.provider_pb2.CheckRequest is sdk_protocol.provider_pb2.CheckRequest
        assert proto.language_pb2.RunRequest is sdk_protocol.language_pb2.RunRequest
        print(pulumi.ResourceOptions.__name__, pulumi_aws.backup.Plan.__name__)"""
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["ResourceOptions", "Plan"]
