"""The indexed vault look-ups (`compliance.vault_links`, `Stack.dependents`) find what a scan of the stack finds:
linked through property_dependencies or named literally in the same region, each once, in stack order."""

from __future__ import annotations

from compliance.facts import UNKNOWN_STRING
from compliance.resources import PLAN, SELECTION, VAULT, VAULT_LOCK, Props, Resource, Stack
from compliance.vault_links import attached, lock_of, vault_named


def resource(type_: str, name: str, props: dict, deps: dict[str, list[str]] | None = None) -> Resource:
    return Resource(type=type_, name=name, urn=f"urn:{type_}::{name}", props=Props(props, type_),
                    property_dependencies=deps or {})


def vault(name: str, region: str | None = None) -> Resource:
    return resource(VAULT, name, {"name": name, **({"region": region} if region else {})})


def lock(name: str, props: dict, deps: dict[str, list[str]] | None = None) -> Resource:
    return resource(VAULT_LOCK, name, props, deps)


def test_attached_by_link_or_by_name_in_the_region_once_and_in_stack_order():
    main, other = vault("main"), vault("other", "eu-west-1")
    linked = lock("linked", {"backupVaultName": UNKNOWN_STRING}, {"backupVaultName": [main.urn]})
    both = lock("both", {"backupVaultName": "main"}, {"backupVaultName": [main.urn]})
    named = lock("named", {"backupVaultName": "main"})
    elsewhere = lock("elsewhere", {"backupVaultName": "main", "region": "eu-west-1"})
    unrelated = lock("unrelated", {"backupVaultName": "other"})
    stack = Stack([named, main, other, both, linked, elsewhere, unrelated], default_region="us-east-1")

    assert [r.name for r in attached(stack, main, VAULT_LOCK)] == ["named", "both", "linked"]
    assert lock_of(stack, main) is named
    assert attached(stack, other, VAULT_LOCK) == []  # `unrelated` names it, but in the stack's default region


def test_a_vault_whose_name_is_unknown_is_found_only_through_links():
    unknown = resource(VAULT, "unknown", {"name": UNKNOWN_STRING})
    linked = lock("linked", {"backupVaultName": UNKNOWN_STRING}, {"backupVaultName": [unknown.urn]})
    stack = Stack([unknown, linked, lock("named", {"backupVaultName": UNKNOWN_STRING})])
    assert attached(stack, unknown, VAULT_LOCK) == [linked]
    assert vault_named(stack, None, UNKNOWN_STRING) is None


def test_vault_named_is_the_first_vault_of_that_name_in_that_region():
    first, second, west = vault("main"), vault("main"), vault("main", "eu-west-1")
    stack = Stack([first, second, west], default_region="us-east-1")
    assert vault_named(stack, "us-east-1", "main") is first
    assert vault_named(stack, "eu-west-1", "main") is west
    assert vault_named(stack, "us-east-1", "missing") is None
    assert vault_named(stack, "us-east-1", None) is None


def test_dependents_are_the_reverse_of_linked():
    plan, other = resource(PLAN, "plan", {}), resource(PLAN, "other", {})
    twice = resource(SELECTION, "twice", {}, {"planId": [plan.urn, plan.urn]})
    once = resource(SELECTION, "once", {}, {"planId": [plan.urn]})
    stack = Stack([twice, plan, other, once, resource(SELECTION, "none", {})])
    assert stack.dependents(plan, "planId", SELECTION) == [twice, once]
    assert stack.dependents(other, "planId", SELECTION) == []
    assert stack.linked(once, "planId", PLAN) == [plan]
