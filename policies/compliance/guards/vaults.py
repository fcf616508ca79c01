"""Backup vaults: encrypted with the organisation's keys, locked (with bounds AWS accepts), closed to manual
deletion by an access policy, and heard from when a backup or copy fails.

Every policy here links resources through property_dependencies (or literal names), never through ARNs that are
unknown on a first preview: a vault's key is "customer managed" when its `kmsKeyArn` came from a KMS Key of the
stack, whatever the (unknown) ARN.
"""

from __future__ import annotations

from collections.abc import Iterator

from compliance import facts
from compliance.iam_statements import applies_to_everyone, as_list, statements
from compliance.resources import VAULT, VAULT_LOCK, VAULT_NOTIFICATIONS, VAULT_POLICY, Arn, Resource, Stack
from compliance.spec import FIGURES, PolicySpec, Violation, aws_limit, days
from compliance.vault_links import attached, lock_of, vault_name

DELETE_ACTIONS = ("backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle")


def _vault_label(vault: Resource) -> str:
    return f"vault '{vault_name(vault) or vault.name}'"


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


CUSTOMER_MANAGED_KEY = PolicySpec(
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
)


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


LOCK = PolicySpec(
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
)


def check_lock_bounds(lock: Resource, _config: dict) -> Iterator[str]:
    changeable = lock.props.days("changeableForDays")
    low, high = lock.props.days("minRetentionDays"), lock.props.days("maxRetentionDays")
    key = "aws-backups:vaults[].lock"
    if changeable is not None and (problem := facts.changeable_for_days_problem(changeable)):
        yield f"changeableForDays {days(changeable)} {problem}. Raise it (stack config: {key}.changeableForDays)."
    for name, value in (("minRetentionDays", low), ("maxRetentionDays", high)):
        if value is not None and (problem := facts.lock_retention_problem(value)):
            yield f"{name} {days(value)} {problem}. Set a value in that range (stack config: {key}.{name})."
    if low is not None and high is not None and (problem := facts.lock_range_problem(low, high)):
        yield (f"minRetentionDays {days(low)} {problem}. Make min at most max (stack config: {key}.minRetentionDays "
               f"/ maxRetentionDays).")


LOCK_BOUNDS = PolicySpec(
    name="aws-backup-vaultlock-check-bounds",
    description=f"Vault locks have a cooling-off of at least {facts.MIN_CHANGEABLE_FOR_DAYS} days and retention "
                "bounds AWS accepts.",
    why=f"ChangeableForDays >= {facts.MIN_CHANGEABLE_FOR_DAYS}, MinRetentionDays >= "
        f"{facts.MIN_LOCK_RETENTION_DAYS}, MaxRetentionDays <= {facts.MAX_LOCK_RETENTION_DAYS}, min <= max "
        f"(PutBackupVaultLockConfiguration; {aws_limit(9)}, {aws_limit(10)}).",
    severity="critical",
    remediation=f"Set changeableForDays to {facts.MIN_CHANGEABLE_FOR_DAYS} or more (or leave it unset for "
                f"governance mode) and {facts.MIN_LOCK_RETENTION_DAYS} <= minRetentionDays <= maxRetentionDays <= "
                f"{facts.MAX_LOCK_RETENTION_DAYS}.",
    reads={VAULT_LOCK: ("changeableForDays", "minRetentionDays", "maxRetentionDays")},
    check=check_lock_bounds,
    aws_limit=True,
)


# Condition operators that only carve named principals out of a Deny (break-glass roles); any other condition
# (on tags, source IP, time, ...) makes the Deny conditional, so it is not a blanket deny.
EXEMPTING_OPERATORS = {"ArnNotLike", "ArnNotEquals", "StringNotLike", "StringNotEquals"}
EXEMPTING_KEYS = {"aws:principalarn", "aws:userid", "aws:username"}


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
        and any(a in (action, "backup:*", "*") for a in as_list(statement.get("Action")))
        and applies_to_everyone(statement)
        and "NotPrincipal" not in statement
        and _only_exempts_principals(statement)
    )


def check_deny_delete_policy(stack: Stack, _config: dict) -> Iterator[Violation]:
    for vault in stack.of_kind(VAULT):
        policies = attached(stack, vault, VAULT_POLICY)
        found = [s for policy in policies for s in statements(policy.props.get("policy"))]
        missing = [a for a in DELETE_ACTIONS if not any(_denies(s, a) for s in found)]
        if missing:
            yield Violation(
                f"{_vault_label(vault)} has no access policy denying {', '.join(missing)} to every principal"
                f"{'' if policies else ' (it has no VaultPolicy at all)'}; anyone with backup permissions can "
                f"delete recovery points. Attach a VaultPolicy with a Deny statement for those actions, Principal "
                f"{{\"AWS\": \"*\"}}, and no Condition other than ArnNotLike on aws:PrincipalArn for break-glass roles "
                f"(stack config: aws-backups:vaults[].accessPolicy.denyDeletion: true).",
                vault.urn,
            )


DENY_DELETE_POLICY = PolicySpec(
    name="aws-backup-vault-require-deny-delete-policy",
    description="Every backup vault has an access policy denying manual deletion of recovery points.",
    why="Ransomware and insider deletion: Backup Audit Manager control "
        f"BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED ({FIGURES}).",
    severity="high",
    remediation="Attach a VaultPolicy that denies backup:DeleteRecoveryPoint and "
                "backup:UpdateRecoveryPointLifecycle (except for break-glass principals).",
    reads={VAULT: ("name", "region"), VAULT_POLICY: ("backupVaultName", "region", "policy")},
    check=check_deny_delete_policy,
    stack=True,
    level="advisory",
)


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


NOTIFICATIONS = PolicySpec(
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
)


POLICIES = [CUSTOMER_MANAGED_KEY, LOCK, LOCK_BOUNDS, DENY_DELETE_POLICY, NOTIFICATIONS]
