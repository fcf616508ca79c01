"""The base side of a review, from git: the merge base with the default branch, a file at a ref, a tree at a ref."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

DEFAULT_BRANCH_CANDIDATES = ("origin/HEAD", "origin/main", "origin/master", "main", "master")


class GitError(Exception):
    """git is missing, the folder is not in a repository, or a ref does not exist."""


def _git(cwd: Path, *args: str, binary: bool = False) -> str | bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError as error:
        raise GitError("git is not installed: the review reads the base side from git") from error
    if done.returncode != 0:
        raise GitError(f"git {' '.join(args)}: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout if binary else done.stdout.decode()


def repository_root(folder: Path) -> Path:
    return Path(str(_git(folder, "rev-parse", "--show-toplevel")).strip())


def _exists(root: Path, ref: str) -> bool:
    try:
        _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except GitError:
        return False
    return True


def default_base(root: Path) -> str:
    """The merge base of HEAD with the default branch (the first of origin/HEAD, origin/main, origin/master,
    main, master that exists): on a pull request's branch, where it forked; on the default branch itself, HEAD,
    so the review shows the uncommitted edit."""
    for candidate in DEFAULT_BRANCH_CANDIDATES:
        if _exists(root, candidate):
            return str(_git(root, "merge-base", candidate, "HEAD")).strip()
    raise GitError(f"no default branch found (tried {', '.join(DEFAULT_BRANCH_CANDIDATES)}): pass --base <git-ref>")


def resolve(root: Path, ref: str) -> str:
    """The commit a ref names (a branch, a tag, a sha, HEAD~1)."""
    if not _exists(root, ref):
        raise GitError(f"--base {ref!r} is not a commit of this repository")
    return str(_git(root, "rev-parse", f"{ref}^{{commit}}")).strip()


def file_at(root: Path, commit: str, path: Path) -> str | None:
    """The text of `path` (relative to the repository root) at `commit`, or None when it did not exist there."""
    try:
        return str(_git(root, "show", f"{commit}:{path.as_posix()}"))
    except GitError:
        return None


def export_tree(root: Path, commit: str, destination: Path) -> None:
    """The whole tree of `commit` written into `destination` (for `--base-code`: the base's program and pack)."""
    archive = _git(root, "archive", "--format=tar", commit, binary=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:  # type: ignore[arg-type]
        tar.extractall(destination, filter="data")
