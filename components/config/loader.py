"""Read the `aws-backups` namespace into a StackConfig, or fail with one readable line per problem.

Each line names the stack-file key path (`aws-backups:plans[0].rules[1].deleteAfterDays`), the value found and
what is allowed, so ops can fix the stack file without reading Python.
"""

from __future__ import annotations

import enum
import json
import types
import typing
from collections.abc import Mapping
from typing import Annotated, Any

import pulumi
from compliance import facts
from pydantic import BaseModel, Field, ValidationError
from pydantic_core import ErrorDetails

from components.config.base import Arn, Problem
from components.config.regions import regions_with
from components.config.stack import StackConfig

NAMESPACE = "aws-backups"
REGION_KEY = "aws:region"
# Stack-file keys whose values are objects or lists: Pulumi hands them to the program as JSON text.
_STRUCTURED = {"tags", "vaults", "plans", "replication", "regionSettings", "newRegions", "organization", "evidence"}
_NAMESPACE_KEYS = [field.alias for name, field in StackConfig.model_fields.items() if name != "aws_region"]


class ConfigError(pulumi.RunError):
    """The stack config is invalid. A `pulumi.RunError`: the Pulumi language host logs just its message (its
    runner does `except pulumi.RunError as e: pulumi.log.error(str(e))`; other exceptions get a traceback)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(f"Invalid stack config ({count}):\n" + "\n".join(f"  - {line}" for line in problems))


def running_program_config() -> dict[str, Any]:
    """Every config key of the running Pulumi program, as the language host set them (or the `PULUMI_CONFIG`
    environment variable holds them). A mapping, not a getter, so that a misspelt key (`aws-backups:productoin`)
    is refused instead of silently ignored."""
    return {**pulumi.runtime.get_config_env(), **pulumi.runtime.config.CONFIG.get()}


def load_stack_config(source: Mapping[str, Any], stack: str) -> StackConfig:
    """The validated config of `stack`. `source` is the full-key config (`aws-backups:plans`, `aws:region`), e.g.
    `running_program_config()`. Raises ConfigError listing every problem."""
    raw: dict[str, Any] = {"namePrefix": f"{NAMESPACE}-{stack}"}
    problems = _unknown_keys(source)
    for key in _NAMESPACE_KEYS:
        value = source.get(f"{NAMESPACE}:{key}")
        if value is None:
            continue
        if isinstance(value, str) and key in _STRUCTURED:
            try:
                value = json.loads(value)
            except json.JSONDecodeError as error:
                problems.append(f"{NAMESPACE}:{key}: is not valid JSON ({error.msg}) (allowed: a YAML object or list)")
                continue
        raw[key] = value
    raw["awsRegion"] = source.get(REGION_KEY)
    try:
        config = StackConfig.model_validate(raw, context=_region_context(raw))
    except ValidationError as error:
        raise ConfigError(problems + [_describe_error(detail) for detail in error.errors()]) from None
    problems += [_describe_problem(problem) for problem in config.problems()]
    problems = list(dict.fromkeys(problems))  # a default every rule inherits is reported once, not once a rule
    if problems:
        raise ConfigError(problems)
    return config


def _region_context(raw: Mapping[str, Any]) -> dict[str, Any]:
    """What every region of the config is judged against: the regions pulumi-aws knows (and the stack's
    newRegions), and the partition of `aws:region` (once it is a known region)."""
    new_regions = raw.get("newRegions")
    regions = regions_with(new_regions if isinstance(new_regions, list) else [])
    stack_region = raw.get("awsRegion")
    known = isinstance(stack_region, str) and stack_region in regions
    return {"regions": regions, "partition": facts.partition_of_region(stack_region) if known else None}


def key_path(loc: tuple[str | int, ...]) -> str:
    """`('plans', 0, 'rules', 1, 'deleteAfterDays')` -> `aws-backups:plans[0].rules[1].deleteAfterDays`."""
    if loc[:1] == ("awsRegion",):
        return REGION_KEY
    path = NAMESPACE + ":"
    for index, part in enumerate(loc):
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += part if index == 0 else f".{part}"
    return path


def _unknown_keys(config: Mapping[str, Any]) -> list[str]:
    allowed = ", ".join(_NAMESPACE_KEYS)
    return [
        f"{key}: is not a known key (allowed: {allowed})"
        for key in config
        if key.startswith(NAMESPACE + ":") and key.removeprefix(NAMESPACE + ":") not in _NAMESPACE_KEYS
    ]


def config_error(problems: list[Problem]) -> ConfigError:
    """The error for problems found after loading (e.g. in a rendered document), named by their config keys."""
    return ConfigError([_describe_problem(problem) for problem in problems])


def _describe_problem(problem: Problem) -> str:
    return f"{key_path(problem.path)}: {_show(problem.value)} {problem.message}"


def _describe_error(detail: ErrorDetails) -> str:
    loc = tuple(detail["loc"])
    value = detail.get("input")
    ctx = detail.get("ctx", {})
    kind = detail["type"]
    if kind == "extra_forbidden":  # before the null check: an unknown key set to null is still unknown
        allowed = ", ".join(_keys_of(loc[:-1])) or "none"
        return f"{key_path(loc)}: is not a known key (allowed: {allowed})"
    if kind == "missing" or value is None:
        return f"{key_path(loc)}: is required (required: {_expected_at(loc) or 'a value'})"
    reasons = {
        "greater_than_equal": lambda: f"is below the minimum (allowed: {ctx.get('ge')} or more)",
        "greater_than": lambda: f"is too small (allowed: more than {ctx.get('gt')})",
        "less_than_equal": lambda: f"is above the maximum (allowed: at most {ctx.get('le')})",
        "literal_error": lambda: f"is not allowed (allowed: {ctx.get('expected')})",
        "string_pattern_mismatch": lambda: f"does not have the required form (allowed: {ctx.get('pattern')})",
        "too_short": lambda: f"has too few items (allowed: at least {ctx.get('min_length')})",
        "too_long": lambda: f"has too many items (allowed: at most {ctx.get('max_length')})",
        "string_too_short": lambda: f"is too short (allowed: at least {ctx.get('min_length')} characters)",
        "string_too_long": lambda: f"is too long (allowed: at most {ctx.get('max_length')} characters)",
        "value_error": lambda: str(ctx.get("error")),
        "enum": lambda: f"is not allowed (allowed: {ctx.get('expected')})",
    }
    if kind in reasons:
        reason = reasons[kind]()
    elif expected := _expected_at(loc):
        reason = f"is not valid (allowed: {expected})"
    else:
        reason = f"is not valid: {detail['msg']}"
    return f"{key_path(loc)}: {_show(value)} {reason}"


def _show(value: object) -> str:
    """A value as ops wrote it, short enough for one line."""
    if value is None:
        return "(not set)"
    text = repr(value) if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


# Shapes that a pattern alone would describe badly.
_NAMED_PATTERNS = {
    Arn.__metadata__[0].metadata[0].pattern: "an ARN (arn:<partition>:<service>:<region>:<account>:<resource>)",  # type: ignore[attr-defined]
}


def _keys_of(loc: tuple[str | int, ...]) -> list[str]:
    """The keys allowed in the section at `loc` (for an unknown-key message)."""
    annotation = _unwrap(_annotation_at(loc))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [field.alias for field in annotation.model_fields.values()]
    return []


def _annotation_at(loc: tuple[str | int, ...]) -> Any:
    """The declared type of the key at `loc` (constraints kept as `Annotated` metadata), or None if unknown."""
    annotation: Any = StackConfig
    for part in loc:
        annotation = _unwrap_optional(annotation)
        model = _unwrap(annotation)
        if isinstance(part, int) or not (isinstance(model, type) and issubclass(model, BaseModel)):
            annotation = _item_type(annotation)
            continue
        field = next((f for f in model.model_fields.values() if f.alias == part), None)
        if field is None:
            return None
        # pydantic moves a top-level Field(description=...) onto the field itself: put it back with the metadata.
        metadata = [*field.metadata, *([Field(description=field.description)] if field.description else [])]
        annotation = Annotated[(field.annotation, *metadata)] if metadata else field.annotation
    return annotation


def _expected_at(loc: tuple[str | int, ...]) -> str | None:
    """What the key at `loc` takes, in ops' words: `true or false`, `a whole number, 1 or more`, the allowed
    names, `a section with keys: ...`; None when the type says nothing useful."""
    annotation = _unwrap_optional(_annotation_at(loc))
    constraints = _constraints(annotation)
    kind = _unwrap(annotation)
    if kind is bool:
        return "true or false"
    if constraints.get("description") and kind in (int, str):
        return constraints["description"]
    if kind is int:
        low, high = constraints.get("ge"), constraints.get("le")
        if low is not None and high is not None:
            return f"a whole number from {low} to {high}"
        if low is not None:
            return f"a whole number, {low} or more"
        return "a whole number" + (f", at most {high}" if high is not None else "")
    if typing.get_origin(kind) is typing.Literal:
        return _one_of(typing.get_args(kind))
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return _one_of([member.value for member in kind])
    if kind is str:
        pattern = constraints.get("pattern")
        return _NAMED_PATTERNS.get(pattern) or (f"text matching {pattern}" if pattern else "text")
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return "a section with keys: " + ", ".join(field.alias for field in kind.model_fields.values())
    if typing.get_origin(kind) is list:
        item = _expected_of(typing.get_args(kind)[0]) if typing.get_args(kind) else None
        return "a list" + (f" of: {item}" if item else "")
    if typing.get_origin(kind) is dict:
        return "a map of names to text"
    return None


def _expected_of(annotation: Any) -> str | None:
    """`_expected_at` for a type rather than a key path (list items)."""
    kind = _unwrap(annotation)
    if typing.get_origin(kind) is typing.Literal:
        return _one_of(typing.get_args(kind))
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return "sections with keys: " + ", ".join(field.alias for field in kind.model_fields.values())
    return None


def _one_of(values: typing.Iterable[object]) -> str:
    shown = [repr(value) for value in values]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + f" or {shown[-1]}"


def _constraints(annotation: Any) -> dict[str, Any]:
    """The `ge` / `le` / `pattern` / `description` constraints declared on a type (pydantic `Field` metadata, at any
    depth)."""
    found: dict[str, Any] = {}
    while typing.get_origin(annotation) is Annotated:
        annotation, *metadata = typing.get_args(annotation)
        for item in metadata:
            for inner in [item, *getattr(item, "metadata", [])]:
                for name in ("ge", "le", "pattern", "description"):
                    if getattr(inner, name, None) is not None:
                        found.setdefault(name, getattr(inner, name))
    return found


def _unwrap_optional(annotation: Any) -> Any:
    """`X | None` -> X, keeping X's `Annotated` constraints."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        kept = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return kept[0] if len(kept) == 1 else annotation
    return annotation


def _unwrap(annotation: Any) -> Any:
    """`X | None` and `Annotated[X, ...]` -> X."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        kept = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return _unwrap(kept[0]) if len(kept) == 1 else annotation
    return annotation


def _item_type(annotation: Any) -> Any:
    """The element type of a list, or the value type of a dict."""
    args = typing.get_args(_unwrap(annotation))
    return args[-1] if args else None
