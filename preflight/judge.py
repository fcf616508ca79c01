"""Stacks judged as `pulumi preview --policy-pack` judges one: the program under mocks, each resource to the
pack's Analyze as it registers, AnalyzeStack at the end. Preflight's command judges one stack; a review judges
its two sides on one pack process, the second program running while the pack still analyses the first."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compliance.policy_config import PolicyConfigError

from preflight.analysis import Analyzer, StartingPack
from preflight.engine_model import load_facts
from preflight.pack_client import PackError
from preflight.program import ProgramError, ProgramRun, run_program
from preflight.progress import Progress
from preflight.replacement import replacement_notes
from preflight.report import Outcome
from preflight.stack_files import StackSettings

JUDGING_ERRORS = (ProgramError, PackError, PolicyConfigError)


@dataclass(frozen=True)
class Judgement:
    """One stack to judge and how."""

    settings: StackSettings
    policy_config: dict[str, Any] | None
    up: bool = False
    shape: str = "engine"
    strict: bool = False
    policy_config_file: str | None = None


def judge_all(judgements: list[Judgement], pack: StartingPack, pack_dir: Path,
              progress: Progress | None = None) -> list[Outcome | Exception]:
    """Each stack's outcome, or the error that stopped it (ProgramError, PackError, PolicyConfigError), in order.
    All programs run first, each feeding its own analysis; then each analysis finishes."""
    progress = progress or Progress()
    with contextlib.ExitStack() as stack:
        runs: list[tuple[Analyzer, ProgramRun] | Exception] = []
        for judgement in judgements:
            analyzer = stack.enter_context(Analyzer(pack, judgement.settings, judgement.policy_config))
            progress.step(f"running the program for stack {judgement.settings.stack} (the policy pack starts and "
                          "analyses its resources meanwhile)", force=True)
            try:
                run = run_program(judgement.settings, preview=not judgement.up, on_resource=analyzer.submit,
                                  shape=judgement.shape)
            except JUDGING_ERRORS as error:
                runs.append(error)
                continue
            runs.append((analyzer, run))
        outcomes: list[Outcome | Exception] = []
        for judgement, started in zip(judgements, runs, strict=True):
            if isinstance(started, Exception):
                outcomes.append(started)
                continue
            analyzer, run = started
            progress.step(f"waiting for the policy pack {pack_dir}", force=True)
            try:
                analysis = analyzer.finish(run.resources,
                                           on_progress=progress.counter("analysing resources", len(run.resources)))
            except JUDGING_ERRORS as error:
                outcomes.append(error)
                continue
            outcomes.append(Outcome(
                stack=judgement.settings.stack, project=judgement.settings.project, preview=not judgement.up,
                shape=judgement.shape, pack_dir=os.path.relpath(pack_dir), resources=run.resources,
                analysis=analysis, strict=judgement.strict, policy_config=judgement.policy_config_file,
                notes=judgement.settings.notes + run.notes + analysis.notes
                + replacement_notes(run.resources, load_facts())))
    return outcomes
