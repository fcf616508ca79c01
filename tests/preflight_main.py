"""`python -m preflight` on this project by its own `main`, in the test process: the exit status and what it
printed, as a process would give them, without a new interpreter importing pulumi, the SDK's types and the
project's modules again (about 0.5 s of CPU a run). The command as a process is tested in
tests/test_preflight_cli.py and tests/test_bad_files.py."""

from __future__ import annotations

import contextlib
import io
import subprocess

from pulumi_mocks import ROOT

from preflight.cli import main


def preflight_main(*args: str) -> subprocess.CompletedProcess[str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["--cwd", str(ROOT), *args])
    return subprocess.CompletedProcess(list(args), code, stdout.getvalue(), stderr.getvalue())
