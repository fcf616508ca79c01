"""Schema test: every property path a policy declares it reads exists in the installed pulumi_aws input types, or
in its output types (stack policies read the engine's outputs, `tagsAll` among them) (engine camelCase names, as
`pulumi.getter(name=...)` spells them), for the v7 token and for the older tokens the pack recognises (whose reads
are recorded while the unit tables run)."""

from __future__ import annotations

import pytest
from compliance.registry import BY_NAME, SPECS
from compliance.resources import KIND_OF_TOKEN, READS_SEEN
from policy_cases import CASES
from policy_schema import path_exists
from policy_stack import compliant, verdict

from preflight.aws_sdk import output_path_problem


def readable(token: str, path: str) -> bool:
    return path_exists(token, path) or output_path_problem(token, path) is None

DECLARED = sorted({(token, path) for spec in SPECS for token, paths in spec.reads.items() for path in paths})


@pytest.mark.parametrize(("token", "path"), DECLARED, ids=[f"{t} {p}" for t, p in DECLARED])
def test_declared_path_exists_in_pulumi_aws(token, path):
    assert readable(token, path), f"{path} is neither an input nor an output of {token} in the installed pulumi_aws"


def test_reads_of_older_tokens_exist_in_pulumi_aws():
    READS_SEEN.clear()
    for name, cases in CASES.items():
        for case in cases:
            verdict(BY_NAME[name], case.change(compliant()), case.config)
    older = {(token, path) for token, path in READS_SEEN if KIND_OF_TOKEN.get(token) != token}
    assert older, "the tables exercise the v6 tokens"
    assert [(token, path) for token, path in sorted(older) if not readable(token, path)] == []


@pytest.mark.parametrize(("token", "path"), [
    ("aws:backup/plan:Plan", "rules[].lifecycle.deleteAfterDays"),  # our config key, not the resource's
    ("aws:backup/plan:Plan", "rules.lifecycle"),  # a list entered without []
    ("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "rules[].deleteMarkerReplicationStatus"),  # legacy
    ("aws:s3/bucket:Bucket", "tags.critical"),  # inside a map of strings
])
def test_the_schema_walk_rejects_wrong_paths(token, path):
    assert not readable(token, path)
