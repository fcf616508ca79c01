"""Protection of backups: encryption with the organisation's keys, vault locks, deletion-denying vault policies,
failure notifications, copies to another region and account, and data that a config edit cannot destroy.

Every rule here links resources through property_dependencies (or literal names), never through ARNs that are
unknown on a first preview: a vault's key is "customer managed" when its `kmsKeyArn` came from a KMS Key of the
stack, whatever the (unknown) ARN.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from compliance import facts
from compliance.plans import rule_label, rules
from compliance.resources import (
    BUCKET,
    KMS_KEY,
    PLAN,
    SNS_TOPIC,
    VAULT,
    VAULT_LOCK,
    VAULT_NOTIFICATIONS,
    VAULT_POLICY,
    Arn,
    Resource,
    Stack,
)
from compliance.spec import PolicySpec, Violation, days
from compliance.vaults import Destination, attached, copy_destination, lock_of, vault_name

DELETE_ACTIONS = ("backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle")


def _vault_label(vault: Resource) -> str:
    return f"vault '{vault_name(vault) or vault.name}'"


# -- encryption ------------------------------------------------------------------------------------------------
def check_customer_managed_key(vault: Resource, config: dict) -> Iterator[str]:
    """On the vault's checked inputs, which say whether the program set a key at all: after `pulumi up` the
    outputs name the AWS-managed key's ARN when it did not, indistinguishable from a customer-managed one. A key
    ARN unknown at preview comes from another resource's output (a key of the stack) and is judged once known."""
    if not vault.props.present("kmsKeyArn"):
        problem = "has no kmsKeyArn, so AWS encrypts it with the AWS-managed key aws/backup"
    elif not vault.props.known("kmsKeyArn"):
        return
    else:
        key = vault.props.text("kmsKeyArn")
        arn = Arn.parse(key)
        allowed = set(config["allowedKeyArns"])
        if arn is None or arn.service != "kms" or not arn.resource.startswith("key/"):
            problem = f"uses kmsKeyArn {key!r}, which is not a customer-managed key ARN (arn:...:kms:...:key/...)"
        elif allowed and key not in allowed:
            problem = f"uses key {key}, which is not in the profile's allowedKeyArns"
        else:
            return
    yield (f"{_vault_label(vault)} {problem}. Create a KMS key in the stack or give an allowed customer-managed key "
           f"ARN (stack config: aws-backups:vaults[].kmsKeyArn, or leave it unset to create a key).")


# -- vault lock ------------------------------------------------------------------------------------------------
def check_vault_lock(stack: Stack, config: dict) -> Iterator[Violation]:
    compliance = config["mode"] == "compliance"
    for vault in stack.of_kind(VAULT):
        lock = lock_of(stack, vault)
        if lock is None:
            yield Violation(
                f"{_vault_label(vault)} has no vault lock; the profile requires a {config['mode']}-mode lock so "
                f"recovery points cannot be deleted early. Add a VaultLockConfiguration (stack config: "
                f"aws-backups:vaults[].lock.mode: {config['mode']}).",
                vault.urn,
            )
            continue
        if compliance and lock.props.days("changeableForDays") is None:
            yield Violation(
                f"{_vault_label(vault)} has a governance-mode lock (no changeableForDays); the profile requires "
                f"compliance mode (WORM: non-rewriteable, non-erasable). Set changeableForDays (3 or more) on the lock "
                f"(stack config: aws-backups:vaults[].lock.mode: compliance, lock.changeableForDays).",
                vault.urn,
            )


# -- vault access policy ---------------------------------------------------------------------------------------
def _statements(document: object) -> list[dict]:
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError:
            return []
    found = document.get("Statement", []) if isinstance(document, dict) else []
    found = [found] if isinstance(found, dict) else found
    return [s for s in found if isinstance(s, dict)]


# Condition operators that only carve named principals out of a Deny (break-glass roles); any other condition
# (on tags, source IP, time, ...) makes the Deny conditional, so it is not a blanket deny.
EXEMPTING_OPERATORS = {"ArnNotLike", "ArnNotEquals", "StringNotLike", "StringNotEquals"}
EXEMPTING_KEYS = {"aws:principalarn", "aws:userid", "aws:username"}


def _as_list(value: object) -> list:
    return [value] if isinstance(value, (str, dict)) else list(value) if isinstance(value, list) else []


def _applies_to_everyone(statement: dict) -> bool:
    principal = statement.get("Principal")
    if principal == "*":
        return True
    return isinstance(principal, dict) and set(principal) == {"AWS"} and "*" in _as_list(principal["AWS"])


def _only_exempts_principals(statement: dict) -> bool:
    condition = statement.get("Condition")
    if condition is None:
        return True
    if not isinstance(condition, dict):
        return False
    return all(
        operator in EXEMPTING_OPERATORS and isinstance(keys, dict) and all(k.lower() in EXEMPTING_KEYS for k in keys)
        for operator, keys in condition.items()
    )


def _denies(statement: dict, action: str) -> bool:
    """A blanket Deny of `action`: every principal, no NotAction/NotPrincipal, at most named exemptions."""
    return (
        statement.get("Effect") == "Deny"
        and any(a in (action, "backup:*", "*") for a in _as_list(statement.get("Action")))
        and _applies_to_everyone(statement)
        and "NotPrincipal" not in statement
        and _only_exempts_principals(statement)
    )


def check_deny_delete_policy(stack: Stack, _config: dict) -> Iterator[Violation]:
    for vault in stack.of_kind(VAULT):
        policies = attached(stack, vault, VAULT_POLICY)
        statements = [s for policy in policies for s in _statements(policy.props.get("policy"))]
        missing = [a for a in DELETE_ACTIONS if not any(_denies(s, a) for s in statements)]
        if missing:
            yield Violation(
                f"{_vault_label(vault)} has no access policy denying {', '.join(missing)} to every principal"
                f"{'' if policies else ' (it has no VaultPolicy at all)'}; anyone with backup permissions can "
                f"delete recovery points. Attach a VaultPolicy with a Deny statement for those actions, Principal "
                f"{{\"AWS\": \"*\"}}, and no Condition other than ArnNotLike on aws:PrincipalArn for break-glass roles "
                f"(stack config: aws-backups:vaults[].accessPolicy.denyDeletion: true).",
                vault.urn,
            )


# -- notifications ---------------------------------------------------------------------------------------------
def check_notifications(stack: Stack, config: dict) -> Iterator[Violation]:
    required = list(config["requiredEvents"])
    for vault in stack.of_kind(VAULT):
        notifications = attached(stack, vault, VAULT_NOTIFICATIONS)
        events = {e for n in notifications for e in n.props.strings("backupVaultEvents")}
        missing = [event for event in required if event not in events]
        if missing:
            yield Violation(
                f"{_vault_label(vault)} does not notify on {', '.join(missing)}"
                f"{'' if notifications else ' (it has no VaultNotifications)'}; failed backups and copies go "
                f"unnoticed. Add those backupVaultEvents to its VaultNotifications (stack config: "
                f"aws-backups:vaults[].notifications.events).",
                vault.urn,
            )


# -- copies ----------------------------------------------------------------------------------------------------
def copy_destinations(stack: Stack, plan: Resource) -> list[tuple[str, Destination]]:
    """(rule label, destination) of every copy action of the plan."""
    return [(rule_label(rule), copy_destination(stack, plan, action))
            for rule in rules(plan) for action in rule.items("copyActions")]


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


# The knob `own_accounts` reads, for every policy that tells cross-account copies.
ACCOUNT_ID_KNOB = {"accountId": {"type": ["string", "null"], "pattern": "^[0-9]{12}$", "default": None,
                                 "description": "The stack's own AWS account, to tell cross-account copies; by "
                                                "default the account of the stack's own vaults as copy "
                                                "destinations show it."}}


def own_accounts(stack: Stack, config: dict) -> set[str]:
    """The stack's own account: the `accountId` knob when set, else the accounts in the literal ARNs of copy
    destinations that are vaults of this stack (a stack creates its vaults in its own account)."""
    if config.get("accountId"):
        return {str(config["accountId"])}
    return {d.arn.account for plan in stack.of_kind(PLAN) for _, d in copy_destinations(stack, plan)
            if d.arn is not None and d.vaults}


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


# -- data that must survive a config edit ----------------------------------------------------------------------
def _notification_topics(stack: Stack) -> list[Resource]:
    return [t for n in stack.of_kind(VAULT_NOTIFICATIONS) for t in stack.linked(n, "snsTopicArn", SNS_TOPIC)]


def check_deletion_protection(stack: Stack, config: dict) -> Iterator[Violation]:
    window = float(config["kmsDeletionWindowDays"])
    data = stack.of_kind(VAULT) + stack.of_kind(BUCKET) + stack.of_kind(KMS_KEY)
    data += [t for t in dict.fromkeys(_notification_topics(stack)) if t not in data]
    for resource in data:
        if not resource.protect:
            yield Violation(
                f"{resource.type} '{resource.name}' is not protected; a config edit that drops or replaces it "
                f"deletes its data. Set the resource option protect (and retainOnDelete) (stack config: "
                f"aws-backups:production: true).",
                resource.urn,
            )
        if resource.kind in (VAULT, BUCKET) and resource.props.flag("forceDestroy"):
            yield Violation(
                f"{resource.type} '{resource.name}' has forceDestroy true: deleting it deletes everything in it. Set "
                f"forceDestroy false on the resource (our components always do: no aws-backups: key turns it on).",
                resource.urn,
            )
        if resource.kind == KMS_KEY:
            deletion = resource.props.days("deletionWindowInDays")
            if deletion is not None and deletion < window:  # unset: AWS's default (facts.KMS_DEFAULT_...)
                yield Violation(
                    f"KMS key '{resource.name}' has deletionWindowInDays {days(deletion)}; the profile requires "
                    f"{days(window)} so a scheduled deletion can be noticed and cancelled. Set deletionWindowInDays "
                    f"{days(window)} on the KMS key (or leave it unset: AWS's default is "
                    f"{facts.KMS_DEFAULT_DELETION_WINDOW_DAYS}); our components set "
                    f"{facts.KMS_DELETION_WINDOW_DAYS[1]} for every key they create from aws-backups:vaults[] and "
                    f"aws-backups:replication[].",
                    resource.urn,
                )


POLICIES = [
    PolicySpec(
        name="aws-backup-vault-require-customer-managed-key",
        description="Backup vaults are encrypted with a customer-managed KMS key (optionally from an allowed list).",
        why="Key control and separation of duties: the AWS-managed aws/backup key cannot be restricted or "
            "audited per vault; HIPAA 164.312(a)(2)(iv), PCI DSS Req. 3.6.",
        severity="high",
        remediation="Create a KMS key with rotation in the stack and pass its ARN as the vault's kmsKeyArn, or "
                    "name an allowed customer-managed key ARN.",
        reads={VAULT: ("name", "kmsKeyArn")},
        check=check_customer_managed_key,
        knobs={"allowedKeyArns": {"type": "array", "items": {"type": "string"}, "default": [],
                                  "description": "Key ARNs a vault may name; empty allows any customer-managed key. "
                                                 "A key created in the stack passes at a first preview (its ARN is "
                                                 "unknown); once it exists, list its ARN too."}},
        level="advisory",
    ),
    PolicySpec(
        name="aws-backup-vault-require-lock",
        description="Every backup vault has a vault lock, in compliance mode where the profile demands WORM.",
        why="SEC 17a-4(f) / FINRA 4511 require non-rewriteable, non-erasable storage: Vault Lock in compliance mode "
            "(assessed for 17a-4(f), CFTC 1.31, FINRA 4511).",
        severity="critical",
        remediation="Add a VaultLockConfiguration for the vault; for compliance mode set changeableForDays.",
        reads={VAULT: ("name", "region"), VAULT_LOCK: ("backupVaultName", "region", "changeableForDays")},
        check=check_vault_lock,
        stack=True,
        knobs={"mode": {"type": "string", "enum": ["governance", "compliance"], "default": "governance",
                        "description": "The weakest lock mode accepted."}},
        level="advisory",
    ),
    PolicySpec(
        name="aws-backup-vault-require-deny-delete-policy",
        description="Every backup vault has an access policy denying manual deletion of recovery points.",
        why="Ransomware and insider deletion: Backup Audit Manager control "
            "BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED (compliance-figures.md).",
        severity="high",
        remediation="Attach a VaultPolicy that denies backup:DeleteRecoveryPoint and "
                    "backup:UpdateRecoveryPointLifecycle (except for break-glass principals).",
        reads={VAULT: ("name", "region"), VAULT_POLICY: ("backupVaultName", "region", "policy")},
        check=check_deny_delete_policy,
        stack=True,
        level="advisory",
    ),
    PolicySpec(
        name="aws-backup-vault-require-notifications",
        description="Every backup vault notifies on failed backups and copies.",
        why="A backup that fails silently is no backup: HIPAA 164.308(a)(7) contingency plan; backup jobs report "
            "failures through BACKUP_JOB_COMPLETED, copies through COPY_JOB_FAILED (PutBackupVaultNotifications).",
        severity="medium",
        remediation="Add a VaultNotifications with an SNS topic and the required backupVaultEvents.",
        reads={VAULT: ("name", "region"),
               VAULT_NOTIFICATIONS: ("backupVaultName", "region", "backupVaultEvents")},
        check=check_notifications,
        stack=True,
        knobs={"requiredEvents": {"type": "array", "items": {"type": "string"}, "uniqueItems": True,
                                  "default": ["BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED"],
                                  "description": "Vault events every vault must notify on."}},
        level="advisory",
    ),
    PolicySpec(
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
    ),
    PolicySpec(
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
    ),
    PolicySpec(
        name="aws-backup-data-require-deletion-protection",
        description="Data-bearing resources (vaults, buckets, KMS keys, backup notification topics) are protected; "
                    "vaults and buckets are not force-destroyed; KMS keys have a long deletion window (default "
                    f"{facts.KMS_DELETION_WINDOW_DAYS[1]} days).",
        why="Data is never lost by a config edit (team guide). retainOnDelete is not visible to policies (the "
            "Analyzer protocol has no such field); program tests prove it.",
        severity="critical",
        remediation="Set protect (and retainOnDelete) on the resource (aws-backups:production: true in our stacks), "
                    f"forceDestroy false, deletionWindowInDays {facts.KMS_DELETION_WINDOW_DAYS[1]}.",
        reads={VAULT: ("forceDestroy",), BUCKET: ("forceDestroy",), KMS_KEY: ("deletionWindowInDays",),
               VAULT_NOTIFICATIONS: ("snsTopicArn",), SNS_TOPIC: ()},
        check=check_deletion_protection,
        stack=True,
        knobs={"kmsDeletionWindowDays": {"type": "integer", "minimum": facts.KMS_DELETION_WINDOW_DAYS[0],
                                         "maximum": facts.KMS_DELETION_WINDOW_DAYS[1],
                                         "default": facts.KMS_DELETION_WINDOW_DAYS[1],
                                         "description": "Shortest KMS key deletion window accepted."}},
    ),
]
