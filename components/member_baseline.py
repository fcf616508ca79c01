"""MemberBaseline: the vaults and backup role of `aws-backups:organization.baseline` in every member account of
its OUs and every region of the organization, as a service-managed CloudFormation StackSet that AWS also deploys to
accounts joining those OUs later (components/baseline_template.py renders its template)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.config.base import physical_name
from components.config.organization import OrganizationConfig
from components.stack_context import StackContext, data_options

BASELINE_NAME = "member-baseline"


class MemberBaseline(pulumi.ComponentResource):
    def __init__(self, config: OrganizationConfig, template_body: str, context: StackContext,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("aws-backups:organizations:MemberBaseline", BASELINE_NAME, None, opts)
        assert config.baseline is not None
        call_as = "DELEGATED_ADMIN" if config.delegated_administrator else "SELF"
        # The StackSet and its instances are the only way to the member vaults: protected in production, and an
        # instance deleted anyway keeps its stacks (retain_stack), as an account leaving the OUs does.
        self.stack_set = aws.cloudformation.StackSet(
            BASELINE_NAME,
            name=physical_name(context.name_prefix, BASELINE_NAME),
            description="aws-backups member-account baseline: vaults and backup role the backup policies name",
            permission_model="SERVICE_MANAGED",
            auto_deployment={"enabled": True, "retain_stacks_on_account_removal": True},
            capabilities=["CAPABILITY_NAMED_IAM"],  # the backup role has a name the backup policies use
            call_as=call_as,
            managed_execution={"active": True},  # queue concurrent operations rather than refuse them
            # One region after another, stopping at the first failed account: a broken template reaches few.
            operation_preferences={"region_concurrency_type": "SEQUENTIAL", "max_concurrent_percentage": 25,
                                   "failure_tolerance_count": 0},
            template_body=template_body,
            tags=context.tags or None,
            opts=data_options(self, context.production),
        )
        for region in config.regions:
            aws.cloudformation.StackSetInstance(
                f"{BASELINE_NAME}-{region}",
                stack_set_name=self.stack_set.name,
                stack_set_instance_region=region,
                deployment_targets={"organizational_unit_ids": list(config.baseline.organizational_units)},
                call_as=call_as,
                retain_stack=context.production,
                opts=data_options(self, context.production),
            )
        self.register_outputs({"stackSetName": self.stack_set.name})
