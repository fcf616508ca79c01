"""Named backup rules, as the AWS CDK's `BackupPlanRule.daily()`, `weekly()`, `monthly1Year()`, `monthly5Year()` and
`monthly7Year()` define them (aws-cdk-lib/aws-backup/lib/rule.ts): schedule 05:00 UTC, retention and cold storage
in days. A rule written as `preset: <name>` takes these values; any field it sets itself wins."""

from __future__ import annotations

PRESETS: dict[str, dict[str, object]] = {
    "daily": {"name": "Daily", "schedule": "cron(0 5 * * ? *)", "deleteAfterDays": 35},
    "weekly": {"name": "Weekly", "schedule": "cron(0 5 ? * SAT *)", "deleteAfterDays": 90},
    "monthly1Year": {
        "name": "Monthly1Year",
        "schedule": "cron(0 5 1 * ? *)",
        "coldStorageAfterDays": 30,
        "deleteAfterDays": 365,
    },
    "monthly5Year": {
        "name": "Monthly5Year",
        "schedule": "cron(0 5 1 * ? *)",
        "coldStorageAfterDays": 90,
        "deleteAfterDays": 365 * 5,
    },
    "monthly7Year": {
        "name": "Monthly7Year",
        "schedule": "cron(0 5 1 * ? *)",
        "coldStorageAfterDays": 90,
        "deleteAfterDays": 365 * 7,
    },
}
