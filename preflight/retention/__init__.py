"""The retention report: retention strategies side by side (recovery points, RPO, oldest point, cost, profile
breaches), as Markdown for a pull-request comment, JSON, and a PNG timeline.

`python -m preflight --stack prod --report retention [--format md|json] [--out DIR]` (or
`python -m preflight.retention ...`). The profile checks are the pack's own, imported as `compliance.*`: the
pack folder goes on sys.path here, as the architecture contract has it for every user of the pack's modules.
"""

import sys
from pathlib import Path

_PACK = str(Path(__file__).resolve().parents[2] / "policies")
if _PACK not in sys.path:
    sys.path.append(_PACK)
