"""The verdict, shaped like `pulumi preview --policy-pack` output (text) or as one JSON object.

Diagnostics a policy gave because it read an unknown value ("can't run policy ... during preview") are not
verdicts: they are listed apart, as policies that could not run, and do not count as advisories.
"""

from __future__ import annotations

import collections
import json
from dataclasses import dataclass, field
from typing import Any

from preflight import audit_evidence, plans_by_target
from preflight.analysis import Analysis
from preflight.exit_codes import EXIT_OK, EXIT_VIOLATIONS
from preflight.pack_client import Diagnostic
from preflight.recorder import RecordedResource

LEVEL_ORDER = {"mandatory": 0, "remediate": 1, "advisory": 2}


@dataclass
class Outcome:
    stack: str
    project: str
    preview: bool
    shape: str
    pack_dir: str
    resources: list[RecordedResource]
    analysis: Analysis
    strict: bool = False
    policy_config: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def verdicts(self) -> list[Diagnostic]:
        return [d for d in self.analysis.diagnostics if not d.could_not_run]

    @property
    def could_not_run(self) -> list[Diagnostic]:
        return [d for d in self.analysis.diagnostics if d.could_not_run]

    @property
    def mandatory(self) -> list[Diagnostic]:
        return [d for d in self.verdicts if d.level == "mandatory"]

    @property
    def exit_code(self) -> int:
        blocked = bool(self.mandatory) or (self.strict and bool(self.could_not_run))
        return EXIT_VIOLATIONS if blocked else EXIT_OK


# -- text ------------------------------------------------------------------------------------------------------
def _tree_rows(resources: list[RecordedResource]) -> list[tuple[str, str]]:
    """(indented type, name) rows: each resource under its parent, siblings in (type, name) order."""
    children: dict[str, list[RecordedResource]] = collections.defaultdict(list)
    known = {r.urn for r in resources}
    for resource in resources:
        children[resource.parent if resource.parent in known else ""].append(resource)
    rows: list[tuple[str, str]] = []

    def walk(parent: str, prefix: str, depth: int) -> None:
        kids = sorted(children.get(parent, []), key=lambda r: (r.type, r.name))
        for index, resource in enumerate(kids):
            last = index == len(kids) - 1
            branch = "" if depth == 0 else ("└─ " if last else "├─ ")
            rows.append((prefix + branch + resource.type, resource.name))
            walk(resource.urn, prefix + ("" if depth == 0 else ("   " if last else "│  ")), depth + 1)

    walk("", "", 0)
    return rows


def _resource_label(urn: str, by_urn: dict[str, RecordedResource]) -> str:
    resource = by_urn.get(urn)
    if resource is not None:
        return f"  ({resource.type}: {resource.name})"
    return ""


def _sorted(diagnostics: list[Diagnostic], order: dict[str, int]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (LEVEL_ORDER.get(d.level, 3), d.policy, order.get(d.urn, -1)))


def _mode(outcome: Outcome) -> str:
    when = "first preview" if outcome.preview else "--up: the stack after `pulumi up`"
    if outcome.shape == "inputs":
        return f"{when}; sent to the pack: the program's inputs, not what the engine sends"
    sent = "planned outputs" if outcome.preview else "outputs read back from AWS"
    return f"{when}; sent to the pack as by the engine: checked inputs to Analyze, {sent} to AnalyzeStack"


def render_text(outcome: Outcome) -> str:
    by_urn = {r.urn: r for r in outcome.resources}
    order = {r.urn: i for i, r in enumerate(outcome.resources)}
    pack = f"{outcome.analysis.pack_name}@v{outcome.analysis.pack_version} (local: {outcome.pack_dir})"
    if outcome.policy_config:
        pack += f", config {outcome.policy_config}"
    lines = [f"Previewing update ({outcome.stack}) offline ({_mode(outcome)}), policy pack {pack}:", ""]

    rows = _tree_rows(outcome.resources)
    width = max([len("Type"), *(len(t) for t, _ in rows)]) + 2
    lines.append(f"     {'Type':<{width}}Name")
    lines += [f" +   {type_:<{width}}{name}" for type_, name in rows]

    lines += ["", "Policies:"]
    verdicts = _sorted(outcome.verdicts, order)
    if not verdicts:
        lines.append("    no violations")
    for diagnostic in verdicts:
        lines.append(f"    [{diagnostic.level}]  {diagnostic.policy}{_resource_label(diagnostic.urn, by_urn)}")
        lines += [f"      {line}" for line in diagnostic.message.splitlines()]

    could_not_run = _sorted(outcome.could_not_run, order)
    if could_not_run:
        lines += ["", "Could not run (the policy read a value that is unknown until the resources exist):"]
        for diagnostic in could_not_run:
            lines.append(f"    {diagnostic.policy}{_resource_label(diagnostic.urn, by_urn)}")

    counts = collections.Counter(r.type for r in outcome.resources)
    lines += ["", "Resources:", f"    + {len(outcome.resources)} to create"]
    lines += [f"      {count:>5}  {type_}" for type_, count in sorted(counts.items())]

    if organization := plans_by_target.organization_plans(outcome.resources):
        lines += plans_by_target.render_lines(organization)
    if frameworks := audit_evidence.audit_frameworks(outcome.resources):
        lines += audit_evidence.render_lines(frameworks, outcome.policy_config)
    if reports := audit_evidence.audit_reports(outcome.resources):
        lines += audit_evidence.render_report_lines(reports)

    if outcome.notes:
        lines += ["", "Notes:"] + [f"    {note}" for note in outcome.notes]

    levels = collections.Counter(d.level for d in outcome.verdicts)
    verdict = "blocked" if outcome.exit_code else "allowed"
    lines += ["", f"Summary: {levels['mandatory']} mandatory, {levels['advisory']} advisory, "
                  f"{len(could_not_run)} could not run, {len(outcome.analysis.not_applicable)} not applicable "
                  f"-> the update would be {verdict}"
                  + (" (--strict: policies that could not run fail the gate)" if outcome.strict else "")]
    return "\n".join(lines) + "\n"


# -- JSON ------------------------------------------------------------------------------------------------------
def _diagnostic_json(diagnostic: Diagnostic) -> dict[str, str]:
    return {"policy": diagnostic.policy, "level": diagnostic.level, "urn": diagnostic.urn,
            "message": diagnostic.message}


def to_json(outcome: Outcome) -> dict[str, Any]:
    levels = collections.Counter(d.level for d in outcome.verdicts)
    return {
        "stack": outcome.stack,
        "project": outcome.project,
        "mode": "preview" if outcome.preview else "up",
        "shape": outcome.shape,
        "policyPack": {"name": outcome.analysis.pack_name, "version": outcome.analysis.pack_version,
                       "enforcementLevels": outcome.analysis.policy_levels},
        "resources": [
            {"type": r.type, "name": r.name, "urn": r.urn, "parent": r.parent, "inputs": r.properties,
             "outputs": r.properties if r.outputs is None else r.outputs, "protect": r.protect,
             "custom": r.custom, "propertyDependencies": r.property_dependencies}
            for r in outcome.resources
        ],
        "diagnostics": [_diagnostic_json(d) for d in outcome.verdicts],
        "notApplicable": [{"policy": n.policy, "urn": n.urn, "reason": n.reason}
                          for n in outcome.analysis.not_applicable],
        "couldNotRun": [_diagnostic_json(d) for d in outcome.could_not_run],
        "organization": plans_by_target.organization_plans(outcome.resources),
        "auditFrameworks": audit_evidence.audit_frameworks(outcome.resources),
        "auditReports": audit_evidence.audit_reports(outcome.resources),
        "notes": outcome.notes,
        "summary": {"resources": len(outcome.resources), "mandatory": levels["mandatory"],
                    "advisory": levels["advisory"], "couldNotRun": len(outcome.could_not_run),
                    "exitCode": outcome.exit_code},
    }


def render_json(outcome: Outcome) -> str:
    return json.dumps(to_json(outcome), indent=2) + "\n"
