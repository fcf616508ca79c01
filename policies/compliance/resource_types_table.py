"""The AWS Backup resource-type table (data/backup_resource_types.json) as typed, read-only Python, and the ARN
rules built on it.

This is the one reader of the table, shared by the policies and by the config validation in components/.
It imports nothing but the standard library (no pulumi, no pulumi_policy), so components can load it without
dragging the pack's SDK into the program.

ARN rules: AWS Backup selections (`resources` / `notResources`) take ARNs in which `*` stands for "zero or more
non-whitespace characters" (AWS Backup guide, "Assign resources with AWS CLI"), e.g. `*`, `arn:aws:ec2:*` or
`arn:aws-us-gov:ec2:*:*:volume/*`. A selection ARN is therefore a glob; a resource type is the glob
`arn:<partition>:<service>:*:*:<arnResource>`; "this ARN can select type T" is "the two globs share a string".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType

from compliance import facts

TABLE_PATH = Path(__file__).resolve().parent / "data" / "backup_resource_types.json"
WILDCARD = "*"


class UnknownName(KeyError):
    """A type, feature or requirement that the table does not have: a policy or validator naming it is a bug."""


@dataclass(frozen=True)
class Feature:
    supported: bool
    # A switch that must be on in the Region for the feature to work (e.g. "advancedFeatures" for DynamoDB).
    requires: str | None
    # How AWS provides it where that matters, e.g. EBS cold storage is the snapshot archive tier ("archiveTier").
    via: str | None
    unavailable_in_partitions: frozenset[str]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class ResourceType:
    name: str
    arn_service: str
    arn_resource: str
    arn_resource_regex: str
    arn_example: str
    features: Mapping[str, Feature]
    pulumi_types: tuple[str, ...] = ()  # pulumi-aws type tokens of resources of this type

    def selection_pattern(self, partition: str = WILDCARD) -> str:
        """The selection ARN that names every resource of this type, as AWS Backup's own examples write it."""
        return f"arn:{partition}:{self.arn_service}:*:*:{self.arn_resource}"


# What a setting does when no selected type has its feature (featureTable; the PITR page's snapshot fallback).
FEATURE_OUTCOMES = {
    "coldStorage": ("cold storage", "AWS Backup keeps the recovery points in warm storage until they are deleted"),
    "archiveTier": ("an archive tier", "no recovery point reaches the archive tier"),
    "continuousBackup": ("continuous backup", "AWS Backup takes snapshots instead: there is no point-in-time restore"),
}


@dataclass(frozen=True)
class ResourceTypeTable:
    types: Mapping[str, ResourceType]
    feature_names: tuple[str, ...]
    requirement_names: frozenset[str]
    partitions: tuple[str, ...]
    partition_unsupported: Mapping[str, frozenset[str]]
    region_regex: str
    account_regex: str
    sources: Mapping[str, Mapping[str, str]]
    # Every key of the RegionSettings maps AWS returns (DescribeRegionSettings): opt-in and full management.
    opt_in_services: tuple[str, ...] = ()
    management_services: tuple[str, ...] = ()

    @property
    def type_names(self) -> tuple[str, ...]:
        return tuple(self.types)

    def resource_type(self, name: str) -> ResourceType:
        if name not in self.types:
            raise UnknownName(f"resource type {name!r} is not in the table ({', '.join(self.types)})")
        return self.types[name]

    def feature(self, type_name: str, feature: str) -> Feature:
        if feature not in self.feature_names:
            raise UnknownName(f"feature {feature!r} is not in the table ({', '.join(self.feature_names)})")
        return self.resource_type(type_name).features[feature]

    def supports(self, type_name: str, feature: str, partition: str | None = None) -> bool:
        """Whether AWS Backup offers the feature for the type (in the partition, when given), whatever switch
        it may also require (see `requirement`)."""
        fact = self.feature(type_name, feature)
        if partition is None:
            return fact.supported
        return (
            fact.supported
            and partition not in fact.unavailable_in_partitions
            and feature not in self.partition_unsupported.get(partition, frozenset())
        )

    def requirement(self, type_name: str, feature: str) -> str | None:
        return self.feature(type_name, feature).requires

    def type_of_token(self, token: str) -> str | None:
        """The protected type a pulumi-aws resource type token creates (`aws:dynamodb/table:Table` -> DynamoDB)."""
        return next((name for name, kind in self.types.items() if token in kind.pulumi_types), None)

    def types_supporting(self, feature: str, partition: str | None = None) -> frozenset[str]:
        return frozenset(name for name in self.types if self.supports(name, feature, partition))

    def names(self, types: Iterable[str]) -> str:
        """Type names in table order, for messages."""
        chosen = set(types)
        return ", ".join(name for name in self.type_names if name in chosen) or "no protected type"

    def feature_problem(self, feature: str, selected: Iterable[str], partition: str | None = None) -> str | None:
        """Why a rule setting that needs `feature` does nothing for a plan selecting `selected` (none of them has
        it, in `partition`), or None. The config and the pack's type-features policy both ask this."""
        supported = self.types_supporting(feature, partition)
        if supported & set(selected):
            return None
        words, outcome = FEATURE_OUTCOMES[feature]
        where = f" in partition {partition}" if partition and partition != self.partitions[0] else ""
        return (f"does nothing: none of the types the plan selects ({self.names(selected)}) has {words}{where}, so "
                f"{outcome} (allowed: a plan selecting a type with {words}: {self.names(supported)})")

    def concrete_arn_regex(self, type_name: str) -> re.Pattern[str]:
        kind = self.resource_type(type_name)
        partitions = "|".join(re.escape(p) for p in self.partitions)
        return re.compile(
            rf"arn:(?:{partitions}):{re.escape(kind.arn_service)}:{self.region_regex}:{self.account_regex}"
            rf":{kind.arn_resource_regex}"
        )


def _frozen_feature(raw: Mapping[str, object]) -> Feature:
    return Feature(
        supported=bool(raw["supported"]),
        requires=raw.get("requires"),  # type: ignore[arg-type]
        via=raw.get("via"),  # type: ignore[arg-type]
        unavailable_in_partitions=frozenset(raw.get("unavailableInPartitions", ())),  # type: ignore[arg-type]
        sources=tuple(raw["sources"]),  # type: ignore[arg-type]
    )


@cache
def load_table(path: Path = TABLE_PATH) -> ResourceTypeTable:
    raw = json.loads(path.read_text(encoding="utf-8"))
    feature_names = tuple(raw["features"])
    types = {
        name: ResourceType(
            name=name,
            arn_service=entry["arnService"],
            arn_resource=entry["arnResource"],
            arn_resource_regex=entry["arnResourceRegex"],
            arn_example=entry["arnExample"],
            pulumi_types=tuple(entry["pulumiTypes"]),
            features=MappingProxyType({f: _frozen_feature(entry["features"][f]) for f in feature_names}),
        )
        for name, entry in raw["resourceTypes"].items()
    }
    _check_references(types, raw)
    restrictions = raw["partitionRestrictions"]
    return ResourceTypeTable(
        types=MappingProxyType(types),
        feature_names=feature_names,
        requirement_names=frozenset(raw["requirements"]),
        partitions=tuple(raw["arn"]["partitions"]),
        partition_unsupported=MappingProxyType(
            {p: frozenset(r["unsupportedFeatures"]) for p, r in restrictions.items()}
        ),
        region_regex=facts.REGION_FORM,
        account_regex=raw["arn"]["accountRegex"],
        sources=MappingProxyType(raw["sources"]),
        opt_in_services=tuple(raw["regionSettings"]["optInServices"]),
        management_services=tuple(raw["regionSettings"]["managementServices"]),
    )


def _check_references(types: Mapping[str, ResourceType], raw: Mapping[str, object]) -> None:
    """Every fact cites known sources and names a known requirement and partition: a typo fails loudly."""
    for kind in types.values():
        for name, fact in kind.features.items():
            where = f"{kind.name}.{name}"
            unknown = (
                [s for s in fact.sources if s not in raw["sources"]]  # type: ignore[operator]
                + ([fact.requires] if fact.requires and fact.requires not in raw["requirements"] else [])  # type: ignore[operator]
                + [p for p in fact.unavailable_in_partitions if p not in raw["arn"]["partitions"]]  # type: ignore[index]
            )
            if unknown or not fact.sources:
                raise ValueError(f"{where}: unknown or missing references {unknown or 'sources'}")
    region_settings = raw["regionSettings"]  # type: ignore[index]
    missing = [name for name in types if name not in region_settings["optInServices"]]
    unknown = [s for s in region_settings["sources"] if s not in raw["sources"]]  # type: ignore[operator]
    if missing or unknown:
        raise ValueError(f"regionSettings: protected types missing from optInServices {missing}, unknown sources "
                         f"{unknown}")


# --- globs with `*` as the only wildcard -------------------------------------------------------------------

# What a `*` may not absorb: in a selection ARN nothing but whitespace (AWS's rule); in the glob that describes a
# protected type, a `*` stands for one ARN field or one path segment (a region, an account, a volume id), so
# `arn:aws:ec2:*:*:volume/*` cannot be read as an instance ARN by letting one `*` swallow ":instance/".
_SELECTION_STAR_EXCLUDES = ""
_TYPE_STAR_EXCLUDES = ":/ \t\r\n"


def glob_matches(glob: str, text: str) -> bool:
    """`text` matched by a selection glob (`*` = zero or more non-whitespace characters)."""
    regex = r"\S*".join(re.escape(part) for part in glob.split(WILDCARD))
    return re.fullmatch(regex, text) is not None


def _globs_intersect(a: str, b: str, a_excludes: str, b_excludes: str) -> bool:
    """Whether some string is matched by both globs. A common string, if any, can be built from the globs'
    literals alone (a character both `*`s absorb can be dropped), so the search only aligns literals."""

    @cache
    def meet(i: int, j: int) -> bool:
        a_star = i < len(a) and a[i] == WILDCARD
        b_star = j < len(b) and b[j] == WILDCARD
        if i == len(a) and j == len(b):
            return True
        if a_star and (meet(i + 1, j) or (j < len(b) and not b_star and b[j] not in a_excludes and meet(i, j + 1))):
            return True
        if b_star and (meet(i, j + 1) or (i < len(a) and not a_star and a[i] not in b_excludes and meet(i + 1, j))):
            return True
        return i < len(a) and j < len(b) and not (a_star or b_star) and a[i] == b[j] and meet(i + 1, j + 1)

    return meet(0, 0)


@lru_cache(maxsize=4096)  # a stack's selections repeat a few patterns; every stack policy asks again
def _selection_can_match_type(selection: str, type_glob: str) -> bool:
    return _globs_intersect(selection, type_glob, _SELECTION_STAR_EXCLUDES, _TYPE_STAR_EXCLUDES)


def _selection_covers_type(selection: str, type_glob: str) -> bool:
    """Every ARN of the type is matched by the selection glob. Sound: each `*` of the type glob becomes a
    character no literal matches, so only the selection's own `*` can absorb it."""
    return glob_matches(selection, type_glob.replace(WILDCARD, "\x00"))


# --- ARNs of the protected types ------------------------------------------------------------------------------


def _partitions(table: ResourceTypeTable, partition: str | None) -> tuple[str, ...]:
    return table.partitions if partition is None else (partition,)


def classify_arn(arn: str, table: ResourceTypeTable | None = None, partition: str | None = None) -> frozenset[str]:
    """The protected types a selection ARN can select: for a concrete ARN the type whose shape it has, for a
    wildcard ARN every type whose resources it can match (in `partition`, or in any partition)."""
    table = table or load_table()
    if WILDCARD not in arn:
        in_partition = partition is None or arn.startswith(f"arn:{partition}:")
        return frozenset(name for name in table.types if in_partition and table.concrete_arn_regex(name).fullmatch(arn))
    return frozenset(
        name
        for name, kind in table.types.items()
        if any(_selection_can_match_type(arn, kind.selection_pattern(p)) for p in _partitions(table, partition))
    )


def types_covered(pattern: str, table: ResourceTypeTable | None = None, partition: str | None = None) -> frozenset[str]:
    """The types a selection ARN names entirely (every resource, in `partition` or in every partition): what an
    entry of `notResources` removes from a selection."""
    table = table or load_table()
    return frozenset(
        name
        for name, kind in table.types.items()
        if all(_selection_covers_type(pattern, kind.selection_pattern(p)) for p in _partitions(table, partition))
    )


def selected_types(
    resources: Iterable[str],
    not_resources: Iterable[str] = (),
    table: ResourceTypeTable | None = None,
    partition: str | None = None,
) -> frozenset[str]:
    """The protected types a selection can back up. No `resources` (a tag-only selection) can select any type.
    A type leaves the set only when a `notResources` entry covers all of it."""
    table = table or load_table()
    resources = list(resources)
    candidates = (
        frozenset().union(*(classify_arn(arn, table, partition) for arn in resources))
        if resources
        else frozenset(table.types)
    )
    excluded = frozenset().union(*(types_covered(arn, table, partition) for arn in not_resources))
    return candidates - excluded


def allowed_arn_shapes(table: ResourceTypeTable | None = None) -> str:
    table = table or load_table()
    return "; ".join(f"{name}: {kind.arn_example}" for name, kind in table.types.items())


def selection_arn_problem(arn: str, table: ResourceTypeTable | None = None) -> str | None:
    """Why AWS Backup would not take `arn` as a selection ARN of a protected type, as a phrase to follow the value
    (`'<arn>' is not a valid EBS ARN: ...`), or None when it would."""
    table = table or load_table()
    if arn == WILDCARD:
        return None
    if not arn.startswith("arn:") or re.search(r"\s", arn):
        return f"is not an ARN (allowed: '*' or an ARN such as {allowed_arn_shapes(table)})"
    partition = arn.split(":")[1]
    if WILDCARD not in partition and partition not in table.partitions:
        return f"names partition {partition!r} (allowed: {', '.join(table.partitions)})"
    if classify_arn(arn, table):
        return None
    service = arn.split(":")[2] if arn.count(":") >= 2 else ""
    near = [
        name
        for name, kind in table.types.items()
        if service == kind.arn_service and f":{kind.arn_resource.split(WILDCARD)[0]}" in arn
    ]
    if near:
        kind = table.resource_type(near[0])
        return (
            f"is not a valid {kind.name} ARN (allowed: arn:<partition>:{kind.arn_service}:<region>:<12-digit account>"
            f":{kind.arn_resource_regex}, e.g. {kind.arn_example}, with '*' wildcards anywhere)"
        )
    return f"selects none of the protected types {', '.join(table.types)} (allowed: e.g. {allowed_arn_shapes(table)})"
