"""What every component of a stack shares: the stack's context (name prefix, production, default region, tags, and
the account facts needed to build ARNs from known parts, so they are known at preview time and the policy pack can
read them) and the resource options of their children, with the protection of data-bearing resources."""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class StackContext:
    name_prefix: str
    production: bool
    default_region: str
    account_id: pulumi.Output[str]
    partition: pulumi.Output[str]
    tags: dict[str, str] = field(default_factory=dict)

    @classmethod
    def lookup(cls, name_prefix: str, production: bool, default_region: str, tags: dict[str, str]) -> StackContext:
        """The context of the deploying account (data sources: resolved during preview too)."""
        return cls(
            name_prefix=name_prefix,
            production=production,
            default_region=default_region,
            account_id=aws.get_caller_identity_output().account_id,
            partition=aws.get_partition_output().partition,
            tags=tags,
        )

    def arn(self, service: str, region: str, resource: pulumi.Input[str]) -> pulumi.Output[str]:
        """`arn:<partition>:<service>:<region>:<account>:<resource>`. Pass an Output of the referenced resource as
        `resource` where the link matters, so the engine records the dependency."""
        return pulumi.Output.concat("arn:", self.partition, f":{service}:{region}:", self.account_id, ":", resource)

    def account_root_arn(self) -> pulumi.Output[str]:
        return self.arn("iam", "", "root")


def child_options(parent: pulumi.Resource, **extra: object) -> pulumi.ResourceOptions:
    """Options for an ordinary child of a component."""
    return pulumi.ResourceOptions(parent=parent, **extra)


def data_options(
    parent: pulumi.Resource, production: bool, *, always_retain: bool = False, **extra: object
) -> pulumi.ResourceOptions:
    """Options for a resource that holds data (vault, bucket, KMS key and its alias, notification topic) or guards
    it (lock, deny-delete policy, public access block, ...).

    In production a config edit must never delete or replace it: `protect` makes the engine refuse, and
    `retain_on_delete` keeps the cloud resource even if it leaves the program. `always_retain` keeps it outside
    production too: for what belongs to a bucket that is not ours (an adopted bucket).
    """
    return pulumi.ResourceOptions(
        parent=parent, protect=production, retain_on_delete=production or always_retain, **extra
    )
