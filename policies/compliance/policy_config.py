"""Resolve a `--policy-pack-config` file (a profile, e.g. policies/profiles/sec-17a-4.json) against the pack's own
schemas, as the Pulumi CLI does before `Configure`: for preflight (the schemas the pack process reports), and for the
program and the retention report (the schemas of the registry's specs, `schemas_of`).

The file maps policy names (or `all`) to an enforcement level, or to an object with an optional
`enforcementLevel` and the policy's config properties. Each policy's properties get their schema defaults and are
validated with a JSON-schema library; the result is what `PolicyPackProcess.configure` sends.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import jsonschema

ENFORCEMENT_LEVELS = ("advisory", "mandatory", "remediate", "disabled")


class PolicyConfigError(Exception):
    """The policy config file is unreadable or does not fit the pack's schemas."""


def load_policy_config_file(path: str | Path) -> dict[str, Any]:
    try:
        document = json.loads(Path(path).read_text())
    except OSError as error:
        raise PolicyConfigError(f"cannot read policy config {path}: {error.strerror}") from error
    except json.JSONDecodeError as error:
        raise PolicyConfigError(f"policy config {path} is not JSON: {error}") from error
    if not isinstance(document, dict):
        raise PolicyConfigError(f"policy config {path} must be a JSON object of policy names")
    return document


def _level(value: Any, where: str) -> str:
    if value not in ENFORCEMENT_LEVELS:
        raise PolicyConfigError(f"{where}: enforcement level {value!r} is not one of {', '.join(ENFORCEMENT_LEVELS)}")
    return value


def _with_defaults(schema: Mapping[str, Any], properties: Mapping[str, Any]) -> dict[str, Any]:
    filled = dict(properties)
    for key, spec in schema.get("properties", {}).items():
        if key not in filled and isinstance(spec, Mapping) and "default" in spec:
            filled[key] = copy.deepcopy(spec["default"])
    return filled


@functools.lru_cache(maxsize=256)
def _validator(schema_json: str) -> Any:
    """A checked validator of a schema (as JSON text, to be hashable): `jsonschema.validate` checks the schema
    against its meta-schema on every call, which was most of a config's resolution (84 policies, three times in a
    preflight of prod)."""
    schema = json.loads(schema_json)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate(instance: Any, schema: Mapping[str, Any]) -> None:
    """`jsonschema.validate(instance, schema)`, with the schema's validator made once."""
    error = jsonschema.exceptions.best_match(_validator(json.dumps(schema, sort_keys=True)).iter_errors(instance))
    if error is not None:
        raise error


def resolve_policy_config(
    schemas: Mapping[str, Mapping[str, Any]], document: Mapping[str, Any] | None
) -> dict[str, tuple[str, dict[str, Any]]]:
    """`schemas` as `pack_client.policy_schemas` gives; returns policy name -> (level, properties)."""
    document = dict(document or {})
    unknown = sorted(set(document) - set(schemas) - {"all"})
    if unknown:
        raise PolicyConfigError(
            f"policy config names policies the pack does not have: {', '.join(unknown)} "
            f"(the pack has: {', '.join(sorted(schemas))})"
        )
    all_level = _level(document["all"], "all") if "all" in document else None

    resolved: dict[str, tuple[str, dict[str, Any]]] = {}
    for name, policy in schemas.items():
        level = all_level or policy["enforcementLevel"]
        entry = document.get(name, {})
        if isinstance(entry, str):
            level, properties = _level(entry, name), {}
        elif isinstance(entry, Mapping):
            properties = {k: v for k, v in entry.items() if k != "enforcementLevel"}
            if "enforcementLevel" in entry:
                level = _level(entry["enforcementLevel"], f"{name}.enforcementLevel")
        else:
            raise PolicyConfigError(f"{name}: expected an enforcement level or an object, got {entry!r}")
        properties = _with_defaults(policy["schema"], properties)
        try:
            _validate(properties, policy["schema"])
        except jsonschema.ValidationError as error:
            path = ".".join(str(p) for p in error.absolute_path)
            raise PolicyConfigError(f"{name}{'.' + path if path else ''}: {error.message}") from error
        resolved[name] = (level, properties)
    return resolved


def schemas_of(specs: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """The policies' default levels and config schemas, as the pack describes them to the CLI (GetAnalyzerInfo),
    from the registry's PolicySpecs rather than over the protocol."""
    return {spec.name: {"enforcementLevel": spec.level, "schema": {"type": "object", "properties": dict(spec.knobs)}}
            for spec in specs}
