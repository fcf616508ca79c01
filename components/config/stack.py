"""The whole `aws-backups` namespace of a stack, and the checks that span its sections (references between
vaults, plans and copies; names that must be unique; retention inside the target vault's lock)."""

from __future__ import annotations

from typing import Annotated

from compliance import evidence_facts, facts
from pydantic import Field

from components.config.base import ConfigModel, Problem, Region, TagMap, checked, duplicate_names, physical_name, within
from components.config.evidence import EvidenceConfig
from components.config.organization import OrganizationConfig
from components.config.plan import CopyToConfig, PlanConfig, RuleConfig, copy_accounts_by_vault
from components.config.regions import new_region_problem
from components.config.replication import ReplicationConfig
from components.config.type_rules import TABLE, FullManagementTypeName, OptInServiceName, types_reached
from components.config.vault import VaultConfig

NewRegion = Annotated[str, *checked(new_region_problem, "a region name, e.g. ap-east-9")]


class RegionSettingsConfig(ConfigModel):
    """AWS Backup region settings (a singleton per account and region), managed in every region holding a vault."""

    manage: bool = True
    # Types switched to full AWS Backup management (for DynamoDB: advanced features, which its cold storage and
    # cross-Region/account copies need).
    full_management: list[FullManagementTypeName] = []
    # Services opted out of AWS Backup in the Region; every other service AWS lists is opted in.
    opt_out: list[OptInServiceName] = []


class StackConfig(ConfigModel):
    aws_region: Region
    production: bool = False
    name_prefix: Annotated[str, Field(pattern=r"^[a-zA-Z0-9][a-zA-Z0-9\-]{0,29}$")]
    tags: TagMap = {}
    vaults: list[VaultConfig] = []
    plans: list[PlanConfig] = []
    replication: list[ReplicationConfig] = []
    region_settings: RegionSettingsConfig = RegionSettingsConfig()
    # Regions AWS opened after the installed pulumi-aws was released (README, "AWS's rules, once").
    new_regions: list[NewRegion] = []
    # The organization stack: plans AWS Organizations runs in member accounts (README, "Many accounts").
    organization: OrganizationConfig | None = None
    # What AWS Backup Audit Manager checks after deploy (README, "Audit evidence").
    evidence: EvidenceConfig | None = None

    def vault(self, name: str) -> VaultConfig | None:
        return next((vault for vault in self.vaults if vault.name == name), None)

    def copy_accounts_by_vault(self) -> dict[str, list[str]]:
        """Vault name -> the accounts this stack's plans copy its recovery points to (its key policy admits them)."""
        return copy_accounts_by_vault(list(self.plans))

    def plan_regions(self) -> list[str]:
        """Every region where a plan of this stack runs, in config order."""
        return list(dict.fromkeys(self.plan_region(plan) for plan in self.plans))

    def copies(self, region: str | None = None) -> list[CopyToConfig]:
        """The copy actions of the plans (running in `region`, when given)."""
        return [copy for plan in self.plans if region in (None, self.plan_region(plan))
                for rule in plan.rules for copy in rule.copy_to]

    def copy_regions(self, region: str) -> list[str]:
        """The other regions the plans running in `region` copy recovery points to, in config order."""
        regions = [self.vault_region(vault) if (vault := self.vault(copy.vault or "")) else copy.region
                   for copy in self.copies(region)]
        return list(dict.fromkeys(found for found in regions if found and found != region))

    def destination_accounts(self) -> list[str]:
        """Every account a rule copies recovery points to by ARN."""
        return sorted({copy.account for copy in self.copies() if copy.account})

    def continuous_retention_days(self, region: str) -> int | None:
        """The shortest retention of a continuous-backup rule of the plans running in `region`, or None without one."""
        kept = [rule.delete_after_days for plan in self.plans if self.plan_region(plan) == region for rule in plan.rules
                if rule.continuous_backup and rule.delete_after_days is not None]
        return min(kept, default=None)

    def selection_tag(self) -> tuple[str, str] | None:
        """The one tag (key, value) every selection of the stack selects by, and by nothing else; else None."""
        found = set()
        for selection in (selection for plan in self.plans for selection in plan.selections):
            conditions = selection.conditions
            only_equals = not (conditions.string_like or conditions.string_not_equals or conditions.string_not_like
                               or selection.resources or selection.not_resources)
            if not only_equals or len(conditions.string_equals) != 1:
                return None
            found |= set(conditions.string_equals.items())
        return next(iter(found)) if len(found) == 1 else None

    def break_glass_arns(self) -> list[str]:
        """Every break-glass principal of the stack's vaults, in config order."""
        return list(dict.fromkeys(arn for vault in self.vaults
                                  for arn in vault.access_policy.break_glass_principal_arns))

    def report_bucket_name(self, region: str) -> str:
        """The bucket the audit reports of `region` are delivered to (one per plan region: reports stay there)."""
        return physical_name(self.name_prefix, f"backup-reports-{region}")

    def vault_region(self, vault: VaultConfig) -> str:
        return vault.region or self.aws_region

    def plan_region(self, plan: PlanConfig) -> str:
        return plan.region or self.aws_region

    def alarm_vaults(self) -> set[str]:
        """The vaults whose notification topic receives replication alarms (`replication[].alarms.vault`)."""
        return {item.alarms.vault for item in self.replication if item.alarms.vault is not None}

    def vault_regions(self) -> list[str]:
        """Every region holding a vault of this stack, in config order."""
        return list(dict.fromkeys(self.vault_region(vault) for vault in self.vaults))

    def plan_types(self, plan: PlanConfig) -> list[str]:
        """The protected types a plan's selections can back up (named, or reached by their ARNs)."""
        partition = facts.partition_of(self.plan_region(plan))
        return list(dict.fromkeys(kind for selection in plan.selections for kind in types_reached(
            selection.resource_types, selection.resources, selection.not_resources, partition)))

    def selected_resource_types(self) -> list[str]:
        """Every resource type some plan's selections can back up (named, or reached by their ARNs: `*` reaches
        every type), in config order: the types to opt in."""
        return list(dict.fromkeys(kind for plan in self.plans for kind in self.plan_types(plan)))

    def problems(self) -> list[Problem]:
        found = self._partition_problems()
        found += duplicate_names("vaults", [vault.name for vault in self.vaults])
        found += duplicate_names("plans", [plan.name for plan in self.plans])
        found += duplicate_names("replication", [item.name for item in self.replication])
        for index, vault in enumerate(self.vaults):
            found += within(("vaults", index), vault.problems())
            found += self._physical_name_problems(("vaults", index, "name"), vault.name, facts.VAULT_NAME,
                                                  physical_name(self.name_prefix, vault.name))
        for index, plan in enumerate(self.plans):
            found += within(("plans", index), plan.problems())
            found += self._physical_name_problems(("plans", index, "name"), plan.name, facts.PLAN_NAME,
                                                  plan.physical_name(self.name_prefix))
            found += within(("plans", index), self._reference_problems(plan))
            found += within(("plans", index), self._feature_problems(plan))
        selected = set(self.selected_resource_types())
        found += [Problem(("regionSettings", "optOut", index), service, "is selected by a plan of this stack, which "
                          "needs it opted in (allowed: services no plan selects)")
                  for index, service in enumerate(self.region_settings.opt_out) if service in selected]
        found += self._bucket_prefix_problems()
        if self.evidence is not None:
            found += within(("evidence",), self.evidence.problems())
            found += self._restore_testing_problems() + self._report_plan_problems()
            if not self.plans:
                found.append(Problem(("evidence",), "evidence", "needs a plan of this stack: a framework judges the "
                                     "plans' figures and restore tests their recovery points (allowed: omit it)"))
        if self.organization is not None:
            found += within(("organization",), self.organization.problems())
            for index, plan in enumerate(self.organization.plans):
                found += self._physical_name_problems(("organization", "plans", index, "name"), plan.name,
                                                      facts.PLAN_NAME, plan.physical_name(self.name_prefix))
        topic_regions = {vault.name: self.vault_region(vault) if vault.notifications else None for vault in self.vaults}
        for index, item in enumerate(self.replication):
            found += within(("replication", index), item.problems(self.name_prefix, self.aws_region, topic_regions))
            if item.alarms.vault is not None:
                found += self._vault_reference(("replication", index, "alarms", "vault"), item.alarms.vault)
        return found

    def _restore_testing_problems(self) -> list[Problem]:
        """Restore tests of types the plans back up: a type no plan selects has no recovery point to restore."""
        testing = self.evidence.restore_testing if self.evidence else None
        if testing is None or testing.types is None:
            return []
        selected = self.selected_resource_types()
        return [Problem(("evidence", "restoreTesting", "types", index), kind, "is selected by no plan of this stack, "
                        f"so there is no recovery point to test (allowed: {', '.join(selected) or 'none'})")
                for index, kind in enumerate(testing.types) if kind not in selected]

    def _report_plan_problems(self) -> list[Problem]:
        reports = self.evidence.reports if self.evidence else None
        if reports is None:
            return []
        buckets = {self.report_bucket_name(region) for region in self.plan_regions()}
        found = [Problem(("replication", index, "name"), item.name, f"makes a bucket named like the audit reports' "
                         f"({name}) (allowed: another name)")
                 for index, item in enumerate(self.replication)
                 for name in (item.source_bucket_name(self.name_prefix), item.replica_bucket_name(self.name_prefix))
                 if name in buckets]
        count = len(reports.templates) * len(self.plan_regions())
        if count > evidence_facts.MAX_REPORT_PLANS:
            found.append(Problem(("evidence", "reports", "templates"), reports.templates, f"makes {count} report "
                                 f"plans (one per template and plan region), more than AWS's "
                                 f"{evidence_facts.MAX_REPORT_PLANS} per account (allowed: fewer templates or plan "
                                 "regions)"))
        return found

    def _partition_problems(self) -> list[Problem]:
        """A stack in a partition the resource-type table has no facts for (which types AWS Backup protects there,
        with which features) is refused rather than judged on guesses."""
        partition = facts.partition_of(self.aws_region)
        if partition in TABLE.partitions:
            return []
        return [Problem(("awsRegion",), self.aws_region, f"is in partition {partition}, for which the resource-type "
                        f"table has no AWS Backup facts (allowed: a region of {', '.join(TABLE.partitions)})")]

    def _bucket_prefix_problems(self) -> list[Problem]:
        """A namePrefix that no item name can make a valid bucket name of, when some bucket name derives from it."""
        derived = [(name, "aws-backups:replication") for item in self.replication for name, given in (
            (item.source_bucket_name(self.name_prefix), item.source.bucket_name),
            (item.replica_bucket_name(self.name_prefix), item.destination.bucket_name)) if not given]
        if self.evidence and self.evidence.reports:
            derived += [(self.report_bucket_name(region), "aws-backups:evidence.reports")
                        for region in self.plan_regions()]
        if not derived or facts.bucket_name_problem(physical_name(self.name_prefix, "a")) is None:
            return []
        name, source = derived[0]
        problem = facts.bucket_name_problem(name)  # refused too: the clause the prefix breaks is its start
        return [Problem(("namePrefix",), self.name_prefix, f"makes the bucket name {name!r} of {source}, which "
                        f"{problem}")]

    @staticmethod
    def _physical_name_problems(
        path: tuple[str | int, ...], name: str, rule: facts.NameRule, full: str
    ) -> list[Problem]:
        """The AWS name built from namePrefix and `name` must still follow AWS's rule for it."""
        if (problem := facts.name_problem(rule, full)) is None:
            return []
        return [Problem(path, name, f"makes {full!r}, which {problem}")]

    def _feature_problems(self, plan: PlanConfig) -> list[Problem]:
        """A rule setting that needs a feature none of the plan's selected types has does nothing: refused, as the
        pack's type-features policy blocks it (the same question: `ResourceTypeTable.feature_problem`)."""
        types, partition = self.plan_types(plan), facts.partition_of(self.plan_region(plan))
        found = []
        for index, rule in enumerate(plan.rules):
            settings = [(("continuousBackup",), "continuousBackup", rule.continuous_backup or None),
                        (("coldStorageAfterDays",), "coldStorage", rule.cold_storage_after_days),
                        (("optInToArchiveForSupportedResources",), "archiveTier",
                         rule.opt_in_to_archive_for_supported_resources or None)]
            settings += [(("copyTo", copy_index, "coldStorageAfterDays"), "coldStorage", copy.cold_storage_after_days)
                         for copy_index, copy in enumerate(rule.copy_to)]
            for path, feature, value in settings:
                if value is not None and (problem := TABLE.feature_problem(feature, types, partition)):
                    found.append(Problem(("rules", index, *path), value, problem))
        return found

    def _vault_reference(self, path: tuple[str | int, ...], name: str) -> list[Problem]:
        if self.vault(name) is None:
            known = ", ".join(vault.name for vault in self.vaults) or "none defined"
            return [Problem(path, name, f"is not a vault of this stack (allowed: {known})")]
        return []

    def _reference_problems(self, plan: PlanConfig) -> list[Problem]:
        """Rules and copies point at vaults of this stack that exist, in the right region, with a lock that
        accepts their retention."""
        found: list[Problem] = []
        for index, rule in enumerate(plan.rules):
            target = plan.rule_vault(rule)
            if target is None:
                continue  # reported by the plan itself
            target_path = ("rules", index, "vault") if rule.vault else ("vault",)
            problems = self._vault_reference(target_path, target)
            found += problems
            if not problems:
                found += self._target_problems(plan, ("rules", index), rule, target_path, self.vault(target))
            for copy_index, copy in enumerate(rule.copy_to):
                if copy.account is not None and (source := self.vault(target)) is not None:
                    found += _managed_key_copy_problems(("rules", index, "copyTo", copy_index), copy, source)
                if copy.vault is not None:
                    copy_path = ("rules", index, "copyTo", copy_index)
                    problems = self._vault_reference((*copy_path, "vault"), copy.vault)
                    found += problems
                    if not problems:
                        found += self._copy_problems(copy_path, rule, copy_index, target)
        return found

    def _target_problems(
        self,
        plan: PlanConfig,
        rule_path: tuple[str | int, ...],
        rule: RuleConfig,
        target_path: tuple[str | int, ...],
        vault: VaultConfig,
    ) -> list[Problem]:
        found = []
        if self.vault_region(vault) != self.plan_region(plan):
            found.append(
                Problem(
                    target_path,
                    vault.name,
                    f"is in {self.vault_region(vault)} but the plan runs in {self.plan_region(plan)} (allowed: a vault "
                    "in the plan's region; use copyTo for other regions)",
                )
            )
        if vault.lock and not vault.lock.contains(rule.delete_after_days):
            found.append(
                Problem(
                    (*rule_path, "deleteAfterDays"),
                    rule.delete_after_days,
                    f"is outside the lock of vault {vault.name} (allowed: {vault.lock.describe_range()}); backup jobs "
                    "would fail",
                )
            )
        return found

    def _copy_problems(
        self, copy_path: tuple[str | int, ...], rule: RuleConfig, copy_index: int, source: str
    ) -> list[Problem]:
        copy = rule.copy_to[copy_index]
        destination = self.vault(copy.vault)
        found = []
        if copy.vault == source:
            found.append(Problem((*copy_path, "vault"), copy.vault, "is the rule's own vault (allowed: another vault)"))
        _, delete = rule.copy_lifecycle(copy)
        if destination.lock and not destination.lock.contains(delete):
            found.append(
                Problem(
                    (*copy_path, "deleteAfterDays"),
                    delete,
                    f"is outside the lock of vault {destination.name} (allowed: {destination.lock.describe_range()}); "
                    "copy jobs would fail",
                )
            )
        return found



def _managed_key_copy_problems(path: tuple[str | int, ...], copy: CopyToConfig, source: VaultConfig) -> list[Problem]:
    key = source.kms_key_arn
    if not key or facts.AWS_MANAGED_KEY_ALIAS not in key or key.split(":")[4] == copy.account:
        return []
    return [Problem((*path, "vaultArn"), copy.vault_arn, f"copies to account {copy.account} the recovery points of "
                    f"vault {source.name}, encrypted with the AWS managed key {key}, which another account cannot "
                    "use (allowed: a source vault with a customer-managed key: omit its kmsKeyArn to create one)")]
