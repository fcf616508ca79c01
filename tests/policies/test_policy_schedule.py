"""AWS cron as the pack reads it: syntax from aws-cron-expression-validator, runs from croniter after translating
AWS's day-of-week (1-7, SUN=1), `?`, `nL`, `n#k` and the year field. 2026-01-01 is a Thursday."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from compliance.cron import ScheduleError, cron_fields, cron_gaps, to_croniter
from croniter import croniter


def first_runs(schedule: str, count: int = 3) -> list[str]:
    runs = croniter(to_croniter(cron_fields(schedule)), datetime(2026, 1, 1, tzinfo=UTC) - timedelta(seconds=1))
    return [runs.get_next(datetime).strftime("%a %Y-%m-%d %H:%M") for _ in range(count)]


@pytest.mark.parametrize(("schedule", "runs"), [
    ("cron(0 5 ? * * *)", ["Thu 2026-01-01 05:00", "Fri 2026-01-02 05:00", "Sat 2026-01-03 05:00"]),
    ("cron(0 5 ? * 1 *)", ["Sun 2026-01-04 05:00", "Sun 2026-01-11 05:00", "Sun 2026-01-18 05:00"]),  # 1 = SUN
    ("cron(0 5 ? * 7 *)", ["Sat 2026-01-03 05:00", "Sat 2026-01-10 05:00", "Sat 2026-01-17 05:00"]),  # 7 = SAT
    ("cron(0 5 ? * 2-6 *)", ["Thu 2026-01-01 05:00", "Fri 2026-01-02 05:00", "Mon 2026-01-05 05:00"]),
    ("cron(0 5 ? * MON,WED *)", ["Mon 2026-01-05 05:00", "Wed 2026-01-07 05:00", "Mon 2026-01-12 05:00"]),
    ("cron(0 5 ? * 6L *)", ["Fri 2026-01-30 05:00", "Fri 2026-02-27 05:00", "Fri 2026-03-27 05:00"]),  # last FRI
    ("cron(0 5 ? * 2#1 *)", ["Mon 2026-01-05 05:00", "Mon 2026-02-02 05:00", "Mon 2026-03-02 05:00"]),  # 1st MON
    ("cron(0 5 ? * L *)", ["Sat 2026-01-03 05:00", "Sat 2026-01-10 05:00", "Sat 2026-01-17 05:00"]),
    ("cron(0 5 L * ? *)", ["Sat 2026-01-31 05:00", "Sat 2026-02-28 05:00", "Tue 2026-03-31 05:00"]),
    ("cron(0 5 1 1 ? 2027-2029)", ["Fri 2027-01-01 05:00", "Sat 2028-01-01 05:00", "Mon 2029-01-01 05:00"]),
])
def test_aws_cron_is_translated(schedule, runs):
    assert first_runs(schedule) == runs


@pytest.mark.parametrize("schedule", [
    "cron(0 5 * * * *)",  # neither day field is ?
    "cron(0 5 ? * ? *)",  # both are
    "cron(0 5 ? * 0 *)",  # day-of-week is 1-7
    "cron(0 24 ? * * *)",
    "cron(0 5 ? * *)",
    "rate(1 day)",
    "0 5 ? * * *",
])
def test_invalid_schedules_are_rejected(schedule):
    with pytest.raises(ScheduleError):
        cron_fields(schedule)


@pytest.mark.parametrize(("schedule", "shortest", "longest"), [
    ("cron(0 5 ? * * *)", timedelta(days=1), timedelta(days=1)),
    ("cron(0 * ? * * *)", timedelta(hours=1), timedelta(hours=1)),
    ("cron(0 5 ? * MON-FRI *)", timedelta(days=1), timedelta(days=3)),
    ("cron(0 5 1 * ? *)", timedelta(days=28), timedelta(days=31)),
    # A full period, not a short window: a leap year's 1 January -> 1 January is 366 days.
    ("cron(0 5 1 1 ? *)", timedelta(days=365), timedelta(days=366)),
    # Hourly January-June, then nothing until next January: the gap is 1 July 00:00 -> 1 January 00:00 + 1 h.
    ("cron(0 * ? 1-6 * *)", timedelta(hours=1), timedelta(days=184, hours=1)),
    ("cron(0 5 29 2 ? *)", timedelta(days=4 * 365 + 1), timedelta(days=4 * 365 + 1)),  # leap days only
    ("cron(0 5 15W * ? *)", timedelta(days=28), timedelta(days=32)),  # the weekday nearest the 15th
    ("cron(0 5 ? * 2#5 *)", timedelta(days=63), timedelta(days=119)),  # a fifth Monday: not every month has one
    ("cron(30 23,0 ? * * *)", timedelta(hours=1), timedelta(hours=23)),  # 23:30 -> 00:30 crosses midnight
])
def test_cron_gaps(schedule, shortest, longest):
    runs = cron_gaps(schedule)
    assert (runs.shortest, runs.longest) == (shortest, longest)


def test_a_schedule_that_runs_once_has_no_gap():
    runs = cron_gaps("cron(0 5 1 1 ? 2027)")
    assert (runs.runs, runs.longest) == (1, None)


def test_a_schedule_whose_years_are_past_never_runs():
    runs = cron_gaps("cron(0 5 1 1 ? 2020)")
    assert (runs.runs, runs.shortest, runs.longest) == (0, None, None)
