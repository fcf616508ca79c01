"""Organizations backup policies (`BACKUP_POLICY`), whichever stack attaches them: a document AWS accepts (JSON
without duplicate keys, the backup policy's element tree, its operators, at most 10,000 characters). The plans
inside are judged by the plan policies themselves (compliance.org_plans), as plans of the stack are."""

from __future__ import annotations

from collections.abc import Iterator

from compliance.org_backup_policy import MAX_POLICY_CHARACTERS, PolicySyntaxError, parse, syntax_problems
from compliance.org_plans import BACKUP_POLICY, is_backup_policy
from compliance.resources import ORG_POLICY, Resource
from compliance.spec import PolicySpec, aws_limit

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


POLICIES = [SYNTAX]
