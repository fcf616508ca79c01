"""The retention report: retention strategies side by side (recovery points, RPO, oldest point, cost, profile
breaches), as Markdown for a pull-request comment, JSON, and a PNG timeline.

`python -m preflight --stack prod --report retention [--format md|json] [--out DIR]` (or
`python -m preflight.retention ...`). The profile checks are the pack's own, imported as `compliance.*`.
"""
