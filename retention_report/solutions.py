"""Solution types side by side, for each protected resource type: AWS Backup as the plan writes it, without cold
storage, with or without cross-account copies; the service's own mechanism; for S3 the stack's replication, with
S3 Object Lock, and AWS Backup for S3. For each, what it meets of the profile (solution_matrix.py, sourced), its
monthly cost (figures.py for AWS Backup, solution_costs.py for the others, one price table) and a recommendation
that follows from the table: the cheapest option meeting every mandatory requirement.

AWS Backup rows are judged on the plan (the pack's retention, frequency and cross-Region verdicts, as the strategy
table) and priced as written; the other rows are set up to meet the profile as far as they can (solution_costs.py)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from compliance import evidence_facts
from compliance.resources import Arn

from components.config.stack import StackConfig
from retention_report.figures import type_figures
from retention_report.model import CopyTarget, Lifecycle, Strategy, Workload
from retention_report.pricing import PriceTable
from retention_report.profile import (
    CROSS_REGION_COPY,
    MIN_FREQUENCY,
    MIN_RETENTION,
    Profile,
    breaches,
    minimum_strategy,
)
from retention_report.requirements import Requirement
from retention_report.solution_costs import COST_MODELS, Setup
from retention_report.solution_matrix import Limit, Solution, SolutionMatrix
from retention_report.strategies import dr_vault

PLAN_VERDICTS = {"retention": MIN_RETENTION, "frequency": MIN_FREQUENCY, "crossRegion": CROSS_REGION_COPY}
ANOTHER_ACCOUNT = "a vault of another account"
S3 = "S3"  # the stack's replicated buckets, compared with AWS Backup for S3


@dataclass(frozen=True)
class Verdict:
    requirement: Requirement
    met: bool
    why: str = ""  # the source's note, or the plan's breach


@dataclass
class Option:
    name: str
    solution: Solution
    monthly_usd: float  # every resource of the type
    verdicts: list[Verdict]
    caveats: list[str] = field(default_factory=list)

    @property
    def unmet_mandatory(self) -> list[Requirement]:
        return [v.requirement for v in self.verdicts if not v.met and v.requirement.level == "mandatory"]

    @property
    def meets(self) -> bool:
        return not self.unmet_mandatory

    @property
    def limits(self) -> tuple[Limit, ...]:
        return self.solution.limits


@dataclass
class TypeComparison:
    workload: Workload
    options: list[Option]

    @property
    def recommended(self) -> Option | None:
        """The cheapest option meeting every mandatory requirement; on a tie (to the cent), the one meeting more of
        the advisory ones, then the first listed."""
        return min((o for o in self.options if o.meets), default=None,
                   key=lambda o: (round(o.monthly_usd, 2), sum(not v.met for v in o.verdicts)))

    @property
    def recommendation(self) -> str:
        best = self.recommended
        if best is None:
            return "none of these meets every mandatory requirement of the profile"
        return f"{best.name}: the cheapest option that meets every mandatory requirement"


@dataclass
class SolutionComparison:
    profile: str
    requirements: tuple[Requirement, ...]
    types: list[TypeComparison]
    sources: dict[str, dict[str, str]]


def _feature_verdict(requirement: Requirement, solution: Solution, kind: str) -> Verdict:
    key = {"retention": "maxRetentionDays", "frequency": "minIntervalHours"}.get(requirement.key, requirement.key)
    feature = solution.feature(key, kind)
    if requirement.key == "retention":
        met = feature.value is None or feature.value >= requirement.value
    elif requirement.key == "frequency":
        met = feature.value <= requirement.value
    else:
        met = bool(feature.value)
    return Verdict(requirement, met, feature.note)


def asked(profile: Profile, kind: str) -> list[Requirement]:
    """The profile's requirements of a type: restore tests only of a type AWS can restore-test (as the gate)."""
    return [r for r in profile.requirements
            if r.key != "restoreTesting" or kind in evidence_facts.RESTORE_TESTING_TYPES]


def _plan_verdicts(strategy: Strategy, profile: Profile, solution: Solution, kind: str) -> list[Verdict]:
    broken = {breach.policy: breach.message for breach in breaches(strategy, profile)}
    copies_to_account = any(Arn.parse(copy.vault) or copy.vault == ANOTHER_ACCOUNT
                            for rule in strategy.rules for copy in rule.copies)
    found = []
    for requirement in asked(profile, kind):
        if requirement.key in PLAN_VERDICTS:
            message = broken.get(PLAN_VERDICTS[requirement.key], "")
            found.append(Verdict(requirement, not message, message))
        elif requirement.key == "crossAccount":
            found.append(Verdict(requirement, copies_to_account, "" if copies_to_account else "no copy action names "
                                 "a vault of another account"))
        else:
            found.append(_feature_verdict(requirement, solution, kind))
    return found


def _without_cold(strategy: Strategy) -> Strategy:
    def warm(lifecycle: Lifecycle) -> Lifecycle:
        return replace(lifecycle, cold_storage_after_days=None)
    rules = tuple(replace(rule, lifecycle=warm(rule.lifecycle),
                          copies=tuple(replace(copy, lifecycle=warm(copy.lifecycle)) for copy in rule.copies))
                  for rule in strategy.rules)
    return replace(strategy, rules=rules)


def _cross_account_toggled(strategy: Strategy) -> tuple[str, Strategy]:
    """The plan with its copies to other accounts dropped, or, when it has none, each rule copied to one."""
    def to_account(copy: CopyTarget) -> bool:
        return bool(Arn.parse(copy.vault))
    if any(to_account(copy) for rule in strategy.rules for copy in rule.copies):
        rules = tuple(replace(rule, copies=tuple(c for c in rule.copies if not to_account(c)))
                      for rule in strategy.rules)
        return "without cross-account copies", replace(strategy, rules=rules)
    rules = tuple(replace(rule, copies=(*rule.copies, CopyTarget(strategy.region, ANOTHER_ACCOUNT, rule.lifecycle)))
                  for rule in strategy.rules)
    return "with a cross-account copy of every rule", replace(strategy, rules=rules)


def _aws_backup_options(plan: Strategy, minimum: Strategy, solution: Solution, workload: Workload,
                        profile: Profile, prices: PriceTable) -> list[Option]:
    variants = [("as the plan writes it", plan), ("without cold storage", _without_cold(plan)),
                _cross_account_toggled(plan), ("at the profile's minimum", minimum)]
    options = []
    for label, strategy in variants:
        figures = type_figures(strategy, workload, prices)
        options.append(Option(f"AWS Backup, {label}", solution, figures.total_monthly_usd,
                              _plan_verdicts(strategy, profile, solution, workload.resource_type),
                              figures.price_caveats))
    # A variant that changes nothing for this type (no cold tier to drop) is left out.
    return [o for o in options if o is options[0] or o.monthly_usd != options[0].monthly_usd
            or [v.met for v in o.verdicts] != [v.met for v in options[0].verdicts]]


REPLICAS = ("efs", "s3")  # their copy is the replica itself: in another Region, in another account if asked


def _native_option(solution: Solution, workload: Workload, profile: Profile, prices: PriceTable, region: str,
                   copy_region: str | None) -> Option:
    """Set up as the profile asks, a copy included where it is mandatory and the solution can make it: each cell
    says what the row as priced gives."""
    kind, requirements = workload.resource_type, asked(profile, workload.resource_type)
    values = {r.key: r.value for r in requirements}
    mandatory = {r.key for r in requirements if r.level == "mandatory"}
    can = {key: bool(solution.feature(key, kind).value) for key in ("crossRegion", "crossAccount")}
    replica = solution.costing in REPLICAS
    copies = {key: can[key] and (key in mandatory or (replica and key == "crossRegion")) for key in can}
    setup = Setup(region, float(values.get("retention") or 35), 24 / float(values.get("frequency") or 24),
                  copy_region if copies["crossRegion"] else None, copies["crossAccount"] and not replica)
    cost = COST_MODELS[solution.costing](workload, setup, prices)
    verdicts = []
    for requirement in requirements:
        verdict = _feature_verdict(requirement, solution, kind)
        if requirement.key in copies and verdict.met and not copies[requirement.key]:
            verdict = Verdict(requirement, False, "possible, not in this row's cost (the profile only advises it)")
        verdicts.append(verdict)
    return Option(solution.name, solution, cost.usd * workload.count, verdicts, sorted(cost.caveats))


def compare_solutions(config: StackConfig, plans: list[Strategy], profile: Profile, workloads: dict[str, Workload],
                      prices: PriceTable, matrix: SolutionMatrix) -> SolutionComparison:
    """Each type some plan selects (AWS Backup rows on the first plan selecting it), and S3 when the stack
    replicates buckets."""
    first_plan: dict[str, Strategy] = {}
    for plan in plans:
        for kind in plan.resource_types:
            first_plan.setdefault(kind, plan)
    kinds = [*first_plan, *([S3] if config.replication else [])]
    types = []
    for kind in kinds:
        plan = first_plan.get(kind)
        region = plan.region if plan else config.aws_region
        copy_region = next((c for r in plan.rules for c in r.copies if c.region != region), None) if plan else None
        options = []
        for solution in matrix.for_type(kind):
            if solution.costing == "plan" and plan is not None:
                minimum = minimum_strategy(profile, region, plan.resource_types, dr_vault(config, region))
                options += _aws_backup_options(plan, minimum, solution, workloads[kind], profile, prices)
            elif solution.costing != "plan":
                copy_to = copy_region.region if copy_region else _replica_region(config, region)
                options.append(_native_option(solution, workloads[kind], profile, prices, region, copy_to))
        types.append(TypeComparison(workloads[kind], options))
    return SolutionComparison(profile.name, profile.requirements, types, matrix.sources)


def _replica_region(config: StackConfig, region: str) -> str | None:
    """Where the stack keeps its copies: a replication item's destination, else another vault's Region."""
    found = [item.destination.region for item in config.replication]
    found += [config.vault_region(vault) for vault in config.vaults]
    return next((r for r in found if r and r != region), None)
