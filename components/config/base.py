"""The base of every config model: camelCase keys as in the stack file, unknown keys rejected."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class ConfigModel(BaseModel):
    """A section of the stack file. Keys are camelCase (so `pulumi config set --path` works); a misspelt key is an
    error rather than a silently ignored setting."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


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


# Shapes shared by several sections. Partitions: aws, aws-us-gov, aws-cn, aws-iso*.
Arn = Annotated[str, Field(pattern=r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}|aws)?:.+$")]
Region = Annotated[str, Field(pattern=r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")]


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
