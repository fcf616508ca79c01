"""When a rule's AWS cron schedule fires, reduced to what the retention report and the review need: how often
(backups per day) and the longest wait between two backups, alone or together with the plan's other rules.

The AWS dialect is read once, by the pack (`compliance.cron`: validation and translation to croniter); this
module only walks the occurrences, over a fixed reference window of two calendar years (one a leap year, so every
day-of-month, weekday and month pattern shows up) and on the wall clock of the rule's time zone: the gaps are
between real instants (a daily backup across a DST change is 23 or 25 hours after the previous one).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from croniter import CroniterBadDateError, CroniterError, croniter

from compliance.cron import ScheduleError, cron_fields, to_croniter

REFERENCE_YEARS = (2028, 2030)  # [2028-01-01, 2030-01-01): 731 days, 2028 is a leap year
__all__ = ["BackupRate", "ScheduleError", "backup_rate", "occurrences", "worst_gap_hours"]


@dataclass(frozen=True)
class BackupRate:
    per_day: float  # mean backups per day over the reference window
    max_gap_hours: float  # longest time between two consecutive backups (inf when it fires at most once)


def _window(timezone: str) -> tuple[dt.datetime, dt.datetime]:
    zone = ZoneInfo(timezone)
    start, end = REFERENCE_YEARS
    return dt.datetime(start, 1, 1, tzinfo=zone), dt.datetime(end, 1, 1, tzinfo=zone)


@lru_cache(maxsize=256)
def occurrences(schedule: str, timezone: str = "Etc/UTC") -> tuple[dt.datetime, ...]:
    """Instants (UTC) when `cron(...)` fires in the reference window, plus the first one after it, so that the gap
    wrapping past the window's end is measured too. Raises ScheduleError for an expression AWS would refuse."""
    start, end = _window(timezone)
    try:
        runs = croniter(to_croniter(cron_fields(schedule)), start - dt.timedelta(seconds=1))
    except (CroniterError, ValueError) as error:
        raise ScheduleError(f"{schedule!r} cannot be expanded: {error}") from error
    found: list[dt.datetime] = []
    while True:
        try:
            instant = runs.get_next(dt.datetime)
        except CroniterBadDateError:  # a year field that has run out
            break
        found.append(instant.astimezone(dt.UTC))
        if instant >= end:
            break
    return tuple(found)


def worst_gap_hours(schedules: Iterable[tuple[str, str]]) -> float:
    """Longest time without a backup when all these (schedule, timezone) pairs back up the same resource."""
    return _worst_gap_hours(tuple(sorted(set(schedules))))


@lru_cache(maxsize=256)
def _worst_gap_hours(pairs: tuple[tuple[str, str], ...]) -> float:
    """Cached: a report or a review asks the same plans again (strategies, the two sides of a review)."""
    if not pairs:
        return float("inf")
    end = min(_window(zone)[1] for _, zone in pairs).astimezone(dt.UTC)
    merged = sorted({instant for schedule, zone in pairs for instant in occurrences(schedule, zone)})
    gaps = [
        (later - earlier).total_seconds() / 3600
        for earlier, later in itertools.pairwise(merged)
        if earlier < end
    ]
    return max(gaps) if gaps else float("inf")


def backup_rate(schedule: str, timezone: str = "Etc/UTC") -> BackupRate:
    start, end = _window(timezone)
    fired = [instant for instant in occurrences(schedule, timezone) if instant < end]
    days = (end - start).total_seconds() / 86400
    return BackupRate(per_day=len(fired) / days, max_gap_hours=worst_gap_hours([(schedule, timezone)]))
