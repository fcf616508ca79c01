"""`python -m preflight review --stack prod [--base REF]`: what the edit of Pulumi.<stack>.yaml does, the base
(default: the merge base with the default branch) against the working tree.

Exit status: 0 the head is allowed and no `--fail-on` change; 1 the head is blocked (a mandatory violation), or a
change named in `--fail-on`; 2 a usage, git or config error on the head side.

This module stays light to import: it starts the retention report's processes (and the base's own preflight with
--base-code) first, then loads the program's and the pack's modules while those run on the other core.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from preflight.exit_codes import EXIT_USAGE
from preflight.review.change_kinds import CHANGE_KINDS
from preflight.review.git_refs import GitError, default_base, export_tree, file_at, repository_root, resolve
from preflight.review.report_runs import Reports, SideSpec, preflight_argv, start


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m preflight review",
        description="What an edit of a stack file does: the verdict, policy findings new and fixed, retention, "
                    "RPO, copies, coverage, locks and replication before -> after, the resource changes the "
                    "engine would plan (and what it or AWS would refuse), existing recovery points, monthly cost.",
    )
    p.add_argument("--stack", "-s", required=True, help="the stack: compares Pulumi.<stack>.yaml")
    p.add_argument("--base", metavar="GIT_REF",
                   help="the side to compare against (default: the merge base of HEAD with the default branch)")
    p.add_argument("--base-code", action="store_true",
                   help="run the base's own program and pack on the base side (default: the working tree's code "
                        "on both sides, so only the stack file differs)")
    p.add_argument("--policy-pack-config", metavar="FILE", help="JSON policy config (a profile), as for preflight")
    p.add_argument("--format", choices=["text", "md", "json"], default="text",
                   help="text for a terminal (default), md for a pull-request comment, json for tools")
    p.add_argument("--fail-on", metavar="KINDS", default="",
                   help="also exit 1 on these changes, comma-separated, or `any`: " + ", ".join(CHANGE_KINDS))
    p.add_argument("--cost-model", metavar="FILE", help="the retention report's cost model (sizes per type)")
    p.add_argument("--prices", metavar="FILE", help="the retention report's price table")
    p.add_argument("--out", metavar="FILE", help="write the review here instead of stdout")
    p.add_argument("--cwd", "-C", default=".", metavar="DIR", help="the project folder (holds Pulumi.yaml)")
    return p


@dataclass(frozen=True)
class Request:
    """What to compare, settled before anything runs."""

    stack: str
    root: Path
    project_dir: Path
    stack_file: Path
    commit: str
    base_text: str | None
    base_label: str
    head_label: str
    same: str | None  # why both sides are the same config with the same code (judged once), when they are
    fail_on: frozenset[str]


def _fail_on(text: str) -> frozenset[str]:
    chosen = {kind.strip() for kind in text.split(",") if kind.strip()}
    if "any" in chosen:
        return frozenset(CHANGE_KINDS)
    unknown = chosen - set(CHANGE_KINDS)
    if unknown:
        raise ValueError(f"--fail-on: unknown {', '.join(sorted(unknown))} (allowed: any, {', '.join(CHANGE_KINDS)})")
    return frozenset(chosen)


def _same_config(base: str | None, head: str) -> str | None:
    """Why the two stack files give the same config values, or None when they do not."""
    if base is None:
        return None
    if base == head:
        return "the stack file is the same"
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it: 10 times faster
    try:
        same = yaml.load(base, Loader=loader) == yaml.load(head, Loader=loader)
    except yaml.YAMLError:
        return None
    return "the edit changes comments or layout only, no config value" if same else None


def _request(args: argparse.Namespace) -> Request:
    """Raises GitError and ValueError (usage)."""
    fail_on = _fail_on(args.fail_on)
    project_dir = Path(args.cwd).resolve()
    root = repository_root(project_dir)
    commit = resolve(root, args.base) if args.base else default_base(root)
    stack_file = project_dir / f"Pulumi.{args.stack}.yaml"
    if not stack_file.is_file():
        raise ValueError(f"{stack_file} not found")
    relative = stack_file.relative_to(root)
    head_text = stack_file.read_text()
    base_text = file_at(root, commit, relative)
    return Request(
        stack=args.stack, root=root, project_dir=project_dir, stack_file=stack_file, commit=commit,
        base_text=base_text,
        base_label=f"{relative} at {commit[:10]}" + ("" if args.base else " (merge base with the default branch)"),
        head_label=f"{relative} in the working tree",
        same=None if args.base_code else _same_config(base_text, head_text), fail_on=fail_on)


def _policy_config_for_base(path: str | None, head_dir: Path, base_dir: Path) -> Path | None:
    """With --base-code, the base's own copy of the profile when it has one (the pack and its profiles change
    together); else the head's."""
    if not path:
        return None
    head_file = Path(path).resolve()
    try:
        mirrored = base_dir / head_file.relative_to(head_dir)
    except ValueError:
        return head_file
    return mirrored if mirrored.is_file() else head_file


def _share_virtualenv(head_dir: Path, base_dir: Path) -> None:
    """The base's code runs on this environment's packages: git holds no venv, and the pack's PulumiPolicy.yaml
    names one beside the project (`virtualenv: ../venv`)."""
    for name in ("venv", ".venv"):
        if (head_dir / name).is_dir() and not (base_dir / name).exists() and base_dir.is_dir():
            (base_dir / name).symlink_to((head_dir / name).resolve())


def _base_spec(args: argparse.Namespace, request: Request, scratch: Path, head: SideSpec) -> SideSpec | None:
    """The base side to run; None when there is none (a stack file new at the head, or the same config)."""
    if args.base_code:
        tree = scratch / "base"
        export_tree(request.root, request.commit, tree)
        base_dir = tree / request.project_dir.relative_to(request.root)
        _share_virtualenv(request.project_dir, base_dir)
        stack_file = base_dir / request.stack_file.name
        if not stack_file.is_file():
            return None
        return SideSpec("base", base_dir, request.stack, stack_file,
                        _policy_config_for_base(args.policy_pack_config, request.project_dir, base_dir),
                        head.cost_model, head.prices, own_code=True)
    if request.base_text is None or request.same:
        return None
    base_file = scratch / request.stack_file.name
    base_file.write_text(request.base_text)
    return SideSpec("base", request.project_dir, request.stack, base_file, head.policy_pack_config, head.cost_model,
                    head.prices)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        request = _request(args)
    except (GitError, ValueError) as error:
        sys.stderr.write(f"preflight review: error: {error}\n")
        return EXIT_USAGE
    resolved = {flag: Path(value).resolve() if value else None
                for flag, value in (("policy", args.policy_pack_config), ("cost", args.cost_model),
                                    ("prices", args.prices))}
    head = SideSpec("head", request.project_dir, request.stack, request.stack_file, resolved["policy"],
                    resolved["cost"], resolved["prices"])
    with tempfile.TemporaryDirectory(prefix="preflight-review-") as scratch:
        base = _base_spec(args, request, Path(scratch), head)
        reports = Reports.start(head, base)
        base_preflight = start(preflight_argv(base), base) if base and base.own_code else None
        # Loaded only now, while the processes above use the other core: the program's and the pack's modules.
        from preflight.review.judged_review import review_and_render

        return review_and_render(request, head, base, reports, base_preflight, args.format, args.out)
