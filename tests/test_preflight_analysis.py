"""Driving the fixture pack over recorded resources, over its real gRPC protocol."""

from pathlib import Path

import jsonschema
import pytest
from compliance.policy_config import PolicyConfigError, _validate

from preflight.analysis import analyze, config_for_pack, read_pack_manifest, start_pack
from preflight.pack_client import PackError, PolicyPackProcess
from preflight.program import run_program
from preflight.stack_files import read_stack

FIXTURES = Path(__file__).parent / "fixtures"
PACK = FIXTURES / "pack"


def _analyze(stack: str, policy_config=None, *, preview: bool = True, pack: Path = PACK):
    settings = read_stack(FIXTURES / "program", stack)
    with start_pack(pack, settings, dry_run=preview) as starting:
        resources = run_program(settings, preview=preview).resources
        return analyze(starting, settings, resources, policy_config)


def _verdicts(analysis):
    return sorted((d.policy, d.level, d.urn.rsplit("::", 1)[-1]) for d in analysis.diagnostics if not d.could_not_run)


def test_a_good_stack_at_preview():
    analysis = _analyze("good")
    assert (analysis.pack_name, analysis.pack_version) == ("fixture-pack", "0.3.0")  # version from PulumiPolicy.yaml
    assert _verdicts(analysis) == [("fixture-bucket-tagged", "advisory", "logs")]
    assert [(d.policy, d.level) for d in analysis.diagnostics if d.could_not_run] == [
        ("fixture-versioning-bucket", "advisory")]  # the SDK downgrades a policy that read an unknown value


def test_with_up_every_policy_runs():
    analysis = _analyze("good", preview=False)
    assert not [d for d in analysis.diagnostics if d.could_not_run]
    assert _verdicts(analysis) == [("fixture-bucket-tagged", "advisory", "logs")]


def test_policy_config_is_resolved_against_the_schema_and_sent():
    analysis = _analyze("good", {"fixture-plan-min-retention": {"minDays": 90}, "fixture-bucket-tagged": "disabled"})
    assert _verdicts(analysis) == [("fixture-plan-min-retention", "mandatory", "daily")]
    assert analysis.policy_levels["fixture-bucket-tagged"] == "disabled"
    message = next(d.message for d in analysis.diagnostics if d.policy == "fixture-plan-min-retention")
    assert "at least 90 are required" in message


def test_resource_and_stack_policies_report_violations():
    analysis = _analyze("unprotected")
    assert ("fixture-vault-protected", "mandatory", "main") in _verdicts(analysis)


def test_not_applicable_carries_the_resource():
    analysis = _analyze("scratch")
    assert [(n.policy, n.urn.rsplit("::", 1)[-1], n.reason) for n in analysis.not_applicable] == [
        ("fixture-vault-protected", "main", "a scratch vault holds nothing worth keeping")]


@pytest.mark.parametrize(("config", "message"), [
    ({"fixture-plan-min-retention": {"minDays": 0}}, r"fixture-plan-min-retention.minDays: 0 is less than"),
    ({"fixture-no-such-policy": "mandatory"}, "names policies the pack does not have: fixture-no-such-policy"),
])
def test_a_policy_config_that_does_not_fit_the_pack(config, message):
    with pytest.raises(PolicyConfigError, match=message):
        _analyze("good", config)


def test_a_pack_that_does_not_start_shows_its_error():
    with pytest.raises(PackError) as error:
        _analyze("good", pack=FIXTURES / "broken_pack")
    assert "did not start" in str(error.value)
    assert "No module named 'fixture_policies_that_do_not_exist'" in str(error.value)


def test_pack_manifest_names_the_interpreter(tmp_path):
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    (tmp_path / "venv" / "bin" / "python").write_text("")
    (tmp_path / "PulumiPolicy.yaml").write_text("version: 1.2.0\nruntime:\n  name: python\n"
                                                "  options:\n    virtualenv: venv\n")
    manifest = read_pack_manifest(tmp_path)
    assert manifest.version == "1.2.0"
    assert manifest.python == str(tmp_path / "venv" / "bin" / "python")


def test_pack_manifest_with_a_missing_virtualenv(tmp_path):
    (tmp_path / "PulumiPolicy.yaml").write_text("runtime:\n  name: python\n  options:\n    virtualenv: ../nowhere\n")
    with pytest.raises(PackError, match=r"names the virtualenv '\.\./nowhere'"):
        read_pack_manifest(tmp_path)


def test_a_config_too_large_for_the_environment_loses_its_largest_values():
    config = {"aws:region": "eu-west-1", "app:small": "x", "app:huge": "y" * 200_000}
    kept, dropped = config_for_pack(config)
    assert (kept, dropped) == ({"aws:region": "eu-west-1", "app:small": "x"}, ["app:huge"])
    assert config_for_pack({"aws:region": "eu-west-1"}) == ({"aws:region": "eu-west-1"}, [])


def test_a_pack_interpreter_that_cannot_run_is_a_pack_error():
    process = PolicyPackProcess(PACK, project="fixture", stack="good", python="/nonexistent/python")
    with pytest.raises(PackError, match="cannot start the policy pack"):
        process.start()


_SCHEMA = {"type": "object", "properties": {"minDays": {"type": "number", "minimum": 1},
                                            "modes": {"type": "array", "items": {"enum": ["a", "b"]}}}}


@pytest.mark.parametrize("instance", [{"minDays": 0}, {"minDays": "x"}, {"modes": ["a", "c"]},
                                      {"minDays": 0, "modes": [1]}, {"minDays": 5, "modes": ["b"]}])
def test_the_cached_validator_raises_what_jsonschema_validate_raises(instance):
    """compliance.policy_config checks each schema once (a cached validator), and reports as `jsonschema.validate`."""
    expected = None
    try:
        jsonschema.validate(instance, _SCHEMA)
    except jsonschema.ValidationError as error:
        expected = (error.message, list(error.absolute_path))
    try:
        _validate(instance, _SCHEMA)
        got = None
    except jsonschema.ValidationError as error:
        got = (error.message, list(error.absolute_path))
    assert got == expected


def test_the_cached_validator_still_refuses_an_invalid_schema():
    with pytest.raises(jsonschema.SchemaError):
        _validate({}, {"type": "no-such-type"})
