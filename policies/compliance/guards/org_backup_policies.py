"""Organizations backup policies (`BACKUP_POLICY`), whichever stack attaches them: a document AWS accepts (JSON
without duplicate keys, the backup policy's element tree, its operators, at most 10,000 characters); where the
stack shows the attachments, the effective policy of each target (compliance.org_paths) complete, and no setting
written that a parent's child control keeps from taking effect. The plans inside are judged by the plan policies
themselves (compliance.org_plans), as plans of the stack are."""

from __future__ import annotations

from collections.abc import Iterator

from compliance.org_backup_policy import MAX_POLICY_CHARACTERS, PolicySyntaxError, parse, syntax_problems
from compliance.org_paths import Target, organization_targets
from compliance.org_plans import BACKUP_POLICY, is_backup_policy, policy_document
from compliance.resources import ORG_ACCOUNT, ORG_ATTACHMENT, ORG_POLICY, ORG_UNIT, Resource, Stack
from compliance.spec import PolicySpec, Violation, aws_limit

ORG_KEY = "aws-backups:organization.plans"  # the organization stack's config the documents are rendered from


def check_backup_policy_syntax(policy: Resource, _config: dict) -> Iterator[str]:
    if not is_backup_policy(policy):
        return
    content = policy.props.get("content")
    if not isinstance(content, str):
        yield f"backup policy '{policy.name}': its content is not a JSON text. Set `content` to the policy's JSON."
        return
    if len(content) > MAX_POLICY_CHARACTERS:
        yield (f"backup policy '{policy.name}' has {len(content):,} characters; AWS Organizations accepts at most "
               f"{MAX_POLICY_CHARACTERS:,}. Fix the document: split its plans over several policies, or save it "
               f"without white space (stack config: {ORG_KEY}).")
    try:
        document = parse(content)
    except PolicySyntaxError as error:
        yield f"backup policy '{policy.name}': {error}. Fix the document (stack config: {ORG_KEY})."
        return
    for problem in syntax_problems(document):
        yield f"backup policy '{policy.name}': {problem}. Fix the document (stack config: {ORG_KEY})."


SYNTAX = PolicySpec(
    name="aws-organizations-backuppolicy-check-syntax",
    description="Organizations backup policies are documents AWS accepts: JSON without duplicate keys, the backup "
                "policy's elements and operators, at most 10,000 characters.",
    why=f"CreatePolicy / UpdatePolicy refuse a {BACKUP_POLICY} that breaks the syntax or the size quota, half-way "
        f"through `pulumi up` (Organizations User Guide, backup policy syntax, inheritance operators, quotas; "
        f"{aws_limit(23)}).",
    severity="high",
    remediation="Fix the element or operator at the JSON path the message names; split a policy over the size.",
    reads={ORG_POLICY: ("type", "content")},
    check=check_backup_policy_syntax,
    aws_limit=True,
)


ATTACHMENT_READS = {ORG_POLICY: ("type", "content"), ORG_ATTACHMENT: ("policyId", "targetId"),
                    ORG_UNIT: ("parentId",), ORG_ACCOUNT: ("parentId",)}


def _missing(plan: dict) -> list[str]:
    """What an effective plan lacks of what AWS requires: "Policies must specify the AWS Regions and resources to
    be backed up" and "the IAM role that AWS Backup assumes"; each rule its schedule and target vault."""
    missing = [] if plan.get("regions") else ["regions"]
    rules = plan.get("rules") if isinstance(plan.get("rules"), dict) else {}
    if not rules:
        missing.append("rules")
    for name, rule in rules.items():
        missing += [f"rules.{name}.{key}" for key in ("schedule_expression", "target_backup_vault_name")
                    if not isinstance(rule, dict) or rule.get(key) in (None, "")]
    selections = [selection for kind in ("tags", "resources")
                  for selection in ((plan.get("selections") or {}).get(kind) or {}).values()]
    if not selections:
        missing.append("selections")
    elif any(not isinstance(selection, dict) or not selection.get("iam_role_arn") for selection in selections):
        missing.append("selections[].iam_role_arn")
    return missing


def _holding(target: Target, plan: str) -> Resource:
    """The last policy on the target's path that writes the plan: where the fix goes."""
    return next(policy for policy in reversed(target.policies)
                if plan in ((policy_document(policy) or {}).get("plans") or {}))


def check_effective_plans(stack: Stack, _config: dict) -> Iterator[Violation]:
    for target in stack.derived(organization_targets):
        for name, plan in (target.effective.get("plans") or {}).items():
            if not isinstance(plan, dict) or not (missing := _missing(plan)):
                continue
            yield Violation(
                f"the effective backup policy of {target.label} ({target.route}) has plan '{name}' without "
                f"{', '.join(missing)}: AWS Backup cannot run it in those accounts. Add the missing parts to a policy "
                f"on that path, or attach the policy that holds them (stack config: {ORG_KEY}[].rules, regions, "
                f"selections, attachTo).",
                _holding(target, name).urn,
            )


EFFECTIVE_PLANS = PolicySpec(
    name="aws-organizations-backuppolicy-check-effective-plans",
    description="Each target's effective backup policy (root, OUs, account merged) has complete plans: regions, "
                "rules with a schedule and a target vault, selections with an IAM role.",
    why=f"AWS Organizations, Backup policy syntax: policies must specify the Regions and resources to back up and "
        f"the IAM role AWS Backup assumes; an account's plans are its effective policy's ({aws_limit(23)}).",
    severity="high",
    remediation="Complete the plan in one of the policies on the target's path, or attach the parent policy that "
                "holds the rest of it.",
    reads=ATTACHMENT_READS,
    check=check_effective_plans,
    stack=True,
    aws_limit=True,
)


def check_child_control(stack: Stack, _config: dict) -> Iterator[Violation]:
    seen = set()
    for target in stack.derived(organization_targets):
        for ignored in target.ignored:
            if (ignored.policy, ignored.path, ignored.operator) in seen:
                continue
            seen.add((ignored.policy, ignored.path, ignored.operator))
            policy = stack.by_urn[ignored.policy]
            allowed = ", ".join(sorted(ignored.allowed)) or "@@none"
            yield Violation(
                f"backup policy '{policy.name}' writes {ignored.operator} at {ignored.path}, which does not take "
                f"effect in {target.label} ({target.route}): a policy above it allows child policies "
                f"only {allowed} there. Remove the setting, or allow its operator in the parent's "
                f"@@operators_allowed_for_child_policies (stack config: {ORG_KEY}).",
                policy.urn,
            )


CHILD_CONTROL = PolicySpec(
    name="aws-organizations-backuppolicy-check-child-control",
    description="No backup policy writes a setting that a parent's @@operators_allowed_for_child_policies keeps "
                "from taking effect.",
    why="AWS Organizations, Inheritance operators: an inherited child control operator cannot be reversed in a "
        "child policy; the child's setting silently does not apply, so the stack says what AWS will not do.",
    severity="medium",
    remediation="Remove the child's setting, or allow its operator in the parent policy's child control.",
    reads=ATTACHMENT_READS,
    check=check_child_control,
    stack=True,
)


POLICIES = [SYNTAX, EFFECTIVE_PLANS, CHILD_CONTROL]
