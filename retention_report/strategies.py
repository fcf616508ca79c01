"""The strategies the report compares, for each plan of the stack: the plan itself (from the validated StackConfig),
the selected profile's minimum, each named preset alone, and grandfather-father-son (daily + weekly + monthly 7
years). The alternatives run in the plan's region on the plan's resource types."""

from __future__ import annotations

from components.config.plan import PlanConfig, RuleConfig
from components.config.presets import PRESETS
from components.config.resource_types import RESOURCE_TYPES
from components.config.stack import StackConfig
from retention_report.model import CopyTarget, Lifecycle, Rule, Strategy
from retention_report.profile import Profile, minimum_strategy

DEFAULT_TIMEZONE = "Etc/UTC"  # AWS Backup's default ScheduleExpressionTimezone
GFS_PRESETS = ("daily", "weekly", "monthly7Year")


def _copy_region(config: StackConfig, vault: str | None, vault_arn: str | None) -> str:
    if vault is not None:
        target = config.vault(vault)
        return config.vault_region(target) if target else config.aws_region
    return str(vault_arn).split(":")[3]  # arn:partition:backup:REGION:account:backup-vault:name


def _rule(config: StackConfig, rule: RuleConfig) -> Rule:
    copies = tuple(
        CopyTarget(
            region=_copy_region(config, copy.vault, copy.vault_arn),
            vault=copy.vault or str(copy.vault_arn),
            lifecycle=Lifecycle(*rule.copy_lifecycle(copy)),
        )
        for copy in rule.copy_to
    )
    return Rule(
        name=str(rule.name),
        schedule=str(rule.schedule),
        lifecycle=Lifecycle(rule.cold_storage_after_days, rule.delete_after_days),
        timezone=rule.timezone or DEFAULT_TIMEZONE,
        continuous_backup=rule.continuous_backup,
        opt_in_to_archive_for_supported_resources=rule.opt_in_to_archive_for_supported_resources,
        copies=copies,
    )


def _resource_types(plan: PlanConfig) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The types a plan's selections name, and a note when some selection picks resources by ARN or `*` (counted
    as every type)."""
    named = list(dict.fromkeys(kind for selection in plan.selections for kind in selection.resource_types))
    if any(selection.resources for selection in plan.selections):
        return tuple(RESOURCE_TYPES), ("a selection picks resources by ARN or '*': every resource type is counted",)
    return tuple(named), ()


def plan_strategy(config: StackConfig, plan: PlanConfig) -> Strategy:
    types, notes = _resource_types(plan)
    return Strategy(
        name=plan.name, kind="plan", region=config.plan_region(plan),
        rules=tuple(_rule(config, rule) for rule in plan.rules), resource_types=types, notes=notes,
    )


def preset_rule(config: StackConfig, preset: str) -> Rule:
    """A preset alone, as the stack config reads `preset: <name>` (no copies)."""
    return _rule(config, RuleConfig(preset=preset))


def dr_vault(config: StackConfig, region: str) -> CopyTarget | None:
    """The stack's first vault outside `region`: where the profile minimum copies to, when it must."""
    for vault in config.vaults:
        if config.vault_region(vault) != region:
            return CopyTarget(config.vault_region(vault), vault.name, Lifecycle())
    return None


def alternatives(config: StackConfig, base: Strategy, profile: Profile) -> list[Strategy]:
    same = {"region": base.region, "resource_types": base.resource_types}
    found = [minimum_strategy(profile, base.region, base.resource_types, dr_vault(config, base.region))]
    found += [Strategy(name=f"preset {name}", kind="preset", rules=(preset_rule(config, name),), **same)
              for name in PRESETS]
    found.append(Strategy(name="grandfather-father-son", kind="alternative",
                          rules=tuple(preset_rule(config, name) for name in GFS_PRESETS), **same,
                          notes=(f"presets {', '.join(GFS_PRESETS)} together, no copies",)))
    return found


def stack_strategies(config: StackConfig, profile: Profile, *, with_alternatives: bool = True
                     ) -> list[list[Strategy]]:
    """For each plan: the plan first, then (unless `with_alternatives` is False) its alternatives."""
    groups = []
    for plan in config.plans:
        base = plan_strategy(config, plan)
        groups.append([base, *(alternatives(config, base, profile) if with_alternatives else [])])
    return groups
