"""The organization's backup policies: one AWS Organizations BACKUP_POLICY per plan of
`aws-backups:organization.plans`, attached where the plan applies (root, OUs, accounts). AWS evaluates them in
every member account; the vaults and the role they name are the member-account baseline's. With them, the
organisation's cross-account backup setting, without which no copy reaches the backup account."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.config.organization import OrganizationConfig
from components.stack_context import StackContext, child_options, data_options


class OrganizationBackupPolicies(pulumi.ComponentResource):
    """`documents`: each plan's minified backup policy, by plan name (backup_policy_documents.policy_documents)."""

    def __init__(self, config: OrganizationConfig, documents: dict[str, str], context: StackContext,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("aws-backups:organizations:BackupPolicies", "organization", None, opts)
        self.policy_ids: dict[str, pulumi.Output[str]] = {}
        for plan in config.plans:
            policy = aws.organizations.Policy(
                plan.name,
                name=plan.physical_name(context.name_prefix),
                type="BACKUP_POLICY",
                content=documents[plan.name],
                description=f"aws-backups plan {plan.name}: rendered from aws-backups:organization.plans",
                tags=context.tags or None,
                # A backup policy holds no data, but removing it stops every member account's backups.
                opts=data_options(self, context.production),
            )
            for target in plan.attach_to:
                aws.organizations.PolicyAttachment(
                    f"{plan.name}-{target}",
                    policy_id=policy.id,
                    target_id=target,
                    opts=child_options(self),
                )
            self.policy_ids[plan.name] = policy.id
        if config.cross_account_backup:
            aws.backup.GlobalSettings(
                "global-settings",
                global_settings={"isCrossAccountBackupEnabled": "true"},
                opts=child_options(self),
            )
        self.register_outputs({"policyIds": self.policy_ids})
