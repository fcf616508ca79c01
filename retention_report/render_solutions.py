"""The solution types side by side, as Markdown (a section of the report) and as JSON (its `solutions` key): per
resource type, what each option meets of the profile, its monthly cost, what rules it out, and the recommendation
that follows from the table."""

from __future__ import annotations

from typing import Any

from retention_report.numbers import usd
from retention_report.solution_costs import __doc__ as COSTS_DOC
from retention_report.solutions import Option, SolutionComparison, TypeComparison

COLUMNS = {"retention": "retention", "frequency": "frequency", "lock": "lock / WORM", "crossRegion": "other Region",
           "crossAccount": "other account", "audit": "central audit", "restoreTesting": "restore tests"}
LEVEL = {"mandatory": "M", "advisory": "A", "remediate": "R"}


def _cell(option: Option, key: str) -> str:
    verdict = next((v for v in option.verdicts if v.requirement.key == key), None)
    if verdict is None:
        return "n/a"  # not asked of this type (AWS does not restore-test it)
    return "✓" if verdict.met else f"✗ ({LEVEL[verdict.requirement.level]})"


def _type_lines(comparison: SolutionComparison, compared: TypeComparison) -> list[str]:
    w = compared.workload
    keys = [r.key for r in comparison.requirements]
    lines = [f"#### {w.resource_type} ({w.count} x {w.size_gb:g} GB, {w.daily_change_rate:.1%} a day)", "",
             "| option | " + " | ".join(COLUMNS[k] for k in keys) + " | $/month |",
             "|---|" + "---|" * len(keys) + "--:|"]
    best = compared.recommended
    for option in compared.options:
        name = f"**{option.name}**" if option is best else option.name
        lines.append(f"| {name} | " + " | ".join(_cell(option, k) for k in keys) + f" | {usd(option.monthly_usd)} |")
    lines.append("")
    if best is not None:
        lines.append(f"Recommendation: **{best.name}**, {usd(best.monthly_usd)} $/month: the cheapest option "
                     f"that meets every mandatory requirement.")
    else:
        lines.append("Recommendation: none of these meets every mandatory requirement of the profile.")
    for option in compared.options:
        unmet = [v for v in option.verdicts if not v.met]
        if unmet:
            why = "; ".join(f"{COLUMNS[v.requirement.key]}" + (f" ({v.why})" if v.why else "") for v in unmet)
            lines.append(f"- {option.name} misses: {why}.")
        for limit in option.limits:
            lines.append(f"- {option.name}, limit: {limit.text} [`{limit.source}`].")
    return [*lines, ""]


def solutions_section(comparison: SolutionComparison) -> list[str]:
    asked = ", ".join(f"{r.label} ({LEVEL[r.level]})" for r in comparison.requirements)
    lines = [f"### Solution types against {comparison.profile}", "",
             f"What the profile asks of every protected resource: {asked}; M mandatory, A advisory. ✓ met, ✗ not "
             "met (with the requirement's level). AWS Backup rows are the plan's own verdicts and cost (and the "
             "profile's minimum as one rule); the other rows are set up to meet the profile as far as they can.", ""]
    for compared in comparison.types:
        lines += _type_lines(comparison, compared)
    lines += ["<details><summary>How the other rows are priced, and the sources of features and limits</summary>",
              "", "```", COSTS_DOC.strip(), "```", "", "Sources (`retention_report/solutions.json`):"]
    lines += [f"- `{key}`: [{source['title']}]({source['url']}) ({source['pageDate']}): \"{source['quote']}\""
              for key, source in comparison.sources.items()]
    return [*lines, "", "</details>", ""]


def _option_json(option: Option, best: Option | None) -> dict[str, Any]:
    return {
        "name": option.name, "solution": option.solution.id, "monthlyUsd": option.monthly_usd,
        "meetsEveryMandatoryRequirement": option.meets, "recommended": option is best,
        "requirements": {v.requirement.key: {"met": v.met, "level": v.requirement.level, "why": v.why}
                         for v in option.verdicts},
        "limits": [{"text": limit.text, "source": limit.source} for limit in option.limits],
        "priceCaveats": option.caveats,
    }


def solutions_json(comparison: SolutionComparison | None) -> dict[str, Any] | None:
    if comparison is None:
        return None
    return {
        "profile": comparison.profile,
        "requirements": [{"key": r.key, "label": r.label, "level": r.level, "value": r.value, "policy": r.policy}
                         for r in comparison.requirements],
        "byResourceType": [
            {"resourceType": t.workload.resource_type, "count": t.workload.count, "sizeGb": t.workload.size_gb,
             "dailyChangeRate": t.workload.daily_change_rate,
             "recommended": t.recommended.name if t.recommended else None,
             "options": [_option_json(option, t.recommended) for option in t.options]}
            for t in comparison.types
        ],
        "sources": comparison.sources,
    }
