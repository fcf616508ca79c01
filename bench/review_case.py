"""A git repository holding this project with stack files committed (prod's by default) and an edit in its working
tree: what `python -m preflight review` compares, for the review's benchmark and its tests. The program, the pack
and the venv are links to this checkout; only the stack files are the repository's."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINKED = ("Pulumi.yaml", "__main__.py", "components", "policies", "venv", "docs")
YEARLY_CUT = ("deleteAfterDays: 7300", "deleteAfterDays: 3650")  # prod's yearly rule and its copy, 20 y -> 10 y


def git(repo: Path, *args: str) -> str:
    identity = ("-c", "user.name=review", "-c", "user.email=review@example.com")
    return subprocess.run(["git", *identity, *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def make_repo(parent: Path, stacks: tuple[str, ...] = ("prod",)) -> Path:
    repo = parent / "repo"
    repo.mkdir()
    for name in LINKED:
        (repo / name).symlink_to(ROOT / name)
    files = [f"Pulumi.{stack}.yaml" for stack in stacks]
    for name in files:
        (repo / name).write_text((ROOT / name).read_text())
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", *files)
    git(repo, "commit", "-q", "-m", "stacks")
    return repo


def edit(repo: Path, old: str, new: str, count: int = 1, stack: str = "prod") -> None:
    """Replace `old` in the working tree's stack file; fails if the text is not there."""
    path = repo / f"Pulumi.{stack}.yaml"
    text = path.read_text()
    if text.count(old) < count:
        raise ValueError(f"{old!r} is not in {path.name} {count} times")
    path.write_text(text.replace(old, new, count))
