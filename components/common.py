"""What every component shares: physical names, resource options, and the protection of data-bearing resources."""

from __future__ import annotations

import pulumi


def physical_name(prefix: str, name: str) -> str:
    """The AWS name of a resource: explicit and derived from config, so it is known at preview time and the
    policy pack can read it (auto-names are unknown on a first preview)."""
    return f"{prefix}-{name}"


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

