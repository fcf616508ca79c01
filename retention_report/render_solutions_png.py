"""The solution types as a picture: per resource type, each option's monthly cost (log scale), solid when it meets
every mandatory requirement of the profile, hatched and grey when it does not, the recommended one outlined."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, as render_png

from matplotlib import pyplot as plt
from matplotlib.patches import Patch

from retention_report.numbers import usd
from retention_report.solutions import SolutionComparison

MEETS, FAILS = "#3a9d5d", "#b8b8b8"
CHEAPEST_SHOWN = 1.0  # $/month where the log axis starts: a free option still shows a stub


def render_solutions_png(comparison: SolutionComparison, stack: str, path: Path) -> Path:
    rows = [(t.workload.resource_type, option, option is t.recommended) for t in comparison.types
            for option in t.options]
    inches = 1.2 + 0.32 * len(rows) + 0.25 * len(comparison.types)
    fig, ax = plt.subplots(figsize=(12, inches))
    labels, y, previous = [], 0.0, None
    for kind, option, recommended in reversed(rows):
        if previous is not None and kind != previous:
            y += 0.6  # a gap between resource types
        previous = kind
        value = max(option.monthly_usd, CHEAPEST_SHOWN)
        ax.barh(y, value, color=MEETS if option.meets else FAILS, hatch="" if option.meets else "//",
                edgecolor="black" if recommended else "none", linewidth=1.5 if recommended else 0, height=0.7)
        missing = ", ".join(r.key for r in option.unmet_mandatory)
        ax.text(value * 1.1, y, f"{usd(option.monthly_usd)} $" + (f"  (misses {missing})" if missing else ""),
                va="center", fontsize=7)
        labels.append((y, f"{kind}: {option.name}"))
        y += 1
    ax.set_yticks([at for at, _ in labels], [text for _, text in labels], fontsize=7)
    ax.set_xscale("log")
    ax.set_xlim(CHEAPEST_SHOWN, max(o.monthly_usd for _, o, _ in rows) * 500 if rows else 10)  # room for labels
    ax.set_xlabel("monthly cost, $ (log scale)")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(handles=[Patch(color=MEETS, label="meets every mandatory requirement"),
                       Patch(facecolor=FAILS, hatch="//", label="misses one"),
                       Patch(facecolor="white", edgecolor="black", label="recommended (cheapest that meets)")],
              loc="lower right", fontsize=7)
    ax.set_title(f"Solution types, stack {stack}, against profile {comparison.profile}", loc="left", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
