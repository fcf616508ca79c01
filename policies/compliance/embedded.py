"""Resources described inside another resource: the plans of an Organizations backup policy (org_plans), the vaults
of a StackSet's template (stack_set_templates). A policy that judges the inner kind judges them like the stack's
own, and reports on the container with a label saying which inner resource it means."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from compliance.resources import Resource


@dataclass(frozen=True)
class Embedding:
    container: str  # the kind that holds them
    reads: Mapping[str, tuple[str, ...]]  # what reading them reads of the container
    kinds: frozenset[str]  # the kinds inside
    expand: Callable[[Resource], list[tuple[str, Resource]]]  # (label for messages, resource) of one container
    message: Callable[[str], str]  # a policy's message about an inner resource, its fix in the container's terms
    stack_policies: bool  # stack policies see them too (in the stack, linked among themselves)

    def applies(self, reads: Mapping[str, tuple[str, ...]], stack: bool) -> bool:
        return bool(self.kinds & set(reads)) and (self.stack_policies or not stack)


def replacing(*pairs: tuple[str, str]) -> Callable[[str], str]:
    """A message rewrite: each (text, replacement) in turn."""
    def rewrite(message: str) -> str:
        for old, new in pairs:
            message = message.replace(old, new)
        return message
    return rewrite
