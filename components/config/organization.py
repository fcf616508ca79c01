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
from components.config.plan import PlanConfig, RuleConfig, copy_accounts_by_vault
from components.config.vault import VaultConfig

UTC_ZONES = ("Etc/UTC", "UTC")
# Where a policy attaches: the root (r-), an organizational unit (ou-) or an account (Organizations API,
# AttachPolicy TargetId).
TargetId = Annotated[str, Field(pattern=r"^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|\d{12})$")]
# Where a service-managed StackSet deploys: organizational units, or the root for every account (CloudFormation
# DeploymentTargets OrganizationalUnitIds).
DeploymentTarget = Annotated[str, Field(pattern=r"^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$")]
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


class BaselineConfig(ConfigModel):
    """`aws-backups:organization.baseline`: the vaults (with their key, lock, access policy and notifications) and
    the backup role that the plans name, in every account of `organizationalUnits` and every region of the
    organization, rolled out by a service-managed CloudFormation StackSet that also deploys to accounts joining
    those OUs later. AWS does not deploy a service-managed StackSet to the management account itself."""

    organizational_units: Annotated[list[DeploymentTarget], Field(min_length=1)]
    vaults: Annotated[list[VaultConfig], Field(min_length=1)]

    def problems(self) -> list[Problem]:
        found = duplicate_names("vaults", [vault.name for vault in self.vaults])
        for index, vault in enumerate(self.vaults):
            found += within(("vaults", index), vault.problems())
            if problem := facts.name_problem(facts.VAULT_NAME, vault.name):
                found.append(Problem(("vaults", index, "name"), vault.name, problem))
            if vault.region is not None:
                found.append(Problem(("vaults", index, "region"), vault.region, "cannot be set for a member vault, "
                                     "which the StackSet creates in every region of aws-backups:organization.regions "
                                     "(allowed: omit it)"))
            if vault.kms_key_arn is not None:
                found.append(Problem(("vaults", index, "kmsKeyArn"), vault.kms_key_arn, "names one account's key, "
                                     "which the other member accounts cannot use (allowed: omit it: each account "
                                     "and region gets its own customer-managed key)"))
        return found

    def vault(self, name: str | None) -> VaultConfig | None:
        return next((vault for vault in self.vaults if vault.name == name), None)


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
    # The stack runs in AWS Backup's (and CloudFormation StackSets') delegated administrator rather than in the
    # management account: the StackSet is created with CallAs DELEGATED_ADMIN.
    delegated_administrator: bool = False
    baseline: BaselineConfig | None = None

    def problems(self) -> list[Problem]:
        found = duplicate_names("plans", [plan.name for plan in self.plans])
        if len(self.plans) > facts.MAX_BACKUP_POLICIES:
            found.append(Problem(("plans",), f"{len(self.plans):,} plans", "are more backup policies than an "
                                 f"organization may hold (allowed: at most {facts.MAX_BACKUP_POLICIES:,}, the "
                                 "organization's other backup policies included)"))
        for index, plan in enumerate(self.plans):
            found += within(("plans", index), plan.problems())
        if self.delegated_administrator and self.cross_account_backup:
            found.append(Problem(("crossAccountBackup",), True, "cannot be set from a delegated administrator: AWS "
                                 "accepts UpdateGlobalSettings from the management account only (allowed: false, "
                                 "and turn it on once in the management account)"))
        if self.baseline is not None:
            found += within(("baseline",), self.baseline.problems())
            found += self._baseline_vault_problems(self.baseline)
        return found

    def copy_accounts_by_vault(self) -> dict[str, list[str]]:
        """Vault name -> the accounts the plans copy its recovery points to (its key policy admits them)."""
        return copy_accounts_by_vault(list(self.plans))

    def _baseline_vault_problems(self, baseline: BaselineConfig) -> list[Problem]:
        """Every vault a plan names is a baseline vault, whose lock admits the plan's retention."""
        found, missing = [], set()
        for index, plan in enumerate(self.plans):
            for rule_index, rule in enumerate(plan.rules):
                name = plan.rule_vault(rule)
                key = ("plans", index, "rules", rule_index, "vault") if rule.vault else ("plans", index, "vault")
                vault = baseline.vault(name)
                if vault is None:
                    if key in missing:
                        continue
                    missing.add(key)
                    found.append(Problem(key, name, "is not a vault of aws-backups:organization.baseline.vaults, so "
                                         "member accounts have no such vault and the plan's jobs fail (allowed: "
                                         f"{', '.join(v.name for v in baseline.vaults)})"))
                elif vault.lock and not vault.lock.contains(rule.delete_after_days):
                    found.append(Problem(("plans", index, "rules", rule_index, "deleteAfterDays"),
                                         rule.delete_after_days, f"is outside the lock of member vault {vault.name} "
                                         f"(allowed: {vault.lock.describe_range()}); backup jobs would fail"))
        return found
