"""A review as one JSON object, for tools."""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

from preflight.review.comparison import Finding, Review, RowChange


def _finding(finding: Finding) -> dict[str, str]:
    return dataclasses.asdict(finding)


def _row(change: RowChange) -> dict[str, Any]:
    return {"section": change.key[0], "subject": change.key[1], "aspect": change.key[2],
            "before": change.before.value if change.before else None,
            "after": change.after.value if change.after else None}


def _costs(costs: dict[str, float] | None) -> dict[str, float | None] | None:
    """Unbounded (points kept forever) as null: JSON has no infinity."""
    return None if costs is None else {plan: None if math.isinf(usd) else usd for plan, usd in costs.items()}


def to_json(review: Review, exit_code: int) -> dict[str, Any]:
    return {
        "stack": review.stack,
        "base": review.base_label,
        "head": review.head_label,
        "nothingChanged": review.nothing_changed,
        "verdict": {"head": review.head.preflight["summary"] if review.head.preflight else None,
                    "base": review.base.preflight["summary"] if review.base.preflight else None,
                    "baseError": review.base.error},
        "changeKinds": review.kinds,
        "findings": {"new": [_finding(f) for f in review.findings_new],
                     "fixed": [_finding(f) for f in review.findings_fixed],
                     "unchanged": [_finding(f) for f in review.findings_unchanged]},
        "posture": [_row(change) for change in review.rows],
        "steps": [{"kind": s.kind, "type": s.type, "name": s.name, "urn": s.urn, "changed": list(s.changed),
                   "replacedOn": list(s.replaced_on), "renamedFrom": s.renamed_from, "protected": s.protected,
                   "refusals": list(s.refusals)} for s in review.steps],
        "existingRecoveryPoints": review.existing_points,
        "monthlyCostUsd": {"before": _costs(review.cost_before), "after": _costs(review.cost_after),
                           "reportErrors": {side.label: side.report_error for side in (review.base, review.head)
                                            if side.report_error}},
        "exitCode": exit_code,
    }


def render_json(review: Review, exit_code: int) -> str:
    return json.dumps(to_json(review, exit_code), indent=2) + "\n"
