"""`python -m preflight --stack prod`: the verdict of `pulumi preview --policy-pack`, offline.

Exit status: 0 no mandatory violation; 1 a mandatory violation (or, with --strict, a policy that could not
run); 2 a usage or config error (bad stack file, failing program, bad policy config, pack that does not start).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from compliance.policy_config import PolicyConfigError, load_policy_config_file

from preflight.analysis import start_pack
from preflight.exit_codes import EXIT_USAGE
from preflight.judge import Judgement, judge_all
from preflight.pack_client import PackError
from preflight.program import ProgramError
from preflight.progress import Progress
from preflight.recorder import SHAPES
from preflight.report import render_json, render_text
from preflight.stack_files import StackFileError, read_stack

EXIT_INTERRUPTED = 130


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m preflight",
        description="Preview a Pulumi stack offline under SDK mocks and run a CrossGuard policy pack on it, "
                    "as `pulumi preview --policy-pack` does. Exit 0: no mandatory violation; 1: a mandatory "
                    "violation (--strict: or a policy that could not run); 2: usage or config error. "
                    "`python -m preflight review --help`: what an edit of a stack file does.",
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
        judgement = Judgement(settings, policy_config, up=args.up, shape=args.shape, strict=args.strict,
                              policy_config_file=args.policy_pack_config)
        with start_pack(pack_dir, settings, dry_run=not args.up) as pack:
            [outcome] = judge_all([judgement], pack, pack_dir, progress)
        if isinstance(outcome, Exception):
            raise outcome
    except (StackFileError, PolicyConfigError, ProgramError, PackError) as error:
        progress.done()
        return _fail(str(error))
    except KeyboardInterrupt:
        progress.done()
        sys.stderr.write("preflight: interrupted; the policy pack was stopped\n")
        return EXIT_INTERRUPTED
    progress.done()
    sys.stdout.write(render_json(outcome) if args.json else render_text(outcome))
    return outcome.exit_code
