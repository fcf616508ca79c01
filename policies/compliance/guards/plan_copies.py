"""Where a plan's copies go: to another region (disaster recovery) and to another account (ransomware with
stolen credentials)."""

from __future__ import annotations

from collections.abc import Iterator

from compliance.resources import PLAN, VAULT, Stack
from compliance.spec import PolicySpec, Violation
from compliance.vault_links import ACCOUNT_ID_KNOB, Destination, copy_destinations, own_accounts


def _listed(destinations: list[tuple[str, Destination]]) -> str:
    return ", ".join(f"{label} -> {d.shown}" for label, d in destinations) or "no copy actions"


def check_cross_region_copy(stack: Stack, _config: dict) -> Iterator[Violation]:
    for plan in stack.of_kind(PLAN):
        region = stack.region_of(plan)
        destinations = copy_destinations(stack, plan)
        regions = [d.regions(stack) for _, d in destinations]
        if region and any(found and region not in found for found in regions):
            continue
        where = f"plan '{plan.name}' in region {region or 'unknown'}"
        undecided = [(label, d) for (label, d), found in zip(destinations, regions, strict=True)
                     if len(found) != 1 or None in found]
        if undecided or not region:
            yield Violation(
                f"{where}: cannot tell whether it copies recovery points to another region ({_listed(undecided)}"
                f"{'' if region else '; the plan has no known region'}). Give the copy action a destination "
                f"vault whose region is known: a literal vault ARN, or a vault of this stack (stack config: "
                f"aws-backups:plans[].rules[].copyTo[].vault).",
                plan.urn,
            )
            continue
        yield Violation(
            f"{where} copies no recovery point to another region ({_listed(destinations)}). Add a copy action to "
            f"a vault in another region (stack config: aws-backups:plans[].rules[].copyTo[].vault naming a vault "
            f"with another region).",
            plan.urn,
        )


CROSS_REGION_COPY = PolicySpec(
    name="aws-backup-plan-require-cross-region-copy",
    description="Every backup plan copies recovery points to a vault in another region.",
    why="Disaster recovery: Backup Audit Manager control BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION; HIPAA "
        "164.308(a)(7)(ii)(A) data backup plan.",
    severity="high",
    remediation="Add a copy action to a vault in another region (the region is read from the destination ARN, "
                "the plan's region from its `region`, its provider, or aws:region).",
    reads={PLAN: ("region", "rules[].ruleName", "rules[].copyActions",
                  "rules[].copyActions[].destinationVaultArn")},
    check=check_cross_region_copy,
    stack=True,
    level="advisory",
)


def check_cross_account_copy(stack: Stack, config: dict) -> Iterator[Violation]:
    own = own_accounts(stack, config)
    for plan in stack.of_kind(PLAN):
        destinations = copy_destinations(stack, plan)
        # A literal ARN tells its account; an unknown one resolved to a vault of this stack is in the stack's own.
        if own and any(d.arn is not None and d.arn.account not in own for _, d in destinations):
            continue
        unresolved = [(label, d) for label, d in destinations if d.arn is None and not d.vaults]
        if unresolved:
            reason = f"cannot tell the account of {_listed(unresolved)}"
        elif not own and any(d.arn is not None and not d.vaults for _, d in destinations):
            reason = "the stack's account is unknown (set the accountId knob of this policy)"
        else:
            reason = f"none leaves {'account ' + ', '.join(sorted(own)) if own else 'the stack account'}"
        yield Violation(
            f"plan '{plan.name}' copies no recovery point to another account ({_listed(destinations)}; {reason}). "
            f"Add a copy action to a vault ARN of another account (stack config: "
            f"aws-backups:plans[].rules[].copyTo[].vaultArn).",
            plan.urn,
        )


CROSS_ACCOUNT_COPY = PolicySpec(
    name="aws-backup-plan-require-cross-account-copy",
    description="Every backup plan copies recovery points to a vault in another account.",
    why="Ransomware with stolen credentials: Backup Audit Manager control BACKUP_RESOURCES_PROTECTED_BY_CROSS_"
        "ACCOUNT.",
    severity="medium",
    remediation="Add a copy action to a vault ARN in another account of the organisation, and set this "
                "policy's accountId when no vault of the stack shows the stack's own account.",
    reads={PLAN: ("rules[].ruleName", "rules[].copyActions", "rules[].copyActions[].destinationVaultArn"),
           VAULT: ("name", "region")},
    check=check_cross_account_copy,
    stack=True,
    knobs=ACCOUNT_ID_KNOB,
    level="advisory",
)


POLICIES = [CROSS_REGION_COPY, CROSS_ACCOUNT_COPY]
