"""The retention report's solution types: the feature matrix against its sources, each native solution's cost by
hand, the verdicts and the recommendation following from the table (a profile a native mechanism wins: baseline for
RDS; one it cannot meet: sec-17a-4, which asks WORM), and the Markdown, JSON and PNG."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.config.loader import load_stack_config
from preflight.stack_files import read_stack
from retention_report.command import main as report_main
from retention_report.contents import build_report
from retention_report.figures import DAYS_PER_MONTH
from retention_report.pricing import PriceTable
from retention_report.profile import Profile
from retention_report.render_json import render_json
from retention_report.render_md import render_markdown
from retention_report.solution_costs import COST_MODELS, Setup
from retention_report.solution_matrix import FEATURES, SolutionMatrix
from retention_report.workloads import load_cost_model, parse_cost_model

ROOT = Path(__file__).resolve().parents[1]
MATRIX = SolutionMatrix.load()
PRICES = PriceTable.load()
COST_MODEL = ROOT / "docs" / "retention-cost-model.example.yaml"


# -- the matrix against its sources --------------------------------------------------------------------------------

def test_every_feature_and_limit_names_a_source_with_its_address_and_words():
    for solution in MATRIX.solutions:
        assert set(solution.features) == set(FEATURES), solution.id
        cited = [f.source for f in solution.features.values()] + [limit.source for limit in solution.limits]
        cited += [f.source for overrides in solution.by_type.values() for f in overrides.values()]
        for key in cited:
            source = MATRIX.sources[key]
            assert source["url"].startswith("https://") and source["quote"] and source["title"], key
    assert set(MATRIX.sources) == {key for s in MATRIX.solutions for key in (
        *(f.source for f in s.features.values()), *(limit.source for limit in s.limits),
        *(f.source for o in s.by_type.values() for f in o.values()))}, "a source no value cites"


@pytest.mark.parametrize(("solution", "kind", "feature", "value", "quoted"), [
    ("rds-native", "RDS", "maxRetentionDays", 35, "between 0 and 35 days"),
    ("rds-native", "Aurora", "maxRetentionDays", 35, "from 1 to 35"),
    ("dynamodb-native", "DynamoDB", "minIntervalHours", 5 / 60, "5 minutes"),
    ("dlm", "EBS", "maxRetentionDays", 36500, "100 years"),
    ("dlm", "EBS", "minIntervalHours", 1, "between 1 hour and 1 year"),
    ("dlm", "EBS", "lock", False, "can't lock snapshots during creation"),
    ("efs-replication", "EFS", "maxRetentionDays", 0, "not transferred to the destination file system in a "
                                                       "point-in-time consistent manner"),
    ("efs-replication", "EFS", "minIntervalHours", 0.25, "Recovery Point Objective (RPO) of 15 minutes"),
    ("s3-replication-object-lock", "S3", "lock", True, "assessed by Cohasset Associates"),
    ("aws-backup", "EBS", "lock", True, "assessed by Cohasset Associates"),
    ("rds-native", "Aurora", "crossRegion", False, "engines listed"),
])
def test_a_figure_is_what_its_source_says(solution, kind, feature, value, quoted):
    found = next(s for s in MATRIX.solutions if s.id == solution).feature(feature, kind)
    assert found.value == pytest.approx(value) if isinstance(value, float) else found.value == value
    assert quoted in MATRIX.sources[found.source]["quote"]


def test_every_new_price_has_a_source():
    for name, by_region in PRICES.document["solutionStorage"].items():
        if name == "note":
            continue
        for entry in by_region.values():
            assert entry["source"] in PRICES.sources and isinstance(entry["assumed"], bool), name
            assert not entry["assumed"] or entry["note"], f"{name}: an assumed figure says why"


# -- the cost of each native solution, by hand ----------------------------------------------------------------------

ONE = parse_cost_model({"default": {"count": 1, "sizeGb": 100, "dailyChangeRate": 0.02}})
DAILY_365 = Setup("us-east-1", retention_days=365, points_a_day=1, copy_region=None)
DAILY_365_COPIED = Setup("us-east-1", retention_days=365, points_a_day=1, copy_region="us-west-2")
MONTH_CHANGES = 100 * 0.02 * DAYS_PER_MONTH  # 60.875 GB


@pytest.mark.parametrize(("model", "kind", "setup", "usd"), [
    # 100 x (1 + 365 x 0.02) = 830 GB of EBS snapshots at 0.05
    ("snapshots", "EBS", DAILY_365, 830 * 0.05),
    # twice, in the copy's Region, plus 60.875 GB moved at 0.02
    ("snapshots", "EBS", DAILY_365_COPIED, 2 * 830 * 0.05 + MONTH_CHANGES * 0.02),
    # automated backups keep 35 days: 100 x (1 + 35 x 0.02) = 170 GB, the first 100 free, at 0.095
    ("rds", "RDS", DAILY_365, 70 * 0.095),
    ("rds", "Aurora", DAILY_365, 70 * 0.021),
    # a replicated copy pays the whole chain (no allowance there) and the transfer
    ("rds", "RDS", DAILY_365_COPIED, 70 * 0.095 + 170 * 0.095 + MONTH_CHANGES * 0.02),
    # PITR on 100 GB at 0.20, and a full on-demand backup a day kept 330 more days at 0.10
    ("dynamodb", "DynamoDB", DAILY_365, 100 * 0.20 + 100 * 330 * 0.10),
    # the replica at EFS Standard, and the changes moved
    ("efs", "EFS", DAILY_365, 100 * 0.30 + MONTH_CHANGES * 0.02),
    # the replica and 365 days of old versions on both buckets, the changes moved with RTC
    ("s3", "S3", DAILY_365, (100 + 2 * 100 * 0.02 * 365) * 0.023 + MONTH_CHANGES * (0.02 + 0.015)),
    ("backup-s3", "S3", DAILY_365, 830 * 0.05),
])
def test_native_costs_by_hand(model, kind, setup, usd):
    assert COST_MODELS[model](ONE[kind], setup, PRICES).usd == pytest.approx(usd)


# -- verdicts and recommendations on prod -----------------------------------------------------------------------------

def report(profile: str):
    settings = read_stack(ROOT, "prod", None)
    return build_report("prod", load_stack_config(settings.config, "prod"),
                        Profile.load(ROOT / "policies" / "profiles" / f"{profile}.json"), load_cost_model(COST_MODEL),
                        PRICES)


def by_type(profile: str) -> dict:
    return {t.workload.resource_type: t for t in report(profile).solutions.types}


def test_baseline_recommends_rds_automated_backups_35_days_is_enough():
    rds = by_type("baseline")["RDS"]
    assert rds.recommended.solution.id == "rds-native"
    assert rds.recommended.monthly_usd == pytest.approx(4 * 500 * 0.05 * 35 * 0.095)  # beyond the free allowance
    assert all(o.monthly_usd > rds.recommended.monthly_usd for o in rds.options if o.meets and o is not rds.recommended)


def test_sec_17a_4_rules_the_native_mechanisms_out_on_worm_and_recommends_aws_backup():
    types = by_type("sec-17a-4")
    native = next(o for o in types["RDS"].options if o.solution.id == "rds-native")
    assert {r.key for r in native.unmet_mandatory} >= {"retention", "lock"}
    assert types["RDS"].recommended.solution.id == "aws-backup"
    for kind in ("EBS", "EC2", "DynamoDB"):
        natives = [o for o in types[kind].options if o.solution.id != "aws-backup"]
        assert natives and all(any(r.key == "lock" for r in o.unmet_mandatory) for o in natives), kind
    assert types["S3"].recommended.solution.id == "aws-backup-s3"  # Object Lock alone lacks audit and tests


def test_a_type_aws_cannot_restore_test_is_not_asked_for_restore_tests():
    gateway = by_type("sec-17a-4")["Storage Gateway"]
    assert gateway.recommended is not None
    assert all("restoreTesting" not in {v.requirement.key for v in o.verdicts} for o in gateway.options)


def test_the_aws_backup_rows_are_the_plan_and_its_variants():
    ebs = by_type("sec-17a-4")["EBS"]
    names = [o.name for o in ebs.options if o.solution.id == "aws-backup"]
    assert names == ["AWS Backup, as the plan writes it", "AWS Backup, without cold storage",
                     "AWS Backup, without cross-account copies", "AWS Backup, at the profile's minimum"]
    as_written = report("sec-17a-4").groups[0][0]
    assert ebs.options[0].monthly_usd == pytest.approx(
        next(t for t in as_written.types if t.workload.resource_type == "EBS").total_monthly_usd)


# -- the three renderings --------------------------------------------------------------------------------------------

def test_markdown_json_and_png(tmp_path):
    text = render_markdown(report("sec-17a-4"))
    assert "### Solution types against sec-17a-4" in text
    assert "| **AWS Backup, at the profile's minimum** |" in text and "✗ (M)" in text
    document = json.loads(render_json(report("baseline")))["solutions"]
    rds = next(t for t in document["byResourceType"] if t["resourceType"] == "RDS")
    assert rds["recommended"] == "automated backups (point-in-time) + manual snapshots"
    assert report_main(["--stack", "prod", "--policy-pack-config", "policies/profiles/sec-17a-4.json",
                        "--cost-model", str(COST_MODEL), "--out", str(tmp_path), "--cwd", str(ROOT)]) == 0
    assert (tmp_path / "solutions-prod.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_stack_with_nothing_to_compare_has_no_section():
    config = load_stack_config({"aws:region": "eu-west-1"}, "empty")
    empty = build_report("empty", config, Profile.load(None), ONE, PRICES)
    assert empty.solutions is None and json.loads(render_json(empty))["solutions"] is None
