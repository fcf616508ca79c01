"""AWS Backup schedules: `cron(min hour day-of-month month day-of-week year)`, validated and expanded.

Syntax comes from `aws-cron-expression-validator`; occurrences from `croniter`, after translating the AWS dialect
(day-of-week 1-7 with SUN=1, `?`, `nL` for "last weekday n", a year field) into croniter's (0-6 with SUN=0, `*`,
`Ln`, year as its 7th field after seconds). Occurrences are computed in UTC over a fixed window, so verdicts do
not depend on when the pack runs; a `ScheduleExpressionTimezone` shifts every occurrence alike and DST moves
single runs by an hour, which the 60-minute and frequency figures tolerate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from aws_cron_expression_validator.validator import AWSCronExpressionError, AWSCronExpressionValidator
from croniter import CroniterBadDateError, CroniterError, croniter

WINDOW_START = datetime(2026, 1, 1, tzinfo=UTC)
WINDOW = timedelta(days=2 * 366 + 1)  # long enough for two runs of a yearly rule
MAX_RUNS = 3_000  # enough to see the pattern of any schedule with gaps of an hour or more; bounds the cost

_CRON = re.compile(r"^cron\((?P<body>[^()]*)\)$")
_DAY_NUMBER = re.compile(r"\d+")


class ScheduleError(ValueError):
    """The schedule is not an AWS cron expression; the message says why."""


@dataclass(frozen=True)
class Cadence:
    """What a schedule does over the window: its shortest and longest gap between runs."""

    runs: int
    shortest: timedelta | None
    longest: timedelta | None  # None when it runs fewer than twice in the window


def cron_fields(schedule: str) -> str:
    """The six fields of `cron(...)`, validated; raises ScheduleError with the reason."""
    match = _CRON.match(schedule.strip())
    if not match:
        raise ScheduleError(f"{schedule!r} is not of the form cron(minute hour day-of-month month day-of-week year).")
    body = match["body"].strip()
    try:
        AWSCronExpressionValidator.validate(body)
    except AWSCronExpressionError as error:
        raise ScheduleError(f"{schedule!r}: {str(error).rstrip('.')}.") from error
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


@lru_cache(maxsize=256)
def cadence(schedule: str) -> Cadence | None:
    """The runs of a valid schedule in the window, or None if croniter cannot expand this AWS construct."""
    expression = to_croniter(cron_fields(schedule))
    try:
        runs = croniter(expression, WINDOW_START - timedelta(seconds=1))
    except (CroniterError, ValueError):
        return None
    end = WINDOW_START + WINDOW
    shortest = longest = None
    previous = None
    count = 0
    while count < MAX_RUNS:
        try:
            current = runs.get_next(datetime)
        except CroniterBadDateError:
            break
        if current > end:
            break
        if previous is not None:
            gap = current - previous
            shortest = gap if shortest is None else min(shortest, gap)
            longest = gap if longest is None else max(longest, gap)
            if gap < timedelta(minutes=60):
                break  # already too dense: no need to walk the rest
        previous = current
        count += 1
    return Cadence(runs=count, shortest=shortest, longest=longest)
