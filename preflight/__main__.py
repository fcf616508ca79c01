import gc
import os
import sys

# `python -m preflight review ...` is the review of a stack edit; anything else is preflight itself. Each loads
# only its own modules.
if sys.argv[1:2] == ["review"]:
    from preflight.review.entry import main

    sys.exit(main(sys.argv[2:]))

from preflight.program import GC_THRESHOLDS

# One stack judged by a process that exits next. The collector keeps the thresholds of the program's run after it:
# with Python's own, the first pass after the program re-scanned its whole object graph (0.7 s at 5,000
# resources). And the process ends without tearing the interpreter down, which freed that graph object by object
# after the report was out (1.7 s at 5,000 in one measured run, 0.7-1.1 s at 1,000); the pack process and every
# thread are stopped by then, and the report is flushed. Instagram did much the same ("Dismissing Python Garbage
# Collection at Instagram", 2017).
gc.set_threshold(*GC_THRESHOLDS)

from preflight.cli import main  # noqa: E402  (after the thresholds: the imports allocate too)

code = main()
try:
    sys.stdout.flush()
    sys.stderr.flush()
except BrokenPipeError:  # the reader left early (`| head`): the exit status still says the verdict
    pass
os._exit(code)
