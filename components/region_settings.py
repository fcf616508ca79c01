"""BackupRegionSettings: AWS Backup's settings of one Region: which services are opted in, which are fully managed.

Region settings are a singleton per account and Region, and AWS reads them back whole: every service it knows,
in both maps (DescribeRegionSettings; the provider stores both maps as returned). So the stack states every key:
a partial map would show a change on every run. Every service is opted in (opting in allows backups of a type; it
starts none) except those in `optOut`; the management map is set only when `fullManagement` names a type, and then
whole: the types listed on, the others off. A stack that does not own the Region's settings sets `manage: false`.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.config.stack import RegionSettingsConfig
from components.config.type_rules import TABLE
from components.stack_context import child_options


def opt_in_preference(config: RegionSettingsConfig) -> dict[str, bool]:
    return {service: service not in config.opt_out for service in TABLE.opt_in_services}


def management_preference(config: RegionSettingsConfig) -> dict[str, bool] | None:
    if not config.full_management:
        return None  # AWS's own values stand: the provider computes the map when the program leaves it unset
    return {service: service in config.full_management for service in TABLE.management_services}


class BackupRegionSettings(pulumi.ComponentResource):
    def __init__(self, region: str, config: RegionSettingsConfig, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aws-backups:backup:RegionSettings", region, None, opts)
        opt_in = opt_in_preference(config)
        self.settings = aws.backup.RegionSettings(
            region,
            region=region,
            resource_type_opt_in_preference=opt_in,
            resource_type_management_preference=management_preference(config),
            opts=child_options(self),
        )
        self.register_outputs({"optedIn": [service for service, on in opt_in.items() if on]})
