"""Check recorded resource inputs against the installed pulumi_aws input types.

Every (nested) camelCase key a component sets must be a real input property name of the resource's Args class
(`pulumi.getter(name=...)`), recursively through the `_inputs.py` input types. Maps (tags, policies given as
objects) are free-form and not descended into. Reusable: `unknown_input_names(recorded_resources)`.
"""

from __future__ import annotations

import collections.abc
import importlib
import sys
import typing
from typing import Any

from pulumi._types import _py_properties, is_input_type

PROVIDER_PREFIX = "aws:"


def args_class(type_token: str) -> type:
    """`aws:backup/plan:Plan` -> `pulumi_aws.backup.plan.PlanArgs` (`aws:index/...` lives at the package root).
    Found through the package, not by importing `pulumi_aws.backup.plan`: pulumi_aws packages load lazily, and
    importing a submodule first leaves the package without its resource classes."""
    _, module_path, class_name = type_token.split(":")
    module_name = module_path.split("/")[0]
    module = importlib.import_module("pulumi_aws" if module_name == "index" else f"pulumi_aws.{module_name}")
    resource_module = sys.modules[getattr(module, class_name).__module__]
    # A resource whose name collides with an input type (s3 `BucketVersioningArgs` is the legacy inline block) has
    # its own `<Name>InitArgs`.
    return getattr(resource_module, f"{class_name}InitArgs", None) or getattr(resource_module, f"{class_name}Args")


def input_properties(cls: type) -> dict[str, Any]:
    """Engine name -> annotation of every input property of an Args / input type, forward references to other
    input types resolved in the class's module."""
    namespace = vars(sys.modules[cls.__module__])
    return {
        pulumi_name: _resolve(prop.fget.__annotations__["return"], namespace)
        for _, pulumi_name, prop in _py_properties(cls)
    }


def _resolve(annotation: Any, namespace: dict[str, Any]) -> Any:
    """The annotation with `'PlanRuleArgs'`-style forward references replaced by the classes. `pulumi.Input`'s own
    `"Output[T]"` reference stays unresolved: an Output is never a recorded value."""
    if isinstance(annotation, typing.ForwardRef):
        return namespace.get(annotation.__forward_arg__, annotation)
    args = typing.get_args(annotation)
    if not args:
        return annotation
    resolved = tuple(_resolve(arg, namespace) for arg in args)
    origin = typing.get_origin(annotation)
    # typing.Union cannot be spelt with `|` here: its members are built at run time.
    return typing.Union[resolved] if origin is typing.Union else origin[resolved]  # noqa: UP007


def unknown_input_names(resources: collections.abc.Iterable[Any]) -> list[str]:
    """`<type> <name>: <path>` for every input key of a pulumi-aws resource that the installed SDK does not have.
    `resources` are recorded resources with `.type`, `.name` and `.inputs` (engine names)."""
    found: list[str] = []
    for resource in resources:
        if resource.type.startswith(PROVIDER_PREFIX):
            prefix = f"{resource.type} {resource.name}: "
            found += [prefix + path for path in _unknown_in_object(resource.inputs, args_class(resource.type), "")]
    return found


def _unknown_in_object(value: dict[str, Any], cls: type, path: str) -> list[str]:
    properties = input_properties(cls)
    found = []
    for key, item in value.items():
        where = f"{path}.{key}" if path else key
        if key not in properties:
            found.append(f"{where} is not an input of {cls.__name__}")
        else:
            found += _unknown_in_value(item, properties[key], where)
    return found


def _unknown_in_value(value: Any, annotation: Any, path: str) -> list[str]:
    candidates = _plain_types(annotation)
    if isinstance(value, dict):
        input_types = [c for c in candidates if isinstance(c, type) and is_input_type(c)]
        return _unknown_in_object(value, input_types[0], path) if input_types else []
    if isinstance(value, list):
        item_types = [typing.get_args(c)[0] for c in candidates if typing.get_origin(c) is collections.abc.Sequence]
        found = []
        for index, item in enumerate(value):
            found += _unknown_in_value(item, item_types[0], f"{path}[{index}]") if item_types else []
        return found
    return []


def _plain_types(annotation: Any) -> list[Any]:
    """The concrete types an `Input[Optional[...]]` annotation allows (unions flattened; Output/Awaitable dropped)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union:
        return [plain for arg in typing.get_args(annotation) for plain in _plain_types(arg)]
    if annotation is type(None) or origin is collections.abc.Awaitable or isinstance(annotation, typing.ForwardRef):
        return []
    return [annotation]
