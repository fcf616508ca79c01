"""`python -m preflight --stack prod`: the verdict of `pulumi preview --policy-pack`, offline.

Exit status: 0 no mandatory violation; 1 a mandatory violation (or, with --strict, a policy that could not
run); 2 a usage or config error (bad stack file, failing program, bad policy config, pack that does not start).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from preflight.analysis import Analyzer, start_pack
from preflight.engine_model import load_facts
from preflight.pack_client import PackError
from preflight.pack_config import PolicyConfigError, load_policy_config_file
from preflight.program import ProgramError, run_program
from preflight.progress import Progress
from preflight.recorder import SHAPES
from preflight.replacement import replacement_notes
from preflight.report import EXIT_USAGE, Outcome, render_json, render_text
from preflight.stack_files import StackFileError, read_stack

EXIT_INTERRUPTED = 130


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m preflight",
        description="Preview a Pulumi stack offline under SDK mocks and run a CrossGuard policy pack on it, "
                    "as `pulumi preview --policy-pack` does. Exit 0: no mandatory violation; 1: a mandatory "
                    "violation (--strict: or a policy that could not run); 2: usage or config error.",
    )
    p.add_argument("--stack", "-s", required=True, help="the stack: reads Pulumi.<stack>.yaml")
    p.add_argument("--policy-pack", default=None, metavar="DIR",
                   help="the policy pack folder (default: policies/ in the project)")
    p.add_argument("--policy-pack-config", metavar="FILE", help="JSON policy config, as for the Pulumi CLI")
    p.add_argument("--json", action="store_true", help="write one JSON object instead of the text report")
    p.add_argument("--up", action="store_true",
                   help="the stack after `pulumi up`, as every later preview sees it: outputs the provider read back "
                        "(realistic ids and ARNs, what AWS filled in) instead of a first preview's planned outputs")
    p.add_argument("--shape", choices=SHAPES, default="engine",
                   help="what the pack is sent: engine (default; checked inputs to Analyze, outputs to "
                        "AnalyzeStack, as `pulumi preview` sends them) or inputs (the program's inputs to both)")
    p.add_argument("--strict", action="store_true", help="also fail when a policy could not run")
    p.add_argument("--cwd", "-C", default=".", metavar="DIR", help="the project folder (holds Pulumi.yaml)")
    p.add_argument("--config-file", metavar="FILE", help="use this stack file instead of Pulumi.<stack>.yaml")
    return p


def _fail(message: str) -> int:
    sys.stderr.write(f"preflight: error: {message}\n")
    return EXIT_USAGE


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    progress = Progress()
    try:
        settings = read_stack(args.cwd, args.stack, args.config_file)
        pack_dir = Path(args.policy_pack) if args.policy_pack else settings.project_dir / "policies"
        policy_config = load_policy_config_file(args.policy_pack_config) if args.policy_pack_config else None

        with (start_pack(pack_dir, settings, dry_run=not args.up) as pack,
              Analyzer(pack, settings, policy_config) as analyzer):
            progress.step(f"running the program for stack {args.stack} (the policy pack starts and analyses its "
                          "resources meanwhile)", force=True)
            run = run_program(settings, preview=not args.up, on_resource=analyzer.submit, shape=args.shape)
            progress.step(f"waiting for the policy pack {pack_dir}", force=True)
            analysis = analyzer.finish(run.resources,
                                       on_progress=progress.counter("analysing resources", len(run.resources)))
    except (StackFileError, PolicyConfigError, ProgramError, PackError) as error:
        progress.done()
        return _fail(str(error))
    except KeyboardInterrupt:
        progress.done()
        sys.stderr.write("preflight: interrupted; the policy pack was stopped\n")
        return EXIT_INTERRUPTED
    progress.done()

    outcome = Outcome(stack=settings.stack, project=settings.project, preview=not args.up, shape=args.shape,
                      pack_dir=os.path.relpath(pack_dir), resources=run.resources, analysis=analysis,
                      strict=args.strict, policy_config=args.policy_pack_config,
                      notes=settings.notes + run.notes + analysis.notes
                      + replacement_notes(run.resources, load_facts()))
    sys.stdout.write(render_json(outcome) if args.json else render_text(outcome))
    return outcome.exit_code
