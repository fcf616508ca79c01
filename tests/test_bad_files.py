"""Bad files through preflight on the real project (real program, real pack): each a clear message on stderr,
exit code 2, nothing on stdout, no traceback, never a hang (every run and every wait is bounded).

tests/test_preflight_cli.py covers the same kinds on the fixture program and pack; here the project's own
program and pack meet them: the program's config errors, the pack's own schemas, the pack's interpreter.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from preflight import analysis
from preflight.pack_client import AnalyzedResource, PackError, PolicyPackProcess

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
BOUND_S = 120  # no preflight run may take longer: a hang fails the test instead of stalling CI


def preflight(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "preflight", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=BOUND_S)


def assert_usage_error(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr, result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr


def stack_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "Pulumi.bad.yaml"
    path.write_text(text)
    return str(path)


def prod_with(**overrides: object) -> str:
    document = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())
    document["config"].update(overrides)
    return yaml.safe_dump(document)


@pytest.mark.parametrize(("text", "expected"), [
    ("config:\n  aws:region: eu-west-1\n   aws-backups:production: true\n", ["is not valid YAML (line 3, column"]),
    ("config: [unclosed\n", ["is not valid YAML"]),
    ("", ["is empty"]),
    ("# only a comment\n", ["is empty"]),
    ("- a list\n", ["expected a map with a `config:` section, got list"]),
    ("config: 42\n", ["`config` must be a map of keys"]),
], ids=["bad-indent", "unclosed-flow", "empty", "comment-only", "a-list", "config-not-a-map"])
def test_malformed_stack_files(tmp_path, text, expected):
    assert_usage_error(preflight("--stack", "prod", "--config-file", stack_file(tmp_path, text)), *expected)


def test_unknown_stack_names_the_stacks_there_are():
    assert_usage_error(preflight("--stack", "nosuch"), "unknown stack 'nosuch'", "stacks: backup, dev, org, prod")


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"aws-backups:plans": [{"name": "p", "vault": "primary", "rules": [{"preset": "daily", "deleteAfterDays": 0}],
                             "selections": [{"name": "s", "resources": ["*"]}]}]},
     ["aws-backups:plans[0].rules[0].deleteAfterDays: 0 is outside the days AWS Backup accepts"]),
    ({"aws-backups:vaults": "[{not json"}, ["aws-backups:vaults: is not valid JSON"]),
    ({"aws-backups:production": "maybe"}, ["aws-backups:production: 'maybe'"]),
    ({"aws-backups:retentionDays": 35}, ["aws-backups:retentionDays: is not a known key"]),
], ids=["out-of-range", "not-json", "not-a-bool", "unknown-key"])
def test_a_stack_config_failing_the_schema_names_the_key(tmp_path, overrides, expected):
    result = preflight("--stack", "prod", "--config-file", stack_file(tmp_path, prod_with(**overrides)))
    assert_usage_error(result, "Invalid stack config", *expected)


@pytest.mark.parametrize(("config", "expected"), [
    ({"aws-backup-plan-enforce-min-retention": {"minRetentionDays": "forever"}},
     "aws-backup-plan-enforce-min-retention.minRetentionDays: 'forever' is not of type 'integer'"),
    ({"aws-backup-vault-require-lock": {"mode": "strict"}}, "aws-backup-vault-require-lock.mode: 'strict'"),
    ({"aws-backup-vault-require-lock": "blocking"}, "enforcement level 'blocking' is not one of"),
    ({"aws-backup-no-such-policy": "mandatory"}, "names policies the pack does not have: aws-backup-no-such-policy"),
], ids=["wrong-type", "not-in-enum", "bad-level", "unknown-policy"])
def test_a_policy_config_failing_the_pack_schema(tmp_path, config, expected):
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(config))
    assert_usage_error(preflight("--stack", "dev", "--policy-pack-config", str(path)), expected)


def test_a_policy_config_that_is_not_json(tmp_path):
    path = tmp_path / "profile.json"
    path.write_text("{'mandatory': true,}")
    assert_usage_error(preflight("--stack", "dev", "--policy-pack-config", str(path)), "is not JSON")


def _pack_copy(tmp_path: Path, virtualenv: Path = ROOT / "venv", main_prefix: str = "") -> Path:
    """The project's pack elsewhere, with another virtualenv or a line before its __main__.py."""
    pack = tmp_path / "pack"
    shutil.copytree(ROOT / "policies", pack, ignore=shutil.ignore_patterns("__pycache__"))
    manifest = yaml.safe_load((pack / "PulumiPolicy.yaml").read_text())
    manifest["runtime"]["options"]["virtualenv"] = str(virtualenv)
    (pack / "PulumiPolicy.yaml").write_text(yaml.safe_dump(manifest))
    main = pack / "__main__.py"
    main.write_text(main_prefix + main.read_text())
    return pack


@pytest.mark.parametrize(("kind", "expected"), [
    ("missing-venv", "names the virtualenv"),
    ("prints-before-port", "did not start"),
    ("broken-import", "did not start"),
])
def test_a_pack_that_will_not_start(tmp_path, kind, expected):
    pack = {
        "missing-venv": lambda: _pack_copy(tmp_path, virtualenv=tmp_path / "nowhere"),
        "prints-before-port": lambda: _pack_copy(tmp_path, main_prefix="print('hello from the pack')\n"),
        "broken-import": lambda: _pack_copy(tmp_path, main_prefix="import compliance.no_such_module  # noqa\n"),
    }[kind]()
    result = preflight("--stack", "dev", "--policy-pack", str(pack))
    assert result.returncode == 2, result.stderr
    assert result.stdout == "" and expected in result.stderr
    assert "Traceback" not in result.stderr.split("did not start")[0]  # the pack's own traceback may follow


def test_a_pack_that_never_prints_its_port_is_given_up_on(tmp_path):
    silent = tmp_path / "silent_pack"
    silent.mkdir()
    (silent / "__main__.py").write_text("import time\ntime.sleep(600)\n")
    with pytest.raises(PackError, match="printed no port within 2 s"), PolicyPackProcess(
            silent, project="aws-backups", stack="dev", start_timeout=2):
        pass


def test_a_pack_stuck_in_analyze_is_given_up_on():
    resource = AnalyzedResource(type="aws:backup/vault:Vault", name="v", properties={},
                                urn="urn:pulumi:dev::p::aws:backup/vault:Vault::v")
    with PolicyPackProcess(FIXTURES / "slow_pack", project="aws-backups", stack="dev", call_timeout=2) as pack, \
            pytest.raises(PackError, match="failed in Analyze"):
        pack.analyze(resource)


def test_preflight_bounds_every_wait():
    """The CLI's own bounds: finite start and call timeouts (the two tests above show both are honoured)."""
    assert 0 < analysis.START_TIMEOUT_S <= 60 and 0 < analysis.CALL_TIMEOUT_S <= 300
