"""The selected compliance profile (a `--policy-pack-config` file, e.g. policies/profiles/sec-17a-4.json) and where a
strategy breaks it.

The verdict is the pack's own: each strategy is written as the `aws:backup/plan:Plan` inputs the program would
register for it (`components.backup_rules`, the plan component's own mapping) and handed to the pack's retention
policies (`compliance.guards.plan_retention`: minimum and maximum retention, frequency, warm period) and its
cross-region copy policy, with the profile's figures and levels, filled with the policies'
defaults as the CLI does. So a flag here reads the same as the gate's message. It is advice for comparing
strategies; the gate itself is `python -m preflight`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compliance import facts
from compliance.policy_config import load_policy_config_file, resolve_policy_config, schemas_of
from compliance.registry import BY_NAME
from compliance.resources import PLAN, Arn, Props, Resource, Stack
from pulumi._types import input_type_to_dict, is_input_type

from components.backup_rules import rule_args
from components.config.plan import CopyToConfig, RuleConfig
from retention_report.model import CopyTarget, Lifecycle, Rule, Strategy
from retention_report.requirements import Requirement, profile_requirements

MIN_RETENTION = "aws-backup-plan-enforce-min-retention"
MAX_RETENTION = "aws-backup-plan-enforce-max-retention"
MIN_FREQUENCY = "aws-backup-plan-enforce-min-frequency"
WARM_PERIOD = "aws-backup-plan-enforce-warm-period"
CROSS_REGION_COPY = "aws-backup-plan-require-cross-region-copy"
POLICIES = [BY_NAME[name] for name in (MIN_RETENTION, MAX_RETENTION, MIN_FREQUENCY, WARM_PERIOD, CROSS_REGION_COPY)]
HOURS_PER_DAY = 24


# The report's policies as the pack describes them to the CLI: default level and config schema.
SCHEMAS = schemas_of(POLICIES)


@dataclass(frozen=True)
class Profile:
    name: str
    settings: dict[str, dict[str, Any]]  # enabled policy -> its knobs, defaults filled
    levels: dict[str, str]  # enabled policy -> mandatory | advisory | remediate
    requirements: tuple[Requirement, ...] = ()  # what solution types are compared on (requirements.py)

    @classmethod
    def from_document(cls, name: str, document: dict[str, Any] | None) -> Profile:
        """Levels, defaults and validation as the CLI applies them (`resolve_policy_config`); the document's other
        policies are the gate's business. Raises PolicyConfigError for a value the pack's schema refuses."""
        ours = {key: value for key, value in (document or {}).items() if key in SCHEMAS or key == "all"}
        enabled = {policy: (level, knobs) for policy, (level, knobs) in resolve_policy_config(SCHEMAS, ours).items()
                   if level != "disabled"}
        return cls(name, {policy: knobs for policy, (_, knobs) in enabled.items()},
                   {policy: level for policy, (level, _) in enabled.items()}, profile_requirements(document))

    @classmethod
    def load(cls, path: Path | None) -> Profile:
        if path is None:
            return cls.from_document("pack defaults (AWS baseline)", None)
        return cls.from_document(Path(path).stem, load_policy_config_file(path))

    def knob(self, policy: str, key: str) -> Any:
        return self.settings.get(policy, {}).get(key)


def _rule_config(rule: Rule) -> RuleConfig:
    """The rule in the stack config's own terms, for the one config -> plan-inputs mapping the program uses."""
    lifecycle = rule.lifecycle
    return RuleConfig(
        name=rule.name, schedule=rule.schedule, timezone=rule.timezone,
        cold_storage_after_days=lifecycle.cold_storage_after_days, delete_after_days=lifecycle.delete_after_days,
        continuous_backup=rule.continuous_backup,
        opt_in_to_archive_for_supported_resources=rule.opt_in_to_archive_for_supported_resources,
        copy_to=[CopyToConfig(vault=copy.vault, cold_storage_after_days=copy.lifecycle.cold_storage_after_days,
                              delete_after_days=copy.lifecycle.delete_after_days) for copy in rule.copies],
    )


def _destination_arn(copy: CopyTarget) -> str:
    """The copy's destination vault ARN: given, or built as the program builds it for a vault of the stack, with
    the account left empty (the stack's own account, which the report cannot know offline)."""
    if Arn.parse(copy.vault):
        return copy.vault
    partition = facts.partition_of_region(copy.region) or "aws"
    return f"arn:{partition}:backup:{copy.region}::backup-vault:{copy.vault}"


def engine_inputs(value: Any) -> Any:
    """pulumi-aws input types as the engine receives them: camelCase names, unset values left out."""
    if is_input_type(type(value)):
        return {name: engine_inputs(item) for name, item in input_type_to_dict(value).items()}
    if isinstance(value, list):
        return [engine_inputs(item) for item in value]
    return value


def as_plan_resource(strategy: Strategy) -> Resource:
    """The strategy as the plan resource the program would register (`components.backup_rules`), for the pack's
    checks. Retention is judged, not where the rules store their points: no target vault."""
    rules = [engine_inputs(rule_args(_rule_config(rule), None, [_destination_arn(copy) for copy in rule.copies]))
             for rule in strategy.rules]
    props = Props({"name": strategy.name, "region": strategy.region, "rules": rules}, PLAN)
    return Resource(type=PLAN, name=strategy.name, urn=f"urn:retention-report::{strategy.name}", props=props)


@dataclass(frozen=True)
class Breach:
    level: str  # the profile's enforcement level for the policy: mandatory, advisory, remediate
    policy: str
    message: str  # the pack's own message

    def __str__(self) -> str:
        return f"[{self.level}] {self.policy}: {self.message}"


def breaches(strategy: Strategy, profile: Profile) -> list[Breach]:
    """Each way the strategy breaks the profile; [] when it meets it."""
    plan = as_plan_resource(strategy)
    return [
        Breach(profile.levels[policy.name], policy.name, violation.message)
        for policy in POLICIES
        if policy.name in profile.settings
        for violation in policy.run(Stack([plan]) if policy.stack else plan, profile.settings[policy.name])
    ]


def _schedule_for(max_interval_hours: float) -> str:
    """The sparsest simple schedule that still backs up at least every `max_interval_hours`."""
    if max_interval_hours >= 7 * HOURS_PER_DAY:
        return "cron(0 5 ? * SAT *)"
    if max_interval_hours >= HOURS_PER_DAY:
        return "cron(0 5 * * ? *)"
    step = max(h for h in (1, 2, 3, 4, 6, 8, 12) if h <= max(max_interval_hours, 1))
    return "cron(0 * * * ? *)" if step == 1 else f"cron(0 0/{step} * * ? *)"


def minimum_strategy(profile: Profile, region: str, resource_types: tuple[str, ...],
                     dr_vault: CopyTarget | None = None) -> Strategy:
    """The least the profile asks: one rule, as sparse as the frequency allows, kept exactly the minimum; warm for
    the profile's warm period then cold when it sets one (and the 90-day cold minimum fits), else warm throughout;
    copied to `dr_vault` (same lifecycle) only when the profile requires a cross-region copy."""
    keep = int(profile.knob(MIN_RETENTION, "minRetentionDays") or 35)
    interval = float(profile.knob(MIN_FREQUENCY, "maxIntervalHours") or HOURS_PER_DAY)
    warm = int(profile.knob(WARM_PERIOD, "minWarmDays") or 0)
    cold_after = warm if warm and keep >= warm + facts.COLD_STORAGE_MINIMUM_DAYS else None
    lifecycle = Lifecycle(cold_after, keep)
    copies = ()
    if dr_vault is not None and profile.levels.get(CROSS_REGION_COPY) == "mandatory":
        copies = (CopyTarget(dr_vault.region, dr_vault.vault, lifecycle),)
    rule = Rule(name="ProfileMinimum", schedule=_schedule_for(interval), lifecycle=lifecycle, copies=copies)
    where = f"copied to {copies[0].vault} ({copies[0].region})" if copies else "no copies"
    tiering = f"cold after {cold_after} days" if cold_after else "no cold tier"
    return Strategy(
        name=f"{profile.name} minimum", kind="profile minimum", region=region, rules=(rule,),
        resource_types=resource_types,
        notes=(f"one rule every {interval:g} h at most, kept {keep} days, {tiering}, {where}",),
    )
