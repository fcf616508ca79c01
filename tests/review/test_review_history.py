"""`python -m preflight review` on real git history: a repository with prod's stack file committed, an edit in
the working tree, the review as a user runs it (its own process, the sec-17a-4 profile)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from review_repo import ROOT, YEARLY_CUT, edit, git, make_repo, review

GOLDEN = Path(__file__).parent / "golden"
RENAME_PITR = [("    - name: pitr\n", "    - name: pointintime\n"),
               ("          vault: pitr\n", "          vault: pointintime\n")]
WEEKLY_COPY = ("          coldStorageAfterDays: 730\n          copyTo:\n            - vault: dr\n"
               "        - preset: monthly7Year")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path)


def _rows(document: dict, aspect: str) -> dict[str, tuple[str | None, str | None]]:
    return {row["subject"]: (row["before"], row["after"]) for row in document["posture"] if row["aspect"] == aspect}


def test_a_retention_cut_is_shown_per_rule_and_copy_and_fails_only_when_asked(repo):
    edit(repo, *YEARLY_CUT)
    code, document = review(repo)
    assert code == 0  # within the profile's minimum and the lock: allowed
    totals = _rows(document, "total retention")
    assert totals["plan aws-backups-prod-standard · rule 'Yearly'"] == ("7,300 d (20.0 y)", "3,650 d (10.0 y)")
    assert len(document["changeKinds"]["retention-shortened"]) == 3  # the rule and its copies (dr, backup account)
    assert any("applies to new points only" in note for note in document["existingRecoveryPoints"])
    assert document["monthlyCostUsd"]["after"]["standard"] < document["monthlyCostUsd"]["before"]["standard"]
    assert [step["kind"] for step in document["steps"]] == ["update"]
    assert review(repo, "--fail-on", "retention-shortened")[0] == 1
    assert review(repo, "--fail-on", "copy-removed,coverage-removed")[0] == 0


def test_a_removed_copy_is_a_copy_removed_and_a_new_finding(repo):
    edit(repo, WEEKLY_COPY, "          coldStorageAfterDays: 730\n        - preset: monthly7Year")
    code, document = review(repo)
    assert code == 0
    assert document["changeKinds"]["copy-removed"] == [
        "plan aws-backups-prod-standard · rule 'Weekly': eu-central-1 / account 123456789012 / aws-backups-prod-dr"]
    assert _rows(document, "copies")["plan aws-backups-prod-standard · rule 'Weekly'"][1] == "none"
    assert any("is gone: the recovery points it made stay" in note for note in document["existingRecoveryPoints"])


def test_a_lock_change_in_production_is_a_protected_replacement_refused_before_anyone_tries(repo):
    edit(repo, "maxRetentionDays: 7300    # the longest", "maxRetentionDays: 9000    # the longest")
    code, document = review(repo, "--fail-on", "protected-replaced")
    assert code == 1
    [step] = document["steps"]
    assert (step["kind"], step["type"], step["replacedOn"], step["protected"]) == (
        "replace", "aws:backup/vaultLockConfiguration:VaultLockConfiguration", ["maxRetentionDays"], True)
    assert any("is protected" in refusal for refusal in step["refusals"])
    assert any("compliance-mode lock" in refusal for refusal in step["refusals"])
    assert document["changeKinds"]["lock-changed"] == ["vault aws-backups-prod-primary (eu-west-1)"]


def test_a_removed_selection_type_is_coverage_removed(repo):
    edit(repo, "resourceTypes: [EBS, EC2, RDS, Aurora, DynamoDB, EFS, Storage Gateway]",
         "resourceTypes: [EBS, EC2, RDS, Aurora, EFS, Storage Gateway]")
    code, document = review(repo, "--fail-on", "coverage-removed")
    assert code == 1
    assert "plan aws-backups-prod-standard: DynamoDB" in document["changeKinds"]["coverage-removed"]
    assert _rows(document, "resource types")["plan aws-backups-prod-standard"][1] == (
        "EBS, EC2, RDS, Aurora, EFS, Storage Gateway")
    [step] = [step for step in document["steps"] if step["type"] == "aws:backup/selection:Selection"]
    assert (step["kind"], step["replacedOn"]) == ("replace", ["resources"])
    # No plan selects DynamoDB any more: its restore test goes too.
    assert [(s["kind"], s["name"]) for s in document["steps"] if s is not step] == [
        ("delete", "restore-testing-eu-west-1-DynamoDB")]


def test_a_renamed_vault_is_a_replacement_the_engine_refuses_in_production(repo):
    for old, new in RENAME_PITR:
        edit(repo, old, new)
    code, document = review(repo)
    assert code == 0  # the pack has nothing against the new vault; the engine would stop at the old one
    replaced = {step["type"]: step for step in document["steps"] if step["kind"] == "replace"}
    vault = replaced["aws:backup/vault:Vault"]
    assert (vault["name"], vault["renamedFrom"], vault["protected"]) == ("pointintime", "pitr", True)
    assert any("must be empty" in refusal for refusal in vault["refusals"])
    assert "Vault 'pitr' (renamed 'pointintime')" in document["changeKinds"]["protected-replaced"]
    assert not [step for step in document["steps"] if step["kind"] == "delete"]  # paired as renames


def test_a_comment_edit_is_a_one_line_answer(repo):
    edit(repo, "# every day", "# each day")
    code, text = review(repo, output="text")
    assert code == 0
    assert text.count("\n") == 1 and "no change" in text and "comments or layout only" in text


def test_the_head_s_verdict_decides_the_exit_status(repo):
    edit(repo, "deleteAfterDays: 35", "deleteAfterDays: 40")  # continuous backup above 35 days: an AWS limit
    code, _ = review(repo, output="text")
    assert code == 2  # the config refuses it before anything runs: a usage error naming the key
    (repo / "Pulumi.prod.yaml").write_text(git(repo, "show", "HEAD:Pulumi.prod.yaml"))
    edit(repo, "minRetentionDays: 2190    # the shortest", "minRetentionDays: 730    # the shortest")
    edit(repo, "          deleteAfterDays: 2190\n", "          deleteAfterDays: 1095\n")
    edit(repo, "        minRetentionDays: 2190\n", "        minRetentionDays: 730\n")
    code, document = review(repo)
    assert code == 1
    assert document["verdict"]["head"]["mandatory"] == 2 and document["verdict"]["base"]["mandatory"] == 0
    assert {f["policy"] for f in document["findings"]["new"]} == {"aws-backup-plan-enforce-min-retention"}


def test_an_organization_plan_s_retention_cut_is_reviewed_like_a_stack_plan(tmp_path):
    repo = make_repo(tmp_path, stacks=("org",))
    edit(repo, "            deleteAfterDays: 90\n", "            deleteAfterDays: 30\n", stack="org")
    edit(repo, "minRetentionDays: 35 ", "minRetentionDays: 30 ", stack="org")  # the member vault's lock admits it
    code, document = review(repo, stack="org", profile=ROOT / "policies" / "profiles" / "baseline.json")
    assert code == 1  # 30 days is below the baseline's 35, in the backup policy as in a plan
    totals = {row["subject"]: (row["before"], row["after"]) for row in document["posture"]
              if row["aspect"] == "total retention"}
    assert totals == {"plan aws-backups-org-critical · rule 'Every12Hours'": ("90 d", "30 d")}
    assert sorted((s["kind"], s["type"], s["changed"]) for s in document["steps"]) == [
        ("update", "aws:cloudformation/stackSet:StackSet", ["templateBody"]),  # the member vaults' lock
        ("update", "aws:organizations/policy:Policy", ["content"])]
    assert {f["policy"] for f in document["findings"]["new"]} == {"aws-backup-plan-enforce-min-retention"}


def _golden(name: str, text: str) -> None:
    text = re.sub(r"at [0-9a-f]{10}", "at <base>", text)
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text(), f"{path} differs: rerun with UPDATE_GOLDEN=1 and read the diff"


def test_markdown_of_a_retention_cut(repo):
    edit(repo, *YEARLY_CUT)
    _, text = review(repo, output="md")
    _golden("retention-cut.md", text)


def test_markdown_of_a_renamed_vault(repo):
    for old, new in RENAME_PITR:
        edit(repo, old, new)
    _, text = review(repo, output="md")
    _golden("renamed-vault.md", text)
