"""The gate end to end on the real program and pack: `python -m preflight` (its `main`, in this process; the pack
is its own process as always) on the project's stacks and on the good and bad stack files in tests/stacks/ (each
file says in its first line what it breaks)."""

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from preflight_main import preflight_main as preflight

ROOT = Path(__file__).resolve().parents[1]
STACKS = ROOT / "tests" / "stacks"
PROFILE_FILES = ROOT / "policies" / "profiles"
PROFILES = ("baseline", "dev", "gdpr", "hipaa", "pci-dss", "sec-17a-4", "sox")


def preflight_file(name: str, profile: str, *args: str) -> subprocess.CompletedProcess[str]:
    return preflight("--stack", "test", "--config-file", str(STACKS / f"{name}.yaml"),
                     "--policy-pack-config", str(PROFILE_FILES / f"{profile}.json"), *args)


@pytest.mark.parametrize("mode", [(), ("--up",)], ids=["first-preview", "up"])
@pytest.mark.parametrize(("stack", "profile"), [("dev", "dev"), ("prod", "sec-17a-4"), ("prod", "baseline")])
def test_project_stacks_pass_their_profile_strictly_as_the_engine_sends_them(stack, profile, mode):
    """The issue's bar: exit 0 with --strict, on a first preview and after `pulumi up`, the pack fed what the engine
    feeds it (checked inputs to Analyze, outputs to AnalyzeStack)."""
    result = preflight("--stack", stack, "--policy-pack-config", str(PROFILE_FILES / f"{profile}.json"), "--json",
                       "--strict", *mode)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    assert f"preflight: running the program for stack {stack}" in result.stderr  # progress on stderr, as a process
    document = json.loads(result.stdout)
    assert (document["shape"], document["mode"]) == ("engine", "up" if mode else "preview")
    assert document["couldNotRun"] == []
    assert not [d for d in document["diagnostics"] if "cannot judge" in d["message"]]
    assert document["summary"]["resources"] > 20


def with_evidence_of(profile: str, directory: Path) -> Path:
    """good.yaml with its evidence naming the profile the gate runs with (dev enforces no figure a framework
    checks: restore tests and job reports only)."""
    document = yaml.safe_load((STACKS / "good.yaml").read_text())
    evidence = document["config"]["aws-backups:evidence"]
    evidence["profile"] = profile
    if profile == "dev":
        del evidence["profile"]
        evidence["reports"] = {"templates": ["BACKUP_JOB_REPORT", "COPY_JOB_REPORT", "RESTORE_JOB_REPORT"]}
    path = directory / f"good-{profile}.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


@pytest.mark.parametrize("profile", PROFILES)
def test_the_good_stack_passes_every_profile(profile, tmp_path):
    result = preflight("--stack", "test", "--config-file", str(with_evidence_of(profile, tmp_path)),
                       "--policy-pack-config", str(PROFILE_FILES / f"{profile}.json"), "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[mandatory]" not in result.stdout


# Every AWS limit the program's config can express is refused by the program itself, with the key path.
@pytest.mark.parametrize(("name", "message"), [
    ("limit-cold-gap", "aws-backups:plans[0].rules[0].deleteAfterDays: 100 is less than 90 days after the move to "
                       "cold storage at day 30"),
    ("limit-lifecycle-max", "aws-backups:plans[0].rules[0].deleteAfterDays: 40000 is outside the days AWS Backup "
                            "accepts (allowed: 1 to 36500 days)"),
    ("limit-continuous", "aws-backups:plans[0].rules[0].deleteAfterDays: 40 is outside what continuous backup "
                         "keeps"),
    ("limit-start-window", "aws-backups:plans[0].rules[0].startWindowMinutes: 30 is shorter than AWS Backup's "
                           "start window"),
    ("limit-schedule", "aws-backups:plans[0].rules[0].schedule: 'cron(0/30 * ? * * *)' runs 30 minutes apart"),
    ("limit-rule-name", "aws-backups:plans[0].rules[0].name: 'daily backup!' is not a valid backup rule name"),
    ("limit-lock-cooling-off", "aws-backups:vaults[0].lock.changeableForDays: 2 is shorter than the lock's "
                               "cooling-off"),
    ("limit-lock-bounds", "aws-backups:vaults[0].lock.minRetentionDays: 500 is above maxRetentionDays 400"),
    ("limit-retention-in-lock", "aws-backups:plans[0].rules[0].deleteAfterDays: 500 is outside the lock of vault "
                                "main"),
    ("limit-region", "aws:region: 'eu-weest-1' is not an AWS region (did you mean 'eu-west-1'?"),
    ("limit-plan-name", "aws-backups:plans[0].name: 'pppppppppppppppppppppppppppppppppppppppp' makes "
                        "'aws-backups-test-pppppppppppppppppppppppppppppppppppppppp', which is not a valid backup plan "
                        "name: it has 57 characters (allowed: 1 to 50 letters, digits, '-', '_' or '.'"),
    ("limit-bucket-name", "aws-backups:replication[0].source.bucketName: 'acme-invoices-s3alias' is not a valid S3 "
                          "bucket name: it ends with the reserved suffix -s3alias"),
    ("limit-type-features", "aws-backups:plans[0].rules[0].coldStorageAfterDays: 30 does nothing: none of the types "
                            "the plan selects (RDS) has cold storage"),
])
def test_a_stack_breaking_an_aws_limit_is_refused_before_the_pack(name, message):
    result = preflight_file(name, "baseline")
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(("profile", "policy", "level", "code"), [
    ("baseline", "aws-backup-plan-enforce-min-retention", "mandatory", 1),
    ("dev", "aws-backup-plan-enforce-min-retention", "advisory", 0),
    ("gdpr", "aws-backup-plan-enforce-max-retention", "mandatory", 1),
    ("hipaa", "aws-backup-plan-enforce-min-retention", "mandatory", 1),
    ("pci-dss", "aws-backup-plan-enforce-warm-period", "mandatory", 1),
    ("sec-17a-4", "aws-backup-plan-enforce-warm-period", "mandatory", 1),
    ("sox", "aws-backup-plan-enforce-min-retention", "mandatory", 1),
])
def test_a_stack_breaking_a_profile_retention_rule_is_reported(profile, policy, level, code):
    result = preflight_file(f"retention-{profile}", profile, "--json")
    assert result.returncode == code
    document = json.loads(result.stdout)
    plan_urn = "urn:pulumi:test::aws-backups::aws-backups:backup:Plan$aws:backup/plan:Plan::main"
    assert [d["level"] for d in document["diagnostics"] if d["policy"] == policy and d["urn"] == plan_urn] == [level]
    assert document["couldNotRun"] == []
