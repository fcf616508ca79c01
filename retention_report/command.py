"""`python -m retention_report --stack prod [--format md|json] [--out DIR]`: retention strategies side by
side for each plan of the stack, and solution types side by side for each protected resource type. Without --out
the report goes to stdout; with --out DIR it is written to DIR/retention-<stack>.md (or .json) together with the
timeline DIR/retention-<stack>.png and the solution types DIR/solutions-<stack>.png.

Exit status: 0 report written; 2 usage or input error (stack file, stack config, profile, cost model, prices).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from compliance.backup_times import ScheduleError
from compliance.policy_config import PolicyConfigError

from components.config.loader import ConfigError, load_stack_config
from preflight.stack_files import StackFileError, read_stack
from retention_report.contents import RetentionReport, build_report
from retention_report.pricing import DEFAULT_PRICES, PriceError, PriceTable
from retention_report.profile import Profile
from retention_report.render_json import render_json
from retention_report.render_md import render_markdown
from retention_report.workloads import CostModelError, load_cost_model

EXIT_USAGE = 2
INPUT_ERRORS = (ConfigError, StackFileError, PolicyConfigError, CostModelError, PriceError, ScheduleError)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m retention_report",
        description="Compare retention strategies for each backup plan of a stack: recovery points, worst-case "
                    "RPO, oldest restorable point, monthly cost, and where each breaks the compliance profile.",
    )
    p.add_argument("--stack", "-s", required=True, help="the stack: reads Pulumi.<stack>.yaml")
    p.add_argument("--format", choices=["md", "json"], default="md", help="Markdown (default) or JSON")
    p.add_argument("--out", metavar="DIR", help="write retention-<stack>.<md|json> and .png here instead of stdout")
    p.add_argument("--policy-pack-config", metavar="FILE",
                   help="the compliance profile (e.g. policies/profiles/sec-17a-4.json); default: the pack's "
                        "defaults (AWS baseline)")
    p.add_argument("--cost-model", metavar="FILE",
                   help="YAML/JSON: count, sizeGb, dailyChangeRate per resource type (default: 1 x 100 GB, 2%%/day)")
    p.add_argument("--prices", metavar="FILE", default=str(DEFAULT_PRICES),
                   help="the price table (default: %(default)s)")
    p.add_argument("--as-written", action="store_true",
                   help="each plan as written only, without the alternative strategies (what a change costs)")
    p.add_argument("--cwd", "-C", default=".", metavar="DIR", help="the project folder (holds Pulumi.yaml)")
    p.add_argument("--config-file", metavar="FILE", action="append",
                   help="use this stack file instead of Pulumi.<stack>.yaml; repeat it to report several files of "
                        "the stack in one run (JSON only: an array of one document per file, or of its error)")
    return p


def _report(args: argparse.Namespace, config_file: str | None) -> RetentionReport:
    """Raises every input error the module docstring names."""
    settings = read_stack(args.cwd, args.stack, config_file)
    config = load_stack_config(settings.config, settings.stack)
    profile = Profile.load(Path(args.policy_pack_config) if args.policy_pack_config else None)
    return build_report(settings.stack, config, profile,
                        load_cost_model(Path(args.cost_model) if args.cost_model else None),
                        PriceTable.load(Path(args.prices)), with_alternatives=not args.as_written)


def _several(args: argparse.Namespace) -> int:
    """One JSON array for several stack files (the review prices its two sides in one process this way)."""
    if args.format != "json" or args.out:
        sys.stderr.write("retention_report: error: several --config-file need --format json and no --out\n")
        return EXIT_USAGE
    documents = []
    for config_file in args.config_file:
        try:
            documents.append(json.loads(render_json(_report(args, config_file))))
        except INPUT_ERRORS as error:
            documents.append({"configFile": config_file, "error": str(error)})
    sys.stdout.write(json.dumps(documents, indent=2, ensure_ascii=False) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.config_file and len(args.config_file) > 1:
        return _several(args)
    try:
        report = _report(args, args.config_file[0] if args.config_file else None)
    except INPUT_ERRORS as error:
        sys.stderr.write(f"retention_report: error: {error}\n")
        return EXIT_USAGE

    text = render_json(report) if args.format == "json" else render_markdown(report)
    if not args.out:
        sys.stdout.write(text)
        return 0
    # matplotlib takes half a second to import: only a report written to a folder draws the pictures.
    from retention_report.render_png import render_png
    from retention_report.render_solutions_png import render_solutions_png

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    document = out / f"retention-{report.stack}.{args.format}"
    document.write_text(text)
    written = [document, render_png(report, out / f"retention-{report.stack}.png")]
    if report.solutions:
        written.append(render_solutions_png(report.solutions, report.stack, out / f"solutions-{report.stack}.png"))
    sys.stderr.write(f"wrote {', '.join(map(str, written))}\n")
    return 0
