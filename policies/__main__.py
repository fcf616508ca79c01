"""The aws-backups-compliance policy pack: builds the PolicyPack from the registry, nothing else.

`PolicyPack(...)` starts the Analyzer server and never returns, so every policy lives in `compliance/`. The pack
default is mandatory: with no `--policy-pack-config`, each policy runs at its own level, which is its level in
the baseline profile.
"""

from compliance.registry import policies
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(
    name="aws-backups-compliance",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=policies(),
)
