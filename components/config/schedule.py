"""AWS Backup schedule expressions: `cron(min hour day-of-month month day-of-week year)`, as AWS writes them."""

from __future__ import annotations

import re

from aws_cron_expression_validator.validator import AWSCronExpressionValidator

_CRON = re.compile(r"^cron\((?P<fields>[^()]*)\)$")


def schedule_problem(expression: str) -> str | None:
    """Why AWS Backup would reject the expression, or None when it is valid."""
    match = _CRON.match(expression)
    if not match:
        return "is not an AWS cron expression (allowed: cron(<min> <hour> <day-of-month> <month> <day-of-week> <year>))"
    fields = match.group("fields")
    try:
        AWSCronExpressionValidator.validate(fields)
    except ValueError as error:
        return f"is not a valid AWS cron expression: {error} (allowed: 6 fields, one of day-of-month/day-of-week '?')"
    # AWS Backup rejects backups less than 60 minutes apart: that happens exactly when the minute field fires more
    # than once an hour.
    if not fields.split(" ")[0].isdigit():
        return "runs more than once an hour (allowed: a single minute value, backups at least 60 minutes apart)"
    return None
