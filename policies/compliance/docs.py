"""The README's policy table and per-profile raised levels, and the profiles' figures in
docs/compliance-figures.md, generated from the registry and the profiles so they cannot drift.

Regenerate after changing a policy or a profile (a test fails until you do):
    cd policies && ../venv/bin/python -m compliance.docs
"""

from __future__ import annotations

import json
from pathlib import Path

from compliance.registry import SPECS
from compliance.spec import PolicySpec

PACK = Path(__file__).resolve().parents[1]
README = PACK / "README.md"
FIGURES_DOC = PACK.parent / "docs" / "compliance-figures.md"
PROFILES = ("baseline", "hipaa", "sox", "pci-dss", "sec-17a-4", "gdpr", "dev")
SHORT = {"mandatory": "M", "advisory": "A", "disabled": "-", "remediate": "R"}


def profiles() -> dict[str, dict]:
    return {name: json.loads((PACK / "profiles" / f"{name}.json").read_text()) for name in PROFILES}


def _cell(spec: PolicySpec, document: dict) -> str:
    entry = document.get(spec.name, {})
    entry = {"enforcementLevel": entry} if isinstance(entry, str) else entry
    level = _level(spec, document)
    knobs = [f"{key}={json.dumps(entry[key])}" for key in spec.knobs if key in entry and entry[key] != spec.knobs[key]
             ["default"]]
    return SHORT[level] + (f" ({', '.join(knobs)})" if knobs else "")


def _knobs(spec: PolicySpec) -> str:
    if spec.aws_limit:
        return "none (not relaxable)"
    return "; ".join(f"`{key}` (default {json.dumps(schema['default'])}): {schema['description']}"
                     for key, schema in spec.knobs.items()) or "none"


def _judged_on(spec: PolicySpec) -> str:
    """Which engine call runs the policy, and on what: see "Resource and stack policies" above."""
    return "stack (outputs)" if spec.stack else "resource (checked inputs)"


def policy_table() -> str:
    documents = profiles()
    header = ["policy", "checks", "why (source)", "judged on", "knobs", *PROFILES]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for spec in SPECS:
        cells = [f"`{spec.name}`", spec.description, spec.why, _judged_on(spec), _knobs(spec),
                 *(_cell(spec, documents[name]) for name in PROFILES)]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def _level(spec: PolicySpec, document: dict) -> str:
    entry = document.get(spec.name, {})
    entry = {"enforcementLevel": entry} if isinstance(entry, str) else entry
    return entry.get("enforcementLevel", document.get("all", spec.level))


def raised_levels_table() -> str:
    """Per profile, the policies it makes mandatory that baseline leaves advisory: the organisation's choice."""
    documents = profiles()
    lines = ["| profile | mandatory here, advisory in baseline |", "|---|---|"]
    for name in PROFILES:
        raised = [f"`{spec.name}`" for spec in SPECS if _level(spec, documents[name]) == "mandatory"
                  and _level(spec, documents["baseline"]) != "mandatory"]
        lines.append(f"| `{name}` | {', '.join(raised) or 'none'} |")
    return "\n".join(lines)


# The figures a profile sets, each as (column, policy, knob): None as the knob reads the policy's level.
FIGURE_COLUMNS = (
    ("min retention (days)", "aws-backup-plan-enforce-min-retention", "minRetentionDays"),
    ("max retention (days)", "aws-backup-plan-enforce-max-retention", "maxRetentionDays"),
    ("backup at least every (hours)", "aws-backup-plan-enforce-min-frequency", "maxIntervalHours"),
    ("warm at least (days)", "aws-backup-plan-enforce-warm-period", "minWarmDays"),
    ("vault lock", "aws-backup-vault-require-lock", "mode"),
    ("cross-region copy", "aws-backup-plan-require-cross-region-copy", None),
    ("cross-account copy", "aws-backup-plan-require-cross-account-copy", None),
    ("deny manual deletion", "aws-backup-vault-require-deny-delete-policy", None),
    ("S3 delete markers", "aws-s3-replication-enforce-delete-markers", "deleteMarkerReplication"),
)


def figures_table() -> str:
    """Per profile, its figures with the level they are enforced at (M mandatory, A advisory)."""
    documents, specs = profiles(), {spec.name: spec for spec in SPECS}
    lines = ["| profile | " + " | ".join(column for column, _, _ in FIGURE_COLUMNS) + " |",
             "|---|" + "---|" * len(FIGURE_COLUMNS)]
    for name in PROFILES:
        cells = []
        for _, policy, knob in FIGURE_COLUMNS:
            spec, entry = specs[policy], documents[name].get(policy, {})
            level = SHORT[_level(spec, documents[name])]
            if knob is None:
                cells.append(level)
            else:
                value = entry.get(knob, spec.knobs[knob]["default"])
                cells.append(f"{'none' if value is None else value} ({level})")
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# Each generated file and the tables in it, between their begin/end markers.
GENERATED = {
    README: {"policy-table": policy_table, "profile-raises": raised_levels_table},
    FIGURES_DOC: {"profile-figures": figures_table},
}


def with_tables(text: str, tables: dict) -> str:
    """`text` with each of `tables` (between its begin/end markers) regenerated."""
    for marker, build in tables.items():
        begin, end = f"<!-- {marker}:begin -->", f"<!-- {marker}:end -->"
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        text = f"{head}{begin}\n{build()}\n{end}{tail}"
    return text


if __name__ == "__main__":
    for path, tables in GENERATED.items():
        path.write_text(with_tables(path.read_text(), tables))
