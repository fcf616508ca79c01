"""The retention report: retention strategies side by side (recovery points, RPO, oldest point, cost, profile
breaches), as Markdown for a pull-request comment, JSON, and a PNG timeline.

`python -m retention_report --stack prod [--format md|json] [--out DIR]`. The strategies are judged by the pack's
own policies (`compliance.*`) on the plan inputs the program would register (`components.backup_rules`).
"""
