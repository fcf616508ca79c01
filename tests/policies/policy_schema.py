"""The property paths policies declare they read, and where each lives in the installed pulumi_aws input types."""

from __future__ import annotations

import importlib
import re
import typing
from collections.abc import Awaitable, Mapping, Sequence

from compliance.registry import SPECS
from compliance.resources import kind_of


def _prefixes(path: str) -> list[str]:
    """'rules[].lifecycle.deleteAfter' -> rules, rules[], rules[].lifecycle, rules[].lifecycle.deleteAfter."""
    found = []
    for match in re.finditer(r"\[\]|\.|$", path):
        found.append(path[: match.start()])
        if match.group() == "[]":
            found.append(path[: match.end()])
    return list(dict.fromkeys(p for p in found if p))


def declared_reads() -> set[tuple[str, str]]:
    """(kind, path) for every path any policy declares, with the containers on the way to it."""
    return {
        (kind_of(token), prefix)
        for spec in SPECS
        for token, paths in spec.reads.items()
        for path in paths
        for prefix in _prefixes(path)
    }


def args_class(type_token: str) -> type:
    """The pulumi_aws input class of a resource type token, e.g. aws:backup/plan:Plan -> backup.plan.PlanArgs
    (`...InitArgs` where pulumi_aws renamed it to avoid a clash with a nested input type)."""
    _, module_path, name = type_token.split(":")
    package, resource = module_path.split("/")
    # Load the (lazy) package whole first: importing a submodule of a pulumi_aws package that has not loaded yet
    # leaves the package without its resource classes for everyone else in the process.
    getattr(importlib.import_module(f"pulumi_aws.{package}"), name, None)
    module = importlib.import_module(f"pulumi_aws.{package}.{re.sub(r'(?<!^)(?=[A-Z])', '_', resource).lower()}")
    return getattr(module, f"{name}InitArgs", None) or getattr(module, f"{name}Args")


def _inputs(cls: type) -> dict[str, tuple[object, dict]]:
    """Engine (camelCase) name -> (annotation, namespace to resolve it in) of each input property of a class."""
    namespace = vars(importlib.import_module(cls.__module__))
    return {
        getattr(value.fget, "_pulumi_name", attribute): (value.fget.__annotations__["return"], namespace)
        for attribute, value in vars(cls).items()
        if isinstance(value, property)
    }


def _element(annotation: object, namespace: dict) -> tuple[object, bool]:
    """Strip Input/Optional/Awaitable/Output; return (inner type, whether it is a list). Nested input types are
    forward references ('PlanRuleArgs'), resolved in the module that declares them."""
    if isinstance(annotation, typing.ForwardRef):
        return namespace.get(annotation.__forward_arg__, annotation), False
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Union:
        candidates = [a for a in args if a is not type(None) and typing.get_origin(a) is not Awaitable
                      and not (isinstance(a, typing.ForwardRef) and a.__forward_arg__.startswith("Output"))]
        return _element(candidates[0], namespace)
    if origin in (Sequence, list, typing.Sequence) or (isinstance(origin, type) and issubclass(origin, Sequence)
                                                        and origin is not str):
        inner, _ = _element(args[0], namespace)
        return inner, True
    return annotation, False


def path_exists(type_token: str, path: str) -> bool:
    current: object = args_class(type_token)
    steps = path.split(".")
    for index, step in enumerate(steps):
        name, is_item = step.removesuffix("[]"), step.endswith("[]")
        if not isinstance(current, type) or name not in _inputs(current):
            return False
        current, is_list = _element(*_inputs(current)[name])
        if is_item != is_list and (is_item or index < len(steps) - 1):
            return False  # `[]` only on lists, and a list is entered through `[]`
        if isinstance(typing.get_origin(current), type) and issubclass(typing.get_origin(current), Mapping):
            current = dict  # a map of strings (tags): nothing below it is a property
    return True
