"""The report as one JSON object (for tools): the same figures as the Markdown, unrounded; `null` where a figure is
unbounded (recovery points kept forever), and `restoreTesting: null` for a stack without restore testing."""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from typing import Any

from pydantic.alias_generators import to_camel

from retention_report.contents import RetentionReport, StrategyReport
from retention_report.render_solutions import solutions_json
from retention_report.restore_cost import RestoreTestingCost


def _stack_file_names(value: Any) -> Any:
    """Field names as the stack file spells them (`cold_storage_after_days` -> `coldStorageAfterDays`)."""
    if isinstance(value, dict):
        return {to_camel(key): _stack_file_names(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_stack_file_names(item) for item in value]
    return value


def _finite(value: float) -> float | None:
    return None if math.isinf(value) or math.isnan(value) else value


def _strategy(report: StrategyReport) -> dict[str, Any]:
    strategy = report.strategy
    return {
        "name": strategy.name,
        "kind": strategy.kind,
        "region": strategy.region,
        "resourceTypes": list(strategy.resource_types),
        "rules": [_stack_file_names(asdict(rule)) for rule in strategy.rules],
        "notes": list(strategy.notes),
        "pointsPerResource": {
            region: {"warm": _finite(f.warm_points), "cold": _finite(f.cold_points),
                     "worstCaseRpoHours": _finite(f.rpo_hours), "oldestRestorableDays": _finite(f.oldest_days)}
            for region, f in report.points.items()
        },
        "monthlyUsd": {"storage": _finite(report.storage_usd), "transfer": _finite(report.transfer_usd),
                       "total": _finite(report.total_usd)},
        "byResourceType": [
            {
                "resourceType": t.workload.resource_type,
                "count": t.workload.count,
                "sizeGb": t.workload.size_gb,
                "dailyChangeRate": t.workload.daily_change_rate,
                "perResource": {
                    "regions": {
                        region: {"warmPoints": _finite(r.warm_points), "coldPoints": _finite(r.cold_points),
                                 "warmGb": _finite(r.warm_gb), "coldGb": _finite(r.cold_gb),
                                 "storageUsd": _finite(r.storage_usd), "worstCaseRpoHours": _finite(r.rpo_hours),
                                 "oldestRestorableDays": _finite(r.oldest_days)}
                        for region, r in t.regions.items()
                    },
                    "transferGbPerMonth": _finite(t.transfer_gb),
                    "transferUsd": _finite(t.transfer_usd),
                },
                "totalMonthlyUsd": _finite(t.total_monthly_usd),
                "priceCaveats": t.price_caveats,
            }
            for t in report.types
        ],
        "profileBreaches": [asdict(breach) for breach in report.breaches],
    }


def _restore_testing(cost: RestoreTestingCost | None) -> dict[str, Any] | None:
    if cost is None:
        return None
    return {
        "schedule": cost.schedule,
        "timezone": cost.timezone,
        "regions": list(cost.regions),
        "validationWindowHours": cost.validation_window_hours,
        "runsPerMonth": cost.runs_a_month,
        "restoreTestsPerMonth": cost.restores_a_month,
        "byResourceType": [
            {"resourceType": t.workload.resource_type, "count": t.workload.count, "sizeGb": t.workload.size_gb,
             "restoresPerMonth": t.restores_a_month, "restoredGbPerMonth": t.restored_gb,
             "restoreUsdPerGb": t.restore_price.usd, "restoreUsd": t.restore_usd}
            for t in cost.types
        ],
        "feePerTestUsd": None if cost.fee is None else cost.fee.usd,  # null: prices.json has no figure
        "monthlyUsd": {"restore": cost.restore_usd, "fee": cost.fee_usd, "total": cost.total_usd},
        "included": list(cost.included),
        "notIncluded": list(cost.not_included),
        "priceCaveats": list(cost.caveats),
    }


def render_json(report: RetentionReport) -> str:
    document = {
        "stack": report.stack,
        "profile": {"name": report.profile.name, "settings": report.profile.settings},
        "plans": [{"plan": group[0].strategy.name, "strategies": [_strategy(r) for r in group]}
                  for group in report.groups],
        "notes": report.notes,
        "restoreTesting": _restore_testing(report.restore_testing),
        "solutions": solutions_json(report.solutions),
        "prices": {"read": report.prices.document["read"], "sources": report.prices.sources},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
