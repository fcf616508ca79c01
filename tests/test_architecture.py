"""The house: four parts and the arrows between them, as the README's architecture section draws them; product
modules small; test-only code under tests/."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
PARTS = {"components": "program", "compliance": "pack", "preflight": "gate", "retention_report": "report"}
FOLDERS = {"components": ROOT / "components", "compliance": ROOT / "policies" / "compliance",
           "preflight": ROOT / "preflight", "retention_report": ROOT / "retention_report"}
# part -> the parts it imports. The pack runs in its own process and imports nothing of ours; the gate runs the
# program (it does not import it) and imports nothing of the report.
ARROWS = {
    ("program", "pack"),  # compliance.facts and the resource-type table: AWS's rules, once
    ("gate", "pack"),  # compliance.facts: the engine's unknown sentinel, regions
    ("report", "program"),  # the stack config and the plan-rule inputs (components.backup_rules)
    ("report", "pack"),  # the pack's retention policies and cron reading
    ("report", "gate"),  # stack files and policy configs, read as the gate and the CLI read them
}
MAX_LINES = 400


def part_arrows() -> dict[tuple[str, str], set[tuple[str, str]]]:
    graph = grimp.build_graph(*PARTS)
    arrows: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            source, target = PARTS[module.split(".")[0]], PARTS[imported.split(".")[0]]
            if source != target:
                arrows[(source, target)].add((module, imported))
    return arrows


def test_the_product_is_four_parts_with_the_documented_arrows():
    arrows = part_arrows()
    assert set(arrows) == ARROWS, {arrow: sorted(arrows[arrow]) for arrow in set(arrows) - ARROWS}
    assert ("gate", "report") not in arrows


def test_the_readme_draws_the_same_arrows():
    section = (ROOT / "README.md").read_text().split("## Architecture", 1)[1].split("\n## ", 1)[0]
    drawn = set(re.findall(r"^(program|pack|gate|report) +-> +(program|pack|gate|report)\b", section, re.M))
    assert drawn == ARROWS


def test_the_program_entry_point_imports_only_the_program():
    tree = ast.parse((ROOT / "__main__.py").read_text())
    modules = {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert modules <= {"__future__", "pulumi", "pulumi_aws", "components"}


def product_modules() -> list[Path]:
    return [ROOT / "__main__.py", *(path for folder in FOLDERS.values() for path in sorted(folder.rglob("*.py")))]


@pytest.mark.parametrize("path", product_modules(), ids=lambda path: str(path.relative_to(ROOT)))
def test_product_modules_are_small(path):
    assert len(path.read_text().splitlines()) <= MAX_LINES


@pytest.mark.parametrize("path", product_modules(), ids=lambda path: str(path.relative_to(ROOT)))
def test_test_only_libraries_stay_under_tests(path):
    imported = {alias.name.split(".")[0] for node in ast.walk(ast.parse(path.read_text()))
                if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(ast.parse(path.read_text()))
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert not imported & {"hypothesis", "pytest", "grimp"}


def test_module_names_say_what_differs():
    """No two product modules share a file name, besides the package markers and a component beside its config
    (`components/vault.py` builds what `components/config/vault.py` validates: one thing, two sides)."""
    names = defaultdict(list)
    for path in product_modules():
        if path.name not in ("__init__.py", "__main__.py"):
            names[path.name].append(str(path.relative_to(ROOT)))
    component_and_config = {name: paths for name, paths in names.items()
                            if sorted(paths) == [f"components/config/{name}", f"components/{name}"]}
    assert component_and_config  # the exception is real: vault, plan, replication
    assert {name: paths for name, paths in names.items()
            if len(paths) > 1 and name not in component_and_config} == {}
