"""The report's content: for each plan and each alternative strategy, the recovery points, RPO, oldest point, cost
and profile breaches; the cost of the stack's restore testing; the solution types side by side per resource type;
ready for the Markdown, JSON and PNG renderers."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from components.config.stack import StackConfig
from retention_report.figures import RegionFigures, TypeFigures, region_points, type_figures
from retention_report.model import Strategy, Workload
from retention_report.pricing import PriceTable
from retention_report.profile import Breach, Profile, breaches
from retention_report.restore_cost import RestoreTestingCost, restore_testing_cost
from retention_report.solution_matrix import SolutionMatrix
from retention_report.solutions import SolutionComparison, compare_solutions
from retention_report.strategies import stack_strategies


@dataclass
class StrategyReport:
    strategy: Strategy
    points: dict[str, RegionFigures]  # per resource, lifecycle as written (types honouring cold storage)
    types: list[TypeFigures]
    breaches: list[Breach]

    @property
    def storage_usd(self) -> float:
        return sum(t.workload.count * t.storage_usd for t in self.types)

    @property
    def transfer_usd(self) -> float:
        return sum(t.workload.count * t.transfer_usd for t in self.types)

    @property
    def total_usd(self) -> float:
        return self.storage_usd + self.transfer_usd

    def rpo_by_type(self, region: str) -> dict[str, float]:
        return {t.workload.resource_type: t.regions[region].rpo_hours for t in self.types if region in t.regions}

    @property
    def oldest_days(self) -> float:
        return max((figures.oldest_days for figures in self.points.values()), default=0.0)

    @property
    def price_caveats(self) -> list[str]:
        return sorted({note for t in self.types for note in t.price_caveats})


@dataclass
class RetentionReport:
    stack: str
    profile: Profile
    groups: list[list[StrategyReport]]  # per plan: the plan, then its alternatives
    prices: PriceTable
    notes: list[str] = field(default_factory=list)
    restore_testing: RestoreTestingCost | None = None  # None: the stack sets up no restore testing
    solutions: SolutionComparison | None = None  # None: nothing to compare (no plan, no replicated bucket)


def strategy_report(strategy: Strategy, profile: Profile, workloads: dict[str, Workload],
                    prices: PriceTable) -> StrategyReport:
    types = [type_figures(strategy, workloads[kind], prices) for kind in strategy.resource_types]
    return StrategyReport(strategy, region_points(strategy), types, breaches(strategy, profile))


def build_report(stack: str, config: StackConfig, profile: Profile, workloads: dict[str, Workload],
                 prices: PriceTable, *, with_alternatives: bool = True) -> RetentionReport:
    groups = [
        [strategy_report(strategy, profile, workloads, prices) for strategy in group]
        for group in stack_strategies(config, profile, with_alternatives=with_alternatives)
    ]
    notes = []
    if any(math.isinf(r.total_usd) for group in groups for r in group):
        notes.append("A strategy keeping recovery points forever has no steady state: its count and cost grow "
                     "without bound (shown as ∞).")
    solutions = None
    if with_alternatives:  # the as-written report (what a change costs) compares no alternatives at all
        plans = [group[0].strategy for group in groups if group]
        solutions = compare_solutions(config, plans, profile, workloads, prices, SolutionMatrix.load())
    return RetentionReport(stack, profile, groups, prices, notes, restore_testing_cost(config, workloads, prices),
                           solutions if solutions and solutions.types else None)
