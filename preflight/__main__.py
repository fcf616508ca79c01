import sys

# `python -m preflight review ...` is the review of a stack edit; anything else is preflight itself. Each loads
# only its own modules.
if sys.argv[1:2] == ["review"]:
    from preflight.review.entry import main

    sys.exit(main(sys.argv[2:]))
from preflight.cli import main

sys.exit(main())
