"""The config and the pack agree on AWS's limits, for any config the fuzzers build (tests/generated_configs.py).

policies/compliance/facts.py holds each of AWS's rules once, and both sides call it; this proves they call it
alike, through the real program (under preflight's engine model) and the real pack process:
- every valid config gets no violation of an AWS-limit policy;
- every config the loader refuses for an AWS limit, built anyway with that one rule of facts.py switched off in
  the program's process only (the pack process keeps it), is blocked by the pack's policy for that limit, where
  the program can express the value as resources. Not expressible: a value of another type (refused before any
  rule), a lifecycle of 0 days (the provider sends none: AWS keeps the point forever), a lock whose range is
  inverted (every rule targeting the vault is then refused for another reason), a region (the pack has no region
  list: the provider's, in the program's process, is the one).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from unittest import mock

import pytest
from compliance import facts
from compliance.registry import SPECS
from fuzzing import count, fuzz
from generated_configs import MUTATIONS, REGION_KEY, Drawn, key_path, valid_configs
from hypothesis import given
from hypothesis import strategies as st

from components.config import ConfigError, load_stack_config
from preflight.analysis import analyze, start_pack
from preflight.program import run_program
from preflight.stack_files import read_stack

ROOT = Path(__file__).resolve().parents[1]
AWS_LIMIT_POLICIES = sorted(spec.name for spec in SPECS if spec.aws_limit)
ONLY_AWS_LIMITS = {"all": "disabled", **dict.fromkeys(AWS_LIMIT_POLICIES, "mandatory")}
# A mutation of the config fuzzer -> (the rule of facts.py the loader refuses it by, the pack's policy for it).
BY_RULE = {
    "deleteAfterDays out of range or wrong type": ("lifecycle_days_problem", "aws-backup-plan-check-lifecycle-bounds"),
    "cold storage less than 90 days before deletion": ("cold_storage_gap_problem",
                                                       "aws-backup-plan-check-cold-storage-gap"),
    "continuous backup with cold storage": ("continuous_cold_storage_problem",
                                            "aws-backup-plan-check-continuous-backup"),
    "schedule not AWS cron": ("schedule_problem", "aws-backup-plan-check-schedule"),
    "vault name invalid": ("name_problem", "aws-backup-resource-check-names"),
    "plan name invalid": ("name_problem", "aws-backup-resource-check-names"),
    "rule name invalid": ("name_problem", "aws-backup-resource-check-names"),
    "bucket name invalid": ("bucket_name_problem", "aws-s3-bucket-check-name"),
    "lock min above max": ("lock_range_problem", "aws-backup-vaultlock-check-bounds"),
}


@pytest.fixture(scope="module")
def gate():
    """The pack, started once as preflight starts it, and the dev stack's settings to run the program with."""
    settings = read_stack(ROOT, "dev")
    with start_pack(ROOT / "policies", settings, dry_run=True) as pack:
        yield settings, pack


def _aws_limit_verdicts(gate, drawn: Drawn) -> set[str]:
    """The AWS-limit policies the pack blocks the program's resources for (raises ProgramError)."""
    settings, pack = gate
    settings = dataclasses.replace(settings, stack=drawn.stack, config=drawn.cli_config())
    run = run_program(settings, preview=True)
    analysis = analyze(pack, settings, run.resources, ONLY_AWS_LIMITS)
    return {d.policy for d in analysis.diagnostics if d.level == "mandatory"}


@fuzz(25)
@given(valid_configs())
def test_a_valid_config_passes_every_aws_limit_policy(gate, drawn):
    blocked = _aws_limit_verdicts(gate, drawn)
    count("valid configs through the AWS-limit policies")
    assert blocked == set(), drawn.document


@st.composite
def refused_for_an_aws_limit(draw: st.DrawFn) -> Drawn:
    drawn = draw(valid_configs())
    while True:
        name = draw(st.sampled_from(sorted(BY_RULE)))
        path = MUTATIONS[name](draw, drawn.document)
        if path is not None:
            drawn.mutation, drawn.expected_path = name, REGION_KEY if path == (REGION_KEY,) else key_path(path)
            return drawn


@fuzz(40)
@given(refused_for_an_aws_limit())
def test_a_config_refused_for_an_aws_limit_is_blocked_by_the_pack_for_it(gate, drawn):
    rule, policy = BY_RULE[drawn.mutation]
    with pytest.raises(ConfigError):
        load_stack_config(drawn.cli_config(), drawn.stack)
    with mock.patch.object(facts, rule, lambda *_args: None):  # in the program's process only, not the pack's
        if not _loads(drawn) or _value_at(drawn) == 0:
            count("configs refused for an AWS limit that no resource can express")
            return
        blocked = _aws_limit_verdicts(gate, drawn)
    count("configs refused for an AWS limit, built anyway and blocked by the pack")
    assert policy in blocked, (drawn.mutation, drawn.expected_path, blocked)


def _loads(drawn: Drawn) -> bool:
    try:
        load_stack_config(drawn.cli_config(), drawn.stack)
    except ConfigError:
        return False
    return True


def _value_at(drawn: Drawn) -> object:
    """The mutated value: `aws-backups:plans[0].rules[1].deleteAfterDays` read from the document."""
    value = drawn.document
    for piece in drawn.expected_path.split(":", 1)[1].replace("[", ".").replace("]", "").split("."):
        value = value[int(piece) if piece.isdigit() else piece]
    return value
