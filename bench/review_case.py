"""A git repository holding this project with prod's stack file committed, and an edit in its working tree: what
`python -m preflight review` compares, for the review's benchmark and its tests. The program, the pack and the
venv are links to this checkout; only the stack file is the repository's."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINKED = ("Pulumi.yaml", "__main__.py", "components", "policies", "venv", "docs")
YEARLY_CUT = ("deleteAfterDays: 7300", "deleteAfterDays: 3650")  # prod's yearly rule and its copy, 20 y -> 10 y


def git(repo: Path, *args: str) -> str:
    identity = ("-c", "user.name=review", "-c", "user.email=review@example.com")
    return subprocess.run(["git", *identity, *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def make_repo(parent: Path) -> Path:
    repo = parent / "repo"
    repo.mkdir()
    for name in LINKED:
        (repo / name).symlink_to(ROOT / name)
    (repo / "Pulumi.prod.yaml").write_text((ROOT / "Pulumi.prod.yaml").read_text())
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "Pulumi.prod.yaml")
    git(repo, "commit", "-q", "-m", "prod")
    return repo


def edit(repo: Path, old: str, new: str, count: int = 1) -> None:
    """Replace `old` in the working tree's stack file; fails if the text is not there."""
    path = repo / "Pulumi.prod.yaml"
    text = path.read_text()
    if text.count(old) < count:
        raise ValueError(f"{old!r} is not in Pulumi.prod.yaml {count} times")
    path.write_text(text.replace(old, new, count))
