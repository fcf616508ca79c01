"""The gate holds as the engine feeds it: on our dev and prod stacks, under every profile, the pack gets what
`pulumi preview` gives it (checked inputs to Analyze, outputs to AnalyzeStack) and

- on a first preview (every attribute the provider computes unknown, as in the engine's planned outputs), every
  mandatory policy gives its own verdict: none is downgraded to the SDK's advisory "can't run", and none has to
  say it cannot judge;
- after `pulumi up` (outputs as the provider reads them back: S3's default encryption on a new bucket, unset
  numbers as 0, AWS's whole maps), which every later preview of an unchanged stack sees, the verdicts are exactly
  those of the first preview: no false violation appears, none disappears.

One test per stack and profile (and no profile: the pack's own levels), through preflight's own machinery: read
the stack file, run the program under the engine model, drive the real pack over gRPC.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from fuzzing import count
from generated_resources import has_unknown

from preflight.analysis import StartingPack, analyze, start_pack
from preflight.program import ProgramRun, run_program
from preflight.stack_files import StackSettings, read_stack

ROOT = Path(__file__).resolve().parents[1]
STACKS = ["dev", "prod"]
PROFILES = [None, *sorted(path.stem for path in ROOT.glob("policies/profiles/*.json"))]


@pytest.fixture(scope="module")
def runs():
    """Per stack and mode (preview, up): its settings, the program's run and a pack (started once, as preflight
    starts it, and configured again for each profile)."""
    with contextlib.ExitStack() as stop:
        found: dict[tuple[str, bool], tuple[StackSettings, ProgramRun, StartingPack]] = {}
        for stack in STACKS:
            settings = read_stack(ROOT, stack)
            for preview in (True, False):
                pack = stop.enter_context(start_pack(ROOT / "policies", settings, dry_run=preview))
                found[stack, preview] = (settings, run_program(settings, preview=preview), pack)
        yield found


def _analysis(runs, stack: str, preview: bool, profile: str | None):
    settings, run, pack = runs[stack, preview]
    config = json.loads((ROOT / "policies" / "profiles" / f"{profile}.json").read_text()) if profile else None
    return run, analyze(pack, settings, run.resources, config)


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p or "no-config")
@pytest.mark.parametrize("stack", STACKS)
def test_every_mandatory_policy_gives_a_verdict_at_preview(runs, stack, profile):
    run, analysis = _analysis(runs, stack, True, profile)
    # The condition under test is real: the outputs hold unknown values (what the provider computes).
    assert any(r.outputs is not None and has_unknown(r.outputs) for r in run.resources)

    mandatory = {name for name, level in analysis.policy_levels.items() if level == "mandatory"}
    assert mandatory, "the profile makes no policy mandatory: nothing to hold"
    downgraded = [d for d in analysis.diagnostics if d.could_not_run and d.policy in mandatory]
    unjudged = [d for d in analysis.diagnostics if d.cannot_judge]
    count("mandatory policy runs checked at preview (stack x profile x policy)", len(mandatory))
    count("mandatory policies downgraded (can't run at preview)", len(downgraded))
    count("advisory policies that could not run at preview",
          sum(d.could_not_run and d.policy not in mandatory for d in analysis.diagnostics))
    assert downgraded == [], "\n".join(f"{d.policy}: {d.message}" for d in downgraded)
    assert unjudged == [], "\n".join(f"{d.policy}: {d.message}" for d in unjudged)


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p or "no-config")
@pytest.mark.parametrize("stack", STACKS)
def test_after_up_the_verdicts_are_those_of_the_first_preview(runs, stack, profile):
    _, preview = _analysis(runs, stack, True, profile)
    run, up = _analysis(runs, stack, False, profile)
    assert not any(r.outputs is not None and has_unknown(r.outputs) for r in run.resources)

    def verdicts(analysis) -> set[tuple[str, str, str]]:
        return {(d.policy, d.level, d.urn) for d in analysis.diagnostics}

    count("verdicts compared between a first preview and after up", len(verdicts(up) | verdicts(preview)))
    count("false violations after up", len(verdicts(up) - verdicts(preview)))
    assert verdicts(up) == verdicts(preview)
