"""AWS Backup schedules: `cron(min hour day-of-month month day-of-week year)`, validated and expanded.

Syntax comes from `aws-cron-expression-validator`; the fields are parsed by `croniter`, after translating the AWS
dialect (day-of-week 1-7 with SUN=1, `?`, `nL` for "last weekday n", a year field) into croniter's (0-6 with
SUN=0, `*`, `Ln`, year as its 7th field after seconds).

Gaps are exact and cheap: a cron's times of day (minute x hour) are the same on every day it runs, so the pack
walks the matching DAYS, not the runs, over a full period of the calendar: 29 years from 2026 (or from the first
listed year after it), since weekdays and leap days repeat every 28 years (1901-2099), plus one to see the gap
across the period's end. Results are cached per expression.

Clock: gaps are measured on the schedule's own clock, UTC or its `scheduleExpressionTimezone`'s wall clock alike
(the zone is not read). A daily 05:00 schedule is "every 24 hours" even in a DST zone, where one gap a year is
23 or 25 real hours: failing every daily schedule of a DST zone against a daily maximum would be wrong for ops.
"""

from __future__ import annotations

import calendar
import itertools
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from aws_cron_expression_validator.validator import AWSCronExpressionError, AWSCronExpressionValidator
from croniter import CroniterError, croniter

FIRST_YEAR = 2026  # a fixed start: verdicts do not depend on when the pack runs
PERIOD_YEARS = 28 + 1  # the Gregorian calendar's weekday/leap pattern repeats every 28 years (1901-2099), + 1

_CRON = re.compile(r"^cron\((?P<body>[^()]*)\)$")
_DAY_NUMBER = re.compile(r"\d+")


class ScheduleError(ValueError):
    """The schedule is not an AWS cron expression; the message says why."""


@dataclass(frozen=True)
class CronGaps:
    """What a schedule does over a full period: its runs, and its shortest and longest gap between runs."""

    runs: int
    shortest: timedelta | None
    longest: timedelta | None  # None when it runs fewer than twice


def cron_fields(schedule: str) -> str:
    """The six fields of `cron(...)`, validated; raises ScheduleError with the reason."""
    match = _CRON.match(schedule.strip())
    if not match:
        raise ScheduleError("it is not cron(...) around six fields")
    body = match["body"].strip()
    try:
        AWSCronExpressionValidator.validate(body)
    except AWSCronExpressionError as error:
        raise ScheduleError(str(error).rstrip(".")) from error
    return body


def _day_of_week(field: str) -> str:
    """AWS day-of-week (1-7, SUN=1) as croniter's (0-6, SUN=0)."""
    if field == "?":
        return "*"
    if field == "L":  # the last day of the week: Saturday
        return "6"
    if field.endswith("L"):  # "6L": the last Friday of the month
        return "L" + _DAY_NUMBER.sub(lambda m: str(int(m[0]) - 1), field[:-1])
    if "#" in field:  # "2#1": the first Monday
        day, nth = field.split("#")
        return f"{_DAY_NUMBER.sub(lambda m: str(int(m[0]) - 1), day)}#{nth}"
    return _DAY_NUMBER.sub(lambda m: str(int(m[0]) - 1), field)


def to_croniter(fields: str) -> str:
    minute, hour, day_of_month, month, day_of_week, year = fields.split(" ")
    day_of_month = "*" if day_of_month == "?" else day_of_month
    return " ".join([minute, hour, day_of_month, month, _day_of_week(day_of_week), "0", year])


def _values(field: list, size: int) -> list[int]:
    return list(range(size)) if field == ["*"] else [int(value) for value in field]


def _day_matches(parsed: croniter, year: int, month: int, day: int) -> bool:
    """Whether `parsed`'s day-of-month and day-of-week fields (one of them `*`) select this date."""
    day_field, weekday_field = parsed.expanded[2], parsed.expanded[4]
    if parsed.nearest_weekday:  # `15W`: the weekday nearest the 15th, within the month
        if day not in {croniter._get_nearest_weekday(year, month, w) for w in parsed.nearest_weekday}:
            return False
    elif day_field != ["*"]:
        last = calendar.monthrange(year, month)[1]
        if not any(day == (last if value == "l" else int(value)) for value in day_field):
            return False
    if weekday_field == ["*"]:
        return True
    weekday = (calendar.weekday(year, month, day) + 1) % 7  # croniter's 0-6, SUN=0
    if weekday not in {int(value) for value in weekday_field}:
        return False
    nth = parsed.nth_weekday_of_month.get(weekday)
    if not nth:
        return True
    same_weekdays = croniter._get_nth_weekday_of_month(year, month, weekday)
    return any(day == same_weekdays[-1] if n == "l" else day == same_weekdays[int(n) - 1]
               for n in nth if n == "l" or int(n) <= len(same_weekdays))


def _matching_days(parsed: croniter) -> list[date]:
    """The days the schedule runs on, over one full period of the calendar from its first year since 2026."""
    year_field, month_field = parsed.expanded[6], parsed.expanded[3]
    listed = None if year_field == ["*"] else sorted(int(y) for y in year_field)
    first = FIRST_YEAR if listed is None else next((y for y in listed if y >= FIRST_YEAR), None)
    if first is None:
        return []  # every listed year is in the past
    years = [y for y in range(first, first + PERIOD_YEARS) if listed is None or y in listed]
    months = [m for m in range(1, 13) if month_field == ["*"] or m in {int(v) for v in month_field}]
    return [date(year, month, day) for year in years for month in months
            for day in range(1, calendar.monthrange(year, month)[1] + 1) if _day_matches(parsed, year, month, day)]


@lru_cache(maxsize=1024)
def cron_gaps(schedule: str) -> CronGaps | None:
    """The shortest and longest gap of a valid schedule over a full period, or None if croniter cannot parse this
    AWS construct (e.g. `LW`)."""
    expression = to_croniter(cron_fields(schedule))  # raises ScheduleError, a ValueError: outside the try
    try:
        parsed = croniter(expression)
    except (CroniterError, ValueError):
        return None
    times = sorted({timedelta(hours=h, minutes=m)
                    for h in _values(parsed.expanded[1], 24) for m in _values(parsed.expanded[0], 60)})
    days = _matching_days(parsed)
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)] if days else []
    gaps += [timedelta(days=(later - earlier).days) + times[0] - times[-1]
             for earlier, later in itertools.pairwise(days)]
    return CronGaps(runs=len(days) * len(times), shortest=min(gaps, default=None), longest=max(gaps, default=None))
