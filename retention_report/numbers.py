"""How the report writes its figures: recovery points, hours, ages and dollars, unbounded ones as ∞ (Markdown and
the pictures alike)."""

from __future__ import annotations

import math

from retention_report.figures import CONTINUOUS_RPO_HOURS

INF = "∞"


def points(value: float) -> str:
    return INF if math.isinf(value) else f"{value:.1f}".removesuffix(".0")


def hours(value: float) -> str:
    if math.isinf(value):
        return "none"
    if value <= CONTINUOUS_RPO_HOURS:
        return "~5 min"
    if value >= 48:
        return f"{value / 24:g} d"
    return f"{value:g} h"


def age(days: float) -> str:
    if math.isinf(days):
        return "forever"
    if days >= 365:
        return f"{days / 365:.1f} y ({days:g} d)".replace(".0 y", " y")
    return f"{days:g} d"


def usd(value: float) -> str:
    return INF if math.isinf(value) else f"{value:,.2f}"
