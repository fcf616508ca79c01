"""The README's policy table and per-profile raised levels, generated from the registry and the profiles so they
cannot drift.

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


TABLES = {"policy-table": policy_table, "profile-raises": raised_levels_table}


def with_table(readme: str) -> str:
    """The README with every generated table (between its begin/end markers) regenerated."""
    for marker, build in TABLES.items():
        begin, end = f"<!-- {marker}:begin -->", f"<!-- {marker}:end -->"
        head, rest = readme.split(begin, 1)
        _, tail = rest.split(end, 1)
        readme = f"{head}{begin}\n{build()}\n{end}{tail}"
    return readme


if __name__ == "__main__":
    README.write_text(with_table(README.read_text()))
