"""IAM policy documents as policies read them (a vault access policy, a bucket policy): JSON text or an object."""

from __future__ import annotations

import json


def statements(document: object) -> list[dict]:
    """The statements of a policy document; none when it is not one."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError:
            return []
    found = document.get("Statement", []) if isinstance(document, dict) else []
    found = [found] if isinstance(found, dict) else found
    return [s for s in found if isinstance(s, dict)]


def as_list(value: object) -> list:
    """An Action / Principal / Resource value as a list (IAM takes one value or a list)."""
    return [value] if isinstance(value, (str, dict)) else list(value) if isinstance(value, list) else []


def applies_to_everyone(statement: dict) -> bool:
    principal = statement.get("Principal")
    if principal == "*":
        return True
    return isinstance(principal, dict) and set(principal) == {"AWS"} and "*" in as_list(principal["AWS"])
