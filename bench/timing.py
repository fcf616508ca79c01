"""One command timed as a user runs it: wall time around the process; CPU time (user + system) and peak memory
(the largest resident set) from `wait4`, which cover the children it waited for (the pack, the report)."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO


@dataclass(frozen=True)
class Timing:
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    exit_code: int


def timed(command: list[str], cwd: Path, stdout: IO[str] | int = subprocess.DEVNULL) -> Timing:
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=stdout, stderr=subprocess.DEVNULL)
    try:
        _, status, usage = os.wait4(process.pid, 0)
    except BaseException:
        process.kill()
        raise
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return Timing(wall_s=wall, cpu_s=usage.ru_utime + usage.ru_stime, peak_rss_mb=usage.ru_maxrss / 1024,
                  exit_code=process.returncode)


def spread(values: list[float]) -> str:
    """`min / median / max` of repeated runs, as the bench tables print them."""
    return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"
