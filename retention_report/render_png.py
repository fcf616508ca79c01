"""The retention shape as a PNG: for each plan, one row per rule and per copy, a bar over the age of a recovery
point (log scale, days) that is warm, then cold, then gone; the profile's minimum and maximum retention as lines."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display, the same output on CI (set before pyplot is imported)

from compliance import facts
from matplotlib import pyplot as plt
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from retention_report.contents import RetentionReport, StrategyReport
from retention_report.figures import Tranche, tranches
from retention_report.model import AS_WRITTEN
from retention_report.numbers import age, points
from retention_report.profile import MAX_RETENTION, MIN_RETENTION

WARM, COLD, COPY_WARM, COPY_COLD = "#e4572e", "#4a7bb7", "#f3a712", "#8fb8de"
YOUNGEST_DAYS = 0.5  # where bars start on the log axis (a recovery point just made)
FOREVER_DAYS = facts.MAX_LIFECYCLE_DAYS  # how far a never-deleted point is drawn (AWS's longest lifecycle)


HEADER_INCHES = 0.55  # title and legend above the plans
TICKS = {1: "1 d", 7: "1 w", 30: "30 d", 90: "90 d", 365: "1 y", 730: "2 y", 365 * 7: "7 y", 365 * 30: "30 y"}


def _row_label(tranche: Tranche, schedule: str) -> str:
    if tranche.is_copy:
        return f"copy → {tranche.copy_to} ({tranche.region})"
    return f"{tranche.rule} ({tranche.region})\n{schedule}"


def _draw_plan(ax: plt.Axes, report: StrategyReport, limits: list[tuple[float, str]]) -> float:
    """Draw one plan's rows; returns the oldest age drawn (for a common x range)."""
    strategy = report.strategy
    schedules = {rule.name: rule.schedule.removeprefix("cron(").removesuffix(")") for rule in strategy.rules}
    rows = tranches(strategy, AS_WRITTEN)
    labels, oldest = [], 1.0
    for index, tranche in enumerate(rows):
        y = len(rows) - 1 - index
        warm_end = min(YOUNGEST_DAYS + tranche.warm_days, FOREVER_DAYS)
        end = min(YOUNGEST_DAYS + tranche.oldest_days, FOREVER_DAYS)
        warm_colour, cold_colour = (COPY_WARM, COPY_COLD) if tranche.is_copy else (WARM, COLD)
        ax.barh(y, warm_end - YOUNGEST_DAYS, left=YOUNGEST_DAYS, color=warm_colour, height=0.6)
        if end > warm_end:
            ax.barh(y, end - warm_end, left=warm_end, color=cold_colour, height=0.6)
        counts = f"{points(tranche.warm_points)} warm"
        if tranche.cold_points:
            counts += f" + {points(tranche.cold_points)} cold"
        oldest = max(oldest, end)
        ax.text(end * 1.08, y, f"{counts} · kept {age(tranche.oldest_days)}", va="center", fontsize=8,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
        labels.append(_row_label(tranche, schedules.get(tranche.rule, "")))
    ax.set_yticks(range(len(rows)), list(reversed(labels)), fontsize=8)
    for days, style in limits:
        ax.axvline(days, color="black", linestyle=style, linewidth=1)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_title(f"plan {strategy.name} ({strategy.region})", fontsize=10, loc="left")
    return oldest


def render_png(report: RetentionReport, path: Path) -> Path:
    """Write the timeline of every plan of the report to `path` (PNG) and return it."""
    limits = [(days, style, f"profile {name} {age(days)}")
              for days, style, name in ((report.profile.knob(MIN_RETENTION, "minRetentionDays"), "--", "minimum"),
                                        (report.profile.knob(MAX_RETENTION, "maxRetentionDays"), ":", "maximum"))
              if days]
    plans = [group[0] for group in report.groups]
    heights = [max(len(tranches(p.strategy, AS_WRITTEN)), 1) for p in plans] or [1]
    inches = HEADER_INCHES + 0.7 + 0.55 * sum(heights) + 0.6 * len(heights)
    fig, axes = plt.subplots(len(heights), 1, figsize=(11, inches), gridspec_kw={"height_ratios": heights},
                             squeeze=False)
    oldest = max((_draw_plan(ax, plan, [(d, style) for d, style, _ in limits])
                  for ax, plan in zip(axes[:, 0], plans, strict=False)), default=1.0)
    right = min(oldest * 20, FOREVER_DAYS * 2)  # room for the labels
    ticks = {days: label for days, label in TICKS.items() if days <= right}
    for ax in axes[:, 0]:
        ax.set_xscale("log")
        ax.set_xticks(list(ticks), list(ticks.values()), fontsize=8)
        ax.set_xlim(YOUNGEST_DAYS, right)
        ax.minorticks_off()
        ax.grid(axis="x", alpha=0.3)
    if not plans:
        axes[0, 0].text(0.5, 0.5, "no backup plans in this stack", ha="center", va="center")
        axes[0, 0].set_axis_off()
    axes[-1, 0].set_xlabel("age of a recovery point (days, log scale): warm, then cold, then deleted")
    handles = [Patch(color=WARM, label="warm"), Patch(color=COLD, label="cold"),
               Patch(color=COPY_WARM, label="copy, warm"), Patch(color=COPY_COLD, label="copy, cold")]
    handles += [Line2D([], [], color="black", linestyle=style, label=label) for _, style, label in limits]
    fig.legend(handles=handles, loc="upper left", ncol=len(handles), fontsize=8, frameon=False,
               bbox_to_anchor=(0.005, 1 - 0.35 / inches))
    fig.suptitle(f"Retention timeline, stack {report.stack} (lifecycle as written; profile {report.profile.name})",
                 x=0.01, y=1 - 0.08 / inches, ha="left", va="top", fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 1 - HEADER_INCHES / inches))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path

