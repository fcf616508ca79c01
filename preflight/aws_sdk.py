"""What the installed pulumi_aws SDK says about a resource type: its class, its input and output property names
(engine camelCase), and whether a nested output path exists. The engine model falls back on these for a type
without provider facts, and the facts' test checks every path it names against them.

The input and output names of the provider facts' types are also recorded in data/aws_sdk_names.json (`python -m
preflight.aws_sdk` writes it): reading them means importing pulumi_aws's modules, 0.5 s of CPU for a stack's types,
which the model provider paid at the start of every engine test. The record is read only while the installed
pulumi_aws is the version it was written from, and a test holds it equal to what that SDK says.
"""

from __future__ import annotations

import collections.abc
import functools
import importlib
import importlib.metadata
import json
import sys
import typing
from pathlib import Path
from typing import Any

PACKAGE = "pulumi_aws"
NAMES_FILE = Path(__file__).parent / "data" / "aws_sdk_names.json"


@functools.cache
def resource_class(type_token: str) -> type | None:
    """`aws:backup/plan:Plan` -> `pulumi_aws.backup.Plan` (`aws:index/...` at the package root); None for a token
    the installed SDK does not have. Looked up through the package: pulumi_aws loads its modules lazily."""
    parts = type_token.split(":")
    if len(parts) != 3 or parts[0] != "aws":
        return None
    module_name = parts[1].split("/")[0]
    try:
        module = importlib.import_module(PACKAGE if module_name == "index" else f"{PACKAGE}.{module_name}")
        return getattr(module, parts[2])
    except (ImportError, AttributeError):
        return None


def _args_class(type_token: str) -> type | None:
    cls = resource_class(type_token)
    if cls is None:
        return None
    module = sys.modules[cls.__module__]
    # A resource whose name collides with an input type (s3 `BucketVersioningArgs`) has its own `<Name>InitArgs`.
    return getattr(module, f"{cls.__name__}InitArgs", None) or getattr(module, f"{cls.__name__}Args", None)


def _properties(cls: type) -> dict[str, Any]:
    """Engine name -> return annotation of each `pulumi.getter` property of a class."""
    from pulumi._types import _py_properties  # the SDK, only when pulumi_aws's classes are read

    return {name: prop.fget.__annotations__.get("return") for _, name, prop in _py_properties(cls)}


def sdk_input_names(type_token: str) -> frozenset[str]:
    args = _args_class(type_token)
    return frozenset(_properties(args)) if args else frozenset()


def sdk_output_names(type_token: str) -> frozenset[str]:
    """The resource's output properties, without `id` and `urn` (never among a resource's properties)."""
    cls = resource_class(type_token)
    return frozenset(_properties(cls)) - {"id", "urn"} if cls else frozenset()


def installed_version() -> str:
    return importlib.metadata.version(PACKAGE)


@functools.cache
def _recorded() -> dict[str, dict[str, list[str]]]:
    """type -> {"inputs": [...], "outputs": [...]}, when written from the installed pulumi_aws; else nothing."""
    document = json.loads(NAMES_FILE.read_text())
    return document["types"] if document["pulumiAws"] == installed_version() else {}


@functools.cache
def input_names(type_token: str) -> frozenset[str]:
    recorded = _recorded().get(type_token)
    return frozenset(recorded["inputs"]) if recorded else sdk_input_names(type_token)


@functools.cache
def output_names(type_token: str) -> frozenset[str]:
    recorded = _recorded().get(type_token)
    return frozenset(recorded["outputs"]) if recorded else sdk_output_names(type_token)


def names_record(type_tokens: collections.abc.Iterable[str]) -> dict[str, Any]:
    """What data/aws_sdk_names.json holds for these types, read from the installed SDK."""
    return {"pulumiAws": installed_version(),
            "types": {token: {"inputs": sorted(sdk_input_names(token)), "outputs": sorted(sdk_output_names(token))}
                      for token in sorted(type_tokens)}}


def _nested_type(annotation: Any, module_name: str) -> type | None:
    """The output type a property annotation holds (through Output[...], Optional, Sequence, or a string forward
    reference such as 'outputs.PlanRule'), if any."""
    if isinstance(annotation, typing.ForwardRef):
        annotation = annotation.__forward_arg__
    if isinstance(annotation, str):
        package = module_name.rsplit(".", 1)[0]
        return getattr(sys.modules.get(f"{package}.outputs"), annotation.rpartition(".")[2], None)
    for arg in typing.get_args(annotation):
        found = _nested_type(arg, module_name)
        if found is not None:
            return found
    return annotation if isinstance(annotation, type) and hasattr(annotation, "_pulumi_output_type") else None


def _is_list(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (collections.abc.Sequence, list):
        return True
    return any(_is_list(arg) for arg in typing.get_args(annotation) if not isinstance(arg, typing.ForwardRef))


def output_path_problem(type_token: str, path: str) -> str | None:
    """Why `path` (`rules[].lifecycle.coldStorageAfter`) is not an output of the type, or None when it is. On the
    way to the last property, one holding a list must be written with `[]` (every item), a single object without;
    the last one names the property itself, whatever it holds."""
    cls = resource_class(type_token)
    if cls is None:
        return f"{type_token} is not a type of the installed {PACKAGE}"
    walked = ""
    parts = path.split(".")
    for position, part in enumerate(parts):
        if cls is None:
            return f"{walked} holds a value, not an object"
        name, is_list = part.removesuffix("[]"), part.endswith("[]")
        properties = _properties(cls)
        if name not in properties:
            return f"{name} is not a property of {cls.__name__}"
        annotation = properties[name]
        last = position == len(parts) - 1
        if is_list != _is_list(annotation) and not (last and not is_list):
            shape = f"a list: write {name}[]" if _is_list(annotation) else "not a list"
            return f"{name} of {cls.__name__} is {shape}"
        cls = _nested_type(annotation, cls.__module__)
        walked = f"{walked}.{part}" if walked else part
    return None


if __name__ == "__main__":  # python -m preflight.aws_sdk: record the names of the provider facts' types
    from preflight.engine_model import load_facts

    NAMES_FILE.write_text(json.dumps(names_record(load_facts().types), indent=1) + "\n")
