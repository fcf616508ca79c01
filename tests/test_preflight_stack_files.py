"""Reading Pulumi.yaml + Pulumi.<stack>.yaml into the config a program gets from the CLI."""

import json
from pathlib import Path

import pytest
import yaml

from bench.synthetic import stack_yaml
from preflight.stack_files import FAST_LOADER, SECRET_PLACEHOLDER, StackFileError, read_stack

FIXTURE = Path(__file__).parent / "fixtures" / "program"


def _project(tmp_path: Path, stack_yaml: str, project_yaml: str = "name: demo\nruntime: python\n") -> Path:
    (tmp_path / "Pulumi.yaml").write_text(project_yaml)
    (tmp_path / "__main__.py").write_text("")
    (tmp_path / "Pulumi.dev.yaml").write_text(stack_yaml)
    return tmp_path


def test_values_become_the_strings_the_cli_passes(tmp_path):
    project = _project(tmp_path, """
config:
  aws:region: eu-central-1
  demo:production: true
  demo:retention: 35
  demo:tags: {team: backup}
  demo:plans: [{name: daily}]
  bare: text
""")
    settings = read_stack(project, "dev")
    assert settings.project == "demo"
    assert settings.region == "eu-central-1"
    assert settings.config["demo:production"] == "true"
    assert settings.config["demo:retention"] == "35"
    assert json.loads(settings.config["demo:tags"]) == {"team": "backup"}
    assert json.loads(settings.config["demo:plans"]) == [{"name": "daily"}]
    assert settings.config["demo:bare"] == "text"  # a key without namespace belongs to the project
    assert settings.secret_keys == [] and settings.notes == []


def test_secure_values_become_secret_placeholders_with_a_note():
    settings = read_stack(FIXTURE, "secure")
    assert settings.config["fixture:apiToken"] == SECRET_PLACEHOLDER
    assert json.loads(settings.config["fixture:settings"]) == {"owner": "backup-team", "password": SECRET_PLACEHOLDER}
    assert settings.secret_keys == ["fixture:apiToken", "fixture:settings"]
    assert [note.split(" ")[0] for note in settings.notes] == ["fixture:apiToken", "fixture:settings"]


def test_project_config_defaults_apply_unless_the_stack_sets_the_key(tmp_path):
    project = _project(tmp_path, "config:\n  demo:size: 3\n", """
name: demo
runtime: python
config:
  size: {type: integer, default: 1}
  colour: {type: string, default: blue}
  aws:region: us-west-2
""")
    settings = read_stack(project, "dev")
    assert settings.config == {"demo:size": "3", "demo:colour": "blue", "aws:region": "us-west-2"}


def test_config_file_replaces_the_stack_file(tmp_path):
    other = tmp_path / "elsewhere.yaml"
    other.write_text("config:\n  aws:region: ap-south-1\n")
    settings = read_stack(FIXTURE, "good", other)
    assert settings.stack == "good"
    assert settings.config == {"aws:region": "ap-south-1"}


def test_program_dir_follows_main(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "__main__.py").write_text("")
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime: python\nmain: src\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    assert read_stack(tmp_path, "dev").program_dir == (tmp_path / "src").resolve()


@pytest.mark.parametrize(("stack", "message"), [
    ("malformed", "Pulumi.malformed.yaml is not valid YAML (line 4, column 1)"),
    ("empty", "Pulumi.empty.yaml is empty"),
    ("nosuch", "unknown stack 'nosuch'"),
])
def test_bad_stack_files_name_the_file_and_the_problem(stack, message):
    with pytest.raises(StackFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_stack(FIXTURE, stack)


def test_unknown_stack_lists_the_stacks_there_are():
    with pytest.raises(StackFileError) as error:
        read_stack(FIXTURE, "nosuch")
    assert "good" in str(error.value) and "short" in str(error.value)


@pytest.mark.parametrize(("stack_yaml", "message"), [
    ("- a list\n", "expected a map with a `config:` section, got list"),
    ("config: [a, b]\n", "`config` must be a map of keys, got list"),
])
def test_stack_file_of_the_wrong_shape(tmp_path, stack_yaml, message):
    with pytest.raises(StackFileError, match=message.replace("`", ".")):
        read_stack(_project(tmp_path, stack_yaml), "dev")


def test_missing_project_file(tmp_path):
    with pytest.raises(StackFileError, match=r"Pulumi\.yaml not found"):
        read_stack(tmp_path, "dev")


def test_project_without_a_program(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime: python\n")
    with pytest.raises(StackFileError, match=r"__main__\.py does not exist"):
        read_stack(tmp_path, "dev")


STACK_FILES = sorted({*Path(__file__).parents[1].glob("Pulumi*.yaml"),
                      *(Path(__file__).parent / "stacks").glob("*.yaml")})


@pytest.mark.parametrize("path", STACK_FILES, ids=[p.name for p in STACK_FILES])
def test_the_fast_yaml_loader_reads_every_stack_file_as_the_pure_python_one(path):
    """Stack files are read with libyaml's loader and errors reported by PyYAML's own (preflight/stack_files.py): on
    the repository's stack files and the bench's synthetic one both give the same document."""
    text = path.read_text()
    assert yaml.load(text, Loader=FAST_LOADER) == yaml.safe_load(text)


def test_the_fast_yaml_loader_reads_the_bench_stack_as_the_pure_python_one():
    text = stack_yaml(500)
    assert yaml.load(text, Loader=FAST_LOADER) == yaml.safe_load(text)


@pytest.mark.parametrize("text", ["config:\n  aws:region:\tus-east-1\n", "config:\n  a: b\t\n",
                                  "config:\n  a: [b,\tc]\n", "config:\n  a: 1\t# note\n"])
def test_a_stack_file_with_a_tab_where_pyyaml_refuses_one_is_refused(tmp_path, text):
    """libyaml accepts these tabs and PyYAML does not: such a file is read by PyYAML's loader, so it is refused
    whichever loader is faster."""
    with pytest.raises(StackFileError, match="is not valid YAML"):
        read_stack(_project(tmp_path, text), "dev")
