"""The gate holds: on a first preview of our dev and prod stacks (every id and ARN of a new resource unknown, as
the engine has them), every mandatory policy of every profile gives its verdict. The SDK would otherwise report
an advisory "can't run policy ... during preview" in its place, and the gate would let the change through.

One test per stack and profile (and no profile: the pack's own levels), through preflight's own machinery: read
the stack file, run the program under preview mocks, drive the real pack over gRPC.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from fuzzing import count
from strategies_policies import has_unknown

from preflight.analysis import StartingPack, analyze, start_pack
from preflight.program import ProgramRun, run_program
from preflight.stack_files import StackSettings, read_stack

ROOT = Path(__file__).resolve().parents[1]
STACKS = ["dev", "prod"]
PROFILES = [None, *sorted(path.stem for path in ROOT.glob("policies/profiles/*.json"))]


@pytest.fixture(scope="module")
def previews():
    """Per stack: its settings, its first-preview run and its pack (started once, as preflight starts it, and
    configured again for each profile)."""
    with contextlib.ExitStack() as stop:
        found: dict[str, tuple[StackSettings, ProgramRun, StartingPack]] = {}
        for stack in STACKS:
            settings = read_stack(ROOT, stack)
            pack = stop.enter_context(start_pack(ROOT / "policies", settings, dry_run=True))
            found[stack] = (settings, run_program(settings, preview=True), pack)
        yield found


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p or "no-config")
@pytest.mark.parametrize("stack", STACKS)
def test_every_mandatory_policy_gives_a_verdict_at_preview(previews, stack, profile):
    settings, run, pack = previews[stack]
    # The condition under test is real: the preview does hold unknown values (ids, ARNs of new resources).
    assert any(has_unknown(resource.properties) for resource in run.resources)

    config = json.loads((ROOT / "policies" / "profiles" / f"{profile}.json").read_text()) if profile else None
    analysis = analyze(pack, settings, run.resources, config)
    mandatory = {name for name, level in analysis.policy_levels.items() if level == "mandatory"}
    assert mandatory, "the profile makes no policy mandatory: nothing to hold"

    downgraded = [d for d in analysis.diagnostics if d.could_not_run and d.policy in mandatory]
    count("mandatory policy runs checked at preview (stack x profile x policy)", len(mandatory))
    count("mandatory policies downgraded (can't run at preview)", len(downgraded))
    count("advisory policies that could not run at preview",
          sum(d.could_not_run and d.policy not in mandatory for d in analysis.diagnostics))
    assert downgraded == [], "\n".join(f"{d.policy}: {d.message}" for d in downgraded)
