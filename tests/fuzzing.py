"""Shared by the reliability tests: their hypothesis settings, and the counters behind the README's reliability
figures (the tests add to them as they run; `tests/reliability.py` runs the tests and prints the totals, so every
figure is what a run really did)."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, settings

COUNTS: Counter[str] = Counter()


def count(figure: str, amount: int = 1) -> None:
    COUNTS[figure] += amount


def fuzz(examples: int) -> settings:
    """`examples` per run. No deadline: timing is not under test (CI machines vary); nor health checks about
    slow or large generation (whole stack configs are large by nature)."""
    return settings(max_examples=examples, deadline=None, suppress_health_check=[
        HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
