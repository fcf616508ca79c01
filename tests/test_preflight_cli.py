"""`python -m preflight` end to end on the fixture program and pack: exit status, report lines, JSON, bad files."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from compliance.facts import UNKNOWN_STRING as UNKNOWN

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
PROGRAM = FIXTURES / "program"
BOUND_S = 120  # no run may hang: every preflight run here is bounded


def preflight(*args: str, pack: Path = FIXTURES / "pack") -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "preflight", "--cwd", str(PROGRAM), "--policy-pack", str(pack), *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=BOUND_S)


def test_good_stack_passes_and_lists_what_could_not_run():
    result = preflight("--stack", "good")
    assert result.returncode == 0, result.stderr
    assert " +   ├─ fixture:index:BackupVault" in result.stdout
    assert "    [advisory]  fixture-bucket-tagged  (aws:s3/bucket:Bucket: logs)\n" in result.stdout
    assert "    fixture-versioning-bucket  (aws:s3/bucketVersioning:BucketVersioning: logs)\n" in result.stdout
    assert "-> the update would be allowed" in result.stdout
    assert "preflight: analysing resources 7/7" in result.stderr  # the progress line, on stderr only
    assert "preflight:" not in result.stdout


def test_strict_fails_on_a_policy_that_could_not_run():
    result = preflight("--stack", "good", "--strict")
    assert result.returncode == 1
    assert "(--strict: policies that could not run fail the gate)" in result.stdout


def test_up_lets_every_policy_run():
    result = preflight("--stack", "good", "--up", "--strict")
    assert result.returncode == 0, result.stdout
    assert "Could not run" not in result.stdout


def test_mandatory_violation_fails_with_the_message():
    result = preflight("--stack", "short")
    assert result.returncode == 1
    assert ("    [mandatory]  fixture-plan-min-retention  (aws:backup/plan:Plan: daily)\n"
            "      Backup plan rules keep recovery points long enough.\n"
            "      Rule daily keeps backups 7.0 days; at least 35 are required.\n") in result.stdout
    assert "Summary: 1 mandatory, 1 advisory, 1 could not run, 0 not applicable" in result.stdout


def test_policy_pack_config_changes_the_verdict():
    result = preflight("--stack", "good", "--policy-pack-config", str(FIXTURES / "policy-config-good.json"), "--json")
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert [(d["policy"], d["level"]) for d in document["diagnostics"]] == [("fixture-plan-min-retention", "mandatory")]
    assert document["policyPack"]["enforcementLevels"]["fixture-bucket-tagged"] == "disabled"


def test_json_is_one_object_with_everything():
    result = preflight("--stack", "unprotected", "--json")
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert set(document) >= {"stack", "resources", "diagnostics", "notApplicable", "couldNotRun"}
    vault = next(r for r in document["resources"] if r["type"] == "aws:backup/vault:Vault")
    assert vault == {"type": "aws:backup/vault:Vault", "name": "main", "parent": vault["parent"], "protect": False,
                     "urn": "urn:pulumi:unprotected::fixture::fixture:index:BackupVault$aws:backup/vault:Vault::main",
                     "inputs": {"name": "fixture-unprotected-main", "region": "eu-west-1", "tagsAll": {}},
                     "outputs": vault["outputs"], "custom": True,
                     "propertyDependencies": {"name": [], "region": []}}
    # What the engine sends AnalyzeStack on a first preview: the checked inputs, what the provider computes unknown.
    assert vault["outputs"] == {**vault["inputs"], "arn": UNKNOWN, "kmsKeyArn": UNKNOWN, "recoveryPoints": UNKNOWN,
                                "forceDestroy": False}
    assert {"policy": "fixture-vault-protected", "level": "mandatory", "urn": vault["urn"],
            "message": "Backup vaults are protected.\nVault fixture-unprotected-main is not protected."
            } in document["diagnostics"]
    assert [d["policy"] for d in document["couldNotRun"]] == ["fixture-versioning-bucket"]


def test_secure_values_are_a_note_not_an_error():
    result = preflight("--stack", "secure")
    assert result.returncode == 0, result.stderr
    assert "fixture:apiToken holds an encrypted `secure:` value" in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--stack", "malformed"], "Pulumi.malformed.yaml is not valid YAML (line 4, column 1)"),
    (["--stack", "nosuch"], "unknown stack 'nosuch'"),
    (["--stack", "empty"], "Pulumi.empty.yaml is empty"),
    (["--stack", "wrongtype"], "Configuration 'fixture:retentionDays' value 'many' is not a valid 'int'"),
    (["--stack", "good", "--policy-pack-config", str(FIXTURES / "policy-config-bad-schema.json")],
     "fixture-plan-min-retention.minDays: 0 is less than the minimum of 1"),
    (["--stack", "good", "--policy-pack-config", str(FIXTURES / "policy-config-unknown-policy.json")],
     "names policies the pack does not have: fixture-no-such-policy"),
    (["--stack", "good", "--policy-pack-config", str(FIXTURES / "nowhere.json")], "cannot read policy config"),
    (["--stack", "good", "--policy-pack", str(FIXTURES / "broken_pack")],
     "No module named 'fixture_policies_that_do_not_exist'"),
    (["--stack", "good", "--policy-pack", str(FIXTURES / "no_such_pack")], "no policy pack at"),
])
def test_bad_input_is_a_clear_message_and_exit_2(args, message):
    command = [sys.executable, "-m", "preflight", "--cwd", str(PROGRAM), "--policy-pack", str(FIXTURES / "pack"), *args]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=BOUND_S)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr.split("did not start")[0]  # a pack's own traceback may follow
    assert result.stdout == ""


def test_usage_error_is_exit_2():
    result = subprocess.run([sys.executable, "-m", "preflight"], capture_output=True, text=True, cwd=ROOT,
                            timeout=BOUND_S)
    assert result.returncode == 2 and "--stack" in result.stderr


def _packs_of(token: str) -> list[int]:
    """Policy pack processes started by the preflight run whose environment carries `token` (the pack inherits
    it), so that other test runs on the same machine do not count."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (b"pulumi.policy" in (entry / "cmdline").read_bytes()
                        and token.encode() in (entry / "environ").read_bytes()):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def _interrupt_once_the_pack_runs(program: Path, stack: str, pack: Path) -> tuple[int, str, list[int]]:
    """Runs preflight, sends Ctrl-C (SIGINT) once its pack process exists; exit code, stderr, packs left."""
    token = f"PREFLIGHT_TEST_RUN={uuid.uuid4()}"
    command = [sys.executable, "-m", "preflight", "--cwd", str(program), "--policy-pack", str(pack), "--stack", stack]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PREFLIGHT_TEST_RUN": token.split("=", 1)[1]})
    try:
        deadline = time.monotonic() + 60
        while not _packs_of(token) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _packs_of(token), "the pack never started"
        time.sleep(1.0)  # the run is now inside the program, or the pack stalled inside Analyze
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
    return process.returncode, stderr, _packs_of(token)


def test_ctrl_c_while_the_pack_analyses_stops_the_pack():
    code, stderr, left = _interrupt_once_the_pack_runs(PROGRAM, "good", FIXTURES / "slow_pack")
    assert code == 130
    assert "interrupted; the policy pack was stopped" in stderr
    assert left == []


def test_ctrl_c_while_the_program_runs_stops_the_pack():
    code, stderr, left = _interrupt_once_the_pack_runs(FIXTURES / "slow_program", "dev", FIXTURES / "pack")
    assert code == 130
    assert "interrupted; the policy pack was stopped" in stderr
    assert left == []
