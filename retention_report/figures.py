"""Steady-state figures of a retention strategy, in closed form (no day-by-day simulation).

Counts: a rule that backs up `r` times a day and keeps each recovery point `W` days holds, averaged over time,
`r x W` points (Little's law; the average is also what a GB-month bill sees). Warm and cold split `W` at
`coldAfterDays`, for the types that honour cold storage (AWS ignores the transition for the others, which keep the
point warm until it is deleted). A continuous-backup rule holds one point-in-time recovery point per resource for
the types that support it; the other types get snapshots on the rule's schedule.

Sizes, for a resource of S GB changing by a fraction c a day. The warm points of a vault form one incremental
chain (the plan's vault: every rule's points of that resource; a copy destination: that copy's points; a region
holding both pays for both chains): each holds the changes since the previous point,
S x min(1, c x gap), and the oldest the full copy. At age a (days) the rules still keeping warm points make
rho(a) = sum of their backups per day, so the chain grows by S x min(rho(a), c) GB per day of age:
- warm GB = S + S x integral of min(rho(a), c) da, over the ages where warm points are kept (piecewise constant: a
  sum over the retention breakpoints); nested rules (daily inside weekly inside monthly) are not double counted;
  a continuous-backup rule captures every change (rho infinite) over its window;
- a type without incremental backups (DynamoDB) stores S per warm point instead;
- cold GB = S per cold point: a cold point is a full copy (EBS's archive tier converts snapshots to full ones);
- a copy job to another region moves what the destination chain lacks: S x min(rho_copy, c) GB per day, rho_copy
  the copies a day arriving there (S per copy for full-backup types); the first full copy is a one-off, left out.
Monthly cost = warm GB x warm price + cold GB x cold price (+ transferred GB x transfer price), per region's prices.
Each rule is counted on its own: when two rules fire in the same window AWS Backup may run one job for both, so
counts are an upper bound for rules that coincide (e.g. daily and weekly at the same hour).
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass, field

from compliance.backup_times import backup_rate, worst_gap_hours

from retention_report.model import AS_WRITTEN, Lifecycle, Rule, Strategy, TypeSupport, Workload
from retention_report.pricing import Price, PriceTable

DAYS_PER_MONTH = 365.25 / 12
CONTINUOUS_RPO_HOURS = 5 / 60  # point-in-time restore: about five minutes behind


@dataclass(frozen=True)
class Tranche:
    """The recovery points one rule (or one copy of it) keeps in one region, for one resource."""

    rule: str
    region: str
    copy_to: str | None  # the destination vault, for a copy
    per_day: float
    warm_days: float  # inf: kept forever
    cold_days: float
    continuous: bool = False

    @property
    def is_copy(self) -> bool:
        return self.copy_to is not None

    @property
    def warm_points(self) -> float:
        return 1.0 if self.continuous else self.per_day * self.warm_days

    @property
    def cold_points(self) -> float:
        return self.per_day * self.cold_days if self.cold_days else 0.0

    @property
    def oldest_days(self) -> float:
        return self.warm_days + self.cold_days


def split_days(lifecycle: Lifecycle, support: TypeSupport, archive_opt_in: bool) -> tuple[float, float]:
    """(warm days, cold days) a recovery point spends, for a type; inf when it is never deleted."""
    delete = math.inf if lifecycle.delete_after_days is None else float(lifecycle.delete_after_days)
    honours_cold = support.cold_storage and (archive_opt_in or not support.cold_storage_needs_archive_opt_in)
    if lifecycle.cold_storage_after_days is None or not honours_cold:
        return delete, 0.0
    cold_after = float(lifecycle.cold_storage_after_days)
    return min(cold_after, delete), max(delete - cold_after, 0.0)


def tranches(strategy: Strategy, support: TypeSupport) -> list[Tranche]:
    found = []
    for rule in strategy.rules:
        every = backup_rate(rule.schedule, rule.timezone)
        continuous = rule.continuous_backup and support.continuous_backup
        warm, cold = split_days(rule.lifecycle, support, rule.opt_in_to_archive_for_supported_resources)
        found.append(Tranche(rule.name, strategy.region, None, every.per_day, warm, cold, continuous))
        for copy in rule.copies:  # copies of continuous backups are snapshots, on the rule's schedule
            warm, cold = split_days(copy.lifecycle, support, rule.opt_in_to_archive_for_supported_resources)
            found.append(Tranche(rule.name, copy.region, copy.vault, every.per_day, warm, cold))
    return found


@dataclass
class RegionFigures:
    region: str
    warm_points: float = 0.0
    cold_points: float = 0.0
    warm_gb: float = 0.0
    cold_gb: float = 0.0
    storage_usd: float = 0.0
    rpo_hours: float = math.inf
    oldest_days: float = 0.0


@dataclass
class TypeFigures:
    """Per protected resource of one type (multiply by `workload.count` for the total)."""

    workload: Workload
    regions: dict[str, RegionFigures]
    transfer_gb: float
    transfer_usd: float
    price_caveats: list[str] = field(default_factory=list)

    @property
    def storage_usd(self) -> float:
        return sum(r.storage_usd for r in self.regions.values())

    @property
    def monthly_usd(self) -> float:
        return self.storage_usd + self.transfer_usd

    @property
    def total_monthly_usd(self) -> float:
        return self.workload.count * self.monthly_usd


def _rpo_hours(strategy: Strategy, region: str, support: TypeSupport) -> float:
    """Largest gap between two recovery points in `region`: every rule landing there counts."""
    landing = [rule for rule in strategy.rules if strategy.region == region or _copies_to(rule, region)]
    if strategy.region == region and support.continuous_backup and any(rule.continuous_backup for rule in landing):
        return CONTINUOUS_RPO_HOURS
    return worst_gap_hours((rule.schedule, rule.timezone) for rule in landing)


def _copies_to(rule: Rule, region: str) -> bool:
    return any(copy.region == region for copy in rule.copies)


def region_points(strategy: Strategy, support: TypeSupport = AS_WRITTEN) -> dict[str, RegionFigures]:
    """Recovery points per resource by region (no sizes): the summary's counts, RPO and oldest point."""
    regions: dict[str, RegionFigures] = {}
    for tranche in tranches(strategy, support):
        figures = regions.setdefault(tranche.region, RegionFigures(tranche.region))
        figures.warm_points += tranche.warm_points
        figures.cold_points += tranche.cold_points
        figures.oldest_days = max(figures.oldest_days, tranche.oldest_days)
    for region, figures in regions.items():
        figures.rpo_hours = _rpo_hours(strategy, region, support)
    return regions


def price_caveats(price: Price, label: str) -> set[str]:
    """How a price used is less than a figure read for that region: the report lists these."""
    found = set()
    if price.assumed:
        found.add(f"assumed figure: {label}")
    if price.fallback_for:
        found.add(f"no stored figures for {price.fallback_for}: fallback region's used")
    return found


def _density(held: list[Tranche], age_days: float) -> float:
    """Warm points a day of age still kept at `age_days`: rho(a) (a continuous backup captures everything)."""
    return sum(math.inf if t.continuous else t.per_day for t in held if t.warm_days >= age_days)


def warm_chain_gb(held: list[Tranche], size_gb: float, change: float) -> float:
    """S + S x integral of min(rho(a), c) da: the warm incremental chain of one resource in one region."""
    edges = sorted({0.0, *(t.warm_days for t in held)})
    grown = sum((later - earlier) * min(_density(held, later), change)
                for earlier, later in itertools.pairwise(edges))
    return size_gb * (1 + grown)


def type_figures(strategy: Strategy, workload: Workload, prices: PriceTable,
                 support: TypeSupport | None = None) -> TypeFigures:
    support = support or TypeSupport.of(workload.resource_type)
    incremental = prices.incremental(workload.resource_type)
    regions = region_points(strategy, support)
    caveats: set[str] = set()
    size, change = workload.size_gb, workload.daily_change_rate
    by_vault: dict[tuple[str, str | None], list[Tranche]] = defaultdict(list)  # (region, copy destination)
    for tranche in tranches(strategy, support):
        by_vault[tranche.region, tranche.copy_to].append(tranche)
    for (region, _), held in by_vault.items():
        if incremental:
            regions[region].warm_gb += warm_chain_gb(held, size, change)
        else:
            regions[region].warm_gb += size * sum(t.warm_points for t in held)

    for region, figures in regions.items():
        figures.cold_gb = size * figures.cold_points
        warm_price = prices.storage(workload.resource_type, region, "warm")
        figures.storage_usd = figures.warm_gb * warm_price.usd
        caveats |= price_caveats(warm_price, f"{workload.resource_type} warm")
        if figures.cold_gb:
            cold_price = prices.storage(workload.resource_type, region, "cold")
            figures.storage_usd += figures.cold_gb * cold_price.usd
            caveats |= price_caveats(cold_price, f"{workload.resource_type} cold")

    copies_a_day: dict[str, float] = defaultdict(float)
    for tranche in tranches(strategy, support):
        if tranche.is_copy and tranche.region != strategy.region:
            copies_a_day[tranche.region] += tranche.per_day
    transfer_gb = DAYS_PER_MONTH * size * sum(
        min(per_day, change) if incremental else per_day for per_day in copies_a_day.values()
    )
    transfer_usd = 0.0
    if transfer_gb:
        transfer_price = prices.transfer(strategy.region)
        transfer_usd = transfer_gb * transfer_price.usd
        caveats |= price_caveats(transfer_price, "cross-Region transfer")
    return TypeFigures(workload, regions, transfer_gb, transfer_usd, sorted(caveats))
