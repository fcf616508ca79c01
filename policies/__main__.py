"""The aws-backups-compliance policy pack: builds the PolicyPack from the registry, nothing else.

`PolicyPack(...)` starts the Analyzer server and never returns, so every policy lives in `compliance/`. The pack
default is mandatory: with no `--policy-pack-config`, each policy runs at its own level, which is its level in
the baseline profile. Before it starts, the served pack's Analyze and AnalyzeStack are made to build a request's
resources once for all policies (`compliance/shared_requests.py`; the SDK's own methods under any SDK version but
the pinned one).
"""

from compliance.registry import policies
from compliance.shared_requests import share_request_resources
from pulumi_policy import EnforcementLevel, PolicyPack

share_request_resources()
PolicyPack(
    name="aws-backups-compliance",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=policies(),
)
