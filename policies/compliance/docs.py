"""The README's policy table, generated from the registry and the profiles so it cannot drift.

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
BEGIN, END = "<!-- policy-table:begin -->", "<!-- policy-table:end -->"
SHORT = {"mandatory": "M", "advisory": "A", "disabled": "-", "remediate": "R"}


def profiles() -> dict[str, dict]:
    return {name: json.loads((PACK / "profiles" / f"{name}.json").read_text()) for name in PROFILES}


def _cell(spec: PolicySpec, document: dict) -> str:
    entry = document.get(spec.name, {})
    entry = {"enforcementLevel": entry} if isinstance(entry, str) else entry
    level = entry.get("enforcementLevel", document.get("all", spec.level))
    knobs = [f"{key}={json.dumps(entry[key])}" for key in spec.knobs if key in entry and entry[key] != spec.knobs[key]
             ["default"]]
    return SHORT[level] + (f" ({', '.join(knobs)})" if knobs else "")


def _knobs(spec: PolicySpec) -> str:
    if spec.aws_limit:
        return "none (not relaxable)"
    return "; ".join(f"`{key}` (default {json.dumps(schema['default'])}): {schema['description']}"
                     for key, schema in spec.knobs.items()) or "none"


def policy_table() -> str:
    documents = profiles()
    header = ["policy", "checks", "why (source)", "knobs", *PROFILES]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for spec in SPECS:
        cells = [f"`{spec.name}`", spec.description, spec.why, _knobs(spec),
                 *(_cell(spec, documents[name]) for name in PROFILES)]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def with_table(readme: str) -> str:
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{policy_table()}\n{END}{tail}"


if __name__ == "__main__":
    README.write_text(with_table(README.read_text()))
