"""BackupRegionSettings: opts the selected resource types in to AWS Backup in one region.

Region settings are a singleton per account and region: the stack manages them once per region holding a vault,
and only switches types on (types other teams opted in are left alone)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.common import child_options


class BackupRegionSettings(pulumi.ComponentResource):
    """`full_management`: types switched to full AWS Backup management (resourceTypeManagementPreference; for
    DynamoDB its advanced features)."""

    def __init__(
        self,
        region: str,
        resource_types: list[str],
        full_management: list[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("aws-backups:backup:RegionSettings", region, None, opts)
        self.settings = aws.backup.RegionSettings(
            region,
            region=region,
            resource_type_opt_in_preference=dict.fromkeys(resource_types, True),
            resource_type_management_preference=dict.fromkeys(full_management, True) if full_management else None,
            opts=child_options(self),
        )
        self.register_outputs({"resourceTypes": resource_types})
