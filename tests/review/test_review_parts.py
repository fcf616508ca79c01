"""The review's parts on their own: the steps the engine would plan, git's base, the command's usage errors and
`--base-code`."""

from __future__ import annotations

import shutil

import pytest
from compliance.facts import UNKNOWN_STRING
from review_repo import ROOT, edit, git, make_repo, review

from preflight.engine_model import load_facts
from preflight.review.git_refs import GitError, default_base, resolve
from preflight.review.planned_steps import planned_steps

FACTS = load_facts()
KEY = "aws:kms/key:Key"
VAULT = "aws:backup/vault:Vault"


def _resource(type_: str, name: str, inputs: dict, *, protect: bool = False, deps: dict | None = None,
              parent_type: str = "aws-backups:backup:Vault") -> dict:
    return {"type": type_, "name": name, "urn": f"urn:pulumi:prod::p::{parent_type}${type_}::{name}",
            "inputs": inputs, "protect": protect, "custom": True, "propertyDependencies": deps or {}}


def test_an_unchanged_resource_is_no_step_and_a_changed_input_an_update():
    vault = _resource(VAULT, "v", {"name": "a", "tags": {"x": "1"}})
    assert planned_steps([vault], [vault], FACTS) == []
    [step] = planned_steps([vault], [{**vault, "inputs": {"name": "a", "tags": {"x": "2"}}}], FACTS)
    assert (step.kind, step.changed, step.replaced_on) == ("update", ("tags",), ())


def test_a_replace_on_change_input_replaces_and_its_dependents_follow():
    key = _resource(KEY, "k", {"keyUsage": "ENCRYPT_DECRYPT", "multiRegion": False})
    vault = _resource(VAULT, "v", {"name": "a", "kmsKeyArn": UNKNOWN_STRING}, deps={"kmsKeyArn": [key["urn"]]})
    new_key = {**key, "inputs": {"keyUsage": "ENCRYPT_DECRYPT", "multiRegion": True}}
    steps = {step.type: step for step in planned_steps([key, vault], [new_key, vault], FACTS)}
    assert (steps[KEY].kind, steps[KEY].replaced_on) == ("replace", ("multiRegion",))
    # The vault's key ARN comes from the new key and is unknown until it exists: kmsKeyArn replaces a vault.
    assert (steps[VAULT].kind, steps[VAULT].changed) == ("replace", ("kmsKeyArn",))


def test_a_protected_resource_replaced_or_deleted_is_refused_and_a_rename_is_a_replacement():
    vault = _resource(VAULT, "old", {"name": "a-old"}, protect=True)
    renamed = _resource(VAULT, "new", {"name": "a-new"}, protect=True)
    [step] = planned_steps([vault], [renamed], FACTS)
    assert (step.kind, step.renamed_from, step.protected) == ("replace", "old", True)
    assert any("is protected" in refusal for refusal in step.refusals)
    assert any("must be empty" in refusal for refusal in step.refusals)
    [gone] = planned_steps([vault], [], FACTS)
    assert (gone.kind, gone.protected) == ("delete", True)
    other_place = _resource(VAULT, "new", {"name": "a-new"}, parent_type="other:Component")
    assert sorted(step.kind for step in planned_steps([vault], [other_place], FACTS)) == ["create", "delete"]


def test_the_default_base_is_the_merge_base_with_the_default_branch(tmp_path):
    repo = make_repo(tmp_path)
    first = git(repo, "rev-parse", "HEAD").strip()
    assert default_base(repo) == first  # on main itself: HEAD, so the review shows the uncommitted edit
    git(repo, "checkout", "-q", "-b", "feature")
    edit(repo, "deleteAfterDays: 7300", "deleteAfterDays: 3650")
    git(repo, "commit", "-q", "-am", "cut")
    assert default_base(repo) == first
    with pytest.raises(GitError, match="not a commit"):
        resolve(repo, "no-such-branch")


def test_usage_errors_exit_2_naming_what_is_wrong(tmp_path):
    repo = make_repo(tmp_path)
    code, err = review(repo, "--fail-on", "retention-cut")
    assert code == 2 and "unknown retention-cut" in err and "retention-shortened" in err
    code, err = review(repo, "--base", "no-such-branch")
    assert code == 2 and "not a commit" in err


def test_base_code_runs_the_base_s_own_program(tmp_path):
    """The repository holds the project itself; --base-code runs the committed code on the base side."""
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ("Pulumi.yaml", "Pulumi.prod.yaml", "__main__.py"):
        shutil.copy(ROOT / name, repo / name)
    for name in ("components", "policies"):
        shutil.copytree(ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
    (repo / "venv").symlink_to(ROOT / "venv")
    (repo / ".gitignore").write_text("venv\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "project")
    edit(repo, "deleteAfterDays: 7300", "deleteAfterDays: 3650")
    code, document = review(repo, "--base-code")
    assert code == 0, document
    assert document["verdict"]["base"]["mandatory"] == 0
    # The yearly rule and its two copies (dr, and the backup account's vault).
    assert len(document["changeKinds"]["retention-shortened"]) == 3
