"""The difference between the two sides of a review: verdict, findings, posture rows, planned steps, what happens
to recovery points that already exist, monthly cost, and the kinds of change `--fail-on` can fail on."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from preflight.engine_model import ProviderFacts
from preflight.review.change_kinds import CHANGE_KINDS
from preflight.review.planned_steps import VAULT, Step, planned_steps
from preflight.review.posture import Row, posture
from preflight.review.sides import SideResult


@dataclass(frozen=True)
class RowChange:
    key: tuple[str, str, str]
    before: Row | None
    after: Row | None

    @property
    def section(self) -> str:
        return self.key[0]

    @property
    def removed_items(self) -> tuple[str, ...]:
        if self.before is None:
            return ()
        kept = set(self.after.items) if self.after else set()
        return tuple(item for item in self.before.items if item not in kept)

    def worse(self, aspect_fragment: str, *, lower_is_worse: bool) -> bool:
        if aspect_fragment not in self.key[2] or self.before is None or self.before.number is None:
            return False
        after = self.after.number if self.after and self.after.number is not None else None
        if after is None:
            return False
        return after < self.before.number if lower_is_worse else after > self.before.number


@dataclass(frozen=True)
class Finding:
    policy: str
    level: str
    urn: str
    message: str

    @property
    def resource(self) -> str:
        return self.urn.rsplit("::", 1)[-1] if self.urn else "the stack"


@dataclass
class Review:
    stack: str
    base_label: str
    head_label: str
    head: SideResult
    base: SideResult
    findings_new: list[Finding] = field(default_factory=list)
    findings_fixed: list[Finding] = field(default_factory=list)
    findings_unchanged: list[Finding] = field(default_factory=list)
    rows: list[RowChange] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    existing_points: list[str] = field(default_factory=list)
    cost_before: dict[str, float] | None = None
    cost_after: dict[str, float] | None = None
    kinds: dict[str, list[str]] = field(default_factory=dict)  # change kind -> what shows it
    same_config: str | None = None  # why both sides are the same config, when they are

    @property
    def summary(self) -> Mapping[str, Any]:
        return self.head.preflight["summary"] if self.head.preflight else {}

    @property
    def blocked(self) -> bool:
        return bool(self.summary.get("exitCode"))

    @property
    def nothing_changed(self) -> bool:
        return not (self.findings_new or self.findings_fixed or self.rows or self.steps
                    or self.cost_before != self.cost_after)


def _findings(side: SideResult) -> list[Finding]:
    document = side.preflight or {}
    return [Finding(d["policy"], d["level"], d["urn"], d["message"])
            for d in document.get("diagnostics", []) + document.get("couldNotRun", [])]


def _costs(side: SideResult) -> dict[str, float] | None:
    """Monthly USD of each plan as written (the report's `plan` strategy), by plan name."""
    if side.report is None:
        return None
    return {group["plan"]: strategy["monthlyUsd"]["total"] or math.inf
            for group in side.report["plans"] for strategy in group["strategies"] if strategy["kind"] == "plan"}


def _row_changes(before: Mapping[tuple[str, str, str], Row], after: Mapping[tuple[str, str, str], Row]
                 ) -> list[RowChange]:
    keys = list(before) + [key for key in after if key not in before]
    changed = [key for key in keys
               if (before.get(key) and before[key].value) != (after.get(key) and after[key].value)]
    return [RowChange(key, _measured(before.get(key)), _measured(after.get(key))) for key in changed]


def _measured(row: Row | None) -> Row | None:
    return row.measured() if row else None


def _existing_points(changes: list[RowChange], steps: list[Step]) -> list[str]:
    """What AWS does with recovery points already taken: a plan's new lifecycle applies to new points only; the
    points of a removed rule, copy or selection stay until their own expiry."""
    notes = []
    for change in changes:
        subject, aspect = change.key[1], change.key[2]
        if aspect != "total retention" or change.before is None:
            continue
        if change.after is None:
            notes.append(f"{subject} is gone: the recovery points it made stay until their own expiry "
                         f"({change.before.value} after each was taken); no new ones are made")
        else:
            notes.append(f"{subject}: points already taken keep {change.before.value}; "
                         f"{change.after.value} applies to new points only")
    for change in changes:
        removed = change.removed_items
        if removed and change.key[2] in ("resource types", "ARNs", "tags"):
            notes.append(f"{change.key[1]}: {', '.join(removed)} no longer selected: existing recovery points of "
                         "those resources stay until their own expiry; no new backups of them")
    for step in steps:
        if step.type == VAULT and step.kind in ("delete", "replace"):
            old = step.renamed_from or step.name
            instead = f" (replaced by '{step.name}')" if step.kind == "replace" else ""
            notes.append(f"vault '{old}'{instead}: the recovery points in it stay there (AWS does not move them to "
                         "another vault), and AWS refuses to delete the vault while it holds any")
    return notes


def _kinds(review: Review) -> dict[str, list[str]]:
    kinds: dict[str, list[str]] = {kind: [] for kind in CHANGE_KINDS}
    for change in review.rows:
        where = f"{change.key[1]} {change.key[2]}"
        if change.worse("retention", lower_is_worse=True):
            kinds["retention-shortened"].append(where)
        if change.worse("RPO", lower_is_worse=False):
            kinds["rpo-longer"].append(where)
        if change.key[2] == "copies" and change.removed_items:
            kinds["copy-removed"].append(f"{change.key[1]}: {', '.join(change.removed_items)}")
        if change.key[2] in ("rules", "resource types", "ARNs", "tags") and change.removed_items:
            kinds["coverage-removed"].append(f"{change.key[1]}: {', '.join(change.removed_items)}")
        if change.key[2] == "lock" and change.before is not None:
            kinds["lock-changed"].append(change.key[1])
    for step in review.steps:
        if step.protected and step.kind == "replace":
            kinds["protected-replaced"].append(step.label)
        if step.protected and step.kind == "delete":
            kinds["protected-deleted"].append(step.label)
    kinds["new-findings"] = [f"{f.policy} ({f.resource})" for f in review.findings_new]
    if review.cost_before is not None and review.cost_after is not None:
        before, after = sum(review.cost_before.values()), sum(review.cost_after.values())
        if after > before:
            kinds["cost-up"].append(f"${before:,.0f} -> ${after:,.0f} a month")
    return {kind: sorted(set(found)) for kind, found in kinds.items() if found}


def compare(stack: str, base: SideResult, head: SideResult, facts: ProviderFacts, *, base_label: str,
            head_label: str, same_config: str | None = None) -> Review:
    review = Review(stack, base_label, head_label, head, base, same_config=same_config)
    old, new = _findings(base), _findings(head)
    review.findings_new = [f for f in new if f not in old]
    review.findings_fixed = [f for f in old if f not in new]
    review.findings_unchanged = [f for f in new if f in old]
    review.rows = _row_changes(posture(base.resources), posture(head.resources))
    review.steps = planned_steps(base.resources, head.resources, facts)
    review.existing_points = _existing_points(review.rows, review.steps)
    review.cost_before, review.cost_after = _costs(base), _costs(head)
    review.kinds = _kinds(review)
    return review

