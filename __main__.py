"""The aws-backups program: wires the stack config to the components and exports what ops need."""

import pulumi

from components.audit_framework import AuditFramework, evidence_controls
from components.audit_reports import AuditReports, report_settings, reports_service_role
from components.backup_policy_documents import policy_documents
from components.baseline_template import baseline_template_body
from components.config import load_stack_config, running_program_config
from components.member_baseline import MemberBaseline
from components.organization import OrganizationBackupPolicies
from components.plan import BackupPlan
from components.region_settings import BackupRegionSettings
from components.replication import ReplicatedBucket
from components.restore_testing import RestoreTesting
from components.stack_context import StackContext
from components.vault import BackupVault

# Fails with one line per problem, before anything is registered (ConfigError is a pulumi.RunError: no traceback).
config = load_stack_config(running_program_config(), pulumi.get_stack())
# The organization's documents, member template and audit controls, refused before anything is registered.
backup_policies = policy_documents(config)
baseline_body = baseline_template_body(config)
audit_controls = evidence_controls(config)
reports = report_settings(config)
context = StackContext.lookup(config.name_prefix, config.production, config.aws_region, config.tags)

alarm_vaults, copy_accounts = config.alarm_vaults(), config.copy_accounts_by_vault()
vaults = {
    vault.name: BackupVault(vault, context, receives_alarms=vault.name in alarm_vaults,
                            copy_accounts=copy_accounts.get(vault.name, []))
    for vault in config.vaults
}
plans = {plan.name: BackupPlan(plan, vaults, context) for plan in config.plans}
if config.region_settings.manage and config.selected_resource_types():
    for region in config.vault_regions():
        BackupRegionSettings(region, config.region_settings)
# Alarms go to the topic ARN given, or to the notification topic of the named vault.
replicated = {
    item.name: ReplicatedBucket(item, context, item.alarms.topic_arn or vaults[item.alarms.vault].topic_arn)
    for item in config.replication
}

reports_role = reports_service_role(reports)
framework_arns: dict[str, pulumi.Output[str]] = {}
if audit_controls and config.evidence and config.evidence.profile:
    framework_arns = AuditFramework(config.evidence.profile, audit_controls, context, reports_role).framework_arns
    pulumi.export("auditFrameworkArns", framework_arns)
if reports is not None:
    pulumi.export("auditReportBuckets",
                  AuditReports(reports, config, framework_arns, reports_role, context).bucket_names)
if config.evidence is not None and config.evidence.restore_testing is not None and plans:
    # Restores with the first plan's service role (it has AWSBackupServiceRolePolicyForRestores).
    RestoreTesting(config.evidence.restore_testing, config, list(vaults.values()),
                   next(iter(plans.values())).role_arn, context)
if config.organization is not None:
    organization = OrganizationBackupPolicies(config.organization, backup_policies, context)
    pulumi.export("backupPolicyIds", organization.policy_ids)
    if baseline_body is not None:
        baseline = MemberBaseline(config.organization, baseline_body, context)
        pulumi.export("memberBaselineStackSet", baseline.stack_set.name)
pulumi.export("vaultArns", {name: vault.arn for name, vault in vaults.items()})
pulumi.export("planIds", {name: plan.plan_id for name, plan in plans.items()})
pulumi.export("roleArns", {name: plan.role_arn for name, plan in plans.items()})
pulumi.export(
    "replicatedBuckets",
    {name: {"source": r.source_bucket_name, "replica": r.replica_bucket_name} for name, r in replicated.items()},
)
