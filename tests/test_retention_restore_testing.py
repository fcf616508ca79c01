"""The retention report's restore testing cost (`aws-backups:evidence.restoreTesting`): the arithmetic on a small
stack against hand-computed figures, a source for every restore-testing price, nothing for a stack without restore
testing, and the prod stack through the CLI."""

from __future__ import annotations

import copy
import json
import typing
from pathlib import Path

import pytest

from components.config.evidence import RestoreTestingType
from components.config.loader import load_stack_config
from components.config.stack import StackConfig
from retention_report.command import main as report_main
from retention_report.contents import build_report
from retention_report.pricing import PriceTable
from retention_report.profile import Profile
from retention_report.render_json import render_json
from retention_report.render_md import render_markdown
from retention_report.restore_cost import restore_testing_cost
from retention_report.workloads import parse_cost_model

ROOT = Path(__file__).resolve().parents[1]
DAYS_PER_MONTH = 365.25 / 12  # 30.4375
# Two EFS file systems of 500 GB and three DynamoDB tables of 10 GB (EBS left at the default: 1 x 100 GB).
WORKLOADS = parse_cost_model({"resourceTypes": {"EFS": {"count": 2, "sizeGb": 500},
                                                "DynamoDB": {"count": 3, "sizeGb": 10}}})


def stack(evidence: dict | None, selected: tuple[str, ...] = ("EFS", "DynamoDB")) -> StackConfig:
    source = {
        "aws:region": "eu-west-1",
        "aws-backups:vaults": json.dumps([{"name": "main"}]),
        "aws-backups:plans": json.dumps([{
            "name": "p", "vault": "main", "rules": [{"preset": "daily"}],
            "selections": [{"name": "s", "resourceTypes": list(selected), "conditions": {"stringEquals": {"b": "y"}}}],
        }]),
    }
    if evidence is not None:
        source["aws-backups:evidence"] = json.dumps(evidence)
    return load_stack_config(source, "test")


DAILY_TESTS = {"restoreTesting": {"schedule": "cron(0 6 * * ? *)", "validationWindowHours": 3}}


def prices_with_fee(fee: float) -> PriceTable:
    document = copy.deepcopy(PriceTable.load().document)
    document["restoreTesting"]["feePerTest"]["us-east-1"]["price"] = fee
    return PriceTable(document)


# --- arithmetic ------------------------------------------------------------------------------------------------

def test_daily_restore_tests_of_two_types_by_hand():
    cost = restore_testing_cost(stack(DAILY_TESTS), WORKLOADS, PriceTable.load())
    assert cost is not None
    assert (cost.regions, cost.validation_window_hours) == (("eu-west-1",), 3)
    assert cost.runs_a_month == pytest.approx(30.4375)  # once a day, 365.25 / 12 days a month
    efs, dynamodb = cost.types
    assert efs.workload.resource_type == "EFS" and dynamodb.workload.resource_type == "DynamoDB"
    # EFS: 30.4375 runs x 2 file systems = 60.875 restores of 500 GB = 30,437.5 GB, at 0.024 $/GB = 730.50 $.
    assert (efs.restores_a_month, efs.restored_gb) == pytest.approx((60.875, 30_437.5))
    assert efs.restore_usd == pytest.approx(730.5)
    # DynamoDB: 30.4375 x 3 tables = 91.3125 restores of 10 GB = 913.125 GB, at 0.15 $/GB = 136.96875 $.
    assert (dynamodb.restores_a_month, dynamodb.restored_gb) == pytest.approx((91.3125, 913.125))
    assert dynamodb.restore_usd == pytest.approx(136.96875)
    assert cost.restores_a_month == pytest.approx(152.1875)
    # The table has no figure for the fee per test: the dollars are the restores' only, and say so.
    assert cost.fee is None and cost.fee_usd is None
    assert cost.total_usd == pytest.approx(867.46875)
    assert "no figure for the fee per restore test: left out of the dollars" in cost.caveats
    assert any("fee per restore test" in item for item in cost.not_included)


def test_a_fee_per_test_is_counted_once_per_resource_and_run():
    cost = restore_testing_cost(stack(DAILY_TESTS), WORKLOADS, prices_with_fee(2.0))
    assert cost is not None and cost.fee is not None
    # 152.1875 restore tests x 2 $ = 304.375 $, on top of the restores' 867.46875 $.
    assert cost.fee_usd == pytest.approx(304.375)
    assert cost.total_usd == pytest.approx(1171.84375)
    assert cost.included[0].startswith("AWS's fee per restore test")
    markdown = render_markdown(build_report("test", stack(DAILY_TESTS), Profile.load(None), WORKLOADS,
                                            prices_with_fee(2.0), with_alternatives=False))
    assert "**Restore testing: 1,171.84 $/month** (restores 867.47 + AWS's fee for 152.2 restore tests" in markdown


def test_weekly_runs_are_counted_on_the_calendar():
    weekly = {"restoreTesting": {"schedule": "cron(0 6 ? * SAT *)"}}
    cost = restore_testing_cost(stack(weekly), WORKLOADS, PriceTable.load())
    assert cost is not None
    # 2028 (a leap year starting on a Saturday) has 53 Saturdays, 2029 has 52: 105 runs in 731 days.
    assert cost.runs_a_month == pytest.approx(105 / 731 * DAYS_PER_MONTH)
    assert cost.validation_window_hours is None


def test_only_the_types_given_are_tested():
    tested = {"restoreTesting": {"schedule": "cron(0 6 * * ? *)", "types": ["EFS"]}}
    cost = restore_testing_cost(stack(tested), WORKLOADS, PriceTable.load())
    assert cost is not None
    assert [t.workload.resource_type for t in cost.types] == ["EFS"]
    assert cost.total_usd == pytest.approx(730.5)  # the EFS figure of the hand-computed case above


def test_unset_types_test_every_selected_type_restore_testing_supports():
    every = {"restoreTesting": {"schedule": "cron(0 6 * * ? *)"}}
    cost = restore_testing_cost(stack(every, ("EBS", "Storage Gateway", "EFS")), WORKLOADS, PriceTable.load())
    assert cost is not None
    assert [t.workload.resource_type for t in cost.types] == ["EBS", "EFS"]  # no restore testing of Storage Gateway


# --- prices ----------------------------------------------------------------------------------------------------

def test_every_restore_testing_price_names_its_source():
    prices = PriceTable.load()
    table = prices.document["restoreTesting"]
    entries = [*table["feePerTest"].values(), *(entry for by_region in table["restorePerGb"].values()
                                                for entry in by_region.values())]
    for entry in entries:
        assert entry["source"] in prices.sources
        assert isinstance(entry["assumed"], bool)
        assert entry["price"] is None or entry["price"] >= 0
        if entry["assumed"] or entry["price"] is None:
            assert entry["assumed"] and entry.get("note"), entry  # an assumption, or a missing figure, says why
    for source in prices.sources.values():
        assert source["title"] and source["url"].startswith("https://") and source["pageDate"]
    for kind in typing.get_args(RestoreTestingType):
        restore = prices.restore(kind, "us-east-1")
        assert restore.usd >= 0 and restore.source in prices.sources
    assert prices.restore("EFS", "eu-west-1").fallback_for == "eu-west-1"
    assert prices.restore_test_fee("us-east-1") is None  # no stored copy gives the figure: none is invented


# --- a stack without restore testing ---------------------------------------------------------------------------

@pytest.mark.parametrize("evidence", [None, {"profile": "sec-17a-4"}])
def test_a_stack_without_restore_testing_shows_none(evidence):
    config = stack(evidence)
    assert restore_testing_cost(config, WORKLOADS, PriceTable.load()) is None
    report = build_report("test", config, Profile.load(None), WORKLOADS, PriceTable.load(), with_alternatives=False)
    assert report.restore_testing is None
    assert "### Restore testing" not in render_markdown(report)
    assert json.loads(render_json(report))["restoreTesting"] is None


# --- the prod stack --------------------------------------------------------------------------------------------

def test_prod_restore_testing_through_the_cli(capsys):
    assert report_main(["--stack", "prod", "--cwd", str(ROOT), "--format", "json", "--as-written",
                        "--cost-model", str(ROOT / "docs/retention-cost-model.example.yaml")]) == 0
    testing = json.loads(capsys.readouterr().out)["restoreTesting"]
    assert (testing["schedule"], testing["validationWindowHours"]) == ("cron(0 6 ? * SAT *)", 4)
    assert [t["resourceType"] for t in testing["byResourceType"]] == ["EBS", "EC2", "RDS", "Aurora", "DynamoDB",
                                                                      "EFS"]
    runs = 105 / 731 * DAYS_PER_MONTH
    # 40 + 20 + 4 + 2 + 10 + 3 = 79 resources, once a run; paid restores: DynamoDB 10 x 20 GB, EFS 3 x 1000 GB.
    assert testing["restoreTestsPerMonth"] == pytest.approx(79 * runs)
    assert testing["monthlyUsd"]["total"] == pytest.approx(runs * (10 * 20 * 0.15 + 3 * 1000 * 0.024))
    assert testing["monthlyUsd"]["fee"] is None
