"""The report as Markdown, for a pull-request comment: one comparison table per plan, then the cost by resource type
of the plan itself, the profile breaches, the cost of the stack's restore testing, and the arithmetic and prices
behind the figures."""

from __future__ import annotations

from components.config.resource_types import RESOURCE_TYPES
from retention_report.contents import RetentionReport, StrategyReport
from retention_report.figures import DAYS_PER_MONTH
from retention_report.model import TypeSupport
from retention_report.numbers import age, hours, points, usd
from retention_report.pricing import PriceTable
from retention_report.render_solutions import solutions_section
from retention_report.restore_cost import RestoreTestingCost
from retention_report.workloads import DEFAULT_COUNT, DEFAULT_DAILY_CHANGE, DEFAULT_SIZE_GB


def _points_cell(report: StrategyReport) -> str:
    return "<br>".join(
        f"{region}: {points(f.warm_points)} / {points(f.cold_points)}" for region, f in report.points.items()
    )


def _rpo_cell(report: StrategyReport) -> str:
    cells = []
    for region in report.points:
        by_type = report.rpo_by_type(region)
        worst = max(by_type.values(), default=report.points[region].rpo_hours)
        better = sorted(kind for kind, value in by_type.items() if value < worst)
        extra = f" ({', '.join(better)}: {hours(min(by_type[k] for k in better))})" if better else ""
        cells.append(f"{region}: {hours(worst)}{extra}")
    return "<br>".join(cells)


def _profile_cell(report: StrategyReport) -> str:
    """✅, or each broken policy (short name): ❌ for a mandatory one, ⚠️ for an advisory one."""
    if not report.breaches:
        return "✅ meets"
    broken = {}
    for breach in report.breaches:
        short = breach.policy.removeprefix("aws-backup-plan-enforce-").removeprefix("aws-backup-plan-require-")
        broken[short] = "⚠️" if breach.level == "advisory" else "❌"
    return " ".join(f"{mark} {name}" for name, mark in sorted(broken.items()))


def _title(report: StrategyReport) -> str:
    return f"**plan `{report.strategy.name}`**" if report.strategy.kind == "plan" else report.strategy.name


def comparison_table(group: list[StrategyReport]) -> list[str]:
    lines = [
        "| Strategy | Recovery points per resource, warm / cold | Worst-case RPO | Oldest restorable | "
        "Storage $/month | Transfer $/month | Total $/month | Profile |",
        "|---|---|---|---|--:|--:|--:|---|",
    ]
    for report in group:
        lines.append(
            f"| {_title(report)} | {_points_cell(report)} | {_rpo_cell(report)} | {age(report.oldest_days)} | "
            f"{usd(report.storage_usd)} | {usd(report.transfer_usd)} | {usd(report.total_usd)} | "
            f"{_profile_cell(report)} |"
        )
    return lines


def cost_table(report: StrategyReport) -> list[str]:
    lines = [
        "| Resource type | Resources | Size GB | Change/day | Warm GB per resource | Cold GB per resource | "
        "Storage $/month | Transfer $/month | Total $/month |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for figures in report.types:
        w = figures.workload
        warm = sum(r.warm_gb for r in figures.regions.values())
        cold = sum(r.cold_gb for r in figures.regions.values())
        lines.append(
            f"| {w.resource_type} | {w.count} | {w.size_gb:g} | {w.daily_change_rate:.1%} | {warm:,.0f} | "
            f"{cold:,.0f} | {usd(w.count * figures.storage_usd)} | {usd(w.count * figures.transfer_usd)} | "
            f"{usd(figures.total_monthly_usd)} |"
        )
    return lines


def arithmetic(prices: PriceTable) -> str:
    """How the figures are computed; the type lists come from the resource types table and the price table."""
    no_cold = ", ".join(kind for kind in RESOURCE_TYPES if not TypeSupport.of(kind).cold_storage)
    archive = ", ".join(kind for kind in RESOURCE_TYPES if TypeSupport.of(kind).cold_storage_needs_archive_opt_in)
    continuous = ", ".join(kind for kind in RESOURCE_TYPES if TypeSupport.of(kind).continuous_backup)
    full = ", ".join(kind for kind in RESOURCE_TYPES if not prices.incremental(kind))
    return f"""\
How the figures are computed (steady state, per protected resource of S GB changing by a fraction c a day):
- **Recovery points**: a rule backing up r times a day and keeping each point W days holds r x W points on
  average (warm until `coldStorageAfterDays`, cold until `deleteAfterDays`). Types that ignore cold storage
  ({no_cold}; {archive} without `optInToArchiveForSupportedResources`) keep those points warm. The
  summary shows the lifecycle as written; the cost uses each type's real behaviour. Continuous backup holds one
  point-in-time recovery point ({continuous}; RPO ~5 min); other types get snapshots on the rule's schedule.
- **Worst-case RPO**: the longest gap between two consecutive backups landing in the region, every rule of the plan
  together, on the schedules' real instants (time zone and DST included) over 2028-2029.
- **Warm GB**: a vault's warm points of a resource are one incremental chain, each point holding the changes since
  the previous one, S x min(1, c x gap), the oldest the full copy. With rho(a) the points a day still kept warm at
  age a (all rules together), warm GB = S + S x (sum over age bands of band length x min(rho, c)): nested rules
  (daily inside weekly inside monthly) are not counted twice. Continuous backup adds S x c x W. Backups of
  {full} are full copies: S per point. **Cold GB** = S per cold point (a cold point is a full copy).
- **Storage $** = warm GB x warm price + cold GB x cold price of the vault's region.
  **Transfer $** = {DAYS_PER_MONTH:g} days x S x min(copies a day into the region, c) x the source region's price
  per GB (S per copy for {full}; the first full copy is a one-off, left out).
- Rules firing in the same window may share one AWS Backup job: counts of coinciding rules are an upper bound.
"""


WORKLOADS = (f"Resources: count, size and daily change per type as in the cost table: from the cost model "
             f"(`--cost-model FILE`), else {DEFAULT_COUNT} resource of {DEFAULT_SIZE_GB:g} GB changing "
             f"{DEFAULT_DAILY_CHANGE:.0%} a day per type.")


def restore_testing_section(cost: RestoreTestingCost) -> list[str]:
    """The restore testing the stack sets up: runs, restores and dollars by tested type, what is in and out."""
    window = (f"kept {cost.validation_window_hours} h for validation" if cost.validation_window_hours
              else "deleted once restored (no validation window)")
    lines = [
        "### Restore testing (`aws-backups:evidence.restoreTesting`)", "",
        f"`{cost.schedule}` ({cost.timezone}) in {', '.join(cost.regions)}: {cost.runs_a_month:.2f} runs a month; "
        f"each run restores one recovery point of every protected resource of each tested type, {window}, then "
        f"deleted. Priced with {cost.regions[0]}'s figures.", "",
        "| Resource type | Resources | Size GB | Restores/month | Restored GB/month | Restore $/GB | Restore $/month |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for tested in cost.types:
        w = tested.workload
        lines.append(f"| {w.resource_type} | {w.count} | {w.size_gb:g} | {tested.restores_a_month:,.1f} | "
                     f"{tested.restored_gb:,.0f} | {tested.restore_price.usd:.3f} | {usd(tested.restore_usd)} |")
    tests = f"{cost.restores_a_month:,.1f} restore tests a month"
    if cost.fee is None:
        total = f"the restores only: AWS's fee per restore test, for {tests}, is not priced"
    else:
        total = f"restores {usd(cost.restore_usd)} + AWS's fee for {tests} at {cost.fee.usd:g} $ a test"
    return [
        *lines, "",
        f"**Restore testing: {usd(cost.total_usd)} $/month** ({total}).", "",
        "Included: " + "; ".join(cost.included) + ".", "",
        "Not included: " + "; ".join(cost.not_included) + ".", "",
    ]


def _price_lines(report: RetentionReport) -> list[str]:
    caveats = {note for group in report.groups for r in group for note in r.price_caveats}
    caveats = sorted(caveats | set(report.restore_testing.caveats if report.restore_testing else ()))
    lines = ["Prices: `retention_report/prices.json` (USD, read " + report.prices.document["read"] + "); sources:"]
    for key, source in report.prices.sources.items():
        lines.append(f"- `{key}`: [{source['title']}]({source['url']}) ({source['pageDate']})")
    if caveats:
        lines += ["", "Caveats on the prices used (see the notes in prices.json):", *[f"- {note}" for note in caveats]]
    return lines


def render_markdown(report: RetentionReport) -> str:
    lines = [
        f"## Retention report: stack `{report.stack}`, profile `{report.profile.name}`",
        "",
        "An estimate for choosing a retention strategy, not a quote and not the compliance gate (that is "
        "`python -m preflight`). Profile flags come from the pack's own retention checks.",
        "",
    ]
    for group in report.groups:
        plan = group[0]
        types = ", ".join(plan.strategy.resource_types)
        lines += [f"### Plan `{plan.strategy.name}` ({plan.strategy.region}; {types})", ""]
        lines += [*comparison_table(group), ""]
        lines += [f"#### Cost of plan `{plan.strategy.name}` by resource type", "", *cost_table(plan), ""]
        broken = [r for r in group if r.breaches]
        if broken:
            count = sum(len(r.breaches) for r in broken)
            lines += [f"<details><summary>Profile breaches ({count})</summary>", ""]
            for r in broken:
                lines += [f"- {_title(r)}: {breach}" for breach in r.breaches]
            lines += ["", "</details>", ""]
        notes = [f"- {r.strategy.name}: {note}" for r in group for note in r.strategy.notes]
        if notes:
            lines += ["Strategy notes:", *notes, ""]
    if report.restore_testing:
        lines += restore_testing_section(report.restore_testing)
    if report.solutions:
        lines += solutions_section(report.solutions)
    lines += [*report.notes, "", "<details><summary>Arithmetic, resources and prices</summary>", "",
              arithmetic(report.prices), WORKLOADS, "", *_price_lines(report), "", "</details>", ""]
    return "\n".join(lines)
