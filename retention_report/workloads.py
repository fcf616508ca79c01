"""What the protected resources weigh: count, size and daily change per resource type, for the cost estimate.

They come from a small cost-model file of the report (`--cost-model FILE`, YAML or JSON), not from the stack
config: the Pulumi program neither needs nor deploys them, and an estimate changing should not touch the stack.
Without a file, or for a type the file leaves out, every type counts one resource of DEFAULT_SIZE_GB changing
DEFAULT_DAILY_CHANGE a day: stated in the report.

    default: {count: 1, sizeGb: 100, dailyChangeRate: 0.02}
    resourceTypes:
      EBS: {count: 40, sizeGb: 200, dailyChangeRate: 0.03}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from components.config.resource_types import RESOURCE_TYPES
from retention_report.model import Workload

DEFAULT_COUNT = 1
DEFAULT_SIZE_GB = 100.0
DEFAULT_DAILY_CHANGE = 0.02
_KEYS = {"count", "sizeGb", "dailyChangeRate"}
# AWS Backup's types, and S3: the buckets the stack replicates (their solution types are compared too).
COST_MODEL_TYPES = (*RESOURCE_TYPES, "S3")


class CostModelError(ValueError):
    """The cost-model file is unreadable or holds a bad value; the message names the key."""


def _number(value: Any, where: str, low: float, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < low or (high and value > high):
        allowed = f"a number from {low:g}" + (f" to {high:g}" if high else "")
        raise CostModelError(f"{where}: {value!r} is not allowed (allowed: {allowed})")
    return float(value)


def _entry(raw: Any, where: str, base: dict[str, float]) -> dict[str, float]:
    if not isinstance(raw, dict):
        raise CostModelError(f"{where}: expected a mapping of {', '.join(sorted(_KEYS))}")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise CostModelError(f"{where}.{unknown[0]}: unknown key (allowed: {', '.join(sorted(_KEYS))})")
    merged = dict(base)
    if "count" in raw:
        if isinstance(raw["count"], bool) or not isinstance(raw["count"], int) or raw["count"] < 0:
            raise CostModelError(f"{where}.count: {raw['count']!r} is not allowed (allowed: a whole number from 0)")
        merged["count"] = raw["count"]
    if "sizeGb" in raw:
        merged["sizeGb"] = _number(raw["sizeGb"], f"{where}.sizeGb", 0)
    if "dailyChangeRate" in raw:
        merged["dailyChangeRate"] = _number(raw["dailyChangeRate"], f"{where}.dailyChangeRate", 0, 1)
    return merged


def parse_cost_model(document: Any) -> dict[str, Workload]:
    document = document or {}
    if not isinstance(document, dict):
        raise CostModelError("cost model: expected a mapping with `default` and/or `resourceTypes`")
    base = _entry(document.get("default", {}), "default",
                  {"count": DEFAULT_COUNT, "sizeGb": DEFAULT_SIZE_GB, "dailyChangeRate": DEFAULT_DAILY_CHANGE})
    per_type = document.get("resourceTypes", {}) or {}
    unknown = sorted(set(per_type) - set(COST_MODEL_TYPES))
    if unknown:
        raise CostModelError(f"resourceTypes.{unknown[0]}: not a resource type (allowed: "
                             f"{', '.join(COST_MODEL_TYPES)})")
    workloads = {}
    for kind in COST_MODEL_TYPES:
        entry = _entry(per_type.get(kind, {}), f"resourceTypes.{kind}", base)
        workloads[kind] = Workload(kind, int(entry["count"]), entry["sizeGb"], entry["dailyChangeRate"])
    return workloads


def load_cost_model(path: Path | None) -> dict[str, Workload]:
    if path is None:
        return parse_cost_model(None)
    try:
        return parse_cost_model(yaml.safe_load(Path(path).read_text()))
    except OSError as error:
        raise CostModelError(f"cannot read cost model {path}: {error.strerror}") from error
    except yaml.YAMLError as error:
        raise CostModelError(f"cost model {path} is not YAML/JSON: {error}") from error
