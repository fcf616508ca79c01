"""The solution types the report compares (`solutions.json`): per solution, the resource types it protects, what it
can give (longest retention, shortest interval, a lock, copies to another Region and account, central audit,
managed restore tests) and the limits that rule it out, every value with its source."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_MATRIX = Path(__file__).with_name("solutions.json")
FEATURES = ("maxRetentionDays", "minIntervalHours", "lock", "crossRegion", "crossAccount", "audit", "restoreTesting")


@dataclass(frozen=True)
class Feature:
    value: Any  # days or hours (None: no cap), or a boolean
    source: str  # a key of the matrix's sources
    note: str = ""


@dataclass(frozen=True)
class Limit:
    text: str
    source: str


@dataclass(frozen=True)
class Solution:
    id: str
    name: str
    types: tuple[str, ...]
    costing: str  # which cost model prices it (solution_costs.py)
    features: dict[str, Feature]
    by_type: dict[str, dict[str, Feature]]
    limits: tuple[Limit, ...]

    def feature(self, key: str, resource_type: str) -> Feature:
        return self.by_type.get(resource_type, {}).get(key) or self.features[key]


@dataclass(frozen=True)
class SolutionMatrix:
    solutions: tuple[Solution, ...]
    sources: dict[str, dict[str, str]]  # key -> title, url, pageDate, quote

    def for_type(self, resource_type: str) -> list[Solution]:
        return [solution for solution in self.solutions if resource_type in solution.types]

    @classmethod
    def load(cls, path: Path = DEFAULT_MATRIX) -> SolutionMatrix:
        document = json.loads(Path(path).read_text())

        def feature(raw: dict[str, Any]) -> Feature:
            return Feature(raw["value"], raw["source"], raw.get("note", ""))

        solutions = tuple(
            Solution(raw["id"], raw["name"], tuple(raw["types"]), raw["costing"],
                     {key: feature(raw["features"][key]) for key in FEATURES},
                     {kind: {key: feature(value) for key, value in overrides.items()}
                      for kind, overrides in raw.get("byType", {}).items()},
                     tuple(Limit(limit["text"], limit["source"]) for limit in raw.get("limits", [])))
            for raw in document["solutions"])
        return cls(solutions, document["sources"])
