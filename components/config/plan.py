"""Config of a backup plan: its rules (or named presets), copies, selections and service role."""

from __future__ import annotations

import functools
import zoneinfo
from typing import Annotated, Literal

from compliance import facts
from pydantic import AfterValidator, Field, model_validator

from components.config.base import (
    Arn,
    ConfigModel,
    Problem,
    Region,
    TagMap,
    checked,
    duplicate_names,
    physical_name,
    within,
)
from components.config.presets import PRESETS
from components.config.resource_types import ResourceTypeName
from components.config.type_rules import SelectionArn
from components.config.vault import Days

# AWS's rules for each name and value (compliance.facts): a rule name is judged by the rule's rule, not the vault's.
# A plan's name is judged as AWS sees it, with the namePrefix (StackConfig).
RuleName = Annotated[str, *checked(lambda name: facts.name_problem(facts.RULE_NAME, name), facts.RULE_NAME.allowed)]
SelectionName = Annotated[
    str, *checked(lambda name: facts.name_problem(facts.SELECTION_NAME, name), facts.SELECTION_NAME.allowed)
]
StartWindowMinutes = Annotated[int, *checked(lambda minutes: facts.start_window_problem(minutes), "minutes")]
Schedule = Annotated[str, *checked(lambda schedule: facts.schedule_problem(schedule), facts.SCHEDULE_FORM)]


def _iana_time_zone(value: str) -> str:
    if value not in IANA_TIME_ZONES():
        raise ValueError("is not an IANA time zone (allowed: e.g. Etc/UTC, Europe/Paris, America/New_York)")
    return value


TimeZone = Annotated[str, AfterValidator(_iana_time_zone)]

PresetName = Literal[tuple(PRESETS)]  # type: ignore[valid-type]
# zoneinfo walks the tz database on every call (14 ms); the set cannot change while a program runs.
IANA_TIME_ZONES = functools.cache(zoneinfo.available_timezones)


def lifecycle_problems(cold: int | None, delete: int | None) -> list[Problem]:
    if cold is not None and delete is not None and (problem := facts.cold_storage_gap_problem(cold, delete)):
        return [Problem(("deleteAfterDays",), delete, problem)]
    return []


class CopyToConfig(ConfigModel):
    """A copy of each recovery point to another vault: one of this config (`vault`) or any vault by ARN. Without a
    lifecycle of its own the copy keeps the rule's."""

    vault: str | None = None
    vault_arn: Arn | None = None
    cold_storage_after_days: Days | None = None
    delete_after_days: Days | None = None

    @property
    def account(self) -> str | None:
        """The account of the destination named by ARN (arn:partition:backup:region:account:backup-vault:name)."""
        return self.vault_arn.split(":")[4] if self.vault_arn else None

    @property
    def region(self) -> str | None:
        """The region of the destination named by ARN."""
        return self.vault_arn.split(":")[3] if self.vault_arn else None

    def problems(self) -> list[Problem]:
        if (self.vault is None) == (self.vault_arn is None):
            return [Problem((), None, "needs exactly one of vault (a vault of this stack) or vaultArn")]
        return lifecycle_problems(self.cold_storage_after_days, self.delete_after_days)


class RuleConfig(ConfigModel):
    preset: PresetName | None = None
    name: RuleName | None = None
    vault: str | None = None
    schedule: Schedule | None = None
    timezone: TimeZone | None = None
    start_window_minutes: StartWindowMinutes | None = None
    completion_window_minutes: Annotated[int, Field(ge=1)] | None = None
    cold_storage_after_days: Days | None = None
    delete_after_days: Days | None = None
    opt_in_to_archive_for_supported_resources: bool = False
    continuous_backup: bool = False
    recovery_point_tags: TagMap = {}
    copy_to: list[CopyToConfig] = []


    @model_validator(mode="after")
    def _apply_preset(self) -> RuleConfig:
        """A preset fills every field the rule leaves unset (its own values win)."""
        if self.preset:
            for alias, value in PRESETS[self.preset].items():
                field_name = next(name for name, f in type(self).model_fields.items() if f.alias == alias)
                if field_name not in self.model_fields_set:
                    setattr(self, field_name, value)
        return self

    def copy_lifecycle(self, copy: CopyToConfig) -> tuple[int | None, int | None]:
        """(coldStorageAfterDays, deleteAfterDays) of a copy: its own lifecycle, else the rule's."""
        if copy.cold_storage_after_days is None and copy.delete_after_days is None:
            return self.cold_storage_after_days, self.delete_after_days
        return copy.cold_storage_after_days, copy.delete_after_days

    def problems(self) -> list[Problem]:
        found = []
        if self.name is None:
            found.append(Problem(("name",), None, f"is required (allowed: {facts.RULE_NAME.allowed})"))
        if self.schedule is None:
            found.append(Problem(("schedule",), None, "is required (allowed: cron(...), or a preset)"))
        found += lifecycle_problems(self.cold_storage_after_days, self.delete_after_days)
        if self.continuous_backup:
            found += self._continuous_backup_problems()
        if self.opt_in_to_archive_for_supported_resources and self.cold_storage_after_days is None:
            found.append(
                Problem(
                    ("optInToArchiveForSupportedResources",),
                    True,
                    "needs coldStorageAfterDays (allowed: set coldStorageAfterDays, or false)",
                )
            )
        for index, copy in enumerate(self.copy_to):
            found += within(("copyTo", index), copy.problems())
        return found

    def _continuous_backup_problems(self) -> list[Problem]:
        found = []
        if problem := facts.continuous_cold_storage_problem(self.cold_storage_after_days):
            found.append(Problem(("coldStorageAfterDays",), self.cold_storage_after_days, problem))
        if problem := facts.continuous_retention_problem(self.delete_after_days):
            found.append(Problem(("deleteAfterDays",), self.delete_after_days, problem))
        return found


class TagConditionsConfig(ConfigModel):
    """Tag conditions of a selection (AND-ed). Keys are tag keys; `Like` values accept `*` wildcards."""

    string_equals: TagMap = {}
    string_like: TagMap = {}
    string_not_equals: TagMap = {}
    string_not_like: TagMap = {}

    def is_empty(self) -> bool:
        return not (self.string_equals or self.string_like or self.string_not_equals or self.string_not_like)


class SelectionConfig(ConfigModel):
    name: SelectionName
    resource_types: list[ResourceTypeName] = []
    resources: list[SelectionArn] = []  # ARNs of the table's types in any partition, `*` wildcards (type_rules)
    not_resources: list[SelectionArn] = []
    conditions: TagConditionsConfig = TagConditionsConfig()

    def problems(self) -> list[Problem]:
        if not self.resource_types and not self.resources:
            return [
                Problem(
                    ("resourceTypes",),
                    [],
                    "selects nothing (allowed: resource types, resource ARNs, or resources: ['*'] for every type)",
                )
            ]
        return []


class PlanConfig(ConfigModel):
    name: Annotated[str, Field(min_length=1, description=f"with the namePrefix, {facts.PLAN_NAME.allowed}")]
    region: Region | None = None
    vault: str | None = None
    rules: Annotated[list[RuleConfig], Field(min_length=1)]
    selections: Annotated[list[SelectionConfig], Field(min_length=1)]
    windows_vss: bool = False
    iam_role_arn: Arn | None = None

    def physical_name(self, name_prefix: str) -> str:
        return physical_name(name_prefix, self.name)

    def role_name(self, name_prefix: str) -> str:
        """The service role created for the plan when it names none (`iamRoleArn`)."""
        return f"{self.physical_name(name_prefix)}-backup"

    def rule_vault(self, rule: RuleConfig) -> str | None:
        return rule.vault or self.vault


    def problems(self) -> list[Problem]:
        found = []
        for index, rule in enumerate(self.rules):
            found += within(("rules", index), rule.problems())
            if self.rule_vault(rule) is None:
                found.append(
                    Problem(("rules", index, "vault"), None, "is required (allowed: a vault name, or plan vault)")
                )
        for index, selection in enumerate(self.selections):
            found += within(("selections", index), selection.problems())
        found += duplicate_names("rules", [rule.name for rule in self.rules])
        found += duplicate_names("selections", [selection.name for selection in self.selections])
        return found


def copy_accounts_by_vault(plans: list[PlanConfig]) -> dict[str, list[str]]:
    """Vault name -> the accounts the plans copy its recovery points to, from the vault ARNs of their copy actions
    (the vault's key policy admits them). One pass over the plans: asked per vault, the scan was quadratic."""
    found: dict[str, set[str]] = {}
    for plan in plans:
        for rule in plan.rules:
            accounts = {copy.account for copy in rule.copy_to if copy.account}
            vault = plan.rule_vault(rule)
            if accounts and vault is not None:
                found.setdefault(vault, set()).update(accounts)
    return {vault: sorted(accounts) for vault, accounts in found.items()}
