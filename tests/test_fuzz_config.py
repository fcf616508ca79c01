"""Config fuzzing through the real loader and the real program under mocks (tests/generated_configs.py).

Never a traceback: a valid config loads and the program builds every vault, plan and replicated bucket of it; an
invalid one fails with one message per problem, each naming its key path (the deliberately broken key among them),
and the program registers nothing. Example counts (2,300 configs a run) are set for CI time on 2 cores: every
config goes through the loader, every one the loader accepts is built by the program (~0.1 s a build under
mocks), and a sample of the invalid ones is run through the program too.
"""

from __future__ import annotations

import re

import pytest
from fuzzing import count, fuzz
from generated_configs import Drawn, broken, invalid_configs, junked, valid_configs
from hypothesis import given
from hypothesis import strategies as st
from policy_documents import least_privilege_findings
from pulumi_mocks import of_type, project_program, run_capturing

from components.config import ConfigError, load_stack_config

KEY_LINE = re.compile(r"^(aws-backups:\S.*|aws:region): ", re.DOTALL)  # junk keys may be any text, even "\n"


def _load(drawn: Drawn):
    """The loader's answer: the config, or the ConfigError. Anything else is a crash (counted, then raised)."""
    try:
        return load_stack_config(drawn.cli_config(), drawn.stack)
    except ConfigError as error:
        return error
    except Exception:
        count("config crashes")
        raise


def _assert_names_keys(error: ConfigError, drawn: Drawn) -> None:
    assert error.problems, drawn.mutation
    for line in error.problems:
        assert KEY_LINE.match(line), f"{drawn.mutation}: message names no key: {line!r}"
        assert "Traceback" not in line


def _assert_refused_naming_the_key(drawn: Drawn, error: object) -> None:
    count("configs fuzzed")
    count("invalid configs refused")
    assert isinstance(error, ConfigError), f"{drawn.mutation} was accepted:\n{drawn.document}"
    _assert_names_keys(error, drawn)
    about = _lines_about(error, drawn.expected_path)
    assert about, f"{drawn.mutation}: {drawn.expected_path} not in {error.problems}"
    assert any(drawn.expected_reason in line for line in about), about


def _lines_about(error: ConfigError, path: str) -> list[str]:
    """The messages about `path` or a key under it (`...lock` is named by `...lock.mode`)."""
    return [line for line in error.problems if re.match(re.escape(path) + r"([.\[][^:]*)?: ", line)]


@pytest.mark.parametrize("part", [1, 2, 3, 4])  # 700 examples in four tests, which xdist spreads over its workers
@fuzz(175)
@given(valid_configs(), st.data())
def test_a_config_and_two_broken_copies(part, drawn, data):
    """Three configs an example (drawing a config costs ~10 times loading it): a valid one, which loads and builds;
    a copy with one deliberate mistake, refused with a message about the broken key; a copy with junk anywhere,
    which is refused with key-path messages, or loads and builds."""
    config = _load(drawn)
    count("configs fuzzed")
    count("valid configs loaded")
    assert not isinstance(config, ConfigError), f"a valid config was refused: {config}\n{drawn.document}"
    assert [v.name for v in config.vaults] == [v["name"] for v in drawn.document.get("vaults", [])]
    assert [p.name for p in config.plans] == [p["name"] for p in drawn.document.get("plans", [])]
    assert [r.name for r in config.replication] == [r["name"] for r in drawn.document.get("replication", [])]
    _assert_builds(drawn, preview=data.draw(st.booleans(), label="preview"))

    invalid = data.draw(broken(drawn), label="broken copy")
    _assert_refused_naming_the_key(invalid, _load(invalid))

    junk = data.draw(junked(drawn), label="junk copy")
    outcome = _load(junk)
    count("configs fuzzed")
    count("junk configs (one value anywhere replaced or deleted)")
    if isinstance(outcome, ConfigError):
        _assert_names_keys(outcome, junk)
    else:
        _assert_builds(junk, preview=True)


def _assert_builds(drawn: Drawn, preview: bool) -> None:
    """The program builds every vault, plan and replicated bucket of a config the loader accepted: under preview
    mocks (outputs of new resources unknown) or up mocks (all known: every apply runs, and the policy documents it
    produces are checked for least privilege, as tests/test_least_privilege.py does ours)."""
    resources, error = run_capturing(project_program, drawn.cli_config(), drawn.stack, preview=preview)
    count("valid configs built by the program")
    if error is not None:
        count("config crashes")
    assert error is None, f"{type(error).__name__}: {error}\n{drawn.document}"
    document = drawn.document
    assert len(of_type(resources, "aws:backup/vault:Vault")) == len(document.get("vaults", []))
    assert len(of_type(resources, "aws:backup/plan:Plan")) == len(document.get("plans", []))
    assert len(of_type(resources, "aws-backups:s3:ReplicatedBucket")) == len(document.get("replication", []))
    if not preview:  # every policy document is resolved JSON: least privilege holds for any config, not only ours
        count("fuzzed configs whose policy documents were checked for least privilege")
        assert least_privilege_findings(resources) == []


@fuzz(150)
@given(invalid_configs())
def test_invalid_configs_register_nothing(drawn):
    error = _load(drawn)
    _assert_refused_naming_the_key(drawn, error)
    resources, program_error = run_capturing(project_program, drawn.cli_config(), drawn.stack, preview=True)
    if not isinstance(program_error, ConfigError):
        count("config crashes")
    assert isinstance(program_error, ConfigError), repr(program_error)
    assert program_error.problems == error.problems
    assert resources == [], [r.urn for r in resources]
    count("invalid configs run through the program (nothing registered)")
