"""The kinds of change a review tells apart, and `--fail-on` can fail on."""

# What `--fail-on` can name, each a kind of change a reviewer may refuse whatever the policies say.
CHANGE_KINDS = {
    "retention-shortened": "a rule or copy keeps recovery points for less time",
    "rpo-longer": "a rule or plan backs up less often (longer worst-case RPO)",
    "copy-removed": "a rule copies to fewer destinations",
    "coverage-removed": "a plan, rule, selection, resource type, ARN or tag condition is gone",
    "protected-replaced": "a protected resource would be replaced",
    "protected-deleted": "a protected resource would be deleted",
    "lock-changed": "a vault lock would change, be replaced or be removed",
    "new-findings": "a policy finding the base did not have",
    "cost-up": "the monthly cost goes up",
}
