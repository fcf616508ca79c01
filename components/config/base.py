"""The base of every config model: camelCase keys as in the stack file, unknown keys rejected."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from compliance import facts
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo
from pydantic.alias_generators import to_camel
from pydantic.fields import FieldInfo

from components.config.regions import KNOWN_REGIONS, NEWER_REGION

# `pulumi config set --path KEY 1234` stores digits as a number and `true`/`false` as booleans unless `--type
# string` is given (pulumi `sdk/go/common/resource/config/object.go`, coerce; a value with a leading zero stays
# text). Where a field is text, the number or boolean is taken back as the text that was typed: lossless.
CONFIG_SET_HINT = "pulumi config set --path --type string"


def physical_name(prefix: str, name: str) -> str:
    """The AWS name of a resource: explicit and derived from config, so it is known at preview time and the
    policy pack can read it (auto-names are unknown on a first preview)."""
    return f"{prefix}-{name}"


class ConfigModel(BaseModel):
    """A section of the stack file. Keys are camelCase (so `pulumi config set --path` works); a misspelt key is an
    error rather than a silently ignored setting. A number set where text is expected is taken as its digits."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid",
                              coerce_numbers_to_str=True)


def _as_typed(value: object) -> object:
    """A boolean `pulumi config set --path` stored from `true` / `false`, back as the text (numbers: the model's
    coerce_numbers_to_str)."""
    return ("true" if value else "false") if isinstance(value, bool) else value


def _account_id_as_typed(value: object) -> object:
    """An account id stored as a number is exact only with 12 digits: a leading zero was lost otherwise."""
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    if len(str(value)) == 12:
        return str(value)
    raise ValueError(f"is a number, not the 12 digits of an account id: a number loses leading zeros. Quote it in the "
                     f"stack file, or set it as text: `{CONFIG_SET_HINT} <this key> <the 12 digits>` (allowed: 12 "
                     f"digits, as text)")


def checked(rule: Callable[[Any], str | None], allowed: str) -> tuple[FieldInfo, AfterValidator]:
    """The metadata of a type checked by one of AWS's rules in `compliance.facts` (the pack calls the same
    function): `rule` returns why AWS refuses the value, or None; pass a lambda that reads `facts.<rule>` at call
    time. `allowed` says what the key takes when it is missing. Use as `Annotated[int, *checked(...)]`."""

    def validate(value: Any) -> Any:
        if (problem := rule(value)) is not None:
            raise ValueError(problem)
        return value

    return Field(description=allowed), AfterValidator(validate)


# Free text (tag values, condition values): a number or boolean is taken as the text typed.
Text = Annotated[str, BeforeValidator(_as_typed)]
TagMap = dict[Annotated[str, Field(min_length=1, max_length=facts.MAX_TAG_KEY)],
              Annotated[Text, Field(max_length=facts.MAX_TAG_VALUE)]]
AccountId = Annotated[str, Field(pattern=r"^\d{12}$"), BeforeValidator(_account_id_as_typed)]


class Problem(Exception):
    """A cross-field problem found after the shape is valid: where (path relative to the model), the value found,
    and what is allowed."""

    def __init__(self, path: tuple[str | int, ...], value: object, message: str):
        super().__init__(message)
        self.path = path
        self.value = value
        self.message = message


def within(prefix: tuple[str | int, ...], problems: list[Problem]) -> list[Problem]:
    """The same problems, located under `prefix` (a model reports paths relative to itself)."""
    return [Problem((*prefix, *p.path), p.value, p.message) for p in problems]


# Regions and the regions inside ARNs are judged against the regions pulumi-aws knows and the stack's partition,
# which the loader passes in the validation context ({"regions": ..., "partition": ...}).
def _region_context(info: ValidationInfo) -> tuple[frozenset[str], str | None]:
    context = info.context or {}
    return context.get("regions", KNOWN_REGIONS), context.get("partition")


def _known_region(value: str, info: ValidationInfo) -> str:
    regions, partition = _region_context(info)
    if (problem := facts.region_problem(value, regions, partition, also=NEWER_REGION)) is not None:
        raise ValueError(problem)
    return value


def arn_in_known_region(value: str, info: ValidationInfo) -> str:
    regions, partition = _region_context(info)
    if (problem := facts.arn_region_problem(value, regions, partition, also=NEWER_REGION)) is not None:
        raise ValueError(problem)
    return value


# Shapes shared by several sections.
Arn = Annotated[str, Field(pattern=r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}|aws)?:.+$"),
                AfterValidator(arn_in_known_region)]
Region = Annotated[str, Field(description="an AWS region, e.g. eu-west-1"), AfterValidator(_known_region)]


def duplicate_values(key: str, values: list[str]) -> list[Problem]:
    """A problem for every value that repeats an earlier one in the same list."""
    return [Problem((key, index), value, "is listed twice (allowed: each value once)")
            for index, value in enumerate(values) if value in values[:index]]


def duplicate_names(section: str, names: list[str | None]) -> list[Problem]:
    """A problem for every name that repeats an earlier one in the same list."""
    seen: set[str] = set()
    found = []
    for index, name in enumerate(names):
        if name is not None and name in seen:
            found.append(Problem((section, index, "name"), name, f"is used twice in {section} (allowed: unique names)"))
        if name is not None:
            seen.add(name)
    return found
