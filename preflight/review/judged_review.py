"""The review proper, once its processes run: judge the sides, compare them, render, and the exit status."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from preflight.engine_model import load_facts
from preflight.exit_codes import EXIT_OK, EXIT_USAGE, EXIT_VIOLATIONS
from preflight.review.as_json import render_json
from preflight.review.as_markdown import render_markdown
from preflight.review.as_text import render_text
from preflight.review.comparison import Review, compare
from preflight.review.report_runs import Reports, SideSpec
from preflight.review.sides import SideResult, run_sides

if TYPE_CHECKING:
    from preflight.review.entry import Request

EMPTY_STACK = {"resources": [], "diagnostics": [], "couldNotRun": [],
               "summary": {"resources": 0, "mandatory": 0, "advisory": 0, "couldNotRun": 0, "exitCode": 0}}


def exit_code(review: Review, fail_on: frozenset[str]) -> int:
    return EXIT_VIOLATIONS if review.blocked or fail_on.intersection(review.kinds) else EXIT_OK


def review_and_render(request: Request, head_spec: SideSpec, base_spec: SideSpec | None,
                      reports: Reports, base_preflight: subprocess.Popen[str] | None,
                      output_format: str, out: str | None) -> int:
    head, base = run_sides(head_spec, base_spec, reports, base_preflight)
    if head.preflight is None:
        sys.stderr.write(f"preflight review: error: the head side of stack {request.stack} failed:\n{head.error}\n")
        return EXIT_USAGE
    if base is None:  # the same config (judged once), or a stack file new at the head (nothing before)
        base = (SideResult("base", head.preflight, head.report, head.error, head.report_error) if request.same else
                SideResult("base", EMPTY_STACK, {"plans": []}))
    review = compare(request.stack, base, head, load_facts(), base_label=request.base_label,
                     head_label=request.head_label, same_config=request.same)
    code = exit_code(review, request.fail_on)
    text = (render_json(review, code) if output_format == "json" else
            render_markdown(review) if output_format == "md" else render_text(review))
    if out:
        Path(out).write_text(text)
    else:
        sys.stdout.write(text)
    return code
