"""Config of the organization stack (`aws-backups:organization`): the plans AWS Organizations runs in member
accounts as backup policies, where each applies (root, OUs, accounts) and the regions.

A backup policy says less than a plan of a stack: its schedules are UTC cron and it selects by resource type and
tags only (AWS Organizations User Guide, "Backup policy syntax and examples"). What it cannot say is refused here,
naming the key, rather than dropped.
"""

from __future__ import annotations

from typing import Annotated

from compliance import facts
from pydantic import Field

from components.config.base import ConfigModel, Problem, Region, checked, duplicate_names, within
from components.config.plan import PlanConfig, RuleConfig

UTC_ZONES = ("Etc/UTC", "UTC")
# Where a policy attaches: the root (r-), an organizational unit (ou-) or an account (Organizations API,
# AttachPolicy TargetId).
TargetId = Annotated[str, Field(pattern=r"^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|\d{12})$")]
RoleName = Annotated[str, *checked(lambda name: facts.name_problem(facts.ROLE_NAME, name), facts.ROLE_NAME.allowed)]


class OrganizationPlanConfig(PlanConfig):
    """A plan rendered to one backup policy, attached to `attachTo`. `vault` names the member accounts' vault."""

    attach_to: Annotated[list[TargetId], Field(min_length=1)]

    def problems(self) -> list[Problem]:
        found = super().problems()
        for index, rule in enumerate(self.rules):
            found += within(("rules", index), _rule_problems(rule))
        for index, selection in enumerate(self.selections):
            for key, value in (("resources", selection.resources), ("notResources", selection.not_resources)):
                if value:
                    found.append(Problem(("selections", index, key), value, "cannot be said by a backup policy, "
                                         "which selects by resource type and tags only (allowed: resourceTypes "
                                         "and conditions)"))
        for name in {self.vault, *(rule.vault for rule in self.rules)} - {None}:
            if problem := facts.name_problem(facts.VAULT_NAME, name):
                found.append(Problem(("vault",), name, problem))
        return found


def _rule_problems(rule: RuleConfig) -> list[Problem]:
    found = []
    if rule.timezone is not None and rule.timezone not in UTC_ZONES:
        found.append(Problem(("timezone",), rule.timezone, "cannot be said by a backup policy, whose schedules run "
                             "in UTC (allowed: omit it, or Etc/UTC; shift the cron hours instead)"))
    for index, copy in enumerate(rule.copy_to):
        if copy.vault is not None:
            found.append(Problem(("copyTo", index, "vault"), copy.vault, "names a vault of this stack, which the "
                                 "member accounts do not have (allowed: vaultArn, e.g. the backup account's vault)"))
    return found


class OrganizationConfig(ConfigModel):
    """`aws-backups:organization`: run in the management account or AWS Backup's delegated administrator."""

    regions: Annotated[list[Region], Field(min_length=1)]
    # The role AWS Backup assumes in each member account (rolled out with the member vaults), as
    # arn:<partition>:iam::$account:role/<name>; a plan's own iamRoleArn wins.
    backup_role_name: RoleName = "aws-backups-member-backup"
    plans: Annotated[list[OrganizationPlanConfig], Field(min_length=1)]
    # Cross-account backup (copies into the backup account) is an organisation setting, UpdateGlobalSettings
    # isCrossAccountBackupEnabled, which AWS accepts from the management account only: false when the stack runs
    # in AWS Backup's delegated administrator (the management account then sets it once).
    cross_account_backup: bool = True

    def problems(self) -> list[Problem]:
        found = duplicate_names("plans", [plan.name for plan in self.plans])
        for index, plan in enumerate(self.plans):
            found += within(("plans", index), plan.problems())
        return found
