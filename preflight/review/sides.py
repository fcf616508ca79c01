"""Run the two sides of a review: each side's verdict (preflight's JSON document) and its monthly costs (the
retention report's JSON).

The two programs run in this process, one after the other, on one policy pack process that analyses each
resource as it registers: the second run costs a fraction of the first, which paid the imports, and the pack
starts once (two preflight processes side by side took 2.3 times one preflight on 2 cores; bench/README.md).
The retention report runs as its own process, started first (`report_runs.py`). With `--base-code` the base runs
the base's own code, as `python -m preflight --json` with the base's tree first on PYTHONPATH.
"""

from __future__ import annotations

import io
import subprocess
from dataclasses import dataclass
from typing import Any

from compliance.policy_config import PolicyConfigError, load_policy_config_file

from preflight.analysis import start_pack
from preflight.judge import Judgement, judge_all
from preflight.progress import Progress
from preflight.report import to_json
from preflight.review.report_runs import Reports, SideSpec, finish
from preflight.stack_files import StackFileError, read_stack


@dataclass
class SideResult:
    label: str
    preflight: dict[str, Any] | None  # preflight's JSON; None when it failed (see error)
    report: dict[str, Any] | None  # the retention report's JSON; None when it failed (see report_error)
    error: str | None = None
    report_error: str | None = None

    @property
    def resources(self) -> list[dict[str, Any]]:
        return self.preflight["resources"] if self.preflight else []


def _in_process(head: SideSpec, base: SideSpec | None) -> dict[str, tuple[dict[str, Any] | None, str | None]]:
    """The verdicts of the sides that run this process's code, on one pack when they share a region."""
    verdicts: dict[str, tuple[dict[str, Any] | None, str | None]] = {}
    judgements: dict[str, Judgement] = {}
    for spec in (head, base):
        if spec and not spec.own_code:
            try:
                settings = read_stack(spec.project_dir, spec.stack, spec.stack_file)
                policy_config = (load_policy_config_file(str(spec.policy_pack_config)) if spec.policy_pack_config
                                 else None)
            except (StackFileError, PolicyConfigError) as error:
                verdicts[spec.label] = None, str(error)
                continue
            judgements[spec.label] = Judgement(settings, policy_config)
    # The pack reads the stack's aws:region from its environment when it starts: another region, another pack.
    by_region: dict[str | None, list[str]] = {}
    for label, judgement in judgements.items():
        by_region.setdefault(judgement.settings.region, []).append(label)
    for labels in by_region.values():
        first = judgements[labels[0]].settings
        with start_pack(first.project_dir / "policies", first, dry_run=True) as pack:
            outcomes = judge_all([judgements[label] for label in labels], pack, first.project_dir / "policies",
                                 Progress(io.StringIO()))
        for label, outcome in zip(labels, outcomes, strict=True):
            verdicts[label] = (None, str(outcome)) if isinstance(outcome, Exception) else (to_json(outcome), None)
    return verdicts


def run_sides(head: SideSpec, base: SideSpec | None, reports: Reports,
              base_preflight: subprocess.Popen[str] | None) -> tuple[SideResult, SideResult | None]:
    """Both sides' verdicts and costs, with the processes already started (`reports` by side, and the base's own
    preflight with --base-code); the base's None when there is no base to run (a new or unchanged file)."""
    verdicts = _in_process(head, base)
    if base_preflight is not None:
        verdicts["base"] = finish(base_preflight, accepted=(0, 1))
    results = {}
    for spec in (head, base):
        if spec:
            costs, report_error = reports.result(spec.label)
            verdict, error = verdicts[spec.label]
            results[spec.label] = SideResult(spec.label, verdict, costs, error, report_error)
    return results["head"], results.get("base")
