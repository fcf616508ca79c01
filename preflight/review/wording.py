"""The sentences a review says, shared by its text and Markdown forms."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from preflight.review.comparison import CHANGE_KINDS, Review, RowChange
from preflight.review.planned_steps import KINDS, Step
from preflight.review.sides import SideResult

SECTIONS = {"plans": "Plans and rules", "selections": "Selections", "vaults": "Vaults", "buckets": "Buckets"}
EXISTING_POINTS = ("Recovery points that already exist (AWS Backup applies a changed plan to new backups only; "
                   "UpdateRecoveryPointLifecycle changes one point at a time, and a vault lock prevents it for the "
                   "points its vault holds)")
STEP_SIGNS = {"create": "+", "update": "~", "replace": "+-", "delete": "-"}


def _counts(side: SideResult) -> str:
    summary = side.preflight["summary"] if side.preflight else None
    if summary is None:
        return f"could not be judged ({side.error})"
    verdict = "blocked" if summary["exitCode"] else "allowed"
    return f"{verdict} ({summary['mandatory']} mandatory, {summary['advisory']} advisory)"


def verdict_line(review: Review) -> str:
    head, base = _counts(review.head), _counts(review.base)
    was = "" if head == base else f"; at the base: {base}"
    return f"Stack {review.stack}: the update would be {head}{was}"


def nothing_changed_line(review: Review) -> str:
    why = review.same_config or "the edit changes no resource, finding, backup setting or cost"
    return (f"Stack {review.stack}: no change ({why}, {review.base_label} -> {review.head_label}); the update would "
            f"be {_counts(review.head)}")


def change_kind_lines(review: Review) -> Iterator[str]:
    for kind, where in review.kinds.items():
        yield f"{kind} ({CHANGE_KINDS[kind]}): {'; '.join(where)}"


def row_value(row: Any) -> str:
    return row.value if row is not None else "(none)"


def posture_sections(review: Review) -> Iterator[tuple[str, list[RowChange]]]:
    for section, title in SECTIONS.items():
        changes = [change for change in review.rows if change.section == section]
        if changes:
            yield title, changes


def step_counts(steps: list[Step]) -> str:
    counts = {kind: sum(step.kind == kind for step in steps) for kind in KINDS}
    return ", ".join(f"{count} to {kind}" for kind, count in counts.items() if count) or "none"


def step_line(step: Step) -> str:
    detail = (f" (renamed from '{step.renamed_from}')" if step.renamed_from else
              f" (on {', '.join(step.replaced_on)})" if step.replaced_on else
              f" ({', '.join(step.changed)})" if step.changed else "")
    return f"{STEP_SIGNS[step.kind]} {step.kind} {step.type} '{step.name}'{detail}"


def _money(value: float) -> str:
    return f"${value:,.0f}"


def cost_lines(review: Review) -> Iterator[tuple[str, str, str, str]]:
    """(plan, before, after, change) rows of the plans whose cost changes, the total last; none when nothing
    changes or either side has no figures."""
    before, after = review.cost_before, review.cost_after
    if before is None or after is None:
        return
    for plan in list(before) + [p for p in after if p not in before]:
        old, new = before.get(plan), after.get(plan)
        if old != new:
            yield (plan, _money(old) if old is not None else "-", _money(new) if new is not None else "-",
                   _signed((new or 0) - (old or 0)))
    total_before, total_after = sum(before.values()), sum(after.values())
    if total_before != total_after:
        yield "total", _money(total_before), _money(total_after), _signed(total_after - total_before)


def _signed(delta: float) -> str:
    return f"{'+' if delta >= 0 else '-'}${abs(delta):,.0f} a month"


def cost_unavailable(review: Review) -> str | None:
    for side in (review.base, review.head):
        if side.report is None:
            return f"monthly cost: the retention report could not run on the {side.label} side ({side.report_error})"
    return None


def _leaves(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """(path, value) of every leaf: `rules[3].lifecycle.deleteAfter`, so a diff shows what changed inside a list."""
    if isinstance(value, Mapping) and value:
        for key in sorted(value):
            yield from _leaves(value[key], f"{path}.{key}")
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}[{index}]")
    else:
        yield path, value


def raw_diff(step: Step) -> Iterator[str]:
    """The changed leaves of a step's changed properties as -/+ lines (every property of a create or delete)."""
    before: Mapping[str, Any] = step.before or {}
    after: Mapping[str, Any] = step.after or {}
    for key in step.changed or sorted(set(before) | set(after)):
        old = dict(_leaves(before[key], key)) if key in before else {}
        new = dict(_leaves(after[key], key)) if key in after else {}
        for path in list(old) + [path for path in new if path not in old]:
            if old.get(path, ...) != new.get(path, ...):
                if path in old:
                    yield f"-   {path}: {json.dumps(old[path], sort_keys=True)}"
                if path in new:
                    yield f"+   {path}: {json.dumps(new[path], sort_keys=True)}"
