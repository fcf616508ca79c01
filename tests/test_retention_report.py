"""The retention report end to end: profile flags (the pack's own checks), alternatives, cost model and price table
inputs, the Markdown table's shape, the PNG, the JSON and the CLI on the prod stack."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from compliance.policy_config import PolicyConfigError

from components.config.loader import load_stack_config
from components.config.resource_types import RESOURCE_TYPES
from retention_report.command import main as report_main
from retention_report.contents import RetentionReport, strategy_report
from retention_report.model import CopyTarget, Lifecycle, Rule, Strategy
from retention_report.pricing import PriceTable
from retention_report.profile import Profile, breaches, minimum_strategy
from retention_report.render_json import render_json
from retention_report.render_md import comparison_table, render_markdown
from retention_report.render_png import render_png
from retention_report.strategies import plan_strategy, stack_strategies
from retention_report.workloads import CostModelError, load_cost_model, parse_cost_model

ROOT = Path(__file__).resolve().parents[1]
DAILY = "cron(0 5 * * ? *)"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def plan(*rules: Rule, region: str = "eu-west-1") -> Strategy:
    return Strategy(name="p", kind="plan", region=region, rules=rules, resource_types=("EBS", "EFS"))


def daily(keep: int, cold: int | None = None, copies: tuple[CopyTarget, ...] = ()) -> Rule:
    return Rule("Daily", DAILY, Lifecycle(cold, keep), copies=copies)


SEC_LIKE = Profile.from_document("sec-like", {
    "aws-backup-plan-enforce-min-retention": {"minRetentionDays": 2190},
    "aws-backup-plan-enforce-max-retention": {"maxRetentionDays": 2555},
    "aws-backup-plan-enforce-warm-period": {"minWarmDays": 730},
    "aws-backup-plan-require-cross-region-copy": {"enforcementLevel": "mandatory"},
})
DR = CopyTarget("eu-central-1", "dr", Lifecycle(None, 2190))


# --- profile ---------------------------------------------------------------------------------------------------

def test_profile_fills_the_pack_defaults_and_levels():
    baseline = Profile.from_document("baseline", None)
    assert baseline.knob("aws-backup-plan-enforce-min-retention", "minRetentionDays") == 35
    assert baseline.knob("aws-backup-plan-enforce-min-frequency", "maxIntervalHours") == 24
    assert SEC_LIKE.knob("aws-backup-plan-enforce-min-retention", "minRetentionDays") == 2190
    assert SEC_LIKE.levels["aws-backup-plan-require-cross-region-copy"] == "mandatory"
    disabled = Profile.from_document("x", {"aws-backup-plan-enforce-min-retention": "disabled"})
    assert "aws-backup-plan-enforce-min-retention" not in disabled.settings


def test_profile_file_of_the_pack():
    sec = Profile.load(ROOT / "policies/profiles/sec-17a-4.json")
    assert sec.name == "sec-17a-4"
    assert sec.knob("aws-backup-plan-enforce-min-retention", "minRetentionDays") == 2190
    assert sec.knob("aws-backup-plan-enforce-warm-period", "minWarmDays") == 730
    assert sec.levels["aws-backup-plan-require-cross-region-copy"] == "mandatory"


def test_profile_values_are_checked_against_the_pack_schema():
    with pytest.raises(PolicyConfigError, match=re.escape("aws-backup-plan-enforce-min-retention.minRetentionDays")):
        Profile.from_document("bad", {"aws-backup-plan-enforce-min-retention": {"minRetentionDays": "six years"}})


def test_a_plan_meeting_the_profile_has_no_breaches():
    assert breaches(plan(daily(2190, cold=730, copies=(DR,))), SEC_LIKE) == []


@pytest.mark.parametrize(("rule", "policy"), [
    (daily(35, copies=(DR,)), "aws-backup-plan-enforce-min-retention"),
    (daily(3650, cold=730, copies=(CopyTarget("eu-central-1", "dr", Lifecycle(730, 3650)),)),
     "aws-backup-plan-enforce-max-retention"),
    (Rule("Weekly", "cron(0 5 ? * SAT *)", Lifecycle(730, 2190), copies=(DR,)),
     "aws-backup-plan-enforce-min-frequency"),
    (daily(2190, cold=30, copies=(DR,)), "aws-backup-plan-enforce-warm-period"),
    (daily(2190, cold=730), "aws-backup-plan-require-cross-region-copy"),
])
def test_each_way_of_breaking_the_profile_is_flagged(rule, policy):
    found = breaches(plan(rule), SEC_LIKE)
    assert policy in {breach.policy for breach in found}, found
    assert {breach.level for breach in found} == {"mandatory"}


def test_the_profile_minimum_meets_the_profile():
    minimum = minimum_strategy(SEC_LIKE, "eu-west-1", ("EBS",), CopyTarget("eu-central-1", "dr", Lifecycle()))
    (rule,) = minimum.rules
    assert rule.schedule == DAILY  # maxIntervalHours 24
    assert rule.lifecycle == Lifecycle(730, 2190)  # warm 730 days, kept the minimum 2190
    assert rule.copies[0].region == "eu-central-1"
    assert breaches(minimum, SEC_LIKE) == []


# --- inputs ----------------------------------------------------------------------------------------------------

def test_cost_model_defaults_and_overrides():
    workloads = parse_cost_model({"default": {"sizeGb": 50}, "resourceTypes": {"EBS": {"count": 40}}})
    assert set(workloads) == {*RESOURCE_TYPES, "S3"}  # S3: the replicated buckets, for the solution types
    assert (workloads["EBS"].count, workloads["EBS"].size_gb, workloads["EBS"].daily_change_rate) == (40, 50, 0.02)
    assert (workloads["RDS"].count, workloads["RDS"].size_gb) == (1, 50)


def test_the_readme_cost_model_example_loads():
    workloads = load_cost_model(ROOT / "docs/retention-cost-model.example.yaml")
    assert (workloads["EBS"].count, workloads["EBS"].size_gb, workloads["EBS"].daily_change_rate) == (40, 200, 0.03)


@pytest.mark.parametrize(("document", "message"), [
    ({"resourceTypes": {"FSx": {}}}, "resourceTypes.FSx: not a resource type (allowed: EBS, EC2"),
    ({"resourceTypes": {"EBS": {"sizeGB": 1}}}, "resourceTypes.EBS.sizeGB: unknown key"),
    ({"default": {"dailyChangeRate": 2}}, "default.dailyChangeRate: 2 is not allowed (allowed: a number from 0 to 1)"),
    ({"resourceTypes": {"EFS": {"count": -1}}}, "resourceTypes.EFS.count: -1 is not allowed"),
    ({"resourceTypes": {"EFS": {"count": 2.5}}}, "resourceTypes.EFS.count: 2.5 is not allowed (allowed: a whole"),
    (["EBS"], "expected a mapping"),
])
def test_cost_model_errors_name_the_key(document, message):
    with pytest.raises(CostModelError, match=re.escape(message)):
        parse_cost_model(document)


def test_price_table_covers_every_resource_type_with_sources():
    prices = PriceTable.load()
    for kind, entry in RESOURCE_TYPES.items():
        warm = prices.storage(kind, "us-east-1", "warm")
        assert warm.usd > 0 and warm.source in prices.sources
        if entry.features["coldStorage"].supported:
            cold = prices.storage(kind, "us-east-1", "cold")
            assert 0 < cold.usd < warm.usd and cold.source in prices.sources
    assert prices.transfer("us-east-1").usd > 0
    cited = {key for entry in prices.document["resourceTypes"].values() for key in entry["incrementalSources"]}
    assert cited <= set(prices.sources)
    other = prices.storage("EBS", "eu-west-1", "warm")
    assert other.fallback_for == "eu-west-1" and other.usd == prices.storage("EBS", "us-east-1", "warm").usd


# --- renderers -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small_report() -> RetentionReport:
    workloads = parse_cost_model(None)
    prices = PriceTable.load()
    strategies = [plan(daily(2190, cold=730, copies=(DR,))), plan(daily(35))]
    group = [strategy_report(s, SEC_LIKE, workloads, prices) for s in strategies]
    return RetentionReport("test", SEC_LIKE, [group], prices)


def table_rows(markdown: str, header_start: str) -> list[list[str]]:
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_markdown_comparison_table_shape(small_report):
    markdown = render_markdown(small_report)
    rows = table_rows(markdown, "| Strategy |")
    assert len(rows) == 2 + 2  # header, alignment, one row per strategy
    assert {len(row) for row in rows} == {8}
    assert rows[2][0] == "**plan `p`**"
    # Daily kept 2190 days, cold after 730: 730 warm + 1460 cold; the DR copies (kept 2190, no cold) 2190 warm.
    assert rows[2][1] == "eu-west-1: 730 / 1460<br>eu-central-1: 2190 / 0"
    assert rows[2][7] == "✅ meets"
    assert "❌ min-retention" in rows[3][7]
    cost_rows = table_rows(markdown, "| Resource type |")
    assert [row[0] for row in cost_rows[2:]] == ["EBS", "EFS"]
    assert "How the figures are computed" in markdown


def test_rpo_cell_names_types_with_continuous_backup():
    # RDS and Aurora support continuous backup (~5 min); EBS gets the daily snapshots (24 h).
    pitr = Strategy(name="pitr", kind="plan", region="eu-west-1", resource_types=("EBS", "RDS", "Aurora"),
                    rules=(Rule("Pitr", DAILY, Lifecycle(None, 35), continuous_backup=True),))
    report = strategy_report(pitr, SEC_LIKE, parse_cost_model(None), PriceTable.load())
    rows = table_rows("\n".join(comparison_table([report])), "| Strategy |")
    assert rows[2][2] == "eu-west-1: 24 h (Aurora, RDS: ~5 min)"


def test_points_kept_forever_show_as_unbounded(tmp_path):
    forever = Strategy(name="forever", kind="plan", region="eu-west-1", resource_types=("EFS",),
                       rules=(Rule("Forever", DAILY, Lifecycle(30, None)),))
    report = strategy_report(forever, SEC_LIKE, parse_cost_model(None), PriceTable.load())
    row = table_rows("\n".join(comparison_table([report])), "| Strategy |")[2]
    assert row[1:4] == ["eu-west-1: 30 / ∞", "eu-west-1: 24 h", "forever"]
    assert row[6] == "∞"
    document = json.loads(render_json(RetentionReport("t", SEC_LIKE, [[report]], PriceTable.load())))
    figures = document["plans"][0]["strategies"][0]
    assert figures["pointsPerResource"]["eu-west-1"]["cold"] is None
    assert figures["monthlyUsd"]["total"] is None
    assert render_png(RetentionReport("t", SEC_LIKE, [[report]], PriceTable.load()),
                      tmp_path / "f.png").stat().st_size > 0


def test_png_timeline_is_written(small_report, tmp_path):
    path = render_png(small_report, tmp_path / "timeline.png")
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 10_000  # a real picture, not an empty canvas


# --- CLI on the prod stack -------------------------------------------------------------------------------------

def test_its_own_entry_point_writes_markdown_and_png_for_prod(tmp_path):
    done = subprocess.run([sys.executable, "-m", "retention_report", "--stack", "prod", "--cwd", str(ROOT),
                           "--out", str(tmp_path),
                           "--policy-pack-config", str(ROOT / "policies/profiles/sec-17a-4.json")],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    markdown = (tmp_path / "retention-prod.md").read_text()
    assert "## Retention report: stack `prod`, profile `sec-17a-4`" in markdown
    assert re.search(r"^\| \*\*plan `\w+`\*\* \|", markdown, re.MULTILINE)
    assert "sec-17a-4 minimum" in markdown and "preset daily" in markdown
    assert (tmp_path / "retention-prod.png").read_bytes().startswith(PNG_SIGNATURE)


def test_cli_json_for_prod(capsys):
    assert report_main(["--stack", "prod", "--cwd", str(ROOT), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["stack"] == "prod"
    first = document["plans"][0]["strategies"][0]
    assert first["kind"] == "plan"
    # The rules in the stack file's own names, as ops wrote them.
    assert set(first["rules"][0]["lifecycle"]) <= {"coldStorageAfterDays", "deleteAfterDays"}
    assert {"continuousBackup", "optInToArchiveForSupportedResources"} <= set(first["rules"][0])
    assert set(first["pointsPerResource"]) == {"eu-west-1", "eu-central-1"}  # primary and DR vault regions
    assert first["monthlyUsd"]["total"] > 0


def test_cli_reports_bad_inputs_with_exit_2(tmp_path, capsys):
    bad = tmp_path / "cost.yaml"
    bad.write_text("resourceTypes:\n  EBS: {sizeGb: -5}\n")
    assert report_main(["--stack", "prod", "--cwd", str(ROOT), "--cost-model", str(bad)]) == 2
    assert "resourceTypes.EBS.sizeGb: -5 is not allowed" in capsys.readouterr().err
    assert report_main(["--stack", "nope", "--cwd", str(ROOT)]) == 2
    assert "unknown stack 'nope'" in capsys.readouterr().err
    profile = tmp_path / "profile.json"
    profile.write_text('{"aws-backup-plan-enforce-min-frequency": {"maxIntervalHours": -1}}')
    assert report_main(["--stack", "prod", "--cwd", str(ROOT), "--policy-pack-config", str(profile)]) == 2
    assert "aws-backup-plan-enforce-min-frequency.maxIntervalHours" in capsys.readouterr().err


# --- adapter from the stack config -----------------------------------------------------------------------------

def test_plan_strategy_is_read_from_the_stack_config():
    config = load_stack_config({
        "aws:region": "eu-west-1",
        "aws-backups:vaults": json.dumps([{"name": "primary"}, {"name": "dr", "region": "eu-central-1"}]),
        "aws-backups:plans": json.dumps([{
            "name": "p", "vault": "primary",
            "rules": [{"preset": "daily", "timezone": "Europe/Paris", "copyTo": [
                {"vault": "dr"},  # no lifecycle of its own: keeps the rule's (35 days)
                {"vaultArn": "arn:aws:backup:us-west-2:111111111111:backup-vault:x", "deleteAfterDays": 90},
            ]}],
            "selections": [{"name": "s", "resourceTypes": ["EBS", "RDS"]}],
        }]),
    }, "test")
    strategy = plan_strategy(config, config.plans[0])
    assert (strategy.name, strategy.region, strategy.resource_types) == ("p", "eu-west-1", ("EBS", "RDS"))
    (rule,) = strategy.rules
    assert (rule.name, rule.schedule, rule.timezone) == ("Daily", "cron(0 5 * * ? *)", "Europe/Paris")
    assert rule.lifecycle == Lifecycle(None, 35)
    assert rule.copies == (
        CopyTarget("eu-central-1", "dr", Lifecycle(None, 35)),
        CopyTarget("us-west-2", "arn:aws:backup:us-west-2:111111111111:backup-vault:x", Lifecycle(None, 90)),
    )
    # The profile minimum copies to the stack's vault outside the plan's region when the profile requires it.
    group = stack_strategies(config, SEC_LIKE)[0]
    assert [s.kind for s in group][:2] == ["plan", "profile minimum"]
    assert group[1].rules[0].copies[0].region == "eu-central-1"
