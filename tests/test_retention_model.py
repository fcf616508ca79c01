"""The retention model against cases worked by hand (arithmetic in the comments), and its closed-form counts
against a simple simulation of recovery points being made and expired."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import pytest
from compliance.backup_times import backup_rate, occurrences, worst_gap_hours

from retention_report.figures import CONTINUOUS_RPO_HOURS, DAYS_PER_MONTH, region_points, type_figures
from retention_report.model import CopyTarget, Lifecycle, Rule, Strategy, TypeSupport, Workload
from retention_report.pricing import PriceTable

DAILY = "cron(0 5 * * ? *)"
WEEKLY = "cron(0 5 ? * SAT *)"
MONTHLY = "cron(0 5 1 * ? *)"
HOURLY = "cron(0 * * * ? *)"

# Support profiles, fixed here so the hand arithmetic does not move with the resource types table.
COLD_TYPE = TypeSupport(  # like EFS
    cold_storage=True, cold_storage_needs_archive_opt_in=False, continuous_backup=False)
ARCHIVE_TYPE = TypeSupport(  # like EBS
    cold_storage=True, cold_storage_needs_archive_opt_in=True, continuous_backup=False)
WARM_ONLY = TypeSupport(  # like EC2
    cold_storage=False, cold_storage_needs_archive_opt_in=False, continuous_backup=False)
CONTINUOUS_TYPE = TypeSupport(  # like RDS
    cold_storage=False, cold_storage_needs_archive_opt_in=False, continuous_backup=True)

# A price table with round figures (per GB-month; transfer per GB), fallback region us-east-1.
PRICES = PriceTable({
    "fallbackRegion": "us-east-1",
    "sources": {"test": {"title": "test", "url": "https://example.com", "pageDate": "n/a"}},
    "resourceTypes": {
        "EBS": {"incremental": True, "regions": {"us-east-1": {
            "warm": {"price": 0.05, "source": "test", "assumed": False},
            "cold": {"price": 0.0125, "source": "test", "assumed": False}}}},
        "EFS": {"incremental": True, "regions": {"us-east-1": {
            "warm": {"price": 0.05, "source": "test", "assumed": False},
            "cold": {"price": 0.01, "source": "test", "assumed": False}}}},
        "DynamoDB": {"incremental": False, "regions": {"us-east-1": {
            "warm": {"price": 0.10, "source": "test", "assumed": False}}}},
        "RDS": {"incremental": True, "regions": {"us-east-1": {
            "warm": {"price": 0.095, "source": "test", "assumed": False}}}},
    },
    "crossRegionTransfer": {"us-east-1": {"price": 0.02, "source": "test", "assumed": False}},
})


def strategy(*rules: Rule, region: str = "us-east-1") -> Strategy:
    return Strategy(name="test", kind="plan", region=region, rules=rules, resource_types=("EBS",))


def workload(kind: str = "EBS") -> Workload:
    return Workload(kind, count=1, size_gb=100, daily_change_rate=0.02)


# --- schedules -------------------------------------------------------------------------------------------------

def test_backup_rate_counts_runs_over_the_reference_window():
    # 2028-01-01 .. 2029-12-31 is 731 days (2028 is a leap year): 731 daily runs, 105 Saturdays, 24 first-of-months.
    assert backup_rate(DAILY).per_day == 1.0
    assert backup_rate(WEEKLY).per_day == pytest.approx(105 / 731)
    assert backup_rate(MONTHLY).per_day == pytest.approx(24 / 731)
    assert backup_rate(HOURLY).per_day == 24.0


def test_worst_gap_of_one_rule():
    assert backup_rate(DAILY).max_gap_hours == 24
    assert backup_rate(WEEKLY).max_gap_hours == 7 * 24
    assert backup_rate(MONTHLY).max_gap_hours == 31 * 24  # e.g. 1 Jan -> 1 Feb
    assert backup_rate(HOURLY).max_gap_hours == 1
    assert backup_rate("cron(0 5 1 1 ? *)").max_gap_hours == 366 * 24  # 1 Jan 2028 -> 1 Jan 2029 crosses 29 Feb


def test_time_zone_and_dst_move_the_gaps():
    # 05:00 Paris wall clock: the night the clocks go back the gap is 25 hours (and 23 when they go forward).
    paris = occurrences(DAILY, "Europe/Paris")
    gaps = {(later - earlier) for earlier, later in itertools.pairwise(paris)}
    assert gaps == {dt.timedelta(hours=23), dt.timedelta(hours=24), dt.timedelta(hours=25)}
    assert backup_rate(DAILY, "Europe/Paris").max_gap_hours == 25
    assert paris[0] == dt.datetime(2028, 1, 1, 4, tzinfo=dt.UTC)  # 05:00 CET is 04:00 UTC


def test_worst_gap_considers_every_rule_of_the_plan():
    assert worst_gap_hours([(DAILY, "Etc/UTC"), (WEEKLY, "Etc/UTC")]) == 24
    # Monthly runs land inside the weekly gaps but never widen them: still one week at worst.
    assert worst_gap_hours([(MONTHLY, "Etc/UTC"), (WEEKLY, "Etc/UTC")]) == 7 * 24
    # Two daily rules twelve hours apart: a backup every 12 hours.
    assert worst_gap_hours([("cron(0 5 * * ? *)", "Etc/UTC"), ("cron(0 17 * * ? *)", "Etc/UTC")]) == 12


# --- counts ----------------------------------------------------------------------------------------------------

def test_daily_rule_kept_35_days():
    # 1 backup a day x 35 days = 35 warm points; nothing cold; RPO 24 h; oldest point 35 days.
    points = region_points(strategy(Rule("Daily", DAILY, Lifecycle(None, 35))), COLD_TYPE)["us-east-1"]
    assert (points.warm_points, points.cold_points) == (35, 0)
    assert points.rpo_hours == 24
    assert points.oldest_days == 35


def test_monthly_rule_with_cold_tier():
    # 24 runs / 731 days = 0.032832 a day. Warm 30 days: 0.032832 x 30 = 0.98495; cold 365 - 30 = 335 days:
    # 0.032832 x 335 = 10.9986; oldest 365 days; RPO 31 days = 744 h.
    monthly = strategy(Rule("Monthly1Year", MONTHLY, Lifecycle(30, 365)))
    points = region_points(monthly, COLD_TYPE)["us-east-1"]
    assert points.warm_points == pytest.approx(24 / 731 * 30)
    assert points.cold_points == pytest.approx(24 / 731 * 335)
    assert points.rpo_hours == 744
    assert points.oldest_days == 365


def test_types_without_cold_storage_keep_points_warm():
    # AWS ignores coldStorageAfterDays for them: 24/731 x 365 = 11.984 points, all warm.
    monthly = strategy(Rule("Monthly1Year", MONTHLY, Lifecycle(30, 365)))
    points = region_points(monthly, WARM_ONLY)["us-east-1"]
    assert points.warm_points == pytest.approx(24 / 731 * 365)
    assert points.cold_points == 0
    # EBS's cold tier is its archive tier: only with optInToArchiveForSupportedResources.
    assert region_points(monthly, ARCHIVE_TYPE)["us-east-1"].cold_points == 0
    opted_in = strategy(Rule("Monthly1Year", MONTHLY, Lifecycle(30, 365),
                         opt_in_to_archive_for_supported_resources=True))
    assert region_points(opted_in, ARCHIVE_TYPE)["us-east-1"].cold_points == pytest.approx(24 / 731 * 335)


def test_copies_land_in_their_region_with_their_own_lifecycle():
    # Daily kept 35 days in us-east-1, copied to us-west-2 where copies are kept 90 days: 35 and 90 points.
    rule = Rule("Daily", DAILY, Lifecycle(None, 35), copies=(CopyTarget("us-west-2", "dr", Lifecycle(None, 90)),))
    regions = region_points(strategy(rule), COLD_TYPE)
    assert regions["us-east-1"].warm_points == 35
    assert regions["us-west-2"].warm_points == 90
    assert regions["us-west-2"].oldest_days == 90
    assert regions["us-west-2"].rpo_hours == 24


def test_dr_region_rpo_only_counts_rules_that_copy_there():
    daily = Rule("Daily", DAILY, Lifecycle(None, 35))  # not copied
    weekly = Rule("Weekly", WEEKLY, Lifecycle(None, 90), copies=(CopyTarget("us-west-2", "dr", Lifecycle(None, 90)),))
    regions = region_points(strategy(daily, weekly), COLD_TYPE)
    assert regions["us-east-1"].rpo_hours == 24
    assert regions["us-west-2"].rpo_hours == 7 * 24


def test_continuous_backup_for_types_that_support_it():
    rule = Rule("Pitr", DAILY, Lifecycle(None, 35), continuous_backup=True)
    supported = region_points(strategy(rule), CONTINUOUS_TYPE)["us-east-1"]
    assert supported.warm_points == 1  # one point-in-time recovery point
    assert supported.rpo_hours == CONTINUOUS_RPO_HOURS  # about 5 minutes
    snapshots = region_points(strategy(rule), COLD_TYPE)["us-east-1"]
    assert snapshots.warm_points == 35  # other types get daily snapshots
    assert snapshots.rpo_hours == 24


def test_kept_forever_has_no_steady_state():
    points = region_points(strategy(Rule("Forever", DAILY, Lifecycle(None, None))), COLD_TYPE)["us-east-1"]
    assert math.isinf(points.warm_points)
    assert math.isinf(points.oldest_days)


# --- cost ------------------------------------------------------------------------------------------------------

def test_cost_of_daily_ebs_backups():
    # S = 100 GB, c = 2 %/day, one backup a day: each incremental is 100 x 0.02 x 1 = 2 GB.
    # Warm GB = 100 (full) + 35 x 2 = 170 GB; at $0.05 = $8.50 a month; no copy, no transfer.
    figures = type_figures(strategy(Rule("Daily", DAILY, Lifecycle(None, 35))), workload(), PRICES, COLD_TYPE)
    region = figures.regions["us-east-1"]
    assert region.warm_gb == pytest.approx(170)
    assert region.cold_gb == 0
    assert figures.storage_usd == pytest.approx(8.50)
    assert figures.transfer_usd == 0


def test_cost_of_monthly_efs_backups_with_cold_tier():
    # Interval d = 731/24 = 30.458 days: incremental = 100 x min(1, 0.02 x 30.458) = 60.917 GB.
    # Warm: 100 + (24/731 x 30) x 60.917 = 100 + 30 x 100 x 0.02 = 160 GB -> 160 x 0.05 = $8.00.
    # Cold (full copies): 24/731 x 335 x 100 = 1099.863 GB -> x 0.01 = $10.9986.  Total $18.9986.
    monthly = strategy(Rule("Monthly1Year", MONTHLY, Lifecycle(30, 365)))
    figures = type_figures(monthly, workload("EFS"), PRICES, COLD_TYPE)
    region = figures.regions["us-east-1"]
    assert region.warm_gb == pytest.approx(160)
    assert region.cold_gb == pytest.approx(24 / 731 * 335 * 100)
    assert figures.storage_usd == pytest.approx(8.00 + 10.998632, rel=1e-6)


def test_increment_is_capped_at_a_full_copy():
    # Yearly backups with 2 %/day change: 0.02 x 365.5 > 1, so each point holds a full copy (100 GB).
    # 2 runs / 731 days x 730 days kept = 1.9973 points: warm 100 + 1.9973 x 100 = 299.73 GB.
    yearly = strategy(Rule("Yearly", "cron(0 5 1 1 ? *)", Lifecycle(None, 730)))
    figures = type_figures(yearly, workload(), PRICES, WARM_ONLY)
    assert figures.regions["us-east-1"].warm_gb == pytest.approx(100 + 2 / 731 * 730 * 100)


def test_full_backup_types_store_the_whole_resource_each_time():
    # DynamoDB backups are full: 35 points x 100 GB = 3500 GB at $0.10 = $350.
    figures = type_figures(strategy(Rule("Daily", DAILY, Lifecycle(None, 35))), workload("DynamoDB"), PRICES,
                           WARM_ONLY)
    assert figures.regions["us-east-1"].warm_gb == pytest.approx(3500)
    assert figures.storage_usd == pytest.approx(350)


def test_nested_rules_share_one_incremental_chain():
    # Daily kept 35 days + weekly kept 90 days, c = 2 %/day. Ages 0-35: rho = 1 + 105/731 a day > c, the chain grows
    # c x S = 2 GB a day; ages 35-90: rho = 105/731 = 0.1436 > c, still 2 GB a day. Warm = 100 + 2 x 90 = 280 GB
    # (counting each rule's increments separately would say 100 + 35 x 2 + 12.93 x 13.9 = 350 GB).
    nested = strategy(Rule("Daily", DAILY, Lifecycle(None, 35)), Rule("Weekly", WEEKLY, Lifecycle(None, 90)))
    assert type_figures(nested, workload(), PRICES, COLD_TYPE).regions["us-east-1"].warm_gb == pytest.approx(280)


def test_sparse_points_hold_more_than_a_day_of_changes_each():
    # Daily kept 35 days + monthly kept 365 days, c = 5 %/day. Ages 0-35: rho = 1.0328 > c -> 5 GB/day x 35 = 175;
    # ages 35-365: rho = 24/731 = 0.032832 < c: a month of 5 %/day changes is more than the volume (c x 30.46 days
    # = 1.52 > 1), so each monthly point holds a full copy: 100 x 0.032832 x 330 = 1083.45 GB.
    # Warm = 100 + 175 + 1083.45 = 1358.45 GB.
    gfs = strategy(Rule("Daily", DAILY, Lifecycle(None, 35)), Rule("Monthly", MONTHLY, Lifecycle(None, 365)))
    busy = Workload("EBS", count=1, size_gb=100, daily_change_rate=0.05)
    assert type_figures(gfs, busy, PRICES, COLD_TYPE).regions["us-east-1"].warm_gb == pytest.approx(
        100 + 175 + 100 * 24 / 731 * 330)


def test_cross_region_copy_cost():
    # Copy jobs a month: 1 a day x 30.4375 days; each moves the 2 GB increment: 60.875 GB x $0.02 = $1.2175.
    # The destination (us-west-2, no stored prices: us-east-1's used, flagged) stores another 170 GB = $8.50.
    rule = Rule("Daily", DAILY, Lifecycle(None, 35), copies=(CopyTarget("us-west-2", "dr", Lifecycle(None, 35)),))
    figures = type_figures(strategy(rule), workload(), PRICES, COLD_TYPE)
    assert figures.transfer_gb == pytest.approx(DAYS_PER_MONTH * 2)
    assert figures.transfer_usd == pytest.approx(1.2175)
    assert figures.regions["us-west-2"].storage_usd == pytest.approx(8.50)
    assert figures.monthly_usd == pytest.approx(8.50 + 8.50 + 1.2175)
    assert "no stored figures for us-west-2: fallback region's used" in figures.price_caveats


def test_same_region_copy_has_no_transfer_cost_but_its_own_chain():
    # A copy to another vault (e.g. another account) in the same region: no transfer; its vault stores its own
    # chain: 2 x (100 + 35 x 2) = 340 GB, 70 points, in us-east-1.
    rule = Rule("Daily", DAILY, Lifecycle(None, 35), copies=(CopyTarget("us-east-1", "other", Lifecycle(None, 35)),))
    figures = type_figures(strategy(rule), workload(), PRICES, COLD_TYPE)
    assert figures.transfer_usd == 0
    assert figures.regions["us-east-1"].warm_points == 70
    assert figures.regions["us-east-1"].warm_gb == pytest.approx(340)


def test_continuous_backup_cost():
    # One full copy plus 35 days of changes: 100 + 100 x 0.02 x 35 = 170 GB at RDS's $0.095 = $16.15.
    rule = Rule("Pitr", DAILY, Lifecycle(None, 35), continuous_backup=True)
    figures = type_figures(strategy(rule), workload("RDS"), PRICES, CONTINUOUS_TYPE)
    assert figures.regions["us-east-1"].warm_gb == pytest.approx(170)
    assert figures.storage_usd == pytest.approx(16.15)


def test_total_multiplies_by_resource_count():
    twenty = Workload("EBS", count=20, size_gb=100, daily_change_rate=0.02)
    figures = type_figures(strategy(Rule("Daily", DAILY, Lifecycle(None, 35))), twenty, PRICES, COLD_TYPE)
    assert figures.total_monthly_usd == pytest.approx(20 * 8.50)


# --- closed form against a simulation --------------------------------------------------------------------------

def simulate(schedule: str, lifecycle: Lifecycle) -> tuple[float, float]:
    """Average (warm, cold) points held, sampled every day at noon through 2029, after a year of backups."""
    made = occurrences(schedule)
    warm = cold = 0
    samples = 0
    day = dt.datetime(2029, 1, 1, 12, tzinfo=dt.UTC)
    while day.year == 2029:
        for instant in made:
            age_days = (day - instant).total_seconds() / 86400
            if 0 <= age_days < lifecycle.delete_after_days:
                if lifecycle.cold_storage_after_days is not None and age_days >= lifecycle.cold_storage_after_days:
                    cold += 1
                else:
                    warm += 1
        samples += 1
        day += dt.timedelta(days=1)
    return warm / samples, cold / samples


@pytest.mark.parametrize(("schedule", "lifecycle"), [
    (DAILY, Lifecycle(None, 35)),
    (WEEKLY, Lifecycle(None, 90)),
    (MONTHLY, Lifecycle(30, 365)),
    ("cron(0 5 ? * MON-FRI *)", Lifecycle(None, 60)),
])
def test_closed_form_counts_match_a_simulation(schedule, lifecycle):
    warm, cold = simulate(schedule, lifecycle)
    points = region_points(strategy(Rule("r", schedule, lifecycle)), COLD_TYPE)["us-east-1"]
    assert points.warm_points == pytest.approx(warm, rel=0.03)
    assert points.cold_points == pytest.approx(cold, rel=0.03, abs=0.05)


def test_type_support_is_read_from_the_resource_types_table():
    assert TypeSupport.of("EBS") == ARCHIVE_TYPE
    assert TypeSupport.of("EFS") == COLD_TYPE
    assert TypeSupport.of("RDS") == CONTINUOUS_TYPE
    assert TypeSupport.of("EC2") == WARM_ONLY
